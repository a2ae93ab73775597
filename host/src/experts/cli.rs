//! `capsule experts import FILE | list`: seed 000's expert registry in a
//! data directory's store, for operators at the server's console (the admin
//! route `POST /api/v1/experts` does the same over HTTP).

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct ExpertsArgs {
    #[command(subcommand)]
    pub action: ExpertsAction,
    #[command(flatten)]
    pub store: crate::cli::StoreArgs,
}

#[derive(Subcommand, Debug)]
pub enum ExpertsAction {
    /// Load experts from a JSON file (a list, or `{"experts": [...]}`) or a
    /// CSV file (`.csv`: a header row with name, career, field,
    /// career_file_name, is_visible; list cells separated by `;`). Experts
    /// are matched by name: a known name keeps its id and takes the new details.
    Import {
        file: PathBuf,
        /// Remove the experts the file does not name.
        #[arg(long)]
        replace: bool,
    },
    /// Print the registry as JSON.
    List,
}

pub async fn run(args: ExpertsArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    match args.action {
        ExpertsAction::Import { file, replace } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
            let csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let experts = super::parse(&bytes, csv).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let outcome = super::import(store.as_ref(), experts, replace).await.map_err(|e| anyhow::anyhow!(e))?;
            println!(
                "imported {}: {} added, {} updated, {} removed; {} experts in the registry",
                file.display(),
                outcome.added,
                outcome.updated,
                outcome.removed,
                outcome.total
            );
        }
        ExpertsAction::List => {
            let experts = super::load(store.as_ref()).await?;
            println!("{}", serde_json::to_string_pretty(&experts)?);
        }
    }
    Ok(())
}

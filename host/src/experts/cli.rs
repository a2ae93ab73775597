//! `capsule experts import FILE | list`: seed 000's expert registry in a
//! data directory's store, for operators at the server's console (the admin
//! route `POST /api/v1/experts` does the same over HTTP).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::store::Location;

#[derive(Args, Debug)]
pub struct ExpertsArgs {
    #[command(subcommand)]
    pub action: ExpertsAction,
    /// The server's data directory (its job database holds the registry).
    #[arg(long, env = "CAPSULE_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The server's PostgreSQL database, when it uses one (`serve --database-url`).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// The schema inside it (`serve --database-schema`).
    #[arg(long, env = "CAPSULE_DATABASE_SCHEMA", global = true)]
    pub database_schema: Option<String>,
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
    let location = Location::from_settings(
        args.database_url.as_deref(),
        args.database_schema.as_deref(),
        args.data_dir.join("jobs.db"),
    )
    .map_err(anyhow::Error::msg)?;
    if matches!(location, Location::Sqlite(_)) {
        std::fs::create_dir_all(&args.data_dir)?;
    }
    let store = crate::backends::open(&location).await?.store;
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

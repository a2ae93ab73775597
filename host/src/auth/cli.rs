//! `capsule keys create | list | revoke`: API keys in a data directory's
//! store, for operators at the server's console (the admin API does the
//! same over HTTP). A running server sees a new key at once and a revoked
//! one within seconds.

use clap::{Args, Subcommand};

use super::{Auth, KeySpec, KeyView, Rate, Role};

#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub action: KeysAction,
    #[command(flatten)]
    pub store: crate::cli::StoreArgs,
}

#[derive(Subcommand, Debug)]
pub enum KeysAction {
    /// Create a key and print it (it is shown only this once). From the first
    /// key on, the API requires keys.
    Create {
        /// The tenant the key's jobs and files belong to.
        #[arg(long)]
        tenant: String,
        /// submitter (submit, read, cancel), viewer (read only) or admin (also components and keys).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A label to recognise the key by.
        #[arg(long, default_value = "")]
        name: String,
        /// The key's own request rate, e.g. `20/s` [default: the server's --rate-limit].
        #[arg(long)]
        rate: Option<Rate>,
        /// Expire the key after this long, e.g. `30d` [default: never].
        #[arg(long, value_parser = crate::api::parse_expiry)]
        expires_in: Option<std::time::Duration>,
    },
    /// List keys (never their secrets).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by its id (the 12 hex digits after `csk_`).
    Revoke { id: String },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("`{s}` is not a role; use submitter, viewer or admin"))
}

pub async fn run(args: KeysArgs) -> anyhow::Result<()> {
    let store = args.store.open().await?;
    let auth = Auth::new(store, None);
    match args.action {
        KeysAction::Create { tenant, role, name, rate, expires_in } => {
            let spec = KeySpec { tenant, role, name, rate, expires_in };
            let (key, record) = auth.create(&spec).await.map_err(|e| anyhow::anyhow!(e))?;
            eprintln!(
                "created key {} for tenant `{}` (role {}); it is shown only now — store it safely:",
                record.id, record.tenant, record.role
            );
            println!("{key}");
        }
        KeysAction::List { json } => {
            let keys = auth.store().keys().await?;
            let views: Vec<KeyView> = keys.iter().map(KeyView::from).collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                println!("{:<14} {:<16} {:<10} {:<8} {:<9} NAME", "ID", "TENANT", "ROLE", "RATE", "STATE");
                for k in &views {
                    let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                    let rate = k.rate_limit.clone().unwrap_or_else(|| "default".into());
                    println!("{:<14} {:<16} {:<10} {:<8} {:<9} {}", k.id, k.tenant, k.role, rate, state, k.name);
                }
            }
        }
        KeysAction::Revoke { id } => {
            if !auth.revoke(&id).await? {
                anyhow::bail!("there is no active key `{id}` (see `capsule keys list`)");
            }
            eprintln!("revoked key {id}");
        }
    }
    Ok(())
}

//! `capsule push | rollback | components`: the admin API from the command line.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde_json::Value;

/// Where the admin API is and how to authenticate.
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Base URL of the capsule server.
    #[arg(long, env = "CAPSULE_SERVER", default_value = "http://127.0.0.1:8000")]
    pub server: String,
    /// Admin bearer token (the server's CAPSULE_ADMIN_TOKEN).
    #[arg(long, env = "CAPSULE_ADMIN_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// The component id in the server's spin.toml.
    pub component: String,
    /// The new version's `.wasm` file.
    pub wasm: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// The component id.
    pub component: String,
    /// A kept version's digest (`sha256:…`); default: the previous version.
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Args, Debug)]
pub struct ComponentsArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print the server's JSON.
    #[arg(long)]
    pub json: bool,
}

fn spinner(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

async fn call(server: &ServerArgs, request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
    let request = match &server.token {
        Some(t) => request.bearer_auth(t),
        None => request,
    };
    let response = request.send().await.with_context(|| format!("cannot reach {}", server.server))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body["data"].clone());
    }
    // Native errors carry {error: {code, message}}; auth refusals seed 001's {message, error_code}.
    let why = match (&body["error"], &body["error_code"]) {
        (Value::Object(e), _) => {
            format!("{}: {}", e["code"].as_str().unwrap_or("?"), e["message"].as_str().unwrap_or(""))
        }
        (_, Value::Number(code)) => {
            let hint = if status.as_u16() == 401 { " (pass --token or set CAPSULE_ADMIN_TOKEN)" } else { "" };
            format!("{} ({code}){hint}", body["message"].as_str().unwrap_or("refused"))
        }
        _ => format!("HTTP {status}"),
    };
    anyhow::bail!("{why}")
}

fn base(server: &ServerArgs) -> String {
    server.server.trim_end_matches('/').to_string()
}

pub async fn push(args: PushArgs) -> anyhow::Result<()> {
    let wasm = std::fs::read(&args.wasm).with_context(|| format!("reading {}", args.wasm.display()))?;
    let size = bytesize::ByteSize(wasm.len() as u64).display().iec();
    // A refused token answers at once; better than a reset mid-upload of a large file.
    call(&args.server, reqwest::Client::new().get(format!("{}/api/v1/components", base(&args.server)))).await?;
    let bar = spinner(format!("pushing {} ({size}): compile, import check, describe, examples…", args.component));
    let url = format!("{}/api/v1/components/{}", base(&args.server), args.component);
    let result = call(&args.server, reqwest::Client::new().put(url).body(wasm)).await;
    bar.finish_and_clear();
    let d = result?;
    let preinit = match d["preinit"]["tookMs"].as_f64() {
        Some(ms) => format!(", pre-initialized in {ms:.0} ms"),
        None if d["preinit"].is_object() => ", pre-initialized snapshot from cache".to_string(),
        None => String::new(),
    };
    println!(
        "{} now serves {} (version {}; was {}) after {:.0} ms{}{preinit}",
        args.component,
        d["digest"].as_str().unwrap_or("?"),
        d["version"].as_str().unwrap_or("?"),
        d["previousDigest"].as_str().unwrap_or("?"),
        d["tookMs"].as_f64().unwrap_or(0.0),
        if d["compiledFromCache"].as_bool() == Some(true) { ", compiled artifact from cache" } else { "" }
    );
    Ok(())
}

pub async fn rollback(args: RollbackArgs) -> anyhow::Result<()> {
    let bar = spinner(format!("rolling {} back…", args.component));
    let mut url = format!("{}/api/v1/components/{}/rollback", base(&args.server), args.component);
    if let Some(to) = &args.to {
        url.push_str(&format!("?to={to}"));
    }
    let result = call(&args.server, reqwest::Client::new().post(url)).await;
    bar.finish_and_clear();
    let d = result?;
    println!(
        "{} rolled back to {} (version {}; was {}) in {:.1} ms",
        args.component,
        d["digest"].as_str().unwrap_or("?"),
        d["version"].as_str().unwrap_or("?"),
        d["previousDigest"].as_str().unwrap_or("?"),
        d["tookMs"].as_f64().unwrap_or(0.0)
    );
    Ok(())
}

pub async fn components(args: ComponentsArgs) -> anyhow::Result<()> {
    let url = format!("{}/api/v1/components", base(&args.server));
    let data = call(&args.server, reqwest::Client::new().get(url)).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&data["components"])?);
        return Ok(());
    }
    println!("{:<16} {:<10} {:<26} {:>5} {:>8}  LOADED", "COMPONENT", "VERSION", "ACTIVE DIGEST", "KEPT", "JOBS");
    for c in data["components"].as_array().into_iter().flatten() {
        let digest: String = c["activeDigest"].as_str().unwrap_or("").chars().take(26).collect();
        let jobs: u64 =
            c["jobsPerVersion"].as_object().map(|m| m.values().filter_map(Value::as_u64).sum()).unwrap_or(0);
        println!(
            "{:<16} {:<10} {:<26} {:>5} {:>8}  {}",
            c["id"].as_str().unwrap_or(""),
            c["activeVersion"].as_str().unwrap_or(""),
            digest,
            c["versionsKept"],
            jobs,
            c["loadedAt"].as_str().unwrap_or("")
        );
    }
    // The server does not serve what the other hosts of its cluster do.
    for c in data["components"].as_array().into_iter().flatten().filter(|c| c["drift"].is_object()) {
        let drift = &c["drift"];
        let why = drift["error"].as_str().unwrap_or("still loading it");
        println!(
            "{}: serves {}, not the cluster's active version {}: {why}",
            c["id"].as_str().unwrap_or(""),
            drift["serving"].as_str().unwrap_or(""),
            drift["wanted"].as_str().unwrap_or("")
        );
    }
    Ok(())
}

//! `capsule`: serves AI capabilities as sandboxed WebAssembly components.

mod accounts;
mod api;
mod app;
mod auth;
mod backends;
mod bench;
mod blobs;
mod bus;
mod cli;
mod deploy;
mod engines;
mod experts;
mod jobs;
mod manifest;
mod remote;
mod runtime;
mod scaffold;
mod store;
mod vectors;

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cli::{CapabilitiesArgs, Cli, Command, RunArgs, Scratch, ServeArgs};
use manifest::Manifest;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = match &cli.command {
        Command::Serve(a) => a.host.log.clone(),
        Command::Run(a) => a.host.log.clone(),
        Command::Capabilities(a) => a.host.log.clone(),
        Command::Bench(a) => a.host.log.clone(),
        Command::New(_)
        | Command::Push(_)
        | Command::Rollback(_)
        | Command::Components(_)
        | Command::Keys(_)
        | Command::Experts(_) => "warn".into(),
    };
    init_tracing(&log, !matches!(cli.command, Command::Serve(_)));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(*args).await.map(|()| ExitCode::SUCCESS),
            Command::Run(args) => run_one(args).await,
            Command::Capabilities(args) => capabilities(args).await.map(|()| ExitCode::SUCCESS),
            Command::Bench(args) => bench::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::New(args) => scaffold::run(args).map(|()| ExitCode::SUCCESS),
            Command::Push(args) => remote::push(args).await.map(|()| ExitCode::SUCCESS),
            Command::Rollback(args) => remote::rollback(args).await.map(|()| ExitCode::SUCCESS),
            Command::Components(args) => remote::components(args).await.map(|()| ExitCode::SUCCESS),
            Command::Keys(args) => auth::cli::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Experts(args) => experts::cli::run(args).await.map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(filter: &str, quiet_default: bool) {
    let filter = if quiet_default && filter == "info" { "warn" } else { filter };
    let env =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(env).with_writer(std::io::stderr).init();
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Before anything opens files, so the database and engines benefit too.
    let open_files = api::server::raise_open_files_limit();
    let limits = api::server::ServerLimits {
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        body_timeout: args.body_timeout,
        max_connections: api::server::effective_max_connections(args.max_connections, open_files),
    };
    if limits.max_connections < args.max_connections {
        tracing::warn!(
            asked = args.max_connections,
            allowed = limits.max_connections,
            open_files = open_files.unwrap_or_default(),
            "--max-connections is above the open-files limit less {} kept for files and engines; raise `ulimit -Hn` to serve more",
            api::server::RESERVED_FILES
        );
    }
    tracing::info!(
        open_files = open_files.unwrap_or_default(),
        max_connections = limits.max_connections,
        "connection limits"
    );
    let manifest = if args.build {
        let m = Manifest::load(&args.host.manifest, false)?;
        app::build_components(&m).await?;
        Manifest::load(&args.host.manifest, true)?
    } else {
        Manifest::load(&args.host.manifest, true)?
    };
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
    let settings = args.host.settings(public_url, args.host.data_dir.join("jobs.db"))?;
    let host = app::start(&manifest, &settings).await?;
    if args.watch {
        let (deployer, manifest) = (host.deployer.clone(), manifest.clone());
        tokio::spawn(async move {
            if let Err(e) = deploy::watch(deployer, manifest).await {
                tracing::error!(error = %format!("{e:#}"), "watching stopped");
            }
        });
    }
    let empty_is_none = |t: &Option<String>| t.clone().filter(|t| !t.trim().is_empty());
    let video = Arc::new(args.accounts.video_state(host.database.clone(), &settings)?);
    let state = api::AppState {
        video,
        database: host.database.clone(),
        jobs: host.jobs,
        blobs: host.blobs,
        deployer: host.deployer,
        engines: host.engines,
        admin: Arc::new(api::AdminTokens {
            admin_token: empty_is_none(&args.admin_token),
            viewer_token: empty_is_none(&args.viewer_token),
        }),
        auth: Arc::new(auth::Auth::new(host.keys, args.rate_limit.0)),
        config: Arc::new(api::ApiConfig {
            max_wait: args.max_wait,
            seed_sync_wait: args.seed_sync_wait,
            analysis_version: args.analysis_version.clone(),
            max_body: args.max_body as usize,
            max_component_size: args.max_component_size as usize,
            cors_origins: args.cors_origins.clone().unwrap_or(api::CorsOrigins::LoopbackDevelopment),
            cors_max_age: args.cors_max_age,
        }),
    };
    if !state.auth.keys_required().await? {
        tracing::warn!(
            address = %args.listen,
            "the API is unauthenticated: anyone who can reach this address can read and cancel every job; \
             create a key with `capsule keys create --tenant <name> --role submitter` to require keys"
        );
    }
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    // The bound address, not the asked one: `--listen 127.0.0.1:0` picks a port.
    let address = listener.local_addr().unwrap_or(args.listen);
    tracing::info!(
        application = %manifest.application,
        %address,
        capabilities = manifest.capabilities.len(),
        "capsule is serving; API docs at /docs"
    );
    api::server::serve(listener, api::router(state), limits, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down; unfinished jobs resume on the next start");
}

/// Only the named capability, so a plugin author's other components need not build.
fn only(mut manifest: Manifest, capability: &str) -> anyhow::Result<Manifest> {
    let names: Vec<String> = manifest.capabilities.iter().map(|c| c.name.clone()).collect();
    manifest.capabilities.retain(|c| c.name == capability || c.id == capability);
    // Pipelines chain other capabilities, which are not loaded here.
    manifest.pipelines.clear();
    if manifest.capabilities.is_empty() {
        anyhow::bail!("{} has no capability `{capability}` (it has: {})", manifest.path.display(), names.join(", "));
    }
    Ok(manifest)
}

async fn run_one(args: RunArgs) -> anyhow::Result<ExitCode> {
    let input_text = if args.input.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading the input from standard input")?;
        s
    } else {
        std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    let input: serde_json::Value = serde_json::from_str(&input_text).context("the input is not valid JSON")?;
    let mut manifest = only(Manifest::load(&args.host.manifest, args.component.is_none())?, &args.capability)?;
    if let Some(wasm) = &args.component {
        manifest.capabilities[0].source = wasm.clone();
    }
    let name = manifest.capabilities[0].name.clone();
    let scratch = Scratch::new("run")?;
    run_job(&manifest, &args.host.scratch_settings(&scratch, true)?, &name, input, args.quiet).await
}

async fn run_job(
    manifest: &Manifest,
    settings: &app::HostSettings,
    name: &str,
    input: serde_json::Value,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let host = app::start(manifest, settings).await?;
    let submitted = host.jobs.submit(name, input, true, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut events = host.jobs.subscribe(&submitted.id);
    let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(100) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos:>3}% {msg}")
            .expect("progress template")
            .progress_chars("=> "),
    );
    loop {
        let record = host.jobs.get(&submitted.id, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if record.status.is_terminal() {
            bar.finish_and_clear();
            return Ok(match record.status {
                store::Status::Completed => {
                    let result: serde_json::Value = serde_json::from_str(record.result.as_deref().unwrap_or("null"))?;
                    println!("{}", serde_json::to_string_pretty(&result)?);
                    ExitCode::SUCCESS
                }
                _ => {
                    let f = record.failure.unwrap_or_else(|| runtime::Failure::new("JOB_FAILED", "the job failed"));
                    eprintln!(
                        "{} after {} attempt(s): {}: {}",
                        record.status.as_str(),
                        record.attempts,
                        f.code,
                        f.message
                    );
                    ExitCode::FAILURE
                }
            });
        }
        match tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await {
            Ok(Ok(jobs::JobEvent::Progress { percent, step, message })) => {
                bar.set_position(percent as u64);
                bar.set_message(if message.is_empty() { step } else { message });
            }
            Ok(Ok(jobs::JobEvent::Chunk(chunk))) => bar.println(chunk),
            Ok(Ok(jobs::JobEvent::Token { text, .. })) => bar.set_message(text),
            Ok(Ok(jobs::JobEvent::Finished)) | Ok(Err(_)) => events = host.jobs.subscribe(&submitted.id),
            Err(_) => bar.tick(),
        }
    }
}

async fn capabilities(args: CapabilitiesArgs) -> anyhow::Result<()> {
    let manifest = Manifest::load(&args.host.manifest, true)?;
    let scratch = Scratch::new("capabilities")?;
    let host = app::start(&manifest, &args.host.scratch_settings(&scratch, false)?).await?;
    if args.json {
        let list: Vec<_> = host.jobs.registry().iter().map(|e| api::capability_view(e)).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        println!("{:<16} {:<10} {:<7} {:<20} SUMMARY", "NAME", "VERSION", "MODE", "DIGEST");
        for e in host.jobs.registry().iter() {
            let v = e.current();
            let d = &v.descriptor;
            let digest: String = v.digest.chars().take(19).collect();
            println!(
                "{:<16} {:<10} {:<7} {:<20} {}",
                e.spec.name,
                d.version,
                format!("{:?}", d.mode).to_lowercase(),
                digest,
                d.summary
            );
        }
    }
    Ok(())
}

//! Builds a running host from settings: store, blobs, runtime, components,
//! job engine. Shared by `serve`, `run` and `bench`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use crate::blobs::Blobs;
use crate::deploy::Deployer;
use crate::engines::{EngineSettings, Engines, StartContext};
use crate::jobs::{Jobs, JobsConfig};
use crate::manifest::{CapabilitySpec, Manifest};
use crate::runtime::{PoolSizing, Registry, Runtime};

/// Everything needed to assemble the host.
#[derive(Debug, Clone)]
pub struct HostSettings {
    /// Component versions (`components/`) and, by default, everything else.
    pub data_dir: PathBuf,
    /// Files uploaded or written by components: a directory or a bucket.
    pub blobs: crate::blobs::Location,
    pub cache_dir: PathBuf,
    /// The embedded database file (normally `<data_dir>/jobs.db`): the job
    /// store unless `store` names a server, and the vector index.
    pub database: PathBuf,
    /// Where jobs, keys, tenants and component versions live.
    pub store: crate::store::Location,
    /// A Redis for the bus between hosts, in place of the store's own.
    pub redis_url: Option<String>,
    pub public_url: String,
    pub max_file_size: u64,
    pub jobs: JobsConfig,
    /// Versions kept per component for rollback.
    pub keep_versions: usize,
    pub engines: EngineSettings,
    /// The operator's values for spin.toml's `[variables]`.
    pub variables: crate::runtime::VariableValues,
}

pub struct Host {
    pub jobs: Arc<Jobs>,
    pub blobs: Blobs,
    pub deployer: Arc<Deployer>,
    pub engines: Arc<Engines>,
    /// API keys live in the job store.
    pub keys: Arc<dyn crate::store::KeyStore>,
    /// The job store as a whole (seed 003's accounts and uploads live there too).
    pub database: Arc<dyn crate::store::Database>,
}

/// Load every component of the manifest (compile, check, describe, run
/// its examples) and start the job engine. Any component that fails is a
/// start-up error naming it and the step.
pub async fn start(manifest: &Manifest, settings: &HostSettings) -> anyhow::Result<Host> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    let blob_store =
        settings.blobs.open().await.with_context(|| format!("opening the blob store {}", settings.blobs.describe()))?;
    let blobs = Blobs::new(blob_store, &settings.public_url, settings.max_file_size);
    let crate::backends::Backends { store, vectors, bus } =
        crate::backends::open_with(&settings.store, settings.redis_url.as_deref()).await?;

    let sizing = pool_sizing(&manifest.capabilities);
    let start = StartContext { settings: &settings.engines, vectors, keyvalue: store.clone() };
    let engines = Arc::new(Engines::start(&start).await);
    let runtime = Arc::new(Runtime::new(
        &sizing,
        settings.cache_dir.clone(),
        blobs.clone(),
        engines.clone(),
        settings.variables.clone(),
    )?);
    let mut registry = Registry::default();
    let mut booted = Vec::new();
    for spec in &manifest.capabilities {
        let started = std::time::Instant::now();
        tracing::info!(capability = %spec.name, "loading component");
        let boot =
            crate::deploy::boot(&runtime, store.as_ref(), spec, &settings.data_dir, settings.keep_versions).await?;
        let version = boot.version.clone();
        tracing::info!(
            capability = %spec.name,
            digest = %version.digest,
            cached = version.from_cache,
            took_ms = started.elapsed().as_millis() as u64,
            "component loaded"
        );
        registry.insert(spec.clone(), version, settings.keep_versions);
        booted.push(boot);
    }
    let registry = Arc::new(registry);
    // Release notices go to the deployer, the rest of the bus to the jobs.
    let (bus, released) = crate::deploy::tap(bus);
    let deployer = Arc::new(Deployer::new(
        runtime.clone(),
        registry.clone(),
        store.clone(),
        bus.clone(),
        &settings.data_dir,
        settings.keep_versions,
        booted,
    ));
    crate::jobs::check_pipelines(&registry, &manifest.pipelines)
        .map_err(|e| anyhow::anyhow!("{}: {e}", manifest.path.display()))?;
    let jobs = Jobs::new(store.clone(), runtime, registry, bus, settings.jobs.clone(), manifest.pipelines.clone());
    jobs.start().await.context("recovering queued jobs")?;
    // Only hosts sharing a database have releases of others to follow.
    if matches!(settings.store, crate::store::Location::Postgres { .. }) {
        tokio::spawn(crate::deploy::follow(deployer.clone(), released));
    }
    Ok(Host { jobs, blobs, deployer, engines, keys: store.clone(), database: store })
}

fn pool_sizing(capabilities: &[CapabilitySpec]) -> PoolSizing {
    let concurrent: u32 = capabilities.iter().map(|c| c.concurrency).sum();
    PoolSizing {
        // Room for validation instances (describe, examples) beside the jobs.
        instances: concurrent + 16,
        max_memory: capabilities.iter().map(|c| c.memory).max().unwrap_or(crate::manifest::DEFAULT_MEMORY),
    }
}

/// Run each component's `build.command` (for `serve --build`).
pub async fn build_components(manifest: &Manifest) -> anyhow::Result<()> {
    for spec in &manifest.capabilities {
        let Some(build) = &spec.build else { continue };
        tracing::info!(component = %spec.id, command = %build.command, "building");
        let status = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&build.command)
            .current_dir(&build.workdir)
            .status()
            .await
            .with_context(|| format!("running `component.{}.build.command`", spec.id))?;
        if !status.success() {
            anyhow::bail!("`component.{}.build.command` (`{}`) failed with {status}", spec.id, build.command);
        }
    }
    Ok(())
}

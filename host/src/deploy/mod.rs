//! Versions of components over time: which version serves at start-up,
//! pushing a new one (validated before it may serve), rolling back, and
//! `serve --watch`.
//!
//! A new version becomes current only after `Runtime::load` accepted it:
//! it compiles, its imports are within its grants, `describe()` answers
//! with the right name, and every example's output matches. Then the swap
//! is one pointer exchange in the [`Registry`]; on any failure the old
//! version keeps serving.

mod vault;
mod watch;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use watch::watch;

use crate::manifest::CapabilitySpec;
use crate::runtime::{Entry, LoadError, Registry, Runtime, Version, digest_of};
use vault::{Vault, VaultState};

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("there is no component `{0}` in the manifest")]
    UnknownComponent(String),
    #[error(transparent)]
    Invalid(#[from] LoadError),
    #[error("component `{id}` has no kept version {digest}")]
    VersionNotFound { id: String, digest: String },
    #[error("component `{0}` has no previous version to roll back to")]
    NoPrevious(String),
    #[error("component store: {0}")]
    Io(#[from] std::io::Error),
}

/// What a push or rollback did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployed {
    pub component: String,
    pub digest: String,
    pub version: String,
    pub previous_digest: String,
    /// The compiled artifact was already cached (a re-push or rollback).
    pub compiled_from_cache: bool,
    /// From receiving the bytes to serving them (pre-initialization included).
    pub took_ms: f64,
    /// Jobs start from a snapshot taken after the component's warm-up
    /// (`wizer-initialize`); what taking it cost. `null` for a component
    /// without a warm-up.
    pub preinit: Option<crate::runtime::PreinitReport>,
}

/// One kept version, for listings.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptVersion {
    pub digest: String,
    pub active: bool,
    /// Loaded and instantiable now (rollback to it is a pointer swap).
    pub loaded: bool,
    /// The component's own version string, when loaded.
    pub version: Option<String>,
    pub loaded_at: Option<String>,
}

pub struct Deployer {
    runtime: Arc<Runtime>,
    registry: Arc<Registry>,
    vault: Vault,
    keep: usize,
    /// One deployment at a time per component.
    locks: HashMap<String, tokio::sync::Mutex<()>>,
}

/// The version a component starts with: the manifest's `source` if it changed
/// since the last start (a new build is a new deployment), else the version
/// last made active (possibly pushed), falling back to `source`.
pub async fn boot(
    runtime: &Runtime,
    spec: &CapabilitySpec,
    data_dir: &std::path::Path,
    keep: usize,
) -> anyhow::Result<Arc<Version>> {
    use anyhow::Context;
    let vault = Vault::new(data_dir.join("components"));
    let source = std::fs::read(&spec.source)
        .with_context(|| format!("reading `component.{}.source` {}", spec.id, spec.source.display()))?;
    let source_digest = digest_of(&source);
    let mut state = vault.state(&spec.id).unwrap_or_else(|e| {
        tracing::warn!(component = %spec.id, error = %e, "ignoring unreadable version history");
        VaultState::default()
    });
    let active = state.active().map(str::to_string);
    let pushed = match active {
        Some(d) if state.manifest_digest.as_deref() == Some(source_digest.as_str()) && d != source_digest => Some(d),
        _ => None,
    };
    if let Some(digest) = pushed {
        match vault.read_wasm(&spec.id, &digest) {
            Ok(wasm) => match runtime.load(spec, wasm, digest.clone()).await {
                Ok(version) => {
                    tracing::info!(component = %spec.id, %digest, "serving the version last pushed (spin.toml's source is unchanged)");
                    return Ok(version);
                }
                Err(e) => {
                    tracing::warn!(component = %spec.id, error = %e, "last pushed version no longer loads; serving spin.toml's source")
                }
            },
            Err(e) => {
                tracing::warn!(component = %spec.id, error = %e, "last pushed version is missing; serving spin.toml's source")
            }
        }
    }
    let version = runtime.load(spec, source.clone(), source_digest.clone()).await?;
    vault.save_wasm(&spec.id, &source_digest, &source)?;
    state.manifest_digest = Some(source_digest.clone());
    for dropped in state.activate(&source_digest, keep) {
        vault.remove_wasm(&spec.id, &dropped);
    }
    vault.save_state(&spec.id, &state)?;
    Ok(version)
}

impl Deployed {
    /// A push of the version already serving: nothing to do.
    fn unchanged(id: &str, current: &Version, started: Instant) -> Self {
        Self {
            component: id.to_string(),
            digest: current.digest.clone(),
            version: current.descriptor.version.clone(),
            previous_digest: current.digest.clone(),
            compiled_from_cache: true,
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            preinit: current.preinit,
        }
    }
}

impl Deployer {
    pub fn new(runtime: Arc<Runtime>, registry: Arc<Registry>, data_dir: &std::path::Path, keep: usize) -> Self {
        let locks = registry.iter().map(|e| (e.spec.id.clone(), tokio::sync::Mutex::new(()))).collect();
        Self { runtime, registry, vault: Vault::new(data_dir.join("components")), keep: keep.max(1), locks }
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    fn entry(&self, id: &str) -> Result<&Arc<Entry>, DeployError> {
        self.registry.by_id(id).ok_or_else(|| DeployError::UnknownComponent(id.to_string()))
    }

    /// Validate `wasm` as a new version of `id` and make it current.
    pub async fn push(&self, id: &str, wasm: Vec<u8>) -> Result<Deployed, DeployError> {
        let started = Instant::now();
        let entry = self.entry(id)?;
        let _one_at_a_time = self.locks[id].lock().await;
        let digest = digest_of(&wasm);
        let current = entry.current();
        if current.digest == digest {
            return Ok(Deployed::unchanged(id, &current, started));
        }
        // Validated from memory: bytes reach the versions directory only for
        // a version about to become active, so a refusal leaves nothing.
        let wasm = Arc::new(wasm);
        let version = match entry.loaded(&digest) {
            Some(v) => v,
            None => self.runtime.load(&entry.spec, wasm.clone(), digest.clone()).await?,
        };
        // Large components (a Python one is ~18 MB): keep file I/O off the workers.
        let created = {
            let (vault, id, digest) = (self.vault.clone(), id.to_string(), digest.clone());
            tokio::task::spawn_blocking(move || vault.save_wasm(&id, &digest, &wasm))
                .await
                .map_err(|e| DeployError::Io(std::io::Error::other(e)))??
        };
        let activated = self.activate(entry, version, started);
        if activated.is_err() && created {
            self.vault.remove_wasm(id, &digest);
        }
        activated
    }

    /// Make the previous version (or the kept version `to`) current again.
    pub async fn rollback(&self, id: &str, to: Option<&str>) -> Result<Deployed, DeployError> {
        let started = Instant::now();
        let entry = self.entry(id)?;
        let _one_at_a_time = self.locks[id].lock().await;
        let state = self.vault.state(id)?;
        let digest = match to {
            Some(d) => {
                let d = if d.starts_with("sha256:") { d.to_string() } else { format!("sha256:{d}") };
                if !state.history.contains(&d) {
                    return Err(DeployError::VersionNotFound { id: id.into(), digest: d });
                }
                d
            }
            None => state.previous().ok_or_else(|| DeployError::NoPrevious(id.into()))?.to_string(),
        };
        let version = match entry.loaded(&digest) {
            Some(v) => v,
            None => {
                let (vault, owned_id, d) = (self.vault.clone(), id.to_string(), digest.clone());
                let wasm = tokio::task::spawn_blocking(move || vault.read_wasm(&owned_id, &d))
                    .await
                    .map_err(|e| DeployError::Io(std::io::Error::other(e)))?
                    .map_err(|_| DeployError::VersionNotFound { id: id.into(), digest: digest.clone() })?;
                self.runtime.load(&entry.spec, wasm, digest.clone()).await?
            }
        };
        self.activate(entry, version, started)
    }

    fn activate(&self, entry: &Entry, version: Arc<Version>, started: Instant) -> Result<Deployed, DeployError> {
        let id = &entry.spec.id;
        let mut state = self.vault.state(id)?;
        let dropped = state.activate(&version.digest, self.keep);
        self.vault.save_state(id, &state)?;
        let previous = entry.activate(version.clone());
        for d in dropped {
            self.vault.remove_wasm(id, &d);
        }
        tracing::info!(component = %id, from = %previous.digest, to = %version.digest, "version swapped");
        Ok(Deployed {
            component: id.clone(),
            digest: version.digest.clone(),
            version: version.descriptor.version.clone(),
            previous_digest: previous.digest.clone(),
            compiled_from_cache: version.from_cache,
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            preinit: version.preinit,
        })
    }

    /// Kept versions of `id`, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<KeptVersion>, DeployError> {
        let entry = self.entry(id)?;
        let state = self.vault.state(id)?;
        let current = entry.current();
        Ok(state
            .history
            .iter()
            .map(|digest| {
                let loaded = entry.loaded(digest);
                KeptVersion {
                    digest: digest.clone(),
                    active: *digest == current.digest,
                    loaded: loaded.is_some(),
                    version: loaded.as_ref().map(|v| v.descriptor.version.clone()),
                    loaded_at: loaded.map(|v| v.loaded_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                }
            })
            .collect())
    }
}

/// How long to let a burst of file events settle before acting on it.
pub const WATCH_SETTLE: Duration = Duration::from_millis(300);

//! Versions of components over time: which version serves at start-up,
//! pushing a new one (validated before it may serve), rolling back,
//! following the versions other hosts made active, and `serve --watch`.
//!
//! A new version becomes current only after `Runtime::load` accepted it:
//! it compiles, its imports are within its grants, `describe()` answers
//! with the right name, and every example's output matches. Then the swap
//! is one pointer exchange in the [`Registry`]; on any failure the old
//! version keeps serving.
//!
//! **Where versions live.** The store ([`ReleaseStore`]) is the record every
//! host shares: each kept version's bytes by digest, which one is active,
//! the activation history rollback goes through, and the digest of the
//! manifest `source` last deployed. The bytes are in the database, not in
//! the blob store: the database is shared by every host of a cluster by
//! definition while the blob store may be one host's directory, a version
//! is a few MB at most (pushes are size-limited, `--keep-versions` of them
//! are kept), and the bytes and the pointer to them then change in one
//! transaction, so no host can see an active version whose bytes are not
//! there yet. `<data>/components/<id>/<digest>.wasm` (the [`vault`]) is the
//! host's cache of the versions it served: a restart or a rollback reads
//! them from disk instead of the database.
//!
//! **Push and rollback** (any host): validate here, record in the store
//! (one transaction), swap here, then tell the other hosts on the bus
//! ([`Notice::Released`]).
//!
//! **Following** ([`follow`]): a host that hears a release, or that finds
//! on its periodic check (every [`FOLLOW_EVERY`]; the bus is best effort)
//! that the store's active version is not the one it serves, reads the
//! bytes from the store and loads them through the same validation. A
//! version it cannot load (its spin.toml grants differ, say) leaves it on
//! its old version, and it says so: `/health` is `degraded` with the
//! component's drift, `GET /api/v1/components` shows why. It tries again
//! after [`RETRY_REFUSED`] (a refusal may be the moment's: an example that
//! timed out on a busy host), or at once when another version is released.
//!
//! **Start-up** ([`boot`]) combines two rules: a manifest whose `source`
//! differs from the one last deployed (by digest) is a new deployment, made
//! active for every host; otherwise the host serves the cluster's active
//! version (possibly pushed), which is how a host joining a cluster serves
//! what the others serve. A rolling upgrade thus deploys the new `source`
//! with its first host, and the others follow it before their own restart.

mod follow;
mod vault;
mod watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use follow::{follow, tap};
pub use watch::watch;

use crate::bus::{Bus, Notice};
use crate::manifest::CapabilitySpec;
use crate::runtime::{Entry, LoadError, LoadStep, Registry, Runtime, Version, digest_of};
use crate::store::{Activation, ReleaseStore, StoreError};
use vault::{Vault, VaultState};

/// How often a host compares the store's active versions with its own,
/// for the releases whose notice it missed.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(2);
/// How long a host waits before loading again a version it refused.
pub const RETRY_REFUSED: Duration = Duration::from_secs(60);

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
    /// Reading or recording versions in the database failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
    /// This host serves it.
    pub active: bool,
    /// Loaded and instantiable now (rollback to it is a pointer swap).
    pub loaded: bool,
    /// The component's own version string, when loaded.
    pub version: Option<String>,
    pub loaded_at: Option<String>,
}

/// A component this host does not serve at the version the store has
/// active: still loading it, or refused it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    pub component: String,
    /// The digest this host serves.
    pub serving: String,
    /// The digest the store (every host's record) has active.
    pub wanted: String,
    /// Why `wanted` is not served here; `null` while it is being loaded.
    pub error: Option<String>,
    /// The load step that refused it; `null` when it was not a load (the
    /// store could not be read).
    pub step: Option<LoadStep>,
    /// When it was refused.
    pub since: Option<String>,
}

/// Why this host does not serve the version the store has active.
#[derive(Debug, Clone)]
struct Refusal {
    message: String,
    step: Option<LoadStep>,
    since: chrono::DateTime<chrono::Utc>,
    /// Not tried again before this.
    retry_at: Instant,
}

impl Refusal {
    fn of_load(e: &LoadError) -> Self {
        Self::new(e.to_string(), Some(e.step), RETRY_REFUSED)
    }

    /// The store did not answer: nothing is wrong with the version, so the
    /// next check tries again.
    fn of_store(what: &str, e: &dyn std::fmt::Display) -> Self {
        Self::new(format!("{what}: {e}"), None, Duration::ZERO)
    }

    fn new(message: String, step: Option<LoadStep>, retry_in: Duration) -> Self {
        Self { message, step, since: chrono::Utc::now(), retry_at: Instant::now() + retry_in }
    }
}

/// What this host knows of one component's active version in the store.
#[derive(Debug, Clone)]
struct Following {
    /// The store's active digest, as last read.
    wanted: String,
    refusal: Option<Refusal>,
}

/// What [`boot`] chose for one component.
pub struct Booted {
    pub version: Arc<Version>,
    component: String,
    following: Following,
    /// This start deployed the manifest's `source` for every host.
    released: bool,
}

pub struct Deployer {
    runtime: Arc<Runtime>,
    registry: Arc<Registry>,
    releases: Arc<dyn ReleaseStore>,
    bus: Arc<dyn Bus>,
    vault: Vault,
    keep: usize,
    /// One deployment at a time per component, on this host (the store
    /// orders them between hosts).
    locks: HashMap<String, tokio::sync::Mutex<()>>,
    following: Mutex<HashMap<String, Following>>,
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Bytes from the host's cache, if they are there and are what their name says.
async fn cached(vault: &Vault, id: &str, digest: &str) -> Option<Vec<u8>> {
    let (vault, owned_id, owned_digest) = (vault.clone(), id.to_string(), digest.to_string());
    let wasm = tokio::task::spawn_blocking(move || vault.read_wasm(&owned_id, &owned_digest)).await.ok()?.ok()?;
    if digest_of(&wasm) == digest {
        Some(wasm)
    } else {
        tracing::warn!(component = %id, %digest, "a cached version's bytes do not match its digest; reading it from the store");
        None
    }
}

/// Keep `wasm` in the host's cache; a failure costs a read from the store
/// later, so it is logged, not returned.
async fn cache(vault: &Vault, id: &str, digest: &str, wasm: Arc<Vec<u8>>) {
    let (vault, owned_id, owned_digest) = (vault.clone(), id.to_string(), digest.to_string());
    let saved = tokio::task::spawn_blocking(move || vault.save_wasm(&owned_id, &owned_digest, &wasm)).await;
    match saved {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(component = %id, %digest, error = %e, "could not cache a version on disk"),
        Err(e) => tracing::warn!(component = %id, %digest, error = %e, "could not cache a version on disk"),
    }
}

/// The version `spec` starts with. A manifest `source` other than the one
/// last deployed (by digest) is a new deployment: it serves and becomes
/// the active version for every host. Otherwise the store's active version
/// serves (possibly pushed, possibly by another host); if it does not load
/// here, `source` serves and the host reports the drift. A failure to load
/// the version that serves is a start-up error.
pub async fn boot(
    runtime: &Runtime,
    releases: &dyn ReleaseStore,
    spec: &CapabilitySpec,
    data_dir: &std::path::Path,
    keep: usize,
) -> anyhow::Result<Booted> {
    use anyhow::Context;
    let id = spec.id.as_str();
    let keep = keep.max(1);
    let vault = Vault::new(data_dir.join("components"));
    let source = std::fs::read(&spec.source)
        .with_context(|| format!("reading `component.{id}.source` {}", spec.source.display()))?;
    let source_digest = digest_of(&source);
    let mut local = vault.state(id).unwrap_or_else(|e| {
        tracing::warn!(component = %id, error = %e, "ignoring unreadable version cache index");
        VaultState::default()
    });
    let reading = || format!("reading the versions of `{id}` from the store");
    let mut recorded = releases.releases(id).await.with_context(reading)?;
    if recorded.history.is_empty() && !local.history.is_empty() {
        adopt(releases, &vault, id, &local, keep).await.with_context(|| format!("recording the versions of `{id}`"))?;
        recorded = releases.releases(id).await.with_context(reading)?;
    }

    let new_deployment = recorded.manifest_digest.as_deref() != Some(source_digest.as_str());
    let active = recorded.active().map(str::to_string);
    let mut refusal = None;
    let mut served = None;
    match active.as_deref() {
        Some(wanted) if !new_deployment && wanted != source_digest => {
            let wasm = match cached(&vault, id, wanted).await {
                Some(w) => Ok(Some(w)),
                None => releases.wasm(id, wanted).await,
            };
            match wasm {
                Ok(Some(wasm)) => {
                    let wasm = Arc::new(wasm);
                    match runtime.load(spec, wasm.clone(), wanted.to_string()).await {
                        Ok(version) => {
                            tracing::info!(component = %id, digest = %wanted, "serving the active version (spin.toml's source is unchanged)");
                            cache(&vault, id, wanted, wasm).await;
                            served = Some(version);
                        }
                        Err(e) => {
                            tracing::warn!(component = %id, digest = %wanted, error = %e, "the active version does not load here; serving spin.toml's source");
                            refusal = Some(Refusal::of_load(&e));
                        }
                    }
                }
                Ok(None) => {
                    tracing::warn!(component = %id, digest = %wanted, "the active version's bytes are missing from the store; serving spin.toml's source");
                    refusal = Some(Refusal::new(
                        "the active version's bytes are missing from the store: push it again, or roll back".into(),
                        None,
                        RETRY_REFUSED,
                    ));
                }
                Err(e) => return Err(e).with_context(reading),
            }
        }
        _ => {}
    }
    let version = match served {
        Some(v) => v,
        None => {
            let source = Arc::new(source);
            let version = runtime.load(spec, source.clone(), source_digest.clone()).await?;
            cache(&vault, id, &source_digest, source.clone()).await;
            if new_deployment {
                let activation = Activation {
                    component: id,
                    digest: &source_digest,
                    wasm: Some(&source),
                    from_manifest: true,
                    keep,
                    now: crate::jobs::now_ms(),
                };
                releases.activate(activation).await.with_context(|| format!("recording `{id}`'s new source"))?;
                if let Some(previous) = active.as_deref().filter(|d| *d != source_digest) {
                    tracing::info!(component = %id, from = %previous, to = %source_digest, "spin.toml's source changed: a new deployment for every host");
                }
            }
            version
        }
    };

    local.manifest_digest = Some(source_digest.clone());
    for dropped in local.activate(&version.digest, keep) {
        vault.remove_wasm(id, &dropped);
    }
    if let Err(e) = vault.save_state(id, &local) {
        tracing::warn!(component = %id, error = %e, "could not write the version cache index");
    }
    let wanted = if new_deployment { source_digest } else { active.unwrap_or(source_digest) };
    Ok(Booted {
        version,
        component: id.to_string(),
        following: Following { wanted, refusal },
        released: new_deployment,
    })
}

/// A store that has never seen `id`, on a host that kept its history on
/// disk only (before versions were shared): record that history, so the
/// version pushed before the upgrade still serves after it.
async fn adopt(
    releases: &dyn ReleaseStore,
    vault: &Vault,
    id: &str,
    local: &VaultState,
    keep: usize,
) -> Result<(), StoreError> {
    for digest in &local.history {
        let Some(wasm) = cached(vault, id, digest).await else { continue };
        let from_manifest = local.manifest_digest.as_deref() == Some(digest.as_str());
        let activation =
            Activation { component: id, digest, wasm: Some(&wasm), from_manifest, keep, now: crate::jobs::now_ms() };
        releases.activate(activation).await?;
    }
    Ok(())
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
    /// `booted`: what [`boot`] chose for each component of `registry`;
    /// the deployments it made are announced to the other hosts.
    pub fn new(
        runtime: Arc<Runtime>,
        registry: Arc<Registry>,
        releases: Arc<dyn ReleaseStore>,
        bus: Arc<dyn Bus>,
        data_dir: &std::path::Path,
        keep: usize,
        booted: Vec<Booted>,
    ) -> Self {
        let locks = registry.iter().map(|e| (e.spec.id.clone(), tokio::sync::Mutex::new(()))).collect();
        let mut following = HashMap::new();
        for b in booted {
            if b.released {
                bus.broadcast(Notice::Released { component: b.component.clone(), digest: b.version.digest.clone() });
            }
            following.insert(b.component, b.following);
        }
        Self {
            runtime,
            registry,
            releases,
            bus,
            vault: Vault::new(data_dir.join("components")),
            keep: keep.max(1),
            locks,
            following: Mutex::new(following),
        }
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    fn entry(&self, id: &str) -> Result<&Arc<Entry>, DeployError> {
        self.registry.by_id(id).ok_or_else(|| DeployError::UnknownComponent(id.to_string()))
    }

    async fn lock(&self, id: &str) -> Result<tokio::sync::MutexGuard<'_, ()>, DeployError> {
        match self.locks.get(id) {
            Some(lock) => Ok(lock.lock().await),
            None => Err(DeployError::UnknownComponent(id.to_string())),
        }
    }

    /// Validate `wasm` as a new version of `id` and make it current on
    /// every host.
    pub async fn push(&self, id: &str, wasm: Vec<u8>) -> Result<Deployed, DeployError> {
        let started = Instant::now();
        let entry = self.entry(id)?;
        let _one_at_a_time = self.lock(id).await?;
        let digest = digest_of(&wasm);
        let current = entry.current();
        if current.digest == digest && self.releases.releases(id).await?.active() == Some(digest.as_str()) {
            return Ok(Deployed::unchanged(id, &current, started));
        }
        // Validated from memory: bytes are recorded (and cached on disk)
        // only for a version about to become active, so a refusal leaves nothing.
        let wasm = Arc::new(wasm);
        let version = match entry.loaded(&digest) {
            Some(v) => v,
            None => self.runtime.load(&entry.spec, wasm.clone(), digest.clone()).await?,
        };
        self.record(id, &digest, Some(&wasm)).await?;
        cache(&self.vault, id, &digest, wasm).await;
        Ok(self.release(entry, version, started))
    }

    /// Make the previous version (or the kept version `to`) current again,
    /// on every host.
    pub async fn rollback(&self, id: &str, to: Option<&str>) -> Result<Deployed, DeployError> {
        let started = Instant::now();
        let entry = self.entry(id)?;
        let _one_at_a_time = self.lock(id).await?;
        let recorded = self.releases.releases(id).await?;
        let digest = match to {
            Some(d) => {
                let d = if d.starts_with("sha256:") { d.to_string() } else { format!("sha256:{d}") };
                if !recorded.history.contains(&d) {
                    return Err(DeployError::VersionNotFound { id: id.into(), digest: d });
                }
                d
            }
            None => recorded.previous().ok_or_else(|| DeployError::NoPrevious(id.into()))?.to_string(),
        };
        let not_found = || DeployError::VersionNotFound { id: id.into(), digest: digest.clone() };
        let version = match entry.loaded(&digest) {
            Some(v) => v,
            None => {
                let wasm = self.fetch(id, &digest).await?.ok_or_else(not_found)?;
                self.runtime.load(&entry.spec, wasm, digest.clone()).await?
            }
        };
        // Another host's activation may have dropped it meanwhile.
        self.record(id, &digest, None).await?.ok_or_else(not_found)?;
        Ok(self.release(entry, version, started))
    }

    /// Record `digest` as the active version of `id` in the store.
    async fn record(
        &self,
        id: &str,
        digest: &str,
        wasm: Option<&[u8]>,
    ) -> Result<Option<crate::store::Activated>, DeployError> {
        let activation = Activation {
            component: id,
            digest,
            wasm,
            from_manifest: false,
            keep: self.keep,
            now: crate::jobs::now_ms(),
        };
        Ok(self.releases.activate(activation).await?)
    }

    /// A version's bytes: from this host's cache, else from the store (then cached).
    async fn fetch(&self, id: &str, digest: &str) -> Result<Option<Arc<Vec<u8>>>, StoreError> {
        if let Some(wasm) = cached(&self.vault, id, digest).await {
            return Ok(Some(Arc::new(wasm)));
        }
        let Some(wasm) = self.releases.wasm(id, digest).await? else { return Ok(None) };
        let wasm = Arc::new(wasm);
        cache(&self.vault, id, digest, wasm.clone()).await;
        Ok(Some(wasm))
    }

    /// Swap in a version this host recorded as active, and tell the others.
    fn release(&self, entry: &Entry, version: Arc<Version>, started: Instant) -> Deployed {
        let previous = self.swap(entry, version.clone());
        let id = &entry.spec.id;
        self.bus.broadcast(Notice::Released { component: id.clone(), digest: version.digest.clone() });
        tracing::info!(component = %id, from = %previous.digest, to = %version.digest, "version swapped on every host");
        Deployed {
            component: id.clone(),
            digest: version.digest.clone(),
            version: version.descriptor.version.clone(),
            previous_digest: previous.digest.clone(),
            compiled_from_cache: version.from_cache,
            took_ms: started.elapsed().as_secs_f64() * 1e3,
            preinit: version.preinit,
        }
    }

    /// Serve `version` here; it is what the store has active.
    fn swap(&self, entry: &Entry, version: Arc<Version>) -> Arc<Version> {
        let id = &entry.spec.id;
        let previous = entry.activate(version.clone());
        self.following_mut().insert(id.clone(), Following { wanted: version.digest.clone(), refusal: None });
        // The disk cache keeps the versions this host served last.
        match self.vault.state(id) {
            Ok(mut state) => {
                for dropped in state.activate(&version.digest, self.keep) {
                    self.vault.remove_wasm(id, &dropped);
                }
                if let Err(e) = self.vault.save_state(id, &state) {
                    tracing::warn!(component = %id, error = %e, "could not write the version cache index");
                }
            }
            Err(e) => tracing::warn!(component = %id, error = %e, "could not read the version cache index"),
        }
        previous
    }

    fn following_mut(&self) -> std::sync::MutexGuard<'_, HashMap<String, Following>> {
        // A panic while holding it leaves a map that is still whole.
        self.following.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Kept versions of `id`, oldest first (the store's history: the same
    /// on every host).
    pub async fn versions(&self, id: &str) -> Result<Vec<KeptVersion>, DeployError> {
        let entry = self.entry(id)?;
        let recorded = self.releases.releases(id).await?;
        let current = entry.current();
        Ok(recorded
            .history
            .iter()
            .map(|digest| {
                let loaded = entry.loaded(digest);
                KeptVersion {
                    digest: digest.clone(),
                    active: *digest == current.digest,
                    loaded: loaded.is_some(),
                    version: loaded.as_ref().map(|v| v.descriptor.version.clone()),
                    loaded_at: loaded.map(|v| rfc3339(v.loaded_at)),
                }
            })
            .collect())
    }

    /// The components this host does not serve at the store's active
    /// version, as last checked.
    pub fn drift(&self) -> Vec<Drift> {
        self.registry.iter().filter_map(|e| self.drift_of(&e.spec.id)).collect()
    }

    /// `id`'s drift, `None` when it serves the store's active version.
    pub fn drift_of(&self, id: &str) -> Option<Drift> {
        let serving = self.registry.by_id(id)?.current().digest.clone();
        let following = self.following_mut().get(id)?.clone();
        if following.wanted == serving {
            return None;
        }
        let refusal = following.refusal.as_ref();
        Some(Drift {
            component: id.to_string(),
            serving,
            wanted: following.wanted,
            error: refusal.map(|r| r.message.clone()),
            step: refusal.and_then(|r| r.step),
            since: refusal.map(|r| rfc3339(r.since)),
        })
    }

    /// Note the store's active version of `id`; a different one than last
    /// seen is a new release, so an old refusal no longer holds.
    fn wanted(&self, id: &str, digest: &str) {
        let mut following = self.following_mut();
        match following.get_mut(id) {
            Some(f) if f.wanted == digest => {}
            Some(f) => *f = Following { wanted: digest.to_string(), refusal: None },
            None => {
                following.insert(id.to_string(), Following { wanted: digest.to_string(), refusal: None });
            }
        }
    }

    fn refuse(&self, id: &str, wanted: &str, refusal: Refusal) {
        self.following_mut().insert(id.to_string(), Following { wanted: wanted.to_string(), refusal: Some(refusal) });
    }

    /// Whether `id` may be loaded again: not refused, or its retry is due.
    fn due(&self, id: &str) -> bool {
        match self.following_mut().get(id).and_then(|f| f.refusal.as_ref()) {
            Some(r) => Instant::now() >= r.retry_at,
            None => true,
        }
    }

    /// Serve the store's active version of `id`, if this host does not
    /// already: the same validation as a push, with the bytes from the
    /// store. A version that does not load here leaves the old one serving
    /// and is reported as drift.
    pub(crate) async fn follow_one(&self, id: &str) {
        let Some(entry) = self.registry.by_id(id) else { return };
        let Some(lock) = self.locks.get(id) else { return };
        let _one_at_a_time = lock.lock().await;
        // Read under the lock: a check that read the store before a push
        // here recorded a newer version must not go back to the older one.
        let wanted = match self.releases.releases(id).await {
            Ok(recorded) => match recorded.active() {
                Some(d) => d.to_string(),
                None => return,
            },
            Err(e) => {
                tracing::warn!(component = %id, error = %e, "could not read the active version from the store");
                return;
            }
        };
        self.wanted(id, &wanted);
        if entry.current().digest == wanted || !self.due(id) {
            return;
        }
        let version = match entry.loaded(&wanted) {
            Some(v) => v,
            None => {
                let wasm = match self.fetch(id, &wanted).await {
                    Ok(Some(w)) => w,
                    // Dropped by a later activation: the next check follows that one.
                    Ok(None) => return,
                    Err(e) => {
                        let refusal = Refusal::of_store("the version's bytes could not be read from the store", &e);
                        tracing::warn!(component = %id, digest = %wanted, error = %e, "could not read a released version; trying again at the next check");
                        return self.refuse(id, &wanted, refusal);
                    }
                };
                match self.runtime.load(&entry.spec, wasm, wanted.clone()).await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(
                            component = %id,
                            digest = %wanted,
                            serving = %entry.current().digest,
                            error = %e,
                            "another host released a version that does not load here; the old version keeps serving"
                        );
                        return self.refuse(id, &wanted, Refusal::of_load(&e));
                    }
                }
            }
        };
        let previous = self.swap(entry, version);
        tracing::info!(component = %id, from = %previous.digest, to = %wanted, "following the version released by another host");
    }

    /// Compare the store's active versions with what this host serves, and
    /// follow those that differ (and are due).
    pub(crate) async fn check(&self) {
        let active = match self.releases.active_all().await {
            Ok(a) => a,
            Err(e) => return tracing::debug!(error = %e, "could not read the active versions from the store"),
        };
        for (id, digest) in active {
            let Some(entry) = self.registry.by_id(&id) else { continue };
            self.wanted(&id, &digest);
            if entry.current().digest != digest && self.due(&id) {
                self.follow_one(&id).await;
            }
        }
    }
}

/// How long to let a burst of file events settle before acting on it.
pub const WATCH_SETTLE: Duration = Duration::from_millis(300);

//! The wasmtime side: one Engine, compiled and validated component versions,
//! and running one job attempt in a fresh, limited Store.
//!
//! Public surface: [`Runtime`] (load a version, run a job), [`Version`] (a
//! loaded component), [`Registry`] (the current version per capability),
//! [`JobHooks`] (what a running job reports), [`Failure`].

pub(crate) mod bindings;
mod blob_access;
mod config;
mod descriptor;
mod engine;
mod outbound;
mod preinit;
mod registry;
mod sandbox;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store, UpdateDeadline};

pub use bindings::capsule::worker::types::Level;
pub use blob_access::BlobAccess;
pub use config::VariableValues;
pub use descriptor::{Descriptor, Example, match_expected};
pub use engine::PoolSizing;
pub use preinit::PreinitReport;
pub use registry::{Entry, Registry};

use crate::blobs::Blobs;
use crate::engines::{Engines, JobScope, Owner};
use crate::manifest::{CapabilitySpec, OutboundHost};
use bindings::CapabilityPre;
pub(crate) use sandbox::JobState;

/// Host-side grace beyond a job's timeout before a guest that is blocked in
/// a host call (not running wasm, so not seeing epoch ticks) is dropped.
const HOST_CALL_GRACE: Duration = Duration::from_millis(50);

/// Why a job attempt failed, host-side twin of the WIT `failure` record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), retryable: false }
    }
}

impl From<bindings::capsule::worker::types::Failure> for Failure {
    fn from(f: bindings::capsule::worker::types::Failure) -> Self {
        Self { code: f.code, message: f.message, retryable: f.retryable }
    }
}

/// What a running job reports to the rest of the host.
pub trait JobHooks: Send + Sync {
    fn progress(&self, percent: u8, step: &str, message: &str);
    fn emit(&self, chunk: &str);
    fn log(&self, level: Level, message: &str);
    /// A piece of a model's answer, streamed as it is generated.
    fn token(&self, _text: &str) {}
    /// One model call's tokens, recorded on the job.
    fn usage(&self, _usage: crate::store::LlmUsage) {}
}

/// Hooks that drop everything: descriptor calls and self-tests.
struct SilentHooks;

impl JobHooks for SilentHooks {
    fn progress(&self, _: u8, _: &str, _: &str) {}
    fn emit(&self, _: &str) {}
    fn log(&self, _: Level, _: &str) {}
}

/// One attempt of one job, as handed to [`Runtime::run`].
pub struct JobRun {
    pub id: String,
    pub capability: String,
    pub attempt: u32,
    pub input: String,
    /// Whose job it is: the component reads and writes only this tenant's files.
    pub tenant: Option<String>,
}

/// The step at which loading a component version failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadStep {
    /// The component's configuration keys could not be resolved.
    Variables,
    Compile,
    Preinit,
    Imports,
    Instantiate,
    Describe,
    Descriptor,
    Example,
}

#[derive(Debug, thiserror::Error)]
#[error("component `{component}` failed at {step:?}: {message}")]
pub struct LoadError {
    pub component: String,
    pub step: LoadStep,
    pub message: String,
}

/// A compiled, validated version of a component.
pub struct Version {
    pub capability: String,
    /// `sha256:<hex>` of the `.wasm` bytes.
    pub digest: String,
    pub descriptor: Descriptor,
    pub loaded_at: chrono::DateTime<chrono::Utc>,
    /// True when the compiled artifact came from the on-disk cache.
    pub from_cache: bool,
    /// Set when jobs start from a snapshot taken after the component's
    /// warm-up; `None` for a component without the init export.
    pub preinit: Option<PreinitReport>,
    input_validator: jsonschema::Validator,
    output_validator: jsonschema::Validator,
    pre: CapabilityPre<JobState>,
    timeout: Duration,
    memory: u64,
    grants: Vec<OutboundHost>,
    ai_models: Arc<std::collections::BTreeSet<String>>,
    /// The store labels its `key_value_stores` grants.
    key_value_stores: Arc<std::collections::BTreeSet<String>>,
    /// What its jobs read through `wasi:config/store`.
    config: Arc<wasmtime_wasi_config::WasiConfigVariables>,
}

impl Version {
    /// Check a job input against the descriptor's input schema; the error
    /// names the offending field.
    pub fn validate_input(&self, input: &serde_json::Value) -> Result<(), String> {
        match self.input_validator.iter_errors(input).next() {
            None => Ok(()),
            Some(e) => {
                let path = e.instance_path().to_string();
                let at = if path.is_empty() { "the request body".to_string() } else { format!("field `{path}`") };
                Err(format!("{at}: {e}"))
            }
        }
    }

    /// A component's output must be JSON fitting its own output schema;
    /// anything else fails the job rather than reaching a client.
    pub fn check_output(&self, output: &str) -> Result<serde_json::Value, Failure> {
        let invalid = |m: String| Failure::new("COMPONENT_OUTPUT_INVALID", m);
        let value: serde_json::Value = serde_json::from_str(output)
            .map_err(|e| invalid(format!("the component returned output that is not JSON: {e}")))?;
        if let Some(e) = self.output_validator.iter_errors(&value).next() {
            return Err(invalid(format!(
                "the component's output does not fit its output schema at `{}`: {e}",
                e.instance_path()
            )));
        }
        Ok(value)
    }
}

pub struct Runtime {
    engine: Engine,
    linker: Linker<JobState>,
    cache: engine::CompileCache,
    blobs: Blobs,
    engines: Arc<Engines>,
    variables: VariableValues,
    _ticker: engine::EpochTicker,
}

impl Runtime {
    pub fn new(
        sizing: &PoolSizing,
        cache_dir: std::path::PathBuf,
        blobs: Blobs,
        engines: Arc<Engines>,
        variables: VariableValues,
    ) -> anyhow::Result<Self> {
        let engine = engine::build_engine(sizing)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        bindings::link_contract(&mut linker)?;
        // Linked for every component; only one granted hosts may import it.
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        Engines::link(&mut linker)?;
        config::link(&mut linker)?;
        let cache = engine::CompileCache::new(cache_dir, &engine)?;
        let ticker = engine::EpochTicker::start(engine.clone());
        Ok(Self { engine, linker, cache, blobs, engines, variables, _ticker: ticker })
    }

    /// Compile (or load from cache), pre-initialize when the component has
    /// a warm-up, check grants, describe, and run the component's examples.
    /// Only a version that passes every step is returned.
    /// `digest` is [`digest_of`] the bytes: callers need it first anyway.
    /// The compiled artifact is cached only then: a refused version leaves nothing.
    pub async fn load(
        &self,
        spec: &CapabilitySpec,
        wasm: impl Into<Arc<Vec<u8>>>,
        digest: String,
    ) -> Result<Arc<Version>, LoadError> {
        self.load_with(spec, wasm.into(), digest, true).await
    }

    /// [`Self::load`] without pre-initialization even when the component
    /// has a warm-up: what `capsule bench --component` compares against.
    pub async fn load_as_is(
        &self,
        spec: &CapabilitySpec,
        wasm: impl Into<Arc<Vec<u8>>>,
        digest: String,
    ) -> Result<Arc<Version>, LoadError> {
        self.load_with(spec, wasm.into(), digest, false).await
    }

    async fn load_with(
        &self,
        spec: &CapabilitySpec,
        wasm: Arc<Vec<u8>>,
        digest: String,
        allow_preinit: bool,
    ) -> Result<Arc<Version>, LoadError> {
        let fail = |step, message: String| LoadError { component: spec.id.clone(), step, message };
        let config = self.variables.resolve(spec).map_err(|m| fail(LoadStep::Variables, m))?;
        let cache_key = digest.trim_start_matches("sha256:").to_string();
        let warm = allow_preinit && preinit::exports_init(&wasm);
        let compiled = match self.cache.cached(&self.engine, &cache_key, warm).await {
            Some(component) => Compiled { component, from_cache: true, preinit: warm.then(PreinitReport::cached) },
            None => self.compile(spec, wasm, warm).await?,
        };
        let Compiled { component, from_cache, preinit } = compiled;
        check_imports(&self.engine, &component, spec).map_err(|m| fail(LoadStep::Imports, m))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(CapabilityPre::new)
            .map_err(|e| fail(LoadStep::Instantiate, format!("{e:#}")))?;

        let raw = self.describe(&pre, spec).await.map_err(|m| fail(LoadStep::Describe, m))?;
        let descriptor = Descriptor::from_wit(raw).map_err(|m| fail(LoadStep::Descriptor, m))?;
        if descriptor.name != spec.id {
            return Err(fail(
                LoadStep::Descriptor,
                format!("describe() says its name is `{}`, but spin.toml serves it as `{}`", descriptor.name, spec.id),
            ));
        }
        let input_validator = jsonschema::validator_for(&descriptor.input_schema)
            .map_err(|e| fail(LoadStep::Descriptor, format!("the input schema is not a valid JSON Schema: {e}")))?;
        let output_validator = jsonschema::validator_for(&descriptor.output_schema)
            .map_err(|e| fail(LoadStep::Descriptor, format!("the output schema is not a valid JSON Schema: {e}")))?;

        let version = Version {
            capability: spec.id.clone(),
            digest,
            descriptor,
            loaded_at: chrono::Utc::now(),
            from_cache,
            preinit,
            input_validator,
            output_validator,
            pre,
            timeout: spec.timeout,
            memory: spec.memory,
            grants: spec.allowed_outbound_hosts.clone(),
            ai_models: Arc::new(spec.ai_models.clone()),
            key_value_stores: Arc::new(spec.key_value_stores.clone()),
            config: config::store_of(&config),
        };
        for example in &version.descriptor.examples {
            self.check_example(&version, example).await.map_err(|m| fail(LoadStep::Example, m))?;
        }
        if !from_cache {
            self.cache.store(&cache_key, warm, &component);
        }
        Ok(Arc::new(version))
    }

    /// Compile `wasm`, or, when `warm`, the snapshot taken after its
    /// warm-up ran once with the component's own limits.
    async fn compile(&self, spec: &CapabilitySpec, wasm: Arc<Vec<u8>>, warm: bool) -> Result<Compiled, LoadError> {
        let fail = |step, message: String| LoadError { component: spec.id.clone(), step, message };
        if !warm {
            let component =
                self.cache.compile(&self.engine, wasm).await.map_err(|e| fail(LoadStep::Compile, format!("{e:#}")))?;
            return Ok(Compiled { component, from_cache: false, preinit: None });
        }
        let started = Instant::now();
        // The warm-up has the job's timeout; reading its state back for the
        // snapshot gets a second on top, so a warm-up that used all of its
        // time does not fail in the snapshot.
        let slack = Duration::from_secs(1);
        let new_store =
            || self.store(spec.memory, spec.timeout + slack, None, Grants::none(), self.validation_scope(spec));
        let (snapshot, warm_took) = preinit::snapshot(
            &self.engine,
            |c| check_imports(&self.engine, c, spec),
            new_store,
            spec.timeout + slack + HOST_CALL_GRACE,
            &wasm,
        )
        .await
        .map_err(|e| fail(e.step, e.message))?;
        let component = self
            .cache
            .compile(&self.engine, Arc::new(snapshot))
            .await
            .map_err(|e| fail(LoadStep::Preinit, format!("compiling the snapshot failed: {e:#}")))?;
        let report = PreinitReport {
            took_ms: Some(started.elapsed().as_secs_f64() * 1e3),
            warm_ms: Some(warm_took.as_secs_f64() * 1e3),
        };
        tracing::info!(component = %spec.id, took_ms = report.took_ms, warm_ms = report.warm_ms, "pre-initialized");
        Ok(Compiled { component, from_cache: false, preinit: Some(report) })
    }

    async fn describe(
        &self,
        pre: &CapabilityPre<JobState>,
        spec: &CapabilitySpec,
    ) -> Result<bindings::Descriptor, String> {
        let grants = Grants { outbound: spec.allowed_outbound_hosts.clone(), config: Default::default() };
        let mut store = self.store(spec.memory, spec.timeout, None, grants, self.validation_scope(spec));
        let call = async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance.capsule_worker_worker().call_describe(&mut store).await
        };
        match tokio::time::timeout(spec.timeout + HOST_CALL_GRACE, call).await {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(e)) => Err(format!("describe() failed: {e:#}")),
            Err(_) => Err(format!("describe() did not answer within {}", humantime::format_duration(spec.timeout))),
        }
    }

    async fn check_example(&self, version: &Version, example: &Example) -> Result<(), String> {
        let name = &example.name;
        version.validate_input(&example.input).map_err(|e| format!("example `{name}`: its input is invalid: {e}"))?;
        let run = JobRun {
            id: format!("example-{name}"),
            capability: version.capability.clone(),
            attempt: 1,
            input: example.input.to_string(),
            tenant: None,
        };
        let output = self
            .run_with(
                version,
                run,
                Arc::new(SilentHooks),
                CancellationToken::new(),
                None,
                Owner::Examples(version.capability.clone()),
            )
            .await
            .map_err(|f| format!("example `{name}` failed: {}: {}", f.code, f.message))?;
        let output = version.check_output(&output).map_err(|f| format!("example `{name}`: {}", f.message))?;
        match_expected(&example.expect, &output).map_err(|m| format!("example `{name}`: {m}"))
    }

    /// Run one attempt in a fresh Store with the version's limits.
    pub async fn run(
        &self,
        version: &Version,
        job: JobRun,
        hooks: Arc<dyn JobHooks>,
        cancel: CancellationToken,
    ) -> Result<String, Failure> {
        let access = BlobAccess::new(self.blobs.clone(), version.grants.clone(), job.tenant.clone());
        let owner = Owner::of(job.tenant.as_deref());
        self.run_with(version, job, hooks, cancel, Some(access), owner).await
    }

    async fn run_with(
        &self,
        version: &Version,
        job: JobRun,
        hooks: Arc<dyn JobHooks>,
        cancel: CancellationToken,
        blobs: Option<BlobAccess>,
        owner: Owner,
    ) -> Result<String, Failure> {
        let scope = JobScope {
            job_id: job.id.clone(),
            capability: job.capability.clone(),
            owner,
            ai_models: version.ai_models.clone(),
            key_value_stores: version.key_value_stores.clone(),
            hooks,
            cancel: cancel.clone(),
        };
        let grants = Grants { outbound: version.grants.clone(), config: version.config.clone() };
        let mut store = self.store(version.memory, version.timeout, blobs, grants, scope);
        let wit_job = bindings::Job { id: job.id, capability: job.capability, attempt: job.attempt, input: job.input };
        let outcome = {
            let call = async {
                let instance = version.pre.instantiate_async(&mut store).await?;
                instance.capsule_worker_worker().call_run(&mut store, &wit_job).await
            };
            tokio::select! {
                biased;
                r = call => Ok(r),
                _ = tokio::time::sleep(version.timeout + HOST_CALL_GRACE) => Err(Interrupt::Timeout),
                _ = cancel.cancelled() => Err(Interrupt::Cancelled),
            }
        };
        match outcome {
            Ok(Ok(Ok(output))) => Ok(output),
            Ok(Ok(Err(failure))) => Err(failure.into()),
            Ok(Err(error)) => Err(classify_error(&error, &store, version)),
            Err(interrupt) => Err(interrupt.failure(version)),
        }
    }

    /// What engines see of a call made while a version is being loaded
    /// (warm-up, describe): no job, no tenant, nobody listening.
    fn validation_scope(&self, spec: &CapabilitySpec) -> JobScope {
        JobScope {
            job_id: "load".into(),
            capability: spec.id.clone(),
            owner: Owner::Examples(spec.id.clone()),
            ai_models: Arc::new(spec.ai_models.clone()),
            key_value_stores: Arc::new(spec.key_value_stores.clone()),
            hooks: Arc::new(SilentHooks),
            cancel: CancellationToken::new(),
        }
    }

    fn store(
        &self,
        memory: u64,
        timeout: Duration,
        blobs: Option<BlobAccess>,
        grants: Grants,
        scope: JobScope,
    ) -> Store<JobState> {
        let cancel = scope.cancel.clone();
        let state = JobState::new(memory, blobs, grants, self.engines.clone(), scope);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        let deadline = Instant::now() + timeout;
        // Every tick, a running guest checks in: cancelled or past its
        // deadline → trap; otherwise yield so other jobs share the worker.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if cancel.is_cancelled() {
                return Err(Interrupt::Cancelled.into());
            }
            if Instant::now() >= deadline {
                return Err(Interrupt::Timeout.into());
            }
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }
}

/// What a job may reach beyond its own memory, besides the engines: the
/// hosts it may send HTTP requests to and its configuration keys. Describing
/// and warming up a component get no configuration: neither may depend on it.
pub(crate) struct Grants {
    pub outbound: Vec<OutboundHost>,
    pub config: Arc<wasmtime_wasi_config::WasiConfigVariables>,
}

impl Grants {
    fn none() -> Self {
        Self { outbound: vec![], config: Default::default() }
    }
}

/// A compiled component and how it was obtained.
struct Compiled {
    component: Component,
    from_cache: bool,
    preinit: Option<PreinitReport>,
}

/// The identity of a component version: `sha256:<hex>` of its bytes.
pub fn digest_of(wasm: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(wasm)))
}

/// Why the host stopped a guest.
#[derive(Debug, Clone, Copy, thiserror::Error)]
enum Interrupt {
    #[error("the job's deadline passed")]
    Timeout,
    #[error("the job was cancelled")]
    Cancelled,
}

impl Interrupt {
    fn failure(self, version: &Version) -> Failure {
        match self {
            Interrupt::Timeout => Failure::new(
                "JOB_TIMEOUT",
                format!(
                    "the job ran longer than its {} limit and was stopped",
                    humantime::format_duration(version.timeout)
                ),
            ),
            Interrupt::Cancelled => Failure::new("JOB_CANCELLED", "the job was cancelled"),
        }
    }
}

/// What ended a guest call that returned an error, read from its Store;
/// shared by jobs ([`classify_error`]) and warm-ups (preinit.rs).
enum Stopped {
    Interrupted(Interrupt),
    OutOfMemory,
    /// A trap, with what the guest said before it (a panic's message).
    Crashed(String),
    /// Not the guest's doing: the host failed to run it.
    Host,
}

fn why_stopped(error: &wasmtime::Error, store: &Store<JobState>) -> Stopped {
    if let Some(interrupt) = error.downcast_ref::<Interrupt>() {
        return Stopped::Interrupted(*interrupt);
    }
    if store.data().limiter.exceeded {
        return Stopped::OutOfMemory;
    }
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => Stopped::Crashed(store.data().crash_message().unwrap_or_else(|| trap.to_string())),
        None => Stopped::Host,
    }
}

fn classify_error(error: &wasmtime::Error, store: &Store<JobState>, version: &Version) -> Failure {
    match why_stopped(error, store) {
        Stopped::Interrupted(interrupt) => interrupt.failure(version),
        Stopped::OutOfMemory => Failure::new(
            "JOB_MEMORY_EXCEEDED",
            format!(
                "the job needed more than its {} memory limit and was stopped",
                bytesize::ByteSize(version.memory).display().iec()
            ),
        ),
        Stopped::Crashed(detail) => Failure::new("JOB_TRAPPED", format!("the component crashed: {detail}")),
        Stopped::Host => {
            tracing::warn!(error = %format!("{error:#}"), capability = %version.capability, "job could not run");
            Failure {
                code: "JOB_HOST_ERROR".into(),
                message: "the host could not run the job; it will be retried".into(),
                retryable: true,
            }
        }
    }
}

/// Imports a component may have: the WASI interfaces the host links (given
/// no authority: no preopens, no environment, and every socket operation
/// denied at run time — toolchains such as componentize-py import the socket
/// interfaces whether or not the code uses them), our own contract, and the
/// engines `spin.toml` grants it (`engines`, and `key_value_stores` for
/// `wasi:keyvalue/store`). Anything else, such as `wasi:http`, is refused by
/// name; an engine without a grant is refused naming the grant.
fn check_imports(engine: &Engine, component: &Component, spec: &CapabilitySpec) -> Result<(), String> {
    const HTTP_CLIENT: &[&str] = &["wasi:http/outgoing-handler@0.2.", "wasi:http/types@0.2."];
    const WASI_ALLOWED: &[&str] = &[
        "wasi:cli/",
        "wasi:io/",
        "wasi:clocks/",
        "wasi:random/",
        "wasi:filesystem/",
        "wasi:sockets/",
        "wasi:config/store@0.2.0-rc.",
    ];
    const OURS: &[&str] =
        &["capsule:worker/types@0.1.", "capsule:worker/job-context@0.1.", "capsule:worker/blobs@0.1."];
    let imports: Vec<String> = component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
    let engine_of = |name: &str| {
        crate::manifest::ENGINES.iter().copied().find(|e| name.starts_with(&format!("capsule:worker/{e}@0.1.")))
    };
    let keyvalue = |name: &str| name == crate::engines::keyvalue::IMPORT;
    if spec.key_value_stores.is_empty() && imports.iter().any(|name| keyvalue(name)) {
        return Err(format!(
            "component `{}` uses the host's key-value stores (`{}`) but spin.toml grants it none: add `{} = [\"default\"]` under [component.{}]",
            spec.id,
            crate::engines::keyvalue::IMPORT,
            crate::engines::keyvalue::GRANT_KEY,
            spec.id
        ));
    }
    let ungranted: Vec<&str> =
        imports.iter().filter_map(|name| engine_of(name)).filter(|e| !spec.engines.contains(*e)).collect();
    if !ungranted.is_empty() {
        let list = ungranted.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(", ");
        let what = match ungranted.as_slice() {
            [one] => format!("the host's {one} engine"),
            many => format!("the host's {} engines", many.join(", ")),
        };
        return Err(format!(
            "component `{}` uses {what} but spin.toml does not grant it: add `engines = [{list}]` under [component.{}]",
            spec.id, spec.id
        ));
    }
    let refused: Vec<&String> = imports
        .iter()
        .filter(|name| {
            engine_of(name).is_none()
                && !keyvalue(name)
                && !WASI_ALLOWED.iter().chain(OURS).any(|p| name.starts_with(p))
        })
        // Outgoing HTTP is linked for components granted hosts to reach;
        // every request is checked against those hosts when it is sent.
        .filter(|name| spec.allowed_outbound_hosts.is_empty() || !HTTP_CLIENT.iter().any(|p| name.starts_with(p)))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    let network = refused.iter().any(|n| n.starts_with("wasi:http/"));
    let why = match (network, spec.allowed_outbound_hosts.is_empty()) {
        (true, true) => {
            "outgoing HTTP needs hosts to reach: spin.toml grants this component no `allowed_outbound_hosts`; or read remote files through `blobs.read`"
        }
        (true, false) => "of `wasi:http`, only outgoing requests (`outgoing-handler` and `types`) are provided",
        (false, _) => "the host provides no such interface",
    };
    let names: Vec<String> = refused.iter().map(|n| format!("`{n}`")).collect();
    Err(format!("component `{}` imports {} ({why})", spec.id, names.join(", ")))
}

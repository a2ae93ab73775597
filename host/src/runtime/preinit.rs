//! Pre-initialization: run a component's warm-up once per version and start
//! every job from a snapshot of the memory it built.
//!
//! A job gets a fresh instance (isolation), so anything a component builds
//! lazily — a regex set, a dictionary — would be built again by every job.
//! When a component exports [`INIT_EXPORT`] (the SDK's `Capability::warm`),
//! loading it instruments it with Wizer (`wasmtime-wizer`), instantiates it
//! once, calls the export, and rewrites the component so that its memories
//! and globals start as the warm-up left them. That new component is what is
//! compiled, cached and instantiated per job; copy-on-write memory images
//! make instantiating it as cheap as instantiating the original.
//!
//! The warm-up may not call imports (Wizer's rule: a host resource, a clock
//! reading or random bytes cannot be frozen into every job), except writing
//! to stdout/stderr so a panic's message reaches the load error, and the
//! insecure seed of hash maps ([`ALLOWED_DURING_INIT`]). A call to anything
//! else stops it with [`PreinitError`] naming the import.

use std::time::{Duration, Instant};

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Instance, Lift, Linker, LinkerInstance, ResourceType, WasmList};
use wasmtime::{Engine, Store};
use wasmtime_wizer::{ComponentContext, ComponentInstanceState, Wizer};

use super::sandbox::JobState;
use super::{LoadStep, Stopped, why_stopped};

/// The export the host calls once per version (Wizer's default name, so a
/// component prepared for the `wasmtime wizer` tool needs nothing else).
pub const INIT_EXPORT: &str = "wizer-initialize";

/// Imports the warm-up may call: output streams, so a panic message can be
/// read back, and the insecure seed, which Rust's `HashMap` reads for its
/// keys (the `regex` crate builds HashMaps in every pattern, so without it no
/// regex could be warmed); the keys it seeds are then shared by the
/// version's jobs, as Wizer's `--allow-wasi` shares them too. Everything
/// else is refused by name.
const ALLOWED_DURING_INIT: &[&str] =
    &["wasi:io/", "wasi:cli/stderr@", "wasi:cli/stdout@", "wasi:random/insecure-seed@"];

/// What pre-initializing a version cost, for the push response and logs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreinitReport {
    /// Instrumenting, compiling, warming, snapshotting and compiling the
    /// snapshot; `null` when the snapshot came from the compiled cache.
    pub took_ms: Option<f64>,
    /// The component's own warm-up call alone.
    pub warm_ms: Option<f64>,
}

impl PreinitReport {
    pub fn cached() -> Self {
        Self { took_ms: None, warm_ms: None }
    }
}

/// Why a version could not be pre-initialized; the message is for the
/// component's author. The step is `Imports` when the component imports
/// something the host never provides, else `Preinit`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct PreinitError {
    pub step: LoadStep,
    pub message: String,
}

impl PreinitError {
    fn new(message: String) -> Self {
        Self { step: LoadStep::Preinit, message }
    }
}

/// The warm-up reached an import; carried through wasmtime's error chain.
#[derive(Debug, thiserror::Error)]
#[error("the warm-up called `{0}`")]
struct ImportCalled(String);

/// True when the component's own (top-level) exports include [`INIT_EXPORT`].
/// Reads the export sections only; nested modules and components are skipped.
pub fn exports_init(wasm: &[u8]) -> bool {
    use wasmparser::{Parser, Payload};
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::ModuleSection { .. } | Payload::ComponentSection { .. }) => depth += 1,
            Ok(Payload::End(_)) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Ok(Payload::ComponentExportSection(exports)) if depth == 0 => {
                if exports.into_iter().flatten().any(|e| e.name.name == INIT_EXPORT) {
                    return true;
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// The snapshot component: `wasm` as it is after its warm-up ran in `store`.
/// Returns the new component's bytes and how long the warm-up call took.
/// `check_imports` is the load's import check, run on the instrumented
/// component (its imports are the original's) before anything is linked;
/// `new_store` makes the Store the warm-up runs in, with the limits and
/// deadline of a job; it is called after the (slow) first compile, and the
/// warm-up and snapshot must end within `limit` of it.
pub async fn snapshot(
    engine: &Engine,
    check_imports: impl FnOnce(&Component) -> Result<(), String>,
    new_store: impl FnOnce() -> Store<JobState>,
    limit: Duration,
    wasm: &[u8],
) -> Result<(Vec<u8>, Duration), PreinitError> {
    let mut wizer = Wizer::new();
    // Kept: wasmtime-wizer 48 removes the core module's export of the same
    // name but leaves the component's alias of it, which then does not
    // compile (a core export named like the component export, as
    // wit-bindgen makes it). The host never calls it on a snapshot.
    wizer.keep_init_func(true);
    let (cx, instrumented) =
        wizer.instrument_component(wasm).map_err(|e| PreinitError::new(format!("cannot be instrumented: {e:#}")))?;
    let compile_engine = engine.clone();
    let component = tokio::task::spawn_blocking(move || Component::new(&compile_engine, &instrumented))
        .await
        .map_err(|e| PreinitError::new(format!("compiling the instrumented component failed: {e}")))?
        .map_err(|e| PreinitError::new(format!("compiling the instrumented component failed: {e:#}")))?;
    check_imports(&component).map_err(|message| PreinitError { step: LoadStep::Imports, message })?;
    let linker = refusing_linker(engine, &component)?;
    let mut store = new_store();
    // The Store's deadline stops a warm-up that spins; this one stops one
    // stuck in the host, which sees no epoch ticks.
    let warmed = tokio::time::timeout(limit, warm_and_snapshot(&wizer, &cx, &linker, &component, &mut store)).await;
    warmed.unwrap_or_else(|_| {
        Err(PreinitError::new(format!(
            "its warm-up (`{INIT_EXPORT}`) did not finish within {}",
            humantime::format_duration(limit)
        )))
    })
}

async fn warm_and_snapshot(
    wizer: &Wizer,
    cx: &ComponentContext<'_>,
    linker: &Linker<JobState>,
    component: &Component,
    store: &mut Store<JobState>,
) -> Result<(Vec<u8>, Duration), PreinitError> {
    let instance = linker
        .instantiate_async(&mut *store, component)
        .await
        .map_err(|e| PreinitError::new(format!("cannot be instantiated for its warm-up: {e:#}")))?;
    let init = instance
        .get_typed_func::<(), ()>(&mut *store, INIT_EXPORT)
        .map_err(|e| PreinitError::new(format!("its `{INIT_EXPORT}` export is not a `func()`: {e:#}")))?;
    let started = Instant::now();
    if let Err(e) = init.call_async(&mut *store, ()).await {
        return Err(warm_up_failure(&e, store));
    }
    let warm = started.elapsed();
    let mut access = Access { store, instance, failed: None };
    let snapshot = wizer
        .snapshot_component(cx, &mut access)
        .await
        .map_err(|e| PreinitError::new(format!("its state could not be snapshotted: {e:#}")))?;
    if let Some(e) = access.failed {
        return Err(PreinitError::new(format!("its state could not be read for the snapshot: {e}")));
    }
    Ok((snapshot, warm))
}

/// WASI as jobs get it, with every import outside [`ALLOWED_DURING_INIT`]
/// replaced by a function that stops the warm-up naming the import.
fn refusing_linker(engine: &Engine, component: &Component) -> Result<Linker<JobState>, PreinitError> {
    let linking = |e: wasmtime::Error| PreinitError::new(format!("cannot be linked for its warm-up: {e:#}"));
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(linking)?;
    linker.allow_shadowing(true);
    for (name, item) in component.component_type().imports(engine) {
        if ALLOWED_DURING_INIT.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        refuse(engine, &mut linker.root(), name, &item.ty, None).map_err(linking)?;
    }
    Ok(linker)
}

fn refuse(
    engine: &Engine,
    linker: &mut LinkerInstance<'_, JobState>,
    name: &str,
    item: &ComponentItem,
    parent: Option<&str>,
) -> wasmtime::Result<()> {
    match item {
        ComponentItem::ComponentFunc(_) => {
            let full = match parent {
                Some(p) => format!("{p}#{name}"),
                None => name.to_string(),
            };
            linker.func_new(name, move |_, _, _, _| Err(ImportCalled(full.clone()).into()))
        }
        ComponentItem::ComponentInstance(instance) => {
            let mut nested = linker.instance(name)?;
            for (export, ty) in instance.exports(engine) {
                refuse(engine, &mut nested, export, &ty.ty, Some(name))?;
            }
            Ok(())
        }
        // The refused instance is defined under the component's own name
        // (say `@0.2.6`, where WASI is linked as `@0.2.12` and found by
        // semver), so it must be complete: its resources too. A `wasi:io`
        // resource it names must be the one the linked `wasi:io` uses, or the
        // component's types do not line up; its own resources can be any
        // type, since no function that could make one is callable.
        ComponentItem::Resource(_) => linker.resource(name, io_resource(name), |_, _| Ok(())),
        _ => Ok(()),
    }
}

/// The type WASI gives a `wasi:io` resource that other interfaces use by
/// name; `()` for any other resource.
fn io_resource(name: &str) -> ResourceType {
    use wasmtime_wasi::p2::{DynInputStream, DynOutputStream, DynPollable, IoError};
    match name {
        "input-stream" => ResourceType::host::<DynInputStream>(),
        "output-stream" => ResourceType::host::<DynOutputStream>(),
        "pollable" => ResourceType::host::<DynPollable>(),
        "error" | "io-error" => ResourceType::host::<IoError>(),
        _ => ResourceType::host::<()>(),
    }
}

fn warm_up_failure(error: &wasmtime::Error, store: &Store<JobState>) -> PreinitError {
    // A refused import is a host error in the chain, so it is asked first.
    if let Some(ImportCalled(import)) = error.chain().find_map(|e| e.downcast_ref::<ImportCalled>()) {
        return PreinitError::new(format!(
            "its warm-up (`{INIT_EXPORT}`) called the import `{import}`; a warm-up may not call the host \
             (no files, engines, clocks, random bytes or environment: what it read would be frozen into every job). \
             Move that call into `run`, or build what needs it lazily there"
        ));
    }
    let why = match why_stopped(error, store) {
        Stopped::Interrupted(interrupt) => format!("was stopped: {interrupt} (the component's `timeout`)"),
        Stopped::OutOfMemory => "needed more memory than the component's `memory` limit in spin.toml".into(),
        Stopped::Crashed(detail) => format!("failed: {detail}"),
        Stopped::Host => format!("failed: {error:#}"),
    };
    PreinitError::new(format!("its warm-up (`{INIT_EXPORT}`) {why}"))
}

/// Wizer reads the instrumented instance's globals and memories through
/// functions it exported; this calls them on our Store. A failed call is
/// kept (the trait cannot return it) and fails the snapshot afterwards.
struct Access<'a> {
    store: &'a mut Store<JobState>,
    instance: Instance,
    failed: Option<String>,
}

impl Access<'_> {
    async fn call<R: Lift + Send + Sync + 'static>(&mut self, interface: &str, func: &str) -> Option<R> {
        let result: wasmtime::Result<R> = async {
            let (_, group) = self
                .instance
                .get_export(&mut *self.store, None, interface)
                .ok_or_else(|| wasmtime::format_err!("no export `{interface}`"))?;
            let (_, index) = self
                .instance
                .get_export(&mut *self.store, Some(&group), func)
                .ok_or_else(|| wasmtime::format_err!("no export `{interface}#{func}`"))?;
            let typed = self.instance.get_typed_func::<(), (R,)>(&mut *self.store, index)?;
            Ok(typed.call_async(&mut *self.store, ()).await?.0)
        }
        .await;
        match result {
            Ok(r) => Some(r),
            Err(e) => {
                self.failed.get_or_insert_with(|| format!("{interface}#{func}: {e:#}"));
                None
            }
        }
    }
}

impl ComponentInstanceState for Access<'_> {
    async fn call_func_ret_list_u8(&mut self, instance: &str, func: &str, contents: impl FnOnce(&[u8]) + Send) {
        match self.call::<WasmList<u8>>(instance, func).await {
            Some(list) => contents(list.as_le_slice(&*self.store)),
            None => contents(&[]),
        }
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func).await.unwrap_or_default()
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func).await.unwrap_or_default()
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call::<f32>(instance, func).await.map(f32::to_bits).unwrap_or_default()
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call::<f64>(instance, func).await.map(f64::to_bits).unwrap_or_default()
    }
}

//! The one wasmtime Engine: pooling allocator, epoch interruption, and the
//! on-disk cache of compiled components.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use wasmtime::component::Component;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances. Deadlines and cancellation are checked on
/// each tick, so this bounds how late a busy guest notices either.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

/// Sizing for the instance pool.
#[derive(Debug, Clone)]
pub struct PoolSizing {
    /// Component instances alive at once: the sum of every capability's
    /// concurrency plus room for validation runs.
    pub instances: u32,
    /// The largest `memory` grant; the pool's per-memory upper bound.
    pub max_memory: u64,
}

pub fn build_engine(sizing: &PoolSizing) -> anyhow::Result<Engine> {
    let mut pool = PoolingAllocationConfig::new();
    let instances = sizing.instances.max(4);
    pool.total_component_instances(instances)
        // A Rust guest has one memory, a few core instances and tables
        // (the component adapter shims); leave generous head room.
        .max_memories_per_component(4)
        .max_tables_per_component(8)
        // A CPython component (componentize-py) has 14 core instances.
        .max_core_instances_per_component(64)
        .total_memories(instances * 2)
        .total_tables(instances * 4)
        .total_core_instances(instances * 16)
        .total_stacks(instances)
        .max_memory_size(sizing.max_memory as usize)
        // Keeping a little memory resident between jobs avoids page-fault
        // storms and makes two worker threads faster than one, not slower.
        .linear_memory_keep_resident(4 << 20)
        .table_keep_resident(256 << 10)
        .async_stack_keep_resident(256 << 10)
        .pagemap_scan(Enabled::Yes);

    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .parallel_compilation(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config).map_err(|e| anyhow::anyhow!("{e:#}"))
}

/// Advances the engine's epoch every [`EPOCH_TICK`] on one thread for the
/// whole process (never one per job). Stops when dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    pub fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("capsule-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        Self { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Compiled components on disk, keyed by wasm digest and engine settings so
/// a restart loads in milliseconds instead of recompiling, and an artifact
/// from other settings is never loaded.
pub struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    pub fn new(dir: PathBuf, engine: &Engine) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating cache directory {}", dir.display()))?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Ok(Self { dir, engine_key: format!("{:016x}", h.finish()) })
    }

    /// A snapshot taken after a component's warm-up is cached apart from
    /// the plain compile of the same bytes: both may be wanted.
    fn path(&self, digest: &str, warm: bool) -> PathBuf {
        let kind = if warm { ".warm" } else { "" };
        self.dir.join(format!("{digest}-{}{kind}.cwasm", self.engine_key))
    }

    /// The compiled component for `digest` from the cache, if there is a
    /// readable one. Loading maps the file; it runs on the blocking pool.
    pub async fn cached(&self, engine: &Engine, digest: &str, warm: bool) -> Option<Component> {
        let path = self.path(digest, warm);
        if !path.is_file() {
            return None;
        }
        let engine = engine.clone();
        let p = path.clone();
        // SAFETY: the file is written only by `store` below from
        // `Component::serialize` of an engine with identical settings
        // (the engine key is part of the name), in our own cache dir.
        let loaded = tokio::task::spawn_blocking(move || unsafe { Component::deserialize_file(&engine, &p) }).await;
        match loaded {
            Ok(Ok(c)) => Some(c),
            Ok(Err(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable compiled artifact");
                None
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "loading a compiled artifact failed");
                None
            }
        }
    }

    /// Compile `wasm`. Compilation takes both cores for a while, so it runs
    /// on the blocking pool. A fresh compile is not cached here:
    /// [`Self::store`] it once the component passed validation.
    pub async fn compile(&self, engine: &Engine, wasm: Arc<Vec<u8>>) -> anyhow::Result<Component> {
        let engine = engine.clone();
        Ok(tokio::task::spawn_blocking(move || Component::new(&engine, wasm.as_slice())).await??)
    }

    /// Keep `component` for the next start; failing to is only slower.
    pub fn store(&self, digest: &str, warm: bool, component: &Component) {
        let path = self.path(digest, warm);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = component
            .serialize()
            .and_then(|bytes| Ok(std::fs::write(&tmp, bytes)?))
            .and_then(|()| Ok(std::fs::rename(&tmp, &path)?));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!(path = %path.display(), error = %e, "could not cache compiled component");
        }
    }
}

//! What one job's Store holds: a WASI context with no ambient authority, a
//! memory limiter across all of the instance's memories, the host side of
//! the `job-context` and `blobs` interfaces, and what the engines need to
//! serve the job (their host side lives in `crate::engines`). Which of the
//! engine interfaces a component may call was settled when it was loaded
//! (its imports are checked against its grants).

use std::sync::Arc;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::BlobAccess;
use super::bindings::capsule::worker::{blobs, job_context, types};
use crate::engines::{EngineError, Engines, JobScope};

/// How much of a guest's stderr is kept (its panic message lands there).
const STDERR_CAPTURE: usize = 16 * 1024;

pub struct JobState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(super) limiter: MemoryLimiter,
    pub(super) stderr: MemoryOutputPipe,
    blobs: Option<BlobAccess>,
    http: wasmtime_wasi_http::WasiHttpCtx,
    outbound: super::outbound::OutboundHooks,
    /// The component's configuration keys (`wasi:config/store`).
    pub(super) config: Arc<wasmtime_wasi_config::WasiConfigVariables>,
    /// The engines, and who is asking: read by each engine's host side.
    pub(crate) engines: Arc<Engines>,
    pub(crate) scope: JobScope,
}

impl JobState {
    pub fn new(
        memory_cap: u64,
        blobs: Option<BlobAccess>,
        grants: super::Grants,
        engines: Arc<Engines>,
        scope: JobScope,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPTURE);
        // No preopened directories, no environment, no arguments, no
        // sockets, no name lookups: the guest sees nothing of the host.
        let wasi = WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_cap),
            stderr,
            blobs,
            http: wasmtime_wasi_http::WasiHttpCtx::new(),
            outbound: super::outbound::OutboundHooks::new(grants.outbound),
            config: grants.config,
            engines,
            scope,
        }
    }

    /// The job's files, for engines that run programs on them.
    pub(crate) fn blob_access(&self) -> Option<&BlobAccess> {
        self.blobs.as_ref()
    }

    /// The job's resource handles (WASI's and the engines' own, such as an
    /// open key-value store).
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// What the guest said before it crashed: a Rust panic's message (the
    /// line after `panicked at …`), else its last non-empty stderr line.
    pub fn crash_message(&self) -> Option<String> {
        let bytes = self.stderr.contents();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let panic = lines.iter().rposition(|l| l.contains("panicked at")).and_then(|i| lines.get(i + 1));
        let line = panic.or_else(|| lines.iter().rev().find(|l| !l.starts_with("note:")))?;
        Some(line.chars().take(500).collect())
    }
}

impl WasiView for JobState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl wasmtime_wasi_http::WasiHttpView for JobState {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView { hooks: &mut self.outbound, table: &mut self.table, ctx: &mut self.http }
    }
}

/// Caps the sum of all linear memories of the instance, not each one alone.
pub struct MemoryLimiter {
    cap: usize,
    used: usize,
    pub exceeded: bool,
}

impl MemoryLimiter {
    fn new(cap: u64) -> Self {
        Self { cap: cap as usize, used: 0, exceeded: false }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let next = self.used.saturating_sub(current).saturating_add(desired);
        if next > self.cap {
            self.exceeded = true;
            return Ok(false);
        }
        self.used = next;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

impl types::Host for JobState {}

impl job_context::Host for JobState {
    async fn progress(&mut self, percent: u8, step: String, message: String) {
        self.scope.hooks.progress(percent.min(100), &step, &message);
    }

    async fn emit(&mut self, chunk: String) {
        self.scope.hooks.emit(&chunk);
    }

    async fn cancelled(&mut self) -> bool {
        self.scope.cancel.is_cancelled()
    }

    async fn log(&mut self, level: types::Level, message: String) {
        self.scope.hooks.log(level, &message);
    }
}

impl blobs::Host for JobState {
    async fn read(&mut self, url: String) -> Result<Vec<u8>, types::Failure> {
        match &self.blobs {
            Some(access) => access.read(&url).await,
            None => Err(no_blobs()),
        }
    }

    async fn write(&mut self, name: String, content_type: String, data: Vec<u8>) -> Result<String, types::Failure> {
        match &self.blobs {
            Some(access) => access.write(&name, &content_type, data).await,
            None => Err(no_blobs()),
        }
    }
}

fn no_blobs() -> types::Failure {
    types::Failure {
        code: "BLOB_UNAVAILABLE".into(),
        message: "files are not available while a component is being validated".into(),
        retryable: false,
    }
}

impl From<EngineError> for types::Failure {
    fn from(e: EngineError) -> Self {
        types::Failure { code: e.code.into(), message: e.message, retryable: e.retryable }
    }
}

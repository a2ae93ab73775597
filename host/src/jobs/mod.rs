//! The job engine: submit (validate, cache, insert, wake a worker), claim
//! from the store with per-capability concurrency, run, retry with backoff,
//! cancel, and sweep (expired leases, due retries, other hosts' work).
//!
//! Public surface: [`Jobs`] and its option/error/result types, [`JobEvent`].

mod cache;
mod events;
mod lanes;
mod pipeline;
mod pipeline_check;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub use events::{JobEvent, Subscription};
pub use pipeline::StepState;
pub use pipeline_check::check_pipelines;

use crate::bus::{Bus, Notice};
use tracing::Instrument;

use crate::manifest::PipelineSpec;
use crate::runtime::{Entry, Registry, Runtime, Version};
use crate::store::{JobRecord, JobStore, ListFilter, NewJob, Stats, Status, StoreError};
use events::EventHub;
use lanes::{Lane, Lanes};

/// Most jobs one claim takes (bounds one statement's work and what a host
/// that dies right after a claim leaves to lease expiry).
const MAX_CLAIM: usize = 64;

/// Engine settings (all from flags / environment).
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// Ready jobs one capability may have waiting before submissions get 429.
    pub queue_capacity: usize,
    /// How long a worker's claim on a job lasts without a heartbeat.
    pub lease: Duration,
    /// How often the store is searched for work no wake-up announced.
    pub sweep: Duration,
    /// First retry delay; doubles each attempt (with jitter) up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("there is no capability `{0}`")]
    CapabilityNotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("the `{capability}` queue is full ({depth} jobs waiting)")]
    QueueFull { capability: String, depth: usize },
    #[error("job `{0}` was not found")]
    NotFound(String),
    #[error("job `{id}` already finished as {status}")]
    AlreadyFinished { id: String, status: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a submission produced.
#[derive(Debug)]
pub struct Submitted {
    pub id: String,
    pub status: Status,
    /// Present when the answer came from the cache.
    pub result: Option<Value>,
    pub cache_hit: bool,
    /// An identical submission was already in flight; this is that job.
    pub deduplicated: bool,
    /// When the job was created (milliseconds since the epoch).
    pub created_at: i64,
}

pub struct Jobs {
    store: Arc<dyn JobStore>,
    lanes: Lanes,
    runtime: Arc<Runtime>,
    registry: Arc<Registry>,
    events: EventHub,
    /// What this host tells the others sharing its database, and hears from them.
    bus: Arc<dyn Bus>,
    config: JobsConfig,
    /// This process's identity in leases.
    owner: String,
    /// The jobs this process is running.
    running: Mutex<HashMap<String, Running>>,
    /// Pipelines of the capabilities, by API name.
    pipelines: HashMap<String, Arc<PipelineSpec>>,
}

/// What a lane's jobs run: a component's version, or a pipeline of them.
#[derive(Clone)]
enum Runner {
    Component(Arc<Entry>),
    Pipeline(Arc<PipelineSpec>),
}

impl Runner {
    fn id(&self) -> &str {
        match self {
            Runner::Component(entry) => &entry.spec.id,
            Runner::Pipeline(spec) => &spec.id,
        }
    }
}

/// A job this process runs: how to stop it, and which attempt it holds.
struct Running {
    token: CancellationToken,
    attempt: u32,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs `work` to its end even if the caller stops waiting. A request's
/// future is dropped when its client hangs up; a durable write followed by
/// in-memory effects (enqueue, stop the guest, tell listeners) must not stop
/// half-way in between, or the store and the process disagree until restart.
async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = Result<T, JobError>> + Send + 'static,
) -> Result<T, JobError> {
    tokio::spawn(work)
        .await
        .map_err(|e| JobError::Store(StoreError::Failed(format!("the store update failed: {e}"))))?
}

fn new_job_id() -> String {
    format!("job_{}", uuid::Uuid::now_v7().simple())
}

impl Jobs {
    pub fn new(
        store: Arc<dyn JobStore>,
        runtime: Arc<Runtime>,
        registry: Arc<Registry>,
        bus: Arc<dyn Bus>,
        config: JobsConfig,
        pipelines: Vec<PipelineSpec>,
    ) -> Arc<Self> {
        let lanes = Lanes::new(
            registry
                .iter()
                .map(|e| (e.spec.id.as_str(), e.spec.concurrency))
                .chain(pipelines.iter().map(|p| (p.id.as_str(), p.concurrency))),
        );
        let pipelines = pipelines.into_iter().map(|p| (p.name.clone(), Arc::new(p))).collect();
        Arc::new(Self {
            store,
            lanes,
            runtime,
            registry,
            events: EventHub::default(),
            bus,
            config,
            owner: format!("host-{}", uuid::Uuid::new_v4().simple()),
            running: Mutex::new(HashMap::new()),
            pipelines,
        })
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// Put back what a previous process left running, count the queue, then
    /// start the schedulers, the heartbeat and the sweeper.
    pub async fn start(self: &Arc<Self>) -> Result<(), StoreError> {
        self.store.reclaim_expired().await?;
        self.count_queues().await?;
        let runners = self
            .registry
            .iter()
            .map(|e| Runner::Component(e.clone()))
            .chain(self.pipelines.values().map(|p| Runner::Pipeline(p.clone())));
        for runner in runners {
            let Some(lane) = self.lanes.get(runner.id()).cloned() else { continue };
            let jobs = self.clone();
            tokio::spawn(async move { jobs.schedule(runner, lane).await });
        }
        let jobs = self.clone();
        tokio::spawn(async move { jobs.keep_leases().await });
        let jobs = self.clone();
        tokio::spawn(async move { jobs.sweep().await });
        let (jobs, mut heard) = (self.clone(), self.bus.listen().await);
        tokio::spawn(async move {
            while let Some(notice) = heard.recv().await {
                jobs.heard(notice);
            }
        });
        Ok(())
    }

    async fn count_queues(&self) -> Result<(), StoreError> {
        let counts: HashMap<String, u64> = self.store.queued_counts().await?.into_iter().collect();
        for (capability, lane) in self.lanes.iter() {
            lane.counted(counts.get(capability).copied().unwrap_or(0));
        }
        Ok(())
    }

    /// A running job's event, for this host's listeners and the other hosts'.
    fn publish(&self, id: &str, event: JobEvent) {
        let job = id.to_string();
        let notice = match &event {
            JobEvent::Progress { percent, step, message } => {
                Notice::Progress { job, percent: *percent, step: step.clone(), message: message.clone() }
            }
            JobEvent::Chunk(text) => Notice::Chunk { job, text: text.clone() },
            JobEvent::Token { seq, text } => Notice::Token { job, seq: *seq, text: text.clone() },
            JobEvent::Finished => Notice::Finished { job },
        };
        self.events.publish(id, event);
        self.bus.broadcast(notice);
    }

    /// What another host said about a job: its events reach this host's
    /// listeners; a cancel stops the guest if the job runs here.
    fn heard(&self, notice: Notice) {
        match notice {
            Notice::Progress { job, percent, step, message } => {
                self.events.publish(&job, JobEvent::Progress { percent, step, message })
            }
            Notice::Chunk { job, text } => self.events.publish(&job, JobEvent::Chunk(text)),
            Notice::Token { job, seq, text } => self.events.publish(&job, JobEvent::Token { seq, text }),
            Notice::Finished { job } => self.events.finish(&job),
            Notice::Cancel { job } => {
                if let Some(running) = self.running.lock().expect("running lock").get(&job) {
                    tracing::info!(%job, "cancelled on another host; stopping it here");
                    running.token.cancel();
                }
            }
            Notice::Queued { capability } => {
                if let Some(lane) = self.lanes.get(&capability) {
                    lane.wake();
                }
            }
            // Versions are the deployer's: `deploy::tap` hands them to it.
            Notice::Released { .. } => {}
        }
    }

    /// Jobs of `capability` wait in the store: this host's workers look now,
    /// and, when they have no room, so do the other hosts'.
    fn work_waiting(&self, capability: &str) {
        let Some(lane) = self.lanes.get(capability) else { return };
        lane.wake();
        if lane.full() {
            let (bus, capability) = (self.bus.clone(), capability.to_string());
            lane.announce_soon(move || bus.broadcast(Notice::Queued { capability }));
        }
    }

    /// A job of `capability` was inserted: count it, and have a worker look.
    fn enqueued(&self, capability: &str) {
        if let Some(lane) = self.lanes.get(capability) {
            lane.queued(1);
        }
        self.work_waiting(capability);
    }

    /// The job reached a terminal state: tell this host's listeners and the other hosts'.
    fn finished(&self, id: &str) {
        self.events.finish(id);
        self.bus.broadcast(Notice::Finished { job: id.to_string() });
    }

    /// One loop per capability and pipeline: room for jobs, then as many due
    /// jobs from the store as there is room for (on whichever host claims first).
    async fn schedule(self: Arc<Self>, runner: Runner, lane: Arc<Lane>) {
        let mut failures = 0u32;
        loop {
            let Ok(first) = lane.slots.clone().acquire_owned().await else { return };
            let mut permits = vec![first];
            while permits.len() < MAX_CLAIM {
                match lane.slots.clone().try_acquire_owned() {
                    Ok(permit) => permits.push(permit),
                    Err(_) => break,
                }
            }
            // Pin the version now: a swap while these jobs run does not
            // affect them. Their start is dated before the pick, so a job
            // shown as started after a swap ran the new version.
            let started_at = now_ms();
            let (version, digest): (Option<Arc<Version>>, String) = match &runner {
                Runner::Component(entry) => {
                    let version = entry.current();
                    let digest = version.digest.clone();
                    (Some(version), digest)
                }
                Runner::Pipeline(spec) => (None, pipeline::pipeline_digest(spec)),
            };
            let (capability, lease) = (runner.id(), self.config.lease);
            let claimed =
                self.store.claim_next(capability, &self.owner, permits.len(), lease, &digest, started_at).await;
            let claimed = match claimed {
                Ok(claimed) => {
                    failures = 0;
                    claimed
                }
                Err(e) => {
                    // The jobs stay queued; back off while the store is down.
                    failures = failures.saturating_add(1);
                    let pause = Duration::from_millis(100 << failures.min(5)).min(self.config.sweep);
                    tracing::warn!(%capability, error = %e, retry_in = ?pause, "could not claim jobs");
                    drop(permits);
                    tokio::time::sleep(pause).await;
                    continue;
                }
            };
            if claimed.is_empty() {
                drop(permits);
                lane.wait(self.config.sweep).await;
                continue;
            }
            lane.taken(claimed.len());
            {
                let mut running = self.running.lock().expect("running lock");
                for job in &claimed {
                    running.insert(job.id.clone(), Running { token: CancellationToken::new(), attempt: job.attempt });
                }
            }
            for (job, permit) in claimed.into_iter().zip(permits.drain(..)) {
                let (jobs, runner, version) = (self.clone(), runner.clone(), version.clone());
                // A task per job spreads wasm work (which rarely awaits) across
                // the runtime's worker threads.
                tokio::spawn(async move {
                    let span = tracing::info_span!("job", job = %job.id, capability = %runner.id());
                    match (&runner, version) {
                        (Runner::Component(entry), Some(version)) => {
                            jobs.execute(entry, version, job).instrument(span).await
                        }
                        (Runner::Pipeline(spec), _) => jobs.execute_pipeline(spec, job).instrument(span).await,
                        (Runner::Component(_), None) => {}
                    }
                    drop(permit);
                });
            }
        }
    }

    /// Heartbeat the jobs this host runs, and stop those that are not its own any more.
    async fn keep_leases(self: Arc<Self>) {
        let mut tick = tokio::time::interval((self.config.lease / 3).max(Duration::from_millis(50)));
        loop {
            tick.tick().await;
            let held: HashMap<String, u32> =
                self.running.lock().expect("running lock").iter().map(|(id, r)| (id.clone(), r.attempt)).collect();
            if held.is_empty() {
                continue;
            }
            match self.store.heartbeat(&self.owner, held.keys().cloned().collect(), self.config.lease).await {
                // Cancelled or taken over while a notice about it was
                // missed: stop the guest; its result would be fenced out.
                Ok(lost) => {
                    let running = self.running.lock().expect("running lock");
                    for id in lost {
                        // The same attempt still: not a retry claimed since.
                        match running.get(&id) {
                            Some(r) if Some(r.attempt) == held.get(&id).copied() => {
                                tracing::info!(job = %id, "no longer this host's job; stopping it");
                                r.token.cancel();
                            }
                            _ => {}
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "lease heartbeat failed"),
            }
        }
    }

    /// Put jobs whose host stopped heartbeating back in the queue and recount
    /// it. (Each lane also looks for due work on this interval by itself:
    /// retries whose time came, jobs submitted to a host that cannot run them.)
    async fn sweep(self: Arc<Self>) {
        let mut tick = tokio::time::interval(self.config.sweep);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.store.reclaim_expired().await {
                Ok(expired) => {
                    for job in expired {
                        tracing::info!(job = %job.id, capability = %job.capability, "lease expired; job re-queued");
                        self.work_waiting(&job.capability);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "lease reclaim failed"),
            }
            if let Err(e) = self.count_queues().await {
                tracing::warn!(error = %e, "could not count the queue");
            }
            self.end_missed_finishes().await;
        }
    }

    /// Listeners here of jobs that ended on another host whose notice was
    /// lost (the bus is best effort) hear the end from the store instead,
    /// at most a sweep late: an event stream or a synchronous call never
    /// waits out its whole timeout for a job that already ended.
    async fn end_missed_finishes(&self) {
        let watched = self.events.watched();
        if watched.is_empty() {
            return;
        }
        match self.store.terminal_among(&watched).await {
            Ok(ended) => {
                for id in ended {
                    self.events.finish(&id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not check the watched jobs"),
        }
    }

    /// Validate, consult the cache, record and enqueue a job owned by `tenant`.
    pub async fn submit(
        &self,
        name: &str,
        input: Value,
        force_refresh: bool,
        tenant: Option<&str>,
    ) -> Result<Submitted, JobError> {
        if self.registry.get(name).is_none()
            && let Some(spec) = self.pipelines.get(name).cloned()
        {
            return self.submit_pipeline(&spec, input, tenant).await;
        }
        let entry = self.registry.get(name).ok_or_else(|| JobError::CapabilityNotFound(name.to_string()))?;
        let version = entry.current();
        version.validate_input(&input).map_err(JobError::InvalidInput)?;
        let spec = &entry.spec;

        // The tenant is part of the key: one tenant's result is never another's cache hit.
        let cache_key = spec.cache.then(|| cache::cache_key(tenant, &spec.id, &version.digest, &input));
        let joinable = cache_key.is_some() && !force_refresh;

        let lane = self.lanes.get(&spec.id).ok_or_else(|| JobError::CapabilityNotFound(name.to_string()))?;
        let depth = lane.depth();
        if depth >= self.config.queue_capacity {
            // A full queue still answers what it already has.
            if let (true, Some(key)) = (joinable, &cache_key)
                && let Some(found) = self.store.find_by_cache_key(key).await?
            {
                return Ok(Self::reuse(found));
            }
            return Err(JobError::QueueFull { capability: spec.name.clone(), depth });
        }
        let (id, now) = (new_job_id(), now_ms());
        let job = NewJob {
            id: id.clone(),
            capability: spec.id.clone(),
            input: input.to_string(),
            max_attempts: spec.max_attempts,
            cache_key,
            accepted_digest: version.digest.clone(),
            tenant: tenant.map(str::to_string),
            parent: None,
            now,
        };
        // An identical submission in flight or completed (on any host
        // sharing the store) is joined instead, in the same step as the insert.
        let joined = if joinable {
            self.store.insert_or_join(job).await?
        } else {
            self.store.insert(job).await.map(|_| None)?
        };
        if let Some(found) = joined {
            return Ok(Self::reuse(found));
        }
        // Durable now: if the wake-up below is lost, a sweep finds the job.
        self.enqueued(&spec.id);
        Ok(Submitted {
            id,
            status: Status::Queued,
            result: None,
            cache_hit: false,
            deduplicated: false,
            created_at: now,
        })
    }

    fn reuse(found: JobRecord) -> Submitted {
        let completed = found.status == Status::Completed;
        Submitted {
            result: if completed { found.result.as_deref().and_then(|r| serde_json::from_str(r).ok()) } else { None },
            cache_hit: completed,
            deduplicated: !completed,
            status: found.status,
            created_at: found.created_at,
            id: found.id,
        }
    }

    /// The job, if it belongs to `tenant`: another tenant's job is as
    /// absent as one that never existed.
    pub async fn get(&self, id: &str, tenant: Option<&str>) -> Result<JobRecord, JobError> {
        match self.store.get(id).await? {
            Some(record) if record.tenant.as_deref() == tenant => Ok(record),
            _ => Err(JobError::NotFound(id.to_string())),
        }
    }

    /// Any job, whoever owns it (for the engine's own bookkeeping).
    async fn record(&self, id: &str) -> Result<JobRecord, JobError> {
        self.store.get(id).await?.ok_or_else(|| JobError::NotFound(id.to_string()))
    }

    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, JobError> {
        Ok(self.store.list(filter).await?)
    }

    pub async fn stats(&self) -> Result<Stats, JobError> {
        Ok(self.store.stats().await?)
    }

    pub async fn jobs_per_digest(&self, capability_id: &str) -> Result<Vec<(String, u64)>, JobError> {
        Ok(self.store.jobs_per_digest(capability_id).await?)
    }

    /// Jobs waiting for `capability_id` in the whole deployment, as this host
    /// last counted them (at most one sweep ago) plus its own changes since.
    pub fn queue_depth(&self, capability_id: &str) -> usize {
        self.lanes.get(capability_id).map(|l| l.depth()).unwrap_or(0)
    }

    /// Cancel a queued job of `tenant` at once, or interrupt a running one.
    pub async fn cancel(self: &Arc<Self>, id: &str, tenant: Option<&str>) -> Result<JobRecord, JobError> {
        let capability = self.get(id, tenant).await?.capability;
        // Once the store says cancelled, the guest must stop, listeners must
        // hear the end and the queue must give the place back.
        let (jobs, owned) = (self.clone(), id.to_string());
        let previous = to_the_end(async move {
            let id = owned.as_str();
            let previous = jobs.store.cancel(id, now_ms()).await?.ok_or_else(|| JobError::NotFound(id.to_string()))?;
            if previous.is_terminal() {
                return Ok(previous);
            }
            match jobs.running.lock().expect("running lock").get(id) {
                Some(running) => running.token.cancel(),
                // It may run on another host sharing the store.
                None => jobs.bus.broadcast(Notice::Cancel { job: id.to_string() }),
            }
            jobs.finished(id);
            // A cancelled job gives its place in the queue back at once.
            if previous == Status::Queued
                && let Some(lane) = jobs.lanes.get(&capability)
            {
                lane.taken(1);
            }
            Ok(previous)
        })
        .await?;
        if previous.is_terminal() {
            return Err(JobError::AlreadyFinished { id: id.to_string(), status: previous.as_str() });
        }
        self.record(id).await
    }

    /// Live events of a job until the subscription is dropped; pair with
    /// [`Jobs::get`] after subscribing so nothing that happened in between
    /// is missed.
    pub fn subscribe(&self, id: &str) -> Subscription {
        self.events.subscribe(id)
    }

    /// Whether this host hears the others (see [`Bus::status`]).
    pub fn bus_status(&self) -> Result<(), String> {
        self.bus.status()
    }

    /// Jobs someone is listening to right now (a leak shows here first).
    pub fn live_event_channels(&self) -> usize {
        self.events.live_channels()
    }

    /// Wait until the job is terminal or `wait` passes; returns the latest
    /// record. For the submitter of `id` only: ownership is not checked.
    pub async fn wait(&self, id: &str, wait: Duration) -> Result<JobRecord, JobError> {
        let mut events = self.subscribe(id);
        let record = self.record(id).await?;
        if record.status.is_terminal() {
            return Ok(record);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Ok(JobEvent::Finished)) | Err(_) => return self.record(id).await,
                Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return self.record(id).await,
                Ok(_) => continue,
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.config.retry_base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.config.retry_max);
        // Full jitter in [½, 1] of the delay keeps retries of a burst apart.
        capped.mul_f64(0.5 + rand::random::<f64>() * 0.5)
    }
}

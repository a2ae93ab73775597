//! Running one claimed job on the version pinned at its claim, and
//! recording how it ended (completed, failed, or queued again for a retry).

use std::sync::Arc;
use std::time::Duration;

use super::events::JobEvent;
use super::{Jobs, now_ms};
use crate::runtime::{Entry, Failure, JobHooks, JobRun, Level, Version};
use crate::store::{Claimed, Finish, LlmUsage};

/// Progress and output of a running job go to the store and to listeners.
struct RunHooks {
    jobs: Arc<Jobs>,
    id: String,
    capability: String,
    tokens: std::sync::atomic::AtomicU64,
}

impl JobHooks for RunHooks {
    fn progress(&self, percent: u8, step: &str, message: &str) {
        self.jobs.store.progress(&self.id, percent, step, message);
        self.jobs.publish(&self.id, JobEvent::Progress { percent, step: step.into(), message: message.into() });
    }

    fn emit(&self, chunk: &str) {
        self.jobs.publish(&self.id, JobEvent::Chunk(chunk.into()));
    }

    fn token(&self, text: &str) {
        // Numbered per attempt so a client can tell a gap (it lagged) from
        // the end, and a retry's tokens from the first attempt's.
        let seq = self.tokens.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.jobs.publish(&self.id, JobEvent::Token { seq, text: text.into() });
    }

    fn usage(&self, usage: LlmUsage) {
        self.jobs.store.add_usage(&self.id, usage);
    }

    fn log(&self, level: Level, message: &str) {
        let (job, capability) = (&self.id, &self.capability);
        match level {
            Level::Trace => tracing::trace!(%job, %capability, "{message}"),
            Level::Debug => tracing::debug!(%job, %capability, "{message}"),
            Level::Info => tracing::info!(%job, %capability, "{message}"),
            Level::Warn => tracing::warn!(%job, %capability, "{message}"),
            Level::Error => tracing::error!(%job, %capability, "{message}"),
        }
    }
}

impl Jobs {
    /// Run a job this host claimed (it is in `running` already) on `version`.
    pub(super) async fn execute(self: &Arc<Self>, entry: &Entry, version: Arc<Version>, claimed: Claimed) {
        let capability = entry.spec.id.as_str();
        let id = claimed.id.as_str();
        let Some(cancel) = self.running.lock().expect("running lock").get(id).map(|r| r.token.clone()) else {
            return;
        };
        let hooks = Arc::new(RunHooks {
            jobs: self.clone(),
            id: id.to_string(),
            capability: capability.to_string(),
            tokens: Default::default(),
        });
        self.publish(id, JobEvent::Progress { percent: 0, step: "started".into(), message: String::new() });
        let outcome = match self.revalidate(&version, &claimed) {
            Ok(()) => {
                let run = JobRun {
                    id: id.to_string(),
                    capability: capability.to_string(),
                    attempt: claimed.attempt,
                    input: claimed.input.clone(),
                    tenant: claimed.tenant.clone(),
                };
                self.runtime.run(&version, run, hooks, cancel).await
            }
            Err(failure) => Err(failure),
        };
        self.running.lock().expect("running lock").remove(id);

        let outcome = outcome.and_then(|output| version.check_output(&output).map(|_| output));
        self.record_end(capability, &claimed, outcome).await;
    }

    /// Record how an attempt ended: completed, failed, or queued again for a
    /// retry while it is retryable and attempts are left; then tell listeners
    /// or wake the lane when the retry is due.
    pub(super) async fn record_end(
        self: &Arc<Self>,
        capability: &str,
        claimed: &Claimed,
        outcome: Result<String, Failure>,
    ) {
        let id = claimed.id.as_str();
        let (finish, retry_in) = match outcome {
            Ok(result) => (Finish::Completed { result }, None),
            Err(failure) if failure.retryable && claimed.attempt < claimed.max_attempts => {
                let delay = self.backoff(claimed.attempt);
                tracing::info!(code = %failure.code, retry_in = ?delay, "attempt failed; will retry");
                (Finish::Retry { failure, delay }, Some(delay))
            }
            Err(failure) => {
                tracing::info!(code = %failure.code, message = %failure.message, "job failed");
                (Finish::Failed { failure }, None)
            }
        };
        match self.store.finish(id, &self.owner, claimed.attempt, finish, now_ms()).await {
            Ok(true) => match retry_in {
                Some(delay) => self.retry_due_in(capability, delay),
                None => self.finished(id),
            },
            // Fenced out: cancelled meanwhile (listeners were told then) or
            // the lease was lost and another worker owns the job now.
            Ok(false) => tracing::info!("attempt result discarded: the job was cancelled or taken over"),
            Err(e) => {
                tracing::error!(error = %e, "could not record the job's result; its lease will expire and it will run again")
            }
        }
    }

    /// A retry is queued: counted now, and looked for when it comes due (a
    /// sweep finds it too if this host stops before then).
    fn retry_due_in(self: &Arc<Self>, capability: &str, delay: Duration) {
        let Some(lane) = self.lanes.get(capability).cloned() else { return };
        lane.queued(1);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            lane.wake();
        });
    }

    /// The input was validated at submission by the version current then; only
    /// when a different version (after a swap) claims the job must it be checked again.
    fn revalidate(&self, version: &Version, claimed: &Claimed) -> Result<(), Failure> {
        if claimed.accepted_digest.as_deref() == Some(version.digest.as_str()) {
            return Ok(());
        }
        serde_json::from_str(&claimed.input)
            .map_err(|e| e.to_string())
            .and_then(|input: serde_json::Value| version.validate_input(&input))
            .map_err(|e| {
                Failure::new(
                    "COMMON_INVALID_REQUEST",
                    format!("the input does not fit version {} of this capability: {e}", version.descriptor.version),
                )
            })
    }
}

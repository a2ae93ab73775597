//! Running one dequeued job: claim it, run it on the current version, and
//! record how it ended (completed, failed, or queued again for a retry).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

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
    pub(super) async fn execute(self: &Arc<Self>, entry: &Entry, id: &str) {
        let capability = entry.spec.id.as_str();
        // Pin the version now: a swap while this job runs does not affect it.
        let version = entry.current();
        // Registered before the claim: a cancel that lands between the claim
        // and the run still finds the job's token.
        let cancel = CancellationToken::new();
        let running = super::Running { token: cancel.clone(), attempt: None };
        self.running.lock().expect("running lock").insert(id.to_string(), running);
        let now = now_ms();
        let lease_until = now + self.config.lease.as_millis() as i64;
        let claimed = match self.store.claim(id, &self.owner, lease_until, &version.digest, now).await {
            Ok(Some(c)) => {
                if let Some(running) = self.running.lock().expect("running lock").get_mut(id) {
                    running.attempt = Some(c.attempt);
                }
                c
            }
            // Cancelled, or already taken by another worker.
            Ok(None) => {
                self.running.lock().expect("running lock").remove(id);
                return;
            }
            Err(e) => {
                self.running.lock().expect("running lock").remove(id);
                tracing::error!(error = %e, "could not claim job; it stays queued");
                self.queue.push_after(capability, id.to_string(), Duration::from_secs(1));
                return;
            }
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
                    input: claimed.input,
                    tenant: claimed.tenant,
                };
                self.runtime.run(&version, run, hooks, cancel).await
            }
            Err(failure) => Err(failure),
        };
        self.running.lock().expect("running lock").remove(id);

        let outcome = outcome.and_then(|output| version.check_output(&output).map(|_| output));
        let (finish, retry_in) = match outcome {
            Ok(result) => (Finish::Completed { result }, None),
            Err(failure) if failure.retryable && claimed.attempt < claimed.max_attempts => {
                let delay = self.backoff(claimed.attempt);
                tracing::info!(code = %failure.code, retry_in = ?delay, "attempt failed; will retry");
                let run_after = now_ms() + delay.as_millis() as i64;
                (Finish::Retry { failure, run_after }, Some(delay))
            }
            Err(failure) => {
                tracing::info!(code = %failure.code, message = %failure.message, "job failed");
                (Finish::Failed { failure }, None)
            }
        };
        match self.store.finish(id, &self.owner, claimed.attempt, finish, now_ms()).await {
            Ok(true) => match retry_in {
                Some(delay) => self.queue.push_after(capability, id.to_string(), delay),
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

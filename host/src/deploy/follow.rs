//! How a host follows the versions the others release: a release notice
//! from the bus makes it look at once, and a check every [`FOLLOW_EVERY`]
//! finds what it did not hear (the bus is best effort: a host that was
//! disconnected misses what was said meanwhile). Either way the store says
//! which version is active; a notice only says when to look.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{Deployer, FOLLOW_EVERY};
use crate::bus::{Bus, Notice};

/// The bus as the rest of the host sees it, with release notices taken off
/// it for the deployer: `Jobs` listens to the bus (once, at start-up) and
/// the notices about jobs are its own. Returns the bus to hand on and the
/// components other hosts released, in the order heard.
pub fn tap(bus: Arc<dyn Bus>) -> (Arc<dyn Bus>, mpsc::UnboundedReceiver<String>) {
    let (released, heard) = mpsc::unbounded_channel();
    (Arc::new(Tapped { inner: bus, released: Mutex::new(Some(released)) }), heard)
}

struct Tapped {
    inner: Arc<dyn Bus>,
    /// Taken by the first listener: one process listens once.
    released: Mutex<Option<mpsc::UnboundedSender<String>>>,
}

#[async_trait::async_trait]
impl Bus for Tapped {
    fn broadcast(&self, notice: Notice) {
        self.inner.broadcast(notice);
    }

    async fn listen(&self) -> mpsc::UnboundedReceiver<Notice> {
        let mut heard = self.inner.listen().await;
        let released = self.released.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(notice) = heard.recv().await {
                match notice {
                    Notice::Released { component, .. } => {
                        if let Some(released) = &released {
                            let _ = released.send(component);
                        }
                    }
                    // The other listener may be gone while the deployer still
                    // listens; the loop ends when the bus does.
                    other => {
                        let _ = tx.send(other);
                    }
                }
            }
        });
        rx
    }

    fn status(&self) -> Result<(), String> {
        self.inner.status()
    }
}

/// Follow the store's active versions until the process ends: at once for
/// each release heard, and every [`FOLLOW_EVERY`] for those missed.
pub async fn follow(deployer: Arc<Deployer>, mut released: mpsc::UnboundedReceiver<String>) {
    let mut tick = tokio::time::interval(FOLLOW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut hearing = true;
    loop {
        tokio::select! {
            heard = released.recv(), if hearing => match heard {
                // Loads run beside the loop, so a large component being
                // compiled does not hold up another's release; the
                // deployer's per-component lock keeps them in order.
                Some(component) => {
                    let deployer = deployer.clone();
                    tokio::spawn(async move { deployer.follow_one(&component).await });
                }
                // Without a bus only the check remains.
                None => hearing = false,
            },
            _ = tick.tick() => deployer.check().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::bus::{Bus, MemoryBus, Notice};

    #[tokio::test]
    async fn release_notices_go_to_the_deployer_and_the_rest_to_the_jobs() {
        let other_host = MemoryBus::default();
        let (bus, mut released) = super::tap(Arc::new(other_host.join()));
        let mut heard = bus.listen().await;
        other_host.broadcast(Notice::Cancel { job: "job_1".into() });
        other_host.broadcast(Notice::Released { component: "echo".into(), digest: "sha256:a".into() });
        other_host.broadcast(Notice::Finished { job: "job_1".into() });
        const WITHIN: Duration = Duration::from_secs(5);
        let first = tokio::time::timeout(WITHIN, heard.recv()).await.unwrap();
        assert_eq!(first, Some(Notice::Cancel { job: "job_1".into() }));
        let second = tokio::time::timeout(WITHIN, heard.recv()).await.unwrap();
        assert_eq!(second, Some(Notice::Finished { job: "job_1".into() }));
        let release = tokio::time::timeout(WITHIN, released.recv()).await.unwrap();
        assert_eq!(release.as_deref(), Some("echo"));
        assert!(released.try_recv().is_err(), "a job's notice reached the deployer");
    }
}

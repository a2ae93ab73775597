//! Where a capability's workers wait for work. The store is the queue: jobs
//! are claimed from it, by whichever host has room. A lane only says "look
//! now" (a job was submitted, a retry came due, another host has more than
//! it can run); a wake-up that is lost costs a delay of at most one sweep,
//! never a job, because the scheduler also looks on a timer.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};

/// How long announcements of new work to other hosts are gathered into one:
/// a burst of submissions wakes the other hosts once, not once per job.
const ANNOUNCE_WINDOW: Duration = Duration::from_millis(10);

pub(super) struct Lane {
    wake: Notify,
    /// Jobs waiting, as this host last counted them in the store plus what
    /// it queued and took since (exact on one host; other hosts' work shows
    /// at the next count).
    depth: AtomicI64,
    /// The jobs of this capability this host may run at once.
    pub(super) slots: Arc<Semaphore>,
    /// An announcement to the other hosts is already on its way.
    announcing: AtomicBool,
}

impl Lane {
    fn new(concurrency: u32) -> Self {
        Self {
            wake: Notify::new(),
            depth: AtomicI64::new(0),
            slots: Arc::new(Semaphore::new(concurrency as usize)),
            announcing: AtomicBool::new(false),
        }
    }

    /// Look in the store now. One waiter per lane: a wake-up while the
    /// scheduler is busy is kept for its next wait.
    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Until woken, or `at_most` has passed.
    pub(super) async fn wait(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.wake.notified()).await;
    }

    pub(super) fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed).max(0) as usize
    }

    pub(super) fn queued(&self, n: usize) {
        self.depth.fetch_add(n as i64, Ordering::Relaxed);
    }

    pub(super) fn taken(&self, n: usize) {
        self.depth.fetch_sub(n as i64, Ordering::Relaxed);
    }

    pub(super) fn counted(&self, n: u64) {
        self.depth.store(n as i64, Ordering::Relaxed);
    }

    /// Whether this host has no room for another job of this capability now
    /// (then the other hosts should hear about new work).
    pub(super) fn full(&self) -> bool {
        self.slots.available_permits() == 0
    }

    /// Run `announce` once for everything queued in the next
    /// [`ANNOUNCE_WINDOW`] (the trailing edge: the last job of a burst is
    /// announced too).
    pub(super) fn announce_soon(self: &Arc<Self>, announce: impl FnOnce() + Send + 'static) {
        if self.announcing.swap(true, Ordering::AcqRel) {
            return;
        }
        let lane = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(ANNOUNCE_WINDOW).await;
            lane.announcing.store(false, Ordering::Release);
            announce();
        });
    }
}

/// One lane per capability this host serves.
pub(super) struct Lanes(HashMap<String, Arc<Lane>>);

impl Lanes {
    pub(super) fn new<'a>(capabilities: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        Self(
            capabilities
                .into_iter()
                .map(|(id, concurrency)| (id.to_string(), Arc::new(Lane::new(concurrency))))
                .collect(),
        )
    }

    /// `None` for a capability this host does not serve (another host's notice).
    pub(super) fn get(&self, capability: &str) -> Option<&Arc<Lane>> {
        self.0.get(capability)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&String, &Arc<Lane>)> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_before_the_wait_is_kept() {
        let lane = Lane::new(1);
        lane.wake();
        let started = tokio::time::Instant::now();
        lane.wait(Duration::from_secs(5)).await;
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_wait_without_a_wake_ends_at_its_limit() {
        let lane = Lane::new(1);
        let started = tokio::time::Instant::now();
        lane.wait(Duration::from_millis(50)).await;
        assert!(started.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_burst_is_announced_once_after_its_last_job() {
        let lane = Arc::new(Lane::new(1));
        let count = Arc::new(AtomicI64::new(0));
        for _ in 0..50 {
            let count = count.clone();
            lane.announce_soon(move || {
                count.fetch_add(1, Ordering::Relaxed);
            });
        }
        tokio::time::sleep(ANNOUNCE_WINDOW * 5).await;
        assert_eq!(count.load(Ordering::Relaxed), 1);
        let again = count.clone();
        lane.announce_soon(move || {
            again.fetch_add(1, Ordering::Relaxed);
        });
        tokio::time::sleep(ANNOUNCE_WINDOW * 5).await;
        assert_eq!(count.load(Ordering::Relaxed), 2, "a later job is announced again");
    }

    #[test]
    fn depth_never_reads_below_zero() {
        let lane = Lane::new(1);
        lane.queued(1);
        lane.taken(3);
        assert_eq!(lane.depth(), 0);
        lane.counted(7);
        assert_eq!(lane.depth(), 7);
    }
}

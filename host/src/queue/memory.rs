//! One FIFO lane per capability, each with a single consumer (the
//! capability's scheduler loop).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;

use super::Queue;

#[derive(Default)]
struct Lane {
    ids: Mutex<VecDeque<String>>,
    ready: Notify,
}

pub struct MemoryQueue {
    lanes: HashMap<String, Arc<Lane>>,
}

impl MemoryQueue {
    pub fn new<'a>(capabilities: impl IntoIterator<Item = &'a str>) -> Self {
        Self { lanes: capabilities.into_iter().map(|c| (c.to_string(), Arc::new(Lane::default()))).collect() }
    }

    fn lane(&self, capability: &str) -> Option<&Arc<Lane>> {
        let lane = self.lanes.get(capability);
        if lane.is_none() {
            tracing::warn!(%capability, "job for a capability this host does not serve");
        }
        lane
    }
}

fn push_lane(lane: &Lane, id: String) {
    lane.ids.lock().expect("queue lock").push_back(id);
    // One consumer per lane: a stored permit covers a push that happens
    // before the consumer starts waiting.
    lane.ready.notify_one();
}

#[async_trait]
impl Queue for MemoryQueue {
    fn push(&self, capability: &str, id: String) {
        if let Some(lane) = self.lane(capability) {
            push_lane(lane, id);
        }
    }

    fn push_after(&self, capability: &str, id: String, delay: Duration) {
        if delay.is_zero() {
            return self.push(capability, id);
        }
        if let Some(lane) = self.lane(capability).cloned() {
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                push_lane(&lane, id);
            });
        }
    }

    async fn pop(&self, capability: &str) -> String {
        let Some(lane) = self.lanes.get(capability) else {
            return std::future::pending().await;
        };
        loop {
            if let Some(id) = lane.ids.lock().expect("queue lock").pop_front() {
                return id;
            }
            lane.ready.notified().await;
        }
    }

    fn remove(&self, capability: &str, id: &str) -> bool {
        let Some(lane) = self.lanes.get(capability) else { return false };
        let mut ids = lane.ids.lock().expect("queue lock");
        let before = ids.len();
        ids.retain(|queued| queued != id);
        ids.len() != before
    }

    fn depth(&self, capability: &str) -> usize {
        self.lanes.get(capability).map(|l| l.ids.lock().expect("queue lock").len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ids_come_out_in_order() {
        let q = MemoryQueue::new(["a"]);
        q.push("a", "1".into());
        q.push("a", "2".into());
        assert_eq!(q.depth("a"), 2);
        assert_eq!(q.pop("a").await, "1");
        assert_eq!(q.pop("a").await, "2");
    }

    #[tokio::test]
    async fn pop_waits_for_a_push() {
        let q = Arc::new(MemoryQueue::new(["a"]));
        let q2 = q.clone();
        let waiter = tokio::spawn(async move { q2.pop("a").await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        q.push("a", "x".into());
        assert_eq!(waiter.await.unwrap(), "x");
    }

    #[tokio::test]
    async fn removed_ids_are_not_popped() {
        let q = MemoryQueue::new(["a"]);
        q.push("a", "1".into());
        q.push("a", "2".into());
        assert!(q.remove("a", "1"));
        assert!(!q.remove("a", "1"));
        assert_eq!(q.depth("a"), 1);
        assert_eq!(q.pop("a").await, "2");
    }

    #[tokio::test]
    async fn delayed_push_arrives_later() {
        let q = MemoryQueue::new(["a"]);
        q.push_after("a", "later".into(), Duration::from_millis(30));
        assert_eq!(q.depth("a"), 0);
        assert_eq!(tokio::time::timeout(Duration::from_secs(2), q.pop("a")).await.unwrap(), "later");
    }
}

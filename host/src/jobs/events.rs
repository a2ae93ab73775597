//! Live events of running jobs, for event streams and synchronous waiters.
//! A channel exists only while someone listens; publishing to a job nobody
//! watches costs one map lookup.
//!
//! Listening is a [`Subscription`]: it owns its receiver and gives the
//! channel back in its own `Drop`, after the receiver is gone. Releasing is
//! therefore not the caller's job, and no caller can release before its
//! receiver is dropped (which left the channel behind forever: one per event
//! stream of an unknown or finished job).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

/// Events one job may have in flight for a slow listener before it lags.
const CHANNEL_CAPACITY: usize = 256;

#[derive(Debug, Clone)]
pub enum JobEvent {
    Progress {
        percent: u8,
        step: String,
        message: String,
    },
    Chunk(String),
    /// A piece of a language model's answer, as it is generated.
    Token {
        seq: u64,
        text: String,
    },
    /// The job reached a terminal state; read it from the store.
    Finished,
}

type Channels = Arc<Mutex<HashMap<String, broadcast::Sender<JobEvent>>>>;

#[derive(Default)]
pub struct EventHub {
    channels: Channels,
}

impl EventHub {
    /// Listen to one job's events until the returned subscription is dropped.
    pub fn subscribe(&self, id: &str) -> Subscription {
        let mut channels = self.channels.lock().expect("event hub lock");
        let rx = channels.entry(id.to_string()).or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe();
        Subscription { channels: self.channels.clone(), id: id.to_string(), rx: Some(rx) }
    }

    pub fn publish(&self, id: &str, event: JobEvent) {
        let channels = self.channels.lock().expect("event hub lock");
        if let Some(tx) = channels.get(id) {
            let _ = tx.send(event);
        }
    }

    /// Publish the terminal event and drop the channel.
    pub fn finish(&self, id: &str) {
        let mut channels = self.channels.lock().expect("event hub lock");
        if let Some(tx) = channels.remove(id) {
            let _ = tx.send(JobEvent::Finished);
        }
    }

    /// The jobs someone listens to now.
    pub fn watched(&self) -> Vec<String> {
        self.channels.lock().expect("event hub lock").keys().cloned().collect()
    }

    /// Jobs with at least one listener right now (what `/health` reports).
    pub fn live_channels(&self) -> usize {
        self.channels.lock().expect("event hub lock").len()
    }
}

/// One listener of one job's events; dropping it unsubscribes.
pub struct Subscription {
    channels: Channels,
    id: String,
    /// Always `Some` until `drop`, which must drop it before looking at
    /// the channel's receiver count.
    rx: Option<broadcast::Receiver<JobEvent>>,
}

impl Subscription {
    /// The next event; `Closed` once the job finished and the hub let go of
    /// the channel, `Lagged` when this listener fell behind.
    pub async fn recv(&mut self) -> Result<JobEvent, RecvError> {
        match self.rx.as_mut() {
            Some(rx) => rx.recv().await,
            None => Err(RecvError::Closed),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Under the lock, so a subscribe racing with this drop either sees
        // the channel before it is removed (and keeps it alive) or makes a new one.
        let mut channels = self.channels.lock().expect("event hub lock");
        drop(self.rx.take());
        if channels.get(&self.id).is_some_and(|tx| tx.receiver_count() == 0) {
            channels.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress() -> JobEvent {
        JobEvent::Progress { percent: 50, step: "half".into(), message: String::new() }
    }

    #[test]
    fn a_dropped_subscription_leaves_no_channel() {
        let hub = EventHub::default();
        let sub = hub.subscribe("job_a");
        assert_eq!(hub.live_channels(), 1);
        drop(sub);
        assert_eq!(hub.live_channels(), 0);
    }

    #[test]
    fn a_subscription_dropped_after_events_leaves_no_channel() {
        let hub = EventHub::default();
        let sub = hub.subscribe("job_a");
        hub.publish("job_a", progress());
        hub.publish("job_a", JobEvent::Chunk("part".into()));
        drop(sub);
        assert_eq!(hub.live_channels(), 0);
    }

    #[test]
    fn a_subscription_dropped_after_finish_leaves_no_channel() {
        let hub = EventHub::default();
        let sub = hub.subscribe("job_a");
        hub.finish("job_a");
        assert_eq!(hub.live_channels(), 0);
        drop(sub);
        assert_eq!(hub.live_channels(), 0);
    }

    #[test]
    fn subscribing_to_a_finished_job_and_leaving_leaves_no_channel() {
        let hub = EventHub::default();
        hub.finish("job_a");
        let sub = hub.subscribe("job_a");
        drop(sub);
        assert_eq!(hub.live_channels(), 0);
    }

    #[test]
    fn the_channel_stays_while_another_listener_remains() {
        let hub = EventHub::default();
        let first = hub.subscribe("job_a");
        let second = hub.subscribe("job_a");
        drop(first);
        assert_eq!(hub.live_channels(), 1);
        drop(second);
        assert_eq!(hub.live_channels(), 0);
    }

    #[tokio::test]
    async fn a_subscription_receives_events_then_finished_then_closed() {
        let hub = EventHub::default();
        let mut sub = hub.subscribe("job_a");
        hub.publish("job_a", progress());
        hub.finish("job_a");
        assert!(matches!(sub.recv().await, Ok(JobEvent::Progress { percent: 50, .. })));
        assert!(matches!(sub.recv().await, Ok(JobEvent::Finished)));
        assert!(matches!(sub.recv().await, Err(RecvError::Closed)));
    }
}

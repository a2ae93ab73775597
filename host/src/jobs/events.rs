//! Live events of running jobs, for event streams and synchronous waiters.
//! A channel exists only while someone listens; publishing to a job nobody
//! watches costs one map lookup.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub enum JobEvent {
    Progress {
        percent: u8,
        step: String,
        message: String,
    },
    Chunk(String),
    /// The job reached a terminal state; read it from the store.
    Finished,
}

#[derive(Default)]
pub struct EventHub {
    channels: Mutex<HashMap<String, broadcast::Sender<JobEvent>>>,
}

impl EventHub {
    pub fn subscribe(&self, id: &str) -> broadcast::Receiver<JobEvent> {
        let mut channels = self.channels.lock().expect("event hub lock");
        channels.entry(id.to_string()).or_insert_with(|| broadcast::channel(256).0).subscribe()
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

    /// A listener went away; drop the channel if it was the last one.
    pub fn release(&self, id: &str) {
        let mut channels = self.channels.lock().expect("event hub lock");
        if channels.get(id).is_some_and(|tx| tx.receiver_count() == 0) {
            channels.remove(id);
        }
    }
}

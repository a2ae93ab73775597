//! The in-process bus. A host alone has no peers, so its notices go
//! nowhere; handles made with [`MemoryBus::join`] share one network, as
//! several hosts in one process would (the conformance suite's pair).

#[cfg(test)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{Bus, Notice};

#[derive(Default)]
struct Network {
    /// Handles joined so far (tests join several hosts in one process).
    #[cfg(test)]
    hosts: AtomicUsize,
    /// Each listener with the host it belongs to.
    listeners: Mutex<Vec<(usize, mpsc::UnboundedSender<Notice>)>>,
}

#[derive(Default)]
pub struct MemoryBus {
    me: usize,
    network: Arc<Network>,
}

impl MemoryBus {
    /// Another host on the same network.
    #[cfg(test)]
    pub fn join(&self) -> Self {
        let me = self.network.hosts.fetch_add(1, Ordering::Relaxed) + 1;
        Self { me, network: self.network.clone() }
    }
}

#[async_trait::async_trait]
impl Bus for MemoryBus {
    fn broadcast(&self, notice: Notice) {
        let mut listeners = self.network.listeners.lock().expect("bus lock");
        // A listener that is gone is forgotten.
        listeners.retain(|(host, tx)| *host == self.me || tx.send(notice.clone()).is_ok());
    }

    async fn listen(&self) -> mpsc::UnboundedReceiver<Notice> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.network.listeners.lock().expect("bus lock").push((self.me, tx));
        rx
    }

    fn status(&self) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryBus;

    #[tokio::test]
    async fn the_memory_bus_meets_the_conformance_suite() {
        let first = MemoryBus::default();
        let second = first.join();
        super::super::conformance::run(&first, &second).await;
    }
}

//! Where submitted job ids wait for a worker. [`Queue`] is the contract;
//! [`MemoryQueue`] the embedded implementation (the store is the source of
//! truth, so on restart the queue is rebuilt from queued rows).

mod memory;

use async_trait::async_trait;

pub use memory::MemoryQueue;

#[async_trait]
pub trait Queue: Send + Sync {
    /// Make a job available to the capability's workers now.
    fn push(&self, capability: &str, id: String);
    /// Make a job available once `delay` has passed (retry backoff).
    fn push_after(&self, capability: &str, id: String, delay: std::time::Duration);
    /// The next job id for `capability`, waiting until there is one.
    async fn pop(&self, capability: &str) -> String;
    /// Take a waiting job out (it was cancelled); false if it is not waiting.
    fn remove(&self, capability: &str, id: &str) -> bool;
    /// Jobs ready and waiting for `capability`.
    fn depth(&self, capability: &str) -> usize;
}

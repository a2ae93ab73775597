//! What hosts sharing one database tell each other about jobs: a job's
//! live events (so an event stream or a synchronous call on one host follows
//! a job running on another), its end, and cancels (so the host running a
//! job stops its guest when another host was asked to cancel it); and
//! component releases (so every host follows a push at once).
//!
//! [`Bus`] is the contract; [`MemoryBus`] the in-process implementation (a
//! single host has no peers; tests join several handles), [`PgBus`] the
//! shared one over PostgreSQL `LISTEN`/`NOTIFY`, [`RedisBus`] the one over
//! Redis pub/sub when the deployment has a Redis; `conformance` the suite
//! all pass. Delivery is best effort: a host that was disconnected misses
//! what was said meanwhile, so nothing that must happen relies on it alone
//! (the store stays the truth: a cancelled job's result is fenced out).

mod memory;
mod postgres;
mod redis;

#[cfg(test)]
mod conformance;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

pub use self::redis::RedisBus;
pub use memory::MemoryBus;
pub use postgres::PgBus;

/// One message between hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    Progress {
        job: String,
        percent: u8,
        step: String,
        message: String,
    },
    Chunk {
        job: String,
        text: String,
    },
    Token {
        job: String,
        seq: u64,
        text: String,
    },
    /// The job reached a terminal state; read it from the store.
    Finished {
        job: String,
    },
    /// Stop the job's guest if it runs here.
    Cancel {
        job: String,
    },
    /// Jobs of this capability wait and their host has no room for them:
    /// a host with room claims them now instead of at its next sweep.
    Queued {
        capability: String,
    },
    /// A version of this component was made active for every host; read
    /// which from the store (see `deploy`).
    Released {
        component: String,
        digest: String,
    },
}

/// A notice on the wire between hosts: who sent it, so a host drops its
/// own, and the sender's count. PostgreSQL delivers identical payloads sent
/// in one transaction once; the count keeps two equal notices (the same
/// chunk twice) two.
#[derive(Serialize, Deserialize)]
struct Envelope {
    from: String,
    #[serde(default)]
    seq: u64,
    notice: Notice,
}

/// Writes this host's notices for the wire.
struct Sealer {
    me: String,
    sent: u64,
}

impl Sealer {
    fn new(me: &str) -> Self {
        Self { me: me.to_string(), sent: 0 }
    }

    fn seal(&mut self, notice: Notice) -> String {
        self.sent += 1;
        let envelope = Envelope { from: self.me.clone(), seq: self.sent, notice };
        serde_json::to_string(&envelope).expect("a notice serialises")
    }
}

/// The notice in `payload`, unless this host (`me`) sent it; an unreadable
/// one is logged and dropped.
fn open(me: &str, payload: &[u8]) -> Option<Notice> {
    match serde_json::from_slice::<Envelope>(payload) {
        Ok(envelope) if envelope.from == me => None,
        Ok(envelope) => Some(envelope.notice),
        Err(e) => {
            tracing::warn!(error = %e, "an unreadable notice from another host");
            None
        }
    }
}

/// Whether a bus hears the other hosts now: `None` while it does, else why
/// not (for `/health`). Shared between a bus and its listening task.
#[derive(Clone, Default)]
pub struct Hearing(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl Hearing {
    fn lost(&self, why: impl std::fmt::Display) {
        *self.0.lock().expect("hearing lock") = Some(why.to_string());
    }

    fn back(&self) {
        *self.0.lock().expect("hearing lock") = None;
    }

    fn now(&self) -> Result<(), String> {
        match &*self.0.lock().expect("hearing lock") {
            None => Ok(()),
            Some(why) => Err(why.clone()),
        }
    }
}

#[async_trait::async_trait]
pub trait Bus: Send + Sync {
    /// Tell every other host; never waits and never fails the caller (a
    /// notice that cannot be sent is logged).
    fn broadcast(&self, notice: Notice);
    /// What other hosts broadcast, in the order each sent it, never this
    /// host's own notices; listening has begun when this returns. Called
    /// once, when the host starts.
    async fn listen(&self) -> mpsc::UnboundedReceiver<Notice>;
    /// `Err` (saying why) while this host cannot hear the others: their
    /// events and cancels reach it late (at the next sweep or heartbeat).
    fn status(&self) -> Result<(), String>;
}

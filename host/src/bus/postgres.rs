//! The bus over PostgreSQL `LISTEN`/`NOTIFY`, for hosts that share a
//! database and nothing else. Each notice is one `NOTIFY` on a channel named
//! after the deployment's schema, sent in order over one connection of its
//! own; each host listens on that channel and drops what it sent itself.
//! A payload is at most 8,000 bytes: longer progress messages and output
//! chunks are cut (the store keeps the whole result).

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use super::{Bus, Hearing, Notice, Sealer, open};

/// Room for a notice's text within PostgreSQL's 8,000-byte payload.
const MAX_TEXT: usize = 6_000;

/// Most notices sent in one statement.
const MAX_BATCH: usize = 256;

pub struct PgBus {
    pool: PgPool,
    channel: String,
    me: String,
    outbox: mpsc::UnboundedSender<Notice>,
    hearing: Hearing,
}

impl PgBus {
    /// The bus of the deployment in `schema` (`None`: the server's default).
    pub fn new(pool: PgPool, schema: Option<&str>) -> Self {
        let channel = format!("capsule_{}", schema.unwrap_or("public"));
        let me = uuid::Uuid::new_v4().simple().to_string();
        let (outbox, rx) = mpsc::unbounded_channel();
        tokio::spawn(send_loop(pool.clone(), channel.clone(), me.clone(), rx));
        Self { pool, channel, me, outbox, hearing: Hearing::default() }
    }
}

/// Cut `text` to at most `MAX_TEXT` bytes at a character boundary.
fn cut(text: &mut String) {
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

/// Sends notices in order over one connection, reconnecting after a
/// failure; every notice waiting at the time goes in one statement (one
/// transaction, so PostgreSQL delivers them in the order given), because a
/// busy host has several per job and one round trip each would limit it.
async fn send_loop(pool: PgPool, channel: String, me: String, mut rx: mpsc::UnboundedReceiver<Notice>) {
    let mut conn = None;
    let mut sealer = Sealer::new(&me);
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let payloads: Vec<String> = waiting
            .drain(..)
            .map(|mut notice| {
                match &mut notice {
                    Notice::Progress { message: text, .. }
                    | Notice::Chunk { text, .. }
                    | Notice::Token { text, .. } => cut(text),
                    Notice::Finished { .. }
                    | Notice::Cancel { .. }
                    | Notice::Queued { .. }
                    | Notice::Released { .. } => {}
                }
                sealer.seal(notice)
            })
            .collect();
        for attempt in 0..3 {
            if conn.is_none() {
                conn = pool.acquire().await.ok();
            }
            let Some(c) = conn.as_mut() else {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                continue;
            };
            let sent = sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(&channel)
                .bind(&payloads)
                .execute(&mut **c)
                .await;
            match sent {
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "notices to the other hosts were not sent; retrying");
                    conn = None;
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl Bus for PgBus {
    fn broadcast(&self, notice: Notice) {
        let _ = self.outbox.send(notice);
    }

    async fn listen(&self) -> mpsc::UnboundedReceiver<Notice> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (pool, channel, me, hearing) =
            (self.pool.clone(), self.channel.clone(), self.me.clone(), self.hearing.clone());
        let (ready, listening) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut ready = Some(ready);
            loop {
                let mut listener = match PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen to the other hosts; retrying");
                        hearing.lost(format!("cannot listen on PostgreSQL: {e}"));
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(&channel).await {
                    tracing::warn!(error = %e, "cannot listen to the other hosts; retrying");
                    hearing.lost(format!("cannot listen on PostgreSQL: {e}"));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                hearing.back();
                if let Some(ready) = ready.take() {
                    let _ = ready.send(());
                }
                // `recv` reconnects and listens again by itself after a lost connection.
                loop {
                    match listener.recv().await {
                        Ok(message) => {
                            if let Some(notice) = open(&me, message.payload().as_bytes())
                                && tx.send(notice).is_err()
                            {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "listening to the other hosts failed; reconnecting");
                            hearing.lost(format!("lost the PostgreSQL connection listening to the other hosts: {e}"));
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            break;
                        }
                    }
                }
            }
        });
        let _ = listening.await;
        rx
    }

    fn status(&self) -> Result<(), String> {
        self.hearing.now()
    }
}

#[cfg(test)]
mod tests {
    use crate::store::postgres::tests::open;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_postgres_bus_meets_the_conformance_suite() {
        let store = open().await;
        let schema = format!("bus_{}", uuid::Uuid::new_v4().simple());
        let first = super::PgBus::new(store.pool().clone(), Some(&schema));
        let second = super::PgBus::new(store.pool().clone(), Some(&schema));
        super::super::conformance::run(&first, &second).await;
    }

    #[test]
    fn a_long_text_is_cut_at_a_character_boundary() {
        let mut text = "가".repeat(5_000);
        super::cut(&mut text);
        assert!(text.len() <= super::MAX_TEXT && text.chars().all(|c| c == '가'));
    }
}

//! The bus over Redis pub/sub (`serve --redis-url`), for deployments that
//! keep PostgreSQL for the store and would rather not have every event of
//! every job pass through it. Each notice is one `PUBLISH` on a channel named
//! after the deployment, sent in order over one connection of its own; each
//! host subscribes to that channel over another and drops what it sent
//! itself. Redis keeps nothing for a subscriber that is away, so what is
//! published while a host reconnects is lost to it, as the bus allows.

use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use redis::aio::{MultiplexedConnection, PubSubSink, PubSubStream};
use redis::{AsyncConnectionConfig, Client};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::{Bus, Hearing, Notice, Sealer, open};

/// How long connecting, or one command, may take before the server counts
/// as gone.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How often a quiet subscription is checked: a connection whose server or
/// network vanished without closing it would otherwise pass for silence.
const PING_EVERY: Duration = Duration::from_secs(30);

pub struct RedisBus {
    client: Client,
    channel: String,
    me: String,
    outbox: mpsc::UnboundedSender<Notice>,
    hearing: Hearing,
}

impl RedisBus {
    /// The bus of the deployment `name` (`None`: the default one) on the
    /// Redis at `url`. Fails when that server cannot be reached or refuses
    /// the credentials, naming its address and never the URL (it may hold a
    /// password).
    pub async fn connect(url: &str, name: Option<&str>) -> anyhow::Result<Self> {
        // The parser's messages never quote the URL, so they are safe to show.
        let client = Client::open(url)
            .map_err(|e| anyhow::anyhow!("not a Redis URL ({e}): write redis://[user:password@]host:port[/db]"))?;
        // A Redis error's text already holds its cause's, so it is not kept
        // as a source too: the message would say everything twice.
        let unreachable = |e: redis::RedisError| anyhow::anyhow!("connecting to Redis at {}: {e}", address(&client));
        let mut conn = connect(&client).await.map_err(unreachable)?;
        // Connecting alone may not exercise the credentials or the database
        // number; a command does, so a wrong one stops the host at start-up.
        redis::cmd("PING").query_async::<String>(&mut conn).await.map_err(unreachable)?;
        let channel = format!("capsule:{}", name.unwrap_or("default"));
        let me = uuid::Uuid::new_v4().simple().to_string();
        let (outbox, rx) = mpsc::unbounded_channel();
        tokio::spawn(send_loop(client.clone(), channel.clone(), me.clone(), conn, rx));
        Ok(Self { client, channel, me, outbox, hearing: Hearing::default() })
    }
}

/// Where the server is, for messages: host and port (or socket path), with
/// no credentials.
fn address(client: &Client) -> String {
    client.get_connection_info().addr().to_string()
}

fn config() -> AsyncConnectionConfig {
    // The defaults (1 s to connect, 0.5 s per command) would count a server
    // that is merely slow on a loaded machine as gone and drop notices.
    AsyncConnectionConfig::new().set_connection_timeout(Some(TIMEOUT)).set_response_timeout(Some(TIMEOUT))
}

async fn connect(client: &Client) -> redis::RedisResult<MultiplexedConnection> {
    client.get_multiplexed_async_connection_with_config(&config()).await
}

/// Waits between reconnection attempts: doubling from 100 ms to 5 s, each
/// shortened by up to a half at random so that hosts which lost the same
/// server do not all come back at the same instant.
struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const LAST: Duration = Duration::from_secs(5);

    fn new() -> Self {
        Self(Self::FIRST)
    }

    fn reset(&mut self) {
        self.0 = Self::FIRST;
    }

    fn next_wait(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (wait * 2).min(Self::LAST);
        wait.mul_f64(rand::random_range(0.5..=1.0))
    }
}

/// Most notices sent in one round trip.
const MAX_BATCH: usize = 256;

/// Sends notices in order over one connection, every notice waiting at the
/// time in one pipelined round trip (a busy host has several per job: one
/// `PUBLISH` each would make the round trip the host's limit). While the
/// server is away, notices are dropped at once instead of waiting behind
/// reconnection attempts: a backlog of stale events helps no listener and
/// only grows.
async fn send_loop(
    client: Client,
    channel: String,
    me: String,
    conn: MultiplexedConnection,
    mut rx: mpsc::UnboundedReceiver<Notice>,
) {
    let mut conn = Some(conn);
    let mut backoff = Backoff::new();
    // When the next connection attempt is due, after one failed.
    let mut retry_at: Option<Instant> = None;
    let mut dropped = 0u64;
    let mut sealer = Sealer::new(&me);
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let mut batch = redis::pipe();
        for notice in waiting.drain(..) {
            batch.cmd("PUBLISH").arg(&channel).arg(sealer.seal(notice)).ignore();
        }
        let count = batch.len() as u64;
        let mut sent = false;
        // A second try, because a connection that died since the last
        // notice (the server restarted, or closed it as idle) shows it only
        // when used: that should cost a reconnection, not notices.
        for _ in 0..2 {
            if conn.is_none() {
                if retry_at.is_some_and(|at| Instant::now() < at) {
                    break;
                }
                match connect(&client).await {
                    Ok(c) => conn = Some(c),
                    Err(e) => {
                        if retry_at.is_none() {
                            tracing::warn!(error = %e, redis = %address(&client),
                                "cannot reach Redis; notices to the other hosts are dropped until it answers");
                        }
                        retry_at = Some(Instant::now() + backoff.next_wait());
                        break;
                    }
                }
            }
            let Some(c) = conn.as_mut() else { break };
            match batch.query_async::<()>(c).await {
                Ok(()) => {
                    sent = true;
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "notices to the other hosts failed; reconnecting to Redis");
                    conn = None;
                }
            }
        }
        if sent {
            if dropped > 0 {
                tracing::info!(dropped, "Redis answers again; notices to the other hosts were dropped meanwhile");
            }
            dropped = 0;
            retry_at = None;
            backoff.reset();
        } else {
            dropped += count;
        }
    }
}

/// A subscription to `channel`, confirmed by the server.
async fn subscribe(client: &Client, channel: &str) -> anyhow::Result<(PubSubSink, PubSubStream)> {
    let mut pubsub = tokio::time::timeout(TIMEOUT, client.get_async_pubsub()).await.context("timed out")??;
    tokio::time::timeout(TIMEOUT, pubsub.subscribe(channel)).await.context("timed out")??;
    Ok(pubsub.split())
}

/// Hands other hosts' notices to `tx` until it closes, subscribing again
/// whenever the connection is lost; `ready` fires at the first subscription.
async fn subscribe_loop(
    client: Client,
    channel: String,
    me: String,
    tx: mpsc::UnboundedSender<Notice>,
    ready: oneshot::Sender<()>,
    hearing: Hearing,
) {
    let mut ready = Some(ready);
    let mut backoff = Backoff::new();
    // Set once a loss was reported, so that an outage makes one warning
    // however many attempts it takes; every later one starts with a warning
    // of its own (the connection ending).
    let mut lost = false;
    loop {
        let (mut sink, mut stream) = match subscribe(&client, &channel).await {
            Ok(parts) => parts,
            Err(e) => {
                hearing.lost(format!("cannot listen on Redis at {}: {e:#}", address(&client)));
                if !lost {
                    tracing::warn!(error = %e, redis = %address(&client),
                        "cannot listen to the other hosts; retrying");
                    lost = true;
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff.next_wait()) => continue,
                    _ = tx.closed() => return,
                }
            }
        };
        backoff.reset();
        hearing.back();
        if lost {
            tracing::info!("listening to the other hosts again");
        }
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        loop {
            tokio::select! {
                message = stream.next() => {
                    // The stream ends when the connection does.
                    let Some(message) = message else { break };
                    if let Some(notice) = open(&me, message.get_payload_bytes())
                        && tx.send(notice).is_err()
                    {
                        return;
                    }
                }
                _ = ping.tick() => {
                    let answered = tokio::time::timeout(TIMEOUT, sink.ping::<redis::Value>()).await;
                    if !matches!(answered, Ok(Ok(_))) {
                        break;
                    }
                }
                _ = tx.closed() => return,
            }
        }
        tracing::warn!(redis = %address(&client), "lost the connection listening to the other hosts; reconnecting");
        hearing.lost(format!("lost the Redis connection at {} listening to the other hosts", address(&client)));
        lost = true;
    }
}

#[async_trait::async_trait]
impl Bus for RedisBus {
    fn broadcast(&self, notice: Notice) {
        let _ = self.outbox.send(notice);
    }

    async fn listen(&self) -> mpsc::UnboundedReceiver<Notice> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready, listening) = oneshot::channel();
        let hearing = self.hearing.clone();
        tokio::spawn(subscribe_loop(self.client.clone(), self.channel.clone(), self.me.clone(), tx, ready, hearing));
        let _ = listening.await;
        rx
    }

    fn status(&self) -> Result<(), String> {
        self.hearing.now()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use redis::aio::MultiplexedConnection;
    use tokio::sync::mpsc::UnboundedReceiver;

    use super::RedisBus;
    use crate::bus::{Bus, Notice};

    /// How long the bus may take to come back after its connections die.
    const RECOVERY: Duration = Duration::from_secs(10);

    fn test_url() -> String {
        std::env::var("CAPSULE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    fn unique(prefix: &str) -> String {
        format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
    }

    async fn bus(url: &str, name: &str) -> RedisBus {
        RedisBus::connect(url, Some(name)).await.unwrap_or_else(|e| panic!("{e:#} (set CAPSULE_TEST_REDIS)"))
    }

    fn cancel(job: &str) -> Notice {
        Notice::Cancel { job: job.into() }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_redis_bus_meets_the_conformance_suite() {
        // A channel of its own, so tests running beside it never mix.
        let name = unique("bus");
        let first = bus(&test_url(), &name).await;
        let second = bus(&test_url(), &name).await;
        super::super::conformance::run(&first, &second).await;
    }

    /// A Redis user of the test's own: `CLIENT KILL USER` then ends this
    /// test's connections and spares those of the tests running beside it.
    struct TestUser {
        admin: MultiplexedConnection,
        name: String,
        url: String,
    }

    impl TestUser {
        async fn create() -> Self {
            let client = redis::Client::open(test_url()).expect("CAPSULE_TEST_REDIS is a Redis URL");
            let mut admin = client
                .get_multiplexed_async_connection()
                .await
                .unwrap_or_else(|e| panic!("Redis (set CAPSULE_TEST_REDIS): {e}"));
            let (name, password) = (unique("capsule_test"), unique("secret"));
            redis::cmd("ACL")
                .arg("SETUSER")
                .arg(&name)
                .arg("on")
                .arg(format!(">{password}"))
                .arg("allkeys")
                .arg("allchannels")
                .arg("allcommands")
                .exec_async(&mut admin)
                .await
                .expect("ACL SETUSER");
            let mut url = reqwest::Url::parse(&test_url()).expect("CAPSULE_TEST_REDIS is a URL");
            url.set_username(&name).expect("a URL with a host");
            url.set_password(Some(&password)).expect("a URL with a host");
            Self { admin, name, url: url.into() }
        }

        /// Ends this user's connections of `kind` (`pubsub` or `normal`).
        async fn kill(&mut self, kind: &str) -> i64 {
            redis::cmd("CLIENT")
                .arg("KILL")
                .arg("USER")
                .arg(&self.name)
                .arg("TYPE")
                .arg(kind)
                .query_async(&mut self.admin)
                .await
                .expect("CLIENT KILL")
        }

        async fn remove(mut self) {
            let _: redis::RedisResult<()> =
                redis::cmd("ACL").arg("DELUSER").arg(&self.name).exec_async(&mut self.admin).await;
        }
    }

    /// The first notice heard for which `wanted` holds, skipping others.
    async fn hear(heard: &mut UnboundedReceiver<Notice>, wanted: impl Fn(&Notice) -> bool) -> Notice {
        tokio::time::timeout(RECOVERY, async {
            loop {
                let notice = heard.recv().await.expect("the listener stays open");
                if wanted(&notice) {
                    return notice;
                }
            }
        })
        .await
        .expect("a notice within the recovery time")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_redis_bus_comes_back_after_its_connections_are_killed() {
        let mut user = TestUser::create().await;
        let name = unique("bus");
        let first = bus(&user.url, &name).await;
        let second = bus(&user.url, &name).await;
        let mut heard = second.listen().await;
        first.broadcast(cancel("job_before"));
        assert_eq!(hear(&mut heard, |_| true).await, cancel("job_before"));

        assert!(user.kill("pubsub").await >= 1, "the subscription was killed");
        // What is published before the subscription is back is lost, so
        // keep saying something until one of it is heard.
        let speaker = async {
            for i in 0.. {
                first.broadcast(cancel(&format!("job_resubscribed_{i}")));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        tokio::select! {
            _ = speaker => unreachable!("the speaker never stops"),
            notice = hear(&mut heard, |n| matches!(n, Notice::Cancel { job } if job.starts_with("job_resubscribed_"))) => {
                assert!(matches!(notice, Notice::Cancel { .. }));
            }
        }

        assert!(user.kill("normal").await >= 2, "both senders' connections were killed");
        // The sender finds its connection dead only by using it; this one
        // notice must still arrive, over the connection it makes anew.
        first.broadcast(cancel("job_after"));
        assert_eq!(hear(&mut heard, |n| n == &cancel("job_after")).await, cancel("job_after"));
        user.remove().await;
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_named_without_its_password() {
        // Nothing listens on port 1 of the loopback: refused at once.
        let Err(e) = RedisBus::connect("redis://capsule:hunter2@127.0.0.1:1/0", None).await else {
            panic!("connected to nothing");
        };
        let message = format!("{e:#}");
        assert!(message.contains("127.0.0.1:1") && !message.contains("hunter2"), "{message}");
    }

    #[tokio::test]
    async fn a_wrong_password_stops_the_bus_at_start_up() {
        let mut url = reqwest::Url::parse(&test_url()).expect("CAPSULE_TEST_REDIS is a URL");
        url.set_username(&unique("nobody")).expect("a URL with a host");
        url.set_password(Some("hunter2")).expect("a URL with a host");
        let Err(e) = RedisBus::connect(url.as_str(), None).await else {
            panic!("a stranger was let in");
        };
        assert!(!format!("{e:#}").contains("hunter2"), "{e:#}");
    }
}

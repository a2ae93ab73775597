//! What one connection is doing, and the watchdog that closes it when it has
//! waited too long for a client.
//!
//! hyper's own `header_read_timeout` (checked in hyper 1.12's
//! `proto/h1/conn.rs`: `State::idle` re-arms it as soon as a response is
//! done) also runs while a keep-alive connection waits for its next request,
//! so it cannot give idle connections a longer allowance than half-sent
//! heads. This watchdog tells the two apart: it sees every byte read (through
//! [`Watched`]) and every request begin and end (through [`Busy`]).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request head since this instant: the connection's start,
    /// or the first byte after an idle spell.
    Head(Instant),
    /// Between two requests since this instant, nothing read since.
    Idle(Instant),
    /// This many requests are being handled or answered (an SSE stream too):
    /// the client is waiting for us, not we for it.
    Busy(usize),
}

/// Why a connection was closed by its watchdog.
#[derive(Debug, Clone, Copy)]
pub enum Expired {
    Head,
    Idle,
}

impl Expired {
    pub fn as_str(self) -> &'static str {
        match self {
            Expired::Head => "no complete request head within the header timeout",
            Expired::Idle => "idle longer than the idle timeout",
        }
    }
}

#[derive(Debug)]
pub struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { phase: Mutex::new(Phase::Head(Instant::now())), changed: Notify::new() })
    }

    fn update(&self, f: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(|e| e.into_inner());
        *phase = f(*phase);
        drop(phase);
        // One waiter (the watchdog); a permit is kept if it is not waiting yet.
        self.changed.notify_one();
    }

    fn bytes_read(&self) {
        let mut phase = self.phase.lock().unwrap_or_else(|e| e.into_inner());
        if let Phase::Idle(_) = *phase {
            *phase = Phase::Head(Instant::now());
            drop(phase);
            self.changed.notify_one();
        }
    }

    fn deadline(&self, header: Duration, idle: Duration) -> Option<(Instant, Expired)> {
        match *self.phase.lock().unwrap_or_else(|e| e.into_inner()) {
            Phase::Head(since) => Some((since + header, Expired::Head)),
            Phase::Idle(since) => Some((since + idle, Expired::Idle)),
            Phase::Busy(_) => None,
        }
    }

    /// Resolves when the connection has waited for its client longer than
    /// allowed; never while a request is in progress.
    pub async fn expired(&self, header: Duration, idle: Duration) -> Expired {
        loop {
            match self.deadline(header, idle) {
                None => self.changed.notified().await,
                Some((at, why)) => {
                    tokio::select! {
                        _ = self.changed.notified() => {}
                        _ = tokio::time::sleep_until(at) => return why,
                    }
                }
            }
        }
    }
}

/// A request in progress, from its head until its response body is dropped
/// (written whole, or abandoned with the connection).
#[derive(Debug)]
pub struct Busy(Arc<Activity>);

impl Busy {
    pub fn start(activity: Arc<Activity>) -> Self {
        activity.update(|phase| match phase {
            Phase::Busy(n) => Phase::Busy(n + 1),
            Phase::Head(_) | Phase::Idle(_) => Phase::Busy(1),
        });
        Self(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.update(|phase| match phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }
}

/// The connection's socket, reporting reads to its [`Activity`].
pub struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.bytes_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

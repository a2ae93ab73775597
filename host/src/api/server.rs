//! The HTTP server: our own accept loop on hyper, because `axum::serve`
//! bounds neither how long a client may keep a connection waiting nor how
//! many connections there are (issue 8: a slowloris, idle connections and
//! half-sent bodies each held a file descriptor forever, until `accept`
//! failed with "Too many open files" and `/health` stopped answering).
//!
//! - A connection over [`ServerLimits::max_connections`] gets a complete
//!   `503 COMMON_OVERLOADED` and is closed.
//! - A connection's watchdog ([`watch`]) closes it when a request head takes
//!   longer than `header_timeout` (from the connection's start, or from the
//!   first byte after an idle spell), or when it sits idle between requests
//!   for `idle_timeout`. It never fires while a request is in progress, so
//!   an SSE stream lasts as long as its job.
//! - A request body must arrive whole within `body_timeout` of its head;
//!   past that its reads fail and the answer is `408 COMMON_REQUEST_TIMEOUT`.
//! - On shutdown, idle connections close at once and requests in progress
//!   get [`SHUTDOWN_GRACE`] to finish.

mod body;
mod watch;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

use super::envelope::{ApiError, error_with_request_id};
use body::{TimedBody, TrackedBody};
use watch::{Activity, Busy, Watched};

/// How long requests in progress may take to finish after a shutdown signal
/// (an SSE stream of a queued job could otherwise hold the process forever).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Files kept free of connections: the database, blobs, compiled components
/// and engine processes need descriptors too.
pub const RESERVED_FILES: u64 = 64;

/// hyper's own limits, above the ones the API answers with its envelope
/// (`api::limits`), so that hyper's bare 431 only meets heads far beyond them.
const HYPER_MAX_HEADERS: usize = 1024;
const HYPER_MAX_BUF: usize = 128 * 1024;

/// Refusals (503) being written at once; past that, excess connections are
/// closed without a word rather than spending more descriptors on them.
const REFUSALS_AT_ONCE: usize = 64;

#[derive(Debug, Clone)]
pub struct ServerLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

/// Raises the soft limit of open files to the hard limit; returns the soft
/// limit in force afterwards (None when it cannot be read).
pub fn raise_open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read or write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            // An unlimited hard limit can be refused (Linux caps it at
            // fs.nr_open); the soft limit then stays as it was.
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                return Some(raised.rlim_cur);
            }
        }
    }
    Some(limit.rlim_cur)
}

/// The connection cap actually used: what was asked, but never more than the
/// open-files limit leaves after [`RESERVED_FILES`] (and at least one).
pub fn effective_max_connections(requested: usize, open_files: Option<u64>) -> usize {
    match open_files {
        Some(files) => {
            let room = files.saturating_sub(RESERVED_FILES).max(1);
            requested.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => requested,
    }
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        // The watchdog does this job (see `watch`); hyper's would also cut
        // idle keep-alive connections at the header timeout.
        .header_read_timeout(None)
        .max_headers(HYPER_MAX_HEADERS)
        .max_buf_size(HYPER_MAX_BUF);
    let builder = Arc::new(builder);
    let limits = Arc::new(limits);
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        match connections.clone().try_acquire_owned() {
            Ok(permit) => {
                let conn =
                    connection(stream, builder.clone(), router.clone(), limits.clone(), graceful.watcher(), permit);
                tokio::spawn(conn);
            }
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(refuse(stream, limits.header_timeout, permit));
                }
                Err(_) => drop(stream),
            },
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still in progress at shutdown were cut");
        }
    }
    Ok(())
}

async fn accept_failed(e: io::Error) {
    // A peer that gave up before we accepted it: nothing to do.
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    // Out of descriptors (EMFILE) and the like: retrying at once would spin;
    // connections that close in the meantime free some.
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(250)).await;
}

async fn connection(
    stream: TcpStream,
    builder: Arc<http1::Builder>,
    router: Router,
    limits: Arc<ServerLimits>,
    watcher: Watcher,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Activity::new();
    // Handlers that limit per client address (seed 003's login) read it as axum's `ConnectInfo`.
    let peer = stream.peer_addr().ok();
    let io = TokioIo::new(Watched::new(stream, activity.clone()));
    let service = {
        let (activity, body_timeout) = (activity.clone(), limits.body_timeout);
        hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            if let Some(peer) = peer {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            }
            handle(request, router.clone(), Busy::start(activity.clone()), body_timeout)
        })
    };
    let served = watcher.watch(builder.serve_connection(io, service));
    tokio::select! {
        result = served => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        why = activity.expired(limits.header_timeout, limits.idle_timeout) => {
            tracing::debug!(reason = why.as_str(), "closing a connection");
        }
    }
}

async fn handle(
    request: hyper::Request<Incoming>,
    router: Router,
    busy: Busy,
    body_timeout: Duration,
) -> Result<Response<TrackedBody<axum::body::Body>>, Infallible> {
    let timed_out = Arc::new(AtomicBool::new(false));
    let deadline = tokio::time::Instant::now() + body_timeout;
    let request = request.map(|body| axum::body::Body::new(TimedBody::new(body, deadline, timed_out.clone())));
    let response = router.oneshot(request).await.unwrap_or_else(|never| match never {});
    // The handler answered from a body cut short: whatever it said (a JSON
    // or multipart error), the cause is the timeout.
    let response = if timed_out.load(Ordering::Relaxed) { body_timeout_response(&response) } else { response };
    Ok(response.map(|body| TrackedBody::new(body, busy)))
}

fn request_id_of(response: &axum::response::Response) -> Option<String> {
    response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn body_timeout_response(answered: &axum::response::Response) -> axum::response::Response {
    let error = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "COMMON_REQUEST_TIMEOUT",
        "the request body did not arrive in time; send it at once, or ask the operator to raise --body-timeout",
    );
    // A 408 also closes the connection: part of the body may still be on its way.
    error_with_request_id(request_id_of(answered), error)
}

/// Answers a connection over the cap with a whole HTTP/1.1 503 (hyper is
/// not involved: the point is to spend as little as possible on it), then
/// reads what the client sent for a moment so that closing does not reset
/// the connection before the client has read the answer.
async fn refuse(mut stream: TcpStream, patience: Duration, _permit: OwnedSemaphorePermit) {
    let mut error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "COMMON_OVERLOADED",
        "the server has as many connections open as it accepts; retry in a moment",
    );
    error.retry_after = Some(1);
    let response = error_with_request_id(None, error);
    let (parts, body) = response.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else { return };
    let mut head =
        format!("HTTP/1.1 {} {}\r\n", parts.status.as_u16(), parts.status.canonical_reason().unwrap_or_default());
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()));
    let patience = patience.min(Duration::from_secs(2));
    let written = tokio::time::timeout(patience, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        return;
    }
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(patience, async {
        let mut left = 64 * 1024usize;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_a_reserve_of_files() {
        assert_eq!(effective_max_connections(1024, Some(1024)), 1024 - RESERVED_FILES as usize);
        assert_eq!(effective_max_connections(1024, Some(1_048_576)), 1024);
        assert_eq!(effective_max_connections(1024, Some(10)), 1);
        assert_eq!(effective_max_connections(1024, None), 1024);
    }
}

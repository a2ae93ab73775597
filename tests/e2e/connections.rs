//! Hostile and careless clients at the connection level: slow heads, idle
//! keep-alive connections, half-sent bodies, too many connections, oversized
//! heads. Raw TCP clients on loopback, so nothing is hidden by an HTTP client.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::{Host, Manifest, SECS_30, assert_error};

/// A client that keeps no connection between requests, so that a connection
/// closed by the server is never reused.
fn fresh_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

async fn health_answers(host: &Host) {
    let response = fresh_client().get(host.url("/health")).send().await.expect("GET /health");
    assert_eq!(response.status(), StatusCode::OK);
}

/// Reads until the server closes the connection (EOF or reset), at most
/// `limit`; returns what was read and when it was closed (None: still open).
async fn read_until_closed(stream: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> (Vec<u8>, Option<Instant>) {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    (bytes, read.ok())
}

/// A whole HTTP/1.1 response as read from the socket.
struct RawResponse {
    status: u16,
    head: String,
    body: Value,
}

impl RawResponse {
    fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no whole response head in {text:?}"));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("status of {head}"));
        let body = serde_json::from_str(body).unwrap_or(Value::String(body.to_string()));
        Self { status, head: head.to_ascii_lowercase(), body }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }

    fn assert_envelope(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}\n{}", self.head, self.body);
        assert_eq!(self.body["success"], false, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
        assert!(self.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", self.body);
        assert!(self.body["meta"]["requestId"].as_str().is_some_and(|r| !r.is_empty()), "{}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"), "{}", self.head);
        assert_eq!(self.header("connection"), Some("close"), "{}", self.head);
    }
}

/// Reads one response with a `content-length` body from a kept-alive connection.
async fn read_one_response(stream: &mut TcpStream) -> RawResponse {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|v| v.trim().parse().ok())
                .expect("a content-length");
            if bytes.len() >= end + 4 + length {
                return RawResponse::parse(&bytes);
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let n = tokio::time::timeout(left, stream.read(&mut buf))
            .await
            .expect("the response did not come within 10 s")
            .expect("reading the response");
        assert!(n > 0, "the server closed the connection before the whole response: {bytes:?}");
        bytes.extend_from_slice(&buf[..n]);
    }
}

fn assert_closed_between(what: &str, opened: Instant, closed: Option<Instant>, at_least: Duration, at_most: Duration) {
    let closed = closed.unwrap_or_else(|| panic!("{what}: still open after {at_most:?}"));
    let lasted = closed - opened;
    assert!(lasted >= at_least, "{what}: closed after {lasted:?}, before the timeout of {at_least:?}");
    assert!(lasted <= at_most, "{what}: closed after {lasted:?}, later than {at_most:?}");
}

#[tokio::test]
async fn a_slowloris_is_closed_after_the_header_timeout_while_health_answers() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--header-timeout", "1s"]).await;
    let stream = TcpStream::connect(host.addr()).await.expect("connect");
    let opened = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    // One byte every 100 ms of a head that never ends: at most 200 bytes, 20 s.
    let trickle = tokio::spawn(async move {
        let head = format!("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {}", "a".repeat(200));
        for byte in head.as_bytes().iter().take(200) {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    health_answers(&host).await;
    let (answer, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    assert_closed_between("the slowloris", opened, closed, Duration::from_millis(950), Duration::from_secs(4));
    assert!(answer.is_empty(), "a half-sent head got an answer: {}", String::from_utf8_lossy(&answer));
    trickle.abort();
    health_answers(&host).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let args = ["--idle-timeout", "2s", "--header-timeout", "30s"];
    let host = Host::start(&Manifest::new().job("echo", &[]), &args).await;
    let mut stream = TcpStream::connect(host.addr()).await.expect("connect");
    for _ in 0..2 {
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("request");
        let response = read_one_response(&mut stream).await;
        assert_eq!(response.status, 200, "{}", response.head);
    }
    let idle_since = Instant::now();
    let (rest, closed) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert_closed_between(
        "the idle connection",
        idle_since,
        closed,
        Duration::from_millis(1950),
        Duration::from_secs(5),
    );
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

/// A POST whose head is whole and whose body is 1000 bytes long, of which
/// `sent` are written at once and the rest one byte every `trickle`.
async fn post_slow_body(host: &Host, sent: usize, trickle: Option<Duration>) -> (Vec<u8>, Instant, Option<Instant>) {
    let body = format!("{{\"message\": \"{}\"}}", "x".repeat(985));
    assert_eq!(body.len(), 1000);
    let head = format!(
        "POST /api/v1/echo/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let stream = TcpStream::connect(host.addr()).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.expect("head");
    writer.write_all(&body.as_bytes()[..sent]).await.expect("first part of the body");
    let started = Instant::now();
    let rest = body.as_bytes()[sent..].to_vec();
    let writing = tokio::spawn(async move {
        let Some(every) = trickle else {
            // Stall, but keep the write side open.
            tokio::time::sleep(Duration::from_secs(30)).await;
            return;
        };
        for byte in rest {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    });
    let (answer, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    writing.abort();
    (answer, started, closed)
}

#[tokio::test]
async fn a_half_sent_body_is_answered_408_after_the_body_timeout() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--body-timeout", "1s"]).await;
    let (answer, started, closed) = post_slow_body(&host, 500, None).await;
    assert_closed_between("the half-sent body", started, closed, Duration::from_millis(950), Duration::from_secs(4));
    RawResponse::parse(&answer).assert_envelope(408, "COMMON_REQUEST_TIMEOUT");
    health_answers(&host).await;
}

#[tokio::test]
async fn a_trickled_body_is_cut_at_the_body_timeout_although_bytes_keep_coming() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--body-timeout", "1s"]).await;
    // 10 bytes a second would take 50 s for the remaining 500 bytes.
    let (answer, started, closed) = post_slow_body(&host, 500, Some(Duration::from_millis(100))).await;
    assert_closed_between("the trickled body", started, closed, Duration::from_millis(950), Duration::from_secs(4));
    RawResponse::parse(&answer).assert_envelope(408, "COMMON_REQUEST_TIMEOUT");
}

#[tokio::test]
async fn a_connection_over_the_cap_gets_503_and_health_answers_once_idle_ones_are_closed() {
    let args = ["--max-connections", "8", "--header-timeout", "2s", "--idle-timeout", "1s"];
    let host = Host::start(&Manifest::new().job("echo", &[]), &args).await;
    // The harness's own kept-alive connection from start-up closes after the idle timeout.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(host.addr()).await.expect("connect"));
    }
    let mut ninth = TcpStream::connect(host.addr()).await.expect("connect the ninth");
    ninth.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("request");
    let (answer, closed) = read_until_closed(&mut ninth, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the refused connection was left open");
    let refusal = RawResponse::parse(&answer);
    refusal.assert_envelope(503, "COMMON_OVERLOADED");
    assert_eq!(refusal.header("retry-after"), Some("1"), "{}", refusal.head);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut buf = [0u8; 64];
    for (i, stream) in idle.iter().enumerate() {
        match stream.try_read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("idle connection {i} was not kept open under the cap: {other:?}"),
        }
    }
    for (i, stream) in idle.iter_mut().enumerate() {
        let (_, closed) = read_until_closed(stream, Duration::from_secs(10)).await;
        assert_closed_between(
            &format!("idle connection {i}"),
            opened,
            closed,
            Duration::from_millis(1900),
            Duration::from_secs(6),
        );
    }
    health_answers(&host).await;
}

#[tokio::test]
async fn an_event_stream_outlives_the_idle_and_header_timeouts_and_gets_its_events() {
    let args = ["--idle-timeout", "1s", "--header-timeout", "1s", "--body-timeout", "1s"];
    let host = Host::start(&Manifest::new().job("slow", &[("timeout", "\"30s\"")]), &args).await;
    let id = host.submit("slow", &json!({"steps": 6, "step_ms": 500})).await;
    let opened = Instant::now();
    let events = host.open_events(&id, SECS_30).await.collect().await;
    let lasted = opened.elapsed();
    assert!(lasted > Duration::from_secs(2), "the job should have run for about 3 s, the stream lasted {lasted:?}");
    let progress = events.iter().filter(|(name, _)| name == "progress").count();
    assert!(progress >= 3, "progress events through the stream: {events:?}");
    let (last, data) = events.last().expect("events");
    assert_eq!(last, "completed", "{events:?}");
    assert_eq!(data["result"]["steps_done"], 6, "{data}");
}

#[tokio::test]
async fn a_uri_over_8_kib_is_answered_414_with_the_envelope() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let url = host.url(&format!("/api/v1/jobs?capability={}", "a".repeat(10 * 1024)));
    let reply = host.send(fresh_client().get(url)).await;
    let message = assert_error(&reply, StatusCode::URI_TOO_LONG, "COMMON_URI_TOO_LONG");
    assert!(message.contains("8192"), "{message}");
    assert_eq!(reply.1.get("connection").and_then(|v| v.to_str().ok()), Some("close"));
}

#[tokio::test]
async fn two_hundred_headers_are_answered_431_with_the_envelope() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let mut request = fresh_client().get(host.url("/health"));
    for i in 0..200 {
        request = request.header(format!("x-filler-{i}"), "v");
    }
    let reply = host.send(request).await;
    let message = assert_error(&reply, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "COMMON_HEADERS_TOO_LARGE");
    assert!(message.contains("100 headers"), "{message}");
    assert_eq!(reply.1.get("connection").and_then(|v| v.to_str().ok()), Some("close"));
}

#[tokio::test]
async fn headers_over_32_kib_are_answered_431_with_the_envelope() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let request = fresh_client().get(host.url("/health")).header("x-big", "b".repeat(40 * 1024));
    let reply = host.send(request).await;
    assert_error(&reply, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "COMMON_HEADERS_TOO_LARGE");
}

#[tokio::test]
async fn a_submission_whose_client_hangs_up_is_still_queued_and_run() {
    let host = Host::start(&Manifest::new().job("echo", &[("concurrency", "4")]), &["--rate-limit", "off"]).await;
    let body = r#"{"message": "gone"}"#;
    let request = format!(
        "POST /api/v1/echo/jobs HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        host.addr(),
        body.len()
    );
    // Each client sends a whole submission and hangs up without reading the
    // answer, so the server drops the request while the row is being written.
    let hang_ups = (0..64).map(|_| {
        let request = request.clone();
        let addr = host.addr();
        async move {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            stream.write_all(request.as_bytes()).await.expect("send");
            drop(stream);
        }
    });
    futures::future::join_all(hang_ups).await;

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, _, health) = host.get("/health").await;
        let jobs = &health["data"]["jobs"];
        if jobs["queued"] == 0 && jobs["processing"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "jobs of clients that hung up were never run: {jobs}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    host.assert_echo_works().await;
}

//! Errors blame the right party: a client's bad file is a 4xx it must not
//! retry (seed routes: `invalid_file_type` 4001; native jobs:
//! `INPUT_INVALID_FILE`, not retryable), a path that is not UTF-8 is the
//! JSON envelope rather than `text/plain`, and a body over `--max-body` is a
//! 413 that closes the connection.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{Host, Manifest, assert_error, assert_seed_error, workspace};

const TIMEOUT: Duration = Duration::from_secs(60);

/// The OCR and masking components with the host's engines; three attempts
/// allowed, so a retried failure would show in `attempts`.
fn documents_manifest() -> Manifest {
    let settings = [("timeout", "\"60s\""), ("max_attempts", "3")];
    Manifest::new().document_job("ocr", &settings).document_job("masking", &settings)
}

/// A PNG that is only its signature and an `IHDR` chunk claiming
/// `width` × `height` pixels: a decompression bomb's header.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&width.to_be_bytes());
    chunk.extend_from_slice(&height.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A bad file: its name, bytes, the seed `file_type` a client would send,
/// and a phrase the failure's sentence must contain.
struct BadFile {
    name: &'static str,
    bytes: Vec<u8>,
    file_type: &'static str,
    says: &'static str,
}

fn bad_files() -> Vec<BadFile> {
    let resume = std::fs::read(workspace().join("tests/data/resume.pdf")).expect("tests/data/resume.pdf");
    let mut fake = b"%PDF-1.4\n".to_vec();
    fake.extend(std::iter::repeat_n(b"garbage ".as_slice(), 64).flatten());
    vec![
        BadFile { name: "bomb.png", bytes: png_header(60_000, 60_000), file_type: "image", says: "60000×60000" },
        BadFile { name: "half.pdf", bytes: resume[..resume.len() / 2].to_vec(), file_type: "pdf", says: "truncated" },
        BadFile { name: "fake.pdf", bytes: fake, file_type: "pdf", says: "damaged" },
        BadFile { name: "empty.pdf", bytes: Vec::new(), file_type: "pdf", says: "empty" },
    ]
}

async fn upload(host: &Host, file: &BadFile) -> String {
    let (status, _, body) = host.upload(file.name, "application/octet-stream", file.bytes.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "uploading {}: {body}", file.name);
    body["data"]["url"].as_str().expect("url").to_string()
}

/// Poll `GET /ai/task/{id}` until it stops answering `task_processing`.
async fn finished_task(host: &Host, task_id: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let reply = host.get(&format!("/ai/task/{task_id}")).await;
        if reply.2["message"] != "task_processing" {
            return reply;
        }
        assert!(Instant::now() < deadline, "task {task_id} still processing: {}", reply.2);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn seed_tasks_of_bad_files_end_as_invalid_file_type_with_a_reason() {
    let host = Host::start(&documents_manifest(), &[]).await;
    for file in bad_files() {
        let url = upload(&host, &file).await;
        let requests = [
            (
                "/ai/ocr/extract",
                json!({"file_url": url, "file_type": file.file_type, "type": "resume", "user_id": "u", "document_id": "d"}),
            ),
            ("/ai/masking/draft", json!({"file_url": url, "file_type": file.file_type})),
        ];
        for (route, request) in requests {
            let (status, _, body) = host.post_json(route, &request).await;
            assert_eq!(status, StatusCode::OK, "{route} {}: {body}", file.name);
            let task_id = body["data"]["task_id"].as_str().expect("task_id");
            let reply = finished_task(&host, task_id).await;
            assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_file_type", 4001);
            let reason = reply.2["reason"].as_str().unwrap_or_default();
            assert!(
                reason.contains(file.says),
                "{route} {}: the reason should say `{}`: {}",
                file.name,
                file.says,
                reply.2
            );
        }
    }
}

#[tokio::test]
async fn native_jobs_of_bad_files_fail_once_with_input_invalid_file_not_retryable() {
    let host = Host::start(&documents_manifest(), &[]).await;
    for file in bad_files() {
        let url = upload(&host, &file).await;
        for capability in ["ocr", "masking"] {
            let reply = host.post_json(&format!("/api/v1/{capability}?wait=60s"), &json!({"file_url": url})).await;
            let (status, _, body) = &reply;
            assert_eq!(*status, StatusCode::OK, "{capability} {}: {body}", file.name);
            let job = &body["data"];
            assert_eq!(job["status"], "failed", "{capability} {}: {job}", file.name);
            let failure = &job["failure"];
            assert_eq!(failure["code"], "INPUT_INVALID_FILE", "{capability} {}: {job}", file.name);
            assert_eq!(failure["retryable"], false, "{capability} {}: {job}", file.name);
            assert_eq!(job["attempts"], 1, "a client's bad file is not retried: {job}");
            let message = failure["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(file.says),
                "{capability} {}: the message should say `{}`: {job}",
                file.name,
                file.says
            );
        }
    }
}

#[tokio::test]
async fn every_route_with_a_path_parameter_answers_a_non_utf8_segment_with_the_json_envelope() {
    const TOKEN: &str = "e2e-admin-token";
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--admin-token", TOKEN]).await;
    let native = [
        (Method::GET, "/api/v1/jobs/%FF"),
        (Method::DELETE, "/api/v1/jobs/%FF"),
        (Method::GET, "/api/v1/jobs/%FF/events"),
        (Method::GET, "/api/v1/files/%FF"),
        (Method::POST, "/api/v1/%FF/jobs"),
        (Method::POST, "/api/v1/%FF"),
        (Method::PUT, "/api/v1/components/%FF"),
        (Method::GET, "/api/v1/components/%FF/versions"),
        (Method::POST, "/api/v1/components/%FF/rollback"),
    ];
    for (method, path) in native {
        let request = host.client().request(method.clone(), host.url(path)).bearer_auth(TOKEN).json(&json!({}));
        let reply = host.send(request).await;
        assert_json(&reply, &method, path);
        let message = assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
        assert!(message.contains("UTF-8"), "{method} {path}: {message}");
    }
    let reply = host.get("/ai/task/%FF").await;
    assert_json(&reply, &Method::GET, "/ai/task/%FF");
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_request", 4000);
    assert!(reply.2["reason"].as_str().is_some_and(|r| r.contains("UTF-8")), "{}", reply.2);
}

fn assert_json(reply: &(StatusCode, reqwest::header::HeaderMap, Value), method: &Method, path: &str) {
    let content_type = reply.1.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("application/json"), "{method} {path}: {content_type} {}", reply.2);
}

/// One request written by hand on a fresh keep-alive connection: the status
/// line and headers (lower-cased), the body, and whether the server then
/// closed the connection within `wait` rather than wait for another request.
async fn raw_exchange(host: &Host, path: &str, body: &[u8], wait: Duration) -> (String, Value, bool) {
    let address = host.base().trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.expect("write head");
    // The server may answer and close before reading it all; that is the point.
    let _ = socket.write_all(body).await;
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let (head, body) = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buffer))
            .await
            .expect("a response within 10 s")
            .expect("reading the response");
        assert!(n > 0, "the connection closed before a whole response: {}", String::from_utf8_lossy(&received));
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        let Some(end) = text.find("\r\n\r\n") else { continue };
        let head = text[..end].to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a content-length");
        if received.len() >= end + 4 + length {
            break (head, serde_json::from_slice(&received[end + 4..end + 4 + length]).expect("a JSON body"));
        }
    };
    let closed = match tokio::time::timeout(wait, socket.read(&mut buffer)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    };
    (head, body, closed)
}

/// How long a closing connection may take to close.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn bodies_over_max_body_answer_413_with_connection_close_on_seed_and_native_routes() {
    let host = Host::start(&Manifest::new().job("echo", &[]).job("calendar", &[]), &["--max-body", "1KiB"]).await;
    let big = serde_json::to_vec(&json!({"text": "서류 마감 2026.11.30 ".repeat(400)})).expect("json");
    assert!(big.len() > 8 * 1024);

    for path in ["/ai/calendar/parse", "/ai/ocr/extract", "/ai/masking/draft"] {
        let (head, body, closed) = raw_exchange(&host, path, &big, CLOSE_WAIT).await;
        assert!(head.starts_with("http/1.1 413"), "{path}: {head}");
        assert!(head.lines().any(|l| l == "connection: close"), "{path}: {head}");
        assert_eq!(
            (&body["message"], &body["error_code"], &body["data"]),
            (&json!("payload_too_large"), &json!(4130), &Value::Null),
            "{path}: {body}"
        );
        assert!(body["reason"].as_str().is_some_and(|r| r.contains("limit")), "{path}: {body}");
        assert!(closed, "{path}: the server kept the connection open after a 413");
    }

    let (head, body, closed) = raw_exchange(&host, "/api/v1/echo/jobs", &big, CLOSE_WAIT).await;
    assert!(head.starts_with("http/1.1 413"), "{head}");
    assert!(head.lines().any(|l| l == "connection: close"), "{head}");
    assert_eq!(body["error"]["code"], "COMMON_PAYLOAD_TOO_LARGE", "{body}");
    assert!(closed, "the server kept the connection open after a 413");

    // A body within the limit on the same kind of connection is answered and kept open.
    let (head, _, closed) =
        raw_exchange(&host, "/ai/calendar/parse", br#"{"text": "x"}"#, Duration::from_secs(1)).await;
    assert!(!head.starts_with("http/1.1 413"), "{head}");
    assert!(!closed, "a normal answer should keep the connection alive: {head}");
}

//! Bad requests get precise 4xx envelopes, never a 5xx; every response
//! carries a request id.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, assert_error};

fn echo_host_manifest() -> Manifest {
    Manifest::new().job("echo", &[])
}

#[tokio::test]
async fn input_violating_the_schema_is_rejected_naming_the_field() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    for path in ["/api/v1/echo/jobs", "/api/v1/echo?wait=1"] {
        let reply = host.post_json(path, &json!({"message": 5})).await;
        let message = assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
        assert!(message.contains("/message"), "{path}: {message}");
    }
    let reply = host.post_json("/api/v1/echo/jobs", &json!({"message": "ok", "n": "seven"})).await;
    let message = assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
    assert!(message.contains("/n"), "{message}");
    // Nothing was queued.
    let (_, _, body) = host.get("/api/v1/jobs").await;
    assert_eq!(body["data"]["jobs"], json!([]), "{body}");
}

#[tokio::test]
async fn malformed_json_is_rejected() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    for body in [r#"{"message": "unterminated"#, "{not json}", ""] {
        let reply = host.post_raw("/api/v1/echo/jobs", body, Some("application/json")).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
    }
}

#[tokio::test]
async fn body_without_json_content_type_is_rejected() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    let reply = host.post_raw("/api/v1/echo/jobs", r#"{"message": "hi"}"#, None).await;
    let message = assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
    assert!(message.to_lowercase().contains("content-type"), "{message}");
    let reply = host.post_raw("/api/v1/echo/jobs", r#"{"message": "hi"}"#, Some("text/plain")).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
}

#[tokio::test]
async fn unknown_capability_is_404() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    for path in ["/api/v1/nope/jobs", "/api/v1/nope?wait=1"] {
        let reply = host.post_json(path, &json!({})).await;
        let message = assert_error(&reply, StatusCode::NOT_FOUND, "CAPABILITY_NOT_FOUND");
        assert!(message.contains("nope"), "{message}");
    }
    let reply = host.get("/api/v1/jobs?capability=nope").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "CAPABILITY_NOT_FOUND");
}

#[tokio::test]
async fn unknown_job_is_404() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    let id = "job_0190000000007000800000000000000";
    let reply = host.get(&format!("/api/v1/jobs/{id}")).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "JOB_NOT_FOUND");
    let reply = host.get(&format!("/api/v1/jobs/{id}/events")).await;
    assert_error(&reply, StatusCode::NOT_FOUND, "JOB_NOT_FOUND");
    let reply = host.get("/api/v1/jobs/not-even-an-id").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "JOB_NOT_FOUND");
}

#[tokio::test]
async fn unknown_route_is_404_common_not_found() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    for path in ["/nope", "/api/v2/echo/jobs", "/api/v1/jobs/x/y/z"] {
        let reply = host.get(path).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "COMMON_NOT_FOUND");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    let id = host.submit("echo", &json!({"message": "id"})).await;
    host.wait_terminal(&id, crate::harness::SECS_30).await;

    let enveloped = [
        host.get("/health").await,
        host.get("/api/v1/capabilities").await,
        host.get("/api/v1/jobs").await,
        host.get(&format!("/api/v1/jobs/{id}")).await,
        host.post_json("/api/v1/echo/jobs", &json!({"message": "again"})).await,
        host.post_json("/api/v1/echo/jobs", &json!({"message": 1})).await,
        host.post_json("/api/v1/nope/jobs", &json!({})).await,
        host.get("/api/v1/jobs/job_missing").await,
        host.get("/nope").await,
        host.delete(&format!("/api/v1/jobs/{id}")).await,
    ];
    let mut seen = std::collections::HashSet::new();
    for (status, headers, body) in &enveloped {
        let header = headers.get("x-request-id").and_then(|v| v.to_str().ok());
        let header = header.unwrap_or_else(|| panic!("{status} without x-request-id: {body}"));
        assert_eq!(body["meta"]["requestId"], header, "{status}: {body}");
        assert!(body["meta"]["timestamp"].is_string(), "{body}");
        assert!(seen.insert(header.to_string()), "request id {header} was reused");
    }

    // Responses that are not JSON envelopes still carry the header.
    for path in ["/docs", "/openapi.json", &format!("/api/v1/jobs/{id}/events")] {
        let (status, headers, _) = host.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(headers.contains_key("x-request-id"), "{path}");
    }

    // A caller's own request id is kept.
    let (_, headers, body) =
        host.send(host.client().get(host.url("/api/v1/capabilities")).header("x-request-id", "trace-abc-123")).await;
    assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-abc-123"));
    assert_eq!(body["meta"]["requestId"], "trace-abc-123");
}

type Reply = (StatusCode, reqwest::header::HeaderMap, Value);

/// A battery of malformed requests, each with a label.
async fn bad_requests(host: &Host) -> Vec<(String, Reply)> {
    let json_ct = Some("application/json");
    let mut replies: Vec<(String, Reply)> = Vec::new();

    let bodies: Vec<&[u8]> = vec![
        b"[1, 2, 3]",
        b"\"just a string\"",
        b"null",
        b"42",
        b"{\"forceRefresh\": \"yes\"}",
        b"{\"message\": \"\xff\xfe\"}",
        b"\xff\xfe\xfd",
        b"{\"a\":",
    ];
    for body in bodies {
        for path in ["/api/v1/echo/jobs", "/api/v1/echo?wait=1"] {
            let label = format!("POST {path} {}", String::from_utf8_lossy(body));
            replies.push((label, host.post_raw(path, body.to_vec(), json_ct).await));
        }
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    replies.push(("deeply nested body".into(), host.post_raw("/api/v1/echo/jobs", deep, json_ct).await));

    for query in ["wait=-1", "wait=abc", "wait=999999", "wait=NaN", "forceRefresh=maybe"] {
        let path = format!("/api/v1/echo?{query}");
        replies.push((format!("POST {path}"), host.post_json(&path, &json!({"message": "q"})).await));
    }
    for query in ["limit=0", "limit=abc", "limit=100000", "limit=-1", "status=bogus", "cursor=bogus"] {
        let path = format!("/api/v1/jobs?{query}");
        replies.push((format!("GET {path}"), host.get(&path).await));
    }
    for path in [
        "/api/v1/jobs/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/jobs/%00",
        "/api/v1/files/..%2F..%2Fetc%2Fpasswd",
        "/api/v1/files/f_zz",
        "/api/v1/jobs/x/events",
    ] {
        replies.push((format!("GET {path}"), host.get(path).await));
    }
    for (method, path) in
        [(Method::PUT, "/api/v1/echo/jobs"), (Method::GET, "/api/v1/echo/jobs"), (Method::PATCH, "/api/v1/jobs/x")]
    {
        let label = format!("{method} {path}");
        replies.push((label, host.send(host.client().request(method, host.url(path))).await));
    }
    replies.push((
        "upload that is not multipart".into(),
        host.post_raw("/api/v1/files", "plain", Some("text/plain")).await,
    ));
    replies.push((
        "multipart without a file part".into(),
        host.send(
            host.client().post(host.url("/api/v1/files")).multipart(reqwest::multipart::Form::new().text("a", "b")),
        )
        .await,
    ));
    replies.push((
        "broken multipart".into(),
        host.post_raw("/api/v1/files", "--x\r\nnot a part", Some("multipart/form-data; boundary=x")).await,
    ));
    replies
}

#[tokio::test]
async fn bad_input_never_yields_a_server_error() {
    let host = Host::start(&echo_host_manifest(), &["--max-body", "64KiB"]).await;
    let mut replies = bad_requests(&host).await;
    let large = format!(r#"{{"message": "{}"}}"#, "x".repeat(80 * 1024));
    replies.push((
        "body over --max-body".into(),
        host.post_raw("/api/v1/echo/jobs", large, Some("application/json")).await,
    ));

    let server_errors: Vec<String> = replies
        .iter()
        .filter(|(_, (status, _, _))| !status.is_client_error())
        .map(|(label, (status, _, body))| format!("{label}: {status} {body}"))
        .collect();
    assert!(server_errors.is_empty(), "answers that are not 4xx:\n{}", server_errors.join("\n"));
    let (status, _, _) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    host.assert_echo_works().await;
}

#[tokio::test]
async fn bad_input_is_answered_with_the_error_envelope() {
    let host = Host::start(&echo_host_manifest(), &[]).await;
    let replies = bad_requests(&host).await;
    let bare: Vec<String> = replies
        .iter()
        .filter(|(_, (_, _, body))| body["success"] != false || !body["error"]["code"].is_string())
        .map(|(label, (status, _, body))| format!("{label}: {status} {body}"))
        .collect();
    assert!(bare.is_empty(), "answers without the error envelope:\n{}", bare.join("\n"));
}

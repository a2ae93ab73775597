//! API keys and tenants: with keys configured every route but health and
//! docs needs one, each tenant sees only its own jobs and files, roles and
//! rates hold, and the refusals speak each route family's language.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest};

fn manifest() -> Manifest {
    Manifest::new().job("echo", &[("cache", "true")]).job("slow", &[])
}

async fn as_key(host: &Host, key: &str, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let (status, _, body) = host.send(request.bearer_auth(key)).await;
    (status, body)
}

async fn submit_as(host: &Host, key: &str, capability: &str, input: &Value) -> (StatusCode, Value) {
    as_key(host, key, host.client().post(host.url(&format!("/api/v1/{capability}/jobs"))).json(input)).await
}

#[tokio::test]
async fn without_keys_the_api_is_open_and_says_so() {
    let host = Host::start(&manifest(), &[]).await;
    let (status, _, health) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["data"]["auth"]["mode"], "open", "{health}");
    assert!(host.log_text().contains("the API is unauthenticated"), "{}", host.log_tail());
    let (status, _, _) = host.get("/api/v1/jobs").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn once_a_key_exists_every_data_route_needs_one() {
    let host = Host::start(&manifest(), &[]).await;
    host.create_key("acme", "submitter", &[]).await;

    let (status, headers, body) = host.get("/api/v1/jobs").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "AUTH_REQUIRED", "{body}");
    assert_eq!(headers["www-authenticate"], "Bearer");

    let (status, _, body) = host.send(host.client().get(host.url("/api/v1/jobs")).bearer_auth("csk_nope")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "AUTH_INVALID_KEY", "{body}");

    // Seed 001's routes answer with its own bodies.
    let (status, _, body) = host.post_json("/ai/calendar/parse", &json!({"text": "마감 9월 15일"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!((body["message"].clone(), body["error_code"].clone()), (json!("unauthorized"), json!(4010)), "{body}");
    let request = host.client().get(host.url("/ai/task/job_x")).header("x-api-key", "csk_wrong");
    let (status, _, body) = host.send(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_code"], 4012, "{body}");

    let (status, _, health) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK, "health needs no key");
    assert_eq!(health["data"]["auth"]["mode"], "keys", "{health}");
    let (status, _, _) = host.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "the API document needs no key");
}

#[tokio::test]
async fn the_x_api_key_header_works_like_a_bearer_token() {
    let host = Host::start(&manifest(), &[]).await;
    let key = host.create_key("acme", "submitter", &[]).await;
    let request = host.client().post(host.url("/api/v1/echo/jobs")).header("x-api-key", &key).json(&json!({"a": 1}));
    let (status, _, body) = host.send(request).await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn another_tenants_job_cannot_be_read_listed_streamed_or_cancelled() {
    let host = Host::start(&manifest(), &[]).await;
    let a = host.create_key("tenant-a", "submitter", &[]).await;
    let b = host.create_key("tenant-b", "submitter", &[]).await;
    let (status, body) = submit_as(&host, &a, "slow", &json!({"steps": 50, "step_ms": 100})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["data"]["jobId"].as_str().unwrap().to_string();
    let job_url = host.url(&format!("/api/v1/jobs/{id}"));

    let (status, body) = as_key(&host, &b, host.client().get(&job_url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "never 403: do not confirm it exists: {body}");
    assert_eq!(body["error"]["code"], "JOB_NOT_FOUND");
    let (status, body) = as_key(&host, &b, host.client().get(host.url(&format!("/api/v1/jobs/{id}/events")))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = as_key(&host, &b, host.client().delete(&job_url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = as_key(&host, &b, host.client().get(host.url(&format!("/ai/task/{id}")))).await;
    assert_eq!((status, body["error_code"].clone()), (StatusCode::NOT_FOUND, json!(4042)), "{body}");
    let (status, body) = as_key(&host, &b, host.client().get(host.url("/api/v1/jobs?capability=slow"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["jobs"], json!([]), "tenant B lists none of A's jobs");

    let (status, body) = as_key(&host, &a, host.client().get(host.url("/api/v1/jobs?capability=slow"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["jobs"][0]["jobId"], id.as_str(), "{body}");
    let (status, body) = as_key(&host, &a, host.client().delete(&job_url)).await;
    assert_eq!(status, StatusCode::OK, "the owner cancels: {body}");
    assert_eq!(body["data"]["status"], "cancelled");
}

#[tokio::test]
async fn a_cached_result_is_never_another_tenants_hit() {
    let host = Host::start(&manifest(), &[]).await;
    let a = host.create_key("tenant-a", "submitter", &[]).await;
    let b = host.create_key("tenant-b", "submitter", &[]).await;
    let input = json!({"secret": "résumé of A"});
    let sync =
        |key: &str| host.client().post(host.url("/api/v1/echo?wait=10")).bearer_auth(key.to_string()).json(&input);
    let (status, first) = as_key(&host, &a, sync(&a)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, again) = as_key(&host, &a, sync(&a)).await;
    assert_eq!(again["data"]["cacheHit"], true, "the same tenant hits its cache: {again}");
    let (status, other) = as_key(&host, &b, sync(&b)).await;
    assert_eq!(status, StatusCode::OK, "{other}");
    assert_eq!(other["data"]["cacheHit"], false, "{other}");
    assert_ne!(other["data"]["jobId"], first["data"]["jobId"]);
}

#[tokio::test]
async fn a_viewer_key_reads_but_cannot_submit_or_cancel() {
    let host = Host::start(&manifest(), &[]).await;
    let submitter = host.create_key("acme", "submitter", &[]).await;
    let viewer = host.create_key("acme", "viewer", &[]).await;
    let (_, body) = submit_as(&host, &submitter, "slow", &json!({"steps": 50, "step_ms": 100})).await;
    let id = body["data"]["jobId"].as_str().unwrap().to_string();
    let job_url = host.url(&format!("/api/v1/jobs/{id}"));

    let (status, body) = as_key(&host, &viewer, host.client().get(&job_url)).await;
    assert_eq!(status, StatusCode::OK, "a viewer reads its tenant's jobs: {body}");
    let (status, _) = as_key(&host, &viewer, host.client().head(&job_url)).await;
    assert_eq!(status, StatusCode::OK, "and may HEAD what it may GET");
    let (status, body) = submit_as(&host, &viewer, "echo", &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "AUTH_FORBIDDEN");
    let (status, _) = as_key(&host, &viewer, host.client().delete(&job_url)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let request = host.client().post(host.url("/ai/calendar/parse")).json(&json!({"text": "9월 15일"}));
    let (status, body) = as_key(&host, &viewer, request).await;
    assert_eq!((status, body["error_code"].clone()), (StatusCode::FORBIDDEN, json!(4030)), "{body}");
}

#[tokio::test]
async fn an_expired_key_is_told_so() {
    let host = Host::start(&manifest(), &[]).await;
    let key = host.create_key("acme", "submitter", &["--expires-in", "1s"]).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, body) = as_key(&host, &key, host.client().get(host.url("/api/v1/jobs"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "AUTH_KEY_EXPIRED", "{body}");
    let (status, body) = as_key(&host, &key, host.client().get(host.url("/ai/task/job_1"))).await;
    assert_eq!((status, body["error_code"].clone()), (StatusCode::UNAUTHORIZED, json!(4011)), "{body}");
}

#[tokio::test]
async fn a_key_over_its_rate_waits_as_told() {
    let host = Host::start(&manifest(), &[]).await;
    let key = host.create_key("acme", "submitter", &["--rate", "3/m"]).await;
    for _ in 0..3 {
        let (status, body) = as_key(&host, &key, host.client().get(host.url("/api/v1/jobs"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, headers, body) = host.send(host.client().get(host.url("/api/v1/jobs")).bearer_auth(&key)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "COMMON_RATE_LIMITED");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "one request per 20 s: {retry}");
    let other = host.create_key("acme", "submitter", &[]).await;
    let (status, _) = as_key(&host, &other, host.client().get(host.url("/api/v1/jobs"))).await;
    assert_eq!(status, StatusCode::OK, "rates are per key");
}

#[tokio::test]
async fn keys_made_through_the_admin_api_work_until_revoked() {
    let host = Host::start(&manifest(), &["--admin-token", "root-secret"]).await;
    let create = host
        .client()
        .post(host.url("/api/v1/keys"))
        .json(&json!({"tenant": "acme", "role": "submitter", "name": "frontend"}));
    let (status, body) = as_key(&host, "root-secret", create).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["data"]["key"].as_str().expect("the key, shown once").to_string();
    let id = body["data"]["id"].as_str().unwrap().to_string();

    let (status, body) = submit_as(&host, &key, "echo", &json!({"x": 1})).await;
    assert!(status.is_success(), "{body}");
    let (status, body) = as_key(&host, "root-secret", host.client().get(host.url("/api/v1/keys"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["keys"][0]["id"], id.as_str());
    assert!(!body.to_string().contains(&key), "a listing never shows a key");

    let (status, body) = as_key(&host, &key, host.client().get(host.url("/api/v1/keys"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a submitter key may not manage keys: {body}");

    let (status, _) = as_key(&host, "root-secret", host.client().delete(host.url(&format!("/api/v1/keys/{id}")))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = submit_as(&host, &key, "echo", &json!({"x": 2})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked key stops at once: {body}");

    let bad = host.client().post(host.url("/api/v1/keys")).json(&json!({"tenant": "a b", "role": "owner"}));
    let (status, body) = as_key(&host, "root-secret", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "COMMON_INVALID_REQUEST");
}

#[tokio::test]
async fn an_admin_key_manages_components_and_keys() {
    let host = Host::start(&manifest(), &[]).await;
    let admin = host.create_key("ops", "admin", &[]).await;
    let (status, body) = as_key(&host, &admin, host.client().get(host.url("/api/v1/components"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = host.keys(&["list", "--json"]);
    let keys: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(keys[0]["role"], "admin", "{listed}");
    let submitter = host.create_key("acme", "submitter", &[]).await;
    let (status, body) = as_key(&host, &submitter, host.client().get(host.url("/api/v1/components"))).await;
    assert_eq!((status, body["error_code"].clone()), (StatusCode::FORBIDDEN, json!(4030)), "{body}");
}

async fn upload_as(host: &Host, key: &str, text: &str) -> String {
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec())
        .file_name("resume.txt")
        .mime_str("text/plain")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let (status, body) = as_key(host, key, host.client().post(host.url("/api/v1/files")).multipart(form)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["url"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn another_tenants_file_cannot_be_downloaded_nor_read_by_its_jobs() {
    let manifest = Manifest::new().job("blob-io", &[]).document_job("ocr", &[]);
    let host = Host::start(&manifest, &[]).await;
    let a = host.create_key("tenant-a", "submitter", &[]).await;
    let b = host.create_key("tenant-b", "submitter", &[]).await;
    let url = upload_as(&host, &a, "이름: 김철수, 010-1234-5678").await;

    let (status, body) = as_key(&host, &b, host.client().get(&url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "FILE_NOT_FOUND");
    let (status, _) = as_key(&host, &a, host.client().get(&url)).await;
    assert_eq!(status, StatusCode::OK, "the owner downloads it");

    // B's job asks its component to read A's file: the sandbox finds nothing.
    let request = host.client().post(host.url("/api/v1/blob-io?wait=20")).json(&json!({"read": url}));
    let (status, body) = as_key(&host, &b, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "failed", "{body}");
    assert_eq!(body["data"]["failure"]["code"], "BLOB_NOT_FOUND", "{body}");
    let request = host.client().post(host.url("/api/v1/blob-io?wait=20")).json(&json!({"read": url, "write": "x"}));
    let (_, body) = as_key(&host, &a, request).await;
    assert_eq!(body["data"]["status"], "completed", "A's job reads A's file: {body}");
    let written = body["data"]["result"]["written_url"].as_str().unwrap().to_string();
    let (status, _) = as_key(&host, &b, host.client().get(&written)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "what A's job wrote belongs to A");
    let (status, _) = as_key(&host, &a, host.client().get(&written)).await;
    assert_eq!(status, StatusCode::OK);

    // Seed 001's task route refuses at once, as for a file that does not exist.
    let body = json!({"file_url": url, "file_type": "pdf", "type": "resume", "user_id": "u", "document_id": "d"});
    let (status, body) = as_key(&host, &b, host.client().post(host.url("/ai/ocr/extract")).json(&body)).await;
    assert_eq!((status, body["error_code"].clone()), (StatusCode::NOT_FOUND, json!(4041)), "{body}");
}

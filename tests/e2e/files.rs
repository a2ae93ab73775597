//! `POST /api/v1/files` and `GET /api/v1/files/{id}`, the size limit, and a
//! capability reading an uploaded file through `file_url`.

use reqwest::StatusCode;
use serde_json::json;

use crate::calendar::{POSTING, REFERENCE_DATE, assert_parsed, calendar_manifest};
use crate::harness::{Host, Manifest, assert_error};

#[tokio::test]
async fn uploaded_file_is_served_back_with_its_bytes_and_content_type() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();

    let (status, _, body) = host.upload("scan.bin", "application/x-test", data.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true, "{body}");
    let file = &body["data"]["file"];
    assert_eq!(file["name"], "scan.bin", "{body}");
    assert_eq!(file["contentType"], "application/x-test", "{body}");
    assert_eq!(file["size"], 5000, "{body}");
    let id = file["id"].as_str().expect("file id");
    let url = body["data"]["url"].as_str().expect("url");
    assert!(url.ends_with(&format!("/api/v1/files/{id}")), "{url}");

    let response = host.client().get(url).send().await.expect("downloading the file");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(content_type.as_deref(), Some("application/x-test"));
    assert_eq!(response.bytes().await.expect("file body").to_vec(), data);
}

#[tokio::test]
async fn upload_over_the_size_limit_is_413_file_too_large() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--max-file-size", "1KiB"]).await;
    let (status, _, body) = host.upload("exact.txt", "text/plain", vec![b'a'; 1024]).await;
    assert_eq!(status, StatusCode::CREATED, "a file of exactly the limit is accepted: {body}");

    let reply = host.upload("big.txt", "text/plain", vec![b'a'; 1025]).await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "FILE_TOO_LARGE");
    let reply = host.upload("bigger.txt", "text/plain", vec![b'a'; 16 * 1024]).await;
    assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "FILE_TOO_LARGE");
}

#[tokio::test]
async fn unknown_file_is_404_file_not_found() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    for path in ["/api/v1/files/f_00000000000000000000000000000000", "/api/v1/files/nope"] {
        let reply = host.get(path).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "FILE_NOT_FOUND");
    }
}

#[tokio::test]
async fn calendar_reads_an_uploaded_posting_through_file_url() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    let (status, _, body) = host.upload("posting.txt", "text/plain; charset=utf-8", POSTING.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["data"]["url"].as_str().expect("url");

    let (status, _, body) =
        host.post_json("/ai/calendar/parse", &json!({"file_url": url, "reference_date": REFERENCE_DATE})).await;
    assert_parsed(status, &body);
}

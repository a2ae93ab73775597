//! `POST /api/v1/files` and `GET /api/v1/files/{id}`, the size limit, and a
//! capability reading an uploaded file through `file_url`.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::calendar::{POSTING, REFERENCE_DATE, assert_parsed, calendar_manifest};
use crate::harness::{Host, Manifest, assert_error, workspace};

/// Upload `data`, then download it; returns the upload's `data.file`, the
/// download's headers and its bytes.
async fn round_trip(host: &Host, name: &str, content_type: &str, data: Vec<u8>) -> (Value, HeaderMap, Vec<u8>) {
    let (status, _, body) = host.upload(name, content_type, data).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["data"]["url"].as_str().expect("url");
    let response = host.client().get(url).send().await.expect("downloading the file");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    (body["data"]["file"].clone(), headers, response.bytes().await.expect("file body").to_vec())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no `{name}` header in {headers:?}"))
}

/// Headers every user file is served with, whatever its type.
fn assert_sandboxed(headers: &HeaderMap) {
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
    let csp = header(headers, "content-security-policy");
    assert!(csp.split(';').any(|d| d.trim() == "sandbox"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
}

fn assert_attachment(headers: &HeaderMap) {
    let disposition = header(headers, "content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
}

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
    assert_attachment(response.headers());
    assert_eq!(response.bytes().await.expect("file body").to_vec(), data);
}

#[tokio::test]
async fn html_upload_is_downloaded_as_a_sandboxed_attachment() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let html = b"<html><body><script>fetch('/api/v1/jobs')</script></body></html>".to_vec();
    let (_, headers, bytes) = round_trip(&host, "page.html", "text/html", html.clone()).await;
    assert_eq!(bytes, html);
    assert_eq!(header(&headers, "content-type"), "text/html");
    assert_attachment(&headers);
    assert_sandboxed(&headers);
}

#[tokio::test]
async fn html_declared_as_png_is_served_as_html_attachment() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let html = b"<!DOCTYPE html><html><script>alert(document.domain)</script></html>".to_vec();
    let (file, headers, bytes) = round_trip(&host, "avatar.png", "image/png", html.clone()).await;
    assert_eq!(file["contentType"], "text/html", "the sniffed type is stored: {file}");
    assert_eq!(file["inline"], false, "{file}");
    assert_eq!(bytes, html);
    assert_eq!(header(&headers, "content-type"), "text/html");
    assert_attachment(&headers);
    assert_sandboxed(&headers);
}

#[tokio::test]
async fn svg_upload_is_an_attachment() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>"#.to_vec();
    let (_, headers, _) = round_trip(&host, "logo.svg", "image/svg+xml", svg).await;
    assert_attachment(&headers);
    assert_sandboxed(&headers);
}

#[tokio::test]
async fn png_upload_is_served_inline_as_image_png() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let png = std::fs::read(workspace().join("tests/data/contact-card.png")).expect("the PNG in tests/data");
    // Declared as something else: the bytes decide.
    let (_, headers, bytes) = round_trip(&host, "card.png", "application/octet-stream", png.clone()).await;
    assert_eq!(bytes, png);
    assert_eq!(header(&headers, "content-type"), "image/png");
    assert!(header(&headers, "content-disposition").starts_with("inline;"), "{headers:?}");
    assert_sandboxed(&headers);
}

#[tokio::test]
async fn utf8_text_is_served_inline_as_plain_text() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let text = "Grüße aus Zürich\n".as_bytes().to_vec();
    let (_, headers, bytes) = round_trip(&host, "note.txt", "text/plain", text.clone()).await;
    assert_eq!(bytes, text);
    assert_eq!(header(&headers, "content-type"), "text/plain; charset=utf-8");
    assert!(header(&headers, "content-disposition").starts_with("inline;"), "{headers:?}");
    assert_sandboxed(&headers);
}

#[tokio::test]
async fn large_file_round_trips_byte_identical() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    // 24 MiB of bytes that no two chunks share (an xorshift sequence).
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let data: Vec<u8> = (0..24 * 1024 * 1024 / 8)
        .flat_map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()
        })
        .collect();
    let (_, headers, bytes) = round_trip(&host, "big.bin", "application/octet-stream", data.clone()).await;
    assert_eq!(header(&headers, "content-length"), data.len().to_string());
    assert!(bytes == data, "the downloaded bytes differ from the uploaded ones");
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
async fn refused_upload_leaves_no_file_in_the_blob_store() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &["--max-file-size", "64KiB"]).await;
    let (status, _, body) = host.upload("kept.bin", "application/octet-stream", vec![7; 1000]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let kept = host.stored_files().await;
    assert_eq!(kept.len(), 2, "the bytes and their metadata: {kept:?}");

    for size in [64 * 1024 + 1, 200 * 1024] {
        let reply = host.upload("big.bin", "application/octet-stream", vec![7; size]).await;
        assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "FILE_TOO_LARGE");
        assert_eq!(reply.1.get("connection").and_then(|v| v.to_str().ok()), Some("close"), "{:?}", reply.1);
    }
    assert_eq!(host.stored_files().await, kept);
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

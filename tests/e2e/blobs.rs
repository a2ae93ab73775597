//! Components reach files only through the `blobs` interface: files of this
//! host, and http(s) URLs on hosts their `allowed_outbound_hosts` grants.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, SECS_30, file_server};

async fn run_blob_io(host: &Host, input: serde_json::Value) -> serde_json::Value {
    let id = host.submit("blob-io", &input).await;
    host.wait_terminal(&id, SECS_30).await
}

#[tokio::test]
async fn file_written_by_a_component_is_served_by_the_api() {
    let host = Host::start(&Manifest::new().job("blob-io", &[]), &[]).await;
    let job = run_blob_io(&host, json!({"write": "written by a component"})).await;
    assert_eq!(job["status"], "completed", "{job}");
    let url = job["result"]["written_url"].as_str().expect("written_url").to_string();
    assert!(url.starts_with(&host.base()), "{url} is not served by this host");

    let response = host.client().get(&url).send().await.expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), "written by a component");
}

#[tokio::test]
async fn component_reads_an_uploaded_file() {
    let host = Host::start(&Manifest::new().job("blob-io", &[]), &[]).await;
    let (status, _, body) = host.upload("note.txt", "text/plain", b"uploaded text".to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["data"]["url"].as_str().expect("url");

    let job = run_blob_io(&host, json!({"read": url})).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"]["read_text"], "uploaded text", "{job}");
}

#[tokio::test]
async fn reading_a_host_that_is_not_granted_is_refused() {
    let port = file_server(b"secret".to_vec(), "text/plain").await;
    let host = Host::start(&Manifest::new().job("blob-io", &[]), &[]).await;
    let job = run_blob_io(&host, json!({"read": format!("http://127.0.0.1:{port}/data")})).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "BLOB_URL_NOT_ALLOWED", "{job}");
}

#[tokio::test]
async fn reading_a_granted_host_fetches_it() {
    let port = file_server(b"public data".to_vec(), "text/plain").await;
    let manifest = Manifest::new().job("blob-io", &[]).grant("blob-io", &format!("http://127.0.0.1:{port}"));
    let host = Host::start(&manifest, &[]).await;
    let job = run_blob_io(&host, json!({"read": format!("http://127.0.0.1:{port}/data")})).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"]["read_text"], "public data", "{job}");
}

#[tokio::test]
async fn file_urls_cannot_escape_the_blob_store() {
    let host = Host::start(&Manifest::new().job("blob-io", &[]), &[]).await;
    for url in ["/api/v1/files/../../../etc/passwd", "file:///etc/passwd", "/etc/passwd"] {
        let job = run_blob_io(&host, json!({"read": url})).await;
        assert_eq!(job["status"], "failed", "{url}: {job}");
        let code = job["failure"]["code"].as_str().unwrap_or_default();
        assert!(matches!(code, "BLOB_NOT_FOUND" | "BLOB_URL_NOT_ALLOWED"), "{url}: {job}");
    }
}

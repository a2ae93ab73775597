//! Files in an S3 bucket (`--s3-bucket`): what `/api/v1/files` stores lands
//! in the bucket, not in the data directory, and comes back from it; a host
//! whose bucket is missing does not start. The server is the S3 test server
//! of the unit tests (s3s-fs, or `CAPSULE_TEST_S3_ENDPOINT`).

use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::s3_server::S3TestServer;
use crate::harness::{Host, Manifest, serve_until_exit_with};

/// The flags that put a host's files in `bucket` on `server`, under `e2e/`.
fn s3_flags(server: &S3TestServer, bucket: &str) -> Vec<String> {
    [
        ("--s3-bucket", bucket),
        ("--s3-endpoint", &server.endpoint),
        ("--s3-region", &server.region),
        ("--s3-access-key-id", &server.access_key_id),
        ("--s3-secret-access-key", &server.secret_access_key),
        ("--s3-prefix", "e2e"),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
    .collect()
}

#[tokio::test]
async fn uploaded_files_are_kept_in_the_bucket_and_served_back() {
    let server = S3TestServer::start();
    let bucket = S3TestServer::new_bucket_name();
    let mut flags = s3_flags(&server, &bucket);
    flags.push("--s3-create-bucket".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let host = Host::start(&Manifest::new().job("echo", &[]), &flags).await;

    let (status, _, health) = host.get("/health").await;
    assert_eq!((status, &health["data"]["blobs"]), (StatusCode::OK, &serde_json::json!("ok")), "{health}");

    // Larger than a part (8 MiB): the upload goes up as a multipart upload.
    let data: Vec<u8> = (0..=255u8).cycle().take(9 * 1024 * 1024 + 17).collect();
    let (status, _, body) = host.upload("scan.bin", "application/x-test", data.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}\nlog:\n{}", host.log_tail());
    let id = body["data"]["file"]["id"].as_str().expect("file id").to_string();
    let url = body["data"]["url"].as_str().expect("url");

    let response = host.client().get(url).send().await.expect("downloading the file");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(content_type.as_deref(), Some("application/x-test"));
    let back = response.bytes().await.expect("the file's bytes");
    assert!(back[..] == data[..], "downloaded {} bytes that differ from the {} uploaded", back.len(), data.len());

    let blob_dir = host.data_dir().join("blobs");
    let local: Vec<_> = std::fs::read_dir(&blob_dir).map(|d| d.flatten().collect()).unwrap_or_default();
    assert!(local.is_empty(), "files in {}: {local:?}", blob_dir.display());

    let client = crate::harness::bucket_client(&server);
    let stored = client.get_object().bucket(&bucket).key(format!("e2e/{id}")).send().await.expect("the object");
    let stored = stored.body.collect().await.expect("the object's bytes").into_bytes();
    assert!(stored[..] == data[..], "the bucket holds {} bytes that differ from the upload", stored.len());
    let meta = client.get_object().bucket(&bucket).key(format!("e2e/{id}.json")).send().await.expect("the metadata");
    let meta: serde_json::Value =
        serde_json::from_slice(&meta.body.collect().await.expect("the metadata's bytes").into_bytes())
            .expect("metadata as JSON");
    assert_eq!(meta["name"], "scan.bin", "{meta}");
}

#[tokio::test]
async fn a_missing_bucket_stops_start_up_naming_it_and_the_server() {
    let server = S3TestServer::start();
    let bucket = S3TestServer::new_bucket_name();
    let flags = s3_flags(&server, &bucket);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let exited = serve_until_exit_with(&Manifest::new().job("echo", &[]), &flags, Duration::from_secs(60));
    assert!(!exited.status.success(), "{}", exited.stderr);
    assert!(exited.stderr.contains(&bucket), "{}", exited.stderr);
    assert!(exited.stderr.contains(&server.endpoint), "{}", exited.stderr);
    assert!(exited.stderr.contains("--s3-create-bucket"), "{}", exited.stderr);
}

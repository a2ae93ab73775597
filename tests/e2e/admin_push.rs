//! What a refused component push leaves behind (nothing), the size limit on
//! pushes, and read-only methods for viewers.

use std::path::Path;

use reqwest::StatusCode;

use crate::harness::{Host, Manifest, assert_error, wasm_path, workspace};

const TOKEN: &str = "e2e-push-admin";
const VIEWER: &str = "e2e-push-viewer";

async fn admin_host(extra: &[&str]) -> Host {
    let mut args = vec!["--admin-token", TOKEN, "--viewer-token", VIEWER];
    args.extend_from_slice(extra);
    Host::start(&Manifest::new().job("echo", &[]), &args).await
}

async fn push_bytes(host: &Host, wasm: Vec<u8>) -> (StatusCode, reqwest::header::HeaderMap, serde_json::Value) {
    host.send(host.client().put(host.url("/api/v1/components/echo")).bearer_auth(TOKEN).body(wasm)).await
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(wasm_path(name)).expect("fixture wasm")
}

fn hex_digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Every file under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("reading a directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path.strip_prefix(dir).expect("under dir").to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn refused_pushes_leave_no_file_under_data_components() {
    let host = admin_host(&[]).await;
    let components = host.data_dir().join("components");
    let before = files_under(&components);
    let mut not_a_component = b"\0asm".to_vec();
    not_a_component.extend_from_slice(&[1, 0, 0, 0, 0xff, 0xff]);

    for _ in 0..2 {
        for (what, wasm, step) in [
            ("broken bytes", not_a_component.clone(), "compile"),
            ("a failing example", fixture("echo-broken"), "example"),
            ("another component's name", fixture("slow"), "descriptor"),
        ] {
            let (status, _, body) = push_bytes(&host, wasm).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
            assert_eq!(body["error"]["details"]["step"], step, "{what}: {body}");
        }
    }
    assert_eq!(files_under(&components), before);
    host.assert_echo_works().await;
}

#[tokio::test]
async fn refused_version_leaves_no_compiled_artifact() {
    // The compile cache is shared by the tests; only a refusal could write
    // this digest's artifact, since echo-broken never passes validation.
    let cache = workspace().join("target").join("e2e-cache");
    let broken = hex_digest(&fixture("echo-broken"));
    let artifacts = || -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&cache) else { return Vec::new() };
        dir.filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&broken))
            .collect()
    };
    for stale in artifacts() {
        let _ = std::fs::remove_file(cache.join(stale));
    }
    let host = admin_host(&[]).await;
    let (status, _, body) = push_bytes(&host, fixture("echo-broken")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(artifacts(), Vec::<String>::new());
}

#[tokio::test]
async fn pushing_a_kept_version_again_keeps_its_file() {
    let host = admin_host(&[]).await;
    let dir = host.data_dir().join("components").join("echo");
    let v1 = format!("{}.wasm", hex_digest(&fixture("echo")));
    let v2 = format!("{}.wasm", hex_digest(&fixture("echo-v2")));

    let (status, _, body) = push_bytes(&host, fixture("echo-v2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = push_bytes(&host, fixture("echo")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = push_bytes(&host, fixture("echo")).await;
    assert_eq!(status, StatusCode::OK, "a push of the active version is a no-op: {body}");
    assert_eq!(files_under(&dir), {
        let mut expected = vec![v1, v2, "state.json".to_string()];
        expected.sort();
        expected
    });
}

#[tokio::test]
async fn push_over_the_size_limit_is_413_component_too_large() {
    let host = admin_host(&["--max-component-size", "16KiB"]).await;
    let wasm = fixture("echo-v2");
    assert!(wasm.len() > 16 * 1024, "the fixture must exceed the limit");
    let reply = push_bytes(&host, wasm).await;
    let message = assert_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "COMPONENT_TOO_LARGE");
    assert!(message.contains("16 KiB") || message.contains("16.0 KiB"), "names the limit: {message}");
    assert_eq!(reply.1.get("connection").and_then(|v| v.to_str().ok()), Some("close"), "{:?}", reply.1);
    host.assert_echo_works().await;
}

#[tokio::test]
async fn viewer_may_head_what_it_may_get() {
    let host = admin_host(&[]).await;
    for path in ["/api/v1/components", "/api/v1/components/echo/versions"] {
        let response = host.client().head(host.url(path)).bearer_auth(VIEWER).send().await.expect("HEAD as a viewer");
        assert_eq!(response.status(), StatusCode::OK, "HEAD {path}");
        let response = host.client().head(host.url(path)).send().await.expect("HEAD without a token");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "HEAD {path} without a token");
    }
}

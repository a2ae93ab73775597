//! Outgoing HTTP from components (`wasi:http/outgoing-handler`): only to
//! the hosts `allowed_outbound_hosts` grants, and a refused request never
//! reaches the network.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use crate::harness::{Host, Manifest, SECS_60, file_server, serve_until_exit};

/// A loopback listener that counts the connections it accepts.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, accepted)
}

#[tokio::test]
async fn a_request_to_a_granted_host_reaches_it() {
    let port = file_server(b"provider says hi".to_vec(), "text/plain").await;
    let manifest = Manifest::new().job("http-probe", &[]).grant("http-probe", &format!("http://127.0.0.1:{port}"));
    let host = Host::start(&manifest, &[]).await;
    let id = host.submit("http-probe", &json!({"authority": format!("127.0.0.1:{port}"), "path": "/search?q=1"})).await;
    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"], json!({"status": 200, "body": "provider says hi"}));
}

#[tokio::test]
async fn a_request_to_a_host_not_granted_is_refused_before_any_connection() {
    let granted = file_server(b"ok".to_vec(), "text/plain").await;
    let (port, accepted) = counting_listener().await;
    let manifest = Manifest::new().job("http-probe", &[]).grant("http-probe", &format!("http://127.0.0.1:{granted}"));
    let host = Host::start(&manifest, &[]).await;
    for authority in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let id = host.submit("http-probe", &json!({"authority": authority})).await;
        let job = host.wait_terminal(&id, SECS_60).await;
        assert_eq!(job["failure"]["code"], "HTTP_PROBE_FAILED", "{job}");
        assert!(job["failure"]["message"].as_str().unwrap().contains("HttpRequestDenied"), "{job}");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "a refused request reached the listener");
}

#[test]
fn a_component_importing_wasi_http_without_granted_hosts_is_refused_at_load() {
    let exited = serve_until_exit(&Manifest::new().job("http-probe", &[]), SECS_60);
    assert!(!exited.status.success(), "capsule accepted it:\n{}", exited.stderr);
    assert!(exited.stderr.contains("wasi:http/outgoing-handler"), "{}", exited.stderr);
    assert!(exited.stderr.contains("allowed_outbound_hosts"), "{}", exited.stderr);
}

//! Limits and crashes are contained: a job that runs too long, grows too
//! much or panics fails with its own code, and the host keeps serving.

use serde_json::json;

use crate::harness::{Host, Manifest, SECS_30};

#[tokio::test]
async fn job_over_its_timeout_fails_with_job_timeout() {
    let manifest = Manifest::new().job("busy-loop", &[("timeout", "\"1s\"")]).job("echo", &[]);
    let host = Host::start(&manifest, &[]).await;
    let id = host.submit("busy-loop", &json!({})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "JOB_TIMEOUT", "{job}");
    assert_eq!(job["error"]["code"], "JOB_TIMEOUT", "{job}");
    assert_eq!(job["failure"]["retryable"], false, "{job}");
    assert_eq!(job["attempts"], 1, "a timeout is not retried: {job}");
    host.assert_echo_works().await;
}

#[tokio::test]
async fn job_over_its_memory_cap_fails_with_job_memory_exceeded() {
    let manifest = Manifest::new().job("memory-bomb", &[("memory", "\"32MiB\"")]).job("echo", &[]);
    let host = Host::start(&manifest, &[]).await;
    let id = host.submit("memory-bomb", &json!({})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "JOB_MEMORY_EXCEEDED", "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    host.assert_echo_works().await;
}

#[tokio::test]
async fn panicking_component_fails_with_job_trapped_and_its_panic_message() {
    let host = Host::start(&Manifest::new().job("trap", &[]).job("echo", &[]), &[]).await;
    let id = host.submit("trap", &json!({})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "JOB_TRAPPED", "{job}");
    let message = job["failure"]["message"].as_str().expect("message");
    assert!(message.contains("fixture trap: this component always fails"), "{message}");
    assert_eq!(job["attempts"], 1, "a trap is not retried: {job}");
    host.assert_echo_works().await;
}

#[tokio::test]
async fn component_socket_connections_are_denied() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let host = Host::start(&Manifest::new().job("echo", &[]).job("net-probe", &[]), &[]).await;
    let id = host.submit("net-probe", &json!({"port": port})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "a component opened a TCP connection: {job}");
    assert_eq!(job["failure"]["code"], "NET_PROBE_REFUSED", "{job}");
    let accepted = tokio::time::timeout(std::time::Duration::from_millis(100), listener.accept()).await;
    assert!(accepted.is_err(), "the component's connection reached the listener");
    host.assert_echo_works().await;
}

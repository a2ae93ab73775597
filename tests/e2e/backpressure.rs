//! A capability whose ready queue is full answers 429 with `Retry-After`.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, assert_error};

#[tokio::test]
async fn full_queue_answers_429_with_retry_after() {
    let manifest = Manifest::new().job("slow", &[("concurrency", "1")]);
    let host = Host::start(&manifest, &["--queue-capacity", "2"]).await;

    let mut accepted = Vec::new();
    let mut limited = None;
    for n in 0..10 {
        let reply =
            host.post_json("/api/v1/slow/jobs", &json!({"steps": 600, "step_ms": 100, "tag": format!("{n}")})).await;
        match reply.0 {
            StatusCode::ACCEPTED => accepted.push(reply.2["data"]["jobId"].as_str().expect("jobId").to_string()),
            StatusCode::TOO_MANY_REQUESTS => {
                limited = Some(reply);
                break;
            }
            other => panic!("unexpected answer {other}: {}", reply.2),
        }
    }
    let reply = limited.unwrap_or_else(|| panic!("no 429 after {} accepted submissions", accepted.len()));
    assert_error(&reply, StatusCode::TOO_MANY_REQUESTS, "COMMON_RATE_LIMITED");
    let retry_after = reply.1.get("retry-after").and_then(|v| v.to_str().ok()).expect("a Retry-After header");
    let secs: u64 = retry_after.parse().unwrap_or_else(|_| panic!("Retry-After `{retry_after}` is not seconds"));
    assert!(secs >= 1, "Retry-After {secs}");
    // One job running plus a full queue of two.
    assert!((2..=3).contains(&accepted.len()), "accepted {} before the 429", accepted.len());

    // The refused submission left no job behind.
    let (_, _, body) = host.get("/api/v1/jobs?capability=slow").await;
    assert_eq!(body["data"]["jobs"].as_array().map(Vec::len), Some(accepted.len()), "{body}");
    for id in &accepted {
        host.delete(&format!("/api/v1/jobs/{id}")).await;
    }
}

#[tokio::test]
async fn cancelled_queued_jobs_give_their_place_in_the_queue_back() {
    let manifest = Manifest::new().job("slow", &[("concurrency", "1")]);
    let host = Host::start(&manifest, &["--queue-capacity", "2"]).await;
    let long = json!({"steps": 600, "step_ms": 100});
    let running = host.submit("slow", &long).await;
    host.wait_status(&running, "processing", crate::harness::SECS_30).await;
    let queued = [host.submit("slow", &long).await, host.submit("slow", &long).await];
    let reply = host.post_json("/api/v1/slow/jobs", &long).await;
    assert_error(&reply, StatusCode::TOO_MANY_REQUESTS, "COMMON_RATE_LIMITED");

    for id in &queued {
        let (status, _, body) = host.delete(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Nothing is waiting any more, so the queue has room again.
    let (status, _, body) = host.post_json("/api/v1/slow/jobs", &long).await;
    assert_eq!(status, StatusCode::ACCEPTED, "cancelled jobs still count against --queue-capacity: {body}");
    host.delete(&format!("/api/v1/jobs/{running}")).await;
}

//! The result cache of a `cache = true` capability: equal inputs (in any key
//! order) are answered from the finished job, `forceRefresh` bypasses it,
//! and identical submissions in flight share one job.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, SECS_30};

#[tokio::test]
async fn identical_submission_is_answered_from_the_cache() {
    let host = Host::start(&Manifest::new().job("echo", &[("cache", "true")]), &[]).await;
    let id = host.submit("echo", &json!({"message": "cache me", "n": 7})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");

    // The same document with its keys in another order.
    let (status, _, body) =
        host.post_raw("/api/v1/echo/jobs", r#"{"n": 7, "message": "cache me"}"#, Some("application/json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["status"], "completed", "{body}");
    assert_eq!(data["cacheHit"], true, "{body}");
    assert_eq!(data["jobId"], id.as_str(), "{body}");
    assert_eq!(data["result"], json!({"message": "cache me", "n": 7}), "{body}");

    // A different input is a new job.
    let other = host.submit("echo", &json!({"message": "cache me", "n": 8})).await;
    assert_ne!(other, id);
}

#[tokio::test]
async fn force_refresh_bypasses_the_cache() {
    let host = Host::start(&Manifest::new().job("echo", &[("cache", "true")]), &[]).await;
    let input = json!({"message": "fresh"});
    let first = host.submit("echo", &input).await;
    host.wait_terminal(&first, SECS_30).await;

    // As a top-level body field, which is not part of the input.
    let (status, _, body) =
        host.post_json("/api/v1/echo/jobs", &json!({"message": "fresh", "forceRefresh": true})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["data"]["cacheHit"], false, "{body}");
    let refreshed = body["data"]["jobId"].as_str().expect("jobId").to_string();
    assert_ne!(refreshed, first);
    let job = host.wait_terminal(&refreshed, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"], input, "forceRefresh leaked into the input: {job}");

    // As a query parameter.
    let (status, _, body) = host.post_json("/api/v1/echo/jobs?forceRefresh=true", &input).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["data"]["cacheHit"], false, "{body}");
    let by_query = body["data"]["jobId"].as_str().expect("jobId").to_string();
    assert!(by_query != first && by_query != refreshed, "{body}");
    host.wait_terminal(&by_query, SECS_30).await;

    // Without the flag the cache answers again.
    let (status, _, body) = host.post_json("/api/v1/echo/jobs", &input).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["cacheHit"], true, "{body}");
}

#[tokio::test]
async fn identical_in_flight_submissions_share_one_job() {
    let host = Host::start(&Manifest::new().job("slow", &[("cache", "true")]), &[]).await;
    let input = json!({"steps": 10, "step_ms": 100, "tag": "shared"});
    let id = host.submit("slow", &input).await;

    let (status, _, body) = host.post_json("/api/v1/slow/jobs", &input).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["data"]["jobId"], id.as_str(), "{body}");
    assert_eq!(body["data"]["deduplicated"], true, "{body}");
    assert_eq!(body["data"]["cacheHit"], false, "{body}");

    // Concurrent ones too.
    let replies = futures::future::join_all((0..4).map(|_| host.post_json("/api/v1/slow/jobs", &input))).await;
    for (status, _, body) in &replies {
        assert_eq!(*status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["data"]["jobId"], id.as_str(), "{body}");
        assert_eq!(body["data"]["deduplicated"], true, "{body}");
    }

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    let (_, _, body) = host.get("/api/v1/jobs?capability=slow").await;
    assert_eq!(body["data"]["jobs"].as_array().map(Vec::len), Some(1), "{body}");

    let (status, _, body) = host.post_json("/api/v1/slow/jobs", &input).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["cacheHit"], true, "{body}");
    assert_eq!(body["data"]["jobId"], id.as_str(), "{body}");
}

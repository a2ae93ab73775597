//! `DELETE /api/v1/jobs/{id}`: queued jobs never start, running ones are
//! interrupted and give their slot back, finished ones cannot be cancelled.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, assert_error};

#[tokio::test]
async fn cancelling_a_queued_job_means_it_never_runs() {
    let host = Host::start(&Manifest::new().job("slow", &[("concurrency", "1")]), &[]).await;
    let running = host.submit("slow", &json!({"steps": 300, "step_ms": 100, "tag": "running"})).await;
    host.wait_status(&running, "processing", SECS_30).await;
    let queued = host.submit("slow", &json!({"steps": 1, "step_ms": 0, "tag": "queued"})).await;
    assert_eq!(host.job(&queued).await["status"], "queued");

    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{queued}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "cancelled", "{body}");
    assert_eq!(body["data"]["attempts"], 0, "{body}");
    assert_eq!(body["data"]["failure"]["code"], "JOB_CANCELLED", "{body}");

    // Free the slot; a job queued behind the cancelled one runs, so the
    // scheduler has passed the cancelled job by the time it completes.
    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{running}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = host.submit("slow", &json!({"steps": 1, "step_ms": 0, "tag": "after"})).await;
    let after = host.wait_terminal(&after, SECS_30).await;
    assert_eq!(after["status"], "completed", "{after}");

    let job = host.job(&queued).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    assert_eq!(job["attempts"], 0, "the cancelled job was started: {job}");
    assert_eq!(job["startedAt"], Value::Null, "the cancelled job was started: {job}");
    assert!(job.get("result").is_none(), "{job}");
}

#[tokio::test]
async fn cancelling_a_running_busy_loop_interrupts_it_and_frees_its_slot() {
    let manifest = Manifest::new().job("busy-loop", &[("concurrency", "1"), ("timeout", "\"60s\"")]).job("echo", &[]);
    let host = Host::start(&manifest, &[]).await;
    let first = host.submit("busy-loop", &json!({})).await;
    host.wait_status(&first, "processing", SECS_30).await;

    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{first}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "cancelled", "{body}");

    let job = host.wait_terminal(&first, SECS_30).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    assert_eq!(job["failure"]["code"], "JOB_CANCELLED", "{job}");
    assert_eq!(job["error"]["code"], "JOB_CANCELLED", "{job}");
    assert_eq!(job["attempts"], 1, "{job}");

    host.assert_echo_works().await;

    // The only slot is free again: the next busy-loop job starts.
    let second = host.submit("busy-loop", &json!({"n": 2})).await;
    host.wait_status(&second, "processing", SECS_30).await;
    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{second}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn cancelling_a_finished_job_is_a_conflict() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let id = host.submit("echo", &json!({"message": "quick"})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");

    let reply = host.delete(&format!("/api/v1/jobs/{id}")).await;
    assert_error(&reply, StatusCode::CONFLICT, "JOB_ALREADY_FINISHED");
    let job = host.job(&id).await;
    assert_eq!(job["status"], "completed", "a refused cancel changed the job: {job}");
    assert_eq!(job["result"], json!({"message": "quick"}));
}

#[tokio::test]
async fn cancelling_an_unknown_job_is_404() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let reply = host.delete("/api/v1/jobs/job_0190000000007000800000000000000").await;
    assert_error(&reply, StatusCode::NOT_FOUND, "JOB_NOT_FOUND");
}

//! Jobs outlive failures: retryable failures are retried with backoff up to
//! `max_attempts`, and a host killed with SIGKILL finishes its jobs after a
//! restart, each exactly once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, SECS_60};

#[tokio::test]
async fn retryable_failure_is_retried_until_it_succeeds() {
    let host = Host::start(&Manifest::new().job("flaky", &[("max_attempts", "3")]), &[]).await;
    let id = host.submit("flaky", &json!({"succeed_on": 3})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["attempts"], 3, "{job}");
    assert_eq!(job["result"], json!({"succeeded_on": 3}), "{job}");
    assert!(job.get("failure").is_none(), "a completed job shows no failure: {job}");
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let host = Host::start(&Manifest::new().job("flaky", &[("max_attempts", "2")]), &[]).await;
    let id = host.submit("flaky", &json!({"succeed_on": 5})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["attempts"], 2, "{job}");
    assert_eq!(job["maxAttempts"], 2, "{job}");
    assert_eq!(job["failure"]["code"], "FLAKY_NOT_YET", "{job}");
    assert_eq!(job["failure"]["retryable"], true, "{job}");
    assert_eq!(job["error"]["code"], "FLAKY_NOT_YET", "{job}");
}

async fn slow_jobs(host: &Host) -> Vec<Value> {
    let (status, _, body) = host.get("/api/v1/jobs?capability=slow").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["jobs"].as_array().expect("jobs").clone()
}

#[tokio::test]
async fn job_interrupted_by_a_crash_completes_exactly_once_after_restart() {
    let mut host = Host::start(&Manifest::new().job("slow", &[]), &[]).await;
    let id = host.submit("slow", &json!({"steps": 20, "step_ms": 100, "tag": "survivor"})).await;
    let running = host
        .wait_job(&id, SECS_30, "processing with progress", |v| {
            v["status"] == "processing" && v["progress"].as_u64().is_some_and(|p| p > 0)
        })
        .await;
    assert_eq!(running["attempts"], 1, "{running}");

    host.kill9();
    host.restart().await;

    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["attempts"], 2, "{job}");
    assert_eq!(job["result"], json!({"steps_done": 20, "attempt": 2, "tag": "survivor"}), "{job}");
    let finished_at = job["finishedAt"].clone();

    // Nothing runs it a third time: after another crash and restart the
    // record is unchanged and there is still one job.
    host.kill9();
    host.restart().await;
    let again = host.job(&id).await;
    assert_eq!(again["status"], "completed", "{again}");
    assert_eq!(again["attempts"], 2, "{again}");
    assert_eq!(again["finishedAt"], finished_at, "{again}");
    assert_eq!(again["result"]["attempt"], 2, "{again}");
    let jobs = slow_jobs(&host).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["jobId"], id.as_str());
}

#[tokio::test]
async fn queued_jobs_survive_a_restart() {
    let mut host = Host::start(&Manifest::new().job("slow", &[("concurrency", "1")]), &[]).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(host.submit("slow", &json!({"steps": 3, "step_ms": 100, "tag": format!("job {n}")})).await);
    }
    host.kill9();
    host.restart().await;

    for (n, id) in ids.iter().enumerate() {
        let job = host.wait_terminal(id, SECS_60).await;
        assert_eq!(job["status"], "completed", "{job}");
        assert_eq!(job["result"]["tag"], format!("job {n}"), "{job}");
        assert_eq!(job["result"]["steps_done"], 3, "{job}");
    }
    assert_eq!(slow_jobs(&host).await.len(), 3);
}

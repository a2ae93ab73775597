//! A job's life: submit, run, finish, read back; the synchronous call; the
//! job list; the event stream.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30};

#[tokio::test]
async fn submitted_job_completes_with_its_result_and_bookkeeping() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let input = json!({"message": "hello", "n": 3});

    let (status, headers, body) = host.post_json("/api/v1/echo/jobs", &input).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["data"]["status"], "queued", "{body}");
    assert_eq!(body["data"]["cacheHit"], false, "{body}");
    assert!(headers.contains_key("x-request-id"));
    let id = body["data"]["jobId"].as_str().expect("jobId").to_string();
    assert!(id.starts_with("job_"), "{id}");

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["jobId"], id.as_str());
    assert_eq!(job["capability"], "echo");
    assert_eq!(job["result"], input, "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    assert_eq!(job["maxAttempts"], 3, "{job}");
    assert!(job["componentDigest"].as_str().is_some_and(|d| d.starts_with("sha256:")), "{job}");
    assert!(job.get("failure").is_none() && job.get("error").is_none(), "{job}");
    let created = job["createdAt"].as_str().expect("createdAt");
    let started = job["startedAt"].as_str().expect("startedAt");
    let finished = job["finishedAt"].as_str().expect("finishedAt");
    // Same RFC 3339 UTC format with milliseconds: text order is time order.
    assert!(created <= started && started <= finished, "{created} {started} {finished}");
}

#[tokio::test]
async fn sync_call_returns_the_result() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let input = json!({"message": "right away"});
    let (status, _, body) = host.post_json("/api/v1/echo?wait=5", &input).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["data"]["status"], "completed", "{body}");
    assert_eq!(body["data"]["result"], input, "{body}");
    assert_eq!(body["data"]["attempts"], 1, "{body}");
}

#[tokio::test]
async fn sync_call_that_outlasts_its_wait_answers_202_and_the_job_still_completes() {
    let host = Host::start(&Manifest::new().job("slow", &[]), &[]).await;
    let (status, _, body) = host.post_json("/api/v1/slow?wait=0.1", &json!({"steps": 10, "step_ms": 100})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let data = &body["data"];
    assert!(matches!(data["status"].as_str(), Some("queued" | "processing")), "{body}");
    let id = data["jobId"].as_str().expect("jobId");

    let job = host.wait_terminal(id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"]["steps_done"], 10, "{job}");
}

async fn list(host: &Host, query: &str) -> Value {
    let (status, _, body) = host.get(&format!("/api/v1/jobs{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body["data"].clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["jobs"].as_array().expect("jobs").iter().map(|j| j["jobId"].as_str().expect("jobId").to_string()).collect()
}

#[tokio::test]
async fn job_list_filters_by_capability_and_status_and_pages_with_a_cursor() {
    let host = Host::start(&Manifest::new().job("echo", &[]).job("slow", &[]), &[]).await;
    let mut echo_ids = Vec::new();
    for n in 0..5 {
        let id = host.submit("echo", &json!({"n": n})).await;
        let job = host.wait_terminal(&id, SECS_30).await;
        assert_eq!(job["status"], "completed", "{job}");
        echo_ids.push(id);
    }
    let slow_id = host.submit("slow", &json!({"steps": 300, "step_ms": 100})).await;
    host.wait_status(&slow_id, "processing", SECS_30).await;

    // Newest first.
    let newest_first: Vec<String> = echo_ids.iter().rev().cloned().collect();
    let all = list(&host, "?capability=echo").await;
    assert_eq!(ids(&all), newest_first, "{all}");
    assert_eq!(all["nextCursor"], Value::Null, "{all}");

    let slow = list(&host, "?capability=slow").await;
    assert_eq!(ids(&slow), vec![slow_id.clone()], "{slow}");
    let processing = list(&host, "?status=processing").await;
    assert_eq!(ids(&processing), vec![slow_id.clone()], "{processing}");
    let completed_slow = list(&host, "?capability=slow&status=completed").await;
    assert_eq!(ids(&completed_slow), Vec::<String>::new(), "{completed_slow}");
    let completed_echo = list(&host, "?capability=echo&status=completed").await;
    assert_eq!(ids(&completed_echo), newest_first, "{completed_echo}");

    // Pages of two: 2 + 2 + 1, each page after the cursor of the previous one.
    let mut paged = Vec::new();
    let mut query = "?capability=echo&limit=2".to_string();
    let mut pages = 0;
    loop {
        let page = list(&host, &query).await;
        pages += 1;
        assert!(ids(&page).len() <= 2, "{page}");
        paged.extend(ids(&page));
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("?capability=echo&limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "the cursor never runs out: {page}");
    }
    assert_eq!(paged, newest_first);
    assert_eq!(pages, 3);

    host.delete(&format!("/api/v1/jobs/{slow_id}")).await;
}

#[tokio::test]
async fn event_stream_reports_progress_chunks_and_one_final_completed_event() {
    let host = Host::start(&Manifest::new().job("slow", &[("concurrency", "1")]), &[]).await;
    // A first job holds the only slot, so the watched one is still queued
    // when its stream opens; freeing the slot then lets it run.
    let blocker = host.submit("slow", &json!({"steps": 600, "step_ms": 100, "tag": "blocker"})).await;
    host.wait_status(&blocker, "processing", SECS_30).await;
    let id = host.submit("slow", &json!({"steps": 5, "step_ms": 50, "tag": "watched"})).await;
    let stream = host.open_events(&id, SECS_30).await;
    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{blocker}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = stream.collect().await;

    let (first_name, first) = events.first().expect("events");
    assert_eq!(first_name, "state", "{events:?}");
    assert_eq!(first["status"], "queued", "{first}");
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();

    let progress: Vec<u64> = events
        .iter()
        .filter(|(e, _)| e == "progress")
        .map(|(_, d)| d["progress"].as_u64().unwrap_or_else(|| panic!("progress event without progress: {d}")))
        .collect();
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "progress not increasing: {progress:?} in {names:?}");
    for pct in [20, 40, 60, 80, 100] {
        assert!(progress.contains(&pct), "no progress {pct}: {progress:?}");
    }
    let step_messages: Vec<&str> = events
        .iter()
        .filter(|(e, d)| e == "progress" && d["step"] == "working")
        .map(|(_, d)| d["message"].as_str().expect("message"))
        .collect();
    assert_eq!(step_messages, ["step 1 of 5", "step 2 of 5", "step 3 of 5", "step 4 of 5", "step 5 of 5"]);

    let chunks: Vec<&str> =
        events.iter().filter(|(e, _)| e == "chunk").map(|(_, d)| d["chunk"].as_str().expect("chunk")).collect();
    assert_eq!(chunks, ["chunk 1", "chunk 2", "chunk 3", "chunk 4", "chunk 5"], "{names:?}");

    let finals: Vec<&(String, Value)> =
        events.iter().filter(|(e, _)| matches!(e.as_str(), "completed" | "failed" | "cancelled")).collect();
    assert_eq!(finals.len(), 1, "{names:?}");
    let (last_name, last) = events.last().expect("events");
    assert_eq!(last_name, "completed", "the final event must come last: {names:?}");
    assert_eq!(last["status"], "completed", "{last}");
    assert_eq!(last["jobId"], id.as_str());
    assert_eq!(last["result"], json!({"steps_done": 5, "attempt": 1, "tag": "watched"}), "{last}");
}

#[tokio::test]
async fn event_stream_of_a_finished_job_is_just_the_final_event() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let id = host.submit("echo", &json!({"message": "done already"})).await;
    host.wait_terminal(&id, SECS_30).await;

    let events = host.events(&id, SECS_30).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (name, data) = &events[0];
    assert_eq!(name, "completed");
    assert_eq!(data["status"], "completed");
    assert_eq!(data["result"], json!({"message": "done already"}));
}

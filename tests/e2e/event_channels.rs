//! Listening to a job holds a channel in the host's event hub only while
//! the listener is there; `/health` reports the count as `events.liveChannels`.
//! (Each event stream of an unknown or finished job once left its channel
//! behind for good, ≈ 20 KB apiece.)

use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, SECS_30};

/// Event-stream requests, each for a different job id.
const REQUESTS: usize = 20_000;
/// Of which this many are for jobs that finished; the rest are unknown ids.
const FINISHED: usize = 1_000;
/// Connections the requests share.
const CONNECTIONS: usize = 8;

async fn live_channels(host: &Host) -> u64 {
    let (status, _, body) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["events"]["liveChannels"].as_u64().unwrap_or_else(|| panic!("no events.liveChannels in {body}"))
}

/// A stream's channel goes when the connection task drops the stream, which
/// may be a moment after the client read its end: wait for zero, briefly.
async fn assert_no_live_channel(host: &Host, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let live = live_channels(host).await;
        if live == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{live} event channels still live {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn event_streams_of_unknown_and_finished_jobs_leave_no_channel() {
    let host = Host::start(&Manifest::new().job("echo", &[("concurrency", "8")]), &[]).await;
    let host = &host;
    let finished: Vec<String> = futures::stream::iter(0..FINISHED)
        .map(|i| async move {
            let (status, _, body) = host.post_json("/api/v1/echo?wait=30", &json!({"message": format!("m{i}")})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["data"]["status"], "completed", "{body}");
            body["data"]["jobId"].as_str().expect("jobId").to_string()
        })
        .buffer_unordered(CONNECTIONS)
        .collect()
        .await;
    let unknown = (finished.len()..REQUESTS).map(|i| format!("job_{i:032x}"));
    let ids: Vec<(String, StatusCode)> = finished
        .into_iter()
        .map(|id| (id, StatusCode::OK))
        .chain(unknown.map(|id| (id, StatusCode::NOT_FOUND)))
        .collect();

    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(SECS_30)
        .build()
        .expect("http client");
    let answered: usize = futures::stream::iter(ids)
        .map(|(id, expected)| {
            let client = &client;
            async move {
                let response = client
                    .get(host.url(&format!("/api/v1/jobs/{id}/events")))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("event stream of {id}: {e}\nlog:\n{}", host.log_tail()));
                assert_eq!(response.status(), expected, "event stream of {id}");
                let body = response.text().await.expect("reading the event stream");
                if expected == StatusCode::OK {
                    assert!(body.contains("event: completed"), "stream of finished {id}: {body}");
                }
                1
            }
        })
        .buffer_unordered(CONNECTIONS)
        .fold(0, |n, one| async move { n + one })
        .await;
    assert_eq!(answered, REQUESTS);
    assert_no_live_channel(host, &format!("after {REQUESTS} event streams of unknown and finished jobs")).await;
}

#[tokio::test]
async fn an_abandoned_event_stream_of_a_running_job_releases_its_channel() {
    let host = Host::start(&Manifest::new().job("slow", &[]), &[]).await;
    let id = host.submit("slow", &json!({"steps": 300, "step_ms": 100})).await;
    host.wait_status(&id, "processing", SECS_30).await;
    let stream = host.open_events(&id, SECS_30).await;
    assert_eq!(live_channels(&host).await, 1, "an open stream listens");
    drop(stream);
    assert_no_live_channel(&host, "after the client closed the stream of a running job").await;
    assert_eq!(host.job(&id).await["status"], "processing", "the job must still run, or finishing freed the channel");
}

#[tokio::test]
async fn a_synchronous_call_that_stops_waiting_releases_its_channel() {
    let host = Host::start(&Manifest::new().job("slow", &[]), &[]).await;
    let (status, _, body) = host.post_json("/api/v1/slow?wait=1", &json!({"steps": 300, "step_ms": 100})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["data"]["jobId"].as_str().expect("jobId");
    assert_no_live_channel(&host, "after a synchronous call answered 202").await;
    assert_eq!(host.job(id).await["status"], "processing", "the job must still run, or finishing freed the channel");
}

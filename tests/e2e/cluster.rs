//! A cluster under fire: three hosts share one PostgreSQL schema while
//! 10,000 jobs are submitted to whichever host is up and hosts are killed
//! with SIGKILL (no shutdown, no flushing) and restarted, one at a time.
//! Afterwards the database must hold exactly one completed job per
//! submission, each with the answer to its own input, and the kills may
//! have cost at most one extra attempt per job they interrupted.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, Schema, postgres_url};

const JOBS: usize = 10_000;
const KILLS: usize = 20;
const HOSTS: usize = 3;
/// Jobs of `slow` one host runs at once: a kill interrupts at most this many.
const CONCURRENCY: u64 = 16;
/// Submissions in flight at once, over all hosts.
const SUBMITTERS: usize = 32;

/// The base URL of each host, `None` while it is down.
type Bases = Arc<RwLock<Vec<Option<String>>>>;

fn any_up(bases: &Bases) -> Option<String> {
    let up: Vec<String> = bases.read().unwrap().iter().flatten().cloned().collect();
    (!up.is_empty()).then(|| up[rand::rng().random_range(0..up.len())].clone())
}

/// Submit job `n` to any host that is up until one accepts it; returns its
/// id. A retry after a host died mid-request joins the job that host may
/// have stored (the capability is cached), so a retry never makes a second job.
async fn submit(client: &reqwest::Client, bases: &Bases, n: usize) -> String {
    let input = json!({"steps": 1, "step_ms": 20, "tag": format!("{n}")});
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        assert!(tokio::time::Instant::now() < deadline, "job {n} was not accepted by any host for 120 s");
        let Some(base) = any_up(bases) else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let reply = client.post(format!("{base}/api/v1/slow/jobs")).json(&input).send().await;
        let Ok(reply) = reply else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let status = reply.status();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        match status {
            StatusCode::OK | StatusCode::ACCEPTED => {
                return body["data"]["jobId"].as_str().expect("jobId").to_string();
            }
            // The store was briefly out of reach for that host: try again.
            StatusCode::SERVICE_UNAVAILABLE => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("job {n}: {other} {body}"),
        }
    }
}

/// Kill a random host with SIGKILL and start it again, `KILLS` times, one
/// host down at a time; returns the hosts, all up.
async fn kill_and_restart(mut hosts: Vec<Host>, bases: Bases) -> Vec<Host> {
    for _ in 0..KILLS {
        let pause = rand::rng().random_range(200..700);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let victim = rand::rng().random_range(0..hosts.len());
        bases.write().unwrap()[victim] = None;
        hosts[victim].restart().await;
        bases.write().unwrap()[victim] = Some(hosts[victim].base());
    }
    hosts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_jobs_survive_twenty_kills_with_none_lost_and_none_run_twice() {
    let schema = Schema::new();
    let url = postgres_url();
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name(), "--queue-capacity", "20000"];
    let concurrency = CONCURRENCY.to_string();
    let manifest = Manifest::new().job("slow", &[("concurrency", concurrency.as_str()), ("cache", "true")]);
    let mut hosts = Vec::new();
    for _ in 0..HOSTS {
        hosts.push(Host::start(&manifest, &args).await);
    }
    let bases: Bases = Arc::new(RwLock::new(hosts.iter().map(|h| Some(h.base())).collect()));
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("client");

    let submitting = {
        let (client, bases) = (client.clone(), bases.clone());
        tokio::spawn(async move {
            use futures::StreamExt;
            futures::stream::iter(0..JOBS)
                .map(|n| {
                    let (client, bases) = (client.clone(), bases.clone());
                    async move { (n, submit(&client, &bases, n).await) }
                })
                .buffer_unordered(SUBMITTERS)
                .collect::<Vec<(usize, String)>>()
                .await
        })
    };
    let killing = tokio::spawn(kill_and_restart(hosts, bases.clone()));
    let ids = submitting.await.expect("submissions");
    let hosts = killing.await.expect("kills");

    // Every job ends: read the database the hosts share.
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.expect("the test database");
    let table = format!("{}.jobs", schema.name());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    loop {
        let open: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE state IN ('queued', 'processing')"))
                .fetch_one(&mut db)
                .await
                .expect("count");
        if open == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{open} jobs still open after 180 s");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let rows: Vec<(String, String, Option<String>, i64, String)> =
        sqlx::query_as(&format!("SELECT id, state, result, attempts, input FROM {table}"))
            .fetch_all(&mut db)
            .await
            .expect("rows");
    assert_eq!(rows.len(), JOBS, "one job per submission: no job lost, no submission stored twice");
    let by_id: std::collections::HashMap<&str, _> = rows.iter().map(|r| (r.0.as_str(), r)).collect();
    let mut extra_attempts = 0;
    for (n, id) in &ids {
        let (_, state, result, attempts, _) = by_id.get(id.as_str()).unwrap_or_else(|| panic!("job {n} ({id}) lost"));
        assert_eq!(state, "completed", "job {n} ({id})");
        let result: Value = serde_json::from_str(result.as_deref().expect("a result")).expect("JSON result");
        assert_eq!(result["tag"], json!(format!("{n}")), "job {n} has another job's answer: {result}");
        assert_eq!(result["attempt"], json!(attempts), "job {n}: the result is not its last attempt's");
        assert!(*attempts as usize <= 1 + KILLS, "job {n} ran {attempts} times");
        extra_attempts += attempts - 1;
    }
    eprintln!("{JOBS} jobs, {KILLS} kills: {extra_attempts} extra attempts");
    assert!(
        extra_attempts as u64 <= KILLS as u64 * CONCURRENCY,
        "{extra_attempts} extra attempts for {KILLS} kills of hosts running at most {CONCURRENCY} jobs each"
    );
    // Every host is up and serving after its restarts.
    for host in &hosts {
        let (status, _, health) = host.get("/health").await;
        assert_eq!(status, StatusCode::OK, "{health}");
    }
}

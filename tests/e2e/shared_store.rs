//! What only the shared store does: a host whose PostgreSQL goes away
//! answers clearly, loses nothing and carries on when it is back. The
//! database is reached through a loopback proxy the test can cut, so the
//! server every other test uses keeps running.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::harness::{Host, Manifest, SECS_60, Schema};

/// A TCP proxy to the test PostgreSQL server that can be cut (every
/// connection closed, new ones refused) and restored.
#[derive(Clone, Default)]
struct Proxy {
    cut: Arc<Mutex<bool>>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: &'static str) -> (Proxy, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Proxy::default();
        let accepting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if *accepting.cut.lock().unwrap() {
                    drop(client);
                    continue;
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accepting.links.lock().unwrap().push(link);
            }
        });
        (proxy, port)
    }

    fn cut(&self) {
        *self.cut.lock().unwrap() = true;
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        *self.cut.lock().unwrap() = false;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_unreachable_submissions_get_503_and_nothing_is_lost() {
    let (proxy, port) = Proxy::start("127.0.0.1:5432").await;
    let schema = Schema::new();
    let url = format!("postgres://postgres@127.0.0.1:{port}/test");
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name()];
    let host = Host::start(&Manifest::new().job("echo", &[]), &args).await;
    let before = host.submit("echo", &json!({"message": "before"})).await;
    assert_eq!(host.wait_terminal(&before, SECS_60).await["status"], "completed");

    proxy.cut();
    let (status, headers, body) = host.post_json("/api/v1/echo/jobs", &json!({"message": "during"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "COMMON_STORE_UNAVAILABLE", "{body}");
    assert!(headers.contains_key("retry-after"), "{headers:?}");
    let (status, _, health) = host.get("/health").await;
    assert_eq!((status, health["data"]["status"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("degraded")));

    proxy.restore();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let after = loop {
        let (status, _, body) = host.post_json("/api/v1/echo/jobs", &json!({"message": "after"})).await;
        if status == StatusCode::ACCEPTED {
            break body["data"]["jobId"].as_str().expect("jobId").to_string();
        }
        assert!(tokio::time::Instant::now() < deadline, "the host did not come back: {status} {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(host.wait_terminal(&after, SECS_60).await["status"], "completed");
    let job = host.job(&before).await;
    assert_eq!(job["result"], json!({"message": "before"}), "{job}");
}

/// Two hosts on one database schema (the schema is dropped when the last
/// of them is, with the returned guard), each serving its own manifest.
async fn two_hosts(first: &Manifest, second: &Manifest) -> (Host, Host, Schema) {
    let schema = Schema::new();
    let url = crate::harness::postgres_url();
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name()];
    let first = Host::start(first, &args).await;
    let second = Host::start(second, &args).await;
    (first, second, schema)
}

/// A host that serves only `echo`: work of another capability that it is
/// shown can only run on the host that serves it.
fn echo_only() -> Manifest {
    Manifest::new().job("echo", &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_on_one_host_follows_a_job_running_on_another_to_its_end() {
    let (watcher, runner, _schema) = two_hosts(&echo_only(), &Manifest::new().job("slow", &[])).await;
    let id = runner.submit("slow", &json!({"steps": 5, "step_ms": 200})).await;
    let events = watcher.open_events(&id, SECS_60).await.collect().await;
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert!(names.contains(&"progress"), "no progress reached the other host: {names:?}");
    let completed = events.iter().find(|(e, _)| e == "completed").expect("the end reached the other host");
    assert_eq!(completed.1["status"], "completed", "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_sent_to_one_host_stops_a_busy_loop_running_on_another() {
    let manifest = Manifest::new().job("busy-loop", &[("concurrency", "1"), ("timeout", "\"60s\"")]);
    let (canceller, runner, _schema) = two_hosts(&echo_only(), &manifest).await;
    let first = runner.submit("busy-loop", &json!({})).await;
    runner.wait_status(&first, "processing", SECS_60).await;
    let (status, _, body) = canceller.delete(&format!("/api/v1/jobs/{first}")).await;
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{body}");
    // The runner's only slot frees when its guest stops; without the cancel
    // reaching it, the guest would hold the slot until its 60 s timeout.
    let second = runner.submit("busy-loop", &json!({"n": 2})).await;
    runner.wait_status(&second, "processing", Duration::from_secs(20)).await;
    assert!(runner.log_text().contains("cancelled on another host"), "{}", runner.log_tail());
    canceller.delete(&format!("/api/v1/jobs/{second}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cancelled_without_a_notice_is_stopped_by_the_next_heartbeat() {
    let schema = Schema::new();
    let url = crate::harness::postgres_url();
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name()];
    let manifest = Manifest::new().job("busy-loop", &[("concurrency", "1"), ("timeout", "\"60s\"")]);
    let host = Host::start(&manifest, &args).await;
    let first = host.submit("busy-loop", &json!({})).await;
    host.wait_status(&first, "processing", SECS_60).await;
    // Straight in the database: no host hears of it.
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.expect("the test database");
    let sql = format!("UPDATE {}.jobs SET state = 'cancelled' WHERE id = $1", schema.name());
    sqlx::query(&sql).bind(&first).execute(&mut db).await.expect("cancelled in the database");
    // The host's only slot frees when its guest stops (else after 60 s).
    let second = host.submit("busy-loop", &json!({"n": 2})).await;
    host.wait_status(&second, "processing", Duration::from_secs(20)).await;
    assert!(host.log_text().contains("no longer this host's job"), "{}", host.log_tail());
    host.delete(&format!("/api/v1/jobs/{second}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_submissions_to_two_hosts_make_one_job() {
    let manifest = Manifest::new().job("slow", &[("cache", "true")]);
    let (first, second, _schema) = two_hosts(&manifest, &manifest).await;
    let input = json!({"steps": 3, "step_ms": 200, "tag": "same"});
    let path = "/api/v1/slow/jobs";
    let (a, b) = tokio::join!(first.post_json(path, &input), second.post_json(path, &input));
    let ids: Vec<String> = [a, b]
        .into_iter()
        .map(|(status, _, body)| {
            assert!(status.is_success(), "{status} {body}");
            body["data"]["jobId"].as_str().expect("jobId").to_string()
        })
        .collect();
    assert_eq!(ids[0], ids[1], "two jobs for one input");
    assert_eq!(first.wait_terminal(&ids[0], SECS_60).await["attempts"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synchronous_call_to_a_busy_host_is_answered_when_another_host_runs_it() {
    let manifest = Manifest::new().job("slow", &[("concurrency", "1")]);
    let (busy, _idle, _schema) = two_hosts(&manifest, &manifest).await;
    let long = busy.submit("slow", &json!({"steps": 600, "step_ms": 100})).await;
    busy.wait_status(&long, "processing", SECS_60).await;
    // The busy host's only slot is taken for a minute: the short job can
    // only finish this soon on the other host, and the call on the busy host
    // only returns this soon if it hears of the end from there.
    let started = tokio::time::Instant::now();
    let (status, _, body) = busy.post_json("/api/v1/slow?wait=30s", &json!({"steps": 2, "step_ms": 50})).await;
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("completed")), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    busy.delete(&format!("/api/v1/jobs/{long}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_of_a_killed_host_run_on_another_after_its_lease() {
    let schema = Schema::new();
    let url = crate::harness::postgres_url();
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name()];
    let manifest = Manifest::new().job("slow", &[("concurrency", "1")]);
    let mut doomed = Host::start(&manifest, &args).await;
    let running = doomed.submit("slow", &json!({"steps": 10, "step_ms": 100})).await;
    doomed.wait_status(&running, "processing", SECS_60).await;
    // Queued behind it on a host with no room, and no other host yet to hear of it.
    let waiting = doomed.submit("slow", &json!({"steps": 1, "step_ms": 10})).await;
    doomed.kill9();
    let killed_at = tokio::time::Instant::now();
    let heir = Host::start(&manifest, &args).await;
    for id in [&waiting, &running] {
        let job = heir.wait_terminal(id, SECS_60).await;
        assert_eq!(job["status"], "completed", "{job}");
    }
    // The harness's lease is 2 s; the running job takes 1 s again.
    let took = killed_at.elapsed();
    assert!(took < Duration::from_secs(2 + 1 + 5), "orphans re-ran after {took:?}");
    assert_eq!(heir.job(&running).await["attempts"], 2);
    assert_eq!(heir.job(&waiting).await["attempts"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_ends_with_its_job_even_when_no_notice_of_the_end_comes() {
    let schema = Schema::new();
    let url = crate::harness::postgres_url();
    let args = ["--database-url", url.as_str(), "--database-schema", schema.name()];
    let manifest = Manifest::new().job("busy-loop", &[("timeout", "\"60s\"")]);
    let host = Host::start(&manifest, &args).await;
    let id = host.submit("busy-loop", &json!({})).await;
    host.wait_status(&id, "processing", SECS_60).await;
    let stream = host.open_events(&id, Duration::from_secs(20)).await;
    // Ended straight in the database: no host publishes the end, and the
    // host running it finds its result fenced out, so nobody says "finished".
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.expect("the test database");
    let sql = format!("UPDATE {}.jobs SET state = 'cancelled' WHERE id = $1", schema.name());
    sqlx::query(&sql).bind(&id).execute(&mut db).await.expect("cancelled in the database");
    let started = tokio::time::Instant::now();
    let events = stream.collect().await;
    let last = events.last().map(|(name, _)| name.as_str());
    assert_eq!(last, Some("cancelled"), "{events:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "the stream ended after {:?}", started.elapsed());
}

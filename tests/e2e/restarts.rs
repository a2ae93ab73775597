//! The shared servers restarted under running hosts. Each test runs a
//! PostgreSQL or Redis server of its own, from the machine's binaries in a
//! temporary directory, so it can stop it hard and start it again while the
//! servers every other test uses keep running.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, SECS_60, free_port};

/// Where Debian keeps the server programs of its PostgreSQL (the newest there).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with pg_ctl")
}

/// Runs a server program as the `postgres` user when this is root (the
/// server refuses to run as root), else as whoever this is.
fn as_postgres(program: &Path) -> Command {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A PostgreSQL server of the test's own on a free loopback port.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePostgres {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        run(Command::new("chmod").arg("777").arg(dir.path()), "opening the directory to postgres");
        let data = dir.path().join("data");
        run(
            as_postgres(&postgres_bin().join("initdb"))
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
                .arg(&data),
            "initdb",
        );
        let server = PrivatePostgres { dir, port: free_port() };
        server.resume();
        server
    }

    fn pg_ctl(&self, args: &[&str], what: &str) {
        let options =
            format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        run(
            as_postgres(&postgres_bin().join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .arg("-l")
                .arg(self.dir.path().join("server.log"))
                .args(["-o", &options])
                .args(args),
            what,
        );
    }

    /// Start (again) on the same port and data.
    fn resume(&self) {
        self.pg_ctl(&["-w", "start"], "starting PostgreSQL");
    }

    /// Stop at once, like a crash: connections are cut, nothing is flushed.
    fn crash(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"], "stopping PostgreSQL");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = as_postgres(&postgres_bin().join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A Redis server of the test's own on a free loopback port, keeping nothing on disk.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start() -> Self {
        let mut server = PrivateRedis { port: free_port(), child: None };
        server.resume();
        server
    }

    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian: redis-server)");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "redis-server did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: every connection drops at once.
    fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.crash();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_costs_503s_with_retry_after_and_no_accepted_job() {
    let db = PrivatePostgres::start();
    let url = db.url();
    let args = ["--database-url", url.as_str()];
    let manifest = Manifest::new().job("echo", &[]);
    let hosts = [Host::start(&manifest, &args).await, Host::start(&manifest, &args).await];
    let mut accepted = Vec::new();
    let mut refused = 0;
    let submit = |host: &Host, n: usize| {
        let path = "/api/v1/echo/jobs";
        let body = json!({"message": format!("{n}")});
        let request = host.client().post(host.url(path)).json(&body).timeout(Duration::from_secs(10));
        async move {
            let reply = request.send().await.expect("an answer, not a hang or a dropped connection");
            let status = reply.status();
            let retry_after = reply.headers().contains_key("retry-after");
            let body: serde_json::Value = reply.json().await.expect("a JSON answer");
            (status, retry_after, body)
        }
    };
    let mut n = 0;
    // Before, during and after the outage, to both hosts in turn.
    for phase in ["before", "during", "after"] {
        if phase == "during" {
            db.crash();
        }
        if phase == "after" {
            let (status, _, health) = hosts[0].get("/health").await;
            assert_eq!(health["data"]["status"], "degraded", "{status} {health}");
            db.resume();
        }
        let until = tokio::time::Instant::now() + Duration::from_secs(if phase == "after" { 8 } else { 2 });
        while tokio::time::Instant::now() < until {
            n += 1;
            let (status, retry_after, body) = submit(&hosts[n % 2], n).await;
            match status {
                StatusCode::ACCEPTED => accepted.push(body["data"]["jobId"].as_str().expect("jobId").to_string()),
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(body["error"]["code"], "COMMON_STORE_UNAVAILABLE", "{body}");
                    assert!(retry_after, "a 503 without Retry-After: {body}");
                    refused += 1;
                }
                other => panic!("{phase}: {other} {body}\n{}", hosts[n % 2].log_tail()),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(refused > 0, "no submission was refused while the database was down");
    let last = accepted.last().expect("accepted jobs").clone();
    assert!(accepted.len() > 10, "only {} accepted", accepted.len());
    // Both hosts are back: the last accepted jobs went to each of them.
    for host in &hosts {
        let id = host.submit("echo", &json!({"message": "back"})).await;
        assert_eq!(host.wait_terminal(&id, SECS_60).await["status"], "completed");
    }
    for id in &accepted {
        let job = hosts[0].wait_terminal(id, SECS_60).await;
        assert_eq!(job["status"], "completed", "{id} (last {last}): {job}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_redis_restart_the_hosts_hear_each_other_again() {
    let mut redis = PrivateRedis::start();
    let schema = crate::harness::Schema::new();
    let (pg, redis_url) = (crate::harness::postgres_url(), redis.url());
    let args = ["--database-url", pg.as_str(), "--database-schema", schema.name(), "--redis-url", redis_url.as_str()];
    let runner = Host::start(&Manifest::new().job("slow", &[]), &args).await;
    let watcher = Host::start(&Manifest::new().job("echo", &[]), &args).await;

    redis.crash();
    // Jobs do not need the bus: they are accepted and run meanwhile.
    let during = runner.submit("slow", &json!({"steps": 1, "step_ms": 10})).await;
    assert_eq!(runner.wait_terminal(&during, SECS_60).await["status"], "completed");
    let (_, _, health) = watcher.get("/health").await;
    assert_eq!(health["data"]["status"], "degraded", "{health}");
    redis.resume();

    // Once both hosts are back on the bus, a stream on one follows a job on
    // the other, progress included (the end alone could come from the store).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let id = runner.submit("slow", &json!({"steps": 4, "step_ms": 250})).await;
        let events = watcher.open_events(&id, SECS_60).await.collect().await;
        let heard_progress = events.iter().any(|(name, _)| name == "progress");
        assert_eq!(events.last().map(|(name, _)| name.as_str()), Some("completed"), "{events:?}");
        if heard_progress {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no progress crossed the bus 30 s after Redis came back");
    }
    let (_, _, health) = watcher.get("/health").await;
    assert_eq!(health["data"]["status"], "ok", "{health}");
}

//! Every host of a cluster follows its component versions: a push or a
//! rollback sent to any host serves on all of them within a second, a host
//! that joins later serves what the others do, a host that missed the
//! notice catches up by its periodic check, and a host that cannot load a
//! release keeps its old version and says why.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, Schema, wasm_path};

const TOKEN: &str = "e2e-cluster-admin";
/// How soon every other host must serve a release it heard of.
const FOLLOW: Duration = Duration::from_secs(1);

/// A host of the cluster in `schema`, with the admin API open to [`TOKEN`].
async fn join(schema: &Schema, manifest: &Manifest, extra: &[&str]) -> Host {
    let url = crate::harness::postgres_url();
    let mut args = vec!["--database-url", url.as_str(), "--database-schema", schema.name(), "--admin-token", TOKEN];
    args.extend_from_slice(extra);
    Host::start(manifest, &args).await
}

fn echo() -> Manifest {
    Manifest::new().job("echo", &[])
}

fn digest_of(fixture: &str) -> String {
    use sha2::Digest;
    let wasm = std::fs::read(wasm_path(fixture)).expect("fixture wasm");
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(wasm)))
}

async fn push(host: &Host, fixture: &str) -> Value {
    let wasm = std::fs::read(wasm_path(fixture)).expect("fixture wasm");
    let request = host.client().put(host.url("/api/v1/components/echo")).bearer_auth(TOKEN).body(wasm);
    let (status, _, body) = host.send(request).await;
    assert_eq!(status, StatusCode::OK, "pushing {fixture}: {body}");
    body["data"].clone()
}

async fn rollback(host: &Host) -> Value {
    let request = host.client().post(host.url("/api/v1/components/echo/rollback")).bearer_auth(TOKEN);
    let (status, _, body) = host.send(request).await;
    assert_eq!(status, StatusCode::OK, "rolling back: {body}");
    body["data"].clone()
}

/// `echo` as `GET /api/v1/components` on `host` lists it.
async fn listed(host: &Host) -> Value {
    let request = host.client().get(host.url("/api/v1/components")).bearer_auth(TOKEN);
    let (status, _, body) = host.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["components"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "echo")).cloned().expect("echo")
}

/// Polls `host`'s listing until `done` holds for echo's entry; fails after `within`.
async fn until(host: &Host, within: Duration, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let echo = listed(host).await;
        if done(&echo) {
            return echo;
        }
        assert!(Instant::now() < deadline, "{what} not within {within:?}: {echo}\nlog:\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn until_serving(host: &Host, digest: &str, within: Duration) -> Value {
    until(host, within, &format!("serving {digest}"), |echo| echo["activeDigest"] == digest).await
}

/// A job submitted to `host`, run to its end; the digest of the version
/// that ran it (on whichever host claimed it).
async fn ran_on(host: &Host) -> String {
    let id = host.submit("echo", &json!({"message": "which version?"})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    job["componentDigest"].as_str().expect("componentDigest").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_to_one_host_serves_on_every_host_within_a_second() {
    let schema = Schema::new();
    let a = join(&schema, &echo(), &[]).await;
    let b = join(&schema, &echo(), &[]).await;
    let c = join(&schema, &echo(), &[]).await;
    let v2 = digest_of("echo-v2");

    let pushed = push(&a, "echo-v2").await;
    let answered = Instant::now();
    assert_eq!((pushed["digest"].as_str(), pushed["previousDigest"].as_str()), (Some(&*v2), Some(&*digest_of("echo"))));
    until_serving(&b, &v2, FOLLOW).await;
    until_serving(&c, &v2, FOLLOW.saturating_sub(answered.elapsed())).await;

    // Whichever host claims them, jobs now run on the new version.
    for host in [&a, &b, &c] {
        assert_eq!(ran_on(host).await, v2);
    }
    for host in [&b, &c] {
        let echo = listed(host).await;
        assert_eq!((echo["activeVersion"].as_str(), &echo["drift"]), (Some("2.0.0"), &Value::Null), "{echo}");
        assert_eq!(echo["versionsKept"], 2, "every host lists the cluster's history: {echo}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_on_another_host_applies_to_the_one_that_pushed() {
    let schema = Schema::new();
    let a = join(&schema, &echo(), &[]).await;
    let b = join(&schema, &echo(), &[]).await;
    let (v1, v2) = (digest_of("echo"), digest_of("echo-v2"));
    push(&a, "echo-v2").await;
    until_serving(&b, &v2, FOLLOW).await;

    let rolled = rollback(&b).await;
    assert_eq!((rolled["digest"].as_str(), rolled["previousDigest"].as_str()), (Some(&*v1), Some(&*v2)));
    until_serving(&a, &v1, FOLLOW).await;
    assert_eq!(ran_on(&a).await, v1);
    // The history is the cluster's: rolling back again on A goes forward to v2.
    assert_eq!(rollback(&a).await["digest"], v2);
    until_serving(&b, &v2, FOLLOW).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_started_after_a_push_serves_the_pushed_version() {
    let schema = Schema::new();
    let a = join(&schema, &echo(), &[]).await;
    let v2 = digest_of("echo-v2");
    push(&a, "echo-v2").await;

    // Its spin.toml still names the first version as `source`: the same
    // deployment as the cluster's, so the version pushed since serves.
    let late = join(&schema, &echo(), &[]).await;
    let echo = listed(&late).await;
    assert_eq!((echo["activeDigest"].as_str(), &echo["drift"]), (Some(&*v2), &Value::Null), "{echo}");
    let (_, _, health) = late.get("/health").await;
    assert_eq!(health["data"]["status"], "ok", "{health}");
    assert_eq!(ran_on(&late).await, v2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_missed_the_notice_follows_at_its_next_check() {
    // Its notices go through Redis, the others' through PostgreSQL: it
    // hears none of them, as if every notice to it were lost.
    let redis = std::env::var("CAPSULE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let schema = Schema::new();
    let a = join(&schema, &echo(), &[]).await;
    let deaf = join(&schema, &echo(), &["--redis-url", redis.as_str()]).await;
    let v2 = digest_of("echo-v2");
    push(&a, "echo-v2").await;
    // The check runs every 2 s; loading the version takes a moment more.
    until_serving(&deaf, &v2, Duration::from_secs(5)).await;
    assert!(deaf.log_text().contains("following the version released by another host"), "{}", deaf.log_tail());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_cannot_load_a_release_keeps_its_version_and_says_why() {
    let schema = Schema::new();
    // Only the first host grants echo a host to reach, so only it may load
    // a version of echo that imports outgoing HTTP.
    let granted = join(&schema, &echo().grant("echo", "http://127.0.0.1:9"), &[]).await;
    let strict = join(&schema, &echo(), &[]).await;
    let (v1, net) = (digest_of("echo"), digest_of("echo-net"));

    let pushed = push(&granted, "echo-net").await;
    assert_eq!(pushed["digest"], net);
    let echo = until(&strict, Duration::from_secs(5), "a refusal", |echo| echo["drift"]["error"].is_string()).await;
    assert_eq!(echo["activeDigest"], v1, "the old version keeps serving: {echo}");
    let drift = &echo["drift"];
    assert_eq!((drift["serving"].as_str(), drift["wanted"].as_str()), (Some(&*v1), Some(&*net)), "{echo}");
    assert_eq!(drift["step"], "imports", "{echo}");
    let why = drift["error"].as_str().unwrap_or_default();
    assert!(why.contains("allowed_outbound_hosts"), "the reason names the missing grant: {why}");

    let (status, _, health) = strict.get("/health").await;
    assert_eq!((status, health["data"]["status"].as_str()), (StatusCode::OK, Some("degraded")), "{health}");
    let reported = &health["data"]["drift"][0];
    assert_eq!((reported["component"].as_str(), reported["wanted"].as_str()), (Some("echo"), Some(&*net)), "{health}");
    strict.assert_echo_works().await;
    let (_, _, health) = granted.get("/health").await;
    assert_eq!(health["data"]["status"], "ok", "the host that loaded it is fine: {health}");

    // A rollback to a version both load brings the cluster back in step.
    rollback(&granted).await;
    until(&strict, FOLLOW, "back in step", |echo| echo["activeDigest"] == v1 && echo["drift"].is_null()).await;
    let (_, _, health) = strict.get("/health").await;
    assert_eq!(health["data"]["status"], "ok", "{health}");
}

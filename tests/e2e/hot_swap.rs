//! Hot swap: a new version serves only after it passed validation, the swap
//! loses no job, a refused version never serves, rollback is instant, and
//! the admin API is closed to everyone but an admin.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, SECS_60, wasm_path};

const TOKEN: &str = "e2e-admin-token";
const VIEWER: &str = "e2e-viewer-token";

async fn admin_host(manifest: &Manifest) -> Host {
    Host::start(manifest, &["--admin-token", TOKEN, "--viewer-token", VIEWER]).await
}

async fn push(host: &Host, id: &str, fixture: &str, token: &str) -> (StatusCode, Value) {
    let wasm = std::fs::read(wasm_path(fixture)).expect("fixture wasm");
    let req = host.client().put(host.url(&format!("/api/v1/components/{id}"))).bearer_auth(token).body(wasm);
    let (status, _, body) = host.send(req).await;
    (status, body)
}

async fn rollback(host: &Host, id: &str, to: Option<&str>) -> (StatusCode, Value) {
    let path = match to {
        Some(d) => format!("/api/v1/components/{id}/rollback?to={d}"),
        None => format!("/api/v1/components/{id}/rollback"),
    };
    let (status, _, body) = host.send(host.client().post(host.url(&path)).bearer_auth(TOKEN)).await;
    (status, body)
}

async fn active_digest(host: &Host, id: &str) -> String {
    let req = host.client().get(host.url(&format!("/api/v1/components/{id}/versions"))).bearer_auth(VIEWER);
    let (status, _, body) = host.send(req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["activeDigest"].as_str().expect("activeDigest").to_string()
}

fn digest_of(fixture: &str) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(std::fs::read(wasm_path(fixture)).unwrap())))
}

#[tokio::test]
async fn pushed_version_serves_new_jobs() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let (status, body) = push(&host, "echo", "echo-v2", TOKEN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["digest"], digest_of("echo-v2"));
    assert_eq!(body["data"]["previousDigest"], digest_of("echo"));
    assert_eq!(body["data"]["version"], "2.0.0");

    let id = host.submit("echo", &json!({"message": "after the swap"})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["componentDigest"], digest_of("echo-v2"), "{job}");
}

#[tokio::test]
async fn version_failing_its_example_is_refused_and_the_old_one_keeps_serving() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let (status, body) = push(&host, "echo", "echo-broken", TOKEN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "COMPONENT_INVALID", "{body}");
    assert_eq!(body["error"]["details"]["step"], "example", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("hello"), "names the failing example: {body}");
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo"));
    host.assert_echo_works().await;
}

#[tokio::test]
async fn bytes_that_are_not_a_component_are_refused_at_compile() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let mut not_a_component = b"\0asm".to_vec();
    not_a_component.extend_from_slice(&[1, 0, 0, 0, 0xff, 0xff]);
    let req = host.client().put(host.url("/api/v1/components/echo")).bearer_auth(TOKEN).body(not_a_component);
    let (status, _, body) = host.send(req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["step"], "compile", "{body}");
    let (status, _, body) =
        host.send(host.client().put(host.url("/api/v1/components/echo")).bearer_auth(TOKEN).body("hello")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn version_with_another_name_is_refused_at_descriptor() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let (status, body) = push(&host, "echo", "slow", TOKEN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["step"], "descriptor", "{body}");
}

#[tokio::test]
async fn rollback_returns_to_the_previous_or_a_named_version() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    push(&host, "echo", "echo-v2", TOKEN).await;
    let (status, body) = rollback(&host, "echo", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo"));

    let (status, body) = rollback(&host, "echo", Some(&digest_of("echo-v2"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo-v2"));

    let (status, body) = rollback(&host, "echo", Some("sha256:0000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "VERSION_NOT_FOUND");
}

#[tokio::test]
async fn rollback_without_a_previous_version_is_a_conflict() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let (status, body) = rollback(&host, "echo", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "NO_PREVIOUS_VERSION");
}

#[tokio::test]
async fn pushed_version_survives_a_restart() {
    let mut host = admin_host(&Manifest::new().job("echo", &[])).await;
    push(&host, "echo", "echo-v2", TOKEN).await;
    host.restart().await;
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo-v2"));
    // The version it replaced is still kept: rollback works after the restart.
    let (status, body) = rollback(&host, "echo", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo"));
}

#[tokio::test]
async fn admin_api_refuses_callers_without_the_admin_role() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let wasm = std::fs::read(wasm_path("echo-v2")).unwrap();
    let url = host.url("/api/v1/components/echo");

    let (status, headers, body) = host.send(host.client().put(&url).body(wasm.clone())).await;
    assert_eq!(
        (status, body["message"].as_str(), body["error_code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"), Some(4010))
    );
    assert!(headers.contains_key("www-authenticate"));

    let (status, _, body) = host.send(host.client().put(&url).bearer_auth("wrong").body(wasm.clone())).await;
    assert_eq!((status, body["error_code"].as_u64()), (StatusCode::UNAUTHORIZED, Some(4012)), "{body}");

    let (status, _, body) = host.send(host.client().put(&url).bearer_auth(VIEWER).body(wasm)).await;
    assert_eq!((status, body["error_code"].as_u64()), (StatusCode::FORBIDDEN, Some(4030)), "{body}");

    let (status, _, body) = host.send(host.client().get(host.url("/api/v1/components")).bearer_auth(VIEWER)).await;
    assert_eq!(status, StatusCode::OK, "a viewer may read: {body}");
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo"), "nothing was swapped");
}

#[tokio::test]
async fn admin_api_is_disabled_without_a_configured_token() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let req = host.client().get(host.url("/api/v1/components")).bearer_auth("anything");
    let (status, _, body) = host.send(req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error_code"], 4030);
}

#[tokio::test]
async fn component_listing_counts_jobs_per_version() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let id = host.submit("echo", &json!({"message": "v1"})).await;
    host.wait_terminal(&id, SECS_30).await;
    push(&host, "echo", "echo-v2", TOKEN).await;
    for _ in 0..2 {
        let id = host.submit("echo", &json!({"message": "v2"})).await;
        host.wait_terminal(&id, SECS_30).await;
    }
    let (_, _, body) = host.send(host.client().get(host.url("/api/v1/components")).bearer_auth(TOKEN)).await;
    let echo = &body["data"]["components"][0];
    assert_eq!(echo["id"], "echo");
    assert_eq!(echo["versionsKept"], 2);
    assert_eq!(echo["jobsPerVersion"][digest_of("echo")], 1, "{echo}");
    assert_eq!(echo["jobsPerVersion"][digest_of("echo-v2")], 2, "{echo}");
}

fn at(v: &Value, key: &str) -> DateTime<Utc> {
    v[key].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("`{key}` in {v}"))
}

/// A load generator keeps jobs flowing while a new version is pushed, a broken
/// one is refused and the first is rolled back to: no job fails, each job ran
/// on a version that was current while it ran, and the broken one never ran.
#[tokio::test]
async fn swapping_under_load_fails_no_job() {
    let host = Arc::new(admin_host(&Manifest::new().job("echo", &[("concurrency", "8")])).await);
    let stop = Arc::new(AtomicBool::new(false));
    let mut generators = Vec::new();
    for g in 0..4 {
        let (host, stop) = (host.clone(), stop.clone());
        generators.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let (status, _, body) =
                    host.post_json("/api/v1/echo/jobs", &json!({"message": format!("{g}-{n}")})).await;
                assert!(status.is_success(), "submission refused during a swap: {status} {body}");
                ids.push(body["data"]["jobId"].as_str().unwrap().to_string());
                n += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            ids
        }));
    }
    let pause = || tokio::time::sleep(Duration::from_millis(600));
    pause().await;
    let push_started = Utc::now();
    let (status, body) = push(&host, "echo", "echo-v2", TOKEN).await;
    let push_done = Utc::now();
    assert_eq!(status, StatusCode::OK, "{body}");
    pause().await;
    let (status, body) = push(&host, "echo", "echo-broken", TOKEN).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    pause().await;
    let rollback_started = Utc::now();
    let (status, body) = rollback(&host, "echo", None).await;
    let rollback_done = Utc::now();
    assert_eq!(status, StatusCode::OK, "{body}");
    pause().await;
    stop.store(true, Ordering::Relaxed);

    let mut ids = Vec::new();
    for g in generators {
        ids.extend(g.await.unwrap());
    }
    assert!(ids.len() > 100, "the load generator only submitted {} jobs", ids.len());
    let (v1, v2, broken) = (digest_of("echo"), digest_of("echo-v2"), digest_of("echo-broken"));
    let mut on_v2 = 0;
    for id in &ids {
        let job = host.wait_terminal(id, SECS_60).await;
        assert_eq!(job["status"], "completed", "{job}");
        let digest = job["componentDigest"].as_str().unwrap();
        assert_ne!(digest, broken, "the refused version ran a job: {job}");
        let (started, finished) = (at(&job, "startedAt"), at(&job, "finishedAt"));
        if finished < push_started || started > rollback_done {
            assert_eq!(digest, v1, "only v1 was current while this job ran: {job}");
        } else if started > push_done && finished < rollback_started {
            assert_eq!(digest, v2, "only v2 was current while this job ran: {job}");
        } else {
            assert!(digest == v1 || digest == v2, "{job}");
        }
        on_v2 += usize::from(digest == v2);
    }
    assert!(on_v2 > 0, "no job ran on the pushed version");
}

#[tokio::test]
async fn push_rollback_and_components_commands_speak_the_admin_api() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    let capsule = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_capsule"))
            .args(args)
            .args(["--server", &host.base(), "--token", TOKEN])
            .output()
            .expect("capsule")
    };
    let v2 = wasm_path("echo-v2");
    let out = capsule(&["push", "echo", v2.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&digest_of("echo-v2")));

    let broken = wasm_path("echo-broken");
    let out = capsule(&["push", "echo", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("COMPONENT_INVALID"));

    let out = capsule(&["components", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["activeDigest"], digest_of("echo-v2"));

    let out = capsule(&["rollback", "echo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(active_digest(&host, "echo").await, digest_of("echo"));
}

/// `serve --watch`: replacing the source file swaps it in; a broken build
/// leaves the running version in place.
#[tokio::test]
async fn watch_swaps_in_a_changed_source_and_keeps_serving_through_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("echo.wasm");
    let replace = |fixture: &str| {
        let tmp = dir.path().join("incoming.tmp");
        std::fs::copy(wasm_path(fixture), &tmp).unwrap();
        std::fs::rename(&tmp, &source).unwrap();
    };
    replace("echo");
    let manifest = Manifest::new().job("echo", &[]).source("echo", &source);
    let host = Host::start(&manifest, &["--watch", "--admin-token", TOKEN, "--viewer-token", VIEWER]).await;
    // The watcher starts beside the server; give it a moment to register.
    tokio::time::sleep(Duration::from_millis(500)).await;

    replace("echo-v2");
    let want = digest_of("echo-v2");
    let deadline = tokio::time::Instant::now() + SECS_30;
    while active_digest(&host, "echo").await != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the watcher never swapped in the new source:\n{}",
            host.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    replace("echo-broken");
    let deadline = tokio::time::Instant::now() + SECS_30;
    while !host.log_text().contains("refused") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the watcher never reported the broken build:\n{}",
            host.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(active_digest(&host, "echo").await, want, "a broken source must not replace the running version");
    host.assert_echo_works().await;
}

#[tokio::test]
async fn input_schema_changes_at_the_same_instant_as_the_code() {
    let host = admin_host(&Manifest::new().job("echo", &[])).await;
    // v1 accepts an object without `message`; v2 requires it.
    let (status, _, body) = host.post_json("/api/v1/echo/jobs", &json!({"n": 1})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    push(&host, "echo", "echo-v2", TOKEN).await;
    let (status, _, body) = host.post_json("/api/v1/echo/jobs", &json!({"n": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "v2's schema applies right after the swap: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("message"), "{body}");
    rollback(&host, "echo", None).await;
    let (status, _, body) = host.post_json("/api/v1/echo/jobs", &json!({"n": 1})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "v1's schema is back with v1: {body}");
}

/// `serve --watch` with `build.watch`: a change to a watched file runs
/// `build.command`, and its output is swapped in; a failing build is reported
/// and changes nothing.
#[tokio::test]
async fn watch_runs_the_build_command_when_a_watched_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("out").join("echo.wasm");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(wasm_path("echo"), &source).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src").join("which"), "echo-v2").unwrap();
    // The "build": copy the fixture named in src/which over the source, or fail.
    let build = format!(
        "f=$(cat src/which); case $f in broken) echo 'error: this build is broken' >&2; exit 1;; esac; \
         cp {}/fixture_$(echo $f | tr - _).wasm out/echo.wasm.tmp && mv out/echo.wasm.tmp out/echo.wasm",
        wasm_path("echo").parent().unwrap().display()
    );
    let manifest_path = dir.path().join("spin.toml");
    std::fs::write(
        &manifest_path,
        format!(
            "spin_manifest_version = 2\n[application]\nname = \"watch\"\n[[trigger.job]]\ncomponent = \"echo\"\n\
             [component.echo]\nsource = \"out/echo.wasm\"\n[component.echo.build]\ncommand = {build:?}\nwatch = [\"src/**/*\"]\n"
        ),
    )
    .unwrap();
    let host =
        Host::start_with_manifest_file(&manifest_path, &["--watch", "--admin-token", TOKEN, "--viewer-token", VIEWER])
            .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    std::fs::write(dir.path().join("src").join("which"), "echo-v2\n").unwrap();
    let want = digest_of("echo-v2");
    let deadline = tokio::time::Instant::now() + SECS_30;
    while active_digest(&host, "echo").await != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the build never ran or was not swapped in:\n{}",
            host.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    std::fs::write(dir.path().join("src").join("which"), "broken").unwrap();
    let deadline = tokio::time::Instant::now() + SECS_30;
    while !host.log_text().contains("this build is broken") {
        assert!(tokio::time::Instant::now() < deadline, "the failed build was not reported:\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(active_digest(&host, "echo").await, want, "a failed build must leave the running version");
}

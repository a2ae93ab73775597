//! Key-value stores through a real host: `wasi:keyvalue/store` granted by
//! `key_value_stores`, kept in the job store, one namespace per component,
//! store label and tenant. The probe (`tests/fixtures/kv-probe`) does what
//! its input says; `kv-probe-twin` is the same code under a second name (a
//! component's descriptor name must equal its id), for the isolation test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60, serve_until_exit, workspace};

const PROBE: &str = "kv-probe";
const TWIN: &str = "kv-probe-twin";

/// The probe's `.wasm`, built once per test process (the twin with the
/// fixture's `twin` feature, into a target directory of its own so the two
/// builds never overwrite each other's output).
fn probe_wasm(id: &str) -> PathBuf {
    static BUILT: [OnceLock<Result<PathBuf, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    let twin = id == TWIN;
    let built = BUILT[usize::from(twin)].get_or_init(|| {
        let target = workspace().join("target").join(if twin { "guest-kv-twin" } else { "guest" });
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace())
            .args(["build", "--release", "--target", "wasm32-wasip2", "-p", "fixture-kv-probe", "--target-dir"])
            .arg(&target)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET");
        if twin {
            cmd.args(["--features", "fixture-kv-probe/twin"]);
        }
        let out = cmd.output().map_err(|e| format!("could not run cargo to build the kv probe: {e}"))?;
        if !out.status.success() {
            return Err(format!("building the kv probe failed:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(target.join("wasm32-wasip2").join("release").join("fixture_kv_probe.wasm"))
    });
    built.clone().unwrap_or_else(|e| panic!("{e}"))
}

/// A manifest serving each of `ids` (the probe or its twin), each granted
/// the store labels `stores` lists for it.
fn manifest(components: &[(&str, &[&str])]) -> String {
    let mut manifest = Manifest::new();
    for (id, _) in components {
        manifest = manifest.job(id, &[]).source(id, probe_wasm(id));
    }
    let mut text = manifest.to_toml();
    for (id, stores) in components {
        if stores.is_empty() {
            continue;
        }
        let header = format!("[component.{id}]\n");
        let at = text.find(&header).expect("the component's table") + header.len();
        let labels: Vec<String> = stores.iter().map(|s| format!("{s:?}")).collect();
        text.insert_str(at, &format!("key_value_stores = [{}]\n", labels.join(", ")));
    }
    text
}

/// A host and the directory holding its manifest (read again on restart).
struct KvHost {
    host: Host,
    _manifest: tempfile::TempDir,
}

impl std::ops::Deref for KvHost {
    type Target = Host;
    fn deref(&self) -> &Host {
        &self.host
    }
}

impl std::ops::DerefMut for KvHost {
    fn deref_mut(&mut self) -> &mut Host {
        &mut self.host
    }
}

async fn start(components: &[(&str, &[&str])]) -> KvHost {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("spin.toml");
    std::fs::write(&path, manifest(components)).expect("writing spin.toml");
    KvHost { host: Host::start_with_manifest_file(&path, &[]).await, _manifest: dir }
}

/// Runs one job of `id` (as `key`'s tenant when given); its terminal view.
async fn run_as(host: &Host, key: Option<&str>, id: &str, input: Value) -> Value {
    let as_tenant = |request: reqwest::RequestBuilder| match key {
        Some(key) => request.bearer_auth(key),
        None => request,
    };
    let submit = host.client().post(host.url(&format!("/api/v1/{id}/jobs"))).json(&input);
    let (status, _, body) = host.send(as_tenant(submit)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "submitting {input}: {body}");
    let job = body["data"]["jobId"].as_str().expect("jobId").to_string();
    let deadline = std::time::Instant::now() + SECS_60;
    loop {
        let (_, _, body) = host.send(as_tenant(host.client().get(host.url(&format!("/api/v1/jobs/{job}"))))).await;
        let view = &body["data"];
        if matches!(view["status"].as_str(), Some("completed" | "failed" | "cancelled")) {
            return view.clone();
        }
        assert!(std::time::Instant::now() < deadline, "job {job} did not end: {body}\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn run(host: &Host, id: &str, input: Value) -> Value {
    run_as(host, None, id, input).await
}

/// The job's output; fails the test with the view when it did not complete.
async fn result_of(host: &Host, key: Option<&str>, id: &str, input: Value) -> Value {
    let view = run_as(host, key, id, input).await;
    assert_eq!(view["status"], "completed", "{view}\n{}", host.log_tail());
    view["result"].clone()
}

fn set(key: &str, value: &str) -> Value {
    json!({"op": "set", "key": key, "value": value})
}

fn get(key: &str) -> Value {
    json!({"op": "get", "key": key})
}

#[tokio::test]
async fn a_value_set_by_one_job_is_read_by_the_next_job_of_the_same_component() {
    let host = start(&[(PROBE, &["default"])]).await;
    assert_eq!(result_of(&host, None, PROBE, get("answer")).await["value"], Value::Null);
    result_of(&host, None, PROBE, set("answer", "forty-two")).await;
    result_of(&host, None, PROBE, set("room:1", "a")).await;
    result_of(&host, None, PROBE, set("room:2", "b")).await;
    assert_eq!(result_of(&host, None, PROBE, get("answer")).await["value"], "forty-two");
    let exists = result_of(&host, None, PROBE, json!({"op": "exists", "key": "answer"})).await;
    assert_eq!(exists["exists"], true);
    let rooms = result_of(&host, None, PROBE, json!({"op": "keys", "prefix": "room:"})).await;
    assert_eq!(rooms["keys"], json!(["room:1", "room:2"]));
    result_of(&host, None, PROBE, set("answer", "forty-three")).await;
    assert_eq!(result_of(&host, None, PROBE, get("answer")).await["value"], "forty-three");
    result_of(&host, None, PROBE, json!({"op": "delete", "key": "answer"})).await;
    assert_eq!(result_of(&host, None, PROBE, get("answer")).await["value"], Value::Null);
    let (_, _, health) = host.get("/health").await;
    let engine = &health["data"]["engines"]["keyvalue"];
    assert_eq!(engine["available"], true, "{health}");
    assert_eq!(engine["maxValueBytes"], 1 << 20, "{health}");
}

#[tokio::test]
async fn two_components_never_see_each_others_keys() {
    let host = start(&[(PROBE, &["default"]), (TWIN, &["default"])]).await;
    result_of(&host, None, PROBE, set("secret", "probe's")).await;
    assert_eq!(result_of(&host, None, TWIN, get("secret")).await["value"], Value::Null);
    let twin_keys = result_of(&host, None, TWIN, json!({"op": "keys"})).await;
    assert_eq!(twin_keys["keys"], json!([]));
    result_of(&host, None, TWIN, set("secret", "twin's")).await;
    assert_eq!(result_of(&host, None, PROBE, get("secret")).await["value"], "probe's");
    assert_eq!(result_of(&host, None, TWIN, get("secret")).await["value"], "twin's");
}

#[tokio::test]
async fn two_tenants_never_see_each_others_keys() {
    let host = start(&[(PROBE, &["default"])]).await;
    let a = host.create_key("tenant-a", "submitter", &[]).await;
    let b = host.create_key("tenant-b", "submitter", &[]).await;
    result_of(&host, Some(&a), PROBE, set("profile", "a's")).await;
    assert_eq!(result_of(&host, Some(&b), PROBE, get("profile")).await["value"], Value::Null);
    let b_keys = result_of(&host, Some(&b), PROBE, json!({"op": "keys"})).await;
    assert_eq!(b_keys["keys"], json!([]));
    result_of(&host, Some(&b), PROBE, set("profile", "b's")).await;
    assert_eq!(result_of(&host, Some(&a), PROBE, get("profile")).await["value"], "a's");
    assert_eq!(result_of(&host, Some(&b), PROBE, get("profile")).await["value"], "b's");
}

#[tokio::test]
async fn a_store_label_not_granted_fails_the_job_with_keyvalue_access_denied() {
    let host = start(&[(PROBE, &["default"])]).await;
    let job = run(&host, PROBE, json!({"op": "set", "store": "other", "key": "k", "value": "v"})).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "KEYVALUE_ACCESS_DENIED", "{job}");
    assert_eq!(job["failure"]["retryable"], false, "{job}");
    assert!(job["failure"]["message"].as_str().unwrap_or_default().contains("other"), "{job}");
}

#[test]
fn a_component_importing_keyvalue_without_key_value_stores_is_refused_at_start_up_naming_the_grant() {
    let manifest = Manifest::new().job(PROBE, &[]).source(PROBE, probe_wasm(PROBE));
    let exited = serve_until_exit(&manifest, Duration::from_secs(60));
    assert!(!exited.status.success(), "capsule served a component without its grant: {}", exited.stderr);
    assert!(
        exited.stderr.contains("key_value_stores") && exited.stderr.contains("wasi:keyvalue/store"),
        "{}",
        exited.stderr
    );
}

#[tokio::test]
async fn a_value_over_1_mib_fails_the_job_with_keyvalue_too_large() {
    let host = start(&[(PROBE, &["default"])]).await;
    let stored = result_of(&host, None, PROBE, json!({"op": "set", "key": "big", "fill": 1 << 20})).await;
    assert_eq!(stored["bytes"], 1 << 20, "exactly 1 MiB is allowed");
    let job = run(&host, PROBE, json!({"op": "set", "key": "bigger", "fill": (1 << 20) + 1})).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "KEYVALUE_TOO_LARGE", "{job}");
    assert!(job["failure"]["message"].as_str().unwrap_or_default().contains("1 MiB"), "{job}");
    assert_eq!(result_of(&host, None, PROBE, json!({"op": "exists", "key": "bigger"})).await["exists"], false);
}

#[tokio::test]
async fn state_survives_a_host_restart() {
    let mut host = start(&[(PROBE, &["default"])]).await;
    result_of(&host, None, PROBE, set("kept", "across restarts")).await;
    host.restart().await;
    assert_eq!(result_of(&host, None, PROBE, get("kept")).await["value"], "across restarts");
}

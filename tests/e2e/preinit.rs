//! Pre-initialization: a component's warm-up runs once per version, every
//! job starts from the snapshot it left, and nothing one job writes reaches
//! the next.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Host, Manifest, serve_until_exit, wasm_path};

const TOKEN: &str = "e2e-preinit-admin";

#[tokio::test]
async fn every_job_starts_from_the_warm_snapshot_and_sees_only_its_own_call() {
    let host = Host::start(&Manifest::new().job("counter", &[("concurrency", "4")]), &[]).await;
    let expected_table: u64 = (0..1024u64).map(|i| i * i).sum();
    let call = || async {
        let (status, _, body) = host.post_json("/api/v1/counter?wait=10", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"]["result"].clone()
    };
    let mut results = Vec::new();
    for _ in 0..10 {
        results.push(call().await);
    }
    results.extend(futures::future::join_all((0..20).map(|_| call())).await);
    for result in results {
        assert_eq!(result["calls"], 1, "a job saw another job's writes: {result}");
        assert_eq!(result["warmed"], true, "the job did not start from the warm-up's snapshot: {result}");
        assert_eq!(result["table_sum"], expected_table, "the heap the warm-up built is missing: {result}");
    }
}

#[test]
fn a_warm_up_that_calls_an_import_is_refused_at_load_naming_the_import() {
    let exited = serve_until_exit(&Manifest::new().job("warm-import", &[]), std::time::Duration::from_secs(60));
    assert!(!exited.status.success(), "a warm-up reading the clock was accepted:\n{}", exited.stderr);
    assert!(
        exited.stderr.contains("wasi:clocks/wall-clock@") && exited.stderr.contains("#now"),
        "the error does not name the import:\n{}",
        exited.stderr
    );
    assert!(exited.stderr.contains("warm-up"), "the error does not say the warm-up called it:\n{}", exited.stderr);
    assert!(exited.stderr.contains("Preinit"), "the error does not name the step:\n{}", exited.stderr);
}

#[tokio::test]
async fn a_push_reports_what_pre_initializing_the_new_version_took() {
    let cache = tempfile::tempdir().expect("cache dir");
    let cache_dir = cache.path().to_str().expect("utf-8 path");
    let host =
        Host::start(&Manifest::new().job("echo", &[]), &["--admin-token", TOKEN, "--cache-dir", cache_dir]).await;
    let wasm = std::fs::read(wasm_path("echo-v2")).expect("fixture wasm");
    let push = host.client().put(host.url("/api/v1/components/echo")).bearer_auth(TOKEN).body(wasm);
    let (status, _, body) = host.send(push).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deployed = &body["data"];
    assert_eq!(deployed["compiledFromCache"], false, "{body}");
    let took = deployed["preinit"]["tookMs"].as_f64().expect("preinit.tookMs is a number");
    let warm = deployed["preinit"]["warmMs"].as_f64().expect("preinit.warmMs is a number");
    assert!(took > 0.0 && warm >= 0.0 && warm <= took, "{body}");
    assert!(took <= deployed["tookMs"].as_f64().expect("tookMs"), "pre-initialization is part of the push: {body}");
    assert!(
        std::fs::read_dir(cache.path())
            .expect("cache dir")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".warm.cwasm")),
        "the snapshot was not compiled into the cache"
    );
    host.assert_echo_works().await;
}

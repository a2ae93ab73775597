//! The command line: `run` (one job locally, the plugin author's loop),
//! `capabilities`, and documented settings.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::harness::{Manifest, workspace};

fn capsule(args: &[&str], dir: &std::path::Path, stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--cache-dir")
        .arg(workspace().join("target").join("e2e-cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning capsule");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("writing stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("capsule output")
}

#[test]
fn run_prints_the_result_of_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::new().job("echo", &[]).job("trap", &[]).write(dir.path());
    let input = dir.path().join("input.json");
    std::fs::write(&input, r#"{"message": "from a file"}"#).unwrap();
    let out = capsule(
        &["run", "echo", "--input", input.to_str().unwrap(), "--manifest", manifest.to_str().unwrap()],
        dir.path(),
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is the JSON result");
    assert_eq!(result, serde_json::json!({"message": "from a file"}));
}

#[test]
fn run_reads_standard_input_and_reports_a_failure_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::new().job("trap", &[]).write(dir.path());
    let out =
        capsule(&["run", "trap", "--input", "-", "--manifest", manifest.to_str().unwrap()], dir.path(), Some("{}"));
    assert!(!out.status.success(), "a trapping job must exit non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("JOB_TRAPPED") && stderr.contains("fixture trap"), "{stderr}");
}

#[test]
fn run_of_an_unknown_capability_names_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::new().job("echo", &[]).write(dir.path());
    let out =
        capsule(&["run", "nope", "--input", "-", "--manifest", manifest.to_str().unwrap()], dir.path(), Some("{}"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nope") && stderr.contains("echo"), "{stderr}");
}

#[test]
fn capabilities_lists_each_component_with_its_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::new().job("echo", &[]).job("slow", &[]).write(dir.path());
    let out = capsule(&["capabilities", "--json", "--manifest", manifest.to_str().unwrap()], dir.path(), None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON list");
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["echo", "slow"]);
    assert_eq!(list[1]["mode"], "stream");
    assert!(list[0]["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn serve_help_documents_every_setting_with_its_environment_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_capsule")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "CAPSULE_ADDR",
        "CAPSULE_DATA_DIR",
        "CAPSULE_MANIFEST",
        "CAPSULE_CACHE_DIR",
        "CAPSULE_PUBLIC_URL",
        "CAPSULE_MAX_FILE_SIZE",
        "CAPSULE_MAX_BODY",
        "CAPSULE_QUEUE_CAPACITY",
        "CAPSULE_LEASE",
        "CAPSULE_RETRY_BASE",
        "CAPSULE_RETRY_MAX",
        "CAPSULE_MAX_WAIT",
        "CAPSULE_SEED_SYNC_WAIT",
        "CAPSULE_BUILD",
        "CAPSULE_LOG",
        "CAPSULE_WATCH",
        "CAPSULE_ADMIN_TOKEN",
        "CAPSULE_VIEWER_TOKEN",
        "CAPSULE_MAX_COMPONENT_SIZE",
        "CAPSULE_KEEP_VERSIONS",
    ] {
        assert!(help.contains(var), "`capsule serve --help` does not mention {var}");
    }
}

#[test]
fn run_with_component_tries_a_build_instead_of_the_manifest_source() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::new().job("echo", &[]).write(dir.path());
    let broken = crate::harness::wasm_path("echo-broken");
    let out = capsule(
        &[
            "run",
            "echo",
            "--input",
            "-",
            "--manifest",
            manifest.to_str().unwrap(),
            "--component",
            broken.to_str().unwrap(),
        ],
        dir.path(),
        Some("{}"),
    );
    assert!(!out.status.success(), "the broken build's failing example must stop the run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("example") && stderr.contains("hello"), "{stderr}");
}

/// The benchmark is not a test, but it must keep working: every figure it
/// prints (engine, hot swap, cancel) comes out for a small run.
#[test]
fn bench_runs_and_reports_every_figure() {
    let path = |id: &str| crate::harness::wasm_path(id).to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(["bench", "--jobs", "400", "--submitters", "4", "--raw-calls", "200"])
        .args(["--wasm", &path("echo"), "--busy-wasm", &path("busy-loop"), "--swap-wasm", &path("echo-v2")])
        .output()
        .expect("capsule bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for row in [
        "end-to-end throughput",
        "submit latency p99",
        "PUT to serving",
        "rollback to a kept",
        "cancel of a busy-looping job",
    ] {
        assert!(stdout.contains(row), "no `{row}` row in:\n{stdout}");
    }
}

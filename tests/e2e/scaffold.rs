//! `capsule new`: the scaffolded crate builds for wasm32-wasip2, its own unit
//! test passes natively, and a real host loads it (running its example as the
//! self-test) and serves its example input with the expected output.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;

use crate::harness::{Host, Manifest, SECS_60, workspace};

fn capsule_new(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capsule"))
        .arg("new")
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("running capsule new")
}

/// `cargo <args>` in `dir`, clear of the outer `cargo test`'s target settings; asserts success.
fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .arg("--target-dir")
        .arg(workspace().join("target").join("guest-scaffold"))
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("running cargo");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed ({}):\n{stdout}\n{}",
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test]
async fn scaffolded_component_builds_and_its_example_passes() {
    let dir = workspace().join("target").join("scaffold-test").join("demo-cap");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("removing the previous scaffold");
    }
    let out = capsule_new(&["demo-cap", "--dir", dir.to_str().expect("a UTF-8 path")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "capsule new failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for expected in
        ["[[trigger.job]]", "component = \"demo-cap\"", "[component.demo-cap]", "[component.demo-cap.build]"]
    {
        assert!(stdout.contains(expected), "the next steps lack `{expected}`:\n{stdout}");
    }
    let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo_toml.contains("\n[workspace]"), "outside the members it is a standalone crate:\n{cargo_toml}");

    // A fresh machine may lack the wasm target; adding it is a no-op once present.
    let _ = Command::new("rustup").args(["target", "add", "wasm32-wasip2"]).output();
    cargo(&dir, &["build", "--release", "--target", "wasm32-wasip2"]);
    let tests = cargo(&dir, &["test"]);
    assert!(tests.contains("examples_pass ... ok"), "the scaffold's example test did not run:\n{tests}");

    let wasm = workspace().join("target/guest-scaffold/wasm32-wasip2/release/demo_cap.wasm");
    assert!(wasm.is_file(), "{} was not built", wasm.display());
    // Loading runs the examples: a host that becomes healthy has passed them.
    let host = Host::start(&Manifest::new().job("demo-cap", &[]).source("demo-cap", &wasm), &[]).await;

    let (_, _, body) = host.get("/api/v1/capabilities").await;
    let capability = body["data"]["capabilities"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["name"] == "demo-cap"))
        .unwrap_or_else(|| panic!("demo-cap is not listed: {body}"));
    assert_eq!(capability["inputSchema"]["$schema"], "https://json-schema.org/draft/2020-12/schema", "{capability}");
    assert_eq!(capability["inputSchema"]["required"], json!(["name"]), "{capability}");
    let example = &capability["examples"][0];
    assert_eq!(example["input"], json!({"name": "Ada"}), "{capability}");

    let id = host.submit("demo-cap", &example["input"]).await;
    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"], json!({"greeting": "Hello, Ada!"}), "{job}");
    assert_eq!(job["result"], example["expect"], "{job}");

    // The derived schema is enforced before queueing.
    let (status, _, body) = host.post_json("/api/v1/demo-cap/jobs", &json!({"name": ""})).await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = host.post_json("/api/v1/demo-cap/jobs", &json!({"name": "Ada", "extra": 1})).await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{body}");
}

fn assert_refused(out: &Output, needles: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "capsule new should have failed; stderr:\n{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "stderr lacks `{needle}`:\n{stderr}");
    }
    stderr
}

#[test]
fn new_refuses_a_bad_name() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["Demo", "1demo", "demo_cap", "demo.cap"] {
        let dir = tmp.path().join(bad);
        let out = capsule_new(&[bad, "--dir", dir.to_str().unwrap()]);
        assert_refused(&out, &[&format!("`{bad}` is not a valid component name"), "lower-case letters"]);
        assert!(!dir.exists(), "nothing is written for a refused name");
    }
    let out = capsule_new(&["jobs", "--dir", tmp.path().join("jobs").to_str().unwrap()]);
    assert_refused(&out, &["/api/v1/jobs"]);
}

#[test]
fn new_refuses_an_unsupported_language() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = capsule_new(&["demo", "--lang", "cobol", "--dir", dir.to_str().unwrap()]);
    assert_refused(&out, &["`--lang cobol` is not supported", "supported languages: rust"]);
    assert!(!dir.exists());
}

#[test]
fn new_refuses_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    let out = capsule_new(&["demo", "--dir", tmp.path().to_str().unwrap()]);
    assert_refused(&out, &["already exists and is not empty"]);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing is written into it");
}

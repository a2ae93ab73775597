//! A manifest the host cannot serve is refused at start-up: the process
//! exits non-zero and its error names the offending key or file.

use std::time::Duration;

use crate::harness::{Manifest, serve_until_exit};

const EXIT_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn unknown_manifest_key_is_refused_naming_it() {
    let manifest = Manifest::new().job("echo", &[("retries", "3")]);
    let exited = serve_until_exit(&manifest, EXIT_TIMEOUT);
    assert!(!exited.status.success(), "capsule accepted the manifest: {}", exited.stderr);
    assert!(exited.stderr.contains("retries"), "{}", exited.stderr);
}

#[test]
fn missing_component_source_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = Manifest::new().job("echo", &[]).source("echo", dir.path().join("missing.wasm"));
    let exited = serve_until_exit(&manifest, EXIT_TIMEOUT);
    assert!(!exited.status.success(), "capsule accepted the manifest: {}", exited.stderr);
    assert!(exited.stderr.contains("component.echo.source"), "{}", exited.stderr);
}

//! Python tools the end-to-end tests run against a real host: pinned
//! versions from PyPI, installed once into a virtual environment under
//! `target/` (kept between runs; reinstalled when the pins change).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::harness::workspace;

/// 4.x: `schemathesis run <url> --checks …` (3.x spelled several flags differently).
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Validates OpenAPI 3.1 documents (`openapi-spec-validator <file>`).
pub const SPEC_VALIDATOR: &str = "openapi-spec-validator==0.9.0";

/// The `bin` directory of the environment, with both tools installed.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BIN.get_or_init(install) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    }
}

fn install() -> Result<PathBuf, String> {
    let venv = workspace().join("target").join("e2e-python");
    let bin = venv.join("bin");
    let marker = venv.join("installed.txt");
    let pins = format!("{SCHEMATHESIS}\n{SPEC_VALIDATOR}\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == pins) && bin.join("schemathesis").exists() {
        return Ok(bin);
    }
    run(
        Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv),
        "creating a Python virtual environment (needs python3 with venv: apt-get install python3-venv)",
    )?;
    run(
        Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            SCHEMATHESIS,
            SPEC_VALIDATOR,
        ]),
        "installing the Python test tools from PyPI",
    )?;
    std::fs::write(&marker, pins).map_err(|e| format!("writing {}: {e}", marker.display()))?;
    Ok(bin)
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{what}: could not start it: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

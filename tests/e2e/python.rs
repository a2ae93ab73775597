//! The plugin contract is language-neutral: a capability written in Python
//! (`tests/fixtures-py/echo/app.py`, built with componentize-py by
//! `tests/fixtures-py/build.sh`) is loaded, self-tested and served by the
//! host exactly like the Rust guests.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, assert_error, workspace};

/// The capability id: `describe()` names itself so, and spin.toml must agree.
const CAPABILITY: &str = "python-echo";

/// Upper bound for building the component (a cold run creates the venv and
/// installs componentize-py from PyPI) and for its first compilation.
const BUILD_TIMEOUT: Duration = Duration::from_secs(300);

/// Builds the Python component once per test process and returns its path.
///
/// The component is then loaded once with `capsule run` (compile, import
/// check, `describe`, examples, one job) against the shared compile cache:
/// the first compilation of a CPython component takes seconds to tens of
/// seconds, which must not eat into the harness's `/health` deadline, and a
/// refusal (an import the host does not provide, a pool limit, a failing
/// example) shows up here with the host's own message instead of as a
/// start-up timeout. Any failure panics: this test never skips.
fn python_echo_wasm() -> &'static Path {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(|| build().and_then(|wasm| warm_up(&wasm).map(|()| wasm))) {
        Ok(wasm) => wasm,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `tests/fixtures-py/build.sh`, which prints the `.wasm` path last.
fn build() -> Result<PathBuf, String> {
    let script = workspace().join("tests").join("fixtures-py").join("build.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script).current_dir(workspace());
    let (ok, stdout, stderr) =
        run_with_timeout(cmd, None, BUILD_TIMEOUT).map_err(|e| format!("could not run {}: {e}", script.display()))?;
    if !ok {
        return Err(format!(
            "building the Python component with {} failed:\nstdout:\n{stdout}\nstderr:\n{stderr}",
            script.display()
        ));
    }
    let wasm = stdout.lines().rev().map(str::trim).find(|l| !l.is_empty()).map(PathBuf::from);
    match wasm {
        Some(wasm) if wasm.is_file() => Ok(wasm),
        _ => Err(format!("{} did not print the path of a built component:\n{stdout}\n{stderr}", script.display())),
    }
}

/// Loads the component once with `capsule run` and checks the job it runs.
fn warm_up(wasm: &Path) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let manifest = manifest(wasm).write(dir.path());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule"));
    cmd.arg("run")
        .arg(CAPABILITY)
        .arg("--manifest")
        .arg(&manifest)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--cache-dir")
        .arg(workspace().join("target").join("e2e-cache"))
        .args(["--input", "-"])
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let (ok, stdout, stderr) = run_with_timeout(cmd, Some(r#"{"text": "warm-up"}"#), BUILD_TIMEOUT)
        .map_err(|e| format!("could not run capsule: {e}"))?;
    if !ok {
        return Err(format!("the host refused or failed the Python component {}:\n{stderr}{stdout}", wasm.display()));
    }
    let result: Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("`capsule run` printed no JSON result ({e}):\n{stdout}\n{stderr}"))?;
    let expected = json!({"text": "warm-up", "length": 7, "language": "python"});
    if result != expected {
        return Err(format!("`capsule run` returned {result}, expected {expected}"));
    }
    eprintln!("python-echo loaded and ran in {:?} ({} bytes)", started.elapsed(), file_size(wasm));
    Ok(())
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Runs `cmd` (stdout and stderr to temp files, so a chatty child cannot
/// block), feeding it `stdin`; kills it after `timeout`.
/// Returns (success, stdout, stderr).
fn run_with_timeout(
    mut cmd: Command,
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<(bool, String, String), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let out = File::create(&out_path).map_err(|e| e.to_string())?;
    let err = File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(input.as_bytes()).map_err(|e| e.to_string())?;
    }
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            return Err(format!("still running after {timeout:?}; killed. stderr:\n{stderr}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    Ok((status.success(), stdout, stderr))
}

fn manifest(wasm: &Path) -> Manifest {
    Manifest::new().job(CAPABILITY, &[("timeout", "\"10s\"")]).source(CAPABILITY, wasm)
}

async fn python_host() -> Host {
    Host::start(&manifest(python_echo_wasm()), &[]).await
}

/// Polls the host log for `needle` (log lines are written as jobs run).
async fn wait_for_log(host: &Host, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !host.log_text().contains(needle) {
        assert!(Instant::now() < deadline, "no `{needle}` in the host log:\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn python_component_serves_jobs_through_the_host() {
    let host = python_host().await;

    // The descriptor written in Python is what the host publishes.
    let (status, _, body) = host.get("/api/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let caps = body["data"]["capabilities"].as_array().expect("capabilities");
    assert_eq!(caps.len(), 1, "{body}");
    let cap = &caps[0];
    assert_eq!(cap["name"], CAPABILITY, "{cap}");
    assert_eq!(cap["mode"], "sync", "{cap}");
    assert_eq!(cap["inputSchema"]["required"], json!(["text"]), "{cap}");
    assert_eq!(cap["outputSchema"]["properties"]["language"]["const"], "python", "{cap}");
    assert_eq!(cap["examples"].as_array().map(Vec::len), Some(1), "{cap}");

    // A queued job, with text that is not ASCII: lengths count code points.
    let text = "héllo, wörld 🐍";
    let id = host.submit(CAPABILITY, &json!({ "text": text })).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}\nlog:\n{}", host.log_tail());
    assert_eq!(job["result"], json!({"text": text, "length": text.chars().count(), "language": "python"}), "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    assert!(job["componentDigest"].as_str().is_some_and(|d| d.starts_with("sha256:")), "{job}");
    // `job-context.log` from Python reaches the host log, tagged with the job.
    wait_for_log(&host, &format!("python-echo echoing {} characters for {id}", text.chars().count())).await;

    // A synchronous call.
    let (status, _, body) = host.post_json(&format!("/api/v1/{CAPABILITY}?wait=10"), &json!({"text": "hi"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "completed", "{body}");
    assert_eq!(body["data"]["result"], json!({"text": "hi", "length": 2, "language": "python"}), "{body}");

    // Input is validated against the schema the Python code declared.
    let reply = host.post_json(&format!("/api/v1/{CAPABILITY}/jobs"), &json!({"text": 5})).await;
    let message = assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
    assert!(message.contains("/text"), "{message}");
    let reply = host.post_json(&format!("/api/v1/{CAPABILITY}/jobs"), &json!({"message": "no text"})).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST");
}

#[tokio::test]
async fn python_component_failure_is_reported_with_its_code() {
    let host = python_host().await;

    let id = host.submit(CAPABILITY, &json!({"text": ""})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "PYECHO_EMPTY", "{job}");
    assert_eq!(job["failure"]["retryable"], false, "{job}");
    assert!(job["failure"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{job}");
    assert_eq!(job["error"]["code"], "PYECHO_EMPTY", "{job}");
    // Not retryable: one attempt although the trigger allows more.
    assert_eq!(job["attempts"], 1, "{job}");
    assert!(job["maxAttempts"].as_u64().is_some_and(|m| m > 1), "{job}");
    assert!(job.get("result").is_none(), "{job}");

    // The synchronous call reports the same failure.
    let (status, _, body) = host.post_json(&format!("/api/v1/{CAPABILITY}?wait=10"), &json!({"text": ""})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "failed", "{body}");
    assert_eq!(body["data"]["failure"]["code"], "PYECHO_EMPTY", "{body}");

    // Each job gets a fresh sandbox: the next one succeeds.
    let id = host.submit(CAPABILITY, &json!({"text": "again"})).await;
    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"]["text"], "again", "{job}");
}

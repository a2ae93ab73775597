//! `/openapi.json` of a host serving the real components, checked by real
//! tools: `openapi-spec-validator` (OpenAPI 3.1) and Schemathesis
//! (`not_a_server_error`: no request it can derive from the document gets a 5xx).

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Host, Manifest};
use crate::python_tools;

/// The shipped components (as in `spin.toml`) plus echo; ocr and masking
/// bring schemas with `$defs`.
fn real_components() -> Manifest {
    let file_job = [("timeout", "\"60s\""), ("max_attempts", "1"), ("concurrency", "2"), ("memory", "\"512MiB\"")];
    let text_job = [("timeout", "\"60s\""), ("max_attempts", "1"), ("cache", "true")];
    Manifest::new()
        .job("echo", &[])
        .job("calendar", &[("timeout", "\"10s\""), ("max_attempts", "1"), ("memory", "\"64MiB\"")])
        .document_job("ocr", &file_job)
        .document_job("masking", &file_job)
        .job("diagnosis", &text_job)
        .engine("diagnosis", "llm")
        .engine("diagnosis", "embeddings")
        .ai_model("diagnosis", "default")
        .regeneration_job(&text_job)
        .job("career", &[("timeout", "\"60s\""), ("max_attempts", "1")])
        .engine("career", "llm")
        .engine("career", "embeddings")
        .engine("career", "vectors")
        .ai_model("career", "default")
        .key_value_store("career", "default")
        .job("comment-analysis", &text_job)
        .engine("comment-analysis", "llm")
        .engine("comment-analysis", "embeddings")
        .ai_model("comment-analysis", "default")
        .grant("comment-analysis", "https://www.googleapis.com")
        .job("transcription", &[("timeout", "\"60s\""), ("max_attempts", "1")])
        .engine("transcription", "media")
        .engine("transcription", "speech")
        .job("render", &[("timeout", "\"60s\""), ("max_attempts", "1")])
        .engine("render", "media")
        .job("expert-match", &text_job)
        .engine("expert-match", "embeddings")
        .job("summarize", &text_job)
        .engine("summarize", "llm")
        .ai_model("summarize", "default")
        .job("checklist", &text_job)
        .engine("checklist", "llm")
        .ai_model("checklist", "default")
        .pipeline(crate::gpt_jobs::GUIDELINE)
        .job("report-embed", &file_job)
        .engine("report-embed", "ocr")
        .engine("report-embed", "pdf-render")
        .engine("report-embed", "embeddings")
        .engine("report-embed", "vectors")
        .job("report-search", &text_job)
        .engine("report-search", "embeddings")
        .engine("report-search", "vectors")
        .job("report-section", &text_job)
        .engine("report-section", "llm")
        .engine("report-section", "embeddings")
        .engine("report-section", "vectors")
        .ai_model("report-section", "default")
        .pipeline(crate::reports::GENERATION)
}

async fn openapi(host: &Host) -> Value {
    let (status, _, doc) = host.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Every `$ref` in `value` (outside data keywords such as `example`).
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(r),
                    ("const" | "enum" | "default" | "example" | "examples", _) => {}
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_document_validates_as_openapi_3_1_and_every_ref_resolves() {
    let host = Host::start(&real_components(), &[]).await;
    let doc = openapi(&host).await;

    let mut all = Vec::new();
    refs(&doc, &mut all);
    let dangling: Vec<&str> =
        all.iter().copied().filter(|r| r.strip_prefix('#').and_then(|p| doc.pointer(p)).is_none()).collect();
    assert!(dangling.is_empty(), "refs that do not resolve in the document: {dangling:?}");
    // The components' own definitions are what used to dangle: each must be there, and used.
    let (status, _, body) = host.get("/api/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let with_defs: Vec<&str> = body["data"]["capabilities"]
        .as_array()
        .expect("capabilities")
        .iter()
        .filter(|c| c["inputSchema"].get("$defs").is_some() || c["outputSchema"].get("$defs").is_some())
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert!(!with_defs.is_empty(), "no component schema has `$defs`; this test would prove nothing");
    for capability in with_defs {
        let prefix = format!("#/components/schemas/{capability}.");
        assert!(all.iter().any(|r| r.starts_with(&prefix)), "no ref into {capability}'s definitions: {all:?}");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("the document as JSON"))
        .expect("writing the document");
    let out = std::process::Command::new(python_tools::bin().join("openapi-spec-validator"))
        .arg(&file)
        .output()
        .expect("running openapi-spec-validator");
    assert!(
        out.status.success(),
        "openapi-spec-validator refused the document:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Test cases per operation and phase: about 2,500 requests, two minutes here.
const MAX_EXAMPLES: &str = "40";
/// Hard bound on the whole run (it is killed after this and the test fails).
const SCHEMATHESIS_TIMEOUT: Duration = Duration::from_secs(240);

/// Runs `schemathesis run <host>/openapi.json --checks not_a_server_error`,
/// sending `headers` (`"Name: value"`, e.g. an API key) with every request;
/// returns whether it passed and what it printed.
async fn schemathesis(host: &Host, headers: &[&str]) -> (bool, String) {
    let cwd = tempfile::tempdir().expect("temp dir");
    let mut command = tokio::process::Command::new(python_tools::bin().join("schemathesis"));
    command
        .current_dir(cwd.path())
        .arg("run")
        .arg(host.url("/openapi.json"))
        .args(["--checks", "not_a_server_error", "--max-examples", MAX_EXAMPLES])
        // One worker: with two, CPython 3.11's `ast.parse` (which Hypothesis calls
        // from the worker threads) now and then raises "AST constructor recursion
        // depth mismatch" (cpython#106905), a Schemathesis error that is no finding.
        .args(["--workers", "1", "--request-timeout", "30", "--no-color", "--generation-database", "none"]);
    for header in headers {
        command.args(["--header", header]);
    }
    let child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).spawn().expect("schemathesis");
    let out = match tokio::time::timeout(SCHEMATHESIS_TIMEOUT, child.wait_with_output()).await {
        Ok(out) => out.expect("waiting for schemathesis"),
        Err(_) => panic!("schemathesis did not finish within {SCHEMATHESIS_TIMEOUT:?}\nhost log:\n{}", host.log_tail()),
    };
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_in_the_documented_api() {
    // `--max-wait` bounds the synchronous calls Schemathesis makes with a
    // generated `?wait=`, so each answers within the request timeout.
    // With keys configured, as a deployment that faces clients would be; an
    // `admin` key reaches the data routes and the admin API alike. Unlimited,
    // so 429s do not hide routes from the run.
    // Google login configured, against a local provider (should a redirect
    // be followed), so its routes answer as in production rather than 503.
    let user = capsule_accounts::test_server::TestUser {
        subject: "fuzz".into(),
        email: "fuzz@example.com".into(),
        name: "fuzz".into(),
        email_verified: true,
    };
    let provider = capsule_accounts::test_server::OidcTestServer::start("fuzz", "fuzz", user).await;
    let mut flags = crate::accounts::provider_flags(&provider, "fuzz", "fuzz");
    flags.extend(["--max-wait", "5s", "--rate-limit", "off"].map(String::from));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let host = Host::start(&real_components(), &flags).await;
    let key = host.create_key("schemathesis", "admin", &[]).await;
    let (passed, printed) = schemathesis(&host, &[&format!("Authorization: Bearer {key}")]).await;
    assert!(passed, "schemathesis reported a failure:\n{printed}\nhost log:\n{}", host.log_tail());
    // A run that tested nothing (no operations, no cases) must not pass.
    let selected = summary_number(&printed, "Selected:");
    assert!(selected > 20, "schemathesis selected {selected} operations:\n{printed}");
    assert_eq!(summary_number(&printed, "Tested:"), selected, "untested operations:\n{printed}");
    assert!(summary_number(&printed, "Test cases:") > 500, "too few test cases:\n{printed}");
}

/// The first number after `label` in Schemathesis' summary (0 if absent).
fn summary_number(printed: &str, label: &str) -> u64 {
    let Some((_, after)) = printed.rsplit_once(label) else { return 0 };
    let digits: String =
        after.trim_start().chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or(0)
}

//! Pipelines: a `[[trigger.job]]` whose steps are components, each step a
//! job of its own linked to the pipeline's job.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_30, SECS_60, serve_until_exit};

/// `prep` (echo) hands `work` (slow) fields picked from its output; the
/// result is built from both.
const CHAIN: &str = r#"
[[trigger.job]]
pipeline = "chain"
[[trigger.job.steps]]
name = "prep"
component = "echo"
[[trigger.job.steps]]
name = "work"
component = "slow"
input = { steps = "/prep/n", tag = "/prep/message", step_ms = "/prep/step_ms" }
[trigger.job.output]
message = "/input/message"
done = "/work/steps_done"
"#;

fn chain() -> Manifest {
    Manifest::new().job("echo", &[]).job("slow", &[("max_attempts", "3")]).pipeline(CHAIN)
}

async fn step_job(host: &Host, pipeline: &Value, step: usize) -> Value {
    let id = pipeline["steps"][step]["jobId"].as_str().unwrap_or_else(|| panic!("step {step} has a job: {pipeline}"));
    host.job(id).await
}

#[tokio::test]
async fn a_pipeline_feeds_each_step_the_fields_its_mapping_picks_and_builds_its_result() {
    let host = Host::start(&chain(), &[]).await;
    let id = host.submit("chain", &json!({"message": "hello", "n": 3, "step_ms": 10})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"], json!({"message": "hello", "done": 3}), "{job}");
    assert_eq!(job["progress"], 100, "{job}");
    let names: Vec<&str> = job["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["prep", "work"], "{job}");
    let work = step_job(&host, &job, 1).await;
    assert_eq!(work["capability"], "slow", "{work}");
    assert_eq!(work["result"], json!({"steps_done": 3, "attempt": 1, "tag": "hello"}), "{work}");
    assert_eq!(work["parent"], json!({"jobId": id, "step": "work"}), "{work}");
    assert!(work["componentDigest"].as_str().unwrap().starts_with("sha256:"), "{work}");
    assert_eq!(job["steps"][1]["componentDigest"], work["componentDigest"], "{job}");
}

#[tokio::test]
async fn a_pipelines_input_is_checked_by_its_first_step_before_a_job_exists() {
    let host = Host::start(&Manifest::new().job("slow", &[]).job("echo", &[]).pipeline(FIRST_SLOW), &[]).await;
    let (status, _, body) = host.post_json("/api/v1/first-slow/jobs", &json!({"steps": "many"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "COMMON_INVALID_REQUEST", "{body}");
    let (_, _, list) = host.get("/api/v1/jobs?capability=first-slow").await;
    assert_eq!(list["data"]["jobs"], json!([]), "{list}");
}

const FIRST_SLOW: &str = r#"
[[trigger.job]]
pipeline = "first-slow"
[[trigger.job.steps]]
name = "work"
component = "slow"
[[trigger.job.steps]]
name = "after"
component = "echo"
"#;

#[tokio::test]
async fn a_fan_out_step_runs_once_per_element_and_gathers_the_outputs_in_order() {
    let fan = r#"
[[trigger.job]]
pipeline = "fan"
[[trigger.job.steps]]
name = "split"
component = "echo"
[[trigger.job.steps]]
name = "each"
component = "slow"
for_each = "/split/parts"
input = { tag = "/item/name", steps = "/item/steps", step_ms = "/split/step_ms" }
"#;
    let host = Host::start(&Manifest::new().job("echo", &[]).job("slow", &[]).pipeline(fan), &[]).await;
    let parts = json!([{"name": "a", "steps": 3}, {"name": "b", "steps": 1}, {"name": "c", "steps": 2}]);
    let id = host.submit("fan", &json!({"parts": parts, "step_ms": 20})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "completed", "{job}");
    let tags: Vec<(&str, u64)> = job["result"]
        .as_array()
        .unwrap_or_else(|| panic!("an array of outputs: {job}"))
        .iter()
        .map(|o| (o["tag"].as_str().unwrap(), o["steps_done"].as_u64().unwrap()))
        .collect();
    assert_eq!(tags, [("a", 3), ("b", 1), ("c", 2)], "{job}");
    let elements = job["steps"][1]["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 3, "{job}");
    let second = host.job(elements[1]["jobId"].as_str().unwrap()).await;
    assert_eq!(second["parent"]["step"], "each[1]", "{second}");
}

#[tokio::test]
async fn a_failing_step_fails_the_pipeline_with_its_name_and_failure_and_skips_the_rest() {
    let failing = r#"
[[trigger.job]]
pipeline = "doomed"
[[trigger.job.steps]]
name = "prep"
component = "echo"
[[trigger.job.steps]]
name = "boom"
component = "trap"
[[trigger.job.steps]]
name = "never"
component = "echo"
"#;
    let manifest = Manifest::new().job("echo", &[]).job("trap", &[("max_attempts", "1")]).pipeline(failing);
    let host = Host::start(&manifest, &[]).await;
    let id = host.submit("doomed", &json!({"message": "x"})).await;

    let job = host.wait_terminal(&id, SECS_30).await;
    assert_eq!(job["status"], "failed", "{job}");
    let boom = step_job(&host, &job, 1).await;
    assert_eq!(job["failure"]["code"], boom["failure"]["code"], "the step's code: {job}\n{boom}");
    let message = job["failure"]["message"].as_str().unwrap();
    assert!(message.starts_with("step `boom` (trap) failed: "), "{message}");
    assert_eq!(job["steps"][1]["status"], "failed", "{job}");
    assert_eq!(job["steps"][2]["status"], "skipped", "{job}");
    assert!(job["steps"][2].get("jobId").is_none(), "{job}");
}

#[tokio::test]
async fn cancelling_a_pipeline_cancels_its_running_step_and_skips_the_rest() {
    let host = Host::start(&chain(), &[]).await;
    let id = host.submit("chain", &json!({"message": "long", "n": 200, "step_ms": 100})).await;
    let running =
        host.wait_job(&id, SECS_30, "the slow step running", |v| v["steps"][1]["status"] == "processing").await;
    let step = running["steps"][1]["jobId"].as_str().unwrap().to_string();

    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "cancelled", "{body}");
    let step = host.wait_terminal(&step, SECS_30).await;
    assert_eq!(step["status"], "cancelled", "{step}");
    let job = host.job(&id).await;
    assert_eq!(job["status"], "cancelled", "{job}");
}

#[tokio::test]
async fn a_pipeline_interrupted_by_a_crash_resumes_at_the_step_that_was_running() {
    let mut host = Host::start(&chain(), &[]).await;
    let id = host.submit("chain", &json!({"message": "survivor", "n": 30, "step_ms": 100})).await;
    let running = host
        .wait_job(&id, SECS_30, "the slow step under way", |v| {
            v["steps"][1]["status"] == "processing" && v["steps"][1]["progress"].as_u64().is_some_and(|p| p > 0)
        })
        .await;
    let prep_before = step_job(&host, &running, 0).await;

    host.kill9();
    host.restart().await;

    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"], json!({"message": "survivor", "done": 30}), "{job}");
    // The first step ran once, before the crash: same job, same end.
    let prep = step_job(&host, &job, 0).await;
    assert_eq!(prep["jobId"], prep_before["jobId"], "{job}");
    assert_eq!(prep["attempts"], 1, "{prep}");
    assert_eq!(prep["finishedAt"], prep_before["finishedAt"], "{prep}");
    // The running step was taken up again: its second attempt finished it.
    let work = step_job(&host, &job, 1).await;
    assert_eq!(work["jobId"], running["steps"][1]["jobId"], "{job}");
    assert_eq!(work["attempts"], 2, "{work}");
    let (_, _, list) = host.get("/api/v1/jobs?capability=slow").await;
    assert_eq!(list["data"]["jobs"].as_array().unwrap().len(), 1, "one step job, never a second: {list}");
}

#[test]
fn a_step_whose_input_does_not_fit_the_previous_output_is_a_start_up_error_naming_both() {
    let mismatched = r#"
[[trigger.job]]
pipeline = "mismatch"
[[trigger.job.steps]]
name = "prep"
component = "echo"
[[trigger.job.steps]]
name = "work"
component = "slow"
input = { steps = "/input/message" }
"#;
    let manifest = Manifest::new().job("echo", &[]).job("slow", &[]).pipeline(mismatched);
    let exited = serve_until_exit(&manifest, SECS_60);
    assert!(!exited.status.success());
    assert!(
        exited.stderr.contains(
            "pipeline `mismatch`: step `work` (slow) needs `steps` as integer, but `/input/message` is string"
        ),
        "{}",
        exited.stderr
    );
}

#[test]
fn a_step_missing_a_required_field_is_a_start_up_error_naming_it() {
    let missing = r#"
[[trigger.job]]
pipeline = "missing"
[[trigger.job.steps]]
name = "prep"
component = "echo"
[[trigger.job.steps]]
name = "retry"
component = "flaky"
input = { other = "/input/n" }
"#;
    let manifest = Manifest::new().job("echo", &[]).job("flaky", &[]).pipeline(missing);
    let exited = serve_until_exit(&manifest, SECS_60);
    assert!(!exited.status.success());
    assert!(
        exited.stderr.contains("step `retry` (flaky) needs `succeed_on`, which its `input` mapping does not give"),
        "{}",
        exited.stderr
    );
}

#[tokio::test]
async fn capabilities_list_the_pipelines_with_their_steps() {
    let host = Host::start(&chain(), &[]).await;
    let (status, _, body) = host.get("/api/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pipeline = &body["data"]["pipelines"][0];
    assert_eq!(pipeline["name"], "chain", "{body}");
    assert_eq!(pipeline["route"], "/api/v1/chain", "{body}");
    assert_eq!(pipeline["steps"][1]["input"]["steps"], "/prep/n", "{body}");
}

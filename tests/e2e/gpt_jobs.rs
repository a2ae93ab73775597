//! Seed 004: `POST /jobs` → `event_id`, `GET /jobs/{event_id}` → the
//! summary and checklist of the `guideline` pipeline, and the docs at
//! `/swagger/`, `/redoc/` and `/schema/`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60};
use crate::openai_double::{Double, Reply};

/// The pipeline as spin.toml declares it.
pub const GUIDELINE: &str = r#"
[[trigger.job]]
pipeline = "guideline"
[[trigger.job.steps]]
name = "summarize"
component = "summarize"
[[trigger.job.steps]]
name = "checklist"
component = "checklist"
input = { text = "/input/text", summary = "/summarize/summary" }
[trigger.job.output]
summary = "/summarize/summary"
summary_method = "/summarize/method"
checklist = "/checklist/checklist"
checklist_method = "/checklist/method"
"#;

/// Seed 004's components and pipeline as spin.toml grants them.
pub fn seed_004() -> Manifest {
    Manifest::new()
        .job("summarize", &[("timeout", "\"60s\"")])
        .engine("summarize", "llm")
        .ai_model("summarize", "default")
        .job("checklist", &[("timeout", "\"60s\"")])
        .engine("checklist", "llm")
        .ai_model("checklist", "default")
        .pipeline(GUIDELINE)
}

const GUIDELINE_KO: &str = "고혈압 진료 지침. 성인 고혈압 환자는 진료실 혈압을 정기적으로 측정해야 한다. \
    가정혈압 측정은 진단의 정확성을 높이기 위해 권고된다. 나트륨 섭취는 하루 2g 이하로 제한해야 한다. \
    규칙적인 유산소 운동은 혈압을 평균 5mmHg 낮춘다. 혈압이 160/100mmHg 이상이면 두 가지 약제의 병용을 고려한다. \
    임신 중에는 ACE 억제제를 사용해서는 안 된다. 약물 치료를 시작한 뒤에는 한 달 안에 효과를 평가해야 한다.";

async fn create(host: &Host, body: &Value) -> (StatusCode, Value) {
    let (status, _, body) = host.post_json("/jobs", body).await;
    (status, body)
}

async fn wait_done(host: &Host, event_id: &str) -> Value {
    let deadline = std::time::Instant::now() + SECS_60;
    loop {
        let (status, _, body) = host.get(&format!("/jobs/{event_id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if matches!(body["status"].as_str(), Some("completed" | "failed")) {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "still {body}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn seed_004_a_queued_guideline_gets_an_extractive_summary_and_checklist_without_a_model() {
    let host = Host::start(&seed_004(), &[]).await;
    let (status, job) = create(&host, &json!({"input_text": GUIDELINE_KO})).await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    assert_eq!(job["status"], "pending", "{job}");
    assert_eq!(job["input_text"], GUIDELINE_KO, "{job}");
    assert_eq!(job["result"], Value::Null, "{job}");
    let event_id = job["event_id"].as_str().expect("an event id");

    let done = wait_done(&host, event_id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["created_at"], job["created_at"], "{done}");
    let result = &done["result"];
    assert_eq!(result["method"], "extractive", "{done}");
    assert_eq!(result["methods"], json!({"summary": "extractive", "checklist": "extractive"}), "{done}");
    let summary = result["summary"].as_str().unwrap();
    assert!(
        !summary.is_empty() && GUIDELINE_KO.contains(summary.split(". ").next().unwrap().trim_end_matches('.')),
        "{summary}"
    );
    let checklist: Vec<&str> = result["checklist"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    assert!(checklist.len() >= 4, "{done}");
    // Every item comes from a recommendation sentence of the guideline, none from the others.
    for item in &result["checklist_items"].as_array().unwrap()[..] {
        let source = item["source"].as_str().unwrap();
        assert!(GUIDELINE_KO.contains(source.trim_end_matches('.')), "{item}");
        assert!(!source.contains("평균 5mmHg"), "a statement of fact is not an instruction: {item}");
    }
    // The pipeline's job is Capsule's own job too, with both steps.
    let (_, _, native) = host.get(&format!("/api/v1/jobs/{event_id}")).await;
    let steps: Vec<&str> =
        native["data"]["steps"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(steps, ["completed", "completed"], "{native}");
}

#[tokio::test]
async fn seed_004_with_a_model_both_steps_ask_it_for_a_schema_constrained_answer() {
    let summary = r#"{"summary": "성인 고혈압 환자는 혈압을 정기적으로 측정하고 나트륨을 제한한다."}"#;
    let checklist = r#"{"checklist": [{"item": "진료실 혈압을 정기적으로 측정할 것", "source": "성인 고혈압 환자는 진료실 혈압을 정기적으로 측정해야 한다.", "kind": "must"}]}"#;
    let (double, url) = Double::start(vec![Reply::Answer(summary), Reply::Answer(checklist)]).await;
    let llm = format!("default=openai:gpt-test@{url}");
    let host = Host::start(&seed_004(), &["--llm", &llm]).await;
    let (_, job) = create(&host, &json!({"text": GUIDELINE_KO})).await;

    let done = wait_done(&host, job["event_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["method"], "llm", "{done}");
    assert_eq!(done["result"]["summary"], "성인 고혈압 환자는 혈압을 정기적으로 측정하고 나트륨을 제한한다.", "{done}");
    assert_eq!(done["result"]["checklist"], json!(["진료실 혈압을 정기적으로 측정할 것"]), "{done}");
    let requests = double.requests();
    assert_eq!(requests.len(), 2, "one call per step");
    assert!(requests.iter().all(|r| r["response_format"]["type"] == "json_schema"), "{requests:?}");
}

#[tokio::test]
async fn seed_004_a_missing_or_blank_guideline_is_a_drf_field_error() {
    let host = Host::start(&seed_004(), &[]).await;
    let (status, body) = create(&host, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["input_text"], json!(["This field is required."]), "{body}");
    assert_eq!(body["code"], "JOB_INPUT_REQUIRED", "{body}");
    let (status, body) = create(&host, &json!({"input_text": "  "})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["input_text"], json!(["This field may not be blank."]), "{body}");
    let (status, body) = create(&host, &json!({"input_text": 42})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["input_text"], json!(["Not a valid string."]), "{body}");
    let (status, body) = create(&host, &json!(["not", "an", "object"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().starts_with("JSON parse error"), "{body}");
}

#[tokio::test]
async fn seed_004_an_unknown_event_id_is_404_not_found() {
    let host = Host::start(&seed_004(), &[]).await;
    let (status, _, body) = host.get("/jobs/job_0000000000000000000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["detail"], "Not found.", "{body}");
    // Another route's job is not a seed 004 job.
    let id = host.submit("summarize", &json!({"text": GUIDELINE_KO})).await;
    let (status, _, body) = host.get(&format!("/jobs/{id}/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn seed_004_without_the_pipeline_post_jobs_is_503_naming_it() {
    let host = Host::start(&Manifest::new().job("echo", &[]), &[]).await;
    let (status, body) = create(&host, &json!({"input_text": "x"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "JOB_UNAVAILABLE", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("`guideline`"), "{body}");
}

#[tokio::test]
async fn seed_004_docs_are_served_from_embedded_assets() {
    let host = Host::start(&seed_004(), &[]).await;
    let page = |path: &'static str| {
        let client = host.client().clone();
        let url = host.url(path);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, swagger) = page("/swagger/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(swagger.contains("url: \"/schema/\"") && swagger.contains("/docs/swagger-ui-bundle.js"), "{swagger}");
    let (status, redoc) = page("/redoc/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(redoc.contains("spec-url=\"/schema/\"") && !redoc.contains("https://"), "offline: {redoc}");
    let (status, js) = page("/redoc/redoc.standalone.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.len() > 500_000, "the ReDoc bundle");
    let (status, schema) = page("/schema/").await;
    assert_eq!(status, StatusCode::OK);
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert!(schema["paths"]["/jobs"]["post"].is_object() && schema["paths"]["/jobs/{event_id}"]["get"].is_object());
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap();
    let r = no_redirects.get(host.url("/swagger")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers()["location"], "/swagger/");
}

/// The repository's own spin.toml (its components built by the harness
/// into `target/guest`, where its `source`s point) passes every start-up
/// check, pipelines included, and serves seed 004 end to end.
#[tokio::test]
async fn the_repositorys_spin_toml_serves_its_capabilities_and_pipelines() {
    crate::harness::guests();
    let host = Host::start_with_manifest_file(&crate::harness::workspace().join("spin.toml"), &[]).await;
    let (status, _, body) = host.get("/api/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pipelines: Vec<&str> =
        body["data"]["pipelines"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(pipelines, ["guideline", "report-generation"], "{body}");
    let (status, job) = create(&host, &json!({"input_text": GUIDELINE_KO})).await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    let done = wait_done(&host, job["event_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
}

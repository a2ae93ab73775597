//! Seed 000 §4.1, §4.3–4.5: reference reports uploaded by name, embedded
//! (text, a table, the text of an image), searched within a category, and
//! a plan generated section by section from one of them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60, workspace};
use crate::openai_double::{Double, Reply};

pub const GENERATION: &str = r#"
[[trigger.job]]
pipeline = "report-generation"
[[trigger.job.steps]]
name = "sections"
component = "report-section"
for_each = "/input/sections"
input = { section = "/item", business_idea = "/input/business_idea", core_value = "/input/core_value", file_name = "/input/file_name", report_id = "/input/report_id" }
[trigger.job.output]
report_id = "/input/report_id"
sections = "/sections"
"#;

/// Seed 000's report components as spin.toml grants them.
fn seed_000_reports() -> Manifest {
    Manifest::new()
        .job("report-embed", &[("timeout", "\"300s\""), ("max_attempts", "1"), ("memory", "\"512MiB\"")])
        .engine("report-embed", "ocr")
        .engine("report-embed", "pdf-render")
        .engine("report-embed", "embeddings")
        .engine("report-embed", "vectors")
        .job("report-search", &[("timeout", "\"60s\"")])
        .engine("report-search", "embeddings")
        .engine("report-search", "vectors")
        .job("report-section", &[("timeout", "\"60s\""), ("max_attempts", "1")])
        .engine("report-section", "llm")
        .engine("report-section", "embeddings")
        .engine("report-section", "vectors")
        .ai_model("report-section", "default")
        .pipeline(GENERATION)
}

fn report_pdf() -> Vec<u8> {
    std::fs::read(workspace().join("tests/data/report.pdf")).expect("tests/data/report.pdf")
}

async fn upload(host: &Host, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str("application/pdf").unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let (status, _, body) = host.send(host.client().post(host.url("/api/reports/upload")).multipart(form)).await;
    (status, body)
}

/// Poll seed 000's Celery route until the task ends.
async fn task_end(host: &Host, task_id: &str) -> Value {
    let deadline = std::time::Instant::now() + SECS_60 * 3;
    loop {
        let (_, _, body) = host.get(&format!("/api/jobs/status/{task_id}")).await;
        if matches!(body["status"].as_str(), Some("SUCCESS" | "FAILURE" | "REVOKED")) {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "still {body}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn embed(host: &Host, body: Value) -> Value {
    let (status, _, started) = host.post_json("/api/reports/embed", &body).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let task_id = started["task_id"].as_str().expect("a task id").to_string();
    assert_eq!(started["message"], format!("embedding started (task_id: {task_id})"));
    task_end(host, &task_id).await
}

#[tokio::test]
async fn an_uploaded_report_is_stored_once_and_a_second_upload_of_its_name_is_refused() {
    let host = Host::start(&seed_000_reports(), &[]).await;
    let (status, first) = upload(&host, "강소기업1.pdf", report_pdf()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["success"], true, "{first}");
    assert_eq!(first["message"], "파일이 성공적으로 업로드되었습니다.");
    let url = first["s3_url"].as_str().unwrap();
    let stored = host.client().get(url).send().await.unwrap();
    assert_eq!(stored.bytes().await.unwrap().to_vec(), report_pdf(), "s3_url serves the file");

    let (status, again) = upload(&host, "강소기업1.pdf", b"%PDF-1.4 other".to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again,
        json!({"success": false, "message": "S3에 이미 동일한 파일명(강소기업1.pdf)이 존재합니다.", "file_name": "강소기업1.pdf", "s3_url": null})
    );
}

#[tokio::test]
async fn an_embedded_report_with_text_a_table_and_an_image_is_found_in_its_category_only() {
    let host = Host::start(&seed_000_reports(), &[]).await;
    upload(&host, "물류.pdf", report_pdf()).await;
    let done =
        embed(&host, json!({"file_name": "물류.pdf", "embed_id": "e-1", "category_number": 2, "number": 101})).await;
    assert_eq!(done["status"], "SUCCESS", "{done}");
    let result = &done["result"];
    assert_eq!((result["success"].clone(), result["message"].clone()), (json!(true), json!("임베딩 완료")), "{done}");
    assert_eq!(result["embed_id"], "e-1");
    for kind in ["text", "table", "image"] {
        assert!(result["chunks"][kind].as_u64().unwrap() >= 1, "a {kind} chunk: {done}");
    }
    assert!(result["title"].as_str().unwrap().contains("스마트 물류"), "the first heading: {done}");

    let ask = |category: u64| json!({"business_idea": "냉장 화물 운송을 센서로 관리하는 물류 플랫폼", "core_value": "배송 중 온도 이탈을 줄인다", "category_number": category, "top_k": 3});
    let (status, _, found) = host.post_json("/api/reports/search", &ask(2)).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found["query"],
        "사업아이디어: 냉장 화물 운송을 센서로 관리하는 물류 플랫폼\n핵심가치제안: 배송 중 온도 이탈을 줄인다"
    );
    assert_eq!(found["total_found"], 1, "{found}");
    let hit = &found["results"][0];
    assert_eq!(
        (hit["file_name"].clone(), hit["category_number"].clone(), hit["number"].clone()),
        (json!("물류.pdf"), json!(2), json!(101))
    );
    assert_eq!(hit["id"], 1, "{found}");
    assert!(hit["similarity"].as_f64().unwrap() > 0.0, "{found}");
    let (_, _, elsewhere) = host.post_json("/api/reports/search", &ask(4)).await;
    assert_eq!(elsewhere["total_found"], 0, "another category: {elsewhere}");
}

#[tokio::test]
async fn embedding_a_name_never_uploaded_is_404_and_a_bad_search_is_422() {
    let host = Host::start(&seed_000_reports(), &[]).await;
    let (status, _, body) =
        host.post_json("/api/reports/embed", &json!({"file_name": "없음.pdf", "embed_id": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("없음.pdf"), "{body}");
    let ask = json!({"business_idea": "a", "core_value": "b", "category_number": 6});
    let (status, _, body) = host.post_json("/api/reports/search", &ask).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "category_number"]), "{body}");
}

fn generate_body(report_id: &str) -> Value {
    json!({"business_idea": "냉장 물류 센서 플랫폼", "core_value": "온도 이탈 없는 배송", "file_name": "물류.pdf", "report_id": report_id})
}

#[tokio::test]
async fn generating_a_plan_without_a_model_fails_llm_not_configured() {
    let host = Host::start(&seed_000_reports(), &[]).await;
    upload(&host, "물류.pdf", report_pdf()).await;
    let (status, _, started) = host.post_json("/api/reports/generate", &generate_body("r-1")).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["report_id"], "r-1");
    let done = task_end(&host, started["task_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "FAILURE", "{done}");
    assert!(done["error"].as_str().unwrap().starts_with("LLM_NOT_CONFIGURED"), "{done}");
    let (_, _, report) = host.get("/api/reports/r-1").await;
    assert_eq!(report["is_complete"], false, "{report}");
    assert_eq!(report["sections"], json!([]), "{report}");
}

#[tokio::test]
async fn a_plan_is_generated_section_by_section_from_the_reference_report() {
    // The component streams its call (tokens reach listeners as it writes).
    let answer = r#"{"content": "본 사업은 냉장 물류 센서 플랫폼으로 배송 중 온도 이탈을 줄인다."}"#;
    let sections: Vec<Reply> =
        (0..6).map(|_| Reply::Stream { pieces: vec![answer], pause: std::time::Duration::ZERO }).collect();
    let (double, url) = Double::start(sections).await;
    let llm = format!("default=openai:gpt-test@{url}");
    let host = Host::start(&seed_000_reports(), &["--llm", &llm]).await;
    upload(&host, "물류.pdf", report_pdf()).await;
    let embedded = embed(&host, json!({"file_name": "물류.pdf", "embed_id": "e-2", "category_number": 2})).await;
    assert_eq!(embedded["status"], "SUCCESS", "{embedded}");

    let (_, _, started) = host.post_json("/api/reports/generate", &generate_body("r-2")).await;
    let done = task_end(&host, started["task_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SUCCESS", "{done}");
    assert_eq!(
        done["result"],
        json!({"success": true, "message": "보고서 생성 완료", "report_id": "r-2", "sections": 6})
    );

    let (status, _, report) = host.get("/api/reports/r-2").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["is_complete"], true, "{report}");
    let titles: Vec<&str> =
        report["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 6, "{report}");
    assert_eq!(titles[1], "문제 인식 (Problem)", "{report}");
    // Each section was written from the reference report's own chunks.
    let requests = double.requests();
    assert_eq!(requests.len(), 6);
    for request in &requests {
        let prompt = request["messages"].to_string();
        // Words only the reference report has (its paragraphs, its table), not the idea.
        assert!(
            ["중소 유통사", "수요 예측", "고객 수", "구독형"].iter().any(|w| prompt.contains(w)),
            "grounded in the report: {prompt}"
        );
    }
    let (status, _, missing) = host.get("/api/reports/r-unknown").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
}

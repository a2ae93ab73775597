//! Files in, facts out: the `ocr` and `masking` components with the host's
//! engines (Tesseract, pdftoppm), through the native API and seed 001's
//! `POST /ai/ocr/extract`, `POST /ai/masking/draft` and `GET /ai/task/{id}`.
//!
//! The documents are in `tests/data` (made by `tests/data/make.py`): a
//! contact card image (PNG and JPEG) with a name, a phone number and an
//! e-mail address, and a two-page résumé PDF whose first page has a text
//! layer and whose second page is a scan of the card.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, assert_seed_error, file_server, serve_until_exit, workspace};

const OCR_TIMEOUT: Duration = Duration::from_secs(120);

fn document(name: &str) -> Vec<u8> {
    std::fs::read(workspace().join("tests").join("data").join(name)).expect("a document in tests/data")
}

fn documents_manifest() -> Manifest {
    let slow = [("timeout", "\"120s\""), ("max_attempts", "1")];
    Manifest::new().document_job("ocr", &slow).document_job("masking", &slow)
}

async fn upload(host: &Host, name: &str, content_type: &str) -> String {
    let (status, _, body) = host.upload(name, content_type, document(name)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["url"].as_str().expect("url").to_string()
}

/// Run a capability synchronously and return its completed job.
async fn run(host: &Host, capability: &str, input: Value) -> Value {
    let (status, _, body) = host.post_json(&format!("/api/v1/{capability}?wait=120s"), &input).await;
    assert_eq!(status, StatusCode::OK, "{body}\nlog:\n{}", host.log_tail());
    body["data"].clone()
}

async fn completed(host: &Host, capability: &str, input: Value) -> Value {
    let job = run(host, capability, input).await;
    assert_eq!(job["status"], "completed", "{job}\nlog:\n{}", host.log_tail());
    job["result"].clone()
}

/// Poll `GET /ai/task/{id}` until it stops answering `task_processing`.
async fn poll_task(host: &Host, task_id: &str) -> (StatusCode, Value) {
    let deadline = Instant::now() + OCR_TIMEOUT;
    loop {
        let (status, _, body) = host.get(&format!("/ai/task/{task_id}")).await;
        if body["message"] != "task_processing" {
            return (status, body);
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["status"], "processing", "{body}");
        assert!(Instant::now() < deadline, "task {task_id} still processing: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

#[tokio::test]
async fn ocr_reads_korean_and_english_text_from_an_image() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let result = completed(&host, "ocr", json!({"file_url": url})).await;
    let text = squash(result["extracted_text"].as_str().expect("extracted_text"));
    for expected in ["2025년3월10일", "성명:홍길동", "010-1234-5678", "hong.gildong@example.com"] {
        assert!(text.contains(expected), "`{expected}` not in {result}");
    }
    assert_eq!(result["page_count"], 1, "{result}");
    assert_eq!(result["pages"][0]["source"], "ocr", "{result}");
    let confidence = result["pages"][0]["confidence"].as_f64().expect("confidence");
    assert!(confidence > 0.5 && confidence <= 1.0, "{result}");
}

#[tokio::test]
async fn ocr_reads_a_jpeg_like_a_png() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.jpg", "image/jpeg").await;
    let result = completed(&host, "ocr", json!({"file_url": url, "file_type": "image"})).await;
    assert!(squash(result["extracted_text"].as_str().unwrap()).contains("010-1234-5678"), "{result}");
}

#[tokio::test]
async fn ocr_uses_a_pdf_text_layer_and_ocrs_the_scanned_page() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let result = completed(&host, "ocr", json!({"file_url": url, "file_type": "pdf"})).await;
    let pages = result["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 2, "{result}");
    assert_eq!(pages[0]["source"], "text_layer", "{result}");
    assert!(squash(pages[0]["text"].as_str().unwrap()).contains("성명:김철수"), "{result}");
    assert_eq!(pages[1]["source"], "ocr", "{result}");
    assert!(squash(pages[1]["text"].as_str().unwrap()).contains("010-1234-5678"), "{result}");
}

#[tokio::test]
async fn ocr_reports_progress_for_every_page() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let id = host.submit("ocr", &json!({"file_url": url})).await;
    let events = host.events(&id, OCR_TIMEOUT).await;
    let page_steps = events.iter().filter(|(event, data)| event == "progress" && data["step"] == "page").count();
    assert!(page_steps >= 2, "one progress event per page expected: {events:?}");
    assert_eq!(events.last().map(|(e, _)| e.as_str()), Some("completed"), "{events:?}");
}

#[tokio::test]
async fn ocr_of_a_file_that_is_not_what_file_type_says_fails_with_a_mismatch() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let job = run(&host, "ocr", json!({"file_url": url, "file_type": "pdf"})).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "OCR_FILE_TYPE_MISMATCH", "{job}");
}

#[tokio::test]
async fn masking_blacks_out_personal_data_in_an_image_and_keeps_the_rest_readable() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let result = completed(&host, "masking", json!({"file_url": url, "file_type": "image"})).await;
    let items = result["detected_items"].as_array().expect("detected_items");
    let types: Vec<&str> = items.iter().filter_map(|i| i["type"].as_str()).collect();
    for expected in ["phone", "email", "name"] {
        assert!(types.contains(&expected), "no `{expected}` in {result}");
    }
    for item in items {
        assert_eq!(item["page"], 1, "{item}");
        assert!(item["location"]["width"].as_u64().unwrap() > 0, "{item}");
        assert!(item.get("text").is_none(), "the personal data itself must not be echoed: {item}");
    }
    assert_eq!(result["content_type"], "image/png", "{result}");

    // Read the masked image back: the personal data is gone, the rest is not.
    let masked = result["masked_file_url"].as_str().expect("masked_file_url");
    let text = squash(completed(&host, "ocr", json!({"file_url": masked})).await["extracted_text"].as_str().unwrap());
    for gone in ["010-1234-5678", "hong.gildong", "홍길동"] {
        assert!(!text.contains(gone), "`{gone}` is still readable in the masked image: {text}");
    }
    for kept in ["2025년3월10일", "2024-0315-7788"] {
        assert!(text.contains(kept), "`{kept}` (not personal data) was masked: {text}");
    }
}

#[tokio::test]
async fn masked_pdf_is_images_only_with_no_extractable_text() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let result = completed(&host, "masking", json!({"file_url": url, "file_type": "pdf"})).await;
    assert_eq!(result["content_type"], "application/pdf", "{result}");
    assert_eq!(result["page_count"], 2, "{result}");
    let items = result["detected_items"].as_array().expect("detected_items");
    let on = |page: u64, kind: &str| items.iter().any(|i| i["page"] == page && i["type"] == kind);
    assert!(on(1, "phone") && on(1, "email") && on(1, "name"), "text-layer page: {result}");
    assert!(on(2, "phone") && on(2, "email"), "scanned page: {result}");

    let masked = result["masked_file_url"].as_str().expect("masked_file_url");
    let reread = completed(&host, "ocr", json!({"file_url": masked})).await;
    for page in reread["pages"].as_array().expect("pages") {
        assert_eq!(page["source"], "ocr", "the masked PDF still has a text layer: {reread}");
    }
    let text = squash(reread["extracted_text"].as_str().unwrap());
    for gone in ["010-9876-5432", "chulsoo.kim", "010-1234-5678", "hong.gildong"] {
        assert!(!text.contains(gone), "`{gone}` is still readable in the masked PDF: {text}");
    }
    assert!(text.contains("이력서"), "the heading should survive masking: {text}");
}

#[tokio::test]
async fn seed_ocr_extract_runs_as_a_task_with_the_seed_result_shape() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let request = json!({"file_url": url, "file_type": "pdf", "type": "resume", "user_id": "user_456", "document_id": "resume_123"});
    let (status, _, body) = host.post_json("/ai/ocr/extract", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "ocr_task_created", "{body}");
    assert_eq!(body["data"]["status"], "processing", "{body}");
    let task_id = body["data"]["task_id"].as_str().expect("task_id").to_string();

    let (status, body) = poll_task(&host, &task_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "task_completed", "{body}");
    let data = &body["data"];
    assert_eq!(data["task_id"], task_id.as_str(), "{body}");
    assert_eq!(data["status"], "completed", "{body}");
    let result = &data["result"];
    assert_eq!(result["success"], true, "{body}");
    assert!(result["extracted_text"].as_str().unwrap().contains("김철수"), "{body}");
    assert_eq!(result["pages"][0]["page"], 1, "{body}");
    assert_eq!(result["pages"][1]["page"], 2, "{body}");
    // The embedding half: the text is in the `resumes` collection, keyed by the document.
    assert_eq!(result["vector_id"], "vec_resume_123", "{body}");
    assert_eq!(result["collection"], "resumes", "{body}");
    assert!(result["embedding"]["chunks"].as_u64().unwrap() >= 1, "{body}");
}

#[tokio::test]
async fn re_extracting_a_document_replaces_its_vectors_instead_of_adding_to_them() {
    let manifest = documents_manifest()
        .job("language-probe", &[])
        .engine("language-probe", "llm")
        .engine("language-probe", "embeddings")
        .engine("language-probe", "vectors");
    let host = Host::start(&manifest, &[]).await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let input = json!({"file_url": url, "index": {"collection": "resumes", "user_id": "u1", "document_id": "d1"}});
    let mut chunks = Vec::new();
    for _ in 0..2 {
        // forceRefresh: the second extraction runs again instead of answering from the cache.
        let (status, _, body) = host.post_json("/api/v1/ocr?wait=60&forceRefresh=true", &input).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        chunks.push(body["data"]["result"]["embedding"]["chunks"].as_u64().expect("chunks"));
    }
    assert_eq!(chunks[0], chunks[1]);
    let ask = json!({"op": "ask", "collection": "resumes", "query": "김철수 경력", "top_k": 100});
    let (status, _, body) = host.post_json("/api/v1/language-probe?wait=60", &ask).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hits = body["data"]["result"]["hits"].as_array().expect("hits");
    let stored = hits.iter().filter(|h| h["metadata"]["document_id"] == "d1").count() as u64;
    assert_eq!(stored, chunks[0], "the document's vectors were added to, not replaced: {body}");
}

#[tokio::test]
async fn seed_masking_draft_completes_with_the_masked_file_and_items() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let (status, _, body) = host.post_json("/ai/masking/draft", &json!({"file_url": url, "file_type": "image"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "masking_task_created", "{body}");
    let task_id = body["data"]["task_id"].as_str().expect("task_id").to_string();

    let (status, body) = poll_task(&host, &task_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "masking_completed", "{body}");
    let result = &body["data"]["result"];
    let masked = result["masked_file_url"].as_str().expect("masked_file_url");
    let response = host.client().get(masked).send().await.expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "the masked file is not a PNG");
    let item = &result["detected_items"][0];
    for key in ["x", "y", "width", "height"] {
        assert!(item["location"][key].is_u64(), "{body}");
    }
}

#[tokio::test]
async fn seed_file_tasks_validate_their_fields_with_the_seed_codes() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let ocr = |overrides: Value| {
        let mut body =
            json!({"file_url": url, "file_type": "image", "type": "resume", "user_id": "u1", "document_id": "d1"});
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let reply = host.post_json("/ai/ocr/extract", &ocr(json!({"user_id": null}))).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "missing_required_field", 4003);
    assert!(reply.2["reason"].as_str().unwrap().contains("user_id"), "{}", reply.2);
    let reply = host.post_json("/ai/ocr/extract", &ocr(json!({"file_type": "docx"}))).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_file_type", 4001);
    let reply = host.post_json("/ai/ocr/extract", &ocr(json!({"type": "diary"}))).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_document_type", 4002);
    let reply = host.post_json("/ai/masking/draft", &json!({"file_url": url})).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "missing_required_field", 4003);
    let reply = host.post_json("/ai/masking/draft", &json!({"file_url": url, "file_type": "video"})).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_file_type", 4001);
}

#[tokio::test]
async fn seed_file_tasks_refuse_urls_they_cannot_read_as_file_not_found_with_a_reason() {
    let host = Host::start(&documents_manifest(), &[]).await;
    for file_url in [
        "/api/v1/files/0123456789abcdef0123456789abcdef".to_string(),
        "https://s3.example.com/resume.pdf".to_string(),
        "file:///etc/passwd".to_string(),
        "s3://bucket/resume.pdf".to_string(),
    ] {
        let reply = host.post_json("/ai/masking/draft", &json!({"file_url": file_url, "file_type": "pdf"})).await;
        assert_seed_error(&reply, StatusCode::NOT_FOUND, "file_not_found", 4041);
        assert!(reply.2["reason"].as_str().is_some_and(|r| !r.is_empty()), "{}", reply.2);
    }
}

#[tokio::test]
async fn seed_task_route_answers_task_not_found_for_unknown_and_foreign_ids() {
    let host = Host::start(&documents_manifest().job("echo", &[]), &[]).await;
    let reply = host.get("/ai/task/task_does_not_exist").await;
    assert_seed_error(&reply, StatusCode::NOT_FOUND, "task_not_found", 4042);
    let echo_job = host.submit("echo", &json!({"message": "not a task"})).await;
    let reply = host.get(&format!("/ai/task/{echo_job}")).await;
    assert_seed_error(&reply, StatusCode::NOT_FOUND, "task_not_found", 4042);
}

#[tokio::test]
async fn seed_task_of_a_file_that_is_not_what_file_type_says_is_invalid_file_type() {
    let host = Host::start(&documents_manifest(), &[]).await;
    let url = upload(&host, "contact-card.png", "image/png").await;
    let request = json!({"file_url": url, "file_type": "pdf", "type": "resume", "user_id": "u", "document_id": "d"});
    let (_, _, body) = host.post_json("/ai/ocr/extract", &request).await;
    let task_id = body["data"]["task_id"].as_str().expect("task_id").to_string();
    let (status, body) = poll_task(&host, &task_id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["message"], "invalid_file_type", "{body}");
    assert_eq!(body["error_code"], 4001, "{body}");
    assert!(body["reason"].as_str().is_some_and(|r| !r.is_empty()), "{body}");
}

#[tokio::test]
async fn seed_ocr_reads_a_file_from_a_host_the_component_is_granted() {
    let port = file_server(document("contact-card.png"), "image/png").await;
    let manifest = documents_manifest().grant("ocr", &format!("http://127.0.0.1:{port}"));
    let host = Host::start(&manifest, &[]).await;
    let file_url = format!("http://127.0.0.1:{port}/uploads/card.png");
    let request =
        json!({"file_url": file_url, "file_type": "image", "type": "portfolio", "user_id": "u", "document_id": "d"});
    let (status, _, body) = host.post_json("/ai/ocr/extract", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = poll_task(&host, body["data"]["task_id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(squash(body["data"]["result"]["extracted_text"].as_str().unwrap()).contains("010-1234-5678"), "{body}");
    // The same server is not granted to `masking`.
    let reply = host.post_json("/ai/masking/draft", &json!({"file_url": file_url, "file_type": "image"})).await;
    assert_seed_error(&reply, StatusCode::NOT_FOUND, "file_not_found", 4041);
}

#[tokio::test]
async fn without_tesseract_health_says_so_and_ocr_jobs_fail_fast_with_engine_unavailable() {
    let host = Host::start(&documents_manifest(), &["--tesseract", "/nonexistent/tesseract"]).await;
    let (status, _, body) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK, "other capabilities still serve: {body}");
    let ocr = &body["data"]["engines"]["ocr"];
    assert_eq!(ocr["available"], false, "{body}");
    assert!(ocr["reason"].as_str().unwrap().contains("tesseract-ocr"), "the reason says what to install: {body}");
    assert_eq!(body["data"]["engines"]["pdf-render"]["available"], true, "{body}");

    let url = upload(&host, "contact-card.png", "image/png").await;
    let started = Instant::now();
    let job = run(&host, "ocr", json!({"file_url": url})).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "OCR_ENGINE_UNAVAILABLE", "{job}");
    assert!(started.elapsed() < Duration::from_secs(20), "failing took {:?}", started.elapsed());

    let request = json!({"file_url": url, "file_type": "image"});
    let (_, _, body) = host.post_json("/ai/masking/draft", &request).await;
    let (status, body) = poll_task(&host, body["data"]["task_id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["message"], "ai_service_unavailable", "{body}");
    assert_eq!(body["error_code"], 5031, "{body}");
}

#[tokio::test]
async fn a_scanned_page_without_engines_fails_the_job_rather_than_dropping_the_page() {
    let host = Host::start(
        &documents_manifest(),
        &["--tesseract", "/nonexistent/tesseract", "--pdftoppm", "/nonexistent/pdftoppm"],
    )
    .await;
    let url = upload(&host, "resume.pdf", "application/pdf").await;
    let job = run(&host, "ocr", json!({"file_url": url})).await;
    // Page 1 has a text layer; page 2 is a scan, which needs the missing
    // engines: the renderer first, and each engine answers with its own code.
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "PDF_RENDER_UNAVAILABLE", "{job}");
}

#[tokio::test]
async fn component_using_an_engine_it_is_not_granted_is_refused_naming_the_grant() {
    let manifest = Manifest::new().job("ocr", &[]).engine("ocr", "ocr");
    let exited = serve_until_exit(&manifest, Duration::from_secs(60));
    assert!(!exited.status.success(), "capsule accepted the manifest: {}", exited.stderr);
    assert!(exited.stderr.contains("engines = [\"pdf-render\", \"embeddings\", \"vectors\"]"), "{}", exited.stderr);
}

//! Seed 001's assistant routes (§2–§5) through a real host and the real
//! `career` component: embedding typed-in text, analysis and matching
//! (streamed), the mock interview kept in the component's key-value store,
//! and chat with the `get_schedule` tool round trip. No language model is
//! configured unless a test says so: the routes run their labelled
//! rule-based methods, and a model, where used, is the local OpenAI double.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60, assert_seed_error};
use crate::openai_double::{Double, Reply};

pub const RESUME: &str = "홍길동 | 프론트엔드 개발자 (경력 3년)

경력
- (주)가나다 프론트엔드 개발 3년: 리액트와 타입스크립트로 결제 페이지를 개발하여 전환율 15% 개선
- 자바스크립트, HTML, CSS, Git 사용

프로젝트
- 쇼핑몰 관리자 대시보드: React, Redux, Jest 테스트 도입";

pub const POSTING: &str = "[카카오] 프론트엔드 개발자 채용

자격요건
- React, TypeScript 실무 경험 3년 이상
- Next.js 사용 경험

우대사항
- GraphQL 경험
- AWS 배포 경험

서류 마감: 2026년 1월 15일";

fn career_manifest() -> Manifest {
    Manifest::new()
        .job("career", &[("timeout", "\"120s\"")])
        .engine("career", "llm")
        .engine("career", "embeddings")
        .engine("career", "vectors")
        .ai_model("career", "default")
        .key_value_store("career", "default")
}

async fn start() -> Host {
    Host::start(&career_manifest(), &[]).await
}

/// POST a streamed route and read its Server-Sent Events to the end.
async fn stream(host: &Host, path: &str, body: &Value) -> Vec<(String, Value)> {
    let response = host
        .client()
        .post(host.url(path))
        .header("accept", "text/event-stream")
        .json(body)
        .timeout(SECS_60)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    read_events(response).await
}

async fn read_events(response: reqwest::Response) -> Vec<(String, Value)> {
    let text = response.text().await.expect("the stream");
    text.split("\n\n").filter_map(parse_block).collect()
}

fn parse_block(block: &str) -> Option<(String, Value)> {
    let mut event = None;
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    let event = event?;
    Some((event, serde_json::from_str(&data.join("\n")).unwrap_or(Value::Null)))
}

/// The one `complete` event's data, after checking `task` came first.
fn completed(events: &[(String, Value)]) -> Value {
    assert_eq!(events.first().map(|(e, _)| e.as_str()), Some("task"), "{events:?}");
    let finals: Vec<&(String, Value)> = events.iter().filter(|(e, _)| e == "complete" || e == "error").collect();
    assert_eq!(finals.len(), 1, "exactly one final event: {events:?}");
    assert_eq!(finals[0].0, "complete", "{events:?}");
    assert_eq!(events.last().map(|(e, _)| e.as_str()), Some("complete"), "the final event is last: {events:?}");
    finals[0].1.clone()
}

fn analyze_body() -> Value {
    json!({ "resume_id": "resume_123", "posting_id": "posting_789", "resume_text": RESUME, "posting_text": POSTING })
}

#[tokio::test]
async fn seed_file_embed_stores_the_text_and_answers_embedding_success() {
    let host = start().await;
    let body = json!({ "type": "resume", "id": "resume_123", "user_id": "user_456", "text": RESUME });
    let (status, _, reply) = host.post_json("/ai/file/embed", &body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["message"], "embedding_success", "{reply}");
    let data = &reply["data"];
    assert_eq!(data["success"], true);
    assert_eq!(data["type"], "resume");
    assert_eq!(data["id"], "resume_123");
    assert_eq!(data["collection"], "resumes");
    assert!(data["vector_id"].as_str().is_some_and(|v| !v.is_empty()), "{reply}");
}

#[tokio::test]
async fn seed_file_embed_refuses_an_unknown_document_type_and_blank_text() {
    let host = start().await;
    let bad_type = json!({ "type": "diary", "id": "d1", "user_id": "u", "text": "text" });
    assert_seed_error(
        &host.post_json("/ai/file/embed", &bad_type).await,
        StatusCode::BAD_REQUEST,
        "invalid_document_type",
        4002,
    );
    let blank = json!({ "type": "resume", "id": "r1", "user_id": "u", "text": "  " });
    assert_seed_error(&host.post_json("/ai/file/embed", &blank).await, StatusCode::BAD_REQUEST, "empty_text", 4004);
}

#[tokio::test]
async fn seed_analyze_streams_the_task_id_progress_and_the_documented_body() {
    let host = start().await;
    let events = stream(&host, "/ai/analyze", &analyze_body()).await;
    assert!(events[0].1["task_id"].as_str().is_some(), "{events:?}");
    assert!(events.iter().any(|(e, _)| e == "progress"), "progress events: {events:?}");
    let body = completed(&events);
    assert_eq!(body["message"], "analysis_complete", "{body}");
    let data = &body["data"];
    assert_eq!(data["success"], true);
    assert_eq!(data["method"], "rules", "no model is configured: {body}");
    let posting = &data["posting_analysis"];
    assert_eq!(posting["company"], "카카오", "{body}");
    assert_eq!(posting["deadline"], "2026-01-15", "{body}");
    let required: Vec<&str> = posting["required_skills"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(required.contains(&"React") && required.contains(&"TypeScript"), "{body}");
    let matched: Vec<&str> =
        data["matching"]["matched_skills"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    // 리액트 and 타입스크립트 in the resume are React and TypeScript.
    assert!(matched.contains(&"React") && matched.contains(&"TypeScript"), "{body}");
    let missing: Vec<&str> =
        data["matching"]["missing_skills"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(missing.contains(&"GraphQL"), "{body}");
    assert!(data["matching"]["score"].as_u64().is_some_and(|s| s <= 100), "{body}");
    for key in ["strengths", "weaknesses", "suggestions"] {
        assert!(data["resume_analysis"][key].is_array(), "{key}: {body}");
    }
}

#[tokio::test]
async fn seed_analyze_answers_plain_json_to_a_client_that_accepts_json() {
    let host = start().await;
    let (status, headers, body) = host
        .send(host.client().post(host.url("/ai/analyze")).header("accept", "application/json").json(&analyze_body()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(body["message"], "analysis_complete", "{body}");
    assert_eq!(body["data"]["posting_analysis"]["company"], "카카오", "{body}");
}

#[tokio::test]
async fn seed_analyze_without_texts_is_missing_resume_or_posting_text() {
    let host = start().await;
    let mut body = analyze_body();
    body["resume_text"] = json!("");
    assert_seed_error(
        &host.post_json("/ai/analyze", &body).await,
        StatusCode::BAD_REQUEST,
        "missing_resume_text",
        4005,
    );
    let mut body = analyze_body();
    body.as_object_mut().unwrap().remove("posting_text");
    assert_seed_error(
        &host.post_json("/ai/analyze", &body).await,
        StatusCode::BAD_REQUEST,
        "missing_posting_text",
        4006,
    );
}

#[tokio::test]
async fn seed_analyze_client_that_disconnects_fetches_the_result_by_task_id() {
    let host = start().await;
    let response = host
        .client()
        .post(host.url("/ai/analyze"))
        .header("accept", "text/event-stream")
        .json(&analyze_body())
        .send()
        .await
        .expect("request");
    // Read only up to the first event, then hang up.
    let mut chunks = response.bytes_stream();
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = chunks.next().await.expect("a first event").expect("bytes");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(chunks);
    let (event, data) = parse_block(text.split("\n\n").next().unwrap()).expect("an event");
    assert_eq!(event, "task");
    let task_id = data["task_id"].as_str().expect("task_id").to_string();
    let deadline = tokio::time::Instant::now() + SECS_60;
    loop {
        let (status, _, body) = host.get(&format!("/ai/task/{task_id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["message"] == "analysis_complete" {
            assert_eq!(body["data"]["status"], "completed", "{body}");
            assert_eq!(body["data"]["result"]["posting_analysis"]["company"], "카카오", "{body}");
            break;
        }
        assert_eq!(body["message"], "task_processing", "{body}");
        assert!(tokio::time::Instant::now() < deadline, "the task never finished: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn question_body(session: &str) -> Value {
    json!({ "room_id": "room_001", "session_id": session, "interview_type": "technical",
            "resume_text": RESUME, "posting_text": POSTING })
}

async fn ask(host: &Host, session: &str) -> (StatusCode, Value) {
    let (status, _, body) = host.post_json("/ai/interview/question", &question_body(session)).await;
    (status, body)
}

async fn save(host: &Host, session: &str, question: &Value, answer: &str) -> Value {
    let body = json!({ "room_id": "room_001", "session_id": session,
        "question_id": question["question_id"], "question": question["question"], "answer": answer,
        "is_followup": question["is_followup"], "question_number": question["question_number"] });
    let (status, _, reply) = host.post_json("/ai/interview/save", &body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["message"], "qa_saved", "{reply}");
    reply["data"].clone()
}

const ANSWER: &str =
    "결제 페이지를 리액트로 다시 만들면서 상태 관리를 Redux로 옮겼고, 그 결과 전환율이 15% 올랐습니다.";

#[tokio::test]
async fn seed_interview_asks_five_questions_then_refuses_the_sixth() {
    let host = start().await;
    for number in 1..=5 {
        let (status, body) = ask(&host, "s-five").await;
        assert_eq!(status, StatusCode::OK, "question {number}: {body}");
        assert_eq!(body["message"], "question_generated", "{body}");
        assert_eq!(body["data"]["question_number"], number, "{body}");
        assert!(body["data"]["question"].as_str().is_some_and(|q| !q.is_empty()), "{body}");
        save(&host, "s-five", &body["data"], ANSWER).await;
    }
    let (status, body) = ask(&host, "s-five").await;
    assert_seed_error(&(status, Default::default(), body), StatusCode::BAD_REQUEST, "max_questions_reached", 4008);
}

#[tokio::test]
async fn seed_interview_question_after_a_saved_answer_is_a_followup() {
    let host = start().await;
    let (_, first) = ask(&host, "s-follow").await;
    assert_eq!(first["data"]["is_followup"], false, "{first}");
    assert_eq!(first["data"]["question_number"], 1, "{first}");
    let saved = save(&host, "s-follow", &first["data"], ANSWER).await;
    assert_eq!(saved["saved_count"], 1, "{saved}");
    assert_eq!(saved["max_questions"], 5, "{saved}");
    let (_, second) = ask(&host, "s-follow").await;
    assert_eq!(second["data"]["is_followup"], true, "{second}");
    assert_eq!(second["data"]["question_number"], 2, "{second}");
    assert_ne!(second["data"]["question"], first["data"]["question"], "{second}");
}

#[tokio::test]
async fn seed_interview_type_must_be_personality_or_technical() {
    let host = start().await;
    let mut body = question_body("s-type");
    body["interview_type"] = json!("casual");
    assert_seed_error(
        &host.post_json("/ai/interview/question", &body).await,
        StatusCode::BAD_REQUEST,
        "invalid_interview_type",
        4007,
    );
}

fn report_body(session: &str) -> Value {
    json!({ "room_id": "room_001", "session_id": session, "interview_type": "technical",
            "resume_text": RESUME, "posting_text": POSTING, "ended_by": "manual" })
}

#[tokio::test]
async fn seed_interview_report_evaluates_every_saved_answer() {
    let host = start().await;
    for answer in [ANSWER, "잘 모르겠습니다."] {
        let (_, question) = ask(&host, "s-report").await;
        save(&host, "s-report", &question["data"], answer).await;
    }
    let body = completed(&stream(&host, "/ai/interview/report", &report_body("s-report")).await);
    assert_eq!(body["message"], "report_generated", "{body}");
    let evaluations = body["data"]["evaluations"].as_array().expect("evaluations");
    assert_eq!(evaluations.len(), 2, "{body}");
    let scores: Vec<u64> = evaluations.iter().map(|e| e["score"].as_u64().expect("score")).collect();
    assert!(scores[0] > scores[1], "a specific answer with a result outscores 'I don't know': {body}");
    let report = &body["data"]["report"];
    assert!(report["total_score"].as_u64().is_some() && report["grade"].is_string(), "{body}");
    assert_eq!(body["data"]["session_id"], "s-report");
}

#[tokio::test]
async fn seed_interview_report_of_an_unknown_session_is_session_not_found() {
    let host = start().await;
    let reply = host
        .send(
            host.client()
                .post(host.url("/ai/interview/report"))
                .header("accept", "application/json")
                .json(&report_body("never-started")),
        )
        .await;
    assert_seed_error(&reply, StatusCode::NOT_FOUND, "session_not_found", 4043);
    // As events, the same error is the stream's final `error` event.
    let events = stream(&host, "/ai/interview/report", &report_body("never-started")).await;
    let (name, data) = events.last().expect("events");
    assert_eq!(name, "error", "{events:?}");
    assert_eq!(data["error_code"], 4043, "{events:?}");
}

#[tokio::test]
async fn seed_interview_report_of_a_session_without_answers_is_no_qa_found() {
    let host = start().await;
    ask(&host, "s-empty").await;
    let reply = host
        .send(
            host.client()
                .post(host.url("/ai/interview/report"))
                .header("accept", "application/json")
                .json(&report_body("s-empty")),
        )
        .await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "no_qa_found", 4009);
}

fn chat_body(message: &str) -> Value {
    json!({ "room_id": "room_001", "user_id": "user_456", "message": message, "reference_date": "2026-01-05" })
}

#[tokio::test]
async fn seed_chat_turns_a_schedule_question_into_get_schedule_and_answers_its_result() {
    let host = start().await;
    let body = completed(&stream(&host, "/ai/chat", &chat_body("다음 주 면접 언제야?")).await);
    assert_eq!(body["message"], "tool_required", "{body}");
    assert_eq!(body["data"]["response"], Value::Null, "{body}");
    let tool = &body["data"]["tool_used"];
    assert_eq!(tool["tool"], "get_schedule", "{body}");
    // 2026-01-05 is a Monday: next week is the 12th to the 18th.
    assert_eq!(tool["params"], json!({ "start_date": "2026-01-12", "end_date": "2026-01-18" }), "{body}");

    let result = json!({ "room_id": "room_001", "user_id": "user_456", "reference_date": "2026-01-05",
        "tool_result": { "tool": "get_schedule", "success": true,
            "data": [{ "title": "카카오 1차 면접", "date": "2026-01-14", "time": "14:00" }] } });
    let answer = completed(&stream(&host, "/ai/chat", &result).await);
    assert_eq!(answer["message"], "chat_response", "{answer}");
    assert_eq!(answer["data"]["tool_used"], Value::Null, "{answer}");
    let text = answer["data"]["response"].as_str().expect("a response");
    assert!(text.contains("카카오 1차 면접") && text.contains("14:00"), "{answer}");
}

#[tokio::test]
async fn seed_chat_without_a_model_answers_other_messages_ai_service_unavailable() {
    let host = start().await;
    let reply = host
        .send(
            host.client()
                .post(host.url("/ai/chat"))
                .header("accept", "application/json")
                .json(&chat_body("자기소개서 첫 문장을 어떻게 쓰면 좋을까요?")),
        )
        .await;
    assert_seed_error(&reply, StatusCode::SERVICE_UNAVAILABLE, "ai_service_unavailable", 5031);
}

#[tokio::test]
async fn seed_chat_without_message_or_tool_result_is_missing_required_field() {
    let host = start().await;
    let body = json!({ "room_id": "room_001", "user_id": "user_456" });
    assert_seed_error(
        &host.post_json("/ai/chat", &body).await,
        StatusCode::BAD_REQUEST,
        "missing_required_field",
        4003,
    );
}

#[tokio::test]
async fn seed_chat_with_a_model_streams_its_tokens_and_answers_with_them() {
    let answer = r#"{"tool": null, "params": {}, "response": "첫 문장에는 지원 동기를 구체적으로 쓰세요."}"#;
    let (double, url) = Double::start(vec![Reply::Stream {
        pieces: vec![&answer[..20], &answer[20..]],
        pause: Duration::from_millis(50),
    }])
    .await;
    let llm = format!("default=openai:test-model@{url}");
    let host = Host::start(&career_manifest(), &["--llm", &llm]).await;
    let events = stream(&host, "/ai/chat", &chat_body("자기소개서 첫 문장을 어떻게 쓰면 좋을까요?")).await;
    assert!(events.iter().any(|(e, _)| e == "token"), "token events: {events:?}");
    let body = completed(&events);
    assert_eq!(body["message"], "chat_response", "{body}");
    assert_eq!(body["data"]["response"], "첫 문장에는 지원 동기를 구체적으로 쓰세요.", "{body}");
    assert_eq!(body["data"]["method"], "llm", "{body}");
    assert!(!double.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn seed_fields_with_a_nul_character_are_missing_required_field_not_a_server_error() {
    let host = start().await;
    let body = json!({ "type": "resume", "id": "r1", "user_id": "user\u{0}456", "text": RESUME });
    let reply = host.post_json("/ai/file/embed", &body).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "missing_required_field", 4003);
    assert!(reply.2["reason"].as_str().unwrap().contains("user_id"), "{}", reply.2);
}

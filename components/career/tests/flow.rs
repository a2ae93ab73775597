//! The career flows natively, against a fake host that lends a key-value
//! store (the SDK's `Memory`), maybe a model (canned JSON answers standing in
//! for one, to test the model path's plumbing), maybe embeddings, and a
//! vector index that records its calls.

use std::collections::{BTreeMap, VecDeque};

use capsule_sdk::keyvalue::Memory;
use capsule_sdk::language::{ChatRequest, Completion, EmbedRole, Embedded, Hit, Point, codes};
use capsule_sdk::{Embeddings, Failure, JobContext, KeyValue, Llm, Vectors};
use career::types::Output;
use career::{Career, Input, codes as career_codes, handle};
use chrono::NaiveDate;
use serde_json::{Value, json};

#[derive(Default)]
struct FakeHost {
    kv: Memory,
    /// Canned model answers, in order; `None`: no model.
    model: Option<VecDeque<String>>,
    requests: Vec<ChatRequest>,
    embeddings: bool,
    /// Vector calls in order: `delete_where <collection> <filter>`, `upsert <collection> <ids>`, `search <collection>`.
    vector_calls: Vec<String>,
    upserted: Vec<Point>,
    /// What a search of each collection finds.
    hits: BTreeMap<String, Vec<Hit>>,
    progress: Vec<(u8, String)>,
}

impl FakeHost {
    fn with_model(answers: &[Value]) -> Self {
        FakeHost { model: Some(answers.iter().map(|a| a.to_string()).collect()), ..FakeHost::default() }
    }
}

impl KeyValue for FakeHost {
    fn kv_get(&mut self, store: &str, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        self.kv.kv_get(store, key)
    }
    fn kv_set(&mut self, store: &str, key: &str, value: &[u8]) -> Result<(), Failure> {
        self.kv.kv_set(store, key, value)
    }
    fn kv_delete(&mut self, store: &str, key: &str) -> Result<(), Failure> {
        self.kv.kv_delete(store, key)
    }
    fn kv_exists(&mut self, store: &str, key: &str) -> Result<bool, Failure> {
        self.kv.kv_exists(store, key)
    }
    fn kv_keys(&mut self, store: &str, prefix: &str) -> Result<Vec<String>, Failure> {
        self.kv.kv_keys(store, prefix)
    }
}

impl Llm for FakeHost {
    fn llm_available(&mut self, model: &str) -> bool {
        self.model.is_some() && model == "default"
    }
    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.requests.push(request.clone());
        let text = self
            .model
            .as_mut()
            .and_then(VecDeque::pop_front)
            .ok_or_else(|| Failure::new(codes::LLM_UPSTREAM_FAILED, "the fake model has no more answers"))?;
        Ok(Completion { text, truncated: false, model: "fake-model".into(), prompt_tokens: 10, completion_tokens: 10 })
    }
}

/// One-hot vectors by a hash of the text: equal texts are identical, different ones orthogonal.
fn one_hot(text: &str) -> Vec<f32> {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    let mut v = vec![0.0; 512];
    v[(h % 512) as usize] = 1.0;
    v
}

impl Embeddings for FakeHost {
    fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
        if !self.embeddings {
            return Err(Failure::new(codes::EMBEDDINGS_UNAVAILABLE, "no embeddings here"));
        }
        let _ = role;
        Ok(Embedded { vectors: texts.iter().map(|t| one_hot(t)).collect(), model: "fake-e5".into(), dimension: 512 })
    }
}

impl Vectors for FakeHost {
    fn upsert(&mut self, collection: &str, points: &[Point]) -> Result<(), Failure> {
        let ids: Vec<&str> = points.iter().map(|p| p.id.as_str()).collect();
        self.vector_calls.push(format!("upsert {collection} {}", ids.join(",")));
        self.upserted.extend_from_slice(points);
        Ok(())
    }
    fn delete_where(&mut self, collection: &str, filter: &Value) -> Result<u32, Failure> {
        self.vector_calls.push(format!("delete_where {collection} {filter}"));
        Ok(3)
    }
    fn search(&mut self, collection: &str, _vector: &[f32], top_k: u32, filter: &Value) -> Result<Vec<Hit>, Failure> {
        self.vector_calls.push(format!("search {collection} {filter}"));
        Ok(self.hits.get(collection).cloned().unwrap_or_default().into_iter().take(top_k as usize).collect())
    }
}

impl JobContext for FakeHost {
    fn progress(&mut self, percent: u8, step: &str, _message: &str) {
        self.progress.push((percent, step.to_string()));
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()
}

fn run(host: &mut FakeHost, input: Value) -> Result<Value, Failure> {
    let input: Input = serde_json::from_value(input).expect("the input fits the schema's types");
    handle(input, host, today()).map(|o: Output| serde_json::to_value(o).unwrap())
}

fn code(result: Result<Value, Failure>) -> String {
    result.expect_err("a failure").code
}

const RESUME: &str = "프론트엔드 개발자 (경력 3년)\n[쇼핑몰 리뉴얼]\n- 리액트와 타입스크립트로 결제 시스템 연동 프로젝트 개발\n- 페이지 로딩 시간 40% 단축\n기술: React, TypeScript, Redux, Jest";
const POSTING: &str = "[카카오] 프론트엔드 개발자 채용\n서류 마감: 2026년 1월 15일\n■ 자격요건\n- React, TypeScript 실무 경험 3년 이상\n- Next.js 사용 경험\n■ 우대사항\n- GraphQL, AWS 경험";

fn question(host: &mut FakeHost, session: &str) -> Result<Value, Failure> {
    run(
        host,
        json!({"op": "interview_question", "room_id": "room_001", "session_id": session, "interview_type": "technical",
               "resume_text": RESUME, "posting_text": POSTING}),
    )
}

fn save(host: &mut FakeHost, session: &str, q: &Value, answer: &str) -> Result<Value, Failure> {
    run(
        host,
        json!({"op": "interview_save", "room_id": "room_001", "session_id": session, "question_id": q["question_id"],
               "question": q["question"], "answer": answer, "is_followup": q["is_followup"], "question_number": q["question_number"]}),
    )
}

fn report(host: &mut FakeHost, session: &str) -> Result<Value, Failure> {
    run(
        host,
        json!({"op": "interview_report", "room_id": "room_001", "session_id": session, "interview_type": "technical",
               "resume_text": RESUME, "posting_text": POSTING, "ended_by": "manual"}),
    )
}

#[test]
fn examples_pass_the_hosts_self_test() {
    capsule_sdk::testing::check_examples::<Career>();
}

#[test]
fn the_sixth_question_fails_max_questions_reached() {
    let mut host = FakeHost::default();
    let mut seen = Vec::new();
    for n in 1..=5 {
        let q = question(&mut host, "s1").expect("a question");
        assert_eq!(q["question_number"], n);
        assert_eq!(q["question_id"], format!("q_{n:03}"));
        assert_eq!(q["is_followup"], false, "nothing was answered");
        assert_eq!(q["method"], "rules");
        assert!(!seen.contains(&q["question"]), "asked twice: {}", q["question"]);
        seen.push(q["question"].clone());
    }
    assert_eq!(code(question(&mut host, "s1")), career_codes::MAX_QUESTIONS_REACHED);
}

#[test]
fn a_question_after_a_saved_answer_is_a_follow_up_on_it() {
    let mut host = FakeHost::default();
    let first = question(&mut host, "s2").unwrap();
    assert_eq!(first["is_followup"], false);
    save(&mut host, "s2", &first, "Redis 캐시를 도입해서 API 응답 시간을 40% 단축했습니다.").unwrap();
    let second = question(&mut host, "s2").unwrap();
    assert_eq!(second["is_followup"], true);
    assert_eq!(second["question_number"], 2);
    assert_eq!(second["question_id"], "q_002");
    let text = second["question"].as_str().unwrap();
    assert!(text.contains("40% 단축"), "the follow-up asks about the answer: {text}");
    // The follow-up was not answered: the next one is a new question, not another follow-up.
    let third = question(&mut host, "s2").unwrap();
    assert_eq!(third["is_followup"], false);
}

#[test]
fn saving_the_same_question_id_replaces_the_answer() {
    let mut host = FakeHost::default();
    let q = question(&mut host, "s3").unwrap();
    let first = save(&mut host, "s3", &q, "처음 답변").unwrap();
    assert_eq!(
        first,
        json!({"success": true, "qa_id": "qa_001", "session_id": "s3", "saved_count": 1, "max_questions": 5})
    );
    let again = save(&mut host, "s3", &q, "고친 답변입니다").unwrap();
    assert_eq!(again["qa_id"], "qa_001");
    assert_eq!(again["saved_count"], 1);
    let r = report(&mut host, "s3").unwrap();
    assert_eq!(r["evaluations"].as_array().unwrap().len(), 1);
    assert_eq!(r["evaluations"][0]["answer"], "고친 답변입니다");
}

#[test]
fn saving_creates_the_session_and_counts_its_question_as_asked() {
    let mut host = FakeHost::default();
    let outside = json!({"question_id": "q_001", "question": "React의 Virtual DOM이 뭔가요?", "is_followup": false, "question_number": 1});
    let saved = save(&mut host, "s4", &outside, "실제 DOM과 비교해서 변경된 부분만 업데이트하는 거예요").unwrap();
    assert_eq!(saved["saved_count"], 1);
    let next = question(&mut host, "s4").unwrap();
    assert_eq!((next["question_number"].clone(), next["is_followup"].clone()), (json!(2), json!(true)));
    assert_eq!(next["question_id"], "q_002");
}

#[test]
fn a_report_without_a_session_is_session_not_found() {
    assert_eq!(code(report(&mut FakeHost::default(), "nobody")), career_codes::SESSION_NOT_FOUND);
}

#[test]
fn a_report_of_a_session_without_answers_is_no_qa_found() {
    let mut host = FakeHost::default();
    question(&mut host, "s5").unwrap();
    assert_eq!(code(report(&mut host, "s5")), career_codes::NO_QA_FOUND);
}

#[test]
fn a_report_without_a_model_scores_by_the_rubric() {
    let mut host = FakeHost::default();
    let q1 = question(&mut host, "s6").unwrap();
    save(&mut host, "s6", &q1, "당시 주문 조회 API가 2초 이상 걸리는 문제가 있었습니다. 제가 직접 React Query 캐싱을 도입했고, 그 결과 응답 시간이 40% 줄었습니다.").unwrap();
    let q2 = question(&mut host, "s6").unwrap();
    save(&mut host, "s6", &q2, "잘 모르겠습니다").unwrap();
    let r = report(&mut host, "s6").unwrap();
    assert_eq!(r["method"], "rules");
    let scores: Vec<u64> = r["evaluations"].as_array().unwrap().iter().map(|e| e["score"].as_u64().unwrap()).collect();
    assert!(scores[0] > scores[1], "{scores:?}");
    assert_eq!(r["report"]["total_score"], ((scores[0] + scores[1]) as f64 / 2.0).round() as u64);
    assert_eq!(r["evaluations"][0]["qa_id"], "qa_001");
    assert!(!r["report"]["learning_guide"].as_array().unwrap().is_empty());
    assert!(host.progress.iter().any(|(_, s)| s == "evaluating_answer"));
}

#[test]
fn an_unknown_interview_type_is_refused() {
    let mut host = FakeHost::default();
    let r = run(
        &mut host,
        json!({"op": "interview_question", "room_id": "r", "session_id": "s", "interview_type": "casual", "resume_text": "", "posting_text": ""}),
    );
    assert_eq!(code(r), career_codes::INVALID_INTERVIEW_TYPE);
}

fn chat(host: &mut FakeHost, body: Value) -> Result<Value, Failure> {
    let mut body = body;
    body["op"] = json!("chat");
    body["room_id"] = json!("room_001");
    body["user_id"] = json!("user_456");
    body["reference_date"] = json!("2026-01-06");
    run(host, body)
}

#[test]
fn a_schedule_question_round_trips_through_get_schedule() {
    let mut host = FakeHost::default();
    let asked = chat(&mut host, json!({"message": "다음 주 면접 언제야?"})).unwrap();
    assert_eq!(asked["response"], Value::Null);
    assert_eq!(
        asked["tool_used"],
        json!({"tool": "get_schedule", "params": {"start_date": "2026-01-12", "end_date": "2026-01-18"}})
    );
    assert_eq!(asked["method"], "rules");
    let data = json!([
        {"title": "네이버 코딩테스트", "date": "2026-01-13", "time": "10:00"},
        {"title": "카카오 1차 면접", "date": "2026-01-14", "time": "14:00"}
    ]);
    let answered =
        chat(&mut host, json!({"tool_result": {"tool": "get_schedule", "success": true, "data": data}})).unwrap();
    assert_eq!(answered["tool_used"], Value::Null);
    let response = answered["response"].as_str().unwrap();
    assert!(
        response.starts_with("다음 주(1월 12일~1월 18일) 면접 일정은 1건입니다:\n- 1월 14일(수) 14:00 카카오 1차 면접"),
        "the answer speaks to the original question: {response}"
    );
    assert!(response.contains("네이버 코딩테스트"), "the other events are listed after: {response}");
    // The pending call was answered: a second result has no question to speak to.
    let again = chat(&mut host, json!({"tool_result": {"tool": "get_schedule", "success": true, "data": []}})).unwrap();
    assert_eq!(again["response"], "요청하신 기간에는 등록된 일정이 없습니다.");
}

#[test]
fn a_non_schedule_message_without_a_model_is_llm_not_configured() {
    let mut host = FakeHost::default();
    assert_eq!(code(chat(&mut host, json!({"message": "이력서 작성 팁 알려줘"}))), codes::LLM_NOT_CONFIGURED);
}

#[test]
fn a_chat_without_message_or_tool_result_is_missing_message() {
    let mut host = FakeHost::default();
    assert_eq!(code(chat(&mut host, json!({"message": "  "}))), career_codes::MISSING_MESSAGE);
    assert_eq!(code(chat(&mut host, json!({}))), career_codes::MISSING_MESSAGE);
}

#[test]
fn a_result_of_another_tool_is_refused() {
    let mut host = FakeHost::default();
    let r = chat(&mut host, json!({"tool_result": {"tool": "send_email", "success": true, "data": {}}}));
    assert_eq!(code(r), career_codes::UNKNOWN_TOOL);
}

#[test]
fn with_a_model_chat_cites_sources_and_answers() {
    let mut host =
        FakeHost::with_model(&[json!({"tool": null, "params": null, "response": "결제 시스템 경험을 강조하세요."})]);
    host.embeddings = true;
    host.hits.insert(
        "resumes".into(),
        vec![Hit {
            id: "vec_1_0".into(),
            score: 0.9,
            metadata: json!({"document_id": "resume_123"}),
            text: "결제 시스템 연동 프로젝트".into(),
        }],
    );
    let r = chat(
        &mut host,
        json!({"message": "이력서에서 뭘 강조하면 좋을까?", "history": [{"role": "user", "content": "안녕"}]}),
    )
    .unwrap();
    assert_eq!(r["response"], "결제 시스템 경험을 강조하세요.");
    assert_eq!(r["method"], "llm");
    assert_eq!(
        r["sources"],
        json!([{"collection": "resumes", "document_id": "resume_123", "text": "결제 시스템 연동 프로젝트"}])
    );
    assert!(host.vector_calls.iter().all(|c| !c.starts_with("search") || c.ends_with(r#"{"user_id":"user_456"}"#)));
    assert_eq!(host.vector_calls.iter().filter(|c| c.starts_with("search")).count(), 3, "{:?}", host.vector_calls);
    let [request] = host.requests.as_slice() else { panic!("one call") };
    assert!(request.stream && request.json_schema.is_some());
    assert!(
        request.messages.iter().any(|m| m.content.contains("결제 시스템 연동 프로젝트")),
        "the passage is in the prompt"
    );
}

#[test]
fn with_a_model_the_rule_router_wins_on_schedule_questions() {
    // The model answers a schedule question itself: the router still asks the backend.
    let mut host =
        FakeHost::with_model(&[json!({"tool": null, "params": null, "response": "다음 주에는 면접이 없어요."})]);
    let r = chat(&mut host, json!({"message": "다음 주 면접 언제야?"})).unwrap();
    assert_eq!(r["tool_used"]["params"], json!({"start_date": "2026-01-12", "end_date": "2026-01-18"}));
    assert_eq!(r["response"], Value::Null);
    // The model's wrong week loses to the router's when the message names the time.
    let mut host = FakeHost::with_model(&[
        json!({"tool": "get_schedule", "params": {"start_date": "2026-01-13", "end_date": "2026-01-19"}, "response": null}),
    ]);
    let r = chat(&mut host, json!({"message": "다음 주 일정 알려줘"})).unwrap();
    assert_eq!(r["tool_used"]["params"], json!({"start_date": "2026-01-12", "end_date": "2026-01-18"}));
    // Without a time in the message, the model's valid dates are used.
    let mut host = FakeHost::with_model(&[
        json!({"tool": "get_schedule", "params": {"start_date": "2026-01-20", "end_date": "2026-01-31"}, "response": null}),
    ]);
    let r = chat(&mut host, json!({"message": "카카오 최종 발표 언제 나와?"})).unwrap();
    assert_eq!(r["tool_used"]["params"], json!({"start_date": "2026-01-20", "end_date": "2026-01-31"}));
}

#[test]
fn embedding_replaces_the_documents_old_vectors() {
    let mut host = FakeHost { embeddings: true, ..FakeHost::default() };
    let text = "이 문장은 청크 경계를 시험하기 위한 문장입니다. ".repeat(40);
    let r = run(
        &mut host,
        json!({"op": "embed", "type": "resume", "id": "resume_123", "user_id": "user_456", "text": text}),
    )
    .unwrap();
    let vector_id = r["vector_id"].as_str().unwrap().to_string();
    assert_eq!(r["success"], true);
    assert_eq!(r["collection"], "resumes");
    assert_eq!(r["type"], "resume");
    assert_eq!(r["id"], "resume_123");
    assert_eq!(r["model"], "fake-e5");
    assert!(vector_id.starts_with("vec_"));
    let chunks = r["chunks"].as_u64().unwrap() as usize;
    assert!(chunks > 1);
    assert_eq!(host.vector_calls[0], r#"delete_where resumes {"document_id":"resume_123","user_id":"user_456"}"#);
    let ids: Vec<String> = (0..chunks).map(|n| format!("{vector_id}_{n}")).collect();
    assert_eq!(host.vector_calls[1], format!("upsert resumes {}", ids.join(",")));
    assert_eq!(host.upserted[0].metadata["user_id"], "user_456");
    assert_eq!(host.upserted[0].metadata["document_id"], "resume_123");
    assert_eq!(host.upserted[0].metadata["document_type"], "resume");
    // The same document again: the old vectors go first, the ids are the same.
    run(
        &mut host,
        json!({"op": "embed", "type": "resume", "id": "resume_123", "user_id": "user_456", "text": "짧은 새 이력서"}),
    )
    .unwrap();
    assert!(host.vector_calls[2].starts_with("delete_where resumes"));
    assert_eq!(host.vector_calls[3], format!("upsert resumes {vector_id}_0"));
}

#[test]
fn embed_refuses_unknown_types_and_empty_text_and_reports_engine_failures() {
    let mut host = FakeHost { embeddings: true, ..FakeHost::default() };
    let bad_type =
        run(&mut host, json!({"op": "embed", "type": "cover_letter", "id": "x", "user_id": "u", "text": "t"}));
    assert_eq!(code(bad_type), career_codes::INVALID_DOCUMENT_TYPE);
    let empty = run(&mut host, json!({"op": "embed", "type": "portfolio", "id": "x", "user_id": "u", "text": " \n "}));
    assert_eq!(code(empty), career_codes::EMPTY_TEXT);
    let no_engine = run(
        &mut FakeHost::default(),
        json!({"op": "embed", "type": "job_posting", "id": "x", "user_id": "u", "text": "공고"}),
    );
    assert_eq!(code(no_engine), career_codes::EMBEDDING_FAILED);
    assert!(host.vector_calls.is_empty(), "nothing was deleted for refused input");
}

fn analyze(host: &mut FakeHost, resume: &str, posting: &str) -> Result<Value, Failure> {
    run(
        host,
        json!({"op": "analyze", "resume_id": "resume_123", "posting_id": "posting_789", "resume_text": resume,
               "posting_text": posting, "reference_date": "2026-01-05"}),
    )
}

#[test]
fn analyze_without_a_model_is_rules_with_the_expected_skills() {
    let mut host = FakeHost::default();
    // `Jotai` is not in the dictionary: a near synonym would be looked for, if embeddings were lent.
    let resume = format!("{RESUME}\nJotai 상태 관리");
    let r = analyze(&mut host, &resume, POSTING).unwrap();
    assert_eq!(r["method"], "rules");
    assert_eq!(
        r["posting_analysis"],
        json!({"company": "카카오", "position": "프론트엔드 개발자", "required_skills": ["React", "TypeScript", "Next.js"],
               "preferred_skills": ["GraphQL", "AWS"], "deadline": "2026-01-15"})
    );
    assert_eq!(r["matching"]["matched_skills"], json!(["React", "TypeScript"]));
    assert_eq!(r["matching"]["missing_skills"], json!(["Next.js", "GraphQL", "AWS"]));
    assert_eq!(r["matching"]["score"], 47);
    assert_eq!(r["matching"]["grade"], "C");
    assert_eq!(r["matching"]["matched_via"][0]["via"], "dictionary");
    assert!(r["warnings"][0].as_str().unwrap().contains("dictionary only"), "{}", r["warnings"]);
    let strengths = r["resume_analysis"]["strengths"].as_array().unwrap();
    assert!(strengths.iter().any(|s| s.as_str().unwrap().contains("40% 단축")), "{strengths:?}");
    let steps: Vec<&str> = host.progress.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(steps, ["parsing_posting", "matching_skills", "writing_analysis", "done"]);
}

#[test]
fn analyze_with_embeddings_has_no_warning_and_refuses_blank_texts() {
    let mut host = FakeHost { embeddings: true, ..FakeHost::default() };
    let r = analyze(&mut host, RESUME, POSTING).unwrap();
    assert_eq!(r["warnings"], json!([]));
    assert_eq!(code(analyze(&mut host, " ", POSTING)), career_codes::MISSING_RESUME_TEXT);
    assert_eq!(code(analyze(&mut host, RESUME, "")), career_codes::MISSING_POSTING_TEXT);
}

#[test]
fn analyze_with_a_model_streams_one_schema_call_and_keeps_the_computed_skills() {
    let answer = json!({"strengths": ["React 3년"], "weaknesses": ["Next.js 없음"], "suggestions": ["Next.js 학습"], "recommendations": ["성과 수치화"]});
    let mut host = FakeHost::with_model(&[answer]);
    let r = analyze(&mut host, RESUME, POSTING).unwrap();
    assert_eq!(r["method"], "llm");
    assert_eq!(r["resume_analysis"]["strengths"], json!(["React 3년"]));
    assert_eq!(r["matching"]["recommendations"], json!(["성과 수치화"]));
    assert_eq!(r["matching"]["score"], 47, "the score is career-core's, not the model's");
    let [request] = host.requests.as_slice() else { panic!("one call") };
    assert!(request.stream);
    assert_eq!(request.model, "default");
    assert_eq!(
        request.json_schema.as_ref().unwrap()["required"],
        json!(["strengths", "weaknesses", "suggestions", "recommendations"])
    );
}

#[test]
fn an_unusable_model_answer_falls_back_to_the_rules_with_a_warning() {
    let mut host = FakeHost::with_model(&[json!("not the object asked for")]);
    let r = analyze(&mut host, RESUME, POSTING).unwrap();
    assert_eq!(r["method"], "rules");
    assert!(r["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains(codes::LLM_OUTPUT_INVALID)));
}

#[test]
fn a_report_with_a_model_asks_once_per_answer_and_once_for_the_summary() {
    let mut host = FakeHost::default();
    let q1 = question(&mut host, "s7").unwrap();
    save(&mut host, "s7", &q1, "첫 답변").unwrap();
    let q2 = question(&mut host, "s7").unwrap();
    save(&mut host, "s7", &q2, "두 번째 답변").unwrap();
    host.model = Some(
        [
            json!({"score": 80, "good_points": ["개념 이해"], "improvements": ["사례 추가"]}),
            json!({"score": 75, "good_points": ["구체적"], "improvements": ["수치 추가"]}),
            json!({"strength_patterns": ["이해도 높음"], "weakness_patterns": ["심화 부족"], "learning_guide": ["React 심화"]}),
        ]
        .iter()
        .map(|v| v.to_string())
        .collect(),
    );
    let r = report(&mut host, "s7").unwrap();
    assert_eq!(r["method"], "llm");
    assert_eq!(host.requests.len(), 3);
    assert!(host.requests.iter().all(|q| q.stream && q.json_schema.is_some()));
    assert_eq!(r["report"]["total_score"], 78);
    assert_eq!(r["report"]["grade"], "B+");
    assert_eq!(r["evaluations"][1]["improvements"], json!(["수치 추가"]));
}

#[test]
fn interview_questions_use_the_model_and_retrieved_passages() {
    let mut host =
        FakeHost::with_model(&[json!({"question": "결제 시스템 연동에서 가장 어려웠던 점은 무엇이었나요?"})]);
    host.embeddings = true;
    host.hits.insert(
        "portfolios".into(),
        vec![Hit {
            id: "p_0".into(),
            score: 0.8,
            metadata: json!({"document_id": "pf_1"}),
            text: "[결제 시스템 연동] PG사 API 연동".into(),
        }],
    );
    let r = run(
        &mut host,
        json!({"op": "interview_question", "room_id": "r", "session_id": "s8", "interview_type": "technical",
               "resume_text": RESUME, "posting_text": POSTING, "user_id": "user_456"}),
    )
    .unwrap();
    assert_eq!(r["method"], "llm");
    assert_eq!(r["question"], "결제 시스템 연동에서 가장 어려웠던 점은 무엇이었나요?");
    assert!(
        host.vector_calls.iter().any(|c| c == r#"search portfolios {"user_id":"user_456"}"#),
        "{:?}",
        host.vector_calls
    );
    assert!(host.requests[0].messages.iter().any(|m| m.content.contains("PG사 API 연동")));
}

#[test]
fn a_failing_model_still_routes_schedule_questions_and_fails_other_messages() {
    // A model that is configured but fails every call.
    let mut host = FakeHost::with_model(&[]);
    let r = chat(&mut host, json!({"message": "이번 주 일정 알려줘"})).unwrap();
    assert_eq!(r["tool_used"]["params"], json!({"start_date": "2026-01-05", "end_date": "2026-01-11"}));
    assert!(r["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains(codes::LLM_UPSTREAM_FAILED)));
    assert_eq!(code(chat(&mut host, json!({"message": "자기소개서 첨삭해줘"}))), codes::LLM_UPSTREAM_FAILED);
}

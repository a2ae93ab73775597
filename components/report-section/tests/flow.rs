//! The job's flow against a fake host lending a model (or none), an
//! embeddings engine and a vector index, recording what it was asked.
//!
//! The descriptor has no examples to check: every run needs a model, an
//! embeddings engine and an embedded report, which a self-test cannot count on.

use capsule_sdk::language::{ChatRequest, Completion, EmbedRole, Embedded, Hit, Role, codes};
use capsule_sdk::{Embeddings, Failure, JobContext, Llm, Vectors};
use report_section::{COLLECTION, INVALID_REQUEST, Input, Method, REPORT_NOT_EMBEDDED, Section, TOP_K, write_section};
use serde_json::{Value, json};

const SECTION_TEXT: &str = "본 사업은 1인 가구 직장인을 위한 AI 식단 관리 서비스를 개발하는 것을 목표로 함.";

struct FakeHost {
    model_available: bool,
    /// What `chat` answers.
    answer: Result<String, Failure>,
    /// What `search` answers (before `top_k`).
    hits: Vec<Hit>,
    chats: Vec<ChatRequest>,
    embeds: Vec<(Vec<String>, EmbedRole)>,
    searches: Vec<(String, u32, Value)>,
    progress: Vec<String>,
}

impl FakeHost {
    fn new() -> Self {
        FakeHost {
            model_available: true,
            answer: Ok(json!({"content": SECTION_TEXT}).to_string()),
            hits: vec![
                hit("c2", 0.81, 3, "table", "구분 | 1차년도 | 2차년도\n매출 | 5억 | 12억"),
                hit("c1", 0.92, 1, "text", "당사는 스마트팩토리 솔루션을 개발하는 강소기업임."),
                hit("c3", 0.77, 7, "image", "사업화 추진 일정도"),
            ],
            chats: Vec::new(),
            embeds: Vec::new(),
            searches: Vec::new(),
            progress: Vec::new(),
        }
    }
}

fn hit(id: &str, score: f32, page: u32, kind: &str, text: &str) -> Hit {
    Hit {
        id: id.into(),
        score,
        metadata: json!({
            "report_id": "ref-1", "file_name": "강소기업1.pdf", "embed_id": "e-1",
            "title": "강소기업1", "kind": kind, "page": page, "category_number": 1
        }),
        text: text.into(),
    }
}

impl Llm for FakeHost {
    fn llm_available(&mut self, model: &str) -> bool {
        self.model_available && model == "default"
    }

    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.chats.push(request.clone());
        let text = self.answer.clone()?;
        Ok(Completion {
            text,
            truncated: false,
            model: "fake-model".into(),
            prompt_tokens: 900,
            completion_tokens: 400,
        })
    }
}

impl Embeddings for FakeHost {
    fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
        self.embeds.push((texts.iter().map(|t| t.to_string()).collect(), role));
        Ok(Embedded { vectors: texts.iter().map(|_| vec![0.6, 0.8]).collect(), model: "fake-e5".into(), dimension: 2 })
    }
}

impl Vectors for FakeHost {
    fn search(&mut self, collection: &str, _vector: &[f32], top_k: u32, filter: &Value) -> Result<Vec<Hit>, Failure> {
        self.searches.push((collection.to_string(), top_k, filter.clone()));
        Ok(self.hits.clone())
    }
}

impl JobContext for FakeHost {
    fn progress(&mut self, _percent: u8, step: &str, _message: &str) {
        self.progress.push(step.to_string());
    }
}

fn input() -> Input {
    Input {
        section: Section {
            index: 2,
            title: "2. 실현 가능성 (Solution)".into(),
            guidance: "개발 방안, 차별성, 사업화 일정을 구체적으로 서술".into(),
        },
        business_idea: "AI 기반 헬스케어 솔루션".into(),
        core_value: "개인 맞춤형 건강 관리".into(),
        file_name: "강소기업1.pdf".into(),
        report_id: "550e8400-e29b-41d4-a716-446655440000".into(),
    }
}

#[test]
fn an_unconfigured_model_fails_llm_not_configured_before_any_retrieval() {
    let mut host = FakeHost { model_available: false, ..FakeHost::new() };
    let failure = write_section(&input(), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_NOT_CONFIGURED, false));
    assert!(failure.message.contains("configure a model for `default`"), "{failure}");
    assert!(host.searches.is_empty() && host.embeds.is_empty() && host.chats.is_empty());
}

#[test]
fn the_query_is_embedded_as_a_query_and_the_search_is_filtered_by_file_name() {
    let mut host = FakeHost::new();
    write_section(&input(), &mut host).expect("written");
    assert_eq!(
        host.embeds,
        vec![(
            vec!["2. 실현 가능성 (Solution): AI 기반 헬스케어 솔루션 — 개인 맞춤형 건강 관리".to_string()],
            EmbedRole::Query
        )]
    );
    assert_eq!(host.searches, vec![(COLLECTION.to_string(), TOP_K, json!({"file_name": "강소기업1.pdf"}))]);
    assert_eq!((COLLECTION, TOP_K), ("reports", 6));
}

#[test]
fn the_prompt_contains_the_excerpts_labelled_and_the_section_title_and_guidance() {
    let mut host = FakeHost::new();
    write_section(&input(), &mut host).expect("written");
    let [request] = host.chats.as_slice() else { panic!("one chat call, got {}", host.chats.len()) };
    assert_eq!(request.model, "default");
    assert!(request.stream);
    let schema = request.json_schema.as_ref().expect("a JSON-Schema-constrained answer");
    assert_eq!(schema["required"], json!(["content"]));
    assert_eq!(schema["properties"]["content"]["type"], "string");

    let system = &request.messages[0];
    assert_eq!(system.role, Role::System);
    assert!(system.content.contains("사업계획서") && system.content.contains("옮기지 마십시오"), "{}", system.content);
    let user = &request.messages[1];
    assert_eq!(user.role, Role::User);
    for expected in [
        "2. 실현 가능성 (Solution)",
        "개발 방안, 차별성, 사업화 일정을 구체적으로 서술",
        "AI 기반 헬스케어 솔루션",
        "개인 맞춤형 건강 관리",
        "[발췌 1 · 1쪽 · 본문 (text)]\n당사는 스마트팩토리 솔루션을 개발하는 강소기업임.",
        "[발췌 2 · 3쪽 · 표 (table)]\n구분 | 1차년도 | 2차년도",
        "[발췌 3 · 7쪽 · 이미지 속 글 (image)]\n사업화 추진 일정도",
        "400~1500자",
    ] {
        assert!(user.content.contains(expected), "missing `{expected}` in:\n{}", user.content);
    }
}

#[test]
fn no_chunks_fail_report_not_embedded() {
    let mut host = FakeHost { hits: Vec::new(), ..FakeHost::new() };
    let failure = write_section(&input(), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (REPORT_NOT_EMBEDDED, false));
    assert_eq!(
        failure.message,
        "the reference report `강소기업1.pdf` has no embedded chunks; run POST /api/reports/embed first"
    );
    assert!(host.chats.is_empty());
}

#[test]
fn the_model_content_is_returned_with_references_in_rank_order() {
    let mut host = FakeHost::new();
    let output = write_section(&input(), &mut host).expect("written");
    assert_eq!(output.content, SECTION_TEXT);
    assert_eq!((output.index, output.title.as_str()), (2, "2. 실현 가능성 (Solution)"));
    assert_eq!((output.model.as_str(), output.method), ("fake-model", Method::Llm));
    assert_eq!(output.report_id, "550e8400-e29b-41d4-a716-446655440000");
    let json = serde_json::to_value(&output).unwrap();
    assert_eq!(
        json["references"],
        json!([
            {"page": 1, "kind": "text", "similarity": 0.92},
            {"page": 3, "kind": "table", "similarity": 0.81},
            {"page": 7, "kind": "image", "similarity": 0.77}
        ])
    );
    assert_eq!(json["method"], "llm");
    assert_eq!(host.progress, ["retrieving", "writing"]);
}

#[test]
fn a_rate_limited_model_fails_retryable() {
    let mut host = FakeHost {
        answer: Err(Failure::retryable(codes::LLM_RATE_LIMITED, "the provider answered 429")),
        ..FakeHost::new()
    };
    let failure = write_section(&input(), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_RATE_LIMITED, true));
}

#[test]
fn an_unavailable_vector_index_fails_with_its_code() {
    struct NoIndex(FakeHost);
    impl Llm for NoIndex {
        fn llm_available(&mut self, model: &str) -> bool {
            self.0.llm_available(model)
        }
    }
    impl Embeddings for NoIndex {
        fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
            self.0.embed(texts, role)
        }
    }
    impl Vectors for NoIndex {}
    impl JobContext for NoIndex {}
    let failure = write_section(&input(), &mut NoIndex(FakeHost::new())).unwrap_err();
    assert_eq!(failure.code, codes::VECTORS_UNAVAILABLE);
}

#[test]
fn an_answer_that_is_not_the_json_asked_for_fails_retryable() {
    let mut host = FakeHost { answer: Ok("섹션 본문입니다.".into()), ..FakeHost::new() };
    let failure = write_section(&input(), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_OUTPUT_INVALID, true));
}

#[test]
fn a_blank_business_idea_is_an_invalid_request() {
    let mut host = FakeHost::new();
    let failure = write_section(&Input { business_idea: " \n".into(), ..input() }, &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_REQUEST, false));
    assert!(failure.message.contains("`business_idea`"), "{failure}");
    assert!(host.searches.is_empty());
}

#[test]
fn a_missing_required_field_does_not_deserialise() {
    let mut json = serde_json::to_value(input()).unwrap();
    json.as_object_mut().unwrap().remove("core_value");
    let failure = capsule_sdk::testing::run::<report_section::ReportSection>(json).unwrap_err();
    assert_eq!(failure.code, "COMMON_INVALID_REQUEST");
}

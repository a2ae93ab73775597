//! The job's flow with a fake host that lends only what the flow uses: a
//! language model (or none) and the job context.

use capsule_sdk::language::{ChatRequest, Completion, codes};
use capsule_sdk::{Config, Failure, Http, JobContext, Llm};
use regeneration::{Classification, INVALID_REQUEST, Input, Method, MethodChoice, Regeneration, regenerate, sentences};

const PLAN: &str = "당사는 반려동물 보호자를 위한 비대면 수의 상담 앱을 운영한다. \
    국내 반려동물 양육 가구는 약 600만 가구로 추정되며 매년 늘고 있다. \
    보호자의 상당수는 야간이나 휴일에 동물병원을 찾기 어려워 증상을 방치하는 경우가 많다. \
    앱은 사진과 문진표를 바탕으로 제휴 수의사가 30분 안에 답변하는 구조이다. \
    상담 기록은 제휴 동물병원과 공유되어 내원 시 진료 시간을 줄여 준다. \
    수익은 월 구독료와 제휴 병원의 예약 수수료에서 발생한다. \
    현재 제휴 수의사는 120명이며 월 상담 건수는 8천 건을 넘었다.";

/// A host that may have a model for `default`; it records what it was asked.
#[derive(Default)]
struct FakeHost {
    model_available: bool,
    answer: String,
    requests: Vec<ChatRequest>,
    progress: Vec<(u8, String)>,
}

impl FakeHost {
    fn with_model(answer: &str) -> Self {
        FakeHost { model_available: true, answer: answer.to_string(), ..FakeHost::default() }
    }
}

impl Llm for FakeHost {
    fn llm_available(&mut self, model: &str) -> bool {
        self.model_available && model == "default"
    }

    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.requests.push(request.clone());
        Ok(Completion {
            text: self.answer.clone(),
            truncated: false,
            model: "fake-model".into(),
            prompt_tokens: 100,
            completion_tokens: 50,
        })
    }
}

impl Config for FakeHost {}
impl Http for FakeHost {}

impl JobContext for FakeHost {
    fn progress(&mut self, percent: u8, step: &str, _message: &str) {
        self.progress.push((percent, step.to_string()));
    }
}

fn rewrite(classification: Classification, contents: &str) -> Input {
    Input { classification, contents: Some(contents.into()), subject: None, method: MethodChoice::Auto }
}

fn search(classification: Classification, subject: &str) -> Input {
    Input { classification, contents: None, subject: Some(subject.into()), method: MethodChoice::Auto }
}

#[test]
fn the_model_path_asks_the_default_alias_and_reports_method_llm() {
    let answer = "당사는 반려동물 보호자를 위한 비대면 수의 상담 앱을 운영하며, 제휴 수의사 120명이 답변한다.";
    let mut host = FakeHost::with_model(answer);
    let output = regenerate(&rewrite(Classification::Detailed, PLAN), &mut host).expect("rewritten");

    assert_eq!(output.method, Method::Llm);
    assert_eq!(output.contents, answer);
    let expected_ratio = sentences::length(answer) as f64 / sentences::length(PLAN) as f64;
    assert!((output.length_ratio.expect("a ratio") - expected_ratio).abs() < 1e-4);
    let [request] = host.requests.as_slice() else { panic!("one chat call, got {}", host.requests.len()) };
    assert_eq!(request.model, "default");
    assert!(request.stream);
    assert_eq!(request.temperature, 0.3);
    assert!(request.max_tokens >= 256, "{}", request.max_tokens);
    assert!(request.messages.iter().any(|m| m.content.contains(PLAN)), "the prompt carries the text");
    assert!(host.progress.iter().any(|(_, step)| step == "rewriting"), "{:?}", host.progress);
}

#[test]
fn without_a_model_concise_is_extractive_and_keeps_sentence_order() {
    let mut host = FakeHost::default();
    let output = regenerate(&rewrite(Classification::Concise, PLAN), &mut host).expect("condensed");

    assert_eq!(output.method, Method::ExtractiveTextrank);
    assert!(host.requests.is_empty());
    let originals: Vec<&str> = sentences::split(PLAN).iter().map(|s| s.text).collect();
    let kept: Vec<&str> = sentences::split(&output.contents).iter().map(|s| s.text).collect();
    assert!(kept.len() < originals.len(), "{kept:?}");
    let positions: Vec<usize> =
        kept.iter().map(|k| originals.iter().position(|o| o == k).expect("an original sentence")).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "out of order: {positions:?}");
    let ratio = output.length_ratio.expect("a ratio");
    assert!((0.75..=0.85).contains(&ratio), "{ratio}");
}

#[test]
fn extraction_asked_for_skips_an_available_model() {
    let mut host = FakeHost::with_model("모델의 답");
    let input = Input { method: MethodChoice::ExtractiveTextrank, ..rewrite(Classification::Concise, PLAN) };
    let output = regenerate(&input, &mut host).expect("condensed");
    assert_eq!(output.method, Method::ExtractiveTextrank);
    assert!(host.requests.is_empty());
}

#[test]
fn detailed_without_a_model_fails_llm_not_configured() {
    let failure = regenerate(&rewrite(Classification::Detailed, PLAN), &mut FakeHost::default()).unwrap_err();
    assert_eq!(failure.code, codes::LLM_NOT_CONFIGURED);
    assert!(!failure.retryable);
    assert!(failure.message.contains("`default`") && failure.message.contains("간결하게"), "{failure}");
}

#[test]
fn polished_without_a_model_fails_llm_not_configured() {
    let failure = regenerate(&rewrite(Classification::Polished, PLAN), &mut FakeHost::default()).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_NOT_CONFIGURED, false));
}

#[test]
fn patents_without_a_service_key_fail_search_not_configured() {
    let failure = regenerate(&search(Classification::Patents, "AI 헬스케어"), &mut FakeHost::default()).unwrap_err();
    assert_eq!(failure.code, "SEARCH_NOT_CONFIGURED");
    assert!(!failure.retryable);
    assert!(failure.message.contains("KIPRIS Plus") && failure.message.contains("patent_search_key"), "{failure}");
}

#[test]
fn news_without_client_credentials_fail_search_not_configured() {
    let failure = regenerate(&search(Classification::News, "AI 헬스케어"), &mut FakeHost::default()).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("SEARCH_NOT_CONFIGURED", false));
    assert!(failure.message.contains("news search API") && failure.message.contains("news_client_id"), "{failure}");
}

#[test]
fn blank_or_missing_contents_is_an_invalid_request() {
    for contents in [Some(" \n\t "), None] {
        let input = Input { contents: contents.map(str::to_string), ..rewrite(Classification::Concise, "") };
        let failure = regenerate(&input, &mut FakeHost::default()).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_REQUEST, false), "{failure}");
        assert!(failure.message.contains("`contents`"), "{failure}");
    }
}

#[test]
fn a_search_without_a_subject_is_an_invalid_request() {
    let input = Input { subject: None, ..search(Classification::News, "") };
    let failure = regenerate(&input, &mut FakeHost::default()).unwrap_err();
    assert_eq!(failure.code, INVALID_REQUEST);
    assert!(failure.message.contains("`subject`"), "{failure}");
}

#[test]
fn condensing_is_deterministic() {
    let first = regenerate(&rewrite(Classification::Concise, PLAN), &mut FakeHost::default()).unwrap();
    let second = regenerate(&rewrite(Classification::Concise, PLAN), &mut FakeHost::default()).unwrap();
    // Everything but the wall-clock time.
    assert_eq!(
        (&first.contents, first.method, first.length_ratio),
        (&second.contents, second.method, second.length_ratio)
    );
}

#[test]
fn the_output_serialises_with_the_seed_field_names() {
    let output = regenerate(&rewrite(Classification::Concise, PLAN), &mut FakeHost::default()).unwrap();
    let json = serde_json::to_value(&output).unwrap();
    assert_eq!(json["result"], "success");
    assert_eq!(json["method"], "extractive-textrank");
    assert!(json["elapsed_seconds"].is_number() && json["length_ratio"].is_number(), "{json}");
    assert!(json["contents"].is_string());
}

#[test]
fn examples_pass() {
    capsule_sdk::testing::check_examples::<Regeneration>();
}

#[test]
fn an_unknown_classification_does_not_deserialise() {
    let failure =
        capsule_sdk::testing::run::<Regeneration>(serde_json::json!({"classification": "요약", "contents": PLAN}))
            .unwrap_err();
    assert_eq!(failure.code, "COMMON_INVALID_REQUEST");
}

#[test]
fn the_schemas_name_the_seed_classifications_and_output_fields() {
    let descriptor = <Regeneration as capsule_sdk::Capability>::descriptor();
    assert_eq!(descriptor.mode, capsule_sdk::Mode::Async);
    let classifications: Vec<&str> = descriptor.input_schema["$defs"]["Classification"]["oneOf"]
        .as_array()
        .expect("one entry per classification")
        .iter()
        .map(|c| c["const"].as_str().unwrap())
        .collect();
    assert_eq!(classifications, ["자세히", "간결하게", "윤문", "특허", "뉴스"]);
    assert_eq!(descriptor.input_schema["required"], serde_json::json!(["classification"]));
    assert_eq!(
        descriptor.output_schema["required"],
        serde_json::json!(["result", "contents", "elapsed_seconds", "method", "length_ratio", "search"])
    );
}

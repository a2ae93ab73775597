//! The job's flow with a fake host that lends only what the flow uses: a
//! language model (or none, or a failing one) and the job context.
//!
//! The two guidelines are made up for these tests (realistic in form, not
//! medical advice): a Korean hypertension guideline and an English type 2
//! diabetes guideline.

use capsule_sdk::language::{ChatRequest, Completion, codes};
use capsule_sdk::{Failure, JobContext, Llm};
use serde_json::json;
use summarize::{INVALID_REQUEST, Input, Language, Method, MethodChoice, Summarize, summarize};

const HYPERTENSION_KO: &str = "성인 고혈압 진료지침 요약\n\
    고혈압은 심뇌혈관질환의 가장 중요한 위험인자이다. \
    고혈압 진단을 위해 진료실 혈압은 최소 2회 이상 측정하여 평균값을 사용해야 한다. \
    진료실 혈압이 경계 범위인 환자에게는 가정혈압 측정을 권고한다. \
    가정혈압은 아침과 저녁에 각각 2회 측정하고 혈압 기록을 진료 시 확인한다.\n\n\
    모든 고혈압 환자에게 저염식, 절주, 규칙적인 운동 등 생활요법을 권고한다. \
    생활요법에도 혈압이 140/90 mmHg 이상이면 약물 치료를 시작해야 한다. \
    심혈관질환 위험이 높은 환자에서는 목표 혈압을 130/80 mmHg 미만으로 고려할 수 있다. \
    안지오텐신전환효소억제제와 안지오텐신수용체차단제를 함께 사용해서는 안 된다. \
    1차 예방 목적의 아스피린 사용은 권고되지 않는다.";

const DIABETES_EN: &str = "Management of Type 2 Diabetes in Adults\n\
    Type 2 diabetes is a progressive disease that requires regular review. \
    HbA1c should be measured every 3 to 6 months in all adults with type 2 diabetes. \
    Metformin is recommended as first-line drug therapy unless it is contraindicated. \
    Clinicians should individualise HbA1c targets according to the risk of hypoglycaemia.\n\n\
    Patients must receive structured education at diagnosis. \
    Sulfonylureas should not be used in patients with a history of severe hypoglycaemia. \
    An SGLT2 inhibitor may be considered in patients with heart failure or chronic kidney disease. \
    Do not stop metformin solely because of age. \
    Annual foot and eye examinations are recommended for all patients.";

/// A host that may have a model for `default` and answers with `answer`
/// (or with `failure`); it records what it was asked.
#[derive(Default)]
struct FakeHost {
    model_available: bool,
    answer: String,
    failure: Option<Failure>,
    requests: Vec<ChatRequest>,
    progress: Vec<(u8, String)>,
}

impl FakeHost {
    fn answering(answer: &str) -> Self {
        FakeHost { model_available: true, answer: answer.to_string(), ..FakeHost::default() }
    }

    fn failing(failure: Failure) -> Self {
        FakeHost { model_available: true, failure: Some(failure), ..FakeHost::default() }
    }
}

impl Llm for FakeHost {
    fn llm_available(&mut self, model: &str) -> bool {
        self.model_available && model == "default"
    }

    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.requests.push(request.clone());
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        Ok(Completion {
            text: self.answer.clone(),
            truncated: false,
            model: "fake-guideline-model".into(),
            prompt_tokens: 400,
            completion_tokens: 80,
        })
    }
}

impl JobContext for FakeHost {
    fn progress(&mut self, percent: u8, step: &str, _message: &str) {
        self.progress.push((percent, step.to_string()));
    }
}

fn input(text: &str) -> Input {
    Input { text: text.into(), max_sentences: None, language: None, method: MethodChoice::Auto }
}

/// Where each sentence is in `original` (panics when one is not there).
fn positions(sentences: &[String], original: &str) -> Vec<usize> {
    sentences.iter().map(|s| original.find(s.as_str()).unwrap_or_else(|| panic!("not in the text: {s}"))).collect()
}

#[test]
fn an_unconfigured_model_gives_an_extractive_summary_in_document_order() {
    for guideline in [HYPERTENSION_KO, DIABETES_EN] {
        let mut host = FakeHost::default();
        let output = summarize(&Input { max_sentences: Some(3), ..input(guideline) }, &mut host).expect("summarised");

        assert_eq!((output.method, output.model.as_deref()), (Method::Extractive, None));
        assert!(host.requests.is_empty(), "no model was asked");
        assert_eq!(output.sentences.len(), 3, "{:?}", output.sentences);
        let at = positions(&output.sentences, guideline);
        assert!(at.windows(2).all(|w| w[0] < w[1]), "out of order: {at:?}");
        assert_eq!(output.summary, output.sentences.join(" "));
        assert!(host.progress.iter().any(|(_, step)| step == "ranking"), "{:?}", host.progress);
    }
}

#[test]
fn the_default_is_five_sentences_and_headings_are_left_out() {
    let output = summarize(&input(DIABETES_EN), &mut FakeHost::default()).unwrap();
    assert_eq!(output.sentences.len(), 5);
    assert!(!output.sentences.iter().any(|s| s.starts_with("Management of")), "{:?}", output.sentences);
}

#[test]
fn a_short_text_is_its_own_summary() {
    let text = "혈압은 매 방문 시 측정한다. 혈압 기록을 진료 시 확인한다.";
    let output = summarize(&input(text), &mut FakeHost::default()).unwrap();
    assert_eq!(output.sentences, ["혈압은 매 방문 시 측정한다.", "혈압 기록을 진료 시 확인한다."]);
    assert_eq!(output.summary, text);
}

#[test]
fn a_model_answer_is_used_and_labelled_llm() {
    let summary = "진료실 혈압은 2회 이상 측정해 평균을 쓰고, 경계 범위이면 가정혈압을 측정한다. \
        모든 환자에게 생활요법을 권고하며 140/90 mmHg 이상이면 약물 치료를 시작한다.";
    let mut host = FakeHost::answering(&json!({ "summary": summary }).to_string());
    let output = summarize(&Input { max_sentences: Some(2), ..input(HYPERTENSION_KO) }, &mut host).unwrap();

    assert_eq!(output.method, Method::Llm);
    assert_eq!(output.model.as_deref(), Some("fake-guideline-model"));
    assert_eq!(output.summary, summary);
    assert_eq!(output.sentences.len(), 2, "{:?}", output.sentences);
    let [request] = host.requests.as_slice() else { panic!("one chat call, got {}", host.requests.len()) };
    assert_eq!(request.model, "default");
    let schema = request.json_schema.as_ref().expect("a JSON-Schema-constrained answer");
    assert_eq!(schema["required"], json!(["summary"]));
    let prompt = &request.messages.last().unwrap().content;
    assert!(prompt.contains(HYPERTENSION_KO) && prompt.contains("2문장") && prompt.contains("한국어"), "{prompt}");
    assert!(host.progress.iter().any(|(_, step)| step == "summarising"), "{:?}", host.progress);
}

#[test]
fn the_requested_language_reaches_the_prompt() {
    let mut host = FakeHost::answering(r#"{"summary": "Measure blood pressure twice."}"#);
    let request = Input { language: Some(Language::En), ..input(HYPERTENSION_KO) };
    summarize(&request, &mut host).unwrap();
    assert!(host.requests[0].messages.last().unwrap().content.contains("write the summary in English"));
}

#[test]
fn a_rate_limited_model_fails_the_job_rather_than_falling_back() {
    for failure in [
        Failure::retryable(codes::LLM_RATE_LIMITED, "slow down"),
        Failure::retryable(codes::LLM_UPSTREAM_FAILED, "502 from the provider"),
        Failure::new(codes::LLM_CONTEXT_TOO_LONG, "too long"),
    ] {
        let mut host = FakeHost::failing(failure.clone());
        let got = summarize(&input(DIABETES_EN), &mut host).unwrap_err();
        assert_eq!(got, failure, "the model's own failure, code and retryability kept");
    }
}

#[test]
fn a_model_that_turns_out_unconfigured_falls_back_to_extraction() {
    let mut host = FakeHost::failing(Failure::new(codes::LLM_NOT_CONFIGURED, "no provider for `default`"));
    let output = summarize(&input(DIABETES_EN), &mut host).unwrap();
    assert_eq!(output.method, Method::Extractive);
    assert_eq!(host.requests.len(), 1);
}

#[test]
fn extraction_asked_for_skips_an_available_model() {
    let mut host = FakeHost::answering(r#"{"summary": "모델의 답."}"#);
    let output = summarize(&Input { method: MethodChoice::Extractive, ..input(HYPERTENSION_KO) }, &mut host).unwrap();
    assert_eq!(output.method, Method::Extractive);
    assert!(host.requests.is_empty());
}

#[test]
fn an_answer_out_of_shape_is_a_retryable_invalid_output() {
    for answer in ["요약입니다.", r#"{"summary": "  "}"#, r#"{"text": "가"}"#] {
        let failure = summarize(&input(HYPERTENSION_KO), &mut FakeHost::answering(answer)).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_OUTPUT_INVALID, true), "{answer}");
    }
}

#[test]
fn blank_text_is_an_invalid_request() {
    for text in ["", " \n\t "] {
        let failure = summarize(&input(text), &mut FakeHost::default()).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_REQUEST, false));
        assert!(failure.message.contains("blank"), "{failure}");
    }
}

#[test]
fn too_long_text_or_too_many_sentences_is_an_invalid_request() {
    let long = "가".repeat(200_001);
    assert_eq!(summarize(&input(&long), &mut FakeHost::default()).unwrap_err().code, INVALID_REQUEST);
    for max_sentences in [0, 21] {
        let request = Input { max_sentences: Some(max_sentences), ..input(DIABETES_EN) };
        let failure = summarize(&request, &mut FakeHost::default()).unwrap_err();
        assert!(failure.code == INVALID_REQUEST && failure.message.contains("max_sentences"), "{failure}");
    }
}

#[test]
fn a_repeated_guideline_counts_each_sentence_once() {
    let long = [HYPERTENSION_KO; 60].join("\n\n");
    let output = summarize(&Input { max_sentences: Some(4), ..input(&long) }, &mut FakeHost::default()).unwrap();
    // The guideline repeated: each sentence counts once.
    assert_eq!(output.sentences.len(), 4);
    let unique: std::collections::BTreeSet<&String> = output.sentences.iter().collect();
    assert_eq!(unique.len(), 4);
}

#[test]
fn the_text_is_accepted_under_its_aliases() {
    for field in ["text", "input_text", "guideline"] {
        let output = capsule_sdk::testing::run::<Summarize>(json!({ field: DIABETES_EN, "max_sentences": 2 }))
            .unwrap_or_else(|f| panic!("`{field}`: {f}"));
        assert_eq!(output["method"], "extractive");
        assert_eq!(output["sentences"].as_array().unwrap().len(), 2);
    }
    let both = capsule_sdk::testing::run::<Summarize>(json!({"text": "가나다.", "guideline": "라마바."}));
    assert_eq!(both.unwrap_err().code, "COMMON_INVALID_REQUEST");
}

#[test]
fn the_schema_documents_the_aliases_and_the_output_fields() {
    let descriptor = <Summarize as capsule_sdk::Capability>::descriptor();
    let input = &descriptor.input_schema;
    for field in ["text", "input_text", "guideline"] {
        assert_eq!(input["properties"][field]["maxLength"], 200000, "{field}");
    }
    assert_eq!(
        input["oneOf"],
        json!([{"required": ["text"]}, {"required": ["input_text"]}, {"required": ["guideline"]}])
    );
    assert!(input.get("required").is_none(), "{input}");
    assert_eq!(input["additionalProperties"], false);
    assert_eq!(descriptor.output_schema["required"], json!(["summary", "sentences", "method", "model"]));
}

#[test]
fn the_output_serialises_with_the_documented_field_names() {
    let output = summarize(&input(DIABETES_EN), &mut FakeHost::default()).unwrap();
    let json = serde_json::to_value(&output).unwrap();
    assert_eq!(json["method"], "extractive");
    assert!(json["model"].is_null() && json["summary"].is_string() && json["sentences"].is_array(), "{json}");
}

#[test]
fn summarising_is_deterministic() {
    let first = summarize(&input(HYPERTENSION_KO), &mut FakeHost::default()).unwrap();
    let second = summarize(&input(HYPERTENSION_KO), &mut FakeHost::default()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn examples_pass() {
    capsule_sdk::testing::check_examples::<Summarize>();
}

//! The job's flow with a fake host that lends only what the flow uses: a
//! language model (or none, or a failing one) and the job context.
//!
//! The two guidelines are made up for these tests (realistic in form, not
//! medical advice): a Korean hypertension guideline and an English type 2
//! diabetes guideline.

use capsule_sdk::language::{ChatRequest, Completion, codes};
use capsule_sdk::{Failure, JobContext, Llm};
use checklist::{Checklist, INVALID_REQUEST, Input, Item, Kind, Method, MethodChoice, NOTHING_FOUND, make_checklist};
use serde_json::json;

const HYPERTENSION_KO: &str = "성인 고혈압 진료지침\n\n\
1. 진단\n\
고혈압은 심뇌혈관질환의 가장 중요한 위험인자이다. \
모든 성인 환자에게 진료 시마다 혈압을 측정해야 한다. \
진료실 혈압은 최소 2회 이상 측정하여 평균값을 사용하여야 한다. (권고등급 A, 근거수준 I)\n\
진료실 혈압이 경계 범위인 환자에게는 가정혈압 측정을 권고한다.\n\n\
2. 치료\n\
- 모든 고혈압 환자에게 저염식, 절주, 규칙적인 운동 등 생활요법을 권고한다.\n\
- 생활요법에도 혈압이 140/90 mmHg 이상이면 약물 치료를 시작해야 한다.\n\
- 심혈관질환 위험이 높은 환자에서는 목표 혈압을 130/80 mmHg 미만으로 고려할 수 있다.\n\
- 안지오텐신전환효소억제제와 안지오텐신수용체차단제를 함께 사용해서는 안 된다.\n\
- 1차 예방 목적의 아스피린 사용은 권고되지 않는다.\n\
- 임신 가능성이 있는 여성에게 안지오텐신수용체차단제를 투여하지 않는다.\n\
약물 치료 중인 환자는 3개월마다 혈압 조절 상태를 확인하는 것이 바람직하다.";

const DIABETES_EN: &str = "Management of Type 2 Diabetes in Adults\n\n\
Type 2 diabetes is a progressive disease that requires regular review. \
HbA1c should be measured every 3 to 6 months in all adults with type 2 diabetes. \
Metformin is recommended as first-line drug therapy unless it is contraindicated (Grade A). \
Clinicians should individualise HbA1c targets according to the risk of hypoglycaemia.\n\n\
Patients must receive structured education at diagnosis. \
Sulfonylureas should not be used in patients with a history of severe hypoglycaemia. \
An SGLT2 inhibitor may be considered in patients with heart failure or chronic kidney disease. \
Do not stop metformin solely because of age. \
Annual foot and eye examinations are recommended for all patients. \
Many patients do not reach their glycaemic target within the first year.";

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
    fn answering(answer: serde_json::Value) -> Self {
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
            prompt_tokens: 600,
            completion_tokens: 200,
        })
    }
}

impl JobContext for FakeHost {
    fn progress(&mut self, percent: u8, step: &str, _message: &str) {
        self.progress.push((percent, step.to_string()));
    }
}

fn input(text: &str) -> Input {
    Input { text: text.into(), summary: None, max_items: None, method: MethodChoice::Auto }
}

fn without_model(input: &Input) -> checklist::Output {
    make_checklist(input, &mut FakeHost::default()).expect("a checklist")
}

fn items_and_kinds(checklist: &[Item]) -> Vec<(&str, Kind)> {
    checklist.iter().map(|i| (i.item.as_str(), i.kind)).collect()
}

#[test]
fn korean_must_sentences_become_imperative_items() {
    let output = without_model(&input(HYPERTENSION_KO));
    let items = items_and_kinds(&output.checklist);
    assert_eq!(
        items[..2],
        [
            ("모든 성인 환자에게 진료 시마다 혈압을 측정할 것", Kind::Must),
            ("진료실 혈압은 최소 2회 이상 측정하여 평균값을 사용할 것", Kind::Must),
        ]
    );
    assert!(
        items.contains(&("생활요법에도 혈압이 140/90 mmHg 이상이면 약물 치료를 시작할 것", Kind::Must)),
        "{items:?}"
    );
}

#[test]
fn korean_prohibitions_recommendations_and_options_get_their_kinds() {
    let output = without_model(&input(HYPERTENSION_KO));
    let items = items_and_kinds(&output.checklist);
    for expected in [
        ("진료실 혈압이 경계 범위인 환자에게는 가정혈압을 측정할 것", Kind::Should),
        ("모든 고혈압 환자에게 저염식, 절주, 규칙적인 운동 등 생활요법을 시행할 것", Kind::Should),
        ("심혈관질환 위험이 높은 환자에서는 목표 혈압을 130/80 mmHg 미만으로 고려할 것", Kind::Consider),
        ("안지오텐신전환효소억제제와 안지오텐신수용체차단제를 함께 사용하지 말 것", Kind::MustNot),
        ("1차 예방 목적의 아스피린을 사용하지 말 것", Kind::MustNot),
        ("임신 가능성이 있는 여성에게 안지오텐신수용체차단제를 투여하지 말 것", Kind::MustNot),
        ("약물 치료 중인 환자는 3개월마다 혈압 조절 상태를 확인할 것", Kind::Should),
    ] {
        assert!(items.contains(&expected), "{expected:?} not in {items:?}");
    }
    assert_eq!(items.len(), 10, "{items:?}");
}

#[test]
fn english_recommendations_become_imperative_items_with_their_kinds() {
    let output = without_model(&input(DIABETES_EN));
    assert_eq!(
        items_and_kinds(&output.checklist),
        [
            ("Measure HbA1c every 3 to 6 months in all adults with type 2 diabetes", Kind::Should),
            ("Offer metformin as first-line drug therapy unless it is contraindicated", Kind::Should),
            ("Individualise HbA1c targets according to the risk of hypoglycaemia", Kind::Should),
            ("Ensure patients receive structured education at diagnosis", Kind::Must),
            ("Do not use sulfonylureas in patients with a history of severe hypoglycaemia", Kind::MustNot),
            ("Consider an SGLT2 inhibitor in patients with heart failure or chronic kidney disease", Kind::Consider),
            ("Do not stop metformin solely because of age", Kind::MustNot),
            ("Offer annual foot and eye examinations for all patients", Kind::Should),
        ]
    );
}

#[test]
fn an_unconfigured_model_gives_an_extractive_checklist_in_document_order() {
    for guideline in [HYPERTENSION_KO, DIABETES_EN] {
        let mut host = FakeHost::default();
        let output = make_checklist(&input(guideline), &mut host).unwrap();
        assert_eq!((output.method, output.model.as_deref(), output.note.as_deref()), (Method::Extractive, None, None));
        assert!(host.requests.is_empty());
        let at: Vec<usize> = output
            .checklist
            .iter()
            .map(|i| guideline.find(&i.source).unwrap_or_else(|| panic!("not a sentence of the text: {}", i.source)))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "out of order: {at:?}");
        assert!(host.progress.iter().any(|(_, step)| step == "extracting"), "{:?}", host.progress);
    }
}

#[test]
fn statements_give_no_items() {
    let output = without_model(&input(&format!("{HYPERTENSION_KO}\n\n{DIABETES_EN}")));
    for item in &output.checklist {
        for statement in ["위험인자이다", "progressive disease", "do not reach", "성인 고혈압 진료지침", "진단"]
        {
            assert!(!item.source.contains(statement), "a statement became an item: {item:?}");
        }
    }
}

#[test]
fn sources_are_the_sentences_without_list_markers_or_lost_grades() {
    let output = without_model(&input(HYPERTENSION_KO));
    let aspirin = output.checklist.iter().find(|i| i.item.contains("아스피린")).unwrap();
    assert_eq!(aspirin.source, "1차 예방 목적의 아스피린 사용은 권고되지 않는다.");
    let metformin =
        without_model(&input(DIABETES_EN)).checklist.into_iter().find(|i| i.item.contains("first-line")).unwrap();
    assert_eq!(
        metformin.source,
        "Metformin is recommended as first-line drug therapy unless it is contraindicated (Grade A)."
    );
}

#[test]
fn over_the_cap_must_and_must_not_items_are_kept_first_in_document_order() {
    // Three must / must_not items, then the earliest should; the order is the document's.
    let output = without_model(&Input { max_items: Some(4), ..input(DIABETES_EN) });
    assert_eq!(
        items_and_kinds(&output.checklist),
        [
            ("Measure HbA1c every 3 to 6 months in all adults with type 2 diabetes", Kind::Should),
            ("Ensure patients receive structured education at diagnosis", Kind::Must),
            ("Do not use sulfonylureas in patients with a history of severe hypoglycaemia", Kind::MustNot),
            ("Do not stop metformin solely because of age", Kind::MustNot),
        ]
    );
}

#[test]
fn the_same_recommendation_twice_is_listed_once() {
    let output = without_model(&input(&format!("{DIABETES_EN}\n\n{DIABETES_EN}")));
    assert_eq!(output.checklist.len(), 8);
}

#[test]
fn a_text_without_recommendations_falls_back_to_the_summary() {
    let text = "고혈압은 흔한 만성질환이다. 국내 성인의 약 30%가 고혈압을 가지고 있다.";
    let summary = "고혈압은 흔하다. 모든 성인에게 매년 혈압을 측정해야 한다.";
    let output = without_model(&Input { summary: Some(summary.into()), ..input(text) });
    assert_eq!(items_and_kinds(&output.checklist), [("모든 성인에게 매년 혈압을 측정할 것", Kind::Must)]);
    assert_eq!(output.checklist[0].source, "모든 성인에게 매년 혈압을 측정해야 한다.");
    assert!(output.note.as_deref().is_some_and(|n| n.contains("summary")), "{:?}", output.note);
}

#[test]
fn nothing_to_list_gives_an_empty_checklist_and_a_note() {
    let text = "Type 2 diabetes is common. Its prevalence rises with age.";
    for summary in [None, Some("Diabetes is common in older adults.".to_string())] {
        let output = without_model(&Input { summary, ..input(text) });
        assert!(output.checklist.is_empty(), "{:?}", output.checklist);
        assert_eq!(output.note.as_deref(), Some(NOTHING_FOUND));
        let json = serde_json::to_value(&output).unwrap();
        assert_eq!(json["note"], "no recommendation sentences found");
        assert_eq!(json["checklist"], json!([]));
    }
}

#[test]
fn a_model_answer_is_used_and_labelled_llm() {
    let answer = json!({"checklist": [
        {"item": "모든 성인 환자의 혈압을 진료 시마다 측정할 것", "source": "모든 성인 환자에게 진료 시마다 혈압을 측정해야 한다.", "kind": "must"},
        {"item": "1차 예방 목적으로 아스피린을 쓰지 말 것", "source": "1차 예방 목적의 아스피린 사용은 권고되지 않는다", "kind": "must_not"},
    ]});
    let mut host = FakeHost::answering(answer);
    let request =
        Input { summary: Some("혈압을 자주 측정한다.".into()), max_items: Some(10), ..input(HYPERTENSION_KO) };
    let output = make_checklist(&request, &mut host).unwrap();

    assert_eq!(
        (output.method, output.model.as_deref(), output.note.as_deref()),
        (Method::Llm, Some("fake-guideline-model"), None)
    );
    assert_eq!(
        items_and_kinds(&output.checklist),
        [
            ("모든 성인 환자의 혈압을 진료 시마다 측정할 것", Kind::Must),
            ("1차 예방 목적으로 아스피린을 쓰지 말 것", Kind::MustNot)
        ]
    );
    // The source is the guideline's own sentence, even when the model's quote lost its full stop.
    assert_eq!(output.checklist[1].source, "- 1차 예방 목적의 아스피린 사용은 권고되지 않는다.");
    let [request] = host.requests.as_slice() else { panic!("one chat call, got {}", host.requests.len()) };
    assert_eq!(request.model, "default");
    let schema = request.json_schema.as_ref().expect("a JSON-Schema-constrained answer");
    assert_eq!(schema["properties"]["checklist"]["maxItems"], 10);
    let prompt = &request.messages.last().unwrap().content;
    assert!(
        prompt.contains(HYPERTENSION_KO) && prompt.contains("혈압을 자주 측정한다.") && prompt.contains("최대 10개")
    );
    assert!(host.progress.iter().any(|(_, step)| step == "listing"), "{:?}", host.progress);
}

#[test]
fn model_items_whose_source_is_not_in_the_guideline_are_left_out() {
    let answer = json!({"checklist": [
        {"item": "Measure HbA1c every 3 to 6 months", "source": "HbA1c should be measured every 3 to 6 months in all adults with type 2 diabetes.", "kind": "should"},
        {"item": "Offer statins to everyone over 40", "source": "Statins are recommended for everyone over 40.", "kind": "should"},
    ]});
    let output = make_checklist(&input(DIABETES_EN), &mut FakeHost::answering(answer)).unwrap();
    assert_eq!(items_and_kinds(&output.checklist), [("Measure HbA1c every 3 to 6 months", Kind::Should)]);
    assert!(output.note.as_deref().is_some_and(|n| n.starts_with("1 of the model's items")), "{:?}", output.note);
}

#[test]
fn an_empty_model_answer_says_nothing_was_found() {
    let output = make_checklist(&input(DIABETES_EN), &mut FakeHost::answering(json!({"checklist": []}))).unwrap();
    assert!(output.checklist.is_empty());
    assert_eq!((output.method, output.note.as_deref()), (Method::Llm, Some(NOTHING_FOUND)));
}

#[test]
fn a_rate_limited_model_fails_the_job_rather_than_falling_back() {
    for failure in [
        Failure::retryable(codes::LLM_RATE_LIMITED, "slow down"),
        Failure::retryable(codes::LLM_UPSTREAM_FAILED, "502 from the provider"),
        Failure::new(codes::LLM_CONTEXT_TOO_LONG, "too long"),
    ] {
        let got = make_checklist(&input(HYPERTENSION_KO), &mut FakeHost::failing(failure.clone())).unwrap_err();
        assert_eq!(got, failure, "the model's own failure, code and retryability kept");
    }
}

#[test]
fn a_model_that_turns_out_unconfigured_falls_back_to_the_rules() {
    let mut host = FakeHost::failing(Failure::new(codes::LLM_NOT_CONFIGURED, "no provider for `default`"));
    let output = make_checklist(&input(DIABETES_EN), &mut host).unwrap();
    assert_eq!((output.method, output.checklist.len()), (Method::Extractive, 8));
}

#[test]
fn extraction_asked_for_skips_an_available_model() {
    let mut host = FakeHost::answering(json!({"checklist": []}));
    let output = make_checklist(&Input { method: MethodChoice::Extractive, ..input(DIABETES_EN) }, &mut host).unwrap();
    assert_eq!(output.method, Method::Extractive);
    assert!(host.requests.is_empty());
}

#[test]
fn an_answer_out_of_shape_is_a_retryable_invalid_output() {
    for answer in [json!("체크리스트"), json!({"checklist": [{"item": "가", "source": "나", "kind": "maybe"}]})]
    {
        let failure = make_checklist(&input(DIABETES_EN), &mut FakeHost::answering(answer.clone())).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (codes::LLM_OUTPUT_INVALID, true), "{answer}");
    }
}

#[test]
fn blank_text_or_a_bad_cap_is_an_invalid_request() {
    for text in ["", "  \n "] {
        let failure = make_checklist(&input(text), &mut FakeHost::default()).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_REQUEST, false));
        assert!(failure.message.contains("blank"), "{failure}");
    }
    for max_items in [0, 51] {
        let failure =
            make_checklist(&Input { max_items: Some(max_items), ..input(DIABETES_EN) }, &mut FakeHost::default())
                .unwrap_err();
        assert!(failure.code == INVALID_REQUEST && failure.message.contains("max_items"), "{failure}");
    }
    let long = "가".repeat(200_001);
    assert_eq!(make_checklist(&input(&long), &mut FakeHost::default()).unwrap_err().code, INVALID_REQUEST);
}

#[test]
fn the_text_is_accepted_under_its_aliases() {
    for field in ["text", "input_text", "guideline"] {
        let output = capsule_sdk::testing::run::<Checklist>(json!({ field: DIABETES_EN, "max_items": 2 }))
            .unwrap_or_else(|f| panic!("`{field}`: {f}"));
        assert_eq!(output["method"], "extractive");
        assert_eq!(output["checklist"].as_array().unwrap().len(), 2);
        assert!(output.get("note").is_none(), "no note when there are items: {output}");
    }
}

#[test]
fn the_schema_documents_the_aliases_and_the_output_fields() {
    let descriptor = <Checklist as capsule_sdk::Capability>::descriptor();
    let input = &descriptor.input_schema;
    for field in ["text", "input_text", "guideline"] {
        assert_eq!(input["properties"][field]["type"], "string", "{field}");
    }
    assert_eq!(input["oneOf"].as_array().map(Vec::len), Some(3));
    assert_eq!(input["properties"]["max_items"]["maximum"], 50);
    let output = &descriptor.output_schema;
    assert_eq!(output["required"], json!(["checklist", "method", "model"]));
    let kinds: Vec<&str> =
        output["$defs"]["Kind"]["oneOf"].as_array().unwrap().iter().map(|k| k["const"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["must", "should", "must_not", "consider"]);
}

#[test]
fn the_checklist_is_deterministic() {
    assert_eq!(without_model(&input(HYPERTENSION_KO)), without_model(&input(HYPERTENSION_KO)));
}

#[test]
fn examples_pass() {
    capsule_sdk::testing::check_examples::<Checklist>();
}

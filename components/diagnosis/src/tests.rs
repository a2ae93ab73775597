use capsule_sdk::language::{ChatRequest, Completion, EmbedRole, Embedded};
use capsule_sdk::{Embeddings, Failure, JobContext, Llm};
use serde_json::{Value, json};

use super::*;

/// Hashed character bigrams → a unit vector: a deterministic stand-in for
/// e5 that still ranks shared wording higher (the real model runs in the
/// end-to-end tests).
fn bigram_vector(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; 256];
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    for w in chars.windows(2) {
        let h = (w[0] as u32).wrapping_mul(31).wrapping_add(w[1] as u32) as usize % 256;
        v[h] += 1.0;
    }
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.iter().map(|x| x / n).collect()
}

#[derive(Default)]
struct Fake {
    model_answer: Option<String>,
    chats: Vec<ChatRequest>,
}

impl JobContext for Fake {}

impl Embeddings for Fake {
    fn embed(&mut self, texts: &[&str], _role: EmbedRole) -> Result<Embedded, Failure> {
        Ok(Embedded {
            vectors: texts.iter().map(|t| bigram_vector(t)).collect(),
            model: "bigrams".into(),
            dimension: 256,
        })
    }
}

impl Llm for Fake {
    fn llm_available(&mut self, model: &str) -> bool {
        model == MODEL_ALIAS && self.model_answer.is_some()
    }
    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.chats.push(request.clone());
        Ok(Completion {
            text: self.model_answer.clone().unwrap_or_default(),
            truncated: false,
            model: "fake-model".into(),
            prompt_tokens: 1,
            completion_tokens: 1,
        })
    }
}

fn plan(contents: &str) -> Value {
    json!({"input": [{"contents": contents}]})
}

#[test]
fn the_examples_pass_without_a_model() {
    capsule_sdk::testing::check_examples::<Diagnosis>();
}

#[test]
fn without_a_model_the_rubric_scorer_runs_and_says_so() {
    let out = handle(plan(PLAN), &mut Fake::default()).unwrap();
    assert_eq!(out["method"], "rubric-embedding");
    assert_eq!(out["categories"].as_array().unwrap().len(), 5);
}

#[test]
fn the_same_plan_scores_the_same_twice() {
    let a = handle(plan(PLAN), &mut Fake::default()).unwrap();
    let b = handle(plan(PLAN), &mut Fake::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn with_a_model_each_item_is_scored_by_it_and_quotes_not_in_the_plan_are_dropped() {
    let criteria = json!([{"id": 1, "카테고리": "기술성", "평가항목": [{"id": 1, "내용": "핵심 기술의 독창성"}, {"id": 2, "내용": "기술 성숙도"}]}]);
    let answer = json!({"items": [
        {"id": 1001, "score": 82, "evidence": ["특허 2건을 출원하였고", "지어낸 문장"]},
        {"id": 1002, "score": 64, "evidence": []}
    ]});
    let mut host = Fake { model_answer: Some(answer.to_string()), ..Default::default() };
    let out = handle(json!({"input": [{"contents": PLAN}], "evaluation": criteria}), &mut host).unwrap();
    assert_eq!(out["method"], "llm");
    let items = &out["categories"][0]["items"];
    assert_eq!(items[0]["score"], 82);
    assert_eq!(items[0]["evidence"], json!([{"sentence": "특허 2건을 출원하였고"}]));
    assert_eq!(out["score_average"], 73.0);
    let sent = &host.chats[0];
    assert_eq!(sent.model, MODEL_ALIAS);
    assert!(sent.json_schema.is_some());
}

#[test]
fn a_model_answer_missing_an_item_fails_llm_output_invalid() {
    let answer = json!({"items": [{"id": 1001, "score": 50, "evidence": []}]});
    let mut host = Fake { model_answer: Some(answer.to_string()), ..Default::default() };
    let f = handle(plan(PLAN), &mut host).unwrap_err();
    assert_eq!(f.code, "LLM_OUTPUT_INVALID");
}

#[test]
fn an_empty_plan_is_refused_with_its_code() {
    let f = handle(plan("   "), &mut Fake::default()).unwrap_err();
    assert_eq!(f.code, EMPTY_PLAN);
}

#[test]
fn the_criteria_listing_has_the_seed_shape() {
    let out = handle(json!({"list": "criteria"}), &mut Fake::default()).unwrap();
    assert_eq!(out["total_items"], 30);
    assert_eq!(out["criteria"][0]["카테고리"], "기술성");
}

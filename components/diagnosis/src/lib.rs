//! `diagnosis`: seed 000's business-plan diagnosis as a component.
//!
//! With a model behind the alias `default`, the model scores each item and
//! names the plan's sentences that justify it (a JSON-Schema-constrained
//! answer; sentences it names that are not in the plan are dropped). Without
//! one, the evidence-based rubric scorer of `diagnosis-core` runs over the
//! host's embeddings. `method` says which ran. The 135M plumbing model is
//! never used here: it answers only to the alias `tiny`.
//!
//! `{"list": "criteria"}` answers the default criteria (seed 000 §2.2).

mod model;

use capsule_sdk::language::EmbedRole;
use capsule_sdk::{Capability, Capsule, Descriptor, Embeddings, Failure, Job, JobContext, Llm, Mode};
use diagnosis_core::{DiagnosisRequest, ScoreError, default_criteria, score_plan};
use serde_json::{Value, json};

/// The alias asked for; operators map it to a capable model.
pub const MODEL_ALIAS: &str = "default";
pub const INVALID_REQUEST: &str = "DIAGNOSIS_INVALID_REQUEST";
pub const EMPTY_PLAN: &str = "DIAGNOSIS_EMPTY_PLAN";

/// The engines the flow uses; native tests fake exactly these.
pub trait Engines: Llm + Embeddings + JobContext {}
impl<T: Llm + Embeddings + JobContext> Engines for T {}

pub struct Diagnosis;

#[cfg(test)]
const PLAN: &str = "본 사업은 AI 기반 헬스케어 솔루션으로, 특허 2건을 출원하였고 TRL 6 단계의 시제품 검증을 마쳤습니다. \
    국내 디지털 헬스케어 시장 규모는 2025년 5조 원이며 연평균 12% 성장하고 있습니다. \
    대표는 의료 AI 분야 박사 학위자이며 개발 인력 5명이 참여합니다.";

impl Capability for Diagnosis {
    type Input = Value;
    type Output = Value;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "diagnosis",
            "0.1.0",
            "Scores a business plan on 5 categories × 6 items (or the request's own criteria), with the sentences behind each score",
        )
        .input_schema(json!({
            "type": "object",
            "properties": {
                "input": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {
                    "contents": {"type": ["string", "null"]}, "query": {"type": ["string", "null"]}}}},
                "evaluation": {"type": ["array", "null"], "items": {"type": "object"}},
                "list": {"const": "criteria", "description": "Answer the default criteria instead of scoring"}
            },
            "anyOf": [{"required": ["input"]}, {"required": ["list"]}]
        }))
        .output_schema(json!({"type": "object"}))
        .mode(Mode::Sync)
        // Only what runs the same on every host: scoring depends on which
        // engines the operator configured, and a self-test must not.
        .example("criteria", json!({"list": "criteria"}), json!({"total_categories": 5, "total_items": 30}))
    }

    fn run(_job: &Job, input: Value) -> Result<Value, Failure> {
        handle(input, &mut Capsule)
    }

    fn warm() {
        diagnosis_core::warm();
    }
}

capsule_sdk::export_capability!(Diagnosis);

/// The whole job, with the host passed in.
pub fn handle(input: Value, host: &mut impl Engines) -> Result<Value, Failure> {
    if input.get("list").is_some() {
        return Ok(json!(default_criteria().to_response()));
    }
    let request: DiagnosisRequest = serde_json::from_value(input)
        .map_err(|e| Failure::new(INVALID_REQUEST, format!("the request does not fit seed 000's shape: {e}")))?;
    let plan = request.plan_text();
    if plan.trim().is_empty() {
        return Err(Failure::new(EMPTY_PLAN, "give the plan's text in `input[].contents`"));
    }
    let criteria = request.criteria();
    if host.llm_available(MODEL_ALIAS) {
        host.progress(10, "score", "the model is scoring the plan");
        return model::score(&plan, &criteria, host);
    }
    host.progress(10, "score", "scoring the plan against the rubric");
    // The host takes at most 256 texts a call; long plans go in batches.
    let mut embed = |texts: &[&str], is_query: bool| {
        let role = if is_query { EmbedRole::Query } else { EmbedRole::Passage };
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(128) {
            let e = host.embed(batch, role).map_err(|f| format!("{}: {}", f.code, f.message))?;
            vectors.extend(e.vectors);
        }
        Ok(vectors)
    };
    let diagnosis = score_plan(&plan, &criteria, &mut embed).map_err(|e| match e {
        ScoreError::EmptyPlan => Failure::new(EMPTY_PLAN, e.to_string()),
        ScoreError::NoCriteria => Failure::new(INVALID_REQUEST, "`evaluation` names no item to score"),
        ScoreError::Embed(message) if message.starts_with("EMBEDDINGS_UNAVAILABLE") => {
            Failure::new("EMBEDDINGS_UNAVAILABLE", format!("the rubric scorer needs the embeddings engine: {message}"))
        }
        other => Failure::retryable("DIAGNOSIS_FAILED", other.to_string()),
    })?;
    Ok(json!(diagnosis))
}

#[cfg(test)]
mod tests;

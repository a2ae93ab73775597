//! Scoring with a language model: one call, every item at once, the answer
//! constrained by a JSON Schema; the model must quote the plan's sentences
//! that justify each score, and a quote that is not in the plan is dropped
//! rather than shown as evidence.

use capsule_sdk::language::{ChatRequest, Message};
use capsule_sdk::{Failure, JobContext, Llm};
use diagnosis_core::Criteria;
use serde_json::{Value, json};

use super::MODEL_ALIAS;

pub const METHOD: &str = "llm";

fn schema(item_count: usize) -> Value {
    json!({
        "type": "object",
        "required": ["items"],
        "additionalProperties": false,
        "properties": {"items": {
            "type": "array", "minItems": item_count, "maxItems": item_count,
            "items": {
                "type": "object",
                "required": ["id", "score", "evidence"],
                "additionalProperties": false,
                "properties": {
                    "id": {"type": "integer"},
                    "score": {"type": "integer", "minimum": 0, "maximum": 100},
                    "evidence": {"type": "array", "maxItems": 3, "items": {"type": "string"}}
                }
            }
        }}
    })
}

fn prompt(plan: &str, criteria: &Criteria) -> String {
    let mut items = String::new();
    for c in &criteria.categories {
        for i in &c.items {
            items.push_str(&format!("- id {}: [{}] {} — {}\n", global_id(c.id, i.id), c.name, i.title, i.rubric));
        }
    }
    format!(
        "다음 사업계획서를 정부 지원사업 평가위원의 관점에서 평가하세요. 각 평가항목에 0~100점을 매기고, \
         그 점수의 근거가 되는 계획서 문장을 원문 그대로 최대 3개 인용하세요. 근거가 없으면 낮은 점수와 빈 목록을 주세요. \
         계획서에 없는 사실을 지어내지 마세요.\n\n평가항목:\n{items}\n사업계획서:\n{plan}"
    )
}

/// Items are numbered within their category; the model sees one id per item.
fn global_id(category: u32, item: u32) -> u32 {
    category * 1000 + item
}

pub fn score(plan: &str, criteria: &Criteria, host: &mut (impl Llm + JobContext)) -> Result<Value, Failure> {
    let count: usize = criteria.categories.iter().map(|c| c.items.len()).sum();
    let mut request = ChatRequest::new(
        MODEL_ALIAS,
        vec![
            Message::system("You are a strict, fair evaluator of Korean business plans. Answer only JSON."),
            Message::user(prompt(plan, criteria)),
        ],
    );
    request.json_schema = Some(schema(count));
    request.max_tokens = (count as u32) * 120 + 200;
    let answer = host.chat(&request)?;
    let parsed: Value = serde_json::from_str(answer.text.trim())
        .map_err(|e| Failure::new("LLM_OUTPUT_INVALID", format!("the model's answer is not JSON: {e}")))?;
    let scored = parsed["items"].as_array().cloned().unwrap_or_default();
    let mut total = 0u32;
    let mut categories = Vec::new();
    for c in &criteria.categories {
        let mut items = Vec::new();
        for i in &c.items {
            let id = global_id(c.id, i.id);
            let found = scored.iter().find(|s| s["id"].as_u64() == Some(id as u64)).ok_or_else(|| {
                Failure::new("LLM_OUTPUT_INVALID", format!("the model did not score item {} ({})", i.id, i.title))
            })?;
            let score = found["score"].as_u64().unwrap_or(0).min(100) as u32;
            let evidence: Vec<Value> = found["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|quote| !quote.is_empty() && plan.contains(quote))
                .map(|quote| json!({"sentence": quote}))
                .collect();
            total += score;
            items.push(json!({"id": i.id, "title": i.title, "score": score, "evidence": evidence}));
        }
        categories.push(json!({"id": c.id, "name": c.name, "items": items}));
    }
    let average = if count == 0 { 0.0 } else { (total as f64 / count as f64 * 10.0).round() / 10.0 };
    Ok(json!({"categories": categories, "score_average": average, "method": METHOD, "model": answer.model}))
}

//! The checklist by a language model: one call, the answer constrained by a
//! JSON Schema to `{"checklist": [{"item", "source", "kind"}]}`.
//!
//! The model must quote, as `source`, the guideline sentence each item comes
//! from. Each quote is matched to a sentence of the guideline (or of the
//! summary given): the sentence containing it (or contained in it), else the
//! one holding most of the quote's character bigrams ([`textrank::coverage`],
//! at least [`MIN_COVERAGE`]; ties to the most alike, [`textrank::similarity`]).
//! That sentence becomes the item's `source`; an item whose quote matches
//! none is dropped, and `note` says how many were.

use capsule_sdk::language::{ChatRequest, Message, codes};
use capsule_sdk::{Failure, JobContext, Llm};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::{cap, dedup_key};
use crate::{Item, Kind, MODEL, Method, NOTHING_FOUND, Output};

/// Low: the items must keep the guideline's meaning.
pub const TEMPERATURE: f32 = 0.2;

/// How much of a quote's character bigrams a sentence must at least hold to
/// count as its source when neither contains the other. A quote with a
/// particle or a hyphen changed keeps about 0.9; one that only shares a
/// sentence's phrasing (`스타틴 사용은 권고되지 않는다` against `아스피린 사용은
/// 권고되지 않는다`, `Statins are recommended for …` against `Examinations
/// are recommended for …`) stays below 0.8.
pub const MIN_COVERAGE: f64 = 0.85;

const SYSTEM_PROMPT: &str = "당신은 임상 진료지침(가이드라인)에서 실행 가능한 체크리스트를 만드는 의학 편집자입니다. \
You turn clinical guideline recommendations into checklists. 다음 원칙을 반드시 지키십시오.\n\
1. 가이드라인에 실제로 있는 권고만 항목으로 만드십시오. 원문에 없는 권고, 수치, 약제, 대상 환자를 만들지 마십시오.\n\
2. item: 명령형의 한 문장. 한국어 가이드라인은 '…할 것', '…하지 말 것', '…을 고려할 것', \
영어 가이드라인은 'Measure …', 'Do not …', 'Consider …' 형태로 쓰십시오.\n\
3. source: 그 항목의 근거가 된 가이드라인 문장을 원문 그대로 옮기십시오.\n\
4. kind: must(반드시 해야 함), should(권고됨), must_not(하지 말아야 함), consider(고려할 수 있음). 권고의 강도를 바꾸지 마십시오.\n\
5. 가이드라인에 나오는 순서대로 쓰고, 같은 권고를 두 번 쓰지 마십시오. 권고가 없으면 빈 목록으로 답하십시오.\n\
6. JSON 하나로만 답하십시오.";

fn user_prompt(text: &str, summary: Option<&str>, max_items: u32) -> String {
    let summary = summary.map(|s| format!("[요약]\n{s}\n\n")).unwrap_or_default();
    format!(
        "아래 가이드라인의 권고를 최대 {max_items}개의 체크리스트 항목으로 만드십시오.\n\n{summary}[가이드라인]\n{text}"
    )
}

/// The answer's schema.
pub fn answer_schema(max_items: u32) -> Value {
    json!({
        "type": "object",
        "required": ["checklist"],
        "additionalProperties": false,
        "properties": {"checklist": {
            "type": "array",
            "maxItems": max_items,
            "items": {
                "type": "object",
                "required": ["item", "source", "kind"],
                "additionalProperties": false,
                "properties": {
                    "item": {"type": "string", "minLength": 1},
                    "source": {"type": "string"},
                    "kind": {"enum": ["must", "should", "must_not", "consider"]}
                }
            }
        }}
    })
}

/// Room for the answer: an item and its quoted source are up to about 160 tokens.
fn max_tokens(max_items: u32) -> u32 {
    (max_items * 160 + 256).clamp(512, 8192)
}

#[derive(Deserialize)]
struct Answer {
    checklist: Vec<AnswerItem>,
}

#[derive(Deserialize)]
struct AnswerItem {
    item: String,
    source: String,
    kind: Kind,
}

/// Ask the model; see the module documentation.
pub fn checklist(
    text: &str,
    summary: Option<&str>,
    max_items: u32,
    host: &mut (impl Llm + JobContext),
) -> Result<Output, Failure> {
    let request = ChatRequest {
        max_tokens: max_tokens(max_items),
        temperature: TEMPERATURE,
        json_schema: Some(answer_schema(max_items)),
        ..ChatRequest::new(
            MODEL,
            vec![Message::system(SYSTEM_PROMPT), Message::user(user_prompt(text, summary, max_items))],
        )
    };
    host.progress(10, "listing", &format!("asking the `{MODEL}` model for the guideline's checklist"));
    let completion = host.chat(&request)?;
    if completion.truncated {
        return Err(Failure::new(
            codes::LLM_OUTPUT_INVALID,
            format!(
                "the model `{}` stopped at the {}-token limit before finishing the checklist; ask for fewer items",
                completion.model, request.max_tokens
            ),
        ));
    }
    let answer: Answer = serde_json::from_str(capsule_sdk::language::unfenced(&completion.text)).map_err(|e| {
        // Sampling is not greedy, so another attempt may well answer in shape.
        Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` did not answer `{{\"checklist\": [...]}}`: {e}", completion.model),
        )
    })?;
    let pool: Vec<&str> = textrank::split(text)
        .into_iter()
        .chain(summary.map(textrank::split).unwrap_or_default())
        .map(|s| s.text)
        .collect();
    let (mut items, mut seen, mut dropped) = (Vec::new(), Vec::new(), 0usize);
    for answered in answer.checklist {
        let item = answered.item.trim().to_string();
        if item.is_empty() {
            continue;
        }
        let Some(source) = ground(&answered.source, &pool) else {
            dropped += 1;
            continue;
        };
        let key = dedup_key(&item);
        if !seen.contains(&key) {
            seen.push(key);
            items.push(Item { item, source: source.to_string(), kind: answered.kind });
        }
    }
    let checklist = cap(items, max_items as usize);
    let note = if dropped > 0 {
        Some(format!("{dropped} of the model's items were left out: their source is not a sentence of the guideline"))
    } else if checklist.is_empty() {
        Some(NOTHING_FOUND.to_string())
    } else {
        None
    };
    host.progress(95, "listed", &format!("the model listed {} items", checklist.len()));
    Ok(Output { checklist, method: Method::Llm, model: Some(completion.model), note })
}

/// The sentence of `pool` that `quote` comes from; see the module documentation.
pub fn ground<'a>(quote: &str, pool: &[&'a str]) -> Option<&'a str> {
    let quote = squash(quote.trim().trim_matches(['"', '“', '”', '\'']));
    if quote.is_empty() {
        return None;
    }
    let long_enough = quote.chars().count() >= 8;
    let contained = pool.iter().find(|sentence| {
        let sentence = squash(sentence);
        (long_enough && sentence.contains(&quote)) || quote.contains(&sentence)
    });
    if let Some(sentence) = contained {
        return Some(sentence);
    }
    pool.iter()
        .map(|sentence| (textrank::coverage(&quote, sentence), *sentence))
        .filter(|(coverage, _)| *coverage >= MIN_COVERAGE)
        .map(|(coverage, sentence)| (coverage, textrank::similarity(&quote, sentence), sentence))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, sentence)| sentence)
}

/// Whitespace runs as one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: [&str; 3] = [
        "고혈압 진단을 위해 진료실 혈압은 최소 2회 이상 측정하여 평균값을 사용해야 한다.",
        "1차 예방 목적의 아스피린 사용은 권고되지 않는다.",
        "HbA1c should be measured every 3 to 6 months.",
    ];

    #[test]
    fn a_quote_is_matched_to_its_sentence() {
        assert_eq!(ground("아스피린 사용은 권고되지 않는다", &POOL), Some(POOL[1]));
        assert_eq!(ground("\"HbA1c should be measured every 3 to 6 months.\"", &POOL), Some(POOL[2]));
        assert_eq!(ground("진료실 혈압은 최소 2회 측정하여 평균값을 사용해야 한다", &POOL), Some(POOL[0]));
    }

    #[test]
    fn a_quote_from_nowhere_matches_nothing() {
        assert_eq!(ground("Statins are recommended for everyone over 40.", &POOL), None);
        assert_eq!(ground("스타틴 사용은 권고되지 않는다", &POOL), None);
        assert_eq!(ground("  ", &POOL), None);
    }

    #[test]
    fn the_schema_lists_the_four_kinds() {
        let schema = answer_schema(7);
        assert_eq!(schema["properties"]["checklist"]["maxItems"], 7);
        let kinds = &schema["properties"]["checklist"]["items"]["properties"]["kind"]["enum"];
        assert_eq!(kinds, &json!(["must", "should", "must_not", "consider"]));
    }
}

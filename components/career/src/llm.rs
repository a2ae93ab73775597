//! Asking the model for a JSON answer that fits a schema.

use capsule_sdk::language::{ChatRequest, Message, codes};
use capsule_sdk::{Failure, Llm};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::MODEL;
use crate::types::MethodChoice;

/// Low: the answers restate facts the prompt gives; a little above greedy
/// so a repeated question is not always worded the same.
const TEMPERATURE: f32 = 0.3;

/// Whether to ask the model: it was not ruled out and the host has one for [`MODEL`].
pub fn wanted(choice: MethodChoice, host: &mut impl Llm) -> bool {
    choice == MethodChoice::Auto && host.llm_available(MODEL)
}

/// One chat call whose answer must be JSON valid against `schema`; tokens
/// stream to the job's events as they come. The parsed answer, or
/// `LLM_OUTPUT_INVALID` when it is cut off or not the JSON asked for.
pub fn ask<T: DeserializeOwned>(
    host: &mut impl Llm,
    messages: Vec<Message>,
    schema: Value,
    max_tokens: u32,
) -> Result<T, Failure> {
    let request = ChatRequest {
        json_schema: Some(schema),
        stream: true,
        temperature: TEMPERATURE,
        max_tokens,
        ..ChatRequest::new(MODEL, messages)
    };
    let completion = host.chat(&request)?;
    if completion.truncated {
        return Err(Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` stopped at the {max_tokens}-token limit", completion.model),
        ));
    }
    let text = completion.text.trim();
    // Models wrap JSON in a code fence now and then, grammar or not.
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .map_or(text, |rest| rest.trim_end().trim_end_matches("```"))
        .trim();
    serde_json::from_str(text).map_err(|e| {
        Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` did not answer the JSON asked for: {e}", completion.model),
        )
    })
}

/// A JSON Schema for an object of string arrays (`{"strengths": [..], ...}`), each with at most `max` items.
pub fn string_lists(keys: &[&str], max: u32) -> Value {
    let properties: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| {
            (
                k.to_string(),
                serde_json::json!({"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": max}),
            )
        })
        .collect();
    serde_json::json!({"type": "object", "properties": properties, "required": keys, "additionalProperties": false})
}

/// Text cut to `max` characters for a prompt, with a note when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}\n(…이하 생략)", &text[..i]),
        None => text.to_string(),
    }
}

/// Strings the model returned, trimmed, blank ones dropped.
pub fn clean(list: Vec<String>) -> Vec<String> {
    list.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

//! `chat` (seed §5): a chat turn with retrieval and the `get_schedule` tool.
//!
//! A turn either answers, or asks the backend to run a tool (`tool_used`,
//! `response: null`); the backend then calls again with `tool_result` and
//! the answer follows. The room's pending call and the message that caused
//! it are kept under `chat/<room_id>` in [`crate::STORE`], so the answer
//! speaks to the original question (`다음 주 면접은 …`).
//!
//! Without a model: a schedule question (career-core's router) asks for
//! `get_schedule` with the dates it names; a tool result is answered from
//! its data; anything else fails `LLM_NOT_CONFIGURED`.
//!
//! With a model: the user's résumés, portfolios and postings are searched
//! (top 4 passages, cited in `sources`) and the model answers in a JSON
//! schema `{tool, params, response}`. The rule router wins on schedule
//! questions: when it recognises one, the turn asks for `get_schedule` even
//! if the model answered directly (a model cannot know the user's calendar,
//! so such an answer would be invented), and with the router's dates when
//! the message names a time (they are computed from the reference date; a
//! model's week arithmetic is not). The model's own dates are used when the
//! router found no time expression, if they are valid `YYYY-MM-DD` in order.

use capsule_sdk::Failure;
use capsule_sdk::keyvalue::{get_json, set_json};
use capsule_sdk::language::{Message, Role, codes as llm_codes};
use career_core::chat::{self as rules, GET_SCHEDULE, ScheduleQuery};
use career_core::chunk::COLLECTIONS;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::retrieve::{self, Passage};
use crate::types::{ChatInput, ChatOutput, Method, ToolResult, ToolUse};
use crate::{CareerHost, STORE, codes, llm};

/// Passages given to the model and cited.
const TOP_PASSAGES: u32 = 4;
/// Earlier turns given to the model.
const HISTORY_TURNS: usize = 10;

/// A tool call waiting for the backend's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub tool: String,
    pub params: Value,
    /// The message that asked for it.
    pub message: String,
    /// The date its relative words were read against, `YYYY-MM-DD`.
    pub reference_date: String,
}

/// What the store keeps per room.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Room {
    pub pending: Option<Pending>,
}

/// The room's key in the store.
pub fn key(room_id: &str) -> String {
    format!("chat/{room_id}")
}

/// One chat call.
///
/// Fails `CAREER_MISSING_MESSAGE` (no message and no tool result),
/// `CAREER_UNKNOWN_TOOL` (a result for another tool), `CAREER_INVALID_DATE`,
/// `LLM_NOT_CONFIGURED` (without a model, a message that is not a schedule
/// question), and with the model's code when its call fails.
pub fn chat(input: &ChatInput, host: &mut impl CareerHost, today: NaiveDate) -> Result<ChatOutput, Failure> {
    let reference = crate::reference_date(input.reference_date.as_deref(), today)?;
    let mut warnings = Vec::new();
    if let Some(result) = &input.tool_result {
        return answer_tool_result(input, result, host, reference, warnings);
    }
    let message = input.message.as_deref().map(str::trim).unwrap_or("");
    if message.is_empty() {
        return Err(Failure::new(
            codes::MISSING_MESSAGE,
            "`message` is empty and there is no `tool_result`; send one of them",
        ));
    }
    let routed = rules::route(message, reference);
    let use_model = llm::wanted(input.method, host);
    if !use_model {
        let Some(query) = routed else {
            return Err(Failure::new(
                llm_codes::LLM_NOT_CONFIGURED,
                format!(
                    "only schedule questions are answered without a language model, and this host has none for `{}` \
                     (or `method: rules` was asked for); configure a model for it",
                    crate::MODEL
                ),
            ));
        };
        host.progress(50, "routing", "a schedule question: asking the backend for the schedule");
        let tool = ask_for_schedule(input, host, message, &query, reference, &mut warnings);
        return Ok(ChatOutput {
            success: true,
            response: None,
            tool_used: Some(tool),
            sources: Vec::new(),
            method: Method::Rules,
            warnings,
        });
    }

    host.progress(10, "retrieving", "searching the user's documents");
    let passages = match retrieve::search(host, &input.user_id, message, &COLLECTIONS, TOP_PASSAGES, &mut warnings) {
        Ok(p) => p,
        Err(f) => {
            warnings.push(format!("the user's documents were not searched: {} ({})", f.message, f.code));
            Vec::new()
        }
    };
    host.progress(40, "answering", "asking the model");
    let decision = match decide(input, message, &passages, reference, host) {
        Ok(d) => d,
        // The router alone can still ask for the schedule; anything else needs the model's answer.
        Err(f) if routed.is_some() => {
            warnings.push(format!(
                "the model did not answer, so the rule router asked for the schedule ({}: {})",
                f.code, f.message
            ));
            Decision { tool: None, params: None, response: None }
        }
        Err(f) => return Err(f),
    };
    let sources = passages.iter().map(Passage::source).collect();
    let model_dates =
        decision.params.as_ref().and_then(dates_of).filter(|_| decision.tool.as_deref() == Some(GET_SCHEDULE));
    let query = match (routed, model_dates) {
        (Some(q), _) if q.explicit => Some(q),
        (_, Some((start, end))) => Some(rules::query_for(message, start, end, reference)),
        (Some(q), None) => Some(q),
        (None, None) if decision.tool.as_deref() == Some(GET_SCHEDULE) => {
            warnings.push(
                "the model asked for the schedule without valid dates; the next two weeks are asked for".to_string(),
            );
            let end = reference + chrono::Days::new(rules::DEFAULT_DAYS_AHEAD);
            Some(rules::query_for(message, reference, end, reference))
        }
        (None, None) => None,
    };
    if let Some(query) = query {
        let tool = ask_for_schedule(input, host, message, &query, reference, &mut warnings);
        return Ok(ChatOutput {
            success: true,
            response: None,
            tool_used: Some(tool),
            sources,
            method: Method::Llm,
            warnings,
        });
    }
    let response = decision.response.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).ok_or_else(|| {
        Failure::retryable(llm_codes::LLM_OUTPUT_INVALID, "the model answered with neither a tool call nor a response")
    })?;
    host.progress(100, "done", "answered");
    Ok(ChatOutput { success: true, response: Some(response), tool_used: None, sources, method: Method::Llm, warnings })
}

/// `get_schedule` for `query`, remembered in the room for the result's call.
fn ask_for_schedule(
    input: &ChatInput,
    host: &mut impl CareerHost,
    message: &str,
    query: &ScheduleQuery,
    reference: NaiveDate,
    warnings: &mut Vec<String>,
) -> ToolUse {
    let params = query.params();
    let room = Room {
        pending: Some(Pending {
            tool: GET_SCHEDULE.to_string(),
            params: params.clone(),
            message: message.to_string(),
            reference_date: reference.format("%Y-%m-%d").to_string(),
        }),
    };
    // Without the store the tool call still works; its answer just cannot name the question.
    if let Err(f) = set_json(host, STORE, &key(&input.room_id), &room) {
        warnings.push(format!("the pending tool call was not remembered: {} ({})", f.message, f.code));
    }
    ToolUse { tool: GET_SCHEDULE.to_string(), params }
}

fn dates_of(params: &Value) -> Option<(NaiveDate, NaiveDate)> {
    let date = |k: &str| params.get(k)?.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let (start, end) = (date("start_date")?, date("end_date")?);
    (start <= end).then_some((start, end))
}

fn answer_tool_result(
    input: &ChatInput,
    result: &ToolResult,
    host: &mut impl CareerHost,
    reference: NaiveDate,
    mut warnings: Vec<String>,
) -> Result<ChatOutput, Failure> {
    if result.tool != GET_SCHEDULE {
        return Err(Failure::new(
            codes::UNKNOWN_TOOL,
            format!("`tool_result.tool` is `{}`; the assistant only asks for `{GET_SCHEDULE}`", result.tool),
        ));
    }
    let room_key = key(&input.room_id);
    let pending = match get_json::<Room>(host, STORE, &room_key) {
        Ok(room) => room.and_then(|r| r.pending).filter(|p| p.tool == GET_SCHEDULE),
        Err(f) => {
            warnings.push(format!("the pending tool call could not be read: {} ({})", f.message, f.code));
            None
        }
    };
    let query = pending.as_ref().and_then(|p| {
        let (start, end) = dates_of(&p.params)?;
        let asked_on = NaiveDate::parse_from_str(&p.reference_date, "%Y-%m-%d").unwrap_or(reference);
        Some(rules::query_for(&p.message, start, end, asked_on))
    });
    let rules_answer = rules::schedule_answer(result.success, &result.data, query.as_ref());
    let (response, method) = if llm::wanted(input.method, host) {
        match answer_with_model(result, pending.as_ref(), &rules_answer, reference, host) {
            Ok(r) => (r, Method::Llm),
            Err(f) => {
                warnings.push(format!(
                    "the model's answer was unusable, so the rules wrote it ({}: {})",
                    f.code, f.message
                ));
                (rules_answer, Method::Rules)
            }
        }
    } else {
        (rules_answer, Method::Rules)
    };
    if pending.is_some()
        && let Err(f) = set_json(host, STORE, &room_key, &Room::default())
    {
        warnings.push(format!("the answered tool call was not cleared: {} ({})", f.message, f.code));
    }
    host.progress(100, "done", "answered");
    Ok(ChatOutput { success: true, response: Some(response), tool_used: None, sources: Vec::new(), method, warnings })
}

/// The model's decision for a turn.
#[derive(Debug, Deserialize)]
struct Decision {
    tool: Option<String>,
    #[serde(default)]
    params: Option<Value>,
    response: Option<String>,
}

fn system_prompt(reference: NaiveDate) -> String {
    let tools = serde_json::to_string(&rules::tools()).unwrap_or_default();
    format!(
        "당신은 취업 준비생을 돕는 한국어 커리어 어시스턴트입니다. 오늘은 {} ({})입니다.\n\
         사용자의 이력서·포트폴리오·채용공고에서 찾은 [참고 문서]가 있으면 그 내용을 근거로 답하고, 없는 사실을 지어내지 마십시오.\n\
         사용자의 일정(면접, 코딩테스트, 마감 등)을 묻는 질문에는 직접 답하지 말고 도구를 요청하십시오: \
         tool을 \"get_schedule\"로, params에 start_date와 end_date(YYYY-MM-DD, 이번 주는 월요일~일요일)를 넣고 response는 null로 두십시오.\n\
         그 밖의 질문에는 tool과 params를 null로 두고 response에 답을 쓰십시오.\n사용 가능한 도구: {tools}",
        reference.format("%Y-%m-%d"),
        reference.format("%A")
    )
}

fn decide(
    input: &ChatInput,
    message: &str,
    passages: &[Passage],
    reference: NaiveDate,
    host: &mut impl CareerHost,
) -> Result<Decision, Failure> {
    let mut messages = vec![Message::system(system_prompt(reference))];
    let start = input.history.len().saturating_sub(HISTORY_TURNS);
    for turn in &input.history[start..] {
        let role = match turn.role.as_str() {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            _ => continue,
        };
        messages.push(Message { role, content: turn.content.clone() });
    }
    let context = if passages.is_empty() {
        String::new()
    } else {
        let cited: Vec<String> = passages
            .iter()
            .enumerate()
            .map(|(i, p)| format!("[{}] ({}, {}) {}", i + 1, p.collection, p.document_id, llm::excerpt(&p.text, 700)))
            .collect();
        format!("[참고 문서]\n{}\n\n", cited.join("\n"))
    };
    messages.push(Message::user(format!("{context}[질문]\n{message}\n\nJSON으로 답하십시오.")));
    let schema = json!({
        "type": "object",
        "properties": {
            "tool": {"type": ["string", "null"], "enum": [GET_SCHEDULE, null]},
            "params": {
                "type": ["object", "null"],
                "properties": {
                    "start_date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
                    "end_date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}
                }
            },
            "response": {"type": ["string", "null"]}
        },
        "required": ["tool", "params", "response"],
        "additionalProperties": false
    });
    llm::ask(host, messages, schema, 1024)
}

#[derive(Deserialize)]
struct ModelAnswer {
    response: String,
}

fn answer_with_model(
    result: &ToolResult,
    pending: Option<&Pending>,
    rules_answer: &str,
    reference: NaiveDate,
    host: &mut impl CareerHost,
) -> Result<String, Failure> {
    let question =
        pending.map_or("(원래 질문을 알 수 없음: 일정을 정리해 주십시오)", |p| p.message.as_str());
    let data = serde_json::to_string(&result.data).unwrap_or_default();
    let user = format!(
        "[원래 질문]\n{question}\n\n[get_schedule 결과] success={}\n{data}\n\n[규칙으로 정리한 답(사실 확인용)]\n{rules_answer}\n\n\
         결과에 있는 일정만 사용해, 날짜와 시간 순서로 원래 질문에 한국어로 답하십시오. JSON으로 답하십시오.",
        result.success
    );
    let schema = json!({
        "type": "object",
        "properties": {"response": {"type": "string", "minLength": 1}},
        "required": ["response"],
        "additionalProperties": false
    });
    let answer: ModelAnswer = llm::ask(
        host,
        vec![
            Message::system(format!(
                "당신은 한국어 커리어 어시스턴트입니다. 오늘은 {}입니다.",
                reference.format("%Y-%m-%d")
            )),
            Message::user(user),
        ],
        schema,
        600,
    )?;
    let response = answer.response.trim().to_string();
    if response.is_empty() {
        return Err(Failure::retryable(llm_codes::LLM_OUTPUT_INVALID, "the model answered with an empty response"));
    }
    Ok(response)
}

//! Seed 001's assistant routes (§2–§5): embedding typed-in text, analysis
//! and matching, the mock interview and chat. Each is a job of the
//! `career` component with an `op`; the synchronous ones wait for it, the
//! streamed ones answer Server-Sent Events ([`super::stream`]).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::stream::{Reply, streamed};
use super::{AI_UNAVAILABLE, INTERNAL, SeedError, UNAVAILABLE, seed_error, seed_ok};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed, Waited, submit_and_wait};
use crate::auth::Caller;

/// The capability behind every route here.
pub(super) const CAREER: &str = "career";

pub(super) const MISSING_FIELD: SeedError = seed_error(StatusCode::BAD_REQUEST, "missing_required_field", 4003);
pub(super) const INVALID_DOCUMENT_TYPE: SeedError = seed_error(StatusCode::BAD_REQUEST, "invalid_document_type", 4002);
const EMPTY_TEXT: SeedError = seed_error(StatusCode::BAD_REQUEST, "empty_text", 4004);
const MISSING_RESUME_TEXT: SeedError = seed_error(StatusCode::BAD_REQUEST, "missing_resume_text", 4005);
const MISSING_POSTING_TEXT: SeedError = seed_error(StatusCode::BAD_REQUEST, "missing_posting_text", 4006);
const INVALID_INTERVIEW_TYPE: SeedError = seed_error(StatusCode::BAD_REQUEST, "invalid_interview_type", 4007);
const MAX_QUESTIONS_REACHED: SeedError = seed_error(StatusCode::BAD_REQUEST, "max_questions_reached", 4008);
const NO_QA_FOUND: SeedError = seed_error(StatusCode::BAD_REQUEST, "no_qa_found", 4009);
const SESSION_NOT_FOUND: SeedError = seed_error(StatusCode::NOT_FOUND, "session_not_found", 4043);
const EMBEDDING_FAILED: SeedError = seed_error(StatusCode::INTERNAL_SERVER_ERROR, "embedding_failed", 5002);

/// The most questions one interview session has (seed 001 §4).
pub const MAX_QUESTIONS: i64 = 5;

/// What the `career` component is asked to do; each route is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Embed,
    Analyze,
    InterviewQuestion,
    InterviewSave,
    InterviewReport,
    Chat,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Embed => "embed",
            Op::Analyze => "analyze",
            Op::InterviewQuestion => "interview_question",
            Op::InterviewSave => "interview_save",
            Op::InterviewReport => "interview_report",
            Op::Chat => "chat",
        }
    }

    /// The op a stored `career` job ran, from its input.
    pub(super) fn of_input(input: &str) -> Option<Op> {
        let op = serde_json::from_str::<Value>(input).ok()?.get("op")?.as_str()?.to_string();
        [Op::Embed, Op::Analyze, Op::InterviewQuestion, Op::InterviewSave, Op::InterviewReport, Op::Chat]
            .into_iter()
            .find(|o| o.name() == op)
    }

    /// The seed's `message` for a finished answer.
    pub(super) fn done_message(self, data: &Value) -> &'static str {
        match self {
            Op::Embed => "embedding_success",
            Op::Analyze => "analysis_complete",
            Op::InterviewQuestion => "question_generated",
            Op::InterviewSave => "qa_saved",
            Op::InterviewReport => "report_generated",
            Op::Chat if data.get("tool_used").is_some_and(|t| !t.is_null()) => "tool_required",
            Op::Chat => "chat_response",
        }
    }
}

/// Failure codes of the `career` component (and the engines it uses) →
/// seed errors, with the component's sentence as the reason.
pub(super) fn career_failure(code: &str, reason: &str) -> SeedError {
    let error = match code {
        "CAREER_INVALID_DOCUMENT_TYPE" => INVALID_DOCUMENT_TYPE,
        "CAREER_EMPTY_TEXT" => EMPTY_TEXT,
        "CAREER_MISSING_RESUME_TEXT" => MISSING_RESUME_TEXT,
        "CAREER_MISSING_POSTING_TEXT" => MISSING_POSTING_TEXT,
        "CAREER_INVALID_INTERVIEW_TYPE" => INVALID_INTERVIEW_TYPE,
        "CAREER_MAX_QUESTIONS_REACHED" => MAX_QUESTIONS_REACHED,
        "CAREER_NO_QA_FOUND" => NO_QA_FOUND,
        "CAREER_SESSION_NOT_FOUND" => SESSION_NOT_FOUND,
        "CAREER_MISSING_MESSAGE" | "COMMON_INVALID_REQUEST" => MISSING_FIELD,
        "EMBEDDING_FAILED" => EMBEDDING_FAILED,
        "LLM_NOT_CONFIGURED" | "EMBEDDINGS_UNAVAILABLE" | "VECTORS_UNAVAILABLE" | "KEYVALUE_UNAVAILABLE" => {
            AI_UNAVAILABLE
        }
        "LLM_RATE_LIMITED" | "LLM_UPSTREAM_FAILED" | "JOB_TIMEOUT" | "KEYVALUE_FAILED" => UNAVAILABLE,
        _ => INTERNAL,
    };
    error.because(reason)
}

/// A seed-001 body whose fields are read as JSON values, so each route
/// words its own problems (which field, which code) instead of serde's.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct AssistantRequest(Map<String, Value>);

impl ProfileRequest for AssistantRequest {
    type Error = SeedError;
    fn rejected(problem: BodyProblem) -> SeedError {
        SeedError::for_body(problem, MISSING_FIELD)
    }
}

impl AssistantRequest {
    /// A field that must be a string; `None` when missing, null or blank.
    fn text(&self, name: &str) -> Result<Option<&str>, SeedError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            // No store keeps U+0000 in text (PostgreSQL refuses it), so it
            // is refused here rather than failing the job on some hosts.
            Some(Value::String(s)) if s.contains('\0') => {
                Err(MISSING_FIELD.because(format!("`{name}` contains a NUL character (U+0000); remove it")))
            }
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(MISSING_FIELD.because(format!("`{name}` must be a string, not {}", kind(other)))),
        }
    }

    /// Every field in `names` present as a non-blank string, or
    /// `missing_required_field` naming each one that is not.
    fn require(&self, names: &[&str]) -> Result<Map<String, Value>, SeedError> {
        let mut missing = Vec::new();
        let mut out = Map::new();
        for name in names {
            match self.text(name)? {
                Some(v) => {
                    out.insert((*name).to_string(), Value::String(v.to_string()));
                }
                None => missing.push(format!("`{name}`")),
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(MISSING_FIELD.because(format!("{} must be given as non-empty strings", missing.join(", "))))
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn with_op(op: Op, mut fields: Map<String, Value>) -> Value {
    fields.insert("op".into(), Value::String(op.name().into()));
    Value::Object(fields)
}

/// The first problem among `checks`, seed-specific codes before 4003:
/// a client that forgot its resume text learns that, not "a field is missing".
fn first_problem(checks: impl IntoIterator<Item = Option<SeedError>>) -> Result<(), SeedError> {
    checks.into_iter().flatten().next().map_or(Ok(()), Err)
}

/// Run a synchronous op on checked fields and answer the seed's `{message, data}`.
async fn synchronous(
    state: &AppState,
    caller: &Caller,
    op: Op,
    checked: Result<Map<String, Value>, SeedError>,
) -> Response {
    let fields = match checked {
        Ok(fields) => fields,
        Err(e) => return e.into_response(),
    };
    // A host without the component answers `ai_service_unavailable` through `From<JobError>`.
    match submit_and_wait(state, CAREER, with_op(op, fields), caller.tenant(), state.config.seed_sync_wait).await {
        Ok(Waited::Completed(data)) => seed_ok(op.done_message(&data), data),
        Ok(Waited::Failed(failure)) => career_failure(&failure.code, &failure.message).into_response(),
        Ok(Waited::Running(id)) => UNAVAILABLE
            .because(format!("the answer is taking longer than usual; fetch it with GET /ai/task/{id}"))
            .into_response(),
        Err(e) => SeedError::from(e).into_response(),
    }
}

/// `POST /ai/file/embed` (§2, synchronous): `{type, id, user_id, text}`.
pub async fn file_embed(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        let document_type = body.text("type")?;
        if let Some(t) = document_type
            && !matches!(t, "resume" | "portfolio" | "job_posting")
        {
            return Err(
                INVALID_DOCUMENT_TYPE.because(format!("`type` is `{t}`; use `resume`, `portfolio` or `job_posting`"))
            );
        }
        if body.text("text")?.is_none() {
            return Err(EMPTY_TEXT.because("`text` is missing or blank; send the document's text"));
        }
        body.require(&["type", "id", "user_id", "text"])
    };
    synchronous(&state, &caller, Op::Embed, checks()).await
}

/// `POST /ai/analyze` (§3, streamed): `{resume_id, posting_id, resume_text, posting_text}`.
pub async fn analyze(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        first_problem([
            body.text("resume_text")?
                .is_none()
                .then(|| MISSING_RESUME_TEXT.because("`resume_text` is missing or blank")),
            body.text("posting_text")?
                .is_none()
                .then(|| MISSING_POSTING_TEXT.because("`posting_text` is missing or blank")),
        ])?;
        body.require(&["resume_id", "posting_id", "resume_text", "posting_text"])
    };
    streamed(&state, &caller, Reply::from_headers(&headers), Op::Analyze, checks()).await
}

fn interview_type(body: &AssistantRequest) -> Result<(), SeedError> {
    match body.text("interview_type")? {
        Some("personality" | "technical") | None => Ok(()),
        Some(other) => {
            Err(INVALID_INTERVIEW_TYPE
                .because(format!("`interview_type` is `{other}`; use `personality` or `technical`")))
        }
    }
}

/// `user_id` is not in the seed's interview bodies; Capsule reads it when
/// sent, to search that user's embedded documents.
fn optional_user(body: &AssistantRequest, fields: &mut Map<String, Value>) -> Result<(), SeedError> {
    if let Some(user) = body.text("user_id")? {
        fields.insert("user_id".into(), Value::String(user.into()));
    }
    Ok(())
}

/// `POST /ai/interview/question` (§4.1, synchronous).
pub async fn interview_question(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        interview_type(&body)?;
        let mut fields = body.require(&["room_id", "session_id", "interview_type", "resume_text", "posting_text"])?;
        optional_user(&body, &mut fields)?;
        Ok(fields)
    };
    synchronous(&state, &caller, Op::InterviewQuestion, checks()).await
}

/// `POST /ai/interview/save` (§4.2, synchronous).
pub async fn interview_save(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        let mut fields = body.require(&["room_id", "session_id", "question_id", "question", "answer"])?;
        match body.0.get("is_followup") {
            Some(Value::Bool(b)) => {
                fields.insert("is_followup".into(), Value::Bool(*b));
            }
            _ => return Err(MISSING_FIELD.because("`is_followup` must be given as true or false")),
        }
        match body.0.get("question_number").and_then(Value::as_i64) {
            Some(n) if (1..=MAX_QUESTIONS).contains(&n) => {
                fields.insert("question_number".into(), json!(n));
            }
            _ => {
                return Err(MISSING_FIELD
                    .because(format!("`question_number` must be given as an integer from 1 to {MAX_QUESTIONS}")));
            }
        }
        Ok(fields)
    };
    synchronous(&state, &caller, Op::InterviewSave, checks()).await
}

/// `POST /ai/interview/report` (§4.3, streamed).
pub async fn interview_report(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        interview_type(&body)?;
        let fields =
            body.require(&["room_id", "session_id", "interview_type", "resume_text", "posting_text", "ended_by"])?;
        match body.text("ended_by")? {
            Some("auto" | "manual") => Ok(fields),
            other => Err(MISSING_FIELD.because(format!(
                "`ended_by` is `{}`; use `auto` (five questions done) or `manual`",
                other.unwrap_or_default()
            ))),
        }
    };
    streamed(&state, &caller, Reply::from_headers(&headers), Op::InterviewReport, checks()).await
}

/// `POST /ai/chat` (§5, streamed): a message, or the result of a tool the
/// previous answer asked the backend to run.
pub async fn chat(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Typed(body): Typed<AssistantRequest>,
) -> Response {
    let checks = || -> Result<Map<String, Value>, SeedError> {
        let mut fields = body.require(&["room_id", "user_id"])?;
        let tool_result = match body.0.get("tool_result") {
            None | Some(Value::Null) => None,
            Some(Value::Object(t)) if t.get("tool").and_then(Value::as_str).is_some() => Some(Value::Object(t.clone())),
            Some(_) => {
                return Err(MISSING_FIELD.because(
                    "`tool_result` must be an object with `tool` (e.g. `get_schedule`), `success` and `data`",
                ));
            }
        };
        match (body.text("message")?, tool_result) {
            (None, None) => {
                return Err(MISSING_FIELD.because("`message` is required unless the body carries a `tool_result`"));
            }
            (message, tool_result) => {
                if let Some(m) = message {
                    fields.insert("message".into(), Value::String(m.into()));
                }
                if let Some(t) = tool_result {
                    fields.insert("tool_result".into(), t);
                }
            }
        }
        match body.0.get("history") {
            None | Some(Value::Null) => {}
            Some(Value::Array(turns)) => {
                let valid = turns.iter().all(|t| {
                    t.get("role").and_then(Value::as_str).is_some_and(|r| matches!(r, "user" | "assistant"))
                        && t.get("content").and_then(Value::as_str).is_some_and(|c| !c.contains('\0'))
                });
                if !valid {
                    return Err(MISSING_FIELD
                        .because("`history` must be a list of `{role: \"user\" | \"assistant\", content: string}` (without NUL characters)"));
                }
                fields.insert("history".into(), Value::Array(turns.clone()));
            }
            Some(_) => return Err(MISSING_FIELD.because("`history` must be a list of turns")),
        }
        if let Some(date) = body.text("reference_date")? {
            fields.insert("reference_date".into(), Value::String(date.into()));
        }
        Ok(fields)
    };
    streamed(&state, &caller, Reply::from_headers(&headers), Op::Chat, checks()).await
}

//! Seed `001` (the career assistant) profile: its exact routes and
//! envelope, `{"message", "data"}` / `{"message", "error_code", "data": null}`,
//! mapped onto the same jobs as the native API. File-reading tasks (OCR,
//! masking) and their polling route live in [`tasks`].

mod assistant;
mod docs;
mod stream;
mod tasks;

pub use assistant::{analyze, chat, file_embed, interview_question, interview_report, interview_save};
pub use docs::fragment;
pub use tasks::{masking_draft, ocr_extract, task_status};

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::envelope::{close_connection, ends_connection, path_problem};
use super::profile::{BodyProblem, ProfileRequest, Typed, Waited, WireCode, submit_and_wait};
use crate::auth::Caller;
use crate::jobs::JobError;

/// The capability behind `POST /ai/calendar/parse`.
const CALENDAR: &str = "calendar";

/// A seed-001 error: HTTP status, `message` key and numeric `error_code`,
/// plus (Capsule's addition) a `reason` sentence when there is more to say.
pub struct SeedError {
    status: StatusCode,
    message: &'static str,
    code: u16,
    reason: Option<String>,
}

pub(in crate::api) const fn seed_error(status: StatusCode, message: &'static str, code: u16) -> SeedError {
    SeedError { status, message, code, reason: None }
}

impl SeedError {
    pub(in crate::api) fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

const INVALID_REQUEST: SeedError = seed_error(StatusCode::BAD_REQUEST, "invalid_request", 4000);
const NO_INPUT: SeedError = seed_error(StatusCode::BAD_REQUEST, "no_input_provided", 4010);
const PARSE_FAILED: SeedError = seed_error(StatusCode::BAD_REQUEST, "parse_failed", 4011);
const FILE_NOT_FOUND: SeedError = seed_error(StatusCode::NOT_FOUND, "file_not_found", 4041);
const INTERNAL: SeedError = seed_error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", 5000);
pub(in crate::api) const UNAVAILABLE: SeedError =
    seed_error(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", 5030);
const AI_UNAVAILABLE: SeedError = seed_error(StatusCode::SERVICE_UNAVAILABLE, "ai_service_unavailable", 5031);
/// Seed 001's common authentication codes, answered by `api::auth` on its routes.
pub(in crate::api) const UNAUTHORIZED: SeedError = seed_error(StatusCode::UNAUTHORIZED, "unauthorized", 4010);
pub(in crate::api) const TOKEN_EXPIRED: SeedError = seed_error(StatusCode::UNAUTHORIZED, "token_expired", 4011);
pub(in crate::api) const INVALID_TOKEN: SeedError = seed_error(StatusCode::UNAUTHORIZED, "invalid_token", 4012);
pub(in crate::api) const FORBIDDEN: SeedError = seed_error(StatusCode::FORBIDDEN, "forbidden", 4030);
/// Seed 001 has no 429; the code follows its numbering (status, then a digit).
pub(in crate::api) const TOO_MANY_REQUESTS: SeedError =
    seed_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", 4290);
/// Seed 001 has no code for a body over the size limit (FastAPI never set
/// one). 4130 follows its scheme (HTTP status, then a digit) so a client
/// keyed on `error_code` sees a distinct 4xx rather than `invalid_request`.
const PAYLOAD_TOO_LARGE: SeedError = seed_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", 4130);

const fn row(status: StatusCode, name: &'static str, code: u16, meaning: &'static str) -> WireCode {
    WireCode { status, name, code: Some(code), meaning }
}

/// Every code seed 001's routes answer, for its docs.
pub const CODES: &[WireCode] = &[
    row(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        4000,
        "the calendar body is not a JSON object of strings, or a path is not UTF-8",
    ),
    row(
        StatusCode::BAD_REQUEST,
        "invalid_file_type",
        4001,
        "`file_type` is not `pdf`/`image`, or the file is not what it says, empty or damaged",
    ),
    row(StatusCode::BAD_REQUEST, "invalid_document_type", 4002, "`type` is not `resume`, `portfolio` or `job_posting`"),
    row(
        StatusCode::BAD_REQUEST,
        "missing_required_field",
        4003,
        "a required field is missing, blank or of the wrong type (the `reason` names it)",
    ),
    row(StatusCode::BAD_REQUEST, "empty_text", 4004, "`/ai/file/embed`'s `text` is missing or blank"),
    row(StatusCode::BAD_REQUEST, "missing_resume_text", 4005, "`resume_text` is missing or blank"),
    row(StatusCode::BAD_REQUEST, "missing_posting_text", 4006, "`posting_text` is missing or blank"),
    row(
        StatusCode::BAD_REQUEST,
        "invalid_interview_type",
        4007,
        "`interview_type` is not `personality` or `technical`",
    ),
    row(StatusCode::BAD_REQUEST, "max_questions_reached", 4008, "the session already has its five questions"),
    row(StatusCode::BAD_REQUEST, "no_qa_found", 4009, "the session has no saved question and answer to evaluate"),
    row(StatusCode::BAD_REQUEST, "no_input_provided", 4010, "the calendar has neither `text` nor `file_url`"),
    row(StatusCode::BAD_REQUEST, "parse_failed", 4011, "no date or schedule was found"),
    row(StatusCode::NOT_FOUND, "file_not_found", 4041, "`file_url` is not a stored file or a granted host"),
    row(StatusCode::NOT_FOUND, "task_not_found", 4042, "no task has that id"),
    row(StatusCode::NOT_FOUND, "session_not_found", 4043, "no interview session has that `session_id`"),
    row(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", 4130, "the body is over `--max-body`"),
    row(StatusCode::INTERNAL_SERVER_ERROR, "ocr_processing_failed", 5001, "the OCR task failed"),
    row(StatusCode::INTERNAL_SERVER_ERROR, "embedding_failed", 5002, "the text was read but could not be embedded"),
    row(StatusCode::INTERNAL_SERVER_ERROR, "masking_failed", 5003, "the masking task failed"),
    row(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", 5030, "the queue is full or the answer took too long"),
    row(
        StatusCode::SERVICE_UNAVAILABLE,
        "ai_service_unavailable",
        5031,
        "an engine or component this needs is not on this host",
    ),
];

impl From<JobError> for SeedError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::InvalidInput(m) => INVALID_REQUEST.because(m),
            JobError::CapabilityNotFound(c) => {
                AI_UNAVAILABLE.because(format!("this server does not run the `{c}` component"))
            }
            JobError::QueueFull { .. } => UNAVAILABLE.because("too many tasks are waiting; retry shortly"),
            JobError::Store(e) if e.is_unavailable() => {
                UNAVAILABLE.because("the job database is not answering; retry shortly")
            }
            JobError::NotFound(_) | JobError::AlreadyFinished { .. } | JobError::Store(_) => INTERNAL,
        }
    }
}

impl SeedError {
    /// A body over the limit is always 413; anything else wrong with it is `otherwise`.
    fn for_body(problem: BodyProblem, otherwise: SeedError) -> SeedError {
        match problem {
            BodyProblem::TooLarge { .. } => PAYLOAD_TOO_LARGE.because(problem.sentence()),
            _ => otherwise.because(problem.sentence()),
        }
    }
}

impl SeedError {
    /// The seed's error body: `{message, error_code, data: null}` and the `reason`.
    pub(in crate::api) fn body(&self) -> Value {
        let mut body = json!({ "message": self.message, "error_code": self.code, "data": null });
        if let Some(reason) = &self.reason {
            body["reason"] = Value::String(reason.clone());
        }
        body
    }
}

impl IntoResponse for SeedError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        if ends_connection(self.status) {
            close_connection(&mut response);
        }
        response
    }
}

/// Path parameters of seed routes: a rejection (a segment that is not UTF-8
/// once percent-decoded) is seed 001's `invalid_request` 4000 with a reason,
/// never axum's `text/plain`.
pub struct SeedPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for SeedPath<T> {
    type Rejection = SeedError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(rejection) => Err(match path_problem(&rejection) {
                Some(problem) => INVALID_REQUEST.because(problem),
                None => {
                    tracing::error!(error = %rejection.body_text(), "seed route path extraction");
                    INTERNAL
                }
            }),
        }
    }
}

fn seed_ok(message: &str, data: Value) -> Response {
    (StatusCode::OK, axum::Json(json!({ "message": message, "data": data }))).into_response()
}

/// Failure codes of the calendar component (and the host) → seed errors.
fn calendar_failure(code: &str) -> SeedError {
    match code {
        "CALENDAR_NO_INPUT_PROVIDED" => NO_INPUT,
        "CALENDAR_PARSE_FAILED" => PARSE_FAILED,
        "CALENDAR_INVALID_REFERENCE_DATE" | "CALENDAR_INVALID_TIMEZONE" | "COMMON_INVALID_REQUEST" => INVALID_REQUEST,
        "BLOB_NOT_FOUND" | "BLOB_URL_NOT_ALLOWED" => FILE_NOT_FOUND,
        "OCR_ENGINE_UNAVAILABLE" | "PDF_RENDER_UNAVAILABLE" | "LLM_NOT_CONFIGURED" => AI_UNAVAILABLE,
        "JOB_TIMEOUT" => UNAVAILABLE,
        _ => INTERNAL,
    }
}

/// `POST /ai/calendar/parse`'s body: `{file_url?, text?}` plus Capsule's
/// optional `reference_date` and `timezone`. Like the FastAPI original,
/// unknown fields are ignored; known ones must be strings (or null).
#[derive(Deserialize, Serialize)]
pub struct CalendarRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
}

impl ProfileRequest for CalendarRequest {
    type Error = SeedError;
    fn rejected(problem: BodyProblem) -> SeedError {
        SeedError::for_body(problem, INVALID_REQUEST)
    }
}

/// `POST /ai/calendar/parse` (synchronous).
pub async fn calendar_parse(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<CalendarRequest>,
) -> Response {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&body.text) && blank(&body.file_url) {
        return NO_INPUT.into_response();
    }
    let input = serde_json::to_value(&body).unwrap_or(Value::Null);
    let result = match submit_and_wait(&state, CALENDAR, input, caller.tenant(), state.config.seed_sync_wait).await {
        Ok(Waited::Completed(result)) => result,
        Ok(Waited::Failed(failure)) => return calendar_failure(&failure.code).into_response(),
        Ok(Waited::Running(_)) => return UNAVAILABLE.into_response(),
        Err(e) => return SeedError::from(e).into_response(),
    };
    let mut data = json!({ "success": true });
    if let (Some(d), Value::Object(r)) = (data.as_object_mut(), result) {
        d.extend(r);
    }
    seed_ok("calendar_parsed", data)
}

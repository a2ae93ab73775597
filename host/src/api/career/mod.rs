//! Seed `001` (the career assistant) profile: its exact routes and
//! envelope, `{"message", "data"}` / `{"message", "error_code", "data": null}`,
//! mapped onto the same jobs as the native API. File-reading tasks (OCR,
//! masking) and their polling route live in [`tasks`].

mod tasks;

pub use tasks::{masking_draft, ocr_extract, task_status};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::AppState;
use super::envelope::{close_connection, ends_connection, path_problem};
use crate::auth::Caller;
use crate::jobs::JobError;
use crate::store::Status;

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

impl IntoResponse for SeedError {
    fn into_response(self) -> Response {
        let mut body = json!({ "message": self.message, "error_code": self.code, "data": null });
        if let Some(reason) = self.reason {
            body["reason"] = Value::String(reason);
        }
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

/// A seed route's JSON body. One over `--max-body` is refused here, as 413
/// `payload_too_large`; any other rejection is left to the route, because
/// seed 001 answers it differently per route (4000 for the calendar, 4003
/// for the file tasks).
pub struct SeedJson(pub Result<Value, JsonRejection>);

impl FromRequest<AppState> for SeedJson {
    type Rejection = SeedError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(body)) => Ok(Self(Ok(body))),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(PAYLOAD_TOO_LARGE.because(format!(
                    "the body is over this server's limit of {} bytes (--max-body); send a smaller request, \
                     and upload files with POST /api/v1/files",
                    state.config.max_body
                )))
            }
            Err(rejection) => Ok(Self(Err(rejection))),
        }
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

/// `POST /ai/calendar/parse` (synchronous): `{file_url?, text?}` plus
/// Capsule's optional `reference_date` and `timezone`.
pub async fn calendar_parse(State(state): State<AppState>, caller: Caller, SeedJson(body): SeedJson) -> Response {
    let Ok(Value::Object(body)) = body else { return INVALID_REQUEST.into_response() };
    // Like the FastAPI original, unknown fields are ignored; known ones must be strings.
    let mut input = serde_json::Map::new();
    for key in ["text", "file_url", "reference_date", "timezone"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                input.insert(key.into(), Value::String(s.clone()));
            }
            Some(_) => return INVALID_REQUEST.into_response(),
        }
    }
    let blank = |k: &str| input.get(k).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty());
    if blank("text") && blank("file_url") {
        return NO_INPUT.into_response();
    }
    let submitted = match state.jobs.submit(CALENDAR, Value::Object(input), false, caller.tenant()).await {
        Ok(s) => s,
        Err(JobError::InvalidInput(_)) => return INVALID_REQUEST.into_response(),
        Err(JobError::CapabilityNotFound(_)) => return AI_UNAVAILABLE.into_response(),
        Err(JobError::QueueFull { .. }) => return UNAVAILABLE.into_response(),
        Err(_) => return INTERNAL.into_response(),
    };
    let result = match submitted.result {
        Some(result) => result,
        None => match state.jobs.wait(&submitted.id, state.config.seed_sync_wait).await {
            Ok(record) => match record.status {
                Status::Completed => {
                    record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null)
                }
                Status::Failed | Status::Cancelled => {
                    let code = record.failure.map(|f| f.code).unwrap_or_default();
                    return calendar_failure(&code).into_response();
                }
                Status::Queued | Status::Processing => return UNAVAILABLE.into_response(),
            },
            Err(_) => return INTERNAL.into_response(),
        },
    };
    let mut data = json!({ "success": true });
    if let (Some(d), Value::Object(r)) = (data.as_object_mut(), result) {
        d.extend(r);
    }
    seed_ok("calendar_parsed", data)
}

//! Seed `004` (the GPT job queue of a Django REST Framework backend):
//! `POST /jobs` queues a guideline and answers its `event_id` at once;
//! `GET /jobs/{event_id}` answers the job as the seed's `Job` model
//! serialized by DRF. The work is the `guideline` pipeline of spin.toml
//! (`summarize` → `checklist`). Docs at `/swagger/`, `/redoc/` and
//! `/schema/` as drf-spectacular serves them, from embedded assets.
//!
//! The seed names the model's fields (input, status, result, created time)
//! but not their JSON names; these are what a `ModelSerializer` of
//! `Job(event_id, input_text, status, result, created_at)` produces.

mod docs;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub use docs::fragment;

use super::AppState;
use super::envelope::path_problem;
use super::profile::{BodyProblem, ProfileRequest, Typed, WireCode};
use crate::auth::Caller;
use crate::jobs::JobError;
use crate::store::{JobRecord, Status};

/// The pipeline behind the routes (its API name in spin.toml).
const PIPELINE: &str = "guideline";

/// The longest guideline accepted, in characters (the steps' own limit).
const MAX_TEXT: usize = 200_000;

/// A seed-004 error: DRF's shapes — `{"detail": "…"}` for the request as a
/// whole, `{"<field>": ["…"]}` for a field — with the code in `code`
/// (Capsule's addition, from [`CODES`]).
pub struct GptJobError {
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
    message: String,
}

const fn code(status: StatusCode, code: &'static str, meaning: &'static str) -> WireCode {
    WireCode { status, name: code, code: None, meaning }
}

/// Every code seed 004's routes answer.
pub const CODES: &[WireCode] = &[
    code(StatusCode::BAD_REQUEST, "JOB_INPUT_REQUIRED", "`input_text` (or `text`, `input`, `guideline`) is missing"),
    code(StatusCode::BAD_REQUEST, "JOB_INPUT_BLANK", "the guideline is empty or only spaces"),
    code(
        StatusCode::BAD_REQUEST,
        "JOB_INPUT_INVALID",
        "the guideline is not a string, or longer than 200,000 characters",
    ),
    code(StatusCode::BAD_REQUEST, "JOB_PARSE_ERROR", "the body is not a JSON object"),
    code(StatusCode::PAYLOAD_TOO_LARGE, "JOB_PAYLOAD_TOO_LARGE", "the body is over `--max-body`"),
    code(StatusCode::NOT_FOUND, "JOB_NOT_FOUND", "no job has that `event_id` (for this caller)"),
    code(
        StatusCode::SERVICE_UNAVAILABLE,
        "JOB_UNAVAILABLE",
        "the `guideline` pipeline is not deployed here, too many jobs wait, or the job database is not answering",
    ),
];

impl GptJobError {
    fn detail(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, field: None, message: message.into() }
    }

    fn field(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code, field: Some(field), message: message.into() }
    }

    fn not_found() -> Self {
        Self::detail(StatusCode::NOT_FOUND, "JOB_NOT_FOUND", "Not found.")
    }
}

impl From<JobError> for GptJobError {
    fn from(e: JobError) -> Self {
        let unavailable = |m: &str| Self::detail(StatusCode::SERVICE_UNAVAILABLE, "JOB_UNAVAILABLE", m);
        match e {
            JobError::InvalidInput(m) => Self::field("JOB_INPUT_INVALID", "input_text", m),
            JobError::NotFound(_) => Self::not_found(),
            JobError::CapabilityNotFound(_) => unavailable(
                "The `guideline` pipeline is not deployed on this server; add it to spin.toml (see README, \"The GPT job queue\").",
            ),
            JobError::QueueFull { depth, .. } => {
                unavailable(&format!("{depth} jobs are waiting; try again in a moment."))
            }
            JobError::Store(err) if err.is_unavailable() => {
                unavailable("The job database is not answering; nothing was recorded. Try again in a moment.")
            }
            JobError::AlreadyFinished { .. } | JobError::Store(_) => {
                tracing::error!(error = %e, "seed 004 route");
                unavailable("The job could not be recorded; try again, and quote the request id if it persists.")
            }
        }
    }
}

impl IntoResponse for GptJobError {
    fn into_response(self) -> Response {
        let body = match self.field {
            Some(field) => json!({ field: [self.message], "code": self.code }),
            None => json!({ "detail": self.message, "code": self.code }),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

/// `POST /jobs`'s body: the guideline under the serializer's field name or
/// one of its obvious aliases.
#[derive(Deserialize)]
pub struct CreateRequest {
    #[serde(default, alias = "text", alias = "input", alias = "guideline", alias = "content")]
    input_text: Option<Value>,
}

impl ProfileRequest for CreateRequest {
    type Error = GptJobError;
    fn rejected(problem: BodyProblem) -> GptJobError {
        match problem {
            BodyProblem::TooLarge { .. } => {
                GptJobError::detail(StatusCode::PAYLOAD_TOO_LARGE, "JOB_PAYLOAD_TOO_LARGE", problem.sentence())
            }
            BodyProblem::Invalid(m) if m.contains("duplicate field") => GptJobError::field(
                "JOB_INPUT_INVALID",
                "input_text",
                "Send the guideline once, as `input_text` (or one of `text`, `input`, `guideline`).",
            ),
            other => GptJobError::detail(
                StatusCode::BAD_REQUEST,
                "JOB_PARSE_ERROR",
                format!("JSON parse error - {}", other.sentence()),
            ),
        }
    }
}

/// Seed 004's routes and its docs.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/jobs", post(create))
        .route("/jobs/", post(create))
        .route("/jobs/{event_id}", get(status))
        .route("/jobs/{event_id}/", get(status))
        .route("/swagger/", get(super::docs::docs_page_at_schema))
        .route("/redoc/", get(redoc_page))
        .route("/redoc/redoc.standalone.js", get(redoc_js))
        .route("/schema/", get(super::docs::openapi))
        // Django appends the slash (APPEND_SLASH) with a permanent redirect.
        .route("/swagger", get(|| async { Redirect::permanent("/swagger/") }))
        .route("/redoc", get(|| async { Redirect::permanent("/redoc/") }))
        .route("/schema", get(|| async { Redirect::permanent("/schema/") }))
}

/// Whether seed 004 serves `path` without a caller (its docs).
pub fn docs_path(path: &str) -> bool {
    ["/swagger", "/redoc", "/schema"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// `POST /jobs`: 201 with the new job as the serializer renders it.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<CreateRequest>,
) -> Result<Response, GptJobError> {
    let text = match body.input_text {
        None | Some(Value::Null) => {
            return Err(GptJobError::field("JOB_INPUT_REQUIRED", "input_text", "This field is required."));
        }
        Some(Value::String(s)) => s,
        Some(_) => return Err(GptJobError::field("JOB_INPUT_INVALID", "input_text", "Not a valid string.")),
    };
    if text.trim().is_empty() {
        return Err(GptJobError::field("JOB_INPUT_BLANK", "input_text", "This field may not be blank."));
    }
    let length = text.chars().count();
    if length > MAX_TEXT {
        return Err(GptJobError::field(
            "JOB_INPUT_INVALID",
            "input_text",
            format!("Ensure this field has no more than {MAX_TEXT} characters (it has {length})."),
        ));
    }
    let submitted = state.jobs.submit(PIPELINE, json!({ "text": text }), false, caller.tenant()).await?;
    // Answered from what was written, not read back: the seed promises the
    // event id within 200 ms.
    let created_at = super::rfc3339(submitted.created_at);
    let view = json!({
        "event_id": submitted.id,
        "input_text": text,
        "status": wire_status(submitted.status),
        "result": Value::Null,
        "created_at": created_at,
        "updated_at": created_at,
    });
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// A path parameter whose rejection is this profile's error.
pub struct EventIdPath(String);

impl<S: Send + Sync> FromRequestParts<S> for EventIdPath {
    type Rejection = GptJobError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Self(id)),
            Err(rejection) => Err(GptJobError::detail(
                StatusCode::NOT_FOUND,
                "JOB_NOT_FOUND",
                path_problem(&rejection).unwrap_or_else(|| "Not found.".into()),
            )),
        }
    }
}

/// `GET /jobs/{event_id}`.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    EventIdPath(id): EventIdPath,
) -> Result<Response, GptJobError> {
    let record = state.jobs.get(&id, caller.tenant()).await?;
    if state.jobs.pipeline_of(&record.capability).map(|p| p.name.as_str()) != Some(PIPELINE) {
        return Err(GptJobError::not_found());
    }
    Ok(axum::Json(job_view(&record)).into_response())
}

/// The model's states as the seed's status field spells them.
fn wire_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "pending",
        Status::Processing => "processing",
        Status::Completed => "completed",
        Status::Failed | Status::Cancelled => "failed",
    }
}

/// The job as a DRF `ModelSerializer` of the seed's model renders it, plus
/// Capsule's `progress`, `step`, `updated_at` and, when it failed, `error`.
fn job_view(record: &JobRecord) -> Value {
    let input: Value = serde_json::from_str(&record.input).unwrap_or(Value::Null);
    let mut view = json!({
        "event_id": record.id,
        "input_text": input["text"],
        "status": wire_status(record.status),
        "result": Value::Null,
        "created_at": super::rfc3339(record.created_at),
        "updated_at": super::rfc3339(record.updated_at),
    });
    if let Some(p) = record.progress {
        view["progress"] = json!(p);
    }
    if let Some(step) = &record.step {
        view["step"] = json!(step);
    }
    match record.status {
        Status::Completed => {
            let output: Value = record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default();
            view["result"] = result_view(&output);
        }
        Status::Failed | Status::Cancelled => {
            let (code, message) = match &record.failure {
                Some(f) => (f.code.as_str(), f.message.as_str()),
                None if record.status == Status::Cancelled => ("JOB_CANCELLED", "The job was cancelled."),
                None => ("JOB_FAILED", "The job failed."),
            };
            view["error"] = json!({ "code": code, "message": message });
        }
        _ => {}
    }
    view
}

/// The pipeline's output as the seed's `result`: the summary, the
/// checklist as sentences, and which method wrote each.
fn result_view(output: &Value) -> Value {
    let items = output["checklist"].as_array().cloned().unwrap_or_default();
    let checklist: Vec<Value> = items.iter().map(|i| i.get("item").cloned().unwrap_or_else(|| i.clone())).collect();
    let methods = json!({ "summary": output["summary_method"], "checklist": output["checklist_method"] });
    let extractive = [&methods["summary"], &methods["checklist"]].iter().any(|m| m.as_str() == Some("extractive"));
    json!({
        "summary": output["summary"],
        "checklist": checklist,
        "checklist_items": items,
        "method": if extractive { "extractive" } else { "llm" },
        "methods": methods,
    })
}

const REDOC_JS: &[u8] = include_bytes!("../../../assets/redoc/redoc.standalone.js");

const REDOC_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Capsule API — ReDoc</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <redoc spec-url="/schema/"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>"##;

/// `GET /redoc/`: ReDoc over `/schema/`, from embedded assets (offline).
pub async fn redoc_page() -> Html<&'static str> {
    Html(REDOC_HTML)
}

pub async fn redoc_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=86400")], REDOC_JS)
        .into_response()
}

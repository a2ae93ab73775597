//! Seed `002` (video-comment analysis) profile: `POST /api/analysis/jobs`
//! and `GET /api/analysis/jobs/{jobId}` over jobs of the
//! `comment-analysis` component, in the seed's envelope `{success, data |
//! error, meta{requestId, timestamp}}`.
//!
//! Cache policy (the seed's D-1): the job's input carries this host's
//! `analysisVersion` (`--analysis-version`), and the component's trigger
//! has `cache = true`, so an identical request (same video, same supplied
//! comments, same version, same component version, same tenant) is answered
//! from the finished job at once (`status: completed`, `result`,
//! `meta.cacheHit: true`) or joins the one in flight. `forceRefresh: true`
//! runs it again; raising `--analysis-version` makes every earlier result
//! stale.

mod docs;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub use docs::fragment;

use super::AppState;
use super::envelope::{close_connection, ends_connection, meta, path_problem};
use super::profile::{BodyProblem, ProfileRequest, Typed, WireCode};
use crate::auth::Caller;
use crate::jobs::JobError;
use crate::store::{JobRecord, Status};

/// The component behind the routes.
const COMMENT_ANALYSIS: &str = "comment-analysis";

/// The schema every result follows (seed 002, "분석 결과 스키마").
pub const SCHEMA_VERSION: &str = "analysis-result-v1";

/// A seed-002 error: HTTP status, `DOMAIN_REASON` code and a sentence the
/// user can act on (Korean first, as the seed's frontend shows it).
pub struct AnalysisError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

const fn code(status: StatusCode, code: &'static str, meaning: &'static str) -> WireCode {
    WireCode { status, name: code, code: None, meaning }
}

/// Every code seed 002's routes answer (in `error.code`, or in
/// `data.error.code` of a failed job), for its docs.
pub const CODES: &[WireCode] = &[
    code(
        StatusCode::BAD_REQUEST,
        "COMMON_INVALID_REQUEST",
        "`videoId` is missing or blank, or a field has the wrong type",
    ),
    code(StatusCode::PAYLOAD_TOO_LARGE, "COMMON_PAYLOAD_TOO_LARGE", "the body is over `--max-body`"),
    code(StatusCode::NOT_FOUND, "ANALYSIS_JOB_NOT_FOUND", "no analysis job has that id (for this caller)"),
    code(
        StatusCode::SERVICE_UNAVAILABLE,
        "ANALYSIS_UNAVAILABLE",
        "the `comment-analysis` component is not deployed here, or too many analyses are waiting",
    ),
    code(
        StatusCode::SERVICE_UNAVAILABLE,
        "ANALYSIS_STORAGE_FAILED",
        "the job database is not answering; nothing was recorded",
    ),
    code(StatusCode::OK, "ANALYSIS_TIMEOUT", "in a failed job: the analysis ran over its time limit"),
    code(
        StatusCode::OK,
        "ANALYSIS_OUTPUT_INVALID",
        "in a failed job: the model's answer failed the result schema twice",
    ),
    code(
        StatusCode::OK,
        "ANALYSIS_EXTERNAL_API_ERROR",
        "in a failed job: YouTube (or the language model) refused or failed, its quota ran out, comments are disabled, or no `youtube_api_key` is configured and no `comments` were sent",
    ),
    code(StatusCode::OK, "ANALYSIS_VIDEO_NOT_FOUND", "in a failed job: YouTube has no such video (deleted or private)"),
    code(StatusCode::OK, "ANALYSIS_CANCELLED", "in a failed job: the job was cancelled (DELETE /api/v1/jobs/{id})"),
    code(StatusCode::OK, "ANALYSIS_FAILED", "in a failed job: any other failure; the message says what happened"),
];

impl AnalysisError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST", message)
    }

    fn job_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "ANALYSIS_JOB_NOT_FOUND", "분석 작업을 찾을 수 없습니다.")
    }
}

impl From<JobError> for AnalysisError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::InvalidInput(m) => Self::invalid(m),
            JobError::NotFound(_) => Self::job_not_found(),
            JobError::CapabilityNotFound(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ANALYSIS_UNAVAILABLE",
                "분석 기능이 이 서버에 배포되어 있지 않습니다. (the `comment-analysis` component is not deployed here)",
            ),
            JobError::QueueFull { .. } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ANALYSIS_UNAVAILABLE",
                "대기 중인 분석이 많습니다. 잠시 후 다시 시도해 주세요. (too many analyses are waiting; retry shortly)",
            ),
            JobError::Store(err) if err.is_unavailable() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ANALYSIS_STORAGE_FAILED",
                "분석 작업을 저장하지 못했습니다. 잠시 후 다시 시도해 주세요. (the job database is not answering)",
            ),
            JobError::AlreadyFinished { .. } | JobError::Store(_) => {
                tracing::error!(error = %e, "seed 002 route");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ANALYSIS_STORAGE_FAILED",
                    "분석 작업을 처리하지 못했습니다. 다시 시도해 주세요. (quote the request id if it persists)",
                )
            }
        }
    }
}

impl IntoResponse for AnalysisError {
    fn into_response(self) -> Response {
        let body = json!({
            "success": false,
            "error": { "code": self.code, "message": self.message },
            "meta": meta(),
        });
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

fn ok(data: Value, extra_meta: Option<Map<String, Value>>) -> Response {
    let mut meta = meta();
    if let (Some(m), Some(extra)) = (meta.as_object_mut(), extra_meta) {
        m.extend(extra);
    }
    (StatusCode::OK, axum::Json(json!({ "success": true, "data": data, "meta": meta }))).into_response()
}

/// Seed 002's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/analysis/jobs", post(create)).route("/api/analysis/jobs/{job_id}", get(status))
}

/// `POST /api/analysis/jobs`'s body: the seed's `{videoId, forceRefresh}`,
/// plus Capsule's optional `title`, `description` and `comments` for
/// videos that are not on YouTube, and `sampleSize`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    force_refresh: Option<bool>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    comments: Option<Vec<Value>>,
    #[serde(default)]
    sample_size: Option<u32>,
}

impl ProfileRequest for CreateRequest {
    type Error = AnalysisError;
    fn rejected(problem: BodyProblem) -> AnalysisError {
        match problem {
            BodyProblem::TooLarge { .. } => {
                AnalysisError::new(StatusCode::PAYLOAD_TOO_LARGE, "COMMON_PAYLOAD_TOO_LARGE", problem.sentence())
            }
            _ => AnalysisError::invalid(problem.sentence()),
        }
    }
}

/// `POST /api/analysis/jobs`.
pub async fn create(State(state): State<AppState>, caller: Caller, Typed(body): Typed<CreateRequest>) -> Response {
    let Some(video_id) = body.video_id.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return AnalysisError::invalid("videoId가 필요합니다.").into_response();
    };
    let mut input = json!({ "videoId": video_id, "analysisVersion": state.config.analysis_version });
    for (key, value) in [
        ("title", body.title.map(Value::String)),
        ("description", body.description.map(Value::String)),
        ("comments", body.comments.map(Value::Array)),
        ("sampleSize", body.sample_size.map(Value::from)),
    ] {
        if let Some(v) = value {
            input[key] = v;
        }
    }
    let force_refresh = body.force_refresh.unwrap_or(false);
    let submitted = match state.jobs.submit(COMMENT_ANALYSIS, input, force_refresh, caller.tenant()).await {
        Ok(s) => s,
        Err(e) => return AnalysisError::from(e).into_response(),
    };
    let cache_hit = submitted.cache_hit;
    let mut data = json!({ "jobId": submitted.id, "status": wire_status(submitted.status) });
    if let Some(mut result) = submitted.result {
        mark_cache_hit(&mut result, cache_hit);
        data["result"] = result;
    }
    let extra = Map::from_iter([("cacheHit".to_string(), Value::Bool(cache_hit))]);
    ok(data, Some(extra))
}

/// The seed's four states; a cancelled job is a failed one to its frontend.
fn wire_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Processing => "processing",
        Status::Completed => "completed",
        Status::Failed | Status::Cancelled => "failed",
    }
}

fn mark_cache_hit(result: &mut Value, hit: bool) {
    if let Some(meta) = result.get_mut("meta").and_then(Value::as_object_mut) {
        meta.insert("cacheHit".into(), Value::Bool(hit));
    }
}

/// A path parameter whose rejection is this profile's error.
pub struct JobIdPath(String);

impl<S: Send + Sync> FromRequestParts<S> for JobIdPath {
    type Rejection = AnalysisError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Self(id)),
            Err(rejection) => Err(AnalysisError::invalid(
                path_problem(&rejection).unwrap_or_else(|| "the job id is not a valid path segment".into()),
            )),
        }
    }
}

/// `GET /api/analysis/jobs/{jobId}`.
pub async fn status(State(state): State<AppState>, caller: Caller, JobIdPath(id): JobIdPath) -> Response {
    let record = match state.jobs.get(&id, caller.tenant()).await {
        Ok(r) if r.capability == COMMENT_ANALYSIS => r,
        Ok(_) => return AnalysisError::job_not_found().into_response(),
        Err(e) => return AnalysisError::from(e).into_response(),
    };
    ok(status_view(&record), None)
}

fn status_view(record: &JobRecord) -> Value {
    let mut data = json!({ "jobId": record.id, "status": wire_status(record.status) });
    match record.status {
        Status::Queued | Status::Processing => {
            for (key, value) in [
                ("progress", record.progress.map(Value::from)),
                ("step", record.step.clone().map(Value::String)),
                ("message", record.message.clone().map(Value::String)),
            ] {
                if let Some(v) = value {
                    data[key] = v;
                }
            }
        }
        Status::Completed => {
            if let Some(mut result) = record.result.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()) {
                mark_cache_hit(&mut result, false);
                data["result"] = result;
            }
        }
        Status::Failed | Status::Cancelled => {
            let (code, message) = failure_of(record);
            data["error"] = json!({ "code": code, "message": message });
        }
    }
    data
}

/// A failed job's `{code, message}` as seed 002 names them: the
/// component's own `ANALYSIS_*` codes as they are, the host's and the
/// engines' mapped onto the seed's.
fn failure_of(record: &JobRecord) -> (String, String) {
    if record.status == Status::Cancelled {
        return ("ANALYSIS_CANCELLED".into(), "분석 작업이 취소되었습니다. (the job was cancelled)".into());
    }
    let Some(failure) = &record.failure else {
        return ("ANALYSIS_FAILED".into(), "분석에 실패했습니다. 다시 시도해 주세요.".into());
    };
    let code = failure.code.as_str();
    let mapped = match code {
        c if c.starts_with("ANALYSIS_") => c,
        "JOB_TIMEOUT" => {
            return ("ANALYSIS_TIMEOUT".into(), "분석 중 시간이 초과되었습니다. 잠시 후 다시 시도해 주세요.".into());
        }
        "LLM_OUTPUT_INVALID" => {
            return (
                "ANALYSIS_OUTPUT_INVALID".into(),
                "AI 분석 결과 형식 검증에 실패했습니다. 다시 시도해 주세요.".into(),
            );
        }
        c if c.starts_with("LLM_") || c.starts_with("HTTP_") || c.starts_with("EMBEDDINGS_") => {
            "ANALYSIS_EXTERNAL_API_ERROR"
        }
        "COMMON_INVALID_REQUEST" => "COMMON_INVALID_REQUEST",
        c if c.starts_with("BLOB_") || c.starts_with("KEYVALUE_") => "ANALYSIS_STORAGE_FAILED",
        _ => "ANALYSIS_FAILED",
    };
    (mapped.to_string(), failure.message.clone())
}

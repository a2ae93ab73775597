//! Seed 001's file tasks: `POST /ai/ocr/extract` (§1), `POST /ai/masking/draft`
//! (§7) and the polling route `GET /ai/task/{task_id}`. A task is a job of
//! the `ocr` or `masking` capability; its id is the job id.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::assistant::{CAREER, Op};
use super::stream::outcome;
use super::{AI_UNAVAILABLE, FILE_NOT_FOUND, INTERNAL, SeedError, SeedPath, seed_error, seed_ok};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed};
use crate::auth::Caller;
use crate::jobs::JobError;
use crate::store::{JobRecord, Status};

const OCR: &str = "ocr";
const MASKING: &str = "masking";

const INVALID_FILE_TYPE: SeedError = seed_error(StatusCode::BAD_REQUEST, "invalid_file_type", 4001);
const INVALID_DOCUMENT_TYPE: SeedError = seed_error(StatusCode::BAD_REQUEST, "invalid_document_type", 4002);
const MISSING_FIELD: SeedError = seed_error(StatusCode::BAD_REQUEST, "missing_required_field", 4003);
const TASK_NOT_FOUND: SeedError = seed_error(StatusCode::NOT_FOUND, "task_not_found", 4042);
const OCR_FAILED: SeedError = seed_error(StatusCode::INTERNAL_SERVER_ERROR, "ocr_processing_failed", 5001);
const MASKING_FAILED: SeedError = seed_error(StatusCode::INTERNAL_SERVER_ERROR, "masking_failed", 5003);

/// Failure codes that meant "the client's file is bad" before they all
/// became `INPUT_INVALID_FILE`.
const LEGACY_INVALID_FILE: &[&str] = &[
    "OCR_INVALID_PDF",
    "OCR_CORRUPT_PDF",
    "OCR_ENCRYPTED_PDF",
    "OCR_IMAGE_INVALID",
    "OCR_IMAGE_TOO_LARGE",
    "PDF_INVALID",
];

/// The text could not be embedded (seed 001 §1).
const EMBEDDING_FAILED: SeedError = seed_error(StatusCode::INTERNAL_SERVER_ERROR, "embedding_failed", 5002);

/// The collection each seed document type is embedded into.
fn collection_of(document_type: &str) -> &'static str {
    match document_type {
        "resume" => "resumes",
        "portfolio" => "portfolios",
        _ => "job_postings",
    }
}

/// `POST /ai/ocr/extract`'s body. A field that is not a string is refused
/// by the extractor (`missing_required_field`, naming it); one that is
/// missing, null or blank by [`present`].
#[derive(Deserialize)]
pub struct OcrExtractRequest {
    #[serde(default)]
    file_url: Option<String>,
    #[serde(default)]
    file_type: Option<String>,
    #[serde(default, rename = "type")]
    document_type: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    document_id: Option<String>,
}

impl ProfileRequest for OcrExtractRequest {
    type Error = SeedError;
    fn rejected(problem: BodyProblem) -> SeedError {
        SeedError::for_body(problem, MISSING_FIELD)
    }
}

/// `POST /ai/masking/draft`'s body.
#[derive(Deserialize)]
pub struct MaskingDraftRequest {
    #[serde(default)]
    file_url: Option<String>,
    #[serde(default)]
    file_type: Option<String>,
}

impl ProfileRequest for MaskingDraftRequest {
    type Error = SeedError;
    fn rejected(problem: BodyProblem) -> SeedError {
        SeedError::for_body(problem, MISSING_FIELD)
    }
}

/// `POST /ai/ocr/extract`: `{file_url, file_type, type, user_id, document_id}`.
pub async fn ocr_extract(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<OcrExtractRequest>,
) -> Response {
    let fields = [
        ("file_url", &body.file_url),
        ("file_type", &body.file_type),
        ("type", &body.document_type),
        ("user_id", &body.user_id),
        ("document_id", &body.document_id),
    ];
    let [file_url, file_type, document_type, user_id, document_id] = match present(fields) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if !matches!(file_type, "pdf" | "image") {
        return INVALID_FILE_TYPE
            .because(format!("`file_type` is `{file_type}`; use `pdf` or `image`"))
            .into_response();
    }
    if !matches!(document_type, "resume" | "portfolio" | "job_posting") {
        return INVALID_DOCUMENT_TYPE
            .because(format!("`type` is `{document_type}`; use `resume`, `portfolio` or `job_posting`"))
            .into_response();
    }
    let input = json!({
        "file_url": file_url,
        "file_type": file_type,
        "index": {
            "collection": collection_of(document_type),
            "user_id": user_id,
            "document_id": document_id,
            "document_type": document_type,
        },
    });
    match submit(&state, &caller, OCR, file_url, input).await {
        Ok(id) => seed_ok("ocr_task_created", json!({ "task_id": id, "status": "processing" })),
        Err(e) => e.into_response(),
    }
}

/// `POST /ai/masking/draft`: `{file_url, file_type}`.
pub async fn masking_draft(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<MaskingDraftRequest>,
) -> Response {
    let [file_url, file_type] = match present([("file_url", &body.file_url), ("file_type", &body.file_type)]) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if !matches!(file_type, "pdf" | "image") {
        return INVALID_FILE_TYPE
            .because(format!("`file_type` is `{file_type}`; use `image` or `pdf`"))
            .into_response();
    }
    let input = json!({ "file_url": file_url, "file_type": file_type });
    match submit(&state, &caller, MASKING, file_url, input).await {
        Ok(id) => seed_ok("masking_task_created", json!({ "task_id": id, "status": "processing" })),
        Err(e) => e.into_response(),
    }
}

/// `GET /ai/task/{task_id}`: processing, completed (shape per task kind) or
/// the seed error the failure maps to.
pub async fn task_status(
    State(state): State<AppState>,
    caller: Caller,
    SeedPath(task_id): SeedPath<String>,
) -> Response {
    let record = match state.jobs.get(&task_id, caller.tenant()).await {
        Ok(r) if r.capability == OCR || r.capability == MASKING || r.capability == CAREER => r,
        Ok(_) | Err(JobError::NotFound(_)) => {
            return TASK_NOT_FOUND.because(format!("no task has the id `{task_id}`")).into_response();
        }
        Err(e) => return SeedError::from(e).into_response(),
    };
    if record.capability == CAREER
        && let Some(op) = Op::of_input(&record.input)
        && record.status.is_terminal()
    {
        // A streamed answer fetched after the stream: the route's own
        // message, the task's envelope around its documented data.
        return match outcome(op, &record) {
            Ok(body) => seed_ok(
                body["message"].as_str().unwrap_or("task_completed"),
                json!({ "task_id": record.id, "status": "completed", "result": body["data"] }),
            ),
            Err(e) => e.into_response(),
        };
    }
    match record.status {
        Status::Queued | Status::Processing => seed_ok("task_processing", processing_view(&record)),
        Status::Completed => completed(&record),
        Status::Failed | Status::Cancelled => failed(&record).into_response(),
    }
}

/// The fields, trimmed; any missing, null or blank is
/// `missing_required_field` naming every such field.
fn present<'a, const N: usize>(fields: [(&'static str, &'a Option<String>); N]) -> Result<[&'a str; N], SeedError> {
    let missing: Vec<&str> =
        fields.iter().filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty())).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        return Err(MISSING_FIELD.because(format!("{} must be given as non-empty strings", quoted(&missing))));
    }
    Ok(fields.map(|(_, v)| v.as_deref().unwrap_or_default().trim()))
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Refuse at once what can never be read: a file of ours that does not
/// exist, a host the component is not granted, a scheme that is not http(s).
/// A granted remote host that answers 404 fails the task later instead.
async fn check_file_url(state: &AppState, caller: &Caller, capability: &str, url: &str) -> Result<(), SeedError> {
    if let Some(id) = state.blobs.id_from_url(url) {
        return match state.blobs.exists_for(&id, caller.tenant()).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(FILE_NOT_FOUND.because(format!("no file is stored at `{url}`; upload it first"))),
            Err(_) => Err(INTERNAL),
        };
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Err(FILE_NOT_FOUND
            .because(format!("`{url}` is neither a URL from POST /api/v1/files nor an absolute http(s) URL")));
    };
    let grants = state.jobs.registry().get(capability).map(|e| e.spec.allowed_outbound_hosts.as_slice()).unwrap_or(&[]);
    crate::manifest::check_url_granted(grants, &parsed).map_err(|origin| {
        FILE_NOT_FOUND.because(format!(
            "`{origin}` is not a host this server may read from (component `{capability}`'s \
             allowed_outbound_hosts); upload the file with POST /api/v1/files instead"
        ))
    })
}

async fn submit(
    state: &AppState,
    caller: &Caller,
    capability: &str,
    file_url: &str,
    input: Value,
) -> Result<String, SeedError> {
    if state.jobs.registry().get(capability).is_none() {
        return Err(AI_UNAVAILABLE.because(format!("this server does not run the `{capability}` component")));
    }
    check_file_url(state, caller, capability, file_url).await?;
    Ok(state.jobs.submit(capability, input, false, caller.tenant()).await?.id)
}

fn processing_view(record: &JobRecord) -> Value {
    json!({
        "task_id": record.id,
        "status": "processing",
        "progress": {
            "percent": record.progress.unwrap_or(0),
            "step": record.step,
            "message": record.message,
        },
    })
}

fn completed(record: &JobRecord) -> Response {
    let Some(Value::Object(result)) = record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()) else {
        return INTERNAL.into_response();
    };
    let message = if record.capability == OCR { "task_completed" } else { "masking_completed" };
    seed_ok(message, json!({ "task_id": record.id, "status": "completed", "result": result }))
}

/// A failed task as the seed error its failure code maps to, with the
/// component's sentence as the reason.
fn failed(record: &JobRecord) -> SeedError {
    let (code, reason) = match (&record.failure, record.status) {
        (_, Status::Cancelled) => ("JOB_CANCELLED", "the task was cancelled".to_string()),
        (Some(f), _) => (f.code.as_str(), f.message.clone()),
        (None, _) => ("", "the task failed".to_string()),
    };
    let processing_failed = if record.capability == OCR { OCR_FAILED } else { MASKING_FAILED };
    let error = match code {
        "BLOB_NOT_FOUND" | "BLOB_URL_NOT_ALLOWED" => FILE_NOT_FOUND,
        // The file is the client's fault: a 400 it must not retry, not a 500 it may.
        "INPUT_INVALID_FILE" => INVALID_FILE_TYPE,
        c if c.ends_with("_FILE_TYPE_MISMATCH") => INVALID_FILE_TYPE,
        // Earlier versions' codes for such files, still in stored jobs.
        c if c.ends_with("_UNSUPPORTED_FILE") || LEGACY_INVALID_FILE.contains(&c) => INVALID_FILE_TYPE,
        "OCR_ENGINE_UNAVAILABLE" | "PDF_RENDER_UNAVAILABLE" => AI_UNAVAILABLE,
        "EMBEDDING_FAILED" => EMBEDDING_FAILED,
        _ => processing_failed,
    };
    error.because(reason)
}

//! Speech processing: `POST /api/upload-video/request-process` starts a
//! job of the `transcription` component on an uploaded file; `GET
//! /api/upload-video/status/{jobId}` is its `ProcessingStatus`; `POST
//! /api/upload-video/cancel/{jobId}` stops it.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Account, IdPath, VideoError, own_job, remaining, video_request};
use crate::api::AppState;
use crate::api::profile::Typed;
use crate::store::{JobRecord, Status};

/// The component behind the routes.
pub const TRANSCRIPTION: &str = "transcription";

const LANGUAGES: &[&str] = &["auto", "ko", "en", "ja", "zh"];

#[derive(Deserialize)]
pub struct ProcessRequest {
    #[serde(rename = "fileKey", alias = "file_key")]
    file_key: Option<Value>,
    language: Option<Value>,
}

video_request!(ProcessRequest);

/// `POST /api/upload-video/request-process`.
pub async fn request_process(
    State(state): State<AppState>,
    account: Account,
    Typed(body): Typed<ProcessRequest>,
) -> Result<Response, VideoError> {
    let Some(Value::String(key)) = &body.file_key else {
        return Err(VideoError::field(
            "fileKey",
            "fileKey가 필요합니다",
            "`fileKey` is required: the `file_key` generate-url answered",
        ));
    };
    let language = match &body.language {
        None | Some(Value::Null) => "auto".to_string(),
        Some(Value::String(l)) if LANGUAGES.contains(&l.as_str()) => l.clone(),
        Some(_) => {
            return Err(VideoError::field(
                "language",
                "지원하지 않는 언어입니다 (auto, ko, en, ja, zh)",
                "`language` must be one of auto, ko, en, ja, zh",
            ));
        }
    };
    let meta = super::uploads::resolve(&state, &account, key).await?;
    let input = json!({ "fileUrl": state.blobs.url_for(&meta.id), "language": language, "filename": meta.name });
    let submitted = state.jobs.submit(TRANSCRIPTION, input, false, Some(&account.tenant())).await?;
    Ok(axum::Json(json!({
        "job_id": submitted.id,
        "status": "pending",
        "estimated_time": estimate(meta.size),
        "message": "음성 분석 작업이 등록되었습니다",
    }))
    .into_response())
}

/// Seconds a file of `size` bytes is expected to take: extraction is
/// quick; recognition is roughly proportional to the duration, which a
/// typical phone video (≈1 MB per 5 s) gives from its size. Shown to users
/// as a hint, refined by `estimated_time_remaining` once the job runs.
fn estimate(size: u64) -> u64 {
    10 + size / 200_000
}

fn wire_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "pending",
        Status::Processing => "processing",
        Status::Completed => "completed",
        Status::Failed | Status::Cancelled => "failed",
    }
}

/// `GET /api/upload-video/status/{jobId}`.
pub async fn status(
    State(state): State<AppState>,
    account: Account,
    IdPath(id): IdPath,
) -> Result<Response, VideoError> {
    let record = own_job(&state, &account, &id, TRANSCRIPTION).await?;
    Ok(axum::Json(status_view(&record)).into_response())
}

fn status_view(record: &JobRecord) -> Value {
    let mut view = json!({ "job_id": record.id, "status": wire_status(record.status) });
    match record.status {
        Status::Queued => {
            view["progress"] = json!(0);
            view["current_stage"] = json!("대기 중");
        }
        Status::Processing => {
            view["progress"] = json!(record.progress.unwrap_or(0));
            view["current_stage"] = json!(record.message.clone().unwrap_or_else(|| "처리 중".into()));
            if let Some(left) = remaining(record.started_at, record.progress) {
                view["estimated_time_remaining"] = json!(left);
            }
        }
        Status::Completed => {
            view["progress"] = json!(100);
            view["current_stage"] = json!("완료");
            view["estimated_time_remaining"] = json!(0);
            if let Some(mut result) = record.result.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()) {
                // The job's own run time, as the host measured it.
                if let (Some(started), Some(finished)) = (record.started_at, record.finished_at)
                    && let Some(meta) = result.get_mut("metadata").and_then(Value::as_object_mut)
                {
                    meta.insert("processing_time".into(), json!(((finished - started).max(0) as f64) / 1000.0));
                }
                view["result"] = result;
            }
        }
        Status::Failed | Status::Cancelled => {
            view["progress"] = json!(record.progress.unwrap_or(0));
            view["current_stage"] = json!(if record.status == Status::Cancelled { "취소됨" } else { "실패" });
            let (code, message) = match (&record.failure, record.status) {
                (_, Status::Cancelled) => ("ML_PROCESSING_CANCELLED".to_string(), "작업이 취소되었습니다".to_string()),
                (Some(f), _) => (f.code.clone(), f.message.clone()),
                (None, _) => ("ML_PROCESSING_FAILED".to_string(), "음성 처리에 실패했습니다".to_string()),
            };
            view["error"] = json!({ "code": code, "message": message });
            view["message"] = json!(message);
        }
    }
    view
}

/// `POST /api/upload-video/cancel/{jobId}`.
pub async fn cancel(
    State(state): State<AppState>,
    account: Account,
    IdPath(id): IdPath,
) -> Result<Response, VideoError> {
    own_job(&state, &account, &id, TRANSCRIPTION).await?;
    let record = state.jobs.cancel(&id, Some(&account.tenant())).await?;
    Ok(axum::Json(json!({
        "success": true,
        "job_id": record.id,
        "status": "cancelled",
        "message": "작업이 취소되었습니다",
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_file_is_expected_to_take_longer() {
        assert!(estimate(50_000_000) > estimate(1_000_000));
        assert_eq!(estimate(0), 10);
    }
}

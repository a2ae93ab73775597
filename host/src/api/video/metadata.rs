//! `GET /api/videos/metadata?url=…`: what ffprobe reads in one of the
//! account's files (the guide's `VideoService.getVideoMetadata`, a mock
//! until now).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Account, VideoError};
use crate::api::AppState;
use crate::runtime::bindings::capsule::worker::types::Failure;

#[derive(Deserialize)]
pub struct MetadataQuery {
    url: Option<String>,
}

/// `GET /api/videos/metadata`.
pub async fn metadata(
    State(state): State<AppState>,
    account: Account,
    query: Result<Query<MetadataQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, VideoError> {
    let url = query.ok().and_then(|Query(q)| q.url).filter(|u| !u.trim().is_empty()).ok_or_else(|| {
        VideoError::field("url", "url이 필요합니다", "`url` is required: the video's URL or file key")
    })?;
    let meta = super::uploads::resolve(&state, &account, &url).await.map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            VideoError::new(StatusCode::NOT_FOUND, "VIDEO_NOT_FOUND", e.message)
        } else {
            e
        }
    })?;
    let access = crate::runtime::BlobAccess::new(state.blobs.clone(), Vec::new(), Some(account.tenant()));
    let info = state.engines.media.probe(&access, &state.blobs.url_for(&meta.id)).await.map_err(engine_error)?;
    Ok(axum::Json(json!({
        "duration": info.duration,
        "width": info.width,
        "height": info.height,
        "frameRate": info.frame_rate,
        "videoCodec": info.video_codec,
        "audioCodec": info.audio_codec,
        "filesize": bytesize::ByteSize(info.size).display().si().to_string(),
        "filesizeBytes": info.size,
        "format": info.format,
    }))
    .into_response())
}

fn engine_error(e: Failure) -> VideoError {
    match e.code.as_str() {
        crate::engines::media::UNAVAILABLE => VideoError::unavailable(e.message),
        "BLOB_NOT_FOUND" => VideoError::new(StatusCode::NOT_FOUND, "VIDEO_NOT_FOUND", e.message),
        "BLOB_STORE_ERROR" => VideoError::unavailable(e.message),
        _ => VideoError::new(StatusCode::UNPROCESSABLE_ENTITY, "VIDEO_UNREADABLE", e.message),
    }
}

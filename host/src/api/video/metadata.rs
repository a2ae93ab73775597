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
use crate::engines::EngineError;
use crate::engines::media::WorkDir;

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
    let media = &state.engines.media;
    media.check().map_err(engine_error)?;
    let dir = WorkDir::create().map_err(engine_error)?;
    let file = dir.path.join("input");
    let Some((_, mut reader)) =
        state.blobs.store.open(&meta.id).await.map_err(|e| VideoError::unavailable(e.to_string()))?
    else {
        return Err(VideoError::new(StatusCode::NOT_FOUND, "VIDEO_NOT_FOUND", "the file is gone"));
    };
    let mut out = tokio::fs::File::create(&file).await.map_err(|e| VideoError::unavailable(e.to_string()))?;
    tokio::io::copy(&mut reader, &mut out).await.map_err(|e| VideoError::unavailable(e.to_string()))?;
    drop(out);
    let info = media.probe_file(&file).await.map_err(engine_error)?;
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

fn engine_error(e: EngineError) -> VideoError {
    match e.code {
        crate::engines::INVALID_FILE => {
            VideoError::new(StatusCode::UNPROCESSABLE_ENTITY, "VIDEO_UNREADABLE", e.message)
        }
        crate::engines::media::UNAVAILABLE => VideoError::unavailable(e.message),
        _ => VideoError::new(StatusCode::UNPROCESSABLE_ENTITY, "VIDEO_UNREADABLE", e.message),
    }
}

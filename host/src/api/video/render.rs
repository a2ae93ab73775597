//! Rendering: `POST /api/render/create` checks the MotionText scenario
//! (the `subtitles` crate, the same reader the `render` component uses)
//! and the account's rate and daily quota before a job of the `render`
//! component exists; `GET /api/render/{jobId}/status` answers with a
//! signed `downloadUrl` once it is done; `POST /api/render/{jobId}/cancel`
//! stops FFmpeg at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Account, IdPath, VideoError, own_job, remaining, time, video_request};
use crate::api::AppState;
use crate::api::profile::Typed;
use crate::jobs::JobError;
use crate::store::{ListFilter, Status};

pub const RENDER: &str = "render";

#[derive(Deserialize)]
pub struct CreateRequest {
    #[serde(rename = "videoUrl", alias = "video_url")]
    video_url: Option<Value>,
    scenario: Option<Value>,
    options: Option<Value>,
}

video_request!(CreateRequest);

fn invalid(field: &str, why: impl std::fmt::Display) -> VideoError {
    VideoError::new(StatusCode::BAD_REQUEST, "RENDER_INVALID_INPUT", format!("invalid: `{field}`: {why}"))
}

/// The options with the seed's defaults (1920×1080, 30 fps, quality 90, mp4).
fn options(given: Option<&Value>) -> Result<Value, VideoError> {
    let given = match given {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(invalid("options", "must be an object")),
    };
    let number = |key: &str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, VideoError> {
        match given.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n >= 0.0 && range.contains(&(n as u64)) => Ok(n as u64),
                _ => Err(invalid(
                    &format!("options.{key}"),
                    format!("must be a whole number in {}..={}", range.start(), range.end()),
                )),
            },
        }
    };
    let (width, height) = (number("width", 1920, 16..=3840)?, number("height", 1080, 16..=2160)?);
    if !width.is_multiple_of(2) || !height.is_multiple_of(2) {
        return Err(invalid("options.width", "width and height must be even numbers"));
    }
    let fps = number("fps", 30, 1..=120)?;
    let quality = number("quality", 90, 1..=100)?;
    let format = match given.get("format") {
        None | Some(Value::Null) => "mp4".to_string(),
        Some(Value::String(f)) if matches!(f.as_str(), "mp4" | "mov" | "webm") => f.clone(),
        Some(_) => return Err(invalid("options.format", "must be mp4, mov or webm")),
    };
    Ok(json!({ "width": width, "height": height, "fps": fps, "quality": quality, "format": format }))
}

/// `POST /api/render/create`.
pub async fn create(
    State(state): State<AppState>,
    account: Account,
    Typed(body): Typed<CreateRequest>,
) -> Result<Response, VideoError> {
    let Some(Value::String(video_url)) = &body.video_url else {
        return Err(invalid("videoUrl", "is required: the uploaded video's URL or file key"));
    };
    let Some(scenario) = &body.scenario else {
        return Err(invalid("scenario", "is required: the MotionText scenario"));
    };
    let parsed = subtitles::parse(scenario).map_err(|e| invalid(&format!("scenario.{}", e.field), &e.message))?;
    let options = options(body.options.as_ref())?;
    let video = super::uploads::resolve(&state, &account, video_url)
        .await
        .map_err(|e| if e.status == StatusCode::NOT_FOUND { invalid("videoUrl", e.message) } else { e })?;
    let tenant = account.tenant();
    if let Err(wait) = state.video.render_rate.check(&tenant, None) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        return Err(VideoError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RENDER_RATE_LIMIT_EXCEEDED",
            format!(
                "rate: 요청이 너무 많습니다. {seconds}초 후 다시 시도해주세요. (too many renders; retry in {seconds} s)"
            ),
        )
        .retry_after(seconds));
    }
    check_quota(&state, &tenant).await?;
    let input = json!({ "videoUrl": state.blobs.url_for(&video.id), "scenario": scenario, "options": options });
    // A new job is created now; only one joined (a trigger with `cache =
    // true`) is read back for its own time.
    let now = crate::jobs::now_ms();
    let submitted = state.jobs.submit(RENDER, input, false, Some(&tenant)).await?;
    let created_at = if submitted.cache_hit || submitted.deduplicated {
        state.jobs.get(&submitted.id, Some(&tenant)).await?.created_at
    } else {
        now
    };
    Ok(axum::Json(json!({
        "jobId": submitted.id,
        "estimatedTime": (5.0 + parsed.end()).ceil() as u64,
        "createdAt": time(created_at),
    }))
    .into_response())
}

/// Renders started today (UTC) by this account, against `--render-daily-quota`.
async fn check_quota(state: &AppState, tenant: &str) -> Result<(), VideoError> {
    let quota = state.video.limits.render_daily_quota;
    let midnight = chrono::Utc::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let filter = ListFilter {
        tenant: Some(tenant.to_string()),
        capability: Some(RENDER.into()),
        status: None,
        before: None,
        limit: quota.saturating_add(1),
    };
    let today = state.jobs.list(&filter).await?.iter().filter(|j| j.created_at >= midnight.timestamp_millis()).count();
    if today as u64 >= u64::from(quota) {
        let tomorrow = midnight + chrono::Duration::days(1);
        let seconds = (tomorrow - chrono::Utc::now()).num_seconds().max(1) as u64;
        return Err(VideoError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RENDER_QUOTA_DAILY_EXCEEDED",
            format!("quota: 일일 렌더링 할당량({quota}회)을 초과했습니다. 내일 다시 시도해주세요. (daily render quota of {quota} used; it resets at 00:00 UTC)"),
        )
        .retry_after(seconds));
    }
    Ok(())
}

fn wire_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Processing => "processing",
        Status::Completed => "completed",
        Status::Failed | Status::Cancelled => "failed",
    }
}

/// `GET /api/render/{jobId}/status`.
pub async fn status(
    State(state): State<AppState>,
    account: Account,
    IdPath(id): IdPath,
) -> Result<Response, VideoError> {
    let record = own_job(&state, &account, &id, RENDER).await?;
    let mut view = json!({
        "jobId": record.id,
        "status": wire_status(record.status),
        "progress": if record.status == Status::Completed { 100 } else { record.progress.unwrap_or(0) },
    });
    if let Some(started) = record.started_at {
        view["startedAt"] = json!(time(started));
    }
    match record.status {
        Status::Queued => {}
        Status::Processing => {
            if let Some(left) = remaining(record.started_at, record.progress) {
                view["estimatedTimeRemaining"] = json!(left);
            }
            if let Some(message) = &record.message {
                view["message"] = json!(message);
            }
        }
        Status::Completed => {
            view["estimatedTimeRemaining"] = json!(0);
            if let Some(done) = record.finished_at {
                view["completedAt"] = json!(time(done));
            }
            let result: Value =
                record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null);
            if let Some(id) = result["outputUrl"].as_str().and_then(|u| state.blobs.id_from_url(u)) {
                view["downloadUrl"] = json!(super::uploads::download_url(&state, &id).await?);
            }
            for key in ["duration", "size", "format", "width", "height", "fps", "cues"] {
                if !result[key].is_null() {
                    view[key] = result[key].clone();
                }
            }
        }
        Status::Failed | Status::Cancelled => {
            if let Some(done) = record.finished_at {
                view["completedAt"] = json!(time(done));
            }
            view["error"] = json!(match (&record.failure, record.status) {
                (_, Status::Cancelled) => "렌더링이 취소되었습니다 (cancelled)".to_string(),
                (Some(f), _) if f.code == "RENDER_INVALID_INPUT" => format!("invalid: {}", f.message),
                (Some(f), _) => format!("{}: {}", f.code, f.message),
                (None, _) => "렌더링에 실패했습니다".to_string(),
            });
            if let Some(f) = &record.failure {
                view["errorCode"] = json!(f.code);
            }
        }
    }
    Ok(axum::Json(view).into_response())
}

/// `POST /api/render/{jobId}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    account: Account,
    IdPath(id): IdPath,
) -> Result<Response, VideoError> {
    own_job(&state, &account, &id, RENDER).await?;
    let (success, message) = match state.jobs.cancel(&id, Some(&account.tenant())).await {
        Ok(_) => (true, "렌더링이 취소되었습니다".to_string()),
        Err(JobError::AlreadyFinished { status, .. }) => (false, format!("이미 끝난 작업입니다 (already {status})")),
        Err(e) => return Err(e.into()),
    };
    Ok(axum::Json(json!({ "success": success, "message": message })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_the_seeds_defaults_and_refuse_odd_sizes() {
        let o = options(None).unwrap();
        assert_eq!(o, json!({"width": 1920, "height": 1080, "fps": 30, "quality": 90, "format": "mp4"}));
        let o = options(Some(&json!({"width": 1280, "height": 720, "format": "webm"}))).unwrap();
        assert_eq!((o["width"].as_u64(), o["format"].as_str()), (Some(1280), Some("webm")));
        for bad in
            [json!({"width": 1281}), json!({"fps": 0}), json!({"quality": 101}), json!({"format": "avi"}), json!([])]
        {
            let e = options(Some(&bad)).unwrap_err();
            assert!(e.message.starts_with("invalid: `options"), "{bad}: {}", e.message);
        }
    }
}

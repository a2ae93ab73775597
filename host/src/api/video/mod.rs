//! Seed `003` (the video editor's backend) profile: accounts
//! (`/api/auth/*`), direct uploads through presigned URLs
//! (`/api/upload-video/generate-url`, `/blobs/{id}`), speech processing
//! (`/api/upload-video/request-process|status|cancel`, jobs of the
//! `transcription` component), rendering (`/api/render/*`, jobs of the
//! `render` component) and video metadata (`/api/videos/metadata`).
//!
//! Every route but sign-up, login and the OAuth pair needs an account's
//! bearer token; the jobs and files it makes belong to that account
//! (`account:<id>`), and another account gets 404 for them.
//!
//! Errors are FastAPI's shape, which the seed's frontend parses:
//! `{"detail": …}` (a sentence, or for 422 a list of `{msg, message}`),
//! plus Capsule's `error` (a code from [`CODES`]) and `message`.

mod accounts;
mod docs;
mod metadata;
mod process;
mod render;
mod uploads;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub use docs::fragment;

use super::AppState;
use super::envelope::path_problem;
use super::profile::WireCode;
use crate::accounts::{Accounts, AccountsError};
use crate::jobs::JobError;
use crate::store::UserRecord;

/// What seed 003's routes share, beyond the host's state.
pub struct VideoState {
    pub accounts: Accounts,
    pub signer: crate::blobs::UrlSigner,
    /// Pending and finished uploads, by file key (the job store's
    /// key-value table, so every host sharing it knows them).
    pub uploads: Arc<dyn crate::store::KeyValueStore>,
    pub limits: VideoLimits,
    /// Render requests per account (`--render-rate`).
    pub render_rate: crate::auth::RateLimits,
}

#[derive(Debug, Clone)]
pub struct VideoLimits {
    /// How long a presigned upload URL (and a download URL) lasts.
    pub url_ttl: Duration,
    /// Renders an account may start per UTC day (`--render-daily-quota`).
    pub render_daily_quota: u32,
    /// Largest upload (`--max-video-size`).
    pub max_upload: u64,
}

/// A seed-003 error: status, code and the sentence (`detail`).
#[derive(Debug)]
pub struct VideoError {
    status: StatusCode,
    code: &'static str,
    detail: Value,
    message: String,
    retry_after: Option<u64>,
    authenticate: bool,
}

const fn code(status: StatusCode, name: &'static str, meaning: &'static str) -> WireCode {
    WireCode { status, name, code: None, meaning }
}

/// Every code seed 003's routes answer (in `error`, beside `detail`).
pub const CODES: &[WireCode] = &[
    code(
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_ERROR",
        "a field is missing or invalid; `detail` lists each as {msg (Korean), message (English), loc}",
    ),
    code(StatusCode::CONFLICT, "EMAIL_TAKEN", "sign-up: an account with that email exists"),
    code(StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS", "login: wrong email or password"),
    code(StatusCode::UNAUTHORIZED, "TOKEN_REQUIRED", "no `Authorization: Bearer <access_token>`"),
    code(StatusCode::UNAUTHORIZED, "TOKEN_EXPIRED", "the access token expired; log in again"),
    code(StatusCode::UNAUTHORIZED, "TOKEN_INVALID", "the access token is forged, damaged or of a deleted account"),
    code(StatusCode::FORBIDDEN, "ACCOUNT_DISABLED", "the account is disabled"),
    code(
        StatusCode::TOO_MANY_REQUESTS,
        "LOGIN_RATE_LIMITED",
        "too many login attempts for this email or address (Retry-After)",
    ),
    code(
        StatusCode::SERVICE_UNAVAILABLE,
        "OAUTH_NOT_CONFIGURED",
        "Google login needs --google-client-id and --google-client-secret",
    ),
    code(
        StatusCode::BAD_REQUEST,
        "OAUTH_FAILED",
        "the provider refused the login, or the `state` is unknown or expired",
    ),
    code(
        StatusCode::NOT_FOUND,
        "UPLOAD_NOT_FOUND",
        "no upload of this account has that file key, or its bytes never arrived",
    ),
    code(
        StatusCode::FORBIDDEN,
        "UPLOAD_URL_INVALID",
        "a presigned URL that was changed, has expired, or is used with another Content-Type",
    ),
    code(StatusCode::PAYLOAD_TOO_LARGE, "UPLOAD_TOO_LARGE", "the uploaded file is over --max-video-size"),
    code(StatusCode::TOO_MANY_REQUESTS, "UPLOAD_LIMIT", "the account keeps 10,000 uploads, the most one account may"),
    code(StatusCode::NOT_FOUND, "JOB_NOT_FOUND", "no job of this account has that id"),
    code(StatusCode::CONFLICT, "JOB_ALREADY_FINISHED", "cancel: the job already completed, failed or was cancelled"),
    code(
        StatusCode::BAD_REQUEST,
        "RENDER_INVALID_INPUT",
        "a bad scenario, options or videoUrl; the message (starting `invalid:`) names the field",
    ),
    code(
        StatusCode::TOO_MANY_REQUESTS,
        "RENDER_RATE_LIMIT_EXCEEDED",
        "too many renders this minute (--render-rate); the message starts `rate:`",
    ),
    code(
        StatusCode::TOO_MANY_REQUESTS,
        "RENDER_QUOTA_DAILY_EXCEEDED",
        "the account's renders for today (UTC) are used up (--render-daily-quota); the message starts `quota:`",
    ),
    code(
        StatusCode::OK,
        "SPEECH_NOT_CONFIGURED",
        "in a failed transcription's `error.code` (also MEDIA_*, SPEECH_*, INPUT_INVALID_FILE, ML_PROCESSING_CANCELLED; a render's `errorCode`)",
    ),
    code(StatusCode::NOT_FOUND, "VIDEO_NOT_FOUND", "metadata: no file of this account at that URL"),
    code(StatusCode::UNPROCESSABLE_ENTITY, "VIDEO_UNREADABLE", "metadata: the file is not a video or audio file"),
    code(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "the JSON body is over --max-body"),
    code(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "the component or engine is not on this host, the queue is full, or the store is down (Retry-After)",
    ),
];

impl VideoError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self { status, code, detail: Value::String(message.clone()), message, retry_after: None, authenticate: false }
    }

    /// 422 with one field problem, as FastAPI lists them.
    pub fn field(field: &str, msg: &str, message: &str) -> Self {
        Self::fields(vec![(field.to_string(), msg.to_string(), message.to_string())])
    }

    pub fn fields(problems: Vec<(String, String, String)>) -> Self {
        let message = problems.iter().map(|(_, _, m)| m.as_str()).collect::<Vec<_>>().join("; ");
        let detail = problems
            .into_iter()
            .map(|(field, msg, message)| {
                json!({ "loc": ["body", field], "msg": msg, "message": message, "type": "value_error" })
            })
            .collect();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "VALIDATION_ERROR",
            detail: Value::Array(detail),
            message,
            retry_after: None,
            authenticate: false,
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self { retry_after: Some(1), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", message) }
    }

    pub fn job_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "JOB_NOT_FOUND",
            "작업을 찾을 수 없습니다 (no job of this account has that id)",
        )
    }

    fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl From<JobError> for VideoError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::InvalidInput(m) => Self::field("body", "입력 값이 올바르지 않습니다", &m),
            JobError::NotFound(_) => Self::job_not_found(),
            JobError::CapabilityNotFound(c) => {
                Self::unavailable(format!("the `{c}` component is not deployed on this host (spin.toml)"))
            }
            JobError::QueueFull { .. } => Self::unavailable("too many jobs are waiting; retry shortly"),
            JobError::Store(err) if err.is_unavailable() => {
                Self::unavailable("the job database is not answering; nothing was recorded, retry shortly")
            }
            JobError::AlreadyFinished { status, .. } => Self::new(
                StatusCode::CONFLICT,
                "JOB_ALREADY_FINISHED",
                format!("이미 끝난 작업입니다 (the job already finished as {status})"),
            ),
            JobError::Store(_) => {
                tracing::error!(error = %e, "seed 003 route");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the request failed; quote the request id if it persists",
                )
            }
        }
    }
}

impl From<crate::store::StoreError> for VideoError {
    fn from(e: crate::store::StoreError) -> Self {
        JobError::Store(e).into()
    }
}

impl From<AccountsError> for VideoError {
    fn from(e: AccountsError) -> Self {
        let sentence = e.to_string();
        let unauthorized =
            |code| Self { authenticate: true, ..Self::new(StatusCode::UNAUTHORIZED, code, sentence.clone()) };
        match e {
            AccountsError::Invalid(problems) => {
                Self::fields(problems.into_iter().map(|p| (p.field.to_string(), p.msg, p.message)).collect())
            }
            AccountsError::EmailTaken => Self::new(StatusCode::CONFLICT, "EMAIL_TAKEN", sentence),
            AccountsError::WrongCredentials => unauthorized("INVALID_CREDENTIALS"),
            AccountsError::TokenMissing => unauthorized("TOKEN_REQUIRED"),
            AccountsError::TokenExpired => unauthorized("TOKEN_EXPIRED"),
            AccountsError::TokenInvalid => unauthorized("TOKEN_INVALID"),
            AccountsError::Disabled => Self::new(StatusCode::FORBIDDEN, "ACCOUNT_DISABLED", sentence),
            AccountsError::Throttled(wait) => Self::new(StatusCode::TOO_MANY_REQUESTS, "LOGIN_RATE_LIMITED", sentence)
                .retry_after(wait.as_secs_f64().ceil() as u64),
            AccountsError::OAuthNotConfigured => Self {
                retry_after: None,
                ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "OAUTH_NOT_CONFIGURED", sentence)
            },
            AccountsError::OAuthStateUnknown | AccountsError::OAuth(_) => {
                Self::new(StatusCode::BAD_REQUEST, "OAUTH_FAILED", sentence)
            }
            AccountsError::Store(err) => err.into(),
            AccountsError::Internal(m) => {
                tracing::error!(error = %m, "seed 003 accounts");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL",
                    "the request failed; quote the request id if it persists",
                )
            }
        }
    }
}

impl IntoResponse for VideoError {
    fn into_response(self) -> Response {
        let body = json!({ "detail": self.detail, "error": self.code, "message": self.message });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.authenticate {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if super::envelope::ends_connection(self.status) {
            super::envelope::close_connection(&mut response);
        }
        response
    }
}

/// Seed 003's request bodies: a bad body is a 422 naming the field.
macro_rules! video_request {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::api::profile::ProfileRequest for $t {
            type Error = $crate::api::video::VideoError;
            fn rejected(problem: $crate::api::profile::BodyProblem) -> $crate::api::video::VideoError {
                use $crate::api::video::VideoError;
                match problem {
                    $crate::api::profile::BodyProblem::TooLarge { .. } => VideoError::new(
                        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "PAYLOAD_TOO_LARGE",
                        problem.sentence(),
                    ),
                    _ => VideoError::field("body", "요청 형식이 올바르지 않습니다", &problem.sentence()),
                }
            }
        }
    )*};
}
pub(crate) use video_request;

/// The account a request's bearer token names.
pub struct Account(pub UserRecord);

impl Account {
    pub fn tenant(&self) -> String {
        crate::accounts::tenant_of(&self.0)
    }
}

impl FromRequestParts<AppState> for Account {
    type Rejection = VideoError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim);
        Ok(Account(state.video.accounts.authenticate(token).await?))
    }
}

/// A path parameter whose rejection is this profile's error.
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = VideoError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Self(id)),
            Err(rejection) => Err(VideoError::field(
                "path",
                "경로가 올바르지 않습니다",
                &path_problem(&rejection).unwrap_or_else(|| "the id is not a valid path segment".into()),
            )),
        }
    }
}

/// Seed 003's routes. `/blobs/{id}` is public: its signature is its key.
pub fn router(max_upload: u64) -> Router<AppState> {
    let upload_limit = usize::try_from(max_upload).unwrap_or(usize::MAX).saturating_add(64 * 1024);
    Router::new()
        .route("/api/auth/signup", post(accounts::signup))
        .route("/api/auth/login", post(accounts::login))
        .route("/api/auth/me", get(accounts::me))
        .route("/api/auth/google/login", get(accounts::google_login))
        .route("/api/auth/google/callback", get(accounts::google_callback))
        .route("/api/upload-video/generate-url", post(uploads::generate_url))
        .route(
            "/blobs/{id}",
            get(uploads::signed_download)
                .put(uploads::signed_upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/upload-video/request-process", post(process::request_process))
        .route("/api/upload-video/status/{job_id}", get(process::status))
        .route("/api/upload-video/cancel/{job_id}", post(process::cancel))
        .route("/api/render/create", post(render::create))
        .route("/api/render/{job_id}/status", get(render::status))
        .route("/api/render/{job_id}/cancel", post(render::cancel))
        .route("/api/videos/metadata", get(metadata::metadata))
}

/// `Some(path)` for routes this profile owns (the auth middleware leaves
/// their callers to [`Account`] and the URL signatures).
pub fn owns(path: &str) -> bool {
    ["/api/auth/", "/api/upload-video/", "/api/render/", "/api/videos/", "/blobs/"].iter().any(|p| path.starts_with(p))
}

/// The account's job `id` of `capability`; any other is as absent as one
/// that never existed.
async fn own_job(
    state: &AppState,
    account: &Account,
    id: &str,
    capability: &str,
) -> Result<crate::store::JobRecord, VideoError> {
    match state.jobs.get(id, Some(&account.tenant())).await {
        Ok(r) if r.capability == capability => Ok(r),
        Ok(_) => Err(VideoError::job_not_found()),
        Err(e) => Err(e.into()),
    }
}

/// RFC 3339 with milliseconds, as the seed's `createdAt` reads.
fn time(ms: i64) -> String {
    crate::api::rfc3339(ms)
}

/// Seconds left of a running job, from its progress so far.
fn remaining(started_ms: Option<i64>, progress: Option<u8>) -> Option<u64> {
    let (started, progress) = (started_ms?, f64::from(progress?));
    if progress <= 0.0 || progress >= 100.0 {
        return None;
    }
    let elapsed = (chrono::Utc::now().timestamp_millis() - started).max(0) as f64 / 1000.0;
    Some((elapsed * (100.0 - progress) / progress).round() as u64)
}

//! The native envelope (seed `002`): `{success, data, meta}` or
//! `{success: false, error: {code, message}, meta}`, with a request id on
//! every response. One error type, [`ApiError`]; extractors that turn every
//! rejection into it, so no client input can produce a bare 4xx/5xx body.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::jobs::JobError;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled (also sent as `x-request-id`).
pub fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| new_request_id())
}

fn new_request_id() -> String {
    format!("req_{}", uuid::Uuid::new_v4().simple())
}

pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Gives every request an id: the caller's `x-request-id` when it is sane,
/// else a new one; available to handlers through [`request_id`].
pub async fn with_request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// An error answered outside the router's middleware (the server's own
/// refusals), with `id` (or a new one) in `meta` and in `x-request-id`.
pub fn error_with_request_id(id: Option<String>, error: ApiError) -> Response {
    let id = id.unwrap_or_else(new_request_id);
    let mut response = REQUEST_ID.sync_scope(id.clone(), || error.into_response());
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

/// The `meta` every envelope carries: `{requestId, timestamp}`.
pub(in crate::api) fn meta() -> Value {
    json!({ "requestId": request_id(), "timestamp": timestamp() })
}

/// `{success: true, data, meta}` with the given status.
pub fn ok(status: StatusCode, data: impl Serialize) -> Response {
    (status, axum::Json(json!({ "success": true, "data": data, "meta": meta() }))).into_response()
}

/// [`ok`] with `extra`'s keys beside `success`, `data` and `meta` (a seed
/// whose clients read the same document at its top level).
pub fn ok_beside(status: StatusCode, data: impl Serialize, extra: Value) -> Response {
    let mut body = json!({ "success": true, "data": data, "meta": meta() });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        for (k, v) in extra {
            b.entry(k).or_insert(v);
        }
    }
    (status, axum::Json(body)).into_response()
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Extra machine-readable facts (e.g. the failing validation step).
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), retry_after: None, details: None }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "COMMON_INVALID_REQUEST", message)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        // The detail goes to the log with the request id, never to the client.
        tracing::error!(request = %request_id(), error = %error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "COMMON_INTERNAL_ERROR",
            "something went wrong on our side; try again, and quote the request id if it persists",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(details) = self.details {
            error["details"] = details;
        }
        let body = json!({ "success": false, "error": error, "meta": meta() });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(secs));
        }
        if ends_connection(self.status) {
            close_connection(&mut response);
        }
        response
    }
}

/// Refusals sent before the request was read to its end (a body too large
/// or too slow, a head too long): the rest may still be on the wire, so the
/// connection cannot carry another request.
pub fn ends_connection(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::URI_TOO_LONG
            | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    )
}

/// Say so (`Connection: close`, which hyper honours by closing after the
/// response) rather than let a keep-alive client find out by a reset.
pub fn close_connection(response: &mut Response) {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        match &e {
            JobError::CapabilityNotFound(_) => Self::new(
                StatusCode::NOT_FOUND,
                "CAPABILITY_NOT_FOUND",
                format!("{e}; GET /api/v1/capabilities lists the ones served here"),
            ),
            JobError::InvalidInput(m) => Self::invalid(m.clone()),
            JobError::QueueFull { .. } => Self {
                retry_after: Some(1),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "COMMON_RATE_LIMITED", format!("{e}; retry in a moment"))
            },
            JobError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "JOB_NOT_FOUND", e.to_string()),
            JobError::AlreadyFinished { .. } => Self::new(StatusCode::CONFLICT, "JOB_ALREADY_FINISHED", e.to_string()),
            JobError::Store(err) if err.is_unavailable() => {
                tracing::warn!(request = %request_id(), error = %err, "job store unavailable");
                Self {
                    retry_after: Some(1),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "COMMON_STORE_UNAVAILABLE",
                        "the job database is not answering; nothing was changed — retry in a moment",
                    )
                }
            }
            JobError::Store(err) => Self::internal(err),
        }
    }
}

impl From<crate::blobs::BlobError> for ApiError {
    fn from(e: crate::blobs::BlobError) -> Self {
        match e {
            crate::blobs::BlobError::Unavailable(_) => {
                tracing::warn!(request = %request_id(), error = %e, "file store unavailable");
                Self {
                    retry_after: Some(1),
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "COMMON_STORE_UNAVAILABLE",
                        "the file store is not answering; nothing was stored — retry in a moment",
                    )
                }
            }
            other => Self::internal(other),
        }
    }
}

/// JSON body extractor whose rejections are [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

pub fn json_rejection(rejection: JsonRejection) -> ApiError {
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with `Content-Type: application/json`".into()
        }
        JsonRejection::JsonSyntaxError(e) => format!("the body is not valid JSON: {}", e.body_text()),
        JsonRejection::JsonDataError(e) => format!("the body does not have the expected shape: {}", e.body_text()),
        JsonRejection::BytesRejection(_) => "the body could not be read (too large or interrupted)".into(),
        other => other.body_text(),
    };
    let status = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(
        status,
        if status == StatusCode::BAD_REQUEST { "COMMON_INVALID_REQUEST" } else { "COMMON_PAYLOAD_TOO_LARGE" },
        message,
    )
}

/// Query-string extractor whose rejections are [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::invalid(format!("bad query string: {}", e.body_text())))
            }
            Err(other) => Err(ApiError::invalid(other.body_text())),
        }
    }
}

/// Path-parameter extractor whose rejections are [`ApiError`]s: a segment
/// that is not UTF-8 once percent-decoded (`/api/v1/jobs/%FF`) is a 400
/// `COMMON_INVALID_REQUEST` naming the parameter, not axum's `text/plain`.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(rejection) => Err(match path_problem(&rejection) {
                Some(problem) => ApiError::invalid(problem),
                None => ApiError::internal(rejection.body_text()),
            }),
        }
    }
}

/// What the client got wrong in the path, as a sentence; `None` when the
/// fault is ours (a route without the parameter its handler expects).
pub fn path_problem(rejection: &PathRejection) -> Option<String> {
    let PathRejection::FailedToDeserializePathParams(e) = rejection else { return None };
    if e.status().is_server_error() {
        return None;
    }
    Some(match e.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => format!(
            "the path parameter `{key}` is not valid UTF-8 once percent-decoded; send it as the API returned it"
        ),
        _ => format!("bad path: {}", e.body_text()),
    })
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "COMMON_NOT_FOUND", "no such route; see /docs for the API")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "COMMON_METHOD_NOT_ALLOWED",
        "this route does not accept that method; see /docs",
    )
}

/// A panic in a handler becomes a plain 500 envelope; the panic goes to the log.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}

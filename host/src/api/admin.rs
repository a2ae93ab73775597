//! The components admin API: list, push (hot swap), rollback, versions.
//!
//! Bearer tokens: `CAPSULE_ADMIN_TOKEN` (role `admin`: everything) and
//! `CAPSULE_VIEWER_TOKEN` (role `viewer`: read only). With no admin token
//! configured the API is disabled, not open. Refusals use seed 001's codes:
//! 401 `unauthorized` 4010 (no token), 401 `invalid_token` 4012, 403
//! `forbidden` 4030.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::envelope::{ApiError, ApiQuery, closing, ok};
use crate::deploy::DeployError;

/// Who may call the admin API.
#[derive(Debug, Clone, Default)]
pub struct AdminAuth {
    pub admin_token: Option<String>,
    pub viewer_token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Viewer,
}

/// Equal-length comparison that does not stop at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A seed-001 refusal: status, `message` key and `error_code`.
struct Refusal(StatusCode, &'static str, u16);

const UNAUTHORIZED: Refusal = Refusal(StatusCode::UNAUTHORIZED, "unauthorized", 4010);
const INVALID_TOKEN: Refusal = Refusal(StatusCode::UNAUTHORIZED, "invalid_token", 4012);
const FORBIDDEN: Refusal = Refusal(StatusCode::FORBIDDEN, "forbidden", 4030);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let Refusal(status, message, code) = self;
        let mut r =
            (status, axum::Json(json!({ "message": message, "error_code": code, "data": null }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

/// How much of a refused request's body is read before answering: closing a
/// connection with unread upload bytes can reset it before the client reads
/// the refusal, while reading large bodies for strangers is not worth it.
const REFUSAL_DRAIN: usize = 1 << 20;

/// Checks the bearer token; reads need any role, changes need `admin`.
pub async fn require_role(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match check_role(&state.admin, &req) {
        Ok(()) => next.run(req).await,
        Err(refusal) => {
            let _ = axum::body::to_bytes(req.into_body(), REFUSAL_DRAIN).await;
            refusal.into_response()
        }
    }
}

fn check_role(auth: &AdminAuth, req: &Request) -> Result<(), Refusal> {
    let Some(admin) = &auth.admin_token else {
        tracing::warn!("admin API called but disabled: set CAPSULE_ADMIN_TOKEN to enable it");
        return Err(FORBIDDEN);
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(token) = presented else {
        return Err(UNAUTHORIZED);
    };
    let role = if same_secret(token, admin) {
        Role::Admin
    } else if auth.viewer_token.as_deref().is_some_and(|v| same_secret(token, v)) {
        Role::Viewer
    } else {
        return Err(INVALID_TOKEN);
    };
    let reads = [axum::http::Method::GET, axum::http::Method::HEAD];
    if role != Role::Admin && !reads.contains(req.method()) {
        return Err(FORBIDDEN);
    }
    Ok(())
}

impl From<DeployError> for ApiError {
    fn from(e: DeployError) -> Self {
        match &e {
            DeployError::UnknownComponent(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "COMPONENT_NOT_FOUND", e.to_string())
            }
            DeployError::Invalid(load) => {
                let step = serde_json::to_value(load.step).ok().and_then(|s| s.as_str().map(str::to_string));
                ApiError {
                    details: Some(json!({ "step": step })),
                    ..ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "COMPONENT_INVALID",
                        format!(
                            "the new version was refused at step `{}`: {}; the old version keeps serving",
                            step.unwrap_or_default(),
                            load.message
                        ),
                    )
                }
            }
            DeployError::VersionNotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "VERSION_NOT_FOUND", e.to_string())
            }
            DeployError::NoPrevious(_) => ApiError::new(StatusCode::CONFLICT, "NO_PREVIOUS_VERSION", e.to_string()),
            DeployError::Io(err) => ApiError::internal(err),
        }
    }
}

async fn component_view(state: &AppState, entry: &crate::runtime::Entry) -> Result<Value, ApiError> {
    let id = &entry.spec.id;
    let current = entry.current();
    let versions = state.deployer.versions(id)?;
    let jobs: serde_json::Map<String, Value> =
        state.jobs.jobs_per_digest(id).await?.into_iter().map(|(d, n)| (d, json!(n))).collect();
    Ok(json!({
        "id": id,
        "name": entry.spec.name,
        "activeDigest": current.digest,
        "activeVersion": current.descriptor.version,
        "loadedAt": current.loaded_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "versionsKept": versions.len(),
        "versions": versions,
        "jobsPerVersion": jobs,
    }))
}

/// `GET /api/v1/components`
pub async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut out = Vec::new();
    for entry in state.deployer.registry().iter() {
        out.push(component_view(&state, entry).await?);
    }
    Ok(ok(StatusCode::OK, json!({ "components": out })))
}

/// `GET /api/v1/components/{id}/versions`
pub async fn versions(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let entry = state.deployer.registry().by_id(&id).ok_or(DeployError::UnknownComponent(id.clone()))?;
    Ok(ok(StatusCode::OK, component_view(&state, entry).await?))
}

/// `PUT /api/v1/components/{id}` with the `.wasm` as the body.
pub async fn push(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Response> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = bytesize::ByteSize(state.config.max_component_size as u64).display().iec();
            closing(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "COMPONENT_TOO_LARGE",
                format!("components are limited to {limit} (`--max-component-size`, CAPSULE_MAX_COMPONENT_SIZE)"),
            ))
        } else {
            ApiError::invalid(format!("the component could not be read: {}", rejection.body_text())).into_response()
        }
    })?;
    if !body.starts_with(b"\0asm") {
        return Err(ApiError::invalid("the body must be a WebAssembly component (`.wasm` bytes)").into_response());
    }
    let deployed = state.deployer.push(&id, body.into()).await.map_err(|e| ApiError::from(e).into_response())?;
    Ok(ok(StatusCode::OK, deployed))
}

#[derive(Deserialize)]
pub struct RollbackQuery {
    to: Option<String>,
}

/// `POST /api/v1/components/{id}/rollback[?to=<digest>]`
pub async fn rollback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RollbackQuery>,
) -> Result<Response, ApiError> {
    let deployed = state.deployer.rollback(&id, q.to.as_deref()).await?;
    Ok(ok(StatusCode::OK, deployed))
}

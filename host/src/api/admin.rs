//! The components admin API: list, push (hot swap), rollback, versions.
//! A push or rollback sent to any host applies to every host sharing its
//! store (see `deploy`); the listing says when this host does not serve
//! the version the others do, and why.
//! Who may call it is decided in [`super::auth`]: the admin token or an
//! `admin` key changes, the viewer token reads; with neither a token nor
//! keys configured the API is disabled, not open.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::envelope::ApiPath;
use super::envelope::{ApiError, ApiQuery, ok};
use crate::deploy::DeployError;

impl From<DeployError> for ApiError {
    fn from(e: DeployError) -> Self {
        // The versions are in the job database: the same 503 (or 500) as
        // any other request that needed it, and nothing changed.
        let e = match e {
            DeployError::Store(err) => return crate::jobs::JobError::Store(err).into(),
            other => other,
        };
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
            // Answered above; kept for the match to be whole.
            DeployError::Store(err) => ApiError::internal(err),
        }
    }
}

async fn component_view(state: &AppState, entry: &crate::runtime::Entry) -> Result<Value, ApiError> {
    let id = &entry.spec.id;
    let current = entry.current();
    let versions = state.deployer.versions(id).await?;
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
        // `null` when this host serves the version every host should (the
        // store's active one); else which that is and why it does not serve here.
        "drift": state.deployer.drift_of(id),
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
pub async fn versions(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let entry = state.deployer.registry().by_id(&id).ok_or(DeployError::UnknownComponent(id.clone()))?;
    Ok(ok(StatusCode::OK, component_view(&state, entry).await?))
}

/// `PUT /api/v1/components/{id}` with the `.wasm` as the body.
pub async fn push(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = bytesize::ByteSize(state.config.max_component_size as u64).display().iec();
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "COMPONENT_TOO_LARGE",
                format!("components are limited to {limit} (`--max-component-size`, CAPSULE_MAX_COMPONENT_SIZE)"),
            )
        } else {
            ApiError::invalid(format!("the component could not be read: {}", rejection.body_text()))
        }
    })?;
    if !body.starts_with(b"\0asm") {
        return Err(ApiError::invalid("the body must be a WebAssembly component (`.wasm` bytes)"));
    }
    let deployed = state.deployer.push(&id, body.into()).await?;
    Ok(ok(StatusCode::OK, deployed))
}

#[derive(Deserialize)]
pub struct RollbackQuery {
    to: Option<String>,
}

/// `POST /api/v1/components/{id}/rollback[?to=<digest>]`
pub async fn rollback(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RollbackQuery>,
) -> Result<Response, ApiError> {
    let deployed = state.deployer.rollback(&id, q.to.as_deref()).await?;
    Ok(ok(StatusCode::OK, deployed))
}

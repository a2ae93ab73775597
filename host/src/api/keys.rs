//! The keys admin API: `POST /api/v1/keys` (the key is in the answer, and
//! only there), `GET /api/v1/keys`, `DELETE /api/v1/keys/{id}` (revoke).
//! Admin role only (see [`super::auth`]).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::envelope::{ApiError, ApiJson, ApiPath, ok};
use crate::auth::{KeySpec, KeyView, Rate, Role};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateKey {
    tenant: String,
    role: String,
    #[serde(default)]
    name: String,
    /// e.g. `20/s`; absent: the server's `--rate-limit`.
    rate_limit: Option<String>,
    /// e.g. `30d`, `12h`; absent: never expires.
    expires_in: Option<String>,
}

impl CreateKey {
    fn spec(self) -> Result<KeySpec, ApiError> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            ApiError::invalid(format!("field `/role` is `{}`; use submitter, viewer or admin", self.role))
        })?;
        let rate = match self.rate_limit.as_deref() {
            Some(r) => Some(r.parse::<Rate>().map_err(|e| ApiError::invalid(format!("field `/rateLimit`: {e}")))?),
            None => None,
        };
        let expires_in = match self.expires_in.as_deref() {
            Some(e) => Some(parse_expiry(e).map_err(|m| ApiError::invalid(format!("field `/expiresIn`: {m}")))?),
            None => None,
        };
        Ok(KeySpec { tenant: self.tenant, role, name: self.name, rate, expires_in })
    }
}

/// `30d`, `12h`, `90m`: a positive duration of at most ten years.
pub fn parse_expiry(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("`{s}`: {e} (write e.g. `30d`, `12h`)"))?;
    if d.is_zero() || d > Duration::from_secs(10 * 366 * 24 * 3600) {
        return Err(format!("`{s}`: an expiry must be more than zero and at most ten years"));
    }
    Ok(d)
}

/// `POST /api/v1/keys`
pub async fn create(State(state): State<AppState>, ApiJson(body): ApiJson<CreateKey>) -> Result<Response, ApiError> {
    let spec = body.spec()?;
    let (key, record) = state.auth.create(&spec).await.map_err(ApiError::invalid)?;
    tracing::info!(key = %record.id, tenant = %record.tenant, role = %record.role, "API key created");
    let mut view = serde_json::to_value(KeyView::from(&record)).map_err(ApiError::internal)?;
    view["key"] = json!(key);
    Ok(ok(StatusCode::CREATED, view))
}

/// `GET /api/v1/keys`
pub async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let keys = state.auth.store().keys().await.map_err(ApiError::internal)?;
    let views: Vec<KeyView> = keys.iter().map(KeyView::from).collect();
    Ok(ok(StatusCode::OK, json!({ "keys": views })))
}

/// `DELETE /api/v1/keys/{id}`: revoke; the key stops working at once here
/// (and within seconds on any other process sharing the store).
pub async fn revoke(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    if !state.auth.revoke(&id).await.map_err(ApiError::internal)? {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "KEY_NOT_FOUND",
            format!("no active key `{id}`; GET /api/v1/keys lists them"),
        ));
    }
    let record = state.auth.store().key(&id).await.map_err(ApiError::internal)?;
    Ok(ok(StatusCode::OK, record.as_ref().map(KeyView::from)))
}

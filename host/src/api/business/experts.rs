//! Seed 000 §3: `GET /api/expert/list`, `GET /api/expert/{expert_name}` and
//! `POST /api/expert/match` (synchronous, as in the original: the
//! `expert-match` component is handed the registry and answers the
//! ranking), and the operators' `POST /api/v1/experts` import (admin).

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{BUSY, BusinessError, EXPERT_MATCH, NOT_FOUND};
use crate::api::AppState;
use crate::api::envelope::{ApiError, ok};
use crate::api::profile::{BodyProblem, ProfileRequest, Typed, Waited, submit_and_wait};
use crate::auth::Caller;
use crate::experts::{self, ExpertsError};

impl From<crate::store::StoreError> for BusinessError {
    fn from(e: crate::store::StoreError) -> Self {
        crate::jobs::JobError::Store(e).into()
    }
}

/// `GET /api/expert/list`: every expert, visible or not, in id order.
pub async fn list(State(state): State<AppState>) -> Result<Response, BusinessError> {
    let experts = experts::load(state.database.as_ref()).await?;
    Ok(axum::Json(json!({ "total_count": experts.len(), "experts": experts })).into_response())
}

/// A path parameter whose rejection is this profile's error.
pub struct ExpertName(String);

impl<S: Send + Sync> FromRequestParts<S> for ExpertName {
    type Rejection = BusinessError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(name)) => Ok(Self(name)),
            Err(_) => Err(BusinessError::validation(&["path", "expert_name"], "the name is not valid UTF-8")),
        }
    }
}

/// `GET /api/expert/{expert_name}`.
pub async fn get(State(state): State<AppState>, ExpertName(name): ExpertName) -> Result<Response, BusinessError> {
    let experts = experts::load(state.database.as_ref()).await?;
    match experts.into_iter().find(|e| e.name == name) {
        Some(expert) => Ok(axum::Json(expert).into_response()),
        None => Err(BusinessError::new(NOT_FOUND, format!("전문가 '{name}'을(를) 찾을 수 없습니다."))),
    }
}

/// Seed 000 §3.1's body, with its ranges.
#[derive(Deserialize)]
pub struct MatchRequest {
    business_report: String,
    #[serde(default = "ten")]
    num_keywords: i64,
    #[serde(default = "ten")]
    top_k: i64,
    #[serde(default = "half")]
    similarity_threshold: f64,
}

fn ten() -> i64 {
    10
}

fn half() -> f64 {
    0.5
}

impl ProfileRequest for MatchRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

/// `POST /api/expert/match`: the ranking, or FastAPI's 422 for a value out of range.
pub async fn match_experts(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<MatchRequest>,
) -> Result<Response, BusinessError> {
    if body.business_report.trim().is_empty() {
        return Err(BusinessError::validation(&["body", "business_report"], "business_report must not be empty"));
    }
    if !(1..=10).contains(&body.num_keywords) {
        return Err(BusinessError::validation(&["body", "num_keywords"], "num_keywords must be between 1 and 10"));
    }
    if !(1..=50).contains(&body.top_k) {
        return Err(BusinessError::validation(&["body", "top_k"], "top_k must be between 1 and 50"));
    }
    if !(0.0..=1.0).contains(&body.similarity_threshold) {
        return Err(BusinessError::validation(
            &["body", "similarity_threshold"],
            "similarity_threshold must be between 0.0 and 1.0",
        ));
    }
    let experts = experts::load(state.database.as_ref()).await?;
    let input = json!({
        "business_report": body.business_report,
        "num_keywords": body.num_keywords,
        "top_k": body.top_k,
        "similarity_threshold": body.similarity_threshold,
        "experts": experts,
    });
    match submit_and_wait(&state, EXPERT_MATCH, input, caller.tenant(), state.config.seed_sync_wait).await? {
        Waited::Completed(result) => Ok(axum::Json(result).into_response()),
        Waited::Failed(failure) => Err(BusinessError::from_failure(&failure)),
        Waited::Running(id) => Err(BusinessError::new(
            BUSY,
            format!("the matching is still running as task {id}; poll GET /api/jobs/status/{id}"),
        )),
    }
}

#[derive(Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    replace: bool,
}

/// `POST /api/v1/experts[?replace=true]` (admin): a JSON list (or
/// `{"experts": [...]}`), or CSV with `Content-Type: text/csv`.
pub async fn import(
    State(state): State<AppState>,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::invalid("`replace` must be true or false"))?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("text/csv"));
    let incoming = experts::parse(&body, csv).map_err(|e| ApiError::invalid(e.to_string()))?;
    let outcome = experts::import(state.database.as_ref(), incoming, query.replace).await.map_err(|e| match e {
        ExpertsError::Invalid(m) => ApiError::invalid(m),
        ExpertsError::Store(e) => crate::jobs::JobError::Store(e).into(),
    })?;
    tracing::info!(added = outcome.added, updated = outcome.updated, removed = outcome.removed, "experts imported");
    Ok(ok(StatusCode::OK, json!(outcome)))
}

/// `GET /api/v1/experts` (admin): the registry, as `capsule experts list` prints it.
pub async fn export(State(state): State<AppState>) -> Result<Response, ApiError> {
    let experts =
        experts::load(state.database.as_ref()).await.map_err(|e| ApiError::from(crate::jobs::JobError::Store(e)))?;
    Ok(ok(StatusCode::OK, json!({ "experts": experts })))
}

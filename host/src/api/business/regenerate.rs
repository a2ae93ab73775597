//! `POST /api/reports/regenerate`: a `regeneration` job, answered at once
//! with its task id, polled at `GET /api/jobs/status/{task_id}`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{BusinessError, REGENERATION};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed};
use crate::auth::Caller;

/// What each classification needs.
pub const STYLES: &[&str] = &["자세히", "간결하게", "윤문"];
pub const SEARCHES: &[&str] = &["특허", "뉴스"];

#[derive(Deserialize)]
pub struct RegenerateRequest {
    classification: String,
    #[serde(default)]
    contents: Option<String>,
    #[serde(default)]
    subject: Option<String>,
}

impl ProfileRequest for RegenerateRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|t| t.trim().is_empty())
}

pub async fn regenerate(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<RegenerateRequest>,
) -> Response {
    let c = body.classification.trim();
    let input = if STYLES.contains(&c) {
        if blank(&body.contents) {
            return BusinessError::validation(&["body", "contents"], format!("`{c}` rewrites `contents`; send it"))
                .into_response();
        }
        json!({ "classification": c, "contents": body.contents })
    } else if SEARCHES.contains(&c) {
        if blank(&body.subject) {
            return BusinessError::validation(&["body", "subject"], format!("`{c}` searches for `subject`; send it"))
                .into_response();
        }
        json!({ "classification": c, "subject": body.subject })
    } else {
        let all: Vec<String> = STYLES.iter().chain(SEARCHES).map(|s| format!("`{s}`")).collect();
        return BusinessError::validation(
            &["body", "classification"],
            format!("`{c}` is not a classification; use one of {}", all.join(", ")),
        )
        .into_response();
    };
    match state.jobs.submit(REGENERATION, input, false, caller.tenant()).await {
        Ok(submitted) => axum::Json(json!({
            "success": true,
            "message": format!("regeneration started (task_id: {})", submitted.id),
            "task_id": submitted.id,
        }))
        .into_response(),
        Err(e) => BusinessError::from(e).into_response(),
    }
}

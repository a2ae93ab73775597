//! `POST /api/diagnosis/` (synchronous, as in the original) and
//! `GET /api/diagnosis/criteria`, both answered by the `diagnosis`
//! component.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{BUSY, BusinessError, DIAGNOSIS};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed, Waited, submit_and_wait};
use crate::auth::Caller;

/// The alias the diagnosis asks for; without a provider it scores with its
/// rubric method.
pub const MODEL_ALIAS: &str = "default";

/// Seed 000 §2.1's body. Unknown fields are ignored, as FastAPI does.
#[derive(Deserialize)]
pub struct DiagnosisRequest {
    input: Vec<Content>,
    #[serde(default)]
    evaluation: Option<Value>,
}

#[derive(Deserialize, serde::Serialize)]
struct Content {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contents: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<String>,
}

impl ProfileRequest for DiagnosisRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

pub async fn diagnose(State(state): State<AppState>, caller: Caller, Typed(body): Typed<DiagnosisRequest>) -> Response {
    if body.input.iter().all(|c| c.contents.as_deref().is_none_or(|t| t.trim().is_empty())) {
        return BusinessError::validation(&["body", "input"], "give the plan's text in `input[].contents`")
            .into_response();
    }
    let mut input = json!({ "input": body.input });
    if let Some(evaluation) = body.evaluation.filter(|e| !e.is_null()) {
        input["evaluation"] = evaluation;
    }
    answer(&state, &caller, input).await
}

pub async fn criteria(State(state): State<AppState>, caller: Caller) -> Response {
    answer(&state, &caller, json!({ "list": "criteria" })).await
}

/// The component's output is the route's answer.
async fn answer(state: &AppState, caller: &Caller, input: Value) -> Response {
    match submit_and_wait(state, DIAGNOSIS, input, caller.tenant(), state.config.seed_sync_wait).await {
        Ok(Waited::Completed(result)) => axum::Json(result).into_response(),
        Ok(Waited::Failed(failure)) => BusinessError::from_failure(&failure).into_response(),
        Ok(Waited::Running(id)) => BusinessError::new(
            BUSY,
            format!("the diagnosis is still running as task {id}; poll GET /api/jobs/status/{id}"),
        )
        .into_response(),
        Err(e) => BusinessError::from(e).into_response(),
    }
}

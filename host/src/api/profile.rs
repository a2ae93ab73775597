//! The shape every seed profile follows (axum's `examples/error-handling`):
//! its own error type (`From<JobError>`, `IntoResponse`), typed request
//! structs behind [`Typed`], whose rejection is that error, a table of its
//! codes ([`WireCode`]), its own router and OpenAPI fragment
//! ([`Fragment`]); and one [`submit_and_wait`] for routes that were
//! synchronous in the original.

use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::AppState;
use crate::jobs::JobError;
use crate::runtime::Failure;
use crate::store::Status;

/// One row of a profile's code table: a failure as its clients see it.
#[derive(Debug, Clone, Copy)]
pub struct WireCode {
    pub status: StatusCode,
    /// The name clients branch on (`invalid_request`, `ai_service_unavailable`).
    pub name: &'static str,
    /// The numeric code, where the seed has one.
    pub code: Option<u16>,
    /// When it is answered.
    pub meaning: &'static str,
}

/// What was wrong with a request body, before a profile words it.
#[derive(Debug)]
pub enum BodyProblem {
    /// Over `--max-body`.
    TooLarge { limit: usize },
    /// Not JSON, or not `application/json`.
    NotJson(String),
    /// JSON that does not fit the request type: the serde message names the field.
    Invalid(String),
}

impl BodyProblem {
    pub fn sentence(&self) -> String {
        match self {
            BodyProblem::TooLarge { limit } => format!(
                "the body is over this server's limit of {limit} bytes (--max-body); send a smaller request, and upload files with POST /api/v1/files"
            ),
            BodyProblem::NotJson(m) | BodyProblem::Invalid(m) => m.clone(),
        }
    }
}

/// A request type of a profile: it says which error a bad body becomes
/// (seed 001 answers 4000 on one route and 4003 on another).
pub trait ProfileRequest: DeserializeOwned + Send {
    type Error: IntoResponse;
    fn rejected(problem: BodyProblem) -> Self::Error;
}

/// A typed JSON body whose rejection is the request type's profile error.
/// The body must be a JSON object: serde would otherwise read a struct from
/// an array, field by position.
pub struct Typed<T>(pub T);

impl<T: ProfileRequest> FromRequest<AppState> for Typed<T> {
    type Rejection = T::Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let body = match axum::Json::<Value>::from_request(req, state).await {
            Ok(axum::Json(body)) => body,
            Err(rejection) => return Err(T::rejected(problem(rejection, state.config.max_body))),
        };
        if !body.is_object() {
            return Err(T::rejected(BodyProblem::Invalid("the body must be a JSON object".into())));
        }
        serde_path_to_error::deserialize(body).map(Self).map_err(|e| {
            let at = e.path().to_string();
            T::rejected(BodyProblem::Invalid(format!("`{at}`: {}", e.into_inner())))
        })
    }
}

fn problem(rejection: JsonRejection, limit: usize) -> BodyProblem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return BodyProblem::TooLarge { limit };
    }
    // The native API's sentence for the same rejection.
    BodyProblem::NotJson(super::envelope::json_rejection(rejection).message)
}

/// How a synchronous wait ended.
pub enum Waited {
    Completed(Value),
    Failed(Failure),
    /// Still queued or running when the wait ran out; the job goes on.
    Running(String),
}

/// Submit `input` to `capability` for `tenant` and wait up to `wait` for
/// its end (a cached answer returns at once).
pub async fn submit_and_wait(
    state: &AppState,
    capability: &str,
    input: Value,
    tenant: Option<&str>,
    wait: Duration,
) -> Result<Waited, JobError> {
    let submitted = state.jobs.submit(capability, input, false, tenant).await?;
    if let Some(result) = submitted.result {
        return Ok(Waited::Completed(result));
    }
    let record = state.jobs.wait(&submitted.id, wait).await?;
    Ok(match record.status {
        Status::Completed => Waited::Completed(
            record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null),
        ),
        Status::Failed | Status::Cancelled => Waited::Failed(record.failure.unwrap_or_else(|| Failure {
            code: "JOB_CANCELLED".into(),
            message: "the job was cancelled".into(),
            retryable: false,
        })),
        Status::Queued | Status::Processing => Waited::Running(record.id),
    })
}

/// A profile's part of `/openapi.json`: its paths and the schemas they use.
pub struct Fragment {
    pub paths: Map<String, Value>,
    pub schemas: Map<String, Value>,
}

/// The code table as an OpenAPI description line.
pub fn describe_codes(codes: &[WireCode]) -> String {
    codes
        .iter()
        .map(|c| match c.code {
            Some(n) => format!("`{}` {n} (HTTP {}): {}", c.name, c.status.as_u16(), c.meaning),
            None => format!("`{}` (HTTP {}): {}", c.name, c.status.as_u16(), c.meaning),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

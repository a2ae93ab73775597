//! Seed 001's streamed routes (`/ai/analyze`, `/ai/interview/report`,
//! `/ai/chat`) as Server-Sent Events, or as one JSON answer to a client
//! that asks for `application/json`.
//!
//! Events, in order: `task` (`{task_id, status}`, always first, so a client
//! that drops the connection can fetch the answer from `GET
//! /ai/task/{task_id}`), any number of `progress` (`{progress, step,
//! message}`) and `token` (`{text}`: a language model's answer as it is
//! written), then exactly one `complete` whose data is the route's
//! documented JSON body (`{"message": …, "data": {…}}`) or one `error`
//! whose data is the seed's error body. The job does not belong to the
//! connection: a client that goes away neither cancels nor loses it.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::assistant::{CAREER, Op, career_failure, with_op};
use super::{INTERNAL, SeedError, UNAVAILABLE, seed_ok};
use crate::api::AppState;
use crate::auth::Caller;
use crate::jobs::JobEvent;
use crate::store::{JobRecord, Status};

/// How the client wants the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reply {
    Events,
    Json,
}

impl Reply {
    /// Events unless the client accepts JSON and not an event stream.
    pub(super) fn from_headers(headers: &HeaderMap) -> Self {
        let accept = headers
            .get_all(axum::http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",")
            .to_ascii_lowercase();
        if accept.contains("application/json") && !accept.contains("text/event-stream") {
            Reply::Json
        } else {
            Reply::Events
        }
    }
}

/// The final answer of a finished `career` job: its `{message, data}` body,
/// or the seed error its failure maps to.
pub(super) fn outcome(op: Op, record: &JobRecord) -> Result<Value, SeedError> {
    match record.status {
        Status::Completed => {
            let data = record.result.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok());
            match data {
                Some(data @ Value::Object(_)) => Ok(json!({ "message": op.done_message(&data), "data": data })),
                _ => Err(INTERNAL),
            }
        }
        Status::Cancelled => Err(UNAVAILABLE.because("the task was cancelled")),
        _ => {
            let (code, reason) =
                record.failure.as_ref().map_or(("", "the task failed"), |f| (f.code.as_str(), f.message.as_str()));
            Err(career_failure(code, reason))
        }
    }
}

fn event(name: &str, data: Value) -> Result<Event, Infallible> {
    Ok(Event::default().event(name).data(data.to_string()))
}

fn final_event(op: Op, record: &JobRecord) -> Result<Event, Infallible> {
    match outcome(op, record) {
        Ok(body) => event("complete", body),
        Err(e) => event("error", e.body()),
    }
}

/// The longest a stream stays open for one task.
const STREAM_LIMIT: Duration = Duration::from_secs(3600);

/// Run a streamed op on checked fields: events, or one JSON answer.
pub(super) async fn streamed(
    state: &AppState,
    caller: &Caller,
    reply: Reply,
    op: Op,
    checked: Result<Map<String, Value>, SeedError>,
) -> Response {
    let fields = match checked {
        Ok(fields) => fields,
        Err(e) => return e.into_response(),
    };
    // A host without the component answers `ai_service_unavailable` through `From<JobError>`.
    let submitted = match state.jobs.submit(CAREER, with_op(op, fields), false, caller.tenant()).await {
        Ok(s) => s,
        Err(e) => return SeedError::from(e).into_response(),
    };
    let id = submitted.id;
    if reply == Reply::Json {
        return match state.jobs.wait(&id, state.config.max_wait).await {
            Ok(record) if record.status.is_terminal() => match outcome(op, &record) {
                Ok(body) => seed_ok(body["message"].as_str().unwrap_or_default(), body["data"].clone()),
                Err(e) => e.into_response(),
            },
            Ok(_) => UNAVAILABLE
                .because(format!("the answer is taking longer than usual; fetch it with GET /ai/task/{id}"))
                .into_response(),
            Err(e) => SeedError::from(e).into_response(),
        };
    }
    // Subscribe before reading the job, so nothing falls in between.
    let mut events = state.jobs.subscribe(&id);
    let jobs = state.jobs.clone();
    let tenant = caller.tenant.clone();
    let stream = async_stream::stream! {
        yield event("task", json!({ "task_id": id, "status": "processing" }));
        match jobs.get(&id, tenant.as_deref()).await {
            Ok(record) if record.status.is_terminal() => {
                yield final_event(op, &record);
                return;
            }
            Ok(_) => {}
            Err(e) => {
                yield event("error", SeedError::from(e).body());
                return;
            }
        }
        loop {
            match events.recv().await {
                Ok(JobEvent::Progress { percent, step, message }) => {
                    yield event("progress", json!({ "progress": percent, "step": step, "message": message }));
                }
                Ok(JobEvent::Token { text, .. }) => yield event("token", json!({ "text": text })),
                Ok(JobEvent::Chunk(_)) => {}
                Ok(JobEvent::Finished) | Err(RecvError::Closed) => {
                    // A retry's backoff is not an end: wait for the real one.
                    match jobs.wait(&id, STREAM_LIMIT).await {
                        Ok(record) if record.status.is_terminal() => yield final_event(op, &record),
                        Ok(_) => yield event("error", UNAVAILABLE.because(format!(
                            "the answer is taking longer than usual; fetch it with GET /ai/task/{id}"
                        )).body()),
                        Err(e) => yield event("error", SeedError::from(e).body()),
                    }
                    return;
                }
                // Fell behind: the final event still carries the whole answer.
                Err(RecvError::Lagged(_)) => {}
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

//! `GET /api/v1/jobs/{id}/events`: Server-Sent Events for one job.
//!
//! Events: `state` (a snapshot, first), `progress` ({progress, step,
//! message}), `chunk` ({chunk}: partial output from `job-context.emit`), and
//! one final `completed` | `failed` | `cancelled` carrying the whole job,
//! after which the stream ends.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::envelope::ApiError;
use super::envelope::ApiPath;
use super::native::job_view;
use crate::auth::Caller;
use crate::jobs::JobEvent;

fn event(name: &str, data: serde_json::Value) -> Result<Event, Infallible> {
    Ok(Event::default().event(name).data(data.to_string()))
}

pub async fn job_events(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    // Subscribe before reading the state, so nothing falls in between. The
    // subscription lives in the stream and unsubscribes when the stream (the
    // client's connection) goes away, or here on an unknown id.
    let mut events = state.jobs.subscribe(&id);
    let first = state.jobs.get(&id, caller.tenant()).await?;
    let jobs = state.jobs.clone();
    let tenant = caller.tenant;
    let stream = async_stream::stream! {
        if first.status.is_terminal() {
            yield event(first.status.as_str(), job_view(&first, false));
            return;
        }
        yield event("state", job_view(&first, false));
        loop {
            match events.recv().await {
                Ok(JobEvent::Progress { percent, step, message }) => {
                    yield event("progress", json!({"progress": percent, "step": step, "message": message}));
                }
                Ok(JobEvent::Chunk(chunk)) => yield event("chunk", json!({"chunk": chunk})),
                Ok(JobEvent::Token { seq, text }) => yield event("token", json!({"seq": seq, "text": text})),
                Ok(JobEvent::Finished) | Err(RecvError::Closed) => {
                    match jobs.get(&id, tenant.as_deref()).await {
                        Ok(record) if record.status.is_terminal() => {
                            yield event(record.status.as_str(), job_view(&record, false));
                        }
                        Ok(record) => yield event("state", job_view(&record, false)),
                        Err(_) => {}
                    }
                    return;
                }
                // A slow client missed some events; later ones still come.
                Err(RecvError::Lagged(_)) => continue,
            }
        }
    };
    Ok(sse(stream).into_response())
}

fn sse(stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> impl IntoResponse {
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

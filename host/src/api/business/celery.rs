//! Seed 000's Celery job routes over Capsule's jobs: a task id is a job
//! id, and a job's state reads as the Celery state its frontend polls for.
//!
//! | Capsule job                                  | Celery state |
//! |----------------------------------------------|--------------|
//! | queued, never attempted                      | `PENDING`    |
//! | queued after a failed attempt (retry waits)  | `RETRY`      |
//! | processing, no progress reported yet         | `STARTED`    |
//! | processing with progress                     | `PROGRESS`   |
//! | completed                                    | `SUCCESS`    |
//! | failed                                       | `FAILURE`    |
//! | cancelled                                    | `REVOKED`    |
//!
//! An unknown id (or another tenant's) answers as Celery answers one:
//! `PENDING`, with nothing else — Celery cannot tell "not yet" from
//! "never"; neither do we, so no one learns which ids exist.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::BusinessError;
use crate::api::AppState;
use crate::auth::Caller;
use crate::jobs::JobError;
use crate::store::{JobRecord, ListFilter, Status};

/// The Celery state of a job.
pub fn celery_state(record: &JobRecord) -> &'static str {
    match record.status {
        Status::Queued if record.attempts > 0 => "RETRY",
        Status::Queued => "PENDING",
        Status::Processing if has_progress(record) => "PROGRESS",
        Status::Processing => "STARTED",
        Status::Completed => "SUCCESS",
        Status::Failed => "FAILURE",
        Status::Cancelled => "REVOKED",
    }
}

/// The worker's own "started" marker is not progress a component reported.
fn has_progress(record: &JobRecord) -> bool {
    record.progress.is_some_and(|p| p > 0) || record.step.as_deref().is_some_and(|s| s != "started")
}

/// `GET /api/jobs/status/{task_id}`.
pub async fn status(State(state): State<AppState>, caller: Caller, Path(task_id): Path<String>) -> Response {
    let record = match state.jobs.get(&task_id, caller.tenant()).await {
        Ok(r) => r,
        Err(JobError::NotFound(_)) => {
            return axum::Json(
                json!({"task_id": task_id, "status": "PENDING", "result": null, "error": null, "meta": null}),
            )
            .into_response();
        }
        Err(e) => return BusinessError::from(e).into_response(),
    };
    let view = status_view(&record);
    let generation =
        state.jobs.pipeline_of(&record.capability).is_some_and(|p| p.name == super::generate::REPORT_GENERATION);
    let view = if generation { super::generate::celery_view(&state, &record, view).await } else { view };
    axum::Json(view).into_response()
}

pub fn status_view(record: &JobRecord) -> Value {
    let state = celery_state(record);
    let result = match record.status {
        Status::Completed => record.result.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let error = match (&record.failure, record.status) {
        (Some(f), Status::Failed | Status::Cancelled | Status::Queued) => json!(format!("{}: {}", f.code, f.message)),
        (None, Status::Cancelled) => json!("JOB_CANCELLED: the task was revoked"),
        _ => Value::Null,
    };
    let meta = match state {
        "PROGRESS" | "STARTED" => json!({
            "status": record.message.clone().filter(|m| !m.is_empty()).or_else(|| record.step.clone()).unwrap_or_default(),
            "step": record.step,
            "current": record.progress.unwrap_or(0),
            "total": 100,
        }),
        "RETRY" => json!({
            "status": "재시도 대기 중",
            "attempt": record.attempts,
            "max_attempts": record.max_attempts,
            "retry_at": crate::api::rfc3339(record.run_after),
        }),
        _ => Value::Null,
    };
    json!({ "task_id": record.id, "status": state, "result": result, "error": error, "meta": meta })
}

/// `DELETE /api/jobs/cancel/{task_id}`. Celery's revoke is fire-and-forget
/// and answers the same for any id; here a finished task says it cannot
/// be cancelled, and an unknown one is revoked like Celery would (nothing
/// to stop).
pub async fn cancel(State(state): State<AppState>, caller: Caller, Path(task_id): Path<String>) -> Response {
    let (success, message) = match state.jobs.cancel(&task_id, caller.tenant()).await {
        Ok(_) | Err(JobError::NotFound(_)) => (true, "작업 취소 요청이 전송되었습니다."),
        Err(JobError::AlreadyFinished { .. }) => (false, "이미 완료된 작업은 취소할 수 없습니다."),
        Err(e) => return BusinessError::from(e).into_response(),
    };
    axum::Json(json!({ "success": success, "message": message, "task_id": task_id })).into_response()
}

/// `GET /api/jobs/list`: the caller's running (`active`), waiting
/// (`reserved`) and retry-delayed (`scheduled`) tasks, newest first, at
/// most 100 each.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    let worker = WORKER.as_str();
    let fetch = |status| ListFilter {
        tenant: caller.tenant.clone(),
        capability: None,
        status: Some(status),
        before: None,
        limit: 100,
    };
    let (processing, queued) = (fetch(Status::Processing), fetch(Status::Queued));
    let (running, queued) = match tokio::try_join!(state.jobs.list(&processing), state.jobs.list(&queued)) {
        Ok(lists) => lists,
        Err(e) => return BusinessError::from(e).into_response(),
    };
    let view = |r: &JobRecord| {
        let kwargs: Value = serde_json::from_str(&r.input).unwrap_or(Value::Null);
        json!({ "worker": worker, "task_id": r.id, "name": format!("capsule.{}", r.capability), "args": [], "kwargs": kwargs })
    };
    let (scheduled, reserved): (Vec<&JobRecord>, Vec<&JobRecord>) = queued.iter().partition(|r| r.attempts > 0);
    axum::Json(json!({
        "active": running.iter().map(view).collect::<Vec<_>>(),
        "scheduled": scheduled.into_iter().map(view).collect::<Vec<_>>(),
        "reserved": reserved.into_iter().map(view).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// Celery's `worker` field: this host, read once.
static WORKER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string());
    format!("capsule@{}", host.unwrap_or_else(|_| "localhost".into()))
});

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: Status, attempts: u32, progress: Option<u8>, step: Option<&str>) -> JobRecord {
        JobRecord {
            id: "job_1".into(),
            capability: "regeneration".into(),
            tenant: None,
            status,
            input: "{}".into(),
            run_after: 0,
            result: None,
            failure: None,
            progress,
            step: step.map(str::to_string),
            message: None,
            attempts,
            max_attempts: 3,
            component_digest: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            updated_at: 0,
            usage: None,
            parent: None,
        }
    }

    #[test]
    fn each_job_state_reads_as_the_celery_state_the_frontend_polls_for() {
        let cases = [
            (record(Status::Queued, 0, None, None), "PENDING"),
            (record(Status::Queued, 1, None, None), "RETRY"),
            (record(Status::Processing, 1, Some(0), Some("started")), "STARTED"),
            (record(Status::Processing, 1, Some(40), Some("summarize")), "PROGRESS"),
            (record(Status::Completed, 1, Some(100), None), "SUCCESS"),
            (record(Status::Failed, 3, None, None), "FAILURE"),
            (record(Status::Cancelled, 0, None, None), "REVOKED"),
        ];
        for (r, expected) in cases {
            assert_eq!(celery_state(&r), expected, "{:?} attempts {}", r.status, r.attempts);
        }
    }

    #[test]
    fn progress_carries_current_and_total_and_the_components_message() {
        let mut r = record(Status::Processing, 1, Some(50), Some("rewrite"));
        r.message = Some("보고서 생성 중...".into());
        let v = status_view(&r);
        assert_eq!(v["meta"], json!({"status": "보고서 생성 중...", "step": "rewrite", "current": 50, "total": 100}));
    }
}

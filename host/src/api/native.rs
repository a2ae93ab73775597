//! The native v1 API: jobs per capability, job status/list/cancel, the
//! synchronous call, capabilities, files and health.

use std::time::Duration;

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::envelope::ApiPath;
use super::envelope::{ApiError, ApiJson, ApiQuery, ok};
use crate::auth::Caller;
use crate::blobs::{BlobError, BoxError};
use crate::jobs::Submitted;
use crate::store::{JobRecord, ListFilter, Status};

/// The job as clients see it (seed `002` status shape plus bookkeeping).
pub fn job_view(record: &JobRecord, cache_hit: bool) -> Value {
    let mut v = json!({
        "jobId": record.id,
        "capability": record.capability,
        "status": record.status.as_str(),
        "attempts": record.attempts,
        "maxAttempts": record.max_attempts,
        "componentDigest": record.component_digest,
        "cacheHit": cache_hit,
        "createdAt": rfc3339(record.created_at),
        "startedAt": record.started_at.map(rfc3339),
        "finishedAt": record.finished_at.map(rfc3339),
        "updatedAt": rfc3339(record.updated_at),
    });
    let o = v.as_object_mut().expect("object");
    if let Some(p) = record.progress {
        o.insert("progress".into(), json!(p));
    }
    if let Some(s) = &record.step {
        o.insert("step".into(), json!(s));
    }
    if let Some(m) = &record.message {
        o.insert("message".into(), json!(m));
    }
    if let Some(usage) = &record.usage {
        o.insert("usage".into(), json!(usage));
    }
    if let Some(parent) = &record.parent {
        o.insert("parent".into(), json!({ "jobId": parent.parent_id, "step": parent.step }));
    }
    if record.status == Status::Completed {
        let result = record.result.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok());
        o.insert("result".into(), result.unwrap_or(Value::Null));
    }
    if let Some(f) = &record.failure {
        match record.status {
            // Seed 002's table calls it `failure`, its example `error`: send both.
            Status::Failed | Status::Cancelled => {
                o.insert("failure".into(), json!({"code": f.code, "message": f.message, "retryable": f.retryable}));
                o.insert("error".into(), json!({"code": f.code, "message": f.message}));
            }
            // A retry is waiting: show why the last attempt failed.
            _ => {
                o.insert("lastFailure".into(), json!({"code": f.code, "message": f.message}));
            }
        }
    }
    v
}

pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn submitted_view(s: &Submitted) -> Value {
    let mut v = json!({ "jobId": s.id, "status": s.status.as_str(), "cacheHit": s.cache_hit });
    if let Some(result) = &s.result {
        v["result"] = result.clone();
    }
    if s.deduplicated {
        v["deduplicated"] = json!(true);
    }
    v
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubmitQuery {
    force_refresh: Option<bool>,
    wait: Option<String>,
}

/// The body is the job input. A top-level boolean `forceRefresh` is taken
/// out of it as the cache-bypass flag (seed `002`), as is `?forceRefresh=true`.
fn split_input(mut body: Value, query: &SubmitQuery) -> Result<(Value, bool), ApiError> {
    let mut force = query.force_refresh.unwrap_or(false);
    if let Some(obj) = body.as_object_mut() {
        match obj.get("forceRefresh") {
            Some(Value::Bool(b)) => {
                force |= *b;
                obj.remove("forceRefresh");
            }
            Some(_) => return Err(ApiError::invalid("field `/forceRefresh`: must be true or false")),
            None => {}
        }
    }
    Ok((body, force))
}

/// `POST /api/v1/{capability}/jobs`
pub async fn submit_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(capability): ApiPath<String>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let (input, force) = split_input(body, &query)?;
    let submitted = state.jobs.submit(&capability, input, force, caller.tenant()).await?;
    let status = if submitted.status == Status::Completed { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok(ok(status, submitted_view(&submitted)))
}

/// `POST /api/v1/{capability}`: submit, wait (bounded), answer.
pub async fn call_sync(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(capability): ApiPath<String>,
    ApiQuery(query): ApiQuery<SubmitQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let wait = parse_wait(query.wait.as_deref(), state.config.max_wait)?;
    let (input, force) = split_input(body, &query)?;
    let submitted = state.jobs.submit(&capability, input, force, caller.tenant()).await?;
    if submitted.status == Status::Completed {
        return Ok(ok(StatusCode::OK, submitted_view(&submitted)));
    }
    let record = state.jobs.wait(&submitted.id, wait).await?;
    let status = if record.status.is_terminal() { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok(ok(status, job_view(&record, false)))
}

/// `?wait=` as `30s`, `1500ms`, `2m` or plain seconds; at most `max`.
pub fn parse_wait(wait: Option<&str>, max: Duration) -> Result<Duration, ApiError> {
    let Some(w) = wait else { return Ok(Duration::from_secs(30).min(max)) };
    let d = match w.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Duration::from_secs_f64(secs.min(1e6)),
        Ok(_) => return Err(ApiError::invalid("`wait` must not be negative")),
        Err(_) => humantime::parse_duration(w).map_err(|_| {
            ApiError::invalid(format!("`wait` is `{w}`; write seconds (`10`) or a duration (`10s`, `2m`)"))
        })?,
    };
    if d > max {
        return Err(ApiError::invalid(format!("`wait` may be at most {}", humantime::format_duration(max))));
    }
    Ok(d)
}

/// `GET /api/v1/jobs/{id}`
pub async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let record = state.jobs.get(&id, caller.tenant()).await?;
    Ok(ok(StatusCode::OK, with_steps(&state, &record).await?))
}

/// A job's view, with its steps when it is a pipeline's.
pub async fn with_steps(state: &AppState, record: &JobRecord) -> Result<Value, ApiError> {
    let mut view = job_view(record, false);
    if let Some(steps) = state.jobs.steps(record).await? {
        let steps: Vec<Value> = steps.iter().map(|s| step_view(s, record.status.is_terminal())).collect();
        view["steps"] = json!(steps);
    }
    Ok(view)
}

/// One step: its state, and its job (or, in a fan-out, its jobs in element order).
fn step_view(step: &crate::jobs::StepState, pipeline_ended: bool) -> Value {
    let job = |j: &JobRecord| {
        let mut v = json!({
            "jobId": j.id,
            "status": j.status.as_str(),
            "attempts": j.attempts,
            "componentDigest": j.component_digest,
        });
        if let Some(p) = j.progress {
            v["progress"] = json!(p);
        }
        if let Some(f) = &j.failure {
            v["failure"] = json!({"code": f.code, "message": f.message});
        }
        v
    };
    let statuses: Vec<Status> = step.jobs.iter().map(|j| j.status).collect();
    let status = if statuses.is_empty() {
        if pipeline_ended { "skipped" } else { "waiting" }
    } else if statuses.contains(&Status::Failed) {
        "failed"
    } else if statuses.contains(&Status::Cancelled) {
        "cancelled"
    } else if statuses.iter().all(|s| *s == Status::Completed) {
        "completed"
    } else if statuses.iter().all(|s| *s == Status::Queued) {
        "queued"
    } else {
        "processing"
    };
    let mut v = json!({ "name": step.name, "component": step.component, "status": status });
    match (step.fan_out, step.jobs.as_slice()) {
        (false, [one]) => {
            if let (Value::Object(into), Value::Object(from)) = (&mut v, job(one)) {
                into.extend(from.into_iter().filter(|(k, _)| k != "status"));
            }
        }
        (true, jobs) => v["elements"] = json!(jobs.iter().map(job).collect::<Vec<_>>()),
        _ => {}
    }
    v
}

/// `DELETE /api/v1/jobs/{id}`
pub async fn cancel_job(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let record = state.jobs.cancel(&id, caller.tenant()).await?;
    Ok(ok(StatusCode::OK, with_steps(&state, &record).await?))
}

#[derive(Deserialize)]
pub struct ListQuery {
    capability: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/jobs?capability=&status=&limit=&cursor=`: newest first.
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let capability = match q.capability {
        Some(name) => Some(
            state
                .jobs
                .registry()
                .get(&name)
                .map(|e| e.spec.id.clone())
                .or_else(|| state.jobs.pipelines().iter().find(|p| p.name == name).map(|p| p.id.clone()))
                .ok_or_else(|| ApiError::from(crate::jobs::JobError::CapabilityNotFound(name)))?,
        ),
        None => None,
    };
    let status = match q.status.as_deref() {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::invalid(format!("`status` is `{s}`; use queued, processing, completed, failed or cancelled"))
        })?),
        None => None,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("`limit` must be between 1 and 500"));
    }
    if let Some(c) = &q.cursor
        && !(c.starts_with("job_") && c.len() <= 64)
    {
        return Err(ApiError::invalid(
            "`cursor` is not one this API handed out; use `nextCursor` from the previous page",
        ));
    }
    let filter = ListFilter { tenant: caller.tenant, capability, status, before: q.cursor, limit };
    let jobs = state.jobs.list(&filter).await?;
    let next_cursor = (jobs.len() == limit as usize).then(|| jobs.last().map(|j| j.id.clone())).flatten();
    let views: Vec<Value> = jobs.iter().map(|j| job_view(j, false)).collect();
    Ok(ok(StatusCode::OK, json!({ "jobs": views, "nextCursor": next_cursor })))
}

/// `GET /api/v1/capabilities`
pub async fn capabilities(State(state): State<AppState>) -> Response {
    let list: Vec<Value> = state.jobs.registry().iter().map(|e| capability_view(e)).collect();
    let pipelines: Vec<Value> = state.jobs.pipelines().iter().map(|p| pipeline_view(p)).collect();
    ok(StatusCode::OK, json!({ "capabilities": list, "pipelines": pipelines }))
}

pub fn pipeline_view(spec: &crate::manifest::PipelineSpec) -> Value {
    let mapping = |m: &crate::manifest::Mapping| match m {
        crate::manifest::Mapping::Whole(pointer) => json!(pointer),
        crate::manifest::Mapping::Fields(fields) => json!(fields),
    };
    let steps: Vec<Value> = spec
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "component": s.component,
                "input": s.input.as_ref().map(mapping),
                "forEach": s.for_each,
            })
        })
        .collect();
    json!({
        "name": spec.name,
        "pipeline": spec.id,
        "route": spec.route,
        "steps": steps,
        "output": spec.output.as_ref().map(mapping),
        "limits": { "concurrency": spec.concurrency, "maxAttempts": spec.max_attempts },
    })
}

pub fn capability_view(entry: &crate::runtime::Entry) -> Value {
    let v = entry.current();
    let spec = &entry.spec;
    json!({
        "name": spec.name,
        "component": spec.id,
        "route": spec.route,
        "version": v.descriptor.version,
        "summary": v.descriptor.summary,
        "mode": v.descriptor.mode,
        "digest": v.digest,
        "loadedAt": v.loaded_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "inputSchema": v.descriptor.input_schema,
        "outputSchema": v.descriptor.output_schema,
        "examples": v.descriptor.examples,
        "limits": {
            "timeoutMs": spec.timeout.as_millis() as u64,
            "memoryBytes": spec.memory,
            "concurrency": spec.concurrency,
            "maxAttempts": spec.max_attempts,
            "cache": spec.cache,
        },
    })
}

/// `POST /api/v1/files` (multipart, one file part).
pub async fn upload_file(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::invalid(format!(
            "send the file as multipart/form-data (e.g. `curl -F file=@posting.png`): {}",
            e.body_text()
        ))
    })?;
    let max = state.blobs.max_size;
    // A 413 also closes the connection: the rest of the body is still on the wire.
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "FILE_TOO_LARGE",
            format!("files are limited to {}", bytesize::ByteSize(max).display().iec()),
        )
    };
    let multipart_error = |e: &MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::invalid(format!("the multipart body could not be read: {}", e.body_text()))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| multipart_error(&e))? {
        let Some(file_name) = field.file_name().map(str::to_string) else { continue };
        let declared = field.content_type().map(str::to_string);
        let chunks = field.map(|chunk| chunk.map_err(|e| Box::new(e) as BoxError)).boxed();
        let stored = state.blobs.store.put_stream(&file_name, declared.as_deref(), caller.tenant(), chunks, max).await;
        let meta = stored.map_err(|e| match e {
            BlobError::TooLarge { .. } => too_large(),
            BlobError::Source(source) => match source.downcast::<MultipartError>() {
                Ok(e) => multipart_error(&e),
                Err(other) => ApiError::invalid(format!("the file could not be read: {other}")),
            },
            other => ApiError::from(other),
        })?;
        let url = state.blobs.url_for(&meta.id);
        return Ok(ok(StatusCode::CREATED, json!({ "url": url, "file": meta })));
    }
    Err(ApiError::invalid(
        "no file part found: send multipart/form-data with a part that has a filename, e.g. `-F file=@posting.png`",
    ))
}

/// `GET /api/v1/files/{id}`: streamed from the store as `user_file`
/// serves every user file (single byte ranges included).
pub async fn download_file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "FILE_NOT_FOUND", format!("no file `{id}` is stored here"));
    let meta = state.blobs.meta_for(&id, caller.tenant()).await.map_err(ApiError::from)?.ok_or_else(not_found)?;
    super::user_file::serve(state.blobs.store.as_ref(), &meta, &headers)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(not_found)
}

/// `GET /health`: components, queue depth, store and blob store, and the
/// components this host does not serve at the version every host should.
pub async fn health(State(state): State<AppState>) -> Response {
    let stats = state.jobs.stats().await;
    let blobs = state.blobs.store.check().await;
    let components: Vec<Value> = state
        .jobs
        .registry()
        .iter()
        .map(|e| {
            let v = e.current();
            json!({
                "name": e.spec.name,
                "digest": v.digest,
                "version": v.descriptor.version,
                "loadedAt": v.loaded_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "queueDepth": state.jobs.queue_depth(&e.spec.id),
            })
        })
        .collect();
    // A missing engine fails the jobs that need it (OCR_ENGINE_UNAVAILABLE)
    // but not the host: every other capability still serves.
    let engines: serde_json::Map<String, Value> =
        state.engines.status().into_iter().map(|(name, status)| (name.to_string(), json!(status))).collect();
    let auth = match state.auth.keys_required().await {
        Ok(true) => {
            json!({ "mode": "keys", "message": "requests need an API key; each tenant sees only its own jobs and files" })
        }
        Ok(false) => json!({
            "mode": "open",
            "message": "the API is unauthenticated: anyone who can reach it can read and cancel every job; \
                        create a key with `capsule keys create` to require keys",
        }),
        Err(e) => json!({ "mode": "unknown", "message": e.to_string() }),
    };
    let healthy = stats.is_ok() && blobs.is_ok();
    // A component this host could not load at the store's active version
    // still serves its old one: `degraded`, but answered 200, so a load
    // balancer keeps a host that serves (and a cluster whose other hosts
    // all refused a version keeps its capacity). One still loading it is
    // listed, not degraded.
    let drift = state.deployer.drift();
    let drifted = drift.iter().any(|d| d.error.is_some());
    // A host that cannot hear the others still runs jobs; their events and
    // cancels reach it a sweep or a heartbeat late meanwhile.
    let bus = state.jobs.bus_status();
    let body = json!({
        "status": if healthy && !drifted && bus.is_ok() { "ok" } else { "degraded" },
        "components": components,
        "drift": drift,
        "jobs": stats.as_ref().ok(),
        "store": match &stats { Ok(_) => "ok".to_string(), Err(e) => e.to_string() },
        "blobs": match &blobs { Ok(_) => "ok".to_string(), Err(e) => e.to_string() },
        "bus": match &bus { Ok(()) => "ok".to_string(), Err(e) => e.clone() },
        "engines": engines,
        "auth": auth,
        // Event channels of jobs someone listens to: bounded by the open
        // streams and waiters, so growth here without them is a leak.
        "events": { "liveChannels": state.jobs.live_event_channels() },
    });
    // Seed 000's frontend reads its health keys at the top level, native
    // clients read `data`: one document answers both.
    let seed_000 = json!({
        "status": if healthy { "healthy" } else { "unhealthy" },
        "openai_api_key_configured": state.engines.llm.configured(crate::api::business::MODEL_ALIAS),
        "supabase_configured": stats.is_ok(),
        "total_experts": crate::experts::count(state.database.as_ref()).await.unwrap_or(0),
    });
    super::envelope::ok_beside(if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, body, seed_000)
}

//! Running a pipeline's job: each step is a job of its own (its component's
//! lane, attempts and timeout), inserted under an id derived from the
//! pipeline's and linked to it, so a pipeline claimed again after a crash
//! finds the steps that already ran or still run and resumes at the first
//! one that has not completed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::events::JobEvent;
use super::{JobError, Jobs, now_ms};
use crate::manifest::{Mapping, PipelineSpec, StepSpec};
use crate::runtime::Failure;
use crate::store::{Claimed, JobRecord, NewJob, Status, StepOf, StoreError};

/// Stands in for a component digest on a pipeline's own job.
pub(super) fn pipeline_digest(spec: &PipelineSpec) -> String {
    format!("pipeline:{}", spec.id)
}

/// A step job's id: the pipeline's, the step's index and (in a fan-out)
/// the element's, zero-padded so ids sort in step order.
fn step_id(parent: &str, step: usize, element: Option<usize>) -> String {
    match element {
        None => format!("{parent}-{step:02}"),
        Some(k) => format!("{parent}-{step:02}-{k:05}"),
    }
}

fn step_label(step: &StepSpec, element: Option<usize>) -> String {
    match element {
        None => step.name.clone(),
        Some(k) => format!("{}[{k}]", step.name),
    }
}

/// How a run ended short of a result.
enum Stop {
    Failed(Failure),
    /// Cancelled, or no longer this host's: nothing more to record.
    Interrupted,
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        let mut failure = Failure::new("PIPELINE_STORE_UNAVAILABLE", format!("the job store failed mid-pipeline: {e}"));
        failure.retryable = true;
        Stop::Failed(failure)
    }
}

impl From<JobError> for Stop {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Store(e) => e.into(),
            other => Stop::Failed(Failure::new("PIPELINE_STEP_REFUSED", other.to_string())),
        }
    }
}

/// The value a pointer names in the run's document; a pointer that names
/// nothing is a failure naming the step and the pointer.
fn read(doc: &Value, pointer: &str, at: &str) -> Result<Value, Stop> {
    doc.pointer(pointer).cloned().ok_or_else(|| {
        Stop::Failed(Failure::new(
            "PIPELINE_MAPPING_FAILED",
            format!("{at}: `{pointer}` names nothing in the outputs so far"),
        ))
    })
}

fn map(doc: &Value, mapping: &Mapping, at: &str) -> Result<Value, Stop> {
    match mapping {
        Mapping::Whole(pointer) => read(doc, pointer, at),
        Mapping::Fields(fields) => {
            let mut object = serde_json::Map::new();
            for (field, pointer) in fields {
                object.insert(field.clone(), read(doc, pointer, &format!("{at}.{field}"))?);
            }
            Ok(Value::Object(object))
        }
    }
}

impl Jobs {
    /// Run a pipeline's job this host claimed (it is in `running` already).
    pub(super) async fn execute_pipeline(self: &Arc<Self>, spec: &PipelineSpec, claimed: Claimed) {
        let id = claimed.id.as_str();
        let Some(cancel) = self.running.lock().expect("running lock").get(id).map(|r| r.token.clone()) else {
            return;
        };
        self.publish(id, JobEvent::Progress { percent: 0, step: "started".into(), message: String::new() });
        let outcome = self.run_steps(spec, &claimed, &cancel).await;
        self.running.lock().expect("running lock").remove(id);
        let outcome = match outcome {
            Ok(result) => Ok(result.to_string()),
            Err(Stop::Interrupted) => return,
            Err(Stop::Failed(failure)) => Err(failure),
        };
        self.record_end(&spec.id, &claimed, outcome).await;
    }

    async fn run_steps(
        self: &Arc<Self>,
        spec: &PipelineSpec,
        claimed: &Claimed,
        cancel: &CancellationToken,
    ) -> Result<Value, Stop> {
        let parent = claimed.id.as_str();
        let input: Value = serde_json::from_str(&claimed.input).unwrap_or(Value::Null);
        let mut doc = json!({ "input": input });
        // What ran before a crash (or a lost lease): found, never inserted twice.
        let existing: HashSet<String> = self.store.steps_of(parent).await?.into_iter().map(|r| r.id).collect();
        let total = spec.steps.len();
        for (index, step) in spec.steps.iter().enumerate() {
            let inputs = self.step_inputs(spec, index, &doc)?;
            let fan_out = step.for_each.is_some();
            let mut ids = Vec::with_capacity(inputs.len());
            for (k, input) in inputs.into_iter().enumerate() {
                let element = fan_out.then_some(k);
                let id = step_id(parent, index, element);
                if !existing.contains(&id) {
                    let label = step_label(step, element);
                    self.submit_step(&step.component, &id, &label, parent, input, claimed).await?;
                }
                ids.push(id);
            }
            let message = format!("step {} of {total}: {}", index + 1, step.name);
            let mut outputs = Vec::with_capacity(ids.len());
            for k in 0..ids.len() {
                let done = index * 100 + k * 100 / ids.len().max(1);
                let record = self
                    .await_step(parent, &ids[k..], cancel, |percent| {
                        let share = percent as usize / ids.len().max(1);
                        let overall = ((done + share) / total).min(99) as u8;
                        self.report(parent, overall, &step.name, &message);
                    })
                    .await?;
                let label = record.parent.as_ref().map(|p| p.step.clone()).unwrap_or_else(|| step.name.clone());
                match record.status {
                    Status::Completed => {
                        let result = record.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
                        outputs.push(result.unwrap_or(Value::Null));
                    }
                    Status::Failed => {
                        self.cancel_steps(&ids[k + 1..], claimed.tenant.as_deref()).await;
                        let f = record.failure.unwrap_or_else(|| Failure::new("PIPELINE_STEP_FAILED", "it failed"));
                        return Err(Stop::Failed(Failure::new(
                            &f.code,
                            format!("step `{label}` ({}) failed: {}", step.component, f.message),
                        )));
                    }
                    _ => {
                        self.cancel_steps(&ids[k + 1..], claimed.tenant.as_deref()).await;
                        return Err(Stop::Failed(Failure::new(
                            "PIPELINE_STEP_CANCELLED",
                            format!(
                                "step `{label}` ({}) was cancelled on its own, so the pipeline cannot go on",
                                step.component
                            ),
                        )));
                    }
                }
            }
            let output = if fan_out { Value::Array(outputs) } else { outputs.pop().unwrap_or(Value::Null) };
            doc[step.name.as_str()] = output;
            self.report(parent, ((index + 1) * 100 / total).min(99) as u8, &step.name, &message);
        }
        match &spec.output {
            Some(mapping) => map(&doc, mapping, "output"),
            None => Ok(doc[spec.steps.last().map(|s| s.name.as_str()).unwrap_or("input")].take()),
        }
    }

    /// The inputs of step `index`: one, or one per element of its `for_each` array.
    fn step_inputs(&self, spec: &PipelineSpec, index: usize, doc: &Value) -> Result<Vec<Value>, Stop> {
        let step = &spec.steps[index];
        let at = format!("step `{}`", step.name);
        let default = match (index, &step.for_each) {
            (_, Some(_)) => Mapping::Whole("/item".into()),
            (0, None) => Mapping::Whole("/input".into()),
            (i, None) => Mapping::Whole(format!("/{}", spec.steps[i - 1].name)),
        };
        let mapping = step.input.as_ref().unwrap_or(&default);
        let Some(pointer) = &step.for_each else {
            return Ok(vec![map(doc, mapping, &at)?]);
        };
        let Value::Array(items) = read(doc, pointer, &format!("{at} for_each"))? else {
            return Err(Stop::Failed(Failure::new(
                "PIPELINE_MAPPING_FAILED",
                format!("{at}: for_each `{pointer}` is not an array"),
            )));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(k, item)| {
                let mut scoped = doc.clone();
                scoped["item"] = item;
                scoped["index"] = json!(k);
                map(&scoped, mapping, &format!("{at}[{k}]"))
            })
            .collect()
    }

    /// Insert one step job (validated by its component's current version).
    async fn submit_step(
        &self,
        component: &str,
        id: &str,
        label: &str,
        parent: &str,
        input: Value,
        claimed: &Claimed,
    ) -> Result<(), Stop> {
        let entry = self.registry.by_id(component).ok_or_else(|| {
            Stop::Failed(Failure::new("PIPELINE_STEP_REFUSED", format!("no component `{component}`")))
        })?;
        let version = entry.current();
        version.validate_input(&input).map_err(|e| {
            Stop::Failed(Failure::new(
                "PIPELINE_MAPPING_FAILED",
                format!("step `{label}`: its input does not fit component `{component}`: {e}"),
            ))
        })?;
        let job = NewJob {
            id: id.to_string(),
            capability: entry.spec.id.clone(),
            input: input.to_string(),
            max_attempts: entry.spec.max_attempts,
            cache_key: None,
            accepted_digest: version.digest.clone(),
            tenant: claimed.tenant.clone(),
            parent: Some(StepOf { parent_id: parent.to_string(), step: label.to_string() }),
            now: now_ms(),
        };
        if let Err(e) = self.store.insert(job).await {
            // Another run of this pipeline (one that lost its lease) got there first.
            if self.store.get(id).await?.is_some() {
                return Ok(());
            }
            return Err(e.into());
        }
        self.enqueued(&entry.spec.id);
        Ok(())
    }

    /// Wait for the first of `pending` step jobs to end, passing its
    /// progress on; stops (cancelling all of `pending` when the pipeline
    /// itself was cancelled) when `cancel` fires.
    async fn await_step(
        self: &Arc<Self>,
        parent: &str,
        pending: &[String],
        cancel: &CancellationToken,
        on_progress: impl Fn(u8),
    ) -> Result<JobRecord, Stop> {
        let id = pending[0].as_str();
        let mut events = self.subscribe(id);
        // The bus is best effort: look at the store at least this often.
        let mut recheck = tokio::time::interval(self.config.sweep.min(Duration::from_secs(2)));
        loop {
            // Read at the first tick, at the step's end and every recheck;
            // progress and streamed tokens need no read.
            let look = tokio::select! {
                _ = cancel.cancelled() => {
                    let tenant = self.record(id).await.ok().and_then(|r| r.tenant);
                    self.interrupted(parent, pending, tenant.as_deref()).await;
                    return Err(Stop::Interrupted);
                }
                event = events.recv() => match event {
                    Ok(JobEvent::Progress { percent, .. }) => {
                        on_progress(percent);
                        false
                    }
                    Ok(JobEvent::Finished) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Ok(_) => false,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        events = self.subscribe(id);
                        true
                    }
                },
                _ = recheck.tick() => true,
            };
            if look {
                let record = self.record(id).await?;
                if record.status.is_terminal() {
                    return Ok(record);
                }
            }
        }
    }

    /// The pipeline's token fired: if the pipeline was cancelled, so are its
    /// running steps; if it was only taken over (a lost lease), they are
    /// left to the run that took it.
    async fn interrupted(self: &Arc<Self>, parent: &str, running: &[String], tenant: Option<&str>) {
        match self.store.get(parent).await {
            Ok(Some(record)) if record.status == Status::Cancelled => self.cancel_steps(running, tenant).await,
            _ => {}
        }
    }

    async fn cancel_steps(self: &Arc<Self>, ids: &[String], tenant: Option<&str>) {
        for id in ids {
            match self.cancel(id, tenant).await {
                Ok(_) | Err(JobError::AlreadyFinished { .. }) | Err(JobError::NotFound(_)) => {}
                Err(e) => tracing::warn!(step = %id, error = %e, "could not cancel a pipeline's step"),
            }
        }
    }

    /// The pipeline's progress: to the store and its listeners.
    fn report(&self, id: &str, percent: u8, step: &str, message: &str) {
        self.store.progress(id, percent, step, message);
        self.publish(id, JobEvent::Progress { percent, step: step.into(), message: message.into() });
    }
}

/// One step of a pipeline's job as clients see it: its jobs so far (one,
/// or one per element of a fan-out), none before it starts.
pub struct StepState {
    pub name: String,
    pub component: String,
    pub fan_out: bool,
    pub jobs: Vec<JobRecord>,
}

impl Jobs {
    /// Record and enqueue a pipeline's job owned by `tenant`.
    pub(super) async fn submit_pipeline(
        &self,
        spec: &PipelineSpec,
        input: Value,
        tenant: Option<&str>,
    ) -> Result<super::Submitted, JobError> {
        // Given the pipeline's input as it is, the first step checks it now,
        // so a bad input is refused before a job exists.
        let first = &spec.steps[0];
        if first.input.is_none()
            && first.for_each.is_none()
            && let Some(entry) = self.registry.by_id(&first.component)
        {
            entry.current().validate_input(&input).map_err(JobError::InvalidInput)?;
        }
        let lane = self.lanes.get(&spec.id).ok_or_else(|| JobError::CapabilityNotFound(spec.name.clone()))?;
        let depth = lane.depth();
        if depth >= self.config.queue_capacity {
            return Err(JobError::QueueFull { capability: spec.name.clone(), depth });
        }
        let (id, now) = (super::new_job_id(), now_ms());
        let job = NewJob {
            id: id.clone(),
            capability: spec.id.clone(),
            input: input.to_string(),
            max_attempts: spec.max_attempts,
            cache_key: None,
            accepted_digest: pipeline_digest(spec),
            tenant: tenant.map(str::to_string),
            parent: None,
            now,
        };
        self.store.insert(job).await?;
        self.enqueued(&spec.id);
        Ok(super::Submitted {
            id,
            status: Status::Queued,
            result: None,
            cache_hit: false,
            deduplicated: false,
            created_at: now,
        })
    }

    /// The pipeline a job of `capability` runs, if it is a pipeline's job.
    pub fn pipeline_of(&self, capability: &str) -> Option<&Arc<PipelineSpec>> {
        self.pipelines.values().find(|p| p.id == capability)
    }

    /// Pipelines by API name, in name order.
    pub fn pipelines(&self) -> Vec<Arc<PipelineSpec>> {
        let mut all: Vec<_> = self.pipelines.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The steps of a pipeline's job with their jobs; `None` for a component's job.
    pub async fn steps(&self, record: &JobRecord) -> Result<Option<Vec<StepState>>, JobError> {
        let Some(spec) = self.pipeline_of(&record.capability) else { return Ok(None) };
        let mut jobs = self.store.steps_of(&record.id).await?;
        let states = spec
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                let prefix = step_id(&record.id, index, None);
                // `{parent}-01` and, in a fan-out, `{parent}-01-00000`, …
                let (mine, rest): (Vec<_>, Vec<_>) =
                    jobs.drain(..).partition(|j| j.id == prefix || j.id.starts_with(&format!("{prefix}-")));
                jobs = rest;
                StepState {
                    name: step.name.clone(),
                    component: step.component.clone(),
                    fan_out: step.for_each.is_some(),
                    jobs: mine,
                }
            })
            .collect();
        Ok(Some(states))
    }
}

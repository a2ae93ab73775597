//! `[[trigger.job]]` entries that name a pipeline: ordered steps, each a
//! component served by its own trigger, joined by JSON-pointer mappings.
//!
//! Every pointer is read against one document per run:
//! `{"input": <the pipeline's input>, "<step>": <that step's output>, …}`,
//! plus `"item"` and `"index"` inside a step that runs once per element
//! (`for_each`). Pointers are checked here, before anything runs: each must
//! start at `input`, at an earlier step, or (in a `for_each` step) at
//! `item`/`index`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

/// What the parser reads from a pipeline trigger (the keys beside `pipeline`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    name: String,
    component: String,
    #[serde(default)]
    input: Option<RawMapping>,
    #[serde(default)]
    for_each: Option<String>,
}

/// A whole value (`"/summarize"`) or an object built field by field.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum RawMapping {
    Whole(String),
    Fields(BTreeMap<String, String>),
}

/// Where a value comes from: a JSON pointer into the run's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    Whole(String),
    Fields(BTreeMap<String, String>),
}

/// One validated pipeline.
#[derive(Debug, Clone)]
pub struct PipelineSpec {
    /// The pipeline's name (`pipeline = "…"`): its jobs' capability.
    pub id: String,
    /// The API name (`/api/v1/<name>`).
    pub name: String,
    pub route: String,
    pub steps: Vec<StepSpec>,
    /// The pipeline's result; without it, the last step's output.
    pub output: Option<Mapping>,
    /// Attempts of the pipeline's own job (a host crash costs one); each
    /// step is retried by its component's own `max_attempts`.
    pub max_attempts: u32,
    /// Pipelines run at once on one host.
    pub concurrency: u32,
}

#[derive(Debug, Clone)]
pub struct StepSpec {
    pub name: String,
    /// A component with its own `[[trigger.job]]`.
    pub component: String,
    /// The step's input; without it, the previous step's output (the
    /// pipeline's input for the first step, the element in a `for_each` step).
    pub input: Option<Mapping>,
    /// A pointer to an array: the step runs once per element, its output is
    /// the array of their outputs in order.
    pub for_each: Option<String>,
}

/// Names a pointer may not start at other than earlier steps.
const ROOTS: &[&str] = &["input", "item", "index"];

/// Validate the steps and mappings of the pipeline at `at` (`trigger.job[i]`).
/// `components` are the ids served by component triggers.
pub(super) fn steps(
    at: &str,
    raw: &[RawStep],
    output: Option<&RawMapping>,
    components: &BTreeSet<&str>,
) -> Result<(Vec<StepSpec>, Option<Mapping>), String> {
    if raw.is_empty() {
        return Err(format!("`{at}.steps` is empty; a pipeline needs at least one step"));
    }
    let mut earlier: Vec<&str> = Vec::new();
    let mut steps = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let here = format!("{at}.steps[{i}]");
        if !valid_step_name(&s.name) || ROOTS.contains(&s.name.as_str()) {
            return Err(format!(
                "`{here}.name` `{}` must be 1-64 of `a-z`, `0-9`, `_`, `-`, starting with a letter, and not {}",
                s.name,
                ROOTS.join(", ")
            ));
        }
        if earlier.contains(&s.name.as_str()) {
            return Err(format!("`{here}.name` `{}` is used by an earlier step", s.name));
        }
        if !components.contains(s.component.as_str()) {
            return Err(format!(
                "`{here}.component` names `{}`, which no [[trigger.job]] serves; a step's component needs its own trigger (its timeout, attempts and concurrency)",
                s.component
            ));
        }
        if let Some(pointer) = &s.for_each {
            check_pointer(&format!("{here}.for_each"), pointer, &earlier, false)?;
        }
        let input = s
            .input
            .as_ref()
            .map(|m| mapping(&format!("{here}.input"), m, &earlier, s.for_each.is_some()))
            .transpose()?;
        steps.push(StepSpec {
            name: s.name.clone(),
            component: s.component.clone(),
            input,
            for_each: s.for_each.clone(),
        });
        earlier.push(&s.name);
    }
    let output = output.map(|m| mapping(&format!("{at}.output"), m, &earlier, false)).transpose()?;
    Ok((steps, output))
}

fn mapping(at: &str, raw: &RawMapping, earlier: &[&str], in_for_each: bool) -> Result<Mapping, String> {
    match raw {
        RawMapping::Whole(pointer) => {
            check_pointer(at, pointer, earlier, in_for_each)?;
            Ok(Mapping::Whole(pointer.clone()))
        }
        RawMapping::Fields(fields) => {
            for (field, pointer) in fields {
                check_pointer(&format!("{at}.{field}"), pointer, earlier, in_for_each)?;
            }
            Ok(Mapping::Fields(fields.clone()))
        }
    }
}

fn check_pointer(at: &str, pointer: &str, earlier: &[&str], in_for_each: bool) -> Result<(), String> {
    let root = pointer.strip_prefix('/').map(|p| p.split('/').next().unwrap_or_default());
    let allowed = |r: &str| r == "input" || earlier.contains(&r) || (in_for_each && matches!(r, "item" | "index"));
    match root {
        Some(r) if allowed(r) => Ok(()),
        _ => {
            let mut roots = vec!["/input".to_string()];
            if in_for_each {
                roots.extend(["/item".to_string(), "/index".to_string()]);
            }
            roots.extend(earlier.iter().map(|s| format!("/{s}")));
            Err(format!(
                "`{at}` is `{pointer}`; a pointer here starts at one of {} (an earlier step's output, or the pipeline's input)",
                roots.join(", ")
            ))
        }
    }
}

fn valid_step_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && s.len() <= 64
}

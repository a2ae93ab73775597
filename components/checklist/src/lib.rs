//! `checklist`: a checklist made from a clinical guideline, step 2 of seed
//! 004's GPT job (after `summarize`).
//!
//! - With a model behind the alias [`MODEL`], the model lists the items as a
//!   JSON-Schema-constrained answer ([`model`]); each item's `source` must be
//!   a sentence of the guideline (or of the summary given): it is matched to
//!   the closest one, and an item whose source is in neither is dropped
//!   rather than shown. `method: "llm"`, `model` names the model.
//! - Without one (no model for [`MODEL`], or the `llm` engine answers
//!   `LLM_NOT_CONFIGURED`), rules pick the guideline's recommendation
//!   sentences and make each an imperative item ([`extract`], [`english`],
//!   [`korean`]). When the text has none and a `summary` is given, the
//!   summary's sentences go through the same rules. When neither has any,
//!   the checklist is empty and `note` says so: items are never invented.
//!   `method: "extractive"`, `model: null`.
//!
//! Any other failure of the model (`LLM_RATE_LIMITED`, `LLM_UPSTREAM_FAILED`,
//! …) fails the job with its own code and retryability, as `regeneration`
//! does, rather than silently answering by the rules.
//!
//! The flow, [`make_checklist`], takes the host behind the [`Llm`] and
//! [`JobContext`] traits so it runs natively in tests with a fake.

pub mod english;
pub mod extract;
mod hangul;
pub mod korean;
pub mod model;

use capsule_sdk::language::codes;
use capsule_sdk::{Capability, Capsule, Descriptor, Failure, Job, JobContext, Llm, Mode};
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The model alias asked for; `spin.toml` must grant it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";

/// The SDK's failure for input the component cannot use (what it answers
/// for input that does not deserialise): the client's fault, never retried.
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";

/// The longest guideline (and summary) taken, in Unicode scalar values.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// Items when the request does not say.
pub const DEFAULT_MAX_ITEMS: u32 = 15;

/// The most items a request may ask for.
pub const MAX_ITEMS: u32 = 50;

/// What `note` says when there is nothing to list.
pub const NOTHING_FOUND: &str = "no recommendation sentences found";

/// How binding an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Required (`must`, `shall`, `해야 한다`, `필요하다`).
    Must,
    /// Recommended (`should`, `is recommended`, `권고한다`, `바람직하다`).
    Should,
    /// Not to be done (`must not`, `do not`, `avoid`, `금기`, `권고되지 않는다`).
    MustNot,
    /// May be done (`consider`, `may be considered`, `고려할 수 있다`).
    Consider,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Item {
    /// The instruction, in the imperative (`Measure HbA1c every 3 months`, `혈압을 측정할 것`).
    pub item: String,
    /// The sentence of the guideline (or of the summary) it came from.
    pub source: String,
    pub kind: Kind,
}

/// Which method may run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// The model when the host has one for `default`, else the rules.
    #[default]
    Auto,
    /// Always the rules, even when a model is available. The descriptor's example uses it, so the
    /// host's self-test gives the same answer on every host and calls no model.
    Extractive,
}

/// The job's input.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "checklist input", transform = text_aliases)]
pub struct Input {
    /// The guideline's text, 1 to 200,000 characters. Also accepted as `input_text` or `guideline`
    /// (send exactly one of the three).
    #[serde(alias = "input_text", alias = "guideline")]
    #[schemars(length(min = 1, max = 200000))]
    pub text: String,
    /// The guideline's summary (the `summarize` step's `summary`): context for the model, and the
    /// sentences the rules fall back to when the text has no recommendation sentence.
    #[serde(default)]
    #[schemars(length(max = 200000))]
    pub summary: Option<String>,
    /// The most items to list, 1 to 50 (default 15). Over it, `must` and `must_not` items are kept first.
    #[serde(default)]
    #[schemars(range(min = 1, max = 50))]
    pub max_items: Option<u32>,
    /// `auto` (default): the model when there is one, else the rules; `extractive`: the rules only.
    #[serde(default)]
    pub method: MethodChoice,
}

/// The names the guideline's text is accepted under: `text` and the serde aliases of [`Input::text`].
pub const TEXT_FIELDS: [&str; 3] = ["text", "input_text", "guideline"];

/// schemars ignores serde aliases: make the schema say what the component
/// accepts, the text under exactly one of [`TEXT_FIELDS`].
fn text_aliases(schema: &mut Schema) {
    capsule_sdk::accept_aliases(schema, TEXT_FIELDS[0], &TEXT_FIELDS[1..]);
}

/// How the checklist was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Listed by the language model behind `default`.
    Llm,
    /// The guideline's recommendation sentences, picked and reshaped by rules.
    Extractive,
}

/// The job's output.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "checklist output")]
pub struct Output {
    /// The items, in the guideline's order.
    pub checklist: Vec<Item>,
    pub method: Method,
    /// The model that listed the items; null for `extractive`.
    pub model: Option<String>,
    /// Present when the checklist needs explaining: `no recommendation sentences found` when it is
    /// empty, or where its items came from when not from the text as asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub struct Checklist;

impl Capability for Checklist {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "checklist",
            "0.1.0",
            "Makes a checklist of imperative items (must / should / must_not / consider) from a clinical guideline \
             (seed 004 step 2) with a language model, or from its recommendation sentences by rules without one",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
        .example(
            "extractive-korean-guideline",
            json!({"guideline": EXAMPLE_GUIDELINE, "method": "extractive"}),
            json!({"method": "extractive", "model": null, "checklist": [
                {"item": "모든 환자에게 혈압을 측정할 것", "kind": "must"},
                {"item": "경계 범위인 환자에게는 가정혈압을 측정할 것", "kind": "should"},
                {"item": "1차 예방 목적의 아스피린을 사용하지 말 것", "kind": "must_not"},
            ]}),
        )
        .example(
            "extractive-english-guideline",
            json!({"text": "Type 2 diabetes is progressive. HbA1c should be measured every 3 to 6 months. \
                            Do not stop metformin solely because of age.", "method": "extractive"}),
            json!({"method": "extractive", "checklist": [
                {"item": "Measure HbA1c every 3 to 6 months", "kind": "should"},
                {"item": "Do not stop metformin solely because of age", "kind": "must_not"},
            ]}),
        )
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        make_checklist(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(Checklist);

/// Four sentences of a (made-up) hypertension guideline, for the descriptor's example.
const EXAMPLE_GUIDELINE: &str = "고혈압은 심뇌혈관질환의 주요 위험인자이다. \
    모든 환자에게 혈압을 측정해야 한다. \
    경계 범위인 환자에게는 가정혈압 측정을 권고한다. \
    1차 예방 목적의 아스피린 사용은 권고되지 않는다.";

/// Run one job: check the input, then list the items by the model or by the rules.
///
/// Fails `COMMON_INVALID_REQUEST` for blank or over-long text or summary or
/// `max_items` outside 1..=50, and with the model's own failure (code and
/// retryability) when the model fails for any reason but not being configured.
pub fn make_checklist(input: &Input, host: &mut (impl Llm + JobContext)) -> Result<Output, Failure> {
    let text = input.text.as_str();
    if text.trim().is_empty() {
        return Err(Failure::new(
            INVALID_REQUEST,
            "`text` (or `input_text` / `guideline`) is blank; send the guideline's text to make a checklist from",
        ));
    }
    for (name, value) in [("text", Some(text)), ("summary", input.summary.as_deref())] {
        let chars = value.map_or(0, |v| v.chars().count());
        if chars > MAX_TEXT_CHARS {
            return Err(Failure::new(
                INVALID_REQUEST,
                format!("`{name}` has {chars} characters; at most {MAX_TEXT_CHARS} are read, send a shorter one"),
            ));
        }
    }
    let max_items = input.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if !(1..=MAX_ITEMS).contains(&max_items) {
        return Err(Failure::new(
            INVALID_REQUEST,
            format!("`max_items` is {max_items}; ask for 1 to {MAX_ITEMS} items"),
        ));
    }
    let summary = input.summary.as_deref().filter(|s| !s.trim().is_empty());
    if input.method == MethodChoice::Auto && host.llm_available(MODEL) {
        match model::checklist(text, summary, max_items, host) {
            Ok(output) => return Ok(output),
            // The alias went away between the two calls: as if there had never been one.
            Err(failure) if failure.code == codes::LLM_NOT_CONFIGURED => {}
            Err(failure) => return Err(failure),
        }
    }
    host.progress(10, "extracting", "finding the guideline's recommendation sentences");
    let mut items = extract::extract(text);
    let mut note = None;
    if items.is_empty()
        && let Some(summary) = summary
    {
        items = extract::extract(summary);
        if !items.is_empty() {
            note = Some("no recommendation sentences in the text; the items come from the summary".to_string());
        }
    }
    if items.is_empty() {
        note = Some(NOTHING_FOUND.to_string());
    }
    let found = items.len();
    let checklist = extract::cap(items, max_items as usize);
    host.progress(95, "listed", &format!("{} items from {found} recommendation sentences", checklist.len()));
    Ok(Output { checklist, method: Method::Extractive, model: None, note })
}

//! `report-search` (seed 000 §4.3): reports similar to a business idea and
//! its core value, within a category, from the `reports` collection that
//! `report-embed` fills.
//!
//! The query is the seed's, `사업아이디어: {business_idea}\n핵심가치제안: {core_value}`
//! (each part trimmed), embedded as a query. The collection is searched twice,
//! for chunks of the requested category and for chunks of reports embedded
//! without a category (`category_number` null): **a report without a category
//! is found under every category**. Each search asks for `top_k × 20`
//! neighbours (at most [`MAX_NEIGHBOURS`], the engine's limit). Chunks are
//! grouped by report (`file_name`); a report's similarity is its best chunk's
//! cosine score, rounded to 4 decimals; reports are ordered by it (then by
//! file name) and the first `top_k` returned, each with its best chunk.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use capsule_sdk::language::{EmbedRole, Hit};
use capsule_sdk::{Capability, Capsule, Descriptor, Embeddings, Failure, Job, JobContext, Mode, Vectors};

/// The collection `report-embed` writes.
pub const COLLECTION: &str = "reports";
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";
/// Neighbours asked per search for each result wanted.
pub const NEIGHBOURS_PER_RESULT: u32 = 20;
/// The vectors engine's largest `top_k`.
pub const MAX_NEIGHBOURS: u32 = 100;
/// Characters of the best chunk shown in `matched.text`.
pub const MATCHED_CHARS: usize = 200;

/// The engines this flow uses.
pub trait Engines: Embeddings + Vectors + JobContext {}
impl<T: Embeddings + Vectors + JobContext> Engines for T {}

fn default_top_k() -> u32 {
    5
}

/// The seed's request body.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "report-search input")]
pub struct Input {
    /// 사업 아이디어.
    #[schemars(length(min = 1, max = 4000))]
    pub business_idea: String,
    /// 핵심 가치.
    #[schemars(length(min = 1, max = 4000))]
    pub core_value: String,
    /// 분야 번호 (1–5); reports embedded without a category match every category.
    #[schemars(range(min = 1, max = 5))]
    pub category_number: i64,
    /// How many reports to return (1–20).
    #[serde(default = "default_top_k")]
    #[schemars(range(min = 1, max = 20))]
    pub top_k: u32,
}

/// The chunk that made a report match.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Matched {
    /// `text`, `table` or `image`.
    pub kind: Option<String>,
    pub page: Option<i64>,
    /// The chunk's first 200 characters.
    pub text: String,
}

/// One similar report, in the seed's shape plus `matched`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Report {
    /// The host's registry id of the report (`report_id` when it was embedded).
    pub id: Option<i64>,
    pub number: Option<i64>,
    pub title: Option<String>,
    pub field: Option<String>,
    pub keywords: Option<String>,
    pub file_name: String,
    pub category_number: Option<i64>,
    /// The best chunk's cosine similarity, 4 decimals.
    pub similarity: f64,
    pub matched: Matched,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "report-search output")]
pub struct Output {
    pub success: bool,
    /// The text that was embedded.
    pub query: String,
    pub category_number: i64,
    /// How many reports `results` holds.
    pub total_found: u32,
    pub results: Vec<Report>,
}

pub struct ReportSearch;

impl Capability for ReportSearch {
    type Input = Input;
    type Output = Output;

    /// No examples: every search needs the embeddings and vectors engines.
    fn descriptor() -> Descriptor {
        Descriptor::new(
            "report-search",
            "0.1.0",
            "Finds the reports most similar to a business idea and its core value within a category (seed 000 §4.3), \
             from the chunks report-embed stored",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Sync)
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        handle(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(ReportSearch);

/// The seed's query text.
pub fn query(business_idea: &str, core_value: &str) -> String {
    format!("사업아이디어: {}\n핵심가치제안: {}", business_idea.trim(), core_value.trim())
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(INVALID_REQUEST, message)
}

impl Input {
    /// The checks the schema makes, again for callers that bypass the host's validation.
    pub fn check(&self) -> Result<(), Failure> {
        if self.business_idea.trim().is_empty() {
            return Err(invalid("`business_idea` is blank; describe the business idea"));
        }
        if self.core_value.trim().is_empty() {
            return Err(invalid("`core_value` is blank; describe the core value"));
        }
        if !(1..=5).contains(&self.category_number) {
            return Err(invalid(format!("`category_number` must be 1 to 5; {} was given", self.category_number)));
        }
        if !(1..=20).contains(&self.top_k) {
            return Err(invalid(format!("`top_k` must be 1 to 20; {} was given", self.top_k)));
        }
        Ok(())
    }
}

/// The whole job, with the host passed in.
pub fn handle(input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    input.check()?;
    let query = query(&input.business_idea, &input.core_value);
    host.progress(10, "embed", "embedding the query");
    let embedded = host.embed(&[&query], EmbedRole::Query)?;
    let Some(vector) = embedded.vectors.into_iter().next() else {
        return Err(Failure::retryable("EMBEDDINGS_FAILED", "the embeddings engine returned no vector for the query"));
    };
    host.progress(40, "search", &format!("searching `{COLLECTION}` in category {}", input.category_number));
    let neighbours = (input.top_k * NEIGHBOURS_PER_RESULT).min(MAX_NEIGHBOURS);
    let mut hits = host.search(COLLECTION, &vector, neighbours, &json!({"category_number": input.category_number}))?;
    hits.extend(host.search(COLLECTION, &vector, neighbours, &json!({"category_number": null}))?);
    let results = group(hits, input.category_number, input.top_k as usize);
    host.progress(100, "done", &format!("found {} reports", results.len()));
    Ok(Output {
        success: true,
        query,
        category_number: input.category_number,
        total_found: results.len() as u32,
        results,
    })
}

/// Hits of the category (or of none) grouped by report, best first, at most `top_k`.
pub fn group(hits: Vec<Hit>, category: i64, top_k: usize) -> Vec<Report> {
    let mut best: HashMap<String, Hit> = HashMap::new();
    for hit in hits {
        let in_category = match hit.metadata.get("category_number") {
            None | Some(Value::Null) => true,
            Some(value) => value.as_i64() == Some(category),
        };
        let Some(file_name) = hit.metadata.get("file_name").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if !in_category {
            continue;
        }
        match best.get(&file_name) {
            Some(kept) if kept.score > hit.score || (kept.score == hit.score && kept.id <= hit.id) => {}
            _ => {
                best.insert(file_name, hit);
            }
        }
    }
    let mut reports: Vec<Report> = best.into_iter().map(|(file_name, hit)| report(file_name, hit)).collect();
    reports.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then_with(|| a.file_name.cmp(&b.file_name)));
    reports.truncate(top_k);
    reports
}

fn report(file_name: String, hit: Hit) -> Report {
    let m = &hit.metadata;
    let int = |key: &str| m.get(key).and_then(Value::as_i64);
    let string = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    Report {
        id: int("report_id"),
        number: int("number"),
        title: string("title"),
        field: string("field"),
        keywords: string("keywords"),
        file_name,
        category_number: int("category_number"),
        similarity: round4(hit.score),
        matched: Matched {
            kind: string("kind"),
            page: int("page"),
            text: hit.text.chars().take(MATCHED_CHARS).collect(),
        },
    }
}

/// `score` rounded to 4 decimals (through its decimal form, so 0.92 stays 0.92).
pub fn round4(score: f32) -> f64 {
    let value: f64 = format!("{score}").parse().unwrap_or(f64::from(score));
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests;

//! The wire shapes: the request (seed 000 §3.1's body plus the registry the
//! host reads from its store, §3.2's `experts`) and the response (§3.1's,
//! plus `embedding_model`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Keywords asked for when the request does not say (the seed's default).
pub const DEFAULT_NUM_KEYWORDS: u32 = 10;
/// The most keywords a request may ask for.
pub const MAX_NUM_KEYWORDS: u32 = 10;
/// Experts returned when the request does not say (the seed's default).
pub const DEFAULT_TOP_K: u32 = 10;
/// The most experts a request may ask for.
pub const MAX_TOP_K: u32 = 50;
/// The seed's default similarity threshold.
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// The longest business report taken, in Unicode scalar values.
pub const MAX_REPORT_CHARS: usize = 100_000;
/// The most experts one request may carry.
pub const MAX_EXPERTS: usize = 5_000;
/// The most `career` or `field` entries of one expert.
pub const MAX_ITEMS_PER_LIST: usize = 100;
/// The longest `career` or `field` entry, in Unicode scalar values.
pub const MAX_ITEM_CHARS: usize = 1_000;

fn default_num_keywords() -> u32 {
    DEFAULT_NUM_KEYWORDS
}

fn default_top_k() -> u32 {
    DEFAULT_TOP_K
}

fn default_threshold() -> f64 {
    DEFAULT_THRESHOLD
}

/// Which similarity may run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MethodChoice {
    /// `semantic_count` when the host lends an embeddings engine, else `lexical_count`.
    #[default]
    Auto,
    /// Embedding similarity only: fails `EMBEDDINGS_UNAVAILABLE` on a host without the engine.
    SemanticCount,
    /// Character-bigram similarity, even when the engine is there (the descriptor's example uses
    /// it, so the host's self-test gives the same answer on every host and calls no engine).
    LexicalCount,
}

/// The job's input.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "expert-match input")]
pub struct MatchRequest {
    /// The business report (사업보고서) to extract keywords from; not blank.
    #[schemars(length(min = 1, max = 100_000), pattern(r"\S"))]
    pub business_report: String,
    /// Keywords to extract (1–10).
    #[serde(default = "default_num_keywords")]
    #[schemars(range(min = 1, max = 10))]
    pub num_keywords: u32,
    /// Experts to return at most (1–50).
    #[serde(default = "default_top_k")]
    #[schemars(range(min = 1, max = 50))]
    pub top_k: u32,
    /// A keyword matches an item when their similarity, rounded to 4 decimals, is at least this (0.0–1.0).
    #[serde(default = "default_threshold")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub similarity_threshold: f64,
    /// The expert registry (the host reads it from its store); may be empty.
    #[schemars(length(max = 5_000))]
    pub experts: Vec<Expert>,
    /// Which similarity may run; leave it out for `auto`.
    #[serde(default)]
    pub method: MethodChoice,
}

/// One registered expert (seed 000 §3.2).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct Expert {
    /// The registry's id; not used for matching.
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    /// Career entries (경력), matched like `field`.
    #[serde(default)]
    #[schemars(length(max = 100), inner(length(max = 1_000)))]
    pub career: Vec<String>,
    /// Fields of expertise (분야).
    #[serde(default)]
    #[schemars(length(max = 100), inner(length(max = 1_000)))]
    pub field: Vec<String>,
    #[serde(default)]
    pub career_file_name: Option<String>,
    /// Only visible experts are evaluated.
    pub is_visible: bool,
}

impl MatchRequest {
    /// What the schema says and serde cannot check (the host checks the
    /// schema before queueing; a native caller may not have): the error is
    /// a sentence for the client.
    pub fn check(&self) -> Result<(), String> {
        if self.business_report.trim().is_empty() {
            return Err("`business_report` is blank: send the business report's text".into());
        }
        let chars = self.business_report.chars().count();
        if chars > MAX_REPORT_CHARS {
            return Err(format!("`business_report` has {chars} characters; at most {MAX_REPORT_CHARS} are taken"));
        }
        if !(1..=MAX_NUM_KEYWORDS).contains(&self.num_keywords) {
            return Err(format!("`num_keywords` must be 1–{MAX_NUM_KEYWORDS}, not {}", self.num_keywords));
        }
        if !(1..=MAX_TOP_K).contains(&self.top_k) {
            return Err(format!("`top_k` must be 1–{MAX_TOP_K}, not {}", self.top_k));
        }
        if !(0.0..=1.0).contains(&self.similarity_threshold) {
            return Err(format!("`similarity_threshold` must be 0.0–1.0, not {}", self.similarity_threshold));
        }
        if self.experts.len() > MAX_EXPERTS {
            return Err(format!("{} experts were sent; at most {MAX_EXPERTS} are taken", self.experts.len()));
        }
        for expert in &self.experts {
            for (list, name) in [(&expert.career, "career"), (&expert.field, "field")] {
                if list.len() > MAX_ITEMS_PER_LIST {
                    return Err(format!(
                        "expert `{}` has {} `{name}` entries; at most {MAX_ITEMS_PER_LIST} are taken",
                        expert.name,
                        list.len()
                    ));
                }
                if let Some(long) = list.iter().find(|item| item.chars().count() > MAX_ITEM_CHARS) {
                    let start: String = long.chars().take(20).collect();
                    return Err(format!(
                        "expert `{}` has a `{name}` entry longer than {MAX_ITEM_CHARS} characters (`{start}…`)",
                        expert.name
                    ));
                }
            }
        }
        Ok(())
    }
}

/// How the similarities were computed (`matching_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchingMethod {
    /// Cosine similarity of the embeddings engine's vectors (the seed's method).
    SemanticCount,
    /// Character-bigram Dice coefficient of the normalised strings (no embeddings engine).
    LexicalCount,
}

/// The job's output: seed 000 §3.1's response plus `embedding_model`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "expert-match output")]
pub struct MatchResponse {
    /// The report's keywords, best first.
    pub keywords: Vec<String>,
    pub matching_method: MatchingMethod,
    /// The threshold applied (the request's, or the default 0.5).
    pub similarity_threshold: f64,
    /// Visible experts evaluated (`is_visible: true`).
    pub total_experts_evaluated: usize,
    /// Experts with at least one match, best first, at most `top_k`.
    pub final_ranking: Vec<RankedExpert>,
    /// The embedding model that answered (`semantic_count`), else null.
    pub embedding_model: Option<String>,
    /// How `similarity` was read from the model's cosine: `cosine`, or for
    /// the e5 family `(cosine - 0.8) / 0.2` clipped to [0, 1] (see
    /// `expert_match::calibrated`).
    pub similarity_scale: Option<String>,
}

/// One ranked expert, in the seed's Korean keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RankedExpert {
    /// 1-based rank.
    #[serde(rename = "순위")]
    pub rank: usize,
    #[serde(rename = "이름")]
    pub name: String,
    #[serde(rename = "경력")]
    pub career: Vec<String>,
    #[serde(rename = "분야")]
    pub field: Vec<String>,
    #[serde(rename = "경력파일명")]
    pub career_file_name: Option<String>,
    /// Keywords matched (each keyword counts at most once).
    #[serde(rename = "매칭_개수")]
    pub match_count: usize,
    /// One entry per matched keyword, in keyword order.
    #[serde(rename = "매칭_상세")]
    pub matches: Vec<MatchDetail>,
    /// Mean similarity of the matches, rounded to 4 decimals.
    #[serde(rename = "평균_유사도")]
    pub mean_similarity: f64,
}

/// A keyword and the expert's item closest to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MatchDetail {
    pub keyword: String,
    /// The `field` or `career` entry, trimmed.
    pub matched_item: String,
    /// Rounded to 4 decimals.
    pub similarity: f64,
}

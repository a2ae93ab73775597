//! `expert-match`: seed 000 §3.1 expert matching (`POST /api/expert/match`)
//! as a component. The host route reads the expert registry from its store
//! and passes it in the input (`experts`), so the job is pure computation
//! plus the embeddings engine.
//!
//! 1. **Keywords** (`keywords`): the report's `num_keywords` best keywords,
//!    Korean and English, by frequency with position weighting
//!    ([`expert_match_core::keywords`]).
//! 2. **Similarities** (`embedding`): every keyword and every distinct
//!    `field`/`career` entry of the visible experts (`is_visible: true`; the
//!    others are not evaluated) go to the embeddings engine in batches of
//!    [`EMBED_BATCH`], all as queries (e5 embeds both sides of a symmetric
//!    comparison as `query: `, as `career` and `comment-analysis` do), and
//!    each (keyword, item) pair gets the cosine of its vectors:
//!    `matching_method: "semantic_count"`, `embedding_model` the model that
//!    answered. When the host lends no embeddings engine
//!    (`EMBEDDINGS_UNAVAILABLE`), the similarity is the character-bigram
//!    Dice coefficient of the normalised strings ([`expert_match_core::lexical`]):
//!    `matching_method: "lexical_count"`, `embedding_model: null`. Any other
//!    engine failure fails the job with its own code and retryability: a host
//!    whose engine is configured but failing never answers by another method.
//! 3. **Ranking** (`ranking`): for each expert, each keyword's best item
//!    counts once if its similarity reaches the threshold (`매칭_상세`, so
//!    `매칭_개수 ≤ num_keywords`); experts are ranked by `매칭_개수`, then
//!    `평균_유사도`, then name, those without a match dropped, the first
//!    `top_k` kept ([`expert_match_core::rank`](mod@expert_match_core::rank)).
//!
//! Input `method` (not in the seed) picks the similarity: `auto` (the
//! default, as above), `semantic_count` (the engine or a failure) or
//! `lexical_count` (never the engine).
//!
//! The seed's default threshold, 0.5, suits models whose unrelated pairs
//! score near 0 (OpenAI's embeddings, which the original used).
//! multilingual-e5-small (the host's default engine) puts nearly every pair
//! of short Korean/English terms between 0.79 and 0.87 and related ones from
//! about 0.89 (measured: `AI`–`인공지능` 0.907, `의료`–`헬스케어` 0.946,
//! `물류`–`물류 자동화` 0.943, `AI`–`웹툰 제작` 0.798), so its raw cosine
//! would match every keyword to every expert at 0.5. For the e5 family the
//! similarity is therefore the cosine rescaled from [0.8, 1] to [0, 1]
//! ([`calibrated`]; `AI`–`인공지능` 0.54, `AI`–`웹툰 제작` 0), so the seed's
//! threshold keeps its meaning; `similarity_scale` in the output says which
//! scale was used.

use std::collections::HashMap;

use capsule_sdk::language::{EmbedRole, codes};
use capsule_sdk::{Capability, Capsule, Descriptor, Embeddings, Failure, Job, JobContext, Mode};
pub use expert_match_core::{
    Expert, MatchDetail, MatchRequest, MatchResponse, MatchingMethod, MethodChoice, RankedExpert, dice, distinct_items,
    extract_keywords, rank,
};
use serde_json::json;

/// The SDK's failure for input the component cannot use (what it answers
/// for input that does not deserialise): the client's fault, never retried.
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";
/// The engine's vectors cannot be used (wrong count, mixed dimensions).
pub const EMBEDDINGS_FAILED: &str = "EMBEDDINGS_FAILED";
/// The job was cancelled between two embedding calls.
pub const CANCELLED: &str = "JOB_CANCELLED";
/// Texts per embedding call (the host takes at most 256).
pub const EMBED_BATCH: usize = 128;

/// The engines the flow uses; native tests fake exactly these.
pub trait Engines: Embeddings + JobContext {}
impl<T: Embeddings + JobContext> Engines for T {}

pub struct ExpertMatch;

/// The descriptor example's report.
const EXAMPLE_REPORT: &str = "AI 기반 헬스케어 사업계획서\n\
    본 사업은 병원의 의료 데이터를 분석하는 AI 헬스케어 서비스입니다. \
    의료 데이터와 AI 진단으로 만성질환자의 헬스케어 비용을 줄입니다.";

impl Capability for ExpertMatch {
    type Input = MatchRequest;
    type Output = MatchResponse;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "expert-match",
            env!("CARGO_PKG_VERSION"),
            "Extracts a business report's keywords and ranks the given experts by how many of them their fields and careers match",
        )
        .input::<MatchRequest>()
        .output::<MatchResponse>()
        .mode(Mode::Sync)
        // `lexical_count`, so the self-test gives the same answer on every
        // host, with or without an embeddings engine, and calls none.
        .example(
            "lexical-without-the-engine",
            json!({
                "business_report": EXAMPLE_REPORT,
                "num_keywords": 3,
                "method": "lexical_count",
                "experts": [
                    {"id": 1, "name": "한예시", "career": ["디지털 헬스케어 스타트업 CTO"], "field": ["헬스케어", "의료 데이터"],
                     "career_file_name": "example_1.pdf", "is_visible": true},
                    {"id": 2, "name": "오예시", "career": ["물류센터 자동화 컨설팅"], "field": ["물류", "스마트팜"],
                     "career_file_name": null, "is_visible": true},
                    {"id": 3, "name": "숨은예시", "career": [], "field": ["헬스케어"], "career_file_name": null, "is_visible": false}
                ]
            }),
            json!({
                "keywords": ["AI", "헬스케어", "의료데이터"],
                "matching_method": "lexical_count",
                "total_experts_evaluated": 2,
                "final_ranking": [{"순위": 1, "이름": "한예시", "매칭_개수": 2, "매칭_상세": [
                    {"keyword": "헬스케어", "matched_item": "헬스케어", "similarity": 1.0},
                    {"keyword": "의료데이터", "matched_item": "의료 데이터", "similarity": 1.0}
                ], "평균_유사도": 1.0}],
                "embedding_model": null
            }),
        )
    }

    fn run(_job: &Job, input: MatchRequest) -> Result<MatchResponse, Failure> {
        match_experts(&input, &mut Capsule)
    }

    fn warm() {
        expert_match_core::warm();
    }
}

capsule_sdk::export_capability!(ExpertMatch);

/// Vectors for the keywords and the items, and the model that made them.
struct Vectors {
    keywords: Vec<Vec<f32>>,
    items: Vec<Vec<f32>>,
    model: String,
}

/// The whole job, with the host passed in (see the module docs).
///
/// Fails `COMMON_INVALID_REQUEST` for a blank or over-long report, values
/// out of range, or a report with no keyword at all; with the engine's code
/// for an engine failure other than `EMBEDDINGS_UNAVAILABLE` (that one too
/// when `method` is `semantic_count`).
pub fn match_experts(request: &MatchRequest, host: &mut impl Engines) -> Result<MatchResponse, Failure> {
    request.check().map_err(|message| Failure::new(INVALID_REQUEST, message))?;
    host.progress(5, "keywords", "extracting the report's keywords");
    let keywords: Vec<String> =
        extract_keywords(&request.business_report, request.num_keywords as usize).into_iter().map(|k| k.text).collect();
    if keywords.is_empty() {
        return Err(Failure::new(
            INVALID_REQUEST,
            "no keyword could be extracted from `business_report`: it has no Korean or English noun \
             beyond numbers, symbols and words every plan uses",
        ));
    }
    let items = distinct_items(&request.experts);

    let vectors = match request.method {
        MethodChoice::LexicalCount => None,
        choice => {
            host.progress(
                20,
                "embedding",
                &format!("embedding {} keywords and {} expert items", keywords.len(), items.len()),
            );
            match embed(&keywords, &items, host) {
                Ok(vectors) => Some(vectors),
                Err(f) if f.code == codes::EMBEDDINGS_UNAVAILABLE && choice == MethodChoice::Auto => {
                    host.progress(20, "embedding", "no embeddings engine here: comparing spellings instead");
                    None
                }
                Err(f) => return Err(f),
            }
        }
    };

    host.progress(80, "ranking", "matching keywords to each expert and ranking them");
    let threshold = request.similarity_threshold;
    let top_k = request.top_k as usize;
    let (matching_method, embedding_model, ranking) = match vectors {
        Some(v) => {
            let index: HashMap<&str, usize> = items.iter().enumerate().map(|(i, item)| (*item, i)).collect();
            let e5 = v.model.to_ascii_lowercase().contains("e5");
            let ranking = rank(&keywords, &request.experts, threshold, top_k, &mut |k, item| {
                calibrated(cosine(&v.keywords[k], &v.items[index[item]]), e5)
            });
            (MatchingMethod::SemanticCount, Some(v.model), ranking)
        }
        None => {
            let ranking = rank(&keywords, &request.experts, threshold, top_k, &mut |k, item| dice(&keywords[k], item));
            (MatchingMethod::LexicalCount, None, ranking)
        }
    };
    host.progress(100, "done", &format!("{} experts matched", ranking.final_ranking.len()));
    let similarity_scale = match (&matching_method, &embedding_model) {
        (MatchingMethod::SemanticCount, Some(m)) if m.to_ascii_lowercase().contains("e5") => {
            Some(format!("{m} cosine rescaled: (cosine - {E5_FLOOR}) / {}, clipped to [0, 1]", 1.0 - E5_FLOOR))
        }
        (MatchingMethod::SemanticCount, _) => Some("cosine".to_string()),
        _ => Some("character-bigram Dice coefficient".to_string()),
    };
    Ok(MatchResponse {
        similarity_scale,
        keywords,
        matching_method,
        similarity_threshold: threshold,
        total_experts_evaluated: ranking.total_experts_evaluated,
        final_ranking: ranking.final_ranking,
        embedding_model,
    })
}

/// Keywords and items in one list, embedded as queries in batches.
fn embed(keywords: &[String], items: &[&str], host: &mut impl Engines) -> Result<Vectors, Failure> {
    let texts: Vec<&str> = keywords.iter().map(String::as_str).chain(items.iter().copied()).collect();
    let batches = texts.len().div_ceil(EMBED_BATCH);
    let mut vectors: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
    let mut model = String::new();
    for (n, batch) in texts.chunks(EMBED_BATCH).enumerate() {
        if n > 0 {
            if host.cancelled() {
                return Err(Failure::new(CANCELLED, "the job was cancelled"));
            }
            let percent = 20 + (60 * n / batches) as u8;
            host.progress(percent, "embedding", &format!("embedded {} of {} texts", vectors.len(), texts.len()));
        }
        let embedded = host.embed(batch, EmbedRole::Query)?;
        if embedded.vectors.len() != batch.len() {
            return Err(Failure::new(
                EMBEDDINGS_FAILED,
                format!("{} vectors came back for {} texts", embedded.vectors.len(), batch.len()),
            ));
        }
        vectors.extend(embedded.vectors);
        model = embedded.model;
    }
    let dimension = vectors.first().map_or(0, Vec::len);
    if dimension == 0 || vectors.iter().any(|v| v.len() != dimension) {
        return Err(Failure::new(EMBEDDINGS_FAILED, "the engine returned empty or mixed-dimension vectors"));
    }
    let items = vectors.split_off(keywords.len());
    Ok(Vectors { keywords: vectors, items, model })
}

/// Below this e5 cosine, short terms are unrelated (measured on pairs of
/// Korean and English terms: unrelated ones score 0.79-0.87).
pub const E5_FLOOR: f64 = 0.8;

/// The similarity a threshold is compared with: e5's cosine rescaled from
/// [`E5_FLOOR`, 1] to [0, 1] (clipped), any other model's cosine as it is.
pub fn calibrated(cosine: f64, e5: bool) -> f64 {
    if e5 { ((cosine - E5_FLOOR) / (1.0 - E5_FLOOR)).clamp(0.0, 1.0) } else { cosine }
}

/// Cosine similarity (0 when a vector is all zeros).
fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { (dot / (na.sqrt() * nb.sqrt())).clamp(-1.0, 1.0) }
}

#[cfg(test)]
mod tests;

//! `comment-analysis`: seed 002's video-comment analysis, answering
//! `analysis-result-v1` (summary of reactions, praise and criticism,
//! content ideas, recommended keywords, meta).
//!
//! - The comments come from the request (`comments`, for internal videos or
//!   when the caller has them) or from the YouTube Data API v3 with the
//!   operator's key ([`youtube`]).
//! - With a language model behind the alias [`MODEL`], one schema-constrained
//!   call writes the result ([`model`]); without one, the statistical method
//!   of `comments-core` does: TF-IDF keywords, lexicon sentiment, reaction
//!   groups from the embeddings engine's vectors (or shared keywords), and
//!   templated Korean sentences with shares and quotes. `meta.method` says
//!   which; content ideas need the model, so they are empty then and a
//!   warning says how to configure one.
//!
//! The flow, [`analyze`], takes the host as traits ([`Engines`]) so it runs
//! natively against fakes.

pub mod model;
pub mod youtube;

#[cfg(test)]
mod tests;

use std::time::{SystemTime, UNIX_EPOCH};

use capsule_sdk::language::{EmbedRole, codes as llm_codes};
use capsule_sdk::{Capability, Capsule, Config, Descriptor, Embeddings, Failure, Http, Job, JobContext, Llm, Mode};
use comments_core::reactions::Grouping;
use comments_core::{Comment, MAX_KEYWORDS, OutputLanguage, Prepared};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The model alias asked for; spin.toml must grant it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";
/// `meta.schemaVersion`.
pub const SCHEMA_VERSION: &str = "analysis-result-v1";
/// `sampleSize` when neither the request nor `comment_sample_size` sets it.
pub const DEFAULT_SAMPLE_SIZE: usize = 300;
pub const MAX_SAMPLE_SIZE: usize = 1000;
/// Texts per embeddings call (the host takes at most 256).
const EMBED_BATCH: usize = 128;

/// The seed's failure codes (its `DOMAIN_REASON` table).
pub mod codes {
    /// A blank `videoId`, or nothing at all to analyse.
    pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";
    /// YouTube (or the model's provider) refused, failed or is not configured.
    pub const EXTERNAL_API_ERROR: &str = "ANALYSIS_EXTERNAL_API_ERROR";
    /// No such video, or a deleted or private one.
    pub const VIDEO_NOT_FOUND: &str = "ANALYSIS_VIDEO_NOT_FOUND";
    /// The model's answer failed validation twice.
    pub const OUTPUT_INVALID: &str = "ANALYSIS_OUTPUT_INVALID";
}

/// What the flow asks of the host; native tests fake exactly these.
pub trait Engines: Llm + Embeddings + Config + Http + JobContext {}
impl<T: Llm + Embeddings + Config + Http + JobContext> Engines for T {}

fn default_version() -> String {
    "v1".into()
}

/// Which method may run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// The language model when the host has one for `default`, else the statistical method.
    #[default]
    Auto,
    /// The statistical method even when a model is available (no content ideas). The descriptor's
    /// example uses it, so the host's self-test answers the same on every host.
    Statistical,
}

/// A comment sent with the request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CommentInput {
    /// Just the text.
    Text(String),
    /// The text and its likes (liked comments weigh more in keywords and are quoted first to the model).
    Object(CommentObject),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommentObject {
    pub text: String,
    #[serde(default)]
    pub like_count: Option<u64>,
}

impl CommentInput {
    fn into_comment(self) -> Comment {
        match self {
            CommentInput::Text(text) => Comment { text, likes: 0 },
            CommentInput::Object(o) => Comment { text: o.text, likes: o.like_count.unwrap_or(0) },
        }
    }
}

/// The job's input (the seed's request body plus what a caller without
/// YouTube access sends instead).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "comment-analysis input")]
pub struct Input {
    /// The YouTube video id, or an internal id when `comments` is sent.
    #[schemars(length(min = 1, max = 200))]
    pub video_id: String,
    /// The analysis version the result is recorded under (`meta.analysisVersion`).
    #[serde(default = "default_version")]
    #[schemars(length(min = 1, max = 50))]
    pub analysis_version: String,
    /// The video's title; fetched from YouTube when not sent.
    #[serde(default)]
    #[schemars(length(max = 1000))]
    pub title: Option<String>,
    /// The video's description; fetched from YouTube when not sent.
    #[serde(default)]
    #[schemars(length(max = 20000))]
    pub description: Option<String>,
    /// The comments to analyse; when sent, YouTube is not called.
    #[serde(default)]
    #[schemars(length(max = 5000))]
    pub comments: Option<Vec<CommentInput>>,
    /// Comments analysed at most (default: the `comment_sample_size` setting, else 300).
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000))]
    pub sample_size: Option<u32>,
    /// The language the summary is written in (ISO 639-1, default `ko`; the statistical method writes `ko` or `en`).
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z]{2}(-[A-Za-z]{2})?$"))]
    pub language: Option<String>,
    /// Which method may run; leave it out for `auto`.
    #[serde(default)]
    pub method: MethodChoice,
    /// The seed's `forceRefresh`: the host's cache reads it; the analysis ignores it.
    #[serde(default)]
    pub force_refresh: Option<bool>,
}

/// `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryOutput {
    pub major_reactions: String,
    pub positive_points: String,
    pub weak_points: String,
}

/// One of `contentIdeas`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ContentIdea {
    pub title: String,
    pub description: String,
}

/// What `analysisBasis` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Title,
    Description,
    Comments,
}

/// How the result was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Written by the language model behind `default`.
    Llm,
    /// TF-IDF keywords, lexicon sentiment, clustered reactions; no content ideas.
    Statistical,
}

/// `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The model that wrote the result, `statistical`, or `statistical/<embedding model>`.
    pub model: String,
    /// When the analysis ran (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"))]
    pub analyzed_at: String,
    /// Comments analysed.
    pub comment_sample_count: u32,
    /// What the analysis read, of title, description and comments.
    pub analysis_basis: Vec<Basis>,
    /// The comments' languages (ISO 639-1 or `other`), most frequent first.
    pub language_summary: Vec<String>,
    /// Always false here; the host sets it on answers from its cache.
    pub cache_hit: bool,
    pub analysis_version: String,
    /// Always `analysis-result-v1`.
    pub schema_version: String,
    pub warnings: Vec<String>,
    pub method: Method,
}

/// The job's output: `analysis-result-v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(title = "analysis-result-v1")]
pub struct AnalysisResult {
    pub summary: SummaryOutput,
    pub content_ideas: Vec<ContentIdea>,
    #[schemars(length(max = 8))]
    pub recommended_keywords: Vec<String>,
    pub meta: Meta,
}

pub struct CommentAnalysis;

impl Capability for CommentAnalysis {
    type Input = Input;
    type Output = AnalysisResult;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "comment-analysis",
            "0.1.0",
            "Analyses a YouTube video's comments (fetched with the operator's key, or sent): major reactions, praise, \
             criticism, content ideas and up to 8 keywords, by a language model or statistically",
        )
        .input::<Input>()
        .output::<AnalysisResult>()
        .mode(Mode::Async)
        .example(
            "supplied-comments-statistical",
            json!({
                "videoId": "internal-demo-001",
                "method": "statistical",
                "title": "가족에게 상처 주는 말, 뇌과학으로 보면",
                "comments": [
                    "가족에게 상처 주는 말 정말 반성하게 되네요",
                    "뇌과학으로 설명해주니까 이해가 쏙쏙 돼요",
                    "감정 조절이 제일 어려워요",
                    {"text": "해결책이 조금 추상적이라 아쉬워요", "likeCount": 3},
                    "가족이랑 같이 봤어요",
                    "This explains so much about my family"
                ]
            }),
            json!({
                "contentIdeas": [],
                "meta": {
                    "model": "statistical",
                    "commentSampleCount": 6,
                    "cacheHit": false,
                    "analysisVersion": "v1",
                    "schemaVersion": SCHEMA_VERSION,
                    "method": "statistical"
                }
            }),
        )
    }

    fn run(_job: &Job, input: Input) -> Result<AnalysisResult, Failure> {
        analyze(&input, &mut Capsule, SystemTime::now())
    }

    fn warm() {
        comments_core::warm();
    }
}

capsule_sdk::export_capability!(CommentAnalysis);

/// `time` as RFC 3339 in UTC, to the second (`2026-02-22T12:00:08Z`).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 → civil date (Howard Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// The sample size: the request's, else the `comment_sample_size` setting, else 300.
fn sample_size(input: &Input, host: &mut impl Config, warnings: &mut Vec<String>) -> Result<usize, Failure> {
    if let Some(size) = input.sample_size {
        return Ok((size as usize).clamp(1, MAX_SAMPLE_SIZE));
    }
    match youtube::variable(host, youtube::keys::SAMPLE_SIZE)? {
        None => Ok(DEFAULT_SAMPLE_SIZE),
        Some(value) => match value.parse::<usize>() {
            Ok(size) if size >= 1 => Ok(size.min(MAX_SAMPLE_SIZE)),
            _ => {
                warnings.push(format!(
                    "설정값 `{}`({value})이 1~{MAX_SAMPLE_SIZE} 사이의 정수가 아니어서 기본값 {DEFAULT_SAMPLE_SIZE}을 썼습니다. / \
                     `{}` is not a whole number from 1 to {MAX_SAMPLE_SIZE}; used {DEFAULT_SAMPLE_SIZE}.",
                    youtube::keys::SAMPLE_SIZE,
                    youtube::keys::SAMPLE_SIZE
                ));
                Ok(DEFAULT_SAMPLE_SIZE)
            }
        },
    }
}

fn non_blank(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

/// Run one analysis.
pub fn analyze(input: &Input, host: &mut impl Engines, now: SystemTime) -> Result<AnalysisResult, Failure> {
    let video_id = input.video_id.trim();
    if video_id.is_empty() {
        return Err(Failure::new(
            codes::INVALID_REQUEST,
            "videoId가 필요합니다. / `videoId` is required and must not be blank.",
        ));
    }
    let mut warnings = Vec::new();
    let sample = sample_size(input, host, &mut warnings)?;
    let language = input.language.clone().unwrap_or_else(|| "ko".into());

    let (title, description, comments) = match &input.comments {
        Some(sent) => {
            host.progress(5, "fetching_video", "전달된 영상 정보를 확인하는 중...");
            let mut comments: Vec<Comment> = sent.iter().cloned().map(CommentInput::into_comment).collect();
            if comments.len() > sample {
                warnings.push(format!(
                    "댓글 {}개 중 앞의 {sample}개만 분석했습니다(sampleSize). / Analysed the first {sample} of {} comments \
                     sent (sampleSize).",
                    comments.len(),
                    comments.len()
                ));
                comments.truncate(sample);
            }
            host.progress(20, "fetching_comments", &format!("댓글을 준비하는 중... ({}/{sample})", comments.len()));
            (non_blank(input.title.as_deref()), non_blank(input.description.as_deref()), comments)
        }
        None => {
            let fetched = youtube::fetch(video_id, sample, host)?;
            let title = non_blank(input.title.as_deref()).or_else(|| non_blank(Some(&fetched.video.title)));
            let description =
                non_blank(input.description.as_deref()).or_else(|| non_blank(Some(&fetched.video.description)));
            (title, description, fetched.comments)
        }
    };

    host.progress(55, "extracting_keywords", "다국어 댓글 통합 분석 및 키워드 추출 중...");
    let prepared = Prepared::new(title.as_deref(), description.as_deref(), comments);
    if prepared.comments.is_empty() && prepared.title.is_none() && prepared.description.is_none() {
        return Err(Failure::new(
            codes::INVALID_REQUEST,
            "분석할 내용이 없습니다: 댓글이 비어 있고 제목과 설명도 없습니다. / There is nothing to analyse: no comments, \
             title or description.",
        ));
    }
    if prepared.comments.is_empty() {
        warnings.push(
            "분석할 댓글이 없어 제목과 설명만 분석했습니다. / There were no comments: only the title and description \
             were analysed."
                .into(),
        );
    }

    let use_model = input.method == MethodChoice::Auto && host.llm_available(MODEL);
    let (summary, content_ideas, keywords, model_name, method) = if use_model {
        host.progress(75, "analyzing_reactions", "AI가 댓글 반응과 콘텐츠 아이디어를 분석하는 중...");
        let answer = model::analyze(&prepared, &language, host)?;
        host.progress(90, "writing_summary", "분석 결과를 정리하는 중...");
        (answer.summary, answer.content_ideas, answer.keywords, answer.model, Method::Llm)
    } else {
        let (summary, model_name) = statistical(&prepared, &language, input.method, host, &mut warnings);
        (summary, Vec::new(), prepared.recommended_keywords(), model_name, Method::Statistical)
    };

    let mut basis = Vec::new();
    if prepared.title.is_some() {
        basis.push(Basis::Title);
    }
    if prepared.description.is_some() {
        basis.push(Basis::Description);
    }
    if !prepared.comments.is_empty() {
        basis.push(Basis::Comments);
    }
    Ok(AnalysisResult {
        summary: SummaryOutput {
            major_reactions: summary.major_reactions,
            positive_points: summary.positive_points,
            weak_points: summary.weak_points,
        },
        content_ideas,
        recommended_keywords: keywords.into_iter().take(MAX_KEYWORDS).collect(),
        meta: Meta {
            model: model_name,
            analyzed_at: rfc3339(now),
            comment_sample_count: prepared.comments.len() as u32,
            analysis_basis: basis,
            language_summary: prepared.language_summary(),
            cache_hit: false,
            analysis_version: input.analysis_version.clone(),
            schema_version: SCHEMA_VERSION.into(),
            warnings,
            method,
        },
    })
}

/// The statistical method: groups (by embeddings when the host lends them),
/// then the templated sentences. Returns the summary and `meta.model`.
fn statistical(
    prepared: &Prepared,
    language: &str,
    choice: MethodChoice,
    host: &mut (impl Embeddings + JobContext),
    warnings: &mut Vec<String>,
) -> (comments_core::Summary, String) {
    host.progress(75, "clustering_reactions", "비슷한 반응끼리 댓글을 묶는 중...");
    let mut model_name = "statistical".to_string();
    let mut vectors = None;
    if prepared.wants_embeddings() {
        match embed(prepared, host) {
            Ok((v, model)) => {
                model_name = format!("statistical/{model}");
                vectors = Some(v);
            }
            Err(f) => {
                let why = if f.code == llm_codes::EMBEDDINGS_UNAVAILABLE {
                    "임베딩 엔진이 없어".to_string()
                } else {
                    format!("임베딩 엔진이 실패해({})", f.code)
                };
                warnings.push(format!(
                    "{why} 공통 키워드로 반응을 묶었습니다. / Reactions were grouped by shared keywords: the embeddings \
                     engine is not available ({}: {}).",
                    f.code, f.message
                ));
            }
        }
    }
    let reactions = prepared.reactions(vectors.as_deref());
    if vectors.is_some() && reactions.grouping == Grouping::Keywords {
        model_name = "statistical".into();
    }
    host.progress(90, "writing_summary", "분석 결과를 정리하는 중...");
    let output_language = match language.split('-').next() {
        Some("en") => OutputLanguage::English,
        Some("ko") => OutputLanguage::Korean,
        _ => {
            warnings.push(format!(
                "통계 분석은 한국어와 영어로만 요약을 씁니다. 한국어로 썼습니다. / The statistical method writes Korean or \
                 English only; `{language}` was asked for, Korean was written."
            ));
            OutputLanguage::Korean
        }
    };
    warnings.push(match choice {
        MethodChoice::Statistical => "method가 statistical이라 콘텐츠 아이디어(contentIdeas)는 만들지 않았습니다. / \
             `method: statistical` was asked for: content ideas need the language model, so there are none."
            .into(),
        MethodChoice::Auto => format!(
            "콘텐츠 아이디어(contentIdeas)는 언어 모델이 있어야 만들 수 있어 비워 두었습니다. 런타임 설정에서 모델 별칭 `{MODEL}`를 \
             구성하세요(--llm {MODEL}=… 또는 --runtime-config 파일의 [llm.{MODEL}]). / Content ideas need a language model: \
             map the model alias `{MODEL}` in the runtime configuration (--llm {MODEL}=… or [llm.{MODEL}] in the \
             --runtime-config file)."
        ),
    });
    (prepared.summary(&reactions, output_language), model_name)
}

/// One vector per comment, in batches the host accepts. e5-style models
/// embed both sides of a symmetric task (clustering) as queries.
fn embed(prepared: &Prepared, host: &mut impl Embeddings) -> Result<(Vec<Vec<f32>>, String), Failure> {
    let texts = prepared.embedding_texts();
    let mut vectors = Vec::with_capacity(texts.len());
    let mut model = String::new();
    for batch in texts.chunks(EMBED_BATCH) {
        let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
        let embedded = host.embed(&refs, EmbedRole::Query)?;
        if embedded.vectors.len() != refs.len() {
            return Err(Failure::new(
                "EMBEDDINGS_FAILED",
                format!("{} vectors came back for {} texts", embedded.vectors.len(), refs.len()),
            ));
        }
        vectors.extend(embedded.vectors);
        model = embedded.model;
    }
    Ok((vectors, model))
}

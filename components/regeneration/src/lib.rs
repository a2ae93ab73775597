//! `regeneration`: report text rewritten in another style, or searched for
//! related patents and news (seed 000 §4.2, `POST /api/reports/regenerate`).
//!
//! - 자세히 (about 20 % longer), 간결하게 (about 20 % shorter) and 윤문
//!   (polished, same length) ask the language model behind the alias
//!   [`MODEL`]. Without one, 간결하게 still works: it keeps the text's most
//!   central sentences ([`condense`]); the other two fail `LLM_NOT_CONFIGURED`.
//! - 특허 and 뉴스 ask a search provider the operator configures (KIPRIS
//!   Plus, Naver news) over outgoing HTTP ([`search`]).
//!
//! This file is the job's flow, [`regenerate`], with the host behind the
//! [`Llm`], [`JobContext`], [`Config`] and [`Http`] traits so it runs
//! natively in tests with a fake.

pub mod condense;
pub mod search;

/// Sentence splitting and lengths, from the shared `textrank` crate (re-exported
/// so callers and tests keep using `regeneration::sentences`).
pub use textrank::sentences;

use std::time::Instant;

use capsule_sdk::language::{ChatRequest, Message, codes};
use capsule_sdk::{Capability, Capsule, Config, Descriptor, Failure, Http, Job, JobContext, Llm, Mode};
use schemars::JsonSchema;
pub use search::{Found, SearchKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The model alias every rewrite asks for; `spin.toml` must grant it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";

/// A request the component cannot run: a required field missing or blank,
/// or options that do not go together. The client's fault, never retryable.
pub const INVALID_REQUEST: &str = "REGENERATION_INVALID_REQUEST";

/// 특허 or 뉴스 asked for, and no search provider is set up for them (or
/// spin.toml does not let the component reach the one that is).
pub const SEARCH_NOT_CONFIGURED: &str = "SEARCH_NOT_CONFIGURED";

/// How the model is asked to be creative: low, because a rewrite must keep
/// the text's facts, but not greedy, which tends to copy the text unchanged.
pub const TEMPERATURE: f32 = 0.3;

/// Tokens budgeted per character of the expected answer. Hangul syllables
/// take one to three tokens in common byte-level BPE vocabularies; this is
/// a ceiling that keeps an answer from being cut off, not a length target.
const TOKENS_PER_CHARACTER: f64 = 2.5;

/// Tokens budgeted on top of the answer's, and the least and most asked for.
const TOKEN_MARGIN: u32 = 128;
const MIN_TOKENS: u32 = 256;
const MAX_TOKENS: u32 = 8192;

/// What to do with the report text (the seed's `classification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Classification {
    /// Rewrite `contents` about 20 % longer, explaining what it already says.
    #[serde(rename = "자세히")]
    Detailed,
    /// Rewrite `contents` about 20 % shorter, keeping its key points.
    #[serde(rename = "간결하게")]
    Concise,
    /// Polish `contents`: spelling, spacing and awkward phrasing, same length.
    #[serde(rename = "윤문")]
    Polished,
    /// Search patents (KIPRIS Plus, filed 2020 or later) about `subject`.
    #[serde(rename = "특허")]
    Patents,
    /// Search recent news about `subject`.
    #[serde(rename = "뉴스")]
    News,
}

impl Classification {
    /// The seed's name for it, as the client sent it.
    pub fn label(self) -> &'static str {
        match self {
            Classification::Detailed => "자세히",
            Classification::Concise => "간결하게",
            Classification::Polished => "윤문",
            Classification::Patents => "특허",
            Classification::News => "뉴스",
        }
    }

    /// Whether it rewrites `contents` (else it searches for `subject`).
    pub fn rewrites(self) -> bool {
        matches!(self, Classification::Detailed | Classification::Concise | Classification::Polished)
    }
}

/// Which method 간결하게 may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MethodChoice {
    /// The language model when the host has one for `default`, else (간결하게 only) extraction.
    #[default]
    Auto,
    /// Always extract sentences, even when a model is available (간결하게 only). The descriptor's
    /// example uses it, so the host's self-test gives the same answer on every host and calls no model.
    ExtractiveTextrank,
}

/// The job's input.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "regeneration input")]
pub struct Input {
    pub classification: Classification,
    /// The text to rewrite; required by 자세히, 간결하게 and 윤문.
    #[serde(default)]
    pub contents: Option<String>,
    /// What to search for; required by 특허 and 뉴스.
    #[serde(default)]
    pub subject: Option<String>,
    /// Which method 간결하게 may use; leave it out for `auto`.
    #[serde(default)]
    pub method: MethodChoice,
}

/// Always `success`: a job that fails returns a failure instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
}

/// How the result was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Rewritten by the language model behind `default`.
    Llm,
    /// The original's most central sentences (TextRank over character bigrams), in their order.
    ExtractiveTextrank,
    /// Search results (특허, 뉴스).
    Search,
}

/// The job's output.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "regeneration output")]
pub struct Output {
    pub result: Outcome,
    /// The rewritten text, or the search results.
    pub contents: String,
    /// How long the job took, in seconds.
    pub elapsed_seconds: f64,
    pub method: Method,
    /// Output length / input length for 자세히, 간결하게 and 윤문, lengths counted as Unicode scalar
    /// values without whitespace (so re-spacing does not count); null for 특허 and 뉴스.
    pub length_ratio: Option<f64>,
    /// 특허 and 뉴스: the results `contents` lists, as data; null for rewrites.
    pub search: Option<Found>,
}

pub struct Regeneration;

impl Capability for Regeneration {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "regeneration",
            "0.1.0",
            "Rewrites report text about 20 % longer (자세히), 20 % shorter (간결하게) or polished (윤문) with a \
             language model, or condenses it by TextRank sentence extraction without one; searches patents (특허) \
             and news (뉴스)",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
        .example(
            "concise-without-a-model",
            json!({"classification": "간결하게", "contents": EXAMPLE_PARAGRAPH, "method": "extractive-textrank"}),
            json!({"result": "success", "method": "extractive-textrank"}),
        )
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        regenerate(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(Regeneration);

/// Six sentences of a business plan, for the descriptor's example.
const EXAMPLE_PARAGRAPH: &str = "당사는 중소 제조기업을 위한 AI 기반 설비 예지보전 플랫폼을 개발하고 있다. \
    국내 중소 제조기업의 약 70%는 설비 고장을 사후에 수리하고 있어 연간 생산 차질 비용이 크다. \
    플랫폼은 저가형 진동·온도 센서 데이터를 수집해 고장 징후를 평균 72시간 전에 예측한다. \
    또한 예측 결과를 작업자 스마트폰으로 알려 정비 일정을 미리 잡을 수 있게 한다. \
    시범 적용한 3개 공장에서는 비계획 정지 시간이 38% 줄었다. \
    당사는 이 성과를 바탕으로 2026년까지 고객사 50곳 확보를 목표로 한다.";

/// What the flow does for a classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Task {
    Rewrite(Style),
    Search(SearchKind),
}

/// How to rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Detailed,
    Concise,
    Polished,
}

impl Style {
    /// The answer's expected length over the original's.
    fn length_factor(self) -> f64 {
        match self {
            Style::Detailed => 1.2,
            Style::Concise => 0.8,
            Style::Polished => 1.0,
        }
    }
}

impl Classification {
    fn task(self) -> Task {
        match self {
            Classification::Detailed => Task::Rewrite(Style::Detailed),
            Classification::Concise => Task::Rewrite(Style::Concise),
            Classification::Polished => Task::Rewrite(Style::Polished),
            Classification::Patents => Task::Search(SearchKind::Patents),
            Classification::News => Task::Search(SearchKind::News),
        }
    }
}

/// Run one job: rewrite `input.contents` or search for `input.subject`.
///
/// Fails `REGENERATION_INVALID_REQUEST` when the field the classification
/// needs is missing or blank, `LLM_NOT_CONFIGURED` for 자세히 and 윤문 on a
/// host without the [`MODEL`] alias, `SEARCH_NOT_CONFIGURED` for 특허 and
/// 뉴스 without their provider, `SEARCH_UPSTREAM_FAILED` when the provider
/// fails, and with the model's own failure when a model call fails.
pub fn regenerate(input: &Input, host: &mut (impl Llm + JobContext + Config + Http)) -> Result<Output, Failure> {
    let started = Instant::now();
    let classification = input.classification;
    if input.method != MethodChoice::Auto && classification != Classification::Concise {
        return Err(Failure::new(
            INVALID_REQUEST,
            format!(
                "`method: extractive-textrank` only applies to `간결하게`; leave `method` out for `{}`",
                classification.label()
            ),
        ));
    }
    let (contents, method, length_ratio, found) = match classification.task() {
        Task::Rewrite(style) => {
            let original = required(input.contents.as_deref(), "contents", classification)?;
            let (text, method) = rewrite(style, original, input.method, host)?;
            let ratio = sentences::length(&text) as f64 / sentences::length(original) as f64;
            (text, method, Some(round_to(ratio, 4)), None)
        }
        Task::Search(kind) => {
            let subject = required(input.subject.as_deref(), "subject", classification)?.trim();
            host.progress(10, "searching", &format!("searching {} for `{subject}`", classification.label()));
            let found = search::search(kind, subject, host)?;
            host.progress(90, "writing", &format!("{} results found", found.items.len()));
            (search::render(kind, &found), Method::Search, None, Some(found))
        }
    };
    Ok(Output {
        result: Outcome::Success,
        contents,
        elapsed_seconds: round_to(started.elapsed().as_secs_f64(), 3),
        method,
        length_ratio,
        search: found,
    })
}

/// The field `name`, or an invalid-request failure saying the classification needs it.
fn required<'a>(value: Option<&'a str>, name: &str, classification: Classification) -> Result<&'a str, Failure> {
    let needs = if classification.rewrites() { "rewrites" } else { "searches for" };
    match value {
        Some(text) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(Failure::new(
            INVALID_REQUEST,
            format!("`{}` {needs} `{name}`, and `{name}` is blank; send it with text in it", classification.label()),
        )),
        None => Err(Failure::new(
            INVALID_REQUEST,
            format!("`{}` {needs} `{name}`, and no `{name}` was sent; send it", classification.label()),
        )),
    }
}

/// The rewritten text and how it was made: by the model when the host has
/// one for [`MODEL`] (and extraction was not asked for), else by extraction for 간결하게.
fn rewrite(
    style: Style,
    original: &str,
    choice: MethodChoice,
    host: &mut (impl Llm + JobContext),
) -> Result<(String, Method), Failure> {
    if choice == MethodChoice::Auto && host.llm_available(MODEL) {
        return rewrite_with_model(style, original, host).map(|text| (text, Method::Llm));
    }
    match style {
        Style::Concise => {
            host.progress(10, "ranking", "ranking sentences by TextRank");
            let condensed = condense::condense(original);
            host.progress(
                90,
                "condensed",
                &format!(
                    "kept {} of {} sentences{}",
                    condensed.sentences_kept,
                    condensed.sentences_total,
                    if condensed.trimmed { ", trimmed inside sentences" } else { "" }
                ),
            );
            Ok((condensed.text, Method::ExtractiveTextrank))
        }
        Style::Detailed | Style::Polished => Err(Failure::new(
            codes::LLM_NOT_CONFIGURED,
            format!(
                "`{}` rewrites the text with a language model, and this host has none for the model alias `{MODEL}`; \
                 configure a model for `{MODEL}`, or use `간결하게`, which works without one",
                if style == Style::Detailed { "자세히" } else { "윤문" }
            ),
        )),
    }
}

/// What every rewrite asks of the model, whatever the style.
const SYSTEM_PROMPT: &str = "당신은 한국어 사업계획서와 보고서를 다듬는 전문 편집자입니다. 다음 원칙을 반드시 지키십시오.\n\
1. 원문에 있는 사실, 수치, 고유명사, 주장만 사용하십시오. 원문에 없는 수치, 통계, 연도, 기관명, 사례를 새로 만들지 마십시오.\n\
2. 원문의 문단 구성과 논리 순서를 유지하십시오.\n\
3. 문체와 종결 어미(예: ~한다, ~이다, ~합니다)를 원문과 같게 유지하십시오.\n\
4. 다시 쓴 본문만 출력하십시오. 제목, 머리말, 설명, 따옴표, 마크다운을 덧붙이지 마십시오.";

/// The instruction for one style; lengths are non-whitespace characters, as the ratio counts them.
fn user_prompt(style: Style, original: &str) -> String {
    let length = sentences::length(original);
    let target = (length as f64 * style.length_factor()).round() as usize;
    let instruction = match style {
        Style::Detailed => format!(
            "아래 원문을 더 자세하게 다시 써 주십시오. 분량은 원문보다 약 20% 길게, 공백을 제외하고 약 {target}자(원문 {length}자)로 \
             맞추십시오. 원문에 이미 있는 내용의 배경, 이유, 기대 효과를 풀어 설명하고 문장 사이의 연결을 보강하되, \
             원문에 없는 수치나 사실은 추가하지 마십시오."
        ),
        Style::Concise => format!(
            "아래 원문을 간결하게 다시 써 주십시오. 분량은 원문보다 약 20% 짧게, 공백을 제외하고 약 {target}자(원문 {length}자)로 \
             맞추십시오. 핵심 주장과 수치는 모두 남기고, 중복된 표현과 불필요한 수식어를 줄이십시오."
        ),
        Style::Polished => format!(
            "아래 원문을 윤문해 주십시오. 맞춤법, 띄어쓰기, 어색하거나 중복된 표현을 바로잡고 문장을 자연스럽게 다듬되, \
             내용과 분량은 원문과 비슷하게(공백 제외 약 {length}자) 유지하십시오."
        ),
    };
    format!("{instruction}\n\n[원문]\n{original}")
}

/// Room for the answer: the expected length in tokens with slack, so a
/// model that writes a little more than asked is not cut off.
fn max_tokens(style: Style, original: &str) -> u32 {
    let expected = original.chars().count() as f64 * style.length_factor() * TOKENS_PER_CHARACTER;
    (expected.ceil() as u32).saturating_add(TOKEN_MARGIN).clamp(MIN_TOKENS, MAX_TOKENS)
}

fn rewrite_with_model(style: Style, original: &str, host: &mut (impl Llm + JobContext)) -> Result<String, Failure> {
    let request = ChatRequest {
        max_tokens: max_tokens(style, original),
        temperature: TEMPERATURE,
        stream: true,
        ..ChatRequest::new(MODEL, vec![Message::system(SYSTEM_PROMPT), Message::user(user_prompt(style, original))])
    };
    host.progress(10, "rewriting", &format!("asking the `{MODEL}` model to rewrite the text"));
    let completion = host.chat(&request)?;
    if completion.truncated {
        return Err(Failure::new(
            codes::LLM_OUTPUT_INVALID,
            format!(
                "the model `{}` stopped at the {}-token limit before finishing the rewrite; send a shorter text",
                completion.model, request.max_tokens
            ),
        ));
    }
    let text = without_wrapping(&completion.text);
    if text.is_empty() {
        // Sampling is not greedy, so another attempt may well answer.
        return Err(Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` answered with no text", completion.model),
        ));
    }
    host.progress(95, "rewritten", "the model finished the rewrite");
    Ok(text.to_string())
}

/// The answer without what models wrap text in despite being told not to:
/// a Markdown code fence, or quotes around the whole of it.
fn without_wrapping(answer: &str) -> &str {
    let mut text = answer.trim();
    if let Some(fenced) = text.strip_prefix("```") {
        let body = fenced.split_once('\n').map_or("", |(_, rest)| rest);
        text = body.trim_end().strip_suffix("```").unwrap_or(body).trim();
    }
    for (open, close) in [('"', '"'), ('“', '”'), ('\'', '\'')] {
        if text.chars().count() >= 2 && text.starts_with(open) && text.ends_with(close) {
            let inner = &text[open.len_utf8()..text.len() - close.len_utf8()];
            if !inner.contains(open) && !inner.contains(close) {
                text = inner.trim();
            }
        }
    }
    text
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fenced_or_quoted_answer_is_unwrapped() {
        assert_eq!(without_wrapping("```text\n본문이다.\n```"), "본문이다.");
        assert_eq!(without_wrapping("  \"본문이다.\" "), "본문이다.");
        assert_eq!(without_wrapping("\"가\"와 \"나\""), "\"가\"와 \"나\"");
    }

    #[test]
    fn the_token_budget_grows_with_the_text_and_the_style() {
        let text = "가".repeat(1000);
        assert!(max_tokens(Style::Detailed, &text) > max_tokens(Style::Concise, &text));
        assert_eq!(max_tokens(Style::Concise, "짧다."), MIN_TOKENS);
        assert_eq!(max_tokens(Style::Detailed, &"가".repeat(100_000)), MAX_TOKENS);
    }

    #[test]
    fn each_prompt_names_its_length_target() {
        let original = "가".repeat(100);
        assert!(user_prompt(Style::Detailed, &original).contains("약 120자"));
        assert!(user_prompt(Style::Concise, &original).contains("약 80자"));
        assert!(user_prompt(Style::Polished, &original).contains("약 100자"));
    }

    #[test]
    fn the_example_paragraph_has_six_sentences() {
        assert_eq!(sentences::split(EXAMPLE_PARAGRAPH).len(), 6);
    }
}

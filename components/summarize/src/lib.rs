//! `summarize`: a clinical guideline summarised, step 1 of seed 004's GPT
//! job (summary, then a checklist from it: the `checklist` component).
//!
//! - With a model behind the alias [`MODEL`], the model writes the summary
//!   as a JSON-Schema-constrained answer `{"summary": "…"}`; `method: "llm"`
//!   and `model` names the model that answered.
//! - Without one (the host has no model for [`MODEL`], or the `llm` engine
//!   answers `LLM_NOT_CONFIGURED`), the guideline's most central sentences by
//!   TextRank ([`extract`]), in document order; `method: "extractive"`,
//!   `model: null`.
//!
//! Any other failure of the model (`LLM_RATE_LIMITED`, `LLM_UPSTREAM_FAILED`,
//! `LLM_CONTEXT_TOO_LONG`, …) fails the job with its own code and
//! retryability, as `regeneration` does: a host whose model is configured but
//! failing gets a failure to retry or report, never a silently different kind
//! of summary.
//!
//! The flow, [`summarize`], takes the host behind the [`Llm`] and
//! [`JobContext`] traits so it runs natively in tests with a fake.

use capsule_sdk::language::{ChatRequest, Message, codes};
use capsule_sdk::{Capability, Capsule, Descriptor, Failure, Job, JobContext, Llm, Mode};
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The model alias asked for; `spin.toml` must grant it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";

/// The SDK's failure for input the component cannot use (what it answers
/// for input that does not deserialise): the client's fault, never retried.
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";

/// The longest guideline taken, in Unicode scalar values.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// Summary sentences when the request does not say.
pub const DEFAULT_MAX_SENTENCES: u32 = 5;

/// The most summary sentences a request may ask for.
pub const MAX_SENTENCES: u32 = 20;

/// Low: a summary must keep the guideline's facts.
pub const TEMPERATURE: f32 = 0.2;

/// Unterminated lines this short (non-whitespace characters) are taken as
/// headings (`1. 서론`, `Recommendations`) and not offered as summary sentences.
const MAX_HEADING_CHARS: usize = 20;

/// Longer unterminated lines up to this many characters may still be titles ([`is_heading`]).
const MAX_TITLE_CHARS: usize = 80;

/// The guideline's language, for the model's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Korean.
    Ko,
    /// English.
    En,
}

/// Which method may run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// The model when the host has one for `default`, else extraction.
    #[default]
    Auto,
    /// Always extract sentences, even when a model is available. The descriptor's example uses it,
    /// so the host's self-test gives the same answer on every host and calls no model.
    Extractive,
}

/// The job's input.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "summarize input", transform = text_aliases)]
pub struct Input {
    /// The guideline's text, 1 to 200,000 characters. Also accepted as `input_text` or `guideline`
    /// (send exactly one of the three).
    #[serde(alias = "input_text", alias = "guideline")]
    #[schemars(length(min = 1, max = 200000))]
    pub text: String,
    /// How many sentences the summary may have, 1 to 20 (default 5).
    #[serde(default)]
    #[schemars(range(min = 1, max = 20))]
    pub max_sentences: Option<u32>,
    /// The language the model writes the summary in; by default the guideline's own (Korean when
    /// at least 30 % of its letters are Hangul). An extractive summary is always in the guideline's words.
    #[serde(default)]
    pub language: Option<Language>,
    /// `auto` (default): the model when there is one, else extraction; `extractive`: extraction only.
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

/// How the summary was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Written by the language model behind `default`.
    Llm,
    /// The guideline's most central sentences (TextRank over character bigrams), in document order.
    Extractive,
}

/// The job's output.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "summarize output")]
pub struct Output {
    /// The summary.
    pub summary: String,
    /// The summary's sentences, in document order.
    pub sentences: Vec<String>,
    pub method: Method,
    /// The model that wrote the summary; null for `extractive`.
    pub model: Option<String>,
}

pub struct Summarize;

impl Capability for Summarize {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "summarize",
            "0.1.0",
            "Summarises a clinical guideline (seed 004 step 1) with a language model, or by TextRank sentence \
             extraction without one",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
        .example(
            "extractive-korean-guideline",
            json!({"guideline": EXAMPLE_GUIDELINE, "max_sentences": 2, "method": "extractive"}),
            json!({"method": "extractive", "model": null, "sentences": [EXAMPLE_SUMMARY[0], EXAMPLE_SUMMARY[1]]}),
        )
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        summarize(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(Summarize);

/// Five sentences of a (made-up) hypertension guideline, for the descriptor's example.
const EXAMPLE_GUIDELINE: &str = "고혈압 진료 권고\n\
    고혈압 진단을 위해 진료실 혈압은 최소 2회 이상 측정하여 평균값을 사용해야 한다. \
    진료실 혈압이 경계 범위이면 가정혈압 측정을 권고한다. \
    가정혈압은 아침과 저녁에 각각 2회 측정하고 혈압 기록을 진료 시 확인한다. \
    생활요법으로 저염식과 규칙적인 운동을 권고한다. \
    혈압이 목표에 도달하지 않으면 약물 치료를 고려한다.";

/// What extraction keeps of [`EXAMPLE_GUIDELINE`] at two sentences (checked by a test).
const EXAMPLE_SUMMARY: [&str; 2] = [
    "진료실 혈압이 경계 범위이면 가정혈압 측정을 권고한다.",
    "가정혈압은 아침과 저녁에 각각 2회 측정하고 혈압 기록을 진료 시 확인한다.",
];

/// Run one job: check the input, then summarise by the model or by extraction.
///
/// Fails `COMMON_INVALID_REQUEST` for blank or over-long text or
/// `max_sentences` outside 1..=20, and with the model's own failure (code and
/// retryability) when the model fails for any reason but not being configured.
pub fn summarize(input: &Input, host: &mut (impl Llm + JobContext)) -> Result<Output, Failure> {
    let text = input.text.as_str();
    if text.trim().is_empty() {
        return Err(Failure::new(
            INVALID_REQUEST,
            "`text` (or `input_text` / `guideline`) is blank; send the guideline's text to summarise",
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Failure::new(
            INVALID_REQUEST,
            format!("`text` has {chars} characters; at most {MAX_TEXT_CHARS} are summarised, send a shorter text"),
        ));
    }
    let max_sentences = input.max_sentences.unwrap_or(DEFAULT_MAX_SENTENCES);
    if !(1..=MAX_SENTENCES).contains(&max_sentences) {
        return Err(Failure::new(
            INVALID_REQUEST,
            format!("`max_sentences` is {max_sentences}; ask for 1 to {MAX_SENTENCES} sentences"),
        ));
    }
    if input.method == MethodChoice::Auto && host.llm_available(MODEL) {
        let language = input.language.unwrap_or_else(|| detect_language(text));
        match summarize_with_model(text, max_sentences, language, host) {
            Ok(output) => return Ok(output),
            // The alias went away between the two calls: as if there had never been one.
            Err(failure) if failure.code == codes::LLM_NOT_CONFIGURED => {}
            Err(failure) => return Err(failure),
        }
    }
    host.progress(10, "ranking", "ranking the guideline's sentences by TextRank");
    let sentences = extract(text, max_sentences as usize);
    host.progress(95, "summarised", &format!("kept {} sentences", sentences.len()));
    Ok(Output { summary: sentences.join(" "), sentences, method: Method::Extractive, model: None })
}

/// The extractive summary: the `max_sentences` most central sentences of
/// `text` by TextRank ([`textrank::select`]), in document order.
///
/// Short unterminated lines (headings) are left out when anything else is
/// there, and a sentence repeated word for word counts once. As in
/// `regeneration`, a paragraph's first sentences get a slightly larger prior
/// (`1 + 1 / (1 + position in the paragraph)`): guideline paragraphs usually
/// open with their point.
pub fn extract(text: &str, max_sentences: usize) -> Vec<String> {
    let all = textrank::split(text);
    let mut seen: Vec<String> = Vec::new();
    let mut candidates = Vec::new();
    for sentence in &all {
        let key = normalised(sentence.text);
        if !seen.contains(&key) {
            seen.push(key);
            candidates.push(*sentence);
        }
    }
    let alone = |s: &textrank::Sentence<'_>| all.iter().filter(|o| o.line == s.line).count() == 1;
    let content: Vec<textrank::Sentence<'_>> =
        candidates.iter().copied().filter(|s| !(alone(s) && is_heading(s.text))).collect();
    let chosen = if content.is_empty() { candidates } else { content };
    let texts: Vec<&str> = chosen.iter().map(|s| s.text).collect();
    let prior: Vec<f64> = chosen.iter().map(|s| 1.0 + 1.0 / (1.0 + s.index_in_paragraph as f64)).collect();
    textrank::select(&texts, &prior, max_sentences).into_iter().map(|i| texts[i].to_string()).collect()
}

/// A line of its own (the caller checks that) without a final mark that is
/// a title rather than a list item: short (`1. 서론`, `Recommendations`), or up
/// to [`MAX_TITLE_CHARS`] and in Title Case (`Management of Type 2 Diabetes in
/// Adults`) or, in Korean, ending in a noun rather than a predicate (`성인
/// 고혈압 진료지침 요약`). Lines opening with a bullet (`-`, `•`, …) are list items.
fn is_heading(sentence: &str) -> bool {
    let unterminated = !sentence.ends_with(['.', '?', '!', '。', '？', '！', '…', ')', '"', '”', ':']);
    let bullet = sentence.starts_with(['-', '•', '·', '*', '▪', '○', '●', '■', '–', '—']);
    if !unterminated || bullet {
        return false;
    }
    let length = textrank::length(sentence);
    if length <= MAX_HEADING_CHARS {
        return true;
    }
    if length > MAX_TITLE_CHARS {
        return false;
    }
    let words: Vec<&str> = sentence.split_whitespace().filter(|w| w.chars().count() >= 4).collect();
    let latin_words: Vec<&&str> = words.iter().filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic())).collect();
    if latin_words.len() * 2 > words.len() {
        let capitalised = latin_words.iter().filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase())).count();
        return capitalised * 5 >= latin_words.len() * 3;
    }
    // Korean predicates end in 다 (`한다`), 요, or a nominalised 함/음/됨/임/것.
    !sentence.ends_with(['다', '요', '함', '음', '됨', '임', '것', '며', '고'])
}

/// Lower case, whitespace runs as one space: what makes two sentences the same.
fn normalised(sentence: &str) -> String {
    sentence.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Korean when at least 30 % of the letters are Hangul syllables, else English.
pub fn detect_language(text: &str) -> Language {
    let (mut hangul, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
            hangul += 1;
        }
    }
    if letters > 0 && hangul * 10 >= letters * 3 { Language::Ko } else { Language::En }
}

/// What the model is told, whatever the guideline.
const SYSTEM_PROMPT: &str = "당신은 임상 진료지침(가이드라인)을 요약하는 의학 전문 편집자입니다. \
You summarise clinical practice guidelines. 다음 원칙을 반드시 지키십시오.\n\
1. 원문에 있는 권고, 대상 환자, 수치(용량, 목표치, 검사 주기), 권고 등급만 사용하십시오. 원문에 없는 내용, 수치, 약제를 만들지 마십시오.\n\
2. 권고의 강도와 방향(해야 한다 / 권고한다 / 고려할 수 있다 / 하지 말아야 한다)을 바꾸지 마십시오.\n\
3. 가장 중요한 권고부터 빠짐없이, 간결한 완전한 문장으로 쓰십시오.\n\
4. {\"summary\": \"…\"} 형태의 JSON 하나로만 답하십시오. 머리말, 마크다운, 설명을 덧붙이지 마십시오.";

/// The request for one guideline.
fn user_prompt(text: &str, max_sentences: u32, language: Language) -> String {
    let write_in = match language {
        Language::Ko => "요약은 한국어로 쓰십시오.",
        Language::En => "요약은 영어로 쓰십시오 (write the summary in English).",
    };
    format!(
        "아래 가이드라인을 원문에 충실하게 {max_sentences}문장 이내로 요약하십시오. {write_in}\n\n[가이드라인]\n{text}"
    )
}

/// The answer's schema: one non-empty string.
fn answer_schema() -> Value {
    json!({
        "type": "object",
        "required": ["summary"],
        "additionalProperties": false,
        "properties": {"summary": {"type": "string", "minLength": 1}}
    })
}

/// Tokens for the answer: generous per sentence (a Korean sentence of 60
/// characters is up to 150 tokens), plus the JSON around it.
fn max_tokens(max_sentences: u32) -> u32 {
    (max_sentences * 200 + 128).clamp(256, 4096)
}

#[derive(Deserialize)]
struct Answer {
    summary: String,
}

fn summarize_with_model(
    text: &str,
    max_sentences: u32,
    language: Language,
    host: &mut (impl Llm + JobContext),
) -> Result<Output, Failure> {
    let request = ChatRequest {
        max_tokens: max_tokens(max_sentences),
        temperature: TEMPERATURE,
        json_schema: Some(answer_schema()),
        ..ChatRequest::new(
            MODEL,
            vec![Message::system(SYSTEM_PROMPT), Message::user(user_prompt(text, max_sentences, language))],
        )
    };
    host.progress(10, "summarising", &format!("asking the `{MODEL}` model to summarise the guideline"));
    let completion = host.chat(&request)?;
    if completion.truncated {
        return Err(Failure::new(
            codes::LLM_OUTPUT_INVALID,
            format!(
                "the model `{}` stopped at the {}-token limit before finishing the summary; ask for fewer sentences",
                completion.model, request.max_tokens
            ),
        ));
    }
    let answer: Answer = serde_json::from_str(capsule_sdk::language::unfenced(&completion.text)).map_err(|e| {
        // Sampling is not greedy, so another attempt may well answer in shape.
        Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` did not answer `{{\"summary\": …}}`: {e}", completion.model),
        )
    })?;
    let summary = answer.summary.trim().to_string();
    if summary.is_empty() {
        return Err(Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` answered an empty summary", completion.model),
        ));
    }
    let sentences = textrank::split(&summary).into_iter().map(|s| s.text.to_string()).collect();
    host.progress(95, "summarised", "the model finished the summary");
    Ok(Output { summary, sentences, method: Method::Llm, model: Some(completion.model) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_summary_is_what_extraction_keeps() {
        assert_eq!(extract(EXAMPLE_GUIDELINE, 2), EXAMPLE_SUMMARY);
    }

    #[test]
    fn headings_are_not_summary_sentences_unless_nothing_else_is_there() {
        assert!(is_heading("고혈압 진료 권고") && is_heading("1. Recommendations"));
        assert!(!is_heading("혈압을 측정한다."));
        assert!(is_heading("Management of Type 2 Diabetes in Adults") && is_heading("성인 고혈압 진료지침 요약"));
        assert!(!is_heading("- 모든 환자에게 저염식과 규칙적인 운동을 권고"));
        assert!(!is_heading("모든 환자에게 저염식과 규칙적인 운동을 권고한다"));
        assert!(!is_heading("Offer structured education to every adult with type 2 diabetes"));
        assert_eq!(extract("고혈압 진료 권고", 3), ["고혈압 진료 권고"]);
    }

    #[test]
    fn the_language_is_the_guidelines_own() {
        assert_eq!(detect_language("혈압은 HbA1c와 함께 측정한다."), Language::Ko);
        assert_eq!(detect_language("Measure HbA1c every 3 months."), Language::En);
        assert_eq!(detect_language("123"), Language::En);
    }

    #[test]
    fn a_fenced_answer_is_unwrapped() {
        assert_eq!(capsule_sdk::language::unfenced("```json\n{\"summary\": \"가\"}\n```"), "{\"summary\": \"가\"}");
        assert_eq!(capsule_sdk::language::unfenced(" {\"summary\": \"가\"} "), "{\"summary\": \"가\"}");
    }

    #[test]
    fn the_token_budget_grows_with_the_sentences() {
        assert_eq!(max_tokens(1), 328);
        assert!(max_tokens(20) > max_tokens(5));
    }
}

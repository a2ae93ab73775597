//! `report-section`: one section of a Korean government-funding business plan
//! (사업계획서), written by the language model behind [`MODEL`] and grounded
//! in a reference report embedded earlier into the vectors collection
//! [`COLLECTION`] (seed 000 §4.1, `POST /api/reports/generate`; the host's
//! pipeline runs this component once per section).
//!
//! The flow, [`write_section`]:
//! 1. no model for [`MODEL`] → `LLM_NOT_CONFIGURED` at once (writing is
//!    generative; there is no fallback);
//! 2. the query "{title}: {business_idea} — {core_value}" is embedded as a
//!    query and [`COLLECTION`] searched within the reference report
//!    (`{"file_name": ...}`) for [`TOP_K`] chunks; none → `REPORT_NOT_EMBEDDED`;
//! 3. the model answers `{"content": ...}` (a JSON-Schema-constrained answer),
//!    with the chunks as examples of structure and style only.
//!
//! The host is behind the [`Llm`], [`Embeddings`], [`Vectors`] and
//! [`JobContext`] traits so the flow runs natively in tests against fakes.

use capsule_sdk::language::{ChatRequest, EmbedRole, Hit, Message, codes};
use capsule_sdk::{Capability, Capsule, Descriptor, Embeddings, Failure, Job, JobContext, Llm, Mode, Vectors};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The model alias the section is written by; spin.toml must grant it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";

/// The collection report-embed writes reference reports into.
pub const COLLECTION: &str = "reports";

/// Chunks of the reference report given to the model.
pub const TOP_K: u32 = 6;

/// A required field missing or blank: the client's fault, never retryable.
pub const INVALID_REQUEST: &str = "REPORT_SECTION_INVALID_REQUEST";

/// The reference report has no chunks in [`COLLECTION`]: it was never embedded.
pub const REPORT_NOT_EMBEDDED: &str = "REPORT_NOT_EMBEDDED";

/// The section's length the model is asked for, in characters.
pub const MIN_CHARACTERS: usize = 400;
pub const MAX_CHARACTERS: usize = 1500;

/// Some variety in wording, still close to the facts the prompt gives.
const TEMPERATURE: f32 = 0.4;

/// Room for [`MAX_CHARACTERS`] of Hangul (one to three tokens a syllable in
/// common byte-level BPE vocabularies) plus the JSON around it.
const MAX_TOKENS: u32 = 4096;

/// Characters of one chunk put in the prompt.
const EXCERPT_CHARACTERS: usize = 800;

/// The section to write.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's position in the plan, from 0; echoed.
    pub index: u32,
    /// The section's title, e.g. "1. 문제 인식 (Problem)".
    #[schemars(length(min = 1))]
    pub title: String,
    /// What the section must cover.
    pub guidance: String,
}

/// The job's input.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "report-section input")]
pub struct Input {
    pub section: Section,
    /// 사업 아이디어.
    #[schemars(length(min = 1))]
    pub business_idea: String,
    /// 핵심 가치.
    #[schemars(length(min = 1))]
    pub core_value: String,
    /// The reference PDF's file name, as it was embedded (e.g. "강소기업1.pdf").
    #[schemars(length(min = 1))]
    pub file_name: String,
    /// The caller's id of the plan being generated; echoed.
    #[schemars(length(min = 1))]
    pub report_id: String,
}

/// How the section was written: always by the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Llm,
}

/// A chunk of the reference report the model was shown.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Reference {
    /// The chunk's page in the reference report (null when its metadata has none).
    pub page: Option<u32>,
    /// `text`, `table` or `image` (null when its metadata has none).
    pub kind: Option<String>,
    /// The search's similarity score, rounded to 4 decimals.
    pub similarity: f64,
}

/// The job's output.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "report-section output")]
pub struct Output {
    /// The section's index, as sent.
    pub index: u32,
    /// The section's title, as sent.
    pub title: String,
    /// The section's text in Korean.
    pub content: String,
    /// The chunks of the reference report the model was shown, in rank order.
    pub references: Vec<Reference>,
    /// The model that wrote it, as the host names it.
    pub model: String,
    pub method: Method,
    /// The caller's id, as sent.
    pub report_id: String,
}

pub struct ReportSection;

impl Capability for ReportSection {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        // No examples: every run needs a language model, an embeddings engine and
        // an embedded reference report, which a host's self-test cannot count on.
        Descriptor::new(
            "report-section",
            "0.1.0",
            "Writes one section of a Korean government-funding business plan (사업계획서) with a language model, \
             grounded in excerpts of a reference report embedded in the `reports` collection",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        write_section(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(ReportSection);

/// The model's answer, as the JSON Schema of [`answer_schema`] asks.
#[derive(Debug, Deserialize)]
struct Answer {
    content: String,
}

/// Run one job: write `input.section`.
///
/// Fails `REPORT_SECTION_INVALID_REQUEST` for a blank required field,
/// `LLM_NOT_CONFIGURED` without a model for [`MODEL`] (before anything else
/// is asked of the host), `REPORT_NOT_EMBEDDED` when the reference report
/// has no chunks, and with the engines' own failures (code and retryability)
/// when embedding, searching or the model fails.
pub fn write_section(
    input: &Input,
    host: &mut (impl Llm + Embeddings + Vectors + JobContext),
) -> Result<Output, Failure> {
    for (name, value) in [
        ("section.title", &input.section.title),
        ("business_idea", &input.business_idea),
        ("core_value", &input.core_value),
        ("file_name", &input.file_name),
        ("report_id", &input.report_id),
    ] {
        if value.trim().is_empty() {
            return Err(Failure::new(INVALID_REQUEST, format!("`{name}` is blank; send it with text in it")));
        }
    }
    if !host.llm_available(MODEL) {
        return Err(Failure::new(
            codes::LLM_NOT_CONFIGURED,
            format!(
                "writing a business-plan section needs a language model, and this host has none for the model alias \
                 `{MODEL}`; configure a model for `{MODEL}`"
            ),
        ));
    }

    let file_name = input.file_name.trim();
    host.progress(
        10,
        "retrieving",
        &format!("searching `{file_name}` for excerpts like `{}`", input.section.title.trim()),
    );
    let hits = retrieve(input, host)?;
    if hits.is_empty() {
        return Err(Failure::new(
            REPORT_NOT_EMBEDDED,
            format!("the reference report `{file_name}` has no embedded chunks; run POST /api/reports/embed first"),
        ));
    }

    host.progress(40, "writing", &format!("asking the `{MODEL}` model to write `{}`", input.section.title.trim()));
    let request = ChatRequest {
        json_schema: Some(answer_schema()),
        stream: true,
        temperature: TEMPERATURE,
        max_tokens: MAX_TOKENS,
        ..ChatRequest::new(MODEL, vec![Message::system(SYSTEM_PROMPT), Message::user(user_prompt(input, &hits))])
    };
    let completion = host.chat(&request)?;
    if completion.truncated {
        return Err(Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!(
                "the model `{}` stopped at the {MAX_TOKENS}-token limit before finishing the section",
                completion.model
            ),
        ));
    }
    let answer: Answer = serde_json::from_str(capsule_sdk::language::unfenced(&completion.text)).map_err(|e| {
        Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` did not answer the JSON asked for: {e}", completion.model),
        )
    })?;
    let content = answer.content.trim();
    if content.is_empty() {
        // Sampling is not greedy, so another attempt may well answer.
        return Err(Failure::retryable(
            codes::LLM_OUTPUT_INVALID,
            format!("the model `{}` answered with an empty section", completion.model),
        ));
    }

    Ok(Output {
        index: input.section.index,
        title: input.section.title.clone(),
        content: content.to_string(),
        references: hits.iter().map(reference).collect(),
        model: completion.model,
        method: Method::Llm,
        report_id: input.report_id.clone(),
    })
}

/// The query the reference report is searched with.
pub fn query(input: &Input) -> String {
    format!("{}: {} — {}", input.section.title.trim(), input.business_idea.trim(), input.core_value.trim())
}

/// The reference report's [`TOP_K`] chunks closest to [`query`], best first.
fn retrieve(input: &Input, host: &mut (impl Embeddings + Vectors)) -> Result<Vec<Hit>, Failure> {
    let query = query(input);
    let embedded = host.embed(&[query.as_str()], EmbedRole::Query)?;
    let Some(vector) = embedded.vectors.into_iter().next() else {
        return Err(Failure::retryable(
            codes::EMBEDDINGS_UNAVAILABLE,
            "the embeddings engine returned no vector for the section's query",
        ));
    };
    let filter = json!({"file_name": input.file_name.trim()});
    let mut hits = host.search(COLLECTION, &vector, TOP_K, &filter)?;
    hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    hits.truncate(TOP_K as usize);
    Ok(hits)
}

fn page(hit: &Hit) -> Option<u32> {
    hit.metadata.get("page").and_then(Value::as_u64).and_then(|p| u32::try_from(p).ok())
}

fn kind(hit: &Hit) -> Option<&str> {
    hit.metadata.get("kind").and_then(Value::as_str)
}

fn reference(hit: &Hit) -> Reference {
    Reference {
        page: page(hit),
        kind: kind(hit).map(str::to_string),
        similarity: (f64::from(hit.score) * 10_000.0).round() / 10_000.0,
    }
}

/// The answer's shape: the section's text, non-empty. Its length is asked for
/// in the prompt, not the schema: a grammar counting up to 1,500 characters is
/// large for a local model's sampler, and a little over or under is no failure.
fn answer_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"content": {"type": "string", "minLength": 1}},
        "required": ["content"],
        "additionalProperties": false
    })
}

const SYSTEM_PROMPT: &str = "당신은 정부 지원사업(예비창업패키지, 초기창업패키지 등)에 제출할 한국어 사업계획서를 작성하는 전문 컨설턴트입니다. \
한 번에 사업계획서의 한 섹션만 작성합니다. 다음 원칙을 반드시 지키십시오.\n\
1. 내용은 사용자가 제시한 사업 아이디어와 핵심 가치에서만 가져오십시오.\n\
2. [참고 발췌]는 다른 회사의 사업계획서에서 가져온 것으로, 섹션의 구성, 항목 배치, 문체와 분량의 예시로만 참고하십시오. \
참고 회사의 회사명, 제품명, 수치, 실적, 인력, 일정 등 사실을 작성하는 사업계획서에 옮기지 마십시오.\n\
3. 근거 없는 구체적 통계나 기관명을 지어내지 마십시오. 수치가 필요하면 목표치나 계획임을 분명히 하십시오.\n\
4. 공문서에 맞는 간결한 개조식 또는 서술식 문체(~함, ~임 또는 ~한다)를 쓰고, 섹션 제목을 반복하지 마십시오.\n\
5. 답은 {\"content\": \"섹션 본문\"} 형식의 JSON 하나로만 하십시오.";

/// The request for one section, with the excerpts labelled by rank, page and kind.
fn user_prompt(input: &Input, hits: &[Hit]) -> String {
    let guidance = input.section.guidance.trim();
    let mut prompt = format!(
        "[사업 아이디어]\n{}\n\n[핵심 가치]\n{}\n\n[작성할 섹션]\n{}\n\n[섹션 작성 지침]\n{}\n\n[참고 발췌] (구조와 문체의 예시일 뿐, 내용을 옮기지 마십시오)\n",
        input.business_idea.trim(),
        input.core_value.trim(),
        input.section.title.trim(),
        if guidance.is_empty() {
            "(별도 지침 없음: 섹션 제목에 맞는 내용을 작성하십시오)"
        } else {
            guidance
        },
    );
    for (rank, hit) in hits.iter().enumerate() {
        let page = page(hit).map_or_else(|| "쪽 미상".to_string(), |p| format!("{p}쪽"));
        let kind = match kind(hit) {
            Some("table") => "표 (table)",
            Some("image") => "이미지 속 글 (image)",
            Some("text") => "본문 (text)",
            Some(_) | None => "기타",
        };
        prompt.push_str(&format!("\n[발췌 {} · {page} · {kind}]\n{}\n", rank + 1, excerpt(&hit.text)));
    }
    prompt.push_str(&format!(
        "\n위 사업 아이디어와 핵심 가치로 「{}」 섹션의 본문을 한국어로 {MIN_CHARACTERS}~{MAX_CHARACTERS}자 분량으로 작성하십시오. \
         섹션 작성 지침의 항목을 빠짐없이 다루십시오.",
        input.section.title.trim()
    ));
    prompt
}

/// A chunk cut to [`EXCERPT_CHARACTERS`], with a note when cut.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(EXCERPT_CHARACTERS) {
        Some((i, _)) => format!("{}\n(…이하 생략)", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fenced_answer_is_unfenced() {
        assert_eq!(capsule_sdk::language::unfenced("```json\n{\"content\": \"가\"}\n```"), "{\"content\": \"가\"}");
        assert_eq!(capsule_sdk::language::unfenced(" {\"content\": \"가\"} "), "{\"content\": \"가\"}");
    }

    #[test]
    fn a_long_chunk_is_cut_with_a_note() {
        let cut = excerpt(&"가".repeat(EXCERPT_CHARACTERS + 10));
        assert!(cut.ends_with("(…이하 생략)"));
        assert_eq!(cut.chars().filter(|&c| c == '가').count(), EXCERPT_CHARACTERS);
        assert_eq!(excerpt(" 짧다 "), "짧다");
    }
}

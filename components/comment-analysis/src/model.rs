//! The analysis by a language model: one chat call whose answer is
//! constrained by a JSON Schema of the result's `summary`, `contentIdeas`
//! and `recommendedKeywords`, and checked here again (providers without
//! grammar support, or a model that writes empty strings, still get
//! through a schema-shaped request). An answer that fails twice fails the
//! job `ANALYSIS_OUTPUT_INVALID` with the seed's message.
//!
//! The prompt carries what the statistical pass already counted (languages,
//! sentiment shares, TF-IDF keywords), so the model summarises from figures
//! rather than guessing them, and as many comments as fit a character
//! budget, most-liked first; a model whose context is too small for that
//! gets half as many, down to a floor, before the call is given up.

use capsule_sdk::language::{ChatRequest, Completion, Message, codes as llm_codes};
use capsule_sdk::{Failure, JobContext, Level, Llm};
use comments_core::{MAX_KEYWORDS, Prepared, Summary};
use serde_json::{Value, json};

use crate::codes::{EXTERNAL_API_ERROR, OUTPUT_INVALID};
use crate::{ContentIdea, MODEL};

/// Characters of comments in the first prompt.
pub const COMMENT_BUDGET: usize = 6000;
/// The smallest budget tried after the model said its context is too small.
pub const MIN_COMMENT_BUDGET: usize = 600;
/// Characters of one comment in the prompt.
const COMMENT_CHARS: usize = 200;
/// Characters of the description in the prompt.
const DESCRIPTION_CHARS: usize = 800;
/// Answers that fail validation before the job fails.
pub const ATTEMPTS: usize = 2;
/// Room for the answer: three summary sentences, three ideas, eight keywords
/// in Korean (one to three tokens a syllable), with slack.
const MAX_TOKENS: u32 = 1500;
/// Some variety in ideas, little in facts.
const TEMPERATURE: f32 = 0.4;
/// The seed's message for an answer that never validates.
pub const OUTPUT_INVALID_MESSAGE: &str = "AI 분석 결과 형식 검증에 실패했습니다. 다시 시도해 주세요.";

/// What the model answered, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub summary: Summary,
    pub content_ideas: Vec<ContentIdea>,
    pub keywords: Vec<String>,
    /// The completion's model (the provider's name, not the alias).
    pub model: String,
}

/// The JSON Schema the answer must follow.
pub fn schema() -> Value {
    let text = |max: usize| json!({"type": "string", "minLength": 1, "maxLength": max});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["summary", "contentIdeas", "recommendedKeywords"],
        "properties": {
            "summary": {
                "type": "object",
                "additionalProperties": false,
                "required": ["majorReactions", "positivePoints", "weakPoints"],
                "properties": {"majorReactions": text(1000), "positivePoints": text(1000), "weakPoints": text(1000)}
            },
            "contentIdeas": {
                "type": "array", "minItems": 1, "maxItems": 5,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["title", "description"],
                    "properties": {"title": text(200), "description": text(1000)}
                }
            },
            "recommendedKeywords": {"type": "array", "maxItems": MAX_KEYWORDS, "items": text(40)}
        }
    })
}

/// The name of a language for the prompt.
fn language_name(code: &str) -> &str {
    match code.split('-').next().unwrap_or(code) {
        "ko" => "한국어",
        "en" => "영어(English)",
        "ja" => "일본어(日本語)",
        "zh" => "중국어(中文)",
        other => other,
    }
}

const SYSTEM_PROMPT: &str = "당신은 유튜브 영상의 댓글을 분석해 크리에이터에게 시청자 반응과 다음 콘텐츠 아이디어를 정리해 주는 분석가입니다. \
댓글과 영상 정보에 실제로 있는 내용만 근거로 삼고, 없는 사실이나 수치를 지어내지 마십시오. 비율은 주어진 통계를 쓰십시오. \
답은 주어진 JSON 스키마에 맞는 JSON 객체 하나만 출력하십시오.";

fn percent(count: usize, total: usize) -> usize {
    if total == 0 { 0 } else { (100.0 * count as f64 / total as f64).round() as usize }
}

/// The user prompt, with comments up to `budget` characters.
pub fn prompt(prepared: &Prepared, language: &str, budget: usize) -> String {
    let n = prepared.comments.len();
    let mut out = String::from("다음 유튜브 영상의 댓글을 분석해 주십시오.\n\n[영상 정보]\n");
    out.push_str(&format!("제목: {}\n", prepared.title.as_deref().unwrap_or("(없음)")));
    let description: String =
        prepared.description.as_deref().unwrap_or("(없음)").chars().take(DESCRIPTION_CHARS).collect();
    out.push_str(&format!("설명: {description}\n\n"));
    let (positive, negative, neutral) = prepared.sentiment_counts();
    out.push_str("[통계] (댓글에서 직접 센 값입니다)\n");
    out.push_str(&format!("- 분석한 댓글: {n}개, 언어: {}\n", prepared.language_summary().join(", ")));
    out.push_str(&format!(
        "- 긍정 {positive}개({}%), 부정 {negative}개({}%), 중립 {neutral}개({}%)\n",
        percent(positive, n),
        percent(negative, n),
        percent(neutral, n)
    ));
    let frequent: Vec<String> = prepared.keywords.ranked.iter().take(12).map(|k| k.text.clone()).collect();
    out.push_str(&format!("- 자주 나온 키워드(TF-IDF 순): {}\n\n", frequent.join(", ")));

    // Most-liked first, so a small budget keeps what most viewers endorsed.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| prepared.comments[b].likes.cmp(&prepared.comments[a].likes).then(a.cmp(&b)));
    let mut used = 0;
    let mut listed = 0;
    let mut lines = String::new();
    for i in order {
        let text: String = prepared.comments[i].text.chars().take(COMMENT_CHARS).collect();
        let cost = text.chars().count();
        if used + cost > budget && listed > 0 {
            break;
        }
        used += cost;
        listed += 1;
        lines.push_str(&format!("- (좋아요 {}) {text}\n", prepared.comments[i].likes));
    }
    out.push_str(&format!("[댓글] {n}개 중 좋아요가 많은 {listed}개\n{lines}\n"));
    out.push_str(&format!(
        "[작성 지침]\n\
         - summary.majorReactions: 가장 많이 나타난 반응 유형을 비율과 함께 1~2문장으로 쓰고, 짧은 댓글을 1~3개 인용하십시오.\n\
         - summary.positivePoints: 시청자가 좋게 평가한 점을 1~2문장으로.\n\
         - summary.weakPoints: 아쉬움이나 비판을 1~2문장으로. 없으면 없다고 쓰십시오.\n\
         - contentIdeas: 댓글의 관심사·질문·요청에서 나온 다음 영상 아이디어 2~3개. title은 영상 제목처럼, description은 근거가 된 \
         댓글 반응과 구성 제안을 1~2문장으로.\n\
         - recommendedKeywords: 검색과 태그에 쓸 짧은 키워드 최대 {MAX_KEYWORDS}개(한국어 합성어는 붙여 씀, 예: 감정조절).\n\
         - 모든 문장은 {}로 쓰십시오.",
        language_name(language)
    ));
    out
}

fn string(value: &Value, path: &str, max: usize) -> Result<String, String> {
    let text = value.as_str().ok_or_else(|| format!("`{path}` is not a string"))?.trim();
    if text.is_empty() {
        return Err(format!("`{path}` is empty"));
    }
    if text.chars().count() > max {
        return Err(format!("`{path}` is longer than {max} characters"));
    }
    Ok(text.to_string())
}

/// Check a completion against [`schema`]; the error says what is wrong,
/// for the second request. Keys the schema does not name are ignored
/// (they would be dropped anyway).
pub fn validate(completion: &Completion) -> Result<Answer, String> {
    if completion.truncated {
        return Err("the answer was cut off at the token limit".into());
    }
    let value: Value = serde_json::from_str(capsule_sdk::language::unfenced(&completion.text))
        .map_err(|e| format!("not JSON: {e}"))?;
    let summary = &value["summary"];
    if !summary.is_object() {
        return Err("`summary` is missing or not an object".into());
    }
    let summary = Summary {
        major_reactions: string(&summary["majorReactions"], "summary.majorReactions", 1000)?,
        positive_points: string(&summary["positivePoints"], "summary.positivePoints", 1000)?,
        weak_points: string(&summary["weakPoints"], "summary.weakPoints", 1000)?,
    };
    let ideas = value["contentIdeas"].as_array().ok_or("`contentIdeas` is missing or not an array")?;
    if ideas.is_empty() || ideas.len() > 5 {
        return Err(format!("`contentIdeas` has {} items; it needs 1 to 5", ideas.len()));
    }
    let content_ideas = ideas
        .iter()
        .enumerate()
        .map(|(i, idea)| {
            Ok(ContentIdea {
                title: string(&idea["title"], &format!("contentIdeas[{i}].title"), 200)?,
                description: string(&idea["description"], &format!("contentIdeas[{i}].description"), 1000)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let listed = value["recommendedKeywords"].as_array().ok_or("`recommendedKeywords` is missing or not an array")?;
    if listed.len() > MAX_KEYWORDS {
        return Err(format!("`recommendedKeywords` has {} items; at most {MAX_KEYWORDS}", listed.len()));
    }
    let mut keywords: Vec<String> = Vec::new();
    for (i, k) in listed.iter().enumerate() {
        let k = string(k, &format!("recommendedKeywords[{i}]"), 40)?;
        if !keywords.iter().any(|seen| seen.to_lowercase() == k.to_lowercase()) {
            keywords.push(k);
        }
    }
    Ok(Answer { summary, content_ideas, keywords, model: completion.model.clone() })
}

/// A model failure other than a bad answer: the provider (the seed's
/// external AI API) could not answer.
fn external(f: Failure) -> Failure {
    Failure {
        code: EXTERNAL_API_ERROR.into(),
        message: format!(
            "AI 모델 호출에 실패했습니다. 잠시 후 다시 시도해 주세요. / The language model for `{MODEL}` failed ({}: {})",
            f.code, f.message
        ),
        retryable: f.retryable,
    }
}

/// Ask the model; see the module docs.
pub fn analyze(prepared: &Prepared, language: &str, host: &mut (impl Llm + JobContext)) -> Result<Answer, Failure> {
    let mut budget = COMMENT_BUDGET;
    let mut problems: Vec<String> = Vec::new();
    loop {
        let mut user = prompt(prepared, language, budget);
        if let Some(last) = problems.last() {
            user.push_str(&format!(
                "\n\n이전 답변이 형식 검증에 실패했습니다({last}). 스키마에 맞는 JSON 객체 하나만 다시 답하십시오."
            ));
        }
        let request = ChatRequest {
            max_tokens: MAX_TOKENS,
            temperature: TEMPERATURE,
            json_schema: Some(schema()),
            stream: true,
            ..ChatRequest::new(MODEL, vec![Message::system(SYSTEM_PROMPT), Message::user(user)])
        };
        let problem = match host.chat(&request) {
            Ok(completion) => match validate(&completion) {
                Ok(answer) => return Ok(answer),
                Err(problem) => problem,
            },
            Err(f) if f.code == llm_codes::LLM_OUTPUT_INVALID => f.message,
            Err(f) if f.code == llm_codes::LLM_CONTEXT_TOO_LONG && budget > MIN_COMMENT_BUDGET => {
                budget = (budget / 2).max(MIN_COMMENT_BUDGET);
                continue;
            }
            Err(f) => return Err(external(f)),
        };
        capsule_sdk::log(Level::Warn, &format!("the model's answer failed validation: {problem}"));
        problems.push(problem);
        if problems.len() >= ATTEMPTS {
            return Err(Failure::new(OUTPUT_INVALID, OUTPUT_INVALID_MESSAGE));
        }
    }
}

//! `analyze` (seed §3): the posting's company, position, skills and
//! deadline, the résumé's match against it, and narrative advice.
//!
//! Skills, score and grade always come from career-core: the dictionary,
//! then near synonyms through the embeddings engine when the host has one
//! (without it the match is the dictionary's, and `warnings` says so). The
//! narrative (strengths, weaknesses, suggestions, recommendations) comes from
//! one streamed JSON-schema call to the model when there is one, given those
//! facts; otherwise, or when the model's answer is unusable, from
//! career-core's rules, and `method` says which.

use capsule_sdk::Failure;
use capsule_sdk::language::{EmbedRole, Message};
use career_core::analysis::{self, Analysis, Narrative};
use career_core::matching;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::llm;
use crate::types::{AnalyzeInput, AnalyzeOutput, MatchedVia, Matching, Method, PostingAnalysis, ResumeAnalysis};
use crate::{CareerHost, codes};

/// Characters of each document put in the prompt.
const PROMPT_CHARS: usize = 4000;

/// Analyse the résumé against the posting.
///
/// Fails `CAREER_MISSING_RESUME_TEXT` / `CAREER_MISSING_POSTING_TEXT` for a
/// blank text and `CAREER_INVALID_DATE` for a bad `reference_date`.
pub fn analyze(input: &AnalyzeInput, host: &mut impl CareerHost, today: NaiveDate) -> Result<AnalyzeOutput, Failure> {
    if input.resume_text.trim().is_empty() {
        return Err(Failure::new(codes::MISSING_RESUME_TEXT, "`resume_text` is empty; send the résumé's text"));
    }
    if input.posting_text.trim().is_empty() {
        return Err(Failure::new(codes::MISSING_POSTING_TEXT, "`posting_text` is empty; send the posting's text"));
    }
    let reference = crate::reference_date(input.reference_date.as_deref(), today)?;
    let mut warnings = Vec::new();

    host.progress(10, "parsing_posting", "reading the posting's sections, company, position and deadline");
    let mut a = analysis::analyse(&input.resume_text, &input.posting_text, reference);

    host.progress(40, "matching_skills", "matching the résumé's skills to the posting's");
    let embedded = matching::near_synonyms(&mut a.matching, &input.resume_text, |texts| {
        host.embed(texts, EmbedRole::Query).map(|e| e.vectors)
    });
    if let Err(f) = embedded {
        warnings.push(format!(
            "skills were matched by the dictionary only: the embeddings engine is not available ({}: {})",
            f.code, f.message
        ));
    }

    host.progress(70, "writing_analysis", "writing strengths, weaknesses and advice");
    let rules = analysis::narrative(&a);
    let (narrative, method) = if llm::wanted(input.method, host) {
        match with_model(&a, &rules, input, host) {
            Ok(n) => (n, Method::Llm),
            Err(f) => {
                warnings.push(format!(
                    "the model's analysis was unusable, so the rules wrote it ({}: {})",
                    f.code, f.message
                ));
                (rules, Method::Rules)
            }
        }
    } else {
        (rules, Method::Rules)
    };
    host.progress(100, "done", "analysis complete");
    Ok(output(&a, narrative, method, warnings))
}

fn output(a: &Analysis, n: Narrative, method: Method, warnings: Vec<String>) -> AnalyzeOutput {
    let m = &a.matching;
    AnalyzeOutput {
        success: true,
        resume_analysis: ResumeAnalysis {
            strengths: n.strengths,
            weaknesses: n.weaknesses,
            suggestions: n.suggestions,
        },
        posting_analysis: PostingAnalysis {
            company: a.posting.company.clone(),
            position: a.posting.position.clone(),
            required_skills: a.posting.skills.required_names(),
            preferred_skills: a.posting.skills.preferred_names(),
            deadline: a.posting.deadline.map(|d| d.format("%Y-%m-%d").to_string()),
        },
        matching: Matching {
            score: m.score(),
            grade: m.grade().to_string(),
            matched_skills: m.matched_names(),
            missing_skills: m.missing_names(),
            recommendations: n.recommendations,
            matched_via: m
                .matched
                .iter()
                .map(|x| MatchedVia {
                    skill: x.skill.name.to_string(),
                    required: x.required,
                    via: x.via.as_str().to_string(),
                    resume_phrase: x.phrase.clone(),
                    similarity: x.similarity,
                })
                .collect(),
        },
        method,
        warnings,
    }
}

#[derive(Deserialize)]
struct ModelNarrative {
    strengths: Vec<String>,
    weaknesses: Vec<String>,
    suggestions: Vec<String>,
    recommendations: Vec<String>,
}

const SYSTEM: &str = "당신은 한국 IT 채용 시장을 잘 아는 커리어 코치입니다. 지원자의 이력서와 채용공고를 비교해 조언합니다. \
규칙: 1) 아래 [분석 사실]의 기술 목록, 점수, 경력은 이미 계산된 값이니 그대로 믿고 바꾸지 마십시오. \
2) 이력서에 없는 경험이나 수치를 지어내지 마십시오. 3) 각 항목은 한국어 한 문장으로 짧고 구체적으로 쓰십시오. \
4) strengths는 이력서의 강점, weaknesses는 공고 대비 부족한 점, suggestions는 이력서를 고치는 방법, \
recommendations는 매칭도를 높이기 위한 학습·준비 권고입니다. 각 2~5개.";

fn with_model(
    a: &Analysis,
    rules: &Narrative,
    input: &AnalyzeInput,
    host: &mut impl CareerHost,
) -> Result<Narrative, Failure> {
    let m = &a.matching;
    let facts = format!(
        "[분석 사실]\n회사: {}\n직무: {}\n필수 기술: {}\n우대 기술: {}\n이력서에서 확인된 공고 기술: {}\n부족한 기술: {}\n\
         매칭 점수: {}점 ({})\n이력서 경력: {}\n프로젝트: {}\n정량 성과: {}\n규칙 기반 초안(참고): {}",
        a.posting.company.as_deref().unwrap_or("알 수 없음"),
        a.posting.position.as_deref().unwrap_or("알 수 없음"),
        a.posting.skills.required_names().join(", "),
        a.posting.skills.preferred_names().join(", "),
        m.matched_names().join(", "),
        m.missing_names().join(", "),
        m.score(),
        m.grade(),
        a.resume.years.map_or("명시 없음".to_string(), |y| format!("{y}년")),
        a.resume.projects.join(", "),
        a.resume.results.join(" / "),
        rules.strengths.iter().chain(&rules.weaknesses).cloned().collect::<Vec<_>>().join(" / "),
    );
    let user = format!(
        "{facts}\n\n[이력서]\n{}\n\n[채용공고]\n{}\n\nJSON으로 답하십시오.",
        llm::excerpt(&input.resume_text, PROMPT_CHARS),
        llm::excerpt(&input.posting_text, PROMPT_CHARS)
    );
    let schema = llm::string_lists(&["strengths", "weaknesses", "suggestions", "recommendations"], 5);
    let answer: ModelNarrative = llm::ask(host, vec![Message::system(SYSTEM), Message::user(user)], schema, 1200)?;
    let n = Narrative {
        strengths: llm::clean(answer.strengths),
        weaknesses: llm::clean(answer.weaknesses),
        suggestions: llm::clean(answer.suggestions),
        recommendations: llm::clean(answer.recommendations),
    };
    if n.strengths.is_empty() && n.weaknesses.is_empty() && n.suggestions.is_empty() && n.recommendations.is_empty() {
        return Err(Failure::retryable(
            capsule_sdk::language::codes::LLM_OUTPUT_INVALID,
            "the model answered with empty lists",
        ));
    }
    Ok(n)
}

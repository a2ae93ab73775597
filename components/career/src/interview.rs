//! Mock interviews (seed §4): questions and follow-ups, saved answers, and
//! the report. A session lives in the key-value store [`crate::STORE`] under
//! `interview/<session_id>`: its type, the questions asked and the answers saved.
//!
//! - A question is a follow-up when the session has an answer to the last
//!   question asked; it asks about that answer. Otherwise it is the next
//!   question of the type. No question is asked twice in a session.
//! - With a model, one streamed JSON-schema call writes the question from
//!   the résumé, the posting, the answers so far and a passage retrieved from
//!   the user's stored documents; without one (or when its question is
//!   unusable or already asked) career-core's generators write it.
//! - The report scores each answer (the model, one call per answer, or
//!   career-core's rubric) and summarises them (one more call, or the rubric's
//!   patterns); `total_score` is always the mean of the answers' scores.

use capsule_sdk::keyvalue::{get_json, set_json};
use capsule_sdk::language::{Message, codes as llm_codes};
use capsule_sdk::{Failure, JobContext, KeyValue};
use career_core::chunk::COLLECTIONS;
use career_core::interview::{self, Background, InterviewType};
use career_core::{matching, posting, resume, scoring};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::types::{
    Evaluation, Method, QuestionInput, QuestionOutput, Report, ReportInput, ReportOutput, SaveInput, SaveOutput,
};
use crate::{CareerHost, MAX_QUESTIONS, STORE, codes, llm, retrieve};

/// A question the session asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asked {
    pub question_id: String,
    pub question: String,
    pub is_followup: bool,
    pub number: u32,
}

/// An answer saved for a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedQa {
    pub qa_id: String,
    pub question_id: String,
    pub question: String,
    pub answer: String,
    pub is_followup: bool,
    pub question_number: u32,
}

/// What the store keeps per session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub room_id: String,
    pub interview_type: Option<String>,
    pub questions: Vec<Asked>,
    pub qa: Vec<SavedQa>,
    #[serde(default)]
    pub ended_by: Option<String>,
}

/// The session's key in the store.
pub fn key(session_id: &str) -> String {
    format!("interview/{session_id}")
}

fn load(host: &mut impl KeyValue, session_id: &str) -> Result<Option<Session>, Failure> {
    get_json(host, STORE, &key(session_id))
}

fn store(host: &mut impl KeyValue, session_id: &str, session: &Session) -> Result<(), Failure> {
    set_json(host, STORE, &key(session_id), session)
}

fn interview_type(value: &str) -> Result<InterviewType, Failure> {
    InterviewType::parse(value).ok_or_else(|| {
        Failure::new(
            codes::INVALID_INTERVIEW_TYPE,
            format!("`interview_type` is `{value}`; send `technical` or `personality`"),
        )
    })
}

impl Session {
    /// Every question text asked or answered, for "never ask twice".
    fn asked_texts(&self) -> Vec<String> {
        self.questions.iter().map(|q| q.question.clone()).chain(self.qa.iter().map(|a| a.question.clone())).collect()
    }

    /// `q_NNN`: the next number not taken in the session.
    fn next_question_id(&self) -> String {
        let taken = |id: &str| {
            self.questions.iter().any(|q| q.question_id == id) || self.qa.iter().any(|a| a.question_id == id)
        };
        (self.questions.len() + 1..).map(|n| format!("q_{n:03}")).find(|id| !taken(id)).unwrap_or_default()
    }

    /// The answer saved for the last question asked, if any.
    fn answer_to_last(&self) -> Option<&SavedQa> {
        let last = self.questions.last()?;
        self.qa.iter().find(|a| a.question_id == last.question_id)
    }
}

/// The next question of the session (seed §4.1).
///
/// Fails `CAREER_INVALID_INTERVIEW_TYPE`, `CAREER_MAX_QUESTIONS_REACHED`
/// after five questions, and with the store's code when it cannot be used.
pub fn question(
    input: &QuestionInput,
    host: &mut impl CareerHost,
    today: NaiveDate,
) -> Result<QuestionOutput, Failure> {
    let kind = interview_type(&input.interview_type)?;
    let mut session = load(host, &input.session_id)?.unwrap_or_else(|| Session {
        room_id: input.room_id.clone(),
        interview_type: Some(kind.as_str().to_string()),
        ..Session::default()
    });
    if session.questions.len() as u32 >= MAX_QUESTIONS {
        return Err(Failure::new(
            codes::MAX_QUESTIONS_REACHED,
            format!("session `{}` already asked {MAX_QUESTIONS} questions; end it with a report", input.session_id),
        ));
    }
    let number = session.questions.len() as u32 + 1;
    let mut warnings = Vec::new();
    host.progress(10, "reading_documents", "reading the résumé and the posting");
    let passage = match &input.user_id {
        Some(user_id) if !user_id.trim().is_empty() => {
            retrieve_context(host, user_id, &input.posting_text, today, &mut warnings)
        }
        _ => None,
    };
    let background = Background::read(&input.resume_text, &input.posting_text, passage.as_deref(), today);
    let asked = session.asked_texts();
    let last = session.answer_to_last().cloned();
    let is_followup = last.is_some();

    host.progress(
        40,
        "writing_question",
        if is_followup { "writing a follow-up" } else { "writing the next question" },
    );
    let from_rules = |asked: &[String]| -> Option<String> {
        let follow = last.as_ref().and_then(|qa| interview::follow_up(kind, &qa.question, &qa.answer, asked));
        follow.or_else(|| interview::next_question(kind, &background, asked))
    };
    let mut method = Method::Rules;
    let mut text = None;
    if llm::wanted(input.method, host) {
        match with_model(kind, input, &session, last.as_ref(), passage.as_deref(), host) {
            Ok(q) if !asked.iter().any(|a| same_question(a, &q)) => {
                text = Some(q);
                method = Method::Llm;
            }
            Ok(q) => warnings.push(format!("the model repeated an earlier question (`{q}`), so the rules wrote one")),
            Err(f) => warnings
                .push(format!("the model's question was unusable, so the rules wrote one ({}: {})", f.code, f.message)),
        }
    }
    let Some(text) = text.or_else(|| from_rules(&asked)) else {
        // Unreachable within five questions: the banks alone hold more.
        return Err(Failure::new(
            codes::MAX_QUESTIONS_REACHED,
            "no question is left that was not asked in this session",
        ));
    };
    let question_id = session.next_question_id();
    session.questions.push(Asked { question_id: question_id.clone(), question: text.clone(), is_followup, number });
    if session.interview_type.is_none() {
        session.interview_type = Some(kind.as_str().to_string());
    }
    store(host, &input.session_id, &session)?;
    host.progress(100, "done", "question ready");
    Ok(QuestionOutput {
        success: true,
        question_id,
        question: text,
        is_followup,
        question_number: number,
        method,
        warnings,
    })
}

fn same_question(a: &str, b: &str) -> bool {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    key(a) == key(b)
}

/// The best passage of the user's résumés and portfolios for the posting's
/// required skills (or its opening, when it names none).
fn retrieve_context(
    host: &mut impl CareerHost,
    user_id: &str,
    posting_text: &str,
    today: NaiveDate,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let skills = posting::facts(posting_text, today).skills.required_names();
    let query = if skills.is_empty() { career_core::text::clip(posting_text, 200) } else { skills.join(", ") };
    if query.trim().is_empty() {
        return None;
    }
    match retrieve::search(host, user_id, &query, &COLLECTIONS[..2], 3, warnings) {
        Ok(found) => found.into_iter().next().map(|p| p.text),
        Err(f) => {
            warnings.push(format!("no passages were retrieved: {} ({})", f.message, f.code));
            None
        }
    }
}

#[derive(Deserialize)]
struct ModelQuestion {
    question: String,
}

const QUESTION_SYSTEM: &str = "당신은 한국 IT 기업의 면접관입니다. 한 번에 질문 하나만, 한국어 한두 문장으로 묻습니다. \
이력서와 공고에 근거해 구체적으로 묻고, 이미 한 질문은 다시 하지 않습니다. 꼬리질문이면 직전 답변의 구체적인 내용(수치, 기술, 결정)을 짚어 더 깊이 묻습니다.";

fn with_model(
    kind: InterviewType,
    input: &QuestionInput,
    session: &Session,
    last: Option<&SavedQa>,
    passage: Option<&str>,
    host: &mut impl CareerHost,
) -> Result<String, Failure> {
    let kind_words = match kind {
        InterviewType::Technical => {
            "기술 면접: 공고의 필수 기술과 이력서의 프로젝트를 바탕으로 기술적 깊이를 확인하는 질문"
        }
        InterviewType::Personality => {
            "인성 면접: 협업, 갈등 해결, 실패와 성장, 지원 동기 등 행동과 태도를 확인하는 질문"
        }
    };
    let history: String = session
        .questions
        .iter()
        .map(|q| {
            let answer = session
                .qa
                .iter()
                .find(|a| a.question_id == q.question_id)
                .map_or("(답변 없음)", |a| a.answer.as_str());
            format!("Q{}: {}\nA: {}", q.number, q.question, answer)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let task = match last {
        Some(qa) => format!(
            "직전 질문 \"{}\"에 대한 답변 \"{}\"을 바탕으로 꼬리질문 하나를 만드십시오.",
            qa.question, qa.answer
        ),
        None => "다음 질문 하나를 만드십시오.".to_string(),
    };
    let user = format!(
        "[면접 유형] {kind_words}\n\n[이력서]\n{}\n\n[채용공고]\n{}\n\n[지원자 문서에서 찾은 관련 내용]\n{}\n\n[지금까지의 질문과 답변]\n{}\n\n{task} JSON으로 답하십시오.",
        llm::excerpt(&input.resume_text, 3000),
        llm::excerpt(&input.posting_text, 2000),
        passage.map_or("(없음)".to_string(), |p| llm::excerpt(p, 800)),
        if history.is_empty() { "(없음)".to_string() } else { history },
    );
    let schema = json!({
        "type": "object",
        "properties": {"question": {"type": "string", "minLength": 5, "maxLength": 300}},
        "required": ["question"],
        "additionalProperties": false
    });
    let answer: ModelQuestion =
        llm::ask(host, vec![Message::system(QUESTION_SYSTEM), Message::user(user)], schema, 300)?;
    let question = answer.question.trim().to_string();
    if question.is_empty() {
        return Err(Failure::retryable(llm_codes::LLM_OUTPUT_INVALID, "the model answered with an empty question"));
    }
    Ok(question)
}

/// Save one question and its answer (seed §4.2). Saving a question id again
/// replaces its answer; a question the session did not ask (the backend may
/// ask its own) is recorded as asked, so numbering and follow-ups stay right.
///
/// Fails `CAREER_MAX_QUESTIONS_REACHED` for a sixth question, and with the
/// store's code when it cannot be used.
pub fn save(input: &SaveInput, host: &mut (impl KeyValue + JobContext)) -> Result<SaveOutput, Failure> {
    let mut session = load(host, &input.session_id)?
        .unwrap_or_else(|| Session { room_id: input.room_id.clone(), ..Session::default() });
    let qa_id = match session.qa.iter_mut().find(|a| a.question_id == input.question_id) {
        Some(saved) => {
            saved.question = input.question.clone();
            saved.answer = input.answer.clone();
            saved.is_followup = input.is_followup;
            saved.question_number = input.question_number;
            saved.qa_id.clone()
        }
        None => {
            if session.qa.len() as u32 >= MAX_QUESTIONS {
                return Err(Failure::new(
                    codes::MAX_QUESTIONS_REACHED,
                    format!("session `{}` already holds {MAX_QUESTIONS} answers", input.session_id),
                ));
            }
            let qa_id = format!("qa_{:03}", session.qa.len() + 1);
            session.qa.push(SavedQa {
                qa_id: qa_id.clone(),
                question_id: input.question_id.clone(),
                question: input.question.clone(),
                answer: input.answer.clone(),
                is_followup: input.is_followup,
                question_number: input.question_number,
            });
            qa_id
        }
    };
    if !session.questions.iter().any(|q| q.question_id == input.question_id) {
        session.questions.push(Asked {
            question_id: input.question_id.clone(),
            question: input.question.clone(),
            is_followup: input.is_followup,
            number: input.question_number,
        });
    }
    store(host, &input.session_id, &session)?;
    Ok(SaveOutput {
        success: true,
        qa_id,
        session_id: input.session_id.clone(),
        saved_count: session.qa.len() as u32,
        max_questions: MAX_QUESTIONS,
    })
}

/// Evaluations of the saved answers and a report (seed §4.3).
///
/// Fails `CAREER_INVALID_INTERVIEW_TYPE`, `CAREER_SESSION_NOT_FOUND` when
/// the session was never created, `CAREER_NO_QA_FOUND` when it has no saved
/// answer, and with the store's code when it cannot be used.
pub fn report(input: &ReportInput, host: &mut impl CareerHost, today: NaiveDate) -> Result<ReportOutput, Failure> {
    let kind = interview_type(&input.interview_type)?;
    let Some(mut session) = load(host, &input.session_id)? else {
        return Err(Failure::new(codes::SESSION_NOT_FOUND, format!("no interview session `{}`", input.session_id)));
    };
    if session.qa.is_empty() {
        return Err(Failure::new(codes::NO_QA_FOUND, format!("session `{}` has no saved answers", input.session_id)));
    }
    let mut qa = session.qa.clone();
    qa.sort_by_key(|a| a.question_number);
    let technical = kind == InterviewType::Technical;
    let missing_required = {
        let r = resume::facts(&input.resume_text, today);
        let p = posting::facts(&input.posting_text, today);
        matching::match_skills(&r.skills, &p.skills).missing_required
    };
    let rubric: Vec<scoring::Evaluation> =
        qa.iter().map(|a| scoring::score_answer(&a.question, &a.answer, technical)).collect();
    let mut warnings = Vec::new();

    let from_model = if llm::wanted(input.method, host) {
        match with_model_report(kind, input, &qa, host) {
            Ok(done) => Some(done),
            Err(f) => {
                warnings.push(format!(
                    "the model's evaluation was unusable, so the rubric scored every answer ({}: {})",
                    f.code, f.message
                ));
                None
            }
        }
    } else {
        for (i, _) in qa.iter().enumerate() {
            host.progress(
                progress_of(i, qa.len()),
                "evaluating_answer",
                &format!("scoring answer {} of {}", i + 1, qa.len()),
            );
        }
        None
    };
    let (evaluations, report, method) = match from_model {
        Some((scored, summary)) => {
            let scores: Vec<u8> = scored.iter().map(|s| s.score).collect();
            let total = scoring::mean_score(&scores);
            let evaluations = qa
                .iter()
                .zip(scored)
                .map(|(a, s)| Evaluation {
                    qa_id: a.qa_id.clone(),
                    question: a.question.clone(),
                    answer: a.answer.clone(),
                    score: s.score,
                    good_points: llm::clean(s.good_points),
                    improvements: llm::clean(s.improvements),
                })
                .collect();
            let report = Report {
                total_score: total,
                grade: matching::grade(total).to_string(),
                strength_patterns: llm::clean(summary.strength_patterns),
                weakness_patterns: llm::clean(summary.weakness_patterns),
                learning_guide: llm::clean(summary.learning_guide),
            };
            (evaluations, report, Method::Llm)
        }
        None => {
            let r = scoring::report(&rubric, &missing_required);
            let evaluations = qa
                .iter()
                .zip(&rubric)
                .map(|(a, e)| Evaluation {
                    qa_id: a.qa_id.clone(),
                    question: a.question.clone(),
                    answer: a.answer.clone(),
                    score: e.score,
                    good_points: e.good_points.clone(),
                    improvements: e.improvements.clone(),
                })
                .collect();
            let report = Report {
                total_score: r.total_score,
                grade: r.grade.to_string(),
                strength_patterns: r.strength_patterns,
                weakness_patterns: r.weakness_patterns,
                learning_guide: r.learning_guide,
            };
            (evaluations, report, Method::Rules)
        }
    };
    session.ended_by = input.ended_by.clone().or(session.ended_by);
    // The report is the answer; failing to note how the session ended must not lose it.
    if let Err(f) = store(host, &input.session_id, &session) {
        warnings.push(format!("the session's end was not recorded: {} ({})", f.message, f.code));
    }
    host.progress(100, "done", "report ready");
    Ok(ReportOutput {
        success: true,
        room_id: input.room_id.clone(),
        session_id: input.session_id.clone(),
        evaluations,
        report,
        method,
        warnings,
    })
}

fn progress_of(i: usize, n: usize) -> u8 {
    (10 + 80 * i / n.max(1)) as u8
}

#[derive(Deserialize)]
struct ModelScore {
    score: u8,
    good_points: Vec<String>,
    improvements: Vec<String>,
}

#[derive(Deserialize)]
struct ModelSummary {
    strength_patterns: Vec<String>,
    weakness_patterns: Vec<String>,
    learning_guide: Vec<String>,
}

const EVALUATION_SYSTEM: &str = "당신은 한국 IT 기업의 면접 평가관입니다. 답변 하나를 0~100점으로 평가합니다. \
기준: 질문에 대한 정확성과 깊이, 구체적인 사례와 수치, 상황-과제-행동-결과(STAR) 구조, 자신감 있는 표현. \
good_points와 improvements는 각각 한국어 한 문장씩 1~3개로, 답변에 실제로 있는 내용만 근거로 쓰십시오.";

const SUMMARY_SYSTEM: &str = "당신은 한국 IT 기업의 면접 코치입니다. 면접 전체의 답변들과 평가를 보고 \
반복되는 강점 패턴, 약점 패턴, 앞으로의 학습 가이드를 한국어 한 문장씩 각각 1~4개로 정리합니다.";

fn with_model_report(
    kind: InterviewType,
    input: &ReportInput,
    qa: &[SavedQa],
    host: &mut impl CareerHost,
) -> Result<(Vec<ModelScore>, ModelSummary), Failure> {
    let score_schema = json!({
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "good_points": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 3},
            "improvements": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 3}
        },
        "required": ["score", "good_points", "improvements"],
        "additionalProperties": false
    });
    let mut scored = Vec::with_capacity(qa.len());
    for (i, a) in qa.iter().enumerate() {
        if host.cancelled() {
            return Err(Failure::new("JOB_CANCELLED", "the job was cancelled"));
        }
        host.progress(
            progress_of(i, qa.len()),
            "evaluating_answer",
            &format!("evaluating answer {} of {}", i + 1, qa.len()),
        );
        let user = format!(
            "[면접 유형] {}\n[채용공고 요약]\n{}\n\n[질문]\n{}\n\n[답변]\n{}\n\nJSON으로 답하십시오.",
            kind.as_str(),
            llm::excerpt(&input.posting_text, 1200),
            a.question,
            a.answer
        );
        let s: ModelScore =
            llm::ask(host, vec![Message::system(EVALUATION_SYSTEM), Message::user(user)], score_schema.clone(), 600)?;
        scored.push(ModelScore { score: s.score.min(100), ..s });
    }
    host.progress(92, "writing_report", "summarising the interview");
    let transcript = qa
        .iter()
        .zip(&scored)
        .map(|(a, s)| format!("Q: {}\nA: {}\n점수: {}", a.question, a.answer, s.score))
        .collect::<Vec<_>>()
        .join("\n\n");
    let user = format!(
        "[면접 유형] {}\n[이력서 요약]\n{}\n\n[면접 기록]\n{transcript}\n\nJSON으로 답하십시오.",
        kind.as_str(),
        llm::excerpt(&input.resume_text, 1500)
    );
    let schema = llm::string_lists(&["strength_patterns", "weakness_patterns", "learning_guide"], 4);
    let summary: ModelSummary =
        llm::ask(host, vec![Message::system(SUMMARY_SYSTEM), Message::user(user)], schema, 800)?;
    Ok((scored, summary))
}

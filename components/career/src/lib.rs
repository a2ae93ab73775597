//! `career`: the career assistant of seed 001 §2–§5 as one capability whose
//! input names the operation (`op`): `embed`, `analyze`,
//! `interview_question`, `interview_save`, `interview_report`, `chat`.
//!
//! Every operation really computes its answer without a model (career-core's
//! rules), and uses the language model behind [`MODEL`] for the narrative
//! parts when the host has one; `method` says which. Skills, scores and
//! schedule dates always come from career-core, so they do not depend on a
//! model's arithmetic. Interview sessions and chat rooms keep their state in
//! the key-value store [`STORE`].
//!
//! The flows take the host behind the SDK's traits ([`CareerHost`]), so they
//! run natively in tests against fakes.

pub mod analyze;
pub mod chat;
pub mod embed;
pub mod interview;
mod llm;
mod retrieve;
pub mod types;

use capsule_sdk::{
    Capability, Capsule, Descriptor, Embeddings, Failure, Job, JobContext, KeyValue, Llm, Mode, Vectors,
};
use chrono::NaiveDate;
use serde_json::json;

pub use types::{Input, Output};

/// The model alias the narrative parts ask for; spin.toml grants it (`ai_models = ["default"]`).
pub const MODEL: &str = "default";
/// The key-value store sessions and rooms live in (`key_value_stores = ["default"]`).
pub const STORE: &str = "default";

/// Failure codes of this component, for the host's seed routes.
pub mod codes {
    /// `embed`: `type` is not resume, portfolio or job_posting (seed `invalid_document_type` 4002).
    pub const INVALID_DOCUMENT_TYPE: &str = "CAREER_INVALID_DOCUMENT_TYPE";
    /// `embed`: `text` is blank (seed `empty_text` 4004).
    pub const EMPTY_TEXT: &str = "CAREER_EMPTY_TEXT";
    /// `embed`: the text could not be embedded or stored (seed `embedding_failed` 5002).
    pub const EMBEDDING_FAILED: &str = "EMBEDDING_FAILED";
    /// `analyze`: `resume_text` is blank (seed `missing_resume_text` 4005).
    pub const MISSING_RESUME_TEXT: &str = "CAREER_MISSING_RESUME_TEXT";
    /// `analyze`: `posting_text` is blank (seed `missing_posting_text` 4006).
    pub const MISSING_POSTING_TEXT: &str = "CAREER_MISSING_POSTING_TEXT";
    /// `interview_question` / `interview_report`: not personality or technical (seed `invalid_interview_type` 4007).
    pub const INVALID_INTERVIEW_TYPE: &str = "CAREER_INVALID_INTERVIEW_TYPE";
    /// `interview_question` after five questions, `interview_save` of a sixth question (seed `max_questions_reached` 4008).
    pub const MAX_QUESTIONS_REACHED: &str = "CAREER_MAX_QUESTIONS_REACHED";
    /// `interview_report`: the session has no saved answer (seed `no_qa_found` 4009).
    pub const NO_QA_FOUND: &str = "CAREER_NO_QA_FOUND";
    /// `interview_report`: no such session (seed `session_not_found` 4043).
    pub const SESSION_NOT_FOUND: &str = "CAREER_SESSION_NOT_FOUND";
    /// `chat`: neither a message nor a tool result.
    pub const MISSING_MESSAGE: &str = "CAREER_MISSING_MESSAGE";
    /// `chat`: a tool result for a tool the assistant does not have.
    pub const UNKNOWN_TOOL: &str = "CAREER_UNKNOWN_TOOL";
    /// A date field that is not `YYYY-MM-DD`.
    pub const INVALID_DATE: &str = "CAREER_INVALID_DATE";
}

/// Questions per interview session (seed §4).
pub const MAX_QUESTIONS: u32 = 5;

/// Everything the flows may ask of the host.
pub trait CareerHost: Llm + Embeddings + Vectors + KeyValue + JobContext {}
impl<T: Llm + Embeddings + Vectors + KeyValue + JobContext> CareerHost for T {}

pub struct Career;

impl Capability for Career {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        Descriptor::new(
            "career",
            "0.1.0",
            "Career assistant (seed 001 §2–§5): embeds résumés, portfolios and postings; analyses a résumé against a \
             posting (skills, score, grade, advice); runs mock interviews (questions, follow-ups, scoring, report); \
             chats with retrieval and a get_schedule tool. A language model writes the narrative parts when one serves \
             `default`, rules otherwise (`method`).",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Stream)
        .example(
            "chat-answers-a-schedule-tool-result",
            json!({
                "op": "chat",
                "room_id": "capsule-self-test",
                "user_id": "capsule-self-test",
                "tool_result": {
                    "tool": "get_schedule",
                    "success": true,
                    "data": [{"title": "카카오 1차 면접", "date": "2026-01-08", "time": "14:00"}]
                },
                "method": "rules"
            }),
            json!({
                "success": true,
                "response": "요청하신 기간(1월 8일 목요일) 일정은 1건입니다:\n- 1월 8일(목) 14:00 카카오 1차 면접",
                "tool_used": null,
                "method": "rules"
            }),
        )
        .example(
            "analyze-posting-by-rules",
            json!({
                "op": "analyze",
                "resume_id": "resume_example",
                "posting_id": "posting_example",
                "resume_text": EXAMPLE_RESUME,
                "posting_text": EXAMPLE_POSTING,
                "reference_date": "2026-01-05",
                "method": "rules"
            }),
            // Only what embeddings cannot change: matching may gain near synonyms on a host with them.
            json!({
                "success": true,
                "posting_analysis": {
                    "company": "카카오",
                    "position": "프론트엔드 개발자",
                    "required_skills": ["React", "TypeScript", "Next.js"],
                    "preferred_skills": ["GraphQL", "AWS"],
                    "deadline": "2026-01-15"
                },
                "method": "rules"
            }),
        )
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        handle(input, &mut Capsule, today_in_seoul())
    }

    /// Builds the dictionary's spellings, every pattern and the calendar's grammar once per version.
    fn warm() {
        career_core::warm();
    }
}

capsule_sdk::export_capability!(Career);

const EXAMPLE_RESUME: &str = "프론트엔드 개발자 (경력 3년)\n[쇼핑몰 리뉴얼]\n- 리액트와 타입스크립트로 상품 페이지 개발\n- 페이지 로딩 시간 40% 단축";
const EXAMPLE_POSTING: &str = "[카카오] 프론트엔드 개발자 채용\n서류 마감: 2026년 1월 15일\n■ 자격요건\n- React, TypeScript 실무 경험 3년 이상\n- Next.js 사용 경험\n■ 우대사항\n- GraphQL, AWS 경험";

/// Run one operation; `today` is the default reference date.
pub fn handle(input: Input, host: &mut impl CareerHost, today: NaiveDate) -> Result<Output, Failure> {
    Ok(match input {
        Input::Embed(i) => Output::Embed(embed::embed(&i, host)?),
        Input::Analyze(i) => Output::Analyze(analyze::analyze(&i, host, today)?),
        Input::InterviewQuestion(i) => Output::InterviewQuestion(interview::question(&i, host, today)?),
        Input::InterviewSave(i) => Output::InterviewSave(interview::save(&i, host)?),
        Input::InterviewReport(i) => Output::InterviewReport(interview::report(&i, host, today)?),
        Input::Chat(i) => Output::Chat(chat::chat(&i, host, today)?),
    })
}

/// Today in Asia/Seoul (UTC+9 all year: Korea has no daylight saving time).
pub fn today_in_seoul() -> NaiveDate {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seoul = since_epoch.as_secs() as i64 + 9 * 3600;
    chrono::DateTime::from_timestamp(seoul, 0).map(|t| t.date_naive()).unwrap_or_default()
}

/// `reference_date` if given (it must be `YYYY-MM-DD`), else `today`.
pub(crate) fn reference_date(given: Option<&str>, today: NaiveDate) -> Result<NaiveDate, Failure> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Failure::new(codes::INVALID_DATE, format!("`reference_date` is `{text}`; send a date as YYYY-MM-DD"))
        }),
    }
}

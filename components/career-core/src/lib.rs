//! The career assistant's logic without engines (seed 001 §2–§5): a skill
//! dictionary and matcher, posting sections, résumé facts, skill matching
//! with a score and grade, interview questions and follow-ups, an answer
//! rubric and report, and the chat's schedule routing and tool answers.
//!
//! Pure and deterministic: no SDK calls, no clock (callers pass the
//! reference date), so everything is tested natively. Where embeddings help
//! (near-synonym skills) the caller passes a function that embeds.

pub mod analysis;
pub mod chat;
pub mod chunk;
pub mod interview;
pub mod matching;
pub mod posting;
pub mod resume;
pub mod scoring;
pub mod skills;
pub mod text;

/// Builds every table and pattern lazily built elsewhere (pre-initialization).
pub fn warm() {
    skills::warm();
    resume::warm();
    chat::warm();
    calendar_parser::warm();
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let posting = "[카카오] 프론트엔드 개발자\n자격요건\n- React, TypeScript\n우대사항\n- AWS";
    let resume = "React 경력 3년. 결제 시스템 프로젝트에서 응답 시간 40% 단축";
    let bg = interview::Background::read(resume, posting, None, reference);
    let _ = interview::next_question(interview::InterviewType::Technical, &bg, &[]);
    let _ = interview::follow_up(interview::InterviewType::Technical, "질문", resume, &[]);
    let _ = scoring::score_answer("React 경험은?", resume, true);
}

//! Interview answers scored without a model: a rubric over what an
//! interviewer listens for, and a report over the session.
//!
//! # Rubric (0–100 per answer)
//!
//! | part | points | what earns them |
//! |---|---|---|
//! | base | 15 | answering at all |
//! | length | 0–25 | non-blank characters: < 20 → 2, < 50 → 8, < 120 → 15, < 250 → 21, else 25 |
//! | results | 0–20 | quantities with a unit (`40%`, `3초`, `2배`): one → 12, two or more → 20 |
//! | relevance | 0–20 | technical: the question's skills named in the answer (15, 20 with another skill), other skills only 8; no skill in the question: 10 for one skill, 15 for more. Personality: shared content words with the question, 10 each |
//! | structure | 0–20 | experience questions: STAR markers (상황, 과제, 행동, 결과 / situation, task, action, result), 5 each; concept questions: reasoning markers (때문에, 예를 들어, 반면, 장점, because, for example …), 7 each |
//! | hedging | −5 each, to −15 | `잘 모르`, `아마`, `것 같`, `maybe`, `I think` … |
//!
//! An answer under 20 characters is capped at 30: nothing else can make up for it.
//!
//! # Report
//!
//! `total_score` is the mean of the answers' scores (rounded), graded with
//! the analysis's table ([`crate::matching::grade`]). A pattern is a rubric
//! part that was strong (or weak) in more than half of the answers; the
//! learning guide follows the weak parts and the skills of the questions
//! answered below 60.

use crate::matching::{grade, how_to_gain};
use crate::resume::QUANTITY;
use crate::skills::{self, Skill};
use crate::text::{clip, squash, visible_len, words};

const BASE: i32 = 15;
/// Answers shorter than this (non-blank characters) are capped at [`SHORT_CAP`].
const SHORT: usize = 20;
const SHORT_CAP: i32 = 30;
/// Answers scoring below this make their question's skills a learning item.
pub const WEAK_ANSWER: u8 = 60;

/// STAR markers: situation, task, action, result.
const STAR: [(&str, &[&str]); 4] = [
    ("상황", &["상황", "당시", "배경", "때 ", "때,", "situation", "context", "when i", "at the time"]),
    ("과제", &["과제", "목표", "문제", "요구", "해야", "맡", "task", "goal", "problem", "challenge", "needed to"]),
    (
        "행동",
        &[
            "제가",
            "직접",
            "구현",
            "도입",
            "적용",
            "설계",
            "분석",
            "개선하기 위해",
            "시도",
            "action",
            "i implemented",
            "i built",
            "i led",
            "i designed",
            "i decided",
        ],
    ),
    (
        "결과",
        &[
            "결과",
            "덕분에",
            "개선되",
            "줄었",
            "늘었",
            "달성",
            "향상",
            "단축",
            "성공",
            "result",
            "reduced",
            "improved",
            "increased",
            "achieved",
            "as a result",
        ],
    ),
];

/// Markers of an explanation that gives reasons and examples.
const REASONING: &[&str] = &[
    "때문",
    "왜냐하면",
    "따라서",
    "그래서",
    "예를 들어",
    "예컨대",
    "예시",
    "반면",
    "차이",
    "장점",
    "단점",
    "트레이드오프",
    "because",
    "for example",
    "for instance",
    "therefore",
    "however",
    "whereas",
    "trade-off",
    "tradeoff",
];

/// Hedges that weaken an answer.
const HEDGES: &[&str] = &[
    "잘 모르",
    "모르겠",
    "아마",
    "것 같",
    "같아요",
    "글쎄",
    "확실하지",
    "기억이 잘",
    "maybe",
    "probably",
    "i think",
    "not sure",
    "i guess",
    "kind of",
];

/// Words that make a question ask about an experience (STAR applies).
/// A follow-up (`방금 말씀하신 …`) asks about the candidate's own experience too.
const EXPERIENCE_CUES: &[&str] = &[
    "경험",
    "사례",
    "했던",
    "하셨",
    "했나요",
    "겪",
    "있나요",
    "말씀하신",
    "맡은",
    "측정",
    "결정",
    "experience",
    "a time",
    "tell me about",
    "describe a",
];

/// One answer's rubric parts, kept for the report's patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    pub length: i32,
    pub results: i32,
    pub relevance: i32,
    pub structure: i32,
    pub hedging: i32,
    /// The question asked about an experience (STAR) rather than a concept.
    pub experience: bool,
    pub question_skills: Vec<&'static Skill>,
}

/// One answer's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub score: u8,
    pub good_points: Vec<String>,
    pub improvements: Vec<String>,
    pub rubric: Rubric,
}

/// Content words (two or more syllables, particles cut) for a personality answer's relevance.
fn content_words(text: &str) -> Vec<String> {
    const PARTICLES: &[&str] = &[
        "에서", "으로", "에게", "까지", "부터", "을", "를", "이", "가", "은", "는", "에", "의", "와", "과", "로", "도",
    ];
    const COMMON: &[&str] =
        &["말씀해", "주세요", "있나요", "어떻게", "무엇", "본인", "경험", "그리고", "하셨나요", "했는지", "이유"];
    words(text)
        .into_iter()
        .map(|w| {
            let mut w = w.to_lowercase();
            for p in PARTICLES {
                if w.chars().count() > p.chars().count() + 1 && w.ends_with(p) {
                    w.truncate(w.len() - p.len());
                    break;
                }
            }
            // Compare stems: the first two syllables carry most of a Korean word's meaning.
            w.chars().take(2).collect::<String>()
        })
        .filter(|w| w.chars().count() >= 2 && !COMMON.iter().any(|c| c.starts_with(w.as_str())))
        .collect()
}

/// Score one answer to `question`; `technical` is the interview's type.
pub fn score_answer(question: &str, answer: &str, technical: bool) -> Evaluation {
    let answer_text = squash(answer);
    let lowered = answer_text.to_lowercase();
    let question_lowered = question.to_lowercase();
    let length_chars = visible_len(&answer_text);
    let length = match length_chars {
        0..20 => 2,
        20..50 => 8,
        50..120 => 15,
        120..250 => 21,
        _ => 25,
    };
    let quantities: Vec<String> =
        QUANTITY.captures_iter(&answer_text).map(|c| format!("{}{}", &c[1], c[2].trim())).collect();
    let results = match quantities.len() {
        0 => 0,
        1 => 12,
        _ => 20,
    };
    let question_skills = skills::names(&squash(question));
    let answer_skills = skills::names(&answer_text);
    let shared_skills: Vec<&'static Skill> =
        question_skills.iter().copied().filter(|q| answer_skills.iter().any(|a| std::ptr::eq(*a, *q))).collect();
    let relevance = if technical {
        match (question_skills.is_empty(), shared_skills.is_empty(), answer_skills.len()) {
            (false, false, n) if n > shared_skills.len() => 20,
            (false, false, _) => 15,
            (false, true, n) if n > 0 => 8,
            (true, _, n) if n >= 2 => 15,
            (true, _, 1) => 10,
            _ => 0,
        }
    } else {
        let asked = content_words(question);
        let said = content_words(&answer_text);
        let shared = asked.iter().filter(|w| said.contains(w)).count() as i32;
        (shared * 10).min(20)
    };
    let experience = EXPERIENCE_CUES.iter().any(|c| question_lowered.contains(c)) || !technical;
    let star_parts: Vec<&str> =
        STAR.iter().filter(|(_, markers)| markers.iter().any(|m| lowered.contains(m))).map(|(name, _)| *name).collect();
    let reasons = REASONING.iter().filter(|m| lowered.contains(*m)).count() as i32;
    let structure = if experience { star_parts.len() as i32 * 5 } else { (reasons * 7).min(20) };
    let hedges: Vec<&str> = HEDGES.iter().copied().filter(|h| lowered.contains(h)).collect();
    let hedging = -((hedges.len() as i32 * 5).min(15));

    let mut total = BASE + length + results + relevance + structure + hedging;
    if length_chars < SHORT {
        total = total.min(SHORT_CAP);
    }
    if length_chars == 0 {
        total = 0;
    }
    let score = total.clamp(0, 100) as u8;

    let mut good_points = Vec::new();
    let mut improvements = Vec::new();
    if length >= 21 {
        good_points.push("답변 분량이 충분하고 내용이 구체적임".to_string());
    } else if length_chars < 50 {
        improvements.push("답변이 짧습니다. 구체적인 사례나 설명을 2~3문장 더 덧붙이세요".to_string());
    }
    match quantities.first() {
        Some(q) => good_points.push(format!("수치로 결과를 제시함 ({q})")),
        None => improvements
            .push("결과를 수치로 제시하면 설득력이 높아집니다 (예: 응답 시간 30% 단축, 오류 50% 감소)".to_string()),
    }
    let names = |list: &[&'static Skill]| list.iter().map(|s| s.spoken()).collect::<Vec<_>>().join(", ");
    if technical {
        if !shared_skills.is_empty() {
            good_points.push(format!("질문의 핵심 기술({})을 직접 짚어 답변함", names(&shared_skills)));
        } else if !question_skills.is_empty() {
            improvements.push(format!("질문한 {}의 동작 원리나 사용 경험을 직접 언급하세요", names(&question_skills)));
        } else if answer_skills.is_empty() {
            improvements.push("사용한 기술과 도구를 구체적으로 언급하세요".to_string());
        }
    } else if relevance >= 10 {
        good_points.push("질문의 주제에 맞춰 답변함".to_string());
    } else {
        improvements.push("질문이 묻는 상황에 초점을 맞춰 답변하세요".to_string());
    }
    if experience {
        if star_parts.len() >= 3 {
            good_points.push("상황·행동·결과 순서로 구조화해 답변함".to_string());
        } else {
            let missing: Vec<&str> =
                STAR.iter().map(|(name, _)| *name).filter(|name| !star_parts.contains(name)).collect();
            improvements.push(format!("{} 부분을 보완하세요 (STAR: 상황-과제-행동-결과)", missing.join("·")));
        }
    } else if reasons >= 2 {
        good_points.push("근거와 예시를 들어 설명함".to_string());
    } else {
        improvements.push("왜 그런지 근거나 예시를 들어 설명하세요".to_string());
    }
    if let Some(h) = hedges.first() {
        improvements.push(format!("'{}' 같은 불확실한 표현을 줄이고, 아는 범위를 분명히 말하세요", h.trim()));
    } else if length_chars >= 50 {
        good_points.push("단정적이고 자신감 있는 표현을 사용함".to_string());
    }

    Evaluation {
        score,
        good_points,
        improvements,
        rubric: Rubric { length, results, relevance, structure, hedging, experience, question_skills },
    }
}

/// The session's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub total_score: u8,
    pub grade: &'static str,
    pub strength_patterns: Vec<String>,
    pub weakness_patterns: Vec<String>,
    pub learning_guide: Vec<String>,
}

/// The mean of `scores`, rounded; 0 for none.
pub fn mean_score(scores: &[u8]) -> u8 {
    if scores.is_empty() {
        return 0;
    }
    let sum: u32 = scores.iter().map(|&s| s as u32).sum();
    ((sum as f64 / scores.len() as f64).round()) as u8
}

/// A report over the evaluations; `missing_required` are the posting's
/// required skills the résumé lacks (study items even if no question touched them).
pub fn report(evaluations: &[Evaluation], missing_required: &[&'static Skill]) -> Report {
    let scores: Vec<u8> = evaluations.iter().map(|e| e.score).collect();
    let total_score = mean_score(&scores);
    // A pattern holds in most answers (strictly more than half), so a strength and
    // its opposite weakness are never both reported.
    let n = evaluations.len().max(1) as f64;
    let share = |f: &dyn Fn(&Rubric) -> bool| {
        let s = evaluations.iter().filter(|e| f(&e.rubric)).count() as f64 / n;
        if s > 0.5 { 1.0 } else { 0.0 }
    };

    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    let mut guide = Vec::new();
    if share(&|r| r.results >= 12) >= 0.5 {
        strengths.push("구체적인 수치로 성과를 설명하는 경향이 있음".to_string());
    }
    if share(&|r| r.results == 0) >= 0.5 {
        weaknesses.push("답변에 결과 수치가 거의 없음".to_string());
        guide.push(
            "프로젝트별 성과 지표(속도, 비용, 사용자 수 등)를 미리 정리해 답변마다 하나 이상 넣는 연습".to_string(),
        );
    }
    if share(&|r| r.length >= 21) >= 0.5 {
        strengths.push("충분한 분량으로 구체적으로 답변함".to_string());
    }
    if share(&|r| r.length <= 8) >= 0.5 {
        weaknesses.push("답변이 짧아 근거가 부족함".to_string());
        guide.push("핵심 → 근거 → 사례 순서로 1분 분량 답변을 만드는 연습".to_string());
    }
    if share(&|r| r.relevance >= 15) >= 0.5 {
        strengths.push("질문의 핵심 기술과 주제를 정확히 짚음".to_string());
    }
    if share(&|r| r.relevance <= 8) >= 0.5 {
        weaknesses.push("질문의 핵심에서 벗어난 답변이 많음".to_string());
        guide.push("질문의 키워드를 첫 문장에서 다시 말하고 답을 시작하는 연습".to_string());
    }
    let experience: Vec<&Rubric> = evaluations.iter().map(|e| &e.rubric).filter(|r| r.experience).collect();
    let concept: Vec<&Rubric> = evaluations.iter().map(|e| &e.rubric).filter(|r| !r.experience).collect();
    let half = |list: &[&Rubric], f: &dyn Fn(&Rubric) -> bool| {
        !list.is_empty() && list.iter().filter(|r| f(r)).count() * 2 > list.len()
    };
    if half(&experience, &|r| r.structure >= 15) {
        strengths.push("경험을 상황·행동·결과 순서로 구조화해 설명함".to_string());
    }
    if half(&experience, &|r| r.structure <= 5) {
        weaknesses.push("경험 답변에 상황과 결과가 빠져 구조가 약함".to_string());
        guide.push("STAR(상황-과제-행동-결과) 구조로 대표 경험 답변 3개를 미리 작성해 보기".to_string());
    }
    if half(&concept, &|r| r.structure >= 14) {
        strengths.push("기술 개념을 근거와 예시를 들어 설명함".to_string());
    }
    if half(&concept, &|r| r.structure < 7) {
        weaknesses.push("심화 개념 설명에 근거와 예시가 부족함".to_string());
    }
    if share(&|r| r.hedging < 0) >= 0.5 {
        weaknesses.push("'아마', '것 같다' 같은 불확실한 표현이 잦음".to_string());
        guide.push("모르는 부분은 추측 대신 아는 범위와 확인 방법을 말하는 연습".to_string());
    }

    // Skills of weakly answered questions, then the posting's missing ones.
    let mut study: Vec<&'static Skill> = Vec::new();
    for e in evaluations.iter().filter(|e| e.score < WEAK_ANSWER) {
        for s in &e.rubric.question_skills {
            if !study.iter().any(|x| std::ptr::eq(*x, *s)) {
                study.push(s);
            }
        }
    }
    for s in missing_required {
        if !study.iter().any(|x| std::ptr::eq(*x, *s)) {
            study.push(s);
        }
    }
    let mut learning_guide: Vec<String> =
        study.iter().take(3).map(|s| format!("{} 심화 학습: {}", s.spoken(), how_to_gain(s))).collect();
    learning_guide.extend(guide);
    if strengths.is_empty()
        && let Some(best) = evaluations.iter().max_by_key(|e| e.score)
        && let Some(point) = best.good_points.first()
    {
        strengths.push(format!("가장 좋은 답변에서: {}", clip(point, 60)));
    }
    Report {
        total_score,
        grade: grade(total_score),
        strength_patterns: strengths,
        weakness_patterns: weaknesses,
        learning_guide,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_structured_answer_beats_a_vague_one() {
        let question = "Redis를 도입했던 경험을 말씀해 주세요.";
        let strong = "당시 주문 조회 API가 피크 시간에 2초 이상 걸리는 문제가 있었습니다. 목표는 응답 시간을 절반으로 줄이는 것이었고, \
                      제가 직접 Redis 캐시를 도입해 자주 조회되는 상품 데이터를 캐싱하고 Spring 서비스의 조회 로직을 바꿨습니다. \
                      그 결과 평균 응답 시간이 2초에서 300ms로 줄었고 DB 부하도 40% 감소했습니다.";
        let vague = "아마 캐시를 썼던 것 같아요.";
        let s = score_answer(question, strong, true);
        let v = score_answer(question, vague, true);
        assert!(s.score >= 85, "{s:?}");
        assert!(v.score <= 30, "{v:?}");
        assert!(s.good_points.iter().any(|g| g.contains("Redis")), "{s:?}");
        assert!(v.improvements.iter().any(|i| i.contains("'아마'")), "{v:?}");
    }

    #[test]
    fn concept_answers_are_judged_on_reasons_not_star() {
        let q = "React의 Virtual DOM이 뭔가요?";
        let a = "실제 DOM과 비교해서 변경된 부분만 업데이트하는 거예요";
        let e = score_answer(q, a, true);
        assert!(!e.rubric.experience);
        assert!(e.improvements.iter().any(|i| i.contains("근거나 예시")), "{e:?}");
        let better = "React는 상태가 바뀌면 새 Virtual DOM을 만들고 이전 트리와 비교해 바뀐 노드만 실제 DOM에 반영합니다. \
                      DOM 조작은 비용이 크기 때문에 이렇게 하면 불필요한 갱신이 줄어듭니다. 예를 들어 목록에서 항목 하나만 바뀌면 그 항목만 다시 그립니다.";
        assert!(score_answer(q, better, true).score > e.score + 20);
    }

    #[test]
    fn report_averages_and_finds_patterns() {
        let q = "결제 시스템 장애를 해결한 경험을 말씀해 주세요.";
        let evals =
            vec![score_answer(q, "잘 모르겠습니다", true), score_answer(q, "아마 서버를 재시작했던 것 같아요", true)];
        let r = report(&evals, &[skills::by_name("Kubernetes").unwrap()]);
        assert_eq!(r.total_score, mean_score(&[evals[0].score, evals[1].score]));
        assert_eq!(r.grade, "F");
        assert!(r.weakness_patterns.iter().any(|w| w.contains("수치")), "{r:?}");
        assert!(r.learning_guide.iter().any(|g| g.contains("Kubernetes")), "{r:?}");
        assert!(r.learning_guide.iter().any(|g| g.contains("STAR")), "{r:?}");
    }

    #[test]
    fn mean_rounds_half_up() {
        assert_eq!(mean_score(&[80, 75]), 78);
        assert_eq!(mean_score(&[]), 0);
    }
}

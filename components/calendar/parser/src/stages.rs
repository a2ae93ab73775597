//! Hiring-stage keywords and the Korean labels they normalise to.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{is_hangul, longest_non_overlapping, next_char, prev_char};

pub const APPLICATION_OPEN: &str = "서류 접수";
pub const APPLICATION_CLOSE: &str = "서류 마감";

/// How a stage treats a date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Applying: a range is an application window, and the deadline is what matters.
    Application,
    /// Take-home work: a range is a submission window; its end is the due date.
    Assignment,
    /// Everything else happens at the start of its range.
    Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMention {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub kind: Kind,
    /// Weak keywords (`마감`, `발표`, `deadline`) only name the stage when nothing more specific does.
    pub strong: bool,
    /// The keyword itself says "deadline" (`접수 마감`, `deadline`).
    pub closes: bool,
}

struct Rule {
    pattern: Regex,
    label: &'static str,
    kind: Kind,
    strong: bool,
    closes: bool,
}

fn rule(pattern: &str, label: &'static str, kind: Kind, strong: bool, closes: bool) -> Rule {
    let pattern = super::text::regex(&format!("(?i){pattern}"));
    Rule { pattern, label, kind, strong, closes }
}

/// Label used for numbered interviews; `{n}` is replaced by the round.
const NUMBERED_INTERVIEW: &str = "{n}차 면접";

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Kind::{Application as A, Assignment as S, Event as E};
    vec![
        rule(
            r"(?:입사\s*)?(?:서류|원서|지원서?|이력서)\s*(?:접수\s*|제출\s*)?마감|(?:접수|모집|채용|공고)\s*마감|application\s+deadline|deadline\s+(?:for|to)\s+appl(?:y|ications?)|applications?\s+(?:closes?|due)|apply\s+by",
            APPLICATION_CLOSE,
            A,
            true,
            true,
        ),
        rule(
            r"(?:입사\s*)?(?:서류|원서|지원서?|이력서)\s*(?:접수|제출)(?:\s*기간)?|(?:접수|지원|모집)\s*(?:기간|시작)|서류\s*전형|application\s+(?:period|window)|applications?\s+(?:open|(?:are\s+|will\s+be\s+)?accepted)",
            APPLICATION_OPEN,
            A,
            true,
            false,
        ),
        rule(
            r"서류\s*(?:전형\s*)?(?:합격자?\s*|결과\s*)?(?:발표|안내|통보)|(?:document|resume)\s+screening\s+results?",
            "서류 발표",
            E,
            true,
            false,
        ),
        rule(
            r"최종\s*(?:면접\s*)?(?:합격자?|결과)\s*(?:발표|안내|통보)?|최종\s*발표|final\s+(?:results?|decisions?|offers?)(?:\s+announcement)?|final\s+announcement|offer\s+(?:decisions?|letters?)",
            "최종 발표",
            E,
            true,
            false,
        ),
        rule(
            r"(?:[1-9]\s*차\s*)?(?:면접|코딩\s*테스트|코테|과제|인적성(?:\s*검사)?|필기(?:\s*시험)?)\s*(?:전형\s*)?(?:합격자?|결과)\s*(?:발표|안내|통보)|(?:합격자?|결과)\s*(?:발표|안내|통보)|results?\s+announcement|announcement\s+of\s+results|results?\s+(?:notification|announced|released)",
            "합격 발표",
            E,
            true,
            false,
        ),
        rule(
            r"(?:온라인\s*)?코딩\s*테스트|코테|(?:online\s+)?coding\s+(?:test|challenge|assessment)|알고리즘\s*(?:테스트|시험)|programming\s+test",
            "코딩테스트",
            E,
            true,
            false,
        ),
        rule(
            r"(?:사전\s*|실무\s*)?과제(?:\s*전형|\s*제출)?|(?:home\s*)?assignment|take[- ]?home(?:\s+(?:test|assignment|task|challenge))?",
            "과제",
            S,
            true,
            false,
        ),
        rule(r"인적성(?:\s*검사|\s*시험)?|적성\s*검사|aptitude\s+test|GSAT|SKCT|HMAT", "인적성", E, true, false),
        rule(r"필기\s*(?:시험|전형|테스트)?|written\s+(?:test|exam)", "필기시험", E, true, false),
        rule(r"([1-9])\s*차\s*(?:[가-힣A-Za-z]{1,6}\s*)?(?:면접|인터뷰)", NUMBERED_INTERVIEW, E, true, false),
        rule(
            r"(?:1st|first)(?:[- ]round)?\s+interview|(?:technical|tech)\s+interview|(?:실무진?|기술|직무)\s*(?:면접|인터뷰)",
            "1차 면접",
            E,
            true,
            false,
        ),
        rule(r"(?:2nd|second)(?:[- ]round)?\s+interview", "2차 면접", E, true, false),
        rule(r"(?:3rd|third)(?:[- ]round)?\s+interview", "3차 면접", E, true, false),
        rule(
            r"(?:최종|임원|경영진|대표|CEO)\s*(?:면접|인터뷰)|final(?:[- ]round)?\s+interview|executive\s+interview|\bon-?site(?:\s+interview)?\b",
            "최종 면접",
            E,
            true,
            false,
        ),
        rule(r"면접|인터뷰|\binterviews?\b", "면접", E, true, false),
        rule(
            r"입사\s*(?:예정\s*)?(?:일자?|예정)?|(?:근무|출근)\s*(?:시작\s*)?(?:예정\s*)?일자?|근무\s*시작|합류\s*(?:예정\s*)?일|start\s+date|first\s+day|onboarding|join(?:ing)?\s+date",
            "입사",
            E,
            true,
            false,
        ),
        rule(
            r"(?:채용\s*|온라인\s*)?설명회|info(?:rmation)?\s+sessions?|career\s+fair|job\s+fair|recruiting\s+event",
            "설명회",
            E,
            true,
            false,
        ),
        rule(r"(?-i:OT)|오리엔테이션|\borientation\b", "OT", E, true, false),
        rule(
            r"마감(?:일자?|\s*일시)?|\bdeadline\b|\bdue(?:\s+date)?\b|closing\s+date",
            APPLICATION_CLOSE,
            A,
            false,
            true,
        ),
        rule(r"접수|\bapply\b", APPLICATION_OPEN, A, false, false),
        rule(r"발표|\bannouncements?\b|\bresults?\b", "합격 발표", E, false, false),
        rule(r"\boffers?\b", "최종 발표", E, false, false),
    ]
});

/// Stage keywords in `line`, longest reading first, in order of position.
pub fn find(line: &str) -> Vec<StageMention> {
    let mut found = Vec::new();
    for rule in RULES.iter() {
        for caps in rule.pattern.captures_iter(line) {
            let m = caps.get(0).expect("group 0");
            // `OT` must be a word of its own, not the middle of `ROTATION` or `BOT`.
            if m.as_str() == "OT"
                && (prev_char(line, m.start()).is_some_and(|c| c.is_ascii_alphanumeric())
                    || next_char(line, m.end()).is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            // `입사` inside `신입사원` is a new hire, not a start date.
            if rule.label == "입사" && prev_char(line, m.start()).is_some_and(is_hangul) {
                continue;
            }
            let label = match caps.get(1) {
                Some(round) if rule.label == NUMBERED_INTERVIEW => rule.label.replace("{n}", round.as_str()),
                _ => rule.label.to_string(),
            };
            found.push(StageMention {
                start: m.start(),
                end: m.end(),
                label,
                kind: rule.kind,
                strong: rule.strong,
                closes: rule.closes,
            });
        }
    }
    longest_non_overlapping(found, |s| (s.start, s.end))
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&RULES);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        find(text).into_iter().map(|s| s.label).collect()
    }

    #[test]
    fn stage_names_normalise_to_korean_labels() {
        let cases = [
            ("서류 접수", "서류 접수"),
            ("서류접수", "서류 접수"),
            ("원서 접수", "서류 접수"),
            ("지원서 제출", "서류 접수"),
            ("접수 기간", "서류 접수"),
            ("지원 기간", "서류 접수"),
            ("서류 전형", "서류 접수"),
            ("application period", "서류 접수"),
            ("서류 마감", "서류 마감"),
            ("서류 접수 마감", "서류 마감"),
            ("접수 마감", "서류 마감"),
            ("지원 마감", "서류 마감"),
            ("원서 마감", "서류 마감"),
            ("지원서 제출 마감", "서류 마감"),
            ("모집 마감", "서류 마감"),
            ("Application deadline", "서류 마감"),
            ("applications close", "서류 마감"),
            ("코딩테스트", "코딩테스트"),
            ("코딩 테스트", "코딩테스트"),
            ("코테", "코딩테스트"),
            ("온라인 코딩테스트", "코딩테스트"),
            ("Coding Test", "코딩테스트"),
            ("online coding test", "코딩테스트"),
            ("과제", "과제"),
            ("과제 전형", "과제"),
            ("사전 과제", "과제"),
            ("assignment", "과제"),
            ("take-home", "과제"),
            ("Take-home assignment", "과제"),
            ("인적성", "인적성"),
            ("인적성검사", "인적성"),
            ("적성검사", "인적성"),
            ("aptitude test", "인적성"),
            ("GSAT", "인적성"),
            ("1차 면접", "1차 면접"),
            ("1차면접", "1차 면접"),
            ("1차 실무 면접", "1차 면접"),
            ("실무 면접", "1차 면접"),
            ("기술면접", "1차 면접"),
            ("technical interview", "1차 면접"),
            ("first-round interview", "1차 면접"),
            ("2차 면접", "2차 면접"),
            ("second interview", "2차 면접"),
            ("3차 면접", "3차 면접"),
            ("최종 면접", "최종 면접"),
            ("임원 면접", "최종 면접"),
            ("임원면접", "최종 면접"),
            ("final interview", "최종 면접"),
            ("면접", "면접"),
            ("Interview", "면접"),
            ("최종 발표", "최종 발표"),
            ("최종 합격자 발표", "최종 발표"),
            ("최종 합격", "최종 발표"),
            ("final results", "최종 발표"),
            ("Offer decision", "최종 발표"),
            ("합격 발표", "합격 발표"),
            ("합격자 발표", "합격 발표"),
            ("면접 결과 발표", "합격 발표"),
            ("발표", "합격 발표"),
            ("result announcement", "합격 발표"),
            ("Results", "합격 발표"),
            ("서류 발표", "서류 발표"),
            ("서류 합격자 발표", "서류 발표"),
            ("서류 전형 결과 발표", "서류 발표"),
            ("입사", "입사"),
            ("입사일", "입사"),
            ("입사 예정일", "입사"),
            ("start date", "입사"),
            ("근무 시작일", "입사"),
            ("출근일", "입사"),
            ("합류 예정일", "입사"),
            ("채용 설명회", "설명회"),
            ("설명회", "설명회"),
            ("info session", "설명회"),
            ("OT", "OT"),
            ("신입사원 OT", "OT"),
            ("오리엔테이션", "OT"),
            ("마감", "서류 마감"),
            ("deadline", "서류 마감"),
            ("Due", "서류 마감"),
        ];
        for (text, want) in cases {
            assert_eq!(labels(text), vec![want.to_string()], "{text}");
        }
    }

    #[test]
    fn weak_keywords_are_marked_weak() {
        for text in ["마감", "발표", "접수", "deadline", "apply"] {
            assert!(!find(text)[0].strong, "{text}");
        }
        assert!(find("접수 마감")[0].closes);
        assert!(!find("서류 접수")[0].closes);
    }

    #[test]
    fn several_stages_on_one_line_stay_separate() {
        assert_eq!(labels("서류 마감 1/15, 코딩테스트 1/20, 1차 면접 1/25"), ["서류 마감", "코딩테스트", "1차 면접"]);
        assert_eq!(labels("과제 제출 마감"), ["과제", "서류 마감"]);
    }

    #[test]
    fn words_that_only_look_like_stages() {
        for text in ["ROTATION", "BOT", "지원 자격", "우대 사항", "근무 조건"] {
            assert_eq!(labels(text), Vec::<String>::new(), "{text}");
        }
    }
}

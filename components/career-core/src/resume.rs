//! What a résumé says about its writer, read without a model: years of
//! experience (stated, `3년`, `3 years`, or summed from periods such as
//! `2021.03 ~ 2024.02`), projects by name, quantified results (`응답 시간
//! 40% 단축`), and skills.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;

use crate::skills::{self, Skill};
use crate::text::{clip, sentences, squash};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// `경력 3년`, `3년차`, `5년 6개월`, `3년간`; not `2024년` (four digits) or `3년 전`.
static KO_YEARS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[^\d.])(\d{1,2})\s*년\s*(?:(\d{1,2})\s*개월)?\s*(차|간|동안|이상|경력|의|째|근무|재직)?")
});
/// `3 years`, `5+ yrs`, `3 years of experience`.
static EN_YEARS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(\d{1,2})\+?\s*(?:years?|yrs?)\b"));
/// Words that make a number of years the writer's experience.
const EXPERIENCE_WORDS: &[&str] =
    &["경력", "경험", "실무", "근무", "재직", "개발", "년차", "종사", "운영", "experience", "professional", "working"];
/// A period of work: `2021.03 ~ 2024.02`, `2021년 3월 - 현재`, `2019/01–present`.
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d{4})\s*(?:[./-]|년)\s*(\d{1,2})\s*월?\s*(?:~|-|–|—|부터|to)\s*(?:(\d{4})\s*(?:[./-]|년)\s*(\d{1,2})\s*월?|(현재|재직\s*중|재직중|present|now|current))",
    )
});
/// `5개 프로젝트`, `프로젝트 3건`, `4 projects`.
static PROJECT_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d{1,2})\s*(?:개의?|건의?)\s*(?:주요\s*)?프로젝트|프로젝트\s*(\d{1,2})\s*(?:개|건)|(\d{1,2})\s+projects?\b",
    )
});
/// `프로젝트: 결제 시스템`, `Project - Search Service`.
static PROJECT_LABEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:프로젝트(?:명)?|project(?:\s+name)?)\s*[:：\-–]\s*(.{2,40})$"));
/// `결제 시스템 연동 프로젝트`, `사내 메신저 개발 프로젝트`: up to four words before `프로젝트`.
static PROJECT_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| re(r"((?:[0-9A-Za-z가-힣+#./·&]+\s){0,3}[0-9A-Za-z가-힣+#./·&]+)\s*프로젝트"));
/// `Search Service project`, `the Payments project`.
static EN_PROJECT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b((?:[A-Z][\w.+#-]*\s){0,3}[A-Z][\w.+#-]*)\s+[Pp]roject\b"));
/// A bracketed title at the start of a line (`[쇼핑몰 리뉴얼]`), how Korean résumés head projects.
static BRACKET_TITLE: LazyLock<Regex> = LazyLock::new(|| re(r"^[\[【]\s*([^\]】]{2,40}?)\s*[\]】]"));
/// A number with the unit that makes it a result: `40%`, `2배`, `200ms`, `3초`, `10만 명`, `1.5x`.
pub static QUANTITY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:^|[^\w.])(\d+(?:[.,]\d+)*)\s*(%|퍼센트|배|x\b|times\b|ms\b|초|분|시간|일|주|개월|건|명|만\s*명|만|천|억|원|개|회|users?\b|mau\b|dau\b|tps\b|qps\b|rps\b|점|위|p(?:oin)?ts?\b|k\b|gb\b|mb\b)",
    )
});
/// Words that make a quantity an outcome rather than a size.
const RESULT_WORDS: &[&str] = &[
    "개선",
    "단축",
    "감소",
    "줄",
    "증가",
    "늘",
    "향상",
    "절감",
    "달성",
    "확보",
    "유치",
    "기록",
    "상승",
    "최적화",
    "높",
    "낮",
    "빨라",
    "처리",
    "성장",
    "전환",
    "수상",
    "improv",
    "reduc",
    "increas",
    "decreas",
    "cut",
    "sav",
    "grew",
    "grow",
    "boost",
    "achiev",
    "faster",
    "lower",
    "higher",
    "handled",
    "served",
    "serving",
    "processed",
    "scaled",
];
/// Words before `프로젝트` that are not a project's name.
const NOT_PROJECT_NAMES: &[&str] = &[
    "주요",
    "참여",
    "진행",
    "수행",
    "다양한",
    "여러",
    "개인",
    "팀",
    "사이드",
    "토이",
    "이",
    "그",
    "해당",
    "모든",
    "관련",
    "기타",
    "총",
    "신규",
    "다수",
    "개의",
    "건의",
    "프로젝트",
    "및",
    "의",
];

/// What the résumé says.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumeFacts {
    /// Years of experience: stated, or else summed from periods.
    pub years: Option<u32>,
    /// Project names, in order.
    pub projects: Vec<String>,
    /// How many projects it describes (names found, or a stated count, whichever is larger).
    pub project_count: usize,
    /// Sentences with a quantified result, clipped.
    pub results: Vec<String>,
    pub skills: Vec<&'static Skill>,
}

/// Read `resume`; `reference` is today, for periods running `~ 현재`.
pub fn facts(resume: &str, reference: NaiveDate) -> ResumeFacts {
    let text = squash(resume);
    let projects = projects(&text);
    let stated_count = PROJECT_COUNT
        .captures_iter(&text)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)).and_then(|m| m.as_str().parse::<usize>().ok()))
        .max()
        .unwrap_or(0);
    ResumeFacts {
        years: stated_years(&text).or_else(|| period_years(&text, reference)),
        project_count: projects.len().max(stated_count),
        projects,
        results: quantified_results(&text),
        skills: skills::names(&text),
    }
}

/// The largest number of years the text states as experience.
fn stated_years(text: &str) -> Option<u32> {
    let mut best: Option<u32> = None;
    for sentence in sentences(text) {
        let lowered = sentence.to_lowercase();
        if !EXPERIENCE_WORDS.iter().any(|w| lowered.contains(w)) {
            continue;
        }
        for c in KO_YEARS.captures_iter(&sentence) {
            let after = &sentence[c.get(0).map_or(0, |m| m.end())..];
            // `3년 전`, `2년제` are not durations of work.
            if after.trim_start().starts_with('전') || after.starts_with('제') {
                continue;
            }
            if let Some(n) = c.get(1).and_then(|m| m.as_str().parse::<u32>().ok()).filter(|n| (1..=40).contains(n)) {
                best = best.max(Some(n));
            }
        }
        for c in EN_YEARS.captures_iter(&sentence) {
            if let Some(n) = c.get(1).and_then(|m| m.as_str().parse::<u32>().ok()).filter(|n| (1..=40).contains(n)) {
                best = best.max(Some(n));
            }
        }
    }
    best
}

/// Whole years covered by the periods in the text (overlaps counted once).
fn period_years(text: &str, reference: NaiveDate) -> Option<u32> {
    let month_index = |y: i32, m: u32| y * 12 + m as i32 - 1;
    let now = month_index(reference.year(), reference.month());
    let mut spans: Vec<(i32, i32)> = Vec::new();
    for c in PERIOD.captures_iter(text) {
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i32>().ok());
        let (Some(y1), Some(m1)) = (num(1), num(2)) else { continue };
        let end = match (num(3), num(4)) {
            (Some(y2), Some(m2)) => month_index(y2, m2 as u32),
            _ => now,
        };
        if !(1..=12).contains(&m1) || !(1970..=2100).contains(&y1) {
            continue;
        }
        let start = month_index(y1, m1 as u32);
        // Inclusive of both months: `2021.03 ~ 2021.05` is three months.
        if end >= start && end <= now + 1 {
            spans.push((start, end + 1));
        }
    }
    if spans.is_empty() {
        return None;
    }
    spans.sort();
    let mut months = 0;
    let mut current: Option<(i32, i32)> = None;
    for (s, e) in spans {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                months += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        months += ce - cs;
    }
    Some((months / 12) as u32)
}

/// Years of experience a posting asks for: `3년 이상`, `경력 5년+`, `5+ years`.
pub fn years_required(posting: &str) -> Option<u32> {
    static KO_AT_LEAST: LazyLock<Regex> =
        LazyLock::new(|| re(r"(?:^|[^\d.])(\d{1,2})\s*년\s*(?:이상|\+|↑)|경력\s*(\d{1,2})\s*년"));
    static EN_AT_LEAST: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\b(\d{1,2})\+\s*(?:years?|yrs?)|(?:at\s+least|minimum(?:\s+of)?)\s+(\d{1,2})\s*(?:years?|yrs?)|\b(\d{1,2})\s*(?:years?|yrs?)\s+of\s+(?:professional\s+)?experience",
        )
    });
    let text = squash(posting);
    let from = |r: &Regex| {
        r.captures_iter(&text)
            .filter_map(|c| (1..c.len()).find_map(|i| c.get(i)).and_then(|m| m.as_str().parse::<u32>().ok()))
            .filter(|n| (1..=30).contains(n))
            .min()
    };
    match (from(&KO_AT_LEAST), from(&EN_AT_LEAST)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn clean_project_name(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | '·' | '/' | '&' | '-')))
        .filter(|w| !w.is_empty())
        .collect();
    // The clause before the name ends at a particle or verb ending: `TypeScript로 결제 시스템`.
    let clause_end = words.iter().rposition(|w| {
        let latin_with_particle = w.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && w.chars().next_back().is_some_and(crate::text::is_hangul);
        latin_with_particle
            || ["를", "을", "으로", "에서", "하며", "하고", "해서", "하여", "했던", "했고"]
                .iter()
                .any(|e| w.ends_with(e))
    });
    let words = &words[clause_end.map_or(0, |i| i + 1)..];
    // Leading filler (`주요`, `참여한`) and particles are not the name.
    let start = words.iter().position(|w| {
        let bare = w.trim_end_matches(['한', '했', '던', '된', '의', '를', '을', '에', '서']);
        !NOT_PROJECT_NAMES.contains(w) && !NOT_PROJECT_NAMES.contains(&bare) && !w.chars().all(|c| c.is_ascii_digit())
    })?;
    let name = words[start..].join(" ");
    let name = name.trim_end_matches(['의', '를', '을']).trim();
    // `3개`, `5건` are counts of projects, not one.
    if name.starts_with(|c: char| c.is_ascii_digit()) && (name.contains('개') || name.contains('건')) {
        return None;
    }
    let length = name.chars().count();
    (2..=40).contains(&length).then(|| name.to_string())
}

/// Project names in the order they appear, without duplicates.
pub fn projects(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: Option<String>| {
        if let Some(name) = name
            && !out.iter().any(|o| o == &name || o.contains(name.as_str()) || name.contains(o.as_str()))
        {
            out.push(name);
        }
    };
    for line in text.lines() {
        let trimmed = line.trim().trim_start_matches(['-', '•', '*', '·', '▶', '■', '□', '◆', '○', '●']).trim();
        if let Some(c) = PROJECT_LABEL.captures(trimmed) {
            push(clean_project_name(&c[1]));
            continue;
        }
        if let Some(c) = BRACKET_TITLE.captures(trimmed) {
            let title = &c[1];
            let lowered = title.to_lowercase();
            // Section headings in brackets (`[경력]`, `[기술 스택]`) are not projects.
            let heading = [
                "경력",
                "학력",
                "기술",
                "자격",
                "수상",
                "교육",
                "자기소개",
                "프로젝트",
                "skills",
                "education",
                "experience",
            ]
            .iter()
            .any(|h| lowered == *h || lowered.starts_with(&format!("{h} ")) || lowered.ends_with(h));
            if !heading {
                push(clean_project_name(title));
            }
        }
        for c in PROJECT_SUFFIX.captures_iter(trimmed) {
            push(clean_project_name(&c[1]));
        }
        for c in EN_PROJECT.captures_iter(trimmed) {
            push(clean_project_name(&c[1]));
        }
    }
    out
}

/// Sentences that report a result with a number (`API 응답 시간 40% 단축`), clipped to 60 characters.
pub fn quantified_results(text: &str) -> Vec<String> {
    sentences(text)
        .into_iter()
        .filter(|s| {
            let lowered = s.to_lowercase();
            QUANTITY.is_match(s) && RESULT_WORDS.iter().any(|w| lowered.contains(w))
        })
        .map(|s| clip(&s, 60))
        .collect()
}

/// The quantities in `text` as written (`40%`, `3초`, `2배`), in order.
pub fn quantities(text: &str) -> Vec<String> {
    QUANTITY.captures_iter(text).map(|c| format!("{}{}", &c[1], c[2].trim().to_lowercase())).collect()
}

/// Builds the patterns (pre-initialization).
pub fn warm() {
    for pattern in [
        &KO_YEARS,
        &EN_YEARS,
        &PERIOD,
        &PROJECT_COUNT,
        &PROJECT_LABEL,
        &PROJECT_SUFFIX,
        &EN_PROJECT,
        &BRACKET_TITLE,
        &QUANTITY,
    ] {
        LazyLock::force(pattern);
    }
    let _ = years_required("3년 이상");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn stated_years_in_korean_and_english() {
        let f = facts("프론트엔드 개발 경력 3년\nReact 개발", day(2026, 1, 5));
        assert_eq!(f.years, Some(3));
        let f = facts("Backend engineer with 5+ years of experience in Go.", day(2026, 1, 5));
        assert_eq!(f.years, Some(5));
        // A year of an event and `3년 전` are not experience.
        let f = facts("2024년 개발 대회 수상. 3년 전 개발 시작", day(2026, 1, 5));
        assert_eq!(f.years, None);
    }

    #[test]
    fn periods_are_summed_when_no_years_are_stated() {
        let f = facts("A사 2019.03 ~ 2021.02 백엔드\nB사 2021.03 ~ 현재 플랫폼팀", day(2026, 2, 20));
        assert_eq!(f.years, Some(7));
        let f = facts("2020년 1월 - 2020년 12월", day(2026, 1, 5));
        assert_eq!(f.years, Some(1));
    }

    #[test]
    fn projects_by_label_suffix_and_bracket() {
        let text = "[쇼핑몰 리뉴얼]\n- 결제 시스템 연동 프로젝트에서 API 개발\n프로젝트: 사내 메신저\nLed the Search Service project";
        assert_eq!(projects(&squash(text)), ["쇼핑몰 리뉴얼", "결제 시스템 연동", "사내 메신저", "Search Service"]);
    }

    #[test]
    fn quantified_results_need_a_number_and_an_outcome() {
        let text = "API 응답 시간을 40% 단축했습니다. 팀원 5명과 협업했습니다. Reduced build time by 3x.";
        assert_eq!(quantified_results(text), ["API 응답 시간을 40% 단축했습니다.", "Reduced build time by 3x."]);
        assert_eq!(quantities("40% 단축, 3초, 2배"), ["40%", "3초", "2배"]);
    }

    #[test]
    fn years_a_posting_requires() {
        assert_eq!(years_required("React 실무 경험 3년 이상"), Some(3));
        assert_eq!(years_required("5+ years of backend experience"), Some(5));
        assert_eq!(years_required("신입 가능"), None);
    }
}

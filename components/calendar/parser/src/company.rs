//! The hiring company's name.
//!
//! Tried from the most to the least explicit signal: a `회사명:` label, a
//! `[회사]` heading, a legal-entity marker (`(주)`, `주식회사`, `Inc.`), an
//! English "X is hiring", and finally the first word of a recruiting headline.

use std::sync::LazyLock;

use regex::Regex;

use super::roles;
use super::stages;
use super::text::squash_spaces;

fn re(pattern: &str) -> Regex {
    super::text::regex(pattern)
}

static LABELED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?im)^[\s\-*•·▶■□○●◆◇※>]*(?:회사명|기업명|회사|기업|업체명|company(?:\s+name)?|employer|organi[sz]ation)\s*[:|]\s*(.+)$",
    )
});
static BRACKET: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\[\s*([^\[\]]{1,40}?)\s*\]"));
static KO_PREFIX_MARK: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\(주\)|\(유\)|주식회사|유한회사)[ \t]*([가-힣A-Za-z0-9][가-힣A-Za-z0-9&.\-]*)"));
static KO_SUFFIX_MARK: LazyLock<Regex> =
    LazyLock::new(|| re(r"([가-힣A-Za-z0-9][가-힣A-Za-z0-9&.\-]*) ?(?:\(주\)|\(유\)|주식회사)"));
static EN_LEGAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b([A-Z][A-Za-z0-9&'\-]*(?:[ \t]+[A-Z][A-Za-z0-9&'\-]*){0,3}),?[ \t]+(Inc|Corp|Corporation|Ltd|LLC|GmbH|Limited|Co)\b\.?",
    )
});
static EN_HIRING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t\-*•]*([A-Z][\w&'.\-]*(?:[ \t]+[A-Z][\w&'.\-]*){0,4})[ \t]+(?:is|are)[ \t]+(?:now[ \t]+|currently[ \t]+|actively[ \t]+)?(?:hiring|looking[ \t]+for|recruiting|seeking)\b",
    )
});
static EN_JOIN: LazyLock<Regex> = LazyLock::new(|| re(r"\bJoin[ \t]+([A-Z][\w&'.\-]*(?:[ \t]+[A-Z][\w&'.\-]*){0,3})"));
static RECRUITING_HEADLINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)채용|공채|모집|공고|신입|경력|인턴|\bhiring\b|\brecruit|\bjob\s+opening"));
static YEARISH: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:\d{2,4}년?|\d{4}[-./]?\d{0,2}|'\d{2})$"));

/// Words that appear in brackets and headlines but are never a company.
const NOT_A_COMPANY: &[&str] = &[
    "채용",
    "모집",
    "공고",
    "신입",
    "경력",
    "인턴",
    "전형",
    "일정",
    "안내",
    "지원",
    "마감",
    "공채",
    "정규직",
    "계약직",
    "수시",
    "상시",
    "긴급",
    "급구",
    "공지",
    "상반기",
    "하반기",
    "우대",
    "자격",
    "요건",
    "직무",
    "업무",
    "근무",
    "복지",
    "혜택",
    "절차",
    "접수",
    "발표",
    "서류",
    "면접",
    "모집요강",
    "담당",
    "참고",
    "필독",
    "무관",
    "hiring",
    "recruit",
    "job",
    "position",
    "urgent",
    "new",
    "we",
    "our",
    "the",
    "about",
    "us",
    "team",
    "remote",
];
/// Leading words of an English capitalised run that belong to the sentence, not the name.
const EN_LEADING_NOISE: &[&str] =
    &["Join", "At", "About", "The", "We", "Welcome", "Company", "Hiring", "Position", "Apply"];
/// Korean particles glued to a name (`토스뱅크는`, `카카오에서`).
const PARTICLES: &[&str] = &["에서는", "에서", "에선", "는", "은", "의", "를", "을", "에", "와", "과"];

pub fn extract(text: &str) -> Option<String> {
    labeled(text)
        .or_else(|| bracketed(text))
        .or_else(|| legal_marker(text))
        .or_else(|| english_phrase(text))
        .or_else(|| headline(text))
}

fn labeled(text: &str) -> Option<String> {
    LABELED.captures_iter(text).find_map(|c| clean(&c[1]))
}

fn first_lines(text: &str, n: usize) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim().is_empty()).take(n)
}

fn bracketed(text: &str) -> Option<String> {
    first_lines(text, 3).find_map(|line| BRACKET.captures(line).and_then(|c| clean(&c[1])))
}

fn legal_marker(text: &str) -> Option<String> {
    let korean = KO_PREFIX_MARK
        .captures_iter(text)
        .find_map(|c| clean(&c[1]))
        .or_else(|| KO_SUFFIX_MARK.captures_iter(text).find_map(|c| clean(&c[1])));
    korean.or_else(|| {
        EN_LEGAL.captures_iter(text).find_map(|c| {
            let name = strip_leading_noise(&c[1])?;
            clean(&format!("{name} {}", &c[2]))
        })
    })
}

fn english_phrase(text: &str) -> Option<String> {
    EN_HIRING
        .captures_iter(text)
        .chain(EN_JOIN.captures_iter(text))
        .find_map(|c| strip_leading_noise(&c[1]).and_then(|n| clean(&n)))
}

/// `카카오 2026 신입 공채`: the first word of a recruiting headline, skipping years.
fn headline(text: &str) -> Option<String> {
    let line = first_lines(text, 1).next()?;
    if !RECRUITING_HEADLINE.is_match(line) {
        return None;
    }
    let token =
        line.split_whitespace().map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && c != '&')).find(|t| {
            !t.is_empty() && !t.starts_with(|c: char| c.is_ascii_lowercase()) && !YEARISH.is_match(t) && !is_noise(t)
        })?;
    clean(token)
}

/// Korean noise words are matched inside tokens (`신입/경력`), English ones as whole words
/// so that `Newgen` or `Usplus` survive.
fn is_noise(name: &str) -> bool {
    let lower = name.to_lowercase();
    NOT_A_COMPANY.iter().any(|w| {
        if w.is_ascii() { lower.split(|c: char| !c.is_alphanumeric()).any(|t| t == *w) } else { lower.contains(w) }
    })
}

fn strip_leading_noise(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().skip_while(|w| EN_LEADING_NOISE.contains(w)).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Drop legal markers, asides and particles; reject what is not a plausible name.
fn clean(raw: &str) -> Option<String> {
    let mut s = raw.replace("(주)", " ").replace("(유)", " ").replace("주식회사", " ").replace("유한회사", " ");
    if let Some(cut) = s.find(['|', ',', '/', '(', '[', '·', '-', ':']) {
        s.truncate(cut);
    }
    let mut name = squash_spaces(s.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '.'));
    name = name.trim_end_matches('.').to_string();
    if let Some(p) = PARTICLES.iter().find(|p| name.ends_with(*p) && name.chars().count() > p.chars().count() + 1)
        && name.chars().all(|c| !c.is_ascii_alphabetic())
    {
        name.truncate(name.len() - p.len());
    }
    let chars = name.chars().count();
    let plausible = (2..=30).contains(&chars)
        && name.split_whitespace().count() <= 5
        && name.chars().any(char::is_alphabetic)
        && !is_noise(&name)
        && stages::find(&name).is_empty()
        && !roles::is_role_phrase(&name);
    plausible.then_some(name)
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&LABELED);
    LazyLock::force(&BRACKET);
    LazyLock::force(&KO_PREFIX_MARK);
    LazyLock::force(&KO_SUFFIX_MARK);
    LazyLock::force(&EN_LEGAL);
    LazyLock::force(&EN_HIRING);
    LazyLock::force(&EN_JOIN);
    LazyLock::force(&RECRUITING_HEADLINE);
    LazyLock::force(&YEARISH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_from_every_common_form() {
        let cases = [
            ("[카카오] 백엔드 개발자 채용", "카카오"),
            ("[ 카카오 ] 백엔드 개발자 채용", "카카오"),
            ("[(주)카카오] 백엔드 개발자 채용", "카카오"),
            ("(주)토스뱅크 백엔드 개발자 모집", "토스뱅크"),
            ("(주)네이버 채용", "네이버"),
            ("㈜네이버 채용", "네이버"),
            ("[채용] 카카오 백엔드 개발자", "카카오"),
            ("Newgen is hiring", "Newgen"),
            ("우아한형제들 주식회사\n서류 마감 1/15", "우아한형제들"),
            ("주식회사 우아한형제들 채용 공고", "우아한형제들"),
            ("토스뱅크(주) 신입 채용", "토스뱅크"),
            ("카카오 2026 신입 공채", "카카오"),
            ("2026 카카오 신입 공채", "카카오"),
            ("회사명: 카카오", "카카오"),
            ("기업명 : 라인플러스", "라인플러스"),
            ("- 회사: 당근마켓 (Daangn)", "당근마켓"),
            ("Company: Acme Corp", "Acme Corp"),
            ("Acme Corp is hiring a Backend Engineer", "Acme Corp"),
            ("Globex is looking for a Designer", "Globex"),
            ("Join Initech as a Data Scientist", "Initech"),
            ("Backend Engineer at Umbrella Ltd.", "Umbrella Ltd"),
            ("네이버웹툰 백엔드 개발자 채용", "네이버웹툰"),
            ("채용 안내\n회사명: 카카오", "카카오"),
        ];
        for (text, want) in cases {
            assert_eq!(extract(&super::super::text::normalize(text)).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn no_company_is_better_than_a_wrong_one() {
        for text in [
            "[채용] 백엔드 개발자 모집",
            "[신입/경력] 프론트엔드 개발자",
            "백엔드 개발자 채용",
            "신입 개발자 모집",
            "서류 마감: 1월 15일",
            "[전형 일정]\n서류 마감 1/15",
            "We are hiring a Backend Engineer",
            "",
        ] {
            assert_eq!(extract(text), None, "{text}");
        }
    }
}

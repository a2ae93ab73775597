//! Hashtags: the company, the job's field and the career level.

use std::sync::LazyLock;

use regex::Regex;

use super::roles::field_tags;

/// More tags than this stop being a summary.
pub const MAX_TAGS: usize = 6;

static NEW_GRAD: LazyLock<Regex> =
    LazyLock::new(|| super::text::regex(r"(?i)신입|new[\s-]*grad|entry[\s-]*level|\bjunior\b|\bgraduates?\b"));
static EXPERIENCED: LazyLock<Regex> = LazyLock::new(|| {
    super::text::regex(r"(?i)경력|\bexperienced\b|\bsenior\b|\d+\+?\s*years?\s+of\s+(?:professional\s+)?experience")
});
static INTERN: LazyLock<Regex> = LazyLock::new(|| super::text::regex(r"(?i)인턴|\binterns?(?:hip)?\b"));

/// `#company`, field tags from the position (or the headline when there is none), then levels.
pub fn build(company: Option<&str>, position: Option<&str>, text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let mut add = |tag: String| {
        if tag.len() > 1 && !tags.contains(&tag) && tags.len() < MAX_TAGS {
            tags.push(tag);
        }
    };
    if let Some(company) = company {
        add(tag(company));
    }
    let headline = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    for field in field_tags(position.unwrap_or(headline)) {
        add(tag(field));
    }
    // A headline that names the level is authoritative; the body also talks about other levels
    // ("경력 3년 이상 별도 협의" in a 신입 posting).
    let headline_levels = levels(headline);
    for level in if headline_levels.is_empty() { levels(text) } else { headline_levels } {
        add(tag(level));
    }
    tags
}

/// `#` plus the words without spaces or punctuation (`Acme Corp.` → `#AcmeCorp`).
fn tag(words: &str) -> String {
    let body: String = words.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
    format!("#{body}")
}

fn levels(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if NEW_GRAD.is_match(text) {
        out.push("신입");
    }
    // "경력 무관" (experience not required) and "경력 우대" (a plus) do not make a job senior.
    let experienced = EXPERIENCED.find_iter(text).any(|m| {
        let rest: String = text[m.end()..].chars().take(6).collect();
        !["무관", "우대", "자 우대", "이 있으면", "불문"].iter().any(|w| rest.trim_start().starts_with(w))
    });
    if experienced {
        out.push("경력");
    }
    // "인턴 경험" is a qualification, not an internship on offer.
    let intern = INTERN.find_iter(text).any(|m| {
        let rest = text[m.end()..].trim_start();
        !["경험", "경력", "experience"].iter().any(|w| rest.starts_with(w))
    });
    if intern {
        out.push("인턴");
    }
    out
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&NEW_GRAD);
    LazyLock::force(&EXPERIENCED);
    LazyLock::force(&INTERN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_company_field_and_level() {
        assert_eq!(
            build(Some("카카오"), Some("백엔드 개발자"), "[카카오] 백엔드 개발자 신입 채용"),
            ["#카카오", "#백엔드", "#신입"]
        );
        assert_eq!(
            build(Some("Acme Corp"), Some("Backend Engineer"), "New grads welcome"),
            ["#AcmeCorp", "#백엔드", "#신입"]
        );
        assert_eq!(build(None, Some("데이터 엔지니어"), "경력 3년 이상"), ["#데이터", "#경력"]);
        assert_eq!(build(None, Some("AI 연구원"), "2026 하계 인턴십"), ["#AI", "#인턴"]);
        assert_eq!(build(None, None, "프론트엔드 개발자 모집 (신입/경력)"), ["#프론트엔드", "#신입", "#경력"]);
    }

    #[test]
    fn hashtags_are_deduplicated_and_capped() {
        let tags = build(
            Some("카카오"),
            Some("백엔드 서버 프론트엔드 데이터 AI iOS 안드로이드 개발자"),
            "신입 경력 인턴 채용",
        );
        assert_eq!(tags.len(), MAX_TAGS);
        assert_eq!(tags[..3], ["#카카오", "#백엔드", "#프론트엔드"]);
        let mut unique = tags.clone();
        unique.dedup();
        assert_eq!(unique, tags);
        assert!(tags.iter().all(|t| t.starts_with('#') && !t.contains(' ')));
    }

    #[test]
    fn headline_level_wins_over_the_body() {
        assert_eq!(build(None, None, "2026 신입 공채\n연봉: 경력 3년 이상 별도 협의"), ["#신입"]);
        assert_eq!(build(None, None, "개발자 모집\n신입/경력 모두 지원 가능"), ["#개발", "#신입", "#경력"]);
    }

    #[test]
    fn qualification_phrases_are_not_levels() {
        assert_eq!(build(None, None, "신입 모집, 관련 경력 우대, 경력 무관, 인턴 경험 우대"), ["#신입"]);
    }
}

//! The advertised position: a `모집 직무:` label, the headline after the
//! company, or the first job title written anywhere.

use std::sync::LazyLock;

use regex::Regex;

use super::roles::{EN_ROLE_HEADS, KO_ROLE_HEADS, is_role_phrase};
use super::text::squash_spaces;

fn re(pattern: &str) -> Regex {
    super::text::regex(pattern)
}

static LABELED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?im)^[ \t\-*•·▶■□○●◆◇※>]*(?:모집|채용|지원)?[ \t]*(?:직무|분야|부문|직군|직종|포지션)(?:명)?[ \t]*[:|][ \t]*(.+)$|^[ \t\-*•]*(?:position|role|job[ \t]+title|title|opening)[ \t]*[:|][ \t]*(.+)$",
    )
});
static BRACKET_HEAD: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\[[^\[\]]{1,40}\]\s*(.+)$"));
static KO_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?:([가-힣A-Za-z0-9+#/.]+)[ \t])?([가-힣A-Za-z+#/]*(?:{}))", KO_ROLE_HEADS.join("|")))
});
static EN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b((?:[A-Z][A-Za-z0-9+#./-]*[ \t]+){{0,3}}(?:{}))s?\b", EN_ROLE_HEADS.join("|"))));
static ASIDE: LazyLock<Regex> = LazyLock::new(|| re(r"\([^()]*\)|\[[^\[\]]*\]"));

/// Headline words that are about the hiring, not the job.
const HEADLINE_NOISE: &[&str] = &[
    "채용",
    "공채",
    "모집",
    "공고",
    "채용공고",
    "신입",
    "경력",
    "신입/경력",
    "경력/신입",
    "인턴",
    "상반기",
    "하반기",
    "정규직",
    "계약직",
    "수시",
    "상시",
    "신입사원",
    "경력사원",
    "및",
    "각",
    "부문",
    "0명",
    "00명",
    "o명",
    "합니다",
    "hiring",
];
/// Words before a Korean role head that do not belong to the title (`함께할 개발자`).
const KO_PREFIX_NOISE: &[&str] =
    &["신입", "경력", "채용", "모집", "우대", "및", "모든", "각", "관련", "전문", "현직", "시니어급"];
/// Capitalised words before an English role head that open the sentence instead.
const EN_PREFIX_NOISE: &[&str] =
    &["We", "Our", "The", "A", "An", "As", "Join", "Hiring", "Position", "Role", "Title", "Seeking"];

pub fn extract(text: &str, company: Option<&str>) -> Option<String> {
    labeled(text).or_else(|| headline(text, company)).or_else(|| first_title(text))
}

fn labeled(text: &str) -> Option<String> {
    LABELED.captures_iter(text).find_map(|c| c.get(1).or_else(|| c.get(2)).and_then(|v| clean(v.as_str())))
}

/// `[카카오] 백엔드 개발자 채용` or `카카오 백엔드 개발자 채용` → `백엔드 개발자`.
fn headline(text: &str, company: Option<&str>) -> Option<String> {
    text.lines().filter(|l| !l.trim().is_empty()).take(3).find_map(|line| {
        let rest = if let Some(c) = BRACKET_HEAD.captures(line) {
            c.get(1)?.as_str().to_string()
        } else {
            let company = company?;
            let at = line.find(company)?;
            line[at + company.len()..].to_string()
        };
        let rest = ASIDE.replace_all(&rest, " ");
        let words: Vec<&str> = rest
            .split_whitespace()
            .filter(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
                !w.is_empty() && !HEADLINE_NOISE.contains(&w.to_lowercase().as_str()) && !is_year(w)
            })
            .collect();
        let title = words.join(" ");
        // English headlines are sentences (`Acme is hiring a …`); their titles are found by `first_title`.
        let sentence = words.iter().any(|w| w.chars().all(|c| c.is_ascii_lowercase()));
        if is_role_phrase(&title) && !sentence && title.chars().count() <= 40 { clean(&title) } else { None }
    })
}

fn is_year(word: &str) -> bool {
    let digits = word.trim_end_matches('년');
    digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The earliest job title anywhere in the text.
fn first_title(text: &str) -> Option<String> {
    let korean = KO_TITLE.captures_iter(text).find_map(|c| {
        let head = c.get(2)?;
        let mut head_text = head.as_str();
        for noise in ["신입", "경력"] {
            head_text = head_text.strip_prefix(noise).unwrap_or(head_text);
        }
        let prefix = c.get(1).map(|p| p.as_str()).filter(|p| korean_prefix_belongs(p));
        let title = match prefix {
            Some(p) => format!("{p} {head_text}"),
            None => head_text.to_string(),
        };
        Some((c.get(1).filter(|_| prefix.is_some()).unwrap_or(head).start(), title))
    });
    let english = EN_TITLE.captures_iter(text).find_map(|c| {
        let m = c.get(1)?;
        let words: Vec<&str> = m.as_str().split_whitespace().skip_while(|w| EN_PREFIX_NOISE.contains(w)).collect();
        (!words.is_empty()).then(|| (m.start(), words.join(" ")))
    });
    let best = match (korean, english) {
        (Some(k), Some(e)) => Some(if e.0 < k.0 { e } else { k }),
        (k, e) => k.or(e),
    };
    best.and_then(|(_, title)| clean(&title))
}

/// A word before `개발자` that is a field (`백엔드`), not a verb or particle (`함께할`, `를`).
fn korean_prefix_belongs(prefix: &str) -> bool {
    let particle_end = ["할", "를", "을", "는", "은", "의", "와", "과", "한", "된", "인", "이", "가", "로", "및", "에"];
    !KO_PREFIX_NOISE.contains(&prefix)
        && !prefix.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !particle_end.iter().any(|p| prefix.ends_with(p) && !is_role_phrase(prefix))
}

/// Trim asides, recruiting words and punctuation; reject what is too long to be a title.
fn clean(raw: &str) -> Option<String> {
    let mut s = ASIDE.replace_all(raw, " ").to_string();
    if let Some(cut) = s.find(['|', '(', '[']) {
        s.truncate(cut);
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut end = words.len();
    while end > 0 && HEADLINE_NOISE.contains(&words[end - 1].to_lowercase().as_str()) {
        end -= 1;
    }
    let title = squash_spaces(&words[..end].join(" "));
    let title = title.trim_matches(|c: char| !c.is_alphanumeric() && c != '+' && c != '#').to_string();
    let chars = title.chars().count();
    ((2..=40).contains(&chars) && title.chars().any(char::is_alphabetic)).then_some(title)
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&LABELED);
    LazyLock::force(&BRACKET_HEAD);
    LazyLock::force(&KO_TITLE);
    LazyLock::force(&EN_TITLE);
    LazyLock::force(&ASIDE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(text: &str, company: Option<&str>) -> Option<String> {
        extract(&super::super::text::normalize(text), company)
    }

    #[test]
    fn position_from_labels_headlines_and_titles() {
        let cases = [
            ("[카카오] 백엔드 개발자 채용", Some("카카오"), "백엔드 개발자"),
            ("[카카오] 2026 신입 백엔드 개발자 채용", Some("카카오"), "백엔드 개발자"),
            ("[카카오] 프론트엔드 개발 (신입/경력) 채용", Some("카카오"), "프론트엔드 개발"),
            ("카카오 서버 개발자 모집", Some("카카오"), "서버 개발자"),
            ("모집 직무: 프론트엔드 개발", None, "프론트엔드 개발"),
            ("모집직무 : 데이터 엔지니어 (경력 3년 이상)", None, "데이터 엔지니어"),
            ("포지션: iOS 개발자", None, "iOS 개발자"),
            ("직무: 프로덕트 디자이너", None, "프로덕트 디자이너"),
            ("Position: Backend Engineer", None, "Backend Engineer"),
            ("Role: Senior Data Scientist", None, "Senior Data Scientist"),
            ("Acme Corp is hiring a Backend Engineer", Some("Acme Corp"), "Backend Engineer"),
            ("We are looking for a Product Designer to join us", None, "Product Designer"),
            ("함께할 백엔드 개발자를 찾습니다", None, "백엔드 개발자"),
            ("우리 팀과 함께할 개발자를 찾습니다", None, "개발자"),
            ("서비스 기획자 채용", None, "서비스 기획자"),
            ("퍼포먼스 마케터 모집", None, "퍼포먼스 마케터"),
            ("Hiring: Software Engineer", None, "Software Engineer"),
        ];
        for (text, company, want) in cases {
            assert_eq!(pos(text, company).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn no_position_when_nothing_names_a_job() {
        for text in ["[카카오] 2026 신입 공채", "카카오 2026 신입 공채", "서류 마감: 1월 15일", ""]
        {
            assert_eq!(pos(text, Some("카카오")), None, "{text}");
        }
    }
}

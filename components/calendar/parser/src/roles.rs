//! Job vocabulary shared by the position, company and hashtag extractors.

/// Korean words that end a job title (`백엔드 개발자`, `UX 디자이너`).
pub const KO_ROLE_HEADS: &[&str] = &[
    "개발자",
    "엔지니어",
    "디자이너",
    "기획자",
    "마케터",
    "연구원",
    "리서처",
    "애널리스트",
    "분석가",
    "사이언티스트",
    "아키텍트",
    "매니저",
    "운영자",
];

/// English words that end a job title (`Backend Engineer`).
pub const EN_ROLE_HEADS: &[&str] = &[
    "Engineer",
    "Developer",
    "Designer",
    "Manager",
    "Scientist",
    "Analyst",
    "Researcher",
    "Marketer",
    "Architect",
    "Intern",
];

/// Field keywords (lower case) and the hashtag each stands for.
const FIELDS: &[(&[&str], &str)] = &[
    (&["백엔드", "backend", "back-end", "서버", "server"], "백엔드"),
    (&["프론트엔드", "프론트", "frontend", "front-end"], "프론트엔드"),
    (&["풀스택", "full-stack", "fullstack", "full stack"], "풀스택"),
    (&["머신러닝", "machine learning", "딥러닝", "deep learning", "인공지능", "ai", "ml", "llm"], "AI"),
    (&["데이터", "data"], "데이터"),
    (&["안드로이드", "android"], "안드로이드"),
    (&["ios"], "iOS"),
    (&["모바일", "mobile"], "모바일"),
    (&["devops", "데브옵스", "인프라", "infra", "infrastructure", "sre", "클라우드", "cloud"], "인프라"),
    (&["보안", "security"], "보안"),
    (&["임베디드", "embedded"], "임베디드"),
    (&["게임", "game"], "게임"),
    (&["qa", "품질"], "QA"),
    (&["디자이너", "디자인", "designer", "design", "ux", "ui"], "디자인"),
    (&["기획", "pm", "po", "product manager", "product owner"], "기획"),
    (&["마케팅", "마케터", "marketing", "marketer", "growth"], "마케팅"),
];

/// Does `needle` occur in `lower` (already lower-cased)? ASCII needles must be whole words,
/// so `ai` is not found in `maintain` nor `ui` in `build`.
fn mentions(lower: &str, needle: &str) -> Option<usize> {
    if !needle.is_ascii() {
        return lower.find(needle);
    }
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|t| t.find(needle)) {
        let at = from + i;
        let end = at + needle.len();
        let before = lower[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric());
        let after = lower[end..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
        if before && after {
            return Some(at);
        }
        from = end;
    }
    None
}

/// Field hashtags (without `#`) named in `text`, in order of appearance.
pub fn field_tags(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let mut found: Vec<(usize, &'static str)> = FIELDS
        .iter()
        .filter_map(|(needles, tag)| needles.iter().filter_map(|n| mentions(&lower, n)).min().map(|at| (at, *tag)))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    let mut tags: Vec<&'static str> = found.into_iter().map(|(_, t)| t).collect();
    if tags.is_empty() {
        let generic = ["개발", "developer", "engineer", "엔지니어", "programmer"];
        if generic.iter().any(|g| mentions(&lower, g).is_some() || lower.contains(g)) {
            tags.push("개발");
        }
    }
    tags
}

/// Is `phrase` a job title or field rather than a name (`백엔드`, `서버 개발자`, `Engineer`)?
pub fn is_role_phrase(phrase: &str) -> bool {
    phrase.split_whitespace().any(|token| {
        let lower = token.to_lowercase();
        KO_ROLE_HEADS.iter().any(|h| token.ends_with(h))
            || EN_ROLE_HEADS.iter().any(|h| lower == h.to_lowercase())
            || FIELDS.iter().any(|(needles, _)| needles.contains(&lower.as_str()))
            || ["개발", "기획", "디자인", "마케팅", "영업", "운영", "신입", "경력"].contains(&lower.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_tags_from_titles() {
        let cases: [(&str, &[&str]); 12] = [
            ("백엔드 개발자", &["백엔드"]),
            ("서버 개발자", &["백엔드"]),
            ("프론트엔드 개발", &["프론트엔드"]),
            ("Backend Engineer", &["백엔드"]),
            ("데이터 엔지니어", &["데이터"]),
            ("AI 연구원", &["AI"]),
            ("Machine Learning Engineer", &["AI"]),
            ("iOS Developer", &["iOS"]),
            ("UX 디자이너", &["디자인"]),
            ("소프트웨어 개발자", &["개발"]),
            ("Software Engineer", &["개발"]),
            ("Maintain build tools", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(field_tags(text), want, "{text}");
        }
    }

    #[test]
    fn role_phrases_are_not_names() {
        for phrase in ["백엔드", "서버 개발자", "Engineer", "Backend", "신입"] {
            assert!(is_role_phrase(phrase), "{phrase}");
        }
        for name in ["카카오", "데이터솔루션", "Acme Corp", "Newgen"] {
            assert!(!is_role_phrase(name), "{name}");
        }
    }
}

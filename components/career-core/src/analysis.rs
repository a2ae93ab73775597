//! A résumé's strengths, weaknesses and suggestions against a posting,
//! written without a model from what [`crate::resume`], [`crate::posting`]
//! and [`crate::matching`] found: every sentence names the fact it rests on.

use chrono::NaiveDate;

use crate::matching::{self, SkillMatch, Via};
use crate::posting::{self, PostingFacts};
use crate::resume::{self, ResumeFacts};
use crate::skills::Skill;
use crate::text::{clip, object_particle};

/// The narrative parts of an analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrative {
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub suggestions: Vec<String>,
    pub recommendations: Vec<String>,
}

/// Everything an analysis computes before any wording.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub resume: ResumeFacts,
    pub posting: PostingFacts,
    pub matching: SkillMatch,
}

/// Read both texts and match them by the dictionary (near synonyms are the caller's next step).
pub fn analyse(resume_text: &str, posting_text: &str, reference: NaiveDate) -> Analysis {
    let resume = resume::facts(resume_text, reference);
    let posting = posting::facts(posting_text, reference);
    let matching = matching::match_skills(&resume.skills, &posting.skills);
    Analysis { resume, posting, matching }
}

fn list(skills: &[&'static Skill], max: usize) -> String {
    skills.iter().take(max).map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// The field the posting's position names (`프론트엔드`), for `프론트엔드 관련 경력 3년`.
fn field(position: Option<&str>) -> Option<&'static str> {
    let p = position?.to_lowercase();
    [
        ("프론트", "프론트엔드"),
        ("frontend", "프론트엔드"),
        ("front-end", "프론트엔드"),
        ("백엔드", "백엔드"),
        ("backend", "백엔드"),
        ("back-end", "백엔드"),
        ("서버", "서버"),
        ("풀스택", "풀스택"),
        ("full-stack", "풀스택"),
        ("fullstack", "풀스택"),
        ("데이터", "데이터"),
        ("data", "데이터"),
        ("ios", "iOS"),
        ("안드로이드", "안드로이드"),
        ("android", "안드로이드"),
        ("devops", "DevOps"),
        ("클라우드", "클라우드"),
        ("cloud", "클라우드"),
        ("machine learning", "머신러닝"),
        ("ml", "머신러닝"),
        ("qa", "QA"),
        ("보안", "보안"),
        ("security", "보안"),
    ]
    .iter()
    .find(|(k, _)| p.contains(k))
    .map(|(_, v)| *v)
}

/// Strengths, weaknesses, suggestions and recommendations from the facts.
pub fn narrative(a: &Analysis) -> Narrative {
    let m = &a.matching;
    let r = &a.resume;
    let mut strengths = Vec::new();
    let mut weaknesses = Vec::new();
    let mut suggestions = Vec::new();

    let matched_required: Vec<&'static Skill> = m.matched.iter().filter(|x| x.required).map(|x| x.skill).collect();
    let matched_preferred: Vec<&'static Skill> = m.matched.iter().filter(|x| !x.required).map(|x| x.skill).collect();

    if let Some(years) = r.years {
        let top: Vec<&'static Skill> = r.skills.iter().copied().filter(|s| s.kind.is_technical()).take(2).collect();
        let around = if top.is_empty() { String::new() } else { format!(" ({} 중심)", list(&top, 2)) };
        match field(a.posting.position.as_deref()) {
            Some(f) => strengths.push(format!("{f} 관련 개발 경력 {years}년{around}")),
            None => strengths.push(format!("실무 경력 {years}년{around}")),
        }
    }
    if !matched_required.is_empty() {
        strengths.push(format!(
            "공고의 필수 기술 {} 보유 ({}/{} 충족)",
            list(&matched_required, 4),
            matched_required.len(),
            m.required_total
        ));
    }
    if !matched_preferred.is_empty() {
        strengths.push(format!("우대 기술 {} 경험", list(&matched_preferred, 3)));
    }
    for result in r.results.iter().take(2) {
        strengths.push(format!("정량적 성과 제시: '{}'", clip(result, 40)));
    }
    if r.project_count > 0 {
        let names = r.projects.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        if names.is_empty() {
            strengths.push(format!("프로젝트 경험 {}건", r.project_count));
        } else {
            strengths.push(format!("프로젝트 경험 {}건 ({names})", r.project_count));
        }
    }
    let extra: Vec<&'static Skill> = r
        .skills
        .iter()
        .copied()
        .filter(|s| s.kind.is_technical() && !m.matched.iter().any(|x| crate::skills::shows(s, x.skill)))
        .take(3)
        .collect();
    if !extra.is_empty() && !m.matched.is_empty() {
        strengths.push(format!("공고 외 보유 기술: {}", list(&extra, 3)));
    }

    if !m.missing_required.is_empty() {
        weaknesses.push(format!("필수 기술 {} 경험이 이력서에 드러나지 않음", list(&m.missing_required, 4)));
    }
    if !m.missing_preferred.is_empty() {
        weaknesses.push(format!("우대 기술 {} 경험 부족", list(&m.missing_preferred, 3)));
    }
    match (a.posting.years_required, r.years) {
        (Some(need), Some(have)) if have < need => {
            weaknesses.push(format!("공고 요구 경력({need}년 이상)보다 경력이 짧음 ({have}년)"))
        }
        (Some(need), None) => {
            weaknesses.push(format!("공고가 경력 {need}년 이상을 요구하나 이력서에 경력 기간이 명시되지 않음"))
        }
        (None, None) => weaknesses.push("경력 기간이 명시되지 않음".to_string()),
        _ => {}
    }
    if r.results.is_empty() {
        weaknesses.push("프로젝트 성과가 수치로 제시되지 않음".to_string());
    }
    if r.project_count == 0 {
        weaknesses.push("구체적인 프로젝트 경험이 드러나지 않음".to_string());
    }

    for skill in m.missing_required.iter().take(3) {
        suggestions.push(matching::how_to_gain(skill));
    }
    for skill in m.missing_preferred.iter().take(2) {
        suggestions.push(format!("우대 기술 보완: {}", matching::how_to_gain(skill)));
    }
    if r.results.is_empty() {
        suggestions.push("프로젝트 성과를 수치로 표현하세요 (예: 응답 시간 30% 단축, 전환율 2배 향상)".to_string());
    }
    if r.years.is_none() {
        suggestions.push("재직·프로젝트 기간을 명시하세요 (예: 2021.03 ~ 2024.02)".to_string());
    }
    for x in m.matched.iter().filter(|x| x.via == Via::Embedding) {
        if let Some(phrase) = &x.phrase {
            suggestions.push(format!(
                "'{phrase}' 경험을 공고 표현 '{}'{} 함께 적어 검색·필터에 걸리게 하세요",
                x.skill.name,
                crate::text::and_particle(x.skill.name)
            ));
        }
    }
    if let Some(first) = matched_required.first()
        && r.results.is_empty()
    {
        suggestions.push(format!(
            "{}{} 사용한 프로젝트의 역할과 결과를 구체적으로 서술하세요",
            first.name,
            object_particle(first.name)
        ));
    }

    Narrative {
        strengths,
        weaknesses,
        suggestions,
        recommendations: matching::recommendations(m, !r.results.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrative_rests_on_the_facts() {
        let posting = "[카카오] 프론트엔드 개발자\n자격요건\n- React, TypeScript, Next.js 경험 3년 이상\n우대사항\n- GraphQL, AWS";
        let resume =
            "프론트엔드 개발 경력 3년\n[쇼핑몰 리뉴얼]\n- React, TypeScript로 개발\n- 페이지 로딩 시간 40% 단축";
        let a = analyse(resume, posting, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        let n = narrative(&a);
        assert!(n.strengths.iter().any(|s| s == "프론트엔드 관련 개발 경력 3년 (React, TypeScript 중심)"), "{n:?}");
        assert!(n.strengths.iter().any(|s| s.contains("React, TypeScript 보유 (2/3 충족)")), "{n:?}");
        assert!(n.strengths.iter().any(|s| s.contains("40% 단축")), "{n:?}");
        assert!(n.weaknesses.iter().any(|s| s.contains("Next.js")), "{n:?}");
        assert!(n.suggestions.iter().any(|s| s.contains("AWS 자격증")), "{n:?}");
        assert!(n.recommendations.iter().any(|s| s.contains("Next.js")), "{n:?}");
    }

    #[test]
    fn a_thin_resume_is_told_what_is_missing() {
        let a = analyse("열심히 하겠습니다", "자격요건: Java, Spring", NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        let n = narrative(&a);
        assert!(n.strengths.is_empty(), "{n:?}");
        assert!(n.weaknesses.iter().any(|w| w.contains("경력 기간")), "{n:?}");
        assert!(n.weaknesses.iter().any(|w| w.contains("수치")), "{n:?}");
        assert!(n.suggestions.iter().any(|s| s.contains("Java")), "{n:?}");
    }
}

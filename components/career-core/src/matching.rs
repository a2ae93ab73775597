//! A résumé against a posting: which of the posting's skills the résumé
//! shows, which it lacks, a score and a grade.
//!
//! # Score
//!
//! `score = round(100 × (0.7 × R + 0.3 × P))`, where `R` is the share of
//! required skills the résumé shows and `P` the share of preferred ones; a
//! posting with only required (or only preferred) skills scores that share
//! alone (`100 × R`), and one with neither scores 0 (nothing to match).
//! Required skills weigh more because a posting's requirements are what a
//! screener checks first; a skill matched through embeddings counts as
//! fully as one matched through the dictionary (it passed the threshold).
//!
//! # Grade
//!
//! | score | grade |
//! |---|---|
//! | 95–100 | A+ |
//! | 85–94 | A |
//! | 75–84 | B+ |
//! | 65–74 | B |
//! | 55–64 | C+ |
//! | 45–54 | C |
//! | 35–44 | D |
//! | 0–34 | F |
//!
//! The same table grades interview reports. The bands follow the seed's
//! examples (85 is an A, 78 a B+) and are ten points wide where most scores fall.
//!
//! # Near synonyms
//!
//! A résumé may name a missing skill in words the dictionary lacks
//! (`Vuex` for Vue.js, a product name, a misspelling). [`near_synonyms`]
//! embeds the missing skills' names and the résumé's candidate phrases
//! (Latin-script words and two-word runs the dictionary does not know) and
//! counts a skill as matched when a phrase's cosine similarity to its name is
//! at least [`NEAR_SYNONYM_THRESHOLD`]. The result keeps which matches came
//! from the dictionary and which from embeddings.

use crate::posting::PostingSkills;
use crate::skills::{self, Kind, Skill};
use crate::text::{and_particle, by_particle, object_particle, words};

/// Weight of the required skills' share in the score; preferred skills get the rest.
pub const REQUIRED_WEIGHT: f64 = 0.7;

/// Cosine similarity (both sides embedded as queries) at or above which a
/// résumé phrase counts as a missing skill. multilingual-e5-small puts
/// paraphrases at 0.93–0.97 and unrelated Korean sentences at or below 0.86
/// (docs/benchmarks.md, "Korean similarity"); short terms sit higher than
/// sentences for everything, so the bar is near the paraphrase band, not
/// between the two: a missed synonym costs a few points, a false one hides a gap.
pub const NEAR_SYNONYM_THRESHOLD: f32 = 0.92;

/// Candidate phrases embedded per analysis at most: one embeddings call stays small.
pub const MAX_CANDIDATES: usize = 60;

/// How a skill was found in the résumé.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A spelling from the skill dictionary.
    Dictionary,
    /// A phrase whose embedding is close enough to the skill's name.
    Embedding,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Dictionary => "dictionary",
            Via::Embedding => "embedding",
        }
    }
}

/// One of the posting's skills the résumé shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub skill: &'static Skill,
    pub required: bool,
    pub via: Via,
    /// The résumé's phrase, for embedding matches.
    pub phrase: Option<String>,
    /// Cosine similarity, for embedding matches.
    pub similarity: Option<f32>,
}

/// The résumé against the posting.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillMatch {
    /// Required skills first, then preferred, each in the posting's order.
    pub matched: Vec<Matched>,
    pub missing_required: Vec<&'static Skill>,
    pub missing_preferred: Vec<&'static Skill>,
    pub required_total: usize,
    pub preferred_total: usize,
}

impl SkillMatch {
    /// 0–100, see the module documentation.
    pub fn score(&self) -> u8 {
        let share = |hit: usize, total: usize| if total == 0 { 0.0 } else { hit as f64 / total as f64 };
        let required_hit = self.matched.iter().filter(|m| m.required).count();
        let preferred_hit = self.matched.len() - required_hit;
        let r = share(required_hit, self.required_total);
        let p = share(preferred_hit, self.preferred_total);
        let value = match (self.required_total > 0, self.preferred_total > 0) {
            (true, true) => REQUIRED_WEIGHT * r + (1.0 - REQUIRED_WEIGHT) * p,
            (true, false) => r,
            (false, true) => p,
            (false, false) => 0.0,
        };
        (value * 100.0).round().clamp(0.0, 100.0) as u8
    }

    pub fn grade(&self) -> &'static str {
        grade(self.score())
    }

    pub fn matched_names(&self) -> Vec<String> {
        self.matched.iter().map(|m| m.skill.name.to_string()).collect()
    }

    /// Required missing first, then preferred.
    pub fn missing_names(&self) -> Vec<String> {
        self.missing_required.iter().chain(&self.missing_preferred).map(|s| s.name.to_string()).collect()
    }

    fn is_matched(&self, skill: &Skill) -> bool {
        self.matched.iter().any(|m| std::ptr::eq(m.skill, skill))
    }
}

/// The grade of a 0–100 score (see the module documentation).
pub fn grade(score: u8) -> &'static str {
    match score {
        95.. => "A+",
        85..=94 => "A",
        75..=84 => "B+",
        65..=74 => "B",
        55..=64 => "C+",
        45..=54 => "C",
        35..=44 => "D",
        _ => "F",
    }
}

/// The posting's skills against the skills found in the résumé by the dictionary.
///
/// A skill the posting offers as one of a choice (`Java 또는 Kotlin`) that
/// the résumé lacks while showing another of the choice is neither matched
/// nor missing: it leaves the count, so a Java developer is not marked down
/// for Kotlin.
pub fn match_skills(resume_skills: &[&'static Skill], posting: &PostingSkills) -> SkillMatch {
    let has = |skill: &Skill| resume_skills.iter().any(|r| skills::shows(r, skill));
    let covered_by_choice = |skill: &Skill| {
        posting.alternatives.iter().any(|group| {
            group.iter().any(|g| std::ptr::eq(*g, skill)) && group.iter().any(|g| !std::ptr::eq(*g, skill) && has(g))
        })
    };
    let mut matched = Vec::new();
    let mut missing_required = Vec::new();
    let mut missing_preferred = Vec::new();
    let (mut required_total, mut preferred_total) = (0, 0);
    for (list, required) in [(&posting.required, true), (&posting.preferred, false)] {
        for &skill in list {
            let shown = has(skill);
            if !shown && covered_by_choice(skill) {
                continue;
            }
            if required {
                required_total += 1;
            } else {
                preferred_total += 1;
            }
            if shown {
                matched.push(Matched { skill, required, via: Via::Dictionary, phrase: None, similarity: None });
            } else if required {
                missing_required.push(skill);
            } else {
                missing_preferred.push(skill);
            }
        }
    }
    SkillMatch { matched, missing_required, missing_preferred, required_total, preferred_total }
}

/// Common English words that are never a skill, kept out of the candidates.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "the",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "by",
    "from",
    "as",
    "is",
    "was",
    "were",
    "be",
    "been",
    "are",
    "or",
    "using",
    "used",
    "use",
    "team",
    "project",
    "projects",
    "service",
    "services",
    "system",
    "systems",
    "company",
    "experience",
    "years",
    "year",
    "developer",
    "engineer",
    "development",
    "i",
    "we",
    "my",
    "our",
    "it",
    "this",
    "that",
    "led",
    "built",
    "build",
    "developed",
    "worked",
    "work",
    "based",
    "etc",
    "about",
    "into",
    "over",
    "under",
    "per",
    "via",
    "new",
    "web",
    "app",
    "api",
    "data",
    "backend",
    "frontend",
    "server",
];

/// Phrases of the résumé the dictionary does not know that could name a
/// skill: words with a Latin letter (`Vuex`, `Elastic`), and two such words
/// in a row (`Elastic Stack`). At most [`MAX_CANDIDATES`], first seen first.
pub fn candidate_phrases(resume: &str) -> Vec<String> {
    let known: Vec<(usize, usize)> = skills::find(resume).iter().map(|m| (m.start, m.end)).collect();
    let mut out: Vec<String> = Vec::new();
    let mut push = |phrase: String| {
        if out.len() < MAX_CANDIDATES && !out.iter().any(|o| o.eq_ignore_ascii_case(&phrase)) {
            out.push(phrase);
        }
    };
    for line in resume.lines() {
        let line_start = line.as_ptr() as usize - resume.as_ptr() as usize;
        let latin: Vec<&str> = words(line)
            .into_iter()
            .filter(|w| {
                let start = line_start + (w.as_ptr() as usize - line.as_ptr() as usize);
                let inside_known = known.iter().any(|&(s, e)| start < e && s < start + w.len());
                w.chars().any(|c| c.is_ascii_alphabetic())
                    && w.chars().all(|c| c.is_ascii() && !c.is_ascii_whitespace())
                    && w.len() >= 2
                    && !inside_known
                    && !STOPWORDS.contains(&w.to_ascii_lowercase().as_str())
            })
            .collect();
        for (i, w) in latin.iter().enumerate() {
            push(w.to_string());
            if let Some(next) = latin.get(i + 1) {
                // Only words that stood next to each other in the line make a phrase.
                let between = &line[w.as_ptr() as usize - line.as_ptr() as usize + w.len()
                    ..next.as_ptr() as usize - line.as_ptr() as usize];
                if between.trim().is_empty() {
                    push(format!("{w} {next}"));
                }
            }
        }
    }
    out
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na.sqrt() * nb.sqrt()) }
}

/// Count missing skills the résumé names in other words (see the module
/// documentation). `embed` turns texts into vectors in the same order (the
/// embeddings engine, with both sides as queries); nothing is embedded when
/// no skill is missing or the résumé has no candidate phrase. Each phrase
/// matches one skill at most, the closest pair first.
pub fn near_synonyms<E>(
    matching: &mut SkillMatch,
    resume: &str,
    embed: impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<(), E> {
    let missing: Vec<(&'static Skill, bool)> = matching
        .missing_required
        .iter()
        .map(|s| (*s, true))
        .chain(matching.missing_preferred.iter().map(|s| (*s, false)))
        .collect();
    let candidates = candidate_phrases(resume);
    if missing.is_empty() || candidates.is_empty() {
        return Ok(());
    }
    let texts: Vec<&str> = missing.iter().map(|(s, _)| s.name).chain(candidates.iter().map(String::as_str)).collect();
    let vectors = embed(&texts)?;
    if vectors.len() != texts.len() {
        return Ok(());
    }
    let (skill_vectors, phrase_vectors) = vectors.split_at(missing.len());
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (i, sv) in skill_vectors.iter().enumerate() {
        for (j, pv) in phrase_vectors.iter().enumerate() {
            let similarity = cosine(sv, pv);
            if similarity >= NEAR_SYNONYM_THRESHOLD {
                pairs.push((similarity, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut skill_used = vec![false; missing.len()];
    let mut phrase_used = vec![false; candidates.len()];
    let mut found: Vec<(usize, Matched)> = Vec::new();
    for (similarity, i, j) in pairs {
        if skill_used[i] || phrase_used[j] {
            continue;
        }
        skill_used[i] = true;
        phrase_used[j] = true;
        let (skill, required) = missing[i];
        found.push((
            i,
            Matched {
                skill,
                required,
                via: Via::Embedding,
                phrase: Some(candidates[j].clone()),
                similarity: Some((similarity * 1000.0).round() / 1000.0),
            },
        ));
    }
    found.sort_by_key(|(i, _)| *i);
    for (_, m) in found {
        if m.required {
            matching.missing_required.retain(|s| !std::ptr::eq(*s, m.skill));
        } else {
            matching.missing_preferred.retain(|s| !std::ptr::eq(*s, m.skill));
        }
        matching.matched.push(m);
    }
    // Keep required before preferred after the additions.
    matching.matched.sort_by_key(|m| !m.required);
    Ok(())
}

/// What to do about a skill one lacks, worded for its kind.
pub fn how_to_gain(skill: &Skill) -> String {
    let name = skill.spoken();
    let obj = object_particle(name);
    let by = by_particle(name);
    // Middleware and infrastructure are learnt by running them, not by building an app with them.
    match skill.name {
        "Kafka" | "RabbitMQ" | "Message Queue" => {
            return format!(
                "{name}{by} 이벤트를 주고받는 작은 서비스를 구성해 보고, 처리량과 장애 시 재처리 방식을 정리하기"
            );
        }
        "Redis" => return format!("{name}{by} 캐시를 적용해 보고 적용 전후 응답 시간을 측정해 이력서에 적기"),
        "Elasticsearch" => return format!("{name}{by} 검색 기능을 구현해 보고 색인·분석기 설계를 정리하기"),
        "REST API" | "gRPC" | "GraphQL" => {
            return format!("{name} 설계 원칙을 정리하고, API를 직접 설계·문서화해 포트폴리오에 추가하기");
        }
        "Microservices" => {
            return "서비스를 기능 단위로 나눠 보는 실습으로 마이크로서비스 구조와 서비스 간 통신을 경험하기"
                .to_string();
        }
        "OAuth" | "JWT" => return format!("{name} 기반 로그인을 직접 구현해 보고 토큰 갱신·만료 처리를 정리하기"),
        "Kubernetes" | "Helm" | "EKS" | "Argo CD" => {
            return format!("개인 프로젝트를 {name}{by} 배포해 보고(minikube 등) 배포·롤백 과정을 정리하기");
        }
        "Terraform" | "Ansible" => return format!("{name}{by} 개인 프로젝트의 인프라를 코드로 구성해 보기"),
        "Linux" | "Shell Script" => {
            return format!("{name} 서버를 직접 구성·운영해 보고 자주 쓰는 명령과 장애 대응을 정리하기");
        }
        "Prometheus" | "Grafana" | "Monitoring" | "Datadog" | "Sentry" | "ELK Stack" => {
            return format!("{name}{by} 서비스 지표 대시보드와 알림을 구성해 보기");
        }
        _ => {}
    }
    match skill.kind {
        Kind::Language => format!("{name}{obj} 사용한 작은 프로젝트를 구현해 GitHub에 공개하기"),
        Kind::Frontend => format!("{name}{obj} 적용한 화면을 직접 만들어 포트폴리오에 추가하기"),
        Kind::Mobile => format!("{name}{obj} 사용한 앱을 만들어 스토어나 GitHub에 공개하기"),
        Kind::Backend => format!("{name}{obj} 사용해 인증과 CRUD API를 갖춘 서버를 만들고 배포해 보기"),
        Kind::Database => format!("{name}{obj} 사용해 스키마 설계와 쿼리 튜닝을 해 보고 결과를 이력서에 적기"),
        Kind::Cloud if name == "AWS" => {
            "AWS 자격증(Solutions Architect Associate 등) 취득 또는 개인 프로젝트를 AWS에 배포한 경험 추가".to_string()
        }
        Kind::Cloud => format!("개인 프로젝트를 {name}에 배포·운영해 보고 구성도를 포트폴리오에 추가하기"),
        Kind::DevOps => format!("{name}{obj} 사용해 빌드·배포 파이프라인을 구성해 보고 그 과정을 정리하기"),
        Kind::Data => format!("{name}{obj} 활용한 분석·모델링 프로젝트를 정리해 결과 지표와 함께 공개하기"),
        Kind::Testing => format!("기존 프로젝트에 {name} 테스트를 추가하고 커버리지 수치를 이력서에 적기"),
        Kind::Tool => format!("{name} 사용 경험을 협업 사례와 함께 이력서에 적기"),
        Kind::Practice => format!("{name}{obj} 적용한 사례를 프로젝트 설명에 구체적으로 추가하기"),
        Kind::Soft => format!("{name}{obj} 보여 준 경험을 STAR(상황·과제·행동·결과) 형식으로 서술하기"),
    }
}

/// Recommendations that follow from the match: the gaps to close first, the
/// words to align with the posting, the strengths to put forward.
pub fn recommendations(matching: &SkillMatch, has_quantified_results: bool) -> Vec<String> {
    let mut out = Vec::new();
    let names = |list: &[&'static Skill]| list.iter().map(|s| s.name).collect::<Vec<_>>().join(", ");
    if !matching.missing_required.is_empty() {
        let first = matching.missing_required[0];
        out.push(format!(
            "필수 기술 {} 보완이 가장 시급합니다: {}",
            names(&matching.missing_required[..matching.missing_required.len().min(3)]),
            how_to_gain(first)
        ));
    }
    if !matching.missing_preferred.is_empty() {
        let list = names(&matching.missing_preferred[..matching.missing_preferred.len().min(3)]);
        out.push(format!(
            "우대 기술 {list}{} 익히면 서류 평가에서 가산점을 기대할 수 있습니다",
            object_particle(&list)
        ));
    }
    for m in matching.matched.iter().filter(|m| m.via == Via::Embedding) {
        if let Some(phrase) = &m.phrase {
            out.push(format!(
                "이력서의 '{phrase}' 경험을 공고의 표현인 '{}'{} 함께 적어 두면 서류 검토에서 바로 보입니다",
                m.skill.name,
                and_particle(m.skill.name)
            ));
        }
    }
    let matched_required: Vec<&str> =
        matching.matched.iter().filter(|m| m.required).map(|m| m.skill.name).take(3).collect();
    if !matched_required.is_empty() {
        let list = matched_required.join(", ");
        out.push(format!(
            "보유한 필수 기술 {list}{} 활용한 프로젝트를 이력서 상단에 배치하세요",
            object_particle(&list)
        ));
    }
    if !has_quantified_results {
        out.push("포트폴리오에 프로젝트 성과 수치화 필요 (예: 응답 시간 30% 단축, 전환율 2배 향상)".to_string());
    }
    if matching.required_total + matching.preferred_total == 0 {
        out.push("공고에서 기술 요구사항을 찾지 못했습니다. 담당 업무에 맞춰 관련 경험을 정리해 보세요".to_string());
    }
    out
}

/// Whether `skill` is among the matched ones (for callers composing text).
pub fn is_matched(matching: &SkillMatch, skill: &Skill) -> bool {
    matching.is_matched(skill)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posting;

    fn analysed(resume: &str, posting_text: &str) -> SkillMatch {
        match_skills(&skills::names(&crate::text::squash(resume)), &posting::skills(posting_text))
    }

    #[test]
    fn score_weights_required_over_preferred() {
        let posting = "자격요건\n- React, TypeScript, Next.js\n우대사항\n- GraphQL, AWS\n";
        let m = analysed("React와 TypeScript로 3년간 개발", posting);
        assert_eq!(m.matched_names(), ["React", "TypeScript"]);
        assert_eq!(m.missing_names(), ["Next.js", "GraphQL", "AWS"]);
        // 0.7 × 2/3 + 0.3 × 0 = 0.467
        assert_eq!(m.score(), 47);
        assert_eq!(m.grade(), "C");
        let all = analysed("React TypeScript Next.js GraphQL AWS", posting);
        assert_eq!((all.score(), all.grade()), (100, "A+"));
        let required_only = analysed("React TypeScript Next.js", posting);
        assert_eq!((required_only.score(), required_only.grade()), (70, "B"));
    }

    #[test]
    fn one_skill_of_a_choice_meets_the_others() {
        let m = analysed("Java 5년, MySQL", "자격요건\n- Java 또는 Kotlin\n- RDBMS 경험\n- Docker");
        assert_eq!(m.matched_names(), ["Java", "RDBMS"]);
        assert_eq!(m.missing_names(), ["Docker"]);
        assert_eq!((m.required_total, m.score()), (3, 67));
    }

    #[test]
    fn grades_follow_the_table() {
        let table = [(100, "A+"), (95, "A+"), (94, "A"), (85, "A"), (84, "B+"), (78, "B+"), (75, "B+"), (74, "B")];
        for (score, expected) in table {
            assert_eq!(grade(score), expected, "{score}");
        }
        for (score, expected) in
            [(65, "B"), (64, "C+"), (55, "C+"), (54, "C"), (45, "C"), (44, "D"), (35, "D"), (34, "F"), (0, "F")]
        {
            assert_eq!(grade(score), expected, "{score}");
        }
    }

    #[test]
    fn near_synonyms_count_a_close_phrase_and_say_so() {
        let posting = "자격요건\n- Vue.js, Kubernetes\n";
        let resume = "Vuex 상태 관리와 Pinia 경험";
        let mut m = analysed(resume, posting);
        assert_eq!(m.matched_names(), Vec::<String>::new());
        // A fake embedder: `Vuex` points where `Vue.js` does, everything else elsewhere.
        let embed = |texts: &[&str]| -> Result<Vec<Vec<f32>>, ()> {
            Ok(texts
                .iter()
                .map(|t| match *t {
                    "Vue.js" => vec![1.0, 0.0, 0.0],
                    "Vuex" => vec![0.96, 0.28, 0.0],
                    "Kubernetes" => vec![0.0, 0.0, 1.0],
                    _ => vec![0.0, 1.0, 0.0],
                })
                .collect())
        };
        near_synonyms(&mut m, resume, embed).unwrap();
        assert_eq!(m.matched_names(), ["Vue.js"]);
        assert_eq!(m.matched[0].via, Via::Embedding);
        assert_eq!(m.matched[0].phrase.as_deref(), Some("Vuex"));
        assert_eq!(m.missing_names(), ["Kubernetes"]);
        assert!(recommendations(&m, true).iter().any(|r| r.contains("'Vuex'") && r.contains("'Vue.js'")));
    }

    #[test]
    fn nothing_is_embedded_when_nothing_is_missing() {
        let mut m = analysed("React", "자격요건: React");
        near_synonyms(&mut m, "React", |_: &[&str]| -> Result<Vec<Vec<f32>>, ()> { panic!("embedded") }).unwrap();
    }

    #[test]
    fn candidates_skip_known_skills_and_common_words() {
        let c = candidate_phrases("React와 Vuex, Elastic Stack 사용. Built the API with Pinia");
        assert!(c.contains(&"Vuex".to_string()) && c.contains(&"Elastic Stack".to_string()), "{c:?}");
        assert!(!c.iter().any(|p| p == "React" || p == "the" || p == "API"), "{c:?}");
    }
}

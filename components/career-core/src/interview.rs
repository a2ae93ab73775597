//! Interview questions without a model.
//!
//! - `technical`: from the posting's required skills and the résumé's
//!   projects, skills and quantified results, with templates per skill kind
//!   (experience questions for skills the résumé shows, concept questions for
//!   those it lacks), taken round-robin so five questions cover several skills.
//! - `personality`: a bank of behavioural questions, tied to the résumé's
//!   projects, years, the company and the soft skills the posting names.
//! - follow-ups: on the last answer's most specific content: a quantified
//!   result, then a skill it names that the question did not, then a
//!   technical noun phrase (`결제 시스템`, `이미지 캐싱`), else a request for a
//!   concrete example (`방금 말씀하신 {X}에서 …`).
//!
//! No question is asked twice in a session: every generator takes the
//! questions already asked and skips them.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::posting;
use crate::resume::{self, QUANTITY};
use crate::skills::{self, Kind, Skill};
use crate::text::{
    by_particle, object_particle, quote_adnominal, quote_verb, squash, subject_particle, topic_particle,
};

/// The seed's interview types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterviewType {
    Technical,
    Personality,
}

impl InterviewType {
    /// `technical` or `personality`, as the API spells them.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "technical" => Some(InterviewType::Technical),
            "personality" => Some(InterviewType::Personality),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InterviewType::Technical => "technical",
            InterviewType::Personality => "personality",
        }
    }
}

/// What the questions are built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    pub company: Option<String>,
    pub position: Option<String>,
    pub required: Vec<&'static Skill>,
    pub preferred: Vec<&'static Skill>,
    pub resume_skills: Vec<&'static Skill>,
    /// The posting's choices (`Java 또는 Kotlin`): a missing skill of a choice the résumé meets is not asked about.
    pub alternatives: Vec<Vec<&'static Skill>>,
    /// Projects of the retrieved passage first, then the résumé's.
    pub projects: Vec<String>,
    pub results: Vec<String>,
    pub years: Option<u32>,
}

impl Background {
    /// Read the résumé, the posting and an optional passage retrieved from
    /// the user's documents (its projects and skills come first).
    pub fn read(resume: &str, posting_text: &str, passage: Option<&str>, reference: NaiveDate) -> Self {
        let facts = posting::facts(posting_text, reference);
        let mine = resume::facts(resume, reference);
        let mut projects = Vec::new();
        let mut resume_skills = Vec::new();
        let mut results = Vec::new();
        if let Some(passage) = passage {
            let retrieved = resume::facts(passage, reference);
            projects.extend(retrieved.projects);
            resume_skills.extend(retrieved.skills);
            results.extend(retrieved.results);
        }
        for p in mine.projects {
            if !projects.contains(&p) {
                projects.push(p);
            }
        }
        for s in mine.skills {
            if !resume_skills.iter().any(|r: &&Skill| std::ptr::eq(*r, s)) {
                resume_skills.push(s);
            }
        }
        for r in mine.results {
            if !results.contains(&r) {
                results.push(r);
            }
        }
        Background {
            company: facts.company,
            position: facts.position,
            required: facts.skills.required,
            preferred: facts.skills.preferred,
            alternatives: facts.skills.alternatives,
            resume_skills,
            projects,
            results,
            years: mine.years,
        }
    }

    /// The résumé shows the skill, itself or through one that implies it (Spring Boot → Spring).
    fn has(&self, skill: &Skill) -> bool {
        self.resume_skills.iter().any(|s| skills::shows(s, skill))
    }

    /// A skill the résumé lacks while meeting a choice it belongs to.
    fn covered_by_choice(&self, skill: &Skill) -> bool {
        !self.has(skill)
            && self.alternatives.iter().any(|group| {
                group.iter().any(|g| std::ptr::eq(*g, skill))
                    && group.iter().any(|g| self.resume_skills.iter().any(|r| skills::shows(r, g)))
            })
    }

    /// A skill of the same kind the résumé shows, to compare a missing one with.
    fn related(&self, skill: &Skill) -> Option<&'static Skill> {
        self.resume_skills.iter().copied().find(|s| s.kind == skill.kind && !std::ptr::eq(*s, skill))
    }
}

/// `{project}에서 ` for a project, or nothing.
fn in_project(project: Option<&String>) -> String {
    project.map(|p| format!("{p}에서 ")).unwrap_or_default()
}

/// Questions about a skill the résumé shows; `round` picks the template.
fn experience_question(skill: &Skill, project: Option<&String>, round: usize) -> String {
    let s = skill.spoken();
    let at = in_project(project);
    let obj = object_particle(s);
    let by = by_particle(s);
    let templates: [String; 2] = match skill.kind {
        Kind::Frontend => [
            format!(
                "{at}{s}{by} 화면을 개발하면서 렌더링 성능 문제를 겪은 적이 있나요? 원인을 어떻게 찾고 개선했는지 설명해 주세요."
            ),
            format!("{s}에서 상태 관리를 어떻게 설계하셨나요? 그 방식을 고른 이유와 한계도 함께 말씀해 주세요."),
        ],
        Kind::Mobile => [
            format!(
                "{at}{s} 앱의 화면 전환이나 메모리 문제를 해결한 경험이 있나요? 어떻게 원인을 찾았는지 설명해 주세요."
            ),
            format!("{s} 앱을 배포하고 운영하면서 겪은 가장 큰 문제와 해결 과정을 말씀해 주세요."),
        ],
        Kind::Backend => [
            format!("{at}{s}{by} API를 설계할 때 트랜잭션과 예외 처리를 어떻게 구성하셨나요?"),
            format!("{s} 기반 서버에 요청이 몰릴 때 생긴 문제와 그것을 어떻게 해결했는지 설명해 주세요."),
        ],
        Kind::Language => [
            format!("{at}{s}{obj} 사용하면서 성능이나 메모리 문제를 해결한 경험을 말씀해 주세요."),
            format!("{s}의 특징 중 실무에서 가장 중요하다고 느낀 점은 무엇이고, 어떻게 활용하셨나요?"),
        ],
        Kind::Database => [
            format!("{at}{s}에서 느린 쿼리를 찾아 개선한 경험이 있나요? 인덱스를 설계한 기준도 함께 설명해 주세요."),
            format!("{s}의 트랜잭션 격리 수준을 어떻게 정했고, 그 선택이 서비스에 어떤 영향을 주었는지 설명해 주세요."),
        ],
        Kind::Cloud => [
            format!(
                "{at}{s}에 서비스를 배포하고 운영한 구조를 설명해 주세요. 비용이나 장애 대응에서 고민한 점은 무엇인가요?"
            ),
            format!("{s} 환경에서 권한과 보안 설정을 어떻게 관리하셨나요?"),
        ],
        Kind::DevOps => [
            format!("{at}{s}{obj} 도입하기 전과 후에 개발·배포 과정이 어떻게 달라졌나요?"),
            format!("{s}{obj} 운영하면서 겪은 장애와 복구 과정을 설명해 주세요."),
        ],
        Kind::Data => [
            format!("{at}{s}{obj} 활용할 때 데이터 품질 문제를 어떻게 다루셨나요?"),
            format!("{s}{by} 만든 모델이나 분석 결과를 어떻게 검증하셨나요?"),
        ],
        Kind::Testing => [
            format!("{at}{s}{by} 테스트를 작성할 때 무엇을 테스트하고 무엇을 생략할지 어떻게 정하셨나요?"),
            format!("{s} 테스트가 실제로 버그를 막아 준 사례가 있다면 말씀해 주세요."),
        ],
        Kind::Tool => [
            format!("{at}{s}{obj} 팀에서 어떻게 활용했고, 협업에 어떤 도움이 되었는지 말씀해 주세요."),
            format!("{s} 사용 방식에서 팀의 규칙을 직접 제안하거나 바꾼 경험이 있나요?"),
        ],
        Kind::Practice => [
            format!("{at}{s}{obj} 실제로 적용한 사례와 그 효과를 설명해 주세요."),
            format!("{s}{obj} 적용하면서 팀 안에서 생긴 이견을 어떻게 조율하셨나요?"),
        ],
        Kind::Soft => [
            format!(
                "{at}{s}{} 특히 중요했던 상황에서 본인이 어떻게 행동했는지 구체적으로 말씀해 주세요.",
                subject_particle(s)
            ),
            format!("{s} 측면에서 스스로 부족하다고 느낀 경험과, 그 후 바꾼 점을 말씀해 주세요."),
        ],
    };
    templates[round % 2].clone()
}

/// Questions about a required skill the résumé does not show.
fn concept_question(skill: &Skill, related: Option<&Skill>, round: usize) -> String {
    let s = skill.spoken();
    let topic = topic_particle(s);
    if round % 2 == 1 {
        return match related {
            Some(r) => format!(
                "공고의 필수 기술인 {s}{topic} 이력서에서 보이지 않는데, 경험하신 {}{} 비교하면 어떤 점이 다를 것 같나요?",
                r.name,
                crate::text::and_particle(r.name)
            ),
            None => format!(
                "{s}{topic} 이력서에서 보이지 않는데, 입사 후 {s}{} 어떻게 빠르게 익히실 계획인가요?",
                object_particle(s)
            ),
        };
    }
    match skill.kind {
        Kind::Frontend => {
            format!("{s}에서 화면이 다시 렌더링되는 조건과 불필요한 렌더링을 줄이는 방법을 설명해 주세요.")
        }
        Kind::Mobile => format!("{s} 앱의 생명주기와, 그 안에서 상태를 보존하는 방법을 설명해 주세요."),
        Kind::Backend => format!("{s}{} 요청이 들어와 응답이 나갈 때까지의 흐름을 설명해 주세요.", by_particle(s)),
        Kind::Language => format!("{s}의 메모리 관리 방식과 동시성 처리 방식을 설명해 주세요."),
        Kind::Database => {
            format!("{s}에서 인덱스가 쿼리 성능에 미치는 영향과, 인덱스가 오히려 불리한 경우를 설명해 주세요.")
        }
        Kind::Cloud => format!("{s}에서 서비스를 고가용성으로 구성하려면 무엇이 필요한지 설명해 주세요."),
        Kind::DevOps => format!("{s}{} 해결하는 문제와, 도입할 때 주의할 점을 설명해 주세요.", subject_particle(s)),
        Kind::Data => {
            format!("{s}{} 사용해 모델이나 분석 결과의 품질을 평가하는 방법을 설명해 주세요.", object_particle(s))
        }
        Kind::Testing => {
            format!("{s}{} 테스트를 설계할 때 좋은 테스트의 조건은 무엇이라고 생각하시나요?", by_particle(s))
        }
        Kind::Tool => format!("{s}{} 팀 협업에 어떻게 쓰는 것이 효과적이라고 생각하시나요?", object_particle(s)),
        Kind::Practice => format!("{s}의 핵심 개념을 설명하고, 어떤 상황에서 적용하면 좋은지 말씀해 주세요."),
        Kind::Soft => {
            format!("{s}{} 필요한 상황에서 본인은 어떤 방식으로 일하는지 사례로 말씀해 주세요.", subject_particle(s))
        }
    }
}

/// Technical questions that need nothing from the documents.
const TECHNICAL_BANK: &[&str] = &[
    "지금까지 해결한 기술적 문제 중 가장 어려웠던 것은 무엇이었고, 어떻게 해결하셨나요?",
    "코드 품질을 지키기 위해 개인적으로, 또 팀에서 어떤 방법을 사용하셨나요?",
    "운영 중인 서비스에서 장애가 났을 때 원인을 찾고 복구한 경험을 말씀해 주세요.",
    "최근에 새로 학습한 기술은 무엇이고, 실제 업무나 프로젝트에 어떻게 적용하셨나요?",
    "성능 문제를 측정하고 개선한 경험이 있다면, 어떤 지표로 확인했는지 함께 말씀해 주세요.",
    "설계 단계에서 여러 방안을 두고 고민했던 경험과, 최종 선택의 근거를 말씀해 주세요.",
];

/// Behavioural questions that need nothing from the documents.
const PERSONALITY_BANK: &[&str] = &[
    "가장 크게 실패했던 경험과, 그 경험에서 배운 점을 말씀해 주세요.",
    "일정이 촉박한 상황에서 우선순위를 어떻게 정하고 일을 진행하셨는지 사례로 말씀해 주세요.",
    "동료에게 피드백을 주거나 받았던 경험과, 그 뒤에 달라진 점을 말씀해 주세요.",
    "스스로 문제를 발견하고 주도적으로 개선한 경험이 있나요?",
    "본인의 장점과 단점을 실제 업무 사례와 함께 말씀해 주세요.",
    "5년 뒤 어떤 개발자가 되어 있고 싶은지, 그를 위해 지금 무엇을 하고 있는지 말씀해 주세요.",
    "스트레스가 큰 상황에서 어떻게 컨디션과 업무를 관리하시나요?",
];

/// Every question of the type in the order they are asked, before removing those already asked.
pub fn candidates(kind: InterviewType, bg: &Background) -> Vec<String> {
    match kind {
        InterviewType::Technical => technical_candidates(bg),
        InterviewType::Personality => personality_candidates(bg),
    }
}

fn technical_candidates(bg: &Background) -> Vec<String> {
    let mut out = Vec::new();
    let mut focus: Vec<&'static Skill> =
        bg.required.iter().copied().filter(|s| s.kind.is_technical() && !bg.covered_by_choice(s)).collect();
    for s in bg.resume_skills.iter().copied().filter(|s| s.kind.is_technical()) {
        if focus.len() >= 6 {
            break;
        }
        if !focus.iter().any(|f| std::ptr::eq(*f, s)) {
            focus.push(s);
        }
    }
    focus.truncate(6);
    let project = |i: usize| if bg.projects.is_empty() { None } else { bg.projects.get(i % bg.projects.len()) };
    for round in 0..2 {
        for (i, skill) in focus.iter().enumerate() {
            let question = if bg.has(skill) {
                experience_question(skill, project(i + round), round)
            } else {
                concept_question(skill, bg.related(skill), round)
            };
            out.push(question);
            // A quantified result is the most specific thing a résumé offers: ask about it second.
            if round == 0 && i == 0 {
                out.extend(bg.results.first().map(|r| result_question(r)));
            }
        }
        if round == 0 {
            if focus.is_empty() {
                out.extend(bg.results.first().map(|r| result_question(r)));
            }
            out.extend(bg.projects.first().map(|p| {
                format!("{p}의 전체 구조를 설명하고, 본인이 맡은 부분에서 가장 어려웠던 기술적 문제를 말씀해 주세요.")
            }));
        }
    }
    out.extend(bg.projects.get(1).map(|p| {
        format!("{p}{} 다시 만든다면 구조에서 무엇을 바꾸고 싶은지, 이유와 함께 말씀해 주세요.", object_particle(p))
    }));
    out.extend(TECHNICAL_BANK.iter().map(|q| q.to_string()));
    out
}

fn result_question(result: &str) -> String {
    format!(
        "이력서에 '{result}'{} 적으셨는데, 이 수치는 어떻게 측정했고 개선을 위해 구체적으로 무엇을 하셨나요?",
        quote_verb(result)
    )
}

fn personality_candidates(bg: &Background) -> Vec<String> {
    let mut out = Vec::new();
    let role = bg.position.as_deref().unwrap_or("이 직무");
    match &bg.company {
        Some(company) => out.push(format!(
            "{company}에 지원한 이유와, {role}{} 입사 후 이루고 싶은 목표를 말씀해 주세요.",
            if bg.position.is_some() { "로서" } else { "에서" }
        )),
        None => out.push(format!("{role}에 지원한 이유와, 입사 후 이루고 싶은 목표를 말씀해 주세요.")),
    }
    match bg.projects.first() {
        Some(p) => out.push(format!("{p}에서 팀원과 의견이 부딪혔던 경험이 있나요? 어떻게 조율했는지 말씀해 주세요.")),
        None => {
            out.push("프로젝트를 진행하며 팀원과 의견이 부딪혔던 경험과, 어떻게 조율했는지 말씀해 주세요.".to_string())
        }
    }
    for soft in bg.required.iter().chain(&bg.preferred).filter(|s| s.kind == Kind::Soft) {
        let s = soft.spoken();
        let at = in_project(bg.projects.get(1).or(bg.projects.first()));
        out.push(format!(
            "공고에서 {s}{} 중요하게 보는데, {at}{s}{} 발휘했던 사례를 구체적으로 말씀해 주세요.",
            object_particle(s),
            object_particle(s)
        ));
    }
    match bg.years {
        Some(years) if years > 0 => {
            out.push(format!("{years}년 동안 일하면서 가장 크게 성장했다고 느낀 순간은 언제였고, 무엇이 계기였나요?"))
        }
        _ => out.push("지금까지 가장 크게 성장했다고 느낀 순간은 언제였고, 무엇이 계기였나요?".to_string()),
    }
    if let Some(p) = bg.projects.get(1) {
        out.push(format!("{p}에서 본인이 맡은 역할과, 그 역할을 하며 가장 힘들었던 점을 말씀해 주세요."));
    }
    out.extend(PERSONALITY_BANK.iter().map(|q| q.to_string()));
    out
}

/// The next question of the type that was not asked yet. A question about
/// a result whose figures an earlier question already asked about (a
/// follow-up on `60% 단축`, then the résumé's `… 60% 단축`) is skipped too.
pub fn next_question(kind: InterviewType, bg: &Background, asked: &[String]) -> Option<String> {
    let figures_asked = |q: &str| {
        let figures = resume::quantities(q);
        !figures.is_empty() && figures.iter().all(|f| asked.iter().any(|a| a.contains(f.as_str())))
    };
    candidates(kind, bg).into_iter().find(|q| !was_asked(q, asked) && !figures_asked(q))
}

fn was_asked(question: &str, asked: &[String]) -> bool {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let k = key(question);
    asked.iter().any(|a| key(a) == k)
}

/// What a follow-up can ask about, most specific first.
#[derive(Debug, Clone, PartialEq)]
pub enum Focus {
    /// A quantified result (`40% 단축`).
    Quantity(String),
    /// A skill the answer names that the question did not.
    NewSkill(&'static Skill),
    /// A skill both name.
    SameSkill(&'static Skill),
    /// A technical or situational noun phrase (`결제 시스템`, `팀원과의 갈등`).
    Phrase(String),
}

/// Nouns that end a noun phrase worth asking about.
const HEADS: &str = "시스템|서버|캐시|캐싱|아키텍처|파이프라인|모듈|배포|마이그레이션|리팩토링|리팩터링|최적화|인증|결제|알림|검색|대시보드|쿼리|장애|트래픽|스키마|컴포넌트|라이브러리|자동화|로직|API|인덱스|동시성|갈등|의견\\s?차이|일정|마감|실패|목표|피드백|고객|우선순위|회고|온보딩";

/// Up to two words and a head noun, with any head nouns right after it (`결제 시스템`).
static PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"((?:[0-9A-Za-z가-힣]+\s){{0,2}}[0-9A-Za-z가-힣]*?(?:{HEADS})(?:\s?(?:{HEADS}))*)"))
        .expect("phrase pattern")
});

/// Endings of a word that belongs to the clause before a noun phrase, not to it
/// (`개발한`, `서비스를`, `하면서`).
const CLAUSE_ENDINGS: &[&str] = &[
    "한", "된", "던", "는", "을", "를", "이", "가", "은", "에", "에서", "로", "으로", "와", "과", "고", "서", "며",
    "면", "게", "지", "요", "다", "니", "해", "했", "께",
];

fn noun_phrase(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let (head, before) = words.split_last()?;
    let mut kept: Vec<&str> = Vec::new();
    for w in before.iter().rev() {
        if CLAUSE_ENDINGS.iter().any(|e| w.ends_with(e))
            || w.chars().all(|c| c.is_ascii_digit())
            || NOT_NOUNS.contains(w)
        {
            break;
        }
        kept.push(w);
    }
    kept.reverse();
    kept.push(head);
    let phrase = kept.join(" ");
    (phrase.chars().count() >= 2).then_some(phrase)
}

/// What a unit measures, so `3시간 → 20분` pairs and `3시간 → 5명` does not.
fn unit_kind(unit: &str) -> Option<u8> {
    match unit {
        "ms" | "초" | "분" | "시간" | "일" | "주" | "개월" => Some(0),
        "%" | "퍼센트" => Some(1),
        "원" | "만" | "천" | "억" => Some(2),
        "gb" | "mb" => Some(3),
        "건" | "명" | "만 명" | "users" | "user" | "회" => Some(4),
        _ => None,
    }
}

/// Words that open a clause rather than name a thing (`아마 인덱스`, `제가 만든 캐시`).
const NOT_NOUNS: &[&str] = &[
    "아마",
    "그냥",
    "좀",
    "잘",
    "많이",
    "주로",
    "직접",
    "제가",
    "저는",
    "저희",
    "우리",
    "또",
    "그리고",
    "그래서",
    "당시",
    "처음",
    "다시",
    "계속",
    "먼저",
    "이후",
    "특히",
    "바로",
    "가장",
    "모든",
    "각",
    "이",
    "그",
    "저",
];

/// Result nouns that follow a quantity (`40% 단축`).
const RESULT_NOUNS: &[&str] = &["단축", "개선", "감소", "증가", "향상", "절감", "달성", "상승", "하락", "성장", "절약"];

/// What the answer offers to ask about, most specific first.
pub fn focuses(question: &str, answer: &str) -> Vec<Focus> {
    let answer = squash(answer);
    let mut out = Vec::new();
    // Results, most telling first: a quantity with its result noun (`60% 단축`),
    // a before → after pair of the same kind (`3시간 → 20분`), a ratio (`40%`, `2배`), any other.
    let mut results: Vec<(u8, String)> = Vec::new();
    for sentence in crate::text::sentences(&answer) {
        let lowered = sentence.to_lowercase();
        let is_result = RESULT_NOUNS.iter().any(|w| lowered.contains(w))
            || ["improv", "reduc", "increas", "faster", "줄", "늘", "빨라"].iter().any(|w| lowered.contains(w));
        if !is_result {
            continue;
        }
        let found: Vec<(String, String, usize)> = QUANTITY
            .captures_iter(&sentence)
            .map(|c| (c[1].to_string(), c[2].trim().to_lowercase(), c.get(0).map_or(0, |m| m.end())))
            .collect();
        for (i, (number, unit, end)) in found.iter().enumerate() {
            let quantity = format!("{number}{unit}");
            let next = sentence[*end..].split_whitespace().next().unwrap_or("");
            if let Some(noun) = RESULT_NOUNS.iter().find(|n| next.starts_with(*n)) {
                results.push((0, format!("{quantity} {noun}")));
            } else if let Some((later, later_unit, _)) = found.get(i + 1)
                && unit_kind(unit).is_some()
                && unit_kind(unit) == unit_kind(later_unit)
            {
                results.push((1, format!("{quantity} → {later}{later_unit}")));
            } else if ["%", "배", "x", "times", "퍼센트"].contains(&unit.as_str()) {
                results.push((2, quantity));
            } else {
                results.push((3, quantity));
            }
        }
    }
    results.sort_by_key(|(rank, _)| *rank);
    for (_, text) in results {
        if !out.iter().any(|f| matches!(f, Focus::Quantity(q) if q.contains(&text) || text.contains(q.as_str()))) {
            out.push(Focus::Quantity(text));
        }
    }
    let asked_skills = skills::names(&squash(question));
    let answer_skills = skills::names(&answer);
    let mut technical_first = answer_skills.clone();
    technical_first.sort_by_key(|s| !s.kind.is_technical());
    for s in &technical_first {
        if !asked_skills.iter().any(|a| std::ptr::eq(*a, *s)) {
            out.push(Focus::NewSkill(s));
        }
    }
    for s in &technical_first {
        if asked_skills.iter().any(|a| std::ptr::eq(*a, *s)) {
            out.push(Focus::SameSkill(s));
        }
    }
    for c in PHRASE.captures_iter(&answer) {
        if let Some(phrase) = noun_phrase(&c[1])
            && !question.contains(&phrase)
            && !out.iter().any(|f| matches!(f, Focus::Phrase(p) if p == &phrase))
        {
            out.push(Focus::Phrase(phrase));
        }
    }
    out
}

/// Follow-up questions on `focus`, in the order to try them.
fn follow_ups_on(kind: InterviewType, focus: &Focus) -> Vec<String> {
    match (kind, focus) {
        (InterviewType::Technical, Focus::Quantity(x)) => vec![
            format!(
                "방금 말씀하신 '{x}'{} 결과는 어떻게 측정하셨나요? 개선 전후를 비교한 기준도 함께 설명해 주세요.",
                quote_adnominal(x)
            ),
            format!("'{x}'{} 결과를 내기 위해 시도했지만 효과가 없었던 방법도 있었나요?", quote_adnominal(x)),
        ],
        (InterviewType::Personality, Focus::Quantity(x)) => vec![
            format!(
                "방금 말씀하신 '{x}'{} 성과를 내기까지 본인이 가장 크게 기여한 부분은 무엇이었나요?",
                quote_adnominal(x)
            ),
            format!("'{x}'{} 성과를 팀에 공유하고 인정받는 과정은 어땠나요?", quote_adnominal(x)),
        ],
        (InterviewType::Technical, Focus::NewSkill(s)) => vec![
            format!("방금 말씀하신 {}에서 가장 까다로웠던 문제는 무엇이었고, 어떻게 해결하셨나요?", s.name),
            format!(
                "{}{} 선택한 이유는 무엇이고, 다른 대안과 비교해 어떤 트레이드오프가 있었나요?",
                s.name,
                object_particle(s.name)
            ),
        ],
        (InterviewType::Technical, Focus::SameSkill(s)) => vec![
            format!(
                "{}{} 쓰면서 예상과 다르게 동작해 원인을 파고들었던 경험이 있다면 말씀해 주세요.",
                s.name,
                object_particle(s.name)
            ),
            format!("방금 설명하신 {} 사용 방식의 한계는 무엇이고, 규모가 커지면 어떻게 바꾸시겠어요?", s.name),
        ],
        (InterviewType::Technical, Focus::Phrase(x)) => vec![
            format!("방금 말씀하신 {x}에서 본인이 직접 맡은 부분과 내린 기술적 결정을 구체적으로 설명해 주세요."),
            format!("{x}{} 다시 설계한다면 무엇을 바꾸시겠어요? 이유도 함께 말씀해 주세요.", object_particle(x)),
        ],
        (InterviewType::Personality, Focus::NewSkill(s) | Focus::SameSkill(s)) => vec![
            format!("방금 말씀하신 {} 관련 경험에서 팀원들과 어떻게 역할을 나누고 소통하셨나요?", s.name),
            format!("{} 경험을 다시 겪는다면 무엇을 다르게 하시겠어요?", s.name),
        ],
        (InterviewType::Personality, Focus::Phrase(x)) => vec![
            format!("방금 말씀하신 {x} 상황에서 다른 사람들은 어떻게 반응했고, 본인은 어떻게 대응하셨나요?"),
            format!("{x} 경험을 다시 겪는다면 무엇을 다르게 하시겠어요?"),
        ],
    }
}

/// When the answer offers nothing specific.
const VAGUE_FOLLOW_UPS: &[&str] = &[
    "방금 답변하신 내용을 실제 사례로 더 구체적으로 설명해 주시겠어요? 당시 상황, 본인이 한 일, 그 결과를 순서대로 말씀해 주세요.",
    "방금 말씀하신 내용에서 본인이 직접 한 일과 그 결과를 수치나 사례로 보충해 주시겠어요?",
    "방금 답변과 관련해 가장 기억에 남는 어려움은 무엇이었고, 어떻게 극복하셨나요?",
];

/// A follow-up on the last answer that was not asked yet.
pub fn follow_up(kind: InterviewType, question: &str, answer: &str, asked: &[String]) -> Option<String> {
    focuses(question, answer)
        .iter()
        .flat_map(|f| follow_ups_on(kind, f))
        .chain(VAGUE_FOLLOW_UPS.iter().map(|q| q.to_string()))
        .find(|q| !was_asked(q, asked))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESUME: &str = "프론트엔드 개발자 (경력 3년)\n[쇼핑몰 리뉴얼]\n- React, TypeScript로 결제 시스템 연동 프로젝트 개발\n- 페이지 로딩 시간 40% 단축\n기술: React, TypeScript, Redux, Jest";
    const POSTING: &str =
        "[카카오] 프론트엔드 개발자\n자격요건\n- React, TypeScript, Next.js\n우대사항\n- 협업 능력, GraphQL";

    fn bg() -> Background {
        Background::read(RESUME, POSTING, None, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
    }

    #[test]
    fn technical_questions_start_from_required_skills_and_results() {
        let b = bg();
        let q = candidates(InterviewType::Technical, &b);
        assert!(q[0].contains("React") && q[0].contains("쇼핑몰 리뉴얼"), "{}", q[0]);
        assert!(q[1].contains("40% 단축"), "{}", q[1]);
        assert!(q.iter().any(|x| x.contains("Next.js") && x.contains("렌더링")), "{q:?}");
    }

    #[test]
    fn personality_questions_use_company_project_and_soft_skills() {
        let q = candidates(InterviewType::Personality, &bg());
        assert!(q[0].contains("카카오"), "{}", q[0]);
        assert!(q[1].contains("쇼핑몰 리뉴얼"), "{}", q[1]);
        assert!(q.iter().any(|x| x.contains("공고에서 협업을")), "{q:?}");
    }

    #[test]
    fn no_question_is_asked_twice() {
        let b = bg();
        let mut asked: Vec<String> = Vec::new();
        for _ in 0..10 {
            let q = next_question(InterviewType::Technical, &b, &asked).expect("a question");
            assert!(!asked.contains(&q));
            asked.push(q);
        }
    }

    #[test]
    fn follow_ups_pick_the_most_specific_thing_said() {
        let answer = "Redis 캐시를 도입해서 API 응답 시간을 40% 단축했습니다.";
        let q = follow_up(InterviewType::Technical, "React 성능 문제를 해결한 경험은?", answer, &[]).unwrap();
        assert!(q.contains("'40% 단축'"), "{q}");
        // The outcome, not the starting point; a before → after pair when there is no result noun.
        let q = follow_up(
            InterviewType::Technical,
            "질문",
            "조회가 2초 걸렸는데 캐시로 응답 시간을 60% 단축했습니다.",
            &[],
        )
        .unwrap();
        assert!(q.contains("'60% 단축'"), "{q}");
        let q = follow_up(InterviewType::Technical, "질문", "3시간 걸리던 작업을 20분으로 줄였습니다.", &[]).unwrap();
        assert!(q.contains("'3시간 → 20분'"), "{q}");
        let asked = vec![q];
        let second = follow_up(InterviewType::Technical, "React 성능 문제를 해결한 경험은?", answer, &asked).unwrap();
        assert!(second.contains("40% 단축") && second != asked[0], "{second}");
        let no_number = "결제 시스템을 개발하면서 Kafka 를 썼습니다";
        let q = follow_up(InterviewType::Technical, "경험을 말씀해 주세요", no_number, &[]).unwrap();
        assert!(q.contains("방금 말씀하신 Kafka"), "{q}");
        let vague = follow_up(InterviewType::Technical, "질문", "잘 모르겠습니다", &[]).unwrap();
        assert!(vague.starts_with("방금 답변하신"), "{vague}");
    }

    #[test]
    fn noun_phrases_drop_the_clause_before_them() {
        let f = focuses("질문", "제가 개발한 결제 시스템에서 장애가 났어요");
        assert!(f.contains(&Focus::Phrase("결제 시스템".into())), "{f:?}");
        let f = focuses("질문", "아마 인덱스를 추가했던 것 같아요");
        assert_eq!(f, [Focus::Phrase("인덱스".into())]);
    }
}

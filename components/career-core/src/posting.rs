//! A job posting's skills, split into required and preferred by the
//! posting's own sections, and its company, position and deadline (read by
//! the calendar's parser).
//!
//! Sections: a line naming a section (`자격요건`, `우대사항`, `Requirements`,
//! `Nice to have`, `주요 업무`, …), alone or before a colon, opens it; its
//! skills belong to it until the next such line. `필수: React / 우대: GraphQL`
//! on one line is split at each label. A line that says a skill is a plus
//! (`Kubernetes 경험자 우대`, `… is a plus`) makes that line's skills
//! preferred wherever it is; skills outside both kinds of section count as
//! required (a posting that lists a stack under `기술 스택` means it). A
//! skill both required and preferred is required.

use chrono::NaiveDate;

use crate::skills::{self, Skill};
use crate::text::squash;

/// Which list a part of a posting feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Required,
    Preferred,
    /// Duties, benefits, process, stack, company: skills here count as required.
    Other,
}

/// Section labels, lowercased, longest first within each section so
/// `우대사항` is taken whole before `우대`.
const REQUIRED_LABELS: &[&str] = &[
    "이런 분을 찾습니다",
    "이런 분을 찾고 있어요",
    "이런 분을 찾아요",
    "minimum qualifications",
    "required qualifications",
    "basic qualifications",
    "what we're looking for",
    "what we are looking for",
    "what you need",
    "who you are",
    "qualifications",
    "requirements",
    "must haves",
    "must-have",
    "must have",
    "required",
    "필수 요건",
    "필수요건",
    "필수 사항",
    "필수사항",
    "필수 역량",
    "필수역량",
    "필수 기술",
    "필수기술",
    "필수 조건",
    "필수조건",
    "자격 요건",
    "자격요건",
    "자격 조건",
    "자격조건",
    "지원 자격",
    "지원자격",
    "요구 사항",
    "요구사항",
    "요구 역량",
    "요구역량",
    "필요 역량",
    "필요역량",
    "필수",
];
const PREFERRED_LABELS: &[&str] = &[
    "이런 분이면 더 좋아요",
    "이런 분이면 더 좋습니다",
    "이런 경험이 있다면 더 좋아요",
    "preferred qualifications",
    "additional qualifications",
    "preferred skills",
    "nice-to-have",
    "nice to have",
    "bonus points",
    "preferred",
    "pluses",
    "bonus",
    "plus",
    "우대 사항",
    "우대사항",
    "우대 요건",
    "우대요건",
    "우대 조건",
    "우대조건",
    "우대 역량",
    "가산점",
    "우대",
];
const OTHER_LABELS: &[&str] = &[
    "합류하면 함께 할 업무",
    "합류하시면 하게 될 일",
    "what you'll do",
    "what you will do",
    "responsibilities",
    "about the role",
    "hiring process",
    "about us",
    "tech stack",
    "benefits",
    "perks",
    "location",
    "주요 업무",
    "주요업무",
    "담당 업무",
    "담당업무",
    "업무 내용",
    "업무내용",
    "하는 일",
    "복리후생",
    "복지",
    "혜택",
    "채용 절차",
    "채용절차",
    "전형 절차",
    "전형절차",
    "전형 일정",
    "근무 조건",
    "근무조건",
    "근무지",
    "근무 환경",
    "회사 소개",
    "회사소개",
    "기술 스택",
    "기술스택",
    "접수 기간",
    "접수기간",
    "제출 서류",
    "참고 사항",
    "참고사항",
    "기타",
];

/// Phrases inside a line that make its skills a plus, not a must.
const PLUS_MARKERS: &[&str] = &[
    "우대",
    "가산점",
    "환영",
    "있으면 좋",
    "있다면 좋",
    "이면 좋",
    "is a plus",
    "a plus",
    "nice to have",
    "preferred",
    "bonus",
];
/// Phrases inside a line that make its skills a must even in a preferred section.
const MUST_MARKERS: &[&str] = &["필수", "반드시", "required", "must"];

/// Decoration before a section label: bullets, numbering, brackets, emoji.
fn strip_decoration(line: &str) -> &str {
    line.trim_start_matches(|c: char| !(c.is_alphabetic() || crate::text::is_hangul(c)) || c == 'ㆍ')
}

/// A list item (`- …`, `* …`, `1. …`): a label it starts with is about that
/// item only; a heading (`■ 우대사항`, `[자격요건]`, `Requirements:`) opens a section.
fn is_item(line: &str) -> bool {
    let line = line.trim_start();
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '·' | 'ㆍ' | '○' | '◦' | '▪' | '‐' | '–') => true,
        Some(c) if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with('.') || rest.starts_with(')')
        }
        _ => false,
    }
}

/// The section a label at the start of `s` opens, and the label's length in bytes.
fn label_at(s: &str) -> Option<(Section, usize)> {
    // ASCII lowering keeps byte offsets, and the labels are ASCII or Hangul.
    let lowered = s.to_ascii_lowercase();
    let tables =
        [(Section::Required, REQUIRED_LABELS), (Section::Preferred, PREFERRED_LABELS), (Section::Other, OTHER_LABELS)];
    let mut best: Option<(Section, usize)> = None;
    for (section, labels) in tables {
        for label in labels {
            if lowered.starts_with(label) && best.is_none_or(|(_, len)| label.len() > len) {
                // The label must end a word: `필수적인` or `requirements-driven` is prose.
                let after = lowered[label.len()..].chars().next();
                if after.is_none_or(|c| !(c.is_alphanumeric() || c == '-') || matches!(c, '은' | '는' | '이')) {
                    best = Some((section, label.len()));
                }
            }
        }
    }
    best
}

/// Parts of a line with the section each belongs to: split where a label
/// followed by a colon starts (`필수: Java / 우대: Kotlin`).
fn segments(line: &str, current: Section) -> (Vec<(Section, &str)>, Section) {
    let mut cuts: Vec<(usize, Section, usize)> = Vec::new();
    for (i, _) in line.char_indices() {
        let before = line[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        if let Some((section, len)) = label_at(&line[i..]) {
            let after = line[i + len..].trim_start();
            if after.starts_with(':') || after.starts_with('：') {
                cuts.push((i, section, i + len));
            }
        }
    }
    if cuts.is_empty() {
        return (vec![(current, line)], current);
    }
    let mut out = Vec::new();
    if cuts[0].0 > 0 {
        out.push((current, &line[..cuts[0].0]));
    }
    let mut last = current;
    for (k, &(_, section, body)) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).map_or(line.len(), |c| c.0);
        out.push((section, &line[body..end]));
        last = section;
    }
    (out, last)
}

/// How a line changes the section: a heading at its start (a label on a short
/// line, or before a colon) opens that section for the lines after it.
fn opens(line: &str) -> Option<Section> {
    if is_item(line) {
        return None;
    }
    let body = strip_decoration(line);
    let (section, len) = label_at(body)?;
    let rest = body[len..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ']' | '】' | ')' | '>' | '》' | '」' | '』' | '*' | '#')
    });
    let short = body.chars().count() <= 40;
    (short || rest.starts_with(':') || rest.starts_with('：')).then_some(section)
}

/// The section a clause's skills go to, given the section it is in and the text that marks it.
fn effective_section(section: Section, markers: &str) -> Section {
    let lowered = markers.to_lowercase();
    let plus = PLUS_MARKERS.iter().any(|m| lowered.contains(m));
    let negated = ["필수 아", "필수는 아", "필수가 아", "not required", "optional"].iter().any(|n| lowered.contains(n));
    let must = !negated && MUST_MARKERS.iter().any(|m| lowered.contains(m));
    match section {
        Section::Preferred if must && !plus => Section::Required,
        Section::Required | Section::Other if plus && !must => Section::Preferred,
        other => other,
    }
}

/// A part of a line split into its main clause and its parenthesised
/// notes, each with the text whose markers decide it. A note naming skills
/// is its own clause (`데이터 분석 경험 (SQL 가능자 우대)`: only SQL is a
/// plus); a note without skills marks the main clause (`AWS 경험 (필수)`).
fn clauses(part: &str) -> Vec<(&str, String)> {
    let mut notes: Vec<&str> = Vec::new();
    let mut main_pieces: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut piece_start = 0;
    for (i, c) in part.char_indices() {
        match c {
            '(' | '（' => {
                if depth == 0 {
                    main_pieces.push(&part[piece_start..i]);
                    piece_start = i + c.len_utf8();
                }
                depth += 1;
            }
            ')' | '）' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(&part[piece_start..i]);
                    piece_start = i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    if depth == 0 {
        main_pieces.push(&part[piece_start..]);
    } else {
        notes.push(&part[piece_start..]);
    }
    let (with_skills, bare): (Vec<&str>, Vec<&str>) = notes.into_iter().partition(|n| !skills::find(n).is_empty());
    let mut main_markers = main_pieces.join(" ");
    main_markers.push(' ');
    main_markers.push_str(&bare.join(" "));
    let mut out: Vec<(&str, String)> = main_pieces.into_iter().map(|p| (p, main_markers.clone())).collect();
    out.extend(with_skills.into_iter().map(|n| (n, n.to_string())));
    out
}

/// Words between two skills that offer a choice (`Java 또는 Kotlin`, `Java나 Kotlin`, `Go or Rust`).
const OR_WORDS: &[&str] = &["또는", "혹은", "이나", "나", "or", "either"];

/// Groups of skills a clause offers as a choice.
fn choices(clause: &str) -> Vec<Vec<&'static Skill>> {
    let mentions = skills::find(clause);
    let mut groups: Vec<Vec<&'static Skill>> = Vec::new();
    let mut current: Vec<&'static Skill> = Vec::new();
    for pair in mentions.windows(2) {
        let between =
            clause[pair[0].end..pair[1].start].trim().trim_matches(|c: char| c == ',' || c == '(' || c == ')');
        let between = between.trim().to_ascii_lowercase();
        let or = OR_WORDS.iter().any(|w| between == *w || between.starts_with(&format!("{w} ")) && between.len() < 12);
        if or {
            if current.is_empty() {
                current.push(pair[0].skill);
            }
            current.push(pair[1].skill);
        } else if !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
    }
    if current.len() >= 2 {
        groups.push(current);
    }
    groups
}

/// Required and preferred skills of a posting, each in order of first mention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingSkills {
    pub required: Vec<&'static Skill>,
    pub preferred: Vec<&'static Skill>,
    /// Skills the posting offers as a choice (`Java 또는 Kotlin`, `PyTorch or
    /// TensorFlow`): a résumé with one of a group meets the others.
    pub alternatives: Vec<Vec<&'static Skill>>,
}

impl PostingSkills {
    pub fn required_names(&self) -> Vec<String> {
        self.required.iter().map(|s| s.name.to_string()).collect()
    }
    pub fn preferred_names(&self) -> Vec<String> {
        self.preferred.iter().map(|s| s.name.to_string()).collect()
    }
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.preferred.is_empty()
    }
}

fn push_unique(list: &mut Vec<&'static Skill>, skill: &'static Skill) {
    if !list.iter().any(|s| std::ptr::eq(*s, skill)) {
        list.push(skill);
    }
}

/// The posting's required and preferred skills (see the module documentation).
pub fn skills(posting: &str) -> PostingSkills {
    let text = squash(posting);
    let mut required: Vec<&'static Skill> = Vec::new();
    let mut preferred: Vec<&'static Skill> = Vec::new();
    let mut alternatives: Vec<Vec<&'static Skill>> = Vec::new();
    let mut current = Section::Other;
    for line in text.lines() {
        if let Some(section) = opens(line) {
            current = section;
        }
        let (parts, carried) = segments(line, current);
        if !is_item(line) {
            current = carried;
        }
        for (section, part) in parts {
            for (clause, markers) in clauses(part) {
                alternatives.extend(choices(clause));
                let effective = effective_section(section, &markers);
                for skill in skills::names(clause) {
                    match effective {
                        Section::Preferred => push_unique(&mut preferred, skill),
                        Section::Required | Section::Other => push_unique(&mut required, skill),
                    }
                }
            }
        }
    }
    preferred.retain(|p| !required.iter().any(|r| std::ptr::eq(*r, *p)));
    PostingSkills { required, preferred, alternatives }
}

/// What the analysis reports about a posting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingFacts {
    pub company: Option<String>,
    pub position: Option<String>,
    pub skills: PostingSkills,
    /// The document deadline (`서류 마감` or another `… 마감` stage), as the calendar reads it.
    pub deadline: Option<NaiveDate>,
    /// Years of experience the posting asks for (`3년 이상`, `5+ years`).
    pub years_required: Option<u32>,
}

/// Company, position, skills, deadline and required years of `posting`;
/// relative and year-less dates count from `reference`.
pub fn facts(posting: &str, reference: NaiveDate) -> PostingFacts {
    let (company, position) = calendar_parser::identify(posting);
    let deadline = calendar_parser::parse(posting, reference).ok().and_then(|parsed| {
        let closing = |s: &&calendar_parser::Schedule| s.stage.contains("마감");
        parsed.schedules.iter().find(closing).map(|s| s.date)
    });
    PostingFacts {
        company,
        position,
        skills: skills(posting),
        deadline,
        years_required: crate::resume::years_required(posting),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&'static Skill]) -> Vec<&'static str> {
        list.iter().map(|s| s.name).collect()
    }

    #[test]
    fn korean_sections_split_required_and_preferred() {
        let posting = "[카카오] 프론트엔드 개발자\n\n■ 주요 업무\n- 웹 서비스 개발\n\n■ 자격요건\n- React, TypeScript 실무 경험 3년 이상\n- Next.js 사용 경험\n\n■ 우대사항\n- GraphQL 사용 경험\n- AWS 배포 경험\n";
        let s = skills(posting);
        assert_eq!(names(&s.required), ["React", "TypeScript", "Next.js"]);
        assert_eq!(names(&s.preferred), ["GraphQL", "AWS"]);
    }

    #[test]
    fn english_sections_and_inline_plus_markers() {
        let posting = "Backend Engineer at Acme\nRequirements:\n* 3+ years with Go or Java\n* PostgreSQL\nNice to have\n* Kubernetes\n* Kafka experience is a plus\n";
        let s = skills(posting);
        assert_eq!(names(&s.required), ["Go", "Java", "PostgreSQL"]);
        assert_eq!(names(&s.preferred), ["Kubernetes", "Kafka"]);
    }

    #[test]
    fn a_plus_line_inside_requirements_is_preferred() {
        let s = skills("자격요건\n- Java, Spring Boot 경험\n- Kubernetes 운영 경험자 우대\n");
        assert_eq!(names(&s.required), ["Java", "Spring Boot"]);
        assert_eq!(names(&s.preferred), ["Kubernetes"]);
    }

    #[test]
    fn a_note_in_parentheses_marks_its_own_skills_or_else_the_line() {
        let s = skills(
            "자격요건\n- 데이터 분석 경험 (SQL 가능자 우대)\n- AWS 사용 경험 (필수)\n우대사항\n- Docker (필수 아님)\n",
        );
        assert_eq!(names(&s.required), ["Data Analysis", "AWS"]);
        assert_eq!(names(&s.preferred), ["SQL", "Docker"]);
    }

    #[test]
    fn a_choice_between_skills_is_kept_as_a_group() {
        let s = skills("자격요건\n- Java 또는 Kotlin 기반 서버 개발\n- Python (Django or FastAPI)\n- MySQL, Redis");
        let groups: Vec<Vec<&str>> = s.alternatives.iter().map(|g| names(g)).collect();
        assert_eq!(groups, [vec!["Java", "Kotlin"], vec!["Django", "FastAPI"]]);
    }

    #[test]
    fn labels_on_one_line_split_it() {
        let s = skills("필수: Python, Django / 우대: Redis, Docker");
        assert_eq!(names(&s.required), ["Python", "Django"]);
        assert_eq!(names(&s.preferred), ["Redis", "Docker"]);
    }

    #[test]
    fn skills_outside_both_sections_are_required_and_required_wins() {
        let s = skills("기술 스택: Kotlin, Spring\n우대사항\n- Kotlin 코루틴 경험\n- Kafka\n");
        assert_eq!(names(&s.required), ["Kotlin", "Spring"]);
        assert_eq!(names(&s.preferred), ["Kafka"]);
    }

    #[test]
    fn facts_read_company_position_and_deadline() {
        let posting = "[카카오] 프론트엔드 개발자 채용\n서류 마감: 2026년 1월 15일\n자격요건\n- React 3년 이상\n";
        let f = facts(posting, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(f.company.as_deref(), Some("카카오"));
        assert_eq!(f.position.as_deref(), Some("프론트엔드 개발자"));
        assert_eq!(f.deadline, NaiveDate::from_ymd_opt(2026, 1, 15));
        assert_eq!(f.years_required, Some(3));
    }
}

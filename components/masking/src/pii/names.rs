//! Person names: the value after a person label (성명, 담당자, Applicant, …), in Hangul or romanised
//! Latin script, and names addressed with an honorific at the start of a sentence ("강하은 님,",
//! "Dear Ms. Sarah Lee,").
//!
//! A name is only taken where a form or a greeting puts one: 2–4 Hangul syllables starting with a
//! common surname, or 1–4 capitalised / upper-case Latin words. What follows it must end the field
//! (end, punctuation, a number, an honorific or job title, another field), so that the noun after
//! a bare label ("담당 업무", "지원자 모집 안내") is not taken for a name.

use std::sync::LazyLock;

use regex::Regex;

use super::{Candidate, PiiKind};

/// How much a label promises a person's name follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// A name field: 성명, 이름, Name, 영문성명, 고객명 ….
    Name,
    /// A person's role: 담당자, 지원자, 예금주, Applicant, Reference …; what follows is often a noun.
    Role,
}

/// The label and how it was separated from its value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub label: Label,
    pub colon: bool,
}

// Common surnames: a Hangul word is only a name when it starts with one of these (or, after a
// colon, is a three-syllable full name).
const SURNAMES: &str = "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄변채원천방공현함염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부팽빈피감라";

const COMPOUND_SURNAMES: &[&str] = &["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방"];

/// Words that fill a person field without being a person: field names, placeholders, roles,
/// titles and the nouns that follow role words ("담당 업무", "지원자 모집").
const NOT_NAMES: &str = "\
    연락처 연락 전화 전화번호 휴대폰 휴대전화 핸드폰 이메일 메일 주소 주소지 번호 성명 이름 성함 생년월일 생일 성별 나이 연령 국적 직위 직책 직급 직함 소속 부서 부서명 \
    회사 회사명 기관 기관명 서명 날인 날짜 일자 일시 관계 정보 사항 내용 사진 계좌 은행 카드 여권 면허 주민 등록 외국인 \
    없음 미정 미상 미기재 해당 해당없음 본인 동일 상동 기재 입력 작성 제출 필수 선택 예시 확인 변경 수정 삭제 조회 검색 정정 추가 지정 배정 예정 부재 교체 연결 응대 \
    관련 문의 안내 요청 승인 동의 동반 정렬 표시 순서 목록 명단 모집 채용 지원 공고 선정 발표 결과 합격 면접 전형 일정 장소 시간 기간 금액 비용 서류 첨부 파일 업무 \
    지역 구역 과목 분야 부문 직무 경력 학력 전공 자격 교육 관리 영업 개발 인사 총무 회계 기획 마케팅 디자인 고객 회원 학생 부모 가족 전체 공통 별도 추후 직접 자필 \
    인감 기본 상세 비상 긴급 여러분 귀하 귀중 공개 익명 운영자 개발자 시스템 \
    선생 선생님 교수 교수님 박사 과장 대리 팀장 부장 차장 사원 주임 이사 이사장 실장 원장 사장 부사장 회장 부회장 대표 대표자 대표이사 소장 국장 총장 담당 담당자 관리자 \
    지원자 신청자 신청인 작성자 보호자 수령인 사용자 구매자 판매자 참가자 방문자 추천인 변호사 세무사 회계사 간호사 의사 기사 강사 연구원 위원 위원장 주무관 사무관 전도사 \
    도지사 구청장 부원장 조교수 부교수 정교수 지점장 매니저 \
    수강생 수험생 참석자 참여자 입사자 합격자 이용자 이용객 방문객 투숙객 탑승객 주문자 입주자 임차인 임대인 세입자 예약자 연구자 운전자 소비자 사업자 기부자 조합원 가입자 \
    수신자 발신자 수취인 송금인 계약자 소유자 보증인 면접관 관계자 책임자 당사자 대상자 수급자 상담사 상담원 교직원 직원 임직원 시민 국민";

/// Endings that turn a [`NOT_NAMES`] word into another non-name ("모집중", "연락처로", "변경요청").
const NOT_NAME_ENDINGS: &[&str] =
    &["중", "란", "처", "자", "인", "서", "로", "번호", "내용", "사항", "정보", "여부", "요청"];

/// Second and third syllables that make a three-syllable word a title, not a name ("부사장", "조교수").
const TITLE_TAILS: &[&str] = &[
    "사장", "회장", "원장", "교수", "청장", "지사", "도사", "점장", "부장", "차장", "과장", "대리", "이사", "상무",
    "전무", "실장", "소장", "국장", "총장", "학장", "단장", "팀장", "반장", "선생", "목사", "기사", "무관",
];

/// Glued or following honorifics and job titles that end a name ("박지성님", "김민수 과장").
const HONORIFICS: &[&str] = &[
    "선생님",
    "교수님",
    "님",
    "씨",
    "귀하",
    "과장",
    "대리",
    "팀장",
    "부장",
    "차장",
    "실장",
    "사원",
    "주임",
    "교수",
    "선생",
    "매니저",
    "박사",
    "기자",
    "이사",
    "대표",
    "원장",
    "소장",
    "간호사",
    "변호사",
    "연구원",
    "책임",
    "선임",
    "수석",
    "드림",
    "올림",
];

/// Words that may follow a name in its field: honorifics, sex, "외 2명", or the next field's name.
const FOLLOWERS: &[&str] = &[
    "연락처",
    "전화",
    "휴대폰",
    "휴대전화",
    "핸드폰",
    "이메일",
    "메일",
    "주소",
    "생년월일",
    "생일",
    "성별",
    "나이",
    "연령",
    "국적",
    "직위",
    "직책",
    "소속",
    "부서",
    "서명",
    "날짜",
    "일자",
    "관계",
    "주민",
    "외국인",
    "여권",
];

/// Followers that must be a whole token: "남" is "male", "남기고" is not.
const FOLLOWER_TOKENS: &[&str] = &["남", "여", "남자", "여자", "남성", "여성", "외", "등", "및", "인"];

/// Skipped between a label and the name: relations and titles written before it
/// ("비상연락망: 모 김영희", "담당 교수 김민수").
const BEFORE_NAME: &[&str] = &[
    "어머니",
    "아버지",
    "모친",
    "부친",
    "배우자",
    "남편",
    "아내",
    "부인",
    "자녀",
    "아들",
    "딸",
    "형",
    "누나",
    "언니",
    "오빠",
    "동생",
    "친구",
    "지인",
    "할머니",
    "할아버지",
    "조모",
    "조부",
    "모",
    "부",
    "처",
    "교수",
    "과장",
    "대리",
    "팀장",
    "부장",
    "차장",
    "실장",
    "이사",
    "매니저",
    "선생님",
    "간호사",
    "변호사",
    "연구원",
];

/// Unit names skipped before a name ("담당: 인사팀 김민수").
const UNIT_ENDINGS: &[&str] =
    &["팀", "본부", "센터", "파트", "그룹", "부서", "사업부", "연구소", "연구실", "학과", "지점"];

/// Korean particles glued to a three-syllable name ("김민준은", "홍길동의").
const PARTICLES: &[&str] =
    &["께서", "에게", "으로", "께", "은", "는", "이", "가", "을", "를", "의", "도", "와", "과", "로", "에"];

/// Latin titles before a name; dropped from the masked span like 님 and 씨.
const LATIN_TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "madam"];

/// Lower-case particles inside romanised names ("Ludwig van Beethoven").
const LATIN_PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "la", "le", "bin", "binti", "al", "el", "dos",
];

/// Capitalised words that are not (part of) a person's name after a label.
const NOT_LATIN_NAMES: &str = "\
    team department dept division office group inc corp co ltd llc plc gmbh company corporation \
    university college school institute center centre bank hospital clinic lab labs manager engineer \
    developer director officer assistant intern staff sales marketing hr it finance support service \
    services customer customers required optional available upon request none na tbd tba unknown \
    same yes no not the and or of for to tel phone mobile cell fax email e-mail mail address date \
    dob birth age sex gender male female nationality id number signature position title korea seoul \
    republic please see below above attached name hiring recruiting recruitment committee admissions \
    all everyone colleagues friends valued member members candidate candidates applicant applicants \
    user users client project report annual chapter section page figure table appendix iso ceo cto \
    cfo coo vp world there january february march april may june july august september october \
    november december monday tuesday wednesday thursday friday saturday sunday";

/// English words that may follow a name in its field ("John Smith Tel 010-…").
const LATIN_FOLLOWERS: &[&str] = &[
    "tel",
    "phone",
    "mobile",
    "cell",
    "fax",
    "email",
    "e-mail",
    "mail",
    "address",
    "dob",
    "born",
    "age",
    "male",
    "female",
    "nationality",
    "passport",
    "id",
    "signature",
    "date",
    "position",
    "title",
];

static HANGUL_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[가-힣]+").expect("hangul run pattern"));

/// A Korean name with 님/씨 where a sentence starts or after a greeting ("강하은 님, 합격을 …").
static ADDRESSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:^|[.!?。]\s+|(?:안녕하세요|안녕하십니까|반갑습니다|축하합니다|축하드립니다|감사합니다|고맙습니다|친애하는|존경하는|수신|dear)[\s,.!~:]*)[\s"'“‘(\[•·*>-]*(?P<name>[가-힣]{2,4}?)\s?(?:님|씨)"#,
    )
    .expect("addressed name pattern")
});

/// A greeting before a romanised name ("Dear Ms. Sarah Lee,").
static LATIN_GREETING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[.!?]\s+)(?:Dear|DEAR|Hi|Hello)\s+").expect("latin greeting pattern"));

/// True when `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

fn syllables(s: &str) -> usize {
    s.chars().count()
}

fn is_hangul(c: char) -> bool {
    ('가'..='힣').contains(&c)
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || is_hangul(c)
}

fn has_surname(name: &str) -> bool {
    name.starts_with(|c: char| SURNAMES.contains(c)) || COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s))
}

fn has_compound_surname(name: &str) -> bool {
    COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s))
}

/// True for field names, placeholders, roles and titles, and those words with a common ending.
fn not_a_name(word: &str) -> bool {
    if listed(NOT_NAMES, word) {
        return true;
    }
    if NOT_NAMES.split_whitespace().any(|w| word.strip_prefix(w).is_some_and(|rest| NOT_NAME_ENDINGS.contains(&rest))) {
        return true;
    }
    // "미지정", "재배정", "비공개": a negated or repeated form word (no surname starts with these).
    if let Some(rest) = word.strip_prefix(['미', '무', '비', '재'])
        && (listed(NOT_NAMES, rest) || rest == "공개")
    {
        return true;
    }
    // "인사팀", "연구소": a unit of an organisation.
    if UNIT_ENDINGS.iter().any(|u| word.ends_with(u)) {
        return true;
    }
    // "부사장", "조교수": a one-syllable prefix and a title.
    syllables(word) == 3 && TITLE_TAILS.iter().any(|t| word.ends_with(t))
}

/// `text` starts with `word` followed by a non-letter (or nothing).
fn starts_with_token(text: &str, word: &str) -> bool {
    text.strip_prefix(word).is_some_and(|rest| !rest.starts_with(is_letter))
}

fn starts_with_latin_token(text: &str, words: &[&str]) -> bool {
    let token: String = text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    words.contains(&token.to_ascii_lowercase().as_str())
}

/// What follows a name ends its field: nothing, punctuation or a number, an honorific or title,
/// the sex, or the next field (`is_label` recognises the detector's own labels).
fn ends_field(after: &str, is_label: fn(&str) -> bool) -> bool {
    let t = after.trim_start();
    let Some(first) = t.chars().next() else { return true };
    if !is_letter(first) {
        return true;
    }
    HONORIFICS.iter().chain(FOLLOWERS).any(|w| t.starts_with(w))
        || FOLLOWER_TOKENS.iter().any(|w| starts_with_token(t, w))
        || starts_with_latin_token(t, LATIN_FOLLOWERS)
        || is_label(t)
}

/// Bytes of relations, titles, unit names and parenthesised notes before the name.
fn skip_before_name(value: &str) -> usize {
    let mut at = 0;
    for _ in 0..3 {
        let rest = &value[at..];
        let trimmed = rest.trim_start();
        let lead = rest.len() - trimmed.len();
        // "(모) 김영희", "[영문] KIM MINJUN".
        if let Some(close) = trimmed.strip_prefix(['(', '（', '[']).and_then(|r| r.find([')', '）', ']'])) {
            let inner = &trimmed[1..1 + close];
            if syllables(inner) <= 12 {
                let closing = trimmed[1 + close..].chars().next().map_or(1, char::len_utf8);
                at += lead + 1 + close + closing;
                continue;
            }
        }
        let word_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let word = &trimmed[..word_len];
        let followed = word_len < trimmed.len();
        let skippable = BEFORE_NAME.contains(&word)
            || (word.chars().all(is_hangul) && UNIT_ENDINGS.iter().any(|u| word.ends_with(u) && word != *u));
        if followed && skippable {
            at += lead + word_len;
            continue;
        }
        break;
    }
    at + (value[at..].len() - value[at..].trim_start().len())
}

/// A name in the value of a person field, as a byte range of `value` and a confidence.
pub(crate) fn labelled_name(value: &str, context: Context, is_label: fn(&str) -> bool) -> Option<(usize, usize, f32)> {
    let start = skip_before_name(value);
    let rest = &value[start..];
    if rest.starts_with(is_hangul) {
        hangul_value(rest, context, is_label).map(|(len, confidence)| (start, start + len, confidence))
    } else {
        latin_value(rest, context, is_label).map(|(s, e, confidence)| (start + s, start + e, confidence))
    }
}

/// The name at the start of `run` (a run of Hangul syllables): the whole run, or the run without
/// a glued honorific, title or particle.
fn name_in_run(run: &str) -> &str {
    for suffix in HONORIFICS {
        if let Some(name) = run.strip_suffix(suffix)
            && (2..=4).contains(&syllables(name))
        {
            return name;
        }
    }
    if syllables(run) >= 4 {
        for particle in PARTICLES {
            if let Some(name) = run.strip_suffix(particle)
                && syllables(name) == 3
                && has_surname(name)
                && !not_a_name(name)
            {
                return name;
            }
        }
    }
    run
}

fn hangul_value(value: &str, context: Context, is_label: fn(&str) -> bool) -> Option<(usize, f32)> {
    let run = HANGUL_RUN.find(value)?.as_str();
    let after_run = &value[run.len()..];
    // "홍길동123" is a code; "업무: …" is the next field's name.
    if after_run.starts_with(|c: char| c.is_ascii_alphanumeric())
        || after_run.trim_start().starts_with([':', '：'])
        || not_a_name(run)
    {
        return None;
    }
    let name = name_in_run(run);
    let count = syllables(name);
    if !(2..=4).contains(&count) || not_a_name(name) || !ends_field(&value[name.len()..], is_label) {
        return None;
    }
    let surname = has_surname(name);
    // Four syllables are a compound surname and a given name; otherwise usually a noun phrase.
    let plausible_length = count < 4 || has_compound_surname(name);
    let confidence = match (context.label, context.colon) {
        (Label::Name, true) if surname && plausible_length => 0.95,
        (Label::Name, true) => 0.8,
        (Label::Name, false) if surname && plausible_length => 0.85,
        (Label::Role, true) if surname && plausible_length => 0.9,
        (Label::Role, false) if surname && plausible_length => 0.85,
        _ => return None,
    };
    Some((name.len(), confidence))
}

fn is_latin_title(token: &str) -> bool {
    LATIN_TITLES.contains(&token.trim_end_matches('.').to_ascii_lowercase().as_str())
}

/// A capitalised ("Sarah", "O'Brien", "Min-jun", "McDonald"), upper-case ("KIM", "MIN-JUN") or
/// initial ("J.") word.
fn latin_name_word(token: &str) -> bool {
    let word = token.strip_suffix('.').filter(|w| w.len() == 1).unwrap_or(token);
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return false };
    if !first.is_ascii_uppercase() {
        return false;
    }
    let pieces_ok = word.split(['-', '\'', '’']).all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()));
    pieces_ok && !listed(NOT_LATIN_NAMES, &word.to_ascii_lowercase())
}

/// A romanised name at the start of `value`: `(start, end)` in bytes (after any title), the number
/// of name words and whether a title (Mr., Dr., Prof. …) came first.
fn latin_name(value: &str) -> Option<(usize, usize, usize, bool)> {
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < value.len() && tokens.len() < 8 {
        let rest = &value[at..];
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        tokens.push((at, &rest[..len]));
        let next = &rest[len..];
        // A name's words are one space apart; a wider gap starts another column.
        if !next.starts_with(" ") || next[1..].starts_with(char::is_whitespace) {
            break;
        }
        at += len + 1;
    }
    let mut i = 0;
    let titled = tokens.first().is_some_and(|(_, t)| is_latin_title(t)) && tokens.len() > 1;
    if titled {
        i = 1;
    }
    let start = tokens.get(i)?.0;
    let (mut end, mut words) = (start, 0);
    while let Some(&(offset, token)) = tokens.get(i) {
        let core = token.trim_end_matches([',', ';', ':', '.', ')']);
        let core = if token[core.len()..].starts_with('.') && core.len() == 1 { &token[..2] } else { core };
        let particle = LATIN_PARTICLES.contains(&core) && words > 0;
        if particle {
            if tokens.get(i + 1).is_some_and(|(_, t)| latin_name_word(t.trim_end_matches([',', ';', ':', '.', ')']))) {
                i += 1;
                continue;
            }
            break;
        }
        if !latin_name_word(core) {
            break;
        }
        words += 1;
        end = offset + core.len();
        let punctuation = &token[core.len()..];
        // "KIM, MINJUN": passport order, surname first; any other comma ends the name.
        let passport_comma = punctuation == ","
            && core.chars().all(|c| c.is_ascii_uppercase() || c == '-')
            && tokens.get(i + 1).is_some_and(|(_, t)| {
                t.chars().all(|c| c.is_ascii_uppercase() || c == '-' || c == ',')
                    && latin_name_word(t.trim_end_matches(','))
            });
        if !punctuation.is_empty() && !passport_comma {
            break;
        }
        i += 1;
    }
    // Five or more capitalised words are a title-case phrase, not a name.
    let more = tokens.get(i).is_some_and(|(_, t)| latin_name_word(t.trim_end_matches([',', ';', '.'])));
    (words > 0 && words <= 4 && !(words == 4 && more)).then_some((start, end, words, titled))
}

fn latin_value(value: &str, context: Context, is_label: fn(&str) -> bool) -> Option<(usize, usize, f32)> {
    let (start, end, words, titled) = latin_name(value)?;
    let after = &value[end..];
    if after.starts_with(|c: char| c.is_ascii_alphanumeric()) || !ends_field(after, is_label) {
        return None;
    }
    let confidence = match (context.label, context.colon) {
        _ if titled => 0.9,
        (Label::Name, true) if words >= 2 => 0.9,
        (Label::Name, true) => 0.8,
        (Label::Name, false) | (Label::Role, _) if words >= 2 => 0.85,
        _ => return None,
    };
    Some((start, end, confidence))
}

/// Names addressed with 님/씨 at a sentence start or after a greeting, and romanised names after
/// "Dear"/"Hello" or before 님.
pub(crate) fn addressed_names(text: &str, out: &mut Vec<Candidate>) {
    for caps in ADDRESSED.captures_iter(text) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.name("name")) else { continue };
        let after = &text[whole.end()..];
        let ends = !after.starts_with(is_hangul) || PARTICLES.iter().any(|p| after.starts_with(p));
        let full_name = match syllables(name.as_str()) {
            3 => has_surname(name.as_str()),
            4 => has_compound_surname(name.as_str()),
            _ => false,
        };
        if ends && full_name && !not_a_name(name.as_str()) {
            out.push(Candidate { kind: PiiKind::Name, start: name.start(), end: name.end(), confidence: 0.85 });
        }
    }
    let mut starts: Vec<usize> = LATIN_GREETING.find_iter(text).map(|m| m.end()).collect();
    // "Sarah Lee 님," at the start of the line.
    let line_start = text.len() - text.trim_start().len();
    starts.push(line_start);
    for (index, start) in starts.iter().enumerate() {
        let greeted = index + 1 < starts.len();
        let value = &text[*start..];
        let Some((s, e, words, titled)) = latin_name(value) else { continue };
        let after = value[e..].trim_start();
        let ok = if greeted {
            (words >= 2 || titled) && (after.is_empty() || after.starts_with([',', '!', ':', '.', ';']))
        } else {
            let honorific = after.strip_prefix('님').or_else(|| after.strip_prefix('씨'));
            words >= 2
                && honorific.is_some_and(|h| !h.starts_with(is_hangul) || PARTICLES.iter().any(|p| h.starts_with(p)))
        };
        if ok {
            out.push(Candidate { kind: PiiKind::Name, start: start + s, end: start + e, confidence: 0.85 });
        }
    }
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&HANGUL_RUN);
    LazyLock::force(&ADDRESSED);
    LazyLock::force(&LATIN_GREETING);
}

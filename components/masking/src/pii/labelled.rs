//! Names and addresses: values after form labels, plus unlabelled Korean road
//! (도로명) and lot (지번) addresses.

use std::sync::LazyLock;

use regex::Regex;

use super::{Candidate, PiiKind};

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<label>성명|이름|성함|예금주|수령인|받는\s?분|보호자|신청인|고객명|환자명|(?:account|card)\s*holder|full\s+name|first\s+name|last\s+name|name|주소지|현주소|도로명\s?주소|지번\s?주소|주소|거주지|배송지|home\s+address|shipping\s+address|address|addr\.?)(?P<sep>\s*[:：]\s*|\s+)",
    )
    .expect("label pattern")
});

/// Another `field:` after the value ends it ("성명: 홍길동 연락처: …").
static NEXT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:[|/·\t]|\s{2,}|[^\s:：]{1,15}\s*[:：])").expect("next field pattern"));

static HANGUL_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[가-힣]{2,5}").expect("hangul name pattern"));

static LATIN_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Za-z'’-]*\.?(?: [A-Z][A-Za-z'’-]*\.?){0,3}").expect("latin name pattern"));

static ADDRESS_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[가-힣0-9]+(?:시|도|구|군|동|읍|면|로|길|리)(?:[\s,]|[0-9]|$)").expect("address token pattern")
});

static ROAD_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충청북|충남|충청남|전북|전라북|전남|전라남|경북|경상북|경남|경상남|제주)[가-힣]{0,6}\s+)?(?:[가-힣]{1,6}(?:시|군|구)\s+){1,3}(?:[가-힣0-9]{1,6}(?:읍|면|동)\s+)?(?:[가-힣0-9]{1,12}(?:로|길)|[가-힣0-9]{1,6}(?:동|리|가)\s?(?:산\s?)?)\s?[0-9]{1,4}(?:-[0-9]{1,4})?(?:,?\s?[0-9]{1,4}(?:동|층|호))*",
    )
    .expect("road address pattern")
});

// Common surnames (incl. two-syllable ones): a Hangul word after a bare,
// colon-less label is only a name when it starts with one of these.
const SURNAMES: &str = "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄변채원천방공현함염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부탁";

/// Words before "name"/"이름"/"주소" that make the field about a thing, not a person.
const THING_PREFIXES: &[&str] = &[
    "company",
    "product",
    "file",
    "project",
    "brand",
    "model",
    "app",
    "service",
    "domain",
    "host",
    "user",
    "e-mail",
    "email",
    "ip",
    "mac",
    "web",
    "server",
    "site",
    "회사",
    "상품",
    "제품",
    "파일",
    "모델",
    "앱",
    "서비스",
    "브랜드",
    "기관",
    "학교",
    "단체",
    "상호",
    "가게",
    "매장",
    "업체",
    "프로젝트",
    "팀",
    "폴더",
    "도메인",
    "계정",
    "이메일",
    "메일",
    "웹",
    "홈페이지",
    "사이트",
    "서버",
    "ip",
    "mac",
];

enum Field {
    Name,
    Address,
}

fn field_of(label: &str) -> Field {
    let lower = label.to_lowercase();
    if lower.contains("주소") || lower.contains("거주") || lower.contains("배송") || lower.contains("addr") {
        Field::Address
    } else {
        Field::Name
    }
}

fn previous_word(text: &str, start: usize) -> &str {
    let head = text[..start].trim_end();
    let begin = head.rfind(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '|' | ',')).map_or(0, |i| i + 1);
    &head[begin.min(head.len())..]
}

pub(crate) fn labelled_fields(text: &str, out: &mut Vec<Candidate>) {
    for caps in LABEL.captures_iter(text) {
        let (Some(label), Some(sep)) = (caps.name("label"), caps.name("sep")) else { continue };
        // Must start a token: "회사이름" or "username" is not our label.
        if text[..label.start()].chars().next_back().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let prefix = previous_word(text, label.start()).to_lowercase();
        if THING_PREFIXES.iter().any(|p| prefix == *p) {
            continue;
        }
        let colon = sep.as_str().contains([':', '：']);
        let value_start = sep.end();
        let rest = &text[value_start..];
        // "보호자 성명: 최민호": the value of the first label is the second label.
        if LABEL.find(rest).is_some_and(|m| m.start() == 0) {
            continue;
        }
        let field_end = next_field(rest);
        let value = rest[..field_end].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '.'));
        let found = match field_of(label.as_str()) {
            Field::Name => name_value(value, colon),
            Field::Address => address_value(value, colon),
        };
        if let Some((len, kind, confidence)) = found {
            out.push(Candidate { kind, start: value_start, end: value_start + len, confidence });
        }
    }
}

fn next_field(rest: &str) -> usize {
    let label_end = LABEL.find(rest).map(|m| m.start()).filter(|&i| i > 0);
    let field_end = NEXT_FIELD.find(rest).map(|m| m.start()).filter(|&i| i > 0);
    [label_end, field_end].into_iter().flatten().min().unwrap_or(rest.len())
}

fn name_value(value: &str, colon: bool) -> Option<(usize, PiiKind, f32)> {
    if let Some(m) = HANGUL_NAME.find(value) {
        let mut name = m.as_str();
        // Honorifics glued to the name are not part of it.
        for suffix in ["님", "씨"] {
            if name.chars().count() >= 3 {
                name = name.strip_suffix(suffix).unwrap_or(name);
            }
        }
        let glued = value[m.end()..].chars().next().is_some_and(|c| c.is_alphanumeric());
        let syllables = name.chars().count();
        if glued || !(2..=4).contains(&syllables) {
            return None;
        }
        let surname = name.starts_with(|c: char| SURNAMES.contains(c));
        let confidence = match (colon, surname) {
            (true, true) => 0.95,
            (true, false) => 0.8,
            (false, true) => 0.85,
            (false, false) => return None,
        };
        return Some((name.len(), PiiKind::Name, confidence));
    }
    let m = LATIN_NAME.find(value)?;
    let name = m.as_str().trim_end_matches('.');
    let words = name.split(' ').count();
    if value[m.end()..].chars().next().is_some_and(|c| c.is_alphanumeric()) || (!colon && words < 2) {
        return None;
    }
    Some((name.len(), PiiKind::Name, if words >= 2 { 0.9 } else { 0.8 }))
}

fn address_value(value: &str, colon: bool) -> Option<(usize, PiiKind, f32)> {
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    let korean_tokens = ADDRESS_TOKEN.find_iter(value).count();
    let latin_words =
        value.split_whitespace().filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2).count();
    let plausible = if korean_tokens > 0 {
        has_digit || korean_tokens >= 2
    } else {
        has_digit && latin_words >= 2 && !value.contains('@')
    };
    if !plausible || value.chars().count() > 120 {
        return None;
    }
    Some((value.len(), PiiKind::Address, if colon { 0.9 } else { 0.8 }))
}

pub(crate) fn road_addresses(text: &str, out: &mut Vec<Candidate>) {
    for m in ROAD_ADDRESS.find_iter(text) {
        // "역삼동 3번 출구", "강남구 2층": a count or a time, not a lot/building number.
        let glued = text[m.end()..].chars().next().is_some_and(|c| {
            c.is_ascii_digit() || matches!(c, '번' | '명' | '개' | '시' | '분' | '일' | '월' | '년' | '원')
        });
        if !glued {
            out.push(Candidate { kind: PiiKind::Address, start: m.start(), end: m.end(), confidence: 0.75 });
        }
    }
}

//! Names and addresses: values after form labels, plus unlabelled Korean road
//! (도로명) and lot (지번) addresses.

use std::sync::LazyLock;

use regex::Regex;

use super::{Candidate, PiiKind, names};

/// Form labels before a person's name (`name`: the field is the name; `role`: the field is a
/// person in some role) or an address (`addr`), then an optional note ("성명(영문)") and `:` or space.
const LABEL_PATTERN: &str = r"(?i)(?P<label>(?P<name>영문\s?성명|영문\s?이름|영문명|한글\s?성명|국문\s?성명|한글\s?이름|성\s{0,2}명|이\s{0,2}름|성함|고객명|환자명|학생명|근로자명|회원명|full\s+name|first\s+name|last\s+name|given\s+name|family\s+name|surname|english\s+name|korean\s+name|name)|(?P<role>(?:지원자|담당자|담당|추천인|작성자|신청인|신청자|예금주|보호자|대표자|대표이사|비상\s?연락처|비상\s?연락망|긴급\s?연락처|수령인|수취인|받는\s?분|받는\s?사람|보내는\s?분|보내는\s?사람|발신인|수신인|송금인|입금자|의뢰인|계약자|세대주|소유자|보증인|면접관|기안자|결재자|승인자|검토자|지도\s?교수|참석자|가족\s?관계)명?|대표|발신|수신|applicant|candidate|contact\s+person|contact\s+name|emergency\s+contact|contact|team\s+lead(?:er)?|mentor|advis[eo]r|reference|referee|hiring\s+manager|manager|recruiter|supervisor|interviewer|(?:account|card)\s*holder|cardholder|recipient|guardian|beneficiary|(?:prepared|written|submitted|approved|reviewed|signed)\s+by|attn\.?|attention)|(?P<addr>주소지|현주소|도로명\s?주소|지번\s?주소|주\s{0,2}소|거주지|배송지|home\s+address|shipping\s+address|address|addr\.?))(?P<note>\s*[(（\[][^()（）\[\]]{1,15}[)）\]])?(?P<sep>\s*[:：]\s*|\s+)";

static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(LABEL_PATTERN).expect("label pattern"));

/// [`LABEL`] anchored, to test a position without scanning the rest of the line.
static LABEL_AT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{LABEL_PATTERN})")).expect("anchored label pattern"));

/// Another `field:` after the value ends it ("성명: 홍길동 연락처: …").
static NEXT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*(?:[|/·\t]|\s{2,}|[^\s:：]{1,15}\s*[:：])").expect("next field pattern"));

static ADDRESS_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[가-힣0-9]+(?:시|도|구|군|동|읍|면|로|길|리)(?:[\s,]|[0-9]|$)").expect("address token pattern")
});

static ROAD_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충청북|충남|충청남|전북|전라북|전남|전라남|경북|경상북|경남|경상남|제주)[가-힣]{0,6}\s+)?(?:[가-힣]{1,6}(?:시|군|구)\s+){1,3}(?:[가-힣0-9]{1,6}(?:읍|면|동)\s+)?(?:[가-힣0-9]{1,12}(?:로|길)|[가-힣0-9]{1,6}(?:동|리|가)\s?(?:산\s?)?)\s?[0-9]{1,4}(?:-[0-9]{1,4})?(?:,?\s?[0-9]{1,4}(?:동|층|호))*",
    )
    .expect("road address pattern")
});

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

fn previous_word(text: &str, start: usize) -> &str {
    let head = text[..start].trim_end();
    let begin = head.rfind(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '|' | ',')).map_or(0, |i| i + 1);
    &head[begin.min(head.len())..]
}

/// "보호자성명:", "신청인이름:": the Hangul glued before a name label is not a thing ("회사이름:").
fn person_before(text: &str, start: usize) -> bool {
    let head = &text[..start];
    let begin = head
        .rfind(|c: char| !('가'..='힣').contains(&c))
        .map_or(0, |i| i + head[i..].chars().next().map_or(1, char::len_utf8));
    let glued = &head[begin..];
    !glued.is_empty() && !THING_PREFIXES.iter().any(|p| glued.ends_with(p))
}

/// True when `text` starts with one of the labels above.
fn label_at_start(text: &str) -> bool {
    LABEL_AT_START.is_match(text)
}

pub(crate) fn labelled_fields(text: &str, out: &mut Vec<Candidate>) {
    for caps in LABEL.captures_iter(text) {
        let (Some(label), Some(sep)) = (caps.name("label"), caps.name("sep")) else { continue };
        let colon = sep.as_str().contains([':', '：']);
        let role = caps.name("role").is_some();
        let korean = label.as_str().starts_with(|c: char| !c.is_ascii());
        // Must start a token: "회사이름" or "username" is not our label. A Korean role glued to
        // its department is, when a colon follows ("영업담당자: 김민수").
        let glued = text[..label.start()].chars().next_back().is_some_and(char::is_alphanumeric);
        if glued && !(korean && colon && (role || caps.name("name").is_some() && person_before(text, label.start()))) {
            continue;
        }
        // "Product name", "IP 주소": the field is about a thing. Roles are people whatever their prefix
        // ("Hiring Manager").
        let prefix = previous_word(text, label.start()).to_lowercase();
        if !role && THING_PREFIXES.iter().any(|p| prefix == *p) {
            continue;
        }
        // English role words are ordinary words ("Marketing Manager Samsung"): only a colon, or
        // "Prepared by", makes them a label.
        if role && !korean && !colon && !label.as_str().to_lowercase().ends_with("by") {
            continue;
        }
        // "대표 전화", "수신 거부": bare 대표/발신/수신 are ordinary words; with a colon they head a field.
        if matches!(label.as_str(), "대표" | "발신" | "수신") && !colon {
            continue;
        }
        let value_start = sep.end();
        // Values are short: looking further than this for their end only costs time on long lines.
        let rest = &text[value_start..floor_char_boundary(text, value_start + MAX_VALUE_BYTES)];
        // "보호자 성명: 최민호": the value of the first label is the second label.
        if label_at_start(rest) {
            continue;
        }
        let field_end = next_field(rest);
        let value = rest[..field_end].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '.'));
        if caps.name("addr").is_some() {
            if let Some((len, confidence)) = address_value(value, colon) {
                out.push(Candidate { kind: PiiKind::Address, start: value_start, end: value_start + len, confidence });
            }
            continue;
        }
        let context = names::Context { label: if role { names::Label::Role } else { names::Label::Name }, colon };
        // "참석자: 김민수, 이영희", "가족관계: 부 김철수, 모 이영희": a list of names.
        let mut from = 0;
        for _ in 0..MAX_LISTED_NAMES {
            let item = &value[from..];
            if let Some((start, end, confidence)) = names::labelled_name(item, context, label_at_start) {
                out.push(Candidate {
                    kind: PiiKind::Name,
                    start: value_start + from + start,
                    end: value_start + from + end,
                    confidence,
                });
            }
            let Some(comma) = item.find([',', '、', '，']) else { break };
            from += comma + item[comma..].chars().next().map_or(1, char::len_utf8);
        }
    }
}

/// Most names taken from one field's list.
const MAX_LISTED_NAMES: usize = 12;

/// Longest stretch after a label searched for its value: more than the longest address accepted
/// (120 chars, even of 3-byte Hangul).
const MAX_VALUE_BYTES: usize = 512;

fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn next_field(rest: &str) -> usize {
    let label_end = LABEL.find(rest).map(|m| m.start()).filter(|&i| i > 0);
    let field_end = NEXT_FIELD.find(rest).map(|m| m.start()).filter(|&i| i > 0);
    [label_end, field_end].into_iter().flatten().min().unwrap_or(rest.len())
}

fn address_value(value: &str, colon: bool) -> Option<(usize, f32)> {
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
    Some((value.len(), if colon { 0.9 } else { 0.8 }))
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

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&LABEL);
    LazyLock::force(&LABEL_AT_START);
    LazyLock::force(&NEXT_FIELD);
    LazyLock::force(&ADDRESS_TOKEN);
    LazyLock::force(&ROAD_ADDRESS);
}

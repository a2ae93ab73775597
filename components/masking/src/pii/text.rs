//! Shared text helpers: offset conversion, token boundaries and keyword context.

use regex::{Captures, Regex};

use super::{Candidate, PiiKind};

/// Byte offset → char offset, built once per line with detections.
pub(crate) struct CharIndex {
    starts: Vec<usize>,
}

impl CharIndex {
    pub(crate) fn new(text: &str) -> Self {
        Self { starts: text.char_indices().map(|(i, _)| i).collect() }
    }

    pub(crate) fn char_at(&self, byte: usize) -> usize {
        match self.starts.binary_search(&byte) {
            Ok(i) | Err(i) => i,
        }
    }
}

/// Runs `re` over `text`, restarting one char after every rejected match so a
/// bad prefix (e.g. "2 010-1234-5678") cannot swallow the real number behind it.
pub(crate) fn scan<'t>(
    re: &Regex,
    text: &'t str,
    kind: PiiKind,
    out: &mut Vec<Candidate>,
    mut accept: impl FnMut(&Captures<'t>) -> Option<f32>,
) {
    let mut pos = 0;
    while pos <= text.len() {
        let Some(caps) = re.captures_at(text, pos) else { break };
        let Some(m) = caps.get(0) else { break };
        match accept(&caps) {
            Some(confidence) if m.start() < m.end() => {
                out.push(Candidate { kind, start: m.start(), end: m.end(), confidence });
                pos = m.end();
            }
            _ => pos = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8),
        }
    }
}

// "/" is deliberately not a joiner: "010-1111-2222/010-3333-4444" lists two numbers.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '.' | ',' | ':' | '_' | '+')
}

/// True when `text[start..end]` is a whole token rather than a slice of a
/// longer number, code, decimal or price ("₩12,000", "3,000,000원", "v1.2.3").
pub(crate) fn isolated(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match (before.next(), before.next()) {
        (Some(c), _) if c.is_ascii_alphanumeric() => return false,
        (Some('₩' | '$' | '€' | '£' | '¥' | '#' | '№'), _) => return false,
        (Some(c), Some(d)) if is_joiner(c) && d.is_ascii_digit() => return false,
        // "AB-0101234567" continues a code, but "TEL:010…" and "Tel.010…" merely label the number.
        (Some('-' | '_'), Some(d)) if d.is_ascii_alphabetic() => return false,
        _ => {}
    }
    let mut after = text[end..].chars();
    match (after.next(), after.next()) {
        (Some(c), _) if c.is_ascii_alphanumeric() => false,
        (Some('원' | '%' | '₩'), _) => false,
        (Some(c), Some(d)) if is_joiner(c) && d.is_ascii_digit() => false,
        _ => true,
    }
}

/// [`isolated`], and for space-grouped numbers also not one group short of a
/// longer space-grouped run ("0000 0000 0000 0000 0000", "010 1234 5678 9").
pub(crate) fn isolated_spaced(text: &str, start: usize, end: usize) -> bool {
    if !isolated(text, start, end) {
        return false;
    }
    if !text[start..end].contains(char::is_whitespace) {
        return true;
    }
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    let digit_before = matches!((before.next(), before.next()), (Some(' '), Some(d)) if d.is_ascii_digit());
    let digit_after = matches!((after.next(), after.next()), (Some(' '), Some(d)) if d.is_ascii_digit());
    !digit_before && !digit_after
}

pub(crate) fn digits(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

/// Up to `chars` characters before byte `start`.
pub(crate) fn window_before(text: &str, start: usize, chars: usize) -> &str {
    let begin = text[..start].char_indices().rev().take(chars).last().map_or(start, |(i, _)| i);
    &text[begin..start]
}

pub(crate) fn contains_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

fn last_position(lower: &str, needles: &[&str]) -> Option<usize> {
    needles.iter().filter_map(|n| lower.rfind(n)).max()
}

/// Words that label a number as something other than personal data.
const NON_PII_LABELS: &[&str] = &[
    // Not bare 주문: "주문자 010-…" is the customer's phone.
    "주문번호",
    "주문 번호",
    "주문코드",
    "order",
    "송장",
    "운송장",
    "tracking",
    "invoice",
    "인보이스",
    "사업자",
    "business reg",
    // Corporate registration (법인등록번호 ######-#######) and the 고유번호 of non-profits: a
    // company's, not a person's, and shaped like a resident registration number.
    "법인",
    "corporate",
    "corporation",
    "company reg",
    "고유번호",
    "등기번호",
    "증권번호",
    "isbn",
    "issn",
    "승인번호",
    "거래번호",
    "접수번호",
    "예약번호",
    "serial",
    "일련번호",
    "모델",
    "model",
    "sku",
    "바코드",
    "barcode",
    "우편번호",
    "zip",
    "postal",
    "상품코드",
    "품번",
    "티켓",
    "ticket",
    "버전",
    "version",
];

/// Words that label a number as personal data; they win when they sit closer to it.
const PII_LABELS: &[&str] = &[
    "전화",
    "연락처",
    "휴대폰",
    "핸드폰",
    "tel",
    "phone",
    "mobile",
    "fax",
    "팩스",
    "주민",
    "외국인",
    "카드",
    "card",
    "계좌",
    "account",
    "여권",
    "passport",
    "면허",
    "licen",
];

/// True when the closest label before the number (within a short window) says it is not PII.
pub(crate) fn labelled_non_pii(text: &str, start: usize) -> bool {
    let lower = window_before(text, start, 32).to_lowercase();
    match (last_position(&lower, NON_PII_LABELS), last_position(&lower, PII_LABELS)) {
        (Some(neg), Some(pos)) => neg > pos,
        (Some(_), None) => true,
        _ => false,
    }
}

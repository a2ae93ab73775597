//! Payment card numbers and bank account numbers.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::luhn;
use super::text::{contains_any, digits, isolated_spaced, labelled_non_pii, scan, window_before};
use super::{Candidate, PiiKind};

static CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{4}[-\s][0-9]{6}[-\s][0-9]{4,5}|[0-9]{4}(?:[-\s][0-9]{4}){3}(?:[-\s][0-9]{1,3})?|[0-9]{13,19}")
        .expect("card pattern")
});

// Up to five groups; the last may be a single check digit (새마을금고 4-4-4-1, 신협 3-3-6-1 …).
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[0-9]{2,6}(?:-[0-9]{2,7}){1,3}(?:-[0-9]{1,7})?|[0-9]{3,6}(?:\s[0-9]{2,7}){1,3}(?:\s[0-9])?|[0-9]{10,14}",
    )
    .expect("account pattern")
});

const CARD_WORDS: &[&str] = &["카드", "card", "visa", "master", "amex", "결제", "신용", "체크"];

// Banks and other deposit-takers (시중·지방·인터넷은행, 상호금융, 우체국, 증권사), and words
// about accounts. Short names such as 우리/하나/기업 are also ordinary words, but they only matter
// on lines that also hold a 10–14 digit grouped number.
const BANK_WORDS: &[&str] = &[
    "은행",
    "뱅크",
    "국민",
    "신한",
    "우리",
    "하나",
    "농협",
    "축협",
    "기업",
    "산업",
    "수출입",
    "외환",
    "씨티",
    "sc제일",
    "카카오",
    "토스",
    "새마을",
    "금고",
    "신협",
    "신용협동",
    "수협",
    "산림조합",
    "우체국",
    "우정사업",
    "증권",
    "저축",
    "종금",
    "계좌",
    "통장",
    "입금",
    "송금",
    "이체",
    "예금",
    "예금주",
];

/// Latin bank words, matched as whole words ("nh" must not match "enhance").
const BANK_LATIN_WORDS: &[&str] = &[
    "bank",
    "kb",
    "ibk",
    "nh",
    "sc",
    "mg",
    "bnk",
    "dgb",
    "jb",
    "kdb",
    "keb",
    "citi",
    "hsbc",
    "shinhan",
    "woori",
    "hana",
    "kookmin",
    "kakao",
    "kakaobank",
    "toss",
    "account",
    "acct",
    "a/c",
    "savings",
    "deposit",
];

/// True when `text` names a bank or an account.
fn mentions_bank(text: &str) -> bool {
    let lower = text.to_lowercase();
    if BANK_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    BANK_LATIN_WORDS.iter().any(|w| {
        lower.match_indices(w).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + w.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphabetic()) && !after.is_some_and(|c| c.is_ascii_alphabetic())
        })
    })
}

fn separators(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_ascii_digit()).collect()
}

pub(crate) fn cards(text: &str, out: &mut Vec<Candidate>) {
    let keyword = contains_any(text, CARD_WORDS);
    scan(&CARD, text, PiiKind::CardNumber, out, |caps| {
        let m = caps.get(0)?;
        if !isolated_spaced(text, m.start(), m.end()) || labelled_non_pii(text, m.start()) {
            return None;
        }
        let d = digits(m.as_str());
        // No issuer prefix starts with 0, and all-zero filler passes Luhn.
        if !(13..=19).contains(&d.len()) || d[0] == 0 || !luhn(&d) {
            return None;
        }
        let seps = separators(m.as_str());
        if seps.windows(2).any(|w| w[0] != w[1]) {
            return None;
        }
        let groups: Vec<usize> = m.as_str().split(|c: char| !c.is_ascii_digit()).map(str::len).collect();
        if groups.len() == 3 {
            // 4-6-5 (Amex) and 4-6-4 (Diners) only exist for 3x prefixes.
            return (d[0] == 3).then_some(0.95);
        }
        if !seps.is_empty() {
            return Some(0.95);
        }
        // ISBN-13 (978/979) passes Luhn-like checks often enough to need excluding.
        let isbn = d.len() == 13 && d.starts_with(&[9, 7]) && matches!(d[2], 8 | 9);
        // Domestic Korean cards (BC, NH …) start with 9 as well as the global 2–6 prefixes.
        let common_length = matches!(d.len(), 15 | 16) && matches!(d[0], 2..=6 | 9);
        match (isbn, common_length, keyword) {
            (true, _, _) => None,
            (false, true, true) => Some(0.95),
            (false, true, false) => Some(0.9),
            (false, false, true) => Some(0.85),
            (false, false, false) => None,
        }
    });
}

pub(crate) fn bank_accounts(text: &str, out: &mut Vec<Candidate>) {
    if !mentions_bank(text) {
        return;
    }
    scan(&ACCOUNT, text, PiiKind::BankAccount, out, |caps| {
        let m = caps.get(0)?;
        if !isolated_spaced(text, m.start(), m.end()) || labelled_non_pii(text, m.start()) {
            return None;
        }
        let d = digits(m.as_str());
        if !(10..=14).contains(&d.len()) {
            return None;
        }
        let groups: Vec<usize> = m.as_str().split(|c: char| !c.is_ascii_digit()).map(str::len).collect();
        // 3-2-5 is the business registration number layout (사업자등록번호).
        if groups == [3, 2, 5] {
            return None;
        }
        let near = mentions_bank(window_before(text, m.start(), 20));
        Some(if near { 0.9 } else { 0.8 })
    });
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&CARD);
    LazyLock::force(&ACCOUNT);
}

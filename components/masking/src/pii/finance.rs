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

static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{2,6}(?:-[0-9]{2,7}){1,4}|[0-9]{3,6}(?:\s[0-9]{2,7}){1,3}|[0-9]{10,14}").expect("account pattern")
});

const CARD_WORDS: &[&str] = &["카드", "card", "visa", "master", "amex", "결제", "신용", "체크"];

// Short names such as 우리/하나/기업 are also ordinary words, but they only
// matter on lines that also hold a 10–14 digit grouped number.
const BANK_WORDS: &[&str] = &[
    "은행",
    "bank",
    "국민",
    "신한",
    "우리",
    "하나",
    "농협",
    "기업",
    "카카오뱅크",
    "토스뱅크",
    "케이뱅크",
    "sc제일",
    "새마을",
    "우체국",
    "수협",
    "신협",
    "씨티",
    "산업",
    "kb",
    "ibk",
    "nh",
    "계좌",
    "입금",
    "송금",
    "예금주",
    "account",
    "acct",
    "a/c",
];

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
    if !contains_any(text, BANK_WORDS) {
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
        let near = contains_any(window_before(text, m.start(), 20), BANK_WORDS);
        Some(if near { 0.9 } else { 0.8 })
    });
}

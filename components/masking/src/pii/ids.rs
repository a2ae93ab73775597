//! Korean identity numbers: resident/foreigner registration, passport, driver's licence.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::{century, registration_checksum, valid_date};
use super::text::{contains_any, digits, isolated, labelled_non_pii, scan, window_before};
use super::{Candidate, PiiKind};

static REGISTRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<date>[0-9]{6})(?P<sep>\s?[-–]\s?)?(?P<gender>[0-9])[0-9]{6}").expect("registration number pattern")
});

static PASSPORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[MSRODG](?:[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})").expect("passport pattern"));

static LICENSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<region>(?:경기남부|경기북부|서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산|세종)|1[1-9]|2[0-8])(?P<s1>[-\s]?)[0-9]{2}(?P<s2>[-\s]?)[0-9]{6}(?P<s3>[-\s]?)[0-9]{2}",
    )
    .expect("driver licence pattern")
});

const REGISTRATION_WORDS: &[&str] = &["주민", "외국인", "등록번호", "rrn", "resident", "registration"];
const PASSPORT_WORDS: &[&str] = &["여권", "passport"];
const LICENSE_WORDS: &[&str] = &["면허", "licen"];

pub(crate) fn registration_numbers(text: &str, out: &mut Vec<Candidate>) {
    let mut found = Vec::new();
    let mut kinds = Vec::new();
    scan(&REGISTRATION, text, PiiKind::ResidentRegistrationNumber, &mut found, |caps| {
        let m = caps.get(0)?;
        if !isolated(text, m.start(), m.end()) || labelled_non_pii(text, m.start()) {
            return None;
        }
        let d = digits(m.as_str());
        let gender = d[6];
        let year = century(gender) + u32::from(d[0]) * 10 + u32::from(d[1]);
        let month = u32::from(d[2]) * 10 + u32::from(d[3]);
        let day = u32::from(d[4]) * 10 + u32::from(d[5]);
        if !valid_date(year, month, day) {
            return None;
        }
        let checksum = registration_checksum(&d);
        let dashed = caps.name("sep").is_some();
        let labelled = contains_any(window_before(text, m.start(), 20), REGISTRATION_WORDS);
        let confidence = match (checksum, gender) {
            // 0 and 9 are births in the 1800s: no living holder, so some other 13-digit number.
            (_, 0 | 9) => return None,
            (true, _) => 0.99,
            // Numbers issued since October 2020 carry random digits, so no checksum is expected.
            (false, _) if dashed || labelled => 0.85,
            (false, _) => 0.75,
        };
        kinds.push(if (5..=8).contains(&gender) {
            PiiKind::ForeignerRegistrationNumber
        } else {
            PiiKind::ResidentRegistrationNumber
        });
        Some(confidence)
    });
    out.extend(found.into_iter().zip(kinds).map(|(c, kind)| Candidate { kind, ..c }));
}

pub(crate) fn passports(text: &str, out: &mut Vec<Candidate>) {
    let keyword = contains_any(text, PASSPORT_WORDS);
    scan(&PASSPORT, text, PiiKind::PassportNumber, out, |caps| {
        let m = caps.get(0)?;
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            || labelled_non_pii(text, m.start())
        {
            return None;
        }
        let new_format = m.as_str().as_bytes().get(4).is_some_and(u8::is_ascii_uppercase);
        match (keyword, new_format) {
            (true, _) => Some(0.95),
            // The 2021 format (letter, 3 digits, letter, 4 digits) is distinctive on its own;
            // letter + 8 digits is shared with countless product and member codes.
            (false, true) => Some(0.8),
            (false, false) => None,
        }
    });
}

pub(crate) fn driver_licenses(text: &str, out: &mut Vec<Candidate>) {
    let keyword = contains_any(text, LICENSE_WORDS);
    scan(&LICENSE, text, PiiKind::DriverLicenseNumber, out, |caps| {
        let m = caps.get(0)?;
        if !isolated(text, m.start(), m.end()) || labelled_non_pii(text, m.start()) {
            return None;
        }
        let named_region = caps.name("region").is_some_and(|r| !r.as_str().starts_with(|c: char| c.is_ascii_digit()));
        let seps = ["s1", "s2", "s3"].map(|s| caps.name(s).map_or("", |m| m.as_str()));
        let fully_separated = seps[1..].iter().all(|s| !s.is_empty()) && (named_region || !seps[0].is_empty());
        match (fully_separated, keyword, named_region) {
            (true, true, _) => Some(0.95),
            (true, false, true) => Some(0.9),
            (true, false, false) => Some(0.85),
            // A bare 12-digit run is anything; only a nearby 면허/licence makes it one.
            (false, true, _) => Some(0.8),
            (false, false, _) => None,
        }
    });
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&REGISTRATION);
    LazyLock::force(&PASSPORT);
    LazyLock::force(&LICENSE);
}

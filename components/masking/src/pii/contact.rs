//! Phone numbers and e-mail addresses.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::text::{isolated, isolated_spaced, labelled_non_pii, scan};
use super::{Candidate, PiiKind};

static DOMESTIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\(?(?P<area>0(?:1[016789]|2|[3-6][1-5]|70|50[2-8]|80))(?P<close>\))?(?P<s1>\s?[-.]\s?|\s?)(?P<mid>[0-9]{3,4})(?P<s2>\s?[-.]\s?|\s?)(?P<last>[0-9]{4})",
    )
    .expect("domestic phone pattern")
});

static INTERNATIONAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\+82[-.\s]?(?:\(0\)\s?)?0?(?P<area>1[016789]|2|[3-6][1-5]|70|50[2-8]|80)(?P<s1>\s?[-.]\s?|\s?)(?P<mid>[0-9]{3,4})(?P<s2>\s?[-.]\s?|\s?)(?P<last>[0-9]{4})",
    )
    .expect("international phone pattern")
});

// Representative numbers (대표번호) are 15xx/16xx/18xx-xxxx; they are business
// lines more often than personal ones, hence the lower confidence.
static REPRESENTATIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"1[568][0-9]{2}[-\s][0-9]{4}").expect("representative phone pattern"));

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_%+-])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}")
        .expect("email pattern")
});

fn text_of<'t>(caps: &Captures<'t>, name: &str) -> &'t str {
    caps.name(name).map_or("", |m| m.as_str())
}

/// Mixed separators ("010-1234 5678") are fine; half-separated numbers
/// ("0101234-5678") are too easily a slice of some other code.
fn separators_ok(s1: &str, s2: &str) -> bool {
    s1.is_empty() == s2.is_empty()
}

/// 070 numbers always have a 4-digit middle group; 050x safe numbers and the old
/// 011/016–019 mobiles come with both. 010 is handled by the caller.
fn middle_ok(area: &str, mid: &str) -> bool {
    let area = area.trim_start_matches('0');
    match area {
        "70" => mid.len() == 4,
        _ => true,
    }
}

pub(crate) fn phones(text: &str, out: &mut Vec<Candidate>) {
    scan(&DOMESTIC, text, PiiKind::Phone, out, |caps| {
        let m = caps.get(0)?;
        let opened = m.as_str().starts_with('(');
        let closed = caps.name("close").is_some();
        // "02)123-4567" is a common Korean way of writing the area code; "(02 123" is not.
        if (opened && !closed) || !isolated_spaced(text, m.start(), m.end()) || labelled_non_pii(text, m.start()) {
            return None;
        }
        let (area, mid) = (text_of(caps, "area"), text_of(caps, "mid"));
        let (s1, s2) = (text_of(caps, "s1"), text_of(caps, "s2"));
        if !middle_ok(area, mid) {
            return None;
        }
        let mobile = area.starts_with("01");
        if closed {
            return Some(0.9);
        }
        let contiguous = s1.is_empty() && s2.is_empty();
        if area == "010" && mid.len() == 3 {
            // Pre-2004 style and sample numbers; too ambiguous without separators.
            return (!contiguous && separators_ok(s1, s2)).then_some(0.85);
        }
        if contiguous {
            // Unseparated landlines look like any other 9–10 digit code; only mobiles are distinctive.
            return mobile.then_some(0.9);
        }
        if !separators_ok(s1, s2) {
            return None;
        }
        Some(if mobile { 0.97 } else { 0.9 })
    });
    scan(&INTERNATIONAL, text, PiiKind::Phone, out, |caps| {
        let m = caps.get(0)?;
        if !isolated_spaced(text, m.start(), m.end()) || !middle_ok(text_of(caps, "area"), text_of(caps, "mid")) {
            return None;
        }
        separators_ok(text_of(caps, "s1"), text_of(caps, "s2")).then_some(0.97)
    });
    scan(&REPRESENTATIVE, text, PiiKind::Phone, out, |caps| {
        let m = caps.get(0)?;
        // "1592-1598년" is a span of years and "1500-1800" one of clock times, not hotlines.
        let year_range = text[m.end()..].starts_with('년');
        let time_range = m.as_str().split(['-', ' ']).filter(|g| !g.is_empty()).all(on_the_half_hour);
        let ok = isolated(text, m.start(), m.end()) && !year_range && !time_range && !labelled_non_pii(text, m.start());
        ok.then_some(0.7)
    });
}

/// "1500", "0930": an HHMM clock time on the hour or half hour.
fn on_the_half_hour(group: &str) -> bool {
    let hours = group.get(..2).and_then(|h| h.parse::<u32>().ok());
    let minutes = group.get(2..);
    group.len() == 4 && hours.is_some_and(|h| h <= 24) && matches!(minutes, Some("00" | "30"))
}

pub(crate) fn emails(text: &str, out: &mut Vec<Candidate>) {
    for m in EMAIL.find_iter(text) {
        // A domain glued to more letters/digits (e.g. "a@b.comx1") was cut by the TLD length limit.
        let glued = text[m.end()..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !glued {
            out.push(Candidate { kind: PiiKind::Email, start: m.start(), end: m.end(), confidence: 0.98 });
        }
    }
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&DOMESTIC);
    LazyLock::force(&INTERNATIONAL);
    LazyLock::force(&REPRESENTATIVE);
    LazyLock::force(&EMAIL);
}

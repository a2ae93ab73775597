//! Text clean-up shared by every extractor, plus small character helpers.
//!
//! Postings are pasted from PDFs, web pages and chat apps, so the same
//! character shows up in several code points (full-width digits, `～` vs `~`,
//! en dashes). Folding them once here keeps every regex in the other modules
//! ASCII-simple.

use std::collections::BTreeMap;

use regex::Regex;

/// A built-in pattern (a typo in one fails every test). Its word boundaries (`\b`) are
/// ASCII ones: a Hangul syllable never continues an English word (`Jan 22일`), and ASCII
/// boundaries keep the regex engine's fast DFA usable on Korean text, where a Unicode
/// boundary makes it fall back to the slow NFA for the whole line.
pub fn regex(pattern: &str) -> Regex {
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    Regex::new(&pattern).unwrap_or_else(|e| panic!("invalid built-in pattern {pattern}: {e}"))
}

/// Fold look-alike characters to the ASCII (or plain Hangul) form the rules expect.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Full-width ASCII block (digits, `：`, `（`, `～`, letters).
            '\u{FF01}'..='\u{FF5E}' => out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\t' => out.push(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => out.push('-'),
            '\u{301C}' | '\u{223C}' | '\u{02DC}' => out.push('~'),
            '\u{321C}' | '\u{3231}' => out.push_str("(주)"), // ㈜, ㈱
            '\u{3008}' | '\u{300C}' | '\u{300E}' | '\u{3010}' => out.push('['),
            '\u{3009}' | '\u{300D}' | '\u{300F}' | '\u{3011}' => out.push(']'),
            '\r' => out.push('\n'),
            // Zero-width characters split tokens invisibly.
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            _ => out.push(c),
        }
    }
    out
}

pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The character just before byte offset `i`.
pub fn prev_char(s: &str, i: usize) -> Option<char> {
    s.get(..i).and_then(|head| head.chars().next_back())
}

/// The character starting at byte offset `i`.
pub fn next_char(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|tail| tail.chars().next())
}

/// Korean words end in particles (`15일에`, `세 시까지`): true when `end` is followed by
/// something other than Hangul, or by one of `allowed`.
pub fn hangul_free_or(line: &str, end: usize, allowed: &[&str]) -> bool {
    let rest = line.get(end..).unwrap_or("");
    !rest.starts_with(is_hangul) || allowed.iter().any(|a| rest.starts_with(a))
}

/// The word before byte offset `i`, skipping spaces (`주 5일` → `주`).
pub fn word_before(line: &str, i: usize) -> &str {
    let head = line.get(..i).unwrap_or("").trim_end();
    let from = head.char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(p, c)| p + c.len_utf8());
    &head[from..]
}

/// The word after byte offset `i`, skipping spaces.
pub fn word_after(line: &str, i: usize) -> &str {
    let tail = line.get(i..).unwrap_or("").trim_start();
    let to = tail.find(char::is_whitespace).unwrap_or(tail.len());
    &tail[..to]
}

/// Collapse runs of whitespace to one space and trim.
pub fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Half-open byte ranges that overlap.
pub fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Keep the longest of overlapping spans (earlier wins a tie), sorted by start.
///
/// Every extractor over-generates candidates from several patterns; the
/// longest reading of a stretch of text is almost always the intended one
/// (`2026.01.15` over `01.15`, `서류 접수 마감` over `서류 접수`).
pub fn longest_non_overlapping<T>(mut items: Vec<T>, span: impl Fn(&T) -> (usize, usize)) -> Vec<T> {
    items.sort_by(|a, b| {
        let (sa, ea) = span(a);
        let (sb, eb) = span(b);
        (eb - sb).cmp(&(ea - sa)).then(sa.cmp(&sb))
    });
    // Kept spans never overlap, so only the kept span starting last before `end` can
    // overlap a new one; the map keeps this O(n log n) on lines with thousands of dates.
    let mut kept: BTreeMap<usize, usize> = BTreeMap::new();
    let mut out: Vec<T> = Vec::new();
    for item in items {
        let (start, end) = span(&item);
        let clash = kept.range(..end.max(start + 1)).next_back().is_some_and(|(&s, &e)| overlaps((s, e), (start, end)));
        if !clash {
            kept.insert(start, end);
            out.push(item);
        }
    }
    out.sort_by_key(|k| span(k).0);
    out
}

/// Does `x` overlap any of `sorted`, which are non-overlapping and ordered by start?
pub fn overlaps_any(sorted: &[(usize, usize)], x: (usize, usize)) -> bool {
    let first_ending_after = sorted.partition_point(|s| s.1 <= x.0);
    sorted.get(first_ending_after).is_some_and(|s| overlaps(*s, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_full_width_dashes_and_corporate_marks() {
        assert_eq!(normalize("２０２６．０１．１５"), "2026.01.15");
        assert_eq!(normalize("9월 1일 ～ 9월 15일"), "9월 1일 ~ 9월 15일");
        assert_eq!(normalize("9월 1일 〜 9월 15일"), "9월 1일 ~ 9월 15일");
        assert_eq!(normalize("2026.09.01 – 09.15"), "2026.09.01 - 09.15");
        assert_eq!(normalize("㈜네이버"), "(주)네이버");
        assert_eq!(normalize("회사명：카카오"), "회사명:카카오");
        assert_eq!(normalize("a\u{200B}b\r\nc"), "ab\n\nc");
        assert_eq!(normalize("【카카오】"), "[카카오]");
    }

    #[test]
    fn char_helpers_respect_utf8_boundaries() {
        let s = "가a나";
        assert_eq!(prev_char(s, 3), Some('가'));
        assert_eq!(next_char(s, 3), Some('a'));
        assert_eq!(prev_char(s, 0), None);
        assert_eq!(next_char(s, s.len()), None);
        assert_eq!(prev_char(s, 1), None);
    }

    #[test]
    fn words_around_an_offset_skip_any_whitespace() {
        assert_eq!(word_before("주 5일", "주 ".len()), "주");
        assert_eq!(word_before("연차\u{2028}15일", "연차\u{2028}".len()), "연차");
        assert_eq!(word_after("15일 이내", "15일".len()), "이내");
        assert!(hangul_free_or("15일에", "15일".len(), &["에"]));
        assert!(!hangul_free_or("15일간", "15일".len(), &["에"]));
    }

    #[test]
    fn longest_non_overlapping_prefers_longer_spans() {
        let spans = vec![(0, 5), (2, 10), (10, 12), (11, 13)];
        assert_eq!(longest_non_overlapping(spans, |s| *s), vec![(2, 10), (10, 12)]);
        let spans = vec![(5, 6), (0, 3), (3, 5), (1, 4), (6, 6)];
        assert_eq!(longest_non_overlapping(spans, |s| *s), vec![(0, 3), (3, 5), (5, 6), (6, 6)]);
        let sorted = [(0, 3), (5, 8)];
        assert!(overlaps_any(&sorted, (2, 4)));
        assert!(overlaps_any(&sorted, (4, 6)));
        assert!(!overlaps_any(&sorted, (3, 5)));
        assert!(!overlaps_any(&sorted, (8, 9)));
    }
}

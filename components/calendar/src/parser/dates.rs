//! Date expressions in one line: absolute, relative and ranges.
//!
//! Every pattern is matched with explicit boundary checks instead of `\b`,
//! because Korean text glues particles to numbers (`15일까지`) while a date
//! must never be read out of a phone number, a version string or an amount.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::Regex;

use super::text::{is_hangul, longest_non_overlapping, next_char, prev_char};

/// A date (or date range) found in a line; offsets are bytes into the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
    /// Where the first date of a range ends; times before this belong to the start.
    pub first_end: usize,
    pub range: Option<RangeEnd>,
}

/// The second half of `A ~ B`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeEnd {
    pub date: NaiveDate,
    pub start: usize,
}

#[derive(Debug, Clone, Copy)]
struct Mention {
    start: usize,
    end: usize,
    date: NaiveDate,
    year_given: bool,
    english: bool,
}

fn re(pattern: &str) -> Regex {
    // The patterns are literals of this module; a typo is caught by every test.
    Regex::new(pattern).unwrap_or_else(|e| panic!("invalid built-in pattern {pattern}: {e}"))
}

static KO_DATE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:(\d{4}|\d{2})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일"));
static DOTTED_YMD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})\s*\.\s*(\d{1,2})\s*\.\s*(\d{1,2})\.?"));
static DOTTED_YY: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{2})\.(\d{2})\.(\d{2})\.?"));
static DASHED_YMD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})-(\d{1,2})-(\d{1,2})"));
static SLASHED_YMD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{4})/(\d{1,2})/(\d{1,2})"));
static SLASHED_YY: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{2})/(\d{2})/(\d{2})"));
static SLASHED_US: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{1,2})/(\d{1,2})/(\d{4})"));
static SLASHED_MD: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{1,2})/(\d{1,2})"));
/// `1.15(목)`: a bare `M.D` is too easily a version or a decimal, so only
/// accept it when a weekday vouches for it.
static DOTTED_MD_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d{1,2})\.\s?(\d{1,2})\.?\s*\(\s*(?:[월화수목금토일](?:요일)?|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?\s*\)",
    )
});
const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";
static EN_MONTH_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)\b({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(\d{{4}})\b)?")));
static EN_DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS})\b\.?(?:,?\s*(\d{{4}})\b)?"))
});
static KO_RELATIVE_DAY: LazyLock<Regex> = LazyLock::new(|| re(r"내일\s?모레|오늘|금일|내일|명일|모레|글피"));
static EN_RELATIVE_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:the\s+day\s+after\s+tomorrow|today|tonight|tomorrow)\b"));
static KO_OFFSET: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{1,3})\s*(일|주)\s*(?:후|뒤)"));
static EN_OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:in\s+(\d{1,3})\s+(days?|weeks?)|(\d{1,3})\s+(days?|weeks?)\s+(?:later|from\s+(?:now|today)))\b")
});
static KO_WEEKDAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:(이번|금|다다음|다음|차)\s*주\s*|(오는)\s*)([월화수목금토일])요일"));
static EN_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(this|next|coming)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)\b",
    )
});
/// A weekday written after a date (`(목)`, `(Thu)`, `, Thursday`) adds nothing.
static WEEKDAY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:\(\s*(?:[월화수목금토일](?:요일)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?\s*\)|,?\s+(?:[월화수목금토일]요일|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    )
});
/// Between the halves of a range: an optional start time, then `~`, `-`, `부터`, `to`…
static RANGE_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:(?:오전|오후)\s*)?(?:\d{1,2}:\d{2}(?:\s*(?:am|pm))?|\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?)?\s*(?:부터\s*~?|~|-|to\b|until\b|through\b|thru\b|till\b)\s*",
    )
});
static TAIL_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,2})\s*[./]\s*(\d{1,2})\.?"));
static TAIL_KO_DAY: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,2})\s*일"));
static TAIL_EN_DAY: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{1,2})(?:st|nd|rd|th)?"));

/// All dates and date ranges in `line`, in order, resolved against `reference`.
pub fn find(line: &str, reference: NaiveDate) -> Vec<DateSpan> {
    let mut mentions = Vec::new();
    absolute(line, reference, &mut mentions);
    relative(line, reference, &mut mentions);
    for m in &mut mentions {
        m.end += WEEKDAY_SUFFIX.find(&line[m.end..]).map_or(0, |w| w.end());
    }
    let mentions = longest_non_overlapping(mentions, |m| (m.start, m.end));
    ranges(line, &mentions)
}

fn num(caps: &regex::Captures<'_>, i: usize) -> Option<u32> {
    caps.get(i).and_then(|m| m.as_str().parse().ok())
}

/// A plausible calendar date; years far from now are typos or other numbers.
fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(1970..=2199).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A month and day without a year: the next occurrence on or after the reference.
pub fn infer_year(month: u32, day: u32, reference: NaiveDate) -> Option<NaiveDate> {
    // Feb 29 may be up to eight years away (1900-style gaps are out of range).
    (0..=8).find_map(|k| ymd(reference.year() + k, month, day).filter(|d| *d >= reference))
}

fn full_year(y: u32) -> i32 {
    if y < 100 { 2000 + y as i32 } else { y as i32 }
}

/// Digits, letters and number punctuation around a match mean it is part of something else.
fn clean_left(line: &str, start: usize, also: &[char]) -> bool {
    prev_char(line, start).is_none_or(|c| !c.is_ascii_alphanumeric() && !also.contains(&c))
}

fn clean_right(line: &str, end: usize, also: &[char]) -> bool {
    match next_char(line, end) {
        None => true,
        Some(c) if c.is_ascii_digit() || also.contains(&c) => false,
        // `2026.01.15.3` is a version, `2026.01.15. ` is a date.
        Some('.') => !line[end + 1..].starts_with(|c: char| c.is_ascii_digit()),
        Some(_) => true,
    }
}

fn push(out: &mut Vec<Mention>, m: regex::Match<'_>, date: Option<NaiveDate>, year_given: bool, english: bool) {
    if let Some(date) = date {
        out.push(Mention { start: m.start(), end: m.end(), date, year_given, english });
    }
}

fn absolute(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in KO_DATE.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if !clean_left(line, m.start(), &['.', '/', '-']) {
            continue;
        }
        let (month, day) = (num(&caps, 2).unwrap_or(0), num(&caps, 3).unwrap_or(0));
        let date = match num(&caps, 1) {
            Some(y) => ymd(full_year(y), month, day),
            None => infer_year(month, day, reference),
        };
        push(out, m, date, caps.get(1).is_some(), false);
    }
    let full: [(&Regex, &[char]); 5] = [
        (&DOTTED_YMD, &['.', '/', '-', ':']),
        (&DOTTED_YY, &['.', '/', '-', ':']),
        (&DASHED_YMD, &['.', '/', '-', ':']),
        (&SLASHED_YMD, &['.', '/', '-', ':']),
        (&SLASHED_YY, &['.', '/', '-', ':']),
    ];
    for (pattern, guard) in full {
        for caps in pattern.captures_iter(line) {
            let m = caps.get(0).expect("group 0");
            if !clean_left(line, m.start(), guard) || !clean_right(line, m.end(), &['/', '-', ':']) {
                continue;
            }
            let date =
                ymd(full_year(num(&caps, 1).unwrap_or(0)), num(&caps, 2).unwrap_or(0), num(&caps, 3).unwrap_or(0));
            push(out, m, date, true, false);
        }
    }
    for caps in SLASHED_US.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if !clean_left(line, m.start(), &['.', '/', '-']) || !clean_right(line, m.end(), &['/', '-']) {
            continue;
        }
        let (a, b, y) = (num(&caps, 1).unwrap_or(0), num(&caps, 2).unwrap_or(0), num(&caps, 3).unwrap_or(0) as i32);
        // MM/DD/YYYY first (US), DD/MM/YYYY when the first number cannot be a month.
        push(out, m, ymd(y, a, b).or_else(|| ymd(y, b, a)), true, true);
    }
    for caps in SLASHED_MD.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let rest = &line[m.end()..];
        // `3/4분기` is a quarter and `합격률 1/3` a ratio.
        let ratio = line[..m.start()].trim_end().ends_with(['률', '율', '비']);
        if !clean_left(line, m.start(), &['.', '/', '-'])
            || !clean_right(line, m.end(), &['/', '-'])
            || rest.starts_with("분기")
            || ratio
        {
            continue;
        }
        push(out, m, infer_year(num(&caps, 1).unwrap_or(0), num(&caps, 2).unwrap_or(0), reference), false, false);
    }
    for caps in DOTTED_MD_WEEKDAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if !clean_left(line, m.start(), &['.', '/', '-']) {
            continue;
        }
        push(out, m, infer_year(num(&caps, 1).unwrap_or(0), num(&caps, 2).unwrap_or(0), reference), false, false);
    }
    for (pattern, month_group, day_group) in [(&*EN_MONTH_DAY, 1, 2), (&*EN_DAY_MONTH, 2, 1)] {
        for caps in pattern.captures_iter(line) {
            let m = caps.get(0).expect("group 0");
            if !clean_right(line, m.end(), &[':', '/']) {
                continue;
            }
            let month = caps.get(month_group).map_or(0, |g| month_number(g.as_str()));
            let day = num(&caps, day_group).unwrap_or(0);
            let date = match num(&caps, 3) {
                Some(y) => ymd(y as i32, month, day),
                None => infer_year(month, day, reference),
            };
            push(out, m, date, caps.get(3).is_some(), true);
        }
    }
}

fn month_number(name: &str) -> u32 {
    let lower = name.to_ascii_lowercase();
    let idx = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|p| lower.starts_with(p));
    idx.map_or(0, |i| i as u32 + 1)
}

fn korean_weekday(c: &str) -> Option<Weekday> {
    Some(match c {
        "월" => Weekday::Mon,
        "화" => Weekday::Tue,
        "수" => Weekday::Wed,
        "목" => Weekday::Thu,
        "금" => Weekday::Fri,
        "토" => Weekday::Sat,
        "일" => Weekday::Sun,
        _ => return None,
    })
}

fn english_weekday(name: &str) -> Option<Weekday> {
    name.get(..3)?.parse().ok()
}

/// The given weekday of the Monday-based week `weeks` after the reference's week.
fn weekday_in_week(reference: NaiveDate, weeks: u64, weekday: Weekday) -> Option<NaiveDate> {
    let monday = reference.checked_sub_days(Days::new(reference.weekday().num_days_from_monday().into()))?;
    monday.checked_add_days(Days::new(weeks * 7 + u64::from(weekday.num_days_from_monday())))
}

/// The first such weekday on or after the reference.
fn upcoming_weekday(reference: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + weekday.num_days_from_monday() - reference.weekday().num_days_from_monday()) % 7;
    reference.checked_add_days(Days::new(ahead.into()))
}

fn plus_days(reference: NaiveDate, days: u64) -> Option<NaiveDate> {
    reference.checked_add_days(Days::new(days))
}

/// Korean relative words are also parts of nouns (`오늘의집`, `청년내일채움공제`),
/// so they only count when standing alone or followed by a particle or a time.
fn stands_alone_ko(line: &str, start: usize, end: usize) -> bool {
    if prev_char(line, start).is_some_and(is_hangul) {
        return false;
    }
    let rest = &line[end..];
    if !rest.starts_with(is_hangul) {
        return true;
    }
    ["까지", "부터", "중", "은", "는", "이", "오전", "오후", "저녁", "아침", "밤", "낮", "정오", "자정", "마감"]
        .iter()
        .any(|p| rest.starts_with(p))
}

fn relative(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for m in KO_RELATIVE_DAY.find_iter(line) {
        if !stands_alone_ko(line, m.start(), m.end()) {
            continue;
        }
        let word: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        let days = match word.as_str() {
            "오늘" | "금일" => 0,
            "내일" | "명일" => 1,
            "모레" | "내일모레" => 2,
            _ => 3, // 글피
        };
        push(out, m, plus_days(reference, days), false, false);
    }
    for m in EN_RELATIVE_DAY.find_iter(line) {
        let lower = m.as_str().to_ascii_lowercase();
        let days = if lower.contains("after") {
            2
        } else if lower.starts_with("tomorrow") {
            1
        } else {
            0
        };
        push(out, m, plus_days(reference, days), false, true);
    }
    for caps in KO_OFFSET.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if !clean_left(line, m.start(), &['.', ',']) {
            continue;
        }
        let n = u64::from(num(&caps, 1).unwrap_or(0));
        let days = if &caps[2] == "주" { n * 7 } else { n };
        push(out, m, plus_days(reference, days), false, false);
    }
    for caps in EN_OFFSET.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let n = u64::from(num(&caps, 1).or_else(|| num(&caps, 3)).unwrap_or(0));
        let unit = caps.get(2).or_else(|| caps.get(4)).map_or("", |u| u.as_str());
        let days = if unit.to_ascii_lowercase().starts_with("week") { n * 7 } else { n };
        push(out, m, plus_days(reference, days), false, true);
    }
    for caps in KO_WEEKDAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let Some(weekday) = korean_weekday(&caps[3]) else { continue };
        let date = match caps.get(1).map(|g| g.as_str()) {
            Some("이번" | "금") => weekday_in_week(reference, 0, weekday),
            Some("다음" | "차") => weekday_in_week(reference, 1, weekday),
            Some(_) => weekday_in_week(reference, 2, weekday),
            None => upcoming_weekday(reference, weekday), // 오는 금요일
        };
        push(out, m, date, false, false);
    }
    for caps in EN_WEEKDAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let Some(weekday) = english_weekday(&caps[2]) else { continue };
        // "next Friday" is the Friday of next week, as in Duckling; "this"/"coming" is the upcoming one.
        let date = if caps[1].eq_ignore_ascii_case("next") {
            weekday_in_week(reference, 1, weekday)
        } else {
            upcoming_weekday(reference, weekday)
        };
        push(out, m, date, false, true);
    }
}

/// Join `A ~ B` pairs; the second half may be abbreviated (`2026.09.01 - 09.15`, `9월 1일~15일`).
fn ranges(line: &str, mentions: &[Mention]) -> Vec<DateSpan> {
    let mut spans = Vec::with_capacity(mentions.len());
    let mut i = 0;
    while i < mentions.len() {
        let first = mentions[i];
        let mut span =
            DateSpan { start: first.start, end: first.end, date: first.date, first_end: first.end, range: None };
        i += 1;
        if let Some(sep) = RANGE_SEPARATOR.find(&line[first.end..]) {
            let at = first.end + sep.end();
            if let Some(second) = mentions.get(i).filter(|m| m.start == at) {
                let mut end = second.date;
                if end < first.date && !second.year_given {
                    end = end.checked_add_months(Months::new(12)).unwrap_or(end);
                }
                if end >= first.date {
                    span.end = second.end;
                    span.range = Some(RangeEnd { date: end, start: second.start });
                    i += 1;
                }
            } else if let Some((end_date, len)) = abbreviated_end(line, at, &first) {
                let next_start = mentions.get(i).map_or(line.len(), |m| m.start);
                if at + len <= next_start {
                    let tail_end = at + len;
                    let weekday = WEEKDAY_SUFFIX.find(&line[tail_end..]).map_or(0, |w| w.end());
                    span.end = tail_end + weekday;
                    span.range = Some(RangeEnd { date: end_date, start: at });
                }
            }
        }
        spans.push(span);
    }
    spans
}

fn abbreviated_end(line: &str, at: usize, first: &Mention) -> Option<(NaiveDate, usize)> {
    let rest = &line[at..];
    let year = first.date.year();
    if let Some(caps) = TAIL_MONTH_DAY.captures(rest) {
        let m = caps.get(0)?;
        if clean_right(rest, m.end(), &['/', ':']) {
            let date = ymd(year, num(&caps, 1)?, num(&caps, 2)?)?;
            let date = if date < first.date { ymd(year + 1, date.month(), date.day())? } else { date };
            return Some((date, m.end()));
        }
    }
    let tail = if first.english { TAIL_EN_DAY.captures(rest) } else { TAIL_KO_DAY.captures(rest) }?;
    let m = tail.get(0)?;
    if !clean_right(rest, m.end(), &[':', '/', ','])
        || (first.english && next_char(rest, m.end()).is_some_and(char::is_alphanumeric))
    {
        return None;
    }
    let date = ymd(year, first.date.month(), num(&tail, 1)?)?;
    (date > first.date).then_some((date, m.end()))
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&KO_DATE);
    LazyLock::force(&DOTTED_YMD);
    LazyLock::force(&DOTTED_YY);
    LazyLock::force(&DASHED_YMD);
    LazyLock::force(&SLASHED_YMD);
    LazyLock::force(&SLASHED_YY);
    LazyLock::force(&SLASHED_US);
    LazyLock::force(&SLASHED_MD);
    LazyLock::force(&DOTTED_MD_WEEKDAY);
    LazyLock::force(&EN_MONTH_DAY);
    LazyLock::force(&EN_DAY_MONTH);
    LazyLock::force(&KO_RELATIVE_DAY);
    LazyLock::force(&EN_RELATIVE_DAY);
    LazyLock::force(&KO_OFFSET);
    LazyLock::force(&EN_OFFSET);
    LazyLock::force(&KO_WEEKDAY);
    LazyLock::force(&EN_WEEKDAY);
    LazyLock::force(&WEEKDAY_SUFFIX);
    LazyLock::force(&RANGE_SEPARATOR);
    LazyLock::force(&TAIL_MONTH_DAY);
    LazyLock::force(&TAIL_KO_DAY);
    LazyLock::force(&TAIL_EN_DAY);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The single date `text` holds, resolved against 2026-01-10 (a Saturday).
    fn one(text: &str) -> Option<NaiveDate> {
        one_at(text, d(2026, 1, 10))
    }

    fn one_at(text: &str, reference: NaiveDate) -> Option<NaiveDate> {
        let spans = find(text, reference);
        assert!(spans.len() <= 1, "{text:?} gave several dates: {spans:?}");
        spans.first().map(|s| s.date)
    }

    #[test]
    fn absolute_dates_in_every_common_format() {
        let cases = [
            ("2026년 9월 15일", d(2026, 9, 15)),
            ("2026년9월15일", d(2026, 9, 15)),
            ("26년 3월 2일", d(2026, 3, 2)),
            ("2026.11.30", d(2026, 11, 30)),
            ("2025.03.14", d(2025, 3, 14)),
            ("2026. 1. 15.", d(2026, 1, 15)),
            ("2026.1.5", d(2026, 1, 5)),
            ("26/03/02", d(2026, 3, 2)),
            ("26.03.02", d(2026, 3, 2)),
            ("12/3", d(2026, 12, 3)),
            ("2026-01-15", d(2026, 1, 15)),
            ("2026-01-15T14:00", d(2026, 1, 15)),
            ("2026/01/15", d(2026, 1, 15)),
            ("01/15/2027", d(2027, 1, 15)),
            ("January 15, 2027", d(2027, 1, 15)),
            ("January 15 2027", d(2027, 1, 15)),
            ("Jan 22", d(2026, 1, 22)),
            ("Jan. 22nd", d(2026, 1, 22)),
            ("Sept 3", d(2026, 9, 3)),
            ("15 January 2027", d(2027, 1, 15)),
            ("3rd of March", d(2026, 3, 3)),
            ("1월 15일", d(2026, 1, 15)),
            ("1 월 15 일", d(2026, 1, 15)),
            ("마감 1.15(목)", d(2026, 1, 15)),
            ("서류 마감: 2026년 1월 15일까지", d(2026, 1, 15)),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), Some(want), "{text}");
        }
    }

    #[test]
    fn absolute_dates_reject_impossible_days() {
        for text in ["2026.02.30", "13/45", "2026년 13월 1일", "2026-00-10", "0/0"] {
            assert_eq!(one(text), None, "{text}");
        }
    }

    #[test]
    fn weekday_after_a_date_is_ignored() {
        for (text, want) in [
            ("1월 15일(목)", d(2026, 1, 15)),
            ("1월 15일 (목요일)", d(2026, 1, 15)),
            ("2026.01.15 (Thu)", d(2026, 1, 15)),
            ("2026.01.15(목)", d(2026, 1, 15)),
            ("January 15, 2026, Thursday", d(2026, 1, 15)),
            ("2026. 1. 15.(목)", d(2026, 1, 15)),
            // A wrong weekday is still ignored: the date is what people copy carefully.
            ("1월 15일(월)", d(2026, 1, 15)),
        ] {
            let spans = find(text, d(2026, 1, 10));
            assert_eq!(spans.len(), 1, "{text}");
            assert_eq!(spans[0].date, want, "{text}");
            assert_eq!(spans[0].end, text.len(), "{text}: the weekday belongs to the date span");
        }
    }

    #[test]
    fn ranges_keep_both_ends() {
        let cases = [
            ("9월 1일 ~ 9월 15일", d(2026, 9, 1), d(2026, 9, 15)),
            ("9월 1일~15일", d(2026, 9, 1), d(2026, 9, 15)),
            ("2026.09.01 - 09.15", d(2026, 9, 1), d(2026, 9, 15)),
            ("2026.09.01 - 2026.09.15", d(2026, 9, 1), d(2026, 9, 15)),
            ("9/1~9/15", d(2026, 9, 1), d(2026, 9, 15)),
            ("2026.01.05(월) 10:00 ~ 2026.01.15(목) 18:00", d(2026, 1, 5), d(2026, 1, 15)),
            ("1월 5일부터 1월 15일까지", d(2026, 1, 5), d(2026, 1, 15)),
            ("Jan 5 to Jan 15", d(2026, 1, 5), d(2026, 1, 15)),
            ("Jan 5 - 15", d(2026, 1, 5), d(2026, 1, 15)),
            ("12/28 ~ 1/5", d(2026, 12, 28), d(2027, 1, 5)),
        ];
        for (text, from, to) in cases {
            let spans = find(text, d(2026, 1, 1));
            assert_eq!(spans.len(), 1, "{text}: {spans:?}");
            assert_eq!(spans[0].date, from, "{text}");
            assert_eq!(spans[0].range.map(|r| r.date), Some(to), "{text}");
        }
    }

    #[test]
    fn a_time_range_is_not_a_date_range() {
        let spans = find("1월 20일 14:00 - 16:00", d(2026, 1, 10));
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].range, None);
    }

    #[test]
    fn relative_expressions_resolve_against_the_reference() {
        // 2026-01-10 is a Saturday.
        let cases = [
            ("오늘", d(2026, 1, 10)),
            ("내일", d(2026, 1, 11)),
            ("내일까지", d(2026, 1, 11)),
            ("모레", d(2026, 1, 12)),
            ("내일모레", d(2026, 1, 12)),
            ("글피", d(2026, 1, 13)),
            ("다음주 금요일", d(2026, 1, 16)),
            ("다음 주 월요일", d(2026, 1, 12)),
            ("이번 주 수요일", d(2026, 1, 7)),
            ("이번주 금요일", d(2026, 1, 9)),
            ("다다음 주 화요일", d(2026, 1, 20)),
            ("오는 금요일", d(2026, 1, 16)),
            ("next Friday", d(2026, 1, 16)),
            ("this Friday", d(2026, 1, 16)),
            ("tomorrow", d(2026, 1, 11)),
            ("Tomorrow", d(2026, 1, 11)),
            ("today", d(2026, 1, 10)),
            ("the day after tomorrow", d(2026, 1, 12)),
            ("3일 후", d(2026, 1, 13)),
            ("3일 뒤", d(2026, 1, 13)),
            ("2주 후", d(2026, 1, 24)),
            ("in 3 days", d(2026, 1, 13)),
        ];
        for (text, want) in cases {
            assert_eq!(one(text), Some(want), "{text}");
        }
        // From a Wednesday, next week's Friday is nine days away and this week's Wednesday is today.
        let wed = d(2026, 1, 14);
        assert_eq!(one_at("다음주 금요일", wed), Some(d(2026, 1, 23)));
        assert_eq!(one_at("이번 주 수요일", wed), Some(d(2026, 1, 14)));
        assert_eq!(one_at("next Friday", wed), Some(d(2026, 1, 23)));
        assert_eq!(one_at("this Friday", wed), Some(d(2026, 1, 16)));
    }

    #[test]
    fn relative_words_inside_nouns_are_not_dates() {
        for text in ["오늘의집 채용", "청년내일채움공제 가입", "내일배움카드", "오늘날의 기술"]
        {
            assert_eq!(one(text), None, "{text}");
        }
    }

    #[test]
    fn year_inference_picks_the_next_occurrence() {
        let reference = d(2026, 11, 20);
        assert_eq!(one_at("1월 15일", reference), Some(d(2027, 1, 15)));
        assert_eq!(one_at("11월 25일", reference), Some(d(2026, 11, 25)));
        assert_eq!(one_at("11월 20일", reference), Some(d(2026, 11, 20)));
        assert_eq!(one_at("11월 19일", reference), Some(d(2027, 11, 19)));
        assert_eq!(one_at("1/15", reference), Some(d(2027, 1, 15)));
        assert_eq!(one_at("Jan 22", reference), Some(d(2027, 1, 22)));
        assert_eq!(one_at("2월 29일", reference), Some(d(2028, 2, 29)));
        // An explicit year is never moved.
        assert_eq!(one_at("2026년 1월 15일", reference), Some(d(2026, 1, 15)));
    }

    #[test]
    fn numbers_that_are_not_dates() {
        for text in [
            "010-1234-5678",
            "02-123-4567",
            "1588-1234",
            "v2.1.3",
            "버전 2.1.3",
            "3,000만원",
            "연봉 4,000~5,000만원",
            "3년 이상",
            "경력 5~10년",
            "30%",
            "12.5%",
            "3/4분기",
            "경쟁률 1/3",
            "합격률1/5",
            "192.168.0.1",
            "24/7 운영",
            "주 5일 근무",
            "입사 3개월 후",
            "2026년 상반기",
            "May 2026",
        ] {
            assert_eq!(find(text, d(2026, 1, 10)), vec![], "{text}");
        }
    }
}

//! Date expressions in one line: absolute dates and ranges here, relative ones
//! in [`super::relative`], named days in [`super::holidays`].
//!
//! Every pattern is matched with explicit boundary checks instead of `\b`,
//! because Korean text glues particles to numbers (`15일까지`) while a date
//! must never be read out of a phone number, a version string or an amount.

use std::sync::LazyLock;

use chrono::{Datelike, Months, NaiveDate};
use regex::Regex;

use super::text::{longest_non_overlapping, next_char, prev_char};
use super::{holidays, relative};

/// A date (or date range) found in a line; offsets are bytes into the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
    /// Where the first date of a range ends; times before this belong to the start.
    pub first_end: usize,
    pub range: Option<RangeEnd>,
    /// A weekday alone (`화요일`) on the reference's own weekday reads as next week's;
    /// with a time still ahead of the reference's it means today.
    pub today_if_later: bool,
}

/// The second half of `A ~ B`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeEnd {
    pub date: NaiveDate,
    pub start: usize,
}

/// How a date was written, for joining it with its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MentionKind {
    /// Day and month (and maybe year) in numbers or month names.
    Absolute,
    /// A weekday alone: `Friday, January 30` is one date, not two.
    Weekday,
    /// A day of the month alone (`15일`): after `~` it ends a range in the first date's month.
    BareDay,
    /// Anything counted from the reference.
    Relative,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Mention {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
    /// The year is fixed (written, or implied by a relative expression): never moved to make a range.
    pub year_given: bool,
    pub english: bool,
    pub kind: MentionKind,
    pub today_if_later: bool,
    /// A named span (`설 연휴`): its last day.
    pub until: Option<NaiveDate>,
}

fn re(pattern: &str) -> Regex {
    super::text::regex(pattern)
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
/// A weekday written before a date (`Friday, January 30`, `금요일(1/30)`) adds nothing either.
static WEEKDAY_JOINER: LazyLock<Regex> = LazyLock::new(|| re(r"^[\s,(]*$"));
/// A weekday written after a date (`(목)`, `(Thu)`, `, Thursday`) adds nothing.
static WEEKDAY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:\(\s*(?:[월화수목금토일](?:요일)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?\s*\)|,?\s+(?:[월화수목금토일](?:요일|욜)|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b))",
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
    relative::find(line, reference, &mut mentions);
    holidays::find(line, reference, &mut mentions);
    for m in mentions.iter_mut().filter(|m| m.kind != MentionKind::Weekday) {
        m.end += WEEKDAY_SUFFIX.find(&line[m.end..]).map_or(0, |w| w.end());
    }
    let mentions = absorb_weekdays(line, longest_non_overlapping(mentions, |m| (m.start, m.end)));
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
        out.push(Mention {
            start: m.start(),
            end: m.end(),
            date,
            year_given,
            english,
            kind: MentionKind::Absolute,
            today_if_later: false,
            until: None,
        });
    }
}

/// `Friday, January 30, 2026` and `1월 30일, 금요일`: a weekday next to a date belongs to it.
fn absorb_weekdays(line: &str, mentions: Vec<Mention>) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for mut m in mentions {
        if let Some(prev) = out.last_mut()
            && WEEKDAY_JOINER.is_match(line[prev.end..m.start].trim_end_matches(')'))
        {
            if prev.kind == MentionKind::Weekday && m.kind == MentionKind::Absolute {
                m.start = prev.start;
                out.pop();
            } else if m.kind == MentionKind::Weekday && prev.kind != MentionKind::Weekday {
                prev.end = m.end;
                continue;
            }
        }
        out.push(m);
    }
    out
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

/// Join `A ~ B` pairs; the second half may be abbreviated (`2026.09.01 - 09.15`, `9월 1일~15일`).
fn ranges(line: &str, mentions: &[Mention]) -> Vec<DateSpan> {
    let mut spans = Vec::with_capacity(mentions.len());
    let mut i = 0;
    while i < mentions.len() {
        let first = mentions[i];
        let mut span = DateSpan {
            start: first.start,
            end: first.end,
            date: first.date,
            first_end: first.end,
            range: first.until.map(|date| RangeEnd { date, start: first.start }),
            today_if_later: first.today_if_later,
        };
        i += 1;
        let separator = if span.range.is_none() { RANGE_SEPARATOR.find(&line[first.end..]) } else { None };
        if let Some(sep) = separator {
            let at = first.end + sep.end();
            let next = mentions.get(i).filter(|m| m.start == at);
            // `9월 1일~15일`: a bare day after the separator is in the first date's month.
            let abbreviated = match next {
                Some(m) if m.kind != MentionKind::BareDay => None,
                _ => abbreviated_end(line, at, &first),
            };
            if let Some((end_date, len)) = abbreviated {
                let skip = usize::from(next.is_some());
                let next_start = mentions.get(i + skip).map_or(line.len(), |m| m.start);
                if at + len <= next_start {
                    let tail_end = at + len;
                    let weekday = WEEKDAY_SUFFIX.find(&line[tail_end..]).map_or(0, |w| w.end());
                    span.end = (tail_end + weekday).max(next.map_or(0, |m| m.end));
                    span.range = Some(RangeEnd { date: end_date, start: at });
                    i += skip;
                }
            } else if let Some(second) = next {
                let mut end = second.date;
                if end < first.date && !second.year_given {
                    end = end.checked_add_months(Months::new(12)).unwrap_or(end);
                }
                if end >= first.date {
                    span.end = second.end;
                    span.range = Some(RangeEnd { date: end, start: second.start });
                    i += 1;
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
    LazyLock::force(&WEEKDAY_JOINER);
    LazyLock::force(&WEEKDAY_SUFFIX);
    LazyLock::force(&RANGE_SEPARATOR);
    LazyLock::force(&TAIL_MONTH_DAY);
    LazyLock::force(&TAIL_KO_DAY);
    LazyLock::force(&TAIL_EN_DAY);
    relative::warm();
    holidays::warm();
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

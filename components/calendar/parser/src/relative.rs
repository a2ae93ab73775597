//! Dates written relative to the reference: days (`내일`, `이틀 뒤`, `in 3 days`),
//! weekdays and weeks (`화요일`, `다음 주 금요일`, `Friday after next`), days of
//! a month (`15일에`, `다음 달 15일`, `the 15th of next month`), ordinal weekdays
//! and month ends (`10월 첫째 화요일`, `3월 마지막 월요일`, `10월 말일`,
//! `last day of October`), and dates in Korean numerals (`삼월 삼일`).
//!
//! The grammar is built from pieces (a month reference, a day part, a weekday,
//! an ordinal) so each rule covers every combination of its parts; the
//! readings it picks where people differ are in the tests, each with its reason.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::{Captures, Regex};

use super::dates::{Mention, MentionKind};
use super::numerals::{self, DAY_COUNT, EN_NUMBER, EN_ORDINAL, KO_ORDINAL, SINO, SINO_MONTH};
use super::text::{hangul_free_or, is_hangul, prev_char, word_after, word_before};

fn re(pattern: &str) -> Regex {
    super::text::regex(pattern)
}

/// `이번 달`, `다음 달`, `익월`, …: a month counted from the reference's.
const KO_MONTH_WORD: &str =
    r"이번\s*달|이달|금월|당월|다다음\s*달|다담\s*달|다음\s*달|담\s*달|내달|익월|차월|지난\s*달|저번\s*달|전월";
/// `이번 주`, `다음 주`, `차주`, `다다음 주`, …: a week counted from the reference's.
const KO_WEEK_WORD: &str = r"이번\s*주|금\s*주|다음\s*다음\s*주|다다음\s*주|다담\s*주|다음\s*주|담\s*주|차\s*주|내주|익주|오는\s*주|지난\s*주|저번\s*주";
const KO_WEEKDAY: &str = r"[월화수목금토일]";
const EN_WEEKDAY_FULL: &str = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const EN_WEEKDAY_ANY: &str =
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun";
const EN_MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";
const EN_MONTH_WORD: &str = r"this|next|the\s+following|the";

static KO_RELATIVE_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(r"내일\s?모레|낼\s?모레|오늘|금일|내일|명일|명후일|모레|글피|익일|낼|엊그제|그저께|그제|어제|작일")
});
/// A deadline counted from today: `7일 이내`, `3일 안에`, `일주일 내로`, `within 5 days`.
static KO_WITHIN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?P<n>\d{{1,3}})|(?P<s>{SINO})|(?P<nat>한|두|세|네))\s*(?P<u>일|주일|주)\s*(?:이내|안에|내에|내로)|(?P<c>{DAY_COUNT})\s*(?:이내|안에|내에|내로)"
    ))
});
static EN_WITHIN: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?i)\bwithin\s+(?:the\s+next\s+)?(?P<n>{EN_NUMBER})\s+(?P<u>days?|weeks?)\b")));
/// A weekend: its Saturday (`이번 주말`, `다음 주말`, `this weekend`).
static KO_WEEKEND: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(?P<week>{KO_WEEK_WORD})\s*말")));
static EN_WEEKEND: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?P<w>this|next|the\s+following|last)\s+weekend\b"));
/// Korean postings count down to a deadline: `D-7` is in seven days, `D-day` today.
static COUNTDOWN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bD\s*-\s*(?:(?P<n>\d{1,3})\b|day\b)"));
static EN_RELATIVE_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|yesterday)\b"));
/// `3일 후`, `삼일 뒤`, `일주일 후`, `한 주 뒤`, `이틀 뒤`, `보름 후`.
static KO_OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?P<n>\d{{1,3}})|(?P<s>{SINO})|(?P<nat>한|두|세|네))\s*(?P<u>일|주일|주)\s*(?:후|뒤|이후|지나서)|(?P<c>{DAY_COUNT})\s*(?:후|뒤|이후|지나서)"
    ))
});
/// `in 3 days`, `in a week`, `two weeks from now`, `10 days later`, `a week from tomorrow`.
static EN_OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:in\s+(?P<n1>{EN_NUMBER})\s+(?P<u1>days?|weeks?)|(?P<n2>{EN_NUMBER})\s+(?P<u2>days?|weeks?)\s+(?:later|(?:from|after)\s+(?:now|today|(?P<tomorrow>tomorrow))|hence))\b"
    ))
});
/// A weekday, with the week it is in: `화요일`, `토욜`, `다음 주 금요일`, `오는 금요일`, `다음 화요일`.
static KO_WEEK_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?P<week>{KO_WEEK_WORD})\s*(?:의\s*)?(?:중\s*)?|(?P<adj>오는|다음|이번|지난|저번)\s*)?(?P<wd>{KO_WEEKDAY})(?:요일|욜)"
    ))
});
/// A day of a month: `15일에`, `19일 화요일`, `17일(화)`, `다음 달 15일`, `십오일`.
static KO_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?P<rel>{KO_MONTH_WORD})\s*(?:의\s*)?)?(?:(?P<d>\d{{1,2}})|(?P<s>{SINO}))\s*일(?:\s*\(\s*(?P<w1>{KO_WEEKDAY})(?:요일|욜)?\s*\)|\s*(?P<w2>{KO_WEEKDAY})(?:요일|욜))?"
    ))
});
/// A month's end, first day or ordinal weekday: `10월 말일`, `이번 달 마지막 날`, `월말`,
/// `10월 첫째 화요일`, `3월 마지막 주 금요일`, `첫째 주 월요일`.
static KO_MONTH_PART: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?:(?:(?P<y>\d{{4}}|\d{{2}})\s*년\s*)?(?P<m>\d{{1,2}})\s*월|(?P<rel>{KO_MONTH_WORD}))\s*(?:의\s*)?)?(?:(?P<last>말일|마지막\s*날|말)|(?P<first>첫\s*날|초하루)|(?:(?P<ord>{KO_ORDINAL})|(?P<firstweek>첫))\s*(?:주\s*(?:의\s*)?)?(?P<wd>{KO_WEEKDAY})(?:요일|욜)|(?P<eom>월말))"
    ))
});
/// A date in Sino-Korean numerals: `삼월 삼일`, `이천이십육년 시월 구일`.
static KO_SINO_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:(?P<y>\d{{4}}|{SINO})\s*년\s*)?(?P<m>{SINO_MONTH})\s*월\s*(?P<d>{SINO})\s*일")));
/// English weekdays and weeks.
static EN_WEEK_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?P<adj>this\s+coming|this|next|coming|upcoming)\s+(?P<wd1>{EN_WEEKDAY_ANY})\.?|(?P<wd2>{EN_WEEKDAY_FULL})\s+(?:of\s+)?(?P<wk2>this|next|the\s+following)\s+week|(?P<wk3>this|next)\s+week(?:'s)?\s+(?:on\s+)?(?P<wd3>{EN_WEEKDAY_FULL})|(?:the\s+)?(?P<wd4>{EN_WEEKDAY_FULL})\s+after\s+next|(?P<wd5>{EN_WEEKDAY_FULL})\s+(?:of\s+)?the\s+week\s+after\s+next|the\s+week\s+after\s+next\s+(?:on\s+)?(?P<wd6>{EN_WEEKDAY_FULL})|(?P<n7>{EN_NUMBER})\s+weeks?\s+from\s+(?P<wd7>{EN_WEEKDAY_FULL})|(?P<wd8>{EN_WEEKDAY_FULL})(?:,?\s+(?:the\s+)?(?P<d8>\d{{1,2}})(?:st|nd|rd|th))?)\b"
    ))
});
/// English days of a month: `the 15th`, `the 15th of next month`, `next month on the 10th`.
static EN_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?:the\s+)?(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)|(?P<first>first))\s+of\s+(?P<rel1>{EN_MONTH_WORD})\s+month|(?P<rel2>this|next)\s+month\s+on\s+the\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)|the\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th))\b"
    ))
});
/// English ordinal weekdays, first and last days and ends of months:
/// `first Tuesday of October`, `last day of next month`, `the end of March`.
static EN_MONTH_PART: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:the\s+)?(?:(?P<ord>{EN_ORDINAL})\s+(?P<wd>{EN_WEEKDAY_ANY})|(?P<lastday>last)\s+day|(?P<firstday>first)\s+day|(?P<end>end))\s+(?:of|in)\s+(?:(?P<rel>{EN_MONTH_WORD})\s+month|(?P<mon>{EN_MONTHS})\.?(?:,?\s+(?P<y>\d{{4}}))?)\b"
    ))
});

/// Words after which `N일` counts days (`주 5일`, `연차 15일`) or repeats (`매월 25일 지급`).
const DAY_QUANTITY_BEFORE: &[&str] =
    &["주", "매주", "매월", "매달", "총", "약", "최대", "최소", "월", "연", "하루", "유급", "무급", "평균", "기간"];
/// Word endings with the same effect: `경조휴가 5일`, `연차 15일`, `재택근무 2일`.
const DAY_QUANTITY_BEFORE_ENDING: &[&str] = &["휴가", "연차", "근무"];
/// A number with a unit after `N일` makes it a rate (`1일 8시간`, `1일 2회`).
static RATE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s+\d+\s*(?:시간|회|명|개|번|건|%|만|원|천|교대|조|일|km)"));
/// A weekday followed by these is a routine, not a date (`일요일 휴무`, `수요일 재택`).
const WEEKDAY_ROUTINE_AFTER: &[&str] =
    &["휴무", "휴일", "휴관", "휴진", "근무", "재택", "출근", "격주", "정기", "오전 근무"];
/// Words after which `N일` is a count or a duration (`15일 이내`, `3일간`, `2일차`).
const DAY_QUANTITY_AFTER: &[&str] =
    &["간", "이내", "이상", "이하", "동안", "째", "차", "씩", "마다", "전", "후", "뒤", "근무", "짜리", "분"];
/// What may follow a date glued to it (`15일에`, `말일까지`, `오늘밤`).
const DATE_PARTICLES: &[&str] = &[
    "에", "까지", "부터", "마감", "예정", "오전", "오후", "저녁", "아침", "밤", "낮", "점심", "새벽", "정오", "자정",
    "중", "은", "는", "이", "로", "자", "께", "경", "쯤", "내",
];

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

fn month_number(name: &str) -> u32 {
    let lower = name.to_ascii_lowercase();
    let idx = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|p| lower.starts_with(p));
    idx.map_or(0, |i| i as u32 + 1)
}

/// `다음 달` → 1, `이번 달` → 0, `지난달` → -1.
fn korean_month_offset(word: &str) -> i32 {
    let word: String = word.chars().filter(|c| !c.is_whitespace()).collect();
    match word.as_str() {
        "다음달" | "담달" | "내달" | "익월" | "차월" => 1,
        "다다음달" | "다담달" => 2,
        "지난달" | "저번달" | "전월" => -1,
        _ => 0,
    }
}

/// `다음 주` → 1, `다다음 주` → 2, `이번 주` → 0, `지난주` → -1.
fn korean_week_offset(word: &str) -> i64 {
    let word: String = word.chars().filter(|c| !c.is_whitespace()).collect();
    match word.as_str() {
        "다음다음주" | "다다음주" | "다담주" => 2,
        "다음주" | "담주" | "차주" | "내주" | "익주" | "오는주" => 1,
        "지난주" | "저번주" => -1,
        _ => 0,
    }
}

fn english_month_offset(word: &str) -> i32 {
    if word.to_ascii_lowercase().starts_with("next") || word.to_ascii_lowercase().contains("following") { 1 } else { 0 }
}

/// The given weekday of the Monday-based week `weeks` after the reference's.
pub(super) fn weekday_in_week(reference: NaiveDate, weeks: i64, weekday: Weekday) -> Option<NaiveDate> {
    let monday = reference.checked_sub_days(Days::new(reference.weekday().num_days_from_monday().into()))?;
    let offset = weeks * 7 + i64::from(weekday.num_days_from_monday());
    monday.checked_add_signed(chrono::TimeDelta::try_days(offset)?)
}

/// The first such weekday on or after the reference.
fn upcoming_weekday(reference: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + weekday.num_days_from_monday() - reference.weekday().num_days_from_monday()) % 7;
    reference.checked_add_days(Days::new(ahead.into()))
}

/// The first such weekday after the reference, and whether that skipped the reference itself.
fn next_weekday(reference: NaiveDate, weekday: Weekday) -> (Option<NaiveDate>, bool) {
    let ahead = (7 + weekday.num_days_from_monday() - reference.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    (reference.checked_add_days(Days::new(ahead.into())), ahead == 7)
}

fn plus_days(reference: NaiveDate, days: u64) -> Option<NaiveDate> {
    reference.checked_add_days(Days::new(days))
}

/// The month `k` months after (year, month).
fn add_months(year: i32, month: u32, k: i32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + k;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)?.checked_add_months(Months::new(1))?.pred_opt()
}

/// The `n`th (1-based, or -1 for the last) such weekday of a month.
pub(super) fn nth_weekday(year: i32, month: u32, n: i32, weekday: Weekday) -> Option<NaiveDate> {
    if n < 0 {
        let last = last_day(year, month)?;
        let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
        return last.checked_sub_days(Days::new(back.into()));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let ahead = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    let date = first.checked_add_days(Days::new(u64::from(ahead) + 7 * (n as u64).saturating_sub(1)))?;
    (date.month() == month).then_some(date)
}

/// Which month a day part belongs to.
#[derive(Debug, Clone, Copy)]
enum MonthRef {
    /// Not written: the first month from the reference's in which the day is still ahead.
    Unwritten,
    /// `다음 달`, `this month`: exactly that month.
    Relative(i32),
    /// `10월`, `October 2026`: that year's, or else the next such month still ahead.
    Named { month: u32, year: Option<i32> },
}

/// Resolve a day part (`day_in(year, month)`) within a month reference.
fn in_month(
    reference: NaiveDate,
    month: MonthRef,
    day_in: impl Fn(i32, u32) -> Option<NaiveDate>,
) -> Option<NaiveDate> {
    let (y, m) = (reference.year(), reference.month());
    match month {
        MonthRef::Relative(k) => {
            let (y, m) = add_months(y, m, k);
            day_in(y, m)
        }
        MonthRef::Named { month, year: Some(year) } => day_in(year, month),
        MonthRef::Named { month, year: None } => (0..=8).find_map(|k| day_in(y + k, month).filter(|d| *d >= reference)),
        MonthRef::Unwritten => (0..=24).find_map(|k| {
            let (y, m) = add_months(y, m, k);
            day_in(y, m).filter(|d| *d >= reference)
        }),
    }
}

fn group<'a>(caps: &Captures<'a>, name: &str) -> Option<&'a str> {
    caps.name(name).map(|g| g.as_str())
}

fn push(out: &mut Vec<Mention>, m: regex::Match<'_>, date: Option<NaiveDate>, english: bool) {
    push_kind(out, m.start(), m.end(), date, english, MentionKind::Relative, false);
}

fn push_kind(
    out: &mut Vec<Mention>,
    start: usize,
    end: usize,
    date: Option<NaiveDate>,
    english: bool,
    kind: MentionKind,
    today_if_later: bool,
) {
    if let Some(date) = date {
        out.push(Mention { start, end, date, year_given: true, english, kind, today_if_later, until: None });
    }
}

/// Korean relative words are also parts of nouns (`오늘의집`, `청년내일채움공제`),
/// so they only count when standing alone or followed by a particle or a time.
fn stands_alone_ko(line: &str, start: usize, end: usize) -> bool {
    !prev_char(line, start).is_some_and(is_hangul) && hangul_free_or(line, end, DATE_PARTICLES)
}

/// All relative dates in `line`.
pub(super) fn find(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    let has_hangul = line.chars().any(is_hangul);
    let has_latin = line.bytes().any(|b| b.is_ascii_alphabetic());
    if has_hangul {
        korean_days(line, reference, out);
        korean_weekdays(line, reference, out);
        korean_month_days(line, reference, out);
        korean_month_parts(line, reference, out);
        korean_numeral_dates(line, reference, out);
    }
    if has_latin {
        english_days(line, reference, out);
        english_weekdays(line, reference, out);
        english_month_days(line, reference, out);
        english_month_parts(line, reference, out);
    }
}

fn korean_days(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for m in KO_RELATIVE_DAY.find_iter(line) {
        if !stands_alone_ko(line, m.start(), m.end()) {
            continue;
        }
        let word: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        // `낼` is also a verb (`서류를 낼 때`): only a time or a particle makes it tomorrow.
        if word == "낼" && !colloquial_tomorrow(line, m.end()) {
            continue;
        }
        let days: i64 = match word.as_str() {
            "오늘" | "금일" => 0,
            "내일" | "명일" | "낼" | "익일" => 1,
            "모레" | "내일모레" | "낼모레" | "명후일" => 2,
            "글피" => 3,
            "어제" | "작일" => -1,
            _ => -2, // 그제, 그저께, 엊그제
        };
        push(out, m, reference.checked_add_signed(chrono::TimeDelta::days(days)), false);
    }
    if line.contains('내') || line.contains("안에") {
        for caps in KO_WITHIN.captures_iter(line) {
            let m = caps.get(0).expect("group 0");
            // `면접 후 3일 이내`, `면접 후 결과는 7일 이내` count from another step, not from today.
            let before = &line[..m.start()];
            let counted_from_another =
                ["후 ", "뒤 ", "부터", "로부터"].iter().any(|w| before.contains(w)) || before.ends_with('후');
            if counted_from_another
                || prev_char(line, m.start()).is_some_and(|c| is_hangul(c) || c.is_ascii_alphanumeric())
            {
                continue;
            }
            push(out, m, span_days(&caps).and_then(|d| plus_days(reference, d.into())), false);
        }
    }
    if line.contains("주") && line.contains('말') {
        for caps in KO_WEEKEND.captures_iter(line) {
            let m = caps.get(0).expect("group 0");
            if prev_char(line, m.start()).is_some_and(is_hangul) || !hangul_free_or(line, m.end(), DATE_PARTICLES) {
                continue;
            }
            let week = group(&caps, "week").map_or(0, korean_week_offset);
            push(out, m, weekday_in_week(reference, week, Weekday::Sat), false);
        }
    }
    for caps in KO_OFFSET.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let digits = caps.name("n").is_some();
        if digits && prev_char(line, m.start()).is_some_and(|c| c.is_ascii_alphanumeric() || ".,".contains(c)) {
            continue;
        }
        if !digits && prev_char(line, m.start()).is_some_and(is_hangul) {
            continue;
        }
        push(out, m, span_days(&caps).and_then(|d| plus_days(reference, d.into())), false);
    }
}

/// The days a Korean span counts: `3일`, `삼일`, `일주일`, `한 주`, `이틀`, `보름`.
fn span_days(caps: &Captures<'_>) -> Option<u32> {
    if let Some(count) = group(caps, "c") {
        return numerals::day_count(count);
    }
    let n = group(caps, "n").and_then(numerals::number).or_else(|| group(caps, "s").and_then(numerals::sino));
    let native = group(caps, "nat").and_then(numerals::hour);
    match group(caps, "u") {
        Some("일") if native.is_none() => n,
        Some("주" | "주일") => n.or(native).map(|w| w * 7),
        _ => None,
    }
}

/// `낼 오후 3시`, `낼까지`, `코테 낼`: tomorrow; `낼 수 있는`: the verb.
fn colloquial_tomorrow(line: &str, end: usize) -> bool {
    let rest = &line[end..];
    if rest.trim().is_empty() || rest.starts_with(|c: char| c.is_ascii_punctuation()) {
        return true;
    }
    if rest.starts_with(is_hangul) {
        return ["까지", "부터", "은", "중"].iter().any(|p| rest.starts_with(p));
    }
    let next = rest.trim_start();
    next.starts_with(|c: char| c.is_ascii_digit())
        || [
            "오전", "오후", "아침", "저녁", "밤", "낮", "점심", "새벽", "한", "두", "세", "네", "다섯", "여섯", "일곱",
            "여덟", "아홉", "열",
        ]
        .iter()
        .any(|p| next.starts_with(p))
}

fn korean_weekdays(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    if !line.contains("요일") && !line.contains('욜') {
        return;
    }
    for caps in KO_WEEK_DAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if prev_char(line, m.start()).is_some_and(is_hangul) {
            continue;
        }
        let Some(weekday) = group(&caps, "wd").and_then(korean_weekday) else { continue };
        let (date, today_if_later, kind) = match (group(&caps, "week"), group(&caps, "adj")) {
            (Some(week), _) => {
                (weekday_in_week(reference, korean_week_offset(week), weekday), false, MentionKind::Relative)
            }
            // `오는 금요일`: the coming one, today included, as before.
            (None, Some("오는")) => (upcoming_weekday(reference, weekday), false, MentionKind::Relative),
            // `다음 화요일` is next week's, like `next Tuesday` (see the tests).
            (None, Some("다음")) => (weekday_in_week(reference, 1, weekday), false, MentionKind::Relative),
            (None, Some("이번")) => (weekday_in_week(reference, 0, weekday), false, MentionKind::Relative),
            (None, Some(_)) => (weekday_in_week(reference, -1, weekday), false, MentionKind::Relative),
            (None, None) => {
                if WEEKDAY_ROUTINE_AFTER.iter().any(|w| word_after(line, m.end()).starts_with(w)) {
                    continue;
                }
                let (date, skipped_today) = next_weekday(reference, weekday);
                (date, skipped_today, MentionKind::Weekday)
            }
        };
        push_kind(out, m.start(), m.end(), date, false, kind, today_if_later);
    }
}

fn korean_month_days(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    if !line.contains('일') {
        return;
    }
    for caps in KO_MONTH_DAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let rel = group(&caps, "rel");
        let day = group(&caps, "d").and_then(|d| d.parse().ok()).or_else(|| group(&caps, "s").and_then(numerals::sino));
        let Some(day) = day else { continue };
        if rel.is_none() {
            // A day alone is easily a count: `주 5일`, `연차 15일`, `3일 이내`, `10.5일`.
            let sino = caps.name("s").is_some();
            if prev_char(line, m.start()).is_some_and(|c| c.is_ascii_alphanumeric() || is_hangul(c) || "./-".contains(c))
                || (sino && day < 10)
                || DAY_QUANTITY_BEFORE.contains(&word_before(line, m.start()))
                || DAY_QUANTITY_BEFORE_ENDING.iter().any(|w| word_before(line, m.start()).ends_with(w))
                || RATE_AFTER.is_match(&line[m.end()..])
                // `13월 1일`: a month was written, and the absolute rule found no such date.
                || word_before(line, m.start()).ends_with('월')
                || DAY_QUANTITY_AFTER.iter().any(|w| word_after(line, m.end()).starts_with(w))
            {
                continue;
            }
        }
        if !hangul_free_or(line, m.end(), DATE_PARTICLES) {
            continue;
        }
        let month = rel.map_or(MonthRef::Unwritten, |r| MonthRef::Relative(korean_month_offset(r)));
        let weekday = group(&caps, "w1").or_else(|| group(&caps, "w2")).and_then(korean_weekday);
        let date = day_with_weekday(reference, month, day, weekday);
        let kind = if rel.is_none() && weekday.is_none() { MentionKind::BareDay } else { MentionKind::Relative };
        push_kind(out, m.start(), m.end(), date, false, kind, false);
    }
}

/// Day `day` of a month. When a weekday is written too (`17일(화)`), it chooses between
/// the next two such days (the 17th of this month is a Saturday, of next month a Tuesday);
/// when neither fits, the weekday is a slip and the next such day stands.
fn day_with_weekday(reference: NaiveDate, month: MonthRef, day: u32, weekday: Option<Weekday>) -> Option<NaiveDate> {
    let plain = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, day);
    let next = in_month(reference, month, plain);
    match (month, weekday, next) {
        (MonthRef::Unwritten, Some(weekday), Some(first)) if first.weekday() != weekday => {
            let after = first.succ_opt().and_then(|d| in_month(d, month, plain));
            Some(after.filter(|d| d.weekday() == weekday).unwrap_or(first))
        }
        _ => next,
    }
}

fn korean_month_parts(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in KO_MONTH_PART.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let month = if let Some(month) = group(&caps, "m").and_then(|m| m.parse().ok()) {
            if prev_char(line, m.start()).is_some_and(|c| c.is_ascii_digit() || "./-".contains(c)) {
                continue;
            }
            let year =
                group(&caps, "y").and_then(|y| y.parse::<i32>().ok()).map(|y| if y < 100 { 2000 + y } else { y });
            MonthRef::Named { month, year }
        } else if let Some(rel) = group(&caps, "rel") {
            MonthRef::Relative(korean_month_offset(rel))
        } else {
            if prev_char(line, m.start()).is_some_and(is_hangul) {
                continue;
            }
            MonthRef::Unwritten
        };
        let written = !matches!(month, MonthRef::Unwritten);
        let date = if let Some(last) = group(&caps, "last") {
            // `말` alone needs its month (`12월 말`) and must end the word (`말씀` is speech);
            // `말일` alone is this month's last day.
            if (last != "말일" && !written)
                || (last == "말" && !hangul_free_or(line, m.end(), &["까지", "에", "경", "쯤", "께", "마감", "예정"]))
            {
                continue;
            }
            let month = if written { month } else { MonthRef::Relative(0) };
            in_month(reference, month, last_day)
        } else if caps.name("first").is_some() {
            if !written {
                continue;
            }
            in_month(reference, month, |y, m| NaiveDate::from_ymd_opt(y, m, 1))
        } else if caps.name("eom").is_some() {
            if prev_char(line, m.start()).is_some_and(|c| is_hangul(c) || c.is_ascii_digit()) {
                continue;
            }
            in_month(reference, MonthRef::Relative(0), last_day)
        } else {
            let n = group(&caps, "ord").map_or(Some(1), numerals::korean_ordinal);
            let weekday = group(&caps, "wd").and_then(korean_weekday);
            match (n, weekday) {
                (Some(n), Some(weekday)) => in_month(reference, month, |y, m| nth_weekday(y, m, n, weekday)),
                _ => None,
            }
        };
        // A weekday ends its word (`금요일입니다`); a day word takes particles (`말일까지`).
        let ends_in_day = caps.name("wd").is_none();
        if ends_in_day && !hangul_free_or(line, m.end(), DATE_PARTICLES) {
            continue;
        }
        push(out, m, date, false);
    }
}

fn korean_numeral_dates(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    if !line.contains('월') {
        return;
    }
    for caps in KO_SINO_DATE.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if prev_char(line, m.start()).is_some_and(|c| is_hangul(c) || c.is_ascii_alphanumeric())
            || !hangul_free_or(line, m.end(), DATE_PARTICLES)
        {
            continue;
        }
        let (Some(month), Some(day)) =
            (group(&caps, "m").and_then(numerals::sino_month), group(&caps, "d").and_then(numerals::sino))
        else {
            continue;
        };
        let year = group(&caps, "y").and_then(numerals::number).map(|y| y as i32);
        let date = in_month(reference, MonthRef::Named { month, year }, |y, m| NaiveDate::from_ymd_opt(y, m, day));
        push(out, m, date, false);
    }
}

fn english_days(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in COUNTDOWN.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let days = group(&caps, "n").map_or(Some(0), |n| n.parse::<u64>().ok());
        push(out, m, days.and_then(|d| plus_days(reference, d)), false);
    }
    for m in EN_RELATIVE_DAY.find_iter(line) {
        let lower = m.as_str().to_ascii_lowercase();
        let days = if lower.contains("after") {
            2
        } else if lower.starts_with("tom") || lower == "tmrw" {
            1
        } else if lower == "yesterday" {
            -1
        } else {
            0
        };
        push(out, m, reference.checked_add_signed(chrono::TimeDelta::days(days)), true);
    }
    for caps in EN_WITHIN.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        // `within 5 days of the interview`, `sent the following Monday, due within 5 days`
        // count from another step.
        let next = word_after(line, m.end()).to_ascii_lowercase();
        let before = line[..m.start()].to_ascii_lowercase();
        if ["of", "after", "from", "following"].contains(&next.as_str())
            || ["following", "after", "upon", "once", "receiv"].iter().any(|w| before.contains(w))
        {
            continue;
        }
        let n = group(&caps, "n").and_then(numerals::english_number);
        let days = n.map(|n| if caps["u"].to_ascii_lowercase().starts_with("week") { n * 7 } else { n });
        push(out, m, days.and_then(|d| plus_days(reference, d.into())), true);
    }
    for caps in EN_WEEKEND.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let w = caps["w"].to_ascii_lowercase();
        let week = if w == "this" {
            0
        } else if w == "last" {
            -1
        } else {
            1
        };
        push(out, m, weekday_in_week(reference, week, Weekday::Sat), true);
    }
    for caps in EN_OFFSET.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let n = group(&caps, "n1").or_else(|| group(&caps, "n2")).and_then(numerals::english_number);
        let unit = group(&caps, "u1").or_else(|| group(&caps, "u2")).unwrap_or("");
        let from = u32::from(caps.name("tomorrow").is_some());
        let days = n.map(|n| from + if unit.to_ascii_lowercase().starts_with("week") { n * 7 } else { n });
        push(out, m, days.and_then(|d| plus_days(reference, d.into())), true);
    }
}

fn english_weekdays(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in EN_WEEK_DAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let weekday = ["wd1", "wd2", "wd3", "wd4", "wd5", "wd6", "wd7", "wd8"]
            .iter()
            .find_map(|g| group(&caps, g))
            .and_then(english_weekday);
        let Some(weekday) = weekday else { continue };
        let lower = |g: &str| group(&caps, g).map(str::to_ascii_lowercase);
        let week = |word: Option<String>| {
            if word.is_some_and(|w| w.starts_with("next") || w.contains("following")) { 1 } else { 0 }
        };
        let (date, kind, today_if_later) = if let Some(adj) = lower("adj") {
            // "next Friday" is the Friday of next week; "this"/"coming" Friday is the upcoming one.
            let date = if adj == "next" {
                weekday_in_week(reference, 1, weekday)
            } else {
                upcoming_weekday(reference, weekday)
            };
            (date, MentionKind::Relative, false)
        } else if caps.name("wd2").is_some() {
            (weekday_in_week(reference, week(lower("wk2")), weekday), MentionKind::Relative, false)
        } else if caps.name("wd3").is_some() {
            (weekday_in_week(reference, week(lower("wk3")), weekday), MentionKind::Relative, false)
        } else if caps.name("wd4").is_some() || caps.name("wd5").is_some() || caps.name("wd6").is_some() {
            // After "next Friday" (next week's) comes the week after's.
            (weekday_in_week(reference, 2, weekday), MentionKind::Relative, false)
        } else if let Some(n) = group(&caps, "n7").and_then(numerals::english_number) {
            let base = upcoming_weekday(reference, weekday);
            (base.and_then(|b| plus_days(b, u64::from(n) * 7)), MentionKind::Relative, false)
        } else if let Some(day) = group(&caps, "d8").and_then(|d| d.parse().ok()) {
            (day_with_weekday(reference, MonthRef::Unwritten, day, Some(weekday)), MentionKind::Relative, false)
        } else {
            // `every Monday` is a routine; `the following Monday`, `that Friday` count from another date.
            if ["every", "each", "following", "that", "same"]
                .contains(&word_before(line, m.start()).to_ascii_lowercase().as_str())
            {
                continue;
            }
            let (date, skipped_today) = next_weekday(reference, weekday);
            (date, MentionKind::Weekday, skipped_today)
        };
        push_kind(out, m.start(), m.end(), date, true, kind, today_if_later);
    }
}

fn english_month_days(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in EN_MONTH_DAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let day = ["d1", "d2", "d3"].iter().find_map(|g| group(&caps, g)).and_then(|d| d.parse().ok());
        let day = day.or(caps.name("first").map(|_| 1));
        let Some(day) = day else { continue };
        let month = match group(&caps, "rel1").or_else(|| group(&caps, "rel2")) {
            Some(word) => MonthRef::Relative(english_month_offset(word)),
            None => MonthRef::Unwritten,
        };
        push(out, m, in_month(reference, month, |y, m| NaiveDate::from_ymd_opt(y, m, day)), true);
    }
}

fn english_month_parts(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in EN_MONTH_PART.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let month = if let Some(name) = group(&caps, "mon") {
            MonthRef::Named { month: month_number(name), year: group(&caps, "y").and_then(|y| y.parse().ok()) }
        } else {
            MonthRef::Relative(group(&caps, "rel").map_or(0, english_month_offset))
        };
        let date = if caps.name("lastday").is_some() || caps.name("end").is_some() {
            in_month(reference, month, last_day)
        } else if caps.name("firstday").is_some() {
            in_month(reference, month, |y, m| NaiveDate::from_ymd_opt(y, m, 1))
        } else {
            let n = group(&caps, "ord").and_then(numerals::english_ordinal);
            let weekday = group(&caps, "wd").and_then(english_weekday);
            match (n, weekday) {
                (Some(n), Some(weekday)) => in_month(reference, month, |y, m| nth_weekday(y, m, n, weekday)),
                _ => None,
            }
        };
        push(out, m, date, true);
    }
}

/// Builds this module's patterns now, in the pre-initialization snapshot.
pub(super) fn warm() {
    for pattern in [
        &KO_RELATIVE_DAY,
        &EN_RELATIVE_DAY,
        &RATE_AFTER,
        &COUNTDOWN,
        &KO_WITHIN,
        &EN_WITHIN,
        &KO_WEEKEND,
        &EN_WEEKEND,
        &KO_OFFSET,
        &EN_OFFSET,
        &KO_WEEK_DAY,
        &KO_MONTH_DAY,
        &KO_MONTH_PART,
        &KO_SINO_DATE,
        &EN_WEEK_DAY,
        &EN_MONTH_DAY,
        &EN_MONTH_PART,
    ] {
        LazyLock::force(pattern);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn nth_and_last_weekdays_of_a_month() {
        assert_eq!(nth_weekday(2026, 10, 1, Weekday::Tue), Some(d(2026, 10, 6)));
        assert_eq!(nth_weekday(2026, 9, 3, Weekday::Tue), Some(d(2026, 9, 15)));
        assert_eq!(nth_weekday(2026, 3, -1, Weekday::Mon), Some(d(2026, 3, 30)));
        assert_eq!(nth_weekday(2026, 2, 5, Weekday::Mon), None);
        assert_eq!(last_day(2028, 2), Some(d(2028, 2, 29)));
        assert_eq!(add_months(2026, 12, 1), (2027, 1));
        assert_eq!(add_months(2026, 1, -1), (2025, 12));
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-01-18 is a Sunday: its week began on Monday the 12th.
        assert_eq!(weekday_in_week(d(2026, 1, 18), 0, Weekday::Mon), Some(d(2026, 1, 12)));
        assert_eq!(weekday_in_week(d(2026, 1, 18), 1, Weekday::Mon), Some(d(2026, 1, 19)));
        assert_eq!(weekday_in_week(d(2026, 1, 18), -1, Weekday::Fri), Some(d(2026, 1, 9)));
    }
}

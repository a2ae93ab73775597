//! Clock times in one line: `오후 2시 30분`, `오후세시반`, `저녁 다섯 시`,
//! `네시 십오분 전`, `14:00`, `3:20pm`, `9:00 AM`, `2 PM`, `3 o'clock`,
//! `half past three`, `at 4`, `정오`, `자정`, `noon`, `midnight`.
//!
//! An hour written without 오전/오후 or am/pm is read in business hours: 1–6
//! are afternoon hours (`3시 면접` is at 15:00), 7–12 as written.

use std::sync::LazyLock;

use chrono::NaiveTime;
use regex::{Captures, Regex};

use super::numerals::{self, NATIVE_HOUR, SINO};
use super::text::{hangul_free_or, is_hangul, longest_non_overlapping, next_char, prev_char};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSpan {
    pub start: usize,
    pub end: usize,
    pub time: NaiveTime,
    /// `자정` / `midnight` / `밤 12시`: 00:00 on its own, but the end of the day for a deadline.
    pub midnight: bool,
}

fn re(pattern: &str) -> Regex {
    super::text::regex(pattern)
}

/// Parts of the day that say which half of the clock an hour is in.
const KO_PERIOD: &str = "오전|오후|낮|밤|저녁|새벽|아침|점심";
const EN_HOUR_WORD: &str = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve";

/// `오후 2시 30분`, `오후세시반`, `세 시 이십삼 분 이십사 초`, `네시 십오분 전` (15:45).
static KO_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?:(?P<period>{KO_PERIOD})\s*)?(?P<h>\d{{1,2}}|{NATIVE_HOUR})\s?시(?:\s*(?P<min>\d{{1,2}}|{SINO})\s*분(?:\s*(?:\d{{1,2}}|{SINO})\s*초)?(?P<before>\s*전)?|\s*(?P<half>반)(?P<half_before>\s*전)?)?(?:\s*정각)?"
    ))
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:(?P<period>{KO_PERIOD})\s*)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::\d{{2}})?(?:\s*(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)|(?P<short>a|p)\b)?"
    ))
});
static EN_HOUR: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(\d{1,2})\s*(a\.m\.|p\.m\.|am\b|pm\b)"));
/// `6-8 PM`, `10:30–11:30am`: the first hour takes the period written after the second.
static EN_HOUR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*[-~]\s*(?P<h2>\d{1,2})(?::\d{2})?\s*(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)")
});
/// `3 o'clock`, `half past three`, `quarter to four`, `at 4`.
static EN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?:at\s+)?(?P<oh>\d{{1,2}}|{EN_HOUR_WORD})\s*o'?clock|(?P<frac>half|quarter)\s+(?P<dir>past|after|to|before)\s+(?P<fh>\d{{1,2}}|{EN_HOUR_WORD})|at\s+(?P<ah>\d{{1,2}}))\b"
    ))
});
static WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)정오|자정|\bnoon\b|\bmidnight\b|\bEOD\b|\bend\s+of\s+(?:the\s+)?(?:business\s+)?day\b"));

/// What may follow a Korean hour glued to it: `세시에`, `세시까지`, `두시 반`; not `한시적`.
const HOUR_PARTICLES: &[&str] = &[
    "에", "까지", "부터", "쯤", "경", "께", "정각", "이후", "이전", "전", "후", "마감", "입", "이", "으로", "에서",
    "부", "시작", "종료", "는", "은", "로", "가",
];
/// Words that may follow `at N` when N is an hour: `at 4`, `at 4, …`, `at 4 on Friday`.
const AT_HOUR_FOLLOWERS: &[&str] = &[
    "on", "tomorrow", "today", "tonight", "sharp", "in", "for", "and", "kst", "et", "pt", "est", "pst", "cet", "utc",
    "gmt",
];

/// The hour on a 24-hour clock, and whether it is midnight ending the day (`밤 12시`).
fn korean_hour(hour: u32, period: Option<&str>) -> (u32, bool) {
    match period {
        Some("오후" | "저녁") if (1..12).contains(&hour) => (hour + 12, false),
        // 밤 1–5시 are after midnight; 밤 12시 is midnight itself.
        Some("밤") if (6..12).contains(&hour) => (hour + 12, false),
        Some("밤") if hour == 12 => (0, true),
        Some("낮") if (1..=6).contains(&hour) => (hour + 12, false),
        Some("점심") if (1..=5).contains(&hour) => (hour + 12, false),
        Some("오전" | "새벽" | "아침") if hour == 12 => (0, false),
        None => (business_hour(hour), false),
        _ => (hour, false),
    }
}

/// An hour without a half of the day: 1–6 are in the afternoon, as interviews and tests are.
fn business_hour(hour: u32) -> u32 {
    if (1..=6).contains(&hour) { hour + 12 } else { hour }
}

fn group<'a>(caps: &Captures<'a>, name: &str) -> Option<&'a str> {
    caps.name(name).map(|g| g.as_str())
}

/// All clock times in `line`, in order.
pub fn find(line: &str) -> Vec<TimeSpan> {
    let mut out = Vec::new();
    let has_digit = line.bytes().any(|b| b.is_ascii_digit());
    if line.contains('시') {
        korean(line, &mut out);
    }
    if has_digit && line.contains(':') {
        clock(line, &mut out);
    }
    if line.bytes().any(|b| b.is_ascii_alphabetic()) {
        if has_digit {
            english_hours(line, &mut out);
            english_hour_ranges(line, &mut out);
        }
        english_words(line, &mut out);
    }
    for m in WORDS.find_iter(line) {
        let word = m.as_str().to_ascii_lowercase();
        let midnight = matches!(word.as_str(), "자정" | "midnight");
        // `EOD`, `end of day`: the day's last minute, as 자정 is for a deadline.
        let (hour, minute) = if midnight {
            (0, 0)
        } else if word.starts_with('e') {
            (23, 59)
        } else {
            (12, 0)
        };
        let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
        out.push(TimeSpan { start: m.start(), end: m.end(), time, midnight });
    }
    longest_non_overlapping(out, |t| (t.start, t.end))
}

fn korean(line: &str, out: &mut Vec<TimeSpan>) {
    for caps in KO_HOUR.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let digits = caps.name("h").expect("hour group");
        let native = !digits.as_str().starts_with(|c: char| c.is_ascii_digit());
        let period = group(&caps, "period");
        let timed = caps.name("min").is_some() || caps.name("half").is_some();
        // `3시간` and `두 시간` are durations; `1.5시` and `12시` inside a longer number are not times;
        // a native numeral is a word of its own (`한시적` is "temporary").
        if (!timed && next_char(line, m.end()) == Some('간'))
            || (!native && prev_char(line, digits.start()).is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ':'))
            || (native
                && ((period.is_none() && prev_char(line, m.start()).is_some_and(is_hangul))
                    || !hangul_free_or(line, m.end(), HOUR_PARTICLES)))
        {
            continue;
        }
        let Some(hour) = numerals::hour(digits.as_str()) else { continue };
        if native && !(1..=12).contains(&hour) {
            continue;
        }
        let minute =
            if caps.name("half").is_some() { 30 } else { group(&caps, "min").and_then(numerals::number).unwrap_or(0) };
        let (hour, midnight) = korean_hour(hour, period);
        // `세시 이십분 전` is 2:40; but `3시 30분 전형` is a screening at 3:30.
        let before = caps.name("before").or_else(|| caps.name("half_before"));
        let (end, before) = match before {
            Some(b) if !hangul_free_or(line, b.end(), &["에", "까지"]) => (b.start(), false),
            Some(_) => (m.end(), true),
            None => (m.end(), false),
        };
        let (hour, minute) = if before && minute > 0 {
            let total = (hour * 60 + 24 * 60 - minute) % (24 * 60);
            (total / 60, total % 60)
        } else {
            (hour, minute)
        };
        if midnight {
            out.push(TimeSpan { start: m.start(), end, time: NaiveTime::MIN, midnight: true });
        } else {
            push(out, m.start(), end, hour, minute);
        }
    }
}

fn clock(line: &str, out: &mut Vec<TimeSpan>) {
    for caps in CLOCK.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let digits = caps.name("h").expect("hour group");
        if prev_char(line, digits.start()).is_some_and(|c| c.is_ascii_digit() || c == ':' || c == '.')
            || next_char(line, m.end()).is_some_and(|c| c.is_ascii_digit() || c == ':')
        {
            continue;
        }
        let hour: u32 = digits.as_str().parse().unwrap_or(99);
        let minute: u32 = caps["m"].parse().unwrap_or(99);
        let suffix = group(&caps, "ap").or_else(|| group(&caps, "short")).map(str::to_ascii_lowercase);
        let hour = match (suffix, group(&caps, "period")) {
            (Some(ap), _) => apply_period(hour, Some(&ap)),
            (None, Some(period)) => korean_hour(hour, Some(period)).0,
            // `03:30` is a 24-hour clock; a bare one-digit `3:30` is read in business hours.
            (None, None) if digits.as_str().len() == 1 => business_hour(hour),
            (None, None) => hour,
        };
        push(out, m.start(), m.end(), hour, minute);
    }
}

fn english_hours(line: &str, out: &mut Vec<TimeSpan>) {
    for caps in EN_HOUR.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if prev_char(line, m.start()).is_some_and(|c| c.is_ascii_digit() || c == ':' || c == '.') {
            continue;
        }
        let hour: u32 = caps[1].parse().unwrap_or(99);
        push(out, m.start(), m.end(), apply_period(hour, Some(&caps[2].to_ascii_lowercase())), 0);
    }
}

fn english_hour_ranges(line: &str, out: &mut Vec<TimeSpan>) {
    for caps in EN_HOUR_RANGE.captures_iter(line) {
        let (Some(first), Some(second)) = (caps.name("h"), caps.name("h2")) else { continue };
        // Inside dates (`1/30-2/5`) and clocks (`10:30-11:30am`, read by the clock rule) are no hours.
        if prev_char(line, first.start()).is_some_and(|c| ":./-".contains(c)) {
            continue;
        }
        let (Ok(h), Ok(h2)) = (first.as_str().parse::<u32>(), second.as_str().parse::<u32>()) else { continue };
        let minute: u32 = group(&caps, "m").and_then(|m| m.parse().ok()).unwrap_or(0);
        let ap = caps["ap"].to_ascii_lowercase();
        // `11-1 PM` starts before noon; `6-8 PM` in the evening.
        let period = if h <= h2 || h == 12 {
            ap
        } else if ap.starts_with('p') {
            "am".into()
        } else {
            "pm".into()
        };
        // The span is the whole range, so `8 PM` inside it is not read as a second time.
        push(out, first.start(), caps.get(0).map_or(first.end(), |m| m.end()), apply_period(h, Some(&period)), minute);
    }
}

fn english_words(line: &str, out: &mut Vec<TimeSpan>) {
    for caps in EN_WORDS.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let word_hour = |g: &str| group(&caps, g).and_then(numerals::english_number).filter(|h| (1..=12).contains(h));
        if let Some(hour) = word_hour("oh") {
            push(out, m.start(), m.end(), business_hour(hour), 0);
        } else if let Some(hour) = word_hour("fh") {
            let hour = business_hour(hour);
            let minutes = if group(&caps, "frac").is_some_and(|f| f.eq_ignore_ascii_case("half")) { 30 } else { 15 };
            let past =
                group(&caps, "dir").is_some_and(|d| d.eq_ignore_ascii_case("past") || d.eq_ignore_ascii_case("after"));
            let total = if past { hour * 60 + minutes } else { (hour * 60 + 24 * 60 - minutes) % (24 * 60) };
            push(out, m.start(), m.end(), total / 60, total % 60);
        } else if let Some(hour) = word_hour("ah") {
            if !hour_follows(line, m.end()) {
                continue;
            }
            // `tonight at 8` is in the evening; otherwise business hours.
            let before = line[..m.start()].to_ascii_lowercase();
            let evening = ["tonight", "evening", "afternoon"].iter().any(|w| before.trim_end().ends_with(w));
            let hour = if evening && hour < 12 { hour + 12 } else { business_hour(hour) };
            push(out, m.start(), m.end(), hour, 0);
        }
    }
}

/// `at 3` is an hour when nothing else continues the number (`at 3 locations`, `at 3.5%`, `at 3 PM`).
fn hour_follows(line: &str, end: usize) -> bool {
    let rest = &line[end..];
    let next = rest.trim_start();
    if next.is_empty() {
        return true;
    }
    if let Some(c) = next.chars().next()
        && [',', ';', ')', '!', '?', '.'].contains(&c)
    {
        return !(c == '.' && next[1..].starts_with(|d: char| d.is_ascii_digit()));
    }
    let word: String = next.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase();
    rest.starts_with(char::is_whitespace) && AT_HOUR_FOLLOWERS.contains(&word.as_str())
}

/// 12-hour clock to 24-hour; a period on an hour above 12 is redundant (`오후 14:00`).
fn apply_period(hour: u32, period: Option<&str>) -> u32 {
    match period {
        Some(p) if p.starts_with('p') && (1..12).contains(&hour) => hour + 12,
        Some(p) if p.starts_with('a') && hour == 12 => 0,
        _ => hour,
    }
}

fn push(out: &mut Vec<TimeSpan>, start: usize, end: usize, hour: u32, minute: u32) {
    // `24:00` and `24시` are how Korean notices write "end of the day".
    let time = if hour == 24 && minute == 0 {
        NaiveTime::from_hms_opt(23, 59, 0)
    } else {
        NaiveTime::from_hms_opt(hour, minute, 0)
    };
    if let Some(time) = time {
        out.push(TimeSpan { start, end, time, midnight: false });
    }
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&KO_HOUR);
    LazyLock::force(&CLOCK);
    LazyLock::force(&EN_HOUR);
    LazyLock::force(&EN_HOUR_RANGE);
    LazyLock::force(&EN_WORDS);
    LazyLock::force(&WORDS);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(text: &str) -> Option<String> {
        let found = find(text);
        assert!(found.len() <= 1, "{text:?} gave several times: {found:?}");
        found.first().map(|t| t.time.format("%H:%M").to_string())
    }

    #[test]
    fn times_in_korean_and_english_forms() {
        let cases = [
            ("오후 2시", "14:00"),
            ("오후2시", "14:00"),
            ("오후 2시 30분", "14:30"),
            ("오후 2시 반", "14:30"),
            ("오전 10시", "10:00"),
            ("오전 12시", "00:00"),
            ("오후 12시", "12:00"),
            ("저녁 7시", "19:00"),
            ("밤 11시", "23:00"),
            ("낮 2시", "14:00"),
            ("14:00", "14:00"),
            ("23:59까지", "23:59"),
            ("18:00까지", "18:00"),
            ("9:30", "09:30"),
            ("17시", "17:00"),
            ("17시 30분", "17:30"),
            ("정오", "12:00"),
            ("자정", "00:00"),
            ("9:00 AM", "09:00"),
            ("9:00 a.m.", "09:00"),
            ("11:59 PM", "23:59"),
            ("12:00 PM", "12:00"),
            ("12:30 AM", "00:30"),
            ("2 PM", "14:00"),
            ("2pm", "14:00"),
            ("10 am", "10:00"),
            ("noon", "12:00"),
            ("midnight", "00:00"),
            ("오후 3:30", "15:30"),
            ("24:00까지", "23:59"),
            ("14:00:00", "14:00"),
        ];
        for (text, want) in cases {
            assert_eq!(hm(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn midnight_is_flagged_for_deadlines() {
        assert!(find("자정까지")[0].midnight);
        assert!(find("Midnight")[0].midnight);
        assert!(!find("정오")[0].midnight);
        assert!(!find("14:00")[0].midnight);
    }

    #[test]
    fn things_that_are_not_times() {
        for text in [
            "3시간",
            "주 40시간 근무",
            "1:1 면접",
            "16:9 화면",
            "25:00",
            "12:75",
            "afternoon",
            "v1.2:30",
            "10:1 경쟁률",
        ] {
            assert_eq!(hm(text), None, "{text}");
        }
    }
}

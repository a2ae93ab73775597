//! Clock times in one line: `오후 2시 30분`, `14:00`, `9:00 AM`, `2 PM`, `정오`, `자정`.

use std::sync::LazyLock;

use chrono::NaiveTime;
use regex::Regex;

use super::text::{longest_non_overlapping, next_char, prev_char};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSpan {
    pub start: usize,
    pub end: usize,
    pub time: NaiveTime,
    /// `자정` / `midnight`: 00:00 on its own, but the end of the day for a deadline.
    pub midnight: bool,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("invalid built-in pattern {pattern}: {e}"))
}

static KO_HOUR: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:(오전|오후|낮|밤|저녁|새벽|아침)\s*)?(\d{1,2})\s*시(?:\s*(\d{1,2})\s*분|\s*(반))?"));
static CLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:(오전|오후)\s*)?(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*(a\.m\.|p\.m\.|am\b|pm\b))?"));
static EN_HOUR: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(\d{1,2})\s*(a\.m\.|p\.m\.|am\b|pm\b)"));
static WORDS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)정오|자정|\bnoon\b|\bmidnight\b"));

/// All clock times in `line`, in order.
pub fn find(line: &str) -> Vec<TimeSpan> {
    let mut out = Vec::new();
    for caps in KO_HOUR.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let digits = caps.get(2).expect("hour group");
        // `3시간` is a duration; `1.5시` and `12시` inside a longer number are not times.
        if prev_char(line, digits.start()).is_some_and(|c| c.is_ascii_digit() || c == '.' || c == ':')
            || (caps.get(3).is_none() && caps.get(4).is_none() && next_char(line, m.end()) == Some('간'))
        {
            continue;
        }
        let hour: u32 = digits.as_str().parse().unwrap_or(99);
        let minute =
            if caps.get(4).is_some() { 30 } else { caps.get(3).and_then(|g| g.as_str().parse().ok()).unwrap_or(0) };
        let hour = match caps.get(1).map(|g| g.as_str()) {
            Some("오후" | "저녁" | "밤") if (1..12).contains(&hour) => hour + 12,
            Some("낮") if (1..=6).contains(&hour) => hour + 12,
            Some("오전" | "새벽" | "아침") if hour == 12 => 0,
            _ => hour,
        };
        push(&mut out, m.start(), m.end(), hour, minute);
    }
    for caps in CLOCK.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let digits = caps.get(2).expect("hour group");
        if prev_char(line, digits.start()).is_some_and(|c| c.is_ascii_digit() || c == ':' || c == '.')
            || next_char(line, m.end()).is_some_and(|c| c.is_ascii_digit() || c == ':')
        {
            continue;
        }
        let hour: u32 = digits.as_str().parse().unwrap_or(99);
        let minute: u32 = caps[3].parse().unwrap_or(99);
        let period = caps
            .get(4)
            .map(|g| g.as_str().to_ascii_lowercase())
            .or_else(|| caps.get(1).map(|g| if g.as_str() == "오후" { "pm".to_string() } else { "am".to_string() }));
        push(&mut out, m.start(), m.end(), apply_period(hour, period.as_deref()), minute);
    }
    for caps in EN_HOUR.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        if prev_char(line, m.start()).is_some_and(|c| c.is_ascii_digit() || c == ':' || c == '.') {
            continue;
        }
        let hour: u32 = caps[1].parse().unwrap_or(99);
        push(&mut out, m.start(), m.end(), apply_period(hour, Some(&caps[2].to_ascii_lowercase())), 0);
    }
    for m in WORDS.find_iter(line) {
        let midnight = matches!(m.as_str().to_ascii_lowercase().as_str(), "자정" | "midnight");
        let time = if midnight { NaiveTime::MIN } else { NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN) };
        out.push(TimeSpan { start: m.start(), end: m.end(), time, midnight });
    }
    longest_non_overlapping(out, |t| (t.start, t.end))
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

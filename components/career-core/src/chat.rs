//! Chat without a model: which messages are schedule questions and for which
//! dates, the tools the assistant may ask the backend to run, and the answer
//! to a schedule question once the backend has run `get_schedule`.
//!
//! # Schedule questions
//!
//! A message is one when it names a schedule (`일정`, `스케줄`, `캘린더`,
//! `schedule`, `calendar`) or an event of a job hunt (`면접`, `마감`, `코테`,
//! `코딩테스트`, `서류`, `발표`, `interview`, `deadline`) together with a time
//! expression or a question about when (`언제`, `몇 시`, `있어?`, `when`); and
//! it is not about preparing for one (`면접 준비 어떻게 해?`, `면접 팁`), unless
//! it also asks when.
//!
//! # Dates
//!
//! Counted from the reference date (today in Asia/Seoul by default):
//! `이번 주`/`this week` is Monday–Sunday of its week, `다음 주`/`next week`
//! the week after (`다다음 주` two after, `지난 주` one before), `이번 주말` its
//! Saturday–Sunday, `오늘`, `내일`, `모레` one day, `이번 달`/`다음 달` the whole
//! month, `앞으로 N일`/`next N days` from today, and explicit dates (`1월 15일`,
//! `다음 주 금요일`, `2026-01-20`, `1/10~1/20`) as the calendar's grammar reads
//! them. With no time expression: today to today + 13 days (two weeks ahead).

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};
use regex::Regex;
use serde::Serialize;
use serde_json::{Value, json};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// Days looked ahead when a schedule question names no time.
pub const DEFAULT_DAYS_AHEAD: u64 = 13;

/// The one tool the assistant asks the backend to run.
pub const GET_SCHEDULE: &str = "get_schedule";

/// A tool the backend runs for the assistant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of `params`.
    pub parameters: Value,
}

/// The tools, as data: the component gives them to the model, and the host can document them.
pub fn tools() -> Vec<Tool> {
    vec![Tool {
        name: GET_SCHEDULE,
        description: "사용자의 취업 일정(면접, 코딩테스트, 서류 마감 등)을 기간으로 조회합니다. \
                      Returns the user's job-hunt events between two dates, inclusive.",
        parameters: json!({
            "type": "object",
            "properties": {
                "start_date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "First day, YYYY-MM-DD"},
                "end_date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "Last day, YYYY-MM-DD, on or after start_date"}
            },
            "required": ["start_date", "end_date"],
            "additionalProperties": false
        }),
    }]
}

/// What kind of event a schedule question is about, when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Interview,
    CodingTest,
    Deadline,
    Announcement,
}

impl EventKind {
    fn label(self) -> &'static str {
        match self {
            EventKind::Interview => "면접",
            EventKind::CodingTest => "코딩테스트",
            EventKind::Deadline => "마감",
            EventKind::Announcement => "발표",
        }
    }

    /// Words in an event's title that make it this kind.
    fn title_words(self) -> &'static [&'static str] {
        match self {
            EventKind::Interview => &["면접", "interview", "인터뷰"],
            EventKind::CodingTest => &["코딩테스트", "코딩 테스트", "코테", "coding test", "과제", "assessment"],
            EventKind::Deadline => &["마감", "서류", "deadline", "접수"],
            EventKind::Announcement => &["발표", "결과", "announcement", "result"],
        }
    }
}

/// A schedule question: the dates to ask `get_schedule` for, and how to name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleQuery {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// `이번 주(1월 5일~1월 11일)`, `내일(1월 6일)`.
    pub label: String,
    /// The message named the time (else the two-week default).
    pub explicit: bool,
    pub kind: Option<EventKind>,
}

impl ScheduleQuery {
    /// `get_schedule`'s params.
    pub fn params(&self) -> Value {
        json!({"start_date": self.start_date.format("%Y-%m-%d").to_string(), "end_date": self.end_date.format("%Y-%m-%d").to_string()})
    }
}

static SCHEDULE_WORDS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)일정|스케줄|스케쥴|캘린더|달력|schedule|calendar|agenda|\bevents?\b|\bplans?\b"));
static EVENT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)면접|마감|코테|코딩\s*테스트|서류|발표|인적성|과제\s*(?:제출|마감)|\binterviews?\b|deadlines?|coding\s+tests?|due\b",
    )
});
static WHEN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)언제|몇\s*시|며칠|몇\s*일|무슨\s*요일|있어|있나|있니|있을까|있는지|있었|잡혀|뭐\s*있|뭐야|알려|보여|확인|정리|\bwhen\b|\bwhat\s+time\b|\bwhat'?s\s+on\b|\bdo\s+i\s+have\b|\bany\b|\bshow\b|\blist\b",
    )
});
/// Questions about when: these override a preparation word (`면접 준비는 언제까지 해야 해?` asks when).
static STRONG_WHEN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)언제|몇\s*시|며칠|일정|스케줄|\bwhen\b|\bwhat\s+time\b|schedule"));
static PREPARATION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)준비|팁|연습|질문|어떻게|방법|자소서|자기소개|이력서|포트폴리오|복장|예상|후기|합격|떨어|긴장|\btips?\b|\bprepare|\bhow\s+(?:to|do|should)\b|\bpractice\b|\bquestions?\b",
    )
});

/// Talk about how an event went or feels: not a question about when it is.
static FEELINGS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)망쳤|망했|잘\s*봤|잘\s*볼\s*수|잘\s*할\s*수|떨어졌|떨려|떨린|붙었|긴장|걱정|불안|자신\s*(?:없|있)|기분|힘들|후회|\bnervous\b|\bworried\b|\banxious\b|messed\s+up|went\s+(?:well|badly)|\bbombed\b",
    )
});

static WEEKEND: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(이번|다음|담|다다음)\s*주\s*말|주말|(this|next)\s+weekend|weekend"));
static WEEK: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)(이번|금|다음|담|차|다다음|다음\s*다음|지난|저번)\s*주|(this|next|last)\s+week|금주|차주|내주|익주")
});
static MONTH: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(이번|다음|담|다다음|지난|저번)\s*달|이달|금월|익월|내달|(this|next|last)\s+month"));
static AHEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)앞으로\s*(?:(\d{1,3})\s*일|(일주일|한\s*주|이\s*주|2\s*주|한\s*달))|(?:next|coming)\s+(\d{1,3})\s+days|(\d{1,3})\s*일\s*(?:간|동안|이내|안에)",
    )
});
static RELATIVE_DAY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)오늘|금일|내일|낼|모레|글피|\btoday\b|\btonight\b|\btomorrow\b|day\s+after\s+tomorrow"));

/// Builds the patterns (pre-initialization).
pub fn warm() {
    let reference = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let _ = route("다음 주 면접 언제야?", reference);
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(day.weekday().num_days_from_monday() as u64)
}

fn month_range(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first.checked_add_months(Months::new(1)).map_or(first, |next| next - Days::new(1));
    (first, last)
}

fn md(day: NaiveDate) -> String {
    format!("{}월 {}일", day.month(), day.day())
}

fn weekday_ko(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

fn span_label(name: &str, start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        format!("{name}({} {}요일)", md(start), weekday_ko(start))
    } else {
        format!("{name}({}~{})", md(start), md(end))
    }
}

/// Whether `message` is a schedule question (see the module documentation).
pub fn is_schedule_question(message: &str, reference: NaiveDate) -> bool {
    let names_schedule = SCHEDULE_WORDS.is_match(message);
    let names_event = EVENT_WORDS.is_match(message);
    if !names_schedule && !names_event {
        return false;
    }
    let has_time = time_range(message, reference).is_some();
    let asks_when = WHEN_WORDS.is_match(message);
    if (PREPARATION.is_match(message) || FEELINGS.is_match(message)) && !STRONG_WHEN.is_match(message) {
        return false;
    }
    if names_schedule {
        return has_time || asks_when;
    }
    has_time || asks_when
}

/// The dates a message names, and their label; `None` when it names none.
pub fn time_range(message: &str, reference: NaiveDate) -> Option<(NaiveDate, NaiveDate, String)> {
    if let Some(c) = WEEKEND.captures(message) {
        let which = c.get(1).or(c.get(2)).map(|m| m.as_str().to_lowercase());
        let weeks = match which.as_deref() {
            Some("다음" | "담" | "next") => 1,
            Some("다다음") => 2,
            _ => 0,
        };
        let saturday = monday_of(reference) + Days::new(5 + 7 * weeks);
        let name = if weeks == 0 {
            "이번 주말"
        } else if weeks == 1 {
            "다음 주말"
        } else {
            "다다음 주말"
        };
        return Some((saturday, saturday + Days::new(1), span_label(name, saturday, saturday + Days::new(1))));
    }
    // Explicit and relative dates the calendar reads (`1월 15일`, `다음 주 금요일`, `내일`).
    let mut spans = calendar_parser::dates::find(message, reference);
    // `다음 주 월요일부터 수요일까지`: a weekday after the first date that reads
    // earlier than it is in the first date's week, not this week.
    if let Some(first) = spans.first().map(|s| s.date) {
        for s in spans.iter_mut().skip(1) {
            if s.date < first && first - s.date < chrono::TimeDelta::days(7) {
                s.date = s.date + Days::new(7);
            }
        }
    }
    if !spans.is_empty() {
        let mut start = spans.iter().map(|s| s.date).min()?;
        // `금요일까지`, `until Friday`, `by the 15th`: everything from today up to that day.
        // Only a single date: `월요일부터 수요일까지` is a range of its own.
        let until = spans.len() == 1
            && spans.iter().all(|s| s.range.is_none())
            && spans.iter().any(|s| {
                message[s.end..].trim_start().starts_with("까지")
                    || message[..s.start].trim_end().to_lowercase().ends_with("until")
                    || message[..s.start].trim_end().to_lowercase().ends_with("by")
            });
        if until && start > reference {
            start = reference;
        }
        let end = spans.iter().map(|s| s.range.map_or(s.date, |r| r.date)).max()?.max(start);
        let name = if RELATIVE_DAY.is_match(message) && start == end {
            let word = RELATIVE_DAY.find(message).map_or("", |m| m.as_str()).to_lowercase();
            match word.as_str() {
                "오늘" | "금일" | "today" | "tonight" => "오늘".to_string(),
                "내일" | "낼" | "tomorrow" => "내일".to_string(),
                "모레" => "모레".to_string(),
                _ => String::new(),
            }
        } else {
            String::new()
        };
        let label = if name.is_empty() {
            if start == end {
                format!("{}({})", md(start), weekday_ko(start))
            } else {
                format!("{}~{}", md(start), md(end))
            }
        } else {
            span_label(&name, start, end)
        };
        return Some((start, end, label));
    }
    if let Some(c) = WEEK.captures(message) {
        let word = c.get(0).map_or("", |m| m.as_str()).to_lowercase().replace(' ', "");
        let weeks: i64 = if word.starts_with("다다음") || word.starts_with("다음다음") {
            2
        } else if word.starts_with("다음")
            || word.starts_with("담")
            || word.starts_with("차")
            || word.starts_with("내주")
            || word.starts_with("익주")
            || word.starts_with("next")
        {
            1
        } else if word.starts_with("지난") || word.starts_with("저번") || word.starts_with("last") {
            -1
        } else {
            0
        };
        let monday = monday_of(reference);
        let start = if weeks >= 0 { monday + Days::new(7 * weeks as u64) } else { monday - Days::new(7) };
        let name = match weeks {
            0 => "이번 주",
            1 => "다음 주",
            2 => "다다음 주",
            _ => "지난주",
        };
        return Some((start, start + Days::new(6), span_label(name, start, start + Days::new(6))));
    }
    if let Some(c) = MONTH.captures(message) {
        let word = c.get(0).map_or("", |m| m.as_str()).to_lowercase().replace(' ', "");
        let months: i32 = if word.starts_with("다다음") {
            2
        } else if word.starts_with("다음")
            || word.starts_with("담")
            || word.starts_with("익월")
            || word.starts_with("내달")
            || word.starts_with("next")
        {
            1
        } else if word.starts_with("지난") || word.starts_with("저번") || word.starts_with("last") {
            -1
        } else {
            0
        };
        let anchor = match months {
            m if m > 0 => reference.with_day(1)?.checked_add_months(Months::new(m as u32))?,
            m if m < 0 => reference.with_day(1)?.checked_sub_months(Months::new((-m) as u32))?,
            _ => reference,
        };
        let (start, end) = month_range(anchor);
        let name = match months {
            0 => "이번 달",
            1 => "다음 달",
            2 => "다다음 달",
            _ => "지난달",
        };
        return Some((start, end, span_label(name, start, end)));
    }
    if let Some(c) = AHEAD.captures(message) {
        let days: u64 = if let Some(n) = c.get(1).or(c.get(3)).or(c.get(4)) {
            n.as_str().parse().ok()?
        } else {
            match c.get(2).map(|m| m.as_str().replace(' ', "")).as_deref() {
                Some("일주일" | "한주") => 7,
                Some("이주" | "2주") => 14,
                _ => 30,
            }
        };
        let end = reference + Days::new(days.saturating_sub(1).min(366));
        return Some((reference, end, span_label(&format!("앞으로 {days}일"), reference, end)));
    }
    None
}

/// The schedule query a message asks, or `None` when it is not a schedule question.
pub fn route(message: &str, reference: NaiveDate) -> Option<ScheduleQuery> {
    if !is_schedule_question(message, reference) {
        return None;
    }
    let kind = event_kind(message);
    Some(match time_range(message, reference) {
        Some((start_date, end_date, label)) => ScheduleQuery { start_date, end_date, label, explicit: true, kind },
        None => {
            let end = reference + Days::new(DEFAULT_DAYS_AHEAD);
            ScheduleQuery {
                start_date: reference,
                end_date: end,
                label: span_label("앞으로 2주", reference, end),
                explicit: false,
                kind,
            }
        }
    })
}

/// The kind of event a message asks about, if it names one.
pub fn event_kind(message: &str) -> Option<EventKind> {
    let lowered = message.to_lowercase();
    if message.contains("면접") || lowered.contains("interview") {
        Some(EventKind::Interview)
    } else if message.contains("코테") || message.contains("코딩") || lowered.contains("coding test") {
        Some(EventKind::CodingTest)
    } else if message.contains("마감") || message.contains("서류") || lowered.contains("deadline") {
        Some(EventKind::Deadline)
    } else if message.contains("발표") {
        Some(EventKind::Announcement)
    } else {
        None
    }
}

/// The query for dates decided elsewhere (a model's tool call): the
/// router's own reading of `message` when its dates agree, else those dates
/// labelled as they are, with the event kind the message names.
pub fn query_for(message: &str, start: NaiveDate, end: NaiveDate, reference: NaiveDate) -> ScheduleQuery {
    if let Some(q) = route(message, reference)
        && q.start_date == start
        && q.end_date == end
    {
        return q;
    }
    let label = if start == end {
        format!("{}({})", md(start), weekday_ko(start))
    } else {
        format!("{}~{}", md(start), md(end))
    };
    ScheduleQuery { start_date: start, end_date: end, label, explicit: true, kind: event_kind(message) }
}

/// One event from `get_schedule`'s data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub title: String,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
}

fn text_field(item: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// The events in the backend's data: a list, or an object holding one
/// (`events`, `schedules`, `items`, `data`); each with a title (`title`,
/// `name`, `summary`, or `company` + `stage`), a `date` (or `start_date`,
/// `start`, possibly with a time after `T` or a space) and a `time`.
pub fn events(data: &Value) -> Vec<Event> {
    let list = match data {
        Value::Array(items) => items.as_slice(),
        Value::Object(map) => ["events", "schedules", "items", "data", "results"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_array))
            .map_or(&[][..], |v| v.as_slice()),
        _ => &[],
    };
    let mut out: Vec<Event> = list
        .iter()
        .filter(|item| item.is_object())
        .map(|item| {
            let stage = text_field(item, &["stage", "type"]);
            let company = text_field(item, &["company"]);
            let title = text_field(item, &["title", "name", "summary", "event"])
                .or_else(|| match (&company, &stage) {
                    (Some(c), Some(s)) => Some(format!("{c} {s}")),
                    (c, s) => c.clone().or(s.clone()),
                })
                .unwrap_or_else(|| "제목 없는 일정".to_string());
            let when = text_field(item, &["date", "start_date", "start", "datetime", "start_at"]);
            let (date, inline_time) = match &when {
                Some(w) => {
                    let (d, t) = w.split_once(['T', ' ']).map_or((w.as_str(), None), |(d, t)| (d, Some(t)));
                    (NaiveDate::parse_from_str(d, "%Y-%m-%d").ok(), t.and_then(parse_time))
                }
                None => (None, None),
            };
            let time = text_field(item, &["time", "start_time"]).as_deref().and_then(parse_time).or(inline_time);
            Event { title, date, time }
        })
        .collect();
    // By date, then time; an event without a time first in its day, one without a date last.
    out.sort_by_key(|e| (e.date.is_none(), e.date, e.time));
    out
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    let hm = t.get(..5).unwrap_or(t);
    NaiveTime::parse_from_str(hm, "%H:%M").ok()
}

fn event_line(e: &Event) -> String {
    let mut line = String::from("- ");
    if let Some(d) = e.date {
        line.push_str(&format!("{}({}) ", md(d), weekday_ko(d)));
    }
    if let Some(t) = e.time {
        line.push_str(&format!("{} ", t.format("%H:%M")));
    }
    line.push_str(&e.title);
    line
}

/// The answer to a schedule question from `get_schedule`'s result. `query`
/// is the question that asked for it (its label and event kind), when known.
pub fn schedule_answer(success: bool, data: &Value, query: Option<&ScheduleQuery>) -> String {
    if !success {
        let reason = data
            .get("message")
            .or_else(|| data.get("error"))
            .and_then(Value::as_str)
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        return format!("일정을 불러오지 못했습니다{reason}. 잠시 후 다시 시도해 주세요.");
    }
    let all = events(data);
    let span = match (query, all.iter().filter_map(|e| e.date).min(), all.iter().filter_map(|e| e.date).max()) {
        (Some(q), _, _) => q.label.clone(),
        (None, Some(first), Some(last)) => span_label("요청하신 기간", first, last),
        _ => "요청하신 기간".to_string(),
    };
    if all.is_empty() {
        return format!("{span}에는 등록된 일정이 없습니다.");
    }
    let lines = |list: &[&Event]| list.iter().map(|e| event_line(e)).collect::<Vec<_>>().join("\n");
    if let Some(kind) = query.and_then(|q| q.kind) {
        let (of_kind, others): (Vec<&Event>, Vec<&Event>) = all.iter().partition(|e| {
            let title = e.title.to_lowercase();
            kind.title_words().iter().any(|w| title.contains(w))
        });
        if of_kind.is_empty() {
            return format!(
                "{span}에는 {} 일정이 없습니다. 대신 다른 일정이 {}건 있습니다:\n{}",
                kind.label(),
                others.len(),
                lines(&others)
            );
        }
        let mut answer = format!("{span} {} 일정은 {}건입니다:\n{}", kind.label(), of_kind.len(), lines(&of_kind));
        if !others.is_empty() {
            answer.push_str(&format!("\n그 밖의 일정 {}건:\n{}", others.len(), lines(&others)));
        }
        return answer;
    }
    let refs: Vec<&Event> = all.iter().collect();
    format!("{span} 일정은 {}건입니다:\n{}", all.len(), lines(&refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Tuesday.
    fn reference() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()
    }

    fn dates(message: &str) -> Option<(String, String)> {
        route(message, reference()).map(|q| (q.start_date.to_string(), q.end_date.to_string()))
    }

    fn pair(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_string(), b.to_string()))
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        assert_eq!(dates("이번 주 일정 알려줘"), pair("2026-01-05", "2026-01-11"));
        assert_eq!(dates("다음 주 면접 언제야"), pair("2026-01-12", "2026-01-18"));
        assert_eq!(dates("what's on my schedule next week?"), pair("2026-01-12", "2026-01-18"));
        assert_eq!(dates("이번 주말에 일정 있어?"), pair("2026-01-10", "2026-01-11"));
    }

    #[test]
    fn days_months_and_explicit_dates() {
        assert_eq!(dates("오늘 일정 뭐 있어?"), pair("2026-01-06", "2026-01-06"));
        assert_eq!(dates("내일 면접 몇 시야?"), pair("2026-01-07", "2026-01-07"));
        assert_eq!(dates("이번 달 마감 일정 정리해줘"), pair("2026-01-01", "2026-01-31"));
        assert_eq!(dates("다음 달 일정"), pair("2026-02-01", "2026-02-28"));
        assert_eq!(dates("1월 20일에 면접 있어?"), pair("2026-01-20", "2026-01-20"));
        assert_eq!(dates("다음 주 금요일 코테 몇 시였지?"), pair("2026-01-16", "2026-01-16"));
    }

    #[test]
    fn no_time_means_the_next_two_weeks() {
        assert_eq!(dates("면접 일정 알려줘"), pair("2026-01-06", "2026-01-19"));
    }

    #[test]
    fn preparation_and_other_talk_is_not_a_schedule_question() {
        for message in [
            "면접 준비 어떻게 해?",
            "다음 주 면접인데 예상 질문 뽑아줘",
            "이력서 작성 팁 알려줘",
            "안녕",
            "자기소개서 첨삭해줘",
        ] {
            assert_eq!(route(message, reference()), None, "{message}");
        }
    }

    #[test]
    fn answers_list_events_by_date_and_time_or_say_none() {
        let query = route("이번 주 일정 알려줘", reference()).unwrap();
        let data = json!([
            {"title": "네이버 코딩테스트", "date": "2026-01-09", "time": "10:00"},
            {"title": "카카오 1차 면접", "date": "2026-01-08", "time": "14:00"}
        ]);
        assert_eq!(
            schedule_answer(true, &data, Some(&query)),
            "이번 주(1월 5일~1월 11일) 일정은 2건입니다:\n- 1월 8일(목) 14:00 카카오 1차 면접\n- 1월 9일(금) 10:00 네이버 코딩테스트"
        );
        assert_eq!(
            schedule_answer(true, &json!([]), Some(&query)),
            "이번 주(1월 5일~1월 11일)에는 등록된 일정이 없습니다."
        );
        let interviews = route("이번 주 면접 언제야?", reference()).unwrap();
        assert!(
            schedule_answer(true, &data, Some(&interviews))
                .starts_with("이번 주(1월 5일~1월 11일) 면접 일정은 1건입니다:\n- 1월 8일(목) 14:00 카카오 1차 면접")
        );
    }

    #[test]
    fn the_tool_catalogue_names_get_schedule_with_its_params() {
        let t = tools();
        assert_eq!(t[0].name, "get_schedule");
        assert_eq!(t[0].parameters["required"], json!(["start_date", "end_date"]));
    }
}

//! Turning the dates, times and stage keywords of each line into schedule entries.
//!
//! A line usually holds one stage and one date (or range) and maybe a time,
//! but summaries put several on one line (`서류 마감 1/15, 코테 1/20 14:00`).
//! The line's orientation decides the pairing: when the first keyword comes
//! before the first date, each date takes the keywords written before it;
//! otherwise (`1/15 서류 마감`) the ones after it.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use super::stages::{self, APPLICATION_CLOSE, Kind, StageMention};
use super::text::{overlaps_any, regex, squash_spaces};
use super::{Schedule, dates, times};

/// The stage of a date that nothing names, when the whole text names nothing (`오후 세시`, `화요일`).
pub const GENERIC_STAGE: &str = "일정";

/// What earlier lines leave for later ones.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    /// A stage keyword that stood alone on its line, waiting for the dates on the next one:
    /// ```text
    /// ■ 서류 접수
    ///   2026.01.05(월) ~ 2026.01.15(목) 18:00
    /// ```
    stage: Option<StageMention>,
    /// The latest date of each stage, for a later line that gives only its time
    /// (`1차 면접: 1월 25일` … `1차 면접 시간: 오후 2시`).
    stage_dates: HashMap<String, NaiveDate>,
}

/// A schedule, and whether its line wrote a date (a time-only line borrows one).
#[derive(Debug, Clone)]
pub struct Found {
    pub schedule: Schedule,
    pub dated: bool,
}

static DEADLINE_AFTER: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*(?:까지|마감|이내)"));
static DEADLINE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:~|\bby|\buntil|\btill|\bbefore|\bno\s+later\s+than|\bdue(?:\s+(?:on|by|in))?|\bclos(?:es?|ing)(?:\s+(?:on|at))?)\s*:?\s*$",
    )
});
/// Label words that carry no meaning of their own (`일정`, `일시`, bullets, particles).
static LABEL_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)[\[\](){}<>:：|~,·•※*#=_→►▶▷■□○●◆◇☞✔✓-]|일정|일시|예정|기간|까지|부터|\b(?:date|on|at|by|until|due)\b")
});
static LEADING_ENUMERATION: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s*(?:\d{1,2}[.)]|[a-zA-Z][.)]|[①-⑳])\s*"));
/// A time, then another: `오후 2시 ~ 4시`, `10:00-12:00`.
static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(?:~|-|부터|to|until|till)\s*$"));
/// Between a time and the date after it: `11:59 PM today`, `15:00 on the 20th`.
static TIME_BEFORE_DATE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)^\s*(?:on|,)?\s*$"));
/// Dates next to these are about the posting or the job, not a step of the process.
const LABEL_STOP_WORDS: &[&str] = &[
    "작성",
    "등록",
    "게시",
    "수정",
    "공고일",
    "조회",
    "근무",
    "급여",
    "연봉",
    "복리",
    "계약",
    "문의",
    "복지",
    "휴무",
    "휴가",
    "posted",
    "updated",
    "published",
    "salary",
    "contract",
    "benefit",
    "vacation",
];
/// Times on a line without a date that are opening hours, not appointments (`평일 09:00~18:00`).
const HOURS_WORDS: &[&str] = &[
    "평일",
    "매일",
    "주말",
    "운영",
    "점심",
    "상담",
    "휴게",
    "월~금",
    "월-금",
    "mon-fri",
    "office hours",
    "business hours",
    "core hours",
];

/// One date (or range), or a time alone, with what the line says around it.
#[derive(Clone, Copy)]
struct Event {
    start: usize,
    end: usize,
    date: NaiveDate,
    range_end: Option<NaiveDate>,
    time: Option<times::TimeSpan>,
    end_time: Option<times::TimeSpan>,
    /// `까지`, `~ 1/15`, `by Jan 15`: the date is a deadline whatever the stage.
    deadline: bool,
    today_if_later: bool,
    /// Only a time was written: the date is the stage's earlier one, else today.
    dateless: bool,
}

/// Schedules in one line, read at `now`; `carry` links lines. With `generic`, dates and
/// times that nothing names still count, as [`GENERIC_STAGE`].
pub fn line_schedules(line: &str, now: NaiveDateTime, carry: &mut Carry, generic: bool) -> Vec<Found> {
    let reference = now.date();
    let spans = dates::find(line, reference);
    let date_cuts: Vec<(usize, usize)> = spans.iter().map(|d| (d.start, d.end)).collect();
    let stage_mentions: Vec<StageMention> =
        stages::find(line).into_iter().filter(|s| !overlaps_any(&date_cuts, (s.start, s.end))).collect();
    let clock: Vec<times::TimeSpan> =
        times::find(line).into_iter().filter(|t| !overlaps_any(&date_cuts, (t.start, t.end))).collect();
    if spans.is_empty() && (clock.is_empty() || opening_hours(line, &clock)) {
        update_carry(line, &stage_mentions, carry);
        return Vec::new();
    }
    let pending = carry.stage.take();
    let time_cuts: Vec<(usize, usize)> = clock.iter().map(|t| (t.start, t.end)).collect();
    let events = if spans.is_empty() { time_events(line, &clock, reference) } else { events(line, &spans, &clock) };
    let stage_mentions: Vec<StageMention> =
        stage_mentions.into_iter().filter(|s| !overlaps_any(&time_cuts, (s.start, s.end))).collect();

    let stage_first = stage_mentions.first().is_some_and(|s| s.start < events[0].start);
    let mut out = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let prev_end = if i == 0 { 0 } else { events[i - 1].end };
        let next_start = events.get(i + 1).map_or(line.len(), |e| e.start);
        let before = (prev_end, event.start);
        let after = (event.end, next_start);
        let (primary, secondary) = if stage_first { (before, after) } else { (after, before) };
        let mut candidates = within(&stage_mentions, primary);
        if candidates.is_empty() {
            candidates = within(&stage_mentions, secondary);
        }
        // `과제 제출 마감`: the specific keyword names the stage, `마감` makes it a deadline.
        let closes = candidates.iter().any(|s| s.closes);
        let chosen = pick(candidates, stage_first);
        let stage = match (chosen, &pending) {
            (Some(s), _) => Some((s.label.clone(), s.kind)),
            (None, Some(p)) if i == 0 => Some((p.label.clone(), p.kind)),
            // A time alone needs a stage keyword: `점심시간 12:00` is not a step of the process.
            (None, _) if event.dateless && !generic => None,
            // Without any keyword, the words on either side of the date may still name it.
            (None, _) => fallback_label(line, (prev_end, next_start), &date_cuts, &time_cuts)
                .or_else(|| (generic && !has_stop_word(line)).then(|| GENERIC_STAGE.to_string()))
                .map(|l| (l, Kind::Event)),
        };
        let Some((label, kind)) = stage else { continue };
        let date = if event.dateless {
            carry.stage_dates.get(&label).copied().unwrap_or(reference)
        } else if event.today_if_later && event.time.is_some_and(|t| t.time > now.time()) {
            // `화요일 오후 3시` on a Tuesday morning: this afternoon.
            reference
        } else {
            event.date
        };
        let named_by_words = chosen.is_none() && pending.is_none() && label != GENERIC_STAGE;
        let mut schedule = schedule(event, date, label, kind, event.deadline || closes);
        schedule.source_text = if named_by_words {
            // `Phone screen: Tuesday the 20th`: the words that name it are part of what was read.
            source_text(line, &Event { start: prev_end, end: next_start.max(event.end), ..*event }, None)
        } else {
            source_text(line, event, chosen)
        };
        carry.stage_dates.insert(schedule.stage.clone(), schedule.date);
        out.push(Found { schedule, dated: !event.dateless });
    }
    if out.is_empty() && spans.is_empty() {
        update_carry(line, &stage_mentions, carry);
    }
    out
}

/// `근무 시간 09:00~18:00`, `평일 10시~17시`: hours, not an appointment.
fn opening_hours(line: &str, clock: &[times::TimeSpan]) -> bool {
    let lower = line.to_lowercase();
    let ranged = clock.windows(2).any(|w| TIME_RANGE.is_match(&line[w[0].end..w[1].start]));
    has_stop_word(line) || HOURS_WORDS.iter().any(|w| lower.contains(w)) || (ranged && line.contains("시간"))
}

fn has_stop_word(line: &str) -> bool {
    let lower = line.to_lowercase();
    LABEL_STOP_WORDS.iter().any(|w| lower.contains(w))
}

/// The words a schedule was read from: its date and time, and its stage keyword
/// when on the same line (`코테 1/20 14:00`, `1/15 서류 마감`), with a deadline word after.
fn source_text(line: &str, event: &Event, stage: Option<&StageMention>) -> Option<String> {
    let mut start = event.start;
    let mut end = event.end;
    if let Some(s) = stage {
        start = start.min(s.start);
        end = end.max(s.end);
    }
    end += DEADLINE_AFTER.find(&line[end..]).map_or(0, |m| m.end());
    let text = line.get(start..end)?;
    let text = LEADING_ENUMERATION.replace(text, "");
    let text = text.trim_matches(|c: char| c.is_whitespace() || ",;/|·•-※*■□○●◆◇▶►".contains(c));
    (!text.is_empty()).then(|| squash_spaces(text))
}

fn update_carry(line: &str, mentions: &[StageMention], carry: &mut Carry) {
    if line.trim().is_empty() {
        return; // Blank lines between a heading and its dates keep the heading.
    }
    let first = mentions.first();
    let single = first.filter(|f| mentions.iter().all(|m| m.label == f.label));
    // A keyword inside a sentence (`면접은 온라인으로 진행됩니다`) is not a heading.
    carry.stage = single.filter(|_| line.trim().chars().count() <= 24).cloned();
}

fn within(mentions: &[StageMention], window: (usize, usize)) -> Vec<&StageMention> {
    let from = mentions.partition_point(|m| m.start < window.0);
    mentions[from..].iter().take_while(|m| m.end <= window.1).collect()
}

/// The keyword nearest the date, preferring specific ones over `마감`/`발표`.
fn pick(candidates: Vec<&StageMention>, stage_first: bool) -> Option<&StageMention> {
    let strong: Vec<&StageMention> = candidates.iter().copied().filter(|s| s.strong).collect();
    let pool = if strong.is_empty() { candidates } else { strong };
    if stage_first { pool.last().copied() } else { pool.first().copied() }
}

fn is_deadline(line: &str, from: usize, after: usize, before: (usize, usize)) -> bool {
    DEADLINE_AFTER.is_match(&line[from..])
        || DEADLINE_AFTER.is_match(&line[after..])
        || DEADLINE_BEFORE.is_match(&line[before.0..before.1])
}

fn events(line: &str, spans: &[dates::DateSpan], clock: &[times::TimeSpan]) -> Vec<Event> {
    let mut out = Vec::with_capacity(spans.len());
    // Times taken by an earlier date cannot also precede the next one.
    let mut claimed_until = 0;
    for (i, span) in spans.iter().enumerate() {
        let next_start = spans.get(i + 1).map_or(line.len(), |s| s.start);
        let prev_end = if i == 0 { 0 } else { spans[i - 1].end };
        let first_limit = span.range.map_or(next_start, |r| r.start);
        let time = first_time(clock, span.first_end, first_limit)
            .or_else(|| time_before(line, clock, span.start, prev_end.max(claimed_until)));
        let end_time = span.range.and_then(|_| first_time(clock, span.end, next_start));
        let last_end = [Some(span.end), time.map(|t| t.end), end_time.map(|t| t.end)].into_iter().flatten().max();
        let start = time.map_or(span.start, |t| t.start.min(span.start));
        claimed_until = claimed_until.max(last_end.unwrap_or(span.end));
        let deadline = is_deadline(line, last_end.unwrap_or(span.end), span.end, (prev_end, start));
        out.push(Event {
            start,
            end: last_end.unwrap_or(span.end),
            date: span.date,
            range_end: span.range.map(|r| r.date),
            time,
            end_time,
            deadline,
            today_if_later: span.today_if_later,
            dateless: false,
        });
    }
    out
}

/// Events of a line that has times but no date: each time (or `A ~ B`, taking A) is one.
fn time_events(line: &str, clock: &[times::TimeSpan], reference: NaiveDate) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    let mut i = 0;
    while i < clock.len() {
        let time = clock[i];
        let end_time = clock.get(i + 1).filter(|next| TIME_RANGE.is_match(&line[time.end..next.start])).copied();
        let end = end_time.map_or(time.end, |t| t.end);
        let prev_end = out.last().map_or(0, |e| e.end);
        out.push(Event {
            start: time.start,
            end,
            date: reference,
            range_end: None,
            time: Some(time),
            end_time,
            deadline: is_deadline(line, end, end, (prev_end, time.start)),
            today_if_later: false,
            dateless: true,
        });
        i += if end_time.is_some() { 2 } else { 1 };
    }
    out
}

/// The first time written after a date and before the next date.
fn first_time(clock: &[times::TimeSpan], from: usize, to: usize) -> Option<times::TimeSpan> {
    clock.get(clock.partition_point(|t| t.start < from)).filter(|t| t.end <= to).copied()
}

/// A time written just before its date, as English does: `11:59 PM today`, `3 PM on Friday`.
fn time_before(line: &str, clock: &[times::TimeSpan], date_start: usize, floor: usize) -> Option<times::TimeSpan> {
    let i = clock.partition_point(|t| t.end <= date_start);
    let t = clock.get(i.checked_sub(1)?)?;
    (t.start >= floor && TIME_BEFORE_DATE.is_match(&line[t.end..date_start])).then_some(*t)
}

fn schedule(event: &Event, date: NaiveDate, label: String, kind: Kind, deadline: bool) -> Schedule {
    let (label, kind) = match kind {
        // An application window, or an application date marked as a deadline, is the deadline.
        Kind::Application if event.range_end.is_some() || deadline => (APPLICATION_CLOSE.to_string(), kind),
        _ => (label, kind),
    };
    let takes_end = matches!(kind, Kind::Application | Kind::Assignment) && event.range_end.is_some();
    let (date, time) = if takes_end {
        (event.range_end.unwrap_or(date), event.end_time)
    } else {
        (date, event.time.or(event.end_time))
    };
    let is_deadline = deadline || takes_end || label == APPLICATION_CLOSE;
    let time = time.map(|t| {
        // `마감 … 자정` means the end of that day; 23:59 keeps the date the one written.
        if t.midnight && is_deadline { NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(t.time) } else { t.time }
    });
    Schedule { stage: label, date, time, source_text: None }
}

/// A label made from the words around a date when no known stage keyword is there.
fn fallback_label(
    line: &str,
    window: (usize, usize),
    date_cuts: &[(usize, usize)],
    time_cuts: &[(usize, usize)],
) -> Option<String> {
    // Blank out every date and time inside the window, keeping the words between them.
    let mut text = String::new();
    let mut cursor = window.0;
    let inside = |cuts: &[(usize, usize)]| -> Vec<(usize, usize)> {
        let from = cuts.partition_point(|c| c.1 <= window.0);
        cuts[from..].iter().take_while(|c| c.0 < window.1).copied().collect()
    };
    let mut cuts = inside(date_cuts);
    cuts.extend(inside(time_cuts));
    cuts.sort_unstable();
    for (s, e) in cuts {
        let s = s.clamp(cursor, window.1);
        text.push_str(line.get(cursor..s)?);
        text.push(' ');
        cursor = cursor.max(e.min(window.1));
    }
    text.push_str(line.get(cursor..window.1)?);
    let text = LEADING_ENUMERATION.replace(&text, "");
    let text = squash_spaces(&LABEL_NOISE.replace_all(&text, " "));
    let lower = text.to_lowercase();
    let words = text.split(' ').count();
    let chars = text.chars().count();
    let sentence = text.ends_with(['다', '요', '.', '!', '?']) || text.contains("습니다");
    let has_letter = text.chars().any(char::is_alphabetic);
    let ok = (2..=20).contains(&chars)
        && words <= 4
        && has_letter
        && !sentence
        && !LABEL_STOP_WORDS.iter().any(|w| lower.contains(w));
    ok.then_some(text)
}

/// Builds this module's patterns now, in the pre-initialization snapshot,
/// rather than in every job.
pub(super) fn warm() {
    LazyLock::force(&DEADLINE_AFTER);
    LazyLock::force(&DEADLINE_BEFORE);
    LazyLock::force(&LABEL_NOISE);
    LazyLock::force(&LEADING_ENUMERATION);
    LazyLock::force(&TIME_RANGE);
    LazyLock::force(&TIME_BEFORE_DATE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(date: NaiveDate) -> NaiveDateTime {
        date.and_time(NaiveTime::MIN)
    }

    fn schedules(line: &str, carry: &mut Carry) -> Vec<Schedule> {
        line_schedules(line, at(d(2026, 1, 10)), carry, false).into_iter().map(|f| f.schedule).collect()
    }

    fn run(line: &str) -> Vec<(String, String, Option<String>)> {
        schedules(line, &mut Carry::default())
            .into_iter()
            .map(|s| (s.stage, s.date.to_string(), s.time.map(|t| t.format("%H:%M").to_string())))
            .collect()
    }

    fn one(line: &str) -> (String, String, Option<String>) {
        let all = run(line);
        assert_eq!(all.len(), 1, "{line}: {all:?}");
        all.into_iter().next().unwrap()
    }

    fn s(stage: &str, date: &str, time: Option<&str>) -> (String, String, Option<String>) {
        (stage.to_string(), date.to_string(), time.map(str::to_string))
    }

    #[test]
    fn application_ranges_take_the_end_date() {
        let cases = [
            ("서류 접수: 9월 1일 ~ 9월 15일", s("서류 마감", "2026-09-15", None)),
            ("지원 기간 2026.09.01 - 09.15", s("서류 마감", "2026-09-15", None)),
            ("접수 9/1~9/15", s("서류 마감", "2026-09-15", None)),
            ("서류접수 2026.01.05(월) 10:00 ~ 2026.01.15(목) 18:00", s("서류 마감", "2026-01-15", Some("18:00"))),
            ("Application period: Jan 12 - Jan 20", s("서류 마감", "2026-01-20", None)),
            ("과제 제출 기간: 1월 12일 ~ 1월 19일 23:59", s("과제", "2026-01-19", Some("23:59"))),
        ];
        for (line, want) in cases {
            assert_eq!(one(line), want, "{line}");
        }
    }

    #[test]
    fn other_stage_ranges_take_the_start_date() {
        assert_eq!(one("1차 면접: 1월 25일 ~ 1월 27일"), s("1차 면접", "2026-01-25", None));
        assert_eq!(one("인적성 검사 2/1~2/2 10:00"), s("인적성", "2026-02-01", Some("10:00")));
    }

    #[test]
    fn deadline_words_turn_application_into_deadline() {
        assert_eq!(one("서류 접수: 1월 15일까지"), s("서류 마감", "2026-01-15", None));
        assert_eq!(one("서류 접수 ~1/15 18:00"), s("서류 마감", "2026-01-15", Some("18:00")));
        assert_eq!(one("접수 시작 1월 12일"), s("서류 접수", "2026-01-12", None));
        assert_eq!(one("Apply by January 15, 2026"), s("서류 마감", "2026-01-15", None));
        assert_eq!(one("마감: 1월 15일 23:59"), s("서류 마감", "2026-01-15", Some("23:59")));
    }

    #[test]
    fn midnight_is_end_of_day_for_deadlines_only() {
        assert_eq!(one("서류 마감 1월 15일 자정"), s("서류 마감", "2026-01-15", Some("23:59")));
        assert_eq!(one("지원서 접수 1월 15일 자정까지"), s("서류 마감", "2026-01-15", Some("23:59")));
        assert_eq!(one("과제 제출 1월 19일 자정까지"), s("과제", "2026-01-19", Some("23:59")));
        assert_eq!(one("설명회 1월 15일 자정"), s("설명회", "2026-01-15", Some("00:00")));
        assert_eq!(one("코딩테스트 1월 20일 정오"), s("코딩테스트", "2026-01-20", Some("12:00")));
    }

    #[test]
    fn times_attach_to_the_date_before_them() {
        assert_eq!(one("코딩테스트: 1월 20일(화) 오후 2시"), s("코딩테스트", "2026-01-20", Some("14:00")));
        assert_eq!(one("코딩테스트 2026.01.20 14:00 ~ 16:00"), s("코딩테스트", "2026-01-20", Some("14:00")));
        assert_eq!(one("면접 1/25 오전 10시 30분"), s("면접", "2026-01-25", Some("10:30")));
        assert_eq!(one("Coding test: Jan 22 at 9:00 AM"), s("코딩테스트", "2026-01-22", Some("09:00")));
        assert_eq!(one("내일 오후 3시 코딩테스트"), s("코딩테스트", "2026-01-11", Some("15:00")));
    }

    #[test]
    fn several_stages_on_one_line_pair_by_orientation() {
        assert_eq!(
            run("서류 마감 1/15, 코딩테스트 1/20 14:00, 1차 면접 1/25"),
            vec![
                s("서류 마감", "2026-01-15", None),
                s("코딩테스트", "2026-01-20", Some("14:00")),
                s("1차 면접", "2026-01-25", None)
            ]
        );
        assert_eq!(
            run("서류 접수 1/12, 마감 1/23"),
            vec![s("서류 접수", "2026-01-12", None), s("서류 마감", "2026-01-23", None)]
        );
        assert_eq!(
            run("1/15 서류 마감 / 1/20 코테 / 1/25 면접"),
            vec![
                s("서류 마감", "2026-01-15", None),
                s("코딩테스트", "2026-01-20", None),
                s("면접", "2026-01-25", None)
            ]
        );
    }

    #[test]
    fn a_stage_alone_on_a_line_names_the_dates_below_it() {
        let mut carry = Carry::default();
        assert!(schedules("■ 서류 접수", &mut carry).is_empty());
        assert!(schedules("", &mut carry).is_empty());
        let got = schedules("2026.01.05(월) ~ 2026.01.15(목) 18:00", &mut carry);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].stage, "서류 마감");
        assert_eq!(got[0].date, d(2026, 1, 15));
        // The carry is used once.
        let got = schedules("2026.02.01", &mut carry);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn unknown_stage_uses_a_cleaned_label() {
        assert_eq!(one("- 건강검진: 2월 3일"), s("건강검진", "2026-02-03", None));
        assert_eq!(one("3. 인턴십 수료식 일정 : 2026.03.02"), s("인턴십 수료식", "2026-03-02", None));
        assert_eq!(one("Hackathon: March 3"), s("Hackathon", "2026-03-03", None));
    }

    #[test]
    fn unknown_lines_without_a_sensible_label_are_skipped() {
        for line in [
            "2026년 1월 15일",
            "작성일: 2026.01.05",
            "등록일 2026-01-05",
            "Posted: Jan 5",
            "본 공고는 2026년 1월 31일 이후에도 계속 게시될 수 있으며 자세한 사항은 홈페이지를 참고하시기 바랍니다",
            "계약 기간: 2026.03.01 ~ 2026.08.31",
            "(목)",
        ] {
            assert_eq!(run(line), vec![], "{line}");
        }
    }
}

//! Job-posting text → company, position, schedules and hashtags.
//!
//! Pure and deterministic: no I/O, no clock (the caller passes the reference
//! date), no SDK calls, so everything here is tested natively.

mod company;
pub mod dates;
mod hashtags;
mod holidays;
pub mod numerals;
mod position;
mod relative;
mod roles;
mod schedule;
pub mod stages;
pub mod text;
pub mod times;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Builds every pattern and table the parser uses lazily (pre-initialization).
pub fn warm() {
    company::warm();
    dates::warm();
    hashtags::warm();
    position::warm();
    schedule::warm();
    stages::warm();
    times::warm();
}
use serde::Serialize;
use serde::ser::SerializeStruct;

/// Everything the capability reports about a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posting {
    pub company: Option<String>,
    pub position: Option<String>,
    /// Ordered by date, then time (entries without a time first).
    pub schedules: Vec<Schedule>,
    pub hashtags: Vec<String>,
}

/// One step of the hiring process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The canonical Korean label (`서류 마감`, `코딩테스트`, `1차 면접`), whatever the wording.
    pub stage: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    /// The words it was read from, as written (stage keyword, date, time): `코테 낼 오후 두시`.
    pub source_text: Option<String>,
}

impl Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.source_text.is_some() { 4 } else { 3 };
        let mut s = serializer.serialize_struct("Schedule", fields)?;
        s.serialize_field("stage", &self.stage)?;
        s.serialize_field("date", &self.date.format("%Y-%m-%d").to_string())?;
        s.serialize_field("time", &self.time.map(|t| t.format("%H:%M").to_string()))?;
        if let Some(source) = &self.source_text {
            s.serialize_field("source_text", source)?;
        }
        s.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing but whitespace.
    Empty,
    /// No line pairs a date with something that names it.
    NoSchedule,
}

/// Parse a posting, resolving relative and year-less dates against the start of `reference`.
pub fn parse(text: &str, reference: NaiveDate) -> Result<Posting, ParseError> {
    parse_at(text, reference.and_time(NaiveTime::MIN))
}

/// Parse a posting read at `now` (wall clock in the posting's time zone): relative and
/// year-less dates count from its date, and a weekday written with a time still ahead
/// of it today (`화요일 오후 3시` on a Tuesday morning) is today.
pub fn parse_at(text: &str, now: NaiveDateTime) -> Result<Posting, ParseError> {
    let text = text::normalize(text);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let mut found = read(&text, now, false);
    if found.is_empty() && text.trim().lines().count() == 1 {
        // One line that names no stage (`오후 세시`, `다음 주 금요일`): its dates and times still count.
        found = read(&text, now, true);
    }
    if found.is_empty() {
        return Err(ParseError::NoSchedule);
    }
    found.sort_by(|a, b| a.schedule.date.cmp(&b.schedule.date).then(a.schedule.time.cmp(&b.schedule.time)));
    let schedules = dedupe(found);
    let company = company::extract(&text);
    let position = position::extract(&text, company.as_deref());
    let hashtags = hashtags::build(company.as_deref(), position.as_deref(), &text);
    Ok(Posting { company, position, schedules, hashtags })
}

/// The company and position a posting names, read as [`parse_at`] reads them
/// but without needing a date: [`parse_at`] fails on a posting with no
/// schedule, and the career component's analysis still wants these two.
pub fn identify(text: &str) -> (Option<String>, Option<String>) {
    let text = text::normalize(text);
    let company = company::extract(&text);
    let position = position::extract(&text, company.as_deref());
    (company, position)
}

fn read(text: &str, now: NaiveDateTime, generic: bool) -> Vec<schedule::Found> {
    let mut carry = schedule::Carry::default();
    text.split('\n').flat_map(|line| schedule::line_schedules(line, now, &mut carry, generic)).collect()
}

/// Summaries repeat the detailed lines: one entry per stage, day and time, and an entry
/// without a time gives way to one with a time.
fn dedupe(sorted: Vec<schedule::Found>) -> Vec<Schedule> {
    // Keyed so a huge input stays linear.
    let mut seen: HashMap<(String, NaiveDate), Vec<usize>> = HashMap::new();
    let mut out: Vec<Schedule> = Vec::with_capacity(sorted.len());
    for schedule::Found { schedule: s, dated } in sorted {
        let slots = seen.entry((s.stage.clone(), s.date)).or_default();
        if let Some(&untimed) = slots.iter().find(|&&i| out[i].time.is_none()) {
            if s.time.is_some() {
                let kept = &mut out[untimed];
                kept.time = s.time;
                // A time-only line (`면접 시간: 오후 2시`) adds its words to the date's.
                kept.source_text = match (dated, kept.source_text.take(), s.source_text) {
                    (false, Some(date), Some(time)) => Some(format!("{date} / {time}")),
                    (_, date, time) => time.or(date),
                };
            }
            continue;
        }
        if (s.time.is_none() && !slots.is_empty()) || slots.iter().any(|&i| out[i].time == s.time) {
            continue;
        }
        slots.push(out.len());
        out.push(s);
    }
    // Filling in a time can break the order by time within a day.
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.time.cmp(&b.time)));
    out
}

#[cfg(test)]
mod tests;

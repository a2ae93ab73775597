//! Job-posting text → company, position, schedules and hashtags.
//!
//! Pure and deterministic: no I/O, no clock (the caller passes the reference
//! date), no SDK calls, so everything here is tested natively.

mod company;
pub mod dates;
mod hashtags;
mod position;
mod roles;
mod schedule;
pub mod stages;
pub mod text;
pub mod times;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};

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
    pub stage: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

impl Serialize for Schedule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Schedule", 3)?;
        s.serialize_field("stage", &self.stage)?;
        s.serialize_field("date", &self.date.format("%Y-%m-%d").to_string())?;
        s.serialize_field("time", &self.time.map(|t| t.format("%H:%M").to_string()))?;
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

/// Parse a posting, resolving relative and year-less dates against `reference`.
pub fn parse(text: &str, reference: NaiveDate) -> Result<Posting, ParseError> {
    let text = text::normalize(text);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let mut carry = schedule::Carry::default();
    let mut schedules: Vec<Schedule> =
        text.split('\n').flat_map(|line| schedule::line_schedules(line, reference, &mut carry)).collect();
    if schedules.is_empty() {
        return Err(ParseError::NoSchedule);
    }
    schedules.sort_by(|a, b| a.date.cmp(&b.date).then(a.time.cmp(&b.time)));
    let schedules = dedupe(schedules);
    let company = company::extract(&text);
    let position = position::extract(&text, company.as_deref());
    let hashtags = hashtags::build(company.as_deref(), position.as_deref(), &text);
    Ok(Posting { company, position, schedules, hashtags })
}

/// Summaries repeat the detailed lines: one entry per stage, day and time, and an entry
/// without a time gives way to one with a time.
fn dedupe(sorted: Vec<Schedule>) -> Vec<Schedule> {
    // Keyed so a huge input stays linear.
    let mut seen: HashMap<(String, NaiveDate), Vec<usize>> = HashMap::new();
    let mut out: Vec<Schedule> = Vec::with_capacity(sorted.len());
    for s in sorted {
        let slots = seen.entry((s.stage.clone(), s.date)).or_default();
        if let Some(&untimed) = slots.iter().find(|&&i| out[i].time.is_none()) {
            out[untimed].time = s.time;
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

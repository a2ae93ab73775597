//! Measures skill extraction over `tests/data/skills.json` and chat routing
//! over `tests/data/chat_routing.json`; shared by the `quality` test and the
//! `quality` example, which prints the figures for docs/benchmarks.md.

use std::collections::BTreeSet;

use career_core::{chat, posting, skills, text};
use chrono::NaiveDate;
use serde_json::Value;

pub const SKILLS: &str = include_str!("../data/skills.json");
pub const ROUTING: &str = include_str!("../data/chat_routing.json");

/// True and false positives and false negatives of one list kind.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub true_positive: usize,
    pub false_positive: usize,
    pub false_negative: usize,
}

impl Counts {
    pub fn add(&mut self, expected: &BTreeSet<String>, found: &BTreeSet<String>) {
        self.true_positive += expected.intersection(found).count();
        self.false_positive += found.difference(expected).count();
        self.false_negative += expected.difference(found).count();
    }
    pub fn precision(&self) -> f64 {
        let found = self.true_positive + self.false_positive;
        if found == 0 { 1.0 } else { self.true_positive as f64 / found as f64 }
    }
    pub fn recall(&self) -> f64 {
        let expected = self.true_positive + self.false_negative;
        if expected == 0 { 1.0 } else { self.true_positive as f64 / expected as f64 }
    }
    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            true_positive: self.true_positive + other.true_positive,
            false_positive: self.false_positive + other.false_positive,
            false_negative: self.false_negative + other.false_negative,
        }
    }
}

/// Extraction figures of one set of pairs: per list (posting required,
/// posting preferred, résumé) and the mistakes.
pub struct Extraction {
    pub pairs: usize,
    pub required: Counts,
    pub preferred: Counts,
    pub resume: Counts,
    pub mistakes: Vec<String>,
}

impl Extraction {
    pub fn all(&self) -> Counts {
        self.required.plus(self.preferred).plus(self.resume)
    }
}

fn labels(value: &Value) -> BTreeSet<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
}

fn names(list: &[&'static skills::Skill]) -> BTreeSet<String> {
    list.iter().map(|s| s.name.to_string()).collect()
}

/// The pairs' sets: `development` (the matcher was changed while looking at
/// them) and `held-out` (written afterwards, measured as they came).
pub const SETS: [&str; 2] = ["development", "held-out"];

/// Extraction over the pairs of `set` (`None`: all of them).
pub fn extraction(set: Option<&str>) -> Extraction {
    let data: Value = serde_json::from_str(SKILLS).expect("skills.json is JSON");
    let pairs: Vec<&Value> = data["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .filter(|p| set.is_none_or(|s| p["set"].as_str() == Some(s)))
        .collect();
    let mut out = Extraction {
        pairs: pairs.len(),
        required: Counts::default(),
        preferred: Counts::default(),
        resume: Counts::default(),
        mistakes: Vec::new(),
    };
    for pair in pairs {
        let id = pair["id"].as_str().unwrap_or("?");
        let found_posting = posting::skills(pair["posting"].as_str().expect("posting"));
        let found_resume = skills::names(&text::squash(pair["resume"].as_str().expect("resume")));
        let lists = [
            ("required", &mut out.required, labels(&pair["required"]), names(&found_posting.required)),
            ("preferred", &mut out.preferred, labels(&pair["preferred"]), names(&found_posting.preferred)),
            ("resume", &mut out.resume, labels(&pair["resume_skills"]), names(&found_resume)),
        ];
        for (list, counts, expected, found) in lists {
            counts.add(&expected, &found);
            let missed: Vec<&String> = expected.difference(&found).collect();
            let extra: Vec<&String> = found.difference(&expected).collect();
            if !missed.is_empty() || !extra.is_empty() {
                out.mistakes.push(format!("{id} {list}: missed {missed:?}, extra {extra:?}"));
            }
        }
    }
    out
}

/// Routing figures: messages, correct ones (tool and dates), and the mistakes.
pub struct Routing {
    pub messages: usize,
    pub correct: usize,
    pub schedule_messages: usize,
    pub mistakes: Vec<String>,
}

impl Routing {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.messages.max(1) as f64
    }
}

/// Routing over the messages of `set` (`None`: all of them).
pub fn routing(set: Option<&str>) -> Routing {
    let data: Value = serde_json::from_str(ROUTING).expect("chat_routing.json is JSON");
    let reference = NaiveDate::parse_from_str(data["reference_date"].as_str().expect("reference_date"), "%Y-%m-%d")
        .expect("a date");
    let messages: Vec<&Value> = data["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| set.is_none_or(|s| m["set"].as_str() == Some(s)))
        .collect();
    let mut out = Routing { messages: messages.len(), correct: 0, schedule_messages: 0, mistakes: Vec::new() };
    for m in messages {
        let message = m["message"].as_str().expect("message");
        let expected = m["tool"].as_str().map(|_| {
            (m["start_date"].as_str().unwrap_or("").to_string(), m["end_date"].as_str().unwrap_or("").to_string())
        });
        if expected.is_some() {
            out.schedule_messages += 1;
        }
        let got = chat::route(message, reference).map(|q| (q.start_date.to_string(), q.end_date.to_string()));
        if got == expected {
            out.correct += 1;
        } else {
            out.mistakes.push(format!("{message:?}: expected {expected:?}, got {got:?}"));
        }
    }
    out
}

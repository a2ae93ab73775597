//! Accuracy of the calendar grammar over `tests/data/expressions.tsv`.
//!
//! Every row goes through [`calendar::handle`] as a client would send it
//! (`text`, `reference_date`, `timezone`), and passes when the answer has
//! exactly one schedule with the expected date and time (and stage, where the
//! row names one). A plain expression (a row without a stage) is sent twice:
//! alone, and as a posting line after a stage (`면접: …`, or `Interview: …`
//! for English), where it must come back as that stage. Prints the accuracy of
//! each family both ways, then fails below 98 % overall or 95 % in any family.
//!
//! ```sh
//! cargo test -p calendar --test corpus -- --nocapture
//! ```

use std::collections::BTreeMap;

use calendar::request::Input;
use chrono::{DateTime, Utc};

const CORPUS: &str = include_str!("data/expressions.tsv");
const OVERALL_TARGET: f64 = 0.98;
const FAMILY_TARGET: f64 = 0.95;

struct Row<'a> {
    line: usize,
    family: &'a str,
    reference: &'a str,
    timezone: &'a str,
    text: String,
    date: &'a str,
    time: Option<&'a str>,
    stage: Option<&'a str>,
}

fn rows() -> Vec<Row<'static>> {
    CORPUS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 7, "line {}: seven tab-separated columns, got {cols:?}", i + 1);
            let optional = |s: &'static str| (s != "-").then_some(s);
            Row {
                line: i + 1,
                family: cols[0],
                reference: cols[1],
                timezone: cols[2],
                text: cols[3].replace("\\n", "\n"),
                date: cols[4],
                time: optional(cols[5]),
                stage: optional(cols[6]),
            }
        })
        .collect()
}

/// `None` when the row passes, else what came back.
fn check(row: &Row<'_>) -> Option<String> {
    check_text(row, &row.text, row.stage)
}

/// The row as a posting line: its expression after a stage keyword.
fn check_labelled(row: &Row<'_>) -> Option<String> {
    let korean = row.text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    let (prefix, stage) = if korean { ("면접: ", "면접") } else { ("Interview: ", "면접") };
    check_text(row, &format!("{prefix}{}", row.text), Some(stage))
}

fn check_text(row: &Row<'_>, text: &str, stage: Option<&str>) -> Option<String> {
    let input = Input {
        text: Some(text.to_string()),
        file_url: None,
        reference_date: Some(row.reference.to_string()),
        timezone: Some(row.timezone.to_string()),
    };
    let posting = match calendar::handle(&input, DateTime::<Utc>::UNIX_EPOCH, |_| unreachable!("text only")) {
        Ok(posting) => posting,
        Err(failure) => return Some(failure.code),
    };
    let got: Vec<(String, String, Option<String>)> = posting
        .schedules
        .iter()
        .map(|s| (s.stage.clone(), s.date.to_string(), s.time.map(|t| t.format("%H:%M").to_string())))
        .collect();
    let ok = match got.as_slice() {
        [(got_stage, date, time)] => {
            date == row.date && time.as_deref() == row.time && stage.is_none_or(|want| want == got_stage)
        }
        _ => false,
    };
    (!ok).then(|| format!("{got:?}"))
}

/// Per family: (rows, passed), plus the failures.
type Tally<'a> = (BTreeMap<&'a str, (usize, usize)>, Vec<String>);

fn tally<'a>(rows: &[&Row<'a>], check: impl Fn(&Row<'a>) -> Option<String>) -> Tally<'a> {
    let mut per_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for row in rows {
        let entry = per_family.entry(row.family).or_default();
        entry.0 += 1;
        match check(row) {
            None => entry.1 += 1,
            Some(got) => failures.push(format!(
                "  line {} [{}] {:?} @ {}: want {} {} {}, got {got}",
                row.line,
                row.family,
                row.text,
                row.reference,
                row.date,
                row.time.unwrap_or("-"),
                row.stage.unwrap_or("")
            )),
        }
    }
    (per_family, failures)
}

/// Prints the table and the failures; returns the ones below target.
fn report(title: &str, (per_family, failures): &Tally<'_>) -> Vec<String> {
    let total: usize = per_family.values().map(|(n, _)| n).sum();
    let passed: usize = per_family.values().map(|(_, p)| p).sum();
    println!("\n{title}\n\n| family | expressions | correct | accuracy |\n|---|---|---|---|");
    let mut below = Vec::new();
    for (family, (n, p)) in per_family {
        let accuracy = *p as f64 / *n as f64;
        println!("| {family} | {n} | {p} | {:.1} % |", 100.0 * accuracy);
        if accuracy < FAMILY_TARGET {
            below.push(format!("{title}: `{family}` {:.1} % < {:.0} %", accuracy * 100.0, FAMILY_TARGET * 100.0));
        }
    }
    let overall = passed as f64 / total as f64;
    println!("| **overall** | {total} | {passed} | {:.1} % |", 100.0 * overall);
    if overall < OVERALL_TARGET {
        below.push(format!("{title}: overall {:.1} % < {:.0} %", overall * 100.0, OVERALL_TARGET * 100.0));
    }
    if !failures.is_empty() {
        println!("\nfailures:\n{}", failures.join("\n"));
    }
    below
}

#[test]
fn corpus_accuracy_meets_the_targets() {
    let rows = rows();
    assert!(rows.len() >= 300, "the corpus has {} rows; it should have at least 300", rows.len());
    let all: Vec<&Row<'_>> = rows.iter().collect();
    let plain: Vec<&Row<'_>> = rows.iter().filter(|r| r.stage.is_none()).collect();
    let mut below = report("As sent (plain expressions alone, posting lines as written)", &tally(&all, check));
    below.extend(report(
        "Plain expressions as posting lines (`면접: …` / `Interview: …`)",
        &tally(&plain, check_labelled),
    ));
    assert!(below.is_empty(), "below target:\n{}", below.join("\n"));
}

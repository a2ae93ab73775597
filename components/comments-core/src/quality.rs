//! Keyword quality against labelled comment sets (`tests/data/keywords.json`):
//! precision@8 of the recommended keywords, i.e. the share of them a reader
//! would accept for the video. The test asserts a floor; the `quality`
//! example prints the table for docs/benchmarks.md.

use serde::Deserialize;

use crate::{Comment, MAX_KEYWORDS, Prepared};

/// The labelled data.
#[derive(Debug, Clone, Deserialize)]
pub struct Dataset {
    pub sets: Vec<LabelledSet>,
}

/// One video's comments and the keywords a reader would accept for it.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledSet {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub comments: Vec<String>,
    /// Written after the rules were settled and never tuned against.
    #[serde(default, rename = "heldOut")]
    pub held_out: bool,
    /// Accepted keywords; `a|b` accepts either spelling (부모님|부모).
    pub expected: Vec<String>,
}

/// How one set scored.
#[derive(Debug, Clone, PartialEq)]
pub struct SetScore {
    pub name: String,
    pub held_out: bool,
    pub comments: usize,
    pub keywords: Vec<String>,
    pub hits: usize,
    /// hits / keywords returned (at most 8).
    pub precision: f64,
}

/// Whether `keyword` is one of `expected`'s spellings, compared without
/// spaces and case.
pub fn accepted(keyword: &str, expected: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let keyword = norm(keyword);
    expected.split('|').any(|e| norm(e) == keyword)
}

/// Score one set; with `use_video` false the title and description are
/// left out, to measure the comments alone.
pub fn evaluate(set: &LabelledSet, use_video: bool) -> SetScore {
    let comments = set.comments.iter().map(|t| Comment { text: t.clone(), likes: 0 }).collect();
    let (title, description) =
        if use_video { (set.title.as_deref(), set.description.as_deref()) } else { (None, None) };
    let prepared = Prepared::new(title, description, comments);
    let keywords = prepared.keywords.top(MAX_KEYWORDS);
    let hits = keywords.iter().filter(|k| set.expected.iter().any(|e| accepted(k, e))).count();
    let precision = if keywords.is_empty() { 0.0 } else { hits as f64 / keywords.len() as f64 };
    SetScore { name: set.name.clone(), held_out: set.held_out, comments: set.comments.len(), keywords, hits, precision }
}

/// The labelled data shipped with this crate.
pub fn dataset() -> Dataset {
    serde_json::from_str(include_str!("../tests/data/keywords.json")).expect("tests/data/keywords.json is valid")
}

/// Mean precision@8 over `scores`.
pub fn mean(scores: &[SetScore]) -> f64 {
    if scores.is_empty() { 0.0 } else { scores.iter().map(|s| s.precision).sum::<f64>() / scores.len() as f64 }
}

/// The figures as a Markdown table: per set, with and without the video's
/// title and description, and the mean.
pub fn markdown(with_video: &[SetScore], comments_only: &[SetScore]) -> String {
    let mut out = String::from(
        "| set | comments | precision@8 (title + description + comments) | precision@8 (comments only) | keywords (with title) |\n\
         |---|---:|---:|---:|---|\n",
    );
    for (a, b) in with_video.iter().zip(comments_only) {
        out.push_str(&format!(
            "| {} | {} | {:.3} ({}/{}) | {:.3} ({}/{}) | {} |\n",
            if a.held_out { format!("{} (held out)", a.name) } else { a.name.clone() },
            a.comments,
            a.precision,
            a.hits,
            a.keywords.len(),
            b.precision,
            b.hits,
            b.keywords.len(),
            a.keywords.join(", ")
        ));
    }
    out.push_str(&format!("| **mean** | | **{:.3}** | **{:.3}** | |\n", mean(with_video), mean(comments_only)));
    let held_out = |scores: &[SetScore]| scores.iter().filter(|s| s.held_out).cloned().collect::<Vec<_>>();
    let tuned = |scores: &[SetScore]| scores.iter().filter(|s| !s.held_out).cloned().collect::<Vec<_>>();
    if !held_out(with_video).is_empty() {
        out.push_str(&format!(
            "| mean of the sets tuned against | | {:.3} | {:.3} | |\n| mean of the held-out sets | | {:.3} | {:.3} | |\n",
            mean(&tuned(with_video)),
            mean(&tuned(comments_only)),
            mean(&held_out(with_video)),
            mean(&held_out(comments_only)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_compared_without_spaces_and_case() {
        assert!(accepted("감정조절", "감정 조절"));
        assert!(accepted("부모", "부모님|부모"));
        assert!(accepted("AI", "ai"));
        assert!(!accepted("가족", "가족관계"));
    }
}

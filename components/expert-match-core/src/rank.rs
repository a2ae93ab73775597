//! Matching keywords to experts and ranking them (the seed's "semantic
//! count", over any similarity).
//!
//! Only experts with `is_visible: true` are evaluated. An expert's items are
//! its `field` entries, then its `career` entries, each trimmed (blank ones
//! skipped). For each keyword, in keyword order:
//!
//! * its best item is the one with the highest similarity (the first such
//!   item on a tie, so a `field` entry wins over an equal `career` entry);
//! * it matches when that similarity, rounded to 4 decimals, is at least
//!   the threshold: the keyword is then listed once in `매칭_상세` with that
//!   item. So **each keyword counts at most once per expert**, however many
//!   of the expert's items are close to it, and `매칭_개수 ≤ num_keywords`.
//!
//! `평균_유사도` is the mean of the listed (rounded) similarities, rounded to
//! 4 decimals. Experts with no match are dropped; the rest are ranked by
//! `매칭_개수` (more first), then `평균_유사도` (higher first), then name
//! (code-point order), then their order in the request, and the first
//! `top_k` are kept and numbered from 1 (`순위`). Every number the ranking
//! uses is one the output shows, so the order can be checked from the output.

use std::cmp::Ordering;

use crate::request::{Expert, MatchDetail, RankedExpert};

/// `x` rounded to 4 decimals.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// An expert's items, in matching order: `field`, then `career`, trimmed, blank ones skipped.
pub fn items(expert: &Expert) -> impl Iterator<Item = &str> {
    expert.field.iter().chain(&expert.career).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// The distinct items of the visible experts, in first-seen order: what a
/// similarity needs to know about (the texts to embed).
pub fn distinct_items(experts: &[Expert]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    experts.iter().filter(|e| e.is_visible).flat_map(items).filter(|item| seen.insert(*item)).collect()
}

/// The ranking and how many experts were evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub total_experts_evaluated: usize,
    pub final_ranking: Vec<RankedExpert>,
}

/// Match and rank (see the module docs). `similarity(k, item)` is the
/// similarity of `keywords[k]` and an item (as [`items`] gives it); a value
/// that is not finite counts as 0.
pub fn rank(
    keywords: &[String],
    experts: &[Expert],
    threshold: f64,
    top_k: usize,
    similarity: &mut dyn FnMut(usize, &str) -> f64,
) -> Ranking {
    let visible: Vec<(usize, &Expert)> = experts.iter().enumerate().filter(|(_, e)| e.is_visible).collect();
    let mut ranked: Vec<(usize, RankedExpert)> = Vec::new();
    for &(order, expert) in &visible {
        let mut matches = Vec::new();
        for (k, keyword) in keywords.iter().enumerate() {
            let mut best: Option<(&str, f64)> = None;
            for item in items(expert) {
                let s = similarity(k, item);
                let s = if s.is_finite() { round4(s) } else { 0.0 };
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((item, s));
                }
            }
            if let Some((item, s)) = best
                && s >= threshold
            {
                matches.push(MatchDetail { keyword: keyword.clone(), matched_item: item.to_string(), similarity: s });
            }
        }
        if matches.is_empty() {
            continue;
        }
        let mean = round4(matches.iter().map(|m| m.similarity).sum::<f64>() / matches.len() as f64);
        ranked.push((
            order,
            RankedExpert {
                rank: 0,
                name: expert.name.clone(),
                career: expert.career.clone(),
                field: expert.field.clone(),
                career_file_name: expert.career_file_name.clone(),
                match_count: matches.len(),
                matches,
                mean_similarity: mean,
            },
        ));
    }
    ranked.sort_by(|(ia, a), (ib, b)| compare(a, b).then(ia.cmp(ib)));
    let final_ranking = ranked
        .into_iter()
        .take(top_k)
        .enumerate()
        .map(|(i, (_, mut expert))| {
            expert.rank = i + 1;
            expert
        })
        .collect();
    Ranking { total_experts_evaluated: visible.len(), final_ranking }
}

/// More matches first, then the higher mean similarity, then the name.
fn compare(a: &RankedExpert, b: &RankedExpert) -> Ordering {
    b.match_count
        .cmp(&a.match_count)
        .then(b.mean_similarity.total_cmp(&a.mean_similarity))
        .then_with(|| a.name.cmp(&b.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expert(name: &str, field: &[&str], career: &[&str]) -> Expert {
        Expert {
            id: None,
            name: name.into(),
            career: career.iter().map(|s| s.to_string()).collect(),
            field: field.iter().map(|s| s.to_string()).collect(),
            career_file_name: None,
            is_visible: true,
        }
    }

    fn keywords(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_field_entry_wins_a_tie_with_a_career_entry() {
        let experts = [expert("가", &["헬스케어"], &["헬스케어"])];
        let r = rank(&keywords(&["헬스케어"]), &experts, 0.5, 10, &mut |_, _| 0.9);
        assert_eq!(r.final_ranking[0].matches.len(), 1);
        assert_eq!(r.final_ranking[0].matches[0].matched_item, "헬스케어");
        assert_eq!(r.final_ranking[0].field, ["헬스케어"]);
    }

    #[test]
    fn the_threshold_is_compared_with_the_rounded_similarity() {
        let experts = [expert("가", &["x"], &[])];
        let r = rank(&keywords(&["k"]), &experts, 1.0, 10, &mut |_, _| 0.999_96);
        assert_eq!(r.final_ranking[0].matches[0].similarity, 1.0);
        let r = rank(&keywords(&["k"]), &experts, 1.0, 10, &mut |_, _| 0.999_94);
        assert!(r.final_ranking.is_empty());
    }

    #[test]
    fn not_finite_similarities_count_as_zero_and_blank_items_are_skipped() {
        let experts = [expert("가", &["  ", "x"], &[])];
        let mut seen = Vec::new();
        let r = rank(&keywords(&["k"]), &experts, 0.0, 10, &mut |_, item| {
            seen.push(item.to_string());
            f64::NAN
        });
        assert_eq!(seen, ["x"]);
        assert_eq!(r.final_ranking[0].matches[0].similarity, 0.0, "threshold 0 still matches");
    }

    #[test]
    fn equal_scores_are_ordered_by_name_then_request_order() {
        let experts = [expert("나", &["x"], &[]), expert("가", &["x"], &[]), expert("가", &["y"], &[])];
        let r = rank(&keywords(&["k"]), &experts, 0.5, 10, &mut |_, _| 0.8);
        let order: Vec<(&str, &str)> = r.final_ranking.iter().map(|e| (e.name.as_str(), e.field[0].as_str())).collect();
        assert_eq!(order, [("가", "x"), ("가", "y"), ("나", "x")]);
        assert_eq!(r.final_ranking.iter().map(|e| e.rank).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn distinct_items_come_from_visible_experts_once_each() {
        let mut hidden = expert("숨김", &["비공개 분야"], &[]);
        hidden.is_visible = false;
        let experts = [expert("가", &["AI", " 헬스케어 "], &["AI"]), hidden, expert("나", &["헬스케어"], &["CTO"])];
        assert_eq!(distinct_items(&experts), ["AI", "헬스케어", "CTO"]);
    }
}

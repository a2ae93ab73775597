//! Keyword precision@8 on the labelled sets of `tests/data/keywords.json`.
//! The floor is below the measured figure (docs/benchmarks.md) so wording
//! changes to the lists do not break the build, yet a regression that
//! makes a quarter of the keywords wrong does.

use comments_core::quality::{dataset, evaluate, markdown, mean};

/// Mean precision@8 with the title and description, at least.
const FLOOR_WITH_VIDEO: f64 = 0.85;
/// Mean precision@8 from the comments alone, at least.
const FLOOR_COMMENTS_ONLY: f64 = 0.80;

#[test]
fn keyword_precision_at_8_stays_above_its_floor() {
    let data = dataset();
    assert!(data.sets.len() >= 5, "the labelled data has {} sets; it needs at least 5", data.sets.len());
    for set in &data.sets {
        assert!((20..=40).contains(&set.comments.len()), "set `{}` has {} comments", set.name, set.comments.len());
    }
    let with_video: Vec<_> = data.sets.iter().map(|s| evaluate(s, true)).collect();
    let comments_only: Vec<_> = data.sets.iter().map(|s| evaluate(s, false)).collect();
    println!("{}", markdown(&with_video, &comments_only));
    assert!(mean(&with_video) >= FLOOR_WITH_VIDEO, "precision@8 {:.3} < {FLOOR_WITH_VIDEO}", mean(&with_video));
    assert!(
        mean(&comments_only) >= FLOOR_COMMENTS_ONLY,
        "precision@8 (comments only) {:.3} < {FLOOR_COMMENTS_ONLY}",
        mean(&comments_only)
    );
    for score in &with_video {
        assert!(score.keywords.len() <= 8, "{score:?}");
    }
}

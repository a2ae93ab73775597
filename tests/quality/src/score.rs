//! Matching detections to labels, per PII type.
//!
//! A label is found (TP) when at least one detection of the same type in the
//! same line (text) or page (images) overlaps it; otherwise it is missed (FN).
//! A detection that overlaps no label of its type is a false positive (FP).
//! Several detections on one label count one TP and no FP.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::render::Bounds;

/// Fraction of the smaller box that must be covered for two boxes to match.
pub const MIN_BOX_OVERLAP: f32 = 0.5;

#[derive(Debug, Clone)]
pub struct Item<R> {
    pub kind: String,
    /// Line index (text) or page index (images).
    pub group: usize,
    pub region: R,
    /// Shown in the lists of misses and false positives.
    pub context: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn recall(self) -> Option<f64> {
        let labelled = self.tp + self.fn_;
        (labelled > 0).then(|| self.tp as f64 / labelled as f64)
    }

    pub fn precision(self) -> Option<f64> {
        let found = self.tp + self.fp;
        (found > 0).then(|| self.tp as f64 / found as f64)
    }
}

#[derive(Debug, Default)]
pub struct Score {
    pub per_kind: BTreeMap<String, Counts>,
    pub misses: Vec<String>,
    pub false_positives: Vec<String>,
}

impl Score {
    pub fn total(&self) -> Counts {
        self.per_kind.values().fold(Counts::default(), |a, c| Counts {
            tp: a.tp + c.tp,
            fp: a.fp + c.fp,
            fn_: a.fn_ + c.fn_,
        })
    }
}

pub fn score<R>(labels: &[Item<R>], found: &[Item<R>], overlaps: impl Fn(&R, &R) -> bool) -> Score {
    let mut s = Score::default();
    let same = |a: &Item<R>, b: &Item<R>| a.kind == b.kind && a.group == b.group && overlaps(&a.region, &b.region);
    for l in labels {
        let c = s.per_kind.entry(l.kind.clone()).or_default();
        if found.iter().any(|f| same(l, f)) {
            c.tp += 1;
        } else {
            c.fn_ += 1;
            s.misses.push(format!("{}: {}", l.kind, l.context));
        }
    }
    for f in found {
        if !labels.iter().any(|l| same(l, f)) {
            s.per_kind.entry(f.kind.clone()).or_default().fp += 1;
            s.false_positives.push(format!("{}: {}", f.kind, f.context));
        }
    }
    s
}

pub fn ranges_overlap(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Intersection over the smaller box's area is at least [`MIN_BOX_OVERLAP`]:
/// a detection box covering a whole word around a tight label box still matches.
pub fn boxes_overlap(a: &Bounds, b: &Bounds) -> bool {
    let smaller = a.area().min(b.area());
    smaller > 0.0 && a.intersection_area(*b) / smaller >= MIN_BOX_OVERLAP
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, group: usize, region: Range<usize>) -> Item<Range<usize>> {
        Item { kind: kind.into(), group, region, context: String::new() }
    }

    #[test]
    fn a_detection_of_another_type_is_a_miss_and_a_false_positive() {
        let s = score(&[item("phone", 0, 0..5)], &[item("bank_account", 0, 0..5)], ranges_overlap);
        assert_eq!(s.per_kind["phone"], Counts { tp: 0, fp: 0, fn_: 1 });
        assert_eq!(s.per_kind["bank_account"], Counts { tp: 0, fp: 1, fn_: 0 });
    }

    #[test]
    fn two_detections_on_one_label_count_once() {
        let s = score(
            &[item("card_number", 2, 0..19)],
            &[item("card_number", 2, 0..9), item("card_number", 2, 10..19)],
            ranges_overlap,
        );
        assert_eq!(s.per_kind["card_number"], Counts { tp: 1, fp: 0, fn_: 0 });
    }

    #[test]
    fn a_detection_on_another_line_does_not_match() {
        let s = score(&[item("email", 1, 0..5)], &[item("email", 2, 0..5)], ranges_overlap);
        assert_eq!(s.per_kind["email"], Counts { tp: 0, fp: 1, fn_: 1 });
    }

    #[test]
    fn boxes_match_when_half_of_the_smaller_one_is_covered() {
        let label = Bounds { x0: 10.0, y0: 0.0, x1: 20.0, y1: 10.0 };
        let word = Bounds { x0: 0.0, y0: 0.0, x1: 40.0, y1: 12.0 };
        let beside = Bounds { x0: 16.0, y0: 0.0, x1: 60.0, y1: 10.0 };
        assert!(boxes_overlap(&label, &word));
        assert!(!boxes_overlap(&label, &beside));
    }

    #[test]
    fn recall_and_precision_are_undefined_without_labels_or_detections() {
        assert_eq!(Counts::default().recall(), None);
        assert_eq!(Counts { tp: 3, fp: 1, fn_: 1 }.precision(), Some(0.75));
    }
}

//! Skill extraction precision/recall and chat routing accuracy over the
//! labelled data in `tests/data` (the figures are printed; see also
//! `cargo run --release -p career-core --example skill_quality`).

#[path = "common/eval.rs"]
mod eval;

/// Floors the figures must keep: below them a change made extraction or routing worse.
const MIN_PRECISION: f64 = 0.90;
const MIN_RECALL: f64 = 0.85;
const MIN_ROUTING_ACCURACY: f64 = 0.90;

#[test]
fn skill_extraction_precision_and_recall_stay_above_their_floors() {
    for set in eval::SETS {
        let e = eval::extraction(Some(set));
        let c = e.all();
        println!("{set} ({} pairs): precision {:.3}, recall {:.3}", e.pairs, c.precision(), c.recall());
    }
    let e = eval::extraction(None);
    assert!(e.pairs >= 15, "{} pairs", e.pairs);
    for mistake in &e.mistakes {
        println!("  {mistake}");
    }
    let all = e.all();
    for (name, c) in [("required", e.required), ("preferred", e.preferred), ("resume", e.resume), ("all", all)] {
        println!("{name}: precision {:.3}, recall {:.3} ({c:?})", c.precision(), c.recall());
    }
    assert!(all.precision() >= MIN_PRECISION, "precision {:.3}", all.precision());
    assert!(all.recall() >= MIN_RECALL, "recall {:.3}", all.recall());
}

#[test]
fn chat_routing_accuracy_stays_above_its_floor() {
    for set in eval::SETS {
        let r = eval::routing(Some(set));
        println!("{set} ({} messages): accuracy {:.3}", r.messages, r.accuracy());
    }
    let r = eval::routing(None);
    assert!(r.messages >= 30, "{} messages", r.messages);
    for mistake in &r.mistakes {
        println!("  {mistake}");
    }
    println!("routing accuracy {:.3} ({}/{})", r.accuracy(), r.correct, r.messages);
    assert!(r.accuracy() >= MIN_ROUTING_ACCURACY, "accuracy {:.3}", r.accuracy());
}

//! Prints skill extraction precision/recall and chat routing accuracy over
//! the labelled data as Markdown tables (for docs/benchmarks.md):
//!
//! ```sh
//! cargo run --release -p career-core --example skill_quality
//! ```
//!
//! Each figure is given for the development set (the rules were changed
//! while looking at it), the held-out set (written afterwards and measured
//! as it came) and both.

#[path = "../tests/common/eval.rs"]
mod eval;

fn main() {
    let sets: Vec<(&str, Option<&str>)> = eval::SETS.iter().map(|s| (*s, Some(*s))).chain([("all", None)]).collect();
    println!("Skill extraction over hand-labelled résumé/posting pairs (tests/data/skills.json):\n");
    println!("| set | pairs | list | precision | recall | true pos. | false pos. | false neg. |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, set) in &sets {
        let e = eval::extraction(*set);
        for (list, c) in [("required", e.required), ("preferred", e.preferred), ("résumé", e.resume), ("all", e.all())]
        {
            println!(
                "| {name} | {} | {list} | {:.3} | {:.3} | {} | {} | {} |",
                e.pairs,
                c.precision(),
                c.recall(),
                c.true_positive,
                c.false_positive,
                c.false_negative
            );
        }
    }
    println!(
        "\nChat routing over hand-labelled messages (tests/data/chat_routing.json): a message is right when \
         the tool matches and, for get_schedule, both dates do.\n"
    );
    println!("| set | messages | schedule questions | correct | accuracy |");
    println!("|---|---|---|---|---|");
    for (name, set) in &sets {
        let r = eval::routing(*set);
        println!("| {name} | {} | {} | {} | {:.3} |", r.messages, r.schedule_messages, r.correct, r.accuracy());
    }
    let e = eval::extraction(None);
    let r = eval::routing(None);
    if !e.mistakes.is_empty() || !r.mistakes.is_empty() {
        println!("\nMistakes:\n");
        for m in e.mistakes.iter().chain(&r.mistakes) {
            println!("- {m}");
        }
    }
}

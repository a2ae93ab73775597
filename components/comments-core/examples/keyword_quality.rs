//! Keyword precision@8 on the labelled comment sets, as a Markdown table
//! for docs/benchmarks.md:
//!
//! ```sh
//! cargo run --release -p comments-core --example keyword_quality
//! ```

use comments_core::quality::{dataset, evaluate, markdown};

fn main() {
    let data = dataset();
    let with_video: Vec<_> = data.sets.iter().map(|s| evaluate(s, true)).collect();
    let comments_only: Vec<_> = data.sets.iter().map(|s| evaluate(s, false)).collect();
    println!(
        "Keyword precision@8 of `comments-core` (rule-based Korean particle/ending stripping + TF-IDF), \
         {} labelled sets (components/comments-core/tests/data/keywords.json):\n",
        data.sets.len()
    );
    print!("{}", markdown(&with_video, &comments_only));
}

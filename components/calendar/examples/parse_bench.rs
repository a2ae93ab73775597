//! Per-call time of the calendar capability, natively, over fixed postings.
//!
//! ```sh
//! cargo run --release -p calendar --example parse_bench --target-dir target/calendar-bench
//! ```
//!
//! Each call is one whole posting through [`calendar::handle`] (input checks,
//! reference date, parse); the postings are `tests/data/bench-postings.txt`,
//! separated by `====` lines. Prints the median over several rounds, so a
//! busy machine skews one round, not the figure. `bench/compare.sh` runs this
//! against an older revision of the crate in the same run, for a ratio.

use std::time::{Duration, Instant};

use calendar::request::Input;
use chrono::{DateTime, Utc};

const POSTINGS: &str = include_str!("../tests/data/bench-postings.txt");

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    let inputs: Vec<Input> = POSTINGS
        .split("\n====\n")
        .map(|text| Input {
            text: Some(text.to_string()),
            reference_date: Some("2026-01-10T09:00:00+09:00".into()),
            timezone: Some("Asia/Seoul".into()),
            file_url: None,
        })
        .collect();
    let now = DateTime::<Utc>::UNIX_EPOCH;
    let call = |input: &Input| {
        let result = calendar::handle(input, now, |_| unreachable!("the postings are text"));
        std::hint::black_box(result.map(|p| p.schedules.len()).unwrap_or(0))
    };
    // Warm up: lazy patterns, caches, branch predictors.
    let mut schedules = 0;
    for _ in 0..200 {
        schedules = inputs.iter().map(call).sum::<usize>();
    }
    let per_round = 400;
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                for input in &inputs {
                    call(input);
                }
            }
            start.elapsed() / (per_round * inputs.len()) as u32
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    println!(
        "postings: {}, schedules found: {schedules}, rounds: {rounds} x {} calls, per call (median): {:.1} µs, min {:.1} µs",
        inputs.len(),
        per_round * inputs.len(),
        median.as_secs_f64() * 1e6,
        samples[0].as_secs_f64() * 1e6
    );
}

//! Times feature extraction on 60 s of a synthetic voiced signal: whole-signal, and per word (0.4 s spans).
//! Run: cargo run --release -p speech-features --example features_speed (docs/benchmarks.md)
use speech_features::{SAMPLE_RATE, features, span_features};
use std::time::Instant;

fn main() {
    let sr = SAMPLE_RATE as f32;
    // A vowel-like tone whose pitch glides 100..200 Hz and back every 10 s, with harmonics falling off as 1/k².
    let glide = std::f32::consts::TAU / 10.0;
    let signal: Vec<f32> = (0..60 * SAMPLE_RATE as usize)
        .map(|i| {
            let t = i as f32 / sr;
            let phase = std::f32::consts::TAU * (150.0 * t - 50.0 / glide * (glide * t).cos());
            (1..=10).map(|k| (k as f32 * phase).sin() / (k * k) as f32).sum::<f32>() * 0.3
        })
        .collect();
    let started = Instant::now();
    let whole = features(&signal, SAMPLE_RATE).unwrap();
    println!("whole 60 s: {:?} in {:.1} ms", whole, started.elapsed().as_secs_f64() * 1e3);
    let started = Instant::now();
    let words: Vec<_> =
        (0..150).map(|w| span_features(&signal, SAMPLE_RATE, w as f64 * 0.4, w as f64 * 0.4 + 0.4)).collect();
    println!(
        "150 words of 0.4 s: {} analysed in {:.1} ms",
        words.iter().flatten().count(),
        started.elapsed().as_secs_f64() * 1e3
    );
}

//! Prints time to first token and generation speed on this machine.
//! Its own test binary, so no other test competes for the cores while it runs.
//! `cargo test --release -p llm-local --test throughput -- --nocapture`

use std::time::Instant;

use llm_local::{GenerateRequest, LoadOptions, LocalModel, Message, Role, default_model_path};

#[test]
fn measures_ttft_and_tokens_per_second_with_two_threads() {
    let t0 = Instant::now();
    let model =
        LocalModel::load(&LoadOptions { threads: 2, context: 2048, ..LoadOptions::new(default_model_path()) }).unwrap();
    let load = t0.elapsed();

    let req = GenerateRequest {
        messages: vec![
            Message {
                role: Role::System,
                content: "You are a helpful assistant who writes vivid, detailed prose.".into(),
            },
            Message {
                role: Role::User,
                content: "Write a long story about a lighthouse keeper who finds a message in a bottle \
                          on a stormy night, and describe the sea, the sky and the keeper's thoughts."
                    .into(),
            },
        ],
        max_tokens: 64,
        temperature: 0.0,
        stop: vec![],
        json_schema: None,
        seed: 1,
    };

    // Warm-up (page in the mmapped weights), then the measured run.
    model.generate(&req, &mut |_| {}, &|| false).unwrap();
    let start = Instant::now();
    let mut first = None;
    let g = model
        .generate(
            &req,
            &mut |_| {
                first.get_or_insert_with(Instant::now);
            },
            &|| false,
        )
        .unwrap();
    let total = start.elapsed();
    let ttft = first.expect("at least one token").duration_since(start);
    let gen_time = total - ttft;
    let tps = f64::from(g.completion_tokens.saturating_sub(1)) / gen_time.as_secs_f64();
    println!(
        "llm-local: load {load:?}; prompt {} tokens, TTFT {ttft:?}; {} tokens in {total:?}; \
         generation {tps:.1} tokens/s (after the first); finish {:?}",
        g.prompt_tokens, g.completion_tokens, g.finish
    );
    assert!(g.completion_tokens > 0);
}

//! Time to first token and generation speed for a ~60-token prompt and 64 new tokens.
//!
//! Then one JSON-schema-constrained generation of the same prompt (grammar cost).
//!
//! `cargo run --release -p llm-local --example bench -- [threads] [runs] [context]`

use std::time::Instant;

use llm_local::{GenerateRequest, LoadOptions, LocalModel, Message, Role, default_model_path};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let context: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2048);

    let t0 = Instant::now();
    let model = LocalModel::load(&LoadOptions { threads, context, ..LoadOptions::new(default_model_path()) }).unwrap();
    println!("threads {threads}, context {context}: load {:?}", t0.elapsed());

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
    model.generate(&req, &mut |_| {}, &|| false).unwrap(); // warm-up
    for _ in 0..runs {
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
        let ttft = first.unwrap().duration_since(start);
        let tps = f64::from(g.completion_tokens - 1) / (total - ttft).as_secs_f64();
        println!(
            "  prompt {} tok, TTFT {:.1} ms, {} tok in {:.0} ms, {tps:.1} tok/s after the first",
            g.prompt_tokens,
            ttft.as_secs_f64() * 1e3,
            g.completion_tokens,
            total.as_secs_f64() * 1e3
        );
    }

    // The same prompt constrained by a JSON schema: shows the grammar sampler's cost.
    let json_req = GenerateRequest {
        json_schema: Some(serde_json::json!({
            "type": "object",
            "properties": { "title": { "type": "string" }, "summary": { "type": "string" }, "mood": { "type": "integer" } },
            "required": ["title", "summary", "mood"]
        })),
        ..req
    };
    let start = Instant::now();
    let g = model.generate(&json_req, &mut |_| {}, &|| false).unwrap();
    let total = start.elapsed();
    println!(
        "  json_schema: {} tok in {:.0} ms ({:.1} tok/s overall), finish {:?}: {}",
        g.completion_tokens,
        total.as_secs_f64() * 1e3,
        f64::from(g.completion_tokens) / total.as_secs_f64(),
        g.finish,
        g.text.replace('\n', " ")
    );
}

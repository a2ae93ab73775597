//! Behaviour tests against the real SmolLM2-135M-Instruct GGUF (located by build.rs).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use llm_local::{
    FinishReason, GenerateRequest, Generation, LoadOptions, LocalError, LocalModel, Message, Role, default_model_path,
};

/// One model for the whole binary: loading is the expensive part, and sharing
/// it across the (parallel) tests also exercises concurrent `generate`.
/// One thread per generation: the test harness already runs tests in parallel,
/// and llama.cpp's spinning barriers make oversubscribed threads crawl.
static MODEL: LazyLock<Arc<LocalModel>> = LazyLock::new(|| {
    let opts = LoadOptions { context: 1024, threads: 1, ..LoadOptions::new(default_model_path()) };
    Arc::new(LocalModel::load(&opts).expect("the default model loads"))
});

fn ask(content: &str, max_tokens: u32) -> GenerateRequest {
    GenerateRequest {
        messages: vec![
            Message { role: Role::System, content: "You are a concise assistant.".into() },
            Message { role: Role::User, content: content.into() },
        ],
        max_tokens,
        temperature: 0.0,
        stop: vec![],
        json_schema: None,
        seed: 42,
    }
}

fn run(req: &GenerateRequest) -> Result<Generation, LocalError> {
    MODEL.generate(req, &mut |_| {}, &|| false)
}

#[test]
fn generates_non_empty_text_and_reports_token_counts() {
    let g = run(&ask("What is the capital of France?", 32)).unwrap();
    assert!(!g.text.trim().is_empty(), "{g:?}");
    assert!(g.prompt_tokens > 10, "{g:?}");
    assert!(g.completion_tokens > 0 && g.completion_tokens <= 32, "{g:?}");
    assert_eq!(MODEL.model_id(), "SmolLM2-135M-Instruct.Q4_1");
    assert!(MODEL.context_size() >= 1024);
}

#[test]
fn on_token_pieces_concatenate_to_final_text() {
    let mut pieces = Vec::new();
    let g = MODEL.generate(&ask("Name three colours.", 40), &mut |p| pieces.push(p.to_owned()), &|| false).unwrap();
    assert!(pieces.len() > 1, "streamed in several pieces: {pieces:?}");
    assert_eq!(pieces.concat(), g.text);
}

#[test]
fn max_tokens_5_finishes_with_length() {
    let g = run(&ask("Write a long poem about the sea.", 5)).unwrap();
    assert_eq!(g.finish, FinishReason::Length, "{g:?}");
    assert!(g.completion_tokens <= 5, "{g:?}");
}

#[test]
fn cancel_after_third_token_finishes_cancelled_quickly() {
    let cancel = AtomicBool::new(false);
    let mut seen = 0;
    let mut cancelled_at = None;
    let g = MODEL
        .generate(
            &ask("Write a long story about a dragon.", 200),
            &mut |_| {
                seen += 1;
                if seen == 3 {
                    cancel.store(true, Ordering::SeqCst);
                    cancelled_at = Some(Instant::now());
                }
            },
            &|| cancel.load(Ordering::SeqCst),
        )
        .unwrap();
    let latency = cancelled_at.expect("three pieces were streamed").elapsed();
    assert_eq!(g.finish, FinishReason::Cancelled, "{g:?}");
    assert!(g.completion_tokens <= 4, "{g:?}");
    assert!(!g.text.is_empty());
    assert!(latency < Duration::from_secs(2), "stopped {latency:?} after cancel");
}

#[test]
fn json_schema_output_parses_with_typed_fields() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "answer": { "type": "string" },
            "score": { "type": "integer" }
        },
        "required": ["answer", "score"]
    });
    let req = GenerateRequest {
        json_schema: Some(schema),
        ..ask("Is the sky blue? Reply in JSON with an answer and a score from 1 to 10.", 128)
    };
    let g = run(&req).unwrap();
    println!("json_schema output: {}", g.text);
    assert_eq!(g.finish, FinishReason::Stop, "grammar completed: {g:?}");
    let v: serde_json::Value = serde_json::from_str(&g.text).unwrap_or_else(|e| panic!("{e}: {:?}", g.text));
    assert!(v["answer"].is_string(), "{v}");
    assert!(v["score"].is_i64() || v["score"].is_u64(), "{v}");
}

#[test]
fn json_schema_enum_array_boolean_and_number_are_respected() {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "label": { "enum": ["spam", "ham"] },
            "tags": { "type": "array", "items": { "type": "string", "maxLength": 12 }, "maxItems": 3 },
            "urgent": { "type": "boolean" },
            "confidence": { "type": "number" }
        },
        "required": ["label", "tags", "urgent", "confidence"]
    });
    let req = GenerateRequest {
        json_schema: Some(schema),
        ..ask("Classify this email as JSON: 'You won a free cruise, click here now!'", 160)
    };
    let g = run(&req).unwrap();
    println!("json_schema output: {}", g.text);
    assert_eq!(g.finish, FinishReason::Stop, "grammar completed: {g:?}");
    let v: serde_json::Value = serde_json::from_str(&g.text).unwrap_or_else(|e| panic!("{e}: {:?}", g.text));
    assert!(v["label"] == "spam" || v["label"] == "ham", "{v}");
    let tags = v["tags"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert!(tags.len() <= 3 && tags.iter().all(|t| t.as_str().is_some_and(|s| s.chars().count() <= 12)), "{v}");
    assert!(v["urgent"].is_boolean(), "{v}");
    assert!(v["confidence"].is_number(), "{v}");
}

#[test]
fn prompt_longer_than_context_is_context_too_long() {
    let long = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    match run(&ask(&long, 8)) {
        Err(LocalError::ContextTooLong { prompt_tokens, context }) => {
            assert!(prompt_tokens >= context, "{prompt_tokens} vs {context}");
            assert_eq!(context, MODEL.context_size());
        }
        other => panic!("expected ContextTooLong, got {other:?}"),
    }
}

#[test]
fn temperature_zero_twice_gives_identical_text() {
    let req = ask("Tell me a fun fact about octopuses.", 40);
    let a = run(&req).unwrap();
    let b = run(&req).unwrap();
    assert_eq!(a.text, b.text);
}

#[test]
fn same_seed_and_temperature_give_identical_text() {
    let req = GenerateRequest { temperature: 0.9, seed: 7, ..ask("Invent a name for a cat.", 24) };
    assert_eq!(run(&req).unwrap().text, run(&req).unwrap().text);
}

#[test]
fn stop_sequence_ends_generation_and_is_not_included() {
    // Learn what the model says greedily, then stop at a word from the middle of it.
    let req = ask("Count from one to ten in words, separated by commas.", 48);
    let full = run(&req).unwrap().text;
    let word = full
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() >= 3)
        .nth(2)
        .unwrap_or_else(|| panic!("no third word in {full:?}"))
        .to_owned();
    let mut streamed = String::new();
    let g = MODEL
        .generate(&GenerateRequest { stop: vec![word.clone()], ..req }, &mut |p| streamed.push_str(p), &|| false)
        .unwrap();
    assert_eq!(g.finish, FinishReason::Stop);
    assert!(!g.text.contains(&word), "{word:?} in {:?}", g.text);
    assert!(full.starts_with(&g.text));
    assert_eq!(streamed, g.text);
}

#[test]
fn two_threads_generate_at_once_like_one_at_a_time() {
    let req = ask("What is two plus two?", 24);
    let alone = run(&req).unwrap().text;
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (m, r) = (Arc::clone(&MODEL), req.clone());
            std::thread::spawn(move || m.generate(&r, &mut |_| {}, &|| false).unwrap().text)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), alone);
    }
}

#[test]
fn load_error_names_the_path() {
    let err = LocalModel::load(&LoadOptions::new("/no/such/model.gguf")).unwrap_err();
    assert!(err.to_string().contains("/no/such/model.gguf"), "{err}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let nul = ask("a\0b", 4);
    assert!(matches!(run(&nul), Err(LocalError::InvalidRequest(_))));
    let nan = GenerateRequest { temperature: f32::NAN, ..ask("hi", 4) };
    assert!(matches!(run(&nan), Err(LocalError::InvalidRequest(_))));
    let schema = GenerateRequest { json_schema: Some(serde_json::json!({"type": 12})), ..ask("hi", 4) };
    assert!(matches!(run(&schema), Err(LocalError::InvalidRequest(_))));
}

//! The language engines through a real host: the `llm` engine against the
//! OpenAI protocol (a local double) and the bundled local model, the
//! `embeddings` engine with the bundled e5 model, and the `vectors` engine.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60, serve_until_exit};
use crate::openai_double::{Double, Reply};

/// The probe, granted every language engine and the `default` and `tiny` aliases.
fn probe(settings: &[(&str, &str)]) -> Manifest {
    Manifest::new()
        .job("language-probe", settings)
        .engine("language-probe", "llm")
        .engine("language-probe", "embeddings")
        .engine("language-probe", "vectors")
        .ai_model("language-probe", "default")
        .ai_model("language-probe", "tiny")
}

/// A host whose `default` alias is the double at `url`.
async fn host_with_double(url: &str, settings: &[(&str, &str)]) -> Host {
    let llm = format!("default=openai:gpt-test@{url}");
    Host::start(&probe(settings), &["--llm", &llm, "--openai-api-key", "sk-test-key"]).await
}

async fn run(host: &Host, input: Value) -> Value {
    let id = host.submit("language-probe", &input).await;
    host.wait_terminal(&id, SECS_60).await
}

fn chat(prompt: &str) -> Value {
    json!({"op": "chat", "model": "default", "prompt": prompt})
}

#[tokio::test]
async fn a_chat_through_an_openai_compatible_provider_returns_the_answer_and_records_usage_on_the_job() {
    let (double, url) = Double::start(vec![Reply::Answer("안녕하세요")]).await;
    let host = host_with_double(&url, &[]).await;
    let job = run(&host, chat("인사해 주세요")).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["result"]["text"], "안녕하세요");
    assert_eq!(job["result"]["model"], "double-model");
    assert_eq!(job["usage"], json!({"calls": 1, "promptTokens": 11, "completionTokens": 7, "model": "double-model"}));
    let sent = &double.requests()[0];
    assert_eq!(sent["model"], "gpt-test");
    assert_eq!(sent["messages"][0], json!({"role": "user", "content": "인사해 주세요"}));
    assert_eq!(double.authorization()[0].as_deref(), Some("Bearer sk-test-key"));
    assert!(!host.log_text().contains("sk-test-key"), "the API key reached the log");
}

#[tokio::test]
async fn a_streamed_chat_reaches_the_event_stream_as_numbered_tokens_before_the_final_state() {
    let pieces = vec!["하나", " 둘", " 셋", " 넷"];
    let (_double, url) = Double::start(vec![Reply::Stream { pieces, pause: Duration::from_millis(150) }]).await;
    let host = host_with_double(&url, &[]).await;
    let id = host.submit("language-probe", &json!({"op": "chat", "model": "default", "stream": true})).await;
    let events = host.open_events(&id, SECS_60).await.collect().await;
    let tokens: Vec<&Value> = events.iter().filter(|(e, _)| e == "token").map(|(_, d)| d).collect();
    let text: String = tokens.iter().map(|t| t["text"].as_str().unwrap_or_default()).collect();
    assert_eq!(text, "하나 둘 셋 넷", "{events:?}");
    let seqs: Vec<u64> = tokens.iter().map(|t| t["seq"].as_u64().expect("seq")).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    let last_token = events.iter().rposition(|(e, _)| e == "token").unwrap();
    let completed = events.iter().position(|(e, _)| e == "completed").expect("a completed event");
    assert!(last_token < completed, "{events:?}");
    assert_eq!(events[completed].1["result"]["text"], "하나 둘 셋 넷");
    assert_eq!(events[completed].1["usage"]["completionTokens"], 7);
}

#[tokio::test]
async fn a_rate_limited_call_is_retried_after_the_providers_retry_after() {
    let replies = vec![Reply::Status { status: 429, retry_after: Some(1) }, Reply::Answer("ok")];
    let (double, url) = Double::start(replies).await;
    let host = host_with_double(&url, &[]).await;
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["status"], "completed", "{job}");
    let times = double.times();
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_millis(950), "retried after {:?}", times[1] - times[0]);
}

#[tokio::test]
async fn a_provider_that_keeps_failing_fails_the_job_with_llm_upstream_failed() {
    let replies = vec![Reply::Status { status: 500, retry_after: Some(0) }; 3];
    let (double, url) = Double::start(replies).await;
    let host = host_with_double(&url, &[("max_attempts", "1")]).await;
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["failure"]["code"], "LLM_UPSTREAM_FAILED", "{job}");
    assert_eq!(job["failure"]["retryable"], true);
    assert_eq!(double.requests().len(), 3, "one call and two retries");
}

#[tokio::test]
async fn a_provider_that_keeps_rate_limiting_fails_the_job_with_llm_rate_limited() {
    let replies = vec![Reply::Status { status: 429, retry_after: Some(0) }; 3];
    let (_double, url) = Double::start(replies).await;
    let host = host_with_double(&url, &[("max_attempts", "1")]).await;
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["failure"]["code"], "LLM_RATE_LIMITED", "{job}");
}

#[tokio::test]
async fn an_answer_that_is_not_json_fails_with_llm_upstream_failed() {
    let (_double, url) = Double::start(vec![Reply::Garbage]).await;
    let host = host_with_double(&url, &[("max_attempts", "1")]).await;
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["failure"]["code"], "LLM_UPSTREAM_FAILED", "{job}");
}

#[tokio::test]
async fn a_provider_slower_than_the_jobs_deadline_times_the_job_out() {
    let (_double, url) = Double::start(vec![Reply::Silent(Duration::from_secs(30))]).await;
    let host = host_with_double(&url, &[("timeout", "\"2s\""), ("max_attempts", "1")]).await;
    let started = Instant::now();
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["failure"]["code"], "JOB_TIMEOUT", "{job}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn cancelling_a_job_mid_stream_hangs_up_on_the_provider() {
    let pieces = vec!["a"; 200];
    let (double, url) = Double::start(vec![Reply::Stream { pieces, pause: Duration::from_millis(50) }]).await;
    let host = host_with_double(&url, &[]).await;
    let id = host.submit("language-probe", &json!({"op": "chat", "model": "default", "stream": true})).await;
    host.wait_job(&id, SECS_60, "streaming", |j| j["status"] == "processing").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _, body) = host.delete(&format!("/api/v1/jobs/{id}")).await;
    assert!(status.is_success(), "{body}");
    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    // The stream would run 10 s; the provider must see the connection go
    // long before (how soon is measured by `cancel_latency`, not asserted).
    let deadline = Instant::now() + Duration::from_secs(5);
    while double.hung_up.lock().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the provider's stream was never dropped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(double.sent.lock().unwrap().len() < 200, "the whole answer was generated");
}

#[tokio::test]
async fn an_invalid_answer_to_a_schema_is_asked_for_again_with_the_error() {
    let replies = vec![Reply::Answer("{\"score\": \"high\"}"), Reply::Answer("{\"score\": 87}")];
    let (double, url) = Double::start(replies).await;
    let host = host_with_double(&url, &[]).await;
    let schema = json!({"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]});
    let job = run(&host, json!({"op": "chat", "model": "default", "schema": schema})).await;
    assert_eq!(job["result"]["text"], "{\"score\": 87}", "{job}");
    let sent = double.requests();
    assert_eq!(sent[0]["response_format"]["type"], "json_schema");
    let retry = sent[1]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(retry.contains("not valid") && retry.contains("/score"), "{retry}");
    assert_eq!(job["usage"]["calls"], 2);
}

#[tokio::test]
async fn two_invalid_answers_to_a_schema_fail_with_llm_output_invalid() {
    let replies = vec![Reply::Answer("no json here"), Reply::Answer("{\"score\": \"x\"}")];
    let (_double, url) = Double::start(replies).await;
    let host = host_with_double(&url, &[("max_attempts", "1")]).await;
    let schema = json!({"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]});
    let job = run(&host, json!({"op": "chat", "model": "default", "schema": schema})).await;
    assert_eq!(job["failure"]["code"], "LLM_OUTPUT_INVALID", "{job}");
}

#[tokio::test]
async fn an_alias_without_a_provider_fails_at_once_with_llm_not_configured_and_health_says_why() {
    let host = Host::start(&probe(&[("max_attempts", "1")]), &[]).await;
    let job = run(&host, chat("hi")).await;
    assert_eq!(job["failure"]["code"], "LLM_NOT_CONFIGURED", "{job}");
    assert!(job["failure"]["message"].as_str().unwrap().contains("--llm default="), "{job}");
    let avail = run(&host, json!({"op": "available", "model": "default"})).await;
    assert_eq!(avail["result"]["available"], false);
    let (_, _, health) = host.get("/health").await;
    let models = &health["data"]["engines"]["llm"]["models"];
    assert!(models.get("default").is_none(), "{health}");
}

#[tokio::test]
async fn an_alias_the_component_is_not_granted_is_refused_even_when_configured() {
    let (double, url) = Double::start(vec![Reply::Answer("x")]).await;
    let llm = format!("large=openai:gpt-big@{url}");
    let host = Host::start(&probe(&[("max_attempts", "1")]), &["--llm", &llm]).await;
    let job = run(&host, json!({"op": "chat", "model": "large"})).await;
    assert_eq!(job["failure"]["code"], "LLM_NOT_CONFIGURED", "{job}");
    assert!(job["failure"]["message"].as_str().unwrap().contains("ai_models"), "{job}");
    assert!(double.requests().is_empty(), "an ungranted alias reached the provider");
}

#[test]
fn a_component_using_an_engine_it_is_not_granted_is_refused_at_load_naming_the_grant() {
    let manifest = Manifest::new().job("language-probe", &[]).engine("language-probe", "vectors");
    let exited = serve_until_exit(&manifest, SECS_60);
    assert!(!exited.status.success(), "an ungranted engine was accepted:\n{}", exited.stderr);
    assert!(exited.stderr.contains("engines = [\"llm\""), "{}", exited.stderr);
}

#[tokio::test]
async fn the_local_model_answers_json_valid_against_the_schema() {
    let host = Host::start(&probe(&[("timeout", "\"120s\"")]), &[]).await;
    let schema = json!({
        "type": "object",
        "properties": {"city": {"type": "string"}, "rank": {"type": "integer"}},
        "required": ["city", "rank"]
    });
    let input = json!({"op": "chat", "model": "tiny", "prompt": "Name a city and rank it from 1 to 5.", "schema": schema, "max_tokens": 48});
    let job = run(&host, input).await;
    assert_eq!(job["status"], "completed", "{job}");
    let answer: Value = serde_json::from_str(job["result"]["text"].as_str().unwrap()).expect("the answer is JSON");
    assert!(answer["city"].is_string() && answer["rank"].is_i64(), "{answer}");
    assert!(job["usage"]["completionTokens"].as_u64().unwrap() > 0, "{job}");
}

/// A host whose `tiny` model runs one generation at a time, so a job waits
/// for the one before it to stop sampling; a job's 20 s deadline covers
/// that wait (2,000 tokens take longer on one thread).
async fn host_with_one_local_generation() -> (tempfile::TempDir, Host) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("runtime.toml");
    std::fs::write(&config, "[llm.tiny]\nprovider = \"local\"\nconcurrency = 1\n").expect("runtime config");
    let host = Host::start(&probe(&[("timeout", "\"20s\"")]), &["--runtime-config", config.to_str().unwrap()]).await;
    (dir, host)
}

#[tokio::test]
async fn cancelling_a_local_generation_stops_it_at_once() {
    let (_config, host) = host_with_one_local_generation().await;
    let input = json!({"op": "chat", "model": "tiny", "prompt": "Write a long story about a cat.", "max_tokens": 2000, "stream": true});
    let id = host.submit("language-probe", &input).await;
    host.wait_job(&id, SECS_60, "generating", |j| j["status"] == "processing").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    host.delete(&format!("/api/v1/jobs/{id}")).await;
    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    // The sampler stopped too: with one generation at a time, the next job
    // only gets the model once it has (2,000 tokens would take most of a minute).
    let next = run(&host, json!({"op": "chat", "model": "tiny", "prompt": "Hi", "max_tokens": 4})).await;
    assert_eq!(next["status"], "completed", "{next}");
}

#[tokio::test]
async fn a_local_generation_past_the_deadline_times_the_job_out() {
    let host = Host::start(&probe(&[("timeout", "\"1s\""), ("max_attempts", "1")]), &[]).await;
    let input = json!({"op": "chat", "model": "tiny", "prompt": "Write a long story about a cat.", "max_tokens": 4000});
    let job = run(&host, input).await;
    assert_eq!(job["failure"]["code"], "JOB_TIMEOUT", "{job}");
}

#[tokio::test]
async fn local_embeddings_find_the_korean_paraphrase_of_a_question() {
    let host = Host::start(&probe(&[]), &[]).await;
    let texts = [
        "면접은 다음 주 화요일 오후 두 시에 진행됩니다.",
        "신선한 채소로 샐러드를 만드는 방법",
        "서울의 지하철 노선도",
        "The quarterly report is due on Friday.",
    ];
    let indexed = run(&host, json!({"op": "index", "collection": "notes", "texts": texts})).await;
    assert_eq!(indexed["status"], "completed", "{indexed}");
    let asked =
        run(&host, json!({"op": "ask", "collection": "notes", "query": "인터뷰 일정이 언제인가요?", "top_k": 4})).await;
    let hits = asked["result"]["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 4);
    assert_eq!(hits[0]["text"], texts[0], "{asked}");
    assert!(hits[0]["score"].as_f64() > hits[1]["score"].as_f64());
}

#[tokio::test]
async fn embeddings_are_unit_length_384_dimensional_and_depend_on_the_role() {
    let host = Host::start(&probe(&[]), &[]).await;
    let query = run(&host, json!({"op": "embed", "texts": ["회의 시간"], "role": "query"})).await;
    let passage = run(&host, json!({"op": "embed", "texts": ["회의 시간"], "role": "passage"})).await;
    assert_eq!(query["result"]["dimension"], 384, "{query}");
    let q: Vec<f64> = serde_json::from_value(query["result"]["vectors"][0].clone()).unwrap();
    let p: Vec<f64> = serde_json::from_value(passage["result"]["vectors"][0].clone()).unwrap();
    let norm = q.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "norm {norm}");
    assert_ne!(q, p);
}

#[tokio::test]
async fn embeddings_can_come_from_an_openai_compatible_endpoint() {
    let (double, url) = Double::start(vec![]).await;
    let embeddings = format!("openai:text-embedding-test@{url}");
    let host = Host::start(&probe(&[]), &["--embeddings", &embeddings]).await;
    let job = run(&host, json!({"op": "embed", "texts": ["alpha", "beta"], "role": "query"})).await;
    assert_eq!(job["result"]["model"], "text-embedding-test", "{job}");
    let v: Vec<Vec<f64>> = serde_json::from_value(job["result"]["vectors"].clone()).unwrap();
    assert_eq!((v.len(), v[0].len()), (2, 4));
    assert!((v[0].iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-6, "not normalised: {v:?}");
    assert_eq!(double.requests()[0]["input"], json!(["alpha", "beta"]), "no e5 prefix for a non-e5 model");
    let (_, _, health) = host.get("/health").await;
    assert!(health["data"]["engines"]["embeddings"]["version"].as_str().unwrap().contains("text-embedding-test"));
}

#[tokio::test]
async fn vectors_are_searched_by_similarity_and_filtered_by_metadata() {
    let host = Host::start(&probe(&[]), &[]).await;
    let points = json!([
        {"id": "r1", "vector": [1.0, 0.0, 0.0], "metadata": {"user_id": "u1"}, "text": "resume of u1"},
        {"id": "r2", "vector": [0.9, 0.1, 0.0], "metadata": {"user_id": "u2"}, "text": "resume of u2"},
        {"id": "r3", "vector": [0.0, 1.0, 0.0], "metadata": {"user_id": "u1"}, "text": "another of u1"},
    ]);
    let up = run(&host, json!({"op": "upsert", "collection": "resumes", "points": points})).await;
    assert_eq!(up["status"], "completed", "{up}");
    let all = run(&host, json!({"op": "search", "collection": "resumes", "vector": [1.0, 0.0, 0.0], "top_k": 2})).await;
    let ids: Vec<&str> = all["result"]["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    let mine = json!({"op": "search", "collection": "resumes", "vector": [0.0, 1.0, 0.0], "top_k": 5, "filter": {"user_id": "u1"}});
    let mine = run(&host, mine).await;
    let ids: Vec<&str> = mine["result"]["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["r3", "r1"]);
    let bad =
        run(&host, json!({"op": "upsert", "collection": "resumes", "points": [{"id": "x", "vector": [1.0]}]})).await;
    assert_eq!(bad["failure"]["code"], "VECTORS_INPUT_INVALID", "{bad}");
}

#[tokio::test]
async fn one_tenants_vectors_are_invisible_to_another_tenant() {
    let host = Host::start(&probe(&[]), &[]).await;
    let a = host.create_key("tenant-a", "submitter", &[]).await;
    let b = host.create_key("tenant-b", "submitter", &[]).await;
    let submit = |key: String, input: Value| {
        let request = host.client().post(host.url("/api/v1/language-probe?wait=30")).bearer_auth(key).json(&input);
        host.send(request)
    };
    let points = json!([{"id": "secret", "vector": [1.0, 0.0], "metadata": {}, "text": "a's secret"}]);
    let (status, _, body) = submit(a.clone(), json!({"op": "upsert", "collection": "docs", "points": points})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let search = json!({"op": "search", "collection": "docs", "vector": [1.0, 0.0], "top_k": 5});
    let (_, _, theirs) = submit(b, search.clone()).await;
    assert_eq!(theirs["data"]["result"]["hits"], json!([]), "{theirs}");
    let (_, _, mine) = submit(a, search).await;
    assert_eq!(mine["data"]["result"]["hits"][0]["id"], "secret", "{mine}");
}

/// Benchmark, not a test (docs/benchmarks.md): how long a token takes from
/// the provider's socket to an SSE client of the job.
/// `cargo test --release -p capsule --test e2e token_latency -- --ignored --nocapture`
#[tokio::test]
#[ignore]
async fn token_latency() {
    let pieces = vec!["토큰"; 200];
    let (double, url) = Double::start(vec![Reply::Stream { pieces, pause: Duration::from_millis(10) }]).await;
    let host = host_with_double(&url, &[]).await;
    let id = host.submit("language-probe", &json!({"op": "chat", "model": "default", "stream": true})).await;
    let mut response = host.client().get(host.url(&format!("/api/v1/jobs/{id}/events"))).send().await.unwrap();
    let mut received = Vec::new();
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.contains("event: token") {
                received.push(now);
            }
        }
        if buffer.contains("event: completed") {
            break;
        }
    }
    let sent = double.sent.lock().unwrap().clone();
    let mut took: Vec<f64> =
        sent.iter().zip(&received).map(|(s, r)| r.saturating_duration_since(*s).as_secs_f64() * 1e3).collect();
    took.sort_by(f64::total_cmp);
    let at = |q: f64| took[((took.len() - 1) as f64 * q) as usize];
    println!(
        "{} tokens: provider → SSE client p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        took.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

/// Benchmark, not a test (docs/benchmarks.md): from `DELETE /api/v1/jobs/{id}`
/// to the provider seeing its connection dropped (remote), and to the job
/// being cancelled with the local model's sampling stopped (local).
/// `cargo test --release -p capsule --test e2e cancel_latency -- --ignored --nocapture`
#[tokio::test]
#[ignore]
async fn cancel_latency() {
    let mut remote = Vec::new();
    for _ in 0..5 {
        let pieces = vec!["a"; 400];
        let (double, url) = Double::start(vec![Reply::Stream { pieces, pause: Duration::from_millis(5) }]).await;
        let host = host_with_double(&url, &[]).await;
        let id = host.submit("language-probe", &json!({"op": "chat", "model": "default", "stream": true})).await;
        host.wait_job(&id, SECS_60, "streaming", |j| j["status"] == "processing").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let asked = Instant::now();
        host.delete(&format!("/api/v1/jobs/{id}")).await;
        while double.hung_up.lock().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        remote.push(double.hung_up.lock().unwrap().unwrap().saturating_duration_since(asked).as_secs_f64() * 1e3);
    }
    let (_config, host) = host_with_one_local_generation().await;
    let mut alone = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        run(&host, json!({"op": "chat", "model": "tiny", "prompt": "Hi", "max_tokens": 1})).await;
        alone.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let mut local = Vec::new();
    for _ in 0..5 {
        let input = json!({"op": "chat", "model": "tiny", "prompt": "Write a long story.", "max_tokens": 2000});
        let id = host.submit("language-probe", &input).await;
        host.wait_job(&id, SECS_60, "generating", |j| j["status"] == "processing").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let asked = Instant::now();
        host.delete(&format!("/api/v1/jobs/{id}")).await;
        host.wait_terminal(&id, SECS_60).await;
        // The model is free again once the sampler stopped: a 1-token job shows when.
        let next = run(&host, json!({"op": "chat", "model": "tiny", "prompt": "Hi", "max_tokens": 1})).await;
        assert_eq!(next["status"], "completed");
        local.push(asked.elapsed().as_secs_f64() * 1e3);
    }
    println!("remote: DELETE → provider connection dropped: {remote:.1?} ms");
    println!("local: DELETE → cancelled and a 1-token job done: {local:.1?} ms");
    println!("local: the same 1-token job alone: {alone:.1?} ms");
}

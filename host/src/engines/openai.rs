//! A client for any OpenAI-compatible endpoint (OpenAI, Gemini's
//! compatible endpoint, Ollama, vLLM, llama.cpp's server): Chat Completions,
//! with SSE streaming, and `/embeddings`. Shared by the `llm` and
//! `embeddings` engines.
//!
//! Hand-written on reqwest rather than `async-openai`: we need the raw
//! status and `Retry-After` of every attempt, the stream's token pieces as
//! they arrive, and servers that only speak a subset of the API; the part
//! of the protocol used here is two requests and one line format.
//!
//! Cancelling is dropping the future: reqwest then drops the connection, so
//! the provider stops generating (and billing) too.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

/// How the operator configured one endpoint.
#[derive(Clone)]
pub struct Endpoint {
    /// Up to and including the version segment, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// The provider's model id, e.g. `gpt-4o-mini`.
    pub model: String,
    pub api_key: Option<Secret>,
    /// Requests at once; more wait for a turn rather than fail.
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// Longest silence while reading an answer (between stream chunks).
    pub read_timeout: Duration,
    /// Extra attempts after a 429, a 5xx or a refused connection.
    pub retries: u32,
}

/// An API key: never printed, in logs or in `Debug`.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint").field("base_url", &self.base_url).field("model", &self.model).finish_non_exhaustive()
    }
}

/// What went wrong talking to the provider, before engines give it a code.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider is rate limiting this host (HTTP 429) after {attempts} attempts")]
    RateLimited { attempts: u32 },
    #[error("the provider said the prompt is longer than the model's context: {0}")]
    ContextTooLong(String),
    #[error("the provider answered HTTP {status}: {message}")]
    Status { status: u16, message: String, retryable: bool },
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's answer could not be read: {0}")]
    Malformed(String),
}

/// One chat message on the wire.
pub struct WireMessage<'a> {
    pub role: &'static str,
    pub content: &'a str,
}

pub struct ChatCall<'a> {
    pub messages: Vec<WireMessage<'a>>,
    pub max_tokens: u32,
    pub temperature: f32,
    pub stop: &'a [String],
    pub schema: Option<&'a Value>,
    pub stream: bool,
}

pub struct ChatAnswer {
    pub text: String,
    /// The provider's `finish_reason` (`stop`, `length`, …).
    pub finish: String,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

pub struct Client {
    endpoint: Endpoint,
    http: reqwest::Client,
    permits: Arc<Semaphore>,
}

impl Client {
    pub fn new(endpoint: Endpoint) -> Result<Self, String> {
        reqwest::Url::parse(&endpoint.base_url).map_err(|e| format!("`{}` is not a URL: {e}", endpoint.base_url))?;
        let http = reqwest::Client::builder()
            .connect_timeout(endpoint.connect_timeout)
            .read_timeout(endpoint.read_timeout)
            .build()
            .map_err(|e| e.to_string())?;
        let permits = Arc::new(Semaphore::new(endpoint.concurrency.max(1)));
        Ok(Self { endpoint, http, permits })
    }

    pub fn model(&self) -> &str {
        &self.endpoint.model
    }

    pub fn base_url(&self) -> &str {
        &self.endpoint.base_url
    }

    /// A chat completion; `on_token` sees each piece of a streamed answer.
    pub async fn chat(
        &self,
        call: &ChatCall<'_>,
        on_token: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ChatAnswer, ProviderError> {
        let messages: Vec<Value> =
            call.messages.iter().map(|m| json!({"role": m.role, "content": m.content})).collect();
        let mut body = json!({
            "model": self.endpoint.model,
            "messages": messages,
            "max_tokens": call.max_tokens,
            "temperature": call.temperature,
            "stream": call.stream,
        });
        if !call.stop.is_empty() {
            body["stop"] = json!(call.stop);
        }
        if call.stream {
            body["stream_options"] = json!({"include_usage": true});
        }
        if let Some(schema) = call.schema {
            body["response_format"] =
                json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": schema, "strict": true}});
        }
        let response = self.send("chat/completions", &body).await?;
        if call.stream { read_stream(response, on_token).await } else { read_whole(response).await }
    }

    /// Embed `texts` (already prefixed as the model expects).
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, ProviderError> {
        let body = json!({"model": self.endpoint.model, "input": texts});
        let response = self.send("embeddings", &body).await?;
        let v: Value = response.json().await.map_err(|e| ProviderError::Malformed(e.to_string()))?;
        let data = v["data"].as_array().ok_or_else(|| ProviderError::Malformed("no `data` array".into()))?;
        let mut rows: Vec<(u64, Vec<f32>)> = Vec::with_capacity(data.len());
        for (i, item) in data.iter().enumerate() {
            let index = item["index"].as_u64().unwrap_or(i as u64);
            let vector = item["embedding"]
                .as_array()
                .ok_or_else(|| ProviderError::Malformed("an item has no `embedding` array".into()))?
                .iter()
                .map(|x| x.as_f64().map(|f| f as f32))
                .collect::<Option<Vec<f32>>>()
                .ok_or_else(|| ProviderError::Malformed("an embedding holds a non-number".into()))?;
            rows.push((index, vector));
        }
        if rows.len() != texts.len() {
            return Err(ProviderError::Malformed(format!("{} embeddings for {} texts", rows.len(), texts.len())));
        }
        rows.sort_by_key(|(i, _)| *i);
        Ok(rows.into_iter().map(|(_, v)| v).collect())
    }

    /// Transcribe one WAV file (`/audio/transcriptions`, `verbose_json`
    /// with word and segment timestamps); the provider's JSON as it is.
    pub async fn transcribe(&self, wav: bytes::Bytes, language: &str) -> Result<Value, ProviderError> {
        let model = self.endpoint.model.clone();
        let language = language.to_string();
        let response = self
            .send_with("audio/transcriptions", move |request| {
                let file = reqwest::multipart::Part::stream(reqwest::Body::from(wav.clone()))
                    .file_name("audio.wav")
                    .mime_str("audio/wav")
                    .expect("a valid MIME type");
                let mut form = reqwest::multipart::Form::new()
                    .part("file", file)
                    .text("model", model.clone())
                    .text("response_format", "verbose_json")
                    .text("timestamp_granularities[]", "word")
                    .text("timestamp_granularities[]", "segment")
                    .text("temperature", "0");
                if !language.is_empty() {
                    form = form.text("language", language.clone());
                }
                request.multipart(form)
            })
            .await?;
        response.json().await.map_err(|e| ProviderError::Malformed(e.to_string()))
    }

    /// POST with a turn of the endpoint's concurrency, retrying 429, 5xx
    /// and refused connections with backoff (honouring `Retry-After`).
    async fn send(&self, path: &str, body: &Value) -> Result<reqwest::Response, ProviderError> {
        self.send_with(path, |request| request.json(body)).await
    }

    /// [`Client::send`] with the body `body` puts on each attempt's request
    /// (a multipart form cannot be cloned; it is built anew).
    async fn send_with(
        &self,
        path: &str,
        body: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ProviderError> {
        let _turn = self.permits.acquire().await.map_err(|_| ProviderError::Unreachable("shutting down".into()))?;
        let url = format!("{}/{path}", self.endpoint.base_url.trim_end_matches('/'));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = body(self.http.post(&url));
            if let Some(key) = &self.endpoint.api_key {
                request = request.bearer_auth(&key.0);
            }
            let last = attempt > self.endpoint.retries;
            let wait = match request.send().await {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) => {
                    let status = r.status().as_u16();
                    let retry_after = retry_after(&r);
                    let retryable = status == 429 || status >= 500;
                    if !retryable || last {
                        return Err(status_error(status, attempt, r.text().await.unwrap_or_default()));
                    }
                    retry_after.unwrap_or_else(|| backoff(attempt))
                }
                Err(e) if last || !(e.is_connect() || e.is_timeout()) => {
                    return Err(ProviderError::Unreachable(without_url(&e)));
                }
                Err(_) => backoff(attempt),
            };
            tracing::debug!(url = %url, attempt, wait_ms = wait.as_millis() as u64, "provider asked to retry");
            tokio::time::sleep(wait).await;
        }
    }
}

/// reqwest's messages name the URL, which may carry a key in its query.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused or failed"
    } else {
        "request failed"
    };
    match e.url() {
        Some(u) => format!("{kind} ({}://{})", u.scheme(), u.host_str().unwrap_or("?")),
        None => kind.to_string(),
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(attempt.min(5)))
}

/// `Retry-After` in seconds (HTTP dates are rare from these APIs), capped
/// so one answer cannot park a job for an hour: the job's own deadline
/// still ends it sooner.
fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    let seconds: f64 = r.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs_f64(seconds.clamp(0.0, 30.0)))
}

fn status_error(status: u16, attempts: u32, body: String) -> ProviderError {
    if status == 429 {
        return ProviderError::RateLimited { attempts };
    }
    let error = serde_json::from_str::<Value>(&body).ok().map(|mut v| v["error"].take()).unwrap_or(Value::Null);
    let message = error["message"].as_str().map_or_else(|| body.chars().take(300).collect(), str::to_string);
    if error["code"] == "context_length_exceeded" || message.contains("context length") {
        return ProviderError::ContextTooLong(message);
    }
    ProviderError::Status { status, message, retryable: status >= 500 }
}

async fn read_whole(response: reqwest::Response) -> Result<ChatAnswer, ProviderError> {
    let v: Value = response.json().await.map_err(|e| ProviderError::Malformed(e.to_string()))?;
    let choice = &v["choices"][0];
    let text = choice["message"]["content"]
        .as_str()
        .ok_or_else(|| ProviderError::Malformed("no `choices[0].message.content`".into()))?;
    Ok(ChatAnswer {
        text: text.to_string(),
        finish: choice["finish_reason"].as_str().unwrap_or("stop").to_string(),
        model: v["model"].as_str().unwrap_or_default().to_string(),
        prompt_tokens: v["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        completion_tokens: v["usage"]["completion_tokens"].as_u64().unwrap_or(0),
    })
}

/// Server-sent events: `data: {chunk}` lines, ended by `data: [DONE]`.
async fn read_stream(
    response: reqwest::Response,
    on_token: &mut (dyn FnMut(&str) + Send),
) -> Result<ChatAnswer, ProviderError> {
    let mut answer = ChatAnswer {
        text: String::new(),
        finish: String::new(),
        model: String::new(),
        prompt_tokens: 0,
        completion_tokens: 0,
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut body = response.bytes_stream();
    let mut done = false;
    while !done {
        let Some(chunk) = body.next().await else { break };
        let chunk = chunk.map_err(|e| ProviderError::Unreachable(without_url(&e)))?;
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let Some(data) = line.trim_end().strip_prefix("data:") else { continue };
            let data = data.trim_start();
            if data == "[DONE]" {
                done = true;
                break;
            }
            let v: Value = serde_json::from_str(data)
                .map_err(|e| ProviderError::Malformed(format!("a stream event is not JSON: {e}")))?;
            if let Some(message) = v["error"]["message"].as_str() {
                return Err(ProviderError::Status { status: 200, message: message.to_string(), retryable: true });
            }
            if let Some(model) = v["model"].as_str() {
                answer.model = model.to_string();
            }
            let choice = &v["choices"][0];
            if let Some(piece) = choice["delta"]["content"].as_str().filter(|p| !p.is_empty()) {
                answer.text.push_str(piece);
                on_token(piece);
            }
            if let Some(finish) = choice["finish_reason"].as_str() {
                answer.finish = finish.to_string();
            }
            if let Some(usage) = v.get("usage").filter(|u| u.is_object()) {
                answer.prompt_tokens = usage["prompt_tokens"].as_u64().unwrap_or(0);
                answer.completion_tokens = usage["completion_tokens"].as_u64().unwrap_or(0);
            }
        }
    }
    if !done && answer.finish.is_empty() {
        return Err(ProviderError::Malformed("the stream ended before the answer did".into()));
    }
    if answer.finish.is_empty() {
        answer.finish = "stop".into();
    }
    Ok(answer)
}

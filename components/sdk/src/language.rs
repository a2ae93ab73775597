//! The language engines: a model by alias (`llm`), text embeddings
//! (`embeddings`) and named vector collections (`vectors`). Each needs its
//! grant in `spin.toml` (`engines = ["llm", "embeddings", "vectors"]`, and
//! `ai_models = ["default"]` for the aliases the component may use).
//!
//! In a native build there is no host: every call fails with the engine's
//! "unavailable" code. Code under test takes the engine's trait
//! ([`crate::Llm`], [`crate::Embeddings`], [`crate::Vectors`]) and a fake.

use crate::Failure;

/// Failure codes of these engines, as the host sends them.
pub mod codes {
    pub const LLM_NOT_CONFIGURED: &str = "LLM_NOT_CONFIGURED";
    pub const LLM_RATE_LIMITED: &str = "LLM_RATE_LIMITED";
    pub const LLM_UPSTREAM_FAILED: &str = "LLM_UPSTREAM_FAILED";
    pub const LLM_CONTEXT_TOO_LONG: &str = "LLM_CONTEXT_TOO_LONG";
    pub const LLM_OUTPUT_INVALID: &str = "LLM_OUTPUT_INVALID";
    pub const EMBEDDINGS_UNAVAILABLE: &str = "EMBEDDINGS_UNAVAILABLE";
    pub const VECTORS_UNAVAILABLE: &str = "VECTORS_UNAVAILABLE";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: Role::System, content: content.into() }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self { role: Role::User, content: content.into() }
    }
}

/// A chat completion request; build with [`ChatRequest::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// A model alias granted by `ai_models`.
    pub model: String,
    pub messages: Vec<Message>,
    /// 0: the host's default.
    pub max_tokens: u32,
    pub temperature: f32,
    pub stop: Vec<String>,
    /// The answer must be JSON valid against this schema.
    pub json_schema: Option<serde_json::Value>,
    /// Stream tokens to the job's event stream as they are generated.
    pub stream: bool,
}

impl ChatRequest {
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            messages,
            max_tokens: 0,
            temperature: 0.0,
            stop: Vec::new(),
            json_schema: None,
            stream: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    /// True when `max_tokens` ended the answer.
    pub truncated: bool,
    pub model: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

/// A model's JSON answer without the Markdown code fence (```` ```json ````
/// … ```` ``` ````) some models wrap it in, grammar or not.
pub fn unfenced(text: &str) -> &str {
    let text = text.trim();
    let Some(fenced) = text.strip_prefix("```") else { return text };
    // The fence's info string (`json`) runs to the end of its line.
    let body = match fenced.split_once('\n') {
        Some((_, rest)) => rest,
        None => fenced.strip_prefix("json").unwrap_or(fenced),
    };
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

/// The role a text plays for e5-style embedding models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedRole {
    Query,
    Passage,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Embedded {
    pub vectors: Vec<Vec<f32>>,
    pub model: String,
    pub dimension: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: String,
    pub vector: Vec<f32>,
    /// A JSON object; searches filter on its top-level values.
    pub metadata: serde_json::Value,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    pub metadata: serde_json::Value,
    pub text: String,
}

#[cfg(not(target_family = "wasm"))]
fn native(code: &str, engine: &str) -> Failure {
    Failure::new(code, format!("the host's {engine} engine is only available inside Capsule, not in a native build"))
}

/// Whether `model` (an alias) is granted and has a provider on this host.
pub fn llm_available(model: &str) -> bool {
    #[cfg(target_family = "wasm")]
    return crate::bindings::capsule::worker::llm::available(model);
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = model;
        false
    }
}

pub fn chat(request: &ChatRequest) -> Result<Completion, Failure> {
    #[cfg(target_family = "wasm")]
    {
        use crate::bindings::capsule::worker::llm;
        let wire = llm::Request {
            model: request.model.clone(),
            messages: request
                .messages
                .iter()
                .map(|m| llm::Message {
                    role: match m.role {
                        Role::System => llm::Role::System,
                        Role::User => llm::Role::User,
                        Role::Assistant => llm::Role::Assistant,
                    },
                    content: m.content.clone(),
                })
                .collect(),
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            stop: request.stop.clone(),
            json_schema: request.json_schema.as_ref().map(|s| s.to_string()),
            stream: request.stream,
        };
        let c = llm::chat(&wire).map_err(Failure::from)?;
        Ok(Completion {
            text: c.text,
            truncated: matches!(c.finish_reason, llm::FinishReason::Length),
            model: c.model,
            prompt_tokens: c.usage.prompt_tokens,
            completion_tokens: c.usage.completion_tokens,
        })
    }
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = request;
        Err(native(codes::LLM_NOT_CONFIGURED, "llm"))
    }
}

pub fn embed(texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
    #[cfg(target_family = "wasm")]
    {
        use crate::bindings::capsule::worker::embeddings;
        let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let role = match role {
            EmbedRole::Query => embeddings::Role::Query,
            EmbedRole::Passage => embeddings::Role::Passage,
        };
        let e = embeddings::embed(&texts, role).map_err(Failure::from)?;
        Ok(Embedded { vectors: e.vectors, model: e.model, dimension: e.dimension })
    }
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (texts, role);
        Err(native(codes::EMBEDDINGS_UNAVAILABLE, "embeddings"))
    }
}

pub fn upsert(collection: &str, points: &[Point]) -> Result<(), Failure> {
    #[cfg(target_family = "wasm")]
    {
        use crate::bindings::capsule::worker::vectors;
        let points: Vec<vectors::Point> = points
            .iter()
            .map(|p| vectors::Point {
                id: p.id.clone(),
                vector: p.vector.clone(),
                metadata: p.metadata.to_string(),
                text: p.text.clone(),
            })
            .collect();
        vectors::upsert(collection, &points).map_err(Failure::from)
    }
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (collection, points);
        Err(native(codes::VECTORS_UNAVAILABLE, "vectors"))
    }
}

pub fn delete(collection: &str, ids: &[String]) -> Result<u32, Failure> {
    #[cfg(target_family = "wasm")]
    return crate::bindings::capsule::worker::vectors::delete(collection, ids).map_err(Failure::from);
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (collection, ids);
        Err(native(codes::VECTORS_UNAVAILABLE, "vectors"))
    }
}

pub fn delete_where(collection: &str, filter: &serde_json::Value) -> Result<u32, Failure> {
    #[cfg(target_family = "wasm")]
    return crate::bindings::capsule::worker::vectors::delete_where(collection, &filter.to_string())
        .map_err(Failure::from);
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (collection, filter);
        Err(native(codes::VECTORS_UNAVAILABLE, "vectors"))
    }
}

pub fn search(collection: &str, vector: &[f32], top_k: u32, filter: &serde_json::Value) -> Result<Vec<Hit>, Failure> {
    #[cfg(target_family = "wasm")]
    {
        let hits = crate::bindings::capsule::worker::vectors::search(collection, vector, top_k, &filter.to_string())
            .map_err(Failure::from)?;
        Ok(hits
            .into_iter()
            .map(|h| Hit {
                id: h.id,
                score: h.score,
                metadata: serde_json::from_str(&h.metadata).unwrap_or(serde_json::Value::Null),
                text: h.text,
            })
            .collect())
    }
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (collection, vector, top_k, filter);
        Err(native(codes::VECTORS_UNAVAILABLE, "vectors"))
    }
}

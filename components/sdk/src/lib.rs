//! Guest helper for Capsule components.
//!
//! A component is a type implementing [`Capability`]: a function from a typed
//! input to a typed output plus a [`Descriptor`]. [`export_capability!`] wires
//! it to the `capsule:worker` WIT world, doing the JSON (de)serialisation, so
//! component crates never touch the raw bindings.
//!
//! ```ignore
//! struct Echo;
//! impl capsule_sdk::Capability for Echo {
//!     type Input = serde_json::Value;
//!     type Output = serde_json::Value;
//!     fn descriptor() -> capsule_sdk::Descriptor { /* … */ }
//!     fn run(_job: &capsule_sdk::Job, input: Self::Input) -> Result<Self::Output, capsule_sdk::Failure> {
//!         Ok(input)
//!     }
//! }
//! capsule_sdk::export_capability!(Echo);
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "capability",
        pub_export_macro: true,
        default_bindings_module: "capsule_sdk::bindings",
    });
}

use bindings::capsule::worker::types as wit;

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
}

/// Report progress (0–100, a step key, a message for humans).
pub fn progress(percent: u8, step: &str, message: &str) {
    bindings::capsule::worker::job_context::progress(percent.min(100), step, message);
}

/// Stream a chunk of partial output to subscribers.
pub fn emit(chunk: &str) {
    bindings::capsule::worker::job_context::emit(chunk);
}

/// True once the job has been cancelled.
pub fn cancelled() -> bool {
    bindings::capsule::worker::job_context::cancelled()
}

/// Log levels for [`log`].
pub use wit::Level;

/// A line in the host's log, tagged with the job.
pub fn log(level: Level, message: &str) {
    bindings::capsule::worker::job_context::log(level, message);
}

/// Files the job reads and writes.
pub mod blobs {
    use super::{Failure, bindings};

    /// The bytes behind a file URL.
    pub fn read(url: &str) -> Result<Vec<u8>, Failure> {
        bindings::capsule::worker::blobs::read(url).map_err(Failure::from)
    }

    /// Store a new file; returns the URL that serves it.
    pub fn write(name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        bindings::capsule::worker::blobs::write(name, content_type, data).map_err(Failure::from)
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
    let input: C::Input = serde_json::from_str(&job.input).map_err(|e| {
        wit::Failure::from(Failure::new(
            "COMMON_INVALID_REQUEST",
            format!("the input does not fit this capability: {e}"),
        ))
    })?;
    let meta = Job { id: job.id, capability: job.capability, attempt: job.attempt };
    let output = C::run(&meta, input).map_err(wit::Failure::from)?;
    serde_json::to_string(&output).map_err(|e| {
        wit::Failure::from(Failure::new("COMPONENT_OUTPUT_INVALID", format!("the output could not be serialised: {e}")))
    })
}

/// Export a [`Capability`] as this component's `worker`.
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
        $crate::bindings::export!(__CapsuleExport with_types_in $crate::bindings);
    };
}

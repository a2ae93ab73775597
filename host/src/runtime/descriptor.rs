//! A component's descriptor, parsed and checked, and the matching rule for
//! self-test examples.

use serde::Serialize;
use serde_json::Value;

use super::bindings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sync,
    Async,
    Stream,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub name: String,
    pub input: Value,
    pub expect: Value,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub name: String,
    pub version: String,
    pub summary: String,
    pub input_schema: Value,
    pub output_schema: Value,
    pub mode: Mode,
    pub examples: Vec<Example>,
}

impl Descriptor {
    pub fn from_wit(d: bindings::Descriptor) -> Result<Self, String> {
        let json = |what: &str, s: &str| -> Result<Value, String> {
            serde_json::from_str(s).map_err(|e| format!("{what} is not JSON: {e}"))
        };
        let mut examples = Vec::new();
        for e in d.examples {
            examples.push(Example {
                input: json(&format!("example `{}` input", e.name), &e.input)?,
                expect: json(&format!("example `{}` expect", e.name), &e.expect)?,
                name: e.name,
            });
        }
        Ok(Self {
            input_schema: json("the input schema", &d.input_schema)?,
            output_schema: json("the output schema", &d.output_schema)?,
            mode: match d.mode {
                bindings::capsule::worker::types::Mode::Sync => Mode::Sync,
                bindings::capsule::worker::types::Mode::Async => Mode::Async,
                bindings::capsule::worker::types::Mode::Stream => Mode::Stream,
            },
            name: d.name,
            version: d.version,
            summary: d.summary,
            examples,
        })
    }
}

pub use capsule_contract::match_expected;

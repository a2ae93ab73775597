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

/// Does `actual` match `expect`? Objects: every key of `expect` matches
/// (extra keys allowed). Arrays: same length, element by element. Scalars:
/// equal. The error names the first mismatching path.
pub fn match_expected(expect: &Value, actual: &Value) -> Result<(), String> {
    fn walk(expect: &Value, actual: &Value, path: &mut String) -> Result<(), String> {
        match (expect, actual) {
            (Value::Object(e), Value::Object(a)) => {
                for (k, ev) in e {
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    match a.get(k) {
                        Some(av) => walk(ev, av, path)?,
                        None => return Err(format!("output has no `{path}` (expected {ev})")),
                    }
                    path.truncate(len);
                }
                Ok(())
            }
            (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    walk(ev, av, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            (e, a) if e == a => Ok(()),
            (e, a) => Err(format!("output at `{}` is {a}, expected {e}", if path.is_empty() { "/" } else { path })),
        }
    }
    walk(expect, actual, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::match_expected;
    use serde_json::json;

    #[test]
    fn extra_output_keys_are_allowed() {
        assert!(match_expected(&json!({"a": 1}), &json!({"a": 1, "b": 2})).is_ok());
    }

    #[test]
    fn arrays_must_have_equal_length() {
        let err = match_expected(&json!({"xs": [1]}), &json!({"xs": [1, 2]})).unwrap_err();
        assert!(err.contains("/xs"), "{err}");
    }

    #[test]
    fn mismatch_names_the_path() {
        let err =
            match_expected(&json!({"s": [{"d": "2026-01-15"}]}), &json!({"s": [{"d": "2026-01-16"}]})).unwrap_err();
        assert!(err.contains("/s/0/d"), "{err}");
    }

    #[test]
    fn missing_key_fails() {
        assert!(match_expected(&json!({"a": null}), &json!({})).is_err());
    }
}

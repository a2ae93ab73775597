//! Native unit tests of a component: run its examples the way the host does.
//!
//! The host runs every example of the descriptor when it loads a version and
//! refuses the version if one fails (see the WIT `example` record). These
//! helpers do the same without a host, so `cargo test -p <crate>` catches a
//! failing example before the component is built for wasm:
//!
//! ```ignore
//! #[test]
//! fn examples_pass() {
//!     capsule_sdk::testing::check_examples::<MyCapability>();
//! }
//! ```
//!
//! `run` goes through the same JSON round trip as in the host: the input is
//! serialised, deserialised into `C::Input`, passed to [`Capability::run`],
//! and the output serialised. In a native build the job-context calls do
//! nothing and the blob calls fail (see the crate docs), so `run` logic
//! that reads files needs its reader passed in to be tested.
//!
//! With the `validate` feature, [`check_example`] also validates the input
//! against the input schema and the output against the output schema with
//! the `jsonschema` validator the host uses, as the host does.

use serde_json::Value;

use crate::{Capability, Example, Failure, Job};

/// The job metadata [`run`] passes: id `test-job`, the descriptor's name, attempt 1.
pub fn job<C: Capability>() -> Job {
    Job { id: "test-job".into(), capability: C::descriptor().name, attempt: 1 }
}

/// Run one attempt of `C` on `input` natively, with the host's JSON round trip.
/// An input that does not deserialise into `C::Input` fails with
/// `COMMON_INVALID_REQUEST`, as in the host.
pub fn run<C: Capability>(input: Value) -> Result<Value, Failure> {
    let output = crate::run_json::<C>(&job::<C>(), &input.to_string())?;
    serde_json::from_str(&output)
        .map_err(|e| Failure::new("COMPONENT_OUTPUT_INVALID", format!("the output is not a JSON document: {e}")))
}

/// Does `actual` match `expect`? The host's rule (objects: every key of
/// `expect` matches; arrays: same length, element by element; scalars:
/// equal), from the crate the host uses too.
pub use capsule_contract::match_expected;

/// Run one example as the host's self-test does; the error says what failed.
pub fn check_example<C: Capability>(example: &Example) -> Result<(), String> {
    let name = &example.name;
    #[cfg(all(feature = "validate", not(target_family = "wasm")))]
    let descriptor = C::descriptor();
    #[cfg(all(feature = "validate", not(target_family = "wasm")))]
    validate("input", &descriptor.input_schema, &example.input)
        .map_err(|e| format!("example `{name}`: its input is invalid: {e}"))?;
    let output = run::<C>(example.input.clone()).map_err(|f| format!("example `{name}` failed: {f}"))?;
    #[cfg(all(feature = "validate", not(target_family = "wasm")))]
    validate("output", &descriptor.output_schema, &output)
        .map_err(|e| format!("example `{name}`: the output does not match the output schema: {e}"))?;
    match_expected(&example.expect, &output).map_err(|m| format!("example `{name}`: {m}"))
}

/// Run every example of `C`'s descriptor; panics naming each one that fails
/// (and when there are none: then the host has nothing to check either).
pub fn check_examples<C: Capability>() {
    let descriptor = C::descriptor();
    assert!(
        !descriptor.examples.is_empty(),
        "`{}` has no examples; add one with `Descriptor::example`: the host runs them before a version may serve",
        descriptor.name
    );
    let failures: Vec<String> = descriptor.examples.iter().filter_map(|e| check_example::<C>(e).err()).collect();
    let total = descriptor.examples.len();
    assert!(failures.is_empty(), "{} of {total} examples failed:\n{}", failures.len(), failures.join("\n"));
}

#[cfg(all(feature = "validate", not(target_family = "wasm")))]
fn validate(what: &str, schema: &Value, document: &Value) -> Result<(), String> {
    let validator =
        jsonschema::validator_for(schema).map_err(|e| format!("the {what} schema is not a valid JSON Schema: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(document).map(|e| format!("{} at `{}`", e, e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Descriptor, Mode};
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    #[derive(Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(deny_unknown_fields)]
    struct Input {
        /// The number to double.
        n: i64,
    }

    #[derive(Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    struct Output {
        doubled: i64,
        note: Option<String>,
    }

    struct Double;

    impl Capability for Double {
        type Input = Input;
        type Output = Output;

        fn descriptor() -> Descriptor {
            let d = Descriptor::new("double", "1.0.0", "Doubles a number");
            #[cfg(feature = "schema")]
            let d = d.input::<Input>().output::<Output>();
            d.mode(Mode::Sync).example("two", json!({"n": 2}), json!({"doubled": 4})).example(
                "typed",
                json!({"n": -1}),
                json!({"doubled": -2, "note": "negative"}),
            )
        }

        fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
            crate::progress(50, "doubling", "half way");
            crate::emit("chunk");
            crate::log(crate::Level::Info, "natively this goes to stderr");
            if crate::cancelled() {
                return Err(Failure::new("DOUBLE_CANCELLED", "cancelled"));
            }
            let note = (input.n < 0).then(|| "negative".to_string());
            Ok(Output { doubled: input.n * 2, note })
        }
    }

    #[test]
    fn examples_of_a_capability_pass_and_job_context_calls_are_no_ops() {
        check_examples::<Double>();
    }

    #[test]
    fn a_failing_example_names_the_path() {
        let bad = Example::new("bad", json!({"n": 2}), json!({"doubled": 5}));
        let err = check_example::<Double>(&bad).unwrap_err();
        assert!(err.contains("`bad`") && err.contains("/doubled"), "{err}");
    }

    #[test]
    fn input_that_does_not_deserialise_is_an_invalid_request() {
        let failure = run::<Double>(json!({"n": "two"})).unwrap_err();
        assert_eq!(failure.code, "COMMON_INVALID_REQUEST");
    }

    #[test]
    fn blobs_fail_natively_instead_of_panicking() {
        assert_eq!(crate::blobs::read("http://x/y").unwrap_err().code, "BLOB_UNAVAILABLE");
        assert_eq!(crate::blobs::write("a", "text/plain", b"x").unwrap_err().code, "BLOB_UNAVAILABLE");
    }

    #[test]
    fn builder_serialises_typed_examples() {
        #[derive(Serialize)]
        struct In {
            n: i64,
        }
        let d = Descriptor::new("x", "1", "s").example("typed", In { n: 3 }, json!({"doubled": 6}));
        assert_eq!(d.examples[0].input, json!({"n": 3}));
        assert_eq!(d.input_schema, json!({}));
    }

    #[cfg(feature = "schema")]
    #[test]
    fn schemas_are_draft_2020_12_and_follow_the_serde_contract() {
        let input = crate::schema_for::<Input>();
        assert_eq!(input["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(input["required"], json!(["n"]));
        assert_eq!(input["additionalProperties"], false);
        assert_eq!(input["properties"]["n"]["description"], "The number to double.");
        // Serialised, an `Option` is always there (as null); deserialised it could be left out.
        let output = crate::output_schema_for::<Output>();
        assert_eq!(output["required"], json!(["doubled", "note"]));
        assert_eq!(crate::schema_for::<Output>()["required"], json!(["doubled"]));
    }

    #[cfg(all(feature = "validate", feature = "schema"))]
    #[test]
    fn validate_checks_the_input_against_the_schema() {
        let bad = Example::new("extra", json!({"n": 1, "m": 2}), json!({}));
        let err = check_example::<Double>(&bad).unwrap_err();
        assert!(err.contains("input is invalid"), "{err}");
    }
}

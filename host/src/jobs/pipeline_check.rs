//! At start-up, each pipeline is checked against the versions loaded for
//! its steps: what a step is handed (the previous output, or the fields its
//! mapping picks) must be able to satisfy the next step's input schema,
//! where both schemas say. A mismatch names both steps and the field.
//!
//! The check is structural and conservative: it follows `properties`,
//! `items` and local `$ref`s, compares `type`s (an integer is a number),
//! and treats anything it cannot read (no schema, `oneOf`, …) as compatible.

use serde_json::Value;

use crate::manifest::{Mapping, PipelineSpec};
use crate::runtime::Registry;

/// A schema together with the document its `$ref`s resolve in.
#[derive(Clone, Copy)]
struct Schema<'a> {
    root: &'a Value,
    at: &'a Value,
}

impl<'a> Schema<'a> {
    fn new(root: &'a Value) -> Self {
        Schema { root, at: root }.resolved()
    }

    /// Follows local `$ref`s (`#/$defs/…`), at most a few deep.
    fn resolved(self) -> Self {
        let mut at = self.at;
        for _ in 0..8 {
            match at.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                Some(pointer) => match self.root.pointer(pointer) {
                    Some(target) => at = target,
                    None => break,
                },
                None => break,
            }
        }
        Schema { root: self.root, at }
    }

    /// The declared types; empty when the schema does not say.
    fn types(&self) -> Vec<&'a str> {
        match self.at.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    fn property(&self, name: &str) -> Option<Schema<'a>> {
        let at = self.at.get("properties")?.get(name)?;
        Some(Schema { root: self.root, at }.resolved())
    }

    fn items(&self) -> Option<Schema<'a>> {
        let at = self.at.get("items")?;
        Some(Schema { root: self.root, at }.resolved())
    }

    fn required(&self) -> Vec<&'a str> {
        self.at
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether this schema lists its properties (so a missing one is known missing).
    fn lists_properties(&self) -> bool {
        self.at.get("properties").is_some_and(Value::is_object)
    }

    /// The sub-schema a JSON pointer's path names; `None` when unknown.
    fn at_path(self, path: &[&str]) -> Option<Schema<'a>> {
        let mut here = self;
        for segment in path {
            here = if here.types() == ["array"] { here.items()? } else { here.property(segment)? };
        }
        Some(here)
    }
}

/// Whether a value of schema `given` can be what `wanted` asks for.
fn types_fit(given: &[&str], wanted: &[&str]) -> bool {
    if given.is_empty() || wanted.is_empty() {
        return true;
    }
    given.iter().any(|g| wanted.iter().any(|w| g == w || (*g == "integer" && *w == "number")))
}

fn describe(types: &[&str]) -> String {
    if types.is_empty() { "a value".into() } else { types.join(" or ") }
}

/// What step `index` is handed, as a schema, when it can be known: a field
/// of an earlier step's output (or of the first step's input for `/input`
/// when the first step takes the input as it is).
struct Sources<'a> {
    spec: &'a PipelineSpec,
    outputs: Vec<Option<&'a Value>>,
    first_input: Option<&'a Value>,
}

impl<'a> Sources<'a> {
    /// The schema a pointer names, if known.
    fn schema(&self, pointer: &str) -> Option<Schema<'a>> {
        let mut segments = pointer.trim_start_matches('/').split('/');
        let root = segments.next()?;
        let path: Vec<&str> = segments.collect();
        let document = if root == "input" {
            self.first_input?
        } else {
            let index = self.spec.steps.iter().position(|s| s.name == root)?;
            // A fan-out step's output is the array of its elements' outputs.
            if self.spec.steps[index].for_each.is_some() {
                return None;
            }
            self.outputs[index]?
        };
        Schema::new(document).at_path(&path)
    }
}

/// Check every pipeline against the loaded versions of its steps.
pub fn check_pipelines(registry: &Registry, pipelines: &[PipelineSpec]) -> Result<(), String> {
    for spec in pipelines {
        let version = |component: &str| registry.by_id(component).map(|e| e.current());
        let versions: Vec<_> = spec.steps.iter().map(|s| version(&s.component)).collect();
        let outputs: Vec<Option<&Value>> =
            versions.iter().map(|v| v.as_ref().map(|v| &v.descriptor.output_schema)).collect();
        let first_taken_as_is = spec.steps[0].input.is_none() && spec.steps[0].for_each.is_none();
        let first_input = versions[0].as_ref().filter(|_| first_taken_as_is).map(|v| &v.descriptor.input_schema);
        let sources = Sources { spec, outputs, first_input };
        for (index, step) in spec.steps.iter().enumerate() {
            let Some(version) = &versions[index] else {
                return Err(format!(
                    "pipeline `{}`: step `{}` names component `{}`, which is not loaded",
                    spec.id, step.name, step.component
                ));
            };
            // A fan-out step's element schemas are not followed.
            if step.for_each.is_some() || (index == 0 && step.input.is_none()) {
                continue;
            }
            let wanted = Schema::new(&version.descriptor.input_schema);
            let previous = &spec.steps[index.saturating_sub(1)];
            let here = format!("pipeline `{}`: step `{}` ({})", spec.id, step.name, step.component);
            match &step.input {
                None => {
                    let from = format!("/{}", previous.name);
                    whole(&here, &from, sources.schema(&from), wanted)?;
                }
                Some(Mapping::Whole(pointer)) => whole(&here, pointer, sources.schema(pointer), wanted)?,
                Some(Mapping::Fields(fields)) => {
                    for name in wanted.required() {
                        if !fields.contains_key(name) {
                            return Err(format!(
                                "{here} needs `{name}`, which its `input` mapping does not give (it gives {})",
                                fields.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                            ));
                        }
                    }
                    for (name, pointer) in fields {
                        let (Some(given), Some(field)) = (sources.schema(pointer), wanted.property(name)) else {
                            continue;
                        };
                        if !types_fit(&given.types(), &field.types()) {
                            return Err(format!(
                                "{here} needs `{name}` as {}, but `{pointer}` is {}",
                                describe(&field.types()),
                                describe(&given.types())
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The step is handed the whole value at `pointer` (schema `given`).
fn whole(here: &str, pointer: &str, given: Option<Schema<'_>>, wanted: Schema<'_>) -> Result<(), String> {
    let Some(given) = given else { return Ok(()) };
    if !types_fit(&given.types(), &wanted.types()) {
        return Err(format!(
            "{here} takes {}, but `{pointer}` is {}",
            describe(&wanted.types()),
            describe(&given.types())
        ));
    }
    if !given.lists_properties() {
        return Ok(());
    }
    for name in wanted.required() {
        match given.property(name) {
            None => {
                return Err(format!(
                    "{here} needs `{name}`, which `{pointer}` does not declare (it declares {})",
                    given
                        .at
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default()
                ));
            }
            Some(field) => {
                let want = wanted.property(name).map(|w| w.types()).unwrap_or_default();
                if !types_fit(&field.types(), &want) {
                    return Err(format!(
                        "{here} needs `{name}` as {}, but `{pointer}` declares it as {}",
                        describe(&want),
                        describe(&field.types())
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wanted_fits(given: Value, wanted: Value) -> Result<(), String> {
        whole("step", "/a", Some(Schema::new(&given)), Schema::new(&wanted))
    }

    #[test]
    fn a_declared_required_field_of_the_right_type_fits() {
        let given = json!({"type": "object", "properties": {"summary": {"type": "string"}, "n": {"type": "integer"}}});
        let wanted = json!({"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string"}, "n": {"type": "number"}}});
        assert!(wanted_fits(given, wanted).is_ok());
    }

    #[test]
    fn a_required_field_the_output_does_not_declare_is_named() {
        let given = json!({"type": "object", "properties": {"summary": {"type": "string"}}});
        let wanted = json!({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}});
        let err = wanted_fits(given, wanted).unwrap_err();
        assert!(err.contains("`text`") && err.contains("`summary`"), "{err}");
    }

    #[test]
    fn a_field_of_another_type_is_named_with_both_types() {
        let given = json!({"type": "object", "properties": {"text": {"type": "array"}}});
        let wanted = json!({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}});
        let err = wanted_fits(given, wanted).unwrap_err();
        assert!(err.contains("string") && err.contains("array"), "{err}");
    }

    #[test]
    fn refs_into_defs_are_followed() {
        let given = json!({"$ref": "#/$defs/Out", "$defs": {"Out": {"type": "object", "properties": {"text": {"type": "integer"}}}}});
        let wanted = json!({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}});
        assert!(wanted_fits(given, wanted).is_err());
    }

    #[test]
    fn a_schema_that_does_not_say_is_compatible() {
        assert!(wanted_fits(json!({}), json!({"type": "object", "required": ["x"]})).is_ok());
        assert!(wanted_fits(json!({"type": "object"}), json!({"type": "object", "required": ["x"]})).is_ok());
    }
}

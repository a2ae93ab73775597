//! Capability schemas inside the OpenAPI document.
//!
//! A component's schema (schemars) carries its own `$defs` and refers to
//! them as `#/$defs/Name`. Embedded in the document, such a ref resolves
//! against the document's root, where there is no `$defs`: every validator
//! and client generator fails on it. [`embed`] moves the definitions into
//! `components/schemas` under names prefixed by their owner (two components
//! may both define a `Page`) and points the refs there.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Keywords under which JSON Schema drafts keep reusable definitions.
const DEFINITION_KEYWORDS: [&str; 2] = ["$defs", "definitions"];

/// Keywords whose values are data, not schemas: a `$ref` in them is not a ref.
const DATA_KEYWORDS: [&str; 5] = ["const", "enum", "default", "example", "examples"];

/// `schema` ready to sit anywhere in the document: its definitions (and,
/// if it refers to itself with `#`, the schema itself) are added to
/// `components` under `<owner>.<Name>` and its refs rewritten to them.
pub fn embed(schema: &Value, owner: &str, components: &mut Map<String, Value>) -> Value {
    let mut root = schema.clone();
    let mut renames: HashMap<(String, String), String> = HashMap::new();
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    if let Some(object) = root.as_object_mut() {
        for keyword in DEFINITION_KEYWORDS {
            let Some(Value::Object(defs)) = object.remove(keyword) else { continue };
            for (name, def) in defs {
                let target = free_name(&format!("{owner}.{}", sanitize(&name)), components, &hoisted);
                renames.insert((keyword.to_string(), name), target.clone());
                hoisted.push((target, def));
            }
        }
    }
    let self_name = owner.to_string();
    let rewrite = |value: &mut Value| rewrite_refs(value, &renames, &self_name);
    let mut refers_to_itself = false;
    for (_, def) in &mut hoisted {
        refers_to_itself |= rewrite(def);
    }
    refers_to_itself |= rewrite(&mut root);
    components.extend(hoisted);
    if refers_to_itself {
        components.insert(self_name.clone(), root);
        return serde_json::json!({ "$ref": format!("#/components/schemas/{self_name}") });
    }
    root
}

/// Component names may only hold `A-Z a-z 0-9 . - _` (OpenAPI 3.1 §4.8.7.1).
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// `wanted`, or `wanted_2`, `wanted_3`… if sanitising made two names equal.
fn free_name(wanted: &str, components: &Map<String, Value>, hoisted: &[(String, Value)]) -> String {
    let taken = |n: &str| components.contains_key(n) || hoisted.iter().any(|(h, _)| h == n);
    let mut name = wanted.to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("{wanted}_{n}");
        n += 1;
    }
    name
}

/// Rewrites every `$ref` into the hoisted definitions; `#` (the schema
/// itself) becomes `#/components/schemas/<self_name>`. Returns whether any
/// ref pointed at the schema's root.
fn rewrite_refs(value: &mut Value, renames: &HashMap<(String, String), String>, self_name: &str) -> bool {
    let mut to_root = false;
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "$ref" {
                    if let Value::String(reference) = child
                        && let Some(new) = renamed(reference, renames, self_name)
                    {
                        to_root |= !new.1;
                        *reference = new.0;
                    }
                } else if !DATA_KEYWORDS.contains(&key.as_str()) {
                    to_root |= rewrite_refs(child, renames, self_name);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                to_root |= rewrite_refs(item, renames, self_name);
            }
        }
        _ => {}
    }
    to_root
}

/// The new ref for `reference`, and whether it points into a definition
/// (`false`: into the schema's own root).
fn renamed(reference: &str, renames: &HashMap<(String, String), String>, self_name: &str) -> Option<(String, bool)> {
    let pointer = reference.strip_prefix('#')?;
    for keyword in DEFINITION_KEYWORDS {
        let Some(rest) = pointer.strip_prefix(&format!("/{keyword}/")) else { continue };
        let (segment, tail) = rest.split_once('/').map_or((rest, ""), |(s, t)| (s, t));
        let name = segment.replace("~1", "/").replace("~0", "~");
        let target = renames.get(&(keyword.to_string(), name))?;
        let tail = if tail.is_empty() { String::new() } else { format!("/{tail}") };
        return Some((format!("#/components/schemas/{target}{tail}"), true));
    }
    // Anything else local (`#`, `#/properties/…`) is relative to the schema's root.
    Some((format!("#/components/schemas/{self_name}{pointer}"), false))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn definitions_move_to_components_under_the_owner_and_refs_follow() {
        let schema = json!({
            "type": "object",
            "properties": { "when": { "$ref": "#/$defs/Schedule" } },
            "$defs": {
                "Schedule": { "type": "object", "properties": { "at": { "$ref": "#/$defs/Time" } } },
                "Time": { "type": "string" }
            }
        });
        let mut components = Map::new();
        let embedded = embed(&schema, "calendar.output", &mut components);
        assert_eq!(embedded["properties"]["when"]["$ref"], "#/components/schemas/calendar.output.Schedule");
        assert!(embedded.get("$defs").is_none(), "{embedded}");
        assert_eq!(
            components["calendar.output.Schedule"]["properties"]["at"]["$ref"],
            "#/components/schemas/calendar.output.Time"
        );
        assert_eq!(components["calendar.output.Time"], json!({"type": "string"}));
    }

    #[test]
    fn the_same_definition_name_of_two_owners_does_not_collide() {
        let page = |t: &str| json!({ "$ref": "#/$defs/Page", "$defs": { "Page": { "type": t } } });
        let mut components = Map::new();
        let ocr = embed(&page("string"), "ocr.output", &mut components);
        let masking = embed(&page("integer"), "masking.output", &mut components);
        assert_eq!(ocr["$ref"], "#/components/schemas/ocr.output.Page");
        assert_eq!(masking["$ref"], "#/components/schemas/masking.output.Page");
        assert_eq!(components["ocr.output.Page"]["type"], "string");
        assert_eq!(components["masking.output.Page"]["type"], "integer");
    }

    #[test]
    fn a_schema_that_refers_to_itself_becomes_a_component() {
        let schema =
            json!({ "type": "object", "properties": { "children": { "type": "array", "items": { "$ref": "#" } } } });
        let mut components = Map::new();
        let embedded = embed(&schema, "tree.input", &mut components);
        assert_eq!(embedded, json!({ "$ref": "#/components/schemas/tree.input" }));
        assert_eq!(
            components["tree.input"]["properties"]["children"]["items"]["$ref"],
            "#/components/schemas/tree.input"
        );
    }

    #[test]
    fn refs_inside_data_keywords_are_left_alone() {
        let schema = json!({ "const": { "$ref": "#/$defs/X" }, "$defs": { "X": {} } });
        let mut components = Map::new();
        let embedded = embed(&schema, "c.input", &mut components);
        assert_eq!(embedded["const"]["$ref"], "#/$defs/X");
    }
}

//! MotionText v2.0 `define` references: any string `"define.a.b"` anywhere in
//! the scenario stands for the value at `define.a.b`. Resolved up front, like
//! the renderer's `DefineResolver`, with a depth limit (cycles) and a budget
//! (a few references must not expand into millions of values).

use serde_json::{Map, Value};

use crate::{ScenarioError, child, index};

const PREFIX: &str = "define.";
/// References to references deeper than this are refused (this also stops cycles).
const MAX_DEPTH: usize = 16;
/// Values the resolved scenario may hold.
const MAX_VALUES: usize = 2_000_000;

/// Returns the scenario with every `define.` reference outside the `define`
/// section replaced by its value. Without a `define` object, strings are left as they are.
pub(crate) fn resolve(scenario: &Map<String, Value>) -> Result<Map<String, Value>, ScenarioError> {
    let Some(defs) = scenario.get("define") else { return Ok(scenario.clone()) };
    let Some(defs) = defs.as_object() else {
        return Err(ScenarioError::new("define", "define must be an object of named values"));
    };
    let mut resolver = Resolver { defs, budget: MAX_VALUES };
    let mut out = Map::new();
    for (key, value) in scenario {
        if key == "define" {
            out.insert(key.clone(), value.clone());
        } else {
            out.insert(key.clone(), resolver.walk(value, key, 0)?);
        }
    }
    Ok(out)
}

struct Resolver<'a> {
    defs: &'a Map<String, Value>,
    budget: usize,
}

impl Resolver<'_> {
    fn walk(&mut self, value: &Value, path: &str, depth: usize) -> Result<Value, ScenarioError> {
        if self.budget == 0 {
            return Err(ScenarioError::new(
                path,
                "the scenario expands to too many values through define references; define smaller values or fewer references",
            ));
        }
        self.budget -= 1;
        Ok(match value {
            Value::String(s) if s.starts_with(PREFIX) => {
                if depth >= MAX_DEPTH {
                    return Err(ScenarioError::new(
                        path,
                        format!(
                            "define reference '{s}' refers to itself or nests more than {MAX_DEPTH} references deep; make the chain end in a value"
                        ),
                    ));
                }
                let target = lookup(self.defs, s, path)?;
                self.walk(target, path, depth + 1)?
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.walk(item, &index(path, i), depth))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.walk(v, &child(path, k), depth)?)))
                    .collect::<Result<_, ScenarioError>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// The value a `define.a.b` reference names.
fn lookup<'v>(defs: &'v Map<String, Value>, reference: &str, path: &str) -> Result<&'v Value, ScenarioError> {
    let missing = || {
        ScenarioError::new(
            path,
            format!(
                "define reference '{reference}' names nothing in the define section; add it there or give the value directly"
            ),
        )
    };
    let mut parts = reference[PREFIX.len()..].split('.');
    let mut current = defs.get(parts.next().unwrap_or_default()).ok_or_else(missing)?;
    for part in parts {
        current = match current {
            Value::Object(map) => map.get(part),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or_else(missing)?;
    }
    Ok(current)
}

//! Result cache keys: (capability, component digest, canonical input).

use serde_json::Value;
use sha2::{Digest, Sha256};

/// JSON with object keys sorted at every level, so equal documents written
/// in a different key order share a key.
pub fn canonical_json(value: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<_> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&map[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

pub fn cache_key(tenant: Option<&str>, capability: &str, digest: &str, input: &Value) -> String {
    let mut h = Sha256::new();
    // An open API's jobs (no tenant) and a tenant's never share a key.
    let owner = tenant.map(|t| format!("tenant:{t}")).unwrap_or_default();
    for part in [&owner, capability, digest, &canonical_json(input)] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter() {
        let a = json!({"b": 1, "a": {"y": [1, {"d": 2, "c": 3}], "x": null}});
        let b: Value = serde_json::from_str(r#"{"a":{"x":null,"y":[1,{"c":3,"d":2}]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(cache_key(None, "c", "d", &a), cache_key(None, "c", "d", &b));
    }

    #[test]
    fn digest_and_capability_are_part_of_the_key() {
        let v = json!({"a": 1});
        assert_ne!(cache_key(None, "c", "d1", &v), cache_key(None, "c", "d2", &v));
        assert_ne!(cache_key(None, "c1", "d", &v), cache_key(None, "c2", "d", &v));
    }

    #[test]
    fn tenants_never_share_a_key() {
        let v = json!({"a": 1});
        assert_ne!(cache_key(Some("a"), "c", "d", &v), cache_key(Some("b"), "c", "d", &v));
        assert_ne!(cache_key(Some("a"), "c", "d", &v), cache_key(None, "c", "d", &v));
    }
}

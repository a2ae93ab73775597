//! Rules of the plugin contract (`wit/worker.wit`) that the host and the
//! guest SDK must apply identically: kept in one place so a component's own
//! unit test and the host's self-test before a swap can never disagree.

use serde_json::Value;

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

//! The capability as the host sees it: descriptor, examples, failures.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 9, 20, 0, 0).unwrap()
}

fn no_blobs(url: &str) -> Result<Vec<u8>, Failure> {
    panic!("unexpected blob read of {url}")
}

fn run_json(input: Value) -> Result<Value, Failure> {
    let input: Input = serde_json::from_value(input).expect("input fits the schema");
    handle(&input, now(), no_blobs).map(|p| serde_json::to_value(p).unwrap())
}

/// The host's example matcher: objects by expected keys, arrays elementwise, scalars equal.
fn matches(expect: &Value, actual: &Value) -> bool {
    match (expect, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y)),
        (e, a) => e == a,
    }
}

#[test]
fn descriptor_examples_pass_the_host_self_test() {
    let d = Calendar::descriptor();
    assert_eq!(d.name, "calendar");
    assert_eq!(d.version, "0.1.0");
    assert_eq!(d.mode, Mode::Sync);
    assert!((2..=3).contains(&d.examples.len()));
    for example in d.examples {
        let got = run_json(example.input.clone()).unwrap_or_else(|f| panic!("{}: {f}", example.name));
        assert!(matches(&example.expect, &got), "{}: got {got}", example.name);
        // The examples are exact, not subsets.
        assert_eq!(example.expect, got, "{}", example.name);
    }
}

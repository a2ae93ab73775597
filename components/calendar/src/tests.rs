//! The capability as the host sees it: descriptor, schemas, examples, failures.

use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 9, 20, 0, 0).unwrap() // already 2026-01-10 in Seoul
}

fn no_blobs(url: &str) -> Result<Vec<u8>, Failure> {
    panic!("unexpected blob read of {url}")
}

fn input(json: Value) -> Input {
    serde_json::from_value(json).expect("input fits the struct")
}

fn run_json(json: Value) -> Result<Value, Failure> {
    handle(&input(json), now(), no_blobs).map(|p| serde_json::to_value(p).unwrap())
}

fn code(result: Result<impl std::fmt::Debug, Failure>) -> String {
    result.expect_err("a failure").code
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
    let inputs = jsonschema::validator_for(&d.input_schema).expect("valid input schema");
    let outputs = jsonschema::validator_for(&d.output_schema).expect("valid output schema");
    for example in d.examples {
        assert!(inputs.is_valid(&example.input), "{}: input does not fit the schema", example.name);
        let got = run_json(example.input.clone()).unwrap_or_else(|f| panic!("{}: {f}", example.name));
        assert!(outputs.is_valid(&got), "{}: output does not fit the schema: {got}", example.name);
        assert!(matches(&example.expect, &got), "{}: got {got}", example.name);
        // The examples are exact, not subsets.
        assert_eq!(example.expect, got, "{}", example.name);
    }
}

#[test]
fn examples_pass_the_sdks_self_test() {
    // What the host runs before a version may serve, with the inputs and outputs validated.
    capsule_sdk::testing::check_examples::<Calendar>();
}

#[test]
fn input_schema_accepts_the_documented_fields_only() {
    let schema = input_schema();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    for key in ["text", "file_url", "reference_date", "timezone"] {
        assert_eq!(schema["properties"][key]["type"], "string", "{key}");
    }
    // `text` is not required: the component reports CALENDAR_NO_INPUT_PROVIDED itself.
    assert!(schema.get("required").is_none());
    assert!(v.is_valid(&json!({})));
    assert!(v.is_valid(&json!({"file_url": "blob://a"})));
    assert!(!v.is_valid(&json!({"text": "x", "extra": 1})));
    assert!(!v.is_valid(&json!({"text": 5})));
}

#[test]
fn output_schema_is_strict() {
    let v = jsonschema::validator_for(&output_schema()).unwrap();
    let ok = json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null}], "hashtags": []});
    assert!(v.is_valid(&ok));
    // `source_text` is optional, and a non-empty string when present.
    let with_source = json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null, "source_text": "면접 1/25"}], "hashtags": []});
    assert!(v.is_valid(&with_source));
    for bad in [
        json!({"company": null, "position": null, "schedules": [], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-1-25", "time": null}], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": "9:00"}], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25"}], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null, "source_text": ""}], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null, "source_text": 5}], "hashtags": []}),
        json!({"company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null}], "hashtags": ["카카오"]}),
        json!({"success": true, "company": null, "position": null, "schedules": [{"stage": "면접", "date": "2026-01-25", "time": null}], "hashtags": []}),
    ] {
        assert!(!v.is_valid(&bad), "{bad}");
    }
}

#[test]
fn outputs_of_varied_postings_fit_the_output_schema() {
    let v = jsonschema::validator_for(&output_schema()).unwrap();
    for text in [
        "서류 마감 1/15 자정, 면접 1/25 오후 2시 30분",
        "Acme Corp is hiring\nApplication deadline: Jan 15 11:59 PM\nInterview: Jan 22",
        "㈜네이버 데이터 엔지니어 인턴\n- 건강검진: 2월 3일\n- 입사일: 2026.03.02",
    ] {
        let got = run_json(json!({"text": text, "reference_date": "2026-01-10"})).unwrap();
        assert!(v.is_valid(&got), "{got}");
        assert!(got.get("success").is_none());
    }
}

#[test]
fn missing_or_blank_input_is_no_input_provided() {
    for json in [
        json!({}),
        json!({"text": ""}),
        json!({"text": "   \n\t"}),
        json!({"file_url": " "}),
        json!({"timezone": "Asia/Seoul"}),
    ] {
        assert_eq!(code(run_json(json.clone())), "CALENDAR_NO_INPUT_PROVIDED", "{json}");
    }
}

#[test]
fn nothing_found_is_parse_failed() {
    let f = run_json(json!({"text": "카카오 백엔드 개발자 채용. 연락처 010-1234-5678"})).unwrap_err();
    assert_eq!(f.code, "CALENDAR_PARSE_FAILED");
    assert!(!f.retryable);
    assert!(!f.message.contains('\n'), "one sentence: {}", f.message);
}

#[test]
fn invalid_reference_date_and_timezone_fail_with_their_codes() {
    assert_eq!(
        code(run_json(json!({"text": "면접 1/25", "reference_date": "next week"}))),
        "CALENDAR_INVALID_REFERENCE_DATE"
    );
    assert_eq!(code(run_json(json!({"text": "면접 1/25", "timezone": "Mars/Base"}))), "CALENDAR_INVALID_TIMEZONE");
}

#[test]
fn reference_defaults_to_today_in_the_timezone() {
    // `now()` is 2026-01-09 20:00 UTC: the 10th in Seoul, still the 9th in New York.
    let seoul = run_json(json!({"text": "면접 내일"})).unwrap();
    assert_eq!(seoul["schedules"][0]["date"], "2026-01-11");
    let new_york = run_json(json!({"text": "면접 내일", "timezone": "America/New_York"})).unwrap();
    assert_eq!(new_york["schedules"][0]["date"], "2026-01-10");
}

#[test]
fn text_files_are_parsed_and_other_files_need_ocr() {
    let url = "https://blobs.example/posting.txt";
    let ok = handle(&input(json!({"file_url": url, "reference_date": "2026-01-10"})), now(), |u| {
        assert_eq!(u, url);
        Ok("[카카오] 백엔드 개발자\n서류 마감: 1월 15일".as_bytes().to_vec())
    })
    .unwrap();
    assert_eq!(ok.company.as_deref(), Some("카카오"));
    assert_eq!(ok.schedules.len(), 1);

    let pdf = handle(&input(json!({"file_url": url})), now(), |_| Ok(b"%PDF-1.7 \x00\x01".to_vec()));
    let f = pdf.unwrap_err();
    assert_eq!(f.code, "OCR_ENGINE_UNAVAILABLE");
    assert!(f.message.contains("send the posting as text"));
    let png = handle(&input(json!({"file_url": url})), now(), |_| Ok(b"\x89PNG\r\n\x1a\n".to_vec()));
    assert_eq!(code(png), "OCR_ENGINE_UNAVAILABLE");
    let empty = handle(&input(json!({"file_url": url})), now(), |_| Ok(Vec::new()));
    assert_eq!(code(empty), "CALENDAR_NO_INPUT_PROVIDED");
}

#[test]
fn blob_failures_pass_through_unchanged() {
    let missing = Failure::new("BLOB_NOT_FOUND", "no file at that URL");
    let got = handle(&input(json!({"file_url": "blob://gone"})), now(), |_| Err(missing.clone()));
    assert_eq!(got.unwrap_err(), missing);
    let busy = Failure::retryable("BLOB_STORE_BUSY", "try again");
    let got = handle(&input(json!({"file_url": "blob://x"})), now(), |_| Err(busy.clone()));
    assert_eq!(got.unwrap_err(), busy);
}

#[test]
fn text_wins_over_a_file() {
    let got = handle(
        &input(json!({"text": "면접 1/25", "file_url": "blob://x", "reference_date": "2026-01-10"})),
        now(),
        no_blobs,
    );
    assert_eq!(got.unwrap().schedules[0].stage, "면접");
}

#[test]
fn bad_input_is_checked_before_reading_the_file() {
    let got = handle(&input(json!({"file_url": "blob://x", "timezone": "Nowhere"})), now(), no_blobs);
    assert_eq!(code(got), "CALENDAR_INVALID_TIMEZONE");
}

fn date(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Moved here from the parser's tests when the parser became its own crate:
/// it goes through the request's time zone, which is this crate's.
#[test]
fn the_timezone_decides_today() {
    // 2026-01-13 20:00 in New York is already Wednesday morning in Seoul.
    let input = |tz: &str| Input {
        text: Some("면접 화요일 오후 3시".into()),
        reference_date: Some("2026-01-13T20:00:00-05:00".into()),
        timezone: Some(tz.into()),
        file_url: None,
    };
    let first =
        |tz: &str| handle(&input(tz), chrono::DateTime::UNIX_EPOCH, |_| unreachable!()).unwrap().schedules[0].date;
    assert_eq!(first("America/New_York"), date(2026, 1, 20));
    assert_eq!(first("Asia/Seoul"), date(2026, 1, 20));
    let tomorrow = |tz: &str| {
        let input = Input { text: Some("면접 내일".into()), ..input(tz) };
        handle(&input, chrono::DateTime::UNIX_EPOCH, |_| unreachable!()).unwrap().schedules[0].date
    };
    assert_eq!(tomorrow("America/New_York"), date(2026, 1, 14));
    assert_eq!(tomorrow("Asia/Seoul"), date(2026, 1, 15));
}

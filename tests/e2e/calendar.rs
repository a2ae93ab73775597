//! The `calendar` capability through the host: the seed-001 route
//! `POST /ai/calendar/parse` with its envelope and error codes, and the same
//! job through the native API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, assert_seed_error};

/// A posting in the shape of the seed's example, with year-less dates.
pub const POSTING: &str = "[카카오] 백엔드 개발자 신입 채용

■ 전형 일정
- 서류 마감: 2026년 1월 15일(목)
- 코딩테스트: 1월 20일 오후 2시
- 1차 면접: 1월 25일

많은 지원 바랍니다.";

pub const REFERENCE_DATE: &str = "2026-01-05";

/// What the seed's example response says for such a posting, plus Capsule's
/// `source_text`: the words each entry was read from, for the frontend to show.
pub fn expected_posting() -> Value {
    json!({
        "company": "카카오",
        "position": "백엔드 개발자",
        "schedules": [
            {"stage": "서류 마감", "date": "2026-01-15", "time": null, "source_text": "서류 마감: 2026년 1월 15일(목)"},
            {"stage": "코딩테스트", "date": "2026-01-20", "time": "14:00", "source_text": "코딩테스트: 1월 20일 오후 2시"},
            {"stage": "1차 면접", "date": "2026-01-25", "time": null, "source_text": "1차 면접: 1월 25일"}
        ],
        "hashtags": ["#카카오", "#백엔드", "#신입"]
    })
}

/// Asserts a seed `calendar_parsed` body for [`POSTING`].
pub fn assert_parsed(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "calendar_parsed", "{body}");
    let data = &body["data"];
    assert_eq!(data["success"], true, "{body}");
    let expected = expected_posting();
    for key in ["company", "position", "schedules"] {
        assert_eq!(data[key], expected[key], "`{key}` in {body}");
    }
    let hashtags = data["hashtags"].as_array().expect("hashtags");
    assert!(hashtags.contains(&json!("#카카오")), "{body}");
}

pub fn calendar_manifest() -> Manifest {
    Manifest::new().job("calendar", &[])
}

#[tokio::test]
async fn seed_calendar_route_parses_a_korean_posting() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    let (status, _, body) =
        host.post_json("/ai/calendar/parse", &json!({"text": POSTING, "reference_date": REFERENCE_DATE})).await;
    assert_parsed(status, &body);
    assert_eq!(body["data"]["hashtags"], expected_posting()["hashtags"], "{body}");
}

#[tokio::test]
async fn seed_calendar_route_without_input_is_no_input_provided() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    for input in [json!({}), json!({"text": "   "}), json!({"text": "", "file_url": ""}), json!({"text": null})] {
        let reply = host.post_json("/ai/calendar/parse", &input).await;
        assert_seed_error(&reply, StatusCode::BAD_REQUEST, "no_input_provided", 4010);
    }
}

#[tokio::test]
async fn seed_calendar_route_without_dates_is_parse_failed() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    let input = json!({"text": "안녕하세요.\n좋은 하루 되세요. 감사합니다.", "reference_date": REFERENCE_DATE});
    let reply = host.post_json("/ai/calendar/parse", &input).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "parse_failed", 4011);
}

#[tokio::test]
async fn seed_calendar_route_rejects_malformed_requests_as_invalid_request() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    for input in [json!({"text": 5}), json!({"text": POSTING, "reference_date": 20260105}), json!(["text"])] {
        let reply = host.post_json("/ai/calendar/parse", &input).await;
        assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_request", 4000);
    }
    let reply = host.post_raw("/ai/calendar/parse", "{\"text\": ", Some("application/json")).await;
    assert_seed_error(&reply, StatusCode::BAD_REQUEST, "invalid_request", 4000);
}

#[tokio::test]
async fn seed_calendar_route_with_an_unknown_file_is_file_not_found() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    let url = host.url("/api/v1/files/f_00000000000000000000000000000000");
    let reply = host.post_json("/ai/calendar/parse", &json!({"file_url": url, "reference_date": REFERENCE_DATE})).await;
    assert_seed_error(&reply, StatusCode::NOT_FOUND, "file_not_found", 4041);
}

#[tokio::test]
async fn native_calendar_call_returns_the_same_result_as_the_seed_route() {
    let host = Host::start(&calendar_manifest(), &[]).await;
    let input = json!({"text": POSTING, "reference_date": REFERENCE_DATE});
    let (status, _, seed) = host.post_json("/ai/calendar/parse", &input).await;
    assert_parsed(status, &seed);

    let (status, _, body) = host.post_json("/api/v1/calendar?wait=5", &input).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["data"]["status"], "completed", "{body}");
    let result = &body["data"]["result"];
    let mut seed_data = seed["data"].clone();
    seed_data.as_object_mut().expect("data object").remove("success");
    assert_eq!(*result, seed_data, "native result differs from the seed route's data");
}

//! Seed 002 (video-comment analysis) through a real host and the real
//! `comment-analysis` component: the job contract and envelope, the cache
//! policy (hit, `forceRefresh`, an `analysisVersion` bump), and comments
//! read from a local server that answers as the YouTube Data API v3 does
//! (paging, a spent quota, a deleted video).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode as AxumStatus;
use axum::response::IntoResponse;
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60};

/// Comments on a video about family conversations, as a frontend might send
/// them for an internal video.
fn comments() -> Vec<Value> {
    [
        "가족에게 상처 주는 말을 줄이고 싶었는데 뇌과학 설명이 정말 도움이 됐어요",
        "감정 조절이 왜 어려운지 이해가 됩니다. 최고의 영상이에요",
        "엄마랑 대화할 때마다 화가 났는데 반성하게 되네요",
        "뇌과학으로 가족 관계를 설명해 주셔서 좋았어요",
        "해결책이 조금 추상적이라 아쉬워요",
        "감정 조절 방법을 더 구체적으로 알려주세요",
        "가족 소통 영상 또 올려주세요! 감동입니다",
        "현실에서 적용하기는 어렵네요. 별로 와닿지 않았어요",
        "아빠와의 대화가 생각나서 울었어요 ㅠㅠ",
        "심리학과 뇌과학을 같이 설명해 주니 이해가 쉬워요",
    ]
    .iter()
    .map(|c| json!(c))
    .collect()
}

/// As spin.toml grants it: YouTube's host, no key.
fn manifest() -> Manifest {
    Manifest::new()
        .job("comment-analysis", &[("cache", "true"), ("max_attempts", "1")])
        .engine("comment-analysis", "llm")
        .engine("comment-analysis", "embeddings")
        .ai_model("comment-analysis", "default")
        .grant("comment-analysis", "https://www.googleapis.com")
        .variable("comment-analysis", "youtube_api_key", "{{ youtube_api_key }}")
        .variable("comment-analysis", "youtube_api_url", "{{ youtube_api_url }}")
        .declare("youtube_api_key", "{ default = \"\" }")
        .declare("youtube_api_url", "{ default = \"\" }")
}

/// The manifest with YouTube at `origin` and a key.
fn youtube_manifest(origin: &str) -> Manifest {
    Manifest::new()
        .job("comment-analysis", &[("cache", "true"), ("max_attempts", "1")])
        .engine("comment-analysis", "llm")
        .engine("comment-analysis", "embeddings")
        .ai_model("comment-analysis", "default")
        .grant("comment-analysis", origin)
        .variable("comment-analysis", "youtube_api_key", "{{ youtube_api_key }}")
        .variable("comment-analysis", "youtube_api_url", &format!("{origin}/youtube/v3"))
        .declare("youtube_api_key", "{ default = \"yt-test-key\" }")
}

async fn create(host: &Host, body: &Value) -> (StatusCode, Value) {
    let (status, _, reply) = host.post_json("/api/analysis/jobs", body).await;
    (status, reply)
}

/// Poll the status route until the job is `completed` or `failed`.
async fn finished(host: &Host, job_id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + SECS_60;
    loop {
        let (status, _, body) = host.get(&format!("/api/analysis/jobs/{job_id}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["success"], true, "{body}");
        assert!(body["meta"]["requestId"].is_string() && body["meta"]["timestamp"].is_string(), "{body}");
        let state = body["data"]["status"].as_str().expect("status").to_string();
        assert!(["queued", "processing", "completed", "failed"].contains(&state.as_str()), "{body}");
        if state == "completed" || state == "failed" {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "never finished: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn supplied(video: &str) -> Value {
    json!({ "videoId": video, "title": "가족에게 상처 주는 말, 뇌과학으로 보기", "comments": comments() })
}

#[tokio::test]
async fn seed_analysis_job_is_queued_then_completed_with_an_analysis_result_v1() {
    let host = Host::start(&manifest(), &[]).await;
    let (status, reply) = create(&host, &supplied("internal-001")).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["success"], true, "{reply}");
    let job_id = reply["data"]["jobId"].as_str().expect("jobId").to_string();
    assert!(["queued", "processing"].contains(&reply["data"]["status"].as_str().unwrap()), "{reply}");
    let body = finished(&host, &job_id).await;
    assert_eq!(body["data"]["status"], "completed", "{body}");
    let result = &body["data"]["result"];
    for key in ["majorReactions", "positivePoints", "weakPoints"] {
        assert!(result["summary"][key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {body}");
    }
    let keywords = result["recommendedKeywords"].as_array().expect("keywords");
    assert!(!keywords.is_empty() && keywords.len() <= 8, "{body}");
    assert!(keywords.iter().any(|k| k.as_str().is_some_and(|k| k.contains("뇌과학"))), "{body}");
    let meta = &result["meta"];
    assert_eq!(meta["schemaVersion"], "analysis-result-v1", "{body}");
    assert_eq!(meta["analysisVersion"], "v1", "{body}");
    assert_eq!(meta["commentSampleCount"], 10, "{body}");
    assert_eq!(meta["cacheHit"], false, "{body}");
    assert_eq!(meta["method"], "statistical", "no model configured: {body}");
    assert_eq!(result["contentIdeas"], json!([]), "content ideas need a model: {body}");
    assert!(meta["warnings"].as_array().is_some_and(|w| !w.is_empty()), "{body}");
}

#[tokio::test]
async fn seed_analysis_without_video_id_is_common_invalid_request_naming_it() {
    let host = Host::start(&manifest(), &[]).await;
    for body in [json!({}), json!({ "videoId": "" }), json!({ "videoId": "  ", "forceRefresh": true })] {
        let (status, reply) = create(&host, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
        assert_eq!(reply["success"], false, "{reply}");
        assert_eq!(reply["error"]["code"], "COMMON_INVALID_REQUEST", "{reply}");
        assert!(reply["error"]["message"].as_str().unwrap().contains("videoId"), "{reply}");
        assert!(reply["meta"]["requestId"].is_string(), "{reply}");
    }
}

#[tokio::test]
async fn seed_analysis_unknown_job_is_analysis_job_not_found() {
    let host = Host::start(&manifest(), &[]).await;
    let (status, _, reply) = host.get("/api/analysis/jobs/job_does_not_exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{reply}");
    assert_eq!(reply["success"], false);
    assert_eq!(reply["error"]["code"], "ANALYSIS_JOB_NOT_FOUND", "{reply}");
}

#[tokio::test]
async fn seed_analysis_cached_result_is_returned_at_once_unless_force_refresh() {
    let host = Host::start(&manifest(), &[]).await;
    let (_, first) = create(&host, &supplied("internal-cache")).await;
    let first_id = first["data"]["jobId"].as_str().unwrap().to_string();
    finished(&host, &first_id).await;

    let (status, hit) = create(&host, &supplied("internal-cache")).await;
    assert_eq!(status, StatusCode::OK, "{hit}");
    assert_eq!(hit["data"]["status"], "completed", "{hit}");
    assert_eq!(hit["data"]["jobId"], first_id.as_str(), "{hit}");
    assert_eq!(hit["meta"]["cacheHit"], true, "{hit}");
    assert_eq!(hit["data"]["result"]["meta"]["cacheHit"], true, "{hit}");

    let mut refresh = supplied("internal-cache");
    refresh["forceRefresh"] = json!(true);
    let (_, again) = create(&host, &refresh).await;
    assert_ne!(again["data"]["jobId"], first_id.as_str(), "forceRefresh runs a new job: {again}");
    assert_eq!(again["meta"]["cacheHit"], false, "{again}");
    assert!(again["data"].get("result").is_none(), "{again}");
}

#[tokio::test]
async fn seed_analysis_version_bump_makes_earlier_results_stale() {
    let mut host = Host::start(&manifest(), &[]).await;
    let (_, first) = create(&host, &supplied("internal-version")).await;
    let first_id = first["data"]["jobId"].as_str().unwrap().to_string();
    finished(&host, &first_id).await;
    host.restart_with(&["--analysis-version", "v2"]).await;

    let (_, after) = create(&host, &supplied("internal-version")).await;
    assert_ne!(after["data"]["jobId"], first_id.as_str(), "a new version runs anew: {after}");
    assert_eq!(after["meta"]["cacheHit"], false, "{after}");
    let body = finished(&host, after["data"]["jobId"].as_str().unwrap()).await;
    assert_eq!(body["data"]["result"]["meta"]["analysisVersion"], "v2", "{body}");
}

#[tokio::test]
async fn seed_analysis_without_youtube_key_or_comments_fails_naming_the_setting() {
    let host = Host::start(&manifest(), &[]).await;
    let (_, reply) = create(&host, &json!({ "videoId": "dQw4w9WgXcQ" })).await;
    let body = finished(&host, reply["data"]["jobId"].as_str().unwrap()).await;
    assert_eq!(body["success"], true, "a failed job is still a successful status read: {body}");
    assert_eq!(body["data"]["status"], "failed", "{body}");
    assert_eq!(body["data"]["error"]["code"], "ANALYSIS_EXTERNAL_API_ERROR", "{body}");
    assert!(body["data"]["error"]["message"].as_str().unwrap().contains("youtube_api_key"), "{body}");
}

/// What the YouTube double answers, by video id.
#[derive(Clone, Default)]
struct YouTube {
    seen: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
}

impl YouTube {
    async fn start() -> (YouTube, String) {
        let youtube = YouTube::default();
        let app = axum::Router::new()
            .route("/youtube/v3/videos", get(videos))
            .route("/youtube/v3/commentThreads", get(comment_threads))
            .with_state(youtube.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (youtube, origin)
    }

    fn comment_pages_read(&self) -> usize {
        self.seen.lock().unwrap().iter().filter(|q| q.contains_key("videoId")).count()
    }
}

fn quota_exceeded() -> axum::response::Response {
    let body = json!({ "error": { "code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
        "errors": [{ "message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded" }] } });
    (AxumStatus::FORBIDDEN, axum::Json(body)).into_response()
}

async fn videos(State(yt): State<YouTube>, Query(q): Query<BTreeMap<String, String>>) -> axum::response::Response {
    if q.get("key").map(String::as_str) != Some("yt-test-key") {
        return (
            AxumStatus::BAD_REQUEST,
            axum::Json(json!({ "error": { "code": 400, "message": "API key not valid" } })),
        )
            .into_response();
    }
    yt.seen.lock().unwrap().push(q.clone());
    match q.get("id").map(String::as_str) {
        Some("quota") => quota_exceeded(),
        Some("deleted") => axum::Json(json!({ "kind": "youtube#videoListResponse", "items": [],
            "pageInfo": { "totalResults": 0, "resultsPerPage": 0 } }))
        .into_response(),
        Some(id) => axum::Json(json!({ "kind": "youtube#videoListResponse", "items": [{
            "kind": "youtube#video", "id": id,
            "snippet": { "title": "가족에게 상처 주는 말, 뇌과학으로 보기", "description": "가족 소통과 감정 조절에 관한 영상" } }] }))
        .into_response(),
        None => (AxumStatus::BAD_REQUEST, "no id").into_response(),
    }
}

/// Three pages of comments: the first two of four, the last of two.
async fn comment_threads(
    State(yt): State<YouTube>,
    Query(q): Query<BTreeMap<String, String>>,
) -> axum::response::Response {
    yt.seen.lock().unwrap().push(q.clone());
    let all = comments();
    let (range, next) = match q.get("pageToken").map(String::as_str) {
        None => (0..4, Some("page2")),
        Some("page2") => (4..8, Some("page3")),
        Some("page3") => (8..10, None),
        Some(_) => return (AxumStatus::BAD_REQUEST, "bad page token").into_response(),
    };
    let items: Vec<Value> = all[range]
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({ "kind": "youtube#commentThread", "id": format!("c{i}"), "snippet": {
                "topLevelComment": { "snippet": { "textDisplay": text, "textOriginal": text, "likeCount": i } } } })
        })
        .collect();
    let mut body = json!({ "kind": "youtube#commentThreadListResponse", "items": items });
    if let Some(token) = next {
        body["nextPageToken"] = json!(token);
    }
    axum::Json(body).into_response()
}

#[tokio::test]
async fn seed_analysis_reads_youtube_comments_across_pages() {
    let (youtube, origin) = YouTube::start().await;
    let host = Host::start(&youtube_manifest(&origin), &[]).await;
    let (_, reply) = create(&host, &json!({ "videoId": "abc123" })).await;
    let body = finished(&host, reply["data"]["jobId"].as_str().unwrap()).await;
    assert_eq!(body["data"]["status"], "completed", "{body}");
    assert_eq!(youtube.comment_pages_read(), 3, "three pages of comments");
    let meta = &body["data"]["result"]["meta"];
    assert_eq!(meta["commentSampleCount"], 10, "{body}");
    assert_eq!(meta["analysisBasis"], json!(["title", "description", "comments"]), "{body}");
}

#[tokio::test]
async fn seed_analysis_of_a_spent_youtube_quota_fails_with_external_api_error() {
    let (_youtube, origin) = YouTube::start().await;
    let host = Host::start(&youtube_manifest(&origin), &[]).await;
    let (_, reply) = create(&host, &json!({ "videoId": "quota" })).await;
    let body = finished(&host, reply["data"]["jobId"].as_str().unwrap()).await;
    assert_eq!(body["data"]["status"], "failed", "{body}");
    assert_eq!(body["data"]["error"]["code"], "ANALYSIS_EXTERNAL_API_ERROR", "{body}");
    assert!(body["data"]["error"]["message"].as_str().unwrap().to_lowercase().contains("quota"), "{body}");
}

#[tokio::test]
async fn seed_analysis_of_a_deleted_video_fails_with_video_not_found() {
    let (_youtube, origin) = YouTube::start().await;
    let host = Host::start(&youtube_manifest(&origin), &[]).await;
    let (_, reply) = create(&host, &json!({ "videoId": "deleted" })).await;
    let body = finished(&host, reply["data"]["jobId"].as_str().unwrap()).await;
    assert_eq!(body["data"]["status"], "failed", "{body}");
    assert_eq!(body["data"]["error"]["code"], "ANALYSIS_VIDEO_NOT_FOUND", "{body}");
}

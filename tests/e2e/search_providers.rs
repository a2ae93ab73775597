//! 특허 and 뉴스 (seed 000 §4.2): the regeneration component calls its
//! search providers itself over outgoing HTTP, with credentials that reach
//! it as configuration variables (spin.toml's `[variables]`, values from the
//! environment or the runtime-config file). The providers are a local server
//! answering exactly as KIPRIS Plus (XML) and Naver's news search (JSON) do.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::business::wait_celery;
use crate::harness::{Host, Manifest, SECS_60, serve_until_exit, workspace};

const KIPRIS_PATH: &str = "/kipo-api/kipi/patUtiModInfoSearchSevice/getAdvancedSearch";
const NEWS_PATH: &str = "/v1/search/news.json";

/// A request as the provider saw it: path, query, headers.
type Seen = (String, BTreeMap<String, String>, BTreeMap<String, String>);

#[derive(Clone, Default)]
struct Providers {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Providers {
    /// Start on a free loopback port; returns the providers and `http://127.0.0.1:PORT`.
    async fn start() -> (Providers, String) {
        let providers = Providers::default();
        let app = axum::Router::new()
            .route(KIPRIS_PATH, get(kipris))
            .route(NEWS_PATH, get(news))
            .with_state(providers.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (providers, origin)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn record(&self, path: &str, query: BTreeMap<String, String>, headers: &HeaderMap) {
        let headers =
            headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect();
        self.seen.lock().unwrap().push((path.to_string(), query, headers));
    }
}

fn data(name: &str) -> String {
    std::fs::read_to_string(workspace().join("components/regeneration/tests/data").join(name)).expect("provider data")
}

async fn kipris(
    State(providers): State<Providers>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    providers.record(KIPRIS_PATH, query.clone(), &headers);
    // KIPRIS answers 200 with `successYN` N for a key it does not know.
    let body = if query.get("ServiceKey").map(String::as_str) == Some("kipris-test-key") {
        data("kipris-advanced-search.xml")
    } else {
        "<response><header><successYN>N</successYN><resultCode>30</resultCode>\
         <resultMsg>SERVICE KEY IS NOT REGISTERED ERROR.</resultMsg></header></response>"
            .to_string()
    };
    ([("content-type", "text/xml;charset=UTF-8")], body)
}

async fn news(
    State(providers): State<Providers>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> axum::response::Response {
    providers.record(NEWS_PATH, query, &headers);
    let id = headers.get("x-naver-client-id").and_then(|v| v.to_str().ok());
    let secret = headers.get("x-naver-client-secret").and_then(|v| v.to_str().ok());
    if (id, secret) != (Some("naver-id"), Some("naver-secret")) {
        let refusal = json!({"errorMessage": "Authentication failed. (인증에 실패했습니다.)", "errorCode": "024"});
        return (StatusCode::UNAUTHORIZED, axum::Json(refusal)).into_response();
    }
    ([("content-type", "application/json")], data("naver-news.json")).into_response()
}

/// Seed 000's regeneration, granted only `origin`, with its provider
/// endpoints on it and credentials from variables without defaults.
fn manifest(origin: &str) -> Manifest {
    Manifest::new()
        .job("regeneration", &[("max_attempts", "1")])
        .engine("regeneration", "llm")
        .ai_model("regeneration", "default")
        .grant("regeneration", origin)
        .variable("regeneration", "patent_search_key", "{{ kipris_api_key }}")
        .variable("regeneration", "patent_search_url", &format!("{origin}{KIPRIS_PATH}"))
        .variable("regeneration", "news_client_id", "{{ naver_client_id }}")
        .variable("regeneration", "news_client_secret", "{{ naver_client_secret }}")
        .variable("regeneration", "news_search_url", "{{ news_url }}")
        .declare("kipris_api_key", "{ default = \"\" }")
        .declare("naver_client_id", "{ default = \"\" }")
        .declare("naver_client_secret", "{ default = \"\" }")
        .declare("news_url", &format!("{{ default = \"{origin}{NEWS_PATH}\" }}"))
}

/// Submit through seed 000's route and wait for the Celery state `wanted`.
async fn regenerate(host: &Host, classification: &str, subject: &str, wanted: &str) -> Value {
    let (status, _, body) =
        host.post_json("/api/reports/regenerate", &json!({"classification": classification, "subject": subject})).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    wait_celery(host, body["task_id"].as_str().expect("task_id"), wanted).await
}

fn runtime_config(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("runtime.toml");
    std::fs::write(&path, text).expect("runtime config");
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn patents_are_searched_with_the_service_key_from_the_runtime_config_file() {
    let (providers, origin) = Providers::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = runtime_config(&dir, "[variables]\nkipris_api_key = \"kipris-test-key\"\n");
    let host = Host::start(&manifest(&origin), &["--runtime-config", &config]).await;
    let done = regenerate(&host, "특허", "AI 헬스케어", "SUCCESS").await;
    let result = &done["result"];
    assert_eq!(result["result"], "success", "{done}");
    assert_eq!(result["method"], "search");
    let contents = result["contents"].as_str().unwrap();
    assert!(contents.contains("인공지능 기반 원격 건강 상태 모니터링 시스템 및 방법"), "{contents}");
    let numbers: Vec<&str> =
        result["search"]["items"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["1020230045678", "1020200098765"], "filed since 2020 only");
    let seen = providers.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].1["ServiceKey"], "kipris-test-key");
    assert_eq!(seen[0].1["word"], "AI 헬스케어");
    assert!(seen[0].1["applicationDate"].starts_with("20200101~"), "{:?}", seen[0].1);
}

#[tokio::test]
async fn news_credentials_from_the_environment_reach_the_provider_as_headers() {
    let (providers, origin) = Providers::start().await;
    let env =
        [("CAPSULE_VARIABLE_NAVER_CLIENT_ID", "naver-id"), ("CAPSULE_VARIABLE_NAVER_CLIENT_SECRET", "naver-secret")];
    let host = Host::start_with_env(&manifest(&origin), &[], &env).await;
    let done = regenerate(&host, "뉴스", "AI 헬스케어", "SUCCESS").await;
    let items = done["result"]["search"]["items"].as_array().expect("items");
    assert_eq!(items[0]["title"], "\"AI 헬스케어\" 시장, 3년 새 두 배로 커졌다", "{done}");
    assert_eq!(items[0]["source"], "etnews.com");
    let seen = providers.seen();
    assert_eq!(seen[0].0, NEWS_PATH);
    assert_eq!((seen[0].1["query"].as_str(), seen[0].1["sort"].as_str()), ("AI 헬스케어", "date"));
    assert!(!host.log_text().contains("naver-secret"), "a credential was logged");
}

#[tokio::test]
async fn the_environment_overrides_the_runtime_config_file() {
    let (providers, origin) = Providers::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = runtime_config(&dir, "[variables]\nkipris_api_key = \"stale-key\"\n");
    let env = [("CAPSULE_VARIABLE_KIPRIS_API_KEY", "kipris-test-key")];
    let host = Host::start_with_env(&manifest(&origin), &["--runtime-config", &config], &env).await;
    regenerate(&host, "특허", "AI", "SUCCESS").await;
    assert_eq!(providers.seen()[0].1["ServiceKey"], "kipris-test-key");
}

#[tokio::test]
async fn a_search_without_credentials_fails_not_configured_and_sends_nothing() {
    let (providers, origin) = Providers::start().await;
    let host = Host::start(&manifest(&origin), &[]).await;
    for (classification, key) in [("특허", "patent_search_key"), ("뉴스", "news_client_id")] {
        let failed = regenerate(&host, classification, "AI", "FAILURE").await;
        let error = failed["error"].as_str().unwrap();
        assert!(error.starts_with("SEARCH_NOT_CONFIGURED") && error.contains(key), "{failed}");
    }
    assert!(providers.seen().is_empty(), "a request left without credentials");
}

#[tokio::test]
async fn a_key_the_provider_refuses_fails_upstream_with_the_providers_message() {
    let (_providers, origin) = Providers::start().await;
    let env = [("CAPSULE_VARIABLE_KIPRIS_API_KEY", "revoked-key")];
    let host = Host::start_with_env(&manifest(&origin), &[], &env).await;
    let failed = regenerate(&host, "특허", "AI", "FAILURE").await;
    let error = failed["error"].as_str().unwrap();
    assert!(error.starts_with("SEARCH_UPSTREAM_FAILED") && error.contains("SERVICE KEY IS NOT REGISTERED"), "{failed}");
}

#[tokio::test]
async fn a_provider_address_outside_the_grants_is_refused_before_it_is_reached() {
    let (granted, origin) = Providers::start().await;
    let (elsewhere, other_origin) = Providers::start().await;
    let elsewhere_url = format!("{other_origin}{NEWS_PATH}");
    let env = [
        ("CAPSULE_VARIABLE_NAVER_CLIENT_ID", "naver-id"),
        ("CAPSULE_VARIABLE_NAVER_CLIENT_SECRET", "naver-secret"),
        ("CAPSULE_VARIABLE_NEWS_URL", elsewhere_url.as_str()),
    ];
    let host = Host::start_with_env(&manifest(&origin), &[], &env).await;
    let failed = regenerate(&host, "뉴스", "AI", "FAILURE").await;
    let error = failed["error"].as_str().unwrap();
    assert!(error.starts_with("SEARCH_NOT_CONFIGURED") && error.contains("allowed_outbound_hosts"), "{failed}");
    assert!(elsewhere.seen().is_empty() && granted.seen().is_empty(), "the request was sent");
}

#[test]
fn a_required_variable_without_a_value_stops_the_host_naming_how_to_set_it() {
    let manifest = Manifest::new()
        .job("http-probe", &[])
        .grant("http-probe", "http://127.0.0.1:9")
        .variable("http-probe", "token", "{{ probe_token }}")
        .declare("probe_token", "{ required = true }");
    let exited = serve_until_exit(&manifest, SECS_60);
    assert!(!exited.status.success(), "capsule started:\n{}", exited.stderr);
    assert!(exited.stderr.contains("CAPSULE_VARIABLE_PROBE_TOKEN"), "{}", exited.stderr);
    assert!(exited.stderr.contains("component.http-probe.variables.token"), "{}", exited.stderr);
}

#[tokio::test]
async fn a_component_reads_its_own_keys_and_no_one_elses() {
    let manifest = manifest("http://127.0.0.1:9")
        .job("http-probe", &[])
        .grant("http-probe", "http://127.0.0.1:9")
        .variable("http-probe", "region", "kr-{{ news_url }}");
    let env = [("CAPSULE_VARIABLE_KIPRIS_API_KEY", "kipris-test-key"), ("CAPSULE_VARIABLE_NEWS_URL", "x")];
    let host = Host::start_with_env(&manifest, &[], &env).await;
    let asked = json!({"config_keys": ["region", "patent_search_key", "kipris_api_key", "news_url"]});
    let id = host.submit("http-probe", &asked).await;
    let job = host.wait_terminal(&id, SECS_60).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        job["result"],
        json!({"region": "kr-x", "patent_search_key": null, "kipris_api_key": null, "news_url": null}),
        "another component's key, or a variable itself, was readable"
    );
}

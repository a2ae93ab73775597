//! Browsers on other origins: preflights and CORS headers, checked the way a
//! browser engine checks them (the allow-* headers of the answer).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use crate::harness::{Host, Manifest, SECS_30, serve_until_exit_with};

const APP: &str = "https://app.example.com";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The comma-separated values of a header, lower case.
fn list(headers: &HeaderMap, name: &str) -> Vec<String> {
    header(headers, name).map(|v| v.split(',').map(|s| s.trim().to_ascii_lowercase()).collect()).unwrap_or_default()
}

/// A browser's preflight for a POST with an API key and a JSON body.
async fn preflight(host: &Host, path: &str, origin: &str) -> (StatusCode, HeaderMap) {
    let response = host
        .client()
        .request(reqwest::Method::OPTIONS, host.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, x-api-key, content-type")
        .send()
        .await
        .expect("preflight");
    (response.status(), response.headers().clone())
}

async fn echo_host(args: &[&str]) -> Host {
    Host::start(&Manifest::new().job("echo", &[]), args).await
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_gets_methods_headers_and_max_age() {
    let host = echo_host(&["--cors-origins", &format!("{APP}, https://admin.example.com")]).await;
    let (status, headers) = preflight(&host, "/api/v1/echo/jobs", APP).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some(APP), "{headers:?}");
    let methods = list(&headers, "access-control-allow-methods");
    for method in ["get", "head", "post", "put", "delete", "options"] {
        assert!(methods.contains(&method.to_string()), "{method} not in {methods:?}");
    }
    let allowed = list(&headers, "access-control-allow-headers");
    for name in ["authorization", "x-api-key", "content-type", "last-event-id"] {
        assert!(allowed.contains(&name.to_string()), "{name} not in {allowed:?}");
    }
    assert_eq!(header(&headers, "access-control-max-age"), Some("600"), "{headers:?}");
    assert_eq!(header(&headers, "access-control-allow-credentials"), None, "{headers:?}");
}

#[tokio::test]
async fn a_preflight_answers_2xx_on_every_route_instead_of_405() {
    let host = echo_host(&["--cors-origins", APP]).await;
    for path in
        ["/api/v1/echo/jobs", "/api/v1/jobs/job_x", "/api/v1/files", "/ai/calendar/parse", "/health", "/no/such/route"]
    {
        let (status, headers) = preflight(&host, path, APP).await;
        assert!(status.is_success(), "{path}: {status}");
        assert_eq!(header(&headers, "access-control-allow-origin"), Some(APP), "{path}: {headers:?}");
    }
}

#[tokio::test]
async fn a_preflight_from_an_origin_not_listed_gets_no_allow_origin() {
    let host = echo_host(&["--cors-origins", APP]).await;
    for origin in ["https://evil.example.com", "http://app.example.com", "http://localhost:5173"] {
        let (_, headers) = preflight(&host, "/api/v1/echo/jobs", origin).await;
        assert_eq!(header(&headers, "access-control-allow-origin"), None, "{origin}: {headers:?}");
    }
}

#[tokio::test]
async fn by_default_only_loopback_development_origins_are_allowed() {
    let host = echo_host(&[]).await;
    for origin in ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"] {
        let (_, headers) = preflight(&host, "/api/v1/echo/jobs", origin).await;
        assert_eq!(header(&headers, "access-control-allow-origin"), Some(origin), "{origin}: {headers:?}");
    }
    for origin in [APP, "http://localhost.example.com", "https://127.0.0.1.example.com:443"] {
        let (_, headers) = preflight(&host, "/api/v1/echo/jobs", origin).await;
        assert_eq!(header(&headers, "access-control-allow-origin"), None, "{origin}: {headers:?}");
    }
}

#[tokio::test]
async fn star_allows_any_origin_without_credentials() {
    let host = echo_host(&["--cors-origins", "*"]).await;
    let (status, headers) = preflight(&host, "/api/v1/echo/jobs", "https://anywhere.example.org").await;
    assert!(status.is_success(), "{status}");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"), "{headers:?}");
    assert_eq!(header(&headers, "access-control-allow-credentials"), None, "{headers:?}");
    let (_, headers, _) = host.send(host.client().get(host.url("/health")).header("origin", APP)).await;
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"), "{headers:?}");
    assert_eq!(header(&headers, "access-control-allow-credentials"), None, "{headers:?}");
}

#[tokio::test]
async fn a_cross_origin_response_exposes_the_request_id_and_retry_after() {
    let host = echo_host(&["--cors-origins", APP]).await;
    let request =
        host.client().post(host.url("/api/v1/echo/jobs")).header("origin", APP).json(&json!({"message": "hi"}));
    let (status, headers, body) = host.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some(APP), "{headers:?}");
    let exposed = list(&headers, "access-control-expose-headers");
    for name in ["x-request-id", "retry-after", "content-disposition", "location"] {
        assert!(exposed.contains(&name.to_string()), "{name} not in {exposed:?}");
    }
}

#[tokio::test]
async fn a_cross_origin_event_stream_carries_allow_origin_and_its_events() {
    let host = Host::start(&Manifest::new().job("slow", &[]), &["--cors-origins", APP]).await;
    let id = host.submit("slow", &json!({"steps": 3, "step_ms": 100})).await;
    let stream = host.open_events_with(&id, SECS_30, &[("origin", APP), ("last-event-id", "0")]).await;
    assert_eq!(header(stream.headers(), "access-control-allow-origin"), Some(APP), "{:?}", stream.headers());
    let events = stream.collect().await;
    let (last, data) = events.last().expect("events");
    assert_eq!(last, "completed", "{events:?}");
    assert_eq!(data["result"]["steps_done"], 3, "{data}");
}

#[test]
fn an_invalid_cors_origin_stops_start_up_naming_it() {
    let manifest = Manifest::new().job("echo", &[]);
    for bad in ["app.example.com", "https://app.example.com/"] {
        let exited = serve_until_exit_with(&manifest, &["--cors-origins", bad], Duration::from_secs(30));
        assert!(!exited.status.success(), "{bad} was accepted");
        assert!(exited.stderr.contains(bad), "the error does not name {bad}:\n{}", exited.stderr);
        assert!(exited.stderr.contains("origin"), "{}", exited.stderr);
    }
}

//! Self-description: `/openapi.json` built from the components' schemas,
//! the Swagger UI page and its bundled assets, and `/health`.

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Host, Manifest};

fn docs_manifest() -> Manifest {
    Manifest::new().job("echo", &[]).job("slow", &[])
}

async fn capabilities(host: &Host) -> Vec<Value> {
    let (status, _, body) = host.get("/api/v1/capabilities").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["capabilities"].as_array().expect("capabilities").clone()
}

#[tokio::test]
async fn openapi_document_describes_each_capability_with_its_input_schema() {
    let host = Host::start(&docs_manifest(), &[]).await;
    let (status, _, doc) = host.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1"), "{version}");

    let caps = capabilities(&host).await;
    assert_eq!(caps.len(), 2, "{caps:?}");
    for cap in &caps {
        let name = cap["name"].as_str().expect("name");
        let op = &doc["paths"][format!("/api/v1/{name}/jobs")]["post"];
        assert!(op.is_object(), "no POST /api/v1/{name}/jobs in {}", doc["paths"]);
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(*schema, cap["inputSchema"], "request schema of {name}");
        assert!(doc["paths"][format!("/api/v1/{name}")]["post"].is_object(), "no sync route for {name}");
    }
    let echo_schema =
        &doc["paths"]["/api/v1/echo/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(echo_schema["properties"]["message"]["type"], "string", "{echo_schema}");
    for path in ["/api/v1/jobs/{id}", "/api/v1/jobs/{id}/events", "/api/v1/jobs", "/api/v1/files", "/health"] {
        assert!(doc["paths"][path].is_object(), "no {path} in the document");
    }
}

#[tokio::test]
async fn docs_page_loads_the_bundled_swagger_ui() {
    let host = Host::start(&docs_manifest(), &[]).await;
    let response = host.client().get(host.url("/docs")).send().await.expect("GET /docs");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().expect("content type").to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.expect("docs page");
    assert!(html.contains("/docs/swagger-ui-bundle.js"), "{html}");
    assert!(html.contains("/openapi.json"), "{html}");

    let response = host.client().get(host.url("/docs/swagger-ui-bundle.js")).send().await.expect("GET bundle");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().expect("content type").to_string();
    assert!(content_type.contains("javascript"), "{content_type}");
    let js = response.text().await.expect("bundle");
    assert!(js.len() > 100_000, "the bundle is only {} bytes", js.len());
    assert!(js.contains("SwaggerUIBundle"));

    let response = host.client().get(host.url("/docs/swagger-ui.css")).send().await.expect("GET css");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn health_lists_components_with_their_digests() {
    let host = Host::start(&docs_manifest(), &[]).await;
    let (status, _, body) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], "ok", "{body}");
    let components = body["data"]["components"].as_array().expect("components");
    let mut names: Vec<&str> = components.iter().map(|c| c["name"].as_str().expect("name")).collect();
    names.sort();
    assert_eq!(names, ["echo", "slow"], "{body}");

    let caps = capabilities(&host).await;
    for c in components {
        let digest = c["digest"].as_str().expect("digest");
        assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64, "{digest}");
        let cap = caps.iter().find(|cap| cap["name"] == c["name"]).expect("the capability");
        assert_eq!(cap["digest"], digest, "health and capabilities disagree on {}", c["name"]);
    }
}

//! Seed 003's accounts through a real host: sign-up, login, `me`, each
//! documented refusal, token expiry and forgery, login throttling, and
//! Google login (authorization code with PKCE and `state`) against a local
//! OpenID-Connect provider the test starts.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use capsule_accounts::test_server::{OidcTestServer, TestUser};

use crate::harness::{Host, Manifest};

pub async fn signup(host: &Host, email: &str) -> String {
    let (status, _, body) = host
        .post_json("/api/auth/signup", &json!({"username": "편집자", "email": email, "password": "correct horse 1"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("a token").to_string()
}

pub async fn get_as(host: &Host, token: &str, path: &str) -> (StatusCode, Value) {
    let r = host.client().get(host.url(path)).bearer_auth(token).send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn post_as(host: &Host, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = host.client().post(host.url(path)).bearer_auth(token).json(body).send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn signup_answers_a_bearer_token_and_the_user_that_me_reads_back() {
    let host = Host::start(&Manifest::new(), &[]).await;
    let (status, _, body) = host
        .post_json(
            "/api/auth/signup",
            &json!({"username": "user123", "email": " User@Example.com ", "password": "password123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let user = &body["user"];
    assert_eq!((user["name"].as_str(), user["email"].as_str()), (Some("user123"), Some("user@example.com")));
    assert_eq!((user["auth_provider"].as_str(), user["is_active"].as_bool()), (Some("local"), Some(true)));
    assert!(user["id"].is_i64() && user["created_at"].is_string(), "{user}");
    let (status, me) = get_as(&host, body["access_token"].as_str().unwrap(), "/api/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&me, user);
    let (status, _, login) =
        host.post_json("/api/auth/login", &json!({"email": "user@example.com", "password": "password123"})).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["user"]["id"], user["id"]);
}

#[tokio::test]
async fn a_taken_email_is_409_with_the_seeds_sentence() {
    let host = Host::start(&Manifest::new(), &[]).await;
    signup(&host, "taken@example.com").await;
    let (status, _, body) = host
        .post_json(
            "/api/auth/signup",
            &json!({"username": "other", "email": "TAKEN@example.com", "password": "password123"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["detail"], "이미 존재하는 이메일입니다");
}

#[tokio::test]
async fn invalid_fields_are_422_with_msg_and_message_as_the_guide_parses_them() {
    let host = Host::start(&Manifest::new(), &[]).await;
    let (status, _, body) = host
        .post_json("/api/auth/signup", &json!({"username": "user", "email": "not-an-email", "password": "password123"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = body["detail"].as_array().expect("a list");
    assert_eq!(detail[0]["msg"], "이메일 형식이 올바르지 않습니다");
    assert_eq!(detail[0]["message"], "Invalid email format");
    let (status, _, body) = host.post_json("/api/auth/signup", &json!({"email": "a@example.com"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["detail"].as_array().unwrap().iter().map(|d| d["loc"][1].as_str().unwrap()).collect();
    assert_eq!(fields, ["username", "password"], "{body}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_are_both_401() {
    let host = Host::start(&Manifest::new(), &[]).await;
    signup(&host, "who@example.com").await;
    for (email, password) in [("who@example.com", "wrong password"), ("nobody@example.com", "password123")] {
        let (status, headers, body) =
            host.post_json("/api/auth/login", &json!({"email": email, "password": password})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"], "INVALID_CREDENTIALS");
        assert_eq!(headers["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn no_token_an_expired_token_and_a_forged_token_are_each_401() {
    let host = Host::start(&Manifest::new(), &["--token-ttl", "1s"]).await;
    let token = signup(&host, "short@example.com").await;
    let (status, body) = get_as(&host, &token, "/api/auth/me").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = host.get("/api/auth/me").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("TOKEN_REQUIRED")));
    // Another payload under the same signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = parts[1].chars().rev().collect();
    let (status, body) = get_as(&host, &parts.join("."), "/api/auth/me").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("TOKEN_INVALID")));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = get_as(&host, &token, "/api/auth/me").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("TOKEN_EXPIRED")));
}

#[tokio::test]
async fn a_token_signed_by_another_host_is_refused() {
    let one = Host::start(&Manifest::new(), &[]).await;
    let other = Host::start(&Manifest::new(), &[]).await;
    let token = signup(&one, "one@example.com").await;
    let (status, body) = get_as(&other, &token, "/api/auth/me").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("TOKEN_INVALID")));
}

#[tokio::test]
async fn login_attempts_over_the_limit_are_429_with_retry_after() {
    let host = Host::start(&Manifest::new(), &["--login-attempts-per-email", "3"]).await;
    signup(&host, "limited@example.com").await;
    for _ in 0..3 {
        let (status, _, _) = host
            .post_json("/api/auth/login", &json!({"email": "limited@example.com", "password": "guess guess"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, body) = host
        .post_json("/api/auth/login", &json!({"email": "limited@example.com", "password": "correct horse 1"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "LOGIN_RATE_LIMITED");
    assert!(headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let (status, _, _) =
        host.post_json("/api/auth/login", &json!({"email": "other@example.com", "password": "whatever1"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the limit is per email");
}

#[tokio::test]
async fn google_login_without_client_settings_is_503_naming_them() {
    let host = Host::start(&Manifest::new(), &[]).await;
    let (status, _, body) = host.get("/api/auth/google/login").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "OAUTH_NOT_CONFIGURED");
    assert!(body["detail"].as_str().unwrap().contains("--google-client-id"), "{body}");
}

/// The flags that point a host's Google login at `provider`.
pub fn provider_flags(provider: &OidcTestServer, client_id: &str, secret: &str) -> Vec<String> {
    let base = &provider.base_url;
    [
        ("--google-client-id", client_id.to_string()),
        ("--google-client-secret", secret.to_string()),
        ("--oauth-authorize-url", format!("{base}/authorize")),
        ("--oauth-token-url", format!("{base}/token")),
        ("--oauth-userinfo-url", format!("{base}/userinfo")),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value])
    .collect()
}

async fn host_with(provider: &OidcTestServer, client_id: &str, secret: &str) -> Host {
    let flags = provider_flags(provider, client_id, secret);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    Host::start(&Manifest::new(), &flags).await
}

/// A browser that does not follow redirects: the test follows each itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().unwrap()
}

/// Where a 302 at `url` sends the browser.
async fn redirect(browser: &reqwest::Client, url: &str) -> String {
    let answer = browser.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::FOUND, "{url}");
    answer.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn google_login_runs_the_pkce_flow_against_a_local_openid_provider() {
    let user = TestUser {
        subject: "google-sub-42".into(),
        email: "oauth@example.com".into(),
        name: "구글 사용자".into(),
        email_verified: true,
    };
    let provider = OidcTestServer::start("client-1", "secret-1", user).await;
    let host = host_with(&provider, "client-1", "secret-1").await;
    let browser = browser();
    let location = redirect(&browser, &host.url("/api/auth/google/login")).await;
    assert!(location.starts_with(&provider.base_url) && location.contains("code_challenge_method=S256"), "{location}");
    let callback = redirect(&browser, &location).await;
    assert!(callback.starts_with(&host.url("/api/auth/google/callback")), "{callback}");
    let answer = browser.get(&callback).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["user"]["email"], "oauth@example.com");
    assert_eq!(
        (body["user"]["auth_provider"].as_str(), body["user"]["is_verified"].as_bool()),
        (Some("google"), Some(true))
    );
    let (status, me) = get_as(&host, body["access_token"].as_str().unwrap(), "/api/auth/me").await;
    assert_eq!((status, me["name"].as_str()), (StatusCode::OK, Some("구글 사용자")));
    // The same callback again: its state was used up.
    let again = browser.get(&callback).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    // A second login of the same person finds the same account.
    let location = redirect(&browser, &host.url("/api/auth/google/login")).await;
    let callback = redirect(&browser, &location).await;
    let second: Value = browser.get(&callback).send().await.unwrap().json().await.unwrap();
    assert_eq!(second["user"]["id"], body["user"]["id"]);
}

#[tokio::test]
async fn a_denied_google_login_is_400_and_makes_no_account() {
    let user =
        TestUser { subject: "s".into(), email: "denied@example.com".into(), name: "n".into(), email_verified: true };
    let provider = OidcTestServer::start("c", "s", user).await;
    provider.set_deny(true);
    let host = host_with(&provider, "c", "s").await;
    let browser = browser();
    let location = redirect(&browser, &host.url("/api/auth/google/login")).await;
    let callback = redirect(&browser, &location).await;
    let answer = browser.get(&callback).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "OAUTH_FAILED");
    let (status, _, _) =
        host.post_json("/api/auth/login", &json!({"email": "denied@example.com", "password": "x12345678"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

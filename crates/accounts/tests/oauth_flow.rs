//! The OAuth login flow end to end, against the local provider of the
//! `test-server` feature: what the host's callback handler will do.

use capsule_accounts::oauth::{self, Callback, Identity, OAuthError, PendingLogins};
use capsule_accounts::test_server::{OidcTestServer, TestUser};

const REDIRECT: &str = "http://127.0.0.1:9/api/auth/google/callback";

fn kim() -> TestUser {
    TestUser {
        subject: "sub-1234".into(),
        email: "kim@example.com".into(),
        name: "김철수".into(),
        email_verified: true,
    }
}

/// A client that shows redirects instead of following them, as the test
/// plays the browser.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// GETs the authorize URL and returns the callback query the provider
/// redirects to (asserting the redirect goes to our callback).
async fn authorize(url: &str) -> Callback {
    let response = browser().get(url).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (target, query) = location.split_once('?').unwrap();
    assert_eq!(target, REDIRECT);
    Callback::parse(query)
}

#[tokio::test]
async fn full_flow_against_the_test_server_yields_the_identity() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let config = server.config(REDIRECT);
    let pending_logins = PendingLogins::new();

    let (url, pending) = oauth::begin(&config);
    assert!(url.starts_with(&format!("{}/authorize?", server.base_url)));
    pending_logins.insert(pending);

    let (code, state) = authorize(&url).await.into_code().unwrap();
    let pending = pending_logins.take(&state).expect("state round-trips");
    let identity = oauth::finish(&config, &reqwest::Client::new(), &code, &pending.verifier).await.unwrap();
    assert_eq!(
        identity,
        Identity {
            subject: "sub-1234".into(),
            email: "kim@example.com".into(),
            email_verified: true,
            name: Some("김철수".into()),
        }
    );

    // The callback cannot be replayed: the state is gone, and the code is used.
    assert!(pending_logins.take(&state).is_none());
    let again = oauth::finish(&config, &reqwest::Client::new(), &code, &pending.verifier).await;
    assert!(matches!(&again, Err(OAuthError::Exchange(m)) if m.contains("invalid_grant")), "{again:?}");
}

#[tokio::test]
async fn finish_with_a_wrong_verifier_is_an_exchange_error_naming_invalid_grant() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let config = server.config(REDIRECT);
    let (url, _pending) = oauth::begin(&config);
    let (code, _) = authorize(&url).await.into_code().unwrap();
    // The verifier of another login: a stolen code is useless without its own.
    let (_, other) = oauth::begin(&config);
    let err = oauth::finish(&config, &reqwest::Client::new(), &code, &other.verifier).await.unwrap_err();
    match &err {
        OAuthError::Exchange(m) => {
            assert!(m.contains("invalid_grant"), "{m}");
            assert!(m.contains("code_verifier"), "{m}");
        }
        other => panic!("expected Exchange, got {other:?}"),
    }
    assert!(err.to_string().contains("invalid_grant"));
}

#[tokio::test]
async fn finish_with_a_wrong_client_secret_or_redirect_is_refused() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let config = server.config(REDIRECT);

    let (url, pending) = oauth::begin(&config);
    let (code, _) = authorize(&url).await.into_code().unwrap();
    let mut wrong = config.clone();
    wrong.client_secret = "guessed".into();
    let err = oauth::finish(&wrong, &reqwest::Client::new(), &code, &pending.verifier).await;
    assert!(matches!(&err, Err(OAuthError::Exchange(m)) if m.contains("invalid_client")), "{err:?}");

    let (url, pending) = oauth::begin(&config);
    let (code, _) = authorize(&url).await.into_code().unwrap();
    let mut wrong = config.clone();
    wrong.redirect_url = "http://127.0.0.1:9/elsewhere".into();
    let err = oauth::finish(&wrong, &reqwest::Client::new(), &code, &pending.verifier).await;
    assert!(
        matches!(&err, Err(OAuthError::Exchange(m)) if m.contains("invalid_grant") && m.contains("redirect_uri")),
        "{err:?}"
    );
}

#[tokio::test]
async fn denied_login_is_denied() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    server.set_deny(true);
    let config = server.config(REDIRECT);
    let (url, pending) = oauth::begin(&config);
    let callback = authorize(&url).await;
    // The state still comes back, so the host can match and drop the login.
    assert_eq!(callback.state.as_deref(), Some(pending.state.as_str()));
    let err = callback.into_code().unwrap_err();
    assert!(matches!(&err, OAuthError::Denied(m) if m.starts_with("access_denied")), "{err:?}");

    server.set_deny(false);
    let (url, _) = oauth::begin(&config);
    assert!(authorize(&url).await.into_code().is_ok());
}

#[tokio::test]
async fn provider_without_an_email_gives_no_email() {
    let mut user = kim();
    user.email = String::new();
    user.name = String::new();
    let server = OidcTestServer::start("client-1", "secret-1", user).await;
    let config = server.config(REDIRECT);
    let (url, pending) = oauth::begin(&config);
    let (code, _) = authorize(&url).await.into_code().unwrap();
    let err = oauth::finish(&config, &reqwest::Client::new(), &code, &pending.verifier).await;
    assert_eq!(err, Err(OAuthError::NoEmail));
}

#[tokio::test]
async fn unverified_email_is_reported_as_such() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let mut user = kim();
    user.email_verified = false;
    user.name = String::new();
    server.set_user(user);
    let config = server.config(REDIRECT);
    let (url, pending) = oauth::begin(&config);
    let (code, _) = authorize(&url).await.into_code().unwrap();
    let identity = oauth::finish(&config, &reqwest::Client::new(), &code, &pending.verifier).await.unwrap();
    assert!(!identity.email_verified);
    assert_eq!(identity.name, None);
}

#[tokio::test]
async fn test_server_refuses_requests_without_pkce_or_a_token() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let http = browser();

    // No code_challenge: redirected back with invalid_request.
    let url = format!(
        "{}/authorize?response_type=code&client_id=client-1&redirect_uri={}&state=s1",
        server.base_url,
        form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let callback = authorize(&url).await;
    assert_eq!(callback.error.as_deref(), Some("invalid_request"));
    assert_eq!(callback.state.as_deref(), Some("s1"));

    // `plain` PKCE is not accepted either.
    let plain = format!("{url}&code_challenge=abc&code_challenge_method=plain");
    assert_eq!(authorize(&plain).await.error.as_deref(), Some("invalid_request"));

    // An unknown client is not redirected at all.
    let response = http.get(url.replace("client-1", "client-2")).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);

    // Userinfo without a valid token.
    let response = http.get(format!("{}/userinfo", server.base_url)).bearer_auth("made-up").send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);

    // Discovery names the endpoints the config uses.
    let discovery: serde_json::Value = http
        .get(format!("{}/.well-known/openid-configuration", server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let config = server.config(REDIRECT);
    assert_eq!(discovery["issuer"], server.base_url.as_str());
    assert_eq!(discovery["token_endpoint"], config.token_url.as_str());
    assert_eq!(discovery["authorization_endpoint"], config.authorize_url.as_str());
    assert_eq!(discovery["code_challenge_methods_supported"][0], "S256");
}

#[tokio::test]
async fn test_server_stops_when_dropped() {
    let server = OidcTestServer::start("client-1", "secret-1", kim()).await;
    let url = format!("{}/.well-known/openid-configuration", server.base_url);
    assert!(reqwest::get(&url).await.unwrap().status().is_success());
    drop(server);
    let mut refused = false;
    for _ in 0..50 {
        // A fresh client each time, so no pooled connection is reused.
        if reqwest::Client::new().get(&url).send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the server still answers after being dropped");
}

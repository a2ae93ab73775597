//! A local OpenID-Connect-style provider for end-to-end tests.
//!
//! It speaks the same protocol as Google's endpoints, as far as [`crate::oauth`]
//! uses it, and checks the client as strictly as a real provider (client
//! credentials, one-time codes, the same `redirect_uri`, the PKCE S256
//! verifier), so a test that passes against it exercises the real flow.
//! Instead of a login page, `GET /authorize` logs in the configured
//! [`TestUser`] at once and redirects back; the test follows that redirect
//! itself (or, with [`OidcTestServer::set_deny`], gets `error=access_denied`).
//!
//! ```no_run
//! # async fn demo() {
//! use capsule_accounts::test_server::{OidcTestServer, TestUser};
//! let server = OidcTestServer::start("client", "secret", TestUser {
//!     subject: "1234".into(),
//!     email: "kim@example.com".into(),
//!     name: "Kim".into(),
//!     email_verified: true,
//! }).await;
//! let config = server.config("http://127.0.0.1:8080/api/auth/google/callback");
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::oneshot;

use crate::oauth::{OAuthConfig, challenge};

/// How long an authorization code may wait to be exchanged.
const CODE_TTL: Duration = Duration::from_secs(60);

/// The user whom the server logs in. Empty `email` or `name` are left out of
/// the userinfo answer (to test a provider that withholds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    pub subject: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
}

/// A running provider on `127.0.0.1`; it stops when dropped.
pub struct OidcTestServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

struct Shared {
    base_url: String,
    client_id: String,
    client_secret: String,
    state: Mutex<ServerState>,
}

struct ServerState {
    user: TestUser,
    deny: bool,
    codes: HashMap<String, Grant>,
    /// Access token → the user it was issued for.
    tokens: HashMap<String, TestUser>,
}

/// What `/authorize` promised, to be checked at `/token`.
struct Grant {
    redirect_uri: String,
    code_challenge: String,
    user: TestUser,
    issued: Instant,
    used: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl OidcTestServer {
    /// Starts a provider on a free port of 127.0.0.1 that knows one client
    /// and logs in `user`. Runs on the current tokio runtime.
    ///
    /// Panics if no port can be bound: it is a test helper.
    pub async fn start(client_id: impl Into<String>, client_secret: impl Into<String>, user: TestUser) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the OIDC test server could not bind a port on 127.0.0.1");
        let address = listener.local_addr().expect("a bound listener has an address");
        let base_url = format!("http://{address}");
        let shared = Arc::new(Shared {
            base_url: base_url.clone(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            state: Mutex::new(ServerState { user, deny: false, codes: HashMap::new(), tokens: HashMap::new() }),
        });
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/.well-known/openid-configuration", get(discovery))
            .with_state(shared.clone());
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await;
        });
        Self { base_url, shared, shutdown: Some(shutdown) }
    }

    /// An [`OAuthConfig`] for this server and its client, with this
    /// callback URL.
    pub fn config(&self, redirect_url: impl Into<String>) -> OAuthConfig {
        OAuthConfig {
            client_id: self.shared.client_id.clone(),
            client_secret: self.shared.client_secret.clone(),
            authorize_url: format!("{}/authorize", self.base_url),
            token_url: format!("{}/token", self.base_url),
            userinfo_url: format!("{}/userinfo", self.base_url),
            redirect_url: redirect_url.into(),
            scopes: ["openid", "email", "profile"].map(String::from).to_vec(),
        }
    }

    /// While `true`, `/authorize` sends the user back with
    /// `error=access_denied`, as when a user declines.
    pub fn set_deny(&self, deny: bool) {
        self.shared.lock().deny = deny;
    }

    /// Logs in `user` from the next `/authorize` on.
    pub fn set_user(&self, user: TestUser) {
        self.shared.lock().user = user;
    }
}

impl Drop for OidcTestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// `redirect_uri` with `params` added to its query.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{query}");
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "redirect_uri is not a valid URL").into_response(),
    }
}

/// An RFC 6749 §5.2 error from the token endpoint.
fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(json!({"error": error, "error_description": description})))
        .into_response()
}

async fn authorize(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    // Errors about the client or its redirect are shown to the user, never
    // redirected (RFC 6749 §4.1.2.1): the redirect target is not trusted yet.
    if q.get("client_id") != Some(&shared.client_id) {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    let Some(redirect_uri) = q.get("redirect_uri").filter(|r| !r.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "missing redirect_uri").into_response();
    };
    let state = q.get("state").map(String::as_str).unwrap_or("");
    let with_state = |params: Vec<(&str, &str)>| {
        let state = (!state.is_empty()).then_some(("state", state));
        let params: Vec<(&str, &str)> = params.into_iter().chain(state).collect();
        redirect(redirect_uri, &params)
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return with_state(vec![
            ("error", "unsupported_response_type"),
            ("error_description", "only response_type=code is supported"),
        ]);
    }
    let code_challenge = q.get("code_challenge").filter(|c| !c.is_empty());
    let Some(code_challenge) =
        code_challenge.filter(|_| q.get("code_challenge_method").map(String::as_str) == Some("S256"))
    else {
        return with_state(vec![
            ("error", "invalid_request"),
            ("error_description", "PKCE is required: code_challenge with code_challenge_method=S256"),
        ]);
    };
    let mut server = shared.lock();
    if server.deny {
        return with_state(vec![("error", "access_denied"), ("error_description", "The user denied the request")]);
    }
    let code = crate::random::token::<24>();
    let user = server.user.clone();
    server.codes.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            code_challenge: code_challenge.clone(),
            user,
            issued: Instant::now(),
            used: false,
        },
    );
    drop(server);
    with_state(vec![("code", &code)])
}

async fn token(State(shared): State<Arc<Shared>>, Form(form): Form<HashMap<String, String>>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "authorization_code" {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=authorization_code is supported",
        );
    }
    if field("client_id") != shared.client_id || field("client_secret") != shared.client_secret {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    }
    let mut server = shared.lock();
    let Some(grant) = server.codes.get_mut(field("code")) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown authorization code");
    };
    if grant.used {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "authorization code already used");
    }
    // One presentation burns the code, right or wrong (RFC 6749 §4.1.2).
    grant.used = true;
    if grant.issued.elapsed() > CODE_TTL {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant", "authorization code expired");
    }
    if field("redirect_uri") != grant.redirect_uri {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri does not match the one given at authorization",
        );
    }
    if challenge(field("code_verifier")) != grant.code_challenge {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed: code_verifier does not match code_challenge",
        );
    }
    let user = grant.user.clone();
    let access_token = crate::random::token::<32>();
    server.tokens.insert(access_token.clone(), user);
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
        })),
    )
        .into_response()
}

async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let user = bearer.and_then(|t| shared.lock().tokens.get(t).cloned());
    let Some(user) = user else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#)],
            Json(json!({"error": "invalid_token"})),
        )
            .into_response();
    };
    let mut body = json!({"sub": user.subject, "email_verified": user.email_verified});
    if !user.email.is_empty() {
        body["email"] = user.email.into();
    }
    if !user.name.is_empty() {
        body["name"] = user.name.into();
    }
    Json(body).into_response()
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    let base = &shared.base_url;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "scopes_supported": ["openid", "email", "profile"],
        "subject_types_supported": ["public"],
        "claims_supported": ["sub", "email", "email_verified", "name"],
    }))
    .into_response()
}

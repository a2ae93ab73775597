//! Logging in with an OAuth 2.0 provider (Google by default).
//!
//! The authorization-code flow with PKCE (RFC 7636, method S256) and a
//! `state` parameter:
//!
//! 1. `GET /api/auth/google/login`: the host calls [`begin`], keeps the
//!    [`PendingLogin`] in its [`PendingLogins`], and redirects the browser to
//!    the returned URL.
//! 2. The provider sends the browser back to the redirect URL with `code` and
//!    `state` (or `error`). `GET /api/auth/google/callback`: the host reads
//!    the query with [`Callback`], takes the pending login by its state (an
//!    unknown state means a forged or replayed callback: refuse it), and
//!    calls [`finish`] with the code and that login's verifier.
//! 3. [`finish`] trades the code for an access token and asks the provider
//!    who the user is: an [`Identity`].
//!
//! `state` stops another site from completing a login in the user's browser
//! (login CSRF); the PKCE verifier makes a stolen code useless without the
//! secret that only this server holds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// How long each call to the provider may take before [`finish`] gives up.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom to log in with a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    pub client_id: String,
    pub client_secret: String,
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    /// This server's callback, exactly as registered with the provider.
    pub redirect_url: String,
    pub scopes: Vec<String>,
}

impl OAuthConfig {
    /// Google's endpoints, asking for the `openid email profile` scopes.
    pub fn google(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            authorize_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            userinfo_url: "https://openidconnect.googleapis.com/v1/userinfo".into(),
            redirect_url: redirect_url.into(),
            scopes: ["openid", "email", "profile"].map(String::from).to_vec(),
        }
    }
}

/// A login that was started and whose callback has not come back yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    /// Echoed back by the provider; the key to find this login again.
    pub state: String,
    /// The PKCE secret whose hash went to the provider; [`finish`] needs it.
    pub verifier: String,
    pub created_at: Instant,
}

/// Who the provider says logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's stable id for the user (`sub`); link accounts by this,
    /// since an email address can change hands.
    pub subject: String,
    pub email: String,
    /// Whether the provider vouches that the user owns `email`. Do not attach
    /// this login to an existing account by email unless it is true.
    pub email_verified: bool,
    pub name: Option<String>,
}

/// Why a login with the provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The provider sent the user back with an error instead of a code
    /// (usually the user declined): `error` and any `error_description`.
    #[error("the provider did not allow the login: {0}")]
    Denied(String),
    /// The token endpoint refused the code (its `error` and
    /// `error_description`, e.g. `invalid_grant` for a used or expired code
    /// or a wrong verifier, `invalid_client` for a wrong client secret).
    #[error("the provider refused to exchange the login code: {0}")]
    Exchange(String),
    /// The provider could not be reached or did not answer in time.
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    /// The provider answered, but not as the protocol says (for example the
    /// userinfo endpoint refused the access token, or a body was not JSON).
    #[error("the provider answered unexpectedly: {0}")]
    Provider(String),
    /// The provider did not share the user's email; it is needed for the
    /// account. Check that the `email` scope is requested.
    #[error("the provider did not share an email address (is the `email` scope requested?)")]
    NoEmail,
}

/// Starts a login: returns the provider URL to send the browser to, and the
/// [`PendingLogin`] to keep until the callback.
///
/// The URL carries `response_type=code`, `client_id`, `redirect_uri`,
/// `scope`, `state`, `code_challenge` and `code_challenge_method=S256`.
/// `state` and the verifier are each 32 random bytes, base64url-encoded.
pub fn begin(config: &OAuthConfig) -> (String, PendingLogin) {
    let state = crate::random::token::<32>();
    let verifier = crate::random::token::<32>();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &config.client_id)
        .append_pair("redirect_uri", &config.redirect_url)
        .append_pair("scope", &config.scopes.join(" "))
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge(&verifier))
        .append_pair("code_challenge_method", "S256")
        .finish();
    // Keep any query the configured URL already has.
    let separator = if config.authorize_url.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}{query}", config.authorize_url);
    let pending = PendingLogin { state, verifier, created_at: Instant::now() };
    (url, pending)
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The query of the provider's redirect back to this server. Deserialize it
/// from the callback's query string (e.g. with axum's `Query`) or parse it
/// with [`Callback::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl Callback {
    /// Reads a query string such as `code=…&state=…` (a leading `?` is fine).
    pub fn parse(query: &str) -> Self {
        let mut callback = Self::default();
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match &*key {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "error" => &mut callback.error,
                "error_description" => &mut callback.error_description,
                _ => continue,
            };
            slot.get_or_insert_with(|| value.into_owned());
        }
        callback
    }

    /// The `(code, state)` pair, or why there is none: [`OAuthError::Denied`]
    /// when the provider reported an error, [`OAuthError::Provider`] when the
    /// query has neither a code and a state nor an error.
    pub fn into_code(self) -> Result<(String, String), OAuthError> {
        if let Some(error) = self.error {
            return Err(OAuthError::Denied(match self.error_description {
                Some(description) => format!("{error}: {description}"),
                None => error,
            }));
        }
        match (self.code, self.state) {
            (Some(code), Some(state)) if !code.is_empty() && !state.is_empty() => Ok((code, state)),
            _ => Err(OAuthError::Provider("the callback has no `code` and `state` and no `error`".into())),
        }
    }
}

/// The token endpoint's answer (RFC 6749 §5.1), as far as it matters here.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

/// The token endpoint's error (RFC 6749 §5.2).
#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    name: Option<String>,
}

/// Completes a login: trades `code` (with the pending login's `verifier`) for
/// an access token at the token endpoint, then fetches the user's identity
/// from the userinfo endpoint. Each call may take up to [`HTTP_TIMEOUT`].
pub async fn finish(
    config: &OAuthConfig,
    http: &reqwest::Client,
    code: &str,
    verifier: &str,
) -> Result<Identity, OAuthError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &config.redirect_url),
        ("client_id", &config.client_id),
        ("client_secret", &config.client_secret),
        ("code_verifier", verifier),
    ];
    let response = http
        .post(&config.token_url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .timeout(HTTP_TIMEOUT)
        .send()
        .await
        .map_err(|e| unreachable(&config.token_url, &e))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| unreachable(&config.token_url, &e))?;
    if !status.is_success() {
        return Err(OAuthError::Exchange(match serde_json::from_slice::<TokenErrorResponse>(&body) {
            Ok(TokenErrorResponse { error, error_description: Some(description) }) => format!("{error}: {description}"),
            Ok(TokenErrorResponse { error, .. }) => error,
            Err(_) => format!("{} answered {status}: {}", config.token_url, snippet(&body)),
        }));
    }
    let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
        OAuthError::Provider(format!(
            "{} answered {status} without an access_token ({e}): {}",
            config.token_url,
            snippet(&body)
        ))
    })?;

    let response = http
        .get(&config.userinfo_url)
        .bearer_auth(&token.access_token)
        .timeout(HTTP_TIMEOUT)
        .send()
        .await
        .map_err(|e| unreachable(&config.userinfo_url, &e))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| unreachable(&config.userinfo_url, &e))?;
    if !status.is_success() {
        return Err(OAuthError::Provider(format!(
            "{} answered {status} to the new access token: {}",
            config.userinfo_url,
            snippet(&body)
        )));
    }
    let info: UserInfo = serde_json::from_slice(&body).map_err(|e| {
        OAuthError::Provider(format!("{} answered with no usable user ({e}): {}", config.userinfo_url, snippet(&body)))
    })?;
    let email = info.email.filter(|e| !e.trim().is_empty()).ok_or(OAuthError::NoEmail)?;
    // Google sends a boolean; some providers send the string "true".
    let email_verified = match info.email_verified {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    Ok(Identity { subject: info.sub, email, email_verified, name: info.name.filter(|n| !n.trim().is_empty()) })
}

fn unreachable(url: &str, error: &reqwest::Error) -> OAuthError {
    let what = if error.is_timeout() {
        format!("no answer within {}s", HTTP_TIMEOUT.as_secs())
    } else {
        // The source chain says why (DNS, refused, TLS…).
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    };
    OAuthError::Unreachable(format!("{url}: {what}"))
}

/// The start of a response body for an error message, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

/// The logins started and not yet finished, by `state`.
///
/// Each can be taken once (a replayed callback finds nothing), expires after
/// a while (a user who wandered off must start again), and the number kept
/// is capped, so a flood of started logins cannot exhaust memory: past the
/// cap the oldest is dropped.
pub struct PendingLogins {
    ttl: Duration,
    max: usize,
    logins: Mutex<HashMap<String, PendingLogin>>,
}

impl Default for PendingLogins {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingLogins {
    /// How long a started login may wait for its callback.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);
    /// How many started logins are kept at once.
    pub const DEFAULT_MAX: usize = 10_000;

    /// Keeps up to [`Self::DEFAULT_MAX`] logins for [`Self::DEFAULT_TTL`].
    pub fn new() -> Self {
        Self::with_limits(Self::DEFAULT_TTL, Self::DEFAULT_MAX)
    }

    /// Keeps up to `max` logins (at least 1) for `ttl` each.
    pub fn with_limits(ttl: Duration, max: usize) -> Self {
        Self { ttl, max: max.max(1), logins: Mutex::new(HashMap::new()) }
    }

    /// Keeps a started login until its callback.
    pub fn insert(&self, login: PendingLogin) {
        self.insert_at(Instant::now(), login);
    }

    /// Removes and returns the login started with `state`, if it is there and
    /// not expired.
    pub fn take(&self, state: &str) -> Option<PendingLogin> {
        self.take_at(Instant::now(), state)
    }

    fn insert_at(&self, now: Instant, login: PendingLogin) {
        let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
        if logins.len() >= self.max {
            logins.retain(|_, l| now.saturating_duration_since(l.created_at) < self.ttl);
        }
        while logins.len() >= self.max {
            let oldest = logins.iter().min_by_key(|(_, l)| l.created_at).map(|(state, _)| state.clone());
            match oldest {
                Some(state) => logins.remove(&state),
                None => break,
            };
        }
        logins.insert(login.state.clone(), login);
    }

    fn take_at(&self, now: Instant, state: &str) -> Option<PendingLogin> {
        let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
        let login = logins.remove(state)?;
        (now.saturating_duration_since(login.created_at) < self.ttl).then_some(login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_of(url: &str) -> HashMap<String, String> {
        let (_, query) = url.split_once('?').unwrap();
        form_urlencoded::parse(query.as_bytes()).into_owned().collect()
    }

    #[test]
    fn google_config_has_googles_endpoints() {
        let c = OAuthConfig::google("id", "secret", "https://app.example/cb");
        assert_eq!(c.authorize_url, "https://accounts.google.com/o/oauth2/v2/auth");
        assert_eq!(c.token_url, "https://oauth2.googleapis.com/token");
        assert_eq!(c.userinfo_url, "https://openidconnect.googleapis.com/v1/userinfo");
        assert_eq!(c.scopes, ["openid", "email", "profile"]);
    }

    #[test]
    fn begin_url_carries_an_s256_challenge_that_matches_the_verifier() {
        let config =
            OAuthConfig::google("client id&x=1", "secret", "https://app.example/api/auth/google/callback?from=a b");
        let (url, pending) = begin(&config);
        assert!(url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
        // Every value is encoded: no raw space, and `&` in a value is escaped.
        assert!(!url.contains(' '), "{url}");
        let q = query_of(&url);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "client id&x=1");
        assert!(!q.contains_key("x"));
        assert_eq!(q["redirect_uri"], "https://app.example/api/auth/google/callback?from=a b");
        assert_eq!(q["scope"], "openid email profile");
        assert_eq!(q["state"], pending.state);
        assert_eq!(q["code_challenge_method"], "S256");
        // The challenge is base64url(SHA-256(verifier)), computed here anew.
        let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(pending.verifier.as_bytes()));
        assert_eq!(q["code_challenge"], expected);
        assert_ne!(q["code_challenge"], pending.verifier);
        // 32 random bytes each: 43 base64url characters, within RFC 7636's
        // 43..=128 for the verifier.
        for secret in [&pending.state, &pending.verifier] {
            assert_eq!(secret.len(), 43);
            assert!(secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
        let (_, again) = begin(&config);
        assert_ne!(again.state, pending.state);
        assert_ne!(again.verifier, pending.verifier);
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636_example() {
        // RFC 7636 Appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn begin_keeps_an_existing_query_on_the_authorize_url() {
        let mut config = OAuthConfig::google("id", "s", "https://app.example/cb");
        config.authorize_url = "https://idp.example/auth?tenant=7".into();
        let (url, _) = begin(&config);
        assert!(url.starts_with("https://idp.example/auth?tenant=7&response_type=code&"));
    }

    #[test]
    fn callback_with_an_error_is_denied() {
        let denied = Callback::parse("?error=access_denied&error_description=User+declined&state=x");
        assert_eq!(denied.into_code(), Err(OAuthError::Denied("access_denied: User declined".into())));
        assert_eq!(Callback::parse("code=abc&state=xyz").into_code(), Ok(("abc".into(), "xyz".into())));
        assert!(matches!(Callback::parse("code=abc").into_code(), Err(OAuthError::Provider(_))));
    }

    fn pending(state: &str, created_at: Instant) -> PendingLogin {
        PendingLogin { state: state.into(), verifier: "v".into(), created_at }
    }

    #[test]
    fn pending_logins_are_taken_once() {
        let logins = PendingLogins::new();
        let (_, login) = begin(&OAuthConfig::google("a", "b", "c"));
        logins.insert(login.clone());
        assert_eq!(logins.take("not-it"), None);
        assert_eq!(logins.take(&login.state), Some(login.clone()));
        assert_eq!(logins.take(&login.state), None);
    }

    #[test]
    fn pending_logins_expire_after_ten_minutes() {
        let logins = PendingLogins::new();
        let t0 = Instant::now();
        logins.insert_at(t0, pending("a", t0));
        logins.insert_at(t0, pending("b", t0));
        assert!(logins.take_at(t0 + Duration::from_secs(599), "a").is_some());
        assert!(logins.take_at(t0 + Duration::from_secs(600), "b").is_none());
    }

    #[test]
    fn pending_logins_are_bounded_dropping_the_oldest() {
        let logins = PendingLogins::with_limits(Duration::from_secs(600), 3);
        let t0 = Instant::now();
        for (i, state) in ["a", "b", "c", "d"].into_iter().enumerate() {
            let at = t0 + Duration::from_secs(i as u64);
            logins.insert_at(at, pending(state, at));
        }
        assert_eq!(logins.logins.lock().unwrap().len(), 3);
        let now = t0 + Duration::from_secs(5);
        assert!(logins.take_at(now, "a").is_none());
        for state in ["b", "c", "d"] {
            assert!(logins.take_at(now, state).is_some(), "{state}");
        }
    }

    #[tokio::test]
    async fn finish_reports_an_unreachable_provider() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut config = OAuthConfig::google("id", "secret", "http://127.0.0.1/cb");
        config.token_url = format!("http://127.0.0.1:{port}/token");
        let err = finish(&config, &reqwest::Client::new(), "code", "verifier").await.unwrap_err();
        assert!(matches!(&err, OAuthError::Unreachable(m) if m.contains(&config.token_url)), "{err:?}");
    }
}

//! Accounts of seed 003 (the video editor): sign-up and login with email
//! and password, session tokens, and login with Google (OAuth 2.0 with PKCE).
//! The security itself (Argon2id, JWT, throttling, the OAuth exchange) is
//! the `capsule-accounts` crate's; this module keeps accounts in the job
//! store and decides who a request is.
//!
//! An account is a tenant: the jobs and files made through seed 003's
//! routes belong to `account:<id>`, and no other account (nor an API key's
//! tenant) sees them.

mod secret;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use capsule_accounts::oauth::{self, OAuthConfig, OAuthError, PendingLogins};
use capsule_accounts::tokens::{Issued, TokenError, TokenSigner};
use capsule_accounts::{password, throttle::LoginThrottle, validate};

pub use capsule_accounts::validate::FieldError;
pub use secret::load_or_create as load_secret;

use crate::store::{NewUser, StoreError, UserRecord, UserStore};

/// The operator's settings (`serve` flags, "Accounts").
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// Signs session tokens and presigned upload URLs; 32+ bytes.
    pub secret: Vec<u8>,
    pub token_ttl: Duration,
    /// `None`: Google login answers 503 naming the settings.
    pub oauth: Option<OAuthConfig>,
    /// Where the browser lands after an OAuth login, with the token in the
    /// URL fragment; `None`: the callback answers the JSON `AuthResponse`.
    pub oauth_landing: Option<String>,
    pub login_per_email: u32,
    pub login_per_address: u32,
    pub login_window: Duration,
}

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("이미 존재하는 이메일입니다")]
    EmailTaken,
    #[error("이메일 또는 비밀번호가 올바르지 않습니다 (wrong email or password)")]
    WrongCredentials,
    #[error("로그인이 필요합니다 (send `Authorization: Bearer <access_token>`)")]
    TokenMissing,
    #[error("로그인이 만료되었습니다. 다시 로그인해 주세요 (the access token expired)")]
    TokenExpired,
    #[error("유효하지 않은 토큰입니다 (the access token is invalid; log in again)")]
    TokenInvalid,
    #[error("비활성화된 계정입니다 (this account is disabled)")]
    Disabled,
    #[error("로그인 시도가 너무 많습니다. {}초 후 다시 시도해 주세요", .0.as_secs().max(1))]
    Throttled(Duration),
    #[error(
        "Google 로그인이 설정되지 않았습니다: start the server with --google-client-id and --google-client-secret (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET)"
    )]
    OAuthNotConfigured,
    #[error("로그인 요청을 찾을 수 없습니다 (unknown or expired `state`; start again at /api/auth/google/login)")]
    OAuthStateUnknown,
    #[error("Google 로그인에 실패했습니다: {0}")]
    OAuth(OAuthError),
    #[error(transparent)]
    Store(StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AccountsError {
    fn from(e: StoreError) -> Self {
        AccountsError::Store(e)
    }
}

/// A logged-in account and its token.
pub struct Session {
    pub user: UserRecord,
    pub issued: Issued,
}

pub struct Accounts {
    users: Arc<dyn UserStore>,
    signer: TokenSigner,
    throttle: LoginThrottle,
    pending: PendingLogins,
    oauth: Option<OAuthConfig>,
    pub oauth_landing: Option<String>,
    http: reqwest::Client,
}

/// The tenant an account's jobs and files belong to.
pub fn tenant_of(user: &UserRecord) -> String {
    format!("account:{}", user.id)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Accounts {
    pub fn new(users: Arc<dyn UserStore>, settings: &AccountSettings) -> anyhow::Result<Self> {
        let signer = TokenSigner::new(&settings.secret, settings.token_ttl).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Self {
            users,
            signer,
            throttle: LoginThrottle::new(settings.login_per_email, settings.login_per_address, settings.login_window),
            pending: PendingLogins::new(),
            oauth: settings.oauth.clone(),
            oauth_landing: settings.oauth_landing.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| anyhow::anyhow!("building the OAuth client: {e}"))?,
        })
    }

    fn session(&self, user: UserRecord) -> Result<Session, AccountsError> {
        let issued = self.signer.issue(user.id, &user.email).map_err(|e| AccountsError::Internal(e.to_string()))?;
        Ok(Session { user, issued })
    }

    pub async fn signup(&self, username: &str, email: &str, secret: &str) -> Result<Session, AccountsError> {
        let problems = validate::signup(username, email, secret);
        if !problems.is_empty() {
            return Err(AccountsError::Invalid(problems));
        }
        let email = validate::normalize_email(email);
        // Hashing is ~50 ms of CPU: off the async workers.
        let owned = secret.to_string();
        let hash = tokio::task::spawn_blocking(move || password::hash(&owned))
            .await
            .map_err(|e| AccountsError::Internal(e.to_string()))?
            .map_err(|e| AccountsError::Internal(e.to_string()))?;
        let user = NewUser {
            name: username.trim(),
            email: &email,
            password_hash: Some(&hash),
            auth_provider: "local",
            subject: None,
            is_verified: false,
            created_at: now_ms(),
        };
        match self.users.insert_user(user).await {
            Ok(user) => self.session(user),
            Err(StoreError::Conflict(_)) => Err(AccountsError::EmailTaken),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn login(&self, email: &str, secret: &str, address: IpAddr) -> Result<Session, AccountsError> {
        let problems = validate::login(email, secret);
        if !problems.is_empty() {
            return Err(AccountsError::Invalid(problems));
        }
        let email = validate::normalize_email(email);
        self.throttle.check(&email, address).map_err(AccountsError::Throttled)?;
        let user = self.users.user_by_email(&email).await?;
        let owned = secret.to_string();
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        // An unknown email costs as long as a wrong password, so answers'
        // timing does not tell which emails have accounts.
        let matches = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => password::verify(&owned, &hash),
            None => {
                password::dummy_verify(&owned);
                false
            }
        })
        .await
        .map_err(|e| AccountsError::Internal(e.to_string()))?;
        let user = match user {
            Some(user) if matches => user,
            _ => return Err(AccountsError::WrongCredentials),
        };
        if !user.is_active {
            return Err(AccountsError::Disabled);
        }
        self.session(user)
    }

    /// The account behind a bearer token (the account is read again, so a
    /// disabled account's tokens stop working at once).
    pub async fn authenticate(&self, token: Option<&str>) -> Result<UserRecord, AccountsError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(AccountsError::TokenMissing)?;
        let claims = self.signer.verify(token).map_err(|e| match e {
            TokenError::Expired => AccountsError::TokenExpired,
            _ => AccountsError::TokenInvalid,
        })?;
        let user = self.users.user(claims.user_id).await?.ok_or(AccountsError::TokenInvalid)?;
        if !user.is_active {
            return Err(AccountsError::Disabled);
        }
        Ok(user)
    }

    /// The provider URL to send the browser to.
    pub fn oauth_begin(&self) -> Result<String, AccountsError> {
        let config = self.oauth.as_ref().ok_or(AccountsError::OAuthNotConfigured)?;
        let (url, pending) = oauth::begin(config);
        self.pending.insert(pending);
        Ok(url)
    }

    /// The callback: exchange the code, then find or make the account.
    pub async fn oauth_finish(&self, query: &str) -> Result<Session, AccountsError> {
        let config = self.oauth.as_ref().ok_or(AccountsError::OAuthNotConfigured)?;
        let callback = oauth::Callback::parse(query);
        // A denial still names its state: forget the pending login either way.
        if let Some(state) = &callback.state {
            let pending = self.pending.take(state);
            let (code, _) = callback.into_code().map_err(AccountsError::OAuth)?;
            let pending = pending.ok_or(AccountsError::OAuthStateUnknown)?;
            let identity =
                oauth::finish(config, &self.http, &code, &pending.verifier).await.map_err(AccountsError::OAuth)?;
            return self.external_account("google", identity).await;
        }
        callback.into_code().map_err(AccountsError::OAuth)?;
        Err(AccountsError::OAuthStateUnknown)
    }

    async fn external_account(&self, provider: &str, id: oauth::Identity) -> Result<Session, AccountsError> {
        if let Some(user) = self.users.user_by_subject(provider, &id.subject).await? {
            return if user.is_active { self.session(user) } else { Err(AccountsError::Disabled) };
        }
        let email = validate::normalize_email(&id.email);
        if let Some(user) = self.users.user_by_email(&email).await? {
            // Joining a login to an existing account by email is only safe
            // when the provider vouches for the address; otherwise whoever
            // registered that email at the provider would take the account.
            return Err(AccountsError::OAuth(OAuthError::Provider(if id.email_verified {
                format!(
                    "{email} already has an account made with {}; log in with it",
                    if user.auth_provider == "local" { "a password" } else { &user.auth_provider }
                )
            } else {
                format!("the provider does not vouch for {email}, which already has an account")
            })));
        }
        let name = id.name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or("user").to_string());
        let user = NewUser {
            name: &name,
            email: &email,
            password_hash: None,
            auth_provider: provider,
            subject: Some(&id.subject),
            is_verified: id.email_verified,
            created_at: now_ms(),
        };
        match self.users.insert_user(user).await {
            Ok(user) => self.session(user),
            // Two callbacks of one person at once: the other one made it.
            Err(StoreError::Conflict(_)) => match self.users.user_by_subject(provider, &id.subject).await? {
                Some(user) => self.session(user),
                None => Err(AccountsError::EmailTaken),
            },
            Err(e) => Err(e.into()),
        }
    }
}

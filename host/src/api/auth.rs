//! Authentication at the edge: one middleware decides, per route family,
//! whether a request needs a key or an admin token, checks its role and
//! rate, and hands the handlers a [`Caller`].
//!
//! Route families and their refusals:
//! - public (`/health`, `/openapi.json`, `/docs`, and seed 003's routes, which
//!   check an account token or a URL signature themselves): never refused here;
//! - admin (`/api/v1/components…`, `/api/v1/keys…`): the admin/viewer
//!   tokens or an `admin` key; seed 001's bodies (4010, 4012, 4030), as before;
//! - seed 001 (`/ai/…`): a key once keys exist; seed 001's bodies
//!   (4010 unauthorized, 4011 token_expired, 4012 invalid_token, 4030 forbidden);
//! - everything else (the native API, files): a key once keys exist; the
//!   envelope (`AUTH_REQUIRED`, `AUTH_KEY_EXPIRED`, `AUTH_INVALID_KEY`,
//!   `AUTH_FORBIDDEN`, `COMMON_RATE_LIMITED`).
//!
//! A key travels as `Authorization: Bearer <key>` or, for frontends that
//! cannot set `Authorization`, as `X-API-Key: <key>`.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::career;
use super::envelope::ApiError;
use crate::auth::{AuthError, Caller, Role};

/// Who may call the admin API besides `admin` keys: the operator's tokens.
#[derive(Debug, Clone, Default)]
pub struct AdminTokens {
    pub admin_token: Option<String>,
    pub viewer_token: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Public,
    Admin,
    Seed,
    Native,
}

fn family(path: &str) -> Family {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    // Seed 003's routes decide their callers themselves: an account's token
    // (`video::Account`) or a URL's signature (`/blobs/…`).
    if path == "/health"
        || path == "/openapi.json"
        || under("/docs")
        || super::video::owns(path)
        || super::gpt_jobs::docs_path(path)
    {
        Family::Public
    } else if under("/api/v1/components") || under("/api/v1/keys") || under("/api/v1/experts") {
        Family::Admin
    } else if path.starts_with("/ai/") {
        Family::Seed
    } else {
        Family::Native
    }
}

fn reads_only(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// The key or token a request presents.
fn presented(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok())).map(str::trim)
}

/// Why a request was refused, before it is dressed for its route family.
#[derive(Debug)]
enum Refusal {
    Missing,
    Invalid,
    Expired,
    Forbidden(String),
    Disabled,
    RateLimited(u64),
    /// The keys could not be read: unavailable (503, retry) or broken (500).
    Store(crate::store::StoreError),
}

impl From<AuthError> for Refusal {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => Refusal::Missing,
            AuthError::Invalid => Refusal::Invalid,
            AuthError::Expired => Refusal::Expired,
            AuthError::RateLimited(wait) => Refusal::RateLimited(wait.as_secs_f64().ceil().max(1.0) as u64),
            AuthError::Store(err) => Refusal::Store(err),
        }
    }
}

impl Refusal {
    fn sentence(&self) -> String {
        match self {
            Refusal::Missing => AuthError::Missing.to_string(),
            Refusal::Invalid => AuthError::Invalid.to_string(),
            Refusal::Expired => AuthError::Expired.to_string(),
            Refusal::Forbidden(why) => why.clone(),
            Refusal::Disabled => "the admin API is disabled: start the server with CAPSULE_ADMIN_TOKEN, or create an \
                                  `admin` key with `capsule keys create --role admin`"
                .into(),
            Refusal::RateLimited(secs) => format!("too many requests for this API key; retry in {secs} s"),
            Refusal::Store(_) => String::new(),
        }
    }

    /// Seed 001's bodies (its common codes; 429 is Capsule's addition).
    fn seed_body(self) -> Response {
        let error = match &self {
            Refusal::Missing => career::UNAUTHORIZED,
            Refusal::Expired => career::TOKEN_EXPIRED,
            Refusal::Invalid => career::INVALID_TOKEN,
            Refusal::Forbidden(_) | Refusal::Disabled => career::FORBIDDEN,
            Refusal::RateLimited(_) => career::TOO_MANY_REQUESTS,
            Refusal::Store(e) => {
                tracing::error!(error = %e, "could not check the API key");
                return career::UNAVAILABLE.into_response();
            }
        };
        let mut response = error.because(self.sentence()).into_response();
        self.decorate(&mut response);
        response
    }

    fn envelope(self) -> Response {
        // The same answer as any route whose store is down: 503 with
        // Retry-After when it is unreachable, never a 500 for an outage.
        let this = match self {
            Refusal::Store(e) => return ApiError::from(crate::jobs::JobError::Store(e)).into_response(),
            other => other,
        };
        let reason = this.sentence();
        let (status, code) = match &this {
            Refusal::Missing => (StatusCode::UNAUTHORIZED, "AUTH_REQUIRED"),
            Refusal::Expired => (StatusCode::UNAUTHORIZED, "AUTH_KEY_EXPIRED"),
            Refusal::Invalid => (StatusCode::UNAUTHORIZED, "AUTH_INVALID_KEY"),
            Refusal::Forbidden(_) | Refusal::Disabled => (StatusCode::FORBIDDEN, "AUTH_FORBIDDEN"),
            Refusal::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "COMMON_RATE_LIMITED"),
            Refusal::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "COMMON_STORE_UNAVAILABLE"),
        };
        let mut response = ApiError::new(status, code, reason).into_response();
        this.decorate(&mut response);
        response
    }

    fn decorate(&self, response: &mut Response) {
        match self {
            Refusal::Missing | Refusal::Invalid | Refusal::Expired => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Refusal::RateLimited(secs) => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            _ => {}
        }
    }
}

/// How much of a refused request's body is read before answering: closing a
/// connection with unread upload bytes can reset it before the client reads
/// the refusal, while reading large bodies for strangers is not worth it.
const REFUSAL_DRAIN: usize = 1 << 20;

pub async fn require_caller(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let family = family(req.uri().path());
    // Owned copies: the request body is not `Sync`, so no borrow of the
    // request may be held across the key lookup.
    let token = presented(req.headers()).map(str::to_string);
    let method = req.method().clone();
    let decided = match family {
        Family::Public => return next.run(req).await,
        Family::Admin => admin_caller(&state, token.as_deref(), &method).await,
        Family::Seed | Family::Native => data_caller(&state, token.as_deref(), &method).await,
    };
    match decided {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(refusal) => {
            let _ = axum::body::to_bytes(req.into_body(), REFUSAL_DRAIN).await;
            match family {
                Family::Native => refusal.envelope(),
                _ => refusal.seed_body(),
            }
        }
    }
}

async fn data_caller(state: &AppState, token: Option<&str>, method: &Method) -> Result<Caller, Refusal> {
    let required = state.auth.keys_required().await.map_err(Refusal::Store)?;
    if !required {
        return Ok(Caller::anonymous());
    }
    let caller = state.auth.authenticate(token).await?;
    if caller.role == Role::Viewer && !reads_only(method) {
        return Err(Refusal::Forbidden(
            "a viewer key may only read; submitting and cancelling need a submitter key".into(),
        ));
    }
    Ok(caller)
}

async fn admin_caller(state: &AppState, token: Option<&str>, method: &Method) -> Result<Caller, Refusal> {
    let tokens = &state.admin;
    let same = |configured: &Option<String>| {
        configured.as_deref().zip(token).is_some_and(|(c, t)| crate::auth::same_secret(c, t))
    };
    let role = if same(&tokens.admin_token) {
        Role::Admin
    } else if tokens.admin_token.is_some() && same(&tokens.viewer_token) {
        Role::Viewer
    } else {
        let keys = state.auth.keys_required().await.map_err(Refusal::Store)?;
        if !keys {
            if tokens.admin_token.is_none() {
                tracing::warn!("admin API called but disabled: set CAPSULE_ADMIN_TOKEN or create an admin key");
                return Err(Refusal::Disabled);
            }
            return Err(if token.is_some() { Refusal::Invalid } else { Refusal::Missing });
        }
        let caller = state.auth.authenticate(token).await?;
        if caller.role != Role::Admin {
            return Err(Refusal::Forbidden(format!(
                "a {} key may not use the admin API; it needs an admin key",
                caller.role.as_str()
            )));
        }
        return Ok(caller);
    };
    if role != Role::Admin && !reads_only(method) {
        return Err(Refusal::Forbidden("the viewer token may only read".into()));
    }
    Ok(Caller { tenant: None, role, key_id: None })
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Set by `require_caller` on every route that is not public; its
        // absence is a routing bug, never something to run anonymously.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::internal("no caller on an authenticated route"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_into_their_families() {
        assert_eq!(family("/health"), Family::Public);
        assert_eq!(family("/docs/swagger-ui.css"), Family::Public);
        assert_eq!(family("/api/v1/components/echo/rollback"), Family::Admin);
        assert_eq!(family("/api/v1/keys"), Family::Admin);
        assert_eq!(family("/api/v1/keystone/jobs"), Family::Native);
        assert_eq!(family("/ai/task/job_1"), Family::Seed);
        assert_eq!(family("/api/v1/jobs"), Family::Native);
        assert_eq!(family("/healthz"), Family::Native);
        assert_eq!(family("/api/auth/login"), Family::Public);
        assert_eq!(family("/blobs/f_1"), Family::Public);
        assert_eq!(family("/redoc/redoc.standalone.js"), Family::Public);
        assert_eq!(family("/jobs/job_1"), Family::Native);
        assert_eq!(family("/api/render/create"), Family::Public);
    }

    #[test]
    fn a_key_is_read_from_bearer_or_x_api_key() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert("x-api-key", HeaderValue::from_static("k2"));
        assert_eq!(presented(&h), Some("k2"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k1"));
        assert_eq!(presented(&h), Some("k1"));
    }
}

//! `/api/auth/*`: sign-up, login, the current user, and Google login.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Account, VideoError, video_request};
use crate::accounts::Session;
use crate::api::AppState;
use crate::api::profile::Typed;
use crate::store::UserRecord;

/// Fields as sent; each is checked so a missing one and a mistyped one are
/// both a 422 naming the field, as FastAPI lists them.
#[derive(Deserialize)]
pub struct SignupRequest {
    username: Option<Value>,
    email: Option<Value>,
    password: Option<Value>,
}

#[derive(Deserialize)]
pub struct LoginRequest {
    email: Option<Value>,
    password: Option<Value>,
}

video_request!(SignupRequest, LoginRequest);

/// The string fields of a body, or a 422 listing each missing or non-string one.
fn strings<const N: usize>(fields: [(&str, &Option<Value>); N]) -> Result<[String; N], VideoError> {
    let mut problems = Vec::new();
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (i, (name, value)) in fields.iter().enumerate() {
        match value {
            Some(Value::String(s)) if !s.contains('\0') => out[i] = s.clone(),
            Some(Value::String(_)) => problems.push((
                name.to_string(),
                format!("{name}에 사용할 수 없는 문자가 있습니다"),
                format!("`{name}` contains a NUL character"),
            )),
            None | Some(Value::Null) => problems.push((
                name.to_string(),
                format!("{name}은(는) 필수 항목입니다"),
                format!("`{name}` is required"),
            )),
            Some(_) => problems.push((
                name.to_string(),
                format!("{name}은(는) 문자열이어야 합니다"),
                format!("`{name}` must be a string"),
            )),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(VideoError::fields(problems)) }
}

pub fn user_view(user: &UserRecord) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "auth_provider": user.auth_provider,
        "is_active": user.is_active,
        "is_verified": user.is_verified,
        "created_at": super::time(user.created_at),
    })
}

fn auth_response(session: &Session) -> Value {
    json!({
        "access_token": session.issued.token,
        "token_type": "bearer",
        "expires_at": session.issued.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "user": user_view(&session.user),
    })
}

/// `POST /api/auth/signup`.
pub async fn signup(State(state): State<AppState>, Typed(body): Typed<SignupRequest>) -> Result<Response, VideoError> {
    let [username, email, password] =
        strings([("username", &body.username), ("email", &body.email), ("password", &body.password)])?;
    let session = state.video.accounts.signup(&username, &email, &password).await?;
    Ok((StatusCode::OK, axum::Json(auth_response(&session))).into_response())
}

/// The client's address, as the server saw the connection (behind a proxy:
/// the proxy's).
pub struct ClientAddress(IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
        Ok(Self(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// `POST /api/auth/login`: limited per email and per client address.
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Typed(body): Typed<LoginRequest>,
) -> Result<Response, VideoError> {
    let [email, password] = strings([("email", &body.email), ("password", &body.password)])?;
    let session = state.video.accounts.login(&email, &password, address).await?;
    Ok(axum::Json(auth_response(&session)).into_response())
}

/// `GET /api/auth/me`.
pub async fn me(account: Account) -> Response {
    axum::Json(user_view(&account.0)).into_response()
}

/// `GET /api/auth/google/login`: to the provider, with `state` and a PKCE challenge.
pub async fn google_login(State(state): State<AppState>) -> Result<Response, VideoError> {
    let url = state.video.accounts.oauth_begin()?;
    let location =
        HeaderValue::from_str(&url).map_err(|_| VideoError::unavailable("the provider URL is not a valid header"))?;
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
    )
        .into_response())
}

/// `GET /api/auth/google/callback?code=…&state=…`: the account (made on
/// first login) and its token — as JSON, or, with `--oauth-landing-url`, a
/// redirect there with `#access_token=…&token_type=bearer`.
pub async fn google_callback(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, VideoError> {
    let session = state.video.accounts.oauth_finish(query.as_deref().unwrap_or("")).await?;
    if let Some(landing) = &state.video.accounts.oauth_landing {
        let fragment = form_urlencoded::Serializer::new(String::new())
            .append_pair("access_token", &session.issued.token)
            .append_pair("token_type", "bearer")
            .finish();
        let url = format!("{landing}#{fragment}");
        if let Ok(location) = HeaderValue::from_str(&url) {
            return Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response());
        }
    }
    Ok(axum::Json(auth_response(&session)).into_response())
}

//! Account security for the Capsule host.
//!
//! The host serves the video editor's account API (`POST /api/auth/signup`,
//! `POST /api/auth/login`, `GET /api/auth/me`, Google OAuth login) and owns
//! the HTTP routes and the user table. This crate owns the parts that are
//! easy to get subtly wrong and that are worth testing without a server or a
//! database:
//!
//! - [`password`]: Argon2id hashing with OWASP parameters, and a dummy
//!   verification so unknown emails cost the same time as known ones.
//! - [`tokens`]: HS256 session tokens (JWT) with a strict validation.
//! - [`validate`]: the signup/login field checks behind the API's 422 body.
//! - [`throttle`]: a sliding-window limit on login attempts per email and per
//!   client address.
//! - [`oauth`]: the OAuth 2.0 authorization-code flow with PKCE (S256),
//!   Google by default.
//! - `test_server` (feature `test-server`): a local OpenID-Connect-style
//!   provider, so the host's end-to-end tests can log in "with Google"
//!   without the network.
//!
//! Password hashing and verification are deliberately slow (tens of
//! milliseconds of CPU): an async host should call them inside
//! `tokio::task::spawn_blocking`.

pub mod oauth;
pub mod password;
pub mod throttle;
pub mod tokens;
pub mod validate;

#[cfg(feature = "test-server")]
pub mod test_server;

mod random;

/// Failures of this crate's operations that are the host's fault or the
/// machine's, never the user's: a user's mistakes are reported as
/// [`validate::FieldError`]s, [`tokens::TokenError`]s or [`oauth::OAuthError`]s.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The host passed a setting this crate refuses (for example a token
    /// secret too short to resist guessing). The message says what to change.
    #[error("invalid account settings: {0}")]
    Config(String),
    /// Hashing a password failed (the OS random number generator or the
    /// hasher itself failed).
    #[error("could not hash the password: {0}")]
    Hash(String),
    /// Signing a session token failed.
    #[error("could not sign the session token: {0}")]
    Signing(String),
}

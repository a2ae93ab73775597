//! Session tokens: HS256 JSON Web Tokens.
//!
//! The host returns one as `access_token` at signup and login and reads it
//! back from `Authorization: Bearer …` on `GET /api/auth/me`. A token holds
//! `sub` (the user id, as a string as RFC 7519 wants), `email`, `iat`, `exp`
//! and `iss = "capsule"`.
//!
//! Verification is strict: only HS256 is accepted (so `alg: none` and
//! algorithm-confusion tokens fail), the issuer must match, and there is no
//! leeway on `exp`: a token is refused from the second it expires.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::AccountError;

/// The `iss` claim of every token this crate issues and accepts.
pub const ISSUER: &str = "capsule";

/// The shortest secret [`TokenSigner::new`] accepts: HS256 with a key shorter
/// than its 256-bit output is weaker than the algorithm.
pub const MIN_SECRET_LEN: usize = 32;

/// Signs and verifies session tokens with one HMAC secret.
///
/// Cheap to share: keep one in the host's state (it is `Send + Sync`).
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

/// A freshly issued token and the moment it stops being accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What a valid token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_id: i64,
    pub email: String,
}

/// Why a token was refused. Both mean 401 to the client; they are told apart
/// so a client can be told to log in again rather than that it is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the session token has expired; log in again")]
    Expired,
    /// Bad signature, another algorithm than HS256, wrong issuer, missing or
    /// malformed claims, or not a JWT at all.
    #[error("the session token is invalid")]
    Invalid,
}

/// The claims as they are on the wire.
#[derive(Serialize, Deserialize)]
struct Wire {
    sub: String,
    email: String,
    iat: i64,
    exp: i64,
    iss: String,
}

impl TokenSigner {
    /// A signer for `secret` whose tokens live for `ttl`.
    ///
    /// Refuses a secret shorter than [`MIN_SECRET_LEN`] bytes (make one with
    /// [`generate_secret`]) and a `ttl` under one second (`exp` counts whole
    /// seconds).
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, AccountError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(AccountError::Config(format!(
                "the token secret is {} bytes; it needs at least {MIN_SECRET_LEN} random bytes",
                secret.len()
            )));
        }
        if ttl < Duration::from_secs(1) || i64::try_from(ttl.as_secs()).is_err() {
            return Err(AccountError::Config(format!(
                "the token lifetime {ttl:?} is out of range; give at least one second"
            )));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 0;
        // `exp` is checked by `verify_at` against its own clock, so tests can
        // move time and the rule (refused from `exp` on) is ours to state.
        validation.validate_exp = false;
        validation.validate_aud = false;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        })
    }

    /// How long issued tokens live (for an `expires_in` field).
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues a token for a user, valid from now for the signer's `ttl`.
    pub fn issue(&self, user_id: i64, email: &str) -> Result<Issued, AccountError> {
        self.issue_at(user_id, email, Utc::now())
    }

    /// [`issue`](Self::issue) as if the clock read `now` (for tests).
    pub fn issue_at(&self, user_id: i64, email: &str, now: DateTime<Utc>) -> Result<Issued, AccountError> {
        let iat = now.timestamp();
        // `new` checked that the ttl fits an i64.
        let exp = iat.saturating_add(self.ttl.as_secs() as i64);
        let expires_at = DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| AccountError::Signing(format!("expiry {exp} is out of range")))?;
        let wire = Wire { sub: user_id.to_string(), email: email.to_owned(), iat, exp, iss: ISSUER.to_owned() };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)
            .map_err(|e| AccountError::Signing(e.to_string()))?;
        Ok(Issued { token, expires_at })
    }

    /// Checks a token and returns what it says about its bearer.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(token, Utc::now())
    }

    /// [`verify`](Self::verify) as if the clock read `now` (for tests).
    ///
    /// The signature is checked before the expiry, so a forged token is
    /// `Invalid` even when its `exp` is past.
    pub fn verify_at(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let data =
            jsonwebtoken::decode::<Wire>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        let wire = data.claims;
        // RFC 7519 §4.1.4: not accepted "on or after" the expiration time.
        if now.timestamp() >= wire.exp {
            return Err(TokenError::Expired);
        }
        let user_id = wire.sub.parse::<i64>().map_err(|_| TokenError::Invalid)?;
        Ok(Claims { user_id, email: wire.email })
    }
}

/// 32 bytes from the OS random number generator, for a fresh token secret
/// (the host stores it, e.g. hex-encoded, so tokens survive a restart).
pub fn generate_secret() -> [u8; 32] {
    crate::random::bytes::<32>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::TimeDelta;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    fn signer() -> TokenSigner {
        TokenSigner::new(&[7u8; 32], Duration::from_secs(3600)).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A JWT with any header and payload, signed with HMAC-SHA256 and `key`.
    fn forge(header: &str, payload: &str, key: &[u8]) -> String {
        let signing_input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(&mac.finalize().into_bytes()))
    }

    fn payload_valid_now(iss: &str) -> String {
        let now = Utc::now().timestamp();
        format!(r#"{{"sub":"42","email":"a@example.com","iat":{now},"exp":{},"iss":"{iss}"}}"#, now + 600)
    }

    #[test]
    fn token_round_trip() {
        let s = signer();
        let before = Utc::now();
        let issued = s.issue(42, "user@example.com").unwrap();
        let claims = s.verify(&issued.token).unwrap();
        assert_eq!(claims, Claims { user_id: 42, email: "user@example.com".into() });
        let lifetime = issued.expires_at - before;
        assert!((TimeDelta::seconds(3599)..=TimeDelta::seconds(3601)).contains(&lifetime), "{lifetime}");
    }

    #[test]
    fn token_carries_the_documented_claims() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let issued = signer().issue_at(-5, "x@example.com", now).unwrap();
        let mut parts = issued.token.split('.');
        let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        let payload = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(header["alg"], "HS256");
        assert_eq!(
            payload,
            serde_json::json!({"sub": "-5", "email": "x@example.com",
                "iat": 1_700_000_000, "exp": 1_700_003_600, "iss": "capsule"})
        );
        assert_eq!(issued.expires_at.timestamp(), 1_700_003_600);
    }

    #[test]
    fn expired_token_is_refused_as_expired() {
        let s = TokenSigner::new(&[7u8; 32], Duration::from_secs(60)).unwrap();
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let issued = s.issue_at(1, "a@example.com", t0).unwrap();
        assert!(s.verify_at(&issued.token, t0 + TimeDelta::seconds(59)).is_ok());
        // No leeway: refused from the second `exp` is reached, and after.
        assert_eq!(s.verify_at(&issued.token, t0 + TimeDelta::seconds(60)), Err(TokenError::Expired));
        assert_eq!(s.verify_at(&issued.token, t0 + TimeDelta::seconds(61)), Err(TokenError::Expired));
        // And with the real clock: a token issued long ago.
        assert_eq!(s.verify(&issued.token), Err(TokenError::Expired));
    }

    #[test]
    fn expired_token_is_refused_with_the_real_clock_after_one_second() {
        let s = TokenSigner::new(&[7u8; 32], Duration::from_secs(1)).unwrap();
        let issued = s.issue(1, "a@example.com").unwrap();
        let wait = (issued.expires_at - Utc::now()).to_std().unwrap_or_default();
        std::thread::sleep(wait + Duration::from_millis(50));
        assert_eq!(s.verify(&issued.token), Err(TokenError::Expired));
    }

    #[test]
    fn token_signed_with_another_secret_is_refused() {
        let other = TokenSigner::new(&[8u8; 32], Duration::from_secs(3600)).unwrap();
        let issued = other.issue(42, "a@example.com").unwrap();
        assert_eq!(signer().verify(&issued.token), Err(TokenError::Invalid));
        // Even an expired forgery is Invalid, not Expired: the signature is
        // checked first, so an attacker learns nothing about expiry rules.
        let old = other.issue_at(42, "a@example.com", DateTime::from_timestamp(1000, 0).unwrap()).unwrap();
        assert_eq!(signer().verify(&old.token), Err(TokenError::Invalid));
    }

    #[test]
    fn alg_none_token_is_refused() {
        let payload = payload_valid_now("capsule");
        for header in [r#"{"alg":"none","typ":"JWT"}"#, r#"{"alg":"None"}"#] {
            let unsigned = format!("{}.{}.", b64(header.as_bytes()), b64(payload.as_bytes()));
            assert_eq!(signer().verify(&unsigned), Err(TokenError::Invalid));
        }
    }

    #[test]
    fn other_algorithms_than_hs256_are_refused() {
        // HS384/HS512 with the right key: still refused, only HS256 is ours.
        let payload = payload_valid_now("capsule");
        for alg in ["HS384", "HS512", "RS256"] {
            let token = forge(&format!(r#"{{"alg":"{alg}"}}"#), &payload, &[7u8; 32]);
            assert_eq!(signer().verify(&token), Err(TokenError::Invalid), "{alg}");
        }
        // The forging helper itself is right: HS256 with the key passes.
        let token = forge(r#"{"alg":"HS256"}"#, &payload, &[7u8; 32]);
        assert_eq!(signer().verify(&token).unwrap().user_id, 42);
    }

    #[test]
    fn tampered_payload_is_refused() {
        let issued = signer().issue(42, "a@example.com").unwrap();
        let parts: Vec<&str> = issued.token.split('.').collect();
        let payload = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
        let tampered = String::from_utf8(payload).unwrap().replace("\"42\"", "\"1\"");
        let token = format!("{}.{}.{}", parts[0], b64(tampered.as_bytes()), parts[2]);
        assert_eq!(signer().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn wrong_issuer_or_malformed_claims_are_refused() {
        let key = [7u8; 32];
        let header = r#"{"alg":"HS256"}"#;
        let now = Utc::now().timestamp();
        let exp = now + 600;
        for payload in [
            payload_valid_now("someone-else"),
            format!(r#"{{"sub":"42","email":"a@x.com","iat":{now},"exp":{exp}}}"#),
            format!(r#"{{"sub":"abc","email":"a@x.com","iat":{now},"exp":{exp},"iss":"capsule"}}"#),
            format!(r#"{{"sub":42,"email":"a@x.com","iat":{now},"exp":{exp},"iss":"capsule"}}"#),
            format!(r#"{{"sub":"42","email":"a@x.com","iat":{now},"iss":"capsule"}}"#),
            format!(r#"{{"sub":"42","email":"a@x.com","iat":{now},"exp":"{exp}","iss":"capsule"}}"#),
        ] {
            let token = forge(header, &payload, &key);
            assert_eq!(signer().verify(&token), Err(TokenError::Invalid), "{payload}");
        }
        for junk in ["", "abc", "a.b.c", "...", "e30.e30.e30"] {
            assert_eq!(signer().verify(junk), Err(TokenError::Invalid), "{junk}");
        }
    }

    #[test]
    fn short_secret_and_zero_ttl_are_refused() {
        assert!(matches!(
            TokenSigner::new(&[1u8; 31], Duration::from_secs(60)),
            Err(AccountError::Config(m)) if m.contains("31 bytes")
        ));
        assert!(TokenSigner::new(&[1u8; 32], Duration::from_millis(500)).is_err());
        assert!(TokenSigner::new(&generate_secret(), Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(generate_secret(), generate_secret());
    }
}

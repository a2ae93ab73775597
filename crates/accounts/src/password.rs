//! Password hashing with Argon2id.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) so the
//! parameters travel with each hash: raising them later does not break
//! existing users, whose hashes keep verifying with the parameters they were
//! made with.
//!
//! Both [`hash`] and [`verify`] spend tens of milliseconds of CPU on purpose;
//! call them from `spawn_blocking` in async code.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};

use crate::AccountError;

/// OWASP's recommended Argon2id setting (Password Storage Cheat Sheet):
/// 19 MiB of memory, 2 passes, 1 lane.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// Upper bounds on the parameters of a stored hash that [`verify`] will run.
/// The user table is trusted, but a corrupted or planted row must not make
/// one login allocate gigabytes or run for minutes.
const MAX_M_COST_KIB: u32 = 1 << 20; // 1 GiB
const MAX_T_COST: u32 = 32;
const MAX_P_COST: u32 = 16;

/// A hash of a random password that nobody knows, made with the parameters
/// above (a test checks they match). [`dummy_verify`] checks against it so
/// that a login for an unknown email costs as much as one for a known email.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$D9wWVlaFD3UZtAb9z1jUIg$yFlfd8PMLGFWb+jiohYwwIxQasWEOJbBXVAGPOinIA4";

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("the built-in Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with Argon2id and a fresh 16-byte random salt, and
/// returns the PHC string to store.
pub fn hash(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::encode_b64(&crate::random::bytes::<16>()).map_err(|e| AccountError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string `phc`.
///
/// Returns `false` (never panics) when `phc` is not a well-formed Argon2id
/// hash, or asks for more memory or time than this crate allows, so a bad
/// row in the user table fails one login instead of the server.
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.m_cost() > MAX_M_COST_KIB || params.t_cost() > MAX_T_COST || params.p_cost() > MAX_P_COST {
        return false;
    }
    // The comparison of the outputs inside is constant-time.
    hasher().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// Spends the time of a real [`verify`] and returns nothing.
///
/// Call it when a login names an email that has no account (or an account
/// without a password, such as a Google-only one): answering at once would
/// tell an attacker which emails are registered.
pub fn dummy_verify(password: &str) {
    // The result is always false and irrelevant; `black_box` keeps the
    // optimizer from discarding the work.
    std::hint::black_box(verify(password, DUMMY_PHC));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn hash_then_verify_round_trip_and_wrong_password() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("", &phc));
    }

    #[test]
    fn same_password_gets_a_different_salt_each_time() {
        let a = hash("same password").unwrap();
        let b = hash("same password").unwrap();
        assert_ne!(a, b);
        assert!(verify("same password", &a) && verify("same password", &b));
    }

    #[test]
    fn verify_of_a_malformed_hash_is_false() {
        for phc in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!!$!!!!",
            "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            // A bcrypt hash: another algorithm is refused, not misread.
            "$2b$12$KIXQJfZ1Yx9CwHnQx2Yz0eVZ5d0o7k0Gm1y1m4m9q1Ww2bPpFq9cW",
            // Well-formed, but asks for 4 GiB of memory.
            "$argon2id$v=19$m=4194303,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGg",
        ] {
            assert!(!verify("password", phc), "{phc:?} was accepted");
        }
    }

    #[test]
    fn argon2i_hash_of_the_right_password_is_refused() {
        // Only Argon2id is ever written; anything else in the table is suspect.
        let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap();
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = Argon2::new(Algorithm::Argon2i, Version::V0x13, params)
            .hash_password(b"password", &salt)
            .unwrap()
            .to_string();
        assert!(!verify("password", &phc));
    }

    #[test]
    fn dummy_hash_uses_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_PHC).unwrap();
        assert_eq!(parsed.algorithm, Algorithm::Argon2id.ident());
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (M_COST_KIB, T_COST, P_COST));
        let real = hash("x").unwrap();
        assert_eq!(PasswordHash::new(&real).unwrap().hash.unwrap().len(), parsed.hash.unwrap().len());
    }

    #[test]
    fn dummy_verify_takes_about_as_long_as_verify() {
        // The parameters are the same (test above), so the work is; this
        // checks that the work is really done. Runs alternate and the fastest
        // of each is compared, so other load on the machine mostly cancels
        // out; the bounds are wide for the same reason.
        let phc = hash("the real password").unwrap();
        let (mut real, mut dummy) = (Duration::MAX, Duration::MAX);
        for _ in 0..10 {
            let t = Instant::now();
            std::hint::black_box(verify("guess", &phc));
            real = real.min(t.elapsed());
            let t = Instant::now();
            dummy_verify("guess");
            dummy = dummy.min(t.elapsed());
        }
        let ratio = dummy.as_secs_f64() / real.as_secs_f64();
        assert!((0.5..2.0).contains(&ratio), "dummy {dummy:?} vs real {real:?} (ratio {ratio:.2})");
    }
}

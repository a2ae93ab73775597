//! Random bytes from the operating system.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use rand::rngs::OsRng;

/// `N` bytes from the OS random number generator.
///
/// Panics if the OS cannot provide randomness: every secret this crate makes
/// (salts, signing keys, OAuth `state`, PKCE verifiers) would be guessable
/// without it, so carrying on is worse than stopping.
pub(crate) fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.try_fill_bytes(&mut out).expect("the operating system's random number generator failed");
    out
}

/// `N` random bytes as unpadded base64url (URL- and header-safe text).
pub(crate) fn token<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<N>())
}

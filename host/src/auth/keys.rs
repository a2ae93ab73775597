//! The API key format: `csk_<id>_<secret>`. The id (12 hex digits) is the
//! key's public name, used to find it; the secret is 256 random bits. Only
//! the SHA-256 of the whole key is stored, so the key is shown once.

use sha2::{Digest, Sha256};

const PREFIX: &str = "csk_";
const ID_LEN: usize = 12;
const SECRET_LEN: usize = 64;

/// A newly made key: the text to hand out once, and what to store.
pub struct MintedKey {
    pub id: String,
    pub plaintext: String,
    pub secret_hash: String,
}

pub fn mint() -> MintedKey {
    let id = hex::encode(rand::random::<[u8; ID_LEN / 2]>());
    let secret = hex::encode(rand::random::<[u8; SECRET_LEN / 2]>());
    let plaintext = format!("{PREFIX}{id}_{secret}");
    let secret_hash = hash(&plaintext);
    MintedKey { id, plaintext, secret_hash }
}

pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The id of a presented key, or `None` when it cannot be one of ours.
pub fn id_of(presented: &str) -> Option<&str> {
    let rest = presented.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(id, ID_LEN) && hex(secret, SECRET_LEN)).then_some(id)
}

/// Equal-length comparison that does not stop at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_key_names_its_id_and_hashes_to_what_is_stored() {
        let k = mint();
        assert_eq!(id_of(&k.plaintext), Some(k.id.as_str()));
        assert!(same_secret(&hash(&k.plaintext), &k.secret_hash));
        assert_ne!(mint().plaintext, k.plaintext);
    }

    #[test]
    fn text_that_is_not_a_key_has_no_id() {
        for bad in ["", "csk_", "Bearer x", "csk_abc_def", &format!("csk_{}_{}", "g".repeat(12), "0".repeat(64))] {
            assert_eq!(id_of(bad), None, "{bad}");
        }
    }
}

//! Capsule's own presigned URLs, for stores that have none (the local
//! directory): `{public_url}/blobs/{id}?…&expires=…&signature=…`, an
//! HMAC-SHA256 over the method, the exact id, the expiry and, for uploads,
//! the content type and size limit. Whoever holds one may make that one
//! kind of request until it expires; a changed byte or a late request is
//! refused (403). The key is derived from the accounts' secret, so every
//! host sharing that secret accepts the others' URLs.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a signed URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Upload the file `id` (the upload's key) of `account`, with this
    /// `Content-Type`, at most `max_size` bytes.
    Put { id: String, account: String, content_type: String, max_size: u64 },
    /// Download the stored file `id`.
    Get { id: String },
}

impl Grant {
    fn id(&self) -> &str {
        match self {
            Grant::Put { id, .. } | Grant::Get { id } => id,
        }
    }

    fn message(&self, expires: i64) -> String {
        match self {
            Grant::Put { id, account, content_type, max_size } => {
                format!("capsule-blob-v1\nPUT\n{id}\n{account}\n{content_type}\n{max_size}\n{expires}")
            }
            Grant::Get { id } => format!("capsule-blob-v1\nGET\n{id}\n{expires}"),
        }
    }
}

/// Why a signed request was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the URL has expired; ask for a new one")]
    Expired,
    #[error("the URL's signature does not match (it was changed, or is for another file or request)")]
    Invalid,
}

#[derive(Clone)]
pub struct UrlSigner {
    key: Vec<u8>,
    public_url: String,
}

impl UrlSigner {
    /// `secret` is the accounts' secret; the URL key is derived from it so
    /// a session token and a URL signature are never the same MAC.
    pub fn new(secret: &[u8], public_url: &str) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"capsule presigned blob urls");
        Self { key: mac.finalize().into_bytes().to_vec(), public_url: public_url.trim_end_matches('/').to_string() }
    }

    fn mac(&self, grant: &Grant, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(grant.message(expires).as_bytes());
        mac
    }

    /// The URL and its expiry (seconds since the epoch).
    pub fn sign(&self, grant: &Grant, valid_for: Duration) -> (String, i64) {
        self.sign_at(grant, chrono::Utc::now().timestamp() + valid_for.as_secs() as i64)
    }

    pub fn sign_at(&self, grant: &Grant, expires: i64) -> (String, i64) {
        let signature = hex::encode(self.mac(grant, expires).finalize().into_bytes());
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Grant::Put { account, content_type, max_size, .. } = grant {
            query.append_pair("account", account);
            query.append_pair("type", content_type);
            query.append_pair("max", &max_size.to_string());
        }
        query.append_pair("expires", &expires.to_string());
        query.append_pair("signature", &signature);
        (format!("{}/blobs/{}?{}", self.public_url, grant.id(), query.finish()), expires)
    }

    /// Check a request's signature (constant time) and expiry.
    pub fn verify(&self, grant: &Grant, expires: i64, signature: &str) -> Result<(), SignatureError> {
        let given = hex::decode(signature).map_err(|_| SignatureError::Invalid)?;
        self.mac(grant, expires).verify_slice(&given).map_err(|_| SignatureError::Invalid)?;
        if chrono::Utc::now().timestamp() > expires {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_with(id: &str, account: &str, content_type: &str, max_size: u64) -> Grant {
        Grant::Put { id: id.into(), account: account.into(), content_type: content_type.into(), max_size }
    }

    const ID: &str = "f_0123456789abcdef0123456789abcdef";

    fn put() -> Grant {
        put_with(ID, "7", "video/mp4", 100)
    }

    fn signature_of(url: &str) -> String {
        url.split("signature=").nth(1).unwrap().to_string()
    }

    #[test]
    fn a_signed_url_verifies_until_it_expires() {
        let signer = UrlSigner::new(b"0123456789abcdef0123456789abcdef", "http://h/");
        let (url, expires) = signer.sign(&put(), Duration::from_secs(60));
        assert!(
            url.starts_with("http://h/blobs/f_0123456789abcdef0123456789abcdef?account=7&type=video%2Fmp4&max=100")
        );
        assert_eq!(signer.verify(&put(), expires, &signature_of(&url)), Ok(()));
        let (old, past) = signer.sign_at(&put(), chrono::Utc::now().timestamp() - 1);
        assert_eq!(signer.verify(&put(), past, &signature_of(&old)), Err(SignatureError::Expired));
    }

    #[test]
    fn any_changed_part_breaks_the_signature() {
        let signer = UrlSigner::new(b"0123456789abcdef0123456789abcdef", "http://h");
        let (url, expires) = signer.sign(&put(), Duration::from_secs(60));
        let sig = signature_of(&url);
        for other in [
            put_with("f_ffffffffffffffffffffffffffffffff", "7", "video/mp4", 100),
            put_with(ID, "8", "video/mp4", 100),
            put_with(ID, "7", "text/html", 100),
            put_with(ID, "7", "video/mp4", 101),
            Grant::Get { id: ID.into() },
        ] {
            assert_eq!(signer.verify(&other, expires, &sig), Err(SignatureError::Invalid), "{other:?}");
        }
        assert_eq!(signer.verify(&put(), expires + 1, &sig), Err(SignatureError::Invalid));
        let other_key = UrlSigner::new(b"another secret, also 32 bytes long", "http://h");
        assert_eq!(other_key.verify(&put(), expires, &sig), Err(SignatureError::Invalid));
    }
}

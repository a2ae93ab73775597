//! Who is calling: API keys, the tenants they belong to, their roles and
//! request rates.
//!
//! With no key ever created the API is open (anonymous callers, one shared
//! space) and says so in `/health` and the start-up log. Once a key exists,
//! every data route needs one; each job and file belongs to the key's
//! tenant and is invisible to others.

pub mod cli;
mod keys;
mod rate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

pub use keys::same_secret;
pub use rate::{Rate, RateLimits};

use crate::store::{KeyRecord, KeyStore, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read its tenant's jobs and files.
    Viewer,
    /// Also submit and cancel jobs and upload files.
    Submitter,
    /// Also manage components and keys.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Submitter => "submitter",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "viewer" => Role::Viewer,
            "submitter" => Role::Submitter,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// The caller of a request, as the handlers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None` while the API is open: everything is in one anonymous space.
    pub tenant: Option<String>,
    pub role: Role,
    /// The key's id (`None` when open or for the admin tokens).
    pub key_id: Option<String>,
}

impl Caller {
    /// A caller of an API that has no keys.
    pub fn anonymous() -> Self {
        Self { tenant: None, role: Role::Admin, key_id: None }
    }

    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this API needs an API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`")]
    Missing,
    #[error("the API key is not valid (unknown, mistyped or revoked); ask an admin for a new one")]
    Invalid,
    #[error("the API key expired; ask an admin for a new one")]
    Expired,
    #[error("too many requests for this API key; retry in {} s", .0.as_secs().max(1))]
    RateLimited(Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What creating a key needs.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub tenant: String,
    pub role: Role,
    pub name: String,
    pub rate: Option<Rate>,
    /// From now; `None` = never.
    pub expires_in: Option<Duration>,
}

/// A key as shown to admins (never its secret).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub id: String,
    pub tenant: String,
    pub role: String,
    pub name: String,
    pub rate_limit: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&KeyRecord> for KeyView {
    fn from(k: &KeyRecord) -> Self {
        let time = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        Self {
            id: k.id.clone(),
            tenant: k.tenant.clone(),
            role: k.role.clone(),
            name: k.name.clone(),
            rate_limit: k.rate_limit.clone(),
            created_at: time(k.created_at),
            expires_at: k.expires_at.map(time),
            revoked_at: k.revoked_at.map(time),
        }
    }
}

/// Tenant names: short, printable, safe in logs and URLs.
pub fn check_tenant(tenant: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&tenant.len())
        && tenant.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok { Ok(()) } else { Err(format!("tenant `{tenant}`: use 1 to 64 letters, digits, `-`, `_` or `.`")) }
}

/// Make a key: returns its text (to show once) and its stored form.
pub async fn create_key(store: &dyn KeyStore, spec: &KeySpec) -> Result<(String, KeyRecord), String> {
    check_tenant(&spec.tenant)?;
    if spec.name.chars().count() > 200 {
        return Err("the key's name may be at most 200 characters".into());
    }
    let minted = keys::mint();
    let now = chrono::Utc::now().timestamp_millis();
    let record = KeyRecord {
        id: minted.id,
        tenant: spec.tenant.clone(),
        role: spec.role.as_str().into(),
        name: spec.name.clone(),
        secret_hash: minted.secret_hash,
        rate_limit: spec.rate.map(|r| r.to_string()),
        created_at: now,
        expires_at: spec.expires_in.map(|d| now.saturating_add(d.as_millis() as i64)),
        revoked_at: None,
    };
    store.insert_key(&record).await.map_err(|e| e.to_string())?;
    Ok((minted.plaintext, record))
}

/// How long a looked-up key is trusted before it is read again: a key
/// revoked by `capsule keys revoke` (another process) stops working within
/// this time; one revoked through the admin API at once.
const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// How long "no keys yet" is trusted: the first key made by `capsule keys
/// create` in another process closes the API within this time.
const OPEN_CACHE_TTL: Duration = Duration::from_millis(200);

/// Authenticates requests against the key store.
pub struct Auth {
    store: Arc<dyn KeyStore>,
    rates: RateLimits,
    /// Whether keys exist, and when that was read.
    closed: Mutex<Option<(bool, Instant)>>,
    /// Verified keys by id, with when they were read.
    cache: Mutex<HashMap<String, (KeyRecord, Instant)>>,
}

impl Auth {
    pub fn new(store: Arc<dyn KeyStore>, default_rate: Option<Rate>) -> Self {
        Self {
            store,
            rates: RateLimits::new(default_rate),
            closed: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    /// Whether requests need a key. Once true it stays true (keys are
    /// revoked, never forgotten), so only the open state is re-read.
    pub async fn keys_required(&self) -> Result<bool, StoreError> {
        if let Some((closed, at)) = *self.closed.lock().expect("auth mode")
            && (closed || at.elapsed() < OPEN_CACHE_TTL)
        {
            return Ok(closed);
        }
        let closed = self.store.any_key().await?;
        *self.closed.lock().expect("auth mode") = Some((closed, Instant::now()));
        Ok(closed)
    }

    /// The caller behind a presented key (`None`: no key was presented).
    pub async fn authenticate(&self, presented: Option<&str>) -> Result<Caller, AuthError> {
        let Some(presented) = presented else { return Err(AuthError::Missing) };
        let id = keys::id_of(presented).ok_or(AuthError::Invalid)?;
        let record = self.lookup(id).await?.ok_or(AuthError::Invalid)?;
        if !keys::same_secret(&keys::hash(presented), &record.secret_hash) || record.revoked_at.is_some() {
            return Err(AuthError::Invalid);
        }
        if record.expires_at.is_some_and(|at| at <= chrono::Utc::now().timestamp_millis()) {
            return Err(AuthError::Expired);
        }
        let role = Role::parse(&record.role).ok_or(AuthError::Invalid)?;
        let own_rate = record.rate_limit.as_deref().and_then(|r| r.parse().ok());
        self.rates.check(&record.id, own_rate).map_err(AuthError::RateLimited)?;
        Ok(Caller { tenant: Some(record.tenant), role, key_id: Some(record.id) })
    }

    async fn lookup(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        if let Some((record, at)) = self.cache.lock().expect("key cache").get(id)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(Some(record.clone()));
        }
        let found = self.store.key(id).await?;
        let mut cache = self.cache.lock().expect("key cache");
        match &found {
            Some(record) => {
                cache.insert(id.to_string(), (record.clone(), Instant::now()));
            }
            None => {
                cache.remove(id);
            }
        }
        Ok(found)
    }

    pub async fn create(&self, spec: &KeySpec) -> Result<(String, KeyRecord), String> {
        let created = create_key(self.store.as_ref(), spec).await?;
        *self.closed.lock().expect("auth mode") = Some((true, Instant::now()));
        Ok(created)
    }

    /// Revoke at once (also for this process's cache); false if no such active key.
    pub async fn revoke(&self, id: &str) -> Result<bool, StoreError> {
        let revoked = self.store.revoke_key(id, chrono::Utc::now().timestamp_millis()).await?;
        self.cache.lock().expect("key cache").remove(id);
        Ok(revoked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    async fn auth(rate: Option<&str>) -> (tempfile::TempDir, Auth) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("jobs.db")).await.unwrap();
        (dir, Auth::new(Arc::new(store), rate.map(|r| r.parse().unwrap())))
    }

    fn spec(tenant: &str, role: Role) -> KeySpec {
        KeySpec { tenant: tenant.into(), role, name: String::new(), rate: None, expires_in: None }
    }

    #[tokio::test]
    async fn the_api_is_open_until_a_key_exists() {
        let (_d, auth) = auth(None).await;
        assert!(!auth.keys_required().await.unwrap());
        let (key, _) = auth.create(&spec("acme", Role::Submitter)).await.unwrap();
        assert!(auth.keys_required().await.unwrap());
        let caller = auth.authenticate(Some(&key)).await.unwrap();
        assert_eq!(caller.tenant.as_deref(), Some("acme"));
        assert_eq!(caller.role, Role::Submitter);
    }

    #[tokio::test]
    async fn a_wrong_revoked_or_expired_key_is_refused() {
        let (_d, auth) = auth(None).await;
        let (key, record) = auth.create(&spec("acme", Role::Viewer)).await.unwrap();
        assert!(matches!(auth.authenticate(None).await, Err(AuthError::Missing)));
        let mut forged = key.clone();
        forged.replace_range(forged.len() - 4.., "0000");
        if forged != key {
            assert!(matches!(auth.authenticate(Some(&forged)).await, Err(AuthError::Invalid)));
        }
        assert!(matches!(auth.authenticate(Some("not-a-key")).await, Err(AuthError::Invalid)));
        assert!(auth.revoke(&record.id).await.unwrap());
        assert!(matches!(auth.authenticate(Some(&key)).await, Err(AuthError::Invalid)));

        let expiring = KeySpec { expires_in: Some(Duration::ZERO), ..spec("acme", Role::Viewer) };
        let (key, _) = auth.create(&expiring).await.unwrap();
        assert!(matches!(auth.authenticate(Some(&key)).await, Err(AuthError::Expired)));
    }

    #[tokio::test]
    async fn a_key_over_its_rate_is_told_how_long_to_wait() {
        let (_d, auth) = auth(Some("2/h")).await;
        let (key, _) = auth.create(&spec("acme", Role::Submitter)).await.unwrap();
        assert!(auth.authenticate(Some(&key)).await.is_ok());
        assert!(auth.authenticate(Some(&key)).await.is_ok());
        match auth.authenticate(Some(&key)).await {
            Err(AuthError::RateLimited(wait)) => assert!(wait > Duration::from_secs(60), "{wait:?}"),
            other => panic!("expected a rate limit, got {other:?}"),
        }
    }

    #[test]
    fn tenant_names_are_checked() {
        assert!(check_tenant("acme-corp_1.eu").is_ok());
        for bad in ["", "a b", "x/y", &"t".repeat(65)] {
            assert!(check_tenant(bad).is_err(), "{bad}");
        }
    }
}

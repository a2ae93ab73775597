//! The `keyvalue` engine: `wasi:keyvalue/store@0.2.0-draft` for components,
//! kept in the job store (`crate::store::KeyValueStore`) so every host
//! sharing the database sees the same values and they outlive restarts.
//!
//! Granted by Spin's key, not by `engines`: `key_value_stores = ["default"]`
//! lists the labels `open` accepts (any other is `access-denied`). Each
//! label of each component is a namespace of its own under the job's owner
//! (`Owner::key`: the tenant, nobody while the API is open, a namespace of
//! its own for self-tests at load), so no component reads another's keys
//! and no tenant another's. The interface's errors carry our codes as
//! `other("CODE: sentence")`, which the SDK turns back into a failure.

use std::collections::BTreeSet;
use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker, Resource};

use super::{Code, EngineStatus, Grant, JobScope, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::wasi::keyvalue::store::{self, Error, KeyResponse};
use crate::store::{KeyValueStore, KvNamespace, StoreError};

/// The spin.toml key that grants store labels.
pub const GRANT_KEY: &str = "key_value_stores";
/// The interface a component imports to use the engine.
pub const IMPORT: &str = "wasi:keyvalue/store@0.2.0-draft";

pub const ACCESS_DENIED: &str = "KEYVALUE_ACCESS_DENIED";
pub const TOO_LARGE: &str = "KEYVALUE_TOO_LARGE";
pub const INVALID_KEY: &str = "KEYVALUE_INVALID_KEY";
pub const FAILED: &str = "KEYVALUE_FAILED";

/// Longest key, in bytes of UTF-8.
pub const MAX_KEY: usize = 1024;
/// Largest value.
pub const MAX_VALUE: usize = 1 << 20;
/// Most keys in one store (one label of one component, for one owner).
pub const MAX_KEYS: u64 = 10_000;
/// Most keys one `list-keys` call returns (at most 1 MiB of keys).
pub const PAGE: u32 = 1000;

const CODES: &[Code] = &[
    Code {
        code: ACCESS_DENIED,
        retryable: false,
        meaning: "the store's label is not granted by the component's `key_value_stores` (`access-denied`)",
    },
    Code {
        code: INVALID_KEY,
        retryable: false,
        meaning: "a key that is empty, longer than 1024 bytes or contains U+0000",
    },
    Code {
        code: TOO_LARGE,
        retryable: false,
        meaning: "a value over 1 MiB, or a new key in a store that already holds 10,000",
    },
    Code { code: FAILED, retryable: true, meaning: "the job store could not be read or written" },
];

/// An open store, as the guest's `bucket` handle: which granted label.
pub struct Bucket {
    label: String,
}

pub struct KeyValue {
    store: Arc<dyn KeyValueStore>,
}

/// `other("CODE: sentence")`: the SDK reads the code back.
fn other(code: &str, sentence: impl std::fmt::Display) -> Error {
    Error::Other(format!("{code}: {sentence}"))
}

fn from_store(e: StoreError) -> Error {
    tracing::warn!(error = %e, "key-value store call failed");
    other(FAILED, "the key-value store could not be read or written; try again")
}

fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > MAX_KEY || key.contains('\0') {
        let shown: String = key.chars().take(40).collect();
        return Err(other(
            INVALID_KEY,
            format!("`{shown}` ({} bytes) is not a key: use 1-{MAX_KEY} bytes of UTF-8 without U+0000", key.len()),
        ));
    }
    Ok(())
}

impl KeyValue {
    /// A handle on `label` if the component's `key_value_stores` grants it.
    pub fn open(granted: &BTreeSet<String>, label: &str) -> Result<Bucket, Error> {
        if granted.contains(label) { Ok(Bucket { label: label.to_string() }) } else { Err(Error::AccessDenied) }
    }

    fn namespace(scope: &JobScope, label: &str) -> KvNamespace {
        KvNamespace { owner: scope.owner.key(), component: scope.capability.clone(), store: label.to_string() }
    }

    pub async fn get(&self, scope: &JobScope, label: &str, key: &str) -> Result<Option<Vec<u8>>, Error> {
        check_key(key)?;
        self.store.kv_get(&Self::namespace(scope, label), key).await.map_err(from_store)
    }

    pub async fn set(&self, scope: &JobScope, label: &str, key: &str, value: &[u8]) -> Result<(), Error> {
        check_key(key)?;
        if value.len() > MAX_VALUE {
            return Err(other(
                TOO_LARGE,
                format!(
                    "the value for `{key}` is {} bytes; a value may be at most 1 MiB ({MAX_VALUE} bytes)",
                    value.len()
                ),
            ));
        }
        let stored =
            self.store.kv_set(&Self::namespace(scope, label), key, value, MAX_KEYS).await.map_err(from_store)?;
        if !stored {
            return Err(other(
                TOO_LARGE,
                format!(
                    "the store `{label}` already holds {MAX_KEYS} keys, its limit; delete some before adding `{key}`"
                ),
            ));
        }
        Ok(())
    }

    pub async fn delete(&self, scope: &JobScope, label: &str, key: &str) -> Result<(), Error> {
        check_key(key)?;
        self.store.kv_delete(&Self::namespace(scope, label), key).await.map(|_| ()).map_err(from_store)
    }

    pub async fn exists(&self, scope: &JobScope, label: &str, key: &str) -> Result<bool, Error> {
        check_key(key)?;
        self.store.kv_exists(&Self::namespace(scope, label), key).await.map_err(from_store)
    }

    /// A page of keys in byte order; the cursor is how many were listed before.
    pub async fn list_keys(&self, scope: &JobScope, label: &str, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let offset = cursor.unwrap_or(0);
        // One more than a page tells whether another page follows.
        let mut keys =
            self.store.kv_keys(&Self::namespace(scope, label), "", offset, PAGE + 1).await.map_err(from_store)?;
        let more = keys.len() > PAGE as usize;
        keys.truncate(PAGE as usize);
        let cursor = more.then(|| offset.saturating_add(u64::from(PAGE)));
        Ok(KeyResponse { keys, cursor })
    }
}

impl Lent for KeyValue {
    const NAME: &'static str = "keyvalue";
    const GRANT: Grant = Grant::Key(GRANT_KEY);

    async fn start(ctx: &StartContext<'_>) -> Self {
        Self { store: ctx.keyvalue.clone() }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        store::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        let mut status = EngineStatus::new(None, None);
        status.details.insert("interface".into(), IMPORT.into());
        status.details.insert("grant".into(), GRANT_KEY.into());
        status.details.insert("maxKeyBytes".into(), MAX_KEY.into());
        status.details.insert("maxValueBytes".into(), MAX_VALUE.into());
        status.details.insert("maxKeys".into(), MAX_KEYS.into());
        status
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

/// The label behind a guest's handle. wasmtime checks handles before the
/// call reaches the host, so a missing one is a host bug, not the guest's.
fn label(state: &mut JobState, handle: &Resource<Bucket>) -> Result<String, Error> {
    match state.table().get(handle) {
        Ok(bucket) => Ok(bucket.label.clone()),
        Err(e) => Err(other(FAILED, format!("the store's handle is not open here: {e}"))),
    }
}

impl store::Host for JobState {
    async fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, Error> {
        let bucket = KeyValue::open(&self.scope.key_value_stores, &identifier)?;
        self.table().push(bucket).map_err(|e| other(FAILED, format!("no more stores can be opened: {e}")))
    }
}

impl store::HostBucket for JobState {
    async fn get(&mut self, handle: Resource<Bucket>, key: String) -> Result<Option<Vec<u8>>, Error> {
        let label = label(self, &handle)?;
        self.engines.keyvalue.get(&self.scope, &label, &key).await
    }

    async fn set(&mut self, handle: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), Error> {
        let label = label(self, &handle)?;
        self.engines.keyvalue.set(&self.scope, &label, &key, &value).await
    }

    async fn delete(&mut self, handle: Resource<Bucket>, key: String) -> Result<(), Error> {
        let label = label(self, &handle)?;
        self.engines.keyvalue.delete(&self.scope, &label, &key).await
    }

    async fn exists(&mut self, handle: Resource<Bucket>, key: String) -> Result<bool, Error> {
        let label = label(self, &handle)?;
        self.engines.keyvalue.exists(&self.scope, &label, &key).await
    }

    async fn list_keys(&mut self, handle: Resource<Bucket>, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let label = label(self, &handle)?;
        self.engines.keyvalue.list_keys(&self.scope, &label, cursor).await
    }

    async fn drop(&mut self, handle: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table().delete(handle)?;
        Ok(())
    }
}

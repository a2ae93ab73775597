//! Key-value stores a component keeps state in between jobs (an interview's
//! questions and answers, a chat room's history), through the standard
//! `wasi:keyvalue/store` interface. `spin.toml` grants a component the
//! stores it may open by label (`key_value_stores = ["default"]`, Spin's
//! key); the host keeps each component's keys apart from every other
//! component's, and each tenant's apart from every other tenant's.
//!
//! Use it through the [`KeyValue`](crate::KeyValue) trait so a job's flow
//! can be unit-tested natively with [`Memory`].

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Failure;

/// Failure codes of the key-value engine.
pub mod codes {
    /// This host lends no key-value store (a native build, or an older host).
    pub const KEYVALUE_UNAVAILABLE: &str = "KEYVALUE_UNAVAILABLE";
    /// The store's label is not granted by the component's `key_value_stores`.
    pub const KEYVALUE_ACCESS_DENIED: &str = "KEYVALUE_ACCESS_DENIED";
    /// A key or value over the host's limits, or a store with too many keys.
    pub const KEYVALUE_TOO_LARGE: &str = "KEYVALUE_TOO_LARGE";
    /// A key the host refuses (empty, or over its length limit).
    pub const KEYVALUE_INVALID_KEY: &str = "KEYVALUE_INVALID_KEY";
    /// The store could not be read or written; running again may succeed.
    pub const KEYVALUE_FAILED: &str = "KEYVALUE_FAILED";
    /// A stored value is not the JSON the component expected.
    pub const KEYVALUE_CORRUPT: &str = "KEYVALUE_CORRUPT";
}

pub(crate) fn unavailable() -> Failure {
    Failure::new(codes::KEYVALUE_UNAVAILABLE, "this host lends no key-value store")
}

/// The value at `key` read as JSON, `None` when there is none.
pub fn get_json<T: DeserializeOwned>(
    kv: &mut (impl crate::KeyValue + ?Sized),
    store: &str,
    key: &str,
) -> Result<Option<T>, Failure> {
    match kv.kv_get(store, key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Failure::new(codes::KEYVALUE_CORRUPT, format!("the value stored at `{key}` is not what was written: {e}"))
        }),
    }
}

/// Store `value` at `key` as JSON.
pub fn set_json<T: Serialize + ?Sized>(
    kv: &mut (impl crate::KeyValue + ?Sized),
    store: &str,
    key: &str,
    value: &T,
) -> Result<(), Failure> {
    let bytes = serde_json::to_vec(value).map_err(|e| {
        Failure::new(codes::KEYVALUE_FAILED, format!("the value for `{key}` could not be encoded: {e}"))
    })?;
    kv.kv_set(store, key, &bytes)
}

/// An in-memory key-value store for native tests: every label is granted
/// unless [`Memory::only`] lists the granted ones.
#[derive(Debug, Default, Clone)]
pub struct Memory {
    stores: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    granted: Option<Vec<String>>,
}

impl Memory {
    /// A store that grants only `labels`, as `key_value_stores` would.
    pub fn only(labels: &[&str]) -> Self {
        Self { granted: Some(labels.iter().map(|l| l.to_string()).collect()), ..Self::default() }
    }

    fn store(&mut self, label: &str) -> Result<&mut BTreeMap<String, Vec<u8>>, Failure> {
        if let Some(granted) = &self.granted
            && !granted.iter().any(|g| g == label)
        {
            return Err(Failure::new(codes::KEYVALUE_ACCESS_DENIED, format!("the store `{label}` is not granted")));
        }
        Ok(self.stores.entry(label.to_string()).or_default())
    }
}

impl crate::KeyValue for Memory {
    fn kv_get(&mut self, store: &str, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        Ok(self.store(store)?.get(key).cloned())
    }
    fn kv_set(&mut self, store: &str, key: &str, value: &[u8]) -> Result<(), Failure> {
        self.store(store)?.insert(key.to_string(), value.to_vec());
        Ok(())
    }
    fn kv_delete(&mut self, store: &str, key: &str) -> Result<(), Failure> {
        self.store(store)?.remove(key);
        Ok(())
    }
    fn kv_exists(&mut self, store: &str, key: &str) -> Result<bool, Failure> {
        Ok(self.store(store)?.contains_key(key))
    }
    fn kv_keys(&mut self, store: &str, prefix: &str) -> Result<Vec<String>, Failure> {
        Ok(self.store(store)?.keys().filter(|k| k.starts_with(prefix)).cloned().collect())
    }
}

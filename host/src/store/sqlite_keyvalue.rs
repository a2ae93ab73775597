//! Key-value pairs in the embedded store. Reads go to the read pool; writes
//! to the connection kept for writes off the job path (as component
//! releases do), serialised with the job writer by SQLite's lock. That one
//! connection also orders writes among themselves, so a store's key count
//! cannot be passed by two writers at once.

use async_trait::async_trait;

use super::{KeyValueStore, KvNamespace, SqliteStore, StoreError};

/// The rows of one namespace; binds owner, component, store.
macro_rules! in_namespace {
    () => {
        "owner = ? AND component = ? AND store = ?"
    };
}

#[async_trait]
impl KeyValueStore for SqliteStore {
    async fn kv_get(&self, ns: &KvNamespace, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let value = sqlx::query_scalar(concat!("SELECT value FROM keyvalue WHERE ", in_namespace!(), " AND key = ?"))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        Ok(value)
    }

    async fn kv_set(&self, ns: &KvNamespace, key: &str, value: &[u8], max_keys: u64) -> Result<bool, StoreError> {
        let mut tx = self.admin_writer.begin().await?;
        // A write first: the transaction takes SQLite's write lock now, so
        // the count below cannot change before the insert.
        let replaced = sqlx::query(concat!("UPDATE keyvalue SET value = ? WHERE ", in_namespace!(), " AND key = ?"))
            .bind(value)
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if replaced == 0 {
            let count: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM keyvalue WHERE ", in_namespace!()))
                .bind(&ns.owner)
                .bind(&ns.component)
                .bind(&ns.store)
                .fetch_one(&mut *tx)
                .await?;
            if u64::try_from(count).unwrap_or(0) >= max_keys {
                return Ok(false);
            }
            sqlx::query("INSERT INTO keyvalue (owner, component, store, key, value) VALUES (?, ?, ?, ?, ?)")
                .bind(&ns.owner)
                .bind(&ns.component)
                .bind(&ns.store)
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn kv_delete(&self, ns: &KvNamespace, key: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query(concat!("DELETE FROM keyvalue WHERE ", in_namespace!(), " AND key = ?"))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .execute(&self.admin_writer)
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn kv_exists(&self, ns: &KvNamespace, key: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar(concat!("SELECT 1 FROM keyvalue WHERE ", in_namespace!(), " AND key = ?"))
                .bind(&ns.owner)
                .bind(&ns.component)
                .bind(&ns.store)
                .bind(key)
                .fetch_optional(&self.reader)
                .await?;
        Ok(found.is_some())
    }

    async fn kv_keys(
        &self,
        ns: &KvNamespace,
        prefix: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        // `substr` and `length` both count characters of the text, so this
        // is "starts with" without LIKE's wildcards and case folding.
        let keys = sqlx::query_scalar(concat!(
            "SELECT key FROM keyvalue WHERE ",
            in_namespace!(),
            " AND substr(key, 1, length(?)) = ?
             ORDER BY key LIMIT ? OFFSET ?"
        ))
        .bind(&ns.owner)
        .bind(&ns.component)
        .bind(&ns.store)
        .bind(prefix)
        .bind(prefix)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.reader)
        .await?;
        Ok(keys)
    }

    async fn kv_count(&self, ns: &KvNamespace) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM keyvalue WHERE ", in_namespace!()))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .fetch_one(&self.reader)
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

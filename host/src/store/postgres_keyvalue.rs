//! Key-value pairs in the PostgreSQL store, shared by every host. Replacing
//! a value is one statement; adding a key first takes a transaction-scoped
//! advisory lock on its namespace, so hosts adding keys to one store at once
//! take turns at counting them and none passes the limit.

use async_trait::async_trait;

use super::{KeyValueStore, KvNamespace, PgStore, StoreError};

/// The rows of one namespace; binds owner, component, store as $1..$3.
macro_rules! in_namespace {
    () => {
        "owner = $1 AND component = $2 AND store = $3"
    };
}

#[async_trait]
impl KeyValueStore for PgStore {
    async fn kv_get(&self, ns: &KvNamespace, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let value = sqlx::query_scalar(concat!("SELECT value FROM keyvalue WHERE ", in_namespace!(), " AND key = $4"))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(value)
    }

    async fn kv_set(&self, ns: &KvNamespace, key: &str, value: &[u8], max_keys: u64) -> Result<bool, StoreError> {
        let replace = concat!("UPDATE keyvalue SET value = $5 WHERE ", in_namespace!(), " AND key = $4");
        let replaced = sqlx::query(replace)
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .bind(value)
            .execute(self.pool())
            .await?
            .rows_affected();
        if replaced > 0 {
            return Ok(true);
        }
        // A new key, most likely: count and insert in turn with the other
        // writers of this namespace (a hash collision only makes two
        // namespaces take turns too).
        let mut tx = self.pool().begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2 || chr(31) || $3, 7))")
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .execute(&mut *tx)
            .await?;
        // Another writer may have added it since.
        let replaced = sqlx::query(replace)
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .bind(value)
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
            sqlx::query("INSERT INTO keyvalue (owner, component, store, key, value) VALUES ($1, $2, $3, $4, $5)")
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
        let deleted = sqlx::query(concat!("DELETE FROM keyvalue WHERE ", in_namespace!(), " AND key = $4"))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .bind(key)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn kv_exists(&self, ns: &KvNamespace, key: &str) -> Result<bool, StoreError> {
        let found: bool = sqlx::query_scalar(concat!(
            "SELECT EXISTS (SELECT 1 FROM keyvalue WHERE ",
            in_namespace!(),
            " AND key = $4)"
        ))
        .bind(&ns.owner)
        .bind(&ns.component)
        .bind(&ns.store)
        .bind(key)
        .fetch_one(self.pool())
        .await?;
        Ok(found)
    }

    async fn kv_keys(
        &self,
        ns: &KvNamespace,
        prefix: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let keys = sqlx::query_scalar(concat!(
            "SELECT key FROM keyvalue WHERE ",
            in_namespace!(),
            " AND starts_with(key, $4) ORDER BY key LIMIT $5 OFFSET $6"
        ))
        .bind(&ns.owner)
        .bind(&ns.component)
        .bind(&ns.store)
        .bind(prefix)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        Ok(keys)
    }

    async fn kv_count(&self, ns: &KvNamespace) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM keyvalue WHERE ", in_namespace!()))
            .bind(&ns.owner)
            .bind(&ns.component)
            .bind(&ns.store)
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

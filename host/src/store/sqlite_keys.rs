//! API keys in the embedded store.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{KeyRecord, KeyStore, SqliteStore, StoreError};

fn key_from_row(r: &SqliteRow) -> KeyRecord {
    KeyRecord {
        id: r.get("id"),
        tenant: r.get("tenant"),
        role: r.get("role"),
        name: r.get("name"),
        secret_hash: r.get("secret_hash"),
        rate_limit: r.get("rate_limit"),
        created_at: r.get("created_at"),
        expires_at: r.get("expires_at"),
        revoked_at: r.get("revoked_at"),
    }
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn insert_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, tenant, role, name, secret_hash, rate_limit, created_at, expires_at, revoked_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(&key.tenant)
        .bind(&key.role)
        .bind(&key.name)
        .bind(&key.secret_hash)
        .bind(&key.rate_limit)
        .bind(key.created_at)
        .bind(key.expires_at)
        .bind(key.revoked_at)
        .execute(&self.admin_writer)
        .await?;
        Ok(())
    }

    async fn key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM api_keys WHERE id = ?").bind(id).fetch_optional(&self.reader).await?;
        Ok(row.as_ref().map(key_from_row))
    }

    async fn keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM api_keys ORDER BY created_at, id").fetch_all(&self.reader).await?;
        Ok(rows.iter().map(key_from_row).collect())
    }

    async fn revoke_key(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.admin_writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn any_key(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM api_keys) AS any").fetch_one(&self.reader).await?;
        Ok(row.get::<bool, _>("any"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> KeyRecord {
        KeyRecord {
            id: id.into(),
            tenant: "acme".into(),
            role: "submitter".into(),
            name: "ci".into(),
            secret_hash: "00".into(),
            rate_limit: Some("5/s".into()),
            created_at: 1,
            expires_at: None,
            revoked_at: None,
        }
    }

    #[tokio::test]
    async fn a_stored_key_reads_back_and_revoking_it_keeps_the_api_closed() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("jobs.db")).await.unwrap();
        assert!(!s.any_key().await.unwrap());
        s.insert_key(&key("k1")).await.unwrap();
        assert_eq!(s.key("k1").await.unwrap(), Some(key("k1")));
        assert!(s.revoke_key("k1", 9).await.unwrap());
        assert!(!s.revoke_key("k1", 10).await.unwrap(), "a revoked key is not revoked twice");
        assert_eq!(s.key("k1").await.unwrap().unwrap().revoked_at, Some(9));
        assert!(s.any_key().await.unwrap());
        assert_eq!(s.keys().await.unwrap().len(), 1);
    }
}

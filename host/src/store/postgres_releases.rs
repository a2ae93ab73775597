//! Component versions in the PostgreSQL store, shared by every host. An
//! activation first bumps its component's row in `component_heads`: the row
//! lock it takes orders concurrent activations of one component (a push on
//! one host, a rollback on another), so each sees the history the one
//! before it left and the active version is the last one committed.

use async_trait::async_trait;
use sqlx::Row;

use super::{Activated, Activation, PgStore, ReleaseStore, Releases, StoreError};

#[async_trait]
impl ReleaseStore for PgStore {
    async fn activate(&self, a: Activation<'_>) -> Result<Option<Activated>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let generation: i64 = sqlx::query(
            "INSERT INTO component_heads (component, generation) VALUES ($1, 1)
             ON CONFLICT (component) DO UPDATE SET generation = component_heads.generation + 1
             RETURNING generation",
        )
        .bind(a.component)
        .fetch_one(&mut *tx)
        .await?
        .get("generation");
        match a.wasm {
            Some(wasm) => {
                sqlx::query(
                    "INSERT INTO component_versions (component, digest, wasm, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (component, digest) DO NOTHING",
                )
                .bind(a.component)
                .bind(a.digest)
                .bind(wasm)
                .bind(a.now)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                let stored = sqlx::query("SELECT 1 FROM component_versions WHERE component = $1 AND digest = $2")
                    .bind(a.component)
                    .bind(a.digest)
                    .fetch_optional(&mut *tx)
                    .await?;
                if stored.is_none() {
                    // Dropping the transaction rolls the generation back.
                    return Ok(None);
                }
            }
        }
        if a.from_manifest {
            sqlx::query("UPDATE component_heads SET manifest_digest = $1 WHERE component = $2")
                .bind(a.digest)
                .bind(a.component)
                .execute(&mut *tx)
                .await?;
        }
        let previous: Option<String> =
            sqlx::query_scalar("SELECT digest FROM component_releases WHERE component = $1 ORDER BY seq DESC LIMIT 1")
                .bind(a.component)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO component_releases (component, digest, seq, activated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (component, digest) DO UPDATE SET seq = excluded.seq, activated_at = excluded.activated_at",
        )
        .bind(a.component)
        .bind(a.digest)
        .bind(generation)
        .bind(a.now)
        .execute(&mut *tx)
        .await?;
        let keep = i64::try_from(a.keep.max(1)).unwrap_or(i64::MAX);
        sqlx::query(
            "DELETE FROM component_releases WHERE component = $1 AND seq <= (
                 SELECT seq FROM component_releases WHERE component = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)",
        )
        .bind(a.component)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM component_versions WHERE component = $1
               AND digest NOT IN (SELECT digest FROM component_releases WHERE component = $1)",
        )
        .bind(a.component)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Activated { previous, generation }))
    }

    async fn releases(&self, component: &str) -> Result<Releases, StoreError> {
        // One statement, so the history and the manifest digest are of one moment.
        let row = sqlx::query(
            "SELECT (SELECT manifest_digest FROM component_heads WHERE component = $1) AS manifest_digest,
                    ARRAY(SELECT digest FROM component_releases WHERE component = $1 ORDER BY seq) AS history",
        )
        .bind(component)
        .fetch_one(self.pool())
        .await?;
        Ok(Releases { history: row.try_get("history")?, manifest_digest: row.try_get("manifest_digest")? })
    }

    async fn active_all(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query_as::<_, (String, String)>(
            "SELECT h.component, r.digest FROM component_heads h
             JOIN component_releases r ON r.component = h.component AND r.seq = h.generation
             ORDER BY h.component",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    async fn wasm(&self, component: &str, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let wasm = sqlx::query_scalar("SELECT wasm FROM component_versions WHERE component = $1 AND digest = $2")
            .bind(component)
            .bind(digest)
            .fetch_optional(self.pool())
            .await?;
        Ok(wasm)
    }
}

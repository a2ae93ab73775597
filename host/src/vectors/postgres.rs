//! The vector index on PostgreSQL, for hosts sharing one database: points
//! are rows, and a search reads the collection's rows (narrowed by the
//! metadata filter with JSONB containment) and ranks them exactly in the
//! host. No host keeps a copy, so every host sees every write at once; the
//! price is that a search moves the collection over the connection, fine at
//! the thousands of points a tenant's documents make (see
//! `docs/benchmarks.md`). The `pgvector` extension is not used: it is not
//! installed on the servers this is tested on.

use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::{PgPool, Row};

use super::{CollectionKey, Hit, Point, VectorError, VectorIndex, dot, matches, normalised, prepared};

pub struct PgVectors {
    pool: PgPool,
    /// The server's `pgvector` version, when the extension is installed there.
    pgvector: Option<String>,
}

fn unavailable(e: sqlx::Error) -> VectorError {
    VectorError::Unavailable(e.to_string())
}

fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

impl PgVectors {
    /// The index in the database of `pool`, whose migrations (run by the
    /// job store) created its table.
    pub async fn new(pool: PgPool) -> Self {
        // Found at start-up and reported. The search stays exact in the host
        // either way: no pgvector build is available to test against here
        // (Debian's PostgreSQL 15 has no package of it), and an untested
        // second search path is worse than a slower tested one.
        let pgvector = sqlx::query_scalar::<_, String>(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'",
        )
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten();
        Self { pool, pgvector }
    }

    /// Rows of the collection whose metadata contains `filter` (a superset
    /// of those [`matches`] keeps: containment also accepts sub-arrays).
    async fn rows(
        &self,
        key: &CollectionKey,
        filter: &Map<String, Value>,
    ) -> Result<Vec<sqlx::postgres::PgRow>, VectorError> {
        let filter_text = Value::Object(filter.clone()).to_string();
        if [&key.owner, &key.name].iter().any(|t| t.contains('\0')) || filter_text.contains("\\u0000") {
            // Nothing stored holds a NUL.
            return Ok(Vec::new());
        }
        sqlx::query(
            "SELECT id, vector, metadata, text FROM vectors
             WHERE owner = $1 AND collection = $2 AND metadata @> $3",
        )
        .bind(&key.owner)
        .bind(&key.name)
        .bind(Value::Object(filter.clone()))
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)
    }
}

/// Serialises writers of one collection across hosts for a transaction.
async fn lock_collection(tx: &mut sqlx::PgConnection, key: &CollectionKey) -> Result<(), VectorError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("vectors/{}/{}", key.owner, key.name))
        .execute(tx)
        .await
        .map_err(unavailable)?;
    Ok(())
}

#[async_trait]
impl VectorIndex for PgVectors {
    fn describe(&self) -> String {
        match &self.pgvector {
            Some(v) => format!(
                "exact search in the host, rows in PostgreSQL (pgvector {v} is available on the server, not used)"
            ),
            None => "exact search in the host, rows in PostgreSQL (the server has no pgvector)".into(),
        }
    }

    async fn upsert(&self, key: &CollectionKey, points: Vec<Point>) -> Result<(), VectorError> {
        if points.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        lock_collection(&mut tx, key).await?;
        let existing: Option<i32> = sqlx::query("SELECT dim FROM vectors WHERE owner = $1 AND collection = $2 LIMIT 1")
            .bind(&key.owner)
            .bind(&key.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(unavailable)?
            .map(|r| r.get("dim"));
        let (dim, ready) = prepared(&key.name, existing.map(|d| d as usize), points)?;
        for p in ready {
            let metadata = Value::Object(p.metadata);
            if p.text.contains('\0') || metadata.to_string().contains("\\u0000") {
                return Err(VectorError::Invalid(format!(
                    "the text or metadata of `{}` holds a NUL character, which the shared index cannot store",
                    p.id
                )));
            }
            let bytes: Vec<u8> = p.vector.iter().flat_map(|x| x.to_le_bytes()).collect();
            sqlx::query(
                "INSERT INTO vectors (owner, collection, id, dim, vector, metadata, text) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (owner, collection, id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector,
                 metadata = excluded.metadata, text = excluded.text",
            )
            .bind(&key.owner)
            .bind(&key.name)
            .bind(&p.id)
            .bind(dim as i32)
            .bind(bytes)
            .bind(metadata)
            .bind(&p.text)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)
    }

    async fn delete(&self, key: &CollectionKey, ids: Vec<String>) -> Result<u32, VectorError> {
        let done = sqlx::query("DELETE FROM vectors WHERE owner = $1 AND collection = $2 AND id = ANY($3)")
            .bind(&key.owner)
            .bind(&key.name)
            .bind(&ids)
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(done.rows_affected() as u32)
    }

    async fn delete_where(&self, key: &CollectionKey, filter: Map<String, Value>) -> Result<u32, VectorError> {
        let ids: Vec<String> = self
            .rows(key, &filter)
            .await?
            .iter()
            .filter(|r| matches(&r.get::<Value, _>("metadata").as_object().cloned().unwrap_or_default(), &filter))
            .map(|r| r.get("id"))
            .collect();
        self.delete(key, ids).await
    }

    async fn search(
        &self,
        key: &CollectionKey,
        query: Vec<f32>,
        top_k: usize,
        filter: Map<String, Value>,
    ) -> Result<Vec<Hit>, VectorError> {
        let rows = self.rows(key, &filter).await?;
        let query = normalised(query);
        let mut scored = Vec::with_capacity(rows.len());
        for row in &rows {
            let metadata = row.get::<Value, _>("metadata").as_object().cloned().unwrap_or_default();
            if !matches(&metadata, &filter) {
                continue;
            }
            let vector = decode(row.get::<&[u8], _>("vector"));
            if vector.len() != query.len() {
                return Err(VectorError::Dimension {
                    collection: key.name.clone(),
                    expected: vector.len(),
                    got: query.len(),
                });
            }
            let hit = Hit { id: row.get("id"), score: dot(&query, &vector), metadata, text: row.get("text") };
            scored.push(hit);
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        scored.truncate(top_k);
        Ok(scored)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::postgres::tests::open;

    #[tokio::test]
    async fn the_postgres_index_meets_the_conformance_suite() {
        let store = open().await;
        let index = super::PgVectors::new(store.pool().clone()).await;
        super::super::conformance::run(&index).await;
    }
}

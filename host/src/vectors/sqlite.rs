//! The embedded vector index: points are rows of the SQLite database (so
//! they survive restarts with the jobs), and each collection is held in
//! memory once touched, as one flat array searched exactly. At 384
//! dimensions that is 1.5 KB a point: 100,000 points are 150 MB and one
//! search is a pass over them (see `docs/benchmarks.md`).
//!
//! Writes go to the database first, then to the in-memory copy, under the
//! collection's write lock; a search reads the copy. One process owns the
//! copy: several hosts on one database need the distributed index.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use super::{CollectionKey, Hit, Point, VectorError, VectorIndex, dot, matches, normalised, prepared};

#[derive(Default)]
struct Loaded {
    dim: usize,
    ids: Vec<String>,
    /// `ids.len() × dim` floats, row-major.
    data: Vec<f32>,
    metadata: Vec<Map<String, Value>>,
    text: Vec<String>,
    row_of: HashMap<String, usize>,
}

impl Loaded {
    fn put(&mut self, p: Point) {
        match self.row_of.get(&p.id) {
            Some(&row) => {
                self.data[row * self.dim..(row + 1) * self.dim].copy_from_slice(&p.vector);
                self.metadata[row] = p.metadata;
                self.text[row] = p.text;
            }
            None => {
                self.row_of.insert(p.id.clone(), self.ids.len());
                self.ids.push(p.id);
                self.data.extend_from_slice(&p.vector);
                self.metadata.push(p.metadata);
                self.text.push(p.text);
            }
        }
    }

    fn remove(&mut self, id: &str) -> bool {
        let Some(row) = self.row_of.remove(id) else { return false };
        let last = self.ids.len() - 1;
        if row != last {
            let moved = self.ids[last].clone();
            self.row_of.insert(moved, row);
            let (dim, src) = (self.dim, last * self.dim);
            self.data.copy_within(src..src + dim, row * dim);
        }
        self.ids.swap_remove(row);
        self.metadata.swap_remove(row);
        self.text.swap_remove(row);
        self.data.truncate(self.ids.len() * self.dim);
        true
    }

    fn search(&self, query: &[f32], top_k: usize, filter: &Map<String, Value>) -> Vec<Hit> {
        let mut scored: Vec<(f32, usize)> = (0..self.ids.len())
            .filter(|&row| filter.is_empty() || matches(&self.metadata[row], filter))
            .map(|row| (dot(query, &self.data[row * self.dim..(row + 1) * self.dim]), row))
            .collect();
        let better =
            |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then_with(|| self.ids[a.1].cmp(&self.ids[b.1]));
        if scored.len() > top_k {
            scored.select_nth_unstable_by(top_k, better);
            scored.truncate(top_k);
        }
        scored.sort_by(better);
        scored
            .into_iter()
            .map(|(score, row)| Hit {
                id: self.ids[row].clone(),
                score,
                metadata: self.metadata[row].clone(),
                text: self.text[row].clone(),
            })
            .collect()
    }
}

/// A collection: loaded from the database on first use.
#[derive(Default)]
struct Slot {
    loaded: tokio::sync::OnceCell<Arc<RwLock<Loaded>>>,
    /// Serialises writers so the database and the copy change in one order.
    writing: tokio::sync::Mutex<()>,
}

pub struct SqliteVectors {
    pool: SqlitePool,
    slots: Mutex<HashMap<CollectionKey, Arc<Slot>>>,
}

fn unavailable(e: sqlx::Error) -> VectorError {
    VectorError::Unavailable(e.to_string())
}

impl SqliteVectors {
    /// Open the index in the job database at `path`, whose migrations
    /// (run by the job store) created its table.
    pub async fn open(path: &Path) -> Result<Self, VectorError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(2).connect_with(options).await.map_err(unavailable)?;
        Ok(Self { pool, slots: Mutex::default() })
    }

    fn slot(&self, key: &CollectionKey) -> Arc<Slot> {
        self.slots.lock().expect("vector slots lock").entry(key.clone()).or_default().clone()
    }

    async fn loaded(&self, key: &CollectionKey) -> Result<Arc<RwLock<Loaded>>, VectorError> {
        let slot = self.slot(key);
        slot.loaded
            .get_or_try_init(|| async {
                let rows = sqlx::query(
                    "SELECT id, dim, vector, metadata, text FROM vectors WHERE owner = ? AND collection = ? ORDER BY id",
                )
                .bind(&key.owner)
                .bind(&key.name)
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
                let mut loaded = Loaded::default();
                for row in rows {
                    loaded.dim = row.get::<i64, _>("dim") as usize;
                    let bytes: Vec<u8> = row.get("vector");
                    let vector = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                    let metadata = serde_json::from_str(row.get::<&str, _>("metadata")).unwrap_or_default();
                    loaded.put(Point { id: row.get("id"), vector, metadata, text: row.get("text") });
                }
                Ok(Arc::new(RwLock::new(loaded)))
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl VectorIndex for SqliteVectors {
    fn describe(&self) -> String {
        "exact search, embedded (SQLite)".into()
    }

    async fn upsert(&self, key: &CollectionKey, points: Vec<Point>) -> Result<(), VectorError> {
        if points.is_empty() {
            return Ok(());
        }
        let slot = self.slot(key);
        let _writing = slot.writing.lock().await;
        let loaded = self.loaded(key).await?;
        let existing = { loaded.read().expect("vectors lock").dim };
        let (dim, ready) = prepared(&key.name, (existing > 0).then_some(existing), points)?;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        for p in &ready {
            let bytes: Vec<u8> = p.vector.iter().flat_map(|x| x.to_le_bytes()).collect();
            sqlx::query(
                "INSERT INTO vectors (owner, collection, id, dim, vector, metadata, text) VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (owner, collection, id) DO UPDATE SET dim = excluded.dim, vector = excluded.vector,
                 metadata = excluded.metadata, text = excluded.text",
            )
            .bind(&key.owner)
            .bind(&key.name)
            .bind(&p.id)
            .bind(dim as i64)
            .bind(bytes)
            .bind(Value::Object(p.metadata.clone()).to_string())
            .bind(&p.text)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        let mut copy = loaded.write().expect("vectors lock");
        copy.dim = dim;
        for p in ready {
            copy.put(p);
        }
        Ok(())
    }

    async fn delete(&self, key: &CollectionKey, ids: Vec<String>) -> Result<u32, VectorError> {
        let slot = self.slot(key);
        let _writing = slot.writing.lock().await;
        let loaded = self.loaded(key).await?;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        for id in &ids {
            sqlx::query("DELETE FROM vectors WHERE owner = ? AND collection = ? AND id = ?")
                .bind(&key.owner)
                .bind(&key.name)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
        }
        tx.commit().await.map_err(unavailable)?;
        let mut copy = loaded.write().expect("vectors lock");
        Ok(ids.iter().filter(|id| copy.remove(id)).count() as u32)
    }

    async fn delete_where(&self, key: &CollectionKey, filter: Map<String, Value>) -> Result<u32, VectorError> {
        let ids: Vec<String> = {
            let loaded = self.loaded(key).await?;
            let copy = loaded.read().expect("vectors lock");
            (0..copy.ids.len()).filter(|&r| matches(&copy.metadata[r], &filter)).map(|r| copy.ids[r].clone()).collect()
        };
        self.delete(key, ids).await
    }

    async fn search(
        &self,
        key: &CollectionKey,
        query: Vec<f32>,
        top_k: usize,
        filter: Map<String, Value>,
    ) -> Result<Vec<Hit>, VectorError> {
        let loaded = self.loaded(key).await?;
        let query = normalised(query);
        tokio::task::spawn_blocking(move || {
            let copy = loaded.read().expect("vectors lock");
            if copy.ids.is_empty() {
                return Ok(Vec::new());
            }
            if query.len() != copy.dim {
                return Err(VectorError::Dimension { collection: String::new(), expected: copy.dim, got: query.len() });
            }
            Ok(copy.search(&query, top_k, &filter))
        })
        .await
        .map_err(|e| VectorError::Unavailable(format!("the search crashed: {e}")))?
        .map_err(|e| match e {
            VectorError::Dimension { expected, got, .. } => {
                VectorError::Dimension { collection: key.name.clone(), expected, got }
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open() -> (tempfile::TempDir, SqliteVectors) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.db");
        crate::store::SqliteStore::open(&path).await.unwrap();
        let index = SqliteVectors::open(&path).await.unwrap();
        (dir, index)
    }

    #[tokio::test]
    async fn the_embedded_index_meets_the_conformance_suite() {
        let (_dir, index) = open().await;
        super::super::conformance::run(&index).await;
    }

    #[tokio::test]
    async fn points_survive_reopening_the_database() {
        let (dir, index) = open().await;
        let key = CollectionKey { owner: String::new(), name: "docs".into() };
        let p = Point { id: "a".into(), vector: vec![1.0, 0.0], metadata: Map::new(), text: "hello".into() };
        index.upsert(&key, vec![p]).await.unwrap();
        drop(index);
        let again = SqliteVectors::open(&dir.path().join("jobs.db")).await.unwrap();
        let hits = again.search(&key, vec![1.0, 0.0], 1, Map::new()).await.unwrap();
        assert_eq!((hits[0].id.as_str(), hits[0].text.as_str()), ("a", "hello"));
    }

    /// Benchmark, not a test (docs/benchmarks.md): top-10 search latency
    /// over 10,000 and 100,000 random 384-d vectors.
    /// `cargo test --release -p capsule --bin capsule search_latency -- --ignored --nocapture`
    #[tokio::test(flavor = "multi_thread")]
    #[ignore]
    async fn search_latency() {
        let (_dir, index) = open().await;
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        let key = CollectionKey { owner: String::new(), name: "bench".into() };
        let mut stored = 0;
        for target in [10_000usize, 100_000] {
            while stored < target {
                let points: Vec<Point> = (stored..(stored + 1024).min(target))
                    .map(|i| Point {
                        id: format!("p{i}"),
                        vector: (0..384).map(|_| random()).collect(),
                        metadata: serde_json::json!({"user_id": format!("u{}", i % 100)}).as_object().cloned().unwrap(),
                        text: String::new(),
                    })
                    .collect();
                stored += points.len();
                index.upsert(&key, points).await.unwrap();
            }
            for (label, filter) in [
                ("no filter", Map::new()),
                ("user_id filter (1%)", serde_json::json!({"user_id": "u7"}).as_object().cloned().unwrap()),
            ] {
                let mut took = Vec::new();
                for _ in 0..50 {
                    let query: Vec<f32> = (0..384).map(|_| random()).collect();
                    let started = std::time::Instant::now();
                    let hits = index.search(&key, query, 10, filter.clone()).await.unwrap();
                    took.push(started.elapsed().as_secs_f64() * 1e3);
                    assert_eq!(hits.len(), 10);
                }
                took.sort_by(f64::total_cmp);
                println!("{target} vectors, top-10, {label}: p50 {:.2} ms, p95 {:.2} ms", took[25], took[47]);
            }
        }
    }
}

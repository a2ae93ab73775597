//! The vector index behind the `vectors` engine: named collections of
//! unit-length vectors with JSON metadata and text, per owner (tenant).
//!
//! A trait with an embedded implementation ([`sqlite::SqliteVectors`]: rows
//! in the SQLite database, searched exactly in memory) and a shared one
//! ([`postgres::PgVectors`]: rows in the PostgreSQL store, searched exactly
//! in the host). [`conformance`] is the behaviour every implementation must show.

pub mod postgres;
pub mod sqlite;

#[cfg(test)]
mod conformance;

use async_trait::async_trait;
use serde_json::{Map, Value};

/// One stored vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: String,
    pub vector: Vec<f32>,
    /// A JSON object.
    pub metadata: Map<String, Value>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    /// Cosine similarity.
    pub score: f32,
    pub metadata: Map<String, Value>,
    pub text: String,
}

/// Where a collection lives: its owner's namespace and its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CollectionKey {
    pub owner: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("the collection `{collection}` holds {expected}-dimensional vectors; this one has {got}")]
    Dimension { collection: String, expected: usize, got: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("the vector index is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait VectorIndex: Send + Sync {
    /// Insert or replace points (by id). Vectors are stored normalised.
    async fn upsert(&self, key: &CollectionKey, points: Vec<Point>) -> Result<(), VectorError>;
    /// Remove points by id; how many existed.
    async fn delete(&self, key: &CollectionKey, ids: Vec<String>) -> Result<u32, VectorError>;
    /// Remove points whose metadata has every value of `filter`.
    async fn delete_where(&self, key: &CollectionKey, filter: Map<String, Value>) -> Result<u32, VectorError>;
    /// The `top_k` points most similar to `query` among those matching
    /// `filter`, best first; ties broken by id. An unknown collection is empty.
    async fn search(
        &self,
        key: &CollectionKey,
        query: Vec<f32>,
        top_k: usize,
        filter: Map<String, Value>,
    ) -> Result<Vec<Hit>, VectorError>;
    /// How this index stores and searches, for `/health`.
    fn describe(&self) -> String;
}

/// Points ready to store in a collection whose vectors have `existing`
/// dimensions (`None`: it is empty, and the first point sets them): every
/// vector of that length, finite, and normalised. Returns the dimension too.
pub fn prepared(
    collection: &str,
    existing: Option<usize>,
    points: Vec<Point>,
) -> Result<(usize, Vec<Point>), VectorError> {
    let dim = existing.or_else(|| points.first().map(|p| p.vector.len())).unwrap_or(0);
    if dim == 0 {
        return Err(VectorError::Invalid("a vector has no dimensions".into()));
    }
    let mut ready = Vec::with_capacity(points.len());
    for p in points {
        if p.vector.len() != dim {
            return Err(VectorError::Dimension {
                collection: collection.to_string(),
                expected: dim,
                got: p.vector.len(),
            });
        }
        if p.vector.iter().any(|x| !x.is_finite()) {
            return Err(VectorError::Invalid(format!("the vector of `{}` holds a NaN or an infinity", p.id)));
        }
        ready.push(Point { vector: normalised(p.vector), ..p });
    }
    Ok((dim, ready))
}

/// Eight independent sums, so the compiler vectorises the loop.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// Whether `metadata` has every top-level value of `filter`.
pub fn matches(metadata: &Map<String, Value>, filter: &Map<String, Value>) -> bool {
    filter.iter().all(|(k, v)| metadata.get(k) == Some(v))
}

/// Unit length, so cosine similarity is a dot product. A zero vector stays
/// zero (it matches nothing).
pub fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

//! The `vectors` engine: named collections of vectors for components,
//! kept in the host's vector index (`crate::vectors`) under the job's
//! owner, so one tenant's search never returns another's points.

use std::sync::Arc;

use serde_json::{Map, Value};
use wasmtime::component::{HasSelf, Linker};

use super::{Code, EngineError, EngineStatus, JobScope, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{types, vectors};
use crate::vectors::{CollectionKey, Hit, Point, VectorError, VectorIndex};

pub const UNAVAILABLE: &str = "VECTORS_UNAVAILABLE";
pub const INPUT_INVALID: &str = "VECTORS_INPUT_INVALID";

const CODES: &[Code] = &[
    Code { code: UNAVAILABLE, retryable: true, meaning: "the vector index could not be read or written" },
    Code {
        code: INPUT_INVALID,
        retryable: false,
        meaning: "a bad collection name or id, a dimension other than the collection's, metadata that is not a JSON object, or top-k outside 1..=100",
    },
];

/// Points per upsert, and the most hits a search returns.
const MAX_POINTS: usize = 1024;
const MAX_TOP_K: u32 = 100;
/// Longest text or metadata stored with one point.
const MAX_TEXT: usize = 64 * 1024;

pub struct Vectors {
    index: Arc<dyn VectorIndex>,
}

fn invalid(message: impl Into<String>) -> EngineError {
    EngineError::new(INPUT_INVALID, message)
}

fn from_index(e: VectorError) -> EngineError {
    match e {
        VectorError::Unavailable(_) => EngineError::retryable(UNAVAILABLE, e.to_string()),
        VectorError::Dimension { .. } | VectorError::Invalid(_) => invalid(e.to_string()),
    }
}

/// `a-z`, `0-9`, `-`, `_`, 1–64 characters: collection names appear in
/// seed responses (`resumes`, `job_postings`).
fn collection(scope: &JobScope, name: &str) -> Result<CollectionKey, EngineError> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        return Err(invalid(format!("`{name}` is not a collection name; use 1-64 of `a-z`, `0-9`, `-`, `_`")));
    }
    Ok(CollectionKey { owner: scope.owner.key(), name: name.to_string() })
}

fn object(what: &str, json: &str) -> Result<Map<String, Value>, EngineError> {
    if json.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid(format!("{what} must be a JSON object"))),
        Err(e) => Err(invalid(format!("{what} is not JSON: {e}"))),
    }
}

impl Vectors {
    pub async fn upsert(&self, scope: &JobScope, name: &str, points: Vec<vectors::Point>) -> Result<(), EngineError> {
        let key = collection(scope, name)?;
        if points.len() > MAX_POINTS {
            return Err(invalid(format!("{} points in one call; send at most {MAX_POINTS}", points.len())));
        }
        let mut ready = Vec::with_capacity(points.len());
        for p in points {
            if p.id.is_empty() || p.id.len() > 256 {
                return Err(invalid("a point id must be 1-256 bytes"));
            }
            if p.text.len() > MAX_TEXT || p.metadata.len() > MAX_TEXT {
                return Err(invalid(format!("point `{}`: text and metadata are limited to 64 KiB each", p.id)));
            }
            let metadata = object(&format!("the metadata of point `{}`", p.id), &p.metadata)?;
            ready.push(Point { id: p.id, vector: p.vector, metadata, text: p.text });
        }
        self.index.upsert(&key, ready).await.map_err(from_index)
    }

    pub async fn delete(&self, scope: &JobScope, name: &str, ids: Vec<String>) -> Result<u32, EngineError> {
        let key = collection(scope, name)?;
        self.index.delete(&key, ids).await.map_err(from_index)
    }

    pub async fn delete_where(&self, scope: &JobScope, name: &str, filter: &str) -> Result<u32, EngineError> {
        let key = collection(scope, name)?;
        let filter = object("the filter", filter)?;
        if filter.is_empty() {
            return Err(invalid("an empty filter would delete the whole collection; name what to delete"));
        }
        self.index.delete_where(&key, filter).await.map_err(from_index)
    }

    pub async fn search(
        &self,
        scope: &JobScope,
        name: &str,
        vector: Vec<f32>,
        top_k: u32,
        filter: &str,
    ) -> Result<Vec<Hit>, EngineError> {
        let key = collection(scope, name)?;
        if !(1..=MAX_TOP_K).contains(&top_k) {
            return Err(invalid(format!("top-k {top_k} is outside 1..={MAX_TOP_K}")));
        }
        let filter = object("the filter", filter)?;
        self.index.search(&key, vector, top_k as usize, filter).await.map_err(from_index)
    }
}

impl Lent for Vectors {
    const NAME: &'static str = "vectors";

    async fn start(ctx: &StartContext<'_>) -> Self {
        Self { index: ctx.vectors.clone() }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        vectors::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        let mut status = EngineStatus::new(Some(self.index.describe()), None);
        status.details.insert("maxTopK".into(), MAX_TOP_K.into());
        status
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl vectors::Host for JobState {
    async fn upsert(&mut self, collection: String, points: Vec<vectors::Point>) -> Result<(), types::Failure> {
        Ok(self.engines.vectors.upsert(&self.scope, &collection, points).await?)
    }

    async fn delete(&mut self, collection: String, ids: Vec<String>) -> Result<u32, types::Failure> {
        Ok(self.engines.vectors.delete(&self.scope, &collection, ids).await?)
    }

    async fn delete_where(&mut self, collection: String, filter: String) -> Result<u32, types::Failure> {
        Ok(self.engines.vectors.delete_where(&self.scope, &collection, &filter).await?)
    }

    async fn search(
        &mut self,
        collection: String,
        vector: Vec<f32>,
        top_k: u32,
        filter: String,
    ) -> Result<Vec<vectors::Hit>, types::Failure> {
        let hits = self.engines.vectors.search(&self.scope, &collection, vector, top_k, &filter).await?;
        Ok(hits
            .into_iter()
            .map(|h| vectors::Hit {
                id: h.id,
                score: h.score,
                metadata: Value::Object(h.metadata).to_string(),
                text: h.text,
            })
            .collect())
    }
}

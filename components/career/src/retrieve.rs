//! Retrieval over a user's stored documents (what `embed` and OCR stored).

use capsule_sdk::language::EmbedRole;
use capsule_sdk::{Embeddings, Failure, Vectors};
use serde_json::json;

use crate::types::Source;

/// A passage found for a query, with where it came from.
#[derive(Debug, Clone)]
pub struct Passage {
    pub collection: String,
    pub document_id: String,
    pub text: String,
    pub score: f32,
}

impl Passage {
    pub fn source(&self) -> Source {
        Source { collection: self.collection.clone(), document_id: self.document_id.clone(), text: self.text.clone() }
    }
}

/// The `top_k` passages of `user_id`'s documents in `collections` closest
/// to `query`, best first. A collection the index cannot search (never
/// written, say) is skipped and named in `warnings`; no embeddings engine is
/// an error the caller turns into a warning.
pub fn search(
    host: &mut (impl Embeddings + Vectors),
    user_id: &str,
    query: &str,
    collections: &[&str],
    top_k: u32,
    warnings: &mut Vec<String>,
) -> Result<Vec<Passage>, Failure> {
    let embedded = host.embed(&[query], EmbedRole::Query)?;
    let Some(vector) = embedded.vectors.into_iter().next() else {
        return Ok(Vec::new());
    };
    let filter = json!({"user_id": user_id});
    let mut found = Vec::new();
    for collection in collections {
        match host.search(collection, &vector, top_k, &filter) {
            Ok(hits) => found.extend(hits.into_iter().map(|h| Passage {
                collection: collection.to_string(),
                document_id: h.metadata.get("document_id").and_then(|v| v.as_str()).unwrap_or("").to_string(),
                text: h.text,
                score: h.score,
            })),
            Err(f) => warnings.push(format!("`{collection}` could not be searched: {} ({})", f.message, f.code)),
        }
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(top_k as usize);
    Ok(found)
}

//! Seed 001's second half of OCR: the extracted text, chunked, embedded as
//! passages and stored in the collection of its document type, so later
//! searches (interviews, chat) find it. Re-extracting a document replaces
//! its vectors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use capsule_sdk::language::{EmbedRole, Point};
use capsule_sdk::{Embeddings, Failure, Vectors};

/// Embedding failed or the index refused the vectors (seed 001:
/// `embedding_failed` 5002).
pub const EMBEDDING_FAILED: &str = "EMBEDDING_FAILED";

/// Characters per chunk: well inside e5-small's 512 tokens for Korean.
const CHUNK_CHARS: usize = 600;
/// Texts per embeddings call.
const BATCH: usize = 32;

/// Where to store the text's vectors.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndexRequest {
    /// `resumes`, `portfolios` or `job_postings`.
    #[schemars(regex(pattern = r"^[a-z0-9_-]{1,64}$"))]
    pub collection: String,
    pub user_id: String,
    pub document_id: String,
    /// The seed's document type (`resume`, `portfolio`, `job_posting`), kept as metadata.
    #[serde(default)]
    pub document_type: Option<String>,
}

/// What was stored.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Indexed {
    /// The document's id in the collection; each chunk is `<vector_id>_<n>`.
    pub vector_id: String,
    pub collection: String,
    pub chunks: u32,
    pub model: String,
}

/// Chunks of at most [`CHUNK_CHARS`] characters, cut at paragraph, line or
/// sentence ends where one is near, never inside a character.
pub fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        // Only the next chunk's characters are looked at: a long document is one pass.
        let Some((limit, _)) = rest.char_indices().nth(CHUNK_CHARS) else {
            out.push(rest.to_string());
            break;
        };
        let window = &rest[..limit];
        let cut = ["\n\n", "\n", ". ", "? ", "! "]
            .iter()
            .filter_map(|sep| window.rfind(sep).map(|i| i + sep.len()))
            .find(|&i| i > limit / 2)
            .unwrap_or(limit);
        let piece = rest[..cut].trim();
        if !piece.is_empty() {
            out.push(piece.to_string());
        }
        rest = rest[cut..].trim_start();
    }
    out
}

fn failed(f: Failure) -> Failure {
    Failure {
        code: EMBEDDING_FAILED.into(),
        message: format!("the text was extracted but could not be embedded: {} ({})", f.message, f.code),
        retryable: f.retryable,
    }
}

/// Embed `text` and store it under `request`, replacing the document's
/// earlier vectors.
pub fn index(text: &str, request: &IndexRequest, host: &mut (impl Embeddings + Vectors)) -> Result<Indexed, Failure> {
    let vector_id = format!("vec_{}", request.document_id);
    let pieces = chunks(text);
    let mut points = Vec::with_capacity(pieces.len());
    let mut model = String::new();
    for (batch_no, batch) in pieces.chunks(BATCH).enumerate() {
        let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
        let embedded = host.embed(&refs, EmbedRole::Passage).map_err(failed)?;
        model = embedded.model;
        for (i, (piece, vector)) in batch.iter().zip(embedded.vectors).enumerate() {
            let n = batch_no * BATCH + i;
            points.push(Point {
                id: format!("{vector_id}_{n}"),
                vector,
                metadata: json!({
                    "user_id": request.user_id,
                    "document_id": request.document_id,
                    "type": request.document_type,
                    "chunk": n,
                }),
                text: piece.clone(),
            });
        }
    }
    let same_document = json!({"user_id": request.user_id, "document_id": request.document_id});
    host.delete_where(&request.collection, &same_document).map_err(failed)?;
    for batch in points.chunks(256) {
        host.upsert(&request.collection, batch).map_err(failed)?;
    }
    Ok(Indexed { vector_id, collection: request.collection.clone(), chunks: points.len() as u32, model })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_stay_under_the_limit_cut_at_sentence_ends_and_lose_no_text() {
        let sentence = "이 문장은 청크 경계를 시험하기 위한 문장입니다. ";
        let text = sentence.repeat(60);
        let pieces = chunks(&text);
        assert!(pieces.len() > 1);
        for p in &pieces {
            assert!(p.chars().count() <= CHUNK_CHARS, "{}", p.chars().count());
            assert!(p.ends_with('.'), "cut inside a sentence: {p}");
        }
        let joined: String = pieces.join(" ");
        assert_eq!(joined.split_whitespace().collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn empty_text_has_no_chunks() {
        assert!(chunks("  \n ").is_empty());
    }
}

//! `embed` (seed §2): a document's text chunked, embedded as passages and
//! stored in the collection of its type, replacing the document's earlier
//! vectors. Chunks and metadata are OCR's (`components/ocr/src/index.rs`),
//! so a document stored by either route is found, and replaced, the same.

use capsule_sdk::language::{EmbedRole, Point};
use capsule_sdk::{Embeddings, Failure, JobContext, Vectors};
use career_core::chunk;
use serde_json::json;

use crate::codes;
use crate::types::{EmbedInput, EmbedOutput};

/// Texts per embeddings call (as OCR).
const BATCH: usize = 32;
/// Points per upsert call (as OCR).
const UPSERT_BATCH: usize = 256;

fn failed(f: Failure) -> Failure {
    Failure {
        code: codes::EMBEDDING_FAILED.into(),
        message: format!("the text could not be embedded and stored: {} ({})", f.message, f.code),
        retryable: f.retryable,
    }
}

/// Store `input.text` for retrieval.
///
/// Fails `CAREER_INVALID_DOCUMENT_TYPE`, `CAREER_EMPTY_TEXT`, or
/// `EMBEDDING_FAILED` (carrying the engine's message and retryability).
pub fn embed(input: &EmbedInput, host: &mut (impl Embeddings + Vectors + JobContext)) -> Result<EmbedOutput, Failure> {
    let document_type = input.document_type.trim();
    let Some(collection) = chunk::collection_for(document_type) else {
        return Err(Failure::new(
            codes::INVALID_DOCUMENT_TYPE,
            format!("`type` is `{document_type}`; send `resume`, `portfolio` or `job_posting`"),
        ));
    };
    let pieces = chunk::chunks(&input.text);
    if pieces.is_empty() {
        return Err(Failure::new(codes::EMPTY_TEXT, "`text` is empty; send the document's text"));
    }
    let vector_id = chunk::vector_id(&input.user_id, &input.id);
    host.progress(10, "embedding", &format!("embedding {} chunks", pieces.len()));
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
                // `type` as OCR writes it, `document_type` as the seed names it.
                metadata: json!({
                    "user_id": input.user_id,
                    "document_id": input.id,
                    "document_type": document_type,
                    "type": document_type,
                    "chunk": n,
                }),
                text: piece.clone(),
            });
        }
    }
    // Embedding first, then deleting: a failed embedding leaves the old vectors searchable.
    host.progress(80, "storing", &format!("replacing the document's vectors in `{collection}`"));
    let same_document = json!({"user_id": input.user_id, "document_id": input.id});
    host.delete_where(collection, &same_document).map_err(failed)?;
    for batch in points.chunks(UPSERT_BATCH) {
        host.upsert(collection, batch).map_err(failed)?;
    }
    host.progress(100, "done", "stored");
    Ok(EmbedOutput {
        success: true,
        document_type: document_type.to_string(),
        id: input.id.clone(),
        vector_id,
        collection: collection.to_string(),
        chunks: points.len() as u32,
        model,
    })
}

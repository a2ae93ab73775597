//! How a document's text is stored for retrieval: chunks, the document's
//! vector id and the collection of its type.
//!
//! The chunker is the OCR component's (`components/ocr/src/index.rs`),
//! duplicated rather than shared: that module also holds OCR's engine calls
//! and input types, and moving it would change a component this one does not
//! own. Both must cut the same way, so a document embedded by either route
//! is retrieved the same; `tests` here pins the same behaviour as OCR's.

/// Characters per chunk: well inside e5-small's 512 tokens for Korean (as OCR).
pub const CHUNK_CHARS: usize = 600;

/// Chunks of at most [`CHUNK_CHARS`] characters, cut at paragraph, line or
/// sentence ends where one is near, never inside a character.
pub fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
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

/// The seed's document types and the collection each is stored in.
pub fn collection_for(document_type: &str) -> Option<&'static str> {
    match document_type {
        "resume" => Some("resumes"),
        "portfolio" => Some("portfolios"),
        "job_posting" => Some("job_postings"),
        _ => None,
    }
}

/// Every collection, for searches over all of a user's documents.
pub const COLLECTIONS: [&str; 3] = ["resumes", "portfolios", "job_postings"];

/// The document's vector id: `vec_` and 16 hex digits of a 64-bit FNV-1a
/// hash of `user_id`, a NUL and `document_id`. Two users' documents with
/// the same id (`resume_1`) get different ids, so their chunks (`<id>_<n>`)
/// never overwrite each other in one collection.
pub fn vector_id(user_id: &str, document_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in user_id.bytes().chain([0u8]).chain(document_id.bytes()) {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("vec_{hash:016x}")
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

    #[test]
    fn vector_ids_are_stable_and_per_user() {
        assert_eq!(vector_id("user_456", "resume_123"), vector_id("user_456", "resume_123"));
        assert_ne!(vector_id("user_456", "resume_123"), vector_id("user_457", "resume_123"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(vector_id("ab", "c"), vector_id("a", "bc"));
        assert!(vector_id("u", "d").starts_with("vec_") && vector_id("u", "d").len() == 20);
    }
}

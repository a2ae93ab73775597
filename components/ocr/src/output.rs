//! The job output: the pages' text, their mean confidence, warnings, and where the words go.

use schemars::JsonSchema;
use serde::Serialize;

use capsule_sdk::Failure;

use crate::page::{Page, Word};

/// Above this many bytes of words JSON, the words go to a file (`words_url`) instead of inline.
pub const WORDS_INLINE_LIMIT: usize = 512 * 1024;

/// The text of every page of the file.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "ocr output")]
pub struct Output {
    #[schemars(extend("const" = true))]
    pub success: bool,
    /// Every page's text in order, pages separated by a blank line (`\n\n`).
    pub extracted_text: String,
    /// The OCR languages requested, e.g. `kor+eng`.
    pub language: String,
    pub page_count: u32,
    /// 0..1: the mean of the pages' confidences.
    #[schemars(range(min = 0, max = 1))]
    pub confidence: f32,
    pub pages: Vec<Page>,
    /// Over 512 KiB of words: a JSON file `{"pages": [{"page": 1, "words": [...]}]}`, sent instead of `pages[].words`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words_url: Option<String>,
    /// Sentences about what could not be read, e.g. `page 3 has no readable text`.
    pub warnings: Vec<String>,
    /// With `index`: the document's id in the collection (seed 001's `vector_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector_id: Option<String>,
    /// With `index`: the collection the text was stored in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// With `index`: what was stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding: Option<crate::index::Indexed>,
}

/// The file `words_url` points to.
#[derive(Serialize)]
struct WordsFile<'a> {
    pages: Vec<PageWords<'a>>,
}

#[derive(Serialize)]
struct PageWords<'a> {
    page: u32,
    words: &'a [Word],
}

/// The words file's JSON for `pages`.
pub fn words_file(pages: &[Page]) -> Vec<u8> {
    let pages = pages.iter().map(|p| PageWords { page: p.page, words: p.words.as_deref().unwrap_or_default() });
    // Strings, numbers and sequences only: serialising cannot fail.
    serde_json::to_vec(&WordsFile { pages: pages.collect() }).unwrap_or_default()
}

/// Whether words JSON of `len` bytes is sent as a file rather than inline.
pub fn spills(len: usize) -> bool {
    len > WORDS_INLINE_LIMIT
}

/// The output for `pages` (in order, each with its words). Without `include_words` the words are
/// dropped; with it they stay inline unless they spill, in which case `store` writes the words file
/// and returns its URL.
pub fn shape(
    mut pages: Vec<Page>,
    language: &str,
    include_words: bool,
    store: impl FnOnce(&[u8]) -> Result<String, Failure>,
) -> Result<Output, Failure> {
    let mut words_url = None;
    if include_words {
        let file = words_file(&pages);
        if spills(file.len()) {
            words_url = Some(store(&file)?);
        }
    }
    if !include_words || words_url.is_some() {
        pages.iter_mut().for_each(|p| p.words = None);
    }
    let warnings =
        pages.iter().filter(|p| p.is_blank()).map(|p| format!("page {} has no readable text", p.page)).collect();
    let confidence =
        if pages.is_empty() { 0.0 } else { pages.iter().map(|p| p.confidence).sum::<f32>() / pages.len() as f32 };
    Ok(Output {
        success: true,
        extracted_text: pages.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n\n"),
        language: language.to_string(),
        page_count: pages.len() as u32,
        confidence,
        pages,
        words_url,
        warnings,
        vector_id: None,
        collection: None,
        embedding: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{TextSource, Unit};
    use serde_json::json;

    fn page(number: u32, text: &str, confidence: f32, words: usize) -> Page {
        let word = Word { text: "w".into(), confidence, x: 1.0, y: 2.0, width: 3.0, height: 4.0 };
        Page {
            page: number,
            text: text.into(),
            source: TextSource::Ocr,
            confidence,
            width: 100.0,
            height: 50.0,
            unit: Unit::Px,
            words: Some(vec![word; words]),
        }
    }

    fn never_store(_: &[u8]) -> Result<String, Failure> {
        panic!("the words should not be stored")
    }

    #[test]
    fn pages_text_is_joined_with_a_blank_line() {
        let out = shape(vec![page(1, "a\nb", 1.0, 0), page(2, "c", 1.0, 0)], "eng", false, never_store).unwrap();
        assert_eq!(out.extracted_text, "a\nb\n\nc");
        assert_eq!(out.page_count, 2);
    }

    #[test]
    fn confidence_is_the_mean_over_pages() {
        let out = shape(vec![page(1, "a", 1.0, 0), page(2, "b", 0.5, 0)], "eng", false, never_store).unwrap();
        assert_eq!(out.confidence, 0.75);
    }

    #[test]
    fn a_blank_page_is_warned_about_by_number() {
        let out =
            shape(vec![page(1, "a", 1.0, 0), page(2, "", 0.0, 0), page(3, " ", 0.0, 0)], "eng", false, never_store)
                .unwrap();
        assert_eq!(out.warnings, ["page 2 has no readable text", "page 3 has no readable text"]);
    }

    #[test]
    fn words_are_dropped_unless_asked_for() {
        let out = shape(vec![page(1, "a", 1.0, 2)], "eng", false, never_store).unwrap();
        assert_eq!(out.pages[0].words, None);
        assert_eq!(serde_json::to_value(&out).unwrap()["pages"][0].get("words"), None);
    }

    #[test]
    fn small_words_stay_inline() {
        let out = shape(vec![page(1, "a", 1.0, 2)], "eng", true, never_store).unwrap();
        assert_eq!(out.pages[0].words.as_ref().map(Vec::len), Some(2));
        assert_eq!(out.words_url, None);
    }

    #[test]
    fn words_over_512_kib_spill_to_one_file_for_all_pages() {
        let pages = vec![page(1, "a", 1.0, 4000), page(2, "b", 1.0, 4000)];
        assert!(spills(words_file(&pages).len()), "the test needs more words");
        let mut stored = None;
        let out = shape(pages, "eng", true, |file| {
            stored = Some(serde_json::from_slice::<serde_json::Value>(file).unwrap());
            Ok("blob://words".into())
        })
        .unwrap();
        assert_eq!(out.words_url.as_deref(), Some("blob://words"));
        assert!(out.pages.iter().all(|p| p.words.is_none()));
        let stored = stored.unwrap();
        assert_eq!(stored["pages"].as_array().unwrap().len(), 2);
        assert_eq!(
            (&stored["pages"][1]["page"], stored["pages"][1]["words"].as_array().unwrap().len()),
            (&json!(2), 4000)
        );
    }

    #[test]
    fn a_failed_words_file_write_fails_the_job_unchanged() {
        let pages = vec![page(1, "a", 1.0, 8000)];
        assert!(spills(words_file(&pages).len()), "the test needs more words");
        let failure = Failure::retryable("BLOB_WRITE_FAILED", "storage is busy");
        let got = shape(pages, "eng", true, |_| Err(failure.clone())).unwrap_err();
        assert_eq!(got, failure);
    }

    #[test]
    fn the_limit_is_512_kib_exclusive() {
        assert!(!spills(512 * 1024));
        assert!(spills(512 * 1024 + 1));
    }

    #[test]
    fn the_words_file_lists_each_page_with_its_words() {
        let file = words_file(&[page(1, "a", 0.5, 1), page(2, "", 0.0, 0)]);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&file).unwrap(),
            json!({"pages": [
                {"page": 1, "words": [
                    {"text": "w", "confidence": 0.5, "x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}
                ]},
                {"page": 2, "words": []}
            ]})
        );
    }

    #[test]
    fn the_output_names_the_requested_languages_and_succeeds() {
        let out = shape(vec![page(1, "a", 1.0, 0)], "jpn+eng", false, never_store).unwrap();
        assert!(out.success);
        assert_eq!(out.language, "jpn+eng");
    }
}

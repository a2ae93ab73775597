//! The job input and how it is resolved: which file to read and with which options.
//!
//! Pure (the blob read happens in `lib.rs`), so every failure code is tested natively.

use schemars::JsonSchema;
use serde::Deserialize;

use capsule_sdk::Failure;

pub const NO_INPUT: &str = "OCR_NO_INPUT";
pub const AMBIGUOUS_INPUT: &str = "OCR_AMBIGUOUS_INPUT";
pub const INVALID_BASE64: &str = "OCR_INVALID_BASE64";
/// The SDK's code for input that does not fit the schema (the host checks the schema first).
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";

pub const DEFAULT_LANGUAGES: &str = "kor+eng";
pub const DEFAULT_DPI: u32 = 300;
pub const MIN_DPI: u32 = 72;
pub const MAX_DPI: u32 = 600;

/// A PDF or an image (PNG, JPEG, WebP or TIFF) to read the text of.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ocr input")]
pub struct Input {
    /// URL of the file: one returned by `POST /api/v1/files`. Give this or `file_base64`.
    #[serde(default)]
    pub file_url: Option<String>,
    /// The file itself, standard base64, for small files. Give this or `file_url`.
    #[serde(default)]
    pub file_base64: Option<String>,
    /// What the file should be; when given, a file of the other kind is refused. Detected from the bytes otherwise.
    #[serde(default)]
    pub file_type: Option<FileType>,
    /// Tesseract language codes joined with `+`, e.g. `kor+eng`, `eng`, `jpn+eng`. Used for pages without a text layer.
    #[serde(default = "default_languages")]
    #[schemars(regex(pattern = r"^[a-z_]{3,16}(\+[a-z_]{3,16}){0,4}$"))]
    pub languages: String,
    /// Also return every word with its box (in `pages[].words`, or in the file at `words_url` when large).
    #[serde(default)]
    pub include_words: bool,
    /// Resolution, in dots per inch, at which PDF pages without a text layer are rasterised for OCR.
    #[serde(default = "default_dpi")]
    #[schemars(range(min = 72, max = 600))]
    pub dpi: u32,
    /// Also embed the extracted text and store it in a vector collection
    /// (needs the `embeddings` and `vectors` engines).
    #[serde(default)]
    pub index: Option<crate::index::IndexRequest>,
}

fn default_languages() -> String {
    DEFAULT_LANGUAGES.into()
}

fn default_dpi() -> u32 {
    DEFAULT_DPI
}

/// The kinds of file the capability reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Pdf,
    Image,
}

/// Where the file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Url(String),
    Inline(Vec<u8>),
}

/// Blank strings count as absent: form-based clients send `""` for empty fields.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Input {
    /// The file to read: exactly one of `file_url` and `file_base64`.
    pub fn source(&self) -> Result<Source, Failure> {
        match (present(&self.file_url), present(&self.file_base64)) {
            (Some(url), None) => Ok(Source::Url(url.to_string())),
            (None, Some(encoded)) => decode_base64(encoded).map(Source::Inline),
            (None, None) => Err(Failure::new(
                NO_INPUT,
                "no file was given; send its URL as `file_url` or its bytes as `file_base64`",
            )),
            (Some(_), Some(_)) => Err(Failure::new(
                AMBIGUOUS_INPUT,
                "both `file_url` and `file_base64` were given; send the file one way only",
            )),
        }
    }

    /// The options the schema constrains, checked again for callers that bypass the host's validation.
    pub fn check_options(&self) -> Result<(), Failure> {
        if !capsule_sdk::engines::valid_languages(&self.languages) {
            return Err(Failure::new(
                INVALID_REQUEST,
                format!(
                    "`{}` is not a list of Tesseract language codes; use codes such as `kor`, `eng` joined with `+`",
                    self.languages
                ),
            ));
        }
        if !(MIN_DPI..=MAX_DPI).contains(&self.dpi) {
            return Err(Failure::new(
                INVALID_REQUEST,
                format!("`dpi` must be between {MIN_DPI} and {MAX_DPI}; {} was given", self.dpi),
            ));
        }
        Ok(())
    }
}

/// The inline file's bytes (see [`capsule_sdk::files::decode_base64`]).
pub fn decode_base64(encoded: &str) -> Result<Vec<u8>, Failure> {
    capsule_sdk::files::decode_base64(encoded)
        .map_err(|why| Failure::new(INVALID_BASE64, format!("`file_base64`: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(json: serde_json::Value) -> Input {
        serde_json::from_value(json).expect("input fits the struct")
    }

    fn code<T: std::fmt::Debug>(result: Result<T, Failure>) -> String {
        result.expect_err("a failure").code
    }

    #[test]
    fn defaults_are_korean_and_english_at_300_dpi_without_words() {
        let i = input(json!({"file_url": "u"}));
        assert_eq!((i.languages.as_str(), i.dpi, i.include_words, i.file_type), ("kor+eng", 300, false, None));
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_value::<Input>(json!({"file_url": "u", "lang": "eng"})).is_err());
    }

    #[test]
    fn file_type_is_pdf_or_image() {
        assert_eq!(input(json!({"file_type": "pdf"})).file_type, Some(FileType::Pdf));
        assert_eq!(input(json!({"file_type": "image"})).file_type, Some(FileType::Image));
        assert!(serde_json::from_value::<Input>(json!({"file_type": "png"})).is_err());
    }

    #[test]
    fn a_url_is_read_from_blobs() {
        assert_eq!(input(json!({"file_url": " blob://f "})).source().unwrap(), Source::Url("blob://f".into()));
    }

    #[test]
    fn inline_base64_is_decoded() {
        assert_eq!(input(json!({"file_base64": "JVBERi0="})).source().unwrap(), Source::Inline(b"%PDF-".to_vec()));
    }

    #[test]
    fn neither_source_is_no_input() {
        assert_eq!(code(input(json!({})).source()), NO_INPUT);
    }

    #[test]
    fn blank_sources_count_as_absent() {
        assert_eq!(code(input(json!({"file_url": " ", "file_base64": ""})).source()), NO_INPUT);
    }

    #[test]
    fn both_sources_are_ambiguous() {
        assert_eq!(code(input(json!({"file_url": "u", "file_base64": "JVBERi0="})).source()), AMBIGUOUS_INPUT);
    }

    #[test]
    fn base64_may_be_wrapped_and_unpadded() {
        assert_eq!(decode_base64("JVBE\r\nRi0").unwrap(), b"%PDF-");
    }

    #[test]
    fn a_base64_data_url_is_decoded() {
        assert_eq!(decode_base64("data:application/pdf;base64,JVBERi0=").unwrap(), b"%PDF-");
    }

    #[test]
    fn text_that_is_not_base64_is_refused() {
        assert_eq!(code(decode_base64("not base64!")), INVALID_BASE64);
    }

    #[test]
    fn dpi_outside_72_to_600_is_refused() {
        assert!(input(json!({"dpi": 72})).check_options().is_ok());
        assert!(input(json!({"dpi": 600})).check_options().is_ok());
        assert_eq!(code(input(json!({"dpi": 71})).check_options()), INVALID_REQUEST);
        assert_eq!(code(input(json!({"dpi": 601})).check_options()), INVALID_REQUEST);
    }

    #[test]
    fn a_malformed_language_list_is_refused() {
        assert_eq!(code(input(json!({"languages": "kor eng"})).check_options()), INVALID_REQUEST);
    }
}

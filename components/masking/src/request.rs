//! The job input: which source to mask, its file type and the options, checked
//! before any engine is called.

use capsule_sdk::Failure;
use serde::Deserialize;

/// Neither `file_url`, `file_base64` nor `text` was given, or one of them is blank.
pub const NO_INPUT: &str = "MASKING_NO_INPUT";
/// More than one of `file_url`, `file_base64` and `text` was given.
pub const AMBIGUOUS_INPUT: &str = "MASKING_AMBIGUOUS_INPUT";
/// The file is empty, not PNG, JPEG, WebP, TIFF or PDF, truncated or damaged, or too large to decode:
/// the client's file, so not retryable (see [`capsule_sdk::files::INVALID_FILE`]).
pub use capsule_sdk::files::INVALID_FILE;
/// `file_type` says `image` but the bytes are a PDF, or the other way round.
pub const FILE_TYPE_MISMATCH: &str = "MASKING_FILE_TYPE_MISMATCH";
/// An option is out of range or malformed (the host's schema check normally catches these first).
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";

pub const DEFAULT_DPI: u32 = 150;
pub const MIN_DPI: u32 = 72;
pub const MAX_DPI: u32 = 300;
pub const DEFAULT_LANGUAGES: &str = "kor+eng";

/// What to mask. Give exactly one of `file_url`, `file_base64` and `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// URL of the image (PNG, JPEG, WebP, TIFF) or PDF to mask: one returned by `POST /api/v1/files`,
    /// or an http(s) URL on a host the component is allowed to reach.
    #[serde(default)]
    pub file_url: Option<String>,
    /// A small image or PDF inline, base64-encoded (standard alphabet; a `data:...;base64,` prefix is
    /// accepted). Upload larger files and pass `file_url`.
    #[serde(default)]
    pub file_base64: Option<String>,
    /// Plain text to mask: the answer has `masked_text` instead of a file.
    #[serde(default)]
    pub text: Option<String>,
    /// What the file must be; a file whose contents say otherwise is refused. Detected from the
    /// contents when left out.
    #[serde(default)]
    pub file_type: Option<FileType>,
    /// Resolution (dots per inch) at which PDF pages are rasterised and masked: 72 to 300, default 150.
    /// Higher is sharper, slower and larger. PDFs only.
    #[serde(default)]
    #[schemars(range(min = 72, max = 300), extend("default" = 150))]
    pub dpi: Option<u32>,
    /// Tesseract languages for text recognition, `+`-joined, default `kor+eng`. Files only.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z_]{3,16}(\+[a-z_]{3,16}){0,4}$"), extend("default" = "kor+eng"))]
    pub languages: Option<String>,
}

/// The kind of file a job masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    /// PNG, JPEG, WebP or TIFF.
    Image,
    Pdf,
}

pub use capsule_sdk::files::Format;

pub fn file_type(format: Format) -> FileType {
    if format.is_image() { FileType::Image } else { FileType::Pdf }
}

/// Where the content comes from, once the input is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Read it with `blobs::read`.
    Url(String),
    /// Already decoded from `file_base64`.
    Bytes(Vec<u8>),
    Text(String),
}

/// The checked options of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub file_type: Option<FileType>,
    pub dpi: u32,
    pub languages: String,
}

impl Input {
    /// The one source given, decoded when inline.
    pub fn source(&self) -> Result<Source, Failure> {
        let given = [self.file_url.is_some(), self.file_base64.is_some(), self.text.is_some()];
        match given.iter().filter(|g| **g).count() {
            0 => {
                return Err(Failure::new(NO_INPUT, "nothing to mask: give one of `file_url`, `file_base64` or `text`"));
            }
            1 => {}
            _ => {
                return Err(Failure::new(
                    AMBIGUOUS_INPUT,
                    "give only one of `file_url`, `file_base64` and `text`; send separate jobs for several sources",
                ));
            }
        }
        if let Some(url) = &self.file_url {
            if url.trim().is_empty() {
                return Err(Failure::new(NO_INPUT, "`file_url` is empty; give the URL of the file to mask"));
            }
            return Ok(Source::Url(url.trim().to_string()));
        }
        if let Some(encoded) = &self.file_base64 {
            let bytes = decode_base64(encoded)?;
            if bytes.is_empty() {
                return Err(Failure::new(NO_INPUT, "`file_base64` is empty; give the file's contents"));
            }
            return Ok(Source::Bytes(bytes));
        }
        let text = self.text.clone().unwrap_or_default();
        if text.trim().is_empty() {
            return Err(Failure::new(NO_INPUT, "`text` is empty; give the text to mask"));
        }
        Ok(Source::Text(text))
    }

    /// The options with their defaults, checked as the input schema does.
    pub fn options(&self) -> Result<Options, Failure> {
        let dpi = self.dpi.unwrap_or(DEFAULT_DPI);
        if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
            return Err(Failure::new(
                INVALID_REQUEST,
                format!("`dpi` must be between {MIN_DPI} and {MAX_DPI}, not {dpi}"),
            ));
        }
        let languages = self.languages.clone().unwrap_or_else(|| DEFAULT_LANGUAGES.to_string());
        if !capsule_sdk::engines::valid_languages(&languages) {
            return Err(Failure::new(
                INVALID_REQUEST,
                format!(
                    "`languages` must look like `kor+eng` (up to five lowercase Tesseract codes), not `{languages}`"
                ),
            ));
        }
        Ok(Options { file_type: self.file_type, dpi, languages })
    }

    /// Sentences about options that do not apply and were ignored: for text (`format` `None`) the
    /// file options, for an image the `dpi`.
    pub fn ignored_options(&self, format: Option<Format>) -> Vec<String> {
        let mut warnings = Vec::new();
        match format {
            None => {
                let given = [
                    (self.file_type.is_some(), "file_type"),
                    (self.dpi.is_some(), "dpi"),
                    (self.languages.is_some(), "languages"),
                ];
                for (_, name) in given.iter().filter(|(given, _)| *given) {
                    warnings.push(format!("`{name}` applies to files only and was ignored for `text`"));
                }
            }
            Some(f) if f.is_image() && self.dpi.is_some() => {
                warnings.push("`dpi` applies to PDFs only and was ignored for this image".to_string());
            }
            Some(_) => {}
        }
        warnings
    }
}

fn decode_base64(encoded: &str) -> Result<Vec<u8>, Failure> {
    capsule_sdk::files::decode_base64(encoded)
        .map_err(|why| Failure::new(INVALID_REQUEST, format!("`file_base64`: {why}")))
}

/// The format of `bytes`, checked against the `file_type` the caller claimed.
pub fn file_format(bytes: &[u8], claimed: Option<FileType>) -> Result<Format, Failure> {
    let format = capsule_sdk::files::identify(bytes)?;
    match claimed {
        Some(claimed) if claimed != file_type(format) => Err(Failure::new(
            FILE_TYPE_MISMATCH,
            format!(
                "`file_type` says {} but the file is a {}; fix `file_type` or leave it out",
                match claimed {
                    FileType::Image => "image",
                    FileType::Pdf => "pdf",
                },
                format.name()
            ),
        )),
        _ => Ok(format),
    }
}

/// The base of the masked file's name: the last path segment of the URL without its extension,
/// reduced to letters, digits, `-` and `_`; `fallback` when nothing is left.
pub fn file_stem(url: Option<&str>, fallback: &str) -> String {
    let segment = url
        .map(|u| u.split(['?', '#']).next().unwrap_or(""))
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .unwrap_or("");
    let base = match segment.rsplit_once('.') {
        Some((base, _)) if !base.is_empty() => base,
        _ => segment,
    };
    let stem: String = base.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_')).take(64).collect();
    if stem.is_empty() { fallback.to_string() } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";

    fn input(json: serde_json::Value) -> Input {
        serde_json::from_value(json).expect("input deserialises")
    }

    #[test]
    fn no_source_is_no_input() {
        assert_eq!(input(serde_json::json!({})).source().unwrap_err().code, NO_INPUT);
    }

    #[test]
    fn two_sources_are_ambiguous() {
        let i = input(serde_json::json!({"file_url": "/api/v1/files/a", "text": "hi"}));
        assert_eq!(i.source().unwrap_err().code, AMBIGUOUS_INPUT);
    }

    #[test]
    fn all_three_sources_are_ambiguous() {
        let i = input(serde_json::json!({"file_url": "u", "file_base64": "aGk=", "text": "hi"}));
        assert_eq!(i.source().unwrap_err().code, AMBIGUOUS_INPUT);
    }

    #[test]
    fn blank_text_is_no_input() {
        assert_eq!(input(serde_json::json!({"text": "  \n"})).source().unwrap_err().code, NO_INPUT);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_value::<Input>(serde_json::json!({"text": "x", "colour": "red"})).is_err());
    }

    #[test]
    fn url_is_read_later() {
        let i = input(serde_json::json!({"file_url": " /api/v1/files/abc "}));
        assert_eq!(i.source().unwrap(), Source::Url("/api/v1/files/abc".into()));
    }

    #[test]
    fn base64_is_decoded_with_line_breaks_and_data_url_prefix() {
        let i = input(serde_json::json!({"file_base64": "data:image/png;base64,aGVs\nbG8="}));
        assert_eq!(i.source().unwrap(), Source::Bytes(b"hello".to_vec()));
    }

    #[test]
    fn invalid_base64_is_an_invalid_request() {
        let i = input(serde_json::json!({"file_base64": "not base64!"}));
        assert_eq!(i.source().unwrap_err().code, INVALID_REQUEST);
    }

    #[test]
    fn options_default_to_150_dpi_and_korean_plus_english() {
        let o = input(serde_json::json!({"text": "x"})).options().unwrap();
        assert_eq!((o.dpi, o.languages.as_str(), o.file_type), (DEFAULT_DPI, DEFAULT_LANGUAGES, None));
    }

    #[test]
    fn dpi_outside_72_to_300_is_refused() {
        for dpi in [71, 301] {
            let i = input(serde_json::json!({"text": "x", "dpi": dpi}));
            assert_eq!(i.options().unwrap_err().code, INVALID_REQUEST, "dpi {dpi}");
        }
        for dpi in [72, 300] {
            assert!(input(serde_json::json!({"text": "x", "dpi": dpi})).options().is_ok(), "dpi {dpi}");
        }
    }

    #[test]
    fn other_bytes_are_an_invalid_file() {
        assert_eq!(file_format(b"GIF89a....", None).unwrap_err().code, INVALID_FILE);
    }

    #[test]
    fn an_empty_file_is_an_invalid_file_that_says_it_is_empty() {
        let failure = file_format(b"", None).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_FILE, false));
        assert!(failure.message.contains("empty"), "{failure}");
    }

    #[test]
    fn claimed_type_that_disagrees_with_the_bytes_is_a_mismatch() {
        assert_eq!(file_format(PDF, Some(FileType::Image)).unwrap_err().code, FILE_TYPE_MISMATCH);
        assert_eq!(file_format(PNG, Some(FileType::Pdf)).unwrap_err().code, FILE_TYPE_MISMATCH);
    }

    #[test]
    fn claimed_type_that_agrees_is_accepted() {
        assert_eq!(file_format(PNG, Some(FileType::Image)).unwrap(), Format::Png);
        assert_eq!(file_format(PDF, Some(FileType::Pdf)).unwrap(), Format::Pdf);
    }

    #[test]
    fn stem_is_the_last_url_segment_without_extension_or_query() {
        assert_eq!(file_stem(Some("https://x.test/scans/id card.final.png?sig=1"), "f"), "idcardfinal");
        assert_eq!(file_stem(Some("/api/v1/files/01J9ZQ"), "f"), "01J9ZQ");
    }

    #[test]
    fn stem_falls_back_when_nothing_usable_is_left() {
        assert_eq!(file_stem(Some("/.."), "document"), "document");
        assert_eq!(file_stem(None, "document"), "document");
    }

    #[test]
    fn options_for_files_are_reported_as_ignored_in_text_mode() {
        let i = input(serde_json::json!({"text": "x", "dpi": 200, "languages": "eng"}));
        let warnings = i.ignored_options(None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("`dpi`") && warnings[1].contains("`languages`"), "{warnings:?}");
    }

    #[test]
    fn dpi_is_reported_as_ignored_for_images_only() {
        let i = input(serde_json::json!({"file_url": "u", "dpi": 200}));
        assert_eq!(i.ignored_options(Some(Format::Png)).len(), 1);
        assert!(i.ignored_options(Some(Format::Pdf)).is_empty());
    }
}

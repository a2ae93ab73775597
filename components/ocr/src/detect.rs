//! What a file is, from its first bytes (never from a name or a content type).

use capsule_sdk::Failure;

use crate::input::FileType;

pub const FILE_TYPE_MISMATCH: &str = "OCR_FILE_TYPE_MISMATCH";

pub use capsule_sdk::files::Format;

fn file_type(format: Format) -> FileType {
    if format.is_image() { FileType::Image } else { FileType::Pdf }
}

/// How a sentence names a format: "a PDF", "a PNG image".
fn describe(format: Format) -> String {
    if format.is_image() { format!("a {} image", format.name()) } else { "a PDF".into() }
}

/// The format of `bytes`, or `INPUT_INVALID_FILE` saying why it has none
/// (see [`capsule_sdk::files::identify`]).
pub fn detect(bytes: &[u8]) -> Result<Format, Failure> {
    capsule_sdk::files::identify(bytes)
}

/// Refuse a file whose bytes are not the declared `file_type`.
pub fn check_declared(declared: Option<FileType>, format: Format) -> Result<(), Failure> {
    match declared {
        Some(declared) if declared != file_type(format) => {
            let expected = match declared {
                FileType::Pdf => "a PDF",
                FileType::Image => "an image",
            };
            Err(Failure::new(
                FILE_TYPE_MISMATCH,
                format!(
                    "`file_type` says {expected} but the file is {}; send the right file or leave `file_type` out",
                    describe(format)
                ),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsule_sdk::files::INVALID_FILE;

    #[test]
    fn other_files_are_invalid_and_the_message_lists_what_can_be_read() {
        let failure = detect(b"GIF89a....").unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (INVALID_FILE, false));
        assert!(failure.message.contains("PDF or an image (PNG, JPEG, WebP, TIFF)"), "{failure}");
    }

    #[test]
    fn an_empty_file_is_invalid_and_says_so() {
        let failure = detect(b"").unwrap_err();
        assert_eq!(failure.code, INVALID_FILE);
        assert!(failure.message.contains("empty"), "{failure}");
    }

    #[test]
    fn a_declared_type_that_disagrees_is_a_mismatch_naming_the_real_format() {
        let failure = check_declared(Some(FileType::Pdf), Format::Jpeg).unwrap_err();
        assert_eq!(failure.code, FILE_TYPE_MISMATCH);
        assert!(failure.message.contains("the file is a JPEG image"), "{failure}");
        assert_eq!(code(check_declared(Some(FileType::Image), Format::Pdf)), FILE_TYPE_MISMATCH);
    }

    #[test]
    fn a_declared_type_that_agrees_or_none_passes() {
        assert!(check_declared(Some(FileType::Image), Format::Webp).is_ok());
        assert!(check_declared(Some(FileType::Pdf), Format::Pdf).is_ok());
        assert!(check_declared(None, Format::Tiff).is_ok());
    }

    fn code<T: std::fmt::Debug>(result: Result<T, Failure>) -> String {
        result.expect_err("a failure").code
    }
}

//! What a file is, from its first bytes (never from a name or a content type).

use capsule_sdk::Failure;

use crate::input::FileType;

pub const UNSUPPORTED_FILE: &str = "OCR_UNSUPPORTED_FILE";
pub const FILE_TYPE_MISMATCH: &str = "OCR_FILE_TYPE_MISMATCH";

/// A file format the capability reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Tiff,
}

impl Format {
    pub fn file_type(self) -> FileType {
        match self {
            Self::Pdf => FileType::Pdf,
            _ => FileType::Image,
        }
    }

    /// How a sentence names it: "a PDF", "a PNG image".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Pdf => "a PDF",
            Self::Png => "a PNG image",
            Self::Jpeg => "a JPEG image",
            Self::Webp => "a WebP image",
            Self::Tiff => "a TIFF image",
        }
    }
}

/// The format of `bytes` by its magic number. Images are recognised at offset 0 first, so an image
/// quoting `%PDF-` in its metadata stays an image; a PDF header may sit anywhere in the first 1024
/// bytes, as the PDF spec allows.
pub fn detect(bytes: &[u8]) -> Result<Format, Failure> {
    let image = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else {
        None
    };
    if let Some(format) = image {
        return Ok(format);
    }
    if bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Ok(Format::Pdf);
    }
    let message = if bytes.is_empty() {
        "the file is empty; only PDF, PNG, JPEG, WebP and TIFF files can be read"
    } else {
        "only PDF, PNG, JPEG, WebP and TIFF files can be read; this file is none of them"
    };
    Err(Failure::new(UNSUPPORTED_FILE, message))
}

/// Refuse a file whose bytes are not the declared `file_type`.
pub fn check_declared(declared: Option<FileType>, format: Format) -> Result<(), Failure> {
    match declared {
        Some(declared) if declared != format.file_type() => {
            let expected = match declared {
                FileType::Pdf => "a PDF",
                FileType::Image => "an image",
            };
            Err(Failure::new(
                FILE_TYPE_MISMATCH,
                format!(
                    "`file_type` says {expected} but the file is {}; send the right file or leave `file_type` out",
                    format.describe()
                ),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_an_image() {
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), Format::Png);
    }

    #[test]
    fn jpeg_is_an_image() {
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F']).unwrap(), Format::Jpeg);
    }

    #[test]
    fn webp_needs_both_riff_and_webp_tags() {
        assert_eq!(detect(b"RIFF\x24\0\0\0WEBPVP8 ").unwrap(), Format::Webp);
        assert_eq!(code(detect(b"RIFF\x24\0\0\0WAVEfmt ")), UNSUPPORTED_FILE);
    }

    #[test]
    fn tiff_is_an_image_in_either_byte_order() {
        assert_eq!(detect(b"II*\0\x08\0\0\0").unwrap(), Format::Tiff);
        assert_eq!(detect(b"MM\0*\0\0\0\x08").unwrap(), Format::Tiff);
    }

    #[test]
    fn pdf_header_at_the_start_is_a_pdf() {
        assert_eq!(detect(b"%PDF-1.7\n").unwrap(), Format::Pdf);
    }

    #[test]
    fn pdf_header_after_leading_junk_within_1024_bytes_is_a_pdf() {
        let mut bytes = vec![b' '; 1019];
        bytes.extend_from_slice(b"%PDF-1.4");
        assert_eq!(detect(&bytes).unwrap(), Format::Pdf);
    }

    #[test]
    fn pdf_header_past_1024_bytes_is_not_a_pdf() {
        let mut bytes = vec![b' '; 1020];
        bytes.extend_from_slice(b"%PDF-1.4");
        assert_eq!(code(detect(&bytes)), UNSUPPORTED_FILE);
    }

    #[test]
    fn an_image_quoting_a_pdf_header_stays_an_image() {
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n tEXt %PDF-1.4").unwrap(), Format::Png);
    }

    #[test]
    fn other_files_are_unsupported_and_the_message_lists_what_is() {
        let failure = detect(b"GIF89a....").unwrap_err();
        assert_eq!(failure.code, UNSUPPORTED_FILE);
        assert!(failure.message.contains("only PDF, PNG, JPEG, WebP and TIFF files can be read"), "{failure}");
    }

    #[test]
    fn an_empty_file_is_unsupported_and_says_so() {
        let failure = detect(b"").unwrap_err();
        assert_eq!(failure.code, UNSUPPORTED_FILE);
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

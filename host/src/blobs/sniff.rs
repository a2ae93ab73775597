//! The type a stored file is served as, decided from its bytes: a client's
//! declared type is a claim, and serving it `inline` would let an upload of
//! HTML or SVG run script on the API's origin.
//!
//! The rule: the type sniffed from the leading bytes wins. Only passive types
//! (raster images, PDF, audio, video, and valid UTF-8 text declared as
//! `text/plain` or undeclared) may be shown inline; everything else is an
//! attachment, served with the declared type, or `application/octet-stream`
//! when the declared type is missing, unparseable, or claims a passive type
//! the bytes do not show.

/// Enough leading bytes for every signature `infer` checks (OOXML looks
/// ~6 KB into a zip).
const HEAD: usize = 16 * 1024;

const OCTET_STREAM: &str = "application/octet-stream";
const TEXT_PLAIN_UTF8: &str = "text/plain; charset=utf-8";

/// Types shown in the browser: none can run script or load other resources.
fn passive(essence: &str) -> bool {
    matches!(
        essence,
        "image/png"
            | "image/jpeg"
            | "image/gif"
            | "image/webp"
            | "image/bmp"
            | "image/tiff"
            | "image/avif"
            | "application/pdf"
    ) || essence.starts_with("audio/")
        || essence.starts_with("video/")
}

/// How a file is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub content_type: String,
    /// `Content-Disposition: inline` (else `attachment`).
    pub inline: bool,
}

/// Watches a file's bytes as they are written.
#[derive(Default)]
pub struct Sniffer {
    head: Vec<u8>,
    utf8: Utf8Check,
}

impl Sniffer {
    pub fn feed(&mut self, chunk: &[u8]) {
        let room = HEAD.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.utf8.feed(chunk);
    }

    /// The served type, given the type the writer declared (if any).
    pub fn finish(self, declared: Option<&str>) -> Served {
        if let Some(sniffed) = infer::get(&self.head) {
            let content_type = sniffed.mime_type().to_string();
            return Served { inline: passive(&content_type), content_type };
        }
        let declared =
            declared.and_then(|d| d.parse::<mime::Mime>().ok()).map(|m| m.essence_str().to_ascii_lowercase());
        match declared.as_deref() {
            None | Some("text/plain") if self.utf8.is_valid() => {
                Served { content_type: TEXT_PLAIN_UTF8.into(), inline: true }
            }
            Some(d) if !passive(d) => Served { content_type: d.to_string(), inline: false },
            _ => Served { content_type: OCTET_STREAM.into(), inline: false },
        }
    }
}

/// Incremental UTF-8 validation: a character may be split between chunks.
#[derive(Default)]
struct Utf8Check {
    invalid: bool,
    /// The start of a character whose remaining bytes are in the next chunk (at most 3).
    pending: Vec<u8>,
}

impl Utf8Check {
    fn feed(&mut self, chunk: &[u8]) {
        if self.invalid {
            return;
        }
        let mut rest = chunk;
        if !self.pending.is_empty() {
            let take = rest.len().min(4 - self.pending.len());
            let mut joined = std::mem::take(&mut self.pending);
            let carried = joined.len();
            joined.extend_from_slice(&rest[..take]);
            let completed = match std::str::from_utf8(&joined) {
                Ok(_) => joined.len(),
                Err(e) if e.valid_up_to() > 0 => e.valid_up_to(),
                Err(e) if e.error_len().is_none() && take == rest.len() => {
                    self.pending = joined;
                    return;
                }
                Err(_) => {
                    self.invalid = true;
                    return;
                }
            };
            rest = &rest[completed - carried..];
        }
        match std::str::from_utf8(rest) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.pending = rest[e.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    fn is_valid(&self) -> bool {
        !self.invalid && self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    fn served(chunks: &[&[u8]], declared: Option<&str>) -> Served {
        let mut s = Sniffer::default();
        for c in chunks {
            s.feed(c);
        }
        s.finish(declared)
    }

    fn attachment(content_type: &str) -> Served {
        Served { content_type: content_type.into(), inline: false }
    }

    #[test]
    fn a_png_is_inline_as_image_png_whatever_was_declared() {
        let png = Served { content_type: "image/png".into(), inline: true };
        assert_eq!(served(&[PNG], Some("image/png")), png);
        assert_eq!(served(&[PNG], Some("text/html")), png);
        assert_eq!(served(&[&PNG[..3], &PNG[3..]], None), png);
    }

    #[test]
    fn html_is_an_attachment_even_when_it_claims_to_be_an_image() {
        let html: &[u8] = b"<html><script>alert(document.cookie)</script></html>";
        assert_eq!(served(&[html], Some("text/html")), attachment("text/html"));
        assert_eq!(served(&[html], Some("image/png")), attachment("text/html"));
        assert_eq!(served(&[b"  <!DOCTYPE html><p>hi"], Some("text/plain")), attachment("text/html"));
    }

    #[test]
    fn svg_and_scripts_are_attachments_with_their_declared_type() {
        let svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
        assert_eq!(served(&[svg], Some("image/svg+xml")), attachment("image/svg+xml"));
        assert_eq!(served(&[b"<?xml version=\"1.0\"?><svg/>"], Some("image/svg+xml")), attachment("text/xml"));
        assert_eq!(served(&[b"alert(1)"], Some("application/javascript")), attachment("application/javascript"));
    }

    #[test]
    fn a_passive_claim_the_bytes_do_not_show_is_octet_stream() {
        assert_eq!(served(&[b"\x00\x01\x02 not an image"], Some("image/png")), attachment(OCTET_STREAM));
        assert_eq!(served(&[b"%not a pdf"], Some("application/pdf")), attachment(OCTET_STREAM));
        assert_eq!(served(&[b"\xff\xfe"], None), attachment(OCTET_STREAM));
        assert_eq!(served(&[b"\xff\xfe"], Some("not a mime type")), attachment(OCTET_STREAM));
    }

    #[test]
    fn utf8_text_declared_plain_or_undeclared_is_inline_plain_text() {
        let text = Served { content_type: TEXT_PLAIN_UTF8.into(), inline: true };
        assert_eq!(served(&["Grüße, 世界 🎉".as_bytes()], Some("text/plain; charset=latin1")), text);
        assert_eq!(served(&[b"plain"], None), text);
        assert_eq!(served(&[b"a,b\n1,2\n"], Some("text/csv")), attachment("text/csv"));
        assert_eq!(served(&[b"caf\xe9"], Some("text/plain")), attachment("text/plain"));
    }

    #[test]
    fn utf8_characters_split_between_chunks_are_still_valid() {
        let text = "a€😀ü".as_bytes();
        for i in 0..text.len() {
            for j in i..text.len() {
                let mut check = Utf8Check::default();
                check.feed(&text[..i]);
                check.feed(&text[i..j]);
                check.feed(&text[j..]);
                assert!(check.is_valid(), "split at {i} and {j}");
            }
        }
        let mut truncated = Utf8Check::default();
        truncated.feed(&"€".as_bytes()[..2]);
        assert!(!truncated.is_valid(), "a file ending inside a character is not text");
        let mut broken = Utf8Check::default();
        broken.feed(&"€".as_bytes()[..2]);
        broken.feed(b"x");
        assert!(!broken.is_valid());
    }
}

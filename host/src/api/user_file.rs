//! A stored user file as an HTTP answer, for every route that serves one
//! (`GET /api/v1/files/{id}`, seed 003's signed `GET /blobs/{id}`): its
//! sniffed type, `inline` only for passive types (see `blobs::sniff`), no
//! active content, and single byte ranges so players can seek.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;

use crate::blobs::{BlobError, BlobMeta, BlobStore};

/// What a browser may do with a user's file: nothing active. The sandbox
/// blocks script even if a browser renders the file, and `nosniff` keeps it
/// from guessing a more dangerous type than the one we send.
const USER_FILE_CSP: &str = "sandbox; default-src 'none'";

/// The file `meta` describes, whole or the one range `request` asks for;
/// `None` when its bytes are gone.
pub async fn serve(store: &dyn BlobStore, meta: &BlobMeta, request: &HeaderMap) -> Result<Option<Response>, BlobError> {
    let size = meta.size;
    let range = request.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|r| byte_range(r, size));
    let (status, start, len) = match range {
        None | Some(Range::Ignored) => (StatusCode::OK, 0, size),
        Some(Range::Bytes(start, end)) => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Some(Range::Unsatisfiable) => {
            let unsatisfiable = [(header::CONTENT_RANGE, format!("bytes */{size}"))];
            return Ok(Some((StatusCode::RANGE_NOT_SATISFIABLE, unsatisfiable).into_response()));
        }
    };
    // The store seeks to the range (a file) or asks for it (S3).
    let Some(reader) = store.open_range(&meta.id, start, len).await? else { return Ok(None) };
    let mut response = (status, Body::from_stream(ReaderStream::new(reader))).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if meta.inline { "inline" } else { "attachment" },
        percent_encode(&meta.name)
    );
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("percent-encoded ASCII"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(USER_FILE_CSP));
    if status == StatusCode::PARTIAL_CONTENT {
        let value = format!("bytes {start}-{}/{size}", start + len - 1);
        h.insert(header::CONTENT_RANGE, HeaderValue::from_str(&value).expect("digits"));
    }
    Ok(Some(response))
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// Inclusive.
    Bytes(u64, u64),
    Unsatisfiable,
    /// Not one range of bytes (several ranges, another unit, malformed):
    /// the whole file, as RFC 9110 lets a server answer.
    Ignored,
}

/// One `bytes=` range against a file of `size` bytes; an end past the file
/// is cut to it (RFC 9110 §14.1.2). Hand-written: the grammar of one range
/// is a few lines, and the crates for it answer several ranges we would
/// not serve.
fn byte_range(header: &str, size: u64) -> Range {
    let spec = header.trim().strip_prefix("bytes=").filter(|s| !s.contains(','));
    let Some((a, b)) = spec.and_then(|s| s.split_once('-')).map(|(a, b)| (a.trim(), b.trim())) else {
        return Range::Ignored;
    };
    let last = size.saturating_sub(1);
    let (start, end) = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        // The last N bytes; none of them is nothing to serve.
        (None, Some(0)) if a.is_empty() => return Range::Unsatisfiable,
        (None, Some(n)) if a.is_empty() => (size.saturating_sub(n), last),
        (Some(s), None) if b.is_empty() => (s, last),
        (Some(s), Some(e)) if e >= s => (s, e.min(last)),
        _ => return Range::Ignored,
    };
    if start >= size { Range::Unsatisfiable } else { Range::Bytes(start, end) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_read_as_browsers_send_them() {
        assert_eq!(byte_range("bytes=0-99", 1000), Range::Bytes(0, 99));
        assert_eq!(byte_range("bytes=500-", 1000), Range::Bytes(500, 999));
        assert_eq!(byte_range("bytes=-100", 1000), Range::Bytes(900, 999));
        assert_eq!(byte_range("bytes=900-5000", 1000), Range::Bytes(900, 999));
        assert_eq!(byte_range("bytes=1000-", 1000), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), Range::Ignored);
        assert_eq!(byte_range("items=0-1", 1000), Range::Ignored);
        assert_eq!(byte_range("bytes=5-1", 1000), Range::Ignored);
    }
}

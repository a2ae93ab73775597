//! Limits on a request's head, answered with the envelope (hyper's own
//! limits, set higher in `api::server`, would answer a bare 414 or 431).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::envelope::ApiError;

pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refusals close the connection (see `ApiError`): a client that sends such
/// heads is likely to send more of the same.
pub async fn check_head(request: Request, next: Next) -> Result<Response, ApiError> {
    let uri = request.uri();
    let uri_bytes = uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(uri.path().len(), |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            "COMMON_URI_TOO_LONG",
            format!(
                "the URL is {uri_bytes} bytes long; at most {MAX_URI_BYTES} are accepted: send long input in the JSON body"
            ),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Err(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "COMMON_HEADERS_TOO_LARGE",
            format!(
                "the request has {} headers of {header_bytes} bytes; at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes are accepted",
                headers.len()
            ),
        ));
    }
    Ok(next.run(request).await)
}

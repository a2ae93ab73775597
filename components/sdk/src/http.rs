//! Outgoing HTTP requests (`wasi:http/outgoing-handler`), for components
//! that spin.toml grants hosts to reach (`allowed_outbound_hosts`). The host
//! refuses a request to any other host before connecting:
//! [`codes::HTTP_REQUEST_DENIED`]. Use it through the [`super::Http`] trait
//! so a flow that calls out can be unit-tested with a fake.

use super::Failure;

/// Failure codes of [`send`].
pub mod codes {
    /// The host is not in the component's `allowed_outbound_hosts`.
    pub const HTTP_REQUEST_DENIED: &str = "HTTP_REQUEST_DENIED";
    /// No answer: the name did not resolve, the connection failed or timed
    /// out, or the answer was cut off. Retryable.
    pub const HTTP_REQUEST_FAILED: &str = "HTTP_REQUEST_FAILED";
    /// The request could not be written: a bad URL, method or header.
    pub const HTTP_REQUEST_INVALID: &str = "HTTP_REQUEST_INVALID";
    /// Outgoing HTTP is not available (a native build, or a host without it).
    pub const HTTP_UNAVAILABLE: &str = "HTTP_UNAVAILABLE";
}

/// An outgoing request. `url` is absolute (`https://host[:port]/path?query`),
/// its query already encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Give up when connecting, or the first byte of the answer, takes longer.
    pub timeout_ms: u64,
}

impl Request {
    /// A `GET` with a 10-second timeout.
    pub fn get(url: impl Into<String>) -> Self {
        Self { method: "GET".into(), url: url.into(), headers: vec![], body: vec![], timeout_ms: 10_000 }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// An answer of any status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `scheme`, `authority` and `path?query` of an absolute http(s) URL.
pub fn split_url(url: &str) -> Result<(&str, &str, String), Failure> {
    let invalid =
        || Failure::new(codes::HTTP_REQUEST_INVALID, format!("`{url}` is not an absolute http:// or https:// URL"));
    let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
    if !matches!(scheme, "http" | "https") {
        return Err(invalid());
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.is_empty() {
        return Err(invalid());
    }
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    Ok((scheme, authority, path))
}

/// Send `request` and read the whole answer (at most `max_body` bytes).
pub fn send(request: &Request, max_body: usize) -> Result<Response, Failure> {
    #[cfg(target_family = "wasm")]
    return wasm::send(request, max_body);
    #[cfg(not(target_family = "wasm"))]
    {
        let _ = (request, max_body);
        Err(Failure::new(codes::HTTP_UNAVAILABLE, "outgoing HTTP is only available inside the Capsule host"))
    }
}

#[cfg(target_family = "wasm")]
mod wasm {
    use wasi::http::outgoing_handler;
    use wasi::http::types::{ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};

    use super::{Failure, Request, Response, codes, split_url};

    fn invalid(what: &str) -> Failure {
        Failure::new(codes::HTTP_REQUEST_INVALID, format!("the request's {what} was refused"))
    }

    fn failed(error: ErrorCode) -> Failure {
        match error {
            ErrorCode::HttpRequestDenied => Failure::new(
                codes::HTTP_REQUEST_DENIED,
                "the host is not in this component's allowed_outbound_hosts in spin.toml",
            ),
            other => Failure::retryable(codes::HTTP_REQUEST_FAILED, format!("no answer: {other:?}")),
        }
    }

    pub fn send(request: &Request, max_body: usize) -> Result<Response, Failure> {
        let (scheme, authority, path) = split_url(&request.url)?;
        let headers = Fields::new();
        for (name, value) in &request.headers {
            headers.append(name, value.as_bytes()).map_err(|_| invalid(&format!("header `{name}`")))?;
        }
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            other => Method::Other(other.to_string()),
        };
        outgoing.set_method(&method).map_err(|_| invalid("method"))?;
        let scheme = if scheme == "https" { Scheme::Https } else { Scheme::Http };
        outgoing.set_scheme(Some(&scheme)).map_err(|_| invalid("scheme"))?;
        outgoing.set_authority(Some(authority)).map_err(|_| invalid("host"))?;
        outgoing.set_path_with_query(Some(&path)).map_err(|_| invalid("path"))?;
        let body = outgoing.body().map_err(|_| invalid("body"))?;
        if !request.body.is_empty() {
            let stream = body.write().map_err(|_| invalid("body"))?;
            for chunk in request.body.chunks(4096) {
                stream.blocking_write_and_flush(chunk).map_err(|_| invalid("body"))?;
            }
            drop(stream);
        }
        OutgoingBody::finish(body, None).map_err(failed)?;
        let options = RequestOptions::new();
        let timeout = Some(request.timeout_ms.saturating_mul(1_000_000));
        // A host may not support a timeout; then its own limits apply.
        let _ = options.set_connect_timeout(timeout);
        let _ = options.set_first_byte_timeout(timeout);
        let _ = options.set_between_bytes_timeout(timeout);
        let pending = outgoing_handler::handle(outgoing, Some(options)).map_err(failed)?;
        pending.subscribe().block();
        let response = pending
            .get()
            .ok_or_else(|| Failure::retryable(codes::HTTP_REQUEST_FAILED, "the answer never came"))?
            .map_err(|_| Failure::retryable(codes::HTTP_REQUEST_FAILED, "the answer was taken twice"))?
            .map_err(failed)?;
        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
            .collect();
        let incoming =
            response.consume().map_err(|_| Failure::retryable(codes::HTTP_REQUEST_FAILED, "the answer has no body"))?;
        let stream = incoming
            .stream()
            .map_err(|_| Failure::retryable(codes::HTTP_REQUEST_FAILED, "the answer's body could not be read"))?;
        let mut body = Vec::new();
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    body.extend(chunk);
                    if body.len() > max_body {
                        return Err(Failure::new(
                            codes::HTTP_REQUEST_FAILED,
                            format!("the answer is larger than {max_body} bytes"),
                        ));
                    }
                }
                Err(wasi::io::streams::StreamError::Closed) => break,
                Err(_) => {
                    return Err(Failure::retryable(codes::HTTP_REQUEST_FAILED, "the answer was cut off"));
                }
            }
        }
        Ok(Response { status, headers, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_splits_into_scheme_authority_and_path() {
        assert_eq!(split_url("https://a.b:8443/x/y?q=1").unwrap(), ("https", "a.b:8443", "/x/y?q=1".into()));
        assert_eq!(split_url("http://a.b?q=1").unwrap(), ("http", "a.b", "/?q=1".into()));
        assert_eq!(split_url("http://a.b").unwrap(), ("http", "a.b", "/".into()));
        assert_eq!(split_url("ftp://a.b").unwrap_err().code, codes::HTTP_REQUEST_INVALID);
        assert_eq!(split_url("https:///x").unwrap_err().code, codes::HTTP_REQUEST_INVALID);
    }
}

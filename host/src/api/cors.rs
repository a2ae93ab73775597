//! Cross-origin access for browser frontends (CORS).
//!
//! By default only loopback development origins (`http://localhost:<port>`,
//! `http://127.0.0.1:<port>`, `http://[::1]:<port>`) may call the API from
//! another origin; same-origin pages need no CORS at all. `--cors-origins`
//! names the production origins, or `*` for any. Credentials are never
//! allowed: Capsule uses no cookies, API keys travel in headers
//! (`Authorization`, `X-API-Key`) that the frontend sets itself.

use std::str::FromStr;
use std::time::Duration;

use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, request::Parts};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// `http://localhost`, `http://127.0.0.1` and `http://[::1]`, any port.
    LoopbackDevelopment,
    /// `*`: any origin, without credentials.
    Any,
    /// Exactly these origins (`scheme://host[:port]`, lower case).
    Exact(Vec<HeaderValue>),
}

impl FromStr for CorsOrigins {
    type Err = String;

    /// A comma-separated list of origins, or `*`; empty means the default.
    fn from_str(s: &str) -> Result<Self, String> {
        let items: Vec<&str> = s.split(',').map(str::trim).filter(|i| !i.is_empty()).collect();
        if items.is_empty() {
            return Ok(Self::LoopbackDevelopment);
        }
        if items.contains(&"*") {
            if items.len() > 1 {
                return Err("`*` allows every origin and cannot be combined with others".into());
            }
            return Ok(Self::Any);
        }
        items.iter().map(|item| origin(item)).collect::<Result<_, _>>().map(Self::Exact)
    }
}

/// One exact origin as browsers send it: `http(s)://host[:port]`, nothing after.
fn origin(item: &str) -> Result<HeaderValue, String> {
    let bad = |why: &str| format!("`{item}` is not an origin: {why} (write e.g. `https://app.example.com`)");
    let lower = item.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(|| bad("it has no scheme"))?;
    if scheme != "http" && scheme != "https" {
        return Err(bad("the scheme must be http or https"));
    }
    if rest.is_empty() {
        return Err(bad("it has no host"));
    }
    if rest.contains(['/', '?', '#']) {
        return Err(bad("an origin has no path, not even a trailing `/`"));
    }
    if rest.contains('@') {
        return Err(bad("an origin has no user name"));
    }
    let _: axum::http::uri::Authority = rest.parse().map_err(|_| bad("the host is not valid"))?;
    // `Authority` takes any text after the colon; a browser sends a number.
    if let Some((_, port)) = rest.rsplit_once(':').filter(|_| !rest.ends_with(']'))
        && port.parse::<u16>().is_err()
    {
        return Err(bad("the port is not a number"));
    }
    HeaderValue::from_str(&lower).map_err(|_| bad("it is not a valid header value"))
}

fn is_loopback_development(origin: &[u8]) -> bool {
    let Some(rest) = origin.strip_prefix(b"http://") else { return false };
    let port = [&b"localhost"[..], b"127.0.0.1", b"[::1]"].iter().find_map(|host| rest.strip_prefix(*host));
    match port {
        Some([]) => true,
        Some([b':', digits @ ..]) => (1..=5).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The page's origin is this server itself (behind no proxy that rewrites `Host`).
fn is_same_origin(origin: &[u8], parts: &Parts) -> bool {
    let Some(host) = parts.headers.get(header::HOST).map(HeaderValue::as_bytes) else { return false };
    [&b"http://"[..], b"https://"].iter().any(|scheme| origin.strip_prefix(*scheme) == Some(host))
}

/// The CORS layer; it must wrap every other layer, so that a preflight never
/// meets authentication or any other check.
pub fn layer(origins: &CorsOrigins, max_age: Duration) -> CorsLayer {
    let allow_origin = match origins {
        CorsOrigins::LoopbackDevelopment => AllowOrigin::predicate(|origin: &HeaderValue, parts: &Parts| {
            is_loopback_development(origin.as_bytes()) || is_same_origin(origin.as_bytes(), parts)
        }),
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::Exact(list) => AllowOrigin::list(list.clone()),
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("last-event-id"),
            header::CACHE_CONTROL,
            // Seeking in a video downloaded by its signed URL (seed 003).
            header::RANGE,
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            header::LOCATION,
            header::CONTENT_RANGE,
            header::ACCEPT_RANGES,
            header::ETAG,
        ])
        .max_age(max_age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_as_exact_lowercase_values_or_star() {
        assert_eq!(
            "https://App.example.com, http://localhost:3000".parse::<CorsOrigins>(),
            Ok(CorsOrigins::Exact(vec![
                HeaderValue::from_static("https://app.example.com"),
                HeaderValue::from_static("http://localhost:3000"),
            ]))
        );
        assert_eq!("*".parse::<CorsOrigins>(), Ok(CorsOrigins::Any));
        assert_eq!(" ".parse::<CorsOrigins>(), Ok(CorsOrigins::LoopbackDevelopment));
    }

    #[test]
    fn a_bad_origin_is_refused_naming_it() {
        for bad in
            ["app.example.com", "https://app.example.com/", "ftp://x.org", "https://a.com:http", "*,https://a.com"]
        {
            let error = bad.parse::<CorsOrigins>().expect_err(bad);
            let named = bad.split(',').any(|b| error.contains(b)) || error.contains('*');
            assert!(named, "{bad}: {error}");
        }
    }

    #[test]
    fn loopback_development_origins_are_http_loopback_hosts_with_any_port() {
        for ok in ["http://localhost", "http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000"] {
            assert!(is_loopback_development(ok.as_bytes()), "{ok}");
        }
        for no in [
            "https://evil.com",
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com:80",
            "http://localhost:",
            "http://localhost:123456",
            "null",
        ] {
            assert!(!is_loopback_development(no.as_bytes()), "{no}");
        }
    }
}

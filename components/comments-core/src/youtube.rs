//! The YouTube Data API v3 as this analysis uses it: request URLs and the
//! answers of `videos` (title, description), `commentThreads` (top-level
//! comments, paged by `nextPageToken`) and its error bodies. No I/O here:
//! the component sends the requests over the host's outgoing HTTP.

use serde_json::Value;

/// The API's root; the component's `youtube_api_url` may point elsewhere
/// (a proxy, or a test server).
pub const DEFAULT_API_URL: &str = "https://www.googleapis.com/youtube/v3";
/// The most comment threads one `commentThreads` page returns.
pub const MAX_PAGE_SIZE: usize = 100;

/// A video's snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    pub title: String,
    pub description: String,
    pub channel_title: Option<String>,
}

/// A top-level comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub likes: u64,
}

/// One page of comment threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentPage {
    pub comments: Vec<Comment>,
    pub next_page_token: Option<String>,
}

/// An answer that is not what the API documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an error answer means for the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// The project's daily quota is used up (`quotaExceeded`, `dailyLimitExceeded`).
    QuotaExceeded,
    /// Too many requests right now (`rateLimitExceeded`, HTTP 429): worth retrying.
    RateLimited,
    /// The video's owner turned comments off (`commentsDisabled`).
    CommentsDisabled,
    /// No such video, or not a public one (`videoNotFound`, HTTP 404).
    VideoNotFound,
    /// The key is wrong, expired or not allowed to call this API.
    KeyRejected,
    /// The API is down or failing (HTTP 5xx): worth retrying.
    Unavailable,
    /// Anything else the API refused.
    Other,
}

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// The first `errors[].reason`, e.g. `quotaExceeded`.
    pub reason: Option<String>,
    pub message: String,
    pub kind: ApiErrorKind,
}

/// `value` percent-encoded for a query string (RFC 3986 unreserved
/// characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn endpoint(base: &str, resource: &str) -> String {
    format!("{}/{resource}", base.trim_end_matches('/'))
}

/// `GET videos?part=snippet&id=…`.
pub fn video_url(base: &str, video_id: &str, key: &str) -> String {
    format!("{}?part=snippet&id={}&key={}", endpoint(base, "videos"), encode(video_id), encode(key))
}

/// `GET commentThreads?part=snippet&videoId=…&maxResults=…&order=relevance&textFormat=plainText[&pageToken=…]`.
/// Relevance order puts the comments viewers engaged with first, which is
/// what a sample of a few hundred should hold.
pub fn comment_threads_url(
    base: &str,
    video_id: &str,
    key: &str,
    max_results: usize,
    page_token: Option<&str>,
) -> String {
    let mut url = format!(
        "{}?part=snippet&videoId={}&maxResults={}&order=relevance&textFormat=plainText&key={}",
        endpoint(base, "commentThreads"),
        encode(video_id),
        max_results.clamp(1, MAX_PAGE_SIZE),
        encode(key)
    );
    if let Some(token) = page_token {
        url.push_str("&pageToken=");
        url.push_str(&encode(token));
    }
    url
}

fn json(body: &[u8]) -> Result<Value, Unreadable> {
    serde_json::from_slice(body).map_err(|e| Unreadable(format!("the answer is not JSON: {e}")))
}

fn items(value: &Value) -> Result<&Vec<Value>, Unreadable> {
    value["items"].as_array().ok_or_else(|| Unreadable("the answer has no `items` list".into()))
}

/// The `videos` answer: the video, or `None` when `items` is empty (the API
/// answers 200 with no items for an id that does not exist or was removed).
pub fn parse_video(body: &[u8]) -> Result<Option<Video>, Unreadable> {
    let value = json(body)?;
    let Some(item) = items(&value)?.first() else { return Ok(None) };
    let snippet = &item["snippet"];
    let text = |name: &str| snippet[name].as_str().unwrap_or_default().to_string();
    if !snippet.is_object() {
        return Err(Unreadable("the video has no `snippet`".into()));
    }
    Ok(Some(Video {
        title: text("title"),
        description: text("description"),
        channel_title: snippet["channelTitle"].as_str().map(str::to_string),
    }))
}

/// A `commentThreads` page: each thread's top-level comment (its original
/// text when the API gives it, else the displayed one) and like count.
pub fn parse_comment_page(body: &[u8]) -> Result<CommentPage, Unreadable> {
    let value = json(body)?;
    let mut comments = Vec::new();
    for thread in items(&value)? {
        let snippet = &thread["snippet"]["topLevelComment"]["snippet"];
        let text = ["textOriginal", "textDisplay"]
            .iter()
            .filter_map(|name| snippet[*name].as_str())
            .find(|t| !t.trim().is_empty());
        let Some(text) = text else { continue };
        let likes = snippet["likeCount"].as_u64().unwrap_or(0);
        comments.push(Comment { text: text.to_string(), likes });
    }
    let next_page_token = value["nextPageToken"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
    Ok(CommentPage { comments, next_page_token })
}

/// An error answer: `{"error": {"code": 403, "message": …, "errors": [{"reason": "quotaExceeded", …}]}}`.
/// A body that is not in that shape still gets a kind from its status.
pub fn parse_error(status: u16, body: &[u8]) -> ApiError {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = &value["error"];
    let reasons: Vec<&str> = error["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["reason"].as_str()).collect())
        .unwrap_or_default();
    let message = error["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string());
    let has = |names: &[&str]| reasons.iter().any(|r| names.contains(r));
    let kind = if has(&["quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"]) {
        ApiErrorKind::QuotaExceeded
    } else if has(&["rateLimitExceeded", "userRateLimitExceeded"]) || status == 429 {
        ApiErrorKind::RateLimited
    } else if has(&["commentsDisabled"]) {
        ApiErrorKind::CommentsDisabled
    } else if has(&["videoNotFound"]) || status == 404 {
        ApiErrorKind::VideoNotFound
    } else if has(&["keyInvalid", "keyExpired", "accessNotConfigured", "ipRefererBlocked", "forbidden"])
        || message.contains("API key")
        || status == 401
    {
        ApiErrorKind::KeyRejected
    } else if status >= 500 {
        ApiErrorKind::Unavailable
    } else {
        ApiErrorKind::Other
    };
    ApiError { status, reason: reasons.first().map(|r| r.to_string()), message, kind }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_carry_the_documented_parameters_encoded() {
        let url = comment_threads_url("https://x.test/youtube/v3/", "a b", "k&y", 100, Some("tok/en="));
        assert_eq!(
            url,
            "https://x.test/youtube/v3/commentThreads?part=snippet&videoId=a%20b&maxResults=100&order=relevance\
             &textFormat=plainText&key=k%26y&pageToken=tok%2Fen%3D"
        );
        assert_eq!(
            video_url(DEFAULT_API_URL, "dQw4w9WgXcQ", "K"),
            format!("{DEFAULT_API_URL}/videos?part=snippet&id=dQw4w9WgXcQ&key=K")
        );
    }

    #[test]
    fn a_video_is_read_from_its_snippet_and_no_items_is_no_video() {
        let body = json!({"items": [{"id": "v", "snippet": {"title": "제목", "description": "설명", "channelTitle": "채널"}}]});
        let video = parse_video(body.to_string().as_bytes()).unwrap().unwrap();
        assert_eq!((video.title.as_str(), video.description.as_str()), ("제목", "설명"));
        assert_eq!(parse_video(br#"{"kind": "youtube#videoListResponse", "items": []}"#).unwrap(), None);
        assert!(parse_video(b"<html>").is_err());
    }

    #[test]
    fn comment_pages_give_text_likes_and_the_next_token() {
        let body = json!({
            "nextPageToken": "NEXT",
            "items": [
                {"snippet": {"topLevelComment": {"snippet": {"textDisplay": "표시", "textOriginal": "원문", "likeCount": 12}}}},
                {"snippet": {"topLevelComment": {"snippet": {"textDisplay": "표시만"}}}},
                {"snippet": {"topLevelComment": {"snippet": {"textDisplay": "  "}}}}
            ]
        });
        let page = parse_comment_page(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            page.comments,
            [Comment { text: "원문".into(), likes: 12 }, Comment { text: "표시만".into(), likes: 0 }]
        );
        assert_eq!(page.next_page_token.as_deref(), Some("NEXT"));
        let last = parse_comment_page(br#"{"items": []}"#).unwrap();
        assert_eq!(last.next_page_token, None);
    }

    #[test]
    fn error_reasons_are_classified() {
        let body = |reason: &str, code: u16| {
            json!({"error": {"code": code, "message": "m", "errors": [{"reason": reason, "domain": "youtube.quota"}]}})
                .to_string()
        };
        assert_eq!(parse_error(403, body("quotaExceeded", 403).as_bytes()).kind, ApiErrorKind::QuotaExceeded);
        assert_eq!(parse_error(403, body("commentsDisabled", 403).as_bytes()).kind, ApiErrorKind::CommentsDisabled);
        assert_eq!(parse_error(404, body("videoNotFound", 404).as_bytes()).kind, ApiErrorKind::VideoNotFound);
        assert_eq!(parse_error(400, body("keyInvalid", 400).as_bytes()).kind, ApiErrorKind::KeyRejected);
        assert_eq!(parse_error(503, b"Service Unavailable").kind, ApiErrorKind::Unavailable);
        let quota = parse_error(403, body("quotaExceeded", 403).as_bytes());
        assert_eq!(quota.reason.as_deref(), Some("quotaExceeded"));
    }
}

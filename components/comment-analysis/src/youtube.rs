//! The video and its comments from the YouTube Data API v3, over the
//! host's outgoing HTTP, with the key from the component's configuration
//! ([`keys::API_KEY`]; spin.toml maps it to the operator's variable).
//!
//! Failures are the seed's: `ANALYSIS_VIDEO_NOT_FOUND` for a video that does
//! not exist (any more), `ANALYSIS_EXTERNAL_API_ERROR` for everything the
//! API or the network refuses; retryable only when waiting can help (rate
//! limits, outages, a dropped connection), never for a used-up daily quota.
//! Messages are in Korean and English and never contain the key.

use capsule_sdk::http::{Request, Response, codes as http_codes};
use capsule_sdk::{Config, Failure, Http, JobContext};
use comments_core::Comment;
use comments_core::youtube::{self, ApiError, ApiErrorKind, Video};

use crate::codes::{EXTERNAL_API_ERROR, VIDEO_NOT_FOUND};

/// The component's configuration keys.
pub mod keys {
    /// The API key; unset or blank means YouTube is not configured.
    pub const API_KEY: &str = "youtube_api_key";
    /// The API's root ([`comments_core::youtube::DEFAULT_API_URL`] when unset).
    pub const API_URL: &str = "youtube_api_url";
    /// The default `sampleSize`.
    pub const SAMPLE_SIZE: &str = "comment_sample_size";
}

/// Pages fetched at most, whatever the sample size: a video whose pages
/// come back nearly empty (spam filtered out) must not loop for long.
pub const MAX_PAGES: usize = 20;
/// Seconds to wait for the API to start answering.
const TIMEOUT_MS: u64 = 15_000;

/// What was fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub video: Video,
    pub comments: Vec<Comment>,
}

/// A configuration key's value, `None` when unset or blank.
pub fn variable(host: &mut impl Config, name: &str) -> Result<Option<String>, Failure> {
    Ok(host.variable(name)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()))
}

/// No key and no `comments`: nothing to analyse.
pub fn not_configured() -> Failure {
    Failure::new(
        EXTERNAL_API_ERROR,
        format!(
            "YouTube API가 설정되지 않아 댓글을 가져올 수 없습니다. 운영자가 `{key}`를 설정하거나(환경 변수 \
             CAPSULE_VARIABLE_YOUTUBE_API_KEY), 요청에 `comments`를 함께 보내 주세요. / YouTube is not configured: \
             set the component's `{key}` (CAPSULE_VARIABLE_YOUTUBE_API_KEY) or send the comments in `comments`.",
            key = keys::API_KEY
        ),
    )
}

fn send(host: &mut impl Http, url: String) -> Result<Response, Failure> {
    let request = Request { timeout_ms: TIMEOUT_MS, ..Request::get(url) }.header("Accept", "application/json");
    host.send(&request).map_err(|f| match f.code.as_str() {
        http_codes::HTTP_REQUEST_DENIED => Failure::new(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API 주소에 접속할 수 없도록 설정되어 있습니다(spin.toml의 allowed_outbound_hosts). / The YouTube \
                 API's host is not in this component's allowed_outbound_hosts in spin.toml ({}).",
                f.message
            ),
        ),
        _ => Failure::retryable(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요. / YouTube did not answer: {}",
                f.message
            ),
        ),
    })
}

/// The failure for an error answer.
pub fn failure(video_id: &str, error: &ApiError) -> Failure {
    let detail = format!(
        "HTTP {}{}: {}",
        error.status,
        error.reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default(),
        error.message
    );
    match error.kind {
        ApiErrorKind::QuotaExceeded => Failure::new(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API 일일 할당량(quota)을 모두 사용했습니다. 할당량이 초기화된 뒤(매일 태평양 시간 자정) 다시 시도하거나 \
                 `comments`로 댓글을 직접 보내 주세요. / The YouTube Data API quota is exceeded; try again after it resets \
                 (midnight Pacific Time) or send the comments in `comments` ({detail})."
            ),
        ),
        ApiErrorKind::RateLimited => Failure::retryable(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API 요청이 너무 많습니다. 잠시 후 다시 시도해 주세요. / YouTube is rate-limiting requests; try \
                 again shortly ({detail})."
            ),
        ),
        ApiErrorKind::CommentsDisabled => Failure::new(
            EXTERNAL_API_ERROR,
            format!(
                "이 영상은 댓글이 사용 중지되어 있어 분석할 수 없습니다. / Comments are disabled on video `{video_id}` \
                 ({detail})."
            ),
        ),
        ApiErrorKind::VideoNotFound => video_not_found(video_id),
        ApiErrorKind::KeyRejected => Failure::new(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API가 키를 거부했습니다. `{key}` 값과 키의 API 사용 설정을 확인해 주세요. / YouTube rejected the \
                 API key: check `{key}` and that the key may call the YouTube Data API v3 ({detail}).",
                key = keys::API_KEY
            ),
        ),
        ApiErrorKind::Unavailable => Failure::retryable(
            EXTERNAL_API_ERROR,
            format!(
                "YouTube API가 일시적으로 응답하지 않습니다. 잠시 후 다시 시도해 주세요. / YouTube is failing right now; \
                 try again later ({detail})."
            ),
        ),
        ApiErrorKind::Other => Failure::new(
            EXTERNAL_API_ERROR,
            format!("YouTube API가 요청을 거부했습니다. / YouTube refused the request ({detail})."),
        ),
    }
}

/// No such video, or no longer one.
pub fn video_not_found(video_id: &str) -> Failure {
    Failure::new(
        VIDEO_NOT_FOUND,
        format!(
            "영상을 찾을 수 없습니다. 삭제되었거나 비공개 영상일 수 있습니다. / No video `{video_id}` was found: it may have \
             been deleted or made private, or the id is wrong."
        ),
    )
}

fn unreadable(what: &str, why: impl std::fmt::Display) -> Failure {
    Failure::retryable(
        EXTERNAL_API_ERROR,
        format!("YouTube API의 응답을 읽을 수 없습니다. / YouTube's {what} answer is unreadable: {why}"),
    )
}

/// Fetch the video's snippet and up to `sample_size` top-level comments
/// (relevance order), reporting progress per page.
pub fn fetch(
    video_id: &str,
    sample_size: usize,
    host: &mut (impl Config + Http + JobContext),
) -> Result<Fetched, Failure> {
    let key = variable(host, keys::API_KEY)?.ok_or_else(not_configured)?;
    let base = variable(host, keys::API_URL)?.unwrap_or_else(|| youtube::DEFAULT_API_URL.to_string());

    host.progress(5, "fetching_video", "영상 정보를 가져오는 중...");
    let response = send(host, youtube::video_url(&base, video_id, &key))?;
    if !(200..300).contains(&response.status) {
        return Err(failure(video_id, &youtube::parse_error(response.status, &response.body)));
    }
    let video = youtube::parse_video(&response.body)
        .map_err(|e| unreadable("videos", e))?
        .ok_or_else(|| video_not_found(video_id))?;

    let mut comments: Vec<Comment> = Vec::new();
    let mut token: Option<String> = None;
    host.progress(20, "fetching_comments", &format!("댓글을 수집하는 중... (0/{sample_size})"));
    for _ in 0..MAX_PAGES {
        if comments.len() >= sample_size || host.cancelled() {
            break;
        }
        let url = youtube::comment_threads_url(&base, video_id, &key, youtube::MAX_PAGE_SIZE, token.as_deref());
        let response = send(host, url)?;
        if !(200..300).contains(&response.status) {
            return Err(failure(video_id, &youtube::parse_error(response.status, &response.body)));
        }
        let page = youtube::parse_comment_page(&response.body).map_err(|e| unreadable("commentThreads", e))?;
        comments.extend(page.comments.into_iter().map(|c| Comment { text: c.text, likes: c.likes }));
        comments.truncate(sample_size);
        let percent = 20 + (30 * comments.len() / sample_size.max(1)) as u8;
        host.progress(
            percent,
            "fetching_comments",
            &format!("댓글을 수집하는 중... ({}/{sample_size})", comments.len()),
        );
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(Fetched { video, comments })
}

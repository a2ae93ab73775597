//! 특허 and 뉴스: a search the component makes itself over outgoing HTTP,
//! through the provider the operator configures in the component's keys
//! (spin.toml's `[component.regeneration.variables]`):
//!
//! - patents: KIPRIS Plus's advanced search (`getAdvancedSearch`, XML),
//!   applications filed since 2020-01-01, newest first; keys
//!   [`keys::PATENT_KEY`] (the `ServiceKey`) and [`keys::PATENT_URL`];
//! - news: Naver's news search (`news.json`, JSON), newest first; keys
//!   [`keys::NEWS_ID`], [`keys::NEWS_SECRET`] and [`keys::NEWS_URL`].
//!
//! A provider without its credentials answers `SEARCH_NOT_CONFIGURED`; one
//! that refuses or garbles an answer, `SEARCH_UPSTREAM_FAILED` (retryable
//! when the provider is busy or down). Nothing is made up: no results is an
//! empty list.

use capsule_sdk::http::{Request, Response, codes as http_codes};
use capsule_sdk::{Config, Failure, Http};
use schemars::JsonSchema;
use serde::Serialize;

use crate::SEARCH_NOT_CONFIGURED;

/// The provider failed, refused the request or answered something unreadable.
pub const SEARCH_UPSTREAM_FAILED: &str = "SEARCH_UPSTREAM_FAILED";

/// The component's configuration keys.
pub mod keys {
    /// KIPRIS Plus's `ServiceKey`; without it 특허 is not configured.
    pub const PATENT_KEY: &str = "patent_search_key";
    /// The advanced-search endpoint ([`super::KIPRIS_URL`] when unset).
    pub const PATENT_URL: &str = "patent_search_url";
    /// Naver's client id and secret; without both 뉴스 is not configured.
    pub const NEWS_ID: &str = "news_client_id";
    pub const NEWS_SECRET: &str = "news_client_secret";
    /// The news-search endpoint ([`super::NAVER_NEWS_URL`] when unset).
    pub const NEWS_URL: &str = "news_search_url";
}

pub const KIPRIS_URL: &str = "http://plus.kipris.or.kr/kipo-api/kipi/patUtiModInfoSearchSevice/getAdvancedSearch";
pub const NAVER_NEWS_URL: &str = "https://openapi.naver.com/v1/search/news.json";

/// Results asked for, and shown.
pub const MAX_RESULTS: usize = 10;
/// The seed's "2020년 이후": the first application date kept.
pub const PATENTS_SINCE: &str = "20200101";
/// Characters of a summary kept in `contents` (`search.items` keeps it whole).
const SUMMARY_CHARS: usize = 300;

/// What 특허 and 뉴스 search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Patents,
    News,
}

/// The results, as structured data beside the text of `contents`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Found {
    /// `kipris-plus` or `naver-news`.
    pub provider: String,
    pub query: String,
    /// How many the provider has in all (the first [`MAX_RESULTS`] are listed).
    pub total: u64,
    pub items: Vec<Item>,
}

/// One patent or article.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Item {
    pub title: String,
    /// Application date (patents) or publication date (news), `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The applicant (patents) or the publisher's host (news).
    pub source: Option<String>,
    /// The application number (patents).
    pub number: Option<String>,
    /// The legal status, e.g. 등록, 공개, 거절 (patents).
    pub status: Option<String>,
    /// The article's address (news).
    pub url: Option<String>,
    /// The abstract (patents) or the article's lead (news).
    pub summary: String,
}

/// Search `subject` with the configured provider.
pub fn search(kind: SearchKind, subject: &str, host: &mut (impl Config + Http)) -> Result<Found, Failure> {
    match kind {
        SearchKind::Patents => patents(subject, host),
        SearchKind::News => news(subject, host),
    }
}

/// A configuration key's value, or `None` when unset or blank.
fn key(host: &mut impl Config, name: &str) -> Result<Option<String>, Failure> {
    Ok(host.variable(name)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()))
}

fn not_configured(classification: &str, provider: &str, missing: &str) -> Failure {
    Failure::new(
        SEARCH_NOT_CONFIGURED,
        format!(
            "`{classification}` searches {provider}, and this host has not configured it: the component's `{missing}` is \
             not set (spin.toml maps it to a variable the operator sets, e.g. CAPSULE_VARIABLE_<NAME>); use `자세히`, \
             `간결하게` or `윤문` meanwhile"
        ),
    )
}

/// Send `request`, mapping transport failures to the search's codes.
fn send(host: &mut impl Http, request: &Request, provider: &str) -> Result<Response, Failure> {
    host.send(request).map_err(|f| match f.code.as_str() {
        http_codes::HTTP_REQUEST_DENIED => Failure::new(
            SEARCH_NOT_CONFIGURED,
            format!(
                "{provider}'s address is not one spin.toml lets this component reach: add its host to \
                 `allowed_outbound_hosts` of [component.regeneration] ({})",
                f.message
            ),
        ),
        _ => Failure::retryable(SEARCH_UPSTREAM_FAILED, format!("{provider} did not answer: {}", f.message)),
    })
}

/// A provider's error status: busy or down is worth retrying, a refusal is not.
fn upstream_status(provider: &str, status: u16, detail: &str) -> Failure {
    let message = format!("{provider} answered HTTP {status}: {detail}");
    if status == 429 || status >= 500 {
        Failure::retryable(SEARCH_UPSTREAM_FAILED, message)
    } else {
        Failure::new(SEARCH_UPSTREAM_FAILED, message)
    }
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    query.finish()
}

fn with_query(url: &str, query: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{query}")
}

fn patents(subject: &str, host: &mut (impl Config + Http)) -> Result<Found, Failure> {
    const PROVIDER: &str = "KIPRIS Plus";
    let service_key = key(host, keys::PATENT_KEY)?.ok_or_else(|| not_configured("특허", PROVIDER, keys::PATENT_KEY))?;
    let url = key(host, keys::PATENT_URL)?.unwrap_or_else(|| KIPRIS_URL.to_string());
    let filed = format!("{PATENTS_SINCE}~{}", today());
    let rows = MAX_RESULTS.to_string();
    let query = query_string(&[
        ("word", subject),
        ("applicationDate", &filed),
        ("patent", "true"),
        ("utility", "true"),
        ("sortSpec", "AD"),
        ("descSort", "true"),
        ("numOfRows", &rows),
        ("pageNo", "1"),
        ("ServiceKey", &service_key),
    ]);
    let response = send(host, &Request::get(with_query(&url, &query)), PROVIDER)?;
    let text = String::from_utf8_lossy(&response.body);
    if !(200..300).contains(&response.status) {
        return Err(upstream_status(PROVIDER, response.status, &excerpt(&text)));
    }
    let (total, items) = parse_kipris(&text)?;
    Ok(Found { provider: "kipris-plus".into(), query: subject.to_string(), total, items })
}

/// KIPRIS Plus's `<response>`: `header` (`successYN`, `resultCode`,
/// `resultMsg`), `body/items/item*` and `totalCount`.
pub fn parse_kipris(xml: &str) -> Result<(u64, Vec<Item>), Failure> {
    let garbled =
        |why: String| Failure::new(SEARCH_UPSTREAM_FAILED, format!("KIPRIS Plus's answer is unreadable: {why}"));
    let doc = roxmltree::Document::parse(xml).map_err(|e| garbled(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "response" {
        return Err(garbled(format!("expected <response>, found <{}>", root.tag_name().name())));
    }
    let text_of = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let header = root.children().find(|c| c.has_tag_name("header"));
    if let Some(header) = header {
        let success = text_of(header, "successYN");
        let code = text_of(header, "resultCode").unwrap_or_default();
        if success.as_deref() == Some("N") || !matches!(code.as_str(), "" | "00" | "0") {
            let message = text_of(header, "resultMsg").unwrap_or_else(|| "no message".into());
            return Err(Failure::new(
                SEARCH_UPSTREAM_FAILED,
                format!("KIPRIS Plus refused the search (code {code}): {message}"),
            ));
        }
    }
    let total = root
        .descendants()
        .find(|n| n.has_tag_name("totalCount"))
        .and_then(|n| n.text())
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut items = Vec::new();
    for item in root.descendants().filter(|n| n.has_tag_name("item")) {
        let Some(title) = text_of(item, "inventionTitle") else { continue };
        let filed = text_of(item, "applicationDate");
        // The date filter is the provider's; a provider that ignores it must
        // still not hand back what the seed excludes.
        if filed.as_deref().is_some_and(|d| d < PATENTS_SINCE) {
            continue;
        }
        items.push(Item {
            title,
            date: filed.as_deref().and_then(compact_date),
            source: text_of(item, "applicantName"),
            number: text_of(item, "applicationNumber"),
            status: text_of(item, "registerStatus"),
            url: None,
            summary: text_of(item, "astrtCont").unwrap_or_default(),
        });
        if items.len() == MAX_RESULTS {
            break;
        }
    }
    Ok((total.max(items.len() as u64), items))
}

fn news(subject: &str, host: &mut (impl Config + Http)) -> Result<Found, Failure> {
    const PROVIDER: &str = "the news search API";
    let id = key(host, keys::NEWS_ID)?.ok_or_else(|| not_configured("뉴스", PROVIDER, keys::NEWS_ID))?;
    let secret = key(host, keys::NEWS_SECRET)?.ok_or_else(|| not_configured("뉴스", PROVIDER, keys::NEWS_SECRET))?;
    let url = key(host, keys::NEWS_URL)?.unwrap_or_else(|| NAVER_NEWS_URL.to_string());
    let display = MAX_RESULTS.to_string();
    let query = query_string(&[("query", subject), ("display", &display), ("start", "1"), ("sort", "date")]);
    let request = Request::get(with_query(&url, &query))
        .header("X-Naver-Client-Id", &id)
        .header("X-Naver-Client-Secret", &secret)
        .header("Accept", "application/json");
    let response = send(host, &request, PROVIDER)?;
    let text = String::from_utf8_lossy(&response.body);
    if !(200..300).contains(&response.status) {
        // Naver's errors are `{"errorMessage": …, "errorCode": …}`.
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                let message = v["errorMessage"].as_str()?.to_string();
                Some(match v["errorCode"].as_str() {
                    Some(code) => format!("{message} ({code})"),
                    None => message,
                })
            })
            .unwrap_or_else(|| excerpt(&text));
        return Err(upstream_status(PROVIDER, response.status, &detail));
    }
    let (total, items) = parse_news(&text)?;
    Ok(Found { provider: "naver-news".into(), query: subject.to_string(), total, items })
}

/// Naver's news search answer: `total` and `items[]` of `title`,
/// `originallink`, `link`, `description` (both with `<b>` marks and HTML
/// entities) and `pubDate` (RFC 2822).
pub fn parse_news(json: &str) -> Result<(u64, Vec<Item>), Failure> {
    let garbled =
        |why: String| Failure::new(SEARCH_UPSTREAM_FAILED, format!("the news search's answer is unreadable: {why}"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| garbled(e.to_string()))?;
    let list = value["items"].as_array().ok_or_else(|| garbled("it has no `items` list".into()))?;
    let mut items = Vec::new();
    for entry in list.iter().take(MAX_RESULTS) {
        let title = plain_text(entry["title"].as_str().unwrap_or_default());
        if title.is_empty() {
            continue;
        }
        let url = [&entry["originallink"], &entry["link"]]
            .into_iter()
            .filter_map(|v| v.as_str())
            .find(|s| !s.trim().is_empty())
            .map(str::to_string);
        items.push(Item {
            title,
            date: entry["pubDate"].as_str().and_then(rfc2822_date),
            source: url.as_deref().and_then(host_of),
            number: None,
            status: None,
            url,
            summary: plain_text(entry["description"].as_str().unwrap_or_default()),
        });
    }
    let total = value["total"].as_u64().unwrap_or(items.len() as u64);
    Ok((total.max(items.len() as u64), items))
}

/// `contents`: the results as Korean text, one numbered entry each.
pub fn render(kind: SearchKind, found: &Found) -> String {
    let subject = &found.query;
    let mut out = match (kind, found.items.len()) {
        (SearchKind::Patents, 0) => return format!("'{subject}' 관련 특허(2020년 이후 출원)를 찾지 못했습니다."),
        (SearchKind::News, 0) => return format!("'{subject}' 관련 뉴스를 찾지 못했습니다."),
        (SearchKind::Patents, n) => {
            format!("'{subject}' 관련 특허 {n}건 (2020년 이후 출원, 전체 {}건 중 최근 출원순)\n", found.total)
        }
        (SearchKind::News, n) => format!("'{subject}' 관련 최신 뉴스 {n}건 (전체 {}건 중 최신순)\n", found.total),
    };
    for (i, item) in found.items.iter().enumerate() {
        out.push_str(&format!("\n{}. {}\n", i + 1, item.title));
        let facts: Vec<String> = match kind {
            SearchKind::Patents => [
                item.source.as_ref().map(|s| format!("출원인: {s}")),
                item.number.as_ref().map(|s| format!("출원번호: {s}")),
                item.date.as_ref().map(|s| format!("출원일: {s}")),
                item.status.as_ref().map(|s| format!("상태: {s}")),
            ]
            .into_iter()
            .flatten()
            .collect(),
            SearchKind::News => [item.date.clone(), item.source.clone()].into_iter().flatten().collect(),
        };
        if !facts.is_empty() {
            out.push_str(&format!("   {}\n", facts.join(" | ")));
        }
        if !item.summary.is_empty() {
            let label = if kind == SearchKind::Patents { "요약: " } else { "" };
            out.push_str(&format!("   {label}{}\n", shortened(&item.summary, SUMMARY_CHARS)));
        }
        if let Some(url) = &item.url {
            out.push_str(&format!("   {url}\n"));
        }
    }
    out.trim_end().to_string()
}

fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(chars).collect();
    format!("{}…", cut.trim_end())
}

fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() { "an empty body".into() } else { shortened(&flat, 200) }
}

/// Text without HTML tags, with the entities Naver uses decoded.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| entity(&after[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let code = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"));
            let number = match code {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
            };
            number.and_then(char::from_u32)
        }
    }
}

/// `20200115` → `2020-01-15`.
fn compact_date(date: &str) -> Option<String> {
    let d = date.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
}

/// `Mon, 26 Sep 2016 07:50:00 +0900` → `2016-09-26` (the date as written, in its own zone).
fn rfc2822_date(date: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let rest = date.split_once(',').map_or(date, |(_, r)| r);
    let mut parts = rest.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? + 1;
    let year: u32 = parts.next()?.parse().ok()?;
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.split(':').next()?.trim_start_matches("www.");
    (!host.is_empty()).then(|| host.to_string())
}

/// Today's date in UTC as `YYYYMMDD`, the end of the patents' filing range.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}{m:02}{d:02}")
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(18_262), (2020, 1, 1));
        assert_eq!(civil_from_days(20_787), (2026, 11, 30));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn naver_marks_and_entities_become_plain_text() {
        assert_eq!(plain_text("<b>AI</b> 헬스케어 &quot;원격&quot; &amp; 진료&#39;s"), "AI 헬스케어 \"원격\" & 진료's");
        assert_eq!(plain_text("R&D 투자"), "R&D 투자");
    }

    #[test]
    fn dates_are_written_the_same_way_for_both_providers() {
        assert_eq!(compact_date("20210315").as_deref(), Some("2021-03-15"));
        assert_eq!(rfc2822_date("Mon, 26 Sep 2016 07:50:00 +0900").as_deref(), Some("2016-09-26"));
        assert_eq!(rfc2822_date("garbage"), None);
    }

    #[test]
    fn a_publishers_host_is_named_without_www() {
        assert_eq!(host_of("https://www.etnews.com/2024?x=1").as_deref(), Some("etnews.com"));
        assert_eq!(host_of("http://news.kbs.co.kr:8080/a").as_deref(), Some("news.kbs.co.kr"));
    }
}

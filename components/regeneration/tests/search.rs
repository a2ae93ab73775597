//! 특허 and 뉴스 through a fake host that holds the component's
//! configuration keys and answers its HTTP requests with what KIPRIS Plus
//! and Naver's news search answer (`tests/data/`), recording each request.

use std::collections::{BTreeMap, VecDeque};

use capsule_sdk::http::{Request, Response, codes as http_codes};
use capsule_sdk::{Config, Failure, Http, JobContext, Llm};
use regeneration::search::{KIPRIS_URL, SEARCH_UPSTREAM_FAILED};
use regeneration::{Classification, Input, Method, MethodChoice, regenerate};

const KIPRIS_ANSWER: &str = include_str!("data/kipris-advanced-search.xml");
const NEWS_ANSWER: &str = include_str!("data/naver-news.json");

#[derive(Default)]
struct FakeHost {
    keys: BTreeMap<String, String>,
    answers: VecDeque<Result<Response, Failure>>,
    sent: Vec<Request>,
}

impl FakeHost {
    fn configured(keys: &[(&str, &str)]) -> Self {
        FakeHost { keys: keys.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..Default::default() }
    }

    fn answering(mut self, status: u16, body: &str) -> Self {
        self.answers.push_back(Ok(Response { status, headers: vec![], body: body.as_bytes().to_vec() }));
        self
    }

    fn failing(mut self, failure: Failure) -> Self {
        self.answers.push_back(Err(failure));
        self
    }

    /// The query parameters of the one request sent.
    fn query(&self) -> BTreeMap<String, String> {
        assert_eq!(self.sent.len(), 1, "one request");
        let url = &self.sent[0].url;
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        form_urlencoded::parse(query.as_bytes()).into_owned().collect()
    }
}

impl Config for FakeHost {
    fn variable(&mut self, key: &str) -> Result<Option<String>, Failure> {
        Ok(self.keys.get(key).cloned())
    }
}

impl Http for FakeHost {
    fn send(&mut self, request: &Request) -> Result<Response, Failure> {
        self.sent.push(request.clone());
        self.answers.pop_front().expect("a scripted answer")
    }
}

impl Llm for FakeHost {}
impl JobContext for FakeHost {}

fn input(classification: Classification, subject: &str) -> Input {
    Input { classification, contents: None, subject: Some(subject.into()), method: MethodChoice::Auto }
}

fn patents_host() -> FakeHost {
    FakeHost::configured(&[("patent_search_key", "k3y/+=")])
}

fn news_host() -> FakeHost {
    FakeHost::configured(&[("news_client_id", "client-id"), ("news_client_secret", "client-secret")])
}

#[test]
fn patents_ask_kipris_for_applications_since_2020_newest_first_with_the_service_key() {
    let mut host = patents_host().answering(200, KIPRIS_ANSWER);
    regenerate(&input(Classification::Patents, " AI 헬스케어 "), &mut host).expect("searched");
    assert!(host.sent[0].url.starts_with(KIPRIS_URL), "{}", host.sent[0].url);
    let query = host.query();
    assert_eq!(query["word"], "AI 헬스케어");
    assert_eq!(query["ServiceKey"], "k3y/+=");
    assert!(query["applicationDate"].starts_with("20200101~20"), "{}", query["applicationDate"]);
    assert_eq!((query["sortSpec"].as_str(), query["descSort"].as_str()), ("AD", "true"));
}

#[test]
fn patents_filed_before_2020_are_left_out_even_when_the_provider_returns_them() {
    let mut host = patents_host().answering(200, KIPRIS_ANSWER);
    let output = regenerate(&input(Classification::Patents, "AI 헬스케어"), &mut host).expect("searched");
    let found = output.search.expect("results as data");
    let numbers: Vec<_> = found.items.iter().map(|i| i.number.clone().unwrap()).collect();
    assert_eq!(numbers, ["1020230045678", "1020200098765"]);
    assert_eq!(found.total, 137);
    assert_eq!(found.items[0].date.as_deref(), Some("2023-04-07"));
    assert_eq!(found.items[0].source.as_deref(), Some("주식회사 헬스에이아이"));
    assert_eq!(output.method, Method::Search);
    assert_eq!(output.length_ratio, None);
}

#[test]
fn patent_contents_list_each_patent_with_its_applicant_number_date_and_abstract() {
    let mut host = patents_host().answering(200, KIPRIS_ANSWER);
    let output = regenerate(&input(Classification::Patents, "AI 헬스케어"), &mut host).expect("searched");
    let text = &output.contents;
    assert!(text.starts_with("'AI 헬스케어' 관련 특허 2건 (2020년 이후 출원, 전체 137건 중"), "{text}");
    assert!(text.contains("1. 인공지능 기반 원격 건강 상태 모니터링 시스템 및 방법"), "{text}");
    assert!(
        text.contains("출원인: 메디비전 주식회사 | 출원번호: 1020200098765 | 출원일: 2020-08-03 | 상태: 등록"),
        "{text}"
    );
    assert!(text.contains("요약: 본 발명은 웨어러블 센서로"), "{text}");
    assert!(!text.contains("원격 진료용 문진"), "{text}");
}

#[test]
fn a_kipris_refusal_fails_upstream_with_its_message() {
    let refusal = "<response><header><successYN>N</successYN><resultCode>30</resultCode>\
                   <resultMsg>SERVICE KEY IS NOT REGISTERED ERROR.</resultMsg></header></response>";
    let mut host = patents_host().answering(200, refusal);
    let failure = regenerate(&input(Classification::Patents, "AI"), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (SEARCH_UPSTREAM_FAILED, false));
    assert!(failure.message.contains("SERVICE KEY IS NOT REGISTERED"), "{failure}");
}

#[test]
fn a_busy_provider_fails_upstream_retryably() {
    for status in [429, 503] {
        let mut host = patents_host().answering(status, "busy");
        let failure = regenerate(&input(Classification::Patents, "AI"), &mut host).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), (SEARCH_UPSTREAM_FAILED, true), "{status}");
    }
}

#[test]
fn an_answer_that_is_not_xml_fails_upstream() {
    let mut host = patents_host().answering(200, "<html><body>maintenance");
    let failure = regenerate(&input(Classification::Patents, "AI"), &mut host).unwrap_err();
    assert_eq!(failure.code, SEARCH_UPSTREAM_FAILED);
    assert!(failure.message.contains("unreadable"), "{failure}");
}

#[test]
fn a_provider_host_spin_toml_does_not_grant_is_not_configured() {
    let denied = Failure::new(http_codes::HTTP_REQUEST_DENIED, "not granted");
    let mut host = patents_host().failing(denied);
    let failure = regenerate(&input(Classification::Patents, "AI"), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("SEARCH_NOT_CONFIGURED", false));
    assert!(failure.message.contains("allowed_outbound_hosts"), "{failure}");
}

#[test]
fn an_unreachable_provider_fails_upstream_retryably() {
    let unreachable = Failure::retryable(http_codes::HTTP_REQUEST_FAILED, "connection refused");
    let mut host = news_host().failing(unreachable);
    let failure = regenerate(&input(Classification::News, "AI"), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (SEARCH_UPSTREAM_FAILED, true));
}

#[test]
fn news_ask_for_the_newest_articles_with_the_client_credentials_in_headers() {
    let mut host = news_host().answering(200, NEWS_ANSWER);
    regenerate(&input(Classification::News, "AI 헬스케어"), &mut host).expect("searched");
    let query = host.query();
    assert_eq!((query["query"].as_str(), query["sort"].as_str()), ("AI 헬스케어", "date"));
    let headers = &host.sent[0].headers;
    assert!(headers.contains(&("X-Naver-Client-Id".into(), "client-id".into())), "{headers:?}");
    assert!(headers.contains(&("X-Naver-Client-Secret".into(), "client-secret".into())), "{headers:?}");
    assert!(!host.sent[0].url.contains("client-secret"), "credentials stay out of the URL");
}

#[test]
fn news_items_are_plain_text_with_their_date_publisher_and_address() {
    let mut host = news_host().answering(200, NEWS_ANSWER);
    let output = regenerate(&input(Classification::News, "AI 헬스케어"), &mut host).expect("searched");
    let found = output.search.expect("results as data");
    assert_eq!(found.total, 48213);
    let first = &found.items[0];
    assert_eq!(first.title, "\"AI 헬스케어\" 시장, 3년 새 두 배로 커졌다");
    assert_eq!(first.date.as_deref(), Some("2026-11-30"));
    assert_eq!(first.source.as_deref(), Some("etnews.com"));
    assert!(first.summary.contains("원격 모니터링 & 진단"), "{}", first.summary);
    // Without an original link, Naver's own page is the address.
    assert_eq!(found.items[1].url.as_deref(), Some("https://n.news.naver.com/mnews/article/001/0014567890"));
    assert!(
        output.contents.starts_with("'AI 헬스케어' 관련 최신 뉴스 2건 (전체 48213건 중 최신순)"),
        "{}",
        output.contents
    );
}

#[test]
fn refused_news_credentials_fail_upstream_naming_the_providers_error() {
    let refusal = r#"{"errorMessage":"Authentication failed. (인증에 실패했습니다.)","errorCode":"024"}"#;
    let mut host = news_host().answering(401, refusal);
    let failure = regenerate(&input(Classification::News, "AI"), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (SEARCH_UPSTREAM_FAILED, false));
    assert!(failure.message.contains("401") && failure.message.contains("(024)"), "{failure}");
}

#[test]
fn no_results_is_a_success_that_says_so() {
    let empty = r#"{"lastBuildDate":"","total":0,"start":1,"display":0,"items":[]}"#;
    let mut host = news_host().answering(200, empty);
    let output = regenerate(&input(Classification::News, "존재하지않는주제"), &mut host).expect("searched");
    assert_eq!(output.contents, "'존재하지않는주제' 관련 뉴스를 찾지 못했습니다.");
    assert!(output.search.expect("data").items.is_empty());
}

#[test]
fn a_configured_endpoint_replaces_the_providers_default_address() {
    let mut host = FakeHost::configured(&[
        ("news_client_id", "i"),
        ("news_client_secret", "s"),
        ("news_search_url", "http://127.0.0.1:9/v1/search/news.json"),
    ])
    .answering(200, NEWS_ANSWER);
    regenerate(&input(Classification::News, "AI"), &mut host).expect("searched");
    assert!(host.sent[0].url.starts_with("http://127.0.0.1:9/v1/search/news.json?query=AI"), "{}", host.sent[0].url);
}

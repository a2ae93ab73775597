use std::collections::{HashMap, VecDeque};
use std::time::{Duration, UNIX_EPOCH};

use capsule_sdk::http::{Request, Response, codes as http_codes};
use capsule_sdk::language::{ChatRequest, Completion, EmbedRole, Embedded, codes as llm_codes};
use capsule_sdk::{Config, Embeddings, Failure, Http, JobContext, Llm};
use serde_json::{Value, json};

use super::*;

/// The host as a test sets it up: configuration keys, YouTube's answers by
/// resource and page token, a model's answers, an embeddings engine.
#[derive(Default)]
struct Fake {
    variables: HashMap<String, String>,
    /// `videos` → its answer.
    video: Option<(u16, Value)>,
    /// Page token (`""` for the first page) → the `commentThreads` answer.
    pages: HashMap<String, (u16, Value)>,
    requests: Vec<Request>,
    llm: bool,
    answers: VecDeque<Result<String, Failure>>,
    chats: Vec<ChatRequest>,
    embeddings: bool,
    progress: Vec<(u8, String, String)>,
}

impl Fake {
    fn configured() -> Self {
        let mut fake = Fake::default();
        fake.variables.insert("youtube_api_key".into(), "SECRET-KEY".into());
        fake.variables.insert("youtube_api_url".into(), "https://yt.test/youtube/v3".into());
        fake
    }

    fn with_video(mut self, title: &str) -> Self {
        self.video = Some((200, json!({"items": [{"id": "vid", "snippet": {"title": title, "description": "설명"}}]})));
        self
    }

    fn page(mut self, token: &str, texts: &[&str], next: Option<&str>) -> Self {
        let items: Vec<Value> = texts
            .iter()
            .map(|t| json!({"snippet": {"topLevelComment": {"snippet": {"textDisplay": t, "textOriginal": t, "likeCount": 1}}}}))
            .collect();
        let mut body = json!({"items": items});
        if let Some(next) = next {
            body["nextPageToken"] = json!(next);
        }
        self.pages.insert(token.into(), (200, body));
        self
    }

    fn model(mut self, answers: Vec<Result<String, Failure>>) -> Self {
        self.llm = true;
        self.answers = answers.into();
        self
    }
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_string))
}

impl Http for Fake {
    fn send(&mut self, request: &Request) -> Result<Response, Failure> {
        self.requests.push(request.clone());
        let answer = if request.url.contains("/videos?") {
            self.video.clone()
        } else if request.url.contains("/commentThreads?") {
            let token = query_value(&request.url, "pageToken").unwrap_or_default();
            self.pages.get(&token).cloned()
        } else {
            None
        };
        let (status, body) = answer.ok_or_else(|| Failure::retryable(http_codes::HTTP_REQUEST_FAILED, "no route"))?;
        Ok(Response { status, headers: vec![], body: body.to_string().into_bytes() })
    }
}

impl Config for Fake {
    fn variable(&mut self, key: &str) -> Result<Option<String>, Failure> {
        Ok(self.variables.get(key).cloned())
    }
}

impl JobContext for Fake {
    fn progress(&mut self, percent: u8, step: &str, message: &str) {
        self.progress.push((percent, step.into(), message.into()));
    }
}

impl Llm for Fake {
    fn llm_available(&mut self, model: &str) -> bool {
        self.llm && model == MODEL
    }
    fn chat(&mut self, request: &ChatRequest) -> Result<Completion, Failure> {
        self.chats.push(request.clone());
        let text = self.answers.pop_front().unwrap_or_else(|| Ok(String::new()))?;
        Ok(Completion {
            text,
            truncated: false,
            model: "gemini-2.0-flash".into(),
            prompt_tokens: 10,
            completion_tokens: 10,
        })
    }
}

/// Character bigrams hashed into 64 dimensions: comments sharing words point
/// the same way, which is all clustering needs to be tested.
fn bigram_vector(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; 64];
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    for w in chars.windows(2) {
        v[((w[0] as u32).wrapping_mul(31).wrapping_add(w[1] as u32) % 64) as usize] += 1.0;
    }
    v
}

impl Embeddings for Fake {
    fn embed(&mut self, texts: &[&str], _role: EmbedRole) -> Result<Embedded, Failure> {
        if !self.embeddings {
            return Err(Failure::new(llm_codes::EMBEDDINGS_UNAVAILABLE, "no embeddings here"));
        }
        Ok(Embedded {
            vectors: texts.iter().map(|t| bigram_vector(t)).collect(),
            model: "bigram-test".into(),
            dimension: 64,
        })
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn input(value: Value) -> Input {
    serde_json::from_value(value).expect("a valid input")
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_771_761_608) // 2026-02-22T12:00:08Z
}

const COMMENTS: [&str; 12] = [
    "가족에게 상처 주는 말 정말 반성하게 되네요",
    "뇌과학으로 설명해주니까 이해가 쏙쏙 돼요",
    "감정 조절이 제일 어려워요",
    "감정 조절 방법 더 알려주세요",
    "해결책이 조금 추상적이라 아쉬워요",
    "가족이랑 같이 봤어요 최고예요",
    "부모님께 보내드렸어요",
    "가족 관계가 좋아질 것 같아요",
    "뇌과학 시리즈 계속 해주세요",
    "영상이 너무 길어서 지루했어요",
    "This explains so much about my family",
    "감정 조절 연습해볼게요",
];

fn valid_answer() -> String {
    json!({
        "summary": {
            "majorReactions": "가족 관계를 돌아보는 반응이 많습니다.",
            "positivePoints": "뇌과학 설명이 이해를 돕는다는 평가가 있습니다.",
            "weakPoints": "해결책이 추상적이라는 의견이 있습니다."
        },
        "contentIdeas": [{"title": "감정 조절 실전편", "description": "댓글의 요청대로 구체적인 대화 예시를 다룹니다."}],
        "recommendedKeywords": ["가족관계", "뇌과학", "감정조절"]
    })
    .to_string()
}

#[test]
fn the_example_passes_and_matches_the_schemas() {
    capsule_sdk::testing::check_examples::<CommentAnalysis>();
}

#[test]
fn paging_collects_comments_across_pages_up_to_the_sample_size() {
    let page1: Vec<String> = (0..100).map(|i| format!("첫 페이지 댓글 {i}번 가족 이야기")).collect();
    let page2: Vec<String> = (0..100).map(|i| format!("둘째 페이지 댓글 {i}번 뇌과학 이야기")).collect();
    let mut host = Fake::configured()
        .with_video("가족과 뇌과학")
        .page("", &refs(&page1), Some("P2"))
        .page("P2", &refs(&page2), Some("P3"))
        .page("P3", &["셋째 페이지"], None);
    let out = analyze(&input(json!({"videoId": "vid", "sampleSize": 150})), &mut host, now()).unwrap();
    assert_eq!(out.meta.comment_sample_count, 150);
    let threads: Vec<&Request> = host.requests.iter().filter(|r| r.url.contains("commentThreads")).collect();
    assert_eq!(threads.len(), 2, "the third page is never asked for");
    assert_eq!(query_value(&threads[1].url, "pageToken").as_deref(), Some("P2"));
    for expected in ["part=snippet", "videoId=vid", "maxResults=100", "order=relevance", "textFormat=plainText"] {
        assert!(threads[0].url.contains(expected), "{}", threads[0].url);
    }
    assert!(threads[0].url.starts_with("https://yt.test/youtube/v3/commentThreads?"));
    assert!(
        host.progress.iter().any(|(_, step, message)| step == "fetching_comments" && message.contains("(150/150)"))
    );
    assert_eq!(out.meta.analysis_basis, [Basis::Title, Basis::Description, Basis::Comments]);
}

#[test]
fn a_quota_error_fails_external_api_error_mentioning_quota() {
    let mut host = Fake::configured();
    host.video = Some((
        403,
        json!({"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}}),
    ));
    let failure = analyze(&input(json!({"videoId": "vid"})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::EXTERNAL_API_ERROR);
    assert!(!failure.retryable, "a used-up daily quota does not come back on a retry");
    assert!(failure.message.contains("quota") && failure.message.contains("할당량"), "{}", failure.message);
    assert!(!failure.message.contains("SECRET-KEY"), "the key never shows");
}

#[test]
fn empty_items_from_videos_fail_video_not_found() {
    let mut host = Fake::configured();
    host.video = Some((200, json!({"kind": "youtube#videoListResponse", "items": []})));
    let failure = analyze(&input(json!({"videoId": "gone"})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::VIDEO_NOT_FOUND);
    assert_eq!(host.requests.len(), 1, "no comments are asked for a video that is not there");
}

#[test]
fn a_404_video_not_found_from_comment_threads_fails_video_not_found() {
    let mut host = Fake::configured().with_video("제목");
    host.pages.insert(
        String::new(),
        (404, json!({"error": {"code": 404, "message": "not found", "errors": [{"reason": "videoNotFound"}]}})),
    );
    let failure = analyze(&input(json!({"videoId": "vid"})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::VIDEO_NOT_FOUND);
}

#[test]
fn comments_disabled_fails_external_api_error() {
    let mut host = Fake::configured().with_video("제목");
    host.pages.insert(
        String::new(),
        (403, json!({"error": {"code": 403, "message": "disabled", "errors": [{"reason": "commentsDisabled"}]}})),
    );
    let failure = analyze(&input(json!({"videoId": "vid"})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::EXTERNAL_API_ERROR);
    assert!(
        failure.message.contains("댓글이 사용 중지") && failure.message.contains("disabled"),
        "{}",
        failure.message
    );
}

#[test]
fn an_unreachable_youtube_is_a_retryable_external_api_error() {
    let mut host = Fake::configured(); // no routes: every request fails to connect
    let failure = analyze(&input(json!({"videoId": "vid"})), &mut host, now()).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::EXTERNAL_API_ERROR, true));
}

#[test]
fn supplied_comments_make_no_http_call() {
    let mut host = Fake::configured();
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let out = analyze(&input(json!({"videoId": "internal-7", "comments": comments})), &mut host, now()).unwrap();
    assert!(host.requests.is_empty());
    assert_eq!(out.meta.comment_sample_count, COMMENTS.len() as u32);
    assert_eq!(out.meta.analysis_basis, [Basis::Comments], "only what was really used");
}

#[test]
fn without_a_key_and_without_comments_the_failure_names_youtube_api_key() {
    let mut host = Fake::default();
    let failure = analyze(&input(json!({"videoId": "vid"})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::EXTERNAL_API_ERROR);
    assert!(failure.message.contains("youtube_api_key") && failure.message.contains("comments"), "{}", failure.message);
    assert!(failure.message.contains("설정") && failure.message.contains("not configured"), "Korean and English");
    let mut blank = Fake::default();
    blank.variables.insert("youtube_api_key".into(), "  ".into());
    assert_eq!(
        analyze(&input(json!({"videoId": "vid"})), &mut blank, now()).unwrap_err().code,
        codes::EXTERNAL_API_ERROR
    );
}

#[test]
fn the_statistical_result_has_at_most_8_keywords_empty_content_ideas_and_the_warning() {
    let mut host = Fake::default();
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let out = analyze(
        &input(json!({"videoId": "v", "title": "가족에게 상처 주는 말, 뇌과학으로 보면", "comments": comments})),
        &mut host,
        now(),
    )
    .unwrap();
    assert_eq!(out.meta.method, Method::Statistical);
    assert_eq!(out.meta.model, "statistical");
    assert!(!out.recommended_keywords.is_empty() && out.recommended_keywords.len() <= 8);
    assert!(out.content_ideas.is_empty());
    assert!(
        out.meta.warnings.iter().any(|w| w.contains("contentIdeas") && w.contains("`default`")),
        "{:?}",
        out.meta.warnings
    );
    assert!(
        out.meta.warnings.iter().any(|w| w.contains("공통 키워드")),
        "no embeddings: say reactions were grouped by keywords"
    );
    assert!(out.summary.major_reactions.starts_with("댓글 12개 중"), "{}", out.summary.major_reactions);
    assert!(out.summary.weak_points.contains('%'), "{}", out.summary.weak_points);
    assert_eq!(out.meta.language_summary, ["ko", "en"]);
    assert_eq!(out.meta.schema_version, SCHEMA_VERSION);
    assert!(!out.meta.cache_hit);
    let steps: Vec<&str> = host.progress.iter().map(|(_, s, _)| s.as_str()).collect();
    assert!(
        steps.contains(&"extracting_keywords")
            && steps.contains(&"clustering_reactions")
            && steps.contains(&"writing_summary")
    );
}

#[test]
fn with_embeddings_reactions_are_clustered_and_the_embedding_model_is_named() {
    let mut host = Fake { embeddings: true, ..Fake::default() };
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let out = analyze(&input(json!({"videoId": "v", "comments": comments})), &mut host, now()).unwrap();
    assert_eq!(out.meta.model, "statistical/bigram-test");
    assert!(!out.meta.warnings.iter().any(|w| w.contains("공통 키워드")), "{:?}", out.meta.warnings);
}

#[test]
fn an_llm_answer_failing_the_schema_twice_fails_output_invalid() {
    let broken = json!({"summary": {"majorReactions": "", "positivePoints": "x", "weakPoints": "y"}}).to_string();
    let mut host = Fake::default().model(vec![Ok("not json".into()), Ok(broken)]);
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let failure = analyze(&input(json!({"videoId": "v", "comments": comments})), &mut host, now()).unwrap_err();
    assert_eq!(failure.code, codes::OUTPUT_INVALID);
    assert_eq!(failure.message, "AI 분석 결과 형식 검증에 실패했습니다. 다시 시도해 주세요.");
    assert_eq!(host.chats.len(), 2);
    assert!(host.chats[1].messages[1].content.contains("형식 검증에 실패"), "the second request says what was wrong");
}

#[test]
fn a_valid_llm_answer_becomes_the_result_with_the_completions_model() {
    let mut host = Fake::default().model(vec![Ok(format!("```json\n{}\n```", valid_answer()))]);
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let out = analyze(&input(json!({"videoId": "v", "comments": comments, "analysisVersion": "v2"})), &mut host, now())
        .unwrap();
    assert_eq!(out.meta.method, Method::Llm);
    assert_eq!(out.meta.model, "gemini-2.0-flash");
    assert_eq!(out.meta.analysis_version, "v2");
    assert_eq!(out.content_ideas.len(), 1);
    assert_eq!(out.recommended_keywords, ["가족관계", "뇌과학", "감정조절"]);
    assert!(out.meta.warnings.is_empty(), "{:?}", out.meta.warnings);
    let request = &host.chats[0];
    assert_eq!(request.model, MODEL);
    assert!(request.stream && request.json_schema.is_some());
    assert!(request.messages[1].content.contains("가족에게 상처 주는 말"), "the comments are in the prompt");
}

#[test]
fn an_invalid_first_answer_is_asked_again_and_a_valid_second_one_is_used() {
    let mut host = Fake::default()
        .model(vec![Err(Failure::new(llm_codes::LLM_OUTPUT_INVALID, "did not match the schema")), Ok(valid_answer())]);
    let out = analyze(&input(json!({"videoId": "v", "comments": ["좋아요", "최고"]})), &mut host, now()).unwrap();
    assert_eq!(out.meta.method, Method::Llm);
    assert_eq!(host.chats.len(), 2);
}

#[test]
fn a_model_whose_context_is_too_small_gets_fewer_comments() {
    let mut host = Fake::default()
        .model(vec![Err(Failure::new(llm_codes::LLM_CONTEXT_TOO_LONG, "2048 tokens")), Ok(valid_answer())]);
    let comments: Vec<String> = (0..200).map(|i| format!("댓글 {i}번 {}", "가족 이야기 ".repeat(10))).collect();
    let out = analyze(&input(json!({"videoId": "v", "comments": comments})), &mut host, now()).unwrap();
    assert_eq!(out.meta.method, Method::Llm);
    assert!(host.chats[1].messages[1].content.len() < host.chats[0].messages[1].content.len());
}

#[test]
fn a_failing_model_provider_is_an_external_api_error_that_keeps_its_retryability() {
    let mut host =
        Fake::default().model(vec![Err(Failure::retryable(llm_codes::LLM_UPSTREAM_FAILED, "provider answered 502"))]);
    let failure = analyze(&input(json!({"videoId": "v", "comments": ["좋아요"]})), &mut host, now()).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), (codes::EXTERNAL_API_ERROR, true));
}

#[test]
fn method_statistical_never_asks_the_model() {
    let mut host = Fake::default().model(vec![Ok(valid_answer())]);
    let out =
        analyze(&input(json!({"videoId": "v", "method": "statistical", "comments": ["좋아요"]})), &mut host, now())
            .unwrap();
    assert_eq!(out.meta.method, Method::Statistical);
    assert!(host.chats.is_empty());
}

#[test]
fn a_blank_video_id_is_an_invalid_request() {
    let failure =
        analyze(&input(json!({"videoId": "   ", "comments": ["좋아요"]})), &mut Fake::default(), now()).unwrap_err();
    assert_eq!(failure.code, codes::INVALID_REQUEST);
    assert!(failure.message.contains("videoId가 필요합니다"));
    let empty = capsule_sdk::testing::run::<CommentAnalysis>(json!({"videoId": "", "comments": []}));
    assert!(empty.is_err());
}

#[test]
fn nothing_to_analyse_is_an_invalid_request() {
    let failure = analyze(&input(json!({"videoId": "v", "comments": []})), &mut Fake::default(), now()).unwrap_err();
    assert_eq!(failure.code, codes::INVALID_REQUEST);
}

#[test]
fn the_sample_size_comes_from_the_request_then_the_setting_then_300() {
    let comments: Vec<String> = (0..50).map(|i| format!("댓글 {i}")).collect();
    let mut host = Fake::default();
    host.variables.insert("comment_sample_size".into(), "20".into());
    let out = analyze(&input(json!({"videoId": "v", "comments": comments})), &mut host, now()).unwrap();
    assert_eq!(out.meta.comment_sample_count, 20);
    assert!(out.meta.warnings.iter().any(|w| w.contains("sampleSize")));
    let out =
        analyze(&input(json!({"videoId": "v", "comments": comments, "sampleSize": 30})), &mut host, now()).unwrap();
    assert_eq!(out.meta.comment_sample_count, 30);
    host.variables.insert("comment_sample_size".into(), "lots".into());
    let out = analyze(&input(json!({"videoId": "v", "comments": comments})), &mut host, now()).unwrap();
    assert_eq!(out.meta.comment_sample_count, 50);
    assert!(out.meta.warnings.iter().any(|w| w.contains("comment_sample_size")));
}

#[test]
fn comments_may_carry_likes() {
    let out = analyze(
        &input(json!({"videoId": "v", "comments": [{"text": "가족 최고", "likeCount": 40}, "가족 좋아요"]})),
        &mut Fake::default(),
        now(),
    )
    .unwrap();
    assert_eq!(out.meta.comment_sample_count, 2);
}

#[test]
fn analyzed_at_is_rfc3339_utc() {
    assert_eq!(rfc3339(now()), "2026-02-22T12:00:08Z");
    assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
}

#[test]
fn english_summaries_are_written_when_asked() {
    let comments: Vec<Value> = COMMENTS.iter().map(|c| json!(c)).collect();
    let out =
        analyze(&input(json!({"videoId": "v", "comments": comments, "language": "en"})), &mut Fake::default(), now())
            .unwrap();
    assert!(out.summary.major_reactions.starts_with("Of 12 comments"), "{}", out.summary.major_reactions);
}

#[test]
fn the_output_is_exactly_analysis_result_v1() {
    let out = capsule_sdk::testing::run::<CommentAnalysis>(
        json!({"videoId": "v", "comments": ["가족 최고", "뇌과학 좋아요"]}),
    )
    .unwrap();
    let keys = |v: &Value| {
        let mut k = v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        k.sort();
        k
    };
    assert_eq!(keys(&out), ["contentIdeas", "meta", "recommendedKeywords", "summary"]);
    assert_eq!(keys(&out["summary"]), ["majorReactions", "positivePoints", "weakPoints"]);
    assert_eq!(
        keys(&out["meta"]),
        [
            "analysisBasis",
            "analysisVersion",
            "analyzedAt",
            "cacheHit",
            "commentSampleCount",
            "languageSummary",
            "method",
            "model",
            "schemaVersion",
            "warnings"
        ]
    );
}

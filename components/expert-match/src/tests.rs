use capsule_sdk::language::{EmbedRole, Embedded, codes};
use capsule_sdk::{Capsule, Embeddings, Failure, JobContext};
use serde_json::{Value, json};

use super::*;

/// A Korean plan whose three best keywords are 디지털헬스케어, AI and 데이터분석
/// (`expert-match-core`'s tests/plan.rs checks the extraction itself).
const PLAN: &str = "AI 기반 디지털 헬스케어 플랫폼 사업계획서
본 사업은 인공지능(AI)을 활용하여 만성질환자의 의료 데이터를 분석하고 맞춤형 건강관리 서비스를 제공하는 디지털 헬스케어 솔루션이다. \
병원과 보건소의 진료 기록, 웨어러블 기기에서 수집한 생체 신호를 통합하여 AI 모델이 합병증 위험을 예측한다. \
데이터 분석 결과는 의료진의 진단을 돕고, 환자에게는 모바일 앱으로 생활습관 개선 방안을 안내한다. \
국내 디지털 헬스케어 시장은 연평균 15% 성장하고 있으며, 당사는 의료 데이터 분석 특허 2건과 병원 3곳과의 실증 협약을 확보하였다. \
향후 원격의료 규제 완화에 맞춰 데이터 분석 기반 원격 모니터링으로 사업을 확장할 계획이다.";

const DIM: usize = 1024;

/// Texts the fake knows, as weights on concept axes (0 health, 1 AI,
/// 2 data analysis, 3–5 unrelated). Synonyms share an axis, so they score
/// 1.0; the others score the cosine their weights give (의료 ~ health 0.8).
const KNOWN: &[(&str, &[(usize, f32)])] = &[
    ("디지털헬스케어", &[(0, 1.0)]),
    ("헬스케어", &[(0, 1.0)]),
    ("디지털 헬스케어", &[(0, 1.0)]),
    ("의료", &[(0, 0.8), (3, 0.6)]),
    ("AI", &[(1, 1.0)]),
    ("인공지능", &[(1, 1.0)]),
    ("AI 연구소 선임연구원", &[(1, 0.9), (4, 0.435_89)]),
    ("데이터분석", &[(2, 1.0)]),
    ("데이터 분석", &[(2, 1.0)]),
    ("통계", &[(2, 0.6), (5, 0.8)]),
];

/// A deterministic stand-in for e5: known texts get their table vector,
/// any other text a unit vector on an axis of its own (by FNV-1a hash).
fn vector(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; DIM];
    if let Some((_, weights)) = KNOWN.iter().find(|(t, _)| *t == text) {
        for (axis, w) in weights.iter() {
            v[*axis] = *w;
        }
    } else {
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        v[16 + (hash % (DIM as u64 - 16)) as usize] = 1.0;
    }
    v
}

#[derive(Default)]
struct Fake {
    /// Every embedding call: its texts and role.
    calls: Vec<(Vec<String>, EmbedRole)>,
    /// Progress steps reported, in order.
    steps: Vec<String>,
    /// Fail every embedding call with this.
    failure: Option<Failure>,
}

impl JobContext for Fake {
    fn progress(&mut self, _percent: u8, step: &str, _message: &str) {
        if self.steps.last().is_none_or(|s| s != step) {
            self.steps.push(step.to_string());
        }
    }
}

impl Embeddings for Fake {
    fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
        self.calls.push((texts.iter().map(|t| t.to_string()).collect(), role));
        if let Some(f) = &self.failure {
            return Err(f.clone());
        }
        Ok(Embedded {
            vectors: texts.iter().map(|t| vector(t)).collect(),
            model: "fake-embedder".into(),
            dimension: DIM as u32,
        })
    }
}

fn expert(name: &str, field: &[&str], career: &[&str]) -> Value {
    json!({"id": 1, "name": name, "career": career, "field": field, "career_file_name": format!("{name}.pdf"), "is_visible": true})
}

/// 김: all three keywords exactly; 이: all three, less closely (0.8, 0.9,
/// 0.6); 박: two exactly; 최: none.
fn experts() -> Vec<Value> {
    vec![
        expert("박", &["헬스케어", "인공지능"], &[]),
        expert("최", &["물류"], &["물류센터 운영"]),
        expert("이", &["의료"], &["AI 연구소 선임연구원", "통계"]),
        expert("김", &["헬스케어", "인공지능", "데이터 분석"], &["헬스케어 스타트업 CTO"]),
    ]
}

fn request(extra: Value) -> MatchRequest {
    let mut body = json!({"business_report": PLAN, "num_keywords": 3, "experts": experts()});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    serde_json::from_value(body).unwrap()
}

fn names(out: &MatchResponse) -> Vec<&str> {
    out.final_ranking.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn the_examples_pass_without_an_engine() {
    capsule_sdk::testing::check_examples::<ExpertMatch>();
}

#[test]
fn keywords_of_the_report_are_extracted_up_to_num_keywords() {
    let out = match_experts(&request(json!({})), &mut Fake::default()).unwrap();
    assert_eq!(out.keywords, ["디지털헬스케어", "AI", "데이터분석"]);
    let out = match_experts(&request(json!({"num_keywords": 7})), &mut Fake::default()).unwrap();
    assert_eq!(out.keywords.len(), 7);
    assert_eq!(out.keywords[..3], ["디지털헬스케어", "AI", "데이터분석"]);
}

#[test]
fn experts_are_ranked_by_match_count_then_mean_similarity() {
    let mut host = Fake::default();
    let out = match_experts(&request(json!({})), &mut host).unwrap();
    assert_eq!(out.matching_method, MatchingMethod::SemanticCount);
    assert_eq!(out.embedding_model.as_deref(), Some("fake-embedder"));
    // 이 matches three keywords less closely than 박 matches two: the count comes first.
    assert_eq!(names(&out), ["김", "이", "박"]);
    let counts: Vec<(usize, f64)> = out.final_ranking.iter().map(|e| (e.match_count, e.mean_similarity)).collect();
    assert_eq!(counts, [(3, 1.0), (3, 0.7667), (2, 1.0)]);
    assert_eq!(out.final_ranking.iter().map(|e| e.rank).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(out.total_experts_evaluated, 4);
    // Equal counts: the higher mean first (at 0.7, 이 keeps 0.8 and 0.9: mean 0.85 < 1.0).
    let out = match_experts(&request(json!({"similarity_threshold": 0.7})), &mut Fake::default()).unwrap();
    assert_eq!(names(&out), ["김", "박", "이"]);
    assert_eq!(out.final_ranking[2].mean_similarity, 0.85);
}

#[test]
fn each_match_lists_its_keyword_and_the_item_it_matched() {
    let out = match_experts(&request(json!({})), &mut Fake::default()).unwrap();
    let lee = &out.final_ranking[1];
    let pairs: Vec<(&str, &str, f64)> =
        lee.matches.iter().map(|m| (m.keyword.as_str(), m.matched_item.as_str(), m.similarity)).collect();
    assert_eq!(
        pairs,
        [("디지털헬스케어", "의료", 0.8), ("AI", "AI 연구소 선임연구원", 0.9), ("데이터분석", "통계", 0.6)]
    );
    assert_eq!(lee.career, ["AI 연구소 선임연구원", "통계"]);
    assert_eq!(lee.field, ["의료"]);
    assert_eq!(lee.career_file_name.as_deref(), Some("이.pdf"));
    // Each keyword counts once, even when several of the expert's items match it.
    let kim = &out.final_ranking[0];
    assert_eq!(kim.matches.iter().filter(|m| m.keyword == "디지털헬스케어").count(), 1);
    assert_eq!(kim.matches[0].matched_item, "헬스케어", "the field entry, not the career entry that ties");
}

#[test]
fn the_threshold_decides_which_keywords_match() {
    let out = match_experts(&request(json!({"similarity_threshold": 0.85})), &mut Fake::default()).unwrap();
    assert_eq!(out.similarity_threshold, 0.85);
    assert_eq!(names(&out), ["김", "박", "이"]);
    let lee = &out.final_ranking[2];
    assert_eq!(lee.match_count, 1);
    assert_eq!(lee.matches[0].keyword, "AI");
    assert!(out.final_ranking.iter().flat_map(|e| &e.matches).all(|m| m.similarity >= 0.85));
    // A threshold of 1.0 keeps exact synonyms only; none above it.
    let out = match_experts(&request(json!({"similarity_threshold": 1.0})), &mut Fake::default()).unwrap();
    assert_eq!(names(&out), ["김", "박"]);
}

#[test]
fn top_k_keeps_the_best_experts_only() {
    let out = match_experts(&request(json!({"top_k": 2})), &mut Fake::default()).unwrap();
    assert_eq!(names(&out), ["김", "이"]);
    assert_eq!(out.total_experts_evaluated, 4, "top_k limits the ranking, not the evaluation");
    let out = match_experts(&request(json!({"top_k": 1})), &mut Fake::default()).unwrap();
    assert_eq!(names(&out), ["김"]);
}

#[test]
fn experts_with_no_match_are_dropped() {
    let out = match_experts(&request(json!({})), &mut Fake::default()).unwrap();
    assert!(!names(&out).contains(&"최"));
}

#[test]
fn invisible_experts_are_not_evaluated_nor_embedded() {
    let mut list = experts();
    list.push(
        json!({"name": "숨김", "career": ["비공개 경력"], "field": ["헬스케어", "비공개 분야"], "is_visible": false}),
    );
    let mut host = Fake::default();
    let req = request(json!({"experts": list}));
    let out = match_experts(&req, &mut host).unwrap();
    assert_eq!(out.total_experts_evaluated, 4);
    assert!(!names(&out).contains(&"숨김"));
    let sent: Vec<&String> = host.calls.iter().flat_map(|(texts, _)| texts).collect();
    assert!(!sent.iter().any(|t| t.starts_with("비공개")), "{sent:?}");
    // Nobody visible: nothing to rank, nobody evaluated.
    let hidden_only = request(json!({"experts": [list.last().unwrap()]}));
    let out = match_experts(&hidden_only, &mut Fake::default()).unwrap();
    assert_eq!((out.total_experts_evaluated, out.final_ranking.len()), (0, 0));
}

#[test]
fn keywords_and_items_are_embedded_once_each_as_queries_in_batches() {
    let mut list = experts();
    list.extend((0..300).map(|i| expert(&format!("전문가{i}"), &[&format!("분야 {i}")], &["헬스케어"])));
    let mut host = Fake::default();
    match_experts(&request(json!({"experts": list})), &mut host).unwrap();
    let sizes: Vec<usize> = host.calls.iter().map(|(texts, _)| texts.len()).collect();
    // 3 keywords + 9 distinct items of the four experts + 300 new fields (헬스케어 is not sent twice).
    assert_eq!(sizes, [128, 128, 56]);
    assert!(host.calls.iter().all(|(_, role)| *role == EmbedRole::Query));
    assert_eq!(host.calls[0].0[..3], ["디지털헬스케어", "AI", "데이터분석"]);
    let all: Vec<&String> = host.calls.iter().flat_map(|(texts, _)| texts).collect();
    assert_eq!(all.iter().filter(|t| t.as_str() == "헬스케어").count(), 1);
}

#[test]
fn progress_names_keywords_embedding_and_ranking() {
    let mut host = Fake::default();
    match_experts(&request(json!({})), &mut host).unwrap();
    assert_eq!(host.steps, ["keywords", "embedding", "ranking", "done"]);
}

#[test]
fn without_an_engine_the_lexical_method_runs_and_says_so() {
    // No fake: natively the SDK's host lends no engine (EMBEDDINGS_UNAVAILABLE).
    let out = match_experts(&request(json!({})), &mut Capsule).unwrap();
    assert_eq!(out.matching_method, MatchingMethod::LexicalCount);
    assert_eq!(out.embedding_model, None);
    assert_eq!(out.keywords, ["디지털헬스케어", "AI", "데이터분석"]);
    // Spelling only: 헬스케어 is 2/3 of 디지털헬스케어's bigrams, 데이터 분석 is 데이터분석, 인공지능 is not AI.
    assert_eq!(names(&out), ["김", "박"]);
    let kim: Vec<(&str, &str, f64)> = out.final_ranking[0]
        .matches
        .iter()
        .map(|m| (m.keyword.as_str(), m.matched_item.as_str(), m.similarity))
        .collect();
    assert_eq!(kim, [("디지털헬스케어", "헬스케어", 0.6667), ("데이터분석", "데이터 분석", 1.0)]);
    assert_eq!(out.final_ranking[0].mean_similarity, 0.8334);
}

#[test]
fn lexical_count_asked_for_never_calls_the_engine() {
    let mut host = Fake::default();
    let out = match_experts(&request(json!({"method": "lexical_count"})), &mut host).unwrap();
    assert_eq!(out.matching_method, MatchingMethod::LexicalCount);
    assert!(host.calls.is_empty());
}

#[test]
fn semantic_count_asked_for_fails_without_an_engine() {
    let f = match_experts(&request(json!({"method": "semantic_count"})), &mut Capsule).unwrap_err();
    assert_eq!(f.code, codes::EMBEDDINGS_UNAVAILABLE);
}

#[test]
fn other_engine_failures_fail_the_job_with_their_code() {
    let mut host =
        Fake { failure: Some(Failure::retryable("EMBEDDINGS_FAILED", "the model crashed")), ..Default::default() };
    let f = match_experts(&request(json!({})), &mut host).unwrap_err();
    assert_eq!((f.code.as_str(), f.retryable), ("EMBEDDINGS_FAILED", true));
}

#[test]
fn the_same_request_gives_the_same_output_every_time() {
    let first = serde_json::to_string(&match_experts(&request(json!({})), &mut Fake::default()).unwrap()).unwrap();
    let lexical = serde_json::to_string(&match_experts(&request(json!({})), &mut Capsule).unwrap()).unwrap();
    for _ in 0..3 {
        let again = serde_json::to_string(&match_experts(&request(json!({})), &mut Fake::default()).unwrap()).unwrap();
        assert_eq!(again, first);
        assert_eq!(serde_json::to_string(&match_experts(&request(json!({})), &mut Capsule).unwrap()).unwrap(), lexical);
    }
}

#[test]
fn a_blank_report_is_an_invalid_request() {
    let f = match_experts(&request(json!({"business_report": "  \n\t "})), &mut Fake::default()).unwrap_err();
    assert_eq!(f.code, INVALID_REQUEST);
    assert!(f.message.contains("business_report"), "{}", f.message);
    let f = match_experts(&request(json!({"business_report": "2025 — 100% !!"})), &mut Fake::default()).unwrap_err();
    assert_eq!(f.code, INVALID_REQUEST);
    assert!(f.message.contains("no keyword"), "{}", f.message);
}

#[test]
fn values_out_of_range_are_invalid_requests() {
    for extra in [
        json!({"num_keywords": 0}),
        json!({"num_keywords": 11}),
        json!({"top_k": 0}),
        json!({"top_k": 51}),
        json!({"similarity_threshold": 1.5}),
        json!({"similarity_threshold": -0.1}),
        json!({"business_report": "가".repeat(100_001)}),
    ] {
        let f = match_experts(&request(extra.clone()), &mut Fake::default()).unwrap_err();
        assert_eq!(f.code, INVALID_REQUEST, "{extra}");
    }
}

#[test]
fn through_the_sdk_defaults_apply_and_the_output_has_the_seeds_keys() {
    let out = capsule_sdk::testing::run::<ExpertMatch>(json!({
        "business_report": PLAN,
        "experts": [{"id": 7, "name": "김", "career": ["헬스케어 스타트업 CTO"], "field": ["헬스케어"],
                     "career_file_name": null, "is_visible": true}]
    }))
    .unwrap();
    assert_eq!(out["keywords"].as_array().unwrap().len(), 10);
    assert_eq!(out["similarity_threshold"], 0.5);
    assert_eq!(out["matching_method"], "lexical_count");
    assert_eq!(out["embedding_model"], Value::Null);
    let first = &out["final_ranking"][0];
    for key in ["순위", "이름", "경력", "분야", "경력파일명", "매칭_개수", "매칭_상세", "평균_유사도"]
    {
        assert!(first.get(key).is_some(), "{key} missing from {first}");
    }
    assert_eq!(first["경력파일명"], Value::Null);
    assert_eq!(
        first["매칭_상세"][0],
        json!({"keyword": "디지털헬스케어", "matched_item": "헬스케어", "similarity": 0.6667})
    );
    let typo =
        capsule_sdk::testing::run::<ExpertMatch>(json!({"business_report": PLAN, "experts": [], "threshold": 0.3}));
    assert_eq!(typo.unwrap_err().code, INVALID_REQUEST);
}

#[test]
fn an_e5_cosine_is_rescaled_so_the_seeds_threshold_keeps_its_meaning() {
    // Measured e5 cosines: `AI`–`인공지능` 0.907 (related), `AI`–`웹툰 제작` 0.798 (not).
    assert!((crate::calibrated(0.907, true) - 0.535).abs() < 1e-9);
    assert_eq!(crate::calibrated(0.798, true), 0.0);
    assert_eq!(crate::calibrated(1.0, true), 1.0);
    assert_eq!(crate::calibrated(0.42, false), 0.42, "other models' cosines are kept");
}

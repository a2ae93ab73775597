//! Behaviour tests of the crate as a whole, over a fake embedder.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::*;

/// A deterministic stand-in for multilingual-e5-small, for tests only: it
/// knows nothing of meaning, only of shared character bigrams.
///
/// Each text becomes a bag of its lower-cased alphanumeric character bigrams,
/// hashed (FNV-1a) into [`DIM`] buckets and normalised to `u`; the vector is
/// `[√A·u, √(1−A)]`, so the cosine of two texts is `(1 − A) + A·cos(u₁, u₂)`.
/// With `A = 0.2` texts sharing no bigram sit at 0.80 — where e5 puts
/// off-topic sentences — and overlapping ones above, so the default
/// [`Calibration::E5_SMALL`] applies unchanged.
struct BigramEmbedder {
    calls: Vec<(usize, bool)>,
}

const DIM: usize = 512;
const A: f32 = 0.2;

impl BigramEmbedder {
    fn new() -> Self {
        BigramEmbedder { calls: Vec::new() }
    }

    fn vector(text: &str) -> Vec<f32> {
        let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        let mut bag = vec![0f32; DIM];
        for pair in chars.windows(2) {
            let mut hash: u32 = 0x811c_9dc5;
            for c in pair {
                for byte in (*c as u32).to_le_bytes() {
                    hash ^= u32::from(byte);
                    hash = hash.wrapping_mul(0x0100_0193);
                }
            }
            bag[hash as usize % DIM] += 1.0;
        }
        let norm = bag.iter().map(|x| x * x).sum::<f32>().sqrt();
        let mut v: Vec<f32> = bag.iter().map(|x| if norm > 0.0 { A.sqrt() * x / norm } else { 0.0 }).collect();
        v.push((1.0 - A).sqrt());
        v
    }
}

impl Embed for BigramEmbedder {
    fn embed(&mut self, texts: &[&str], is_query: bool) -> Result<Vec<Vec<f32>>, String> {
        self.calls.push((texts.len(), is_query));
        Ok(texts.iter().map(|t| Self::vector(t)).collect())
    }
}

fn score(plan: &str, criteria: &Criteria) -> Diagnosis {
    score_plan(plan, criteria, &mut BigramEmbedder::new()).expect("scores")
}

fn item_score(diagnosis: &Diagnosis, id: u32) -> &ItemScore {
    diagnosis.categories.iter().flat_map(|c| &c.items).find(|i| i.id == id).expect("item present")
}

/// The seed's §2.1 request body, verbatim.
const SEED_REQUEST: &str = r#"{
  "input": [
    {
      "contents": "AI 기반 헬스케어 솔루션 사업계획서 내용..."
    }
  ],
  "evaluation": [
    {
      "id": 1,
      "카테고리": "기술성",
      "평가항목": [
        {
          "id": 1,
          "내용": "핵심 기술의 독창성 및 차별성"
        }
      ]
    }
  ]
}"#;

const STRONG_TECH_PLAN: &str = "특허 2건 출원 완료, TRL 6 단계 시제품 검증";
const VAGUE_TECH_PLAN: &str = "우리 기술은 매우 우수합니다";

#[test]
fn default_criteria_have_five_categories_of_six_items_with_unique_ids_and_rubrics() {
    let criteria = default_criteria();
    let names: Vec<&str> = criteria.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["기술성", "사업성", "공공성·정책 부합성", "성과·기대효과", "추진체계 및 역량"]);
    assert_eq!(criteria.categories.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(criteria.categories.iter().all(|c| c.items.len() == 6));
    assert_eq!(criteria.item_count(), 30);

    let items: Vec<&Item> = criteria.categories.iter().flat_map(|c| &c.items).collect();
    let ids: BTreeSet<u32> = items.iter().map(|i| i.id).collect();
    assert_eq!(ids, (1..=30).collect());
    let titles: BTreeSet<&str> = items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles.len(), 30);
    for item in &items {
        assert!(item.rubric.chars().count() > 20, "item {} has a real rubric", item.id);
        assert!(!item.evidence.is_empty(), "item {} counts some evidence", item.id);
        assert!(
            item.evidence.is_sorted() && item.supporting.is_sorted(),
            "item {} lists kinds in table order",
            item.id
        );
        assert!(
            item.supporting.iter().all(|k| !item.evidence.contains(k)),
            "item {} supports with other kinds",
            item.id
        );
    }
    // The seed's own first two items, verbatim.
    assert_eq!((items[0].id, items[0].title.as_str()), (1, "핵심 기술의 독창성 및 차별성"));
    assert_eq!((items[1].id, items[1].title.as_str()), (2, "기술 성숙도(TRL) 및 적용 가능성"));
}

#[test]
fn default_criteria_serialise_to_the_seed_criteria_shape() {
    let value = serde_json::to_value(default_criteria()).unwrap();
    let top: BTreeSet<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, BTreeSet::from(["total_categories", "total_items", "criteria"]));
    assert_eq!(value["total_categories"], 5);
    assert_eq!(value["total_items"], 30);
    let first = &value["criteria"][0];
    assert_eq!(
        first.as_object().unwrap().keys().collect::<BTreeSet<_>>(),
        BTreeSet::from([&"id".into(), &"카테고리".into(), &"평가항목".into()])
    );
    assert_eq!(first["id"], 1);
    assert_eq!(first["카테고리"], "기술성");
    assert_eq!(first["평가항목"][0], json!({"id": 1, "내용": "핵심 기술의 독창성 및 차별성"}));
    assert_eq!(first["평가항목"][1], json!({"id": 2, "내용": "기술 성숙도(TRL) 및 적용 가능성"}));
    // And it reads back as the response type.
    let back: CriteriaResponse = serde_json::from_value(value).unwrap();
    assert_eq!(back.criteria.len(), 5);
}

#[test]
fn custom_evaluation_in_the_seed_request_shape_replaces_the_defaults() {
    let request: DiagnosisRequest = serde_json::from_str(SEED_REQUEST).unwrap();
    let criteria = request.criteria();
    assert_eq!(criteria.item_count(), 1);
    let item = &criteria.categories[0].items[0];
    assert_eq!((item.id, item.title.as_str()), (1, "핵심 기술의 독창성 및 차별성"));
    assert_eq!(item.rubric, item.title, "an item without a rubric is its own rubric");

    let diagnosis = score(&request.plan_text(), &criteria);
    assert_eq!(diagnosis.categories.len(), 1);
    assert_eq!(diagnosis.categories[0].name, "기술성");
    assert_eq!(diagnosis.categories[0].items.len(), 1);
    assert_eq!(f64::from(diagnosis.categories[0].items[0].score), diagnosis.score_average);
}

#[test]
fn request_without_evaluation_uses_the_defaults() {
    for body in [r#"{"input": [{"contents": "x"}]}"#, r#"{"input": [{"contents": "x"}], "evaluation": []}"#] {
        let request: DiagnosisRequest = serde_json::from_str(body).unwrap();
        assert_eq!(request.criteria(), default_criteria());
    }
}

#[test]
fn custom_item_takes_its_own_rubric_and_evidence_kinds() {
    let request: DiagnosisRequest = serde_json::from_value(json!({
        "input": [{"contents": "시장"}],
        "evaluation": [{"id": 7, "카테고리": "시장성", "평가항목": [
            {"id": 1, "내용": "시장성", "평가기준": "시장 규모와 성장률을 수치로 제시한다.", "증빙유형": ["money", "market"]},
            {"id": 2, "내용": "목표 시장 규모 및 성장성"},
            {"id": 3, "내용": "창의성"}
        ]}]
    }))
    .unwrap();
    let items = &request.criteria().categories[0].items;
    assert_eq!(items[0].rubric, "시장 규모와 성장률을 수치로 제시한다.");
    assert_eq!(items[0].evidence, [EvidenceKind::Money, EvidenceKind::Market]);
    assert_eq!(items[0].supporting, [EvidenceKind::Quantity, EvidenceKind::Schedule, EvidenceKind::Metric]);
    // Same title as a default item: that item's evidence kinds.
    let default = &default_criteria().categories[1].items[0];
    assert_eq!((&items[1].evidence, &items[1].supporting), (&default.evidence, &default.supporting));
    // Nothing to go on: numbers and metrics.
    assert_eq!(items[2].evidence, [EvidenceKind::Quantity, EvidenceKind::Metric]);
}

#[test]
fn same_input_twice_gives_identical_output() {
    let plan = "AI 기반 헬스케어 솔루션을 개발한다. 국내 시장 규모는 6조원이며 연평균 12% 성장한다.\n\
                - 대표는 의료영상 박사, CTO는 경력 8년\n- 2025년 3분기 파일럿, 병원 2곳과 MOU 체결";
    let criteria = default_criteria();
    let first = serde_json::to_string(&score(plan, &criteria)).unwrap();
    let second = serde_json::to_string(&score(plan, &criteria)).unwrap();
    assert_eq!(first, second);
}

#[test]
fn stated_evidence_scores_higher_than_vague_claims_on_the_matching_item() {
    let criteria = default_criteria();
    let strong = score(STRONG_TECH_PLAN, &criteria);
    let vague = score(VAGUE_TECH_PLAN, &criteria);
    // Item 2: 기술 성숙도(TRL) 및 적용 가능성.
    let (strong_item, vague_item) = (item_score(&strong, 2), item_score(&vague, 2));
    assert!(strong_item.score > vague_item.score, "{} > {}", strong_item.score, vague_item.score);
    assert_eq!(strong_item.evidence[0].sentence, STRONG_TECH_PLAN);
    assert_eq!(strong_item.evidence[0].kinds, [EvidenceKind::Schedule, EvidenceKind::Trl]);
}

#[test]
fn supporting_kinds_count_only_next_to_the_items_own_kinds() {
    // Item 17 (환경·탄소중립 및 ESG 기여) counts policy; numbers only next to it.
    let diagnosis = score("모델 정확도 95% 달성.\n탄소 배출을 연 500톤 저감한다.", &default_criteria());
    let kinds: Vec<(&str, &[EvidenceKind])> =
        item_score(&diagnosis, 17).evidence.iter().map(|e| (e.sentence.as_str(), e.kinds.as_slice())).collect();
    assert!(kinds.iter().any(|(sentence, _)| sentence.starts_with("탄소")), "{kinds:?}");
    for (sentence, kinds) in kinds {
        match sentence {
            "탄소 배출을 연 500톤 저감한다." => {
                assert_eq!(kinds, [EvidenceKind::Quantity, EvidenceKind::Policy])
            }
            _ => assert!(kinds.is_empty(), "{sentence}: {kinds:?}"),
        }
    }
}

#[test]
fn plans_not_in_korean_use_the_lower_calibration() {
    assert_eq!(Calibration::for_plan("국내 시장 규모는 6,000억 원, CAGR 18%"), Calibration::E5_SMALL);
    assert_eq!(Calibration::for_plan("The market is worth $450M."), Calibration::E5_SMALL_OTHER);
}

#[test]
fn relevance_is_zero_at_the_floor_one_at_the_ceiling_and_rises_between() {
    let c = Calibration::E5_SMALL;
    assert_eq!(c.relevance(0.5), 0.0);
    assert_eq!(c.relevance(c.floor), 0.0);
    assert_eq!(c.relevance(c.ceil), 1.0);
    assert_eq!(c.relevance(0.99), 1.0);
    let steps: Vec<f64> = (0..=10).map(|i| c.relevance(c.floor + (c.ceil - c.floor) * f64::from(i) / 10.0)).collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn unrelated_plan_scores_low_everywhere() {
    let diagnosis = score("점심 식사는 구내 식당에서 제공된다.", &default_criteria());
    for item in diagnosis.categories.iter().flat_map(|c| &c.items) {
        assert!(item.score <= 20, "item {} scored {}", item.id, item.score);
    }
}

#[test]
fn empty_plan_is_an_error() {
    let criteria = default_criteria();
    for plan in ["", "   \n\t  "] {
        assert_eq!(score_plan(plan, &criteria, &mut BigramEmbedder::new()), Err(ScoreError::EmptyPlan));
    }
}

#[test]
fn criteria_without_items_are_an_error() {
    let criteria = Criteria { categories: vec![] };
    assert_eq!(score_plan("충분히 긴 문장입니다.", &criteria, &mut BigramEmbedder::new()), Err(ScoreError::NoCriteria));
}

#[test]
fn embedder_is_called_once_for_passages_and_once_for_rubrics() {
    let mut embedder = BigramEmbedder::new();
    score_plan("첫 번째 문장입니다. 두 번째 문장입니다.", &default_criteria(), &mut embedder).unwrap();
    assert_eq!(embedder.calls, [(2, false), (30, true)]);
}

#[test]
fn embedder_errors_and_bad_vectors_are_reported() {
    let criteria = default_criteria();
    let mut failing = |_: &[&str], _: bool| -> Result<Vec<Vec<f32>>, String> { Err("engine down".into()) };
    assert_eq!(
        score_plan("충분히 긴 문장입니다.", &criteria, &mut failing),
        Err(ScoreError::Embed("engine down".into()))
    );
    let mut short = |_: &[&str], _: bool| -> Result<Vec<Vec<f32>>, String> { Ok(vec![]) };
    assert!(matches!(score_plan("충분히 긴 문장입니다.", &criteria, &mut short), Err(ScoreError::BadVectors(_))));
}

#[test]
fn diagnosis_serialises_to_the_seed_response_shape_with_evidence_and_method() {
    let value = serde_json::to_value(score(STRONG_TECH_PLAN, &default_criteria())).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(keys(&value), set(&["categories", "score_average", "method"]));
    assert_eq!(value["method"], "rubric-embedding");
    let category = &value["categories"][0];
    assert_eq!(keys(category), set(&["id", "name", "items"]));
    assert_eq!((category["id"].clone(), category["name"].clone()), (json!(1), json!("기술성")));
    let item = &category["items"][1];
    assert_eq!(keys(item), set(&["id", "title", "score", "evidence"]));
    assert_eq!(item["title"], "기술 성숙도(TRL) 및 적용 가능성");
    assert_eq!(keys(&item["evidence"][0]), set(&["sentence", "similarity", "kinds"]));
    assert_eq!(item["evidence"][0]["kinds"], json!(["schedule", "trl"]));
    // score_average is the mean of the 30 scores to one decimal.
    let scores: Vec<f64> = value["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["items"].as_array().unwrap().iter().map(|i| i["score"].as_f64().unwrap()))
        .collect();
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    assert_eq!(value["score_average"].as_f64().unwrap(), (mean * 10.0).round() / 10.0);
}

#[test]
fn mixed_korean_english_paragraph_splits_into_sentences() {
    let paragraph = "본 과제는 AI 기반 진단 솔루션을 개발한다. Our accuracy is 97.5% on the test set! \
                     시장 규모는 얼마인가? 2025년 Q1 파일럿을 완료했다.다음 단계는 실증이다\n\
                     • 특허 2건 출원 • MOU with 3 hospitals\n- 팀: 박사 2명";
    let texts: Vec<String> = split_sentences(paragraph).into_iter().map(|s| s.text).collect();
    assert_eq!(
        texts,
        [
            "본 과제는 AI 기반 진단 솔루션을 개발한다.",
            "Our accuracy is 97.5% on the test set!",
            "시장 규모는 얼마인가?",
            "2025년 Q1 파일럿을 완료했다.",
            "다음 단계는 실증이다",
            "특허 2건 출원",
            "MOU with 3 hospitals",
            "팀: 박사 2명",
        ]
    );
}

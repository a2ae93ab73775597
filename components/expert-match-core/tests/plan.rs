//! Keyword extraction on realistic business-plan text.

use expert_match_core::extract_keywords;

/// A Korean business plan's overview, as such plans are written: a title
/// line, then the subject, the data, the market and the plan's own vocabulary.
pub const HEALTHCARE_PLAN: &str = "AI 기반 디지털 헬스케어 플랫폼 사업계획서
본 사업은 인공지능(AI)을 활용하여 만성질환자의 의료 데이터를 분석하고 맞춤형 건강관리 서비스를 제공하는 디지털 헬스케어 솔루션이다. \
병원과 보건소의 진료 기록, 웨어러블 기기에서 수집한 생체 신호를 통합하여 AI 모델이 합병증 위험을 예측한다. \
데이터 분석 결과는 의료진의 진단을 돕고, 환자에게는 모바일 앱으로 생활습관 개선 방안을 안내한다. \
국내 디지털 헬스케어 시장은 연평균 15% 성장하고 있으며, 당사는 의료 데이터 분석 특허 2건과 병원 3곳과의 실증 협약을 확보하였다. \
향후 원격의료 규제 완화에 맞춰 데이터 분석 기반 원격 모니터링으로 사업을 확장할 계획이다.";

fn texts(report: &str, limit: usize) -> Vec<String> {
    extract_keywords(report, limit).into_iter().map(|k| k.text).collect()
}

#[test]
fn a_korean_plan_gives_its_domain_nouns_first() {
    let k = texts(HEALTHCARE_PLAN, 10);
    assert_eq!(k.len(), 10);
    assert_eq!(k[..3], ["디지털헬스케어", "AI", "데이터분석"], "{k:?}");
    for domain in ["병원", "인공지능", "건강관리"] {
        assert!(k.iter().any(|w| w == domain), "{domain} missing from {k:?}");
    }
    for generic in ["사업", "계획", "서비스", "솔루션", "시장", "플랫폼", "기반", "활용", "사업계획서"]
    {
        assert!(!k.iter().any(|w| w == generic), "{generic} in {k:?}");
    }
}

#[test]
fn num_keywords_takes_the_best_ones_in_order() {
    let ten = texts(HEALTHCARE_PLAN, 10);
    for n in 1..=10 {
        assert_eq!(texts(HEALTHCARE_PLAN, n), ten[..n], "num_keywords {n}");
    }
}

#[test]
fn the_same_plan_gives_the_same_keywords_and_scores() {
    assert_eq!(extract_keywords(HEALTHCARE_PLAN, 10), extract_keywords(HEALTHCARE_PLAN, 10));
}

pub const LOGISTICS_PLAN: &str = "AI Logistics Platform Business Plan
We build an AI route optimization service for cold chain logistics. Cold chain carriers lose 12% of fresh food to temperature failures. \
Our IoT sensors stream temperature data to the platform, and route optimization models cut delivery delays by a third. \
Logistics companies in Korea and Vietnam have signed pilot agreements for cold chain monitoring.";

#[test]
fn an_english_plan_gives_its_terms_and_phrases() {
    let k = texts(LOGISTICS_PLAN, 5);
    assert_eq!(k, ["logistics", "cold chain", "AI", "route optimization", "temperature"]);
}

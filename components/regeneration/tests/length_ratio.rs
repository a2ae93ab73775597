//! 간결하게 without a model over business-plan paragraphs of the kind the
//! seed's reports hold: every one lands in the 0.75..=0.85 length window.
//!
//! Run with `--nocapture` to see each ratio and their mean.

use capsule_sdk::{JobContext, Llm};
use regeneration::{Classification, Input, Method, MethodChoice, regenerate, sentences};

/// A host without a language model.
struct NoModel;
impl Llm for NoModel {}
impl capsule_sdk::Config for NoModel {}
impl capsule_sdk::Http for NoModel {}
impl JobContext for NoModel {}

/// Twelve paragraphs, 5 to 12 sentences each, different industries, sections and registers.
const PARAGRAPHS: &[&str] = &[
    // 1. Smart farm: problem statement (7 sentences, 한다 style).
    "국내 시설원예 농가의 평균 연령은 65세를 넘어섰으며 숙련 인력의 은퇴가 빠르게 진행되고 있다. \
     온실의 온도, 습도, 이산화탄소 농도를 사람이 직접 조절하는 방식은 노동 강도가 높고 품질 편차가 크다. \
     기존 스마트팜 설비는 초기 구축비가 1억 원 이상으로 소규모 농가가 도입하기 어렵다. \
     당사는 기존 온실에 부착하는 저가형 환경 제어 모듈과 클라우드 기반 재배 관리 서비스를 개발하였다. \
     모듈 가격은 300만 원 수준이며 설치는 하루 안에 끝난다. \
     재배 데이터는 작물별 생육 모델과 비교되어 관수와 환기 시점을 자동으로 제안한다. \
     2025년 충남 지역 12개 농가 실증에서 토마토 상품 비율이 평균 14% 높아졌다.",
    // 2. EdTech: solution (6 sentences, 합니다 style).
    "저희 서비스는 초등학생의 수학 풀이 과정을 손글씨 인식으로 분석하는 학습 플랫폼입니다. \
     학생이 태블릿에 풀이를 쓰면 AI가 어느 단계에서 개념 오류가 생겼는지 찾아냅니다. \
     교사는 반 전체의 오류 유형을 대시보드에서 한눈에 확인하고 보충 수업을 설계할 수 있습니다. \
     특히 기존 문제은행 서비스가 정답 여부만 채점하는 것과 달리 풀이 과정 자체를 진단한다는 점이 차별점입니다. \
     현재 서울과 경기 지역 초등학교 23곳에서 시범 운영 중이며 교사 만족도는 4.6점(5점 만점)입니다. \
     내년에는 중학교 과정까지 범위를 넓히고 학부모용 리포트 기능을 추가할 계획입니다.",
    // 3. Fintech: market analysis (9 sentences, mixed lengths).
    "국내 소상공인은 약 700만 명에 이른다. \
     이들 가운데 상당수는 매출 관리와 세무 신고를 수기 장부나 엑셀에 의존하고 있다. \
     카드 매출, 배달앱 정산, 현금 매출이 서로 다른 시스템에 흩어져 있어 실제 수익을 파악하기 어렵다. \
     그 결과 부가가치세 신고 시기에 세무 대리 비용으로 연평균 80만 원 이상을 지출한다. \
     간편 장부 시장은 2023년 기준 약 2,400억 원 규모로 추정된다. \
     연평균 성장률은 12% 수준이다. \
     대형 회계 소프트웨어는 기능이 복잡하고 월 이용료가 높아 1인 사업자에게 맞지 않는다. \
     반면 당사 서비스는 사업자 인증 한 번으로 모든 매출 채널을 자동 연동한다. \
     초기 목표 고객은 연 매출 3억 원 이하의 음식점과 소매점이다.",
    // 4. Logistics: business model (8 sentences).
    "당사의 수익 모델은 화주 구독료, 차주 수수료, 데이터 서비스의 세 축으로 구성된다. \
     화주는 월 구독료를 내고 배차 요청, 실시간 위치 추적, 운송 서류 전자 발행 기능을 이용한다. \
     차주는 운행 완료 건마다 운임의 3%를 수수료로 부담하며, 대신 운임을 익일에 정산받는다. \
     기존 주선 업체를 거칠 때 운임의 10~15%가 중개 수수료로 빠지는 것과 비교하면 차주의 실수령액이 크게 늘어난다. \
     또한 축적된 운행 데이터는 공차율 분석과 노선별 운임 지수로 가공되어 물류 대기업에 판매된다. \
     2026년 매출 구성은 구독료 45%, 수수료 40%, 데이터 15%로 예상한다. \
     손익분기점은 월 운행 건수 1만 5천 건으로, 2027년 상반기 도달을 목표로 한다. \
     이를 위해 수도권 중심의 영업망을 영남권과 호남권으로 단계적으로 확대한다.",
    // 5. Healthcare device: technology (10 sentences).
    "본 과제의 핵심 기술은 손목형 웨어러블 기기에서 측정한 광용적맥파(PPG) 신호로 심방세동을 선별하는 알고리즘이다. \
     PPG 신호는 움직임에 매우 민감하여 일상생활 중 측정값에는 잡음이 많다. \
     당사는 가속도 센서 신호를 함께 사용해 움직임 구간을 걸러내는 전처리 모델을 자체 개발하였다. \
     전처리된 신호는 경량 합성곱 신경망에 입력되어 30초 단위로 부정맥 여부를 판정한다. \
     모델 크기는 200KB 이하로, 별도 서버 없이 기기 안에서 실시간으로 동작한다. \
     대학병원 두 곳과 공동으로 수집한 환자 1,200명의 데이터로 검증한 결과 민감도 94%, 특이도 96%를 기록하였다. \
     이는 기존 상용 제품 대비 위양성 알림을 절반 수준으로 줄인 것이다. \
     알고리즘은 식품의약품안전처의 소프트웨어 의료기기 인허가를 준비 중이다. \
     인허가 이후에는 보험사와 연계한 고위험군 모니터링 서비스로 확장할 수 있다. \
     관련 특허는 국내 2건이 등록되었고 PCT 국제출원 1건이 진행 중이다.",
    // 6. Recycling / ESG: impact (5 sentences, long sentences).
    "폐플라스틱 재활용 현장에서는 색상과 재질이 섞인 폐기물을 사람이 손으로 선별하는 공정이 여전히 전체 인력의 절반 이상을 차지하고 있다. \
     당사의 AI 광학 선별기는 초분광 카메라로 컨베이어 위 플라스틱의 재질을 식별하고 공기 분사로 분류하여 시간당 3톤을 처리한다. \
     선별 순도는 PET 기준 98%로, 수작업 선별의 평균 85%보다 높아 재생 원료의 판매 단가를 끌어올린다. \
     설비 한 대를 도입하면 선별 인력 6명의 작업을 대체하고 작업자의 유해 환경 노출도 줄어든다. \
     당사는 이를 통해 2028년까지 연간 4만 톤의 폐플라스틱을 고품질 재생 원료로 전환하여 탄소 배출을 약 6만 톤 감축하는 것을 목표로 한다.",
    // 7. Tourism platform: marketing strategy (11 sentences, short ones).
    "초기 마케팅은 지역 축제와 연계한 체험형 캠페인에 집중한다. \
     주 타깃은 20~30대 개별 여행객이다. \
     이들은 여행지 선택 시 SNS 후기를 가장 많이 참고한다. \
     따라서 인플루언서 50명과 협업해 지역별 숨은 명소 콘텐츠를 제작한다. \
     콘텐츠에는 앱 전용 할인 코드를 넣어 유입 성과를 측정한다. \
     지자체와는 관광 데이터 공유 협약을 맺는다. \
     협약 지자체는 현재 4곳이다. \
     숙박과 체험 상품은 지역 소상공인에게서 직접 공급받는다. \
     중개 수수료는 업계 평균보다 낮은 8%로 책정한다. \
     첫해 목표는 앱 다운로드 20만 건, 월간 활성 이용자 3만 명이다. \
     마케팅 예산은 총 2억 원으로, 그중 60%를 콘텐츠 제작에 쓴다.",
    // 8. B2B SaaS: competitive advantage (7 sentences).
    "경쟁사 제품은 대부분 대기업의 전사적 자원관리(ERP) 시스템과 연동하는 것을 전제로 설계되었다. \
     그래서 도입에 평균 6개월이 걸리고 전담 IT 인력이 필요하다. \
     당사의 품질 관리 SaaS는 공정별 검사 양식을 노코드로 만들고 현장 작업자가 스마트폰으로 바로 입력하게 한다. \
     도입 기간은 2주 이내이며 별도 서버나 IT 인력이 필요 없다. \
     불량 데이터는 자동으로 집계되어 원인별 파레토 차트와 개선 과제 목록으로 정리된다. \
     그리고 고객사 간 익명화된 불량 데이터를 비교하는 업종별 벤치마크 기능은 경쟁사에 없는 기능이다. \
     현재 자동차 부품과 전자 부품 협력사 37곳이 유료로 사용하고 있으며 연간 해지율은 5% 미만이다.",
    // 9. Food manufacturing: production plan (12 sentences).
    "생산은 경기도 이천의 HACCP 인증 공장에서 이루어진다. \
     공장 면적은 1,650제곱미터이다. \
     현재 생산 능력은 하루 2만 개이다. \
     주력 제품은 저당 그래놀라와 단백질 바 두 종류이다. \
     원료인 귀리와 견과류는 국내 계약 재배 농가에서 70% 이상을 조달한다. \
     계약 재배는 가격 변동 위험을 줄이고 원산지 신뢰를 높인다. \
     올해 하반기에는 자동 포장 라인을 한 대 추가한다. \
     추가 라인이 가동되면 생산 능력은 하루 3만 5천 개로 늘어난다. \
     불량률은 현재 1.2%이며 설비 교체 후 0.5% 이하로 낮출 계획이다. \
     품질 검사는 매 로트마다 미생물, 수분, 이물 검사를 한다. \
     유통기한은 제조일로부터 9개월이다. \
     대형마트 납품을 위한 물류는 3PL 업체에 위탁한다.",
    // 10. Semiconductor parts: team and capabilities (6 sentences).
    "대표이사는 반도체 장비 기업에서 15년간 진공 부품 설계를 담당한 엔지니어 출신이다. \
     기술 총괄 이사는 세라믹 소재 분야 박사로, 정전척 코팅 관련 논문 20여 편과 특허 8건을 보유하고 있다. \
     생산 총괄은 대기업 협력사에서 품질 인증과 양산 이관을 여러 차례 이끈 경험이 있다. \
     연구 인력은 석사 이상 6명을 포함해 총 11명이며, 전체 임직원의 절반을 차지한다. \
     또한 한국세라믹기술원과 공동 연구 협약을 맺어 분석 장비와 시험 설비를 함께 활용한다. \
     이러한 구성은 설계부터 소재, 양산까지 부품 국산화의 전 과정을 내부에서 해결할 수 있게 한다.",
    // 11. Webtoon / content: overseas expansion (8 sentences).
    "당사는 웹툰 원작의 현지화 번역을 AI와 전문 번역가의 협업 방식으로 수행한다. \
     AI가 말풍선 글자를 인식해 1차 번역과 식자를 처리하면, 번역가는 대사의 어조와 문화적 맥락을 다듬는다. \
     이 방식으로 한 화당 작업 시간이 기존 8시간에서 2시간으로 줄었다. \
     첫 진출 시장은 한국 웹툰 소비가 빠르게 늘고 있는 인도네시아와 태국이다. \
     두 나라의 디지털 만화 시장은 연 20% 이상 성장하고 있다. \
     현지 플랫폼 두 곳과 작품 공급 계약을 맺었고 30개 작품의 번역을 마쳤다. \
     한편 작가와의 수익 배분은 현지 매출의 50%로 투명하게 정산한다. \
     2027년에는 스페인어권 남미 시장으로 진출해 연 매출 40억 원을 달성할 계획이다.",
    // 12. Elder-care robot: risk and response (9 sentences).
    "본 사업의 주요 위험 요인은 기술, 시장, 규제의 세 가지로 정리할 수 있다. \
     기술 측면에서는 돌봄 로봇의 낙상 감지 정확도가 실제 가정 환경에서 떨어질 수 있다. \
     이에 대응해 시범 가구 100곳에서 6개월간 데이터를 모아 모델을 재학습한다. \
     시장 측면에서는 고령층의 로봇 수용성이 낮을 가능성이 있다. \
     그래서 음성 대화 위주의 단순한 조작 방식을 채택하고 보호자 앱으로 설정을 대신하게 하였다. \
     구매 부담을 줄이기 위해 월 3만 원의 임대형 요금제도 함께 운영한다. \
     규제 측면에서는 영상과 음성 같은 민감 정보의 처리가 쟁점이다. \
     모든 영상은 기기 안에서만 분석하고 서버에는 이벤트 기록만 전송하도록 설계하였다. \
     개인정보 영향평가는 2025년 말까지 외부 기관을 통해 받을 예정이다.",
];

fn condense(paragraph: &str) -> (String, f64) {
    let input = Input {
        classification: Classification::Concise,
        contents: Some(paragraph.to_string()),
        subject: None,
        method: MethodChoice::Auto,
    };
    let output = regenerate(&input, &mut NoModel).expect("condensed");
    assert_eq!(output.method, Method::ExtractiveTextrank);
    (output.contents, output.length_ratio.expect("a ratio"))
}

#[test]
fn every_business_plan_paragraph_lands_in_the_length_window() {
    let mut ratios = Vec::new();
    for (i, paragraph) in PARAGRAPHS.iter().enumerate() {
        let count = sentences::split(paragraph).len();
        assert!((5..=12).contains(&count), "paragraph {} has {count} sentences", i + 1);
        let (text, ratio) = condense(paragraph);
        println!(
            "paragraph {:2}: {count:2} sentences, {:3} → {:3} characters, ratio {ratio:.4}",
            i + 1,
            sentences::length(paragraph),
            sentences::length(&text)
        );
        ratios.push(ratio);
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    println!("mean ratio {mean:.4} over {} paragraphs", ratios.len());
    let outside: Vec<(usize, f64)> =
        ratios.iter().enumerate().filter(|(_, r)| !(0.75..=0.85).contains(*r)).map(|(i, r)| (i + 1, *r)).collect();
    assert!(outside.is_empty(), "outside 0.75..=0.85: {outside:?}");
}

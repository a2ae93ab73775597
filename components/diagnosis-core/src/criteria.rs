//! Evaluation criteria: the 30 defaults (5 categories × 6 items) and the
//! seed's wire shapes.
//!
//! Wire shapes (seed §2.1 request `evaluation`, §2.2 `GET /api/diagnosis/criteria`):
//!
//! ```json
//! {"id": 1, "카테고리": "기술성", "평가항목": [{"id": 1, "내용": "핵심 기술의 독창성 및 차별성"}]}
//! ```
//!
//! Item ids are numbered 1‥30 across the categories (the seed shows 기술성's
//! items as 1 and 2 and says "30개 항목"), so an item id alone names an item.
//!
//! A scored item also needs a rubric (the sentence plan sentences are compared
//! with) and the evidence kinds that count for it. The defaults carry both; in
//! a custom `evaluation` an item may add `"평가기준"` (alias `"rubric"`) and
//! `"증빙유형"` (alias `"evidence_kinds"`, e.g. `["market", "money"]`). Neither
//! is in the seed: without them the title is the rubric, and the evidence kinds
//! (and supporting kinds) are those of the default item with the same title,
//! or else inferred from the title ([`infer_kinds`]) with the [`GENERIC`]
//! kinds as supporting ones.

use serde::{Deserialize, Serialize, Serializer};

use crate::evidence::{self, EvidenceKind};
use EvidenceKind::*;

/// A set of criteria ready to score with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria {
    pub categories: Vec<Category>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub id: u32,
    /// `카테고리` on the wire, `name` in results.
    pub name: String,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: u32,
    /// `내용` on the wire, `title` in results.
    pub title: String,
    /// What a strong plan shows for this item; plan sentences are compared with it.
    pub rubric: String,
    /// Evidence kinds that count for this item on their own: its topic
    /// (`ip` for the IP item, `market` for market size), in [`EvidenceKind::ALL`] order.
    pub evidence: Vec<EvidenceKind>,
    /// Kinds that count only in a sentence that also carries one of
    /// `evidence`: a figure or date *about* the item's topic (`quantity` next
    /// to `market`), not any number in the plan. Same order.
    pub supporting: Vec<EvidenceKind>,
}

/// One category as the seed writes it (request `evaluation[]`, response `criteria[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationCategory {
    pub id: u32,
    #[serde(rename = "카테고리")]
    pub name: String,
    #[serde(rename = "평가항목", default)]
    pub items: Vec<EvaluationItem>,
}

/// One item as the seed writes it, plus two optional extensions for custom criteria.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationItem {
    pub id: u32,
    #[serde(rename = "내용")]
    pub title: String,
    /// Not in the seed: a rubric sentence for a custom item.
    #[serde(rename = "평가기준", alias = "rubric", default, skip_serializing_if = "Option::is_none")]
    pub rubric: Option<String>,
    /// Not in the seed: the evidence kinds that count for a custom item.
    #[serde(rename = "증빙유형", alias = "evidence_kinds", default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<EvidenceKind>>,
}

/// `GET /api/diagnosis/criteria` (seed §2.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaResponse {
    pub total_categories: usize,
    pub total_items: usize,
    pub criteria: Vec<EvaluationCategory>,
}

impl Criteria {
    /// Number of items over all categories.
    pub fn item_count(&self) -> usize {
        self.categories.iter().map(|c| c.items.len()).sum()
    }

    /// The seed's criteria response: ids and titles only (rubrics and
    /// evidence kinds are internal to the scorer and not in the seed's shape).
    pub fn to_response(&self) -> CriteriaResponse {
        CriteriaResponse {
            total_categories: self.categories.len(),
            total_items: self.item_count(),
            criteria: self
                .categories
                .iter()
                .map(|c| EvaluationCategory {
                    id: c.id,
                    name: c.name.clone(),
                    items: c
                        .items
                        .iter()
                        .map(|i| EvaluationItem { id: i.id, title: i.title.clone(), rubric: None, evidence: None })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Criteria from a request's custom `evaluation`, in its order. An item
    /// without a rubric uses its title as the rubric; one without evidence
    /// kinds takes those of the default item with the same title, or else
    /// [`infer_kinds`] of its title and rubric.
    pub fn from_evaluation(evaluation: &[EvaluationCategory]) -> Criteria {
        let defaults = default_criteria();
        let same_title = |title: &str| {
            let key = normalize(title);
            defaults.categories.iter().flat_map(|c| &c.items).find(|i| normalize(&i.title) == key)
        };
        let categories = evaluation
            .iter()
            .map(|c| Category {
                id: c.id,
                name: c.name.trim().to_string(),
                items: c
                    .items
                    .iter()
                    .map(|i| {
                        let title = i.title.trim().to_string();
                        let rubric =
                            i.rubric.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or(&title).to_string();
                        let given = i.evidence.as_ref().filter(|kinds| !kinds.is_empty());
                        let (evidence, supporting) = match (given, same_title(&title)) {
                            (Some(kinds), _) => {
                                let mut kinds = kinds.clone();
                                kinds.sort();
                                kinds.dedup();
                                let supporting = generic_except(&kinds);
                                (kinds, supporting)
                            }
                            (None, Some(default)) => (default.evidence.clone(), default.supporting.clone()),
                            (None, None) => {
                                let kinds = infer_kinds(&title, &rubric);
                                let supporting = generic_except(&kinds);
                                (kinds, supporting)
                            }
                        };
                        Item { id: i.id, title, rubric, evidence, supporting }
                    })
                    .collect(),
            })
            .collect();
        Criteria { categories }
    }
}

/// Serialises to the seed's criteria response shape ([`Criteria::to_response`]).
impl Serialize for Criteria {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_response().serialize(serializer)
    }
}

fn normalize(title: &str) -> String {
    title.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Kinds that say little on their own (any plan has numbers and dates): the
/// supporting kinds of custom items.
pub const GENERIC: [EvidenceKind; 3] = [Quantity, Schedule, Metric];

fn generic_except(kinds: &[EvidenceKind]) -> Vec<EvidenceKind> {
    GENERIC.iter().copied().filter(|k| !kinds.contains(k)).collect()
}

/// Keyword hints for custom items, on top of the evidence detectors run over
/// the item's own text: a title such as "시장성" names no evidence itself but
/// is clearly about market evidence.
const KIND_HINTS: &[(&str, &[EvidenceKind])] = &[
    ("기술", &[Ip, Metric]),
    ("독창", &[Ip, Competition]),
    ("차별", &[Ip, Competition]),
    ("시장", &[Market]),
    ("경쟁", &[Market, Competition]),
    ("수익", &[Money, Customer]),
    ("재무", &[Money]),
    ("자금", &[Money]),
    ("사업화", &[Customer, Schedule]),
    ("판로", &[Customer]),
    ("마케팅", &[Customer]),
    ("역량", &[Team]),
    ("조직", &[Team]),
    ("협력", &[Customer, Team]),
    ("계획", &[Schedule]),
    ("추진", &[Schedule]),
    ("성과", &[Metric, Quantity]),
    ("효과", &[Quantity, Metric]),
    ("사회", &[Policy]),
    ("환경", &[Policy]),
    ("파급", &[Market, Customer]),
];

/// Evidence kinds for an item that names none: what the evidence detectors
/// find in its title and rubric, plus [`KIND_HINTS`]; `[quantity, metric]`
/// when nothing matches (any plan can back a claim with numbers).
pub fn infer_kinds(title: &str, rubric: &str) -> Vec<EvidenceKind> {
    let text = format!("{title} {rubric}");
    let mut kinds = evidence::detect(&text);
    for (hint, hinted) in KIND_HINTS {
        if text.contains(hint) {
            kinds.extend_from_slice(hinted);
        }
    }
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        kinds = vec![Quantity, Metric];
    }
    kinds
}

type ItemRow = (u32, &'static str, &'static str, &'static [EvidenceKind], &'static [EvidenceKind]);

/// The default criteria: (category id, name, items: (id, title, rubric, evidence, supporting)).
///
/// Written as a Korean public-funding evaluator (정부 R&D / 창업지원 사업)
/// reads a plan: each rubric says what a strong plan shows, concretely.
const DEFAULTS: &[(u32, &str, &[ItemRow])] = &[
    (
        1,
        "기술성",
        &[
            (
                1,
                "핵심 기술의 독창성 및 차별성",
                "핵심 기술이 기존 기술·경쟁 제품과 무엇이 다른지 구체적으로 비교하고, 특허 등 지식재산과 정량적 성능 우위로 독창성을 입증한다.",
                &[Ip, Competition],
                &[Quantity, Metric],
            ),
            (
                2,
                "기술 성숙도(TRL) 및 적용 가능성",
                "현재 기술성숙도(TRL) 단계를 시제품·실증 결과로 제시하고, 실제 현장에 적용하기까지의 단계별 개발 계획이 구체적이다.",
                &[Trl, Customer],
                &[Schedule],
            ),
            (
                3,
                "기술 개발 목표 및 성능 지표의 구체성",
                "개발 목표를 정확도·처리속도 등 정량적 성능 지표(KPI)와 목표치, 측정 방법으로 명확히 제시한다.",
                &[Metric],
                &[Quantity],
            ),
            (
                4,
                "기술 개발 방법 및 추진 전략의 타당성",
                "기술 개발 방법과 세부 과제, 단계별 추진 일정이 논리적으로 연결되어 개발 목표를 달성할 수 있음을 보여준다.",
                &[Schedule],
                &[Quantity, Metric],
            ),
            (
                5,
                "지식재산권 확보 및 보호 전략",
                "보유 특허와 출원 현황, 추가 지식재산권 확보 계획, 침해 회피 및 보호 전략을 구체적으로 제시한다.",
                &[Ip],
                &[Quantity, Schedule],
            ),
            (
                6,
                "기술적 위험요소 및 대응 방안",
                "개발 과정의 기술적 위험요소를 식별하고 대안 기술과 검증 계획 등 구체적인 대응 방안을 마련했다.",
                &[Trl, Metric],
                &[Schedule],
            ),
        ],
    ),
    (
        2,
        "사업성",
        &[
            (
                7,
                "목표 시장 규모 및 성장성",
                "목표 시장의 규모(TAM·SAM·SOM)와 연평균 성장률(CAGR)을 신뢰할 수 있는 출처의 수치로 제시한다.",
                &[Market],
                &[Quantity, Money],
            ),
            (
                8,
                "고객 및 수요 분석의 구체성",
                "목표 고객을 구체적으로 정의하고 고객 인터뷰, 파일럿, 구매의향서 등으로 실제 수요를 검증했다.",
                &[Market, Customer],
                &[Quantity],
            ),
            (
                9,
                "경쟁 환경 분석 및 경쟁 우위",
                "주요 경쟁사와 대체재를 가격·성능·시장 점유율 기준으로 비교하고 지속 가능한 경쟁 우위를 설명한다.",
                &[Market, Competition],
                &[Quantity, Metric],
            ),
            (
                10,
                "비즈니스 모델 및 수익 구조",
                "누가 무엇에 얼마를 지불하는지 가격 정책과 수익 구조가 명확하고, 매출이 발생하는 경로가 현실적이다.",
                &[Money, Customer],
                &[Quantity],
            ),
            (
                11,
                "사업화 전략 및 판로 확보 계획",
                "마케팅·영업 채널과 판로 확보 계획을 제시하고, 계약·MOU·실증 등 초기 사업화 성과를 보여준다.",
                &[Customer],
                &[Quantity, Schedule],
            ),
            (
                12,
                "매출 목표 및 재무 계획의 타당성",
                "연도별 매출 목표와 소요 자금, 투자 유치 계획을 근거 있는 추정치로 제시한다.",
                &[Money],
                &[Quantity, Schedule],
            ),
        ],
    ),
    (
        3,
        "공공성·정책 부합성",
        &[
            (
                13,
                "정부 정책 및 지원사업 목적과의 부합성",
                "국가 전략과 정부 정책 방향, 지원사업의 목적에 과제가 어떻게 부합하는지 구체적으로 연결한다.",
                &[Policy],
                &[],
            ),
            (
                14,
                "사회적 가치 및 공공 문제 해결 기여",
                "안전·복지·의료 등 사회 문제나 공공 수요를 해결하는 효과를 수혜 대상과 규모로 제시한다.",
                &[Policy],
                &[Quantity, Customer],
            ),
            (
                15,
                "일자리 창출 및 고용 효과",
                "신규 채용 인원과 일자리 창출 계획을 연도별 수치로 제시한다.",
                &[Policy],
                &[Quantity, Schedule, Team],
            ),
            (
                16,
                "지역 균형발전 및 지역 경제 기여",
                "지역 기업·기관과의 협력, 지역 인재 고용 등 지역 경제 활성화에 기여하는 방안을 제시한다.",
                &[Policy],
                &[Team, Customer],
            ),
            (
                17,
                "환경·탄소중립 및 ESG 기여",
                "탄소 배출 저감, 에너지 절감 등 환경 개선 효과와 ESG 경영 기여를 정량적으로 제시한다.",
                &[Policy],
                &[Quantity, Metric],
            ),
            (
                18,
                "관련 법·제도 및 규제 대응",
                "인허가, 인증, 개인정보 보호 등 사업에 필요한 법·제도 요건과 규제 대응 계획을 구체적으로 제시한다.",
                &[Policy],
                &[Schedule],
            ),
        ],
    ),
    (
        4,
        "성과·기대효과",
        &[
            (
                19,
                "정량적 성과 목표의 명확성",
                "매출, 고객 수, 성능 등 성과 목표를 측정 가능한 KPI와 목표치로 명확히 제시한다.",
                &[Metric],
                &[Quantity, Money],
            ),
            (
                20,
                "기술적 파급효과",
                "개발 기술이 관련 산업과 후속 연구로 확산·응용될 수 있는 경로와 파급 효과를 구체적으로 제시한다.",
                &[Market, Ip, Customer],
                &[Quantity],
            ),
            (
                21,
                "경제적 기대효과",
                "매출 증대, 비용 절감, 수입 대체, 수출 등 경제적 효과를 금액과 산출 근거로 제시한다.",
                &[Money],
                &[Quantity, Market],
            ),
            (
                22,
                "사회적 기대효과",
                "국민 생활 개선, 공공 서비스 품질 향상 등 사회적 효과를 수혜 대상과 규모로 제시한다.",
                &[Policy],
                &[Quantity, Customer],
            ),
            (
                23,
                "성과 활용 및 확산 계획",
                "사업 종료 후 성과를 후속 사업화, 기술이전, 해외 진출로 활용·확산하는 계획이 구체적이다.",
                &[Ip, Customer],
                &[Schedule],
            ),
            (
                24,
                "성과 측정 및 관리 방안",
                "성과 지표의 측정 방법과 주기, 검증 주체를 정하고 중간 점검으로 성과를 관리하는 체계를 갖췄다.",
                &[Metric],
                &[Schedule],
            ),
        ],
    ),
    (
        5,
        "추진체계 및 역량",
        &[
            (
                25,
                "대표자 및 핵심 인력의 역량",
                "대표자와 핵심 인력의 학위, 경력, 관련 수행 실적이 과제 수행에 적합함을 구체적으로 보여준다.",
                &[Team],
                &[Quantity],
            ),
            (
                26,
                "조직 구성 및 역할 분담",
                "과제 수행 조직과 참여 인력의 역할·책임, 참여율이 명확하게 구성되어 있다.",
                &[Team],
                &[Quantity],
            ),
            (
                27,
                "추진 일정 및 마일스톤의 구체성",
                "단계별 추진 일정과 마일스톤, 산출물을 월·분기 단위로 구체적으로 제시한다.",
                &[Schedule],
                &[Metric],
            ),
            (
                28,
                "예산 편성 및 자금 조달의 적정성",
                "사업비 항목별 예산을 산출 근거와 함께 제시하고, 자부담·투자 유치 등 자금 조달 계획이 적정하다.",
                &[Money],
                &[Quantity],
            ),
            (
                29,
                "협력 네트워크 및 외부 자원 활용",
                "대학·연구기관·수요기업 등 협력 기관과의 역할 분담과 협약·MOU 체결 현황을 제시한다.",
                &[Team, Customer],
                &[],
            ),
            (
                30,
                "과제 수행 경험 및 위험 관리 역량",
                "유사 정부과제·사업 수행 실적과 일정·인력·자금 위험에 대한 관리 방안을 갖췄다.",
                &[Team],
                &[Quantity, Money, Schedule],
            ),
        ],
    ),
];

/// The 30 default criteria (seed §2.1 "기본 평가 카테고리").
pub fn default_criteria() -> Criteria {
    Criteria {
        categories: DEFAULTS
            .iter()
            .map(|(id, name, items)| Category {
                id: *id,
                name: (*name).to_string(),
                items: items
                    .iter()
                    .map(|(id, title, rubric, evidence, supporting)| Item {
                        id: *id,
                        title: (*title).to_string(),
                        rubric: (*rubric).to_string(),
                        evidence: evidence.to_vec(),
                        supporting: supporting.to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

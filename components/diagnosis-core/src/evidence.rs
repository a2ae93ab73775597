//! Deterministic evidence detectors over one sentence.
//!
//! A detector is a row of [`DETECTORS`]: an [`EvidenceKind`] and the regex
//! alternatives that count as that kind. To extend, add a pattern to a row
//! (or a row for a new kind, plus its variant). Every pattern is
//! case-insensitive; Korean has no case, so `(?i)` only matters for Latin
//! abbreviations such as `TRL`, `KPI` or `MOU`.
//!
//! Word boundaries: `\b` treats Hangul syllables as word characters, so `IP를`
//! has no boundary after `P`. Latin abbreviations therefore use
//! `(?:^|[^a-z])…(?:[^a-z]|$)`, which bounds them on Latin letters only and
//! lets Korean particles follow them.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// What kind of concrete evidence a sentence carries.
///
/// Serialised in snake_case (`"quantity"`, `"money"`, …); the order of the
/// variants is the order of [`DETECTORS`] and of every `kinds` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A number with a unit or a percentage: `30%`, `5명`, `120건`, `3배`.
    Quantity,
    /// Money and budgets: `3억 원`, `5,000만원`, `$2M`, `예산`, `사업비`.
    Money,
    /// Dates and schedules: `2025년`, `3월`, `2분기`, `Q1`, `일정`, `단계`, `마일스톤`.
    Schedule,
    /// Market size and growth: `시장 규모`, `TAM/SAM/SOM`, `CAGR`, `성장률`.
    Market,
    /// Patents and other intellectual property: `특허`, `출원`, `특허 등록`, `IP`.
    Ip,
    /// Technology readiness: `TRL 6`, `기술성숙도`.
    Trl,
    /// People: `대표`, `CTO`, `팀`, `인력`, `경력`, `박사`, `연구원`.
    Team,
    /// Customers and traction: `고객`, `매출`, `계약`, `MOU`, `파일럿`, `실증`.
    Customer,
    /// Policy fit and public value: `정책`, `탄소`, `ESG`, `일자리`, `지역`, `사회적`.
    Policy,
    /// Performance targets and metrics: `KPI`, `목표`, `정확도`, `성능`.
    Metric,
    /// Comparison with competitors: `경쟁사`, `대비`, `비교`, `대체재`, `차별`.
    Competition,
}

impl EvidenceKind {
    /// Every kind, in detector order.
    pub const ALL: [EvidenceKind; 11] = [
        EvidenceKind::Quantity,
        EvidenceKind::Money,
        EvidenceKind::Schedule,
        EvidenceKind::Market,
        EvidenceKind::Ip,
        EvidenceKind::Trl,
        EvidenceKind::Team,
        EvidenceKind::Customer,
        EvidenceKind::Policy,
        EvidenceKind::Metric,
        EvidenceKind::Competition,
    ];

    /// The serialised name (`"quantity"`, `"ip"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Quantity => "quantity",
            EvidenceKind::Money => "money",
            EvidenceKind::Schedule => "schedule",
            EvidenceKind::Market => "market",
            EvidenceKind::Ip => "ip",
            EvidenceKind::Trl => "trl",
            EvidenceKind::Team => "team",
            EvidenceKind::Customer => "customer",
            EvidenceKind::Policy => "policy",
            EvidenceKind::Metric => "metric",
            EvidenceKind::Competition => "competition",
        }
    }
}

/// One row of the detector table.
pub struct Detector {
    pub kind: EvidenceKind,
    /// Alternatives; a sentence matching any of them carries `kind`.
    pub patterns: &'static [&'static str],
}

/// The detector table, one row per [`EvidenceKind`] in variant order.
pub static DETECTORS: &[Detector] = &[
    Detector {
        kind: EvidenceKind::Quantity,
        patterns: &[
            // 30%, 12.5 %, 30퍼센트, 3%p
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:%|％|퍼센트|프로|%p)",
            // Counted Korean units. 년/월/일 are left to Schedule so a date is not also a quantity.
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:배|건|명|개사|개국|개소|개월|개|곳|회|종|대|톤|시간|주|가구|세대|점|위|천|만|억)",
            // Metric units.
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:kg|km|㎞|㎏|m²|㎡|mw|kw|gw|mwh|kwh|gwh|tco2|ms|fps|gb|tb|mb|ghz|mhz)(?:[^a-z]|$)",
            // English counts.
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:x|times|percent|users|customers|units|people|employees|hours|days|weeks|months)(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Money,
        patterns: &[
            // 3억 원, 5,000만원, 1.2조원, 300,000원, 3억
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:조|억|천만|백만|만|천)?\s*원",
            r"\d(?:[\d,]*\d)?(?:\.\d+)?\s*(?:조|억)",
            r"[$₩€¥]\s*\d",
            r"\d\s*(?:달러|불|유로|엔)",
            r"(?:^|[^a-z])(?:usd|krw|eur)(?:[^a-z]|$)",
            r"\d\s*(?:million|billion|m|b|k)\s*(?:usd|dollars?)",
            r"예산|사업비|정부\s*지원금|지원금|출연금|자부담|대응\s*자금|민간\s*부담금|투자\s*유치|투자금|자금\s*조달|자금\s*계획|인건비|재료비|운영비",
            r"(?:^|[^a-z])(?:budgets?|funding|funds|capex|opex)(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Schedule,
        patterns: &[
            r"(?:19|20)\d{2}\s*년",
            r"(?:^|[^\d])(?:[1-9]|1[0-2])\s*월",
            r"[1-4]\s*분기|상반기|하반기|연내|차년도|[1-9]\s*차\s*년도|[1-9]\s*년\s*차|연차별|단계별",
            r"(?:^|[^a-z])(?:q[1-4]|h[12]|fy\s*\d{2,4})(?:[^a-z0-9]|$)",
            r"(?:19|20)\d{2}[.\-/]\s*(?:0?[1-9]|1[0-2])(?:[^\d]|$)",
            r"일정|단계|마일스톤|로드맵|추진\s*계획|착수|완료\s*예정|출시\s*예정|기간\s*내",
            r"(?:^|[^a-z])(?:milestones?|roadmap|timeline|schedule|phase\s*\d|stage\s*\d|deadline|quarter)(?:[^a-z]|$)",
            r"(?:^|[^a-z])(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)(?:uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\.?\s*(?:\d|(?:19|20)\d{2})",
            // A bare year (English "in 2025"): not 2000명, 2025%, 2,025 or 3.2025.
            r"(?:^|[^\d$.,])(?:19|20)\d{2}(?:$|[^\d가-힣%,.]|\.(?:$|\D))",
        ],
    },
    Detector {
        kind: EvidenceKind::Market,
        patterns: &[
            r"시장\s*규모|시장\s*점유율|점유율|시장\s*성장|성장률|연평균|시장\s*전망|잠재\s*시장|목표\s*시장|수요\s*규모",
            r"(?:^|[^a-z])(?:tam|sam|som|cagr)(?:[^a-z]|$)",
            r"(?:^|[^a-z])market\s*(?:size|share|growth)(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Ip,
        patterns: &[
            r"특허|출원|실용신안|지식\s*재산|지재권|상표권|저작권|기술\s*이전|노하우\s*보호",
            // 등록 on its own is everywhere (회원 등록, 사업자 등록): only IP registrations count.
            r"(?:상표|디자인|프로그램|저작권|실용신안)\s*(?:\d+\s*건\s*)?등록|등록\s*(?:특허|번호)",
            r"(?:^|[^a-z])(?:ip|ipr|pct|patents?|patented|trademarks?|licens(?:e|es|ed|ing))(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Trl,
        patterns: &[
            r"(?:^|[^a-z])trl(?:[^a-z]|$)",
            r"기술\s*성숙도|기술\s*준비\s*수준",
            r"(?:^|[^a-z])technology\s*readiness",
        ],
    },
    Detector {
        kind: EvidenceKind::Team,
        patterns: &[
            // 대표 but not 대표적 ("대표적인 사례").
            r"대표(?:[^적]|$)",
            r"(?:^|[^a-z])(?:ceo|cto|cfo|coo|pm|founders?|team|engineers?|researchers?|developers?|staff|hire|ph\.?\s*d)(?:[^a-z]|$)",
            r"팀|인력|경력|박사|석사|학위|연구원|연구진|책임자|개발자|엔지니어|전문가|전문\s*인력|채용|임직원|구성원|조직도|참여\s*인원",
            // Partners are part of the capacity to deliver.
            r"공동\s*연구|컨소시엄|참여\s*기관|협력\s*기관|위탁\s*기관",
        ],
    },
    Detector {
        kind: EvidenceKind::Customer,
        patterns: &[
            r"고객|매출|계약|협약|수주|판매|납품|구매\s*의향|구매의향|유료|거래처|바이어|수출|사용자|이용자|파일럿|실증|시범\s*사업|테스트\s*베드|테스트베드|도입\s*기관|수요\s*기업|수요처",
            r"(?:^|[^a-z])(?:mous?|lois?|poc|b2b|b2g|b2c|pilot(?:s|ed)?|customers?|clients?|revenue|sales|contracts?|field[\s-]*test\w*)(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Policy,
        patterns: &[
            r"정책|신규\s*채용|국정\s*과제|국가\s*전략|정부\s*계획|탄소|온실가스|에너지\s*절감|친환경|환경\s*개선|일자리|고용|지역|균형\s*발전|사회적|사회\s*문제|공공|취약\s*계층|소외|복지|안전|상생|지속\s*가능|규제|인허가|법령|제도",
            r"(?:^|[^a-z])(?:esg|sdgs?|net[\s-]*zero|public|polic(?:y|ies)|carbon|emissions?|sustainab\w*|jobs|employment|regional|underserved|social)(?:[^a-z]|$)",
        ],
    },
    Detector {
        kind: EvidenceKind::Metric,
        patterns: &[
            r"(?:^|[^a-z])(?:kpis?|okrs?|accuracy|precision|recall|f1|latency|throughput|benchmarks?|targets?)(?:[^a-z]|$)",
            r"목표|정확도|성능|지표|정밀도|재현율|인식률|오차|처리\s*속도|응답\s*시간|효율|개선율|절감률|달성",
        ],
    },
    Detector {
        kind: EvidenceKind::Competition,
        patterns: &[
            r"경쟁사|경쟁\s*(?:제품|기술|업체|기업|서비스)|대비(?:[^해하한할]|$)|비교|대체재|차별|우위|벤치마크",
            r"(?:^|[^a-z])(?:competitors?|compared|versus|vs)(?:[^a-z]|$)",
        ],
    },
];

/// The table compiled once: one alternation per row, in row order.
static COMPILED: LazyLock<Vec<(EvidenceKind, Regex)>> = LazyLock::new(|| {
    DETECTORS
        .iter()
        .map(|row| {
            let joined = row.patterns.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
            let regex = Regex::new(&format!("(?i){joined}")).expect("evidence patterns are valid");
            (row.kind, regex)
        })
        .collect()
});

/// What makes a sentence specific rather than a bare claim: a figure, or a
/// concrete artefact or act (a patent, a TRL, a signed agreement, a
/// certification). "고객들이 좋아할 것입니다" names customers but shows nothing.
const SPECIFIC: &str = concat!(
    r"(?i)\d|특허|출원|(?:^|[^a-z])(?:trl|mou|loi|poc|esg)(?:[^a-z]|$)|협약|계약|체결|수주|납품|인증|허가",
    // Named policies and plans, the evidence of policy fit.
    r"|국정\s*과제|국가\s*전략|탄소\s*중립|뉴딜|기본\s*계획|종합\s*계획|육성\s*(?:정책|전략|계획)",
);

static SPECIFIC_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SPECIFIC).expect("the pattern is valid"));

/// Compiles the table (pre-initialisation for a component's warm-up).
pub fn warm() {
    LazyLock::force(&COMPILED);
    LazyLock::force(&SPECIFIC_RE);
}

/// Does `sentence` state something checkable (a number, a patent, a TRL, an
/// agreement, a certification) rather than only make a claim?
pub fn is_specific(sentence: &str) -> bool {
    SPECIFIC_RE.is_match(sentence)
}

/// The kinds of evidence `sentence` carries, in [`EvidenceKind::ALL`] order, each once.
pub fn detect(sentence: &str) -> Vec<EvidenceKind> {
    COMPILED.iter().filter(|(_, regex)| regex.is_match(sentence)).map(|(kind, _)| *kind).collect()
}

/// Does `sentence` carry `kind`?
pub fn has(sentence: &str, kind: EvidenceKind) -> bool {
    COMPILED.iter().any(|(k, regex)| *k == kind && regex.is_match(sentence))
}

#[cfg(test)]
mod tests {
    use super::EvidenceKind::*;
    use super::*;

    #[test]
    fn table_has_one_row_per_kind_in_variant_order() {
        let kinds: Vec<EvidenceKind> = DETECTORS.iter().map(|row| row.kind).collect();
        assert_eq!(kinds, EvidenceKind::ALL);
        warm();
    }

    #[test]
    fn patent_and_trl_sentence_carries_ip_trl_schedule_and_quantity() {
        assert_eq!(detect("특허 2건 출원 완료, TRL 6 단계 시제품 검증"), vec![Quantity, Schedule, Ip, Trl]);
    }

    #[test]
    fn vague_claim_carries_no_evidence() {
        assert!(detect("우리 기술은 매우 우수합니다").is_empty());
    }

    #[test]
    fn figures_and_agreements_are_specific_bare_claims_are_not() {
        assert!(is_specific("병원 2곳에서 실증"));
        assert!(is_specific("서울대 의대와 공동연구 협약을 체결하였다."));
        assert!(!is_specific("고객들이 우리 제품을 좋아할 것입니다."));
    }

    #[test]
    fn money_needs_a_number_before_won() {
        assert!(detect("총 사업비 3억 5천만원 중 자부담 20%").contains(&Money));
        // 연구원 and 지원 end in 원 but are not money.
        assert!(!detect("연구원 지원 체계").contains(&Money));
    }

    #[test]
    fn dates_are_schedules_not_quantities() {
        assert_eq!(detect("2025년 3월 착수"), vec![Schedule]);
        assert!(detect("Q3 launch").contains(&Schedule));
        assert!(detect("piloted at 2 hospitals in 2025.").contains(&Schedule));
        assert!(!detect("연구원 2000명").contains(&Schedule));
    }

    #[test]
    fn market_terms_in_korean_and_english() {
        assert!(has("국내 시장 규모는 1.2조원, CAGR 15%", Market));
        assert!(has("TAM/SAM/SOM 분석", Market));
        assert!(!has("시장에 진출한다", Market));
    }

    #[test]
    fn latin_abbreviations_accept_korean_particles_but_not_longer_words() {
        assert!(has("IP를 확보했다", Ip));
        assert!(!has("ZIP 파일", Ip));
        assert!(has("KPI는 정확도 95%", Metric));
        assert!(has("MOU 3건 체결", Customer));
    }

    #[test]
    fn daepyo_counts_as_team_but_daepyojeok_does_not() {
        assert!(has("대표는 박사 학위를 보유", Team));
        assert!(!has("대표적인 사례", Team));
    }

    #[test]
    fn daebi_compares_but_daebihae_prepares() {
        assert!(has("경쟁사 대비 정확도 12%p 향상", Competition));
        assert!(!has("위험에 대비해 외부 검증", Competition));
    }

    #[test]
    fn policy_and_public_value() {
        assert!(has("탄소중립 정책에 부합하며 지역 일자리 30개 창출", Policy));
        assert!(has("ESG 경영", Policy));
    }
}

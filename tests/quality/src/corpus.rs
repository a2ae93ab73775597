//! The OCR text corpus: job-posting and résumé style lines in Korean and
//! English, filled in from templates by a seeded PRNG, and the image variants
//! each page is rendered in.

use crate::rng::Rng;

/// Line templates; `{n}` is a small number, `{y}` a year, `{d}` a date,
/// `{t}` a time, `{m}` an amount, `{p}` a percentage, `{s}` a TOEIC score.
const TEMPLATES: &[&str] = &[
    "백엔드 개발자 경력 채용 ({n}년 이상)",
    "서류 마감: {d} 18:00까지",
    "코딩 테스트는 {d} 오후 {n}시에 온라인으로 진행됩니다.",
    "주요 업무: 대용량 트래픽 처리 API 설계 및 운영",
    "자격 요건: Java 또는 Kotlin 실무 경험 {n}년 이상",
    "우대 사항: Kubernetes, AWS 운영 경험이 있으신 분",
    "연봉은 {m}만원부터 시작하며 성과급은 별도입니다.",
    "근무 시간: 09:00 ~ 18:00 (유연 근무제 운영)",
    "근무지: 서울 강남구 테헤란로, 역삼역 도보 5분",
    "전형 절차: 서류 전형, 코딩 테스트, 면접, 처우 협의",
    "복지: 점심 식대 지원, 연 1회 건강검진, 도서 구입비",
    "지원서 접수 후 {n}일 이내에 결과를 안내해 드립니다.",
    "재직기간 {y}.03 ~ 현재 (총 {n}년)",
    "결제 시스템 리팩터링으로 응답 시간을 {p}% 단축했습니다.",
    "신규 서비스 출시 후 월간 활성 사용자 {m}만 명 달성",
    "데이터 파이프라인을 설계하고 배치 작업을 자동화했습니다.",
    "팀원 {n}명과 함께 모바일 앱 백엔드를 개발했습니다.",
    "서울대학교 컴퓨터공학과 학사 졸업 ({y}년 2월)",
    "정보처리기사 자격증 취득 ({d})",
    "TOEIC {s}점, OPIc IH 등급 보유",
    "Responsibilities: design and operate payment APIs.",
    "Requirements: {n}+ years of backend development experience.",
    "Nice to have: experience with Kafka, Redis and PostgreSQL.",
    "Applications close on {d} at 6 p.m. KST.",
    "Led a team of {n} engineers to migrate services to Kubernetes.",
    "Reduced cloud costs by {p}% through capacity planning.",
    "Built a search service handling {m} queries per second.",
    "B.S. in Computer Science, Seoul National University, {y}",
    "Languages: Korean (native), English (fluent), Japanese (basic)",
    "The interview will take place on {d} at {t}.",
    "Our team ships small changes to production several times a day.",
    "Worked on the billing platform from {y} to {y}.",
    "Mentored {n} junior developers and ran weekly code reviews.",
    "Maintained CI pipelines with GitHub Actions and Jenkins.",
    "Benefits include remote work, a learning budget and health checkups.",
    "Please attach a resume and a short cover letter in PDF format.",
    "Designed REST and gRPC APIs used by {n} internal teams.",
    "Improved test coverage from {p}% to 85% in six months.",
    "Office: Teheran-ro, Gangnam-gu, Seoul (5 min from Yeoksam Station)",
    "Salary is negotiable; stock options are granted after {n} months.",
    "회의는 {d} {t}에 본사 3층 대회의실에서 열립니다.",
    "문의 사항은 채용 담당자에게 이메일로 보내 주세요.",
    "본 공고는 채용 완료 시 조기 마감될 수 있습니다.",
    "제출 서류: 이력서, 자기소개서, 포트폴리오 (선택)",
    "수습 기간은 {n}개월이며 급여는 100% 지급합니다.",
    "Spring Boot와 JPA 기반의 주문 서비스를 운영했습니다.",
    "장애 대응 프로세스를 정비하여 복구 시간을 {p}% 줄였습니다.",
    "사내 스터디를 운영하며 코드 리뷰 문화를 정착시켰습니다.",
    "Python과 Go로 내부 도구를 개발하고 유지보수했습니다.",
    "고객 문의 {m}건을 분석해 개선 과제를 도출했습니다.",
];

fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed placeholder");
        let value = match &rest[open + 1..close] {
            "n" => (2 + rng.below(9)).to_string(),
            "y" => (2012 + rng.below(13)).to_string(),
            "d" => format!("{}.{:02}.{:02}", 2024 + rng.below(3), 1 + rng.below(12), 1 + rng.below(28)),
            "t" => format!("{:02}:{:02}", 9 + rng.below(9), 10 * rng.below(6)),
            "m" => (100 + rng.below(9900)).to_string(),
            "p" => (5 + rng.below(60)).to_string(),
            "s" => (600 + 5 * rng.below(79)).to_string(),
            other => panic!("unknown placeholder {{{other}}}"),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `pages` pages of `lines` lines each; every template is used once before
/// any repeats (a seeded shuffle per round).
pub fn pages(seed: u64, pages: usize, lines: usize) -> Vec<Vec<String>> {
    pages_from(TEMPLATES, seed, pages, lines)
}

/// The same from the ASCII-only templates (for a Helvetica text layer).
pub fn ascii_pages(seed: u64, pages: usize, lines: usize) -> Vec<Vec<String>> {
    let ascii: Vec<&str> = TEMPLATES.iter().copied().filter(|t| t.is_ascii()).collect();
    pages_from(&ascii, seed, pages, lines)
}

fn pages_from(templates: &[&str], seed: u64, pages: usize, lines: usize) -> Vec<Vec<String>> {
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = Vec::new();
    let mut next = || {
        if order.is_empty() {
            order = (0..templates.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
        }
        let t = order.pop().expect("refilled");
        fill(templates[t], &mut rng)
    };
    (0..pages).map(|_| (0..lines).map(|_| next()).collect()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Degradation {
    Clean,
    /// Additive Gaussian noise, standard deviation in grey levels (of 255).
    Noise(f64),
    /// Rotation in degrees, counter-clockwise.
    Rotate(f64),
    /// JPEG at this quality.
    Jpeg(u8),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    pub px: u32,
    pub degradation: Degradation,
}

impl Variant {
    pub fn name(&self) -> String {
        match self.degradation {
            Degradation::Clean => format!("{}px-clean", self.px),
            Degradation::Noise(s) => format!("{}px-noise-sigma{s}", self.px),
            Degradation::Rotate(d) => format!("{}px-rotate-{d}deg", self.px),
            Degradation::Jpeg(q) => format!("{}px-jpeg-q{q}", self.px),
        }
    }
}

pub const NOISE_SIGMA: f64 = 20.0;
pub const ROTATION_DEGREES: f64 = 2.0;
pub const JPEG_QUALITY: u8 = 40;

pub fn variants() -> Vec<Variant> {
    let mut v: Vec<Variant> = [12, 16, 24, 32].map(|px| Variant { px, degradation: Degradation::Clean }).to_vec();
    for degradation in
        [Degradation::Noise(NOISE_SIGMA), Degradation::Rotate(ROTATION_DEGREES), Degradation::Jpeg(JPEG_QUALITY)]
    {
        for px in [16, 24] {
            v.push(Variant { px, degradation });
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_the_same_for_the_same_seed() {
        assert_eq!(pages(7, 3, 8), pages(7, 3, 8));
    }

    #[test]
    fn pages_differ_for_another_seed() {
        assert_ne!(pages(7, 3, 8), pages(8, 3, 8));
    }

    #[test]
    fn pages_use_every_template_before_repeating_one() {
        let lines: Vec<String> = pages(3, 1, TEMPLATES.len()).concat();
        for t in TEMPLATES {
            let literal = &t[..t.find('{').unwrap_or(t.len())];
            assert!(lines.iter().any(|l| l.starts_with(literal)), "`{t}` unused");
        }
    }

    #[test]
    fn ascii_pages_are_ascii() {
        assert!(ascii_pages(5, 2, 30).concat().iter().all(|l| l.is_ascii()));
    }

    #[test]
    fn fill_leaves_no_placeholder() {
        let mut rng = Rng::new(1);
        assert!(TEMPLATES.iter().all(|t| !fill(t, &mut rng).contains('{')));
    }
}

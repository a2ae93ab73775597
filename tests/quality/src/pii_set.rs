//! A labelled set of realistic résumé, job-posting and form lines (Korean and
//! English), written for this benchmark independently of the detector and its
//! own regression set. Spans are marked inline as `[[kind:text]]`; lines
//! without marks are negatives (look-alikes: dates, times, versions, order
//! numbers, ISBNs, prices, coordinates, corporate numbers, …).
//!
//! Numbers that carry a check digit in real life are generated with a valid
//! one (see [`crate::checks`]): Luhn for cards, the pre-October-2020 formulas
//! for resident and foreigner registration numbers.

use std::ops::Range;

use masking::PiiKind;

use crate::checks::{card, corporate_number, ean13_digit, frn, rrn};

/// One labelled PII span; `chars` counts `char`s of the line text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: PiiKind,
    pub chars: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledLine {
    pub text: String,
    pub spans: Vec<Span>,
}

fn kind_of(code: &str) -> PiiKind {
    match code {
        "phone" => PiiKind::Phone,
        "email" => PiiKind::Email,
        "rrn" => PiiKind::ResidentRegistrationNumber,
        "frn" => PiiKind::ForeignerRegistrationNumber,
        "card" => PiiKind::CardNumber,
        "passport" => PiiKind::PassportNumber,
        "license" => PiiKind::DriverLicenseNumber,
        "account" => PiiKind::BankAccount,
        "name" => PiiKind::Name,
        "address" => PiiKind::Address,
        other => panic!("unknown label kind `{other}`"),
    }
}

/// Parses `[[kind:text]]` marks out of `marked`.
pub fn parse(marked: &str) -> LabelledLine {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let inner = &rest[open + 2..];
        let close = inner.find("]]").unwrap_or_else(|| panic!("unclosed mark in `{marked}`"));
        let (code, value) = inner[..close].split_once(':').unwrap_or_else(|| panic!("mark without kind in `{marked}`"));
        let start = text.chars().count();
        text.push_str(value);
        spans.push(Span { kind: kind_of(code), chars: start..text.chars().count() });
        rest = &inner[close + 2..];
    }
    text.push_str(rest);
    LabelledLine { text, spans }
}

/// The whole set, in a fixed order.
pub fn lines() -> Vec<LabelledLine> {
    marked_lines().iter().map(|l| parse(l)).collect()
}

fn marked_lines() -> Vec<String> {
    let c4 = [4, 4, 4, 4];
    let amex = [4, 6, 5];
    let isbn_body = "978896626389";
    let isbn = format!("978-89-6626-389-{}", ean13_digit(isbn_body));
    let ean = format!("880{}{}", "123405678", ean13_digit("880123405678"));

    let v: Vec<String> = vec![
        // ---- résumé header / personal details ----
        "이 력 서".into(),
        "성명: [[name:김민준]]".into(),
        "영문성명: [[name:KIM MINJUN]]".into(),
        format!("주민등록번호: [[rrn:{}]]", rrn("850314", 1, "02317")),
        "연락처: [[phone:010-4827-3915]]".into(),
        "이메일: [[email:minjun.kim85@gmail.com]]".into(),
        "주소: [[address:서울특별시 강남구 테헤란로 152, 12층]]".into(),
        "희망연봉: 5,200만원 (협의 가능)".into(),
        "작성일: 2024-03-15".into(),
        "이름 [[name:이서연]]   휴대폰 [[phone:010 2931 7745]] (문자 가능)".into(),
        format!("주민번호 [[rrn:{}]] (본인 확인용)", rrn("920721", 2, "14520")),
        "거주지 [[address:경기도 성남시 분당구 판교역로 235]]".into(),
        "Name: [[name:Jiwoo Kim]]".into(),
        "Mobile: [[phone:+82 10-5512-0843]]   Email: [[email:sarah.lee+jobs@yahoo.co.kr]]".into(),
        "Address: [[address:24, Sejong-daero 9-gil, Jung-gu, Seoul]]".into(),
        "GitHub: github.com/jwkim-dev · Blog: jwkim.dev".into(),
        "Applicant: [[name:Sarah Lee]]".into(),
        "지원자 [[name:박지호]] (남, 만 29세)".into(),
        format!("성명 [[name:정예준]]   주민등록번호 [[rrn:{}]]", rrn("770102", 1, "38215")),
        format!("생년월일/주민번호: [[rrn:{}]]", rrn("881130", 2, "57204").replace('-', "")),
        format!("RRN: [[rrn:{}]]", rrn("950606", 1, "22841")),
        "H.P: [[phone:01093158802]]".into(),
        "자택 [[phone:051-622-1934]]   핸드폰번호 : [[phone:016-392-5570]]".into(),
        "현주소 : [[address:부산광역시 해운대구 센텀중앙로 97, 101동 1203호]]".into(),
        "Home address: [[address:12 Olympic-ro 35-gil, Songpa-gu, Seoul 05510]]".into(),
        "자택주소: [[address:대전광역시 유성구 대학로 99, 3동 402호]]".into(),
        "본적 [[address:대구광역시 수성구 달구벌대로 2450]]".into(),
        "등록기준지 [[address:전라북도 전주시 완산구 효자로 225]]".into(),
        "E-mail [[email:seoyeon_lee@naver.com]]".into(),
        "Phone [[phone:+82-10-2284-6619]] (WhatsApp)".into(),
        "계정 [[email:taehyun1992@hanmail.net]] / 비밀번호 재설정 필요".into(),
        // ---- education, career, skills (negatives) ----
        "학력사항".into(),
        "서울대학교 컴퓨터공학과 졸업 (2016.02)".into(),
        "학점 3.87 / 4.5   TOEIC 925점 (2023.05.28)".into(),
        "재직기간 2018.03 ~ 2022.02 (3년 11개월)".into(),
        "㈜네오테크 백엔드 개발 (Java 17, Spring Boot 3.2.1)".into(),
        "Python 3.11.4, Node.js v20.11.1, PostgreSQL 15.2".into(),
        "Kotlin 1.9.22 / Gradle 8.5 / Docker 24.0.7".into(),
        "프로젝트 기간: 2021년 3월 ~ 2022년 8월 (18개월)".into(),
        "트래픽 일 1,200만 건 처리, 응답시간 35% 단축".into(),
        "Seoul National University, B.S. in Computer Science, 2016".into(),
        "정보처리기사 (2017.11.24 취득, 자격번호 17201030482T)".into(),
        "수상: 2019 공개SW 개발자대회 은상".into(),
        "운전면허 1종 보통 이상 소지자 우대".into(),
        "여권 유효기간이 6개월 이상 남아 있어야 합니다".into(),
        // ---- job posting ----
        "[한빛소프트] 백엔드 개발자 경력 채용".into(),
        "서류 마감: 2025.01.15(수) 18:00까지".into(),
        "코딩테스트: 1월 20일 오후 2시 ~ 4시".into(),
        "근무지: 서울 강남구 (역삼역 도보 5분)".into(),
        "근무지 주소: [[address:경기도 수원시 영통구 삼성로 129]]".into(),
        "연봉 4,800만원 ~ 6,200만원, 스톡옵션 별도".into(),
        "채용공고 번호 JP-2024-00871".into(),
        "지원서는 [[email:recruit@hanbit-soft.co.kr]]로 제출해 주세요.".into(),
        "Send your CV to [[email:careers@nextlab.ai]] by Friday, March 29.".into(),
        "문의: 인사팀 [[phone:070-4113-9027]]".into(),
        "담당자 [[name:최수아]] 과장 / 전화 [[phone:02-3456-7821]] / 내선 204".into(),
        "Tel. [[phone:031-789-4410]]   Fax. [[phone:031-789-4411]]".into(),
        "담당: [[name:강하은]] 매니저 ([[email:haeun.kang@startup.io]])".into(),
        "면접 일정 변경은 [[phone:010-3358-9021]]로 연락 바랍니다.".into(),
        "전화 상담 가능 시간: 09:00-18:00 (점심 12:00-13:00 제외)".into(),
        "모집인원 0명 (경력 5년 이상), 수습기간 3개월".into(),
        "복지: 점심 식대 월 20만원, 건강검진 연 1회".into(),
        "사업자등록번호 214-86-39127".into(),
        format!("법인등록번호 {}", corporate_number("110111234567")),
        format!("법인등록번호 {}", corporate_number("134511001234")),
        "우편번호 06236".into(),
        "회의실 B-1203호 (12층)".into(),
        "[[name:강하은]] 님, 서류 전형에 합격하셨습니다.".into(),
        "추천인: [[name:오민석]] 교수 (KAIST 전산학부)".into(),
        "Reference: Prof. [[name:Daniel Park]], KAIST".into(),
        "작성자: [[name:조도윤]]".into(),
        "성명 란에는 여권과 동일한 영문 이름을 기재하세요.".into(),
        "이름: (한글)                 서명:".into(),
        "주소 변경 시 14일 이내에 신고해야 합니다.".into(),
        "연락처 기재 필수 (휴대폰 또는 이메일)".into(),
        "계좌번호는 본인 명의만 가능합니다.".into(),
        "주민등록등본 1부 (최근 3개월 이내 발급)".into(),
        "외국인등록증 사본 1부".into(),
        "전화번호 형식: 000-0000-0000".into(),
        // ---- forms: payroll, insurance, immigration ----
        "급여 계좌: 국민은행 [[account:482101-01-337265]]".into(),
        "입금계좌 신한 [[account:110-392-847561]] (예금주 [[name:이서연]])".into(),
        "환불 받으실 계좌: 우리은행 [[account:1002-843-129087]]".into(),
        "Bank account: Hana Bank [[account:357-910284-73607]]".into(),
        "카카오뱅크 [[account:3333-07-4829163]]".into(),
        "농협 [[account:302-1184-5529-71]] (급여 이체)".into(),
        "IBK기업은행 [[account:283-047391-01-018]]".into(),
        "예금주 [[name:윤지우]] / 계좌 [[account:1002-551-203948]]".into(),
        "토스뱅크 [[account:1000-2384-7719]]".into(),
        "후원 계좌: 하나은행 [[account:219-910473-15207]]".into(),
        "새마을금고 [[account:9002-1937-4482-1]]".into(),
        "Account No. [[account:620-204815-719]] (SC제일은행)".into(),
        "계좌이체 수수료 500원 면제".into(),
        format!("카드번호: [[card:{}]]", card("451842073916528", &c4, "-")),
        format!("결제 카드 [[card:{}]] (신한)", card("536510298437716", &c4, "-")),
        format!("Card No. [[card:{}]]", card("941037625180443", &c4, " ")),
        format!("법인카드 [[card:{}]] 유효기간 08/27", card("356074219983051", &c4, "")),
        format!("AMEX [[card:{}]]", card("37629104857320", &amex, "-")),
        format!("신용카드 번호 [[card:{}]]", card("624311805274961", &c4, " ")),
        format!("Visa [[card:{}]] exp 11/26", card("404825193760218", &c4, "-")),
        format!("자동이체 카드: [[card:{}]]", card("552176004839125", &c4, "-")),
        format!("취소 처리할 카드 [[card:{}]]", card("949025718364402", &c4, "-")),
        format!("후불교통카드 [[card:{}]]", card("465887230195574", &c4, " ")),
        format!("체크카드 [[card:{}]] (본인 명의)", card("531839920476681", &c4, "-")),
        format!("American Express [[card:{}]]", card("37918273645012", &amex, " ")),
        "카드 결제 시 3개월 무이자 할부".into(),
        "상품권 번호 4021 8833 1920 5562".into(),
        "주문번호 2024031587651234".into(),
        "결제금액 32,400원 / 승인번호 30012845".into(),
        "Order ID 112-4938271-5530921".into(),
        "Invoice #INV-2024-00417   Total $1,299.00".into(),
        "운송장번호 6891-2234-7710 (CJ대한통운)".into(),
        "Tracking: 1Z999AA10123456784".into(),
        format!("ISBN {isbn}"),
        format!("바코드 {ean}"),
        "접수번호 20240315-000123".into(),
        format!("피보험자 주민번호 [[rrn:{}]]", rrn("690825", 1, "40917")),
        format!("본인([[rrn:{}]])은 위 내용이 사실임을 확인합니다.", rrn("990417", 2, "09382")),
        format!("신청인 [[name:윤지우]] ([[rrn:{}]])", rrn("840909", 2, "31657")),
        format!("부양가족: 자녀 [[rrn:{}]]", rrn("150630", 3, "27419")),
        format!("주민등록번호 [[rrn:{}]]", rrn("010915", 3, "04128")),
        format!("배우자 주민등록번호: [[rrn:{}]]", rrn("030228", 4, "11736")),
        format!("주민등록번호 [[rrn:{}]]", rrn("910203", 1, "56023").replace('-', " - ")),
        format!("보호자 성명 [[name:황보현우]]   주민번호 [[rrn:{}]]", rrn("751218", 2, "18843")),
        format!("외국인등록번호: [[frn:{}]]", frn("870512", 5, "10236")),
        format!("Alien Registration No. [[frn:{}]]", frn("930118", 6, "24117")),
        format!("외국인등록번호 [[frn:{}]] (E-7 비자)", frn("790903", 5, "38028")),
        format!("Foreign Resident ID: [[frn:{}]]", frn("010422", 7, "12509")),
        format!("외국인 근로자 [[name:Nguyen Van An]] / 등록번호 [[frn:{}]]", frn("960730", 6, "46316")),
        format!("외국인등록번호 [[frn:{}]]", frn("850211", 5, "20447").replace('-', "")),
        format!("체류자 등록번호: [[frn:{}]]", frn("021105", 8, "14078")),
        format!("Residence card no. [[frn:{}]]", frn("900615", 5, "32126")),
        format!("외국인 등록번호 [[frn:{}]] (F-2)", frn("880927", 6, "18539")),
        format!("등록번호(외국인) [[frn:{}]]", frn("940304", 5, "44218")),
        format!("ARC No. [[frn:{}]]", frn("991220", 6, "26067")),
        "여권번호: [[passport:M47281935]]".into(),
        "Passport No.: [[passport:M572B3192]]".into(),
        "여권 번호 [[passport:S10482273]] (관용)".into(),
        "영문성명 [[name:PARK SEOYUN]] / 여권번호 [[passport:M93016458]]".into(),
        "Passport: [[passport:M118K0421]] (exp. 2031-05-09)".into(),
        "여권번호 [[passport:R21934670]]".into(),
        "PASSPORT NO [[passport:M66204713]]".into(),
        "출국 시 여권번호([[passport:M305C8841]])를 기재".into(),
        "여권 : [[passport:M80431526]]".into(),
        "Passport number [[passport:M241D6093]], issued in Seoul".into(),
        "동반자 여권번호 [[passport:M71539084]]".into(),
        "운전면허번호: [[license:11-19-273645-81]]".into(),
        "운전면허 [[license:서울 08-104729-33]]".into(),
        "Driver's License No. [[license:13-15-558201-40]]".into(),
        "면허번호 [[license:26-21-004817-72]] (1종 보통)".into(),
        "운전면허증 번호 [[license:경기 12-339104-51]]".into(),
        "자동차운전면허: [[license:12-17-820463-09]]".into(),
        "면허 번호 [[license:28-10-613720-55]] / 갱신 2029.12.31".into(),
        "운전면허번호 [[license:111904837261]]".into(),
        "DL# [[license:21-18-771230-64]]".into(),
        "면허증 [[license:부산 11-204738-27]]".into(),
        "운전경력 확인: 면허번호 [[license:14-09-382615-90]]".into(),
        "배송지 [[address:인천광역시 연수구 송도과학로 32]]".into(),
        "주 소 [[address:광주광역시 북구 용봉로 77]]".into(),
        "우편물 수령지: [[address:강원특별자치도 춘천시 중앙로 1]]".into(),
        "[[address:서울 관악구 신림동 1423-7]] 2층".into(),
        "소재지 [[address:서울시 마포구 월드컵북로 396 (상암동)]]".into(),
        "비상연락망: [[name:임하린]] ([[phone:010.7763.2048]])".into(),
        "보호자 연락처 [[phone:010-6042-1187]] (모)".into(),
        "참조: [[email:cc-admin@univ.ac.kr]]".into(),
        "메일 주소 [[email:hr_team@daum.net]]".into(),
        "Contact: [[email:d.park@example.org]]".into(),
        "[[email:jiho-park@kakao.com]] 으로 회신 부탁드립니다".into(),
        "회신: [[email:jw.yoon@outlook.com]]".into(),
        "이름 [[name:한지민]] / 소속 데이터플랫폼팀".into(),
        "신청인 성명: [[name:신유나]]".into(),
        "Name [[name:Minho Choi]]   Nationality: Republic of Korea".into(),
        // ---- miscellaneous negatives ----
        "위치 37.5665, 126.9780".into(),
        "GPS: 35.1796° N, 129.0756° E".into(),
        "좌표 (127.0276, 37.4979)".into(),
        "버전 1.24.3-beta.2 배포 (build 20240315.1)".into(),
        "시간: 14:00 ~ 17:30".into(),
        "2024년 3월 15일 금요일 오후 2시 30분".into(),
        "IP 192.168.10.254 / 포트 8080".into(),
        "MAC 00:1A:2B:3C:4D:5E".into(),
        "UUID 3f2b8c1e-7a4d-4e2b-9c1f-0d8e6a5b4c3d".into(),
        "타임스탬프 1710489600".into(),
        "해상도 1920x1080, 60Hz".into(),
        "모델명 SM-S921N, 시리얼 R5CX21ABCDE".into(),
        "면적 84.97㎡ (25.7평)".into(),
        "Q3 매출 1,204억 원, 전년 대비 12.4% 증가".into(),
        "문서번호 2024-0315-0042".into(),
        "가격: ₩1,250,000 (VAT 별도)".into(),
        "점수: 98.5 / 100, 상위 3%".into(),
        "Room 1203, 12F conference room".into(),
        "Jeju trip 2023 (3 nights, 4 days)".into(),
        "Released 2024-11-02, v2.0.10".into(),
        "ETA 2025-02-14 09:30 KST".into(),
        "전화 면접 1회, 대면 면접 2회 예정".into(),
        "이메일로 결과를 안내해 드립니다.".into(),
        "참고: 주민등록번호 뒷자리는 기재하지 마세요.".into(),
    ];
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{frn_digit, luhn_valid, rrn_digit};

    #[test]
    fn parse_strips_marks_and_records_char_ranges() {
        let l = parse("성명: [[name:김민준]] / [[phone:010-1234-5678]]");
        assert_eq!(l.text, "성명: 김민준 / 010-1234-5678");
        assert_eq!(l.spans[0], Span { kind: PiiKind::Name, chars: 4..7 });
        assert_eq!(l.spans[1], Span { kind: PiiKind::Phone, chars: 10..23 });
    }

    #[test]
    fn every_kind_has_at_least_ten_positives() {
        let lines = lines();
        for kind in PiiKind::ALL {
            let n = lines.iter().flat_map(|l| &l.spans).filter(|s| s.kind == kind).count();
            assert!(n >= 10, "{} has only {n} labelled spans", kind.as_str());
        }
    }

    #[test]
    fn every_labelled_card_passes_luhn() {
        for line in lines() {
            for s in line.spans.iter().filter(|s| s.kind == PiiKind::CardNumber) {
                let text: String = line.text.chars().skip(s.chars.start).take(s.chars.len()).collect();
                assert!(luhn_valid(&text), "{text}");
            }
        }
    }

    #[test]
    fn every_labelled_registration_number_has_its_check_digit() {
        for line in lines() {
            for s in &line.spans {
                let check: fn(&str) -> u32 = match s.kind {
                    PiiKind::ResidentRegistrationNumber => rrn_digit,
                    PiiKind::ForeignerRegistrationNumber => frn_digit,
                    _ => continue,
                };
                let digits: String =
                    line.text.chars().skip(s.chars.start).take(s.chars.len()).filter(char::is_ascii_digit).collect();
                assert_eq!(digits.len(), 13, "{}", line.text);
                assert_eq!(check(&digits[..12]), digits[12..].parse::<u32>().unwrap(), "{}", line.text);
            }
        }
    }
}

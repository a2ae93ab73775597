//! Small labelled evaluation: per-kind recall and precision over hand-written
//! lines. Run with `cargo test -p masking --test eval -- --nocapture` for the table.

use std::collections::BTreeMap;

use masking::{Line, PiiKind, detect};

use PiiKind::*;

/// Lines containing PII, with every span a masker must hide.
const POSITIVES: &[(&str, &[(PiiKind, &str)])] = &[
    ("연락처: 010-1234-5678", &[(Phone, "010-1234-5678")]),
    ("휴대전화 01098765432", &[(Phone, "01098765432")]),
    ("HP 010 2345 6789", &[(Phone, "010 2345 6789")]),
    ("010.5555.1234 으로 문자 주세요", &[(Phone, "010.5555.1234")]),
    ("016-234-5678 (구번호)", &[(Phone, "016-234-5678")]),
    ("서울 사무실 02-3456-7890", &[(Phone, "02-3456-7890")]),
    ("부산지점 051-123-4567", &[(Phone, "051-123-4567")]),
    ("Tel. (031) 987-6543  Fax. (031) 987-6544", &[(Phone, "(031) 987-6543"), (Phone, "(031) 987-6544")]),
    ("인터넷전화 070-8765-4321", &[(Phone, "070-8765-4321")]),
    ("안심번호 0505-123-4567로 연결", &[(Phone, "0505-123-4567")]),
    ("고객센터 1588-1234 (평일 9시~18시)", &[(Phone, "1588-1234")]),
    ("Contact: +82-10-9876-5432", &[(Phone, "+82-10-9876-5432")]),
    ("Phone +82 2 312 3456", &[(Phone, "+82 2 312 3456")]),
    ("담당자 김민수(010-4444-5555)", &[(Name, "김민수"), (Phone, "010-4444-5555")]),
    ("email: hong@example.com", &[(Email, "hong@example.com")]),
    ("문의는 support.team@capsule.co.kr 로 보내주세요.", &[(Email, "support.team@capsule.co.kr")]),
    ("Reach me at j.doe+work@mail.example.org.", &[(Email, "j.doe+work@mail.example.org")]),
    ("CC: lee_2024@naver.com, park99@gmail.com", &[(Email, "lee_2024@naver.com"), (Email, "park99@gmail.com")]),
    ("주민등록번호: 900101-1234568", &[(ResidentRegistrationNumber, "900101-1234568")]),
    ("주민번호 850315-2045123", &[(ResidentRegistrationNumber, "850315-2045123")]),
    ("020228-3112348", &[(ResidentRegistrationNumber, "020228-3112348")]),
    ("RRN 9912314551231", &[(ResidentRegistrationNumber, "9912314551231")]),
    ("신청인 주민등록번호 210315-4123456", &[(ResidentRegistrationNumber, "210315-4123456")]),
    ("850315 - 2045123", &[(ResidentRegistrationNumber, "850315 - 2045123")]),
    ("750420-6012347", &[(ForeignerRegistrationNumber, "750420-6012347")]),
    ("외국인등록번호 880808-5123455", &[(ForeignerRegistrationNumber, "880808-5123455")]),
    ("Alien registration 010505-7332217", &[(ForeignerRegistrationNumber, "010505-7332217")]),
    ("외국인 등록번호: 220101-8123456", &[(ForeignerRegistrationNumber, "220101-8123456")]),
    ("카드번호 4111 1111 1111 1111", &[(CardNumber, "4111 1111 1111 1111")]),
    ("결제카드: 5380-1234-5678-9014", &[(CardNumber, "5380-1234-5678-9014")]),
    ("9410123456789010", &[(CardNumber, "9410123456789010")]),
    ("AMEX 3782 822463 10005", &[(CardNumber, "3782 822463 10005")]),
    ("JCB 3560-1234-5678-9011 유효기간 12/27", &[(CardNumber, "3560-1234-5678-9011")]),
    ("Card: 6011123456789019", &[(CardNumber, "6011123456789019")]),
    ("Visa 4500 1234 5678 9012 34", &[(CardNumber, "4500 1234 5678 9012 34")]),
    ("여권번호: M12345678", &[(PassportNumber, "M12345678")]),
    ("여권 번호 M123A4567", &[(PassportNumber, "M123A4567")]),
    ("Passport No. S98765432", &[(PassportNumber, "S98765432")]),
    ("PASSPORT R12345678 issued 2020", &[(PassportNumber, "R12345678")]),
    ("M987B6543", &[(PassportNumber, "M987B6543")]),
    ("운전면허번호 11-12-345678-90", &[(DriverLicenseNumber, "11-12-345678-90")]),
    ("면허: 서울 12-345678-90", &[(DriverLicenseNumber, "서울 12-345678-90")]),
    ("Driver's license 13-09-123456-01", &[(DriverLicenseNumber, "13-09-123456-01")]),
    ("경기 15-123456-78", &[(DriverLicenseNumber, "경기 15-123456-78")]),
    ("면허번호 211798765432", &[(DriverLicenseNumber, "211798765432")]),
    ("국민은행 123456-78-901234", &[(BankAccount, "123456-78-901234")]),
    ("신한 110-123-456789 예금주 홍길동", &[(BankAccount, "110-123-456789"), (Name, "홍길동")]),
    ("우리은행 1002-123-456789", &[(BankAccount, "1002-123-456789")]),
    ("카카오뱅크 3333-01-1234567", &[(BankAccount, "3333-01-1234567")]),
    ("입금계좌: 하나 123-456789-12345", &[(BankAccount, "123-456789-12345")]),
    ("농협 302-1234-5678-91", &[(BankAccount, "302-1234-5678-91")]),
    ("토스뱅크 1000 1234 5678", &[(BankAccount, "1000 1234 5678")]),
    ("Account: 110123456789 (Shinhan)", &[(BankAccount, "110123456789")]),
    ("IBK 기업 010-123456-01-011", &[(BankAccount, "010-123456-01-011")]),
    ("성명: 홍길동", &[(Name, "홍길동")]),
    ("이름：김철수", &[(Name, "김철수")]),
    ("성명 남궁민수", &[(Name, "남궁민수")]),
    ("성함: 이영희 님", &[(Name, "이영희")]),
    ("수령인: 박지성 연락처: 010-2222-3333", &[(Name, "박지성"), (Phone, "010-2222-3333")]),
    ("Name: John Smith", &[(Name, "John Smith")]),
    ("Full name: Jane Doe", &[(Name, "Jane Doe")]),
    ("NAME: HONG GILDONG", &[(Name, "HONG GILDONG")]),
    ("보호자 성명: 최민호", &[(Name, "최민호")]),
    ("주소: 서울특별시 강남구 테헤란로 123", &[(Address, "서울특별시 강남구 테헤란로 123")]),
    ("거주지 경기도 성남시 분당구 판교역로 235", &[(Address, "경기도 성남시 분당구 판교역로 235")]),
    (
        "배송지: 부산광역시 해운대구 센텀중앙로 97, 101동 1203호",
        &[(Address, "부산광역시 해운대구 센텀중앙로 97, 101동 1203호")],
    ),
    ("Address: 221B Baker Street, London", &[(Address, "221B Baker Street, London")]),
    ("주소 대전광역시 유성구 대학로 99", &[(Address, "대전광역시 유성구 대학로 99")]),
    ("본사: 서울특별시 중구 세종대로 110", &[(Address, "서울특별시 중구 세종대로 110")]),
    ("서울 마포구 월드컵북로 396 누리꿈스퀘어", &[(Address, "서울 마포구 월드컵북로 396")]),
    (
        "Home address: 1600 Amphitheatre Parkway, Mountain View",
        &[(Address, "1600 Amphitheatre Parkway, Mountain View")],
    ),
    ("TEL:02)123-4567", &[(Phone, "02)123-4567")]),
    ("예전 번호 010-123-4567", &[(Phone, "010-123-4567")]),
    ("서울시 강남구 역삼동 123-45", &[(Address, "서울시 강남구 역삼동 123-45")]),
    ("예금주: 홍길동 / 국민 123456-01-234567", &[(Name, "홍길동"), (BankAccount, "123456-01-234567")]),
    ("NH농협 352-1234-5678-93", &[(BankAccount, "352-1234-5678-93")]),
    ("Account holder: Kim Minsu", &[(Name, "Kim Minsu")]),
    (
        "성명: 김영수 주민등록번호: 900101-1234568 주소: 서울특별시 종로구 종로 1",
        &[(Name, "김영수"), (ResidentRegistrationNumber, "900101-1234568"), (Address, "서울특별시 종로구 종로 1")],
    ),
    ("영문성명: LEE SOYEON", &[(Name, "LEE SOYEON")]),
    ("Candidate: Michael Brown", &[(Name, "Michael Brown")]),
    ("Referee: Dr. Hannah Cho, Korea University", &[(Name, "Hannah Cho")]),
    ("작성자: 윤지호", &[(Name, "윤지호")]),
    ("담당 정수빈 주임 (02-345-6789)", &[(Name, "정수빈"), (Phone, "02-345-6789")]),
    ("비상연락처: 배우자 한미경 010-3456-7890", &[(Name, "한미경"), (Phone, "010-3456-7890")]),
    ("오세훈 님, 최종 합격을 축하드립니다!", &[(Name, "오세훈")]),
    ("신협 132-045-678901-2", &[(BankAccount, "132-045-678901-2")]),
    ("MG새마을금고 9003-2456-7788-3", &[(BankAccount, "9003-2456-7788-3")]),
];

/// Lines without PII that look numeric or label-like enough to tempt a detector.
const NEGATIVES: &[&str] = &[
    "2025.03.14",
    "2025-03-14",
    "작성일: 20250314",
    "2025년 3월 14일 (금)",
    "회의 14:00 ~ 15:30",
    "마감 2025/03/14 23:59:59",
    "v2.1.3 release notes",
    "version 1.2.3.4",
    "build 10.0.19045.4291",
    "주문번호 2024031512345",
    "주문번호: 2403151234567",
    "Order #100234567890",
    "운송장번호 612345678901",
    "송장: 5678-1234-9012",
    "ISBN 978-89-12345-67-8",
    "ISBN 9791123456789",
    "ISBN: 978-0-306-40615-7",
    "합계 3,000,000원",
    "₩12,000",
    "$1,234.56",
    "총액 1,234,567,890원",
    "입금액 1000000000원",
    "가격: 15000원 (부가세 포함)",
    "37.5665, 126.9780",
    "위도 35.1796 경도 129.0756",
    "우편번호 06236",
    "(우) 13494",
    "사업자등록번호 123-45-67890",
    "사업자번호: 220-81-62517",
    "하나은행 사업자 123-45-67890",
    "IP 192.168.0.1",
    "MAC 00:1A:2B:3C:4D:5E",
    "UUID 550e8400-e29b-41d4-a716-446655440000",
    "1592-1598년 임진왜란",
    "인구 51,740,000명",
    "매출 2024년 1,234억원",
    "페이지 12 / 345",
    "Room 1203, Floor 12",
    "점수 98.5점, 순위 3/120",
    "모델명 S123A4567",
    "회원코드 M12345678",
    "SKU: M20240315",
    "상품코드 1234567890123",
    "4111 1111 1111 1112",
    "0000 0000 0000 0000 0000",
    "Company Name: Acme Corp",
    "회사 이름: 캡슐",
    "이름 바꾸기",
    "파일 이름: report.pdf",
    "Product name: Galaxy Book",
    "username: john123",
    "주소 변경 신청",
    "IP 주소: 10.0.0.1",
    "E-mail address required",
    "우리는 2024년에 설립되었습니다",
    "하나의 계좌만 개설 가능합니다",
    "국민연금 납부 2025.01.10",
    "계좌이체 수수료 500원",
    "전화 주세요",
    "Call us anytime!",
    "온도 23.5°C 습도 45%",
    "비율 16:9 해상도 1920x1080",
    "12345678901234567890",
    "Tracking 1Z999AA10123456784",
    "코드 A1B2-C3D4-E5F6",
    "예약번호 2503141234",
    "승인번호 30012345",
    "세종대왕 동상",
    "강남구청역 3번 출구",
    "시간표: 1교시 09:00-09:50",
    "10월 15일 1500-1800 행사",
    "2024-03-15 10:30:00 로그인 IP 211.234.56.78",
    "송금 1,500,000원 2025.03.14",
    "생년월일 900101",
    "Score 0.9123456789",
    "좌표 37.566535,126.977969",
    "2025-03-14 ~ 2025-04-14",
    "강남구 역삼동 3번 출구",
    "우리 팀 회의는 3층에서",
    "오늘 배송지 변경 불가",
    "고객번호 0123456789",
    "법인등록번호: 134511-0012345",
    "사업자등록번호 105-87-12345",
    "담당 업무: 회계 및 세무",
    "지원자 모집 요강",
    "보호자 연락처를 적어 주세요",
    "회사명: 한빛소프트",
    "직책: 책임연구원",
    "Manager: Customer Support Team",
    "Dear Valued Customer,",
    "고객님, 결제가 완료되었습니다.",
];

#[derive(Default)]
struct Tally {
    true_positives: usize,
    false_negatives: usize,
    false_positives: usize,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 { 1.0 } else { num as f64 / den as f64 }
}

fn evaluate() -> BTreeMap<PiiKind, Tally> {
    let mut tallies: BTreeMap<PiiKind, Tally> = PiiKind::ALL.into_iter().map(|k| (k, Tally::default())).collect();
    let cases = POSITIVES.iter().map(|(t, e)| (*t, *e)).chain(NEGATIVES.iter().map(|t| (*t, &[][..])));
    for (text, expected) in cases {
        let found = detect(&[Line::text_only(text)]);
        for (kind, span) in expected {
            let hit = found.iter().any(|d| d.kind == *kind && d.text == *span);
            let tally = tallies.entry(*kind).or_default();
            if hit {
                tally.true_positives += 1;
            } else {
                tally.false_negatives += 1;
                println!("MISS {kind:?} {span:?} in {text:?}: {found:?}");
            }
        }
        for d in &found {
            if !expected.iter().any(|(k, s)| *k == d.kind && *s == d.text) {
                tallies.entry(d.kind).or_default().false_positives += 1;
                println!("FALSE {:?} {:?} in {text:?}", d.kind, d.text);
            }
        }
    }
    tallies
}

#[test]
fn evaluation_set_is_big_enough() {
    assert!(POSITIVES.len() >= 60, "{} positive lines", POSITIVES.len());
    assert!(NEGATIVES.len() >= 60, "{} negative lines", NEGATIVES.len());
    let kinds: std::collections::BTreeSet<PiiKind> =
        POSITIVES.iter().flat_map(|(_, e)| e.iter().map(|(k, _)| *k)).collect();
    assert_eq!(kinds.len(), PiiKind::ALL.len(), "every kind needs positives");
}

#[test]
fn recall_and_precision_meet_targets() {
    let tallies = evaluate();
    println!("{} positive lines, {} negative lines", POSITIVES.len(), NEGATIVES.len());
    println!("{:<32} {:>4} {:>4} {:>4} {:>7} {:>9}", "kind", "tp", "fn", "fp", "recall", "precision");
    let mut total = Tally::default();
    for (kind, t) in &tallies {
        println!(
            "{:<32} {:>4} {:>4} {:>4} {:>7.3} {:>9.3}",
            kind.as_str(),
            t.true_positives,
            t.false_negatives,
            t.false_positives,
            ratio(t.true_positives, t.true_positives + t.false_negatives),
            ratio(t.true_positives, t.true_positives + t.false_positives),
        );
        total.true_positives += t.true_positives;
        total.false_negatives += t.false_negatives;
        total.false_positives += t.false_positives;
    }
    let recall = ratio(total.true_positives, total.true_positives + total.false_negatives);
    let precision = ratio(total.true_positives, total.true_positives + total.false_positives);
    println!(
        "{:<32} {:>4} {:>4} {:>4} {:>7.3} {:>9.3}",
        "overall", total.true_positives, total.false_negatives, total.false_positives, recall, precision
    );
    assert!(recall >= 0.98, "overall recall {recall:.3}");
    assert!(precision >= 0.95, "overall precision {precision:.3}");
}

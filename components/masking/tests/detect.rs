//! Behaviour of `detect`, one behaviour per test.

use masking::{Detection, Line, PiiKind, Rect, Word, detect};

fn scan(text: &str) -> Vec<Detection> {
    detect(&[Line::text_only(text)])
}

fn found(text: &str) -> Vec<(PiiKind, String)> {
    scan(text).into_iter().map(|d| (d.kind, d.text)).collect()
}

fn assert_finds(text: &str, kind: PiiKind, expected: &str) {
    let all = found(text);
    assert!(
        all.iter().any(|(k, t)| *k == kind && t == expected),
        "expected {kind:?} {expected:?} in {text:?}, got {all:?}"
    );
}

fn assert_clean(text: &str) {
    let all = found(text);
    assert!(all.is_empty(), "expected nothing in {text:?}, got {all:?}");
}

fn word(text: &str, x: u32) -> Word {
    Word { text: text.into(), x, y: 10, width: 10 * text.chars().count() as u32, height: 20 }
}

// ---- phones ----

#[test]
fn mobile_with_dashes() {
    assert_finds("연락처: 010-1234-5678", PiiKind::Phone, "010-1234-5678");
}

#[test]
fn mobile_without_separators() {
    assert_finds("휴대폰 01012345678 로 연락", PiiKind::Phone, "01012345678");
}

#[test]
fn mobile_with_spaces() {
    assert_finds("Call 010 1234 5678 now", PiiKind::Phone, "010 1234 5678");
}

#[test]
fn mobile_with_dots() {
    assert_finds("010.9876.5432", PiiKind::Phone, "010.9876.5432");
}

#[test]
fn old_mobile_prefix_with_three_digit_middle() {
    assert_finds("011-123-4567", PiiKind::Phone, "011-123-4567");
}

#[test]
fn seoul_landline() {
    assert_finds("대표전화 02-123-4567", PiiKind::Phone, "02-123-4567");
}

#[test]
fn regional_landline_with_parenthesised_area() {
    assert_finds("Tel (031) 987-6543", PiiKind::Phone, "(031) 987-6543");
}

#[test]
fn internet_phone_070() {
    assert_finds("070-4321-8765", PiiKind::Phone, "070-4321-8765");
}

#[test]
fn safe_number_050x() {
    assert_finds("안심번호 0504-1234-5678", PiiKind::Phone, "0504-1234-5678");
}

#[test]
fn representative_number_has_lower_confidence() {
    let d = scan("고객센터 1588-1234");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].text, "1588-1234");
    assert!(d[0].confidence < 0.8);
}

#[test]
fn international_with_dashes() {
    assert_finds("+82-10-1234-5678", PiiKind::Phone, "+82-10-1234-5678");
}

#[test]
fn international_with_spaces() {
    assert_finds("Mobile: +82 10 1234 5678", PiiKind::Phone, "+82 10 1234 5678");
}

#[test]
fn phone_inside_parentheses() {
    assert_finds("홍길동(010-2222-3333)", PiiKind::Phone, "010-2222-3333");
}

#[test]
fn phone_glued_to_hangul() {
    assert_finds("번호는010-1234-5678입니다", PiiKind::Phone, "010-1234-5678");
}

#[test]
fn two_phones_separated_by_slash() {
    let all = found("010-1111-2222/010-3333-4444");
    assert_eq!(all.len(), 2, "{all:?}");
}

#[test]
fn phone_right_after_ascii_label_and_colon() {
    assert_finds("TEL:010-1234-5678", PiiKind::Phone, "010-1234-5678");
    assert_finds("Tel.010-1234-5678", PiiKind::Phone, "010-1234-5678");
}

#[test]
fn area_code_closed_without_opening_parenthesis() {
    assert_finds("TEL:02)123-4567", PiiKind::Phone, "02)123-4567");
}

#[test]
fn phone_continuing_a_letter_code_is_ignored() {
    assert_clean("SN AB-01012345678");
}

#[test]
fn clock_time_range_is_not_a_representative_number() {
    assert_clean("행사 1500-1800");
}

#[test]
fn phone_inside_longer_digit_run_is_ignored() {
    assert_clean("1010-1234-56789");
}

// ---- e-mail ----

#[test]
fn email_plain() {
    assert_finds("메일: hong.gildong@example.co.kr", PiiKind::Email, "hong.gildong@example.co.kr");
}

#[test]
fn email_drops_trailing_punctuation() {
    assert_finds("Write to jane+news@mail.example.com.", PiiKind::Email, "jane+news@mail.example.com");
}

#[test]
fn email_in_angle_brackets() {
    assert_finds("From: Kim <kim_01@corp.io>", PiiKind::Email, "kim_01@corp.io");
}

// ---- registration numbers ----

#[test]
fn resident_number_with_valid_checksum_is_near_certain() {
    let d = scan("주민등록번호 900101-1234568");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, PiiKind::ResidentRegistrationNumber);
    assert!(d[0].confidence >= 0.99);
}

#[test]
fn resident_number_without_dash() {
    assert_finds("8503152045123", PiiKind::ResidentRegistrationNumber, "8503152045123");
}

#[test]
fn resident_number_without_checksum_still_detected_lower() {
    // Post-2020 numbers have random trailing digits.
    let d = scan("주민번호: 201015-3123450");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind, PiiKind::ResidentRegistrationNumber);
    assert!(d[0].confidence < 0.99 && d[0].confidence >= 0.8);
}

#[test]
fn resident_number_with_impossible_date_is_ignored() {
    assert_clean("901301-1234568");
}

#[test]
fn resident_number_on_feb_30_is_ignored() {
    assert_clean("900230-1234567");
}

#[test]
fn resident_number_with_1800s_digit_needs_checksum() {
    assert_clean("900101-9234567");
}

#[test]
fn foreigner_number_by_gender_digit() {
    assert_finds("외국인등록번호 880808-5123455", PiiKind::ForeignerRegistrationNumber, "880808-5123455");
}

#[test]
fn foreigner_number_2000s() {
    assert_finds("010505-7332217", PiiKind::ForeignerRegistrationNumber, "010505-7332217");
}

// ---- cards ----

#[test]
fn card_with_spaces() {
    assert_finds("4111 1111 1111 1111", PiiKind::CardNumber, "4111 1111 1111 1111");
}

#[test]
fn card_with_dashes() {
    assert_finds("카드번호 5380-1234-5678-9014", PiiKind::CardNumber, "5380-1234-5678-9014");
}

#[test]
fn card_contiguous() {
    assert_finds("9410123456789010", PiiKind::CardNumber, "9410123456789010");
}

#[test]
fn amex_four_six_five() {
    assert_finds("AMEX 3782 822463 10005", PiiKind::CardNumber, "3782 822463 10005");
}

#[test]
fn card_failing_luhn_is_ignored() {
    assert_clean("4111 1111 1111 1112");
}

#[test]
fn card_with_mixed_separators_is_ignored() {
    assert_clean("4111-1111 1111-1111");
}

// ---- passports ----

#[test]
fn passport_old_format_with_keyword() {
    assert_finds("여권번호: M12345678", PiiKind::PassportNumber, "M12345678");
}

#[test]
fn passport_new_format_without_keyword() {
    assert_finds("M123A4567", PiiKind::PassportNumber, "M123A4567");
}

#[test]
fn passport_english_keyword() {
    assert_finds("Passport No. S98765432", PiiKind::PassportNumber, "S98765432");
}

#[test]
fn letter_and_eight_digits_without_keyword_is_ignored() {
    assert_clean("회원코드 M12345678");
}

#[test]
fn passport_like_model_code_is_ignored() {
    assert_clean("모델명 S123A4567 재고 있음");
}

// ---- driver's licences ----

#[test]
fn licence_numeric_region() {
    assert_finds("11-12-345678-90", PiiKind::DriverLicenseNumber, "11-12-345678-90");
}

#[test]
fn licence_named_region() {
    assert_finds("운전면허 서울 12-345678-90", PiiKind::DriverLicenseNumber, "서울 12-345678-90");
}

#[test]
fn licence_contiguous_needs_keyword() {
    assert_finds("면허번호 111234567890", PiiKind::DriverLicenseNumber, "111234567890");
    assert_clean("111234567890");
}

// ---- bank accounts ----

#[test]
fn account_with_bank_name() {
    assert_finds("국민은행 123456-78-901234", PiiKind::BankAccount, "123456-78-901234");
}

#[test]
fn account_with_short_bank_name() {
    assert_finds("신한 110-123-456789 홍길동", PiiKind::BankAccount, "110-123-456789");
}

#[test]
fn account_with_keyword_only() {
    assert_finds("입금 계좌: 3333-01-1234567", PiiKind::BankAccount, "3333-01-1234567");
}

#[test]
fn account_without_bank_context_is_ignored() {
    assert_clean("참조 110-123-456789");
}

#[test]
fn phone_on_bank_line_stays_phone() {
    assert_eq!(found("국민은행 담당자 010-1234-5678"), vec![(PiiKind::Phone, "010-1234-5678".to_string())]);
}

// ---- names ----

#[test]
fn name_after_colon_label() {
    assert_finds("성명: 홍길동", PiiKind::Name, "홍길동");
}

#[test]
fn name_after_fullwidth_colon() {
    assert_finds("이름：김철수", PiiKind::Name, "김철수");
}

#[test]
fn name_after_whitespace_label() {
    assert_finds("성명 남궁민수", PiiKind::Name, "남궁민수");
}

#[test]
fn name_stops_at_next_label() {
    let all = found("성명: 이영희 연락처: 010-1234-5678");
    assert!(all.contains(&(PiiKind::Name, "이영희".into())), "{all:?}");
    assert!(all.contains(&(PiiKind::Phone, "010-1234-5678".into())), "{all:?}");
}

#[test]
fn name_drops_honorific() {
    assert_finds("받는 분: 박지성님", PiiKind::Name, "박지성");
}

#[test]
fn english_name() {
    assert_finds("Name: John Smith", PiiKind::Name, "John Smith");
}

#[test]
fn english_name_stops_at_address_label() {
    assert_finds("Full name: Jane Doe Address: 12 Baker Street London", PiiKind::Name, "Jane Doe");
}

#[test]
fn account_holder_name() {
    assert_finds("Account holder: Kim Minsu", PiiKind::Name, "Kim Minsu");
}

#[test]
fn company_name_is_not_a_person() {
    assert_clean("Company Name: Acme Corp");
    assert_clean("회사 이름: 캡슐");
}

#[test]
fn ordinary_word_after_bare_label_is_not_a_name() {
    assert_clean("이름 바꾸기");
}

// ---- addresses ----

#[test]
fn labelled_korean_address() {
    assert_finds("주소: 서울특별시 강남구 테헤란로 123", PiiKind::Address, "서울특별시 강남구 테헤란로 123");
}

#[test]
fn labelled_english_address() {
    assert_finds("Address: 221B Baker Street, London", PiiKind::Address, "221B Baker Street, London");
}

#[test]
fn unlabelled_road_address_has_lower_confidence() {
    let d = scan("본사는 서울특별시 강남구 테헤란로 123 에 있습니다");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind, PiiKind::Address);
    assert_eq!(d[0].text, "서울특별시 강남구 테헤란로 123");
    assert!(d[0].confidence < 0.9);
}

#[test]
fn unlabelled_lot_address() {
    assert_finds("서울시 강남구 역삼동 123-45", PiiKind::Address, "서울시 강남구 역삼동 123-45");
}

#[test]
fn district_and_exit_number_is_not_an_address() {
    assert_clean("강남구 역삼동 3번 출구");
}

#[test]
fn email_address_label_is_not_a_postal_address() {
    assert_eq!(found("E-mail address: a.b@example.com"), vec![(PiiKind::Email, "a.b@example.com".to_string())]);
}

#[test]
fn address_label_with_non_address_value_is_ignored() {
    assert_clean("주소 변경 신청");
}

// ---- false positives ----

#[test]
fn dates_are_not_pii() {
    assert_clean("2025.03.14");
    assert_clean("2025-03-14");
    assert_clean("작성일 20250314");
}

#[test]
fn times_are_not_pii() {
    assert_clean("회의 14:00 ~ 15:30");
}

#[test]
fn version_numbers_are_not_pii() {
    assert_clean("v2.1.3 released, build 1.2.3.4");
}

#[test]
fn order_numbers_are_not_pii() {
    assert_clean("주문번호 2024031512345");
    assert_clean("주문번호: 2403151234567");
}

#[test]
fn isbns_are_not_pii() {
    assert_clean("ISBN 978-89-12345-67-8");
    assert_clean("ISBN 9791123456789");
}

#[test]
fn prices_are_not_pii() {
    assert_clean("합계 3,000,000원");
    assert_clean("₩12,000");
    assert_clean("$1,234.56");
    assert_clean("입금액 1000000000원");
}

#[test]
fn coordinates_are_not_pii() {
    assert_clean("37.5665, 126.9780");
}

#[test]
fn zip_codes_are_not_pii() {
    assert_clean("우편번호 06236");
}

#[test]
fn business_registration_numbers_are_not_pii() {
    assert_clean("사업자등록번호 123-45-67890");
    assert_clean("하나은행 사업자 123-45-67890");
}

#[test]
fn year_ranges_are_not_representative_numbers() {
    assert_clean("1592-1598년 임진왜란");
}

// ---- locations ----

#[test]
fn text_only_lines_have_no_location() {
    assert!(scan("010-1234-5678").iter().all(|d| d.location.is_none()));
}

#[test]
fn location_is_the_box_of_the_matching_word() {
    let line = Line { text: "전화 010-1234-5678".into(), words: vec![word("전화", 0), word("010-1234-5678", 40)] };
    let d = detect(&[line]);
    assert_eq!(d[0].location, Some(Rect { x: 40, y: 10, width: 130, height: 20 }));
}

#[test]
fn location_unions_a_number_split_across_words() {
    let line = Line { text: "010-1234- 5678".into(), words: vec![word("010-1234-", 0), word("5678", 100)] };
    let d = detect(&[line]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].location, Some(Rect { x: 0, y: 10, width: 140, height: 20 }));
}

#[test]
fn location_unions_words_when_line_text_has_no_spaces() {
    let line = Line { text: "010-1234-5678".into(), words: vec![word("010-1234-", 0), word("5678", 100)] };
    let d = detect(&[line]);
    assert_eq!(d[0].location, Some(Rect { x: 0, y: 10, width: 140, height: 20 }));
}

#[test]
fn location_survives_korean_split_words() {
    // Tesseract splits "2025년" into "2025" + "년"; the words after must still line up.
    let line = Line {
        text: "2025년 3월 연락처 010-9999-8888".into(),
        words: vec![word("2025", 0), word("년", 40), word("3월", 60), word("연락처", 90), word("010-9999-8888", 130)],
    };
    let d = detect(&[line]);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].location, Some(Rect { x: 130, y: 10, width: 130, height: 20 }));
}

#[test]
fn location_skips_words_missing_from_text() {
    let line =
        Line { text: "메일 a@b.kr".into(), words: vec![word("XYZ", 0), word("메일", 10), word("a@b.kr", 50)] };
    assert_eq!(detect(&[line])[0].location, Some(Rect { x: 50, y: 10, width: 60, height: 20 }));
}

#[test]
fn char_range_counts_chars_not_bytes() {
    let d = scan("성명: 홍길동");
    assert_eq!(d[0].char_range, 4..7);
}

#[test]
fn line_index_is_reported() {
    let d = detect(&[Line::text_only("nothing here"), Line::text_only("kim@example.com")]);
    assert_eq!(d[0].line, 1);
}

#[test]
fn detections_serialise_kind_in_snake_case() {
    let d = scan("900101-1234568");
    let json = serde_json::to_value(&d[0]).unwrap();
    assert_eq!(json["kind"], "resident_registration_number");
    assert_eq!(json["char_range"]["start"], 0);
}

#[test]
fn every_kind_has_its_serialised_name() {
    for kind in PiiKind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
}

// ---- robustness ----

#[test]
fn odd_unicode_does_not_panic() {
    let odd = [
        "",
        " ",
        "\u{0}",
        "٠١٠-١٢٣٤-٥٦٧٨",
        "０１０－１２３４－５６７８",
        "👨‍👩‍👧 010-1234-5678 👍🏽",
        "성명:",
        "주소:",
        "Name:",
        "e\u{301}@x.y",
        "\u{200b}010\u{200b}1234\u{200b}5678",
        "ㅎㄱㄷ 가\u{302} 성명 : ",
        "+82",
        "(((((02)",
        "\r\n\t",
    ];
    for text in odd {
        let words = text.split_whitespace().map(|w| word(w, 0)).collect();
        let _ = detect(&[Line { text: text.into(), words }]);
    }
}

#[test]
fn huge_input_does_not_panic_and_finds_everything() {
    let text = "성명: 홍길동 010-1234-5678 ₩12,000 가나다 ".repeat(5_000);
    let words = text.split(' ').map(|w| word(w, 1)).collect();
    let d = detect(&[Line { text, words }]);
    assert_eq!(d.iter().filter(|d| d.kind == PiiKind::Phone).count(), 5_000);
}

#[test]
fn long_digit_run_does_not_panic() {
    let _ = scan(&"1".repeat(50_000));
    let _ = scan(&"9-".repeat(20_000));
}

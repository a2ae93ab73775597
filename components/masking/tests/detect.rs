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

#[test]
fn corporate_registration_number_is_not_a_resident_number() {
    assert_clean("법인등록번호 110111-2345670");
    assert_clean("법인번호: 110111-2345670");
    assert_clean("Corporate registration no. 110111-2345670");
}

#[test]
fn resident_number_after_a_corporate_number_is_still_found() {
    let all = found("법인등록번호 110111-2345670 대표자 주민등록번호 900101-1234568");
    assert_eq!(all, vec![(PiiKind::ResidentRegistrationNumber, "900101-1234568".to_string())]);
}

#[test]
fn registration_shaped_number_with_1800s_digit_is_not_a_resident_number() {
    // Both carry a valid check digit; 0 and 9 encode births in the 1800s.
    assert_clean("9001010234565");
    assert_clean("900101-9234560");
}

#[test]
fn business_and_nonprofit_registration_numbers_are_not_pii() {
    assert_clean("사업자등록번호: 220-81-62517");
    assert_clean("고유번호 123-82-12345");
    assert_clean("Business registration no. 220-81-62517");
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

#[test]
fn account_with_trailing_check_digit_group() {
    assert_finds("새마을금고 9002-1937-4482-1", PiiKind::BankAccount, "9002-1937-4482-1");
}

#[test]
fn accounts_at_mutual_postal_and_securities_institutions() {
    for (text, account) in [
        ("신협 131-012-345678-1", "131-012-345678-1"),
        ("수협 1010-1234-5678", "1010-1234-5678"),
        ("산림조합 1234-5678-9012", "1234-5678-9012"),
        ("우체국 110012-02-123456", "110012-02-123456"),
        ("지역농협 351-1234-5678-11", "351-1234-5678-11"),
        ("MG 9002-1937-4482-1", "9002-1937-4482-1"),
        ("iM뱅크 508-12-345678-9", "508-12-345678-9"),
        ("케이뱅크 100-123-456789", "100-123-456789"),
        ("키움증권 5012-3456-78", "5012-3456-78"),
        ("저축은행 123-45-6789012", "123-45-6789012"),
    ] {
        assert_finds(text, PiiKind::BankAccount, account);
    }
}

#[test]
fn latin_bank_abbreviation_must_be_a_whole_word() {
    assert_finds("NH 302-1234-5678-91", PiiKind::BankAccount, "302-1234-5678-91");
    assert_clean("enhanced 1234-5678-9012");
    assert_clean("describe 1234-5678-9012");
}

#[test]
fn insurance_policy_number_is_not_an_account() {
    assert_clean("보험 증권번호 1234-5678-9012");
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

// ---- names: labels ----

fn names(text: &str) -> Vec<String> {
    found(text).into_iter().filter(|(k, _)| *k == PiiKind::Name).map(|(_, t)| t).collect()
}

fn assert_no_name(text: &str) {
    let all = names(text);
    assert!(all.is_empty(), "expected no name in {text:?}, got {all:?}");
}

#[test]
fn upper_case_romanised_name_after_english_name_label() {
    assert_finds("영문성명: KIM MINJUN", PiiKind::Name, "KIM MINJUN");
}

#[test]
fn romanised_name_after_label_without_colon() {
    assert_finds("영문성명 PARK SEOYUN", PiiKind::Name, "PARK SEOYUN");
    assert_finds("영문 이름 Lee Jieun", PiiKind::Name, "Lee Jieun");
}

#[test]
fn english_name_after_applicant_label() {
    assert_finds("Applicant: Sarah Lee", PiiKind::Name, "Sarah Lee");
}

#[test]
fn latin_title_is_left_out_of_the_name() {
    assert_eq!(names("Reference: Prof. Daniel Park"), ["Daniel Park"]);
    assert_eq!(names("Name: Dr. Kim"), ["Kim"]);
}

#[test]
fn romanised_name_ends_at_a_comma() {
    assert_eq!(names("Reference: Prof. Daniel Park, Seoul National University"), ["Daniel Park"]);
}

#[test]
fn foreign_name_after_korean_label_with_a_note() {
    assert_finds("성명(영문): Nguyen Van An", PiiKind::Name, "Nguyen Van An");
    assert_finds("외국인 근로자 이름 Nguyen Van An", PiiKind::Name, "Nguyen Van An");
}

#[test]
fn korean_name_after_each_role_label() {
    for label in [
        "지원자",
        "담당자",
        "담당",
        "추천인",
        "작성자",
        "신청인",
        "예금주",
        "보호자",
        "대표자",
        "비상연락망",
        "비상연락처",
    ] {
        assert_eq!(names(&format!("{label}: 김민준")), ["김민준"], "{label} with a colon");
        assert_eq!(names(&format!("{label} 이서연")), ["이서연"], "{label} without a colon");
    }
}

#[test]
fn english_role_labels_take_a_romanised_name() {
    for label in ["Candidate", "Contact person", "Manager", "Hiring Manager", "Emergency contact", "Account holder"] {
        assert_eq!(names(&format!("{label}: Jane Doe")), ["Jane Doe"], "{label}");
    }
}

#[test]
fn job_title_after_a_korean_name_is_not_part_of_it() {
    assert_eq!(names("담당자: 이지은 과장"), ["이지은"]);
    assert_eq!(names("추천인: 최준호 교수"), ["최준호"]);
}

#[test]
fn name_after_bare_role_label_followed_by_a_phone() {
    let all = found("담당 김민수 대리 (010-1234-5678)");
    assert!(all.contains(&(PiiKind::Name, "김민수".into())), "{all:?}");
    assert!(all.contains(&(PiiKind::Phone, "010-1234-5678".into())), "{all:?}");
}

#[test]
fn relation_before_an_emergency_contact_is_skipped() {
    assert_eq!(names("비상연락망: 모 김영희 010-1234-5678"), ["김영희"]);
    assert_eq!(names("비상연락망 김영희(모) 010-1234-5678"), ["김영희"]);
}

#[test]
fn department_before_a_name_is_skipped() {
    assert_eq!(names("담당: 인사팀 김민수"), ["김민수"]);
}

#[test]
fn title_between_role_label_and_name_is_skipped() {
    assert_eq!(names("담당 교수 김민수"), ["김민수"]);
}

#[test]
fn role_label_glued_to_its_department_needs_a_colon() {
    assert_eq!(names("영업담당자: 김민수"), ["김민수"]);
    assert_no_name("영업담당 부서");
}

#[test]
fn name_label_glued_to_a_person_word() {
    assert_eq!(names("보호자성명: 최민호"), ["최민호"]);
    assert_no_name("회사이름: 캡슐");
}

#[test]
fn spaced_out_form_label() {
    assert_eq!(names("성 명 : 홍길동"), ["홍길동"]);
}

#[test]
fn single_surname_after_a_latin_title() {
    assert_eq!(names("Contact person: Mr. Park"), ["Park"]);
}

#[test]
fn passport_order_romanised_name_with_comma() {
    assert_eq!(names("이름: KIM, MINJUN"), ["KIM, MINJUN"]);
}

#[test]
fn hyphenated_romanised_given_name() {
    assert_eq!(names("Card holder: Hong Gil-dong"), ["Hong Gil-dong"]);
    assert_eq!(names("Account holder: KIM MIN-JUN"), ["KIM MIN-JUN"]);
}

#[test]
fn prepared_by_needs_no_colon() {
    assert_eq!(names("Prepared by John Smith"), ["John Smith"]);
}

#[test]
fn romanised_name_stops_at_the_next_field_word() {
    let all = found("Contact person: John Smith Tel 010-1234-5678");
    assert!(all.contains(&(PiiKind::Name, "John Smith".into())), "{all:?}");
    assert!(all.contains(&(PiiKind::Phone, "010-1234-5678".into())), "{all:?}");
}

#[test]
fn representative_needs_a_colon_when_written_bare() {
    assert_eq!(names("회사명: (주)캡슐 대표: 김철수"), ["김철수"]);
    assert_no_name("대표 이미지");
}

#[test]
fn every_name_of_a_listed_field_is_found() {
    assert_eq!(names("참석자: 김민수, 이영희, 박지성"), ["김민수", "이영희", "박지성"]);
    assert_eq!(names("가족관계: 부 김철수, 모 이영희"), ["김철수", "이영희"]);
}

#[test]
fn unit_in_a_list_of_names_is_not_a_name() {
    assert_eq!(names("참석자: 김민수, 인사팀, 박지성"), ["김민수", "박지성"]);
}

#[test]
fn sender_and_recipient_labels_need_a_colon() {
    assert_eq!(names("발신: 홍길동 드림"), ["홍길동"]);
    assert_no_name("수신 거부");
    assert_no_name("발신 번호 010-1234-5678");
}

#[test]
fn english_contact_label_with_colon() {
    assert_eq!(names("Contact: Kim Minsu, HR Team"), ["Kim Minsu"]);
    assert_no_name("Contact: Customer Service");
}

// ---- names: addressed ----

#[test]
fn korean_name_with_honorific_at_sentence_start() {
    assert_eq!(names("강하은 님, 서류 전형에 합격하셨습니다."), ["강하은"]);
}

#[test]
fn korean_name_with_honorific_after_a_greeting() {
    assert_eq!(names("안녕하세요, 강하은 님. 면접 일정을 안내드립니다."), ["강하은"]);
}

#[test]
fn korean_name_with_glued_honorific_and_particle() {
    assert_eq!(names("홍길동님께서 요청하신 자료입니다."), ["홍길동"]);
}

#[test]
fn korean_name_with_ssi_after_a_sentence_end() {
    assert_eq!(names("서류를 받았습니다. 김민수 씨는 내일 오세요."), ["김민수"]);
}

#[test]
fn romanised_name_after_dear() {
    assert_eq!(names("Dear Ms. Sarah Lee,"), ["Sarah Lee"]);
    assert_eq!(names("Hello Kim Minsu,"), ["Kim Minsu"]);
}

#[test]
fn romanised_name_with_korean_honorific() {
    assert_eq!(names("Sarah Lee 님, 합격을 축하드립니다"), ["Sarah Lee"]);
}

// ---- names: look-alikes ----

#[test]
fn label_words_are_never_names() {
    assert_eq!(found("보호자 연락처 010-1234-5678"), vec![(PiiKind::Phone, "010-1234-5678".to_string())]);
    for text in ["담당자 이메일: a@b.kr", "신청인 전화번호 02-123-4567", "지원자 주소: 서울특별시 중구 세종대로 110"]
    {
        assert_no_name(text);
    }
}

#[test]
fn role_word_followed_by_a_noun_is_not_a_name() {
    for text in [
        "담당 업무",
        "담당 업무: 영업 관리",
        "담당 과목 수학",
        "지원자 모집 안내",
        "담당자 변경 요청",
        "작성자 미상",
        "보호자 동의 필요",
        "보호자 동반 필수",
        "추천인 없음",
        "신청인 서명",
        "예금주 확인",
        "지원자 전원에게 개별 통보",
    ] {
        assert_no_name(text);
    }
}

#[test]
fn company_name_after_company_label_is_not_a_person() {
    for text in ["회사명: 캡슐", "상호: 김밥천국", "상호명 김가네", "회사명: (주)한국전자"] {
        assert_no_name(text);
    }
}

#[test]
fn job_title_after_position_label_is_not_a_name() {
    for text in ["직위: 과장", "직책 팀장", "직위 대리 / 담당 영업", "직급: 부장", "소속: 개발팀"]
    {
        assert_no_name(text);
    }
}

#[test]
fn numbers_after_person_labels_are_not_names() {
    for text in ["작성자 2025.03.14", "지원자 수 120명", "담당 14:00-15:00", "추천인 코드 ABC123", "면접관 3인"]
    {
        assert_no_name(text);
    }
}

#[test]
fn look_alike_numbers_after_person_labels_are_not_pii() {
    for text in [
        "작성자 2025.03.14 14:30",
        "담당 v2.1.3",
        "지원자 주문번호 2024031512345",
        "추천인 ISBN 978-89-12345-67-8",
        "신청인 15,000원",
        "담당자 37.5665, 126.9780",
    ] {
        assert_clean(text);
    }
}

#[test]
fn placeholders_after_role_labels_are_not_names() {
    for text in ["담당자: 미지정", "작성자: 비공개", "작성자: 운영자", "담당자: 없음", "신청인: 본인"]
    {
        assert_no_name(text);
    }
}

#[test]
fn english_role_word_without_colon_is_not_a_label() {
    assert_no_name("Marketing Manager Samsung Electronics");
    assert_no_name("Candidate Sarah Lee");
}

#[test]
fn capitalised_non_names_after_english_role_label() {
    for text in [
        "Manager: Sales Team",
        "Reference: Available upon request",
        "Reference: Annual Report 2024",
        "Candidate: Senior Backend Engineer",
        "Hiring Manager: TBD",
        "Manager: Kim",
    ] {
        assert_no_name(text);
    }
}

#[test]
fn generic_greetings_are_not_names() {
    for text in ["Dear Hiring Manager,", "Dear Sir or Madam,", "Hello World", "The name Kim Minsu is common"] {
        assert_no_name(text);
    }
}

#[test]
fn roles_and_titles_with_honorific_are_not_names() {
    for text in [
        "고객님, 주문하신 상품이 발송되었습니다.",
        "선생님, 감사합니다.",
        "부사장님께 보고드립니다.",
        "예약자 님, 예약이 확정되었습니다.",
        "수강생 여러분, 안녕하세요.",
        "김과장님 안녕하세요",
    ] {
        assert_no_name(text);
    }
}

#[test]
fn words_ending_in_ssi_are_not_names() {
    assert_no_name("이 씨앗은 잘 자랍니다.");
    assert_no_name("마음씨 고운 사람");
}

#[test]
fn name_label_followed_by_ordinary_words_is_not_a_name() {
    assert_no_name("이름 모를 꽃");
    assert_no_name("이름 정렬 순서");
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
fn orderer_phone_is_not_taken_for_an_order_number() {
    assert_finds("주문자 010-1234-5678", PiiKind::Phone, "010-1234-5678");
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

//! A second, held-out labelled set, written after the first run of the
//! benchmark and never shown to the detector's authors, so that it stays a
//! blind measurement once [`crate::pii_set`] has been used to fix misses.
//!
//! Same shape and mark syntax as [`crate::pii_set`] (`[[kind:text]]`, lines
//! without marks are negatives), but different documents and phrasing:
//! application forms, cover letters, HR e-mails, employment and rental
//! contracts, delivery and order forms, bank transfer notices, hospital and
//! insurance forms, chat messages and event registrations.
//!
//! Numbers with a check digit are computed by [`crate::checks`]: Luhn for
//! cards, the pre-October-2020 formulas for resident and foreigner numbers.

use crate::checks::{card, corporate_number, ean13_digit, frn, rrn};
use crate::pii_set::{LabelledLine, parse};

/// The whole held-out set, in a fixed order.
pub fn lines() -> Vec<LabelledLine> {
    marked_lines().iter().map(|l| parse(l)).collect()
}

fn marked_lines() -> Vec<String> {
    let c4 = [4, 4, 4, 4];
    let amex = [4, 6, 5];
    let isbn_body = "979115839204";
    let isbn = format!("979-11-5839-204-{}", ean13_digit(isbn_body));

    vec![
        // ---- Korean job application form ----
        "입 사 지 원 서".into(),
        "지원분야: 데이터 엔지니어 (경력 5년차)".into(),
        "성 명 (한글) [[name:서지환]]   (영문) [[name:SEO JIHWAN]]".into(),
        format!("주민등록번호 [[rrn:{}]]   만 31세", rrn("940823", 1, "17436")),
        "휴대전화 [[phone:010-8842-1307]]   자택전화 [[phone:(02) 2215-0734]]".into(),
        "전자우편 [[email:jihwan.seo@kakao.com]]".into(),
        "현 주소 [[address:서울특별시 노원구 동일로 1414, 305동 1102호]]".into(),
        "병역사항: 육군 병장 만기전역 (2014.03 ~ 2015.12)".into(),
        "보훈대상: 비대상   장애여부: 비해당".into(),
        "자격증: SQLD (2021.09.17), 정보처리산업기사 (2019.08.16)".into(),
        "어학: OPIc IH (2023.11), JLPT N2".into(),
        "지원자명 [[name:남궁민서]]   생년월일 1998.07.21".into(),
        format!("외국인등록번호(해당자) [[frn:{}]]", frn("910314", 5, "22168")),
        "국적: 베트남   체류자격: E-9 (비전문취업)".into(),
        "희망 근무지: 판교 / 희망 직급: 책임".into(),
        "최종학력: 부산대학교 전자공학과 석사 (2020.08)".into(),
        // ---- English résumé / cover letter ----
        "CURRICULUM VITAE".into(),
        "Full name: [[name:Emily Watson]]".into(),
        "Phone: [[phone:+82 10 7731 4928]] | Email: [[email:emily.watson@protonmail.com]]".into(),
        "Current address: [[address:Apt 803, 45 Dokseodang-ro, Yongsan-gu, Seoul]]".into(),
        "Date of birth: 14 February 1993".into(),
        "Experience: Senior Backend Engineer, Coupang (2020 - 2024)".into(),
        "Skills: Rust 1.78, Go 1.22, Terraform 1.7.5, Kubernetes 1.29".into(),
        "Languages: Korean (native), English (TOEIC 960, 2022)".into(),
        "Applicant: [[name:Tran Thi Mai]] (Vietnam)".into(),
        "Dear Mr. [[name:Thomas Reid]],".into(),
        "I am writing to apply for the Product Designer position (Req. ID 24-0917).".into(),
        "I can be reached at [[phone:010-5190-2276]] or [[email:nayeon.kwon@gmail.com]].".into(),
        "Applicant signature: [[name:Grace Yoon]]".into(),
        "안녕하십니까, 지원자 [[name:권나연]]입니다.".into(),
        "저는 3년간 물류 스타트업에서 일 평균 4만 건의 주문을 처리했습니다.".into(),
        // ---- HR e-mails ----
        "From: 인사팀 [[name:노승우]] <[[email:sw.noh@daehan-corp.com]]>".into(),
        "To: [[email:hiring-team@bluewave.io]]".into(),
        "Cc: [[email:legal.review@bluewave.io]]; [[email:Finance.Ops@bluewave.io]]".into(),
        "Subject: [Offer] Senior Data Engineer - start date 2025-05-12".into(),
        "[[name:유다인]] 님께, 최종 합격을 진심으로 축하드립니다.".into(),
        "입사일: 2025년 5월 12일(월) 오전 9시".into(),
        "첫 출근 시 급여 이체용 통장 사본을 지참해 주세요.".into(),
        "문의는 인사담당 [[name:표준혁]] 대리 (내선 3102)로 부탁드립니다.".into(),
        "Hi [[name:Kevin]], the onboarding session is at 10:30 in Room 714.".into(),
        "연봉 계약서는 첨부파일(v2.3)을 확인해 주세요.".into(),
        format!("연말정산 부양가족: 배우자 [[rrn:{}]]", rrn("830419", 2, "36021")),
        format!("자녀 [[rrn:{}]] (기본공제)", rrn("120908", 3, "15732")),
        format!("법인카드 발급 완료: [[card:{}]]", card("518820467391052", &c4, "-")),
        "급여일은 매월 21일이며, 공휴일이면 전 영업일에 지급됩니다.".into(),
        "직위: 선임연구원 / 부서명: 플랫폼개발실".into(),
        "Job title: Staff Software Engineer (Level 6)".into(),
        // ---- employment contract ----
        "근 로 계 약 서".into(),
        "사업주: 주식회사 에이치앤비랩 (대표이사 [[name:설태윤]])".into(),
        "사업자등록번호: 314-81-55270".into(),
        format!("법인등록번호: {}", corporate_number("160111009834")),
        "소재지: [[address:대전광역시 서구 둔산대로117번길 66]]".into(),
        "근로자 성명 [[name:하윤서]]   연락처 [[phone:010-2047-6613]]".into(),
        format!("근로자 주민등록번호 [[rrn:{}]]", rrn("000503", 4, "29173")),
        format!("근로자(외국인) 등록번호 [[frn:{}]]", frn("750830", 5, "18397")),
        "계약기간: 2025.03.01 ~ 2026.02.28 (12개월)".into(),
        "근로시간: 09:00 ~ 18:00 (휴게 1시간)".into(),
        "시급 10,030원, 월 통상임금 2,096,270원".into(),
        "임금 지급일: 매월 25일, 근로자 명의 계좌로 이체".into(),
        "지급계좌 부산은행 [[account:101-2045-8830-07]]".into(),
        "회사명: 주식회사 다온테크   대표자: (인)".into(),
        // ---- delivery / order forms ----
        "받는 분: [[name:명재희]]".into(),
        "받는 분 연락처: [[phone:010-4418-2290]]".into(),
        "배송 주소: [[address:경상남도 창원시 의창구 중앙대로 151, 2층]]".into(),
        "배송 메모: 부재 시 경비실에 맡겨 주세요".into(),
        "주문번호 ORD-20250407-118274".into(),
        "상품코드 PX-7731-NV / 수량 2 / 단가 ₩24,900".into(),
        "운송장 번호 4588 2109 6731 (한진택배)".into(),
        "Tracking No. 9400 1118 9922 3847 6150 24 (USPS)".into(),
        "Ship to: [[address:101-1502, 55 Gwanggyojungang-ro, Suwon-si, Gyeonggi-do]]".into(),
        "보내는 분 [[name:탁은비]] / [[phone:031-8012-5546]]".into(),
        "[[address:충청북도 청주시 흥덕구 오송읍 오송생명로 187]]".into(),
        "결제수단: 신용카드 (일시불) 승인번호 74018823".into(),
        format!("결제 카드번호 [[card:{}]]", card("943110275548209", &c4, "-")),
        "개인통관고유부호 P240917338204".into(),
        format!("수취인 주민등록번호 [[rrn:{}]]", rrn("891004", 1, "50267")),
        "배송 예정: 4/9(수) 도착 예정, 오후 2시~6시".into(),
        "총 결제금액 USD 129.95 (약 ₩178,300)".into(),
        "SKU HX-2291-BLK, 사이즈 270mm".into(),
        "모델명 27GP850-B, 제조번호 304KCXR1A562".into(),
        // ---- bank transfer notices ----
        "[입금 안내] [[name:염지석]] 님이 150,000원을 입금했습니다.".into(),
        "입금 계좌: 케이뱅크 [[account:100-135-478920]]".into(),
        "받는 계좌 국민 [[account:093701-04-118265]] 예금주 [[name:진서율]]".into(),
        "출금계좌 우리 [[account:1002-667-408193]] / 입금계좌 신한 [[account:110-514-032876]]".into(),
        "거래일시 2025.04.07 14:32:08 / 잔액 3,482,150원".into(),
        "이체 수수료 0원 (월 10회 면제 중 3회 사용)".into(),
        "Wire transfer: Woori Bank, account [[account:1005-203-948172]], SWIFT HVBKKRSE".into(),
        "가상계좌 기업은행 [[account:562-018473-52-011]] (입금기한 4/10 23:59)".into(),
        "CMS 출금 예정일: 매월 10일".into(),
        "거래 참조번호 TRX20250407-00081923".into(),
        format!("실명확인 주민등록번호 [[rrn:{}]]", rrn("780715", 2, "19438")),
        "대구은행 [[account:508-10-229184-3]] 으로 입금 바랍니다.".into(),
        "Account: Kookmin Bank [[account:817202-04-091553]] (Holder: [[name:Yuna Baek]])".into(),
        "환율 1,372.50원/USD, 우대율 90%".into(),
        // ---- hospital / insurance ----
        "환자명: [[name:도하준]]   병록번호 00482917".into(),
        format!("환자 주민번호 [[rrn:{}]]", rrn("580212", 1, "47025")),
        "보호자: [[name:도수빈]] (딸) [[phone:010-9321-4476]]".into(),
        "진료과: 정형외과 / 진료실 2층 204호 / 예약 10:40".into(),
        "처방전 교부번호 20250407-00153".into(),
        "질병분류기호 M54.5, S83.2".into(),
        "혈압 128/84 mmHg, 맥박 72회/분, 체온 36.8도".into(),
        "피보험자 성명 [[name:봉가은]]".into(),
        format!("피보험자 주민등록번호 [[rrn:{}]]", rrn("011127", 4, "51820").replace('-', "")),
        "증권번호 2025-0407-771205".into(),
        "보험금 수령 계좌: 하나은행 [[account:391-910528-47307]]".into(),
        "청구금액 ₩384,700 / 본인부담률 20%".into(),
        "Insured: [[name:Olivia Grant]], Policy No. KL-88213047".into(),
        format!("환자 외국인등록번호 [[frn:{}]]", frn("890811", 5, "44159")),
        format!("Foreigner Reg. No. [[frn:{}]]", frn("860419", 6, "14087")),
        format!("자동납부 카드 [[card:{}]] (매월 15일)", card("457310946621874", &c4, " ")),
        "병원 주소 [[address:경기도 안양시 동안구 관평로170번길 22]]".into(),
        "입원 기간 2025.03.28 ~ 2025.04.03 (6박 7일)".into(),
        "요양기관기호 31201547".into(),
        // ---- rental agreement ----
        "부동산 임대차 계약서".into(),
        "임대할 부분: [[address:서울특별시 성북구 보문로34다길 12, 201호]]".into(),
        "소재지 [[address:경기도 고양시 일산동구 장항동 868번지]]".into(),
        "임대인 [[name:석준영]]   주소 [[address:인천광역시 남동구 구월동 1130-4]]".into(),
        format!("임차인 [[name:위소희]]   주민등록번호 [[rrn:{}]]", rrn("970630", 2, "08514")),
        format!("임차인 외국인등록번호 [[frn:{}]]", frn("961123", 6, "42379")),
        "보증금 금 오천만원정 (₩50,000,000)".into(),
        "월 차임 금 650,000원, 매월 1일 지급".into(),
        "전용면적 59.82㎡, 공급면적 84.11㎡".into(),
        "계약일 2025년 4월 7일".into(),
        "공인중개사 사무소: 한결부동산 (등록번호 11680-2019-00231)".into(),
        "임대인 입금계좌: 수협 [[account:1010-2291-4837]]".into(),
        format!("관리비 자동이체 카드 [[card:{}]]", card("404512873360918", &c4, "-")),
        "임차인 연락처 [[phone:010.5528.9130]]".into(),
        "특약: 반려동물 1마리 허용, 벽걸이 TV 설치 가능".into(),
        // ---- chat messages ----
        "[오후 3:14] 엄마: 저녁 7시에 역 앞에서 만나자".into(),
        "[오후 3:15] 나: 내 번호 바뀌었어 [[phone:010-3382-0917]]".into(),
        "[오후 9:41] 총무: 회비 3만원 카뱅 [[account:3333-15-8271046]] 으로 보내줘~".into(),
        "[오후 9:42] 총무: 예금주 [[name:권다솜]] 맞아요".into(),
        "[오후 1:05] 나: 택배 주소 [[address:서울 동작구 상도로 369]] 으로 보내주세요".into(),
        "[오전 8:30] 팀장님: 내일 KE 641편 08:55 출발, 인천 T2 집결".into(),
        "[오후 6:20] 나: ㅇㅋ 메일 [[email:hana_0817@naver.com]] 으로 보내줘".into(),
        "[오후 10:02] 엄마: 오늘 택배 (운송장 5630-8817-2204) 왔다".into(),
        "[오후 2:11] 나: 여권번호 [[passport:M80937412]] 이거 맞아?".into(),
        format!("[오후 4:20] 나: 외국인등록번호 [[frn:{}]] 보냈어요", frn("970315", 6, "16097")),
        format!("[오후 7:50] 나: 카드번호 [[card:{}]] 로 결제해줘", card("356988120473621", &c4, "-")),
        format!("[오후 11:03] 나: 주민번호 [[rrn:{}]] 입력하래", rrn("900228", 1, "44306")),
        "[오전 10:17] 팀장님: 회의 14시에서 15시 30분으로 변경".into(),
        "[오후 12:40] 나: 점심 12,000원씩 정산 부탁 ㅎㅎ".into(),
        "[오후 5:55] 팀장님: 보고서 v0.9 말고 v1.0으로 올려주세요".into(),
        // ---- event registration ----
        "2025 Rust Seoul Meetup 참가 신청서".into(),
        "참가자 이름: [[name:방서진]]".into(),
        "Attendee: [[name:Lucas Martin]] / Company: Nordic Edge AB".into(),
        "소속: 주식회사 라온시큐어 / 직함: 선임연구원".into(),
        "휴대폰: [[phone:010 6671 3390]]".into(),
        "E-mail: [[email:SEOJIN.BANG@LAONSEC.CO.KR]]".into(),
        "참가비: 35,000원 (얼리버드 20% 할인)".into(),
        "입금처: 토스뱅크 [[account:1001-3382-7715]]".into(),
        format!("참가비 결제 카드 [[card:{}]]", card("621483009127745", &c4, " ")),
        "행사 장소: 코엑스 그랜드볼룸 (Hall B, 3F)".into(),
        "장소 주소: [[address:서울특별시 강남구 영동대로 513]]".into(),
        "세션 시간 13:00-13:45 (45분), 휴식 15분".into(),
        "좌석 번호 C-17 / 티켓 번호 RSM25-004412".into(),
        format!("보호자 동의: 참가자(미성년) 주민번호 [[rrn:{}]]", rrn("051231", 3, "27194")),
        "Dietary requirements: vegetarian, no nuts".into(),
        "T-shirt size: L (100)".into(),
        // ---- travel, passports and driving licences ----
        "여권번호 [[passport:M628T1049]]".into(),
        "Passport No. [[passport:M40917263]] / Expiry 2033-08-19".into(),
        "여권 번호: [[passport:G00418275]] (관용여권)".into(),
        "Passport: [[passport:M903X5518]]".into(),
        "Passport no. [[passport:D20418831]], diplomatic".into(),
        "소지 여권 [[passport:M217P0384]] 만료일 2030.11.02".into(),
        "PASSPORT No.: [[passport:M55128904]]".into(),
        "항공권 예약자 여권번호 [[passport:S30192846]]".into(),
        "Passport Number: [[passport:M346L7720]]".into(),
        "비자 신청서 - 여권 번호 [[passport:M71820356]]".into(),
        "여권(PASSPORT) [[passport:M029E8163]]".into(),
        "탑승객 [[name:채유진]] / 여권 [[passport:M58302716]]".into(),
        "운전면허번호 [[license:12-21-304857-63]]".into(),
        "면허증번호: [[license:대구 18-552130-47]]".into(),
        "Driver license: [[license:11-22-918374-02]]".into(),
        "운전면허 번호 [[license:인천 20-447193-85]]".into(),
        "면허번호 [[license:132108847215]]".into(),
        "자동차운전면허증 [[license:25-20-731946-18]] (2종 보통)".into(),
        "Driver's licence no. [[license:제주 16-228471-05]]".into(),
        "렌터카 예약: 운전자 [[name:모경민]] / 면허번호 [[license:22-19-603318-94]]".into(),
        "면허번호: [[license:충북 14-093725-61]]".into(),
        "DL No. [[license:15-23-118540-37]]".into(),
        "운전면허증 번호 [[license:281704638150]]".into(),
        "운전자 면허 [[license:경남 19-680214-33]]".into(),
        "항공편 OZ 202 / 좌석 34K / 탑승구 112".into(),
        "Flight 7C1102 departs ICN 07:40, arrives NRT 09:55".into(),
        "LJ263편 지연 (예정 18:20 -> 19:05)".into(),
        "호텔 객실 1508호, 체크인 15:00 / 체크아웃 11:00".into(),
        "렌터카 차량번호 대여 후 안내 예정, 보험 자차 포함".into(),
        // ---- more positives in varied phrasing ----
        "이메일 주소: <[[email:d.yoon-design@studio-k.kr]]>".into(),
        "mailto:[[email:support.team@mobil-ity.com]]".into(),
        "회신 메일 [[email:hr.kr@globex-holdings.com]]".into(),
        "Contact phone (office): [[phone:+82-2-6010-4411]]".into(),
        "사무실 [[phone:032-440-7725]] / 내선 2207".into(),
        "대표 연락처 [[phone:011-732-4480]]".into(),
        "비상 연락처 [[phone:01055270841]] (배우자)".into(),
        format!("Resident Registration No.: [[rrn:{}]]", rrn("660101", 1, "02847")),
        format!("신청인 생년월일·주민번호 [[rrn:{}]]", rrn("020314", 3, "08846")),
        format!("체류외국인 등록번호 [[frn:{}]]", frn("880105", 5, "12249")),
        format!("외국인 등록증 번호: [[frn:{}]]", frn("020618", 8, "46078")),
        format!("등록번호 [[frn:{}]] (유학, D-2)", frn("990212", 6, "20116").replace('-', "")),
        format!("Registration No. (ARC): [[frn:{}]]", frn("840501", 5, "36128")),
        format!("유학생 외국인등록번호 [[frn:{}]]", frn("030707", 7, "10246")),
        format!("외국인등록번호 : [[frn:{}]] (F-6)", frn("800229", 5, "28186")),
        format!("Card number: [[card:{}]]", card("541275340987123", &c4, " ")),
        format!("등록 카드 [[card:{}]] (현대카드)", card("510734826019354", &c4, "-")),
        format!("AMEX 카드번호 [[card:{}]]", card("34821059374612", &amex, "")),
        format!("Credit card: [[card:{}]] (Mastercard)", card("552248119063782", &c4, "-")),
        format!("카드 [[card:{}]] 분실 신고 접수", card("422619008375142", &c4, "")),
        format!("American Express no. [[card:{}]]", card("37410528836491", &amex, "-")),
        format!("BC카드 [[card:{}]] 해지 요청", card("949022138874561", &c4, "-")),
        "담당자: [[name:배소윤]] 대리".into(),
        "Contact person: Ms. [[name:Hannah Cho]] (HR Manager)".into(),
        "주소지 [[address:울산광역시 남구 삼산로 274]]".into(),
        "거주지 주소: [[address:세종특별자치시 한누리대로 2130, 1204동 803호]]".into(),
        "[[address:전라남도 여수시 학동 96-3번지]]".into(),
        "Address: [[address:35, Teheran-ro 87-gil, Gangnam-gu, Seoul]]".into(),
        // ---- miscellaneous negatives ----
        "Paid with Visa ending in 4821".into(),
        "사업자 등록번호 120-88-01942".into(),
        "Business Reg. No. 211-87-44019".into(),
        format!("법인등록번호 {} (본점)", corporate_number("110111082935")),
        format!("ISBN {isbn}"),
        "ISSN 0028-0836".into(),
        "우편번호 48058".into(),
        "(우) 13494".into(),
        "내선 1234".into(),
        "ext. 4410 (front desk)".into(),
        "내선번호 3021 / 팩스 내선 3029".into(),
        "인증번호 [482913]을 입력해 주세요 (3분 이내)".into(),
        "수험번호 2025-1104-0382".into(),
        "접수번호 A-2025-00731".into(),
        "고객번호 0042 1193 77".into(),
        "계약번호 HC-2025-0417-009".into(),
        "2025/04/07 09:15".into(),
        "07.04.2025".into(),
        "April 7, 2025 at 3:45 PM".into(),
        "2025-04-07T09:15:00+09:00".into(),
        "Mon, 07 Apr 2025 10:22:31 +0900".into(),
        "25.04.07(월) 오전 11시".into(),
        "기간 20250401 ~ 20250430".into(),
        "소요시간 1시간 25분 (약 85분)".into(),
        "Duration: PT45M".into(),
        "Android 14 (API 34), iOS 17.4.1".into(),
        "firmware v3.4.12-rc1".into(),
        "IP 10.0.12.7, 게이트웨이 203.0.113.45:443".into(),
        "IPv6 2001:db8:85a3::8a2e:370:7334".into(),
        "위도 35.8714, 경도 128.6014".into(),
        "36.3504° N, 127.3845° E".into(),
        "수수료 2.5%, 부가세 10% 포함".into(),
        "할인가 $1,249.99 (정가 $1,499.00)".into(),
        "JPY 12,800 / EUR 89.90".into(),
        "건물번호 1203 / 동 102".into(),
        "제3회의실 (본관 4층 402호)".into(),
        "Suite 2101, 21st floor".into(),
        "Table 3 / Seat 14".into(),
        "HS코드 8471.30-0000".into(),
        "KC 인증번호 R-R-LGE-27GP850".into(),
        "Serial No. SN2025-04-007731".into(),
        "Build 2025.04.07.1532".into(),
        "학번 2019123456".into(),
        "사번 E20180347".into(),
        "차량번호 12가 3456".into(),
        "1,234,567,890원".into(),
        "점수 87.5점 (상위 12.4%)".into(),
        "TOEIC 905 / OPIc AL / HSK 5급".into(),
        "전화번호는 하이픈(-) 없이 숫자만 입력하세요.".into(),
        "이름과 주소를 정확히 기재해 주십시오.".into(),
        "예금주명이 다를 경우 입금이 취소될 수 있습니다.".into(),
        "여권 재발급 신청은 구청 민원실에서 가능합니다.".into(),
        "운전면허 갱신 기간: 2025.01.01 ~ 2025.12.31".into(),
        "카드번호 16자리와 유효기간을 입력하세요.".into(),
        "성명: ____________   (서명 또는 인)".into(),
        "Name: (block capitals)".into(),
        "주소: 위와 같음".into(),
        "지원자 수 1,284명, 경쟁률 42:1".into(),
        "회사 대표번호 1588로 시작하는 번호로 안내됩니다.".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{frn_digit, luhn_valid, rrn_digit};
    use masking::PiiKind;

    fn slice(text: &str, r: &std::ops::Range<usize>) -> String {
        text.chars().skip(r.start).take(r.len()).collect()
    }

    /// The `[[kind:value]]` values of a marked line, in order.
    fn marked_values(marked: &str) -> Vec<String> {
        marked
            .split("[[")
            .skip(1)
            .map(|rest| rest.split_once("]]").expect("closed mark").0.split_once(':').expect("kind").1.to_string())
            .collect()
    }

    #[test]
    fn every_label_span_occurs_in_its_line() {
        for marked in marked_lines() {
            let line = parse(&marked);
            let values = marked_values(&marked);
            assert_eq!(values.len(), line.spans.len(), "{marked}");
            for (s, value) in line.spans.iter().zip(values) {
                let text = slice(&line.text, &s.chars);
                assert!(!text.is_empty() && text == value, "{marked}");
                assert_eq!(text.trim(), text, "span has surrounding whitespace in {marked}");
                assert!(line.text.contains(&text), "{marked}");
            }
        }
    }

    #[test]
    fn every_kind_has_at_least_twelve_positives_and_there_are_eighty_negatives() {
        let lines = lines();
        for kind in PiiKind::ALL {
            let n = lines.iter().flat_map(|l| &l.spans).filter(|s| s.kind == kind).count();
            assert!(n >= 12, "{} has only {n} labelled spans", kind.as_str());
        }
        let negatives = lines.iter().filter(|l| l.spans.is_empty()).count();
        assert!(negatives >= 80, "only {negatives} negative lines");
    }

    #[test]
    fn every_labelled_card_passes_luhn() {
        for line in lines() {
            for s in line.spans.iter().filter(|s| s.kind == PiiKind::CardNumber) {
                let text = slice(&line.text, &s.chars);
                assert!(luhn_valid(&text), "{text}");
            }
        }
    }

    #[test]
    fn every_labelled_registration_number_has_a_valid_date_gender_and_check_digit() {
        for line in lines() {
            for s in &line.spans {
                let (check, genders): (fn(&str) -> u32, std::ops::RangeInclusive<u32>) = match s.kind {
                    PiiKind::ResidentRegistrationNumber => (rrn_digit, 1..=4),
                    PiiKind::ForeignerRegistrationNumber => (frn_digit, 5..=8),
                    _ => continue,
                };
                let digits: String = slice(&line.text, &s.chars).chars().filter(char::is_ascii_digit).collect();
                assert_eq!(digits.len(), 13, "{}", line.text);
                let d = |i: usize| digits[i..i + 1].parse::<u32>().unwrap();
                let (month, day) = (d(2) * 10 + d(3), d(4) * 10 + d(5));
                assert!((1..=12).contains(&month) && (1..=31).contains(&day), "{}", line.text);
                assert!(genders.contains(&d(6)), "{}", line.text);
                assert_eq!(check(&digits[..12]), d(12), "{}", line.text);
            }
        }
    }

    #[test]
    fn no_held_out_line_repeats_a_line_of_the_main_set() {
        let main: std::collections::HashSet<String> = crate::pii_set::lines().into_iter().map(|l| l.text).collect();
        for line in lines() {
            assert!(!main.contains(&line.text), "also in the main set: {}", line.text);
        }
    }
}

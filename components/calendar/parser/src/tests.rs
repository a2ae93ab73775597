//! End-to-end tests of [`parse`] on whole postings.

use serde_json::{Value, json};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The output as JSON, without `source_text` (its own tests are below).
fn parse_json(text: &str, reference: NaiveDate) -> Value {
    let mut value = parse_full(text, reference);
    for schedule in value["schedules"].as_array_mut().into_iter().flatten() {
        schedule.as_object_mut().map(|s| s.remove("source_text"));
    }
    value
}

fn parse_full(text: &str, reference: NaiveDate) -> Value {
    serde_json::to_value(parse(text, reference).unwrap_or_else(|e| panic!("{e:?} for {text:?}"))).unwrap()
}

const KOREAN_POSTING: &str = "\
㈜토스뱅크 2026 상반기 신입 개발자 공개채용

■ 모집 직무: 서버 개발자 (Backend)
■ 근무지: 서울 강남구 테헤란로 131 (역삼역 도보 5분)
■ 연봉: 6,000만원 이상 (경력 3년 이상 별도 협의)
■ 문의: recruit@tossbank.com / 02-1234-5678
■ 우대사항: Kotlin/Spring 경험, 인턴 경험

[전형 일정]
1. 서류 접수: 2026.01.12(월) 10:00 ~ 2026.01.23(금) 18:00까지
2. 서류 합격자 발표: 1월 30일(금)
3. 온라인 코딩테스트: 2026년 2월 7일(토) 오후 2시 ~ 5시
4. 1차 면접(기술): 2월 16일 ~ 2월 18일
5. 최종 면접: 2월 25일(수) 오전 10시
6. 최종 합격 발표: 3월 6일
7. 입사 예정일: 2026. 3. 16.

※ 지원서는 홈페이지(v2.1.3 채용 시스템)에서 작성해 주세요. 경쟁률 약 30%
※ 일정은 내부 사정에 따라 변경될 수 있습니다.
";

const ENGLISH_POSTING: &str = "\
Globex Corporation is hiring!

Position: Senior Frontend Engineer
Location: Remote (US time zones), salary $150,000 - $180,000
Requirements: 5+ years of experience with React, TypeScript 5.3

Hiring timeline
- Applications open: January 12, 2026
- Application deadline: Friday, January 30, 2026 at 11:59 PM PT
- Take-home assignment due: Feb 9
- Technical interview: February 17, 10:00 AM
- Final round interview: March 3rd, 2026 at 2 PM
- Offer decision: by March 13
- Start date: April 6, 2026

Questions? Call +1 (555) 123-4567 or email jobs@globex.com.
";

#[test]
fn full_korean_posting_end_to_end() {
    assert_eq!(
        parse_json(KOREAN_POSTING, d(2026, 1, 10)),
        json!({
            "company": "토스뱅크",
            "position": "서버 개발자",
            "schedules": [
                {"stage": "서류 마감", "date": "2026-01-23", "time": "18:00"},
                {"stage": "서류 발표", "date": "2026-01-30", "time": null},
                {"stage": "코딩테스트", "date": "2026-02-07", "time": "14:00"},
                {"stage": "1차 면접", "date": "2026-02-16", "time": null},
                {"stage": "최종 면접", "date": "2026-02-25", "time": "10:00"},
                {"stage": "최종 발표", "date": "2026-03-06", "time": null},
                {"stage": "입사", "date": "2026-03-16", "time": null}
            ],
            "hashtags": ["#토스뱅크", "#백엔드", "#신입"]
        })
    );
}

#[test]
fn full_english_posting_end_to_end() {
    assert_eq!(
        parse_json(ENGLISH_POSTING, d(2026, 1, 5)),
        json!({
            "company": "Globex Corporation",
            "position": "Senior Frontend Engineer",
            "schedules": [
                {"stage": "서류 접수", "date": "2026-01-12", "time": null},
                {"stage": "서류 마감", "date": "2026-01-30", "time": "23:59"},
                {"stage": "과제", "date": "2026-02-09", "time": null},
                {"stage": "1차 면접", "date": "2026-02-17", "time": "10:00"},
                {"stage": "최종 면접", "date": "2026-03-03", "time": "14:00"},
                {"stage": "최종 발표", "date": "2026-03-13", "time": null},
                {"stage": "입사", "date": "2026-04-06", "time": null}
            ],
            "hashtags": ["#GlobexCorporation", "#프론트엔드", "#경력"]
        })
    );
}

/// Seed 001 §6's example response data (without `success`).
fn seed_output() -> serde_json::Value {
    json!({
        "company": "카카오",
        "position": "백엔드 개발자",
        "schedules": [
            {"stage": "서류 마감", "date": "2026-01-15", "time": null},
            {"stage": "코딩테스트", "date": "2026-01-20", "time": "14:00"},
            {"stage": "1차 면접", "date": "2026-01-25", "time": null}
        ],
        "hashtags": ["#카카오", "#백엔드", "#신입"]
    })
}

#[test]
fn seed_example_output() {
    let text =
        "[카카오] 백엔드 개발자 신입 채용\n서류 마감: 2026년 1월 15일\n코딩테스트: 1월 20일 14:00\n1차 면접: 1월 25일";
    assert_eq!(parse_json(text, d(2026, 1, 10)), seed_output());
}

#[test]
fn schedules_are_sorted_by_date_then_time_and_deduplicated() {
    let text = "\
1차 면접: 1월 25일 14:00
코딩테스트 1월 20일
서류 마감 1월 15일
1차 면접: 1월 25일 10:00
요약: 서류 마감 1/15, 코딩테스트 1/20 오후 3시, 1차 면접 1/25";
    let posting = parse(text, d(2026, 1, 10)).unwrap();
    let got: Vec<(String, String, Option<String>)> = posting
        .schedules
        .iter()
        .map(|s| (s.stage.clone(), s.date.to_string(), s.time.map(|t| t.format("%H:%M").to_string())))
        .collect();
    let want = [
        ("서류 마감", "2026-01-15", None),
        ("코딩테스트", "2026-01-20", Some("15:00")),
        ("1차 면접", "2026-01-25", Some("10:00")),
        ("1차 면접", "2026-01-25", Some("14:00")),
    ];
    let want: Vec<(String, String, Option<String>)> =
        want.iter().map(|(s, d, t)| (s.to_string(), d.to_string(), t.map(str::to_string))).collect();
    assert_eq!(got, want);
}

#[test]
fn relative_dates_end_to_end() {
    let text = "오늘 자정까지 서류 접수\n내일 오후 3시 코딩테스트\n모레 과제 안내\n글피 인적성검사\n다음주 금요일 1차 면접\n3일 후 OT";
    // Several lines share a date; the order within a day follows the time, untimed first.
    assert_eq!(
        parse_json(text, d(2026, 1, 10))["schedules"],
        json!([
            {"stage": "서류 마감", "date": "2026-01-10", "time": "23:59"},
            {"stage": "코딩테스트", "date": "2026-01-11", "time": "15:00"},
            {"stage": "과제", "date": "2026-01-12", "time": null},
            {"stage": "인적성", "date": "2026-01-13", "time": null},
            {"stage": "OT", "date": "2026-01-13", "time": null},
            {"stage": "1차 면접", "date": "2026-01-16", "time": null}
        ])
    );
}

#[test]
fn english_relative_dates_end_to_end() {
    let text = "Coding test tomorrow at 2 PM\nInterview next Friday 9:00 AM\nResult announcement in 3 days";
    assert_eq!(
        parse_json(text, d(2026, 1, 10))["schedules"],
        json!([
            {"stage": "코딩테스트", "date": "2026-01-11", "time": "14:00"},
            {"stage": "합격 발표", "date": "2026-01-13", "time": null},
            {"stage": "면접", "date": "2026-01-16", "time": "09:00"}
        ])
    );
}

#[test]
fn year_inference_end_to_end() {
    let text = "서류 마감 11월 25일\n면접 12월 10일\n최종 발표 1월 15일";
    assert_eq!(
        parse_json(text, d(2026, 11, 20))["schedules"],
        json!([
            {"stage": "서류 마감", "date": "2026-11-25", "time": null},
            {"stage": "면접", "date": "2026-12-10", "time": null},
            {"stage": "최종 발표", "date": "2027-01-15", "time": null}
        ])
    );
}

#[test]
fn a_heading_line_names_the_dates_below_it() {
    let text = "■ 지원 기간\n  2026년 1월 12일(월) ~ 1월 23일(금) 23:59\n\n■ 코딩테스트\n2026.02.07 (토) 14:00";
    assert_eq!(
        parse_json(text, d(2026, 1, 10))["schedules"],
        json!([
            {"stage": "서류 마감", "date": "2026-01-23", "time": "23:59"},
            {"stage": "코딩테스트", "date": "2026-02-07", "time": "14:00"}
        ])
    );
}

#[test]
fn text_with_no_dates_is_a_parse_failure() {
    for text in [
        "카카오 백엔드 개발자 채용\n자격요건: 경력 3년 이상\n우대사항: Kotlin 경험",
        "We are hiring a Backend Engineer. Apply now!",
        "서류 마감: 채용 시 마감",
        "면접은 온라인으로 진행됩니다.",
        "🙂🎉✨",
    ] {
        assert_eq!(parse(text, d(2026, 1, 10)), Err(ParseError::NoSchedule), "{text}");
    }
    for text in ["", "   ", "\n\n\t", "\u{200B}\u{FEFF}"] {
        assert_eq!(parse(text, d(2026, 1, 10)), Err(ParseError::Empty), "{text:?}");
    }
}

#[test]
fn numbers_that_are_not_dates_make_no_schedule() {
    for text in [
        "문의: 010-1234-5678",
        "대표전화 02-123-4567, 1588-1234",
        "채용 시스템 v2.1.3 / 버전 10.2.1",
        "연봉 3,000만원 ~ 5,000만원",
        "경력 3년 이상, 5~10년 우대",
        "성과급 최대 30%, 12.5% 인상",
        "서류 전형 합격률 1/3",
        "면접 3회 진행, 1:1 면접",
        "Call +1 (555) 123-4567",
        "Salary $150,000 - $180,000, 5+ years, React 18.2, 99.9% uptime",
        "IP 192.168.0.1 포트 8080",
    ] {
        assert_eq!(parse(text, d(2026, 1, 10)), Err(ParseError::NoSchedule), "{text}");
    }
}

/// A tiny deterministic generator so the fuzz corpus is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn odd_inputs_never_panic() {
    let reference = d(2026, 1, 10);
    let fixed = [
        String::new(),
        "\0".into(),
        "🙂".repeat(1000),
        "年月日".repeat(100),
        "9999년 99월 99일 99시 99분".into(),
        "0000.00.00 00:00".into(),
        "31/12/9999 23:59:59".into(),
        "~".repeat(500),
        "[".repeat(500) + &"]".repeat(500),
        "(주)".repeat(300),
        "\u{0301}\u{0301}월\u{0301}일\u{200D}".into(),
        "ＡＢＣ　２０２６年１月１５日".into(),
        "서류 마감 ".repeat(2000) + "1/15",
        "1/15 ".repeat(2000),
        "2026.01.05 ~ ".repeat(500),
        "-\n".repeat(5000),
        "a".repeat(100_000),
        "\u{10FFFF}\u{FFFD}\u{E000}\u{1F600}\u{0000}".into(),
        "2월 29일 2월 30일 2월 31일".into(),
        "Feb 29 2027, Feb 29 2028".into(),
        "다음 주 일요일 이번 주 일요일 다다음주 월요일".into(),
        "24:00 24시 0시 00:00 12 AM 12 PM 0 PM".into(),
        "9999년 추석 연휴 다음날, 0년 설날, 1390년 추석, 2051년 설 연휴 전날".into(),
        "D-999 D-0 D-day 999일 후 999 weeks from Friday 99번째 화요일 13월 마지막 날".into(),
        "이천구백구십구년 십삼월 삼십이일 오후 열세시 육십분 밤 12시 반 전".into(),
        "the 99th of next month, last day of Smarch, 31st Saturday of February".into(),
    ];
    for text in &fixed {
        let _ = parse(text, reference);
        let _ = parse(text, NaiveDate::MIN);
        let _ = parse(text, NaiveDate::MAX);
    }
    let alphabet: Vec<char> =
        "0123456789 ./-~:,()[]년월일시분오전후AMPMamp내일모레다음주금요일서류마감면접접수코테\n\t🙂(주)㈜가힣aZ#@%\
         반초째번마지막말첫날설추석연휴전날화수목토욜세네다섯열한두삼십이팔낼익D-the of next week after Friday\u{2028}\u{85}"
            .chars()
            .collect();
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let len = (rng.next() % 60) as usize;
        let text: String = (0..len).map(|_| alphabet[(rng.next() as usize) % alphabet.len()]).collect();
        let _ = parse(&text, reference);
    }
    // Arbitrary scalar values, including unassigned and private-use ones.
    for _ in 0..500 {
        let len = (rng.next() % 40) as usize;
        let text: String = (0..len).filter_map(|_| char::from_u32((rng.next() % 0x11_0000) as u32)).collect();
        let _ = parse(&text, reference);
    }
}

#[test]
fn huge_input_is_handled() {
    let posting = format!("{KOREAN_POSTING}\n").repeat(400); // ~350 KB, 9,600 lines
    let parsed = parse(&posting, d(2026, 1, 10)).unwrap();
    // Every repetition says the same thing, so the answer is the same.
    assert_eq!(parsed, parse(KOREAN_POSTING, d(2026, 1, 10)).unwrap());
    let one_line = "서류 마감 1/15, 코딩테스트 1/20 14:00, 면접 1/25 ".repeat(2000);
    assert_eq!(parse(&one_line, d(2026, 1, 10)).unwrap().schedules.len(), 3);
}

#[test]
fn seed_shaped_posting_with_a_heading_and_bullets() {
    // The posting the host's end-to-end tests send.
    let text = "[카카오] 백엔드 개발자 신입 채용\n\n■ 전형 일정\n- 서류 마감: 2026년 1월 15일(목)\n- 코딩테스트: 1월 20일 오후 2시\n- 1차 면접: 1월 25일\n\n많은 지원 바랍니다.";
    assert_eq!(parse_json(text, d(2026, 1, 5)), seed_output());
}

#[test]
fn more_real_postings_end_to_end() {
    let cases = [
        (
            "네이버 2026 신입 공채\n서류전형 | 1.12(월) ~ 1.23(금)\n필기 | 2.7(토)\n면접 | 2월 중\n접수 마감 ~1/23 23:59",
            json!({
                "company": "네이버",
                "position": null,
                "schedules": [
                    {"stage": "서류 마감", "date": "2026-01-23", "time": "23:59"},
                    {"stage": "필기시험", "date": "2026-02-07", "time": null}
                ],
                "hashtags": ["#네이버", "#신입"]
            }),
        ),
        (
            "[라인플러스] iOS 개발자 (경력 3년 이상)\n지원 마감: 2026/02/01\n과제 전형: 2026/02/05 ~ 2026/02/12\n임원 면접: 2026/02/20 15:00\n입사일: 2026/03/02",
            json!({
                "company": "라인플러스",
                "position": "iOS 개발자",
                "schedules": [
                    {"stage": "서류 마감", "date": "2026-02-01", "time": null},
                    {"stage": "과제", "date": "2026-02-12", "time": null},
                    {"stage": "최종 면접", "date": "2026-02-20", "time": "15:00"},
                    {"stage": "입사", "date": "2026-03-02", "time": null}
                ],
                "hashtags": ["#라인플러스", "#iOS", "#경력"]
            }),
        ),
        (
            "주식회사 우아한형제들\n모집 분야: 데이터 분석가\n서류 접수 ~ 2월 1일 자정\n면접 2월 10일(화) 오후 4시 / 최종 발표 2월 20일",
            json!({
                "company": "우아한형제들",
                "position": "데이터 분석가",
                "schedules": [
                    {"stage": "서류 마감", "date": "2026-02-01", "time": "23:59"},
                    {"stage": "면접", "date": "2026-02-10", "time": "16:00"},
                    {"stage": "최종 발표", "date": "2026-02-20", "time": null}
                ],
                "hashtags": ["#우아한형제들", "#데이터"]
            }),
        ),
        (
            "Company: Acme Corp\nRole: Machine Learning Engineer (Intern)\nApply by Jan 31\nInterviews: Feb 5 - Feb 7\nResults: Feb 14\nOrientation: March 2, 2026 9 AM",
            json!({
                "company": "Acme Corp",
                "position": "Machine Learning Engineer",
                "schedules": [
                    {"stage": "서류 마감", "date": "2026-01-31", "time": null},
                    {"stage": "면접", "date": "2026-02-05", "time": null},
                    {"stage": "합격 발표", "date": "2026-02-14", "time": null},
                    {"stage": "OT", "date": "2026-03-02", "time": "09:00"}
                ],
                "hashtags": ["#AcmeCorp", "#AI", "#인턴"]
            }),
        ),
        (
            "오늘의집 채용 설명회 1월 15일 19:00 (온라인)\n청년내일채움공제 가입 가능",
            json!({
                "company": "오늘의집",
                "position": null,
                "schedules": [{"stage": "설명회", "date": "2026-01-15", "time": "19:00"}],
                "hashtags": ["#오늘의집"]
            }),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse_json(text, d(2026, 1, 10)), want, "{text}");
    }
}

// ---------------------------------------------------------------------------
// The grammar of issue 11: each reading people could take two ways is fixed here,
// with the reason it is the one a Korean recruiter (or an English posting) means.
// 2026-01-13 is a Tuesday.

fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
    d(y, m, day).and_hms_opt(h, min, 0).unwrap()
}

/// Tuesday 2026-01-13, 10:00.
fn tuesday_morning() -> NaiveDateTime {
    at(2026, 1, 13, 10, 0)
}

/// (stage, date, time) of every schedule in `text` read at `now`.
fn read_at(text: &str, now: NaiveDateTime) -> Vec<(String, String, Option<String>)> {
    match parse_at(text, now) {
        Ok(p) => p
            .schedules
            .into_iter()
            .map(|s| (s.stage, s.date.to_string(), s.time.map(|t| t.format("%H:%M").to_string())))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The one date (and time) `text` holds, read at `now`.
fn when_at(text: &str, now: NaiveDateTime) -> (String, Option<String>) {
    let all = read_at(text, now);
    assert_eq!(all.len(), 1, "{text}: {all:?}");
    let (_, date, time) = all.into_iter().next().unwrap();
    (date, time)
}

fn when(text: &str) -> (String, Option<String>) {
    when_at(text, tuesday_morning())
}

fn day(date: &str) -> (String, Option<String>) {
    (date.to_string(), None)
}

fn day_time(date: &str, time: &str) -> (String, Option<String>) {
    (date.to_string(), Some(time.to_string()))
}

#[test]
fn a_weekday_alone_is_the_next_one_not_today() {
    // On a Tuesday, "화요일" is next week's: today would be written 오늘.
    assert_eq!(when("면접 화요일"), day("2026-01-20"));
    assert_eq!(when("Interview: Tuesday"), day("2026-01-20"));
    assert_eq!(when("면접 수요일"), day("2026-01-14"));
}

#[test]
fn a_weekday_with_a_time_still_ahead_is_today() {
    // At 10:00 on a Tuesday, "화요일 오후 3시" is this afternoon; "화요일 오전 9시" has passed.
    assert_eq!(when("면접 화요일 오후 3시"), day_time("2026-01-13", "15:00"));
    assert_eq!(when("면접 화요일 오전 9시"), day_time("2026-01-20", "09:00"));
    assert_eq!(when("Interview: Tuesday at 4pm"), day_time("2026-01-13", "16:00"));
    assert_eq!(when_at("면접 화요일 오후 3시", at(2026, 1, 13, 16, 0)), day_time("2026-01-20", "15:00"));
}

#[test]
fn a_date_only_reference_is_the_start_of_its_day() {
    // `reference_date: "2026-01-13"` says nothing of the hour: every time that day is still ahead.
    assert_eq!(when_at("면접 화요일 오전 9시", at(2026, 1, 13, 0, 0)), day_time("2026-01-13", "09:00"));
    assert_eq!(
        parse("면접 화요일 오전 9시", d(2026, 1, 13)).unwrap().schedules[0].date,
        d(2026, 1, 13),
        "parse() reads at the start of the reference date"
    );
}

#[test]
fn a_time_without_a_date_is_today_even_once_past() {
    // The rule: a time alone is that time today. Moving a passed one to tomorrow
    // would invent a date nobody wrote.
    assert_eq!(when("코딩테스트 오후 3시"), day_time("2026-01-13", "15:00"));
    assert_eq!(when("코딩테스트 오전 9시"), day_time("2026-01-13", "09:00"));
    assert_eq!(when("Interview at 4 PM"), day_time("2026-01-13", "16:00"));
}

#[test]
fn next_weekday_is_next_weeks() {
    // On a Monday, "다음 화요일" could be tomorrow or a week later; like "next Tuesday" it is
    // next week's (tomorrow would be 내일 or 이번 주 화요일), the same as 다음 주 화요일.
    let monday = at(2026, 1, 12, 9, 0);
    assert_eq!(when_at("면접 다음 화요일", monday), day("2026-01-20"));
    assert_eq!(when_at("면접 다음 주 화요일", monday), day("2026-01-20"));
    assert_eq!(when_at("Interview next Tuesday", monday), day("2026-01-20"));
}

#[test]
fn this_or_coming_weekday_includes_today() {
    // "오는 금요일" and "this Friday" said on a Friday mean that day, as before issue 11.
    let friday = at(2026, 1, 16, 9, 0);
    assert_eq!(when_at("면접 오는 금요일", friday), day("2026-01-16"));
    assert_eq!(when_at("Interview this Friday", friday), day("2026-01-16"));
    assert_eq!(when_at("면접 이번 주 금요일", friday), day("2026-01-16"));
}

#[test]
fn weekday_after_next_is_in_the_week_after_next() {
    // "next Friday" is next week's, so the one after it is the week after's, like 다다음 주 금요일.
    assert_eq!(when("Interview: the Friday after next"), day("2026-01-30"));
    assert_eq!(when("면접 다다음 주 금요일"), day("2026-01-30"));
    assert_eq!(when("Interview: a week from Friday"), day("2026-01-23"));
}

#[test]
fn a_day_with_a_weekday_takes_the_nearer_month_it_fits() {
    // On 13 January, the 17th is a Saturday and 17 February a Tuesday: "17일(화)" is February's.
    assert_eq!(when("면접 17일(화)"), day("2026-02-17"));
    // The 19th of January is a Monday, and the next Tuesday the 19th is in May: "19일 화요일"
    // is a slip of the weekday, and the coming 19th stands (dates are copied more carefully).
    assert_eq!(when_at("면접 19일 화요일", at(2026, 1, 10, 9, 0)), day("2026-01-19"));
    assert_eq!(when("Interview: Tuesday the 20th"), day("2026-01-20"));
}

#[test]
fn a_day_alone_is_the_next_such_day_today_included() {
    // A day of the month names a date, so today's counts (like `1월 13일` does).
    assert_eq!(when("면접 13일"), day("2026-01-13"));
    assert_eq!(when("면접 5일"), day("2026-02-05"));
    assert_eq!(when_at("면접 30일", at(2026, 2, 10, 9, 0)), day("2026-03-30"));
    assert_eq!(when("면접 다음 달 15일"), day("2026-02-15"));
    assert_eq!(when("Interview on the 20th"), day("2026-01-20"));
}

#[test]
fn a_named_month_without_a_year_is_the_next_one_still_ahead() {
    assert_eq!(when("면접 10월 첫째 화요일"), day("2026-10-06"));
    // January's first Monday has passed on the 13th: next January's.
    assert_eq!(when("면접 1월 첫째 월요일"), day("2027-01-04"));
    assert_eq!(when("입사 2027년 3월 마지막 일요일"), day("2027-03-28"));
}

#[test]
fn an_ordinal_week_is_the_ordinal_weekday() {
    // "셋째 주 수요일" is read as the month's third Wednesday, as Korean notices use it
    // (문화가 있는 날: "매달 마지막 주 수요일"), not the Wednesday of the third calendar week.
    assert_eq!(when("면접 9월 셋째 주 수요일"), day("2026-09-16"));
    assert_eq!(when("면접 9월 셋째 수요일"), day("2026-09-16"));
    assert_eq!(when("면접 3월 마지막 주 금요일"), day("2026-03-27"));
}

#[test]
fn month_ends_and_first_days() {
    assert_eq!(when("서류 마감 12월 말까지"), day("2026-12-31"));
    // `말일` alone is this month's last day; `마지막 날` alone is too vague (the last day of what?).
    assert_eq!(when("서류 마감 말일까지"), day("2026-01-31"));
    assert_eq!(read_at("접수 마지막 날까지 최선을", tuesday_morning()), vec![]);
    assert_eq!(when("입사 다음 달 첫날"), day("2026-02-01"));
    assert_eq!(when("Deadline: the last day of February 2028"), day("2028-02-29"));
    // `말씀` (speech) is not `말` (end).
    assert_eq!(read_at("면접 12월 말씀드린 대로", tuesday_morning()), vec![]);
}

#[test]
fn a_bare_hour_is_in_business_hours() {
    // Without 오전/오후 or am/pm, 1–6 are afternoon hours: interviews are not held at 3 a.m.
    // 7–12 stay as written; a zero-padded clock (`03:30`) is a 24-hour one.
    assert_eq!(when("면접 1월 20일 3시"), day_time("2026-01-20", "15:00"));
    assert_eq!(when("면접 1월 20일 세시"), day_time("2026-01-20", "15:00"));
    assert_eq!(when("면접 1월 20일 3:30"), day_time("2026-01-20", "15:30"));
    assert_eq!(when("면접 1월 20일 03:30"), day_time("2026-01-20", "03:30"));
    assert_eq!(when("면접 1월 20일 9시"), day_time("2026-01-20", "09:00"));
    assert_eq!(when("면접 1월 20일 7시"), day_time("2026-01-20", "07:00"));
    assert_eq!(when("Interview Jan 20 at 3 o'clock"), day_time("2026-01-20", "15:00"));
}

#[test]
fn night_hours_after_midnight_and_midnight_itself() {
    // 밤 1시 is after midnight (01:00), 밤 12시 is midnight: 00:00, or 23:59 for a deadline.
    assert_eq!(when("면접 1월 20일 밤 1시"), day_time("2026-01-20", "01:00"));
    assert_eq!(when("면접 1월 20일 밤 10시"), day_time("2026-01-20", "22:00"));
    assert_eq!(when("서류 마감 1월 20일 밤 12시"), day_time("2026-01-20", "23:59"));
    assert_eq!(when("면접 1월 20일 새벽 2시"), day_time("2026-01-20", "02:00"));
}

#[test]
fn korean_numerals_in_dates_and_times() {
    assert_eq!(when("면접 삼월 삼일"), day("2026-03-03"));
    assert_eq!(when("면접 1월 20일 오후세시이십분"), day_time("2026-01-20", "15:20"));
    // "네시 십오분 전" is a quarter to four, in business hours.
    assert_eq!(when("면접 1월 20일 네시십오분전"), day_time("2026-01-20", "15:45"));
    // … but "3시 30분 전형" is a screening at 3:30, not a time before it.
    assert_eq!(when("1월 20일 오후 3시 30분 전형 시작"), day_time("2026-01-20", "15:30"));
}

#[test]
fn a_holiday_break_is_a_range() {
    // 설 and 추석 breaks run from the day before to the day after; ranges keep their rule:
    // a deadline takes the end, anything else its start.
    assert_eq!(when("서류 마감: 추석 연휴"), day("2026-09-26"));
    assert_eq!(when("면접: 추석 연휴"), day("2026-09-24"));
    assert_eq!(when("면접: 추석 연휴 다음날"), day("2026-09-27"));
}

#[test]
fn holidays_before_after_or_as_benefits_are_not_dates() {
    for text in [
        "1차 면접은 설 연휴 이후 진행",
        "면접 추석 전 진행",
        "복지: 크리스마스 휴무",
        "면접 명절 선물 지급",
        "채용설명회 안내",
    ] {
        assert_eq!(read_at(text, tuesday_morning()), vec![], "{text}");
    }
}

#[test]
fn dangil_is_the_day_of_an_event_not_today() {
    // Duckling reads 당일 as today; in a posting it is the day of the step just named.
    assert_eq!(read_at("면접 당일 신분증 지참", tuesday_morning()), vec![]);
}

#[test]
fn nael_is_tomorrow_only_before_a_time_or_a_particle() {
    assert_eq!(when("코테 낼 오후 두시"), day_time("2026-01-14", "14:00"));
    assert_eq!(when("서류 마감 낼까지"), day("2026-01-14"));
    // `낼` is also the verb "to hand in".
    assert_eq!(read_at("면접 서류를 낼 때 주의하세요", tuesday_morning()), vec![]);
}

#[test]
fn counts_rates_and_routines_are_not_dates() {
    for text in [
        "근무 조건: 주 5일",
        "면접 보상: 연차 15일",
        "면접 교육 1일 8시간",
        "면접 후 3일 이내 결과 통보",
        "면접 일요일 휴무",
        "면접 매주 수요일 재택",
        "Interviews every Monday",
        "Interview: scheduled the following Monday",
        "한시적 면접 운영",
        "면접 소요 두 시간",
    ] {
        assert_eq!(read_at(text, tuesday_morning()), vec![], "{text}");
    }
}

#[test]
fn english_times_may_come_before_their_date() {
    assert_eq!(when("Application deadline: 11:59 PM today"), day_time("2026-01-13", "23:59"));
    assert_eq!(when("Coding test: 3 PM on Friday"), day_time("2026-01-16", "15:00"));
    assert_eq!(when("Panel 11-1 PM on Jan 30"), day_time("2026-01-30", "11:00"));
}

#[test]
fn a_countdown_is_days_from_today() {
    // Korean postings count down to a deadline: D-7 is a week away, D-day today.
    assert_eq!(when("서류 마감 D-7"), day("2026-01-20"));
    assert_eq!(when("서류 마감 D-day"), day("2026-01-13"));
}

#[test]
fn a_line_with_only_a_time_takes_its_stages_date() {
    let text = "1차 면접: 1월 25일\n1차 면접 시간: 오후 2시";
    let posting = parse_at(text, tuesday_morning()).unwrap();
    assert_eq!(posting.schedules.len(), 1, "{:?}", posting.schedules);
    let s = &posting.schedules[0];
    assert_eq!((s.date, s.time), (d(2026, 1, 25), NaiveTime::from_hms_opt(14, 0, 0)));
    assert_eq!(s.source_text.as_deref(), Some("1차 면접: 1월 25일 / 1차 면접 시간: 오후 2시"));
}

#[test]
fn opening_hours_are_not_appointments() {
    for text in ["서류 접수 시간: 평일 09:00~18:00", "면접 문의 10시~17시 (점심시간 제외)", "면접 core hours 10am-4pm"]
    {
        assert_eq!(read_at(text, tuesday_morning()), vec![], "{text}");
    }
}

#[test]
fn one_line_that_names_no_stage_is_a_generic_schedule() {
    // A client may send just the expression (`오후 세시`); it is reported as 일정 rather than failing.
    assert_eq!(
        read_at("오후 세시", tuesday_morning()),
        vec![("일정".to_string(), "2026-01-13".to_string(), Some("15:00".to_string()))]
    );
    assert_eq!(read_at("다음 주 금요일", tuesday_morning())[0].0, "일정");
    // A whole posting that names no stage still has no schedule.
    assert_eq!(parse_at("안녕하세요\n1월 20일", tuesday_morning()), Err(ParseError::NoSchedule));
}

#[test]
fn source_text_keeps_the_wording_read() {
    let sources = |text: &str| -> Vec<(String, Option<String>)> {
        parse_at(text, tuesday_morning()).unwrap().schedules.into_iter().map(|s| (s.stage, s.source_text)).collect()
    };
    let one = |stage: &str, source: &str| vec![(stage.to_string(), Some(source.to_string()))];
    // The stage is canonical; the wording stays as written.
    assert_eq!(sources("코테 낼 오후 두시"), one("코딩테스트", "코테 낼 오후 두시"));
    assert_eq!(sources("- 서류 접수: 1월 15일까지"), one("서류 마감", "서류 접수: 1월 15일까지"));
    assert_eq!(sources("1/15 서류 마감"), one("서류 마감", "1/15 서류 마감"));
    assert_eq!(
        sources("Phone screen: Tuesday the 20th at 3:30 pm"),
        one("Phone screen", "Phone screen: Tuesday the 20th at 3:30 pm")
    );
    assert_eq!(
        sources("서류 마감 1/15, 코테 1/20 14:00"),
        vec![
            ("서류 마감".to_string(), Some("서류 마감 1/15".to_string())),
            ("코딩테스트".to_string(), Some("코테 1/20 14:00".to_string()))
        ]
    );
    // Serialized next to the other fields.
    let json = parse_full("코테 1/20 14:00", d(2026, 1, 13));
    assert_eq!(json["schedules"][0]["source_text"], "코테 1/20 14:00");
}

#[test]
fn a_span_within_days_is_a_deadline_counted_from_today() {
    // Duckling's "7일 이내": N days from now. After `후` it counts from another step instead.
    assert_eq!(when("과제 제출: 7일 이내"), day("2026-01-20"));
    assert_eq!(when("Take-home due within 5 days"), day("2026-01-18"));
    assert_eq!(read_at("과제: 면접 후 3일 이내", tuesday_morning()), vec![]);
    assert_eq!(read_at("Results within 5 days of the interview", tuesday_morning()), vec![]);
    assert_eq!(read_at("면접 후 결과는 7일 이내 통보", tuesday_morning()), vec![]);
    assert_eq!(read_at("Online assessment: sent the following Monday, due within 5 days", tuesday_morning()), vec![]);
}

#[test]
fn a_weekend_is_its_saturday() {
    assert_eq!(when("면접 이번 주말"), day("2026-01-17"));
    assert_eq!(when("설명회 다음 주말 오후 2시"), day_time("2026-01-24", "14:00"));
    assert_eq!(when("OT next weekend"), day("2026-01-24"));
}

#[test]
fn past_days_and_end_of_day() {
    assert_eq!(when("서류 마감 어제"), day("2026-01-12"));
    assert_eq!(when("서류 마감 엊그제"), day("2026-01-11"));
    assert_eq!(when("Applications close EOD Friday"), day_time("2026-01-16", "23:59"));
}

#[test]
fn seed_shaped_posting_keeps_each_lines_wording() {
    // The wording the host's end-to-end tests expect in `source_text` for their posting.
    let text = "[카카오] 백엔드 개발자 신입 채용\n\n■ 전형 일정\n- 서류 마감: 2026년 1월 15일(목)\n- 코딩테스트: 1월 20일 오후 2시\n- 1차 면접: 1월 25일\n\n많은 지원 바랍니다.";
    let sources: Vec<Value> = parse_full(text, d(2026, 1, 5))["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source_text"].clone())
        .collect();
    assert_eq!(
        sources,
        [json!("서류 마감: 2026년 1월 15일(목)"), json!("코딩테스트: 1월 20일 오후 2시"), json!("1차 면접: 1월 25일")]
    );
}

//! End-to-end tests of [`parse`] on whole postings.

use serde_json::{Value, json};

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn parse_json(text: &str, reference: NaiveDate) -> Value {
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
    ];
    for text in &fixed {
        let _ = parse(text, reference);
        let _ = parse(text, NaiveDate::MIN);
        let _ = parse(text, NaiveDate::MAX);
    }
    let alphabet: Vec<char> =
        "0123456789 ./-~:,()[]년월일시분오전후AMPMamp내일모레다음주금요일서류마감면접접수코테\n\t🙂(주)㈜가힣aZ#@%"
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

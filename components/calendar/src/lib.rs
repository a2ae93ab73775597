//! `calendar`: job-posting text (Korean or English) → company, position,
//! hiring schedule and hashtags (`POST /ai/calendar/parse` of the seed API).
//!
//! This file is wiring only: the descriptor, the clock and the blob read.
//! The logic lives in [`parser`] (pure text → [`parser::Posting`]) and
//! [`request`] (input validation), both tested natively.

pub mod request;

/// The grammar lives in its own library crate (`parser/`), which the career
/// component links too; this name keeps `calendar::parser::…` working.
pub use calendar_parser as parser;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use capsule_sdk::{Capability, Descriptor, Example, Failure, Job, Mode};
use parser::{ParseError, Posting};
use request::{Input, Source};

pub struct Calendar;

impl Capability for Calendar {
    type Input = Input;
    type Output = Posting;

    fn descriptor() -> Descriptor {
        Descriptor {
            name: "calendar".into(),
            version: "0.1.0".into(),
            summary:
                "Extracts the company, position, hiring schedule and hashtags from a Korean or English job posting"
                    .into(),
            input_schema: input_schema(),
            output_schema: output_schema(),
            mode: Mode::Sync,
            examples: examples(),
        }
    }

    fn run(_job: &Job, input: Input) -> Result<Posting, Failure> {
        handle(&input, now(), capsule_sdk::blobs::read)
    }

    /// Compiles the parser's ≈ 90 patterns and runs the examples through it,
    /// so their match caches are filled too. No clock: every example names
    /// its reference date, and the fixed `now` is never read for them.
    fn warm() {
        parser::warm();
        for example in examples() {
            if let Ok(input) = serde_json::from_value::<Input>(example.input) {
                let _ =
                    handle(&input, DateTime::UNIX_EPOCH, |_| Err(Failure::new("WARM_UP", "no files while warming")));
            }
        }
    }
}

// Only wasm builds export the component: on a native target the exported
// symbol names (`capsule:worker/worker@0.1.0#run`) break the cdylib's linker
// version script, and native builds exist only to run the tests.
#[cfg(target_family = "wasm")]
capsule_sdk::export_capability!(Calendar);

/// The whole job with its effects passed in, so tests can run it natively.
pub fn handle(
    input: &Input,
    now: DateTime<Utc>,
    read_blob: impl FnOnce(&str) -> Result<Vec<u8>, Failure>,
) -> Result<Posting, Failure> {
    let source = input.source()?;
    let tz = input.timezone()?;
    let reference = input.reference(tz, now)?;
    let text = match source {
        Source::Text(text) => text,
        Source::File(url) => request::decode_file(&read_blob(&url)?)?,
    };
    parser::parse_at(&text, reference).map_err(|e| match e {
        ParseError::Empty => {
            Failure::new(request::NO_INPUT, "the posting is empty; send its text with the dates in it")
        }
        ParseError::NoSchedule => Failure::new(
            request::PARSE_FAILED,
            "no hiring schedule was found: the posting needs at least one date such as `서류 마감: 2026년 1월 15일`",
        ),
    })
}

fn now() -> DateTime<Utc> {
    // wasip2 provides wall-clock time; before-1970 clocks only happen on broken hosts.
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    DateTime::from_timestamp(since_epoch.as_secs().try_into().unwrap_or(0), since_epoch.subsec_nanos())
        .unwrap_or_default()
}

pub fn input_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "calendar input",
        "description": "A job posting as text (or a file URL); `text` wins when both are given.",
        "type": "object",
        "properties": {
            "text": {
                "type": "string",
                "description": "The posting text, Korean or English."
            },
            "file_url": {
                "type": "string",
                "description": "URL of an uploaded file holding the posting; plain-text files only for now."
            },
            "reference_date": {
                "type": "string",
                "description": "What relative and year-less dates count from: `2026-01-10`, `2026-01-10T09:00:00` or `2026-01-10T09:00:00+09:00`. Defaults to today in `timezone`."
            },
            "timezone": {
                "type": "string",
                "description": "IANA time zone name for `reference_date` and today.",
                "default": request::DEFAULT_TIMEZONE
            }
        },
        "additionalProperties": false
    })
}

pub fn output_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "calendar output",
        "type": "object",
        "properties": {
            "company": {"type": ["string", "null"], "description": "The hiring company, without legal markers such as (주)."},
            "position": {"type": ["string", "null"], "description": "The advertised position."},
            "schedules": {
                "type": "array",
                "description": "Hiring steps ordered by date, then time.",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "stage": {
                            "type": "string",
                            "minLength": 1,
                            "description": "Korean stage label, e.g. 서류 마감, 코딩테스트, 1차 면접, 최종 발표, 입사."
                        },
                        "date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
                        "time": {"type": ["string", "null"], "pattern": "^\\d{2}:\\d{2}$"},
                        "source_text": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The words the entry was read from, as written: its stage keyword, date and time (e.g. `코테 낼 오후 두시`, `Apply by Friday`)."
                        }
                    },
                    "required": ["stage", "date", "time"],
                    "additionalProperties": false
                }
            },
            "hashtags": {
                "type": "array",
                "maxItems": 6,
                "items": {"type": "string", "pattern": "^#\\S+$"}
            }
        },
        "required": ["company", "position", "schedules", "hashtags"],
        "additionalProperties": false
    })
}

pub fn examples() -> Vec<Example> {
    vec![
        Example::new(
            "korean-posting",
            json!({
                "text": "[카카오] 백엔드 개발자 신입 채용\n서류 마감: 2026년 1월 15일(목)\n코딩테스트: 1월 20일 오후 2시\n1차 면접: 1월 25일",
                "reference_date": "2026-01-10"
            }),
            json!({
                "company": "카카오",
                "position": "백엔드 개발자",
                "schedules": [
                    {"stage": "서류 마감", "date": "2026-01-15", "time": null, "source_text": "서류 마감: 2026년 1월 15일(목)"},
                    {"stage": "코딩테스트", "date": "2026-01-20", "time": "14:00", "source_text": "코딩테스트: 1월 20일 오후 2시"},
                    {"stage": "1차 면접", "date": "2026-01-25", "time": null, "source_text": "1차 면접: 1월 25일"}
                ],
                "hashtags": ["#카카오", "#백엔드", "#신입"]
            }),
        ),
        Example::new(
            "english-posting",
            json!({
                "text": "Acme Corp is hiring a Backend Engineer (new grad)\nApplication deadline: January 15, 2027 11:59 PM\nCoding test: Jan 22 at 2 PM\nFinal interview: Feb 3",
                "reference_date": "2026-12-01",
                "timezone": "America/New_York"
            }),
            json!({
                "company": "Acme Corp",
                "position": "Backend Engineer",
                "schedules": [
                    {"stage": "서류 마감", "date": "2027-01-15", "time": "23:59", "source_text": "Application deadline: January 15, 2027 11:59 PM"},
                    {"stage": "코딩테스트", "date": "2027-01-22", "time": "14:00", "source_text": "Coding test: Jan 22 at 2 PM"},
                    {"stage": "최종 면접", "date": "2027-02-03", "time": null, "source_text": "Final interview: Feb 3"}
                ],
                "hashtags": ["#AcmeCorp", "#백엔드", "#신입"]
            }),
        ),
        Example::new(
            "relative-dates",
            json!({
                "text": "내일 오후 3시 코딩테스트, 다음 주 금요일 1차 면접",
                "reference_date": "2026-01-10T09:00:00+09:00"
            }),
            json!({
                "company": null,
                "position": null,
                "schedules": [
                    {"stage": "코딩테스트", "date": "2026-01-11", "time": "15:00", "source_text": "내일 오후 3시 코딩테스트"},
                    {"stage": "1차 면접", "date": "2026-01-16", "time": null, "source_text": "다음 주 금요일 1차 면접"}
                ],
                "hashtags": []
            }),
        ),
    ]
}

#[cfg(test)]
mod tests;

//! The job input: which text to read, and the date "today" means.
//!
//! Pure like the parser (the clock and the file bytes are passed in), so the
//! failure codes are tested natively; `lib.rs` only adds the SDK calls.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use capsule_sdk::Failure;

pub const DEFAULT_TIMEZONE: &str = "Asia/Seoul";

pub const NO_INPUT: &str = "CALENDAR_NO_INPUT_PROVIDED";
pub const PARSE_FAILED: &str = "CALENDAR_PARSE_FAILED";
pub const INVALID_REFERENCE_DATE: &str = "CALENDAR_INVALID_REFERENCE_DATE";
pub const INVALID_TIMEZONE: &str = "CALENDAR_INVALID_TIMEZONE";
pub const OCR_UNAVAILABLE: &str = "OCR_ENGINE_UNAVAILABLE";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub file_url: Option<String>,
    #[serde(default)]
    pub reference_date: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Where the posting comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Text(String),
    File(String),
}

/// Blank strings count as absent: form-based clients send `""` for empty fields.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Input {
    /// Text wins over a file when both are given; neither is a failure.
    pub fn source(&self) -> Result<Source, Failure> {
        if let Some(text) = self.text.as_deref().filter(|t| !t.trim().is_empty()) {
            return Ok(Source::Text(text.to_string()));
        }
        if let Some(url) = present(&self.file_url) {
            return Ok(Source::File(url.to_string()));
        }
        Err(Failure::new(NO_INPUT, "send the job posting as `text` (or a `file_url` pointing to it); none was given"))
    }

    pub fn timezone(&self) -> Result<Tz, Failure> {
        let name = present(&self.timezone).unwrap_or(DEFAULT_TIMEZONE);
        name.parse::<Tz>().map_err(|_| {
            Failure::new(
                INVALID_TIMEZONE,
                format!("`{name}` is not an IANA time zone name; use one such as `Asia/Seoul` or `America/New_York`"),
            )
        })
    }

    /// When relative expressions count from, as a wall clock in `tz`: `reference_date`
    /// (a date alone is its midnight), or now there.
    pub fn reference(&self, tz: Tz, now: DateTime<Utc>) -> Result<NaiveDateTime, Failure> {
        match present(&self.reference_date) {
            None => Ok(now.with_timezone(&tz).naive_local()),
            Some(raw) => parse_reference(raw, tz).ok_or_else(|| {
                Failure::new(
                    INVALID_REFERENCE_DATE,
                    format!("`{raw}` is not a date; use ISO 8601 such as `2026-01-10` or `2026-01-10T09:00:00+09:00`"),
                )
            }),
        }
    }
}

/// A date (its midnight), a wall-clock datetime (taken as already in `tz`), or an instant with an offset.
fn parse_reference(raw: &str, tz: Tz) -> Option<NaiveDateTime> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
        return Some(instant.with_timezone(&tz).naive_local());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(instant) = DateTime::parse_from_str(raw, format) {
            return Some(instant.with_timezone(&tz).naive_local());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        // A wall-clock time is already local to `tz`.
        if let Ok(local) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(local);
        }
    }
    None
}

/// The posting inside an uploaded file: text is parsed, images and PDFs need OCR.
pub fn decode_file(bytes: &[u8]) -> Result<String, Failure> {
    let ocr = || {
        Failure::new(
            OCR_UNAVAILABLE,
            "reading schedules from images and PDFs needs the OCR engine, which this host does not provide yet; send the posting as text",
        )
    };
    const BINARY_MAGIC: &[&[u8]] =
        &[b"%PDF", b"\x89PNG", b"\xFF\xD8\xFF", b"GIF8", b"II*\0", b"MM\0*", b"RIFF", b"PK\x03\x04"];
    if BINARY_MAGIC.iter().any(|m| bytes.starts_with(m)) || bytes.get(4..12).is_some_and(|b| b.starts_with(b"ftyp")) {
        return Err(ocr());
    }
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        std::str::from_utf8(rest).ok().map(str::to_string)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        std::str::from_utf8(bytes).ok().map(str::to_string)
    };
    // NUL bytes mean a binary format that happens to be valid UTF-8.
    let text = text.filter(|t| !t.contains('\0')).ok_or_else(ocr)?;
    if text.trim().is_empty() {
        return Err(Failure::new(NO_INPUT, "the file at `file_url` is empty; send a posting with its dates"));
    }
    Ok(text)
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| word([c[0], c[1]])).collect();
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(json: serde_json::Value) -> Input {
        serde_json::from_value(json).unwrap()
    }

    fn seoul() -> Tz {
        chrono_tz::Asia::Seoul
    }

    fn now() -> DateTime<Utc> {
        // 2026-01-09 20:00 UTC is already 2026-01-10 in Seoul.
        Utc.with_ymd_and_hms(2026, 1, 9, 20, 0, 0).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn source_prefers_text_then_file_else_no_input() {
        let i = input(serde_json::json!({"text": "서류 마감 1/15", "file_url": "blob://x"}));
        assert_eq!(i.source().unwrap(), Source::Text("서류 마감 1/15".into()));
        let i = input(serde_json::json!({"text": "  \n ", "file_url": "blob://x"}));
        assert_eq!(i.source().unwrap(), Source::File("blob://x".into()));
        for json in [
            serde_json::json!({}),
            serde_json::json!({"text": ""}),
            serde_json::json!({"text": " \t\n"}),
            serde_json::json!({"text": null}),
            serde_json::json!({"file_url": ""}),
            serde_json::json!({"reference_date": "2026-01-10"}),
        ] {
            assert_eq!(input(json.clone()).source().unwrap_err().code, NO_INPUT, "{json}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(serde_json::from_value::<Input>(serde_json::json!({"text": "x", "txt": "y"})).is_err());
    }

    #[test]
    fn timezone_defaults_to_seoul_and_rejects_unknown_names() {
        assert_eq!(Input::default().timezone().unwrap(), seoul());
        assert_eq!(input(serde_json::json!({"timezone": ""})).timezone().unwrap(), seoul());
        assert_eq!(
            input(serde_json::json!({"timezone": "America/New_York"})).timezone().unwrap(),
            chrono_tz::America::New_York
        );
        assert_eq!(input(serde_json::json!({"timezone": "UTC"})).timezone().unwrap(), chrono_tz::UTC);
        for bad in ["Mars/Olympus", "KST+9", "asia/seoul!", "Seoul"] {
            let err = input(serde_json::json!({"timezone": bad})).timezone().unwrap_err();
            assert_eq!(err.code, INVALID_TIMEZONE, "{bad}");
        }
    }

    #[test]
    fn reference_date_accepts_dates_and_datetimes() {
        let cases = [
            ("2026-01-10", d(2026, 1, 10)),
            ("2026-01-10T09:00:00", d(2026, 1, 10)),
            ("2026-01-10T23:30", d(2026, 1, 10)),
            ("2026-01-10 09:00:00", d(2026, 1, 10)),
            ("2026-01-10T09:00:00+09:00", d(2026, 1, 10)),
            // 20:00 UTC on the 9th is the 10th in Seoul.
            ("2026-01-09T20:00:00Z", d(2026, 1, 10)),
            ("2026-01-09T20:00:00.123Z", d(2026, 1, 10)),
            ("2026-01-10T00:30:00+09:00", d(2026, 1, 10)),
        ];
        for (raw, want) in cases {
            let got = input(serde_json::json!({"reference_date": raw})).reference(seoul(), now()).unwrap();
            assert_eq!(got.date(), want, "{raw}");
        }
    }

    #[test]
    fn reference_date_defaults_to_today_in_the_timezone() {
        assert_eq!(Input::default().reference(seoul(), now()).unwrap().date(), d(2026, 1, 10));
        assert_eq!(Input::default().reference(chrono_tz::UTC, now()).unwrap().date(), d(2026, 1, 9));
    }

    #[test]
    fn reference_keeps_its_time_of_day_in_the_timezone() {
        let hm =
            |json: serde_json::Value, tz: Tz| input(json).reference(tz, now()).unwrap().format("%F %H:%M").to_string();
        assert_eq!(hm(serde_json::json!({"reference_date": "2026-01-13T10:00"}), seoul()), "2026-01-13 10:00");
        // An instant is read on the zone's wall clock: 20:00 UTC is 05:00 the next day in Seoul.
        assert_eq!(hm(serde_json::json!({"reference_date": "2026-01-09T20:00:00Z"}), seoul()), "2026-01-10 05:00");
        // A date alone is its start, so every time that day is still ahead.
        assert_eq!(hm(serde_json::json!({"reference_date": "2026-01-13"}), seoul()), "2026-01-13 00:00");
        assert_eq!(hm(serde_json::json!({}), seoul()), "2026-01-10 05:00");
    }

    #[test]
    fn invalid_reference_dates_fail() {
        for bad in ["tomorrow", "2026-13-01", "2026-02-30", "10/01/2026", "2026-01-10T25:00:00", "20260110"] {
            let err = input(serde_json::json!({"reference_date": bad})).reference(seoul(), now()).unwrap_err();
            assert_eq!(err.code, INVALID_REFERENCE_DATE, "{bad}");
        }
    }

    #[test]
    fn files_decode_as_text_or_need_ocr() {
        assert_eq!(decode_file("서류 마감 1/15".as_bytes()).unwrap(), "서류 마감 1/15");
        assert_eq!(decode_file(b"\xEF\xBB\xBFhello").unwrap(), "hello");
        let utf16le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("마감".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode_file(&utf16le).unwrap(), "마감");
        for binary in [
            &b"%PDF-1.7\n1 0 obj"[..],
            b"\x89PNG\r\n\x1a\n\0\0",
            b"\xFF\xD8\xFF\xE0\0\x10JFIF",
            b"GIF89a",
            b"\0\0\0\x18ftypheic",
            b"\xC3\x28\xA0\xA1",
            b"text\0with nul",
        ] {
            assert_eq!(decode_file(binary).unwrap_err().code, OCR_UNAVAILABLE, "{binary:?}");
        }
        assert_eq!(decode_file(b"  \n").unwrap_err().code, NO_INPUT);
    }
}

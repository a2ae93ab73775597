//! PII detection over lines of text, optionally carrying OCR word boxes.
//!
//! Every detector proposes [`Candidate`]s in byte offsets; overlapping
//! proposals are resolved once per line (most confident, then longest, wins)
//! so that, say, a phone number is never also reported as a bank account.

mod checks;
mod contact;
mod finance;
mod ids;
mod labelled;
mod location;
mod names;
mod text;

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// One OCR word with its bounding box in image pixels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A line of text; `words` is empty when the input had no OCR geometry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    pub words: Vec<Word>,
}

impl Line {
    /// A line without geometry (plain-text input): detections get no location.
    pub fn text_only(text: impl Into<String>) -> Self {
        Self { text: text.into(), words: Vec::new() }
    }
}

/// Axis-aligned box in image pixels: origin at the top-left, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// Smallest box covering both; saturating so absurd OCR coordinates cannot overflow.
    pub fn union(self, other: Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        let right = self.x.saturating_add(self.width).max(other.x.saturating_add(other.width));
        let bottom = self.y.saturating_add(self.height).max(other.y.saturating_add(other.height));
        Rect { x, y, width: right - x, height: bottom - y }
    }
}

/// What kind of personal information a detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Phone,
    Email,
    ResidentRegistrationNumber,
    ForeignerRegistrationNumber,
    CardNumber,
    PassportNumber,
    DriverLicenseNumber,
    BankAccount,
    Name,
    Address,
}

impl PiiKind {
    pub const ALL: [PiiKind; 10] = [
        PiiKind::Phone,
        PiiKind::Email,
        PiiKind::ResidentRegistrationNumber,
        PiiKind::ForeignerRegistrationNumber,
        PiiKind::CardNumber,
        PiiKind::PassportNumber,
        PiiKind::DriverLicenseNumber,
        PiiKind::BankAccount,
        PiiKind::Name,
        PiiKind::Address,
    ];

    /// The serialised name, for reports and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Phone => "phone",
            PiiKind::Email => "email",
            PiiKind::ResidentRegistrationNumber => "resident_registration_number",
            PiiKind::ForeignerRegistrationNumber => "foreigner_registration_number",
            PiiKind::CardNumber => "card_number",
            PiiKind::PassportNumber => "passport_number",
            PiiKind::DriverLicenseNumber => "driver_license_number",
            PiiKind::BankAccount => "bank_account",
            PiiKind::Name => "name",
            PiiKind::Address => "address",
        }
    }
}

/// One finding. `char_range` counts Unicode scalar values (Rust `char`s) of
/// `Line::text`, not bytes, so clients in other languages can slice safely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub kind: PiiKind,
    pub text: String,
    pub line: usize,
    pub char_range: Range<usize>,
    pub location: Option<Rect>,
    pub confidence: f32,
}

/// A proposal from one detector, in byte offsets of the line text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

/// Builds every pattern detection uses and runs one line with each kind of
/// PII through it (pre-initialization: a job then starts with both built).
pub fn warm() {
    contact::warm();
    finance::warm();
    ids::warm();
    labelled::warm();
    names::warm();
    let sample = "홍길동 님 010-1234-5678 hong@example.com 900101-1234567 M12345678 11-22-333333-44 \
                  4111-1111-1111-1111 국민은행 123456-01-123456 주소: 서울특별시 중구 세종대로 110";
    let _ = detect(&[Line::text_only(sample)]);
}

/// Finds PII in every line; results are ordered by line, then position.
pub fn detect(lines: &[Line]) -> Vec<Detection> {
    lines.iter().enumerate().flat_map(|(index, line)| detect_line(index, line)).collect()
}

fn detect_line(index: usize, line: &Line) -> Vec<Detection> {
    let text = line.text.as_str();
    let mut candidates = Vec::new();
    contact::phones(text, &mut candidates);
    contact::emails(text, &mut candidates);
    ids::registration_numbers(text, &mut candidates);
    ids::passports(text, &mut candidates);
    ids::driver_licenses(text, &mut candidates);
    finance::cards(text, &mut candidates);
    finance::bank_accounts(text, &mut candidates);
    labelled::labelled_fields(text, &mut candidates);
    labelled::road_addresses(text, &mut candidates);
    names::addressed_names(text, &mut candidates);

    let kept = resolve(candidates);
    if kept.is_empty() {
        return Vec::new();
    }
    let chars = text::CharIndex::new(text);
    let spans = location::WordSpans::new(text, &line.words);
    kept.into_iter()
        .map(|c| {
            let char_range = chars.char_at(c.start)..chars.char_at(c.end);
            Detection {
                kind: c.kind,
                text: text[c.start..c.end].to_string(),
                line: index,
                location: spans.cover(&char_range),
                char_range,
                confidence: c.confidence,
            }
        })
        .collect()
}

/// Greedy interval selection: the most confident (then longest) proposal
/// claims its span, and anything overlapping it is dropped.
fn resolve(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.retain(|c| c.start < c.end);
    candidates.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // Kept spans are disjoint, so only the nearest one starting before `c.end` can overlap `c`.
    let mut kept: std::collections::BTreeMap<usize, Candidate> = std::collections::BTreeMap::new();
    for c in candidates {
        let overlaps = kept.range(..c.end).next_back().is_some_and(|(_, k)| k.end > c.start);
        if !overlaps {
            kept.insert(c.start, c);
        }
    }
    kept.into_values().collect()
}

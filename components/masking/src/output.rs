//! The job output. One type serves both modes: a file job fills `masked_file_url`, `content_type`
//! and `page_count`; a text job fills `masked_text`. The detected PII itself is never echoed.

use serde::Serialize;

use crate::pii::{PiiKind, Rect};

/// The masked result and what was found, without the personal information itself.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Output {
    /// File jobs: URL of the masked file (a PNG for images, a PDF of page images for PDFs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_file_url: Option<String>,
    /// File jobs: the masked file's media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<ContentType>,
    /// File jobs: pages in the masked file (1 for an image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_count: Option<u32>,
    /// Text jobs: the text with every character of each detection replaced by `*`, so it has the
    /// same number of characters and `start`/`end` index both texts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_text: Option<String>,
    /// What was masked, in page then reading order.
    pub detected_items: Vec<DetectedItem>,
    /// Things the caller should check: pages without recognisable text, detections masked by a
    /// whole-line box, ignored options.
    pub warnings: Vec<String>,
}

/// The media type of a masked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum ContentType {
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl ContentType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Png => "image/png",
            ContentType::Pdf => "application/pdf",
        }
    }
}

/// One masked piece of personal information.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DetectedItem {
    #[serde(rename = "type")]
    pub kind: PiiKind,
    /// File jobs: the masked box in the pixels of the output image or page image (before the
    /// 2-pixel margin the black box adds). Missing only if the detection could not be placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Rect>,
    /// File jobs: 1-based page (1 for an image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Text jobs: first masked character, counted in Unicode scalar values from the start of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Text jobs: one past the last masked character.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// How sure the detector is that this is the named kind, 0.0..=1.0.
    pub confidence: f32,
}

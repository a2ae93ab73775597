//! `masking`: blacks out personal information (PII) in images, PDFs and plain text
//! (`POST /ai/masking/draft` of the seed API).
//!
//! - Images (PNG, JPEG, WebP, TIFF): the host's OCR engine reads the text, [`pii::detect`] finds
//!   the PII on its lines, and opaque black boxes cover each finding's words in a PNG copy.
//! - PDFs: each page is rendered by the host; its text layer (when it has one and the rendering is
//!   upright) or else OCR of the rendering locates the PII, and the masked renderings become a new
//!   PDF of page images only, so no text of the original survives. A page with a text layer that
//!   also draws images (a scanned ID pasted into a typed form) is read both ways.
//! - Text: each detected character becomes `*`.
//!
//! This file is wiring only. The logic lives in small modules tested natively: [`pii`] (detection),
//! [`request`] (input), [`text_mode`], [`page_text`] (OCR / text layer → lines and boxes),
//! [`raster`] (decode, draw, encode), [`pdf_pages`] (the input's page structure), [`pdf_out`] (PDF
//! assembly) and [`job`] (the flow, with its effects behind [`job::Engines`]).

pub mod job;
pub mod output;
pub mod page_text;
pub mod pdf_out;
pub mod pdf_pages;
pub mod pii;
pub mod raster;
pub mod request;
pub mod text_mode;

use capsule_sdk::{Capability, Descriptor, Example, Failure, Job, Mode};
use serde_json::json;

pub use output::{ContentType, DetectedItem, Output};
pub use pii::{Detection, Line, PiiKind, Rect, Word, detect};
pub use request::Input;

/// Anything that goes wrong inside the component rather than with the input or an engine.
pub const FAILED: &str = "MASKING_FAILED";
/// The job was cancelled between pages.
pub const CANCELLED: &str = "JOB_CANCELLED";

pub struct Masking;

impl Capability for Masking {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        let mut descriptor = Descriptor::new(
            "masking",
            "0.1.0",
            "Blacks out personal information (phone numbers, e-mails, ID, card, passport, licence and account \
             numbers, names, addresses) in images, PDFs and text",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async);
        descriptor.examples = examples();
        descriptor
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        job::handle(&input, &mut capsule_sdk::Capsule)
    }

    fn warm() {
        pii::warm();
    }
}

// Only wasm builds export the component: natively the exported symbol names break the cdylib's
// linker version script, and native builds exist only to run the tests.
#[cfg(target_family = "wasm")]
capsule_sdk::export_capability!(Masking);

/// Self-tests the host runs at load. Text mode only: they must pass on hosts without Tesseract.
pub fn examples() -> Vec<Example> {
    vec![
        Example::new(
            "phone-in-text",
            json!({"text": "연락처 010-1234-5678"}),
            json!({
                "masked_text": "연락처 *************",
                "detected_items": [{"type": "phone", "start": 4, "end": 17}],
                "warnings": []
            }),
        ),
        Example::new(
            "email-and-phone-on-two-lines",
            json!({"text": "담당자 이메일: hong@example.com\nTel. 02-123-4567"}),
            json!({
                "masked_text": "담당자 이메일: ****************\nTel. ***********",
                "detected_items": [
                    {"type": "email", "start": 9, "end": 25},
                    {"type": "phone", "start": 31, "end": 42}
                ],
                "warnings": []
            }),
        ),
        Example::new(
            "nothing-to-mask",
            json!({"text": "회의는 1월 15일 오후 3시, 3층 대회의실에서 합니다."}),
            json!({
                "masked_text": "회의는 1월 15일 오후 3시, 3층 대회의실에서 합니다.",
                "detected_items": [],
                "warnings": []
            }),
        ),
    ]
}

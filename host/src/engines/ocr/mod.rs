//! The `ocr` engine: text recognition with Tesseract 5, run as a child
//! process so a crash or a runaway allocation in a C library costs one job,
//! not the host. Each child gets a memory ceiling, is killed when the job's
//! future is dropped (deadline, cancel), and at most `concurrency` run at
//! once so OCR cannot starve the job workers of CPU.

mod tesseract;

use std::sync::Arc;

use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};

use super::{Code, EngineError, EngineStatus, INVALID_FILE, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{ocr, types};

pub use tesseract::{Recognition, TextWord};

/// No Tesseract or no language data on this host (seed routes:
/// `ai_service_unavailable` 5031).
pub const UNAVAILABLE: &str = "OCR_ENGINE_UNAVAILABLE";

const CODES: &[Code] = &[
    Code {
        code: UNAVAILABLE,
        retryable: false,
        meaning: "Tesseract or its language data is not installed on this host",
    },
    Code {
        code: INVALID_FILE,
        retryable: false,
        meaning: "the image is empty, not an image, damaged, or over 80 megapixels",
    },
    Code { code: "OCR_LANGUAGE_UNSUPPORTED", retryable: false, meaning: "a requested language is not installed" },
    Code { code: "OCR_FAILED", retryable: false, meaning: "Tesseract failed on this image" },
];

pub struct Ocr {
    tesseract: tesseract::Tesseract,
    permits: Arc<Semaphore>,
}

impl Ocr {
    /// Read the text in an image (PNG, JPEG, WebP or TIFF bytes).
    pub async fn recognize(&self, image: Vec<u8>, languages: &str) -> Result<Recognition, EngineError> {
        self.tesseract.check(languages)?;
        let _permit = super::permit(&self.permits, UNAVAILABLE).await?;
        self.tesseract.recognize(image, languages).await
    }
}

impl Lent for Ocr {
    const NAME: &'static str = "ocr";

    async fn start(ctx: &StartContext<'_>) -> Self {
        let tesseract = tesseract::Tesseract::probe(ctx.settings.tesseract.clone()).await;
        Self { tesseract, permits: Arc::new(Semaphore::new(ctx.settings.concurrency.max(1))) }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        ocr::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        self.tesseract.status()
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl ocr::Host for JobState {
    async fn recognize(&mut self, image: Vec<u8>, languages: String) -> Result<ocr::Recognition, types::Failure> {
        let r = self.engines.ocr.recognize(image, &languages).await?;
        let word = |w: TextWord| ocr::Word {
            text: w.text,
            confidence: w.confidence,
            x: w.x,
            y: w.y,
            width: w.width,
            height: w.height,
        };
        let lines = r
            .lines
            .into_iter()
            .map(|l| ocr::Line {
                text: l.text,
                confidence: l.confidence,
                x: l.x,
                y: l.y,
                width: l.width,
                height: l.height,
                words: l.words.into_iter().map(word).collect(),
            })
            .collect();
        Ok(ocr::Recognition {
            width: r.width,
            height: r.height,
            lines,
            confidence: r.confidence,
            languages: r.languages,
        })
    }
}

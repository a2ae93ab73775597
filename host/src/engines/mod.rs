//! Heavy native engines the host lends to components: text recognition
//! (Tesseract) and PDF rasterisation (poppler's `pdftoppm`).
//!
//! Both run as child processes: a crash or a runaway allocation in a C
//! library then costs one job, not the host. Each child gets a memory
//! ceiling, is killed when the job's future is dropped (deadline, cancel),
//! and at most `concurrency` of them run at once so OCR cannot starve the
//! job workers of CPU.
//!
//! Public surface: [`Engines`] (probe, status, recognize, render_page),
//! [`EngineSettings`], [`EngineError`], [`Recognition`], [`PageImage`], and
//! the failure codes [`UNAVAILABLE`] and [`INVALID_FILE`].

mod process;
mod raster;
mod tesseract;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;

pub use raster::PageImage;
pub use tesseract::{Recognition, TextWord};

/// The failure code of every engine problem a component cannot fix itself.
pub const UNAVAILABLE: &str = "OCR_ENGINE_UNAVAILABLE";

/// The failure code when the bytes handed to an engine are the problem: not
/// an image or a PDF, truncated or damaged, password-protected, or an image
/// over the pixel limit. Not retryable, and the client's fault (seed routes:
/// `invalid_file_type` 4001); the same code as the SDK's
/// `capsule_sdk::files::INVALID_FILE`, so components pass it on unchanged.
pub const INVALID_FILE: &str = "INPUT_INVALID_FILE";

/// Where the engines' programs are and how many may run at once.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub tesseract: PathBuf,
    pub pdftoppm: PathBuf,
    pub concurrency: usize,
}

/// One engine per core: Tesseract is CPU bound and runs single-threaded here.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// Why an engine call failed; becomes the WIT `failure` the component sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EngineError {
    pub code: &'static str,
    pub message: String,
    pub retryable: bool,
}

impl EngineError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), retryable: false }
    }
}

/// What `/health` says about one engine.
#[derive(Debug, Clone, Serialize)]
pub struct EngineStatus {
    pub available: bool,
    /// The program's own version line, e.g. `tesseract 5.3.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Installed recognition languages (OCR only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Why it is unavailable, and what to install.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The engines, probed once at start-up.
pub struct Engines {
    ocr: tesseract::Tesseract,
    raster: raster::Pdftoppm,
    permits: Arc<Semaphore>,
}

impl Engines {
    /// Find out which engines are installed. Never fails: a missing engine
    /// is reported by [`Engines::status`] and by every call that needs it.
    pub async fn probe(settings: &EngineSettings) -> Self {
        let (ocr, raster) = tokio::join!(
            tesseract::Tesseract::probe(settings.tesseract.clone()),
            raster::Pdftoppm::probe(settings.pdftoppm.clone()),
        );
        for (name, status) in [("ocr", ocr.status()), ("pdf-render", raster.status())] {
            if let Some(reason) = &status.reason {
                tracing::warn!(engine = name, "engine unavailable: {reason}");
            }
        }
        Self { ocr, raster, permits: Arc::new(Semaphore::new(settings.concurrency.max(1))) }
    }

    /// Availability of each engine, by its WIT interface name.
    pub fn status(&self) -> Vec<(&'static str, EngineStatus)> {
        vec![("ocr", self.ocr.status()), ("pdf-render", self.raster.status())]
    }

    /// Read the text in an image (PNG, JPEG, WebP or TIFF bytes).
    pub async fn recognize(&self, image: Vec<u8>, languages: &str) -> Result<Recognition, EngineError> {
        self.ocr.check(languages)?;
        let _permit = self.permit().await?;
        self.ocr.recognize(image, languages).await
    }

    /// Render one page of a PDF as PNG.
    pub async fn render_page(&self, pdf: Vec<u8>, page: u32, dpi: u32) -> Result<PageImage, EngineError> {
        self.raster.check()?;
        let _permit = self.permit().await?;
        self.raster.render(pdf, page, dpi).await
    }

    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, EngineError> {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| EngineError::new(UNAVAILABLE, "the host is shutting down"))
    }
}

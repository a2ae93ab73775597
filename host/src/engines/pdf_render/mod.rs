//! The `pdf-render` engine: PDF pages as PNG through poppler's `pdftoppm`,
//! a child process with the same isolation as OCR, and its own limit on how
//! many render at once.

mod pdftoppm;

use std::sync::Arc;

use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};

use super::{Code, EngineError, EngineStatus, INVALID_FILE, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{pdf_render, types};

pub use pdftoppm::PageImage;

/// No renderer on this host (seed routes: `ai_service_unavailable` 5031).
pub const UNAVAILABLE: &str = "PDF_RENDER_UNAVAILABLE";

const CODES: &[Code] = &[
    Code { code: UNAVAILABLE, retryable: false, meaning: "poppler's pdftoppm is not installed on this host" },
    Code { code: INVALID_FILE, retryable: false, meaning: "not a PDF, truncated or damaged, or password-protected" },
    Code { code: "PDF_PAGE_OUT_OF_RANGE", retryable: false, meaning: "the PDF has no such page" },
    Code {
        code: "PDF_RENDER_FAILED",
        retryable: false,
        meaning: "the page could not be rendered (dpi out of 36..=600, too large)",
    },
];

pub struct PdfRender {
    pdftoppm: pdftoppm::Pdftoppm,
    permits: Arc<Semaphore>,
}

impl PdfRender {
    /// Render one page of a PDF as PNG.
    pub async fn render_page(&self, pdf: Vec<u8>, page: u32, dpi: u32) -> Result<PageImage, EngineError> {
        self.pdftoppm.check()?;
        let _permit = super::permit(&self.permits, UNAVAILABLE).await?;
        self.pdftoppm.render(pdf, page, dpi).await
    }
}

impl Lent for PdfRender {
    const NAME: &'static str = "pdf-render";

    async fn start(ctx: &StartContext<'_>) -> Self {
        let pdftoppm = pdftoppm::Pdftoppm::probe(ctx.settings.pdftoppm.clone()).await;
        Self { pdftoppm, permits: Arc::new(Semaphore::new(ctx.settings.concurrency.max(1))) }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        pdf_render::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        self.pdftoppm.status()
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl pdf_render::Host for JobState {
    async fn render_page(
        &mut self,
        pdf: Vec<u8>,
        page: u32,
        dpi: u32,
    ) -> Result<pdf_render::PageImage, types::Failure> {
        let p = self.engines.pdf_render.render_page(pdf, page, dpi).await?;
        Ok(pdf_render::PageImage { png: p.png, width: p.width, height: p.height })
    }
}

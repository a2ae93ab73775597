//! PDF page → PNG with poppler's `pdftoppm`, reading the PDF from stdin and
//! writing the one page to stdout.

use std::path::PathBuf;

use super::UNAVAILABLE;
use crate::engines::process::{self, RunError};
use crate::engines::{EngineError, EngineStatus, INVALID_FILE};

pub const MIN_DPI: u32 = 36;
pub const MAX_DPI: u32 = 600;
/// A rendered page is refused beyond this many pixels: poppler would
/// allocate it whole (a 200-inch page at 600 dpi is 14 GB).
const MAX_PIXELS: u64 = 80_000_000;
const MAX_OUTPUT: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct PageImage {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

pub struct Pdftoppm {
    program: PathBuf,
    version: Option<String>,
    missing: Option<String>,
}

impl Pdftoppm {
    pub async fn probe(program: PathBuf) -> Self {
        match process::run(&program, &["-v"], Vec::new(), 64 * 1024).await {
            // Prints its version on stderr and exits 0 (older releases: 99).
            Ok(f) => {
                let version = f.stderr.lines().next().filter(|l| l.contains("pdftoppm")).map(|l| l.trim().to_string());
                match version {
                    Some(v) => Self { program, version: Some(v), missing: None },
                    None => Self {
                        program,
                        version: None,
                        missing: Some(format!(
                            "`-v` did not print a pdftoppm version: {}",
                            process::last_line(&f.stderr)
                        )),
                    },
                }
            }
            Err(RunError::Missing(m)) => Self {
                program,
                version: None,
                missing: Some(format!("{m}; install poppler (Debian: apt-get install poppler-utils)")),
            },
            Err(RunError::Io(m)) => Self { program, version: None, missing: Some(m) },
            Err(RunError::OutputTooLarge) => {
                Self { program, version: None, missing: Some("`-v` printed too much".into()) }
            }
        }
    }

    pub fn status(&self) -> EngineStatus {
        EngineStatus::new(self.version.clone(), self.missing.clone())
    }

    pub fn check(&self) -> Result<(), EngineError> {
        match &self.missing {
            Some(reason) => Err(unavailable(reason)),
            None => Ok(()),
        }
    }

    pub async fn render(&self, pdf: Vec<u8>, page: u32, dpi: u32) -> Result<PageImage, EngineError> {
        if !(MIN_DPI..=MAX_DPI).contains(&dpi) {
            return Err(EngineError::new("PDF_RENDER_FAILED", format!("dpi {dpi} is outside {MIN_DPI}..={MAX_DPI}")));
        }
        if page == 0 {
            return Err(EngineError::new("PDF_PAGE_OUT_OF_RANGE", "pages are numbered from 1"));
        }
        if !pdf.get(..pdf.len().min(1024)).is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-")) {
            let what = if pdf.is_empty() { "the file is empty (0 bytes), not a PDF" } else { "the file is not a PDF" };
            return Err(EngineError::new(INVALID_FILE, what));
        }
        let page_arg = page.to_string();
        let dpi_arg = dpi.to_string();
        // PDF from stdin (`-`); no output root, so the one page goes to stdout.
        // `-cropbox`: the displayed page, the box text layers are measured in.
        let args = ["-f", &page_arg, "-l", &page_arg, "-r", &dpi_arg, "-cropbox", "-png", "-singlefile", "-"];
        let finished = process::run(&self.program, &args, pdf, MAX_OUTPUT).await.map_err(|e| match e {
            RunError::Missing(m) => unavailable(&m),
            RunError::OutputTooLarge => EngineError::new("PDF_RENDER_FAILED", "the rendered page is too large"),
            RunError::Io(m) => EngineError { code: "PDF_RENDER_FAILED", message: m, retryable: true },
        })?;
        match finished.code {
            Some(0) => {}
            // poppler's exit codes: 1 cannot open the PDF, 3 permissions, 99 other (page range).
            Some(1) | Some(3) => {
                let why = process::last_line(&finished.stderr);
                let message = if finished.stderr.contains("Incorrect password") {
                    "the PDF is password-protected; upload an unprotected copy".to_string()
                } else {
                    format!("the PDF is truncated or damaged and could not be opened: {why}")
                };
                return Err(EngineError::new(INVALID_FILE, message));
            }
            Some(_) if finished.stderr.contains("Wrong page range") => {
                return Err(EngineError::new("PDF_PAGE_OUT_OF_RANGE", format!("the PDF has no page {page}")));
            }
            Some(_) => {
                let why = process::last_line(&finished.stderr);
                return Err(EngineError::new("PDF_RENDER_FAILED", format!("page {page} could not be rendered: {why}")));
            }
            None => {
                return Err(EngineError::new(
                    "PDF_RENDER_FAILED",
                    format!("rendering page {page} ran out of memory or was killed; try a lower dpi"),
                ));
            }
        }
        let size = imagesize::blob_size(&finished.stdout).map_err(|e| {
            EngineError::new("PDF_RENDER_FAILED", format!("the renderer produced no image for page {page}: {e}"))
        })?;
        if size.width as u64 * size.height as u64 > MAX_PIXELS {
            return Err(EngineError::new(
                "PDF_RENDER_FAILED",
                format!("page {page} is {}×{} pixels at {dpi} dpi; use a lower dpi", size.width, size.height),
            ));
        }
        Ok(PageImage { png: finished.stdout, width: size.width as u32, height: size.height as u32 })
    }
}

fn unavailable(reason: &str) -> EngineError {
    EngineError::new(UNAVAILABLE, format!("PDF rendering is not available on this host: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resume_pdf() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/resume.pdf")).expect("tests/data/resume.pdf")
    }

    async fn renderer() -> Pdftoppm {
        let r = Pdftoppm::probe("pdftoppm".into()).await;
        assert!(r.status().available, "poppler-utils must be installed: {:?}", r.status().reason);
        r
    }

    #[tokio::test]
    async fn a_page_renders_as_a_png_of_the_page_size_at_the_requested_dpi() {
        let page = renderer().await.render(resume_pdf(), 2, 72).await.unwrap();
        assert!(page.png.starts_with(b"\x89PNG"));
        // A4 is 595.28 × 841.89 points: at 72 dpi, as many pixels, rounded up.
        assert_eq!((page.width, page.height), (596, 842));
    }

    #[tokio::test]
    async fn a_page_past_the_end_is_out_of_range() {
        let e = renderer().await.render(resume_pdf(), 3, 72).await.unwrap_err();
        assert_eq!(e.code, "PDF_PAGE_OUT_OF_RANGE", "{e}");
    }

    #[tokio::test]
    async fn bytes_that_are_not_a_pdf_are_the_clients_invalid_file() {
        let e = renderer().await.render(b"%PDF-1.7\nthis is not really a PDF".to_vec(), 1, 72).await.unwrap_err();
        assert_eq!((e.code, e.retryable), (INVALID_FILE, false), "{e}");
        assert!(e.message.contains("truncated or damaged"), "{e}");
        let e = renderer().await.render(b"hello".to_vec(), 1, 72).await.unwrap_err();
        assert_eq!((e.code, e.retryable), (INVALID_FILE, false), "{e}");
    }

    #[tokio::test]
    async fn a_dpi_outside_the_supported_range_is_refused_before_rendering() {
        let e = renderer().await.render(resume_pdf(), 1, 5000).await.unwrap_err();
        assert_eq!(e.code, "PDF_RENDER_FAILED", "{e}");
        assert!(e.message.contains("36..=600"), "{e}");
    }
}

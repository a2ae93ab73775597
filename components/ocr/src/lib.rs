//! `ocr`: the text of a PDF or an image (PNG, JPEG, WebP, TIFF), page by page.
//!
//! PDF pages with a text layer are read from it ([`pdf_text`]), exactly and without an engine; the
//! other pages are rendered by the host (`pdf-render`, poppler) and read by its OCR engine (`ocr`,
//! Tesseract), as are images.
//!
//! This file is the job's flow, with every host call behind [`Engines`] so it runs natively in
//! tests.
//! The pure parts live in [`input`] (which file, which options), [`detect`] (what the bytes are),
//! [`page`] (one page from a text layer or a recognition) and [`output`] (the output document and
//! where the words go).

pub mod detect;
pub mod index;
pub mod input;
pub mod output;
pub mod page;
pub mod sample;

use base64::Engine as _;
use serde_json::json;

use capsule_sdk::Ocr as Recognizer;
use capsule_sdk::{
    Capability, Capsule, Descriptor, Embeddings, Failure, Files, Job, JobContext, Level, Mode, PdfRender, Vectors,
};

/// The engines this flow uses; native tests fake exactly these (the
/// language engines only when a test indexes).
pub trait Engines: Files + Recognizer + PdfRender + JobContext + Embeddings + Vectors {}
impl<T: Files + Recognizer + PdfRender + JobContext + Embeddings + Vectors> Engines for T {}
use detect::Format;
use input::{Input, Source};
use output::Output;
use page::Page;

pub const CANCELLED: &str = "JOB_CANCELLED";

pub struct Ocr;

impl Capability for Ocr {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        let pdf = base64::engine::general_purpose::STANDARD.encode(sample::helvetica_pdf(&[EXAMPLE_TEXT]));
        Descriptor::new(
            "ocr",
            "0.1.0",
            "Reads the text of a PDF or an image (PNG, JPEG, WebP, TIFF) page by page, with word boxes on request",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
        .example(
            "text-layer-pdf",
            json!({"file_base64": pdf}),
            json!({
                "success": true,
                "extracted_text": EXAMPLE_TEXT,
                "language": "kor+eng",
                "page_count": 1,
                "confidence": 1.0,
                "pages": [{
                    "page": 1, "text": EXAMPLE_TEXT, "source": "text_layer", "confidence": 1.0,
                    "width": 200.0, "height": 60.0, "unit": "pt"
                }],
                "warnings": []
            }),
        )
        .example(
            "text-layer-words",
            json!({"file_base64": pdf, "file_type": "pdf", "languages": "eng", "include_words": true}),
            json!({
                "language": "eng",
                "pages": [{"words": [{"text": "Hello"}, {"text": "from"}, {"text": "Capsule"}]}]
            }),
        )
    }

    fn run(job: &Job, input: Input) -> Result<Output, Failure> {
        handle(&job.id, &input, &mut Capsule)
    }

    /// Reads the example PDF's text layer once: the PDF parser, its font
    /// encodings and the output shaping are then warm in every job.
    fn warm() {
        if let Ok(document) = pdf_text::extract(&sample::helvetica_pdf(&[EXAMPLE_TEXT])) {
            let pages: Vec<Page> = document.pages.iter().map(page::from_text_layer).collect();
            let _ = output::shape(pages, "kor+eng", true, |_| Err(Failure::new("WARM_UP", "no files while warming")));
        }
    }
}

capsule_sdk::export_capability!(Ocr);

/// The text of the descriptor's example PDF.
const EXAMPLE_TEXT: &str = "Hello from Capsule";

/// The whole job, with the host passed in.
pub fn handle(job_id: &str, input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    input.check_options()?;
    let source = input.source()?;
    host.progress(0, "read", "reading the file");
    let bytes = match source {
        Source::Url(url) => host.read(&url)?,
        Source::Inline(bytes) => bytes,
    };
    let format = detect::detect(&bytes)?;
    detect::check_declared(input.file_type, format)?;
    let pages = match format {
        Format::Pdf => read_pdf(&bytes, input, host)?,
        _ => read_image(&bytes, input, host)?,
    };
    let mut output = output::shape(pages, &input.languages, input.include_words, |file| {
        host.write(&format!("{job_id}-words.json"), "application/json", file)
    })?;
    if let Some(request) = &input.index {
        host.progress(95, "embed", "embedding the text");
        let indexed = index::index(&output.extracted_text, request, host)?;
        output.vector_id = Some(indexed.vector_id.clone());
        output.collection = Some(indexed.collection.clone());
        output.embedding = Some(indexed);
    }
    let plural = if output.page_count == 1 { "" } else { "s" };
    host.progress(100, "done", &format!("read {} page{plural}", output.page_count));
    Ok(output)
}

fn read_pdf(pdf: &[u8], input: &Input, host: &mut impl Engines) -> Result<Vec<Page>, Failure> {
    let document = pdf_text::extract(pdf).map_err(pdf_failure)?;
    let total = document.pages.len();
    let mut pages = Vec::with_capacity(total);
    for (done, text_layer) in document.pages.iter().enumerate() {
        let ocr = !text_layer.has_text_layer();
        let how = if ocr { "ocr" } else { "text layer" };
        start_page(host, done, total, &format!("page {} of {total} ({how})", text_layer.number))?;
        let page = if ocr {
            let image = host.render_page(pdf, text_layer.number, input.dpi)?;
            page::from_recognition(text_layer.number, &host.recognize(&image.png, &input.languages)?)
        } else {
            page::from_text_layer(text_layer)
        };
        pages.push(page);
    }
    Ok(pages)
}

fn read_image(image: &[u8], input: &Input, host: &mut impl Engines) -> Result<Vec<Page>, Failure> {
    start_page(host, 0, 1, "page 1 of 1 (ocr)")?;
    Ok(vec![page::from_recognition(1, &host.recognize(image, &input.languages)?)])
}

/// Stop if the job was cancelled; otherwise report that page `done + 1` of `total` starts.
/// Pages take 5–95 % of the progress bar.
fn start_page(host: &mut impl Engines, done: usize, total: usize, message: &str) -> Result<(), Failure> {
    if host.cancelled() {
        return Err(Failure::new(CANCELLED, "the job was cancelled before it finished reading the file"));
    }
    let percent = 5 + 90 * done / total.max(1);
    host.progress(percent.min(100) as u8, "page", message);
    Ok(())
}

/// A PDF that cannot be read, as a failure the user can act on (`INPUT_INVALID_FILE`: the file's fault).
fn pdf_failure(error: pdf_text::ExtractError) -> Failure {
    use pdf_text::ExtractError;
    let message = match &error {
        ExtractError::NotPdf => {
            "the file is not a readable PDF; export or save it as PDF again and upload the new file"
        }
        ExtractError::Encrypted => {
            "the PDF is password-protected; save a copy without the password and upload that instead"
        }
        ExtractError::Corrupt { .. } => {
            "the PDF is truncated or damaged and could not be read; open it, save or print it to a new PDF, and \
             upload that instead"
        }
    };
    capsule_sdk::log(Level::Warn, &error.to_string());
    Failure::new(error.code(), message)
}

#[cfg(test)]
mod tests;

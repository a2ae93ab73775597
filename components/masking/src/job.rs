//! One masking job from checked input to output, with every effect (blobs, engines, progress,
//! cancellation) behind [`Host`] so the whole flow runs natively in tests with a fake host.

use capsule_sdk::engines::Recognition;
use capsule_sdk::{Failure, Files, JobContext, Ocr, PdfRender};

/// The engines this flow uses; native tests fake exactly these.
pub trait Engines: Files + Ocr + PdfRender + JobContext {}
impl<T: Files + Ocr + PdfRender + JobContext> Engines for T {}
use image::metadata::Orientation;

use crate::output::{ContentType, DetectedItem, Output};
use crate::page_text::{self, PageMapping, PageText, Placed};
use crate::pdf_out::{self, JpegPage};
use crate::pdf_pages;
use crate::raster::{self, DecodeError, IMAGE_TOO_LARGE};
use crate::request::{self, FileType, Format, Input, Options, Source};
use crate::{CANCELLED, FAILED, pii, text_mode};

/// Below this mean word confidence a page's recognition is reported as unreliable.
pub const LOW_OCR_CONFIDENCE: f32 = 0.5;

/// TIFF pages are counted up to this many for the warning that only the first is masked.
const MAX_TIFF_PAGES_COUNTED: usize = 1000;

/// Run one job: mask the text or file `input` names.
pub fn handle(input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    let source = input.source()?;
    let options = input.options()?;
    let (bytes, url) = match source {
        Source::Text(text) => {
            let (masked, items) = text_mode::mask_text(&text);
            return Ok(Output {
                masked_file_url: None,
                content_type: None,
                page_count: None,
                masked_text: Some(masked),
                detected_items: items,
                warnings: input.ignored_options(None),
            });
        }
        Source::Url(url) => {
            host.progress(1, "reading", "reading the file");
            (host.read(&url)?, Some(url))
        }
        Source::Bytes(bytes) => (bytes, None),
    };
    let format = request::file_format(&bytes, options.file_type)?;
    let mut warnings = input.ignored_options(Some(format));
    let fallback = match request::file_type(format) {
        FileType::Image => "image",
        FileType::Pdf => "document",
    };
    let stem = request::file_stem(url.as_deref(), fallback);
    match request::file_type(format) {
        FileType::Image => mask_image(&bytes, format, &options, &stem, host, &mut warnings),
        FileType::Pdf => mask_pdf(&bytes, &options, &stem, host, &mut warnings),
    }
    .map(|output| Output { warnings, ..output })
}

fn mask_image(
    bytes: &[u8],
    format: Format,
    options: &Options,
    stem: &str,
    host: &mut impl Engines,
    warnings: &mut Vec<String>,
) -> Result<Output, Failure> {
    host.progress(5, "decoding", "decoding the image");
    let decoded = raster::decode(bytes, format).map_err(|e| e.upload_failure(format))?;
    if decoded.orientation != Orientation::NoTransforms {
        warnings.push(
            "the image's EXIF orientation was not applied: the masked PNG keeps the pixels as stored, so it may \
             display rotated or mirrored"
                .to_string(),
        );
    }
    if format == Format::Tiff {
        match raster::tiff_page_count(bytes, MAX_TIFF_PAGES_COUNTED) {
            Some(pages) if pages > 1 => warnings.push(format!(
                "the TIFF has {}{pages} pages but only the first was masked and returned; send the others \
                 separately or as a PDF",
                if pages >= MAX_TIFF_PAGES_COUNTED { "at least " } else { "" }
            )),
            _ => {}
        }
    }
    let (width, height) = (decoded.image.width(), decoded.image.height());
    check_cancelled(host)?;
    host.progress(20, "recognizing", "reading the text in the image");
    let recognition = host.recognize(bytes, &options.languages)?;
    let text = recognized(&recognition, width, height, "the image", warnings)?;
    let (items, boxes) = detect_and_place(&text, 1, width, height, "the image", warnings);
    check_cancelled(host)?;
    host.progress(80, "masking", "blacking out what was found");
    let png = raster::encode_png(&raster::black_out(decoded.image, &boxes))?;
    host.progress(90, "writing", "storing the masked image");
    let url = host.write(&format!("{stem}_masked.png"), ContentType::Png.as_str(), &png)?;
    Ok(file_output(url, ContentType::Png, 1, items))
}

fn mask_pdf(
    bytes: &[u8],
    options: &Options,
    stem: &str,
    host: &mut impl Engines,
    warnings: &mut Vec<String>,
) -> Result<Output, Failure> {
    host.progress(2, "reading", "reading the PDF's text layer");
    let document = pdf_text::extract(bytes).map_err(extract_failure)?;
    let total = document.pages.len();
    if total == 0 {
        return Err(capsule_sdk::files::invalid_file("the PDF has no pages; nothing to mask"));
    }
    // Only pages with a text layer need their /Rotate (to map its boxes onto the rendering, which
    // shows the page turned) and to know whether they draw images (which the text layer cannot
    // read); `None` (unreadable) sends them to OCR.
    let facts =
        if document.pages.iter().any(pdf_text::Page::has_text_layer) { pdf_pages::page_facts(bytes) } else { None };
    let mut items = Vec::new();
    let mut pages = Vec::with_capacity(total);
    for (index, page) in document.pages.iter().enumerate() {
        check_cancelled(host)?;
        let number = page.number;
        let place = format!("page {number}");
        let percent = 5 + (90 * index / total) as u8;
        host.progress(percent, "page", &format!("masking page {number} of {total}"));
        let rendered = host.render_page(bytes, number, options.dpi)?;
        let mut image = raster::decode(&rendered.png, Format::Png)
            .map_err(|f| rendered_page_failure(f, number, options.dpi))?
            .image
            .into_rgb8();
        let (width, height) = image.dimensions();
        let fact = facts.as_ref().and_then(|f| f.get((number as usize).checked_sub(1)?)).copied();
        let mapping = fact
            .filter(|_| page.has_text_layer())
            .and_then(|f| PageMapping::new(page.width, page.height, width, height, options.dpi, f.rotate));
        let (placed, blank) = match mapping {
            Some(mapping) => {
                let layer = page_text::from_text_layer(page, &mapping);
                let found = detect_placed(&layer, width, height);
                // Text drawn inside an image (a scanned ID pasted into a typed form) is not in the
                // text layer: such pages are also read from their rendering.
                if fact.is_some_and(|f| f.draws_images) {
                    let recognition = host.recognize(&rendered.png, &options.languages)?;
                    let ocr = recognized(&recognition, width, height, &place, warnings)?;
                    let blank = layer.is_blank() && ocr.is_blank();
                    (page_text::merge(found, detect_placed(&ocr, width, height)), blank)
                } else {
                    (found, layer.is_blank())
                }
            }
            None => {
                let recognition = host.recognize(&rendered.png, &options.languages)?;
                let text = recognized(&recognition, width, height, &place, warnings)?;
                (detect_placed(&text, width, height), text.is_blank())
            }
        };
        drop(rendered);
        if blank {
            warnings.push(no_text_warning(&place));
        }
        let (page_items, boxes) = report(placed, number, &place, warnings);
        items.extend(page_items);
        raster::fill_boxes(&mut image, &boxes, raster::PAD, image::Rgb([0, 0, 0]));
        let jpeg = raster::encode_jpeg(&image, raster::JPEG_QUALITY)?;
        pages.push(JpegPage { jpeg, width, height, dpi: options.dpi });
    }
    check_cancelled(host)?;
    host.progress(95, "assembling", "assembling the masked PDF");
    let pdf = pdf_out::assemble(&pages).map_err(|m| Failure::new(FAILED, format!("{m}; retry the job")))?;
    drop(pages);
    let url = host.write(&format!("{stem}_masked.pdf"), ContentType::Pdf.as_str(), &pdf)?;
    Ok(file_output(url, ContentType::Pdf, total as u32, items))
}

/// The recognition as page text, after checking it describes the image the boxes will be drawn on.
fn recognized(
    recognition: &Recognition,
    width: u32,
    height: u32,
    place: &str,
    warnings: &mut Vec<String>,
) -> Result<PageText, Failure> {
    if (recognition.width, recognition.height) != (width, height) {
        return Err(Failure::new(
            FAILED,
            format!(
                "the text engine read {place} as {}×{} pixels but it is {width}×{height}, so its boxes cannot be \
                 trusted; re-save the file as PNG and retry",
                recognition.width, recognition.height
            ),
        ));
    }
    let text = page_text::from_recognition(recognition);
    if !text.is_blank() && recognition.confidence < LOW_OCR_CONFIDENCE {
        warnings.push(format!(
            "{place}: text recognition was unsure (mean confidence {:.2}), so some personal information may have \
             been missed; check the result or use a sharper scan",
            recognition.confidence
        ));
    }
    Ok(text)
}

/// Detect PII on one page and place it on its `width` × `height` image.
fn detect_placed(text: &PageText, width: u32, height: u32) -> Vec<Placed> {
    if text.is_blank() {
        return Vec::new();
    }
    page_text::place(&pii::detect(&text.lines), text, width, height)
}

fn no_text_warning(place: &str) -> String {
    format!("{place}: no text was found, so nothing on it was masked")
}

/// Detect PII on one page and place it: the items to report and the boxes to black out.
fn detect_and_place(
    text: &PageText,
    page: u32,
    width: u32,
    height: u32,
    place: &str,
    warnings: &mut Vec<String>,
) -> (Vec<DetectedItem>, Vec<pii::Rect>) {
    if text.is_blank() {
        warnings.push(no_text_warning(place));
        return (Vec::new(), Vec::new());
    }
    report(detect_placed(text, width, height), page, place, warnings)
}

/// The items to report and the boxes to black out for the placed detections of one page.
fn report(
    placed: Vec<Placed>,
    page: u32,
    place: &str,
    warnings: &mut Vec<String>,
) -> (Vec<DetectedItem>, Vec<pii::Rect>) {
    let mut items = Vec::with_capacity(placed.len());
    let mut boxes = Vec::with_capacity(placed.len());
    for p in placed {
        let kind = p.kind.as_str();
        match p.location {
            Some(rect) if p.whole_line => {
                warnings
                    .push(format!("{place}: a {kind} could not be matched to its words; its whole line was masked"));
                boxes.push(rect);
            }
            Some(rect) => boxes.push(rect),
            None => warnings.push(format!(
                "{place}: a {kind} was found but could not be located, so it was NOT masked; check it by hand"
            )),
        }
        items.push(DetectedItem {
            kind: p.kind,
            location: p.location,
            page: Some(page),
            start: None,
            end: None,
            confidence: p.confidence,
        });
    }
    (items, boxes)
}

fn file_output(url: String, content_type: ContentType, pages: u32, items: Vec<DetectedItem>) -> Output {
    Output {
        masked_file_url: Some(url),
        content_type: Some(content_type),
        page_count: Some(pages),
        masked_text: None,
        detected_items: items,
        warnings: Vec::new(),
    }
}

fn check_cancelled(host: &mut impl Engines) -> Result<(), Failure> {
    if host.cancelled() {
        return Err(Failure::new(CANCELLED, "the job was cancelled"));
    }
    Ok(())
}

/// A PDF the text-layer reader refuses is the client's file (`INPUT_INVALID_FILE`).
fn extract_failure(e: pdf_text::ExtractError) -> Failure {
    let message = match &e {
        pdf_text::ExtractError::NotPdf => "the file is not a readable PDF; check that it is one".to_string(),
        pdf_text::ExtractError::Encrypted => "the PDF is password-protected; remove the password and retry".to_string(),
        pdf_text::ExtractError::Corrupt { message } => {
            format!("the PDF is truncated or damaged and could not be read ({message}); re-save it and retry")
        }
    };
    Failure::new(e.code(), message)
}

/// A rendered page that cannot be decoded is the renderer's fault; one too large is the dpi's.
fn rendered_page_failure(error: DecodeError, page: u32, dpi: u32) -> Failure {
    match error {
        DecodeError::TooLarge(_) => Failure::new(
            IMAGE_TOO_LARGE,
            format!(
                "page {page} at {dpi} dpi is larger than {} megapixels; lower `dpi` and retry",
                raster::MAX_PIXELS / 1_000_000
            ),
        ),
        DecodeError::Unreadable(why) => {
            Failure::new(FAILED, format!("the renderer returned an unreadable image for page {page}: {why}"))
        }
    }
}

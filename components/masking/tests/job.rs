//! The whole masking job, run natively against a fake host: blobs in memory, an OCR engine that
//! answers what each test scripts, and a renderer that draws blank pages of the requested size.

use std::collections::HashMap;
use std::io::Cursor;

use base64::Engine as _;
use capsule_sdk::Failure;
use capsule_sdk::engines::{Line as OcrLine, PageImage, Recognition, Word as OcrWord};
use capsule_sdk::{Files, JobContext, PdfRender};
use image::{DynamicImage, GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use lopdf::{Document, Object, Stream, dictionary};
use masking::job::handle;
use masking::{Input, Masking, Rect};
use serde_json::{Value, json};

// ---- fake host ----

type Ocr = Box<dyn FnMut(&[u8], &str) -> Result<Recognition, Failure>>;

struct Fake {
    blobs: HashMap<String, Vec<u8>>,
    read_failure: Option<Failure>,
    write_failure: Option<Failure>,
    render_failure: Option<Failure>,
    written: Vec<(String, String, Vec<u8>)>,
    ocr: Ocr,
    ocr_calls: Vec<String>,
    /// Pixel size of each rendered page, by 1-based page number, at the dpi asked for.
    page_points: Vec<(f32, f32)>,
    renders: Vec<(u32, u32)>,
    progress: Vec<(u8, String)>,
    /// `cancelled()` answers true from this call on (0-based).
    cancel_from: Option<usize>,
    cancel_checks: usize,
}

impl Fake {
    fn new(ocr: Ocr) -> Self {
        Self {
            blobs: HashMap::new(),
            read_failure: None,
            write_failure: None,
            render_failure: None,
            written: Vec::new(),
            ocr,
            ocr_calls: Vec::new(),
            page_points: Vec::new(),
            renders: Vec::new(),
            progress: Vec::new(),
            cancel_from: None,
            cancel_checks: 0,
        }
    }

    fn written_file(&self) -> &[u8] {
        assert_eq!(self.written.len(), 1, "exactly one file is written");
        &self.written[0].2
    }
}

impl Files for Fake {
    fn read(&mut self, url: &str) -> Result<Vec<u8>, Failure> {
        if let Some(f) = self.read_failure.clone() {
            return Err(f);
        }
        self.blobs.get(url).cloned().ok_or_else(|| Failure::new("BLOB_NOT_FOUND", "no such file"))
    }

    fn write(&mut self, name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        if let Some(f) = self.write_failure.clone() {
            return Err(f);
        }
        self.written.push((name.to_string(), content_type.to_string(), data.to_vec()));
        Ok(format!("/api/v1/files/out-{}", self.written.len()))
    }
}

impl capsule_sdk::Ocr for Fake {
    fn recognize(&mut self, image: &[u8], languages: &str) -> Result<Recognition, Failure> {
        self.ocr_calls.push(languages.to_string());
        (self.ocr)(image, languages)
    }
}

impl PdfRender for Fake {
    fn render_page(&mut self, _pdf: &[u8], page: u32, dpi: u32) -> Result<PageImage, Failure> {
        self.renders.push((page, dpi));
        if let Some(f) = self.render_failure.clone() {
            return Err(f);
        }
        let (w, h) = self.page_points[page as usize - 1];
        let scale = dpi as f32 / 72.0;
        let (width, height) = ((w * scale).ceil() as u32, (h * scale).ceil() as u32);
        let png = png(&DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([255, 255, 255]))));
        Ok(PageImage { png, width, height })
    }
}

impl JobContext for Fake {
    fn progress(&mut self, percent: u8, step: &str, _message: &str) {
        self.progress.push((percent, step.to_string()));
    }

    fn cancelled(&mut self) -> bool {
        let now = self.cancel_checks;
        self.cancel_checks += 1;
        self.cancel_from.is_some_and(|from| now >= from)
    }
}

// ---- fixtures ----

const PHONE: &str = "010-1234-5678";

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn white_png(width: u32, height: u32) -> Vec<u8> {
    png(&DynamicImage::ImageLuma8(GrayImage::from_pixel(width, height, Luma([255]))))
}

fn size_of(image: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(image).unwrap();
    (img.width(), img.height())
}

fn word(text: &str, x: u32, y: u32) -> OcrWord {
    OcrWord { text: text.into(), confidence: 0.93, x, y, width: 9 * text.chars().count() as u32, height: 18 }
}

/// An OCR engine that reads "연락처 010-1234-5678" at (20, 30) in whatever image it is given.
fn phone_ocr() -> Ocr {
    Box::new(|image, languages| {
        let (width, height) = size_of(image);
        let words = vec![word("연락처", 20, 30), word(PHONE, 60, 30)];
        let line =
            OcrLine {
                text: format!("연락처 {PHONE}"), confidence: 0.93, x: 20, y: 30, width: 157, height: 18, words
            };
        Ok(Recognition { width, height, lines: vec![line], confidence: 0.93, languages: languages.into() })
    })
}

/// An OCR engine that finds no text.
fn blank_ocr() -> Ocr {
    Box::new(|image, languages| {
        let (width, height) = size_of(image);
        Ok(Recognition { width, height, lines: vec![], confidence: 0.0, languages: languages.into() })
    })
}

fn ocr_failing_with(failure: Failure) -> Ocr {
    Box::new(move |_, _| Err(failure.clone()))
}

fn input(json: Value) -> Input {
    serde_json::from_value(json).unwrap()
}

fn inline(bytes: &[u8]) -> Value {
    json!({"file_base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

/// A PDF of pages `(width, height, /Rotate, content stream)` in points, with Helvetica as /F1 and
/// a 64 × 40 grey image as /Im1 (drawn only where the content says `/Im1 Do`).
fn pdf(pages: &[(f32, f32, i64, String)]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 64, "Height" => 40,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![128; 64 * 40],
    ));
    let mut kids = Vec::new();
    for (w, h, rotate, content) in pages {
        let content = doc.add_object(Stream::new(dictionary! {}, content.clone().into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), (*w).into(), (*h).into()],
            "Rotate" => *rotate,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font }, "XObject" => dictionary! { "Im1" => image } },
            "Contents" => content,
        });
        kids.push(page.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn phone_text() -> String {
    format!("BT /F1 12 Tf 20 50 Td (Tel {PHONE}) Tj ET\n")
}

/// Content painting /Im1 (a pasted scan) over the lower left of the page.
const DRAW_IMAGE: &str = "q 64 0 0 40 10 5 cm /Im1 Do Q\n";

/// A text layer without personal information.
fn plain_text() -> String {
    "BT /F1 12 Tf 20 80 Td (Application form) Tj ET\n".to_string()
}

/// An OCR engine that reads `text` as one word at `rect` in whatever image it is given.
fn ocr_reading(text: &'static str, rect: Rect) -> Ocr {
    Box::new(move |image, languages| {
        let (width, height) = size_of(image);
        let w = OcrWord {
            text: text.into(),
            confidence: 0.93,
            x: rect.x,
            y: rect.y,
            width: rect.width,
            height: rect.height,
        };
        let line = OcrLine {
            text: text.into(),
            confidence: 0.93,
            x: rect.x,
            y: rect.y,
            width: rect.width,
            height: rect.height,
            words: vec![w],
        };
        Ok(Recognition { width, height, lines: vec![line], confidence: 0.93, languages: languages.into() })
    })
}

/// The text-layer box of the phone number on page `page` of `pdf`, in points.
fn phone_box_in_points(pdf: &[u8], page: usize) -> pdf_text::Word {
    let doc = pdf_text::extract(pdf).unwrap();
    doc.pages[page].words.iter().find(|w| w.text == PHONE).cloned().unwrap()
}

/// The single image of each page of a PDF, decoded.
fn page_images(pdf: &[u8]) -> Vec<RgbImage> {
    let doc = Document::load_mem(pdf).unwrap();
    doc.get_pages()
        .values()
        .map(|&id| {
            let (resources, _) = doc.get_page_resources(id).unwrap();
            let xobjects = resources.unwrap().get(b"XObject").unwrap().as_dict().unwrap();
            let (_, image) = xobjects.iter().next().unwrap();
            let stream = doc.get_object(image.as_reference().unwrap()).unwrap().as_stream().unwrap();
            image::load_from_memory(&stream.content).unwrap().into_rgb8()
        })
        .collect()
}

fn mean_luma(image: &RgbImage, r: Rect) -> f32 {
    let mut sum = 0.0;
    for y in r.y..r.y + r.height {
        for x in r.x..r.x + r.width {
            let p = image.get_pixel(x, y);
            sum += (u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) as f32 / 3.0;
        }
    }
    sum / (r.width * r.height) as f32
}

fn location(output: &Value, index: usize) -> Rect {
    serde_json::from_value(output["detected_items"][index]["location"].clone()).unwrap()
}

fn run(input_json: Value, host: &mut Fake) -> Result<Value, Failure> {
    handle(&input(input_json), host).map(|o| serde_json::to_value(o).unwrap())
}

// ---- images ----

#[test]
fn image_pii_is_covered_by_an_opaque_black_box_in_a_png() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    let masked = image::load_from_memory_with_format(host.written_file(), ImageFormat::Png).unwrap().into_rgb8();
    let r = location(&out, 0);
    for (x, y, p) in masked.enumerate_pixels() {
        let inside = x + 2 >= r.x && x < r.x + r.width + 2 && y + 2 >= r.y && y < r.y + r.height + 2;
        assert_eq!(*p, if inside { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) }, "pixel ({x}, {y})");
    }
}

#[test]
fn image_output_reports_the_phone_on_page_1_at_its_word_box() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    let expected = word(PHONE, 60, 30);
    assert_eq!(out["detected_items"].as_array().unwrap().len(), 1);
    assert_eq!(out["detected_items"][0]["type"], "phone");
    assert_eq!(out["detected_items"][0]["page"], 1);
    assert_eq!(
        location(&out, 0),
        Rect { x: expected.x, y: expected.y, width: expected.width, height: expected.height }
    );
}

#[test]
fn image_output_is_a_one_page_png_file() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    assert_eq!(out["masked_file_url"], "/api/v1/files/out-1");
    assert_eq!(out["content_type"], "image/png");
    assert_eq!(out["page_count"], 1);
    assert_eq!(host.written[0].1, "image/png");
    assert_eq!(size_of(host.written_file()), (300, 80));
}

#[test]
fn masked_file_is_named_after_the_url() {
    let mut host = Fake::new(phone_ocr());
    host.blobs.insert("/api/v1/files/scan-7.jpeg".into(), white_png(100, 60));
    run(json!({"file_url": "/api/v1/files/scan-7.jpeg"}), &mut host).unwrap();
    assert_eq!(host.written[0].0, "scan-7_masked.png");
}

#[test]
fn output_never_contains_the_detected_text() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    assert_eq!(out["detected_items"].as_array().unwrap().len(), 1);
    assert!(!out.to_string().contains(PHONE) && !out.to_string().contains("1234"), "{out}");
}

#[test]
fn recognition_uses_the_requested_languages() {
    let mut host = Fake::new(phone_ocr());
    run(with(inline(&white_png(50, 50)), "languages", json!("eng")), &mut host).unwrap();
    assert_eq!(host.ocr_calls, ["eng"]);
}

#[test]
fn image_without_text_is_written_unchanged_with_a_warning() {
    let mut host = Fake::new(blank_ocr());
    let out = run(inline(&white_png(40, 30)), &mut host).unwrap();
    assert_eq!(out["detected_items"], json!([]));
    assert!(out["warnings"][0].as_str().unwrap().contains("no text"), "{out}");
    let masked = image::load_from_memory(host.written_file()).unwrap().into_rgb8();
    assert!(masked.pixels().all(|p| *p == Rgb([255, 255, 255])));
}

#[test]
fn unsure_recognition_is_warned_about() {
    let mut host = Fake::new(Box::new(|image, languages| {
        let mut r = (phone_ocr())(image, languages)?;
        r.confidence = 0.3;
        Ok(r)
    }));
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    assert_eq!(out["warnings"].as_array().unwrap().len(), 1, "{out}");
    assert!(out["warnings"][0].as_str().unwrap().contains("unsure"), "{out}");
}

#[test]
fn confident_recognition_has_no_warning() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    assert_eq!(out["warnings"], json!([]));
}

/// A JPEG whose EXIF says to rotate it 90° clockwise for display.
fn rotated_jpeg() -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&RgbImage::from_pixel(40, 20, Rgb([255; 3])))
        .unwrap();
    let tiff: &[u8] = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(tiff);
    jpeg.splice(2..2, app1);
    jpeg
}

#[test]
fn exif_orientation_is_not_applied_and_is_warned_about() {
    let mut host = Fake::new(blank_ocr());
    let out = run(inline(&rotated_jpeg()), &mut host).unwrap();
    assert!(out["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("EXIF")), "{out}");
    assert_eq!(size_of(host.written_file()), (40, 20));
}

#[test]
fn only_the_first_page_of_a_multi_page_tiff_is_masked_with_a_warning() {
    let mut tiff = Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut tiff).unwrap();
    for _ in 0..3 {
        encoder.write_image::<tiff::encoder::colortype::RGB8>(300, 80, &[255; 300 * 80 * 3]).unwrap();
    }
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(tiff.get_ref()), &mut host).unwrap();
    assert_eq!(out["page_count"], 1);
    assert!(out["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("3 pages")), "{out}");
}

#[test]
fn recognition_of_a_different_size_fails_rather_than_mask_the_wrong_place() {
    let mut host = Fake::new(Box::new(|_, languages| {
        Ok(Recognition { width: 10, height: 10, lines: vec![], confidence: 0.0, languages: languages.into() })
    }));
    let failure = run(inline(&white_png(40, 30)), &mut host).unwrap_err();
    assert_eq!(failure.code, "MASKING_FAILED");
    assert!(host.written.is_empty());
}

#[test]
fn engine_failure_is_returned_unchanged() {
    let failure = Failure::retryable("OCR_FAILED", "tesseract crashed");
    let mut host = Fake::new(ocr_failing_with(failure.clone()));
    assert_eq!(run(inline(&white_png(40, 30)), &mut host).unwrap_err(), failure);
}

#[test]
fn blob_read_failure_is_returned_unchanged() {
    let failure = Failure::retryable("BLOB_TOO_LARGE", "the file is over the limit");
    let mut host = Fake::new(phone_ocr());
    host.read_failure = Some(failure.clone());
    assert_eq!(run(json!({"file_url": "/api/v1/files/x"}), &mut host).unwrap_err(), failure);
}

#[test]
fn blob_write_failure_is_returned_unchanged() {
    let failure = Failure::retryable("BLOB_STORE_UNAVAILABLE", "storage is down");
    let mut host = Fake::new(phone_ocr());
    host.write_failure = Some(failure.clone());
    assert_eq!(run(inline(&white_png(300, 80)), &mut host).unwrap_err(), failure);
}

#[test]
fn file_type_that_disagrees_with_the_bytes_fails_before_any_engine_call() {
    let mut host = Fake::new(phone_ocr());
    let failure = run(with(inline(&white_png(40, 30)), "file_type", json!("pdf")), &mut host).unwrap_err();
    assert_eq!(failure.code, "MASKING_FILE_TYPE_MISMATCH");
    assert!(host.ocr_calls.is_empty());
}

#[test]
fn unsupported_bytes_are_refused() {
    let mut host = Fake::new(phone_ocr());
    assert_eq!(run(inline(b"GIF89a\x01\0\x01\0"), &mut host).unwrap_err().code, "INPUT_INVALID_FILE");
}

// ---- PDFs ----

#[test]
fn pdf_page_with_a_text_layer_is_masked_without_ocr() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(ocr_failing_with(Failure::new("OCR_ENGINE_UNAVAILABLE", "no engine")));
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    assert!(host.ocr_calls.is_empty());
    assert_eq!(out["detected_items"][0]["type"], "phone");
    assert_eq!(out["detected_items"][0]["page"], 1);
}

#[test]
fn text_layer_boxes_are_scaled_to_the_page_image() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0)];
    let out = run(with(inline(&bytes), "dpi", json!(144)), &mut host).unwrap();
    // 144 dpi is 2 pixels per point; boxes round outwards.
    let w = phone_box_in_points(&bytes, 0);
    let expected = Rect {
        x: (w.x * 2.0).floor() as u32,
        y: (w.y * 2.0).floor() as u32,
        width: ((w.x + w.width) * 2.0).ceil() as u32 - (w.x * 2.0).floor() as u32,
        height: ((w.y + w.height) * 2.0).ceil() as u32 - (w.y * 2.0).floor() as u32,
    };
    assert_eq!(location(&out, 0), expected);
}

#[test]
fn pdf_pages_are_rendered_at_the_requested_dpi() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text()), (200.0, 100.0, 0, String::new())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0); 2];
    run(with(inline(&bytes), "dpi", json!(100)), &mut host).unwrap();
    assert_eq!(host.renders, [(1, 100), (2, 100)]);
}

#[test]
fn masked_pdf_holds_only_page_images_and_no_text() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text()), (200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0); 2];
    let out = run(inline(&bytes), &mut host).unwrap();
    assert_eq!((out["content_type"].as_str(), out["page_count"].as_u64()), (Some("application/pdf"), Some(2)));
    let extracted = pdf_text::extract(host.written_file()).unwrap();
    assert_eq!(extracted.pages.len(), 2);
    assert!(extracted.pages.iter().all(|p| p.words.is_empty()), "{extracted:?}");
}

#[test]
fn masked_pdf_pages_are_black_where_the_pii_was() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    let pages = page_images(host.written_file());
    let r = location(&out, 0);
    // JPEG blurs edges a little: compare averages inside the box and in a corner far from it.
    assert!(mean_luma(&pages[0], r) < 20.0);
    assert!(mean_luma(&pages[0], Rect { x: 0, y: pages[0].height() - 10, width: 10, height: 10 }) > 235.0);
}

#[test]
fn masked_pdf_is_named_after_the_url() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0)];
    host.blobs.insert("https://files.test/contract.pdf?x=1".into(), bytes);
    run(json!({"file_url": "https://files.test/contract.pdf?x=1"}), &mut host).unwrap();
    assert_eq!((host.written[0].0.as_str(), host.written[0].1.as_str()), ("contract_masked.pdf", "application/pdf"));
}

#[test]
fn pdf_page_without_a_text_layer_is_read_by_ocr() {
    let bytes = pdf(&[(200.0, 100.0, 0, "0 0 0 rg 10 10 20 20 re f\n".into())]);
    let mut host = Fake::new(phone_ocr());
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    assert_eq!(host.ocr_calls.len(), 1);
    assert_eq!(location(&out, 0), Rect { x: 60, y: 30, width: 9 * 13, height: 18 });
}

#[test]
fn turned_pdf_page_is_masked_from_its_text_layer_turned_the_same_way() {
    let bytes = pdf(&[(200.0, 100.0, 180, phone_text())]);
    let mut host = Fake::new(ocr_failing_with(Failure::new("OCR_ENGINE_UNAVAILABLE", "no engine")));
    host.page_points = vec![(200.0, 100.0)];
    // 72 dpi: one pixel per point. Upside down, a box's far corner becomes its near one.
    let out = run(with(inline(&bytes), "dpi", json!(72)), &mut host).unwrap();
    assert!(host.ocr_calls.is_empty());
    let w = phone_box_in_points(&bytes, 0);
    let r = location(&out, 0);
    assert_eq!((r.x, r.y), ((200.0 - w.x - w.width).floor() as u32, (100.0 - w.y - w.height).floor() as u32));
}

#[test]
fn quarter_turned_pdf_page_is_masked_inside_its_landscape_rendering() {
    let bytes = pdf(&[(200.0, 100.0, 90, phone_text())]);
    let mut host = Fake::new(ocr_failing_with(Failure::new("OCR_ENGINE_UNAVAILABLE", "no engine")));
    // The renderer applies /Rotate 90: the 200 × 100 page shows as 100 × 200.
    host.page_points = vec![(100.0, 200.0)];
    let out = run(with(inline(&bytes), "dpi", json!(72)), &mut host).unwrap();
    let w = phone_box_in_points(&bytes, 0);
    let r = location(&out, 0);
    // Turned clockwise, the word's width runs down the page and its top edge faces right.
    assert!(r.height > r.width, "{r:?}");
    assert_eq!(r.y, w.x.floor() as u32);
}

#[test]
fn pdf_page_rendered_at_an_unexpected_size_is_read_by_ocr() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(phone_ocr());
    // A renderer showing another page box (say the media box instead of a smaller crop box).
    host.page_points = vec![(240.0, 120.0)];
    run(inline(&bytes), &mut host).unwrap();
    assert_eq!(host.ocr_calls.len(), 1);
}

#[test]
fn text_layer_page_drawing_an_image_is_also_read_by_ocr() {
    let bytes = pdf(&[(200.0, 100.0, 0, plain_text() + DRAW_IMAGE)]);
    let mut host = Fake::new(phone_ocr());
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    assert_eq!(host.ocr_calls.len(), 1);
    assert_eq!(out["detected_items"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(out["detected_items"][0]["type"], "phone");
    assert_eq!(location(&out, 0), Rect { x: 60, y: 30, width: 9 * 13, height: 18 });
}

#[test]
fn text_layer_page_with_an_image_reports_what_each_reading_found() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text() + DRAW_IMAGE)]);
    let mut host = Fake::new(ocr_reading("kim@example.com", Rect { x: 150, y: 150, width: 120, height: 18 }));
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    let kinds: Vec<&str> =
        out["detected_items"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["phone", "email"]);
}

#[test]
fn same_finding_in_text_layer_and_ocr_is_reported_once_covering_both() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text() + DRAW_IMAGE)]);
    // 72 dpi: one pixel per point, so the OCR box can be put where the text layer's is, 3 px lower.
    let w = phone_box_in_points(&bytes, 0);
    let ocr_box = Rect { x: w.x as u32, y: w.y as u32 + 3, width: w.width as u32, height: w.height as u32 };
    let mut host = Fake::new(ocr_reading(PHONE, ocr_box));
    host.page_points = vec![(200.0, 100.0)];
    let out = run(with(inline(&bytes), "dpi", json!(72)), &mut host).unwrap();
    assert_eq!(out["detected_items"].as_array().unwrap().len(), 1, "{out}");
    let r = location(&out, 0);
    assert_eq!((r.y, r.y + r.height), ((w.y.floor()) as u32, ocr_box.y + ocr_box.height));
}

#[test]
fn image_listed_in_resources_but_not_drawn_does_not_trigger_ocr() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(ocr_failing_with(Failure::new("OCR_ENGINE_UNAVAILABLE", "no engine")));
    host.page_points = vec![(200.0, 100.0)];
    run(inline(&bytes), &mut host).unwrap();
    assert!(host.ocr_calls.is_empty());
}

#[test]
fn ocr_failure_on_a_text_page_drawing_an_image_is_returned_unchanged() {
    let failure = Failure::new("OCR_ENGINE_UNAVAILABLE", "no engine");
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text() + DRAW_IMAGE)]);
    let mut host = Fake::new(ocr_failing_with(failure.clone()));
    host.page_points = vec![(200.0, 100.0)];
    assert_eq!(run(inline(&bytes), &mut host).unwrap_err(), failure);
    assert!(host.written.is_empty());
}

#[test]
fn text_layer_page_with_an_image_without_text_is_not_called_blank() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text() + DRAW_IMAGE)]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0)];
    let out = run(inline(&bytes), &mut host).unwrap();
    assert_eq!(out["warnings"], json!([]));
    assert_eq!(out["detected_items"].as_array().unwrap().len(), 1);
}

#[test]
fn render_failure_is_returned_unchanged() {
    let failure = Failure::new("PDF_RENDER_FAILED", "pdftoppm failed");
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0)];
    host.render_failure = Some(failure.clone());
    assert_eq!(run(inline(&pdf(&[(200.0, 100.0, 0, phone_text())])), &mut host).unwrap_err(), failure);
}

#[test]
fn a_fake_pdf_is_an_invalid_file_and_nothing_is_rendered() {
    let mut host = Fake::new(blank_ocr());
    let failure = run(inline(b"%PDF-1.7\n1 0 obj <<"), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("truncated or damaged"), "{failure}");
    assert!(host.renders.is_empty());
}

#[test]
fn a_pdf_cut_in_half_is_an_invalid_file() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    let failure = run(inline(&bytes[..bytes.len() / 2]), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(host.renders.is_empty());
}

#[test]
fn an_image_claiming_more_pixels_than_the_limit_is_an_invalid_file_naming_its_size() {
    let mut png = white_png(40, 30);
    // Width and height are bytes 16..24 of a PNG; the IHDR checksum then no longer matches,
    // which the size check never looks at.
    png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let mut host = Fake::new(phone_ocr());
    let failure = run(inline(&png), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("60000×60000 pixels"), "{failure}");
    assert!(host.ocr_calls.is_empty());
}

#[test]
fn an_empty_file_is_an_invalid_file() {
    let mut host = Fake::new(phone_ocr());
    host.blobs.insert("blob://empty.png".into(), Vec::new());
    let failure = run(json!({"file_url": "blob://empty.png"}), &mut host).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("empty"), "{failure}");
}

#[test]
fn cancellation_between_pages_stops_the_job_without_writing() {
    let bytes = pdf(&[(200.0, 100.0, 0, phone_text()), (200.0, 100.0, 0, phone_text())]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0); 2];
    host.cancel_from = Some(1);
    let failure = run(inline(&bytes), &mut host).unwrap_err();
    assert_eq!(failure.code, "JOB_CANCELLED");
    assert_eq!(host.renders.len(), 1);
    assert!(host.written.is_empty());
}

#[test]
fn progress_is_reported_for_every_page_and_never_goes_back() {
    let bytes = pdf(&vec![(200.0, 100.0, 0, phone_text()); 3]);
    let mut host = Fake::new(blank_ocr());
    host.page_points = vec![(200.0, 100.0); 3];
    run(inline(&bytes), &mut host).unwrap();
    assert_eq!(host.progress.iter().filter(|(_, step)| step == "page").count(), 3);
    assert!(host.progress.windows(2).all(|w| w[0].0 <= w[1].0), "{:?}", host.progress);
}

// ---- contract ----

#[test]
fn examples_pass() {
    capsule_sdk::testing::check_examples::<Masking>();
}

#[test]
fn file_output_matches_the_output_schema() {
    let mut host = Fake::new(phone_ocr());
    let out = run(inline(&white_png(300, 80)), &mut host).unwrap();
    let schema = <Masking as capsule_sdk::Capability>::descriptor().output_schema;
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&out).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn input_schema_refuses_unknown_fields_and_bad_options() {
    let schema = <Masking as capsule_sdk::Capability>::descriptor().input_schema;
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&json!({"file_url": "u", "file_type": "pdf", "dpi": 200, "languages": "kor+eng"})));
    for bad in [
        json!({"text": "x", "extra": 1}),
        json!({"file_url": "u", "dpi": 600}),
        json!({"file_url": "u", "languages": "Korean"}),
        json!({"file_url": "u", "file_type": "docx"}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

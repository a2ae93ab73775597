//! The capability as the host sees it: descriptor, schemas, examples, and the job's flow against a
//! fake host.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::*;
use crate::page::tests::{ocr_line, ocr_word, recognition};
use crate::sample::helvetica_pdf;
use capsule_sdk::engines::{PageImage, Recognition};

/// A host with blobs in memory, scripted engine results, and a record of every call.
#[derive(Default)]
struct FakeHost {
    blobs: HashMap<String, Vec<u8>>,
    /// What `recognize` returns; unset means the test expects no OCR.
    recognition: Option<Result<Recognition, Failure>>,
    /// What `render_page` fails with; unset means it renders a 1000×500 "PNG".
    render_failure: Option<Failure>,
    /// How many `cancelled` calls answer false before it answers true; unset means never cancelled.
    cancel_after: Option<usize>,
    rendered: Vec<(u32, u32)>,
    recognized: Vec<(Vec<u8>, String)>,
    written: Vec<(String, String, Vec<u8>)>,
    progress: Vec<(u8, String, String)>,
}

const RENDERED_PNG: &[u8] = b"\x89PNG rendered";

impl Files for FakeHost {
    fn read(&mut self, url: &str) -> Result<Vec<u8>, Failure> {
        self.blobs.get(url).cloned().ok_or_else(|| Failure::new("BLOB_NOT_FOUND", format!("no file at {url}")))
    }

    fn write(&mut self, name: &str, content_type: &str, data: &[u8]) -> Result<String, Failure> {
        self.written.push((name.into(), content_type.into(), data.to_vec()));
        Ok(format!("blob://{name}"))
    }
}

impl capsule_sdk::Ocr for FakeHost {
    fn recognize(&mut self, image: &[u8], languages: &str) -> Result<Recognition, Failure> {
        self.recognized.push((image.to_vec(), languages.into()));
        self.recognition.clone().expect("the test did not expect OCR")
    }
}

impl PdfRender for FakeHost {
    fn render_page(&mut self, _pdf: &[u8], page: u32, dpi: u32) -> Result<PageImage, Failure> {
        self.rendered.push((page, dpi));
        match &self.render_failure {
            Some(failure) => Err(failure.clone()),
            None => Ok(PageImage { png: RENDERED_PNG.to_vec(), width: 1000, height: 500 }),
        }
    }
}

impl capsule_sdk::Embeddings for FakeHost {}
impl capsule_sdk::Vectors for FakeHost {}

impl JobContext for FakeHost {
    fn progress(&mut self, percent: u8, step: &str, message: &str) {
        self.progress.push((percent, step.into(), message.into()));
    }

    fn cancelled(&mut self) -> bool {
        match &mut self.cancel_after {
            Some(0) => true,
            Some(n) => {
                *n -= 1;
                false
            }
            None => false,
        }
    }
}

fn input(json: Value) -> Input {
    serde_json::from_value(json).expect("input fits the struct")
}

fn inline(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A two-page PDF: page 1 has a text layer, page 2 is "scanned".
fn scanned_second_page() -> String {
    inline(&helvetica_pdf(&["Hello from Capsule", ""]))
}

fn read_korean() -> Recognition {
    recognition(vec![ocr_line(vec![ocr_word("안녕하세요", 0.9, 10)])], 0.9)
}

/// The job as the host runs it, output serialised to JSON text (f32 values print shortest, as `0.95`).
fn run(host: &mut FakeHost, json: Value) -> Result<Value, Failure> {
    handle("job-1", &input(json), host).map(|out| serde_json::from_str(&serde_json::to_string(&out).unwrap()).unwrap())
}

#[test]
fn examples_pass_the_host_self_test_without_engines() {
    // Natively the engines fail with OCR_ENGINE_UNAVAILABLE, as on a host without Tesseract.
    capsule_sdk::testing::check_examples::<Ocr>();
}

#[test]
fn descriptor_names_an_async_capability() {
    let d = Ocr::descriptor();
    assert_eq!((d.name.as_str(), d.version.as_str(), d.mode), ("ocr", "0.1.0", Mode::Async));
    assert!(!d.summary.contains('\n'));
}

#[test]
fn input_schema_constrains_the_options() {
    let v = jsonschema::validator_for(&Ocr::descriptor().input_schema).unwrap();
    assert!(v.is_valid(&json!({"file_url": "u", "file_type": "image", "languages": "chi_sim+eng", "dpi": 72})));
    assert!(v.is_valid(&json!({})), "the component reports OCR_NO_INPUT itself");
    for bad in [
        json!({"file_url": "u", "dpi": 601}),
        json!({"file_url": "u", "dpi": 71}),
        json!({"file_url": "u", "languages": "kor eng"}),
        json!({"file_url": "u", "file_type": "png"}),
        json!({"file_url": "u", "extra": 1}),
    ] {
        assert!(!v.is_valid(&bad), "{bad}");
    }
}

#[test]
fn input_schema_documents_the_defaults() {
    let schema = Ocr::descriptor().input_schema;
    assert_eq!(schema["properties"]["languages"]["default"], "kor+eng");
    assert_eq!(schema["properties"]["dpi"]["default"], 300);
    assert_eq!(schema["properties"]["include_words"]["default"], false);
}

#[test]
fn output_schema_accepts_inline_words_and_a_words_url() {
    let v = jsonschema::validator_for(&Ocr::descriptor().output_schema).unwrap();
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    let inline = run(&mut host, json!({"file_base64": scanned_second_page(), "include_words": true})).unwrap();
    assert!(inline["pages"][1]["words"].is_array());
    assert!(v.is_valid(&inline), "{inline}");
    let mut spilled = inline;
    spilled["pages"].as_array_mut().unwrap().iter_mut().for_each(|p| {
        p.as_object_mut().unwrap().remove("words");
    });
    spilled["words_url"] = json!("blob://words");
    assert!(v.is_valid(&spilled), "{spilled}");
}

#[test]
fn a_text_layer_pdf_needs_no_engine() {
    let mut host = FakeHost::default();
    let out =
        run(&mut host, json!({"file_base64": inline(&helvetica_pdf(&["Hello from Capsule", "Second page"]))})).unwrap();
    assert_eq!(out["extracted_text"], "Hello from Capsule\n\nSecond page");
    assert_eq!(out["pages"][1]["source"], "text_layer");
    assert!(host.rendered.is_empty() && host.recognized.is_empty());
}

#[test]
fn a_page_without_a_text_layer_is_rendered_at_the_dpi_and_recognised_in_the_languages() {
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": scanned_second_page(), "dpi": 150, "languages": "kor"})).unwrap();
    assert_eq!(host.rendered, [(2, 150)]);
    assert_eq!(host.recognized, [(RENDERED_PNG.to_vec(), "kor".to_string())]);
    assert_eq!(out["extracted_text"], "Hello from Capsule\n\n안녕하세요");
}

#[test]
fn ocr_pages_report_pixels_and_text_layer_pages_points() {
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap();
    let [first, second] = [&out["pages"][0], &out["pages"][1]];
    assert_eq!((&first["unit"], &first["width"], &first["height"]), (&json!("pt"), &json!(200.0), &json!(60.0)));
    // The recognition's image size, not the renderer's.
    assert_eq!((&second["unit"], &second["width"], &second["height"]), (&json!("px"), &json!(800.0), &json!(600.0)));
    assert_eq!(second["source"], "ocr");
}

#[test]
fn document_confidence_is_the_mean_of_text_layer_and_ocr_pages() {
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap();
    assert_eq!(out["confidence"], json!(0.95));
}

#[test]
fn progress_reads_first_then_names_each_page_and_how_it_is_read() {
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap();
    let steps: Vec<(u8, &str, &str)> = host.progress.iter().map(|(p, s, m)| (*p, s.as_str(), m.as_str())).collect();
    assert_eq!(
        steps,
        [
            (0, "read", "reading the file"),
            (5, "page", "page 1 of 2 (text layer)"),
            (50, "page", "page 2 of 2 (ocr)"),
            (100, "done", "read 2 pages"),
        ]
    );
}

#[test]
fn an_image_is_recognised_as_one_page() {
    let png = b"\x89PNG\r\n\x1a\nimage".to_vec();
    let mut host = FakeHost { recognition: Some(Ok(read_korean())), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": inline(&png), "languages": "kor+eng"})).unwrap();
    assert_eq!(host.recognized, [(png, "kor+eng".to_string())]);
    assert_eq!((&out["page_count"], &out["extracted_text"]), (&json!(1), &json!("안녕하세요")));
    assert_eq!((&out["pages"][0]["source"], &out["pages"][0]["unit"]), (&json!("ocr"), &json!("px")));
}

#[test]
fn a_file_url_is_read_from_blobs() {
    let mut host = FakeHost::default();
    host.blobs.insert("blob://f".into(), helvetica_pdf(&["Hello from Capsule"]));
    let out = run(&mut host, json!({"file_url": "blob://f"})).unwrap();
    assert_eq!(out["extracted_text"], "Hello from Capsule");
}

#[test]
fn blob_failures_are_returned_unchanged() {
    let failure = run(&mut FakeHost::default(), json!({"file_url": "blob://missing"})).unwrap_err();
    assert_eq!(failure, Failure::new("BLOB_NOT_FOUND", "no file at blob://missing"));
}

#[test]
fn engine_failures_are_returned_unchanged() {
    let busy = Failure::retryable("OCR_FAILED", "the engine is busy");
    let mut host = FakeHost { recognition: Some(Err(busy.clone())), ..Default::default() };
    assert_eq!(run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap_err(), busy);
}

#[test]
fn renderer_failures_are_returned_unchanged() {
    let missing = Failure::new("PDF_RENDER_UNAVAILABLE", "no renderer on this host");
    let mut host = FakeHost { render_failure: Some(missing.clone()), ..Default::default() };
    assert_eq!(run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap_err(), missing);
    assert!(host.recognized.is_empty());
}

#[test]
fn a_scanned_pdf_without_the_host_engines_fails_as_the_renderer_unavailable() {
    // Through the real SDK, natively: the same answer a host without poppler
    // gives (a scanned page is rendered before it is read).
    let failure = capsule_sdk::testing::run::<Ocr>(json!({"file_base64": scanned_second_page()})).unwrap_err();
    assert_eq!(failure.code, "PDF_RENDER_UNAVAILABLE");
}

#[test]
fn cancellation_between_pages_stops_the_job() {
    let mut host = FakeHost { cancel_after: Some(1), recognition: Some(Ok(read_korean())), ..Default::default() };
    let failure = run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap_err();
    assert_eq!(failure.code, CANCELLED);
    assert!(host.rendered.is_empty(), "page 2 was not started");
}

#[test]
fn a_page_the_engine_reads_nothing_on_is_empty_and_warned_about() {
    let mut host = FakeHost { recognition: Some(Ok(recognition(vec![], 0.0))), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": scanned_second_page()})).unwrap();
    assert_eq!(out["pages"][1]["text"], "");
    assert_eq!(out["warnings"], json!(["page 2 has no readable text"]));
}

#[test]
fn many_words_go_to_one_json_file_named_after_the_job() {
    let words = (0..9000).map(|i| ocr_word("word", 0.9, i)).collect();
    let mut host = FakeHost { recognition: Some(Ok(recognition(vec![ocr_line(words)], 0.9))), ..Default::default() };
    let out = run(&mut host, json!({"file_base64": scanned_second_page(), "include_words": true})).unwrap();
    assert_eq!(out["words_url"], "blob://job-1-words.json");
    assert!(out["pages"].as_array().unwrap().iter().all(|p| p.get("words").is_none()));
    let (name, content_type, data) = &host.written[0];
    assert_eq!((name.as_str(), content_type.as_str()), ("job-1-words.json", "application/json"));
    let file: Value = serde_json::from_slice(data).unwrap();
    assert_eq!(file["pages"][0]["words"].as_array().unwrap().len(), 3, "page 1's text-layer words too");
    assert_eq!(file["pages"][1]["words"].as_array().unwrap().len(), 9000);
}

#[test]
fn a_declared_type_is_checked_before_any_engine_runs() {
    let mut host = FakeHost::default();
    let failure = run(&mut host, json!({"file_base64": scanned_second_page(), "file_type": "image"})).unwrap_err();
    assert_eq!(failure.code, detect::FILE_TYPE_MISMATCH);
    assert!(failure.message.contains("the file is a PDF"), "{failure}");
}

#[test]
fn a_fake_pdf_is_an_invalid_file_with_advice() {
    let failure = run(&mut FakeHost::default(), json!({"file_base64": inline(b"%PDF-1.4 garbage")})).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("truncated or damaged"), "{failure}");
    assert!(failure.message.contains("save or print it to a new PDF"), "{failure}");
}

#[test]
fn a_pdf_cut_in_half_is_an_invalid_file_and_no_engine_runs() {
    let pdf = helvetica_pdf(&["Hello from Capsule", ""]);
    let mut host = FakeHost::default();
    let failure = run(&mut host, json!({"file_base64": inline(&pdf[..pdf.len() / 2])})).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("truncated"), "{failure}");
    assert!(host.rendered.is_empty() && host.recognized.is_empty());
}

#[test]
fn an_empty_uploaded_file_is_an_invalid_file_that_says_it_is_empty() {
    let mut host = FakeHost::default();
    host.blobs.insert("blob://empty".into(), Vec::new());
    let failure = run(&mut host, json!({"file_url": "blob://empty"})).unwrap_err();
    assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
    assert!(failure.message.contains("empty"), "{failure}");
}

#[test]
fn options_are_checked_before_the_file_is_read() {
    let failure = run(&mut FakeHost::default(), json!({"file_url": "blob://missing", "dpi": 1000})).unwrap_err();
    assert_eq!(failure.code, input::INVALID_REQUEST);
}

//! The job's flow against a fake host: the fixture report (tests/data/report.pdf, made by
//! tests/data/make.py), a scripted OCR engine, and embeddings and vectors in memory.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use capsule_sdk::engines::{Line, PageImage, Recognition};
use capsule_sdk::language::{Embedded, Hit};

const REPORT: &[u8] = include_bytes!("../../../tests/data/report.pdf");
const URL: &str = "http://capsule.local/api/v1/files/report";
const TITLE: &str = "스마트 물류 플랫폼 사업계획서 (예시)";
const IMAGE_TEXT: &str = "냉장 물류 센서 네트워크";

/// What Tesseract reads on the rendered fixture page: the text layer again, with its errors, and
/// the text inside the image, which only OCR sees.
fn page_reading() -> Recognition {
    let lines = [
        "스마트 물류 플랫폼 사업계획서 (예시)",
        "본 사업은 중소 유통사를 위한 스마트 물류 플랫폼을 구축하여 배송 경로와 재고를",
        "실시간으로 최적화하는 것을 SHS 한다. 창고 관리와 차량 배차를 하나의 화면에서",
        "핵심 ISS 수요 예측 OAT 경로 최적화 알고리즘이다. 주문 데이터와 교통 YS",
        "연도 매출 고객수",
        "2025년 12억 원 340곳",
        IMAGE_TEXT,
        "그림 1. 센서 구성",
    ];
    let lines = lines
        .iter()
        .map(|text| Line {
            text: text.to_string(),
            confidence: 0.9,
            x: 0,
            y: 0,
            width: 100,
            height: 20,
            words: Vec::new(),
        })
        .collect();
    Recognition { width: 1654, height: 2339, lines, confidence: 0.9, languages: LANGUAGES.into() }
}

/// A host with the fixture as its one file, engines that can each be missing, and a record of calls.
struct FakeHost {
    files: BTreeMap<String, Vec<u8>>,
    ocr: bool,
    render: bool,
    embeddings: bool,
    vectors: bool,
    store: BTreeMap<String, Point>,
    rendered: Vec<u32>,
    deleted_where: Vec<Value>,
    progress: Vec<String>,
    roles: Vec<EmbedRole>,
}

impl Default for FakeHost {
    fn default() -> Self {
        Self {
            files: BTreeMap::from([(URL.to_string(), REPORT.to_vec())]),
            ocr: true,
            render: true,
            embeddings: true,
            vectors: true,
            store: BTreeMap::new(),
            rendered: Vec::new(),
            deleted_where: Vec::new(),
            progress: Vec::new(),
            roles: Vec::new(),
        }
    }
}

impl JobContext for FakeHost {
    fn progress(&mut self, _percent: u8, step: &str, _message: &str) {
        self.progress.push(step.to_string());
    }
}

impl Files for FakeHost {
    fn read(&mut self, url: &str) -> Result<Vec<u8>, Failure> {
        self.files.get(url).cloned().ok_or_else(|| Failure::new("BLOB_NOT_FOUND", url))
    }
}

impl PdfRender for FakeHost {
    fn render_page(&mut self, _pdf: &[u8], page: u32, dpi: u32) -> Result<PageImage, Failure> {
        if !self.render {
            return Err(Failure::new("PDF_RENDER_UNAVAILABLE", "no renderer"));
        }
        assert_eq!(dpi, DPI);
        self.rendered.push(page);
        Ok(PageImage { png: b"\x89PNG page".to_vec(), width: 1654, height: 2339 })
    }
}

impl Ocr for FakeHost {
    fn recognize(&mut self, image: &[u8], languages: &str) -> Result<Recognition, Failure> {
        if !self.ocr {
            return Err(Failure::new("OCR_ENGINE_UNAVAILABLE", "no OCR"));
        }
        assert_eq!((image, languages), (&b"\x89PNG page"[..], LANGUAGES));
        Ok(page_reading())
    }
}

/// A unit vector of the text's character pairs, hashed into 64 dimensions.
fn fake_vector(text: &str) -> Vec<f32> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut v = vec![0.0f32; 64];
    for w in chars.windows(2) {
        v[((w[0] as usize).wrapping_mul(31).wrapping_add(w[1] as usize)) % 64] += 1.0;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.iter().map(|x| x / norm).collect()
}

impl Embeddings for FakeHost {
    fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
        if !self.embeddings {
            return Err(Failure::new("EMBEDDINGS_UNAVAILABLE", "no embedding model"));
        }
        self.roles.push(role);
        Ok(Embedded { vectors: texts.iter().map(|t| fake_vector(t)).collect(), model: "fake".into(), dimension: 64 })
    }
}

fn matches(metadata: &Value, filter: &Value) -> bool {
    filter.as_object().is_some_and(|f| f.iter().all(|(k, v)| metadata.get(k) == Some(v)))
}

impl Vectors for FakeHost {
    fn upsert(&mut self, collection: &str, points: &[Point]) -> Result<(), Failure> {
        if !self.vectors {
            return Err(Failure::new("VECTORS_UNAVAILABLE", "no index"));
        }
        assert_eq!(collection, COLLECTION);
        for point in points {
            self.store.insert(point.id.clone(), point.clone());
        }
        Ok(())
    }

    fn delete_where(&mut self, collection: &str, filter: &Value) -> Result<u32, Failure> {
        if !self.vectors {
            return Err(Failure::new("VECTORS_UNAVAILABLE", "no index"));
        }
        assert_eq!(collection, COLLECTION);
        self.deleted_where.push(filter.clone());
        let before = self.store.len();
        self.store.retain(|_, p| !matches(&p.metadata, filter));
        Ok((before - self.store.len()) as u32)
    }

    fn search(&mut self, _: &str, _: &[f32], _: u32, _: &Value) -> Result<Vec<Hit>, Failure> {
        unreachable!("report-embed never searches")
    }
}

fn input(extra: Value) -> Input {
    let mut body = json!({"file_url": URL, "file_name": "스마트물류.pdf", "embed_id": "e-1", "report_id": 7});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(body).expect("input fits the struct")
}

fn kinds(host: &FakeHost, kind: &str) -> Vec<String> {
    host.store.values().filter(|p| p.metadata["kind"] == kind).map(|p| p.text.clone()).collect()
}

#[test]
fn text_tables_and_the_text_inside_images_become_separate_chunks() {
    let mut host = FakeHost::default();
    let output = handle(&input(json!({})), &mut host).expect("embedded");
    // The text before the table, and the caption after it.
    assert_eq!(output.chunks, Counts { text: 2, table: 1, image: 1 });
    assert_eq!((output.pages, output.warnings.len()), (1, 0), "{:?}", output.warnings);
    assert_eq!(
        kinds(&host, "table"),
        vec!["연도 | 매출 | 고객 수\n2024년 | 5억 원 | 120곳\n2025년 | 12억 원 | 340곳\n2026년 | 30억 원 | 800곳"]
    );
    // Only the line the text layer lacks: the OCR of the title, paragraphs, table and caption is dropped.
    assert_eq!(kinds(&host, "image"), vec![IMAGE_TEXT]);
    let text = kinds(&host, "text").join("\n");
    assert!(text.starts_with(TITLE), "{text}");
    assert!(text.contains("본 사업은 중소 유통사를") && text.contains("그림 1. 센서 구성"), "{text}");
    assert!(!text.contains("2025년") && !text.contains("냉장"), "table rows and image text are not also text: {text}");
    // Paragraphs are kept apart inside a chunk.
    assert!(text.contains("줄인다.\n핵심 기술은"), "{text}");
}

#[test]
fn only_pages_holding_an_image_are_rendered_and_read() {
    assert_eq!(images::pages_with_images(REPORT), Some([1].into()));
    let mut host = FakeHost::default();
    handle(&input(json!({})), &mut host).expect("embedded");
    assert_eq!(host.rendered, vec![1]);
}

#[test]
fn title_and_keywords_are_derived_when_missing_or_blank() {
    let mut host = FakeHost::default();
    let output = handle(&input(json!({"title": " ", "keywords": null})), &mut host).expect("embedded");
    assert_eq!(output.title, TITLE);
    let keywords: Vec<&str> = output.keywords.split(", ").collect();
    assert_eq!(keywords.len(), KEYWORDS, "{}", output.keywords);
    assert!(keywords.contains(&"스마트물류") && keywords.contains(&"배송"), "{}", output.keywords);
}

#[test]
fn a_given_title_and_keywords_are_kept() {
    let mut host = FakeHost::default();
    let given = json!({"title": "콜드체인 사업계획", "keywords": "콜드체인, 물류"});
    let output = handle(&input(given), &mut host).expect("embedded");
    assert_eq!((output.title.as_str(), output.keywords.as_str()), ("콜드체인 사업계획", "콜드체인, 물류"));
    assert!(host.store.values().all(|p| p.metadata["title"] == "콜드체인 사업계획"));
}

#[test]
fn every_stored_chunk_carries_the_reports_metadata() {
    let mut host = FakeHost::default();
    let extra = json!({"number": 101, "field": "물류", "category_number": 2, "keywords": "물류, 센서"});
    handle(&input(extra), &mut host).expect("embedded");
    assert_eq!(host.store.len(), 4);
    for (n, point) in host.store.values().enumerate() {
        let m = &point.metadata;
        assert_eq!(point.id, format!("스마트물류.pdf#{n}"));
        assert_eq!(
            (&m["report_id"], &m["file_name"], &m["embed_id"], &m["number"]),
            (&json!(7), &json!("스마트물류.pdf"), &json!("e-1"), &json!(101))
        );
        assert_eq!((&m["title"], &m["field"], &m["keywords"]), (&json!(TITLE), &json!("물류"), &json!("물류, 센서")));
        assert_eq!((&m["category_number"], &m["page"]), (&json!(2), &json!(1)));
        assert_eq!(point.vector, fake_vector(&point.text));
    }
    let kinds: Vec<&Value> = host.store.values().map(|p| &p.metadata["kind"]).collect();
    assert_eq!(kinds, vec!["text", "table", "text", "image"]);
    assert!(host.roles.iter().all(|r| *r == EmbedRole::Passage));
}

#[test]
fn a_report_without_a_category_stores_null_metadata() {
    let mut host = FakeHost::default();
    handle(&input(json!({})), &mut host).expect("embedded");
    let m = &host.store.values().next().unwrap().metadata;
    assert_eq!((&m["category_number"], &m["number"], &m["field"]), (&Value::Null, &Value::Null, &Value::Null));
}

#[test]
fn embedding_the_same_file_again_replaces_its_chunks_under_the_same_ids() {
    let mut host = FakeHost::default();
    handle(&input(json!({"category_number": 1})), &mut host).expect("first");
    let first: Vec<String> = host.store.keys().cloned().collect();
    // A stale chunk of an earlier, longer version of the file is removed too.
    let mut stale = host.store.values().next().unwrap().clone();
    stale.id = "스마트물류.pdf#99".into();
    host.store.insert(stale.id.clone(), stale);
    handle(&input(json!({"category_number": 3})), &mut host).expect("again");
    assert_eq!(host.store.keys().cloned().collect::<Vec<_>>(), first);
    assert!(host.store.values().all(|p| p.metadata["category_number"] == 3));
    assert_eq!(host.deleted_where, vec![json!({"file_name": "스마트물류.pdf"}); 2]);
}

#[test]
fn without_ocr_or_a_renderer_images_are_skipped_with_a_warning() {
    for (ocr, render, code) in [(false, true, "OCR_ENGINE_UNAVAILABLE"), (true, false, "PDF_RENDER_UNAVAILABLE")] {
        let mut host = FakeHost { ocr, render, ..FakeHost::default() };
        let output = handle(&input(json!({})), &mut host).expect("embedded without images");
        assert_eq!(output.chunks, Counts { text: 2, table: 1, image: 0 });
        assert_eq!(output.warnings.len(), 1);
        assert!(output.warnings[0].contains(code), "{:?}", output.warnings);
    }
}

#[test]
fn without_embeddings_or_vectors_the_job_fails_with_the_engines_code() {
    let mut host = FakeHost { embeddings: false, ..FakeHost::default() };
    assert_eq!(handle(&input(json!({})), &mut host).unwrap_err().code, "EMBEDDINGS_UNAVAILABLE");
    assert!(host.rendered.is_empty(), "no OCR is spent before the embeddings engine is known to work");
    let mut host = FakeHost { vectors: false, ..FakeHost::default() };
    assert_eq!(handle(&input(json!({})), &mut host).unwrap_err().code, "VECTORS_UNAVAILABLE");
}

#[test]
fn a_file_that_is_not_a_pdf_is_an_invalid_file() {
    for bytes in [&b"\x89PNG\r\n\x1a\n...."[..], b"just some text", b"%PDF-1.7 truncated"] {
        let mut host = FakeHost::default();
        host.files.insert(URL.into(), bytes.to_vec());
        let failure = handle(&input(json!({})), &mut host).unwrap_err();
        assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false), "{failure}");
    }
}

#[test]
fn an_inline_pdf_is_read_like_a_stored_one_and_a_file_is_required() {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(REPORT);
    let mut host = FakeHost::default();
    let inline = json!({"file_url": null, "file_base64": encoded});
    assert_eq!(handle(&input(inline), &mut host).unwrap().chunks.table, 1);
    let code = |extra: Value| handle(&input(extra), &mut FakeHost::default()).unwrap_err().code;
    assert_eq!(code(json!({"file_url": " "})), NO_INPUT);
    assert_eq!(code(json!({"file_base64": "JVBERi0="})), AMBIGUOUS_INPUT);
    assert_eq!(code(json!({"category_number": 6})), INVALID_REQUEST);
    assert_eq!(code(json!({"embed_id": ""})), INVALID_REQUEST);
}

#[test]
fn progress_goes_through_each_stage() {
    let mut host = FakeHost::default();
    handle(&input(json!({})), &mut host).expect("embedded");
    let mut steps = host.progress.clone();
    steps.dedup();
    assert_eq!(steps, vec!["read", "parse", "embed", "images", "embed", "store", "done"]);
}

/// The output as the host checks it: against the descriptor's output schema.
fn assert_fits_schema(output: &Output) {
    let schema = ReportEmbed::descriptor().output_schema;
    let document = serde_json::to_value(output).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(&document).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_output_is_the_seeds_shape_and_fits_the_output_schema() {
    let mut host = FakeHost::default();
    let output = handle(&input(json!({})), &mut host).expect("embedded");
    assert_fits_schema(&output);
    let document = serde_json::to_value(&output).unwrap();
    assert_eq!(
        (&document["success"], &document["message"], &document["embed_id"]),
        (&json!(true), &json!("임베딩 완료"), &json!("e-1"))
    );
}

#[test]
fn the_descriptor_names_the_component_and_its_schemas_require_the_seed_fields() {
    let descriptor = ReportEmbed::descriptor();
    assert_eq!(descriptor.name, "report-embed");
    assert_eq!(descriptor.input_schema["required"], json!(["file_name", "embed_id", "report_id"]));
    let output = &descriptor.output_schema["properties"];
    for key in ["success", "message", "embed_id", "file_name", "title", "keywords", "chunks", "pages", "warnings"] {
        assert!(output.get(key).is_some(), "{key}");
    }
}

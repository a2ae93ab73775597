//! Behaviour of `pdf_text::extract` on PDFs generated here with pdf-extract's own lopdf (no fixtures on
//! disk, no system fonts): Helvetica is one of the 14 standard fonts whose metrics pdf-extract
//! ships, and Korean text uses a composite font whose ToUnicode CMap is all extraction needs.

use std::time::Instant;

use pdf_extract::{Dictionary, Document, Object, Stream, StringFormat};
use pdf_text::{ExtractError, extract};

/// Position tolerance in points: coordinates go through f64 → f32 and font metrics.
const TOLERANCE: f32 = 0.01;

/// Helvetica advance widths (per 1000 em) of the glyphs the tests measure.
fn helvetica_width(text: &str, size: f32) -> f32 {
    let per_mille: u32 = text
        .chars()
        .map(|c| match c {
            'H' => 722,
            'W' => 944,
            'e' | 'o' | 'd' => 556,
            'l' => 222,
            'r' => 333,
            _ => panic!("no width for {c:?} in this table"),
        })
        .sum();
    per_mille as f32 * size / 1000.0
}

/// Glyph ids of the Korean test font, with their text: "안녕하세요" and "세계".
const HANGUL: [(u16, char); 7] = [(1, '안'), (2, '녕'), (3, '하'), (4, '세'), (5, '요'), (6, '계'), (7, '한')];

/// A Korean string as a hex string of 2-byte CIDs for the Identity-H font.
fn hangul_hex(text: &str) -> String {
    let cids: String = text
        .chars()
        .map(|c| {
            let cid = HANGUL.iter().find(|(_, h)| *h == c).expect("glyph in test font").0;
            format!("{cid:04X}")
        })
        .collect();
    format!("<{cids}>")
}

fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

fn dict(entries: Vec<(&str, Object)>) -> Dictionary {
    let mut d = Dictionary::new();
    for (k, v) in entries {
        d.set(k, v);
    }
    d
}

fn numbers(values: &[f32]) -> Object {
    Object::Array(values.iter().map(|&v| Object::Real(v)).collect())
}

/// One page of a generated PDF: its raw content stream and optional boxes.
struct PageSpec {
    content: String,
    media_box: [f32; 4],
    crop_box: Option<[f32; 4]>,
}

impl PageSpec {
    fn new(content: impl Into<String>) -> Self {
        Self { content: content.into(), media_box: [0.0, 0.0, 612.0, 792.0], crop_box: None }
    }
}

/// Build a PDF whose pages share (inherit) a resource dictionary with Helvetica as /F1 and a
/// Korean Identity-H composite font as /K1.
fn build_pdf(pages: Vec<PageSpec>) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();

    let helvetica =
        doc.add_object(dict(vec![("Type", name("Font")), ("Subtype", name("Type1")), ("BaseFont", name("Helvetica"))]));

    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CMapName /Test-UCS2 def /CMapType 2 def\n\
         1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", HANGUL.len()));
    for (cid, c) in HANGUL {
        cmap.push_str(&format!("<{cid:04X}> <{:04X}>\n", c as u32));
    }
    cmap.push_str("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n");
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.into_bytes()));
    let descriptor = doc.add_object(dict(vec![
        ("Type", name("FontDescriptor")),
        ("FontName", name("TestHangul")),
        ("Flags", Object::Integer(4)),
        ("FontBBox", numbers(&[0.0, -120.0, 1000.0, 880.0])),
        ("ItalicAngle", Object::Integer(0)),
        ("Ascent", Object::Integer(880)),
        ("Descent", Object::Integer(-120)),
        ("CapHeight", Object::Integer(700)),
        ("StemV", Object::Integer(80)),
    ]));
    let cid_font = doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("CIDFontType2")),
        ("BaseFont", name("TestHangul")),
        (
            "CIDSystemInfo",
            Object::Dictionary(dict(vec![
                ("Registry", Object::String(b"Adobe".to_vec(), StringFormat::Literal)),
                ("Ordering", Object::String(b"Identity".to_vec(), StringFormat::Literal)),
                ("Supplement", Object::Integer(0)),
            ])),
        ),
        ("FontDescriptor", Object::Reference(descriptor)),
        // Every Hangul syllable is a full em wide, as in real Korean fonts.
        ("DW", Object::Integer(1000)),
    ]));
    let korean = doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type0")),
        ("BaseFont", name("TestHangul")),
        ("Encoding", name("Identity-H")),
        ("DescendantFonts", Object::Array(vec![Object::Reference(cid_font)])),
        ("ToUnicode", Object::Reference(to_unicode)),
    ]));
    let resources = doc.add_object(dict(vec![(
        "Font",
        Object::Dictionary(dict(vec![("F1", Object::Reference(helvetica)), ("K1", Object::Reference(korean))])),
    )]));

    let mut kids = Vec::new();
    for spec in &pages {
        let content = doc.add_object(Stream::new(Dictionary::new(), spec.content.clone().into_bytes()));
        let mut page = dict(vec![
            ("Type", name("Page")),
            ("Parent", Object::Reference(pages_id)),
            ("MediaBox", numbers(&spec.media_box)),
            ("Contents", Object::Reference(content)),
        ]);
        if let Some(crop) = spec.crop_box {
            page.set("CropBox", numbers(&crop));
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dict(vec![
            ("Type", name("Pages")),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
            ("Resources", Object::Reference(resources)),
        ])),
    );
    let catalog = doc.add_object(dict(vec![("Type", name("Catalog")), ("Pages", Object::Reference(pages_id))]));
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("serialise test PDF");
    bytes
}

/// Helvetica text drawn with its baseline origin at (x, y) in PDF user space.
fn text_at(x: f32, y: f32, size: f32, text: &str) -> String {
    format!("BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET\n")
}

/// The two-page document most tests read: English text on page 1, nothing on page 2.
fn two_page_pdf() -> Vec<u8> {
    let page1 = [
        text_at(72.0, 700.0, 12.0, "Hello World"),
        // Same baseline, drawn before the earlier words to check left-to-right ordering.
        text_at(300.0, 700.0, 12.0, "Hello"),
        text_at(72.0, 650.0, 24.0, "older Hello"),
    ]
    .concat();
    // Page 2 only draws a rectangle: a scanned page as far as the text layer is concerned.
    build_pdf(vec![PageSpec::new(page1), PageSpec::new("0 0 0 rg 100 100 200 200 re f\n")])
}

#[test]
fn counts_every_page() {
    let doc = extract(&two_page_pdf()).unwrap();
    assert_eq!(doc.pages.len(), 2);
    assert_eq!(doc.pages.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn reports_page_size_in_points() {
    let doc = extract(&two_page_pdf()).unwrap();
    assert_eq!((doc.pages[0].width, doc.pages[0].height), (612.0, 792.0));
}

#[test]
fn page_text_is_lines_top_to_bottom_joined_by_newlines() {
    let doc = extract(&two_page_pdf()).unwrap();
    assert_eq!(doc.pages[0].text, "Hello World Hello\nolder Hello");
}

#[test]
fn splits_words_at_spaces() {
    let doc = extract(&two_page_pdf()).unwrap();
    let words: Vec<&str> = doc.pages[0].words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(words, ["Hello", "World", "Hello", "older", "Hello"]);
}

#[test]
fn word_boxes_use_a_top_left_origin() {
    // PDF y = 700 on a 792 pt page is 92 pt from the top; the box top sits 0.8 em above the baseline.
    let doc = extract(&two_page_pdf()).unwrap();
    let hello = &doc.pages[0].words[0];
    assert!((hello.x - 72.0).abs() < TOLERANCE, "{hello:?}");
    assert!((hello.y - (92.0 - 0.8 * 12.0)).abs() < TOLERANCE, "{hello:?}");
    assert!((hello.height - 12.0).abs() < TOLERANCE, "{hello:?}");
}

#[test]
fn word_width_follows_font_metrics() {
    let doc = extract(&two_page_pdf()).unwrap();
    let hello = &doc.pages[0].words[0];
    assert!((hello.width - helvetica_width("Hello", 12.0)).abs() < TOLERANCE, "{hello:?}");
}

#[test]
fn word_after_a_space_starts_past_the_space() {
    // "World" starts after "Hello" plus one Helvetica space (278/1000 em).
    let doc = extract(&two_page_pdf()).unwrap();
    let world = &doc.pages[0].words[1];
    let expected = 72.0 + helvetica_width("Hello", 12.0) + 0.278 * 12.0;
    assert!((world.x - expected).abs() < TOLERANCE, "{world:?}");
}

#[test]
fn groups_words_on_one_baseline_into_a_line_left_to_right() {
    let doc = extract(&two_page_pdf()).unwrap();
    let page = &doc.pages[0];
    assert_eq!(page.lines.len(), 2);
    assert_eq!(page.lines[0].text, "Hello World Hello");
    assert_eq!(page.lines[0].words, [0, 1, 2]);
    assert_eq!(page.lines[1].words, [3, 4]);
    let xs: Vec<f32> = page.lines[0].words.iter().map(|&i| page.words[i].x).collect();
    assert!(xs.windows(2).all(|p| p[0] < p[1]), "{xs:?}");
}

#[test]
fn page_with_text_has_a_text_layer() {
    let doc = extract(&two_page_pdf()).unwrap();
    assert!(doc.pages[0].has_text_layer());
}

#[test]
fn page_without_text_has_no_text_layer() {
    let doc = extract(&two_page_pdf()).unwrap();
    let blank = &doc.pages[1];
    assert!(!blank.has_text_layer());
    assert!(blank.words.is_empty() && blank.lines.is_empty() && blank.text.is_empty());
}

#[test]
fn a_lone_page_number_is_not_a_text_layer() {
    // Scans often carry a stamped page number; that page still needs OCR.
    let pdf = build_pdf(vec![PageSpec::new(text_at(300.0, 30.0, 10.0, "12"))]);
    let page = &extract(&pdf).unwrap().pages[0];
    assert_eq!(page.text, "12");
    assert!(!page.has_text_layer());
}

#[test]
fn korean_glyphs_of_one_word_join_without_spaces() {
    // Each syllable drawn by its own Tj, as many Korean PDF producers do, abutting the previous one.
    let mut content = String::from("BT /K1 20 Tf 100 500 Td\n");
    for syllable in "안녕하세요".chars() {
        content.push_str(&format!("{} Tj\n", hangul_hex(&syllable.to_string())));
    }
    content.push_str("ET\n");
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.text, "안녕하세요");
    assert_eq!(page.words.len(), 1);
    assert!((page.words[0].width - 100.0).abs() < TOLERANCE, "{:?}", page.words[0]);
}

#[test]
fn korean_words_split_at_gaps() {
    // "안녕하세요 세계": the second word starts a quarter em after the first ends, like a space.
    let content =
        format!("BT /K1 20 Tf 100 500 Td {} Tj 105 0 Td {} Tj ET\n", hangul_hex("안녕하세요"), hangul_hex("세계"));
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.lines.len(), 1);
    assert_eq!(page.lines[0].text, "안녕하세요 세계");
}

#[test]
fn mixed_fonts_on_one_baseline_share_a_line() {
    let content =
        format!("{}BT /K1 12 Tf 150 700 Td {} Tj ET\n", text_at(72.0, 700.0, 12.0, "Hello"), hangul_hex("한"));
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.lines.len(), 1);
    assert_eq!(page.text, "Hello 한");
}

#[test]
fn coordinates_are_relative_to_the_crop_box() {
    // The visible area starts at (50, 40) and ends at y = 740: the host rasterises that area.
    let mut spec = PageSpec::new(text_at(72.0, 700.0, 12.0, "Hello"));
    spec.crop_box = Some([50.0, 40.0, 550.0, 740.0]);
    let page = &extract(&build_pdf(vec![spec])).unwrap().pages[0];
    assert_eq!((page.width, page.height), (500.0, 700.0));
    let hello = &page.words[0];
    assert!((hello.x - 22.0).abs() < TOLERANCE, "{hello:?}");
    assert!((hello.y - (40.0 - 0.8 * 12.0)).abs() < TOLERANCE, "{hello:?}");
}

#[test]
fn coordinates_account_for_a_media_box_not_at_the_origin() {
    let mut spec = PageSpec::new(text_at(172.0, 300.0, 12.0, "Hello"));
    spec.media_box = [100.0, 200.0, 400.0, 600.0];
    let page = &extract(&build_pdf(vec![spec])).unwrap().pages[0];
    assert_eq!((page.width, page.height), (300.0, 400.0));
    let hello = &page.words[0];
    assert!((hello.x - 72.0).abs() < TOLERANCE, "{hello:?}");
    assert!((hello.y - (300.0 - 0.8 * 12.0)).abs() < TOLERANCE, "{hello:?}");
}

#[test]
fn scaled_text_reports_its_drawn_size() {
    // A 2x text matrix doubles the em: boxes must be in page units, not font units.
    let content = "BT /F1 12 Tf 2 0 0 2 72 700 Tm (Hello) Tj ET\n";
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    let hello = &page.words[0];
    assert!((hello.height - 24.0).abs() < TOLERANCE, "{hello:?}");
    assert!((hello.width - helvetica_width("Hello", 24.0)).abs() < TOLERANCE, "{hello:?}");
}

#[test]
fn rejects_input_that_is_not_a_pdf() {
    let err = extract(b"GIF89a not a pdf at all").unwrap_err();
    assert_eq!(err, ExtractError::NotPdf);
    assert_eq!(err.code(), "INPUT_INVALID_FILE");
}

#[test]
fn rejects_empty_input_as_not_a_pdf() {
    assert_eq!(extract(&[]).unwrap_err(), ExtractError::NotPdf);
}

#[test]
fn reports_a_truncated_pdf_as_corrupt() {
    let pdf = two_page_pdf();
    let err = extract(&pdf[..pdf.len() / 2]).unwrap_err();
    assert!(matches!(err, ExtractError::Corrupt { .. }), "{err:?}");
    assert_eq!(err.code(), "INPUT_INVALID_FILE");
}

#[test]
fn header_only_is_corrupt() {
    assert!(matches!(extract(b"%PDF-1.7\n%%EOF\n").unwrap_err(), ExtractError::Corrupt { .. }));
}

#[test]
fn error_messages_carry_the_code() {
    let err = extract(b"%PDF-1.4 garbage").unwrap_err();
    assert!(err.to_string().starts_with("INPUT_INVALID_FILE: truncated or corrupt PDF"), "{err}");
}

#[test]
fn an_encrypted_pdf_is_the_clients_file_problem_too() {
    // Generating a password-protected PDF needs an encryption writer the test does not have; the
    // mapping from lopdf's decryption errors is covered by the code's `load_error`.
    assert_eq!(ExtractError::Encrypted.code(), "INPUT_INVALID_FILE");
}

#[test]
fn never_panics_on_damaged_pdfs() {
    // Every truncation and a sweep of single-byte corruptions of a valid file: each must return,
    // either a document or an error, without panicking.
    let pdf = two_page_pdf();
    for len in (0..pdf.len()).step_by(7) {
        let _ = extract(&pdf[..len]);
    }
    let mut state = 0x2545_f491_u32;
    for _ in 0..2000 {
        let mut damaged = pdf.clone();
        for _ in 0..4 {
            // xorshift: deterministic, no rand dependency.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % damaged.len();
            damaged[at] = (state >> 24) as u8;
        }
        let _ = extract(&damaged);
    }
}

#[test]
fn a_page_with_a_malformed_font_degrades_to_no_text() {
    // A Type0 font without DescendantFonts makes pdf-extract panic (an abort on wasm); the page is
    // skipped up front and left for OCR, and the other pages still come through.
    let mut doc = Document::load_mem(&two_page_pdf()).unwrap();
    let broken = doc.add_object(dict(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type0")),
        ("BaseFont", name("Broken")),
        ("Encoding", name("Identity-H")),
    ]));
    let pages = doc.get_pages();
    let page2 = doc.get_dictionary_mut(pages[&2]).unwrap();
    page2.set(
        "Resources",
        Object::Dictionary(dict(vec![("Font", Object::Dictionary(dict(vec![("B1", Object::Reference(broken))])))])),
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let out = extract(&bytes).unwrap();
    assert!(out.pages[0].has_text_layer());
    assert!(!out.pages[1].has_text_layer());
}

#[test]
fn measure_pages_per_second() {
    // Not an assertion: run with `--nocapture` (ideally `--release`) to read the throughput.
    let mut pages = Vec::new();
    for n in 0..50 {
        let mut content = String::new();
        for line in 0..40 {
            content.push_str(&text_at(72.0, 750.0 - line as f32 * 17.0, 11.0, "Hello World older Hello World"));
        }
        content.push_str(&format!("BT /K1 11 Tf 72 40 Td {} Tj ET\n", hangul_hex("안녕하세요")));
        pages.push(PageSpec::new(content + &text_at(300.0, 20.0, 9.0, &"d".repeat(n % 3 + 1))));
    }
    let pdf = build_pdf(pages);
    let start = Instant::now();
    let doc = extract(&pdf).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(doc.pages.len(), 50);
    println!(
        "text-layer extraction: 50 pages ({} bytes) in {:.1} ms = {:.0} pages/s",
        pdf.len(),
        elapsed.as_secs_f64() * 1e3,
        50.0 / elapsed.as_secs_f64()
    );
}

/// Reload a generated PDF, let `edit` change it, and serialise it again.
fn edit_pdf(pdf: &[u8], edit: impl FnOnce(&mut Document)) -> Vec<u8> {
    let mut doc = Document::load_mem(pdf).unwrap();
    edit(&mut doc);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// Give page 1 its own resources: Helvetica as /F1 plus `/Fm1`, a form XObject drawing `form`.
fn with_form(pdf: &[u8], form: &str) -> Vec<u8> {
    edit_pdf(pdf, |doc| {
        let helvetica = doc.add_object(dict(vec![
            ("Type", name("Font")),
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
        ]));
        let form_id = doc.new_object_id();
        let form_dict = dict(vec![
            ("Type", name("XObject")),
            ("Subtype", name("Form")),
            ("BBox", numbers(&[0.0, 0.0, 612.0, 792.0])),
        ]);
        doc.objects.insert(form_id, Object::Stream(Stream::new(form_dict, form.as_bytes().to_vec())));
        let resources = dict(vec![
            ("Font", Object::Dictionary(dict(vec![("F1", Object::Reference(helvetica))]))),
            ("XObject", Object::Dictionary(dict(vec![("Fm1", Object::Reference(form_id))]))),
        ]);
        // The form's own resources include itself, so a form that draws itself can be expressed.
        if let Ok(Object::Stream(stream)) = doc.get_object_mut(form_id) {
            stream.dict.set("Resources", Object::Dictionary(resources.clone()));
        }
        let pages = doc.get_pages();
        doc.get_dictionary_mut(pages[&1]).unwrap().set("Resources", Object::Dictionary(resources));
    })
}

#[test]
fn reads_text_drawn_inside_a_form_xobject() {
    let pdf = build_pdf(vec![PageSpec::new("q /Fm1 Do Q\n")]);
    let page = &extract(&with_form(&pdf, &text_at(72.0, 700.0, 12.0, "Hello World"))).unwrap().pages[0];
    assert_eq!(page.text, "Hello World");
}

#[test]
fn a_form_that_draws_itself_does_not_recurse_forever() {
    // pdf-extract would recurse until the stack overflows, which no catch_unwind can stop.
    let pdf = build_pdf(vec![PageSpec::new("/Fm1 Do\n")]);
    let form = format!("{}/Fm1 Do\n", text_at(72.0, 700.0, 12.0, "Hello"));
    let page = &extract(&with_form(&pdf, &form)).unwrap().pages[0];
    assert_eq!(page.text, "Hello");
}

#[test]
fn pattern_colours_do_not_cost_the_page_its_text() {
    // `/P0 scn` makes pdf-extract panic ("not a number"); colour operators are dropped beforehand.
    let content = format!("/Pattern cs /P0 scn\n{}", text_at(72.0, 700.0, 12.0, "Hello World"));
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.text, "Hello World");
}

#[test]
fn reads_text_shown_with_the_quote_operator() {
    // pdf-extract ignores ' (next line, then show); it is rewritten to T* and Tj.
    let content = "BT /F1 12 Tf 14 TL 72 700 Td (Hello) Tj (World) ' ET\n";
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.text, "Hello\nWorld");
    assert!((page.words[1].y - (106.0 - 0.8 * 12.0)).abs() < TOLERANCE, "{:?}", page.words[1]);
}

#[test]
fn text_shown_before_any_font_is_skipped() {
    // pdf-extract unwraps the current font; text without one cannot be decoded anyway.
    let content = format!("BT 72 720 Td (orphan) Tj ET\n{}", text_at(72.0, 700.0, 12.0, "Hello"));
    let page = &extract(&build_pdf(vec![PageSpec::new(content)])).unwrap().pages[0];
    assert_eq!(page.text, "Hello");
}

#[test]
fn references_to_missing_objects_are_treated_as_null() {
    // Page 1's content points at an object that does not exist: the spec says read it as null.
    let pdf = edit_pdf(&two_page_pdf(), |doc| {
        let pages = doc.get_pages();
        doc.get_dictionary_mut(pages[&1]).unwrap().set("Contents", Object::Reference((9999, 0)));
    });
    let doc = extract(&pdf).unwrap();
    assert!(doc.pages[0].text.is_empty());
    assert_eq!(doc.pages.len(), 2);
}

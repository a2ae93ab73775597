//! PDF text-layer extraction: the pure, host-independent half of Capsule's OCR capability.
//!
//! [`extract`] reads a PDF from memory and returns, per page, the text of its text layer with word
//! boxes in page coordinates (origin at the top-left of the visible page box, y growing downwards,
//! units of PDF points). Pages whose text layer is missing or insignificant report
//! [`Page::has_text_layer`] `== false`; those are the pages the host must rasterise and OCR.
//!
//! Parsing is done by `pdf-extract` (and the `lopdf` it re-exports), which panics on some malformed
//! inputs. Natively every call into it is wrapped in [`std::panic::catch_unwind`]. On
//! `wasm32-wasip2` panics abort (the target's panic strategy is `abort`), so `catch_unwind` cannot
//! help there. Instead, what pdf-extract trusts blindly is repaired in our in-memory copy before it
//! runs: dangling references become `null`, every page gets a well-formed MediaBox, and each content
//! stream (and form XObject) is rewritten to the text operators it reads, with checked operands and
//! only fonts whose structure it can handle (see `Sanitizer`). Remaining panic sources live inside
//! font programs pdf-extract parses (embedded Type1/CFF fonts, ToUnicode CMaps); such a panic traps
//! the component on wasm (the job fails with `JOB_TRAPPED`).

use std::collections::HashSet;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Dictionary, Object, ObjectId, OutputDev, OutputError, Stream, Transform};

/// A page counts as having a text layer when it holds at least this many non-whitespace characters.
///
/// Scanned pages usually hold none, but some carry a stamped page number or a short watermark;
/// treating those as "no text layer" sends them to OCR, which costs time but loses nothing.
pub const MIN_TEXT_LAYER_CHARS: usize = 8;

/// US Letter, used when a page has no usable MediaBox (as PDF readers do).
const DEFAULT_PAGE_BOX: PageBox = PageBox { llx: 0.0, lly: 0.0, urx: 612.0, ury: 792.0 };

/// Distance above the baseline of a word box's top edge, as a fraction of the font size. Without the
/// font's real ascent this is the usual Latin/Hangul value; the box is `font size` tall.
const ASCENT: f32 = 0.8;

/// Glyphs further apart than this fraction of the font size start a new word. A space in Helvetica is
/// 0.278 em and in most CJK fonts 0.25–0.33 em, while kerning rarely exceeds 0.1 em.
const WORD_GAP: f32 = 0.15;

/// Baselines closer than this fraction of the font size belong to the same line.
const SAME_LINE: f32 = 0.5;

/// Text layer of a whole PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub pages: Vec<Page>,
}

/// Text layer of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Size of the visible page box (CropBox, else MediaBox), in points, before any `/Rotate`.
    pub width: f32,
    pub height: f32,
    /// The lines' text joined with `\n`.
    pub text: String,
    /// Words in reading order: lines top to bottom, each left to right.
    pub words: Vec<Word>,
    pub lines: Vec<Line>,
}

impl Page {
    /// Whether this page has a usable text layer; `false` means it must be rasterised and OCR'd.
    pub fn has_text_layer(&self) -> bool {
        self.text.chars().filter(|c| !c.is_whitespace()).count() >= MIN_TEXT_LAYER_CHARS
    }
}

/// A run of glyphs without a gap, with its box in top-left page coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// Left edge.
    pub x: f32,
    /// Top edge (the baseline is at `y + 0.8 * height`).
    pub y: f32,
    pub width: f32,
    /// The font size in page units.
    pub height: f32,
}

/// Words sharing a baseline, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The words' text joined with single spaces.
    pub text: String,
    /// Indices into [`Page::words`], left to right.
    pub words: Vec<usize>,
}

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// The input is not a PDF (no `%PDF-` header near its start).
    NotPdf,
    /// The PDF is encrypted with a user password.
    Encrypted,
    /// The PDF is damaged or uses structures the parser cannot read.
    Corrupt { message: String },
}

impl ExtractError {
    /// The failure code: always `INPUT_INVALID_FILE`, because every variant is a property of the
    /// file the client sent (running again cannot help; another file can). The variant, and the
    /// [`Display`](fmt::Display) text, say which.
    pub fn code(&self) -> &'static str {
        "INPUT_INVALID_FILE"
    }

    fn corrupt(message: impl Into<String>) -> Self {
        Self::Corrupt { message: message.into() }
    }
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotPdf => write!(f, "{}: input is not a PDF", self.code()),
            Self::Encrypted => write!(f, "{}: PDF is password-protected", self.code()),
            Self::Corrupt { message } => write!(f, "{}: truncated or corrupt PDF: {message}", self.code()),
        }
    }
}

impl std::error::Error for ExtractError {}

/// Extract the text layer of every page of `pdf`.
///
/// Never panics natively. Pages pdf-extract cannot process (unsupported or broken fonts, broken
/// content) come back without text, so the host OCRs them instead of failing the whole document.
pub fn extract(pdf: &[u8]) -> Result<Document, ExtractError> {
    // The spec lets the header sit anywhere in the first 1024 bytes; lopdf searches the whole file,
    // which would accept e.g. a text file quoting "%PDF-".
    let head = &pdf[..pdf.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(ExtractError::NotPdf);
    }
    let mut doc = match catch_unwind(|| pdf_extract::Document::load_mem(pdf)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(load_error(e)),
        Err(panic) => return Err(ExtractError::corrupt(panic_message(&panic))),
    };
    // lopdf decrypts with the empty user password itself; still encrypted means a password is needed.
    if doc.is_encrypted() {
        return Err(ExtractError::Encrypted);
    }
    null_dangling_references(&mut doc);
    let page_ids = catch_unwind(AssertUnwindSafe(|| doc.get_pages()))
        .map_err(|panic| ExtractError::corrupt(panic_message(&panic)))?;
    if page_ids.is_empty() {
        return Err(ExtractError::corrupt("document has no pages"));
    }
    let mut pages = Vec::with_capacity(page_ids.len());
    for (&number, &id) in &page_ids {
        let page_box = prepare_page(&mut doc, id);
        let glyphs = match page_box {
            Some(page_box) => page_glyphs(&doc, number, page_box),
            None => Vec::new(),
        };
        pages.push(layout(number, page_box.unwrap_or(DEFAULT_PAGE_BOX), glyphs));
    }
    Ok(Document { pages })
}

fn load_error(e: pdf_extract::Error) -> ExtractError {
    use pdf_extract::Error;
    match e {
        Error::Decryption(_) | Error::InvalidPassword => ExtractError::Encrypted,
        other => ExtractError::corrupt(other.to_string()),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    format!("parser failed: {detail}")
}

/// A page box in PDF user space (origin bottom-left).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PageBox {
    llx: f32,
    lly: f32,
    urx: f32,
    ury: f32,
}

impl PageBox {
    fn width(&self) -> f32 {
        self.urx - self.llx
    }
    fn height(&self) -> f32 {
        self.ury - self.lly
    }
}

/// Make the page safe for pdf-extract and return its visible box, or `None` to skip its text.
///
/// pdf-extract unwraps the page dictionary and indexes the MediaBox without checks, so the page's
/// box is normalised and written back as a plain 4-number MediaBox, and its content is replaced by
/// one sanitised stream (this only touches our in-memory copy).
fn prepare_page(doc: &mut pdf_extract::Document, id: ObjectId) -> Option<PageBox> {
    let dict = doc.get_dictionary(id).ok()?;
    let media = inherited(doc, dict, b"MediaBox").and_then(|o| page_box(doc, o)).unwrap_or(DEFAULT_PAGE_BOX);
    // The visible area is the CropBox clipped to the MediaBox; rasterisers render that area.
    let visible = inherited(doc, dict, b"CropBox")
        .and_then(|o| page_box(doc, o))
        .map(|crop| PageBox {
            llx: crop.llx.max(media.llx),
            lly: crop.lly.max(media.lly),
            urx: crop.urx.min(media.urx),
            ury: crop.ury.min(media.ury),
        })
        .filter(|b| b.width() > 0.0 && b.height() > 0.0)
        .unwrap_or(media);
    let resources = match inherited(doc, dict, b"Resources") {
        Some(Object::Dictionary(resources)) => resources.clone(),
        _ => Dictionary::new(),
    };
    let content = doc.get_page_content(id).ok()?;
    let mut sanitizer = Sanitizer { doc, forms: Vec::new(), visiting: HashSet::new(), done: HashSet::new() };
    let content = sanitizer.sanitize(&content, &resources)?;
    let forms = sanitizer.forms;
    for (form, form_content) in forms {
        if let Ok(Object::Stream(stream)) = doc.get_object_mut(form) {
            stream.set_plain_content(form_content);
        }
    }
    let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
    let dict = doc.get_dictionary_mut(id).ok()?;
    let corners = [media.llx, media.lly, media.urx, media.ury];
    dict.set("MediaBox", Object::Array(corners.iter().map(|&v| Object::Real(v)).collect()));
    dict.set("Contents", Object::Reference(content_id));
    Some(visible)
}

/// Replace references to missing objects with `null`, as the PDF spec says readers must treat them;
/// pdf-extract instead panics when it follows one.
fn null_dangling_references(doc: &mut pdf_extract::Document) {
    fn fix(obj: &mut Object, exists: &HashSet<ObjectId>) {
        match obj {
            Object::Reference(id) if !exists.contains(id) => *obj = Object::Null,
            Object::Array(items) => items.iter_mut().for_each(|o| fix(o, exists)),
            Object::Dictionary(dict) => dict.iter_mut().for_each(|(_, o)| fix(o, exists)),
            Object::Stream(stream) => stream.dict.iter_mut().for_each(|(_, o)| fix(o, exists)),
            _ => {}
        }
    }
    let exists: HashSet<ObjectId> = doc.objects.keys().copied().collect();
    doc.objects.values_mut().for_each(|o| fix(o, &exists));
    doc.trailer.iter_mut().for_each(|(_, o)| fix(o, &exists));
}

/// Rewrites content streams down to the text operators pdf-extract reads, each with the operands it
/// indexes and unwraps without checks. Path, colour, image and graphics-state operators carry no
/// text and are where most of its panics live (`/Pattern scn`, SMask names, images run as content),
/// so they are dropped; text-showing operators without a usable font are dropped too. Form
/// XObjects are rewritten the same way, recursively, and self-referencing forms are cut.
struct Sanitizer<'a> {
    doc: &'a pdf_extract::Document,
    /// Rewritten form XObjects to store back.
    forms: Vec<(ObjectId, Vec<u8>)>,
    visiting: HashSet<ObjectId>,
    done: HashSet<ObjectId>,
}

impl Sanitizer<'_> {
    /// The sanitised content, or `None` if it cannot be parsed at all.
    fn sanitize(&mut self, content: &[u8], resources: &Dictionary) -> Option<Vec<u8>> {
        let decoded = catch_unwind(|| Content::decode(content)).ok()?.ok()?;
        let mut kept = Vec::with_capacity(decoded.operations.len());
        // Whether a usable font is set, saved and restored with the graphics state like pdf-extract.
        let mut font = false;
        let mut saved = Vec::new();
        for op in decoded.operations {
            let n = |i: usize| op.operands.get(i).is_some_and(|o| matches!(o, Object::Integer(_) | Object::Real(_)));
            let numbers = |count: usize| op.operands.len() == count && (0..count).all(n);
            let keep = match op.operator.as_str() {
                "BT" | "ET" | "T*" | "BMC" | "BDC" | "EMC" => true,
                "q" => {
                    saved.push(font);
                    true
                }
                "Q" => saved.pop().map(|f| font = f).is_some(),
                "cm" | "Tm" => numbers(6),
                "Td" | "TD" => numbers(2),
                "Tc" | "Tw" | "Tz" | "TL" | "Ts" => numbers(1),
                "Tf" => {
                    let usable = numbers_at(&op, 1)
                        && op.operands.len() == 2
                        && op.operands[0].as_name().is_ok_and(|name| self.font_usable(resources, name));
                    // A bad Tf leaves pdf-extract's font unchanged, so only a good one changes ours.
                    font |= usable;
                    usable
                }
                "Tj" => font && matches!(op.operands.as_slice(), [Object::String(..)]),
                "TJ" => font && matches!(op.operands.as_slice(), [Object::Array(_)]),
                // pdf-extract ignores ' and "; they are T* then Tj (after setting Tw and Tc for ").
                "'" if font && matches!(op.operands.as_slice(), [Object::String(..)]) => {
                    kept.push(Operation::new("T*", vec![]));
                    kept.push(Operation::new("Tj", op.operands));
                    continue;
                }
                "\"" if font && matches!(op.operands.as_slice(), [_, _, Object::String(..)]) && n(0) && n(1) => {
                    let mut operands = op.operands;
                    let text = operands.pop().unwrap_or(Object::Null);
                    let char_spacing = operands.pop().unwrap_or(Object::Null);
                    let word_spacing = operands.pop().unwrap_or(Object::Null);
                    kept.push(Operation::new("Tw", vec![word_spacing]));
                    kept.push(Operation::new("Tc", vec![char_spacing]));
                    kept.push(Operation::new("T*", vec![]));
                    kept.push(Operation::new("Tj", vec![text]));
                    continue;
                }
                "Do" => {
                    op.operands.first().and_then(|o| o.as_name().ok()).is_some_and(|name| self.form(resources, name))
                }
                _ => false,
            };
            if keep {
                kept.push(op);
            }
        }
        Content { operations: kept }.encode().ok()
    }

    fn font_usable(&self, resources: &Dictionary, name: &[u8]) -> bool {
        let Some(Object::Dictionary(fonts)) = resources.get(b"Font").ok().map(|o| deref(self.doc, o)) else {
            return false;
        };
        match fonts.get(name).ok().map(|o| deref(self.doc, o)) {
            Some(Object::Dictionary(font)) => font_supported(self.doc, font),
            _ => false,
        }
    }

    /// Whether `name` is a form XObject that can be drawn; rewrites it on first use.
    fn form(&mut self, resources: &Dictionary, name: &[u8]) -> bool {
        let doc = self.doc;
        let Some(Object::Dictionary(xobjects)) = resources.get(b"XObject").ok().map(|o| deref(doc, o)) else {
            return false;
        };
        // pdf-extract looks the stream up directly; only an indirect form can be rewritten in place.
        let Ok(Object::Reference(id)) = xobjects.get(name) else { return false };
        let Ok(Object::Stream(stream)) = doc.get_object(*id) else { return false };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return false;
        }
        if self.done.contains(id) {
            return true;
        }
        if !self.visiting.insert(*id) {
            return false; // Drawing itself, directly or not: pdf-extract would recurse forever.
        }
        let own = match stream.dict.get(b"Resources").ok().map(|o| deref(doc, o)) {
            Some(Object::Dictionary(own)) => own,
            _ => resources,
        };
        let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
        let sanitized = self.sanitize(&content, own);
        self.visiting.remove(id);
        match sanitized {
            Some(content) => {
                self.forms.push((*id, content));
                self.done.insert(*id);
                true
            }
            None => false,
        }
    }
}

fn numbers_at(op: &Operation, i: usize) -> bool {
    op.operands.get(i).is_some_and(|o| matches!(o, Object::Integer(_) | Object::Real(_)))
}

/// Look `key` up on the page, then up its parents (MediaBox, CropBox and Resources are inheritable).
fn inherited<'a>(doc: &'a pdf_extract::Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = dict;
    // A bounded walk: malformed page trees can loop.
    for _ in 0..64 {
        if let Ok(value) = dict.get(key) {
            return Some(deref(doc, value));
        }
        dict = dict.get(b"Parent").and_then(Object::as_reference).and_then(|id| doc.get_dictionary(id)).ok()?;
    }
    None
}

fn deref<'a>(doc: &'a pdf_extract::Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(obj),
        _ => obj,
    }
}

fn number(doc: &pdf_extract::Document, obj: &Object) -> Option<f32> {
    match deref(doc, obj) {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn page_box(doc: &pdf_extract::Document, obj: &Object) -> Option<PageBox> {
    let Object::Array(values) = obj else { return None };
    if values.len() != 4 {
        return None;
    }
    let v: Vec<f32> = values.iter().map(|o| number(doc, o)).collect::<Option<_>>()?;
    // Any two opposite corners are allowed.
    let b = PageBox { llx: v[0].min(v[2]), lly: v[1].min(v[3]), urx: v[0].max(v[2]), ury: v[1].max(v[3]) };
    (b.width() > 0.0 && b.height() > 0.0).then_some(b)
}

/// Whether pdf-extract can build this font without panicking.
///
/// Covers the composite (Type0) font paths, the ones real CJK documents take: pdf-extract
/// `expect`s DescendantFonts, Encoding and FontDescriptor, and panics on encodings other than
/// Identity-H/V or on a ToUnicode that is neither a stream nor `/Identity-H`.
fn font_supported(doc: &pdf_extract::Document, font: &Dictionary) -> bool {
    let name = |key: &[u8]| font.get(key).ok().map(|o| deref(doc, o)).and_then(|o| o.as_name().ok());
    // pdf-extract reads Subtype (and BaseFont for non-Type3 fonts) as names without checks.
    let Some(subtype) = name(b"Subtype") else { return false };
    if subtype != b"Type3" && name(b"BaseFont").is_none() {
        return false;
    }
    if subtype != b"Type0" {
        // It panics on encoding names other than these three (StandardEncoding is the default).
        let known = |n: &[u8]| matches!(n, b"MacRomanEncoding" | b"MacExpertEncoding" | b"WinAnsiEncoding");
        return match font.get(b"Encoding").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => known(n),
            Some(Object::Dictionary(encoding)) => match encoding.get(b"BaseEncoding").ok().map(|o| deref(doc, o)) {
                Some(Object::Name(n)) => known(n),
                _ => true,
            },
            _ => true,
        };
    }
    let encoding_ok = match font.get(b"Encoding").ok().map(|o| deref(doc, o)) {
        Some(Object::Name(n)) => n == b"Identity-H" || n == b"Identity-V",
        Some(Object::Stream(_)) => true,
        _ => false,
    };
    let to_unicode_ok = match font.get(b"ToUnicode").ok().map(|o| deref(doc, o)) {
        None | Some(Object::Stream(_)) => true,
        Some(Object::Name(n)) => n == b"Identity-H",
        _ => false,
    };
    let descendant = font
        .get(b"DescendantFonts")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
        .and_then(|a| a.first())
        .map(|o| deref(doc, o));
    let descendant_ok = match descendant {
        Some(Object::Dictionary(cid)) => {
            let descriptor_ok = matches!(cid.get(b"FontDescriptor").map(|o| deref(doc, o)), Ok(Object::Dictionary(_)));
            let widths_ok = match cid.get(b"W").map(|o| deref(doc, o)) {
                Err(_) => true,
                Ok(Object::Array(w)) => widths_supported(doc, w),
                Ok(_) => false,
            };
            descriptor_ok && widths_ok
        }
        _ => false,
    };
    encoding_ok && to_unicode_ok && descendant_ok
}

/// A CID `W` array is `c [w1 w2 ...]` or `c_first c_last w` entries; pdf-extract indexes it blindly.
fn widths_supported(doc: &pdf_extract::Document, w: &[Object]) -> bool {
    let mut i = 0;
    while i < w.len() {
        let is_int = |o: &Object| matches!(o, Object::Integer(_));
        if !is_int(&w[i]) {
            return false;
        }
        match w.get(i + 1) {
            Some(Object::Array(ws)) => {
                if !ws.iter().all(|o| number(doc, o).is_some()) {
                    return false;
                }
                i += 2;
            }
            Some(o) if is_int(o) && w.get(i + 2).is_some_and(|o| number(doc, o).is_some()) => i += 3,
            _ => return false,
        }
    }
    true
}

/// One glyph as drawn, in top-left page coordinates.
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x: f32,
    baseline: f32,
    advance: f32,
    size: f32,
}

/// Receives pdf-extract's glyphs for one page.
struct Collector {
    page_box: PageBox,
    glyphs: Vec<Glyph>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _: u32,
        _: &pdf_extract::MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // `trm` maps text space to user space; its translation is the glyph origin on the baseline.
        // `width` is the advance in text space per unit of font size.
        let advance = (width * font_size * trm.m11.hypot(trm.m12)).abs() as f32;
        let size = (font_size * trm.m21.hypot(trm.m22)).abs() as f32;
        let x = trm.m31 as f32 - self.page_box.llx;
        let baseline = self.page_box.ury - trm.m32 as f32;
        if [advance, size, x, baseline].iter().all(|v| v.is_finite()) {
            self.glyphs.push(Glyph { text: text.to_owned(), x, baseline, advance, size });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Run pdf-extract over one page; a page it fails on yields no glyphs.
fn page_glyphs(doc: &pdf_extract::Document, number: u32, page_box: PageBox) -> Vec<Glyph> {
    let mut collector = Collector { page_box, glyphs: Vec::new() };
    let run = catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc_page(doc, &mut collector, number)));
    match run {
        Ok(Ok(())) => collector.glyphs,
        _ => Vec::new(),
    }
}

/// A word under construction, keeping its baseline for line grouping.
#[derive(Debug, Clone)]
struct RawWord {
    text: String,
    x: f32,
    end: f32,
    baseline: f32,
    size: f32,
}

/// Join glyphs into words, words into lines, and lay the page out in reading order.
fn layout(number: u32, page_box: PageBox, glyphs: Vec<Glyph>) -> Page {
    let mut lines = group_lines(split_words(glyphs));
    lines.sort_by(|a, b| line_baseline(a).total_cmp(&line_baseline(b)));
    let mut words = Vec::new();
    let mut page_lines = Vec::with_capacity(lines.len());
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let text = line.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let indices = (words.len()..words.len() + line.len()).collect();
        words.extend(line.into_iter().map(|w| Word {
            text: w.text,
            x: w.x,
            y: w.baseline - ASCENT * w.size,
            width: w.end - w.x,
            height: w.size,
        }));
        page_lines.push(Line { text, words: indices });
    }
    let text = page_lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    Page { number, width: page_box.width(), height: page_box.height(), text, words, lines: page_lines }
}

/// Split the glyph stream (in drawing order) into words at whitespace, gaps and baseline changes.
fn split_words(glyphs: Vec<Glyph>) -> Vec<RawWord> {
    let mut words = Vec::new();
    let mut current: Option<RawWord> = None;
    for glyph in glyphs {
        // Unmapped glyphs decode to "", spaces to " ": both end the word.
        if glyph.text.chars().all(char::is_whitespace) {
            words.extend(current.take());
            continue;
        }
        if let Some(word) = &current {
            let size = word.size.max(glyph.size).max(f32::EPSILON);
            let same_line = (glyph.baseline - word.baseline).abs() <= SAME_LINE * word.size.min(glyph.size);
            let gap = glyph.x - word.end;
            // Moving backwards by more than a little is a new run of text, not a kern.
            if !same_line || gap > WORD_GAP * size || gap < -SAME_LINE * size {
                words.extend(current.take());
            }
        }
        match &mut current {
            Some(word) => {
                word.text.push_str(glyph.text.trim());
                word.x = word.x.min(glyph.x);
                word.end = word.end.max(glyph.x + glyph.advance);
                word.size = word.size.max(glyph.size);
            }
            None => {
                current = Some(RawWord {
                    text: glyph.text.trim().to_owned(),
                    x: glyph.x,
                    end: glyph.x + glyph.advance,
                    baseline: glyph.baseline,
                    size: glyph.size,
                })
            }
        }
    }
    words.extend(current);
    words
}

fn line_baseline(line: &[RawWord]) -> f32 {
    line.iter().map(|w| w.baseline).sum::<f32>() / line.len().max(1) as f32
}

/// Group words whose baselines are within [`SAME_LINE`] of the font size of each other.
fn group_lines(mut words: Vec<RawWord>) -> Vec<Vec<RawWord>> {
    words.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut lines: Vec<Vec<RawWord>> = Vec::new();
    for word in words {
        let joins = lines.last().is_some_and(|line| {
            let size = line.iter().map(|w| w.size).fold(word.size, f32::min);
            (word.baseline - line_baseline(line)).abs() <= SAME_LINE * size
        });
        match lines.last_mut() {
            Some(line) if joins => line.push(word),
            _ => lines.push(vec![word]),
        }
    }
    lines
}

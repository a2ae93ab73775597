//! `report-embed` (seed 000 §4.4): a business-plan PDF's "multimodal
//! embedding" into the vector collection `reports`, which `report-search`
//! searches.
//!
//! 1. The PDF's text layer per page ([`pdf_text`]) becomes paragraphs and
//!    tables ([`layout`]): tables (lines of three or more cells aligned with
//!    their neighbours) are one chunk each, rows kept together; paragraphs
//!    are packed into chunks of 400–800 characters.
//! 2. Pages holding an image (and pages without a text layer) are rendered
//!    (`pdf-render`) and read (`ocr`); the OCR lines the text layer lacks are
//!    the text drawn inside images: one `image` chunk per page ([`images`]).
//!    A page without a text layer gives `text` chunks from its OCR instead.
//!    Without either engine there are no image chunks and `warnings` says so.
//! 3. Every chunk is embedded as a passage (`embeddings`, required) and
//!    stored with ids `{file_name}#{n}` after the file's earlier chunks are
//!    deleted (metadata `file_name`), so embedding a file again replaces it.
//!
//! A missing title is the first page's heading ([`layout::title`]); missing
//! keywords are the five best of `expert-match-core`'s extractor over all
//! chunks.

pub mod images;
pub mod layout;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use capsule_sdk::language::{EmbedRole, Point};
use capsule_sdk::{
    Capability, Capsule, Descriptor, Embeddings, Failure, Files, Job, JobContext, Mode, Ocr, PdfRender, Vectors,
};

/// The collection every report's chunks go to (read by `report-search`).
pub const COLLECTION: &str = "reports";
pub const INVALID_REQUEST: &str = "COMMON_INVALID_REQUEST";
pub const NO_INPUT: &str = "REPORT_NO_INPUT";
pub const AMBIGUOUS_INPUT: &str = "REPORT_AMBIGUOUS_INPUT";
pub const INVALID_BASE64: &str = "REPORT_INVALID_BASE64";
/// The PDF has no text in its text layer, and none could be read by OCR.
pub const NO_TEXT: &str = "REPORT_NO_TEXT";
pub const CANCELLED: &str = "JOB_CANCELLED";

/// Resolution at which pages are rendered for OCR.
pub const DPI: u32 = 200;
pub const LANGUAGES: &str = "kor+eng";
/// Keywords derived when none are given.
pub const KEYWORDS: usize = 5;
/// Texts per embeddings call.
const EMBED_BATCH: usize = 32;
/// Points per upsert call.
const UPSERT_BATCH: usize = 256;

/// The engines this flow uses; native tests fake exactly these.
pub trait Engines: Files + Ocr + PdfRender + Embeddings + Vectors + JobContext {}
impl<T: Files + Ocr + PdfRender + Embeddings + Vectors + JobContext> Engines for T {}

/// A report PDF to embed, with what the host's registry knows of it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "report-embed input")]
pub struct Input {
    /// URL of the PDF: one returned by `POST /api/v1/files` (as `ocr`'s `file_url`). Give this or `file_base64`.
    #[serde(default)]
    pub file_url: Option<String>,
    /// The PDF itself, standard base64, for small files. Give this or `file_url`.
    #[serde(default)]
    pub file_base64: Option<String>,
    /// The report's file name (seed: the name it was uploaded under); chunk ids are `{file_name}#{n}`.
    #[schemars(length(min = 1, max = 512))]
    pub file_name: String,
    /// The caller's id of this embedding request (seed: the `report_embed` row).
    #[schemars(length(min = 1, max = 256))]
    pub embed_id: String,
    /// The host's registry id of the report; search results carry it as `id`.
    pub report_id: i64,
    #[serde(default)]
    pub number: Option<i64>,
    /// Derived from the first page's heading when missing or blank.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    /// The report's category (1–5); a report without one is found under every category.
    #[serde(default)]
    #[schemars(range(min = 1, max = 5))]
    pub category_number: Option<i64>,
    /// Comma-separated; the five most frequent terms when missing or blank.
    #[serde(default)]
    pub keywords: Option<String>,
}

/// Chunks stored, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Counts {
    pub text: u32,
    pub table: u32,
    pub image: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "report-embed output")]
pub struct Output {
    pub success: bool,
    /// `임베딩 완료`.
    pub message: String,
    pub embed_id: String,
    pub file_name: String,
    /// As given, else derived.
    pub title: String,
    /// As given, else derived (comma-separated; empty when no term was found).
    pub keywords: String,
    pub chunks: Counts,
    pub pages: u32,
    /// What was skipped and why (no OCR or renderer on this host, a page that could not be read).
    pub warnings: Vec<String>,
}

/// What kind of content a chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Table,
    Image,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Table => "table",
            Kind::Image => "image",
        }
    }
}

/// A piece of the report to embed.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub kind: Kind,
    pub page: u32,
    pub text: String,
}

pub struct ReportEmbed;

impl Capability for ReportEmbed {
    type Input = Input;
    type Output = Output;

    /// No examples: every run needs a stored file and the embeddings and vectors engines.
    fn descriptor() -> Descriptor {
        Descriptor::new(
            "report-embed",
            "0.1.0",
            "Embeds a business-plan PDF (seed 000 §4.4): text chunks, tables with their rows together, and the text \
             inside its images (OCR lines the text layer lacks), into the `reports` collection with the report's \
             metadata",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        handle(&input, &mut Capsule)
    }

    fn warm() {
        expert_match_core::warm();
    }
}

capsule_sdk::export_capability!(ReportEmbed);

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(INVALID_REQUEST, message)
}

impl Input {
    /// The checks the schema makes, again for callers that bypass the host's validation.
    pub fn check(&self) -> Result<(), Failure> {
        if self.file_name.trim().is_empty() {
            return Err(invalid("`file_name` is blank; send the report's file name"));
        }
        if self.embed_id.trim().is_empty() {
            return Err(invalid("`embed_id` is blank; send the id of this embedding request"));
        }
        if let Some(category) = self.category_number
            && !(1..=5).contains(&category)
        {
            return Err(invalid(format!("`category_number` must be 1 to 5; {category} was given")));
        }
        Ok(())
    }

    fn bytes(&self, host: &mut impl Files) -> Result<Vec<u8>, Failure> {
        match (present(&self.file_url), present(&self.file_base64)) {
            (Some(url), None) => host.read(url),
            (None, Some(encoded)) => capsule_sdk::files::decode_base64(encoded)
                .map_err(|why| Failure::new(INVALID_BASE64, format!("`file_base64`: {why}"))),
            (None, None) => Err(Failure::new(
                NO_INPUT,
                "no file was given; send the PDF's URL as `file_url` or its bytes as `file_base64`",
            )),
            (Some(_), Some(_)) => Err(Failure::new(
                AMBIGUOUS_INPUT,
                "both `file_url` and `file_base64` were given; send the file one way only",
            )),
        }
    }
}

/// The whole job, with the host passed in.
pub fn handle(input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    input.check()?;
    let file_name = input.file_name.trim();
    host.progress(0, "read", "reading the file");
    let pdf = input.bytes(host)?;
    if capsule_sdk::files::identify(&pdf)? != capsule_sdk::files::Format::Pdf {
        return Err(capsule_sdk::files::invalid_file("the file is an image, not a PDF; upload the report as a PDF"));
    }
    host.progress(5, "parse", "reading the text layer");
    let document = pdf_text::extract(&pdf).map_err(pdf_failure)?;
    let total = document.pages.len() as u32;

    // Text and tables from the text layer.
    let mut chunks = Vec::new();
    let mut derived_title = None;
    for page in &document.pages {
        let lines = layout::lines(page);
        if page.number == 1 || derived_title.is_none() {
            derived_title = derived_title.or_else(|| layout::title(&lines));
        }
        let mut paragraphs: Vec<String> = Vec::new();
        let flush = |paragraphs: &mut Vec<String>, chunks: &mut Vec<Chunk>| {
            for text in layout::chunk(paragraphs) {
                chunks.push(Chunk { kind: Kind::Text, page: page.number, text });
            }
            paragraphs.clear();
        };
        for block in layout::blocks(&lines) {
            match block {
                layout::Block::Paragraph(text) => paragraphs.push(text),
                layout::Block::Table(text) => {
                    flush(&mut paragraphs, &mut chunks);
                    chunks.push(Chunk { kind: Kind::Table, page: page.number, text });
                }
            }
        }
        flush(&mut paragraphs, &mut chunks);
    }

    // Embedding the text layer first: a host without embeddings fails before any OCR.
    host.progress(15, "embed", &format!("embedding {} chunks of the text layer", chunks.len()));
    let mut vectors = embed(host, &chunks)?;

    // The text inside images, and pages without a text layer.
    let mut warnings = Vec::new();
    let with_images = images::pages_with_images(&pdf);
    let to_read: Vec<&pdf_text::Page> = document
        .pages
        .iter()
        .filter(|p| !p.has_text_layer() || with_images.as_ref().is_none_or(|set| set.contains(&p.number)))
        .collect();
    let mut read_chunks = Vec::new();
    for (done, page) in to_read.iter().enumerate() {
        if host.cancelled() {
            return Err(Failure::new(CANCELLED, "the job was cancelled before the report was embedded"));
        }
        let percent = 20 + 50 * done / to_read.len().max(1);
        host.progress(percent as u8, "images", &format!("reading the images of page {} of {total}", page.number));
        let recognition =
            match host.render_page(&pdf, page.number, DPI).and_then(|image| host.recognize(&image.png, LANGUAGES)) {
                Ok(recognition) => recognition,
                Err(f) if f.code.ends_with("_UNAVAILABLE") => {
                    warnings.push(format!(
                        "the text inside images was not read: {} ({}); only the text layer was embedded",
                        f.message, f.code
                    ));
                    break;
                }
                Err(f) => {
                    warnings
                        .push(format!("page {}'s images could not be read: {} ({})", page.number, f.message, f.code));
                    continue;
                }
            };
        if page.has_text_layer() {
            let lines = images::image_lines(&recognition, &images::TextLayer::new(&page.text));
            for text in layout::chunk(&[lines.join("\n")]) {
                read_chunks.push(Chunk { kind: Kind::Image, page: page.number, text });
            }
        } else {
            let lines: Vec<&str> = recognition
                .lines
                .iter()
                .filter(|l| l.confidence >= images::MIN_CONFIDENCE)
                .map(|l| l.text.trim())
                .filter(|t| !t.is_empty())
                .collect();
            for text in layout::chunk(&lines) {
                read_chunks.push(Chunk { kind: Kind::Text, page: page.number, text });
            }
        }
    }
    if !read_chunks.is_empty() {
        host.progress(70, "embed", &format!("embedding {} chunks read from images", read_chunks.len()));
        vectors.extend(embed(host, &read_chunks)?);
        chunks.extend(read_chunks);
    }
    if chunks.is_empty() {
        let mut message = "the PDF has no text to embed".to_string();
        if let Some(why) = warnings.first() {
            message.push_str(&format!(" ({why})"));
        }
        return Err(Failure::new(NO_TEXT, message));
    }
    // Page order; within a page: text and tables as they came, then images.
    let mut order: Vec<usize> = (0..chunks.len()).collect();
    order.sort_by_key(|&i| chunks[i].page);

    let title = present(&input.title)
        .map(str::to_string)
        .or(derived_title)
        .or_else(|| {
            chunks
                .iter()
                .flat_map(|c| c.text.lines())
                .find(|l| l.chars().count() <= layout::MAX_TITLE)
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| file_name.trim_end_matches(".pdf").to_string());
    let keywords = match present(&input.keywords) {
        Some(given) => given.to_string(),
        None => {
            let all: Vec<&str> =
                std::iter::once(title.as_str()).chain(order.iter().map(|&i| chunks[i].text.as_str())).collect();
            let keywords: Vec<String> =
                expert_match_core::extract_keywords(&all.join("\n"), KEYWORDS).into_iter().map(|k| k.text).collect();
            keywords.join(", ")
        }
    };

    let mut counts = Counts::default();
    let mut points = Vec::with_capacity(chunks.len());
    for (n, &i) in order.iter().enumerate() {
        let chunk = &chunks[i];
        match chunk.kind {
            Kind::Text => counts.text += 1,
            Kind::Table => counts.table += 1,
            Kind::Image => counts.image += 1,
        }
        points.push(Point {
            id: format!("{file_name}#{n}"),
            vector: std::mem::take(&mut vectors[i]),
            metadata: json!({
                "report_id": input.report_id,
                "file_name": file_name,
                "embed_id": input.embed_id.trim(),
                "number": input.number,
                "title": title,
                "field": present(&input.field),
                "keywords": keywords,
                "category_number": input.category_number,
                "kind": chunk.kind.name(),
                "page": chunk.page,
                "chunk": n,
            }),
            text: chunk.text.clone(),
        });
    }

    host.progress(85, "store", &format!("replacing the chunks of `{file_name}` in `{COLLECTION}`"));
    host.delete_where(COLLECTION, &json!({"file_name": file_name}))?;
    for batch in points.chunks(UPSERT_BATCH) {
        host.upsert(COLLECTION, batch)?;
    }
    host.progress(100, "done", &format!("stored {} chunks", points.len()));
    Ok(Output {
        success: true,
        message: "임베딩 완료".into(),
        embed_id: input.embed_id.trim().to_string(),
        file_name: file_name.to_string(),
        title,
        keywords,
        chunks: counts,
        pages: total,
        warnings,
    })
}

/// One vector per chunk, in order, embedded as passages.
fn embed(host: &mut impl Embeddings, chunks: &[Chunk]) -> Result<Vec<Vec<f32>>, Failure> {
    let mut vectors = Vec::with_capacity(chunks.len());
    for batch in chunks.chunks(EMBED_BATCH) {
        let texts: Vec<&str> = batch.iter().map(|c| c.text.as_str()).collect();
        let embedded = host.embed(&texts, EmbedRole::Passage)?;
        if embedded.vectors.len() != texts.len() {
            return Err(Failure::retryable(
                "EMBEDDINGS_FAILED",
                format!("the embeddings engine returned {} vectors for {} texts", embedded.vectors.len(), texts.len()),
            ));
        }
        vectors.extend(embedded.vectors);
    }
    Ok(vectors)
}

/// A PDF that cannot be read, as `INPUT_INVALID_FILE` saying what to do.
fn pdf_failure(error: pdf_text::ExtractError) -> Failure {
    use pdf_text::ExtractError;
    let message = match &error {
        ExtractError::NotPdf => {
            "the file is not a readable PDF; export or save it as PDF again and upload the new file"
        }
        ExtractError::Encrypted => "the PDF is password-protected; save a copy without the password and upload that",
        ExtractError::Corrupt { .. } => {
            "the PDF is truncated or damaged and could not be read; save or print it to a new PDF and upload that"
        }
    };
    Failure::new(error.code(), message)
}

#[cfg(test)]
mod tests;

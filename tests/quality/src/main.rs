//! `capsule-quality`: OCR and PII-masking quality and speed, measured end to
//! end through a running Capsule host (real components, real Tesseract).
//!
//! ```sh
//! cargo run --release -p capsule-quality -- --only text-pii            # native PII detection, no host
//! cargo run --release -p capsule-quality -- --only text-pii --set heldout  # the same on the held-out set
//! cargo run --release -p capsule-quality -- --only corpus              # just write the generated corpus
//! cargo run --release -p capsule-quality -- --url http://127.0.0.1:8000  # everything, through the host
//! cargo run --release -p capsule-quality -- --url http://127.0.0.1:8000 --only ocr   # or image-pii, speed
//! ```
//!
//! The corpus is generated from fixed seeds (same files every run) into `--out`.

mod cer;
mod checks;
mod client;
mod corpus;
mod degrade;
mod pdf;
mod pii_heldout;
mod pii_set;
mod render;
mod report;
mod rng;
mod score;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

use crate::cer::Tally;
use crate::client::Host;
use crate::corpus::{Degradation, Variant};
use crate::render::{Bounds, Face, Metrics, PageSpec};
use crate::report::{pct, table};
use crate::score::Item;

#[derive(Parser)]
#[command(about = "OCR and PII-masking quality and speed through a running Capsule host")]
struct Args {
    /// Base URL of a running host, e.g. http://127.0.0.1:8000 (every part but text-pii and corpus needs it).
    #[arg(long)]
    url: Option<String>,
    /// Where the generated corpus, the host's outputs and report.md are written.
    #[arg(long, default_value = "target/quality")]
    out: PathBuf,
    /// Run one part only (default: all; without --url, the parts that need no host).
    #[arg(long, value_enum)]
    only: Option<Part>,
    /// The labelled set text-pii and image-pii measure on.
    #[arg(long, value_enum, default_value = "main")]
    set: LabelSet,
    /// The Korean font the corpus is rendered with (Debian package fonts-nanum).
    #[arg(long, default_value = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf")]
    font: PathBuf,
    /// `languages` sent to the ocr capability.
    #[arg(long, default_value = "kor+eng")]
    languages: String,
    /// `?wait=` of each synchronous call.
    #[arg(long, default_value = "120s")]
    wait: String,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Part {
    /// PII recall/precision of `masking::detect` on the labelled lines, natively (no host).
    TextPii,
    /// Write the generated images, PDF and labels to --out (no host).
    Corpus,
    /// OCR character error rate per variant, through the host.
    Ocr,
    /// PII recall/precision of the host's masking capability on the labelled lines rendered to images.
    ImagePii,
    /// Pages per second of the host's ocr capability on a text-layer PDF and on page images.
    Speed,
}

/// Which labelled PII set the text and image PII parts use.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LabelSet {
    /// The first set (`pii_set.rs`); its misses were reported to the detector's authors.
    Main,
    /// The held-out set (`pii_heldout.rs`), never shown to the detector's authors.
    Heldout,
}

impl LabelSet {
    fn lines(self) -> Vec<pii_set::LabelledLine> {
        match self {
            LabelSet::Main => pii_set::lines(),
            LabelSet::Heldout => pii_heldout::lines(),
        }
    }

    fn title(self) -> &'static str {
        match self {
            LabelSet::Main => "main set",
            LabelSet::Heldout => "held-out set",
        }
    }

    /// Where the rendered pages go under --out (main keeps its old place).
    fn image_dir(self) -> &'static str {
        match self {
            LabelSet::Main => "pii",
            LabelSet::Heldout => "pii-heldout",
        }
    }
}

const OCR_SEED: u64 = 0x0C12_2024;
const OCR_PAGES: usize = 6;
const OCR_LINES: usize = 8;
const PII_PX: f32 = 24.0;
const PII_LINES_PER_PAGE: usize = 20;
const SPEED_SEED: u64 = 0x5BEE_D001;
const SPEED_PDF_PAGES: usize = 20;
const SPEED_PDF_LINES: usize = 40;
const SPEED_IMAGES: usize = 10;
const SPEED_IMAGE_LINES: usize = 32;
const SPEED_PX: f32 = 24.0;

fn main() -> Result<()> {
    let args = Args::parse();
    let wants = |p: Part| args.only.is_none_or(|o| o == p);
    let needs_host = [Part::Ocr, Part::ImagePii, Part::Speed].into_iter().any(|p| args.only == Some(p));
    let host = match &args.url {
        Some(url) => Some(connect(url, &args.wait)?),
        None if needs_host => bail!("this part runs through a host: pass --url http://127.0.0.1:8000"),
        None => None,
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut md = String::from("# Capsule quality benchmark\n\n");
    let face = if args.only == Some(Part::TextPii) { None } else { Some(Face::load(&args.font)?) };

    if wants(Part::TextPii) {
        section(&mut md, &text_pii(args.set));
    }
    if let Some(face) = &face {
        if wants(Part::Corpus) || wants(Part::Ocr) {
            section(&mut md, &ocr(face, host.as_ref().filter(|_| wants(Part::Ocr)), &args)?);
        }
        if wants(Part::Corpus) || wants(Part::ImagePii) {
            section(&mut md, &image_pii(face, host.as_ref().filter(|_| wants(Part::ImagePii)), &args.out, args.set)?);
        }
        if wants(Part::Corpus) || wants(Part::Speed) {
            section(&mut md, &speed(face, host.as_ref().filter(|_| wants(Part::Speed)), &args)?);
        }
    }
    let report = args.out.join("report.md");
    std::fs::write(&report, &md)?;
    eprintln!("report written to {}", report.display());
    Ok(())
}

fn section(md: &mut String, text: &str) {
    println!("{text}");
    md.push_str(text);
    md.push('\n');
}

fn connect(url: &str, wait: &str) -> Result<Host> {
    let host = Host::new(url, wait)?;
    let caps = host.capabilities().with_context(|| format!("is a Capsule host serving at {url}?"))?;
    for needed in ["ocr", "masking"] {
        if !caps.iter().any(|c| c == needed) {
            bail!("the host at {url} does not serve `{needed}` (it serves {caps:?})");
        }
    }
    Ok(host)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

// ---------------------------------------------------------------- text PII

fn text_pii(which: LabelSet) -> String {
    let set = which.lines();
    let input: Vec<masking::Line> = set.iter().map(|l| masking::Line::text_only(l.text.clone())).collect();
    let started = Instant::now();
    let detections = masking::detect(&input);
    let elapsed = started.elapsed();
    let slice = |text: &str, r: &std::ops::Range<usize>| text.chars().skip(r.start).take(r.len()).collect::<String>();
    let labels: Vec<Item<std::ops::Range<usize>>> = set
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.spans.iter().map(move |s| Item {
                kind: s.kind.as_str().into(),
                group: i,
                region: s.chars.clone(),
                context: format!("`{}` in `{}`", slice(&l.text, &s.chars), l.text),
            })
        })
        .collect();
    let found: Vec<Item<std::ops::Range<usize>>> = detections
        .iter()
        .map(|d| Item {
            kind: d.kind.as_str().into(),
            group: d.line,
            region: d.char_range.clone(),
            context: format!("`{}` in `{}`", d.text, set[d.line].text),
        })
        .collect();
    let s = score::score(&labels, &found, score::ranges_overlap);
    let negatives = set.iter().filter(|l| l.spans.is_empty()).count();
    let mut out = format!("## PII detection on text (native `masking::detect`, no host), {}\n\n", which.title());
    let _ = writeln!(
        out,
        "{} lines ({} with no PII), {} labelled spans; detect took {} ms. A label is found when a detection of \
         the same type overlaps its characters.\n",
        set.len(),
        negatives,
        labels.len(),
        elapsed.as_millis()
    );
    out.push_str(&report::pii_table(&s));
    out.push('\n');
    out.push_str(&report::list("Missed (FN)", &s.misses));
    out.push_str(&report::list("False positives (FP)", &s.false_positives));
    out
}

// ---------------------------------------------------------------- OCR CER

fn ocr_spec(px: f32) -> PageSpec {
    PageSpec { line_height: (px * 1.6).round(), margin: (px * 2.0).max(24.0), min_width: 0, min_height: 0 }
}

/// The rendered, degraded and encoded page: (bytes, extension, mime).
fn ocr_image(face: &Face, lines: &[String], v: Variant, seed: u64) -> Result<(Vec<u8>, &'static str, &'static str)> {
    let sized = face.at(v.px as f32);
    let img = sized.render(&render::lay_page(&sized, lines, ocr_spec(v.px as f32)));
    Ok(match v.degradation {
        Degradation::Clean => (degrade::png(&img)?, "png", "image/png"),
        Degradation::Noise(sigma) => (degrade::png(&degrade::gaussian_noise(&img, sigma, seed))?, "png", "image/png"),
        Degradation::Rotate(deg) => (degrade::png(&degrade::rotate(&img, deg))?, "png", "image/png"),
        Degradation::Jpeg(q) => (degrade::jpeg(&img, q)?, "jpg", "image/jpeg"),
    })
}

fn ocr_text(output: &Value) -> String {
    match output["extracted_text"].as_str() {
        Some(t) => t.to_string(),
        None => output["pages"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default(),
    }
}

fn ocr(face: &Face, host: Option<&Host>, args: &Args) -> Result<String> {
    let pages = corpus::pages(OCR_SEED, OCR_PAGES, OCR_LINES);
    face.check_covers(&pages.concat().join(""))?;
    let dir = args.out.join("ocr");
    let mut rows = Vec::new();
    for (vi, v) in corpus::variants().into_iter().enumerate() {
        let (mut tally, mut spaceless, mut elapsed, mut confidences) =
            (Tally::default(), Tally::default(), Duration::ZERO, Vec::new());
        for (pi, lines) in pages.iter().enumerate() {
            let (bytes, ext, mime) = ocr_image(face, lines, v, (vi * 1000 + pi) as u64)?;
            let stem = dir.join(v.name()).join(format!("page-{:02}", pi + 1));
            let reference = lines.join("\n");
            write(&stem.with_extension(ext), &bytes)?;
            write(&stem.with_extension("txt"), reference.as_bytes())?;
            let Some(host) = host else { continue };
            eprintln!("ocr {} page {}/{}", v.name(), pi + 1, pages.len());
            let url = host.upload(&format!("page-{:02}.{ext}", pi + 1), mime, bytes)?;
            let started = Instant::now();
            let output = host.run("ocr", &json!({ "file_url": url, "languages": args.languages }))?;
            elapsed += started.elapsed();
            let text = ocr_text(&output);
            write(&stem.with_extension("ocr.txt"), text.as_bytes())?;
            write(&stem.with_extension("ocr.json"), serde_json::to_string_pretty(&output)?.as_bytes())?;
            tally.add(Tally::measure(&reference, &text));
            spaceless.add(Tally::measure_ignoring_spaces(&reference, &text));
            confidences
                .extend(output["pages"].as_array().into_iter().flatten().filter_map(|p| p["confidence"].as_f64()));
        }
        if host.is_some() {
            let target = match (v.degradation, v.px >= 16) {
                (Degradation::Clean, true) => {
                    if tally.cer() <= 0.05 {
                        "meets ≤ 5%"
                    } else {
                        "**misses ≤ 5%**"
                    }
                }
                _ => "",
            };
            let confidence =
                (!confidences.is_empty()).then(|| confidences.iter().sum::<f64>() / confidences.len() as f64);
            rows.push(vec![
                v.name(),
                tally.chars.to_string(),
                tally.errors.to_string(),
                pct(Some(tally.cer())),
                pct(Some(spaceless.cer())),
                confidence.map_or("–".into(), |c| format!("{c:.2}")),
                format!("{:.2}", elapsed.as_secs_f64() / pages.len() as f64),
                target.into(),
            ]);
        }
    }
    let mut out = String::from("## OCR character error rate (through the host's `ocr`)\n\n");
    let sizes: Vec<String> = [12.0, 16.0, 24.0, 32.0]
        .iter()
        .map(|&px| {
            let f = face.at(px);
            let h = |c| f.ink(c).map_or(0.0, |b: Bounds| b.y1 - b.y0);
            format!("{px} px: `H` {} px, `가` {} px", h('H'), h('가'))
        })
        .collect();
    let _ = writeln!(
        out,
        "{OCR_PAGES} pages × {OCR_LINES} lines of Korean/English job-posting and résumé text per variant (same text \
         in every variant), rendered in {} at a pixel height (ascent − descent) of 12/16/24/32 px; ink heights: {}. \
         Degradations on 16 and 24 px: Gaussian noise σ = {} grey levels, rotation {}° counter-clockwise \
         (bilinear, canvas enlarged), JPEG quality {}. `languages` = `{}`. Files: {}.\n",
        args.font.display(),
        sizes.join("; "),
        corpus::NOISE_SIGMA,
        corpus::ROTATION_DEGREES,
        corpus::JPEG_QUALITY,
        args.languages,
        dir.display()
    );
    let _ = writeln!(
        out,
        "CER = Levenshtein distance over chars / reference chars, summed over pages. Normalisation (both sides): {} \
         The column *CER no-ws* additionally removes all whitespace (spacing errors forgiven), shown separately.\n",
        cer::NORMALISATION
    );
    if host.is_none() {
        out.push_str("(corpus written; no host, so nothing measured)\n");
    } else {
        out.push_str(&table(
            &["variant", "chars", "errors", "CER", "CER no-ws", "mean confidence", "s/page", "target (clean ≥ 16 px)"],
            &rows,
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------- image PII

fn image_pii(face: &Face, host: Option<&Host>, out_dir: &Path, which: LabelSet) -> Result<String> {
    let set = which.lines();
    face.check_covers(&set.iter().map(|l| l.text.as_str()).collect::<String>())?;
    let sized = face.at(PII_PX);
    let spec = PageSpec { line_height: (PII_PX * 1.75).round(), margin: 48.0, min_width: 1240, min_height: 0 };
    let dir = out_dir.join(which.image_dir());
    let (mut labels, mut found) = (Vec::new(), Vec::new());
    let chunks: Vec<&[pii_set::LabelledLine]> = set.chunks(PII_LINES_PER_PAGE).collect();
    for (pi, chunk) in chunks.iter().enumerate() {
        let texts: Vec<String> = chunk.iter().map(|l| l.text.clone()).collect();
        let page = render::lay_page(&sized, &texts, spec);
        let mut tsv = String::from("kind\tx0\ty0\tx1\ty1\ttext\n");
        for (line, laid) in chunk.iter().zip(&page.lines) {
            for s in &line.spans {
                let b = laid.span_box(&sized, s.chars.clone());
                let text: String = line.text.chars().skip(s.chars.start).take(s.chars.len()).collect();
                let _ = writeln!(tsv, "{}\t{}\t{}\t{}\t{}\t{text}", s.kind.as_str(), b.x0, b.y0, b.x1, b.y1);
                labels.push(Item {
                    kind: s.kind.as_str().into(),
                    group: pi,
                    region: b,
                    context: format!("`{text}` in `{}` (page {})", line.text, pi + 1),
                });
            }
        }
        let png = degrade::png(&sized.render(&page))?;
        let stem = dir.join(format!("page-{:02}", pi + 1));
        write(&stem.with_extension("png"), &png)?;
        write(&stem.with_extension("labels.tsv"), tsv.as_bytes())?;
        let Some(host) = host else { continue };
        eprintln!("masking page {}/{}", pi + 1, chunks.len());
        let url = host.upload(&format!("pii-page-{:02}.png", pi + 1), "image/png", png)?;
        let output = host.run("masking", &json!({ "file_url": url }))?;
        write(&stem.with_extension("masking.json"), serde_json::to_string_pretty(&output)?.as_bytes())?;
        if let Some(masked) = output["masked_file_url"].as_str() {
            let ext = if output["content_type"].as_str() == Some("image/png") { "masked.png" } else { "masked.bin" };
            write(&stem.with_extension(ext), &host.download(masked)?)?;
        }
        for d in output["detected_items"].as_array().into_iter().flatten() {
            let l = &d["location"];
            let (x, y, w, h) = (l["x"].as_f64(), l["y"].as_f64(), l["width"].as_f64(), l["height"].as_f64());
            let (Some(x), Some(y), Some(w), Some(h)) = (x, y, w, h) else {
                bail!("detected item without location: {d}")
            };
            let b = Bounds { x0: x as f32, y0: y as f32, x1: (x + w) as f32, y1: (y + h) as f32 };
            let cy = (b.y0 + b.y1) / 2.0;
            let line = page
                .lines
                .iter()
                .position(|l| cy >= l.baseline - sized.ascent() && cy <= l.baseline - sized.descent())
                .map_or("(between lines)".to_string(), |i| format!("`{}`", chunk[i].text));
            found.push(Item {
                kind: d["type"].as_str().unwrap_or("?").into(),
                group: pi,
                region: b,
                context: format!("box ({x},{y} {w}×{h}) on {line} (page {})", pi + 1),
            });
        }
    }
    let mut out = format!("## PII detection on images (through the host's `masking`), {}\n\n", which.title());
    let _ = writeln!(
        out,
        "The labelled lines of the text part, {} lines per page at {PII_PX} px on {}-px-wide pages ({} pages, \
         files in {}). A label is found when a detected item of the same type covers at least {:.0}% of the smaller \
         of the two boxes (label box = ink of the labelled characters as laid out).\n",
        PII_LINES_PER_PAGE,
        spec.min_width,
        chunks.len(),
        dir.display(),
        100.0 * score::MIN_BOX_OVERLAP
    );
    if host.is_none() {
        out.push_str("(corpus written; no host, so nothing measured)\n");
        return Ok(out);
    }
    let s = score::score(&labels, &found, score::boxes_overlap);
    out.push_str(&report::pii_table(&s));
    out.push('\n');
    out.push_str(&report::list("Missed (FN)", &s.misses));
    out.push_str(&report::list("False positives (FP)", &s.false_positives));
    Ok(out)
}

// ---------------------------------------------------------------- speed

fn speed(face: &Face, host: Option<&Host>, args: &Args) -> Result<String> {
    let dir = args.out.join("speed");
    let pdf_pages = corpus::ascii_pages(SPEED_SEED, SPEED_PDF_PAGES, SPEED_PDF_LINES);
    let pdf = pdf::text_pdf(&pdf_pages)?;
    write(&dir.join("text-layer.pdf"), &pdf)?;
    let image_pages = corpus::pages(SPEED_SEED + 1, SPEED_IMAGES, SPEED_IMAGE_LINES);
    face.check_covers(&image_pages.concat().join(""))?;
    let sized = face.at(SPEED_PX);
    let spec = PageSpec { line_height: 44.0, margin: 96.0, min_width: 1240, min_height: 1754 };
    let mut images = Vec::new();
    for (i, lines) in image_pages.iter().enumerate() {
        let png = degrade::png(&sized.render(&render::lay_page(&sized, lines, spec)))?;
        write(&dir.join(format!("page-{:02}.png", i + 1)), &png)?;
        images.push(png);
    }
    let mut out = String::from("## Speed (through the host's `ocr`)\n\n");
    let _ = writeln!(
        out,
        "Text-layer PDF: {SPEED_PDF_PAGES} A4 pages × {SPEED_PDF_LINES} lines of ASCII text in Helvetica 11 pt, one \
         file, one job. Images: {SPEED_IMAGES} pages of 1240×1754 px (A4 at 150 dpi) with {SPEED_IMAGE_LINES} \
         lines at {SPEED_PX} px, one upload and one job each, sequentially. Cache bypassed (`forceRefresh`); one \
         untimed warm-up job first. *run* is the synchronous call's wall time; *total* adds the uploads.\n"
    );
    let Some(host) = host else {
        out.push_str("(corpus written; no host, so nothing measured)\n");
        return Ok(out);
    };
    let run_ocr = |url: &str| host.run("ocr", &json!({ "file_url": url, "languages": args.languages }));
    eprintln!("speed: warm-up");
    run_ocr(&host.upload("warm-up.png", "image/png", images[0].clone())?)?;

    eprintln!("speed: text-layer PDF");
    let t0 = Instant::now();
    let url = host.upload("text-layer.pdf", "application/pdf", pdf)?;
    let t1 = Instant::now();
    let output = run_ocr(&url)?;
    let (upload, run) = (t1 - t0, t1.elapsed());
    write(&dir.join("text-layer.ocr.json"), serde_json::to_string_pretty(&output)?.as_bytes())?;
    let sources = output["pages"].as_array().into_iter().flatten().filter_map(|p| p["source"].as_str());
    let text_layer = sources.filter(|s| *s == "text_layer").count();
    let pdf_cer = pdf_tally(&pdf_pages, &output).cer();
    let mut rows = vec![vec![
        "text-layer PDF".into(),
        output["page_count"].to_string(),
        secs(upload),
        secs(run),
        secs(upload + run),
        format!("{:.1}", SPEED_PDF_PAGES as f64 / run.as_secs_f64()),
        format!("{text_layer}/{SPEED_PDF_PAGES} pages from the text layer; CER {}", pct(Some(pdf_cer))),
    ]];

    let (mut upload, mut run, mut tally) = (Duration::ZERO, Duration::ZERO, Tally::default());
    for (i, png) in images.into_iter().enumerate() {
        eprintln!("speed: image {}/{SPEED_IMAGES}", i + 1);
        let t0 = Instant::now();
        let url = host.upload(&format!("page-{:02}.png", i + 1), "image/png", png)?;
        let t1 = Instant::now();
        let output = run_ocr(&url)?;
        upload += t1 - t0;
        run += t1.elapsed();
        tally.add(Tally::measure(&image_pages[i].join("\n"), &ocr_text(&output)));
    }
    rows.push(vec![
        "page images (OCR)".into(),
        SPEED_IMAGES.to_string(),
        secs(upload),
        secs(run),
        secs(upload + run),
        format!("{:.2}", SPEED_IMAGES as f64 / run.as_secs_f64()),
        format!(
            "{:.2} pages/s including uploads; CER {}",
            SPEED_IMAGES as f64 / (upload + run).as_secs_f64(),
            pct(Some(tally.cer()))
        ),
    ]);
    out.push_str(&table(&["input", "pages", "upload s", "run s", "total s", "pages/s (run)", "notes"], &rows));
    Ok(out)
}

/// Page by page when the output has one text per page (Levenshtein is quadratic), else the whole text.
fn pdf_tally(reference: &[Vec<String>], output: &Value) -> Tally {
    let texts: Vec<&str> =
        output["pages"].as_array().into_iter().flatten().filter_map(|p| p["text"].as_str()).collect();
    if texts.len() != reference.len() {
        return Tally::measure(&reference.concat().join("\n"), &ocr_text(output));
    }
    let mut tally = Tally::default();
    for (lines, text) in reference.iter().zip(texts) {
        tally.add(Tally::measure(&lines.join("\n"), text));
    }
    tally
}

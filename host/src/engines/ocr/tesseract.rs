//! Text recognition with the Tesseract 5 command line (`tsv` output).
//!
//! The CLI rather than `leptess`: a C++ engine crash or a decompression bomb
//! then kills a child process, not the host, and the host builds without
//! `libtesseract-dev`/`clang`. Start-up of the process costs ≈40 ms next to
//! ≈0.5–1 s of recognition per page.

use std::path::PathBuf;

use serde::Serialize;

use super::UNAVAILABLE;
use crate::engines::process::{self, RunError};
use crate::engines::{EngineError, EngineStatus, INVALID_FILE};

/// The languages used when a component asks for none.
pub const DEFAULT_LANGUAGES: &str = "kor+eng";
/// Images beyond this many pixels are refused before decoding (a 600 dpi A3
/// scan is ≈70 MP; typical phone photos are 12 MP).
const MAX_PIXELS: u64 = 80_000_000;
/// TSV output is ≈60 bytes per word; far beyond any real page.
const MAX_OUTPUT: u64 = 64 * 1024 * 1024;
/// Words closer than this fraction of the line height are one token that
/// Tesseract split at a script change ("2025" + "년"), not two words.
const SPACE_GAP: f32 = 0.25;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextWord {
    pub text: String,
    pub confidence: f32,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextLine {
    pub text: String,
    pub confidence: f32,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub words: Vec<TextWord>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognition {
    pub width: u32,
    pub height: u32,
    pub lines: Vec<TextLine>,
    pub confidence: f32,
    pub languages: String,
}

pub struct Tesseract {
    program: PathBuf,
    version: Option<String>,
    languages: Vec<String>,
    missing: Option<String>,
}

impl Tesseract {
    pub async fn probe(program: PathBuf) -> Self {
        let version = match process::run(&program, &["--version"], Vec::new(), 64 * 1024).await {
            Ok(f) if f.success => {
                // 5.x prints the version on stdout, 4.x on stderr.
                let text = format!("{}\n{}", String::from_utf8_lossy(&f.stdout), f.stderr);
                text.lines().map(str::trim).find(|l| l.starts_with("tesseract")).map(str::to_string)
            }
            Ok(f) => {
                return Self::missing(program, format!("`--version` failed: {}", process::last_line(&f.stderr)));
            }
            Err(RunError::Missing(m)) => {
                return Self::missing(
                    program,
                    format!(
                        "{m}; install Tesseract 5 (Debian: apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng)"
                    ),
                );
            }
            Err(RunError::Io(m)) => return Self::missing(program, m),
            Err(RunError::OutputTooLarge) => return Self::missing(program, "`--version` printed too much".into()),
        };
        let languages = match process::run(&program, &["--list-langs"], Vec::new(), 64 * 1024).await {
            Ok(f) if f.success => parse_language_list(&format!("{}\n{}", String::from_utf8_lossy(&f.stdout), f.stderr)),
            _ => Vec::new(),
        };
        let absent: Vec<&str> =
            DEFAULT_LANGUAGES.split('+').filter(|l| !languages.iter().any(|have| have == l)).collect();
        let missing = (!absent.is_empty()).then(|| {
            let packages: Vec<String> = absent.iter().map(|l| format!("tesseract-ocr-{l}")).collect();
            format!(
                "Tesseract has no `{}` language data; install it (Debian: apt-get install {})",
                absent.join("`, `"),
                packages.join(" ")
            )
        });
        Self { program, version, languages, missing }
    }

    fn missing(program: PathBuf, reason: String) -> Self {
        Self { program, version: None, languages: Vec::new(), missing: Some(reason) }
    }

    pub fn status(&self) -> EngineStatus {
        let mut status = EngineStatus::new(self.version.clone(), self.missing.clone());
        status.details.insert("languages".into(), serde_json::json!(self.languages));
        status
    }

    /// Refuse before queueing for a permit: unknown languages, no engine.
    pub fn check(&self, languages: &str) -> Result<(), EngineError> {
        if self.version.is_none() {
            return Err(unavailable(self.missing.as_deref().unwrap_or("Tesseract is not installed")));
        }
        let languages = if languages.is_empty() { DEFAULT_LANGUAGES } else { languages };
        for part in languages.split('+') {
            let well_formed =
                (3..=16).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if !well_formed {
                return Err(EngineError::new(
                    "OCR_LANGUAGE_UNSUPPORTED",
                    format!(
                        "`{languages}` is not a language list; write Tesseract codes joined by `+`, e.g. `kor+eng`"
                    ),
                ));
            }
            if !self.languages.iter().any(|l| l == part) {
                if DEFAULT_LANGUAGES.split('+').any(|d| d == part) {
                    return Err(unavailable(self.missing.as_deref().unwrap_or("language data is missing")));
                }
                return Err(EngineError::new(
                    "OCR_LANGUAGE_UNSUPPORTED",
                    format!(
                        "language `{part}` is not installed on this host; installed: {}",
                        self.languages.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub async fn recognize(&self, image: Vec<u8>, languages: &str) -> Result<Recognition, EngineError> {
        let languages = if languages.is_empty() { DEFAULT_LANGUAGES } else { languages };
        let (width, height) = image_size(&image)?;
        // Two renderers in one run: `tsv` has the boxes, `txt` the engine's
        // own word spacing, which TSV loses (Hangul often comes back one
        // syllable per "word"). Both need files, so the run gets a directory.
        let out = OutputDir::create()?;
        let base = out.path.join("out");
        let base = base.to_string_lossy();
        // `--psm 4` (one column of text of variable sizes): the default
        // automatic segmentation (3) drops short lines of sparse documents
        // as "image" regions — a missed "성명: 홍길동" is a missed mask.
        let args = ["stdin", base.as_ref(), "-l", languages, "--psm", "4", "txt", "tsv"];
        let finished = process::run(&self.program, &args, image, 64 * 1024).await.map_err(|e| match e {
            RunError::Missing(m) => unavailable(&m),
            RunError::OutputTooLarge => EngineError::new("OCR_FAILED", "the engine's output was implausibly large"),
            RunError::Io(m) => EngineError { code: "OCR_FAILED", message: m, retryable: true },
        })?;
        if !finished.success {
            let line = process::last_line(&finished.stderr);
            if finished.code.is_none() {
                return Err(EngineError::new(
                    "OCR_FAILED",
                    "the OCR engine stopped (out of memory or killed) while reading this image; try a smaller image",
                ));
            }
            if finished.stderr.contains("pixRead") || finished.stderr.contains("Unsupported image") {
                return Err(EngineError::new(
                    INVALID_FILE,
                    format!("the image is truncated or damaged and could not be decoded: {line}"),
                ));
            }
            return Err(EngineError::new("OCR_FAILED", format!("the OCR engine failed: {line}")));
        }
        let tsv = out.read("out.tsv").await?;
        let txt = out.read("out.txt").await.ok();
        let mut recognition = parse_tsv(&tsv, txt.as_deref(), languages);
        if recognition.width == 0 || recognition.height == 0 {
            (recognition.width, recognition.height) = (width, height);
        }
        Ok(recognition)
    }
}

/// A private directory for one run's output files, removed when dropped
/// (also when the job is cancelled mid-run).
struct OutputDir {
    path: PathBuf,
}

impl OutputDir {
    fn create() -> Result<Self, EngineError> {
        let path = std::env::temp_dir().join(format!("capsule-ocr-{}", uuid::Uuid::new_v4().simple()));
        let mut builder = std::fs::DirBuilder::new();
        // Page text is personal data: only this user may read it.
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|e| EngineError {
            code: "OCR_FAILED",
            message: format!("could not create a working directory for the OCR engine: {e}"),
            retryable: true,
        })?;
        Ok(Self { path })
    }

    async fn read(&self, name: &str) -> Result<String, EngineError> {
        let path = self.path.join(name);
        let failed = |m: String| EngineError::new("OCR_FAILED", m);
        let size =
            tokio::fs::metadata(&path).await.map_err(|e| failed(format!("the OCR engine wrote no {name}: {e}")))?.len();
        if size > MAX_OUTPUT {
            return Err(failed("the engine's output was implausibly large".into()));
        }
        let bytes =
            tokio::fs::read(&path).await.map_err(|e| failed(format!("reading the OCR engine's {name}: {e}")))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn unavailable(reason: &str) -> EngineError {
    EngineError::new(UNAVAILABLE, format!("text recognition is not available on this host: {reason}"))
}

/// Pixel size from the header, refusing non-images and decompression bombs
/// before the engine decodes anything. Each refusal is the file's fault.
fn image_size(image: &[u8]) -> Result<(u32, u32), EngineError> {
    let known = image.starts_with(b"\x89PNG\r\n\x1a\n")
        || image.starts_with(&[0xFF, 0xD8, 0xFF])
        || (image.len() >= 12 && &image[..4] == b"RIFF" && &image[8..12] == b"WEBP")
        || image.starts_with(b"II*\0")
        || image.starts_with(b"MM\0*");
    if image.is_empty() {
        return Err(EngineError::new(INVALID_FILE, "the image is empty (0 bytes)"));
    }
    if !known {
        return Err(EngineError::new(
            INVALID_FILE,
            "the file is not an image; only PNG, JPEG, WebP and TIFF can be read",
        ));
    }
    let size = imagesize::blob_size(image).map_err(|e| {
        EngineError::new(INVALID_FILE, format!("the image header is truncated or damaged and could not be read: {e}"))
    })?;
    let (w, h) = (size.width as u64, size.height as u64);
    if w == 0 || h == 0 {
        return Err(EngineError::new(INVALID_FILE, format!("the image is {w}×{h} pixels: it has no pixels")));
    }
    if w.saturating_mul(h) > MAX_PIXELS {
        return Err(EngineError::new(
            INVALID_FILE,
            format!(
                "the image is {w}×{h} pixels, over the {} MP limit; scale it down and send it again",
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    Ok((w as u32, h as u32))
}

fn parse_language_list(text: &str) -> Vec<String> {
    // First line is "List of available languages in ...:"; `osd` is orientation data, not a language.
    let mut languages: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("List of available languages"))
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "osd")
        .map(str::to_string)
        .collect();
    languages.sort();
    languages.dedup();
    languages
}

/// Tesseract's TSV → lines of words. Rows are `level page block par line
/// word left top width height conf text`; level 1 is the page, 5 a word.
/// `txt`, the same run's plain text, says where the engine put spaces.
fn parse_tsv(tsv: &str, txt: Option<&str>, languages: &str) -> Recognition {
    let mut width = 0;
    let mut height = 0;
    let mut lines: Vec<(LineKey, Vec<TextWord>)> = Vec::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 11 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(0).clamp(0, u32::MAX as i64) as u32;
        match cols[0] {
            "1" => {
                width = num(8);
                height = num(9);
            }
            "5" => {
                let text = cols.get(11).map(|t| t.trim()).unwrap_or_default();
                let confidence = cols[10].trim().parse::<f32>().unwrap_or(-1.0);
                if text.is_empty() || confidence < 0.0 {
                    continue;
                }
                let word = TextWord {
                    text: text.to_string(),
                    confidence: (confidence / 100.0).clamp(0.0, 1.0),
                    x: num(6),
                    y: num(7),
                    width: num(8),
                    height: num(9),
                };
                let key = (num(1), num(2), num(3), num(4));
                match lines.last_mut() {
                    Some((k, words)) if *k == key => words.push(word),
                    _ => lines.push((key, vec![word])),
                }
            }
            _ => {}
        }
    }
    let mut spacing = txt.map(Spacing::new);
    let lines: Vec<TextLine> = lines
        .into_iter()
        .map(|(_, words)| {
            let spaced = spacing.as_mut().and_then(|s| s.before_each(&words));
            join_line(words, spaced)
        })
        .collect();
    let all: Vec<f32> = lines.iter().flat_map(|l| l.words.iter().map(|w| w.confidence)).collect();
    let confidence = if all.is_empty() { 0.0 } else { all.iter().sum::<f32>() / all.len() as f32 };
    Recognition { width, height, lines, confidence, languages: languages.to_string() }
}

type LineKey = (u32, u32, u32, u32);

/// Which words the engine's plain text puts a space before, found by
/// walking its non-space characters alongside the TSV words (both come from
/// the same recognition, in the same order).
struct Spacing {
    /// Every non-whitespace character of the text, and whether whitespace
    /// (or a line start) precedes it.
    chars: Vec<(char, bool)>,
    at: usize,
    lost: bool,
}

impl Spacing {
    fn new(txt: &str) -> Self {
        let mut chars = Vec::new();
        let mut space = true;
        for c in txt.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                chars.push((c, space));
                space = false;
            }
        }
        Self { chars, at: 0, lost: false }
    }

    /// For each word of a line: is it preceded by a space? `None` once the
    /// two outputs disagree (then the gap rule decides).
    fn before_each(&mut self, words: &[TextWord]) -> Option<Vec<bool>> {
        if self.lost {
            return None;
        }
        let mut spaced = Vec::with_capacity(words.len());
        for w in words {
            let mut first = None;
            for c in w.text.chars().filter(|c| !c.is_whitespace()) {
                match self.chars.get(self.at) {
                    Some(&(t, space)) if t == c => {
                        first.get_or_insert(space);
                        self.at += 1;
                    }
                    _ => {
                        self.lost = true;
                        return None;
                    }
                }
            }
            spaced.push(first.unwrap_or(true));
        }
        Some(spaced)
    }
}

/// One line from its words: a box around them all, and text with a space
/// where the engine's text has one (`spaced`), else only where the image
/// has a gap (see [`SPACE_GAP`]).
fn join_line(words: Vec<TextWord>, spaced: Option<Vec<bool>>) -> TextLine {
    let mut heights: Vec<u32> = words.iter().map(|w| w.height).collect();
    heights.sort_unstable();
    let line_height = heights[heights.len() / 2].max(1) as f32;
    let mut text = String::new();
    let mut previous_right: Option<i64> = None;
    for (i, w) in words.iter().enumerate() {
        if let Some(right) = previous_right {
            let space = match &spaced {
                Some(spaced) => spaced[i],
                None => (w.x as i64 - right) as f32 > SPACE_GAP * line_height,
            };
            if space {
                text.push(' ');
            }
        }
        text.push_str(&w.text);
        previous_right = Some((w.x as i64 + w.width as i64).max(previous_right.unwrap_or(i64::MIN)));
    }
    let x = words.iter().map(|w| w.x).min().unwrap_or(0);
    let y = words.iter().map(|w| w.y).min().unwrap_or(0);
    let right = words.iter().map(|w| w.x.saturating_add(w.width)).max().unwrap_or(0);
    let bottom = words.iter().map(|w| w.y.saturating_add(w.height)).max().unwrap_or(0);
    let confidence = words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32;
    TextLine { text, confidence, x, y, width: right - x, height: bottom - y, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real Tesseract 5.3 output for "지원 마감 2025년 3월 10일" and a contact line.
    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t900\t160\t-1\t
4\t1\t1\t1\t1\t0\t22\t24\t423\t23\t-1\t
5\t1\t1\t1\t1\t1\t22\t24\t41\t22\t96.761330\t지원
5\t1\t1\t1\t1\t2\t74\t24\t42\t22\t93.281021\t마감
5\t1\t1\t1\t1\t3\t125\t24\t77\t22\t91.445648\t2025
5\t1\t1\t1\t1\t4\t185\t20\t20\t34\t91.018494\t년
5\t1\t1\t1\t1\t5\t213\t24\t33\t22\t93.131279\t3
5\t1\t1\t1\t1\t6\t232\t20\t18\t34\t92.189766\t월
5\t1\t1\t1\t1\t7\t259\t24\t45\t22\t93.274429\t10
5\t1\t1\t1\t1\t8\t283\t20\t18\t34\t93.080643\t일
4\t1\t1\t1\t2\t0\t22\t75\t510\t23\t-1\t
5\t1\t1\t1\t2\t1\t22\t76\t90\t18\t93.250191\tContact:
5\t1\t1\t1\t2\t2\t122\t76\t175\t18\t92.482918\t010-1234-5678
5\t1\t1\t1\t2\t3\t308\t75\t224\t23\t-1\t
";

    #[test]
    fn words_split_at_a_script_change_are_joined_without_a_space() {
        let r = parse_tsv(TSV, None, "kor+eng");
        assert_eq!(r.lines[0].text, "지원 마감 2025년 3월 10일");
    }

    /// Real output for "여권번호: M47281935": one "word" per Hangul syllable.
    const SYLLABLES: &str =
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
5\t1\t1\t11\t1\t1\t50\t640\t13\t14\t93.258286\t여
5\t1\t1\t11\t1\t2\t74\t639\t11\t19\t93.288948\t권
5\t1\t1\t11\t1\t3\t94\t639\t11\t19\t93.282448\t번
5\t1\t1\t11\t1\t4\t115\t639\t16\t16\t92.025978\t호:
5\t1\t1\t11\t1\t5\t141\t640\t118\t16\t88.128799\tM47281935
";

    #[test]
    fn the_engines_own_text_decides_the_spacing_of_syllables_it_reports_as_words() {
        let r = parse_tsv(SYLLABLES, Some("여권번호: M47281935\n\n"), "kor+eng");
        assert_eq!(r.lines[0].text, "여권번호: M47281935");
        assert_eq!(r.lines[0].words.len(), 5);
    }

    #[test]
    fn spacing_falls_back_to_gaps_where_the_plain_text_disagrees_with_the_words() {
        let r = parse_tsv(SYLLABLES, Some("something else entirely"), "kor+eng");
        assert_eq!(r.lines[0].text, "여 권 번 호: M47281935");
    }

    #[test]
    fn plain_text_spacing_spans_lines_and_paragraph_breaks() {
        let txt = "지원 마감 2025년 3월 10일\n\nContact: 010-1234-5678\n";
        let r = parse_tsv(TSV, Some(txt), "kor+eng");
        assert_eq!(r.lines[0].text, "지원 마감 2025년 3월 10일");
        assert_eq!(r.lines[1].text, "Contact: 010-1234-5678");
    }

    #[test]
    fn words_of_one_tesseract_line_form_one_line_with_a_covering_box() {
        let r = parse_tsv(TSV, None, "kor+eng");
        assert_eq!(r.lines.len(), 2);
        let line = &r.lines[1];
        assert_eq!(line.text, "Contact: 010-1234-5678");
        assert_eq!((line.x, line.y, line.width, line.height), (22, 76, 275, 18));
    }

    #[test]
    fn rows_without_confidence_or_text_are_not_words() {
        let r = parse_tsv(TSV, None, "kor+eng");
        assert_eq!(r.lines[1].words.len(), 2);
    }

    #[test]
    fn page_size_and_confidences_are_read_on_a_0_to_1_scale() {
        let r = parse_tsv(TSV, None, "kor+eng");
        assert_eq!((r.width, r.height), (900, 160));
        assert!((r.lines[1].words[0].confidence - 0.9325).abs() < 1e-3);
        assert!(r.confidence > 0.9 && r.confidence < 1.0);
    }

    #[test]
    fn output_without_words_is_an_empty_recognition() {
        let r = parse_tsv("level\tpage_num\n1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n", None, "eng");
        assert!(r.lines.is_empty());
        assert_eq!(r.confidence, 0.0);
    }

    #[test]
    fn language_list_skips_the_heading_and_orientation_data() {
        let out = "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (3):\neng\nkor\nosd\n";
        assert_eq!(parse_language_list(out), vec!["eng", "kor"]);
    }

    #[test]
    fn bytes_that_are_no_image_are_the_clients_invalid_file() {
        let e = image_size(b"%PDF-1.7 not an image").unwrap_err();
        assert_eq!((e.code, e.retryable), (INVALID_FILE, false));
        assert!(e.message.contains("not an image"), "{e}");
    }

    #[test]
    fn an_empty_image_is_the_clients_invalid_file() {
        let e = image_size(b"").unwrap_err();
        assert_eq!((e.code, e.retryable), (INVALID_FILE, false));
        assert!(e.message.contains("empty"), "{e}");
    }

    #[test]
    fn images_beyond_the_pixel_limit_are_the_clients_invalid_file_naming_the_size_and_limit() {
        // A PNG header claiming 60000×60000 pixels, with no pixel data.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&60_000u32.to_be_bytes());
        png.extend_from_slice(&60_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        let e = image_size(&png).unwrap_err();
        assert_eq!((e.code, e.retryable), (INVALID_FILE, false));
        assert!(e.message.contains("60000×60000 pixels, over the 80 MP limit"), "{e}");
    }

    #[tokio::test]
    async fn a_missing_program_is_reported_as_unavailable_with_what_to_install() {
        let t = Tesseract::probe("/nonexistent/tesseract".into()).await;
        assert!(!t.status().available);
        assert!(t.status().reason.unwrap().contains("apt-get install tesseract-ocr"));
        assert_eq!(t.check("").unwrap_err().code, UNAVAILABLE);
    }
}

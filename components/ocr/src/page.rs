//! One page of the output, from a PDF text layer or from what the OCR engine read.

use schemars::JsonSchema;
use serde::Serialize;

use capsule_sdk::engines::Recognition;

/// Where a page's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// The PDF's own text layer: exact text, boxes in points.
    TextLayer,
    /// Recognised by the OCR engine: boxes in pixels of the (rendered) image.
    Ocr,
}

/// The unit of a page's size and its word boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// PDF points (1/72 inch), origin at the top-left of the visible page box, before any `/Rotate`.
    Pt,
    /// Image pixels, origin at the top-left.
    Px,
}

/// A word and its box, in the page's unit, origin at the top-left, y growing downwards.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Word {
    pub text: String,
    /// 0..1; 1 for text-layer words.
    #[schemars(range(min = 0, max = 1))]
    pub confidence: f32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// The text of one page.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Page {
    /// 1-based page number.
    pub page: u32,
    /// The page's lines, top to bottom, joined with `\n`.
    pub text: String,
    pub source: TextSource,
    /// 0..1: the engine's mean word confidence, 0 without words; 1 for a text layer.
    #[schemars(range(min = 0, max = 1))]
    pub confidence: f32,
    pub width: f32,
    pub height: f32,
    pub unit: Unit,
    /// The page's words in reading order: only with `include_words`, and only when not in `words_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<Word>>,
}

impl Page {
    /// Whether the page holds any text at all.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// A PDF page whose text layer is used as is.
pub fn from_text_layer(page: &pdf_text::Page) -> Page {
    let text = page.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    let words = page
        .words
        .iter()
        .map(|w| Word { text: w.text.clone(), confidence: 1.0, x: w.x, y: w.y, width: w.width, height: w.height })
        .collect();
    Page {
        page: page.number,
        text,
        source: TextSource::TextLayer,
        confidence: 1.0,
        width: page.width,
        height: page.height,
        unit: Unit::Pt,
        words: Some(words),
    }
}

/// Page `number` as the OCR engine read it. Blank lines are dropped; nothing else is changed.
pub fn from_recognition(number: u32, recognition: &Recognition) -> Page {
    let lines = recognition.lines.iter().filter(|l| !l.text.trim().is_empty());
    let text = lines.clone().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    let words = lines
        .flat_map(|l| &l.words)
        .map(|w| Word {
            text: w.text.clone(),
            confidence: unit_interval(w.confidence),
            x: w.x as f32,
            y: w.y as f32,
            width: w.width as f32,
            height: w.height as f32,
        })
        .collect();
    Page {
        page: number,
        text,
        source: TextSource::Ocr,
        confidence: unit_interval(recognition.confidence),
        width: recognition.width as f32,
        height: recognition.height as f32,
        unit: Unit::Px,
        words: Some(words),
    }
}

/// A confidence as the schema promises it: within 0..=1, never NaN.
pub fn unit_interval(value: f32) -> f32 {
    if value.is_nan() { 0.0 } else { value.clamp(0.0, 1.0) }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use capsule_sdk::engines::{Line, Word as OcrWord};

    pub fn ocr_word(text: &str, confidence: f32, x: u32) -> OcrWord {
        OcrWord { text: text.into(), confidence, x, y: 10, width: 40, height: 20 }
    }

    pub fn ocr_line(words: Vec<OcrWord>) -> Line {
        let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        let confidence = words.iter().map(|w| w.confidence).sum::<f32>() / words.len().max(1) as f32;
        Line { text, confidence, x: 0, y: 10, width: 100, height: 20, words }
    }

    pub fn recognition(lines: Vec<Line>, confidence: f32) -> Recognition {
        Recognition { width: 800, height: 600, lines, confidence, languages: "kor+eng".into() }
    }

    fn text_layer_page() -> pdf_text::Page {
        let word = |text: &str, x: f32| pdf_text::Word { text: text.into(), x, y: 90.4, width: 30.0, height: 12.0 };
        pdf_text::Page {
            number: 2,
            width: 595.0,
            height: 842.0,
            text: "Hello World\nBye".into(),
            words: vec![word("Hello", 72.0), word("World", 110.0), word("Bye", 72.0)],
            lines: vec![
                pdf_text::Line { text: "Hello World".into(), words: vec![0, 1] },
                pdf_text::Line { text: "Bye".into(), words: vec![2] },
            ],
        }
    }

    #[test]
    fn a_text_layer_page_keeps_its_lines_number_and_size_in_points() {
        let page = from_text_layer(&text_layer_page());
        assert_eq!((page.page, page.text.as_str()), (2, "Hello World\nBye"));
        assert_eq!((page.width, page.height, page.unit, page.source), (595.0, 842.0, Unit::Pt, TextSource::TextLayer));
    }

    #[test]
    fn text_layer_words_are_certain_and_keep_their_boxes() {
        let page = from_text_layer(&text_layer_page());
        assert_eq!(page.confidence, 1.0);
        let words = page.words.unwrap();
        assert_eq!(words.len(), 3);
        assert_eq!(
            words[1],
            Word { text: "World".into(), confidence: 1.0, x: 110.0, y: 90.4, width: 30.0, height: 12.0 }
        );
    }

    #[test]
    fn a_recognised_page_joins_lines_with_newlines_in_pixels() {
        let r =
            recognition(vec![ocr_line(vec![ocr_word("안녕", 0.9, 0)]), ocr_line(vec![ocr_word("hi", 0.7, 0)])], 0.8);
        let page = from_recognition(1, &r);
        assert_eq!(page.text, "안녕\nhi");
        assert_eq!((page.width, page.height, page.unit, page.source), (800.0, 600.0, Unit::Px, TextSource::Ocr));
        assert_eq!(page.confidence, 0.8);
    }

    #[test]
    fn recognised_words_are_flattened_in_reading_order() {
        let r = recognition(
            vec![ocr_line(vec![ocr_word("a", 0.5, 0), ocr_word("b", 0.6, 50)]), ocr_line(vec![ocr_word("c", 0.7, 0)])],
            0.6,
        );
        let words = from_recognition(1, &r).words.unwrap();
        assert_eq!(words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(words[1], Word { text: "b".into(), confidence: 0.6, x: 50.0, y: 10.0, width: 40.0, height: 20.0 });
    }

    #[test]
    fn blank_recognised_lines_are_dropped() {
        let mut blank = ocr_line(vec![]);
        blank.text = "  ".into();
        let r =
            recognition(vec![ocr_line(vec![ocr_word("a", 0.5, 0)]), blank, ocr_line(vec![ocr_word("b", 0.5, 0)])], 0.5);
        assert_eq!(from_recognition(1, &r).text, "a\nb");
    }

    #[test]
    fn an_image_without_lines_is_a_blank_page_with_zero_confidence() {
        let page = from_recognition(3, &recognition(vec![], 0.0));
        assert!(page.is_blank());
        assert_eq!((page.text.as_str(), page.confidence), ("", 0.0));
    }

    #[test]
    fn confidences_outside_zero_to_one_are_clamped() {
        assert_eq!((unit_interval(1.5), unit_interval(-0.1), unit_interval(f32::NAN)), (1.0, 0.0, 0.0));
    }
}

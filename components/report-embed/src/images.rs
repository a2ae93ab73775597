//! Text drawn inside images: which pages hold images, and which OCR lines of
//! a rendered page the text layer lacks.
//!
//! A rendered page shows the text layer too, so its OCR reads that again,
//! with recognition errors. A line counts as the text layer's when at least
//! [`COVERED`] of its characters (letters and digits, lower-cased, spaces
//! and punctuation dropped) belong to a character pair that also occurs,
//! in that order, in the page's text layer normalised the same way. OCR errors
//! cost a few pairs of a line the layer has; text of an image shares at most
//! some words with the page, and almost none of the pairs spanning two of its
//! words, because spaces are dropped.

use std::collections::{BTreeSet, HashSet};

use pdf_extract::{Dictionary, Document, Object};

/// The share of a line's characters the text layer must cover for the line to be the layer's.
pub const COVERED: f32 = 0.6;
/// OCR lines below this confidence are noise.
pub const MIN_CONFIDENCE: f32 = 0.3;

fn normalise(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The character pairs of a page's text layer.
pub struct TextLayer {
    pairs: HashSet<(char, char)>,
}

impl TextLayer {
    pub fn new(text: &str) -> Self {
        let chars = normalise(text);
        Self { pairs: chars.windows(2).map(|w| (w[0], w[1])).collect() }
    }

    /// Whether the layer already has `line` (see the module docs). Lines of
    /// fewer than two letters or digits count as had: they are noise.
    pub fn has(&self, line: &str) -> bool {
        let chars = normalise(line);
        if chars.len() < 2 {
            return true;
        }
        let mut covered = vec![false; chars.len()];
        for (i, w) in chars.windows(2).enumerate() {
            if self.pairs.contains(&(w[0], w[1])) {
                covered[i] = true;
                covered[i + 1] = true;
            }
        }
        let share = covered.iter().filter(|c| **c).count() as f32 / chars.len() as f32;
        share >= COVERED
    }
}

/// The lines of a page's recognition the text layer lacks, in order.
pub fn image_lines(recognition: &capsule_sdk::engines::Recognition, layer: &TextLayer) -> Vec<String> {
    recognition
        .lines
        .iter()
        .filter(|l| l.confidence >= MIN_CONFIDENCE)
        .map(|l| l.text.trim())
        .filter(|t| !layer.has(t))
        .map(str::to_string)
        .collect()
}

/// The pages (1-based) whose resources hold an image XObject, directly or
/// in a form XObject; `None` when that cannot be told (then every page is read).
pub fn pages_with_images(pdf: &[u8]) -> Option<BTreeSet<u32>> {
    #[cfg(not(target_family = "wasm"))]
    {
        std::panic::catch_unwind(|| find(pdf)).ok().flatten()
    }
    #[cfg(target_family = "wasm")]
    {
        find(pdf)
    }
}

fn find(pdf: &[u8]) -> Option<BTreeSet<u32>> {
    let doc = Document::load_mem(pdf).ok()?;
    let mut pages = BTreeSet::new();
    for (number, id) in doc.get_pages() {
        let (own, inherited) = doc.get_page_resources(id).ok()?;
        let mut resources: Vec<&Dictionary> = own.into_iter().collect();
        resources.extend(inherited.into_iter().filter_map(|id| doc.get_dictionary(id).ok()));
        let mut seen = HashSet::new();
        if resources.iter().any(|r| has_image(&doc, r, 0, &mut seen)) {
            pages.insert(number);
        }
    }
    Some(pages)
}

fn has_image(doc: &Document, resources: &Dictionary, depth: usize, seen: &mut HashSet<(u32, u16)>) -> bool {
    if depth > 8 {
        return false;
    }
    let Some(xobjects) = resources.get(b"XObject").ok().and_then(|o| doc.dereference(o).ok()).map(|(_, o)| o) else {
        return false;
    };
    let Ok(xobjects) = xobjects.as_dict() else {
        return false;
    };
    for (_, object) in xobjects.iter() {
        let Ok((id, Object::Stream(stream))) = doc.dereference(object) else {
            continue;
        };
        if let Some(id) = id
            && !seen.insert(id)
        {
            continue;
        }
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => return true,
            Ok(b"Form") => {
                let inner = stream.dict.get(b"Resources").ok().and_then(|o| doc.dereference(o).ok()).map(|(_, o)| o);
                if let Some(Ok(inner)) = inner.map(Object::as_dict)
                    && has_image(doc, inner, depth + 1, seen)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsule_sdk::engines::{Line, Recognition};

    fn recognition(lines: &[(&str, f32)]) -> Recognition {
        let lines = lines
            .iter()
            .map(|(text, confidence)| Line {
                text: text.to_string(),
                confidence: *confidence,
                x: 0,
                y: 0,
                width: 10,
                height: 10,
                words: Vec::new(),
            })
            .collect();
        Recognition { width: 100, height: 100, lines, confidence: 0.9, languages: "kor+eng".into() }
    }

    #[test]
    fn lines_of_the_text_layer_read_with_errors_are_recognised_as_the_layers() {
        let layer = TextLayer::new(
            "핵심 기술은 수요 예측 모델과 경로 최적화 알고리즘이다. 주문 데이터와 교통 정보를\n연도 매출 고객 수",
        );
        // Tesseract's reading of that line, garbled words and all.
        assert!(layer.has("핵심 ISS 수요 예측 OAT 경로 최적화 알고리즘이다. 주문 데이터와 교통 YS"));
        assert!(layer.has("연도 매출 고객수"));
    }

    #[test]
    fn text_of_an_image_sharing_words_with_the_page_is_not_the_layers() {
        let layer = TextLayer::new("스마트 물류 플랫폼 사업계획서\n그림 1. 센서 구성");
        assert!(!layer.has("냉장 물류 센서 네트워크"));
    }

    #[test]
    fn noise_and_unsure_lines_are_dropped() {
        let layer = TextLayer::new("본문");
        let lines = image_lines(&recognition(&[("|", 0.9), ("흐릿한 글씨", 0.1), ("냉장 센서", 0.8)]), &layer);
        assert_eq!(lines, vec!["냉장 센서".to_string()]);
    }
}

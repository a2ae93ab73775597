//! Maps char ranges of a line back to the OCR word boxes that cover them.

use std::ops::Range;

use super::{Rect, Word};

/// Char span of each OCR word inside the line text.
pub(crate) struct WordSpans {
    spans: Vec<(Range<usize>, Rect)>,
}

impl WordSpans {
    /// Words are located in order, comparing only non-whitespace characters:
    /// OCR may split a token ("010-1234-" + "5678", "2025" + "년") or the line
    /// text may join words with or without spaces, and both must still line up.
    /// A word that cannot be found (OCR text differs from the line) is skipped.
    pub(crate) fn new(text: &str, words: &[Word]) -> Self {
        let visible: Vec<(usize, char)> = text.chars().enumerate().filter(|(_, c)| !c.is_whitespace()).collect();
        let mut cursor = 0;
        let mut spans = Vec::with_capacity(words.len());
        for word in words {
            let needle: Vec<char> = word.text.chars().filter(|c| !c.is_whitespace()).collect();
            if needle.is_empty() {
                continue;
            }
            let Some(at) = find_from(&visible, &needle, cursor) else { continue };
            let (Some(first), Some(last)) = (visible.get(at), visible.get(at + needle.len() - 1)) else { continue };
            let rect = Rect { x: word.x, y: word.y, width: word.width, height: word.height };
            spans.push((first.0..last.0 + 1, rect));
            cursor = at + needle.len();
        }
        Self { spans }
    }

    /// Union of the boxes of every word overlapping `range`; `None` without geometry.
    pub(crate) fn cover(&self, range: &Range<usize>) -> Option<Rect> {
        self.spans
            .iter()
            .filter(|(span, _)| span.start < range.end && range.start < span.end)
            .map(|(_, rect)| *rect)
            .reduce(Rect::union)
    }
}

fn find_from(haystack: &[(usize, char)], needle: &[char], from: usize) -> Option<usize> {
    let last_start = haystack.len().checked_sub(needle.len())?;
    (from..=last_start).find(|&i| {
        haystack.get(i..i + needle.len()).is_some_and(|w| w.iter().map(|(_, c)| *c).eq(needle.iter().copied()))
    })
}

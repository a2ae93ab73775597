//! Plain-text mode: detect PII line by line and replace it with `*`.
//!
//! Every character of a detection becomes one `*`, separators and spaces inside it included
//! (`010-1234-5678` → `*************`): the masked text keeps its length, so the reported
//! `start`/`end` char offsets index both the input and the masked text, and the masking does not
//! hint at the shape of what it hides beyond its length.

use crate::output::DetectedItem;
use crate::pii::{Line, detect};

/// The masked character.
pub const MASK: char = '*';

/// The text with every detected character replaced by [`MASK`], and the detections with char
/// offsets into the whole text.
pub fn mask_text(text: &str) -> (String, Vec<DetectedItem>) {
    let lines: Vec<Line> = text.split('\n').map(Line::text_only).collect();
    // Char offset of each line's first character in `text` (the `\n`s count as one char each).
    let mut line_starts = Vec::with_capacity(lines.len());
    let mut offset = 0;
    for line in &lines {
        line_starts.push(offset);
        offset += line.text.chars().count() + 1;
    }
    let items: Vec<DetectedItem> = detect(&lines)
        .into_iter()
        .map(|d| DetectedItem {
            kind: d.kind,
            location: None,
            page: None,
            start: Some(line_starts[d.line] + d.char_range.start),
            end: Some(line_starts[d.line] + d.char_range.end),
            confidence: d.confidence,
        })
        .collect();
    let masked = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let hidden = items.iter().any(|it| it.start.is_some_and(|s| s <= i) && it.end.is_some_and(|e| i < e));
            if hidden { MASK } else { c }
        })
        .collect();
    (masked, items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::PiiKind;

    fn span(text: &str, item: &DetectedItem) -> String {
        text.chars().skip(item.start.unwrap()).take(item.end.unwrap() - item.start.unwrap()).collect()
    }

    #[test]
    fn every_character_of_a_detection_becomes_a_star() {
        let text = "연락처 010-1234-5678 입니다";
        let (masked, items) = mask_text(text);
        assert_eq!(items.len(), 1);
        assert_eq!(span(text, &items[0]), "010-1234-5678");
        assert_eq!(span(&masked, &items[0]), "*".repeat(13));
    }

    #[test]
    fn characters_outside_detections_are_kept() {
        let text = "연락처 010-1234-5678 입니다";
        let (masked, items) = mask_text(text);
        let (start, end) = (items[0].start.unwrap(), items[0].end.unwrap());
        let outside = |s: &str| -> String {
            s.chars().enumerate().filter(|(i, _)| *i < start || *i >= end).map(|(_, c)| c).collect()
        };
        assert_eq!(outside(&masked), outside(text));
    }

    #[test]
    fn masked_text_has_as_many_characters_as_the_input() {
        let text = "이메일 hong@example.com, 전화 02-123-4567";
        assert_eq!(mask_text(text).0.chars().count(), text.chars().count());
    }

    #[test]
    fn offsets_count_characters_across_lines() {
        let text = "첫 줄\r\n둘째 줄 hong@example.com\n끝";
        let (masked, items) = mask_text(text);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].kind, PiiKind::Email);
        assert_eq!(span(text, &items[0]), "hong@example.com");
        assert!(masked.ends_with(&format!("{}\n끝", "*".repeat(16))), "{masked:?}");
    }

    #[test]
    fn text_without_pii_is_unchanged_and_reports_nothing() {
        let text = "회의는 내일 오후 3시에 합니다.";
        assert_eq!(mask_text(text), (text.to_string(), Vec::new()));
    }

    #[test]
    fn items_carry_no_location_or_page() {
        let (_, items) = mask_text("010-1234-5678");
        assert_eq!((items[0].location, items[0].page), (None, None));
    }
}

//! The text of one page or image with its geometry in output pixels, from either source the
//! component reads: an OCR recognition (already in pixels) or a PDF text layer (in points, scaled
//! here). Detections on it are then placed as boxes to black out.

use capsule_sdk::engines::Recognition;

use crate::pii::{Detection, Line, PiiKind, Rect, Word};

/// Lines ready for [`crate::pii::detect`], with each line's own box as a fallback for detections
/// whose words cannot be matched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageText {
    pub lines: Vec<Line>,
    /// Parallel to `lines`: the whole line's box, `None` when it has no geometry.
    pub line_boxes: Vec<Option<Rect>>,
}

impl PageText {
    /// True when there is no non-whitespace text to search.
    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.text.trim().is_empty())
    }
}

/// OCR lines and word boxes as masking lines; the boxes are already in the image's pixels.
pub fn from_recognition(recognition: &Recognition) -> PageText {
    let lines = recognition
        .lines
        .iter()
        .map(|l| Line {
            text: l.text.clone(),
            words: l
                .words
                .iter()
                .map(|w| Word { text: w.text.clone(), x: w.x, y: w.y, width: w.width, height: w.height })
                .collect(),
        })
        .collect();
    let line_boxes = recognition
        .lines
        .iter()
        .map(|l| non_empty(Rect { x: l.x, y: l.y, width: l.width, height: l.height }))
        .collect();
    PageText { lines, line_boxes }
}

/// How far (relative) the rendered page's pixels per point may stray from `dpi / 72` for the
/// text layer's boxes to be trusted: renderers round the pixel size up to a whole pixel.
const SCALE_TOLERANCE: f32 = 0.02;

/// How a page's text layer (points, top-left origin, before `/Rotate`) lands on its rendering
/// (pixels, the page as displayed: `/Rotate` applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageMapping {
    /// Pixels per point along the rendering's x and y axes.
    pub sx: f32,
    pub sy: f32,
    /// Clockwise quarter turns of `/Rotate`, 0..=3.
    pub quarter_turns: u8,
    /// The unrotated page box, in points.
    pub page_width: f32,
    pub page_height: f32,
}

impl PageMapping {
    /// The mapping of a `page_width` × `page_height` points page with `rotate` (degrees clockwise)
    /// onto its `image_width` × `image_height` rendering at `dpi`; `None` when the rendering is not
    /// that page box at that resolution (another box was rendered, or `/Rotate` is not a multiple of
    /// 90), so the text layer's boxes would land in the wrong place and the page must be OCR'd.
    pub fn new(
        page_width: f32,
        page_height: f32,
        image_width: u32,
        image_height: u32,
        dpi: u32,
        rotate: i64,
    ) -> Option<Self> {
        if rotate.rem_euclid(90) != 0 || !(page_width > 0.0 && page_height > 0.0) {
            return None;
        }
        let quarter_turns = (rotate.rem_euclid(360) / 90) as u8;
        let (shown_width, shown_height) =
            if quarter_turns % 2 == 1 { (page_height, page_width) } else { (page_width, page_height) };
        let nominal = dpi as f32 / 72.0;
        let sx = image_width as f32 / shown_width;
        let sy = image_height as f32 / shown_height;
        let close = |s: f32| ((s / nominal) - 1.0).abs() <= SCALE_TOLERANCE;
        (close(sx) && close(sy)).then_some(Self { sx, sy, quarter_turns, page_width, page_height })
    }

    /// A text-layer box (points, unrotated) as pixels of the rendering.
    pub fn map(&self, x: f32, y: f32, width: f32, height: f32) -> Rect {
        let (w, h) = (self.page_width, self.page_height);
        let (x, y, width, height) = match self.quarter_turns {
            // Clockwise: the unrotated top-left corner ends at the top-right.
            1 => (h - y - height, x, height, width),
            2 => (w - x - width, h - y - height, width, height),
            3 => (y, w - x - width, height, width),
            _ => (x, y, width, height),
        };
        scale_box(x, y, width, height, self.sx, self.sy)
    }
}

/// A box in points (top-left origin) scaled to pixels, rounded outwards so it covers every pixel
/// the box touches; negative coordinates are cut at 0.
pub fn scale_box(x: f32, y: f32, width: f32, height: f32, sx: f32, sy: f32) -> Rect {
    // `as u32` saturates: negatives and NaN become 0, huge values u32::MAX.
    let left = (x * sx).floor().max(0.0) as u32;
    let top = (y * sy).floor().max(0.0) as u32;
    let right = ((x + width) * sx).ceil().max(0.0) as u32;
    let bottom = ((y + height) * sy).ceil().max(0.0) as u32;
    Rect { x: left, y: top, width: right.saturating_sub(left), height: bottom.saturating_sub(top) }
}

/// A PDF page's text layer as masking lines, its word boxes mapped from points to the rendering's pixels.
pub fn from_text_layer(page: &pdf_text::Page, mapping: &PageMapping) -> PageText {
    let mut lines = Vec::with_capacity(page.lines.len());
    let mut line_boxes = Vec::with_capacity(page.lines.len());
    for line in &page.lines {
        let words: Vec<Word> = line
            .words
            .iter()
            .filter_map(|&i| page.words.get(i))
            .map(|w| {
                let r = mapping.map(w.x, w.y, w.width, w.height);
                Word { text: w.text.clone(), x: r.x, y: r.y, width: r.width, height: r.height }
            })
            .collect();
        line_boxes.push(words.iter().map(word_rect).reduce(Rect::union).and_then(non_empty));
        lines.push(Line { text: line.text.clone(), words });
    }
    PageText { lines, line_boxes }
}

/// A detection placed on the image.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub kind: PiiKind,
    pub confidence: f32,
    /// The box to black out, inside the image; `None` when the detection could not be placed.
    pub location: Option<Rect>,
    /// True when the words of the detection could not be matched and the whole line's box is used.
    pub whole_line: bool,
}

/// Where each detection lies in a `width` × `height` image: the union of its words' boxes, else
/// its whole line's box (masking too much beats leaving PII readable), cut to the image.
pub fn place(detections: &[Detection], text: &PageText, width: u32, height: u32) -> Vec<Placed> {
    detections
        .iter()
        .map(|d| {
            let exact = d.location.and_then(|r| clip(r, width, height));
            let line = || text.line_boxes.get(d.line).copied().flatten().and_then(|r| clip(r, width, height));
            let (location, whole_line) = match exact {
                Some(r) => (Some(r), false),
                None => match line() {
                    Some(r) => (Some(r), true),
                    None => (None, false),
                },
            };
            Placed { kind: d.kind, confidence: d.confidence, location, whole_line }
        })
        .collect()
}

/// The detections of two readings of one page (its text layer, then OCR of its rendering): all of
/// the first, and those of the second that do not overlap one of the same kind already there. An
/// overlapping pair is one finding, covering both boxes so whatever either reading saw is masked.
pub fn merge(first: Vec<Placed>, second: Vec<Placed>) -> Vec<Placed> {
    let mut merged = first;
    let original = merged.len();
    for p in second {
        let twin = p.location.and_then(|r| {
            merged[..original].iter_mut().find(|q| q.kind == p.kind && q.location.is_some_and(|s| overlaps(r, s)))
        });
        match twin {
            Some(q) => {
                q.location = q.location.zip(p.location).map(|(a, b)| a.union(b));
                q.whole_line |= p.whole_line;
                q.confidence = q.confidence.max(p.confidence);
            }
            None => merged.push(p),
        }
    }
    merged
}

fn overlaps(a: Rect, b: Rect) -> bool {
    let (a_right, b_right) = (a.x.saturating_add(a.width), b.x.saturating_add(b.width));
    let (a_bottom, b_bottom) = (a.y.saturating_add(a.height), b.y.saturating_add(b.height));
    a.x < b_right && b.x < a_right && a.y < b_bottom && b.y < a_bottom
}

/// The part of `rect` inside a `width` × `height` image, `None` when nothing is.
pub fn clip(rect: Rect, width: u32, height: u32) -> Option<Rect> {
    let left = rect.x.min(width);
    let top = rect.y.min(height);
    let right = rect.x.saturating_add(rect.width).min(width);
    let bottom = rect.y.saturating_add(rect.height).min(height);
    (right > left && bottom > top).then(|| Rect { x: left, y: top, width: right - left, height: bottom - top })
}

fn word_rect(w: &Word) -> Rect {
    Rect { x: w.x, y: w.y, width: w.width, height: w.height }
}

fn non_empty(r: Rect) -> Option<Rect> {
    (r.width > 0 && r.height > 0).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::detect;
    use capsule_sdk::engines::{Line as OcrLine, Word as OcrWord};

    fn ocr_word(text: &str, x: u32) -> OcrWord {
        OcrWord { text: text.into(), confidence: 0.9, x, y: 40, width: 12 * text.chars().count() as u32, height: 20 }
    }

    fn recognition(lines: Vec<OcrLine>) -> Recognition {
        Recognition { width: 800, height: 600, lines, confidence: 0.9, languages: "kor+eng".into() }
    }

    fn ocr_line(text: &str, words: Vec<OcrWord>) -> OcrLine {
        OcrLine { text: text.into(), confidence: 0.9, x: 10, y: 38, width: 500, height: 24, words }
    }

    fn pdf_word(text: &str, x: f32, y: f32) -> pdf_text::Word {
        pdf_text::Word { text: text.into(), x, y, width: 6.0 * text.chars().count() as f32, height: 12.0 }
    }

    #[test]
    fn ocr_lines_keep_text_words_and_pixel_boxes() {
        let r = recognition(vec![ocr_line(
            "전화 010-1234-5678",
            vec![ocr_word("전화", 10), ocr_word("010-1234-5678", 50)],
        )]);
        let page = from_recognition(&r);
        assert_eq!(page.lines.len(), 1);
        assert_eq!(page.lines[0].text, "전화 010-1234-5678");
        let w = &page.lines[0].words[1];
        assert_eq!((w.text.as_str(), w.x, w.y, w.width, w.height), ("010-1234-5678", 50, 40, 156, 20));
        assert_eq!(page.line_boxes, vec![Some(Rect { x: 10, y: 38, width: 500, height: 24 })]);
    }

    #[test]
    fn ocr_line_without_area_has_no_fallback_box() {
        let mut line = ocr_line("x", vec![]);
        line.width = 0;
        assert_eq!(from_recognition(&recognition(vec![line])).line_boxes, vec![None]);
    }

    #[test]
    fn detection_on_ocr_lines_is_located_on_its_words() {
        let r = recognition(vec![ocr_line(
            "전화 010-1234-5678",
            vec![ocr_word("전화", 10), ocr_word("010-1234-5678", 50)],
        )]);
        let page = from_recognition(&r);
        let placed = place(&detect(&page.lines), &page, 800, 600);
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].location, Some(Rect { x: 50, y: 40, width: 156, height: 20 }));
        assert!(!placed[0].whole_line);
    }

    #[test]
    fn scale_maps_points_to_pixels_at_the_dpi() {
        // 150 dpi: 150/72 pixels per point.
        let s = 150.0 / 72.0;
        assert_eq!(scale_box(72.0, 36.0, 144.0, 72.0, s, s), Rect { x: 150, y: 75, width: 300, height: 150 });
    }

    #[test]
    fn scaled_boxes_round_outwards() {
        let r = scale_box(10.3, 10.3, 10.0, 10.0, 1.0, 1.0);
        assert_eq!(r, Rect { x: 10, y: 10, width: 11, height: 11 });
    }

    #[test]
    fn negative_coordinates_are_cut_at_zero() {
        let r = scale_box(-5.0, -5.0, 10.0, 10.0, 2.0, 2.0);
        assert_eq!(r, Rect { x: 0, y: 0, width: 10, height: 10 });
    }

    #[test]
    fn text_layer_lines_get_scaled_word_boxes() {
        let page = pdf_text::Page {
            number: 1,
            width: 306.0,
            height: 396.0,
            text: "Tel 010-1234-5678".into(),
            words: vec![pdf_word("Tel", 72.0, 100.0), pdf_word("010-1234-5678", 100.0, 100.0)],
            lines: vec![pdf_text::Line { text: "Tel 010-1234-5678".into(), words: vec![0, 1] }],
        };
        let text = from_text_layer(&page, &mapping((306.0, 396.0), (612, 792), 144, 0).unwrap());
        assert_eq!(text.lines[0].text, "Tel 010-1234-5678");
        let w = &text.lines[0].words[1];
        assert_eq!((w.x, w.y, w.width, w.height), (200, 200, 156, 24));
        assert_eq!(text.line_boxes[0], Some(Rect { x: 144, y: 200, width: 212, height: 24 }));
    }

    #[test]
    fn text_layer_word_indices_out_of_range_are_skipped() {
        let page = pdf_text::Page {
            number: 1,
            width: 100.0,
            height: 100.0,
            text: "a".into(),
            words: vec![pdf_word("a", 1.0, 1.0)],
            lines: vec![pdf_text::Line { text: "a".into(), words: vec![0, 7] }],
        };
        let m = mapping((100.0, 100.0), (100, 100), 72, 0).unwrap();
        assert_eq!(from_text_layer(&page, &m).lines[0].words.len(), 1);
    }

    fn mapping(page: (f32, f32), image: (u32, u32), dpi: u32, rotate: i64) -> Option<PageMapping> {
        PageMapping::new(page.0, page.1, image.0, image.1, dpi, rotate)
    }

    #[test]
    fn upright_rendering_at_the_dpi_gives_its_actual_scale() {
        // US Letter at 150 dpi renders as 1275 × 1650 pixels.
        let m = mapping((612.0, 792.0), (1275, 1650), 150, 0).unwrap();
        assert!((m.sx - 1275.0 / 612.0).abs() < 1e-6 && (m.sy - 1650.0 / 792.0).abs() < 1e-6);
    }

    #[test]
    fn renderer_rounding_up_a_pixel_still_uses_the_text_layer() {
        assert!(mapping((595.0, 842.0), (1240, 1755), 150, 0).is_some());
    }

    #[test]
    fn rendering_of_another_page_box_does_not_use_the_text_layer() {
        // A media box larger than the crop box the text layer measured.
        assert_eq!(mapping((500.0, 700.0), (1275, 1650), 150, 0), None);
    }

    #[test]
    fn landscape_rendering_of_an_unrotated_portrait_page_does_not_use_the_text_layer() {
        assert_eq!(mapping((612.0, 792.0), (1650, 1275), 150, 0), None);
    }

    #[test]
    fn quarter_turned_page_expects_a_landscape_rendering() {
        assert!(mapping((612.0, 792.0), (1650, 1275), 150, 90).is_some());
        assert!(mapping((612.0, 792.0), (1650, 1275), 150, -90).is_some());
        assert_eq!(mapping((612.0, 792.0), (1275, 1650), 150, 270), None);
    }

    #[test]
    fn rotate_that_is_not_a_quarter_turn_does_not_use_the_text_layer() {
        assert_eq!(mapping((600.0, 600.0), (1250, 1250), 150, 45), None);
    }

    #[test]
    fn degenerate_page_size_does_not_use_the_text_layer() {
        assert_eq!(mapping((0.0, 792.0), (1275, 1650), 150, 0), None);
    }

    /// A 100 × 50 points page at 72 dpi (1 pixel per point) and a 10 × 5 box at its top-left corner.
    fn corner_box(rotate: i64, image: (u32, u32)) -> Rect {
        mapping((100.0, 50.0), image, 72, rotate).unwrap().map(0.0, 0.0, 10.0, 5.0)
    }

    #[test]
    fn unrotated_boxes_keep_their_place() {
        assert_eq!(corner_box(0, (100, 50)), Rect { x: 0, y: 0, width: 10, height: 5 });
    }

    #[test]
    fn rotate_90_moves_the_top_left_corner_to_the_top_right() {
        assert_eq!(corner_box(90, (50, 100)), Rect { x: 45, y: 0, width: 5, height: 10 });
    }

    #[test]
    fn rotate_180_moves_the_top_left_corner_to_the_bottom_right() {
        assert_eq!(corner_box(180, (100, 50)), Rect { x: 90, y: 45, width: 10, height: 5 });
    }

    #[test]
    fn rotate_270_moves_the_top_left_corner_to_the_bottom_left() {
        assert_eq!(corner_box(270, (50, 100)), Rect { x: 0, y: 90, width: 5, height: 10 });
    }

    #[test]
    fn unmatched_words_fall_back_to_the_whole_line() {
        // The OCR words do not spell the line text, so the detection has no word box.
        let r = recognition(vec![ocr_line("전화 010-1234-5678", vec![ocr_word("???", 10)])]);
        let page = from_recognition(&r);
        let placed = place(&detect(&page.lines), &page, 800, 600);
        assert_eq!(placed[0].location, Some(Rect { x: 10, y: 38, width: 500, height: 24 }));
        assert!(placed[0].whole_line);
    }

    #[test]
    fn boxes_are_cut_to_the_image() {
        let r = recognition(vec![ocr_line("010-1234-5678", vec![ocr_word("010-1234-5678", 700)])]);
        let page = from_recognition(&r);
        let placed = place(&detect(&page.lines), &page, 800, 600);
        assert_eq!(placed[0].location, Some(Rect { x: 700, y: 40, width: 100, height: 20 }));
    }

    #[test]
    fn detection_without_any_geometry_is_not_placed() {
        let page = PageText { lines: vec![Line::text_only("010-1234-5678")], line_boxes: vec![None] };
        let placed = place(&detect(&page.lines), &page, 800, 600);
        assert_eq!((placed.len(), placed[0].location), (1, None));
    }

    #[test]
    fn clip_drops_boxes_entirely_outside() {
        assert_eq!(clip(Rect { x: 900, y: 10, width: 10, height: 10 }, 800, 600), None);
    }

    fn placed(kind: PiiKind, x: u32, width: u32) -> Placed {
        Placed { kind, confidence: 0.9, location: Some(Rect { x, y: 10, width, height: 10 }), whole_line: false }
    }

    #[test]
    fn merge_keeps_one_of_overlapping_findings_of_a_kind_covering_both() {
        let merged = merge(vec![placed(PiiKind::Phone, 10, 50)], vec![placed(PiiKind::Phone, 40, 50)]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].location, Some(Rect { x: 10, y: 10, width: 80, height: 10 }));
    }

    #[test]
    fn merge_keeps_overlapping_findings_of_different_kinds() {
        let merged = merge(vec![placed(PiiKind::Phone, 10, 50)], vec![placed(PiiKind::BankAccount, 40, 50)]);
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn merge_keeps_separate_findings_of_a_kind() {
        let merged = merge(vec![placed(PiiKind::Phone, 10, 20)], vec![placed(PiiKind::Phone, 40, 20)]);
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn merge_never_folds_two_findings_of_the_second_reading_together() {
        let merged = merge(vec![], vec![placed(PiiKind::Name, 10, 20), placed(PiiKind::Name, 20, 20)]);
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn merge_keeps_unplaced_findings() {
        let unplaced = Placed { location: None, ..placed(PiiKind::Email, 0, 1) };
        let merged = merge(vec![unplaced.clone()], vec![unplaced]);
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn whitespace_only_text_is_blank() {
        let page = PageText { lines: vec![Line::text_only("  ")], line_boxes: vec![None] };
        assert!(page.is_blank());
        assert!(!from_recognition(&recognition(vec![ocr_line("a", vec![])])).is_blank());
    }
}

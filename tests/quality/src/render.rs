//! Lays text out with real glyph advances (and kerning), rasterises it with
//! `ab_glyph`, and measures the pixel box of any character span from the same
//! layout, so labels and pixels can never disagree.

use std::ops::Range;
use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use anyhow::{Context, Result, bail};
use image::{GrayImage, Luma};

/// A box in page pixels, `y` growing downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Bounds {
    pub fn union(self, o: Bounds) -> Bounds {
        Bounds { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }

    pub fn shift(self, dx: f32, dy: f32) -> Bounds {
        Bounds { x0: self.x0 + dx, y0: self.y0 + dy, x1: self.x1 + dx, y1: self.y1 + dy }
    }

    pub fn area(self) -> f32 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    pub fn intersection_area(self, o: Bounds) -> f32 {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
    }
}

/// What layout needs from a font at one size. `ink` is relative to the pen
/// position on the baseline; `descent` is negative (below the baseline).
pub trait Metrics {
    fn advance(&self, c: char) -> f32;
    fn kern(&self, a: char, b: char) -> f32;
    fn ink(&self, c: char) -> Option<Bounds>;
    fn ascent(&self) -> f32;
    fn descent(&self) -> f32;
}

/// One line placed on a page: the pen position of every `char`.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidLine {
    pub text: String,
    pub baseline: f32,
    pub pens: Vec<f32>,
    pub end: f32,
}

pub fn lay_line(m: &impl Metrics, text: &str, x: f32, baseline: f32) -> LaidLine {
    let mut pens = Vec::new();
    let mut pen = x;
    let mut prev = None;
    for c in text.chars() {
        if let Some(p) = prev {
            pen += m.kern(p, c);
        }
        pens.push(pen);
        pen += m.advance(c);
        prev = Some(c);
    }
    LaidLine { text: text.to_string(), baseline, pens, end: pen }
}

impl LaidLine {
    /// The ink box of the `chars` span (union of its glyphs' outlines); for a
    /// span of blanks only, its advance box between ascent and descent.
    pub fn span_box(&self, m: &impl Metrics, chars: Range<usize>) -> Bounds {
        let ink = self
            .text
            .chars()
            .zip(&self.pens)
            .enumerate()
            .filter(|(i, _)| chars.contains(i))
            .filter_map(|(_, (c, &pen))| m.ink(c).map(|b| b.shift(pen, self.baseline)))
            .reduce(Bounds::union);
        ink.unwrap_or_else(|| {
            let start = self.pens.get(chars.start).copied().unwrap_or(self.end);
            let end = self.pens.get(chars.end).copied().unwrap_or(self.end);
            Bounds { x0: start, y0: self.baseline - m.ascent(), x1: end, y1: self.baseline - m.descent() }
        })
    }
}

/// Lines laid out top to bottom on a white page.
#[derive(Debug, Clone)]
pub struct Page {
    pub width: u32,
    pub height: u32,
    pub lines: Vec<LaidLine>,
}

/// Page geometry: `line_height` and `margin` in px; the page grows beyond
/// `min_width` × `min_height` if the text needs it.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    pub line_height: f32,
    pub margin: f32,
    pub min_width: u32,
    pub min_height: u32,
}

pub fn lay_page(m: &impl Metrics, lines: &[String], spec: PageSpec) -> Page {
    let laid: Vec<LaidLine> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| lay_line(m, l, spec.margin, spec.margin + m.ascent() + i as f32 * spec.line_height))
        .collect();
    let right = laid.iter().map(|l| l.end).fold(0.0, f32::max) + spec.margin;
    let bottom = laid.last().map_or(0.0, |l| l.baseline - m.descent()) + spec.margin;
    Page {
        width: spec.min_width.max(right.ceil() as u32),
        height: spec.min_height.max(bottom.ceil() as u32),
        lines: laid,
    }
}

/// A TrueType font file.
pub struct Face {
    font: FontVec,
}

impl Face {
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| {
            format!("reading font {} (Debian/Ubuntu: `apt-get install fonts-nanum`)", path.display())
        })?;
        let font = FontVec::try_from_vec(bytes).with_context(|| format!("parsing font {}", path.display()))?;
        Ok(Self { font })
    }

    /// The font at a pixel height (`PxScale`: ascent − descent in px).
    pub fn at(&self, px: f32) -> FaceAt<'_> {
        FaceAt { font: &self.font, scale: PxScale::from(px) }
    }

    /// Fails if the font has no glyph for some visible character of `text`.
    pub fn check_covers(&self, text: &str) -> Result<()> {
        let mut missing: Vec<char> =
            text.chars().filter(|c| !c.is_whitespace() && self.font.glyph_id(*c).0 == 0).collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            bail!("the font has no glyph for {missing:?}");
        }
        Ok(())
    }
}

/// A [`Face`] at one size.
pub struct FaceAt<'a> {
    font: &'a FontVec,
    scale: PxScale,
}

impl Metrics for FaceAt<'_> {
    fn advance(&self, c: char) -> f32 {
        self.font.as_scaled(self.scale).h_advance(self.font.glyph_id(c))
    }

    fn kern(&self, a: char, b: char) -> f32 {
        self.font.as_scaled(self.scale).kern(self.font.glyph_id(a), self.font.glyph_id(b))
    }

    fn ink(&self, c: char) -> Option<Bounds> {
        let glyph = self.font.glyph_id(c).with_scale_and_position(self.scale, point(0.0, 0.0));
        let r = self.font.outline_glyph(glyph)?.px_bounds();
        Some(Bounds { x0: r.min.x, y0: r.min.y, x1: r.max.x, y1: r.max.y })
    }

    fn ascent(&self) -> f32 {
        self.font.as_scaled(self.scale).ascent()
    }

    fn descent(&self) -> f32 {
        self.font.as_scaled(self.scale).descent()
    }
}

impl FaceAt<'_> {
    /// Black anti-aliased text on white.
    pub fn render(&self, page: &Page) -> GrayImage {
        let mut img = GrayImage::from_pixel(page.width, page.height, Luma([255]));
        for line in &page.lines {
            for (c, &pen) in line.text.chars().zip(&line.pens) {
                let glyph = self.font.glyph_id(c).with_scale_and_position(self.scale, point(pen, line.baseline));
                let Some(outlined) = self.font.outline_glyph(glyph) else { continue };
                let b = outlined.px_bounds();
                outlined.draw(|x, y, coverage| {
                    let (px, py) = (b.min.x as i64 + x as i64, b.min.y as i64 + y as i64);
                    if px < 0 || py < 0 || px >= page.width as i64 || py >= page.height as i64 {
                        return;
                    }
                    let v = (255.0 * (1.0 - coverage.clamp(0.0, 1.0))).round() as u8;
                    let p = img.get_pixel_mut(px as u32, py as u32);
                    p.0[0] = p.0[0].min(v);
                });
            }
        }
        img
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A monospace stand-in: every glyph advances 10 px with ink from 1 to 9.
    pub struct Mono;

    impl Metrics for Mono {
        fn advance(&self, _: char) -> f32 {
            10.0
        }
        fn kern(&self, _: char, _: char) -> f32 {
            0.0
        }
        fn ink(&self, c: char) -> Option<Bounds> {
            (!c.is_whitespace()).then_some(Bounds { x0: 1.0, y0: -8.0, x1: 9.0, y1: 2.0 })
        }
        fn ascent(&self) -> f32 {
            9.0
        }
        fn descent(&self) -> f32 {
            -3.0
        }
    }

    #[test]
    fn span_box_right_edge_grows_with_the_span_end() {
        let line = lay_line(&Mono, "연락처: 010-1234-5678", 20.0, 50.0);
        let rights: Vec<f32> = (6..=18).map(|end| line.span_box(&Mono, 5..end).x1).collect();
        assert!(rights.windows(2).all(|w| w[0] < w[1]), "{rights:?}");
    }

    #[test]
    fn span_box_is_the_ink_of_its_characters_at_their_pen_positions() {
        let line = lay_line(&Mono, "ab cd", 20.0, 50.0);
        assert_eq!(line.span_box(&Mono, 3..5), Bounds { x0: 51.0, y0: 42.0, x1: 69.0, y1: 52.0 });
    }

    #[test]
    fn span_box_of_blanks_falls_back_to_the_advance_box() {
        let line = lay_line(&Mono, "a  b", 0.0, 50.0);
        assert_eq!(line.span_box(&Mono, 1..3), Bounds { x0: 10.0, y0: 41.0, x1: 30.0, y1: 53.0 });
    }

    #[test]
    fn page_grows_to_fit_its_widest_line_and_last_baseline() {
        let spec = PageSpec { line_height: 20.0, margin: 10.0, min_width: 50, min_height: 50 };
        let page = lay_page(&Mono, &["short".into(), "a much longer line".into(), "x".into()], spec);
        assert_eq!(page.width, 10 + 180 + 10);
        assert_eq!(page.height, (10.0 + 9.0 + 40.0 + 3.0 + 10.0) as u32);
    }
}

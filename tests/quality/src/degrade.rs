//! Image degradations for the OCR variants, and encoding.

use std::io::Cursor;

use anyhow::Result;
use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, ImageFormat, Luma};

use crate::rng::Rng;

/// Adds independent Gaussian noise (standard deviation `sigma` grey levels) to every pixel.
pub fn gaussian_noise(img: &GrayImage, sigma: f64, seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = (p.0[0] as f64 + sigma * rng.gaussian()).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Rotates by `degrees` (counter-clockwise) about the centre, bilinear, on a
/// canvas enlarged to hold the whole page; uncovered corners are white.
pub fn rotate(img: &GrayImage, degrees: f64) -> GrayImage {
    let (w, h) = (img.width() as f64, img.height() as f64);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let out_w = (w * cos.abs() + h * sin.abs()).ceil();
    let out_h = (w * sin.abs() + h * cos.abs()).ceil();
    let (cx, cy, ocx, ocy) = (w / 2.0, h / 2.0, out_w / 2.0, out_h / 2.0);
    let sample = |x: f64, y: f64| -> f64 {
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let at = |xi: f64, yi: f64| -> f64 {
            if xi < 0.0 || yi < 0.0 || xi >= w || yi >= h {
                255.0
            } else {
                img.get_pixel(xi as u32, yi as u32).0[0] as f64
            }
        };
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
        let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
        top * (1.0 - fy) + bottom * fy
    };
    GrayImage::from_fn(out_w as u32, out_h as u32, |x, y| {
        // Inverse map: rotate the output pixel centre back by −θ (y grows downwards).
        let (dx, dy) = (x as f64 + 0.5 - ocx, y as f64 + 0.5 - ocy);
        let sx = cos * dx - sin * dy + cx - 0.5;
        let sy = sin * dx + cos * dy + cy - 0.5;
        Luma([sample(sx, sy).round().clamp(0.0, 255.0) as u8])
    })
}

pub fn png(img: &GrayImage) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

pub fn jpeg(img: &GrayImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(img)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotate_by_zero_keeps_the_image() {
        let img = GrayImage::from_fn(7, 5, |x, y| Luma([(x * 30 + y * 7) as u8]));
        assert_eq!(rotate(&img, 0.0), img);
    }

    #[test]
    fn rotate_enlarges_the_canvas_to_hold_the_corners() {
        let img = GrayImage::from_pixel(100, 50, Luma([255]));
        let r = rotate(&img, 2.0);
        assert_eq!((r.width(), r.height()), (102, 54));
    }

    #[test]
    fn noise_is_the_same_for_the_same_seed_and_differs_otherwise() {
        let img = GrayImage::from_pixel(20, 20, Luma([128]));
        assert_eq!(gaussian_noise(&img, 20.0, 1), gaussian_noise(&img, 20.0, 1));
        assert_ne!(gaussian_noise(&img, 20.0, 1), gaussian_noise(&img, 20.0, 2));
    }
}

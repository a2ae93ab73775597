//! Pixels: decoding uploads and rendered pages within a size budget, blacking out boxes, and
//! encoding the result (PNG for images, JPEG for the pages of a rebuilt PDF).

use std::io::Cursor;

use capsule_sdk::Failure;
use capsule_sdk::files::invalid_file;
use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, Pixel, RgbImage};

use crate::pii::Rect;
use crate::request::Format;

/// A rendered page has more pixels than the component will decode (the dpi is too high for it).
pub const IMAGE_TOO_LARGE: &str = "MASKING_IMAGE_TOO_LARGE";

/// Largest image decoded: 40 megapixels (e.g. 7300 × 5475, or an A4 page at 600 dpi).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Most the decoder may allocate: 40 megapixels of 8-bit RGBA with room to spare, well inside the
/// component's memory; a 16-bit image that size is refused rather than exhausting it.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Margin added around every box, in pixels, so antialiased glyph edges are covered too.
pub const PAD: u32 = 2;

/// JPEG quality of the pages of a rebuilt PDF: text stays crisp, pages stay small.
pub const JPEG_QUALITY: u8 = 85;

/// A decoded image and how its EXIF (or TIFF) metadata says it should be displayed.
pub struct Decoded {
    pub image: DynamicImage,
    /// Not applied: OCR boxes are in the pixels as stored.
    pub orientation: Orientation,
}

/// Why an image could not be decoded. Whose fault that is depends on where the image came from
/// (the client's upload, or the host's renderer), so the caller turns it into a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Over [`MAX_PIXELS`] (`width × height` when the header said), or over the decode budget.
    TooLarge(Option<(u32, u32)>),
    /// Not readable as its format: truncated or damaged. The decoder's reason.
    Unreadable(String),
}

impl DecodeError {
    /// The failure for an image the client sent: always `INPUT_INVALID_FILE`, saying what is wrong.
    pub fn upload_failure(self, format: Format) -> Failure {
        let name = format.name();
        match self {
            Self::TooLarge(Some((w, h))) => invalid_file(format!(
                "the {name} image is {w}×{h} pixels, over the {} MP limit; scale it down and send it again",
                MAX_PIXELS / 1_000_000
            )),
            Self::TooLarge(None) => invalid_file(format!(
                "the {name} image is too large to decode (over {} MP or {} MiB of pixels); scale it down and send \
                 it again",
                MAX_PIXELS / 1_000_000,
                MAX_DECODE_BYTES / (1024 * 1024)
            )),
            Self::Unreadable(why) => invalid_file(format!(
                "the {name} image is truncated or damaged and could not be decoded ({why}); re-save it and send it \
                 again"
            )),
        }
    }
}

/// Decode `bytes` as `format`, refusing more than [`MAX_PIXELS`] before any pixel is allocated.
pub fn decode(bytes: &[u8], format: Format) -> Result<Decoded, DecodeError> {
    let image_format = match format {
        Format::Png => ImageFormat::Png,
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Webp => ImageFormat::WebP,
        Format::Tiff => ImageFormat::Tiff,
        Format::Pdf => return Err(DecodeError::Unreadable("a PDF is not an image".into())),
    };
    let failure = |e: ImageError| match e {
        ImageError::Limits(_) => DecodeError::TooLarge(None),
        e => DecodeError::Unreadable(e.to_string()),
    };
    // The header first (`imagesize` reads a few bytes and decodes nothing), so an image over the
    // budget is refused naming its size even when its pixel data is missing or its chunks are cut.
    if let Ok(size) = imagesize::blob_size(bytes) {
        check_pixels(size.width as u64, size.height as u64)?;
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(failure)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width.into(), height.into())?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(failure)?;
    Ok(Decoded { image, orientation })
}

fn check_pixels(width: u64, height: u64) -> Result<(), DecodeError> {
    if width.saturating_mul(height) > MAX_PIXELS {
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        return Err(DecodeError::TooLarge(Some((clamp(width), clamp(height)))));
    }
    Ok(())
}

/// Pages (images) in a TIFF, counted up to `limit`; `None` when the file cannot be read as TIFF.
pub fn tiff_page_count(bytes: &[u8], limit: usize) -> Option<usize> {
    let mut decoder = tiff::decoder::Decoder::new(Cursor::new(bytes)).ok()?;
    let mut pages = 1;
    while pages < limit && decoder.more_images() {
        decoder.next_image().ok()?;
        pages += 1;
    }
    Some(pages)
}

/// Paint every box, grown by `pad` on each side and cut to the image, with `colour`.
/// Pixels outside the boxes are left as they are.
pub fn fill_boxes<P: Pixel>(image: &mut ImageBuffer<P, Vec<P::Subpixel>>, boxes: &[Rect], pad: u32, colour: P) {
    let (width, height) = image.dimensions();
    for b in boxes {
        let left = b.x.saturating_sub(pad).min(width);
        let top = b.y.saturating_sub(pad).min(height);
        let right = b.x.saturating_add(b.width).saturating_add(pad).min(width);
        let bottom = b.y.saturating_add(b.height).saturating_add(pad).min(height);
        for y in top..bottom {
            for x in left..right {
                image.put_pixel(x, y, colour);
            }
        }
    }
}

/// Black out `boxes` (plus [`PAD`]) on `image`, opaque even where the image is transparent.
/// The result is 8-bit RGB, or RGBA when the image has an alpha channel.
pub fn black_out(image: DynamicImage, boxes: &[Rect]) -> DynamicImage {
    if image.color().has_alpha() {
        let mut rgba = image.into_rgba8();
        fill_boxes(&mut rgba, boxes, PAD, image::Rgba([0, 0, 0, 255]));
        DynamicImage::ImageRgba8(rgba)
    } else {
        let mut rgb = image.into_rgb8();
        fill_boxes(&mut rgb, boxes, PAD, image::Rgb([0, 0, 0]));
        DynamicImage::ImageRgb8(rgb)
    }
}

pub fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, Failure> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| Failure::new(crate::FAILED, format!("the masked image could not be encoded as PNG: {e}")))?;
    Ok(out.into_inner())
}

pub fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| Failure::new(crate::FAILED, format!("a masked page could not be encoded as JPEG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, Rgba, RgbaImage};

    const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
    const BLACK: Rgb<u8> = Rgb([0, 0, 0]);

    fn inside(b: &Rect, pad: u32, x: u32, y: u32) -> bool {
        x + pad >= b.x && x < b.x + b.width + pad && y + pad >= b.y && y < b.y + b.height + pad
    }

    fn png(image: &DynamicImage) -> Vec<u8> {
        encode_png(image).unwrap()
    }

    #[test]
    fn pixels_inside_a_padded_box_are_black_and_outside_untouched() {
        let mut img = RgbImage::from_pixel(40, 30, WHITE);
        let b = Rect { x: 10, y: 8, width: 12, height: 5 };
        fill_boxes(&mut img, &[b], 2, BLACK);
        for (x, y, p) in img.enumerate_pixels() {
            let expected = if inside(&b, 2, x, y) { BLACK } else { WHITE };
            assert_eq!(*p, expected, "pixel ({x}, {y})");
        }
    }

    #[test]
    fn boxes_reaching_past_the_edge_are_clamped() {
        let mut img = RgbImage::from_pixel(20, 20, WHITE);
        let b = Rect { x: 15, y: 0, width: 100, height: u32::MAX };
        fill_boxes(&mut img, &[b], 2, BLACK);
        for (x, y, p) in img.enumerate_pixels() {
            assert_eq!(*p, if x >= 13 { BLACK } else { WHITE }, "pixel ({x}, {y})");
        }
    }

    #[test]
    fn box_entirely_outside_changes_nothing() {
        let mut img = RgbImage::from_pixel(10, 10, WHITE);
        fill_boxes(&mut img, &[Rect { x: 50, y: 50, width: 5, height: 5 }], 2, BLACK);
        assert!(img.pixels().all(|p| *p == WHITE));
    }

    #[test]
    fn black_out_is_opaque_on_transparent_images() {
        let img = DynamicImage::ImageRgba8(RgbaImage::from_pixel(10, 10, Rgba([255, 255, 255, 0])));
        let out = black_out(img, &[Rect { x: 4, y: 4, width: 1, height: 1 }]).into_rgba8();
        assert_eq!(*out.get_pixel(4, 4), Rgba([0, 0, 0, 255]));
        assert_eq!(*out.get_pixel(0, 9), Rgba([255, 255, 255, 0]));
    }

    #[test]
    fn black_out_of_an_opaque_image_gives_rgb() {
        let img = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(10, 10, image::Luma([200])));
        let out = black_out(img, &[Rect { x: 0, y: 0, width: 1, height: 1 }]);
        assert_eq!(out.color(), image::ColorType::Rgb8);
        assert_eq!(*out.as_rgb8().unwrap().get_pixel(1, 1), BLACK);
        assert_eq!(*out.as_rgb8().unwrap().get_pixel(9, 9), Rgb([200, 200, 200]));
    }

    #[test]
    fn png_round_trips_through_decode() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_fn(7, 5, |x, y| Rgb([x as u8 * 30, y as u8 * 40, 9])));
        let decoded = decode(&png(&img), Format::Png).unwrap();
        assert_eq!(decoded.image.into_rgb8(), img.into_rgb8());
    }

    #[test]
    fn jpeg_decodes_to_the_same_size() {
        let img = RgbImage::from_pixel(33, 17, Rgb([120, 60, 30]));
        let decoded = decode(&encode_jpeg(&img, JPEG_QUALITY).unwrap(), Format::Jpeg).unwrap();
        assert_eq!((decoded.image.width(), decoded.image.height()), (33, 17));
    }

    #[test]
    fn images_over_the_pixel_budget_are_refused_before_decoding() {
        // A PNG claiming 8000 × 5001 pixels (just over 40 MP) with no pixel data: decoding it would fail
        // differently, so only a check made before decoding reports it as too large.
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&8000u32.to_be_bytes());
        ihdr.extend_from_slice(&5001u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        for chunk in [ihdr, b"IDAT".to_vec(), b"IEND".to_vec()] {
            bytes.extend_from_slice(&(chunk.len() as u32 - 4).to_be_bytes());
            bytes.extend_from_slice(&chunk);
            bytes.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        assert_eq!(decode(&bytes, Format::Png).err(), Some(DecodeError::TooLarge(Some((8000, 5001)))));
    }

    #[test]
    fn a_bare_header_claiming_60000_by_60000_pixels_is_too_large_by_its_size() {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&60_000u32.to_be_bytes());
        ihdr.extend_from_slice(&60_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend_from_slice(&13u32.to_be_bytes());
        bytes.extend_from_slice(&ihdr);
        bytes.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let error = decode(&bytes, Format::Png).err().expect("refused");
        assert_eq!(error, DecodeError::TooLarge(Some((60_000, 60_000))));
        let failure = error.upload_failure(Format::Png);
        assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
        assert!(failure.message.contains("60000×60000 pixels, over the 40 MP limit"), "{failure}");
    }

    #[test]
    fn a_damaged_upload_is_an_invalid_file_saying_it_is_truncated_or_damaged() {
        let mut bytes = png(&DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, WHITE)));
        bytes.truncate(bytes.len() / 2);
        let error = decode(&bytes, Format::Png).err().expect("refused");
        assert!(matches!(error, DecodeError::Unreadable(_)), "{error:?}");
        let failure = error.upload_failure(Format::Png);
        assert_eq!((failure.code.as_str(), failure.retryable), ("INPUT_INVALID_FILE", false));
        assert!(failure.message.contains("truncated or damaged"), "{failure}");
    }

    fn tiff(pages: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut encoder = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        for _ in 0..pages {
            encoder.write_image::<tiff::encoder::colortype::Gray8>(4, 3, &[255; 12]).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn tiff_pages_are_counted() {
        assert_eq!(tiff_page_count(&tiff(1), 100), Some(1));
        assert_eq!(tiff_page_count(&tiff(3), 100), Some(3));
    }

    #[test]
    fn tiff_page_count_stops_at_the_limit() {
        assert_eq!(tiff_page_count(&tiff(5), 2), Some(2));
    }

    #[test]
    fn tiff_page_count_of_other_bytes_is_unknown() {
        assert_eq!(tiff_page_count(b"not a tiff", 100), None);
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}

//! The masked PDF: every page is one JPEG image of the masked rendering and nothing else, so no
//! text, vector content, annotation or metadata of the original survives (a black box drawn over
//! live text is not redaction: the text would still be selectable).

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// One page: a baseline JPEG (8-bit RGB) and the resolution it was rendered at.
pub struct JpegPage {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
}

impl JpegPage {
    /// Page size in points: the image shown at its rendering resolution (1 point = 1/72 inch).
    pub fn size_in_points(&self) -> (f32, f32) {
        let per_pixel = 72.0 / self.dpi as f32;
        (self.width as f32 * per_pixel, self.height as f32 * per_pixel)
    }
}

/// Name of each page's image in its resources.
const IMAGE_NAME: &str = "Im0";

/// A PDF whose pages are `pages`, in order, each filled by its image.
pub fn assemble(pages: &[JpegPage]) -> Result<Vec<u8>, String> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let (width, height) = page.size_in_points();
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(page.width),
                "Height" => i64::from(page.height),
                "ColorSpace" => "DeviceRGB",
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            page.jpeg.clone(),
        )
        // Already compressed; lopdf must not wrap it in FlateDecode.
        .with_compression(false);
        let image_id = doc.add_object(image);
        let content = Content {
            operations: vec![
                Operation::new("q", vec![]),
                Operation::new("cm", vec![width.into(), 0.into(), 0.into(), height.into(), 0.into(), 0.into()]),
                Operation::new("Do", vec![Object::Name(IMAGE_NAME.as_bytes().to_vec())]),
                Operation::new("Q", vec![]),
            ],
        };
        let content = content.encode().map_err(|e| format!("a page's content could not be encoded: {e}"))?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { IMAGE_NAME => image_id } },
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects
        .insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| format!("the PDF could not be written: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::{JPEG_QUALITY, encode_jpeg};
    use image::{Rgb, RgbImage};

    fn page(width: u32, height: u32, dpi: u32) -> JpegPage {
        let img = RgbImage::from_pixel(width, height, Rgb([250, 250, 250]));
        JpegPage { jpeg: encode_jpeg(&img, JPEG_QUALITY).unwrap(), width, height, dpi }
    }

    fn pages(doc: &Document) -> Vec<lopdf::ObjectId> {
        doc.get_pages().values().copied().collect()
    }

    #[test]
    fn output_parses_and_has_one_page_per_image() {
        let pdf = assemble(&[page(30, 40, 150), page(40, 30, 150), page(10, 10, 72)]).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(pages(&doc).len(), 3);
    }

    #[test]
    fn each_page_has_exactly_one_image_xobject_holding_its_jpeg() {
        let input = [page(30, 40, 150), page(20, 10, 100)];
        let pdf = assemble(&input).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        for (id, expected) in pages(&doc).into_iter().zip(&input) {
            let (resources, _) = doc.get_page_resources(id).unwrap();
            let xobjects = resources.unwrap().get(b"XObject").unwrap().as_dict().unwrap();
            assert_eq!(xobjects.len(), 1);
            let (_, image) = xobjects.iter().next().unwrap();
            let stream = doc.get_object(image.as_reference().unwrap()).unwrap().as_stream().unwrap();
            assert_eq!(stream.dict.get(b"Subtype").unwrap().as_name().unwrap(), b"Image");
            assert_eq!(stream.dict.get(b"Filter").unwrap().as_name().unwrap(), b"DCTDecode");
            assert_eq!(stream.dict.get(b"Width").unwrap().as_i64().unwrap(), i64::from(expected.width));
            assert_eq!(stream.content, expected.jpeg);
        }
    }

    #[test]
    fn each_content_stream_only_draws_its_image() {
        let pdf = assemble(&[page(30, 40, 150), page(20, 20, 150)]).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        for id in pages(&doc) {
            let content = doc.get_and_decode_page_content(id).unwrap();
            let operators: Vec<&str> = content.operations.iter().map(|o| o.operator.as_str()).collect();
            assert_eq!(operators, ["q", "cm", "Do", "Q"]);
        }
    }

    #[test]
    fn page_size_is_the_image_at_its_dpi() {
        // 300 × 150 pixels at 150 dpi is 2 × 1 inches: 144 × 72 points.
        let pdf = assemble(&[page(300, 150, 150)]).unwrap();
        let doc = Document::load_mem(&pdf).unwrap();
        let id = pages(&doc)[0];
        let media_box: Vec<f32> = doc
            .get_dictionary(id)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_float().unwrap())
            .collect();
        assert_eq!(media_box, [0.0, 0.0, 144.0, 72.0]);
    }

    #[test]
    fn output_has_no_text_layer() {
        let pdf = assemble(&[page(30, 40, 150), page(30, 40, 150)]).unwrap();
        let extracted = pdf_text::extract(&pdf).unwrap();
        assert_eq!(extracted.pages.len(), 2);
        assert!(extracted.pages.iter().all(|p| p.text.is_empty() && p.words.is_empty()));
    }
}

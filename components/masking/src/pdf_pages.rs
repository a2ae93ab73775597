//! What the job needs from the input PDF's own structure, read once with lopdf: each page's
//! `/Rotate` (to map its text layer onto the rendering) and whether it draws raster images (whose
//! pixels the text layer cannot see, so the rendering must be OCR'd as well).

use std::collections::HashSet;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Facts about one page of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageFacts {
    /// `/Rotate` in degrees clockwise, inherited from the page tree; 0 when absent.
    pub rotate: i64,
    /// True when the page (its content, the forms it draws, or its annotations' appearances)
    /// draws an image large enough to hold legible text, or when that cannot be told.
    pub draws_images: bool,
}

/// An image narrower or lower than this many samples cannot hold a legible line of text
/// (rules, dots, gradients, spacer pixels).
pub const MIN_IMAGE_SIDE: i64 = 8;

/// Images with fewer samples than this cannot hold legible text either (bullets, tiny icons).
pub const MIN_IMAGE_SAMPLES: i64 = 256;

/// Nesting of form XObjects followed; deeper forms are assumed to draw images.
const MAX_FORM_DEPTH: usize = 16;

/// The facts of every page of `pdf`, in page order; `None` when lopdf cannot read the document.
pub fn page_facts(pdf: &[u8]) -> Option<Vec<PageFacts>> {
    let doc = Document::load_mem(pdf).ok()?;
    let facts = doc
        .get_pages()
        .values()
        .map(|&id| PageFacts { rotate: rotation(&doc, id), draws_images: draws_images(&doc, id) })
        .collect();
    Some(facts)
}

fn rotation(doc: &Document, page: ObjectId) -> i64 {
    let mut node = doc.get_dictionary(page).ok();
    // The page tree is shallow; the bound only guards against a cyclic /Parent chain.
    for _ in 0..32 {
        let Some(dict) = node else { break };
        if let Ok(rotate) = dict.get(b"Rotate").and_then(|r| doc.dereference(r)).and_then(|(_, r)| r.as_i64()) {
            return rotate;
        }
        node = dict.get(b"Parent").and_then(Object::as_reference).and_then(|p| doc.get_dictionary(p)).ok();
    }
    0
}

/// True when page `page` of `doc` draws a raster image: an image XObject painted by its content
/// or by a form XObject it paints (at any depth), an inline image, or one inside the normal
/// appearance of one of its annotations. Content that cannot be read counts as drawing one, so
/// the page is OCR'd rather than trusted.
pub fn draws_images(doc: &Document, page: ObjectId) -> bool {
    let Some(content) = page_content(doc, page) else { return true };
    let resources = page_resources(doc, page);
    let mut seen = HashSet::new();
    content_draws_images(doc, &content, &resources, &mut seen, 0) || annotations_draw_images(doc, page, &mut seen)
}

/// The page's content streams decoded and joined; `None` when one cannot be decoded.
fn page_content(doc: &Document, page: ObjectId) -> Option<Vec<u8>> {
    let mut content = Vec::new();
    for id in doc.get_page_contents(page) {
        // A missing content stream paints nothing.
        let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else { continue };
        content.extend(stream.decompressed_content().ok()?);
        content.push(b'\n');
    }
    Some(content)
}

/// True when `content` holds a `Do` or `BI` operator token anywhere.
fn mentions_painting(content: &[u8]) -> bool {
    // An operator follows its operands ("/Im1 Do", "] BI") and precedes the next token.
    let before = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || b")>]}".contains(b));
    let after = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace() || b"([</%".contains(b));
    content.windows(2).enumerate().any(|(i, w)| {
        (w == b"Do" || w == b"BI") && before(i.checked_sub(1).and_then(|j| content.get(j))) && after(content.get(i + 2))
    })
}

/// The page's resource dictionaries, nearest first (its own, then those inherited from the tree).
fn page_resources(doc: &Document, page: ObjectId) -> Vec<&Dictionary> {
    let Ok((own, inherited)) = doc.get_page_resources(page) else { return Vec::new() };
    own.into_iter().chain(inherited.into_iter().filter_map(|id| doc.get_dictionary(id).ok())).collect()
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, o)| o)
}

/// Whether an image of `width` × `height` samples could hold legible text; unknown sizes could.
fn legible(width: Option<i64>, height: Option<i64>) -> bool {
    match (width, height) {
        (Some(w), Some(h)) => w >= MIN_IMAGE_SIDE && h >= MIN_IMAGE_SIDE && w.saturating_mul(h) >= MIN_IMAGE_SAMPLES,
        _ => true,
    }
}

fn dimension(doc: &Document, dict: &Dictionary, keys: &[&[u8]]) -> Option<i64> {
    keys.iter().find_map(|k| dict.get(k).ok().and_then(|o| resolve(doc, o)).and_then(|o| o.as_i64().ok()))
}

fn content_draws_images(
    doc: &Document,
    content: &[u8],
    resources: &[&Dictionary],
    seen: &mut HashSet<ObjectId>,
    depth: usize,
) -> bool {
    if depth > MAX_FORM_DEPTH {
        return true;
    }
    // lopdf's lenient decoding stops quietly at the first thing it cannot parse; then only a
    // stream with no painting operator at all is known not to paint an image.
    let operations = match Content::decode_strict(content) {
        Ok(content) => content.operations,
        Err(_) => return mentions_painting(content),
    };
    for operation in &operations {
        match operation.operator.as_str() {
            // lopdf reports an inline image as one `BI` operation holding it as a stream, or none
            // when it could not parse the image.
            "BI" => {
                let legible_inline = match operation.operands.first() {
                    Some(Object::Stream(image)) => legible(
                        dimension(doc, &image.dict, &[b"W", b"Width"]),
                        dimension(doc, &image.dict, &[b"H", b"Height"]),
                    ),
                    _ => true,
                };
                if legible_inline {
                    return true;
                }
            }
            "Do" => {
                let Some(name) = operation.operands.first().and_then(|o| o.as_name().ok()) else { continue };
                if xobject_draws_images(doc, name, resources, seen, depth) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The XObject `name` of `resources`: an image, or a form that draws one.
fn xobject_draws_images(
    doc: &Document,
    name: &[u8],
    resources: &[&Dictionary],
    seen: &mut HashSet<ObjectId>,
    depth: usize,
) -> bool {
    let found = resources.iter().find_map(|r| {
        let xobjects = r.get(b"XObject").ok().and_then(|o| resolve(doc, o))?.as_dict().ok()?;
        let entry = xobjects.get(name).ok()?;
        let id = entry.as_reference().ok();
        Some((id, resolve(doc, entry)?))
    });
    // A missing XObject paints nothing.
    let Some((id, Object::Stream(stream))) = found else { return false };
    match stream.dict.get(b"Subtype").and_then(Object::as_name) {
        Ok(b"Image") => legible(dimension(doc, &stream.dict, &[b"Width"]), dimension(doc, &stream.dict, &[b"Height"])),
        Ok(b"Form") => {
            // A form painted twice is looked at once; a form painting itself stops here.
            if id.is_some_and(|id| !seen.insert(id)) {
                return false;
            }
            form_draws_images(doc, stream, resources, seen, depth + 1)
        }
        _ => false,
    }
}

/// A form XObject (or appearance stream): its own resources, else those of whatever paints it.
fn form_draws_images(
    doc: &Document,
    form: &Stream,
    outer: &[&Dictionary],
    seen: &mut HashSet<ObjectId>,
    depth: usize,
) -> bool {
    let own = form.dict.get(b"Resources").ok().and_then(|o| resolve(doc, o)).and_then(|o| o.as_dict().ok());
    let resources: Vec<&Dictionary> = match own {
        Some(own) => std::iter::once(own).chain(outer.iter().copied()).collect(),
        None => outer.to_vec(),
    };
    let Ok(content) = form.decompressed_content() else { return true };
    content_draws_images(doc, &content, &resources, seen, depth)
}

/// Annotation flags that keep an annotation off the rendered page (Hidden, NoView).
const HIDDEN_FLAGS: i64 = 2 | 32;

fn annotations_draw_images(doc: &Document, page: ObjectId, seen: &mut HashSet<ObjectId>) -> bool {
    let Ok(page) = doc.get_dictionary(page) else { return true };
    let Some(Object::Array(annotations)) = page.get(b"Annots").ok().and_then(|o| resolve(doc, o)) else {
        return false;
    };
    annotations.iter().filter_map(|a| resolve(doc, a)?.as_dict().ok()).any(|annotation| {
        let flags = annotation.get(b"F").ok().and_then(|o| resolve(doc, o)).and_then(|o| o.as_i64().ok());
        if flags.is_some_and(|f| f & HIDDEN_FLAGS != 0) {
            return false;
        }
        let Some(normal) = annotation
            .get(b"AP")
            .ok()
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok())
            .and_then(|ap| ap.get(b"N").ok())
            .and_then(|o| resolve(doc, o))
        else {
            return false;
        };
        match normal {
            Object::Stream(stream) => form_draws_images(doc, stream, &[], seen, 1),
            // Appearance states ("/On", "/Off"): any of them may be the one shown.
            Object::Dictionary(states) => states.iter().any(|(_, state)| match resolve(doc, state) {
                Some(Object::Stream(stream)) => form_draws_images(doc, stream, &[], seen, 1),
                _ => false,
            }),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    /// How a test page reaches its image.
    struct Page {
        content: String,
        /// Extra entries of the page's /Resources /XObject (name → object id).
        xobjects: Vec<(&'static str, ObjectId)>,
        annotations: Vec<ObjectId>,
    }

    fn page(content: impl Into<String>) -> Page {
        Page { content: content.into(), xobjects: Vec::new(), annotations: Vec::new() }
    }

    fn image(doc: &mut Document, width: i64, height: i64) -> ObjectId {
        let samples = vec![0u8; (width * height).max(0) as usize];
        doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => width, "Height" => height,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            samples,
        ))
    }

    fn form(doc: &mut Document, content: &str, xobjects: Vec<(&str, ObjectId)>) -> ObjectId {
        let mut dict = dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] };
        if !xobjects.is_empty() {
            let mut names = Dictionary::new();
            for (name, id) in xobjects {
                names.set(name, id);
            }
            dict.set("Resources", dictionary! { "XObject" => names });
        }
        doc.add_object(Stream::new(dict, content.as_bytes().to_vec()))
    }

    /// A one-page document built by `build`, saved and reloaded as the job would read it.
    fn facts(build: impl FnOnce(&mut Document) -> Page) -> PageFacts {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let spec = build(&mut doc);
        let mut names = Dictionary::new();
        for (name, id) in spec.xobjects {
            names.set(name, id);
        }
        let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
        let content = doc.add_object(Stream::new(dictionary! {}, spec.content.as_bytes().to_vec()));
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 100.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font }, "XObject" => names },
            "Contents" => content,
        };
        if !spec.annotations.is_empty() {
            page.set("Annots", spec.annotations.into_iter().map(Object::Reference).collect::<Vec<_>>());
        }
        let page_id = doc.add_object(page);
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut pdf = Vec::new();
        doc.save_to(&mut pdf).unwrap();
        let all = page_facts(&pdf).unwrap();
        assert_eq!(all.len(), 1);
        all[0]
    }

    const TEXT: &str = "BT /F1 12 Tf 20 50 Td (Tel 010-1234-5678) Tj ET\n";

    #[test]
    fn text_only_page_draws_no_images() {
        assert!(!facts(|_| page(TEXT)).draws_images);
    }

    #[test]
    fn page_painting_an_image_xobject_draws_images() {
        let f = facts(|doc| Page {
            xobjects: vec![("Im1", image(doc, 64, 40))],
            ..page("q 100 0 0 60 10 10 cm /Im1 Do Q\n")
        });
        assert!(f.draws_images);
    }

    #[test]
    fn image_in_resources_but_never_painted_does_not_count() {
        let f = facts(|doc| Page { xobjects: vec![("Im1", image(doc, 64, 40))], ..page(TEXT) });
        assert!(!f.draws_images);
    }

    #[test]
    fn image_inside_a_form_xobject_draws_images() {
        let f = facts(|doc| {
            let im = image(doc, 64, 40);
            let fm = form(doc, "q 50 0 0 30 0 0 cm /Im9 Do Q\n", vec![("Im9", im)]);
            Page { xobjects: vec![("Fm1", fm)], ..page("/Fm1 Do\n") }
        });
        assert!(f.draws_images);
    }

    #[test]
    fn image_inside_nested_forms_draws_images() {
        let f = facts(|doc| {
            let im = image(doc, 64, 40);
            let inner = form(doc, "/Im1 Do\n", vec![("Im1", im)]);
            let outer = form(doc, "/Inner Do\n", vec![("Inner", inner)]);
            Page { xobjects: vec![("Outer", outer)], ..page("/Outer Do\n") }
        });
        assert!(f.draws_images);
    }

    #[test]
    fn form_without_resources_uses_the_page_resources() {
        let f = facts(|doc| {
            let im = image(doc, 64, 40);
            let fm = form(doc, "/Im1 Do\n", vec![]);
            Page { xobjects: vec![("Fm1", fm), ("Im1", im)], ..page("/Fm1 Do\n") }
        });
        assert!(f.draws_images);
    }

    #[test]
    fn form_with_only_text_draws_no_images() {
        let f = facts(|doc| {
            let fm = form(doc, "0 0 1 rg 0 0 10 10 re f\n", vec![]);
            Page { xobjects: vec![("Fm1", fm)], ..page("/Fm1 Do\n") }
        });
        assert!(!f.draws_images);
    }

    #[test]
    fn form_painting_itself_terminates() {
        let f = facts(|doc| {
            let id = doc.new_object_id();
            let dict = dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Me" => id } },
            };
            doc.objects.insert(id, Object::Stream(Stream::new(dict, b"/Me Do\n".to_vec())));
            Page { xobjects: vec![("Me", id)], ..page("/Me Do\n") }
        });
        assert!(!f.draws_images);
    }

    fn inline_image(side: usize) -> String {
        let samples = "#".repeat(side * side);
        format!("q 64 0 0 40 0 0 cm\nBI /W {side} /H {side} /CS /DeviceGray /BPC 8 ID\n{samples}\nEI\nQ\n")
    }

    #[test]
    fn inline_image_draws_images() {
        assert!(facts(|_| page(inline_image(16))).draws_images);
    }

    #[test]
    fn tiny_inline_image_cannot_hold_text() {
        assert!(!facts(|_| page(inline_image(4))).draws_images);
    }

    #[test]
    fn tiny_images_cannot_hold_text() {
        let rule = facts(|doc| Page { xobjects: vec![("Im1", image(doc, 400, 1))], ..page("/Im1 Do\n") });
        let dot = facts(|doc| Page { xobjects: vec![("Im1", image(doc, 12, 12))], ..page("/Im1 Do\n") });
        assert!(!rule.draws_images && !dot.draws_images);
    }

    #[test]
    fn image_in_an_annotation_appearance_draws_images() {
        let f = facts(|doc| {
            let im = image(doc, 64, 40);
            let appearance = form(doc, "/Im1 Do\n", vec![("Im1", im)]);
            let annotation = doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Stamp", "Rect" => vec![0.into(), 0.into(), 50.into(), 50.into()],
                "AP" => dictionary! { "N" => appearance },
            });
            Page { annotations: vec![annotation], ..page(TEXT) }
        });
        assert!(f.draws_images);
    }

    #[test]
    fn hidden_annotation_does_not_count() {
        let f = facts(|doc| {
            let im = image(doc, 64, 40);
            let appearance = form(doc, "/Im1 Do\n", vec![("Im1", im)]);
            let annotation = doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Stamp", "Rect" => vec![0.into(), 0.into(), 50.into(), 50.into()],
                "F" => 2, "AP" => dictionary! { "N" => appearance },
            });
            Page { annotations: vec![annotation], ..page(TEXT) }
        });
        assert!(!f.draws_images);
    }

    #[test]
    fn unparseable_content_that_may_paint_is_assumed_to_draw_images() {
        assert!(facts(|_| page("BT /F1 12 Tf ) ET /Im1 Do")).draws_images);
    }

    #[test]
    fn unparseable_content_without_painting_operators_draws_no_images() {
        assert!(!facts(|_| page("BT /F1 12 Tf ) ET")).draws_images);
    }

    #[test]
    fn content_stream_in_an_unsupported_encoding_is_assumed_to_draw_images() {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let content =
            doc.add_object(Stream::new(dictionary! { "Filter" => "RunLengthDecode" }, b"\x02/Im1 Do".to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 100.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
        );
        assert!(draws_images(&doc, page_id));
    }

    #[test]
    fn painting_operators_are_whole_tokens() {
        assert!(mentions_painting(b"/Im1 Do"));
        assert!(mentions_painting(b"q\nBI /W 2"));
        assert!(!mentions_painting(b"/DoX Tf /BIG Tf (xDo) Tj"));
    }

    #[test]
    fn rotations_are_read_per_page_and_inherited() {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let plain = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id });
        let turned = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Rotate" => 90 });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![plain.into(), turned.into()], "Count" => 2, "Rotate" => 180,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut pdf = Vec::new();
        doc.save_to(&mut pdf).unwrap();
        let rotations: Vec<i64> = page_facts(&pdf).unwrap().iter().map(|f| f.rotate).collect();
        assert_eq!(rotations, [180, 90]);
    }

    #[test]
    fn facts_of_unreadable_bytes_are_unknown() {
        assert_eq!(page_facts(b"%PDF-1.7 garbage"), None);
    }
}

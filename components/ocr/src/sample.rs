//! Tiny PDFs with a Helvetica text layer, built in memory: the descriptor's example and the tests
//! read them without any engine.

/// A PDF with one 200×60 pt page per entry of `pages`, each showing its (ASCII) text in 14 pt
/// Helvetica on one line; an empty entry makes a page without a text layer.
pub fn helvetica_pdf(pages: &[&str]) -> Vec<u8> {
    let font_id = 3 + 2 * pages.len();
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()),
    ];
    for (i, text) in pages.iter().enumerate() {
        let content =
            if text.is_empty() { String::new() } else { format!("BT /F1 14 Tf 20 20 Td ({}) Tj ET\n", escape(text)) };
        let resources = format!("<< /Font << /F1 {font_id} 0 R >> >>");
        let contents = 4 + 2 * i;
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 60] /Resources {resources} /Contents {contents} 0 R >>"
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string());

    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    pdf.into_bytes()
}

/// A PDF literal string's body.
fn escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\\' | '(' | ')' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_is_a_page_of_the_pdf() {
        let doc = pdf_text::extract(&helvetica_pdf(&["Hello from Capsule", "", "Second (page)"])).unwrap();
        let texts: Vec<&str> = doc.pages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["Hello from Capsule", "", "Second (page)"]);
        assert_eq!((doc.pages[0].width, doc.pages[0].height), (200.0, 60.0));
    }
}

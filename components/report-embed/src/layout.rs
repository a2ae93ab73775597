//! One page's text layer as blocks: paragraphs and tables, from the word
//! boxes [`pdf_text`] gives; then paragraphs as chunks, and the report's title.
//!
//! * **Columns.** Within a line, words further apart than [`COLUMN_GAP`]
//!   times the font size start a new *cell* (word boxes carry the font size
//!   as their height).
//! * **Tables.** A line of at least [`MIN_COLUMNS`] cells is a table row when
//!   its neighbour (the line above or below, at most [`MAX_ROW_PITCH`] font
//!   sizes away) has as many cells, each aligned with its counterpart (left
//!   edges, right edges or centres within [`ALIGN_TOLERANCE`] font sizes). A
//!   run of such rows is one table: rows joined with `\n`, cells with ` | `.
//! * **Paragraphs.** The other lines; a paragraph ends where the font size
//!   changes (a heading), at a table, or where the gap to the next line is
//!   more than [`PARAGRAPH_GAP`] times the page's usual line pitch.
//! * **Chunks** ([`chunk`]): paragraphs packed in order into pieces of at
//!   most [`MAX_CHUNK`] characters, a piece closed once it reaches
//!   [`MIN_CHUNK`]; a longer paragraph is cut at sentence ends, else spaces.

use pdf_text::Page;

/// A gap wider than this many font sizes separates two cells of a line.
pub const COLUMN_GAP: f32 = 1.5;
/// A table row has at least this many cells.
pub const MIN_COLUMNS: usize = 3;
/// Cells of neighbouring rows align when their left edges, right edges or
/// centres are within this many font sizes.
pub const ALIGN_TOLERANCE: f32 = 1.5;
/// Neighbouring rows are at most this many font sizes apart (top to top).
pub const MAX_ROW_PITCH: f32 = 4.0;
/// A line pitch over this multiple of the page's median pitch starts a paragraph.
pub const PARAGRAPH_GAP: f32 = 1.3;
/// A chunk is closed once it has this many characters.
pub const MIN_CHUNK: usize = 400;
/// No chunk is longer than this many characters.
pub const MAX_CHUNK: usize = 800;
/// The longest line taken as a title, in characters.
pub const MAX_TITLE: usize = 80;

/// Words of one line closer together than [`COLUMN_GAP`].
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub left: f32,
    pub right: f32,
}

/// A line of the text layer with its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    /// Top edge, points from the top of the page.
    pub top: f32,
    /// The largest font size of its words.
    pub size: f32,
    pub cells: Vec<Cell>,
}

/// A page's content in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Lines of one paragraph joined with spaces.
    Paragraph(String),
    /// Rows joined with `\n`, cells with ` | `.
    Table(String),
}

/// The lines of a page's text layer, with their cells.
pub fn lines(page: &Page) -> Vec<TextLine> {
    page.lines
        .iter()
        .filter_map(|line| {
            let words: Vec<&pdf_text::Word> = line.words.iter().filter_map(|&i| page.words.get(i)).collect();
            let first = words.first()?;
            let size = words.iter().map(|w| w.height).fold(first.height, f32::max).max(1.0);
            let top = words.iter().map(|w| w.y).fold(first.y, f32::min);
            let mut cells: Vec<Cell> = Vec::new();
            for word in &words {
                match cells.last_mut() {
                    Some(cell) if word.x - cell.right <= COLUMN_GAP * size => {
                        cell.text.push(' ');
                        cell.text.push_str(&word.text);
                        cell.right = cell.right.max(word.x + word.width);
                    }
                    _ => cells.push(Cell { text: word.text.clone(), left: word.x, right: word.x + word.width }),
                }
            }
            let text = line.text.trim().to_string();
            (!text.is_empty()).then_some(TextLine { text, top, size, cells })
        })
        .collect()
}

/// Whether `a` and `b` are rows of one table (see the module docs).
pub fn aligned(a: &TextLine, b: &TextLine) -> bool {
    let size = a.size.max(b.size);
    if a.cells.len() < MIN_COLUMNS || a.cells.len() != b.cells.len() || (b.top - a.top).abs() > MAX_ROW_PITCH * size {
        return false;
    }
    let tolerance = ALIGN_TOLERANCE * size;
    a.cells.iter().zip(&b.cells).all(|(x, y)| {
        (x.left - y.left).abs() <= tolerance
            || (x.right - y.right).abs() <= tolerance
            || ((x.left + x.right) - (y.left + y.right)).abs() / 2.0 <= tolerance
    })
}

/// The page's paragraphs and tables in reading order.
pub fn blocks(lines: &[TextLine]) -> Vec<Block> {
    let n = lines.len();
    let row: Vec<bool> = (0..n)
        .map(|i| (i > 0 && aligned(&lines[i - 1], &lines[i])) || (i + 1 < n && aligned(&lines[i], &lines[i + 1])))
        .collect();
    let pitch = median_pitch(lines, &row);
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut table: Vec<String> = Vec::new();
    let flush_paragraph = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for i in 0..n {
        let line = &lines[i];
        if row[i] {
            flush_paragraph(&mut paragraph, &mut blocks);
            // A row not aligned with the previous one starts another table.
            if !table.is_empty() && !aligned(&lines[i - 1], line) {
                blocks.push(Block::Table(table.join("\n")));
                table.clear();
            }
            table.push(line.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" | "));
            continue;
        }
        if !table.is_empty() {
            blocks.push(Block::Table(table.join("\n")));
            table.clear();
        }
        if i > 0 && !row[i - 1] && breaks(&lines[i - 1], line, pitch) {
            flush_paragraph(&mut paragraph, &mut blocks);
        }
        paragraph.push(&line.text);
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    if !table.is_empty() {
        blocks.push(Block::Table(table.join("\n")));
    }
    blocks
}

/// Whether a paragraph ends between `before` and `after`.
fn breaks(before: &TextLine, after: &TextLine, pitch: Option<f32>) -> bool {
    let size = before.size.max(after.size);
    if (before.size - after.size).abs() > 0.15 * size {
        return true;
    }
    let gap = after.top - before.top;
    match pitch {
        Some(pitch) => gap > PARAGRAPH_GAP * pitch,
        None => gap > 2.0 * size,
    }
}

/// The median distance between consecutive lines of one size outside tables.
fn median_pitch(lines: &[TextLine], row: &[bool]) -> Option<f32> {
    let mut pitches: Vec<f32> = lines
        .windows(2)
        .enumerate()
        .filter(|(i, w)| !row[*i] && !row[i + 1] && (w[0].size - w[1].size).abs() <= 0.15 * w[0].size)
        .map(|(_, w)| w[1].top - w[0].top)
        .filter(|p| *p > 0.0)
        .collect();
    if pitches.is_empty() {
        return None;
    }
    pitches.sort_by(f32::total_cmp);
    Some(pitches[pitches.len() / 2])
}

/// Paragraphs packed into chunks (see the module docs).
pub fn chunk<S: AsRef<str>>(paragraphs: &[S]) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for paragraph in paragraphs {
        for piece in split_long(paragraph.as_ref().trim(), MAX_CHUNK) {
            let length = current.chars().count();
            if length > 0 && (length >= MIN_CHUNK || length + 1 + piece.chars().count() > MAX_CHUNK) {
                chunks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// `text` in pieces of at most `max` characters: whole sentences where they
/// fit, else cut at spaces, else anywhere.
pub fn split_long(text: &str, max: usize) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    let push = |unit: &str, current: &mut String, pieces: &mut Vec<String>| {
        let separator = usize::from(!current.is_empty());
        if current.chars().count() + separator + unit.chars().count() > max && !current.is_empty() {
            pieces.push(std::mem::take(current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(unit);
    };
    for sentence in sentences(text) {
        if sentence.chars().count() <= max {
            push(sentence, &mut current, &mut pieces);
            continue;
        }
        for word in sentence.split_whitespace() {
            let chars: Vec<char> = word.chars().collect();
            for part in chars.chunks(max) {
                push(&part.iter().collect::<String>(), &mut current, &mut pieces);
            }
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Sentences: text up to `.`, `?`, `!` or `。` followed by a space.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '?' | '!' | '。') && chars.peek().is_some_and(|(_, next)| next.is_whitespace()) {
            let end = i + c.len_utf8();
            out.push(text[start..end].trim());
            start = end;
        }
    }
    out.push(text[start..].trim());
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// The report's title from its first page: the first short line in the
/// largest font when the page has more than one size, else its first line
/// of at most [`MAX_TITLE`] characters.
pub fn title(first_page: &[TextLine]) -> Option<String> {
    let short = |l: &&TextLine| l.text.chars().count() <= MAX_TITLE;
    let largest = first_page.iter().map(|l| l.size).fold(0.0, f32::max);
    let smallest = first_page.iter().map(|l| l.size).fold(f32::INFINITY, f32::min);
    let heading = if largest > smallest * 1.15 {
        first_page.iter().filter(short).find(|l| l.size >= largest * 0.95)
    } else {
        None
    };
    heading.or_else(|| first_page.iter().find(short)).map(|l| l.text.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, top: f32, size: f32, cells: &[(f32, f32)]) -> TextLine {
        let words: Vec<&str> = text.split(" | ").collect();
        let cells = cells
            .iter()
            .enumerate()
            .map(|(i, &(left, right))| Cell { text: words.get(i).unwrap_or(&"").to_string(), left, right })
            .collect();
        TextLine { text: text.replace(" | ", " "), top, size, cells }
    }

    fn prose(text: &str, top: f32) -> TextLine {
        line(text, top, 11.0, &[(72.0, 500.0)])
    }

    #[test]
    fn aligned_rows_of_three_cells_are_one_table_and_prose_around_it_stays_text() {
        let cols = [(90.0, 110.0), (250.0, 280.0), (410.0, 440.0)];
        let lines = vec![
            prose("첫 문단입니다.", 100.0),
            line("연도 | 매출 | 고객 수", 130.0, 11.0, &cols),
            line("2024년 | 5억 원 | 120곳", 154.0, 11.0, &[(90.0, 120.0), (250.0, 275.0), (410.0, 432.0)]),
            line("2025년 | 12억 원 | 340곳", 178.0, 11.0, &cols),
            prose("표 다음 문단입니다.", 210.0),
        ];
        assert_eq!(
            blocks(&lines),
            vec![
                Block::Paragraph("첫 문단입니다.".into()),
                Block::Table("연도 | 매출 | 고객 수\n2024년 | 5억 원 | 120곳\n2025년 | 12억 원 | 340곳".into()),
                Block::Paragraph("표 다음 문단입니다.".into()),
            ]
        );
    }

    #[test]
    fn a_lone_line_of_three_cells_or_misaligned_rows_are_not_a_table() {
        let lines = vec![
            line("a | b | c", 100.0, 11.0, &[(72.0, 80.0), (200.0, 210.0), (400.0, 410.0)]),
            line("d | e | f", 120.0, 11.0, &[(72.0, 80.0), (300.0, 310.0), (500.0, 510.0)]),
        ];
        assert!(blocks(&lines).iter().all(|b| matches!(b, Block::Paragraph(_))), "{:?}", blocks(&lines));
    }

    #[test]
    fn a_wide_gap_or_a_change_of_font_size_starts_a_paragraph() {
        let lines = vec![
            line("제목", 60.0, 20.0, &[(72.0, 200.0)]),
            prose("하나", 100.0),
            prose("둘", 117.0),
            prose("셋", 134.0),
            prose("넷", 165.0),
            prose("다섯", 182.0),
        ];
        let texts: Vec<Block> = blocks(&lines);
        assert_eq!(
            texts,
            vec![
                Block::Paragraph("제목".into()),
                Block::Paragraph("하나 둘 셋".into()),
                Block::Paragraph("넷 다섯".into())
            ]
        );
    }

    #[test]
    fn chunks_pack_paragraphs_between_400_and_800_characters() {
        let paragraph = "가".repeat(250);
        let chunks = chunk(&vec![paragraph.clone(); 5]);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0], format!("{paragraph}\n{paragraph}"));
        assert!(chunks.iter().all(|c| c.chars().count() <= MAX_CHUNK));
    }

    #[test]
    fn a_long_paragraph_is_cut_at_sentence_ends() {
        let sentence = format!("{}다.", "나".repeat(299));
        let paragraph = vec![sentence.clone(); 4].join(" ");
        let chunks = chunk(&[paragraph]);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0], format!("{sentence} {sentence}"));
        assert!(chunks.iter().all(|c| c.chars().count() <= MAX_CHUNK));
    }

    #[test]
    fn a_sentence_without_spaces_longer_than_the_limit_is_cut_anyway() {
        let pieces = split_long(&"x".repeat(1700), MAX_CHUNK);
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), vec![800, 800, 100]);
    }

    #[test]
    fn the_title_is_the_first_short_line_in_the_largest_font_else_the_first_short_line() {
        let lines = vec![prose("기밀", 40.0), line("스마트 물류", 80.0, 20.0, &[(72.0, 300.0)]), prose("본문", 120.0)];
        assert_eq!(title(&lines).as_deref(), Some("스마트 물류"));
        let same = vec![prose(&"긴".repeat(90), 40.0), prose("두 번째 줄", 60.0)];
        assert_eq!(title(&same).as_deref(), Some("두 번째 줄"));
        assert_eq!(title(&[]), None);
    }
}

//! Korean and English text cut into sentences, keeping where the line and
//! paragraph breaks were so a condensed text can be put back together in
//! the original layout.
//!
//! A sentence ends at `.`, `?`, `!`, `。`, `？`, `！` or `…` followed by
//! whitespace or the end of the line, at `다.` / `요.` (any Hangul syllable
//! and a full stop) even when the writer left out the space after it, and at
//! every line break: report text often has list items and headings without a
//! final full stop. Not ends: decimals (`3.5%`), list markers (`1. `, `가. `),
//! initials (`J. Kim`, `U.S.`) and common abbreviations (`e.g.`, `Inc.`).

/// One sentence of the text, as written (trimmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    /// Which paragraph (blocks separated by blank lines) it is in, from 0.
    pub paragraph: usize,
    /// Which non-blank line it starts on, from 0.
    pub line: usize,
    /// Its position within its paragraph, from 0.
    pub index_in_paragraph: usize,
}

/// Abbreviations whose full stop does not end an English sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "mr", "mrs", "ms", "dr", "prof", "inc", "co", "ltd", "corp", "no", "fig", "approx", "jr", "sr",
];

/// Characters that may follow a sentence's final punctuation and still belong to it.
fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '’' | '”' | ')' | ']' | '」' | '』' | '）' | '》' | '〉')
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '。' | '？' | '！' | '…')
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The text's sentences in order. Every non-whitespace character of `text`
/// is in exactly one sentence, so lengths measured over the sentences add
/// up to the text's.
pub fn split(text: &str) -> Vec<Sentence<'_>> {
    let mut sentences = Vec::new();
    let mut paragraph = 0;
    let mut line_number = 0;
    let mut index_in_paragraph = 0;
    let mut blank_run = false;
    let mut seen_text = false;
    for line in text.split('\n') {
        if line.trim().is_empty() {
            blank_run = true;
            continue;
        }
        if blank_run && seen_text {
            paragraph += 1;
            index_in_paragraph = 0;
        }
        blank_run = false;
        seen_text = true;
        for piece in split_line(line) {
            sentences.push(Sentence { text: piece, paragraph, line: line_number, index_in_paragraph });
            index_in_paragraph += 1;
        }
        line_number += 1;
    }
    sentences
}

/// The sentences of one line (no `\n` inside), trimmed, none empty.
fn split_line(line: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0; // byte offset where the current sentence begins
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !is_terminator(c) {
            i += 1;
            continue;
        }
        // The sentence's end takes in repeated marks (`?!`, `...`) and closing quotes or brackets.
        let mut end = i + 1;
        while end < chars.len() && (is_terminator(chars[end].1) || is_closing(chars[end].1)) {
            end += 1;
        }
        let next = chars.get(end).map(|&(_, ch)| ch);
        let end_byte = chars.get(end).map_or(line.len(), |&(b, _)| b);
        let before = &line[start..chars[i].0];
        if ends_sentence(c, before, next) {
            push_trimmed(&mut pieces, &line[start..end_byte]);
            start = end_byte;
        }
        i = end;
    }
    push_trimmed(&mut pieces, &line[start..]);
    pieces
}

/// Whether the mark `mark`, after the sentence text `before` and followed by
/// `next` (`None`: the end of the line), ends the sentence.
fn ends_sentence(mark: char, before: &str, next: Option<char>) -> bool {
    let previous = before.chars().next_back();
    if mark != '.' {
        // `?`, `!`, `。`, `…`: always an end, except `…` in the middle of a phrase (`그리고… 다음`).
        return mark != '…' || next.is_none_or(char::is_whitespace);
    }
    match next {
        None => true,
        Some(n) if n.is_whitespace() => !is_list_marker(before) && !is_abbreviation(before),
        // `했다.다음`: a Korean sentence whose space went missing; not `3.5` or `v1.2`.
        Some(n) => previous.is_some_and(is_hangul_syllable) && !n.is_ascii_digit() && n != '.',
    }
}

/// `1`, `12`, `가`, `a`, `IV`: what comes before the full stop of a numbered list item.
fn is_list_marker(before: &str) -> bool {
    let marker = before.trim();
    let count = marker.chars().count();
    !marker.is_empty()
        && (marker.chars().all(|c| c.is_ascii_digit())
            || (count == 1 && (marker.chars().all(is_hangul_syllable) || marker.chars().all(char::is_alphabetic)))
            || marker.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))
}

/// `J` in `J. Kim`, `U.S` in `U.S. market`, `e.g` and the like.
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    if word.is_empty() {
        return false;
    }
    let single_capital = word.chars().count() == 1 && word.chars().all(|c| c.is_ascii_uppercase());
    let dotted_initials = word.contains('.') && word.split('.').all(|part| part.chars().count() <= 1);
    single_capital || dotted_initials || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

fn push_trimmed<'a>(pieces: &mut Vec<&'a str>, piece: &'a str) {
    let piece = piece.trim();
    if !piece.is_empty() {
        pieces.push(piece);
    }
}

/// How long a text is for every ratio this component reports: its Unicode
/// scalar values, whitespace excluded, so re-spacing or re-wrapping a text
/// does not change its length.
pub fn length(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn korean_sentences_end_at_full_stops_question_and_exclamation_marks() {
        assert_eq!(
            texts("시장은 성장한다. 왜 지금인가? 바로 지금이다! 끝"),
            ["시장은 성장한다.", "왜 지금인가?", "바로 지금이다!", "끝"]
        );
    }

    #[test]
    fn a_korean_sentence_ends_at_da_even_without_a_space_after_it() {
        assert_eq!(texts("매출이 늘었다.다음 해에는 수출한다."), ["매출이 늘었다.", "다음 해에는 수출한다."]);
    }

    #[test]
    fn decimals_list_markers_initials_and_abbreviations_do_not_end_sentences() {
        assert_eq!(texts("점유율은 3.5%이다. 1. 서비스 개요"), ["점유율은 3.5%이다.", "1. 서비스 개요"]);
        assert_eq!(
            texts("We sell to the U.S. market, e.g. hospitals. Dr. Kim leads it."),
            ["We sell to the U.S. market, e.g. hospitals.", "Dr. Kim leads it."]
        );
    }

    #[test]
    fn line_breaks_end_sentences_and_blank_lines_start_paragraphs() {
        let sentences = split("제목\n첫 문장이다. 둘째 문장이다.\n\n새 문단이다.");
        let layout: Vec<(&str, usize, usize, usize)> =
            sentences.iter().map(|s| (s.text, s.paragraph, s.line, s.index_in_paragraph)).collect();
        assert_eq!(
            layout,
            [("제목", 0, 0, 0), ("첫 문장이다.", 0, 1, 1), ("둘째 문장이다.", 0, 1, 2), ("새 문단이다.", 1, 2, 0)]
        );
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_their_sentence() {
        assert_eq!(texts("(참고용이다.) 다음이다.「좋다.」 끝."), ["(참고용이다.)", "다음이다.", "「좋다.」", "끝."]);
    }

    #[test]
    fn the_ideographic_full_stop_ends_a_sentence() {
        assert_eq!(texts("第一。第二。"), ["第一。", "第二。"]);
    }

    #[test]
    fn every_non_whitespace_character_lands_in_one_sentence() {
        let text = "  AI 기반(1.0) 플랫폼이다.또한 확장한다!\n\n  - 항목 하나\n2. 항목 둘. 끝…  ";
        let total: usize = split(text).iter().map(|s| length(s.text)).sum();
        assert_eq!(total, length(text));
    }

    #[test]
    fn length_counts_unicode_scalars_without_whitespace() {
        assert_eq!(length("가 나\t다\nab "), 5);
    }
}

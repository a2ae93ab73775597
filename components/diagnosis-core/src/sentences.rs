//! Sentence splitting for Korean and English business plans.
//!
//! Boundaries: newlines; `?`, `!`, `。`, `？`, `！` (with any run of closing
//! quotes or brackets after them); `.` when whitespace, a closing mark or the
//! end follows it, or when a Hangul syllable precedes it (Korean endings such
//! as `다.`, `함.`, `음.` end a sentence even with no space after them), but
//! never between digits (`3.5%`); inline bullet glyphs (`•`, `▪`, `■`, …).
//! Bullet and numbering markers at the start of a line (`-`, `*`, `·`, `ㅇ`,
//! `1.`, `1)`, `(1)`, `가.`, `①`) are stripped. Fragments with fewer than
//! [`MIN_CHARS`] non-space characters or no letter at all are dropped.
//!
//! Every [`Sentence`] keeps its byte range in the input and its text is
//! exactly that slice, so the caller can highlight it in the original.

/// Fragments shorter than this (in non-whitespace characters) are dropped.
pub const MIN_CHARS: usize = 4;

/// One sentence of the plan, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// `plan[start..end]`, trimmed, without its bullet marker.
    pub text: String,
    /// Byte offset of the first character in the plan.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

/// Inline bullet glyphs: a boundary wherever they appear.
const INLINE_BULLETS: &[char] =
    &['•', '◦', '▪', '▫', '■', '□', '●', '○', '◆', '◇', '►', '▶', '▷', '‣', '⁃', '※', '✓', '✔'];

/// Bullet glyphs that only count as bullets at the start of a line
/// (inside a line `·` joins words, as in `공공성·정책`, and `-` is a hyphen).
const LINE_BULLETS: &[char] = &['-', '*', '·', 'ㆍ', '–', '—', '>', '+'];

/// Closing marks that stay with the sentence they close.
const CLOSERS: &[char] = &['"', '\'', ')', ']', '}', '”', '’', '」', '』', '》', '〉', '）'];

/// Split `text` into sentences, in order, each with its original text.
pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        split_line(text, line_start, line.len(), &mut out);
        line_start += line.len() + 1;
    }
    out
}

/// Split the line `text[start..start + len]` and push its sentences.
fn split_line(text: &str, start: usize, len: usize, out: &mut Vec<Sentence>) {
    let line = &text[start..start + len];
    let body = strip_marker(line);
    let offset = start + (line.len() - body.len());
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut from = 0; // byte offset in `body` of the current fragment
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if INLINE_BULLETS.contains(&c) {
            push(text, offset + from, offset + at, out);
            from = at + c.len_utf8();
            i += 1;
            continue;
        }
        if is_terminator(&chars, i) {
            // Take the run of terminators and closing marks with the sentence.
            let mut j = i + 1;
            while j < chars.len() && (is_terminal_char(chars[j].1) || CLOSERS.contains(&chars[j].1)) {
                j += 1;
            }
            let end = chars.get(j).map_or(body.len(), |(b, _)| *b);
            push(text, offset + from, offset + end, out);
            from = end;
            i = j;
            continue;
        }
        i += 1;
    }
    push(text, offset + from, offset + body.len(), out);
}

fn is_terminal_char(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '。' | '？' | '！' | '…')
}

/// Does the character at `i` end a sentence?
fn is_terminator(chars: &[(usize, char)], i: usize) -> bool {
    let c = chars[i].1;
    match c {
        '?' | '!' | '。' | '？' | '！' => true,
        '.' | '…' => {
            let prev = i.checked_sub(1).map(|p| chars[p].1);
            // The first non-terminator after the run (`...` counts as one).
            let mut j = i + 1;
            while j < chars.len() && is_terminal_char(chars[j].1) {
                j += 1;
            }
            let next = chars.get(j).map(|(_, c)| *c);
            if prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()) {
                return false; // 3.5%
            }
            match next {
                None => true,
                Some(n) if n.is_whitespace() || CLOSERS.contains(&n) => true,
                _ => prev.is_some_and(is_hangul_syllable), // 완료했다.다음 …
            }
        }
        _ => false,
    }
}

/// Share of Hangul syllables among the letters (Hangul syllables and Latin
/// letters) of `text`; 0 when it has neither.
pub fn hangul_share(text: &str) -> f64 {
    let (mut hangul, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_hangul_syllable(c) {
            hangul += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if hangul + latin == 0 { 0.0 } else { hangul as f64 / (hangul + latin) as f64 }
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// `line` without leading whitespace and bullet or numbering markers.
fn strip_marker(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let before = rest.len();
        rest = strip_one_marker(rest).trim_start();
        if rest.len() == before {
            return rest;
        }
    }
}

fn strip_one_marker(s: &str) -> &str {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return s };
    let after_first = &s[first.len_utf8()..];
    let spaced = |rest: &str| rest.is_empty() || rest.starts_with(char::is_whitespace);
    if LINE_BULLETS.contains(&first) || INLINE_BULLETS.contains(&first) {
        // `-3%` is a number, `--` and `**` runs are still bullets.
        if first == '-' && after_first.starts_with(|c: char| c.is_ascii_digit()) {
            return s;
        }
        return after_first;
    }
    // Circled numbers ① … ⑳.
    if ('\u{2460}'..='\u{2473}').contains(&first) {
        return after_first;
    }
    // ㅇ used as a bullet in 개조식 plans: only when a space follows.
    if first == 'ㅇ' && spaced(after_first) {
        return after_first;
    }
    // (1) / (가)
    if first == '(' {
        let inner: String = after_first.chars().take_while(|c| *c != ')').collect();
        let short = inner.chars().count() <= 2;
        if short && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit() || is_hangul_syllable(c)) {
            let rest = &after_first[inner.len()..];
            if let Some(rest) = rest.strip_prefix(')') {
                return rest;
            }
        }
        return s;
    }
    // 1. / 1) / 12. / 가. / 가) / a) followed by a space.
    let digits = s.chars().take_while(char::is_ascii_digit).map(char::len_utf8).sum::<usize>();
    let label = if digits > 0 && digits <= 2 {
        digits
    } else if is_hangul_syllable(first) || first.is_ascii_lowercase() {
        first.len_utf8()
    } else {
        0
    };
    if label > 0 {
        let rest = &s[label..];
        if let Some(rest) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))
            && spaced(rest)
        {
            return rest;
        }
    }
    s
}

/// Push `text[from..to]`, trimmed, if it is long enough to be a sentence.
fn push(text: &str, from: usize, to: usize, out: &mut Vec<Sentence>) {
    let raw = &text[from..to];
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return;
    }
    let start = from + (raw.len() - raw.trim_start().len());
    let end = start + trimmed.len();
    let visible = trimmed.chars().filter(|c| !c.is_whitespace()).count();
    if visible < MIN_CHARS || !trimmed.chars().any(char::is_alphabetic) {
        return;
    }
    out.push(Sentence { text: trimmed.to_string(), start, end });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        split_sentences(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn hangul_share_counts_syllables_against_latin_letters() {
        assert_eq!(hangul_share("정확도 95%"), 1.0);
        assert_eq!(hangul_share("AI 기반"), 0.5);
        assert_eq!(hangul_share("123"), 0.0);
    }

    #[test]
    fn text_is_the_original_slice() {
        let plan = "  - 첫 번째 문장입니다.  두 번째 문장!\n• 세 번째 항목";
        for s in split_sentences(plan) {
            assert_eq!(&plan[s.start..s.end], s.text);
        }
    }

    #[test]
    fn decimals_do_not_split() {
        assert_eq!(texts("정확도 97.5% 달성. 다음 단계 진행"), vec!["정확도 97.5% 달성.", "다음 단계 진행"]);
    }

    #[test]
    fn korean_ending_splits_without_space() {
        assert_eq!(
            texts("시제품을 완료했다.다음으로 실증을 한다."),
            vec!["시제품을 완료했다.", "다음으로 실증을 한다."]
        );
    }

    #[test]
    fn numbering_and_bullets_are_stripped() {
        assert_eq!(
            texts("1. 시장 규모 분석\n(2) 경쟁사 비교 분석\n가. 고객 인터뷰 결과\nㅇ 특허 출원 현황\n① 팀 구성 현황"),
            vec!["시장 규모 분석", "경쟁사 비교 분석", "고객 인터뷰 결과", "특허 출원 현황", "팀 구성 현황"]
        );
    }

    #[test]
    fn middle_dot_inside_a_line_does_not_split() {
        assert_eq!(texts("공공성·정책 부합성을 갖춘 과제"), vec!["공공성·정책 부합성을 갖춘 과제"]);
    }

    #[test]
    fn short_and_letterless_fragments_are_dropped() {
        assert_eq!(texts("좋음.\n123.\n---\n충분히 긴 문장입니다."), vec!["충분히 긴 문장입니다."]);
    }

    #[test]
    fn ellipsis_and_closing_quotes_stay_with_the_sentence() {
        assert_eq!(
            texts("그는 \"가능하다.\" 라고 했다... 정말인가?"),
            vec!["그는 \"가능하다.\"", "라고 했다...", "정말인가?"]
        );
    }
}

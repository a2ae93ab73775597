//! 간결하게 without a language model: the text about 20 % shorter, made of
//! its own most central sentences in their original order.
//!
//! 1. [`sentences::split`] cuts the text into sentences.
//! 2. [`textrank::rank::rank`] scores them (a paragraph's first sentences get a
//!    slightly larger prior: report paragraphs open with their topic).
//! 3. Which sentences to drop is a 0/1 knapsack over the characters
//!    dropped: for every dropped length up to 25 % of the text, the set of
//!    sentences of exactly that length with the least TextRank score that
//!    follows the two rules below. Of the sets whose
//!    [length ratio](sentences::length) lands in [`RATIO_WINDOW`], the one
//!    losing the least score plus [`CLOSENESS_WEIGHT`] × its distance from
//!    [`TARGET_RATIO`] is kept. This is exact (greedy dropping by rank and
//!    then swapping only approximates it), deterministic, and cheap:
//!    sentences × 2 × dropped characters steps, with lengths quantised for
//!    very long texts.
//! 4. When no set of whole sentences lands in the window (one or two
//!    sentences, or one long sentence among short ones), words and asides
//!    are trimmed inside the kept sentences: filler adverbs first (`매우`,
//!    `또한`, `특히`, …: no facts in them), then parenthetical asides, least
//!    central sentences first, each only if it moves the ratio towards
//!    the target. If even that cannot reach the window, the result is the
//!    closest ratio found above it, and [`Condensed::ratio`] says what it
//!    is: more than a quarter is never cut, so a text that cannot lose 15 %
//!    comes back longer than asked rather than much shorter.
//!
//! Two rules keep the result readable. A paragraph's first sentence (its
//! topic sentence; with a heading on a line of its own, the heading and the
//! sentence after it) is never dropped. A sentence opening with a
//! back-reference (`이는`, `그 결과`, `반면`, …) is kept only together with
//! the sentence before it.

use std::ops::{Range, RangeInclusive};

use textrank::sentences::{self, Sentence};

/// The length ratio 간결하게 aims for: 20 % shorter.
pub const TARGET_RATIO: f64 = 0.80;

/// The length ratios 간결하게 accepts when the sentences allow.
pub const RATIO_WINDOW: RangeInclusive<f64> = 0.75..=0.85;

/// How much a ratio's distance from [`TARGET_RATIO`] costs against the share
/// of TextRank score dropped (the scores sum to 1): 0.05 off target weighs
/// as much as dropping a fifth of the text's centrality. Lower weights let
/// ratios drift to the window's edges (over 12 business-plan paragraphs, 2
/// gave a mean of 0.817); much higher ones make sentence length decide
/// and drop central sentences to gain a thousandth.
pub const CLOSENESS_WEIGHT: f64 = 4.0;

/// Adverbs and connectives that carry no facts, longest first so `무엇보다도`
/// is taken whole. Trimmed only as whole words (followed by a space or a comma).
pub const FILLERS: &[&str] = &[
    "무엇보다도",
    "이를 통해",
    "이를 통하여",
    "무엇보다",
    "아울러",
    "더불어",
    "나아가",
    "그리고",
    "상당히",
    "굉장히",
    "또한",
    "한편",
    "특히",
    "매우",
    "더욱",
    "아주",
];

/// Openings that point at the sentence before: demonstratives (`이`, `그`,
/// `해당`), anaphoric phrases and connectives whose sense needs what came
/// before (`그 결과`, `반면`, `따라서`). Additive ones (`또한`, `한편`) are not here:
/// a sentence opening with them still reads on its own.
const BACK_REFERENCES: &[&str] = &[
    "이 ",
    "이는",
    "이를",
    "이에",
    "이들",
    "이러한",
    "이런",
    "이와",
    "이로",
    "이같은",
    "이 같은",
    "그 ",
    "그는",
    "그들",
    "그래서",
    "그러나",
    "그러므로",
    "그런데",
    "하지만",
    "따라서",
    "반면",
    "즉",
    "해당 ",
    "대신",
    "this ",
    "these ",
    "that ",
    "it ",
    "however",
    "therefore",
    "thus",
];

/// Most quantised length steps the knapsack table holds, so a very long text
/// costs at most sentences × this many steps (lengths are then rounded to
/// `ceil(max dropped / this)` characters; ratios are still measured exactly).
const MAX_KNAPSACK_STEPS: usize = 4000;

/// A heading is at most this many characters.
const MAX_HEADING_LENGTH: usize = 40;

/// The condensed text and how it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct Condensed {
    pub text: String,
    /// Output length / input length ([`sentences::length`]: Unicode scalar
    /// values, whitespace excluded).
    pub ratio: f64,
    pub sentences_total: usize,
    pub sentences_kept: usize,
    /// Whether words or asides were trimmed inside sentences.
    pub trimmed: bool,
}

/// The text about 20 % shorter; see the module documentation.
pub fn condense(text: &str) -> Condensed {
    let sentences = sentences::split(text);
    let total = sentences::length(text);
    if sentences.is_empty() || total == 0 {
        return Condensed { text: String::new(), ratio: 1.0, sentences_total: 0, sentences_kept: 0, trimmed: false };
    }
    let texts: Vec<&str> = sentences.iter().map(|s| s.text).collect();
    let lengths: Vec<usize> = texts.iter().map(|t| sentences::length(t)).collect();
    let prior: Vec<f64> = sentences.iter().map(|s| 1.0 + 1.0 / (1.0 + s.index_in_paragraph as f64)).collect();
    let scores = textrank::rank::rank(&texts, &prior);
    let rules: Vec<Rule> = (0..sentences.len())
        .map(|i| Rule {
            droppable: !opens_paragraph(&sentences, i),
            needs_previous: sentences[i].index_in_paragraph > 0 && refers_back(sentences[i].text),
        })
        .collect();

    let table = DropTable::build(&lengths, &scores, &rules, total);
    let whole_sentences: Vec<Choice> =
        table.drop_sets().into_iter().map(|dropped| Choice::new(dropped, &lengths, &scores, total)).collect();

    let choice = best_in_window(whole_sentences.iter().cloned()).unwrap_or_else(|| {
        let trims = trims_by_priority(&texts, &lengths, &scores);
        let trimmed: Vec<Choice> =
            whole_sentences.iter().map(|c| c.with_trims(&trims, &lengths, &scores, total)).collect();
        best_in_window(trimmed.iter().cloned()).unwrap_or_else(|| closest_to_target(trimmed))
    });
    let output = assemble(&sentences, &choice);
    Condensed {
        ratio: sentences::length(&output) as f64 / total as f64,
        text: output,
        sentences_total: sentences.len(),
        sentences_kept: choice.dropped.iter().filter(|d| !**d).count(),
        trimmed: !choice.trims.is_empty(),
    }
}

/// Whether the sentence opens by pointing at the one before it.
fn refers_back(sentence: &str) -> bool {
    let lowercase = sentence.to_lowercase();
    BACK_REFERENCES.iter().any(|opening| lowercase.starts_with(opening))
}

/// A paragraph's first sentence, or a heading and the sentence after it.
fn opens_paragraph(sentences: &[Sentence<'_>], i: usize) -> bool {
    match sentences[i].index_in_paragraph {
        0 => true,
        1 => is_heading(sentences, i - 1),
        _ => false,
    }
}

/// A short line of its own without a final mark, opening its paragraph:
/// `1. 사업 개요`, `■ 시장 현황`.
fn is_heading(sentences: &[Sentence<'_>], i: usize) -> bool {
    let s = &sentences[i];
    let alone_on_line = sentences.iter().filter(|o| o.line == s.line).count() == 1;
    let unterminated = !s.text.ends_with(['.', '?', '!', '。', '？', '！', '…']);
    alone_on_line && unterminated && s.index_in_paragraph == 0 && sentences::length(s.text) <= MAX_HEADING_LENGTH
}

/// One way to condense: which sentences go, which trims apply, and what it costs.
#[derive(Debug, Clone)]
struct Choice {
    dropped: Vec<bool>,
    trims: Vec<Trim>,
    ratio: f64,
    cost: f64,
}

impl Choice {
    fn new(dropped: Vec<bool>, lengths: &[usize], scores: &[f64], total: usize) -> Self {
        let kept: usize = (0..lengths.len()).filter(|&i| !dropped[i]).map(|i| lengths[i]).sum();
        let lost: f64 = (0..lengths.len()).filter(|&i| dropped[i]).map(|i| scores[i]).sum();
        let ratio = kept as f64 / total as f64;
        Choice { dropped, trims: Vec::new(), ratio, cost: lost + CLOSENESS_WEIGHT * (ratio - TARGET_RATIO).abs() }
    }

    /// This choice with trims in the kept sentences, taken in priority order
    /// while they bring the ratio towards the target without leaving the window.
    fn with_trims(&self, trims: &[Trim], lengths: &[usize], scores: &[f64], total: usize) -> Self {
        let mut kept: usize = (0..lengths.len()).filter(|&i| !self.dropped[i]).map(|i| lengths[i]).sum();
        let mut lost: f64 = (0..lengths.len()).filter(|&i| self.dropped[i]).map(|i| scores[i]).sum();
        let mut applied = Vec::new();
        for trim in trims.iter().filter(|t| !self.dropped[t.sentence]) {
            let ratio = kept as f64 / total as f64;
            let trimmed = (kept - trim.saved) as f64 / total as f64;
            let above_window = ratio > *RATIO_WINDOW.end();
            let closer = (trimmed - TARGET_RATIO).abs() < (ratio - TARGET_RATIO).abs();
            if trimmed >= *RATIO_WINDOW.start() && (above_window || closer) {
                kept -= trim.saved;
                lost += trim.lost(lengths, scores);
                applied.push(trim.clone());
            }
        }
        let ratio = kept as f64 / total as f64;
        Choice {
            dropped: self.dropped.clone(),
            trims: applied,
            ratio,
            cost: lost + CLOSENESS_WEIGHT * (ratio - TARGET_RATIO).abs(),
        }
    }
}

/// The cheapest choice in the window; the first of equals, so ties are decided by order.
fn best_in_window(choices: impl Iterator<Item = Choice>) -> Option<Choice> {
    choices.filter(|c| RATIO_WINDOW.contains(&c.ratio)).fold(None, |best: Option<Choice>, c| match best {
        Some(b) if b.cost <= c.cost => Some(b),
        _ => Some(c),
    })
}

/// The choice closest to the target when none is in the window; the longer of equals.
fn closest_to_target(choices: Vec<Choice>) -> Choice {
    choices
        .into_iter()
        .fold(None, |best: Option<Choice>, c| match best {
            Some(b) if (b.ratio - TARGET_RATIO).abs() <= (c.ratio - TARGET_RATIO).abs() => Some(b),
            _ => Some(c),
        })
        .expect("keeping every sentence is always a choice")
}

/// Which sentences may go, and which only with the one before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    /// Headings and paragraph openers stay.
    droppable: bool,
    /// A sentence opening with a back-reference (`이는`, `그 결과`, `반면`) is
    /// kept only if the sentence before it is: alone it would point at nothing.
    needs_previous: bool,
}

/// The selection table: for each dropped length (in steps of `unit`
/// characters) up to a quarter of the text, the least TextRank score a set
/// of sentences of exactly that length carries while following the
/// [`Rule`]s. A 0/1 knapsack run along the sentences in order, whose state
/// also says whether the previous sentence went, so the back-reference
/// rule can be kept: sentences × 2 × steps entries.
struct DropTable {
    lengths: Vec<usize>,
    /// `least_lost[previous dropped][d]` after the last sentence.
    least_lost: [Vec<f64>; 2],
    /// `came_from[i][dropped][d]`: whether sentence `i - 1` was dropped on the
    /// best way to dropping `i` or not (`dropped`) with `d` steps gone so far;
    /// `None` when unreachable.
    came_from: Vec<[Vec<Option<bool>>; 2]>,
}

impl DropTable {
    fn build(lengths: &[usize], scores: &[f64], rules: &[Rule], total: usize) -> Self {
        // Dropping more than a quarter would leave the window.
        let max_drop = total / 4;
        let unit = max_drop.div_ceil(MAX_KNAPSACK_STEPS).max(1);
        let steps = max_drop / unit;
        let lengths: Vec<usize> = lengths.iter().map(|&l| ((l + unit / 2) / unit).max(1)).collect();
        let unreachable = || vec![f64::INFINITY; steps + 1];
        // Before the first sentence nothing is dropped, and "the previous one" counts as kept.
        let mut lost = [unreachable(), unreachable()];
        lost[0][0] = 0.0;
        let mut came_from = Vec::with_capacity(lengths.len());
        for (i, &length) in lengths.iter().enumerate() {
            let mut next = [unreachable(), unreachable()];
            let mut from = [vec![None; steps + 1], vec![None; steps + 1]];
            for previous_dropped in [false, true] {
                for d in 0..=steps {
                    let so_far = lost[usize::from(previous_dropped)][d];
                    if so_far.is_infinite() {
                        continue;
                    }
                    if !(previous_dropped && rules[i].needs_previous) && so_far < next[0][d] {
                        next[0][d] = so_far;
                        from[0][d] = Some(previous_dropped);
                    }
                    let dropped = d + length;
                    if rules[i].droppable && dropped <= steps && so_far + scores[i] < next[1][dropped] {
                        next[1][dropped] = so_far + scores[i];
                        from[1][dropped] = Some(previous_dropped);
                    }
                }
            }
            lost = next;
            came_from.push(from);
        }
        DropTable { lengths, least_lost: lost, came_from }
    }

    /// The best set for every reachable dropped length, shortest drop first
    /// (the first is keeping everything).
    fn drop_sets(&self) -> Vec<Vec<bool>> {
        (0..self.least_lost[0].len())
            .filter_map(|d| {
                let (kept, dropped) = (self.least_lost[0][d], self.least_lost[1][d]);
                if kept.is_finite() || dropped.is_finite() { Some(self.drop_set(dropped < kept, d)) } else { None }
            })
            .collect()
    }

    /// The sentences dropped on the best way to `d` steps, the last one dropped or not.
    fn drop_set(&self, mut last_dropped: bool, mut d: usize) -> Vec<bool> {
        let mut dropped = vec![false; self.lengths.len()];
        for i in (0..self.lengths.len()).rev() {
            let previous = self.came_from[i][usize::from(last_dropped)][d].expect("a reachable state");
            if last_dropped {
                dropped[i] = true;
                d -= self.lengths[i];
            }
            last_dropped = previous;
        }
        dropped
    }
}

/// What a trim removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TrimKind {
    /// A filler adverb or connective with its comma: no facts lost.
    Filler,
    /// A parenthetical aside: an explanation or a detail, so it costs its
    /// share of the sentence's score.
    Aside,
}

/// A span to cut out of one sentence.
#[derive(Debug, Clone, PartialEq)]
struct Trim {
    sentence: usize,
    /// Byte range in the sentence's text, whitespace around it included.
    range: Range<usize>,
    /// Non-whitespace characters it removes.
    saved: usize,
    kind: TrimKind,
}

impl Trim {
    fn lost(&self, lengths: &[usize], scores: &[f64]) -> f64 {
        match self.kind {
            TrimKind::Filler => 0.0,
            TrimKind::Aside => scores[self.sentence] * self.saved as f64 / lengths[self.sentence] as f64,
        }
    }
}

/// Every trim in every sentence, fillers before asides, then least central sentence first.
fn trims_by_priority(texts: &[&str], lengths: &[usize], scores: &[f64]) -> Vec<Trim> {
    let mut trims: Vec<Trim> = texts
        .iter()
        .enumerate()
        .flat_map(|(i, text)| {
            let asides = asides(text, lengths[i]);
            let fillers = fillers(text, &asides);
            let to_trim = |(range, kind): (Range<usize>, TrimKind)| Trim {
                sentence: i,
                saved: sentences::length(&text[range.clone()]),
                range,
                kind,
            };
            fillers
                .into_iter()
                .map(|r| (r, TrimKind::Filler))
                .chain(asides.into_iter().map(|r| (r, TrimKind::Aside)))
                .map(to_trim)
                .collect::<Vec<_>>()
        })
        .collect();
    trims.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(scores[a.sentence].total_cmp(&scores[b.sentence]))
            .then(a.sentence.cmp(&b.sentence))
            .then(a.range.start.cmp(&b.range.start))
    });
    trims
}

/// Parenthetical asides, `(…)` or `（…）`, not nested, with the space before
/// them when a space or a mark follows (`시장 (2024년 기준) 규모` → `시장 규모`).
/// Not one at the start of the sentence (`(1) 항목`, a list marker) or one
/// that is the whole sentence.
fn asides(text: &str, length: usize) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        match c {
            '(' | '（' => open = Some(at),
            ')' | '）' => {
                if let Some(start) = open.take() {
                    let end = at + c.len_utf8();
                    if start == 0 || sentences::length(&text[start..end]) >= length {
                        continue;
                    }
                    let spaced_before = text[..start].ends_with(char::is_whitespace);
                    let next = text[end..].chars().next();
                    let spaced_or_marked_after = next.is_none_or(|n| n.is_whitespace() || n.is_ascii_punctuation());
                    let from = if spaced_before && spaced_or_marked_after {
                        text[..start].trim_end_matches(char::is_whitespace).len()
                    } else {
                        start
                    };
                    found.push(from..end);
                }
            }
            _ => {}
        }
    }
    found
}

/// [`FILLERS`] as whole words outside `asides`, each with the comma and spaces after it.
fn fillers(text: &str, asides: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut found: Vec<Range<usize>> = Vec::new();
    for filler in FILLERS {
        for (start, _) in text.match_indices(filler) {
            let end = start + filler.len();
            let word_start = start == 0 || text[..start].ends_with(char::is_whitespace);
            let rest = &text[end..];
            let word_end = rest.starts_with(|c: char| c.is_whitespace() || c == ',');
            let overlaps = |r: &Range<usize>| r.start < end && start < r.end;
            if !word_start || !word_end || asides.iter().any(overlaps) || found.iter().any(overlaps) {
                continue;
            }
            let after_comma = rest.strip_prefix(',').unwrap_or(rest);
            let after_space = after_comma.trim_start_matches(char::is_whitespace);
            found.push(start..text.len() - after_space.len());
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// The kept sentences, trimmed, in order: a space between sentences of one
/// line, a line break between lines, a blank line between paragraphs.
fn assemble(sentences: &[Sentence<'_>], choice: &Choice) -> String {
    let mut output = String::new();
    let mut previous: Option<&Sentence<'_>> = None;
    for (i, sentence) in sentences.iter().enumerate() {
        if choice.dropped[i] {
            continue;
        }
        if let Some(p) = previous {
            output.push_str(if p.paragraph != sentence.paragraph {
                "\n\n"
            } else if p.line != sentence.line {
                "\n"
            } else {
                " "
            });
        }
        let mut cuts: Vec<&Range<usize>> = choice.trims.iter().filter(|t| t.sentence == i).map(|t| &t.range).collect();
        cuts.sort_by_key(|r| r.start);
        output.push_str(&without(sentence.text, &cuts));
        previous = Some(sentence);
    }
    output
}

/// `text` without the `cuts` (sorted, not overlapping), its spaces tidied:
/// no double spaces, none before a comma or a final mark, none at the ends.
fn without(text: &str, cuts: &[&Range<usize>]) -> String {
    if cuts.is_empty() {
        return text.to_string();
    }
    let mut kept = String::with_capacity(text.len());
    let mut from = 0;
    for cut in cuts {
        kept.push_str(&text[from..cut.start]);
        from = cut.end;
    }
    kept.push_str(&text[from..]);
    let mut tidy = String::with_capacity(kept.len());
    for c in kept.chars() {
        if c.is_whitespace() && tidy.ends_with(char::is_whitespace) {
            continue;
        }
        if matches!(c, ',' | '.' | '?' | '!') && tidy.ends_with(char::is_whitespace) {
            tidy.pop();
        }
        tidy.push(c);
    }
    tidy.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "당사는 AI 기반 재고 관리 솔루션을 개발한다. 이 솔루션은 판매 데이터를 분석해 발주량을 추천한다. \
        중소 유통사는 재고 관리에 평균 주 12시간을 쓴다. 솔루션은 재고 데이터로 발주 시점을 예측한다. \
        도입 기업은 재고 비용을 줄일 수 있다. 사무실은 서울 성수동에 있다.";

    #[test]
    fn a_paragraph_lands_in_the_window_with_whole_sentences_in_order() {
        let condensed = condense(PLAN);
        assert!(RATIO_WINDOW.contains(&condensed.ratio), "{condensed:?}");
        assert!(!condensed.trimmed);
        let originals = sentences::split(PLAN);
        let kept = sentences::split(&condensed.text);
        let positions: Vec<usize> = kept
            .iter()
            .map(|k| originals.iter().position(|o| o.text == k.text).expect("an original sentence"))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn the_ratio_is_measured_without_whitespace() {
        let condensed = condense(PLAN);
        let expected = sentences::length(&condensed.text) as f64 / sentences::length(PLAN) as f64;
        assert_eq!(condensed.ratio, expected);
    }

    #[test]
    fn one_sentence_is_trimmed_of_fillers_and_asides() {
        let text = "또한 당사는 매우 정밀한 인공지능(AI) 분석 엔진과 특히 빠른 처리 속도를 갖춘 재고 예측 서비스(베타 버전)를 제공한다.";
        let condensed = condense(text);
        assert!(condensed.trimmed, "{condensed:?}");
        assert_eq!(condensed.sentences_kept, 1);
        assert!(!condensed.text.contains("또한") && !condensed.text.starts_with(' '), "{}", condensed.text);
        assert!(RATIO_WINDOW.contains(&condensed.ratio), "{condensed:?}");
    }

    #[test]
    fn a_sentence_without_anything_to_trim_is_kept_whole_and_says_so() {
        let condensed = condense("당사는 재고 예측 서비스를 제공한다.");
        assert_eq!(condensed.text, "당사는 재고 예측 서비스를 제공한다.");
        assert_eq!(condensed.ratio, 1.0);
    }

    #[test]
    fn fillers_are_whole_words_only() {
        let text = "또한, 매우다 특히 좋다";
        let cut: Vec<&str> = fillers(text, &[]).into_iter().map(|r| &text[r]).collect();
        assert_eq!(cut, ["또한, ", "특히 "]);
    }

    #[test]
    fn an_aside_takes_the_space_before_it_when_a_space_follows() {
        let text = "시장 (2024년 기준) 규모와 인공지능(AI)을";
        let cut: Vec<&str> = asides(text, sentences::length(text)).into_iter().map(|r| &text[r]).collect();
        assert_eq!(cut, [" (2024년 기준)", "(AI)"]);
        let ranges = asides(text, sentences::length(text));
        assert_eq!(without(text, &ranges.iter().collect::<Vec<_>>()), "시장 규모와 인공지능을");
    }

    #[test]
    fn headings_are_never_dropped() {
        let text = "1. 시장 현황\n국내 재고 관리 시장은 연 8% 성장한다. 중소 유통사의 도입률은 낮다. \
            클라우드 전환이 빨라지고 있다. 정부는 스마트 물류를 지원한다. 경쟁 제품은 대기업용이다.";
        let condensed = condense(text);
        assert!(condensed.text.starts_with("1. 시장 현황\n"), "{}", condensed.text);
    }

    #[test]
    fn paragraphs_and_lines_keep_their_breaks() {
        let text = "첫 문단의 첫 문장이다. 첫 문단의 둘째 문장이다.\n\n둘째 문단의 문장이다.\n둘째 문단 다음 줄이다.";
        let choice = Choice::new(vec![false, true, false, false], &[1, 1, 1, 1], &[0.25; 4], 4);
        assert_eq!(
            assemble(&sentences::split(text), &choice),
            "첫 문단의 첫 문장이다.\n\n둘째 문단의 문장이다.\n둘째 문단 다음 줄이다."
        );
    }

    #[test]
    fn the_knapsack_finds_exact_dropped_lengths() {
        let free = Rule { droppable: true, needs_previous: false };
        let table = DropTable::build(&[10, 20, 30, 40], &[0.4, 0.3, 0.2, 0.1], &[free; 4], 100);
        // 25 is the most that may go: 10 and 20 are reachable, 20 by the cheaper single sentence.
        let sets = table.drop_sets();
        assert_eq!(sets, [vec![false; 4], vec![true, false, false, false], vec![false, true, false, false]]);
    }

    #[test]
    fn a_back_reference_is_not_kept_without_the_sentence_before_it() {
        let free = Rule { droppable: true, needs_previous: false };
        let referring = Rule { droppable: true, needs_previous: true };
        // Dropping sentence 1 alone would be cheapest for 10 characters, but sentence 2
        // refers to it: 10 must drop the costlier sentence 2 instead, and 20 drops both.
        let table = DropTable::build(&[30, 10, 10, 50], &[0.3, 0.01, 0.5, 0.19], &[free, free, referring, free], 100);
        assert_eq!(
            table.drop_sets(),
            [vec![false; 4], vec![false, false, true, false], vec![false, true, true, false]]
        );
    }

    #[test]
    fn a_paragraph_opener_stays_even_when_it_ranks_last() {
        let text = "국내 소상공인은 약 700만 명이다. 이들 중 상당수는 장부를 수기로 쓴다. 장부 앱 시장은 연 12% 성장한다. \
            당사 앱은 카드 매출을 자동으로 모은다. 당사 앱은 배달앱 정산도 자동으로 모은다. 당사 앱은 세무 신고까지 돕는다.";
        let condensed = condense(text);
        assert!(condensed.text.starts_with("국내 소상공인은 약 700만 명이다."), "{}", condensed.text);
        let kept_reference = condensed.text.contains("이들 중");
        assert!(!kept_reference || condensed.text.contains("700만 명이다. 이들 중"), "{}", condensed.text);
    }

    #[test]
    fn back_references_are_recognised_by_their_opening() {
        for sentence in ["이는 큰 변화다.", "그 결과 비용이 줄었다.", "반면 경쟁사는 느리다.", "However, it works."]
        {
            assert!(refers_back(sentence), "{sentence}");
        }
        for sentence in ["또한 비용이 줄었다.", "이용자는 늘었다.", "그래픽 엔진이다."] {
            assert!(!refers_back(sentence), "{sentence}");
        }
    }
}

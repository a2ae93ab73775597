//! TextRank (Mihalcea & Tarau, 2004) over sentences: a sentence matters as
//! much as the sentences that resemble it, computed as PageRank on the
//! graph whose edge weights are the sentences' similarities.
//!
//! Similarity is the cosine of character-bigram vectors. Bigrams need no
//! Korean morphological analyser (a particle or an ending changes one
//! bigram of a word, not the whole word, so `플랫폼을` and `플랫폼은` still
//! match on `플랫`/`랫폼`) and work the same for English. Bigram counts are
//! weighted by inverse sentence frequency: endings such as `니다` and `했다`
//! occur in every sentence and would otherwise make every pair look alike.
//!
//! Everything is computed in a fixed order over sorted vectors (no hash
//! maps), so the same text always gets the same scores, to the last bit.
//!
//! [`rank`] builds the full similarity matrix (sentences² numbers); for
//! long texts [`select`] ranks in blocks of [`BLOCK`] sentences so memory
//! and time stay bounded.

/// PageRank's damping factor: the chance of following an edge rather than
/// jumping back to the prior. The usual 0.85.
pub const DAMPING: f64 = 0.85;

/// Power-iteration steps. The graphs are small (tens of sentences) and
/// 30 steps leave an error below 0.85^30 ≈ 0.8 % of the first step's,
/// far below the differences between sentences that matter here; a fixed
/// count keeps the scores reproducible.
pub const ITERATIONS: usize = 30;

/// A sentence as weighted character bigrams, sorted by bigram.
type Vector = Vec<(u64, f64)>;

/// The TextRank score of each sentence (the scores sum to 1).
///
/// `prior[i]` is how likely a random reader starts at sentence `i` (any
/// non-negative weights; they are normalised). Uniform weights give plain
/// TextRank; more weight on a paragraph's first sentences favours topic
/// sentences, as report paragraphs usually open with theirs.
///
/// # Panics
///
/// If `prior` and `sentences` differ in length.
pub fn rank(sentences: &[&str], prior: &[f64]) -> Vec<f64> {
    assert_eq!(sentences.len(), prior.len(), "one prior weight per sentence");
    let n = sentences.len();
    if n == 0 {
        return Vec::new();
    }
    let prior = normalised(prior);
    let vectors = tf_idf(sentences);
    let norms: Vec<f64> = vectors.iter().map(|v| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt()).collect();
    let mut similarity = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let s = cosine(&vectors[i], &vectors[j], norms[i], norms[j]);
            similarity[i][j] = s;
            similarity[j][i] = s;
        }
    }
    let out_weight: Vec<f64> = similarity.iter().map(|row| row.iter().sum()).collect();

    let mut scores = prior.clone();
    for _ in 0..ITERATIONS {
        // A sentence like no other passes its score on through the prior, so the total stays 1.
        let dangling: f64 = (0..n).filter(|&j| out_weight[j] == 0.0).map(|j| scores[j]).sum();
        let next: Vec<f64> = (0..n)
            .map(|i| {
                let inflow: f64 =
                    (0..n).filter(|&j| out_weight[j] > 0.0).map(|j| scores[j] * similarity[j][i] / out_weight[j]).sum();
                (1.0 - DAMPING) * prior[i] + DAMPING * (inflow + dangling * prior[i])
            })
            .collect();
        scores = next;
    }
    scores
}

/// How many sentences [`select`] ranks in one graph: 500² similarities are
/// 2 MB, and a 200,000-character guideline (about 4,000 sentences) is then
/// eight blocks rather than one 128 MB matrix.
pub const BLOCK: usize = 500;

/// The indices of the `k` best sentences by TextRank, in document order.
///
/// Ties go to the earlier sentence. Up to [`BLOCK`] sentences are ranked in
/// one graph. Beyond that, ranking is hierarchical: each run of [`BLOCK`]
/// consecutive sentences is ranked on its own and sends its best `k` (at
/// least one) to a final round, which ranks the finalists together (with
/// their original priors) and keeps the best `k`. A sentence that is central
/// in its part of a long document thus competes with the other parts' central
/// sentences, not with every sentence at once.
///
/// # Panics
///
/// If `prior` and `sentences` differ in length.
pub fn select(sentences: &[&str], prior: &[f64], k: usize) -> Vec<usize> {
    assert_eq!(sentences.len(), prior.len(), "one prior weight per sentence");
    if k == 0 || sentences.is_empty() {
        return Vec::new();
    }
    if sentences.len() <= BLOCK {
        return best(&rank(sentences, prior), k);
    }
    let per_block = k.clamp(1, BLOCK);
    let mut finalists: Vec<usize> = Vec::new();
    for start in (0..sentences.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(sentences.len());
        let scores = rank(&sentences[start..end], &prior[start..end]);
        finalists.extend(best(&scores, per_block).into_iter().map(|i| start + i));
    }
    if finalists.len() > BLOCK {
        // More than BLOCK blocks' worth of finalists: rank those the same way.
        let texts: Vec<&str> = finalists.iter().map(|&i| sentences[i]).collect();
        let weights: Vec<f64> = finalists.iter().map(|&i| prior[i]).collect();
        return select(&texts, &weights, k).into_iter().map(|i| finalists[i]).collect();
    }
    let texts: Vec<&str> = finalists.iter().map(|&i| sentences[i]).collect();
    let weights: Vec<f64> = finalists.iter().map(|&i| prior[i]).collect();
    best(&rank(&texts, &weights), k).into_iter().map(|i| finalists[i]).collect()
}

/// The indices of the `k` highest scores (earlier first among equals), in index order.
fn best(scores: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order.truncate(k);
    order.sort_unstable();
    order
}

/// How alike two texts are: the cosine of their character-bigram counts
/// (the vectors [`rank`] uses, without the inverse sentence frequency, which
/// needs a whole document), from 0 (no bigram shared) to 1. Case is ignored.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (bigram_counts(a), bigram_counts(b));
    let norm = |v: &Vector| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    cosine(&a, &b, norm(&a), norm(&b))
}

/// How much of `part` is in `whole`: the share of `part`'s character
/// bigrams (counted with repeats) that `whole` has too, from 0 to 1; 0 when
/// `part` has none. A quotation of `whole` with a word or two changed scores
/// near 1 however long `whole` is; a sentence that merely shares its
/// phrasing (`… are recommended for …`) scores far lower. Case is ignored.
pub fn coverage(part: &str, whole: &str) -> f64 {
    let (part, whole) = (bigram_counts(part), bigram_counts(whole));
    let total: f64 = part.iter().map(|(_, c)| c).sum();
    if total == 0.0 {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0.0);
    while i < part.len() && j < whole.len() {
        match part[i].0.cmp(&whole[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += part[i].1.min(whole[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    shared / total
}

fn normalised(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total > 0.0 {
        weights.iter().map(|w| w.max(0.0) / total).collect()
    } else {
        vec![1.0 / weights.len() as f64; weights.len()]
    }
}

/// The bigrams of a sentence with their counts, sorted by bigram. Bigrams
/// stay inside words (runs of letters and digits, lowercased); a one-letter
/// word counts as itself.
fn bigram_counts(sentence: &str) -> Vec<(u64, f64)> {
    let mut keys = Vec::new();
    for word in sentence.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let letters: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        if letters.len() == 1 {
            keys.push(u64::from(letters[0]) << 32);
        }
        keys.extend(letters.windows(2).map(|pair| (u64::from(pair[0]) << 32) | u64::from(pair[1])));
    }
    keys.sort_unstable();
    let mut counts: Vec<(u64, f64)> = Vec::new();
    for key in keys {
        match counts.last_mut() {
            Some((last, count)) if *last == key => *count += 1.0,
            _ => counts.push((key, 1.0)),
        }
    }
    counts
}

/// Bigram counts weighted by smoothed inverse sentence frequency,
/// `ln((1 + n) / (1 + df)) + 1`, so a bigram in every sentence still counts a little.
fn tf_idf(sentences: &[&str]) -> Vec<Vector> {
    let counts: Vec<Vector> = sentences.iter().map(|s| bigram_counts(s)).collect();
    let mut all: Vec<u64> = counts.iter().flat_map(|c| c.iter().map(|&(k, _)| k)).collect();
    all.sort_unstable();
    let mut frequency: Vec<(u64, f64)> = Vec::new();
    for key in all {
        match frequency.last_mut() {
            Some((last, df)) if *last == key => *df += 1.0,
            _ => frequency.push((key, 1.0)),
        }
    }
    let n = sentences.len() as f64;
    counts
        .into_iter()
        .map(|vector| {
            vector
                .into_iter()
                .map(|(key, tf)| {
                    let df = frequency[frequency.binary_search_by_key(&key, |&(k, _)| k).expect("counted")].1;
                    (key, tf * (((1.0 + n) / (1.0 + df)).ln() + 1.0))
                })
                .collect()
        })
        .collect()
}

/// Cosine of two sorted sparse vectors; 0 when either is empty.
fn cosine(a: &Vector, b: &Vector, norm_a: f64, norm_b: f64) -> f64 {
    if norm_a == 0.0 || norm_b == 0.0 {
        return 0.0;
    }
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot / (norm_a * norm_b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIFORM4: [f64; 4] = [1.0; 4];

    #[test]
    fn scores_sum_to_one() {
        let scores = rank(&["가나다라", "나다라마", "바사아자", "라마바사"], &UNIFORM4);
        assert!((scores.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{scores:?}");
    }

    #[test]
    fn the_sentence_resembling_the_others_ranks_first() {
        let sentences = [
            "AI 헬스케어 플랫폼은 병원 데이터를 분석한다.",
            "플랫폼은 AI로 병원 데이터와 환자 기록을 분석해 헬스케어 서비스를 만든다.",
            "헬스케어 서비스는 환자 기록을 쓴다.",
            "점심 메뉴는 김치찌개였다.",
        ];
        let scores = rank(&sentences, &UNIFORM4);
        let best = (0..4).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        let worst = (0..4).min_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        assert_eq!((best, worst), (1, 3), "{scores:?}");
    }

    #[test]
    fn a_sentence_like_no_other_keeps_only_its_prior_share() {
        let scores = rank(&["가나다", "가나다라", "xyz"], &[1.0, 1.0, 1.0]);
        assert!(scores[2] < scores[0] && scores[2] < scores[1], "{scores:?}");
    }

    #[test]
    fn the_prior_breaks_ties_between_equal_sentences() {
        let scores = rank(&["같은 문장이다", "같은 문장이다"], &[2.0, 1.0]);
        assert!(scores[0] > scores[1], "{scores:?}");
    }

    #[test]
    fn the_same_sentences_get_bit_identical_scores() {
        let sentences = ["시장 규모는 크다.", "시장 성장률이 높다.", "경쟁사는 적다.", "규모의 경제가 있다."];
        assert_eq!(rank(&sentences, &UNIFORM4), rank(&sentences, &UNIFORM4));
    }

    #[test]
    fn select_returns_the_best_k_in_document_order() {
        let sentences = [
            "점심 메뉴는 김치찌개였다.",
            "AI 헬스케어 플랫폼은 병원 데이터를 분석한다.",
            "플랫폼은 AI로 병원 데이터와 환자 기록을 분석해 헬스케어 서비스를 만든다.",
            "헬스케어 서비스는 환자 기록을 쓴다.",
        ];
        assert_eq!(select(&sentences, &UNIFORM4, 2), [1, 2]);
        assert_eq!(select(&sentences, &UNIFORM4, 9).len(), 4);
        assert!(select(&sentences, &UNIFORM4, 0).is_empty());
    }

    #[test]
    fn long_documents_are_ranked_in_blocks_and_still_find_the_central_sentences() {
        // Fillers sharing no bigram with anything (two distinct syllables each), and in
        // every block a cluster of three related sentences whose hub joins the other two.
        let filler: Vec<String> = (0..(2 * BLOCK + 50) as u32)
            .map(|i| [0xAC00 + 2 * i, 0xAC00 + 2 * i + 1].iter().map(|&c| char::from_u32(c).unwrap()).collect())
            .collect();
        let mut texts: Vec<&str> = filler.iter().map(String::as_str).collect();
        let hubs = [20, BLOCK + 20, 2 * BLOCK + 20];
        for hub in hubs {
            texts[hub - 5] = "혈압은 매 방문 시 측정한다.";
            texts[hub] = "혈압은 매 방문 시 측정하고 혈압 기록을 진료 기록에 남긴다.";
            texts[hub + 5] = "혈압 기록을 진료 기록에 남긴다.";
        }
        let prior = vec![1.0; texts.len()];
        assert_eq!(select(&texts, &prior, 3), hubs);
    }

    #[test]
    fn similarity_is_one_for_equal_texts_and_zero_for_unrelated_ones() {
        assert!((similarity("혈압을 측정한다", "혈압을 측정한다") - 1.0).abs() < 1e-12);
        assert_eq!(similarity("혈압을 측정한다", "xyz"), 0.0);
        assert!(similarity("Measure blood pressure", "measure the blood pressure") > 0.8);
    }

    #[test]
    fn coverage_is_how_much_of_a_part_is_in_the_whole() {
        assert_eq!(coverage("혈압을 측정한다", "매 방문 시 혈압을 측정한다."), 1.0);
        assert_eq!(coverage("xyz", "혈압을 측정한다"), 0.0);
        assert_eq!(coverage("", "혈압"), 0.0);
        assert!(coverage("Statins are recommended for everyone", "Exercise is recommended for all patients") < 0.7);
    }

    #[test]
    fn particles_change_one_bigram_not_the_match() {
        let a = tf_idf(&["플랫폼을", "플랫폼은"]);
        let norm = |v: &Vector| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        assert!(cosine(&a[0], &a[1], norm(&a[0]), norm(&a[1])) > 0.4);
    }
}

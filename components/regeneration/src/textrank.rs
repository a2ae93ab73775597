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
    fn particles_change_one_bigram_not_the_match() {
        let a = tf_idf(&["플랫폼을", "플랫폼은"]);
        let norm = |v: &Vector| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        assert!(cosine(&a[0], &a[1], norm(&a[0]), norm(&a[1])) > 0.4);
    }
}

//! The fallback similarity: the Dice coefficient of character bigrams.
//!
//! Both strings are normalised first: lower-cased (Unicode), with every
//! character that is not a letter or a digit removed, so `Data Analysis`,
//! `data-analysis` and `DATA ANALYSIS` are one string, and so are `데이터 분석`
//! and `데이터분석`. Then
//!
//! `dice(a, b) = 2 × |bigrams(a) ∩ bigrams(b)| / (|bigrams(a)| + |bigrams(b)|)`
//!
//! over multisets of adjacent character pairs; equal normalised strings
//! score 1.0 (also single characters, which have no bigram), and a string
//! that normalises to nothing scores 0.0 against everything.
//!
//! It sees spelling, not meaning: `헬스케어` matches `헬스케어` (1.0) and
//! partly `디지털헬스케어` (0.67), but `AI` does not match `인공지능` (0.0).
//! That is why results computed this way say `matching_method: lexical_count`.

/// `text` lower-cased, letters and digits only.
pub fn normalise(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The sorted character bigrams of an already normalised string.
fn bigrams(normalised: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = normalised.chars().collect();
    let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs
}

/// The Dice coefficient of `a`'s and `b`'s character bigrams, in 0‥1 (see the module docs).
pub fn dice(a: &str, b: &str) -> f64 {
    let (a, b) = (normalise(a), normalise(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (x, y) = (bigrams(&a), bigrams(&b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    // Multiset intersection of two sorted lists.
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_score_one_whatever_their_case_and_spacing() {
        assert_eq!(dice("헬스케어", "헬스케어"), 1.0);
        assert_eq!(dice("Data Analysis", "data-analysis"), 1.0);
        assert_eq!(dice("데이터 분석", "데이터분석"), 1.0);
        assert_eq!(dice("AI", "ai"), 1.0);
        assert_eq!(dice("A", "a"), 1.0, "a single character has no bigram but equals itself");
    }

    #[test]
    fn shared_bigrams_score_between_zero_and_one() {
        // 헬스 스케 케어 (3) against 디지 지털 털헬 헬스 스케 케어 (6): 2 × 3 / 9.
        let partial = dice("헬스케어", "디지털 헬스케어");
        assert!((partial - 2.0 / 3.0).abs() < 1e-12, "{partial}");
        assert_eq!(dice("AI", "인공지능"), 0.0);
        assert_eq!(dice("!!!", "AI"), 0.0);
        assert_eq!(dice("", ""), 0.0);
    }

    #[test]
    fn repeated_bigrams_count_as_often_as_both_sides_have_them() {
        // aa aa (2) against aa (1): one shared, 2 × 1 / 3.
        assert!((dice("aaa", "aa") - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(dice("ab", "ba"), 0.0);
        assert_eq!(dice("abc", "cba"), dice("cba", "abc"));
    }
}

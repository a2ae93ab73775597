//! Character error rate: Levenshtein distance over Unicode scalar values
//! divided by the reference length, after a whitespace-only normalisation.

/// What [`normalise`] does, printed with every CER table.
pub const NORMALISATION: &str = "per line: runs of Unicode whitespace collapsed to one space and the line trimmed; \
     empty lines dropped; lines joined with `\\n` (which counts as a character). Nothing else: case, punctuation, \
     Hangul/Latin look-alikes and spaces inside a line are compared as they are.";

pub fn normalise(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`normalise`] and then every whitespace character removed: the same
/// comparison with spacing errors ignored (reported as a separate column).
pub fn strip_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Edit distance (insertions, deletions, substitutions, each costing 1) over `char`s.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Errors and reference length (in chars) of `hypothesis` against `reference`, both normalised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub chars: usize,
    pub errors: usize,
}

impl Tally {
    pub fn measure(reference: &str, hypothesis: &str) -> Self {
        let reference = normalise(reference);
        let hypothesis = normalise(hypothesis);
        Self { chars: reference.chars().count(), errors: levenshtein(&reference, &hypothesis) }
    }

    /// The same, with all whitespace removed from both sides after normalising.
    pub fn measure_ignoring_spaces(reference: &str, hypothesis: &str) -> Self {
        let reference = strip_whitespace(&normalise(reference));
        let hypothesis = strip_whitespace(&normalise(hypothesis));
        Self { chars: reference.chars().count(), errors: levenshtein(&reference, &hypothesis) }
    }

    pub fn add(&mut self, other: Tally) {
        self.chars += other.chars;
        self.errors += other.errors;
    }

    pub fn cer(self) -> f64 {
        if self.chars == 0 { 0.0 } else { self.errors as f64 / self.chars as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_one_edit_per_substitution_insertion_and_deletion() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("flaw", "flaw"), 0);
    }

    #[test]
    fn levenshtein_counts_hangul_syllables_as_single_characters() {
        assert_eq!(levenshtein("채용공고", "채욤공고"), 1);
    }

    #[test]
    fn normalise_collapses_whitespace_runs_and_trims_lines_but_keeps_line_breaks() {
        assert_eq!(normalise("  a \t b  \n\n   c  \n"), "a b\nc");
    }

    #[test]
    fn normalise_keeps_a_missing_space_as_an_error() {
        assert_eq!(Tally::measure("서류 마감", "서류마감"), Tally { chars: 5, errors: 1 });
    }

    #[test]
    fn cer_is_errors_over_reference_length() {
        let t = Tally::measure("abcd", "abxd");
        assert_eq!(t.cer(), 0.25);
    }

    #[test]
    fn ignoring_spaces_forgives_only_spacing() {
        assert_eq!(Tally::measure_ignoring_spaces("서류 마감", "서 류마감"), Tally { chars: 4, errors: 0 });
        assert_eq!(Tally::measure_ignoring_spaces("서류 마감", "서류 마깜"), Tally { chars: 4, errors: 1 });
    }
}

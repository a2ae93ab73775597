//! Hangul syllable arithmetic: which scripts characters belong to and the
//! final consonant (받침) of a syllable, which tells verb and adjective
//! stems apart from nouns better than any list of endings can alone.

const SYLLABLE_FIRST: u32 = 0xAC00;
const SYLLABLE_LAST: u32 = 0xD7A3;
/// Syllables per initial consonant: 21 vowels × 28 finals.
const FINALS: u32 = 28;

/// 받침 indices (0 = none) in Unicode's syllable order.
pub mod finals {
    pub const G: u32 = 1; // ㄱ
    pub const GG: u32 = 2; // ㄲ
    pub const N: u32 = 4; // ㄴ
    pub const D: u32 = 7; // ㄷ
    pub const L: u32 = 8; // ㄹ
    pub const M: u32 = 16; // ㅁ
    pub const B: u32 = 17; // ㅂ
    pub const S: u32 = 19; // ㅅ
    pub const SS: u32 = 20; // ㅆ
    pub const NG: u32 = 21; // ㅇ
}

/// A precomposed Hangul syllable (가–힣).
pub fn is_syllable(c: char) -> bool {
    (SYLLABLE_FIRST..=SYLLABLE_LAST).contains(&(c as u32))
}

/// A lone consonant or vowel: ㅋ, ㅠ, ㅎ… (compatibility jamo), or a
/// conjoining jamo. Comments use them for laughter and tears, not words.
pub fn is_jamo(c: char) -> bool {
    matches!(c as u32, 0x3131..=0x318E | 0x1100..=0x11FF)
}

/// The final consonant index of a syllable (0 when it has none), `None`
/// for anything that is not a syllable.
pub fn final_of(c: char) -> Option<u32> {
    is_syllable(c).then(|| (c as u32 - SYLLABLE_FIRST) % FINALS)
}

/// Finals that Korean nouns rarely end in but verb and adjective stems
/// often do (좋-, 많-, 싶-, 같-, 찾-, 읽-, 없-, 있-…), so a word whose stem
/// ends in one, before an ending like -다 or -은, is a predicate.
pub fn is_verbal_final(f: u32) -> bool {
    matches!(f, 2 | 3 | 5 | 6 | 9..=15 | 18 | 20 | 22..=27)
}

/// Whether the syllable before an ending looks like a verb stem's last
/// syllable: a verbal final, or (for endings that attach to any stem) one
/// of `extra`.
pub fn stem_final_in(c: char, extra: &[u32]) -> bool {
    final_of(c).is_some_and(|f| is_verbal_final(f) || extra.contains(&f))
}

/// Whether any syllable carries ㅆ, the mark of past tense (-았/었/했-),
/// 있다/없다 and -겠-: no Korean noun has it as a final.
pub fn has_ss_final(word: &str) -> bool {
    word.chars().any(|c| final_of(c) == Some(finals::SS))
}

/// Hangul syllables in `word` (its length as a Korean reader counts it).
pub fn syllables(word: &str) -> usize {
    word.chars().filter(|&c| is_syllable(c)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finals_are_read_from_the_syllable() {
        assert_eq!(final_of('가'), Some(0));
        assert_eq!(final_of('각'), Some(finals::G));
        assert_eq!(final_of('있'), Some(finals::SS));
        assert_eq!(final_of('좋'), Some(27));
        assert_eq!(final_of('a'), None);
    }

    #[test]
    fn past_tense_is_recognised_by_its_final() {
        assert!(has_ss_final("봤어요"));
        assert!(has_ss_final("재밌네"));
        assert!(!has_ss_final("가족"));
    }

    #[test]
    fn laughter_is_jamo_not_syllables() {
        assert!("ㅋㅋㅋ".chars().all(is_jamo));
        assert!("ㅠㅠ".chars().all(is_jamo));
        assert!(!is_jamo('가'));
    }
}

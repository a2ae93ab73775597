//! Words, and the nouns among them, without a morphological dictionary.
//!
//! Korean attaches particles (조사) and endings (어미) to its words, so
//! `가족이`, `가족을` and `가족들에게` must all count as 가족. Without a
//! dictionary the analyzer strips them by rule, longest match first:
//!
//! 1. an ending that turns a noun into a verb or adjective (공감했어요 →
//!    공감, 감동적인 → 감동, 최고예요 → 최고), keeping at least two syllables;
//! 2. a syllable with ㅆ (past tense, 있다/없다) marks a predicate;
//! 3. a particle: safe ones (을, 에서, 으로…) whenever two syllables are
//!    left, ambiguous ones (이, 가, 의, 도…, which also end 고양이, 평가,
//!    회의, 정도) only when the comments show the stem standing on its own
//!    at least as often as the whole word does: the *evidence* rule. It
//!    needs every text up front, which is why [`Analyzer::new`] takes them;
//! 4. a predicate ending (-어요, -는데, -습니다, and -다/-네/-고 after a
//!    stem that looks verbal) marks a predicate;
//! 5. what is left is a noun, if it has two syllables or more and is no
//!    stopword.
//!
//! English words are lower-cased, de-pluralised and filtered by a stopword
//! list. Chinese and Japanese runs are not segmented (they have no spaces);
//! they count for language detection only.

use std::collections::HashMap;

use crate::hangul::{self, finals};
use crate::lexicon::{
    AMBIGUOUS_PARTICLES, NOUN_MAKING_ENDINGS, PREDICATE_ENDINGS, SAFE_PARTICLES, SHORT_PREDICATE_ENDINGS,
    english_stopwords, korean_stopwords, single_syllable_nouns,
};

/// The writing system of a run of characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Hangul,
    /// Lone jamo: ㅋㅋ, ㅠㅠ.
    Jamo,
    Latin,
    Han,
    Kana,
    Digit,
    /// Letters of any other script (Cyrillic, Thai, Arabic…).
    Other,
}

/// The script of a character, `None` for spaces, punctuation and symbols.
pub fn script_of(c: char) -> Option<Script> {
    if hangul::is_syllable(c) {
        Some(Script::Hangul)
    } else if hangul::is_jamo(c) {
        Some(Script::Jamo)
    } else if c.is_ascii_alphabetic() || (c.is_alphabetic() && matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)) {
        Some(Script::Latin)
    } else if c.is_ascii_digit() {
        Some(Script::Digit)
    } else if matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F) {
        Some(Script::Kana)
    } else if matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF) {
        Some(Script::Han)
    } else if c.is_alphabetic() {
        Some(Script::Other)
    } else {
        None
    }
}

/// A run of one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub script: Script,
    /// Position among the text's words.
    pub index: usize,
    /// Words in one phrase are separated by spaces only; punctuation,
    /// emoji and line breaks start a new phrase, so compounds never span them.
    pub phrase: usize,
    /// Glued to the previous word with no space (the `가` of `AI가`).
    pub attached: bool,
}

/// The text's words: runs of one script, split at spaces, punctuation and
/// script changes. An apostrophe inside a Latin word stays (`don't`).
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out: Vec<Word<'_>> = Vec::new();
    let mut start: Option<(usize, Script)> = None;
    let mut phrase = 0;
    let mut attached = false;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let script = script_of(c);
        let apostrophe = matches!(c, '\'' | '’')
            && start.is_some_and(|(_, s)| s == Script::Latin)
            && chars.peek().is_some_and(|&(_, n)| n.is_ascii_alphabetic());
        if apostrophe {
            continue;
        }
        match (start, script) {
            (Some((_, current)), Some(s)) if s == current => {}
            (Some((begin, current)), next) => {
                out.push(Word { text: &text[begin..at], script: current, index: out.len(), phrase, attached });
                attached = next.is_some();
                start = next.map(|s| (at, s));
                if next.is_none() {
                    if !c.is_whitespace() || c == '\n' {
                        phrase += 1;
                    }
                    attached = false;
                }
            }
            (None, Some(s)) => start = Some((at, s)),
            (None, None) => {
                if !c.is_whitespace() || c == '\n' {
                    phrase += 1;
                }
                attached = false;
            }
        }
    }
    if let Some((begin, current)) = start {
        out.push(Word { text: &text[begin..], script: current, index: out.len(), phrase, attached });
    }
    out
}

/// What a Korean word is, as far as rules can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// A noun (its stem, particles and endings stripped).
    Noun(String),
    /// A verb or adjective (좋아요, 봤는데, 재밌게).
    Predicate,
    /// A stopword, a single syllable, or something the rules cannot place.
    Other,
}

/// A candidate keyword in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The form counted: a Korean stem, or a lower-cased English word.
    pub key: String,
    /// As written (for English, to give back `AI` rather than `ai`).
    pub surface: String,
    pub index: usize,
    pub phrase: usize,
    pub korean: bool,
    /// Written as is, with no particle or ending stripped: only such a
    /// noun can be the first half of a compound (감정 조절, not 감정을 조절).
    pub bare: bool,
}

/// Bit of a word standing alone in [`Analyzer`]'s evidence.
const BARE: u128 = 1;
/// Bit of a word seen with a noun-making ending (공감 in 공감해요).
const DERIVED: u128 = 1 << 1;
/// Bit of a word seen with the plural 들.
const PLURAL: u128 = 1 << 2;
/// First bit of the particles, in [`Analyzer::particles`] order.
const PARTICLE_BITS: u32 = 3;

fn particle_bit(index: usize) -> u128 {
    1u128 << (PARTICLE_BITS as usize + index)
}

/// Whether `particle` may follow `stem`: Korean particles come in pairs
/// chosen by the stem's last sound (이/가, 은/는, 을/를, 과/와, 으로/로, 이랑/
/// 랑…), so 전문가 cannot be 전문 + 가, nor 마을 마 + 을.
fn fits(stem: &str, particle: &str) -> bool {
    let Some(last) = stem.chars().last().and_then(hangul::final_of) else { return false };
    let consonant = last != 0;
    let after_consonant = ["이", "은", "을", "과", "으로"];
    let after_vowel = ["가", "는", "를", "와", "랑", "나", "라"];
    if particle.starts_with("으로") {
        return consonant && last != finals::L;
    }
    if particle.starts_with('로') {
        return !consonant || last == finals::L;
    }
    if after_consonant.iter().any(|p| particle.starts_with(p)) {
        return consonant;
    }
    if after_vowel.iter().any(|p| particle.starts_with(p)) {
        return !consonant;
    }
    true
}

/// Strips particles and endings; knows, from all the texts of one
/// analysis, which forms each stem takes (the evidence for ambiguous
/// particles).
#[derive(Debug, Clone)]
pub struct Analyzer {
    /// Every particle, longest first, with whether it is safe to strip.
    particles: Vec<(&'static str, bool)>,
    noun_endings: Vec<&'static str>,
    predicate_endings: Vec<&'static str>,
    /// Stem → bits of the forms it was seen in.
    forms: HashMap<String, u128>,
}

fn longest_first(list: &[&'static str]) -> Vec<&'static str> {
    let mut v = list.to_vec();
    v.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    v
}

/// `word` without the suffix `suffix`, if it ends with it and something is left.
fn strip<'a>(word: &'a str, suffix: &str) -> Option<&'a str> {
    word.strip_suffix(suffix).filter(|s| !s.is_empty())
}

impl Analyzer {
    /// An analyzer whose evidence comes from `texts` (every text that will
    /// be analysed: comments, title, description).
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut particles: Vec<(&'static str, bool)> =
            SAFE_PARTICLES.iter().map(|p| (*p, true)).chain(AMBIGUOUS_PARTICLES.iter().map(|p| (*p, false))).collect();
        particles.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(b.0)));
        let mut analyzer = Analyzer {
            particles,
            noun_endings: longest_first(NOUN_MAKING_ENDINGS),
            predicate_endings: longest_first(PREDICATE_ENDINGS),
            forms: HashMap::new(),
        };
        for text in texts {
            for word in words(text) {
                if word.script == Script::Hangul && !word.attached {
                    analyzer.observe(word.text);
                }
            }
        }
        analyzer
    }

    fn mark(&mut self, stem: &str, bits: u128) {
        *self.forms.entry(stem.to_string()).or_default() |= bits;
    }

    /// Record which forms `word` shows: itself standing alone, and each
    /// stem it would leave with a particle, the plural or a noun-making ending.
    fn observe(&mut self, word: &str) {
        self.mark(word, BARE);
        let mut found = Vec::new();
        for (i, (particle, _)) in self.particles.iter().enumerate() {
            if let Some(stem) = strip(word, particle) {
                found.push((stem.to_string(), particle_bit(i)));
            }
        }
        if let Some(stem) = strip(word, "들").filter(|s| hangul::syllables(s) >= 2) {
            found.push((stem.to_string(), PLURAL));
        }
        if let Some(stem) = self.noun_endings.iter().find_map(|e| strip(word, e).filter(|s| hangul::syllables(s) >= 2))
        {
            found.push((stem.to_string(), DERIVED));
        }
        for (stem, bits) in found {
            self.mark(&stem, bits);
        }
    }

    /// How many different forms `stem` was seen in.
    fn evidence(&self, stem: &str) -> u32 {
        self.forms.get(stem).map_or(0, |bits| bits.count_ones())
    }

    /// The word without its particle, when one may be stripped (see the module docs).
    fn strip_particle<'a>(&self, word: &'a str) -> Option<&'a str> {
        for (i, &(particle, safe)) in self.particles.iter().enumerate() {
            let Some(stem) = strip(word, particle) else { continue };
            if !fits(stem, particle) {
                continue;
            }
            let keep = if hangul::syllables(stem) >= 2 {
                // The stem must be seen in some other form too (alone, with
                // another particle, as 하다-verb): 뽀모도로 is never 뽀모도 + 로.
                let other_forms = self.forms.get(stem).is_some_and(|bits| bits & !particle_bit(i) != 0);
                // A plural (가족들이) is a noun whatever follows it.
                let plural = stem.ends_with('들') && hangul::syllables(stem) >= 3;
                // A stopword stem (길이가, 생각이) is a known word, so the particle is one.
                let known = korean_stopwords().contains(stem);
                safe || plural || known || (other_forms && self.evidence(stem) >= self.evidence(word))
            } else {
                single_syllable_nouns().contains(stem) || self.evidence(stem) > self.evidence(word)
            };
            if keep {
                return Some(stem);
            }
        }
        None
    }

    /// Read one Korean word (Hangul syllables only).
    pub fn read(&self, word: &str) -> Reading {
        let stopwords = korean_stopwords();
        let syllables = hangul::syllables(word);
        if syllables == 0 || syllables != word.chars().count() || stopwords.contains(word) {
            return Reading::Other;
        }
        // 하다/되다 themselves (해요, 하는, 돼서) and bare endings (나요):
        // a predicate with nothing before it.
        if self.noun_endings.contains(&word) || self.predicate_endings.contains(&word) {
            return Reading::Predicate;
        }
        if let Some(stem) = self.noun_endings.iter().find_map(|e| strip(word, e).filter(|s| hangul::syllables(s) >= 2))
        {
            return noun(stem);
        }
        if hangul::has_ss_final(word) {
            return Reading::Predicate;
        }
        if let Some(stem) = self.strip_particle(word) {
            return noun(stem);
        }
        if self.predicate_endings.iter().any(|e| strip(word, e).is_some()) {
            return Reading::Predicate;
        }
        let chars: Vec<char> = word.chars().collect();
        let last = chars[chars.len() - 1];
        let before = (chars.len() >= 2).then(|| chars[chars.len() - 2]);
        // -ㅂ니다 (갑니다, 봅니다): the ㅂ sits in the syllable before 니다.
        if word.ends_with("니다") && chars.len() >= 3 && hangul::final_of(chars[chars.len() - 3]) == Some(finals::B) {
            return Reading::Predicate;
        }
        if let Some(before) = before {
            for ending in SHORT_PREDICATE_ENDINGS {
                if !word.ends_with(ending) {
                    continue;
                }
                let extra: &[u32] = if *ending == "고" { &[finals::G, finals::D, finals::B, finals::S] } else { &[] };
                let verbal = *ending != "요" && hangul::stem_final_in(before, extra);
                if syllables >= 3 || verbal {
                    return Reading::Predicate;
                }
            }
            // An adnominal ending (좋은, 먹는) or an object particle on a
            // one-syllable stem the evidence could not confirm (말을).
            if matches!(last, '은' | '는' | '을' | '를') {
                if hangul::stem_final_in(before, &[]) {
                    return Reading::Predicate;
                }
                let particle = last.to_string();
                let stem = &word[..word.len() - last.len_utf8()];
                if syllables == 2 && fits(stem, &particle) && self.evidence(word) < 2 {
                    return Reading::Other;
                }
            }
        }
        noun(word)
    }

    /// The candidate keywords of `text`: Korean nouns and English content words.
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let english = english_stopwords();
        let mut out = Vec::new();
        let all = words(text);
        for (i, word) in all.iter().enumerate() {
            match word.script {
                Script::Hangul if !word.attached => {
                    let next = all.get(i + 1).filter(|n| n.phrase == word.phrase).map(|n| n.text);
                    if future_adnominal(word.text, next) {
                        continue;
                    }
                    if let Reading::Noun(stem) = self.read(word.text) {
                        out.push(Term {
                            bare: stem == word.text,
                            key: stem.clone(),
                            surface: stem,
                            index: word.index,
                            phrase: word.phrase,
                            korean: true,
                        });
                    }
                }
                Script::Latin => {
                    if let Some(key) = english_key(word.text)
                        && !english.contains(key.as_str())
                    {
                        out.push(Term {
                            key,
                            surface: word.text.to_string(),
                            index: word.index,
                            phrase: word.phrase,
                            korean: false,
                            bare: true,
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// A verb in its -ㄹ form before 때/수/거/것/줄 (싸울 때, 볼 수, 갈 거): the
/// ㄹ final alone cannot tell it from a noun (서울, 기술), the next word can.
fn future_adnominal(word: &str, next: Option<&str>) -> bool {
    const BOUND: &[&str] = &["때", "수", "거", "것", "줄", "뻔", "만큼", "텐데", "테니", "듯"];
    let ends_in_l = word.chars().last().and_then(hangul::final_of) == Some(finals::L);
    ends_in_l && next.is_some_and(|n| BOUND.iter().any(|b| n.starts_with(b)))
}

/// A stem as a noun, the plural 들 removed, if it can be a keyword.
fn noun(stem: &str) -> Reading {
    let stem = strip(stem, "들").filter(|s| hangul::syllables(s) >= 2).unwrap_or(stem);
    if hangul::syllables(stem) < 2 || korean_stopwords().contains(stem) {
        Reading::Other
    } else {
        Reading::Noun(stem.to_string())
    }
}

/// The counted form of an English word: lower case, without `'s` and a
/// plural `s`; `None` for contractions and words too short to mean much
/// (two-letter words count only in capitals: AI, VR).
fn english_key(surface: &str) -> Option<String> {
    let mut word = surface.to_lowercase();
    for possessive in ["'s", "’s"] {
        if let Some(stripped) = word.strip_suffix(possessive) {
            word = stripped.to_string();
        }
    }
    if word.contains(['\'', '’']) {
        return None;
    }
    let letters = word.chars().count();
    let acronym = letters == 2 && surface.chars().all(|c| c.is_ascii_uppercase());
    if letters < 3 && !acronym {
        return None;
    }
    if letters > 4 && word.ends_with("ies") {
        word = format!("{}y", &word[..word.len() - 3]);
    } else if letters > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.pop();
    }
    Some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nouns(texts: &[&str]) -> Vec<String> {
        let analyzer = Analyzer::new(texts.iter().copied());
        texts.iter().flat_map(|t| analyzer.terms(t)).map(|t| t.key).collect()
    }

    fn read(texts: &[&str], word: &str) -> Reading {
        Analyzer::new(texts.iter().copied()).read(word)
    }

    #[test]
    fn words_split_at_spaces_punctuation_and_script_changes() {
        let w = words("AI가 최고ㅋㅋ, don't stop!");
        let texts: Vec<&str> = w.iter().map(|w| w.text).collect();
        assert_eq!(texts, ["AI", "가", "최고", "ㅋㅋ", "don't", "stop"]);
        assert!(w[1].attached && !w[2].attached);
        assert_eq!(w[0].phrase, w[3].phrase);
        assert_ne!(w[3].phrase, w[4].phrase, "a comma starts a new phrase");
    }

    #[test]
    fn particles_are_stripped_longest_first() {
        assert_eq!(read(&[], "가족에게"), Reading::Noun("가족".into()));
        assert_eq!(read(&[], "뇌과학으로"), Reading::Noun("뇌과학".into()));
        assert_eq!(read(&[], "학교에서는"), Reading::Noun("학교".into()));
        assert_eq!(read(&[], "부모님을"), Reading::Noun("부모님".into()));
    }

    #[test]
    fn the_plural_goes_with_the_particle() {
        assert_eq!(read(&[], "가족들이"), Reading::Noun("가족".into()));
        assert_eq!(read(&[], "친구들과"), Reading::Noun("친구".into()));
    }

    #[test]
    fn an_ambiguous_particle_needs_the_stem_seen_alone() {
        let texts = ["고양이 너무 귀여워요", "고양이가 최고", "고양이를 키워요"];
        assert_eq!(read(&texts, "고양이"), Reading::Noun("고양이".into()));
        assert_eq!(read(&texts, "고양이가"), Reading::Noun("고양이".into()));
        let texts = ["평가가 좋네요", "평가를 잘 했어요"];
        assert_eq!(read(&texts, "평가"), Reading::Noun("평가".into()));
        let texts = ["영상이 좋아요", "영상 잘 봤어요", "가족이 생각나요", "가족 최고"];
        assert_eq!(read(&texts, "가족이"), Reading::Noun("가족".into()));
    }

    #[test]
    fn particles_must_fit_the_stems_last_sound() {
        assert_eq!(read(&["전문가 의견", "전문 분야"], "전문가"), Reading::Noun("전문가".into()));
        assert_eq!(read(&[], "마을"), Reading::Noun("마을".into()));
        assert_eq!(
            read(&["뽀모도로 공부법", "뽀모도로 최고", "뽀모도로 25분"], "뽀모도로"),
            Reading::Noun("뽀모도로".into())
        );
        assert_eq!(read(&["서울 여행", "서울로 가요"], "서울로"), Reading::Noun("서울".into()));
    }

    #[test]
    fn a_common_one_syllable_noun_loses_its_particle() {
        assert_eq!(read(&[], "맛이"), Reading::Other);
        assert_eq!(read(&[], "만에"), Reading::Other);
        assert_eq!(read(&[], "나요"), Reading::Predicate);
        assert_eq!(read(&[], "길이가"), Reading::Other, "길이 is a stopword, so 가 is its particle");
    }

    #[test]
    fn every_particle_has_an_evidence_bit() {
        assert!(SAFE_PARTICLES.len() + AMBIGUOUS_PARTICLES.len() + PARTICLE_BITS as usize <= 128);
    }

    #[test]
    fn noun_making_endings_leave_the_noun() {
        assert_eq!(read(&[], "공감했어요"), Reading::Noun("공감".into()));
        assert_eq!(read(&[], "반성하게"), Reading::Noun("반성".into()));
        assert_eq!(read(&[], "과학적인"), Reading::Noun("과학".into()));
        assert_eq!(read(&[], "꿀팁이네요"), Reading::Noun("꿀팁".into()));
        assert_eq!(read(&[], "추천합니다"), Reading::Noun("추천".into()));
    }

    #[test]
    fn short_nouns_are_not_mistaken_for_endings() {
        assert_eq!(read(&[], "대한"), Reading::Other, "a stopword, and 대 alone is no stem");
        assert_eq!(read(&[], "역할"), Reading::Noun("역할".into()));
        assert_eq!(read(&[], "바다"), Reading::Noun("바다".into()));
        assert_eq!(read(&[], "동네"), Reading::Noun("동네".into()));
        assert_eq!(read(&[], "광고"), Reading::Noun("광고".into()));
        assert_eq!(read(&[], "한국어"), Reading::Noun("한국어".into()));
    }

    #[test]
    fn predicates_are_not_nouns() {
        let words =
            ["괜찮아요", "알려주시면", "봤는데", "재밌게", "슬퍼요", "먹었다", "좋다", "싶고", "갑니다", "짧은"];
        for word in words {
            assert_eq!(read(&[], word), Reading::Predicate, "{word}");
        }
    }

    #[test]
    fn a_verb_before_때_or_수_is_no_noun() {
        assert_eq!(nouns(&["남편이랑 싸울 때마다 생각나요", "서울 여행"]), ["남편", "서울", "여행"]);
    }

    #[test]
    fn single_syllables_and_stopwords_are_no_keywords() {
        assert_eq!(nouns(&["말을 너무 진짜 잘 해요 ㅋㅋㅋ"]), Vec::<String>::new());
    }

    #[test]
    fn english_words_are_lower_cased_and_singular() {
        assert_eq!(nouns(&["Great videos about AI and the brain's emotions"]), ["ai", "brain", "emotion"]);
    }
}

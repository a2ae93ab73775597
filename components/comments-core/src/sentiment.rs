//! Sentiment of one comment from word lists, Korean and English.
//!
//! Korean words conjugate, so Korean entries are matched inside a word
//! (좋 in 좋아요, 좋았던, 좋네요), longest entry first so 재미없 wins over
//! 재미. English entries are whole words. What shifts a word's weight:
//!
//! - negation: 안/못 before it (안 좋아요, 안좋아요), -지 않다/못하다
//!   after it (좋지 않아요), 없다 or 안 되다 after it (재미 없어요, 도움이 안
//!   돼요), 아니다 after it; English not/never/n't up to three words before.
//!   A negated praise becomes a complaint; a negated complaint (나쁘지 않아요,
//!   not bad) only half a praise, as readers take it;
//! - intensifiers (너무, 진짜, very, so…) multiply by 1.5;
//! - contrast (-지만, -는데, but): the clause after it is what the writer
//!   means, so it weighs three times the clause before;
//! - a wish (…했으면 좋겠어요) is a complaint about what is missing, not praise.
//!
//! ㅋㅋ and ㅎㅎ (laughter) lean positive by half a point; ㅠㅠ (tears, of
//! sadness or of being moved) deepens whatever else the comment says, and
//! alone leans negative by half a point: alone, both stay neutral.

use crate::tokenize::{Script, words};

/// How a comment feels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Polarity {
    Positive,
    Negative,
    Neutral,
}

/// A comment's score (positive above zero) and what it amounts to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    pub score: f64,
    pub polarity: Polarity,
}

/// The score from which a comment counts as positive (or, negated, negative).
pub const THRESHOLD: f64 = 1.0;

/// Korean entries, matched inside a word.
#[rustfmt::skip]
const KOREAN: &[(&str, f64)] = &[
    ("최고", 1.5), ("감동", 1.5), ("좋", 1.0), ("감사", 1.0), ("고마", 1.0), ("고맙", 1.0), ("사랑", 1.0), ("대박", 1.0), ("짱", 1.0),
    ("멋지", 1.0), ("멋있", 1.0), ("멋져", 1.0), ("재밌", 1.0), ("재미있", 1.0), ("재미", 0.5), ("유익", 1.0), ("추천", 0.5),
    ("행복", 1.0), ("힐링", 1.0), ("공감", 0.5), ("도움", 1.0), ("훌륭", 1.0), ("완벽", 1.0), ("인정", 0.5), ("존경", 1.0),
    ("감탄", 1.0), ("신기", 0.5), ("기대", 0.5), ("응원", 1.0), ("설레", 1.0), ("예쁘", 1.0), ("이쁘", 1.0), ("예뻐", 1.0),
    ("귀엽", 1.0), ("귀여", 1.0), ("웃기", 0.5), ("웃겨", 0.5), ("꿀팁", 1.0), ("명강의", 1.5), ("명작", 1.5), ("레전드", 1.0),
    ("소름", 0.5), ("깔끔", 0.5), ("알차", 1.0), ("감명", 1.0), ("위로", 1.0), ("따뜻", 1.0), ("든든", 0.5), ("존잼", 1.5),
    ("꿀잼", 1.5), ("맛있", 1.0), ("맛나", 1.0), ("편하", 0.5), ("쉽게", 0.5), ("별로", -1.0), ("실망", -1.5), ("최악", -1.5),
    ("싫", -1.0), ("짜증", -1.0), ("지루", -1.0), ("노잼", -1.5), ("재미없", -1.5), ("아쉽", -1.0), ("아쉬", -1.0), ("불편", -1.0),
    ("화나", -1.0), ("답답", -1.0), ("어렵", -0.5), ("어려워", -0.5), ("추상적", -1.0), ("부족", -1.0), ("광고", -0.5), ("과장", -1.0),
    ("틀렸", -1.0), ("틀린", -1.0), ("거짓", -1.0), ("억지", -1.0), ("비추", -1.5), ("불쾌", -1.5), ("슬프", -0.5), ("슬퍼", -0.5),
    ("우울", -0.5), ("낚시", -1.0), ("어그로", -1.0), ("구리", -1.0), ("구려", -1.0), ("노답", -1.0), ("쓰레기", -1.5),
    ("시간낭비", -1.5), ("낭비", -1.0), ("의미없", -1.0), ("쓸데없", -1.0), ("뻔하", -1.0), ("뻔한", -1.0), ("식상", -1.0),
    ("잘못", -1.0), ("불만", -1.0), ("애매", -1.0), ("안타깝", -0.5), ("속상", -0.5), ("미흡", -1.0), ("허술", -1.0), ("시끄", -1.0),
    ("못생", -1.0), ("비싸", -0.5), ("비싼", -0.5), ("느리", -0.5), ("느려", -0.5), ("오류", -0.5), ("불친절", -1.0), ("흥미", 1.0),
    ("쏙쏙", 0.5), ("유용", 1.0), ("배웠", 0.5), ("배워", 0.5), ("울컥", 0.5), ("인상적", 1.0), ("명쾌", 1.0), ("새롭", 0.5),
    ("나쁘", -1.0), ("나빠", -1.0),
];

/// English entries, whole lower-case words.
#[rustfmt::skip]
const ENGLISH: &[(&str, f64)] = &[
    ("love", 1.0), ("loved", 1.0), ("lovely", 1.0), ("great", 1.0), ("amazing", 1.5), ("awesome", 1.5), ("best", 1.5),
    ("thanks", 1.0), ("thank", 1.0), ("helpful", 1.0), ("useful", 1.0), ("beautiful", 1.0), ("excellent", 1.5),
    ("perfect", 1.5), ("nice", 1.0), ("wonderful", 1.5), ("cool", 0.5), ("fun", 1.0), ("funny", 0.5),
    ("interesting", 1.0), ("inspiring", 1.5), ("inspired", 1.0), ("good", 1.0), ("insightful", 1.5),
    ("brilliant", 1.5), ("enjoyed", 1.0), ("enjoy", 1.0), ("favorite", 1.0), ("favourite", 1.0), ("masterpiece", 1.5),
    ("legend", 1.0), ("legendary", 1.0), ("informative", 1.0), ("recommend", 0.5), ("happy", 1.0), ("fantastic", 1.5),
    ("incredible", 1.5), ("wholesome", 1.0), ("relatable", 1.0), ("touching", 1.0), ("delicious", 1.0),
    ("tasty", 1.0), ("bad", -1.0), ("boring", -1.5), ("worst", -1.5), ("hate", -1.5), ("hated", -1.5),
    ("disappointing", -1.5), ("disappointed", -1.5), ("waste", -1.5), ("clickbait", -1.5), ("wrong", -1.0),
    ("misleading", -1.5), ("annoying", -1.0), ("terrible", -1.5), ("awful", -1.5), ("poor", -1.0),
    ("confusing", -1.0), ("vague", -1.0), ("abstract", -0.5), ("shallow", -1.0), ("lame", -1.0), ("cringe", -1.0),
    ("sad", -0.5), ("overrated", -1.0), ("useless", -1.5), ("meh", -1.0), ("unclear", -1.0), ("inaccurate", -1.5),
    ("biased", -1.0), ("repetitive", -1.0), ("generic", -1.0), ("superficial", -1.0), ("expensive", -0.5),
    ("slow", -0.5),
];

/// Emoji and symbols.
#[rustfmt::skip]
const SYMBOLS: &[(char, f64)] = &[
    ('👍', 1.0), ('❤', 1.0), ('♥', 1.0), ('😍', 1.0), ('🥰', 1.0), ('😊', 0.5), ('😁', 0.5), ('😄', 0.5), ('😂', 0.5),
    ('🤣', 0.5), ('💕', 1.0), ('💖', 1.0), ('💗', 1.0), ('💯', 1.0), ('👏', 1.0), ('🔥', 0.5), ('🙏', 0.5), ('😭', -0.5),
    ('😢', -0.5), ('👎', -1.5), ('😡', -1.5), ('🤬', -1.5), ('😒', -1.0), ('🙄', -1.0), ('💩', -1.0), ('😞', -1.0),
    ('😕', -0.5),
];

#[rustfmt::skip]
const KOREAN_INTENSIFIERS: &[&str] = &[
    "너무", "정말", "진짜", "완전", "엄청", "매우", "넘", "진심", "핵", "겁나", "아주", "되게", "정말로", "진짜로", "많이", "넘나",
];
const ENGLISH_INTENSIFIERS: &[&str] = &["very", "so", "really", "super", "extremely", "totally", "absolutely", "truly"];
#[rustfmt::skip]
const ENGLISH_NEGATIONS: &[&str] = &[
    "not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't", "can't", "couldn't",
    "won't", "wouldn't", "hardly", "dont", "didnt", "isnt", "wasnt", "cant", "nothing", "without",
];
const INTENSITY: f64 = 1.5;
/// A negated complaint is taken as this much of a praise (나쁘지 않다 ≠ 좋다).
const NEGATED_COMPLAINT: f64 = 0.5;
const BEFORE_CONTRAST: f64 = 0.5;
const AFTER_CONTRAST: f64 = 1.5;
const WISH: f64 = -1.0;

/// The weight of the longest Korean entry inside `word` and where it starts.
fn korean_entry(word: &str) -> Option<(usize, f64)> {
    KOREAN
        .iter()
        .filter_map(|(entry, weight)| word.find(entry).map(|at| (entry.len(), at, *weight)))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, at, weight)| (at, weight))
}

fn english_entry(word: &str) -> Option<f64> {
    ENGLISH.iter().find(|(entry, _)| *entry == word).map(|(_, weight)| *weight)
}

/// Turn a weight around: praise becomes a complaint (a whole one: 재미 없다
/// is plainly negative even though 재미 alone is mild), a complaint half a praise.
fn negate(weight: f64) -> f64 {
    if weight > 0.0 { -weight.max(THRESHOLD) } else { -weight * NEGATED_COMPLAINT }
}

/// Laughter typed as jamo, and ㅡㅡ (annoyance). Tears are [`is_tears`].
fn jamo_weight(run: &str) -> f64 {
    let count = run.chars().count();
    if count < 2 {
        return 0.0;
    }
    if run.chars().all(|c| matches!(c, 'ㅋ' | 'ㅎ')) {
        0.5
    } else if run.chars().all(|c| c == 'ㅡ') {
        -1.0
    } else {
        0.0
    }
}

/// ㅠㅠ, ㅜㅜ: tears, of sadness or of being moved (감동이에요 ㅠㅠ). Beside
/// other sentiment they deepen it; alone they lean sad.
fn is_tears(run: &str) -> bool {
    run.chars().count() >= 2 && run.chars().all(|c| matches!(c, 'ㅠ' | 'ㅜ'))
}

/// How much tears deepen the sentiment around them.
const TEARS_DEEPEN: f64 = 1.25;
/// Tears with nothing else: a little sad.
const TEARS_ALONE: f64 = -0.5;

/// The sentiment of one comment.
pub fn score(text: &str) -> Sentiment {
    let words = words(text);
    let lower: Vec<String> = words.iter().map(|w| w.text.to_lowercase()).collect();
    let mut before = 0.0;
    let mut after = 0.0;
    let mut contrast = false;
    let mut tears = false;
    for (i, word) in words.iter().enumerate() {
        if word.script == Script::Jamo && is_tears(word.text) {
            tears = true;
        }
        let previous = i.checked_sub(1).map(|p| lower[p].as_str());
        let next = lower.get(i + 1).map(String::as_str);
        let weight = match word.script {
            Script::Hangul => hangul_weight(word.text, previous, next, lower.get(i + 2).map(String::as_str)),
            Script::Jamo => jamo_weight(word.text),
            Script::Latin => english_weight(&lower, i),
            _ => 0.0,
        };
        after += weight;
        let contrastive = match word.script {
            Script::Hangul => ["지만", "는데", "은데", "던데"].iter().any(|e| word.text.ends_with(e)),
            Script::Latin => matches!(lower[i].as_str(), "but" | "however" | "although" | "though"),
            _ => false,
        };
        if contrastive {
            before += after;
            after = 0.0;
            contrast = true;
        }
    }
    let symbols: f64 = text.chars().filter_map(|c| SYMBOLS.iter().find(|(s, _)| *s == c).map(|(_, w)| *w)).sum();
    let mut score = if contrast { before * BEFORE_CONTRAST + after * AFTER_CONTRAST } else { after } + symbols;
    if tears {
        score = if score == 0.0 { TEARS_ALONE } else { score * TEARS_DEEPEN };
    }
    let polarity = if score >= THRESHOLD {
        Polarity::Positive
    } else if score <= -THRESHOLD {
        Polarity::Negative
    } else {
        Polarity::Neutral
    };
    Sentiment { score, polarity }
}

fn hangul_weight(word: &str, previous: Option<&str>, next: Option<&str>, after_next: Option<&str>) -> f64 {
    // …으면 좋겠어요, …했으면좋겠다: a wish, i.e. something missing.
    let wished = word.contains("면좋겠") || word.contains("면좋을");
    let wishing = (word.starts_with("좋겠") || word.starts_with("좋을")) && previous.is_some_and(|p| p.ends_with('면'));
    if wished || wishing {
        return WISH;
    }
    let Some((at, mut weight)) = korean_entry(word) else { return 0.0 };
    let glued_negation = at > 0 && (word[..at].ends_with('안') || word[..at].ends_with('못'));
    let negated_before = matches!(previous, Some("안" | "못"));
    let negated_after = next.is_some_and(|n| {
        ((n.starts_with('않') || n.starts_with('못')) && word.ends_with('지'))
            || n.starts_with('없')
            || n.starts_with("아니")
            || n.starts_with("아닌")
            || ["안되", "안돼", "안됐", "안됨"].iter().any(|p| n.starts_with(p))
            || (n == "안" && after_next.is_some_and(|a| ["되", "돼", "됐", "됨"].iter().any(|p| a.starts_with(p))))
    });
    if glued_negation || negated_before || negated_after {
        weight = negate(weight);
    }
    let intensified = previous.is_some_and(|p| KOREAN_INTENSIFIERS.contains(&p))
        || (at > 0 && KOREAN_INTENSIFIERS.iter().any(|i| word[..at].ends_with(i)));
    if intensified {
        weight *= INTENSITY;
    }
    weight
}

fn english_weight(lower: &[String], i: usize) -> f64 {
    let Some(mut weight) = english_entry(&lower[i]) else { return 0.0 };
    let window = &lower[i.saturating_sub(3)..i];
    if window.iter().any(|w| ENGLISH_NEGATIONS.contains(&w.as_str())) {
        weight = negate(weight);
    }
    if i > 0 && ENGLISH_INTENSIFIERS.contains(&lower[i - 1].as_str()) {
        weight *= INTENSITY;
    }
    weight
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polarity(text: &str) -> Polarity {
        score(text).polarity
    }

    #[test]
    fn praise_and_complaint_are_told_apart() {
        assert_eq!(polarity("영상 너무 좋아요"), Polarity::Positive);
        assert_eq!(polarity("진짜 감동이에요 ㅠㅠ"), Polarity::Positive);
        assert_eq!(polarity("이번 편은 좀 실망이네요"), Polarity::Negative);
        assert_eq!(polarity("별로였어요"), Polarity::Negative);
        assert_eq!(polarity("This was amazing, thank you"), Polarity::Positive);
        assert_eq!(polarity("Honestly boring"), Polarity::Negative);
    }

    #[test]
    fn negation_turns_praise_into_complaint() {
        assert_eq!(polarity("안 좋아요"), Polarity::Negative);
        assert_eq!(polarity("안좋아요"), Polarity::Negative);
        assert_eq!(polarity("생각보다 좋지 않네요"), Polarity::Negative);
        assert_eq!(polarity("재미 없어요"), Polarity::Negative);
        assert_eq!(polarity("별로 도움이 안 돼요"), Polarity::Negative);
        assert_eq!(polarity("not helpful at all"), Polarity::Negative);
        assert_eq!(polarity("나쁘지 않아요"), Polarity::Neutral, "a negated complaint is not praise");
    }

    #[test]
    fn laughter_or_tears_alone_stay_neutral() {
        assert_eq!(polarity("ㅋㅋㅋㅋ"), Polarity::Neutral);
        assert_eq!(polarity("ㅠㅠ"), Polarity::Neutral);
        assert_eq!(polarity("ㅋㅋㅋ 웃겨요 진짜"), Polarity::Positive);
        assert_eq!(polarity("위로가 됐어요 ㅠㅠ"), Polarity::Positive, "tears deepen what is said");
        assert!(score("ㅠㅠ").score < 0.0);
    }

    #[test]
    fn the_clause_after_a_contrast_decides() {
        assert_eq!(polarity("설명은 좋은데 해결책이 너무 추상적이에요"), Polarity::Negative);
        assert_eq!(polarity("조금 아쉽지만 정말 좋았어요"), Polarity::Positive);
    }

    #[test]
    fn a_wish_is_a_complaint_about_what_is_missing() {
        assert_eq!(polarity("예시가 더 많았으면 좋겠어요"), Polarity::Negative);
    }

    #[test]
    fn emoji_count() {
        assert_eq!(polarity("👍👍"), Polarity::Positive);
        assert_eq!(polarity("👎"), Polarity::Negative);
    }
}

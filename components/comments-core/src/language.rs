//! The language of a comment from the scripts it is written in: Hangul is
//! Korean, any kana is Japanese (Japanese mixes kana into its kanji, so a
//! little is enough), Han without kana is Chinese, Latin is English when it
//! reads like English. Comments are short and mix scripts (`AI 최고`), so
//! the script with most letters decides, not the first one.

use std::collections::HashMap;

use crate::tokenize::{Script, script_of};

/// A comment's language, as the result's `languageSummary` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Korean,
    Japanese,
    Chinese,
    English,
    Other,
}

impl Language {
    /// ISO 639-1 code, or `other`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Korean => "ko",
            Language::Japanese => "ja",
            Language::Chinese => "zh",
            Language::English => "en",
            Language::Other => "other",
        }
    }
}

/// Share of kana among the letters above which a text is Japanese.
const KANA_SHARE: f64 = 0.1;

/// Words so common in English that one of them in a Latin-script comment
/// tells English from Spanish, Indonesian or Vietnamese.
const ENGLISH_MARKERS: &[&str] = &[
    "the", "and", "is", "are", "was", "this", "that", "you", "i", "it", "of", "to", "in", "so", "my", "for", "with",
    "love", "great", "good", "thank", "thanks", "very", "what", "how", "be", "not", "have", "just", "like",
];

/// The language of `text`, `None` when it has no letters (emoji, numbers).
pub fn detect(text: &str) -> Option<Language> {
    let mut counts: HashMap<Script, usize> = HashMap::new();
    for c in text.chars() {
        if let Some(script) = script_of(c).filter(|s| *s != Script::Digit) {
            *counts.entry(script).or_default() += 1;
        }
    }
    // ㅋㅋ and ㅠㅠ are written by Korean speakers only.
    let hangul = counts.get(&Script::Hangul).copied().unwrap_or(0) + counts.get(&Script::Jamo).copied().unwrap_or(0);
    let kana = counts.get(&Script::Kana).copied().unwrap_or(0);
    let han = counts.get(&Script::Han).copied().unwrap_or(0);
    let latin = counts.get(&Script::Latin).copied().unwrap_or(0);
    let other = counts.get(&Script::Other).copied().unwrap_or(0);
    let total = hangul + kana + han + latin + other;
    if total == 0 {
        return None;
    }
    if kana > 0 && kana as f64 / total as f64 >= KANA_SHARE {
        return Some(Language::Japanese);
    }
    let most = hangul.max(han).max(latin).max(other);
    Some(if hangul == most {
        Language::Korean
    } else if han == most {
        Language::Chinese
    } else if latin == most {
        if reads_as_english(text) { Language::English } else { Language::Other }
    } else {
        Language::Other
    })
}

/// Latin text with an English function word, or of at most three words
/// (too short to tell, and most short Latin comments here are English).
fn reads_as_english(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic() || c == '\''))
        .map(str::to_lowercase)
        .collect();
    words.len() <= 3 || words.iter().any(|w| ENGLISH_MARKERS.contains(&w.as_str()))
}

/// The languages of a set of comments, most frequent first; a language
/// makes the list when it has at least `min_share` of the comments whose
/// language could be told, or is the only one.
pub fn summary(languages: &[Option<Language>], min_share: f64) -> Vec<&'static str> {
    let mut counts: HashMap<Language, usize> = HashMap::new();
    for language in languages.iter().flatten() {
        *counts.entry(*language).or_default() += 1;
    }
    let told: usize = counts.values().sum();
    let mut ranked: Vec<(Language, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .iter()
        .enumerate()
        .filter(|(i, (_, n))| *i == 0 || *n as f64 / told as f64 >= min_share)
        .map(|(_, (language, _))| language.code())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_names_its_language() {
        assert_eq!(detect("영상 너무 좋아요"), Some(Language::Korean));
        assert_eq!(detect("ㅋㅋㅋㅋ"), Some(Language::Korean));
        assert_eq!(detect("この動画は本当に素晴らしい"), Some(Language::Japanese));
        assert_eq!(detect("这个视频太棒了"), Some(Language::Chinese));
        assert_eq!(detect("This is so helpful, thank you"), Some(Language::English));
        assert_eq!(detect("Видео супер"), Some(Language::Other));
        assert_eq!(detect("👍👍 123"), None);
    }

    #[test]
    fn the_script_with_most_letters_wins_in_mixed_comments() {
        assert_eq!(detect("AI 설명이 정말 이해하기 쉬웠어요"), Some(Language::Korean));
        assert_eq!(detect("Love this 영상"), Some(Language::English));
    }

    #[test]
    fn latin_text_that_is_not_english_is_other() {
        assert_eq!(detect("Me encanta este video, muy bueno de verdad"), Some(Language::Other));
    }

    #[test]
    fn the_summary_keeps_languages_above_the_share_most_frequent_first() {
        let mut langs = vec![Some(Language::Korean); 18];
        langs.push(Some(Language::English));
        langs.push(Some(Language::English));
        langs.push(Some(Language::Japanese));
        langs.push(None);
        assert_eq!(summary(&langs, 0.05), ["ko", "en"]);
        assert_eq!(summary(&[Some(Language::English)], 0.5), ["en"]);
        assert!(summary(&[None], 0.05).is_empty());
    }
}

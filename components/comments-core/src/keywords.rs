//! Keywords by TF-IDF over the comments, each comment a document.
//!
//! A term's weight is the comments that use it, each counted once (a short
//! comment repeating a word says it no louder) and weighted up gently by
//! its likes (a liked comment speaks for more viewers), times the term's
//! inverse document frequency, so a word every comment uses (the video's
//! subject, thanked for) ranks below the words that tell the reactions apart
//! without being drowned by one-off words. The title counts as
//! [`TITLE_WEIGHT`] comments and the description as [`DESCRIPTION_WEIGHT`]:
//! they are the creator's own words for the topic.
//!
//! Two nouns written side by side often enough become one compound keyword
//! (감정 조절 → 감정조절, the way Korean writes it unspaced too); its parts
//! then drop out when they are mostly used inside it.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::tokenize::{Analyzer, Term};

/// A title mention counts as this many comments.
pub const TITLE_WEIGHT: f64 = 3.0;
/// A description mention counts as this many comments.
pub const DESCRIPTION_WEIGHT: f64 = 1.0;
/// Compounds are more specific than their parts; this much more.
pub const COMPOUND_BONUS: f64 = 1.5;
/// How much a comment's likes add to its weight: 1 + this × ln(1 + likes),
/// so 100 likes weigh about twice a comment without any.
pub const LIKE_WEIGHT: f64 = 0.25;
/// A compound's share of its rarer part's comments for it to be one word.
const COHESION: f64 = 0.25;
/// A part of a compound used outside it less than this share of the time
/// is absorbed by the compound.
const ABSORBED: f64 = 0.5;

/// A ranked keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// As it is shown: a Korean noun or compound, an English word.
    pub text: String,
    /// The key it is counted under (lower case for English).
    pub key: String,
    pub score: f64,
    /// Comments that use it.
    pub comments: usize,
}

/// The keywords of one analysis.
#[derive(Debug, Clone, Default)]
pub struct Keywords {
    /// Every eligible keyword, best first.
    pub ranked: Vec<Keyword>,
    /// For each comment, the keys of the eligible keywords it uses (sorted).
    pub comment_terms: Vec<Vec<String>>,
    /// Comments per key.
    pub document_frequency: HashMap<String, usize>,
}

impl Keywords {
    /// The best `limit` keywords, as shown.
    pub fn top(&self, limit: usize) -> Vec<String> {
        self.ranked.iter().take(limit).map(|k| k.text.clone()).collect()
    }
}

/// The unigram and bigram keys of one text, and how each English key was written.
#[derive(Default)]
struct Bag {
    unigrams: HashSet<String>,
    bigrams: HashMap<String, (String, String)>,
}

fn bag(analyzer: &Analyzer, text: &str, surfaces: &mut HashMap<String, BTreeMap<String, usize>>) -> Bag {
    let terms: Vec<Term> = analyzer.terms(text);
    let mut out = Bag::default();
    for term in &terms {
        out.unigrams.insert(term.key.clone());
        *surfaces.entry(term.key.clone()).or_default().entry(term.surface.clone()).or_default() += 1;
    }
    for pair in terms.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.bare && a.phrase == b.phrase && b.index == a.index + 1 && a.korean == b.korean && a.key != b.key {
            let key = if a.korean { format!("{}{}", a.key, b.key) } else { format!("{} {}", a.key, b.key) };
            out.bigrams.insert(key, (a.key.clone(), b.key.clone()));
        }
    }
    out
}

/// A comment's weight from its likes.
pub fn comment_weight(likes: u64) -> f64 {
    1.0 + LIKE_WEIGHT * (1.0 + likes as f64).ln()
}

/// Rank the keywords of `comments` (text and likes), with the video's
/// `title` and `description` boosting the words they share.
pub fn extract(
    analyzer: &Analyzer,
    comments: &[(&str, u64)],
    title: Option<&str>,
    description: Option<&str>,
) -> Keywords {
    let mut surfaces: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    let bags: Vec<Bag> = comments.iter().map(|(text, _)| bag(analyzer, text, &mut surfaces)).collect();
    let title_bag = title.map(|t| bag(analyzer, t, &mut surfaces)).unwrap_or_default();
    let description_bag = description.map(|d| bag(analyzer, d, &mut surfaces)).unwrap_or_default();
    let n = comments.len();

    let mut unigram_df: HashMap<&str, usize> = HashMap::new();
    let mut bigram_df: HashMap<&str, usize> = HashMap::new();
    let mut parts: HashMap<&str, &(String, String)> = HashMap::new();
    for b in &bags {
        for key in &b.unigrams {
            *unigram_df.entry(key).or_default() += 1;
        }
        for (key, pair) in &b.bigrams {
            *bigram_df.entry(key).or_default() += 1;
            parts.insert(key, pair);
        }
    }
    for (key, pair) in title_bag.bigrams.iter().chain(&description_bag.bigrams) {
        parts.entry(key).or_insert(pair);
    }

    // Compounds: frequent, and a real share of their rarer part's uses.
    let min_compound = 2usize.max((0.02 * n as f64).ceil() as usize);
    let compounds: HashMap<&str, &(String, String)> = parts
        .iter()
        .filter(|(key, (a, b))| {
            let together = bigram_df.get(*key).copied().unwrap_or(0);
            let rarer =
                unigram_df.get(a.as_str()).copied().unwrap_or(0).min(unigram_df.get(b.as_str()).copied().unwrap_or(0));
            let in_title = title_bag.bigrams.contains_key(**key);
            (together >= min_compound || (in_title && together >= 1)) && together as f64 >= COHESION * rarer as f64
        })
        .map(|(key, pair)| (*key, *pair))
        .collect();

    // Each text's terms: its words and the compounds it writes spaced.
    let terms_of = |b: &Bag| -> HashSet<String> {
        let mut terms = b.unigrams.clone();
        terms.extend(b.bigrams.keys().filter(|k| compounds.contains_key(k.as_str())).cloned());
        terms
    };
    let comment_sets: Vec<HashSet<String>> = bags.iter().map(terms_of).collect();
    let title_terms = terms_of(&title_bag);
    let description_terms = terms_of(&description_bag);

    let mut weight: HashMap<String, f64> = HashMap::new();
    let mut df: HashMap<String, usize> = HashMap::new();
    for (set, (_, likes)) in comment_sets.iter().zip(comments) {
        let w = comment_weight(*likes);
        for term in set {
            *weight.entry(term.clone()).or_default() += w;
            *df.entry(term.clone()).or_default() += 1;
        }
    }
    // The title and the description weigh more than a comment, but each is
    // still one document for the inverse document frequency: a word only
    // the title uses is not thereby the rarest, most telling word of all.
    let mut documents = df.clone();
    for term in &title_terms {
        *weight.entry(term.clone()).or_default() += TITLE_WEIGHT;
        *documents.entry(term.clone()).or_default() += 1;
    }
    for term in &description_terms {
        *weight.entry(term.clone()).or_default() += DESCRIPTION_WEIGHT;
        *documents.entry(term.clone()).or_default() += 1;
    }

    // One comment mentioning a word is noise once there are a few comments;
    // the title always speaks for the video.
    let min_df = if n >= 10 { 2 } else { 1 };
    let eligible = |term: &str| {
        let count = df.get(term).copied().unwrap_or(0);
        count >= min_df || title_terms.contains(term) || (n < 5 && description_terms.contains(term))
    };

    let mut absorbed: HashSet<&str> = HashSet::new();
    for (key, (a, b)) in &compounds {
        if !eligible(key) {
            continue;
        }
        let together = df.get(*key).copied().unwrap_or(0);
        for part in [a, b] {
            let alone = df.get(part.as_str()).copied().unwrap_or(0);
            if (alone.saturating_sub(together) as f64) < ABSORBED * alone as f64 {
                absorbed.insert(part.as_str());
            }
        }
    }

    let mut ranked: Vec<Keyword> = weight
        .iter()
        .filter(|(term, _)| eligible(term) && !absorbed.contains(term.as_str()))
        .map(|(term, w)| {
            let count = df.get(term).copied().unwrap_or(0);
            let in_documents = documents.get(term).copied().unwrap_or(0);
            let idf = (1.0 + (n as f64 + 1.0) / (in_documents as f64 + 1.0)).ln();
            let bonus = if compounds.contains_key(term.as_str()) { COMPOUND_BONUS } else { 1.0 };
            Keyword { text: shown(term, &surfaces), key: term.clone(), score: w * idf * bonus, comments: count }
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));

    let kept: HashSet<&str> = ranked.iter().map(|k| k.key.as_str()).collect();
    let comment_terms = comment_sets
        .iter()
        .map(|set| {
            let mut terms: Vec<String> = set.iter().filter(|t| kept.contains(t.as_str())).cloned().collect();
            terms.sort();
            terms
        })
        .collect();
    Keywords { ranked, comment_terms, document_frequency: df }
}

/// How a key is shown: English acronyms in the capitals they were written
/// in (AI, not ai), everything else as counted.
fn shown(key: &str, surfaces: &HashMap<String, BTreeMap<String, usize>>) -> String {
    let Some(forms) = surfaces.get(key) else { return key.to_string() };
    let most = forms.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(s, _)| s.as_str());
    match most {
        Some(surface)
            if surface.len() >= 2 && surface.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            surface.to_string()
        }
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(comments: &[&str], title: Option<&str>) -> Keywords {
        let texts: Vec<&str> = comments.iter().copied().chain(title).collect();
        let analyzer = Analyzer::new(texts);
        let with_likes: Vec<(&str, u64)> = comments.iter().map(|c| (*c, 0)).collect();
        extract(&analyzer, &with_likes, title, None)
    }

    #[test]
    fn words_shared_by_comments_outrank_one_off_words() {
        let k =
            keywords(&["가족이랑 같이 봤어요", "가족에게 상처 주는 말", "가족 대화가 어려워요", "반찬 맛있겠다"], None);
        assert_eq!(k.ranked[0].text, "가족");
        assert_eq!(k.ranked[0].comments, 3);
    }

    #[test]
    fn nouns_written_side_by_side_often_become_one_compound() {
        let comments = [
            "감정 조절이 제일 어려워요",
            "감정 조절 방법 더 알려주세요",
            "저도 감정 조절 연습중이에요",
            "감정조절 꿀팁 감사해요",
            "아이들 감정 조절 교육도 궁금해요",
        ];
        let k = keywords(&comments, None);
        assert_eq!(k.ranked[0].text, "감정조절");
        assert_eq!(k.ranked[0].comments, 5);
        assert!(!k.ranked.iter().any(|w| w.text == "감정" || w.text == "조절"), "{:?}", k.ranked);
    }

    #[test]
    fn the_title_boosts_its_words() {
        let comments = ["뇌과학 얘기 재밌어요", "심리학 공부하고 싶어요", "뇌과학 최고", "심리학 좋아요"];
        let plain = keywords(&comments, None);
        let titled = keywords(&comments, Some("뇌과학으로 보는 가족"));
        let rank = |k: &Keywords, w: &str| k.ranked.iter().position(|x| x.text == w).unwrap();
        assert_eq!(rank(&titled, "뇌과학"), 0);
        assert!(titled.ranked.iter().any(|k| k.text == "가족"), "title words are keywords even unmentioned");
        assert!(rank(&plain, "뇌과학") <= 1);
    }

    #[test]
    fn acronyms_keep_their_capitals() {
        let k = keywords(&["AI 설명 좋아요", "AI가 무섭네요", "AI is the future"], None);
        assert_eq!(k.ranked[0].text, "AI");
    }

    #[test]
    fn each_comment_lists_its_keywords() {
        let k = keywords(&["가족 소통", "가족 대화", "소통 중요"], None);
        assert_eq!(k.comment_terms[0], ["가족", "소통"]);
    }
}

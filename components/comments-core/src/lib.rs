//! Video-comment analysis without engines (seed 002, `analysis-result-v1`):
//! what the `comment-analysis` component computes itself, natively testable.
//!
//! - [`tokenize`]: Korean-aware words and nouns (particles and endings
//!   stripped by rule: no morphological dictionary could be built or shipped
//!   here, see docs in the module);
//! - [`keywords`]: TF-IDF over the comments with compounds (감정 조절 → 감정조절);
//! - [`sentiment`]: a Korean + English lexicon with negation;
//! - [`cluster`] and [`reactions`]: comment groups from embeddings the
//!   caller passes in (k-means, cosine), or from shared keywords;
//! - [`summary`]: the three summary sentences, with shares and quotes;
//! - [`language`]: each comment's language from its scripts;
//! - [`youtube`]: the YouTube Data API v3's URLs, answers and errors.
//!
//! The flow is [`Prepared::new`] (clean, detect languages, score sentiment,
//! rank keywords), then [`Prepared::reactions`] with or without vectors, then
//! [`Prepared::summary`]: staged so the component can report progress and
//! fetch embeddings in between.

pub mod cluster;
pub mod hangul;
pub mod keywords;
pub mod language;
pub mod lexicon;
pub mod quality;
pub mod reactions;
pub mod sentiment;
pub mod summary;
pub mod tokenize;
pub mod youtube;

use keywords::Keywords;
use language::Language;
use reactions::{Material, Reactions};
use sentiment::{Polarity, Sentiment};
pub use summary::{OutputLanguage, Summary};
use tokenize::Analyzer;

/// The most keywords the result recommends (the seed's 0–8).
pub const MAX_KEYWORDS: usize = 8;
/// Characters of a comment analysed; YouTube allows 10,000 and the rest of
/// a very long comment rarely changes what it is about.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// Characters of the description analysed: past the first paragraphs come
/// links, sponsors and hashtags lists.
pub const MAX_DESCRIPTION_CHARS: usize = 3000;
/// Characters of a comment sent to the embedding model (e5-small reads 512
/// tokens; a Korean syllable is one or two).
pub const EMBEDDING_CHARS: usize = 300;
/// A language makes `languageSummary` with at least this share of the comments.
pub const LANGUAGE_MIN_SHARE: f64 = 0.05;

/// A comment and its likes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub likes: u64,
}

/// `text` with links removed, on one line of single spaces, at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let lower = w.to_ascii_lowercase();
            !(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www."))
        })
        .collect();
    let flat = kept.join(" ");
    if flat.chars().count() <= max { flat } else { flat.chars().take(max).collect::<String>().trim_end().to_string() }
}

/// The comments analysed, and what was computed from them without engines.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Cleaned, blank ones dropped, in the order given.
    pub comments: Vec<Comment>,
    pub languages: Vec<Option<Language>>,
    pub sentiments: Vec<Sentiment>,
    pub keywords: Keywords,
}

impl Prepared {
    /// Clean the texts, then detect languages, score sentiment and rank keywords.
    pub fn new(title: Option<&str>, description: Option<&str>, comments: Vec<Comment>) -> Self {
        let title = title.map(|t| clean(t, MAX_COMMENT_CHARS)).filter(|t| !t.is_empty());
        let description = description.map(|d| clean(d, MAX_DESCRIPTION_CHARS)).filter(|d| !d.is_empty());
        let comments: Vec<Comment> = comments
            .into_iter()
            .map(|c| Comment { text: clean(&c.text, MAX_COMMENT_CHARS), likes: c.likes })
            .filter(|c| !c.text.is_empty())
            .collect();
        let texts = comments.iter().map(|c| c.text.as_str()).chain(title.as_deref()).chain(description.as_deref());
        let analyzer = Analyzer::new(texts);
        let with_likes: Vec<(&str, u64)> = comments.iter().map(|c| (c.text.as_str(), c.likes)).collect();
        let keywords = keywords::extract(&analyzer, &with_likes, title.as_deref(), description.as_deref());
        Prepared {
            languages: comments.iter().map(|c| language::detect(&c.text)).collect(),
            sentiments: comments.iter().map(|c| sentiment::score(&c.text)).collect(),
            keywords,
            comments,
            title,
            description,
        }
    }

    /// The comments' languages, most frequent first; with no comments, the
    /// language of the title and description.
    pub fn language_summary(&self) -> Vec<String> {
        let detected: Vec<Option<Language>> = if self.comments.is_empty() {
            [self.title.as_deref(), self.description.as_deref()].into_iter().flatten().map(language::detect).collect()
        } else {
            self.languages.clone()
        };
        language::summary(&detected, LANGUAGE_MIN_SHARE).into_iter().map(str::to_string).collect()
    }

    /// `recommendedKeywords`: the best [`MAX_KEYWORDS`].
    pub fn recommended_keywords(&self) -> Vec<String> {
        self.keywords.top(MAX_KEYWORDS)
    }

    /// Comments that are positive, negative and neither.
    pub fn sentiment_counts(&self) -> (usize, usize, usize) {
        let count = |p: Polarity| self.sentiments.iter().filter(|s| s.polarity == p).count();
        (count(Polarity::Positive), count(Polarity::Negative), count(Polarity::Neutral))
    }

    /// Whether clustering would use embeddings (enough comments to group).
    pub fn wants_embeddings(&self) -> bool {
        self.comments.len() >= cluster::MIN_POINTS
    }

    /// The texts to embed, one per comment, shortened to [`EMBEDDING_CHARS`].
    pub fn embedding_texts(&self) -> Vec<String> {
        self.comments.iter().map(|c| c.text.chars().take(EMBEDDING_CHARS).collect()).collect()
    }

    fn texts(&self) -> Vec<&str> {
        self.comments.iter().map(|c| c.text.as_str()).collect()
    }

    /// Group the comments: by `vectors` (one per comment, any dimension)
    /// when given and there are enough comments, else by shared keywords.
    pub fn reactions(&self, vectors: Option<&[Vec<f32>]>) -> Reactions {
        let texts = self.texts();
        let material = Material { texts: &texts, keywords: &self.keywords, sentiments: &self.sentiments };
        reactions::group(&material, vectors)
    }

    /// The summary sentences.
    pub fn summary(&self, reactions: &Reactions, language: OutputLanguage) -> Summary {
        summary::write(&self.texts(), reactions, language)
    }
}

/// Build every lazily built table (stopword sets) and run the whole
/// analysis once on a sample, for a component's pre-initialization.
pub fn warm() {
    let sample = [
        "가족에게 상처 주는 말을 줄이고 싶어요",
        "뇌과학 설명이 정말 좋았어요 ㅋㅋ",
        "해결책이 조금 추상적이라 아쉬워요",
        "This was really helpful, thank you!",
    ];
    let comments = sample.iter().map(|t| Comment { text: t.to_string(), likes: 1 }).collect();
    let prepared = Prepared::new(Some("가족 소통의 뇌과학"), None, comments);
    let reactions = prepared.reactions(None);
    let _ = prepared.summary(&reactions, OutputLanguage::Korean);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(texts: &[&str]) -> Vec<Comment> {
        texts.iter().map(|t| Comment { text: t.to_string(), likes: 0 }).collect()
    }

    #[test]
    fn links_and_blank_comments_are_dropped() {
        assert_eq!(clean("보세요 https://x.y/z 여기\n\n좋아요", 100), "보세요 여기 좋아요");
        assert_eq!(clean("가나다라", 2), "가나");
        let prepared = Prepared::new(None, None, comments(&["  ", "https://spam.example", "좋아요"]));
        assert_eq!(prepared.comments.len(), 1);
    }

    #[test]
    fn the_whole_flow_runs_without_engines() {
        let prepared = Prepared::new(
            Some("가족 소통의 뇌과학"),
            Some("가족에게 상처 주는 말을 뇌과학으로 풀어봅니다 #심리 #가족"),
            comments(&[
                "가족에게 상처 주는 말 반성합니다",
                "뇌과학 설명이 최고예요",
                "가족이랑 같이 봤어요",
                "해결책이 너무 추상적이라 아쉬워요",
                "Great explanation of the brain",
            ]),
        );
        assert!(prepared.recommended_keywords().len() <= MAX_KEYWORDS);
        let top3 = &prepared.recommended_keywords()[..3];
        assert!(top3.contains(&"가족".to_string()) && top3.contains(&"뇌과학".to_string()), "{top3:?}");
        assert_eq!(prepared.language_summary(), ["ko", "en"]);
        let reactions = prepared.reactions(None);
        let summary = prepared.summary(&reactions, OutputLanguage::Korean);
        assert!(summary.major_reactions.starts_with("댓글 5개 중"), "{}", summary.major_reactions);
        assert!(summary.weak_points.contains("추상적"), "{}", summary.weak_points);
    }

    #[test]
    fn without_comments_the_title_gives_the_language() {
        let prepared = Prepared::new(Some("This is a title"), None, vec![]);
        assert_eq!(prepared.language_summary(), ["en"]);
    }

    #[test]
    fn warming_up_runs() {
        warm();
    }
}

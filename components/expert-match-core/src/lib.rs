//! `expert-match-core`: seed 000 §3 expert matching (`POST /api/expert/match`)
//! without engines.
//!
//! * [`request`]: the input (the seed's body plus the expert registry the
//!   host reads from its store) and the output, in the seed's shape.
//! * [`keywords`]: a business report's keywords, Korean and English, by
//!   frequency with position weighting over `comments-core`'s Korean-aware
//!   tokenizer.
//! * [`lexical`]: the fallback similarity, the character-bigram Dice coefficient.
//! * [`rank`](mod@rank): per-keyword best items, the threshold, the ranking.
//!
//! No I/O, no clock, no SDK: the component wraps this with the host's
//! embeddings engine (cosine similarity of multilingual-e5-small vectors),
//! or [`lexical::dice`] when the host has none.

pub mod keywords;
pub mod lexical;
pub mod rank;
pub mod request;

pub use keywords::{Keyword, extract_keywords};
pub use lexical::dice;
pub use rank::{Ranking, distinct_items, rank, round4};
pub use request::{Expert, MatchDetail, MatchRequest, MatchResponse, MatchingMethod, MethodChoice, RankedExpert};

/// Build the stopword sets and run keyword extraction and matching once on a
/// sample, for a component's pre-initialization.
pub fn warm() {
    comments_core::warm();
    let keywords: Vec<String> =
        extract_keywords("AI 기반 헬스케어 사업계획서\n의료 데이터 분석으로 digital health를 돕습니다.", 10)
            .into_iter()
            .map(|k| k.text)
            .collect();
    let expert = Expert {
        id: None,
        name: "예시".into(),
        career: vec!["AI 연구소 선임연구원".into()],
        field: vec!["헬스케어".into()],
        career_file_name: None,
        is_visible: true,
    };
    let _ = rank(&keywords, &[expert], 0.5, 10, &mut |k, item| dice(&keywords[k], item));
}

//! Sentence splitting and TextRank sentence ranking, without engines: the
//! one copy of both that the `regeneration`, `summarize` and `checklist`
//! components share.
//!
//! - [`sentences`]: Korean and English text cut into sentences, with where
//!   the line and paragraph breaks were.
//! - [`rank`](mod@rank): TextRank over character-bigram similarity
//!   ([`rank()`](rank::rank), [`select`], [`similarity`], [`coverage`]).

pub mod rank;
pub mod sentences;

pub use rank::{coverage, select, similarity};
pub use sentences::{Sentence, length, split};

//! `diagnosis-core`: the engine-independent logic of the business-plan
//! diagnosis (사업계획서 진단, seed §2 `POST /api/diagnosis/` and
//! `GET /api/diagnosis/criteria`).
//!
//! * [`criteria`]: the 30 default criteria (5 categories × 6 items), each
//!   with a rubric sentence and the evidence kinds that count for it, and the
//!   seed's wire shapes (`카테고리`, `평가항목`, `내용`).
//! * [`request`]: the request body (`input[]`, optional `evaluation`).
//! * [`sentences`]: Korean/English sentence splitting.
//! * [`evidence`]: a table of deterministic evidence detectors.
//! * [`score`]: the rubric-embedding scorer, over any [`score::Embed`].
//!
//! No I/O, no clock, no SDK: the component that wraps this passes in the
//! host's embedding engine (multilingual-e5-small).

pub mod criteria;
pub mod evidence;
pub mod request;
pub mod score;
pub mod sentences;

pub use criteria::{Category, Criteria, CriteriaResponse, EvaluationCategory, EvaluationItem, Item, default_criteria};
pub use evidence::EvidenceKind;
pub use request::{DiagnosisRequest, InputContent};
pub use score::{
    Calibration, CategoryScore, Diagnosis, Embed, EvidenceSentence, ItemScore, METHOD, ScoreError, score_plan,
    score_plan_with,
};
pub use sentences::{Sentence, split_sentences};

/// Builds the evidence detectors' regexes (pre-initialisation for a component's warm-up).
pub fn warm() {
    evidence::warm();
}

#[cfg(test)]
mod tests;

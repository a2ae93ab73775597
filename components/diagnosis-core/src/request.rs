//! The `POST /api/diagnosis/` request body (seed §2.1).
//!
//! ```json
//! {
//!   "input": [{"contents": "AI 기반 헬스케어 솔루션 사업계획서 내용..."}],
//!   "evaluation": [{"id": 1, "카테고리": "기술성", "평가항목": [{"id": 1, "내용": "핵심 기술의 독창성 및 차별성"}]}]
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::criteria::{Criteria, EvaluationCategory, default_criteria};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosisRequest {
    /// Content to evaluate (required by the seed).
    pub input: Vec<InputContent>,
    /// Custom criteria; absent, `null` or `[]` means the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Vec<EvaluationCategory>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputContent {
    /// Text to evaluate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
    /// "평가 쿼리" in the seed, which does not say what it does; kept so
    /// requests carrying it parse, not used by the scorer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

impl DiagnosisRequest {
    /// The criteria to score with: the custom `evaluation` if it names at
    /// least one category, otherwise [`default_criteria`].
    pub fn criteria(&self) -> Criteria {
        match &self.evaluation {
            Some(evaluation) if !evaluation.is_empty() => Criteria::from_evaluation(evaluation),
            _ => default_criteria(),
        }
    }

    /// The plan: every non-blank `contents`, in order, separated by a blank line.
    pub fn plan_text(&self) -> String {
        self.input
            .iter()
            .filter_map(|i| i.contents.as_deref())
            .filter(|c| !c.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

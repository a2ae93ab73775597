//! The job's input and output documents. Each operation takes exactly the
//! fields of its seed 001 request body, plus Capsule's optional extras
//! (`method`, `reference_date`, `user_id` for interview retrieval); each
//! answers the seed's `data` object plus extras (`method`, `warnings`,
//! `sources`, `matched_via`, `chunks`, `model`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which method may write the narrative parts (and chat answers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MethodChoice {
    /// The language model behind `default` when the host has one, else the rules.
    #[default]
    Auto,
    /// Always the rules, even when a model is available (deterministic answers; the self-tests use it).
    Rules,
}

/// How the narrative parts of the answer were made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// By the language model behind `default`.
    Llm,
    /// By career-core's rules (no model, `method: "rules"`, or the model's answer was unusable).
    Rules,
}

/// The job's input: one operation, named by `op`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
#[schemars(title = "career input")]
pub enum Input {
    /// Seed §2 `POST /ai/file/embed`: store a document's text for retrieval.
    Embed(EmbedInput),
    /// Seed §3 `POST /ai/analyze`: résumé and posting analysis and their match.
    Analyze(AnalyzeInput),
    /// Seed §4.1 `POST /ai/interview/question`: the next question or a follow-up.
    InterviewQuestion(QuestionInput),
    /// Seed §4.2 `POST /ai/interview/save`: one question and its answer.
    InterviewSave(SaveInput),
    /// Seed §4.3 `POST /ai/interview/report`: evaluations and a report over the saved answers.
    InterviewReport(ReportInput),
    /// Seed §5 `POST /ai/chat`: a chat turn, or the backend's tool result.
    Chat(ChatInput),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct EmbedInput {
    /// `resume`, `portfolio` or `job_posting` (anything else fails `CAREER_INVALID_DOCUMENT_TYPE`).
    #[serde(rename = "type", default)]
    pub document_type: String,
    /// The document's id (resume_id, portfolio_id, posting_id).
    pub id: String,
    pub user_id: String,
    /// The text to embed (blank fails `CAREER_EMPTY_TEXT`).
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AnalyzeInput {
    pub resume_id: String,
    pub posting_id: String,
    /// Blank or missing fails `CAREER_MISSING_RESUME_TEXT`.
    #[serde(default)]
    pub resume_text: String,
    /// Blank or missing fails `CAREER_MISSING_POSTING_TEXT`.
    #[serde(default)]
    pub posting_text: String,
    /// Capsule: what relative and year-less dates in the posting count from, `YYYY-MM-DD`;
    /// today in Asia/Seoul when left out.
    #[serde(default)]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub reference_date: Option<String>,
    /// Capsule: `rules` to skip the model even when there is one.
    #[serde(default)]
    pub method: MethodChoice,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct QuestionInput {
    pub room_id: String,
    pub session_id: String,
    /// `technical` or `personality` (anything else fails `CAREER_INVALID_INTERVIEW_TYPE`).
    #[serde(default)]
    pub interview_type: String,
    #[serde(default)]
    pub resume_text: String,
    #[serde(default)]
    pub posting_text: String,
    /// Capsule: whose stored résumés and portfolios to search for the question's context.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Capsule: `rules` to skip the model even when there is one.
    #[serde(default)]
    pub method: MethodChoice,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SaveInput {
    pub room_id: String,
    pub session_id: String,
    pub question_id: String,
    pub question: String,
    pub answer: String,
    pub is_followup: bool,
    /// 1–5.
    pub question_number: u32,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ReportInput {
    pub room_id: String,
    pub session_id: String,
    /// `technical` or `personality` (anything else fails `CAREER_INVALID_INTERVIEW_TYPE`).
    #[serde(default)]
    pub interview_type: String,
    #[serde(default)]
    pub resume_text: String,
    #[serde(default)]
    pub posting_text: String,
    /// `auto` (five answered) or `manual`; kept with the session.
    #[serde(default)]
    pub ended_by: Option<String>,
    /// Capsule: `rules` to skip the model even when there is one.
    #[serde(default)]
    pub method: MethodChoice,
}

/// One earlier turn of the chat.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Turn {
    /// `user` or `assistant` (others are ignored).
    pub role: String,
    pub content: String,
}

/// What the backend answered after running a tool the assistant asked for.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ToolResult {
    /// `get_schedule`.
    pub tool: String,
    #[serde(default = "yes")]
    pub success: bool,
    /// The tool's data: for `get_schedule` a list of `{title, date, time}`.
    #[serde(default)]
    pub data: Value,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ChatInput {
    pub room_id: String,
    pub user_id: String,
    /// Required unless `tool_result` is given (blank then fails `CAREER_MISSING_MESSAGE`).
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub history: Vec<Turn>,
    #[serde(default)]
    pub tool_result: Option<ToolResult>,
    /// Capsule: what `이번 주`, `내일` count from, `YYYY-MM-DD`; today in Asia/Seoul when left out.
    #[serde(default)]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub reference_date: Option<String>,
    /// Capsule: `rules` to skip the model even when there is one (then only schedule
    /// questions and tool results are answered).
    #[serde(default)]
    pub method: MethodChoice,
}

/// The job's output: the seed's `data` object of the operation that ran.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "career output")]
pub enum Output {
    Embed(EmbedOutput),
    Analyze(AnalyzeOutput),
    InterviewQuestion(QuestionOutput),
    InterviewSave(SaveOutput),
    InterviewReport(ReportOutput),
    Chat(ChatOutput),
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EmbedOutput {
    pub success: bool,
    #[serde(rename = "type")]
    pub document_type: String,
    pub id: String,
    /// The document's id in the collection; each chunk is `<vector_id>_<n>`.
    pub vector_id: String,
    /// `resumes`, `portfolios` or `job_postings`.
    pub collection: String,
    /// Capsule: how many chunks were stored.
    pub chunks: u32,
    /// Capsule: the embedding model.
    pub model: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResumeAnalysis {
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PostingAnalysis {
    pub company: Option<String>,
    pub position: Option<String>,
    pub required_skills: Vec<String>,
    pub preferred_skills: Vec<String>,
    /// The document deadline, `YYYY-MM-DD`, when the posting gives one.
    pub deadline: Option<String>,
}

/// How one of the posting's skills was found in the résumé.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MatchedVia {
    pub skill: String,
    /// A required skill (else preferred).
    pub required: bool,
    /// `dictionary` (a known spelling) or `embedding` (a phrase close enough in meaning).
    pub via: String,
    /// The résumé's phrase, for `embedding`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_phrase: Option<String>,
    /// Cosine similarity, for `embedding`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Matching {
    /// 0–100: 100 × (0.7 × required share + 0.3 × preferred share).
    pub score: u8,
    /// A+ (95+), A (85+), B+ (75+), B (65+), C+ (55+), C (45+), D (35+), F.
    pub grade: String,
    pub matched_skills: Vec<String>,
    /// Required ones first, then preferred.
    pub missing_skills: Vec<String>,
    pub recommendations: Vec<String>,
    /// Capsule: which matches came from the dictionary and which from embeddings.
    pub matched_via: Vec<MatchedVia>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AnalyzeOutput {
    pub success: bool,
    pub resume_analysis: ResumeAnalysis,
    pub posting_analysis: PostingAnalysis,
    pub matching: Matching,
    pub method: Method,
    /// Capsule: what was done without (no embeddings engine: dictionary matches only; a model answer that was unusable).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QuestionOutput {
    pub success: bool,
    /// `q_001`, `q_002`, … within the session.
    pub question_id: String,
    pub question: String,
    pub is_followup: bool,
    /// Questions asked before this one + 1.
    pub question_number: u32,
    pub method: Method,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SaveOutput {
    pub success: bool,
    /// `qa_001`, … in the order first saved; saving a question again keeps its id.
    pub qa_id: String,
    pub session_id: String,
    pub saved_count: u32,
    pub max_questions: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Evaluation {
    pub qa_id: String,
    pub question: String,
    pub answer: String,
    /// 0–100.
    pub score: u8,
    pub good_points: Vec<String>,
    pub improvements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// The mean of the evaluations' scores.
    pub total_score: u8,
    pub grade: String,
    pub strength_patterns: Vec<String>,
    pub weakness_patterns: Vec<String>,
    pub learning_guide: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReportOutput {
    pub success: bool,
    pub room_id: String,
    pub session_id: String,
    pub evaluations: Vec<Evaluation>,
    pub report: Report,
    pub method: Method,
    pub warnings: Vec<String>,
}

/// A tool the backend should run before the assistant can answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ToolUse {
    /// `get_schedule`.
    pub tool: String,
    /// For `get_schedule`: `{start_date, end_date}`, `YYYY-MM-DD`.
    pub params: Value,
}

/// A passage of the user's documents the answer drew on.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Source {
    pub collection: String,
    pub document_id: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChatOutput {
    pub success: bool,
    /// The answer; null when a tool must run first (`tool_used`).
    pub response: Option<String>,
    /// The tool the backend should run, then call again with `tool_result`; null otherwise.
    pub tool_used: Option<ToolUse>,
    /// Capsule: the passages retrieved for the answer.
    pub sources: Vec<Source>,
    pub method: Method,
    pub warnings: Vec<String>,
}

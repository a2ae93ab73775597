//! Seed `000` (business-plan diagnosis, reports, experts) profile: its
//! exact routes and FastAPI's shapes — answers as the original's JSON,
//! errors as `{"detail": …}` (a 422's `detail` is FastAPI's list of
//! `{loc, msg, type}`), and its Celery job routes ([`celery`]) over
//! Capsule's jobs.

mod celery;
mod diagnosis;
mod docs;
mod experts;
mod generate;
mod regenerate;
mod reports;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::AppState;
use super::profile::{BodyProblem, WireCode};
use crate::jobs::JobError;
use crate::runtime::Failure;

pub use diagnosis::MODEL_ALIAS;
pub use docs::fragment;
pub use experts::{export as export_experts, import as import_experts};

/// The components behind the routes.
const DIAGNOSIS: &str = "diagnosis";
const REGENERATION: &str = "regeneration";
const EXPERT_MATCH: &str = "expert-match";
const REPORT_EMBED: &str = "report-embed";
const REPORT_SEARCH: &str = "report-search";

/// Seed 000's routes; report uploads may be up to `upload_limit` bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/api/diagnosis", post(diagnosis::diagnose))
        .route("/api/diagnosis/", post(diagnosis::diagnose))
        .route("/api/diagnosis/criteria", get(diagnosis::criteria))
        .route("/api/reports/regenerate", post(regenerate::regenerate))
        .route("/api/reports/upload", post(reports::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .route("/api/reports/embed", post(reports::embed))
        .route("/api/reports/generate", post(generate::generate))
        .route("/api/reports/{report_id}", get(generate::report))
        .route("/api/reports/search", post(reports::search))
        .route("/api/expert/list", get(experts::list))
        .route("/api/expert/match", post(experts::match_experts))
        .route("/api/expert/{expert_name}", get(experts::get))
        .route("/api/jobs/status/{task_id}", get(celery::status))
        .route("/api/jobs/cancel/{task_id}", delete(celery::cancel))
        .route("/api/jobs/list", get(celery::list))
}

const VALIDATION: WireCode = WireCode {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    name: "validation_error",
    code: None,
    meaning: "the body is not JSON or does not fit the route's request (FastAPI's `detail` list names the field)",
};
const TOO_LARGE: WireCode = WireCode {
    status: StatusCode::PAYLOAD_TOO_LARGE,
    name: "payload_too_large",
    code: None,
    meaning: "the body is over `--max-body`",
};
const NOT_CONFIGURED: WireCode = WireCode {
    status: StatusCode::SERVICE_UNAVAILABLE,
    name: "not_configured",
    code: None,
    meaning: "the task needs a language model or a search provider this host does not have (`LLM_NOT_CONFIGURED`, `SEARCH_NOT_CONFIGURED`), or its component is not deployed",
};
const BUSY: WireCode = WireCode {
    status: StatusCode::SERVICE_UNAVAILABLE,
    name: "busy",
    code: None,
    meaning: "the queue is full, or the answer took longer than the synchronous wait; retry",
};
const NOT_FOUND: WireCode = WireCode {
    status: StatusCode::NOT_FOUND,
    name: "not_found",
    code: None,
    meaning: "no expert has that name (`detail`: `전문가 '…'을(를) 찾을 수 없습니다.`), or no uploaded report has that file name",
};
const FAILED: WireCode = WireCode {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    name: "failed",
    code: None,
    meaning: "the task failed; `detail` says why",
};

/// Every code seed 000's routes answer.
pub const CODES: &[WireCode] = &[VALIDATION, TOO_LARGE, NOT_CONFIGURED, BUSY, NOT_FOUND, FAILED];

/// A seed-000 error: FastAPI's `{"detail": …}` with the row's status.
pub struct BusinessError {
    code: WireCode,
    detail: Value,
}

impl BusinessError {
    fn new(code: WireCode, detail: impl Into<String>) -> Self {
        Self { code, detail: Value::String(detail.into()) }
    }

    /// FastAPI's 422: `detail` is a list of `{loc, msg, type}`.
    fn validation(loc: &[&str], msg: impl Into<String>) -> Self {
        let msg = msg.into();
        Self { code: VALIDATION, detail: json!([{ "loc": loc, "msg": msg, "type": "value_error" }]) }
    }

    /// A failed job, in the code its failure maps to.
    fn from_failure(f: &Failure) -> Self {
        let code = match f.code.as_str() {
            "LLM_NOT_CONFIGURED" | "SEARCH_NOT_CONFIGURED" | "EMBEDDINGS_UNAVAILABLE" => NOT_CONFIGURED,
            "JOB_TIMEOUT" | "LLM_RATE_LIMITED" => BUSY,
            c if c.starts_with("COMMON_INVALID") || c.ends_with("_INVALID_REQUEST") => VALIDATION,
            _ => FAILED,
        };
        if code.status == StatusCode::UNPROCESSABLE_ENTITY {
            return Self::validation(&["body"], format!("{}: {}", f.code, f.message));
        }
        Self::new(code, format!("{}: {}", f.code, f.message))
    }
}

impl From<JobError> for BusinessError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::InvalidInput(m) => Self::validation(&["body"], m),
            JobError::CapabilityNotFound(c) => {
                Self::new(NOT_CONFIGURED, format!("the `{c}` component is not deployed on this host"))
            }
            JobError::QueueFull { .. } => Self::new(BUSY, format!("{e}; retry in a moment")),
            JobError::NotFound(_) | JobError::AlreadyFinished { .. } => Self::new(FAILED, e.to_string()),
            JobError::Store(err) if err.is_unavailable() => {
                tracing::warn!(error = %err, "seed 000 route: store unavailable");
                Self::new(BUSY, "the job database is not answering; retry in a moment")
            }
            JobError::Store(err) => {
                tracing::error!(error = %err, "seed 000 route: store error");
                Self::new(FAILED, "the job store failed; retry")
            }
        }
    }
}

impl From<BodyProblem> for BusinessError {
    fn from(p: BodyProblem) -> Self {
        match p {
            BodyProblem::TooLarge { .. } => Self::new(TOO_LARGE, p.sentence()),
            BodyProblem::NotJson(_) => Self::validation(&["body"], p.sentence()),
            BodyProblem::Invalid(_) => Self::validation(&["body"], p.sentence()),
        }
    }
}

impl IntoResponse for BusinessError {
    fn into_response(self) -> Response {
        let mut response = (self.code.status, axum::Json(json!({ "detail": self.detail }))).into_response();
        if self.code.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

/// `GET /`: what this host serves of seed 000.
async fn root(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let model = state.engines.llm.describe_alias(diagnosis::MODEL_ALIAS);
    axum::Json(json!({
        "message": "사업계획서 생성 및 전문가 매칭 API 서버",
        "version": env!("CARGO_PKG_VERSION"),
        "model": model,
        "api_structure": {
            "diagnosis": {
                "POST /api/diagnosis/": "사업계획서 진단 및 평가 (5개 카테고리 30개 항목)",
                "GET /api/diagnosis/criteria": "기본 평가 기준 조회",
            },
            "experts": {
                "POST /api/expert/match": "전문가 매칭 (semantic_count)",
                "GET /api/expert/list": "전체 전문가 목록 조회",
                "GET /api/expert/{expert_name}": "특정 전문가 정보 조회",
            },
            "reports": {
                "POST /api/reports/regenerate": "보고서 재생성 (자세히, 간결하게, 윤문, 특허, 뉴스)",
                "POST /api/reports/upload": "보고서 파일 업로드",
                "POST /api/reports/embed": "보고서 멀티모달 임베딩 (텍스트, 표, 이미지)",
                "POST /api/reports/search": "보고서 유사도 검색",
                "POST /api/reports/generate": "전체 보고서 생성 (비동기, 섹션별)",
                "GET /api/reports/{report_id}": "생성된 보고서 섹션 조회",
            },
            "jobs": {
                "GET /api/jobs/status/{task_id}": "작업 상태 조회",
                "GET /api/jobs/list": "작업 목록 조회",
                "DELETE /api/jobs/cancel/{task_id}": "작업 취소",
            },
        },
        "documentation": "/docs",
    }))
    .into_response()
}

//! Seed 000 §4.1: `POST /api/reports/generate` runs the
//! `report-generation` pipeline — one `report-section` job per section of
//! a fixed plan outline ([`SECTIONS`]), each grounded in the reference
//! report's embedded chunks — and `GET /api/reports/{report_id}` (Capsule's
//! addition: the original wrote sections to Supabase tables that are not
//! here) reads the sections written so far. Generation is inherently
//! generative: without a model for `default` each section fails
//! `LLM_NOT_CONFIGURED`, and so does the task.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{BusinessError, NOT_FOUND};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed};
use crate::auth::Caller;
use crate::jobs::StepState;
use crate::store::{JobRecord, KvNamespace, Status, StoreError};

/// The pipeline behind the routes (its API name in spin.toml).
pub const REPORT_GENERATION: &str = "report-generation";

/// The outline every plan follows: the PSST structure of Korean
/// government start-up funding programmes (예비·초기창업패키지), with a
/// summary first and the expected effects last.
pub const SECTIONS: &[(&str, &str)] = &[
    ("사업 개요", "창업 아이템의 개요, 목표 고객과 시장, 핵심 가치를 한 문단으로 요약"),
    ("문제 인식 (Problem)", "창업 아이템의 개발 배경과 필요성, 시장 현황과 고객이 겪는 문제"),
    ("실현 가능성 (Solution)", "아이템의 개발·구체화 계획, 기존 제품·서비스와의 차별성과 경쟁력 확보 전략"),
    ("성장 전략 (Scale-up)", "비즈니스 모델, 목표 시장 진입과 사업화 전략, 자금 소요와 조달 계획"),
    ("팀 구성 (Team)", "대표자와 팀원의 역량, 추가 채용 계획, 협력 기관과 외부 자원 활용 계획"),
    ("기대 효과", "매출·고용 등 정량 목표와 일정, 사회·경제적 파급 효과"),
];

/// Which job generates which report, per tenant: `report_id` → task id.
fn namespace(tenant: Option<&str>) -> KvNamespace {
    KvNamespace {
        owner: crate::engines::Owner::of(tenant).key(),
        component: "seed-000".into(),
        store: "generations".into(),
    }
}

/// Most generations one tenant keeps track of.
const MAX_GENERATIONS: u64 = 100_000;

#[derive(Serialize, Deserialize)]
struct Generation {
    task_id: String,
}

/// Seed 000 §4.1's body.
#[derive(Deserialize)]
pub struct GenerateRequest {
    business_idea: String,
    core_value: String,
    file_name: String,
    report_id: String,
}

impl ProfileRequest for GenerateRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

/// `POST /api/reports/generate`.
pub async fn generate(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<GenerateRequest>,
) -> Result<Response, BusinessError> {
    for (field, value) in [
        ("business_idea", &body.business_idea),
        ("core_value", &body.core_value),
        ("file_name", &body.file_name),
        ("report_id", &body.report_id),
    ] {
        if value.trim().is_empty() {
            return Err(BusinessError::validation(&["body", field], format!("{field} must not be empty")));
        }
    }
    if body.report_id.chars().count() > 200 || body.report_id.contains('\0') {
        return Err(BusinessError::validation(&["body", "report_id"], "report_id must be at most 200 characters"));
    }
    let tenant = caller.tenant();
    if !super::reports::is_uploaded(&state, tenant, body.file_name.trim()).await? {
        return Err(BusinessError::new(
            NOT_FOUND,
            format!(
                "파일 '{}'을(를) 찾을 수 없습니다. 먼저 POST /api/reports/upload로 올리고 임베딩해 주세요.",
                body.file_name
            ),
        ));
    }
    let sections: Vec<Value> = SECTIONS
        .iter()
        .enumerate()
        .map(|(index, (title, guidance))| json!({ "index": index, "title": title, "guidance": guidance }))
        .collect();
    let input = json!({
        "business_idea": body.business_idea,
        "core_value": body.core_value,
        "file_name": body.file_name.trim(),
        "report_id": body.report_id,
        "sections": sections,
    });
    let submitted = state.jobs.submit(REPORT_GENERATION, input, false, tenant).await?;
    let record = serde_json::to_vec(&Generation { task_id: submitted.id.clone() })
        .map_err(|e| StoreError::Failed(e.to_string()))?;
    state.database.kv_set(&namespace(tenant), &body.report_id, &record, MAX_GENERATIONS).await?;
    Ok(axum::Json(json!({
        "success": true,
        "message": format!("generation started (task_id: {})", submitted.id),
        "report_id": body.report_id,
        "task_id": submitted.id,
    }))
    .into_response())
}

/// A path parameter whose rejection is this profile's error.
pub struct ReportId(String);

impl<S: Send + Sync> FromRequestParts<S> for ReportId {
    type Rejection = BusinessError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(Self(id)),
            Err(_) => Err(BusinessError::validation(&["path", "report_id"], "the report id is not valid UTF-8")),
        }
    }
}

/// `GET /api/reports/{report_id}`: the sections written so far, in order.
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    ReportId(report_id): ReportId,
) -> Result<Response, BusinessError> {
    let tenant = caller.tenant();
    let missing = || BusinessError::new(NOT_FOUND, format!("보고서 '{report_id}'을(를) 찾을 수 없습니다."));
    if report_id.contains('\0') {
        return Err(missing());
    }
    let Some(bytes) = state.database.kv_get(&namespace(tenant), &report_id).await? else { return Err(missing()) };
    let generation: Generation =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Failed(format!("generation record: {e}")))?;
    let record = state.jobs.get(&generation.task_id, tenant).await.map_err(|_| missing())?;
    let steps = state.jobs.steps(&record).await?.unwrap_or_default();
    let sections = written(&steps);
    let error = record
        .failure
        .as_ref()
        .filter(|_| record.status != Status::Completed)
        .map(|f| format!("{}: {}", f.code, f.message));
    Ok(axum::Json(json!({
        "report_id": report_id,
        "task_id": record.id,
        "status": super::celery::celery_state(&record),
        "is_complete": record.status == Status::Completed,
        "total_sections": SECTIONS.len(),
        "completed_sections": sections.len(),
        "sections": sections,
        "error": error,
        "created_at": crate::api::rfc3339(record.created_at),
    }))
    .into_response())
}

/// The sections whose job completed, in outline order.
fn written(steps: &[StepState]) -> Vec<Value> {
    steps
        .iter()
        .flat_map(|s| &s.jobs)
        .filter(|j| j.status == Status::Completed)
        .filter_map(|j| j.result.as_deref().and_then(|r| serde_json::from_str::<Value>(r).ok()))
        .collect()
}

/// The Celery view of a generation task as seed 000's frontend reads it:
/// `meta {status, report_id, current, total}` counted in sections while it
/// runs, `result {success, message, report_id}` when it is done.
pub async fn celery_view(state: &AppState, record: &JobRecord, mut view: Value) -> Value {
    let input: Value = serde_json::from_str(&record.input).unwrap_or(Value::Null);
    let report_id = input["report_id"].clone();
    let steps = state.jobs.steps(record).await.ok().flatten().unwrap_or_default();
    let done = written(&steps).len();
    match view["status"].as_str() {
        Some("PROGRESS" | "STARTED") => {
            view["meta"] = json!({
                "status": "보고서 생성 중...",
                "report_id": report_id,
                "current": done,
                "total": SECTIONS.len(),
            });
        }
        Some("SUCCESS") => {
            view["result"] =
                json!({ "success": true, "message": "보고서 생성 완료", "report_id": report_id, "sections": done });
            view["meta"] = json!({ "status": "작업이 완료되었습니다.", "success": true });
        }
        _ => {}
    }
    view
}

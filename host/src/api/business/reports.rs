//! Seed 000 §4.3–4.5: reference reports uploaded by name
//! (`POST /api/reports/upload`), embedded as a task (`POST
//! /api/reports/embed`, the `report-embed` component: text, tables and the
//! text of images into the `reports` collection) and searched by a business
//! idea within a category (`POST /api/reports/search`, the `report-search`
//! component, synchronous as in the original).
//!
//! Which file a name means is a registry per tenant in the job store's
//! key-value table (namespace `<tenant>` / `seed-000` / `reports`, key = the
//! file name), so every host sharing the store agrees; the bytes are a file
//! of the tenant's in the blob store. Two uploads of one new name at the same
//! instant may both pass the duplicate check (the later one is then the
//! file the name means).

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{BUSY, BusinessError, NOT_FOUND, REPORT_EMBED, REPORT_SEARCH};
use crate::api::AppState;
use crate::api::profile::{BodyProblem, ProfileRequest, Typed, Waited, submit_and_wait};
use crate::auth::Caller;
use crate::blobs::{BlobError, BoxError};
use crate::store::{KvNamespace, StoreError};

/// Most reports one tenant's registry holds.
const MAX_REPORTS: u64 = 10_000;

/// One uploaded report: its registry id (the search results' `id`) and file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Registered {
    id: u64,
    file_name: String,
    blob_id: String,
    uploaded_at: String,
}

fn namespace(tenant: Option<&str>) -> KvNamespace {
    KvNamespace {
        owner: crate::engines::Owner::of(tenant).key(),
        component: "seed-000".into(),
        store: "reports".into(),
    }
}

async fn registered(state: &AppState, tenant: Option<&str>, name: &str) -> Result<Option<Registered>, StoreError> {
    // No stored name has a NUL (PostgreSQL's text cannot hold one).
    if name.contains('\0') {
        return Ok(None);
    }
    let Some(bytes) = state.database.kv_get(&namespace(tenant), name).await? else { return Ok(None) };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::Failed(format!("the report registry entry `{name}` is not readable: {e}")))
}

/// Whether `tenant` uploaded a report under `name`.
pub async fn is_uploaded(state: &AppState, tenant: Option<&str>, name: &str) -> Result<bool, StoreError> {
    Ok(registered(state, tenant, name).await?.is_some())
}

/// A file name the registry can key: what a browser sends, without paths.
fn checked_name(name: &str) -> Result<String, BusinessError> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name.chars().count() > 255 || name.contains('\0') {
        return Err(BusinessError::validation(
            &["body", "file"],
            "the file needs a name of 1-255 characters (the part's filename)",
        ));
    }
    Ok(name.to_string())
}

/// `POST /api/reports/upload` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, BusinessError> {
    let mut multipart = multipart.map_err(|e| {
        BusinessError::validation(&["body", "file"], format!("send the file as multipart/form-data: {}", e.body_text()))
    })?;
    let unreadable = |e: MultipartError| {
        BusinessError::validation(&["body", "file"], format!("the multipart body could not be read: {}", e.body_text()))
    };
    let tenant = caller.tenant();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = checked_name(field.file_name().unwrap_or_default())?;
        if registered(&state, tenant, &name).await?.is_some() {
            return Ok(axum::Json(json!({
                "success": false,
                "message": format!("S3에 이미 동일한 파일명({name})이 존재합니다."),
                "file_name": name,
                "s3_url": Value::Null,
            }))
            .into_response());
        }
        let ns = namespace(tenant);
        let held = state.database.kv_count(&ns).await?;
        if held >= MAX_REPORTS {
            return Err(BusinessError::validation(
                &["body", "file"],
                format!("this registry already holds {MAX_REPORTS} reports"),
            ));
        }
        let declared = field.content_type().map(str::to_string);
        let chunks = field.map(|chunk| chunk.map_err(|e| Box::new(e) as BoxError)).boxed();
        let max = state.blobs.max_size;
        let meta = state.blobs.store.put_stream(&name, declared.as_deref(), tenant, chunks, max).await.map_err(
            |e| match e {
                BlobError::TooLarge { .. } => BusinessError::new(
                    super::TOO_LARGE,
                    format!("files are limited to {}", bytesize::ByteSize(max).display().iec()),
                ),
                BlobError::Source(source) => {
                    BusinessError::validation(&["body", "file"], format!("the file could not be read: {source}"))
                }
                other => {
                    tracing::error!(error = %other, "seed 000 upload");
                    BusinessError::new(BUSY, "the file store is not answering; retry in a moment")
                }
            },
        )?;
        let entry = Registered {
            id: held + 1,
            file_name: name.clone(),
            blob_id: meta.id.clone(),
            uploaded_at: crate::api::rfc3339(crate::jobs::now_ms()),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Failed(e.to_string()))?;
        state.database.kv_set(&ns, &name, &bytes, MAX_REPORTS).await?;
        return Ok(axum::Json(json!({
            "success": true,
            "message": "파일이 성공적으로 업로드되었습니다.",
            "file_name": name,
            "s3_url": state.blobs.url_for(&meta.id),
        }))
        .into_response());
    }
    Err(BusinessError::validation(&["body", "file"], "Field required: send the file in a part named `file`"))
}

/// `POST /api/reports/embed`'s body: the seed's two fields, plus the
/// metadata its database held (derived by the component when left out:
/// the title from the first heading, keywords from the text).
#[derive(Deserialize)]
pub struct EmbedRequest {
    file_name: String,
    embed_id: String,
    #[serde(default)]
    number: Option<i64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    category_number: Option<i64>,
    #[serde(default)]
    keywords: Option<String>,
}

impl ProfileRequest for EmbedRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

/// `POST /api/reports/embed`: a `report-embed` task.
pub async fn embed(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<EmbedRequest>,
) -> Result<Response, BusinessError> {
    if let Some(c) = body.category_number
        && !(1..=5).contains(&c)
    {
        return Err(BusinessError::validation(&["body", "category_number"], "category_number must be between 1 and 5"));
    }
    let tenant = caller.tenant();
    let Some(report) = registered(&state, tenant, body.file_name.trim()).await? else {
        return Err(BusinessError::new(
            NOT_FOUND,
            format!("파일 '{}'을(를) 찾을 수 없습니다. 먼저 POST /api/reports/upload로 올려 주세요.", body.file_name),
        ));
    };
    let input = json!({
        "file_url": state.blobs.url_for(&report.blob_id),
        "file_name": report.file_name,
        "embed_id": body.embed_id,
        "report_id": report.id,
        "number": body.number,
        "title": body.title,
        "field": body.field,
        "category_number": body.category_number,
        "keywords": body.keywords,
    });
    let submitted = state.jobs.submit(REPORT_EMBED, input, false, tenant).await?;
    Ok(axum::Json(json!({
        "success": true,
        "message": format!("embedding started (task_id: {})", submitted.id),
        "embed_id": body.embed_id,
        "task_id": submitted.id,
    }))
    .into_response())
}

/// Seed 000 §4.3's body.
#[derive(Deserialize)]
pub struct SearchRequest {
    business_idea: String,
    core_value: String,
    category_number: i64,
    #[serde(default = "five")]
    top_k: i64,
}

fn five() -> i64 {
    5
}

impl ProfileRequest for SearchRequest {
    type Error = BusinessError;
    fn rejected(problem: BodyProblem) -> BusinessError {
        problem.into()
    }
}

/// `POST /api/reports/search`: the `report-search` component's answer.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<SearchRequest>,
) -> Result<Response, BusinessError> {
    for (field, value) in [("business_idea", &body.business_idea), ("core_value", &body.core_value)] {
        if value.trim().is_empty() {
            return Err(BusinessError::validation(&["body", field], format!("{field} must not be empty")));
        }
    }
    if !(1..=5).contains(&body.category_number) {
        return Err(BusinessError::validation(&["body", "category_number"], "category_number must be between 1 and 5"));
    }
    if !(1..=20).contains(&body.top_k) {
        return Err(BusinessError::validation(&["body", "top_k"], "top_k must be between 1 and 20"));
    }
    let input = json!({
        "business_idea": body.business_idea,
        "core_value": body.core_value,
        "category_number": body.category_number,
        "top_k": body.top_k,
    });
    match submit_and_wait(&state, REPORT_SEARCH, input, caller.tenant(), state.config.seed_sync_wait).await? {
        Waited::Completed(result) => Ok(axum::Json(result).into_response()),
        Waited::Failed(failure) => Err(BusinessError::from_failure(&failure)),
        Waited::Running(id) => Err(BusinessError::new(
            BUSY,
            format!("the search is still running as task {id}; poll GET /api/jobs/status/{id}"),
        )),
    }
}

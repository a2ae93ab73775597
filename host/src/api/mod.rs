//! HTTP: the native v1 API, the seed profiles, docs, and one envelope and
//! error module shared by all of them.

mod admin;
mod analysis;
mod auth;
mod business;
mod career;
mod cors;
mod docs;
mod envelope;
mod events;
mod gpt_jobs;
mod keys;
mod limits;
mod native;
mod profile;
pub mod server;
mod user_file;
pub mod video;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::blobs::Blobs;
use crate::deploy::Deployer;
use crate::jobs::Jobs;

pub use auth::AdminTokens;
pub use cors::CorsOrigins;
pub use keys::parse_expiry;
pub use native::{capability_view, rfc3339};

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Longest `?wait=` a synchronous call may ask for.
    pub max_wait: Duration,
    /// How long seed routes that were synchronous in the original wait.
    pub seed_sync_wait: Duration,
    /// Seed 002's `analysisVersion` (`--analysis-version`).
    pub analysis_version: String,
    /// Largest JSON body accepted.
    pub max_body: usize,
    /// Largest `.wasm` a push may upload.
    pub max_component_size: usize,
    /// Origins browsers may call the API from.
    pub cors_origins: CorsOrigins,
    /// How long browsers may cache a preflight's answer.
    pub cors_max_age: Duration,
}

#[derive(Clone)]
pub struct AppState {
    pub jobs: Arc<Jobs>,
    pub blobs: Blobs,
    pub config: Arc<ApiConfig>,
    pub deployer: Arc<Deployer>,
    pub engines: Arc<crate::engines::Engines>,
    pub admin: Arc<AdminTokens>,
    pub auth: Arc<crate::auth::Auth>,
    /// Seed 003: accounts, uploads, render limits.
    pub video: Arc<video::VideoState>,
    /// The job store as a whole (seed 000's expert registry lives there).
    pub database: Arc<dyn crate::store::Database>,
}

pub fn router(state: AppState) -> Router {
    let upload_limit = state.blobs.max_size as usize + 64 * 1024;
    let json_limit = state.config.max_body;
    let admin = Router::new()
        .route("/components", get(admin::list))
        .route(
            "/components/{id}",
            axum::routing::put(admin::push).layer(DefaultBodyLimit::max(state.config.max_component_size)),
        )
        .route("/components/{id}/versions", get(admin::versions))
        .route("/components/{id}/rollback", post(admin::rollback))
        .route("/keys", get(keys::list).post(keys::create))
        .route("/keys/{id}", axum::routing::delete(keys::revoke))
        .route("/experts", post(business::import_experts).get(business::export_experts));
    let v1 = Router::new()
        .merge(admin)
        .route("/capabilities", get(native::capabilities))
        .route("/jobs", get(native::list_jobs))
        .route("/jobs/{id}", get(native::get_job).delete(native::cancel_job))
        .route("/jobs/{id}/events", get(events::job_events))
        .route("/files", post(native::upload_file).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/files/{id}", get(native::download_file))
        .route("/{capability}", post(native::call_sync))
        .route("/{capability}/jobs", post(native::submit_job));
    let seed_001 = Router::new()
        .route("/ai/calendar/parse", post(career::calendar_parse))
        .route("/ai/ocr/extract", post(career::ocr_extract))
        .route("/ai/masking/draft", post(career::masking_draft))
        .route("/ai/task/{task_id}", get(career::task_status))
        .route("/ai/file/embed", post(career::file_embed))
        .route("/ai/analyze", post(career::analyze))
        .route("/ai/interview/question", post(career::interview_question))
        .route("/ai/interview/save", post(career::interview_save))
        .route("/ai/interview/report", post(career::interview_report))
        .route("/ai/chat", post(career::chat));
    Router::new()
        .nest("/api/v1", v1)
        .merge(seed_001)
        .merge(business::router(upload_limit))
        .merge(analysis::router())
        .merge(video::router(state.video.limits.max_upload))
        .merge(gpt_jobs::router())
        .route("/health", get(native::health))
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::docs_page))
        .route("/docs/swagger-ui-bundle.js", get(docs::swagger_js))
        .route("/docs/swagger-ui.css", get(docs::swagger_css))
        .fallback(envelope::not_found)
        .method_not_allowed_fallback(envelope::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_caller))
        .layer(DefaultBodyLimit::max(json_limit))
        .layer(CatchPanicLayer::custom(envelope::panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(limits::check_head))
        .layer(axum::middleware::from_fn(envelope::with_request_id))
        // Outermost: a preflight is answered before any other layer (authentication included) sees it.
        .layer(cors::layer(&state.config.cors_origins, state.config.cors_max_age))
        .with_state(state)
}

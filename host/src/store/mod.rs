//! Durable job state. [`JobStore`] is the contract; [`SqliteStore`] the
//! embedded implementation. Every transition that matters for correctness
//! (claim, finish) is fenced on state, lease owner and attempt, so a job
//! whose lease was taken over can never complete twice.

mod sqlite;
mod sqlite_keys;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use sqlite::SqliteStore;

use crate::runtime::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Queued,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Status::Queued,
            "processing" => Status::Processing,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// A job row as read back.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub id: String,
    pub capability: String,
    /// Whose job it is (`None`: submitted while the API was open).
    pub tenant: Option<String>,
    pub status: Status,
    /// The JSON input as submitted.
    pub input: String,
    /// Not claimed before this (a retry's backoff), milliseconds since the epoch.
    pub run_after: i64,
    pub result: Option<String>,
    pub failure: Option<Failure>,
    pub progress: Option<u8>,
    pub step: Option<String>,
    pub message: Option<String>,
    pub attempts: u32,
    pub max_attempts: u32,
    pub component_digest: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    /// Language-model tokens the job used, if it called a model.
    pub usage: Option<LlmUsage>,
}

/// Language-model use of one job (or one call, before it is added).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LlmUsage {
    pub calls: u32,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// The model of the latest call.
    pub model: String,
}

pub struct NewJob {
    pub id: String,
    pub capability: String,
    pub input: String,
    pub max_attempts: u32,
    pub cache_key: Option<String>,
    /// Digest of the version whose input schema accepted the input.
    pub accepted_digest: String,
    pub tenant: Option<String>,
    pub now: i64,
}

/// What a worker gets when it claims a queued job.
#[derive(Debug)]
pub struct Claimed {
    pub input: String,
    /// See [`NewJob::accepted_digest`]; `None` for jobs from before it was recorded.
    pub accepted_digest: Option<String>,
    pub attempt: u32,
    pub max_attempts: u32,
    /// The job's tenant: the files its component may read and writes.
    pub tenant: Option<String>,
}

/// How an attempt ended.
pub enum Finish {
    Completed {
        result: String,
    },
    Failed {
        failure: Failure,
    },
    /// Back to `queued`, not before `run_after`; the failure is kept for display.
    Retry {
        failure: Failure,
        run_after: i64,
    },
}

/// A queued job to (re-)enqueue.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: String,
    pub capability: String,
    pub run_after: i64,
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// Only this tenant's jobs (`None`: those submitted while the API was open).
    pub tenant: Option<String>,
    pub capability: Option<String>,
    pub status: Option<Status>,
    /// Only jobs created before this id (ids sort by creation time).
    pub before: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub queued: u64,
    pub processing: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Batch(String),
    #[error("the store's writer has stopped")]
    WriterGone,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Durable once this returns.
    async fn insert(&self, job: NewJob) -> Result<(), StoreError>;
    /// `queued` → `processing` with a lease; `None` if the job is not queued any more.
    async fn claim(
        &self,
        id: &str,
        owner: &str,
        lease_until: i64,
        digest: &str,
        now: i64,
    ) -> Result<Option<Claimed>, StoreError>;
    /// Record how an attempt ended; false when fenced out (cancelled, or the
    /// lease was taken over by another worker).
    async fn finish(&self, id: &str, owner: &str, attempt: u32, finish: Finish, now: i64) -> Result<bool, StoreError>;
    /// Cancel a queued or processing job; returns the state it was in, or
    /// `None` if there is no such job.
    async fn cancel(&self, id: &str, now: i64) -> Result<Option<Status>, StoreError>;
    /// Latest progress of a running job; written lazily (coalesced).
    fn progress(&self, id: &str, percent: u8, step: &str, message: &str);
    /// Add one model call's tokens to the job; written lazily, never lost
    /// behind the job's end (the same writer orders both).
    fn add_usage(&self, id: &str, usage: LlmUsage);
    /// Extend the lease of jobs this owner is running.
    async fn heartbeat(&self, owner: &str, ids: Vec<String>, lease_until: i64) -> Result<(), StoreError>;
    /// Jobs whose lease expired go back to `queued`; returns them.
    async fn reclaim_expired(&self, now: i64) -> Result<Vec<Pending>, StoreError>;
    /// Every queued job, oldest first (start-up recovery).
    async fn pending(&self) -> Result<Vec<Pending>, StoreError>;
    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;
    async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, StoreError>;
    /// The newest completed or in-flight job with this cache key.
    async fn find_by_cache_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError>;
    async fn stats(&self) -> Result<Stats, StoreError>;
    /// How many jobs (any state) each component version has run.
    async fn jobs_per_digest(&self, capability: &str) -> Result<Vec<(String, u64)>, StoreError>;
}

/// An API key as stored: its secret only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub id: String,
    pub tenant: String,
    /// `submitter`, `viewer` or `admin` (interpreted by `auth`).
    pub role: String,
    pub name: String,
    pub secret_hash: String,
    /// A rate such as `20/s`; `None`: the server's default.
    pub rate_limit: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Where API keys live: beside the jobs they own.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn insert_key(&self, key: &KeyRecord) -> Result<(), StoreError>;
    async fn key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError>;
    /// Every key, oldest first.
    async fn keys(&self) -> Result<Vec<KeyRecord>, StoreError>;
    /// Marks the key revoked; false when there is no such active key.
    async fn revoke_key(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Whether any key was ever created. Revoked keys count, so revoking the
    /// last key never silently reopens the API.
    async fn any_key(&self) -> Result<bool, StoreError>;
}

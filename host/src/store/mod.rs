//! Durable job state. [`JobStore`], [`KeyStore`], [`ReleaseStore`],
//! [`KeyValueStore`] and [`UserStore`] are the contract;
//! [`SqliteStore`] the embedded implementation, [`PgStore`] the shared one
//! (PostgreSQL), and `conformance` the suite both pass. Every transition
//! that matters for correctness (claim, finish) is fenced on state, lease
//! owner and attempt, so a job whose lease was taken over can never complete
//! twice.

#[cfg(test)]
pub(crate) mod conformance;
pub(crate) mod postgres;
mod postgres_keys;
mod postgres_keyvalue;
mod postgres_releases;
mod postgres_users;
mod sqlite;
mod sqlite_keys;
mod sqlite_keyvalue;
mod sqlite_releases;
mod sqlite_users;

use std::path::PathBuf;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Everything a store keeps: jobs, the API keys that own them, the
/// component versions every host serves, and the key-value pairs
/// components keep between jobs.
pub trait Database: JobStore + KeyStore + ReleaseStore + KeyValueStore + UserStore {}
impl<T: JobStore + KeyStore + ReleaseStore + KeyValueStore + UserStore> Database for T {}

/// Where the job database lives.
#[derive(Debug, Clone)]
pub enum Location {
    /// The embedded SQLite file (the zero-configuration default).
    Sqlite(PathBuf),
    /// A PostgreSQL server shared by every host; `schema` keeps several
    /// deployments apart in one database.
    Postgres { url: String, schema: Option<String> },
}

impl Location {
    /// `postgres://…` (or `postgresql://…`) is a server; anything else is
    /// refused, naming what is accepted. Without a URL: the file at `sqlite`.
    pub fn from_settings(url: Option<&str>, schema: Option<&str>, sqlite: PathBuf) -> Result<Self, String> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Location::Sqlite(sqlite)),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Location::Postgres { url: u.to_string(), schema: schema.map(str::to_string) })
            }
            Some(u) => Err(format!(
                "--database-url `{}`: use a postgres://user@host:5432/db URL, or leave it out for the embedded database",
                u.split('@').next_back().unwrap_or(u)
            )),
        }
    }

    /// For messages: never the URL's password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres { url, schema } => {
                let at = url.rsplit('@').next().unwrap_or(url).trim_start_matches("postgres://");
                match schema {
                    Some(s) => format!("postgres://{at} (schema {s})"),
                    None => format!("postgres://{at}"),
                }
            }
        }
    }
}

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
    /// The pipeline job this one is a step of.
    pub parent: Option<StepOf>,
}

/// A step job's place: its pipeline's job and the step's name there
/// (`summarize`, or `sections[3]` for one element of a fan-out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOf {
    pub parent_id: String,
    pub step: String,
}

/// A `jobs` row as both stores read it (the same columns, the same types).
#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: String,
    capability: String,
    tenant: Option<String>,
    state: String,
    input: String,
    run_after: i64,
    result: Option<String>,
    failure_code: Option<String>,
    failure_message: Option<String>,
    failure_retryable: Option<bool>,
    progress: Option<i64>,
    step: Option<String>,
    message: Option<String>,
    attempts: i64,
    max_attempts: i64,
    component_digest: Option<String>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
    llm_calls: Option<i64>,
    llm_prompt_tokens: Option<i64>,
    llm_completion_tokens: Option<i64>,
    llm_model: Option<String>,
    parent_id: Option<String>,
    pipeline_step: Option<String>,
}

impl From<JobRow> for JobRecord {
    fn from(r: JobRow) -> Self {
        let failure = r.failure_code.map(|code| Failure {
            code,
            message: r.failure_message.unwrap_or_default(),
            retryable: r.failure_retryable.unwrap_or(false),
        });
        JobRecord {
            id: r.id,
            capability: r.capability,
            tenant: r.tenant,
            status: Status::parse(&r.state).unwrap_or(Status::Failed),
            input: r.input,
            run_after: r.run_after,
            result: r.result,
            failure,
            progress: r.progress.map(|p| p.clamp(0, 100) as u8),
            step: r.step,
            message: r.message,
            attempts: r.attempts as u32,
            max_attempts: r.max_attempts as u32,
            component_digest: r.component_digest,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            updated_at: r.updated_at,
            usage: r.llm_calls.map(|calls| LlmUsage {
                calls: calls as u32,
                prompt_tokens: r.llm_prompt_tokens.unwrap_or(0) as u64,
                completion_tokens: r.llm_completion_tokens.unwrap_or(0) as u64,
                model: r.llm_model.unwrap_or_default(),
            }),
            parent: r.parent_id.map(|parent_id| StepOf { parent_id, step: r.pipeline_step.unwrap_or_default() }),
        }
    }
}

/// What a claim returns, as both stores read it.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimedRow {
    id: String,
    input: String,
    accepted_digest: Option<String>,
    attempts: i64,
    max_attempts: i64,
    tenant: Option<String>,
}

impl From<ClaimedRow> for Claimed {
    fn from(r: ClaimedRow) -> Self {
        Claimed {
            id: r.id,
            input: r.input,
            accepted_digest: r.accepted_digest,
            attempt: r.attempts as u32,
            max_attempts: r.max_attempts as u32,
            tenant: r.tenant,
        }
    }
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
    /// Set for a pipeline's step.
    pub parent: Option<StepOf>,
    pub now: i64,
}

/// What a worker gets when it claims a queued job.
#[derive(Debug)]
pub struct Claimed {
    pub id: String,
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
    /// Back to `queued`, not claimed again before `delay` has passed on the
    /// store's clock; the failure is kept for display.
    Retry {
        failure: Failure,
        delay: std::time::Duration,
    },
}

/// A job whose lease expired, back in the queue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reclaimed {
    pub id: String,
    pub capability: String,
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

/// What went wrong in a store, in terms a caller can act on; the driver's
/// own error types stay inside the implementations.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is not answering (down, restarting,
    /// its pool exhausted): worth retrying later.
    #[error("the job store is unavailable: {0}")]
    Unavailable(String),
    /// A write collided with another (a unique key already taken).
    #[error("the job store refused a conflicting write: {0}")]
    Conflict(String),
    /// Anything else: a bug, a corrupt row, a failed migration.
    #[error("the job store failed: {0}")]
    Failed(String),
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // A connection that breaks mid-handshake shows up as a protocol
            // error (`unexpected response from SSLRequest`): unreachable too.
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.message().to_string()),
            // SQLite's busy/locked and Postgres's "cannot connect now" /
            // admin shutdown: the database is there but not taking work.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("5" | "6" | "57P01" | "57P02" | "57P03" | "53300")) =>
            {
                StoreError::Unavailable(db.message().to_string())
            }
            _ => StoreError::Failed(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Failed(format!("migrating the database: {e}"))
    }
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Durable once this returns.
    async fn insert(&self, job: NewJob) -> Result<(), StoreError>;
    /// Insert `job` unless a job with its cache key is queued, processing or
    /// completed: then return that one (a completed one first, else the
    /// newest) and insert nothing. One step for every host sharing the
    /// store, so identical submissions to two hosts make one job. A job
    /// without a cache key is inserted.
    async fn insert_or_join(&self, job: NewJob) -> Result<Option<JobRecord>, StoreError>;
    /// Up to `limit` due `queued` jobs of `capability` → `processing`, oldest
    /// due first, each with a lease of `lease` from now on the store's clock
    /// (never a host's: hosts' clocks disagree). Hosts claiming at once
    /// never get the same job. `digest` is the version that will run them,
    /// `started_at` when the caller picked that version (shown as the
    /// attempt's start: a job that started after a swap ran the new version).
    async fn claim_next(
        &self,
        capability: &str,
        owner: &str,
        limit: usize,
        lease: std::time::Duration,
        digest: &str,
        started_at: i64,
    ) -> Result<Vec<Claimed>, StoreError>;
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
    /// Extend the leases of the jobs this owner runs; returns those of `ids`
    /// that are not its own any more (cancelled, or taken over after a lease
    /// expired): the caller stops them, whether or not it heard why.
    async fn heartbeat(
        &self,
        owner: &str,
        ids: Vec<String>,
        lease: std::time::Duration,
    ) -> Result<Vec<String>, StoreError>;
    /// Jobs whose lease expired on the store's clock go back to `queued`
    /// (any host may claim them again); returns them.
    async fn reclaim_expired(&self) -> Result<Vec<Reclaimed>, StoreError>;
    /// How many jobs wait `queued` per capability (due or not), for the
    /// queue-capacity check.
    async fn queued_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;
    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;
    /// Those of `ids` that reached a terminal state.
    async fn terminal_among(&self, ids: &[String]) -> Result<Vec<String>, StoreError>;
    async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, StoreError>;
    /// The newest completed or in-flight job with this cache key.
    async fn find_by_cache_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError>;
    async fn stats(&self) -> Result<Stats, StoreError>;
    /// The step jobs of a pipeline's job, in id order.
    async fn steps_of(&self, parent_id: &str) -> Result<Vec<JobRecord>, StoreError>;
    /// How many jobs (any state) each component version has run.
    async fn jobs_per_digest(&self, capability: &str) -> Result<Vec<(String, u64)>, StoreError>;
}

/// An API key as stored: its secret only as a hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

/// One activation, for [`ReleaseStore::activate`].
#[derive(Debug, Clone, Copy)]
pub struct Activation<'a> {
    /// The component id in spin.toml.
    pub component: &'a str,
    /// `sha256:<hex>` of the version's bytes.
    pub digest: &'a str,
    /// The bytes, stored under `digest` unless they already are (a push, a
    /// manifest's `source`); `None` activates a version already stored (a
    /// rollback).
    pub wasm: Option<&'a [u8]>,
    /// A deployment of the manifest's `source`: `digest` is also recorded as
    /// the manifest's, so a restart with the same `source` is not taken for
    /// a new deployment.
    pub from_manifest: bool,
    /// Versions kept in the history (at least 1, the active one); the
    /// bytes of those that fall out are dropped.
    pub keep: usize,
    /// Milliseconds since the epoch, for display.
    pub now: i64,
}

/// What an activation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated {
    /// The version active before, if there was one.
    pub previous: Option<String>,
    /// Bumped by every activation of the component.
    pub generation: i64,
}

/// A component's kept versions, as the store has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Releases {
    /// Digests in activation order; the last one is active.
    pub history: Vec<String>,
    /// The digest of the manifest `source` last deployed.
    pub manifest_digest: Option<String>,
}

impl Releases {
    pub fn active(&self) -> Option<&str> {
        self.history.last().map(String::as_str)
    }

    /// The version active before the current one.
    pub fn previous(&self) -> Option<&str> {
        self.history.iter().rev().nth(1).map(String::as_str)
    }
}

/// Which version of each component every host serves, with its bytes and
/// the history rollback goes back through. The store is where hosts
/// sharing it agree: a push or rollback on any of them is recorded here,
/// and each host follows what is recorded (see `deploy`).
#[async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Make `digest` the active version of its component, in one
    /// transaction: store the bytes if given, move the version to the end of
    /// the history, keep the newest `keep`, drop the bytes of the rest.
    /// Activations of one component from several hosts are ordered: each
    /// one's `previous` is the one before it. `None` when no bytes were
    /// given and none are stored under `digest` (nothing changed).
    async fn activate(&self, activation: Activation<'_>) -> Result<Option<Activated>, StoreError>;
    /// The kept versions of `component` (empty if it was never activated).
    async fn releases(&self, component: &str) -> Result<Releases, StoreError>;
    /// `(component, active digest)` for every component ever activated,
    /// without the bytes: what hosts compare with what they serve.
    async fn active_all(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// The bytes of a kept version.
    async fn wasm(&self, component: &str, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// The namespace of one key-value store: whose data (the job's owner key,
/// see `engines::Owner::key`), which component, which of its stores (the
/// label spin.toml grants). Nothing reads across namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KvNamespace {
    pub owner: String,
    pub component: String,
    pub store: String,
}

/// Key-value pairs components keep between jobs (`wasi:keyvalue/store`),
/// beside the jobs in the same database, so every host sharing it sees the
/// same values. Keys are text compared byte by byte; the caller checks
/// their length and the size of values (methods are `kv_`-prefixed: a
/// `Database` also has jobs' `get` and API keys' `keys`).
#[async_trait]
pub trait KeyValueStore: Send + Sync {
    /// The value at `key`, `None` when there is none.
    async fn kv_get(&self, ns: &KvNamespace, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Set `key` to `value`, replacing what was there. A key not there yet
    /// is refused (`false`, nothing written) when the namespace already
    /// holds `max_keys` keys; the count and the write are one step, so
    /// concurrent writers cannot pass the limit together.
    async fn kv_set(&self, ns: &KvNamespace, key: &str, value: &[u8], max_keys: u64) -> Result<bool, StoreError>;
    /// Remove `key`; whether it was there.
    async fn kv_delete(&self, ns: &KvNamespace, key: &str) -> Result<bool, StoreError>;
    async fn kv_exists(&self, ns: &KvNamespace, key: &str) -> Result<bool, StoreError>;
    /// The keys starting with `prefix` (`""`: all) in byte order, skipping
    /// the first `offset` of them, at most `limit`.
    async fn kv_keys(&self, ns: &KvNamespace, prefix: &str, offset: u64, limit: u32)
    -> Result<Vec<String>, StoreError>;
    /// How many keys the namespace holds. (The engine's limit is kept
    /// inside `kv_set`; the conformance suite checks it with this.)
    #[cfg_attr(not(test), allow(dead_code))]
    async fn kv_count(&self, ns: &KvNamespace) -> Result<u64, StoreError>;
}

/// An account of seed 003 as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    /// Trimmed and lower-cased.
    pub email: String,
    /// Argon2id PHC string; `None` for accounts made by an external login.
    pub password_hash: Option<String>,
    /// `local` or the external provider (`google`).
    pub auth_provider: String,
    /// The provider's stable id of the person (`sub`).
    pub subject: Option<String>,
    pub is_active: bool,
    pub is_verified: bool,
    /// Milliseconds since the epoch.
    pub created_at: i64,
}

/// A new account, before it has an id.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub auth_provider: &'a str,
    pub subject: Option<&'a str>,
    pub is_verified: bool,
    pub created_at: i64,
}

/// Accounts (seed 003), beside the jobs they own.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The new account; `Conflict` when the email (or the provider's
    /// subject) is taken, in one step for every host sharing the store.
    async fn insert_user(&self, user: NewUser<'_>) -> Result<UserRecord, StoreError>;
    async fn user(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    async fn user_by_subject(&self, provider: &str, subject: &str) -> Result<Option<UserRecord>, StoreError>;
}

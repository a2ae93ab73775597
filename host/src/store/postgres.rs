//! The job store on PostgreSQL (`--database-url postgres://…`): the same
//! contract as the embedded store, for hosts that share one database.
//!
//! Every state change is one statement fenced on state (and, for an
//! attempt's end, on lease owner and attempt), so concurrent hosts cannot
//! claim a job twice or complete it twice; the database's row locks do what
//! the SQLite store's single writer does. Progress and model usage are
//! written behind the caller by one task that coalesces them.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Executor, Row};
use tokio::sync::mpsc;

use super::{
    Claimed, ClaimedRow, Finish, JobRecord, JobRow, JobStore, ListFilter, LlmUsage, NewJob, Reclaimed, Stats, Status,
    StoreError,
};
use crate::runtime::Failure;

/// The database's clock in milliseconds since the epoch: leases and retry
/// times are set and compared on it alone, so hosts whose clocks disagree
/// still agree on when a lease ran out or a retry is due.
macro_rules! clock_ms {
    () => {
        "(extract(epoch from clock_timestamp()) * 1000)::bigint"
    };
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The job an identical submission joins: a completed one first, else the newest in flight.
const FIND_BY_CACHE_KEY: &str =
    "SELECT * FROM jobs WHERE cache_key = $1 AND state IN ('queued', 'processing', 'completed')
     ORDER BY (state = 'completed') DESC, id DESC LIMIT 1";

/// Connections per host; the API, the workers and the lease keeper share them.
const MAX_CONNECTIONS: u32 = 16;
/// How long a caller waits for a connection before the store says it is unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Writes nobody waits for, and the barrier an attempt's end waits at so
/// they are never behind it (a finished job shows all its usage).
enum Lazy {
    Progress {
        id: String,
        percent: u8,
        step: String,
        message: String,
    },
    Usage {
        id: String,
        usage: LlmUsage,
    },
    /// Answered once everything sent before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

pub struct PgStore {
    pool: PgPool,
    lazy: mpsc::UnboundedSender<Lazy>,
}

impl PgStore {
    /// Connect to `url` and apply the migrations. `schema`, when given, is
    /// created if needed and put first on the search path, so several
    /// deployments (or tests) can share one database.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Failed(format!("`{url}`: {e}")))?;
        let mut pool = PgPoolOptions::new().max_connections(MAX_CONNECTIONS).acquire_timeout(ACQUIRE_TIMEOUT);
        if let Some(schema) = schema {
            if !schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(StoreError::Failed(format!("`{schema}` is not a schema name (a-z, 0-9, _)")));
            }
            let mut admin = sqlx::PgConnection::connect_with(&options).await?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).execute(&mut admin).await?;
            let set_path = format!("SET search_path TO {schema}");
            pool = pool.after_connect(move |conn, _| {
                let set_path = set_path.clone();
                Box::pin(async move {
                    conn.execute(set_path.as_str()).await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        let (lazy, rx) = mpsc::unbounded_channel();
        tokio::spawn(lazy_writer(pool.clone(), rx));
        Ok(Self { pool, lazy })
    }
}

use sqlx::Connection as _;

impl PgStore {
    /// The connections, for what shares the database (the vector index).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl PgStore {
    /// A failed attempt, fenced like a completion: terminal, or back to
    /// `queued` until `run_after`; the failure is kept for display either way.
    #[allow(clippy::too_many_arguments)]
    async fn end_attempt(
        &self,
        id: &str,
        owner: &str,
        attempt: u32,
        state: &str,
        failure: &Failure,
        delay: Option<Duration>,
        finished_at: Option<i64>,
        now: i64,
    ) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
        sqlx::query(concat!(
            "UPDATE jobs SET state = $4, failure_code = $5, failure_message = $6, failure_retryable = $7,
                    lease_owner = NULL, lease_until = NULL, run_after = COALESCE(",
            clock_ms!(),
            " + $8, run_after), finished_at = $9, updated_at = $10
             WHERE id = $1 AND state = 'processing' AND lease_owner = $2 AND attempts = $3"
        ))
        .bind(id)
        .bind(owner)
        .bind(attempt as i64)
        .bind(state)
        .bind(clean(&failure.code))
        .bind(clean(&failure.message))
        .bind(failure.retryable)
        .bind(delay.map(millis))
        .bind(finished_at)
        .bind(now)
        .execute(&self.pool)
        .await
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

async fn insert<'e>(db: impl sqlx::PgExecutor<'e>, job: &NewJob) -> Result<(), sqlx::Error> {
    // Due at once by the database's clock (the one claims compare with);
    // the host's clock only dates the row for display.
    sqlx::query(concat!(
        "INSERT INTO jobs (id, capability, state, input, max_attempts, cache_key, accepted_digest, tenant,
                           parent_id, pipeline_step, run_after, created_at, updated_at)
         VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $9, $10, ",
        clock_ms!(),
        ", $8, $8)"
    ))
    .bind(&job.id)
    .bind(&job.capability)
    .bind(&job.input)
    .bind(job.max_attempts as i64)
    .bind(&job.cache_key)
    .bind(&job.accepted_digest)
    .bind(&job.tenant)
    .bind(job.now)
    .bind(job.parent.as_ref().map(|p| &p.parent_id))
    .bind(job.parent.as_ref().map(|p| &p.step))
    .execute(db)
    .await?;
    Ok(())
}

/// Applies lazy writes in batches: the newest progress per job, every usage.
async fn lazy_writer(pool: PgPool, mut rx: mpsc::UnboundedReceiver<Lazy>) {
    while let Some(first) = rx.recv().await {
        let mut progress: HashMap<String, (u8, String, String)> = HashMap::new();
        let mut usages = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(op) = next {
            match op {
                Lazy::Progress { id, percent, step, message } => {
                    progress.insert(id, (percent, step, message));
                }
                Lazy::Usage { id, usage } => usages.push((id, usage)),
                Lazy::Flush(done) => flushes.push(done),
            }
            next = rx.try_recv().ok();
        }
        for (id, usage) in usages {
            let written = sqlx::query(
                "UPDATE jobs SET llm_calls = COALESCE(llm_calls, 0) + $1,
                        llm_prompt_tokens = COALESCE(llm_prompt_tokens, 0) + $2,
                        llm_completion_tokens = COALESCE(llm_completion_tokens, 0) + $3, llm_model = $4
                 WHERE id = $5",
            )
            .bind(usage.calls as i64)
            .bind(usage.prompt_tokens as i64)
            .bind(usage.completion_tokens as i64)
            .bind(clean(&usage.model))
            .bind(&id)
            .execute(&pool)
            .await;
            if let Err(e) = written {
                tracing::warn!(job = %id, error = %e, "model usage not saved");
            }
        }
        for (id, (percent, step, message)) in progress {
            let written = sqlx::query(
                "UPDATE jobs SET progress = $1, step = $2, message = $3 WHERE id = $4 AND state = 'processing'",
            )
            .bind(percent as i64)
            .bind(clean(&step))
            .bind(clean(&message))
            .bind(&id)
            .execute(&pool)
            .await;
            if let Err(e) = written {
                tracing::warn!(job = %id, error = %e, "progress not saved");
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// PostgreSQL text cannot hold NUL; a key with one names nothing stored
/// (ids, cursors and cache keys never contain one), so it is answered as
/// absent instead of as a database error.
fn storable(key: &str) -> bool {
    !key.contains('\0')
}

/// Text a component wrote (failure messages, progress) with any NUL made
/// visible instead of failing the write.
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if storable(text) { text.into() } else { text.replace('\0', "\u{FFFD}").into() }
}

#[async_trait]
impl JobStore for PgStore {
    async fn insert(&self, job: NewJob) -> Result<(), StoreError> {
        insert(&self.pool, &job).await?;
        Ok(())
    }

    async fn insert_or_join(&self, job: NewJob) -> Result<Option<JobRecord>, StoreError> {
        let Some(key) = job.cache_key.clone() else {
            self.insert(job).await?;
            return Ok(None);
        };
        let mut tx = self.pool.begin().await?;
        // Hosts submitting the same key take turns for the look-up and the insert.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))").bind(&key).execute(&mut *tx).await?;
        let found = sqlx::query_as::<_, JobRow>(FIND_BY_CACHE_KEY).bind(&key).fetch_optional(&mut *tx).await?;
        if let Some(found) = found {
            return Ok(Some(found.into()));
        }
        insert(&mut *tx, &job).await?;
        tx.commit().await?;
        Ok(None)
    }

    async fn claim_next(
        &self,
        capability: &str,
        owner: &str,
        limit: usize,
        lease: Duration,
        digest: &str,
        started_at: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        // SKIP LOCKED: hosts claiming at once each take different rows
        // instead of queueing behind one another's locks.
        let rows = sqlx::query_as::<_, ClaimedRow>(concat!(
            "UPDATE jobs SET state = 'processing', attempts = attempts + 1, lease_owner = $2,
                    lease_until = ",
            clock_ms!(),
            " + $4, component_digest = $5, started_at = $6, updated_at = $6, progress = NULL, step = NULL, message = NULL
             FROM (SELECT id FROM jobs WHERE capability = $1 AND state = 'queued' AND run_after <= ",
            clock_ms!(),
            " ORDER BY run_after, id LIMIT $3 FOR UPDATE SKIP LOCKED) AS due
             WHERE jobs.id = due.id
             RETURNING jobs.id, jobs.input, jobs.accepted_digest, jobs.attempts, jobs.max_attempts, jobs.tenant"
        ))
        .bind(capability)
        .bind(owner)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(millis(lease))
        .bind(digest)
        .bind(started_at)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Claimed::from).collect())
    }

    async fn finish(&self, id: &str, owner: &str, attempt: u32, finish: Finish, now: i64) -> Result<bool, StoreError> {
        // The attempt's model usage and progress land before its end does.
        let (flushed, written) = tokio::sync::oneshot::channel();
        if self.lazy.send(Lazy::Flush(flushed)).is_ok() {
            let _ = written.await;
        }
        let done = match finish {
            Finish::Completed { result } => {
                sqlx::query(
                    "UPDATE jobs SET state = 'completed', result = $4, progress = 100, failure_code = NULL,
                            failure_message = NULL, failure_retryable = NULL, lease_owner = NULL,
                            lease_until = NULL, finished_at = $5, updated_at = $5
                     WHERE id = $1 AND state = 'processing' AND lease_owner = $2 AND attempts = $3",
                )
                .bind(id)
                .bind(owner)
                .bind(attempt as i64)
                .bind(result)
                .bind(now)
                .execute(&self.pool)
                .await?
            }
            Finish::Failed { failure } => {
                self.end_attempt(id, owner, attempt, "failed", &failure, None, Some(now), now).await?
            }
            Finish::Retry { failure, delay } => {
                self.end_attempt(id, owner, attempt, "queued", &failure, Some(delay), None, now).await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn cancel(&self, id: &str, now: i64) -> Result<Option<Status>, StoreError> {
        if !storable(id) {
            return Ok(None);
        }
        let mut tx = self.pool.begin().await?;
        let Some(row) =
            sqlx::query("SELECT state FROM jobs WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut *tx).await?
        else {
            return Ok(None);
        };
        let state = Status::parse(row.get::<&str, _>("state")).unwrap_or(Status::Failed);
        if !state.is_terminal() {
            sqlx::query(
                "UPDATE jobs SET state = 'cancelled', failure_code = 'JOB_CANCELLED',
                        failure_message = 'the job was cancelled', failure_retryable = FALSE, lease_owner = NULL,
                        lease_until = NULL, finished_at = $2, updated_at = $2
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(state))
    }

    fn progress(&self, id: &str, percent: u8, step: &str, message: &str) {
        let _ = self.lazy.send(Lazy::Progress { id: id.into(), percent, step: step.into(), message: message.into() });
    }

    fn add_usage(&self, id: &str, usage: LlmUsage) {
        let _ = self.lazy.send(Lazy::Usage { id: id.into(), usage });
    }

    async fn heartbeat(&self, owner: &str, ids: Vec<String>, lease: Duration) -> Result<Vec<String>, StoreError> {
        let kept: Vec<String> = sqlx::query_scalar(concat!(
            "UPDATE jobs SET lease_until = ",
            clock_ms!(),
            " + $1 WHERE id = ANY($3) AND lease_owner = $2 AND state = 'processing' RETURNING id"
        ))
        .bind(millis(lease))
        .bind(owner)
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().filter(|id| !kept.contains(id)).collect())
    }

    async fn reclaim_expired(&self) -> Result<Vec<Reclaimed>, StoreError> {
        let rows = sqlx::query_as::<_, Reclaimed>(concat!(
            "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ",
            clock_ms!(),
            " WHERE state = 'processing' AND lease_until < ",
            clock_ms!(),
            " RETURNING id, capability"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    async fn queued_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query("SELECT capability, COUNT(*) AS n FROM jobs WHERE state = 'queued' GROUP BY capability")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>("capability"), r.get::<i64, _>("n") as u64)).collect())
    }

    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        if !storable(id) {
            return Ok(None);
        }
        let row =
            sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(JobRecord::from))
    }

    async fn terminal_among(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).filter(|id| storable(id)).collect();
        let terminal = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE id = ANY($1) AND state IN ('completed', 'failed', 'cancelled')",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(terminal)
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, StoreError> {
        let texts = [&filter.tenant, &filter.capability, &filter.before];
        if texts.into_iter().flatten().any(|t| !storable(t)) {
            // Nothing stored has a NUL in these; `before` would only cut at it.
            return Ok(Vec::new());
        }
        // NULL matches NULL too: callers of an open API see the jobs submitted while it was open.
        let mut qb = sqlx::QueryBuilder::<sqlx::Postgres>::new("SELECT * FROM jobs WHERE tenant IS NOT DISTINCT FROM ");
        qb.push_bind(filter.tenant.clone());
        if let Some(c) = &filter.capability {
            qb.push(" AND capability = ").push_bind(c.clone());
        }
        if let Some(s) = filter.status {
            qb.push(" AND state = ").push_bind(s.as_str());
        }
        if let Some(b) = &filter.before {
            qb.push(" AND id < ").push_bind(b.clone());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(filter.limit as i64);
        let rows = qb.build_query_as::<JobRow>().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(JobRecord::from).collect())
    }

    async fn find_by_cache_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
        if !storable(key) {
            return Ok(None);
        }
        let row = sqlx::query_as::<_, JobRow>(FIND_BY_CACHE_KEY).bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(JobRecord::from))
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE state = 'queued') AS queued,
                    COUNT(*) FILTER (WHERE state = 'processing') AS processing
             FROM jobs WHERE state IN ('queued', 'processing')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Stats { queued: row.get::<i64, _>("queued") as u64, processing: row.get::<i64, _>("processing") as u64 })
    }

    async fn steps_of(&self, parent_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        if !storable(parent_id) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE parent_id = $1 ORDER BY id")
            .bind(parent_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(JobRecord::from).collect())
    }

    async fn jobs_per_digest(&self, capability: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT component_digest, COUNT(*) AS n FROM jobs
             WHERE capability = $1 AND component_digest IS NOT NULL GROUP BY component_digest",
        )
        .bind(capability)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>("component_digest"), r.get::<i64, _>("n") as u64)).collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::PgStore;

    /// The server the tests use: CI and every developer machine run one
    /// with trust authentication on the standard port (without TLS, as the
    /// end-to-end harness: see its `postgres_url`).
    pub fn test_url() -> String {
        std::env::var("CAPSULE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?sslmode=disable".into())
    }

    /// A store in a schema of its own, dropped with it.
    pub struct Fixture {
        store: PgStore,
        schema: String,
    }

    impl std::ops::Deref for Fixture {
        type Target = PgStore;
        fn deref(&self) -> &PgStore {
            &self.store
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let schema = std::mem::take(&mut self.schema);
            // Drop runs inside the test's runtime; the schema goes on a thread of its own.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&test_url()).await {
                        let _ =
                            sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn).await;
                    }
                })
            });
            let _ = dropped.join();
        }
    }

    pub async fn open() -> Fixture {
        let schema = format!("capsule_test_{}", uuid::Uuid::new_v4().simple());
        let store = PgStore::connect(&test_url(), Some(&schema))
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {} (set CAPSULE_TEST_POSTGRES): {e}", test_url()));
        Fixture { store, schema }
    }

    crate::store::conformance::conformance!(open());
}

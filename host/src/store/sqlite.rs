//! The embedded job store: one SQLite file in WAL mode.
//!
//! All writes go through one writer task that drains whatever is waiting and
//! commits it as one transaction (group commit): a burst of submissions
//! costs one fsync-free commit instead of one each, and SQLite never sees
//! two writers. Reads use a small pool of their own connections.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{
    Claimed, ClaimedRow, Finish, JobRecord, JobRow, JobStore, ListFilter, LlmUsage, NewJob, Reclaimed, Stats, Status,
    StoreError,
};
use crate::runtime::Failure;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The job an identical submission joins: a completed one first, else the newest in flight.
const FIND_BY_CACHE_KEY: &str =
    "SELECT * FROM jobs WHERE cache_key = ? AND state IN ('queued', 'processing', 'completed')
     ORDER BY (state = 'completed') DESC, id DESC LIMIT 1";

/// Most operations one transaction takes; bounds commit latency under load.
const MAX_BATCH: usize = 512;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Op {
    Insert(NewJob, Reply<()>),
    InsertOrJoin(NewJob, Reply<Option<JobRecord>>),
    ClaimNext(ClaimNext, Reply<Vec<Claimed>>),
    Finish { id: String, owner: String, attempt: u32, finish: Finish, now: i64, reply: Reply<bool> },
    Cancel { id: String, now: i64, reply: Reply<Option<Status>> },
    Progress { id: String, percent: u8, step: String, message: String },
    Usage { id: String, usage: LlmUsage },
    Heartbeat { owner: String, ids: Vec<String>, lease: Duration, reply: Reply<Vec<String>> },
    Reclaim(Reply<Vec<Reclaimed>>),
}

struct ClaimNext {
    capability: String,
    owner: String,
    limit: usize,
    lease: Duration,
    digest: String,
    started_at: i64,
}

/// The store's clock. One process writes this file, so its clock is the
/// only one leases and retry times are ever compared with.
fn clock_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn later(delay: Duration) -> i64 {
    clock_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
}

pub struct SqliteStore {
    writer: mpsc::UnboundedSender<Op>,
    pub(super) reader: SqlitePool,
    /// Rare writes off the job path (API keys): a connection of their own,
    /// serialised with the job writer by SQLite's lock (busy timeout).
    pub(super) admin_writer: SqlitePool,
}

impl SqliteStore {
    /// Open (creating if needed) the database file and apply migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL survives a killed process (not a power cut
            // before the next checkpoint), at a fraction of FULL's cost.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        // Checkpoints (copying the WAL into the database, with an fsync)
        // would otherwise run inside whichever commit crosses the threshold
        // and stall every submission in that batch; a background task does
        // them instead, beside the writer.
        let mut conn = SqliteConnection::connect_with(&options.clone().pragma("wal_autocheckpoint", "0")).await?;
        MIGRATOR.run(&mut conn).await?;
        let checkpointer = SqliteConnection::connect_with(&options).await?;
        tokio::spawn(checkpoint_loop(checkpointer));
        let admin_writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer_loop(conn, rx));
        Ok(Self { writer: tx, reader, admin_writer })
    }

    async fn call<T>(&self, op: impl FnOnce(Reply<T>) -> Op) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(op(tx)).map_err(|_| writer_gone())?;
        rx.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> StoreError {
    StoreError::Failed("the store's writer has stopped".into())
}

/// How often the WAL is folded back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

async fn checkpoint_loop(mut conn: SqliteConnection) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        tick.tick().await;
        // PASSIVE never blocks the writer or readers; what it cannot copy now
        // it copies next time.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}

async fn writer_loop(mut conn: SqliteConnection, mut rx: mpsc::UnboundedReceiver<Op>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        apply_batch(&mut conn, &mut batch).await;
    }
}

/// Most rows one multi-row statement takes (SQLite bounds bound variables).
const ROWS_PER_STATEMENT: usize = 256;

struct CompletionRow {
    id: String,
    owner: String,
    attempt: u32,
    result: String,
    now: i64,
}

/// A reply to send once the transaction's fate is known.
type Deferred = Box<dyn FnOnce(Option<&str>) + Send>;

/// Replies are sent only after the commit, so a caller never observes a
/// write that could still be rolled back.
///
/// Operations in one batch were issued concurrently (a caller waits for its
/// reply before it sends anything that depends on it), so any order is a
/// valid serialisation: the hot ones (submit, complete) are grouped into one
/// multi-row statement each instead of one statement per job, and a claim
/// takes as many due jobs as its caller has room for in one statement.
async fn apply_batch(conn: &mut SqliteConnection, batch: &mut Vec<Op>) {
    let mut inserts = Vec::new();
    let mut completions = Vec::new();
    let mut others = Vec::new();
    // Only the newest progress per job is worth writing.
    let mut progress: HashMap<String, (u8, String, String)> = HashMap::new();
    // Sums: applied in any order, like the batch itself.
    let mut usages: Vec<(String, LlmUsage)> = Vec::new();
    for op in batch.drain(..) {
        match op {
            Op::Insert(job, reply) => inserts.push((job, reply)),
            Op::InsertOrJoin(job, reply) => others.push(Single::InsertOrJoin { job, reply }),
            Op::ClaimNext(claim, reply) => others.push(Single::ClaimNext { claim, reply }),
            Op::Finish { id, owner, attempt, finish: Finish::Completed { result }, now, reply } => {
                completions.push((CompletionRow { id, owner, attempt, result, now }, reply))
            }
            Op::Progress { id, percent, step, message } => {
                progress.insert(id, (percent, step, message));
            }
            Op::Usage { id, usage } => usages.push((id, usage)),
            Op::Finish { id, owner, attempt, finish: Finish::Failed { failure }, now, reply } => {
                others.push(Single::Ending { id, owner, attempt, ending: Ending::Failed(failure), now, reply })
            }
            Op::Finish { id, owner, attempt, finish: Finish::Retry { failure, delay }, now, reply } => {
                let ending = Ending::Retry(failure, delay);
                others.push(Single::Ending { id, owner, attempt, ending, now, reply })
            }
            Op::Cancel { id, now, reply } => others.push(Single::Cancel { id, now, reply }),
            Op::Heartbeat { owner, ids, lease, reply } => others.push(Single::Heartbeat { owner, ids, lease, reply }),
            Op::Reclaim(reply) => others.push(Single::Reclaim { reply }),
        }
    }
    let mut done: Vec<Deferred> = Vec::with_capacity(inserts.len() + completions.len() + others.len());
    let result: Result<(), sqlx::Error> = async {
        let mut tx = conn.begin().await?;
        for chunk in chunks(inserts) {
            let jobs: Vec<&NewJob> = chunk.iter().map(|(j, _)| j).collect();
            let r = insert_many(&mut tx, &jobs).await.map_err(|e| e.to_string());
            for (_, reply) in chunk {
                done.push(deferred(reply, r.clone()));
            }
        }
        for chunk in chunks(completions) {
            let rows: Vec<&CompletionRow> = chunk.iter().map(|(c, _)| c).collect();
            match complete_many(&mut tx, &rows).await {
                Ok(mut completed) => {
                    for (row, reply) in chunk {
                        done.push(deferred(reply, Ok(completed.remove(&row.id).unwrap_or(false))));
                    }
                }
                Err(e) => {
                    for (_, reply) in chunk {
                        done.push(deferred(reply, Err(e.to_string())));
                    }
                }
            }
        }
        for op in others {
            done.push(apply_one(&mut tx, op).await);
        }
        for (id, usage) in usages {
            let written = sqlx::query(
                "UPDATE jobs SET llm_calls = COALESCE(llm_calls, 0) + ?, \
                 llm_prompt_tokens = COALESCE(llm_prompt_tokens, 0) + ?, \
                 llm_completion_tokens = COALESCE(llm_completion_tokens, 0) + ?, llm_model = ? WHERE id = ?",
            )
            .bind(usage.calls as i64)
            .bind(usage.prompt_tokens as i64)
            .bind(usage.completion_tokens as i64)
            .bind(&usage.model)
            .bind(&id)
            .execute(&mut *tx)
            .await;
            if let Err(e) = written {
                tracing::warn!(job = %id, error = %e, "model usage not saved");
            }
        }
        for (id, (percent, step, message)) in progress {
            let r = sqlx::query(
                "UPDATE jobs SET progress = ?, step = ?, message = ? WHERE id = ? AND state = 'processing'",
            )
            .bind(percent as i64)
            .bind(step)
            .bind(message)
            .bind(&id)
            .execute(&mut *tx)
            .await;
            if let Err(e) = r {
                tracing::warn!(job = %id, error = %e, "progress not saved");
            }
        }
        tx.commit().await
    }
    .await;
    let commit_error = result.err().map(|e| e.to_string());
    if let Some(e) = &commit_error {
        tracing::error!(error = %e, "job store commit failed");
    }
    for f in done {
        f(commit_error.as_deref());
    }
}

fn chunks<T>(items: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        out.push(items.by_ref().take(ROWS_PER_STATEMENT).collect());
    }
    out
}

/// The rarer operations, one statement each.
enum Single {
    InsertOrJoin { job: NewJob, reply: Reply<Option<JobRecord>> },
    Ending { id: String, owner: String, attempt: u32, ending: Ending, now: i64, reply: Reply<bool> },
    Cancel { id: String, now: i64, reply: Reply<Option<Status>> },
    ClaimNext { claim: ClaimNext, reply: Reply<Vec<Claimed>> },
    Heartbeat { owner: String, ids: Vec<String>, lease: Duration, reply: Reply<Vec<String>> },
    Reclaim { reply: Reply<Vec<Reclaimed>> },
}

/// How an attempt ended other than completed (completions go in groups).
enum Ending {
    Failed(Failure),
    Retry(Failure, Duration),
}

async fn apply_one(tx: &mut Tx<'_>, op: Single) -> Deferred {
    let err = |e: sqlx::Error| e.to_string();
    match op {
        // The single writer makes the look-up and the insert one step.
        Single::InsertOrJoin { job, reply } => deferred(reply, insert_or_join(tx, &job).await.map_err(err)),
        Single::Ending { id, owner, attempt, ending, now, reply } => {
            deferred(reply, end_attempt(tx, &id, &owner, attempt, ending, now).await.map_err(err))
        }
        Single::Cancel { id, now, reply } => deferred(reply, cancel(tx, &id, now).await.map_err(err)),
        Single::ClaimNext { claim, reply } => deferred(reply, claim_next(tx, &claim).await.map_err(err)),
        Single::Heartbeat { owner, ids, lease, reply } => {
            deferred(reply, heartbeat(tx, &owner, &ids, later(lease)).await.map_err(err))
        }
        Single::Reclaim { reply } => deferred(reply, reclaim(tx).await.map_err(err)),
    }
}

/// Deliver a statement's result once the transaction's fate is known.
fn deferred<T: Send + 'static>(reply: Reply<T>, r: Result<T, String>) -> Deferred {
    Box::new(move |commit_error| {
        let r = match (r, commit_error) {
            (Ok(_), Some(e)) => Err(StoreError::Failed(format!("commit failed: {e}"))),
            (Ok(v), None) => Ok(v),
            (Err(e), _) => Err(StoreError::Failed(e)),
        };
        let _ = reply.send(r);
    })
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

async fn insert_many(tx: &mut Tx<'_>, jobs: &[&NewJob]) -> Result<(), sqlx::Error> {
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT INTO jobs (id, capability, state, input, max_attempts, cache_key, accepted_digest, tenant,
                           parent_id, pipeline_step, run_after, created_at, updated_at) ",
    );
    qb.push_values(jobs, |mut b, job| {
        b.push_bind(&job.id)
            .push_bind(&job.capability)
            .push_bind("queued")
            .push_bind(&job.input)
            .push_bind(job.max_attempts as i64)
            .push_bind(&job.cache_key)
            .push_bind(&job.accepted_digest)
            .push_bind(&job.tenant)
            .push_bind(job.parent.as_ref().map(|p| &p.parent_id))
            .push_bind(job.parent.as_ref().map(|p| &p.step))
            .push_bind(job.now)
            .push_bind(job.now)
            .push_bind(job.now);
    });
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

async fn insert_or_join(tx: &mut Tx<'_>, job: &NewJob) -> Result<Option<JobRecord>, sqlx::Error> {
    if let Some(key) = &job.cache_key {
        let found = sqlx::query_as::<_, JobRow>(FIND_BY_CACHE_KEY).bind(key).fetch_optional(&mut **tx).await?;
        if let Some(found) = found {
            return Ok(Some(found.into()));
        }
    }
    insert_many(tx, &[job]).await?;
    Ok(None)
}

async fn claim_next(tx: &mut Tx<'_>, claim: &ClaimNext) -> Result<Vec<Claimed>, sqlx::Error> {
    let now = clock_ms();
    let found = sqlx::query_as::<_, ClaimedRow>(
        "UPDATE jobs SET state = 'processing', attempts = attempts + 1, lease_owner = ?, lease_until = ?,
                component_digest = ?, started_at = ?, updated_at = ?, progress = NULL, step = NULL, message = NULL
         WHERE id IN (SELECT id FROM jobs WHERE capability = ? AND state = 'queued' AND run_after <= ?
                      ORDER BY run_after, id LIMIT ?)
         RETURNING id, input, accepted_digest, attempts, max_attempts, tenant",
    )
    .bind(&claim.owner)
    .bind(later(claim.lease))
    .bind(&claim.digest)
    .bind(claim.started_at)
    .bind(claim.started_at)
    .bind(&claim.capability)
    .bind(now)
    .bind(i64::try_from(claim.limit).unwrap_or(i64::MAX))
    .fetch_all(&mut **tx)
    .await?;
    Ok(found.into_iter().map(Claimed::from).collect())
}

/// Completions, fenced on state, lease owner and attempt: a job whose lease was
/// taken over can never complete twice. Maps each id to whether it completed.
async fn complete_many(tx: &mut Tx<'_>, rows: &[&CompletionRow]) -> Result<HashMap<String, bool>, sqlx::Error> {
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "UPDATE jobs SET state = 'completed', result = v.column4, progress = 100, failure_code = NULL,
                failure_message = NULL, failure_retryable = NULL, lease_owner = NULL, lease_until = NULL,
                finished_at = v.column5, updated_at = v.column5
         FROM (",
    );
    qb.push_values(rows, |mut b, r| {
        b.push_bind(&r.id).push_bind(&r.owner).push_bind(r.attempt as i64).push_bind(&r.result).push_bind(r.now);
    });
    qb.push(
        ") AS v WHERE jobs.id = v.column1 AND jobs.state = 'processing' AND jobs.lease_owner = v.column2
                 AND jobs.attempts = v.column3
         RETURNING jobs.id AS id",
    );
    let found = qb.build().fetch_all(&mut **tx).await?;
    let mut completed: HashMap<String, bool> = rows.iter().map(|r| (r.id.clone(), false)).collect();
    for r in &found {
        completed.insert(r.get("id"), true);
    }
    Ok(completed)
}

/// A failed attempt, fenced like [`complete_many`]: terminal, or back to
/// `queued` until `run_after`; the failure is kept for display either way.
async fn end_attempt(
    tx: &mut Tx<'_>,
    id: &str,
    owner: &str,
    attempt: u32,
    ending: Ending,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (state, failure, run_after, finished_at) = match &ending {
        Ending::Failed(failure) => ("failed", failure, None, Some(now)),
        Ending::Retry(failure, delay) => ("queued", failure, Some(later(*delay)), None),
    };
    let done = sqlx::query(
        "UPDATE jobs SET state = ?, failure_code = ?, failure_message = ?, failure_retryable = ?,
                lease_owner = NULL, lease_until = NULL, run_after = COALESCE(?, run_after),
                finished_at = ?, updated_at = ?
         WHERE id = ? AND state = 'processing' AND lease_owner = ? AND attempts = ?",
    )
    .bind(state)
    .bind(&failure.code)
    .bind(&failure.message)
    .bind(failure.retryable)
    .bind(run_after)
    .bind(finished_at)
    .bind(now)
    .bind(id)
    .bind(owner)
    .bind(attempt as i64)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn cancel(tx: &mut Tx<'_>, id: &str, now: i64) -> Result<Option<Status>, sqlx::Error> {
    let Some(row) = sqlx::query("SELECT state FROM jobs WHERE id = ?").bind(id).fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    let state = Status::parse(row.get::<&str, _>("state")).unwrap_or(Status::Failed);
    if !state.is_terminal() {
        sqlx::query(
            "UPDATE jobs SET state = 'cancelled', failure_code = 'JOB_CANCELLED', failure_message = 'the job was cancelled',
                    failure_retryable = 0, lease_owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Some(state))
}

async fn heartbeat(tx: &mut Tx<'_>, owner: &str, ids: &[String], lease_until: i64) -> Result<Vec<String>, sqlx::Error> {
    let mut lost = Vec::new();
    for id in ids {
        let kept =
            sqlx::query("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'processing'")
                .bind(lease_until)
                .bind(id)
                .bind(owner)
                .execute(&mut **tx)
                .await?;
        if kept.rows_affected() == 0 {
            lost.push(id.clone());
        }
    }
    Ok(lost)
}

async fn reclaim(tx: &mut Tx<'_>) -> Result<Vec<Reclaimed>, sqlx::Error> {
    let now = clock_ms();
    let rows = sqlx::query_as::<_, Reclaimed>(
        "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE state = 'processing' AND lease_until < ?
         RETURNING id, capability",
    )
    .bind(now)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn insert(&self, job: NewJob) -> Result<(), StoreError> {
        self.call(|reply| Op::Insert(job, reply)).await
    }

    async fn insert_or_join(&self, job: NewJob) -> Result<Option<JobRecord>, StoreError> {
        self.call(|reply| Op::InsertOrJoin(job, reply)).await
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
        let claim = ClaimNext {
            capability: capability.to_string(),
            owner: owner.to_string(),
            limit,
            lease,
            digest: digest.to_string(),
            started_at,
        };
        self.call(|reply| Op::ClaimNext(claim, reply)).await
    }

    async fn finish(&self, id: &str, owner: &str, attempt: u32, finish: Finish, now: i64) -> Result<bool, StoreError> {
        let (id, owner) = (id.to_string(), owner.to_string());
        self.call(|reply| Op::Finish { id, owner, attempt, finish, now, reply }).await
    }

    async fn cancel(&self, id: &str, now: i64) -> Result<Option<Status>, StoreError> {
        let id = id.to_string();
        self.call(|reply| Op::Cancel { id, now, reply }).await
    }

    fn progress(&self, id: &str, percent: u8, step: &str, message: &str) {
        let _ = self.writer.send(Op::Progress { id: id.into(), percent, step: step.into(), message: message.into() });
    }

    fn add_usage(&self, id: &str, usage: LlmUsage) {
        let _ = self.writer.send(Op::Usage { id: id.into(), usage });
    }

    async fn heartbeat(&self, owner: &str, ids: Vec<String>, lease: Duration) -> Result<Vec<String>, StoreError> {
        let owner = owner.to_string();
        self.call(|reply| Op::Heartbeat { owner, ids, lease, reply }).await
    }

    async fn reclaim_expired(&self) -> Result<Vec<Reclaimed>, StoreError> {
        self.call(Op::Reclaim).await
    }

    async fn queued_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query("SELECT capability, COUNT(*) AS n FROM jobs WHERE state = 'queued' GROUP BY capability")
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>("capability"), r.get::<i64, _>("n") as u64)).collect())
    }

    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.map(JobRecord::from))
    }

    async fn terminal_among(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let mut terminal = Vec::new();
        // SQLite bounds the variables of one statement.
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "SELECT id FROM jobs WHERE state IN ('completed', 'failed', 'cancelled') AND id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            qb.push(")");
            terminal.extend(qb.build_query_scalar::<String>().fetch_all(&self.reader).await?);
        }
        Ok(terminal)
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, StoreError> {
        // `IS` matches NULL too: callers of an open API see the jobs submitted while it was open.
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT * FROM jobs WHERE tenant IS ");
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
        let rows = qb.build_query_as::<JobRow>().fetch_all(&self.reader).await?;
        Ok(rows.into_iter().map(JobRecord::from).collect())
    }

    async fn find_by_cache_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query_as::<_, JobRow>(FIND_BY_CACHE_KEY).bind(key).fetch_optional(&self.reader).await?;
        Ok(row.map(JobRecord::from))
    }

    async fn steps_of(&self, parent_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        let rows = sqlx::query_as::<_, JobRow>("SELECT * FROM jobs WHERE parent_id = ? ORDER BY id")
            .bind(parent_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.into_iter().map(JobRecord::from).collect())
    }

    async fn jobs_per_digest(&self, capability: &str) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT component_digest, COUNT(*) AS n FROM jobs
             WHERE capability = ? AND component_digest IS NOT NULL GROUP BY component_digest",
        )
        .bind(capability)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>("component_digest"), r.get::<i64, _>("n") as u64)).collect())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(state = 'queued'), 0) AS queued, COALESCE(SUM(state = 'processing'), 0) AS processing
             FROM jobs WHERE state IN ('queued', 'processing')",
        )
        .fetch_one(&self.reader)
        .await?;
        Ok(Stats { queued: row.get::<i64, _>("queued") as u64, processing: row.get::<i64, _>("processing") as u64 })
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;

    /// A store in its own temporary directory, removed with it.
    struct Fixture {
        _dir: tempfile::TempDir,
        store: SqliteStore,
    }

    impl std::ops::Deref for Fixture {
        type Target = SqliteStore;
        fn deref(&self) -> &SqliteStore {
            &self.store
        }
    }

    async fn open() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("jobs.db")).await.unwrap();
        Fixture { _dir: dir, store }
    }

    crate::store::conformance::conformance!(open());
}

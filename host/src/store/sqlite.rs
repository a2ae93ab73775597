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
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{Claimed, Finish, JobRecord, JobStore, ListFilter, NewJob, Pending, Stats, Status, StoreError};
use crate::runtime::Failure;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Most operations one transaction takes; bounds commit latency under load.
const MAX_BATCH: usize = 512;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Op {
    Insert(NewJob, Reply<()>),
    Claim { id: String, owner: String, lease_until: i64, digest: String, now: i64, reply: Reply<Option<Claimed>> },
    Finish { id: String, owner: String, attempt: u32, finish: Finish, now: i64, reply: Reply<bool> },
    Cancel { id: String, now: i64, reply: Reply<Option<Status>> },
    Progress { id: String, percent: u8, step: String, message: String },
    Heartbeat { owner: String, ids: Vec<String>, lease_until: i64, reply: Reply<()> },
    Reclaim { now: i64, reply: Reply<Vec<Pending>> },
}

pub struct SqliteStore {
    writer: mpsc::UnboundedSender<Op>,
    reader: SqlitePool,
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
        let mut conn = SqliteConnection::connect_with(&options).await?;
        MIGRATOR.run(&mut conn).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer_loop(conn, rx));
        Ok(Self { writer: tx, reader })
    }

    async fn call<T>(&self, op: impl FnOnce(Reply<T>) -> Op) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(op(tx)).map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
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

/// Replies are sent only after the commit, so a caller never observes a
/// write that could still be rolled back.
async fn apply_batch(conn: &mut SqliteConnection, batch: &mut Vec<Op>) {
    // Only the newest progress per job is worth writing.
    let mut latest_progress: HashMap<String, usize> = HashMap::new();
    for (i, op) in batch.iter().enumerate() {
        if let Op::Progress { id, .. } = op {
            latest_progress.insert(id.clone(), i);
        }
    }
    let mut done: Vec<Box<dyn FnOnce(Option<&str>) + Send>> = Vec::with_capacity(batch.len());
    let result: Result<(), sqlx::Error> = async {
        let mut tx = conn.begin().await?;
        for (i, op) in batch.drain(..).enumerate() {
            match op {
                Op::Insert(job, reply) => {
                    let r = insert(&mut tx, &job).await;
                    done.push(finisher(reply, r));
                }
                Op::Claim { id, owner, lease_until, digest, now, reply } => {
                    let r = claim(&mut tx, &id, &owner, lease_until, &digest, now).await;
                    done.push(finisher(reply, r));
                }
                Op::Finish { id, owner, attempt, finish, now, reply } => {
                    let r = finish_job(&mut tx, &id, &owner, attempt, finish, now).await;
                    done.push(finisher(reply, r));
                }
                Op::Cancel { id, now, reply } => {
                    let r = cancel(&mut tx, &id, now).await;
                    done.push(finisher(reply, r));
                }
                Op::Progress { id, percent, step, message } => {
                    if latest_progress.get(&id) == Some(&i) {
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
                }
                Op::Heartbeat { owner, ids, lease_until, reply } => {
                    let r = heartbeat(&mut tx, &owner, &ids, lease_until).await;
                    done.push(finisher(reply, r));
                }
                Op::Reclaim { now, reply } => {
                    let r = reclaim(&mut tx, now).await;
                    done.push(finisher(reply, r));
                }
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

/// Deliver a statement's result once the transaction's fate is known.
fn finisher<T: Send + 'static>(reply: Reply<T>, r: Result<T, sqlx::Error>) -> Box<dyn FnOnce(Option<&str>) + Send> {
    Box::new(move |commit_error| {
        let r = match (r, commit_error) {
            (Ok(_), Some(e)) => Err(StoreError::Db(sqlx::Error::Protocol(format!("commit failed: {e}")))),
            (r, _) => r.map_err(StoreError::from),
        };
        let _ = reply.send(r);
    })
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

async fn insert(tx: &mut Tx<'_>, job: &NewJob) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO jobs (id, capability, state, input, max_attempts, cache_key, run_after, created_at, updated_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
    )
    .bind(&job.id)
    .bind(&job.capability)
    .bind(&job.input)
    .bind(job.max_attempts as i64)
    .bind(&job.cache_key)
    .bind(job.now)
    .bind(job.now)
    .bind(job.now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn claim(
    tx: &mut Tx<'_>,
    id: &str,
    owner: &str,
    lease_until: i64,
    digest: &str,
    now: i64,
) -> Result<Option<Claimed>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE jobs SET state = 'processing', attempts = attempts + 1, lease_owner = ?, lease_until = ?,
                component_digest = ?, started_at = ?, updated_at = ?, progress = NULL, step = NULL, message = NULL
         WHERE id = ? AND state = 'queued'
         RETURNING capability, input, attempts, max_attempts",
    )
    .bind(owner)
    .bind(lease_until)
    .bind(digest)
    .bind(now)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Claimed {
        capability: r.get("capability"),
        input: r.get("input"),
        attempt: r.get::<i64, _>("attempts") as u32,
        max_attempts: r.get::<i64, _>("max_attempts") as u32,
    }))
}

async fn finish_job(
    tx: &mut Tx<'_>,
    id: &str,
    owner: &str,
    attempt: u32,
    finish: Finish,
    now: i64,
) -> Result<bool, sqlx::Error> {
    const FENCE: &str = "WHERE id = ? AND state = 'processing' AND lease_owner = ? AND attempts = ?";
    let sql = match &finish {
        Finish::Completed { .. } => format!(
            "UPDATE jobs SET state = 'completed', result = ?, progress = 100, failure_code = NULL,
                    failure_message = NULL, failure_retryable = NULL, lease_owner = NULL, lease_until = NULL,
                    finished_at = ?, updated_at = ? {FENCE}"
        ),
        Finish::Failed { .. } => format!(
            "UPDATE jobs SET state = 'failed', failure_code = ?, failure_message = ?, failure_retryable = ?,
                    lease_owner = NULL, lease_until = NULL, finished_at = ?, updated_at = ? {FENCE}"
        ),
        Finish::Retry { .. } => format!(
            "UPDATE jobs SET state = 'queued', failure_code = ?, failure_message = ?, failure_retryable = ?,
                    lease_owner = NULL, lease_until = NULL, run_after = ?, updated_at = ? {FENCE}"
        ),
    };
    let q = sqlx::query(&sql);
    let q = match &finish {
        Finish::Completed { result } => q.bind(result).bind(now).bind(now),
        Finish::Failed { failure } => {
            q.bind(&failure.code).bind(&failure.message).bind(failure.retryable).bind(now).bind(now)
        }
        Finish::Retry { failure, run_after } => {
            q.bind(&failure.code).bind(&failure.message).bind(failure.retryable).bind(*run_after).bind(now)
        }
    };
    let done = q.bind(id).bind(owner).bind(attempt as i64).execute(&mut **tx).await?;
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

async fn heartbeat(tx: &mut Tx<'_>, owner: &str, ids: &[String], lease_until: i64) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = 'processing'")
            .bind(lease_until)
            .bind(id)
            .bind(owner)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn reclaim(tx: &mut Tx<'_>, now: i64) -> Result<Vec<Pending>, sqlx::Error> {
    let rows = sqlx::query(
        "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE state = 'processing' AND lease_until < ?
         RETURNING id, capability, run_after",
    )
    .bind(now)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.iter().map(pending_from_row).collect())
}

fn pending_from_row(r: &SqliteRow) -> Pending {
    Pending { id: r.get("id"), capability: r.get("capability"), run_after: r.get("run_after") }
}

fn record_from_row(r: &SqliteRow) -> JobRecord {
    let failure = r.get::<Option<String>, _>("failure_code").map(|code| Failure {
        code,
        message: r.get::<Option<String>, _>("failure_message").unwrap_or_default(),
        retryable: r.get::<Option<bool>, _>("failure_retryable").unwrap_or(false),
    });
    JobRecord {
        id: r.get("id"),
        capability: r.get("capability"),
        status: Status::parse(r.get::<&str, _>("state")).unwrap_or(Status::Failed),
        input: r.get("input"),
        result: r.get("result"),
        failure,
        progress: r.get::<Option<i64>, _>("progress").map(|p| p.clamp(0, 100) as u8),
        step: r.get("step"),
        message: r.get("message"),
        attempts: r.get::<i64, _>("attempts") as u32,
        max_attempts: r.get::<i64, _>("max_attempts") as u32,
        component_digest: r.get("component_digest"),
        created_at: r.get("created_at"),
        started_at: r.get("started_at"),
        finished_at: r.get("finished_at"),
        updated_at: r.get("updated_at"),
    }
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn insert(&self, job: NewJob) -> Result<(), StoreError> {
        self.call(|reply| Op::Insert(job, reply)).await
    }

    async fn claim(
        &self,
        id: &str,
        owner: &str,
        lease_until: i64,
        digest: &str,
        now: i64,
    ) -> Result<Option<Claimed>, StoreError> {
        let (id, owner, digest) = (id.to_string(), owner.to_string(), digest.to_string());
        self.call(|reply| Op::Claim { id, owner, lease_until, digest, now, reply }).await
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

    async fn heartbeat(&self, owner: &str, ids: Vec<String>, lease_until: i64) -> Result<(), StoreError> {
        let owner = owner.to_string();
        self.call(|reply| Op::Heartbeat { owner, ids, lease_until, reply }).await
    }

    async fn reclaim_expired(&self, now: i64) -> Result<Vec<Pending>, StoreError> {
        self.call(|reply| Op::Reclaim { now, reply }).await
    }

    async fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let rows = sqlx::query("SELECT id, capability, run_after FROM jobs WHERE state = 'queued' ORDER BY id")
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(pending_from_row).collect())
    }

    async fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = ?").bind(id).fetch_optional(&self.reader).await?;
        Ok(row.as_ref().map(record_from_row))
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<JobRecord>, StoreError> {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT * FROM jobs WHERE 1 = 1");
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
        let rows = qb.build().fetch_all(&self.reader).await?;
        Ok(rows.iter().map(record_from_row).collect())
    }

    async fn find_by_cache_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM jobs WHERE cache_key = ? AND state IN ('queued', 'processing', 'completed')
             ORDER BY (state = 'completed') DESC, id DESC LIMIT 1",
        )
        .bind(key)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.as_ref().map(record_from_row))
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
    use super::*;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("jobs.db")).await.unwrap();
        (dir, s)
    }

    fn job(id: &str) -> NewJob {
        NewJob {
            id: id.into(),
            capability: "echo".into(),
            input: "{}".into(),
            max_attempts: 2,
            cache_key: None,
            now: 1,
        }
    }

    #[tokio::test]
    async fn a_job_is_claimed_once() {
        let (_d, s) = store().await;
        s.insert(job("job_a")).await.unwrap();
        let c = s.claim("job_a", "host1", 100, "sha256:x", 2).await.unwrap().unwrap();
        assert_eq!(c.attempt, 1);
        assert!(s.claim("job_a", "host2", 100, "sha256:x", 2).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn completion_is_fenced_by_owner_and_attempt() {
        let (_d, s) = store().await;
        s.insert(job("job_b")).await.unwrap();
        s.claim("job_b", "host1", 10, "d", 2).await.unwrap().unwrap();
        // The lease expires and another host takes the job over.
        assert_eq!(s.reclaim_expired(20).await.unwrap().len(), 1);
        let c = s.claim("job_b", "host2", 100, "d", 21).await.unwrap().unwrap();
        assert_eq!(c.attempt, 2);
        let stale = s.finish("job_b", "host1", 1, Finish::Completed { result: "1".into() }, 22).await.unwrap();
        assert!(!stale);
        let fresh = s.finish("job_b", "host2", 2, Finish::Completed { result: "2".into() }, 23).await.unwrap();
        assert!(fresh);
        let again = s.finish("job_b", "host2", 2, Finish::Completed { result: "3".into() }, 24).await.unwrap();
        assert!(!again);
        assert_eq!(s.get("job_b").await.unwrap().unwrap().result.as_deref(), Some("2"));
    }

    #[tokio::test]
    async fn cancel_reports_the_previous_state() {
        let (_d, s) = store().await;
        s.insert(job("job_c")).await.unwrap();
        assert_eq!(s.cancel("job_c", 5).await.unwrap(), Some(Status::Queued));
        assert_eq!(s.cancel("job_c", 6).await.unwrap(), Some(Status::Cancelled));
        assert_eq!(s.cancel("job_nope", 6).await.unwrap(), None);
        assert!(s.claim("job_c", "h", 10, "d", 7).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn list_pages_newest_first() {
        let (_d, s) = store().await;
        for i in 0..5 {
            s.insert(job(&format!("job_{i}"))).await.unwrap();
        }
        let first = s.list(&ListFilter { limit: 2, ..Default::default() }).await.unwrap();
        assert_eq!(first.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_4", "job_3"]);
        let next = s.list(&ListFilter { limit: 2, before: Some("job_3".into()), ..Default::default() }).await.unwrap();
        assert_eq!(next.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_2", "job_1"]);
    }
}

//! One suite for every store implementation (River's `riverdrivertest`
//! shape): each behaviour is a function over `&dyn Database`, and
//! [`conformance!`] runs every function against one implementation. A new
//! implementation passes this suite or it is not a store.

use std::time::Duration;

use super::{Database, Finish, KeyRecord, ListFilter, LlmUsage, NewJob, Status, StoreError};
use crate::runtime::Failure;

pub fn job(id: &str) -> NewJob {
    NewJob {
        id: id.into(),
        capability: "echo".into(),
        input: "{}".into(),
        max_attempts: 2,
        cache_key: None,
        accepted_digest: "d".into(),
        tenant: None,
        now: 1,
    }
}

fn failure(retryable: bool) -> Failure {
    Failure { code: "BOOM".into(), message: "it broke".into(), retryable }
}

pub async fn a_job_is_claimed_once(s: &dyn Database) {
    s.insert(job("job_a")).await.unwrap();
    let c = s.claim("job_a", "host1", 100, "sha256:x", 2).await.unwrap().unwrap();
    assert_eq!((c.attempt, c.max_attempts, c.input.as_str()), (1, 2, "{}"));
    assert_eq!(c.accepted_digest.as_deref(), Some("d"));
    assert!(s.claim("job_a", "host2", 100, "sha256:x", 2).await.unwrap().is_none());
    let record = s.get("job_a").await.unwrap().unwrap();
    assert_eq!((record.status, record.component_digest.as_deref()), (Status::Processing, Some("sha256:x")));
}

pub async fn concurrent_claims_of_one_job_have_one_winner(s: &dyn Database) {
    s.insert(job("job_d")).await.unwrap();
    let (a, b, c) = tokio::join!(
        s.claim("job_d", "h1", 100, "d", 2),
        s.claim("job_d", "h2", 100, "d", 2),
        s.claim("job_d", "h3", 100, "d", 2)
    );
    let winners = [a, b, c].into_iter().filter(|r| r.as_ref().unwrap().is_some()).count();
    assert_eq!(winners, 1);
}

pub async fn completion_is_fenced_by_owner_and_attempt(s: &dyn Database) {
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
    let record = s.get("job_b").await.unwrap().unwrap();
    assert_eq!((record.status, record.result.as_deref(), record.finished_at), (Status::Completed, Some("2"), Some(23)));
}

pub async fn a_retry_waits_queued_until_its_time_and_keeps_the_failure(s: &dyn Database) {
    s.insert(job("job_r")).await.unwrap();
    s.claim("job_r", "h", 100, "d", 2).await.unwrap().unwrap();
    let retried = Finish::Retry { failure: failure(true), run_after: 500 };
    assert!(s.finish("job_r", "h", 1, retried, 3).await.unwrap());
    let record = s.get("job_r").await.unwrap().unwrap();
    assert_eq!((record.status, record.run_after), (Status::Queued, 500));
    assert_eq!(record.failure.as_ref().map(|f| (f.code.as_str(), f.retryable)), Some(("BOOM", true)));
    assert_eq!(s.pending().await.unwrap().iter().map(|p| p.run_after).collect::<Vec<_>>(), [500]);
    let c = s.claim("job_r", "h", 100, "d", 501).await.unwrap().unwrap();
    assert_eq!(c.attempt, 2);
}

pub async fn a_failure_is_final_and_kept(s: &dyn Database) {
    s.insert(job("job_f")).await.unwrap();
    s.claim("job_f", "h", 100, "d", 2).await.unwrap().unwrap();
    assert!(s.finish("job_f", "h", 1, Finish::Failed { failure: failure(false) }, 4).await.unwrap());
    let record = s.get("job_f").await.unwrap().unwrap();
    assert_eq!((record.status, record.finished_at), (Status::Failed, Some(4)));
    assert_eq!(record.failure.unwrap().message, "it broke");
    assert!(s.claim("job_f", "h", 100, "d", 5).await.unwrap().is_none());
}

pub async fn cancel_reports_the_previous_state(s: &dyn Database) {
    s.insert(job("job_c")).await.unwrap();
    assert_eq!(s.cancel("job_c", 5).await.unwrap(), Some(Status::Queued));
    assert_eq!(s.cancel("job_c", 6).await.unwrap(), Some(Status::Cancelled));
    assert_eq!(s.cancel("job_nope", 6).await.unwrap(), None);
    assert!(s.claim("job_c", "h", 10, "d", 7).await.unwrap().is_none());
    assert_eq!(s.get("job_c").await.unwrap().unwrap().failure.unwrap().code, "JOB_CANCELLED");
}

pub async fn a_cancelled_running_job_cannot_complete(s: &dyn Database) {
    s.insert(job("job_x")).await.unwrap();
    s.claim("job_x", "h", 100, "d", 2).await.unwrap().unwrap();
    assert_eq!(s.cancel("job_x", 3).await.unwrap(), Some(Status::Processing));
    assert!(!s.finish("job_x", "h", 1, Finish::Completed { result: "1".into() }, 4).await.unwrap());
    assert_eq!(s.get("job_x").await.unwrap().unwrap().status, Status::Cancelled);
}

pub async fn heartbeats_extend_only_the_owners_leases(s: &dyn Database) {
    for id in ["job_1", "job_2"] {
        s.insert(job(id)).await.unwrap();
    }
    s.claim("job_1", "mine", 10, "d", 2).await.unwrap().unwrap();
    s.claim("job_2", "theirs", 10, "d", 2).await.unwrap().unwrap();
    let lost = s.heartbeat("mine", vec!["job_1".into(), "job_2".into()], 1000).await.unwrap();
    assert_eq!(lost, ["job_2"], "a job of another owner is not this owner's");
    let expired: Vec<String> = s.reclaim_expired(20).await.unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(expired, ["job_2"]);
    assert_eq!(s.get("job_1").await.unwrap().unwrap().status, Status::Processing);
}

pub async fn a_heartbeat_names_the_jobs_that_are_no_longer_the_owners(s: &dyn Database) {
    for id in ["job_kept", "job_cancelled", "job_taken"] {
        s.insert(job(id)).await.unwrap();
        s.claim(id, "mine", 10, "d", 2).await.unwrap().unwrap();
    }
    s.cancel("job_cancelled", 3).await.unwrap();
    // Its lease ran out and another host took it over.
    s.heartbeat("mine", vec!["job_kept".into(), "job_cancelled".into()], 100).await.unwrap();
    assert_eq!(s.reclaim_expired(20).await.unwrap().len(), 1);
    s.claim("job_taken", "theirs", 200, "d", 21).await.unwrap().unwrap();
    let ids = vec!["job_kept".into(), "job_cancelled".into(), "job_taken".into()];
    let mut lost = s.heartbeat("mine", ids, 300).await.unwrap();
    lost.sort();
    assert_eq!(lost, ["job_cancelled", "job_taken"]);
}

pub async fn list_pages_newest_first(s: &dyn Database) {
    for i in 0..5 {
        s.insert(job(&format!("job_{i}"))).await.unwrap();
    }
    let first = s.list(&ListFilter { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(first.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_4", "job_3"]);
    let next = s.list(&ListFilter { limit: 2, before: Some("job_3".into()), ..Default::default() }).await.unwrap();
    assert_eq!(next.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_2", "job_1"]);
    s.claim("job_0", "h", 10, "d", 2).await.unwrap();
    let processing = ListFilter { status: Some(Status::Processing), limit: 10, ..Default::default() };
    assert_eq!(s.list(&processing).await.unwrap().len(), 1);
}

pub async fn a_list_shows_only_the_tenants_own_jobs(s: &dyn Database) {
    for (id, tenant) in [("job_1", Some("a")), ("job_2", Some("b")), ("job_3", None)] {
        s.insert(NewJob { tenant: tenant.map(str::to_string), ..job(id) }).await.unwrap();
    }
    let ids = |jobs: Vec<super::JobRecord>| jobs.into_iter().map(|j| j.id).collect::<Vec<_>>();
    let of_a = s.list(&ListFilter { tenant: Some("a".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(ids(of_a), ["job_1"]);
    let open = s.list(&ListFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(ids(open), ["job_3"]);
    let claimed = s.claim("job_2", "h", 10, "d", 5).await.unwrap().unwrap();
    assert_eq!(claimed.tenant.as_deref(), Some("b"));
}

pub async fn the_cache_key_finds_a_completed_job_before_one_in_flight(s: &dyn Database) {
    let keyed = |id: &str| NewJob { cache_key: Some("k".into()), ..job(id) };
    s.insert(keyed("job_1")).await.unwrap();
    s.insert(keyed("job_2")).await.unwrap();
    assert_eq!(s.find_by_cache_key("k").await.unwrap().unwrap().id, "job_2");
    s.claim("job_1", "h", 100, "d", 2).await.unwrap().unwrap();
    s.finish("job_1", "h", 1, Finish::Completed { result: "{}".into() }, 3).await.unwrap();
    assert_eq!(s.find_by_cache_key("k").await.unwrap().unwrap().id, "job_1");
    assert!(s.find_by_cache_key("other").await.unwrap().is_none());
}

pub async fn an_identical_submission_joins_the_job_in_flight_or_completed(s: &dyn Database) {
    let keyed = |id: &str| NewJob { cache_key: Some("k".into()), ..job(id) };
    assert!(s.insert_or_join(keyed("job_1")).await.unwrap().is_none(), "the first is inserted");
    assert_eq!(s.insert_or_join(keyed("job_2")).await.unwrap().map(|j| j.id).as_deref(), Some("job_1"));
    s.claim("job_1", "h", 100, "d", 2).await.unwrap().unwrap();
    s.finish("job_1", "h", 1, Finish::Completed { result: "{}".into() }, 3).await.unwrap();
    let joined = s.insert_or_join(keyed("job_3")).await.unwrap().unwrap();
    assert_eq!((joined.id.as_str(), joined.status), ("job_1", Status::Completed));
    assert!(s.insert_or_join(job("job_4")).await.unwrap().is_none(), "without a key it is inserted");
    assert!(s.get("job_2").await.unwrap().is_none() && s.get("job_3").await.unwrap().is_none());
}

pub async fn concurrent_identical_submissions_make_one_job(s: &dyn Database) {
    let keyed = |id: &str| NewJob { cache_key: Some("same".into()), ..job(id) };
    let (a, b, c, d) = tokio::join!(
        s.insert_or_join(keyed("job_a")),
        s.insert_or_join(keyed("job_b")),
        s.insert_or_join(keyed("job_c")),
        s.insert_or_join(keyed("job_d"))
    );
    let inserted = [a, b, c, d].into_iter().filter(|r| r.as_ref().unwrap().is_none()).count();
    assert_eq!(inserted, 1);
    assert_eq!(s.list(&ListFilter { limit: 10, ..Default::default() }).await.unwrap().len(), 1);
}

pub async fn stats_and_digests_count_what_is_there(s: &dyn Database) {
    for id in ["job_1", "job_2", "job_3"] {
        s.insert(job(id)).await.unwrap();
    }
    s.claim("job_1", "h", 100, "sha256:a", 2).await.unwrap().unwrap();
    s.claim("job_2", "h", 100, "sha256:b", 2).await.unwrap().unwrap();
    let stats = s.stats().await.unwrap();
    assert_eq!((stats.queued, stats.processing), (1, 2));
    let mut digests = s.jobs_per_digest("echo").await.unwrap();
    digests.sort();
    assert_eq!(digests, [("sha256:a".to_string(), 1), ("sha256:b".to_string(), 1)]);
}

pub async fn progress_and_usage_are_written_behind_the_caller(s: &dyn Database) {
    s.insert(job("job_p")).await.unwrap();
    s.claim("job_p", "h", 100, "d", 2).await.unwrap().unwrap();
    s.progress("job_p", 10, "one", "");
    s.progress("job_p", 40, "two", "halfway");
    let call = LlmUsage { calls: 1, prompt_tokens: 10, completion_tokens: 5, model: "m".into() };
    s.add_usage("job_p", call.clone());
    s.add_usage("job_p", call);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let record = s.get("job_p").await.unwrap().unwrap();
        let usage = record.usage.clone().unwrap_or_default();
        if record.progress == Some(40) && usage.calls == 2 {
            assert_eq!((record.step.as_deref(), record.message.as_deref()), (Some("two"), Some("halfway")));
            assert_eq!((usage.prompt_tokens, usage.completion_tokens, usage.model.as_str()), (20, 10, "m"));
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "not written: {record:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn usage_added_before_an_attempts_end_is_there_when_it_ends(s: &dyn Database) {
    s.insert(job("job_u")).await.unwrap();
    s.claim("job_u", "h", 100, "d", 2).await.unwrap().unwrap();
    s.add_usage("job_u", LlmUsage { calls: 1, prompt_tokens: 3, completion_tokens: 7, model: "m".into() });
    assert!(s.finish("job_u", "h", 1, Finish::Completed { result: "{}".into() }, 3).await.unwrap());
    let usage = s.get("job_u").await.unwrap().unwrap().usage;
    assert_eq!(usage.map(|u| u.completion_tokens), Some(7), "a finished job must show all its usage");
}

pub async fn a_second_job_with_the_same_id_is_a_conflict(s: &dyn Database) {
    s.insert(job("job_1")).await.unwrap();
    match s.insert(job("job_1")).await {
        Err(StoreError::Conflict(_)) | Err(StoreError::Failed(_)) => {}
        other => panic!("a duplicate id was accepted: {other:?}"),
    }
    assert_eq!(s.list(&ListFilter { limit: 10, ..Default::default() }).await.unwrap().len(), 1);
}

pub async fn a_key_with_a_nul_names_nothing(s: &dyn Database) {
    s.insert(job("job_1")).await.unwrap();
    assert!(s.get("job_\0").await.unwrap().is_none());
    assert_eq!(s.cancel("job_\0", 2).await.unwrap(), None);
    assert!(s.find_by_cache_key("k\0").await.unwrap().is_none());
    let cursor = ListFilter { before: Some("job_\0".into()), limit: 10, ..Default::default() };
    s.list(&cursor).await.unwrap();
}

fn key(id: &str) -> KeyRecord {
    KeyRecord {
        id: id.into(),
        tenant: "acme".into(),
        role: "submitter".into(),
        name: "ci".into(),
        secret_hash: "00".into(),
        rate_limit: Some("5/s".into()),
        created_at: 1,
        expires_at: None,
        revoked_at: None,
    }
}

pub async fn a_stored_key_reads_back_and_revoking_it_keeps_the_api_closed(s: &dyn Database) {
    assert!(!s.any_key().await.unwrap());
    s.insert_key(&key("k1")).await.unwrap();
    assert_eq!(s.key("k1").await.unwrap(), Some(key("k1")));
    assert!(s.revoke_key("k1", 9).await.unwrap());
    assert!(!s.revoke_key("k1", 10).await.unwrap(), "a revoked key is not revoked twice");
    assert_eq!(s.key("k1").await.unwrap().unwrap().revoked_at, Some(9));
    assert!(s.any_key().await.unwrap());
    assert_eq!(s.keys().await.unwrap().len(), 1);
}

/// Runs every behaviour above against the store `$open` (an async
/// expression giving something that derefs to a `Database`).
macro_rules! conformance {
    ($open:expr) => {
        $crate::store::conformance::conformance!(@tests $open;
            a_job_is_claimed_once,
            concurrent_claims_of_one_job_have_one_winner,
            completion_is_fenced_by_owner_and_attempt,
            a_retry_waits_queued_until_its_time_and_keeps_the_failure,
            a_failure_is_final_and_kept,
            cancel_reports_the_previous_state,
            a_cancelled_running_job_cannot_complete,
            heartbeats_extend_only_the_owners_leases,
            a_heartbeat_names_the_jobs_that_are_no_longer_the_owners,
            list_pages_newest_first,
            a_list_shows_only_the_tenants_own_jobs,
            the_cache_key_finds_a_completed_job_before_one_in_flight,
            an_identical_submission_joins_the_job_in_flight_or_completed,
            concurrent_identical_submissions_make_one_job,
            stats_and_digests_count_what_is_there,
            progress_and_usage_are_written_behind_the_caller,
            usage_added_before_an_attempts_end_is_there_when_it_ends,
            a_second_job_with_the_same_id_is_a_conflict,
            a_key_with_a_nul_names_nothing,
            a_stored_key_reads_back_and_revoking_it_keeps_the_api_closed,
        );
    };
    (@tests $open:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store = $open.await;
                $crate::store::conformance::$name(&*store).await;
            }
        )*
    };
}
pub(crate) use conformance;

//! One suite for every store implementation (River's `riverdrivertest`
//! shape): each behaviour is a function over `&dyn Database`, and
//! [`conformance!`] runs every function against one implementation. A new
//! implementation passes this suite or it is not a store.

use std::time::Duration;

use super::{
    Activated, Activation, Database, Finish, KeyRecord, KvNamespace, ListFilter, LlmUsage, NewJob, Releases, Status,
    StoreError,
};
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
        parent: None,
        now: 1,
    }
}

fn failure(retryable: bool) -> Failure {
    Failure { code: "BOOM".into(), message: "it broke".into(), retryable }
}

const LONG: Duration = Duration::from_secs(60);

/// Claims for `owner` whatever is due of `echo`, at most `limit` jobs.
async fn claim(s: &dyn Database, owner: &str, limit: usize, lease: Duration) -> Vec<super::Claimed> {
    s.claim_next("echo", owner, limit, lease, "d", 2).await.unwrap()
}

fn ids(claimed: &[super::Claimed]) -> Vec<&str> {
    claimed.iter().map(|c| c.id.as_str()).collect()
}

pub async fn a_job_is_claimed_once(s: &dyn Database) {
    s.insert(job("job_a")).await.unwrap();
    let claimed = s.claim_next("echo", "host1", 10, LONG, "sha256:x", 2).await.unwrap();
    let [c] = claimed.as_slice() else { panic!("claimed {:?}", ids(&claimed)) };
    assert_eq!((c.id.as_str(), c.attempt, c.max_attempts, c.input.as_str()), ("job_a", 1, 2, "{}"));
    assert_eq!(c.accepted_digest.as_deref(), Some("d"));
    assert!(claim(s, "host2", 10, LONG).await.is_empty());
    let record = s.get("job_a").await.unwrap().unwrap();
    assert_eq!((record.status, record.component_digest.as_deref()), (Status::Processing, Some("sha256:x")));
    assert_eq!(record.started_at, Some(2), "the attempt starts when its version was picked");
}

pub async fn claims_take_the_oldest_jobs_of_their_capability_first(s: &dyn Database) {
    for id in ["job_1", "job_2", "job_3"] {
        s.insert(job(id)).await.unwrap();
    }
    s.insert(NewJob { capability: "other".into(), ..job("job_0") }).await.unwrap();
    assert_eq!(ids(&claim(s, "h", 2, LONG).await), ["job_1", "job_2"]);
    assert_eq!(ids(&claim(s, "h", 2, LONG).await), ["job_3"]);
    assert!(claim(s, "h", 2, LONG).await.is_empty(), "another capability's job is not this one's");
}

pub async fn concurrent_claims_never_take_the_same_job(s: &dyn Database) {
    for i in 0..30 {
        s.insert(job(&format!("job_{i:02}"))).await.unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    loop {
        let (a, b, c) = tokio::join!(claim(s, "h1", 4, LONG), claim(s, "h2", 4, LONG), claim(s, "h3", 4, LONG));
        if a.is_empty() && b.is_empty() && c.is_empty() {
            break;
        }
        for claimed in [a, b, c].iter().flatten() {
            assert!(seen.insert(claimed.id.clone()), "{} was claimed twice", claimed.id);
        }
    }
    assert_eq!(seen.len(), 30, "every job is claimed once");
}

pub async fn completion_is_fenced_by_owner_and_attempt(s: &dyn Database) {
    s.insert(job("job_b")).await.unwrap();
    claim(s, "host1", 1, Duration::from_millis(1)).await;
    // The lease expires and another host takes the job over.
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(s.reclaim_expired().await.unwrap().len(), 1);
    let taken = claim(s, "host2", 1, LONG).await;
    assert_eq!(taken.iter().map(|c| c.attempt).collect::<Vec<_>>(), [2]);
    let stale = s.finish("job_b", "host1", 1, Finish::Completed { result: "1".into() }, 22).await.unwrap();
    assert!(!stale);
    let fresh = s.finish("job_b", "host2", 2, Finish::Completed { result: "2".into() }, 23).await.unwrap();
    assert!(fresh);
    let again = s.finish("job_b", "host2", 2, Finish::Completed { result: "3".into() }, 24).await.unwrap();
    assert!(!again);
    let record = s.get("job_b").await.unwrap().unwrap();
    assert_eq!((record.status, record.result.as_deref(), record.finished_at), (Status::Completed, Some("2"), Some(23)));
}

pub async fn a_live_lease_is_not_reclaimed(s: &dyn Database) {
    s.insert(job("job_l")).await.unwrap();
    claim(s, "h", 1, LONG).await;
    assert!(s.reclaim_expired().await.unwrap().is_empty());
    assert_eq!(s.get("job_l").await.unwrap().unwrap().status, Status::Processing);
}

pub async fn a_retry_waits_queued_until_its_time_and_keeps_the_failure(s: &dyn Database) {
    s.insert(job("job_r")).await.unwrap();
    claim(s, "h", 1, LONG).await;
    let retried = Finish::Retry { failure: failure(true), delay: Duration::from_millis(400) };
    assert!(s.finish("job_r", "h", 1, retried, 3).await.unwrap());
    let record = s.get("job_r").await.unwrap().unwrap();
    assert_eq!(record.status, Status::Queued);
    assert_eq!(record.failure.as_ref().map(|f| (f.code.as_str(), f.retryable)), Some(("BOOM", true)));
    assert!(claim(s, "h", 1, LONG).await.is_empty(), "claimed before its retry delay passed");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = claim(s, "h", 1, LONG).await;
    assert_eq!(again.iter().map(|c| c.attempt).collect::<Vec<_>>(), [2]);
}

pub async fn a_failure_is_final_and_kept(s: &dyn Database) {
    s.insert(job("job_f")).await.unwrap();
    claim(s, "h", 1, LONG).await;
    assert!(s.finish("job_f", "h", 1, Finish::Failed { failure: failure(false) }, 4).await.unwrap());
    let record = s.get("job_f").await.unwrap().unwrap();
    assert_eq!((record.status, record.finished_at), (Status::Failed, Some(4)));
    assert_eq!(record.failure.unwrap().message, "it broke");
    assert!(claim(s, "h", 1, LONG).await.is_empty());
}

pub async fn cancel_reports_the_previous_state(s: &dyn Database) {
    s.insert(job("job_c")).await.unwrap();
    assert_eq!(s.cancel("job_c", 5).await.unwrap(), Some(Status::Queued));
    assert_eq!(s.cancel("job_c", 6).await.unwrap(), Some(Status::Cancelled));
    assert_eq!(s.cancel("job_nope", 6).await.unwrap(), None);
    assert!(claim(s, "h", 1, LONG).await.is_empty());
    assert_eq!(s.get("job_c").await.unwrap().unwrap().failure.unwrap().code, "JOB_CANCELLED");
}

pub async fn a_cancelled_running_job_cannot_complete(s: &dyn Database) {
    s.insert(job("job_x")).await.unwrap();
    claim(s, "h", 1, LONG).await;
    assert_eq!(s.cancel("job_x", 3).await.unwrap(), Some(Status::Processing));
    assert!(!s.finish("job_x", "h", 1, Finish::Completed { result: "1".into() }, 4).await.unwrap());
    assert_eq!(s.get("job_x").await.unwrap().unwrap().status, Status::Cancelled);
}

pub async fn heartbeats_extend_only_the_owners_leases(s: &dyn Database) {
    s.insert(job("job_1")).await.unwrap();
    claim(s, "mine", 1, Duration::from_millis(300)).await;
    s.insert(job("job_2")).await.unwrap();
    claim(s, "theirs", 1, Duration::from_millis(300)).await;
    let lost = s.heartbeat("mine", vec!["job_1".into(), "job_2".into()], LONG).await.unwrap();
    assert_eq!(lost, ["job_2"], "a job of another owner is not this owner's");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired: Vec<String> = s.reclaim_expired().await.unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(expired, ["job_2"]);
    assert_eq!(s.get("job_1").await.unwrap().unwrap().status, Status::Processing);
}

pub async fn a_heartbeat_names_the_jobs_that_are_no_longer_the_owners(s: &dyn Database) {
    for id in ["job_kept", "job_cancelled", "job_taken"] {
        s.insert(job(id)).await.unwrap();
    }
    assert_eq!(claim(s, "mine", 3, Duration::from_millis(300)).await.len(), 3);
    s.cancel("job_cancelled", 3).await.unwrap();
    // Its lease ran out and another host took it over.
    s.heartbeat("mine", vec!["job_kept".into()], LONG).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(s.reclaim_expired().await.unwrap().len(), 1);
    assert_eq!(ids(&claim(s, "theirs", 3, LONG).await), ["job_taken"]);
    let held = vec!["job_kept".into(), "job_cancelled".into(), "job_taken".into()];
    let mut lost = s.heartbeat("mine", held, LONG).await.unwrap();
    lost.sort();
    assert_eq!(lost, ["job_cancelled", "job_taken"]);
}

pub async fn the_queue_is_counted_per_capability(s: &dyn Database) {
    for id in ["job_1", "job_2", "job_3"] {
        s.insert(job(id)).await.unwrap();
    }
    s.insert(NewJob { capability: "other".into(), ..job("job_4") }).await.unwrap();
    claim(s, "h", 1, LONG).await;
    s.cancel("job_2", 2).await.unwrap();
    let mut counts = s.queued_counts().await.unwrap();
    counts.sort();
    assert_eq!(counts, [("echo".to_string(), 1), ("other".to_string(), 1)]);
}

pub async fn the_jobs_that_ended_are_told_apart_from_those_that_did_not(s: &dyn Database) {
    for id in ["job_1", "job_2", "job_3"] {
        s.insert(job(id)).await.unwrap();
    }
    claim(s, "h", 1, LONG).await;
    s.finish("job_1", "h", 1, Finish::Completed { result: "{}".into() }, 3).await.unwrap();
    s.cancel("job_2", 4).await.unwrap();
    let asked: Vec<String> = ["job_1", "job_2", "job_3", "job_nope", "job_\0"].map(String::from).into();
    let mut ended = s.terminal_among(&asked).await.unwrap();
    ended.sort();
    assert_eq!(ended, ["job_1", "job_2"]);
    assert!(s.terminal_among(&[]).await.unwrap().is_empty());
}

pub async fn list_pages_newest_first(s: &dyn Database) {
    for i in 0..5 {
        s.insert(job(&format!("job_{i}"))).await.unwrap();
    }
    let first = s.list(&ListFilter { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(first.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_4", "job_3"]);
    let next = s.list(&ListFilter { limit: 2, before: Some("job_3".into()), ..Default::default() }).await.unwrap();
    assert_eq!(next.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["job_2", "job_1"]);
    assert_eq!(ids(&claim(s, "h", 1, LONG).await), ["job_0"]);
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
    let claimed = claim(s, "h", 10, LONG).await;
    let of_b = claimed.iter().find(|c| c.id == "job_2").expect("job_2 claimed");
    assert_eq!(of_b.tenant.as_deref(), Some("b"));
}

pub async fn the_cache_key_finds_a_completed_job_before_one_in_flight(s: &dyn Database) {
    let keyed = |id: &str| NewJob { cache_key: Some("k".into()), ..job(id) };
    s.insert(keyed("job_1")).await.unwrap();
    s.insert(keyed("job_2")).await.unwrap();
    assert_eq!(s.find_by_cache_key("k").await.unwrap().unwrap().id, "job_2");
    assert_eq!(ids(&claim(s, "h", 1, LONG).await), ["job_1"]);
    s.finish("job_1", "h", 1, Finish::Completed { result: "{}".into() }, 3).await.unwrap();
    assert_eq!(s.find_by_cache_key("k").await.unwrap().unwrap().id, "job_1");
    assert!(s.find_by_cache_key("other").await.unwrap().is_none());
}

pub async fn an_identical_submission_joins_the_job_in_flight_or_completed(s: &dyn Database) {
    let keyed = |id: &str| NewJob { cache_key: Some("k".into()), ..job(id) };
    assert!(s.insert_or_join(keyed("job_1")).await.unwrap().is_none(), "the first is inserted");
    assert_eq!(s.insert_or_join(keyed("job_2")).await.unwrap().map(|j| j.id).as_deref(), Some("job_1"));
    assert_eq!(ids(&claim(s, "h", 1, LONG).await), ["job_1"]);
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
    s.claim_next("echo", "h", 1, LONG, "sha256:a", 2).await.unwrap();
    s.claim_next("echo", "h", 1, LONG, "sha256:b", 2).await.unwrap();
    let stats = s.stats().await.unwrap();
    assert_eq!((stats.queued, stats.processing), (1, 2));
    let mut digests = s.jobs_per_digest("echo").await.unwrap();
    digests.sort();
    assert_eq!(digests, [("sha256:a".to_string(), 1), ("sha256:b".to_string(), 1)]);
}

pub async fn progress_and_usage_are_written_behind_the_caller(s: &dyn Database) {
    s.insert(job("job_p")).await.unwrap();
    claim(s, "h", 1, LONG).await;
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
    claim(s, "h", 1, LONG).await;
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

pub async fn a_pipelines_steps_read_back_linked_to_it_in_id_order(s: &dyn Database) {
    use super::StepOf;
    let step = |id: &str, name: &str| NewJob {
        parent: Some(StepOf { parent_id: "job_p".into(), step: name.into() }),
        ..job(id)
    };
    s.insert(job("job_p")).await.unwrap();
    s.insert(step("job_p-1", "checklist")).await.unwrap();
    s.insert(step("job_p-0", "summarize")).await.unwrap();
    s.insert(job("job_q")).await.unwrap();
    let steps = s.steps_of("job_p").await.unwrap();
    let names: Vec<_> = steps.iter().map(|j| (j.id.as_str(), j.parent.clone().unwrap().step)).collect();
    assert_eq!(names, [("job_p-0", "summarize".to_string()), ("job_p-1", "checklist".to_string())]);
    assert_eq!(steps[0].parent.as_ref().unwrap().parent_id, "job_p");
    assert!(s.get("job_p").await.unwrap().unwrap().parent.is_none());
    assert!(s.steps_of("job_q").await.unwrap().is_empty());
    assert!(s.steps_of("job_\0").await.unwrap().is_empty());
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

fn release<'a>(component: &'a str, digest: &'a str, wasm: Option<&'a [u8]>, keep: usize) -> Activation<'a> {
    Activation { component, digest, wasm, from_manifest: false, keep, now: 1 }
}

pub async fn a_pushed_version_becomes_active_with_its_bytes(s: &dyn Database) {
    assert_eq!(s.releases("echo").await.unwrap(), Releases::default(), "never activated");
    let first = s.activate(release("echo", "sha256:a", Some(b"\0asm a"), 5)).await.unwrap().unwrap();
    assert_eq!(first.previous, None);
    let second = s.activate(release("echo", "sha256:b", Some(b"\0asm b"), 5)).await.unwrap().unwrap();
    assert_eq!(second.previous.as_deref(), Some("sha256:a"));
    assert!(second.generation > first.generation);
    assert_eq!(s.active_all().await.unwrap(), [("echo".to_string(), "sha256:b".to_string())]);
    assert_eq!(s.wasm("echo", "sha256:b").await.unwrap().as_deref(), Some(&b"\0asm b"[..]));
    assert_eq!(s.wasm("echo", "sha256:a").await.unwrap().as_deref(), Some(&b"\0asm a"[..]));
    assert_eq!(s.wasm("echo", "sha256:c").await.unwrap(), None);
    let releases = s.releases("echo").await.unwrap();
    assert_eq!((releases.active(), releases.previous()), (Some("sha256:b"), Some("sha256:a")));
}

pub async fn the_history_keeps_the_newest_versions_and_drops_the_bytes_of_the_rest(s: &dyn Database) {
    for digest in ["sha256:a", "sha256:b", "sha256:c"] {
        s.activate(release("echo", digest, Some(digest.as_bytes()), 2)).await.unwrap().unwrap();
    }
    assert_eq!(s.releases("echo").await.unwrap().history, ["sha256:b", "sha256:c"]);
    assert_eq!(s.wasm("echo", "sha256:a").await.unwrap(), None, "the bytes of a dropped version stay behind");
    assert!(s.activate(release("echo", "sha256:a", None, 2)).await.unwrap().is_none(), "dropped means gone");
    assert_eq!(s.wasm("echo", "sha256:b").await.unwrap().as_deref(), Some(&b"sha256:b"[..]));
}

pub async fn a_rollback_moves_a_kept_version_to_the_end_without_bytes(s: &dyn Database) {
    for digest in ["sha256:a", "sha256:b", "sha256:c"] {
        s.activate(release("echo", digest, Some(digest.as_bytes()), 5)).await.unwrap().unwrap();
    }
    let back = s.activate(release("echo", "sha256:a", None, 5)).await.unwrap().unwrap();
    assert_eq!(back.previous.as_deref(), Some("sha256:c"));
    assert_eq!(s.releases("echo").await.unwrap().history, ["sha256:b", "sha256:c", "sha256:a"]);
    assert_eq!(s.active_all().await.unwrap(), [("echo".to_string(), "sha256:a".to_string())]);
    // Activating the active version again changes nothing but the generation.
    let again = s.activate(release("echo", "sha256:a", Some(b"sha256:a"), 5)).await.unwrap().unwrap();
    assert_eq!(again.previous.as_deref(), Some("sha256:a"));
    assert_eq!(s.releases("echo").await.unwrap().history, ["sha256:b", "sha256:c", "sha256:a"]);
}

pub async fn a_version_without_stored_bytes_is_not_activated(s: &dyn Database) {
    assert!(s.activate(release("echo", "sha256:x", None, 5)).await.unwrap().is_none());
    assert!(s.active_all().await.unwrap().is_empty());
    s.activate(release("echo", "sha256:a", Some(b"a"), 5)).await.unwrap().unwrap();
    assert!(s.activate(release("echo", "sha256:x", None, 5)).await.unwrap().is_none());
    assert_eq!(s.releases("echo").await.unwrap().history, ["sha256:a"]);
    let next = s.activate(release("echo", "sha256:b", Some(b"b"), 5)).await.unwrap().unwrap();
    assert_eq!(next.previous.as_deref(), Some("sha256:a"), "a refused activation left no trace");
}

pub async fn only_a_manifest_deployment_records_the_manifest_digest(s: &dyn Database) {
    let deployed = Activation { from_manifest: true, ..release("echo", "sha256:m", Some(b"m"), 5) };
    s.activate(deployed).await.unwrap().unwrap();
    s.activate(release("echo", "sha256:p", Some(b"p"), 5)).await.unwrap().unwrap();
    let releases = s.releases("echo").await.unwrap();
    assert_eq!(releases.manifest_digest.as_deref(), Some("sha256:m"), "a push is not a manifest deployment");
    assert_eq!(releases.active(), Some("sha256:p"));
    assert_eq!(s.releases("other").await.unwrap(), Releases::default());
}

pub async fn concurrent_activations_leave_one_active_version_and_a_whole_history(s: &dyn Database) {
    let digests = ["sha256:1", "sha256:2", "sha256:3", "sha256:4"];
    let (a, b, c, d) = tokio::join!(
        s.activate(release("echo", digests[0], Some(b"1"), 10)),
        s.activate(release("echo", digests[1], Some(b"2"), 10)),
        s.activate(release("echo", digests[2], Some(b"3"), 10)),
        s.activate(release("echo", digests[3], Some(b"4"), 10))
    );
    let mut done: Vec<Activated> = [a, b, c, d].into_iter().map(|r| r.unwrap().unwrap()).collect();
    done.sort_by_key(|x| x.generation);
    let generations: Vec<i64> = done.iter().map(|x| x.generation).collect();
    assert_eq!(generations, [1, 2, 3, 4], "each activation saw the one before it");
    let history = s.releases("echo").await.unwrap().history;
    assert_eq!(history.len(), 4, "{history:?}");
    // Each activation's `previous` is the one committed just before it.
    assert_eq!(done[0].previous, None);
    for i in 1..4 {
        assert_eq!(done[i].previous.as_deref(), Some(history[i - 1].as_str()), "{history:?}");
    }
    assert_eq!(s.active_all().await.unwrap(), [("echo".to_string(), history[3].clone())]);
}

pub async fn each_component_has_its_own_active_version(s: &dyn Database) {
    s.activate(release("echo", "sha256:a", Some(b"a"), 1)).await.unwrap().unwrap();
    s.activate(release("slow", "sha256:s", Some(b"s"), 1)).await.unwrap().unwrap();
    s.activate(release("echo", "sha256:b", Some(b"b"), 1)).await.unwrap().unwrap();
    let expected = [("echo".to_string(), "sha256:b".to_string()), ("slow".to_string(), "sha256:s".to_string())];
    assert_eq!(s.active_all().await.unwrap(), expected);
    assert_eq!(s.releases("slow").await.unwrap().history, ["sha256:s"], "keep applies per component");
    assert_eq!(s.wasm("slow", "sha256:a").await.unwrap(), None, "bytes are per component");
}

fn ns(owner: &str, component: &str, store: &str) -> KvNamespace {
    KvNamespace { owner: owner.into(), component: component.into(), store: store.into() }
}

const MANY: u64 = 10_000;

pub async fn a_value_reads_back_as_written_and_a_second_set_replaces_it(s: &dyn Database) {
    let at = ns("", "probe", "default");
    assert_eq!(s.kv_get(&at, "k").await.unwrap(), None);
    assert!(!s.kv_exists(&at, "k").await.unwrap());
    let bytes: Vec<u8> = (0..=255).collect();
    assert!(s.kv_set(&at, "k", &bytes, MANY).await.unwrap());
    assert_eq!(s.kv_get(&at, "k").await.unwrap(), Some(bytes), "every byte value survives");
    assert!(s.kv_exists(&at, "k").await.unwrap());
    assert!(s.kv_set(&at, "k", b"second", MANY).await.unwrap());
    assert_eq!(s.kv_get(&at, "k").await.unwrap().as_deref(), Some(&b"second"[..]));
    assert!(s.kv_set(&at, "empty", b"", MANY).await.unwrap());
    assert_eq!(s.kv_get(&at, "empty").await.unwrap(), Some(vec![]), "an empty value is a value");
    assert_eq!(s.kv_count(&at).await.unwrap(), 2, "a replaced key counts once");
    let big = vec![7u8; 1 << 20];
    assert!(s.kv_set(&at, "ключ/🔑", &big, MANY).await.unwrap());
    assert_eq!(s.kv_get(&at, "ключ/🔑").await.unwrap(), Some(big), "a 1 MiB value under a non-ASCII key");
}

pub async fn a_deleted_key_is_gone_and_deleting_it_again_is_not_an_error(s: &dyn Database) {
    let at = ns("tenant:acme", "probe", "default");
    s.kv_set(&at, "a", b"1", MANY).await.unwrap();
    s.kv_set(&at, "b", b"2", MANY).await.unwrap();
    assert!(s.kv_delete(&at, "a").await.unwrap());
    assert!(!s.kv_delete(&at, "a").await.unwrap(), "deleting a missing key says it was not there");
    assert_eq!(s.kv_get(&at, "a").await.unwrap(), None);
    assert!(!s.kv_exists(&at, "a").await.unwrap());
    assert_eq!(s.kv_get(&at, "b").await.unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(s.kv_count(&at).await.unwrap(), 1);
}

pub async fn namespaces_differing_in_owner_component_or_store_never_share_keys(s: &dyn Database) {
    let spaces = [
        ns("", "probe", "default"),
        ns("tenant:acme", "probe", "default"),
        ns("tenant:globex", "probe", "default"),
        ns("examples:probe", "probe", "default"),
        ns("tenant:acme", "other", "default"),
        ns("tenant:acme", "probe", "cache"),
    ];
    for (i, at) in spaces.iter().enumerate() {
        s.kv_set(at, "shared", format!("{i}").as_bytes(), MANY).await.unwrap();
        s.kv_set(at, &format!("only-{i}"), b"x", MANY).await.unwrap();
    }
    s.kv_delete(&spaces[0], "shared").await.unwrap();
    for (i, at) in spaces.iter().enumerate().skip(1) {
        let mine = s.kv_get(at, "shared").await.unwrap();
        assert_eq!(mine.as_deref(), Some(format!("{i}").as_bytes()), "{at:?} reads its own value");
        assert_eq!(s.kv_keys(at, "", 0, 100).await.unwrap(), [format!("only-{i}"), "shared".to_string()]);
        assert_eq!(s.kv_count(at).await.unwrap(), 2);
    }
    assert_eq!(s.kv_get(&spaces[0], "shared").await.unwrap(), None, "a delete reaches one namespace only");
    assert!(!s.kv_exists(&spaces[1], "only-0").await.unwrap());
}

pub async fn keys_are_listed_in_byte_order_by_prefix_a_page_at_a_time(s: &dyn Database) {
    let at = ns("", "probe", "default");
    for key in ["user:2", "user:10", "user:1", "room:a", "User:3", "user:é", "user:z", "user%", "user_"] {
        s.kv_set(&at, key, b"v", MANY).await.unwrap();
    }
    let all = s.kv_keys(&at, "", 0, 100).await.unwrap();
    assert_eq!(all, ["User:3", "room:a", "user%", "user:1", "user:10", "user:2", "user:z", "user:é", "user_"]);
    let users = s.kv_keys(&at, "user:", 0, 100).await.unwrap();
    assert_eq!(users, ["user:1", "user:10", "user:2", "user:z", "user:é"], "a prefix has no wildcards or case folding");
    assert_eq!(s.kv_keys(&at, "user:", 1, 2).await.unwrap(), ["user:10", "user:2"]);
    assert_eq!(s.kv_keys(&at, "user:", 4, 2).await.unwrap(), ["user:é"]);
    assert!(s.kv_keys(&at, "user:", 5, 2).await.unwrap().is_empty());
    assert!(s.kv_keys(&at, "nobody", 0, 10).await.unwrap().is_empty());
    assert!(s.kv_keys(&ns("", "probe", "empty"), "", 0, 10).await.unwrap().is_empty());
}

pub async fn a_full_store_refuses_new_keys_but_replaces_and_deletes_its_own(s: &dyn Database) {
    let at = ns("tenant:acme", "probe", "default");
    for key in ["a", "b", "c"] {
        assert!(s.kv_set(&at, key, b"1", 3).await.unwrap());
    }
    assert!(!s.kv_set(&at, "d", b"1", 3).await.unwrap(), "a fourth key is refused");
    assert_eq!(s.kv_get(&at, "d").await.unwrap(), None, "a refused key is not written");
    assert!(s.kv_set(&at, "a", b"2", 3).await.unwrap(), "replacing a key adds none");
    assert!(s.kv_set(&ns("tenant:acme", "probe", "other"), "d", b"1", 3).await.unwrap(), "the limit is per store");
    s.kv_delete(&at, "b").await.unwrap();
    assert!(s.kv_set(&at, "d", b"1", 3).await.unwrap(), "a delete makes room");
    assert_eq!(s.kv_count(&at).await.unwrap(), 3);
}

pub async fn concurrent_new_keys_never_pass_the_limit(s: &dyn Database) {
    let at = ns("", "probe", "default");
    let sets = (0..24).map(|i| {
        let at = &at;
        async move { s.kv_set(at, &format!("k{i:02}"), b"v", 5).await.unwrap() }
    });
    let stored = futures::future::join_all(sets).await;
    assert_eq!(stored.iter().filter(|ok| **ok).count(), 5, "{stored:?}");
    assert_eq!(s.kv_count(&at).await.unwrap(), 5);
}

fn new_user<'a>(email: &'a str, subject: Option<&'a str>) -> crate::store::NewUser<'a> {
    crate::store::NewUser {
        name: "홍길동",
        email,
        password_hash: subject.is_none().then_some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        auth_provider: if subject.is_some() { "google" } else { "local" },
        subject,
        is_verified: subject.is_some(),
        created_at: 1_700_000_000_000,
    }
}

pub async fn an_account_reads_back_by_id_email_and_identity(s: &dyn Database) {
    let local = s.insert_user(new_user("a@example.com", None)).await.unwrap();
    assert!(local.id > 0);
    assert_eq!((local.name.as_str(), local.is_active, local.is_verified), ("홍길동", true, false));
    assert_eq!(s.user(local.id).await.unwrap(), Some(local.clone()));
    assert_eq!(s.user_by_email("a@example.com").await.unwrap(), Some(local.clone()));
    let google = s.insert_user(new_user("g@example.com", Some("sub-1"))).await.unwrap();
    assert_ne!(google.id, local.id);
    assert_eq!(s.user_by_subject("google", "sub-1").await.unwrap(), Some(google));
    assert_eq!(s.user_by_subject("google", "sub-2").await.unwrap(), None);
    assert_eq!(s.user(local.id + 1000).await.unwrap(), None);
}

pub async fn a_taken_email_is_a_conflict_even_when_two_sign_up_at_once(s: &dyn Database) {
    let tries = (0..6).map(|_| s.insert_user(new_user("same@example.com", None)));
    let results = futures::future::join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results.iter().filter_map(|r| r.as_ref().err()).all(|e| matches!(e, StoreError::Conflict(_))));
}

/// Runs every behaviour above against the store `$open` (an async
/// expression giving something that derefs to a `Database`).
macro_rules! conformance {
    ($open:expr) => {
        $crate::store::conformance::conformance!(@tests $open;
            a_job_is_claimed_once,
            claims_take_the_oldest_jobs_of_their_capability_first,
            concurrent_claims_never_take_the_same_job,
            completion_is_fenced_by_owner_and_attempt,
            a_live_lease_is_not_reclaimed,
            a_retry_waits_queued_until_its_time_and_keeps_the_failure,
            a_failure_is_final_and_kept,
            cancel_reports_the_previous_state,
            a_cancelled_running_job_cannot_complete,
            heartbeats_extend_only_the_owners_leases,
            a_heartbeat_names_the_jobs_that_are_no_longer_the_owners,
            the_queue_is_counted_per_capability,
            the_jobs_that_ended_are_told_apart_from_those_that_did_not,
            list_pages_newest_first,
            a_list_shows_only_the_tenants_own_jobs,
            the_cache_key_finds_a_completed_job_before_one_in_flight,
            an_identical_submission_joins_the_job_in_flight_or_completed,
            concurrent_identical_submissions_make_one_job,
            stats_and_digests_count_what_is_there,
            progress_and_usage_are_written_behind_the_caller,
            usage_added_before_an_attempts_end_is_there_when_it_ends,
            a_second_job_with_the_same_id_is_a_conflict,
            a_pipelines_steps_read_back_linked_to_it_in_id_order,
            a_key_with_a_nul_names_nothing,
            a_stored_key_reads_back_and_revoking_it_keeps_the_api_closed,
            a_pushed_version_becomes_active_with_its_bytes,
            the_history_keeps_the_newest_versions_and_drops_the_bytes_of_the_rest,
            a_rollback_moves_a_kept_version_to_the_end_without_bytes,
            a_version_without_stored_bytes_is_not_activated,
            only_a_manifest_deployment_records_the_manifest_digest,
            concurrent_activations_leave_one_active_version_and_a_whole_history,
            each_component_has_its_own_active_version,
            a_value_reads_back_as_written_and_a_second_set_replaces_it,
            a_deleted_key_is_gone_and_deleting_it_again_is_not_an_error,
            namespaces_differing_in_owner_component_or_store_never_share_keys,
            keys_are_listed_in_byte_order_by_prefix_a_page_at_a_time,
            a_full_store_refuses_new_keys_but_replaces_and_deletes_its_own,
            concurrent_new_keys_never_pass_the_limit,
            an_account_reads_back_by_id_email_and_identity,
            a_taken_email_is_a_conflict_even_when_two_sign_up_at_once,
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

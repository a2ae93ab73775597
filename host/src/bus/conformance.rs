//! What every [`Bus`] must do, given two hosts on one network (River's
//! `riverdrivertest` shape): one function per behaviour, all called by [`run`].

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::{Bus, Notice};

/// How long a notice may take to arrive.
const DELIVERY: Duration = Duration::from_secs(5);

pub async fn run(first: &dyn Bus, second: &dyn Bus) {
    let mut heard_by_first = first.listen().await;
    let mut heard_by_second = second.listen().await;
    a_listening_host_says_it_hears_the_others(first, second);
    a_notice_reaches_the_other_host_in_order(first, &mut heard_by_second).await;
    a_host_does_not_hear_its_own_notices(first, second, &mut heard_by_first).await;
    every_kind_of_notice_survives_the_trip(second, &mut heard_by_first).await;
    the_same_notice_twice_arrives_twice(second, &mut heard_by_first).await;
}

fn a_listening_host_says_it_hears_the_others(first: &dyn Bus, second: &dyn Bus) {
    assert_eq!(first.status(), Ok(()));
    assert_eq!(second.status(), Ok(()));
}

async fn the_same_notice_twice_arrives_twice(first: &dyn Bus, heard: &mut UnboundedReceiver<Notice>) {
    let dot = Notice::Chunk { job: "job_dots".into(), text: ".".into() };
    for _ in 0..3 {
        first.broadcast(dot.clone());
    }
    first.broadcast(cancel("job_after_the_dots"));
    for _ in 0..3 {
        assert_eq!(next(heard).await, dot);
    }
    assert_eq!(next(heard).await, cancel("job_after_the_dots"));
}

fn cancel(job: &str) -> Notice {
    Notice::Cancel { job: job.into() }
}

async fn next(rx: &mut UnboundedReceiver<Notice>) -> Notice {
    tokio::time::timeout(DELIVERY, rx.recv()).await.expect("a notice within the delivery time").expect("open")
}

async fn a_notice_reaches_the_other_host_in_order(first: &dyn Bus, heard: &mut UnboundedReceiver<Notice>) {
    for i in 0..20 {
        first.broadcast(cancel(&format!("job_{i}")));
    }
    for i in 0..20 {
        assert_eq!(next(heard).await, cancel(&format!("job_{i}")));
    }
}

async fn a_host_does_not_hear_its_own_notices(
    first: &dyn Bus,
    second: &dyn Bus,
    heard: &mut UnboundedReceiver<Notice>,
) {
    first.broadcast(cancel("job_own"));
    // Sent after, so heard after: had the first host heard its own, it would come first.
    second.broadcast(cancel("job_theirs"));
    assert_eq!(next(heard).await, cancel("job_theirs"));
}

async fn every_kind_of_notice_survives_the_trip(second: &dyn Bus, heard: &mut UnboundedReceiver<Notice>) {
    let notices = [
        Notice::Progress { job: "job_k".into(), percent: 40, step: "half".into(), message: "반쯤 \"왔다\"".into() },
        Notice::Chunk { job: "job_k".into(), text: "part\n".into() },
        Notice::Token { job: "job_k".into(), seq: 7, text: " 셋".into() },
        Notice::Finished { job: "job_k".into() },
        cancel("job_k"),
        Notice::Queued { capability: "echo".into() },
        Notice::Released { component: "echo".into(), digest: "sha256:00".into() },
    ];
    for notice in &notices {
        second.broadcast(notice.clone());
    }
    for notice in notices {
        assert_eq!(next(heard).await, notice);
    }
}

//! What every [`BlobStore`] promises, written once and run against each
//! store (in the manner of River's `riverdrivertest`): a store's tests module
//! implements [`Subject`] and invokes [`blob_store_conformance!`], which
//! makes one test per behaviour below, each with a fresh subject.
//!
//! The writes here are larger than the S3 store's smallest part (5 MiB)
//! where it matters, so that store is exercised through multipart uploads
//! and not only through single PUTs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream;

use super::{BlobError, BlobMeta, BlobStore, BoxError, ByteStream, valid_id};

/// A store under test, and a way to see everything it holds.
#[async_trait]
pub(crate) trait Subject: Send + Sync {
    fn store(&self) -> &dyn BlobStore;

    /// Everything the store holds, named relative to its root, sorted; writes
    /// in progress included (a `.part` file, an unfinished multipart upload),
    /// so a test can tell that a refused write left nothing behind.
    async fn contents(&self) -> Vec<String>;
}

/// More than one part of the S3 store in the tests (5 MiB, the least S3 takes).
const SPANS_PARTS: usize = 6 * 1024 * 1024;

/// Upper bound for an abandoned write's clean-up, which may run after the
/// write was dropped (the S3 store aborts its upload from a spawned task).
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Makes a test per behaviour of this module for one store; `$subject` is an
/// expression (it may `.await`) giving a fresh [`Subject`].
macro_rules! blob_store_conformance {
    ($subject:expr) => {
        mod conformance {
            use super::*;

            $crate::blobs::conformance::blob_store_conformance!(@tests $subject;
                stored_bytes_come_back_with_their_metadata,
                streamed_chunks_are_stored_whole_and_read_back_as_a_stream,
                one_large_chunk_is_stored_whole,
                an_empty_file_is_stored,
                a_stream_past_the_limit_is_refused_and_leaves_nothing,
                a_stream_past_the_limit_after_many_bytes_leaves_nothing,
                a_failing_stream_leaves_nothing_and_returns_its_error,
                an_abandoned_write_leaves_nothing,
                served_type_is_sniffed_from_the_bytes,
                text_is_checked_to_its_last_byte,
                metadata_is_known_without_reading,
                a_range_reads_exactly_its_bytes,
                unknown_and_malformed_ids_are_absent,
                a_healthy_store_passes_its_check,
            );
        }
    };
    (@tests $subject:expr; $($behaviour:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $behaviour() {
                let subject = $subject;
                $crate::blobs::conformance::$behaviour(&subject).await;
            }
        )*
    };
}
pub(crate) use blob_store_conformance;

fn chunks(parts: Vec<Result<Bytes, BoxError>>) -> ByteStream<'static> {
    Box::pin(stream::iter(parts))
}

/// `len` bytes that differ from part to part, so a part written twice or
/// out of order shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ (i / 251 % 256) as u8).collect()
}

async fn read_back(store: &dyn BlobStore, id: &str) -> Option<(BlobMeta, Bytes)> {
    super::read_whole(store.open(id).await.expect("opening a blob")).await.expect("reading a blob")
}

/// A stored blob as the store lays it out: its bytes and its metadata.
fn blob_files(id: &str) -> Vec<String> {
    vec![id.to_string(), format!("{id}.json")]
}

fn same(a: &BlobMeta, b: &BlobMeta) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

pub(crate) async fn stored_bytes_come_back_with_their_metadata(subject: &dyn Subject) {
    let store = subject.store();
    let meta =
        store.put("../../evil/name.txt", "text/plain", Some("acme"), Bytes::from_static(b"hello")).await.unwrap();
    assert!(valid_id(&meta.id), "{}", meta.id);
    assert_eq!(meta.name, "name.txt");
    assert_eq!(meta.size, 5);
    assert_eq!(meta.tenant.as_deref(), Some("acme"));
    assert_eq!(meta.content_type, "text/plain; charset=utf-8");
    assert!(meta.inline);
    assert!(chrono::DateTime::parse_from_rfc3339(&meta.created_at).is_ok(), "{}", meta.created_at);

    let (opened, data) = read_back(store, &meta.id).await.expect("the stored blob");
    assert_eq!(&data[..], b"hello");
    assert!(same(&opened, &meta), "{opened:?} != {meta:?}");
    assert_eq!(subject.contents().await, blob_files(&meta.id));
}

pub(crate) async fn streamed_chunks_are_stored_whole_and_read_back_as_a_stream(subject: &dyn Subject) {
    let store = subject.store();
    // Chunks of an odd size, so part boundaries fall inside them.
    let data = pattern(SPANS_PARTS + 2 * 100_003);
    let parts: Vec<Result<Bytes, BoxError>> = data.chunks(100_003).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let meta = store.put_stream("a.bin", None, None, chunks(parts), data.len() as u64).await.unwrap();
    assert_eq!(meta.size, data.len() as u64);
    assert_eq!(subject.contents().await, blob_files(&meta.id));

    let (opened, mut reader) = store.open(&meta.id).await.unwrap().expect("the stored blob");
    assert_eq!(opened.size, data.len() as u64);
    let mut back = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut back).await.unwrap();
    assert!(back == data, "read back {} bytes that differ from the {} written", back.len(), data.len());
}

pub(crate) async fn one_large_chunk_is_stored_whole(subject: &dyn Subject) {
    let store = subject.store();
    // Bytes a component wrote arrive whole, however large.
    let data = pattern(2 * SPANS_PARTS + 5);
    let meta = store.put("big.bin", "application/octet-stream", None, Bytes::from(data.clone())).await.unwrap();
    assert_eq!(meta.size, data.len() as u64);
    let (_, back) = read_back(store, &meta.id).await.expect("the stored blob");
    assert!(back == data, "read back {} bytes that differ from the {} written", back.len(), data.len());
}

pub(crate) async fn an_empty_file_is_stored(subject: &dyn Subject) {
    let store = subject.store();
    let meta = store.put("empty.txt", "", None, Bytes::new()).await.unwrap();
    assert_eq!(meta.size, 0);
    let (opened, back) = read_back(store, &meta.id).await.expect("the stored blob");
    assert_eq!(opened.size, 0);
    assert!(back.is_empty());
}

pub(crate) async fn a_stream_past_the_limit_is_refused_and_leaves_nothing(subject: &dyn Subject) {
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = polled.clone();
    let endless = stream::repeat_with(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        Ok::<_, BoxError>(Bytes::from_static(&[b'a'; 1024]))
    });
    let err =
        subject.store().put_stream("big.txt", Some("text/plain"), None, Box::pin(endless), 4096).await.unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { max: 4096 }), "{err}");
    assert_eq!(polled.load(Ordering::Relaxed), 5, "reading stops at the first chunk past the limit");
    let left = subject.contents().await;
    assert!(left.is_empty(), "{left:?}");
}

pub(crate) async fn a_stream_past_the_limit_after_many_bytes_leaves_nothing(subject: &dyn Subject) {
    const CHUNK: usize = 64 * 1024;
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = polled.clone();
    let endless = stream::repeat_with(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        Ok::<_, BoxError>(Bytes::from_static(&[7u8; CHUNK]))
    });
    let max = SPANS_PARTS as u64;
    let err = subject.store().put_stream("big.bin", None, None, Box::pin(endless), max).await.unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { max: m } if m == max), "{err}");
    assert_eq!(
        polled.load(Ordering::Relaxed),
        SPANS_PARTS / CHUNK + 1,
        "reading stops at the first chunk past the limit"
    );
    let left = subject.contents().await;
    assert!(left.is_empty(), "{left:?}");
}

pub(crate) async fn a_failing_stream_leaves_nothing_and_returns_its_error(subject: &dyn Subject) {
    let mut parts: Vec<Result<Bytes, BoxError>> = vec![Ok(Bytes::from(pattern(SPANS_PARTS)))];
    parts.push(Ok(Bytes::from_static(b"half a file")));
    parts.push(Err("the client went away".into()));
    let err = subject.store().put_stream("a.txt", None, None, chunks(parts), u64::MAX).await.unwrap_err();
    assert!(matches!(&err, BlobError::Source(e) if e.to_string() == "the client went away"), "{err}");
    let left = subject.contents().await;
    assert!(left.is_empty(), "{left:?}");
}

pub(crate) async fn an_abandoned_write_leaves_nothing(subject: &dyn Subject) {
    // The client sends a good deal, then nothing more, and the request is dropped.
    let (stalled_tx, stalled_rx) = tokio::sync::oneshot::channel::<()>();
    let stalled = async_stream::stream! {
        yield Ok::<_, BoxError>(Bytes::from(pattern(SPANS_PARTS)));
        let _ = stalled_tx.send(());
        futures::future::pending::<()>().await;
    };
    let mut write = subject.store().put_stream("a.bin", None, None, Box::pin(stalled), u64::MAX);
    tokio::select! {
        done = &mut write => panic!("the write ended although its stream never did: {:?}", done.map(|m| m.id)),
        stalled = tokio::time::timeout(Duration::from_secs(60), stalled_rx) => {
            stalled.expect("the store reads the whole first chunk").expect("the stream's sender");
        }
    }
    let during = subject.contents().await;
    assert!(!during.is_empty(), "the write in progress shows in the store's contents");
    drop(write);

    let deadline = tokio::time::Instant::now() + CLEANUP_TIMEOUT;
    loop {
        let left = subject.contents().await;
        if left.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still there {CLEANUP_TIMEOUT:?} after the write was dropped: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn served_type_is_sniffed_from_the_bytes(subject: &dyn Subject) {
    let store = subject.store();
    let html = store.put("x.png", "image/png", None, Bytes::from_static(b"<html><script>1</script>")).await.unwrap();
    assert_eq!((html.content_type.as_str(), html.inline), ("text/html", false));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    let png = store.put("x", "application/octet-stream", None, Bytes::from_static(png)).await.unwrap();
    assert_eq!((png.content_type.as_str(), png.inline), ("image/png", true));
    let kept = store.meta(&png.id).await.unwrap().expect("the stored metadata");
    assert_eq!((kept.content_type.as_str(), kept.inline), ("image/png", true));
}

pub(crate) async fn text_is_checked_to_its_last_byte(subject: &dyn Subject) {
    let store = subject.store();
    // Text in every part but the last byte: only a store that sniffed every
    // part (not just the first) sees that it is not UTF-8.
    let mut almost = vec![b'a'; SPANS_PARTS];
    almost.push(0xff);
    let parts: Vec<Result<Bytes, BoxError>> = almost.chunks(64 * 1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let binary = store.put_stream("notes.txt", None, None, chunks(parts), u64::MAX).await.unwrap();
    assert_eq!((binary.content_type.as_str(), binary.inline), ("application/octet-stream", false));

    let text = Bytes::from(vec![b'a'; SPANS_PARTS + 1]);
    let text = store.put_stream("notes.txt", None, None, chunks(vec![Ok(text)]), u64::MAX).await.unwrap();
    assert_eq!((text.content_type.as_str(), text.inline), ("text/plain; charset=utf-8", true));
}

pub(crate) async fn metadata_is_known_without_reading(subject: &dyn Subject) {
    let store = subject.store();
    let meta = store.put("a.txt", "text/plain", Some("acme"), Bytes::from_static(b"a")).await.unwrap();
    let known = store.meta(&meta.id).await.unwrap().expect("the stored metadata");
    assert!(same(&known, &meta), "{known:?} != {meta:?}");
}

pub(crate) async fn a_range_reads_exactly_its_bytes(subject: &dyn Subject) {
    use tokio::io::AsyncReadExt;
    let store = subject.store();
    let data = pattern(SPANS_PARTS + 1000);
    let meta = store.put("v.bin", "application/octet-stream", None, Bytes::from(data.clone())).await.unwrap();
    for (start, len) in [(0, 10), (5 * 1024 * 1024 - 3, 7), (data.len() as u64 - 1, 1), (123, 0)] {
        let mut reader = store.open_range(&meta.id, start, len).await.unwrap().expect("the stored blob");
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.unwrap();
        let s = start as usize;
        assert_eq!(got, data[s..s + len as usize], "bytes {start}+{len}");
    }
    assert!(store.open_range("f_00000000000000000000000000000000", 0, 1).await.unwrap().is_none());
}

pub(crate) async fn unknown_and_malformed_ids_are_absent(subject: &dyn Subject) {
    let store = subject.store();
    let meta = store.put("a.txt", "text/plain", None, Bytes::from_static(b"a")).await.unwrap();
    let metadata_file = format!("{}.json", meta.id);
    for id in ["f_00000000000000000000000000000000", "../secret", "", metadata_file.as_str(), "f_x"] {
        assert!(store.meta(id).await.unwrap().is_none(), "meta({id:?})");
        assert!(store.open(id).await.unwrap().is_none(), "open({id:?})");
    }
}

pub(crate) async fn a_healthy_store_passes_its_check(subject: &dyn Subject) {
    subject.store().check().await.expect("a healthy store's check");
}

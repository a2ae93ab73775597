//! Blobs as files in a local directory: `<id>` holds the bytes, `<id>.json`
//! the metadata, written last so it marks a complete blob. Bytes stream into
//! `<id>.part` and are renamed into place when whole; a write that fails or
//! is abandoned removes what it wrote.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::sniff::Sniffer;
use super::{BlobError, BlobMeta, BlobReader, BlobStore, ByteStream, new_blob_id, valid_id};

/// Suffix of files still being written.
const PART: &str = "part";

pub struct LocalBlobStore {
    dir: PathBuf,
}

impl LocalBlobStore {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        remove_unfinished(&dir)?;
        Ok(Self { dir })
    }
}

/// Writes cut short by a crash (a cancelled one cleans up after itself).
fn remove_unfinished(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == PART || e == "tmp") {
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(())
}

/// Removes the files of a write unless it completed. Dropping the future of
/// `put_stream` (the client went away) runs this too.
struct Unfinished(Vec<PathBuf>);

impl Unfinished {
    fn done(mut self) {
        self.0.clear();
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put_stream(
        &self,
        name: &str,
        content_type: Option<&str>,
        tenant: Option<&str>,
        mut data: ByteStream<'_>,
        max_size: u64,
    ) -> Result<BlobMeta, BlobError> {
        let id = new_blob_id();
        let (part, path) = (self.dir.join(format!("{id}.{PART}")), self.dir.join(&id));
        let (meta_part, meta_path) = (self.dir.join(format!("{id}.json.{PART}")), self.dir.join(format!("{id}.json")));
        let unfinished = Unfinished(vec![part.clone(), path.clone(), meta_part.clone()]);

        let mut file = tokio::fs::File::create(&part).await?;
        let mut sniffer = Sniffer::default();
        let mut size = 0u64;
        while let Some(chunk) = data.next().await {
            let chunk = chunk.map_err(BlobError::Source)?;
            size += chunk.len() as u64;
            if size > max_size {
                return Err(BlobError::TooLarge { max: max_size });
            }
            sniffer.feed(&chunk);
            file.write_all(&chunk).await?;
        }
        // Durable before it becomes visible: a crash never leaves a short file under its id.
        file.sync_all().await?;
        drop(file);

        let served = sniffer.finish(content_type);
        let meta = BlobMeta {
            id: id.clone(),
            name: sanitize_name(name),
            content_type: served.content_type,
            size,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            inline: served.inline,
            tenant: tenant.map(str::to_string),
        };
        tokio::fs::rename(&part, &path).await?;
        let json = serde_json::to_vec(&meta).map_err(|e| BlobError::Corrupt(e.to_string()))?;
        tokio::fs::write(&meta_part, json).await?;
        tokio::fs::rename(&meta_part, &meta_path).await?;
        unfinished.done();
        Ok(meta)
    }

    async fn open(&self, id: &str) -> Result<Option<(BlobMeta, BlobReader)>, BlobError> {
        let Some(meta) = self.meta(id).await? else { return Ok(None) };
        let file = tokio::fs::File::open(self.dir.join(id)).await?;
        Ok(Some((meta, Box::pin(file))))
    }

    async fn meta(&self, id: &str) -> Result<Option<BlobMeta>, BlobError> {
        if !valid_id(id) {
            return Ok(None);
        }
        // The metadata file is written last, so it marks a complete blob.
        let meta = match tokio::fs::read(self.dir.join(format!("{id}.json"))).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        serde_json::from_slice(&meta).map(Some).map_err(|e| BlobError::Corrupt(e.to_string()))
    }

    async fn check(&self) -> Result<(), BlobError> {
        tokio::fs::metadata(&self.dir).await?;
        Ok(())
    }
}

/// Keep a display name for downloads, without path separators or control characters.
fn sanitize_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if clean.trim().is_empty() { "file".into() } else { clean }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures::stream;

    use super::*;

    fn chunks(parts: Vec<Result<Bytes, crate::blobs::BoxError>>) -> ByteStream<'static> {
        Box::pin(stream::iter(parts))
    }

    /// Every file in the store's directory.
    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    async fn read_back(store: &LocalBlobStore, id: &str) -> Option<(BlobMeta, Bytes)> {
        crate::blobs::read_whole(store.open(id).await.unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn stored_bytes_come_back_with_their_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let meta = store.put("../../evil/name.txt", "text/plain", None, Bytes::from_static(b"hello")).await.unwrap();
        assert_eq!(meta.name, "name.txt");
        let (m, data) = read_back(&store, &meta.id).await.unwrap();
        assert_eq!(&data[..], b"hello");
        assert_eq!(m.content_type, "text/plain; charset=utf-8");
        assert!(m.inline);
        assert!(read_back(&store, "f_00000000000000000000000000000000").await.is_none());
        assert!(read_back(&store, "../secret").await.is_none());
    }

    #[tokio::test]
    async fn streamed_chunks_are_stored_whole_and_read_back_as_a_stream() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let parts: Vec<Bytes> = (0..50u8).map(|i| Bytes::from(vec![i; 1000])).collect();
        let meta = store
            .put_stream("a.bin", None, None, chunks(parts.iter().cloned().map(Ok).collect()), 50_000)
            .await
            .unwrap();
        assert_eq!(meta.size, 50_000);
        assert_eq!(files(dir.path()), [meta.id.clone(), format!("{}.json", meta.id)]);
        let (opened, mut reader) = store.open(&meta.id).await.unwrap().unwrap();
        assert_eq!(opened.size, 50_000);
        let mut back = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut back).await.unwrap();
        assert_eq!(back, parts.concat());
    }

    #[tokio::test]
    async fn a_stream_past_the_limit_is_refused_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let polled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = polled.clone();
        let endless = stream::repeat_with(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok::<_, crate::blobs::BoxError>(Bytes::from_static(&[b'a'; 1024]))
        });
        let err = store.put_stream("big.txt", Some("text/plain"), None, Box::pin(endless), 4096).await.unwrap_err();
        assert!(matches!(err, BlobError::TooLarge { max: 4096 }), "{err}");
        assert_eq!(
            polled.load(std::sync::atomic::Ordering::Relaxed),
            5,
            "reading stops at the first chunk past the limit"
        );
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
    }

    #[tokio::test]
    async fn a_failing_stream_leaves_no_file_and_returns_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let parts = vec![Ok(Bytes::from_static(b"half a file")), Err("the client went away".into())];
        let err = store.put_stream("a.txt", None, None, chunks(parts), 1 << 20).await.unwrap_err();
        assert!(matches!(&err, BlobError::Source(e) if e.to_string() == "the client went away"), "{err}");
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
    }

    #[tokio::test]
    async fn an_abandoned_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        // The client stops sending: one chunk, then nothing, and the request is dropped.
        let stalled =
            stream::iter([Ok::<_, crate::blobs::BoxError>(Bytes::from_static(b"partial"))]).chain(stream::pending());
        let write = store.put_stream("a.txt", None, None, Box::pin(stalled), 1 << 20);
        assert!(tokio::time::timeout(std::time::Duration::from_millis(200), write).await.is_err());
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
    }

    #[tokio::test]
    async fn leftovers_of_a_crash_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f_0123.part"), b"half").unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let meta = store.put("a.txt", "", None, Bytes::from_static(b"a")).await.unwrap();
        LocalBlobStore::new(dir.path().into()).unwrap();
        assert_eq!(files(dir.path()), [meta.id.clone(), format!("{}.json", meta.id)]);
    }

    #[tokio::test]
    async fn served_type_is_sniffed_from_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let html =
            store.put("x.png", "image/png", None, Bytes::from_static(b"<html><script>1</script>")).await.unwrap();
        assert_eq!((html.content_type.as_str(), html.inline), ("text/html", false));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        let png = store.put("x", "application/octet-stream", None, Bytes::from_static(png)).await.unwrap();
        assert_eq!((png.content_type.as_str(), png.inline), ("image/png", true));
    }

    #[tokio::test]
    async fn metadata_written_before_sniffing_is_served_as_an_attachment() {
        let dir = tempfile::tempdir().unwrap();
        let id = "f_0123456789abcdef0123456789abcdef";
        std::fs::write(dir.path().join(id), b"<html>").unwrap();
        let old = r#"{"id":"f_0123456789abcdef0123456789abcdef","name":"a.html","contentType":"image/png","size":6,"createdAt":"2026-01-01T00:00:00.000Z"}"#;
        std::fs::write(dir.path().join(format!("{id}.json")), old).unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let (meta, _) = store.open(id).await.unwrap().unwrap();
        assert!(!meta.inline);
    }

    #[tokio::test]
    async fn existence_is_known_without_reading_and_never_outside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let meta = store.put("a.txt", "text/plain", None, Bytes::from_static(b"a")).await.unwrap();
        assert!(store.meta(&meta.id).await.unwrap().is_some());
        assert!(store.meta("f_00000000000000000000000000000000").await.unwrap().is_none());
        assert!(store.meta("../secret").await.unwrap().is_none());
    }
}

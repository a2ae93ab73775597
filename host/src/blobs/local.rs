//! Blobs as files in a local directory: `<id>` holds the bytes, `<id>.json`
//! the metadata, written last so it marks a complete blob. Bytes stream into
//! `<id>.part` and are renamed into place when whole; a write that fails or
//! is abandoned removes what it wrote.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::sniff::Sniffer;
use super::{BlobError, BlobMeta, BlobReader, BlobStore, ByteStream, new_blob_id, new_meta, valid_id};

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

        let meta = new_meta(id, name, sniffer.finish(content_type), size, tenant);
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

    async fn open_range(&self, id: &str, start: u64, len: u64) -> Result<Option<BlobReader>, BlobError> {
        if self.meta(id).await?.is_none() {
            return Ok(None);
        }
        let mut file = tokio::fs::File::open(self.dir.join(id)).await?;
        file.seek(std::io::SeekFrom::Start(start)).await?;
        Ok(Some(Box::pin(file.take(len))))
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

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    /// The directory's files, so the conformance suite sees what a write left.
    struct Subject {
        store: LocalBlobStore,
        dir: tempfile::TempDir,
    }

    impl Subject {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("a temporary directory");
            Self { store: LocalBlobStore::new(dir.path().into()).expect("the blob directory"), dir }
        }
    }

    #[async_trait]
    impl crate::blobs::conformance::Subject for Subject {
        fn store(&self) -> &dyn BlobStore {
            &self.store
        }

        async fn contents(&self) -> Vec<String> {
            files(self.dir.path())
        }
    }

    crate::blobs::conformance::blob_store_conformance!(Subject::new());

    /// Every file in the store's directory.
    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
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
    async fn a_directory_store_presigns_nothing() {
        let subject = Subject::new();
        let put = subject.store.presign(crate::blobs::Presign::Put, std::time::Duration::from_secs(60)).await;
        assert!(put.unwrap().is_none());
        let id = crate::blobs::new_blob_id();
        assert!(subject.store.complete_upload(&id, "a", None, None, 10).await.unwrap().is_none());
    }
}

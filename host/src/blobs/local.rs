//! Blobs as files in a local directory: `<id>` holds the bytes, `<id>.json`
//! the metadata. Writes go to a temporary name first so a reader never sees
//! half a file.

use std::path::PathBuf;

use async_trait::async_trait;
use bytes::Bytes;

use super::{BlobError, BlobMeta, BlobStore, new_blob_id, valid_id};

pub struct LocalBlobStore {
    dir: PathBuf,
}

impl LocalBlobStore {
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, name: &str, content_type: &str, data: Bytes) -> Result<BlobMeta, BlobError> {
        let id = new_blob_id();
        let meta = BlobMeta {
            id: id.clone(),
            name: sanitize_name(name),
            content_type: if content_type.is_empty() { "application/octet-stream".into() } else { content_type.into() },
            size: data.len() as u64,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        };
        let tmp = self.dir.join(format!("{id}.tmp"));
        tokio::fs::write(&tmp, &data).await?;
        tokio::fs::rename(&tmp, self.dir.join(&id)).await?;
        let json = serde_json::to_vec(&meta).map_err(|e| BlobError::Corrupt(e.to_string()))?;
        tokio::fs::write(self.dir.join(format!("{id}.json")), json).await?;
        Ok(meta)
    }

    async fn get(&self, id: &str) -> Result<Option<(BlobMeta, Bytes)>, BlobError> {
        if !valid_id(id) {
            return Ok(None);
        }
        let meta = match tokio::fs::read(self.dir.join(format!("{id}.json"))).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let meta: BlobMeta = serde_json::from_slice(&meta).map_err(|e| BlobError::Corrupt(e.to_string()))?;
        let data = tokio::fs::read(self.dir.join(id)).await?;
        Ok(Some((meta, Bytes::from(data))))
    }

    async fn exists(&self, id: &str) -> Result<bool, BlobError> {
        if !valid_id(id) {
            return Ok(false);
        }
        // The metadata file is written last, so it marks a complete blob.
        Ok(tokio::fs::try_exists(self.dir.join(format!("{id}.json"))).await?)
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
    use super::*;

    #[tokio::test]
    async fn stored_bytes_come_back_with_their_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let meta = store.put("../../evil/name.txt", "text/plain", Bytes::from_static(b"hello")).await.unwrap();
        assert_eq!(meta.name, "name.txt");
        let (m, data) = store.get(&meta.id).await.unwrap().unwrap();
        assert_eq!(&data[..], b"hello");
        assert_eq!(m.content_type, "text/plain");
        assert!(store.get("f_00000000000000000000000000000000").await.unwrap().is_none());
        assert!(store.get("../secret").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn existence_is_known_without_reading_and_never_outside_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().into()).unwrap();
        let meta = store.put("a.txt", "text/plain", Bytes::from_static(b"a")).await.unwrap();
        assert!(store.exists(&meta.id).await.unwrap());
        assert!(!store.exists("f_00000000000000000000000000000000").await.unwrap());
        assert!(!store.exists("../secret").await.unwrap());
    }
}

//! Files jobs read and produce. A [`BlobStore`] keeps bytes; [`Blobs`] adds
//! the public URLs (`{public_url}/api/v1/files/{id}`) that clients download
//! from and components pass to `blobs.read`.

mod local;
mod sniff;

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

pub use local::LocalBlobStore;

/// Path prefix of the files route; blob URLs are this plus the id.
pub const FILES_PATH: &str = "/api/v1/files/";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobMeta {
    pub id: String,
    pub name: String,
    /// The type the file is served as: sniffed from its bytes (see `sniff`),
    /// not necessarily the one the writer declared.
    pub content_type: String,
    pub size: u64,
    pub created_at: String,
    /// Served `inline` (a passive type confirmed by the bytes) rather than as
    /// an attachment. Files stored before sniffing existed lack it: attachment.
    #[serde(default)]
    pub inline: bool,
    /// The tenant that stored it (`None`: stored while the API was open).
    /// Only that tenant, and jobs of that tenant, may read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A file's bytes as they arrive; an `Err` aborts the write.
pub type ByteStream<'a> = BoxStream<'a, Result<Bytes, BoxError>>;

/// A stored file's bytes, read as they are sent.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob store I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("blob metadata is corrupt: {0}")]
    Corrupt(String),
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: u64 },
    /// The stream being stored failed (e.g. the client went away); the
    /// caller's own error, to tell the client's fault from ours.
    #[error("the file's bytes could not be read: {0}")]
    Source(BoxError),
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Store `data` as it arrives, at most `max_size` bytes. The file appears
    /// whole or not at all: past the limit, on a failing stream, or when the
    /// caller stops polling, nothing is left behind. `content_type` is the
    /// writer's claim; the served type is sniffed from the bytes.
    async fn put_stream(
        &self,
        name: &str,
        content_type: Option<&str>,
        tenant: Option<&str>,
        data: ByteStream<'_>,
        max_size: u64,
    ) -> Result<BlobMeta, BlobError>;

    /// Store bytes already in memory (no size limit: the caller checked it).
    async fn put(
        &self,
        name: &str,
        content_type: &str,
        tenant: Option<&str>,
        data: Bytes,
    ) -> Result<BlobMeta, BlobError> {
        let declared = Some(content_type).filter(|c| !c.is_empty());
        let whole = futures::stream::iter([Ok::<_, BoxError>(data)]);
        self.put_stream(name, declared, tenant, Box::pin(whole), u64::MAX).await
    }

    /// A stored file's metadata and a reader over its bytes.
    async fn open(&self, id: &str) -> Result<Option<(BlobMeta, BlobReader)>, BlobError>;

    /// A stored file's metadata, without opening its bytes.
    async fn meta(&self, id: &str) -> Result<Option<BlobMeta>, BlobError>;
    /// Free space and health for `/health`.
    async fn check(&self) -> Result<(), BlobError>;
}

/// The blob store plus URL rules.
#[derive(Clone)]
pub struct Blobs {
    pub store: Arc<dyn BlobStore>,
    public_url: String,
    /// Largest file accepted, from clients or from components.
    pub max_size: u64,
}

impl Blobs {
    pub fn new(store: Arc<dyn BlobStore>, public_url: &str, max_size: u64) -> Self {
        Self { store, public_url: public_url.trim_end_matches('/').to_string(), max_size }
    }

    /// A file of `tenant`'s: another tenant's file is as absent as one that
    /// never existed.
    pub async fn open_for(&self, id: &str, tenant: Option<&str>) -> Result<Option<(BlobMeta, BlobReader)>, BlobError> {
        Ok(self.store.open(id).await?.filter(|(meta, _)| meta.tenant.as_deref() == tenant))
    }

    /// [`Blobs::open_for`], read whole.
    pub async fn get_for(&self, id: &str, tenant: Option<&str>) -> Result<Option<(BlobMeta, Bytes)>, BlobError> {
        read_whole(self.open_for(id, tenant).await?).await
    }

    /// Whether `tenant` has a file `id`, without reading it.
    pub async fn exists_for(&self, id: &str, tenant: Option<&str>) -> Result<bool, BlobError> {
        Ok(self.store.meta(id).await?.is_some_and(|meta| meta.tenant.as_deref() == tenant))
    }

    pub fn url_for(&self, id: &str) -> String {
        format!("{}{FILES_PATH}{id}", self.public_url)
    }

    /// The blob id behind a URL of ours: the absolute form we hand out, the
    /// same path on any host (clients may reach us through a proxy), or the
    /// bare path. `None` for anything else.
    pub fn id_from_url(&self, url: &str) -> Option<String> {
        let path = match url.split_once("://") {
            Some((_, rest)) => &rest[rest.find('/')?..],
            None => url,
        };
        let id = path.strip_prefix(FILES_PATH)?.split(['/', '?', '#']).next()?;
        valid_id(id).then(|| id.to_string())
    }
}

/// An opened file read whole (components get their input as bytes).
async fn read_whole(opened: Option<(BlobMeta, BlobReader)>) -> Result<Option<(BlobMeta, Bytes)>, BlobError> {
    let Some((meta, mut reader)) = opened else { return Ok(None) };
    let mut data = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
    reader.read_to_end(&mut data).await?;
    Ok(Some((meta, data.into())))
}

pub fn new_blob_id() -> String {
    format!("f_{}", uuid::Uuid::new_v4().simple())
}

/// Ids are generated by us; anything else (dots, slashes) never reaches the disk.
pub fn valid_id(id: &str) -> bool {
    id.len() == 34 && id.starts_with("f_") && id[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Blobs {
        let dir = std::env::temp_dir().join("capsule-blob-url-test");
        Blobs::new(Arc::new(LocalBlobStore::new(dir).unwrap()), "http://127.0.0.1:8000/", 10)
    }

    #[test]
    fn url_round_trips_to_id() {
        let b = blobs();
        let id = new_blob_id();
        assert_eq!(b.url_for(&id), format!("http://127.0.0.1:8000/api/v1/files/{id}"));
        assert_eq!(b.id_from_url(&b.url_for(&id)), Some(id.clone()));
        assert_eq!(b.id_from_url(&format!("https://proxy.example/api/v1/files/{id}")), Some(id.clone()));
        assert_eq!(b.id_from_url(&format!("/api/v1/files/{id}")), Some(id));
    }

    #[test]
    fn foreign_or_traversing_urls_have_no_id() {
        let b = blobs();
        assert_eq!(b.id_from_url("http://x/api/v1/files/../../etc/passwd"), None);
        assert_eq!(b.id_from_url("https://s3.example/resume.pdf"), None);
        assert_eq!(b.id_from_url("/api/v1/files/f_zz"), None);
    }
}

//! Files jobs read and produce. A [`BlobStore`] keeps bytes; [`Blobs`] adds
//! the public URLs (`{public_url}/api/v1/files/{id}`) that clients download
//! from and components pass to `blobs.read`.
//!
//! Two stores: [`LocalBlobStore`] (a directory, the default) and
//! [`S3BlobStore`] (a bucket on AWS or an S3-compatible server, shared by
//! every host pointed at it). [`Location`] says which one a host uses.

#[cfg(test)]
mod conformance;
mod local;
mod s3;
mod signed;
mod sniff;
#[cfg(test)]
pub(crate) mod test_server;

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

pub use local::LocalBlobStore;
pub use s3::{S3BlobStore, S3Credentials, S3Settings};
pub use signed::{Grant, SignatureError, UrlSigner};

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
    /// The store's server could not be reached or refused the request; the
    /// message names the server and bucket and what to check.
    #[error("the blob store is unavailable: {0}")]
    Unavailable(String),
}

/// What a presigned URL lets its holder do, without our API in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presign<'a> {
    /// Download the stored file `id`, served with its sniffed type and
    /// disposition. Whoever holds the URL reaches the file: the caller checks
    /// the tenant first (`Blobs::exists_for`).
    Get(&'a str),
    /// Upload a new file; it becomes a blob only through
    /// [`BlobStore::complete_upload`], which sniffs and checks it.
    Put,
}

/// A URL signed by the store: whoever holds it may make this one request
/// until `expires_at`.
#[derive(Debug, Clone)]
pub struct Presigned {
    /// The blob it reads, or the id the upload will have.
    pub id: String,
    pub method: String,
    pub url: String,
    /// Headers the request must carry as they are (they are signed).
    pub headers: Vec<(String, String)>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
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

    /// `len` bytes of a stored file from byte `start` (the caller keeps
    /// them inside the file), for byte-range downloads. The default reads
    /// up to `start`; stores that can seek override it.
    async fn open_range(&self, id: &str, start: u64, len: u64) -> Result<Option<BlobReader>, BlobError> {
        let Some((_, mut reader)) = self.open(id).await? else { return Ok(None) };
        tokio::io::copy(&mut (&mut reader).take(start), &mut tokio::io::sink()).await?;
        Ok(Some(Box::pin(reader.take(len))))
    }
    /// Free space and health for `/health`.
    async fn check(&self) -> Result<(), BlobError>;

    /// A URL for one request straight to the store, valid for `expires`.
    /// `None` when the store has no such URLs (the local directory) or, for
    /// [`Presign::Get`], when there is no such file.
    async fn presign(&self, _op: Presign<'_>, _expires: Duration) -> Result<Option<Presigned>, BlobError> {
        Ok(None)
    }

    /// Turn the bytes uploaded through a [`Presign::Put`] URL into the blob
    /// `id`, with the same rules as [`BlobStore::put_stream`] (sniffed type,
    /// at most `max_size` bytes, nothing left behind when refused).
    /// `None` when nothing was uploaded for `id`.
    async fn complete_upload(
        &self,
        _id: &str,
        _name: &str,
        _content_type: Option<&str>,
        _tenant: Option<&str>,
        _max_size: u64,
    ) -> Result<Option<BlobMeta>, BlobError> {
        Ok(None)
    }
}

/// Where a host keeps its files.
#[derive(Debug, Clone)]
pub enum Location {
    /// A directory on this machine (the zero-configuration default).
    Local(PathBuf),
    /// A bucket, shared by every host pointed at it.
    S3(S3Settings),
}

impl Location {
    /// The store, ready to use: a missing bucket or an unreachable server is
    /// an error naming the bucket and the endpoint.
    pub async fn open(&self) -> Result<Arc<dyn BlobStore>, BlobError> {
        Ok(match self {
            Location::Local(dir) => Arc::new(LocalBlobStore::new(dir.clone())?),
            Location::S3(settings) => Arc::new(S3BlobStore::open(settings).await?),
        })
    }

    /// For messages: never credentials.
    pub fn describe(&self) -> String {
        match self {
            Location::Local(dir) => dir.display().to_string(),
            Location::S3(settings) => settings.describe(),
        }
    }
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

    /// The metadata of `tenant`'s file `id`, without opening its bytes.
    pub async fn meta_for(&self, id: &str, tenant: Option<&str>) -> Result<Option<BlobMeta>, BlobError> {
        Ok(self.store.meta(id).await?.filter(|meta| meta.tenant.as_deref() == tenant))
    }

    /// Whether `tenant` has a file `id`, without reading it.
    pub async fn exists_for(&self, id: &str, tenant: Option<&str>) -> Result<bool, BlobError> {
        Ok(self.meta_for(id, tenant).await?.is_some())
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

/// The metadata of a file just stored; `served` is what its bytes were sniffed as.
fn new_meta(id: String, name: &str, served: sniff::Served, size: u64, tenant: Option<&str>) -> BlobMeta {
    BlobMeta {
        id,
        name: sanitize_name(name),
        content_type: served.content_type,
        size,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        inline: served.inline,
        tenant: tenant.map(str::to_string),
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

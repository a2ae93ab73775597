//! `blobs.read` / `blobs.write` on behalf of a component: our own files, or
//! http(s) URLs on hosts the component's `allowed_outbound_hosts` grants.

use bytes::Bytes;
use futures::StreamExt;

use super::bindings::capsule::worker::types::Failure;
use crate::blobs::Blobs;
use crate::manifest::OutboundHost;

#[derive(Clone)]
pub struct BlobAccess {
    blobs: Blobs,
    grants: Vec<OutboundHost>,
    /// The job's tenant: the only owner whose files it may read, and the owner of what it writes.
    tenant: Option<String>,
}

fn failure(code: &str, message: String) -> Failure {
    Failure { code: code.into(), message, retryable: false }
}

impl BlobAccess {
    pub fn new(blobs: Blobs, grants: Vec<OutboundHost>, tenant: Option<String>) -> Self {
        Self { blobs, grants, tenant }
    }

    pub async fn read(&self, url: &str) -> Result<Vec<u8>, Failure> {
        if let Some(id) = self.blobs.id_from_url(url) {
            return match self.blobs.get_for(&id, self.tenant.as_deref()).await {
                Ok(Some((_, data))) => Ok(data.to_vec()),
                Ok(None) => Err(failure("BLOB_NOT_FOUND", format!("no file is stored at {url}"))),
                Err(e) => Err(Failure { code: "BLOB_STORE_ERROR".into(), message: e.to_string(), retryable: true }),
            };
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| {
            failure("BLOB_NOT_FOUND", format!("`{url}` is neither a Capsule file URL nor an http(s) URL"))
        })?;
        if let Err(origin) = crate::manifest::check_url_granted(&self.grants, &parsed) {
            return Err(failure(
                "BLOB_URL_NOT_ALLOWED",
                format!("{origin} is not in this component's allowed_outbound_hosts"),
            ));
        }
        self.fetch(parsed).await
    }

    async fn fetch(&self, url: reqwest::Url) -> Result<Vec<u8>, Failure> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| failure("BLOB_FETCH_FAILED", e.to_string()))?;
        let mut response = client.get(url.clone()).send().await.map_err(|e| Failure {
            code: "BLOB_FETCH_FAILED".into(),
            message: format!("{url}: {e}"),
            retryable: true,
        })?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(failure("BLOB_NOT_FOUND", format!("{url} answered 404")));
        }
        if !response.status().is_success() {
            return Err(Failure {
                code: "BLOB_FETCH_FAILED".into(),
                message: format!("{url} answered {}", response.status()),
                retryable: response.status().is_server_error(),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Failure {
            code: "BLOB_FETCH_FAILED".into(),
            message: format!("{url}: {e}"),
            retryable: true,
        })? {
            if body.len() as u64 + chunk.len() as u64 > self.blobs.max_size {
                return Err(too_large(self.blobs.max_size));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Copy the job's own file at `url` to `path`, as it streams (engines
    /// that run programs on files: media). Only files stored here: an
    /// outside URL would let a program reach the network.
    pub async fn copy_to(&self, url: &str, path: &std::path::Path) -> Result<u64, Failure> {
        let Some(id) = self.blobs.id_from_url(url) else {
            return Err(failure(
                "BLOB_NOT_FOUND",
                format!(
                    "`{url}` is not a file stored here; upload it first (POST /api/v1/files or a presigned upload)"
                ),
            ));
        };
        let opened = self.blobs.open_for(&id, self.tenant.as_deref()).await.map_err(store_error)?;
        let Some((_, mut reader)) = opened else {
            return Err(failure("BLOB_NOT_FOUND", format!("no file is stored at {url}")));
        };
        let mut file = tokio::fs::File::create(path).await.map_err(|e| io_error("creating a working file", e))?;
        let copied = tokio::io::copy(&mut reader, &mut file).await.map_err(|e| io_error("copying the file", e))?;
        tokio::io::AsyncWriteExt::flush(&mut file).await.map_err(|e| io_error("copying the file", e))?;
        Ok(copied)
    }

    /// Store the file at `path` (at most `max` bytes) as a new file of the
    /// job's tenant; its URL and size.
    pub async fn store_file(
        &self,
        path: &std::path::Path,
        name: &str,
        content_type: &str,
        max: u64,
    ) -> Result<(String, u64), Failure> {
        let file = tokio::fs::File::open(path).await.map_err(|e| io_error("opening the output", e))?;
        let stream = tokio_util::io::ReaderStream::new(file)
            .map(|chunk| chunk.map_err(|e| Box::new(e) as crate::blobs::BoxError));
        let meta = self
            .blobs
            .store
            .put_stream(name, Some(content_type), self.tenant.as_deref(), Box::pin(stream), max)
            .await
            .map_err(|e| match e {
                crate::blobs::BlobError::TooLarge { max } => too_large(max),
                other => store_error(other),
            })?;
        Ok((self.blobs.url_for(&meta.id), meta.size))
    }

    pub async fn write(&self, name: &str, content_type: &str, data: Vec<u8>) -> Result<String, Failure> {
        if data.len() as u64 > self.blobs.max_size {
            return Err(too_large(self.blobs.max_size));
        }
        match self.blobs.store.put(name, content_type, self.tenant.as_deref(), Bytes::from(data)).await {
            Ok(meta) => Ok(self.blobs.url_for(&meta.id)),
            Err(e) => Err(Failure { code: "BLOB_STORE_ERROR".into(), message: e.to_string(), retryable: true }),
        }
    }
}

fn store_error(e: crate::blobs::BlobError) -> Failure {
    Failure { code: "BLOB_STORE_ERROR".into(), message: e.to_string(), retryable: true }
}

fn io_error(doing: &str, e: std::io::Error) -> Failure {
    Failure { code: "BLOB_STORE_ERROR".into(), message: format!("{doing}: {e}"), retryable: true }
}

fn too_large(max: u64) -> Failure {
    failure("BLOB_TOO_LARGE", format!("files are limited to {}", bytesize::ByteSize(max).display().iec()))
}

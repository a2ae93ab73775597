//! `blobs.read` / `blobs.write` on behalf of a component: our own files, or
//! http(s) URLs on hosts the component's `allowed_outbound_hosts` grants.

use bytes::Bytes;

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

fn too_large(max: u64) -> Failure {
    failure("BLOB_TOO_LARGE", format!("files are limited to {}", bytesize::ByteSize(max).display().iec()))
}

//! Blobs as objects in an S3 bucket (AWS, or any S3-compatible server given
//! by its endpoint), shared by every host pointed at the bucket.
//!
//! The layout is the local store's: `<prefix><id>` holds the bytes and
//! `<prefix><id>.json` the metadata, written last so it marks a complete
//! blob. A local blob directory can so be moved into a bucket as it is
//! (`aws s3 sync data/blobs s3://bucket/prefix/`).
//!
//! Why a JSON sidecar rather than the object's own metadata: the served type
//! is only known once every byte was seen (text must be valid UTF-8 to its
//! end) and so is the size, but a multipart upload's metadata is fixed when
//! the upload starts, and changing it afterwards means copying the object.
//! S3 metadata is also limited to 2 KB of US-ASCII headers, and file names
//! are Unicode. The sidecar costs one small PUT per write; `meta` is one GET,
//! where HeadObject would have been one HEAD.
//!
//! Writes stream: a file smaller than a part is one PutObject, a larger one a
//! multipart upload, so at most about one part is held in memory. A write
//! refused, failed or abandoned (its future dropped) aborts its upload and
//! deletes what it wrote. Only a host killed mid-write leaves an unfinished
//! multipart upload behind (invisible, but stored): the README asks for a
//! lifecycle rule that aborts those.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream as S3Body;
use aws_sdk_s3::types::{BucketLocationConstraint, CompletedMultipartUpload, CompletedPart, CreateBucketConfiguration};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use super::sniff::Sniffer;
use super::{
    BlobError, BlobMeta, BlobReader, BlobStore, ByteStream, Presign, Presigned, new_blob_id, new_meta, valid_id,
};

/// Part size of multipart uploads: the memory one write holds. It doubles
/// every [`PARTS_PER_SIZE`] parts, so S3's 10,000 parts reach its largest
/// object (5 TB) while a file of ordinary size keeps parts small.
const PART_SIZE: usize = 8 * 1024 * 1024;
const PARTS_PER_SIZE: usize = 1000;
/// S3's smallest part (all but the last).
#[cfg(test)]
const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// S3's largest part, and its most parts per upload.
const MAX_PART_SIZE: usize = 5 * 1024 * 1024 * 1024;
const MAX_PARTS: u64 = 10_000;
/// The longest a presigned URL may last (SigV4's limit).
pub const MAX_PRESIGN: Duration = Duration::from_secs(7 * 24 * 3600);
/// A server that does not accept a connection by then is down: fail fast
/// rather than hold a request (or start-up) for the SDK's default.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Where presigned uploads land until `complete_upload` checks them.
const UPLOADS: &str = "uploads/";

/// Where the bucket is and how to reach it.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// An S3-compatible server (`http://127.0.0.1:9000`), addressed
    /// path-style; `None`: AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// `None`: the standard AWS chain (environment, profile, web identity,
    /// container or instance role).
    pub credentials: Option<S3Credentials>,
    /// Key prefix, a "folder" of the bucket (`capsule/`); may be empty.
    pub prefix: String,
    /// Create the bucket at start-up when it is missing.
    pub create_bucket: bool,
}

#[derive(Clone)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// For temporary credentials.
    pub session_token: Option<String>,
}

impl fmt::Debug for S3Settings {
    /// Never the secret: settings end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.credentials.as_ref().map(|c| c.access_key_id.as_str()))
            .field("prefix", &self.prefix)
            .field("create_bucket", &self.create_bucket)
            .finish()
    }
}

impl S3Settings {
    /// The server, for messages.
    pub fn endpoint_label(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => endpoint.clone(),
            None => format!("AWS S3 ({})", self.region),
        }
    }

    /// For messages: bucket, prefix and server, never credentials.
    pub fn describe(&self) -> String {
        format!("s3://{}/{} at {}", self.bucket, normalize_prefix(&self.prefix), self.endpoint_label())
    }
}

/// `capsule`, `/capsule/` and `capsule/` all mean the folder `capsule/`.
fn normalize_prefix(prefix: &str) -> String {
    match prefix.trim().trim_matches('/') {
        "" => String::new(),
        p => format!("{p}/"),
    }
}

pub struct S3BlobStore {
    client: Client,
    bucket: String,
    prefix: String,
    /// The server, for messages.
    endpoint: String,
    region: String,
    part_size: usize,
}

impl S3BlobStore {
    /// A store on `settings`' bucket, checked (or created, when settings say
    /// so): a missing bucket, refused credentials or an unreachable server is
    /// an error naming the bucket and the server.
    pub async fn open(settings: &S3Settings) -> Result<Self, BlobError> {
        let store = Self::connect(settings).await?;
        match store.client.head_bucket().bucket(&store.bucket).send().await {
            Ok(_) => {}
            Err(e) if status(&e) == Some(404) && settings.create_bucket => {
                store.create_bucket().await?;
                tracing::info!(bucket = %store.bucket, endpoint = %store.endpoint, "created the bucket");
            }
            Err(e) if status(&e) == Some(404) => return Err(store.missing_bucket()),
            Err(e) => return Err(store.failure("checking that it exists", e)),
        }
        tracing::info!(location = %settings.describe(), "files are stored in S3");
        Ok(store)
    }

    /// A client for `settings`, without a request yet.
    async fn connect(settings: &S3Settings) -> Result<Self, BlobError> {
        if settings.bucket.trim().is_empty() || settings.bucket.contains('/') {
            return Err(BlobError::Unavailable(format!(
                "--s3-bucket `{}` is not a bucket name (write e.g. `my-files`, without `s3://` or slashes)",
                settings.bucket
            )));
        }
        if let Some(endpoint) = &settings.endpoint {
            let valid = endpoint.parse::<http::Uri>().is_ok_and(|u| {
                matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some_and(|h| !h.is_empty())
            });
            if !valid {
                return Err(BlobError::Unavailable(format!(
                    "--s3-endpoint `{endpoint}` is not a URL: write e.g. `http://127.0.0.1:9000` or `https://s3.example.com`"
                )));
            }
        }
        // rustls on ring, like the rest of the host: the SDK's default
        // client would build aws-lc, a C library, for nothing.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let timeouts = aws_config::timeout::TimeoutConfig::builder().connect_timeout(CONNECT_TIMEOUT).build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(settings.region.clone()))
            .timeout_config(timeouts);
        if let Some(c) = &settings.credentials {
            loader = loader.credentials_provider(Credentials::new(
                &c.access_key_id,
                &c.secret_access_key,
                c.session_token.clone(),
                None,
                "capsule-settings",
            ));
        }
        let shared = loader.load().await;
        // Checksums only where S3 requires them: S3-compatible servers
        // differ in which of the newer checksum headers they accept.
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired);
        if let Some(endpoint) = &settings.endpoint {
            // Such servers rarely have a DNS name per bucket.
            config = config.endpoint_url(endpoint.trim_end_matches('/')).force_path_style(true);
        }
        Ok(Self {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket.clone(),
            prefix: normalize_prefix(&settings.prefix),
            endpoint: settings.endpoint_label(),
            region: settings.region.clone(),
            part_size: PART_SIZE,
        })
    }

    /// Smaller parts, so tests reach a multipart upload with fewer bytes.
    #[cfg(test)]
    fn with_part_size(mut self, part_size: usize) -> Self {
        self.part_size = part_size.max(MIN_PART_SIZE);
        self
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.prefix)
    }

    fn meta_key(&self, id: &str) -> String {
        format!("{}{id}.json", self.prefix)
    }

    fn upload_key(&self, id: &str) -> String {
        format!("{}{UPLOADS}{id}", self.prefix)
    }

    fn missing_bucket(&self) -> BlobError {
        BlobError::Unavailable(format!(
            "bucket `{}` does not exist at {}: create it, or start with --s3-create-bucket to have it created",
            self.bucket, self.endpoint
        ))
    }

    async fn create_bucket(&self) -> Result<(), BlobError> {
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        // us-east-1 is S3's default and must not be named.
        if self.region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(self.region.as_str()))
                    .build(),
            );
        }
        match create.send().await {
            Ok(_) => Ok(()),
            // Another host started at the same moment.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_bucket_already_owned_by_you()) => Ok(()),
            // S3 says this of someone else's bucket, but S3-compatible
            // servers (s3s-fs) say it of one's own too: usable if it answers.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_bucket_already_exists()) => {
                match self.client.head_bucket().bucket(&self.bucket).send().await {
                    Ok(_) => Ok(()),
                    Err(_) => Err(self.failure("creating the bucket", e)),
                }
            }
            Err(e) => Err(self.failure("creating the bucket", e)),
        }
    }

    /// An S3 error as a [`BlobError`] that names the bucket and the server
    /// and says what to check.
    fn failure<E>(&self, doing: &str, err: SdkError<E, HttpResponse>) -> BlobError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let at = format!("S3 bucket `{}` at {}", self.bucket, self.endpoint);
        let detail = DisplayErrorContext(&err);
        BlobError::Unavailable(match (&err, status(&err)) {
            (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _) => format!(
                "{at}: {doing}: the server could not be reached ({detail}); check that it runs and that \
                 --s3-endpoint and --s3-region point at it"
            ),
            (_, Some(403)) => format!(
                "{at}: {doing}: access denied ({detail}); check --s3-access-key-id and --s3-secret-access-key \
                 (or the AWS credentials in the environment): they need s3:ListBucket, s3:GetObject, \
                 s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on the bucket"
            ),
            (_, Some(301)) => {
                format!("{at}: {doing}: the bucket is in another region ({detail}); set --s3-region to it")
            }
            _ => format!("{at}: {doing}: {detail}"),
        })
    }

    /// Stream `data` into `key`: one PutObject if it fits in a part, else a
    /// multipart upload. Returns what sniffing saw and the size.
    async fn store_bytes(
        &self,
        unfinished: &mut Unfinished,
        mut data: ByteStream<'_>,
        max_size: u64,
    ) -> Result<(Sniffer, u64), BlobError> {
        let mut sniffer = Sniffer::default();
        let mut size = 0u64;
        let mut parts = PartBuffer::new(self.part_size);
        let mut upload: Option<Multipart> = None;
        while let Some(chunk) = data.next().await {
            let chunk = chunk.map_err(BlobError::Source)?;
            size += chunk.len() as u64;
            if size > max_size {
                return Err(BlobError::TooLarge { max: max_size });
            }
            sniffer.feed(&chunk);
            for part in parts.push(chunk) {
                if upload.is_none() {
                    upload = Some(self.start_multipart(unfinished).await?);
                }
                if let Some(upload) = upload.as_mut() {
                    self.upload_part(&unfinished.key, upload, part, max_size).await?;
                }
            }
        }
        let rest = parts.finish();
        match upload {
            None => {
                unfinished.object = true;
                let put = self.client.put_object().bucket(&self.bucket).key(&unfinished.key);
                put.content_length(rest.len() as i64)
                    .body(S3Body::from(rest))
                    .send()
                    .await
                    .map_err(|e| self.failure(&format!("writing `{}`", unfinished.key), e))?;
            }
            Some(mut upload) => {
                if !rest.is_empty() {
                    self.upload_part(&unfinished.key, &mut upload, rest, max_size).await?;
                }
                unfinished.object = true;
                let parts = CompletedMultipartUpload::builder().set_parts(Some(upload.parts)).build();
                self.client
                    .complete_multipart_upload()
                    .bucket(&self.bucket)
                    .key(&unfinished.key)
                    .upload_id(&upload.id)
                    .multipart_upload(parts)
                    .send()
                    .await
                    .map_err(|e| self.failure(&format!("completing the upload of `{}`", unfinished.key), e))?;
                unfinished.upload_id = None;
            }
        }
        Ok((sniffer, size))
    }

    async fn start_multipart(&self, unfinished: &mut Unfinished) -> Result<Multipart, BlobError> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&unfinished.key)
            .send()
            .await
            .map_err(|e| self.failure(&format!("starting an upload of `{}`", unfinished.key), e))?;
        let id = created.upload_id().ok_or_else(|| {
            BlobError::Unavailable(format!("{} started an upload of `{}` without an id", self.endpoint, unfinished.key))
        })?;
        unfinished.upload_id = Some(id.to_string());
        Ok(Multipart { id: id.to_string(), parts: Vec::new(), size: 0 })
    }

    async fn upload_part(
        &self,
        key: &str,
        upload: &mut Multipart,
        part: Bytes,
        max_size: u64,
    ) -> Result<(), BlobError> {
        let number = upload.parts.len() + 1;
        // Only with a limit beyond 10,000 parts of 5 GiB (50 TB).
        if number as u64 > MAX_PARTS {
            return Err(BlobError::TooLarge { max: max_size.min(upload.size) });
        }
        let (number, len) = (number as i32, part.len());
        let uploaded = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(&upload.id)
            .part_number(number)
            .content_length(len as i64)
            .body(S3Body::from(part))
            .send()
            .await
            .map_err(|e| self.failure(&format!("writing part {number} of `{key}`"), e))?;
        upload.size += len as u64;
        upload.parts.push(CompletedPart::builder().set_e_tag(uploaded.e_tag).part_number(number).build());
        Ok(())
    }

    async fn put_meta(&self, unfinished: &mut Unfinished, meta: &BlobMeta) -> Result<(), BlobError> {
        let json = serde_json::to_vec(meta).map_err(|e| BlobError::Corrupt(e.to_string()))?;
        unfinished.meta = true;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&unfinished.meta_key)
            .content_type("application/json")
            .content_length(json.len() as i64)
            .body(S3Body::from(json))
            .send()
            .await
            .map_err(|e| self.failure(&format!("writing `{}`", unfinished.meta_key), e))?;
        Ok(())
    }
}

impl S3BlobStore {
    /// [`BlobStore::presign`] with the URL's validity starting at `start`
    /// (tests sign URLs that are already expired).
    async fn presign_from(
        &self,
        op: Presign<'_>,
        start: SystemTime,
        expires: Duration,
    ) -> Result<Option<Presigned>, BlobError> {
        if expires > MAX_PRESIGN || expires.is_zero() {
            return Err(BlobError::Unavailable(format!(
                "a presigned URL lasts more than nothing and at most {} days, not {expires:?}",
                MAX_PRESIGN.as_secs() / 86_400
            )));
        }
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(expires)
            .build()
            .map_err(|e| BlobError::Unavailable(format!("presigning: {e}")))?;
        let (id, request) = match op {
            Presign::Get(id) => {
                let Some(meta) = self.meta(id).await? else { return Ok(None) };
                // The bucket serves it as we would: the sniffed type, and an
                // attachment unless sniffing found it passive.
                let disposition = format!(
                    "{}; filename*=UTF-8''{}",
                    if meta.inline { "inline" } else { "attachment" },
                    percent_encode(&meta.name, false)
                );
                let request = self
                    .client
                    .get_object()
                    .bucket(&self.bucket)
                    .key(self.key(id))
                    .response_content_type(&meta.content_type)
                    .response_content_disposition(disposition)
                    .presigned(config)
                    .await
                    .map_err(|e| self.failure(&format!("presigning a download of `{id}`"), e))?;
                (meta.id, request)
            }
            Presign::Put => {
                let id = new_blob_id();
                let key = self.upload_key(&id);
                let request = self
                    .client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(&key)
                    .presigned(config)
                    .await
                    .map_err(|e| self.failure(&format!("presigning an upload to `{key}`"), e))?;
                (id, request)
            }
        };
        Ok(Some(presigned(id, &request, start + expires)))
    }

    /// Remove a presigned upload's bytes (refused, or copied into place).
    async fn remove_upload(&self, key: &str) {
        if let Err(e) = self.client.delete_object().bucket(&self.bucket).key(key).send().await {
            tracing::warn!(key, error = %DisplayErrorContext(&e), "could not delete a presigned upload; a lifecycle rule on `uploads/` removes it later");
        }
    }
}

fn presigned(id: String, request: &PresignedRequest, expires_at: SystemTime) -> Presigned {
    Presigned {
        id,
        method: request.method().to_string(),
        url: request.uri().to_string(),
        headers: request.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        expires_at: chrono::DateTime::<chrono::Utc>::from(expires_at),
    }
}

/// The HTTP status S3 answered with, if it answered.
fn status<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Bytes of a URL path or header parameter, `/` kept when `keep_slash`.
fn percent_encode(s: &str, keep_slash: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            b'/' if keep_slash => "/".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Multipart {
    id: String,
    parts: Vec<CompletedPart>,
    /// Bytes uploaded so far.
    size: u64,
}

/// Cuts a stream of chunks into parts (see [`PART_SIZE`]; the last one
/// shorter), copying only where a part spans chunks.
struct PartBuffer {
    base: usize,
    /// Parts handed out so far.
    parts: usize,
    chunks: VecDeque<Bytes>,
    len: usize,
}

impl PartBuffer {
    fn new(base: usize) -> Self {
        Self { base, parts: 0, chunks: VecDeque::new(), len: 0 }
    }

    fn next_size(&self) -> usize {
        let doublings = u32::try_from(self.parts / PARTS_PER_SIZE).unwrap_or(u32::MAX);
        self.base.checked_shl(doublings).unwrap_or(MAX_PART_SIZE).min(MAX_PART_SIZE)
    }

    /// The parts `chunk` completes; what is left waits for more.
    fn push(&mut self, chunk: Bytes) -> Vec<Bytes> {
        self.len += chunk.len();
        self.chunks.push_back(chunk);
        let mut full = Vec::new();
        while self.len >= self.next_size() {
            full.push(self.take(self.next_size()));
            self.parts += 1;
        }
        full
    }

    /// What is left: the last part, possibly empty.
    fn finish(mut self) -> Bytes {
        let len = self.len;
        self.take(len)
    }

    fn take(&mut self, n: usize) -> Bytes {
        self.len -= n;
        if let Some(front) = self.chunks.front_mut()
            && front.len() >= n
        {
            let part = front.split_to(n);
            if front.is_empty() {
                self.chunks.pop_front();
            }
            return part;
        }
        let mut part = BytesMut::with_capacity(n);
        while part.len() < n {
            let Some(mut front) = self.chunks.pop_front() else { break };
            let want = n - part.len();
            if front.len() > want {
                part.extend_from_slice(&front.split_to(want));
                self.chunks.push_front(front);
            } else {
                part.extend_from_slice(&front);
            }
        }
        part.freeze()
    }
}

/// What a write sent to the bucket, removed unless the write completes:
/// awaited on an error, spawned when the write's future is dropped (the
/// client went away), since a drop cannot wait.
struct Unfinished {
    client: Client,
    bucket: String,
    key: String,
    meta_key: String,
    upload_id: Option<String>,
    /// The object's PutObject or CompleteMultipartUpload was sent.
    object: bool,
    /// The metadata's PutObject was sent.
    meta: bool,
}

impl Unfinished {
    fn new(store: &S3BlobStore, id: &str) -> Self {
        Self {
            client: store.client.clone(),
            bucket: store.bucket.clone(),
            key: store.key(id),
            meta_key: store.meta_key(id),
            upload_id: None,
            object: false,
            meta: false,
        }
    }

    fn done(mut self) {
        self.take();
    }

    async fn remove(mut self) {
        if let Some(removal) = self.take() {
            removal.run().await;
        }
    }

    fn take(&mut self) -> Option<Removal> {
        let removal = Removal {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            upload: self.upload_id.take().map(|id| (self.key.clone(), id)),
            keys: [self.meta.then(|| self.meta_key.clone()), self.object.then(|| self.key.clone())]
                .into_iter()
                .flatten()
                .collect(),
        };
        (self.meta, self.object) = (false, false);
        (removal.upload.is_some() || !removal.keys.is_empty()).then_some(removal)
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        let Some(removal) = self.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(removal.run());
            }
            Err(_) => tracing::warn!(
                key = %self.key,
                "an abandoned write could not be removed (no runtime); a lifecycle rule aborting incomplete \
                 multipart uploads removes its parts"
            ),
        }
    }
}

struct Removal {
    client: Client,
    bucket: String,
    /// (key, upload id) of a multipart upload to abort.
    upload: Option<(String, String)>,
    /// Objects to delete: the metadata first, so a blob never has
    /// metadata without bytes.
    keys: Vec<String>,
}

impl Removal {
    async fn run(self) {
        if let Some((key, id)) = &self.upload {
            let aborted = self.client.abort_multipart_upload().bucket(&self.bucket).key(key).upload_id(id).send().await;
            if let Err(e) = aborted {
                tracing::warn!(key, error = %DisplayErrorContext(&e), "could not abort an unfinished upload; a lifecycle rule aborting incomplete multipart uploads removes it later");
            }
        }
        for key in &self.keys {
            if let Err(e) = self.client.delete_object().bucket(&self.bucket).key(key).send().await {
                tracing::warn!(key, error = %DisplayErrorContext(&e), "could not delete what an unfinished write stored");
            }
        }
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put_stream(
        &self,
        name: &str,
        content_type: Option<&str>,
        tenant: Option<&str>,
        data: ByteStream<'_>,
        max_size: u64,
    ) -> Result<BlobMeta, BlobError> {
        let id = new_blob_id();
        let mut unfinished = Unfinished::new(self, &id);
        let (sniffer, size) = match self.store_bytes(&mut unfinished, data, max_size).await {
            Ok(stored) => stored,
            Err(e) => {
                unfinished.remove().await;
                return Err(e);
            }
        };
        let meta = new_meta(id, name, sniffer.finish(content_type), size, tenant);
        if let Err(e) = self.put_meta(&mut unfinished, &meta).await {
            unfinished.remove().await;
            return Err(e);
        }
        unfinished.done();
        Ok(meta)
    }

    async fn open(&self, id: &str) -> Result<Option<(BlobMeta, BlobReader)>, BlobError> {
        let Some(meta) = self.meta(id).await? else { return Ok(None) };
        let key = self.key(id);
        match self.client.get_object().bucket(&self.bucket).key(&key).send().await {
            Ok(object) => Ok(Some((meta, Box::pin(object.body.into_async_read())))),
            Err(e) if status(&e) == Some(404) => {
                Err(BlobError::Corrupt(format!("`{key}` in bucket `{}` has metadata but no bytes", self.bucket)))
            }
            Err(e) => Err(self.failure(&format!("reading `{key}`"), e)),
        }
    }

    async fn open_range(&self, id: &str, start: u64, len: u64) -> Result<Option<BlobReader>, BlobError> {
        if len == 0 || self.meta(id).await?.is_none() {
            return Ok(if len == 0 { Some(Box::pin(tokio::io::empty())) } else { None });
        }
        let key = self.key(id);
        let range = format!("bytes={start}-{}", start + len - 1);
        match self.client.get_object().bucket(&self.bucket).key(&key).range(range).send().await {
            Ok(object) => Ok(Some(Box::pin(object.body.into_async_read()))),
            Err(e) => Err(self.failure(&format!("reading a range of `{key}`"), e)),
        }
    }

    async fn meta(&self, id: &str) -> Result<Option<BlobMeta>, BlobError> {
        if !valid_id(id) {
            return Ok(None);
        }
        // The metadata object is written last, so it marks a complete blob.
        let key = self.meta_key(id);
        let object = match self.client.get_object().bucket(&self.bucket).key(&key).send().await {
            Ok(object) => object,
            Err(e) if status(&e) == Some(404) => return Ok(None),
            Err(e) => return Err(self.failure(&format!("reading `{key}`"), e)),
        };
        let json = object
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(format!("reading `{key}` from {}: {e}", self.endpoint)))?
            .into_bytes();
        serde_json::from_slice(&json).map(Some).map_err(|e| BlobError::Corrupt(format!("`{key}`: {e}")))
    }

    async fn check(&self) -> Result<(), BlobError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) if status(&e) == Some(404) => Err(self.missing_bucket()),
            Err(e) => Err(self.failure("checking that it exists", e)),
        }
    }

    async fn presign(&self, op: Presign<'_>, expires: Duration) -> Result<Option<Presigned>, BlobError> {
        self.presign_from(op, SystemTime::now(), expires).await
    }

    async fn complete_upload(
        &self,
        id: &str,
        name: &str,
        content_type: Option<&str>,
        tenant: Option<&str>,
        max_size: u64,
    ) -> Result<Option<BlobMeta>, BlobError> {
        if !valid_id(id) {
            return Ok(None);
        }
        // Completed before (a retry): the blob as it was stored.
        if let Some(meta) = self.meta(id).await? {
            return Ok(Some(meta));
        }
        let staged = self.upload_key(id);
        let mut object = match self.client.get_object().bucket(&self.bucket).key(&staged).send().await {
            Ok(object) => object,
            Err(e) if status(&e) == Some(404) => return Ok(None),
            Err(e) => return Err(self.failure(&format!("reading `{staged}`"), e)),
        };
        let too_large = object.content_length().is_some_and(|len| u64::try_from(len).unwrap_or(0) > max_size);
        // Sniffing needs every byte (text must be UTF-8 to its end); the
        // size is counted too rather than trusted.
        let mut sniffer = Sniffer::default();
        let mut size = 0u64;
        while !too_large && size <= max_size {
            match object.body.next().await {
                Some(Ok(chunk)) => {
                    size += chunk.len() as u64;
                    sniffer.feed(&chunk);
                }
                Some(Err(e)) => {
                    return Err(BlobError::Unavailable(format!("reading `{staged}` from {}: {e}", self.endpoint)));
                }
                None => break,
            }
        }
        if too_large || size > max_size {
            self.remove_upload(&staged).await;
            return Err(BlobError::TooLarge { max: max_size });
        }
        // The holder of the URL may upload again until it expires: the copy
        // is of the bytes just checked (same ETag) or fails, and the blob's
        // own key is beyond the URL's reach.
        let key = self.key(id);
        let mut unfinished = Unfinished::new(self, id);
        unfinished.object = true;
        let mut copy = self.client.copy_object().bucket(&self.bucket).key(&key).copy_source(format!(
            "{}/{}",
            self.bucket,
            percent_encode(&staged, true)
        ));
        if let Some(etag) = object.e_tag() {
            copy = copy.copy_source_if_match(etag);
        }
        if let Err(e) = copy.send().await {
            let changed = status(&e) == Some(412);
            let err = self.failure(&format!("copying `{staged}` to `{key}`"), e);
            unfinished.remove().await;
            return Err(if changed {
                BlobError::Unavailable(format!(
                    "the upload `{staged}` changed while it was checked: complete it again once the client stops writing"
                ))
            } else {
                err
            });
        }
        let meta = new_meta(id.to_string(), name, sniffer.finish(content_type), size, tenant);
        if let Err(e) = self.put_meta(&mut unfinished, &meta).await {
            unfinished.remove().await;
            return Err(e);
        }
        unfinished.done();
        self.remove_upload(&staged).await;
        Ok(Some(meta))
    }
}

#[cfg(test)]
mod tests {
    use crate::blobs::test_server::S3TestServer;

    use super::*;

    /// A bucket of its own on a server of its own (see `test_server`), so
    /// what a test leaves behind is its alone.
    struct Subject {
        store: S3BlobStore,
        server: S3TestServer,
        bucket: String,
    }

    fn settings(server: &S3TestServer, bucket: &str) -> S3Settings {
        S3Settings {
            bucket: bucket.to_string(),
            endpoint: Some(server.endpoint.clone()),
            region: server.region.clone(),
            credentials: Some(S3Credentials {
                access_key_id: server.access_key_id.clone(),
                secret_access_key: server.secret_access_key.clone(),
                session_token: None,
            }),
            prefix: "/capsule/files".into(),
            create_bucket: true,
        }
    }

    impl Subject {
        async fn new() -> Self {
            let server = S3TestServer::start();
            let bucket = S3TestServer::new_bucket_name();
            let store = S3BlobStore::open(&settings(&server, &bucket))
                .await
                .unwrap_or_else(|e| panic!("{e}\nserver log:\n{}", server.log()))
                .with_part_size(MIN_PART_SIZE);
            Self { store, server, bucket }
        }
    }

    #[async_trait]
    impl crate::blobs::conformance::Subject for Subject {
        fn store(&self) -> &dyn BlobStore {
            &self.store
        }

        async fn contents(&self) -> Vec<String> {
            let client = &self.store.client;
            let mut names = Vec::new();
            let mut pages = client.list_objects_v2().bucket(&self.bucket).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.unwrap_or_else(|e| panic!("listing the bucket: {}", DisplayErrorContext(&e)));
                for key in page.contents().iter().filter_map(|o| o.key()) {
                    names.push(match key.strip_prefix(&self.store.prefix) {
                        Some(name) => name.to_string(),
                        None => format!("outside the prefix: {key}"),
                    });
                }
            }
            let unfinished = match self.server.unfinished_uploads() {
                Some(uploads) => uploads,
                None => {
                    let listed = client.list_multipart_uploads().bucket(&self.bucket).send().await;
                    let listed = listed.unwrap_or_else(|e| panic!("listing uploads: {}", DisplayErrorContext(&e)));
                    listed.uploads().iter().filter_map(|u| u.key()).map(str::to_string).collect()
                }
            };
            names.extend(unfinished.into_iter().map(|u| format!("unfinished upload: {u}")));
            names.sort();
            names
        }
    }

    crate::blobs::conformance::blob_store_conformance!(Subject::new().await);

    fn http() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().expect("an HTTP client")
    }

    async fn http_put(presigned: &Presigned, body: &'static [u8]) -> reqwest::StatusCode {
        assert_eq!(presigned.method, "PUT");
        let mut request = http().put(&presigned.url).body(body);
        for (name, value) in &presigned.headers {
            request = request.header(name, value);
        }
        request.send().await.expect("the presigned PUT").status()
    }

    #[tokio::test]
    async fn a_presigned_put_becomes_a_blob_once_completed() {
        let subject = Subject::new().await;
        let store = &subject.store;
        let upload = store.presign(Presign::Put, Duration::from_secs(300)).await.unwrap().expect("an upload URL");
        assert!(valid_id(&upload.id), "{}", upload.id);
        assert!(upload.expires_at > chrono::Utc::now());
        let status = http_put(&upload, b"written straight to the bucket").await;
        assert!(status.is_success(), "{status}\n{}", subject.server.log());
        assert!(store.meta(&upload.id).await.unwrap().is_none(), "no blob before it is completed");

        let meta = store.complete_upload(&upload.id, "note.txt", None, Some("acme"), 1024).await.unwrap();
        let meta = meta.expect("the uploaded blob");
        assert_eq!((meta.id.as_str(), meta.size, meta.tenant.as_deref()), (upload.id.as_str(), 30, Some("acme")));
        assert_eq!((meta.content_type.as_str(), meta.inline), ("text/plain; charset=utf-8", true));
        let (_, data) = crate::blobs::read_whole(store.open(&meta.id).await.unwrap()).await.unwrap().unwrap();
        assert_eq!(&data[..], b"written straight to the bucket");
        use crate::blobs::conformance::Subject as _;
        assert_eq!(subject.contents().await, [meta.id.clone(), format!("{}.json", meta.id)]);

        let again = store.complete_upload(&upload.id, "other.txt", None, Some("acme"), 1024).await.unwrap();
        assert_eq!(again.map(|m| m.name), Some("note.txt".to_string()), "completing twice keeps the first");
    }

    #[tokio::test]
    async fn an_expired_presigned_put_is_refused() {
        let subject = Subject::new().await;
        let store = &subject.store;
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let upload = store.presign_from(Presign::Put, an_hour_ago, Duration::from_secs(60)).await.unwrap().unwrap();
        assert!(upload.expires_at < chrono::Utc::now());
        let status = http_put(&upload, b"too late").await;
        assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
        assert!(store.complete_upload(&upload.id, "a.txt", None, None, 1024).await.unwrap().is_none());
        use crate::blobs::conformance::Subject as _;
        assert!(subject.contents().await.is_empty());
    }

    #[tokio::test]
    async fn a_presigned_upload_past_the_limit_is_refused_and_removed() {
        let subject = Subject::new().await;
        let store = &subject.store;
        let upload = store.presign(Presign::Put, Duration::from_secs(300)).await.unwrap().unwrap();
        assert!(http_put(&upload, &[b'a'; 2000]).await.is_success());
        let err = store.complete_upload(&upload.id, "a.txt", None, None, 1000).await.unwrap_err();
        assert!(matches!(err, BlobError::TooLarge { max: 1000 }), "{err}");
        use crate::blobs::conformance::Subject as _;
        assert!(subject.contents().await.is_empty());
    }

    #[tokio::test]
    async fn a_presigned_get_serves_the_file_as_sniffed() {
        let subject = Subject::new().await;
        let store = &subject.store;
        let html = b"<html><script>alert(1)</script></html>";
        let meta = store.put("page.png", "image/png", None, Bytes::from_static(html)).await.unwrap();
        let download = store.presign(Presign::Get(&meta.id), Duration::from_secs(60)).await.unwrap().unwrap();
        assert_eq!((download.method.as_str(), download.id.as_str()), ("GET", meta.id.as_str()));
        let response = http().get(&download.url).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        assert_eq!(header("content-type").as_deref(), Some("text/html"));
        assert_eq!(header("content-disposition").as_deref(), Some("attachment; filename*=UTF-8''page.png"));
        assert_eq!(&response.bytes().await.unwrap()[..], html);

        let unknown = store.presign(Presign::Get("f_00000000000000000000000000000000"), Duration::from_secs(60));
        assert!(unknown.await.unwrap().is_none());
    }

    #[tokio::test]
    async fn hosts_creating_the_same_bucket_at_once_all_start() {
        let server = S3TestServer::start();
        let bucket = S3TestServer::new_bucket_name();
        let settings = settings(&server, &bucket);
        let opened = futures::future::join_all((0..4).map(|_| S3BlobStore::open(&settings))).await;
        for store in opened {
            if let Err(e) = store {
                panic!("{e}\nserver log:\n{}", server.log());
            }
        }
    }

    #[tokio::test]
    async fn a_missing_bucket_is_an_error_naming_it_and_the_server() {
        let server = S3TestServer::start();
        let bucket = S3TestServer::new_bucket_name();
        let mut settings = settings(&server, &bucket);
        settings.create_bucket = false;
        let err = S3BlobStore::open(&settings).await.err().expect("no store without its bucket");
        let message = err.to_string();
        assert!(matches!(err, BlobError::Unavailable(_)), "{message}");
        assert!(message.contains(&bucket) && message.contains(&server.endpoint), "{message}");
        assert!(message.contains("--s3-create-bucket"), "{message}");
    }

    #[tokio::test]
    async fn wrong_credentials_are_an_error_that_says_so() {
        let server = S3TestServer::start();
        let mut settings = settings(&server, &S3TestServer::new_bucket_name());
        if let Some(c) = settings.credentials.as_mut() {
            c.secret_access_key = "not-the-secret".into();
        }
        let message = S3BlobStore::open(&settings).await.err().expect("refused credentials").to_string();
        assert!(message.contains("access denied") && message.contains("--s3-secret-access-key"), "{message}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_an_error_naming_it() {
        // A port nobody listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let settings = S3Settings {
            bucket: "files".into(),
            endpoint: Some(format!("http://127.0.0.1:{port}")),
            region: "us-east-1".into(),
            credentials: Some(S3Credentials {
                access_key_id: "a".into(),
                secret_access_key: "b".into(),
                session_token: None,
            }),
            prefix: String::new(),
            create_bucket: false,
        };
        let message = S3BlobStore::open(&settings).await.err().expect("no server, no store").to_string();
        assert!(message.contains(&format!("http://127.0.0.1:{port}")), "{message}");
        assert!(message.contains("could not be reached"), "{message}");
    }

    #[tokio::test]
    async fn malformed_settings_are_refused_before_any_request() {
        let mut settings = S3Settings {
            bucket: "s3://files".into(),
            endpoint: None,
            region: "us-east-1".into(),
            credentials: None,
            prefix: String::new(),
            create_bucket: false,
        };
        let bucket = S3BlobStore::connect(&settings).await.err().expect("a bad bucket").to_string();
        assert!(bucket.contains("--s3-bucket `s3://files`"), "{bucket}");
        settings.bucket = "files".into();
        settings.endpoint = Some("localhost:9000".into());
        let endpoint = S3BlobStore::connect(&settings).await.err().expect("a bad endpoint").to_string();
        assert!(endpoint.contains("--s3-endpoint `localhost:9000`"), "{endpoint}");
    }

    #[test]
    fn settings_never_show_the_secret() {
        let server_less = S3Settings {
            bucket: "files".into(),
            endpoint: None,
            region: "eu-west-1".into(),
            credentials: Some(S3Credentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "very-secret".into(),
                session_token: Some("token-secret".into()),
            }),
            prefix: "capsule".into(),
            create_bucket: false,
        };
        let shown = format!("{server_less:?} {}", server_less.describe());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(
            shown.contains("AKIDEXAMPLE") && shown.contains("s3://files/capsule/ at AWS S3 (eu-west-1)"),
            "{shown}"
        );
    }

    #[test]
    fn prefixes_are_folders() {
        assert_eq!(normalize_prefix(""), "");
        assert_eq!(normalize_prefix("/"), "");
        assert_eq!(normalize_prefix("capsule"), "capsule/");
        assert_eq!(normalize_prefix("/capsule/files/"), "capsule/files/");
    }

    #[test]
    fn chunks_are_cut_into_parts_of_one_size() {
        let mut parts = PartBuffer::new(4);
        assert!(parts.push(Bytes::from_static(b"ab")).is_empty());
        assert_eq!(parts.push(Bytes::from_static(b"cdefghijk")), [&b"abcd"[..], b"efgh"]);
        assert_eq!(parts.push(Bytes::from_static(b"lmn")), [&b"ijkl"[..]]);
        assert_eq!(&parts.finish()[..], b"mn");
        assert!(PartBuffer::new(4).finish().is_empty());
    }

    #[test]
    fn parts_grow_so_ten_thousand_hold_the_largest_object() {
        let mut parts = PartBuffer::new(PART_SIZE);
        let mut total = 0u64;
        for _ in 0..MAX_PARTS {
            total += parts.next_size() as u64;
            parts.parts += 1;
        }
        assert_eq!(parts.next_size(), MAX_PART_SIZE);
        assert!(total >= 5_000_000_000_000, "{total}");
        assert_eq!(PartBuffer::new(PART_SIZE).next_size(), PART_SIZE);
    }
}

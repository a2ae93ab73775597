//! Direct uploads: `POST /api/upload-video/generate-url` hands out a URL the
//! browser `PUT`s the file to — S3's own presigned URL when the host keeps
//! files in S3, else Capsule's (`/blobs/{file_key}`, HMAC-signed; see
//! `blobs::signed`) — so file bytes never pass through the API routes.
//! The upload is remembered under its file key (the job store's key-value
//! table, per account) until `request-process` or a render uses it.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Account, IdPath, VideoError, video_request};
use crate::api::AppState;
use crate::api::profile::Typed;
use crate::blobs::{BlobError, BlobMeta, Grant, Presign, SignatureError, valid_id};
use crate::store::KvNamespace;

/// An upload as remembered under its file key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Upload {
    filename: String,
    content_type: String,
    /// The stored file, once its bytes arrived and were checked.
    blob: Option<String>,
}

fn namespace(account: &str) -> KvNamespace {
    KvNamespace { owner: format!("tenant:{account}"), component: "seed-003".into(), store: "uploads".into() }
}

#[derive(Deserialize)]
pub struct GenerateUrlRequest {
    filename: Option<Value>,
    content_type: Option<Value>,
}

video_request!(GenerateUrlRequest);

/// Media types an upload may declare: the editor uploads videos, and audio
/// files transcribe as well.
fn acceptable(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let (kind, sub) = essence.split_once('/').unwrap_or(("", ""));
    matches!(kind, "video" | "audio")
        && !sub.is_empty()
        && sub.len() <= 64
        && sub.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
}

/// `POST /api/upload-video/generate-url`.
pub async fn generate_url(
    State(state): State<AppState>,
    account: Account,
    Typed(body): Typed<GenerateUrlRequest>,
) -> Result<Response, VideoError> {
    let filename = match &body.filename {
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 255 && !s.contains('\0') => s.trim().to_string(),
        _ => {
            return Err(VideoError::field(
                "filename",
                "파일 이름이 필요합니다 (1-255자)",
                "`filename` is required: the file's name, 1-255 characters",
            ));
        }
    };
    let content_type = match &body.content_type {
        Some(Value::String(s)) if acceptable(s) => s.split(';').next().unwrap_or("").trim().to_lowercase(),
        _ => {
            return Err(VideoError::field(
                "content_type",
                "동영상 또는 오디오 형식이어야 합니다 (예: video/mp4)",
                "`content_type` must be a video or audio media type, e.g. video/mp4",
            ));
        }
    };
    let tenant = account.tenant();
    let ttl = state.video.limits.url_ttl;
    let presigned = state.blobs.store.presign(Presign::Put, ttl).await.map_err(blob_error)?;
    // Headers the PUT must carry: the Content-Type (Capsule's URLs sign it),
    // and any S3 signed into its URL besides `host`.
    let mut headers = serde_json::Map::new();
    headers.insert("Content-Type".into(), Value::String(content_type.clone()));
    let (file_key, url, expires_at, method) = match presigned {
        Some(p) => {
            for (name, value) in p.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("host")) {
                headers.insert(name.clone(), Value::String(value.clone()));
            }
            (p.id, p.url, p.expires_at.timestamp(), p.method)
        }
        None => {
            let file_key = crate::blobs::new_blob_id();
            let grant = Grant::Put {
                id: file_key.clone(),
                account: tenant.clone(),
                content_type: content_type.clone(),
                max_size: state.video.limits.max_upload,
            };
            let (url, expires) = state.video.signer.sign(&grant, ttl);
            (file_key, url, expires, "PUT".to_string())
        }
    };
    let upload = Upload { filename, content_type: content_type.clone(), blob: None };
    if !save_upload(&state, &namespace(&tenant), &file_key, &upload).await? {
        return Err(VideoError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "UPLOAD_LIMIT",
            format!("this account has {MAX_UPLOADS} uploads; that is the most one account keeps"),
        ));
    }
    let expires_in = (expires_at - chrono::Utc::now().timestamp()).max(0);
    Ok(axum::Json(json!({
        "upload_url": url,
        "url": url,
        "presigned_url": url,
        "method": method,
        "headers": headers,
        "file_key": file_key,
        "fileKey": file_key,
        "expires_in": expires_in,
        "expires_at": crate::api::rfc3339(expires_at * 1000),
        "max_size": state.video.limits.max_upload,
    }))
    .into_response())
}

/// Uploads one account keeps at most.
const MAX_UPLOADS: u64 = 10_000;

fn blob_error(e: BlobError) -> VideoError {
    match e {
        BlobError::TooLarge { max } => VideoError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "UPLOAD_TOO_LARGE",
            format!("파일이 너무 큽니다: files are limited to {}", bytesize::ByteSize(max).display().iec()),
        ),
        other => {
            tracing::warn!(error = %other, "seed 003 blob store");
            VideoError::unavailable(format!("the file store is not answering: {other}"))
        }
    }
}

fn url_refused(e: SignatureError) -> VideoError {
    VideoError::new(StatusCode::FORBIDDEN, "UPLOAD_URL_INVALID", e.to_string())
}

/// The query of a signed `/blobs/{id}` URL.
#[derive(Deserialize)]
pub struct Signed {
    account: Option<String>,
    #[serde(rename = "type")]
    content_type: Option<String>,
    max: Option<u64>,
    expires: Option<i64>,
    signature: Option<String>,
}

/// `PUT /blobs/{file_key}?…&signature=…`: the browser's upload (the
/// guide's `uploadToS3`, a plain XHR `PUT` with the file as its body).
pub async fn signed_upload(
    State(state): State<AppState>,
    IdPath(id): IdPath,
    Query(q): Query<Signed>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, VideoError> {
    let (account, content_type, max, ns, mut upload) = match check_upload(&state, &id, q, &headers).await {
        Ok(checked) => checked,
        Err(refused) => {
            // Read some of what the client is sending before refusing: closing
            // on unread upload bytes can reset the connection before the
            // client reads why (the auth middleware does the same).
            let _ = axum::body::to_bytes(body, REFUSAL_DRAIN).await;
            return Err(refused);
        }
    };
    let stream = body.into_data_stream().map(|chunk| chunk.map_err(|e| Box::new(e) as crate::blobs::BoxError));
    let limit = max.min(state.video.limits.max_upload);
    let meta = state
        .blobs
        .store
        .put_stream(&upload.filename, Some(&content_type), Some(&account), Box::pin(stream), limit)
        .await
        .map_err(|e| match e {
            BlobError::Source(e) => {
                VideoError::field("body", "업로드가 중단되었습니다", &format!("the upload was cut short: {e}"))
            }
            other => blob_error(other),
        })?;
    upload.blob = Some(meta.id.clone());
    save_upload(&state, &ns, &id, &upload).await?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", meta.id)).expect("an id is a valid header");
    Ok((StatusCode::OK, [(header::ETAG, etag)]).into_response())
}

/// How much of a refused upload is read before answering.
const REFUSAL_DRAIN: usize = 1 << 20;

/// A signed upload's signature, Content-Type and upload record; the
/// account, type, size limit, namespace and record when all hold.
async fn check_upload(
    state: &AppState,
    id: &str,
    q: Signed,
    headers: &HeaderMap,
) -> Result<(String, String, u64, KvNamespace, Upload), VideoError> {
    let (Some(account), Some(content_type), Some(max), Some(expires), Some(signature)) =
        (q.account, q.content_type, q.max, q.expires, q.signature)
    else {
        return Err(url_refused(SignatureError::Invalid));
    };
    let grant =
        Grant::Put { id: id.to_string(), account: account.clone(), content_type: content_type.clone(), max_size: max };
    state.video.signer.verify(&grant, expires, &signature).map_err(url_refused)?;
    let sent = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let sent = sent.split(';').next().unwrap_or("").trim().to_lowercase();
    if sent != content_type {
        return Err(VideoError::new(
            StatusCode::FORBIDDEN,
            "UPLOAD_URL_INVALID",
            format!("this URL takes `Content-Type: {content_type}`, not `{sent}`"),
        ));
    }
    let ns = namespace(&account);
    let Some(upload) = read_upload(state, &ns, id).await? else {
        return Err(not_found(id));
    };
    if upload.blob.is_some() {
        return Err(VideoError::new(StatusCode::FORBIDDEN, "UPLOAD_URL_INVALID", "this file was uploaded already"));
    }
    Ok((account, content_type, max, ns, upload))
}

/// Record `upload` under `key`; `false` when it is a new key and the
/// account already keeps [`MAX_UPLOADS`] (replacing one never is refused).
async fn save_upload(state: &AppState, ns: &KvNamespace, key: &str, upload: &Upload) -> Result<bool, VideoError> {
    let value = serde_json::to_vec(upload).expect("an upload serializes");
    Ok(state.video.uploads.kv_set(ns, key, &value, MAX_UPLOADS).await?)
}

async fn read_upload(state: &AppState, ns: &KvNamespace, key: &str) -> Result<Option<Upload>, VideoError> {
    let Some(bytes) = state.video.uploads.kv_get(ns, key).await? else { return Ok(None) };
    Ok(serde_json::from_slice(&bytes).ok())
}

fn not_found(key: &str) -> VideoError {
    VideoError::new(
        StatusCode::NOT_FOUND,
        "UPLOAD_NOT_FOUND",
        format!("업로드된 파일을 찾을 수 없습니다: no upload of this account has the file key `{key}`"),
    )
}

/// The stored file behind a file key, or behind a URL this host handed
/// out (an upload URL, a download URL, `s3://bucket/…/{key}`): the
/// account's own, else 404.
pub async fn resolve(state: &AppState, account: &Account, key_or_url: &str) -> Result<BlobMeta, VideoError> {
    let key = key_of(key_or_url).ok_or_else(|| not_found(key_or_url))?;
    let tenant = account.tenant();
    let ns = namespace(&tenant);
    let Some(mut upload) = read_upload(state, &ns, &key).await? else {
        // A file this account owns directly (a render's output).
        return owned_blob(state, &key, &tenant).await?.ok_or_else(|| not_found(&key));
    };
    if let Some(id) = &upload.blob {
        return owned_blob(state, id, &tenant).await?.ok_or_else(|| not_found(&key));
    }
    // An S3 upload: check and move the bytes the browser PUT.
    let limit = state.video.limits.max_upload;
    let completed = state
        .blobs
        .store
        .complete_upload(&key, &upload.filename, Some(&upload.content_type), Some(&tenant), limit)
        .await
        .map_err(blob_error)?;
    let Some(meta) = completed else {
        return Err(VideoError::new(
            StatusCode::NOT_FOUND,
            "UPLOAD_NOT_FOUND",
            format!("파일이 아직 업로드되지 않았습니다: nothing was PUT to the upload URL of `{key}` yet"),
        ));
    };
    upload.blob = Some(meta.id.clone());
    save_upload(state, &ns, &key, &upload).await?;
    Ok(meta)
}

async fn owned_blob(state: &AppState, id: &str, tenant: &str) -> Result<Option<BlobMeta>, VideoError> {
    state.blobs.meta_for(id, Some(tenant)).await.map_err(blob_error)
}

/// The id in a file key or one of our URLs: its last path segment.
fn key_of(key_or_url: &str) -> Option<String> {
    let trimmed = key_or_url.trim();
    let path = trimmed.split(['?', '#']).next().unwrap_or("");
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let last = last.split('.').next().unwrap_or("");
    valid_id(last).then(|| last.to_string())
}

/// A download URL for a stored file: S3's presigned GET, or Capsule's own.
pub async fn download_url(state: &AppState, id: &str) -> Result<String, VideoError> {
    let ttl = state.video.limits.url_ttl;
    if let Some(p) = state.blobs.store.presign(Presign::Get(id), ttl).await.map_err(blob_error)? {
        return Ok(p.url);
    }
    Ok(state.video.signer.sign(&Grant::Get { id: id.to_string() }, ttl).0)
}

/// `GET /blobs/{id}?expires=…&signature=…`: a file by its signed download
/// URL, with single byte ranges (`Range: bytes=a-b`) so players can seek.
pub async fn signed_download(
    State(state): State<AppState>,
    IdPath(id): IdPath,
    Query(q): Query<Signed>,
    headers: HeaderMap,
) -> Result<Response, VideoError> {
    let (Some(expires), Some(signature)) = (q.expires, q.signature) else {
        return Err(url_refused(SignatureError::Invalid));
    };
    state.video.signer.verify(&Grant::Get { id: id.clone() }, expires, &signature).map_err(url_refused)?;
    let gone = || VideoError::new(StatusCode::NOT_FOUND, "VIDEO_NOT_FOUND", "the file is gone");
    let meta = state.blobs.store.meta(&id).await.map_err(blob_error)?.ok_or_else(gone)?;
    crate::api::user_file::serve(state.blobs.store.as_ref(), &meta, &headers)
        .await
        .map_err(blob_error)?
        .ok_or_else(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_in_the_urls_this_host_hands_out() {
        let id = "f_0123456789abcdef0123456789abcdef";
        assert_eq!(key_of(id).as_deref(), Some(id));
        assert_eq!(key_of(&format!("http://h/blobs/{id}?account=a&signature=x")).as_deref(), Some(id));
        assert_eq!(key_of(&format!("https://b.s3.amazonaws.com/capsule/uploads/{id}?X-Amz=1")).as_deref(), Some(id));
        assert_eq!(key_of(&format!("s3://bucket/video/{id}.mp4")).as_deref(), Some(id));
        assert_eq!(key_of("s3://bucket/video.mp4"), None);
        assert_eq!(key_of("../../etc/passwd"), None);
    }
}

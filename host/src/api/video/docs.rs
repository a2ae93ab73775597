//! Seed 003's part of `/openapi.json`.

use serde_json::{Map, Value, json};

use super::CODES;
use crate::api::profile::{Fragment, describe_codes};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn error(description: &str) -> Value {
    json_response(description, schema_ref("VideoError"))
}

fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn path_id(name: &str) -> Value {
    json!([{ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }])
}

pub fn fragment() -> Fragment {
    let codes = describe_codes(CODES);
    let account = json!([{ "account": [] }]);
    let open = json!([]);
    let auth_tags = json!(["seed 003: accounts"]);
    let upload_tags = json!(["seed 003: uploads and speech"]);
    let render_tags = json!(["seed 003: rendering"]);
    let refusals = |mut responses: Value| {
        responses["401"] = error("TOKEN_REQUIRED / TOKEN_EXPIRED / TOKEN_INVALID");
        responses["422"] = error("VALIDATION_ERROR: `detail` lists each field problem");
        responses["503"] = error("SERVICE_UNAVAILABLE (Retry-After)");
        responses
    };
    let mut paths = Map::new();
    let credentials = |required: Value| {
        json!({ "type": "object", "required": required, "properties": {
        "username": { "type": "string", "minLength": 2, "maxLength": 50 },
        "email": { "type": "string", "format": "email", "maxLength": 254 },
        "password": { "type": "string", "minLength": 8, "maxLength": 128 } } })
    };
    paths.insert("/api/auth/signup".into(), json!({ "post": {
        "tags": auth_tags, "operationId": "seed003_signup", "security": open,
        "summary": "Seed 003: make an account (Argon2id password) and log in",
        "description": format!("Codes: {codes}."),
        "requestBody": body(credentials(json!(["username", "email", "password"]))),
        "responses": {
            "200": json_response("The account and its token", schema_ref("AuthResponse")),
            "409": error("EMAIL_TAKEN (`detail: 이미 존재하는 이메일입니다`)"),
            "422": error("VALIDATION_ERROR, e.g. `{msg: 이메일 형식이 올바르지 않습니다, message: Invalid email format}`")
        } } }));
    paths.insert("/api/auth/login".into(), json!({ "post": {
        "tags": auth_tags, "operationId": "seed003_login", "security": open,
        "summary": "Seed 003: log in with email and password",
        "description": "Attempts are limited per email and per client address (`--login-attempts-per-email`, `--login-attempts-per-address` in `--login-window`); over the limit: 429 with Retry-After.",
        "requestBody": body(credentials(json!(["email", "password"]))),
        "responses": {
            "200": json_response("The account and its token", schema_ref("AuthResponse")),
            "401": error("INVALID_CREDENTIALS"), "403": error("ACCOUNT_DISABLED"),
            "422": error("VALIDATION_ERROR"), "429": error("LOGIN_RATE_LIMITED (Retry-After)")
        } } }));
    paths.insert("/api/auth/me".into(), json!({ "get": {
        "tags": auth_tags, "operationId": "seed003_me", "security": account,
        "summary": "Seed 003: the account the token belongs to",
        "responses": { "200": json_response("The user", schema_ref("User")), "401": error("TOKEN_REQUIRED / TOKEN_EXPIRED / TOKEN_INVALID") } } }));
    paths.insert("/api/auth/google/login".into(), json!({ "get": {
        "tags": auth_tags, "operationId": "seed003_google_login", "security": open,
        "summary": "Seed 003: start a Google login (OAuth 2.0 authorization code with PKCE and state)",
        "responses": { "302": { "description": "To the provider's consent page" }, "503": error("OAUTH_NOT_CONFIGURED: set --google-client-id and --google-client-secret") } } }));
    paths.insert(
        "/api/auth/google/callback".into(),
        json!({ "get": {
        "tags": auth_tags, "operationId": "seed003_google_callback", "security": open,
        "summary": "Seed 003: the provider's redirect back; makes the account on first login",
        "parameters": [
            { "name": "code", "in": "query", "schema": { "type": "string" } },
            { "name": "state", "in": "query", "schema": { "type": "string" } },
            { "name": "error", "in": "query", "schema": { "type": "string" } }],
        "responses": {
            "200": json_response("The account and its token (without --oauth-landing-url)", schema_ref("AuthResponse")),
            "302": { "description": "To --oauth-landing-url with `#access_token=…&token_type=bearer`" },
            "400": error("OAUTH_FAILED: denied, unknown or expired state, or the code exchange failed"),
            "503": error("OAUTH_NOT_CONFIGURED") } } }),
    );
    paths.insert("/api/upload-video/generate-url".into(), json!({ "post": {
        "tags": upload_tags, "operationId": "seed003_generate_url", "security": account,
        "summary": "Seed 003: a URL the browser PUTs the video to directly",
        "description": "With S3 (`--s3-bucket`) an S3 presigned PUT; otherwise Capsule's own `/blobs/{file_key}` URL, signed with HMAC-SHA256 over the key, account, content type, size limit and expiry. `upload_url`, `url` and `presigned_url` are the same URL; `file_key` and `fileKey` the same key (the guide maps any of them).",
        "requestBody": body(json!({ "type": "object", "required": ["filename", "content_type"], "properties": {
            "filename": { "type": "string", "maxLength": 255 },
            "content_type": { "type": "string", "description": "video/* or audio/*, e.g. video/mp4; the PUT must send the same Content-Type" } } })),
        "responses": refusals(json!({ "200": json_response("Where to upload", schema_ref("PresignedUrl")) })) } }));
    paths.insert("/blobs/{id}".into(), json!({
        "put": {
            "tags": upload_tags, "operationId": "seed003_signed_upload", "security": open,
            "summary": "Seed 003: upload to a URL from generate-url (no token: the signature is the permission)",
            "parameters": path_id("id"),
            "requestBody": { "required": true, "content": { "*/*": { "schema": { "type": "string", "format": "binary" } } } },
            "responses": {
                "200": { "description": "Stored; `ETag` names the file" },
                "403": error("UPLOAD_URL_INVALID: changed, expired, already used, or another Content-Type"),
                "404": error("UPLOAD_NOT_FOUND"), "413": error("UPLOAD_TOO_LARGE") } },
        "get": {
            "tags": render_tags, "operationId": "seed003_signed_download", "security": open,
            "summary": "Seed 003: download by a signed URL (a render's `downloadUrl`); single byte ranges supported",
            "parameters": path_id("id"),
            "responses": {
                "200": { "description": "The file", "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } } },
                "206": { "description": "The requested byte range (`Content-Range`)" },
                "403": error("UPLOAD_URL_INVALID: changed or expired"),
                "416": { "description": "The range is outside the file" } } } }));
    paths.insert("/api/upload-video/request-process".into(), json!({ "post": {
        "tags": upload_tags, "operationId": "seed003_request_process", "security": account,
        "summary": "Seed 003: transcribe an uploaded video (segments, words with timings and acoustic features)",
        "description": "Runs the `transcription` component: the media engine extracts 16 kHz mono audio, the speech engine (`--speech`) recognises it, and the component measures each word's volume, pitch, spectral centroid and harmonicity. Without a speech provider the job fails `SPEECH_NOT_CONFIGURED`.",
        "requestBody": body(json!({ "type": "object", "required": ["fileKey"], "properties": {
            "fileKey": { "type": "string", "description": "The `file_key` from generate-url (`file_key` is accepted too)" },
            "language": { "enum": ["auto", "ko", "en", "ja", "zh"], "default": "auto" } } })),
        "responses": refusals(json!({
            "200": json_response("Queued", json!({ "type": "object", "required": ["job_id", "status", "estimated_time"], "properties": {
                "job_id": { "type": "string" }, "status": { "const": "pending" },
                "estimated_time": { "type": "integer", "description": "Seconds, a hint from the file's size" },
                "message": { "type": "string" } } })),
            "404": error("UPLOAD_NOT_FOUND: unknown key, or nothing was PUT yet") })) } }));
    paths.insert("/api/upload-video/status/{jobId}".into(), json!({ "get": {
        "tags": upload_tags, "operationId": "seed003_process_status", "security": account,
        "summary": "Seed 003: a transcription's ProcessingStatus",
        "parameters": path_id("jobId"),
        "responses": refusals(json!({ "200": json_response("The job", schema_ref("ProcessingStatus")), "404": error("JOB_NOT_FOUND") })) } }));
    paths.insert("/api/upload-video/cancel/{jobId}".into(), json!({ "post": {
        "tags": upload_tags, "operationId": "seed003_process_cancel", "security": account,
        "summary": "Seed 003: cancel a transcription",
        "parameters": path_id("jobId"),
        "responses": refusals(json!({
            "200": json_response("Cancelled", json!({ "type": "object", "properties": { "success": { "type": "boolean" }, "job_id": { "type": "string" }, "status": { "const": "cancelled" }, "message": { "type": "string" } } })),
            "404": error("JOB_NOT_FOUND"), "409": error("JOB_ALREADY_FINISHED") })) } }));
    paths.insert("/api/render/create".into(), json!({ "post": {
        "tags": render_tags, "operationId": "seed003_render_create", "security": account,
        "summary": "Seed 003: render the video with the scenario's subtitles burnt in",
        "description": "The scenario is checked first (fields honoured: docs/render-scenario.md); then the account's rate (`--render-rate`, message `rate:`) and daily quota (`--render-daily-quota`, message `quota:`).",
        "requestBody": body(json!({ "type": "object", "required": ["videoUrl", "scenario"], "properties": {
            "videoUrl": { "type": "string", "description": "The uploaded video: its upload URL, file key, or s3://…/{file_key}" },
            "scenario": schema_ref("RendererScenario"),
            "options": { "type": "object", "properties": {
                "width": { "type": "integer", "default": 1920, "minimum": 16, "maximum": 3840 },
                "height": { "type": "integer", "default": 1080, "minimum": 16, "maximum": 2160 },
                "fps": { "type": "integer", "default": 30, "minimum": 1, "maximum": 120 },
                "quality": { "type": "integer", "default": 90, "minimum": 1, "maximum": 100 },
                "format": { "enum": ["mp4", "mov", "webm"], "default": "mp4" } } } } })),
        "responses": refusals(json!({
            "200": json_response("Queued", json!({ "type": "object", "required": ["jobId", "estimatedTime", "createdAt"], "properties": {
                "jobId": { "type": "string" }, "estimatedTime": { "type": "integer" }, "createdAt": { "type": "string", "format": "date-time" } } })),
            "400": error("RENDER_INVALID_INPUT (`invalid: …` naming the field)"),
            "429": error("RENDER_RATE_LIMIT_EXCEEDED (`rate: …`) / RENDER_QUOTA_DAILY_EXCEEDED (`quota: …`)") })) } }));
    paths.insert("/api/render/{jobId}/status".into(), json!({ "get": {
        "tags": render_tags, "operationId": "seed003_render_status", "security": account,
        "summary": "Seed 003: a render's status; `downloadUrl` when completed",
        "parameters": path_id("jobId"),
        "responses": refusals(json!({ "200": json_response("The render", schema_ref("RenderStatus")), "404": error("JOB_NOT_FOUND") })) } }));
    paths.insert("/api/render/{jobId}/cancel".into(), json!({ "post": {
        "tags": render_tags, "operationId": "seed003_render_cancel", "security": account,
        "summary": "Seed 003: cancel a render (FFmpeg stops at once)",
        "parameters": path_id("jobId"),
        "responses": refusals(json!({
            "200": json_response("`success: false` when it had already finished", json!({ "type": "object", "required": ["success", "message"], "properties": {
                "success": { "type": "boolean" }, "message": { "type": "string" } } })),
            "404": error("JOB_NOT_FOUND") })) } }));
    paths.insert("/api/videos/metadata".into(), json!({ "get": {
        "tags": render_tags, "operationId": "seed003_video_metadata", "security": account,
        "summary": "Seed 003: ffprobe's reading of one of the account's videos (VideoService.getVideoMetadata)",
        "parameters": [{ "name": "url", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The video's URL or file key" }],
        "responses": refusals(json!({
            "200": json_response("The metadata", json!({ "type": "object", "required": ["duration", "width", "height", "frameRate"], "properties": {
                "duration": { "type": "number" }, "width": { "type": "integer" }, "height": { "type": "integer" },
                "frameRate": { "type": "number" }, "videoCodec": { "type": ["string", "null"] }, "audioCodec": { "type": ["string", "null"] },
                "filesize": { "type": "string", "description": "Human-readable, e.g. `1.2 MB`" }, "filesizeBytes": { "type": "integer" },
                "format": { "type": "string" } } })),
            "404": error("VIDEO_NOT_FOUND"), "422": error("VIDEO_UNREADABLE / VALIDATION_ERROR") })) } }));

    let user = json!({ "type": "object", "required": ["id", "name", "email", "auth_provider", "is_active", "is_verified", "created_at"], "properties": {
        "id": { "type": "integer" }, "name": { "type": "string" }, "email": { "type": "string" },
        "auth_provider": { "enum": ["local", "google"] }, "is_active": { "type": "boolean" },
        "is_verified": { "type": "boolean" }, "created_at": { "type": "string", "format": "date-time" } } });
    let auth = json!({ "type": "object", "required": ["access_token", "token_type", "user"], "properties": {
        "access_token": { "type": "string", "description": "A JWT (HS256) valid for --token-ttl" },
        "token_type": { "const": "bearer" }, "expires_at": { "type": "string", "format": "date-time" },
        "user": schema_ref("User") } });
    let presigned = json!({ "type": "object", "required": ["upload_url", "file_key", "expires_in"], "properties": {
        "upload_url": { "type": "string" }, "url": { "type": "string" }, "presigned_url": { "type": "string" },
        "method": { "const": "PUT" }, "headers": { "type": "object", "additionalProperties": { "type": "string" } },
        "file_key": { "type": "string" }, "fileKey": { "type": "string" },
        "expires_in": { "type": "integer" }, "expires_at": { "type": "string", "format": "date-time" },
        "max_size": { "type": "integer" } } });
    let word = json!({ "type": "object", "required": ["word", "start", "end", "confidence"], "properties": {
        "word": { "type": "string" }, "start": { "type": "number" }, "end": { "type": "number" }, "confidence": { "type": "number" },
        "volume_db": { "type": "number", "description": "RMS level in dBFS" },
        "pitch_hz": { "type": ["number", "null"], "description": "YIN fundamental frequency; null when unvoiced" },
        "harmonics_ratio": { "type": "number", "description": "0..1 periodicity (1 - YIN's normalised difference)" },
        "spectral_centroid": { "type": "number", "description": "Hz" } } });
    let segment = json!({ "type": "object", "required": ["start", "end", "text", "speaker", "confidence", "words"], "properties": {
        "id": { "type": "integer" }, "start": { "type": "number" }, "end": { "type": "number" },
        "start_time": { "type": "number" }, "end_time": { "type": "number" }, "duration": { "type": "number" },
        "text": { "type": "string" }, "confidence": { "type": "number" },
        "speaker": { "type": "object", "required": ["speaker_id"], "properties": { "speaker_id": { "type": "string" }, "confidence": { "type": ["number", "null"] } } },
        "words": { "type": "array", "items": schema_ref("TranscriptionWord") } } });
    let processing = json!({ "type": "object", "required": ["job_id", "status", "progress"], "properties": {
        "job_id": { "type": "string" }, "status": { "enum": ["pending", "processing", "completed", "failed"] },
        "progress": { "type": "integer", "minimum": 0, "maximum": 100 },
        "current_stage": { "type": "string", "description": "음성 추출 중, 음성 인식 중, 음성 특징 분석 중, …" },
        "estimated_time_remaining": { "type": "integer" },
        "message": { "type": "string" },
        "error": { "type": "object", "properties": { "code": { "type": "string" }, "message": { "type": "string" } } },
        "result": { "type": "object", "required": ["segments", "metadata"], "properties": {
            "segments": { "type": "array", "items": schema_ref("TranscriptionSegment") },
            "metadata": { "type": "object", "required": ["duration", "language", "model", "processing_time"], "properties": {
                "duration": { "type": "number" }, "language": { "type": "string" }, "model": { "type": "string" },
                "processing_time": { "type": "number" }, "warnings": { "type": "array", "items": { "type": "string" } } } } } } } });
    let scenario = json!({ "type": "object", "required": ["timebase", "tracks", "cues"], "properties": {
        "version": { "type": "string" },
        "timebase": { "type": "object", "properties": { "unit": { "enum": ["seconds", "milliseconds"] } } },
        "stage": { "type": "object", "properties": { "baseAspect": { "type": "string" } } },
        "tracks": { "type": "array", "items": { "type": "object", "required": ["id"], "properties": {
            "id": { "type": "string" }, "type": { "enum": ["free", "subtitle"] }, "layer": { "type": "integer" } } } },
        "cues": { "type": "array", "items": { "type": "object", "required": ["id", "track", "root"], "properties": {
            "id": { "type": "string" }, "track": { "type": "string" },
            "hintTime": { "type": "object", "properties": { "start": { "type": "number" }, "end": { "type": "number" } } },
            "root": { "type": "object", "description": "Plugin data; the honoured fields are in docs/render-scenario.md" } } } } } });
    let render = json!({ "type": "object", "required": ["jobId", "status", "progress"], "properties": {
        "jobId": { "type": "string" }, "status": { "enum": ["queued", "processing", "completed", "failed"] },
        "progress": { "type": "integer", "minimum": 0, "maximum": 100 },
        "estimatedTimeRemaining": { "type": "integer" }, "startedAt": { "type": "string", "format": "date-time" },
        "completedAt": { "type": "string", "format": "date-time" },
        "downloadUrl": { "type": "string", "description": "Signed; lasts --upload-url-ttl; byte ranges supported" },
        "error": { "type": "string" }, "errorCode": { "type": "string" },
        "duration": { "type": "number" }, "size": { "type": "integer" }, "format": { "type": "string" } } });
    let video_error = json!({ "type": "object", "required": ["detail", "error", "message"], "properties": {
        "detail": { "oneOf": [{ "type": "string" }, { "type": "array", "items": { "type": "object", "required": ["msg", "message"], "properties": {
            "loc": { "type": "array", "items": { "type": "string" } }, "msg": { "type": "string" }, "message": { "type": "string" }, "type": { "type": "string" } } } }] },
        "error": { "type": "string" }, "message": { "type": "string" } } });
    let schemas = Map::from_iter(
        [
            ("User", user),
            ("AuthResponse", auth),
            ("PresignedUrl", presigned),
            ("TranscriptionWord", word),
            ("TranscriptionSegment", segment),
            ("ProcessingStatus", processing),
            ("RendererScenario", scenario),
            ("RenderStatus", render),
            ("VideoError", video_error),
        ]
        .map(|(k, v)| (k.to_string(), v)),
    );
    Fragment { paths, schemas }
}

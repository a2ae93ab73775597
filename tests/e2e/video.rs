//! Seed 003's uploads, speech processing, rendering and metadata through a
//! real host with real media: videos made by FFmpeg's generators (and
//! espeak-ng speech), uploaded through the presigned URL (Capsule's own
//! HMAC URL on the embedded backends, S3's on the distributed one),
//! transcribed by a self-hosted faster-whisper server speaking OpenAI's
//! protocol, and rendered with a three-cue scenario checked by ffprobe.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{get_as, post_as, signup};
use crate::harness::{Host, Manifest};

pub fn manifest() -> Manifest {
    Manifest::new()
        .job("transcription", &[("max_attempts", "1"), ("timeout", "\"300s\"")])
        .engine("transcription", "media")
        .engine("transcription", "speech")
        .job("render", &[("max_attempts", "1"), ("timeout", "\"300s\"")])
        .engine("render", "media")
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Encode `inputs` (FFmpeg input arguments: a picture, then a sound) as
/// H.264 + AAC in `out`, as long as the shorter of the two.
fn encode(inputs: &[&str], out: &Path) {
    let mut args = vec!["-v", "error", "-y"];
    args.extend_from_slice(inputs);
    args.extend(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]);
    args.push(out.to_str().unwrap());
    run("ffmpeg", &args);
}

/// A test video: FFmpeg's test pattern with a 440 Hz tone, `seconds` long.
pub fn tone_video(dir: &Path, seconds: u32, size: &str) -> PathBuf {
    let out = dir.join("tone.mp4");
    let picture = format!("testsrc=size={size}:rate=25:duration={seconds}");
    let sound = format!("sine=frequency=440:duration={seconds}");
    encode(&["-f", "lavfi", "-i", &picture, "-f", "lavfi", "-i", &sound], &out);
    out
}

/// A test video whose sound is espeak-ng saying `text`.
pub fn speech_video(dir: &Path, text: &str) -> PathBuf {
    let wav = dir.join("speech.wav");
    run("espeak-ng", &["-v", "en-us", "-s", "140", "-w", wav.to_str().unwrap(), text]);
    let out = dir.join("speech.mp4");
    encode(&["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-i", wav.to_str().unwrap()], &out);
    out
}

/// Upload through generate-url and a plain PUT, as the guide's
/// `uploadToS3` does; returns the generate-url answer.
pub async fn upload(host: &Host, token: &str, file: &Path, content_type: &str) -> Value {
    let (status, presigned) = post_as(
        host,
        token,
        "/api/upload-video/generate-url",
        &json!({"filename": file.file_name().unwrap().to_str().unwrap(), "content_type": content_type}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{presigned}");
    for key in ["upload_url", "url", "presigned_url"] {
        assert_eq!(presigned[key], presigned["upload_url"], "{key}");
    }
    assert_eq!(presigned["file_key"], presigned["fileKey"]);
    assert!(presigned["expires_in"].as_i64().unwrap() > 3000);
    let bytes = std::fs::read(file).unwrap();
    let put = host
        .client()
        .put(presigned["upload_url"].as_str().unwrap())
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK, "{}", put.text().await.unwrap_or_default());
    presigned
}

/// A new account with a tone video of `seconds` at `size` uploaded; the
/// directory holding the video, the account's token and generate-url's answer.
async fn account_with_video(host: &Host, email: &str, seconds: u32, size: &str) -> (tempfile::TempDir, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let token = signup(host, email).await;
    let presigned = upload(host, &token, &tone_video(dir.path(), seconds, size), "video/mp4").await;
    (dir, token, presigned)
}

async fn wait_for(host: &Host, token: &str, path: &str, timeout: Duration, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let (status, body) = get_as(host, token, path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path} did not finish in {timeout:?}: {body}\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn ffprobe(file: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-print_format", "json", "-show_format", "-show_streams"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A grey frame of `file` at `t` seconds, scaled to `w`×`h`.
fn frame(file: &Path, t: f64, w: u32, h: u32) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{t}"), "-i"])
        .arg(file)
        .args(["-frames:v", "1", "-vf", &format!("scale={w}:{h}"), "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The share of pixels that differ by more than 48 grey levels: drawn text
/// does, re-encoding does not.
fn changed_share(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 48).count() as f64 / a.len() as f64
}

fn three_cues() -> Value {
    json!({
        "version": "1.3",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "captions", "type": "subtitle", "layer": 1}, {"id": "titles", "type": "free", "layer": 2}],
        "cues": [
            {"id": "c1", "track": "captions", "hintTime": {"start": 0.5, "end": 1.8}, "root": {"text": "첫 번째 자막 FIRST"}},
            {"id": "c2", "track": "titles", "hintTime": {"start": 2.0, "end": 3.2}, "root": {"text": "SECOND TITLE"}},
            {"id": "c3", "track": "captions", "hintTime": {"start": 3.4, "end": 3.9}, "root": {"text": "세 번째 THIRD"}}
        ]
    })
}

#[tokio::test]
async fn a_three_cue_render_has_the_asked_size_fps_and_codec_and_burns_the_text_in() {
    let host = Host::start(&manifest(), &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let source = tone_video(dir.path(), 4, "640x360");
    let token = signup(&host, "render@example.com").await;
    let presigned = upload(&host, &token, &source, "video/mp4").await;
    let (status, created) = post_as(
        &host,
        &token,
        "/api/render/create",
        &json!({
            "videoUrl": presigned["url"], "scenario": three_cues(),
            "options": {"width": 1280, "height": 720, "fps": 24, "quality": 80, "format": "mp4"}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert!(created["estimatedTime"].as_u64().is_some() && created["createdAt"].is_string(), "{created}");
    let path = format!("/api/render/{}/status", created["jobId"].as_str().unwrap());
    let done = wait_for(&host, &token, &path, Duration::from_secs(240), |s| {
        s["status"] != "queued" && s["status"] != "processing"
    })
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["progress"], 100);
    assert!(done["startedAt"].is_string() && done["completedAt"].is_string());
    let url = done["downloadUrl"].as_str().unwrap();
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let output = dir.path().join("out.mp4");
    std::fs::write(&output, &bytes).unwrap();
    let probe = ffprobe(&output);
    let video = probe["streams"].as_array().unwrap().iter().find(|s| s["codec_type"] == "video").unwrap();
    assert_eq!((video["width"].as_u64(), video["height"].as_u64()), (Some(1280), Some(720)));
    assert_eq!(video["codec_name"], "h264");
    assert_eq!(video["avg_frame_rate"], "24/1");
    let duration: f64 = probe["format"]["duration"].as_str().unwrap().parse().unwrap();
    assert!((duration - 4.0).abs() < 0.3, "{duration}");
    // At each cue the frame differs from the source's; before the first it does not.
    let changed = |t: f64| changed_share(&frame(&output, t, 640, 360), &frame(&source, t, 640, 360));
    let before = changed(0.2);
    for t in [1.0, 2.5, 3.6] {
        let at_cue = changed(t);
        assert!(
            at_cue > 0.001 && at_cue > 10.0 * before,
            "at {t} s {at_cue:.5} of the pixels changed, before any cue {before:.5}"
        );
    }
}

#[tokio::test]
async fn the_download_url_serves_byte_ranges_so_players_can_seek() {
    let host = Host::start(&manifest(), &["--render-rate", "100/m"]).await;
    let (_dir, token, presigned) = account_with_video(&host, "range@example.com", 1, "320x240").await;
    let (_, created) = post_as(
        &host,
        &token,
        "/api/render/create",
        &json!({
            "videoUrl": presigned["file_key"], "scenario": three_cues(), "options": {"width": 320, "height": 240}
        }),
    )
    .await;
    let path = format!("/api/render/{}/status", created["jobId"].as_str().unwrap());
    let done = wait_for(&host, &token, &path, Duration::from_secs(120), |s| {
        s["status"] == "completed" || s["status"] == "failed"
    })
    .await;
    let url = done["downloadUrl"].as_str().unwrap_or_else(|| panic!("{done}"));
    let whole = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let part = reqwest::Client::new().get(url).header("range", "bytes=10-29").send().await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"].to_str().unwrap(), format!("bytes 10-29/{}", whole.len()));
    assert_eq!(&part.bytes().await.unwrap()[..], &whole[10..30]);
    // One hex digit of Capsule's `signature=` or S3's `X-Amz-Signature=` changed.
    let at = url.find("ignature=").expect("a signed URL") + "ignature=".len();
    let digit = if &url[at..at + 1] == "0" { "1" } else { "0" };
    let tampered = format!("{}{digit}{}", &url[..at], &url[at + 1..]);
    assert_eq!(reqwest::get(&tampered).await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_scenario_is_400_render_invalid_input_naming_the_field() {
    let host = Host::start(&manifest(), &[]).await;
    let (_dir, token, presigned) = account_with_video(&host, "bad@example.com", 1, "320x240").await;
    let mut scenario = three_cues();
    scenario["cues"][1]["track"] = json!("missing");
    let (status, body) =
        post_as(&host, &token, "/api/render/create", &json!({"videoUrl": presigned["url"], "scenario": scenario}))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "RENDER_INVALID_INPUT");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("invalid:") && message.contains("cues[1].track"), "{message}");
    let (status, body) = post_as(
        &host,
        &token,
        "/api/render/create",
        &json!({
            "videoUrl": "s3://bucket/video.mp4", "scenario": three_cues()
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("videoUrl"), "{body}");
}

#[tokio::test]
async fn renders_over_the_rate_and_over_the_daily_quota_are_429_rate_and_quota() {
    let host = Host::start(&manifest(), &["--render-rate", "2/h", "--render-daily-quota", "3"]).await;
    let (_dir, token, presigned) = account_with_video(&host, "busy@example.com", 1, "320x240").await;
    let body =
        json!({"videoUrl": presigned["url"], "scenario": three_cues(), "options": {"width": 320, "height": 240}});
    for _ in 0..2 {
        assert_eq!(post_as(&host, &token, "/api/render/create", &body).await.0, StatusCode::OK);
    }
    let (status, refused) = post_as(&host, &token, "/api/render/create", &body).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused["error"], "RENDER_RATE_LIMIT_EXCEEDED");
    assert!(refused["message"].as_str().unwrap().starts_with("rate:"), "{refused}");
    // The daily quota, under a rate that allows more.
    drop(host);
    let host = Host::start(&manifest(), &["--render-rate", "10/h", "--render-daily-quota", "2"]).await;
    let (_dir, token, presigned) = account_with_video(&host, "quota@example.com", 1, "320x240").await;
    let body =
        json!({"videoUrl": presigned["url"], "scenario": three_cues(), "options": {"width": 320, "height": 240}});
    for _ in 0..2 {
        assert_eq!(post_as(&host, &token, "/api/render/create", &body).await.0, StatusCode::OK);
    }
    let (status, refused) = post_as(&host, &token, "/api/render/create", &body).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused["error"], "RENDER_QUOTA_DAILY_EXCEEDED");
    assert!(refused["message"].as_str().unwrap().starts_with("quota:"), "{refused}");
}

#[tokio::test]
async fn cancelling_a_render_stops_it_at_once() {
    let host = Host::start(&manifest(), &[]).await;
    let (_dir, token, presigned) = account_with_video(&host, "cancel@example.com", 60, "640x360").await;
    let (_, created) = post_as(&host, &token, "/api/render/create", &json!({
        "videoUrl": presigned["url"], "scenario": three_cues(), "options": {"width": 1920, "height": 1080, "quality": 100}
    }))
    .await;
    let id = created["jobId"].as_str().unwrap();
    let path = format!("/api/render/{id}/status");
    wait_for(&host, &token, &path, Duration::from_secs(60), |s| {
        s["status"] == "processing" && s["progress"].as_u64() > Some(5)
    })
    .await;
    let asked = Instant::now();
    let (status, body) = post_as(&host, &token, &format!("/api/render/{id}/cancel"), &json!({})).await;
    assert_eq!((status, body["success"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    let done = wait_for(&host, &token, &path, Duration::from_secs(10), |s| s["status"] == "failed").await;
    assert!(asked.elapsed() < Duration::from_secs(5), "{done}");
    // No FFmpeg of this host's left running.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ps = Command::new("pgrep").args(["-P", &host.pid().to_string(), "-x", "ffmpeg"]).output().unwrap();
    assert!(ps.stdout.is_empty(), "FFmpeg still running: {}", String::from_utf8_lossy(&ps.stdout));
    let (_, again) = post_as(&host, &token, &format!("/api/render/{id}/cancel"), &json!({})).await;
    assert_eq!(again["success"], false);
}

#[tokio::test]
async fn a_tampered_or_expired_upload_url_is_403_and_stores_nothing() {
    let host = Host::start(&manifest(), &["--upload-url-ttl", "60s"]).await;
    if crate::BACKEND == crate::harness::Backend::Distributed {
        return; // S3's own URLs there: the S3 tests check their signatures.
    }
    let token = signup(&host, "tamper@example.com").await;
    let (_, presigned) = post_as(
        &host,
        &token,
        "/api/upload-video/generate-url",
        &json!({"filename": "a.mp4", "content_type": "video/mp4"}),
    )
    .await;
    let url = presigned["upload_url"].as_str().unwrap();
    let put = |url: String, content_type: &'static str| {
        host.client().put(url).header("content-type", content_type).body(vec![0u8; 100]).send()
    };
    let bigger = url.replace("max=", "max=9");
    assert_eq!(put(bigger, "video/mp4").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(put(url.to_string(), "text/html").await.unwrap().status(), StatusCode::FORBIDDEN);
    let later = url.replace("expires=", "expires=1");
    assert_eq!(put(later, "video/mp4").await.unwrap().status(), StatusCode::FORBIDDEN);
    let (status, body) =
        post_as(&host, &token, "/api/upload-video/request-process", &json!({"fileKey": presigned["file_key"]})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing arrived: {body}");
    assert_eq!(body["error"], "UPLOAD_NOT_FOUND");
}

#[tokio::test]
async fn another_accounts_files_and_jobs_are_404_and_no_token_is_401() {
    let host = Host::start(&manifest(), &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let owner = signup(&host, "owner@example.com").await;
    let stranger = signup(&host, "stranger@example.com").await;
    let presigned = upload(&host, &owner, &tone_video(dir.path(), 1, "320x240"), "video/mp4").await;
    let (_, created) = post_as(
        &host,
        &owner,
        "/api/render/create",
        &json!({
            "videoUrl": presigned["url"], "scenario": three_cues(), "options": {"width": 320, "height": 240}
        }),
    )
    .await;
    let id = created["jobId"].as_str().unwrap();
    let (status, _) = get_as(&host, &stranger, &format!("/api/render/{id}/status")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post_as(&host, &stranger, &format!("/api/render/{id}/cancel"), &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) =
        post_as(&host, &stranger, "/api/upload-video/request-process", &json!({"fileKey": presigned["file_key"]}))
            .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("UPLOAD_NOT_FOUND")));
    let (status, _) = post_as(
        &host,
        &stranger,
        "/api/render/create",
        &json!({
            "videoUrl": presigned["url"], "scenario": three_cues()
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the stranger cannot render the owner's video");
    let (status, _) =
        get_as(&host, &stranger, &format!("/api/videos/metadata?url={}", presigned["file_key"].as_str().unwrap()))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = host.get(&format!("/api/render/{id}/status")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn video_metadata_reads_duration_size_rate_and_codecs() {
    let host = Host::start(&manifest(), &[]).await;
    let (_dir, token, presigned) = account_with_video(&host, "meta@example.com", 2, "320x240").await;
    let path = format!("/api/videos/metadata?url={}", presigned["file_key"].as_str().unwrap());
    let (status, meta) = get_as(&host, &token, &path).await;
    assert_eq!(status, StatusCode::OK, "{meta}");
    assert_eq!((meta["width"].as_u64(), meta["height"].as_u64()), (Some(320), Some(240)));
    assert_eq!(meta["frameRate"], 25.0);
    assert!((meta["duration"].as_f64().unwrap() - 2.0).abs() < 0.1, "{meta}");
    assert_eq!((meta["videoCodec"].as_str(), meta["audioCodec"].as_str()), (Some("h264"), Some("aac")));
    assert!(meta["filesize"].as_str().unwrap().ends_with('B'), "{meta}");
}

#[tokio::test]
async fn without_a_speech_provider_processing_fails_speech_not_configured() {
    let host = Host::start(&manifest(), &[]).await;
    let (_dir, token, presigned) = account_with_video(&host, "nospeech@example.com", 1, "320x240").await;
    let (status, started) = post_as(
        &host,
        &token,
        "/api/upload-video/request-process",
        &json!({"fileKey": presigned["fileKey"], "language": "ko"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["status"], "pending");
    let path = format!("/api/upload-video/status/{}", started["job_id"].as_str().unwrap());
    let done = wait_for(&host, &token, &path, Duration::from_secs(60), |s| {
        s["status"] == "failed" || s["status"] == "completed"
    })
    .await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["error"]["code"], "SPEECH_NOT_CONFIGURED");
    let (status, body) = post_as(
        &host,
        &token,
        "/api/upload-video/request-process",
        &json!({"fileKey": presigned["fileKey"], "language": "fr"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

//! Speech recognition end to end: a video whose sound is espeak-ng speech,
//! uploaded, transcribed through the `speech` engine by a self-hosted
//! faster-whisper server (Whisper tiny.en from a PyPI package; see
//! `tests/speech-server/`) speaking OpenAI's `/audio/transcriptions`, with
//! the per-word acoustic features measured by the `transcription`
//! component on the same audio.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{get_as, post_as, signup};
use crate::harness::{Host, workspace};
use crate::video::{speech_video, upload};

/// The speech server's Python environment, installed once per test process.
fn model_dir() -> &'static str {
    static DIR: OnceLock<String> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new("bash")
            .arg(workspace().join("tests/speech-server/setup.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("running tests/speech-server/setup.sh");
        assert!(out.status.success(), "tests/speech-server/setup.sh failed");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

fn venv_python() -> String {
    let venv = std::env::var("CAPSULE_SPEECH_VENV")
        .unwrap_or_else(|_| format!("{}/.cache/capsule/speech-venv", std::env::var("HOME").unwrap_or_default()));
    format!("{venv}/bin/python")
}

/// A running speech server on a free loopback port; stopped when dropped.
pub struct SpeechServer {
    child: Child,
    pub base_url: String,
}

impl SpeechServer {
    pub fn start() -> Self {
        let model = model_dir();
        let mut child = Command::new(venv_python())
            .arg(workspace().join("tests/speech-server/server.py"))
            .args(["--port", "0", "--model-dir", model, "--api-key", "sk-speech"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the speech server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("the server's first line");
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected line {line:?}"));
        Self { child, base_url: format!("{url}/v1") }
    }
}

impl Drop for SpeechServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A speech server and a host using it (keep both alive).
async fn host_with_speech() -> (SpeechServer, Host) {
    let speech = SpeechServer::start();
    let provider = format!("openai:whisper-1@{}", speech.base_url);
    let env = [("OPENAI_API_KEY", "sk-speech")];
    let host = Host::start_with_env(&crate::video::manifest(), &["--speech", &provider], &env).await;
    (speech, host)
}

fn words_of(result: &Value) -> Vec<Value> {
    result["segments"].as_array().unwrap().iter().flat_map(|s| s["words"].as_array().unwrap().clone()).collect()
}

#[tokio::test]
async fn speech_in_a_video_comes_back_as_timed_words_with_acoustic_features() {
    let (_speech, host) = host_with_speech().await;
    let dir = tempfile::tempdir().unwrap();
    let video = speech_video(dir.path(), "Hello world. This is a test of the speech engine.");
    let token = signup(&host, "speaker@example.com").await;
    let presigned = upload(&host, &token, &video, "video/mp4").await;
    let (status, started) = post_as(
        &host,
        &token,
        "/api/upload-video/request-process",
        &json!({"fileKey": presigned["file_key"], "language": "en"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let path = format!("/api/upload-video/status/{}", started["job_id"].as_str().unwrap());
    let mut stages = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    let done = loop {
        let (status, s) = get_as(&host, &token, &path).await;
        assert_eq!(status, StatusCode::OK);
        if let Some(stage) = s["current_stage"].as_str()
            && stages.last().map(String::as_str) != Some(stage)
        {
            stages.push(stage.to_string());
        }
        if s["status"] == "completed" || s["status"] == "failed" {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "{s}\n{}", host.log_tail());
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["status"], "completed", "{done}\n{}", host.log_tail());
    let result = &done["result"];
    let meta = &result["metadata"];
    assert_eq!((meta["language"].as_str(), meta["model"].as_str()), (Some("en"), Some("whisper-1")));
    assert!(meta["processing_time"].as_f64().unwrap() > 0.0);
    assert!(meta["warnings"][0].as_str().unwrap().contains("diarization is off"));
    let duration = meta["duration"].as_f64().unwrap();
    let text: String = result["segments"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    let text = text.to_lowercase();
    // Whisper tiny on espeak's voice is approximate (docs/benchmarks.md); these words survive.
    assert!(text.contains("this is a test") && text.contains("world"), "{text}");
    let words = words_of(result);
    assert!(words.len() >= 6, "{words:?}");
    let mut last = 0.0;
    for w in &words {
        let (start, end) = (w["start"].as_f64().unwrap(), w["end"].as_f64().unwrap());
        assert!(start >= last - 0.01 && end >= start && end <= duration + 0.5, "{w}");
        last = start;
        assert!((0.0..=1.0).contains(&w["confidence"].as_f64().unwrap()));
        let db = w["volume_db"].as_f64().unwrap();
        assert!((-60.0..0.0).contains(&db), "a spoken word is audible and below full scale: {w}");
        assert!(w["spectral_centroid"].as_f64().unwrap() > 50.0, "{w}");
    }
    // espeak's voice sits around 100-200 Hz; most words are voiced.
    let pitched: Vec<f64> = words.iter().filter_map(|w| w["pitch_hz"].as_f64()).collect();
    assert!(pitched.len() * 2 >= words.len(), "{words:?}");
    assert!(pitched.iter().all(|p| (60.0..=400.0).contains(p)), "{pitched:?}");
    assert!(result["segments"].as_array().unwrap().iter().all(|s| s["speaker"]["speaker_id"] == "SPEAKER_00"));
    for stage in ["음성 인식 중", "완료"] {
        assert!(stages.iter().any(|s| s == stage), "{stages:?}");
    }
}

#[tokio::test]
async fn a_transcription_can_be_cancelled_and_then_reads_failed() {
    let (_speech, host) = host_with_speech().await;
    let dir = tempfile::tempdir().unwrap();
    let video = crate::video::tone_video(dir.path(), 30, "320x240");
    let token = signup(&host, "stop@example.com").await;
    let presigned = upload(&host, &token, &video, "video/mp4").await;
    let (_, started) =
        post_as(&host, &token, "/api/upload-video/request-process", &json!({"fileKey": presigned["file_key"]})).await;
    let id = started["job_id"].as_str().unwrap();
    let (status, body) = post_as(&host, &token, &format!("/api/upload-video/cancel/{id}"), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "cancelled");
    let (_, s) = get_as(&host, &token, &format!("/api/upload-video/status/{id}")).await;
    assert_eq!(s["status"], "failed");
    assert_eq!(s["error"]["code"], "ML_PROCESSING_CANCELLED");
    let (status, body) = post_as(&host, &token, &format!("/api/upload-video/cancel/{id}"), &json!({})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("JOB_ALREADY_FINISHED")));
}

//! The `media` engine: probing, audio extraction and subtitle burning with
//! FFmpeg, run as child processes under the same rules as OCR (no
//! environment, a memory ceiling, killed when the job is cancelled or runs
//! out of time) and at most `concurrency` at once.
//!
//! A component names files by URL; the engine copies the job's own file
//! (its tenant's, as `blobs.read` would give it) into a private directory
//! and hands FFmpeg only that path. A render's output is stored as a new
//! file of the job's tenant.

mod ffmpeg;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};

use super::{Code, EngineError, EngineStatus, INVALID_FILE, Lent, StartContext};
use crate::runtime::bindings::capsule::worker::{media, types};
use crate::runtime::{BlobAccess, JobState};

pub use ffmpeg::{ProbeInfo, RenderOptions};

pub const UNAVAILABLE: &str = "MEDIA_UNAVAILABLE";
const FAILED: &str = "MEDIA_FAILED";
const INVALID_OPTIONS: &str = "MEDIA_INVALID_OPTIONS";
const SUBTITLES_INVALID: &str = "MEDIA_SUBTITLES_INVALID";
const NO_AUDIO: &str = "MEDIA_NO_AUDIO";
const TOO_LONG: &str = "MEDIA_TOO_LONG";

const CODES: &[Code] = &[
    Code { code: UNAVAILABLE, retryable: false, meaning: "FFmpeg/ffprobe (with libass) is not installed on this host" },
    Code { code: INVALID_FILE, retryable: false, meaning: "the file is not a video or audio file FFmpeg can read" },
    Code { code: "BLOB_NOT_FOUND", retryable: false, meaning: "no file of the job's tenant is at that URL" },
    Code { code: NO_AUDIO, retryable: false, meaning: "the file has no audio stream" },
    Code { code: TOO_LONG, retryable: false, meaning: "the file lasts more than two hours" },
    Code { code: INVALID_OPTIONS, retryable: false, meaning: "render size, fps, quality or format out of range" },
    Code { code: SUBTITLES_INVALID, retryable: false, meaning: "FFmpeg refused the ASS subtitles" },
    Code { code: FAILED, retryable: false, meaning: "FFmpeg failed on this file; the message has its last line" },
];

pub struct Media {
    ffmpeg: ffmpeg::Ffmpeg,
    permits: Arc<Semaphore>,
    /// Largest output stored (`--max-video-size`).
    max_size: u64,
}

impl Media {
    pub fn check(&self) -> Result<(), EngineError> {
        self.ffmpeg.check()
    }

    /// Probe the file at `url` that `access` may read: a component's
    /// `media.probe`, and seed 003's `GET /api/videos/metadata`.
    pub async fn probe(&self, access: &BlobAccess, url: &str) -> Result<ProbeInfo, types::Failure> {
        self.ffmpeg.check()?;
        let dir = WorkDir::create()?;
        let file = media_input(access, url, &dir).await?;
        let _permit = super::permit(&self.permits, UNAVAILABLE).await?;
        Ok(self.ffmpeg.probe(&file).await?)
    }
}

impl Lent for Media {
    const NAME: &'static str = "media";

    async fn start(ctx: &StartContext<'_>) -> Self {
        let ffmpeg = ffmpeg::Ffmpeg::probe_programs(ctx.settings.ffmpeg.clone(), ctx.settings.ffprobe.clone()).await;
        Self {
            ffmpeg,
            permits: Arc::new(Semaphore::new(ctx.settings.concurrency.max(1))),
            max_size: ctx.settings.max_media_size,
        }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        media::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        self.ffmpeg.status()
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

/// A private directory for one call's files, removed when dropped (also
/// when the job is cancelled mid-run and the call's future is dropped).
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create() -> Result<Self, EngineError> {
        let path = std::env::temp_dir().join(format!("capsule-media-{}", uuid::Uuid::new_v4().simple()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&path)
            .map_err(|e| EngineError::retryable(FAILED, format!("could not make a working directory: {e}")))?;
        Ok(Self { path })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The job's files (cloned: a future holding `&JobState` could not move
/// between threads).
fn files_of(state: &JobState) -> Result<BlobAccess, EngineError> {
    state.blob_access().cloned().ok_or_else(|| EngineError::new(UNAVAILABLE, "this job has no files"))
}

/// The job's own file at `url`, copied into `dir` as `input`.
async fn media_input(access: &BlobAccess, url: &str, dir: &WorkDir) -> Result<PathBuf, types::Failure> {
    let path = dir.path.join("input");
    access.copy_to(url, &path).await?;
    Ok(path)
}

impl media::Host for JobState {
    async fn probe(&mut self, url: String) -> Result<media::ProbeInfo, types::Failure> {
        let info = self.engines.media.probe(&files_of(self)?, &url).await?;
        Ok(media::ProbeInfo {
            duration: info.duration,
            width: info.width,
            height: info.height,
            frame_rate: info.frame_rate,
            video_codec: info.video_codec,
            audio_codec: info.audio_codec,
            format: info.format,
            size: info.size,
        })
    }

    async fn extract_audio(&mut self, url: String, sample_rate: u32) -> Result<Vec<u8>, types::Failure> {
        self.engines.media.check()?;
        let access = files_of(self)?;
        let dir = WorkDir::create()?;
        let file = media_input(&access, &url, &dir).await?;
        let _permit = super::permit(&self.engines.media.permits, UNAVAILABLE).await?;
        let cancel = self.scope.cancel.clone();
        tokio::select! {
            pcm = self.engines.media.ffmpeg.extract_audio(&file, sample_rate) => Ok(pcm?),
            () = cancel.cancelled() => Err(cancelled()),
        }
    }

    async fn burn_subtitles(
        &mut self,
        url: String,
        subtitles: String,
        options: media::RenderOptions,
    ) -> Result<media::Rendered, types::Failure> {
        self.engines.media.check()?;
        let options = RenderOptions {
            width: options.width,
            height: options.height,
            fps: options.fps,
            quality: options.quality,
            format: options.format,
        };
        options.check()?;
        let access = files_of(self)?;
        let dir = WorkDir::create()?;
        let input = media_input(&access, &url, &dir).await?;
        let ass = dir.path.join("subtitles.ass");
        tokio::fs::write(&ass, subtitles.as_bytes())
            .await
            .map_err(|e| EngineError::retryable(FAILED, format!("could not write the subtitles: {e}")))?;
        let output = dir.path.join(format!("output.{}", options.format));
        let permit = super::permit(&self.engines.media.permits, UNAVAILABLE).await?;
        let hooks = self.scope.hooks.clone();
        let mut last = u8::MAX;
        // The encoding is the job's 5..=95 %: the component reports
        // before (reading the scenario) and after (storing) itself.
        let mut on_progress = move |fraction: f64| {
            let percent = 5 + (fraction * 90.0).round() as u8;
            if percent != last {
                last = percent;
                hooks.progress(percent, "render", &format!("영상 렌더링 중 ({}%)", (fraction * 100.0).round()));
            }
        };
        let cancel = self.scope.cancel.clone();
        let engine = &self.engines.media.ffmpeg;
        tokio::select! {
            done = engine.burn(&input, &ass, &options, &output, &mut on_progress) => done?,
            () = cancel.cancelled() => return Err(cancelled()),
        }
        let info = engine.probe(&output).await?;
        drop(permit);
        let content_type = match options.format.as_str() {
            "webm" => "video/webm",
            "mov" => "video/quicktime",
            _ => "video/mp4",
        };
        let name = format!("rendered.{}", options.format);
        let (url, size) = access.store_file(&output, &name, content_type, self.engines.media.max_size).await?;
        Ok(media::Rendered { url, duration: info.duration, size })
    }
}

fn cancelled() -> types::Failure {
    types::Failure {
        code: "JOB_CANCELLED".into(),
        message: "the job was cancelled; FFmpeg was stopped".into(),
        retryable: false,
    }
}

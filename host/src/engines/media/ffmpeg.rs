//! FFmpeg and ffprobe as child processes: probing, audio extraction and
//! subtitle burning. Inputs are files in a private directory of the run
//! (see `WorkDir`), never URLs, so FFmpeg reaches no network and no file
//! the job was not given (`-protocol_whitelist file,pipe`).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::{FAILED, INVALID_OPTIONS, NO_AUDIO, SUBTITLES_INVALID, TOO_LONG, UNAVAILABLE};
use crate::engines::process::{self, RunError};
use crate::engines::{EngineError, EngineStatus, INVALID_FILE};

/// The longest media the engine works on: two hours (a talk, a lecture).
pub const MAX_DURATION: f64 = 7200.0;
/// ffprobe's JSON for one file is a few KiB; far beyond any real file.
const MAX_PROBE_OUTPUT: u64 = 4 * 1024 * 1024;

/// What ffprobe reads in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeInfo {
    pub duration: f64,
    pub width: u32,
    pub height: u32,
    pub frame_rate: f64,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub format: String,
    pub size: u64,
}

/// How to encode a render (checked by [`RenderOptions::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub quality: u8,
    pub format: String,
}

impl RenderOptions {
    pub fn check(&self) -> Result<(), EngineError> {
        let bad = |m: String| Err(EngineError::new(INVALID_OPTIONS, m));
        if !(16..=3840).contains(&self.width) || !(16..=2160).contains(&self.height) {
            return bad(format!("{}x{} is outside 16x16..=3840x2160", self.width, self.height));
        }
        if !self.width.is_multiple_of(2) || !self.height.is_multiple_of(2) {
            return bad(format!(
                "{}x{}: width and height must be even (H.264 and VP9 need it)",
                self.width, self.height
            ));
        }
        if !(1..=120).contains(&self.fps) {
            return bad(format!("fps {} is outside 1..=120", self.fps));
        }
        if !(1..=100).contains(&self.quality) {
            return bad(format!("quality {} is outside 1..=100", self.quality));
        }
        if !matches!(self.format.as_str(), "mp4" | "mov" | "webm") {
            return bad(format!("format `{}` is not one of mp4, mov, webm", self.format));
        }
        Ok(())
    }

    /// The encoder arguments: H.264/AAC for mp4 and mov, VP9/Opus for webm.
    /// Quality 1..=100 maps linearly onto the encoder's CRF (100 → x264
    /// CRF 18, visually lossless; 1 → 51), so a higher number is better
    /// and bigger, as the seed's `quality` (default 90) reads.
    fn codec_args(&self) -> Vec<String> {
        let q = f64::from(self.quality);
        let s = |v: &str| v.to_string();
        if self.format == "webm" {
            let crf = (63.0 - q * 0.33).round().clamp(4.0, 63.0);
            vec![
                s("-c:v"),
                s("libvpx-vp9"),
                s("-crf"),
                format!("{crf}"),
                s("-b:v"),
                s("0"),
                s("-deadline"),
                s("realtime"),
                s("-cpu-used"),
                s("8"),
                s("-row-mt"),
                s("1"),
                s("-c:a"),
                s("libopus"),
                s("-b:a"),
                s("128k"),
            ]
        } else {
            let crf = (51.0 - q * 0.33).round().clamp(18.0, 51.0);
            let mut args = vec![
                s("-c:v"),
                s("libx264"),
                s("-preset"),
                s("veryfast"),
                s("-crf"),
                format!("{crf}"),
                s("-pix_fmt"),
                s("yuv420p"),
                s("-c:a"),
                s("aac"),
                s("-b:a"),
                s("128k"),
            ];
            // The index first, so browsers can play and seek while downloading.
            args.extend([s("-movflags"), s("+faststart")]);
            args
        }
    }
}

pub struct Ffmpeg {
    ffmpeg: PathBuf,
    ffprobe: PathBuf,
    version: Option<String>,
    missing: Option<String>,
}

impl Ffmpeg {
    pub async fn probe_programs(ffmpeg: PathBuf, ffprobe: PathBuf) -> Self {
        let install = "install FFmpeg (Debian: apt-get install ffmpeg)";
        let version = |program: PathBuf| async move {
            match process::run(&program, &["-hide_banner", "-version"], Vec::new(), 256 * 1024).await {
                Ok(f) if f.success => Ok(String::from_utf8_lossy(&f.stdout)
                    .lines()
                    .next()
                    .map(|l| l.split(" Copyright").next().unwrap_or(l).trim().to_string())
                    .unwrap_or_default()),
                Ok(f) => Err(format!("`{} -version` failed: {}", program.display(), process::last_line(&f.stderr))),
                Err(RunError::Missing(m)) => Err(format!("{m}; {install}")),
                Err(RunError::Io(m)) => Err(m),
                Err(RunError::OutputTooLarge) => Err("`-version` printed too much".into()),
            }
        };
        let (v, p) = (version(ffmpeg.clone()).await, version(ffprobe.clone()).await);
        let mut missing = match (&v, &p) {
            (Err(e), _) | (_, Err(e)) => Some(e.clone()),
            _ => None,
        };
        if missing.is_none() {
            // Subtitles are burnt by libass; a build without it cannot render.
            let filters = process::run(&ffmpeg, &["-hide_banner", "-filters"], Vec::new(), 1024 * 1024).await;
            let has_ass = filters.is_ok_and(|f| {
                String::from_utf8_lossy(&f.stdout).lines().any(|l| l.split_whitespace().nth(1) == Some("ass"))
            });
            if !has_ass {
                missing = Some(format!("`{}` is built without libass (no `ass` filter); {install}", ffmpeg.display()));
            }
        }
        Self { ffmpeg, ffprobe, version: v.ok(), missing }
    }

    pub fn status(&self) -> EngineStatus {
        EngineStatus::new(self.version.clone(), self.missing.clone())
    }

    pub fn check(&self) -> Result<(), EngineError> {
        match &self.missing {
            Some(reason) => Err(EngineError::new(UNAVAILABLE, reason.clone())),
            None => Ok(()),
        }
    }

    pub async fn probe(&self, file: &Path) -> Result<ProbeInfo, EngineError> {
        let path = file.to_string_lossy();
        let args = [
            "-v",
            "error",
            "-protocol_whitelist",
            "file,pipe",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            path.as_ref(),
        ];
        let finished = process::run(&self.ffprobe, &args, Vec::new(), MAX_PROBE_OUTPUT).await.map_err(run_error)?;
        if !finished.success {
            if finished.code.is_none() {
                return Err(EngineError::new(FAILED, "ffprobe stopped (out of memory or killed) reading this file"));
            }
            return Err(EngineError::new(
                INVALID_FILE,
                format!("not a video or audio file ffprobe can read: {}", process::last_line(&finished.stderr)),
            ));
        }
        let json: Value = serde_json::from_slice(&finished.stdout)
            .map_err(|e| EngineError::new(FAILED, format!("ffprobe's answer is not JSON: {e}")))?;
        let size = tokio::fs::metadata(file).await.map(|m| m.len()).unwrap_or(0);
        parse_probe(&json, size)
    }

    /// Mono s16le PCM of the first audio stream at `sample_rate`.
    pub async fn extract_audio(&self, file: &Path, sample_rate: u32) -> Result<Vec<u8>, EngineError> {
        if !(8000..=48000).contains(&sample_rate) {
            return Err(EngineError::new(
                INVALID_OPTIONS,
                format!("sample rate {sample_rate} is outside 8000..=48000"),
            ));
        }
        let info = self.probe(file).await?;
        if info.audio_codec.is_none() {
            return Err(EngineError::new(NO_AUDIO, "the file has no audio stream to transcribe"));
        }
        too_long(info.duration)?;
        let path = file.to_string_lossy();
        let rate = sample_rate.to_string();
        let limit = format!("{MAX_DURATION}");
        let args = [
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-protocol_whitelist",
            "file,pipe",
            "-i",
            path.as_ref(),
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            rate.as_str(),
            "-t",
            limit.as_str(),
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "pipe:1",
        ];
        let max = (MAX_DURATION as u64 + 1) * u64::from(sample_rate) * 2;
        let finished = process::run(&self.ffmpeg, &args, Vec::new(), max).await.map_err(run_error)?;
        if !finished.success {
            return Err(EngineError::new(
                FAILED,
                format!("FFmpeg could not decode the audio: {}", process::last_line(&finished.stderr)),
            ));
        }
        Ok(finished.stdout)
    }

    /// Scale, burn `subtitles` (a file) and encode into `output`, calling
    /// `on_progress` with 0.0..=1.0 as FFmpeg reports its position.
    pub async fn burn(
        &self,
        input: &Path,
        subtitles: &Path,
        options: &RenderOptions,
        output: &Path,
        on_progress: &mut (dyn FnMut(f64) + Send),
    ) -> Result<(), EngineError> {
        options.check()?;
        let info = self.probe(input).await?;
        if info.video_codec.is_none() {
            return Err(EngineError::new(INVALID_FILE, "the file has no video stream to render subtitles onto"));
        }
        too_long(info.duration)?;
        let (w, h) = (options.width, options.height);
        // Letterbox rather than stretch: the scenario was laid out on the
        // stage's aspect; the subtitles are positioned on the output frame.
        let filter = format!(
            "scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={},ass=filename={}",
            options.fps,
            filter_path(subtitles)
        );
        let mut args: Vec<String> =
            ["-nostdin", "-hide_banner", "-v", "error", "-nostats", "-protocol_whitelist", "file,pipe", "-y", "-i"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        args.push(input.to_string_lossy().into_owned());
        args.extend(["-map", "0:v:0", "-map", "0:a:0?", "-vf"].iter().map(|s| s.to_string()));
        args.push(filter);
        args.extend(options.codec_args());
        args.extend(["-progress", "pipe:1", "-f"].iter().map(|s| s.to_string()));
        args.push(if options.format == "webm" { "webm" } else { options.format.as_str() }.to_string());
        args.push(output.to_string_lossy().into_owned());

        let mut command = process::confined(&self.ffmpeg);
        command.args(&args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = process::spawn(&mut command, &self.ffmpeg).map_err(run_error)?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let total = info.duration.max(0.001);
        let read_progress = async {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = progress_position(&line) {
                    on_progress((at / total).clamp(0.0, 1.0));
                }
            }
        };
        let read_errors = async {
            let mut err = Vec::new();
            let _ = (&mut stderr).take(8 * 1024).read_to_end(&mut err).await;
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            String::from_utf8_lossy(&err).into_owned()
        };
        let ((), errors) = tokio::join!(read_progress, read_errors);
        let status =
            child.wait().await.map_err(|e| EngineError::retryable(FAILED, format!("waiting for FFmpeg: {e}")))?;
        if status.success() {
            return Ok(());
        }
        let line = process::last_line(&errors);
        if errors.contains("ass") && (errors.contains("Error initializing filter") || errors.contains("Unable to open"))
        {
            return Err(EngineError::new(SUBTITLES_INVALID, format!("FFmpeg refused the subtitles: {line}")));
        }
        if status.code().is_none() {
            return Err(EngineError::new(FAILED, "FFmpeg stopped (out of memory or killed) while rendering"));
        }
        Err(EngineError::new(FAILED, format!("FFmpeg failed to render: {line}")))
    }
}

fn too_long(duration: f64) -> Result<(), EngineError> {
    if duration > MAX_DURATION {
        return Err(EngineError::new(
            TOO_LONG,
            format!("the file lasts {:.0} s; this host works on at most {MAX_DURATION:.0} s", duration),
        ));
    }
    Ok(())
}

fn run_error(e: RunError) -> EngineError {
    match e {
        RunError::Missing(m) => EngineError::new(UNAVAILABLE, m),
        RunError::OutputTooLarge => EngineError::new(TOO_LONG, "the decoded audio is longer than this host accepts"),
        RunError::Io(m) => EngineError::retryable(FAILED, m),
    }
}

/// A path inside a filter graph: `:` `\` `'` and `,` are special there. Our
/// paths are generated (a temporary directory and a fixed name), so this
/// only guards against an unusual `TMPDIR`.
fn filter_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        if matches!(c, ':' | '\\' | '\'' | ',' | '[' | ']' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Seconds of output written, from one line of `-progress` output
/// (`out_time_us=…`; `out_time_ms` is microseconds too, FFmpeg's old name).
fn progress_position(line: &str) -> Option<f64> {
    let (key, value) = line.split_once('=')?;
    match key {
        "out_time_us" | "out_time_ms" => value.trim().parse::<i64>().ok().filter(|v| *v >= 0).map(|v| v as f64 / 1e6),
        _ => None,
    }
}

fn parse_probe(json: &Value, size: u64) -> Result<ProbeInfo, EngineError> {
    let streams = json["streams"].as_array().cloned().unwrap_or_default();
    let video = streams
        .iter()
        .find(|s| s["codec_type"] == "video" && s["disposition"]["attached_pic"].as_i64().unwrap_or(0) == 0);
    let audio = streams.iter().find(|s| s["codec_type"] == "audio");
    if video.is_none() && audio.is_none() {
        return Err(EngineError::new(INVALID_FILE, "the file has neither a video nor an audio stream"));
    }
    let number = |v: &Value| v.as_str().and_then(|s| s.parse::<f64>().ok()).or_else(|| v.as_f64());
    let duration = number(&json["format"]["duration"])
        .or_else(|| video.and_then(|v| number(&v["duration"])))
        .or_else(|| audio.and_then(|a| number(&a["duration"])))
        .unwrap_or(0.0);
    let frame_rate =
        video.and_then(|v| rational(v["avg_frame_rate"].as_str()).or(rational(v["r_frame_rate"].as_str())));
    let codec = |s: Option<&Value>| s.and_then(|s| s["codec_name"].as_str()).map(str::to_string);
    Ok(ProbeInfo {
        duration,
        width: video.and_then(|v| v["width"].as_u64()).unwrap_or(0) as u32,
        height: video.and_then(|v| v["height"].as_u64()).unwrap_or(0) as u32,
        frame_rate: frame_rate.unwrap_or(0.0),
        video_codec: codec(video),
        audio_codec: codec(audio),
        format: json["format"]["format_name"].as_str().unwrap_or_default().to_string(),
        size: number(&json["format"]["size"]).map(|s| s as u64).filter(|s| *s > 0).unwrap_or(size),
    })
}

/// `30000/1001` → 29.97; `0/0` → None.
fn rational(s: Option<&str>) -> Option<f64> {
    let (n, d) = s?.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d > 0.0 && n > 0.0).then(|| (n / d * 1000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_give_seconds_written() {
        assert_eq!(progress_position("out_time_us=1500000"), Some(1.5));
        assert_eq!(progress_position("out_time_ms=2000000"), Some(2.0));
        assert_eq!(progress_position("out_time_us=N/A"), None);
        assert_eq!(progress_position("frame=12"), None);
    }

    #[test]
    fn frame_rates_are_read_from_ffprobe_rationals() {
        assert_eq!(rational(Some("30000/1001")), Some(29.97));
        assert_eq!(rational(Some("25/1")), Some(25.0));
        assert_eq!(rational(Some("0/0")), None);
    }

    #[test]
    fn render_options_outside_their_ranges_are_refused() {
        let ok = RenderOptions { width: 1280, height: 720, fps: 30, quality: 90, format: "mp4".into() };
        assert!(ok.check().is_ok());
        for bad in [
            RenderOptions { width: 1281, ..ok.clone() },
            RenderOptions { width: 8000, ..ok.clone() },
            RenderOptions { fps: 0, ..ok.clone() },
            RenderOptions { quality: 0, ..ok.clone() },
            RenderOptions { format: "avi".into(), ..ok.clone() },
        ] {
            assert_eq!(bad.check().unwrap_err().code, INVALID_OPTIONS, "{bad:?}");
        }
    }

    #[test]
    fn a_higher_quality_is_a_lower_crf() {
        let crf = |quality| {
            let o = RenderOptions { width: 16, height: 16, fps: 1, quality, format: "mp4".into() };
            let args = o.codec_args();
            let i = args.iter().position(|a| a == "-crf").unwrap();
            args[i + 1].parse::<f64>().unwrap()
        };
        assert_eq!(crf(100), 18.0);
        assert!(crf(90) < crf(50));
        assert_eq!(crf(1), 51.0);
    }

    #[test]
    fn filter_paths_escape_graph_syntax() {
        assert_eq!(filter_path(Path::new("/tmp/a:b,c/subs.ass")), "/tmp/a\\:b\\,c/subs.ass");
    }
}

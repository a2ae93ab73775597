//! The `media` engine (FFmpeg on the host: probe, audio extraction,
//! subtitle burning) and the `speech` engine (speech recognition with word
//! timestamps). Granted with `engines = ["media"]` / `["speech"]`.
//!
//! Natively there is no host: every call fails with the engine's
//! "unavailable" code. Flows take `&mut impl Media` / `impl Speech` so tests
//! fake only what they use.

use crate::Failure;

/// What ffprobe read in a file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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

/// How to encode a render: size, fps, quality 1..=100, `mp4|mov|webm`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RenderOptions {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub quality: u8,
    pub format: String,
}

/// A finished render: the output file's URL, its duration and size.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    pub url: String,
    pub duration: f64,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Word {
    pub word: String,
    pub start: f64,
    pub end: f64,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub confidence: f32,
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    pub language: String,
    pub duration: f64,
    pub model: String,
    pub segments: Vec<Segment>,
}

/// The codes a host without the engine answers.
pub mod codes {
    pub const MEDIA_UNAVAILABLE: &str = "MEDIA_UNAVAILABLE";
    pub const SPEECH_NOT_CONFIGURED: &str = "SPEECH_NOT_CONFIGURED";
}

/// The `media` engine.
pub trait Media {
    fn probe(&mut self, url: &str) -> Result<ProbeInfo, Failure> {
        let _ = url;
        Err(Failure::new(codes::MEDIA_UNAVAILABLE, "this host lends no media engine"))
    }
    /// Mono s16le PCM of the file's first audio stream at `sample_rate` Hz.
    fn extract_audio(&mut self, url: &str, sample_rate: u32) -> Result<Vec<u8>, Failure> {
        let _ = (url, sample_rate);
        Err(Failure::new(codes::MEDIA_UNAVAILABLE, "this host lends no media engine"))
    }
    /// Burn an ASS document into the video and encode it per `options`.
    fn burn_subtitles(&mut self, url: &str, subtitles: &str, options: &RenderOptions) -> Result<Rendered, Failure> {
        let _ = (url, subtitles, options);
        Err(Failure::new(codes::MEDIA_UNAVAILABLE, "this host lends no media engine"))
    }
}

/// The `speech` engine.
pub trait Speech {
    fn speech_available(&mut self) -> bool {
        false
    }
    /// Recognise mono s16le PCM at 16 kHz; `language` ISO 639-1 or empty.
    fn transcribe(&mut self, audio: &[u8], language: &str) -> Result<Transcript, Failure> {
        let _ = (audio, language);
        Err(Failure::new(codes::SPEECH_NOT_CONFIGURED, "this host lends no speech engine"))
    }
}

#[cfg(not(target_family = "wasm"))]
impl Media for crate::Capsule {}
#[cfg(not(target_family = "wasm"))]
impl Speech for crate::Capsule {}

#[cfg(target_family = "wasm")]
impl Media for crate::Capsule {
    fn probe(&mut self, url: &str) -> Result<ProbeInfo, Failure> {
        let p = crate::bindings::capsule::worker::media::probe(url).map_err(Failure::from)?;
        Ok(ProbeInfo {
            duration: p.duration,
            width: p.width,
            height: p.height,
            frame_rate: p.frame_rate,
            video_codec: p.video_codec,
            audio_codec: p.audio_codec,
            format: p.format,
            size: p.size,
        })
    }
    fn extract_audio(&mut self, url: &str, sample_rate: u32) -> Result<Vec<u8>, Failure> {
        crate::bindings::capsule::worker::media::extract_audio(url, sample_rate).map_err(Failure::from)
    }
    fn burn_subtitles(&mut self, url: &str, subtitles: &str, options: &RenderOptions) -> Result<Rendered, Failure> {
        use crate::bindings::capsule::worker::media;
        let options = media::RenderOptions {
            width: options.width,
            height: options.height,
            fps: options.fps,
            quality: options.quality,
            format: options.format.clone(),
        };
        let r = media::burn_subtitles(url, subtitles, &options).map_err(Failure::from)?;
        Ok(Rendered { url: r.url, duration: r.duration, size: r.size })
    }
}

#[cfg(target_family = "wasm")]
impl Speech for crate::Capsule {
    fn speech_available(&mut self) -> bool {
        crate::bindings::capsule::worker::speech::available()
    }
    fn transcribe(&mut self, audio: &[u8], language: &str) -> Result<Transcript, Failure> {
        let t = crate::bindings::capsule::worker::speech::transcribe(audio, language).map_err(Failure::from)?;
        let word = |w: crate::bindings::capsule::worker::speech::Word| Word {
            word: w.word,
            start: w.start,
            end: w.end,
            confidence: w.confidence,
        };
        Ok(Transcript {
            language: t.language,
            duration: t.duration,
            model: t.model,
            segments: t
                .segments
                .into_iter()
                .map(|s| Segment {
                    start: s.start,
                    end: s.end,
                    text: s.text,
                    confidence: s.confidence,
                    words: s.words.into_iter().map(word).collect(),
                })
                .collect(),
        })
    }
}

//! The `speech` engine: speech recognition with segment and word
//! timestamps from a provider the operator configures (`--speech
//! openai:MODEL@URL`): OpenAI's `/audio/transcriptions`, or a self-hosted
//! faster-whisper or whisper.cpp server that speaks it.
//!
//! No local provider: whisper.cpp needs a GGML model file, and no package
//! on the registries this project installs from (crates.io, PyPI, npm,
//! Debian) ships one; every package found downloads it from a model hub at
//! run time, which this project does not do (README, "Speech"). Without a
//! provider every call fails `SPEECH_NOT_CONFIGURED`; nothing is invented.

mod transcript;

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use super::openai::{Client, Endpoint, ProviderError};
use super::{Code, EngineError, EngineStatus, Lent, StartContext};
use crate::runtime::JobState;
use crate::runtime::bindings::capsule::worker::{speech, types};

pub use transcript::{Transcript, Word};

pub const NOT_CONFIGURED: &str = "SPEECH_NOT_CONFIGURED";
const INPUT_INVALID: &str = "SPEECH_INPUT_INVALID";
const RATE_LIMITED: &str = "SPEECH_RATE_LIMITED";
const UPSTREAM_FAILED: &str = "SPEECH_UPSTREAM_FAILED";

/// The audio the engine takes: mono s16le at this rate.
pub const SAMPLE_RATE: u32 = 16_000;
/// OpenAI refuses files over 25 MB; ten minutes of 16 kHz mono s16 WAV is
/// 19.2 MB, so longer audio is sent in pieces of this length.
const PIECE_SECONDS: u32 = 600;
/// Two hours, as the media engine extracts at most.
const MAX_SECONDS: u32 = 7200;

const CODES: &[Code] = &[
    Code {
        code: NOT_CONFIGURED,
        retryable: false,
        meaning: "no speech provider is configured (--speech openai:MODEL@URL)",
    },
    Code {
        code: INPUT_INVALID,
        retryable: false,
        meaning: "the audio is empty, longer than two hours, or not 16-bit samples",
    },
    Code { code: RATE_LIMITED, retryable: true, meaning: "the provider is rate limiting this host" },
    Code {
        code: UPSTREAM_FAILED,
        retryable: false,
        meaning: "the provider refused or failed; the message has its answer",
    },
];

/// Which provider serves speech, from the operator's settings.
#[derive(Debug, Clone, Default)]
pub struct SpeechSettings {
    pub provider: Option<Endpoint>,
}

/// `openai:MODEL@URL` or `off`; the key from `OPENAI_API_KEY`.
pub fn parse_flag(spec: &str, api_key: Option<&str>) -> Result<Option<Endpoint>, String> {
    let spec = spec.trim();
    if spec == "off" || spec.is_empty() {
        return Ok(None);
    }
    let rest = spec.strip_prefix("openai:").ok_or_else(|| {
        format!(
            "`{spec}` is not a speech provider; write openai:MODEL@URL (e.g. openai:whisper-1@https://api.openai.com/v1) or off"
        )
    })?;
    let (model, url) = rest
        .split_once('@')
        .ok_or_else(|| format!("`{spec}`: write openai:MODEL@URL, e.g. openai:whisper-1@https://api.openai.com/v1"))?;
    reqwest::Url::parse(url).map_err(|e| format!("`{spec}`: `{url}` is not a URL: {e}"))?;
    let mut endpoint = super::llm::config::endpoint(url, model, api_key.map(str::to_string));
    // A ten-minute piece takes a while to recognise, and answers in one go.
    endpoint.read_timeout = std::time::Duration::from_secs(300);
    endpoint.concurrency = 2;
    Ok(Some(endpoint))
}

pub struct Speech {
    client: Option<Arc<Client>>,
    problem: Option<String>,
}

impl Speech {
    pub fn available(&self) -> bool {
        self.client.is_some()
    }

    /// Recognise mono s16le PCM at 16 kHz.
    pub async fn transcribe(&self, pcm: &[u8], language: &str) -> Result<Transcript, EngineError> {
        let Some(client) = &self.client else {
            return Err(EngineError::new(
                NOT_CONFIGURED,
                self.problem.clone().unwrap_or_else(|| {
                    "no speech provider is configured on this host; start it with --speech openai:MODEL@URL".into()
                }),
            ));
        };
        let language = language.trim();
        let iso_639_1 = language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase());
        if !language.is_empty() && !iso_639_1 {
            return Err(EngineError::new(INPUT_INVALID, format!("`{language}` is not an ISO 639-1 code such as `ko`")));
        }
        if pcm.len() < 2 || !pcm.len().is_multiple_of(2) {
            return Err(EngineError::new(INPUT_INVALID, "the audio is empty or not whole 16-bit samples"));
        }
        let samples = (pcm.len() / 2) as u64;
        if samples > u64::from(MAX_SECONDS * SAMPLE_RATE) {
            return Err(EngineError::new(INPUT_INVALID, "the audio lasts more than two hours"));
        }
        let piece_bytes = (PIECE_SECONDS * SAMPLE_RATE * 2) as usize;
        let mut whole =
            Transcript { language: String::new(), duration: 0.0, model: client.model().into(), segments: vec![] };
        for (i, piece) in pcm.chunks(piece_bytes).enumerate() {
            let offset = (i * piece_bytes / 2) as f64 / f64::from(SAMPLE_RATE);
            let wav = transcript::wav(piece, SAMPLE_RATE);
            let answer = client.transcribe(wav.into(), language).await.map_err(provider_error)?;
            let part = transcript::parse(&answer, language).map_err(|m| EngineError::new(UPSTREAM_FAILED, m))?;
            whole.append(part, offset);
        }
        whole.duration = samples as f64 / f64::from(SAMPLE_RATE);
        if whole.language.is_empty() {
            whole.language = language.to_string();
        }
        Ok(whole)
    }
}

fn provider_error(e: ProviderError) -> EngineError {
    match e {
        ProviderError::RateLimited { .. } => EngineError::retryable(RATE_LIMITED, e.to_string()),
        ProviderError::Unreachable(_) => EngineError::retryable(UPSTREAM_FAILED, e.to_string()),
        ProviderError::Status { retryable, .. } => {
            EngineError { code: UPSTREAM_FAILED, message: e.to_string(), retryable }
        }
        other => EngineError::new(UPSTREAM_FAILED, other.to_string()),
    }
}

impl Lent for Speech {
    const NAME: &'static str = "speech";

    async fn start(ctx: &StartContext<'_>) -> Self {
        match &ctx.settings.speech.provider {
            None => Self { client: None, problem: None },
            Some(endpoint) => match Client::new(endpoint.clone()) {
                Ok(client) => Self { client: Some(Arc::new(client)), problem: None },
                Err(e) => Self { client: None, problem: Some(format!("the speech provider is misconfigured: {e}")) },
            },
        }
    }

    fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
        speech::add_to_linker::<JobState, HasSelf<JobState>>(linker, |s| s)
    }

    fn status(&self) -> EngineStatus {
        match &self.client {
            Some(client) => {
                let mut status = EngineStatus::new(Some(client.model().to_string()), None);
                status.details.insert("provider".into(), serde_json::json!(client.base_url()));
                status
            }
            None => EngineStatus::new(
                None,
                Some(self.problem.clone().unwrap_or_else(|| {
                    "no speech provider: start with --speech openai:MODEL@URL (OpenAI, or a faster-whisper/whisper.cpp server speaking its API); no local model ships with Capsule".into()
                })),
            ),
        }
    }

    fn codes(&self) -> &'static [Code] {
        CODES
    }
}

impl speech::Host for JobState {
    async fn available(&mut self) -> bool {
        self.engines.speech.available()
    }

    async fn transcribe(&mut self, audio: Vec<u8>, language: String) -> Result<speech::Transcript, types::Failure> {
        let cancel = self.scope.cancel.clone();
        let t = tokio::select! {
            t = self.engines.speech.transcribe(&audio, &language) => t?,
            () = cancel.cancelled() => {
                return Err(types::Failure { code: "JOB_CANCELLED".into(), message: "the job was cancelled".into(), retryable: false });
            }
        };
        let word = |w: Word| speech::Word { word: w.word, start: w.start, end: w.end, confidence: w.confidence };
        Ok(speech::Transcript {
            language: t.language,
            duration: t.duration,
            model: t.model,
            segments: t
                .segments
                .into_iter()
                .map(|s| speech::Segment {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speech_flag_names_model_and_url() {
        let e = parse_flag("openai:whisper-1@http://127.0.0.1:9/v1", Some("k")).unwrap().unwrap();
        assert_eq!((e.model.as_str(), e.base_url.as_str()), ("whisper-1", "http://127.0.0.1:9/v1"));
        assert!(parse_flag("off", None).unwrap().is_none());
        assert!(parse_flag("local", None).unwrap_err().contains("openai:MODEL@URL"));
        assert!(parse_flag("openai:whisper-1", None).unwrap_err().contains("openai:MODEL@URL"));
    }
}

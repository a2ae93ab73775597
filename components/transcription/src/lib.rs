//! `transcription`: the speech in a video or audio file as segments and
//! words with timings and confidences (the `speech` engine), each word with
//! acoustic features measured here on the audio itself (`speech-features`:
//! RMS level, YIN pitch, spectral centroid, periodicity), for an editor
//! that animates subtitles by how words were spoken.
//!
//! Speakers: no diarization engine exists on the host, so every segment is
//! `SPEAKER_00` and `metadata.warnings` says so; speakers are never
//! invented. No `emotion` for the same reason. Without a speech provider
//! the job fails `SPEECH_NOT_CONFIGURED` before any work.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use capsule_sdk::media::{Media, Speech, Transcript};
use capsule_sdk::{Capability, Capsule, Descriptor, Failure, Job, JobContext, Mode};

/// The engines this flow uses; native tests fake exactly these.
pub trait Engines: Media + Speech + JobContext {}
impl<T: Media + Speech + JobContext> Engines for T {}

pub const CANCELLED: &str = "JOB_CANCELLED";
const SAMPLE_RATE: u32 = speech_features::SAMPLE_RATE;
/// Context kept around a word when its samples are analysed: a frame of
/// the analysis (64 ms) either side covers the widening of short words.
const PAD_SECONDS: f64 = 0.07;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Input {
    /// A file of the job's tenant (the host passes the uploaded file's URL).
    pub file_url: String,
    /// `auto` (detect) or an ISO 639-1 code.
    #[serde(default = "auto")]
    pub language: String,
    #[serde(default)]
    pub filename: Option<String>,
}

fn auto() -> String {
    "auto".into()
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Word {
    pub word: String,
    pub start: f64,
    pub end: f64,
    pub confidence: f64,
    /// RMS level in dBFS.
    pub volume_db: Option<f64>,
    /// YIN fundamental frequency; `null` when unvoiced.
    pub pitch_hz: Option<f64>,
    /// 0..1: 1 - YIN's normalised difference at the pitch period.
    pub harmonics_ratio: Option<f64>,
    /// Hz.
    pub spectral_centroid: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Speaker {
    pub speaker_id: String,
    /// `null`: no diarization ran.
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Segment {
    pub id: u32,
    pub start: f64,
    pub end: f64,
    /// The same times under the names `TranscriptionSegment` uses.
    pub start_time: f64,
    pub end_time: f64,
    pub duration: f64,
    pub text: String,
    pub confidence: f64,
    pub speaker: Speaker,
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Metadata {
    /// Seconds of audio.
    pub duration: f64,
    pub language: String,
    pub model: String,
    /// Seconds; the host fills in the job's own run time.
    pub processing_time: f64,
    pub speakers: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Output {
    pub segments: Vec<Segment>,
    pub metadata: Metadata,
}

pub struct Transcription;

impl Capability for Transcription {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        // No self-test examples: every run needs a media file and a speech
        // provider, which a version's load-time check does not have.
        Descriptor::new(
            "transcription",
            "0.1.0",
            "Transcribes the speech in a video or audio file: segments and words with timings, confidence and acoustic features",
        )
        .input::<Input>()
        .output::<Output>()
        .mode(Mode::Async)
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        handle(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(Transcription);

fn cancelled(host: &mut impl Engines) -> Result<(), Failure> {
    if host.cancelled() { Err(Failure::new(CANCELLED, "the job was cancelled")) } else { Ok(()) }
}

pub fn handle(input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    let language = match input.language.trim() {
        "" | "auto" => "",
        code if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) => code,
        other => {
            return Err(Failure::new(
                "TRANSCRIPTION_INVALID_INPUT",
                format!("`{other}` is not a language; use auto or an ISO 639-1 code such as ko"),
            ));
        }
    };
    if !host.speech_available() {
        return Err(Failure::new(
            capsule_sdk::media::codes::SPEECH_NOT_CONFIGURED,
            "음성 인식 엔진이 설정되지 않았습니다: start the host with --speech openai:MODEL@URL (OpenAI, or a faster-whisper/whisper.cpp server)",
        ));
    }
    host.progress(5, "extract", "음성 추출 중");
    let pcm = host.extract_audio(&input.file_url, SAMPLE_RATE)?;
    cancelled(host)?;
    host.progress(25, "transcribe", "음성 인식 중");
    let transcript = host.transcribe(&pcm, language)?;
    cancelled(host)?;
    host.progress(80, "features", "음성 특징 분석 중");
    let output = assemble(&transcript, &pcm);
    host.progress(95, "finalize", "결과 정리 중");
    Ok(output)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// The word's features, measured on its own samples plus a little context.
fn word_features(pcm: &[u8], start: f64, end: f64) -> Option<speech_features::Features> {
    let total = (pcm.len() / 2) as f64 / f64::from(SAMPLE_RATE);
    let from = (start - PAD_SECONDS).max(0.0);
    let to = (end + PAD_SECONDS).min(total);
    if to <= from {
        return None;
    }
    let (a, b) = (
        (from * f64::from(SAMPLE_RATE)) as usize * 2,
        ((to * f64::from(SAMPLE_RATE)).ceil() as usize * 2).min(pcm.len()),
    );
    let samples = speech_features::pcm_s16le(&pcm[a..b]);
    speech_features::span_features(&samples, SAMPLE_RATE, start - from, end - from)
}

pub fn assemble(t: &Transcript, pcm: &[u8]) -> Output {
    let segments: Vec<Segment> = t
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let words = s
                .words
                .iter()
                .map(|w| {
                    let f = word_features(pcm, w.start, w.end);
                    Word {
                        word: w.word.clone(),
                        start: round(w.start, 3),
                        end: round(w.end, 3),
                        confidence: round(f64::from(w.confidence), 3),
                        volume_db: f.map(|f| round(f64::from(f.volume_db), 2)),
                        pitch_hz: f.and_then(|f| f.pitch_hz).map(|p| round(f64::from(p), 1)),
                        harmonics_ratio: f.map(|f| round(f64::from(f.harmonics_ratio), 3)),
                        spectral_centroid: f.map(|f| round(f64::from(f.spectral_centroid), 1)),
                    }
                })
                .collect();
            let (start, end) = (round(s.start, 3), round(s.end, 3));
            Segment {
                id: i as u32,
                start,
                end,
                start_time: start,
                end_time: end,
                duration: round(end - start, 3),
                text: s.text.clone(),
                confidence: round(f64::from(s.confidence), 3),
                speaker: Speaker { speaker_id: "SPEAKER_00".into(), confidence: None },
                words,
            }
        })
        .collect();
    let mut warnings = vec![
        "diarization is off: no speaker engine is configured on this host, so every segment is SPEAKER_00".to_string(),
    ];
    if segments.is_empty() {
        warnings.push("no speech was recognised in the audio".into());
    }
    Output {
        segments,
        metadata: Metadata {
            duration: round(t.duration, 3),
            language: if t.language.is_empty() { "unknown".into() } else { t.language.clone() },
            model: t.model.clone(),
            processing_time: 0.0,
            speakers: vec!["SPEAKER_00".into()],
            warnings,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsule_sdk::media::{Segment as S, Word as W};

    /// A 220 Hz tone at half scale for `seconds`, as s16le bytes.
    fn tone(seconds: f64, hz: f64, amplitude: f64) -> Vec<u8> {
        let n = (seconds * f64::from(SAMPLE_RATE)) as usize;
        (0..n)
            .flat_map(|i| {
                let v = (amplitude
                    * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(SAMPLE_RATE)).sin()
                    * 32767.0) as i16;
                v.to_le_bytes()
            })
            .collect()
    }

    struct Fake {
        pcm: Vec<u8>,
        transcript: Option<Transcript>,
        steps: Vec<String>,
    }

    impl JobContext for Fake {
        fn progress(&mut self, _: u8, step: &str, _: &str) {
            self.steps.push(step.into());
        }
    }
    impl Media for Fake {
        fn extract_audio(&mut self, _: &str, _: u32) -> Result<Vec<u8>, Failure> {
            Ok(self.pcm.clone())
        }
    }
    impl Speech for Fake {
        fn speech_available(&mut self) -> bool {
            self.transcript.is_some()
        }
        fn transcribe(&mut self, _: &[u8], _: &str) -> Result<Transcript, Failure> {
            Ok(self.transcript.clone().unwrap())
        }
    }

    fn input() -> Input {
        Input { file_url: "http://h/api/v1/files/f_x".into(), language: "auto".into(), filename: None }
    }

    #[test]
    fn each_word_gets_the_pitch_and_level_of_its_own_audio() {
        let mut pcm = tone(1.0, 220.0, 0.5);
        pcm.extend(tone(1.0, 440.0, 0.25));
        let transcript = Transcript {
            language: "en".into(),
            duration: 2.0,
            model: "m".into(),
            segments: vec![S {
                start: 0.0,
                end: 2.0,
                text: "low high".into(),
                confidence: 0.9,
                words: vec![
                    W { word: "low".into(), start: 0.2, end: 0.8, confidence: 0.9 },
                    W { word: "high".into(), start: 1.2, end: 1.8, confidence: 0.8 },
                ],
            }],
        };
        let mut fake = Fake { pcm, transcript: Some(transcript), steps: vec![] };
        let out = handle(&input(), &mut fake).unwrap();
        let w = &out.segments[0].words;
        assert!((w[0].pitch_hz.unwrap() - 220.0).abs() < 3.0, "{:?}", w[0]);
        assert!((w[1].pitch_hz.unwrap() - 440.0).abs() < 5.0, "{:?}", w[1]);
        assert!((w[0].volume_db.unwrap() - -9.03).abs() < 0.3, "{:?}", w[0]);
        assert!((w[1].volume_db.unwrap() - -15.05).abs() < 0.3, "{:?}", w[1]);
        assert!(w[1].spectral_centroid.unwrap() > w[0].spectral_centroid.unwrap());
        assert_eq!(fake.steps, ["extract", "transcribe", "features", "finalize"]);
    }

    #[test]
    fn without_a_speech_provider_the_job_says_so_before_any_work() {
        let mut fake = Fake { pcm: vec![], transcript: None, steps: vec![] };
        let e = handle(&input(), &mut fake).unwrap_err();
        assert_eq!(e.code, "SPEECH_NOT_CONFIGURED");
        assert!(fake.steps.is_empty());
    }

    #[test]
    fn every_segment_is_one_speaker_and_the_warning_says_diarization_is_off() {
        let transcript = Transcript {
            language: "ko".into(),
            duration: 1.0,
            model: "m".into(),
            segments: vec![S { start: 0.0, end: 1.0, text: "네".into(), confidence: 0.5, words: vec![] }],
        };
        let out = assemble(&transcript, &tone(1.0, 200.0, 0.3));
        assert_eq!(out.segments[0].speaker.speaker_id, "SPEAKER_00");
        assert!(out.metadata.warnings[0].contains("diarization is off"));
        assert_eq!(out.segments[0].duration, 1.0);
    }

    #[test]
    fn a_word_past_the_audio_has_no_features_rather_than_invented_ones() {
        let transcript = Transcript {
            language: "en".into(),
            duration: 1.0,
            model: "m".into(),
            segments: vec![S {
                start: 0.0,
                end: 5.0,
                text: "late".into(),
                confidence: 0.5,
                words: vec![W { word: "late".into(), start: 4.0, end: 4.5, confidence: 0.5 }],
            }],
        };
        let out = assemble(&transcript, &tone(1.0, 200.0, 0.3));
        assert_eq!(out.segments[0].words[0].pitch_hz, None);
        assert_eq!(out.segments[0].words[0].volume_db, None);
    }

    #[test]
    fn a_language_that_is_not_a_code_is_refused() {
        let mut fake = Fake { pcm: vec![], transcript: None, steps: vec![] };
        let e = handle(&Input { language: "korean".into(), ..input() }, &mut fake).unwrap_err();
        assert_eq!(e.code, "TRANSCRIPTION_INVALID_INPUT");
    }
}

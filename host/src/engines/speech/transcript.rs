//! The provider's `verbose_json` read into segments and words, and the WAV
//! container the audio is sent in.
//!
//! Providers differ in where words go: OpenAI lists them at the top level
//! (`words[]`, no probability), faster-whisper servers inside each segment
//! (`segments[].words[]` with `probability`). Both are read; top-level words
//! are given to the segment whose span holds their midpoint.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub word: String,
    pub start: f64,
    pub end: f64,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub confidence: f32,
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub language: String,
    pub duration: f64,
    pub model: String,
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// Add a piece recognised from audio starting `offset` seconds in.
    pub fn append(&mut self, piece: Transcript, offset: f64) {
        if self.language.is_empty() {
            self.language = piece.language;
        }
        for mut s in piece.segments {
            s.start += offset;
            s.end += offset;
            for w in &mut s.words {
                w.start += offset;
                w.end += offset;
            }
            self.segments.push(s);
        }
    }
}

/// A RIFF/WAVE file of mono 16-bit PCM.
pub fn wav(pcm: &[u8], sample_rate: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(44 + pcm.len());
    let len = pcm.len() as u32;
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(pcm);
    out
}

/// OpenAI answers the language's English name (`korean`); others the code.
fn language_code(name: &str) -> String {
    let name = name.trim().to_lowercase();
    let code = match name.as_str() {
        "korean" => "ko",
        "english" => "en",
        "japanese" => "ja",
        "chinese" => "zh",
        "spanish" => "es",
        "french" => "fr",
        "german" => "de",
        "russian" => "ru",
        "portuguese" => "pt",
        "italian" => "it",
        "vietnamese" => "vi",
        "thai" => "th",
        "indonesian" => "id",
        other => other,
    };
    code.to_string()
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| f.is_finite())
}

/// A word and the probability the provider gave it, if any.
fn word_of(v: &Value) -> Option<(Word, Option<f32>)> {
    let text = v["word"].as_str()?.trim();
    if text.is_empty() {
        return None;
    }
    let (start, end) = (number(&v["start"])?, number(&v["end"])?);
    let probability = number(&v["probability"]).map(|p| p.clamp(0.0, 1.0) as f32);
    Some((Word { word: text.to_string(), start, end: end.max(start), confidence: 0.0 }, probability))
}

/// One provider answer; `asked` is the language the caller asked for.
pub fn parse(answer: &Value, asked: &str) -> Result<Transcript, String> {
    if !answer.is_object() {
        return Err("the provider's answer is not a JSON object".into());
    }
    let language = answer["language"].as_str().map(language_code).unwrap_or_else(|| asked.to_string());
    let mut segments = Vec::new();
    for (i, s) in answer["segments"].as_array().map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
        let (Some(start), Some(end)) = (number(&s["start"]), number(&s["end"])) else {
            return Err(format!("segment {i} has no start/end seconds; ask for response_format=verbose_json"));
        };
        let text = s["text"].as_str().unwrap_or_default().trim().to_string();
        let found: Vec<(Word, Option<f32>)> =
            s["words"].as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(word_of).collect();
        let given: Vec<f32> = found.iter().filter_map(|(_, p)| *p).collect();
        // Mean log-probability per token → a probability; a mean of word
        // probabilities when the provider gives those instead; 0 for none.
        let confidence = number(&s["avg_logprob"])
            .map(|lp| lp.exp().clamp(0.0, 1.0) as f32)
            .unwrap_or_else(|| if given.is_empty() { 0.0 } else { given.iter().sum::<f32>() / given.len() as f32 });
        let words = found.into_iter().map(|(w, p)| Word { confidence: p.unwrap_or(confidence), ..w }).collect();
        segments.push(Segment { start, end: end.max(start), text, confidence, words });
    }
    if let Some(top) = answer["words"].as_array() {
        for w in top {
            let Some((mut word, probability)) = word_of(w) else { continue };
            let mid = (word.start + word.end) / 2.0;
            let index = segments
                .iter()
                .position(|s| mid >= s.start && mid <= s.end)
                .or_else(|| segments.iter().rposition(|s| s.start <= mid));
            match index {
                Some(i) if segments[i].words.iter().all(|x| x.start != word.start || x.word != word.word) => {
                    word.confidence = probability.unwrap_or(segments[i].confidence);
                    segments[i].words.push(word);
                }
                Some(_) => {}
                None => segments.push(Segment {
                    confidence: probability.unwrap_or(0.0),
                    start: word.start,
                    end: word.end,
                    text: word.word.clone(),
                    words: vec![Word { confidence: probability.unwrap_or(0.0), ..word }],
                }),
            }
        }
    }
    if segments.is_empty()
        && let Some(text) = answer["text"].as_str().map(str::trim).filter(|t| !t.is_empty())
    {
        // A provider that ignored verbose_json: one segment over the whole
        // piece, without words, rather than losing the text.
        let end = number(&answer["duration"]).unwrap_or(0.0);
        segments.push(Segment { start: 0.0, end, text: text.to_string(), confidence: 0.0, words: vec![] });
    }
    for s in &mut segments {
        s.words.sort_by(|a, b| a.start.total_cmp(&b.start));
    }
    Ok(Transcript { language, duration: number(&answer["duration"]).unwrap_or(0.0), model: String::new(), segments })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openai_top_level_words_join_the_segment_that_holds_them() {
        let answer = json!({
            "language": "korean", "duration": 3.0, "text": "안녕하세요 반갑습니다",
            "segments": [
                {"id": 0, "start": 0.0, "end": 1.5, "text": " 안녕하세요", "avg_logprob": -0.1},
                {"id": 1, "start": 1.5, "end": 3.0, "text": " 반갑습니다", "avg_logprob": -0.3}
            ],
            "words": [{"word": "안녕하세요", "start": 0.1, "end": 1.2}, {"word": "반갑습니다", "start": 1.6, "end": 2.8}]
        });
        let t = parse(&answer, "").unwrap();
        assert_eq!(t.language, "ko");
        assert_eq!(t.segments.len(), 2);
        assert_eq!(t.segments[1].words[0].word, "반갑습니다");
        assert!((t.segments[0].confidence - (-0.1f64).exp() as f32).abs() < 1e-6);
        assert_eq!(t.segments[0].words[0].confidence, t.segments[0].confidence);
    }

    #[test]
    fn faster_whisper_words_keep_their_probabilities() {
        let answer = json!({"language": "en", "segments": [
            {"start": 0.0, "end": 1.0, "text": "hello there",
             "words": [{"word": " hello", "start": 0.0, "end": 0.4, "probability": 0.9},
                       {"word": " there", "start": 0.5, "end": 0.9, "probability": 0.7}]}
        ]});
        let t = parse(&answer, "en").unwrap();
        assert_eq!(t.segments[0].words[1].confidence, 0.7);
        assert!((t.segments[0].confidence - 0.8).abs() < 1e-6);
    }

    #[test]
    fn pieces_are_shifted_by_their_offset() {
        let mut whole = Transcript { language: String::new(), duration: 0.0, model: "m".into(), segments: vec![] };
        let piece =
            parse(&json!({"language": "en", "segments": [{"start": 1.0, "end": 2.0, "text": "x"}]}), "").unwrap();
        whole.append(piece, 600.0);
        assert_eq!((whole.segments[0].start, whole.segments[0].end), (601.0, 602.0));
    }

    #[test]
    fn a_wav_header_describes_mono_16_bit_audio() {
        let w = wav(&[0, 0, 1, 0], 16_000);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(w[24..28].try_into().unwrap()), 16_000);
        assert_eq!(u32::from_le_bytes(w[40..44].try_into().unwrap()), 4);
        assert_eq!(w.len(), 48);
    }
}

//! Acoustic features of mono PCM speech, per word, for animating subtitles.
//!
//! Analysis runs on frames of `(3 × max lag).next_power_of_two()` samples with a hop of a quarter frame, where the
//! max lag is the period of the lowest pitch searched (50 Hz). At 16 kHz that is a frame of 1024 samples (64 ms),
//! a hop of 256 samples (16 ms), YIN lags 16..=320 and a YIN integration window of 1024 − 320 = 704 samples (≥ twice
//! the max lag, as YIN needs). Each frame costs one complex FFT forward and one inverse: the frame and its YIN window
//! are packed as the real and imaginary parts of one FFT, YIN's difference function comes from their
//! cross-correlation, and the Hann-windowed spectrum from the frame's spectrum by the Hann window's three-tap kernel.
//! Frames quieter than -60 dBFS RMS count as silence: unvoiced, and left out of the centroid and harmonics means.

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// The sample rate the transcription component delivers; others work too (frames scale with it).
pub const SAMPLE_RATE: u32 = 16_000;

const MIN_PITCH_HZ: u32 = 50;
const MAX_PITCH_HZ: u32 = 1_000;
/// YIN's absolute threshold on the cumulative-mean-normalised difference: below it a frame is voiced.
const YIN_THRESHOLD: f32 = 0.15;
/// Frame RMS (amplitude, -60 dBFS) under which a frame is silence.
const SILENCE_RMS: f64 = 1e-3;
const FLOOR_DB: f32 = -100.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// RMS level in dBFS (full scale = 1.0 amplitude, so a full-scale sine is -3.01 dB); silence floors at -100.0.
    pub volume_db: f32,
    /// Fundamental frequency in Hz by YIN (de Cheveigné & Kawahara 2002) over 50..=1000 Hz, median of the voiced
    /// frames; None when no frame is voiced (no lag's normalised difference falls below 0.15).
    pub pitch_hz: Option<f32>,
    /// Magnitude-weighted mean frequency of the spectrum in Hz (Hann window), mean over non-silent frames; 0 when
    /// every frame is silent. White noise gives a quarter of the sample rate.
    pub spectral_centroid: f32,
    /// 0..=1: how periodic the sound is. Per frame it is 1 − d′(τ), where d′ is YIN's cumulative-mean-normalised
    /// difference function and τ the lag YIN chose (the first dip below the threshold, else the lowest d′ in the
    /// 50..=1000 Hz range); averaged over non-silent frames, 0 when every frame is silent. A pure tone is ≈ 1,
    /// white noise is low (≈ 0.2).
    pub harmonics_ratio: f32,
}

/// Features of a whole signal; None when it is shorter than one analysis frame (1024 samples = 64 ms at 16 kHz)
/// or the sample rate is below 2 kHz (too low to hold the 1000 Hz pitch ceiling).
pub fn features(samples: &[f32], sample_rate: u32) -> Option<Features> {
    let mut analyzer = Analyzer::new(sample_rate)?;
    if samples.len() < analyzer.frame {
        return None;
    }
    let (frame, hop) = (analyzer.frame, analyzer.frame / 4);
    let last = samples.len() - frame;
    // Step by the hop, plus one frame flush with the end so the tail is covered too.
    let starts = (0..=last).step_by(hop).chain((!last.is_multiple_of(hop)).then_some(last));
    let (mut pitches, mut centroid, mut harmonics, mut sounding) = (Vec::new(), 0.0, 0.0, 0usize);
    for start in starts {
        if let Some(f) = analyzer.frame_features(&samples[start..start + frame]) {
            sounding += 1;
            centroid += f.centroid as f64;
            harmonics += f.periodicity as f64;
            pitches.extend(f.pitch);
        }
    }
    let mean = |sum: f64| if sounding == 0 { 0.0 } else { (sum / sounding as f64) as f32 };
    Some(Features {
        volume_db: volume_db(samples),
        pitch_hz: median(&mut pitches),
        spectral_centroid: mean(centroid),
        harmonics_ratio: mean(harmonics),
    })
}

/// Features of the span [start_s, end_s) (seconds) of `samples`; a span shorter than a frame is widened
/// symmetrically to one frame (clamped to the signal) so short words still get values; None when the span is
/// outside the signal (or reversed, or not finite) or the signal is shorter than a frame.
pub fn span_features(samples: &[f32], sample_rate: u32, start_s: f64, end_s: f64) -> Option<Features> {
    let frame = Analyzer::frame_len(sample_rate)?;
    let len = samples.len();
    if len < frame || !start_s.is_finite() || !end_s.is_finite() || end_s < start_s {
        return None;
    }
    // Whole samples covering the span: the start rounds down, the end up, both clamped to the signal.
    let to_index = |samples: f64| samples.clamp(0.0, len as f64) as usize;
    let sr = sample_rate as f64;
    let (mut start, mut end) = (to_index((start_s * sr).floor()), to_index((end_s * sr).ceil()));
    if start >= len || (start_s < 0.0 && end_s <= 0.0) {
        return None;
    }
    if end - start < frame {
        start = ((start + end) / 2).saturating_sub(frame / 2).min(len - frame);
        end = start + frame;
    }
    features(&samples[start..end], sample_rate)
}

/// Little-endian signed 16-bit PCM bytes to samples in -1.0..1.0 (an odd trailing byte is ignored).
pub fn pcm_s16le(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0).collect()
}

fn volume_db(samples: &[f32]) -> f32 {
    let energy: f64 = samples.iter().map(|&x| (x as f64) * (x as f64)).sum();
    let rms = (energy / samples.len().max(1) as f64).sqrt();
    ((20.0 * rms.log10()) as f32).max(FLOOR_DB)
}

fn median(values: &mut [f32]) -> Option<f32> {
    values.sort_by(f32::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

struct FrameFeatures {
    centroid: f32,
    periodicity: f32,
    pitch: Option<f32>,
}

/// Per-frame analysis with its FFT plans and buffers, reused across the frames of a call.
struct Analyzer {
    sample_rate: f32,
    frame: usize,
    tau_min: usize,
    tau_max: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    packed: Vec<Complex32>,
    spectrum: Vec<Complex32>,
    correlation: Vec<Complex32>,
    scratch: Vec<Complex32>,
    energy: Vec<f64>,
    diff: Vec<f32>,
    cmnd: Vec<f32>,
}

impl Analyzer {
    fn frame_len(sample_rate: u32) -> Option<usize> {
        (sample_rate >= 2 * MAX_PITCH_HZ).then(|| (3 * sample_rate.div_ceil(MIN_PITCH_HZ) as usize).next_power_of_two())
    }

    fn new(sample_rate: u32) -> Option<Self> {
        let frame = Self::frame_len(sample_rate)?;
        let mut planner = FftPlanner::new();
        let (forward, inverse) = (planner.plan_fft_forward(frame), planner.plan_fft_inverse(frame));
        let scratch_len = forward.get_inplace_scratch_len().max(inverse.get_inplace_scratch_len());
        let tau_max = sample_rate.div_ceil(MIN_PITCH_HZ) as usize;
        Some(Self {
            sample_rate: sample_rate as f32,
            frame,
            tau_min: (sample_rate / MAX_PITCH_HZ) as usize,
            tau_max,
            forward,
            inverse,
            packed: vec![Complex32::default(); frame],
            spectrum: vec![Complex32::default(); frame],
            correlation: vec![Complex32::default(); frame],
            scratch: vec![Complex32::default(); scratch_len],
            energy: vec![0.0; frame + 1],
            diff: vec![0.0; tau_max + 1],
            cmnd: vec![1.0; tau_max + 1],
        })
    }

    /// None for a silent frame.
    fn frame_features(&mut self, x: &[f32]) -> Option<FrameFeatures> {
        let (n, window) = (self.frame, self.frame - self.tau_max);
        for (i, &s) in x.iter().enumerate() {
            self.energy[i + 1] = self.energy[i] + (s as f64) * (s as f64);
        }
        if (self.energy[n] / n as f64).sqrt() < SILENCE_RMS {
            return None;
        }
        // Real part: the YIN window a (zero-padded); imaginary part: the whole frame b.
        for (j, (p, &s)) in self.packed.iter_mut().zip(x).enumerate() {
            *p = Complex32::new(if j < window { s } else { 0.0 }, s);
        }
        self.forward.process_with_scratch(&mut self.packed, &mut self.scratch);
        for k in 0..n {
            let (z, z_neg) = (self.packed[k], self.packed[(n - k) % n].conj());
            let a = (z + z_neg) * 0.5;
            let b = (z - z_neg) * Complex32::new(0.0, -0.5);
            self.spectrum[k] = b;
            self.correlation[k] = a.conj() * b; // spectrum of c(τ) = Σ_j a_j b_{j+τ}
        }
        // Periodic Hann window in the frequency domain: X_w[k] = X[k]/2 − (X[k−1] + X[k+1])/4.
        let (mut weighted, mut total) = (0.0f64, 0.0f64);
        for k in 0..=n / 2 {
            let neighbours = self.spectrum[(k + n - 1) % n] + self.spectrum[(k + 1) % n];
            let magnitude = (self.spectrum[k] * 0.5 - neighbours * 0.25).norm() as f64;
            weighted += magnitude * k as f64;
            total += magnitude;
        }
        let centroid = (weighted / total) as f32 * self.sample_rate / n as f32;
        self.inverse.process_with_scratch(&mut self.correlation, &mut self.scratch);
        // YIN step 2: d(τ) = Σ_j (x_j − x_{j+τ})² = r_a(0) + energy of x[τ..τ+W] − 2 c(τ).
        for tau in 0..=self.tau_max {
            let shifted = self.energy[tau + window] - self.energy[tau];
            let cross = self.correlation[tau].re as f64 / n as f64;
            self.diff[tau] = (self.energy[window] + shifted - 2.0 * cross).max(0.0) as f32;
        }
        let (periodicity, pitch) = self.yin();
        Some(FrameFeatures { centroid, periodicity, pitch })
    }

    /// YIN steps 3–5 on `self.diff`: (1 − d′ at the chosen lag, pitch if voiced).
    fn yin(&mut self) -> (f32, Option<f32>) {
        let (d, cmnd) = (&self.diff, &mut self.cmnd);
        let mut running = 0.0f64;
        for tau in 1..d.len() {
            running += d[tau] as f64;
            cmnd[tau] = if running > 0.0 { (d[tau] as f64 * tau as f64 / running) as f32 } else { 1.0 };
        }
        let range = self.tau_min..d.len();
        let tau = match range.clone().find(|&t| cmnd[t] < YIN_THRESHOLD) {
            Some(mut t) => {
                while t + 1 < d.len() && cmnd[t + 1] < cmnd[t] {
                    t += 1;
                }
                t
            }
            None => range.min_by(|&a, &b| cmnd[a].total_cmp(&cmnd[b])).unwrap_or(self.tau_min),
        };
        let periodicity = (1.0 - cmnd[tau]).clamp(0.0, 1.0);
        if cmnd[tau] >= YIN_THRESHOLD {
            return (periodicity, None);
        }
        // YIN step 5: parabolic interpolation of d around the chosen lag.
        let mut period = tau as f32;
        if tau + 1 < d.len() {
            let (l, c, r) = (d[tau - 1], d[tau], d[tau + 1]);
            let curvature = l - 2.0 * c + r;
            if curvature > 0.0 {
                period += (0.5 * (l - r) / curvature).clamp(-1.0, 1.0);
            }
        }
        let hz = self.sample_rate / period;
        (periodicity, (MIN_PITCH_HZ as f32..=MAX_PITCH_HZ as f32).contains(&hz).then_some(hz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::TAU;

    const SR: f32 = SAMPLE_RATE as f32;

    fn tone(hz: f32, amplitude: f32, seconds: f32) -> Vec<f32> {
        (0..(seconds * SR) as usize).map(|i| amplitude * (TAU * hz * i as f32 / SR).sin()).collect()
    }

    fn analyse(samples: &[f32]) -> Features {
        features(samples, SAMPLE_RATE).expect("signal is longer than a frame")
    }

    fn assert_near(actual: f32, expected: f32, tolerance: f32) {
        assert!((actual - expected).abs() <= tolerance, "{actual} is not within {tolerance} of {expected}");
    }

    #[test]
    fn sine_440_has_known_level_pitch_centroid_and_periodicity() {
        let f = analyse(&tone(440.0, 0.5, 1.0));
        assert_near(f.volume_db, 20.0 * (0.5 / 2f32.sqrt()).log10(), 0.1);
        assert_near(f.pitch_hz.unwrap(), 440.0, 4.4);
        assert_near(f.spectral_centroid, 440.0, 22.0);
        assert!(f.harmonics_ratio > 0.9, "{f:?}");
    }

    #[test]
    fn sine_220_and_120_give_their_pitch() {
        for hz in [220.0, 120.0] {
            assert_near(analyse(&tone(hz, 0.3, 1.0)).pitch_hz.unwrap(), hz, hz * 0.01);
        }
    }

    #[test]
    fn harmonic_tone_gives_its_fundamental_not_a_harmonic_and_a_higher_centroid() {
        // Band-limited sawtooth at 150 Hz: harmonics k = 1..=20 at amplitude 1/k.
        let saw: Vec<f32> = (0..SAMPLE_RATE as usize)
            .map(|i| (1..=20).map(|k| (TAU * 150.0 * k as f32 * i as f32 / SR).sin() / k as f32).sum::<f32>() * 0.3)
            .collect();
        let f = analyse(&saw);
        assert_near(f.pitch_hz.unwrap(), 150.0, 1.5);
        assert!(f.spectral_centroid > 300.0, "{f:?}");
        assert!(f.harmonics_ratio > 0.9, "{f:?}");
    }

    #[test]
    fn white_noise_is_aperiodic_with_centroid_at_a_quarter_of_the_rate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<f32> = (0..SAMPLE_RATE as usize)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect();
        let f = analyse(&noise);
        assert_eq!(f.pitch_hz, None, "{f:?}");
        assert!(f.harmonics_ratio < 0.5, "{f:?}");
        assert_near(f.spectral_centroid, SR / 4.0, SR / 4.0 * 0.2);
    }

    #[test]
    fn silence_is_floored_and_unvoiced() {
        let f = analyse(&vec![0.0; 4000]);
        assert_eq!(f.volume_db, -100.0);
        assert_eq!(f.pitch_hz, None);
    }

    #[test]
    fn doubling_amplitude_adds_6_02_db() {
        let (quiet, loud) = (analyse(&tone(300.0, 0.2, 0.5)), analyse(&tone(300.0, 0.4, 0.5)));
        assert_near(loud.volume_db - quiet.volume_db, 20.0 * 2f32.log10(), 0.01);
    }

    #[test]
    fn span_features_analyses_only_the_span() {
        let mut signal = tone(200.0, 0.5, 1.0);
        signal.extend(tone(400.0, 0.5, 1.0));
        let f = span_features(&signal, SAMPLE_RATE, 1.2, 1.8).unwrap();
        assert_near(f.pitch_hz.unwrap(), 400.0, 4.0);
        let f = span_features(&signal, SAMPLE_RATE, 0.2, 0.8).unwrap();
        assert_near(f.pitch_hz.unwrap(), 200.0, 2.0);
    }

    #[test]
    fn short_span_is_widened_and_span_past_the_end_is_none() {
        let signal = tone(250.0, 0.5, 1.0);
        let f = span_features(&signal, SAMPLE_RATE, 0.5, 0.55).unwrap();
        assert_near(f.pitch_hz.unwrap(), 250.0, 2.5);
        assert!(span_features(&signal, SAMPLE_RATE, 0.0, 0.01).is_some(), "a short span at the start is widened on");
        assert!(span_features(&signal, SAMPLE_RATE, 0.98, 1.0).is_some(), "a short span at the end is widened back");
        assert_eq!(span_features(&signal, SAMPLE_RATE, 1.2, 1.5), None);
        assert_eq!(features(&signal[..1000], SAMPLE_RATE), None);
    }

    #[test]
    fn pcm_s16le_decodes_extremes_and_ignores_an_odd_byte() {
        let mut bytes = [i16::MAX, i16::MIN, 0].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>();
        bytes.push(0x7f);
        assert_eq!(pcm_s16le(&bytes), vec![32767.0 / 32768.0, -1.0, 0.0]);
    }
}

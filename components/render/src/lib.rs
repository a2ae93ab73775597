//! `render`: a video with a MotionText scenario's subtitles burnt in. The
//! scenario becomes an ASS document here (the `subtitles` crate: text,
//! timing, position, colour, fades — docs/render-scenario.md lists the
//! fields honoured); the host's `media` engine (FFmpeg with libass) scales
//! the video, burns the subtitles and encodes it, reporting progress as it
//! goes, and stores the output as a file of the job's tenant.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use capsule_sdk::media::{Media, RenderOptions};
use capsule_sdk::{Capability, Capsule, Descriptor, Failure, Job, JobContext, Mode};

pub trait Engines: Media + JobContext {}
impl<T: Media + JobContext> Engines for T {}

pub const INVALID_INPUT: &str = "RENDER_INVALID_INPUT";

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Options {
    #[serde(default = "d_width")]
    pub width: u32,
    #[serde(default = "d_height")]
    pub height: u32,
    #[serde(default = "d_fps")]
    pub fps: u32,
    #[serde(default = "d_quality")]
    pub quality: u8,
    #[serde(default = "d_format")]
    pub format: String,
}

fn d_width() -> u32 {
    1920
}
fn d_height() -> u32 {
    1080
}
fn d_fps() -> u32 {
    30
}
fn d_quality() -> u8 {
    90
}
fn d_format() -> String {
    "mp4".into()
}

impl Default for Options {
    fn default() -> Self {
        Self { width: d_width(), height: d_height(), fps: d_fps(), quality: d_quality(), format: d_format() }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Input {
    /// A video file of the job's tenant.
    pub video_url: String,
    /// The MotionText scenario.
    pub scenario: Value,
    #[serde(default)]
    pub options: Options,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The rendered file.
    pub output_url: String,
    /// Seconds, as ffprobe reads the output.
    pub duration: f64,
    /// Bytes.
    pub size: u64,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Subtitle events burnt in.
    pub cues: usize,
}

pub struct Render;

impl Capability for Render {
    type Input = Input;
    type Output = Output;

    fn descriptor() -> Descriptor {
        // No self-test examples: every run needs a video file and FFmpeg.
        Descriptor::new("render", "0.1.0", "Burns a MotionText scenario's subtitles into a video and encodes it")
            .input::<Input>()
            .output::<Output>()
            .mode(Mode::Async)
    }

    fn run(_job: &Job, input: Input) -> Result<Output, Failure> {
        handle(&input, &mut Capsule)
    }
}

capsule_sdk::export_capability!(Render);

pub fn handle(input: &Input, host: &mut impl Engines) -> Result<Output, Failure> {
    host.progress(2, "scenario", "자막 준비 중");
    let scenario = subtitles::parse(&input.scenario)
        .map_err(|e| Failure::new(INVALID_INPUT, format!("`scenario.{}`: {}", e.field, e.message)))?;
    let o = &input.options;
    let ass = scenario.to_ass(o.width, o.height);
    let options =
        RenderOptions { width: o.width, height: o.height, fps: o.fps, quality: o.quality, format: o.format.clone() };
    let rendered = host.burn_subtitles(&input.video_url, &ass, &options).map_err(|f| {
        if f.code == "MEDIA_INVALID_OPTIONS" {
            Failure::new(INVALID_INPUT, format!("`options`: {}", f.message))
        } else {
            f
        }
    })?;
    host.progress(99, "store", "렌더링 결과 저장 완료");
    Ok(Output {
        output_url: rendered.url,
        duration: rendered.duration,
        size: rendered.size,
        format: o.format.clone(),
        width: o.width,
        height: o.height,
        fps: o.fps,
        cues: scenario.cue_count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsule_sdk::media::Rendered;
    use serde_json::json;

    #[derive(Default)]
    struct Fake {
        ass: Option<String>,
        options: Option<RenderOptions>,
    }
    impl JobContext for Fake {}
    impl Media for Fake {
        fn burn_subtitles(&mut self, url: &str, subtitles: &str, options: &RenderOptions) -> Result<Rendered, Failure> {
            self.ass = Some(subtitles.to_string());
            self.options = Some(options.clone());
            Ok(Rendered { url: format!("{url}-rendered"), duration: 3.0, size: 1000 })
        }
    }

    fn scenario() -> Value {
        json!({
            "version": "1.3",
            "timebase": {"unit": "seconds"},
            "stage": {"baseAspect": "16:9"},
            "tracks": [{"id": "t", "type": "subtitle", "layer": 1}],
            "cues": [{"id": "c1", "track": "t", "hintTime": {"start": 0.5, "end": 1.5}, "root": {"text": "안녕하세요"}}]
        })
    }

    #[test]
    fn the_scenario_becomes_ass_at_the_asked_size() {
        let mut fake = Fake::default();
        let input = Input {
            video_url: "v".into(),
            scenario: scenario(),
            options: Options { width: 1280, height: 720, ..Options::default() },
        };
        let out = handle(&input, &mut fake).unwrap();
        let ass = fake.ass.unwrap();
        assert!(ass.contains("PlayResX: 1280") && ass.contains("PlayResY: 720"), "{ass}");
        assert!(ass.contains("안녕하세요"));
        assert_eq!((out.cues, out.output_url.as_str()), (1, "v-rendered"));
        assert_eq!(fake.options.unwrap().format, "mp4");
    }

    #[test]
    fn a_bad_scenario_is_invalid_input_naming_the_field() {
        let mut bad = scenario();
        bad["cues"][0]["track"] = json!("nope");
        let e =
            handle(&Input { video_url: "v".into(), scenario: bad, options: Options::default() }, &mut Fake::default())
                .unwrap_err();
        assert_eq!(e.code, INVALID_INPUT);
        assert!(e.message.contains("cues[0].track"), "{}", e.message);
    }
}

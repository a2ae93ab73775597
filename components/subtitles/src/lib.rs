//! MotionText render scenarios to ASS subtitles.
//!
//! The video editor of seed 003 sends `POST /api/render/create` with a
//! MotionText `RendererScenario`. The original backend played it in a browser
//! with the MotionText renderer and recorded the overlay; this crate instead
//! checks and normalises the scenario ([`parse`]) and writes an Advanced
//! SubStation Alpha document ([`Scenario::to_ass`]) that FFmpeg's `subtitles`
//! or `ass` filter (libass) burns into the video.
//!
//! Both scenario generations the editor produces are read: v1.3
//! (`hintTime`, `absStart`/`absEnd`, `e_type`, `relStart…`) and v2.0
//! (`define` references, `displayTime`/`domLifetime` arrays, `timeOffset`).
//! `docs/render-scenario.md` lists every honoured and ignored field.
//!
//! One cue becomes one `Dialogue` line: the text of its text nodes in tree
//! order, styled per node with inline override tags, on the track's `Style`
//! (font family [`DEFAULT_FONT`]), with `Layer` = the track's layer.

mod ass;
mod colour;
mod define;
mod read;

use std::fmt;

/// The font family every style uses. The host installs `fonts-nanum`, which
/// has the Hangul glyphs the editor's Korean subtitles need; the scenario's
/// own `fontFamily` names browser web fonts the host does not have.
pub const DEFAULT_FONT: &str = "NanumGothic";
/// At most this many cues in one scenario.
pub const MAX_CUES: usize = read::MAX_CUES;
/// At most this many characters of text in one cue.
pub const MAX_CUE_TEXT_CHARS: usize = read::MAX_TEXT_CHARS;

/// A problem in a scenario: the JSON path of the field and a sentence a user can act on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScenarioError {
    /// JSON path like `cues[2].hintTime.end`.
    pub field: String,
    /// One English sentence saying what is wrong and what to do.
    pub message: String,
}

impl ScenarioError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// A scenario checked and normalised: cues with absolute times in seconds,
/// text, style, position and effects, in output order.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    tracks: Vec<Track>,
    cues: Vec<Cue>,
}

/// Checks and normalises a scenario; the first problem found is the error, naming the field.
///
/// Cues without any text (image or video only, or empty) are dropped: they
/// produce no subtitle event and do not count in [`Scenario::cue_count`].
pub fn parse(scenario: &serde_json::Value) -> Result<Scenario, ScenarioError> {
    read::parse(scenario)
}

impl Scenario {
    /// Cues that produce a subtitle event.
    pub fn cue_count(&self) -> usize {
        self.cues.len()
    }

    /// End of the last cue, seconds (0 when there is none).
    pub fn end(&self) -> f64 {
        self.cues.iter().map(|c| c.end).fold(0.0, f64::max)
    }

    /// The cues' (start, end) in seconds, in output order (start, then layer).
    pub fn cue_times(&self) -> Vec<(f64, f64)> {
        self.cues.iter().map(|c| (c.start, c.end)).collect()
    }

    /// The ASS document for a video of `width`×`height` pixels: PlayResX/PlayResY
    /// are that size, font sizes and positions are scaled from the scenario's
    /// stage (the whole video frame) to it. A zero dimension is treated as 1.
    pub fn to_ass(&self, width: u32, height: u32) -> String {
        ass::render(self, width, height)
    }
}

// ---------------------------------------------------------------------------
// The normalised model shared by the reader and the writer.

/// Text style as the scenario gives it; `None` means "not said here".
/// Sizes are fractions of the stage height.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StyleSpec {
    pub font_size_rel: Option<f64>,
    pub colour: Option<colour::Rgba>,
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub underline: Option<bool>,
    pub strike: Option<bool>,
    pub stroke_width_rel: Option<f64>,
    pub stroke_colour: Option<colour::Rgba>,
}

impl StyleSpec {
    /// `self` with every field `over` says replacing it.
    pub fn merged(&self, over: &StyleSpec) -> StyleSpec {
        StyleSpec {
            font_size_rel: over.font_size_rel.or(self.font_size_rel),
            colour: over.colour.or(self.colour),
            bold: over.bold.or(self.bold),
            italic: over.italic.or(self.italic),
            underline: over.underline.or(self.underline),
            strike: over.strike.or(self.strike),
            stroke_width_rel: over.stroke_width_rel.or(self.stroke_width_rel),
            stroke_colour: over.stroke_colour.or(self.stroke_colour),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Track {
    pub style_name: String,
    pub subtitle: bool,
    pub layer: u32,
    pub style: StyleSpec,
    /// An opaque box behind the text (ASS BorderStyle 3).
    pub box_colour: Option<colour::Rgba>,
    /// Fractions of the stage: left, right, bottom.
    pub margins: (f64, f64, f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Sep {
    None,
    Space,
    Newline,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub sep: Sep,
    pub text: String,
    /// The full cascade: track default style, then every ancestor, then the node.
    pub style: StyleSpec,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placement {
    /// Fractions of the stage, 0..1.
    pub x: f64,
    pub y: f64,
    /// ASS numpad alignment (`\an`), 1..9.
    pub an: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cue {
    pub track: usize,
    pub layer: u32,
    pub start: f64,
    pub end: f64,
    pub spans: Vec<Span>,
    pub placement: Option<Placement>,
    /// CSS degrees, clockwise.
    pub rotate_deg: Option<f64>,
    pub scale: Option<(f64, f64)>,
    /// Seconds.
    pub fade_in: f64,
    pub fade_out: f64,
}

// JSON paths for error messages.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

//! Reading and checking a MotionText scenario (v1.3 and v2.0 field names).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::colour::{self, Rgba};
use crate::{Cue, Placement, Scenario, ScenarioError, Sep, Span, StyleSpec, Track, child, define, index};

pub(crate) const MAX_CUES: usize = 10_000;
pub(crate) const MAX_TEXT_CHARS: usize = 2_000;
const MAX_TRACKS: usize = 1_000;
const MAX_TRACK_ID_CHARS: usize = 200;
/// Times beyond 24 hours are refused (they are mistakes, such as `Number.MAX_SAFE_INTEGER`).
const MAX_TIME: f64 = 86_400.0;
const MAX_DEPTH: usize = 32;
const MAX_NODES_PER_CUE: usize = 5_000;
const MAX_LAYER: f64 = 1_000_000.0;
/// CSS pixel sizes (`fontSize: "24px"`) are read against a stage this tall:
/// the MotionText renderer's fallback container height.
pub(crate) const REFERENCE_STAGE_PX: f64 = 720.0;
const CSS_EM_PX: f64 = 16.0;
const DEFAULT_SIDE_MARGIN: f64 = 0.05;
const DEFAULT_BOTTOM_MARGIN: f64 = 0.075;
/// A start and an end, each known or not yet known (seconds).
type Window = (Option<f64>, Option<f64>);

fn err(field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::new(field, message)
}

/// A value that is present and not `null`.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
}

/// A number, or a string holding one (the renderer's parser accepts both).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

pub(crate) fn parse(value: &Value) -> Result<Scenario, ScenarioError> {
    let top = value.as_object().ok_or_else(|| {
        err("scenario", "the scenario must be a JSON object with version, timebase, stage, tracks and cues")
    })?;
    check_version(top)?;
    let top = define::resolve(top)?;
    let scale = time_scale(&top)?;
    let stage = match get(&top, "stage") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => return Err(err("stage", "stage must be an object such as {\"baseAspect\": \"16:9\"}")),
    };
    if let Some(aspect) = stage.and_then(|s| get(s, "baseAspect")) {
        check_aspect(aspect)?;
    }
    let stage_safe = match stage.and_then(|s| get(s, "safeArea")) {
        Some(v) => Some(safe_area(v, "stage.safeArea")?),
        None => None,
    };
    let tracks = read_tracks(&top, stage_safe)?;
    let mut cues = read_cues(&top, &tracks, scale)?;
    cues.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.layer.cmp(&b.layer)));
    Ok(Scenario { tracks: tracks.into_iter().map(|(_, t)| t).collect(), cues })
}

fn check_version(top: &Map<String, Value>) -> Result<(), ScenarioError> {
    let Some(v) = get(top, "version") else { return Ok(()) };
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(err("version", "version must be a string such as \"1.3\" or \"2.0\"")),
    };
    let major = text.trim().split('.').next().unwrap_or_default();
    if major == "1" || major == "2" {
        Ok(())
    } else {
        Err(err(
            "version",
            format!(
                "scenario version '{text}' is not supported; send a MotionText 1.x or 2.x scenario (\"1.3\" or \"2.0\")"
            ),
        ))
    }
}

/// Seconds per scenario time unit.
fn time_scale(top: &Map<String, Value>) -> Result<f64, ScenarioError> {
    let Some(tb) = get(top, "timebase") else { return Ok(1.0) };
    let tb =
        tb.as_object().ok_or_else(|| err("timebase", "timebase must be an object such as {\"unit\": \"seconds\"}"))?;
    match get(tb, "unit") {
        None => Ok(1.0),
        Some(Value::String(u)) if u == "seconds" => Ok(1.0),
        Some(Value::String(u)) if u == "milliseconds" => Ok(0.001),
        Some(other) => Err(err(
            "timebase.unit",
            format!("time unit {} is not supported; use \"seconds\" or \"milliseconds\"", describe(other)),
        )),
    }
}

fn check_aspect(v: &Value) -> Result<(), ScenarioError> {
    let ok = v.as_str().is_some_and(|s| {
        s == "auto"
            || s.split_once(':').is_some_and(|(w, h)| {
                let pos = |x: &str| x.trim().parse::<f64>().is_ok_and(|n| n.is_finite() && n > 0.0);
                pos(w) && pos(h)
            })
    });
    if ok {
        Ok(())
    } else {
        Err(err(
            "stage.baseAspect",
            format!("baseAspect {} is not an aspect ratio; use \"16:9\", \"9:16\" or \"auto\"", describe(v)),
        ))
    }
}

/// `{top, bottom, left, right}` as fractions of the stage; returns (left, right, bottom).
fn safe_area(v: &Value, path: &str) -> Result<SafeArea, ScenarioError> {
    let m = v.as_object().ok_or_else(|| err(path, "safeArea must be an object such as {\"bottom\": 0.1}"))?;
    let side = |key: &str| -> Result<Option<f64>, ScenarioError> {
        match get(m, key) {
            None => Ok(None),
            Some(x) => match number(x) {
                Some(n) if (0.0..=0.5).contains(&n) => Ok(Some(n)),
                _ => Err(err(
                    child(path, key),
                    format!("safe area {key} must be a fraction of the stage between 0 and 0.5, not {}", describe(x)),
                )),
            },
        }
    };
    Ok((side("left")?, side("right")?, side("bottom")?))
}

/// Left, right, bottom safe-area fractions, each given or not.
type SafeArea = (Option<f64>, Option<f64>, Option<f64>);
/// Rotation (CSS degrees) and scale (x, y) of a layout.
type Transform = (Option<f64>, Option<(f64, f64)>);

fn read_tracks(top: &Map<String, Value>, stage_safe: Option<SafeArea>) -> Result<Vec<(String, Track)>, ScenarioError> {
    let list = match get(top, "tracks") {
        Some(Value::Array(list)) => list,
        _ => return Err(err("tracks", "tracks must be an array of {id, type, layer} objects")),
    };
    if list.len() > MAX_TRACKS {
        return Err(err("tracks", format!("the scenario has {} tracks; at most {MAX_TRACKS} are allowed", list.len())));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let path = index("tracks", i);
        let t = t.as_object().ok_or_else(|| err(&path, "each track must be an object with id, type and layer"))?;
        let id = match get(t, "id") {
            Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= MAX_TRACK_ID_CHARS => s.clone(),
            _ => {
                return Err(err(
                    child(&path, "id"),
                    format!("each track needs an id: a non-empty string of at most {MAX_TRACK_ID_CHARS} characters"),
                ));
            }
        };
        if !seen.insert(id.clone()) {
            return Err(err(
                child(&path, "id"),
                format!("track id '{id}' is declared twice; give every track its own id"),
            ));
        }
        let subtitle = match get(t, "type") {
            None => true,
            Some(Value::String(s)) if s == "subtitle" => true,
            Some(Value::String(s)) if s == "free" => false,
            Some(other) => {
                return Err(err(
                    child(&path, "type"),
                    format!("track type {} is not known; use \"subtitle\" or \"free\"", describe(other)),
                ));
            }
        };
        let layer = match get(t, "layer").and_then(number) {
            Some(n) if (0.0..=MAX_LAYER).contains(&n) && n.fract() == 0.0 => n as u32,
            _ => {
                return Err(err(
                    child(&path, "layer"),
                    format!("each track needs a layer: a whole number from 0 to {MAX_LAYER} (higher is drawn on top)"),
                ));
            }
        };
        let default_style = match get(t, "defaultStyle") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => return Err(err(child(&path, "defaultStyle"), "defaultStyle must be an object of style fields")),
        };
        let style = match default_style {
            Some(m) => read_style(m, &child(&path, "defaultStyle"))?,
            None => StyleSpec::default(),
        };
        let box_colour = track_box(t, default_style, &path)?;
        let own_safe = match get(t, "safeArea") {
            Some(v) => Some(safe_area(v, &child(&path, "safeArea"))?),
            None => match get(t, "defaultConstraints").and_then(|c| c.get("safeArea")).filter(|v| !v.is_null()) {
                Some(v) => Some(safe_area(v, &child(&path, "defaultConstraints.safeArea"))?),
                None => None,
            },
        };
        let pick = |f: fn(&SafeArea) -> Option<f64>, default: f64| {
            own_safe.as_ref().and_then(f).or_else(|| stage_safe.as_ref().and_then(f)).unwrap_or(default)
        };
        let margins = (
            pick(|s| s.0, DEFAULT_SIDE_MARGIN),
            pick(|s| s.1, DEFAULT_SIDE_MARGIN),
            pick(|s| s.2, DEFAULT_BOTTOM_MARGIN),
        );
        out.push((id, Track { style_name: format!("T{}", i + 1), subtitle, layer, style, box_colour, margins }));
    }
    Ok(out)
}

/// The track's box background: v2.0 `defaultBoxStyle.backgroundColor`/`boxBg`,
/// or v1.3 `defaultStyle.boxBg`/`backgroundColor`.
fn track_box(
    t: &Map<String, Value>,
    default_style: Option<&Map<String, Value>>,
    path: &str,
) -> Result<Option<Rgba>, ScenarioError> {
    let box_style = match get(t, "defaultBoxStyle") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => return Err(err(child(path, "defaultBoxStyle"), "defaultBoxStyle must be an object of box fields")),
    };
    let candidates = [
        (box_style, "defaultBoxStyle", "backgroundColor"),
        (box_style, "defaultBoxStyle", "boxBg"),
        (default_style, "defaultStyle", "boxBg"),
        (default_style, "defaultStyle", "backgroundColor"),
    ];
    for (map, section, key) in candidates {
        if let Some(v) = map.and_then(|m| get(m, key)) {
            return colour_field(v, &format!("{path}.{section}.{key}"));
        }
    }
    Ok(None)
}

/// A colour field; an empty string means "not set".
fn colour_field(v: &Value, path: &str) -> Result<Option<Rgba>, ScenarioError> {
    match v {
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => colour::parse(s)
            .map(Some)
            .ok_or_else(|| err(path, format!("'{s}' is not a colour this renderer understands; {}", colour::ACCEPTED))),
        other => Err(err(path, format!("a colour must be a string, not {}; {}", describe(other), colour::ACCEPTED))),
    }
}

/// The text style fields of a `style` / `defaultStyle` object.
fn read_style(m: &Map<String, Value>, path: &str) -> Result<StyleSpec, ScenarioError> {
    let mut s = StyleSpec::default();
    if let Some(v) = get(m, "fontSizeRel") {
        s.font_size_rel = Some(match number(v) {
            Some(n) if n > 0.0 && n <= 1.0 => n,
            _ => {
                return Err(err(
                    child(path, "fontSizeRel"),
                    format!(
                        "fontSizeRel must be a fraction of the stage height above 0 and at most 1, not {}",
                        describe(v)
                    ),
                ));
            }
        });
    }
    // Like the renderer, an absolute fontSize wins over fontSizeRel.
    if let Some(v) = get(m, "fontSize") {
        s.font_size_rel = Some(css_size(v).map(|px| px / REFERENCE_STAGE_PX).filter(|r| *r > 0.0 && *r <= 1.0).ok_or_else(
            || {
                err(
                    child(path, "fontSize"),
                    format!(
                        "fontSize {} is not a usable size; use a CSS size such as \"24px\" (read against a {REFERENCE_STAGE_PX}-px-high stage) or fontSizeRel",
                        describe(v)
                    ),
                )
            },
        )?);
    }
    if let Some(v) = get(m, "color") {
        s.colour = colour_field(v, &child(path, "color"))?;
    }
    if let Some(v) = get(m, "fontWeight") {
        s.bold = match v {
            Value::String(w) if matches!(w.trim(), "bold" | "bolder") => Some(true),
            Value::String(w) if matches!(w.trim(), "normal" | "lighter") => Some(false),
            other => number(other).map(|n| n >= 600.0),
        };
    }
    if let Some(Value::String(v)) = get(m, "fontStyle") {
        s.italic = match v.trim() {
            "italic" | "oblique" => Some(true),
            "normal" => Some(false),
            _ => None,
        };
    }
    if let Some(Value::String(v)) = get(m, "textDecoration") {
        s.underline = Some(v.contains("underline"));
        s.strike = Some(v.contains("line-through"));
    }
    if let Some(v) = get(m, "stroke") {
        let sp = child(path, "stroke");
        let st = v.as_object().ok_or_else(|| err(&sp, "stroke must be an object {widthRel, color}"))?;
        if let Some(w) = get(st, "widthRel") {
            s.stroke_width_rel = Some(number(w).filter(|n| (0.0..=0.1).contains(n)).ok_or_else(|| {
                err(
                    child(&sp, "widthRel"),
                    format!(
                        "stroke widthRel must be a fraction of the stage height from 0 to 0.1, not {}",
                        describe(w)
                    ),
                )
            })?);
        }
        if let Some(c) = get(st, "color") {
            s.stroke_colour = colour_field(c, &child(&sp, "color"))?;
        }
    }
    Ok(s)
}

/// A CSS length in pixels: `24px`, `1.5em`, `2rem`, `18pt`, or a bare number of pixels.
fn css_size(v: &Value) -> Option<f64> {
    if let Value::Number(_) = v {
        return number(v);
    }
    let s = v.as_str()?.trim().to_ascii_lowercase();
    let (num, factor) = if let Some(n) = s.strip_suffix("px") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("rem") {
        (n, CSS_EM_PX)
    } else if let Some(n) = s.strip_suffix("em") {
        (n, CSS_EM_PX)
    } else if let Some(n) = s.strip_suffix("pt") {
        (n, 4.0 / 3.0)
    } else {
        (s.as_str(), 1.0)
    };
    num.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| n * factor)
}

/// A time: non-negative, at most 24 hours, converted to seconds.
fn time(v: &Value, path: &str, scale: f64) -> Result<f64, ScenarioError> {
    let n = number(v).ok_or_else(|| err(path, format!("a time must be a number, not {}", describe(v))))?;
    if n < 0.0 {
        return Err(err(
            path,
            format!("time {n} is negative; times count from the start of the video and must be 0 or more"),
        ));
    }
    let secs = n * scale;
    if secs > MAX_TIME {
        return Err(err(path, format!("time {n} is more than 24 hours into the video; check the timebase unit")));
    }
    Ok(secs)
}

/// An offset in seconds (may be negative), converted from the timebase.
fn offset(v: &Value, path: &str, scale: f64) -> Result<f64, ScenarioError> {
    number(v).map(|n| n * scale).filter(|s| s.abs() <= MAX_TIME).ok_or_else(|| {
        err(path, format!("an offset must be a number of time units within 24 hours, not {}", describe(v)))
    })
}

/// One end of a `[start, end]` range: a time, or `"p%"` of the parent range.
fn bound(v: &Value, path: &str, scale: f64, parent: Option<(f64, f64)>) -> Result<f64, ScenarioError> {
    if let Some(pct) = v.as_str().and_then(|s| s.trim().strip_suffix('%')) {
        let p = pct
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite())
            .ok_or_else(|| err(path, format!("{} is not a percentage; use e.g. \"50%\" or a time", describe(v))))?;
        let (s, e) = parent.ok_or_else(|| {
            err(path, "a percentage time needs a parent with a known start and end; give a time in the timebase unit")
        })?;
        let t = s + (e - s) * p / 100.0;
        if t < 0.0 {
            return Err(err(path, format!("{} falls before the start of the video", describe(v))));
        }
        return Ok(t);
    }
    time(v, path, scale)
}

/// A `[start, end]` range (v2.0 `displayTime`, `domLifetime`, `baseTime`).
fn range(v: &Value, path: &str, scale: f64, parent: Option<(f64, f64)>) -> Result<(f64, f64), ScenarioError> {
    let items = match v {
        Value::Array(items) if items.len() == 2 => items,
        _ => return Err(err(path, format!("a time range must be [start, end], not {}", describe(v)))),
    };
    let s = bound(&items[0], &index(path, 0), scale, parent)?;
    let e = bound(&items[1], &index(path, 1), scale, parent)?;
    if e <= s {
        return Err(err(index(path, 1), format!("the end ({e} s) must be after the start ({s} s)")));
    }
    Ok((s, e))
}

fn both(w: Window) -> Option<(f64, f64)> {
    Some((w.0?, w.1?))
}

fn read_cues(top: &Map<String, Value>, tracks: &[(String, Track)], scale: f64) -> Result<Vec<Cue>, ScenarioError> {
    let list = match get(top, "cues") {
        Some(Value::Array(list)) => list,
        _ => return Err(err("cues", "cues must be an array of {id, track, hintTime, root} objects")),
    };
    if list.len() > MAX_CUES {
        return Err(err("cues", format!("the scenario has {} cues; at most {MAX_CUES} are allowed", list.len())));
    }
    let by_id: HashMap<&str, usize> = tracks.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
    let mut out = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        if let Some(cue) = read_cue(c, &index("cues", i), tracks, &by_id, scale)? {
            out.push(cue);
        }
    }
    Ok(out)
}

/// The cue-level time: v1.3 `hintTime {start, end}` (a bare number is a start),
/// else v2.0 `domLifetime [start, end]`.
fn cue_window(c: &Map<String, Value>, path: &str, scale: f64) -> Result<Window, ScenarioError> {
    if let Some(h) = get(c, "hintTime") {
        let hp = child(path, "hintTime");
        return match h {
            Value::Object(m) => {
                let s = get(m, "start").map(|v| time(v, &child(&hp, "start"), scale)).transpose()?;
                let e = get(m, "end").map(|v| time(v, &child(&hp, "end"), scale)).transpose()?;
                if let (Some(s), Some(e)) = (s, e)
                    && e <= s
                {
                    return Err(err(
                        child(&hp, "end"),
                        format!("hintTime.end ({e} s) must be after hintTime.start ({s} s)"),
                    ));
                }
                Ok((s, e))
            }
            Value::Number(_) => Ok((Some(time(h, &hp, scale)?), None)),
            other => Err(err(hp, format!("hintTime must be an object {{start, end}}, not {}", describe(other)))),
        };
    }
    if let Some(d) = get(c, "domLifetime") {
        let (s, e) = range(d, &child(path, "domLifetime"), scale, None)?;
        return Ok((Some(s), Some(e)));
    }
    Ok((None, None))
}

fn read_cue(
    c: &Value,
    path: &str,
    tracks: &[(String, Track)],
    by_id: &HashMap<&str, usize>,
    scale: f64,
) -> Result<Option<Cue>, ScenarioError> {
    let c = c.as_object().ok_or_else(|| err(path, "each cue must be an object with id, track, hintTime and root"))?;
    let name = match get(c, "id") {
        Some(Value::String(s)) => format!("cue '{s}'"),
        _ => "this cue".to_string(),
    };
    let track_path = child(path, "track");
    let track_id = match get(c, "track") {
        Some(Value::String(s)) => s,
        _ => return Err(err(track_path, "each cue needs a track: the id of one of the declared tracks")),
    };
    let Some(&track_index) = by_id.get(track_id.as_str()) else {
        return Err(err(
            track_path,
            format!(
                "{name} is on track '{track_id}', which is not declared in tracks; declare it or use a declared track id"
            ),
        ));
    };
    let track = &tracks[track_index].1;
    let root_path = child(path, "root");
    let root =
        get(c, "root").ok_or_else(|| err(&root_path, "each cue needs a root node (a group holding its text)"))?;
    // Image-only and empty cues draw nothing here; their times are not checked
    // (the editor gives watermarks an end of Number.MAX_SAFE_INTEGER).
    if !has_text(root, 0) {
        return Ok(None);
    }
    let window = cue_window(c, path, scale)?;

    let mut walk = Walk {
        scale,
        spans: Vec::new(),
        fades: Vec::new(),
        layout: None,
        root_layout: None,
        nodes: 0,
        sep_hint: Sep::Space,
        root_path: &root_path,
    };
    walk.node(root, &root_path, &track.style, window, 0)?;
    if walk.spans.is_empty() {
        return Ok(None);
    }

    let missing = |side: &str, field: &str| {
        err(
            child(path, &format!("hintTime.{side}")),
            format!(
                "{name} has no {side} time; give hintTime.{side} on the cue, or {field} (v1.3) / displayTime (v2.0) on its root or text nodes"
            ),
        )
    };
    let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
    for span in &walk.spans {
        start = start.min(span.window.0.ok_or_else(|| missing("start", "absStart"))?);
        end = end.max(span.window.1.ok_or_else(|| missing("end", "absEnd"))?);
    }

    let chars: usize =
        walk.spans.iter().map(|s| s.span.text.chars().count() + usize::from(s.span.sep != Sep::None)).sum();
    if chars > MAX_TEXT_CHARS {
        return Err(err(
            root_path,
            format!(
                "{name} holds {chars} characters of text; at most {MAX_TEXT_CHARS} are allowed per cue, so split it"
            ),
        ));
    }

    let (placement, mut rotate_deg, mut scale_xy) = match walk.layout {
        Some((layout, lp)) => {
            let (p, (r, s)) = read_layout(layout, &lp)?;
            (Some(p), r, s)
        }
        None => (None, None, None),
    };
    if placement.is_none()
        && let Some((layout, lp)) = walk.root_layout
    {
        (rotate_deg, scale_xy) = read_transform(layout, &lp)?;
    }

    let (mut fade_in, mut fade_out) = (0.0_f64, 0.0_f64);
    for f in &walk.fades {
        let len = f.length(start, end);
        if f.fade_in {
            fade_in = fade_in.max(len);
        }
        if f.fade_out {
            fade_out = fade_out.max(len);
        }
    }
    let duration = end - start;
    if fade_in + fade_out > duration {
        let k = duration / (fade_in + fade_out);
        fade_in *= k;
        fade_out *= k;
    }

    Ok(Some(Cue {
        track: track_index,
        layer: track.layer,
        start,
        end,
        spans: walk.spans.into_iter().map(|s| s.span).collect(),
        placement,
        rotate_deg,
        scale: scale_xy,
        fade_in,
        fade_out,
    }))
}

/// `layout.position` (+ `anchor`, `transform`) of the node that places the cue.
fn read_layout(m: &Map<String, Value>, path: &str) -> Result<(Placement, Transform), ScenarioError> {
    let pp = child(path, "position");
    let pos = get(m, "position").ok_or_else(|| err(&pp, "position is missing"))?;
    let (xv, yv, xp, yp) = match pos {
        Value::Object(p) => (get(p, "x"), get(p, "y"), child(&pp, "x"), child(&pp, "y")),
        Value::Array(a) if a.len() == 2 => (a.first(), a.get(1), index(&pp, 0), index(&pp, 1)),
        other => {
            return Err(err(
                pp,
                format!(
                    "position must be {{\"x\": 0..1, \"y\": 0..1}} (fractions of the stage), not {}",
                    describe(other)
                ),
            ));
        }
    };
    let coord = |v: Option<&Value>, p: &str, axis: &str| -> Result<f64, ScenarioError> {
        match v.and_then(number) {
            Some(n) if (0.0..=1.0).contains(&n) => Ok(n),
            _ => Err(err(
                p,
                format!(
                    "position {axis} must be a fraction of the stage {} from 0 to 1, not {}",
                    if axis == "x" { "width" } else { "height" },
                    v.map(describe).unwrap_or_else(|| "missing".into())
                ),
            )),
        }
    };
    let x = coord(xv, &xp, "x")?;
    let y = coord(yv, &yp, "y")?;
    let an = match get(m, "anchor") {
        None => 5,
        Some(v) => match v.as_str() {
            Some("bl") => 1,
            Some("bc") => 2,
            Some("br") => 3,
            Some("cl") => 4,
            Some("cc") => 5,
            Some("cr") => 6,
            Some("tl") => 7,
            Some("tc") => 8,
            Some("tr") => 9,
            _ => {
                return Err(err(
                    child(path, "anchor"),
                    format!("anchor {} is not known; use one of tl, tc, tr, cl, cc, cr, bl, bc, br", describe(v)),
                ));
            }
        },
    };
    Ok((Placement { x, y, an }, read_transform(m, path)?))
}

/// `layout.transform.rotate.deg` and `layout.transform.scale {x, y}`.
fn read_transform(m: &Map<String, Value>, path: &str) -> Result<Transform, ScenarioError> {
    let Some(t) = get(m, "transform") else { return Ok((None, None)) };
    let tp = child(path, "transform");
    let t = t.as_object().ok_or_else(|| err(&tp, "transform must be an object such as {\"rotate\": {\"deg\": 10}}"))?;
    let rot = match get(t, "rotate") {
        None => None,
        Some(r) => {
            let deg = match r {
                Value::Object(o) => get(o, "deg").and_then(number),
                other => number(other),
            };
            Some(deg.filter(|d| d.abs() <= 3600.0).ok_or_else(|| {
                err(child(&tp, "rotate"), "rotate must be {\"deg\": number} with at most 3600 degrees")
            })?)
        }
    };
    let scale = match get(t, "scale") {
        None => None,
        Some(s) => {
            let sp = child(&tp, "scale");
            let factor = |v: Option<&Value>, axis: &str| -> Result<f64, ScenarioError> {
                match v {
                    None => Ok(1.0),
                    Some(v) => number(v).filter(|n| *n > 0.0 && *n <= 20.0).ok_or_else(|| {
                        err(
                            child(&sp, axis),
                            format!("scale {axis} must be a factor above 0 and at most 20, not {}", describe(v)),
                        )
                    }),
                }
            };
            match s {
                Value::Object(o) => Some((factor(get(o, "x"), "x")?, factor(get(o, "y"), "y")?)),
                other => {
                    let f = factor(Some(other), "x")?;
                    Some((f, f))
                }
            }
        }
    };
    Ok((rot, scale))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Group,
    Text,
    Media,
}

struct RawSpan {
    span: Span,
    window: Window,
}

/// A plugin window as the scenario gives it.
#[derive(Clone, Copy)]
enum PluginWindow {
    Whole,
    /// v2.0 `timeOffset [start, end]`: `Ok(seconds)` or `Err(percent)`.
    Offset([Result<f64, f64>; 2]),
    /// v1.3 `relStart`/`relEnd` (seconds) and `relStartPct`/`relEndPct`.
    Rel {
        start: Option<f64>,
        end: Option<f64>,
        start_pct: Option<f64>,
        end_pct: Option<f64>,
    },
}

struct Fade {
    fade_in: bool,
    fade_out: bool,
    duration: Option<f64>,
    window: PluginWindow,
    node: Window,
    base: Option<(f64, f64)>,
}

impl Fade {
    /// The fade length in seconds, with the cue's times filling what the node does not say.
    fn length(&self, cue_start: f64, cue_end: f64) -> f64 {
        if let Some(d) = self.duration {
            return d;
        }
        let ns = self.node.0.unwrap_or(cue_start);
        let ne = self.node.1.unwrap_or(cue_end).max(ns);
        let (t0, t1) = match self.window {
            PluginWindow::Whole => (ns, ne),
            PluginWindow::Offset([a, b]) => {
                let (bs, be) = self.base.unwrap_or((ns, ne));
                let at = |x: Result<f64, f64>, edge: f64| match x {
                    Ok(secs) => edge + secs,
                    Err(pct) => bs + (be - bs) * pct / 100.0,
                };
                (at(a, bs), at(b, be))
            }
            PluginWindow::Rel { start, end, start_pct, end_pct } => {
                let d = ne - ns;
                (ns + start.unwrap_or(d * start_pct.unwrap_or(0.0)), ne + end.unwrap_or(d * end_pct.unwrap_or(0.0)))
            }
        };
        (t1.min(ne) - t0.max(ns)).max(0.0)
    }
}

struct Walk<'a> {
    scale: f64,
    spans: Vec<RawSpan>,
    fades: Vec<Fade>,
    /// The first layout (tree order) with a position, and its path.
    layout: Option<(&'a Map<String, Value>, String)>,
    root_layout: Option<(&'a Map<String, Value>, String)>,
    nodes: usize,
    sep_hint: Sep,
    root_path: &'a str,
}

impl<'a> Walk<'a> {
    fn node(
        &mut self,
        node: &'a Value,
        path: &str,
        inherited: &StyleSpec,
        window: Window,
        depth: usize,
    ) -> Result<(), ScenarioError> {
        if depth > MAX_DEPTH {
            return Err(err(path, format!("nodes are nested more than {MAX_DEPTH} levels deep; flatten the tree")));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES_PER_CUE {
            return Err(err(
                self.root_path,
                format!("the cue has more than {MAX_NODES_PER_CUE} nodes; split it into several cues"),
            ));
        }
        let obj =
            node.as_object().ok_or_else(|| err(path, "a node must be an object with eType \"group\" or \"text\""))?;
        let kind = node_kind(obj, path)?;
        if kind == Kind::Media {
            return Ok(());
        }

        if let Some(layout) = get(obj, "layout") {
            let lp = child(path, "layout");
            let lm = layout.as_object().ok_or_else(|| err(&lp, "layout must be an object"))?;
            if depth == 0 {
                self.root_layout = Some((lm, lp.clone()));
            }
            if self.layout.is_none() && get(lm, "position").is_some() {
                self.layout = Some((lm, lp));
            }
        }

        let mut style = match get(obj, "style") {
            None => inherited.clone(),
            Some(Value::Object(m)) => inherited.merged(&read_style(m, &child(path, "style"))?),
            Some(_) => return Err(err(child(path, "style"), "style must be an object of style fields")),
        };

        let window = self.node_window(obj, path, window)?;
        let base = get(obj, "baseTime").map(|b| range(b, &child(path, "baseTime"), self.scale, None)).transpose()?;

        let mut plugins: Vec<(&Value, String)> = Vec::new();
        if let Some(p) = get(obj, "plugin") {
            plugins.push((p, child(path, "plugin")));
        }
        if let Some(chain) = get(obj, "pluginChain") {
            let cp = child(path, "pluginChain");
            let list =
                chain.as_array().ok_or_else(|| err(&cp, "pluginChain must be an array of {name, params} objects"))?;
            plugins.extend(list.iter().enumerate().map(|(i, p)| (p, index(&cp, i))));
        }
        for (p, pp) in plugins {
            self.plugin(p, &pp, window, base, &mut style)?;
        }

        if kind == Kind::Text {
            let text = match get(obj, "text").or_else(|| get(obj, "content")) {
                None => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => {
                    return Err(err(child(path, "text"), format!("text must be a string, not {}", describe(other))));
                }
            };
            if !text.is_empty() {
                let sep = if self.spans.is_empty() { Sep::None } else { self.sep_hint };
                self.spans.push(RawSpan { span: Span { sep, text, style: style.clone() }, window });
            }
        }

        if let Some(children) = get(obj, "children") {
            let cp = child(path, "children");
            let list = children.as_array().ok_or_else(|| err(&cp, "children must be an array of nodes"))?;
            let sep = if vertical(obj) { Sep::Newline } else { Sep::Space };
            for (i, c) in list.iter().enumerate() {
                if i > 0 {
                    self.sep_hint = sep;
                }
                self.node(c, &index(&cp, i), &style, window, depth + 1)?;
            }
        }
        Ok(())
    }

    /// The node's own time (v2.0 `displayTime`, v1.3 `absStart`/`absEnd`) over what it inherits.
    fn node_window(&self, obj: &Map<String, Value>, path: &str, inherited: Window) -> Result<Window, ScenarioError> {
        if let Some(dt) = get(obj, "displayTime") {
            let (s, e) = range(dt, &child(path, "displayTime"), self.scale, both(inherited))?;
            return Ok((Some(s), Some(e)));
        }
        let s = get(obj, "absStart").map(|v| time(v, &child(path, "absStart"), self.scale)).transpose()?;
        let e = get(obj, "absEnd").map(|v| time(v, &child(path, "absEnd"), self.scale)).transpose()?;
        let window = (s.or(inherited.0), e.or(inherited.1));
        if let (Some(start), Some(end)) = window
            && (s.is_some() || e.is_some())
            && end <= start
        {
            let field = if e.is_some() { "absEnd" } else { "absStart" };
            return Err(err(
                child(path, field),
                format!(
                    "this node would end ({end} s) before or when it starts ({start} s); its absEnd must be after its absStart"
                ),
            ));
        }
        Ok(window)
    }

    fn plugin(
        &mut self,
        p: &Value,
        path: &str,
        node: Window,
        base: Option<(f64, f64)>,
        style: &mut StyleSpec,
    ) -> Result<(), ScenarioError> {
        let m = p.as_object().ok_or_else(|| err(path, "a plugin must be an object {name, params}"))?;
        let name = match get(m, "name") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => return Err(err(child(path, "name"), "each plugin needs a name, such as \"fadeIn\"")),
        };
        let key: String = name
            .split('@')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        let params = match get(m, "params") {
            None => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => return Err(err(child(path, "params"), "params must be an object")),
        };
        let pp = child(path, "params");
        match key.as_str() {
            "fadein" | "fadeout" | "fade" | "fadeinout" => {
                let mut duration = None;
                for k in ["duration", "animationDuration"] {
                    if let Some(v) = params.and_then(|o| get(o, k)) {
                        duration = Some(number(v).filter(|d| *d >= 0.0 && *d <= MAX_TIME).ok_or_else(|| {
                            err(child(&pp, k), format!("{k} must be a number of seconds, not {}", describe(v)))
                        })?);
                        break;
                    }
                }
                let window = self.plugin_window(m, path)?;
                self.fades.push(Fade {
                    fade_in: key != "fadeout",
                    fade_out: key != "fadein",
                    duration,
                    window,
                    node,
                    base,
                });
            }
            "cwicolor" => {
                if let Some(c) = cwi_colour(params, &pp)? {
                    style.colour = Some(c);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn plugin_window(&self, m: &Map<String, Value>, path: &str) -> Result<PluginWindow, ScenarioError> {
        if let Some(t) = get(m, "timeOffset") {
            let tp = child(path, "timeOffset");
            let items = match t {
                Value::Array(items) if items.len() == 2 => items,
                other => {
                    return Err(err(tp, format!("timeOffset must be [start, end] offsets, not {}", describe(other))));
                }
            };
            let one = |i: usize| -> Result<Result<f64, f64>, ScenarioError> {
                let ip = index(&tp, i);
                match items[i].as_str().and_then(|s| s.trim().strip_suffix('%')) {
                    Some(pct) => pct.trim().parse::<f64>().ok().filter(|p| p.is_finite()).map(Err).ok_or_else(|| {
                        err(&ip, format!("{} is not a percentage such as \"30%\"", describe(&items[i])))
                    }),
                    None => offset(&items[i], &ip, self.scale).map(Ok),
                }
            };
            return Ok(PluginWindow::Offset([one(0)?, one(1)?]));
        }
        let secs = |k: &str| get(m, k).map(|v| offset(v, &child(path, k), self.scale)).transpose();
        let pct = |k: &str| {
            get(m, k)
                .map(|v| {
                    number(v).ok_or_else(|| err(child(path, k), format!("{k} must be a number, not {}", describe(v))))
                })
                .transpose()
        };
        let (start, end, start_pct, end_pct) =
            (secs("relStart")?, secs("relEnd")?, pct("relStartPct")?, pct("relEndPct")?);
        if start.is_none() && end.is_none() && start_pct.is_none() && end_pct.is_none() {
            return Ok(PluginWindow::Whole);
        }
        Ok(PluginWindow::Rel { start, end, start_pct, end_pct })
    }
}

/// The `cwi-color` plugin's colour: `params.color`, else `params.palette[params.speaker]`.
fn cwi_colour(params: Option<&Map<String, Value>>, path: &str) -> Result<Option<Rgba>, ScenarioError> {
    let Some(params) = params else { return Ok(None) };
    if let Some(v) = get(params, "color")
        && let Some(c) = colour_field(v, &child(path, "color"))?
    {
        return Ok(Some(c));
    }
    let (Some(Value::Object(palette)), Some(Value::String(speaker))) = (get(params, "palette"), get(params, "speaker"))
    else {
        return Ok(None);
    };
    match get(palette, speaker) {
        Some(v) => colour_field(v, &format!("{path}.palette.{speaker}")),
        None => Ok(None),
    }
}

/// Whether a node tree holds any text to draw. Malformed trees answer `true`
/// so that the full reading reports the problem.
fn has_text(node: &Value, depth: usize) -> bool {
    let Some(obj) = node.as_object() else { return true };
    if depth > MAX_DEPTH {
        return true;
    }
    match node_kind(obj, "") {
        Err(_) => return true,
        Ok(Kind::Media) => return false,
        Ok(Kind::Text) => match get(obj, "text").or_else(|| get(obj, "content")) {
            None => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(_) => return true,
        },
        Ok(Kind::Group) => {}
    }
    match get(obj, "children") {
        None => false,
        Some(Value::Array(list)) => list.iter().any(|c| has_text(c, depth + 1)),
        Some(_) => true,
    }
}

fn node_kind(obj: &Map<String, Value>, path: &str) -> Result<Kind, ScenarioError> {
    for key in ["eType", "e_type", "type"] {
        if let Some(v) = get(obj, key) {
            return match v.as_str() {
                Some("group") => Ok(Kind::Group),
                Some("text") => Ok(Kind::Text),
                Some("image" | "video") => Ok(Kind::Media),
                _ => Err(err(
                    child(path, key),
                    format!("node type {} is not known; use \"group\", \"text\", \"image\" or \"video\"", describe(v)),
                )),
            };
        }
    }
    Ok(if get(obj, "text").is_some() || get(obj, "content").is_some() { Kind::Text } else { Kind::Group })
}

/// Whether a group stacks its children vertically (`layout.childrenLayout.direction`).
fn vertical(obj: &Map<String, Value>) -> bool {
    obj.get("layout").and_then(|l| l.get("childrenLayout")).and_then(|c| c.get("direction")).and_then(Value::as_str)
        == Some("vertical")
}

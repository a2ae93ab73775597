//! MotionText scenarios in, ASS out: one behaviour per test.

use serde_json::{Value, json};
use subtitles::{Scenario, ScenarioError, parse};

/// A v1.3 scenario with one subtitle track "sub" (layer 1) and the given cues.
fn scenario(cues: Value) -> Value {
    json!({
        "version": "1.3",
        "timebase": { "unit": "seconds" },
        "stage": { "baseAspect": "16:9" },
        "tracks": [{ "id": "sub", "type": "subtitle", "layer": 1 }],
        "cues": cues
    })
}

/// A cue on "sub" with hintTime and one text child.
fn cue(id: &str, start: f64, end: f64, text: &str) -> Value {
    json!({
        "id": id,
        "track": "sub",
        "hintTime": { "start": start, "end": end },
        "root": { "eType": "group", "children": [{ "eType": "text", "text": text }] }
    })
}

fn ok(v: &Value) -> Scenario {
    match parse(v) {
        Ok(s) => s,
        Err(e) => panic!("scenario refused: {e}"),
    }
}

fn refused(v: &Value) -> ScenarioError {
    match parse(v) {
        Ok(s) => panic!("scenario accepted: {s:?}"),
        Err(e) => e,
    }
}

fn dialogues(ass: &str) -> Vec<&str> {
    ass.lines().filter(|l| l.starts_with("Dialogue:")).collect()
}

/// The Text field of a Dialogue line (everything after the ninth comma).
fn text_of(line: &str) -> &str {
    line.splitn(10, ',').nth(9).expect("ten fields")
}

fn style_line<'a>(ass: &'a str, name: &str) -> &'a str {
    ass.lines().find(|l| l.starts_with(&format!("Style: {name},"))).expect("style line")
}

#[test]
fn milliseconds_timebase_is_converted_to_seconds() {
    let mut v = scenario(json!([cue("a", 1500.0, 4250.0, "hello")]));
    v["timebase"]["unit"] = json!("milliseconds");
    let s = ok(&v);
    assert_eq!(s.cue_times(), vec![(1.5, 4.25)]);
    assert_eq!(s.end(), 4.25);
    assert!(dialogues(&s.to_ass(1920, 1080))[0].starts_with("Dialogue: 1,0:00:01.50,0:00:04.25,T1,"));
}

#[test]
fn unknown_timebase_unit_is_refused_naming_timebase_unit() {
    let mut v = scenario(json!([cue("a", 1.0, 2.0, "hello")]));
    v["timebase"]["unit"] = json!("tc");
    assert_eq!(refused(&v).field, "timebase.unit");
}

#[test]
fn cue_on_undeclared_track_is_refused_naming_cues_0_track() {
    let mut c = cue("a", 1.0, 2.0, "hello");
    c["track"] = json!("nowhere");
    let e = refused(&scenario(json!([c])));
    assert_eq!(e.field, "cues[0].track");
    assert!(e.message.contains("nowhere"), "{e}");
}

#[test]
fn duplicate_track_ids_are_refused() {
    let mut v = scenario(json!([]));
    v["tracks"] = json!([{ "id": "sub", "type": "subtitle", "layer": 1 }, { "id": "sub", "type": "free", "layer": 2 }]);
    assert_eq!(refused(&v).field, "tracks[1].id");
}

#[test]
fn end_not_after_start_is_refused_naming_the_field() {
    let e = refused(&scenario(json!([cue("a", 2.0, 2.0, "hello")])));
    assert_eq!(e.field, "cues[0].hintTime.end");

    let node_times = json!({
        "id": "b", "track": "sub",
        "root": { "e_type": "group", "children": [
            { "e_type": "text", "text": "x", "absStart": 5.0, "absEnd": 4.0 }
        ] }
    });
    assert_eq!(refused(&scenario(json!([node_times]))).field, "cues[0].root.children[0].absEnd");
}

#[test]
fn negative_time_is_refused() {
    let e = refused(&scenario(json!([cue("a", -1.0, 2.0, "hello")])));
    assert_eq!(e.field, "cues[0].hintTime.start");
}

#[test]
fn cue_without_any_time_is_refused_naming_hint_time() {
    let c = json!({ "id": "a", "track": "sub", "root": { "eType": "group", "children": [{ "eType": "text", "text": "x" }] } });
    let e = refused(&scenario(json!([c])));
    assert_eq!(e.field, "cues[0].hintTime.start");
    assert_eq!(e.to_string(), format!("cues[0].hintTime.start: {}", e.message));
}

#[test]
fn too_many_cues_are_refused() {
    let cues: Vec<Value> = (0..=subtitles::MAX_CUES).map(|i| cue("c", i as f64, i as f64 + 0.5, "x")).collect();
    assert_eq!(refused(&scenario(Value::Array(cues))).field, "cues");
}

#[test]
fn overlong_cue_text_is_refused() {
    let long = "가".repeat(subtitles::MAX_CUE_TEXT_CHARS + 1);
    assert_eq!(refused(&scenario(json!([cue("a", 0.0, 1.0, &long)]))).field, "cues[0].root");
}

#[test]
fn braces_and_backslashes_in_text_do_not_become_override_tags() {
    let s = ok(&scenario(json!([cue("a", 0.0, 1.0, "{\\b1}bold\\N?")])));
    let ass = s.to_ass(1920, 1080);
    let text = text_of(dialogues(&ass)[0]);
    assert!(!text.contains("{\\b1}"), "{text}");
    assert_eq!(text, "\\{\\\u{2060}b1\\}bold\\\u{2060}N?");
}

#[test]
fn newlines_in_text_become_ass_line_breaks() {
    let s = ok(&scenario(json!([cue("a", 0.0, 1.0, "첫 줄\n둘째 줄\r\n셋째")])));
    assert_eq!(text_of(dialogues(&s.to_ass(1280, 720))[0]), "첫 줄\\N둘째 줄\\N셋째");
}

#[test]
fn css_colours_become_ass_colours() {
    let mut v = scenario(json!([{
        "id": "a", "track": "sub", "hintTime": { "start": 0, "end": 1 },
        "root": { "eType": "group", "children": [
            { "eType": "text", "text": "plain" },
            { "eType": "text", "text": "tinted", "style": { "color": "#11223380" } },
            { "eType": "text", "text": "named", "style": { "color": "yellow" } }
        ] }
    }]));
    v["tracks"][0]["defaultStyle"] = json!({ "color": "#ff8000", "stroke": { "widthRel": 0.005, "color": "#00f" } });
    let ass = ok(&v).to_ass(1920, 1080);
    let style = style_line(&ass, "T1");
    // PrimaryColour &HAABBGGRR, OutlineColour from stroke.color, Outline from widthRel × height.
    assert!(style.contains(",&H000080FF,&H000000FF,&H00FF0000,"), "{style}");
    assert!(style.contains(",1,5.4,0,"), "{style}");
    let text = text_of(dialogues(&ass)[0]);
    assert_eq!(text, "plain {\\c&H332211&\\1a&H7F&}tinted {\\c&H00FFFF&\\1a&H00&}named");

    v["tracks"][0]["defaultStyle"]["color"] = json!("blurple");
    assert_eq!(refused(&v).field, "tracks[0].defaultStyle.color");
}

#[test]
fn ass_header_has_playres_of_requested_size() {
    let ass = ok(&scenario(json!([cue("a", 0.0, 1.0, "x")]))).to_ass(1280, 720);
    assert!(ass.starts_with("[Script Info]\n"));
    assert!(ass.contains("\nPlayResX: 1280\n"));
    assert!(ass.contains("\nPlayResY: 720\n"));
    assert!(style_line(&ass, "T1").starts_with("Style: T1,NanumGothic,40,"));
}

#[test]
fn subtitle_track_defaults_to_bottom_centre_with_a_margin() {
    let ass = ok(&scenario(json!([cue("a", 0.0, 1.0, "x")]))).to_ass(1920, 1080);
    // Alignment 2 (bottom centre), MarginL/R 5 % of the width, MarginV 7.5 % of the height.
    assert!(style_line(&ass, "T1").ends_with(",2,96,96,81,1"), "{ass}");
    assert_eq!(text_of(dialogues(&ass)[0]), "x");
}

#[test]
fn position_and_fade_are_present_when_the_cue_asks_for_them() {
    let c = json!({
        "id": "a", "track": "sub", "hintTime": { "start": 10, "end": 12 },
        "root": {
            "eType": "group",
            "layout": { "position": { "x": 0.5, "y": 0.9 }, "anchor": "bc" },
            "children": [{
                "eType": "text", "text": "hi",
                "pluginChain": [
                    { "name": "fadeIn", "params": { "duration": 0.3 } },
                    { "name": "fadeOut", "timeOffset": ["80%", "100%"] }
                ]
            }]
        }
    });
    let ass = ok(&scenario(json!([c]))).to_ass(1920, 1080);
    assert_eq!(text_of(dialogues(&ass)[0]), "{\\an2\\pos(960,972)\\fad(300,400)}hi");

    // Without them: no tags at all.
    let plain = ok(&scenario(json!([cue("b", 0.0, 1.0, "hi")]))).to_ass(1920, 1080);
    assert_eq!(text_of(dialogues(&plain)[0]), "hi");
}

#[test]
fn three_cues_produce_three_dialogue_lines_in_time_order() {
    let s =
        ok(&scenario(json!([cue("c", 7.0, 9.5, "third"), cue("a", 1.0, 3.0, "first"), cue("b", 3.0, 6.0, "second")])));
    assert_eq!(s.cue_count(), 3);
    assert_eq!(s.cue_times(), vec![(1.0, 3.0), (3.0, 6.0), (7.0, 9.5)]);
    let ass = s.to_ass(1920, 1080);
    let lines = dialogues(&ass);
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("Dialogue: 1,0:00:01.00,0:00:03.00,T1,") && lines[0].ends_with(",first"));
    assert!(lines[1].starts_with("Dialogue: 1,0:00:03.00,0:00:06.00,T1,") && lines[1].ends_with(",second"));
    assert!(lines[2].starts_with("Dialogue: 1,0:00:07.00,0:00:09.50,T1,") && lines[2].ends_with(",third"));
}

#[test]
fn same_start_events_are_ordered_by_layer() {
    let mut v = scenario(json!([]));
    v["tracks"] = json!([{ "id": "top", "type": "free", "layer": 5 }, { "id": "sub", "type": "subtitle", "layer": 1 }]);
    let mut over = cue("o", 1.0, 2.0, "over");
    over["track"] = json!("top");
    v["cues"] = json!([over, cue("u", 1.0, 2.0, "under")]);
    let ass = ok(&v).to_ass(1920, 1080);
    let lines = dialogues(&ass);
    assert!(lines[0].starts_with("Dialogue: 1,") && lines[0].contains(",T2,"), "{ass}");
    assert!(lines[1].starts_with("Dialogue: 5,") && lines[1].contains(",T1,"), "{ass}");
    // A free track without a position is centred.
    assert!(style_line(&ass, "T1").contains(",0,5,"), "{ass}");
}

#[test]
fn font_size_scales_with_the_video_height() {
    let mut v = scenario(json!([cue("a", 0.0, 1.0, "x")]));
    let s = ok(&v);
    assert!(style_line(&s.to_ass(1920, 1080), "T1").starts_with("Style: T1,NanumGothic,60,"));
    assert!(style_line(&s.to_ass(1280, 720), "T1").starts_with("Style: T1,NanumGothic,40,"));

    v["tracks"][0]["defaultStyle"] = json!({ "fontSizeRel": 0.05 });
    let s = ok(&v);
    assert!(style_line(&s.to_ass(1920, 1080), "T1").starts_with("Style: T1,NanumGothic,54,"));
    assert!(style_line(&s.to_ass(1280, 720), "T1").starts_with("Style: T1,NanumGothic,36,"));

    // CSS pixels are read against a 720-px stage: 24px is 36 px at 1080p.
    v["tracks"][0]["defaultStyle"] = json!({ "fontSize": "24px" });
    assert!(style_line(&ok(&v).to_ass(1920, 1080), "T1").starts_with("Style: T1,NanumGothic,36,"));
}

#[test]
fn cue_without_text_produces_no_event() {
    let image = json!({
        "id": "logo", "track": "sub", "hintTime": { "start": 0, "end": 9007199254740991u64 },
        "root": { "e_type": "image", "src": "logo.png" }
    });
    let s = ok(&scenario(json!([image, cue("a", 1.0, 2.0, "x")])));
    assert_eq!(s.cue_count(), 1);
    assert_eq!(dialogues(&s.to_ass(640, 360)).len(), 1);
}

#[test]
fn word_nodes_join_with_spaces_and_vertical_groups_with_line_breaks() {
    let c = json!({
        "id": "a", "track": "sub", "hintTime": { "start": 0, "end": 3 },
        "root": { "eType": "group", "layout": { "childrenLayout": { "direction": "vertical" } }, "children": [
            { "eType": "group", "children": [
                { "eType": "text", "text": "저는", "absStart": 0.5, "absEnd": 1.0 },
                { "eType": "text", "text": "개발자", "absStart": 1.0, "absEnd": 1.5 }
            ] },
            { "eType": "text", "text": "입니다", "absStart": 1.5, "absEnd": 2.5 }
        ] }
    });
    let s = ok(&scenario(json!([c])));
    // The event spans the text nodes' own times.
    assert_eq!(s.cue_times(), vec![(0.5, 2.5)]);
    assert_eq!(text_of(dialogues(&s.to_ass(1920, 1080))[0]), "저는 개발자\\N입니다");
}

/// The shape the editor's export (`buildScenarioFromClips`) sends to `/api/render/create`.
#[test]
fn editor_export_scenario_v1_3_is_read() {
    let v = json!({
        "version": "1.3",
        "timebase": { "unit": "seconds" },
        "stage": { "baseAspect": "16:9" },
        "tracks": [{ "id": "editor", "type": "free", "layer": 1 }],
        "cues": [{
            "id": "cue-clip-1", "track": "editor",
            "hintTime": { "start": 1.2, "end": 3.4 },
            "root": {
                "e_type": "group",
                "layout": { "position": { "x": 0.5, "y": 0.8222 }, "anchor": "cc", "size": { "width": 0.88, "height": 0.1778 } },
                "children": [{
                    "e_type": "text", "text": "샘플 자막 텍스트입니다",
                    "absStart": 1.2, "absEnd": 3.4,
                    "layout": { "position": { "x": 0.5, "y": 0.5 }, "anchor": "cc", "size": { "width": "auto", "height": "auto" }, "overflow": "visible" },
                    "style": { "fontSizeRel": 0.05, "fontFamily": "Arial, sans-serif", "color": "#ffeb3b", "align": "center",
                               "whiteSpace": "nowrap", "fontWeight": "bold", "fontStyle": "normal", "textDecoration": "none" },
                    "pluginChain": [{ "name": "fadein", "params": {}, "relStartPct": 0, "relEndPct": 1 }]
                }]
            }
        }]
    });
    let s = ok(&v);
    assert_eq!(s.cue_times(), vec![(1.2, 3.4)]);
    let ass = s.to_ass(1920, 1080);
    assert_eq!(
        text_of(dialogues(&ass)[0]),
        "{\\an5\\pos(960,887.98)\\fad(2200,0)\\fs54\\c&H3BEBFF&\\b1}샘플 자막 텍스트입니다"
    );
}

/// The shape the editor's live preview builds (v2.0, `initialScenario.ts`).
#[test]
fn v2_define_references_display_time_and_box_style_are_honoured() {
    let v = json!({
        "version": "2.0", "pluginApiVersion": "3.0",
        "timebase": { "unit": "seconds" }, "stage": { "baseAspect": "16:9" },
        "define": {
            "caption": {
                "position": { "x": 0.5, "y": 0.925 },
                "layout": { "anchor": "bc", "safeAreaClamp": true },
                "childrenLayout": { "mode": "flow", "direction": "horizontal", "wrap": true, "maxWidth": "90%" }
            },
            "speakerPalette": { "SPEAKER_01": "#4AA3FF" }
        },
        "tracks": [{
            "id": "caption", "type": "subtitle", "layer": 1,
            "defaultStyle": { "fontSizeRel": 0.05, "fontFamily": "Arial, sans-serif", "color": "#ffffff", "align": "center" },
            "defaultBoxStyle": { "backgroundColor": "rgba(0, 0, 0, 0.6)", "padding": "4px 8px" }
        }],
        "cues": [{
            "id": "cue-c1", "track": "caption", "domLifetime": [0.8, 2.6],
            "root": {
                "id": "clip-c1", "eType": "group", "displayTime": [1.0, 2.5],
                "layout": { "anchor": "define.caption.layout.anchor", "position": "define.caption.position",
                            "childrenLayout": "define.caption.childrenLayout" },
                "children": [
                    { "id": "word-1", "eType": "text", "text": "안녕", "baseTime": [1.0, 1.6],
                      "pluginChain": [{ "name": "cwi-color@2.0.0",
                                        "params": { "speaker": "SPEAKER_01", "palette": "define.speakerPalette" } }] },
                    { "id": "word-2", "eType": "text", "text": "하세요", "baseTime": [1.6, 2.5],
                      "pluginChain": [{ "name": "fadeIn", "timeOffset": ["0%", "50%"] }] }
                ]
            }
        }]
    });
    let s = ok(&v);
    assert_eq!(s.cue_times(), vec![(1.0, 2.5)]);
    let ass = s.to_ass(1920, 1080);
    // A boxed track: libass BorderStyle 4, one box behind the event in BackColour
    // (alpha 0.6 → &H66), padded by Shadow (1/120 of the height).
    let style = style_line(&ass, "T1");
    assert!(style.contains(",&H00FFFFFF,&H000000FF,&H00000000,&H66000000,"), "{style}");
    assert!(style.contains(",4,3,9,2,"), "{style}");
    // Fade over 50 % of word-2's baseTime (0.45 s); word-1 coloured by its speaker.
    assert_eq!(text_of(dialogues(&ass)[0]), "{\\an2\\pos(960,999)\\fad(450,0)\\c&HFFA34A&}안녕 {\\c&HFFFFFF&}하세요");
}

#[test]
fn undefined_define_reference_is_refused_naming_the_field() {
    let mut v = scenario(json!([cue("a", 0.0, 1.0, "x")]));
    v["define"] = json!({});
    v["cues"][0]["root"]["layout"] = json!({ "position": "define.nowhere" });
    let e = refused(&v);
    assert_eq!(e.field, "cues[0].root.layout.position");
    assert!(e.message.contains("define.nowhere"), "{e}");
}

#[test]
fn circular_define_references_are_refused() {
    let mut v = scenario(json!([cue("a", 0.0, 1.0, "define.a")]));
    v["define"] = json!({ "a": "define.b", "b": "define.a" });
    assert_eq!(refused(&v).field, "cues[0].root.children[0].text");
}

#[test]
fn position_outside_the_stage_is_refused() {
    let mut v = scenario(json!([cue("a", 0.0, 1.0, "x")]));
    v["cues"][0]["root"]["layout"] = json!({ "position": { "x": 320, "y": 0.5 } });
    assert_eq!(refused(&v).field, "cues[0].root.layout.position.x");
}

#[test]
fn rotation_and_scale_of_the_root_become_tags() {
    let mut v = scenario(json!([cue("a", 0.0, 1.0, "x")]));
    v["cues"][0]["root"]["layout"] = json!({
        "position": [0.57, 0.28], "anchor": "cc",
        "transform": { "rotate": { "deg": -18 }, "scale": { "x": 1.5, "y": 1.5 } }
    });
    let ass = ok(&v).to_ass(1000, 1000);
    assert_eq!(text_of(dialogues(&ass)[0]), "{\\an5\\pos(570,280)\\frz18\\fscx150\\fscy150}x");
}

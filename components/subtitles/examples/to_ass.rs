//! Reads a MotionText scenario (JSON) from a file or stdin and prints the ASS document.
//!
//! `cargo run -p subtitles --example to_ass -- scenario.json 1920 1080 > out.ass`
//! then `ffmpeg -i in.mp4 -vf ass=out.ass out.mp4`.

use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json = String::new();
    match args.first().map(String::as_str) {
        None | Some("-") => {
            std::io::stdin().read_to_string(&mut json).expect("read stdin");
        }
        Some(path) => json = std::fs::read_to_string(path).expect("read scenario file"),
    }
    let size = |i: usize, default: u32| args.get(i).map(|s| s.parse().expect("a size in pixels")).unwrap_or(default);
    let (width, height) = (size(1, 1920), size(2, 1080));
    let value: serde_json::Value = serde_json::from_str(&json).expect("scenario is JSON");
    match subtitles::parse(&value) {
        Ok(scenario) => print!("{}", scenario.to_ass(width, height)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

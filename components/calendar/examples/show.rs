//! Prints what the parser reads in a text: `cargo run -p calendar --example show -- REFERENCE < posting.txt`.
use std::io::Read;

fn main() {
    let reference = std::env::args().nth(1).unwrap_or_else(|| "2026-01-13T10:00".into());
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("stdin");
    let input = calendar::request::Input {
        text: Some(text),
        reference_date: Some(reference),
        timezone: std::env::args().nth(2),
        file_url: None,
    };
    match calendar::handle(&input, chrono::DateTime::UNIX_EPOCH, |_| unreachable!()) {
        Ok(p) => println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default()),
        Err(f) => println!("{}: {}", f.code, f.message),
    }
}

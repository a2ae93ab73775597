//! Run one analysis natively on a request read from standard input and
//! print the result: the statistical method (no engines outside the host),
//! with `comments` in the request (no outgoing HTTP either).
//!
//! ```sh
//! echo '{"videoId": "demo", "comments": ["가족 최고", "뇌과학 설명 좋아요"]}' \
//!   | cargo run --release -p comment-analysis --example analyze
//! ```

use std::io::Read;

use capsule_sdk::testing;
use comment_analysis::CommentAnalysis;

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("a request on standard input");
    let input: serde_json::Value = serde_json::from_str(&text).expect("the request is JSON");
    match testing::run::<CommentAnalysis>(input) {
        Ok(output) => println!("{}", serde_json::to_string_pretty(&output).expect("JSON")),
        Err(failure) => {
            eprintln!("{failure}");
            std::process::exit(1);
        }
    }
}

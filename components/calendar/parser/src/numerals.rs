//! Numbers written as words, for the date and time grammars: Sino-Korean
//! (`삼`, `십오`, `이천이십육`), native Korean hours (`세 시`) and day counts
//! (`이틀`), Korean ordinals (`셋째`, `세 번째`, `마지막`), and English words.
//!
//! Each kind has a pattern fragment for composing the grammars' regexes and a
//! function that reads what the fragment matched.

/// A Sino-Korean number with at least one syllable, up to 9999 (`오`, `십오`, `이십삼`, `이천이십육`).
pub const SINO: &str = "(?:[일이삼사오육칠팔구]?천(?:[일이삼사오육칠팔구]?백)?(?:[이삼사오육칠팔구]?십)?[일이삼사오육칠팔구]?|[일이삼사오육칠팔구]?백(?:[이삼사오육칠팔구]?십)?[일이삼사오육칠팔구]?|[이삼사오육칠팔구]?십[일이삼사오육칠팔구]?|[일이삼사오육칠팔구])";

/// Month names read in Sino-Korean (`삼월`, and the spoken `시월`, `유월`); the `월` follows.
pub const SINO_MONTH: &str = "(?:십일|십이|시|유|십|[일이삼사오육칠팔구])";

/// Hours are counted with native numerals: `한 시` … `열두 시`.
pub const NATIVE_HOUR: &str = "(?:열한|열두|열|한|두|세|네|다섯|여섯|일곱|여덟|아홉)";

/// Days counted with native words: `하루` (1) … `열흘` (10), `보름` (15).
pub const DAY_COUNT: &str = "(?:하루|이틀|사흘|나흘|닷새|엿새|이레|여드레|아흐레|열흘|보름)";

/// Korean ordinals of a weekday in a month: `첫째`, `첫 번째`, `두번째`, `셋째`, `3번째`; `마지막` is last.
pub const KO_ORDINAL: &str = "(?:(?:첫|둘|두|셋|세|넷|네|다섯|[1-5])\\s*(?:번\\s*)?째|마지막)";

/// English cardinals for counts and hours.
pub const EN_NUMBER: &str = "(?:\\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|an?)";

/// English ordinals of a weekday in a month.
pub const EN_ORDINAL: &str = "(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)";

fn sino_digit(c: char) -> Option<u32> {
    "일이삼사오육칠팔구".chars().position(|d| d == c).map(|i| i as u32 + 1)
}

/// The value of a Sino-Korean number (`이십삼` → 23, `이천이십육` → 2026).
pub fn sino(text: &str) -> Option<u32> {
    let mut total = 0;
    let mut pending: Option<u32> = None;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let unit = match c {
            '천' => 1000,
            '백' => 100,
            '십' => 10,
            _ => {
                pending = Some(sino_digit(c)?);
                continue;
            }
        };
        total += pending.take().unwrap_or(1) * unit;
    }
    let value = total + pending.unwrap_or(0);
    (value > 0).then_some(value)
}

/// A month read in Sino-Korean (`시` → 10, `유` → 6, `십이` → 12).
pub fn sino_month(text: &str) -> Option<u32> {
    match text {
        "시" => Some(10),
        "유" => Some(6),
        _ => sino(text).filter(|m| (1..=12).contains(m)),
    }
}

/// Digits or a Sino-Korean number.
pub fn number(text: &str) -> Option<u32> {
    text.parse().ok().or_else(|| sino(text))
}

/// An hour in digits or native Korean (`세` → 3, `열두` → 12).
pub fn hour(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    Some(match text {
        "한" => 1,
        "두" => 2,
        "세" => 3,
        "네" => 4,
        "다섯" => 5,
        "여섯" => 6,
        "일곱" => 7,
        "여덟" => 8,
        "아홉" => 9,
        "열" => 10,
        "열한" => 11,
        "열두" => 12,
        _ => return None,
    })
}

/// A native day count (`이틀` → 2, `보름` → 15).
pub fn day_count(text: &str) -> Option<u32> {
    Some(match text {
        "하루" => 1,
        "이틀" => 2,
        "사흘" => 3,
        "나흘" => 4,
        "닷새" => 5,
        "엿새" => 6,
        "이레" => 7,
        "여드레" => 8,
        "아흐레" => 9,
        "열흘" => 10,
        "보름" => 15,
        _ => return None,
    })
}

/// Which of a month's weekdays: 1–5, or `-1` for the last.
pub fn korean_ordinal(text: &str) -> Option<i32> {
    if text.starts_with("마지막") {
        return Some(-1);
    }
    let first = text.chars().next()?;
    Some(match first {
        '첫' => 1,
        '둘' | '두' => 2,
        '셋' | '세' => 3,
        '넷' | '네' => 4,
        '다' => 5,
        d => d.to_digit(10)? as i32,
    })
}

/// 1–5, or `-1` for `last`.
pub fn english_ordinal(text: &str) -> Option<i32> {
    let lower = text.to_ascii_lowercase();
    Some(match lower.as_str() {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        "fifth" | "5th" => 5,
        "last" => -1,
        _ => return None,
    })
}

/// An English cardinal (`3`, `three`, `a`).
pub fn english_number(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    if let Ok(n) = lower.parse() {
        return Some(n);
    }
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
        "fourteen", "fifteen",
    ];
    match lower.as_str() {
        "a" | "an" => Some(1),
        "twenty" => Some(20),
        "thirty" => Some(30),
        w => words.iter().position(|x| *x == w).map(|i| i as u32 + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn sino_korean_numbers_read_positionally() {
        for (text, want) in [
            ("일", 1),
            ("오", 5),
            ("십", 10),
            ("십오", 15),
            ("이십", 20),
            ("이십삼", 23),
            ("삼십일", 31),
            ("백", 100),
            ("이천이십육", 2026),
            ("천구백칠십사", 1974),
        ] {
            assert_eq!(sino(text), Some(want), "{text}");
        }
        assert_eq!(sino(""), None);
        assert_eq!(sino("오후"), None);
    }

    #[test]
    fn the_sino_fragment_matches_whole_numbers_only() {
        let re = Regex::new(&format!("^{SINO}$")).unwrap();
        for text in ["일", "십오", "이십삼", "이천이십육", "삼십일"] {
            assert!(re.is_match(text), "{text}");
        }
        for text in ["", "십십", "일이"] {
            assert!(!re.is_match(text), "{text}");
        }
    }

    #[test]
    fn months_hours_counts_and_ordinals() {
        assert_eq!(sino_month("시"), Some(10));
        assert_eq!(sino_month("유"), Some(6));
        assert_eq!(sino_month("십이"), Some(12));
        assert_eq!(sino_month("십삼"), None);
        assert_eq!(hour("세"), Some(3));
        assert_eq!(hour("열한"), Some(11));
        assert_eq!(hour("14"), Some(14));
        assert_eq!(day_count("이틀"), Some(2));
        assert_eq!(day_count("보름"), Some(15));
        for (text, want) in
            [("첫째", 1), ("첫 번째", 1), ("두번째", 2), ("셋째", 3), ("세 번째", 3), ("3번째", 3), ("마지막", -1)]
        {
            assert_eq!(korean_ordinal(text), Some(want), "{text}");
        }
        assert_eq!(english_ordinal("Third"), Some(3));
        assert_eq!(english_ordinal("last"), Some(-1));
        assert_eq!(english_number("three"), Some(3));
        assert_eq!(english_number("a"), Some(1));
        assert_eq!(english_number("10"), Some(10));
    }
}

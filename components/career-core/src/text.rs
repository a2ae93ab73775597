//! Small text helpers shared by the analyses.

/// Whether `c` is a Hangul syllable or jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The text with every run of spaces, tabs and other blanks inside a line
/// made one space, each line trimmed, CRLF made LF. Spellings with a space
/// (`스프링 부트`) then match however the text was spaced.
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut blank = false;
        for c in line.trim().chars() {
            if c.is_whitespace() {
                blank = true;
            } else {
                if blank {
                    out.push(' ');
                    blank = false;
                }
                out.push(c);
            }
        }
    }
    out
}

/// Sentences of `text`: split at line ends and at `.`, `?`, `!` (and `다.`,
/// `요.` endings) followed by a space; blank pieces dropped.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            let ends = matches!(c, '.' | '?' | '!' | '。') && chars.peek().is_none_or(|n| n.is_whitespace());
            // A decimal point or version (`3.5`, `v1.2`) is not an end: it has no space after.
            if ends {
                push_trimmed(&mut out, &current);
                current.clear();
            }
        }
        push_trimmed(&mut out, &current);
    }
    out
}

fn push_trimmed(out: &mut Vec<String>, piece: &str) {
    let piece = piece.trim().trim_start_matches(['-', '•', '*', '·', '▶', '■', '□', '◆', '○', '●', '※']).trim();
    if !piece.is_empty() {
        out.push(piece.to_string());
    }
}

/// Characters that are not whitespace: how long an answer or a text really is.
pub fn visible_len(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// `s` cut to at most `max` characters at a character boundary, with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

/// The Korean object particle for `word`: `을` after a final consonant, `를`
/// after a vowel; for Latin words and digits by how they are read aloud in Korean.
pub fn object_particle(word: &str) -> &'static str {
    if has_final_consonant(word) { "을" } else { "를" }
}

/// `은` / `는` for `word`.
pub fn topic_particle(word: &str) -> &'static str {
    if has_final_consonant(word) { "은" } else { "는" }
}

/// `과` / `와` for `word`.
pub fn and_particle(word: &str) -> &'static str {
    if has_final_consonant(word) { "과" } else { "와" }
}

/// `으로` / `로` for `word` (`ㄹ` takes `로`).
pub fn by_particle(word: &str) -> &'static str {
    match last_sound(word) {
        Some(Final::Rieul) | Some(Final::None) => "로",
        Some(Final::Other) => "으로",
        None => "로",
    }
}

/// `이` / `가` for `word`.
pub fn subject_particle(word: &str) -> &'static str {
    if has_final_consonant(word) { "이" } else { "가" }
}

/// `이라는` / `라는` after a quoted `word`: `'60% 단축'이라는`, `'40%'라는`.
pub fn quote_adnominal(word: &str) -> &'static str {
    if has_final_consonant(word) { "이라는" } else { "라는" }
}

/// `이라고` / `라고` after a quoted `word`.
pub fn quote_verb(word: &str) -> &'static str {
    if has_final_consonant(word) { "이라고" } else { "라고" }
}

enum Final {
    None,
    Rieul,
    Other,
}

fn has_final_consonant(word: &str) -> bool {
    matches!(last_sound(word), Some(Final::Rieul | Final::Other))
}

/// The final sound of `word` as Korean speakers read it: a Hangul syllable's
/// batchim; for Latin letters and digits their Korean names (`React` ends in
/// `트`, `SQL` in `엘`, `3` in `삼`).
fn last_sound(word: &str) -> Option<Final> {
    // `40%` is read `사십 퍼센트`.
    if word.trim_end().ends_with('%') {
        return Some(Final::None);
    }
    let c = word.trim_end_matches(|c: char| !c.is_alphanumeric()).chars().next_back()?;
    if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
        let jong = (c as u32 - 0xAC00) % 28;
        return Some(match jong {
            0 => Final::None,
            8 => Final::Rieul,
            _ => Final::Other,
        });
    }
    if c.is_ascii_digit() {
        // 영 일 이 삼 사 오 육 칠 팔 구
        return Some(match c {
            '0' | '3' | '6' => Final::Other,
            '1' | '7' | '8' => Final::Rieul,
            _ => Final::None,
        });
    }
    let lower = c.to_ascii_lowercase();
    // Words read by their spelling end in the letter's name (`SQL` → 엘, `AWS` → 에스).
    let acronym = word.chars().filter(|c| c.is_ascii_alphabetic()).all(|c| c.is_ascii_uppercase());
    if acronym {
        return Some(match lower {
            'l' | 'r' => Final::Rieul,
            'm' | 'n' => Final::Other,
            _ => Final::None,
        });
    }
    Some(match lower {
        'l' => Final::Rieul,
        // `-ng` reads ㅇ, `-m` ㅁ, `-n` ㄴ; `-t`, `-k` and `-s` mostly get a vowel (`트`, `크`, `스`).
        'm' | 'n' | 'g' => Final::Other,
        _ => Final::None,
    })
}

/// Words of `text` split at whitespace and punctuation other than `.`, `+`,
/// `#`, `-`, `/` inside a word (so `Node.js`, `C++`, `CI/CD` stay whole).
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | ':' | ';' | '"' | '\'' | '|' | '·')
    })
    .map(|w| w.trim_matches(|c: char| matches!(c, '.' | '-' | '/' | '!' | '?' | '~')))
    .filter(|w| !w.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_follow_the_final_sound() {
        assert_eq!(object_particle("리액트"), "를");
        assert_eq!(object_particle("결제 시스템"), "을");
        assert_eq!(object_particle("React"), "를");
        assert_eq!(object_particle("Kubernetes"), "를");
        assert_eq!(object_particle("SQL"), "을");
        assert_eq!(object_particle("AWS"), "를");
        assert_eq!(topic_particle("Spring"), "은");
        assert_eq!(by_particle("Redis"), "로");
        assert_eq!(by_particle("캐시"), "로");
        assert_eq!(by_particle("서울"), "로");
        assert_eq!(by_particle("결제 모듈"), "로");
        assert_eq!(by_particle("API 서버"), "로");
        assert_eq!(by_particle("프로젝트 관리"), "로");
        assert_eq!(by_particle("40% 단축"), "으로");
    }

    #[test]
    fn squash_makes_one_space_and_keeps_lines() {
        assert_eq!(squash("스프링   부트\r\n  React\t\tNode  "), "스프링 부트\nReact Node");
    }

    #[test]
    fn sentences_split_at_ends_but_not_in_numbers() {
        assert_eq!(
            sentences("버전 3.5를 썼다. 결과가 좋았다!\n- 다음 줄"),
            ["버전 3.5를 썼다.", "결과가 좋았다!", "다음 줄"]
        );
    }

    #[test]
    fn clip_cuts_at_characters() {
        assert_eq!(clip("가나다라마", 3), "가나다…");
        assert_eq!(clip("가나", 3), "가나");
    }
}

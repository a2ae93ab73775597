//! Hangul syllables taken apart and put together (Unicode's arithmetic:
//! `0xAC00 + (initial × 21 + medial) × 28 + final`), for the few
//! conjugations and particles the Korean rules need.

const BASE: u32 = 0xAC00;
const LAST: u32 = 0xD7A3;

/// Medial vowels by index.
pub const A: u32 = 0; // ㅏ
pub const AE: u32 = 1; // ㅐ
pub const EO: u32 = 4; // ㅓ
pub const YEO: u32 = 6; // ㅕ
pub const O: u32 = 8; // ㅗ
pub const WA: u32 = 9; // ㅘ
pub const WAE: u32 = 10; // ㅙ
pub const OE: u32 = 11; // ㅚ
pub const U: u32 = 13; // ㅜ
pub const WEO: u32 = 14; // ㅝ
pub const EU: u32 = 18; // ㅡ
pub const I: u32 = 20; // ㅣ

/// Initial consonants by index.
pub const SSANG_GIYEOK: u32 = 1; // ㄲ
pub const SSANG_DIGEUT: u32 = 4; // ㄸ
pub const SSANG_SIOS: u32 = 10; // ㅆ
pub const IEUNG: u32 = 11; // ㅇ

/// Final consonants by index (0: none).
pub const RIEUL: u32 = 8; // ㄹ
pub const NIEUN: u32 = 4; // ㄴ

/// A syllable's (initial, medial, final) indices; `None` for anything else.
pub fn decompose(c: char) -> Option<(u32, u32, u32)> {
    let code = c as u32;
    if !(BASE..=LAST).contains(&code) {
        return None;
    }
    let offset = code - BASE;
    Some((offset / (21 * 28), (offset / 28) % 21, offset % 28))
}

/// The syllable of these indices.
pub fn compose(initial: u32, medial: u32, last: u32) -> char {
    char::from_u32(BASE + (initial * 21 + medial) * 28 + last).expect("indices within the Hangul syllable block")
}

pub fn is_syllable(c: char) -> bool {
    decompose(c).is_some()
}

/// Whether the syllable ends in a consonant (받침).
pub fn has_final(c: char) -> bool {
    decompose(c).is_some_and(|(_, _, f)| f != 0)
}

/// Whether a word ending in `c` is read ending in a consonant, for choosing
/// a particle: Hangul by its 받침; digits and Latin letters as Koreans read
/// them (`1` 일, `3` 삼, `L` 엘, `M` 엠, `N` 엔, `R` 알 end in a consonant;
/// `2` 이, `B` 비 do not).
fn reads_with_final(c: char) -> bool {
    match c {
        _ if is_syllable(c) => has_final(c),
        '0' | '1' | '3' | '6' | '7' | '8' => true,
        '2' | '4' | '5' | '9' => false,
        _ => matches!(c.to_ascii_lowercase(), 'l' | 'm' | 'n' | 'r'),
    }
}

/// The object particle after `word`: 을 after a consonant, 를 after a vowel.
pub fn object_particle(word: &str) -> &'static str {
    match word.chars().rev().find(|c| c.is_alphanumeric()) {
        Some(c) if !reads_with_final(c) => "를",
        _ => "을",
    }
}

/// `word` with its object particle attached.
pub fn with_object_particle(word: &str) -> String {
    format!("{word}{}", object_particle(word))
}

/// The verb stem whose 아/어 form (`측정해`, `측정하여`, `받아`, `줄여`, `써`,
/// `봐`, `돼`) `form` ends with: `측정하`, `받`, `줄이`, `쓰`, `보`, `되`.
/// `None` when the end of `form` is no such form.
///
/// Contracted vowels are undone by the regular rules (ㅕ → ㅣ, ㅘ → ㅗ,
/// ㅝ → ㅜ, ㅙ → ㅚ, ㅓ → ㅡ after ㅆ ㄲ ㄸ); irregular verbs (`도와` of
/// 돕다, `들어` of 듣다) come out as the regular reading would have them.
pub fn stem_of_infinitive(form: &str) -> Option<String> {
    if let Some(stem) = form.strip_suffix("하여") {
        return Some(format!("{stem}하"));
    }
    let last = form.chars().next_back()?;
    let before = &form[..form.len() - last.len_utf8()];
    let (initial, medial, last_final) = decompose(last)?;
    if last_final != 0 {
        return None;
    }
    if last == '해' {
        return Some(format!("{before}하"));
    }
    // A separate 아/어 after a stem ending in a consonant: 받아, 먹어, 만들어.
    if initial == IEUNG && (medial == A || medial == EO) && before.chars().next_back().is_some_and(has_final) {
        return Some(before.to_string());
    }
    let medial = match medial {
        YEO => I,
        WA => O,
        WEO => U,
        WAE => OE,
        EO if matches!(initial, SSANG_SIOS | SSANG_GIYEOK | SSANG_DIGEUT) => EU,
        A | AE | EO | 5 => medial,
        _ => return None,
    };
    Some(format!("{before}{}", compose(initial, medial, 0)))
}

/// The stem with its future adnominal ending and `것`: `측정하` → `측정할 것`,
/// `받` → `받을 것`, `만들` → `만들 것`, `줄이` → `줄일 것`.
pub fn future(stem: &str) -> String {
    let Some(last) = stem.chars().next_back() else { return "할 것".to_string() };
    let before = &stem[..stem.len() - last.len_utf8()];
    match decompose(last) {
        Some((_, _, RIEUL)) => format!("{stem} 것"),
        Some((_, _, 0)) => {
            let (initial, medial, _) = decompose(last).expect("a syllable");
            format!("{before}{} 것", compose(initial, medial, RIEUL))
        }
        Some(_) => format!("{stem}을 것"),
        None => format!("{stem} 할 것"),
    }
}

/// The stem of a plain declarative predicate (`측정한다`, `씻는다`, `알린다`,
/// `만든다`): `측정하`, `씻`, `알리`, `만드`. `None` for anything else.
pub fn stem_of_declarative(word: &str) -> Option<String> {
    let rest = word.strip_suffix('다')?;
    if let Some(stem) = rest.strip_suffix('는') {
        return (!stem.is_empty()).then(|| stem.to_string());
    }
    let last = rest.chars().next_back()?;
    let (initial, medial, last_final) = decompose(last)?;
    if last_final != NIEUN {
        return None;
    }
    Some(format!("{}{}", &rest[..rest.len() - last.len_utf8()], compose(initial, medial, 0)))
}

/// Whether `word` ends in `particle` (one syllable: 은 는 이 가 을 를) placed
/// as Korean places it: 은, 이, 을 after a consonant; 는, 가, 를 after a vowel.
/// `평가` does not end in the particle 가 (평 ends in a consonant); `평가가` does.
pub fn ends_with_particle(word: &str, particle: char) -> bool {
    let mut chars = word.chars().rev();
    if chars.next() != Some(particle) {
        return false;
    }
    let Some(previous) = chars.next() else { return false };
    let after_consonant = matches!(particle, '은' | '이' | '을');
    if is_syllable(previous) {
        has_final(previous) == after_consonant
    } else {
        previous.is_alphanumeric() && reads_with_final(previous) == after_consonant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_come_apart_and_back_together() {
        let (i, m, f) = decompose('한').unwrap();
        assert_eq!(compose(i, m, f), '한');
        assert_eq!(decompose('a'), None);
    }

    #[test]
    fn infinitive_forms_give_their_stems() {
        for (form, stem) in [
            ("측정해", "측정하"),
            ("측정하여", "측정하"),
            ("받아", "받"),
            ("만들어", "만들"),
            ("줄여", "줄이"),
            ("써", "쓰"),
            ("봐", "보"),
            ("돼", "되"),
            ("지켜", "지키"),
            ("가", "가"),
        ] {
            assert_eq!(stem_of_infinitive(form).as_deref(), Some(stem), "{form}");
        }
        assert_eq!(stem_of_infinitive("abc"), None);
    }

    #[test]
    fn the_future_form_follows_the_final_consonant() {
        assert_eq!(future("측정하"), "측정할 것");
        assert_eq!(future("받"), "받을 것");
        assert_eq!(future("만들"), "만들 것");
        assert_eq!(future("줄이"), "줄일 것");
    }

    #[test]
    fn declaratives_give_their_stems() {
        assert_eq!(stem_of_declarative("측정한다").as_deref(), Some("측정하"));
        assert_eq!(stem_of_declarative("씻는다").as_deref(), Some("씻"));
        assert_eq!(stem_of_declarative("알린다").as_deref(), Some("알리"));
        assert_eq!(stem_of_declarative("있다"), None);
    }

    #[test]
    fn particles_follow_how_the_word_is_read() {
        assert_eq!(object_particle("혈압"), "을");
        assert_eq!(object_particle("아스피린"), "을");
        assert_eq!(object_particle("메트포르민 용량"), "을");
        assert_eq!(object_particle("체중 감소"), "를");
        assert_eq!(object_particle("ARB"), "를");
        assert_eq!(object_particle("HbA1c"), "를");
        assert_eq!(object_particle("LDL"), "을");
        assert!(ends_with_particle("평가가", '가') && !ends_with_particle("평가", '가'));
        assert!(ends_with_particle("사용은", '은') && !ends_with_particle("나이", '이'));
    }
}

//! Korean recommendation sentences: which are recommendations, of what
//! kind, and the imperative checklist item each becomes.
//!
//! A Korean sentence's predicate is at its end, so the sentence is matched
//! by its ending (after list markers, the final full stop and trailing
//! grades such as `(권고등급 A, 근거수준 I)` are taken off), first match wins:
//!
//! | kind       | endings |
//! |------------|---------|
//! | `must_not` | `…서는 안 된다`, `…면 안 된다`, `…지 말아야 한다`, `…지 않아야 한다`, `…지 않도록 (해야) 한다`, `…하지 않는다`, `…지 말 것`, `권고/권장/추천되지 않는다`, `권고/권장/추천하지 않는다`, `바람직하지 않다`, `금지(한다/된다)`, `금기(이다)`, `피해야 한다`, `피한다` |
//! | `consider` | `고려한다`, `고려할 수 있다`, `고려해야 한다`, `고려해 볼 수 있다`, `고려된다`, `고려될 수 있다`, `고려할 것`, `고려함` |
//! | `must`     | `…야 한다` (`해야 한다`, `하여야 한다`, `받아야 한다` …), `…야 함`, `…야 된다`, `필요하다`, `필요함`, `필요가 있다`, and `반드시` with a plain declarative ending (`반드시 … 확인한다`) |
//! | `should`   | `권고한다`, `권고된다`, `권고함`, `권장한다`, `권장된다`, `권장함`, `추천한다`, `추천된다`, `바람직하다`, `바람직함` |
//!
//! Items end in the nominal imperative of Korean checklists, `…할 것` /
//! `…하지 말 것`:
//!
//! - A verb before the ending keeps its words and changes its ending:
//!   `혈압을 측정해야 한다` → `혈압을 측정할 것`; `약을 받아야 한다` → `약을 받을
//!   것`; `병용해서는 안 된다` → `병용하지 말 것`; `투여하지 않는다` → `투여하지 말
//!   것`; `…할 필요가 있다` → `…할 것`; `운동하는 것이 바람직하다` → `운동할 것`.
//! - A noun phrase before 권고/권장/필요/금지/금기 (its particle 은/는/이/가/을/를
//!   taken off) becomes the object of a verb:
//!   - ending in an action noun ([`ACTION_NOUNS`]: 측정, 사용, 투여, 병용 …) with
//!     words before it: those words become its object, `가정혈압 측정을 권고한다`
//!     → `가정혈압을 측정할 것`, `아스피린 사용은 권고되지 않는다` → `아스피린을
//!     사용하지 말 것` (a `의` before the noun becomes the object particle);
//!   - ending in a treatment or programme noun ([`TREATMENT_NOUNS`]: 치료,
//!     요법, 검사, 교육 …): `…을 시행할 것` / `…을 시행하지 말 것`;
//!   - an activity ([`ACTIVITY_NOUNS`]: 흡연, 음주, 운동 …): `흡연하지 말 것`, or
//!     with words before it `과도한 음주를 하지 말 것`, `규칙적인 운동을 할 것`;
//!   - anything else (drugs, devices): `…을 사용할 것` / `…을 사용하지 말 것`;
//!     after 필요, `…을 확인할 것`.
//! - 고려: `…을 고려할 것` (a subject particle 이/가 becomes 을/를).
//! - 피하다: `…을 피할 것`.
//!
//! A sentence the rules cannot reshape keeps its words and gets `…할 것`
//! only where its last word is a plain declarative; the kind is still
//! right, and nothing is added that the sentence does not say.

use crate::Kind;
use crate::hangul;

/// Nouns of actions done to something: with words before them, those words are their object.
pub const ACTION_NOUNS: &[&str] = &[
    "측정",
    "사용",
    "투여",
    "처방",
    "확인",
    "평가",
    "조절",
    "유지",
    "중단",
    "감량",
    "증량",
    "병용",
    "복용",
    "섭취",
    "제한",
    "관찰",
    "모니터링",
    "선별",
    "기록",
    "점검",
    "조정",
    "시작",
    "권유",
    "의뢰",
    "추적",
    "투약",
    "접종",
    "실시",
    "시행",
    "적용",
    "재평가",
    "검토",
    "변경",
    "추가",
    "교체",
    "보고",
];

/// Treatments, tests and programmes: they are carried out (`시행`).
pub const TREATMENT_NOUNS: &[&str] = &[
    "치료",
    "요법",
    "검사",
    "수술",
    "상담",
    "교육",
    "검진",
    "식이",
    "관리",
    "중재",
    "프로그램",
    "시술",
    "재활",
    "절제",
];

/// Things a patient does, with 하다 and no object (`흡연하다`, `운동하다`).
pub const ACTIVITY_NOUNS: &[&str] =
    &["흡연", "음주", "금연", "절주", "운동", "금식", "과식", "운전", "수유", "임신", "외출", "목욕", "사우나"];

/// Case particles after which no object particle is added (`환자에게 교육` stays as it is).
const CASE_PARTICLES: &[&str] =
    &["에게는", "에서는", "에게", "에서", "으로", "에는", "에", "로", "와", "과", "도", "만", "부터", "까지"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    /// The text before the ending is an 아/어 form: `측정해` + `야 한다`.
    Infinitive,
    /// The text before the ending is an 아/어 form, negated: `사용해` + `서는 안 된다`.
    InfinitiveNot,
    /// The text before the ending is a stem + 으: `사용하` + `면 안 된다`.
    ConditionalNot,
    /// The text before the ending is a verb stem: `먹` + `지 말아야 한다`.
    StemNot,
    /// The text before the ending is a verbal noun or a stem without its 하: `투여` + `하지 않는다`.
    HaNot,
    /// A noun phrase, recommended (`…을 권고한다`); the fallback verb.
    Noun(&'static str),
    /// A noun phrase, advised against.
    NounNot,
    /// Consider what comes before.
    Consider,
    /// Avoid what comes before.
    Avoid,
    /// `…할 필요가 있다`: the future form is already there.
    Need,
}

/// Endings, most specific first; the first whose text ends the sentence wins.
const ENDINGS: &[(&str, Kind, Shape)] = &[
    ("서는 안 된다", Kind::MustNot, Shape::InfinitiveNot),
    ("서는 안된다", Kind::MustNot, Shape::InfinitiveNot),
    ("서는 안 됨", Kind::MustNot, Shape::InfinitiveNot),
    ("면 안 된다", Kind::MustNot, Shape::ConditionalNot),
    ("면 안된다", Kind::MustNot, Shape::ConditionalNot),
    ("지 말아야 한다", Kind::MustNot, Shape::StemNot),
    ("지 말아야 함", Kind::MustNot, Shape::StemNot),
    ("지 않아야 한다", Kind::MustNot, Shape::StemNot),
    ("지 않도록 해야 한다", Kind::MustNot, Shape::StemNot),
    ("지 않도록 한다", Kind::MustNot, Shape::StemNot),
    ("지 말 것", Kind::MustNot, Shape::StemNot),
    ("권고되지 않는다", Kind::MustNot, Shape::NounNot),
    ("권장되지 않는다", Kind::MustNot, Shape::NounNot),
    ("추천되지 않는다", Kind::MustNot, Shape::NounNot),
    ("권고하지 않는다", Kind::MustNot, Shape::NounNot),
    ("권장하지 않는다", Kind::MustNot, Shape::NounNot),
    ("추천하지 않는다", Kind::MustNot, Shape::NounNot),
    ("바람직하지 않다", Kind::MustNot, Shape::NounNot),
    ("금지한다", Kind::MustNot, Shape::NounNot),
    ("금지된다", Kind::MustNot, Shape::NounNot),
    ("금지", Kind::MustNot, Shape::NounNot),
    ("금기이다", Kind::MustNot, Shape::NounNot),
    ("금기다", Kind::MustNot, Shape::NounNot),
    ("금기", Kind::MustNot, Shape::NounNot),
    ("하지 않는다", Kind::MustNot, Shape::HaNot),
    ("하지 않음", Kind::MustNot, Shape::HaNot),
    ("피해야 한다", Kind::MustNot, Shape::Avoid),
    ("피하여야 한다", Kind::MustNot, Shape::Avoid),
    ("피해야 함", Kind::MustNot, Shape::Avoid),
    ("피한다", Kind::MustNot, Shape::Avoid),
    ("피할 것", Kind::MustNot, Shape::Avoid),
    ("고려할 수 있다", Kind::Consider, Shape::Consider),
    ("고려할 수 있음", Kind::Consider, Shape::Consider),
    ("고려해 볼 수 있다", Kind::Consider, Shape::Consider),
    ("고려해야 한다", Kind::Consider, Shape::Consider),
    ("고려하여야 한다", Kind::Consider, Shape::Consider),
    ("고려될 수 있다", Kind::Consider, Shape::Consider),
    ("고려된다", Kind::Consider, Shape::Consider),
    ("고려한다", Kind::Consider, Shape::Consider),
    ("고려할 것", Kind::Consider, Shape::Consider),
    ("고려함", Kind::Consider, Shape::Consider),
    ("필요가 있다", Kind::Must, Shape::Need),
    ("필요하다", Kind::Must, Shape::Noun("확인")),
    ("필요함", Kind::Must, Shape::Noun("확인")),
    ("야 한다", Kind::Must, Shape::Infinitive),
    ("야 함", Kind::Must, Shape::Infinitive),
    ("야 된다", Kind::Must, Shape::Infinitive),
    ("권고한다", Kind::Should, Shape::Noun("사용")),
    ("권고된다", Kind::Should, Shape::Noun("사용")),
    ("권고함", Kind::Should, Shape::Noun("사용")),
    ("권장한다", Kind::Should, Shape::Noun("사용")),
    ("권장된다", Kind::Should, Shape::Noun("사용")),
    ("권장함", Kind::Should, Shape::Noun("사용")),
    ("추천한다", Kind::Should, Shape::Noun("사용")),
    ("추천된다", Kind::Should, Shape::Noun("사용")),
    ("바람직하다", Kind::Should, Shape::Noun("사용")),
    ("바람직함", Kind::Should, Shape::Noun("사용")),
];

/// The kind of recommendation `clause` (a cleaned sentence, see
/// [`crate::extract::clean`]) is, and its checklist item; `None` when it is
/// not a recommendation.
pub fn recommendation(clause: &str) -> Option<(Kind, String)> {
    for &(ending, kind, shape) in ENDINGS {
        if let Some(head) = clause.strip_suffix(ending) {
            if head.trim().is_empty() {
                continue;
            }
            return Some((kind, item(head, shape)));
        }
    }
    if clause.contains("반드시") {
        let (head, last) = clause.rsplit_once(' ').unwrap_or(("", clause));
        if let Some(stem) = hangul::stem_of_declarative(last) {
            return Some((Kind::Must, join(head, &hangul::future(&stem))));
        }
    }
    None
}

/// `head` and `tail` with one space between them (none when `head` is empty).
fn join(head: &str, tail: &str) -> String {
    let head = head.trim_end();
    if head.is_empty() { tail.to_string() } else { format!("{head} {tail}") }
}

/// The checklist item for a sentence whose ending (of `shape`) followed `head`.
fn item(head: &str, shape: Shape) -> String {
    match shape {
        Shape::Infinitive => {
            let (before, form) = last_word(head);
            match hangul::stem_of_infinitive(form) {
                Some(stem) => join(before, &hangul::future(&stem)),
                None => join(head, "할 것"),
            }
        }
        Shape::InfinitiveNot => {
            let (before, form) = last_word(head);
            match hangul::stem_of_infinitive(form) {
                Some(stem) => join(before, &format!("{stem}지 말 것")),
                None => join(head, "하지 말 것"),
            }
        }
        Shape::ConditionalNot => {
            let stem = head.strip_suffix('으').unwrap_or(head);
            format!("{stem}지 말 것")
        }
        Shape::StemNot => format!("{}지 말 것", head.trim_end()),
        Shape::HaNot => format!("{}하지 말 것", head.trim_end()),
        Shape::Need => {
            let head = head.trim_end();
            // `측정할 필요가 있다`, `받을 필요가 있다`: a future form (final ㄹ) is there already.
            let future =
                head.chars().next_back().and_then(hangul::decompose).is_some_and(|(_, _, f)| f == hangul::RIEUL);
            if future { format!("{head} 것") } else { noun_item(head, "확인", false) }
        }
        Shape::Noun(verb) => match adnominal_clause(head) {
            Some(stem) => hangul::future(&stem),
            None => noun_item(head, verb, false),
        },
        Shape::NounNot => match adnominal_clause(head) {
            Some(stem) => format!("{stem}지 말 것"),
            None => noun_item(head, "사용", true),
        },
        Shape::Consider => {
            let (before, word) = last_word(head);
            let word = swap_subject_particle(word);
            join(&join(before, &word), "고려할 것")
        }
        Shape::Avoid => join(head, "피할 것"),
    }
}

/// `head` split before its last word.
fn last_word(head: &str) -> (&str, &str) {
    let head = head.trim_end();
    head.rsplit_once(' ').unwrap_or(("", head))
}

/// `…운동하는 것이` / `…투여하는 것은`: the verb stem before `는 것`.
fn adnominal_clause(head: &str) -> Option<String> {
    let head = head.trim_end();
    let before = ["는 것이", "는 것은", "는 것을", "는 것"].iter().find_map(|p| head.strip_suffix(p))?;
    (!before.is_empty()).then(|| before.to_string())
}

/// A subject or topic particle (이/가/은/는) on `word` made the object particle.
fn swap_subject_particle(word: &str) -> String {
    for (subject, object) in [('이', "을"), ('은', "을"), ('가', "를"), ('는', "를")] {
        if hangul::ends_with_particle(word, subject) {
            return format!("{}{object}", &word[..word.len() - subject.len_utf8()]);
        }
    }
    word.to_string()
}

/// `word` without a particle 은/는/이/가/을/를 (placed as Korean places
/// them, so `평가` keeps its 가), and whether `의` was taken off instead.
fn without_particle(word: &str) -> (&str, bool) {
    for particle in ['은', '는', '이', '가', '을', '를'] {
        if hangul::ends_with_particle(word, particle) {
            return (&word[..word.len() - particle.len_utf8()], false);
        }
    }
    match word.strip_suffix('의') {
        Some(stripped) if !stripped.is_empty() => (stripped, true),
        _ => (word, false),
    }
}

/// The item for a noun phrase `head` (particle and all) that is
/// recommended, or advised against when `negative`; `verb` (an action noun)
/// when the phrase names no action of its own.
fn noun_item(head: &str, verb: &str, negative: bool) -> String {
    let ending = if negative { "하지 말 것" } else { "할 것" };
    let (before, word) = last_word(head);
    let (noun, _) = without_particle(word);
    if noun.is_empty() {
        return join(before, &format!("{verb}{ending}"));
    }
    if ACTION_NOUNS.contains(&noun) {
        if before.trim().is_empty() {
            return format!("{noun}{ending}");
        }
        let (object_before, object) = last_word(before);
        let (bare, was_genitive) = without_particle(object);
        // Adverbials (`정기적으로`, `매일`, `2회`) stay as they are; a noun gets the
        // object particle, replacing 은/는/이/가/의 (`아스피린 사용은` → `아스피린을 사용`).
        let adverbial = !was_genitive && (has_case_particle(object) || is_adverb(object));
        let object = if adverbial { object.to_string() } else { hangul::with_object_particle(bare) };
        return join(&join(object_before, &object), &format!("{noun}{ending}"));
    }
    let phrase = join(before, noun);
    if ACTIVITY_NOUNS.contains(&noun) {
        // `흡연하지 말 것`; with words before it, `과도한 음주를 하지 말 것`.
        return if before.trim().is_empty() {
            format!("{noun}{ending}")
        } else {
            format!("{} {ending}", hangul::with_object_particle(&phrase))
        };
    }
    if TREATMENT_NOUNS.iter().any(|t| noun.ends_with(t)) || ACTION_NOUNS.iter().any(|a| noun.ends_with(a)) {
        return format!("{} 시행{ending}", hangul::with_object_particle(&phrase));
    }
    format!("{} {verb}{ending}", hangul::with_object_particle(&phrase))
}

/// Words that modify the verb rather than name its object.
const ADVERBS: &[&str] = &[
    "매일",
    "매년",
    "매달",
    "매주",
    "자주",
    "함께",
    "반드시",
    "항상",
    "즉시",
    "모두",
    "계속",
    "우선",
    "먼저",
    "다시",
    "조기",
];

/// An adverb: listed, ending in 히 (`꾸준히`), or a number with its unit (`2회`, `5mg`).
fn is_adverb(word: &str) -> bool {
    ADVERBS.contains(&word) || word.ends_with('히') || word.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `word` ends in a case particle such as 에게 or 으로.
fn has_case_particle(word: &str) -> bool {
    CASE_PARTICLES.iter().any(|p| word.len() > p.len() && word.ends_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sentence: &str, kind: Kind, item: &str) {
        assert_eq!(recommendation(sentence), Some((kind, item.to_string())), "{sentence}");
    }

    #[test]
    fn must_endings_become_future_forms() {
        check("모든 환자에게 혈압을 측정해야 한다", Kind::Must, "모든 환자에게 혈압을 측정할 것");
        check("진료실 혈압은 2회 이상 측정하여야 한다", Kind::Must, "진료실 혈압은 2회 이상 측정할 것");
        check("환자는 정기적으로 교육을 받아야 한다", Kind::Must, "환자는 정기적으로 교육을 받을 것");
        check("염분 섭취를 하루 5 g 미만으로 줄여야 한다", Kind::Must, "염분 섭취를 하루 5 g 미만으로 줄일 것");
        check("혈당을 자주 측정할 필요가 있다", Kind::Must, "혈당을 자주 측정할 것");
    }

    #[test]
    fn prohibitions_become_do_not_items() {
        check("ACE 억제제와 ARB를 함께 사용해서는 안 된다", Kind::MustNot, "ACE 억제제와 ARB를 함께 사용하지 말 것");
        check("아스피린 사용은 권고되지 않는다", Kind::MustNot, "아스피린을 사용하지 말 것");
        check("임신부에게 ARB를 투여하지 않는다", Kind::MustNot, "임신부에게 ARB를 투여하지 말 것");
        check("ACE 억제제와 ARB의 병용은 금기이다", Kind::MustNot, "ACE 억제제와 ARB를 병용하지 말 것");
        check("과도한 음주를 피해야 한다", Kind::MustNot, "과도한 음주를 피할 것");
        check("일상적인 선별검사는 권장되지 않는다", Kind::MustNot, "일상적인 선별검사를 시행하지 말 것");
        check("공복 시 운동을 하면 안 된다", Kind::MustNot, "공복 시 운동을 하지 말 것");
        check("자몽 주스와 함께 먹으면 안 된다", Kind::MustNot, "자몽 주스와 함께 먹지 말 것");
        check("흡연은 금지", Kind::MustNot, "흡연하지 말 것");
        check("임신 중 과도한 음주는 금기이다", Kind::MustNot, "임신 중 과도한 음주를 하지 말 것");
        check("규칙적인 운동을 권고한다", Kind::Should, "규칙적인 운동을 할 것");
    }

    #[test]
    fn recommendations_name_the_action() {
        check(
            "경계 범위인 환자에게는 가정혈압 측정을 권고한다",
            Kind::Should,
            "경계 범위인 환자에게는 가정혈압을 측정할 것",
        );
        check("모든 환자에게 생활요법을 권고한다", Kind::Should, "모든 환자에게 생활요법을 시행할 것");
        check("메트포르민이 권고된다", Kind::Should, "메트포르민을 사용할 것");
        check("매일 30분 이상 운동하는 것이 바람직하다", Kind::Should, "매일 30분 이상 운동할 것");
        check("정기적인 안저검사가 필요하다", Kind::Must, "정기적인 안저검사를 시행할 것");
    }

    #[test]
    fn consider_endings_become_consider_items() {
        check(
            "목표 혈압을 130/80 mmHg 미만으로 고려할 수 있다",
            Kind::Consider,
            "목표 혈압을 130/80 mmHg 미만으로 고려할 것",
        );
        check("고위험군에서는 스타틴 치료가 고려된다", Kind::Consider, "고위험군에서는 스타틴 치료를 고려할 것");
    }

    #[test]
    fn adverbs_before_an_action_noun_are_not_made_objects() {
        check("정기적으로 측정을 권고한다", Kind::Should, "정기적으로 측정할 것");
        check("하루 2회 측정을 권고한다", Kind::Should, "하루 2회 측정할 것");
        check("음식을 먹지 말아야 한다", Kind::MustNot, "음식을 먹지 말 것");
    }

    #[test]
    fn a_must_with_bandeusi_and_a_plain_ending_is_a_must() {
        check("투약 전 반드시 신기능을 확인한다", Kind::Must, "투약 전 반드시 신기능을 확인할 것");
    }

    #[test]
    fn statements_are_not_recommendations() {
        for sentence in [
            "고혈압은 심뇌혈관질환의 가장 중요한 위험인자이다",
            "가정혈압은 진료실 혈압보다 낮다",
            "권고 등급은 세 가지이다",
        ] {
            assert_eq!(recommendation(sentence), None, "{sentence}");
        }
    }
}

//! English recommendation sentences: which are recommendations, of what
//! kind, and the imperative checklist item each becomes.
//!
//! **Which sentences.** A sentence (list marker, final full stop and
//! trailing grades such as `(Grade A)` taken off; questions never count) is
//! a recommendation when it
//!
//! - opens with an imperative: `Do not` / `Don't` / `Never` / `Avoid`
//!   (`must_not`), `Consider` (`consider`); or
//! - has a recommendation construction, the first in the sentence deciding:
//!   `may/can/could/should/must be considered`, `may/can/could consider`
//!   (`consider`); `should/must be avoided`, `is/are not recommended`,
//!   `recommend(s) against`, and `must`/`shall`/`should`/`need(s) to` followed by
//!   `not` or `never` (`must_not`); `must`, `shall`, `need(s) to`, `is/are
//!   required`, `it is required/essential/mandatory that` (`must`); `should`,
//!   `ought to`, `is/are (strongly) recommended`, `recommend(s) (that)`
//!   (`should`). A modal followed by `consider` is `consider`, by `avoid` `must_not`;
//! - or, failing those, has `recommended`/`recommend` (`should`), `required`
//!   (`must`; not `not required`, `if/as/when required`) or `consider`
//!   (`consider`) anywhere.
//!
//! `do not`, `never` and `avoid` inside a sentence (`patients who do not
//! respond`, `to avoid hypoglycaemia`) do not make it a recommendation: they
//! count only as an imperative or after a modal.
//!
//! **The item.** The words before the construction are its subject; a
//! leading phrase up to a comma (`In patients with CKD,`) is kept in front.
//!
//! - `X is/are recommended …` → `Offer X …`; `X is/are not recommended …` /
//!   `We recommend against X` → `Do not offer X …`; `We recommend X` → `Offer X`;
//!   `X is/are required …` → `Ensure X …`.
//! - `X may/should be considered …` → `Consider X …`; `X should be avoided …` → `Avoid X …`.
//! - `X must/should (not) be <participle> …` → `(Do not) <verb> X …` when the
//!   participle is one of [`VERBS`] (`HbA1c should be measured` → `Measure HbA1c`,
//!   `Sulfonylureas should not be used` → `Do not use sulfonylureas`), else
//!   `Ensure X is/are (not) …` (`is`/`are` by a plural heuristic on X's head noun).
//! - `<clinicians> must/should (not) <verb> …` → `(Do not / Never) <verb> …`: the
//!   subject is dropped when it is the guideline's reader ([`AGENTS`]: clinicians,
//!   physicians, we, …); any other subject stays: `Patients must receive …` →
//!   `Ensure patients receive …`, `Patients must not drive` → `Ensure patients do not drive`.
//! - `It is recommended that <clause>` → the clause by the same rules, or
//!   `Ensure <clause>` when it has no modal (`… that patients receive X` → `Ensure patients receive X`).
//! - An imperative stays as it is. Anything else: `Ensure that <sentence>`
//!   (`Consider: <sentence>` for `consider`).

use crate::Kind;

/// The guideline's readers: as a subject they are dropped (`Clinicians should measure` → `Measure`).
pub const AGENTS: &[&str] = &[
    "clinicians",
    "clinician",
    "physicians",
    "physician",
    "doctors",
    "doctor",
    "prescribers",
    "prescriber",
    "practitioners",
    "practitioner",
    "healthcare professionals",
    "health care professionals",
    "healthcare providers",
    "health care providers",
    "providers",
    "nurses",
    "care team",
    "care teams",
    "teams",
    "we",
    "you",
];

/// Verbs whose participles (`measured`) and gerunds (`measuring`) are turned
/// back into the imperative (`Measure`). Spelled as bases; the other forms
/// follow English's regular rules, with a few exceptions (`give`, `take`, `withhold`, `stop`, `refer`).
pub const VERBS: &[&str] = &[
    "add",
    "adjust",
    "administer",
    "advise",
    "assess",
    "check",
    "combine",
    "confirm",
    "continue",
    "counsel",
    "discontinue",
    "document",
    "encourage",
    "educate",
    "evaluate",
    "examine",
    "give",
    "increase",
    "individualise",
    "individualize",
    "initiate",
    "intensify",
    "limit",
    "maintain",
    "measure",
    "monitor",
    "obtain",
    "offer",
    "optimise",
    "optimize",
    "perform",
    "prescribe",
    "provide",
    "record",
    "reduce",
    "refer",
    "repeat",
    "restrict",
    "review",
    "screen",
    "start",
    "stop",
    "switch",
    "take",
    "test",
    "titrate",
    "treat",
    "use",
    "vaccinate",
    "withhold",
];

/// Verbs whose participle or gerund English does not form by rule: (base, participle, gerund).
const IRREGULAR: &[(&str, &str, &str)] = &[
    ("give", "given", "giving"),
    ("take", "taken", "taking"),
    ("withhold", "withheld", "withholding"),
    ("stop", "stopped", "stopping"),
    ("refer", "referred", "referring"),
];

/// The participle of a base verb.
fn participle(base: &str) -> String {
    if let Some(&(_, p, _)) = IRREGULAR.iter().find(|(b, _, _)| *b == base) {
        return p.to_string();
    }
    if base.ends_with('e') {
        format!("{base}d")
    } else if let Some(stem) = base.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ied")
    } else {
        format!("{base}ed")
    }
}

/// The gerund of a base verb.
fn gerund(base: &str) -> String {
    if let Some(&(_, _, g)) = IRREGULAR.iter().find(|(b, _, _)| *b == base) {
        return g.to_string();
    }
    match base.strip_suffix('e') {
        Some(stem) if !stem.ends_with('e') => format!("{stem}ing"),
        _ => format!("{base}ing"),
    }
}

/// The third person singular of a verb (`receive` → `receives`, `have` → `has`).
fn third_person(verb: &str) -> String {
    if verb == "have" {
        return "has".into();
    }
    if verb.ends_with(['s', 'x', 'z', 'o']) || verb.ends_with("sh") || verb.ends_with("ch") {
        format!("{verb}es")
    } else if let Some(stem) = verb.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{verb}s")
    }
}

/// The base of a participle or gerund of one of [`VERBS`].
fn base_of(word: &str) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    VERBS.iter().copied().find(|&base| participle(base) == word || gerund(base) == word)
}

/// What follows the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Construction {
    ConsiderPassive,
    ModalConsider,
    AvoidPassive,
    NotRecommended,
    Recommended,
    Required,
    /// A modal verb of this kind; what follows says whether it is negated.
    Modal(Kind),
}

const CONSTRUCTIONS: &[(&str, Construction)] = &[
    ("may be considered", Construction::ConsiderPassive),
    ("can be considered", Construction::ConsiderPassive),
    ("could be considered", Construction::ConsiderPassive),
    ("should be considered", Construction::ConsiderPassive),
    ("must be considered", Construction::ConsiderPassive),
    ("may consider", Construction::ModalConsider),
    ("can consider", Construction::ModalConsider),
    ("could consider", Construction::ModalConsider),
    ("should be avoided", Construction::AvoidPassive),
    ("must be avoided", Construction::AvoidPassive),
    ("is not recommended", Construction::NotRecommended),
    ("are not recommended", Construction::NotRecommended),
    ("is strongly recommended", Construction::Recommended),
    ("are strongly recommended", Construction::Recommended),
    ("is recommended", Construction::Recommended),
    ("are recommended", Construction::Recommended),
    ("is required", Construction::Required),
    ("are required", Construction::Required),
    ("mustn't", Construction::Modal(Kind::MustNot)),
    ("shouldn't", Construction::Modal(Kind::MustNot)),
    ("must", Construction::Modal(Kind::Must)),
    ("shall", Construction::Modal(Kind::Must)),
    ("needs to", Construction::Modal(Kind::Must)),
    ("need to", Construction::Modal(Kind::Must)),
    ("should", Construction::Modal(Kind::Should)),
    ("ought to", Construction::Modal(Kind::Should)),
];

/// Imperative openings, kept as they are.
const IMPERATIVES: [(&str, Kind); 5] = [
    ("do not ", Kind::MustNot),
    ("don't ", Kind::MustNot),
    ("never ", Kind::MustNot),
    ("avoid ", Kind::MustNot),
    ("consider ", Kind::Consider),
];

/// Lead-ins whose `that`-clause is the recommendation, with the kind they give a clause without a modal.
const THAT_LEAD_INS: &[(&str, Kind)] = &[
    ("it is strongly recommended that ", Kind::Should),
    ("it is recommended that ", Kind::Should),
    ("it is required that ", Kind::Must),
    ("it is essential that ", Kind::Must),
    ("it is mandatory that ", Kind::Must),
];

/// Byte offsets where `phrase` occurs in `lower` as whole words.
fn find_words(lower: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = lower[from..].find(phrase) {
        let at = from + found;
        let end = at + phrase.len();
        let before_ok = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after_ok = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
        while !lower.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// The kind of recommendation `clause` (a cleaned sentence, see
/// [`crate::extract::clean`]) is, and its checklist item; `None` when it is
/// not a recommendation.
pub fn recommendation(clause: &str) -> Option<(Kind, String)> {
    if clause.ends_with('?') || clause.is_empty() {
        return None;
    }
    let lower = clause.to_ascii_lowercase();
    for (opening, kind) in IMPERATIVES {
        if lower.starts_with(opening) {
            return Some((kind, capitalised(clause)));
        }
    }
    for &(lead_in, kind) in THAT_LEAD_INS {
        if let Some(rest) = lower.strip_prefix(lead_in) {
            let rest = &clause[clause.len() - rest.len()..];
            return Some(with_construction(rest).unwrap_or_else(|| (kind, subjunctive(rest))));
        }
    }
    if let Some(found) = recommends(clause, &lower) {
        return Some(found);
    }
    if let Some(found) = with_construction(clause) {
        return Some(found);
    }
    fallback(clause, &lower)
}

/// `We recommend (that) …`, `The panel recommends against …`: a short
/// recommender (up to six words, no modal) before `recommend(s)`.
fn recommends(clause: &str, lower: &str) -> Option<(Kind, String)> {
    let (at, verb) = ["recommends", "recommend"].iter().find_map(|v| find_words(lower, v).map(|at| (at, *v)))?;
    let recommender = &lower[..at];
    if recommender.split_whitespace().count() > 6
        || CONSTRUCTIONS.iter().any(|(c, _)| find_words(recommender, c).is_some())
    {
        return None;
    }
    let rest = clause[at + verb.len()..].trim_start();
    let rest_lower = rest.to_ascii_lowercase();
    if let Some(that) = rest_lower.strip_prefix("that ") {
        let clause = &rest[rest.len() - that.len()..];
        return Some(with_construction(clause).unwrap_or_else(|| (Kind::Should, subjunctive(clause))));
    }
    if let Some(against) = rest_lower.strip_prefix("against ") {
        let object = &rest[rest.len() - against.len()..];
        return Some((Kind::MustNot, format!("Do not offer {}", object_phrase(object))));
    }
    Some((Kind::Should, verb_phrase_or_offer(rest)))
}

/// `measuring HbA1c …` → `Measure HbA1c …`; a noun phrase → `Offer …`.
fn verb_phrase_or_offer(rest: &str) -> String {
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    match base_of(first) {
        Some(base) if first.to_ascii_lowercase().ends_with("ing") => capitalised(&join(base, after)),
        _ => format!("Offer {}", object_phrase(rest)),
    }
}

/// A `that`-clause without a modal: `patients receive X` → `Ensure patients
/// receive X`; `clinicians assess X` → `Assess X`.
fn subjunctive(clause: &str) -> String {
    let lower = clause.to_ascii_lowercase();
    for agent in AGENTS {
        for determiner in ["", "the ", "all "] {
            let prefix = format!("{determiner}{agent} ");
            if lower.starts_with(&prefix) {
                return capitalised(&clause[prefix.len()..]);
            }
        }
    }
    format!("Ensure {}", object_phrase(clause))
}

/// The first recommendation construction in `clause`, and the item it makes.
fn with_construction(clause: &str) -> Option<(Kind, String)> {
    let lower = clause.to_ascii_lowercase();
    let (at, phrase, construction) = CONSTRUCTIONS
        .iter()
        .filter_map(|&(phrase, construction)| find_words(&lower, phrase).map(|at| (at, phrase, construction)))
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())))?;
    let (context, subject) = split_context(clause[..at].trim());
    let rest = clause[at + phrase.len()..].trim();
    let (kind, imperative) = match construction {
        Construction::ConsiderPassive => (Kind::Consider, join(&format!("Consider {}", object_phrase(subject)), rest)),
        Construction::ModalConsider => (Kind::Consider, join("Consider", rest)),
        Construction::AvoidPassive => (Kind::MustNot, join(&format!("Avoid {}", object_phrase(subject)), rest)),
        Construction::NotRecommended => {
            (Kind::MustNot, join(&format!("Do not offer {}", object_phrase(subject)), rest))
        }
        Construction::Recommended => (Kind::Should, join(&format!("Offer {}", object_phrase(subject)), rest)),
        Construction::Required => (Kind::Must, join(&format!("Ensure {}", object_phrase(subject)), rest)),
        Construction::Modal(kind) => modal(kind, subject, rest)?,
    };
    let nominal = !matches!(construction, Construction::Modal(_) | Construction::ModalConsider);
    // `No dose adjustment is required`: a statement that something is not needed.
    if nominal && (subject.is_empty() || subject.to_ascii_lowercase().starts_with("no ")) {
        return None;
    }
    Some((kind, with_context(context, &imperative)))
}

/// After a modal of `kind`: `rest` is `(not|never) (be <participle> | <verb>) …`.
fn modal(kind: Kind, subject: &str, rest: &str) -> Option<(Kind, String)> {
    let lower = rest.to_ascii_lowercase();
    let (negation, rest) = if kind == Kind::MustNot {
        (Some("not"), rest)
    } else if let Some(after) = lower.strip_prefix("not ") {
        (Some("not"), &rest[rest.len() - after.len()..])
    } else if let Some(after) = lower.strip_prefix("never ") {
        (Some("never"), &rest[rest.len() - after.len()..])
    } else {
        (None, rest)
    };
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    if first.is_empty() {
        return None;
    }
    let first_lower = first.to_ascii_lowercase();
    let kind = match (negation, first_lower.as_str()) {
        (Some(_), _) | (None, "avoid") => Kind::MustNot,
        (None, "consider") => Kind::Consider,
        _ => kind,
    };
    let agent = is_agent(subject);
    if first_lower == "be" {
        // Passive or copula: `X should (not) be measured …`.
        let (adverb, participle_word, remainder) = adverb_and_word(after);
        if let Some(base) = base_of(participle_word).filter(|_| !subject.is_empty() && !agent) {
            let negated = match negation {
                Some("never") => "Never ",
                Some(_) => "Do not ",
                None => "",
            };
            let verb = join(&adverb.map(|a| format!("{a} ")).unwrap_or_default(), base);
            let item = join(&format!("{negated}{verb} {}", object_phrase(subject)), remainder);
            return Some((kind, capitalised(&item)));
        }
        let copula = if is_plural(subject) { "are" } else { "is" };
        let negated = negation.map(|n| format!(" {n}")).unwrap_or_default();
        if subject.is_empty() || agent {
            return Some((kind, format!("Ensure that it is{negated} {after}")));
        }
        return Some((kind, join(&format!("Ensure {} {copula}{negated}", object_phrase(subject)), after)));
    }
    if subject.is_empty() || agent {
        let negated = match negation {
            Some("never") => "Never ",
            Some(_) => "Do not ",
            None => "",
        };
        let item = if negated.is_empty() { capitalised(rest) } else { format!("{negated}{}", decapitalised(rest)) };
        return Some((kind, item));
    }
    let plural = is_plural(subject);
    let verb_phrase = match negation {
        Some("never") => format!("never {}", join(&agree(&first_lower, first, plural), after)),
        Some(_) => format!("{} not {rest}", if plural { "do" } else { "does" }),
        None => join(&agree(&first_lower, first, plural), after),
    };
    Some((kind, format!("Ensure {} {verb_phrase}", object_phrase(subject))))
}

/// `first` (lower case `lower`) agreeing with a plural or singular subject.
fn agree(lower: &str, first: &str, plural: bool) -> String {
    if plural { first.to_string() } else { third_person(lower) }
}

/// An optional `-ly` adverb, the word after it, and the rest.
fn adverb_and_word(text: &str) -> (Option<&str>, &str, &str) {
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    if first.len() > 3 && first.to_ascii_lowercase().ends_with("ly") {
        let (second, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if base_of(second).is_some() {
            return (Some(first), second, rest);
        }
    }
    (None, first, rest)
}

/// A subject is a reader of the guideline ([`AGENTS`]), perhaps with
/// determiners and modifiers before it (`All primary care clinicians`).
fn is_agent(subject: &str) -> bool {
    let lower = subject.to_ascii_lowercase();
    AGENTS.iter().any(|agent| lower == *agent || lower.ends_with(&format!(" {agent}")))
}

/// A plural heuristic on the subject's head noun (its last word before a
/// preposition or relative pronoun): plural when it ends in `s` but not
/// `ss`/`us`/`is`, is an irregular plural, or the subject joins two nouns with `and`.
fn is_plural(subject: &str) -> bool {
    let lower = subject.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let cut = words
        .iter()
        .position(|w| matches!(*w, "of" | "in" | "with" | "for" | "from" | "on" | "at" | "who" | "that" | "which"))
        .unwrap_or(words.len());
    let head_words = &words[..cut];
    if head_words.contains(&"and") {
        return true;
    }
    let Some(head) = head_words.last() else { return false };
    let head = head.trim_matches(|c: char| !c.is_alphanumeric());
    matches!(head, "people" | "children" | "women" | "men" | "data" | "feet")
        || (head.ends_with('s') && !head.ends_with("ss") && !head.ends_with("us") && !head.ends_with("is"))
}

/// A leading phrase up to the subject's last comma (`In patients with CKD,`) and the subject after it.
fn split_context(subject: &str) -> (&str, &str) {
    match subject.rfind(',') {
        Some(at) => (subject[..=at].trim(), subject[at + 1..].trim()),
        None => ("", subject),
    }
}

fn with_context(context: &str, imperative: &str) -> String {
    if context.is_empty() { capitalised(imperative) } else { format!("{context} {}", decapitalised(imperative)) }
}

/// No construction, but a recommendation word: kept as said, prefixed.
fn fallback(clause: &str, lower: &str) -> Option<(Kind, String)> {
    if lower.starts_with("no ") {
        return None;
    }
    let required = find_words(lower, "required").is_some()
        && !["not required", "if required", "as required", "when required"].iter().any(|p| lower.contains(p));
    let kind = if find_words(lower, "consider").is_some() {
        Kind::Consider
    } else if required {
        Kind::Must
    } else if ["recommended", "recommend", "recommends"].iter().any(|w| find_words(lower, w).is_some()) {
        Kind::Should
    } else {
        return None;
    };
    let item = match kind {
        Kind::Consider => format!("Consider: {clause}"),
        _ => format!("Ensure that {}", decapitalised(clause)),
    };
    Some((kind, item))
}

/// `a` and `b` with one space between them (none when either is empty).
fn join(a: &str, b: &str) -> String {
    match (a.trim_end(), b.trim_start()) {
        ("", b) => b.to_string(),
        (a, "") => a.to_string(),
        (a, b) => format!("{a} {b}"),
    }
}

/// A subject as the object of the item's verb: its first word lowercased
/// when it is an ordinary capitalised word (`Metformin` → `metformin`; `HbA1c`, `SGLT2` stay).
fn object_phrase(subject: &str) -> String {
    decapitalised(subject.trim())
}

/// The first word in lower case if it is `[A-Z][a-z]+` or the article `A`.
fn decapitalised(text: &str) -> String {
    let first = text.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    let ordinary = (first.len() > 1 || first == "A")
        && first.starts_with(|c: char| c.is_ascii_uppercase())
        && first[1..].chars().all(|c| c.is_ascii_lowercase());
    if ordinary { format!("{}{}", first.to_ascii_lowercase(), &text[first.len()..]) } else { text.to_string() }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sentence: &str, kind: Kind, item: &str) {
        assert_eq!(recommendation(sentence), Some((kind, item.to_string())), "{sentence}");
    }

    #[test]
    fn verb_forms_follow_the_rules_and_their_exceptions() {
        assert_eq!((participle("measure"), gerund("measure")), ("measured".into(), "measuring".into()));
        assert_eq!((participle("stop"), participle("intensify")), ("stopped".into(), "intensified".into()));
        assert_eq!(
            (third_person("receive"), third_person("avoid"), third_person("reach")),
            ("receives".into(), "avoids".into(), "reaches".into())
        );
        assert_eq!(base_of("Used"), Some("use"));
        assert_eq!(base_of("withheld"), Some("withhold"));
    }

    #[test]
    fn passives_with_a_known_verb_become_that_verb() {
        check(
            "HbA1c should be measured every 3 to 6 months in all adults",
            Kind::Should,
            "Measure HbA1c every 3 to 6 months in all adults",
        );
        check(
            "Sulfonylureas should not be used in patients with a history of severe hypoglycaemia",
            Kind::MustNot,
            "Do not use sulfonylureas in patients with a history of severe hypoglycaemia",
        );
        check(
            "Blood pressure must be routinely checked at every visit",
            Kind::Must,
            "Routinely check blood pressure at every visit",
        );
    }

    #[test]
    fn other_passives_and_copulas_become_ensure_items() {
        check("Targets must be below 7%", Kind::Must, "Ensure targets are below 7%");
        check("The dose should be kept low", Kind::Should, "Ensure the dose is kept low");
    }

    #[test]
    fn readers_as_subjects_are_dropped_and_others_kept() {
        check(
            "Clinicians should individualise HbA1c targets according to the risk of hypoglycaemia",
            Kind::Should,
            "Individualise HbA1c targets according to the risk of hypoglycaemia",
        );
        check(
            "Patients must receive structured education at diagnosis",
            Kind::Must,
            "Ensure patients receive structured education at diagnosis",
        );
        check("The patient should avoid alcohol", Kind::MustNot, "Ensure the patient avoids alcohol");
        check(
            "Patients must not drive after a severe hypo",
            Kind::MustNot,
            "Ensure patients do not drive after a severe hypo",
        );
        check(
            "Physicians should never prescribe two ACE inhibitors",
            Kind::MustNot,
            "Never prescribe two ACE inhibitors",
        );
        check("We should consider insulin early", Kind::Consider, "Consider insulin early");
    }

    #[test]
    fn recommended_considered_and_avoided_passives() {
        check(
            "Metformin is recommended as first-line drug therapy unless it is contraindicated",
            Kind::Should,
            "Offer metformin as first-line drug therapy unless it is contraindicated",
        );
        check(
            "Aspirin is not recommended for primary prevention",
            Kind::MustNot,
            "Do not offer aspirin for primary prevention",
        );
        check(
            "An SGLT2 inhibitor may be considered in patients with heart failure",
            Kind::Consider,
            "Consider an SGLT2 inhibitor in patients with heart failure",
        );
        check("Alcohol should be avoided during pregnancy", Kind::MustNot, "Avoid alcohol during pregnancy");
        check("A baseline ECG is required before starting", Kind::Must, "Ensure a baseline ECG before starting");
    }

    #[test]
    fn lead_ins_and_recommenders_are_taken_off() {
        check("It is recommended that patients receive statins", Kind::Should, "Ensure patients receive statins");
        check("It is recommended that HbA1c should be measured yearly", Kind::Should, "Measure HbA1c yearly");
        check("We recommend metformin as first-line therapy", Kind::Should, "Offer metformin as first-line therapy");
        check("The panel recommends against routine screening", Kind::MustNot, "Do not offer routine screening");
        check("We recommend measuring HbA1c twice a year", Kind::Should, "Measure HbA1c twice a year");
    }

    #[test]
    fn a_leading_phrase_stays_in_front() {
        check(
            "In patients with CKD, metformin should be reduced to half the dose",
            Kind::Should,
            "In patients with CKD, reduce metformin to half the dose",
        );
    }

    #[test]
    fn imperatives_stay_as_they_are() {
        check(
            "Do not stop metformin solely because of age",
            Kind::MustNot,
            "Do not stop metformin solely because of age",
        );
        check("Consider referral to a dietitian", Kind::Consider, "Consider referral to a dietitian");
        check("Avoid NSAIDs", Kind::MustNot, "Avoid NSAIDs");
    }

    #[test]
    fn statements_and_inner_negations_are_not_recommendations() {
        for sentence in [
            "Type 2 diabetes is a progressive disease that requires regular review",
            "Many patients do not reach their target",
            "Doses are titrated slowly to avoid hypoglycaemia",
            "No dose adjustment is required in mild disease",
            "Should insulin be started?",
        ] {
            assert_eq!(recommendation(sentence), None, "{sentence}");
        }
    }
}

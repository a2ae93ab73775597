//! The checklist without a model: the guideline's recommendation sentences,
//! each made an imperative item by the rules of its language ([`korean`]
//! for sentences with Hangul, [`english`] for the rest).
//!
//! 1. [`textrank::split`] cuts the text into sentences (line breaks end
//!    sentences, so list items are sentences of their own).
//! 2. Each sentence is [cleaned](clean): list marker, final full stop and
//!    trailing grades (`(Grade A)`, `[I, A]`, `(권고등급 A, 근거수준 I)`) taken off.
//! 3. The language's rules say whether it is a recommendation, its kind and its item.
//! 4. Items saying the same thing (same letters and digits, case ignored)
//!    are kept once, the first time; order is the document's.
//!
//! Nothing is added that the sentence does not say: a sentence that is no
//! recommendation gives no item.

use crate::{Item, Kind, english, korean};

/// The recommendation items of `text`, in document order, each once; an
/// item's `source` is its sentence as written, without a list marker.
pub fn extract(text: &str) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for sentence in textrank::split(text) {
        let clause = clean(sentence.text);
        let found = if clause.chars().any(is_hangul) {
            korean::recommendation(&clause)
        } else {
            english::recommendation(&clause)
        };
        let Some((kind, item)) = found else { continue };
        let item = item.trim().trim_end_matches(['.', '。']).trim().to_string();
        let key = dedup_key(&item);
        if item.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        items.push(Item { item, source: without_marker(sentence.text).to_string(), kind });
    }
    items
}

/// At most `max` items: all when they fit; else `must` and `must_not` first,
/// then `should`, then `consider`, earlier before later within a kind, put
/// back in document order.
pub fn cap(items: Vec<Item>, max: usize) -> Vec<Item> {
    if items.len() <= max {
        return items;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (priority(items[i].kind), i));
    order.truncate(max);
    order.sort_unstable();
    let mut keep = vec![false; items.len()];
    for i in order {
        keep[i] = true;
    }
    items.into_iter().zip(keep).filter_map(|(item, kept)| kept.then_some(item)).collect()
}

fn priority(kind: Kind) -> u8 {
    match kind {
        Kind::Must | Kind::MustNot => 0,
        Kind::Should => 1,
        Kind::Consider => 2,
    }
}

/// Letters and digits, lower case: two items with the same are the same item.
pub fn dedup_key(item: &str) -> String {
    item.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Bullets that open a list item.
const BULLETS: &[char] = &['-', '•', '·', '*', '▪', '○', '●', '■', '□', '◦', '‣', '–', '—', '►', '▶', '✓', '✔'];

/// The sentence as the rules read it: without its list marker (`-`, `•`,
/// `1.`, `1)`, `(1)`, `가.`, `a)`, `①`, `ㅇ `), its final `.`/`。`/`;`, and
/// trailing groups in brackets that grade it (naming a grade, level or evidence, or a short code such as `A`, `I, A`, `1A`).
pub fn clean(sentence: &str) -> String {
    let mut text = without_marker(sentence);
    loop {
        let before = text.len();
        text = text.trim_end().trim_end_matches(['.', '。', ';', ':']).trim_end();
        if let Some(open) = trailing_group(text)
            && is_grade(&text[open + 1..text.len() - 1])
        {
            text = &text[..open];
        }
        if text.len() == before {
            break;
        }
    }
    text.to_string()
}

/// The sentence without its list marker (`- `, `1. `, `가) `, …), as an item's `source`.
pub fn without_marker(sentence: &str) -> &str {
    let mut text = sentence.trim();
    loop {
        let before = text.len();
        text = strip_marker(text).trim_start();
        if text.len() == before {
            return text;
        }
    }
}

fn strip_marker(text: &str) -> &str {
    let Some(first) = text.chars().next() else { return text };
    let rest = &text[first.len_utf8()..];
    let spaced = |rest: &str| rest.is_empty() || rest.starts_with(char::is_whitespace);
    if BULLETS.contains(&first) && !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return rest;
    }
    if ('\u{2460}'..='\u{2473}').contains(&first) || (first == 'ㅇ' && spaced(rest)) {
        return rest;
    }
    if first == '(' {
        if let Some((label, after)) = rest.split_once(')')
            && (1..=2).contains(&label.chars().count())
            && label.chars().all(|c| c.is_ascii_digit() || is_hangul(c) || c.is_ascii_lowercase())
            && spaced(after)
        {
            return after;
        }
        return text;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let label = if (1..=2).contains(&digits) {
        digits
    } else if is_hangul(first) || first.is_ascii_lowercase() {
        first.len_utf8()
    } else {
        0
    };
    if label > 0 {
        let after = &text[label..];
        if let Some(after) = after.strip_prefix(['.', ')'])
            && spaced(after)
        {
            return after;
        }
    }
    text
}

/// Where the bracketed group ending `text` opens (`(`…`)` or `[`…`]`, not nested).
fn trailing_group(text: &str) -> Option<usize> {
    let close = text.chars().next_back()?;
    let open = match close {
        ')' => '(',
        ']' => '[',
        '）' => '（',
        _ => return None,
    };
    text.rfind(open)
}

/// A grade rather than content: it names a grade, level or evidence, or it
/// is a short code of capitals, Roman numerals and digits (`A`, `I, A`, `1A`, `IIb`).
fn is_grade(inside: &str) -> bool {
    let lower = inside.to_lowercase();
    let named =
        ["grade", "level", "evidence", "recommendation", "등급", "근거", "권고"].iter().any(|w| lower.contains(w));
    let code = !inside.trim().is_empty()
        && inside.chars().count() <= 8
        && inside.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || " ,;/+-ab".contains(c));
    named || code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_full_stops_and_grades_are_cleaned_off() {
        assert_eq!(clean("1. 혈압을 측정해야 한다. (권고등급 A, 근거수준 I)"), "혈압을 측정해야 한다");
        assert_eq!(clean("- Measure HbA1c yearly [A]."), "Measure HbA1c yearly");
        assert_eq!(clean("(2) Offer statins (Grade B)"), "Offer statins");
        assert_eq!(clean("• 가. 금연을 권고한다(I, A)."), "금연을 권고한다");
        assert_eq!(clean("Measure glycated haemoglobin (HbA1c)."), "Measure glycated haemoglobin (HbA1c)");
        assert_eq!(clean("-3% change is expected"), "-3% change is expected");
    }

    #[test]
    fn over_the_cap_musts_come_first_and_order_stays() {
        let item = |name: &str, kind| Item { item: name.into(), source: name.into(), kind };
        let items = vec![
            item("a", Kind::Consider),
            item("b", Kind::Should),
            item("c", Kind::Must),
            item("d", Kind::MustNot),
            item("e", Kind::Should),
        ];
        let names = |items: Vec<Item>| items.into_iter().map(|i| i.item).collect::<Vec<_>>();
        assert_eq!(names(cap(items.clone(), 3)), ["b", "c", "d"]);
        assert_eq!(names(cap(items, 9)), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn the_same_item_twice_is_kept_once() {
        let items = extract("혈압을 측정해야 한다. 혈압을 측정하여야 한다.");
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].source, "혈압을 측정해야 한다.");
    }
}

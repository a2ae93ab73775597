//! Check digits, computed rather than guessed, so that every labelled number
//! that has one in real life also has a valid one here.

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// The Luhn check digit for `body` (all digits but the last).
pub fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = digits(body)
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 0 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
pub fn luhn_valid(number: &str) -> bool {
    let d = digits(number);
    let Some((&last, body)) = d.split_last() else { return false };
    let body: String = body.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
    luhn_digit(&body) == last
}

/// A card number: `body` (the first 15 digits of a 16-digit card, or 14 of an
/// AmEx) plus its Luhn digit, grouped by `groups` and joined with `sep`.
pub fn card(body: &str, groups: &[usize], sep: &str) -> String {
    let full = format!("{body}{}", luhn_digit(body));
    group(&full, groups, sep)
}

fn group(digits: &str, groups: &[usize], sep: &str) -> String {
    assert_eq!(groups.iter().sum::<usize>(), digits.len(), "groups must cover {digits}");
    let mut out = Vec::new();
    let mut rest = digits;
    for &g in groups {
        let (head, tail) = rest.split_at(g);
        out.push(head);
        rest = tail;
    }
    out.join(sep)
}

const REGISTRATION_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

fn weighted(first12: &str) -> u32 {
    let d = digits(first12);
    assert_eq!(d.len(), 12, "{first12} must have 12 digits");
    d.iter().zip(REGISTRATION_WEIGHTS).map(|(d, w)| d * w).sum()
}

/// Resident registration number check digit (numbers issued before October 2020):
/// `(11 - Σ dᵢwᵢ mod 11) mod 10` with weights 2..9,2..5.
pub fn rrn_digit(first12: &str) -> u32 {
    (11 - weighted(first12) % 11) % 10
}

/// Foreigner registration number check digit (issued before October 2020):
/// `(13 - Σ dᵢwᵢ mod 11) mod 10`, same weights as the RRN.
pub fn frn_digit(first12: &str) -> u32 {
    (13 - weighted(first12) % 11) % 10
}

/// `YYMMDD-GSSSSSC`: birth date, gender/century digit, five serial digits, check digit.
pub fn rrn(birth: &str, gender: u32, serial: &str) -> String {
    let first12 = format!("{birth}{gender}{serial}");
    format!("{birth}-{gender}{serial}{}", rrn_digit(&first12))
}

/// Foreigner number: gender digit 5–8; `serial` is the 2-digit (even) office code,
/// 2-digit serial and a registrant-type digit (6–9).
pub fn frn(birth: &str, gender: u32, serial: &str) -> String {
    assert!((5..=8).contains(&gender), "foreigner gender digits are 5-8");
    let first12 = format!("{birth}{gender}{serial}");
    format!("{birth}-{gender}{serial}{}", frn_digit(&first12))
}

/// Korean corporate registration number (법인등록번호, `NNNNNN-NNNNNNC`):
/// weights 1,2 alternating, check `(10 - Σ mod 10) mod 10`. A look-alike of the RRN.
pub fn corporate_number(first12: &str) -> String {
    let d = digits(first12);
    assert_eq!(d.len(), 12);
    let sum: u32 = d.iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { d * 2 }).sum();
    let check = (10 - sum % 10) % 10;
    format!("{}-{}{check}", &first12[..6], &first12[6..])
}

/// EAN-13 / ISBN-13 check digit for the first 12 digits (weights 1,3 alternating).
pub fn ean13_digit(first12: &str) -> u32 {
    let sum: u32 = digits(first12).iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 }).sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_digit_matches_the_well_known_visa_test_number() {
        assert_eq!(luhn_digit("411111111111111"), 1);
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
    }

    #[test]
    fn generated_cards_pass_luhn_and_keep_their_grouping() {
        let c = card("37828224631000", &[4, 6, 5], " ");
        assert_eq!(c, "3782 822463 10005");
        assert!(luhn_valid(&card("941012345678901", &[4, 4, 4, 4], "-")));
    }

    #[test]
    fn rrn_digit_follows_the_published_weighting() {
        // 800101-100001?: Σ = 8·2 + 1·5 + 1·7 + 1·8 + 1·5 = 41, 41 mod 11 = 8 → (11 − 8) mod 10 = 3.
        assert_eq!(rrn_digit("800101100001"), 3);
        assert_eq!(rrn("800101", 1, "00001"), "800101-1000013");
    }

    #[test]
    fn frn_digit_is_the_rrn_sum_offset_by_two() {
        // Σ mod 11 = 8 as above → (13 − 8) mod 10 = 5.
        assert_eq!(frn_digit("800101100001"), 5);
    }

    #[test]
    fn ean13_digit_matches_a_published_isbn() {
        // ISBN 978-0-306-40615-7 (the usual worked example).
        assert_eq!(ean13_digit("978030640615"), 7);
    }
}

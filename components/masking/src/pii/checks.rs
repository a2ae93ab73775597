//! Check-digit and calendar validation for numeric identifiers.

pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Birth century encoded by the 7th digit of a resident/foreigner number.
pub(crate) fn century(gender_digit: u8) -> u32 {
    match gender_digit {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => 1800,
    }
}

pub(crate) fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// The pre-October-2020 check digit; foreigner numbers use a +2 offset.
pub(crate) fn registration_checksum(digits: &[u8]) -> bool {
    if digits.len() != 13 {
        return false;
    }
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(&d, w)| u32::from(d) * w).sum();
    let offset = if (5..=8).contains(&digits[6]) { 13 } else { 11 };
    (offset - sum % 11) % 10 == u32::from(digits[12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_test_visa() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    }

    #[test]
    fn luhn_rejects_off_by_one() {
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }

    #[test]
    fn leap_day_depends_on_year() {
        assert!(valid_date(2000, 2, 29));
        assert!(!valid_date(1900, 2, 29));
        assert!(!valid_date(2023, 2, 29));
    }

    #[test]
    fn registration_checksum_of_known_sample() {
        // 900101-1234568: sum = 2*9+3*0+4*0+5*1+6*0+7*1+8*1+9*2+2*3+3*4+4*5+5*6 = 124; (11 - 124 % 11) % 10 = 8.
        assert!(registration_checksum(&[9, 0, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 8]));
        assert!(!registration_checksum(&[9, 0, 0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7]));
    }
}

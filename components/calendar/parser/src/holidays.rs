//! Named days: Korean public holidays and the days English postings name,
//! each resolved to its next occurrence on or after the reference (or the year
//! written: `2027년 추석`, `내년 설날`, `Christmas 2026`).
//!
//! 설날, 추석 and 부처님 오신 날 follow the Korean lunar calendar, converted
//! with the Korea Astronomy and Space Science Institute's tables (`rs-klc`,
//! 1391–2050). A holiday can be shifted a day (`추석 전날`, `설날 다음 날`) or
//! stretched over its break (`설 연휴`, `추석 연휴`: the day before to the day after).

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use regex::Regex;

use super::dates::{Mention, MentionKind};
use super::relative::nth_weekday;
use super::text::{hangul_free_or, is_hangul, prev_char, word_after};

/// When a named day falls in a given year.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Solar(u32, u32),
    /// A lunar month and day; the three-day breaks of 설날 and 추석 are `Lunar(.., true)`.
    Lunar(u32, u32, bool),
    /// The `n`th weekday of a month (Thanksgiving: the fourth Thursday of November).
    NthWeekday(u32, i32, Weekday),
}

/// Names (as patterns) and their days. Earlier names win at the same position,
/// so `크리스마스 이브` comes before `크리스마스`.
const HOLIDAYS: &[(&str, Rule)] = &[
    (r"신정|새해\s*첫\s*날|양력\s*설", Rule::Solar(1, 1)),
    (r"설날|구정|음력\s*설|설", Rule::Lunar(1, 1, true)),
    (r"삼일절|3\s*[·.ㆍ•]?\s*1\s*절", Rule::Solar(3, 1)),
    (r"식목일", Rule::Solar(4, 5)),
    (r"근로자의\s*날|노동절", Rule::Solar(5, 1)),
    (r"어린이\s*날", Rule::Solar(5, 5)),
    (r"어버이\s*날", Rule::Solar(5, 8)),
    (r"스승의\s*날", Rule::Solar(5, 15)),
    (r"부처님\s*오신\s*날|석가\s*탄신일|석탄일|초파일", Rule::Lunar(4, 8, false)),
    (r"현충일", Rule::Solar(6, 6)),
    (r"제헌절", Rule::Solar(7, 17)),
    (r"광복절", Rule::Solar(8, 15)),
    (r"추석|한가위", Rule::Lunar(8, 15, true)),
    (r"국군의\s*날", Rule::Solar(10, 1)),
    (r"개천절", Rule::Solar(10, 3)),
    (r"한글날", Rule::Solar(10, 9)),
    (r"핼러윈|할로윈", Rule::Solar(10, 31)),
    (r"크리스마스\s*이브|성탄\s*전야", Rule::Solar(12, 24)),
    (r"크리스마스|성탄절", Rule::Solar(12, 25)),
    (r"(?i:\bchristmas\s+eve\b)", Rule::Solar(12, 24)),
    (r"(?i:\b(?:christmas|xmas)(?:\s+day)?\b)", Rule::Solar(12, 25)),
    (r"(?i:\bnew\s+year'?s\s+eve\b)", Rule::Solar(12, 31)),
    (r"(?i:\bnew\s+year'?s(?:\s+day)?\b)", Rule::Solar(1, 1)),
    (r"(?i:\b(?:lunar|chinese|korean)\s+new\s+year\b|\bseollal\b)", Rule::Lunar(1, 1, true)),
    (r"(?i:\bchuseok\b|\bkorean\s+thanksgiving\b)", Rule::Lunar(8, 15, true)),
    (r"(?i:\bthanksgiving(?:\s+day)?\b)", Rule::NthWeekday(11, 4, Weekday::Thu)),
    (r"(?i:\bhalloween\b)", Rule::Solar(10, 31)),
    (r"(?i:\bvalentine'?s(?:\s+day)?\b)", Rule::Solar(2, 14)),
    (r"(?i:\b(?:independence\s+day|fourth\s+of\s+july)\b)", Rule::Solar(7, 4)),
    (r"(?i:\bhangul\s+day\b)", Rule::Solar(10, 9)),
    (r"(?i:\bchildren'?s\s+day\b)", Rule::Solar(5, 5)),
    (r"(?i:\bbuddha'?s\s+birthday\b)", Rule::Lunar(4, 8, false)),
];

/// What may follow a holiday glued to it (`한글날까지`, `추석에`).
const HOLIDAY_PARTICLES: &[&str] = &[
    "에", "엔", "까지", "부터", "마감", "예정", "오전", "오후", "저녁", "아침", "밤", "낮", "중", "은", "는", "이",
    "당일", "연휴",
];
/// A holiday followed by these is no date: before/after it is vague, and a day off or a gift is a benefit.
const VAGUE_OR_BENEFIT_AFTER: &[&str] =
    &["이후", "후", "전", "이전", "직후", "직전", "지나", "휴무", "휴일", "휴가", "선물", "상여", "보너스", "명절"];

/// An optional year (`2027년`, `내년`), one holiday name per group, an optional shift
/// (`전날`, `다음 날`, `당일`, `연휴`), and an optional English year (`Christmas 2026`).
static HOLIDAY: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<String> = HOLIDAYS.iter().enumerate().map(|(i, (name, _))| format!("(?P<h{i}>{name})")).collect();
    let pattern = format!(
        r"(?:(?P<year>\d{{4}})\s*년\s*|(?P<yword>올해|금년|내년|명년)\s*)?(?:{})(?:(?P<break>\s*연휴)?\s*(?P<shift>전날|전야|다음\s*날|이튿날|당일)|(?P<break_only>\s*연휴)|\s+(?P<enyear>\d{{4}})\b)?",
        names.join("|")
    );
    super::text::regex(&pattern)
});

/// The day a rule gives in `year` (for lunar rules, the lunar year).
fn day_in(rule: Rule, year: i32) -> Option<NaiveDate> {
    match rule {
        Rule::Solar(month, day) => NaiveDate::from_ymd_opt(year, month, day),
        Rule::Lunar(month, day, _) => lunar_to_solar(year, month, day),
        Rule::NthWeekday(month, n, weekday) => nth_weekday(year, month, n, weekday),
    }
}

fn lunar_to_solar(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    // The table's years; outside them there is no answer (and no call into the converter).
    if !(1391..=2050).contains(&year) {
        return None;
    }
    let mut converter = rs_klc::LunarSolarConverter::new();
    if !converter.set_lunar_date(year, month, day, false) {
        return None;
    }
    NaiveDate::from_ymd_opt(converter.solar_year() as i32, converter.solar_month(), converter.solar_day())
}

/// Named days in `line`.
pub(super) fn find(line: &str, reference: NaiveDate, out: &mut Vec<Mention>) {
    for caps in HOLIDAY.captures_iter(line) {
        let m = caps.get(0).expect("group 0");
        let Some((index, name)) = (0..HOLIDAYS.len()).find_map(|i| caps.name(&format!("h{i}")).map(|g| (i, g))) else {
            continue;
        };
        let rule = HOLIDAYS[index].1;
        let korean = name.as_str().starts_with(is_hangul) || name.as_str().starts_with(|c: char| c.is_ascii_digit());
        // Korean names are whole words (`설명회` is not 설날); a bare `설` needs its break or day.
        let glued_before = prev_char(line, name.start()).is_some_and(is_hangul)
            && caps.name("year").is_none()
            && caps.name("yword").is_none();
        if korean && (glued_before || !hangul_free_or(line, m.end(), HOLIDAY_PARTICLES)) {
            continue;
        }
        // `설 연휴 이후`, `추석 전` are vague; `크리스마스 휴무`, `명절 선물` are benefits, not dates.
        let next = word_after(line, m.end());
        if VAGUE_OR_BENEFIT_AFTER.iter().any(|w| next.starts_with(w)) {
            continue;
        }
        let shift = caps.name("shift").map(|s| s.as_str().chars().filter(|c| !c.is_whitespace()).collect::<String>());
        if name.as_str() == "설" && shift.is_none() && caps.name("break_only").is_none() {
            continue;
        }
        let lunar_break = matches!(rule, Rule::Lunar(_, _, true));
        let whole_break = lunar_break && caps.name("break_only").is_some();
        // `추석 연휴 다음날` counts from the break's last day, `설 연휴 전날` from its first.
        let from_break = lunar_break && caps.name("break").is_some();
        let resolve = |year: i32| -> Option<(NaiveDate, Option<NaiveDate>)> {
            let day = day_in(rule, year)?;
            let (first, last) = if from_break { (day.pred_opt()?, day.succ_opt()?) } else { (day, day) };
            Some(match shift.as_deref() {
                Some("전날" | "전야") => (first.pred_opt()?, None),
                Some("다음날" | "이튿날") => (last.succ_opt()?, None),
                _ if whole_break => (day.pred_opt()?, Some(day.succ_opt()?)),
                _ => (day, None),
            })
        };
        let year =
            caps.name("year").or_else(|| caps.name("enyear")).and_then(|y| y.as_str().parse::<i32>().ok()).or_else(
                || match caps.name("yword").map(|w| w.as_str()) {
                    Some("올해" | "금년") => Some(reference.year()),
                    Some(_) => Some(reference.year() + 1),
                    None => None,
                },
            );
        let resolved = match year {
            Some(year) => resolve(year),
            // The next occurrence: this year's unless it is over (for a break, unless it has ended).
            None => (reference.year() - 1..=reference.year() + 1)
                .filter_map(resolve)
                .find(|(start, until)| until.unwrap_or(*start) >= reference),
        };
        if let Some((date, until)) = resolved {
            out.push(Mention {
                start: m.start(),
                end: m.end(),
                date,
                year_given: true,
                english: !korean,
                kind: MentionKind::Relative,
                today_if_later: false,
                until,
            });
        }
    }
}

/// Builds this module's pattern now, in the pre-initialization snapshot.
pub(super) fn warm() {
    LazyLock::force(&HOLIDAY);
    // The lunar table is a constant; one conversion checks it is linked in.
    let _ = lunar_to_solar(2026, 1, 1).map(|d| d.weekday());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(text: &str, reference: NaiveDate) -> Vec<(NaiveDate, Option<NaiveDate>)> {
        let mut out = Vec::new();
        find(text, reference, &mut out);
        out.into_iter().map(|m| (m.date, m.until)).collect()
    }

    #[test]
    fn lunar_holidays_follow_the_korean_lunar_calendar() {
        assert_eq!(lunar_to_solar(2026, 1, 1), Some(d(2026, 2, 17)));
        assert_eq!(lunar_to_solar(2026, 8, 15), Some(d(2026, 9, 25)));
        // 2027's new moon falls just after midnight in Seoul and before it in Beijing:
        // 설날 is a day after the Chinese New Year (6 February).
        assert_eq!(lunar_to_solar(2027, 1, 1), Some(d(2027, 2, 7)));
        assert_eq!(lunar_to_solar(2051, 1, 1), None, "beyond the table");
    }

    #[test]
    fn a_holiday_break_spans_the_day_before_to_the_day_after() {
        assert_eq!(dates("추석 연휴", d(2026, 1, 13)), vec![(d(2026, 9, 24), Some(d(2026, 9, 26)))]);
        // During the break, it is still this year's break.
        assert_eq!(dates("설 연휴", d(2026, 2, 18)), vec![(d(2026, 2, 16), Some(d(2026, 2, 18)))]);
    }

    #[test]
    fn words_containing_a_holiday_name_are_not_holidays() {
        for text in ["설명회", "설치", "가설", "채용설명회 일정", "추석특집", "Christmasland"] {
            assert_eq!(dates(text, d(2026, 1, 13)), vec![], "{text}");
        }
    }
}

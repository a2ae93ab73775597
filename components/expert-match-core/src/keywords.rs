//! Keywords of one business report, Korean and English, without a dictionary.
//!
//! 1. **Candidates.** The report's words go through `comments-core`'s
//!    Korean-aware analyzer ([`Analyzer`]): particles and endings are
//!    stripped by rule (`헬스케어를` → 헬스케어, `분석하여` → 분석), verbs and
//!    adjectives are dropped, what is left is a noun of two syllables or
//!    more; English words are lower-cased and made singular (two-letter words
//!    count only in capitals: `AI`, `VR`; `-ics` words stay whole:
//!    logistics, analytics). The analyzer strips an ambiguous
//!    particle (이, 가, 의…, which also end nouns) only when the text shows
//!    the stem in another form, which one report seldom does, so a word of
//!    three syllables or more ending in 이, 가, 의, 와, 과, 에 or 로 that fits
//!    its stem's last sound loses it here too (`현장의` → 현장, `디지털 전환이`
//!    → 디지털 전환), except for [`PARTICLE_LIKE_ENDINGS`] (어린이, 신경과,
//!    고속도로…). Its stopwords are removed, and so
//!    are [`korean_business_stopwords`] and [`english_business_stopwords`]:
//!    the vocabulary every plan uses (사업, 계획, 기술, 시장, 솔루션,
//!    service, market…), which says nothing about whom to ask.
//! 2. **Compounds.** Two nouns of one script written side by side in one
//!    phrase, the first without a particle, make a compound: `데이터 분석` →
//!    `데이터분석`, `디지털 전환` → `디지털전환`, `machine learning`. One is
//!    kept when it occurs at least [`MIN_COMPOUND_COUNT`] times, or when the
//!    report also writes it as one word; its occurrences
//!    then no longer count for its parts (where two kept compounds overlap,
//!    as in `의료 데이터 분석`, the more frequent one takes the shared noun;
//!    on a tie, the first).
//! 3. **Scores.** Each occurrence adds `1 + POSITION_WEIGHT × (1 − i / n)`
//!    (`i` its word index, `n` the report's words: a plan states its subject
//!    first), plus [`TITLE_WEIGHT`] in the title (the first line, when the
//!    report has more lines and that one is short and no sentence), times
//!    [`COMPOUND_BONUS`] for a compound written in two words (more specific
//!    than its parts). So frequency dominates and position breaks near-ties.
//! 4. **Order.** Score, higher first, then first occurrence: the same report
//!    always gives the same keywords in the same order.
//!
//! A keyword is shown as counted (a Korean stem, a lower-case English
//! word), except an English word most often written with capitals after its
//! first letter (`AI`, `IoT`, `ESG`), shown as written.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use comments_core::hangul::{final_of, finals};
use comments_core::tokenize::{Analyzer, Term, words};

/// How much more the report's first word weighs than its last.
pub const POSITION_WEIGHT: f64 = 0.5;
/// What an occurrence in the title adds.
pub const TITLE_WEIGHT: f64 = 1.0;
/// A compound written in two words weighs this much more per occurrence.
pub const COMPOUND_BONUS: f64 = 1.25;
/// A compound occurring this often is a keyword candidate anywhere.
pub const MIN_COMPOUND_COUNT: usize = 2;
/// The longest first line taken as a title, in characters.
pub const TITLE_MAX_CHARS: usize = 100;

/// A ranked keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// As shown (see the module docs).
    pub text: String,
    /// As counted: a Korean stem or compound, a lower-case English word or phrase.
    pub key: String,
    pub score: f64,
    /// Occurrences counted.
    pub count: usize,
    /// Word index of the first occurrence.
    pub first: usize,
}

/// Korean words (stems) every business plan uses: its own vocabulary, and
/// generic words of growth, effort and time.
#[rustfmt::skip]
pub fn korean_business_stopwords() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        [
            "사업", "사업화", "사업계획", "사업계획서", "계획", "계획서", "보고서", "사업보고서", "기반", "활용", "제공", "추진", "목표",
            "개발", "구축", "확보", "지원", "운영", "예정", "기업", "회사", "당사", "자사", "본사", "서비스", "솔루션", "시스템",
            "플랫폼", "기술", "시장", "고객", "제품", "분야", "방안", "전략", "단계", "과제", "수행", "진행", "필요", "가능", "경우",
            "현재", "향후", "대상", "주요", "중심", "다양", "최근", "국내", "해외", "규모", "성장", "증가", "확대", "강화", "개선",
            "향상", "효율", "결과", "성과", "예상", "기대", "효과", "준비", "마련", "달성", "창출", "매출", "기존", "신규", "핵심",
            "차별", "차별화", "경쟁", "경쟁력", "우위", "확장", "도입", "적용", "구현", "기능", "연구", "연구개발", "수준", "대비",
            "비율", "일정", "인력", "인원", "대표", "예산", "자금", "비용", "계약", "협력", "협약", "참여", "본격", "이용", "사용",
            "통한", "관한", "따른", "따라", "의한", "연도", "연간", "연평균", "전년", "올해", "내년", "작년", "상반기", "하반기",
            "분기", "억원", "만원", "이내", "시기", "부문", "영역", "요소", "방식", "형태", "구조", "체계", "역량", "경험", "노하우",
            "문제점", "해결", "제시", "확인", "검토", "통해서", "위하여", "대하여", "가치", "기회", "수익", "수익성", "사업성",
            "실현", "발전", "선도", "혁신", "최적", "최적화", "고도화", "지속", "글로벌", "세계", "전국", "지역", "분야별", "단계별",
            "전문", "전문가", "팀원", "구성", "조직", "담당", "책임", "이상", "미만", "포함", "기타", "제공하", "목적", "배경",
        ]
        .into_iter()
        .collect()
    })
}

/// English words (lower case, singular) every business plan uses.
#[rustfmt::skip]
pub fn english_business_stopwords() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        [
            "business", "plan", "planning", "report", "company", "service", "solution", "system", "platform", "technology",
            "market", "customer", "product", "develop", "development", "based", "using", "use", "provide", "providing",
            "goal", "target", "strategy", "stage", "phase", "project", "growth", "grow", "increase", "expand", "expansion",
            "improve", "improvement", "support", "key", "core", "major", "various", "global", "domestic", "current",
            "future", "expected", "expect", "effect", "result", "performance", "revenue", "million", "billion", "percent",
            "annual", "team", "member", "user", "value", "aim", "help", "enable", "offer", "include", "including", "across",
            "per", "approach", "ensure", "enhance", "innovative", "innovation", "leading", "opportunity", "scale", "launch",
            "build", "create", "deliver", "level", "area", "field", "sector", "industry", "high", "low", "well",
        ]
        .into_iter()
        .collect()
    })
}

/// Noun endings that look like a particle after a stem of two syllables or
/// more: [`strip_particle`] leaves words ending so as they are.
#[rustfmt::skip]
pub const PARTICLE_LIKE_ENDINGS: &[&str] = &[
    "어린이", "고양이", "쟁이", "투자가", "정치가", "연주가", "주의", "학과", "신경과", "정신과", "부인과", "도로", "회로",
    "통로", "경로",
];

/// Ambiguous particles stripped from long words, and whether each needs a
/// stem ending in a consonant (`Some(true)`), a vowel (`Some(false)`) or
/// either (`None`); 로 is handled apart (a vowel or ㄹ).
const LONG_WORD_PARTICLES: &[(char, Option<bool>)] =
    [('이', Some(true)), ('가', Some(false)), ('의', None), ('와', Some(false)), ('과', Some(true)), ('에', None)]
        .as_slice();

/// `key` without a trailing ambiguous particle, for a Korean word of three
/// syllables or more that the analyzer left whole (see the module docs).
pub fn strip_particle(key: &str) -> Option<String> {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 3 || !chars.iter().all(|c| final_of(*c).is_some()) {
        return None;
    }
    if PARTICLE_LIKE_ENDINGS.iter().any(|e| key.ends_with(e)) {
        return None;
    }
    let (last, before) = (chars[chars.len() - 1], final_of(chars[chars.len() - 2])?);
    let fits = if last == '로' {
        before == 0 || before == finals::L
    } else {
        match LONG_WORD_PARTICLES.iter().find(|(p, _)| *p == last) {
            Some((_, Some(consonant))) => (before != 0) == *consonant,
            Some((_, None)) => true,
            None => false,
        }
    };
    fits.then(|| chars[..chars.len() - 1].iter().collect())
}

fn is_stopword(term: &Term) -> bool {
    if term.korean {
        korean_business_stopwords().contains(term.key.as_str())
    } else {
        english_business_stopwords().contains(term.key.as_str())
    }
}

/// Byte offset where the title ends, or 0 when the report has no title:
/// its first non-blank line, if more text follows, the line is at most
/// [`TITLE_MAX_CHARS`] long and it does not end like a sentence.
fn title_end(report: &str) -> usize {
    let start = report.len() - report.trim_start().len();
    let rest = &report[start..];
    let Some(newline) = rest.find('\n') else { return 0 };
    let line = rest[..newline].trim();
    let more = !rest[newline..].trim().is_empty();
    let sentence = line.ends_with(['.', '?', '!', '。', '？', '！']);
    if more && !sentence && !line.is_empty() && line.chars().count() <= TITLE_MAX_CHARS { start + newline } else { 0 }
}

/// A candidate while counting.
struct Candidate {
    key: String,
    score: f64,
    count: usize,
    first: usize,
    korean: bool,
    /// How each English part was written, per part (compounds have two), with counts.
    surfaces: Vec<BTreeMap<String, (usize, usize)>>,
}

/// Whether `a` and `b` are two nouns of one script side by side in one
/// phrase, `a` without a particle: a compound's two halves.
fn pair(a: &Term, b: &Term) -> bool {
    a.bare && b.index == a.index + 1 && a.phrase == b.phrase && a.korean == b.korean && a.key != b.key
}

fn compound_key(a: &Term, b: &Term) -> String {
    if a.korean { format!("{}{}", a.key, b.key) } else { format!("{} {}", a.key, b.key) }
}

/// How an English word is shown, from its written forms (count, first seen):
/// the most frequent one (the first seen on a tie) if it has capitals after
/// its first letter, else the counted key.
fn shown(key: &str, surfaces: &BTreeMap<String, (usize, usize)>) -> String {
    let most = surfaces.iter().max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1))).map(|(s, _)| s);
    match most {
        Some(surface) if surface.chars().skip(1).any(|c| c.is_uppercase()) => surface.clone(),
        _ => key.to_string(),
    }
}

/// The report's best `limit` keywords (see the module docs).
pub fn extract_keywords(report: &str, limit: usize) -> Vec<Keyword> {
    let analyzer = Analyzer::new([report]);
    let all_words = words(report);
    let total = all_words.len().max(1) as f64;
    let title_end = title_end(report);
    let base = report.as_ptr() as usize;
    let in_title = |index: usize| title_end > 0 && (all_words[index].text.as_ptr() as usize - base) < title_end;
    let weight = |index: usize| {
        1.0 + POSITION_WEIGHT * (1.0 - index as f64 / total) + if in_title(index) { TITLE_WEIGHT } else { 0.0 }
    };

    let terms: Vec<Term> = analyzer
        .terms(report)
        .into_iter()
        .map(|mut t| {
            if t.korean
                && t.bare
                && let Some(stem) = strip_particle(&t.key)
            {
                t.key = stem.clone();
                t.surface = stem;
                t.bare = false;
            }
            // -ics nouns are no plurals: logistics, analytics, robotics.
            let lower = t.surface.to_lowercase();
            if !t.korean && lower.ends_with("ics") {
                t.key = lower;
            }
            t
        })
        .filter(|t| !is_stopword(t))
        .collect();

    // Compounds: how often each is written in two words, and which are kept.
    let mut pair_counts: HashMap<String, usize> = HashMap::new();
    for w in terms.windows(2) {
        if pair(&w[0], &w[1]) {
            *pair_counts.entry(compound_key(&w[0], &w[1])).or_default() += 1;
        }
    }
    let unigram_keys: HashSet<&str> = terms.iter().map(|t| t.key.as_str()).collect();
    let kept = |key: &str| -> Option<usize> {
        let count = pair_counts.get(key).copied()?;
        (count >= MIN_COMPOUND_COUNT || unigram_keys.contains(key)).then_some(count)
    };
    let kept_at = |i: usize| -> Option<usize> {
        let (a, b) = (terms.get(i)?, terms.get(i + 1)?);
        if pair(a, b) { kept(&compound_key(a, b)) } else { None }
    };

    let mut candidates: Vec<Candidate> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut add = |key: String, parts: &[&Term], w: f64| {
        let first = parts[0].index;
        let at = *by_key.entry(key.clone()).or_insert_with(|| {
            candidates.push(Candidate {
                key,
                score: 0.0,
                count: 0,
                first,
                korean: parts[0].korean,
                surfaces: vec![BTreeMap::new(); parts.len()],
            });
            candidates.len() - 1
        });
        let c = &mut candidates[at];
        c.score += w;
        c.count += 1;
        if c.surfaces.len() == parts.len() {
            for (forms, part) in c.surfaces.iter_mut().zip(parts) {
                forms.entry(part.surface.clone()).or_insert((0, part.index)).0 += 1;
            }
        }
    };
    let mut i = 0;
    while i < terms.len() {
        let here = kept_at(i);
        let next_better = match (here, kept_at(i + 1)) {
            (Some(this), Some(next)) => next > this,
            _ => false,
        };
        if here.is_some() && !next_better {
            let (a, b) = (&terms[i], &terms[i + 1]);
            add(compound_key(a, b), &[a, b], weight(a.index) * COMPOUND_BONUS);
            i += 2;
        } else {
            let t = &terms[i];
            add(t.key.clone(), &[t], weight(t.index));
            i += 1;
        }
    }

    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.first.cmp(&b.first)));
    candidates
        .into_iter()
        .take(limit)
        .map(|c| {
            let text = if c.korean {
                c.key.clone()
            } else {
                let parts: Vec<&str> = c.key.split(' ').collect();
                parts.iter().zip(&c.surfaces).map(|(key, forms)| shown(key, forms)).collect::<Vec<_>>().join(" ")
            };
            Keyword { text, key: c.key, score: c.score, count: c.count, first: c.first }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(report: &str, limit: usize) -> Vec<String> {
        extract_keywords(report, limit).into_iter().map(|k| k.text).collect()
    }

    #[test]
    fn particles_are_stripped_and_generic_plan_words_dropped() {
        let k =
            texts("헬스케어를 위한 사업 계획입니다. 헬스케어 시장이 큽니다. 의료진이 헬스케어에 관심을 갖습니다.", 3);
        assert_eq!(k[0], "헬스케어");
        assert!(!k.iter().any(|w| w == "사업" || w == "계획" || w == "시장"), "{k:?}");
    }

    #[test]
    fn nouns_written_side_by_side_twice_become_one_compound() {
        let k = extract_keywords(
            "데이터 분석이 핵심입니다. 우리는 데이터 분석 전문 조직을 갖췄습니다. 의료 현장에 씁니다.",
            5,
        );
        assert_eq!(k[0].text, "데이터분석");
        assert_eq!(k[0].count, 2);
        assert!(!k.iter().any(|w| w.text == "데이터" || w.text == "분석"), "{k:?}");
    }

    #[test]
    fn a_compound_written_once_counts_when_also_written_as_one_word() {
        let k = texts("디지털전환을 돕습니다. 제조 현장의 디지털 전환이 느립니다.", 5);
        assert_eq!(k[0], "디지털전환");
        assert!(!k.iter().any(|w| w == "디지털" || w == "전환"), "{k:?}");
    }

    #[test]
    fn the_title_and_early_words_weigh_more() {
        let k = texts("스마트팜 물류 사업계획서\n물류 센터와 스마트팜을 연결합니다. 물류 비용을 줄입니다.", 3);
        // 물류 occurs 3 times, 스마트팜 twice but both are in the title.
        assert_eq!(k[0], "물류");
        assert_eq!(k[1], "스마트팜");
        let k = texts("배터리 재활용을 말합니다. 배터리 소재도 다룹니다. 그리고 농업 이야기. 농업 드론입니다.", 2);
        assert_eq!(k, ["배터리", "농업"], "as often as each other: the earlier word first");
    }

    #[test]
    fn english_words_are_counted_singular_and_acronyms_shown_as_written() {
        let k = texts("Our AI reads medical images. Medical image AI helps hospitals; the AI platform scales.", 3);
        assert_eq!(k[0], "AI");
        assert!(k.contains(&"medical image".to_string()) || k.contains(&"medical".to_string()), "{k:?}");
        assert!(!k.iter().any(|w| w == "platform"), "{k:?}");
    }

    #[test]
    fn long_words_lose_an_ambiguous_particle_that_fits_their_stem() {
        assert_eq!(strip_particle("현장의"), Some("현장".into()));
        assert_eq!(strip_particle("전환이"), Some("전환".into()));
        assert_eq!(strip_particle("데이터로"), Some("데이터".into()));
        assert_eq!(strip_particle("데이터가"), Some("데이터".into()));
        assert_eq!(strip_particle("플랫폼가"), None, "가 follows a vowel");
        assert_eq!(strip_particle("플랫폼이"), Some("플랫폼".into()));
        assert_eq!(strip_particle("어린이"), None);
        assert_eq!(strip_particle("고속도로"), None);
        assert_eq!(strip_particle("평가"), None, "two syllables: the analyzer's evidence decides");
        assert_eq!(strip_particle("헬스케어"), None);
    }

    #[test]
    fn the_limit_is_honoured_and_a_text_without_nouns_has_no_keywords() {
        assert_eq!(texts("AI 헬스케어 의료 데이터 바이오 물류 배터리", 4).len(), 4);
        assert!(texts("1234 !!! 5678", 10).is_empty());
        assert!(texts("정말 너무 좋아요", 10).is_empty());
    }
}

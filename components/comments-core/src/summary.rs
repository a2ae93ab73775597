//! The three summary sentences of the statistical method: what the
//! reactions are, what is praised, what falls short. Each gives counts and
//! shares of the comments and quotes short comments, so a reader can check
//! it against the comments themselves.

use crate::reactions::{Group, Reactions};

/// The language the sentences are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputLanguage {
    #[default]
    Korean,
    English,
}

/// `summary` of `analysis-result-v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub major_reactions: String,
    pub positive_points: String,
    pub weak_points: String,
}

/// Characters of a comment quoted, at most.
const QUOTE_CHARS: usize = 50;
/// Groups named in `majorReactions`.
const GROUPS_NAMED: usize = 3;

/// A comment as quoted: one line, its own quotes made single, cut at
/// [`QUOTE_CHARS`] characters.
pub fn quote(text: &str) -> String {
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if matches!(c, '"' | '“' | '”') { '\'' } else { c })
        .collect();
    if flat.chars().count() <= QUOTE_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(QUOTE_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// `12개(4%)` / `12 (4%)`: a count and its share of `total`.
fn count_share(count: usize, total: usize, language: OutputLanguage) -> String {
    count_share_noting(count, total, language, None)
}

/// `12개(4%, 예: “…”)` / `12 (4%, e.g. “…”)`.
fn count_share_noting(count: usize, total: usize, language: OutputLanguage, example: Option<&str>) -> String {
    let percent = if total == 0 { 0.0 } else { 100.0 * count as f64 / total as f64 };
    let share = if count > 0 && percent < 0.5 {
        match language {
            OutputLanguage::Korean => "1% 미만".to_string(),
            OutputLanguage::English => "<1%".to_string(),
        }
    } else {
        format!("{}%", percent.round())
    };
    match (language, example) {
        (OutputLanguage::Korean, None) => format!("{count}개({share})"),
        (OutputLanguage::Korean, Some(e)) => format!("{count}개({share}, 예: {e})"),
        (OutputLanguage::English, None) => format!("{count} ({share})"),
        (OutputLanguage::English, Some(e)) => format!("{count} ({share}, e.g. {e})"),
    }
}

fn quotes(texts: &[&str], indices: &[usize]) -> String {
    indices.iter().map(|&i| format!("“{}”", quote(texts[i]))).collect::<Vec<_>>().join(", ")
}

fn topic(label: &[String]) -> Option<String> {
    (!label.is_empty()).then(|| format!("‘{}’", label.join("·")))
}

/// Write the summary of `texts` from `reactions`.
pub fn write(texts: &[&str], reactions: &Reactions, language: OutputLanguage) -> Summary {
    let n = texts.len();
    if n == 0 {
        return match language {
            OutputLanguage::Korean => Summary {
                major_reactions: "분석할 댓글이 없어 시청자 반응을 요약하지 못했습니다.".into(),
                positive_points: "댓글이 없어 긍정적인 반응을 파악하지 못했습니다.".into(),
                weak_points: "댓글이 없어 아쉬운 점을 파악하지 못했습니다.".into(),
            },
            OutputLanguage::English => Summary {
                major_reactions: "There are no comments to summarise reactions from.".into(),
                positive_points: "There are no comments to find praise in.".into(),
                weak_points: "There are no comments to find criticism in.".into(),
            },
        };
    }
    Summary {
        major_reactions: major(texts, &reactions.groups, language),
        positive_points: positive(texts, &reactions.positive, language),
        weak_points: weak(texts, &reactions.negative, language),
    }
}

fn major(texts: &[&str], groups: &[Group], language: OutputLanguage) -> String {
    let n = texts.len();
    // A lone comment is no "reaction"; keep groups of two or more when any exist.
    let named: Vec<&Group> = {
        let plural: Vec<&Group> = groups.iter().filter(|g| g.members.len() >= 2).collect();
        let pool = if plural.is_empty() { groups.iter().collect() } else { plural };
        pool.into_iter().take(GROUPS_NAMED).collect()
    };
    let Some(first) = named.first() else {
        let example = quotes(texts, &[0]);
        return match language {
            OutputLanguage::Korean => {
                format!("댓글 {n}개에서 여러 댓글이 공통으로 다루는 주제는 뚜렷하지 않습니다(예: {example}).")
            }
            OutputLanguage::English => {
                format!("Across {n} comments no topic is shared by several of them (e.g. {example}).")
            }
        };
    };
    let about = |g: &Group| match (topic(&g.label), language) {
        (Some(t), OutputLanguage::Korean) => format!("{t} 관련 반응"),
        (None, OutputLanguage::Korean) => "비슷한 내용의 반응".to_string(),
        (Some(t), OutputLanguage::English) => format!("reactions about {t}"),
        (None, OutputLanguage::English) => "reactions alike".to_string(),
    };
    // One quote per group when several are named, two when one is.
    let per_group = if named.len() == 1 { 2 } else { 1 };
    let example = |g: &Group| quotes(texts, &g.representatives[..g.representatives.len().min(per_group)]);
    let lead = count_share(first.members.len(), n, language);
    let rest: Vec<String> = named[1..]
        .iter()
        .map(|g| {
            let share = count_share_noting(g.members.len(), n, language, Some(&example(g)));
            match (topic(&g.label), language) {
                (Some(t), OutputLanguage::Korean) => format!("{t} {share}"),
                (None, OutputLanguage::Korean) => format!("비슷한 내용 {share}"),
                (Some(t), OutputLanguage::English) => format!("{t} at {share}"),
                (None, OutputLanguage::English) => format!("others alike at {share}"),
            }
        })
        .collect();
    match language {
        OutputLanguage::Korean if rest.is_empty() => {
            format!("댓글 {n}개 중 {}이 {lead}로 가장 많습니다(예: {}).", about(first), example(first))
        }
        OutputLanguage::Korean => format!(
            "댓글 {n}개 중 {}이 {lead}로 가장 많고(예: {}), 이어서 {} 순입니다.",
            about(first),
            example(first),
            rest.join(", ")
        ),
        OutputLanguage::English if rest.is_empty() => {
            format!("Of {n} comments, {} are the most common: {lead} (e.g. {}).", about(first), example(first))
        }
        OutputLanguage::English => format!(
            "Of {n} comments, {} are the most common: {lead} (e.g. {}), followed by {}.",
            about(first),
            example(first),
            rest.join(", ")
        ),
    }
}

fn positive(texts: &[&str], group: &Group, language: OutputLanguage) -> String {
    let n = texts.len();
    if group.members.is_empty() {
        return match language {
            OutputLanguage::Korean => format!("뚜렷한 긍정 반응은 찾지 못했습니다(댓글 {n}개 중 0개)."),
            OutputLanguage::English => format!("No clear praise was found (0 of {n} comments)."),
        };
    }
    let share = count_share(group.members.len(), n, language);
    let example = quotes(texts, &group.representatives);
    match (topic(&group.label), language) {
        (Some(t), OutputLanguage::Korean) => {
            format!("댓글 {n}개 중 {share}가 긍정적이며, 특히 {t}에 대한 호평이 많습니다(예: {example}).")
        }
        (None, OutputLanguage::Korean) => format!("댓글 {n}개 중 {share}가 긍정적인 반응입니다(예: {example})."),
        (Some(t), OutputLanguage::English) => {
            format!("{share} of {n} comments are positive, praising {t} in particular (e.g. {example}).")
        }
        (None, OutputLanguage::English) => format!("{share} of {n} comments are positive (e.g. {example})."),
    }
}

fn weak(texts: &[&str], group: &Group, language: OutputLanguage) -> String {
    let n = texts.len();
    if group.members.is_empty() {
        return match language {
            OutputLanguage::Korean => format!("부정적인 반응은 거의 없습니다(댓글 {n}개 중 0개)."),
            OutputLanguage::English => format!("There is hardly any criticism (0 of {n} comments)."),
        };
    }
    let share = count_share(group.members.len(), n, language);
    let example = quotes(texts, &group.representatives);
    match (topic(&group.label), language) {
        (Some(t), OutputLanguage::Korean) => {
            format!("댓글 {n}개 중 {share}가 아쉬움이나 비판을 나타냈으며, 주로 {t} 관련 지적입니다(예: {example}).")
        }
        (None, OutputLanguage::Korean) => {
            format!("댓글 {n}개 중 {share}가 아쉬움이나 비판을 나타냈습니다(예: {example}).")
        }
        (Some(t), OutputLanguage::English) => {
            format!("{share} of {n} comments voice criticism or regret, mostly about {t} (e.g. {example}).")
        }
        (None, OutputLanguage::English) => {
            format!("{share} of {n} comments voice criticism or regret (e.g. {example}).")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactions::Grouping;

    fn group(members: &[usize], label: &[&str], representatives: &[usize]) -> Group {
        Group {
            members: members.to_vec(),
            label: label.iter().map(|s| s.to_string()).collect(),
            representatives: representatives.to_vec(),
        }
    }

    #[test]
    fn long_comments_are_cut_and_quotes_inside_made_single() {
        assert_eq!(quote("  짧은\n댓글 \"인용\" "), "짧은 댓글 '인용'");
        let long = "가".repeat(80);
        assert_eq!(quote(&long).chars().count(), QUOTE_CHARS);
        assert!(quote(&long).ends_with('…'));
    }

    #[test]
    fn sentences_give_counts_shares_and_quotes() {
        let texts = ["가족 생각나요", "가족 최고", "뇌과학 좋아요", "뇌과학 재밌어요", "별로예요"];
        let reactions = Reactions {
            grouping: Grouping::Keywords,
            groups: vec![group(&[0, 1], &["가족"], &[0]), group(&[2, 3], &["뇌과학"], &[2])],
            positive: group(&[1, 2, 3], &["뇌과학"], &[2, 3]),
            negative: group(&[4], &[], &[4]),
        };
        let s = write(&texts, &reactions, OutputLanguage::Korean);
        assert_eq!(
            s.major_reactions,
            "댓글 5개 중 ‘가족’ 관련 반응이 2개(40%)로 가장 많고(예: “가족 생각나요”), 이어서 ‘뇌과학’ 2개(40%, 예: “뇌과학 좋아요”) 순입니다."
        );
        assert_eq!(
            s.positive_points,
            "댓글 5개 중 3개(60%)가 긍정적이며, 특히 ‘뇌과학’에 대한 호평이 많습니다(예: “뇌과학 좋아요”, “뇌과학 재밌어요”)."
        );
        assert_eq!(s.weak_points, "댓글 5개 중 1개(20%)가 아쉬움이나 비판을 나타냈습니다(예: “별로예요”).");
        let english = write(&texts, &reactions, OutputLanguage::English);
        assert!(
            english.positive_points.starts_with("3 (60%) of 5 comments are positive"),
            "{}",
            english.positive_points
        );
    }

    #[test]
    fn no_criticism_and_no_comments_are_said_plainly() {
        let reactions = Reactions {
            grouping: Grouping::Keywords,
            groups: vec![],
            positive: group(&[], &[], &[]),
            negative: group(&[], &[], &[]),
        };
        assert_eq!(
            write(&["음"], &reactions, OutputLanguage::Korean).weak_points,
            "부정적인 반응은 거의 없습니다(댓글 1개 중 0개)."
        );
        assert!(write(&[], &reactions, OutputLanguage::Korean).major_reactions.contains("댓글이 없어"));
    }
}

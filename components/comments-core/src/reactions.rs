//! Groups of similar comments, their labels and the comments that stand for
//! them; the same for the positive and the negative comments.
//!
//! With embeddings the groups are clusters of meaning ([`crate::cluster`])
//! and a group's representatives are the comments nearest its centroid.
//! Without them a comment joins the group of the best-ranked keyword it
//! uses, and the representatives are the comments sharing most of the
//! group's words: coarser (two comments saying the same thing in different
//! words land apart) but still grounded in what was written.

use std::collections::HashMap;

use crate::cluster::{self, Clustering};
use crate::keywords::Keywords;
use crate::sentiment::{Polarity, Sentiment};

/// Keywords tried as group seeds when grouping without embeddings.
const SEED_KEYWORDS: usize = 8;
/// Comments quoted for one group.
pub const QUOTES_PER_GROUP: usize = 2;
/// Quotable comment length, in characters: long enough to say something,
/// short enough to quote whole.
const QUOTABLE: std::ops::RangeInclusive<usize> = 4..=80;

/// How the groups were formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Clusters of the comments' embeddings.
    Embeddings,
    /// By the keywords the comments share.
    Keywords,
}

/// A group of comments.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Indices into the analysed comments.
    pub members: Vec<usize>,
    /// What the group is about: up to two keywords, as shown.
    pub label: Vec<String>,
    /// The comments that stand for the group, best first.
    pub representatives: Vec<usize>,
}

/// Everything the summary sentences are written from.
#[derive(Debug, Clone, PartialEq)]
pub struct Reactions {
    pub grouping: Grouping,
    /// Largest first.
    pub groups: Vec<Group>,
    pub positive: Group,
    pub negative: Group,
}

/// What the grouping reads: the comments, their keywords and sentiment.
pub struct Material<'a> {
    pub texts: &'a [&'a str],
    pub keywords: &'a Keywords,
    pub sentiments: &'a [Sentiment],
}

impl Material<'_> {
    fn shown(&self) -> HashMap<&str, &str> {
        self.keywords.ranked.iter().map(|k| (k.key.as_str(), k.text.as_str())).collect()
    }

    /// The keys most typical of `members`: used by many of them and more
    /// often than in the comments at large (count × log of the lift).
    fn typical_keys(&self, members: &[usize], limit: usize, exclude: &[&str]) -> Vec<String> {
        let n = self.texts.len().max(1) as f64;
        let size = members.len().max(1) as f64;
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for &m in members {
            for term in &self.keywords.comment_terms[m] {
                *counts.entry(term.as_str()).or_default() += 1;
            }
        }
        let least = if members.len() >= 6 { 2 } else { 1 };
        let mut scored: Vec<(&str, f64)> = counts
            .into_iter()
            .filter(|(key, count)| *count >= least && !exclude.contains(key))
            .map(|(key, count)| {
                let overall = self.keywords.document_frequency.get(key).copied().unwrap_or(count).max(1) as f64;
                let lift = (count as f64 / size) / (overall / n);
                (key, count as f64 * (1.0 + lift).ln())
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        scored.into_iter().take(limit).map(|(key, _)| key.to_string()).collect()
    }

    fn label(&self, keys: &[String]) -> Vec<String> {
        let shown = self.shown();
        keys.iter().map(|k| shown.get(k.as_str()).map_or_else(|| k.clone(), |s| s.to_string())).collect()
    }

    /// Up to `count` of `ordered` (best first), preferring quotable lengths
    /// and never the same text twice (copied comments are common).
    fn quotable(&self, ordered: &[usize], count: usize) -> Vec<usize> {
        let fits = |i: usize| QUOTABLE.contains(&self.texts[i].chars().count());
        let mut chosen: Vec<usize> = Vec::new();
        for pass_short in [true, false] {
            for &i in ordered {
                if chosen.len() >= count {
                    return chosen;
                }
                let repeated = chosen.iter().any(|&c| self.texts[c] == self.texts[i]);
                if (!pass_short || fits(i)) && !repeated {
                    chosen.push(i);
                }
            }
        }
        chosen
    }

    /// `members` ordered by how many of `keys` they share (weighted by how
    /// common each key is among them), then by sentiment strength if asked,
    /// then shorter first.
    fn by_shared_words(&self, members: &[usize], keys: &[String], by_sentiment: Option<Polarity>) -> Vec<usize> {
        let weight: HashMap<&str, usize> = keys
            .iter()
            .map(|k| (k.as_str(), members.iter().filter(|&&m| self.keywords.comment_terms[m].contains(k)).count()))
            .collect();
        let overlap =
            |m: usize| -> usize { self.keywords.comment_terms[m].iter().filter_map(|t| weight.get(t.as_str())).sum() };
        let strength = |m: usize| match by_sentiment {
            Some(Polarity::Negative) => -self.sentiments[m].score,
            Some(_) => self.sentiments[m].score,
            None => 0.0,
        };
        let mut ordered = members.to_vec();
        ordered.sort_by(|&a, &b| {
            strength(b)
                .total_cmp(&strength(a))
                .then(overlap(b).cmp(&overlap(a)))
                .then(self.texts[a].chars().count().cmp(&self.texts[b].chars().count()))
                .then(a.cmp(&b))
        });
        ordered
    }

    fn with_polarity(&self, polarity: Polarity) -> Vec<usize> {
        (0..self.texts.len()).filter(|&i| self.sentiments[i].polarity == polarity).collect()
    }

    /// The positive or negative comments as a group, quoted by closeness
    /// to their centroid (with vectors) or by sentiment strength.
    fn sentiment_group(&self, polarity: Polarity, vectors: Option<&[Vec<f32>]>) -> Group {
        let members = self.with_polarity(polarity);
        let keys = self.typical_keys(&members, 2, &[]);
        let ordered = match vectors {
            Some(vectors) if !members.is_empty() => {
                cluster::by_closeness(vectors, &members, &cluster::centroid(vectors, &members))
            }
            _ => self.by_shared_words(&members, &keys, Some(polarity)),
        };
        let representatives = self.quotable(&ordered, QUOTES_PER_GROUP);
        Group { label: self.label(&keys), members, representatives }
    }
}

/// Groups by embedding clusters when `vectors` has one per comment and
/// there are enough comments, else by shared keywords.
pub fn group(material: &Material<'_>, vectors: Option<&[Vec<f32>]>) -> Reactions {
    let vectors = vectors.filter(|v| v.len() == material.texts.len());
    let clustering = vectors.and_then(cluster::cluster);
    let (grouping, mut groups) = match (vectors, clustering) {
        (Some(vectors), Some(clustering)) => (Grouping::Embeddings, by_clusters(material, vectors, &clustering)),
        _ => (Grouping::Keywords, by_keywords(material)),
    };
    groups.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    Reactions {
        grouping,
        groups,
        positive: material.sentiment_group(Polarity::Positive, vectors),
        negative: material.sentiment_group(Polarity::Negative, vectors),
    }
}

fn by_clusters(material: &Material<'_>, vectors: &[Vec<f32>], clustering: &Clustering) -> Vec<Group> {
    (0..clustering.k)
        .filter_map(|c| {
            let members: Vec<usize> = (0..vectors.len()).filter(|&i| clustering.assignments[i] == c).collect();
            if members.is_empty() {
                return None;
            }
            let keys = material.typical_keys(&members, 2, &[]);
            let ordered = cluster::by_closeness(vectors, &members, &clustering.centroids[c]);
            Some(Group {
                label: material.label(&keys),
                representatives: material.quotable(&ordered, QUOTES_PER_GROUP),
                members,
            })
        })
        .collect()
}

fn by_keywords(material: &Material<'_>) -> Vec<Group> {
    let seeds: Vec<&str> = material.keywords.ranked.iter().take(SEED_KEYWORDS).map(|k| k.key.as_str()).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); seeds.len()];
    for (i, terms) in material.keywords.comment_terms.iter().enumerate() {
        if let Some(seed) = seeds.iter().position(|s| terms.iter().any(|t| t == s)) {
            members[seed].push(i);
        }
    }
    seeds
        .iter()
        .zip(members)
        .filter(|(_, members)| !members.is_empty())
        .map(|(seed, members)| {
            let mut keys = vec![seed.to_string()];
            keys.extend(material.typical_keys(&members, 1, &[seed]));
            let ordered = material.by_shared_words(&members, &keys, None);
            Group {
                label: material.label(&keys),
                representatives: material.quotable(&ordered, QUOTES_PER_GROUP),
                members,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keywords::extract;
    use crate::sentiment::score;
    use crate::tokenize::Analyzer;

    fn material_of<'a>(texts: &'a [&'a str], keywords: &'a Keywords, sentiments: &'a [Sentiment]) -> Material<'a> {
        Material { texts, keywords, sentiments }
    }

    const TEXTS: [&str; 10] = [
        "가족 생각이 많이 나네요",
        "가족에게 상처 준 말들 반성합니다",
        "가족이랑 같이 보고 싶어요",
        "가족 대화법 좋아요",
        "뇌과학 설명이 최고예요",
        "뇌과학으로 보니 이해가 돼요",
        "뇌과학 너무 흥미로워요",
        "해결책이 너무 추상적이라 아쉬워요",
        "광고가 너무 길어서 별로예요",
        "ㅋㅋㅋ",
    ];

    fn analyse() -> (Keywords, Vec<Sentiment>) {
        let analyzer = Analyzer::new(TEXTS);
        let with_likes: Vec<(&str, u64)> = TEXTS.iter().map(|t| (*t, 0)).collect();
        (extract(&analyzer, &with_likes, None, None), TEXTS.iter().map(|t| score(t)).collect())
    }

    #[test]
    fn without_vectors_comments_group_under_their_best_keyword() {
        let (keywords, sentiments) = analyse();
        let material = material_of(&TEXTS, &keywords, &sentiments);
        let reactions = group(&material, None);
        assert_eq!(reactions.grouping, Grouping::Keywords);
        assert_eq!(reactions.groups[0].label[0], "가족");
        assert_eq!(reactions.groups[0].members, [0, 1, 2, 3]);
        assert_eq!(reactions.groups[1].label[0], "뇌과학");
        assert!(reactions.groups[0].representatives.len() <= QUOTES_PER_GROUP);
    }

    #[test]
    fn positive_and_negative_comments_are_quoted_strongest_first() {
        let (keywords, sentiments) = analyse();
        let material = material_of(&TEXTS, &keywords, &sentiments);
        let reactions = group(&material, None);
        assert!(reactions.negative.members.contains(&7) && reactions.negative.members.contains(&8));
        assert!(reactions.positive.representatives.contains(&4), "{:?}", reactions.positive);
    }

    #[test]
    fn the_same_text_is_never_quoted_twice() {
        let texts = ["가족 최고예요", "가족 최고예요", "가족 얘기 좋아요"];
        let analyzer = Analyzer::new(texts);
        let with_likes: Vec<(&str, u64)> = texts.iter().map(|t| (*t, 0)).collect();
        let keywords = extract(&analyzer, &with_likes, None, None);
        let sentiments: Vec<Sentiment> = texts.iter().map(|t| score(t)).collect();
        let material = material_of(&texts, &keywords, &sentiments);
        let quoted = material.quotable(&[0, 1, 2], 2);
        assert_eq!(quoted, [0, 2]);
    }

    #[test]
    fn with_one_vector_per_comment_the_groups_are_clusters() {
        let (keywords, sentiments) = analyse();
        let material = material_of(&TEXTS, &keywords, &sentiments);
        // Family comments point one way, the rest another.
        let vectors: Vec<Vec<f32>> = (0..TEXTS.len())
            .map(|i| if i < 4 { vec![1.0, 0.1 * i as f32] } else { vec![0.1 * i as f32, 1.0] })
            .collect();
        let reactions = group(&material, Some(&vectors));
        assert_eq!(reactions.grouping, Grouping::Embeddings);
        assert_eq!(reactions.groups.len(), 2);
        assert_eq!(reactions.groups[1].members, [0, 1, 2, 3]);
        assert_eq!(reactions.groups[1].label[0], "가족");
        let wrong_count = vec![vec![1.0, 0.0]; 3];
        assert_eq!(group(&material, Some(&wrong_count)).grouping, Grouping::Keywords);
    }
}

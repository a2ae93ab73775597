//! Markdown tables.

use masking::PiiKind;

use crate::score::{Counts, Score};

pub fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v))
}

pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|{}\n", header.join(" | "), header.iter().map(|_| "---|").collect::<String>());
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// Types in the crate's order, then any type the host reported that the crate does not know.
pub fn pii_table(score: &Score) -> String {
    let mut kinds: Vec<String> = PiiKind::ALL.iter().map(|k| k.as_str().to_string()).collect();
    kinds.extend(score.per_kind.keys().filter(|k| !kinds.contains(k)).cloned().collect::<Vec<_>>());
    let row = |name: &str, c: Counts| {
        vec![
            name.to_string(),
            (c.tp + c.fn_).to_string(),
            c.tp.to_string(),
            c.fp.to_string(),
            c.fn_.to_string(),
            pct(c.recall()),
            pct(c.precision()),
        ]
    };
    let mut rows: Vec<Vec<String>> =
        kinds.iter().map(|k| row(k, score.per_kind.get(k).copied().unwrap_or_default())).collect();
    rows.push(row("**all**", score.total()));
    table(&["type", "labelled", "TP", "FP", "FN", "recall", "precision"], &rows)
}

pub fn list(title: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("{title}: none\n");
    }
    let mut out = format!("{title} ({}):\n", items.len());
    for i in items {
        out.push_str(&format!("- {i}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_a_separator_row_per_column() {
        assert_eq!(table(&["a", "b"], &[vec!["1".into(), "2".into()]]), "| a | b |\n|---|---|\n| 1 | 2 |\n");
    }
}

//! Seed 000 §3's expert registry: who the experts are (name, career,
//! fields, career file, visibility), kept in the job store so every host
//! sharing it answers the same list. Operators load it with `capsule experts
//! import FILE` or the admin route `POST /api/v1/experts`; the seed's routes
//! read it, and matching hands it to the `expert-match` component.
//!
//! The registry is one value in the store's key-value table (namespace
//! `seed-000` / `experts`): one read per list or match, one write per
//! import. Concurrent imports are last-writer-wins; an import is an
//! operator's action, not a user's.

pub mod cli;

use serde::{Deserialize, Serialize};

use crate::store::{KeyValueStore, KvNamespace, StoreError};

/// Most experts a registry holds (the whole list is handed to each match).
pub const MAX_EXPERTS: usize = 5000;

/// One expert as seed 000 shows them (`GET /api/expert/list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expert {
    pub id: u64,
    pub name: String,
    pub career: Vec<String>,
    pub field: Vec<String>,
    pub career_file_name: Option<String>,
    pub is_visible: bool,
}

/// An expert as an import file gives them: no id (the registry keeps ids
/// stable by name).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedExpert {
    pub name: String,
    #[serde(default)]
    pub career: Vec<String>,
    #[serde(default)]
    pub field: Vec<String>,
    #[serde(default)]
    pub career_file_name: Option<String>,
    #[serde(default = "visible")]
    pub is_visible: bool,
}

fn visible() -> bool {
    true
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub total: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExpertsError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn namespace() -> KvNamespace {
    KvNamespace { owner: String::new(), component: "seed-000".into(), store: "experts".into() }
}

const KEY: &str = "registry";
/// How many experts the registry holds, beside it: `/health` reads this on
/// every call, and the registry itself may be megabytes.
const COUNT_KEY: &str = "count";

/// How many experts the registry holds (0 when nothing was imported).
pub async fn count(store: &dyn KeyValueStore) -> Result<u64, StoreError> {
    let bytes = store.kv_get(&namespace(), COUNT_KEY).await?;
    Ok(bytes.and_then(|b| std::str::from_utf8(&b).ok()?.parse().ok()).unwrap_or(0))
}

/// The registry, in id order (empty when nothing was imported).
pub async fn load(store: &dyn KeyValueStore) -> Result<Vec<Expert>, StoreError> {
    match store.kv_get(&namespace(), KEY).await? {
        None => Ok(Vec::new()),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Failed(format!("the expert registry in the store is not readable: {e}"))),
    }
}

/// Merge `incoming` into the registry by name (a name already there keeps
/// its id and takes the new details); with `replace`, experts not in
/// `incoming` are removed.
pub async fn import(
    store: &dyn KeyValueStore,
    incoming: Vec<ImportedExpert>,
    replace: bool,
) -> Result<Imported, ExpertsError> {
    let incoming = checked(incoming)?;
    let mut registry = load(store).await?;
    let mut outcome = Imported::default();
    if replace {
        let before = registry.len();
        registry.retain(|e| incoming.iter().any(|i| i.name == e.name));
        outcome.removed = before - registry.len();
    }
    let mut next_id = registry.iter().map(|e| e.id).max().unwrap_or(0) + 1;
    for new in incoming {
        let details = |id| Expert {
            id,
            name: new.name.clone(),
            career: new.career.clone(),
            field: new.field.clone(),
            career_file_name: new.career_file_name.clone(),
            is_visible: new.is_visible,
        };
        match registry.iter_mut().find(|e| e.name == new.name) {
            Some(existing) => {
                *existing = details(existing.id);
                outcome.updated += 1;
            }
            None => {
                registry.push(details(next_id));
                next_id += 1;
                outcome.added += 1;
            }
        }
    }
    if registry.len() > MAX_EXPERTS {
        return Err(ExpertsError::Invalid(format!(
            "the registry would hold {} experts; at most {MAX_EXPERTS} fit (import with --replace to drop the others)",
            registry.len()
        )));
    }
    outcome.total = registry.len();
    let bytes = serde_json::to_vec(&registry).map_err(|e| ExpertsError::Invalid(e.to_string()))?;
    store.kv_set(&namespace(), KEY, &bytes, 2).await?;
    store.kv_set(&namespace(), COUNT_KEY, outcome.total.to_string().as_bytes(), 2).await?;
    Ok(outcome)
}

/// Names present and unique, lists trimmed of blank entries.
fn checked(incoming: Vec<ImportedExpert>) -> Result<Vec<ImportedExpert>, ExpertsError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(incoming.len());
    for (i, mut e) in incoming.into_iter().enumerate() {
        e.name = e.name.trim().to_string();
        if e.name.is_empty() || e.name.chars().count() > 100 || e.name.contains(['/', '\0']) {
            return Err(ExpertsError::Invalid(format!(
                "expert {} (counting from 1): `name` must be 1-100 characters without `/`",
                i + 1
            )));
        }
        if !seen.insert(e.name.clone()) {
            return Err(ExpertsError::Invalid(format!("expert `{}` appears twice in the file", e.name)));
        }
        let tidy = |items: Vec<String>| -> Vec<String> {
            items.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        };
        e.career = tidy(e.career);
        e.field = tidy(e.field);
        e.career_file_name = e.career_file_name.map(|f| f.trim().to_string()).filter(|f| !f.is_empty());
        out.push(e);
    }
    Ok(out)
}

/// Experts from a JSON file (an array, or `{"experts": [...]}`) or a CSV
/// file with a header row: `name, career, field, career_file_name,
/// is_visible`, list cells separated by `;` (or written as a JSON array).
pub fn parse(bytes: &[u8], csv: bool) -> Result<Vec<ImportedExpert>, ExpertsError> {
    if csv { parse_csv(bytes) } else { parse_json(bytes) }
}

fn parse_json(bytes: &[u8]) -> Result<Vec<ImportedExpert>, ExpertsError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ExpertsError::Invalid(format!("the file is not JSON: {e}")))?;
    let list = match value {
        serde_json::Value::Object(mut o) if o.contains_key("experts") => o.remove("experts").unwrap_or_default(),
        other => other,
    };
    serde_json::from_value(list).map_err(|e| {
        ExpertsError::Invalid(format!(
            "the file must be a list of experts (or {{\"experts\": [...]}}) with name, career[], field[], career_file_name, is_visible: {e}"
        ))
    })
}

fn parse_csv(bytes: &[u8]) -> Result<Vec<ImportedExpert>, ExpertsError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = reader.headers().map_err(|e| ExpertsError::Invalid(format!("the CSV header: {e}")))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name);
    let name_at = column("name").ok_or_else(|| {
        ExpertsError::Invalid(
            "the CSV needs a header row with `name` (and career, field, career_file_name, is_visible)".into(),
        )
    })?;
    let (career_at, field_at, file_at, visible_at) =
        (column("career"), column("field"), column("career_file_name"), column("is_visible"));
    let mut experts = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ExpertsError::Invalid(format!("CSV row {}: {e}", row + 2)))?;
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default().to_string();
        let list = |at: Option<usize>| -> Result<Vec<String>, ExpertsError> {
            let text = cell(at);
            if text.starts_with('[') {
                return serde_json::from_str(&text).map_err(|e| {
                    ExpertsError::Invalid(format!("CSV row {}: a list cell is not a JSON array: {e}", row + 2))
                });
            }
            Ok(text.split(';').map(str::to_string).collect())
        };
        let is_visible = match cell(visible_at).to_ascii_lowercase().as_str() {
            "" | "true" | "1" | "yes" | "y" => true,
            "false" | "0" | "no" | "n" => false,
            other => {
                return Err(ExpertsError::Invalid(format!(
                    "CSV row {}: is_visible is `{other}`; write true or false",
                    row + 2
                )));
            }
        };
        let file = cell(file_at);
        experts.push(ImportedExpert {
            name: cell(Some(name_at)),
            career: list(career_at)?,
            field: list(field_at)?,
            career_file_name: (!file.is_empty()).then_some(file),
            is_visible,
        });
    }
    Ok(experts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_with_list_cells_reads_like_the_json_form() {
        let csv = "name,career,field,career_file_name,is_visible\n\
                   홍길동,AI 연구소 선임연구원;헬스케어 스타트업 CTO,\"[\"\"인공지능\"\",\"\"헬스케어\"\"]\",홍길동_경력.pdf,true\n\
                   김철수,제조 컨설턴트,스마트팩토리,,false\n";
        let experts = parse(csv.as_bytes(), true).unwrap();
        assert_eq!(experts[0].career, ["AI 연구소 선임연구원", "헬스케어 스타트업 CTO"]);
        assert_eq!(experts[0].field, ["인공지능", "헬스케어"]);
        assert_eq!(experts[0].career_file_name.as_deref(), Some("홍길동_경력.pdf"));
        assert_eq!((experts[1].career_file_name.as_deref(), experts[1].is_visible), (None, false));
    }

    #[test]
    fn a_json_entry_with_an_unknown_field_is_refused_naming_it() {
        let err = parse(br#"{"experts": [{"name": "A", "fields": []}]}"#, false).unwrap_err().to_string();
        assert!(err.contains("fields"), "{err}");
    }

    #[test]
    fn a_name_twice_in_one_file_is_refused() {
        let err = checked(parse(br#"[{"name": "A"}, {"name": " A "}]"#, false).unwrap()).unwrap_err().to_string();
        assert!(err.contains("`A` appears twice"), "{err}");
    }
}

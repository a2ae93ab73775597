//! Spin's application variables: `[variables]` declares each one (with a
//! `default`, or `required = true`), and `[component.<id>.variables]` gives
//! the component its configuration keys as templates over them
//! (`api_key = "{{ kipris_api_key }}"`). The values come from the operator's
//! runtime configuration when a version is loaded (`runtime::config`); the
//! component reads its keys through `wasi:config/store` and sees nothing else.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A `[variables]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVariable {
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    required: bool,
    /// Spin's flag for values that must not be shown. Capsule never logs or
    /// shows any variable's value, so it changes nothing; it is accepted so
    /// Spin manifests load as they are.
    #[serde(default)]
    #[allow(dead_code)]
    secret: bool,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// A declared variable: its default, or none when it is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub default: Option<String>,
}

/// Variable names and component configuration keys: Spin's rule, lower-case
/// letters, digits and underscores, starting with a letter.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64
}

/// Check the `[variables]` table: names, and exactly one of `default` or `required`.
pub(super) fn declare(raw: &BTreeMap<String, RawVariable>) -> Result<BTreeMap<String, Declared>, String> {
    let mut declared = BTreeMap::new();
    for (name, v) in raw {
        if !valid_name(name) {
            return Err(format!(
                "`variables.{name}`: a variable name is lower-case letters, digits and `_`, starting with a letter"
            ));
        }
        match (&v.default, v.required) {
            (Some(_), true) => {
                return Err(format!("`variables.{name}` has a `default` and `required = true`; keep one"));
            }
            (None, false) => {
                return Err(format!(
                    "`variables.{name}` needs a `default = \"…\"` or `required = true` (the value must then be set when the host starts)"
                ));
            }
            _ => {}
        }
        declared.insert(name.clone(), Declared { default: v.default.clone() });
    }
    Ok(declared)
}

/// One configuration value of a component: text and `{{ variable }}` references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// A reference, with the declaration's default.
    Variable {
        name: String,
        default: Option<String>,
    },
}

impl Template {
    /// Parse `text` against the declared variables; `at` names the key for messages.
    pub(super) fn parse(text: &str, declared: &BTreeMap<String, Declared>, at: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or_else(|| format!("`{at}`: a `{{{{` is not closed by `}}}}`"))?;
            let name = after[..close].trim();
            let declaration = declared.get(name).ok_or_else(|| {
                format!("`{at}` refers to `{name}`, which [variables] does not declare; add `{name} = {{ default = \"…\" }}` or `{{ required = true }}`")
            })?;
            pieces.push(Piece::Variable { name: name.to_string(), default: declaration.default.clone() });
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Self(pieces))
    }

    /// The value, with each reference replaced by the operator's value for
    /// it, else its default. `Err` names a required variable that has no value.
    pub fn resolve(&self, value_of: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Variable { name, default } => match value_of(name).or_else(|| default.clone()) {
                    Some(value) => out.push_str(&value),
                    None => return Err(name.clone()),
                },
            }
        }
        Ok(out)
    }
}

/// Parse a component's `variables` table.
pub(super) fn component_templates(
    raw: &BTreeMap<String, String>,
    declared: &BTreeMap<String, Declared>,
    ckey: &str,
) -> Result<BTreeMap<String, Template>, String> {
    let mut templates = BTreeMap::new();
    for (key, text) in raw {
        if !valid_name(key) {
            return Err(format!(
                "`{ckey}.variables.{key}`: a configuration key is lower-case letters, digits and `_`, starting with a letter"
            ));
        }
        templates.insert(key.clone(), Template::parse(text, declared, &format!("{ckey}.variables.{key}"))?);
    }
    Ok(templates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> BTreeMap<String, Declared> {
        BTreeMap::from([
            ("host".to_string(), Declared { default: Some("example.com".into()) }),
            ("key".to_string(), Declared { default: None }),
        ])
    }

    #[test]
    fn a_template_mixes_text_and_references() {
        let t = Template::parse("https://{{ host }}/v1?k={{key}}", &declared(), "x").unwrap();
        let value = t.resolve(|n| (n == "key").then(|| "s3cret".to_string())).unwrap();
        assert_eq!(value, "https://example.com/v1?k=s3cret");
    }

    #[test]
    fn the_operators_value_wins_over_the_default() {
        let t = Template::parse("{{ host }}", &declared(), "x").unwrap();
        assert_eq!(t.resolve(|_| Some("proxy.local".into())).unwrap(), "proxy.local");
    }

    #[test]
    fn a_required_variable_without_a_value_is_named() {
        let t = Template::parse("{{ key }}", &declared(), "x").unwrap();
        assert_eq!(t.resolve(|_| None).unwrap_err(), "key");
    }

    #[test]
    fn an_undeclared_reference_and_an_unclosed_brace_are_errors_naming_the_key() {
        let err = Template::parse("{{ nope }}", &declared(), "component.a.variables.b").unwrap_err();
        assert!(err.contains("component.a.variables.b") && err.contains("`nope`"), "{err}");
        let err = Template::parse("{{ host", &declared(), "component.a.variables.b").unwrap_err();
        assert!(err.contains("not closed"), "{err}");
    }

    #[test]
    fn a_declaration_needs_exactly_one_of_default_and_required() {
        let both = BTreeMap::from([(
            "a".to_string(),
            RawVariable { default: Some("x".into()), required: true, secret: false, description: None },
        )]);
        assert!(declare(&both).unwrap_err().contains("keep one"));
        let neither = BTreeMap::from([(
            "a".to_string(),
            RawVariable { default: None, required: false, secret: false, description: None },
        )]);
        assert!(declare(&neither).unwrap_err().contains("required = true"));
        let upper = BTreeMap::from([(
            "Key".to_string(),
            RawVariable { default: None, required: true, secret: true, description: None },
        )]);
        assert!(declare(&upper).unwrap_err().contains("lower-case"));
    }
}

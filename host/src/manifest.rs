//! `spin.toml`: the application manifest (Spin manifest v2 shape with a `job`
//! trigger type). Parsing is strict: an unknown key, a trigger naming a
//! component that does not exist, or a bad value is a start-up error that
//! names the key.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod pipeline;
mod variables;
pub use pipeline::{Mapping, PipelineSpec, StepSpec};
pub use variables::Template;

/// Whether `grants` let a component fetch `url`: http(s) only, on a granted
/// host and port. `Err` is the `scheme://host:port` that was refused, for messages.
pub fn check_url_granted(grants: &[OutboundHost], url: &reqwest::Url) -> Result<(), String> {
    let (scheme, host) = (url.scheme(), url.host_str().unwrap_or_default());
    let port = url.port_or_known_default().unwrap_or(0);
    if matches!(scheme, "http" | "https") && grants.iter().any(|g| g.allows(scheme, host, port)) {
        Ok(())
    } else {
        Err(format!("{scheme}://{host}:{port}"))
    }
}

/// Defaults for `[[trigger.job]]` keys that are left out.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
pub const DEFAULT_CONCURRENCY: u32 = 4;
pub const DEFAULT_MEMORY: u64 = 128 * 1024 * 1024;
/// A component's memory is reserved up front in the instance pool; beyond
/// this a single job could starve the host.
pub const MAX_MEMORY: u64 = 4 * 1024 * 1024 * 1024;

/// Component ids the host keeps its own records under (`seed-000`, …).
pub const RESERVED_ID_PREFIX: &str = "seed-";

/// Path segments the native API uses itself; a capability cannot take them.
pub const RESERVED_NAMES: &[&str] = &["jobs", "files", "capabilities", "components", "health"];

/// Host engines a component may be granted (`engines = [...]`), by the name
/// of the WIT interface that lends them. (Key-value stores are granted by
/// their own key, `key_value_stores`.)
pub use crate::engines::ENGINE_GRANTS as ENGINES;

/// A key-value store label: what `key_value_stores` lists and
/// `wasi:keyvalue/store.open` names.
pub fn valid_store_label(label: &str) -> bool {
    (1..=64).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'))
}

/// A model alias: what `ai_models` lists and the runtime configuration maps.
pub fn valid_alias(alias: &str) -> bool {
    (1..=64).contains(&alias.len())
        && alias.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read manifest {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The validated application: one entry per served capability.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    pub application: String,
    pub capabilities: Vec<CapabilitySpec>,
    /// `[[trigger.job]]` entries naming a pipeline of those capabilities.
    pub pipelines: Vec<PipelineSpec>,
}

/// Everything the host needs to serve one capability.
#[derive(Debug, Clone)]
pub struct CapabilitySpec {
    /// The component id (`[component.<id>]`); the descriptor's `name` must equal it.
    pub id: String,
    /// The path segment clients use: `/api/v1/<name>` and `/api/v1/<name>/jobs`.
    pub name: String,
    pub route: String,
    /// Absolute path of the `.wasm` file.
    pub source: PathBuf,
    pub allowed_outbound_hosts: Vec<OutboundHost>,
    /// Host engines the component may import (a subset of [`ENGINES`]).
    pub engines: BTreeSet<String>,
    /// Model aliases the component may ask the `llm` engine for (Spin's
    /// `ai_models`); which provider serves an alias is the operator's
    /// runtime configuration, never the manifest's.
    pub ai_models: BTreeSet<String>,
    /// Key-value store labels the component may open through
    /// `wasi:keyvalue/store` (Spin's `key_value_stores`).
    pub key_value_stores: BTreeSet<String>,
    /// The component's configuration keys (`[component.<id>.variables]`),
    /// read through `wasi:config/store`; resolved against the operator's
    /// values when a version is loaded.
    pub variables: BTreeMap<String, Template>,
    pub build: Option<BuildSpec>,
    pub timeout: Duration,
    pub max_attempts: u32,
    pub concurrency: u32,
    pub memory: u64,
    pub cache: bool,
}

#[derive(Debug, Clone)]
pub struct BuildSpec {
    pub command: String,
    /// Absolute directory the command runs in.
    pub workdir: PathBuf,
    /// Globs (relative to `workdir`) whose changes trigger a rebuild under `serve --watch`.
    pub watch: Vec<String>,
}

/// One `allowed_outbound_hosts` entry: `scheme://host[:port]`; `*` matches any host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundHost {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

impl OutboundHost {
    fn parse(entry: &str) -> Result<Self, String> {
        let (scheme, rest) = entry.split_once("://").ok_or_else(|| {
            format!("`{entry}` must look like `https://api.example.com` or `https://api.example.com:8443`")
        })?;
        if !matches!(scheme, "http" | "https" | "*") {
            return Err(format!("`{entry}`: only http, https or * schemes can be granted"));
        }
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| format!("`{entry}`: `{p}` is not a port number"))?)),
            None => (rest, None),
        };
        if host.is_empty() || host.contains('/') {
            return Err(format!("`{entry}`: the host part is empty or contains a path"));
        }
        Ok(Self { scheme: scheme.to_string(), host: host.to_ascii_lowercase(), port })
    }

    /// Whether this grant lets a component reach `scheme://host:port`.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = self.scheme == "*" || self.scheme == scheme;
        let host_ok = self.host == "*" || self.host.eq_ignore_ascii_case(host);
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port_ok = self.port.unwrap_or(default_port) == port;
        scheme_ok && host_ok && port_ok
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    spin_manifest_version: u32,
    application: RawApplication,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
    /// Spin's application variables: `name = { default = "…" }` or `{ required = true }`.
    #[serde(default)]
    variables: BTreeMap<String, variables::RawVariable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplication {
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    authors: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    #[serde(default)]
    job: Vec<RawJobTrigger>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJobTrigger {
    /// One component, or:
    component: Option<String>,
    /// a pipeline of components (`steps`, `output`).
    pipeline: Option<String>,
    #[serde(default)]
    steps: Vec<pipeline::RawStep>,
    output: Option<pipeline::RawMapping>,
    route: Option<String>,
    timeout: Option<String>,
    max_attempts: Option<u32>,
    concurrency: Option<u32>,
    memory: Option<String>,
    cache: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    source: String,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    /// Capsule's extension: host engines lent to the component.
    #[serde(default)]
    engines: Vec<String>,
    /// Spin's key: model aliases the component may use.
    #[serde(default)]
    ai_models: Vec<String>,
    /// Spin's key: key-value store labels the component may open.
    #[serde(default)]
    key_value_stores: Vec<String>,
    /// Spin's key: configuration keys → templates over `[variables]`.
    #[serde(default)]
    variables: BTreeMap<String, String>,
    build: Option<RawBuild>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    command: String,
    workdir: Option<String>,
    #[serde(default)]
    watch: Vec<String>,
}

impl Manifest {
    /// Read and validate a manifest. `require_sources` is false when the
    /// caller is about to run the build commands that produce them.
    pub fn load(path: &Path, require_sources: bool) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read { path: path.into(), source })?;
        Self::parse(&text, path, require_sources)
    }

    pub fn parse(text: &str, path: &Path, require_sources: bool) -> Result<Self, ManifestError> {
        let invalid = |message: String| ManifestError::Invalid { path: path.to_path_buf(), message };
        let raw: RawManifest = toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        if raw.spin_manifest_version != 2 {
            return Err(invalid(format!(
                "`spin_manifest_version` is {}; Capsule reads version 2 manifests",
                raw.spin_manifest_version
            )));
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };
        let base = std::fs::canonicalize(&base).unwrap_or(base);

        let declared = variables::declare(&raw.variables).map_err(invalid)?;
        let mut capabilities = Vec::new();
        let mut names = BTreeSet::new();
        let mut pipelines = Vec::new();
        for (i, t) in raw.trigger.job.iter().enumerate() {
            let at = format!("trigger.job[{i}]");
            let component = match (&t.component, &t.pipeline) {
                (Some(c), None) => c,
                (None, Some(_)) => {
                    // Validated once every component trigger is known.
                    pipelines.push((i, t));
                    continue;
                }
                _ => {
                    return Err(invalid(format!(
                        "`{at}` must name either a `component` or a `pipeline` (with `steps`), not both or neither"
                    )));
                }
            };
            if !t.steps.is_empty() || t.output.is_some() {
                return Err(invalid(format!("`{at}` names a component; `steps` and `output` belong to a `pipeline`")));
            }
            let t = ComponentTrigger { component: component.clone(), trigger: t };
            let comp = raw.component.get(&t.component).ok_or_else(|| {
                invalid(format!(
                    "`{at}.component` names `{}`, but there is no [component.{}]",
                    t.component, t.component
                ))
            })?;
            if !valid_id(&t.component) {
                return Err(invalid(format!(
                    "component id `{}` must be lower-case letters, digits and dashes, starting with a letter",
                    t.component
                )));
            }
            // The seed routes keep their records (expert and report registries,
            // uploads) in key-value namespaces under these ids: a component
            // taking one could read or overwrite them through `key_value_stores`.
            if t.component.starts_with(RESERVED_ID_PREFIX) {
                return Err(invalid(format!(
                    "component id `{}`: ids starting with `{RESERVED_ID_PREFIX}` are reserved for the host's own records; choose another",
                    t.component
                )));
            }
            let (route, name) = api_name(&at, t.route.as_deref(), &t.component).map_err(&invalid)?;
            if !names.insert(name.clone()) {
                return Err(invalid(format!("`{at}.route` `{route}` is used by another trigger")));
            }
            let timeout = match &t.timeout {
                Some(s) => humantime::parse_duration(s)
                    .map_err(|e| invalid(format!("`{at}.timeout` `{s}`: {e} (write e.g. \"30s\" or \"2m\")")))?,
                None => DEFAULT_TIMEOUT,
            };
            if timeout.is_zero() {
                return Err(invalid(format!("`{at}.timeout` must be longer than zero")));
            }
            let memory = match &t.memory {
                Some(s) => s
                    .parse::<bytesize::ByteSize>()
                    .map_err(|e| invalid(format!("`{at}.memory` `{s}`: {e} (write e.g. \"256MiB\")")))?
                    .as_u64(),
                None => DEFAULT_MEMORY,
            };
            if !(1024 * 1024..=MAX_MEMORY).contains(&memory) {
                return Err(invalid(format!("`{at}.memory` must be between 1MiB and 4GiB")));
            }
            let max_attempts = t.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
            if max_attempts == 0 {
                return Err(invalid(format!("`{at}.max_attempts` must be at least 1")));
            }
            let concurrency = t.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
            if !(1..=1024).contains(&concurrency) {
                return Err(invalid(format!("`{at}.concurrency` must be between 1 and 1024")));
            }

            let ckey = format!("component.{}", t.component);
            let source = base.join(&comp.source);
            if require_sources && !source.is_file() {
                let hint = if comp.build.is_some() { " (build it first, or run `capsule serve --build`)" } else { "" };
                return Err(invalid(format!("`{ckey}.source`: file {} does not exist{hint}", source.display())));
            }
            let allowed_outbound_hosts = comp
                .allowed_outbound_hosts
                .iter()
                .map(|h| OutboundHost::parse(h).map_err(|e| invalid(format!("`{ckey}.allowed_outbound_hosts`: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let mut engines = BTreeSet::new();
            for engine in &comp.engines {
                if let Some((_, crate::engines::Grant::Key(key))) =
                    crate::engines::GRANTS.iter().find(|(name, _)| name == engine)
                {
                    return Err(invalid(format!(
                        "`{ckey}.engines`: `{engine}` is not granted through `engines` but by its own key: write `{key} = [\"default\"]` under [{ckey}]"
                    )));
                }
                if !ENGINES.contains(&engine.as_str()) {
                    return Err(invalid(format!(
                        "`{ckey}.engines`: `{engine}` is not an engine this host lends; choose from {}",
                        ENGINES.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
                    )));
                }
                engines.insert(engine.clone());
            }
            let mut ai_models = BTreeSet::new();
            for alias in &comp.ai_models {
                if !valid_alias(alias) {
                    return Err(invalid(format!(
                        "`{ckey}.ai_models`: `{alias}` is not a model alias; use 1-64 of `a-z`, `0-9`, `-`, `_`, `.` (e.g. `default`)"
                    )));
                }
                ai_models.insert(alias.clone());
            }
            if !ai_models.is_empty() && !engines.contains("llm") {
                return Err(invalid(format!(
                    "`{ckey}.ai_models` lists model aliases but `{ckey}.engines` does not grant `llm`: add `engines = [\"llm\"]`"
                )));
            }
            let mut key_value_stores = BTreeSet::new();
            for label in &comp.key_value_stores {
                if !valid_store_label(label) {
                    return Err(invalid(format!(
                        "`{ckey}.key_value_stores`: `{label}` is not a store label; use 1-64 of `a-z`, `0-9`, `-`, `_` (e.g. `default`)"
                    )));
                }
                key_value_stores.insert(label.clone());
            }
            let variables = variables::component_templates(&comp.variables, &declared, &ckey).map_err(invalid)?;
            let build = comp.build.as_ref().map(|b| BuildSpec {
                command: b.command.clone(),
                workdir: b.workdir.as_ref().map(|w| base.join(w)).unwrap_or_else(|| base.clone()),
                watch: b.watch.clone(),
            });
            capabilities.push(CapabilitySpec {
                id: t.component.clone(),
                name,
                route,
                source,
                allowed_outbound_hosts,
                engines,
                ai_models,
                key_value_stores,
                variables,
                build,
                timeout,
                max_attempts,
                concurrency,
                memory,
                cache: t.cache.unwrap_or(false),
            });
        }
        let mut seen = BTreeSet::new();
        for c in &capabilities {
            if !seen.insert(&c.id) {
                return Err(invalid(format!("component `{}` has more than one [[trigger.job]]", c.id)));
            }
        }
        let components: BTreeSet<&str> = capabilities.iter().map(|c| c.id.as_str()).collect();
        let pipelines = pipelines
            .into_iter()
            .map(|(i, t)| pipeline_trigger(&format!("trigger.job[{i}]"), t, &components, &mut names))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        Ok(Self { path: path.to_path_buf(), application: raw.application.name, capabilities, pipelines })
    }
}

/// A component trigger: the raw trigger with its component named.
struct ComponentTrigger<'a> {
    component: String,
    trigger: &'a RawJobTrigger,
}

impl std::ops::Deref for ComponentTrigger<'_> {
    type Target = RawJobTrigger;
    fn deref(&self) -> &RawJobTrigger {
        self.trigger
    }
}

/// The route (`/api/v1/<name>` by default) and the API name in it.
fn api_name(at: &str, route: Option<&str>, id: &str) -> Result<(String, String), String> {
    let route = route.map(str::to_string).unwrap_or_else(|| format!("/api/v1/{id}"));
    let name = route
        .strip_prefix("/api/v1/")
        .filter(|n| valid_id(n) && !RESERVED_NAMES.contains(n))
        .ok_or_else(|| {
            format!(
                "`{at}.route` is `{route}`; it must be `/api/v1/<name>` with a lower-case name other than {}",
                RESERVED_NAMES.join(", ")
            )
        })?
        .to_string();
    Ok((route, name))
}

/// A `[[trigger.job]]` with `pipeline = "…"`: its steps name components
/// served by other triggers. Keys that only mean something for one
/// component (timeout, memory, cache) are refused, naming where they go.
fn pipeline_trigger(
    at: &str,
    t: &RawJobTrigger,
    components: &BTreeSet<&str>,
    names: &mut BTreeSet<String>,
) -> Result<PipelineSpec, String> {
    let id = t.pipeline.clone().unwrap_or_default();
    if !valid_id(&id) {
        return Err(format!(
            "pipeline id `{id}` must be lower-case letters, digits and dashes, starting with a letter"
        ));
    }
    if components.contains(id.as_str()) {
        return Err(format!("`{at}.pipeline` `{id}` is also a component's id; give the pipeline its own name"));
    }
    for (key, set) in [("timeout", t.timeout.is_some()), ("memory", t.memory.is_some()), ("cache", t.cache.is_some())] {
        if set {
            return Err(format!(
                "`{at}.{key}` does not apply to a pipeline; set it on the [[trigger.job]] of each step's component"
            ));
        }
    }
    let (route, name) = api_name(at, t.route.as_deref(), &id)?;
    if !names.insert(name.clone()) {
        return Err(format!("`{at}.route` `{route}` is used by another trigger"));
    }
    let max_attempts = t.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
    if max_attempts == 0 {
        return Err(format!("`{at}.max_attempts` must be at least 1"));
    }
    let concurrency = t.concurrency.unwrap_or(DEFAULT_PIPELINE_CONCURRENCY);
    if !(1..=1024).contains(&concurrency) {
        return Err(format!("`{at}.concurrency` must be between 1 and 1024"));
    }
    let (steps, output) = pipeline::steps(at, &t.steps, t.output.as_ref(), components)?;
    Ok(PipelineSpec { id, name, route, steps, output, max_attempts, concurrency })
}

/// A pipeline's job mostly waits for its steps: many fit on one host.
pub const DEFAULT_PIPELINE_CONCURRENCY: u32 = 64;

/// Component ids and API names: lower-case letters, digits and dashes,
/// starting with a letter, at most 64 characters.
pub fn valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, String> {
        Manifest::parse(text, Path::new("/nonexistent/spin.toml"), false).map_err(|e| e.to_string())
    }

    const MINIMAL: &str = r#"
spin_manifest_version = 2
[application]
name = "demo"
[[trigger.job]]
component = "echo"
timeout = "2s"
memory = "64MiB"
[component.echo]
source = "echo.wasm"
"#;

    #[test]
    fn minimal_manifest_gets_defaults() {
        let m = parse(MINIMAL).unwrap();
        let c = &m.capabilities[0];
        assert_eq!(c.name, "echo");
        assert_eq!(c.route, "/api/v1/echo");
        assert_eq!(c.timeout, Duration::from_secs(2));
        assert_eq!(c.memory, 64 * 1024 * 1024);
        assert_eq!(c.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert!(!c.cache);
    }

    #[test]
    fn unknown_key_is_an_error_naming_it() {
        let err = parse(&MINIMAL.replace("timeout = \"2s\"", "timeout = \"2s\"\nretries = 4")).unwrap_err();
        assert!(err.contains("retries"), "{err}");
    }

    #[test]
    fn trigger_for_missing_component_names_it() {
        let err = parse(&MINIMAL.replace("component = \"echo\"", "component = \"nope\"")).unwrap_err();
        assert!(err.contains("trigger.job[0].component") && err.contains("nope"), "{err}");
    }

    #[test]
    fn missing_source_file_is_an_error_naming_the_key() {
        let err = Manifest::parse(MINIMAL, Path::new("/nonexistent/spin.toml"), true).unwrap_err().to_string();
        assert!(err.contains("component.echo.source"), "{err}");
    }

    #[test]
    fn bad_memory_and_timeout_are_rejected() {
        assert!(parse(&MINIMAL.replace("64MiB", "lots")).unwrap_err().contains("memory"));
        assert!(parse(&MINIMAL.replace("\"2s\"", "\"soon\"")).unwrap_err().contains("timeout"));
    }

    #[test]
    fn route_must_be_under_api_v1_and_not_reserved() {
        let err = parse(&MINIMAL.replace("timeout = \"2s\"", "route = \"/api/v1/jobs\"")).unwrap_err();
        assert!(err.contains("route"), "{err}");
        let err = parse(&MINIMAL.replace("timeout = \"2s\"", "route = \"/elsewhere\"")).unwrap_err();
        assert!(err.contains("route"), "{err}");
    }

    #[test]
    fn outbound_hosts_are_parsed_and_matched() {
        let h = OutboundHost::parse("https://api.example.com").unwrap();
        assert!(h.allows("https", "API.example.com", 443));
        assert!(!h.allows("http", "api.example.com", 80));
        assert!(!h.allows("https", "evil.com", 443));
        let any = OutboundHost::parse("*://*:8080").unwrap();
        assert!(any.allows("http", "x", 8080));
        assert!(OutboundHost::parse("api.example.com").is_err());
    }

    #[test]
    fn granted_engines_are_read_per_component() {
        let m = parse(
            &MINIMAL.replace("source = \"echo.wasm\"", "source = \"echo.wasm\"\nengines = [\"ocr\", \"pdf-render\"]"),
        )
        .unwrap();
        let engines: Vec<&str> = m.capabilities[0].engines.iter().map(String::as_str).collect();
        assert_eq!(engines, ["ocr", "pdf-render"]);
        assert!(parse(MINIMAL).unwrap().capabilities[0].engines.is_empty());
    }

    #[test]
    fn component_variables_are_templates_over_declared_variables() {
        let text = MINIMAL.replace(
            "source = \"echo.wasm\"",
            "source = \"echo.wasm\"\nvariables = { api_url = \"https://{{ host }}/v1\" }",
        ) + "[variables]\nhost = { default = \"example.com\" }\n";
        let m = parse(&text).unwrap();
        let url = &m.capabilities[0].variables["api_url"];
        assert_eq!(url.resolve(|_| None).unwrap(), "https://example.com/v1");
    }

    #[test]
    fn a_component_variable_naming_an_undeclared_variable_is_refused() {
        let text = MINIMAL
            .replace("source = \"echo.wasm\"", "source = \"echo.wasm\"\nvariables = { key = \"{{ api_key }}\" }");
        let err = parse(&text).unwrap_err();
        assert!(err.contains("component.echo.variables.key") && err.contains("`api_key`"), "{err}");
    }

    #[test]
    fn key_value_stores_are_granted_by_label() {
        let m = parse(&MINIMAL.replace(
            "source = \"echo.wasm\"",
            "source = \"echo.wasm\"\nkey_value_stores = [\"default\", \"chat_rooms-2\"]",
        ))
        .unwrap();
        let labels: Vec<&str> = m.capabilities[0].key_value_stores.iter().map(String::as_str).collect();
        assert_eq!(labels, ["chat_rooms-2", "default"]);
        assert!(parse(MINIMAL).unwrap().capabilities[0].key_value_stores.is_empty());
    }

    #[test]
    fn a_store_label_outside_the_rules_is_refused_naming_the_key() {
        for label in ["", "Default", "a.b", "with space", &"x".repeat(65)] {
            let text = MINIMAL
                .replace("source = \"echo.wasm\"", &format!("source = \"echo.wasm\"\nkey_value_stores = [{label:?}]"));
            let err = parse(&text).unwrap_err();
            assert!(err.contains("component.echo.key_value_stores") && err.contains("store label"), "{label}: {err}");
        }
    }

    #[test]
    fn key_value_stores_are_not_an_engine_to_list() {
        let err = parse(&MINIMAL.replace("source = \"echo.wasm\"", "source = \"echo.wasm\"\nengines = [\"keyvalue\"]"))
            .unwrap_err();
        assert!(err.contains("component.echo.engines") && err.contains("key_value_stores"), "{err}");
        assert!(!ENGINES.contains(&"keyvalue") && ENGINES.contains(&"vectors"), "{ENGINES:?}");
    }

    const PIPELINE: &str = r#"
[[trigger.job]]
pipeline = "guideline"
route = "/api/v1/guidelines"
[[trigger.job.steps]]
name = "summarize"
component = "echo"
[[trigger.job.steps]]
name = "checklist"
component = "echo"
input = { text = "/input/text", summary = "/summarize/summary" }
[trigger.job.output]
summary = "/summarize/summary"
"#;

    #[test]
    fn a_pipeline_trigger_reads_its_steps_and_mappings() {
        let m = parse(&format!("{MINIMAL}{PIPELINE}")).unwrap();
        let p = &m.pipelines[0];
        assert_eq!((p.id.as_str(), p.name.as_str()), ("guideline", "guidelines"));
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[0].input, None);
        let Some(Mapping::Fields(fields)) = &p.steps[1].input else { panic!("{:?}", p.steps[1].input) };
        assert_eq!(fields["summary"], "/summarize/summary");
        assert_eq!(p.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert_eq!(m.capabilities.len(), 1, "a pipeline is not a component");
    }

    #[test]
    fn a_pointer_to_a_later_step_is_refused_naming_the_roots_it_may_use() {
        let text = format!("{MINIMAL}{}", PIPELINE.replace("\"/summarize/summary\" }", "\"/checklist/x\" }"));
        let err = parse(&text).unwrap_err();
        assert!(err.contains("trigger.job[1].steps[1].input.summary") && err.contains("/input, /summarize"), "{err}");
    }

    #[test]
    fn a_step_naming_a_component_without_a_trigger_is_refused() {
        let text = format!("{MINIMAL}{}", PIPELINE.replacen("component = \"echo\"", "component = \"ghost\"", 1));
        let err = parse(&text).unwrap_err();
        assert!(err.contains("trigger.job[1].steps[0].component") && err.contains("`ghost`"), "{err}");
    }

    #[test]
    fn item_pointers_belong_to_fan_out_steps_only() {
        let text = format!("{MINIMAL}{}", PIPELINE.replace("\"/input/text\"", "\"/item/text\""));
        assert!(parse(&text).unwrap_err().contains("steps[1].input.text"));
        let fan = PIPELINE.replace("input = {", "for_each = \"/summarize/sections\"\ninput = {");
        let text = format!("{MINIMAL}{}", fan.replace("\"/input/text\"", "\"/item/text\""));
        assert!(parse(&text).is_ok(), "{:?}", parse(&text).err());
    }

    #[test]
    fn a_trigger_with_both_component_and_pipeline_is_refused() {
        let text = format!(
            "{MINIMAL}{}",
            PIPELINE.replace("pipeline = \"guideline\"", "pipeline = \"guideline\"\ncomponent = \"echo\"")
        );
        assert!(parse(&text).unwrap_err().contains("either a `component` or a `pipeline`"));
    }

    #[test]
    fn component_settings_on_a_pipeline_are_refused_naming_where_they_go() {
        let text = format!("{MINIMAL}{}", PIPELINE.replace("route = ", "timeout = \"5s\"\nroute = "));
        let err = parse(&text).unwrap_err();
        assert!(err.contains("trigger.job[1].timeout") && err.contains("each step's component"), "{err}");
    }

    #[test]
    fn a_component_id_in_the_hosts_own_namespace_is_refused() {
        let text = MINIMAL.replace("\"echo\"", "\"seed-000\"").replace("[component.echo]", "[component.seed-000]");
        let err = parse(&text).unwrap_err();
        assert!(err.contains("`seed-000`") && err.contains("reserved"), "{err}");
    }

    #[test]
    fn an_engine_the_host_does_not_lend_is_refused_naming_the_choices() {
        let err = parse(&MINIMAL.replace("source = \"echo.wasm\"", "source = \"echo.wasm\"\nengines = [\"gpu\"]"))
            .unwrap_err();
        assert!(err.contains("component.echo.engines") && err.contains("`gpu`") && err.contains("`ocr`"), "{err}");
    }
}

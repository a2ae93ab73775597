//! `wasi:config/store` for components (the `wasmtime-wasi-config` crate):
//! each job reads its own component's configuration keys, resolved when the
//! version was loaded from the templates in spin.toml and the operator's
//! values. A component sees only its keys, never the variables behind them
//! nor another component's keys; values are never logged.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::component::Linker;
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};

use super::JobState;
use crate::manifest::CapabilitySpec;

/// Where the operator's value of variable `name` is read from first.
pub const ENV_PREFIX: &str = "CAPSULE_VARIABLE_";

/// The operator's values for spin.toml's `[variables]`: the environment
/// (`CAPSULE_VARIABLE_<NAME>`) over the runtime-config file's `[variables]` table.
#[derive(Debug, Clone, Default)]
pub struct VariableValues(BTreeMap<String, String>);

impl VariableValues {
    /// `file` is the runtime-config table; `env` the process environment.
    pub fn new(file: BTreeMap<String, String>, env: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut values = file;
        for (key, value) in env {
            if let Some(name) = key.strip_prefix(ENV_PREFIX) {
                values.insert(name.to_ascii_lowercase(), value);
            }
        }
        Self(values)
    }

    /// The component's configuration: each of its keys with its template
    /// filled in. `Err` says which required variable has no value and how to give one.
    pub fn resolve(&self, spec: &CapabilitySpec) -> Result<BTreeMap<String, String>, String> {
        let mut resolved = BTreeMap::new();
        for (key, template) in &spec.variables {
            let value = template.resolve(|name| self.0.get(name).cloned()).map_err(|name| {
                format!(
                    "`component.{}.variables.{key}` needs the variable `{name}`, which is required and has no value: \
                     set {ENV_PREFIX}{} or `{name}` under [variables] in the runtime-config file",
                    spec.id,
                    name.to_ascii_uppercase()
                )
            })?;
            resolved.insert(key.clone(), value);
        }
        Ok(resolved)
    }
}

/// What a job's `wasi:config/store` answers from.
pub fn store_of(resolved: &BTreeMap<String, String>) -> Arc<WasiConfigVariables> {
    Arc::new(resolved.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
}

/// Link `wasi:config/store` to each job's own configuration.
pub fn link(linker: &mut Linker<JobState>) -> wasmtime::Result<()> {
    wasmtime_wasi_config::add_to_linker(linker, |state: &mut JobState| WasiConfig::from(&*state.config))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::Manifest;

    fn spec(variables: &str, declarations: &str) -> CapabilitySpec {
        let text = format!(
            "spin_manifest_version = 2\n[application]\nname = \"t\"\n[[trigger.job]]\ncomponent = \"search\"\n\
             [component.search]\nsource = \"s.wasm\"\nvariables = {variables}\n[variables]\n{declarations}"
        );
        Manifest::parse(&text, Path::new("/nonexistent/spin.toml"), false).unwrap().capabilities.remove(0)
    }

    #[test]
    fn the_environment_wins_over_the_runtime_config_file() {
        let spec = spec("{ key = \"{{ api_key }}\" }", "api_key = { required = true }");
        let file = BTreeMap::from([("api_key".to_string(), "from-file".to_string())]);
        let env = [("CAPSULE_VARIABLE_API_KEY".to_string(), "from-env".to_string())];
        let resolved = VariableValues::new(file.clone(), env).resolve(&spec).unwrap();
        assert_eq!(resolved["key"], "from-env");
        let resolved = VariableValues::new(file, []).resolve(&spec).unwrap();
        assert_eq!(resolved["key"], "from-file");
    }

    #[test]
    fn a_required_variable_without_a_value_names_the_setting_that_gives_it() {
        let spec = spec("{ key = \"{{ api_key }}\" }", "api_key = { required = true }");
        let err = VariableValues::default().resolve(&spec).unwrap_err();
        assert!(err.contains("CAPSULE_VARIABLE_API_KEY") && err.contains("component.search.variables.key"), "{err}");
    }
}

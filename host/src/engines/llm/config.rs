//! Which provider serves each model alias: the operator's runtime
//! configuration (flags, environment, or the runtime-config file), never
//! `spin.toml`. API keys come from the environment or that file and are
//! never printed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::engines::openai::{Endpoint, Secret};

#[derive(Debug, Clone, Default)]
pub struct LlmSettings {
    pub aliases: BTreeMap<String, ProviderConfig>,
}

#[derive(Debug, Clone)]
pub enum ProviderConfig {
    Local(LocalOptions),
    OpenAi(Endpoint),
}

/// A GGUF model run in-process by llama.cpp.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    pub path: PathBuf,
    /// Threads per generation (llama.cpp's own default oversubscribes small machines).
    pub threads: usize,
    /// Context length in tokens.
    pub context: u32,
    /// Generations at once; more wait for a turn.
    pub concurrency: usize,
}

impl LocalOptions {
    /// One thread per generation and one generation per core: llama.cpp's
    /// threads busy-wait on each other every token, and on a busy two-core
    /// machine two threads fell to a tenth of one thread's speed
    /// (docs/benchmarks.md). `threads` in the runtime config trades that
    /// robustness for a faster single generation on an idle machine.
    pub fn new(path: PathBuf) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self { path, threads: 1, context: 2048, concurrency: cores }
    }
}

/// The alias the bundled plumbing model answers to with zero
/// configuration. Not `default`: a 135M model must never serve a quality
/// task unless an operator says so.
pub const BUNDLED_ALIAS: &str = "tiny";

/// The model the set-up fetched (SmolLM2-135M-Instruct, Q4_1), if present.
pub fn bundled_model() -> PathBuf {
    llm_local::default_model_path()
}

pub fn endpoint(base_url: &str, model: &str, api_key: Option<String>) -> Endpoint {
    Endpoint {
        base_url: base_url.trim_end_matches('/').to_string(),
        model: model.to_string(),
        api_key: api_key.filter(|k| !k.is_empty()).map(Secret),
        concurrency: 8,
        connect_timeout: Duration::from_secs(10),
        read_timeout: Duration::from_secs(60),
        retries: 2,
    }
}

/// `ALIAS=local`, `ALIAS=local:/path/model.gguf`, `ALIAS=openai:MODEL@URL`
/// (the key from `OPENAI_API_KEY`), or `ALIAS=off` to remove an alias.
pub fn parse_flag(flag: &str, api_key: Option<&str>) -> Result<(String, Option<ProviderConfig>), String> {
    let (alias, spec) = flag
        .split_once('=')
        .ok_or_else(|| format!("`{flag}`: write ALIAS=local[:FILE.gguf] or ALIAS=openai:MODEL@URL"))?;
    let alias = alias.trim();
    if !crate::manifest::valid_alias(alias) {
        return Err(format!("`{alias}` is not a model alias; use 1-64 of `a-z`, `0-9`, `-`, `_`, `.`"));
    }
    let provider = match spec.trim() {
        "off" => None,
        "local" => Some(ProviderConfig::Local(LocalOptions::new(bundled_model()))),
        s if s.starts_with("local:") => Some(ProviderConfig::Local(LocalOptions::new(PathBuf::from(&s[6..])))),
        s if s.starts_with("openai:") => {
            let (model, url) = s[7..].split_once('@').ok_or_else(|| {
                format!(
                    "`{flag}`: write ALIAS=openai:MODEL@URL, e.g. default=openai:gpt-4o-mini@https://api.openai.com/v1"
                )
            })?;
            reqwest::Url::parse(url).map_err(|e| format!("`{flag}`: `{url}` is not a URL: {e}"))?;
            Some(ProviderConfig::OpenAi(endpoint(url, model, api_key.map(str::to_string))))
        }
        other => {
            return Err(format!(
                "`{other}` is not a provider; use `local`, `local:FILE.gguf`, `openai:MODEL@URL` or `off`"
            ));
        }
    };
    Ok((alias.to_string(), provider))
}

/// The `[llm.<alias>]` tables of the runtime-config file.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAlias {
    provider: String,
    /// local: the GGUF file.
    path: Option<PathBuf>,
    /// openai: the endpoint and model.
    url: Option<String>,
    model: Option<String>,
    /// openai: the key itself, or (better) the environment variable that holds it.
    api_key: Option<String>,
    api_key_env: Option<String>,
    concurrency: Option<usize>,
    threads: Option<usize>,
    context: Option<u32>,
    timeout: Option<String>,
    retries: Option<u32>,
}

impl FileAlias {
    pub fn into_provider(self, alias: &str) -> Result<ProviderConfig, String> {
        let at = format!("[llm.{alias}]");
        match self.provider.as_str() {
            "local" => {
                let mut options = LocalOptions::new(self.path.unwrap_or_else(bundled_model));
                if let Some(t) = self.threads {
                    options.threads = t.max(1);
                }
                if let Some(c) = self.context {
                    options.context = c.clamp(256, 131_072);
                }
                if let Some(c) = self.concurrency {
                    options.concurrency = c.max(1);
                }
                Ok(ProviderConfig::Local(options))
            }
            "openai" => {
                let url = self.url.ok_or_else(|| format!("{at}: `url` is required for provider `openai`"))?;
                reqwest::Url::parse(&url).map_err(|e| format!("{at}: `url` `{url}` is not a URL: {e}"))?;
                let model = self.model.ok_or_else(|| format!("{at}: `model` is required for provider `openai`"))?;
                let key = match (self.api_key, self.api_key_env) {
                    (Some(k), _) => Some(k),
                    (None, Some(var)) => Some(std::env::var(&var).map_err(|_| {
                        format!("{at}: `api_key_env` names `{var}`, which is not set in the environment")
                    })?),
                    (None, None) => None,
                };
                let mut e = endpoint(&url, &model, key);
                if let Some(c) = self.concurrency {
                    e.concurrency = c.max(1);
                }
                if let Some(t) = self.timeout {
                    e.read_timeout = humantime::parse_duration(&t).map_err(|err| format!("{at}: `timeout`: {err}"))?;
                }
                if let Some(r) = self.retries {
                    e.retries = r.min(10);
                }
                Ok(ProviderConfig::OpenAi(e))
            }
            other => Err(format!("{at}: `provider = \"{other}\"` is not a provider; use `local` or `openai`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_openai_flag_names_model_and_url_and_takes_the_key_from_the_environment() {
        let (alias, p) = parse_flag("default=openai:gpt-4o-mini@http://127.0.0.1:9/v1", Some("sk-x")).unwrap();
        assert_eq!(alias, "default");
        let Some(ProviderConfig::OpenAi(e)) = p else { panic!("not openai") };
        assert_eq!((e.model.as_str(), e.base_url.as_str()), ("gpt-4o-mini", "http://127.0.0.1:9/v1"));
        assert_eq!(e.api_key.map(|k| k.0), Some("sk-x".to_string()));
    }

    #[test]
    fn a_flag_without_a_provider_says_how_to_write_one() {
        let e = parse_flag("default", None).unwrap_err();
        assert!(e.contains("ALIAS=local"), "{e}");
        let e = parse_flag("default=gpt", None).unwrap_err();
        assert!(e.contains("is not a provider"), "{e}");
        let e = parse_flag("Big Model=local", None).unwrap_err();
        assert!(e.contains("not a model alias"), "{e}");
    }

    #[test]
    fn an_api_key_never_shows_in_debug_output() {
        let (_, p) = parse_flag("default=openai:m@http://h/v1", Some("sk-secret-123")).unwrap();
        assert!(!format!("{p:?}").contains("sk-secret-123"));
    }
}

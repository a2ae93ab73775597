//! Subcommands and their settings. Every setting is a flag and an
//! environment variable; `capsule <command> --help` documents them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app::HostSettings;
use crate::engines::EngineSettings;
use crate::engines::embeddings::EmbeddingSettings;
use crate::engines::llm::config::{self, LlmSettings, ProviderConfig};

/// The runtime-config file: what the operator maps, per host.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeConfigFile {
    #[serde(default)]
    llm: std::collections::BTreeMap<String, config::FileAlias>,
    /// Values of spin.toml's `[variables]` (API keys and the like).
    #[serde(default)]
    variables: std::collections::BTreeMap<String, String>,
}
use crate::jobs::JobsConfig;

#[derive(Parser, Debug)]
#[command(
    name = "capsule",
    version,
    about = "Runs AI capabilities as sandboxed WebAssembly components and serves them as jobs over HTTP"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the HTTP API (embedded SQLite and local files by default).
    Serve(Box<ServeArgs>),
    /// Run one job locally against the same runtime and print its JSON result.
    Run(RunArgs),
    /// List the capabilities of the manifest (loads and checks each component).
    Capabilities(CapabilitiesArgs),
    /// Measure end-to-end job throughput and latency with a no-op component.
    Bench(crate::bench::BenchArgs),
    /// Scaffold a new component crate whose example passes with no edits.
    New(crate::scaffold::NewArgs),
    /// Upload a new version of a component to a running server (validated, then hot-swapped).
    Push(crate::remote::PushArgs),
    /// Return a component to its previous (or a given kept) version.
    Rollback(crate::remote::RollbackArgs),
    /// List a running server's components: active version, kept versions, jobs per version.
    Components(crate::remote::ComponentsArgs),
    /// Create, list and revoke API keys (tenants and roles) in a data directory.
    Keys(crate::auth::cli::KeysArgs),
    /// Import or list seed 000's expert registry in a data directory.
    Experts(crate::experts::cli::ExpertsArgs),
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write e.g. `30s`, `500ms`, `2m`)"))
}

/// A timeout of zero would close every connection at once.
fn parse_timeout(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("a timeout must be longer than zero".into()),
        d => Ok(d),
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    s.parse::<bytesize::ByteSize>().map(|b| b.as_u64()).map_err(|e| format!("{e} (write e.g. `25MiB`)"))
}

/// Settings shared by every command that starts the runtime.
#[derive(Args, Debug, Clone)]
pub struct HostArgs {
    /// The application manifest.
    #[arg(long, env = "CAPSULE_MANIFEST", default_value = "spin.toml")]
    pub manifest: PathBuf,
    /// Where job state, files and compiled components live.
    #[arg(long, env = "CAPSULE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL server for jobs, keys and tenants, shared by every host
    /// pointed at it (`postgres://user:password@host:5432/db`) [default: the
    /// embedded SQLite file in --data-dir].
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The schema inside --database-url's database (created if missing), to
    /// keep several deployments apart in one database [default: the server's search path].
    #[arg(long, env = "CAPSULE_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,
    /// A Redis server to carry the notices between hosts (a job's live
    /// events, its end, cancels) in place of --database-url's
    /// `LISTEN`/`NOTIFY` (`redis://user:password@host:6379/0`); needs --database-url.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Compiled-component cache [default: <data-dir>/cache].
    #[arg(long, env = "CAPSULE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Largest file accepted by upload or written/read by a component.
    #[arg(long, env = "CAPSULE_MAX_FILE_SIZE", default_value = "25MiB", value_parser = parse_size)]
    pub max_file_size: u64,
    /// Largest video: a presigned upload (seed 003) and a file the media
    /// engine reads or writes (a render's output).
    #[arg(long, env = "CAPSULE_MAX_VIDEO_SIZE", default_value = "2GiB", value_parser = parse_size)]
    pub max_video_size: u64,
    /// Ready jobs one capability may have waiting before submissions get 429.
    #[arg(long, env = "CAPSULE_QUEUE_CAPACITY", default_value_t = 1024)]
    pub queue_capacity: usize,
    /// How long a job's claim lasts without a heartbeat; after that the job is re-queued.
    #[arg(long, env = "CAPSULE_LEASE", default_value = "30s", value_parser = parse_duration)]
    pub lease: Duration,
    /// How often each host looks in the store for work nobody told it about:
    /// retries coming due, jobs whose host died, jobs submitted to a host
    /// whose wake-up notice was lost. Expired leases are reclaimed as often.
    #[arg(long, env = "CAPSULE_SWEEP_INTERVAL", default_value = "1s", value_parser = parse_duration)]
    pub sweep_interval: Duration,
    /// First retry delay for retryable failures; doubles per attempt, with jitter.
    #[arg(long, env = "CAPSULE_RETRY_BASE", default_value = "1s", value_parser = parse_duration)]
    pub retry_base: Duration,
    /// Longest retry delay.
    #[arg(long, env = "CAPSULE_RETRY_MAX", default_value = "60s", value_parser = parse_duration)]
    pub retry_max: Duration,
    /// Versions kept per component for rollback (on disk and compiled).
    #[arg(long, env = "CAPSULE_KEEP_VERSIONS", default_value_t = 5)]
    pub keep_versions: usize,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `capsule=debug`.
    #[arg(long, env = "CAPSULE_LOG", default_value = "info")]
    pub log: String,
    /// The Tesseract 5 program lent to components as the `ocr` engine
    /// (Debian: tesseract-ocr, tesseract-ocr-kor, tesseract-ocr-eng).
    #[arg(long, env = "CAPSULE_TESSERACT", default_value = "tesseract")]
    pub tesseract: PathBuf,
    /// poppler's `pdftoppm`, lent as the `pdf-render` engine (Debian: poppler-utils).
    #[arg(long, env = "CAPSULE_PDFTOPPM", default_value = "pdftoppm")]
    pub pdftoppm: PathBuf,
    /// FFmpeg, lent with ffprobe as the `media` engine (Debian: ffmpeg).
    #[arg(long, env = "CAPSULE_FFMPEG", default_value = "ffmpeg")]
    pub ffmpeg: PathBuf,
    /// ffprobe, the `media` engine's prober (Debian: ffmpeg).
    #[arg(long, env = "CAPSULE_FFPROBE", default_value = "ffprobe")]
    pub ffprobe: PathBuf,
    /// The `speech` engine's provider: `openai:MODEL@URL` (OpenAI's
    /// `/audio/transcriptions`, or a faster-whisper or whisper.cpp server
    /// speaking it; the key from OPENAI_API_KEY) or `off` (the default: no
    /// speech recognition, calls fail SPEECH_NOT_CONFIGURED).
    #[arg(long, env = "CAPSULE_SPEECH", default_value = "off", value_name = "PROVIDER")]
    pub speech: String,
    /// Engine processes (OCR, PDF rendering, FFmpeg) that may run at once, per engine [default: CPU cores].
    #[arg(long, env = "CAPSULE_ENGINE_CONCURRENCY")]
    pub engine_concurrency: Option<usize>,
    /// Map a model alias to a provider for the `llm` engine; repeatable:
    /// `ALIAS=local` (the bundled SmolLM2-135M), `ALIAS=local:FILE.gguf`,
    /// `ALIAS=openai:MODEL@URL` (any OpenAI-compatible endpoint; the key
    /// from OPENAI_API_KEY) or `ALIAS=off`. Without any, only `tiny` is
    /// mapped, to the bundled model.
    #[arg(long = "llm", env = "CAPSULE_LLM", value_delimiter = ',', value_name = "ALIAS=PROVIDER")]
    pub llm: Vec<String>,
    /// The API key sent to `openai:` providers given by `--llm` or `--embeddings`.
    #[arg(long, env = "OPENAI_API_KEY", hide_env_values = true)]
    pub openai_api_key: Option<String>,
    /// The `embeddings` engine's provider: `local` (multilingual-e5-small,
    /// the default), `local:FILE`, `openai:MODEL@URL` or `off`.
    #[arg(long, env = "CAPSULE_EMBEDDINGS", default_value = "local", value_name = "PROVIDER")]
    pub embeddings: String,
    /// Threads per call of the local embedding model; as many calls as
    /// cores run at once. 1 is steadiest on a busy machine, 2 nearly halves
    /// one call's latency on an idle one (docs/benchmarks.md).
    #[arg(long, env = "CAPSULE_EMBEDDING_THREADS", default_value_t = 1)]
    pub embedding_threads: usize,
    /// A TOML file of runtime configuration: `[llm.<alias>]` tables
    /// (provider, url, model, api_key_env, path, threads, context,
    /// concurrency, timeout, retries), which flags override alias by alias,
    /// and a `[variables]` table of values for spin.toml's `[variables]`,
    /// which CAPSULE_VARIABLE_<NAME> environment variables override.
    #[arg(long, env = "CAPSULE_RUNTIME_CONFIG", value_name = "FILE")]
    pub runtime_config: Option<PathBuf>,
    #[command(flatten)]
    pub s3: S3Args,
}

/// Files in an S3 bucket rather than `<data-dir>/blobs`. On every command
/// that starts the runtime, as `--database-url` is: a `run` that keeps its
/// files writes them where the server reads them.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Files in S3")]
pub struct S3Args {
    /// Keep uploaded and component-written files in this S3 bucket, shared by
    /// every host pointed at it [default: files in <data-dir>/blobs].
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// An S3-compatible server (MinIO, Ceph, R2, …), addressed path-style,
    /// e.g. `http://127.0.0.1:9000` [default: AWS S3].
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// The bucket's region.
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// Access key of the bucket's credentials [default: the standard AWS
    /// chain: profile, web identity, container or instance role].
    #[arg(long, env = "AWS_ACCESS_KEY_ID", requires = "s3_secret_access_key")]
    pub s3_access_key_id: Option<String>,
    /// Secret of --s3-access-key-id.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true, requires = "s3_access_key_id")]
    pub s3_secret_access_key: Option<String>,
    /// Session token of temporary credentials given by --s3-access-key-id.
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub s3_session_token: Option<String>,
    /// The bucket's folder for the files, e.g. `capsule/` [default: the bucket's root].
    #[arg(long, env = "S3_PREFIX")]
    pub s3_prefix: Option<String>,
    /// Create --s3-bucket at start-up when it is missing; without this flag
    /// a missing bucket stops start-up.
    #[arg(long, env = "S3_CREATE_BUCKET")]
    pub s3_create_bucket: bool,
}

impl S3Args {
    /// The bucket these flags name, or the directory `local` without one.
    pub fn location(&self, local: PathBuf) -> anyhow::Result<crate::blobs::Location> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let Some(bucket) = given(&self.s3_bucket) else {
            if given(&self.s3_endpoint).is_some() || given(&self.s3_prefix).is_some() || self.s3_create_bucket {
                anyhow::bail!(
                    "--s3-endpoint, --s3-prefix and --s3-create-bucket need --s3-bucket (S3_BUCKET): name the \
                     bucket, or leave them out to keep files in {}",
                    local.display()
                );
            }
            return Ok(crate::blobs::Location::Local(local));
        };
        let credentials = match (given(&self.s3_access_key_id), given(&self.s3_secret_access_key)) {
            (Some(access_key_id), Some(secret_access_key)) => Some(crate::blobs::S3Credentials {
                access_key_id,
                secret_access_key,
                session_token: given(&self.s3_session_token),
            }),
            (None, None) => None,
            _ => anyhow::bail!(
                "--s3-access-key-id and --s3-secret-access-key (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) go \
                 together: give both, or neither for the standard AWS credential chain"
            ),
        };
        Ok(crate::blobs::Location::S3(crate::blobs::S3Settings {
            bucket,
            endpoint: given(&self.s3_endpoint),
            region: Some(self.s3_region.trim()).filter(|r| !r.is_empty()).unwrap_or("us-east-1").to_string(),
            credentials,
            prefix: given(&self.s3_prefix).unwrap_or_default(),
            create_bucket: self.s3_create_bucket,
        }))
    }
}

impl HostArgs {
    pub fn settings(&self, public_url: String, database: PathBuf) -> anyhow::Result<HostSettings> {
        let file = self.runtime_config()?;
        Ok(HostSettings {
            data_dir: self.data_dir.clone(),
            blobs: self.s3.location(self.data_dir.join("blobs"))?,
            cache_dir: self.cache_dir.clone().unwrap_or_else(|| self.data_dir.join("cache")),
            store: crate::store::Location::from_settings(
                self.database_url.as_deref(),
                self.database_schema.as_deref(),
                database.clone(),
            )
            .map_err(anyhow::Error::msg)?,
            redis_url: self.redis_url.clone(),
            database,
            public_url,
            max_file_size: self.max_file_size,
            keep_versions: self.keep_versions,
            jobs: JobsConfig {
                queue_capacity: self.queue_capacity,
                lease: self.lease,
                sweep: self.sweep_interval,
                retry_base: self.retry_base,
                retry_max: self.retry_max,
            },
            engines: EngineSettings {
                tesseract: self.tesseract.clone(),
                pdftoppm: self.pdftoppm.clone(),
                concurrency: self.engine_concurrency.unwrap_or_else(crate::engines::default_concurrency),
                llm: self.llm_settings(file.llm)?,
                embeddings: self.embedding_settings()?,
                ffmpeg: self.ffmpeg.clone(),
                ffprobe: self.ffprobe.clone(),
                max_media_size: self.max_video_size.max(self.max_file_size),
                speech: crate::engines::speech::SpeechSettings {
                    provider: crate::engines::speech::parse_flag(&self.speech, self.openai_api_key.as_deref())
                        .map_err(|e| anyhow::anyhow!("--speech {e}"))?,
                },
            },
            variables: crate::runtime::VariableValues::new(file.variables, std::env::vars()),
        })
    }

    /// The runtime-config file, or an empty one without `--runtime-config`.
    fn runtime_config(&self) -> anyhow::Result<RuntimeConfigFile> {
        let Some(path) = &self.runtime_config else {
            return Ok(RuntimeConfigFile { llm: Default::default(), variables: Default::default() });
        };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the runtime config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("the runtime config {}", path.display()))
    }

    fn llm_settings(&self, file: std::collections::BTreeMap<String, config::FileAlias>) -> anyhow::Result<LlmSettings> {
        let mut settings = LlmSettings::default();
        settings.aliases.insert(
            config::BUNDLED_ALIAS.into(),
            ProviderConfig::Local(config::LocalOptions::new(config::bundled_model())),
        );
        let path = self.runtime_config.as_deref().unwrap_or(std::path::Path::new("runtime config"));
        for (alias, entry) in file {
            if !crate::manifest::valid_alias(&alias) {
                anyhow::bail!("{}: `[llm.{alias}]` is not a model alias", path.display());
            }
            let provider = entry.into_provider(&alias).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            settings.aliases.insert(alias, provider);
        }
        for flag in &self.llm {
            let (alias, provider) =
                config::parse_flag(flag, self.openai_api_key.as_deref()).map_err(|e| anyhow::anyhow!("--llm {e}"))?;
            match provider {
                Some(p) => settings.aliases.insert(alias, p),
                None => settings.aliases.remove(&alias),
            };
        }
        Ok(settings)
    }

    fn embedding_settings(&self) -> anyhow::Result<EmbeddingSettings> {
        let spec = self.embeddings.trim();
        Ok(match spec {
            "off" => EmbeddingSettings::Off,
            "local" => EmbeddingSettings::Local {
                path: e5_embed::default_model_path(),
                threads: self.embedding_threads.max(1),
            },
            s if s.starts_with("local:") => {
                EmbeddingSettings::Local { path: PathBuf::from(&s[6..]), threads: self.embedding_threads.max(1) }
            }
            s if s.starts_with("openai:") => {
                let (model, url) = s[7..]
                    .split_once('@')
                    .ok_or_else(|| anyhow::anyhow!("--embeddings `{s}`: write openai:MODEL@URL"))?;
                reqwest::Url::parse(url).with_context(|| format!("--embeddings: `{url}` is not a URL"))?;
                EmbeddingSettings::OpenAi(config::endpoint(url, model, self.openai_api_key.clone()))
            }
            other => anyhow::bail!("--embeddings `{other}`: use `local`, `local:FILE`, `openai:MODEL@URL` or `off`"),
        })
    }
}

/// A temporary directory, removed when dropped, for commands other than
/// `serve`: their jobs and component versions must never mix with a
/// server's (a `run` must not pick up queued jobs nor deploy what it tried).
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(purpose: &str) -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("capsule-{purpose}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl HostArgs {
    /// A one-off host: jobs and versions in `scratch`; files in the real data
    /// dir when `keep_files` (so a server on it can serve what a `run` wrote).
    pub fn scratch_settings(&self, scratch: &Scratch, keep_files: bool) -> anyhow::Result<HostSettings> {
        let mut settings = self.settings("http://127.0.0.1:8000".into(), scratch.path().join("jobs.db"))?;
        settings.data_dir = scratch.path().to_path_buf();
        // Never a shared server's: a one-off host must not take its jobs.
        settings.store = crate::store::Location::Sqlite(settings.database.clone());
        settings.redis_url = None;
        if !keep_files {
            settings.blobs = crate::blobs::Location::Local(scratch.path().join("blobs"));
        }
        Ok(settings)
    }
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub host: HostArgs,
    /// Address to listen on.
    #[arg(long, env = "CAPSULE_ADDR", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// Base URL clients reach this server at, used in file URLs [default: http://<listen>].
    #[arg(long, env = "CAPSULE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Longest `?wait=` a synchronous call may ask for.
    #[arg(long, env = "CAPSULE_MAX_WAIT", default_value = "120s", value_parser = parse_duration)]
    pub max_wait: Duration,
    /// How long seed routes that were synchronous in the original backend wait for their job.
    #[arg(long, env = "CAPSULE_SEED_SYNC_WAIT", default_value = "30s", value_parser = parse_duration)]
    pub seed_sync_wait: Duration,
    /// Seed 002's `analysisVersion`: results of another version are not
    /// reused from the cache, so raising it re-analyses every video once.
    #[arg(long, env = "CAPSULE_ANALYSIS_VERSION", default_value = "v1", value_parser = parse_analysis_version)]
    pub analysis_version: String,
    /// Largest JSON request body.
    #[arg(long, env = "CAPSULE_MAX_BODY", default_value = "2MiB", value_parser = parse_size)]
    pub max_body: u64,
    /// Run each component's `build.command` before loading it.
    #[arg(long, env = "CAPSULE_BUILD")]
    pub build: bool,
    /// Hot-swap a component when its `source` (or a `build.watch` file, after `build.command`) changes.
    #[arg(long, env = "CAPSULE_WATCH")]
    pub watch: bool,
    /// Bearer token of the admin API (role admin); without it the admin API is disabled.
    #[arg(long, env = "CAPSULE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Bearer token with read-only access to the admin API (role viewer).
    #[arg(long, env = "CAPSULE_VIEWER_TOKEN", hide_env_values = true)]
    pub viewer_token: Option<String>,
    /// Largest `.wasm` a push may upload.
    #[arg(long, env = "CAPSULE_MAX_COMPONENT_SIZE", default_value = "128MiB", value_parser = parse_size)]
    pub max_component_size: u64,
    /// How long a client may take to send a request head (from connecting, or from its first byte after an idle spell).
    #[arg(long, env = "CAPSULE_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub header_timeout: Duration,
    /// How long a keep-alive connection may wait for its next request (SSE streams are never idle).
    #[arg(long, env = "CAPSULE_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_timeout)]
    pub idle_timeout: Duration,
    /// How long a client may take to send a whole request body, counted from its head (408 after).
    #[arg(long, env = "CAPSULE_BODY_TIMEOUT", default_value = "60s", value_parser = parse_timeout)]
    pub body_timeout: Duration,
    /// Connections served at once; more are answered 503. Never more than the open-files limit minus 64.
    #[arg(long, env = "CAPSULE_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// Origins browsers may call the API from: comma-separated exact origins
    /// (`https://app.example.com`), or `*` for any (never with credentials)
    /// [default: http://localhost, http://127.0.0.1 and http://[::1] on any port].
    #[arg(long, env = "CAPSULE_CORS_ORIGINS")]
    pub cors_origins: Option<crate::api::CorsOrigins>,
    /// How long browsers may cache a CORS preflight's answer.
    #[arg(long, env = "CAPSULE_CORS_MAX_AGE", default_value = "10m", value_parser = parse_duration)]
    pub cors_max_age: Duration,
    /// Requests per API key (token bucket, bursts of the same size) for keys
    /// without a rate of their own, e.g. `100/s`, `600/m`; `off` for none.
    #[arg(long, env = "CAPSULE_RATE_LIMIT", default_value = "100/s", value_parser = parse_rate_limit)]
    pub rate_limit: RateLimit,
    #[command(flatten)]
    pub accounts: AccountArgs,
}

/// Seed 003's accounts, uploads and render limits.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Accounts and video (seed 003)")]
pub struct AccountArgs {
    /// Signs account tokens and presigned URLs; 32+ characters, the same on
    /// every host of a cluster [default: generated once into <data-dir>/auth-secret].
    #[arg(long, env = "CAPSULE_AUTH_SECRET", hide_env_values = true)]
    pub auth_secret: Option<String>,
    /// How long an account's access token lasts.
    #[arg(long, env = "CAPSULE_TOKEN_TTL", default_value = "24h", value_parser = parse_duration)]
    pub token_ttl: Duration,
    /// Google OAuth client id; with --google-client-secret it enables /api/auth/google/*.
    #[arg(long, env = "GOOGLE_CLIENT_ID")]
    pub google_client_id: Option<String>,
    /// Google OAuth client secret.
    #[arg(long, env = "GOOGLE_CLIENT_SECRET", hide_env_values = true)]
    pub google_client_secret: Option<String>,
    /// The callback registered with the provider [default: <public-url>/api/auth/google/callback].
    #[arg(long, env = "CAPSULE_OAUTH_REDIRECT_URL")]
    pub oauth_redirect_url: Option<String>,
    /// The provider's authorization endpoint [default: Google's].
    #[arg(long, env = "CAPSULE_OAUTH_AUTHORIZE_URL")]
    pub oauth_authorize_url: Option<String>,
    /// The provider's token endpoint [default: Google's].
    #[arg(long, env = "CAPSULE_OAUTH_TOKEN_URL")]
    pub oauth_token_url: Option<String>,
    /// The provider's userinfo endpoint [default: Google's].
    #[arg(long, env = "CAPSULE_OAUTH_USERINFO_URL")]
    pub oauth_userinfo_url: Option<String>,
    /// Where the browser lands after a Google login, with `#access_token=…`
    /// [default: none; the callback answers JSON].
    #[arg(long, env = "CAPSULE_OAUTH_LANDING_URL")]
    pub oauth_landing_url: Option<String>,
    /// Login attempts per email within --login-window.
    #[arg(long, env = "CAPSULE_LOGIN_ATTEMPTS_PER_EMAIL", default_value_t = 10)]
    pub login_attempts_per_email: u32,
    /// Login attempts per client address within --login-window.
    #[arg(long, env = "CAPSULE_LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 50)]
    pub login_attempts_per_address: u32,
    /// The window login attempts are counted in.
    #[arg(long, env = "CAPSULE_LOGIN_WINDOW", default_value = "15m", value_parser = parse_duration)]
    pub login_window: Duration,
    /// How long a presigned upload or download URL lasts.
    #[arg(long, env = "CAPSULE_UPLOAD_URL_TTL", default_value = "1h", value_parser = parse_duration)]
    pub upload_url_ttl: Duration,
    /// Renders one account may start, as a rate (`N/s`, `N/m`, `N/h`).
    #[arg(long, env = "CAPSULE_RENDER_RATE", default_value = "10/m")]
    pub render_rate: crate::auth::Rate,
    /// Renders one account may start per UTC day.
    #[arg(long, env = "CAPSULE_RENDER_DAILY_QUOTA", default_value_t = 100)]
    pub render_daily_quota: u32,
}

impl AccountArgs {
    pub fn video_state(
        &self,
        database: std::sync::Arc<dyn crate::store::Database>,
        settings: &crate::app::HostSettings,
    ) -> anyhow::Result<crate::api::video::VideoState> {
        let (data_dir, public_url, max_upload) =
            (settings.data_dir.as_path(), settings.public_url.as_str(), settings.engines.max_media_size);
        let secret = crate::accounts::load_secret(self.auth_secret.as_deref(), data_dir)?;
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let oauth = match (given(&self.google_client_id), given(&self.google_client_secret)) {
            (Some(id), Some(secret)) => {
                let redirect = self
                    .oauth_redirect_url
                    .clone()
                    .unwrap_or_else(|| format!("{}/api/auth/google/callback", public_url.trim_end_matches('/')));
                let mut config = capsule_accounts::oauth::OAuthConfig::google(id, secret, redirect);
                for (slot, given) in [
                    (&mut config.authorize_url, &self.oauth_authorize_url),
                    (&mut config.token_url, &self.oauth_token_url),
                    (&mut config.userinfo_url, &self.oauth_userinfo_url),
                ] {
                    if let Some(url) = given {
                        reqwest::Url::parse(url).with_context(|| format!("`{url}` is not a URL"))?;
                        *slot = url.clone();
                    }
                }
                Some(config)
            }
            (None, None) => None,
            _ => anyhow::bail!("Google login needs both --google-client-id and --google-client-secret"),
        };
        let settings = crate::accounts::AccountSettings {
            secret: secret.clone(),
            token_ttl: self.token_ttl,
            oauth,
            oauth_landing: self.oauth_landing_url.clone(),
            login_per_email: self.login_attempts_per_email.max(1),
            login_per_address: self.login_attempts_per_address.max(1),
            login_window: self.login_window,
        };
        let accounts = crate::accounts::Accounts::new(database.clone(), &settings)?;
        Ok(crate::api::video::VideoState {
            accounts,
            signer: crate::blobs::UrlSigner::new(&secret, public_url),
            uploads: database,
            limits: crate::api::video::VideoLimits {
                url_ttl: self.upload_url_ttl.clamp(Duration::from_secs(60), Duration::from_secs(7 * 86_400)),
                render_daily_quota: self.render_daily_quota,
                max_upload,
            },
            render_rate: crate::auth::RateLimits::new(Some(self.render_rate)),
        })
    }
}

/// `--rate-limit`: a rate, or `off`.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit(pub Option<crate::auth::Rate>);

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    match s.trim() {
        "off" | "none" => Ok(RateLimit(None)),
        rate => rate.parse().map(|r| RateLimit(Some(r))),
    }
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The capability to run (its API name or component id).
    pub capability: String,
    /// The job input: a JSON file, or `-` for standard input.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Run this `.wasm` instead of the manifest's `source` (try a build before pushing it).
    #[arg(long)]
    pub component: Option<PathBuf>,
    #[command(flatten)]
    pub host: HostArgs,
    /// Print no progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct CapabilitiesArgs {
    #[command(flatten)]
    pub host: HostArgs,
    /// Print the descriptors as JSON.
    #[arg(long)]
    pub json: bool,
}

/// 1-32 of `A-Z`, `a-z`, `0-9`, `.`, `-`, `_` (it is shown to clients and keyed on).
fn parse_analysis_version(s: &str) -> Result<String, String> {
    let ok = (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok { Ok(s.to_string()) } else { Err(format!("`{s}`: use 1-32 of A-Z, a-z, 0-9, `.`, `-`, `_` (e.g. v2)")) }
}

/// Where a console command (`capsule keys`, `capsule experts`) finds the
/// store of the server it works on: its data directory, or its PostgreSQL
/// database and schema.
#[derive(Args, Debug)]
pub struct StoreArgs {
    /// The server's data directory (its job database).
    #[arg(long, env = "CAPSULE_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The server's PostgreSQL database, when it uses one (`serve --database-url`).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// The schema inside it (`serve --database-schema`).
    #[arg(long, env = "CAPSULE_DATABASE_SCHEMA", global = true)]
    pub database_schema: Option<String>,
}

impl StoreArgs {
    /// The server's store, opened (and migrated) as `capsule serve` opens it.
    pub async fn open(&self) -> anyhow::Result<std::sync::Arc<dyn crate::store::Database>> {
        let location = crate::store::Location::from_settings(
            self.database_url.as_deref(),
            self.database_schema.as_deref(),
            self.data_dir.join("jobs.db"),
        )
        .map_err(anyhow::Error::msg)?;
        if matches!(location, crate::store::Location::Sqlite(_)) {
            std::fs::create_dir_all(&self.data_dir)?;
        }
        Ok(crate::backends::open(&location).await?.store)
    }
}

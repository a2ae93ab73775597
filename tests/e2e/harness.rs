//! The test harness: builds the guest components, writes manifests, runs
//! `capsule serve` as a child process and talks to it over HTTP.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tempfile::TempDir;

/// The guest packages the tests use, built for `wasm32-wasip2`.
const GUEST_PACKAGES: &[&str] = &[
    "fixture-echo",
    "fixture-slow",
    "fixture-trap",
    "fixture-busy-loop",
    "fixture-memory-bomb",
    "fixture-flaky",
    "fixture-net-probe",
    "fixture-blob-io",
    "fixture-echo-v2",
    "fixture-echo-broken",
    "fixture-echo-net",
    "fixture-counter",
    "fixture-warm-import",
    "fixture-language-probe",
    "fixture-http-probe",
    "calendar",
    "ocr",
    "masking",
    "diagnosis",
    "regeneration",
    "report-section",
    "report-embed",
    "report-search",
    "expert-match",
    "summarize",
    "checklist",
    "career",
    "comment-analysis",
    "transcription",
    "render",
];

/// Which job database the hosts of a test binary use: its crate root says
/// (`e2e` runs the suite on the embedded store, `e2e-postgres` on PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Postgres,
    /// PostgreSQL for jobs, Redis for the notices between hosts, S3 for files.
    Distributed,
}

/// The S3-compatible test server (s3s-fs, built once; see the file).
#[path = "../../host/src/blobs/test_server.rs"]
pub mod s3_server;

/// The Redis server of the `Distributed` backend (on every developer and CI machine).
pub fn redis_url() -> String {
    std::env::var("CAPSULE_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A client of an S3 test server, to look into a bucket behind a host's back.
pub fn bucket_client(server: &s3_server::S3TestServer) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(server.region.clone()))
        .endpoint_url(&server.endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(&server.access_key_id, &server.secret_access_key, None, None, "e2e"))
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                    aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https(),
        )
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// One S3 server for every host of this test process (each host gets a
/// bucket of its own); it dies with the process.
fn s3() -> &'static s3_server::S3TestServer {
    static SERVER: std::sync::OnceLock<s3_server::S3TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(s3_server::S3TestServer::start)
}

/// The PostgreSQL server of the `Postgres` backend (trust auth on every
/// developer and CI machine). Without TLS on loopback: with sqlx's default
/// (`prefer`, so TLS when the server offers it, as Debian's does), a host
/// sending an 18 MB component to the store stalled mid-message in loaded
/// full runs (the server logged "incomplete message from client" when the
/// harness killed it); TLS is the suspect, not a finding — see
/// docs/architecture.md, "Not built yet".
pub fn postgres_url() -> String {
    std::env::var("CAPSULE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?sslmode=disable".into())
}

/// A schema of its own on the test server, for one host and its restarts;
/// dropped with it.
pub struct Schema(String);

impl Schema {
    /// A fresh schema on the test server.
    pub fn new() -> Self {
        Schema(format!("e2e_{}", uuid::Uuid::new_v4().simple()))
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// A fresh schema when this binary's backend is PostgreSQL.
    fn for_backend() -> Option<Self> {
        matches!(crate::BACKEND, Backend::Postgres | Backend::Distributed).then(Schema::new)
    }

    /// The flags that point a `capsule` command at the database alone.
    fn database_args(schema: &Option<Schema>) -> Vec<String> {
        match schema {
            Some(schema) => schema.database_flags(),
            None => vec![],
        }
    }

    fn database_flags(&self) -> Vec<String> {
        vec!["--database-url".into(), postgres_url(), "--database-schema".into(), self.name().to_string()]
    }

    /// The flags that point `capsule` at it (and, on the distributed
    /// backend, at Redis and a bucket, unless `extra` names its own bucket).
    fn args(schema: &Option<Schema>, extra: &[String]) -> Vec<String> {
        match schema {
            Some(schema) => {
                let mut args = schema.database_flags();
                if crate::BACKEND == Backend::Distributed && !extra.iter().any(|a| a == "--s3-bucket") {
                    let s3 = s3();
                    // Bucket names allow hyphens, not underscores.
                    let bucket = schema.name().replace('_', "-");
                    for (flag, value) in [
                        ("--redis-url", redis_url()),
                        ("--s3-bucket", bucket),
                        ("--s3-endpoint", s3.endpoint.clone()),
                        ("--s3-region", s3.region.clone()),
                        ("--s3-access-key-id", s3.access_key_id.clone()),
                        ("--s3-secret-access-key", s3.secret_access_key.clone()),
                    ] {
                        args.extend([flag.to_string(), value]);
                    }
                    args.push("--s3-create-bucket".into());
                }
                args
            }
            None => vec![],
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.0);
        // Drops run inside a test's runtime; the statement gets a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_url()).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut conn).await;
                }
            })
        });
        let _ = dropped.join();
    }
}

/// Upper bound for a host to answer `/health` after it was spawned (the
/// first start of a component compiles it; three suites share two cores).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The cargo workspace root.
pub fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the host crate lives inside the workspace")
}

/// Builds every guest component once per test process and returns the
/// directory holding the `.wasm` files. A separate target directory keeps
/// this build clear of the lock held by the outer `cargo test`.
pub fn guests() -> &'static Path {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = DIR.get_or_init(|| {
        let target = workspace().join("target").join("guest");
        // A fresh machine may lack the wasm target; adding it is a no-op once present.
        if let Err(e) = Command::new("rustup").args(["target", "add", "wasm32-wasip2"]).output() {
            eprintln!("could not run rustup to add wasm32-wasip2 ({e}); assuming the target is installed");
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace())
            .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
            .arg(&target)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET");
        for p in GUEST_PACKAGES {
            cmd.args(["-p", p]);
        }
        let out = cmd.output().map_err(|e| format!("could not run cargo to build the guests: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "building the guest components failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(target.join("wasm32-wasip2").join("release"))
    });
    match built {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    }
}

/// The built `.wasm` of a capability id (`busy-loop` → `fixture_busy_loop.wasm`).
pub fn wasm_path(id: &str) -> PathBuf {
    let file = match id {
        "calendar" | "ocr" | "masking" | "diagnosis" | "regeneration" | "report-section" | "report-embed"
        | "report-search" | "expert-match" | "summarize" | "checklist" | "career" | "comment-analysis"
        | "transcription" | "render" => {
            format!("{}.wasm", id.replace('-', "_"))
        }
        other => format!("fixture_{}.wasm", other.replace('-', "_")),
    };
    guests().join(file)
}

/// A free localhost port (bound, read, released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// A `spin.toml` with one `[[trigger.job]]` and `[component.<id>]` per job.
/// Setting values are raw TOML (`("cache", "true")`, `("timeout", "\"2s\"")`).
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    jobs: Vec<(String, Vec<(String, String)>)>,
    sources: Vec<(String, PathBuf)>,
    grants: Vec<(String, String)>,
    engines: Vec<(String, String)>,
    ai_models: Vec<(String, String)>,
    /// `key_value_stores` entries: (id, label).
    kv_stores: Vec<(String, String)>,
    /// `[component.<id>.variables]` entries: (id, key, template).
    variables: Vec<(String, String, String)>,
    /// `[variables]` entries: (name, raw TOML inline table).
    declared: Vec<(String, String)>,
    /// Pipeline triggers: raw TOML from `[[trigger.job]]` on.
    pipelines: Vec<String>,
}

impl Manifest {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn job(mut self, id: &str, settings: &[(&str, &str)]) -> Self {
        self.jobs.push((id.to_string(), settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()));
        self
    }

    /// A job of a component that reads documents (`ocr`, `masking`): the
    /// engines each needs lent.
    pub fn document_job(self, id: &str, settings: &[(&str, &str)]) -> Self {
        let m = self.job(id, settings).engine(id, "ocr").engine(id, "pdf-render");
        // OCR also embeds what it read (seed 001's `vector_id`).
        if id == "ocr" { m.engine(id, "embeddings").engine(id, "vectors") } else { m }
    }

    /// Seed 000's `regeneration` as spin.toml grants it: the `default` model
    /// alias and its search providers' hosts (unconfigured: no credentials).
    pub fn regeneration_job(self, settings: &[(&str, &str)]) -> Self {
        self.job("regeneration", settings)
            .engine("regeneration", "llm")
            .ai_model("regeneration", "default")
            .grant("regeneration", "http://plus.kipris.or.kr")
            .grant("regeneration", "https://openapi.naver.com")
    }

    /// Serve `id` from this file instead of its built fixture.
    pub fn source(mut self, id: &str, path: impl Into<PathBuf>) -> Self {
        self.sources.push((id.to_string(), path.into()));
        self
    }

    /// Add an `allowed_outbound_hosts` entry to `[component.<id>]`.
    pub fn grant(mut self, id: &str, host: &str) -> Self {
        self.grants.push((id.to_string(), host.to_string()));
        self
    }

    /// Lend a host engine (`ocr`, `pdf-render`, `llm`, …) to `[component.<id>]`.
    pub fn engine(mut self, id: &str, engine: &str) -> Self {
        self.engines.push((id.to_string(), engine.to_string()));
        self
    }

    /// Grant `[component.<id>]` the model alias `alias` (`ai_models`).
    pub fn ai_model(mut self, id: &str, alias: &str) -> Self {
        self.ai_models.push((id.to_string(), alias.to_string()));
        self
    }

    /// Grant `[component.<id>]` the key-value store `label` (`key_value_stores`).
    pub fn key_value_store(mut self, id: &str, label: &str) -> Self {
        self.kv_stores.push((id.to_string(), label.to_string()));
        self
    }

    /// Give `[component.<id>]` the configuration key `key` = `template`.
    pub fn variable(mut self, id: &str, key: &str, template: &str) -> Self {
        self.variables.push((id.to_string(), key.to_string(), template.to_string()));
        self
    }

    /// Declare the application variable `name` (`decl` is raw TOML, e.g. `{ required = true }`).
    pub fn declare(mut self, name: &str, decl: &str) -> Self {
        self.declared.push((name.to_string(), decl.to_string()));
        self
    }

    /// A pipeline trigger, written as raw TOML starting at its `[[trigger.job]]`.
    pub fn pipeline(mut self, toml: &str) -> Self {
        self.pipelines.push(toml.to_string());
        self
    }

    fn source_of(&self, id: &str) -> PathBuf {
        self.sources.iter().find(|(i, _)| i == id).map(|(_, p)| p.clone()).unwrap_or_else(|| wasm_path(id))
    }

    pub fn to_toml(&self) -> String {
        let mut out = String::from("spin_manifest_version = 2\n\n[application]\nname = \"e2e\"\n");
        for (id, settings) in &self.jobs {
            out.push_str(&format!("\n[[trigger.job]]\ncomponent = \"{id}\"\n"));
            for (k, v) in settings {
                out.push_str(&format!("{k} = {v}\n"));
            }
        }
        for pipeline in &self.pipelines {
            out.push('\n');
            out.push_str(pipeline);
            out.push('\n');
        }
        for (id, _) in &self.jobs {
            let source = self.source_of(id);
            let source = serde_json::to_string(&source.to_string_lossy()).expect("a path as a TOML string");
            out.push_str(&format!("\n[component.{id}]\nsource = {source}\n"));
            let grants: Vec<String> =
                self.grants.iter().filter(|(g, _)| g == id).map(|(_, h)| format!("{h:?}")).collect();
            if !grants.is_empty() {
                out.push_str(&format!("allowed_outbound_hosts = [{}]\n", grants.join(", ")));
            }
            let engines: Vec<String> =
                self.engines.iter().filter(|(g, _)| g == id).map(|(_, e)| format!("{e:?}")).collect();
            if !engines.is_empty() {
                out.push_str(&format!("engines = [{}]\n", engines.join(", ")));
            }
            let aliases: Vec<String> =
                self.ai_models.iter().filter(|(g, _)| g == id).map(|(_, a)| format!("{a:?}")).collect();
            if !aliases.is_empty() {
                out.push_str(&format!("ai_models = [{}]\n", aliases.join(", ")));
            }
            let stores: Vec<String> =
                self.kv_stores.iter().filter(|(g, _)| g == id).map(|(_, l)| format!("{l:?}")).collect();
            if !stores.is_empty() {
                out.push_str(&format!("key_value_stores = [{}]\n", stores.join(", ")));
            }
            let keys: Vec<String> = self
                .variables
                .iter()
                .filter(|(g, _, _)| g == id)
                .map(|(_, k, t)| format!("{k} = {}", serde_json::to_string(t).expect("a TOML string")))
                .collect();
            if !keys.is_empty() {
                out.push_str(&format!("[component.{id}.variables]\n{}\n", keys.join("\n")));
            }
        }
        if !self.declared.is_empty() {
            out.push_str("\n[variables]\n");
            for (name, decl) in &self.declared {
                out.push_str(&format!("{name} = {decl}\n"));
            }
        }
        out
    }

    /// Write `spin.toml` into `dir`; returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let path = dir.join("spin.toml");
        std::fs::write(&path, self.to_toml()).expect("writing spin.toml");
        path
    }
}

/// The output of a `capsule` process that ran to its end.
pub struct Exited {
    pub status: ExitStatus,
    pub stderr: String,
}

/// Runs `capsule serve` on `manifest` and waits (at most `timeout`) for it to
/// exit on its own; a process still running then is killed and the test fails.
pub fn serve_until_exit(manifest: &Manifest, timeout: Duration) -> Exited {
    serve_until_exit_with(manifest, &[], timeout)
}

/// [`serve_until_exit`] with `extra_args` appended to the standard flags.
pub fn serve_until_exit_with(manifest: &Manifest, extra_args: &[&str], timeout: Duration) -> Exited {
    let schema = Schema::for_backend();
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest_path = manifest.write(dir.path());
    let stderr_path = dir.path().join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .arg("serve")
        .arg("--manifest")
        .arg(&manifest_path)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--cache-dir")
        .arg(workspace().join("target").join("e2e-cache"))
        .arg("--listen")
        .arg(format!("127.0.0.1:{}", free_port()))
        .args(Schema::args(&schema, &extra_args.iter().map(|a| a.to_string()).collect::<Vec<_>>()))
        .args(extra_args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&stderr_path).expect("stderr log"))
        .spawn()
        .expect("spawning capsule");
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for capsule") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "capsule serve was still running after {timeout:?}; it should have refused the manifest\nstderr:\n{}",
                read_lossy(&stderr_path)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Exited { status, stderr: read_lossy(&stderr_path) }
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A running `capsule serve` with its own temporary directory; killed on drop.
pub struct Host {
    dir: TempDir,
    manifest: PathBuf,
    extra: Vec<String>,
    env: Vec<(String, String)>,
    /// The host's PostgreSQL schema, when the backend is PostgreSQL.
    schema: Option<Schema>,
    child: Option<Child>,
    port: u16,
    client: reqwest::Client,
    log: PathBuf,
}

impl Host {
    /// Start a host serving `manifest` with `extra_args` appended to the
    /// standard flags; returns once `/health` answers 200.
    pub async fn start(manifest: &Manifest, extra_args: &[&str]) -> Host {
        Self::start_with_env(manifest, extra_args, &[]).await
    }

    /// [`Host::start`] with these environment variables set for the process.
    pub async fn start_with_env(manifest: &Manifest, extra_args: &[&str], env: &[(&str, &str)]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let manifest_path = manifest.write(dir.path());
        Self::launch_new(dir, manifest_path, extra_args, env).await
    }

    /// A host serving a `spin.toml` written by the test itself.
    pub async fn start_with_manifest_file(manifest_path: &Path, extra_args: &[&str]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::launch_new(dir, manifest_path.to_path_buf(), extra_args, &[]).await
    }

    async fn launch_new(
        dir: tempfile::TempDir,
        manifest_path: PathBuf,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Host {
        let log = dir.path().join("host.log");
        let client =
            reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().expect("http client");
        let mut host = Host {
            manifest: manifest_path,
            extra: extra_args.iter().map(|s| s.to_string()).collect(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            // A test that names its own database keeps it.
            schema: if extra_args.contains(&"--database-url") { None } else { Schema::for_backend() },
            child: None,
            port: 0,
            client,
            log,
            dir,
        };
        host.launch().await;
        host
    }

    /// Spawn the process on a fresh port and wait for `/health`; a port
    /// taken in between is retried with another one.
    async fn launch(&mut self) {
        for _ in 0..3 {
            self.port = free_port();
            let log_start = self.log_text().len();
            let log = OpenOptions::new().create(true).append(true).open(&self.log).expect("host log");
            let mut command = Command::new(env!("CARGO_BIN_EXE_capsule"));
            command
                .arg("serve")
                .arg("--manifest")
                .arg(&self.manifest)
                .arg("--data-dir")
                .arg(self.dir.path().join("data"));
            // The compiled components are shared by the tests unless a test brings its own cache.
            if !self.extra.iter().any(|a| a == "--cache-dir") {
                command.arg("--cache-dir").arg(workspace().join("target").join("e2e-cache"));
            }
            // Fast retries unless a test needs to watch one wait.
            if !self.extra.iter().any(|a| a == "--retry-base") {
                command.args(["--retry-base", "50ms"]);
            }
            let child = command
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", self.port))
                .args(["--lease", "2s"])
                .args(Schema::args(&self.schema, &self.extra))
                .args(&self.extra)
                .envs(self.env.iter().map(|(k, v)| (k, v)))
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log handle"))
                .stderr(log)
                .spawn()
                .expect("spawning capsule");
            self.child = Some(child);
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                // Another test's host may have taken the port between `free_port` and the
                // bind: its `/health` would answer for ours. Only this launch's own
                // "serving" line proves the port is this process's.
                if self.log_text().get(log_start..).is_some_and(|new| new.contains("capsule is serving"))
                    && let Ok(r) = self.client.get(self.url("/health")).timeout(Duration::from_secs(5)).send().await
                    && r.status() == StatusCode::OK
                {
                    return;
                }
                let exited = self.child.as_mut().and_then(|c| c.try_wait().expect("polling capsule"));
                if let Some(status) = exited {
                    self.child = None;
                    let log = self.log_text();
                    if log.contains("Address already in use") {
                        break;
                    }
                    panic!("capsule serve exited with {status} before it was healthy; log:\n{log}");
                }
                if Instant::now() > deadline {
                    panic!("capsule serve was not healthy within {START_TIMEOUT:?}; log:\n{}", self.log_text());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("capsule serve could not get a free port; log:\n{}", self.log_text());
    }

    /// Kill the process with SIGKILL: no shutdown, no flushing.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("killing capsule");
            child.wait().expect("reaping capsule");
        }
    }

    /// Start the process again on the same data directory (after [`Host::kill9`]).
    pub async fn restart(&mut self) {
        self.kill9();
        self.launch().await;
    }

    /// [`Host::restart`] with `args` added to its flags (a later flag wins).
    pub async fn restart_with(&mut self, args: &[&str]) {
        self.extra.extend(args.iter().map(|a| a.to_string()));
        self.restart().await;
    }

    /// The names of the files the host's blob store holds (bytes and
    /// metadata), sorted: its blob directory, or on the distributed backend
    /// its bucket.
    pub async fn stored_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match (&self.schema, crate::BACKEND) {
            (Some(schema), Backend::Distributed) => {
                let listed = bucket_client(s3())
                    .list_objects_v2()
                    .bucket(schema.name().replace('_', "-"))
                    .send()
                    .await
                    .expect("listing the host's bucket");
                listed.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect()
            }
            _ => std::fs::read_dir(self.data_dir().join("blobs"))
                .expect("the blob directory")
                .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
                .collect(),
        };
        names.sort();
        names
    }

    /// The host's `--data-dir` (blobs, component versions, the job store).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `capsule keys <args>` on this host's data directory; its standard output.
    pub fn keys(&self, args: &[&str]) -> String {
        self.console("keys", args)
    }

    /// `capsule <command> <args>` on this host's data directory (and
    /// database); its standard output. It must succeed.
    pub fn console(&self, command: &str, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_capsule"))
            .arg(command)
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(Schema::database_args(&self.schema))
            .output()
            .unwrap_or_else(|e| panic!("running capsule {command}: {e}"));
        assert!(out.status.success(), "capsule {command} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Create an API key with `capsule keys create`; returns the key once
    /// the host says it requires keys.
    pub async fn create_key(&self, tenant: &str, role: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", "--tenant", tenant, "--role", role];
        args.extend_from_slice(extra);
        let key = self.keys(&args).trim().to_string();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (_, _, health) = self.get("/health").await;
            if health["data"]["auth"]["mode"] == "keys" {
                return key;
            }
            assert!(Instant::now() < deadline, "the host did not notice the new key: {health}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id of the running host.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the host is running").id()
    }

    /// The address it listens on, for raw TCP clients.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn log_text(&self) -> String {
        read_lossy(&self.log)
    }

    /// The last part of the host log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log_text();
        let start = log.len().saturating_sub(6000);
        let start = (start..log.len()).find(|&i| log.is_char_boundary(i)).unwrap_or(log.len());
        log[start..].to_string()
    }

    /// Send a request and read the reply as JSON (a non-JSON body becomes a string).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
        let response =
            request.send().await.unwrap_or_else(|e| panic!("request failed: {e}\nlog:\n{}", self.log_tail()));
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("reading the response body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, headers, body)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, HeaderMap, Value) {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    /// POST a body as given, with the given content type (or none).
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request = self.client.post(self.url(path)).body(body);
        if let Some(ct) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, ct);
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Value) {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, HeaderMap, Value) {
        self.send(self.client.delete(self.url(path))).await
    }

    /// Submit a job; asserts 202 and returns its id.
    pub async fn submit(&self, capability: &str, input: &Value) -> String {
        let (status, _, body) = self.post_json(&format!("/api/v1/{capability}/jobs"), input).await;
        assert_eq!(status, StatusCode::ACCEPTED, "submitting to {capability}: {body}");
        body["data"]["jobId"].as_str().expect("jobId").to_string()
    }

    /// The job view (`data` of `GET /api/v1/jobs/{id}`).
    pub async fn job(&self, id: &str) -> Value {
        let (status, _, body) = self.get(&format!("/api/v1/jobs/{id}")).await;
        assert_eq!(status, StatusCode::OK, "GET job {id}: {body}");
        body["data"].clone()
    }

    /// Poll the job every 20 ms until `done` holds for its view; fails after `timeout`.
    pub async fn wait_job(&self, id: &str, timeout: Duration, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let view = self.job(id).await;
            if done(&view) {
                return view;
            }
            if Instant::now() > deadline {
                panic!(
                    "job {id} did not become {what} within {timeout:?}; last view: {view}\nlog:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Poll until the job is completed, failed or cancelled.
    pub async fn wait_terminal(&self, id: &str, timeout: Duration) -> Value {
        self.wait_job(id, timeout, "terminal", |v| is_terminal(&v["status"])).await
    }

    /// Poll until the job has the given status.
    pub async fn wait_status(&self, id: &str, status: &str, timeout: Duration) -> Value {
        self.wait_job(id, timeout, status, |v| v["status"] == status).await
    }

    /// Open a job's event stream. Returns once the response headers are
    /// in, which is after the host subscribed to the job's events: nothing
    /// that happens to the job from now on is missed.
    pub async fn open_events(&self, id: &str, timeout: Duration) -> EventStream {
        self.open_events_with(id, timeout, &[]).await
    }

    /// [`Host::open_events`] with extra request headers (e.g. `Origin`).
    pub async fn open_events_with(&self, id: &str, timeout: Duration, headers: &[(&str, &str)]) -> EventStream {
        let mut request = self.client.get(self.url(&format!("/api/v1/jobs/{id}/events"))).timeout(timeout);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("opening the event stream");
        assert_eq!(response.status(), StatusCode::OK, "event stream of {id}");
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("text/event-stream"), "content type {content_type}");
        EventStream { id: id.to_string(), response, timeout, log: self.log.clone() }
    }

    /// Read a job's event stream to its end (at most `timeout`), as
    /// `(event, data)` pairs.
    pub async fn events(&self, id: &str, timeout: Duration) -> Vec<(String, Value)> {
        self.open_events(id, timeout).await.collect().await
    }

    /// Upload a file as a multipart part named `file`.
    pub async fn upload(&self, name: &str, content_type: &str, data: Vec<u8>) -> (StatusCode, HeaderMap, Value) {
        let part =
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()).mime_str(content_type).expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        self.send(self.client.post(self.url("/api/v1/files")).multipart(form)).await
    }

    /// Asserts that the host still runs jobs: a synchronous echo call completes.
    pub async fn assert_echo_works(&self) {
        let input = serde_json::json!({"message": "still alive"});
        let (status, _, body) = self.post_json("/api/v1/echo?wait=10", &input).await;
        assert_eq!(status, StatusCode::OK, "echo after the failure: {body}\nlog:\n{}", self.log_tail());
        assert_eq!(body["data"]["status"], "completed", "{body}");
        assert_eq!(body["data"]["result"], input, "{body}");
    }
}

/// An open `GET /api/v1/jobs/{id}/events` response.
pub struct EventStream {
    id: String,
    response: reqwest::Response,
    timeout: Duration,
    log: PathBuf,
}

impl EventStream {
    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// Every event until the host ends the stream, as `(event, data)` pairs;
    /// fails if the stream has not ended within the timeout it was opened with.
    pub async fn collect(self) -> Vec<(String, Value)> {
        let EventStream { id, response, timeout, log } = self;
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        let mut bytes = Vec::new();
        let mut events = Vec::new();
        let read = tokio::time::timeout(timeout, async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.expect("reading the event stream");
                bytes.extend_from_slice(&chunk);
                // Only decode whole UTF-8 sequences.
                let valid = match std::str::from_utf8(&bytes) {
                    Ok(_) => bytes.len(),
                    Err(e) => e.valid_up_to(),
                };
                buffer.push_str(std::str::from_utf8(&bytes[..valid]).expect("valid prefix"));
                bytes.drain(..valid);
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if let Some(event) = parse_sse_block(&block) {
                        events.push(event);
                    }
                }
            }
        })
        .await;
        if read.is_err() {
            panic!(
                "the event stream of {id} did not end within {timeout:?}; events so far: {events:?}\nlog:\n{}",
                read_lossy(&log)
            );
        }
        if let Some(event) = parse_sse_block(&buffer) {
            events.push(event);
        }
        events
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- capsule log (port {}) ----\n{}", self.port, self.log_tail());
        }
        self.kill9();
    }
}

fn parse_sse_block(block: &str) -> Option<(String, Value)> {
    let mut event = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = Some(v.strip_prefix(' ').unwrap_or(v).to_string());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if event.is_none() && data.is_empty() {
        return None;
    }
    let data = data.join("\n");
    let value = serde_json::from_str(&data).unwrap_or(Value::String(data));
    Some((event.unwrap_or_else(|| "message".into()), value))
}

pub fn is_terminal(status: &Value) -> bool {
    matches!(status.as_str(), Some("completed" | "failed" | "cancelled"))
}

/// Asserts the native error envelope with this status and code; returns the message.
pub fn assert_error(reply: &(StatusCode, HeaderMap, Value), status: StatusCode, code: &str) -> String {
    let (s, _, body) = reply;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["meta"]["requestId"].as_str().is_some_and(|r| !r.is_empty()), "{body}");
    body["error"]["message"].as_str().expect("error message").to_string()
}

/// Asserts a seed-001 error body: `{message, error_code, data: null}`.
pub fn assert_seed_error(reply: &(StatusCode, HeaderMap, Value), status: StatusCode, message: &str, code: u64) {
    let (s, _, body) = reply;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["message"], message, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
}

/// An HTTP server on 127.0.0.1 answering every request with `body` as
/// `content_type` (a stand-in for S3 or any file host); returns its port.
pub async fn file_server(body: Vec<u8>, content_type: &'static str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
        }
    });
    port
}

pub const SECS_30: Duration = Duration::from_secs(30);
pub const SECS_60: Duration = Duration::from_secs(60);

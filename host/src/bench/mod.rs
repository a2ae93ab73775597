//! `capsule bench`: end-to-end no-op jobs through the embedded engine
//! (submit → queue → wasm → completed in SQLite, or in PostgreSQL with
//! `--database-url`, in a schema of the bench's own), submit latency, and the
//! raw instantiate+run cost of the runtime alone, measured in one run so
//! the figures can be compared as ratios. With `--component`, a real
//! component's per-job run time as loaded and pre-initialized instead
//! ([`component`]).

mod component;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::app;
use crate::cli::{HostArgs, Scratch};
use crate::manifest::{CapabilitySpec, Manifest};
use crate::runtime::{JobHooks, JobRun, Level};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// A no-op component (the echo fixture: `cargo build --release --target wasm32-wasip2 -p fixture-echo --target-dir target/guest`).
    #[arg(long, default_value = "target/guest/wasm32-wasip2/release/fixture_echo.wasm")]
    pub wasm: PathBuf,
    /// Jobs to run end to end.
    #[arg(long, default_value_t = 20_000)]
    pub jobs: usize,
    /// Concurrent submitters.
    #[arg(long, default_value_t = 16)]
    pub submitters: usize,
    /// Offered load in jobs/s, spread over the submitters (open loop); 0 = as fast as they can.
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Worker concurrency of the benchmarked capability.
    #[arg(long, default_value_t = 64)]
    pub concurrency: u32,
    /// A component that spins forever, for the cancel-latency measurement
    /// (`-p fixture-busy-loop`); skipped when the file is missing.
    #[arg(long, default_value = "target/guest/wasm32-wasip2/release/fixture_busy_loop.wasm")]
    pub busy_wasm: PathBuf,
    /// A second version of the no-op component, for the hot-swap figures
    /// (`-p fixture-echo-v2`); skipped when the file is missing.
    #[arg(long, default_value = "target/guest/wasm32-wasip2/release/fixture_echo_v2.wasm")]
    pub swap_wasm: PathBuf,
    /// Calls for the raw instantiate+run measurement.
    #[arg(long, default_value_t = 20_000)]
    pub raw_calls: usize,
    /// Measure this component instead of the echo fixture: its per-job run
    /// time (fresh instance + run) started from the original component and
    /// from its pre-initialized snapshot, memory after loading, and memory
    /// per job in flight. The capability id is `--capability`, or the file
    /// stem without a `fixture_` prefix (`…/calendar.wasm` → `calendar`,
    /// `…/fixture_echo.wasm` → `echo`).
    #[arg(long)]
    pub component: Option<PathBuf>,
    /// The id `--component` names itself with in `describe()`.
    #[arg(long)]
    pub capability: Option<String>,
    /// The input of every measured job of `--component` (JSON); the default
    /// is a one-line posting for the calendar component.
    #[arg(long, default_value = r#"{"text":"서류 마감 9월 15일","reference_date":"2026-09-01"}"#)]
    pub input: String,
    /// Jobs per `--component` measurement.
    #[arg(long, default_value_t = 1_000)]
    pub runs: usize,
    /// A component that sleeps (`-p fixture-slow`), held `--in-flight` times
    /// at once for the memory-per-job figure of `--component`; skipped when missing.
    #[arg(long, default_value = "target/guest/wasm32-wasip2/release/fixture_slow.wasm")]
    pub slow_wasm: PathBuf,
    /// Jobs held in flight at once for the memory-per-job figure.
    #[arg(long, default_value_t = 200)]
    pub in_flight: usize,
    #[command(flatten)]
    pub host: HostArgs,
}

struct Quiet;

impl JobHooks for Quiet {
    fn progress(&self, _: u8, _: &str, _: &str) {}
    fn emit(&self, _: &str) {}
    fn log(&self, _: Level, _: &str) {}
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.component {
        return component::run(&args, path).await;
    }
    let source = std::fs::canonicalize(&args.wasm)
        .with_context(|| format!("{} not found; build the echo fixture first (see --help)", args.wasm.display()))?;
    let spec = CapabilitySpec { concurrency: args.concurrency, ..bench_spec("echo", source) };
    let mut capabilities = vec![spec.clone()];
    if let Ok(busy) = std::fs::canonicalize(&args.busy_wasm) {
        capabilities.push(CapabilitySpec {
            concurrency: 1,
            timeout: Duration::from_secs(30),
            ..bench_spec("busy-loop", busy)
        });
    }
    let scratch = Scratch::new("bench")?;
    let schema = BenchSchema::for_args(&args);
    let host = start_host(&args, &scratch, capabilities, args.jobs + 1, schema.as_ref()).await?;
    let measured = measure(&args, &host).await;
    if let Some(schema) = schema {
        schema.drop_it().await;
    }
    measured
}

/// With `--database-url`, the bench's jobs go to a schema of their own
/// (`--database-schema`, or a fresh `bench_…` one that is dropped after).
struct BenchSchema {
    url: String,
    name: String,
    ours: bool,
}

impl BenchSchema {
    fn for_args(args: &BenchArgs) -> Option<Self> {
        let url = args.host.database_url.clone()?;
        Some(match &args.host.database_schema {
            Some(name) => Self { url, name: name.clone(), ours: false },
            None => Self { url, name: format!("bench_{}", uuid::Uuid::new_v4().simple()), ours: true },
        })
    }

    async fn drop_it(self) {
        use sqlx::Connection;
        if !self.ours {
            return;
        }
        let dropped = async {
            let mut conn = sqlx::PgConnection::connect(&self.url).await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name)).execute(&mut conn).await
        };
        if let Err(e) = dropped.await {
            eprintln!("the bench's schema {} was not dropped: {e}", self.name);
        }
    }
}

/// A capability of the bench's host: served under its id, one attempt, no
/// cache, no grants; callers change what they measure.
fn bench_spec(id: &str, source: PathBuf) -> CapabilitySpec {
    CapabilitySpec {
        id: id.into(),
        name: id.into(),
        route: format!("/api/v1/{id}"),
        source,
        allowed_outbound_hosts: vec![],
        engines: Default::default(),
        ai_models: Default::default(),
        key_value_stores: Default::default(),
        variables: Default::default(),
        build: None,
        timeout: Duration::from_secs(10),
        max_attempts: 1,
        concurrency: 4,
        memory: 64 << 20,
        cache: false,
    }
}

/// The host in process, in `scratch`, with a cold compile cache unless
/// `--cache-dir` was given (the swap and pre-initialization figures time a
/// fresh compile).
async fn start_host(
    args: &BenchArgs,
    scratch: &Scratch,
    capabilities: Vec<CapabilitySpec>,
    queue_capacity: usize,
    schema: Option<&BenchSchema>,
) -> anyhow::Result<app::Host> {
    let manifest = Manifest {
        path: scratch.path().join("spin.toml"),
        application: "bench".into(),
        capabilities,
        pipelines: Vec::new(),
    };
    let mut host_args = args.host.clone();
    host_args.queue_capacity = queue_capacity;
    let mut settings = host_args.scratch_settings(scratch, false)?;
    if args.host.cache_dir.is_none() {
        settings.cache_dir = scratch.path().join("cache");
    }
    if let Some(schema) = schema {
        settings.store =
            crate::store::Location::Postgres { url: schema.url.clone(), schema: Some(schema.name.clone()) };
    }
    app::start(&manifest, &settings).await
}

async fn measure(args: &BenchArgs, host: &app::Host) -> anyhow::Result<()> {
    let jobs = host.jobs.clone();
    let entry = jobs.registry().get("echo").context("echo capability")?.clone();
    let version = entry.current();
    let runtime = jobs.runtime().clone();

    // Raw runtime: fresh Store + instantiate + run, no job engine.
    let raw_single = {
        let n = args.raw_calls / 4;
        let start = Instant::now();
        for i in 0..n {
            let run = JobRun {
                id: format!("raw{i}"),
                capability: "echo".into(),
                attempt: 1,
                input: "{\"n\":1}".into(),
                tenant: None,
            };
            runtime
                .run(&version, run, Arc::new(Quiet), CancellationToken::new())
                .await
                .map_err(|f| anyhow::anyhow!("{f:?}"))?;
        }
        start.elapsed() / n as u32
    };
    let raw_parallel_rate = {
        let per_task = args.raw_calls / 2;
        let start = Instant::now();
        let mut tasks = Vec::new();
        for t in 0..2 {
            let (runtime, version) = (runtime.clone(), version.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..per_task {
                    let run = JobRun {
                        id: format!("raw{t}-{i}"),
                        capability: "echo".into(),
                        attempt: 1,
                        input: "{}".into(),
                        tenant: None,
                    };
                    let _ = runtime.run(&version, run, Arc::new(Quiet), CancellationToken::new()).await;
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        (per_task * 2) as f64 / start.elapsed().as_secs_f64()
    };

    // End to end through the job engine.
    let (total, mut latencies, submitted_in, elapsed) = load_run(&jobs, args, 0).await?;
    latencies.sort();
    let rate = total as f64 / elapsed.as_secs_f64();
    let raw_rate_single = 1.0 / raw_single.as_secs_f64();

    println!("| measure | value |");
    println!("|---|---|");
    let offered = if args.rate > 0 { format!("{} jobs/s offered", args.rate) } else { "closed loop".into() };
    println!(
        "| jobs end to end | {total} ({} submitters, {offered}, concurrency {}) |",
        args.submitters, args.concurrency
    );
    println!("| end-to-end throughput | {rate:.0} jobs/s |");
    println!("| all submitted after | {:.0} ms |", submitted_in.as_secs_f64() * 1e3);
    println!("| submit latency p50 | {:.3} ms |", percentile(&latencies, 0.50).as_secs_f64() * 1e3);
    println!("| submit latency p99 | {:.3} ms |", percentile(&latencies, 0.99).as_secs_f64() * 1e3);
    println!(
        "| raw instantiate+run, 1 task | {:.1} µs/call ({raw_rate_single:.0}/s) |",
        raw_single.as_secs_f64() * 1e6
    );
    println!("| raw instantiate+run, 2 tasks | {raw_parallel_rate:.0} calls/s |");
    if args.rate == 0 {
        println!("| end-to-end rate / raw 2-task rate | {:.0}% |", rate / raw_parallel_rate * 100.0);
    }
    if let Ok(v2) = std::fs::read(&args.swap_wasm) {
        swap_figures(args, host, v2).await?;
    }
    if let Some(kib) = peak_rss_kib() {
        println!("| peak resident memory (whole process) | {:.1} MiB |", kib as f64 / 1024.0);
    }
    if let Some(busy) = jobs.registry().get("busy-loop") {
        let mut waits = cancel_latencies(&runtime, &busy.current()).await?;
        waits.sort();
        println!(
            "| cancel of a busy-looping job, p50 / max of {} | {:.2} ms / {:.2} ms |",
            waits.len(),
            percentile(&waits, 0.5).as_secs_f64() * 1e3,
            waits.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// Submit `args.jobs` echo jobs from `args.submitters` tasks and wait until
/// all are finished: (jobs, submit latencies, time to submit all, total time).
async fn load_run(
    jobs: &Arc<crate::jobs::Jobs>,
    args: &BenchArgs,
    offset: usize,
) -> anyhow::Result<(usize, Vec<Duration>, Duration, Duration)> {
    let per_submitter = args.jobs / args.submitters;
    let total = per_submitter * args.submitters;
    let start = Instant::now();
    let mut tasks = Vec::new();
    let pace = (args.rate > 0).then(|| Duration::from_secs_f64(args.submitters as f64 / args.rate as f64));
    for s in 0..args.submitters {
        let jobs = jobs.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_submitter);
            let mut ticker = pace.map(|p| {
                let mut t = tokio::time::interval(p);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                t
            });
            for i in 0..per_submitter {
                if let Some(t) = ticker.as_mut() {
                    t.tick().await;
                }
                let t = Instant::now();
                jobs.submit("echo", json!({"message": "bench", "n": offset + s * per_submitter + i}), false, None)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await??);
    }
    let submitted_in = start.elapsed();
    loop {
        let stats = jobs.stats().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if stats.queued == 0 && stats.processing == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = start.elapsed();
    let completed = jobs
        .list(&crate::store::ListFilter {
            status: Some(crate::store::Status::Completed),
            limit: 1,
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(!completed.is_empty(), "no job completed");
    Ok((total, latencies, submitted_in, elapsed))
}

/// Hot swap: PUT-to-serving time (fresh compile, compiled artifact cached on
/// disk, kept in memory), and the job engine's rate and submit p99 while
/// versions are swapped back and forth every 50 ms, against a run without.
async fn swap_figures(args: &BenchArgs, host: &app::Host, v2: Vec<u8>) -> anyhow::Result<()> {
    let deployer = host.deployer.clone();
    let err = |e: crate::deploy::DeployError| anyhow::anyhow!("{e}");
    let fresh = deployer.push("echo", v2.clone()).await.map_err(err)?;
    let back = deployer.rollback("echo", None).await.map_err(err)?;
    let spec = host.jobs.registry().by_id("echo").context("echo")?.spec.clone();
    let started = Instant::now();
    let cached = host.jobs.runtime().load(&spec, v2.clone(), crate::runtime::digest_of(&v2)).await?;
    let cached_ms = started.elapsed().as_secs_f64() * 1e3;
    anyhow::ensure!(cached.from_cache, "the second load of a version did not use the compiled cache");

    let (total, mut calm, _, calm_elapsed) = load_run(&host.jobs, args, 1_000_000).await?;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (deployer, stop, v2) = (deployer.clone(), stop.clone(), v2.clone());
        tokio::spawn(async move {
            let mut swaps = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let result = if swaps.is_multiple_of(2) {
                    deployer.push("echo", v2.clone()).await
                } else {
                    deployer.rollback("echo", None).await
                };
                result.map_err(|e| anyhow::anyhow!("{e}"))?;
                swaps += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            anyhow::Ok(swaps)
        })
    };
    let (_, mut swapping, _, swap_elapsed) = load_run(&host.jobs, args, 2_000_000).await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.await??;
    calm.sort();
    swapping.sort();
    println!("| PUT to serving, fresh compile | {:.1} ms |", fresh.took_ms);
    println!("| load of a version whose compiled artifact is cached on disk | {cached_ms:.1} ms |");
    println!("| rollback to a kept (loaded) version | {:.3} ms |", back.took_ms);
    println!(
        "| throughput / submit p99 without swaps | {:.0} jobs/s / {:.3} ms |",
        total as f64 / calm_elapsed.as_secs_f64(),
        percentile(&calm, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "| throughput / submit p99 with {swaps} swaps (every 50 ms) | {:.0} jobs/s / {:.3} ms |",
        total as f64 / swap_elapsed.as_secs_f64(),
        percentile(&swapping, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}

/// The process's peak resident set (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    proc_status_kib("VmHWM:")
}

/// The process's resident set now (Linux `VmRSS`).
fn rss_kib() -> Option<u64> {
    proc_status_kib("VmRSS:")
}

fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// From cancelling a spinning guest to its call returning, measured at the
/// runtime (the epoch tick is what bounds it).
async fn cancel_latencies(
    runtime: &Arc<crate::runtime::Runtime>,
    version: &Arc<crate::runtime::Version>,
) -> anyhow::Result<Vec<Duration>> {
    let mut waits = Vec::new();
    for i in 0..20 {
        let token = CancellationToken::new();
        let (runtime, version, t) = (runtime.clone(), version.clone(), token.clone());
        let task = tokio::spawn(async move {
            let run = JobRun {
                id: format!("spin{i}"),
                capability: "busy-loop".into(),
                attempt: 1,
                input: "{}".into(),
                tenant: None,
            };
            runtime.run(&version, run, Arc::new(Quiet), t).await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        token.cancel();
        let outcome = task.await?;
        waits.push(start.elapsed());
        anyhow::ensure!(
            matches!(&outcome, Err(f) if f.code == "JOB_CANCELLED"),
            "busy loop ended with {outcome:?}, not JOB_CANCELLED"
        );
    }
    Ok(waits)
}

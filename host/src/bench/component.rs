//! `capsule bench --component`: what a job of a real component costs when
//! every job starts from the original component (its warm-up, if any, runs
//! lazily in each job) and when it starts from the pre-initialized snapshot,
//! measured in one run; and the host's memory after loading it and per job
//! held in flight.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::{BenchArgs, Quiet, bench_spec, percentile, rss_kib, start_host};
use crate::cli::Scratch;
use crate::manifest::{CapabilitySpec, ENGINES};
use crate::runtime::{JobRun, Runtime, Version, digest_of};

pub async fn run(args: &BenchArgs, path: &Path) -> anyhow::Result<()> {
    let source = std::fs::canonicalize(path).with_context(|| format!("{} not found", path.display()))?;
    let id = match &args.capability {
        Some(id) => id.clone(),
        None => {
            let stem =
                source.file_stem().and_then(|s| s.to_str()).context("give the capability id with --capability")?;
            stem.strip_prefix("fixture_").unwrap_or(stem).replace('_', "-")
        }
    };
    serde_json::from_str::<serde_json::Value>(&args.input).context("--input is not JSON")?;
    let spec = CapabilitySpec {
        engines: ENGINES.iter().map(|e| e.to_string()).collect(),
        timeout: Duration::from_secs(60),
        memory: 512 << 20,
        ..bench_spec(&id, source.clone())
    };
    let mut capabilities = vec![spec.clone()];
    if let Ok(slow) = std::fs::canonicalize(&args.slow_wasm) {
        capabilities.push(CapabilitySpec { concurrency: args.in_flight as u32, ..bench_spec("slow", slow) });
    }
    let loaded: Vec<String> = capabilities.iter().map(|c| c.id.clone()).collect();
    let scratch = Scratch::new("bench")?;
    let host = start_host(args, &scratch, capabilities, args.host.queue_capacity, None).await?;
    let rss_loaded = rss_kib();
    let runtime = host.jobs.runtime().clone();
    let warm = host.jobs.registry().get(&id).context("the measured capability")?.current();
    let wasm = std::fs::read(&source)?;
    let started = Instant::now();
    let as_is = runtime.load_as_is(&spec, wasm.clone(), digest_of(&wasm)).await?;
    let as_is_load = started.elapsed();

    // Alternate the two so machine noise lands on both alike.
    let (mut cold, mut hot) = (Vec::with_capacity(args.runs), Vec::with_capacity(args.runs));
    let mut outputs = (None, None);
    for i in 0..args.runs {
        let (took, output) = one_job(&runtime, &as_is, &args.input, i).await?;
        cold.push(took);
        outputs.0.get_or_insert(output);
        let (took, output) = one_job(&runtime, &warm, &args.input, i).await?;
        hot.push(took);
        outputs.1.get_or_insert(output);
    }
    anyhow::ensure!(outputs.0 == outputs.1, "the pre-initialized component answered differently: {outputs:?}");
    cold.sort();
    hot.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("| measure ({id}, {} jobs each, one run) | value |", args.runs);
    println!("|---|---|");
    println!("| input | `{}` |", args.input);
    match warm.preinit {
        Some(report) => println!(
            "| pre-initialization at load (instrument + warm-up + snapshot + compile) | {} (warm-up call {}) |",
            report.took_ms.map_or("cached".into(), |t| format!("{t:.0} ms")),
            report.warm_ms.map_or("cached".into(), |t| format!("{t:.1} ms"))
        ),
        None => println!("| pre-initialization | none: the component has no `wizer-initialize` export |"),
    }
    println!("| load as is (compile, describe, examples) | {:.0} ms |", ms(as_is_load));
    for (what, times) in
        [("as is (fresh instance of the original)", &cold), ("pre-initialized (fresh instance of the snapshot)", &hot)]
    {
        println!(
            "| per-job run time, {what}: p50 / p99 / max | {:.3} ms / {:.3} ms / {:.3} ms |",
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.99)),
            ms(times.last().copied().unwrap_or_default())
        );
    }
    println!(
        "| p50 as is / p50 pre-initialized | {:.0}× |",
        percentile(&cold, 0.5).as_secs_f64() / percentile(&hot, 0.5).as_secs_f64().max(1e-9)
    );
    if let Some(kib) = rss_loaded {
        println!(
            "| resident memory after loading every component ({}) | {:.1} MiB |",
            loaded.join(", "),
            kib as f64 / 1024.0
        );
    }
    if let Some(slow) = host.jobs.registry().get("slow") {
        in_flight_memory(&runtime, &slow.current(), args.in_flight).await?;
    }
    Ok(())
}

/// One job: a fresh instance of `version` and its run, timed together.
async fn one_job(
    runtime: &Arc<Runtime>,
    version: &Arc<Version>,
    input: &str,
    i: usize,
) -> anyhow::Result<(Duration, String)> {
    let job = JobRun {
        id: format!("bench{i}"),
        capability: version.capability.clone(),
        attempt: 1,
        input: input.to_string(),
        tenant: None,
    };
    let started = Instant::now();
    let output = runtime
        .run(version, job, Arc::new(Quiet), CancellationToken::new())
        .await
        .map_err(|f| anyhow::anyhow!("the job failed: {}: {}", f.code, f.message))?;
    Ok((started.elapsed(), output))
}

/// Resident memory grown by `n` sleeping jobs held in flight at once,
/// divided by `n`: what a queue of running jobs costs beyond the host.
async fn in_flight_memory(runtime: &Arc<Runtime>, slow: &Arc<Version>, n: usize) -> anyhow::Result<()> {
    let before = rss_kib().context("reading VmRSS")?;
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (runtime, slow) = (runtime.clone(), slow.clone());
        tasks.push(tokio::spawn(async move {
            let job = JobRun {
                id: format!("slow{i}"),
                capability: "slow".into(),
                attempt: 1,
                input: r#"{"steps": 1, "step_ms": 1500}"#.into(),
                tenant: None,
            };
            runtime.run(&slow, job, Arc::new(Quiet), CancellationToken::new()).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let during = rss_kib().context("reading VmRSS")?;
    for t in tasks {
        t.await?.map_err(|f| anyhow::anyhow!("a sleeping job failed: {}: {}", f.code, f.message))?;
    }
    println!(
        "| resident memory per job in flight ({n} sleeping SDK jobs at once) | {:.0} KiB |",
        during.saturating_sub(before) as f64 / n as f64
    );
    Ok(())
}

//! The end-to-end suite again, every host on PostgreSQL (`--database-url`,
//! a schema of its own per host on the test server): the same modules as
//! `main.rs`, so the shared store is held to every behaviour the embedded
//! one is, plus `shared_store` (what only a shared store does).

mod harness;

pub const BACKEND: harness::Backend = harness::Backend::Postgres;

mod accounts;
mod admin_push;
mod analysis;
mod backpressure;
mod blobs;
mod business;
mod cache;
mod calendar;
mod cancel;
mod career;
mod cli;
mod client_faults;
mod connections;
mod cors;
mod docs;
mod documents;
mod event_channels;
mod experts;
mod files;
mod gpt_jobs;
mod hot_swap;
mod keyvalue;
mod language;
mod lifecycle;
mod manifest;
mod openai_double;
mod openapi;
mod outbound;
mod pipelines;
mod preinit;
mod python;
mod python_tools;
mod recovery;
mod reports;
mod s3_files;
mod sandbox;
mod scaffold;
mod search_providers;
mod speech;
mod tenants;
mod validation;
mod video;

// Only here: behaviours of the shared store itself, and of a cluster on it.
mod cluster;
mod cluster_components;
mod restarts;
mod shared_store;

#[test]
fn the_postgres_suite_runs_every_module_of_the_embedded_one() {
    let modules = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(harness::workspace().join("tests/e2e").join(file)).expect("crate root");
        text.lines().filter(|l| l.starts_with("mod ")).map(str::to_string).collect()
    };
    let here = modules("postgres.rs");
    let missing: Vec<String> = modules("main.rs").into_iter().filter(|m| !here.contains(m)).collect();
    assert!(missing.is_empty(), "not run on PostgreSQL: {missing:?}");
}

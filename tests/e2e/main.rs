//! End-to-end tests: a real `capsule` process, real components, over HTTP.
//!
//! Every test starts its own host (own port, own temporary data directory)
//! from a manifest built by [`harness::Manifest`], so tests are independent
//! and run in parallel. The guest components are built once per test process
//! by [`harness::guests`].

mod harness;

/// This binary's hosts use the embedded store; `postgres.rs` runs the same
/// modules on PostgreSQL.
pub const BACKEND: harness::Backend = harness::Backend::Embedded;

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

//! End-to-end tests: a real `capsule` process, real components, over HTTP.
//!
//! Every test starts its own host (own port, own temporary data directory)
//! from a manifest built by [`harness::Manifest`], so tests are independent
//! and run in parallel. The guest components are built once per test process
//! by [`harness::guests`].

mod harness;

mod backpressure;
mod blobs;
mod cache;
mod calendar;
mod cancel;
mod cli;
mod connections;
mod cors;
mod docs;
mod documents;
mod files;
mod hot_swap;
mod lifecycle;
mod manifest;
mod python;
mod recovery;
mod sandbox;
mod scaffold;
mod validation;

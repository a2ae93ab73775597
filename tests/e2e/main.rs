//! End-to-end tests: a real `capsule` process, real components, over HTTP.

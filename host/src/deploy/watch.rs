//! `serve --watch`: when a component's `source` changes, or a file matching
//! its `build.watch` globs (then `build.command` runs first), the new bytes go
//! through the same validation and swap as a push. A broken build or an
//! invalid version leaves the running version in place and says why.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use notify::{RecursiveMode, Watcher};

use super::{Deployer, WATCH_SETTLE};
use crate::manifest::{CapabilitySpec, Manifest};

struct Watched {
    spec: CapabilitySpec,
    globs: GlobSet,
}

/// The directory a glob's literal prefix names (`src/**/*.rs` → `src`).
fn glob_root(workdir: &Path, pattern: &str) -> PathBuf {
    let literal: Vec<&str> = pattern.split('/').take_while(|part| !part.contains(['*', '?', '[', '{'])).collect();
    let literal =
        if literal.len() == pattern.split('/').count() { &literal[..literal.len() - 1] } else { &literal[..] };
    workdir.join(literal.join("/"))
}

/// Watch every component of `manifest` until the process ends.
pub async fn watch(deployer: Arc<Deployer>, manifest: Manifest) -> anyhow::Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for path in event.paths {
                let _ = tx.send(path);
            }
        }
    })?;
    let mut watched = Vec::new();
    let mut dirs = HashSet::new();
    for spec in &manifest.capabilities {
        let mut globs = GlobSetBuilder::new();
        if let Some(build) = &spec.build {
            for pattern in &build.watch {
                let absolute = build.workdir.join(pattern);
                globs.add(Glob::new(&absolute.to_string_lossy())?);
                let root = glob_root(&build.workdir, pattern);
                if root.is_dir() && dirs.insert((root.clone(), true)) {
                    watcher.watch(&root, RecursiveMode::Recursive)?;
                }
            }
        }
        // The source's directory, not the file: builds replace the file.
        if let Some(dir) = spec.source.parent() {
            std::fs::create_dir_all(dir)?;
            if dirs.insert((dir.to_path_buf(), false)) {
                watcher.watch(dir, RecursiveMode::NonRecursive)?;
            }
        }
        watched.push(Watched { spec: spec.clone(), globs: globs.build()? });
    }
    tracing::info!(components = watched.len(), "watching component sources and build inputs");

    while let Some(first) = rx.recv().await {
        let mut paths = vec![first];
        // Let a burst (an editor save, a build writing files) settle.
        loop {
            match tokio::time::timeout(WATCH_SETTLE, rx.recv()).await {
                Ok(Some(p)) => paths.push(p),
                Ok(None) => return Ok(()),
                Err(_) => break,
            }
        }
        for w in &watched {
            let rebuild = w.spec.build.is_some() && paths.iter().any(|p| w.globs.is_match(p));
            let source_changed = paths.iter().any(|p| p == &w.spec.source);
            if rebuild {
                if !build(&w.spec).await {
                    continue;
                }
            } else if !source_changed {
                continue;
            }
            redeploy(&deployer, &w.spec).await;
        }
    }
    drop(watcher);
    Ok(())
}

async fn build(spec: &CapabilitySpec) -> bool {
    let Some(build) = &spec.build else { return true };
    eprintln!("[watch] {}: building (`{}`)", spec.id, build.command);
    let output =
        tokio::process::Command::new("sh").arg("-c").arg(&build.command).current_dir(&build.workdir).output().await;
    match output {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!(
                "[watch] {}: build failed ({}); the running version stays:\n{}",
                spec.id,
                o.status,
                tail.join("\n")
            );
            false
        }
        Err(e) => {
            eprintln!("[watch] {}: could not run the build command: {e}; the running version stays", spec.id);
            false
        }
    }
}

async fn redeploy(deployer: &Deployer, spec: &CapabilitySpec) {
    let wasm = match tokio::fs::read(&spec.source).await {
        Ok(w) => w,
        Err(e) => return eprintln!("[watch] {}: cannot read {}: {e}", spec.id, spec.source.display()),
    };
    match deployer.push(&spec.id, wasm).await {
        // The file was rewritten with the bytes already serving.
        Ok(d) if d.digest == d.previous_digest => {}
        Ok(d) => {
            eprintln!("[watch] {}: now serving {} (version {}, {:.0} ms)", spec.id, d.digest, d.version, d.took_ms)
        }
        Err(e) => eprintln!("[watch] {}: new build refused, the running version stays: {e}", spec.id),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_root;
    use std::path::Path;

    #[test]
    fn glob_root_is_the_literal_prefix() {
        let w = Path::new("/w");
        assert_eq!(glob_root(w, "components/calendar/src/**/*.rs"), Path::new("/w/components/calendar/src"));
        assert_eq!(glob_root(w, "wit/*.wit"), Path::new("/w/wit"));
        assert_eq!(glob_root(w, "Cargo.toml"), Path::new("/w/"));
    }
}

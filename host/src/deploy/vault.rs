//! The host's cache of component versions on disk, so a restart or a
//! rollback reads them from here rather than from the store, which holds
//! every host's record (see the module above):
//! `<data>/components/<id>/<hex digest>.wasm` and `state.json`, the
//! versions this host served (newest last; the oldest beyond
//! `--keep-versions` are removed) and the digest of the manifest's `source`
//! when it last started. Before versions were shared, this was the record;
//! a store that has never seen a component takes its history from here.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct VaultState {
    /// Digest of the manifest's `source` file when last started.
    pub manifest_digest: Option<String>,
    /// Digests in the order this host served them; the last one serves.
    pub history: Vec<String>,
}

impl VaultState {
    /// Move `digest` to the end of the history, keeping at most `keep`;
    /// returns the digests that fell out.
    pub fn activate(&mut self, digest: &str, keep: usize) -> Vec<String> {
        self.history.retain(|d| d != digest);
        self.history.push(digest.to_string());
        let excess = self.history.len().saturating_sub(keep.max(1));
        self.history.drain(..excess).collect()
    }
}

#[derive(Clone)]
pub struct Vault {
    dir: PathBuf,
}

fn file_name(digest: &str) -> String {
    format!("{}.wasm", digest.trim_start_matches("sha256:"))
}

impl Vault {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn component_dir(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    pub fn state(&self, id: &str) -> std::io::Result<VaultState> {
        match std::fs::read(self.component_dir(id).join("state.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("state.json of `{id}`: {e}"))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(VaultState::default()),
            Err(e) => Err(e),
        }
    }

    /// Written to a temporary file first: a crash leaves the old state whole.
    pub fn save_state(&self, id: &str, state: &VaultState) -> std::io::Result<()> {
        let dir = self.component_dir(id);
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join("state.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(state).expect("state serialises"))?;
        std::fs::rename(tmp, dir.join("state.json"))
    }

    /// Store a version's bytes; `true` when this call created the file (a
    /// kept version's file is never rewritten). A failed write leaves nothing.
    pub fn save_wasm(&self, id: &str, digest: &str, wasm: &[u8]) -> std::io::Result<bool> {
        let dir = self.component_dir(id);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(file_name(digest));
        if path.is_file() {
            return Ok(false);
        }
        let tmp = dir.join(format!("{}.tmp", file_name(digest)));
        let written = std::fs::write(&tmp, wasm).and_then(|()| std::fs::rename(&tmp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map(|()| true)
    }

    pub fn read_wasm(&self, id: &str, digest: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.component_dir(id).join(file_name(digest)))
    }

    pub fn remove_wasm(&self, id: &str, digest: &str) {
        let _ = std::fs::remove_file(self.component_dir(id).join(file_name(digest)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_moves_a_digest_to_the_end_and_trims() {
        let mut s = VaultState::default();
        assert!(s.activate("a", 3).is_empty());
        s.activate("b", 3);
        s.activate("c", 3);
        assert_eq!(s.activate("d", 3), ["a"]);
        assert_eq!(s.history, ["b", "c", "d"]);
        s.activate("b", 3);
        assert_eq!(s.history, ["c", "d", "b"]);
    }

    #[test]
    fn state_round_trips_through_disk() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::new(dir.path().into());
        assert!(vault.state("x").unwrap().history.is_empty());
        let mut s = VaultState { manifest_digest: Some("sha256:m".into()), history: vec![] };
        s.activate("sha256:m", 5);
        vault.save_state("x", &s).unwrap();
        vault.save_wasm("x", "sha256:m", b"\0asm").unwrap();
        assert_eq!(vault.state("x").unwrap().history, ["sha256:m"]);
        assert_eq!(vault.read_wasm("x", "sha256:m").unwrap(), b"\0asm");
    }
}

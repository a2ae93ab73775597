//! The current version of each capability, and the loaded versions kept
//! beside it. Swapping is one atomic pointer exchange; a running job holds
//! its own `Arc<Version>`, so it finishes on the version it started with,
//! and the input schema used for validation switches at the same instant as
//! the code because both live in the same `Version`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use super::Version;
use crate::manifest::CapabilitySpec;

pub struct Entry {
    pub spec: Arc<CapabilitySpec>,
    current: ArcSwap<Version>,
    /// Loaded versions in activation order (current last), at most `keep`.
    loaded: Mutex<Vec<Arc<Version>>>,
    keep: usize,
}

impl Entry {
    pub fn current(&self) -> Arc<Version> {
        self.current.load_full()
    }

    /// Make `version` current; returns the one it replaced. Kept versions
    /// stay compiled and instantiable, so going back needs no compile.
    pub fn activate(&self, version: Arc<Version>) -> Arc<Version> {
        let mut loaded = self.loaded.lock().expect("versions lock");
        loaded.retain(|v| v.digest != version.digest);
        loaded.push(version.clone());
        let excess = loaded.len().saturating_sub(self.keep);
        loaded.drain(..excess);
        self.current.swap(version)
    }

    /// A kept, already-loaded version.
    pub fn loaded(&self, digest: &str) -> Option<Arc<Version>> {
        self.loaded.lock().expect("versions lock").iter().find(|v| v.digest == digest).cloned()
    }
}

#[derive(Default)]
pub struct Registry {
    /// Keyed by the API name (`/api/v1/<name>`).
    by_name: HashMap<String, Arc<Entry>>,
    order: Vec<String>,
}

impl Registry {
    pub fn insert(&mut self, spec: CapabilitySpec, version: Arc<Version>, keep: usize) {
        let name = spec.name.clone();
        self.order.push(name.clone());
        let entry = Entry {
            spec: Arc::new(spec),
            current: ArcSwap::new(version.clone()),
            loaded: Mutex::new(vec![version]),
            keep: keep.max(1),
        };
        self.by_name.insert(name, Arc::new(entry));
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Entry>> {
        self.by_name.get(name)
    }

    /// By component id, which may differ from the API name.
    pub fn by_id(&self, id: &str) -> Option<&Arc<Entry>> {
        self.by_name.values().find(|e| e.spec.id == id)
    }

    /// In manifest order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.order.iter().filter_map(|n| self.by_name.get(n))
    }
}

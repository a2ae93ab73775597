//! The current version of each capability. Swapping a version is one atomic
//! pointer exchange; a running job holds its own `Arc<Version>`, so it
//! finishes on the version it started with.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::Version;
use crate::manifest::CapabilitySpec;

pub struct Entry {
    pub spec: Arc<CapabilitySpec>,
    current: ArcSwap<Version>,
}

impl Entry {
    pub fn current(&self) -> Arc<Version> {
        self.current.load_full()
    }
}

#[derive(Default)]
pub struct Registry {
    /// Keyed by the API name (`/api/v1/<name>`).
    by_name: HashMap<String, Arc<Entry>>,
    order: Vec<String>,
}

impl Registry {
    pub fn insert(&mut self, spec: CapabilitySpec, version: Arc<Version>) {
        let name = spec.name.clone();
        self.order.push(name.clone());
        self.by_name.insert(name, Arc::new(Entry { spec: Arc::new(spec), current: ArcSwap::new(version) }));
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

//! Which implementation of each shared trait a host uses, picked from its
//! settings: the embedded ones (SQLite file, in-memory search) with zero
//! configuration, the shared ones when `--database-url` names a PostgreSQL
//! server (its store, vector index, and `LISTEN`/`NOTIFY` as the bus between
//! hosts). The rest of the host sees only the traits.

use std::sync::Arc;

use anyhow::Context;

use crate::bus::{Bus, MemoryBus, PgBus};
use crate::store::{Database, Location, PgStore, SqliteStore};
use crate::vectors::VectorIndex;
use crate::vectors::postgres::PgVectors;
use crate::vectors::sqlite::SqliteVectors;

pub struct Backends {
    pub store: Arc<dyn Database>,
    pub vectors: Arc<dyn VectorIndex>,
    pub bus: Arc<dyn Bus>,
}

/// Open (creating and migrating) what `location` names.
pub async fn open(location: &Location) -> anyhow::Result<Backends> {
    let opening = || format!("opening the job database {}", location.describe());
    Ok(match location {
        Location::Sqlite(path) => {
            let store = SqliteStore::open(path).await.with_context(opening)?;
            let vectors = SqliteVectors::open(path).await.with_context(opening)?;
            Backends { store: Arc::new(store), vectors: Arc::new(vectors), bus: Arc::new(MemoryBus::default()) }
        }
        Location::Postgres { url, schema } => {
            let store = PgStore::connect(url, schema.as_deref()).await.with_context(opening)?;
            let vectors = PgVectors::new(store.pool().clone());
            let bus = PgBus::new(store.pool().clone(), schema.as_deref());
            Backends { store: Arc::new(store), vectors: Arc::new(vectors), bus: Arc::new(bus) }
        }
    })
}

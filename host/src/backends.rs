//! Which implementation of each shared trait a host uses, picked from its
//! settings: the embedded ones (SQLite file, in-memory search) with zero
//! configuration, the shared ones when `--database-url` names a PostgreSQL
//! server (its store, vector index, and `LISTEN`/`NOTIFY` as the bus between
//! hosts, or Redis pub/sub when `--redis-url` names a Redis). The rest of the
//! host sees only the traits.

use std::sync::Arc;

use anyhow::Context;

use crate::bus::{Bus, MemoryBus, PgBus, RedisBus};
use crate::store::{Database, Location, PgStore, SqliteStore};
use crate::vectors::VectorIndex;
use crate::vectors::postgres::PgVectors;
use crate::vectors::sqlite::SqliteVectors;

pub struct Backends {
    pub store: Arc<dyn Database>,
    pub vectors: Arc<dyn VectorIndex>,
    pub bus: Arc<dyn Bus>,
}

/// Open (creating and migrating) what `location` names, with the bus it
/// implies.
pub async fn open(location: &Location) -> anyhow::Result<Backends> {
    open_with(location, None).await
}

/// The longest a start-up waits for PostgreSQL to connect and migrate.
const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(45);

/// As [`open`], with the bus on the Redis at `redis_url` when one is given.
pub async fn open_with(location: &Location, redis_url: Option<&str>) -> anyhow::Result<Backends> {
    if let (Location::Sqlite(_), Some(_)) = (location, redis_url) {
        // Hosts find each other's jobs through a shared database; a host on
        // its own SQLite file has no peers, so a bus to them is a mistake
        // in the deployment, not something to run with.
        anyhow::bail!(
            "--redis-url needs --database-url: Redis carries notices between hosts that share a PostgreSQL \
             database, and without --database-url this host keeps its jobs in its own SQLite file"
        );
    }
    let opening = || format!("opening the job database {}", location.describe());
    Ok(match location {
        Location::Sqlite(path) => {
            let store = SqliteStore::open(path).await.with_context(opening)?;
            let vectors = SqliteVectors::open(path).await.with_context(opening)?;
            Backends { store: Arc::new(store), vectors: Arc::new(vectors), bus: Arc::new(MemoryBus::default()) }
        }
        Location::Postgres { url, schema } => {
            // Redis first: a mistake in its URL should stop the host before
            // the database is migrated.
            let redis = match redis_url {
                Some(url) => Some(
                    RedisBus::connect(url, schema.as_deref())
                        .await
                        .context("opening the bus between hosts (--redis-url)")?,
                ),
                None => None,
            };
            tracing::info!(database = %location.describe(), "opening the job database");
            // Bounded: a server that accepts connections but never answers
            // (or a migration lock another host never lets go of) must stop
            // the start-up with a reason, not hang it.
            let store = tokio::time::timeout(OPEN_TIMEOUT, PgStore::connect(url, schema.as_deref()))
                .await
                .map_err(|_| {
                    anyhow::anyhow!(
                        "PostgreSQL did not finish connecting and migrating within {} s",
                        OPEN_TIMEOUT.as_secs()
                    )
                })
                .with_context(opening)?
                .with_context(opening)?;
            tracing::info!("the job database is ready");
            let vectors = PgVectors::new(store.pool().clone()).await;
            let bus: Arc<dyn Bus> = match redis {
                Some(bus) => Arc::new(bus),
                None => Arc::new(PgBus::new(store.pool().clone(), schema.as_deref())),
            };
            Backends { store: Arc::new(store), vectors: Arc::new(vectors), bus }
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::store::Location;

    #[tokio::test]
    async fn a_redis_bus_without_a_shared_database_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let location = Location::Sqlite(dir.path().join("jobs.db"));
        let Err(e) = super::open_with(&location, Some("redis://127.0.0.1:6379")).await else {
            panic!("a Redis bus was opened beside a SQLite store");
        };
        let message = e.to_string();
        assert!(message.contains("--redis-url") && message.contains("--database-url"), "{message}");
        assert!(!dir.path().join("jobs.db").exists(), "refused before anything was created");
    }
}

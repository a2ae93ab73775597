-- Key-value pairs components keep between jobs (`wasi:keyvalue/store`,
-- host/src/engines/keyvalue), shared by every host of the deployment; the
-- same table as the embedded store's migrations/sqlite/0008. One namespace
-- per owner (the job's tenant key, '' while the API is open,
-- `examples:<component>` for self-tests at load), component id and store
-- label granted by `key_value_stores`. Keys are in the "C" collation so they
-- compare byte by byte, as SQLite's do: the order `list-keys` pages through.
-- The host limits keys to 1024 bytes, values to 1 MiB and a namespace to
-- 10,000 keys.
CREATE TABLE keyvalue (
    owner     TEXT NOT NULL,
    component TEXT NOT NULL,
    store     TEXT NOT NULL,
    key       TEXT COLLATE "C" NOT NULL,
    value     BYTEA NOT NULL,
    PRIMARY KEY (owner, component, store, key)
);

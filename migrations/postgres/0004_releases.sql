-- Component versions and which one is active, for every host of the
-- deployment (see host/src/deploy/mod.rs); the same tables as the embedded
-- store's migrations/sqlite/0007. The bytes live here rather than in the
-- blob store: the blob store may be a directory of one host, while every
-- host of a cluster shares the database by definition, and a push then
-- records its bytes and makes them active in one transaction. Only the
-- versions kept for rollback (`--keep-versions`) stay.
CREATE TABLE component_versions (
    component  TEXT NOT NULL,                 -- the component id in spin.toml
    digest     TEXT NOT NULL,                 -- sha256:<hex> of the bytes
    wasm       BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (component, digest)
);

-- The activation history: one row per kept version, `seq` the generation
-- at which it was last made active; the active version's `seq` equals its
-- component's `generation`.
CREATE TABLE component_releases (
    component    TEXT NOT NULL,
    digest       TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    activated_at BIGINT NOT NULL,
    PRIMARY KEY (component, digest),
    FOREIGN KEY (component, digest) REFERENCES component_versions (component, digest)
);

-- One row per component: a counter every activation bumps (its row lock
-- orders concurrent activations of one component across hosts), and the
-- digest of the manifest `source` last deployed, so a host can tell a
-- changed `source` (a new deployment) from a restart.
CREATE TABLE component_heads (
    component       TEXT PRIMARY KEY,
    generation      BIGINT NOT NULL,
    manifest_digest TEXT
);

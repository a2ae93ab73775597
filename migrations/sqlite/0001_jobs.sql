-- Jobs: one row per submitted job, updated through its life.
-- Times are milliseconds since the Unix epoch (UTC).
CREATE TABLE jobs (
    id                TEXT PRIMARY KEY NOT NULL,  -- job_<uuidv7>: sorts by creation time
    capability        TEXT NOT NULL,              -- component id
    state             TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
    input             TEXT NOT NULL,              -- JSON, validated before insert
    result            TEXT,                       -- JSON, when completed
    failure_code      TEXT,                       -- last failure (also kept while a retry waits)
    failure_message   TEXT,
    failure_retryable INTEGER,
    progress          INTEGER,
    step              TEXT,
    message           TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    max_attempts      INTEGER NOT NULL,
    cache_key         TEXT,                       -- sha256 of (capability, digest, canonical input) when caching
    component_digest  TEXT,                       -- the version that ran (or is running) the latest attempt
    lease_owner       TEXT,                       -- host instance running it
    lease_until       INTEGER,                    -- re-queued by anyone once this passes
    run_after         INTEGER NOT NULL,           -- not before (retry backoff)
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER,
    updated_at        INTEGER NOT NULL
);

CREATE INDEX jobs_state_lease ON jobs (state, lease_until);
CREATE INDEX jobs_capability_id ON jobs (capability, id);
CREATE INDEX jobs_state_id ON jobs (state, id);
CREATE INDEX jobs_cache_key ON jobs (cache_key) WHERE cache_key IS NOT NULL;

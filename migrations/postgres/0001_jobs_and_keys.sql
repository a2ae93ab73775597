-- The job store on PostgreSQL: the same rows as the embedded SQLite store
-- (migrations/sqlite 0001–0004), in one step. Times are milliseconds since
-- the Unix epoch (UTC), as there; integers are BIGINT so both stores read a
-- row into the same `JobRow`.
CREATE TABLE jobs (
    id                    TEXT PRIMARY KEY,            -- job_<uuidv7>: sorts by creation time
    capability            TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
    input                 TEXT NOT NULL,
    result                TEXT,
    failure_code          TEXT,
    failure_message       TEXT,
    failure_retryable     BOOLEAN,
    progress              BIGINT,
    step                  TEXT,
    message               TEXT,
    attempts              BIGINT NOT NULL DEFAULT 0,
    max_attempts          BIGINT NOT NULL,
    cache_key             TEXT,
    component_digest      TEXT,
    accepted_digest       TEXT,
    tenant                TEXT,
    lease_owner           TEXT,
    lease_until           BIGINT,
    run_after             BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    started_at            BIGINT,
    finished_at           BIGINT,
    updated_at            BIGINT NOT NULL,
    llm_calls             BIGINT,
    llm_prompt_tokens     BIGINT,
    llm_completion_tokens BIGINT,
    llm_model             TEXT
);

CREATE INDEX jobs_state_lease ON jobs (state, lease_until);
CREATE INDEX jobs_capability_id ON jobs (capability, id);
CREATE INDEX jobs_state_id ON jobs (state, id);
CREATE INDEX jobs_cache_key ON jobs (cache_key) WHERE cache_key IS NOT NULL;
CREATE INDEX jobs_tenant_id ON jobs (tenant, id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('submitter', 'viewer', 'admin')),
    name         TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL,
    rate_limit   TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT
);

-- Tenants: with API keys configured every job belongs to the tenant of the
-- key that submitted it (NULL: submitted while the API was open).
ALTER TABLE jobs ADD COLUMN tenant TEXT;
CREATE INDEX jobs_tenant_id ON jobs (tenant, id);

-- API keys. The key itself is shown once when created; only its SHA-256
-- is kept (keys are 256-bit random, so a fast hash is enough).
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,   -- the public part of the key, `csk_<id>_…`
    tenant       TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('submitter', 'viewer', 'admin')),
    name         TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL,               -- hex SHA-256 of the whole key
    rate_limit   TEXT,                        -- e.g. `20/s`; NULL: the server's default
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER
);

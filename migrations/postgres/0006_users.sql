-- Accounts of seed 003 (the video editor); the same table as the embedded
-- store's migrations/sqlite/0009. Each account is a tenant (`account:<id>`)
-- for the jobs and files made through seed 003's routes.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    auth_provider TEXT NOT NULL,
    subject       TEXT,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    is_verified   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_by_identity ON users (auth_provider, subject) WHERE subject IS NOT NULL;

-- Accounts of seed 003 (the video editor): email + Argon2id password hash,
-- or an external identity (provider + subject, e.g. Google's `sub`). Each
-- account is a tenant (`account:<id>`) for the jobs and files made through
-- seed 003's routes. Emails are stored lower-cased and trimmed.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    auth_provider TEXT NOT NULL,
    subject       TEXT,
    is_active     INTEGER NOT NULL DEFAULT 1,
    is_verified   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_by_identity ON users (auth_provider, subject) WHERE subject IS NOT NULL;

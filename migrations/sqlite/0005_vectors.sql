-- The vectors engine's embedded index: one row per point, per owner
-- (tenant namespace) and collection. Vectors are little-endian f32, unit length.
CREATE TABLE vectors (
    owner      TEXT NOT NULL,
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    dim        INTEGER NOT NULL,
    vector     BLOB NOT NULL,
    metadata   TEXT NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (owner, collection, id)
) WITHOUT ROWID;

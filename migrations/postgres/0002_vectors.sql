-- The vectors engine's index on PostgreSQL: one row per point, per owner
-- (tenant namespace) and collection. Vectors are little-endian f32, unit length.
CREATE TABLE vectors (
    owner      TEXT NOT NULL,
    collection TEXT NOT NULL,
    id         TEXT NOT NULL,
    dim        INTEGER NOT NULL,
    vector     BYTEA NOT NULL,
    metadata   JSONB NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (owner, collection, id)
);
CREATE INDEX vectors_metadata ON vectors USING GIN (metadata jsonb_path_ops);

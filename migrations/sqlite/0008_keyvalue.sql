-- Key-value pairs components keep between jobs (`wasi:keyvalue/store`,
-- host/src/engines/keyvalue): one namespace per owner (the job's tenant key,
-- '' while the API is open, `examples:<component>` for self-tests at load),
-- component id and store label granted by `key_value_stores`. Keys compare
-- byte by byte (BINARY), the order `list-keys` pages through; the host
-- limits keys to 1024 bytes, values to 1 MiB and a namespace to 10,000 keys.
CREATE TABLE keyvalue (
    owner     TEXT NOT NULL,
    component TEXT NOT NULL,
    store     TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     BLOB NOT NULL,
    PRIMARY KEY (owner, component, store, key)
);

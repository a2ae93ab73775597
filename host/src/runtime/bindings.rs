//! Host bindings for the `capsule:worker` world, generated in one place.

wasmtime::component::bindgen!({
    world: "capability",
    path: "../wit",
    imports: {
        "capsule:worker/blobs.read": async,
        "capsule:worker/blobs.write": async,
    },
    exports: { default: async },
});

pub use capsule::worker::types::{Descriptor, Job};

//! Host bindings for the `capsule:worker` world, generated in one place.

wasmtime::component::bindgen!({
    world: "engine-capability",
    path: "../wit",
    imports: {
        "capsule:worker/blobs.read": async,
        "capsule:worker/blobs.write": async,
        "capsule:worker/ocr.recognize": async,
        "capsule:worker/pdf-render.render-page": async,
    },
    exports: { default: async },
});

/// Every component is instantiated against the widest world; what it may
/// import is decided per component by its grants (see `check_imports`).
pub use EngineCapability as Capability;
pub use EngineCapabilityPre as CapabilityPre;
pub use capsule::worker::types::{Descriptor, Job};

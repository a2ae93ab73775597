//! Host bindings for the `capsule:worker` world, generated in one place.

wasmtime::component::bindgen!({
    world: "engine-capability",
    path: "../wit",
    imports: { default: async },
    exports: { default: async },
    // The host's own type behind a guest's key-value store handle.
    with: { "wasi:keyvalue/store.bucket": crate::engines::keyvalue::Bucket },
});

/// Every component is instantiated against the widest world; what it may
/// import is decided per component by its grants (see `check_imports`).
pub use EngineCapabilityPre as CapabilityPre;
pub use capsule::worker::types::{Descriptor, Job};

/// Our own interfaces every component may import; engines link their own.
pub fn link_contract(linker: &mut wasmtime::component::Linker<super::JobState>) -> wasmtime::Result<()> {
    use wasmtime::component::HasSelf;
    capsule::worker::types::add_to_linker::<_, HasSelf<_>>(linker, |s| s)?;
    capsule::worker::job_context::add_to_linker::<_, HasSelf<_>>(linker, |s| s)?;
    capsule::worker::blobs::add_to_linker::<_, HasSelf<_>>(linker, |s| s)
}

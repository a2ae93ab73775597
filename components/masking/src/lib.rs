//! `masking`: finds personal information (PII) in OCR'd or plain text lines so
//! that a later stage can black it out.
//!
//! Only the pure detection logic lives here for now; the component wiring
//! (WIT / SDK) and the drawing of masks come later and will call [`detect`].

pub mod pii;

pub use pii::{Detection, Line, PiiKind, Rect, Word, detect};

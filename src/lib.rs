//! cti-edge: threat-intelligence API clients and an IOC toolkit for WebAssembly.
//!
//! Layers (data flows down, errors flow up):
//! - [`core`]: sans-IO, pure Rust, host-tested;
//! - [`providers`]: endpoints and models of each vendor, built on the core;
//! - `js` (wasm32 only): the one wasm-bindgen boundary.

pub mod core;
pub mod providers;

#[cfg(target_arch = "wasm32")]
mod js;

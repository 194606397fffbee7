//! `cti-edge-ioc-scan`: the IOC scanner — extraction (`extract`) and refang with its offset
//! map (`refang`). A crate of its own so that cargo compiles it at opt-level 3 while the rest
//! of the package is built for size (`[profile.release.package.cti-edge-ioc-scan]` in the
//! root `Cargo.toml`; see `src/core/ioc/mod.rs`). Reached through `cti_edge::core::ioc`.

pub mod extract;
pub mod refang;

pub use cti_edge_ioc_base::*;

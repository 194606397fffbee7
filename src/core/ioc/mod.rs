//! IOC toolkit core: extraction, refang/defang, classification, STIX patterns and a
//! compact local indicator matcher. Pure Rust (std only, plus `thiserror`), no regex;
//! every public function is total: it never panics on input, slices only on char
//! boundaries, and runs in time linear in its input (the STIX parser caps nesting).
//!
//! Public API (mounted by the lead as `crate::core::ioc`):
//! ```text
//! extract_iocs(text: &str, opts: &ExtractOptions) -> Vec<Ioc>
//! refang(s: &str) -> String                    defang(s: &str) -> String
//! classify(v: &str) -> Option<Classification>
//! classify_detailed(v: &str) -> Result<Classification, Rejection>
//! classify_with(v: &str, opts: &ExtractOptions) -> Result<Classification, Rejection>
//! stix_pattern_for(kind: IocKind, value: &str) -> Option<String>
//! stix_pattern_for_ioc(ioc: &Ioc) -> Option<String>
//! parse_stix_pattern(p: &str) -> Result<Pattern, PatternError>
//!   Pattern::observables() -> Vec<Observable>   Pattern::iocs() -> Vec<(IocKind, String)>
//! IndicatorSet::builder(SetOptions) -> SetBuilder
//!   SetBuilder::insert(kind, value, Option<u32>) / insert_value(value, Option<u32>) -> Result<(), SetError>
//!   SetBuilder::build() -> IndicatorSet
//! IndicatorSet::from_pairs(iter of (kind, &str, Option<u32>), SetOptions) -> (IndicatorSet, Vec<SetError>)
//!   contains(&str) -> bool   get(kind, &str) -> Option<Option<u32>>
//!   match_text(&str, &ExtractOptions) -> Vec<SetMatch>   len()   heap_bytes()
//! Ioc::punycode() -> Option<String>         punycode::domain_to_ascii / domain_to_unicode
//! ```
//!
//! Module map:
//! - [`extract`]: one-pass byte scanners that find IOCs in free text.
//! - [`refang`](mod@refang): refang with an offset map back to the original text; [`defang`](mod@defang) the reverse.
//! - [`classify`](mod@classify): validate and classify a single value (shared with Sekoia lookup/import).
//! - [`stix`]: STIX 2.1 pattern builder and parser.
//! - [`set`]: [`IndicatorSet`], a compact matcher for large feeds.
//! - [`tld`]: generated TLD table (`tools/gen_tld.py`, PSL from PyPI `publicsuffixlist`).
//! - [`punycode`], [`btc`], [`sha256`]: small self-contained algorithms.
//!
//! Three crates, one module: `extract` and `refang` are the crate `cti-edge-ioc-scan` (`scan/`
//! beside this file), and the types, `tld`, `punycode`, `btc`, `sha256` the crate
//! `cti-edge-ioc-base` (`base/`) it stands on; both are re-exported here, so every path reads
//! `core::ioc::…`. Why: cargo sets the opt-level per crate, and the scanner alone is built at
//! opt-level 3 (the package at "z", for size). That makes extraction ~1.35× faster for ~+7 KB gz of
//! wasm; the rest stays small (`defang`, which runs rarely, lives here and not with `refang`).
//!
//! Conformance with three peers' test suites: `CONFORMANCE.md` beside this file.

pub(crate) mod anchors;
mod simd;
pub mod classify;
pub mod defang;
pub mod live;
pub mod set;
pub mod stix;

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod tests;

// The scanner and what it stands on (crates of their own for the opt-level, see above).
pub use cti_edge_ioc_base::{btc, punycode, sha256, tld, ExtractOptions, FileExtPolicy, Ioc, IocKind, KindSet};
pub use cti_edge_ioc_scan::{extract, refang};

pub use classify::{classify, classify_detailed, classify_with, Classification, Rejection};
pub use extract::{extract_iocs, is_reserved_ipv4, is_reserved_ipv6, FILE_EXTENSION_TLDS};
pub use live::{Hit, LiveSet};
pub use defang::defang;
pub use refang::refang;
pub use set::{IndicatorSet, SetBuilder, SetError, SetMatch, SetOptions, SnapshotError};
pub use stix::{
    parse_stix_pattern, stix_pattern_for, stix_pattern_for_ioc, Observable, Pattern, PatternError,
    PatternErrorKind,
};

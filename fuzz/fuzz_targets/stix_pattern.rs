#![no_main]
//! The STIX pattern parser on any text: a typed error or a pattern, never a panic or a
//! stack overflow (nesting is capped).
use cti_edge::core::ioc::parse_stix_pattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(p) = parse_stix_pattern(text) {
        let _ = p.observables();
        let _ = p.iocs();
    }
});

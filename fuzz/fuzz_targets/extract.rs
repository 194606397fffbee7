#![no_main]
//! The extractor on any text: never panics, and every hit's offsets point at its raw text.
use cti_edge::core::ioc::{extract_iocs, ExtractOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for dedupe in [false, true] {
        let opts = ExtractOptions { dedupe, ..Default::default() };
        for ioc in extract_iocs(text, &opts) {
            assert_eq!(text.get(ioc.start..ioc.end), Some(ioc.raw.as_str()));
            assert!(ioc.start16 <= ioc.end16);
            let before16: usize = text[..ioc.start].encode_utf16().count();
            assert_eq!(before16, ioc.start16);
            let _ = ioc.punycode();
        }
    }
});

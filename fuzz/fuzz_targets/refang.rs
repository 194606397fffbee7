#![no_main]
//! refang / defang / classify on any text: total functions, the early-exit `would_refang` agrees
//! with `refang`, and a canonical value classifies as itself. (The re-check allows file-extension TLDs: `a[.]mm` is a host because it was defanged,
//! while a bare `a.mm` is taken for a file by the default policy — by design, not instability.)
use cti_edge::core::ioc::refang::{refang_map, would_refang};
use cti_edge::core::ioc::{classify, classify_with, defang, refang, ExtractOptions, FileExtPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let once = refang(text);
    assert_eq!(would_refang(text), !refang_map(text).pieces.is_empty(), "would_refang disagrees with refang_map");
    let _ = defang(text);
    let _ = classify(text);
    if let Some(c) = classify(&once) {
        let allow = ExtractOptions { file_ext_policy: FileExtPolicy::Allow, ..Default::default() };
        let again = classify_with(&c.value, &allow).ok().map(|d| d.value);
        assert_eq!(again.as_deref(), Some(c.value.as_str()), "canonical value not stable: {:?}", c.value);
    }
});

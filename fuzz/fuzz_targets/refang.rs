#![no_main]
//! refang / defang / classify on any text: total functions, and refang is idempotent.
use cti_edge::core::ioc::{classify, defang, refang};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let once = refang(text);
    let _ = defang(text);
    let _ = classify(text);
    if let Some(c) = classify(&once) {
        // A canonical value classifies as itself.
        let again = classify(&c.value).map(|d| d.value);
        assert_eq!(again.as_deref(), Some(c.value.as_str()), "canonical value not stable: {:?}", c.value);
    }
});

#![no_main]
//! The extractor on any text: never panics (also with deny / allow lists), every hit's offsets
//! point at its raw text, a denied value is never reported, and
//! set matching finds every extracted IOC once it is in a set, in text and in JSON events (the
//! matching prefilter may skip text only when no entry can occur in it).
use cti_edge::core::ioc::{extract_iocs, ExtractOptions, LiveSet, SetOptions};
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
    // deny / allow lists made of the text's own pieces (any length, any chars: a deny entry
    // as long as a Unicode host's tail once made the suffix check slice inside a char)
    let tail: String = text.chars().rev().take(9).collect::<Vec<_>>().into_iter().rev().collect();
    let first = extract_iocs(text, &ExtractOptions::default()).into_iter().next().map(|i| i.value);
    let lists: Vec<String> = [Some(tail), first].into_iter().flatten().collect();
    let listed = ExtractOptions { deny: lists.clone(), allow: lists.clone(), exclude_private_ips: true, ..Default::default() };
    for ioc in extract_iocs(text, &listed) {
        assert!(!lists.iter().any(|d| d.eq_ignore_ascii_case(&ioc.value)), "{:?} is denied", ioc.value);
        assert_eq!(text.get(ioc.start..ioc.end), Some(ioc.raw.as_str()));
    }
    let opts = ExtractOptions::default();
    for ioc in extract_iocs(text, &opts).into_iter().take(4) {
        let mut set = LiveSet::new(SetOptions { domain_suffix: true });
        // only values the set stores as themselves (an odd value may normalise differently)
        let stored_as_is = set.insert(&ioc.value, None).is_ok()
            && set.get(&ioc.value).is_some_and(|h| h.kind == ioc.kind && h.value == ioc.value);
        if stored_as_is {
            let hits = set.match_text(text, &opts);
            assert!(hits.iter().any(|m| m.ioc.value == ioc.value && m.ioc.start == ioc.start), "{:?} not matched", ioc.value);
            // the same text as the second field of the second event of a batch (`matchObjects`):
            // events `[]` and `["x", text]`, fields delimited by their UTF-16 lengths
            let fields = format!("x\n{text}\n");
            let layout = [0, 2, 1, text.encode_utf16().count() as u32];
            let mut found = false;
            set.match_fields(&fields, &layout, &opts, &mut |ev, j, m| found |= ev == 1 && j == 1 && m.ioc.value == ioc.value);
            assert!(found, "{:?} not matched as an event field", ioc.value);
        }
    }
});

#![no_main]
//! The Group-IB mapping engine on any (template, portion) pair: Python's exceptions become
//! typed errors, never a panic.
use cti_edge::core::mapping::{bulk_parse_portion, get_iocs, parse_portion, IocOptions, ParseOptions, Portion};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &str| {
    let (keys, chunk) = data.split_once('\n').unwrap_or((data, "{}"));
    let (Ok(mut keys), Ok(chunk)) = (serde_json::from_str::<Value>(keys), serde_json::from_str::<Value>(chunk)) else { return };
    let Ok(portion) = Portion::new(chunk) else { return };
    let _ = parse_portion(&portion, &mut keys.clone(), &ParseOptions::default());
    let _ = get_iocs(&portion, &keys, &IocOptions::default());
    let _ = bulk_parse_portion(&portion, std::slice::from_mut(&mut keys));
});

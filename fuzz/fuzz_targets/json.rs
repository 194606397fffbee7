#![no_main]
//! The wasm's JSON reader against serde_json (the same value, or both refuse), and whole-number
//! reading against std's float parser.
use cti_edge::core::json;
use cti_edge::core::validate::whole_number;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let ours = json::parse(data).ok();
    let theirs = serde_json::from_str::<serde_json::Value>(data).ok();
    assert_eq!(ours, theirs);
    if let (Some(a), Some(b)) = (&ours, &theirs) {
        assert_eq!(a.to_string(), b.to_string());
    }
    let text = data.split(['\n', ',', ' ']).next().unwrap_or("");
    if let Some(i) = whole_number(text) {
        if i.unsigned_abs() < 1 << 53 {
            assert_eq!(text.parse::<f64>().ok(), Some(i as f64), "{text:?}");
        }
    }
    let plain = text.bytes().filter(u8::is_ascii_digit).count() <= 15 && !text.contains(['e', 'E']);
    if let Ok(f) = text.parse::<f64>() {
        if plain && f.is_finite() && f.fract() == 0.0 {
            assert_eq!(whole_number(text), Some(f as i64), "{text:?}");
        }
    }
});

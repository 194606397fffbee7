//! The only wasm-bindgen boundary: exported classes, option parsing, error classes and the
//! fetch transport. Nothing here runs at module load.

// One cargo feature per npm entry point's scope (Cargo.toml): each client's modules, what every
// client shares (`http`), and the IOC toolkit's exports (`toolkit`).
#[cfg(feature = "http")]
mod client;
#[cfg(feature = "sekoia")]
mod feed;
#[cfg(feature = "groupib")]
mod groupib;
#[cfg(feature = "sekoia")]
mod list;
#[cfg(feature = "networksage")]
mod networksage;
#[cfg(feature = "sekoia")]
mod sekoia;
#[cfg(feature = "sekoia")]
mod sekoia_ops;
#[cfg(feature = "http")]
mod transport;
#[cfg(feature = "http")]
mod vendors;

mod errors;
#[cfg(feature = "toolkit")]
mod indicator_set;
#[cfg(feature = "toolkit")]
mod ioc;
mod options;

use wasm_bindgen::prelude::*;

#[cfg(feature = "http")]
#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = sendHttp, catch)]
    fn send_http(
        fetch: &JsValue,
        url: &str,
        method: &str,
        headers: &js_sys::Array,
        body: &JsValue,
        timeout_ms: Option<f64>,
        signal: &JsValue,
        expect: &str,
    ) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_name = sleep, catch)]
    fn js_sleep(ms: f64, signal: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_name = nowMs)]
    fn now_ms() -> f64;

    #[wasm_bindgen(js_name = partKind)]
    fn part_kind(v: &JsValue) -> String;

    #[wasm_bindgen(js_name = buildForm, catch)]
    fn build_form(parts: &js_sys::Array, values: &js_sys::Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = isAbortSignal)]
    fn is_abort_signal(v: &JsValue) -> bool;

    /// A Rust page source (`next`, `stop`, `commit`, `cursor`) as a serialised async iterator.
    #[wasm_bindgen(js_name = pageIterator)]
    fn page_iterator(source: JsValue) -> JsValue;

    /// The items of a page iterator one by one, with `.pages` and `.cursor`.
    #[wasm_bindgen(js_name = itemIterator)]
    fn item_iterator(pages: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(class_name: &str, message: &str, props: &JsValue) -> JsValue;
}

/// Internal: compares the wasm SIMD text classifier with its scalar twin; the number of
/// blocks compared (0: built without SIMD), or throws the first mismatch. For the tests.
#[cfg(feature = "toolkit")]
#[wasm_bindgen(js_name = __simdSelfCheck, skip_typescript)]
pub fn simd_self_check() -> Result<u32, JsValue> {
    match crate::core::ioc::anchors::simd_self_check() {
        (n, None) => Ok(n as u32),
        (_, Some(e)) => Err(js_sys::Error::new(&e).into()),
    }
}

/// `parseFloat(text)` (on a JSON number's text the same as `Number(text)`): the JS engine's correctly
/// rounded decimal → double, for the Group-IB mapping engine's Python floats
/// (`core::mapping::pyfloat`), so the module carries no float parser.
pub(crate) fn engine_number(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

/// `String(x)`: ECMAScript's shortest round-trip digits (ties to even), as `repr` picks them.
pub(crate) fn engine_text(x: f64) -> String {
    js_sys::Number::from(x).to_string_with_radix(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

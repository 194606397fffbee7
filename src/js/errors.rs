//! `core::error::Error` → an instance of the matching JS class (see `errors.js`).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::core::error::{Error, TimeoutKind};

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn headers_object(headers: &[(String, String)]) -> Object {
    let o = Object::new();
    for (k, v) in headers {
        set(&o, k, v.as_str());
    }
    o
}

/// Builds the JS error for `err`. Callers redact first (the engine does for HTTP errors;
/// validation errors never contain secrets).
pub fn to_js(err: &Error) -> JsValue {
    let props = Object::new();
    let message = err.to_string();
    set(&props, "attempts", err.attempts());
    match err {
        Error::Api(e) => {
            set(&props, "status", e.status);
            set(&props, "code", e.code.clone().map(JsValue::from).unwrap_or(JsValue::NULL));
            let body = match &e.body {
                Some(text) => js_sys::JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text)),
                None => JsValue::NULL,
            };
            set(&props, "body", body);
            set(&props, "headers", headers_object(&e.headers));
            set(&props, "requestId", e.request_id.clone().map(JsValue::from).unwrap_or(JsValue::NULL));
            set(&props, "method", e.method.as_str());
            set(&props, "url", e.url.as_str());
            let rate: Vec<(String, String)> = e
                .headers
                .iter()
                .filter(|(k, _)| k.starts_with("x-ratelimit") || k.starts_with("ratelimit") || k.starts_with("retry-after"))
                .cloned()
                .collect();
            set(&props, "rateLimit", headers_object(&rate));
            match e.retry_after_ms {
                Some(ms) => {
                    set(&props, "retryAfterMs", ms);
                    set(&props, "retryAfter", ms / 1000.0);
                }
                None => {
                    set(&props, "retryAfterMs", JsValue::NULL);
                    set(&props, "retryAfter", JsValue::NULL);
                }
            }
            // The vendor's own message, without our "401 GET:" prefix.
            set(&props, "serverMessage", e.message.as_str());
            set(&props, "hint", e.hint.clone().map(JsValue::from).unwrap_or(JsValue::NULL));
        }
        Error::Validation { field, reason } => {
            set(&props, "field", field.as_str());
            set(&props, "reason", reason.as_str());
        }
        Error::Timeout { kind, after_ms, .. } => {
            set(&props, "kind", match kind {
                TimeoutKind::Attempt => "attempt",
                TimeoutKind::Deadline => "deadline",
            });
            set(&props, "afterMs", *after_ms);
        }
        Error::Decode { status, .. } => set(&props, "status", *status),
        Error::Abort { .. } | Error::Network { .. } => {}
    }
    super::make_error(err.class_name(), &message, &props)
}

//! The wasm transport: one attempt over the global (or injected) `fetch`, through
//! `runtime.js`. The auth header's secret is written into the fetch headers here and
//! nowhere else.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::options::get;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::engine::{Received, SendError, Transport};
use crate::core::request::{Body, PartData, Request, ResponseKind};
use crate::core::response::ResponseHead;

pub struct FetchTransport {
    /// `undefined` means "the global fetch at call time".
    pub fetch: JsValue,
    /// The caller's AbortSignal, or `undefined`.
    pub signal: JsValue,
    /// Values referred to by `PartData::Attachment(i)`.
    pub attachments: Array,
}


fn expect_name(kind: ResponseKind) -> &'static str {
    match kind {
        ResponseKind::Json => "json",
        ResponseKind::Text => "text",
        ResponseKind::Bytes => "bytes",
        ResponseKind::Empty => "none",
        ResponseKind::JsonText => "json+text",
    }
}

impl FetchTransport {
    fn body(&self, body: &Body) -> Result<JsValue, SendError> {
        Ok(match body {
            Body::Empty => JsValue::UNDEFINED,
            Body::Json(text) => JsValue::from_str(text),
            Body::Bytes { data, .. } => Uint8Array::from(data.as_slice()).into(),
            Body::Multipart(parts) => {
                let values = Array::new();
                let specs = Array::new();
                for p in parts {
                    let index = match &p.data {
                        PartData::Text(t) => values.push(&JsValue::from_str(t)),
                        PartData::Bytes(b) => values.push(&Uint8Array::from(b.as_slice())),
                        PartData::Attachment(i) => values.push(&self.attachments.get(*i as u32)),
                    } - 1;
                    let spec = js_sys::Object::new();
                    let _ = Reflect::set(&spec, &"name".into(), &JsValue::from_str(&p.name));
                    let _ = Reflect::set(&spec, &"index".into(), &JsValue::from(index));
                    if let Some(f) = &p.filename {
                        let _ = Reflect::set(&spec, &"filename".into(), &JsValue::from_str(f));
                    }
                    if let Some(c) = &p.content_type {
                        let _ = Reflect::set(&spec, &"contentType".into(), &JsValue::from_str(c));
                    }
                    specs.push(&spec);
                }
                super::build_form(&specs, &values).map_err(|e| SendError::Network(format!("could not build the form: {}", describe(&e))))?
            }
        })
    }
}

fn describe(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    let m = get(e, "message");
    m.as_string().unwrap_or_else(|| "unknown error".to_string())
}

impl Transport for FetchTransport {
    /// The decoded success body (a JSON value, a string, a Uint8Array or undefined): it goes
    /// to the caller as is, never copied through Rust structures.
    type Body = JsValue;

    async fn send(&self, req: &Request, timeout_ms: Option<f64>) -> Result<Received<JsValue>, SendError> {
        let headers = Array::new();
        for (k, v) in &req.headers {
            headers.push(&Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)));
        }
        match &req.body {
            Body::Json(_) => {
                headers.push(&Array::of2(&"content-type".into(), &"application/json".into()));
            }
            Body::Bytes { content_type, .. } => {
                headers.push(&Array::of2(&"content-type".into(), &JsValue::from_str(content_type)));
            }
            _ => {}
        }
        if let Some((name, secret)) = &req.auth {
            headers.push(&Array::of2(&JsValue::from_str(name), &JsValue::from_str(secret.expose())));
        }
        let body = self.body(&req.body)?;
        let promise = super::send_http(
            &self.fetch,
            &req.url,
            req.method.as_str(),
            &headers,
            &body,
            timeout_ms,
            &self.signal,
            expect_name(req.expect),
        )
        .map_err(|e| SendError::Network(describe(&e)))?;
        match JsFuture::from(promise).await {
            Ok(r) => {
                let status = get(&r, "status").as_f64().unwrap_or(0.0) as u16;
                let mut pairs = Vec::new();
                if let Ok(arr) = get(&r, "headers").dyn_into::<Array>() {
                    for p in arr.iter() {
                        let p: Array = p.unchecked_into();
                        if let (Some(k), Some(v)) = (p.get(0).as_string(), p.get(1).as_string()) {
                            pairs.push((k, v));
                        }
                    }
                }
                let head = ResponseHead { status, headers: pairs };
                let body = if get(&r, "ok").as_bool() == Some(true) {
                    Ok(get(&r, "value"))
                } else {
                    Err(get(&r, "text").as_string())
                };
                Ok(Received { head, body })
            }
            Err(e) => Err(match get(&e, "ctiKind").as_string().as_deref() {
                Some("abort") => SendError::Aborted,
                Some("timeout") => SendError::Timeout,
                Some("decode") => SendError::Decode {
                    status: get(&e, "status").as_f64().unwrap_or(200.0) as u16,
                    message: describe(&e),
                },
                _ => SendError::Network(describe(&e)),
            }),
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), SendError> {
        let p = super::js_sleep(ms, &self.signal).map_err(|_| SendError::Aborted)?;
        JsFuture::from(p).await.map(|_| ()).map_err(|_| SendError::Aborted)
    }

    fn now_ms(&self) -> f64 {
        super::now_ms()
    }

    fn unix_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

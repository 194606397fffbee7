//! What every exported client shares: its engine (retry policy, WAF guard, timeout), its
//! `fetch`, and the generic `request()` used for every endpoint without a dedicated method.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors;
use super::options::{set, Opts, Section};
use super::transport::FetchTransport;
use crate::core::engine::{CallOptions, Engine, Success};
use crate::core::error::{Error, Result};
use crate::core::ratelimit::{RateLimitConfig, WafGuard};
use crate::core::request::{check_header, set_header, Body, ClientConfig, Method, Part, PartData, Request, ResponseKind};
use crate::core::retry::RetryPolicy;
use crate::core::url::{Path, Query};

/// Default per-attempt timeout.
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;

pub struct ClientCore {
    pub config: ClientConfig,
    pub engine: Engine,
    /// Injected fetch, or `undefined` for the global one (looked up per call).
    pub fetch: JsValue,
}

/// Per-call options every method takes: `{ signal, timeoutMs, deadline }`.
pub struct CallContext {
    pub signal: JsValue,
    pub call: CallOptions,
}

impl CallContext {
    pub fn parse(o: &Opts) -> Result<Self> {
        let signal = o.signal("signal")?.unwrap_or(JsValue::UNDEFINED);
        let timeout_ms = o.number("timeoutMs", 1.0, 86_400_000.0)?;
        let deadline_ms = o.deadline("deadline")?.map(|epoch| super::now_ms() + (epoch - js_sys::Date::now()));
        Ok(CallContext { signal, call: CallOptions { timeout_ms, deadline_ms } })
    }
}

impl ClientCore {
    /// Reads the options every client shares (`fetch`, `timeoutMs`, `retry`, `rateLimit`,
    /// `userAgent`, `headers` are read by the vendor into `config`).
    pub fn new(o: &Opts, config: ClientConfig) -> Result<Self> {
        for (k, v) in &config.default_headers {
            check_header(k, v, &config.auth)?;
        }
        let fetch = o.function("fetch")?.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        let timeout_ms = match o.raw("timeoutMs") {
            Some(v) if v.is_null() => None,
            _ => Some(o.number("timeoutMs", 1.0, 86_400_000.0)?.unwrap_or(DEFAULT_TIMEOUT_MS)),
        };
        let retry = match o.section("retry")? {
            Section::Absent => RetryPolicy::default(),
            Section::Disabled => RetryPolicy { limit: 0, ..Default::default() },
            Section::Given(r) => {
                let d = RetryPolicy::default();
                let statuses = match r.raw("statuses") {
                    None => d.statuses.clone(),
                    Some(v) => {
                        let arr: Array = v.dyn_into().map_err(|_| Error::validation(r.field("statuses"), "must be an array of status codes"))?;
                        let mut out = Vec::new();
                        for s in arr.iter() {
                            match s.as_f64() {
                                Some(n) if n.fract() == 0.0 && (100.0..=599.0).contains(&n) => out.push(n as u16),
                                _ => return Err(Error::validation(r.field("statuses"), "must be an array of status codes")),
                            }
                        }
                        out
                    }
                };
                RetryPolicy {
                    limit: r.integer("limit", 0.0, 20.0)?.unwrap_or(d.limit),
                    base_delay_ms: r.number("baseDelayMs", 0.0, 600_000.0)?.unwrap_or(d.base_delay_ms),
                    max_delay_ms: r.number("maxDelayMs", 0.0, 3_600_000.0)?.unwrap_or(d.max_delay_ms),
                    max_retry_after_ms: r.number("maxRetryAfterMs", 0.0, 86_400_000.0)?.unwrap_or(d.max_retry_after_ms),
                    statuses,
                }
            }
        };
        let guard = match o.section("rateLimit")? {
            Section::Disabled => None,
            Section::Absent => Some(RateLimitConfig::default()),
            Section::Given(r) => {
                let d = RateLimitConfig::default();
                Some(RateLimitConfig {
                    max_requests: r.integer("perSecond", 1.0, 10_000.0)?.unwrap_or(d.max_requests),
                    window_ms: d.window_ms,
                    safety_margin_ms: r.number("safetyMarginMs", 0.0, 10_000.0)?.unwrap_or(d.safety_margin_ms),
                    cooldown_after_errors: r.integer("cooldownAfterErrors", 0.0, 1000.0)?.unwrap_or(d.cooldown_after_errors),
                    error_window_ms: r.number("errorWindowMs", 0.0, 3_600_000.0)?.unwrap_or(d.error_window_ms),
                    cooldown_ms: r.number("cooldownMs", 0.0, 3_600_000.0)?.unwrap_or(d.cooldown_ms),
                })
            }
        };
        let redactor = config.auth.redactor();
        Ok(ClientCore {
            config,
            engine: Engine { retry, guard: guard.map(|g| Rc::new(RefCell::new(WafGuard::new(g)))), timeout_ms, redactor },
            fetch,
        })
    }

    pub fn transport(&self, ctx: &CallContext, attachments: Array) -> FetchTransport {
        FetchTransport { fetch: self.fetch.clone(), signal: ctx.signal.clone(), attachments }
    }

    /// Sends `req`; the success value is returned to JS untouched. Boxed on purpose: one
    /// copy of the engine's state machine in the wasm, not one inlined into every caller.
    pub fn send<'a>(&'a self, req: &'a Request, ctx: &'a CallContext, attachments: Array) -> Pin<Box<dyn Future<Output = Result<Success<JsValue>>> + 'a>> {
        Box::pin(async move {
            let t = self.transport(ctx, attachments);
            self.engine.execute(&t, req, &ctx.call).await
        })
    }

    /// `request(options)` of every client: any endpoint, with the client's auth, retries and
    /// guard. Resolves to `{ status, headers, data, attempts, requestId, rateLimit }`.
    pub fn request_promise(self: &Rc<Self>, options: JsValue) -> js_sys::Promise {
        let this = self.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let (req, ctx, attachments) = this.parse_request(&options).map_err(|e| errors::to_js(&e))?;
            let ok = this.send(&req, &ctx, attachments).await.map_err(|e| errors::to_js(&e))?;
            Ok(response_object(&ok))
        })
    }

    /// `request(method, path, options)` as well as `request(options)`: the positional form
    /// becomes the options form (method and path override the same keys of `options`).
    pub fn request_positional(self: &Rc<Self>, first: JsValue, path: JsValue, options: JsValue) -> js_sys::Promise {
        if first.as_string().is_none() {
            return self.request_promise(first);
        }
        let o = Object::new();
        if options.is_object() {
            Object::assign(&o, options.unchecked_ref());
        } else if !options.is_undefined() && !options.is_null() {
            return js_sys::Promise::reject(&errors::to_js(&Error::validation("options", "must be an object")));
        }
        set(&o, "method", &first);
        set(&o, "path", &path);
        self.request_promise(o.into())
    }

    fn parse_request(&self, options: &JsValue) -> Result<(Request, CallContext, Array)> {
        let o = Opts::new(options, "")?;
        let method = Method::parse(&o.string("method")?.unwrap_or_else(|| "GET".into()))?;
        let path = match o.raw("path") {
            None => return Err(Error::validation("path", "is required")),
            Some(v) => {
                if let Some(s) = v.as_string() {
                    Path::parse(&s, "path")?
                } else if Array::is_array(&v) {
                    let arr: Array = v.unchecked_into();
                    let mut segs = Vec::new();
                    for s in arr.iter() {
                        segs.push(s.as_string().ok_or_else(|| Error::validation("path", "segments must be strings"))?);
                    }
                    Path::from_segments(&segs, "path")?
                } else {
                    return Err(Error::validation("path", "must be a string or an array of segments"));
                }
            }
        };
        let query = parse_query(o.raw("query"))?;
        let mut req = self.config.request(method, &path, &query);
        for (k, v) in o.string_map("headers")? {
            check_header(&k, &v, &self.config.auth)?;
            set_header(&mut req.headers, &k, &v);
        }
        if let Some(kind) = o.string("responseType")? {
            req.expect = ResponseKind::parse(&kind)?;
        }
        req.retry_unsafe = o.bool("idempotent")?.unwrap_or(false);
        let attachments = Array::new();
        let json = match (o.raw("json"), o.raw("body")) {
            (Some(_), Some(_)) => return Err(Error::validation("body", "give either json or body (its alias), not both")),
            (j, b) => j.or(b),
        };
        match (json, o.raw("multipart")) {
            (Some(_), Some(_)) => return Err(Error::validation("json", "give either json or multipart, not both")),
            (Some(v), None) => req.body = Body::Json(stringify(&v, "json")?),
            (None, Some(v)) => req.body = Body::Multipart(parse_multipart(&v, &attachments)?),
            (None, None) => {}
        }
        if !matches!(req.body, Body::Empty) && matches!(method, Method::Get | Method::Head) {
            return Err(Error::validation("method", "GET and HEAD requests cannot carry a body"));
        }
        Ok((req, CallContext::parse(&o)?, attachments))
    }
}

/// `JSON.stringify`, refusing values it cannot represent (BigInt, cycles, functions).
pub fn stringify(v: &JsValue, field: &str) -> Result<String> {
    match js_sys::JSON::stringify(v) {
        Ok(s) => s.as_string().ok_or_else(|| Error::validation(field, "is not JSON-serializable")),
        Err(e) => {
            let msg = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
            Err(Error::validation(field, format!("is not JSON-serializable: {msg}")))
        }
    }
}

/// A query value as its wire string: strings as is, finite numbers, booleans, BigInts.
fn scalar(v: &JsValue, field: &str) -> Result<String> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if let Some(b) = v.as_bool() {
        return Ok(b.to_string());
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(Error::validation(field, "must be a finite number"));
        }
        if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
            return Ok(format!("{}", n as i64));
        }
        // JS's own number formatting: no float formatter compiled into the wasm.
        return js_sys::Number::from(n).to_string_with_radix(10).ok().and_then(|s| s.as_string()).ok_or_else(|| Error::validation(field, "bad number"));
    }
    if v.is_bigint() {
        let b: js_sys::BigInt = v.clone().unchecked_into();
        return b.to_string(10).ok().and_then(|s| s.as_string()).ok_or_else(|| Error::validation(field, "bad BigInt"));
    }
    Err(Error::validation(field, "must be a string, number, boolean or bigint"))
}

/// `{ key: value | value[] }` (arrays become Sekoia-style comma lists; null/undefined are
/// skipped) or `[[key, value], ...]` for repeated keys.
fn parse_query(v: Option<JsValue>) -> Result<Query> {
    let mut q = Query::new();
    let Some(v) = v else { return Ok(q) };
    if v.is_null() {
        return Ok(q);
    }
    if Array::is_array(&v) {
        let arr: Array = v.unchecked_into();
        for (i, pair) in arr.iter().enumerate() {
            let field = format!("query[{i}]");
            if !Array::is_array(&pair) {
                return Err(Error::validation(field, "must be a [key, value] pair"));
            }
            let pair: Array = pair.unchecked_into();
            if pair.length() != 2 {
                return Err(Error::validation(field, "must be a [key, value] pair"));
            }
            let k = pair.get(0).as_string().ok_or_else(|| Error::validation(field.clone(), "key must be a string"))?;
            q.push(k, scalar(&pair.get(1), &field)?);
        }
        return Ok(q);
    }
    if !v.is_object() {
        return Err(Error::validation("query", "must be an object or an array of [key, value] pairs"));
    }
    for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
        let pair: Array = entry.unchecked_into();
        let k = pair.get(0).as_string().unwrap_or_default();
        let val = pair.get(1);
        let field = format!("query.{k}");
        if val.is_undefined() || val.is_null() {
            continue;
        }
        if Array::is_array(&val) {
            let arr: Array = val.unchecked_into();
            let items = arr.iter().map(|x| scalar(&x, &field)).collect::<Result<Vec<_>>>()?;
            q.push_csv(&k, &items);
        } else {
            q.push(k, scalar(&val, &field)?);
        }
    }
    Ok(q)
}

/// `{ name: value | { value, filename?, contentType? } }` with values string, Blob/File,
/// Uint8Array or ArrayBuffer. Binary values stay in JS (attachments), never copied to wasm.
pub fn parse_multipart(v: &JsValue, attachments: &Array) -> Result<Vec<Part>> {
    if !v.is_object() || Array::is_array(v) {
        return Err(Error::validation("multipart", "must be an object of parts"));
    }
    let mut parts = Vec::new();
    for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let field = format!("multipart.{name}");
        let raw = pair.get(1);
        let (value, filename, content_type) = match super::part_kind(&raw).as_str() {
            "invalid" if raw.is_object() => {
                let o = Opts::new(&raw, &field)?;
                let value = o.raw("value").ok_or_else(|| Error::validation(o.field("value"), "is required"))?;
                (value, o.string("filename")?, o.string("contentType")?)
            }
            _ => (raw, None, None),
        };
        let data = match super::part_kind(&value).as_str() {
            "string" if filename.is_none() && content_type.is_none() => PartData::Text(value.as_string().unwrap_or_default()),
            "invalid" => {
                return Err(Error::validation(field, "must be a string, Blob, File, Uint8Array or ArrayBuffer"))
            }
            _ => PartData::Attachment(attachments.push(&value) as usize - 1),
        };
        parts.push(Part { name, filename, content_type, data });
    }
    Ok(parts)
}


/// `{ status, headers, data, attempts, requestId, rateLimit }`.
pub fn response_object(ok: &Success<JsValue>) -> JsValue {
    let o = Object::new();
    set(&o, "status", &JsValue::from(ok.head.status));
    let headers = Object::new();
    for (k, v) in &ok.head.headers {
        set(&headers, k, &JsValue::from_str(v));
    }
    set(&o, "headers", &headers);
    set(&o, "data", &ok.body);
    set(&o, "attempts", &JsValue::from(ok.attempts));
    set(&o, "requestId", &ok.head.request_id().map(JsValue::from).unwrap_or(JsValue::NULL));
    let rate = Object::new();
    for (k, v) in ok.head.rate_limit_headers() {
        set(&rate, &k, &JsValue::from_str(&v));
    }
    set(&o, "rateLimit", &rate);
    o.into()
}

//! `IndicatorSet` for JS: a local matcher for large feeds (the engine is
//! `core::ioc::LiveSet`). Metas stay JS values in one array indexed by the entry's u32
//! payload; a snapshot carries them as JSON after the binary set.

use js_sys::{Array, Object, Uint32Array, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors;
use super::ioc::extract_options;
use super::options::{get, set, string_arg, Opts};
use crate::core::error::{Error, Result};
use crate::core::ioc::live::MAX_PAYLOAD;
use crate::core::ioc::{LiveSet, SetMatch, SetOptions};

#[wasm_bindgen(module = "/src/js/batch.js")]
extern "C" {
    #[wasm_bindgen(js_name = emptyArrays)]
    fn empty_arrays(n: u32) -> Array;
    #[wasm_bindgen(js_name = eventFields, catch)]
    fn event_fields(events: &Array) -> std::result::Result<Array, JsValue>;
    #[wasm_bindgen(js_name = fieldPath)]
    fn field_path(event: &JsValue, field: u32) -> String;
    #[wasm_bindgen(js_name = joinLines)]
    fn join_lines(lines: &Array) -> Option<Uint8Array>;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_INDICATOR_SET: &'static str = r#"
export interface IndicatorSetOptions {
  /** A domain entry `evil.com` also matches `a.b.evil.com` (and URLs / e-mails on those hosts). Default false. */
  subdomains?: boolean;
}
/** A value to add, with optional meta (any JSON-serialisable value, returned with each match). */
export type IndicatorInput = string | { value: string; meta?: any };
export interface IndicatorMatch {
  type: IocType;
  /** The queried / found value, canonical. */
  value: string;
  /** The set entry that matched: `value` itself, a parent domain, or a CIDR range. */
  entry: string;
  /** The meta stored with the entry, or null. */
  meta: any;
}
export interface IndicatorTextMatch extends IndicatorMatch {
  /** The text as written; `start`/`end` are UTF-16 offsets (like extractIocs). */
  raw: string;
  start: number;
  end: number;
}
export interface IndicatorObjectMatch extends IndicatorMatch {
  /** Where the string was found: `request.headers.host`, `items[3].url`. */
  path: string;
}
export interface AddManyResult {
  added: number;
  rejected: Array<{ value: unknown; reason: string }>;
}
export interface AddStixOptions {
  /** Meta for an indicator's values (default `{ id, name }`). */
  meta?: (indicator: any) => any;
  /** "Now" for `valid_until` (Date or epoch ms; default the current time). */
  now?: Date | number;
}
export interface AddStixResult {
  /** Values added (one indicator may yield several). */
  added: number;
  /** Values removed (revoked or expired indicators that were in the set). */
  removed: number;
  /** Objects skipped: not indicators, not STIX patterns, or no IOC in the pattern. */
  skipped: number;
}
"#;




fn array_arg(v: &JsValue, field: &str) -> Result<Array> {
    v.clone().dyn_into::<Array>().map_err(|_| Error::validation(field, "must be an array"))
}

fn js<T>(r: Result<T>) -> std::result::Result<T, JsValue> {
    r.map_err(|e| errors::to_js(&e))
}

/// A compact local indicator matcher: add/remove feed values (or STIX indicator objects),
/// then match single values, free text or JSON log events; snapshot to bytes and back.
#[wasm_bindgen(js_name = IndicatorSet)]
pub struct JsIndicatorSet {
    set: LiveSet,
    metas: Array,
}

impl JsIndicatorSet {
    fn meta(&self, p: Option<u32>) -> JsValue {
        p.map_or(JsValue::NULL, |i| self.metas.get(i))
    }

    /// Stores `meta` (undefined/null: none) and returns its payload.
    fn push_meta(&mut self, meta: &JsValue) -> Result<Option<u32>> {
        if meta.is_undefined() || meta.is_null() {
            return Ok(None);
        }
        if self.metas.length() >= MAX_PAYLOAD {
            return Err(Error::validation("meta", "too many metas"));
        }
        Ok(Some(self.metas.push(meta) - 1))
    }

    fn add_one(&mut self, value: &str, meta: &JsValue) -> Result<bool> {
        let p = self.push_meta(meta)?;
        let ok = self.set.insert(value, p).is_ok();
        if !ok && p.is_some() {
            self.metas.pop();
        }
        Ok(ok)
    }

    /// Replaced and removed entries leave their metas behind: drop them once they
    /// outnumber the live ones.
    fn collect_metas(&mut self) {
        if self.metas.length() as usize > 2 * self.set.len() + 1024 {
            self.renumber();
        }
    }

    fn renumber(&mut self) {
        let old = self.set.renumber_payloads();
        let metas = Array::new_with_length(old.len() as u32);
        for (i, &p) in old.iter().enumerate() {
            metas.set(i as u32, self.metas.get(p));
        }
        self.metas = metas;
    }

    fn hit(&self, m: &SetMatch, o: &Object) {
        set(o, "type", &JsValue::from_str(m.ioc.kind.as_str()));
        set(o, "value", &JsValue::from_str(&m.ioc.value));
        set(o, "entry", &JsValue::from_str(&m.entry));
        set(o, "meta", &self.meta(m.payload));
    }

    fn text_hit(&self, m: &SetMatch) -> Object {
        let o = Object::new();
        self.hit(m, &o);
        set(&o, "raw", &JsValue::from_str(&m.ioc.raw));
        set(&o, "start", &JsValue::from(m.ioc.start16 as u32));
        set(&o, "end", &JsValue::from(m.ioc.end16 as u32));
        o
    }

    /// Matches of each event; `batch`: one array per event, else the one event's matches.
    fn match_events(&self, events: &Array, options: &JsValue, batch: bool) -> Result<Array> {
        let opts = extract_options(options)?;
        // the string fields as one UTF-8 text (TextEncoder: one native copy) and their layout
        let fields = event_fields(events).map_err(|_| Error::validation("events", "must be JSON-serialisable (no cycles or BigInt)"))?;
        let text = String::from_utf8(fields.get(0).unchecked_into::<Uint8Array>().to_vec()).map_err(|_| Error::validation("events", "must be JSON-serialisable"))?;
        let layout = fields.get(1).unchecked_into::<Uint32Array>().to_vec();
        let out = if batch { empty_arrays(events.length()) } else { Array::new() };
        self.set.match_fields(&text, &layout, &opts, &mut |ev, field, m| {
            let o = Object::new();
            // the path is looked up for hits only: walking the event again is cheaper than
            // building every field's path
            set(&o, "path", &JsValue::from_str(&field_path(&events.get(ev as u32), field as u32)));
            self.hit(&m, &o);
            if !batch {
                out.push(&o);
            } else if let Ok(a) = out.get(ev as u32).dyn_into::<Array>() {
                a.push(&o);
            }
        });
        Ok(out)
    }
}

#[wasm_bindgen(js_class = IndicatorSet)]
impl JsIndicatorSet {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_optional_param_type = "IndicatorSetOptions")] options: Option<JsValue>) -> std::result::Result<JsIndicatorSet, JsValue> {
        js((|| {
            let o = Opts::new(&options.unwrap_or(JsValue::UNDEFINED), "")?;
            let domain_suffix = o.bool("subdomains")?.unwrap_or(false);
            Ok(JsIndicatorSet { set: LiveSet::new(SetOptions { domain_suffix }), metas: Array::new() })
        })())
    }

    /// Adds one value (any IOC type, maybe defanged, or a CIDR range) with an optional
    /// meta; `false` when it is not an indicator. Adding again replaces the meta.
    pub fn add(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue, meta: Option<JsValue>) -> std::result::Result<bool, JsValue> {
        let r = (|| {
            let v = string_arg(&value, "value")?;
            self.add_one(&v, &meta.unwrap_or(JsValue::UNDEFINED))
        })();
        self.collect_metas();
        js(r)
    }

    /// Adds values or `{ value, meta }` objects; reports what was not an indicator.
    #[wasm_bindgen(js_name = addMany, unchecked_return_type = "AddManyResult")]
    pub fn add_many(&mut self, #[wasm_bindgen(unchecked_param_type = "Iterable<IndicatorInput> | IndicatorInput[]")] values: JsValue) -> std::result::Result<JsValue, JsValue> {
        let r = (|| {
            let values = if Array::is_array(&values) {
                values.unchecked_into::<Array>()
            } else if values.is_object() {
                Array::from(&values)
            } else {
                return Err(Error::validation("values", "must be an array or iterable"));
            };
            let rejected = Array::new();
            let mut added = 0u32;
            // a big batch: one merge at the end instead of one per delta growth step
            let n = values.length() as usize;
            let bulk = n > 4096 + self.set.len() / 4;
            if bulk {
                // ~4096 values drawn across the batch size the builder (see begin_bulk_sized)
                let sample: Vec<String> = LiveSet::sample_indices(n, 4096).filter_map(|i| {
                    let item = values.get(i as u32);
                    item.as_string().or_else(|| item.is_object().then(|| get(&item, "value").as_string()).flatten())
                }).collect();
                self.set.begin_bulk_sized(n, &sample.iter().map(String::as_str).collect::<Vec<_>>());
            }
            let undefined = JsValue::UNDEFINED;
            for item in values.iter() {
                let (value, meta) = match item.as_string() {
                    Some(s) => (Some(s), undefined.clone()),
                    None if item.is_object() => (get(&item, "value").as_string(), get(&item, "meta")),
                    None => (None, undefined.clone()),
                };
                let reason = match value {
                    None => "must be a string or { value, meta }",
                    Some(v) if self.add_one(&v, &meta)? => {
                        added += 1;
                        continue;
                    }
                    Some(_) => "not a recognised indicator",
                };
                let o = Object::new();
                set(&o, "value", &item);
                set(&o, "reason", &JsValue::from_str(reason));
                rejected.push(&o);
            }
            self.set.end_bulk();
            let o = Object::new();
            set(&o, "added", &JsValue::from(added));
            set(&o, "rejected", &rejected);
            Ok(o.into())
        })();
        self.set.end_bulk(); // also when the loop failed
        self.collect_metas();
        js(r)
    }

    /// Adds the IOCs of STIX indicator objects (their patterns); revoked or expired
    /// (`valid_until` past) indicators have their values removed instead.
    #[wasm_bindgen(js_name = addStixObjects, unchecked_return_type = "AddStixResult")]
    pub fn add_stix_objects(&mut self, #[wasm_bindgen(unchecked_param_type = "any[]")] objects: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "AddStixOptions")] options: Option<JsValue>) -> std::result::Result<JsValue, JsValue> {
        let r = (|| {
            let o = Opts::new(&options.unwrap_or(JsValue::UNDEFINED), "")?;
            let meta_fn = o.function("meta")?;
            let now = o.deadline("now")?.unwrap_or_else(js_sys::Date::now);
            let objects = if objects.is_object() && get(&objects, "type").as_string().as_deref() == Some("bundle") { get(&objects, "objects") } else { objects };
            let objects = array_arg(&objects, "objects")?;
            let (mut added, mut removed, mut skipped) = (0usize, 0usize, 0u32);
            for obj in objects.iter() {
                let is_stix = obj.is_object()
                    && get(&obj, "type").as_string().as_deref() == Some("indicator")
                    && get(&obj, "pattern_type").as_string().is_none_or(|t| t == "stix");
                let Some(pattern) = get(&obj, "pattern").as_string().filter(|_| is_stix) else {
                    skipped += 1;
                    continue;
                };
                let until = get(&obj, "valid_until").as_string().map_or(f64::NAN, |s| js_sys::Date::parse(&s));
                if get(&obj, "revoked").as_bool() == Some(true) || until < now {
                    match self.set.remove_stix(&pattern) {
                        Some(n) => removed += n,
                        None => skipped += 1,
                    }
                    continue;
                }
                let meta = match &meta_fn {
                    Some(f) => f.call1(&JsValue::UNDEFINED, &obj).map_err(|e| Error::validation("meta", js_sys::Error::from(e).message().as_string().unwrap_or_default()))?,
                    None => {
                        let m = Object::new();
                        for k in ["id", "name"] {
                            let v = get(&obj, k);
                            if !v.is_undefined() {
                                set(&m, k, &v);
                            }
                        }
                        m.into()
                    }
                };
                let p = self.push_meta(&meta)?;
                match self.set.insert_stix(&pattern, p) {
                    Some(n) if n > 0 => added += n,
                    _ => {
                        if p.is_some() {
                            self.metas.pop();
                        }
                        skipped += 1;
                    }
                }
            }
            let r = Object::new();
            set(&r, "added", &JsValue::from(added as u32));
            set(&r, "removed", &JsValue::from(removed as u32));
            set(&r, "skipped", &JsValue::from(skipped));
            Ok(r.into())
        })();
        self.collect_metas();
        js(r)
    }

    /// Removes the entry `value` exactly (not its subdomains); `false` if absent.
    pub fn remove(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> std::result::Result<bool, JsValue> {
        js(string_arg(&value, "value").map(|v| self.set.remove(&v)))
    }

    /// Is `value` (maybe defanged; a subdomain with `subdomains`, an IP inside a range) matched?
    pub fn has(&self, #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> std::result::Result<bool, JsValue> {
        js(string_arg(&value, "value").map(|v| self.set.contains(&v)))
    }

    /// The match for one value, or null.
    #[wasm_bindgen(js_name = "match", unchecked_return_type = "IndicatorMatch | null")]
    pub fn match_value(&self, #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> std::result::Result<JsValue, JsValue> {
        let v = js(string_arg(&value, "value"))?;
        Ok(match self.set.get(&v) {
            None => JsValue::NULL,
            Some(h) => {
                let o = Object::new();
                set(&o, "type", &JsValue::from_str(h.kind.as_str()));
                set(&o, "value", &JsValue::from_str(&h.value));
                set(&o, "entry", &JsValue::from_str(&h.entry));
                set(&o, "meta", &self.meta(h.payload));
                o.into()
            }
        })
    }

    /// IOCs of `text` (found as extractIocs finds them) that are in the set.
    #[wasm_bindgen(js_name = matchText, unchecked_return_type = "IndicatorTextMatch[]")]
    pub fn match_text(&self, #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: Option<JsValue>) -> std::result::Result<JsValue, JsValue> {
        js((|| {
            let text = string_arg(&text, "text")?;
            let opts = extract_options(&options.unwrap_or(JsValue::UNDEFINED))?;
            let out = Array::new();
            for m in self.set.match_text(&text, &opts) {
                out.push(&self.text_hit(&m));
            }
            Ok(out.into())
        })())
    }

    /// `matchText` over a batch of lines in one call: one result array per line, offsets
    /// relative to the line. Each line is a text of its own (no context from its neighbours).
    #[wasm_bindgen(js_name = matchLines, unchecked_return_type = "IndicatorTextMatch[][]")]
    pub fn match_lines(&self, #[wasm_bindgen(unchecked_param_type = "string[]")] lines: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: Option<JsValue>) -> std::result::Result<JsValue, JsValue> {
        js((|| {
            let lines = array_arg(&lines, "lines")?;
            let opts = extract_options(&options.unwrap_or(JsValue::UNDEFINED))?;
            let out = empty_arrays(lines.length());
            let push = |i: usize, m: SetMatch| {
                if let Ok(a) = out.get(i as u32).dyn_into::<Array>() {
                    a.push(&self.text_hit(&m));
                }
            };
            if let Some(utf8) = join_lines(&lines) {
                // one copy into wasm for the whole batch
                let text = String::from_utf8(utf8.to_vec()).map_err(|_| Error::validation("lines", "must be strings"))?;
                self.set.match_lines(&text, &opts, &mut |i, m| push(i, m));
            } else {
                // a line with a "\n" of its own (or not a string): one at a time
                for (i, line) in lines.iter().enumerate() {
                    let line = line.as_string().ok_or_else(|| Error::validation(format!("lines[{i}]"), "must be a string"))?;
                    for m in self.set.match_text(&line, &opts) {
                        push(i, m);
                    }
                }
            }
            Ok(out.into())
        })())
    }

    /// Matches every string field of a log event (nested objects and arrays; the strings
    /// `JSON.stringify` would write, nested at most 64 levels deep).
    #[wasm_bindgen(js_name = matchObject, unchecked_return_type = "IndicatorObjectMatch[]")]
    pub fn match_object(&self, #[wasm_bindgen(unchecked_param_type = "unknown")] event: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: Option<JsValue>) -> std::result::Result<JsValue, JsValue> {
        js(self.match_events(&Array::of1(&event), &options.unwrap_or(JsValue::UNDEFINED), false).map(Into::into))
    }

    /// `matchObject` over a batch in one call: one result array per event.
    #[wasm_bindgen(js_name = matchObjects, unchecked_return_type = "IndicatorObjectMatch[][]")]
    pub fn match_objects(&self, #[wasm_bindgen(unchecked_param_type = "unknown[]")] events: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: Option<JsValue>) -> std::result::Result<JsValue, JsValue> {
        js((|| {
            let events = array_arg(&events, "events")?;
            self.match_events(&events, &options.unwrap_or(JsValue::UNDEFINED), true).map(Into::into)
        })())
    }

    /// Number of entries.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.set.len() as u32
    }

    /// Bytes of wasm memory held by the index (metas, kept as JS values, excluded).
    #[wasm_bindgen(getter, js_name = heapBytes)]
    pub fn heap_bytes(&self) -> u32 {
        self.set.heap_bytes() as u32
    }

    /// A versioned, checksummed snapshot (metas as JSON inside) for `IndicatorSet.fromBytes`.
    #[wasm_bindgen(js_name = toBytes)]
    #[allow(clippy::wrong_self_convention)] // `&mut`: payload ids are renumbered (compacted) first
    pub fn to_bytes(&mut self) -> std::result::Result<Uint8Array, JsValue> {
        self.renumber();
        let extra = if self.metas.length() == 0 { String::new() } else {
            js(JSON::stringify(&self.metas).ok().and_then(|s| s.as_string()).ok_or_else(|| Error::validation("meta", "must be JSON-serialisable")))?
        };
        let b = self.set.to_snapshot(extra.as_bytes());
        Ok(Uint8Array::from(&b[..]))
    }

    /// Loads a `toBytes()` snapshot; corrupt or truncated bytes are a ValidationError.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(#[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: JsValue) -> std::result::Result<JsIndicatorSet, JsValue> {
        js((|| {
            let b = if bytes.is_instance_of::<Uint8Array>() || bytes.is_instance_of::<js_sys::ArrayBuffer>() {
                Uint8Array::new(&bytes)
            } else {
                return Err(Error::validation("bytes", "must be a Uint8Array"));
            };
            // read in pieces: a whole copy in wasm memory would stay as the memory's high-water mark
            let mut read = |off: usize, buf: &mut [u8]| b.subarray(off as u32, (off + buf.len()) as u32).copy_to(buf);
            let (mut set, extra) = crate::core::ioc::LiveSet::read_snapshot(b.length() as usize, &mut read).map_err(|e| Error::validation("bytes", e.to_string()))?;
            let metas = if extra.is_empty() { Array::new() } else {
                let text = std::str::from_utf8(&extra).map_err(|_| Error::validation("bytes", "invalid meta table"))?;
                JSON::parse(text).ok().and_then(|v| v.dyn_into::<Array>().ok()).ok_or_else(|| Error::validation("bytes", "invalid meta table"))?
            };
            if set.max_payload().is_some_and(|m| m >= metas.length()) {
                return Err(Error::validation("bytes", "invalid meta table"));
            }
            Ok(JsIndicatorSet { set, metas })
        })())
    }
}

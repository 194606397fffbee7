//! Group-IB TI and DRP methods, portions, and the mapping engine on its own
//! (`providers/groupib` builds the requests and runs the generator state machines).
//!
//! Portions: the body is read as text and `JSON.parse`d in JS (items never go through Rust
//! unless mapped). The top-level `seqUpdate` is taken from the parsed value when it is a safe
//! integer, else re-read exactly from the text in Rust; it is exposed as a decimal **string**
//! (exact, storable) and chained as that text. Mapping (`parse`/`iocs`/`bulkParse`) hands the
//! response text (or `JSON.stringify` of the input) to `core::json` and returns the result with
//! `JSON.parse` — measured faster than a value-by-value walk (see docs/DEVELOPING.md).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::{stringify, CallContext, ClientCore};
use super::errors;
use super::options::{get, Opts};
use super::vendors::{GroupIB, GroupIBDrp};
use crate::core::error::{Error, Result};
use crate::core::mapping::{self, expand_events, EventsCursor, IocOptions, Mapper, MappingError, ParseOptions, Portion};
use crate::core::request::{Request, ResponseKind};
use crate::providers::groupib::poll::{DrpFilters, Poll, PollKind, PollOptions, TiFlags};
use crate::providers::groupib::requests::{self, Params};
use crate::providers::groupib::{self as gib, IpsArg};

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = parseJson, catch)]
    fn parse_json(text: &JsValue) -> std::result::Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = safeIntText)]
    fn safe_int_text(v: &JsValue) -> Option<String>;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_GROUPIB: &'static str = r##"
/** A mapping template: output name → dot path ("a.b.c"), "*literal", "#path[n]", or a nested template. */
export type MappingKeys = { [name: string]: string | MappingKeys };
/** IOC keys: output name → dot path. */
export type IocKeys = Record<string, string>;

export interface ParseOptions {
  /** `[[dotPath, [values...]], ...]`: keep feeds whose values all match (see ignore / checkExistence). */
  filterMap?: Array<[string, unknown[]]>;
  /** Drop feeds matching any filter instead. */
  ignore?: boolean;
  /** Drop feeds where any filter path is falsy. */
  checkExistence?: boolean;
  /** The reference's `use_alternative_parser` (no template mutation; list mode also wraps a dict). */
  useAlternativeParser?: boolean;
  /** Alternative parser: join list values with ",". */
  useJoinToEndList?: boolean;
  exceptKeys?: string[];
  /** Extension: never pop `__nested_dot_path_to_list` (list mode for every feed with the default parser). */
  keepTemplate?: boolean;
  /** Return Python `json.dumps` text (byte-identical to the reference's `as_json=True`). */
  asJson?: boolean;
}
export interface IocOptions {
  filterMap?: Array<[string, unknown[]]>;
  ignore?: boolean;
  checkExistence?: boolean;
  asJson?: boolean;
}

/** One response of a Group-IB generator (the reference's `Parser`). */
export interface GroupIBPortionLike<T = any> {
  readonly items: T[];
  /** Top-level seqUpdate, exact decimal text (updates), else null. */
  readonly seqUpdate: string | null;
  /** Search cursor (search), else null. */
  readonly resultId: string | null;
  /** Server `count`: matches remaining (null for a single feed). */
  readonly count: number | null;
  readonly raw: any;
}

export interface GroupIBPollOptions extends CallOptions {
  /** `df`: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (or a Date). Sent on the first request only. */
  date?: string | Date;
  /** `dt`, sent on every update request (search: first only). */
  dateTo?: string | Date;
  /** `q`, e.g. "ip:192.0.2.1". */
  query?: string;
  /** Items per portion. */
  limit?: number;
  /** Skip collection-name validation (for collections newer than this package). */
  ignoreValidation?: boolean;
  /** `*_group` collections: one item per event, like the reference's `parse_events=True`. */
  parseEvents?: boolean;
}
export interface GroupIBUpdatesOptions extends GroupIBPollOptions {
  /** Resume after this seqUpdate (string keeps it exact; numbers must be safe integers). */
  seqUpdate?: string | bigint | number;
  filters?: {
    applyHuntingRules?: boolean; isTailored?: boolean; applyHasExploit?: boolean;
    probableCorporateAccess?: boolean; unique?: boolean; combolist?: boolean;
  };
}
export interface GroupIBSearchOptions extends GroupIBPollOptions {}
export interface GroupIBDrpUpdatesOptions extends GroupIBPollOptions {
  seqUpdate?: string | bigint | number;
  filters?: { section?: string | number; brandIds?: string[]; typoSquatting?: boolean; approveStates?: string[]; subtypes?: Array<string | number> };
}
/** Portions one by one; `cursor` is the seqUpdate/resultId the next request carries. */
export interface GroupIBPortionIterator extends AsyncIterableIterator<GroupIBPortion> {
  readonly cursor: string | null;
}
export interface ChangeApproveResult {
  /** False when the violation was not `detected` + `under_review` (the reference then only logs). */
  changed: boolean;
  violation: any;
}
"##;

/// Per-collection stored keys of one client (`set_keys` / `set_iocs_keys`); portions share the
/// collection's mapper, so template mutation persists across portions as in the reference.
#[derive(Default)]
pub struct KeyStore(RefCell<BTreeMap<String, Rc<RefCell<Mapper>>>>);

impl KeyStore {
    fn mapper(&self, collection: &str) -> Rc<RefCell<Mapper>> {
        self.0.borrow_mut().entry(collection.to_string()).or_default().clone()
    }
}

fn js_err(e: Error) -> JsValue {
    errors::to_js(&gib::explain(e))
}

fn mapping_err(e: &MappingError) -> JsValue {
    let props = Object::new();
    let _ = Reflect::set(&props, &"pythonType".into(), &JsValue::from_str(e.python_type()));
    let _ = Reflect::set(&props, &"attempts".into(), &JsValue::from(0));
    super::make_error("MappingError", &format!("{}: {}", e.python_type(), e), &props)
}


fn string_arg(v: &JsValue, field: &str) -> Result<String> {
    v.as_string().filter(|s| !s.is_empty()).ok_or_else(|| Error::validation(field, "must be a non-empty string"))
}

/// A JS value → serde_json (via `JSON.stringify`; BigInt/cycles are a ValidationError).
fn to_value(v: &JsValue, field: &str) -> Result<Value> {
    if v.is_undefined() {
        return Ok(Value::Null);
    }
    let text = stringify(v, field)?;
    crate::core::json::parse(&text).map_err(|e| Error::validation(field, e.to_string()))
}

/// serde_json → JS (`JSON.parse` of the serialized text).
fn to_js_value(v: &Value) -> JsValue {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
}

/// Sends one request; Group-IB errors carry the reference's explanation.
fn call(core: Rc<ClientCore>, req: Result<Request>, options: JsValue, map: fn(JsValue) -> std::result::Result<JsValue, Error>) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let ctx = Opts::new(&options, "").and_then(|o| CallContext::parse(&o)).map_err(js_err)?;
        let req = req.map_err(js_err)?;
        let ok = core.send(&req, &ctx, Array::new()).await.map_err(js_err)?;
        map(ok.body).map_err(js_err)
    })
}

fn identity(v: JsValue) -> std::result::Result<JsValue, Error> {
    Ok(v)
}

/// A seqUpdate option: string digits, bigint, or a safe-integer number.
fn seq_option(o: &Opts) -> Result<Option<String>> {
    let Some(v) = o.raw("seqUpdate") else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    let text = if let Some(s) = v.as_string() {
        s
    } else if v.is_bigint() {
        let b: js_sys::BigInt = v.unchecked_into();
        b.to_string(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
    } else if v.as_f64().is_some() {
        safe_int_text(&v).ok_or_else(|| Error::validation("seqUpdate", "is a number beyond 2^53 (already rounded): pass it as a string or bigint"))?
    } else {
        return Err(Error::validation("seqUpdate", "must be a string, bigint or number"));
    };
    Ok(Some(text))
}

fn date_option(o: &Opts, key: &str) -> Result<Option<String>> {
    let Some(v) = o.raw(key) else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        if d.get_time().is_nan() {
            return Err(Error::validation(key, "is an invalid Date"));
        }
        let iso = d.to_iso_string().as_string().unwrap_or_default();
        // 2024-01-02T03:04:05.678Z → 2024-01-02T03:04:05Z
        return Ok(Some(format!("{}Z", &iso[..iso.len().min(19)])));
    }
    v.as_string().map(Some).ok_or_else(|| Error::validation(key, "must be a YYYY-MM-DD[THH:MM:SSZ] string or a Date"))
}

fn string_list(o: &Opts, key: &str) -> Result<Vec<String>> {
    match o.raw(key) {
        None => Ok(Vec::new()),
        Some(v) if v.is_null() => Ok(Vec::new()),
        Some(v) => {
            let arr: Array = v.dyn_into().map_err(|_| Error::validation(o.field(key), "must be an array"))?;
            arr.iter()
                .map(|x| x.as_string().or_else(|| safe_int_text(&x)).ok_or_else(|| Error::validation(o.field(key), "must be an array of strings or integers")))
                .collect()
        }
    }
}

fn poll_options(kind: PollKind, o: &Opts) -> Result<PollOptions> {
    let mut p = PollOptions {
        date_from: date_option(o, "date")?,
        date_to: date_option(o, "dateTo")?,
        query: o.string("query")?,
        limit: o.integer("limit", 1.0, 1_000_000.0)?,
        seq_update: if kind == PollKind::TiSearch { None } else { seq_option(o)? },
        parse_events: o.bool("parseEvents")?.unwrap_or(false),
        ignore_validation: o.bool("ignoreValidation")?.unwrap_or(false),
        ..Default::default()
    };
    if kind == PollKind::TiSearch && o.raw("seqUpdate").is_some() {
        return Err(Error::validation("seqUpdate", "search results chain on resultId; seqUpdate applies to updates"));
    }
    if let super::options::Section::Given(f) = o.section("filters")? {
        if kind == PollKind::DrpUpdates {
            p.drp = DrpFilters {
                section: f.string("section").or_else(|_| Ok::<_, Error>(f.raw("section").and_then(|s| safe_int_text(&s))))?,
                brand_ids: string_list(&f, "brandIds")?,
                typo_squatting: f.bool("typoSquatting")?.unwrap_or(false),
                approve_states: string_list(&f, "approveStates")?,
                subtypes: string_list(&f, "subtypes")?,
            };
        } else {
            let b = |k: &str| f.bool(k).map(|x| x.unwrap_or(false));
            p.ti = TiFlags {
                apply_hunting_rules: b("applyHuntingRules")?,
                is_tailored: b("isTailored")?,
                apply_has_exploit: b("applyHasExploit")?,
                probable_corporate_access: b("probableCorporateAccess")?,
                unique: b("unique")?,
                combolist: b("combolist")?,
            };
        }
    }
    Ok(p)
}

// ---------------------------------------------------------------------------------------
// Portions

/// Where a portion's mapping input comes from.
enum Source {
    /// The response text (exact numbers, no `JSON.stringify`).
    Text(JsValue),
    /// A JS value given by the caller (stringified on use).
    Value(JsValue),
}

/// One Group-IB response (the reference's `Parser`): `items`, `seqUpdate`/`resultId`,
/// `count`, `raw`, and the mapping engine over its items.
#[wasm_bindgen]
pub struct GroupIBPortion {
    body: JsValue,
    source: Source,
    seq_update: Option<String>,
    result_id: Option<String>,
    collection: Option<String>,
    mapper: Rc<RefCell<Mapper>>,
}

impl GroupIBPortion {
    fn portion(&self) -> std::result::Result<Portion, JsValue> {
        let text = match &self.source {
            Source::Text(t) => t.as_string().unwrap_or_default(),
            Source::Value(v) => stringify(v, "input").map_err(|e| errors::to_js(&e))?,
        };
        let v = crate::core::json::parse(&text).map_err(|e| errors::to_js(&Error::validation("input", e.to_string())))?;
        Portion::new(v).map_err(|e| mapping_err(&e))
    }
}

fn parse_opts(options: &JsValue) -> Result<(ParseOptions, bool)> {
    let o = Opts::new(options, "")?;
    let b = |k: &str| o.bool(k).map(|x| x.unwrap_or(false));
    let opt_value = |k: &str| -> Result<Option<Value>> { o.raw(k).map(|v| to_value(&v, k)).transpose() };
    Ok((
        ParseOptions {
            filter_map: opt_value("filterMap")?,
            ignore: b("ignore")?,
            check_existence: b("checkExistence")?,
            use_alternative_parser: b("useAlternativeParser")?,
            use_join_to_end_list: b("useJoinToEndList")?,
            except_keys: opt_value("exceptKeys")?,
            keep_template: b("keepTemplate")?,
        },
        b("asJson")?,
    ))
}

fn finish(v: std::result::Result<Value, MappingError>, as_json: bool) -> std::result::Result<JsValue, JsValue> {
    let v = v.map_err(|e| mapping_err(&e))?;
    if as_json {
        return mapping::to_python_json(&v).map(|s| JsValue::from_str(&s)).map_err(|e| mapping_err(&e));
    }
    Ok(to_js_value(&v))
}

fn call_keys(keys: &JsValue) -> std::result::Result<Option<Value>, JsValue> {
    if keys.is_undefined() || keys.is_null() {
        return Ok(None);
    }
    to_value(keys, "keys").map(Some).map_err(|e| errors::to_js(&e))
}

#[wasm_bindgen]
impl GroupIBPortion {
    /// Feeds of the portion (`items`, or the body itself for a single feed).
    #[wasm_bindgen(getter, unchecked_return_type = "any[]")]
    pub fn items(&self) -> JsValue {
        let items = get(&self.body, "items");
        let count = get(&self.body, "count");
        let count = if count.is_undefined() { get(&self.body, "total") } else { count };
        if count.is_null() || count.is_undefined() {
            return Array::of1(&self.body).into();
        }
        if Array::is_array(&items) { items } else { Array::new().into() }
    }

    /// The top-level seqUpdate as exact decimal text (never rounded), or null.
    #[wasm_bindgen(getter, js_name = seqUpdate, unchecked_return_type = "string | null")]
    pub fn seq_update(&self) -> JsValue {
        self.seq_update.clone().map(JsValue::from).unwrap_or(JsValue::NULL)
    }

    #[wasm_bindgen(getter, js_name = resultId, unchecked_return_type = "string | null")]
    pub fn result_id(&self) -> JsValue {
        self.result_id.clone().map(JsValue::from).unwrap_or(JsValue::NULL)
    }

    /// Server `count` (matches remaining), or `total`; null for a single feed.
    #[wasm_bindgen(getter, unchecked_return_type = "number | null")]
    pub fn count(&self) -> JsValue {
        let c = get(&self.body, "count");
        let c = if c.is_undefined() { get(&self.body, "total") } else { c };
        if c.is_undefined() { JsValue::NULL } else { c }
    }

    /// The response as parsed by JS (`raw.seqUpdate` may be rounded beyond 2^53: use `seqUpdate`).
    #[wasm_bindgen(getter, unchecked_return_type = "any")]
    pub fn raw(&self) -> JsValue {
        self.body.clone()
    }

    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn collection(&self) -> JsValue {
        self.collection.clone().map(JsValue::from).unwrap_or(JsValue::NULL)
    }

    /// `parse_portion(keys)`: one object per feed; without `keys`, the collection's `setKeys` template.
    #[wasm_bindgen(unchecked_return_type = "any[] | string")]
    pub fn parse(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MappingKeys | null")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ParseOptions")] options: JsValue,
    ) -> std::result::Result<JsValue, JsValue> {
        let (opts, as_json) = parse_opts(&options).map_err(|e| errors::to_js(&e))?;
        let mut k = call_keys(&keys)?;
        let p = self.portion()?;
        let r = self.mapper.borrow_mut().parse_portion(&p, k.as_mut(), &opts).map(Value::Array);
        finish(r, as_json)
    }

    /// `get_iocs(keys)`: name → flat IOC list; without `keys`, the collection's `setIocKeys` keys.
    #[wasm_bindgen(unchecked_return_type = "Record<string, any[]> | string")]
    pub fn iocs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IocKeys | null")] keys: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IocOptions")] options: JsValue,
    ) -> std::result::Result<JsValue, JsValue> {
        let (opts, as_json) = parse_opts(&options).map_err(|e| errors::to_js(&e))?;
        let k = call_keys(&keys)?;
        let p = self.portion()?;
        let io = IocOptions { filter_map: opts.filter_map, ignore: opts.ignore, check_existence: opts.check_existence };
        let r = self.mapper.borrow().get_iocs(&p, k.as_ref(), &io).map(Value::Object);
        finish(r, as_json)
    }

    /// `bulk_parse_portion(keysList)`: per feed, one object per template.
    #[wasm_bindgen(js_name = bulkParse, unchecked_return_type = "any[][] | string")]
    pub fn bulk_parse(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MappingKeys[]")] keys_list: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ asJson?: boolean }")] options: JsValue,
    ) -> std::result::Result<JsValue, JsValue> {
        let (_, as_json) = parse_opts(&options).map_err(|e| errors::to_js(&e))?;
        let mut list = match to_value(&keys_list, "keysList").map_err(|e| errors::to_js(&e))? {
            Value::Array(a) => a,
            _ => return Err(errors::to_js(&Error::validation("keysList", "must be an array of templates"))),
        };
        let p = self.portion()?;
        let r = self
            .mapper
            .borrow_mut()
            .bulk_parse_portion(&p, &mut list)
            .map(|rows| Value::Array(rows.into_iter().map(Value::Array).collect()));
        finish(r, as_json)
    }
}

fn standalone(input: &JsValue) -> std::result::Result<GroupIBPortion, JsValue> {
    if input.is_undefined() {
        return Err(errors::to_js(&Error::validation("input", "is required (an array of items or a response object)")));
    }
    // A string is the response text (numbers stay exact: ints beyond 2^53, 1.0 vs 1).
    if input.as_string().is_some() {
        let body = parse_json(input).map_err(|e| errors::to_js(&Error::validation("input", get(&e, "message").as_string().unwrap_or_default())))?;
        return Ok(GroupIBPortion { body, source: Source::Text(input.clone()), seq_update: None, result_id: None, collection: None, mapper: Default::default() });
    }
    // An array is a list of feeds; anything else is a response envelope (or one feed).
    let body = if Array::is_array(input) {
        let o = Object::new();
        let _ = Reflect::set(&o, &"count".into(), &JsValue::from(input.unchecked_ref::<Array>().length()));
        let _ = Reflect::set(&o, &"items".into(), input);
        JsValue::from(o)
    } else {
        input.clone()
    };
    // Reject what JSON cannot carry before any work.
    stringify(&body, "input").map_err(|e| errors::to_js(&e))?;
    Ok(GroupIBPortion { body: body.clone(), source: Source::Value(body), seq_update: None, result_id: None, collection: None, mapper: Default::default() })
}

/// The reference's `parse_portion(keys)` over `items` (an array of feeds), a whole response
/// object, or the response text (JSON string: keeps integers beyond 2^53 and `1.0` exact).
#[wasm_bindgen(js_name = parsePortion, unchecked_return_type = "any[] | string")]
pub fn parse_portion(
    #[wasm_bindgen(unchecked_param_type = "any[] | object | string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MappingKeys")] keys: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParseOptions")] options: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    standalone(&input)?.parse(keys, options)
}

/// The reference's `get_iocs(keys)`.
#[wasm_bindgen(js_name = getIocs, unchecked_return_type = "Record<string, any[]> | string")]
pub fn get_iocs(
    #[wasm_bindgen(unchecked_param_type = "any[] | object | string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IocKeys")] keys: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IocOptions")] options: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    standalone(&input)?.iocs(keys, options)
}

/// The reference's `bulk_parse_portion(keys_list)`.
#[wasm_bindgen(js_name = bulkParsePortion, unchecked_return_type = "any[][] | string")]
pub fn bulk_parse_portion(
    #[wasm_bindgen(unchecked_param_type = "any[] | object | string")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MappingKeys[]")] keys_list: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ asJson?: boolean }")] options: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    standalone(&input)?.bulk_parse(keys_list, options)
}

// ---------------------------------------------------------------------------------------
// Generators

struct PollState {
    core: Rc<ClientCore>,
    poll: Poll,
    ctx: CallContext,
    mapper: Rc<RefCell<Mapper>>,
}

// Internal: wrapped by runtime.js `pageIterator`; not part of the typed API.
#[wasm_bindgen(skip_typescript)]
pub struct GroupIBPortionSource {
    state: Rc<RefCell<PollState>>,
}

/// The exact top-level seqUpdate: from the parsed value when it is a safe integer (or a
/// string), else re-read from the response text by `core::json` (u64-exact).
fn exact_seq(body: &JsValue, text: &JsValue) -> Option<String> {
    let v = get(body, "seqUpdate");
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    v.as_f64()?;
    if let Some(s) = safe_int_text(&v) {
        return Some(s);
    }
    let t = text.as_string()?;
    let env = crate::core::json::parse(&t).ok()?;
    gib::seq_text(env.get("seqUpdate"))
}

fn page(done: bool, value: &JsValue) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"done".into(), &JsValue::from_bool(done));
    if !done {
        let _ = Reflect::set(&o, &"value".into(), value);
    }
    o.into()
}

async fn next_portion(st: Rc<RefCell<PollState>>) -> Result<Option<GroupIBPortion>> {
    let (core, req, ctx) = {
        let s = st.borrow();
        let Some(mut req) = s.poll.request(&s.core.config)? else { return Ok(None) };
        // JSON validated by the transport (a truncated body is retried), exact text kept.
        req.expect = ResponseKind::JsonText;
        (s.core.clone(), req, CallContext { signal: s.ctx.signal.clone(), call: s.ctx.call })
    };
    let ok = core.send(&req, &ctx, Array::new()).await?;
    let decode = |message: String| Error::Decode { message, status: ok.head.status, attempts: ok.attempts };
    let mut text = get(&ok.body, "text");
    let mut parsed = Some(get(&ok.body, "json"));
    let (split, kind) = {
        let s = st.borrow();
        (s.poll.splits_events(), s.poll.kind)
    };
    if split {
        let raw = crate::core::json::parse(&text.as_string().unwrap_or_default()).map_err(|e| decode(e.to_string()))?;
        let cursor = if kind == PollKind::TiSearch { EventsCursor::ResultId } else { EventsCursor::SeqUpdate };
        let expanded = expand_events(&raw, cursor).map_err(|e| decode(format!("cannot split events: {e}")))?;
        text = JsValue::from_str(&serde_json::to_string(&expanded).unwrap_or_default());
        parsed = None;
    }
    let body = match parsed {
        Some(b) => b,
        None => parse_json(&text).map_err(|e| decode(get(&e, "message").as_string().unwrap_or_default()))?,
    };
    let items = get(&body, "items");
    if !Array::is_array(&items) {
        return Err(decode("a Group-IB portion must be an object with an items array".into()));
    }
    let n = items.unchecked_ref::<Array>().length() as usize;
    let (seq, rid) = if kind == PollKind::TiSearch {
        let r = get(&body, "resultId");
        (None, r.as_string().or_else(|| safe_int_text(&r)))
    } else {
        (exact_seq(&body, &text), None)
    };
    let yielded = {
        let mut s = st.borrow_mut();
        let cursor = if kind == PollKind::TiSearch { rid.clone() } else { seq.clone() };
        s.poll.on_portion(n, cursor).map_err(|e| match e {
            Error::Decode { message, .. } => decode(message),
            e => e,
        })?
    };
    if !yielded {
        return Ok(None);
    }
    let s = st.borrow();
    Ok(Some(GroupIBPortion {
        body,
        source: Source::Text(text),
        seq_update: seq,
        result_id: rid,
        collection: Some(s.poll.collection().to_string()),
        mapper: s.mapper.clone(),
    }))
}

#[wasm_bindgen]
impl GroupIBPortionSource {
    pub fn next(&self) -> js_sys::Promise {
        let st = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            match next_portion(st).await.map_err(js_err)? {
                Some(p) => Ok(page(false, &JsValue::from(p))),
                None => Ok(page(true, &JsValue::UNDEFINED)),
            }
        })
    }

    pub fn stop(&self) {
        self.state.borrow_mut().poll.stop();
    }

    /// Portions have nothing to commit: resume with the last portion's `seqUpdate`.
    pub fn commit(&self) -> js_sys::Promise {
        js_sys::Promise::resolve(&JsValue::UNDEFINED)
    }

    /// The cursor the next request carries.
    #[wasm_bindgen(getter)]
    pub fn cursor(&self) -> Option<String> {
        self.state.borrow().poll.cursor().map(str::to_string)
    }
}

fn portions(core: &Rc<ClientCore>, keys: &KeyStore, kind: PollKind, collection: &JsValue, options: &JsValue) -> std::result::Result<JsValue, JsValue> {
    let run = || -> Result<PollState> {
        let col = string_arg(collection, "collection")?;
        let o = Opts::new(options, "")?;
        let poll = Poll::new(kind, &col, poll_options(kind, &o)?)?;
        Ok(PollState { core: core.clone(), mapper: keys.mapper(&col), poll, ctx: CallContext::parse(&o)? })
    };
    let state = run().map_err(js_err)?;
    Ok(super::page_iterator(GroupIBPortionSource { state: Rc::new(RefCell::new(state)) }.into()))
}

fn set_keys(keys: &KeyStore, collection: &JsValue, value: &JsValue, ioc: bool) -> std::result::Result<(), JsValue> {
    let col = string_arg(collection, "collection").map_err(|e| errors::to_js(&e))?;
    let v = to_value(value, "keys").map_err(|e| errors::to_js(&e))?;
    let check = if ioc { mapping::check_ioc_keys(&v) } else { mapping::check_template(&v) };
    check.map_err(|e| mapping_err(&e))?;
    let m = keys.mapper(&col);
    let mut m = m.borrow_mut();
    *m = if ioc { Mapper::new(m.keys().clone(), v) } else { Mapper::new(v, m.iocs_keys().clone()) };
    Ok(())
}

// ---------------------------------------------------------------------------------------
// TI

#[wasm_bindgen]
impl GroupIB {
    /// Granted TI collections known to this package, in the reference's table order (each once).
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn collections(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions & { huntingRules?: boolean }")] options: JsValue) -> js_sys::Promise {
        let hunting = Opts::new(&options, "").and_then(|o| o.bool("huntingRules")).map(|h| h.unwrap_or(false));
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let hunting = hunting.map_err(js_err)?;
            let ctx = Opts::new(&options, "").and_then(|o| CallContext::parse(&o)).map_err(js_err)?;
            let req = requests::granted_collections(&core.config).map_err(js_err)?;
            let ok = core.send(&req, &ctx, Array::new()).await.map_err(js_err)?;
            let body = to_value(&ok.body, "body").map_err(js_err)?;
            Ok(to_js_value(&Value::from(gib::granted_names(&body, hunting))))
        })
    }

    /// `sequence_list`: collection → seqUpdate (exact decimal text) at the start of `date`.
    #[wasm_bindgen(js_name = seqUpdates, unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn seq_updates(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions & { date?: string | Date; collection?: string; applyHuntingRules?: boolean }")] options: JsValue) -> js_sys::Promise {
        let req = Opts::new(&options, "").and_then(|o| {
            let date = date_option(&o, "date")?.map(|d| d[..d.len().min(10)].to_string());
            requests::sequence_list(&self.core.config, date.as_deref(), o.string("collection")?.as_deref(), o.bool("applyHuntingRules")?.unwrap_or(false))
        });
        call(self.core.clone(), req, options, |text| {
            let entries = gib::sequence_list_entries(&text.as_string().unwrap_or_default())?;
            let o = Object::new();
            for (k, v) in entries {
                let _ = Reflect::set(&o, &JsValue::from_str(&k), &JsValue::from_str(&v));
            }
            Ok(o.into())
        })
    }

    /// Portions of `<collection>/updated`, chaining on the top-level seqUpdate.
    #[wasm_bindgen(unchecked_return_type = "GroupIBPortionIterator")]
    pub fn updates(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "GroupIBUpdatesOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        portions(&self.core, &self.keys, PollKind::TiUpdates, &collection, &options)
    }

    /// Portions of a search (`<collection>?df&dt&q`), chaining on resultId.
    #[wasm_bindgen(unchecked_return_type = "GroupIBPortionIterator")]
    pub fn search(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "GroupIBSearchOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        portions(&self.core, &self.keys, PollKind::TiSearch, &collection, &options)
    }

    /// Stores the mapping template used by `portion.parse()` for this collection (the reference's `set_keys`).
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "MappingKeys")] keys: JsValue) -> std::result::Result<(), JsValue> {
        set_keys(&self.keys, &collection, &keys, false)
    }

    /// Stores the IOC keys used by `portion.iocs()` for this collection (`set_iocs_keys`).
    #[wasm_bindgen(js_name = setIocKeys)]
    pub fn set_ioc_keys(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "IocKeys")] keys: JsValue) -> std::result::Result<(), JsValue> {
        set_keys(&self.keys, &collection, &keys, true)
    }

    /// `search?q=` across collections.
    #[wasm_bindgen(js_name = globalSearch, unchecked_return_type = "Promise<any[]>")]
    pub fn global_search(&self, #[wasm_bindgen(unchecked_param_type = "string")] q: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&q, "query").and_then(|q| requests::global_search(&self.core.config, &q));
        call(self.core.clone(), req, options, identity)
    }

    /// One item: `GET <collection>/<id>`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn feed(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&collection, "collection")
            .and_then(|c| gib::check_collection(&c, gib::Family::Ti, false, true).map(|_| c))
            .and_then(|c| requests::feed_by_id(&self.core.config, &c, &string_arg(&id, "id")?));
        call(self.core.clone(), req, options, identity)
    }

    /// A file attached to a threat report: `GET <collection>/<feedId>/file/<fileId>` → bytes.
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array>")]
    pub fn file(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(js_name = feedId, unchecked_param_type = "string")] feed_id: JsValue, #[wasm_bindgen(js_name = fileId, unchecked_param_type = "string")] file_id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&collection, "collection")
            .and_then(|c| gib::check_collection(&c, gib::Family::Ti, false, true).map(|_| c))
            .and_then(|c| requests::file(&self.core.config, &c, &string_arg(&feed_id, "feedId")?, &string_arg(&file_id, "fileId")?));
        call(self.core.clone(), req, options, identity)
    }

    /// `GET <collection>/<id>/action/<action>?params`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn action(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean>")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let req = (|| {
            let c = string_arg(&collection, "collection")?;
            gib::check_collection(&c, gib::Family::Ti, false, true)?;
            let mut p = Params::new();
            if !params.is_undefined() && !params.is_null() {
                if !params.is_object() || Array::is_array(&params) {
                    return Err(Error::validation("params", "must be an object"));
                }
                for entry in Object::entries(params.unchecked_ref::<Object>()).iter() {
                    let pair: Array = entry.unchecked_into();
                    let k = pair.get(0).as_string().unwrap_or_default();
                    let v = pair.get(1);
                    let s = v.as_string().or_else(|| safe_int_text(&v)).or_else(|| v.as_bool().map(|b| if b { "True".into() } else { String::new() }));
                    p.add(&k, Some(s.ok_or_else(|| Error::validation(format!("params.{k}"), "must be a string, integer or boolean"))?));
                }
            }
            requests::action(&self.core.config, &c, &string_arg(&id, "id")?, &string_arg(&action, "action")?, &p)
        })();
        call(self.core.clone(), req, options, identity)
    }

    /// `POST scoring {ips}`: one IP string or a list (validated like the reference; never retried).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ items: Record<string, any> }>")]
    pub fn scoring(&self, #[wasm_bindgen(unchecked_param_type = "string | string[]")] ips: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let arg = if let Some(s) = ips.as_string() {
            Ok(IpsArg::One(s))
        } else if Array::is_array(&ips) {
            Ok(IpsArg::Many(ips.unchecked_ref::<Array>().iter().map(|x| x.as_string()).collect()))
        } else {
            Err(Error::validation("ips", "Parameter 'ips' must be a string or list of strings."))
        };
        let req = arg.and_then(|a| requests::scoring(&self.core.config, a));
        call(self.core.clone(), req, options, identity)
    }

    /// WHOIS-like graph of an IP: `utils/graph/ip?ip=`. One IPv4 or IPv6 address, as is (not
    /// defanged, no port or range): anything else is a `ValidationError` before any request.
    #[wasm_bindgen(js_name = graphIp, unchecked_return_type = "Promise<any>")]
    pub fn graph_ip(&self, #[wasm_bindgen(unchecked_param_type = "string")] ip: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&ip, "ip").and_then(|v| requests::graph(&self.core.config, "ip", &v));
        call(self.core.clone(), req, options, identity)
    }

    /// WHOIS-like graph of a domain: `utils/graph/domain?domain=`. One domain name, as is (not
    /// defanged, no scheme or path): anything else is a `ValidationError` before any request.
    #[wasm_bindgen(js_name = graphDomain, unchecked_return_type = "Promise<any>")]
    pub fn graph_domain(&self, #[wasm_bindgen(unchecked_param_type = "string")] domain: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&domain, "domain").and_then(|v| requests::graph(&self.core.config, "domain", &v));
        call(self.core.clone(), req, options, identity)
    }
}

// ---------------------------------------------------------------------------------------
// DRP

#[wasm_bindgen]
impl GroupIBDrp {
    /// Portions of a DRP collection (`violation/list`, `compromised/public_leaks`, ...), chaining on seqUpdate.
    #[wasm_bindgen(unchecked_return_type = "GroupIBPortionIterator")]
    pub fn updates(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "GroupIBDrpUpdatesOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        portions(&self.core, &self.keys, PollKind::DrpUpdates, &collection, &options)
    }

    /// `updates("violation/list", options)`.
    #[wasm_bindgen(unchecked_return_type = "GroupIBPortionIterator")]
    pub fn violations(&self, #[wasm_bindgen(unchecked_param_type = "GroupIBDrpUpdatesOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        portions(&self.core, &self.keys, PollKind::DrpUpdates, &JsValue::from_str("violation/list"), &options)
    }

    /// DRP seqUpdate for a date (UTC midnight in µs, computed locally like the reference), per DRP collection.
    #[wasm_bindgen(js_name = seqUpdates, unchecked_return_type = "Record<string, string>")]
    pub fn seq_updates(&self, #[wasm_bindgen(unchecked_param_type = "{ date: string | Date }")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
        let run = || -> Result<JsValue> {
            let o = Opts::new(&options, "")?;
            let date = date_option(&o, "date")?.ok_or_else(|| Error::validation("date", "is required"))?;
            let seq = gib::drp_seq_update_for_date(&date[..date.len().min(10)])?;
            let out = Object::new();
            for c in gib::DRP_COLLECTIONS {
                let _ = Reflect::set(&out, &JsValue::from_str(c), &JsValue::from_str(&seq));
            }
            Ok(out.into())
        };
        run().map_err(js_err)
    }

    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "MappingKeys")] keys: JsValue) -> std::result::Result<(), JsValue> {
        set_keys(&self.keys, &collection, &keys, false)
    }

    #[wasm_bindgen(js_name = setIocKeys)]
    pub fn set_ioc_keys(&self, #[wasm_bindgen(unchecked_param_type = "string")] collection: JsValue, #[wasm_bindgen(unchecked_param_type = "IocKeys")] keys: JsValue) -> std::result::Result<(), JsValue> {
        set_keys(&self.keys, &collection, &keys, true)
    }

    /// One violation: `GET violation/<id>`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any>")]
    pub fn violation(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let req = string_arg(&id, "id").and_then(|id| requests::violation(&self.core.config, &id));
        call(self.core.clone(), req, options, identity)
    }

    /// The reference's `change_status`: reads the violation and approves/rejects it only if it is
    /// `detected` and `under_review`.
    #[wasm_bindgen(js_name = changeApprove, unchecked_return_type = "Promise<ChangeApproveResult>")]
    pub fn change_approve(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue, approve: JsValue, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        let core = self.core.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let run = async {
                let id = string_arg(&id, "id")?;
                let approve = approve.as_bool().ok_or_else(|| Error::validation("approve", "must be a boolean"))?;
                let ctx = CallContext::parse(&Opts::new(&options, "")?)?;
                let v = core.send(&requests::violation(&core.config, &id)?, &ctx, Array::new()).await?.body;
                let changed = gib::approvable(&to_value(&v, "violation")?);
                if changed {
                    core.send(&requests::change_approve(&core.config, &id, approve)?, &ctx, Array::new()).await?;
                }
                let o = Object::new();
                let _ = Reflect::set(&o, &"changed".into(), &JsValue::from_bool(changed));
                let _ = Reflect::set(&o, &"violation".into(), &v);
                Ok::<JsValue, Error>(o.into())
            };
            run.await.map_err(js_err)
        })
    }

    /// `settings/brands` → `data.brands`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn brands(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), requests::settings(&self.core.config, "brands"), options, |b| Ok(get(&get(&b, "data"), "brands")))
    }

    /// `settings/subscriptions` → `data.subscriptions`.
    #[wasm_bindgen(unchecked_return_type = "Promise<any[]>")]
    pub fn subscriptions(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] options: JsValue) -> js_sys::Promise {
        call(self.core.clone(), requests::settings(&self.core.config, "subscriptions"), options, |b| Ok(get(&get(&b, "data"), "subscriptions")))
    }
}

//! Group-IB mapping-keys engine: a faithful port of the `Parser` of the Python reference
//! library `cyberintegrations` 0.14.1 (see `shared/api/groupib.md` §8–16).
//!
//! Pure Rust, no I/O, no panics on any input. Inputs and outputs are `serde_json::Value`s; the
//! crate's `serde_json` **must have the `preserve_order` feature** (template key order and source
//! key order are part of the output, and `__nested_dot_path_to_list` removal must keep the
//! remaining order) and `arbitrary_precision` (numbers keep their source text, read here the
//! way `json.loads` reads them: integers of any size exact, `1e400` infinite, floats parsed by
//! std's correctly rounded parser).
//!
//! # API
//! * [`Portion::new`]`(chunk)` — one API response (`{count|total, items, seqUpdate, resultId}` or a
//!   single feed). [`Portion::portion_size`], [`Portion::count`], [`Portion::seq_update`],
//!   [`Portion::result_id`], [`Portion::items`], [`Portion::raw_json`].
//! * [`parse_portion`]`(&portion, &mut keys, &ParseOptions)` → one `Value::Object` per kept feed.
//! * [`get_iocs`]`(&portion, &keys, &IocOptions)` → `name → [iocs]` (insertion-ordered map).
//! * [`bulk_parse_portion`]`(&portion, &mut [keys])` → per feed, one object per template.
//! * [`find_element_by_key`]`(&value, "a.b.c")` (owned) / [`lookup`] (borrowed [`Found`] tree),
//!   [`unpack_iocs`], [`to_python_json`] (Python `json.dumps` defaults — use it for every
//!   `as_json=True` variant; returns `Result` only because of the depth guard).
//! * [`Mapper`]: the stateful holder of the poller's *stored* keys (`set_keys` /
//!   `set_iocs_keys`), used as the fallback when a call passes no (or a falsy) template,
//!   exactly like `Parser(chunk, keys, iocs_keys)` objects created by the Python poller.
//! * [`expand_events`] — the generators' `parse_events=True` envelope rebuild (group collections).
//!
//! Errors are [`MappingError`] variants, one per Python exception the reference raises;
//! `python_type()` is the class name and `Display` the exact Python message.
//!
//! # Template mutation (`__nested_dot_path_to_list`) — read this
//! The reference *pops* the `__nested_dot_path_to_list` marker from the caller's template dict
//! the first time it is used. Python shares that dict between all feeds and all portions, so
//! only the **first feed ever processed** gets list mode; later feeds apply the remaining
//! sub-template to the whole feed (yielding a dict instead of a list). This engine reproduces it:
//! the template is taken as `&mut Value` and mutated in place, so whoever owns the `Value` (your
//! code, or a [`Mapper`]) sees exactly the state a Python user would see. If you want every feed
//! expanded, either pass a fresh clone of the template per call/feed, use
//! `use_alternative_parser` (list mode without mutation; it also wraps a single dict into a
//! one-element list), or set [`ParseOptions::keep_template`] (our extension: default parser
//! semantics, marker never removed, list mode for every feed).
//!
//! # `get_iocs` order
//! Per feed, values are de-duplicated with Python `set` semantics (`1 == 1.0 == True`, first
//! seen kept) and come out in CPython's set iteration order, reproduced exactly for CPython 3.11
//! (64-bit) with `PYTHONHASHSEED=0` (see [`iocs`]). Python's real order depends on its random
//! hash seed, so consumers should treat each feed's contribution as unordered; feed order and
//! cross-feed duplicates are kept.
//!
//! # Numbers
//! Numbers follow `json.loads`: no `.`/`e` → `int` (exact, any size), else `float` (Python
//! `repr` on output). serde_json's `arbitrary_precision` keeps each number's text, so an integer
//! beyond 64 bits reaches `pyobj` as digits (without the feature serde_json turns it into a
//! float first, and `1e400` fails to parse where Python reads `inf`).
//!
//! # Limits
//! Recursion (template depth, data depth along a path, value depth when comparing/serialising)
//! is capped at [`MAX_DEPTH`] = 200, above serde_json's own parse limit of 128, so anything
//! serde_json parsed is handled; deeper hand-built values give [`MappingError::RecursionLimit`]
//! (CPython raises `RecursionError` at ~1000 frames instead). The limit fits in a 1 MiB stack
//! (the wasm32 default) even in unoptimised builds (tested).
//!
//! # Tests
//! Unit tests live next to the code; `conformance_tests.rs` replays every recorded vector of
//! `shared/conformance/groupib_vectors.json` (override the directory with `CTI_EDGE_SHARED_DIR`)
//! and prints matched/mismatched per output kind (`cargo test groupib_parser_vectors --
//! --nocapture`); `bench_tests.rs` has an ignored throughput benchmark
//! (`cargo test --release mapping_bench -- --ignored --nocapture`).

pub mod error;
pub mod events;
mod filter;
pub mod iocs;
pub mod path;
pub mod pyjson;
mod pyfloat;
mod pyobj;
pub mod template;

#[cfg(test)]
mod bench_tests;
#[cfg(test)]
mod conformance_tests;

use std::borrow::Cow;

use serde_json::{Map, Value};

pub use self::error::MappingError;
pub use self::events::{expand_events, EventsCursor};
pub use self::iocs::unpack_iocs;
pub use self::path::{find_element_by_key, lookup, lookup_owned, Found};
pub use self::pyjson::to_python_json;
pub use self::template::{CONCATENATE_MARKER, NESTED_LIST_MARKER};

/// Python `bool(x)` of a JSON value (`0`, `0.0`, `1e-400`, `""`, `[]`, `{}`, `null` are false).
pub fn py_truthy(v: &Value) -> bool {
    pyobj::truthy(v)
}

use self::filter::Filters;
use self::pyobj::{truthy, type_name};
use self::template::{alternative_template, default_template, validate_ioc_keys, validate_template, TemplateCtx};

/// Maximum recursion depth (template nesting, data nesting along a path, value nesting).
pub const MAX_DEPTH: usize = 200;

/// One API response (`Parser.__init__` minus the key storage; see [`Mapper`]).
#[derive(Debug, Clone)]
pub struct Portion {
    chunk: Value,
    count: Value,
    size: usize,
}

impl Portion {
    /// `Parser(chunk, ...)`: `count = chunk.get("count", chunk.get("total"))`; if `count` is not
    /// `None` the feeds are `chunk.get("items", {})`, otherwise the whole chunk is one feed.
    ///
    /// Errors like the reference: a non-dict chunk → `AttributeError` (`.get`), an `items`
    /// value without `len()` (number, bool, null) → `TypeError`.
    pub fn new(chunk: Value) -> Result<Portion, MappingError> {
        let m = match &chunk {
            Value::Object(m) => m,
            other => return Err(MappingError::no_attr(other, "get")),
        };
        let count = match m.get("count") {
            Some(c) => c.clone(),
            None => m.get("total").cloned().unwrap_or(Value::Null),
        };
        let size = if count.is_null() {
            1
        } else {
            match m.get("items") {
                None => 0,
                Some(Value::Array(a)) => a.len(),
                Some(Value::Object(o)) => o.len(),
                Some(Value::String(s)) => s.chars().count(),
                Some(other) => return Err(MappingError::NoLen { type_name: type_name(other) }),
            }
        };
        Ok(Portion { chunk, count, size })
    }

    /// `len(items)`.
    pub fn portion_size(&self) -> usize {
        self.size
    }

    /// `count` (or `total`); `Value::Null` = Python `None`.
    pub fn count(&self) -> &Value {
        &self.count
    }

    /// Top-level `seqUpdate` (`Value::Null` if absent). Exact for integers up to u64.
    pub fn seq_update(&self) -> &Value {
        self.chunk.get("seqUpdate").unwrap_or(&path::NULL)
    }

    /// Top-level `resultId` (`Value::Null` if absent).
    pub fn result_id(&self) -> &Value {
        self.chunk.get("resultId").unwrap_or(&path::NULL)
    }

    /// The raw response (`Parser.raw_dict`).
    pub fn raw(&self) -> &Value {
        &self.chunk
    }

    /// `Parser.raw_json` (`json.dumps(chunk)`), computed on demand.
    pub fn raw_json(&self) -> Result<String, MappingError> {
        to_python_json(&self.chunk)
    }

    /// The feeds, as Python iterates `_return_items_list()`: list elements; for a dict `items`
    /// its keys (as strings); for a string `items` its characters; the chunk itself if
    /// `count is None`.
    pub fn items(&self) -> Vec<Cow<'_, Value>> {
        if self.count.is_null() {
            return vec![Cow::Borrowed(&self.chunk)];
        }
        match self.chunk.get("items") {
            Some(Value::Array(a)) => a.iter().map(Cow::Borrowed).collect(),
            Some(Value::Object(o)) => o.keys().map(|k| Cow::Owned(Value::String(k.clone()))).collect(),
            Some(Value::String(s)) => s.chars().map(|c| Cow::Owned(Value::String(c.to_string()))).collect(),
            _ => Vec::new(),
        }
    }
}

/// Keyword arguments of `Parser.parse_portion` (besides `keys` and `as_json`; for `as_json`
/// serialise the result with [`to_python_json`]).
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `filter_map`, Python-shaped: normally `[[dot_path, [values...]], ...]`.
    pub filter_map: Option<Value>,
    /// `ignore=True`: drop feeds matching any filter (takes precedence over `check_existence`).
    pub ignore: bool,
    /// `check_existence=True`: drop feeds where any filter path is falsy.
    pub check_existence: bool,
    /// `use_alternative_parser=True` (non-mutating `AlternativeParserHelper`).
    pub use_alternative_parser: bool,
    /// `use_join_to_end_list=True` (alternative parser only): join list results with `,`.
    pub use_join_to_end_list: bool,
    /// `except_keys=[...]` (alternative parser only): output keys exempt from joining.
    pub except_keys: Option<Value>,
    /// Extension (not in the reference): never pop `__nested_dot_path_to_list` from the
    /// template, so every feed gets list mode with the default parser.
    pub keep_template: bool,
}

/// Keyword arguments of `Parser.get_iocs` (besides `keys` and `as_json`).
#[derive(Debug, Clone, Default)]
pub struct IocOptions {
    pub filter_map: Option<Value>,
    pub ignore: bool,
    pub check_existence: bool,
}

/// Stored keys shared by every portion of a poller, like the `keys`/`iocs_keys` a Python
/// poller hands to each `Parser` (the same dict objects, so template mutation persists across
/// portions). Use one `Mapper` per collection/poller.
#[derive(Debug, Clone, Default)]
pub struct Mapper {
    keys: Value,
    iocs_keys: Value,
}

impl Mapper {
    /// `keys` / `iocs_keys` as given to `Parser(...)` (not validated, like the reference);
    /// `Value::Null` for none.
    pub fn new(keys: Value, iocs_keys: Value) -> Mapper {
        Mapper { keys, iocs_keys }
    }

    /// Current stored template (after any mutation).
    pub fn keys(&self) -> &Value {
        &self.keys
    }

    /// Mutable access to the stored template.
    pub fn keys_mut(&mut self) -> &mut Value {
        &mut self.keys
    }

    /// Stored IOC keys.
    pub fn iocs_keys(&self) -> &Value {
        &self.iocs_keys
    }

    /// `parser.parse_portion(keys=keys, ...)`: a truthy `keys` is validated and used (and
    /// possibly mutated); otherwise the stored template is used (unvalidated, mutated).
    pub fn parse_portion(
        &mut self,
        portion: &Portion,
        keys: Option<&mut Value>,
        opts: &ParseOptions,
    ) -> Result<Vec<Value>, MappingError> {
        let mut none = Value::Null;
        let call = keys.unwrap_or(&mut none);
        parse_impl(portion, call, &mut self.keys, opts)
    }

    /// `parser.get_iocs(keys=keys, ...)`.
    pub fn get_iocs(
        &self,
        portion: &Portion,
        keys: Option<&Value>,
        opts: &IocOptions,
    ) -> Result<Map<String, Value>, MappingError> {
        get_iocs_impl(portion, keys.unwrap_or(&path::NULL), &self.iocs_keys, opts)
    }

    /// `parser.bulk_parse_portion(keys_list)`.
    pub fn bulk_parse_portion(
        &mut self,
        portion: &Portion,
        keys_list: &mut [Value],
    ) -> Result<Vec<Vec<Value>>, MappingError> {
        bulk_impl(portion, keys_list, &mut self.keys)
    }
}

/// `set_keys` validation: nested dicts with string leaves (`InputException` otherwise).
pub fn check_template(keys: &Value) -> Result<(), MappingError> {
    validate_template(keys, 0)
}

/// `set_iocs_keys` validation: a flat dict of path strings.
pub fn check_ioc_keys(keys: &Value) -> Result<(), MappingError> {
    validate_ioc_keys(keys)
}

/// `Parser.parse_portion(keys=keys, ...)` with no stored keys. `keys` may be mutated (see the
/// module docs); a falsy `keys` raises `ParserException`.
pub fn parse_portion(portion: &Portion, keys: &mut Value, opts: &ParseOptions) -> Result<Vec<Value>, MappingError> {
    let mut stored = Value::Null;
    parse_impl(portion, keys, &mut stored, opts)
}

/// `Parser.get_iocs(keys=keys, ...)` with no stored keys.
pub fn get_iocs(portion: &Portion, keys: &Value, opts: &IocOptions) -> Result<Map<String, Value>, MappingError> {
    get_iocs_impl(portion, keys, &path::NULL, opts)
}

/// `Parser.bulk_parse_portion(keys_list)` with no stored keys: `result[feed][template]`.
pub fn bulk_parse_portion(portion: &Portion, keys_list: &mut [Value]) -> Result<Vec<Vec<Value>>, MappingError> {
    let mut stored = Value::Null;
    bulk_impl(portion, keys_list, &mut stored)
}

fn parse_impl(
    portion: &Portion,
    call_keys: &mut Value,
    stored_keys: &mut Value,
    opts: &ParseOptions,
) -> Result<Vec<Value>, MappingError> {
    let use_call = truthy(call_keys);
    if !truthy(stored_keys) && !use_call {
        return Err(MappingError::NoParseKeys);
    }
    if use_call {
        validate_template(call_keys, 0)?;
    }
    let keys: &mut Value = if use_call { call_keys } else { stored_keys };
    let filters = Filters {
        filter_map: opts.filter_map.as_ref(),
        ignore: opts.ignore,
        check_existence: opts.check_existence,
    };
    let ctx = TemplateCtx {
        join: opts.use_join_to_end_list,
        except_keys: opts.except_keys.as_ref(),
        keep_template: opts.keep_template,
    };
    let feeds = portion.items();
    let mut out = Vec::with_capacity(feeds.len());
    for feed in feeds.iter() {
        if !filters.keep(feed)? {
            continue;
        }
        let parsed = if opts.use_alternative_parser {
            alternative_template(feed, keys, &ctx, 0)?
        } else {
            default_template(feed, keys, &ctx, 0, false)?
        };
        out.push(Value::Object(parsed));
    }
    Ok(out)
}

fn get_iocs_impl(
    portion: &Portion,
    call_keys: &Value,
    stored_keys: &Value,
    opts: &IocOptions,
) -> Result<Map<String, Value>, MappingError> {
    let use_call = truthy(call_keys);
    if !truthy(stored_keys) && !use_call {
        return Err(MappingError::NoIocKeys);
    }
    let keys = if use_call {
        validate_ioc_keys(call_keys)?;
        call_keys
    } else {
        stored_keys
    };
    let map = match keys {
        Value::Object(m) => m,
        other => return Err(MappingError::no_attr(other, "items")),
    };
    let filters = Filters {
        filter_map: opts.filter_map.as_ref(),
        ignore: opts.ignore,
        check_existence: opts.check_existence,
    };
    let feeds = portion.items();
    // Filter results per feed, computed on the first key in the same order as Python.
    let mut kept: Vec<Option<bool>> = vec![None; feeds.len()];
    let mut out = Map::new();
    for (name, p) in map.iter() {
        let mut iocs: Vec<Value> = Vec::new();
        for (i, feed) in feeds.iter().enumerate() {
            let keep = match kept[i] {
                Some(k) => k,
                None => {
                    let k = filters.keep(feed)?;
                    kept[i] = Some(k);
                    k
                }
            };
            if !keep {
                continue;
            }
            let found = path::lookup_value_key(feed, p)?;
            iocs.extend(iocs::unpack(&found, 0)?.into_iter().map(|l| l.value().clone()));
        }
        out.insert(name.clone(), Value::Array(iocs));
    }
    Ok(out)
}

fn bulk_impl(
    portion: &Portion,
    keys_list: &mut [Value],
    stored_keys: &mut Value,
) -> Result<Vec<Vec<Value>>, MappingError> {
    let opts = ParseOptions::default();
    let mut per_template: Vec<Vec<Value>> = Vec::with_capacity(keys_list.len());
    for keys in keys_list.iter_mut() {
        per_template.push(parse_impl(portion, keys, stored_keys, &opts)?);
    }
    // zip(*parsed): transpose, truncating to the shortest.
    let n = per_template.iter().map(Vec::len).min().unwrap_or(0);
    let mut iters: Vec<std::vec::IntoIter<Value>> = per_template.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(iters.iter_mut().filter_map(Iterator::next).collect());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readme_example() {
        let p = Portion::new(json!({"count": 2, "items": [
            {"iocs": {"network": [{"ip": [1, 2], "url": "url.com"}, {"ip": [3], "url": ""}]}},
            {"iocs": {"network": [{"ip": [4, 5], "url": "new_url.com"}]}}]}))
        .unwrap();
        let mut keys = json!({"network": {"ips": "iocs.network.ip"}, "url": "iocs.network.url", "type": "*custom_network"});
        let out = parse_portion(&p, &mut keys, &ParseOptions::default()).unwrap();
        assert_eq!(
            to_python_json(&Value::Array(out)).unwrap(),
            r#"[{"network": {"ips": [[1, 2], [3]]}, "url": ["url.com", ""], "type": "custom_network"}, {"network": {"ips": [[4, 5]]}, "url": ["new_url.com"], "type": "custom_network"}]"#
        );
        let iocs = get_iocs(&p, &json!({"ips": "iocs.network.ip", "url": "iocs.network.url"}), &IocOptions::default()).unwrap();
        assert_eq!(Value::Object(iocs), json!({"ips": [1, 2, 3, 4, 5], "url": ["url.com", "new_url.com"]}));
    }

    #[test]
    fn envelope_rules() {
        let p = Portion::new(json!({"count": null, "total": 5, "items": [1, 2]})).unwrap();
        assert_eq!(p.portion_size(), 1);
        assert!(p.count().is_null());
        let p = Portion::new(json!({"total": 5, "items": {"a": 1, "b": 2}})).unwrap();
        assert_eq!(p.portion_size(), 2);
        assert_eq!(p.items()[0].as_ref(), &json!("a"));
        let e = Portion::new(json!({"count": 1, "items": 5})).unwrap_err();
        assert_eq!((e.python_type(), e.to_string().as_str()), ("TypeError", "object of type 'int' has no len()"));
        let e = Portion::new(json!([1])).unwrap_err();
        assert_eq!(e.to_string(), "'list' object has no attribute 'get'");
    }

    #[test]
    fn mapper_shares_mutation_across_portions() {
        let mut m = Mapper::new(json!({"x": {"__nested_dot_path_to_list": "l", "v": "v"}}), Value::Null);
        let p1 = Portion::new(json!({"count": 1, "items": [{"l": [{"v": 1}]}]})).unwrap();
        let p2 = Portion::new(json!({"count": 1, "items": [{"l": [{"v": 2}]}]})).unwrap();
        let o1 = m.parse_portion(&p1, None, &ParseOptions::default()).unwrap();
        let o2 = m.parse_portion(&p2, None, &ParseOptions::default()).unwrap();
        assert_eq!(o1, vec![json!({"x": [{"v": 1}]})]);
        assert_eq!(o2, vec![json!({"x": {"v": null}})]);
        assert_eq!(m.keys(), &json!({"x": {"v": "v"}}));
    }

    #[test]
    fn stored_keys_are_not_validated() {
        let p = Portion::new(json!({"count": 1, "items": [{"a": 1}]})).unwrap();
        let mut m = Mapper::new(json!("abc"), json!(["x"]));
        let e = m.parse_portion(&p, None, &ParseOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "'str' object has no attribute 'items'");
        let e = m.get_iocs(&p, None, &IocOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "'list' object has no attribute 'items'");
        let mut m = Mapper::new(json!({"a": 5, "b": "a"}), json!({"a": 5}));
        let out = m.parse_portion(&p, None, &ParseOptions::default()).unwrap();
        assert_eq!(out, vec![json!({"b": 1})]);
        let e = m.get_iocs(&p, None, &IocOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "'int' object has no attribute 'split'");
    }

    /// Everything at the depth limit must fit in a 1 MiB stack (the wasm32 default).
    #[test]
    fn max_depth_fits_in_one_mib_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let d = MAX_DEPTH - 10;
                // template nested d deep, data nested d deep, path d segments
                let mut tpl = json!({"leaf": "*lit", "n": "#zz[0]", "z": "zz.y"});
                let mut data = json!({"k": [1, "x", 2.5]});
                for _ in 0..d {
                    let mut m = Map::new();
                    m.insert("k".into(), tpl);
                    tpl = Value::Object(m);
                    let mut m = Map::new();
                    m.insert("k".into(), data);
                    data = Value::Object(m);
                }
                let path = vec!["k"; d + 1].join(".");
                let p = Portion::new(json!({"count": 1, "items": [data.clone()]})).unwrap();
                let mut t2 = json!({"x": path.clone(), "n": tpl.clone()});
                let out = parse_portion(&p, &mut t2, &ParseOptions::default()).unwrap();
                let _ = to_python_json(&Value::Array(out)).unwrap();
                let alt = ParseOptions { use_alternative_parser: true, ..Default::default() };
                let _ = parse_portion(&p, &mut t2, &alt).unwrap();
                let _ = get_iocs(&p, &json!({"x": path}), &IocOptions::default()).unwrap();
                let _ = self::pyobj::py_eq(&data, &data.clone(), 0).unwrap();
                let _ = self::pyobj::py_str(&data).unwrap();
                let _ = unpack_iocs(&json!([[[[1]]]]));
                // tear down iteratively (serde_json's Drop is recursive)
                for v in [tpl, data, t2] {
                    let mut stack = vec![v];
                    while let Some(v) = stack.pop() {
                        match v {
                            Value::Array(a) => stack.extend(a),
                            Value::Object(m) => stack.extend(m.into_iter().map(|(_, v)| v)),
                            _ => {}
                        }
                    }
                }
            })
            .unwrap();
        assert!(handle.join().is_ok());
    }

    /// List mode nested to the limit (3 frames per level) in a 1 MiB stack.
    #[test]
    fn nested_list_mode_at_depth_fits_in_one_mib_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let d = MAX_DEPTH / 2 - 5; // data gets 2 levels (list + dict) per template level
                let mut tpl = json!({"v": "v"});
                let mut data = json!({"v": 1});
                for _ in 0..d {
                    let mut m = Map::new();
                    m.insert(NESTED_LIST_MARKER.into(), json!("k"));
                    m.insert("x".into(), tpl);
                    let mut t = Map::new();
                    t.insert("x".into(), Value::Object(m));
                    tpl = Value::Object(t);
                    let mut m = Map::new();
                    m.insert("k".into(), Value::Array(vec![data]));
                    data = Value::Object(m);
                }
                let p = Portion::new(json!({"count": 1, "items": [data]})).unwrap();
                let alt = ParseOptions { use_alternative_parser: true, ..Default::default() };
                let r1 = parse_portion(&p, &mut tpl, &alt);
                let r2 = parse_portion(&p, &mut tpl, &ParseOptions::default());
                assert!(r1.is_ok() && r2.is_ok());
                let mut stack = vec![tpl, p.raw().clone(), Value::Array(r1.unwrap_or_default()), Value::Array(r2.unwrap_or_default())];
                while let Some(v) = stack.pop() {
                    match v {
                        Value::Array(a) => stack.extend(a),
                        Value::Object(m) => stack.extend(m.into_iter().map(|(_, v)| v)),
                        _ => {}
                    }
                }
            })
            .unwrap();
        assert!(handle.join().is_ok());
    }

    #[test]
    fn hostile_depth_does_not_crash() {
        let mut t = json!("x");
        for _ in 0..(MAX_DEPTH + 10) {
            let mut m = Map::new();
            m.insert("k".into(), t);
            t = Value::Object(m);
        }
        let p = Portion::new(json!({"count": 1, "items": [{"x": 1}]})).unwrap();
        let e = parse_portion(&p, &mut t, &ParseOptions::default()).unwrap_err();
        assert_eq!(e.python_type(), "RecursionError");
        let mut m = Mapper::new(t, Value::Null);
        let e = m.parse_portion(&p, None, &ParseOptions::default()).unwrap_err();
        assert_eq!(e.python_type(), "RecursionError");
        let e = m.parse_portion(&p, None, &ParseOptions { use_alternative_parser: true, ..Default::default() }).unwrap_err();
        assert_eq!(e.python_type(), "RecursionError");
    }
}

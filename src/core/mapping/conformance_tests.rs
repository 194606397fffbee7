//! Conformance against vectors recorded from the real `cyberintegrations` 0.14.1
//! (`shared/conformance/groupib_vectors.json`, section `parser_vectors`).
//!
//! The file is read at test time from `$CTI_EDGE_SHARED_DIR/conformance/groupib_vectors.json`,
//! default `$CARGO_MANIFEST_DIR/../shared`. Every output kind of every vector is checked and a
//! per-kind matched/mismatched summary is printed (`cargo test -- --nocapture`).
//!
//! How the vectors were produced (inferred from their content, see `groupib.md` §16): one
//! `Parser(input, constructor_keys, None)` per call, templates deep-copied per call and passed as
//! the `keys=` argument; `*_as_json` = the same call with `as_json=True`; `get_iocs_sorted` /
//! `get_iocs_per_item` are order-independent views (compared here after sorting both sides with
//! the same key); `get_iocs_per_item` = `get_iocs` on a one-feed portion per feed.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::pyobj::{classify, Num};
use super::*;

type Outcome = Result<Value, MappingError>;

fn vectors_path() -> std::path::PathBuf {
    let shared = std::env::var("CTI_EDGE_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").to_string());
    std::path::Path::new(&shared).join("conformance").join("groupib_vectors.json")
}

fn encode(o: &Outcome) -> Value {
    match o {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({"error": {"type": e.python_type(), "message": e.to_string()}}),
    }
}

/// Exact comparison: key order and number formatting included (via Python json.dumps).
fn same(a: &Value, b: &Value) -> bool {
    match (to_python_json(a), to_python_json(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn sort_key_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Bool(_) | Value::Number(_) => 0,
            Value::String(_) => 1,
            _ => 2,
        }
    }
    fn as_f64(v: &Value) -> f64 {
        match v {
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => match classify(n) {
                Num::Int(i) => i as f64,
                Num::Big { neg, .. } => {
                    if neg {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    }
                }
                Num::Float(f) => f,
            },
            _ => 0.0,
        }
    }
    rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => as_f64(a)
            .partial_cmp(&as_f64(b))
            .unwrap_or(Ordering::Equal)
            .then_with(|| to_python_json(a).unwrap_or_default().cmp(&to_python_json(b).unwrap_or_default())),
    })
}

/// Sort every list of a `{"ok": {name: [...]}}` outcome.
fn sorted_outcome(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(Value::Object(m)) = v.get_mut("ok") {
        for (_, list) in m.iter_mut() {
            if let Value::Array(a) = list {
                a.sort_by(sort_key_cmp);
            }
        }
    }
    v
}

#[derive(Default)]
struct Tally {
    per_kind: BTreeMap<String, (usize, usize)>,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, id: &str, kind: &str, got: &Value, want: &Value) {
        let entry = self.per_kind.entry(kind.to_string()).or_default();
        if same(got, want) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            self.failures.push(format!(
                "[{id}] {kind}\n   want: {}\n    got: {}",
                to_python_json(want).unwrap_or_default(),
                to_python_json(got).unwrap_or_default()
            ));
        }
    }
}

fn parse_opts(kwargs: &Map<String, Value>) -> ParseOptions {
    let b = |k: &str| kwargs.get(k).map(super::pyobj::truthy).unwrap_or(false);
    ParseOptions {
        filter_map: kwargs.get("filter_map").cloned(),
        ignore: b("ignore"),
        check_existence: b("check_existence"),
        use_alternative_parser: b("use_alternative_parser"),
        use_join_to_end_list: b("use_join_to_end_list"),
        except_keys: kwargs.get("except_keys").cloned(),
        keep_template: false,
    }
}

fn ioc_opts(kwargs: &Map<String, Value>) -> IocOptions {
    let b = |k: &str| kwargs.get(k).map(super::pyobj::truthy).unwrap_or(false);
    IocOptions { filter_map: kwargs.get("filter_map").cloned(), ignore: b("ignore"), check_existence: b("check_existence") }
}

const KNOWN_KWARGS: &[&str] = &[
    "keys", "as_json", "filter_map", "ignore", "check_existence", "use_alternative_parser",
    "use_join_to_end_list", "except_keys",
];

fn as_json(o: Outcome) -> Outcome {
    o.and_then(|v| to_python_json(&v).map(Value::String))
}

struct Ctx<'a> {
    portion: Result<Portion, MappingError>,
    constructor_keys: Value,
    constructor_iocs_keys: Value,
    keys: Option<&'a Value>,
    iocs_keys: Option<&'a Value>,
}

impl Ctx<'_> {
    fn parse(&self, keys: Option<&Value>, opts: &ParseOptions) -> (Outcome, Value) {
        let mut k = keys.cloned().unwrap_or(Value::Null);
        let p = match &self.portion {
            Ok(p) => p,
            Err(e) => return (Err(e.clone()), k),
        };
        let mut mapper = Mapper::new(self.constructor_keys.clone(), Value::Null);
        let r = mapper.parse_portion(p, Some(&mut k), opts).map(Value::Array);
        (r, k)
    }

    fn iocs(&self, keys: Option<&Value>, opts: &IocOptions) -> Outcome {
        let p = match &self.portion {
            Ok(p) => p,
            Err(e) => return Err(e.clone()),
        };
        let mapper = Mapper::new(self.constructor_keys.clone(), self.constructor_iocs_keys.clone());
        mapper.get_iocs(p, keys, opts).map(Value::Object)
    }
}

fn run_vector(v: &Value, tally: &mut Tally) {
    let id = v.get("id").and_then(Value::as_str).unwrap_or("?").to_string();
    let outputs = match v.get("outputs").and_then(Value::as_object) {
        Some(o) => o,
        None => return,
    };
    let input = v.get("input").cloned().unwrap_or(Value::Null);
    let ctx = Ctx {
        portion: Portion::new(input),
        constructor_keys: v.get("constructor_keys").cloned().unwrap_or(Value::Null),
        constructor_iocs_keys: v.get("constructor_iocs_keys").cloned().unwrap_or(Value::Null),
        keys: v.get("keys"),
        iocs_keys: v.get("iocs_keys"),
    };
    for (kind, want) in outputs {
        match kind.as_str() {
            "portion" => {
                let got = ctx.portion.as_ref().map(|p| {
                    json!({"portion_size": p.portion_size(), "count": p.count(),
                           "sequpdate": p.seq_update(), "result_id": p.result_id()})
                });
                tally.check(&id, kind, &encode(&got.map_err(Clone::clone)), want);
            }
            "parse_portion" => tally.check(&id, kind, &encode(&ctx.parse(ctx.keys, &ParseOptions::default()).0), want),
            "parse_portion_as_json" => {
                tally.check(&id, kind, &encode(&as_json(ctx.parse(ctx.keys, &ParseOptions::default()).0)), want)
            }
            "parse_portion_alternative" => {
                let opts = ParseOptions { use_alternative_parser: true, ..Default::default() };
                tally.check(&id, kind, &encode(&ctx.parse(ctx.keys, &opts).0), want)
            }
            "keys_after_call" => tally.check(&id, kind, &ctx.parse(ctx.keys, &ParseOptions::default()).1, want),
            "get_iocs" => tally.check(&id, kind, &encode(&ctx.iocs(ctx.iocs_keys, &IocOptions::default())), want),
            "get_iocs_as_json" => {
                tally.check(&id, kind, &encode(&as_json(ctx.iocs(ctx.iocs_keys, &IocOptions::default()))), want)
            }
            "get_iocs_sorted" => {
                let got = sorted_outcome(&encode(&ctx.iocs(ctx.iocs_keys, &IocOptions::default())));
                tally.check(&id, kind, &got, &sorted_outcome(want));
            }
            "get_iocs_per_item" => {
                let got: Vec<Value> = match &ctx.portion {
                    Err(e) => vec![encode(&Err(e.clone()))],
                    Ok(p) => p
                        .items()
                        .iter()
                        .map(|feed| {
                            let one = Portion::new(json!({"count": 1, "items": [feed.as_ref()]}));
                            let sub = Ctx {
                                portion: one,
                                constructor_keys: ctx.constructor_keys.clone(),
                                constructor_iocs_keys: ctx.constructor_iocs_keys.clone(),
                                keys: None,
                                iocs_keys: ctx.iocs_keys,
                            };
                            sorted_outcome(&encode(&sub.iocs(ctx.iocs_keys, &IocOptions::default())))
                        })
                        .collect(),
                };
                let want_sorted: Vec<Value> = want.as_array().map(|a| a.iter().map(sorted_outcome).collect()).unwrap_or_default();
                tally.check(&id, kind, &Value::Array(got), &Value::Array(want_sorted));
            }
            "bulk_parse_portion" | "bulk_parse_portion_as_json" => {
                let got: Outcome = match &ctx.portion {
                    Err(e) => Err(e.clone()),
                    Ok(p) => {
                        let mut list: Vec<Value> = v.get("keys_list").and_then(Value::as_array).cloned().unwrap_or_default();
                        let mut mapper = Mapper::new(ctx.constructor_keys.clone(), Value::Null);
                        mapper
                            .bulk_parse_portion(p, &mut list)
                            .map(|rows| Value::Array(rows.into_iter().map(Value::Array).collect()))
                    }
                };
                let got = if kind.ends_with("_as_json") { as_json(got) } else { got };
                tally.check(&id, kind, &encode(&got), want);
            }
            "parse_portion_alternative_as_json" => {
                let opts = ParseOptions { use_alternative_parser: true, ..Default::default() };
                tally.check(&id, kind, &encode(&as_json(ctx.parse(ctx.keys, &opts).0)), want)
            }
            "extra_calls" => {
                for (n, call) in want.as_array().cloned().unwrap_or_default().iter().enumerate() {
                    let method = call.get("method").and_then(Value::as_str).unwrap_or("");
                    let kwargs = call.get("kwargs").and_then(Value::as_object).cloned().unwrap_or_default();
                    let unknown: Vec<&String> = kwargs.keys().filter(|k| !KNOWN_KWARGS.contains(&k.as_str())).collect();
                    let label = format!("extra_calls.{method}");
                    if !unknown.is_empty() {
                        tally.check(&id, &label, &json!({"unknown kwargs": unknown}), &call["result"]);
                        continue;
                    }
                    let want_json = kwargs.get("as_json").map(super::pyobj::truthy).unwrap_or(false);
                    match method {
                        "parse_portion" => {
                            let keys = kwargs.get("keys").or(ctx.keys);
                            let mut got = ctx.parse(keys, &parse_opts(&kwargs)).0;
                            if want_json {
                                got = as_json(got);
                            }
                            tally.check(&id, &label, &encode(&got), &call["result"]);
                        }
                        "get_iocs" => {
                            let keys = kwargs.get("keys").or(ctx.iocs_keys);
                            let raw = ctx.iocs(keys, &ioc_opts(&kwargs));
                            if let Some(rs) = call.get("result_sorted") {
                                tally.check(&id, &format!("{label}.sorted"), &sorted_outcome(&encode(&raw)), &sorted_outcome(rs));
                            }
                            let got = if want_json { as_json(raw) } else { raw };
                            tally.check(&id, &label, &encode(&got), &call["result"]);
                        }
                        "bulk_parse_portion" => {
                            let got: Outcome = match &ctx.portion {
                                Err(e) => Err(e.clone()),
                                Ok(p) => {
                                    let mut list: Vec<Value> = kwargs
                                        .get("keys_list")
                                        .or(v.get("keys_list"))
                                        .and_then(Value::as_array)
                                        .cloned()
                                        .unwrap_or_default();
                                    let mut mapper = Mapper::new(ctx.constructor_keys.clone(), Value::Null);
                                    mapper
                                        .bulk_parse_portion(p, &mut list)
                                        .map(|rows| Value::Array(rows.into_iter().map(Value::Array).collect()))
                                }
                            };
                            let got = if want_json { as_json(got) } else { got };
                            tally.check(&id, &label, &encode(&got), &call["result"]);
                        }
                        other => {
                            tally.check(&id, &format!("extra_calls.{other}"), &json!({"unsupported": n}), &call["result"]);
                        }
                    }
                }
            }
            other => {
                tally.check(&id, &format!("UNKNOWN:{other}"), &Value::Null, want);
            }
        }
    }
}

#[test]
fn groupib_parser_vectors() {
    let path = vectors_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let doc: Value = serde_json::from_str(&text).expect("vectors are JSON");
    let vectors = doc.get("parser_vectors").and_then(Value::as_array).cloned().unwrap_or_default();
    assert!(!vectors.is_empty(), "no parser_vectors in {}", path.display());
    let mut tally = Tally::default();
    for v in &vectors {
        run_vector(v, &mut tally);
    }
    println!("groupib parser conformance ({} vectors from {}):", vectors.len(), path.display());
    let (mut ok, mut bad) = (0, 0);
    for (kind, (m, x)) in &tally.per_kind {
        println!("  {kind:<34} matched {m:>4}  mismatched {x:>3}");
        ok += m;
        bad += x;
    }
    println!("  {:<34} matched {ok:>4}  mismatched {bad:>3}", "TOTAL");
    for f in &tally.failures {
        println!("MISMATCH {f}");
    }
    assert!(tally.failures.is_empty(), "{} mismatches", tally.failures.len());
}

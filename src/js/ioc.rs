//! The IOC toolkit's JS surface: `extractIocs`, `refang`, `defang`, `classify`,
//! `parseStixPattern`, `stixPatternFor` (the engine is `core::ioc`).

use js_sys::{Array, Object, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::errors;
use super::options::{set, string_arg, Opts};
use crate::core::error::{Error, Result};
use crate::core::ioc::stix::{ComparisonExpr, Literal, ObservationExpr, Operator, Qualifier};
use crate::core::ioc::extract::utf16_units;
use crate::core::ioc::{self, ExtractOptions, FileExtPolicy, IocKind, KindSet};

#[wasm_bindgen(typescript_custom_section)]
const TS_IOC: &'static str = r#"
export type IocType = "ipv4" | "ipv6" | "domain" | "url" | "email" | "md5" | "sha1" | "sha256" | "sha512" | "cve" | "asn" | "btc";

export interface ExtractOptions {
  /** Types to report (default: all). */
  types?: IocType[];
  /** Refang before scanning (default true): `example[.]com`, `hxxp://`, `[at]`... */
  refang?: boolean;
  /** Drop private, loopback, link-local, multicast, documentation and other reserved IPs (default false). */
  excludePrivateIps?: boolean;
  /** Never report these (canonical values; a domain also suppresses its subdomains, URLs and e-mails on it). */
  deny?: string[];
  /** Always accept these domains even when a heuristic would reject them. */
  allow?: string[];
  /** Report each (type, value) once, at its first occurrence (default false). */
  dedupe?: boolean;
  /**
   * Names whose last label is both a TLD and a file extension (`main.py`, `setup.exe`, `archive.zip`):
   * "reject-two-label" (default: a bare `main.py` is a file, `cdn.evil.zip` a domain), "reject-all", or "allow".
   * Defanged names (`archive[.]zip`) are always domains.
   */
  fileExtensionPolicy?: "reject-two-label" | "reject-all" | "allow";
  /** Override the TLDs treated as file extensions (lower-case, no dot). */
  fileExtensionTlds?: string[];
  /** Also report IOCs inside other IOCs (the host of a URL, the domain of an e-mail), flagged `nested` (default true). */
  nested?: boolean;
  /** Require a known TLD (embedded Public Suffix List) for domains (default true). */
  validateTld?: boolean;
  /** Report `host/path` without a scheme as a URL (default true). */
  schemelessUrls?: boolean;
}

export interface Ioc {
  type: IocType;
  /** Canonical value: refanged; hashes and domains lower-case; IPv6 RFC 5952; CVE upper-case; ASN as AS<n>. */
  value: string;
  /** The text as written (maybe defanged). */
  raw: string;
  /** UTF-16 offsets into the input (what String.prototype.slice and DOM ranges use). */
  start: number;
  end: number;
  defanged: boolean;
  nested: boolean;
  /** The value with a Unicode host in punycode, when it has one. */
  punycode?: string;
  /** The Sekoia / STIX observable type (ipv4-addr, domain-name, url, email-addr, file, ...), if any. */
  sekoiaType?: string;
}

export interface Classification {
  type: IocType;
  value: string;
  sekoiaType: string | null;
  /** For hashes: "MD5" | "SHA-1" | "SHA-256" | "SHA-512". */
  hashAlgorithm: string | null;
  defanged: boolean;
}

export interface StixObservable {
  objectType: string;
  /** Property path after the type, e.g. `value` or `hashes.'SHA-256'`. */
  path: string;
  operator: string;
  value: string;
}

export interface ParsedStixPattern {
  /** Equality leaves (`type:path = value`, and each member of `IN (...)`), in order. */
  observables: StixObservable[];
  /** The leaves that are IOCs we know, canonicalised. */
  iocs: Array<{ type: IocType; value: string }>;
  /** Observation operators used: "AND", "OR", "FOLLOWEDBY". */
  operators: string[];
  /** Qualifiers: e.g. "WITHIN 300 SECONDS", "REPEATS 5 TIMES", "START t'…' STOP t'…'". */
  qualifiers: string[];
  /** Comparison operators other than "=" (reported, not turned into IOCs): e.g. "LIKE", "MATCHES", "!=". */
  unsupported: string[];
  observationCount: number;
}
"#;



/// Reads `ExtractOptions` from a JS options object.
pub fn extract_options(options: &JsValue) -> Result<ExtractOptions> {
    if options.is_undefined() || options.is_null() {
        return Ok(ExtractOptions::default()); // the per-event hot path: no property reads
    }
    let o = Opts::new(options, "")?;
    let mut opts = ExtractOptions::default();
    if o.raw("types").is_some() {
        let mut kinds = KindSet::empty();
        for t in o.strings("types")? {
            kinds.insert(IocKind::from_name(&t).ok_or_else(|| Error::validation("types", format!("\"{t}\" is not an IOC type (ipv4, ipv6, domain, url, email, md5, sha1, sha256, sha512, cve, asn, btc)")))?);
        }
        opts.kinds = kinds;
    }
    if let Some(b) = o.bool("refang")? {
        opts.refang = b;
    }
    if let Some(b) = o.bool("excludePrivateIps")? {
        opts.exclude_private_ips = b;
    }
    opts.deny = o.strings("deny")?;
    opts.allow = o.strings("allow")?;
    if let Some(b) = o.bool("dedupe")? {
        opts.dedupe = b;
    }
    if let Some(p) = o.string("fileExtensionPolicy")? {
        opts.file_ext_policy = match p.as_str() {
            "reject-two-label" => FileExtPolicy::RejectTwoLabel,
            "reject-all" => FileExtPolicy::RejectAll,
            "allow" => FileExtPolicy::Allow,
            _ => return Err(Error::validation("fileExtensionPolicy", "must be reject-two-label, reject-all or allow")),
        };
    }
    if o.raw("fileExtensionTlds").is_some() {
        opts.file_ext_tlds = Some(o.strings("fileExtensionTlds")?.into_iter().map(|t| t.to_ascii_lowercase()).collect());
    }
    if let Some(b) = o.bool("nested")? {
        opts.nested = b;
    }
    if let Some(b) = o.bool("validateTld")? {
        opts.validate_tld = b;
    }
    if let Some(b) = o.bool("schemelessUrls")? {
        opts.schemeless_urls = b;
    }
    Ok(opts)
}


#[wasm_bindgen(module = "/src/js/batch.js")]
extern "C" {
    #[wasm_bindgen(js_name = utf8Of)]
    fn utf8_of(text: &JsValue) -> Option<Uint8Array>;
    #[wasm_bindgen(js_name = iocObjects)]
    fn ioc_objects(text: &JsValue, records: Uint32Array, values: &str, types: &str, sekoia_types: &str) -> Array;
}

/// A string argument read as UTF-8 by `TextEncoder` (one native copy; wasm-bindgen's own
/// string passing copies an ASCII text char by char).
fn text_arg(text: &JsValue, field: &str) -> Result<String> {
    match utf8_of(text) {
        Some(bytes) => String::from_utf8(bytes.to_vec()).map_err(|_| Error::validation(field, "must be a string")),
        None => string_arg(text, field),
    }
}

// Flags of a hit record (see `iocObjects` in batch.js): kind index in the low 4 bits.
const DEFANGED: u32 = 16;
const NESTED: u32 = 32;
const VALUE_FOLLOWS: u32 = 64;
const PUNYCODE_FOLLOWS: u32 = 128;

/// Hits as records for `iocObjects`: `[flags, start, end, (value length), (punycode length)]`
/// in UTF-16 units, with the values that differ from the text as written (and punycode forms)
/// concatenated. The JS side slices `raw` from its own string: nothing of the input returns.
fn ioc_records(text: &str, hits: &[ioc::Ioc]) -> (Vec<u32>, String) {
    let mut records = Vec::with_capacity(hits.len() * 4);
    let mut values = String::new();
    for h in hits {
        let kind = IocKind::ALL.iter().position(|k| *k == h.kind).unwrap_or(0) as u32;
        let mut flags = kind | if h.defanged { DEFANGED } else { 0 } | if h.nested { NESTED } else { 0 };
        let same = text.get(h.start..h.end) == Some(h.value.as_str());
        let puny = h.punycode();
        if !same {
            flags |= VALUE_FOLLOWS;
        }
        if puny.is_some() {
            flags |= PUNYCODE_FOLLOWS;
        }
        records.extend([flags, h.start16 as u32, h.end16 as u32]);
        if !same {
            records.push(utf16_units(h.value.as_bytes()) as u32);
            values.push_str(&h.value);
        }
        if let Some(p) = puny {
            records.push(utf16_units(p.as_bytes()) as u32);
            values.push_str(&p);
        }
    }
    (records, values)
}

/// Finds IOCs in `text` (refanging common defang styles), with UTF-16 offsets for highlighting.
#[wasm_bindgen(js_name = extractIocs, unchecked_return_type = "Ioc[]")]
pub fn extract_iocs(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue, #[wasm_bindgen(unchecked_optional_param_type = "ExtractOptions")] options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let run = || -> Result<JsValue> {
        let input = text_arg(&text, "text")?;
        let opts = extract_options(&options)?;
        // Hits leave as numbers plus one string of values, and the objects are built in JS:
        // fewer bytes than JSON (raw is sliced from the caller's own string), no parse.
        let hits = ioc::extract::extract_spans(&input, &opts);
        let (records, values) = ioc_records(&input, &hits);
        let names = IocKind::ALL.map(IocKind::as_str).join(",");
        let sekoia = IocKind::ALL.map(|k| k.sekoia_type().unwrap_or("")).join(",");
        Ok(ioc_objects(&text, Uint32Array::from(&records[..]), &values, &names, &sekoia).into())
    };
    run().map_err(|e| errors::to_js(&e))
}

/// `example[.]com`, `hxxps://x[:]443`, `a[at]b(.)org` → their plain forms.
#[wasm_bindgen]
pub fn refang(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> std::result::Result<String, JsValue> {
    string_arg(&text, "text").map(|t| ioc::refang(&t)).map_err(|e| errors::to_js(&e))
}

/// Makes IOCs in a text safe to share: `example[.]com`, `hxxps://`, `user[@]example[.]com`.
#[wasm_bindgen]
pub fn defang(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> std::result::Result<String, JsValue> {
    string_arg(&text, "text").map(|t| ioc::defang(&t)).map_err(|e| errors::to_js(&e))
}

/// The type of one value (refanged first), its canonical form and Sekoia observable type;
/// `null` when it is not an IOC.
#[wasm_bindgen(unchecked_return_type = "Classification | null")]
pub fn classify(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> std::result::Result<JsValue, JsValue> {
    let value = string_arg(&value, "value").map_err(|e| errors::to_js(&e))?;
    Ok(match ioc::classify(&value) {
        None => JsValue::NULL,
        Some(c) => {
            let o = Object::new();
            set(&o, "type", &JsValue::from_str(c.kind.as_str()));
            set(&o, "value", &JsValue::from_str(&c.value));
            set(&o, "sekoiaType", &c.sekoia_type.map(JsValue::from_str).unwrap_or(JsValue::NULL));
            set(&o, "hashAlgorithm", &c.hash_algorithm.map(JsValue::from_str).unwrap_or(JsValue::NULL));
            set(&o, "defanged", &JsValue::from_bool(c.defanged));
            o.into()
        }
    })
}

/// The STIX 2.1 pattern of one IOC, e.g. `[ipv4-addr:value = '1.2.3.4']`.
#[wasm_bindgen(js_name = stixPatternFor)]
pub fn stix_pattern_for(#[wasm_bindgen(unchecked_param_type = "string")] value: JsValue) -> std::result::Result<String, JsValue> {
    let run = || -> Result<String> {
        let v = string_arg(&value, "value")?;
        let c = ioc::classify_detailed(&v).map_err(|why| Error::validation("value", format!("is not an IOC ({why})")))?;
        ioc::stix_pattern_for(c.kind, &c.value).ok_or_else(|| Error::validation("value", format!("a {} has no STIX pattern", c.kind.as_str())))
    };
    run().map_err(|e| errors::to_js(&e))
}

fn operator_name(op: Operator) -> &'static str {
    match op {
        Operator::Eq => "=",
        Operator::Neq => "!=",
        Operator::Gt => ">",
        Operator::Lt => "<",
        Operator::Ge => ">=",
        Operator::Le => "<=",
        Operator::In => "IN",
        Operator::Like => "LIKE",
        Operator::Matches => "MATCHES",
        Operator::IsSubset => "ISSUBSET",
        Operator::IsSuperset => "ISSUPERSET",
    }
}

struct Features {
    operators: Vec<&'static str>,
    qualifiers: Vec<String>,
    unsupported: Vec<&'static str>,
    observations: u32,
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

fn walk_comparison(c: &ComparisonExpr, f: &mut Features) {
    match c {
        ComparisonExpr::And(v) | ComparisonExpr::Or(v) => v.iter().for_each(|x| walk_comparison(x, f)),
        ComparisonExpr::Exists(_) => push_unique(&mut f.unsupported, "EXISTS"),
        ComparisonExpr::Test(t) => {
            if t.negated {
                push_unique(&mut f.unsupported, "NOT");
            }
            if !matches!(t.op, Operator::Eq | Operator::In) {
                push_unique(&mut f.unsupported, operator_name(t.op));
            }
        }
    }
}

fn walk(o: &ObservationExpr, f: &mut Features, depth: u32) {
    if depth > 256 {
        return;
    }
    match o {
        ObservationExpr::Observation(c) => {
            f.observations += 1;
            walk_comparison(c, f);
        }
        ObservationExpr::And(v) => {
            push_unique(&mut f.operators, "AND");
            v.iter().for_each(|x| walk(x, f, depth + 1));
        }
        ObservationExpr::Or(v) => {
            push_unique(&mut f.operators, "OR");
            v.iter().for_each(|x| walk(x, f, depth + 1));
        }
        ObservationExpr::FollowedBy(v) => {
            push_unique(&mut f.operators, "FOLLOWEDBY");
            v.iter().for_each(|x| walk(x, f, depth + 1));
        }
        ObservationExpr::Qualified(inner, q) => {
            f.qualifiers.push(match q {
                Qualifier::Within(s) => format!("WITHIN {} SECONDS", js_sys::Number::from(*s).to_string_with_radix(10).ok().and_then(|x| x.as_string()).unwrap_or_default()),
                Qualifier::Repeats(n) => format!("REPEATS {n} TIMES"),
                Qualifier::StartStop(a, b) => format!("START t'{a}' STOP t'{b}'"),
            });
            walk(inner, f, depth + 1);
        }
    }
}

fn literal_text(l: &Literal) -> String {
    l.text()
}

/// Parses a STIX 2.1 pattern; a malformed one is a ValidationError giving the position.
#[wasm_bindgen(js_name = parseStixPattern, unchecked_return_type = "ParsedStixPattern")]
pub fn parse_stix_pattern(#[wasm_bindgen(unchecked_param_type = "string")] pattern: JsValue) -> std::result::Result<JsValue, JsValue> {
    let run = || -> Result<JsValue> {
        let p = string_arg(&pattern, "pattern")?;
        let parsed = ioc::parse_stix_pattern(&p).map_err(|e| Error::validation("pattern", e.to_string()))?;
        let o = Object::new();
        let obs = Array::new();
        for x in parsed.observables() {
            let e = Object::new();
            set(&e, "objectType", &JsValue::from_str(&x.object_type));
            set(&e, "path", &JsValue::from_str(&x.path));
            set(&e, "operator", &JsValue::from_str(operator_name(x.operator)));
            set(&e, "value", &JsValue::from_str(&literal_text(&x.value)));
            obs.push(&e);
        }
        set(&o, "observables", &obs);
        let iocs = Array::new();
        for (kind, value) in parsed.iocs() {
            let e = Object::new();
            set(&e, "type", &JsValue::from_str(kind.as_str()));
            set(&e, "value", &JsValue::from_str(&value));
            iocs.push(&e);
        }
        set(&o, "iocs", &iocs);
        let mut f = Features { operators: vec![], qualifiers: vec![], unsupported: vec![], observations: 0 };
        walk(&parsed.root, &mut f, 0);
        let strs = |v: &[&str]| -> JsValue { v.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into() };
        set(&o, "operators", &strs(&f.operators));
        set(&o, "qualifiers", &f.qualifiers.iter().map(|s| JsValue::from_str(s)).collect::<Array>().into());
        set(&o, "unsupported", &strs(&f.unsupported));
        set(&o, "observationCount", &JsValue::from(f.observations));
        Ok(o.into())
    };
    run().map_err(|e| errors::to_js(&e))
}

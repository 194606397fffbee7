//! IOC collections (`/v2/inthreat/ioc-collections`, `../shared/api/sekoia.md` §B): CRUD, the
//! community quota, collection indicators, and the three imports — synchronous JSON (≤ 100 a
//! call, chunked here), asynchronous text (202 + `task_id`, batched here) and file
//! preview/process. Every value is checked by the IOC classifier first: a value that is no
//! importable IOC is reported back to the caller, never sent and never silently dropped
//! (Sekoia's own "Add IOC to IOC Collection" action used to drop CIDRs and report success).

use serde_json::{json, Map, Value};

use super::intel::{check_stix_id, page_query};
use super::wire::{self, check_date, object, pick};
use crate::core::error::{Error, Result};
use crate::core::ioc::{classify_detailed, IocKind};
use crate::core::request::{Body, ClientConfig, Method, Part, Request, ResponseKind};
use crate::core::url::{Path, Query};
use crate::core::validate::quoted;

/// The synchronous JSON import takes 1–100 indicators a call.
pub const JSON_CHUNK: usize = 100;
/// Values per text-import task (third-party integrations batch 1000).
pub const DEFAULT_TEXT_BATCH: usize = 1000;
pub const MAX_TEXT_BATCH: usize = 100_000;
pub const DESCRIPTION_MAX: usize = 500;
/// Per-community limit over all collections (D-IOC).
pub const QUOTA: u64 = 500_000;
pub const MAX_PAGE: u32 = 100;
pub const FORMATS: &[&str] = &["one_per_line", "domain-name.value", "ipv4-addr.value", "ipv6-addr.value", "url.value", "email-addr.value", "file.hashes"];

fn path(segments: &[&str], field: &str) -> Result<Path> {
    let mut all = vec!["v2", "inthreat", "ioc-collections"];
    all.extend_from_slice(segments);
    Path::from_segments(&all, field)
}

fn json_request(cfg: &ClientConfig, method: Method, p: &Path, body: &Value) -> Request {
    let mut req = cfg.request(method, p, &Query::new());
    req.body = Body::json(body);
    req
}


fn check_description(m: &Map<String, Value>, field: &str) -> Result<()> {
    if let Some(d) = wire::string(m, "description", field)? {
        if d.chars().count() > DESCRIPTION_MAX {
            return Err(Error::validation(field, format!("is limited to {DESCRIPTION_MAX} characters")));
        }
    }
    Ok(())
}

// ---- collections ----

/// `{ name, description?, communityUuid?, availableForSubCommunities?, id? }`.
pub fn create(cfg: &ClientConfig, v: &Value) -> Result<Request> {
    let m = object(v, "collection")?;
    let name = wire::required_string(&m, "name", "collection.name")?;
    if name.trim().is_empty() {
        return Err(Error::validation("collection.name", "must not be empty"));
    }
    check_description(&m, "collection.description")?;
    if let Some(c) = wire::string(&m, "communityUuid", "collection.communityUuid")? {
        super::intel::check_uuid("collection.communityUuid", c)?;
    }
    wire::bool(&m, "availableForSubCommunities", "collection.availableForSubCommunities")?;
    let body = pick(&m, &[("name", "name"), ("description", "description"), ("communityUuid", "community_uuid"), ("availableForSubCommunities", "available_for_sub_communities"), ("id", "id")]);
    Ok(json_request(cfg, Method::Post, &path(&[], "path")?, &Value::Object(body)))
}

/// PATCH `{ name?, description?, availableForSubCommunities? }`.
pub fn update(cfg: &ClientConfig, id: &str, v: &Value) -> Result<Request> {
    check_stix_id("id", id)?;
    let m = object(v, "changes")?;
    if let Some(n) = wire::string(&m, "name", "changes.name")? {
        if n.trim().is_empty() {
            return Err(Error::validation("changes.name", "must not be empty"));
        }
    }
    check_description(&m, "changes.description")?;
    wire::bool(&m, "availableForSubCommunities", "changes.availableForSubCommunities")?;
    let body = pick(&m, &[("name", "name"), ("description", "description"), ("availableForSubCommunities", "available_for_sub_communities")]);
    Ok(json_request(cfg, Method::Patch, &path(&[id], "id")?, &Value::Object(body)))
}

pub fn get(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    Ok(cfg.request(Method::Get, &path(&[id], "id")?, &Query::new()))
}

pub fn delete(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    let mut req = cfg.request(Method::Delete, &path(&[id], "id")?, &Query::new());
    req.expect = ResponseKind::Empty;
    Ok(req)
}

pub fn list(cfg: &ClientConfig, term: Option<&str>, communities: &[String], with_count: bool, offset: u64, limit: u32) -> Result<Request> {
    let mut q = page_query(offset, limit)?;
    q.push_opt("term", term);
    if !communities.is_empty() {
        q.push_csv("match[community_uuid]", communities);
    }
    if with_count {
        q.push("with_indicators_count", "true");
    }
    Ok(cfg.request(Method::Get, &path(&[], "path")?, &q))
}

/// `count-total-iocs` → `{count, max}` (the community's use of the 500 000 quota).
pub fn count_total(cfg: &ClientConfig, community: Option<&str>) -> Result<Request> {
    let mut q = Query::new();
    if let Some(c) = community {
        super::intel::check_uuid("communityUuid", c)?;
        q.push("community_uuid", c);
    }
    Ok(cfg.request(Method::Get, &path(&["count-total-iocs"], "path")?, &q))
}

// ---- indicators of a collection ----

pub fn list_indicators(cfg: &ClientConfig, cid: &str, term: Option<&str>, offset: u64, limit: u32) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    let mut q = page_query(offset, limit)?;
    q.push_opt("term", term);
    Ok(cfg.request(Method::Get, &path(&[cid, "indicators"], "collectionId")?, &q))
}

/// The fields an indicator, a text import, a file import and `defaultFields` share:
/// `description` (≤ 500), `validFrom`, `validUntil`, `killChainPhases`
/// (`[{ killChainName, phaseName }]`), `relatedThreats` (STIX ids → `x_ic_related_threat_refs`).
pub fn common_fields(v: &Map<String, Value>, prefix: &str) -> Result<Map<String, Value>> {
    let f = |k: &str| format!("{prefix}{k}");
    check_description(v, &f("description"))?;
    for k in ["validFrom", "validUntil"] {
        if let Some(d) = wire::string(v, k, &f(k))? {
            check_date(&f(k), d)?;
        }
    }
    if let Some(p) = v.get("killChainPhases").filter(|x| !x.is_null()) {
        let ok = p.as_array().is_some_and(|a| {
            a.iter().all(|x| {
                let name = x.get("killChainName").or_else(|| x.get("kill_chain_name"));
                let phase = x.get("phaseName").or_else(|| x.get("phase_name"));
                name.and_then(Value::as_str).is_some_and(|s| !s.is_empty()) && phase.and_then(Value::as_str).is_some_and(|s| !s.is_empty())
            })
        });
        if !ok {
            return Err(Error::validation(f("killChainPhases"), "must be an array of { killChainName, phaseName }"));
        }
    }
    for id in wire::strings(v, "relatedThreats", &f("relatedThreats"))? {
        check_stix_id(&f("relatedThreats"), &id)?;
    }
    Ok(pick(
        v,
        &[("description", "description"), ("validFrom", "valid_from"), ("validUntil", "valid_until"), ("killChainPhases", "kill_chain_phases"), ("relatedThreats", "x_ic_related_threat_refs")],
    ))
}

pub fn update_indicator(cfg: &ClientConfig, cid: &str, iid: &str, v: &Value) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    check_stix_id("indicatorId", iid)?;
    let m = object(v, "changes")?;
    if m.contains_key("value") {
        return Err(Error::validation("changes.value", "the observable value of an indicator cannot change"));
    }
    let body = common_fields(&m, "changes.")?;
    Ok(json_request(cfg, Method::Put, &path(&[cid, "indicators", iid], "indicatorId")?, &Value::Object(body)))
}

/// DELETE revokes (and returns the indicator); `force` deletes for good (only indicators
/// revoked at least 24 h earlier).
pub fn delete_indicator(cfg: &ClientConfig, cid: &str, iid: &str, force: bool) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    check_stix_id("indicatorId", iid)?;
    let mut q = Query::new();
    if force {
        q.push("force_deletion", "true");
    }
    let mut req = cfg.request(Method::Delete, &path(&[cid, "indicators", iid], "indicatorId")?, &q);
    if force {
        req.expect = ResponseKind::Empty;
    }
    Ok(req)
}

pub fn indicator_context(cfg: &ClientConfig, cid: &str, iid: &str) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    check_stix_id("indicatorId", iid)?;
    Ok(cfg.request(Method::Get, &path(&[cid, "indicators", iid, "context"], "indicatorId")?, &Query::new()))
}

// ---- local validation of values ----

/// A value that was not sent, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line (text import) or 0-based index (JSON import).
    pub at: usize,
    pub value: String,
    pub reason: String,
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    parts.len() == 6 && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_hash(k: IocKind) -> bool {
    matches!(k, IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512)
}

/// The canonical value to send for `raw` in `format`, or why it cannot be imported.
/// Sekoia imports IPv4/IPv6, MAC, domains, URLs, e-mails and MD5/SHA-1/SHA-256/SHA-512
/// hashes; hashes of one file may share a line, comma-separated.
pub fn check_value(raw: &str, format: &str) -> std::result::Result<String, String> {
    let v = raw.trim();
    if format == "file.hashes" || (format == "one_per_line" && v.contains(',')) {
        let mut out = Vec::new();
        for part in v.split(',').map(str::trim) {
            match classify_detailed(part) {
                Ok(c) if is_hash(c.kind) => out.push(c.value),
                Ok(c) => return Err(format!("{} is a {}, not a file hash (only hashes of one file may share a line)", quoted(part), c.kind.as_str())),
                Err(e) => return Err(format!("{}: {e}", quoted(part))),
            }
        }
        return Ok(out.join(","));
    }
    if format == "one_per_line" && is_mac(v) {
        return Ok(v.to_ascii_lowercase().replace('-', ":"));
    }
    let c = classify_detailed(v).map_err(|e| e.to_string())?;
    let t = c.sekoia_type.filter(|t| matches!(*t, "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr" | "file"));
    let Some(t) = t else {
        return Err(format!("a {} cannot go into an IOC collection (IP, domain, URL, e-mail, hash or MAC)", c.kind.as_str()));
    };
    if format != "one_per_line" && format.strip_suffix(".value") != Some(t) {
        return Err(format!("is a {t}, not a {format}"));
    }
    Ok(c.value)
}

fn check_format(format: &str) -> Result<()> {
    if FORMATS.contains(&format) {
        Ok(())
    } else {
        Err(Error::validation("format", format!("must be one of {}", FORMATS.join(", "))))
    }
}

// ---- imports ----

pub struct JsonImport {
    /// (input indices, request) per call of ≤ 100.
    pub chunks: Vec<(Vec<usize>, Request)>,
    pub rejected: Vec<Rejected>,
}

/// Synchronous import of any number of indicators (`"value"` or `{ value, validFrom, ... }`),
/// in calls of `chunk` (≤ 100); `defaults` become `default_fields` of every call.
pub fn json_import(cfg: &ClientConfig, cid: &str, indicators: &[Value], defaults: &Value, chunk: usize) -> Result<JsonImport> {
    check_stix_id("collectionId", cid)?;
    if chunk == 0 || chunk > JSON_CHUNK {
        return Err(Error::validation("chunkSize", format!("must be between 1 and {JSON_CHUNK}")));
    }
    let defaults = Value::Object(common_fields(&*object(defaults, "defaultFields")?, "defaultFields.")?);
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for (i, it) in indicators.iter().enumerate() {
        let (raw, fields) = match it {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Object(m) => {
                let raw = wire::required_string(m, "value", &format!("indicators[{i}].value"))?;
                (raw, common_fields(m, &format!("indicators[{i}]."))?)
            }
            _ => return Err(Error::validation(format!("indicators[{i}]"), "must be a string or { value, ... }")),
        };
        match check_value(raw, "one_per_line") {
            Ok(value) => {
                let mut o = fields;
                o.insert("value".into(), Value::String(value));
                valid.push((i, Value::Object(o)));
            }
            Err(reason) => rejected.push(Rejected { at: i, value: raw.to_string(), reason }),
        }
    }
    let p = path(&[cid, "indicators"], "collectionId")?;
    let chunks = valid
        .chunks(chunk)
        .map(|c| {
            let items: Vec<Value> = c.iter().map(|(_, v)| v.clone()).collect();
            let body = json!({ "indicators": items, "default_fields": defaults });
            (c.iter().map(|(i, _)| *i).collect(), json_request(cfg, Method::Post, &p, &body))
        })
        .collect();
    Ok(JsonImport { chunks, rejected })
}

pub struct TextImport {
    /// (values in the batch, request) per task.
    pub batches: Vec<(u64, Request)>,
    pub rejected: Vec<Rejected>,
}

/// Asynchronous text import: `lines` checked one by one (blank lines skipped), valid values
/// sent in batches of `batch` lines, one task per batch. `opts` holds `format` and the
/// common fields.
pub fn text_import(cfg: &ClientConfig, cid: &str, lines: &[&str], opts: &Map<String, Value>, batch: usize) -> Result<TextImport> {
    check_stix_id("collectionId", cid)?;
    if batch == 0 || batch > MAX_TEXT_BATCH {
        return Err(Error::validation("batchSize", format!("must be between 1 and {MAX_TEXT_BATCH}")));
    }
    let format = wire::string(opts, "format", "format")?.unwrap_or("one_per_line");
    check_format(format)?;
    let fields = common_fields(opts, "")?;
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match check_value(line, format) {
            Ok(v) => valid.push(v),
            Err(reason) => rejected.push(Rejected { at: i + 1, value: line.chars().take(1000).collect(), reason }),
        }
    }
    let p = path(&[cid, "indicators", "text"], "collectionId")?;
    let batches = valid
        .chunks(batch)
        .map(|c| {
            let mut body = fields.clone();
            body.insert("indicators".into(), Value::String(c.join("\n")));
            body.insert("format".into(), Value::String(format.to_string()));
            (c.len() as u64, json_request(cfg, Method::Post, &p, &Value::Object(body)))
        })
        .collect();
    Ok(TextImport { batches, rejected })
}

/// The file name and mime type of an upload: the given type when it is one Sekoia accepts
/// for the file's kind, else derived from the extension (CSV by default).
pub fn file_type(filename: Option<&str>, given: Option<&str>) -> Result<(String, String)> {
    const CSV: &[&str] = &["text/csv", "application/csv", "text/plain"];
    const XLS: &[&str] = &["application/vnd.ms-excel", "application/octet-stream"];
    const XLSX: &[&str] = &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"];
    let given = given.map(|g| g.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).filter(|g| !g.is_empty());
    let ext = filename.and_then(|f| f.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
    let kind = match (ext.as_deref(), given.as_deref()) {
        (Some("xlsx"), _) => XLSX,
        (Some("xls"), _) => XLS,
        (Some("csv" | "txt"), _) => CSV,
        (_, Some(g)) if XLSX.contains(&g) => XLSX,
        (_, Some(g)) if XLS[..1].contains(&g) => XLS,
        (_, Some(g)) if !CSV.contains(&g) => {
            return Err(Error::validation("file", format!("{g} is not a CSV, XLS or XLSX type ({})", [CSV, XLS, XLSX].concat().join(", "))))
        }
        _ => CSV,
    };
    let mime = given.filter(|g| kind.contains(&g.as_str())).unwrap_or_else(|| kind[0].to_string());
    let default_name = if kind == XLSX { "indicators.xlsx" } else if kind == XLS { "indicators.xls" } else { "indicators.csv" };
    Ok((filename.unwrap_or(default_name).to_string(), mime))
}

/// `files/preview`: multipart with the file as field `file`.
pub fn file_preview(cfg: &ClientConfig, cid: &str, mut file: Part) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    file.name = "file".into();
    let mut req = cfg.request(Method::Post, &path(&[cid, "indicators", "files", "preview"], "collectionId")?, &Query::new());
    req.body = Body::Multipart(vec![file]);
    Ok(req)
}

/// `files/process` `{ file_handle, mapping?, ignore_first_line?, <common fields> }` → 202 task.
pub fn file_process(cfg: &ClientConfig, cid: &str, handle: &str, opts: &Map<String, Value>) -> Result<Request> {
    check_stix_id("collectionId", cid)?;
    crate::core::validate::id("fileHandle", handle)?;
    let mut body = common_fields(opts, "")?;
    if let Some(m) = opts.get("mapping").filter(|m| !m.is_null()) {
        const KINDS: &[&str] = &["observable", "valid_from", "valid_until", "kill_chain_phases", "x_ic_related_threat_refs", "description"];
        let ok = m.as_array().is_some_and(|a| {
            a.iter().all(|x| x.is_null() || x.as_str().is_some_and(|s| KINDS.contains(&s))) && a.iter().filter(|x| x.as_str() == Some("observable")).count() == 1
        });
        if !ok {
            return Err(Error::validation("mapping", format!("must be an array of {} or null per column, with one observable", KINDS.join(" | "))));
        }
        body.insert("mapping".into(), m.clone());
    }
    if let Some(b) = wire::bool(opts, "ignoreFirstLine", "ignoreFirstLine")? {
        body.insert("ignore_first_line".into(), Value::Bool(b));
    }
    body.insert("file_handle".into(), Value::String(handle.to_string()));
    Ok(json_request(cfg, Method::Post, &path(&[cid, "indicators", "files", "process"], "collectionId")?, &Value::Object(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sekoia::client_config;

    const C: &str = "ioc-collection--5d0ac02d-1f3e-4a5e-9d3c-3b0e1a2f4c5d";

    fn cfg() -> ClientConfig {
        client_config("key-123", Some("http://sim/sekoia"), None, None, vec![]).unwrap()
    }

    fn body(r: &Request) -> Value {
        match &r.body {
            Body::Json(s) => serde_json::from_str(s).unwrap(),
            other => panic!("not JSON: {other:?}"),
        }
    }

    #[test]
    fn crud() {
        let r = create(&cfg(), &json!({"name": "Blocklist", "description": "x", "availableForSubCommunities": true, "signal": {}})).unwrap();
        assert_eq!(r.url, "http://sim/sekoia/api/v2/inthreat/ioc-collections");
        assert_eq!(body(&r), json!({"name": "Blocklist", "description": "x", "available_for_sub_communities": true}));
        assert!(create(&cfg(), &json!({"name": " "})).is_err());
        assert!(create(&cfg(), &json!({"name": "n", "description": "d".repeat(501)})).is_err());
        assert!(create(&cfg(), &json!({"name": "n", "communityUuid": "nope"})).is_err());
        assert_eq!(update(&cfg(), C, &json!({"name": "m"})).unwrap().method, Method::Patch);
        assert!(get(&cfg(), "../x").is_err());
        assert_eq!(delete(&cfg(), C).unwrap().expect, ResponseKind::Empty);
        let l = list(&cfg(), Some("blo"), &["a".into(), "b".into()], true, 20, 10).unwrap();
        assert!(l.url.ends_with("/ioc-collections?limit=10&offset=20&term=blo&match[community_uuid]=a,b&with_indicators_count=true"), "{}", l.url);
        assert!(count_total(&cfg(), None).unwrap().url.ends_with("/ioc-collections/count-total-iocs"));
    }

    #[test]
    fn indicators() {
        let r = update_indicator(&cfg(), C, "indicator--1", &json!({"validUntil": "2030-01-01T00:00:00Z", "killChainPhases": [{"killChainName": "mitre-attack", "phaseName": "execution"}], "relatedThreats": ["malware--1"]})).unwrap();
        assert_eq!(body(&r), json!({"valid_until": "2030-01-01T00:00:00Z", "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}], "x_ic_related_threat_refs": ["malware--1"]}));
        assert!(update_indicator(&cfg(), C, "indicator--1", &json!({"value": "1.2.3.4"})).is_err());
        assert!(update_indicator(&cfg(), C, "indicator--1", &json!({"killChainPhases": ["execution"]})).is_err());
        assert!(update_indicator(&cfg(), C, "indicator--1", &json!({"validFrom": "soon"})).is_err());
        assert!(delete_indicator(&cfg(), C, "indicator--1", true).unwrap().url.ends_with("/indicators/indicator--1?force_deletion=true"));
        assert_eq!(delete_indicator(&cfg(), C, "indicator--1", false).unwrap().expect, ResponseKind::Json);
    }

    #[test]
    fn values_are_checked_and_canonical() {
        assert_eq!(check_value(" 1.2.3.4 ", "one_per_line"), Ok("1.2.3.4".into()));
        assert_eq!(check_value("evil[.]example[.]com", "one_per_line"), Ok("evil.example.com".into()));
        assert!(check_value("1.2.3.4/32", "one_per_line").unwrap_err().contains("CIDR"));
        assert!(check_value("not an ioc", "one_per_line").is_err());
        assert!(check_value("CVE-2024-1234", "one_per_line").unwrap_err().contains("cannot go into"));
        assert!(check_value("evil.example.com", "ipv4-addr.value").is_err());
        assert_eq!(check_value("evil.example.com", "domain-name.value"), Ok("evil.example.com".into()));
        let (md5, sha1) = ("44d88612fea8a8f36de82e1278abb02f", "3395856ce81f2b7382dee72602f798b642f14140");
        assert_eq!(check_value(&format!("{md5}, {sha1}"), "one_per_line"), Ok(format!("{md5},{sha1}")));
        assert!(check_value(&format!("{md5},1.2.3.4"), "one_per_line").is_err());
        assert!(check_value("1.2.3.4", "file.hashes").is_err());
        assert_eq!(check_value("00-1A-2B-3C-4D-5E", "one_per_line"), Ok("00:1a:2b:3c:4d:5e".into()));
    }

    #[test]
    fn json_import_chunks_by_100_and_reports_rejects() {
        let mut values: Vec<Value> = (0..250).map(|i| Value::String(format!("10.0.{}.{}", i / 200, i % 200 + 1))).collect();
        values.insert(7, json!("1.2.3.4/32"));
        values.push(json!({"value": "evil.example.com", "description": "d"}));
        let j = json_import(&cfg(), C, &values, &json!({"validUntil": "2030-01-01"}), 100).unwrap();
        assert_eq!(j.chunks.len(), 3);
        assert_eq!(j.chunks.iter().map(|c| c.0.len()).collect::<Vec<_>>(), vec![100, 100, 51]);
        assert_eq!(j.rejected, vec![Rejected { at: 7, value: "1.2.3.4/32".into(), reason: j.rejected[0].reason.clone() }]);
        let b = body(&j.chunks[2].1);
        assert_eq!(b["default_fields"], json!({"valid_until": "2030-01-01"}));
        assert_eq!(b["indicators"][50], json!({"value": "evil.example.com", "description": "d"}));
        assert!(json_import(&cfg(), C, &values, &Value::Null, 101).is_err());
        assert_eq!(body(&json_import(&cfg(), C, &values[..1], &Value::Null, 100).unwrap().chunks[0].1)["default_fields"], json!({}));
    }

    #[test]
    fn text_import_batches() {
        let lines: Vec<String> = (0..2500).map(|i| format!("host{i}.example.com")).chain(["".into(), "not an ioc".into(), "1.2.3.4/32".into()]).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let opts = object(&json!({"description": "bulk", "format": "one_per_line"}), "").unwrap().into_owned();
        let t = text_import(&cfg(), C, &refs, &opts, 1000).unwrap();
        assert_eq!(t.batches.iter().map(|b| b.0).collect::<Vec<_>>(), vec![1000, 1000, 500]);
        assert_eq!(t.rejected.iter().map(|r| r.at).collect::<Vec<_>>(), vec![2502, 2503]);
        let b = body(&t.batches[2].1);
        assert_eq!(b["description"], "bulk");
        assert_eq!(b["indicators"].as_str().unwrap().lines().count(), 500);
        assert!(t.batches[0].1.url.ends_with("/indicators/text"));
        let bad = object(&json!({"format": "csv"}), "").unwrap().into_owned();
        assert!(text_import(&cfg(), C, &refs, &bad, 1000).is_err());
    }

    #[test]
    fn files() {
        assert_eq!(file_type(Some("iocs.csv"), None).unwrap(), ("iocs.csv".into(), "text/csv".into()));
        assert_eq!(file_type(None, Some("text/plain")).unwrap(), ("indicators.csv".into(), "text/plain".into()));
        assert_eq!(file_type(Some("a.xlsx"), Some("")).unwrap().1, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(file_type(Some("a.xls"), None).unwrap().1, "application/vnd.ms-excel");
        assert_eq!(file_type(None, Some("application/zip")).unwrap().0, "indicators.xlsx");
        assert!(file_type(None, Some("image/png")).is_err());
        let opts = object(&json!({"mapping": ["observable", null, "valid_from"], "ignoreFirstLine": true}), "").unwrap().into_owned();
        let r = file_process(&cfg(), C, "h-1", &opts).unwrap();
        assert_eq!(body(&r), json!({"mapping": ["observable", null, "valid_from"], "ignore_first_line": true, "file_handle": "h-1"}));
        let bad = object(&json!({"mapping": [null, "colour"]}), "").unwrap().into_owned();
        assert!(file_process(&cfg(), C, "h-1", &bad).is_err());
    }
}

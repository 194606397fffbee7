//! Intelligence Center objects, relationships, context bundles, IOC lookups and feed CRUD
//! (`../shared/api/sekoia.md` §A2–A3). Request builders only: the JS layer sends them.

use crate::core::error::{Error, Result};
use crate::core::request::{Body, ClientConfig, Method, Request, ResponseKind};
use crate::core::url::{Path, Query};
use crate::core::validate;

/// `objects/{id1,id2,...}` takes comma lists; Sekoia's own connector sends 40 at a time.
pub const OBJECTS_BATCH: usize = 40;
/// Offset lists of the Intelligence Center: 1–100 per page.
pub const MAX_PAGE: u32 = 100;

/// STIX TLP marking-definition ids (the feed config's `tlps` enum).
pub const TLP_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
pub const TLP_GREEN: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
pub const TLP_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
pub const TLP_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

/// The observable types `indicators/context` accepts (the feed config's enum).
pub const OBSERVABLE_TYPES: &[&str] = &[
    "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file", "filename", "mac-addr", "autonomous-system",
    "x509-certificate", "user-account", "process", "mutex", "software", "directory", "artifact", "windows-registry-key",
    "email-message", "phone-number", "text", "address", "individual", "organization", "observable-relationship",
];

fn inthreat(segments: &[&str], field: &str) -> Result<Path> {
    let mut all = vec!["v2", "inthreat"];
    all.extend_from_slice(segments);
    Path::from_segments(&all, field)
}

/// A STIX id: `<type>--<rest>`.
pub fn check_stix_id(field: &str, id: &str) -> Result<()> {
    validate::id(field, id)?;
    match id.split_once("--") {
        Some((t, rest)) if !rest.is_empty() => validate::type_name(field, t),
        _ => Err(Error::validation(field, format!("{} is not a STIX id (type--uuid)", validate::quoted(id)))),
    }
}

pub fn object(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    Ok(cfg.request(Method::Get, &inthreat(&["objects", id], "id")?, &Query::new()))
}

/// One request per batch of ≤ 40 ids (`objects/a,b,c`), ids validated first.
pub fn objects_batches(cfg: &ClientConfig, ids: &[String]) -> Result<Vec<(Vec<String>, Request)>> {
    for id in ids {
        check_stix_id("ids", id)?;
        if id.contains(',') {
            return Err(Error::validation("ids", "an id may not contain a comma"));
        }
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(OBJECTS_BATCH) {
        let joined = chunk.join(",");
        let req = cfg.request(Method::Get, &inthreat(&["objects", &joined], "ids")?, &Query::new());
        out.push((chunk.to_vec(), req));
    }
    Ok(out)
}

pub fn relationship(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    Ok(cfg.request(Method::Get, &inthreat(&["relationships", id], "id")?, &Query::new()))
}

pub fn context(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    Ok(cfg.request(Method::Get, &inthreat(&["objects", id, "context"], "id")?, &Query::new()))
}

pub fn object_file(cfg: &ClientConfig, id: &str, sha256: &str) -> Result<Request> {
    check_stix_id("id", id)?;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::validation("sha256", "must be 64 hex characters"));
    }
    let mut req = cfg.request(Method::Get, &inthreat(&["objects", id, "files", &sha256.to_ascii_lowercase()], "id")?, &Query::new());
    req.expect = ResponseKind::Bytes;
    Ok(req)
}

/// Filters of `objects/{id}/relationships` and `objects` (offset lists). Each `match[...]`
/// field takes a comma list; `extra` carries any other documented parameter as is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilters {
    pub matches: Vec<(String, Vec<String>)>,
    pub extra: Vec<(String, String)>,
}

impl ListFilters {
    fn apply(&self, q: &mut Query) -> Result<()> {
        for (field, values) in &self.matches {
            if field.is_empty() || !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()) {
                return Err(Error::validation("match", format!("{} is not a field name", validate::quoted(field))));
            }
            q.push_csv(&format!("match[{field}]"), values);
        }
        for (k, v) in &self.extra {
            q.push(k.clone(), v.clone());
        }
        Ok(())
    }
}

/// `limit` (1–100) and `offset` of the Intelligence Center / IOC-collection offset lists.
pub(crate) fn page_query(offset: u64, limit: u32) -> Result<Query> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::validation("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    let mut q = Query::new();
    q.push("limit", limit.to_string()).push("offset", offset.to_string());
    Ok(q)
}

pub fn object_relationships(cfg: &ClientConfig, id: &str, f: &ListFilters, offset: u64, limit: u32) -> Result<Request> {
    check_stix_id("id", id)?;
    let mut q = page_query(offset, limit)?;
    f.apply(&mut q)?;
    Ok(cfg.request(Method::Get, &inthreat(&["objects", id, "relationships"], "id")?, &q))
}

/// The deepest `offset` `GET objects` takes (OAS-IC: `offset` maximum 10000).
pub const MAX_OBJECTS_OFFSET: u64 = 10_000;

pub fn list_objects(cfg: &ClientConfig, f: &ListFilters, offset: u64, limit: u32) -> Result<Request> {
    if offset > MAX_OBJECTS_OFFSET {
        return Err(Error::validation(
            "offset",
            format!("objects lists stop at offset {MAX_OBJECTS_OFFSET} (an API limit): narrow the filters or use a feed"),
        ));
    }
    let mut q = page_query(offset, limit)?;
    f.apply(&mut q)?;
    Ok(cfg.request(Method::Get, &inthreat(&["objects"], "path")?, &q))
}

/// `indicators/context?type=&value=` → `{items: [bundle...], has_more}`.
pub fn indicator_context(cfg: &ClientConfig, observable_type: &str, value: &str) -> Result<Request> {
    check_observable_type(observable_type)?;
    check_value(value)?;
    let mut q = Query::new();
    q.push("type", observable_type).push("value", value);
    Ok(cfg.request(Method::Get, &inthreat(&["indicators", "context"], "path")?, &q))
}

/// `indicators?type=&value=` → `{items: [indicator...], total, has_more}`.
pub fn indicators(cfg: &ClientConfig, observable_type: &str, value: &str) -> Result<Request> {
    check_observable_type(observable_type)?;
    check_value(value)?;
    let mut q = Query::new();
    q.push("type", observable_type).push("value", value);
    Ok(cfg.request(Method::Get, &inthreat(&["indicators"], "path")?, &q))
}

pub fn check_observable_type(t: &str) -> Result<()> {
    if OBSERVABLE_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(Error::validation("type", format!("{} is not a Sekoia observable type ({})", validate::quoted(t), OBSERVABLE_TYPES.join(", "))))
    }
}

fn check_value(v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(Error::validation("value", "must not be empty"));
    }
    if v.len() > 8192 {
        return Err(Error::validation("value", "is too long (max 8192)"));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(Error::validation("value", "must not contain control characters"));
    }
    Ok(())
}

// ---- feeds CRUD (`GET/POST feeds`, `GET/PUT/DELETE feeds/{uuid}`) ----

pub fn list_feeds(cfg: &ClientConfig, offset: u64, limit: u32, term: Option<&str>) -> Result<Request> {
    let mut q = page_query(offset, limit)?;
    q.push_opt("term", term);
    Ok(cfg.request(Method::Get, &inthreat(&["feeds"], "path")?, &q))
}

pub fn check_uuid(field: &str, s: &str) -> Result<()> {
    let b = s.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() });
    if ok { Ok(()) } else { Err(Error::validation(field, format!("{} is not a UUID", validate::quoted(s)))) }
}

pub fn get_feed(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_uuid("id", id)?;
    Ok(cfg.request(Method::Get, &inthreat(&["feeds", id], "id")?, &Query::new()))
}

/// Body `{"data": feed}` (the spec's single `data` parameter).
pub fn create_feed(cfg: &ClientConfig, feed_json: String) -> Result<Request> {
    let mut req = cfg.request(Method::Post, &inthreat(&["feeds"], "path")?, &Query::new());
    req.body = Body::Json(format!("{{\"data\":{feed_json}}}"));
    Ok(req)
}

pub fn update_feed(cfg: &ClientConfig, id: &str, feed_json: String) -> Result<Request> {
    check_uuid("id", id)?;
    let mut req = cfg.request(Method::Put, &inthreat(&["feeds", id], "id")?, &Query::new());
    req.body = Body::Json(format!("{{\"data\":{feed_json}}}"));
    Ok(req)
}

pub fn delete_feed(cfg: &ClientConfig, id: &str) -> Result<Request> {
    check_uuid("id", id)?;
    let mut req = cfg.request(Method::Delete, &inthreat(&["feeds", id], "id")?, &Query::new());
    req.expect = ResponseKind::Empty;
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sekoia::client_config;

    fn cfg() -> ClientConfig {
        client_config("key-123", Some("http://sim/sekoia"), None, None, vec![]).unwrap()
    }

    #[test]
    fn objects_are_batched_by_40_in_order() {
        let ids: Vec<String> = (0..95).map(|i| format!("indicator--{i:08}")).collect();
        let batches = objects_batches(&cfg(), &ids).unwrap();
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0].0.len(), 40);
        assert_eq!(batches[2].0.len(), 15);
        assert!(batches[0].1.url.ends_with("/objects/indicator--00000000,indicator--00000001,indicator--00000002,indicator--00000003,indicator--00000004,indicator--00000005,indicator--00000006,indicator--00000007,indicator--00000008,indicator--00000009,indicator--00000010,indicator--00000011,indicator--00000012,indicator--00000013,indicator--00000014,indicator--00000015,indicator--00000016,indicator--00000017,indicator--00000018,indicator--00000019,indicator--00000020,indicator--00000021,indicator--00000022,indicator--00000023,indicator--00000024,indicator--00000025,indicator--00000026,indicator--00000027,indicator--00000028,indicator--00000029,indicator--00000030,indicator--00000031,indicator--00000032,indicator--00000033,indicator--00000034,indicator--00000035,indicator--00000036,indicator--00000037,indicator--00000038,indicator--00000039"));
        assert!(objects_batches(&cfg(), &["not-an-id".into()]).is_err());
        assert!(objects_batches(&cfg(), &["a--b,c--d".into()]).is_err());
    }

    #[test]
    fn lookups_and_lists() {
        let r = indicator_context(&cfg(), "ipv4-addr", "1.2.3.4").unwrap();
        assert_eq!(r.url, "http://sim/sekoia/api/v2/inthreat/indicators/context?type=ipv4-addr&value=1.2.3.4");
        assert!(indicator_context(&cfg(), "ip", "1.2.3.4").is_err());
        assert!(indicator_context(&cfg(), "url", " ").is_err());
        let f = ListFilters { matches: vec![("type".into(), vec!["malware".into(), "tool".into()])], extra: vec![] };
        let r = object_relationships(&cfg(), "malware--1", &f, 20, 20).unwrap();
        assert!(r.url.ends_with("/objects/malware--1/relationships?limit=20&offset=20&match[type]=malware,tool"), "{}", r.url);
        assert!(list_objects(&cfg(), &f, 0, 101).is_err());
        // the API's offset ceiling is a typed error before any request, not a 400 mid-iteration
        assert!(list_objects(&cfg(), &f, MAX_OBJECTS_OFFSET, 100).is_ok());
        let e = list_objects(&cfg(), &f, MAX_OBJECTS_OFFSET + 100, 100).unwrap_err();
        assert!(matches!(e, Error::Validation { .. }) && e.to_string().contains("offset"), "{e}");
        let bad = ListFilters { matches: vec![("ty]pe".into(), vec![])], extra: vec![] };
        assert!(list_objects(&cfg(), &bad, 0, 10).is_err());
        assert!(object_file(&cfg(), "file--1", "xyz").is_err());
        assert_eq!(object_file(&cfg(), "file--1", &"A".repeat(64)).unwrap().expect, ResponseKind::Bytes);
    }

    #[test]
    fn feeds_crud() {
        let id = "d6092c37-d8d7-45c3-8aff-c4dc26030608";
        assert!(get_feed(&cfg(), id).unwrap().url.ends_with("/feeds/d6092c37-d8d7-45c3-8aff-c4dc26030608"));
        assert!(get_feed(&cfg(), "../x").is_err());
        let c = create_feed(&cfg(), "{\"title\":\"t\"}".into()).unwrap();
        assert_eq!(c.body, Body::Json("{\"data\":{\"title\":\"t\"}}".into()));
        assert_eq!(delete_feed(&cfg(), id).unwrap().method, Method::Delete);
    }
}

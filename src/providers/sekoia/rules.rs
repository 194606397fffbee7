//! Rules catalog (`/v1/sic/conf/rules-catalog/rules`, `../shared/api/sekoia.md` §C2): list
//! with every documented filter, CRUD with the required fields checked before sending,
//! enable/disable one or many.

use serde_json::{Map, Value};

use super::intel::check_uuid;
use super::wire::{self, object, snake_keys};
use crate::core::error::{Error, Result};
use crate::core::request::{Body, ClientConfig, Method, Request, ResponseKind};
use crate::core::url::{Path, Query};

pub const MAX_PAGE: u32 = 100;
/// `effort`: 1–4 in the spec, 1–5 in the docs; the wider range is accepted.
pub const EFFORT_MAX: i64 = 5;
pub const SORTS: &[&str] = &["uuid", "name", "effort", "severity", "type", "created_at", "updated_at"];

/// (option, query parameter) of the comma-list filters.
const LIST_FILTERS: &[(&str, &str)] = &[
    ("uuids", "match[uuid]"),
    ("excludeUuids", "exclude[uuid]"),
    ("names", "match[name]"),
    ("types", "match[type]"),
    ("entityUuids", "match[entity_uuid]"),
    ("efforts", "match[effort]"),
    ("tagNames", "match[tag_name]"),
    ("tagUuids", "match[tag_uuid]"),
    ("sources", "match[source]"),
    ("relatedObjectRefs", "match[related_object_ref]"),
    ("datasourceUuids", "match[datasource_uuid]"),
    ("datasourceNames", "match[datasource_name]"),
    ("intakeFormatUuids", "match[intake_format_uuid]"),
    ("lifecycles", "match[lifecycle]"),
];

fn path(segments: &[&str]) -> Result<Path> {
    let mut all = vec!["v1", "sic", "conf", "rules-catalog", "rules"];
    all.extend_from_slice(segments);
    Path::from_segments(&all, "uuid")
}

fn scalar(v: &Value, field: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(Error::validation(field, "must be strings or numbers")),
    }
}

fn list_of(m: &Map<String, Value>, key: &str) -> Result<Vec<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|x| scalar(x, key)).collect(),
        Some(x) => Ok(vec![scalar(x, key)?]),
    }
}

/// `[lo, hi]` → "lo,hi"; for dates either end may be null (open).
fn range(m: &Map<String, Value>, key: &str, dates: bool) -> Result<Option<String>> {
    let Some(v) = m.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    let bad = || Error::validation(key, if dates { "must be [start, end] (ISO dates, null for open)" } else { "must be [min, max] between 0 and 100" });
    let a = v.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
    let mut parts = Vec::new();
    for x in a {
        parts.push(match x {
            Value::Null if dates => String::new(),
            Value::String(s) if dates => {
                wire::check_date(key, s)?;
                s.clone()
            }
            Value::Number(n) if !dates && crate::core::validate::whole_number(n.as_str()).is_some_and(|i| (0..=100).contains(&i)) => n.to_string(),
            _ => return Err(bad()),
        });
    }
    Ok(Some(parts.join(",")))
}

/// The list query of `listRules(options)` (without limit/offset).
pub fn list_query(v: &Value) -> Result<Query> {
    let m = object(v, "options")?;
    let mut q = Query::new();
    for (k, wire_key) in LIST_FILTERS {
        let values = list_of(&m, k)?;
        if !values.is_empty() {
            q.push_csv(wire_key, &values);
        }
    }
    if let Some(s) = wire::string(&m, "search", "search")? {
        q.push("match[search]", s);
    }
    if q.pairs().iter().any(|(k, v)| k == "match[name]" && v.chars().count() > 100) {
        return Err(Error::validation("names", "is limited to 100 characters (comma-joined)"));
    }
    for (k, wire_key) in [("enabled", "enabled"), ("verified", "verified"), ("hasActiveAlertFilters", "has_active_alert_filters")] {
        if let Some(b) = wire::bool(&m, k, k)? {
            q.push(wire_key, b.to_string());
        }
    }
    q.push_opt("range[severity]", range(&m, "severity", false)?);
    q.push_opt("date[created_at]", range(&m, "createdAt", true)?);
    q.push_opt("date[updated_at]", range(&m, "updatedAt", true)?);
    if let Some(s) = wire::string(&m, "sort", "sort")? {
        let s = wire::snake(s);
        if !SORTS.contains(&s.as_str()) {
            return Err(Error::validation("sort", format!("must be one of {}", SORTS.join(", "))));
        }
        q.push("sort", s);
    }
    if let Some(d) = wire::string(&m, "direction", "direction")? {
        if !matches!(d, "asc" | "desc") {
            return Err(Error::validation("direction", "must be asc or desc"));
        }
        q.push("direction", d);
    }
    Ok(q)
}

pub fn list(cfg: &ClientConfig, filters: &Query, offset: u64, limit: u32) -> Result<Request> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::validation("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    let mut q = Query::new();
    q.push("limit", limit.to_string()).push("offset", offset.to_string());
    for (k, v) in filters.pairs() {
        q.push(k.clone(), v.clone());
    }
    Ok(cfg.request(Method::Get, &path(&[])?, &q))
}

/// Checks a rule (camelCase or Sekoia's snake_case keys) and returns its wire body.
/// Creating: `name` (5–100 chars), `type`, `payload`, `severity` (0–100), `effort` (1–5),
/// `alertTypeUuid` and `enabled` are required; `description` (≤ 1000) defaults to null.
/// Updating (`partial`): only the given fields are checked.
pub fn rule_body(v: &Value, partial: bool) -> Result<String> {
    let Value::Object(m) = snake_keys(&object(v, "rule")?.into_owned().into()) else {
        return Err(Error::validation("rule", "must be an object"));
    };
    let need = |k: &str, camel: &str| -> Result<()> {
        if !partial && m.get(k).is_none_or(Value::is_null) {
            return Err(Error::validation(format!("rule.{camel}"), "is required"));
        }
        Ok(())
    };
    need("name", "name")?;
    if let Some(n) = wire::string(&m, "name", "rule.name")? {
        if !(5..=100).contains(&n.trim().chars().count()) {
            return Err(Error::validation("rule.name", "must be 5 to 100 characters"));
        }
    }
    for (k, camel) in [("type", "type"), ("payload", "payload")] {
        need(k, camel)?;
        if wire::string(&m, k, &format!("rule.{camel}"))?.is_some_and(|s| s.trim().is_empty()) {
            return Err(Error::validation(format!("rule.{camel}"), "must not be empty"));
        }
    }
    need("severity", "severity")?;
    wire::integer(&m, "severity", "rule.severity", 0, 100)?;
    need("effort", "effort")?;
    wire::integer(&m, "effort", "rule.effort", 1, EFFORT_MAX)?;
    need("alert_type_uuid", "alertTypeUuid")?;
    if let Some(u) = wire::string(&m, "alert_type_uuid", "rule.alertTypeUuid")? {
        check_uuid("rule.alertTypeUuid", u)?;
    }
    need("enabled", "enabled")?;
    wire::bool(&m, "enabled", "rule.enabled")?;
    if wire::string(&m, "description", "rule.description")?.is_some_and(|d| d.chars().count() > 1000) {
        return Err(Error::validation("rule.description", "is limited to 1000 characters"));
    }
    let mut m = m;
    if !partial && !m.contains_key("description") {
        m.insert("description".into(), Value::Null);
    }
    Ok(crate::core::json::text(&Value::Object(m)))
}

pub fn create(cfg: &ClientConfig, v: &Value) -> Result<Request> {
    let body = rule_body(v, false)?;
    let mut req = cfg.request(Method::Post, &path(&[])?, &Query::new());
    req.body = Body::Json(body);
    Ok(req)
}

pub fn update(cfg: &ClientConfig, uuid: &str, v: &Value) -> Result<Request> {
    check_uuid("uuid", uuid)?;
    let body = rule_body(v, true)?;
    let mut req = cfg.request(Method::Put, &path(&[uuid])?, &Query::new());
    req.body = Body::Json(body);
    Ok(req)
}

pub fn get(cfg: &ClientConfig, uuid: &str) -> Result<Request> {
    check_uuid("uuid", uuid)?;
    Ok(cfg.request(Method::Get, &path(&[uuid])?, &Query::new()))
}

pub fn delete(cfg: &ClientConfig, uuid: &str) -> Result<Request> {
    check_uuid("uuid", uuid)?;
    let mut req = cfg.request(Method::Delete, &path(&[uuid])?, &Query::new());
    req.expect = ResponseKind::Empty;
    Ok(req)
}

fn switch(enabled: bool) -> &'static str {
    if enabled { "enabled" } else { "disabled" }
}

/// `PUT rules/{uuid}/enabled|disabled`.
pub fn set_enabled(cfg: &ClientConfig, uuid: &str, enabled: bool) -> Result<Request> {
    check_uuid("uuid", uuid)?;
    Ok(cfg.request(Method::Put, &path(&[uuid, switch(enabled)])?, &Query::new()))
}

/// `POST rules/enabled|disabled` switches every rule that matches a filter set — the filters
/// of `GET rules` (OAS-SIC: "Enable all rules matching the set of specified filters") — so the
/// uuids go as `match[uuid]`, in the query and in the JSON body: the spec lists the filters
/// without saying where they go, and a filter the server did not see would switch every rule.
pub fn set_enabled_bulk(cfg: &ClientConfig, uuids: &[String], enabled: bool) -> Result<Request> {
    if uuids.is_empty() {
        return Err(Error::validation("uuids", "must not be empty"));
    }
    for u in uuids {
        check_uuid("uuids", u)?;
    }
    let csv = uuids.join(",");
    let mut q = Query::new();
    q.push("match[uuid]", csv.clone());
    let mut req = cfg.request(Method::Post, &path(&[switch(enabled)])?, &q);
    req.body = Body::json(&serde_json::json!({ "match[uuid]": csv }));
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sekoia::client_config;
    use serde_json::json;

    const U: &str = "9c1f0b7e-2a3d-4e5f-8a9b-0c1d2e3f4a5b";

    fn cfg() -> ClientConfig {
        client_config("key-123", Some("http://sim/sekoia"), None, None, vec![]).unwrap()
    }

    fn valid() -> Value {
        json!({"name": "Suspicious thing", "type": "sigma", "payload": "detection: x", "severity": 50, "effort": 2, "alertTypeUuid": U, "enabled": true,
            "relatedObjectRefs": ["attack-pattern--1"]})
    }

    #[test]
    fn list_filters() {
        let q = list_query(&json!({"types": ["sigma", "cti"], "efforts": [1, 2], "enabled": true, "severity": [10, 90], "createdAt": ["2024-01-01", null],
            "sort": "createdAt", "direction": "desc", "search": "lsass", "excludeUuids": U, "limit": 5})).unwrap();
        let r = list(&cfg(), &q, 40, 20).unwrap();
        assert!(r.url.ends_with("/rules-catalog/rules?limit=20&offset=40&exclude[uuid]=9c1f0b7e-2a3d-4e5f-8a9b-0c1d2e3f4a5b&match[type]=sigma,cti&match[effort]=1,2&match[search]=lsass&enabled=true&range[severity]=10,90&date[created_at]=2024-01-01,&sort=created_at&direction=desc"), "{}", r.url);
        assert!(list_query(&json!({"severity": [0, 101]})).is_err());
        assert!(list_query(&json!({"sort": "colour"})).is_err());
        assert!(list_query(&json!({"names": ["x".repeat(101)]})).is_err());
        assert!(list(&cfg(), &Query::new(), 0, 101).is_err());
    }

    #[test]
    fn rule_validation() {
        let b: Value = serde_json::from_str(&rule_body(&valid(), false).unwrap()).unwrap();
        assert_eq!(b["alert_type_uuid"], U);
        assert_eq!(b["related_object_refs"], json!(["attack-pattern--1"]));
        assert_eq!(b["description"], Value::Null);
        let with = |k: &str, v: Value| {
            let mut r = valid();
            r[k] = v;
            rule_body(&r, false)
        };
        assert!(with("name", json!("abcd")).is_err());
        assert!(with("name", json!("x".repeat(101))).is_err());
        assert!(with("severity", json!(101)).is_err());
        assert!(with("severity", json!(2.5)).is_err());
        assert!(with("effort", json!(0)).is_err());
        assert!(with("effort", json!(6)).is_err());
        assert!(with("payload", json!(" ")).is_err());
        assert!(with("alertTypeUuid", json!("nope")).is_err());
        assert!(with("enabled", Value::Null).is_err());
        let e = rule_body(&json!({"name": "Valid name"}), false).unwrap_err();
        assert!(e.to_string().contains("rule.type"), "{e}");
        assert!(rule_body(&json!({"severity": 3}), true).is_ok());
        assert!(rule_body(&json!({"severity": 300}), true).is_err());
    }

    #[test]
    fn switches() {
        assert!(set_enabled(&cfg(), U, false).unwrap().url.ends_with(&format!("/rules/{U}/disabled")));
        let other = "0f6c3a3e-8d1b-4c55-9e57-2b1f2f0c9a10";
        let r = set_enabled_bulk(&cfg(), &[U.to_string(), other.to_string()], true).unwrap();
        // the filter of `GET rules`, in the query and the body: never a filter-less bulk switch
        assert!(r.url.ends_with(&format!("/rules/enabled?match[uuid]={U},{other}")), "{}", r.url);
        let Body::Json(body) = &r.body else { panic!("JSON body expected") };
        assert_eq!(serde_json::from_str::<Value>(body).unwrap(), json!({ "match[uuid]": format!("{U},{other}") }));
        assert!(set_enabled_bulk(&cfg(), &[], true).is_err());
        assert_eq!(delete(&cfg(), U).unwrap().expect, ResponseKind::Empty);
    }
}

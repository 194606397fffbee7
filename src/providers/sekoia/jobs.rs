//! Event search jobs (`/v1/sic/conf/events/search/jobs`, `../shared/api/sekoia.md` §C1):
//! create (times and filters checked first), status, events pages, cancel.

use serde_json::{Map, Value};

use super::intel::check_uuid;
use super::wire::{self, check_date, object};
use crate::core::error::{Error, Result};
use crate::core::request::{Body, ClientConfig, Method, Request};
use crate::core::url::{Path, Query};
use crate::core::validate::quoted;

/// Events per page: 1–1000 (default 100 on the server).
pub const MAX_EVENTS_PAGE: u32 = 1000;
pub const OPERATORS: &[&str] = &["=", "startswith", "endswith", "contains", "exists", ">", ">=", "<", "<="];

fn path(segments: &[&str]) -> Result<Path> {
    let mut all = vec!["v1", "sic", "conf", "events", "search", "jobs"];
    all.extend_from_slice(segments);
    Path::from_segments(&all, "jobId")
}

/// Sekoia's time syntax: ISO 8601 (`2024-04-12`, `2024-04-12T10:00:00[.fff][Z|±hh:mm]`), `now`,
/// or relative `(+|-)N(S|M|H|D|W)` (the unit is case-insensitive here, upper-cased on the wire).
pub fn check_time(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok("now".into());
    }
    let b = t.as_bytes();
    if b.len() >= 3 && matches!(b[0], b'+' | b'-') && b[1..b.len() - 1].iter().all(u8::is_ascii_digit) {
        let unit = (b[b.len() - 1] as char).to_ascii_uppercase();
        if matches!(unit, 'S' | 'M' | 'H' | 'D' | 'W') {
            return Ok(format!("{}{unit}", &t[..t.len() - 1]));
        }
    }
    if check_date(field, t).is_ok() && t.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b':' | b'.' | b'+' | b' ')) {
        return Ok(t.to_string());
    }
    Err(Error::validation(field, format!("{} is not a time: ISO 8601, \"now\" or relative like -30d", quoted(t))))
}

/// `{ query, earliest, latest, lang?, filters?, maxLastEvents?, ttl?, dateField?,
/// communityUuids?, visible?, onlyEternal?, viewUuid? }` → the job creation request.
pub fn create(cfg: &ClientConfig, v: &Value) -> Result<Request> {
    let m = object(v, "search")?;
    let mut body = Map::new();
    let term = wire::required_string(&m, "query", "query")?;
    if term.trim().is_empty() {
        return Err(Error::validation("query", "must not be empty"));
    }
    body.insert("term".into(), term.into());
    for (k, wire_key) in [("earliest", "earliest_time"), ("latest", "latest_time")] {
        let t = wire::required_string(&m, k, k)?;
        body.insert(wire_key.into(), check_time(k, t)?.into());
    }
    if let Some(l) = wire::string(&m, "lang", "lang")? {
        if !matches!(l, "dork" | "es-query-string") {
            return Err(Error::validation("lang", "must be dork or es-query-string"));
        }
        body.insert("term_lang".into(), l.into());
    }
    if let Some(f) = m.get("filters").filter(|f| !f.is_null()) {
        let arr = f.as_array().ok_or_else(|| Error::validation("filters", "must be an array"))?;
        for (i, x) in arr.iter().enumerate() {
            let fm = object(x, "filters")?;
            let field = format!("filters[{i}]");
            if wire::required_string(&fm, "field", &format!("{field}.field"))?.is_empty() {
                return Err(Error::validation(format!("{field}.field"), "must not be empty"));
            }
            let op = wire::required_string(&fm, "operator", &format!("{field}.operator"))?;
            if !OPERATORS.contains(&op) {
                return Err(Error::validation(format!("{field}.operator"), format!("must be one of {}", OPERATORS.join(" "))));
            }
            wire::bool(&fm, "excluded", &format!("{field}.excluded"))?;
            wire::bool(&fm, "disabled", &format!("{field}.disabled"))?;
        }
        body.insert("filters".into(), f.clone());
    }
    if let Some(n) = wire::integer(&m, "maxLastEvents", "maxLastEvents", 1, 1_000_000_000)? {
        body.insert("max_last_events".into(), n.into());
    }
    if let Some(n) = wire::integer(&m, "ttl", "ttl", 10, 86_400)? {
        body.insert("results_ttl".into(), n.into());
    }
    if let Some(d) = wire::string(&m, "dateField", "dateField")? {
        if !matches!(d, "@timestamp" | "event.created") {
            return Err(Error::validation("dateField", "must be @timestamp or event.created"));
        }
        body.insert("date_field".into(), d.into());
    }
    let communities = wire::strings(&m, "communityUuids", "communityUuids")?;
    for c in &communities {
        check_uuid("communityUuids", c)?;
    }
    if !communities.is_empty() {
        body.insert("community_uuids".into(), communities.into());
    }
    for (k, wire_key) in [("visible", "visible"), ("onlyEternal", "only_eternal")] {
        if let Some(b) = wire::bool(&m, k, k)? {
            body.insert(wire_key.into(), b.into());
        }
    }
    if let Some(u) = wire::string(&m, "viewUuid", "viewUuid")? {
        check_uuid("viewUuid", u)?;
        body.insert("view_uuid".into(), u.into());
    }
    let mut req = cfg.request(Method::Post, &path(&[])?, &Query::new());
    req.body = Body::json(&Value::Object(body));
    Ok(req)
}

pub fn get(cfg: &ClientConfig, uuid: &str) -> Result<Request> {
    check_uuid("jobId", uuid)?;
    Ok(cfg.request(Method::Get, &path(&[uuid])?, &Query::new()))
}

pub fn cancel(cfg: &ClientConfig, uuid: &str) -> Result<Request> {
    check_uuid("jobId", uuid)?;
    Ok(cfg.request(Method::Post, &path(&[uuid, "cancel"])?, &Query::new()))
}

pub fn events(cfg: &ClientConfig, uuid: &str, offset: u64, limit: u32) -> Result<Request> {
    check_uuid("jobId", uuid)?;
    if limit == 0 || limit > MAX_EVENTS_PAGE {
        return Err(Error::validation("limit", format!("must be between 1 and {MAX_EVENTS_PAGE}")));
    }
    let mut q = Query::new();
    q.push("limit", limit.to_string()).push("offset", offset.to_string());
    Ok(cfg.request(Method::Get, &path(&[uuid, "events"])?, &q))
}

/// What a job status means to a waiter. 0 not started, 1 running, 2 done, 3 canceled,
/// 4 failed (D-SE only); an unknown status keeps the waiter waiting (until its deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Done,
    Canceled,
    Failed,
}

/// A job's `status` (the JSON value as a number, or as a string): an integer (OAS-SIC), or the
/// numeric string the unified spec types it as.
pub fn status_number(number: Option<f64>, text: Option<&str>) -> Option<f64> {
    number.or_else(|| text.and_then(|s| crate::core::validate::whole_number(s.trim())).map(|i| i as f64))
}

pub fn job_state(status: Option<f64>) -> JobState {
    match status {
        Some(2.0) => JobState::Done,
        Some(3.0) => JobState::Canceled,
        Some(4.0) => JobState::Failed,
        _ => JobState::Pending,
    }
}

/// Poll period: about once a second, as Sekoia's clients do; bounded.
pub fn poll_ms(given: Option<f64>) -> f64 {
    given.unwrap_or(1000.0).clamp(50.0, 60_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sekoia::client_config;
    use serde_json::json;

    const J: &str = "483d36a5-0b6f-4c5e-9a10-1c2d3e4f5a6b";

    fn cfg() -> ClientConfig {
        client_config("key-123", Some("http://sim/sekoia"), None, None, vec![]).unwrap()
    }

    #[test]
    fn times() {
        assert_eq!(check_time("t", "-30d").unwrap(), "-30D");
        assert_eq!(check_time("t", "NOW").unwrap(), "now");
        assert_eq!(check_time("t", "+2H").unwrap(), "+2H");
        assert_eq!(check_time("t", "2011-11-04").unwrap(), "2011-11-04");
        assert_eq!(check_time("t", "2011-11-04T00:05:23.283Z").unwrap(), "2011-11-04T00:05:23.283Z");
        for bad in ["yesterday", "-30", "-d", "30d", "-3x", "2011-11-04T00:05:23Z; drop", ""] {
            assert!(check_time("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn create_body() {
        let r = create(&cfg(), &json!({"query": "source.ip:1.2.3.4", "earliest": "-1d", "latest": "now", "lang": "dork", "maxLastEvents": 50, "ttl": 600,
            "filters": [{"field": "event.dataset", "operator": "=", "value": "x"}], "signal": {}})).unwrap();
        assert!(r.url.ends_with("/v1/sic/conf/events/search/jobs"));
        let Body::Json(b) = &r.body else { panic!() };
        let b: Value = serde_json::from_str(b).unwrap();
        assert_eq!(b, json!({"term": "source.ip:1.2.3.4", "earliest_time": "-1D", "latest_time": "now", "term_lang": "dork",
            "filters": [{"field": "event.dataset", "operator": "=", "value": "x"}], "max_last_events": 50, "results_ttl": 600}));
        assert!(create(&cfg(), &json!({"earliest": "-1d", "latest": "now"})).is_err());
        assert!(create(&cfg(), &json!({"query": "x", "earliest": "last week", "latest": "now"})).is_err());
        assert!(create(&cfg(), &json!({"query": "x", "earliest": "-1d", "latest": "now", "ttl": 5})).is_err());
        assert!(create(&cfg(), &json!({"query": "x", "earliest": "-1d", "latest": "now", "lang": "sql"})).is_err());
        assert!(create(&cfg(), &json!({"query": "x", "earliest": "-1d", "latest": "now", "filters": [{"field": "a", "operator": "~"}]})).is_err());
    }

    #[test]
    fn job_requests_and_states() {
        assert!(events(&cfg(), J, 100, 1000).unwrap().url.ends_with(&format!("/jobs/{J}/events?limit=1000&offset=100")));
        assert!(events(&cfg(), J, 0, 1001).is_err());
        assert!(get(&cfg(), "x/../y").is_err());
        assert_eq!(cancel(&cfg(), J).unwrap().method, Method::Post);
        assert_eq!(job_state(Some(1.0)), JobState::Pending);
        assert_eq!(job_state(Some(2.0)), JobState::Done);
        assert_eq!(job_state(Some(3.0)), JobState::Canceled);
        assert_eq!(job_state(Some(4.0)), JobState::Failed);
        assert_eq!(job_state(None), JobState::Pending);
        assert_eq!(status_number(Some(2.0), None), Some(2.0));
        assert_eq!(status_number(None, Some(" 3")), Some(3.0));
        assert_eq!(status_number(None, Some("done")), None);
        assert_eq!(status_number(None, None), None);
        assert_eq!(poll_ms(Some(1.0)), 50.0);
    }
}

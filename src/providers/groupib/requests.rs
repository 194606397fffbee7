//! Group-IB request builders (groupib.md §3–4). Every URL is `base + "/" + endpoint`, the
//! query is written as the reference writes it (`quote_plus`, falsy values never sent, order
//! as in the reference), and every request carries `Accept: */*` like the reference's session.

use crate::core::error::{Error, Result};
use crate::core::request::{set_header, Body, ClientConfig, Method, Request, ResponseKind};
use crate::core::url::{Path, Query};

/// Ordered query pairs where `None`/empty values are dropped (Python's falsy filter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub Vec<(String, Option<String>)>);

impl Params {
    pub fn new() -> Self {
        Params(Vec::new())
    }
    pub fn add(&mut self, key: &str, value: Option<String>) -> &mut Self {
        self.0.push((key.to_string(), value));
        self
    }
    pub fn query(&self) -> Query {
        let mut q = Query::new();
        for (k, v) in &self.0 {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                q.push(k.clone(), v.clone());
            }
        }
        q
    }
}

/// Splits `apt/threat` (or `violation/list`) into path segments, each encoded.
fn segments(collection: &str) -> Vec<String> {
    collection.split('/').map(str::to_string).collect()
}

/// A request to `endpoint` (segments) with the reference's headers.
pub fn request(cfg: &ClientConfig, method: Method, segs: &[String], params: &Params) -> Result<Request> {
    let path = Path::from_segments(segs, "path")?;
    let mut req = cfg.request(method, &path, &Query::new());
    let q = params.query();
    if !q.is_empty() {
        req.url.push('?');
        req.url.push_str(&q.encode_form());
    }
    set_header(&mut req.headers, "accept", "*/*");
    Ok(req)
}

fn get(cfg: &ClientConfig, segs: Vec<String>, params: &Params) -> Result<Request> {
    request(cfg, Method::Get, &segs, params)
}

fn id_segment(field: &str, id: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    Ok(id.to_string())
}

/// `GET user/granted_collections`.
pub fn granted_collections(cfg: &ClientConfig) -> Result<Request> {
    get(cfg, vec!["user".into(), "granted_collections".into()], &Params::new())
}

/// `GET sequence_list?date&collection&apply_hunting_rules` (body read as text: seqUpdates stay exact).
pub fn sequence_list(cfg: &ClientConfig, date: Option<&str>, collection: Option<&str>, hunting: bool) -> Result<Request> {
    if let Some(d) = date {
        super::check_date("date", d)?;
    }
    if let Some(c) = collection {
        super::check_collection(c, super::Family::Ti, false, false)?;
    }
    let mut p = Params::new();
    p.add("date", date.map(str::to_string))
        .add("collection", collection.map(str::to_string))
        .add("apply_hunting_rules", hunting.then(|| "1".to_string()));
    let mut r = get(cfg, vec!["sequence_list".into()], &p)?;
    r.expect = ResponseKind::Text;
    Ok(r)
}

/// `GET <collection>/<id>`.
pub fn feed_by_id(cfg: &ClientConfig, collection: &str, id: &str) -> Result<Request> {
    let mut s = segments(collection);
    s.push(id_segment("id", id)?);
    get(cfg, s, &Params::new())
}

/// `GET <collection>/<feedId>/file/<fileId>` → bytes.
pub fn file(cfg: &ClientConfig, collection: &str, feed_id: &str, file_id: &str) -> Result<Request> {
    let mut s = segments(collection);
    s.push(id_segment("feedId", feed_id)?);
    s.push("file".into());
    s.push(id_segment("fileId", file_id)?);
    let mut r = get(cfg, s, &Params::new())?;
    r.expect = ResponseKind::Bytes;
    Ok(r)
}

/// `GET <collection>/<id>/action/<action>` (a leading `/` of the action is stripped).
pub fn action(cfg: &ClientConfig, collection: &str, id: &str, action: &str, params: &Params) -> Result<Request> {
    let mut s = segments(collection);
    s.push(id_segment("id", id)?);
    s.push("action".into());
    s.push(id_segment("action", action.trim_start_matches('/'))?);
    get(cfg, s, params)
}

/// `GET search?q=`.
pub fn global_search(cfg: &ClientConfig, q: &str) -> Result<Request> {
    if q.trim().is_empty() {
        return Err(Error::validation("query", "must not be empty"));
    }
    if q.chars().any(char::is_control) || q.len() > 4096 {
        return Err(Error::validation("query", "must be at most 4096 characters, without control characters"));
    }
    let mut p = Params::new();
    p.add("q", Some(q.to_string()));
    get(cfg, vec!["search".into()], &p)
}

/// `GET utils/graph/ip?ip=` / `utils/graph/domain?domain=`.
pub fn graph(cfg: &ClientConfig, kind: &str, value: &str) -> Result<Request> {
    if value.is_empty() {
        return Err(Error::validation(kind, "must not be empty"));
    }
    // The graph lookups take one IP or one domain: anything else is refused before sending.
    if kind == "ip" {
        if value.parse::<std::net::IpAddr>().is_err() {
            return Err(Error::validation(kind, "must be an IPv4 or IPv6 address"));
        }
    } else {
        crate::core::validate::host_name(kind, value)?;
    }
    let mut p = Params::new();
    p.add(kind, Some(value.to_string()));
    get(cfg, vec!["utils".into(), "graph".into(), kind.into()], &p)
}

/// `POST scoring` with `{"ips": [...]}` (validated like the reference). Not retried (POST).
pub fn scoring(cfg: &ClientConfig, ips: super::IpsArg) -> Result<Request> {
    let ips = super::check_ips(ips)?;
    let body = serde_json::json!({ "ips": ips });
    let mut r = request(cfg, Method::Post, &["scoring".to_string()], &Params::new())?;
    r.body = Body::Json(crate::core::mapping::to_python_json(&body).unwrap_or_default());
    Ok(r)
}

/// DRP `GET violation/<id>`.
pub fn violation(cfg: &ClientConfig, id: &str) -> Result<Request> {
    get(cfg, vec!["violation".into(), id_segment("id", id)?], &Params::new())
}

/// DRP `POST violation/change-approve` `{"violationId": id, "approve": bool}`.
pub fn change_approve(cfg: &ClientConfig, id: &str, approve: bool) -> Result<Request> {
    let body = serde_json::json!({ "violationId": id_segment("id", id)?, "approve": approve });
    let mut r = request(cfg, Method::Post, &["violation".to_string(), "change-approve".to_string()], &Params::new())?;
    set_header(&mut r.headers, "accept", "application/json");
    r.body = Body::Json(crate::core::mapping::to_python_json(&body).unwrap_or_default());
    Ok(r)
}

/// DRP `GET settings/brands` / `settings/subscriptions`.
pub fn settings(cfg: &ClientConfig, what: &str) -> Result<Request> {
    get(cfg, vec!["settings".into(), what.into()], &Params::new())
}

//! Group-IB TI and DRP (`../shared/api/groupib.md`): base URL, HTTP Basic auth, the
//! `set_product` user agent, collection tables and input validation, the reference's status
//! explanations. Request builders are in [`requests`], the portion generators in [`poll`].
//!
//! Deviations from the reference `cyberintegrations` 0.14.1, on purpose:
//! - a base URL without a trailing slash keeps its last segment (the reference's `urljoin`
//!   drops it: `…/api/v2` + `search` → `…/api/search`);
//! - the user agent names this library (`cti-edge/<v>`, `…/cti-edge_<v>` with a product);
//! - granted collections are listed once (the reference appends breached/reaper twice);
//! - DRP list filters send every element (the reference sends only the first);
//! - an update page with items but no (or an unchanged) `seqUpdate` is an error instead of
//!   a silent restart/loop.

pub mod poll;
pub mod requests;

#[cfg(test)]
mod conformance_tests;

use crate::core::error::{Error, Result};
use crate::core::request::{Auth, ClientConfig, Secret};
use crate::core::url::BaseUrl;

/// TI collections, in the reference's table order (groupib.md §5).
pub const TI_COLLECTIONS: &[&str] = &[
    "apt/threat", "apt/threat_actor", "hi/open_threats", "hi/threat", "hi/threat_actor", "attacks/ddos",
    "attacks/deface", "attacks/phishing_group", "attacks/phishing_kit", "compromised/access",
    "compromised/account_group", "compromised/bank_card_group", "compromised/breached", "compromised/discord",
    "compromised/masked_card", "compromised/messenger", "compromised/mule", "compromised/reaper", "compromised/spd",
    "ioc/common", "malware/cnc", "malware/config", "malware/malware", "malware/signature", "malware/yara",
    "osi/git_repository", "osi/public_leak", "osi/vulnerability", "suspicious_ip/open_proxy", "suspicious_ip/scanner",
    "suspicious_ip/socks_proxy", "suspicious_ip/tor_node", "suspicious_ip/vpn",
];
/// DRP collections that can be polled.
pub const DRP_COLLECTIONS: &[&str] =
    &["violation/list", "compromised/public_leaks", "compromised/git_leaks", "compromised/darkweb", "compromised/breached_db"];
/// Search generator only (the update generator refuses them).
pub const SEARCH_ONLY: &[&str] = &["compromised/breached", "compromised/reaper"];
/// `*_group` collections whose items carry `events[]` (split with `parseEvents`).
pub const GROUP_COLLECTIONS: &[&str] = &["compromised/account_group", "compromised/bank_card_group", "attacks/phishing_group"];

/// The library token of the user agent.
pub const LIBRARY: (&str, &str) = ("cti-edge", env!("CARGO_PKG_VERSION"));

pub fn client_config(
    username: &str,
    api_key: &str,
    base_url: &str,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
) -> Result<ClientConfig> {
    if username.trim().is_empty() {
        return Err(Error::validation("username", "must not be empty"));
    }
    if username.contains(':') || username.chars().any(|c| c.is_control()) {
        return Err(Error::validation("username", "must not contain ':' or control characters"));
    }
    Auth::check_key("apiKey", api_key)?;
    Ok(ClientConfig {
        base: BaseUrl::parse(base_url, None)?,
        auth: Auth::Basic { username: username.to_string(), key: Secret::new(api_key) },
        user_agent,
        default_headers,
    })
}

/// `set_product(...)` of the reference; `None` fields are "unknown".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Product {
    pub product_type: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub integration: Option<String>,
    pub integration_version: Option<String>,
}

/// `{type}/{name[_version]}/{integration[_version]}/{username}/{library_version}` — a part
/// `"unknown"` (or absent) for a version is dropped with its `_` (groupib.md §1).
pub fn product_user_agent(p: &Product, username: &str, library: (&str, &str)) -> Result<String> {
    let part = |v: &Option<String>, field: &str| -> Result<String> {
        let s = v.clone().unwrap_or_else(|| "unknown".to_string());
        if s.is_empty() || s.chars().any(|c| c.is_control() || c == '/') {
            return Err(Error::validation(format!("product.{field}"), "must be a non-empty string without '/' or control characters"));
        }
        Ok(s)
    };
    let merge = |name: String, version: String| if version == "unknown" { name } else { format!("{name}_{version}") };
    Ok(format!(
        "{}/{}/{}/{}/{}",
        part(&p.product_type, "type")?,
        merge(part(&p.name, "name")?, part(&p.version, "version")?),
        merge(part(&p.integration, "integration")?, part(&p.integration_version, "integrationVersion")?),
        username,
        merge(library.0.to_string(), library.1.to_string()),
    ))
}

/// Which poller a collection name is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Ti,
    Drp,
}

/// Checks a collection name (unless `ignore_validation`): known to either table, as the
/// reference does; for TI updates, not a search-only collection.
pub fn check_collection(name: &str, family: Family, for_updates: bool, ignore_validation: bool) -> Result<()> {
    if name.is_empty() || name.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(Error::validation("collection", "must be a collection name like apt/threat"));
    }
    if ignore_validation {
        return Ok(());
    }
    let known = TI_COLLECTIONS.contains(&name) || DRP_COLLECTIONS.contains(&name) || name == "violation";
    if !known {
        let list = match family {
            Family::Ti => TI_COLLECTIONS.join(", "),
            Family::Drp => DRP_COLLECTIONS.join(", "),
        };
        return Err(Error::validation("collection", format!("invalid collection name {name}, should be one of {list} (or pass ignoreValidation)")));
    }
    if for_updates && family == Family::Ti && SEARCH_ONLY.contains(&name) {
        return Err(Error::validation("collection", format!("{name} collection must be used only with a search generator.")));
    }
    Ok(())
}

/// `%Y-%m-%d` or `%Y-%m-%dT%H:%M:%SZ` (as `strptime` reads them: one- or two-digit fields).
pub fn check_date(field: &str, s: &str) -> Result<()> {
    let bad = || Error::validation(field, format!("invalid date {s}, please use one of these formats: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ"));
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let num = |p: &str, min_len: usize, max_len: usize| -> Option<u32> {
        (p.len() >= min_len && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok()).flatten()
    };
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3 {
        return Err(bad());
    }
    let (y, m, day) = (num(d[0], 4, 4).ok_or_else(bad)?, num(d[1], 1, 2).ok_or_else(bad)?, num(d[2], 1, 2).ok_or_else(bad)?);
    if !(1..=12).contains(&m) || day == 0 || day > days_in_month(y, m) {
        return Err(bad());
    }
    if let Some(t) = time {
        let t: Vec<&str> = t.split(':').collect();
        if t.len() != 3 {
            return Err(bad());
        }
        let (h, mi, sec) = (num(t[0], 1, 2).ok_or_else(bad)?, num(t[1], 1, 2).ok_or_else(bad)?, num(t[2], 1, 2).ok_or_else(bad)?);
        if h > 23 || mi > 59 || sec > 61 {
            return Err(bad());
        }
    }
    Ok(())
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// DRP `get_seq_update_dict(date)`: UTC midnight of `YYYY-MM-DD` in microseconds, computed
/// locally (no request), as a decimal string.
pub fn drp_seq_update_for_date(date: &str) -> Result<String> {
    check_date("date", date)?;
    let d = date.split('T').next().unwrap_or(date);
    let p: Vec<i64> = d.split('-').map(|x| x.parse().unwrap_or(0)).collect();
    let (y, m, day) = (p[0], p[1], p[2]);
    // days_from_civil (Howard Hinnant)
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok((days * 86_400_000_000).to_string())
}

/// `Validator.validate_ips_argument` of the reference, for `scoring(ips)`.
pub enum IpsArg {
    One(String),
    Many(Vec<Option<String>>),
}

pub fn check_ips(ips: IpsArg) -> Result<Vec<String>> {
    let bad = |m: &str| Error::validation("ips", m);
    let checked = check_ips_shape(ips)?;
    // Stricter than the reference: a control character is never part of an address.
    if checked.iter().any(|s| s.chars().any(char::is_control)) {
        return Err(bad("an IP must not contain control characters"));
    }
    Ok(checked)
}

fn check_ips_shape(ips: IpsArg) -> Result<Vec<String>> {
    let bad = |m: &str| Error::validation("ips", m);
    match ips {
        IpsArg::One(s) => {
            let raw = s.trim();
            if raw.is_empty() {
                return Err(bad("Parameter 'ips' is empty. Provide a single IP or a list of IPs."));
            }
            let tokens = raw.split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace()).filter(|t| !t.is_empty()).count();
            if tokens > 1 {
                return Err(bad("Multiple IPs provided as a single string. Pass a list of IPs instead."));
            }
            Ok(vec![raw.to_string()])
        }
        IpsArg::Many(list) => {
            if list.is_empty() {
                return Err(bad("Parameter 'ips' list is empty. Provide at least one IP."));
            }
            list.into_iter()
                .map(|i| match i {
                    Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                    _ => Err(bad("Each item in 'ips' list must be a non-empty string.")),
                })
                .collect()
        }
    }
}

/// The reference's explanation of a status (`ConnectionException` messages, groupib.md §3).
pub fn status_hint(status: u16) -> Option<&'static str> {
    Some(match status {
        301 | 302 => "Verify that your public IP is accesslisted.",
        400 => "Bad Credentials or Wrong request. The issue can be related to the wrong searchable tag for entity.",
        401 => "Bad Credentials.",
        403 => "Something is wrong with your account, please, contact support. The issue can be related to Access list, Wrong API key or Wrong username.",
        404 => "Not found. There is no such data on server or you are using wrong endpoint.",
        429 => "Maximum count of requests per second reached, please, decrease number of requests per seconds to this collections.",
        500 => "There are some troubles on server with your request.",
        _ => return None,
    })
}

/// Adds the reference's explanation to a Group-IB HTTP error (same class, same fields).
pub fn explain(err: Error) -> Error {
    match err {
        Error::Api(mut e) => {
            if let Some(h) = status_hint(e.status) {
                e.hint = Some(h.to_string());
            }
            Error::Api(e)
        }
        other => other,
    }
}

/// `get_available_collections()` / `get_hunting_rules_collections()`: the granted names that
/// are known TI collections, in table order, each once.
pub fn granted_names(body: &serde_json::Value, hunting_only: bool) -> Vec<String> {
    let granted: Vec<&serde_json::Value> = body.as_array().map(|a| a.iter().collect()).unwrap_or_default();
    TI_COLLECTIONS
        .iter()
        .filter(|name| {
            granted.iter().any(|g| {
                g.get("collection").and_then(|c| c.as_str()) == Some(**name)
                    && (!hunting_only || g.get("huntingRulesUsed").map(crate::core::mapping::py_truthy).unwrap_or(false))
            })
        })
        .map(|n| n.to_string())
        .collect()
}

/// `sequence_list` body text → `(collection, exact seqUpdate)` for known TI collections.
pub fn sequence_list_entries(text: &str) -> Result<Vec<(String, String)>> {
    let v = crate::core::json::parse(text)
        .map_err(|e| Error::Decode { message: format!("sequence_list: {e}"), status: 200, attempts: 0 })?;
    let list = v.get("list").and_then(|l| l.as_object()).ok_or_else(|| Error::Decode {
        message: "sequence_list: no `list` object in the response".into(),
        status: 200,
        attempts: 0,
    })?;
    Ok(list
        .iter()
        .filter(|(k, _)| TI_COLLECTIONS.contains(&k.as_str()))
        .filter_map(|(k, v)| seq_text(Some(v)).map(|s| (k.clone(), s)))
        .collect())
}

/// DRP `change_status`: the reference only posts for a violation that is `detected` and
/// `under_review`.
pub fn approvable(violation: &serde_json::Value) -> bool {
    let v = violation.get("violation");
    let field = |k: &str| v.and_then(|v| v.get(k)).and_then(|x| x.as_str());
    field("status") == Some("detected") && field("approveState") == Some("under_review")
}

/// Exact decimal text of a seqUpdate given as a JSON value (integer or digit string); `None`
/// for null/absent/other. Never goes through `f64`.
pub fn seq_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        serde_json::Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Some(s.clone()),
        _ => None,
    }
}

/// A seqUpdate given by a caller: decimal digits only (falsy `0` means "not given", as in the
/// reference, where falsy params are never sent).
pub fn check_seq_update(field: &str, s: &str) -> Result<Option<String>> {
    let t = s.trim();
    if t.is_empty() || t.len() > 30 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::validation(field, "must be a non-negative integer (number, bigint or decimal string)"));
    }
    let t = t.trim_start_matches('0');
    Ok((!t.is_empty()).then(|| t.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_like_set_product() {
        let p = Product {
            product_type: Some("SIEM".into()),
            name: Some("ExampleSIEM".into()),
            version: Some("9.1".into()),
            integration: Some("gib-connector".into()),
            integration_version: None,
        };
        assert_eq!(
            product_user_agent(&p, "analyst@example.com", ("cyberintegrations", "0.14.1")).unwrap(),
            "SIEM/ExampleSIEM_9.1/gib-connector/analyst@example.com/cyberintegrations_0.14.1"
        );
        let ua = product_user_agent(&Product::default(), "u", LIBRARY).unwrap();
        assert_eq!(ua, format!("unknown/unknown/unknown/u/cti-edge_{}", env!("CARGO_PKG_VERSION")));
        assert!(product_user_agent(&Product { name: Some("a/b".into()), ..Default::default() }, "u", LIBRARY).is_err());
    }

    #[test]
    fn base_url_keeps_its_last_segment() {
        for b in ["https://tap.group-ib.example/api/v2", "https://tap.group-ib.example/api/v2/"] {
            let c = client_config("u@x", "KEY1", b, None, vec![]).unwrap();
            assert_eq!(c.base.as_str(), "https://tap.group-ib.example/api/v2");
        }
        assert!(client_config("", "KEY1", "https://x", None, vec![]).is_err());
        assert!(client_config("a:b", "KEY1", "https://x", None, vec![]).is_err());
    }

    #[test]
    fn dates_and_collections() {
        for ok in ["2024-01-01", "2024-1-5", "2024-02-29", "2024-01-31T10:00:00Z"] {
            assert!(check_date("date", ok).is_ok(), "{ok}");
        }
        for bad in ["01.02.2024", "2023-02-29", "2024-01-01T10:00:00", "2024-13-01", "", "2024-01-01T25:00:00Z"] {
            assert!(check_date("date", bad).is_err(), "{bad}");
        }
        assert!(check_collection("apt/threat", Family::Ti, true, false).is_ok());
        let e = check_collection("compromised/breached", Family::Ti, true, false).unwrap_err();
        assert!(e.to_string().contains("compromised/breached collection must be used only with a search generator."));
        assert!(check_collection("compromised/breached", Family::Ti, false, false).is_ok());
        assert!(check_collection("nope/nothing", Family::Ti, true, false).is_err());
        assert!(check_collection("nope/nothing", Family::Ti, true, true).is_ok());
        assert!(check_collection("a/../b", Family::Ti, true, true).is_err());
    }

    #[test]
    fn drp_seq_update_is_utc_midnight_in_microseconds() {
        assert_eq!(drp_seq_update_for_date("2024-01-02").unwrap(), "1704153600000000");
        assert_eq!(drp_seq_update_for_date("1970-01-01").unwrap(), "0");
        assert!(drp_seq_update_for_date("x").is_err());
    }

    #[test]
    fn ips_validation_like_the_reference() {
        assert_eq!(check_ips(IpsArg::One(" 192.0.2.1 ".into())).unwrap(), vec!["192.0.2.1"]);
        let e = check_ips(IpsArg::One("a,b".into())).unwrap_err();
        assert!(e.to_string().contains("Multiple IPs provided as a single string. Pass a list of IPs instead."));
        assert!(check_ips(IpsArg::One("  ".into())).is_err());
        assert!(check_ips(IpsArg::Many(vec![])).is_err());
        assert!(check_ips(IpsArg::Many(vec![Some("1.1.1.1".into()), None])).is_err());
        assert_eq!(check_ips(IpsArg::Many(vec![Some(" 1.1.1.1".into())])).unwrap(), vec!["1.1.1.1"]);
    }

    #[test]
    fn seq_updates_stay_exact() {
        let v: serde_json::Value = serde_json::from_str(r#"{"a": 18446744073709551615, "b": "9007199254740993", "c": 1.5}"#).unwrap();
        assert_eq!(seq_text(v.get("a")).unwrap(), "18446744073709551615");
        assert_eq!(seq_text(v.get("b")).unwrap(), "9007199254740993");
        assert_eq!(seq_text(v.get("c")), None);
        assert_eq!(check_seq_update("s", "0").unwrap(), None);
        assert_eq!(check_seq_update("s", "0012").unwrap().as_deref(), Some("12"));
        assert!(check_seq_update("s", "-1").is_err());
    }
}

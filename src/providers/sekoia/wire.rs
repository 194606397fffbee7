//! JS option objects (already `JSON.stringify`-ed into `serde_json::Value`) → Sekoia wire
//! bodies: camelCase keys become snake_case, a few documented aliases are applied, and
//! small shared checks (strings, UUIDs, comma lists) name the field that is wrong.

use serde_json::{Map, Value};

use crate::core::error::{Error, Result};
use crate::core::validate::quoted;

/// `availableForSubCommunities` → `available_for_sub_communities`; snake_case stays as is.
pub fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Converts every object key below `v` (arrays included) to snake_case.
pub fn snake_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (snake(k), snake_keys(x))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(snake_keys).collect()),
        other => other.clone(),
    }
}

/// The object at `v` (null/absent = empty).
pub fn object<'a>(v: &'a Value, field: &str) -> Result<std::borrow::Cow<'a, Map<String, Value>>> {
    match v {
        Value::Object(m) => Ok(std::borrow::Cow::Borrowed(m)),
        Value::Null => Ok(std::borrow::Cow::Owned(Map::new())),
        _ => Err(Error::validation(field, "must be an object")),
    }
}

/// Copies the given `(camelCase, wire)` keys that are present (and not null) into a wire map.
pub fn pick(v: &Map<String, Value>, keys: &[(&str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, wire) in keys {
        if let Some(x) = v.get(*k).filter(|x| !x.is_null()) {
            out.insert(wire.to_string(), snake_keys(x));
        }
    }
    out
}

pub fn string<'a>(m: &'a Map<String, Value>, key: &str, field: &str) -> Result<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::validation(field, "must be a string")),
    }
}

pub fn required_string<'a>(m: &'a Map<String, Value>, key: &str, field: &str) -> Result<&'a str> {
    string(m, key, field)?.ok_or_else(|| Error::validation(field, "is required"))
}

/// A whole number within [min, max].
pub fn integer(m: &Map<String, Value>, key: &str, field: &str, min: i64, max: i64) -> Result<Option<i64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match crate::core::validate::whole_number(n.as_str()) {
            Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
            _ => Err(Error::validation(field, format!("must be an integer between {min} and {max}"))),
        },
        Some(_) => Err(Error::validation(field, format!("must be an integer between {min} and {max}"))),
    }
}

pub fn bool(m: &Map<String, Value>, key: &str, field: &str) -> Result<Option<bool>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::validation(field, "must be a boolean")),
    }
}

/// A string or an array of strings (a single string is a list of one).
pub fn strings(m: &Map<String, Value>, key: &str, field: &str) -> Result<Vec<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string).ok_or_else(|| Error::validation(field, "must be an array of strings")))
            .collect(),
        Some(_) => Err(Error::validation(field, "must be an array of strings")),
    }
}

/// A date the API takes as an ISO 8601 string (a JS Date arrives here already stringified).
pub fn check_date(field: &str, s: &str) -> Result<()> {
    let b = s.as_bytes();
    let ok = b.len() >= 10 && b.len() <= 40 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5..7].iter().all(u8::is_ascii_digit) && b[7] == b'-' && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '));
    if ok { Ok(()) } else { Err(Error::validation(field, format!("{} is not an ISO 8601 date (2024-04-12 or 2024-04-12T10:00:00Z)", quoted(s)))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_and_picks() {
        assert_eq!(snake("availableForSubCommunities"), "available_for_sub_communities");
        assert_eq!(snake("alert_type_uuid"), "alert_type_uuid");
        let v = json!({"killChainPhases": [{"killChainName": "k", "phaseName": "p"}], "x": 1, "nil": null});
        let m = object(&v, "o").unwrap();
        let p = pick(&m, &[("killChainPhases", "kill_chain_phases"), ("nil", "nil"), ("missing", "m")]);
        assert_eq!(Value::Object(p), json!({"kill_chain_phases": [{"kill_chain_name": "k", "phase_name": "p"}]}));
        assert!(object(&json!(3), "o").is_err());
        assert!(integer(&m, "x", "x", 2, 5).is_err());
        assert_eq!(strings(&object(&json!({"a": "one"}), "").unwrap(), "a", "a").unwrap(), vec!["one"]);
        assert!(check_date("d", "2024-04-12T10:00:00.000Z").is_ok());
        assert!(check_date("d", "yesterday").is_err());
    }
}

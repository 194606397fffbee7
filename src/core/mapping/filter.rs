//! `filter_map` / `ignore` / `check_existence` feed filters (`Parser._keys_found`,
//! `Parser._keys_exist` and the loop in `parse_portion` / `get_iocs`).
//!
//! `filter_map` is taken as a JSON value with Python semantics: normally a list of
//! `[dot_path, values]` pairs. Every filter is evaluated for every feed (no short-circuit), so
//! an error in a later filter is raised even if an earlier one already rejected the feed.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::error::MappingError;
use super::pyobj::{py_contains, py_getitem, py_iter, truthy};

/// Compiled filter settings for one call.
#[derive(Debug, Clone, Copy)]
pub(super) struct Filters<'o> {
    pub filter_map: Option<&'o Value>,
    pub ignore: bool,
    pub check_existence: bool,
}

/// `for k in keys_road: feed = feed.get(k, {})`.
fn walk<'a>(feed: &'a Value, road: &str, empty: &'a Value) -> Result<&'a Value, MappingError> {
    let mut cur = feed;
    for k in road.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(k).unwrap_or(empty),
            other => return Err(MappingError::no_attr(other, "get")),
        };
    }
    Ok(cur)
}

impl<'o> Filters<'o> {
    /// `true` if the feed is kept.
    pub fn keep(&self, feed: &Value) -> Result<bool, MappingError> {
        let fm = match self.filter_map {
            Some(v) if truthy(v) => v,
            _ => return Ok(true),
        };
        let empty = Value::Object(Map::new());
        let mut skip = false;
        for filter in py_iter(fm)? {
            let road: Cow<'_, Value> = py_getitem(&filter, 0)?;
            let road = match road.as_ref() {
                Value::String(s) => s.clone(),
                other => return Err(MappingError::no_attr(other, "split")),
            };
            let check = py_getitem(&filter, 1)?;
            if self.ignore {
                if keys_found(feed, &road, &check, &empty)? {
                    skip = true;
                }
            } else if self.check_existence {
                if !truthy(walk(feed, &road, &empty)?) {
                    skip = true;
                }
            } else if !keys_found(feed, &road, &check, &empty)? {
                skip = true;
            }
        }
        Ok(!skip)
    }
}

/// `Parser._keys_found`.
fn keys_found(feed: &Value, road: &str, check: &Value, empty: &Value) -> Result<bool, MappingError> {
    let v = walk(feed, road, empty)?;
    if v.is_array() {
        return Err(MappingError::FilterValueIsList);
    }
    if truthy(check) {
        return py_contains(check, v);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modes() {
        let fm = json!([["type", ["ip"]]]);
        let accept = Filters { filter_map: Some(&fm), ignore: false, check_existence: false };
        let ignore = Filters { ignore: true, ..accept };
        assert!(accept.keep(&json!({"type": "ip"})).unwrap());
        assert!(!accept.keep(&json!({"type": "domain"})).unwrap());
        assert!(!ignore.keep(&json!({"type": "ip"})).unwrap());
        let fm2 = json!([["meta.src", []]]);
        let exist = Filters { filter_map: Some(&fm2), ignore: false, check_existence: true };
        assert!(exist.keep(&json!({"meta": {"src": "a"}})).unwrap());
        assert!(!exist.keep(&json!({"meta": {"src": ""}})).unwrap());
        assert!(!exist.keep(&json!({})).unwrap());
    }

    #[test]
    fn errors_and_python_shapes() {
        let fm = json!([["l", ["1"]]]);
        let f = Filters { filter_map: Some(&fm), ignore: false, check_existence: false };
        assert_eq!(f.keep(&json!({"l": [1]})).unwrap_err().to_string(), "Value to check should be String not List.");
        let fm = json!([["n.x", ["1"]]]);
        let f = Filters { filter_map: Some(&fm), ..f };
        assert_eq!(f.keep(&json!({"n": null})).unwrap_err().to_string(), "'NoneType' object has no attribute 'get'");
        let fm = json!([["t", "ipv4"]]); // substring semantics of `in <str>`
        let f = Filters { filter_map: Some(&fm), ..f };
        assert!(f.keep(&json!({"t": "ip"})).unwrap());
        let fm = json!([["t"]]);
        let f = Filters { filter_map: Some(&fm), ..f };
        assert_eq!(f.keep(&json!({})).unwrap_err().to_string(), "list index out of range");
        let fm = json!(5);
        let f = Filters { filter_map: Some(&fm), ..f };
        assert_eq!(f.keep(&json!({})).unwrap_err().to_string(), "'int' object is not iterable");
        // every filter is evaluated even after a rejection
        let fm = json!([["t", ["x"]], ["l", ["1"]]]);
        let f = Filters { filter_map: Some(&fm), ..f };
        assert!(f.keep(&json!({"t": "y", "l": [1]})).is_err());
    }
}

//! Dot-path lookup: `ParserHelper.find_element_by_key(obj, "a.b.c")`.
//!
//! Algorithm (identical to the reference): split the path at the first `.`; on the last
//! segment a list maps `e.get(head)` over its elements, a dict gives `obj.get(head)` (missing →
//! `null`) and anything else is returned unchanged; on an inner segment a list maps the
//! recursive lookup of `e.get(head)` over its elements, a dict recurses into `obj.get(head)`
//! and a scalar/`null` is returned unchanged. Mapping `.get` over a non-dict element raises
//! `AttributeError`. Every list level on the path therefore adds one nesting level.
//!
//! The result is a borrowed tree ([`Found`]) so `get_iocs` does not clone subtrees; call
//! [`Found::to_value`] to materialise it.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::error::MappingError;
use super::MAX_DEPTH;

pub(super) static NULL: Value = Value::Null;

/// Result of a path lookup: either a reference into the input (scalar, dict, data list or
/// `null`) or a list built by mapping over a data list.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    /// A value taken from the input as is (`null` for missing keys).
    Ref(&'a Value),
    /// A list produced by mapping the rest of the path over a list.
    List(Vec<Found<'a>>),
}

impl<'a> Found<'a> {
    /// Clones the result into an owned JSON value.
    pub fn to_value(&self) -> Value {
        match self {
            Found::Ref(v) => (*v).clone(),
            Found::List(items) => Value::Array(items.iter().map(Found::to_value).collect()),
        }
    }

    /// Converts to a `Value`, borrowing when possible.
    pub fn into_cow(self) -> Cow<'a, Value> {
        match self {
            Found::Ref(v) => Cow::Borrowed(v),
            other => Cow::Owned(other.to_value()),
        }
    }

    /// `isinstance(x, list)`.
    pub fn is_list(&self) -> bool {
        matches!(self, Found::List(_) | Found::Ref(Value::Array(_)))
    }

    /// Number of elements if this is a list.
    pub fn list_len(&self) -> Option<usize> {
        match self {
            Found::List(v) => Some(v.len()),
            Found::Ref(Value::Array(a)) => Some(a.len()),
            _ => None,
        }
    }

    /// Element `i` if this is a list and `i` is in range.
    pub fn list_get(&self, i: usize) -> Option<Found<'a>> {
        match self {
            Found::List(v) => v.get(i).cloned(),
            Found::Ref(Value::Array(a)) => a.get(i).map(Found::Ref),
            _ => None,
        }
    }

    /// Elements as `Value`s (borrowed when they come from the input).
    pub fn list_items(self) -> Option<Vec<Cow<'a, Value>>> {
        match self {
            Found::List(v) => Some(v.into_iter().map(Found::into_cow).collect()),
            Found::Ref(Value::Array(a)) => Some(a.iter().map(Cow::Borrowed).collect()),
            _ => None,
        }
    }
}

/// `dict.get(key)`: a linear scan for small dicts (typical feed objects) is faster than
/// hashing the key with SipHash; large dicts use the map's index.
#[inline]
pub(super) fn dict_get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if m.len() <= 24 {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

fn get_from_element<'a>(e: &'a Value, head: &str) -> Result<&'a Value, MappingError> {
    match e {
        Value::Object(m) => Ok(dict_get(m, head).unwrap_or(&NULL)),
        other => Err(MappingError::no_attr(other, "get")),
    }
}

fn lookup_rec<'a>(obj: &'a Value, path: &str, depth: usize) -> Result<Found<'a>, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match path.split_once('.') {
        None => match obj {
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a {
                    out.push(Found::Ref(get_from_element(e, path)?));
                }
                Ok(Found::List(out))
            }
            Value::Object(m) => Ok(Found::Ref(dict_get(m, path).unwrap_or(&NULL))),
            other => Ok(Found::Ref(other)),
        },
        Some((head, rest)) => match obj {
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a {
                    let next = get_from_element(e, head)?;
                    out.push(lookup_rec(next, rest, depth + 1)?);
                }
                Ok(Found::List(out))
            }
            Value::Object(m) => lookup_rec(dict_get(m, head).unwrap_or(&NULL), rest, depth + 1),
            other => Ok(Found::Ref(other)),
        },
    }
}

/// Looks `path` up in `obj`, borrowing from `obj`.
pub fn lookup<'a>(obj: &'a Value, path: &str) -> Result<Found<'a>, MappingError> {
    lookup_rec(obj, path, 0)
}

fn lookup_owned_rec(obj: &Value, path: &str, depth: usize) -> Result<Value, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match path.split_once('.') {
        None => match obj {
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a {
                    out.push(get_from_element(e, path)?.clone());
                }
                Ok(Value::Array(out))
            }
            Value::Object(m) => Ok(dict_get(m, path).cloned().unwrap_or(Value::Null)),
            other => Ok(other.clone()),
        },
        Some((head, rest)) => match obj {
            Value::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a {
                    let next = get_from_element(e, head)?;
                    out.push(lookup_owned_rec(next, rest, depth + 1)?);
                }
                Ok(Value::Array(out))
            }
            Value::Object(m) => lookup_owned_rec(dict_get(m, head).unwrap_or(&NULL), rest, depth + 1),
            other => Ok(other.clone()),
        },
    }
}

/// Same as [`lookup`] but builds the owned result directly (no intermediate tree).
pub fn lookup_owned(obj: &Value, path: &str) -> Result<Value, MappingError> {
    lookup_owned_rec(obj, path, 0)
}

/// `find_element_by_key(obj, key)` with a Python-typed key: a non-string key raises
/// `AttributeError: '<type>' object has no attribute 'split'` like the reference.
pub(super) fn lookup_value_key<'a>(obj: &'a Value, key: &Value) -> Result<Found<'a>, MappingError> {
    match key {
        Value::String(s) => lookup(obj, s),
        other => Err(MappingError::no_attr(other, "split")),
    }
}

/// `ParserHelper.find_element_by_key(obj, key)` returning an owned value.
pub fn find_element_by_key(obj: &Value, key: &str) -> Result<Value, MappingError> {
    lookup_owned(obj, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spec_examples() {
        let d = json!({"a":[{"b":[{"c":1},{"c":2}]},{"b":[{"c":3}]},{"b":[]}]});
        assert_eq!(find_element_by_key(&d, "a.b.c").unwrap(), json!([[1, 2], [3], []]));
        assert_eq!(find_element_by_key(&json!({"a": "x"}), "a.b.c").unwrap(), json!("x"));
        assert_eq!(find_element_by_key(&json!({"a": null}), "a.b.c").unwrap(), json!(null));
        assert_eq!(find_element_by_key(&json!({"a": {}}), "a.b").unwrap(), json!(null));
        assert_eq!(find_element_by_key(&json!({"a": []}), "a.b").unwrap(), json!([]));
        let d = json!({"a.b": 1, "a": {"": {"b": 2}}, "": 3});
        assert_eq!(find_element_by_key(&d, "a.b").unwrap(), json!(null));
        assert_eq!(find_element_by_key(&d, "a..b").unwrap(), json!(2));
        assert_eq!(find_element_by_key(&d, "a.").unwrap(), json!({"b": 2}));
        assert_eq!(find_element_by_key(&d, "").unwrap(), json!(3));
        assert_eq!(find_element_by_key(&json!(5), "x.y").unwrap(), json!(5));
    }

    #[test]
    fn borrowed_and_owned_lookups_agree() {
        let d = json!({"a":[{"b":[{"c":1},{"c":2}]},{"b":[{"c":3}]},{"b":[]}], "s": "x", "": {"": 4}});
        for p in ["a.b.c", "a.b", "a", "s.x.y", "", ".", "..", "a.b.c.d", "zz.y"] {
            assert_eq!(lookup(&d, p).unwrap().to_value(), lookup_owned(&d, p).unwrap(), "{p}");
        }
    }

    #[test]
    fn errors() {
        let e = find_element_by_key(&json!({"a": [null, {"b": 1}]}), "a.b").unwrap_err();
        assert_eq!((e.python_type(), e.to_string().as_str()), ("AttributeError", "'NoneType' object has no attribute 'get'"));
        let e = find_element_by_key(&json!({"a": [[{"b": 1}]]}), "a.b.c").unwrap_err();
        assert_eq!(e.to_string(), "'list' object has no attribute 'get'");
        let e = find_element_by_key(&json!({"a": [1.5]}), "a.b").unwrap_err();
        assert_eq!(e.to_string(), "'float' object has no attribute 'get'");
    }
}

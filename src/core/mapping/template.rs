//! Mapping templates: `ParserHelper.find_by_template` (default, mutating) and
//! `AlternativeParserHelper.find_by_template` (non-mutating), plus `Validator.validate_set_keys_input`.

use serde_json::{Map, Value};

use super::error::MappingError;
use super::path::{lookup, lookup_owned, lookup_value_key, Found, NULL};
use super::pyobj::{parse_py_int, py_contains, py_str, truthy, type_name, PyInt};
use super::MAX_DEPTH;

/// Template marker for list mode.
pub const NESTED_LIST_MARKER: &str = "__nested_dot_path_to_list";
/// Template marker for string concatenation.
pub const CONCATENATE_MARKER: &str = "__concatenate";

/// Per-call switches of the template walkers.
#[derive(Debug, Clone, Copy)]
pub(super) struct TemplateCtx<'o> {
    /// `use_join_to_end_list` (alternative parser only).
    pub join: bool,
    /// `except_keys` (alternative parser only).
    pub except_keys: Option<&'o Value>,
    /// Extension: do not pop `__nested_dot_path_to_list` from the template (default parser).
    pub keep_template: bool,
}

/// `Validator.validate_set_keys_input`: nested dicts whose leaves are strings.
pub(super) fn validate_template(keys: &Value, depth: usize) -> Result<(), MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match keys {
        Value::Object(m) => {
            for v in m.values() {
                validate_template(v, depth + 1)?;
            }
            Ok(())
        }
        Value::String(_) => Ok(()),
        _ => Err(MappingError::InvalidTemplate),
    }
}

/// `Validator.validate_set_iocs_keys_input`: flat dict of strings.
pub(super) fn validate_ioc_keys(keys: &Value) -> Result<(), MappingError> {
    match keys {
        Value::Object(m) => {
            if m.values().all(Value::is_string) {
                Ok(())
            } else {
                Err(MappingError::IocPathNotString)
            }
        }
        _ => Err(MappingError::IocKeysNotDict),
    }
}

/// `"#path[n]"`: `value[1:-1].split("[")` → `(path, n)`; index the lookup result if it is a
/// list with `len > n` (Python indexing, negatives count from the end), else `null`.
fn hash_rule(feed: &Value, s: &str) -> Result<Value, MappingError> {
    // value[1:-1]: drop the leading '#' (1 byte) and the last character, whatever it is.
    let after = &s[1..];
    let inner = match after.char_indices().last() {
        Some((i, _)) => &after[..i],
        None => "",
    };
    let (path, num) = match inner.split_once('[') {
        None => return Err(MappingError::UnpackTooFew { got: 1 }),
        Some((_, rest)) if rest.contains('[') => return Err(MappingError::UnpackTooMany),
        Some(p) => p,
    };
    let found = lookup(feed, path)?;
    let len = match found.list_len() {
        Some(l) => l as i128,
        None => return Ok(Value::Null),
    };
    let idx = match parse_py_int(num)? {
        PyInt::HugePositive => return Ok(Value::Null),
        PyInt::HugeNegative => return Err(MappingError::IndexTooLarge),
        PyInt::Small(n) => {
            if len <= n {
                return Ok(Value::Null);
            }
            if n >= 0 {
                n
            } else if n < i128::from(i64::MIN) {
                return Err(MappingError::IndexTooLarge);
            } else if len + n < 0 {
                return Err(MappingError::ListIndexOutOfRange);
            } else {
                len + n
            }
        }
    };
    let idx = usize::try_from(idx).map_err(|_| MappingError::ListIndexOutOfRange)?;
    Ok(found.list_get(idx).map(|f| f.to_value()).unwrap_or(Value::Null))
}

/// String template value shared by both parsers (`*literal`, `#path[n]`, plain path).
fn string_rule(feed: &Value, s: &str) -> Result<Value, MappingError> {
    if let Some(rest) = s.strip_prefix('*') {
        Ok(Value::String(rest.to_string()))
    } else if s.starts_with('#') {
        hash_rule(feed, s)
    } else {
        lookup_owned(feed, s)
    }
}

fn template_map(keys: &mut Value) -> Result<&mut Map<String, Value>, MappingError> {
    match keys {
        Value::Object(m) => Ok(m),
        other => Err(MappingError::NoAttribute { type_name: type_name(other), attr: "items" }),
    }
}

/// `ParserHelper.find_by_template`. Mutates `keys` exactly like the reference: a nested dict in
/// list mode loses its `__nested_dot_path_to_list` key on first use (unless `keep_template`).
///
/// The recursive functions keep their own frames small (branch bodies live in
/// `#[inline(never)]` helpers) so that [`MAX_DEPTH`] levels fit comfortably in a 1 MiB stack
/// even in unoptimised builds.
pub(super) fn default_template(
    feed: &Value,
    keys: &mut Value,
    ctx: &TemplateCtx<'_>,
    depth: usize,
    skip_marker: bool,
) -> Result<Map<String, Value>, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    let map = template_map(keys)?;
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map.iter_mut() {
        if skip_marker && key == NESTED_LIST_MARKER {
            continue;
        }
        let produced = match value {
            Value::String(s) => Some(string_rule(feed, s)?),
            Value::Object(_) => default_dict_entry(feed, value, ctx, depth)?,
            _ => None,
        };
        if let Some(v) = produced {
            out.insert(key.clone(), v);
        }
    }
    Ok(out)
}

enum DictMode {
    List(Value),
    Concat,
    Nested,
}

fn dict_mode(d: &Map<String, Value>) -> DictMode {
    if let Some(marker) = d.get(NESTED_LIST_MARKER).filter(|m| truthy(m)) {
        DictMode::List(marker.clone())
    } else if d.get(CONCATENATE_MARKER).is_some_and(truthy) {
        DictMode::Concat
    } else {
        DictMode::Nested
    }
}

/// A dict value of the default template; `None` = key omitted.
#[inline(never)]
fn default_dict_entry(
    feed: &Value,
    value: &mut Value,
    ctx: &TemplateCtx<'_>,
    depth: usize,
) -> Result<Option<Value>, MappingError> {
    let mode = match value {
        Value::Object(d) => dict_mode(d),
        _ => return Ok(None),
    };
    match mode {
        DictMode::List(marker) => default_list_mode(feed, value, &marker, ctx, depth),
        DictMode::Concat => default_concat(feed, value).map(Some),
        DictMode::Nested => Ok(Some(Value::Object(default_template(feed, value, ctx, depth + 1, false)?))),
    }
}

#[inline(never)]
fn default_list_mode(
    feed: &Value,
    value: &mut Value,
    marker: &Value,
    ctx: &TemplateCtx<'_>,
    depth: usize,
) -> Result<Option<Value>, MappingError> {
    let found = lookup_value_key(feed, marker)?;
    if !ctx.keep_template {
        if let Value::Object(d) = value {
            d.shift_remove(NESTED_LIST_MARKER);
        }
    }
    match found.list_items() {
        Some(items) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                list.push(Value::Object(default_template(&item, value, ctx, depth + 1, ctx.keep_template)?));
            }
            Ok(Some(Value::Array(list)))
        }
        None => Ok(None),
    }
}

/// `str(static) + str(find_element_by_key(feed, dynamic))`.
#[inline(never)]
fn default_concat(feed: &Value, value: &Value) -> Result<Value, MappingError> {
    let cv = value.get(CONCATENATE_MARKER).unwrap_or(&NULL);
    let cm = match cv {
        Value::Object(cm) => cm,
        other => return Err(MappingError::no_attr(other, "get")),
    };
    let mut s = py_str(cm.get("static").unwrap_or(&NULL))?;
    let found = lookup_value_key(feed, cm.get("dynamic").unwrap_or(&NULL))?;
    s.push_str(&py_str(&found.to_value())?);
    Ok(Value::String(s))
}

fn join_list(found: Found<'_>) -> Result<Value, MappingError> {
    let items = found.list_items().unwrap_or_default();
    let mut s = String::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_ref() {
            Value::String(x) => {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(x);
            }
            other => return Err(MappingError::JoinItemNotStr { index: i, type_name: type_name(other) }),
        }
    }
    Ok(Value::String(s))
}

/// `AlternativeParserHelper.find_by_template` (never mutates the template).
pub(super) fn alternative_template(
    feed: &Value,
    keys: &Value,
    ctx: &TemplateCtx<'_>,
    depth: usize,
) -> Result<Map<String, Value>, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    let map = match keys {
        Value::Object(m) => m,
        other => return Err(MappingError::NoAttribute { type_name: type_name(other), attr: "items" }),
    };
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map.iter() {
        let produced = match value {
            Value::String(s) => {
                if key == NESTED_LIST_MARKER {
                    None
                } else {
                    Some(alternative_string(feed, key, s, ctx)?)
                }
            }
            Value::Object(d) => match dict_mode(d) {
                DictMode::List(marker) => alternative_list_mode(feed, value, &marker, ctx, depth)?,
                DictMode::Concat => Some(alternative_concat(feed, value)?),
                DictMode::Nested => Some(Value::Object(alternative_template(feed, value, ctx, depth + 1)?)),
            },
            _ => None,
        };
        if let Some(v) = produced {
            out.insert(key.clone(), v);
        }
    }
    Ok(out)
}

#[inline(never)]
fn alternative_string(feed: &Value, key: &str, s: &str, ctx: &TemplateCtx<'_>) -> Result<Value, MappingError> {
    if s.starts_with('*') || s.starts_with('#') {
        return string_rule(feed, s);
    }
    let found = lookup(feed, s)?;
    if ctx.join && found.is_list() {
        let keep = match ctx.except_keys {
            Some(ek) if truthy(ek) => py_contains(ek, &Value::String(key.to_string()))?,
            _ => false,
        };
        if keep {
            Ok(found.to_value())
        } else {
            join_list(found)
        }
    } else {
        Ok(found.to_value())
    }
}

#[inline(never)]
fn alternative_list_mode(
    feed: &Value,
    value: &Value,
    marker: &Value,
    ctx: &TemplateCtx<'_>,
    depth: usize,
) -> Result<Option<Value>, MappingError> {
    let found = lookup_value_key(feed, marker)?;
    match found {
        Found::Ref(obj @ Value::Object(_)) => {
            let one = alternative_template(obj, value, ctx, depth + 1)?;
            Ok(Some(Value::Array(vec![Value::Object(one)])))
        }
        other => match other.list_items() {
            Some(items) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(Value::Object(alternative_template(&item, value, ctx, depth + 1)?));
                }
                Ok(Some(Value::Array(list)))
            }
            None => Ok(None),
        },
    }
}

/// `{"__": desc, "static": s, "dynamic": d, "result": str(s) + d.replace(".", "/")}` or `{}`.
#[inline(never)]
fn alternative_concat(feed: &Value, value: &Value) -> Result<Value, MappingError> {
    let cv = value.get(CONCATENATE_MARKER).unwrap_or(&NULL);
    let cm = match cv {
        Value::Object(cm) => cm,
        other => return Err(MappingError::no_attr(other, "get")),
    };
    let description = cm.get("__").cloned().unwrap_or_else(|| Value::String(String::new()));
    let stat = cm.get("static").cloned().unwrap_or(Value::Null);
    let dynamic = lookup_value_key(feed, cm.get("dynamic").unwrap_or(&NULL))?.to_value();
    if !truthy(&dynamic) {
        return Ok(Value::Object(Map::new()));
    }
    let slashed = match &dynamic {
        Value::String(x) => x.replace('.', "/"),
        other => return Err(MappingError::no_attr(other, "split")),
    };
    let mut result = py_str(&stat)?;
    result.push_str(&slashed);
    let mut obj = Map::new();
    obj.insert("__".into(), description);
    obj.insert("static".into(), stat);
    obj.insert("dynamic".into(), dynamic);
    obj.insert("result".into(), Value::String(result));
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> TemplateCtx<'static> {
        TemplateCtx { join: false, except_keys: None, keep_template: false }
    }

    #[test]
    fn hash_rules() {
        let feed = json!({"l": [1, 2, 3], "e": [], "s": "abc"});
        let mut t = json!({"a": "#l[0]", "b": "#l[-1]", "c": "#l[3]", "d": "#s[0]", "f": "#l[ 1 ]",
                           "g": "#l[99999999999999999999999999999999999999999]", "h": "#x[zz]", "i": "#l[1)"});
        let out = default_template(&feed, &mut t, &ctx(), 0, false).unwrap();
        assert_eq!(Value::Object(out), json!({"a": 1, "b": 3, "c": null, "d": null, "f": 2, "g": null, "h": null, "i": 2}));
        for (tpl, msg) in [
            ("#e[-1]", "list index out of range"),
            ("#l[-4]", "list index out of range"),
            ("#l[-99999999999999999999]", "cannot fit 'int' into an index-sized integer"),
            ("#l", "not enough values to unpack (expected 2, got 1)"),
            ("#", "not enough values to unpack (expected 2, got 1)"),
            ("#l[[0]", "too many values to unpack (expected 2)"),
            ("#l[x]", "invalid literal for int() with base 10: 'x'"),
        ] {
            let mut t = json!({ "k": tpl });
            let e = default_template(&feed, &mut t, &ctx(), 0, false).unwrap_err();
            assert_eq!(e.to_string(), msg, "{tpl}");
        }
        // multibyte last char is dropped as one character
        let mut t = json!({"k": "#l[1]é"});
        assert!(default_template(&feed, &mut t, &ctx(), 0, false).is_err());
        let mut t = json!({"k": "#l[1é"});
        assert_eq!(Value::Object(default_template(&feed, &mut t, &ctx(), 0, false).unwrap()), json!({"k": 2}));
    }

    #[test]
    fn keep_template_extension_expands_every_feed() {
        let mut t = json!({"x": {"__nested_dot_path_to_list": "l", "v": "v"}});
        let c = TemplateCtx { keep_template: true, ..ctx() };
        for feed in [json!({"l": [{"v": 1}]}), json!({"l": [{"v": 2}, {"v": 3}]})] {
            let out = default_template(&feed, &mut t, &c, 0, false).unwrap();
            assert!(out["x"].is_array());
        }
        assert_eq!(t, json!({"x": {"__nested_dot_path_to_list": "l", "v": "v"}}));
    }

    #[test]
    fn alternative_join() {
        let feed = json!({"a": ["x", "y"], "b": ["p", 1]});
        let ek = json!(["keep"]);
        let c = TemplateCtx { join: true, except_keys: Some(&ek), keep_template: false };
        let out = alternative_template(&feed, &json!({"a": "a", "keep": "a"}), &c, 0).unwrap();
        assert_eq!(Value::Object(out), json!({"a": "x,y", "keep": ["x", "y"]}));
        let e = alternative_template(&feed, &json!({"b": "b"}), &c, 0).unwrap_err();
        assert_eq!(e.to_string(), "sequence item 1: expected str instance, int found");
    }
}

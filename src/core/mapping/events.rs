//! `parse_events=True` response rebuilding of the TI generators (groupib.md §7), for the group
//! collections (`compromised/account_group`, `compromised/bank_card_group`,
//! `attacks/phishing_group`). Pure function; the generator decides when to apply it.

use serde_json::{Map, Value};

use super::error::MappingError;
use super::pyobj::{py_iter, truthy};

/// Which cursor the rebuilt envelope keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsCursor {
    /// Update generator: `{count, seqUpdate, items}`.
    SeqUpdate,
    /// Search generator: `{count, resultId, items}`.
    ResultId,
}

/// Rebuilds `chunk` as the reference does: `{count, seqUpdate|resultId, items}` (other envelope
/// keys dropped, missing ones become `null`); every item with a truthy `events` becomes one
/// shallow copy per event with `events: [event]` (key position kept); other items are kept.
///
/// Errors like the reference: non-dict chunk or item → `AttributeError`, missing `items` →
/// `KeyError: 'items'`, non-iterable `items`/`events` → `TypeError`.
pub fn expand_events(chunk: &Value, cursor: EventsCursor) -> Result<Value, MappingError> {
    let m = match chunk {
        Value::Object(m) => m,
        other => return Err(MappingError::no_attr(other, "get")),
    };
    let cursor_key = match cursor {
        EventsCursor::SeqUpdate => "seqUpdate",
        EventsCursor::ResultId => "resultId",
    };
    let mut out = Map::new();
    out.insert("count".into(), m.get("count").cloned().unwrap_or(Value::Null));
    out.insert(cursor_key.into(), m.get(cursor_key).cloned().unwrap_or(Value::Null));
    let items = m.get("items").ok_or_else(|| MappingError::KeyMissing { repr: "'items'".into() })?;
    let mut expanded = Vec::new();
    for item in py_iter(items)? {
        let im = match item.as_ref() {
            Value::Object(im) => im,
            other => return Err(MappingError::no_attr(other, "get")),
        };
        match im.get("events") {
            Some(events) if truthy(events) => {
                for event in py_iter(events)? {
                    let mut copy = im.clone();
                    copy.insert("events".into(), Value::Array(vec![event.into_owned()]));
                    expanded.push(Value::Object(copy));
                }
            }
            _ => expanded.push(item.into_owned()),
        }
    }
    out.insert("items".into(), Value::Array(expanded));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expands_events() {
        let chunk = json!({"count": 7, "seqUpdate": 5, "extra": 1, "items": [
            {"id": 1, "events": [{"e": 1}, {"e": 2}], "z": 0}, {"id": 2, "events": []}, {"id": 3}]});
        let out = expand_events(&chunk, EventsCursor::SeqUpdate).unwrap();
        assert_eq!(
            super::super::to_python_json(&out).unwrap(),
            r#"{"count": 7, "seqUpdate": 5, "items": [{"id": 1, "events": [{"e": 1}], "z": 0}, {"id": 1, "events": [{"e": 2}], "z": 0}, {"id": 2, "events": []}, {"id": 3}]}"#
        );
        let out = expand_events(&json!({"items": []}), EventsCursor::ResultId).unwrap();
        assert_eq!(out, json!({"count": null, "resultId": null, "items": []}));
        assert_eq!(expand_events(&json!({}), EventsCursor::ResultId).unwrap_err().to_string(), "'items'");
        assert_eq!(expand_events(&json!({"items": null}), EventsCursor::ResultId).unwrap_err().to_string(), "'NoneType' object is not iterable");
        assert_eq!(expand_events(&json!({"items": [{"events": 5}]}), EventsCursor::ResultId).unwrap_err().to_string(), "'int' object is not iterable");
    }
}

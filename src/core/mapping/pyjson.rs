//! Python `json.dumps(obj)` with default arguments.
//!
//! Separators `", "` and `": "`, `ensure_ascii=True` (every char outside `' '..='~'` becomes
//! `\uXXXX` in lowercase hex, astral characters as surrogate pairs), keys in insertion order,
//! ints exact, floats as Python `repr` (`1e-07`, `1e+21`, `1.0`), non-finite floats as
//! `Infinity`/`-Infinity`/`NaN` (`allow_nan=True`).

use std::fmt::Write as _;

use serde_json::Value;

use super::error::MappingError;
use super::pyobj::{classify, float_repr, int_repr, Num};
use super::MAX_DEPTH;

/// Serialises `v` exactly like CPython's `json.dumps(v)`.
///
/// Fails only with [`MappingError::RecursionLimit`] for values nested deeper than
/// [`MAX_DEPTH`].
pub fn to_python_json(v: &Value) -> Result<String, MappingError> {
    let mut out = String::with_capacity(128);
    write_value(v, &mut out, 0)?;
    Ok(out)
}

/// Appends a JSON string literal with Python's `ensure_ascii` escaping.
pub(super) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf).iter() {
                    let _ = write!(out, "\\u{:04x}", unit);
                }
            }
        }
    }
    out.push('"');
}

fn write_value(v: &Value, out: &mut String, depth: usize) -> Result<(), MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => match classify(n) {
            Num::Float(f) if f.is_nan() => out.push_str("NaN"),
            Num::Float(f) if f.is_infinite() => out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" }),
            Num::Float(f) => out.push_str(&float_repr(f)),
            other => out.push_str(&int_repr(&other)),
        },
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(e, out, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(k, out);
                out.push_str(": ");
                write_value(e, out, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_default_formatting() {
        let v = json!({"a": [1, 1.5, 1e-7, 1e21, 1.0, -0.0, null, true, false], "é": "x\u{1F600}\u{7f}\"\\\n\u{1}", "n": {}});
        assert_eq!(
            to_python_json(&v).unwrap(),
            r#"{"a": [1, 1.5, 1e-07, 1e+21, 1.0, -0.0, null, true, false], "\u00e9": "x\ud83d\ude00\u007f\"\\\n\u0001", "n": {}}"#
        );
        assert_eq!(to_python_json(&json!([])).unwrap(), "[]");
        assert_eq!(to_python_json(&json!(9007199254740993u64)).unwrap(), "9007199254740993");
        assert_eq!(to_python_json(&json!(-9223372036854775808i64)).unwrap(), "-9223372036854775808");
    }

    #[test]
    fn deep_value_is_an_error_not_a_crash() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH + 5) {
            v = Value::Array(vec![v]);
        }
        assert_eq!(to_python_json(&v).unwrap_err(), MappingError::RecursionLimit);
        // iterative drop to avoid deep recursion in Drop on small test stacks
        let mut cur = v;
        while let Value::Array(mut a) = cur {
            cur = a.pop().unwrap_or(Value::Null);
        }
    }
}

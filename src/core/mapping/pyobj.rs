//! Python object-model semantics over `serde_json::Value`.
//!
//! JSON values are read the way CPython's `json.loads` would produce them: `null`→`None`,
//! `true`/`false`→`bool`, a number without `.`/`e`/`E`→`int` (arbitrary precision),
//! otherwise `float`; arrays→`list`, objects→`dict` (insertion order). This module provides
//! the few Python operations the reference parser uses on them: type names, truthiness,
//! `==` (with `1 == 1.0 == True`), `str()`/`repr()`, `int(str)`, `in`, iteration and `[i]`.

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::error::MappingError;
use super::MAX_DEPTH;

/// A Python number (bools included) as read from JSON.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Num {
    /// Any integer that fits in an `i128`.
    Int(i128),
    /// An integer outside the `i128` range (only reachable with serde_json's
    /// `arbitrary_precision`): sign and decimal digits without leading zeros.
    Big { neg: bool, digits: String },
    /// A float.
    Float(f64),
}

/// Classifies a JSON number as Python `int` or `float` from its text (serde_json's
/// `arbitrary_precision` keeps it): no `.`/`e` → int of any size, else `float(text)` (`1e400` → inf).
pub(super) fn classify(n: &Number) -> Num {
    let s = n.as_str();
    if s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return Num::Float(super::pyfloat::parse(s));
    }
    if let Some(i) = n.as_i64() {
        return Num::Int(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Num::Int(i128::from(u));
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let body = body.trim_start_matches('0');
    if body.is_empty() {
        return Num::Int(0);
    }
    if body.len() <= 38 {
        if let Ok(v) = body.parse::<i128>() {
            return Num::Int(if neg { -v } else { v });
        }
    }
    Num::Big { neg, digits: body.to_string() }
}

/// `bool`/number as a Python number; `None` for other types.
pub(super) fn num_of(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Int(i128::from(*b))),
        Value::Number(n) => Some(classify(n)),
        _ => None,
    }
}

/// Python `type(x).__name__`.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) => match classify(n) {
            Num::Float(_) => "float",
            _ => "int",
        },
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python `bool(x)`.
pub(super) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => match classify(n) {
            Num::Int(i) => i != 0,
            Num::Big { .. } => true,
            Num::Float(f) => f != 0.0,
        },
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

// ------------------------------------------------------------------------------------------
// equality
// ------------------------------------------------------------------------------------------

/// Exact decimal digits of an integral finite float (no sign, no leading zeros).
pub(super) fn integral_float_digits(f: f64) -> String {
    let f = f.abs();
    if f < 1e38 {
        return format!("{}", f as i128);
    }
    // f = mantissa * 2^exp with exp > 0: multiply a base-1e9 big number.
    let bits = f.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let shift = exp_bits - 1075; // f = mantissa * 2^shift, shift > 0 here
    let mut limbs: Vec<u64> = vec![mantissa % 1_000_000_000, (mantissa / 1_000_000_000) % 1_000_000_000, mantissa / 1_000_000_000_000_000_000];
    for _ in 0..shift.max(0) {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = *l * 2 + carry;
            *l = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut s = String::new();
    for (i, l) in limbs.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&l.to_string());
        } else {
            s.push_str(&format!("{:09}", l));
        }
    }
    s
}

fn int_float_eq(i: &Num, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    match i {
        Num::Int(i) => {
            if f.abs() < 1e38 {
                (f as i128) == *i
            } else {
                false
            }
        }
        Num::Big { neg, digits } => {
            (*neg == (f < 0.0)) && f.abs() >= 1e38 && integral_float_digits(f) == *digits
        }
        Num::Float(_) => false,
    }
}

/// Python `==` between two numbers.
pub(super) fn num_eq(a: &Num, b: &Num) -> bool {
    match (a, b) {
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Float(x), other) | (other, Num::Float(x)) => int_float_eq(other, *x),
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Big { neg: n1, digits: d1 }, Num::Big { neg: n2, digits: d2 }) => n1 == n2 && d1 == d2,
        _ => false,
    }
}

/// Python `a == b` for JSON values (deep; dict equality ignores order).
pub(super) fn py_eq(a: &Value, b: &Value, depth: usize) -> Result<bool, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    Ok(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                if !py_eq(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, p) in x.iter() {
                match y.get(k) {
                    Some(q) => {
                        if !py_eq(p, q, depth + 1)? {
                            return Ok(false);
                        }
                    }
                    None => return Ok(false),
                }
            }
            true
        }
        _ => match (num_of(a), num_of(b)) {
            (Some(x), Some(y)) => num_eq(&x, &y),
            _ => false,
        },
    })
}

// ------------------------------------------------------------------------------------------
// str() / repr()
// ------------------------------------------------------------------------------------------

/// Python `repr(float)` for finite values; `inf`, `-inf`, `nan` otherwise.
pub(super) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let (digits, exp) = super::pyfloat::shortest(f);
    let neg = f < 0.0;
    let decpt = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let d = decpt as usize;
        if d >= digits.len() {
            out.push_str(&digits);
            for _ in 0..(d - digits.len()) {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        }
    }
    out
}

/// Python `repr(int)` / `str(int)` of a number that is not a float.
pub(super) fn int_repr(n: &Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Big { neg, digits } => {
            if *neg {
                format!("-{digits}")
            } else {
                digits.clone()
            }
        }
        Num::Float(f) => float_repr(*f),
    }
}

/// Approximation of CPython's `str.isprintable()` for one non-ASCII character
/// (exact for Latin-1, format/separator characters and private use; unassigned
/// code points are treated as printable).
fn is_printable_non_ascii(c: char) -> bool {
    let u = c as u32;
    !matches!(u,
        0x80..=0xA0 | 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2
        | 0x1680 | 0x180E | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x2064
        | 0x2066..=0x206F | 0x3000 | 0xD800..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xFFFE | 0xFFFF | 0x110BD | 0x110CD | 0x13430..=0x13438 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F | 0xF0000..=0x10FFFF)
}

/// Python `repr(str)`.
pub(super) fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x7f => out.push(c),
            c if is_printable_non_ascii(c) => out.push(c),
            c => {
                let u = c as u32;
                if u <= 0xff {
                    out.push_str(&format!("\\x{:02x}", u));
                } else if u <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", u));
                } else {
                    out.push_str(&format!("\\U{:08x}", u));
                }
            }
        }
    }
    out.push(quote);
    out
}

fn write_py(v: &Value, out: &mut String, as_repr: bool, depth: usize) -> Result<(), MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&int_repr(&classify(n))),
        Value::String(s) => {
            if as_repr {
                out.push_str(&repr_str(s))
            } else {
                out.push_str(s)
            }
        }
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(e, out, true, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr_str(k));
                out.push_str(": ");
                write_py(e, out, true, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Python `str(x)`.
pub(super) fn py_str(v: &Value) -> Result<String, MappingError> {
    let mut out = String::new();
    write_py(v, &mut out, false, 0)?;
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// int(str)
// ------------------------------------------------------------------------------------------

/// Result of Python `int(s)` (base 10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PyInt {
    Small(i128),
    HugePositive,
    HugeNegative,
}

/// Zero code points of Unicode `Nd` blocks (Unicode 14, as CPython 3.11).
const ND_ZEROS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

fn decimal_value(c: char) -> Option<u8> {
    let u = c as u32;
    if c.is_ascii_digit() {
        return Some((u - 0x30) as u8);
    }
    if u < 0x80 {
        return None;
    }
    ND_ZEROS.iter().find(|z| u >= **z && u < **z + 10).map(|z| (u - z) as u8)
}


/// Python `int(s)` for a `str` argument (base 10, underscores, Unicode digits and spaces).
pub(super) fn parse_py_int(s: &str) -> Result<PyInt, MappingError> {
    let invalid = || MappingError::InvalidIntLiteral { repr: repr_str(s) };
    // _PyUnicode_TransformDecimalAndSpaceToASCII (ASCII kept, Unicode spaces → ' ', Unicode
    // digits → ASCII), then PyLong_FromString strips C-locale spaces (" \t\n\v\f\r").
    let mut t: Vec<u8> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 127 {
            t.push(c as u8);
        } else if c.is_whitespace() {
            t.push(b' ');
        } else if let Some(d) = decimal_value(c) {
            t.push(b'0' + d);
        } else {
            t.push(b'?');
        }
    }
    let is_c_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut start = 0;
    let mut end = t.len();
    while start < end && is_c_space(t[start]) {
        start += 1;
    }
    while end > start && is_c_space(t[end - 1]) {
        end -= 1;
    }
    let body = &t[start..end];
    let (neg, body) = match body.first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if body.first().is_none_or(|b| !b.is_ascii_digit()) {
        return Err(invalid());
    }
    // Scan digits and single underscores (CPython long_from_non_binary_base), then apply the
    // digit limit, then reject trailing garbage — in that order.
    let mut digits: Vec<u8> = Vec::with_capacity(body.len());
    let mut prev_underscore = false;
    let mut scanned = 0;
    for &b in body {
        if b == b'_' {
            if prev_underscore {
                return Err(invalid());
            }
            prev_underscore = true;
        } else if b.is_ascii_digit() {
            digits.push(b);
            prev_underscore = false;
        } else {
            break;
        }
        scanned += 1;
    }
    if prev_underscore {
        return Err(invalid());
    }
    if digits.len() > 4300 {
        return Err(MappingError::IntTooManyDigits { digits: digits.len() });
    }
    if scanned != body.len() {
        return Err(invalid());
    }
    let first_nz = digits.iter().position(|d| *d != b'0').unwrap_or(digits.len());
    let sig = &digits[first_nz..];
    if sig.len() > 38 {
        return Ok(if neg { PyInt::HugeNegative } else { PyInt::HugePositive });
    }
    let mut v: i128 = 0;
    for d in sig {
        v = v * 10 + i128::from(d - b'0');
    }
    Ok(PyInt::Small(if neg { -v } else { v }))
}

// ------------------------------------------------------------------------------------------
// iteration, indexing, membership
// ------------------------------------------------------------------------------------------

/// Python `list(x)` for iterables (`list`, `str` → chars, `dict` → keys).
pub(super) fn py_iter(v: &Value) -> Result<Vec<Cow<'_, Value>>, MappingError> {
    match v {
        Value::Array(a) => Ok(a.iter().map(Cow::Borrowed).collect()),
        Value::String(s) => Ok(s.chars().map(|c| Cow::Owned(Value::String(c.to_string()))).collect()),
        Value::Object(m) => Ok(m.keys().map(|k| Cow::Owned(Value::String(k.clone()))).collect()),
        other => Err(MappingError::NotIterable { type_name: type_name(other) }),
    }
}

/// Python `x[i]` for a small non-negative integer index.
pub(super) fn py_getitem(v: &Value, i: usize) -> Result<Cow<'_, Value>, MappingError> {
    match v {
        Value::Array(a) => a.get(i).map(Cow::Borrowed).ok_or(MappingError::ListIndexOutOfRange),
        Value::String(s) => s
            .chars()
            .nth(i)
            .map(|c| Cow::Owned(Value::String(c.to_string())))
            .ok_or(MappingError::StringIndexOutOfRange),
        Value::Object(_) => Err(MappingError::KeyMissing { repr: i.to_string() }),
        other => Err(MappingError::NotSubscriptable { type_name: type_name(other) }),
    }
}

/// Python `item in container`.
pub(super) fn py_contains(container: &Value, item: &Value) -> Result<bool, MappingError> {
    match container {
        Value::Array(a) => {
            for e in a {
                if py_eq(item, e, 0)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::String(s) => match item {
            Value::String(x) => Ok(s.contains(x.as_str())),
            other => Err(MappingError::StringContainsNonString { type_name: type_name(other) }),
        },
        Value::Object(m) => match item {
            Value::String(x) => Ok(m.contains_key(x)),
            Value::Array(_) | Value::Object(_) => Err(MappingError::Unhashable { type_name: type_name(item) }),
            _ => Ok(false),
        },
        other => Err(MappingError::ContainerNotIterable { type_name: type_name(other) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1e-07, "1e-07"),
            (1e21, "1e+21"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (-0.0, "-0.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (0.1, "0.1"),
            (-2.5e-7, "-2.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123.456, "123.456"),
            (899807564243624.0 + 0.25, "899807564243624.2"),
            (899807564243624.0 + 0.75, "899807564243624.8"),
            (0.5, "0.5"),
            (2.5, "2.5"),
            (1.5e-323, "1.5e-323"),
            (1e23, "1e+23"),
            (-5.960464477539063e-08, "-5.960464477539063e-08"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(*f), *want, "{f}");
        }
    }

    #[test]
    fn repr_and_str() {
        assert_eq!(repr_str("a'b"), "\"a'b\"");
        assert_eq!(repr_str("a\"b"), "'a\"b'");
        assert_eq!(repr_str("a'\"b"), "'a\\'\"b'");
        assert_eq!(
            repr_str("\x00\x7f\u{80}\u{a0}\u{ad}\u{2028}\u{e000}\u{f0000} é\t\\"),
            "'\\x00\\x7f\\x80\\xa0\\xad\\u2028\\ue000\\U000f0000 é\\t\\\\'"
        );
        assert_eq!(py_str(&json!(["a", null, true, 1.0, {"k": [1]}])).unwrap(), "['a', None, True, 1.0, {'k': [1]}]");
    }

    #[test]
    fn int_parsing() {
        assert_eq!(parse_py_int(" 1_0 ").unwrap(), PyInt::Small(10));
        assert_eq!(parse_py_int("٣").unwrap(), PyInt::Small(3));
        assert_eq!(parse_py_int("１２").unwrap(), PyInt::Small(12));
        assert_eq!(parse_py_int("-007").unwrap(), PyInt::Small(-7));
        assert_eq!(parse_py_int("-99999999999999999999999999999999999999999").unwrap(), PyInt::HugeNegative);
        assert_eq!(parse_py_int("x").unwrap_err().to_string(), "invalid literal for int() with base 10: 'x'");
        for bad in ["", " ", "_1", "1_", "1__0", "+", "-_1", "1.0", "0x1", "\x1c1"] {
            assert!(parse_py_int(bad).is_err(), "{bad}");
        }
        assert!(matches!(parse_py_int(&format!("{}x", "1".repeat(5000))), Err(MappingError::IntTooManyDigits { digits: 5000 })));
        let long = "1".repeat(5000);
        assert_eq!(
            parse_py_int(&long).unwrap_err().to_string(),
            "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit"
        );
    }

    #[test]
    fn equality() {
        assert!(py_eq(&json!(1), &json!(1.0), 0).unwrap());
        assert!(py_eq(&json!(1), &json!(true), 0).unwrap());
        assert!(py_eq(&json!(0.0), &json!(false), 0).unwrap());
        assert!(!py_eq(&json!(9007199254740993u64), &json!(9007199254740992.0), 0).unwrap());
        assert!(py_eq(&json!(9007199254740992u64), &json!(9007199254740992.0), 0).unwrap());
        assert!(py_eq(&json!({"a": 1, "b": [1]}), &json!({"b": [1.0], "a": true}), 0).unwrap());
        assert!(!py_eq(&json!("1"), &json!(1), 0).unwrap());
        assert_eq!(integral_float_digits(1e40), "10000000000000000303786028427003666890752");
    }
}

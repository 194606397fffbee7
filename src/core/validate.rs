//! Small input checks shared by providers. Each returns a `ValidationError` naming the field.

use super::error::{Error, Result};

/// RFC 3339 date-time (`2024-04-12T23:20:50.52Z`, `2024-04-12T23:20:50+02:00`), with the
/// calendar checked (month 1–12, day within the month, leap years).
pub fn rfc3339(field: &str, s: &str) -> Result<()> {
    let bad = || Error::validation(field, "must be an RFC 3339 date-time like 2024-04-12T23:20:50Z");
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad());
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) =
        (digits(0..4), digits(5..7), digits(8..10), digits(11..13), digits(14..16), digits(17..19))
    else {
        return Err(bad());
    };
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day == 0 || day > days || hour > 23 || min > 59 || sec > 60 {
        return Err(bad());
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(bad());
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => Ok(()),
        tz if tz.len() == 6
            && (tz.starts_with('+') || tz.starts_with('-'))
            && tz.as_bytes()[3] == b':'
            && tz[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
            && tz[4..6].parse::<u32>().is_ok_and(|m| m <= 59) => Ok(()),
        _ => Err(bad()),
    }
}

/// `s` in double quotes for a message, as `{:?}` writes what people type: quotes, backslashes,
/// control and invisible characters (zero-width, bidi controls, BOM) escaped, the rest as is.
/// `{:?}` itself would bring core's Unicode printability tables into the wasm (~2 KB gz).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() || invisible(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that print as nothing or reorder text (zero-width, bidi controls, BOM, soft hyphen).
fn invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// A STIX-style type name (`indicator`, `x-mitre-tactic`, `ipv4-addr`).
pub fn type_name(field: &str, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 250
        && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok { Ok(()) } else { Err(Error::validation(field, format!("{} is not a type name (lowercase letters, digits, -)", quoted(s)))) }
}

/// An identifier that goes into a path segment: non-empty, bounded, no control characters
/// or whitespace.
pub fn id(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if s.len() > 512 {
        return Err(Error::validation(field, "is too long (max 512)"));
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::validation(field, "must not contain whitespace or control characters"));
    }
    Ok(())
}

/// A host name as a lookup takes it: dot-separated labels of letters, digits, `-` and `_`
/// (non-ASCII letters as typed; the server maps IDNs), each 1–63 bytes and not starting or ending
/// with `-`, at least two labels, at most 253 bytes, and a last label that is not all digits (that
/// would be an IPv4 address). One trailing dot is allowed. A syntax check only; whether the TLD
/// exists is the server's answer to give (the IOC classifier, which also knows the TLD list, costs
/// the Group-IB module ~30 KB gz of wasm for this one check).
pub fn host_name(field: &str, s: &str) -> Result<()> {
    let name = s.strip_suffix('.').unwrap_or(s);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || (!c.is_ascii() && !c.is_whitespace() && !c.is_control() && !invisible(c)))
    };
    let labels: Vec<&str> = name.split('.').collect();
    let ok = name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| label_ok(l))
        && !labels[labels.len() - 1].bytes().all(|c| c.is_ascii_digit());
    if ok { Ok(()) } else { Err(Error::validation(field, format!("{} is not a domain name", quoted(s)))) }
}

/// The value of a decimal number that is whole, however it is written (`5`, `+5`, `5.0`, `5e0`,
/// `500e-2`, `-0`), if it fits an `i64`; `None` for a fraction, an overflow or anything that is
/// not a decimal number. JSON numbers arrive as their text (serde_json's `arbitrary_precision`),
/// and whole numbers are read here rather than through `f64`: the client builds then carry no
/// float parser (`f64: FromStr` and its power-of-five tables are ~15 KB gz of wasm).
pub fn whole_number(text: &str) -> Option<i64> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => {
            let e = &rest[i + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            // Past 10^±19 a value is 0 or overflows: the exponent is clamped to keep the sums small.
            let digits = digits.trim_start_matches('0');
            let magnitude = if digits.len() > 4 { 1_000 } else { digits.parse::<i64>().unwrap_or(0).min(1_000) };
            (&rest[..i], if e.starts_with('-') { -magnitude } else { magnitude })
        }
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() + frac.len() == 0 || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    // digits × 10^scale, with leading zeros dropped
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).skip_while(|&c| c == b'0').collect();
    let mut scale = exp - frac.len() as i64;
    let mut keep = digits.len();
    while scale < 0 {
        if keep == 0 {
            break;
        }
        if digits[keep - 1] != b'0' {
            return None; // a fraction
        }
        keep -= 1;
        scale += 1;
    }
    if keep == 0 {
        return Some(0);
    }
    let mut v: i64 = 0;
    for &c in &digits[..keep] {
        v = v.checked_mul(10)?.checked_sub(i64::from(c - b'0'))?; // negative: i64::MIN fits
    }
    for _ in 0..scale {
        v = v.checked_mul(10)?;
    }
    if negative { Some(v) } else { v.checked_neg() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_is_debug_for_what_people_type() {
        for s in ["", "abc", "a\"b", "back\\slash", "tab\tnew\nline\r", "nul\0", "\u{1}\u{7f}\u{9f}", "été", "ⓔvil.com",
            "例え.jp", "😀", "xn--e1afmkfd", "it's", "zero\u{200b}width", "bidi\u{202e}gro", "\u{feff}bom", "soft\u{ad}hyphen",
            "line\u{2028}sep", "word\u{2060}joiner", "\u{2066}isolate\u{2069}"]
        {
            assert_eq!(quoted(s), format!("{s:?}"), "{s:?}");
        }
    }

    #[test]
    fn json_text_is_serde_json_compact() {
        let v = serde_json::json!({"a": [1, 2.5, "x\"y", null, true], "é": {"n": -0.0, "big": 12345678901234567890u64}});
        assert_eq!(crate::core::json::text(&v), v.to_string());
    }

    #[test]
    fn whole_numbers_however_written() {
        for (text, want) in [
            ("5", Some(5)), ("+5", Some(5)), ("-5", Some(-5)), ("5.0", Some(5)), ("5.000", Some(5)), ("5e0", Some(5)),
            ("5E+2", Some(500)), ("500e-2", Some(5)), ("0.5e1", Some(5)), ("-0", Some(0)), ("0.000", Some(0)), ("0e-999999", Some(0)),
            ("007", Some(7)), ("9223372036854775807", Some(i64::MAX)), ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None), ("1e19", None), ("1e99999999999999999999", None), ("5.5", None), ("5e-1", None),
            ("", None), ("-", None), (".", None), ("e5", None), ("5e", None), ("5e+", None), ("1.2.3", None), ("0x10", None),
            ("inf", None), ("NaN", None), (" 5", None), ("5 ", None), ("--5", None), (".5e1", Some(5)), ("5.", Some(5)),
        ] {
            assert_eq!(whole_number(text), want, "{text:?}");
        }
    }

    #[test]
    fn rfc3339_accepts_and_refuses() {
        for ok in ["2024-04-12T23:20:50.52Z", "2024-02-29T00:00:00Z", "2019-01-01T00:00:00+02:00", "2024-04-12t23:20:50z"] {
            assert!(rfc3339("d", ok).is_ok(), "{ok}");
        }
        for bad in ["", "2024-04-12", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-12T24:00:00Z",
            "2024-04-12T23:20:50", "2024-04-12T23:20:50.Z", "yesterday", "2024-04-12T23:20:50+2:00", "２０２４-04-12T23:20:50Z"] {
            assert!(rfc3339("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn type_names() {
        assert!(type_name("t", "indicator").is_ok());
        assert!(type_name("t", "x-mitre-tactic").is_ok());
        for bad in ["", "Indicator", "a b", "-x", "a,b"] {
            assert!(type_name("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_names() {
        for ok in ["example.com", "example.com.", "a.b.c.d.example.org", "xn--e1afmkfd.xn--p1ai", "пример.рф", "例え.jp", "_dmarc.example.com",
            "my-host.example.co.uk", "1.2.3.com", "a.b"]
        {
            assert!(host_name("domain", ok).is_ok(), "{ok}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}com", "abcdefghi.".repeat(26));
        for bad in ["", "com", ".", "example..com", ".example.com", "-a.com", "a-.com", "a b.com", "exa\tmple.com", "1.2.3.4", "192.0.2.1",
            "example[.]com", "http://example.com", "example.com/path", "user@example.com", "example.com:443", "a.com..", "a.\u{200b}.com",
            &long_label, &long_name]
        {
            assert!(host_name("domain", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids() {
        assert!(id("id", "indicator--368e5bc7-0000").is_ok());
        assert!(id("id", "").is_err());
        assert!(id("id", "a b").is_err());
        assert!(id("id", &"x".repeat(600)).is_err());
    }
}

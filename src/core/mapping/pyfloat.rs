//! Python floats to and from decimal text: `float(text)` for a JSON number, and the shortest
//! round-trip digits that `repr(x)` lays out. Both are exact operations with one right answer
//! (correct rounding; the shortest digits that read back as `x`, the closest of them, an exact
//! tie going to the even one), and two engines give it:
//!
//! - **In the wasm, the JS engine** (`parseFloat(text)`, `String(x)`, through `crate::js`). ECMAScript
//!   specifies `Number::toString` exactly so (shortest, closest, ties to even, as CPython's `repr`
//!   does with David Gay's dtoa), and V8, SpiderMonkey and JavaScriptCore all parse correctly
//!   rounded (double-conversion / Gay's strtod). It saves the Group-IB module std's float parser
//!   and formatter, with their power-of-ten tables: ~20 KB gz of wasm.
//! - **On the host, std** (`str::parse`, `{:e}`), whose shortest formatting breaks exact ties
//!   upwards: `round_half_even_tie` puts them back to even.
//!
//! Held to Python: host tests here and in `pyobj`; in the wasm, `make test`'s `gib-floats` (3088
//! hard texts through the reference, `tests/data/groupib_float_vectors.json`), the Group-IB vectors
//! and differential suites, and `tests/js/suites/groupib.mjs`'s float check in every runtime.

/// `float(text)` for a JSON number's text (`1e400` → inf, `-0.0` → -0.0).
pub(super) fn parse(text: &str) -> f64 {
    #[cfg(target_arch = "wasm32")]
    return crate::js::engine_number(text);
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse::<f64>().unwrap_or(f64::NAN);
}

/// The shortest round-trip digits of a finite, non-zero `f` (sign ignored) and the exponent of
/// the first: `f ≈ d.ddd × 10^exp`. `("15", -7)` for 1.5e-7.
pub(super) fn shortest(f: f64) -> (String, i32) {
    #[cfg(target_arch = "wasm32")]
    return from_js_text(&crate::js::engine_text(f.abs()));
    #[cfg(not(target_arch = "wasm32"))]
    return std_shortest(f.abs());
}

/// Digits and exponent from ECMAScript `Number::toString` text of a positive finite number:
/// `123`, `123.45`, `0.000123`, `1.5e-7`, `1e+21`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn from_js_text(s: &str) -> (String, i32) {
    let (mant, e10) = match s.split_once('e') {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let all = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all[lead..].trim_end_matches('0');
    // the first significant digit sits at 10^(int.len() - 1 - lead)
    let exp = int.len() as i32 - 1 - lead as i32 + e10;
    (if digits.is_empty() { "0".into() } else { digits.into() }, exp)
}

#[cfg(not(target_arch = "wasm32"))]
fn std_shortest(f: f64) -> (String, i32) {
    // `{:e}`: the shortest round-trip digits, `d.ddde<exp>`
    let s = format!("{:e}", f);
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    round_half_even_tie(f, digits.len()).unwrap_or((digits, exp))
}

/// Rust's shortest formatting breaks exact ties upwards while CPython's `repr` (David Gay's
/// dtoa) rounds them half-to-even (`899807564243624.25` → `...624.2`). If `f` lies exactly halfway
/// between two `n`-digit decimals, returns the even one as `(digits, exponent)`.
#[cfg(not(target_arch = "wasm32"))]
fn round_half_even_tie(f: f64, n: usize) -> Option<(String, i32)> {
    if n == 0 || n > 17 || !f.is_finite() || f == 0.0 {
        return None;
    }
    let longer = format!("{:.*e}", n, f);
    let (mant, exp2) = longer.split_once('e')?;
    let exp2: i32 = exp2.parse().ok()?;
    let d_str: String = mant.chars().filter(|c| *c != '.').collect();
    if !d_str.ends_with('5') || d_str.len() != n + 1 {
        return None;
    }
    let d: u128 = d_str.parse().ok()?;
    let q = exp2 - n as i32; // f == d * 10^q exactly?
    let bits = f.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let (mut m, mut e) = if exp_bits == 0 {
        (bits & ((1u64 << 52) - 1), -1074)
    } else {
        ((bits & ((1u64 << 52) - 1)) | (1u64 << 52), exp_bits - 1075)
    };
    while m != 0 && m % 2 == 0 {
        m /= 2;
        e += 1;
    }
    // m and d are odd, so equality needs e == q and equal odd parts.
    if e != q {
        return None;
    }
    let pow5 = |k: u32| -> Option<u128> { 5u128.checked_pow(k) };
    let exact = if q >= 0 {
        pow5(q as u32).and_then(|p| d.checked_mul(p)) == Some(u128::from(m))
    } else {
        pow5(q.unsigned_abs()).and_then(|p| u128::from(m).checked_mul(p)) == Some(d)
    };
    if !exact {
        return None;
    }
    let low = d / 10;
    let chosen = if low & 1 == 0 { low } else { low + 1 };
    let mut s = chosen.to_string();
    let mut exp = exp2;
    if s.len() > n {
        exp += 1;
    }
    while s.len() > 1 && s.ends_with('0') {
        s.pop();
    }
    // Only valid if the even candidate also round-trips (not always so at power-of-two
    // boundaries, where the interval below is half as wide).
    let check = format!("{}.{}e{}", &s[..1], if s.len() > 1 { &s[1..] } else { "0" }, exp);
    if check.parse::<f64>().ok() != Some(f) {
        return None;
    }
    Some((s, exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_from_ecmascript_text() {
        for (text, digits, exp) in [
            ("123", "123", 2), ("123.45", "12345", 2), ("0.000123", "123", -4), ("0.1", "1", -1), ("1.5e-7", "15", -7),
            ("1e+21", "1", 21), ("1.7976931348623157e+308", "17976931348623157", 308), ("5e-324", "5", -324),
            ("10000000000000000", "1", 16), ("123456789012345680000", "12345678901234568", 20), ("899807564243624.2", "8998075642436242", 14),
            ("0.000001", "1", -6), ("1", "1", 0), ("100", "1", 2),
        ] {
            assert_eq!(from_js_text(text), (digits.to_string(), exp), "{text}");
        }
    }

    /// The engines agree: the host's std digits equal those of the ECMAScript text (as V8 prints it).
    #[test]
    fn host_shortest_matches_the_js_text_form() {
        for (f, js) in [
            (123.45, "123.45"), (0.000123, "0.000123"), (0.1, "0.1"), (1e21, "1e+21"), (5e-324, "5e-324"), (1e16, "10000000000000000"),
            (899807564243624.0 + 0.25, "899807564243624.2"), (0.000001, "0.000001"), (100.0, "100"), (2.5, "2.5"),
            (f64::MAX, "1.7976931348623157e+308"), (1.5e-7, "1.5e-7"),
        ] {
            assert_eq!(std_shortest(f), from_js_text(js), "{f}");
        }
    }

    #[test]
    fn parse_is_correctly_rounded() {
        assert_eq!(parse("1e400"), f64::INFINITY);
        assert_eq!(parse("-1e400"), f64::NEG_INFINITY);
        assert!(parse("-0.0").is_sign_negative());
        assert_eq!(parse("2.4703282292062328e-324"), 5e-324);
        assert_eq!(parse("9007199254740993.0000000000000000001"), 9007199254740994.0);
    }
}

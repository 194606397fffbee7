//! RFC 3492 punycode (encode/decode of single labels) and IDN host helpers.
//!
//! This is plain punycode with Unicode lower-casing, not full UTS #46 mapping (no
//! NFC normalisation, no bidi/contextual rules): enough to turn a Unicode host found in
//! text into the `xn--` form DNS and feeds use, without the ~200 KB of Unicode tables
//! the `idna` crate would add to the wasm package.

const BASE: u32 = 36;
const TMIN: u32 = 1;
const TMAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

fn adapt(mut delta: u32, numpoints: u32, first: bool) -> u32 {
    delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / numpoints;
    let mut k = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (((BASE - TMIN + 1) * delta) / (delta + SKEW))
}

/// RFC 3492's threshold `t` for digit position `k`: `k - bias` clamped to [TMIN, TMAX].
fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        TMIN
    } else if k >= bias + TMAX {
        TMAX
    } else {
        k - bias
    }
}

fn digit(d: u32) -> char {
    // 0..25 -> a..z, 26..35 -> 0..9
    if d < 26 {
        (b'a' + d as u8) as char
    } else {
        (b'0' + (d - 26) as u8) as char
    }
}

/// Encode one label (without the `xn--` prefix). `None` on overflow.
pub fn encode(input: &str) -> Option<String> {
    let cps: Vec<u32> = input.chars().map(|c| c as u32).collect();
    let mut out = String::new();
    for &c in &cps {
        if c < 0x80 {
            out.push(c as u8 as char);
        }
    }
    let b = out.len() as u32;
    let mut h = b;
    if b > 0 {
        out.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let total = cps.len() as u32;
    while h < total {
        let m = cps.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(h + 1)?)?;
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == b);
                delta = 0;
                h += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

/// Decode one label (without the `xn--` prefix). `None` if malformed.
pub fn decode(input: &str) -> Option<String> {
    if !input.is_ascii() {
        return None;
    }
    let (basic, rest) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    let mut out: Vec<char> = basic.chars().collect();
    let mut n = INITIAL_N;
    let mut i: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let bytes = rest.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let oldi = i;
        let mut w: u32 = 1;
        let mut k = BASE;
        loop {
            let c = *bytes.get(pos)?;
            pos += 1;
            let d = match c {
                b'a'..=b'z' => (c - b'a') as u32,
                b'A'..=b'Z' => (c - b'A') as u32,
                b'0'..=b'9' => (c - b'0') as u32 + 26,
                _ => return None,
            };
            i = i.checked_add(d.checked_mul(w)?)?;
            let t = threshold(k, bias);
            if d < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = out.len() as u32 + 1;
        bias = adapt(i - oldi, len, oldi == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        let ch = char::from_u32(n)?;
        out.insert(i as usize, ch);
        i += 1;
    }
    Some(out.into_iter().collect())
}

/// Convert a host to its ASCII (punycode) form, label by label, lower-cased.
/// Also accepts the ideographic full stops `。．｡` as label separators.
pub fn domain_to_ascii(host: &str) -> Option<String> {
    let mut out = String::with_capacity(host.len() + 8);
    let normalized: String = host
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            c => c,
        })
        .collect();
    for (i, label) in normalized.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(&label.to_ascii_lowercase());
        } else {
            let lower = self::lower(label);
            out.push_str("xn--");
            out.push_str(&encode(&lower)?);
        }
    }
    Some(out)
}

/// Convert `xn--` labels of a host back to Unicode (labels that fail to decode are kept).
pub fn domain_to_unicode(host: &str) -> String {
    let mut out = String::with_capacity(host.len());
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let lower = label.to_ascii_lowercase();
        match lower.strip_prefix("xn--").and_then(decode) {
            Some(u) => out.push_str(&u),
            None => out.push_str(label),
        }
    }
    out
}

/// Position of the `://` that ends a URL scheme (`None` for a scheme-less URL, even
/// if its path contains `://`).
pub fn scheme_end(url: &str) -> Option<usize> {
    let p = url.find("://")?;
    let scheme = &url[..p];
    (!scheme.is_empty()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')))
    .then_some(p)
}

/// Punycode the host of a URL (`scheme://[userinfo@]host[:port]/...`).
pub fn url_to_ascii(url: &str) -> Option<String> {
    let (scheme_end, auth_start) = match self::scheme_end(url) {
        Some(i) => (i, i + 3),
        None => (0, 0),
    };
    let rest = url.get(auth_start..)?;
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_len];
    let host_start = auth.rfind('@').map(|i| i + 1).unwrap_or(0);
    let host_and_port = &auth[host_start..];
    let host_len = if host_and_port.starts_with('[') {
        host_and_port.len()
    } else {
        host_and_port.rfind(':').unwrap_or(host_and_port.len())
    };
    let host = &host_and_port[..host_len];
    let ascii = domain_to_ascii(host)?;
    let _ = scheme_end;
    Some(format!(
        "{}{}{}{}",
        &url[..auth_start + host_start],
        ascii,
        &host_and_port[host_len..],
        &rest[auth_len..]
    ))
}

/// Can a non-ASCII char be part of a host label? A compact, table-free rule: every
/// non-ASCII char except whitespace, controls, punctuation/symbol blocks (Latin-1
/// punctuation, General Punctuation through Misc Symbols and Arrows, CJK and
/// full-width punctuation, variation selectors, specials incl. U+FFFD, private use,
/// emoji). Letters, marks and digits of every script pass. (`char::is_alphanumeric`
/// would pull Unicode tables into the wasm package.)
pub fn is_label_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return c.is_ascii_alphanumeric() || c == '-';
    }
    !(matches!(u,
        0x80..=0xBF | 0xD7 | 0xF7
        | 0x2B9..=0x2FF          // modifier letters used as punctuation/quotes
        | 0x37E | 0x387
        | 0x55A..=0x55F | 0x589 | 0x5BE | 0x5C0 | 0x5C3 | 0x5C6 | 0x5F3 | 0x5F4
        | 0x600..=0x60F | 0x61B..=0x61F | 0x66A..=0x66D | 0x6D4
        | 0x964 | 0x965 | 0x970 | 0xE4F | 0xE5A | 0xE5B
        | 0x1680 | 0x180E
        | 0x2000..=0x2BFF
        | 0x2E00..=0x2E7F
        | 0x3000..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D
        | 0xD800..=0xF8FF
        | 0xFE00..=0xFE6F | 0xFEFF
        | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0xFFF0..=0xFFFF
        | 0x1F000..=0x1FAFF | 0xE0000..=0x10FFFF)
        || c.is_whitespace())
}

/// Lower-case for host names without Unicode tables: ASCII, Latin-1, Latin
/// Extended-A pairs, Greek, Cyrillic, Armenian and full-width Latin; other chars are
/// kept (IDN labels are almost always written in lower case already).
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| {
            let u = c as u32;
            let l = match u {
                0x41..=0x5A => u + 0x20,
                0xC0..=0xDE if u != 0xD7 => u + 0x20,
                0x100..=0x137 | 0x14A..=0x177 if u & 1 == 0 => u + 1,
                0x139..=0x148 | 0x179..=0x17E if u & 1 == 1 => u + 1,
                0x391..=0x3A9 if u != 0x3A2 => u + 0x20,
                0x400..=0x40F => u + 0x50,
                0x410..=0x42F => u + 0x20,
                0x460..=0x481 | 0x48A..=0x4BF if u & 1 == 0 => u + 1,
                0x531..=0x556 => u + 0x30,
                0xFF21..=0xFF3A => u + 0x20,
                _ => u,
            };
            char::from_u32(l).unwrap_or(c)
        })
        .collect()
}

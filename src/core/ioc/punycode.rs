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
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
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
            let t = if k <= bias {
                TMIN
            } else if k >= bias + TMAX {
                TMAX
            } else {
                k - bias
            };
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
            let lower: String = label.chars().flat_map(|c| c.to_lowercase()).collect();
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

/// Punycode the host of a URL (`scheme://[userinfo@]host[:port]/...`).
pub fn url_to_ascii(url: &str) -> Option<String> {
    let (scheme_end, auth_start) = match url.find("://") {
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

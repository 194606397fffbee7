//! IOC extraction: hand-rolled byte scanners over the (refanged) text.
//!
//! Passes, each linear: URLs anchored on `://`; emails anchored on `@`; host runs
//! (letters, digits, `-`, `_`, `.` and non-ASCII letters) holding a `.` give IPv4
//! addresses, domains and scheme-less URLs; hex/colon runs give IPv6; alphanumeric
//! words give hashes, BTC addresses, CVE and ASN ids. Spans found in the refanged text
//! are mapped back to the input with the refang offset map.
//!
//! Rejection rules (each is a principle, not a list of literals):
//! - domain: every label LDH (`_` allowed below the TLD, Unicode letters allowed),
//!   last label a TLD of the embedded PSL table; code identifiers are rejected by a
//!   casing rule: a TLD label in mixed case (`ADODB.Stream`, `file.It`) or an
//!   upper-case TLD under a label with lower-case letters (`System.IO`) is not a
//!   domain unless defanged; a name directly followed by `(` is a call, not a host;
//! - file names: [`FileExtPolicy`] over [`FILE_EXTENSION_TLDS`];
//! - IPv4: exactly four dotted decimal octets forming a whole token (`v4.12.7.3`,
//!   `1.2.3.4.5` are not addresses);
//! - IPv6: must parse, must not start inside a word (`ns::cafe`), and must contain a
//!   decimal digit or at least four groups (C++ scopes like `abc::def` are not IPs);
//! - hashes: whole alphanumeric words of 32/40/64/128 hex digits with at least one
//!   letter and one digit (`0x` + 40 hex is one 42-char word, so an ETH address is not
//!   a SHA-1);
//! - BTC: checksum verified (base58check or bech32/bech32m), so hex strings never pass;
//! - URL paths: letters, marks and digits of any script continue one (like a host label),
//!   whitespace, quotes and punctuation of any script end it;
//! - emails: a local part right after `:` or `/` is a URL's userinfo, except after `mailto:`;
//!   `_evil.com_`, `_x.org/path_` (Markdown emphasis) lose both `_`, a lone leading `_`
//!   (`_dmarc`) stays.

use crate::refang::{refang_map, Refanged};
use crate::tld::is_tld;
use crate::{btc, punycode, ExtractOptions, FileExtPolicy, Ioc, IocKind};
use std::net::{Ipv4Addr, Ipv6Addr};

/// TLDs that are also common file extensions (see [`FileExtPolicy`]).
pub const FILE_EXTENSION_TLDS: &[&str] = &[
    "zip", "mov", "py", "sh", "pl", "pm", "rs", "md", "ps", "so", "tf", "ml", "mm", "pub", "key",
    "one", "cat", "run", "mobi", "dot", "cab",
];

#[derive(Debug, Clone)]
pub struct Cand {
    pub kind: IocKind,
    pub s: usize,
    pub e: usize,
    pub value: String,
    pub nested: bool,
}

const C_ALNUM: u8 = 1;
const C_HOST: u8 = 2;
const C_MARK: u8 = 4;

/// Byte classes: ASCII alphanumerics, host chars (alnum, `-`, `_`, `.`).
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() {
            t[i] = C_ALNUM | C_HOST;
        } else if c == b'-' || c == b'_' || c == b'.' {
            t[i] = C_HOST;
        } else if c == b':' || c == b'@' {
            t[i] = C_MARK;
        }
        i += 1;
    }
    t
};

#[inline]
fn is_alnum(c: u8) -> bool {
    CLASS[c as usize] & C_ALNUM != 0
}

/// Non-ASCII char usable in a host label (see [`punycode::is_label_char`]).
fn is_idn_char(c: char) -> bool {
    punycode::is_label_char(c)
}

/// Length of the host char at `i` (0 if not a host char).
#[inline]
fn host_char_len(t: &str, i: usize) -> usize {
    let b = t.as_bytes();
    let c = b[i];
    if c < 0x80 {
        return (CLASS[c as usize] & C_HOST != 0) as usize;
    }
    match t.get(i..).and_then(|r| r.chars().next()) {
        Some(ch) if is_idn_char(ch) => ch.len_utf8(),
        _ => 0,
    }
}

/// End of the host run starting at `i`.
fn host_run_end(t: &str, mut i: usize) -> usize {
    let b = t.as_bytes();
    let n = b.len();
    while i < n {
        let c = b[i];
        if c < 0x80 {
            if CLASS[c as usize] & C_HOST == 0 {
                break;
            }
            i += 1;
            continue;
        }
        let l = host_char_len(t, i);
        if l == 0 {
            break;
        }
        i += l;
    }
    i
}

/// Parse a strict dotted-quad (no leading zeros beyond a single `0`).
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut parts = [0u8; 4];
    let mut n = 0;
    let mut v: u32 = 0;
    let mut digits = 0;
    let mut lead_zero = false;
    for &c in s.as_bytes().iter().chain(std::iter::once(&b'.')) {
        if c == b'.' {
            if digits == 0 || n == 4 || (lead_zero && digits > 1) || v > 255 {
                return None;
            }
            parts[n] = v as u8;
            n += 1;
            v = 0;
            digits = 0;
        } else if c.is_ascii_digit() {
            if digits == 0 {
                lead_zero = c == b'0';
            }
            digits += 1;
            if digits > 3 {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        } else {
            return None;
        }
    }
    (n == 4).then(|| Ipv4Addr::from(parts))
}

/// Is this address private, loopback, link-local, multicast, documentation, CGNAT,
/// benchmarking, reserved, broadcast or unspecified?
pub fn is_reserved_ipv4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || o[0] >= 240
}

/// IPv6 counterpart of [`is_reserved_ipv4`].
pub fn is_reserved_ipv6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || ip.to_ipv4_mapped().is_some_and(is_reserved_ipv4)
}

/// Why a domain candidate was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainReject {
    Syntax,
    Tld,
    Casing,
    FileExtension,
}

pub struct DomainCheck<'a> {
    pub validate_tld: bool,
    pub heuristics: bool,
    pub policy: FileExtPolicy,
    pub ext_tlds: Option<&'a [String]>,
}

fn is_file_ext_tld(tld: &str, list: Option<&[String]>) -> bool {
    match list {
        Some(l) => l.iter().any(|x| x.len() == tld.len() && x.eq_ignore_ascii_case(tld)),
        None => FILE_EXTENSION_TLDS
            .iter()
            .any(|x| x.len() == tld.len() && x.eq_ignore_ascii_case(tld)),
    }
}

/// What one pass over a label's bytes saw (ASCII classes; `wide`: a non-ASCII byte).
#[derive(Clone, Copy, Default)]
struct LabelBytes {
    upper: bool,
    lower: bool,
    digit: bool,
    wide: bool,
    /// `-`, or `_` not first
    inner: bool,
    underscore_inside: bool,
    /// a byte no ASCII label may hold
    bad: bool,
}

impl LabelBytes {
    fn of(lb: &[u8]) -> Self {
        let mut f = LabelBytes::default();
        for (k, &c) in lb.iter().enumerate() {
            match c {
                b'A'..=b'Z' => f.upper = true,
                b'a'..=b'z' => f.lower = true,
                b'0'..=b'9' => f.digit = true,
                b'-' => f.inner = true,
                b'_' => {
                    f.inner = true;
                    f.underscore_inside |= k > 0;
                }
                0x80.. => f.wide = true,
                _ => f.bad = true,
            }
        }
        f
    }

    fn only_digits(self) -> bool {
        !(self.upper || self.lower || self.inner || self.wide || self.bad)
    }
}

/// Validate a dotted host name; returns the canonical (lower-case) form. One pass over
/// each label's bytes gathers what the syntax, TLD and heuristic rules ask.
pub fn check_domain(d: &str, chk: &DomainCheck) -> Result<String, DomainReject> {
    let d = if d.as_bytes().last() == Some(&b'.') { &d[..d.len() - 1] } else { d };
    let b = d.as_bytes();
    if b.is_empty() || b.len() > 253 {
        return Err(DomainReject::Syntax);
    }
    let mut labels = 0;
    // for the heuristics: a label mixing cases (`System.IO`), a file-like label
    // (capitals, `_` inside, all digits: `Textures.exe.zip`, `Bandicam_4.3.1.zip`, `tool.1.2.zip`)
    let (mut mixed, mut file_like) = (false, false);
    let (mut last, mut last_bytes) = (0..0, LabelBytes::default());
    let mut from = 0;
    while from <= b.len() {
        // '.' is ASCII: the byte positions of dots are char boundaries
        let end = b[from..].iter().position(|&c| c == b'.').map_or(b.len(), |k| from + k);
        let lb = &b[from..end];
        labels += 1;
        // no leading/trailing hyphen; `_` only inside or leading (service labels `_tcp`)
        if lb.is_empty() || lb[0] == b'-' || lb[lb.len() - 1] == b'-' || lb[lb.len() - 1] == b'_' {
            return Err(DomainReject::Syntax);
        }
        let f = LabelBytes::of(lb);
        if !f.wide {
            if lb.len() > 63 || f.bad {
                return Err(DomainReject::Syntax);
            }
        } else {
            let label = d.get(from..end).unwrap_or_default();
            if !label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && is_idn_char(c)))
            {
                return Err(DomainReject::Syntax);
            }
            match punycode::encode(&punycode::lower(label)) {
                Some(p) if p.len() + 4 <= 63 => {}
                _ => return Err(DomainReject::Syntax),
            }
        }
        mixed |= f.upper && f.lower;
        file_like |= f.upper || f.underscore_inside || f.only_digits();
        (last, last_bytes) = (from..end, f);
        from = end + 1;
    }
    if labels < 2 {
        return Err(DomainReject::Syntax);
    }
    let tld = &d[last];
    let t = last_bytes;
    if !t.wide {
        let alpha = !(t.digit || t.inner);
        let puny = tld.len() > 4 && tld.as_bytes()[..4].eq_ignore_ascii_case(b"xn--");
        if !(alpha || puny) {
            return Err(DomainReject::Tld);
        }
        if chk.validate_tld && !is_tld(tld) {
            return Err(DomainReject::Tld);
        }
    } else if t.upper || t.lower || t.digit || t.inner {
        return Err(DomainReject::Tld);
    } else if chk.validate_tld {
        let p = punycode::encode(&punycode::lower(tld)).ok_or(DomainReject::Tld)?;
        if !is_tld(&format!("xn--{p}")) {
            return Err(DomainReject::Tld);
        }
    }
    if chk.heuristics {
        // a mixed-case TLD (`ADODB.Stream`, `file.It`), or an upper-case one under a
        // mixed-case label (`System.IO`)
        if t.upper && (t.lower || mixed) {
            return Err(DomainReject::Casing);
        }
        let ext = is_file_ext_tld(tld, chk.ext_tlds);
        if ext {
            match chk.policy {
                FileExtPolicy::Allow => {}
                _ if file_like => return Err(DomainReject::FileExtension),
                FileExtPolicy::RejectTwoLabel if labels == 2 => {
                    return Err(DomainReject::FileExtension)
                }
                FileExtPolicy::RejectTwoLabel => {}
                FileExtPolicy::RejectAll => return Err(DomainReject::FileExtension),
            }
        }
    }
    Ok(lower_host(d))
}

fn lower_host(d: &str) -> String {
    if d.is_ascii() {
        d.to_ascii_lowercase()
    } else {
        punycode::lower(d)
    }
}

/// Syntactic host check for URLs with an explicit scheme (single labels allowed).
fn url_host_ok(h: &str) -> bool {
    let h = h.strip_suffix('.').unwrap_or(h);
    if h.is_empty() || h.len() > 253 {
        return false;
    }
    if h.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return parse_ipv4(h).is_some();
    }
    h.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || c == '-'
                    || c == '_'
                    || (!c.is_ascii() && is_idn_char(c))
            })
    })
}

/// Scan a URL path/query/fragment starting at `i` (which is at `/`, `?` or `#`);
/// returns the end after trimming.
fn scan_path(t: &str, i: usize, start: usize) -> usize {
    let b = t.as_bytes();
    let n = b.len();
    let mut j = i;
    let mut paren = 0i32;
    let mut in_query = false;
    while j < n {
        let c = b[j];
        match c {
            0..=0x20
            | 0x7f
            | b'"'
            | b'\''
            | b'<'
            | b'>'
            | b'`'
            | b'\\'
            | b'^'
            | b'|'
            | b'{'
            | b'}' => break,
            // letters, marks and digits of any script continue a path (`/wiki/東京`,
            // `/straße`), like a host label; Unicode spaces, quotes and punctuation end it
            0x80..=0xff => match t.get(j..).and_then(|r| r.chars().next()) {
                Some(ch) if is_idn_char(ch) => {
                    j += ch.len_utf8();
                    continue;
                }
                _ => break,
            },
            b'(' => paren += 1,
            b')' => {
                if paren == 0 {
                    break;
                }
                paren -= 1;
            }
            // `[`/`]` are not allowed unencoded after the authority (RFC 3986);
            // in text they open AsciiDoc/Markdown link labels: `http://x.org/[Label]`
            b'[' | b']' => break,
            b'*' if b.get(j + 1) == Some(&b'*') => break,
            b'?' => in_query = true,
            b',' => {
                if !in_query {
                    break;
                }
                let nx = b.get(j + 1).copied().unwrap_or(b' ');
                if !nx.is_ascii_alphanumeric() {
                    break;
                }
                let mut k = j + 1;
                let mut scheme_like = false;
                while k < n && !b[k].is_ascii_whitespace() && b[k] != b',' {
                    if b[k] == b':' && b.get(k + 1) == Some(&b'/') {
                        scheme_like = true;
                        break;
                    }
                    k += 1;
                }
                if scheme_like {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    trim_url_end(b, start, j)
}

/// Whether the token that starts with `_` at `s` (up to whitespace, at most 2 KiB looked at)
/// ends with `_` before sentence punctuation: `_…_` emphasis, not a leading underscore.
fn closes_emphasis(b: &[u8], s: usize) -> bool {
    let limit = b.len().min(s + 2048);
    let mut j = s + 1;
    while j < limit && !b[j].is_ascii_whitespace() {
        j += 1;
    }
    while j > s + 1 && matches!(b[j - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b'"' | b'\'') {
        j -= 1;
    }
    j > s + 1 && b[j - 1] == b'_'
}

fn trim_url_end(b: &[u8], start: usize, mut e: usize) -> usize {
    let asciidoc = start >= 2 && &b[start - 2..start] == b"++";
    loop {
        if e <= start {
            return e;
        }
        let c = b[e - 1];
        if matches!(
            c,
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' | b'\'' | b'"'
        ) {
            e -= 1;
            continue;
        }
        if asciidoc && e >= start + 2 && &b[e - 2..e] == b"++" {
            e -= 2;
            continue;
        }
        if c == b'_' && start >= 1 && b[start - 1] == b'_' {
            e -= 1;
            continue;
        }
        return e;
    }
}

struct Scanner<'a> {
    t: &'a str,
    b: &'a [u8],
    opts: &'a ExtractOptions,
    map: &'a Refanged,
    out: Vec<Cand>,
}

/// Positions of ':' and '@', noted by the host-run pass: the URL, IPv6 and e-mail passes
/// start from them instead of searching the text again each.
#[derive(Default)]
struct Marks {
    colons: Vec<usize>,
    ats: Vec<usize>,
}

/// The first of the sorted `marks` at or after `p`, searching on from index `*at`.
fn next_mark(marks: &[usize], at: &mut usize, p: usize) -> Option<usize> {
    while marks.get(*at).is_some_and(|&m| m < p) {
        *at += 1;
    }
    marks.get(*at).copied()
}

impl<'a> Scanner<'a> {
    fn want(&self, k: IocKind) -> bool {
        self.opts.kinds.contains(k)
    }

    fn domain_check(&self, s: usize, e: usize) -> DomainCheck<'a> {
        DomainCheck {
            validate_tld: self.opts.validate_tld,
            heuristics: !self.map.touches(s, e),
            policy: self.opts.file_ext_policy,
            ext_tlds: self.opts.file_ext_tlds.as_deref(),
        }
    }

    fn allowed(&self, v: &str) -> bool {
        self.opts.allow.iter().any(|a| a.eq_ignore_ascii_case(v))
    }

    fn push(&mut self, kind: IocKind, s: usize, e: usize, value: String) {
        self.out.push(Cand {
            kind,
            s,
            e,
            value,
            nested: false,
        });
    }

    // ---------------------------------------------------------------- URLs
    fn urls(&mut self, colons: &[usize]) {
        let b = self.b;
        let n = b.len();
        let (mut p, mut at) = (0, 0);
        while p + 3 <= n {
            let Some(k) = next_mark(colons, &mut at, p) else {
                break;
            };
            p = k + 1;
            if !(b.get(k + 1) == Some(&b'/') && b.get(k + 2) == Some(&b'/')) {
                continue;
            }
            let mut ss = k;
            while ss > 0 && (is_alnum(b[ss - 1]) || matches!(b[ss - 1], b'+' | b'.' | b'-')) {
                ss -= 1;
            }
            while ss < k && !b[ss].is_ascii_alphabetic() {
                ss += 1;
            }
            if k - ss < 2 || k - ss > 16 {
                continue;
            }
            if let Some(e) = self.url_at(ss, k + 3) {
                p = e.max(p);
            }
        }
    }

    /// Parse authority + path after `scheme://` (`a` = authority start).
    fn url_at(&mut self, ss: usize, a: usize) -> Option<usize> {
        let t = self.t;
        let b = self.b;
        let n = b.len();
        // authority extent
        let mut ae = a;
        while ae < n {
            let c = b[ae];
            if c <= 0x20
                || matches!(
                    c,
                    b'/' | b'?'
                        | b'#'
                        | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b'`'
                        | b'\\'
                        | b'|'
                        | b'{'
                        | b'}'
                        | 0x7f
                )
            {
                break;
            }
            if c >= 0x80 {
                let l = host_char_len(t, ae);
                if l == 0 {
                    break;
                }
                ae += l;
                continue;
            }
            ae += 1;
        }
        let auth = t.get(a..ae)?;
        let host_off = auth.rfind('@').map(|i| i + 1).unwrap_or(0);
        let hs = a + host_off;
        let mut he;
        if b.get(hs) == Some(&b'[') {
            let close = t.get(hs..ae)?.find(']')? + hs;
            let inner = t.get(hs + 1..close)?;
            let addr = inner.split('%').next()?;
            addr.parse::<Ipv6Addr>().ok()?;
            he = close + 1;
        } else {
            he = host_run_end(t, hs);
            // trim trailing dots/hyphens from the host
            while he > hs && matches!(b[he - 1], b'.' | b'-' | b'_') {
                he -= 1;
            }
            if !url_host_ok(t.get(hs..he)?) {
                return None;
            }
        }
        if matches!(b.get(he), Some(b'[' | b'(' | b'{' | b'\\' | b'%')) {
            return None;
        }
        // `http://example,com/`: a comma glued inside the host is a mangled (defanged) name
        if b.get(he) == Some(&b',') && b.get(he + 1).is_some_and(|&c| is_alnum(c)) {
            return None;
        }
        let mut e = he;
        if b.get(e) == Some(&b':') {
            let mut q = e + 1;
            while q < n && b[q].is_ascii_digit() {
                q += 1;
            }
            if q > e + 1 && q - e <= 6 {
                e = q;
            }
        }
        if matches!(b.get(e), Some(b'/') | Some(b'?') | Some(b'#')) {
            e = scan_path(t, e, ss);
        } else {
            e = trim_url_end(b, ss, e).max(he);
        }
        let raw = t.get(ss..e)?;
        let value = canonical_url(raw);
        if self.want(IocKind::Url) {
            self.push(IocKind::Url, ss, e, value);
        }
        Some(e)
    }

    // ---------------------------------------------------------------- emails
    fn emails(&mut self, ats: &[usize]) {
        let b = self.b;
        let n = b.len();
        let (mut p, mut next) = (0, 0);
        while p < n {
            let Some(at) = next_mark(ats, &mut next, p) else {
                break;
            };
            p = at + 1;
            let mut ls = at;
            while ls > 0 && (is_alnum(b[ls - 1]) || b"._%+-!#$&'*~".contains(&b[ls - 1])) {
                ls -= 1;
                if at - ls > 64 {
                    break;
                }
            }
            while ls < at && !(is_alnum(b[ls]) || b[ls] == b'_') {
                ls += 1;
            }
            if ls == at || at - ls > 64 || b[at - 1] == b'.' {
                continue;
            }
            // userinfo of a URL (`ftp://user:pw@host`), but the address of a `mailto:` link
            let mailto = ls >= 7
                && b[ls - 7..ls].eq_ignore_ascii_case(b"mailto:")
                && (ls == 7 || !is_alnum(b[ls - 8]));
            if ls > 0 && matches!(b[ls - 1], b'/' | b':') && !mailto {
                continue;
            }
            let ds = at + 1;
            if ds >= n {
                continue;
            }
            // address literal (RFC 5321): `user@[192.0.2.1]`, `user@[IPv6:2001:db8::1]`
            if b[ds] == b'[' {
                let Some(close) = b[ds..n.min(ds + 48)].iter().position(|&c| c == b']') else {
                    continue;
                };
                let Some(inner) = self.t.get(ds + 1..ds + close) else {
                    continue;
                };
                let ok = match inner.get(..5) {
                    Some(p) if p.eq_ignore_ascii_case("ipv6:") => {
                        inner[5..].parse::<Ipv6Addr>().is_ok()
                    }
                    _ => parse_ipv4(inner).is_some(),
                };
                let Some(local) = self.t.get(ls..at) else {
                    continue;
                };
                if ok && !local.contains("..") {
                    let v = format!("{local}@[{}]", inner.to_ascii_lowercase());
                    self.push(IocKind::Email, ls, ds + close + 1, v);
                    // the address itself, nested
                    if let Some(v6) = inner
                        .get(5..)
                        .and_then(|x| x.parse::<Ipv6Addr>().ok())
                        .filter(|_| inner.len() > 5 && inner[..5].eq_ignore_ascii_case("ipv6:"))
                    {
                        if self.want(IocKind::Ipv6) {
                            self.push(IocKind::Ipv6, ds + 6, ds + close, v6.to_string());
                        }
                    }
                }
                continue;
            }
            let mut de = host_run_end(self.t, ds);
            while de > ds && matches!(b[de - 1], b'.' | b'-' | b'_') {
                de -= 1;
            }
            let Some(dom) = self.t.get(ds..de) else {
                continue;
            };
            let chk = DomainCheck {
                validate_tld: self.opts.validate_tld,
                heuristics: false,
                policy: FileExtPolicy::Allow,
                ext_tlds: None,
            };
            let Ok(dv) = check_domain(dom, &chk) else {
                continue;
            };
            let Some(local) = self.t.get(ls..at) else {
                continue;
            };
            if local.contains("..") {
                continue;
            }
            self.push(IocKind::Email, ls, de, concat(&[local, "@", &dv]));
            p = de.max(p);
        }
    }

    // ---------------------------------------------------------------- host runs
    /// Host runs (IPv4, domains, scheme-less URLs) and, inside them, alphanumeric
    /// words (hashes, BTC, CVE, ASN): one pass over the text, which also notes the [`Marks`].
    fn hosts(&mut self, want_hosts: bool, want_words: bool) -> Marks {
        let mut marks = Marks::default();
        let t = self.t;
        let b = self.b;
        let n = b.len();
        let mut i = 0;
        while i < n {
            let c = b[i];
            if c < 0x80 && CLASS[c as usize] & C_HOST == 0 {
                if CLASS[c as usize] & C_MARK != 0 {
                    if c == b':' {
                        marks.colons.push(i);
                    } else {
                        marks.ats.push(i);
                    }
                }
                i += 1;
                continue;
            }
            let l = host_char_len(t, i);
            if l == 0 {
                i += t
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, |c| c.len_utf8());
                continue;
            }
            // the run's end, whether it holds a '.', and its alphanumeric words on the way
            let s = i;
            let mut dot = false;
            let mut word = i;
            while i < n && b[i] < 0x80 {
                let class = CLASS[usize::from(b[i])];
                if class & C_HOST == 0 {
                    break;
                }
                if class & C_ALNUM == 0 {
                    if want_words {
                        self.word(word, i);
                    }
                    dot |= b[i] == b'.';
                    word = i + 1;
                }
                i += 1;
            }
            if i < n && b[i] >= 0x80 && host_char_len(t, i) > 0 {
                // non-ASCII letters: the rest of the run word by word as `words` splits it
                i = host_run_end(t, i);
                dot |= b[word..i].contains(&b'.');
                if want_words {
                    self.words(word, i);
                }
            } else if want_words {
                self.word(word, i);
            }
            let e = i;
            if !want_hosts || !dot {
                continue;
            }
            let next = b.get(e).copied().unwrap_or(b' ');
            if next == b'@' {
                continue;
            }
            // split at ".."
            let mut seg_start = s;
            let mut k = s;
            while k <= e {
                if k == e || (b[k] == b'.' && k + 1 < e && b[k + 1] == b'.') {
                    self.host_segment(seg_start, k, s, e);
                    while k < e && b[k] == b'.' {
                        k += 1;
                    }
                    seg_start = k;
                    if k == e {
                        break;
                    }
                }
                k += 1;
            }
        }
        marks
    }

    fn host_segment(&mut self, mut s: usize, mut e: usize, run_s: usize, run_e: usize) {
        let t = self.t;
        let b = self.b;
        while s < e && matches!(b[s], b'.' | b'-') {
            s += 1;
        }
        while e > s && matches!(b[e - 1], b'.' | b'-' | b'_') {
            e -= 1;
        }
        // `_evil.com_`, `__x.org/path__`: Markdown emphasis, not a service label (`_dmarc.x.org`)
        if s < e && b[s] == b'_' && closes_emphasis(b, s) {
            while s < e && b[s] == b'_' {
                s += 1;
            }
        }
        // percent-encoded prefix: `%2Fevil.com` -> `evil.com`
        if s == run_s
            && s > 0
            && b[s - 1] == b'%'
            && e - s > 2
            && b[s].is_ascii_hexdigit()
            && b[s + 1].is_ascii_hexdigit()
        {
            s += 2;
        }
        if s >= e {
            return;
        }
        let Some(seg) = t.get(s..e) else { return };
        if !seg.bytes().any(|c| c == b'.') {
            return;
        }
        let prev = if run_s > 0 { b[run_s - 1] } else { b' ' };
        let next = b.get(run_e).copied().unwrap_or(b' ');
        let whole = s == run_s && e <= run_e;
        if seg.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
            if let Some(ip) = parse_ipv4(seg) {
                // `.1.2.3.4`: a single dot glues it to something before (`..` is punctuation)
                if s > 0 && b[s - 1] == b'.' && !(s > 1 && b[s - 2] == b'.') {
                    return;
                }
                if whole && e == run_e || s > run_s || e < run_e {
                    self.push_ipv4(s, e, ip, run_e, prev, next);
                }
            }
            return;
        }
        // IDN trimming: CJK text glued to an ASCII name
        let (s, e) = idn_trim(t, s, e);
        let Some(seg) = t.get(s..e) else { return };
        let chk = self.domain_check(s, e);
        let mut res = check_domain(seg, &chk);
        // an allow-listed name passes the heuristics
        if let (Err(DomainReject::Casing | DomainReject::FileExtension), false) = (&res, self.opts.allow.is_empty()) {
            let relaxed = DomainCheck {
                heuristics: false,
                ..chk
            };
            if let Ok(v) = check_domain(seg, &relaxed) {
                if self.allowed(&v) {
                    res = Ok(v);
                }
            }
        }
        match res {
            Ok(v) => {
                if e == run_e && next == b'(' && !self.map.touches(s, e) && !self.allowed(&v) {
                    return;
                }
                // (pushed after the URL: candidates are sorted by span later, and v moves)
                if e == run_e {
                    self.schemeless(s, e, prev, &v);
                }
                if self.want(IocKind::Domain) {
                    self.push(IocKind::Domain, s, e, v);
                }
            }
            Err(_) => {
                // IPv4 glued with '-'/'_' (`ip-1.2.3.4`, `10.0.0.1-10.0.0.9`)
                let mut ps = s;
                for (k, &c) in b[s..e].iter().chain(std::iter::once(&b'-')).enumerate() {
                    let k = s + k;
                    if c == b'-' || c == b'_' {
                        if let Some(ip) = t.get(ps..k).and_then(parse_ipv4) {
                            self.push_ipv4(ps, k, ip, run_e, prev, next);
                        }
                        ps = k + 1;
                    }
                }
            }
        }
    }

    fn push_ipv4(&mut self, s: usize, e: usize, ip: Ipv4Addr, run_e: usize, prev: u8, _next: u8) {
        // a strict dotted quad (no leading zeros) is written in canonical form already,
        // and copying it is far cheaper than `Display` in wasm
        let text = self.t.get(s..e).filter(|v| parse_ipv4(v) == Some(ip)).map_or_else(|| ip.to_string(), str::to_string);
        if e == run_e {
            self.schemeless(s, e, prev, &text);
        }
        if self.want(IocKind::Ipv4) {
            self.push(IocKind::Ipv4, s, e, text);
        }
    }

    /// `evil.com/path` or `1.2.3.4:8080/x` without a scheme.
    fn schemeless(&mut self, s: usize, e: usize, prev: u8, host: &str) {
        if !self.opts.schemeless_urls || !self.want(IocKind::Url) {
            return;
        }
        if matches!(prev, b'/' | b'\\' | b':' | b'@' | b'.' | b'%' | b'$' | b'~') {
            return;
        }
        // a capitalised "host" before a path is a file path (`Foo.app/Contents/...`)
        if host.bytes().any(|c| c.is_ascii_uppercase())
            || self
                .t
                .get(s..e)
                .is_some_and(|h| h.bytes().any(|c| c.is_ascii_uppercase()))
                && !self.map.touches(s, e)
        {
            return;
        }
        let b = self.b;
        let mut p = e;
        if b.get(p) == Some(&b':') {
            let mut q = p + 1;
            while q < b.len() && b[q].is_ascii_digit() {
                q += 1;
            }
            if q > p + 1 && q - p <= 6 {
                p = q;
            }
        }
        if b.get(p) != Some(&b'/') {
            return;
        }
        let end = scan_path(self.t, p, s);
        if end <= p + 1 {
            return;
        }
        // `1.2.3.4/24` is CIDR notation, not a path
        if p == e
            && b[p + 1..end].iter().all(|c| c.is_ascii_digit())
            && end - p <= 4
            && host.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        {
            return;
        }
        let Some(rest) = self.t.get(e..end) else {
            return;
        };
        self.push(IocKind::Url, s, end, concat(&[host, rest]));
    }

    // ---------------------------------------------------------------- IPv6
    fn ipv6(&mut self, colons: &[usize]) {
        let b = self.b;
        let n = b.len();
        let is_v6 = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
        let (mut p, mut at) = (0, 0);
        // anchored on ':', each hex/colon/dot run handled once
        while p < n {
            let Some(k) = next_mark(colons, &mut at, p) else {
                break;
            };
            let mut s = k;
            while s > 0 && is_v6(b[s - 1]) {
                s -= 1;
            }
            let mut e = k;
            while e < n && is_v6(b[e]) {
                e += 1;
            }
            p = e.max(k + 1);
            // the run must not start inside a word (`ns::cafe`) or a hyphenated token
            // (`2015-05-26::`); after a '.' it may
            if s > 0 && (is_alnum(b[s - 1]) || b[s - 1] == b'_' || b[s - 1] == b'-') {
                match b[s..k].iter().rposition(|&c| c == b'.') {
                    Some(d) => s += d + 1,
                    None => continue,
                }
            }
            while s < k && b[s] == b'.' {
                s += 1;
            }
            let colons = b[s..e].iter().filter(|&&c| c == b':').count();
            if colons < 2 {
                continue;
            }
            let mut ae = e;
            while ae > s && b[ae - 1] == b'.' {
                ae -= 1;
            }
            if ae > s + 1 && b[ae - 1] == b':' && b[ae - 2] != b':' {
                ae -= 1;
            }
            let mut end = ae;
            // zone id
            if ae == e && b.get(e) == Some(&b'%') {
                let mut z = e + 1;
                while z < n && (is_alnum(b[z]) || b[z] == b'_') {
                    z += 1;
                }
                if z > e + 1 {
                    end = z;
                }
            }
            if end >= e && b.get(end).is_some_and(|&x| is_alnum(x) || x == b'_') {
                continue;
            }
            let Some(addr) = self.t.get(s..ae) else {
                continue;
            };
            let Ok(ip) = addr.parse::<Ipv6Addr>() else {
                continue;
            };
            let groups = addr.split(':').filter(|g| !g.is_empty()).count();
            let has_digit = addr.bytes().any(|c| c.is_ascii_digit());
            // a decimal digit unless there are four groups (`abc::def` is a C++ scope);
            // one group only as `::1` (a trailing `2016::` is a label/list separator)
            if !(has_digit || groups >= 4)
                || groups == 0
                || (groups == 1 && !addr.starts_with("::"))
            {
                continue;
            }
            self.push(IocKind::Ipv6, s, end, ip.to_string());
        }
    }

    // ---------------------------------------------------------------- words
    /// The alphanumeric word `[s, e)` of a host run, if it can be one: long enough for a
    /// hash / BTC address, `CVE` or starting with `AS` (most words are none of these).
    #[inline]
    fn word(&mut self, s: usize, e: usize) {
        let w = &self.b[s..e];
        let cve = w.len() == 3 && w[0] | 0x20 == b'c';
        let asn = w.len() >= 2 && w[0] | 0x20 == b'a' && w[1] | 0x20 == b's';
        if w.len() >= 25 || cve || asn {
            self.words(s, e);
        }
    }

    /// Alphanumeric words inside `[from, to)`.
    fn words(&mut self, from: usize, to: usize) {
        let b = self.b;
        let n = b.len();
        let mut i = from;
        let want_hash = self.want(IocKind::Md5)
            || self.want(IocKind::Sha1)
            || self.want(IocKind::Sha256)
            || self.want(IocKind::Sha512);
        let want_btc = self.want(IocKind::Btc);
        let want_cve = self.want(IocKind::Cve);
        let want_asn = self.want(IocKind::Asn);
        while i < to {
            if !is_alnum(b[i]) {
                i += 1;
                continue;
            }
            let s = i;
            while i < n && is_alnum(b[i]) {
                i += 1;
            }
            let e = i;
            let w = &b[s..e];
            let len = e - s;
            if want_hash
                && matches!(len, 32 | 40 | 64 | 128)
                && w.iter().all(|c| c.is_ascii_hexdigit())
            {
                let letters = w.iter().any(|c| c.is_ascii_alphabetic());
                let digits = w.iter().any(|c| c.is_ascii_digit());
                if letters && digits && !fingerprint_label_before(b, s) {
                    let kind = match len {
                        32 => IocKind::Md5,
                        40 => IocKind::Sha1,
                        64 => IocKind::Sha256,
                        _ => IocKind::Sha512,
                    };
                    if self.want(kind) {
                        let v = String::from_utf8(w.to_ascii_lowercase()).unwrap_or_default();
                        self.push(kind, s, e, v);
                    }
                }
                continue;
            }
            if want_btc && (25..=74).contains(&len) {
                if let Ok(ws) = std::str::from_utf8(w) {
                    let cand = (len <= 35
                        && (w[0] == b'1' || w[0] == b'3')
                        && w.iter().all(|&c| btc::is_base58(c)))
                        || (len >= 14 && w[..3].eq_ignore_ascii_case(b"bc1"));
                    if cand && btc::is_btc_address(ws) {
                        let v = if w[..3].eq_ignore_ascii_case(b"bc1") {
                            ws.to_ascii_lowercase()
                        } else {
                            ws.to_string()
                        };
                        self.push(IocKind::Btc, s, e, v);
                        continue;
                    }
                }
            }
            if want_cve
                && len == 3
                && w.eq_ignore_ascii_case(b"cve")
                && matches!(b.get(e), Some(b'-' | b' '))
            {
                if let Some((end, v)) = parse_cve_tail(b, e) {
                    self.push(IocKind::Cve, s, end, v);
                    i = end;
                }
                continue;
            }
            if want_asn && len >= 2 && w[..2].eq_ignore_ascii_case(b"as") {
                let pre = if len >= 3 && w[..3].eq_ignore_ascii_case(b"asn") {
                    3
                } else {
                    2
                };
                if len == pre {
                    // `ASN 1234` / `AS 1234` (upper-case only: `as 2020` is English)
                    if b.get(e) == Some(&b' ') && (pre == 3 || w == b"AS") {
                        let ds = e + 1;
                        let mut de = ds;
                        while de < n && b[de].is_ascii_digit() {
                            de += 1;
                        }
                        if de > ds && !b.get(de).is_some_and(|&c| is_alnum(c)) {
                            if let Some(v) = asn_value(&b[ds..de]) {
                                self.push(IocKind::Asn, s, de, v);
                                i = de;
                            }
                        }
                    }
                } else if w[pre..].iter().all(|c| c.is_ascii_digit())
                    // lower-case `as` + 1-2 digits is a common token (`as3`, `as4` file types)
                    && (w[..2] == *b"AS" || len - pre >= 3)
                {
                    if let Some(v) = asn_value(&w[pre..]) {
                        self.push(IocKind::Asn, s, e, v);
                    }
                }
            }
        }
    }
}

/// Labels of hex digests that are not file-content hashes: an imphash or a JA3
/// fingerprint is MD5-shaped, an authentihash SHA-256-shaped, but importing them as
/// `file:hashes.MD5`/`SHA-256` would create wrong indicators.
const FINGERPRINT_LABELS: &[&str] = &[
    "imphash",
    "import hash",
    "importhash",
    "authentihash",
    "pehash",
    "rich header hash",
    "richhash",
    "ssdeep",
    "tlsh",
    "vhash",
    "telfhash",
    "ja3",
    "ja3s",
    "ja4",
    "jarm",
    "icon hash",
    "favicon hash",
];

/// Is the hash at `s` labelled as a non-file fingerprint (`imphash: <md5>`,
/// `JA3 - <md5>`)? Looks back over `:`, `=`, `-` and blanks on the same line.
fn fingerprint_label_before(b: &[u8], s: usize) -> bool {
    let mut k = s;
    while k > 0
        && matches!(
            b[k - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b':' | b'=' | b'-' | b'*' | b'`' | b'|'
        )
        && s - k < 8
    {
        k -= 1;
    }
    if k == s && s > 0 {
        return false;
    }
    let start = k.saturating_sub(20);
    let Ok(before) = std::str::from_utf8(&b[start..k]) else {
        return false;
    };
    let before = before.to_ascii_lowercase();
    FINGERPRINT_LABELS.iter().any(|l| {
        before.ends_with(l) && {
            let p = before.len() - l.len();
            p == 0 || !before.as_bytes()[p - 1].is_ascii_alphanumeric()
        }
    })
}

fn asn_value(d: &[u8]) -> Option<String> {
    if d.is_empty() || d.len() > 10 || d[0] == b'0' {
        return None;
    }
    let digits = std::str::from_utf8(d).ok()?;
    let v: u64 = digits.parse().ok()?;
    // no leading zero: the digits as written are the number's decimal form
    (1..=u32::MAX as u64).contains(&v).then(|| concat(&["AS", digits]))
}

pub fn parse_cve_tail_at(b: &[u8], e: usize) -> Option<(usize, String)> {
    parse_cve_tail(b, e)
}

/// After `CVE` at `e` (which is `-`): `-YYYY-NNNN+`.
fn parse_cve_tail(b: &[u8], e: usize) -> Option<(usize, String)> {
    let ys = e + 1;
    let ye = ys + 4;
    if b.len() < ye + 1 || !b[ys..ye].iter().all(|c| c.is_ascii_digit()) || b[ye] != b'-' {
        return None;
    }
    let year: u32 = std::str::from_utf8(&b[ys..ye]).ok()?.parse().ok()?;
    if !(1999..=2099).contains(&year) {
        return None;
    }
    let ns = ye + 1;
    let mut ne = ns;
    while ne < b.len() && b[ne].is_ascii_digit() {
        ne += 1;
    }
    if !(4..=7).contains(&(ne - ns)) || b.get(ne).is_some_and(|&c| is_alnum(c)) {
        return None;
    }
    let digits = std::str::from_utf8(&b[ys..ne]).ok()?;
    Some((ne, concat(&["CVE-", digits])))
}

/// Scripts written without spaces between words (CJK, kana, Hangul, full-width forms): text in
/// them can be glued to an ASCII name. Latin letters with diacritics (`bücher`, `über`) are
/// part of a label, never glue.
fn is_glue_char(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF)
}

/// CJK text glued to an ASCII name: `これはexample.comです`.
fn idn_trim(t: &str, s: usize, e: usize) -> (usize, usize) {
    let Some(seg) = t.get(s..e) else {
        return (s, e);
    };
    if seg.is_ascii() {
        return (s, e);
    }
    let mut ns = s;
    let mut ne = e;
    // last label: ASCII then non-ASCII -> cut at the first non-ASCII char
    if let Some(dot) = seg.rfind('.') {
        let last = &seg[dot + 1..];
        if last.as_bytes().first().is_some_and(|c| c.is_ascii()) {
            if let Some(p) = last.find(|c: char| !c.is_ascii()) {
                if last[p..].chars().next().is_some_and(is_glue_char) {
                    ne = s + dot + 1 + p;
                }
            }
        }
    }
    // first label: non-ASCII then ASCII -> cut the leading non-ASCII part
    let first_end = seg.find('.').unwrap_or(seg.len());
    let first = &seg[..first_end];
    if !first.is_ascii() && first.as_bytes().last().is_some_and(|c| c.is_ascii()) {
        if let Some(p) = first.rfind(|c: char| !c.is_ascii()) {
            if let Some(ch) = first[p..].chars().next().filter(|&c| is_glue_char(c)) {
                ns = s + p + ch.len_utf8();
            }
        }
    }
    (ns, ne)
}

/// `parts` joined, allocated once (cheaper than `format!` at opt-level "z").
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Canonical URL: scheme and host lower-cased, the rest as written.
pub fn canonical_url(raw: &str) -> String {
    let Some(p) = punycode::scheme_end(raw) else {
        return raw.to_string();
    };
    let scheme = raw[..p].to_ascii_lowercase();
    let rest = &raw[p + 3..];
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_len];
    let host_start = auth.rfind('@').map(|i| i + 1).unwrap_or(0);
    let hp = &auth[host_start..];
    let host_len = if hp.starts_with('[') {
        hp.find(']').map_or(hp.len(), |i| i + 1)
    } else {
        hp.rfind(':').unwrap_or(hp.len())
    };
    let host = lower_host(&hp[..host_len]);
    let host = host.strip_suffix('.').map(str::to_string).unwrap_or(host);
    concat(&[&scheme, "://", &auth[..host_start], &host, &hp[host_len..], &rest[auth_len..]])
}

/// Host of a URL value (scheme optional), for deny-list checks.
fn url_host(v: &str) -> &str {
    let rest = punycode::scheme_end(v).map_or(v, |p| &v[p + 3..]);
    let auth = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hp = &auth[auth.rfind('@').map_or(0, |i| i + 1)..];
    if hp.starts_with('[') {
        return hp;
    }
    &hp[..hp.rfind(':').unwrap_or(hp.len())]
}

fn host_denied(host: &str, deny: &[String]) -> bool {
    deny.iter().any(|d| {
        let d = d.trim_end_matches('.');
        // bytes, not str slices: the suffix may start inside a multi-byte char
        let (h, d) = (host.as_bytes(), d.as_bytes());
        h.eq_ignore_ascii_case(d)
            || (h.len() > d.len()
                && h[h.len() - d.len() - 1] == b'.'
                && h[h.len() - d.len()..].eq_ignore_ascii_case(d))
    })
}

/// Run every pass on `t` (already refanged or not) and mark nested candidates.
pub fn scan(t: &str, opts: &ExtractOptions, map: &Refanged) -> Vec<Cand> {
    let mut sc = Scanner {
        t,
        b: t.as_bytes(),
        opts,
        map,
        out: Vec::new(),
    };
    let k = opts.kinds;
    let want_hosts =
        k.contains(IocKind::Domain) || k.contains(IocKind::Ipv4) || k.contains(IocKind::Url);
    let want_words = [
        IocKind::Md5,
        IocKind::Sha1,
        IocKind::Sha256,
        IocKind::Sha512,
        IocKind::Btc,
        IocKind::Cve,
        IocKind::Asn,
    ]
    .iter()
    .any(|x| k.contains(*x));
    // the host-run pass goes first (it notes where the others start), its candidates are
    // put after theirs: the order the sort below keeps for equal spans
    let marks = sc.hosts(want_hosts, want_words);
    let from_hosts = std::mem::take(&mut sc.out);
    if k.contains(IocKind::Url) || k.contains(IocKind::Domain) {
        sc.urls(&marks.colons);
    }
    if k.contains(IocKind::Email) {
        sc.emails(&marks.ats);
    }
    sc.out.extend(from_hosts);
    if k.contains(IocKind::Ipv6) {
        sc.ipv6(&marks.colons);
    }
    let mut out = sc.out;
    crate::util::merge_sort(&mut out, |a, b| {
        (a.s, std::cmp::Reverse(a.e), a.kind) < (b.s, std::cmp::Reverse(b.e), b.kind)
    });
    // containers: URLs and emails
    let containers: Vec<(usize, usize)> = out
        .iter()
        .filter(|c| matches!(c.kind, IocKind::Url | IocKind::Email))
        .map(|c| (c.s, c.e))
        .collect();
    for c in out.iter_mut() {
        let idx = containers.partition_point(|&(s, _)| s <= c.s);
        let lo = idx.saturating_sub(4);
        c.nested = containers[lo..idx]
            .iter()
            .any(|&(s, e)| s <= c.s && c.e <= e && (s, e) != (c.s, c.e));
    }
    // same span reported twice (e.g. URL pass and scheme-less pass) -> keep first
    out.dedup_by(|a, b| a.kind == b.kind && a.s == b.s && a.e == b.e);
    out
}

/// Spans (kind, start, end) of top-level IOCs in the refanged text `t` (for `defang`).
pub fn scan_with_map(
    t: &str,
    opts: &ExtractOptions,
    map: &Refanged,
) -> Vec<(IocKind, usize, usize)> {
    scan(t, opts, map)
        .into_iter()
        .filter(|c| !c.nested && opts.kinds.contains(c.kind))
        .map(|c| (c.kind, c.s, c.e))
        .collect()
}

/// Find the IOCs in `text`.
pub fn extract_iocs(text: &str, opts: &ExtractOptions) -> Vec<Ioc> {
    let mut out = extract_spans(text, opts);
    for ioc in &mut out {
        ioc.raw = text.get(ioc.start..ioc.end).unwrap_or_default().to_string();
    }
    out
}

/// [`extract_iocs`] without copying each hit's `raw` text (left empty): a JS caller
/// slices it from its own string with the UTF-16 offsets.
pub fn extract_spans(text: &str, opts: &ExtractOptions) -> Vec<Ioc> {
    let map = if opts.refang {
        refang_map(text)
    } else {
        Refanged::default()
    };
    let t: &str = if opts.refang { &map.text } else { text };
    let cands = scan(t, opts, &map);
    let keep = kept(&cands, opts);
    let mut out: Vec<Ioc> = Vec::with_capacity(cands.len());
    let mut at = 0; // pieces before the last start (hits come sorted by start)
    for (c, keep) in cands.into_iter().zip(keep) {
        if !keep {
            continue;
        }
        let (start, end, defanged) = if opts.refang {
            let (start, end) = map.to_orig_span(c.s, c.e, &mut at);
            (start, end, map.touches(c.s, c.e))
        } else {
            (c.s, c.e, false)
        };
        if text.get(start..end).is_none() {
            continue;
        }
        out.push(Ioc {
            kind: c.kind,
            value: c.value,
            raw: String::new(),
            start,
            end,
            start16: start,
            end16: end,
            defanged,
            nested: c.nested,
        });
    }
    fill_utf16(text, &mut out);
    out
}

/// Which candidates the options let through: wanted kind, nesting, reserved IPs, the
/// deny list, then (with `dedupe`) the first of each (kind, value).
fn kept(cands: &[Cand], opts: &ExtractOptions) -> Vec<bool> {
    let mut seen = FirstSeen::new(if opts.dedupe { cands.len() } else { 0 });
    let passes = |c: &Cand| {
        if !opts.kinds.contains(c.kind) || (c.nested && !opts.nested) {
            return false;
        }
        if opts.exclude_private_ips {
            let reserved = match c.kind {
                IocKind::Ipv4 => c.value.parse().is_ok_and(is_reserved_ipv4),
                IocKind::Ipv6 => c.value.parse().is_ok_and(is_reserved_ipv6),
                _ => false,
            };
            if reserved {
                return false;
            }
        }
        if !opts.deny.is_empty() {
            let denied = opts.deny.iter().any(|d| d.eq_ignore_ascii_case(&c.value))
                || match c.kind {
                    IocKind::Domain => host_denied(&c.value, &opts.deny),
                    IocKind::Url => host_denied(url_host(&c.value), &opts.deny),
                    IocKind::Email => c
                        .value
                        .rsplit('@')
                        .next()
                        .is_some_and(|h| host_denied(h, &opts.deny)),
                    _ => false,
                };
            if denied {
                return false;
            }
        }
        true
    };
    (0..cands.len())
        .map(|i| passes(&cands[i]) && (!opts.dedupe || seen.first(cands, i)))
        .collect()
}

/// The (kind, value) pairs seen so far, as indices of candidates in an open-addressing
/// table (a few lines of code where a `HashSet` instantiation costs ~1 KB of wasm).
struct FirstSeen {
    slots: Vec<u32>,
}

impl FirstSeen {
    const EMPTY: u32 = u32::MAX;

    fn new(n: usize) -> Self {
        let size = if n == 0 { 0 } else { (2 * n).next_power_of_two() };
        FirstSeen { slots: vec![Self::EMPTY; size] }
    }

    /// Whether `cands[i]` is the first of its (kind, value); remembers it.
    fn first(&mut self, cands: &[Cand], i: usize) -> bool {
        let c = &cands[i];
        let mask = self.slots.len() - 1;
        let mut at = (crate::util::hash_bytes(c.value.as_bytes()) ^ c.kind as u64) as usize & mask;
        loop {
            match self.slots[at] {
                Self::EMPTY => {
                    self.slots[at] = i as u32;
                    return true;
                }
                s if cands[s as usize].kind == c.kind && cands[s as usize].value == c.value => return false,
                _ => at = (at + 1) & mask,
            }
        }
    }
}

/// Convert byte offsets to UTF-16 offsets in one walk over the text: hits come in order of
/// their start, and an end is its start plus the units of the hit itself.
fn fill_utf16(text: &str, iocs: &mut [Ioc]) {
    if iocs.is_empty() || text.is_ascii() {
        return;
    }
    let b = text.as_bytes();
    let (mut at, mut units) = (0usize, 0usize);
    for ioc in iocs.iter_mut() {
        if ioc.start < at {
            (at, units) = (0, 0); // out of order (never expected): count from the start again
        }
        units += utf16_units(&b[at..ioc.start]);
        at = ioc.start;
        ioc.start16 = units;
        ioc.end16 = units + utf16_units(&b[ioc.start..ioc.end]);
    }
}

/// UTF-16 units of UTF-8 bytes: one per char (every byte but a continuation byte
/// `10xxxxxx`), two for a 4-byte char (lead `11110xxx`); 8 bytes per step.
pub fn utf16_units(b: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (mut n, mut i) = (0, 0);
    while i + 8 <= b.len() {
        let w = crate::util::le_word(b, i);
        // bit 7 of each byte lane, against bits 6, 5, 4 of the same byte shifted into it
        let continuation = w & !(w << 1) & HIGH;
        let four_byte_lead = w & (w << 1) & (w << 2) & (w << 3) & HIGH;
        n += 8 - continuation.count_ones() as usize + four_byte_lead.count_ones() as usize;
        i += 8;
    }
    while i < b.len() {
        n += usize::from(b[i] & 0xC0 != 0x80) + usize::from(b[i] >= 0xF0);
        i += 1;
    }
    n
}

//! Validate and classify one value (shared by the Sekoia IOC lookup and import
//! validation): our kind plus the Sekoia observable type, or a typed rejection.

use super::extract::{check_domain, parse_ipv4, scan, DomainCheck, DomainReject};
use super::refang::{refang_map, Refanged};
use super::{btc, ExtractOptions, IocKind, KindSet};
use std::net::Ipv6Addr;

/// A classified value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: IocKind,
    /// Canonical value (refanged, normalised as extraction does).
    pub value: String,
    /// Sekoia/STIX observable type (`ipv4-addr`, `file`, ...); `None` for BTC.
    pub sekoia_type: Option<&'static str>,
    /// For hashes: `MD5`, `SHA-1`, `SHA-256`, `SHA-512`.
    pub hash_algorithm: Option<&'static str>,
    /// The input was defanged.
    pub defanged: bool,
}

/// Why a value is not a usable indicator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("empty value")]
    Empty,
    #[error("more than one token (contains whitespace)")]
    NotSingleValue,
    #[error("CIDR range /{prefix} is not an IP address value (Sekoia's import drops ranges); use the address or a network indicator")]
    Cidr { prefix: u8 },
    #[error("invalid IPv4 address (octet out of range, leading zero or wrong part count)")]
    InvalidIpv4,
    #[error("IP address with a port is not an IP value")]
    IpWithPort,
    #[error("0x-prefixed hex (Ethereum address or integer), not a file hash")]
    HexWithPrefix,
    #[error("hex string of length {len} is not an MD5/SHA-1/SHA-256/SHA-512 hash")]
    BadHashLength { len: usize },
    #[error("invalid domain syntax")]
    InvalidDomain,
    #[error("unknown top-level domain")]
    UnknownTld,
    #[error("looks like a file name (TLD is also a common file extension)")]
    FileName,
    #[error("looks like a code identifier (mixed-case labels)")]
    CodeIdentifier,
    #[error("invalid URL")]
    InvalidUrl,
    #[error("invalid email address")]
    InvalidEmail,
    #[error("invalid CVE id")]
    InvalidCve,
    #[error("invalid ASN")]
    InvalidAsn,
    #[error("not a recognised indicator")]
    Unrecognized,
}

fn done(kind: IocKind, value: String, defanged: bool) -> Result<Classification, Rejection> {
    Ok(Classification {
        kind,
        value,
        sekoia_type: kind.sekoia_type(),
        hash_algorithm: kind.hash_algorithm(),
        defanged,
    })
}

/// Classify with default options; `None` if rejected.
pub fn classify(value: &str) -> Option<Classification> {
    classify_detailed(value).ok()
}

/// Classify with default options, with the reason for a rejection.
pub fn classify_detailed(value: &str) -> Result<Classification, Rejection> {
    classify_with(value, &ExtractOptions::default())
}

/// Classify honouring `opts` (file-extension policy, TLD validation, allow list,
/// `refang`).
pub fn classify_with(value: &str, opts: &ExtractOptions) -> Result<Classification, Rejection> {
    let v0 = value.trim();
    if v0.is_empty() {
        return Err(Rejection::Empty);
    }
    let map = if opts.refang {
        refang_map(v0)
    } else {
        Refanged::identity(v0)
    };
    let defanged = !map.pieces.is_empty();
    let v = map.text.as_str();
    if v.chars().any(char::is_whitespace) {
        // `ASN 1234` is the one spaced form we accept
        if let Some(rest) = v.strip_prefix("ASN ").or_else(|| v.strip_prefix("AS ")) {
            return asn(rest).map(|a| done(IocKind::Asn, a, defanged))?;
        }
        return Err(Rejection::NotSingleValue);
    }
    let vb = v.as_bytes();
    // CIDR
    if let Some((addr, pfx)) = v.split_once('/') {
        if !pfx.is_empty() && pfx.len() <= 3 && pfx.bytes().all(|c| c.is_ascii_digit()) {
            let p: u8 = pfx.parse().map_err(|_| Rejection::Cidr { prefix: 255 })?;
            if parse_ipv4(addr).is_some() || addr.parse::<Ipv6Addr>().is_ok() {
                return Err(Rejection::Cidr { prefix: p });
            }
        }
    }
    // IPv4
    if vb.iter().all(|c| c.is_ascii_digit() || *c == b'.') && v.contains('.') {
        return match parse_ipv4(v) {
            Some(ip) => done(IocKind::Ipv4, ip.to_string(), defanged),
            None => Err(Rejection::InvalidIpv4),
        };
    }
    if let Some((h, p)) = v.rsplit_once(':') {
        if parse_ipv4(h).is_some() && p.bytes().all(|c| c.is_ascii_digit()) {
            return Err(Rejection::IpWithPort);
        }
    }
    // IPv6 (brackets and zone id accepted, zone dropped)
    if v.contains(':') && !v.contains("://") {
        let inner = v
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(v);
        let addr = inner.split('%').next().unwrap_or(inner);
        if let Ok(ip) = addr.parse::<Ipv6Addr>() {
            return done(IocKind::Ipv6, ip.to_string(), defanged);
        }
    }
    // hashes
    if vb.len() > 2
        && (vb.starts_with(b"0x") || vb.starts_with(b"0X"))
        && vb[2..].iter().all(|c| c.is_ascii_hexdigit())
    {
        return Err(Rejection::HexWithPrefix);
    }
    if vb.len() >= 16 && vb.iter().all(|c| c.is_ascii_hexdigit()) {
        let kind = match vb.len() {
            32 => IocKind::Md5,
            40 => IocKind::Sha1,
            64 => IocKind::Sha256,
            128 => IocKind::Sha512,
            len => return Err(Rejection::BadHashLength { len }),
        };
        return done(kind, v.to_ascii_lowercase(), defanged);
    }
    // CVE
    if vb.len() > 4 && vb[..4].eq_ignore_ascii_case(b"cve-") {
        let mut padded = v.as_bytes().to_vec();
        padded.push(b' ');
        return match parse_cve_tail_pub(&padded) {
            Some((end, c)) if end == vb.len() => done(IocKind::Cve, c, defanged),
            _ => Err(Rejection::InvalidCve),
        };
    }
    // ASN
    if vb.len() > 2
        && (vb[..2].eq_ignore_ascii_case(b"as"))
        && vb[2..].iter().any(|c| c.is_ascii_digit())
    {
        let digits = if vb.len() > 3 && vb[2].eq_ignore_ascii_case(&b'n') {
            &v[3..]
        } else {
            &v[2..]
        };
        if digits.bytes().all(|c| c.is_ascii_digit()) {
            return asn(digits).map(|a| done(IocKind::Asn, a, defanged))?;
        }
    }
    // BTC
    if (25..=74).contains(&vb.len())
        && vb.iter().all(|c| c.is_ascii_alphanumeric())
        && btc::is_btc_address(v)
    {
        let val = if vb[..3].eq_ignore_ascii_case(b"bc1") {
            v.to_ascii_lowercase()
        } else {
            v.to_string()
        };
        return done(IocKind::Btc, val, defanged);
    }
    // URL (also scheme-less `evil.com/x.php`, as extraction reports it)
    if v.contains("://") || v.contains('/') {
        let o = ExtractOptions {
            kinds: KindSet::of(&[IocKind::Url]),
            refang: false,
            ..opts.clone()
        };
        let c = scan(v, &o, &Refanged::default());
        return match c
            .iter()
            .find(|c| c.kind == IocKind::Url && c.s == 0 && c.e == v.len())
        {
            Some(u) => done(IocKind::Url, u.value.clone(), defanged),
            None if v.contains("://") => Err(Rejection::InvalidUrl),
            None => Err(Rejection::Unrecognized),
        };
    }
    let chk = DomainCheck {
        validate_tld: opts.validate_tld,
        heuristics: !defanged && !opts.allow.iter().any(|a| a.eq_ignore_ascii_case(v)),
        policy: opts.file_ext_policy,
        ext_tlds: opts.file_ext_tlds.as_deref(),
    };
    // email
    if let Some((local, dom)) = v.rsplit_once('@') {
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(Rejection::InvalidEmail);
        }
        if !local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._%+-!#$&'*=?^~/{|}`".contains(&c))
        {
            return Err(Rejection::InvalidEmail);
        }
        let echk = DomainCheck {
            heuristics: false,
            ..chk
        };
        return match check_domain(dom, &echk) {
            Ok(d) => done(IocKind::Email, format!("{local}@{d}"), defanged),
            Err(_) => Err(Rejection::InvalidEmail),
        };
    }
    // domain
    if v.contains('.') {
        return match check_domain(v, &chk) {
            Ok(d) => done(IocKind::Domain, d, defanged),
            Err(DomainReject::Syntax) => Err(Rejection::InvalidDomain),
            Err(DomainReject::Tld) => Err(Rejection::UnknownTld),
            Err(DomainReject::Casing) => Err(Rejection::CodeIdentifier),
            Err(DomainReject::FileExtension) => Err(Rejection::FileName),
        };
    }
    Err(Rejection::Unrecognized)
}

fn asn(digits: &str) -> Result<String, Rejection> {
    let d = digits.trim();
    if d.is_empty() || d.len() > 10 || d.starts_with('0') || !d.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(Rejection::InvalidAsn);
    }
    match d.parse::<u64>() {
        Ok(n) if (1..=u32::MAX as u64).contains(&n) => Ok(format!("AS{n}")),
        _ => Err(Rejection::InvalidAsn),
    }
}

fn parse_cve_tail_pub(b: &[u8]) -> Option<(usize, String)> {
    super::extract::parse_cve_tail_at(b, 3)
}

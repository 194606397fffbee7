//! [`IndicatorSet`]: a compact local matcher for large feeds (1 M+ indicators).
//!
//! Layout: hashes as fixed-size binary keys in sorted arrays (16/20/32/64 bytes, binary
//! search); IPv4 as sorted `u32`, IPv6 as sorted `u128`; CIDR ranges as sorted
//! (prefix, network) arrays searched once per distinct prefix length; every other
//! value (domains, URLs, emails, CVE, ASN, BTC) as a kind-tagged normalised string in
//! one byte arena, indexed by an open-addressing table of `u32`. An optional `u32`
//! payload per indicator (e.g. an index into a JS-side context array) lives in a
//! parallel array, allocated only when used.
//!
//! Lookups are normalised exactly like extraction: hashes and domains case-folded,
//! domains in punycode, URLs with lower-case scheme/host, `http`/`https` and a bare
//! trailing `/` ignored, emails lower-cased.

use super::classify::classify_with;
use super::extract::{extract_iocs, parse_ipv4};
use super::{punycode, ExtractOptions, Ioc, IocKind};
use std::net::Ipv6Addr;

/// "No payload".
pub(crate) const NONE: u32 = u32::MAX;

/// Byte-key tags: `IocKind as u8` for single values, plus these two for CIDR ranges.
/// A key is the tag then the value: hash digest, big-endian IP, `prefix, network` for a
/// range, or the normalised text (see [`str_key`]).
pub(crate) const TAG_CIDR4: u8 = 12;
pub(crate) const TAG_CIDR6: u8 = 13;

/// Key tags of the kinds kept as strings (`StrTable`), not as fixed-size columns.
pub(crate) use cti_edge_ioc_base::util::{hash_bytes, WordHash};

fn string_tag(tag: u8) -> bool {
    matches!(tag, 2..=4 | 9..=11)
}

/// In-place heap sort: a few hundred bytes of wasm per instantiation, where the
/// std sorts (driftsort/ipnsort) cost ~2 KB each. Not stable.
pub(crate) fn heap_sort<T, F: FnMut(&T, &T) -> bool>(v: &mut [T], mut less: F) {
    let n = v.len();
    let mut sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

/// Classify an explicit feed/lookup value: no file-extension policy, and the
/// code-identifier casing rule does not apply (the value is known to be an indicator).
pub(crate) fn classify_lenient(v: &str) -> Result<super::Classification, super::Rejection> {
    let opts = ExtractOptions {
        file_ext_policy: super::FileExtPolicy::Allow,
        ..ExtractOptions::default()
    };
    match classify_with(v, &opts) {
        Err(super::Rejection::CodeIdentifier) => classify_with(&punycode::lower(v), &opts),
        r => r,
    }
}

/// Options for an [`IndicatorSet`].
#[derive(Debug, Clone, Default)]
pub struct SetOptions {
    /// A domain entry `evil.com` also matches `a.b.evil.com` (and URLs/emails are
    /// matched through their extracted host).
    pub domain_suffix: bool,
}

/// Why an indicator could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("not a recognised indicator: {0}")]
    Unrecognized(String),
    #[error("value is not a valid {}: {value}", kind.as_str())]
    Invalid { kind: IocKind, value: String },
    #[error("set is full (more than 4 GiB of indicator text or 2^32 entries)")]
    Full,
}

/// A hit of [`IndicatorSet::match_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMatch {
    /// The IOC found in the text.
    pub ioc: Ioc,
    /// The set entry that matched (differs from `ioc.value` for suffix/CIDR matches).
    pub entry: String,
    /// Payload stored with the entry.
    pub payload: Option<u32>,
}

#[derive(Debug, Clone)]
struct Sorted<K> {
    keys: Vec<K>,
    payloads: Vec<u32>,
}

impl<K> Default for Sorted<K> {
    fn default() -> Self {
        Sorted {
            keys: Vec::new(),
            payloads: Vec::new(),
        }
    }
}

impl<K: Ord + Copy> Sorted<K> {
    /// Keys with payloads; for duplicate keys the largest payload wins (callers number
    /// payloads in insertion order).
    fn with_payloads(mut v: Vec<(K, u32)>) -> Self {
        heap_sort(&mut v, |a, b| a.0 < b.0 || (a.0 == b.0 && a.1 > b.1));
        v.dedup_by(|a, b| a.0 == b.0);
        Sorted {
            keys: v.iter().map(|x| x.0).collect(),
            payloads: v.iter().map(|x| x.1).collect(),
        }
    }
    fn get(&self, k: &K) -> Option<u32> {
        let i = self.keys.binary_search(k).ok()?;
        Some(self.payloads.get(i).copied().unwrap_or(NONE))
    }
    fn bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<K>() + self.payloads.capacity() * 4
    }
}

/// Keys with a 16-bit prefix for the bucket index, and a big-endian byte form (the
/// byte keys of [`IndicatorSet::get_key`], and the snapshot format).
pub(crate) trait Prefixed: Ord + Copy {
    const SIZE: usize;
    /// The key's first 16 bits.
    fn prefix16(&self) -> u32;
    fn put(&self, out: &mut Vec<u8>);
    /// From exactly `SIZE` big-endian bytes.
    fn take(b: &[u8]) -> Option<Self>;
}
impl<const N: usize> Prefixed for [u8; N] {
    const SIZE: usize = N;
    fn prefix16(&self) -> u32 {
        u32::from(self[0]) << 8 | u32::from(self[1])
    }
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self)
    }
    fn take(b: &[u8]) -> Option<Self> {
        b.try_into().ok()
    }
}
impl Prefixed for u32 {
    const SIZE: usize = 4;
    fn prefix16(&self) -> u32 {
        self >> 16
    }
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes())
    }
    fn take(b: &[u8]) -> Option<Self> {
        Some(u32::from_be_bytes(b.try_into().ok()?))
    }
}
impl Prefixed for u128 {
    const SIZE: usize = 16;
    fn prefix16(&self) -> u32 {
        (self >> 112) as u32
    }
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes())
    }
    fn take(b: &[u8]) -> Option<Self> {
        Some(u128::from_be_bytes(b.try_into().ok()?))
    }
}

/// Sorted keys with a bucket index on their first bits (hash digests are uniform,
/// so each bucket holds ~4 keys: one or two cache misses per lookup instead of ~20
/// for a plain binary search over 1 M keys). Also used for IP addresses, where
/// buckets are uneven but the index is never worse than the binary search.
#[derive(Debug, Clone)]
struct Indexed<K> {
    sorted: Sorted<K>,
    bits: u32,
    index: Vec<u32>,
}

impl<K> Default for Indexed<K> {
    fn default() -> Self {
        Indexed {
            sorted: Sorted::default(),
            bits: 0,
            index: Vec::new(),
        }
    }
}

impl<K: Prefixed> Indexed<K> {
    fn from_sorted(sorted: Sorted<K>) -> Self {
        let n = sorted.keys.len();
        let mut bits = 0u32;
        while bits < 16 && (1usize << (bits + 1)) * 4 <= n {
            bits += 1;
        }
        let mut index = Vec::new();
        if n > 0 {
            index.reserve((1 << bits) + 1);
            let mut j = 0usize;
            for bucket in 0..(1u32 << bits) {
                while j < n && Self::prefix(&sorted.keys[j], bits) < bucket {
                    j += 1;
                }
                index.push(j as u32);
            }
            index.push(n as u32);
        }
        Indexed {
            sorted,
            bits,
            index,
        }
    }
    fn prefix(k: &K, bits: u32) -> u32 {
        if bits == 0 {
            0
        } else {
            k.prefix16() >> (16 - bits)
        }
    }
    fn get(&self, k: &K) -> Option<u32> {
        if self.index.is_empty() {
            return None;
        }
        let b = Self::prefix(k, self.bits) as usize;
        let (lo, hi) = (self.index[b] as usize, self.index[b + 1] as usize);
        let i = lo + self.sorted.keys[lo..hi].binary_search(k).ok()?;
        Some(self.sorted.payloads.get(i).copied().unwrap_or(NONE))
    }
    fn len(&self) -> usize {
        self.sorted.keys.len()
    }
    fn bytes(&self) -> usize {
        self.sorted.bytes() + self.index.capacity() * 4
    }
}

/// Kind-tagged strings in one arena with an open-addressing index.
#[derive(Debug, Clone, Default)]
pub(crate) struct StrTable {
    arena: Vec<u8>,
    offsets: Vec<u32>,
    payloads: Vec<u32>,
    table: Vec<u32>,
}

impl StrTable {
    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    pub(crate) fn payload(&self, i: usize) -> u32 {
        self.payloads.get(i).copied().unwrap_or(NONE)
    }
    pub(crate) fn entry(&self, i: usize) -> &[u8] {
        &self.arena[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    pub(crate) fn find(&self, key: &[u8]) -> Option<usize> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut p = hash_bytes(key) as usize & mask;
        loop {
            let idx = self.table[p];
            if idx == NONE {
                return None;
            }
            if self.entry(idx as usize) == key {
                return Some(idx as usize);
            }
            p = (p + 1) & mask;
        }
    }
    fn grow(&mut self) {
        self.rehash((self.len() * 2 + 16).next_power_of_two());
    }
    /// Room for `entries` more keys of `bytes` in all, allocated once (see [`SetBuilder::reserve`]).
    fn reserve(&mut self, entries: usize, bytes: usize) {
        // an estimate: no room is no error (the vectors then grow as usual)
        if self.arena.try_reserve_exact(bytes).is_err() || self.offsets.try_reserve_exact(entries + 1).is_err() {
            return;
        }
        // the table as `insert` would have grown it for that many (load factor <= 0.7)
        let total = self.len().saturating_add(entries);
        if total < usize::MAX / 16 && total * 10 > self.table.len() * 7 {
            self.rehash((total * 10 / 7 + 1).next_power_of_two());
        }
    }
    fn rehash(&mut self, cap: usize) {
        self.table = vec![NONE; cap];
        let mask = cap - 1;
        for i in 0..self.len() {
            let mut p = hash_bytes(self.entry(i)) as usize & mask;
            while self.table[p] != NONE {
                p = (p + 1) & mask;
            }
            self.table[p] = i as u32;
        }
    }
    pub(crate) fn insert(&mut self, key: &[u8], payload: u32) -> Result<(), SetError> {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        if let Some(i) = self.find(key) {
            if payload != NONE {
                self.set_payload(i, payload);
            }
            return Ok(());
        }
        if self.arena.len() + key.len() >= u32::MAX as usize || self.len() + 1 >= NONE as usize {
            return Err(SetError::Full);
        }
        // keep load factor <= 0.7
        if (self.len() + 1) * 10 > self.table.len() * 7 {
            self.grow();
        }
        let i = self.len();
        self.arena.extend_from_slice(key);
        self.offsets.push(self.arena.len() as u32);
        if payload != NONE {
            self.set_payload(i, payload);
        }
        let mask = self.table.len() - 1;
        let mut p = hash_bytes(key) as usize & mask;
        while self.table[p] != NONE {
            p = (p + 1) & mask;
        }
        self.table[p] = i as u32;
        Ok(())
    }
    pub(crate) fn set_payload(&mut self, i: usize, payload: u32) {
        if self.payloads.len() <= i {
            self.payloads.resize(self.len().max(i + 1), NONE);
        }
        self.payloads[i] = payload;
    }
    pub(crate) fn get(&self, key: &[u8]) -> Option<u32> {
        let i = self.find(key)?;
        Some(self.payloads.get(i).copied().unwrap_or(NONE))
    }
    fn shrink(&mut self) {
        self.arena.shrink_to_fit();
        self.offsets.shrink_to_fit();
        if !self.payloads.is_empty() {
            self.payloads.resize(self.len(), NONE);
        }
        self.payloads.shrink_to_fit();
    }
    pub(crate) fn bytes(&self) -> usize {
        self.arena.capacity()
            + self.offsets.capacity() * 4
            + self.payloads.capacity() * 4
            + self.table.capacity() * 4
    }
}

/// CIDR ranges of one family: sorted (prefix, network) + distinct prefixes.
#[derive(Debug, Clone)]
struct Cidrs<K> {
    set: Sorted<(u8, K)>,
    prefixes: Vec<u8>,
}

impl<K> Default for Cidrs<K> {
    fn default() -> Self {
        Cidrs {
            set: Sorted::default(),
            prefixes: Vec::new(),
        }
    }
}

/// Builder for [`IndicatorSet`].
#[derive(Debug, Clone, Default)]
pub struct SetBuilder {
    opts: SetOptions,
    md5: Column<[u8; 16]>,
    sha1: Column<[u8; 20]>,
    sha256: Column<[u8; 32]>,
    sha512: Column<[u8; 64]>,
    v4: Column<u32>,
    v6: Column<u128>,
    v4c: Column<(u8, u32)>,
    v6c: Column<(u8, u128)>,
    strs: StrTable,
}

/// One kind's entries while building: the keys, and payloads only once one is given.
/// Without payloads the keys are sorted where they are at build time, so building
/// never holds a second copy of them (wasm memory keeps its high-water mark).
#[derive(Debug, Clone)]
struct Column<K> {
    keys: Vec<K>,
    payloads: Option<Vec<u32>>,
}

impl<K> Default for Column<K> {
    fn default() -> Self {
        Column {
            keys: Vec::new(),
            payloads: None,
        }
    }
}

impl<K: Ord + Copy> Column<K> {
    fn reserve(&mut self, n: usize) {
        let _ = self.keys.try_reserve_exact(n); // an estimate: no room is no error
    }

    fn push(&mut self, k: K, p: u32) {
        if p != NONE && self.payloads.is_none() {
            self.payloads = Some(vec![NONE; self.keys.len()]);
        }
        if let Some(ps) = &mut self.payloads {
            ps.push(p);
        }
        self.keys.push(k);
    }

    fn into_sorted(self) -> Sorted<K> {
        match self.payloads {
            None => {
                let mut keys = self.keys;
                heap_sort(&mut keys, |a, b| a < b);
                keys.dedup();
                Sorted {
                    keys,
                    payloads: Vec::new(),
                }
            }
            Some(ps) => Sorted::with_payloads(self.keys.into_iter().zip(ps).collect()),
        }
    }
}

/// Hex digit values; 0xff for non-hex bytes.
static HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0xff,
        };
        i += 1;
    }
    t
};

fn hex_to<const N: usize>(s: &str) -> Option<[u8; N]> {
    let b = s.as_bytes();
    if b.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    let mut bad = 0u8;
    for i in 0..N {
        let hi = HEX[b[2 * i] as usize];
        let lo = HEX[b[2 * i + 1] as usize];
        bad |= hi | lo;
        out[i] = (hi << 4) | (lo & 0x0f);
    }
    (bad & 0xf0 == 0).then_some(out)
}

/// Normalised string key (kind tag + text) for string-stored kinds.
fn str_key(kind: IocKind, value: &str) -> Option<Vec<u8>> {
    if kind == IocKind::Domain && value.is_ascii() {
        let v = value.trim_end_matches('.');
        let mut k = Vec::with_capacity(v.len() + 1);
        k.push(kind as u8);
        k.extend(v.bytes().map(|c| c.to_ascii_lowercase()));
        return Some(k);
    }
    let body: String = match kind {
        IocKind::Domain => punycode::domain_to_ascii(value.trim_end_matches('.'))?,
        IocKind::Url => url_key(value)?,
        IocKind::Email => {
            let (l, d) = value.rsplit_once('@')?;
            format!("{}@{}", punycode::lower(l), punycode::domain_to_ascii(d)?)
        }
        IocKind::Cve => value.to_ascii_uppercase(),
        IocKind::Asn => format!(
            "AS{}",
            value.trim_start_matches(|c: char| !c.is_ascii_digit())
        ),
        IocKind::Btc => value.to_string(),
        _ => return None,
    };
    let mut k = Vec::with_capacity(body.len() + 1);
    k.push(kind as u8);
    k.extend_from_slice(body.as_bytes());
    Some(k)
}

/// URL key: scheme dropped for http/https (kept otherwise), host lower-case punycode,
/// default port dropped, a path of just `/` dropped.
fn url_key(v: &str) -> Option<String> {
    let (scheme, rest) = match punycode::scheme_end(v) {
        Some(p) => (v[..p].to_ascii_lowercase(), &v[p + 3..]),
        None => (String::from("http"), v),
    };
    let auth_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_len];
    let mut tail = &rest[auth_len..];
    let (user, hp) = match auth.rfind('@') {
        Some(i) => (&auth[..=i], &auth[i + 1..]),
        None => ("", auth),
    };
    let (host, port) = if hp.starts_with('[') {
        let e = hp.find(']').map_or(hp.len(), |i| i + 1);
        (hp[..e].to_ascii_lowercase(), &hp[e..])
    } else {
        let e = hp.rfind(':').unwrap_or(hp.len());
        (
            punycode::domain_to_ascii(hp[..e].trim_end_matches('.'))?,
            &hp[e..],
        )
    };
    let port = match (scheme.as_str(), port) {
        ("http", ":80") | ("https", ":443") => "",
        (_, p) => p,
    };
    if tail == "/" {
        tail = "";
    }
    let scheme_part = if scheme == "http" || scheme == "https" {
        String::new()
    } else {
        format!("{scheme}://")
    };
    Some(format!("{scheme_part}{user}{host}{port}{tail}"))
}

impl SetBuilder {
    /// Room for `n` more entries shaped like the byte keys in `sample` (the recognised ones of
    /// `sampled` values drawn evenly from them; see `LiveSet::begin_bulk_sized`), 4 % spare: a bulk load then fills vectors
    /// allocated once, where growth by doubling would leave each old buffer behind as a hole
    /// in wasm memory, which never shrinks. Past the estimate, vectors grow as usual.
    pub(crate) fn reserve(&mut self, n: usize, sampled: usize, sample: &[Vec<u8>]) {
        if sampled == 0 {
            return;
        }
        // u64: count * n overflows a wasm32 usize (38 KB of sampled keys * 1 M values)
        let share = |count: usize| {
            let est = count as u64 * n as u64 / sampled as u64 * 104 / 100 + 16;
            usize::try_from(est).unwrap_or(0)
        };
        let mut counts = [0usize; 16];
        let (mut strs, mut str_bytes) = (0, 0);
        for k in sample {
            match k.first() {
                Some(&t) if string_tag(t) => {
                    strs += 1;
                    str_bytes += k.len();
                    counts[usize::from(t)] += 1;
                }
                Some(&t) => counts[usize::from(t) & 15] += 1,
                None => {}
            }
        }
        self.v4.reserve(share(counts[0]));
        self.v6.reserve(share(counts[1]));
        self.md5.reserve(share(counts[5]));
        self.sha1.reserve(share(counts[6]));
        self.sha256.reserve(share(counts[7]));
        self.sha512.reserve(share(counts[8]));
        self.v4c.reserve(share(counts[usize::from(TAG_CIDR4)]));
        self.v6c.reserve(share(counts[usize::from(TAG_CIDR6)]));
        self.strs.reserve(share(strs), share(str_bytes));
    }

    /// Add `value` of `kind` (validated and normalised as extraction does; CIDR
    /// ranges accepted for IPv4/IPv6).
    pub fn insert(
        &mut self,
        kind: IocKind,
        value: &str,
        payload: Option<u32>,
    ) -> Result<(), SetError> {
        let p = payload.unwrap_or(NONE);
        let v = value.trim();
        let invalid = || SetError::Invalid {
            kind,
            value: v.to_string(),
        };
        // CIDR entries
        if matches!(kind, IocKind::Ipv4 | IocKind::Ipv6) {
            if let Some((a, pfx)) = v.split_once('/') {
                let pfx: u8 = pfx.parse().map_err(|_| invalid())?;
                if kind == IocKind::Ipv4 {
                    let ip = parse_ipv4(a).ok_or_else(invalid)?;
                    if pfx > 32 {
                        return Err(invalid());
                    }
                    let net = u32::from(ip) & mask4(pfx);
                    self.v4c.push((pfx, net), p);
                } else {
                    let ip: Ipv6Addr = a.parse().map_err(|_| invalid())?;
                    if pfx > 128 {
                        return Err(invalid());
                    }
                    self.v6c.push((pfx, u128::from(ip) & mask6(pfx)), p);
                }
                return Ok(());
            }
        }
        let c = classify_lenient(v).map_err(|_| invalid())?;
        let same_family = c.kind == kind
            || (kind == IocKind::Domain && c.kind == IocKind::Domain)
            || matches!((kind, c.kind), (IocKind::Url, IocKind::Url));
        if !same_family {
            return Err(invalid());
        }
        self.insert_canonical(c.kind, &c.value, p)
    }

    /// Add a value of any kind (kind detected with `classify`).
    pub fn insert_value(&mut self, value: &str, payload: Option<u32>) -> Result<(), SetError> {
        match classify_lenient(value) {
            Ok(c) => self.insert(c.kind, value, payload),
            Err(_) => {
                // maybe a CIDR range
                let kind = if value.contains(':') {
                    IocKind::Ipv6
                } else {
                    IocKind::Ipv4
                };
                if value.contains('/') && self.insert(kind, value, payload).is_ok() {
                    return Ok(());
                }
                Err(SetError::Unrecognized(value.to_string()))
            }
        }
    }

    fn insert_canonical(&mut self, kind: IocKind, v: &str, p: u32) -> Result<(), SetError> {
        let bad = || SetError::Invalid {
            kind,
            value: v.to_string(),
        };
        match kind {
            IocKind::Md5 => self.md5.push(hex_to(v).ok_or_else(bad)?, p),
            IocKind::Sha1 => self.sha1.push(hex_to(v).ok_or_else(bad)?, p),
            IocKind::Sha256 => self.sha256.push(hex_to(v).ok_or_else(bad)?, p),
            IocKind::Sha512 => self.sha512.push(hex_to(v).ok_or_else(bad)?, p),
            IocKind::Ipv4 => self.v4.push(u32::from(parse_ipv4(v).ok_or_else(bad)?), p),
            IocKind::Ipv6 => self.v6.push(u128::from(v.parse::<Ipv6Addr>().map_err(|_| bad())?), p),
            _ => {
                let key = str_key(kind, v).ok_or_else(bad)?;
                self.strs.insert(&key, p)?;
            }
        }
        Ok(())
    }

    /// Add an entry by byte key (see [`TAG_CIDR4`]), as produced by [`entry_key`] or
    /// [`IndicatorSet::drain_keys`]; `payload` is raw (`NONE` for none).
    pub(crate) fn insert_key(&mut self, k: &[u8], p: u32) -> Result<(), SetError> {
        let (&tag, b) = k.split_first().ok_or(SetError::Full)?;
        let bad = || SetError::Unrecognized(String::from_utf8_lossy(k).into_owned());
        fn push<K: Prefixed>(v: &mut Column<K>, b: &[u8], p: u32) -> Option<()> {
            v.push(K::take(b)?, p);
            Some(())
        }
        fn cidr<K: Prefixed>(v: &mut Column<(u8, K)>, b: &[u8], p: u32) -> Option<()> {
            let (&pfx, net) = b.split_first()?;
            v.push((pfx, K::take(net)?), p);
            Some(())
        }
        match tag {
            5 => push(&mut self.md5, b, p),
            6 => push(&mut self.sha1, b, p),
            7 => push(&mut self.sha256, b, p),
            8 => push(&mut self.sha512, b, p),
            0 => push(&mut self.v4, b, p),
            1 => push(&mut self.v6, b, p),
            TAG_CIDR4 => cidr(&mut self.v4c, b, p),
            TAG_CIDR6 => cidr(&mut self.v6c, b, p),
            t if string_tag(t) => return self.strs.insert(k, p),
            _ => None,
        }
        .ok_or_else(bad)
    }

    /// Freeze into an [`IndicatorSet`].
    pub fn build(self) -> IndicatorSet {
        let mut strs = self.strs;
        strs.shrink();
        let cidrs4 = self.v4c.into_sorted();
        let cidrs6 = self.v6c.into_sorted();
        let mut p4: Vec<u8> = cidrs4.keys.iter().map(|k| k.0).collect();
        p4.dedup();
        p4.reverse();
        let mut p6: Vec<u8> = cidrs6.keys.iter().map(|k| k.0).collect();
        p6.dedup();
        p6.reverse();
        IndicatorSet {
            opts: self.opts,
            md5: Indexed::from_sorted(self.md5.into_sorted()),
            sha1: Indexed::from_sorted(self.sha1.into_sorted()),
            sha256: Indexed::from_sorted(self.sha256.into_sorted()),
            sha512: Indexed::from_sorted(self.sha512.into_sorted()),
            v4: Indexed::from_sorted(self.v4.into_sorted()),
            v6: Indexed::from_sorted(self.v6.into_sorted()),
            v4c: Cidrs {
                set: cidrs4,
                prefixes: p4,
            },
            v6c: Cidrs {
                set: cidrs6,
                prefixes: p6,
            },
            strs,
        }
    }
}

/// The lookup behind every query: probes the byte keys `v` (canonical, of `kind`) can
/// match, in order: the value itself, then (IPs) each CIDR prefix in `p4`/`p6`, then
/// (domains with `suffix`) each parent domain of two labels or more.
/// `Some((entry, raw payload))` on a hit; `entry` is `None` when the entry is `v` itself.
pub(crate) fn lookup_with(
    kind: IocKind,
    v: &str,
    suffix: bool,
    p4: &[u8],
    p6: &[u8],
    probe: &mut dyn FnMut(&[u8]) -> Option<u32>,
) -> Option<(Option<String>, u32)> {
    fn ip<K: Prefixed + core::ops::BitAnd<Output = K>>(
        tag: u8,
        ip: K,
        pfxs: &[u8],
        mask: fn(u8) -> K,
        show: fn(K) -> String,
        probe: &mut dyn FnMut(&[u8]) -> Option<u32>,
    ) -> Option<(Option<String>, u32)> {
        let mut k = vec![tag];
        ip.put(&mut k);
        if let Some(p) = probe(&k) {
            return Some((None, p));
        }
        for &pfx in pfxs {
            let net = ip & mask(pfx);
            k.clear();
            k.extend_from_slice(&[tag + TAG_CIDR4, pfx]);
            net.put(&mut k);
            if let Some(p) = probe(&k) {
                return Some((Some(format!("{}/{pfx}", show(net))), p));
            }
        }
        None
    }
    let hit = |p: Option<u32>| p.map(|p| (None, p));
    match kind {
        IocKind::Ipv4 => ip(
            0,
            u32::from(parse_ipv4(v)?),
            p4,
            mask4,
            |n| std::net::Ipv4Addr::from(n).to_string(),
            probe,
        ),
        IocKind::Ipv6 => ip(
            1,
            u128::from(v.parse::<Ipv6Addr>().ok()?),
            p6,
            mask6,
            |n| Ipv6Addr::from(n).to_string(),
            probe,
        ),
        IocKind::Domain => {
            // ASCII names up to 253 bytes: key built in a stack buffer, no allocation
            let mut buf = [0u8; 256];
            let mut heap;
            let key: &mut [u8] = if v.is_ascii() && v.len() < buf.len() {
                buf[0] = kind as u8;
                for (d, c) in buf[1..=v.len()].iter_mut().zip(v.bytes()) {
                    *d = c.to_ascii_lowercase();
                }
                let mut l = v.len() + 1;
                if buf[l - 1] == b'.' {
                    l -= 1;
                }
                &mut buf[..l]
            } else {
                heap = str_key(kind, v)?;
                &mut heap
            };
            if let Some(p) = probe(key) {
                return Some((None, p));
            }
            if !suffix {
                return None;
            }
            // each parent with at least two labels: put the tag just before it
            let mut j = 1;
            while let Some(dot) = key[j..].iter().position(|&c| c == b'.') {
                let start = j + dot; // index of the '.'
                if !key[start + 1..].contains(&b'.') {
                    return None;
                }
                key[start] = kind as u8;
                if let Some(p) = probe(&key[start..]) {
                    let name = String::from_utf8_lossy(&key[start + 1..]);
                    return Some((Some(punycode::domain_to_unicode(&name)), p));
                }
                j = start + 1;
            }
            None
        }
        IocKind::Md5 => hit(probe(&hash_key::<16>(kind, v)?)),
        IocKind::Sha1 => hit(probe(&hash_key::<20>(kind, v)?)),
        IocKind::Sha256 => hit(probe(&hash_key::<32>(kind, v)?)),
        IocKind::Sha512 => hit(probe(&hash_key::<64>(kind, v)?)),
        _ => hit(probe(&str_key(kind, v)?)),
    }
}

fn hash_key<const N: usize>(kind: IocKind, v: &str) -> Option<Vec<u8>> {
    let mut k = vec![kind as u8];
    k.extend_from_slice(&hex_to::<N>(v)?);
    Some(k)
}

/// The byte key of one entry: a canonical value of `kind`, or for IPv4/IPv6 a CIDR
/// range `addr/prefix` (host bits cleared). `None` if `v` is not valid for `kind`.
pub(crate) fn entry_key(kind: IocKind, v: &str) -> Option<Vec<u8>> {
    if matches!(kind, IocKind::Ipv4 | IocKind::Ipv6) {
        if let Some((a, pfx)) = v.split_once('/') {
            let pfx: u8 = pfx.parse().ok()?;
            let mut k = vec![kind as u8 + TAG_CIDR4, pfx];
            if kind == IocKind::Ipv4 {
                (pfx <= 32).then_some(())?;
                (u32::from(parse_ipv4(a)?) & mask4(pfx)).put(&mut k);
            } else {
                (pfx <= 128).then_some(())?;
                (u128::from(a.parse::<Ipv6Addr>().ok()?) & mask6(pfx)).put(&mut k);
            }
            return Some(k);
        }
        let mut k = vec![kind as u8];
        if kind == IocKind::Ipv4 {
            u32::from(parse_ipv4(v)?).put(&mut k);
        } else {
            u128::from(v.parse::<Ipv6Addr>().ok()?).put(&mut k);
        }
        return Some(k);
    }
    match kind {
        IocKind::Md5 => hash_key::<16>(kind, v),
        IocKind::Sha1 => hash_key::<20>(kind, v),
        IocKind::Sha256 => hash_key::<32>(kind, v),
        IocKind::Sha512 => hash_key::<64>(kind, v),
        _ => str_key(kind, v),
    }
}

fn mask4(p: u8) -> u32 {
    if p == 0 {
        0
    } else {
        u32::MAX << (32 - p as u32)
    }
}
fn mask6(p: u8) -> u128 {
    if p == 0 {
        0
    } else {
        u128::MAX << (128 - p as u32)
    }
}

/// A frozen, compact indicator set.
#[derive(Debug, Clone, Default)]
pub struct IndicatorSet {
    opts: SetOptions,
    md5: Indexed<[u8; 16]>,
    sha1: Indexed<[u8; 20]>,
    sha256: Indexed<[u8; 32]>,
    sha512: Indexed<[u8; 64]>,
    v4: Indexed<u32>,
    v6: Indexed<u128>,
    v4c: Cidrs<u32>,
    v6c: Cidrs<u128>,
    strs: StrTable,
}

fn opt(p: u32) -> Option<u32> {
    (p != NONE).then_some(p)
}

/// The byte keys of one part, in order: `tag`, the prefix length of a range, the key;
/// with each entry's payload (`payloads` empty: none).
fn visit_part<K: Prefixed>(
    tag: u8,
    keys: impl Iterator<Item = (Option<u8>, K)>,
    payloads: &[u32],
    f: &mut dyn FnMut(&[u8], u32),
) {
    let mut k = Vec::with_capacity(K::SIZE + 2);
    for (i, (pfx, key)) in keys.enumerate() {
        k.clear();
        k.push(tag);
        k.extend(pfx);
        key.put(&mut k);
        f(&k, payloads.get(i).copied().unwrap_or(NONE));
    }
}

impl IndicatorSet {
    /// Start building a set.
    pub fn builder(opts: SetOptions) -> SetBuilder {
        SetBuilder {
            opts,
            ..SetBuilder::default()
        }
    }

    /// Build from (kind, value) pairs; returns the set and the rejected entries.
    pub fn from_pairs<'a, I>(pairs: I, opts: SetOptions) -> (IndicatorSet, Vec<SetError>)
    where
        I: IntoIterator<Item = (IocKind, &'a str, Option<u32>)>,
    {
        let mut b = IndicatorSet::builder(opts);
        let mut errs = Vec::new();
        for (k, v, p) in pairs {
            if let Err(e) = b.insert(k, v, p) {
                errs.push(e);
            }
        }
        (b.build(), errs)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.md5.len()
            + self.sha1.len()
            + self.sha256.len()
            + self.sha512.len()
            + self.v4.len()
            + self.v6.len()
            + self.v4c.set.keys.len()
            + self.v6c.set.keys.len()
            + self.strs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes used (for the bytes/indicator figure).
    pub fn heap_bytes(&self) -> usize {
        self.md5.bytes()
            + self.sha1.bytes()
            + self.sha256.bytes()
            + self.sha512.bytes()
            + self.v4.bytes()
            + self.v6.bytes()
            + self.v4c.set.bytes()
            + self.v6c.set.bytes()
            + self.strs.bytes()
    }

    /// Look up a canonical value of a known kind.
    /// `Some((entry, payload))` on a hit; `entry` is `None` when the entry is `v` itself.
    fn lookup_canonical(&self, kind: IocKind, v: &str) -> Option<(Option<String>, Option<u32>)> {
        let (p4, p6) = (&self.v4c.prefixes, &self.v6c.prefixes);
        lookup_with(kind, v, self.opts.domain_suffix, p4, p6, &mut |k| {
            self.get_key(k)
        })
        .map(|(e, p)| (e, opt(p)))
    }

    /// Exact lookup of a byte key (see [`TAG_CIDR4`]); the raw payload (`NONE` if none).
    pub(crate) fn get_key(&self, k: &[u8]) -> Option<u32> {
        let (&tag, b) = k.split_first()?;
        fn cidr<K: Prefixed>(c: &Cidrs<K>, b: &[u8]) -> Option<u32> {
            let (&pfx, net) = b.split_first()?;
            c.set.get(&(pfx, K::take(net)?))
        }
        match tag {
            5 => self.md5.get(&Prefixed::take(b)?),
            6 => self.sha1.get(&Prefixed::take(b)?),
            7 => self.sha256.get(&Prefixed::take(b)?),
            8 => self.sha512.get(&Prefixed::take(b)?),
            0 => self.v4.get(&Prefixed::take(b)?),
            1 => self.v6.get(&Prefixed::take(b)?),
            TAG_CIDR4 => cidr(&self.v4c, b),
            TAG_CIDR6 => cidr(&self.v6c, b),
            _ => self.strs.get(k),
        }
    }

    /// The options the set was built with.
    pub fn options(&self) -> &SetOptions {
        &self.opts
    }

    /// CIDR prefix lengths present (IPv4, IPv6), longest first.
    pub(crate) fn prefixes(&self) -> (&[u8], &[u8]) {
        (&self.v4c.prefixes, &self.v6c.prefixes)
    }

    /// Call `f(key, payload)` for every entry's byte key (see [`TAG_CIDR4`]).
    pub(crate) fn for_each_key(&self, f: &mut dyn FnMut(&[u8], u32)) {
        fn sorted<K: Prefixed>(tag: u8, s: &Sorted<K>, f: &mut dyn FnMut(&[u8], u32)) {
            visit_part(tag, s.keys.iter().map(|&k| (None, k)), &s.payloads, f);
        }
        fn cidrs<K: Prefixed>(tag: u8, c: &Cidrs<K>, f: &mut dyn FnMut(&[u8], u32)) {
            visit_part(tag, c.set.keys.iter().map(|&(p, k)| (Some(p), k)), &c.set.payloads, f);
        }
        sorted(5, &self.md5.sorted, f);
        sorted(6, &self.sha1.sorted, f);
        sorted(7, &self.sha256.sorted, f);
        sorted(8, &self.sha512.sorted, f);
        sorted(0, &self.v4.sorted, f);
        sorted(1, &self.v6.sorted, f);
        cidrs(TAG_CIDR4, &self.v4c, f);
        cidrs(TAG_CIDR6, &self.v6c, f);
        for i in 0..self.strs.len() {
            f(self.strs.entry(i), self.strs.payload(i));
        }
    }

    /// Consume the set, calling `f(key, payload)` for every entry; each part is freed
    /// once visited, so a merge holds little more than one copy of the data.
    pub(crate) fn drain_keys(self, f: &mut dyn FnMut(&[u8], u32)) {
        fn sorted<K: Prefixed>(tag: u8, s: Sorted<K>, f: &mut dyn FnMut(&[u8], u32)) {
            visit_part(tag, s.keys.into_iter().map(|k| (None, k)), &s.payloads, f);
        }
        fn cidrs<K: Prefixed>(tag: u8, c: Cidrs<K>, f: &mut dyn FnMut(&[u8], u32)) {
            visit_part(tag, c.set.keys.into_iter().map(|(p, k)| (Some(p), k)), &c.set.payloads, f);
        }
        let IndicatorSet {
            md5,
            sha1,
            sha256,
            sha512,
            v4,
            v6,
            v4c,
            v6c,
            strs,
            ..
        } = self;
        sorted(5, md5.sorted, f);
        sorted(6, sha1.sorted, f);
        sorted(7, sha256.sorted, f);
        sorted(8, sha512.sorted, f);
        sorted(0, v4.sorted, f);
        sorted(1, v6.sorted, f);
        cidrs(TAG_CIDR4, v4c, f);
        cidrs(TAG_CIDR6, v6c, f);
        for i in 0..strs.len() {
            f(strs.entry(i), strs.payload(i));
        }
    }

    /// Visit every payload slot (to renumber payloads).
    pub(crate) fn payloads_mut(&mut self, f: &mut dyn FnMut(&mut u32)) {
        for v in [
            &mut self.md5.sorted.payloads,
            &mut self.sha1.sorted.payloads,
            &mut self.sha256.sorted.payloads,
            &mut self.sha512.sorted.payloads,
            &mut self.v4.sorted.payloads,
            &mut self.v6.sorted.payloads,
            &mut self.v4c.set.payloads,
            &mut self.v6c.set.payloads,
            &mut self.strs.payloads,
        ] {
            v.iter_mut().for_each(&mut *f);
        }
    }

    /// Look up `value` of `kind` (normalised first); the payload on a hit.
    pub fn get(&self, kind: IocKind, value: &str) -> Option<Option<u32>> {
        let c = classify_lenient(value).ok()?;
        if c.kind != kind {
            return None;
        }
        self.lookup_canonical(c.kind, &c.value).map(|x| x.1)
    }

    /// Is `value` (any kind, possibly defanged) in the set?
    pub fn contains(&self, value: &str) -> bool {
        match classify_lenient(value) {
            Ok(c) => self.lookup_canonical(c.kind, &c.value).is_some(),
            Err(_) => false,
        }
    }

    /// Extract IOCs from `text` and return those in the set.
    pub fn match_text(&self, text: &str, opts: &ExtractOptions) -> Vec<SetMatch> {
        extract_iocs(text, opts)
            .into_iter()
            .filter_map(|ioc| {
                let (entry, payload) = self.lookup_canonical(ioc.kind, &ioc.value)?;
                let entry = entry.unwrap_or_else(|| ioc.value.clone());
                Some(SetMatch {
                    ioc,
                    entry,
                    payload,
                })
            })
            .collect()
    }
}

// ------------------------------------------------------------------ snapshot

/// Snapshot magic and format version ([`IndicatorSet::to_snapshot`]).
const MAGIC: &[u8; 4] = b"CTIS";
const VERSION: u16 = 1;
const HEADER: usize = 16;

/// Why a snapshot was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid indicator set snapshot: {0}")]
pub struct SnapshotError(pub &'static str);

/// Reads a snapshot from a source of bytes in pieces (`read(offset, buf)` fills `buf`
/// from `offset`), so a snapshot held outside wasm memory (a JS `Uint8Array`) is never
/// copied in whole: the peak is the set itself plus one chunk.
struct Reader<'a> {
    read: &'a mut dyn FnMut(usize, &mut [u8]),
    pos: usize,
    end: usize,
}

/// Bytes per piece when reading arrays.
const CHUNK: usize = 64 * 1024;

impl Reader<'_> {
    /// Fill `buf` with the next bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), SnapshotError> {
        if buf.len() > self.end - self.pos {
            return Err(SnapshotError("truncated"));
        }
        (self.read)(self.pos, buf);
        self.pos += buf.len();
        Ok(())
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let mut b = [0u8; 4];
        self.fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// `n` items of `size` bytes, handed to `f` a chunk at a time (checked against what
    /// is left before anything is allocated).
    fn items(&mut self, n: usize, size: usize, f: &mut dyn FnMut(&[u8]) -> Result<(), SnapshotError>) -> Result<(), SnapshotError> {
        let total = n.checked_mul(size).ok_or(SnapshotError("truncated"))?;
        if total > self.end - self.pos {
            return Err(SnapshotError("truncated"));
        }
        let per = (CHUNK / size.max(1)).max(1) * size;
        let mut buf = vec![0u8; per.min(total)];
        let mut left = total;
        while left > 0 {
            let k = per.min(left);
            self.fill(&mut buf[..k])?;
            f(&buf[..k])?;
            left -= k;
        }
        Ok(())
    }
    /// `n` raw bytes.
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, SnapshotError> {
        if n > self.end - self.pos {
            return Err(SnapshotError("truncated"));
        }
        let mut v = vec![0u8; n];
        self.fill(&mut v)?;
        Ok(v)
    }
    /// A column of `n` u32 (little-endian).
    fn u32s(&mut self, n: usize) -> Result<Vec<u32>, SnapshotError> {
        let mut out = Vec::new();
        self.items(n, 4, &mut |b| {
            out.reserve_exact(n - out.len());
            out.extend(b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
            Ok(())
        })?;
        Ok(out)
    }
    /// A payload column: its length (0 or `n`) then the values.
    fn payloads(&mut self, n: usize) -> Result<Vec<u32>, SnapshotError> {
        let m = self.u32()? as usize;
        if m != 0 && m != n {
            return Err(SnapshotError("payload column length"));
        }
        self.u32s(m)
    }
    /// Strictly ascending keys, each `pre` bytes of prefix then a `K`.
    fn sorted<K: Prefixed>(&mut self, pre: usize) -> Result<(Vec<u8>, Sorted<K>), SnapshotError> {
        let n = self.u32()? as usize;
        let mut pfx: Vec<u8> = Vec::new();
        let mut keys: Vec<K> = Vec::new();
        self.items(n, K::SIZE + pre, &mut |b| {
            keys.reserve_exact(n - keys.len());
            if pre > 0 {
                pfx.reserve_exact(n - pfx.len());
            }
            for c in b.chunks_exact(K::SIZE + pre) {
                let k = K::take(&c[pre..]).ok_or(SnapshotError("key"))?;
                let p = c.first().copied().filter(|_| pre > 0);
                if let (Some(&lk), Some(&lp)) = (keys.last(), pfx.last()) {
                    if (p, k) <= (Some(lp), lk) {
                        return Err(SnapshotError("keys not sorted"));
                    }
                } else if let (Some(&lk), None) = (keys.last(), p) {
                    if k <= lk {
                        return Err(SnapshotError("keys not sorted"));
                    }
                }
                if let Some(p) = p {
                    pfx.push(p);
                }
                keys.push(k);
            }
            Ok(())
        })?;
        let payloads = self.payloads(n)?;
        Ok((pfx, Sorted { keys, payloads }))
    }
}

/// [`hash_bytes`] of `len` bytes read in pieces from `read` starting at `from`.
fn hash_source(read: &mut dyn FnMut(usize, &mut [u8]), from: usize, len: usize) -> u64 {
    let mut h = WordHash::new(len);
    let mut buf = vec![0u8; CHUNK.min(len)];
    let mut off = 0;
    while off < len {
        // CHUNK is a multiple of 8: only the last piece has a remainder
        let k = CHUNK.min(len - off);
        read(from + off, &mut buf[..k]);
        h.feed(&buf[..k]);
        off += k;
    }
    h.finish()
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_le_bytes());
}

fn put_sorted<K: Prefixed>(out: &mut Vec<u8>, s: &Sorted<K>, pfx: Option<&[u8]>) {
    put_u32(out, s.keys.len());
    for (i, k) in s.keys.iter().enumerate() {
        if let Some(p) = pfx {
            out.push(p[i]);
        }
        k.put(out);
    }
    put_u32(out, s.payloads.len());
    s.payloads
        .iter()
        .for_each(|p| out.extend_from_slice(&p.to_le_bytes()));
}

fn put_cidrs<K: Prefixed>(out: &mut Vec<u8>, c: &Cidrs<K>) {
    let (pfx, nets): (Vec<u8>, Vec<K>) = c.set.keys.iter().copied().unzip();
    put_sorted(
        out,
        &Sorted {
            keys: nets,
            payloads: c.set.payloads.clone(),
        },
        Some(&pfx),
    );
}

fn read_cidrs<K: Prefixed>(r: &mut Reader) -> Result<Cidrs<K>, SnapshotError> {
    let (pfx, s) = r.sorted::<K>(1)?;
    if pfx.iter().any(|&p| p as usize > K::SIZE * 8) {
        return Err(SnapshotError("prefix length"));
    }
    let mut prefixes = pfx.clone();
    prefixes.dedup();
    prefixes.reverse();
    Ok(Cidrs {
        set: Sorted {
            keys: pfx.into_iter().zip(s.keys).collect(),
            payloads: s.payloads,
        },
        prefixes,
    })
}

impl IndicatorSet {
    /// A versioned, checksummed binary image of the set (little-endian):
    /// `"CTIS"`, version u16, flags u16 (bit 0: domain suffix matching), checksum u64
    /// (of everything after the header), then the md5, sha1, sha256, sha512, IPv4, IPv6,
    /// IPv4-range and IPv6-range columns (count u32, big-endian keys, payload count u32
    /// (0 or count), payloads u32), the string table (count u32, arena length u32,
    /// end offsets u32 × count, arena bytes, payload column) and `extra` (length u32,
    /// bytes). Hash tables and bucket indexes are rebuilt on load.
    pub fn to_snapshot(&self, extra: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + self.heap_bytes() + extra.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&u16::from(self.opts.domain_suffix).to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        put_sorted(&mut out, &self.md5.sorted, None);
        put_sorted(&mut out, &self.sha1.sorted, None);
        put_sorted(&mut out, &self.sha256.sorted, None);
        put_sorted(&mut out, &self.sha512.sorted, None);
        put_sorted(&mut out, &self.v4.sorted, None);
        put_sorted(&mut out, &self.v6.sorted, None);
        put_cidrs(&mut out, &self.v4c);
        put_cidrs(&mut out, &self.v6c);
        let st = &self.strs;
        put_u32(&mut out, st.len());
        put_u32(&mut out, st.arena.len());
        st.offsets
            .iter()
            .skip(1)
            .for_each(|&o| put_u32(&mut out, o as usize));
        out.extend_from_slice(&st.arena);
        let np = if st.payloads.is_empty() { 0 } else { st.len() };
        put_u32(&mut out, np);
        (0..np).for_each(|i| out.extend_from_slice(&st.payload(i).to_le_bytes()));
        put_u32(&mut out, extra.len());
        out.extend_from_slice(extra);
        let sum = hash_bytes(&out[HEADER..]);
        out[8..16].copy_from_slice(&sum.to_le_bytes());
        out
    }

    /// Load a [`to_snapshot`](Self::to_snapshot) image; returns the set and `extra`.
    /// Every truncation or corruption is an error (checksum, then structure), never a panic.
    pub fn from_snapshot(b: &[u8]) -> Result<(IndicatorSet, Vec<u8>), SnapshotError> {
        Self::read_snapshot(b.len(), &mut |off, buf| buf.copy_from_slice(&b[off..off + buf.len()]))
    }

    /// [`from_snapshot`](Self::from_snapshot) from a source of `len` bytes read in pieces:
    /// `read(offset, buf)` fills `buf` (never past `len`). Two passes: the checksum, then
    /// the structure straight into the set's own arrays.
    pub fn read_snapshot(len: usize, read: &mut dyn FnMut(usize, &mut [u8])) -> Result<(IndicatorSet, Vec<u8>), SnapshotError> {
        let mut head = [0u8; HEADER];
        if len < HEADER {
            return Err(SnapshotError("not an indicator set snapshot"));
        }
        read(0, &mut head);
        if &head[..4] != MAGIC {
            return Err(SnapshotError("not an indicator set snapshot"));
        }
        if u16::from_le_bytes([head[4], head[5]]) != VERSION {
            return Err(SnapshotError("unsupported version"));
        }
        let flags = u16::from_le_bytes([head[6], head[7]]);
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&head[8..16]);
        if flags > 1 || hash_source(read, HEADER, len - HEADER) != u64::from_le_bytes(sum) {
            return Err(SnapshotError("checksum mismatch (corrupt or truncated)"));
        }
        let r = &mut Reader { read, pos: HEADER, end: len };
        let md5 = Indexed::from_sorted(r.sorted(0)?.1);
        let sha1 = Indexed::from_sorted(r.sorted(0)?.1);
        let sha256 = Indexed::from_sorted(r.sorted(0)?.1);
        let sha512 = Indexed::from_sorted(r.sorted(0)?.1);
        let v4 = Indexed::from_sorted(r.sorted(0)?.1);
        let v6 = Indexed::from_sorted(r.sorted(0)?.1);
        let v4c = read_cidrs(r)?;
        let v6c = read_cidrs(r)?;
        let n = r.u32()? as usize;
        let alen = r.u32()? as usize;
        let ends = r.u32s(n)?;
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        for o in ends {
            // every entry holds at least its tag
            if o as usize > alen || offsets.last().is_some_and(|&l| o <= l) {
                return Err(SnapshotError("string offsets"));
            }
            offsets.push(o);
        }
        if offsets.last().is_some_and(|&l| l as usize != alen) {
            return Err(SnapshotError("string offsets"));
        }
        let arena = r.bytes(alen)?;
        let payloads = r.payloads(n)?;
        let mut strs = StrTable {
            arena,
            offsets,
            payloads,
            table: Vec::new(),
        };
        for i in 0..strs.len() {
            if !string_tag(strs.entry(i)[0]) {
                return Err(SnapshotError("string entry kind"));
            }
        }
        if n > 0 {
            strs.grow();
        }
        let elen = r.u32()? as usize;
        let extra = r.bytes(elen)?;
        if r.pos != r.end {
            return Err(SnapshotError("trailing bytes"));
        }
        let set = IndicatorSet {
            opts: SetOptions {
                domain_suffix: flags & 1 != 0,
            },
            md5,
            sha1,
            sha256,
            sha512,
            v4,
            v6,
            v4c,
            v6c,
            strs,
        };
        Ok((set, extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_set() {
        let mut b = IndicatorSet::builder(SetOptions {
            domain_suffix: true,
        });
        b.insert(IocKind::Domain, "Evil.COM", Some(7)).unwrap();
        b.insert(
            IocKind::Sha256,
            "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F",
            Some(1),
        )
        .unwrap();
        b.insert(IocKind::Ipv4, "10.1.0.0/16", Some(2)).unwrap();
        b.insert(IocKind::Ipv4, "8.8.8.8", None).unwrap();
        b.insert(IocKind::Url, "HTTPS://Bad.example.org/x?y=1", Some(3))
            .unwrap();
        b.insert(IocKind::Domain, "はじめよう.みんな", Some(4))
            .unwrap();
        b.insert(IocKind::Ipv6, "2001:db8::/32", Some(5)).unwrap();
        b.insert_value("a@b.com", Some(6)).unwrap();
        assert!(b.insert(IocKind::Md5, "zz", None).is_err());
        let s = b.build();
        assert_eq!(s.len(), 8);
        assert!(s.contains("evil[.]com"));
        assert!(s.contains("a.b.EVIL.com"));
        assert!(!s.contains("com"));
        assert!(!s.contains("notevil.com"));
        assert_eq!(s.get(IocKind::Domain, "x.evil.com"), Some(Some(7)));
        assert!(s.contains("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
        assert_eq!(s.get(IocKind::Ipv4, "10.1.200.3"), Some(Some(2)));
        assert_eq!(s.get(IocKind::Ipv4, "8.8.8.8"), Some(None));
        assert!(!s.contains("10.2.0.1"));
        assert!(s.contains("http://bad.example.org/x?y=1"));
        assert!(s.contains("hxxps://bad[.]example[.]org/x?y=1"));
        assert!(s.contains("xn--p8j9a0d9c9a.xn--q9jyb4c"));
        assert!(s.contains("2001:db8:1::5"));
        assert!(s.contains("A@B.com"));
        let m = s.match_text(
            "seen hxxp://sub.evil[.]com/a and 10.1.2.3, 9.9.9.9",
            &ExtractOptions::default(),
        );
        let entries: Vec<_> = m
            .iter()
            .map(|m| (m.ioc.kind, m.entry.as_str(), m.payload))
            .collect();
        assert!(
            entries.contains(&(IocKind::Domain, "evil.com", Some(7))),
            "{entries:?}"
        );
        assert!(entries.contains(&(IocKind::Ipv4, "10.1.0.0/16", Some(2))));
        assert_eq!(entries.len(), 2);
    }

    /// Bench: bytes/indicator and lookups/s vs HashSet<String>. Run with
    /// `cargo test --release -- --ignored --nocapture set_bench`.
    #[test]
    #[ignore]
    fn set_bench() {
        use std::collections::HashSet;
        use std::time::Instant;
        let n = 1_000_000usize;
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values: Vec<(IocKind, String)> = Vec::with_capacity(n);
        for i in 0..n {
            let r = next();
            let v = match i % 4 {
                0 => (
                    IocKind::Sha256,
                    format!("{:016x}{:016x}{:016x}{:016x}", r, next(), next(), next()),
                ),
                1 => (IocKind::Md5, format!("{:016x}{:016x}", r, next())),
                2 => (
                    IocKind::Domain,
                    format!("h{:x}.example{}.com", r & 0xffff_ffff, r % 1000),
                ),
                _ => (
                    IocKind::Ipv4,
                    std::net::Ipv4Addr::from(r as u32).to_string(),
                ),
            };
            values.push(v);
        }
        let t = Instant::now();
        let mut b = IndicatorSet::builder(SetOptions::default());
        for (i, (k, v)) in values.iter().enumerate() {
            let _ = b.insert(*k, v, Some(i as u32));
        }
        let set = b.build();
        let build = t.elapsed();
        let t = Instant::now();
        let hs: HashSet<String> = values.iter().map(|(_, v)| v.clone()).collect();
        let hs_build = t.elapsed();
        let hs_bytes: usize = hs.capacity() * (std::mem::size_of::<String>() + 8)
            + hs.iter().map(|s| s.capacity()).sum::<usize>();
        // lookups: canonical values, half hits half misses
        let probes: Vec<(IocKind, String)> = values
            .iter()
            .step_by(2)
            .cloned()
            .chain((0..n / 2).map(|_| (IocKind::Md5, format!("{:016x}{:016x}", next(), next()))))
            .collect();
        let t = Instant::now();
        let mut hits = 0;
        for (k, v) in &probes {
            if set.lookup_canonical(*k, v).is_some() {
                hits += 1;
            }
        }
        let ours = t.elapsed();
        let t = Instant::now();
        let mut hs_hits = 0;
        for (_, v) in &probes {
            if hs.contains(v) {
                hs_hits += 1;
            }
        }
        let theirs = t.elapsed();
        let t = Instant::now();
        for (_, v) in probes.iter().take(200_000) {
            std::hint::black_box(set.contains(v));
        }
        let full = t.elapsed();
        eprintln!(
            "IndicatorSet: {} entries, build {:?}, {:.1} bytes/indicator (payload u32 included)",
            set.len(),
            build,
            set.heap_bytes() as f64 / set.len() as f64
        );
        eprintln!(
            "HashSet<String>: build {:?}, ~{:.1} bytes/indicator (no payload)",
            hs_build,
            hs_bytes as f64 / hs.len() as f64
        );
        eprintln!(
            "lookups (canonical): IndicatorSet {:.2} M/s ({} hits) vs HashSet {:.2} M/s ({} hits)",
            probes.len() as f64 / ours.as_secs_f64() / 1e6,
            hits,
            probes.len() as f64 / theirs.as_secs_f64() / 1e6,
            hs_hits
        );
        eprintln!(
            "contains() with classify+normalise of raw input: {:.2} M/s",
            200_000.0 / full.as_secs_f64() / 1e6
        );
        assert_eq!(hits, hs_hits);

        // the real ESET indicator list (hashes + network IOCs)
        let shared = std::env::var("CTI_EDGE_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        if let Ok(csv) = std::fs::read_to_string(shared.join("data/eset/eset_indicators.csv")) {
            let mut b = IndicatorSet::builder(SetOptions::default());
            let (mut ok, mut rejected) = (0, 0);
            let mut raw_bytes = 0usize;
            for line in csv.lines().skip(1) {
                let Some(value) = line.rsplit(',').next() else {
                    continue;
                };
                for v in value.split('|') {
                    match b.insert_value(v, None) {
                        Ok(()) => {
                            ok += 1;
                            raw_bytes += v.len();
                        }
                        Err(_) => rejected += 1,
                    }
                }
            }
            let set = b.build();
            eprintln!(
                "ESET indicators: {} inserted ({} distinct), {} rejected (file names, text...), {:.1} bytes/indicator (text {:.1} bytes/indicator)",
                ok,
                set.len(),
                rejected,
                set.heap_bytes() as f64 / set.len() as f64,
                raw_bytes as f64 / ok.max(1) as f64
            );
        }
    }
}

//! [`LiveSet`]: an [`IndicatorSet`] that also takes adds and removes, for feeds that
//! change (new indicators, revoked or expired ones).
//!
//! Layout: the frozen, compact base set plus a small delta of byte keys (see
//! [`set::TAG_CIDR4`](super::set::TAG_CIDR4)) in one arena table: an added entry
//! carries its payload, a removed base entry a tombstone. Queries probe every candidate
//! key (value, CIDR ranges, parent domains) in the delta first, then in the base. When
//! the delta outgrows a quarter of the base (and 16 Ki entries), or before a snapshot,
//! both are merged into a new base: the base is drained part by part while the new one is
//! built, so a merge holds about one extra copy of one part at a time.
//!
//! Also here: STIX pattern → entries, and matching the string fields of a batch of log
//! events (`matchObjects` in JS; the JS side walks the objects).

use super::anchors::Anchors;
use super::classify::Classification;
use super::extract::extract_iocs;
use super::set::{
    classify_lenient, entry_key, heap_sort, lookup_with, IndicatorSet, SetBuilder, SetError, SetMatch, SetOptions,
    SnapshotError, StrTable, NONE, TAG_CIDR4,
};
use super::stix::{parse_stix_pattern, Literal};
use super::{ExtractOptions, IocKind};
use std::cell::OnceCell;

const TOMB: u32 = u32::MAX - 1;
const DEAD: u32 = u32::MAX - 2;
/// Largest payload a caller may store (the values above it mark delta states).
pub const MAX_PAYLOAD: u32 = u32::MAX - 3;

/// A hit of [`LiveSet::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: IocKind,
    /// The queried value, canonical.
    pub value: String,
    /// The set entry that matched (a parent domain, a CIDR range, or `value`).
    pub entry: String,
    pub payload: Option<u32>,
}

/// An indicator set with incremental adds and removes (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct LiveSet {
    opts: SetOptions,
    base: IndicatorSet,
    delta: StrTable,
    len: usize,
    /// CIDR prefix lengths in base ∪ delta, longest first.
    p4: Vec<u8>,
    p6: Vec<u8>,
    /// Bulk load in progress: inserts go straight to a builder (see [`LiveSet::begin_bulk`]).
    bulk: Option<SetBuilder>,
    /// Match prefilter over base ∪ delta, built on the first match after a change of
    /// base (see [`Anchors`]); delta inserts are added to it.
    anchors: OnceCell<Anchors>,
}

fn opt(p: u32) -> Option<u32> {
    (p != NONE).then_some(p)
}

/// `a.b.c.d/n` or `v6/n` → (kind, key).
fn cidr_key(v: &str) -> Option<(IocKind, Vec<u8>)> {
    let kind = if v.contains(':') {
        IocKind::Ipv6
    } else {
        IocKind::Ipv4
    };
    v.contains('/').then_some(())?;
    Some((kind, entry_key(kind, v)?))
}

/// Text of a CIDR key: `network/prefix`.
fn cidr_text(k: &[u8]) -> String {
    let net = &k[2..];
    let ip = match <[u8; 4]>::try_from(net) {
        Ok(b) => std::net::Ipv4Addr::from(b).to_string(),
        Err(_) => <[u8; 16]>::try_from(net)
            .map(|b| std::net::Ipv6Addr::from(b).to_string())
            .unwrap_or_default(),
    };
    format!("{ip}/{}", k[1])
}

impl LiveSet {
    pub fn new(opts: SetOptions) -> Self {
        LiveSet {
            opts,
            ..LiveSet::default()
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn options(&self) -> &SetOptions {
        &self.opts
    }

    /// Heap bytes of the index (base + delta).
    pub fn heap_bytes(&self) -> usize {
        self.base.heap_bytes() + self.delta.bytes() + self.anchors.get().map_or(0, Anchors::bytes)
    }

    fn probe(&self, k: &[u8]) -> Option<u32> {
        if self.delta.len() > 0 {
            if let Some(p) = self.delta.get(k) {
                return (p != TOMB && p != DEAD).then_some(p);
            }
        }
        self.base.get_key(k)
    }

    fn lookup(&self, kind: IocKind, v: &str) -> Option<(Option<String>, u32)> {
        let s = self.opts.domain_suffix;
        lookup_with(kind, v, s, &self.p4, &self.p6, &mut |k| self.probe(k))
    }

    /// Key of a user-supplied value (any kind, maybe defanged, or a CIDR range).
    fn key_of(value: &str) -> Option<(IocKind, Vec<u8>)> {
        let v = value.trim();
        match classify_lenient(v) {
            Ok(Classification { kind, value, .. }) => Some((kind, entry_key(kind, &value)?)),
            Err(_) => cidr_key(v),
        }
    }

    /// Key of a value that must be one of `kinds` (STIX observables); CIDR ranges allowed.
    fn typed_key(kinds: &[IocKind], value: &str) -> Option<Vec<u8>> {
        let v = value.trim();
        if let Some((kind, k)) = cidr_key(v) {
            return kinds.contains(&kind).then_some(k);
        }
        let c = classify_lenient(v).ok()?;
        kinds.contains(&c.kind).then_some(())?;
        entry_key(c.kind, &c.value)
    }

    /// Add `value` (any kind, refanged and normalised; CIDR ranges for IPs) with an
    /// optional payload (replacing the entry's previous one). Returns its kind.
    pub fn insert(&mut self, value: &str, payload: Option<u32>) -> Result<IocKind, SetError> {
        let (kind, k) =
            Self::key_of(value).ok_or_else(|| SetError::Unrecognized(value.to_string()))?;
        self.insert_key(&k, payload)?;
        Ok(kind)
    }

    fn insert_key(&mut self, k: &[u8], payload: Option<u32>) -> Result<(), SetError> {
        let p = payload.map_or(NONE, |p| p.min(MAX_PAYLOAD));
        if let Some(b) = &mut self.bulk {
            return b.insert_key(k, p);
        }
        let present = self.probe(k).is_some();
        match self.delta.find(k) {
            Some(i) => self.delta.set_payload(i, p),
            None if self.base.get_key(k) == Some(p) => {}
            None => self.delta.insert(k, p)?,
        }
        if let Some(a) = self.anchors.get_mut() {
            a.add_key(k);
            if a.added() > 2 * a.capacity() {
                self.anchors = OnceCell::new(); // overfull: rebuilt at the next match
            }
        }
        if !present {
            self.len += 1;
        }
        if k[0] & !1 == TAG_CIDR4 {
            let list = if k[0] == TAG_CIDR4 {
                &mut self.p4
            } else {
                &mut self.p6
            };
            if !list.contains(&k[1]) {
                list.push(k[1]);
                heap_sort(list, |a, b| a > b); // the std sorts cost ~3 KiB of wasm each
            }
        }
        self.maybe_compact();
        Ok(())
    }

    /// Remove the entry `value` (exactly: removing `evil.com` does not touch
    /// `a.evil.com`, nor a range containing an IP). `false` if it was not there.
    pub fn remove(&mut self, value: &str) -> bool {
        Self::key_of(value).is_some_and(|(_, k)| self.remove_key(&k))
    }

    fn remove_key(&mut self, k: &[u8]) -> bool {
        let in_base = self.base.get_key(k).is_some();
        match self.delta.find(k) {
            Some(i) => {
                if matches!(self.delta.payload(i), TOMB | DEAD) {
                    return false;
                }
                self.delta.set_payload(i, if in_base { TOMB } else { DEAD });
            }
            None if !in_base => return false,
            None => {
                if self.delta.insert(k, TOMB).is_err() {
                    return false;
                }
            }
        }
        self.len -= 1;
        self.maybe_compact();
        true
    }

    fn maybe_compact(&mut self) {
        if self.delta.len() > (1 << 14) + self.base.len() / 4 {
            self.compact();
        }
    }

    /// Merge the delta into a new frozen base.
    pub fn compact(&mut self) {
        if self.delta.len() > 0 {
            let b = self.drain();
            self.freeze(b);
        }
    }

    /// Start a bulk load: until [`end_bulk`](Self::end_bulk), inserts skip the delta
    /// and go to one builder (a single merge for a big batch, instead of one per
    /// growth step; the peak memory is about one copy of the data). Only inserts may
    /// run in between. With duplicate values, the largest payload wins.
    pub fn begin_bulk(&mut self) {
        if self.bulk.is_none() {
            self.bulk = Some(self.drain());
        }
    }

    /// About `count` indices into `0..n` for [`begin_bulk_sized`](Self::begin_bulk_sized)'s
    /// sample: one at a pseudo-random place in each stride (a fixed stride aliases with
    /// periodic input, e.g. every 8th value of one kind).
    pub fn sample_indices(n: usize, count: usize) -> impl Iterator<Item = usize> {
        let stride = (n / count.max(1)).max(1);
        (0..n / stride).map(move |k| {
            // splitmix64 of k
            let mut z = (k as u64).wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            k * stride + ((z ^ (z >> 31)) % stride as u64) as usize
        })
    }

    /// [`begin_bulk`](Self::begin_bulk) for about `n` values, `sample` drawn across them
    /// (see [`sample_indices`](Self::sample_indices)): the builder's vectors are sized from
    /// the sample once instead of doubling.
    pub fn begin_bulk_sized(&mut self, n: usize, sample: &[&str]) {
        let fresh = self.bulk.is_none();
        self.begin_bulk();
        if let (true, Some(b)) = (fresh, &mut self.bulk) {
            let keys: Vec<Vec<u8>> = sample.iter().filter_map(|v| Self::key_of(v).map(|(_, k)| k)).collect();
            b.reserve(n, sample.len(), &keys);
        }
    }

    pub fn end_bulk(&mut self) {
        if let Some(b) = self.bulk.take() {
            self.freeze(b);
        }
    }

    /// Base and delta into one builder (base and delta emptied).
    fn drain(&mut self) -> SetBuilder {
        let delta = std::mem::take(&mut self.delta);
        let base = std::mem::take(&mut self.base);
        let mut b = IndicatorSet::builder(self.opts.clone());
        base.drain_keys(&mut |k, p| {
            if delta.find(k).is_none() {
                let _ = b.insert_key(k, p);
            }
        });
        for i in 0..delta.len() {
            let p = delta.payload(i);
            if p != TOMB && p != DEAD {
                let _ = b.insert_key(delta.entry(i), p);
            }
        }
        b
    }

    fn freeze(&mut self, b: SetBuilder) {
        self.anchors = OnceCell::new();
        self.base = b.build();
        self.len = self.base.len();
        let (p4, p6) = self.base.prefixes();
        (self.p4, self.p6) = (p4.to_vec(), p6.to_vec());
    }

    /// Look up one value (any kind, maybe defanged, or a CIDR range entry).
    pub fn get(&self, value: &str) -> Option<Hit> {
        let v = value.trim();
        let (kind, canon) = match classify_lenient(v) {
            Ok(c) => (c.kind, c.value),
            Err(_) => {
                let (kind, k) = cidr_key(v)?;
                let p = self.probe(&k)?;
                let t = cidr_text(&k);
                return Some(Hit {
                    kind,
                    value: t.clone(),
                    entry: t,
                    payload: opt(p),
                });
            }
        };
        let (entry, p) = self.lookup(kind, &canon)?;
        Some(Hit {
            kind,
            entry: entry.unwrap_or_else(|| canon.clone()),
            value: canon,
            payload: opt(p),
        })
    }

    pub fn contains(&self, value: &str) -> bool {
        let v = value.trim();
        if let Some(kind) = plain_kind(v) {
            return self.lookup(kind, v).is_some();
        }
        match classify_lenient(v) {
            Ok(c) => self.lookup(c.kind, &c.value).is_some(),
            Err(_) => cidr_key(v).is_some_and(|(_, k)| self.probe(&k).is_some()),
        }
    }

    /// Extract IOCs from `text` and return those in the set.
    pub fn match_text(&self, text: &str, opts: &ExtractOptions) -> Vec<SetMatch> {
        let mut out = Vec::new();
        if !self.may_match(text, opts) {
            return out;
        }
        self.match_extracted(text, opts, &mut out);
        out
    }

    /// `match_text` of each line of `text` (split on `\n`) as if each were a text of its
    /// own: `f(line index, match)`, offsets relative to the line. One call for a batch of
    /// log lines, each still checked by the prefilter on its own.
    pub fn match_lines(&self, text: &str, opts: &ExtractOptions, f: &mut dyn FnMut(usize, SetMatch)) {
        let mut out = Vec::new();
        for (i, line) in text.split('\n').enumerate() {
            if self.may_match(line, opts) {
                self.match_extracted(line, opts, &mut out);
                for m in out.drain(..) {
                    f(i, m);
                }
            }
        }
    }

    /// Extract then look up, without the prefilter.
    fn match_extracted(&self, text: &str, opts: &ExtractOptions, out: &mut Vec<SetMatch>) {
        for ioc in extract_iocs(text, opts) {
            if let Some((entry, p)) = self.lookup(ioc.kind, &ioc.value) {
                let entry = entry.unwrap_or_else(|| ioc.value.clone());
                out.push(SetMatch {
                    ioc,
                    entry,
                    payload: opt(p),
                });
            }
        }
    }

    /// `false` when no entry can match `text`, so extraction can be skipped (see
    /// [`Anchors`]); text that refanging changes always takes the full path.
    fn may_match(&self, text: &str, opts: &ExtractOptions) -> bool {
        if self.len == 0 {
            return false;
        }
        let anchors = self.anchors.get_or_init(|| {
            let mut a = Anchors::with_capacity(self.base.len() + self.delta.len());
            self.base.for_each_key(&mut |k, _| a.add_key(k));
            for i in 0..self.delta.len() {
                if !matches!(self.delta.payload(i), TOMB | DEAD) {
                    a.add_key(self.delta.entry(i));
                }
            }
            a
        });
        anchors.may_match(text, opts.refang)
    }

    /// Match the string fields of a batch of events (the JS side walks the objects, as
    /// `JSON.stringify` would): `text` holds every field, each followed by one separator
    /// byte (never part of a field: fields may hold any character, lengths delimit them);
    /// `layout` holds, per event, its field count then each field's length in UTF-16 units.
    /// `f(event, field index in the event, match)`. One prefilter check per event covers
    /// all its fields (the separator is a word boundary, like a field's own start and end);
    /// only events that pass are matched field by field. A layout that does not fit the
    /// text ends the walk (it never panics).
    pub fn match_fields(&self, text: &str, layout: &[u32], opts: &ExtractOptions, f: &mut dyn FnMut(usize, usize, SetMatch)) {
        let ascii = text.is_ascii();
        let mut fields: Vec<(usize, usize)> = Vec::new();
        let (mut at, mut i) = (0usize, 0usize);
        for ev in 0.. {
            let Some(&n) = layout.get(i) else { return };
            let Some(lens) = layout.get(i + 1..(i + 1).saturating_add(n as usize)) else { return };
            i += 1 + lens.len();
            fields.clear();
            for &len in lens {
                let end = if ascii { at.checked_add(len as usize) } else { utf16_end(text, at, len as usize) };
                let Some(end) = end.filter(|&e| text.get(at..e).is_some()) else { return };
                fields.push((at, end));
                at = end + 1;
            }
            let (Some(&(first, _)), Some(&(_, last))) = (fields.first(), fields.last()) else { continue };
            if self.may_match(&text[first..last], opts) {
                for (j, &(s, e)) in fields.iter().enumerate() {
                    for m in self.match_text(&text[s..e], opts) {
                        f(ev, j, m);
                    }
                }
            }
        }
    }

    /// Add every IOC of a STIX pattern; the number added (`None`: unparseable pattern).
    pub fn insert_stix(&mut self, pattern: &str, payload: Option<u32>) -> Option<usize> {
        let keys = stix_keys(pattern)?;
        let mut n = 0;
        for k in keys {
            n += usize::from(self.insert_key(&k, payload).is_ok());
        }
        Some(n)
    }

    /// Remove every IOC of a STIX pattern; the number removed (`None`: unparseable).
    pub fn remove_stix(&mut self, pattern: &str) -> Option<usize> {
        Some(
            stix_keys(pattern)?
                .iter()
                .filter(|k| self.remove_key(k))
                .count(),
        )
    }

    /// Renumber payloads densely (after merging the delta): returns the old payload of
    /// each new number, so a caller can compact a side table indexed by payload.
    pub fn renumber_payloads(&mut self) -> Vec<u32> {
        self.compact();
        let mut used = Vec::new();
        self.base.payloads_mut(&mut |p| {
            if *p != NONE {
                used.push(*p)
            }
        });
        heap_sort(&mut used, |a, b| a < b);
        used.dedup();
        self.base.payloads_mut(&mut |p| {
            if let Ok(i) = used.binary_search(p) {
                *p = i as u32;
            }
        });
        used
    }

    /// Largest payload stored (to validate a side table after loading a snapshot).
    pub fn max_payload(&mut self) -> Option<u32> {
        self.compact();
        let mut m = None;
        self.base.payloads_mut(&mut |p| {
            if *p != NONE {
                m = m.max(Some(*p));
            }
        });
        m
    }

    /// Snapshot (merges the delta first); see [`IndicatorSet::to_snapshot`].
    pub fn to_snapshot(&mut self, extra: &[u8]) -> Vec<u8> {
        self.compact();
        self.base.to_snapshot(extra)
    }

    pub fn from_snapshot(b: &[u8]) -> Result<(LiveSet, Vec<u8>), SnapshotError> {
        IndicatorSet::from_snapshot(b).map(Self::from_base)
    }

    /// [`from_snapshot`](Self::from_snapshot) read in pieces (see
    /// [`IndicatorSet::read_snapshot`]).
    pub fn read_snapshot(len: usize, read: &mut dyn FnMut(usize, &mut [u8])) -> Result<(LiveSet, Vec<u8>), SnapshotError> {
        IndicatorSet::read_snapshot(len, read).map(Self::from_base)
    }

    fn from_base((base, extra): (IndicatorSet, Vec<u8>)) -> (LiveSet, Vec<u8>) {
        let (p4, p6) = base.prefixes();
        let s = LiveSet {
            opts: base.options().clone(),
            len: base.len(),
            p4: p4.to_vec(),
            p6: p6.to_vec(),
            base,
            delta: StrTable::default(),
            bulk: None,
            anchors: OnceCell::new(),
        };
        (s, extra)
    }
}

/// The kind of a value already in canonical form that needs no classification to be
/// looked up: a hex digest, a dotted quad, or a lower-case ASCII host name (anything of
/// those characters that is not a valid domain is not in the set either). `None`: use
/// the full classifier (defanged text, URLs, e-mails, mixed case...).
fn plain_kind(v: &str) -> Option<IocKind> {
    let b = v.as_bytes();
    if b.iter().all(u8::is_ascii_hexdigit) {
        return match b.len() {
            32 => Some(IocKind::Md5),
            40 => Some(IocKind::Sha1),
            64 => Some(IocKind::Sha256),
            128 => Some(IocKind::Sha512),
            _ => None,
        };
    }
    if !b.contains(&b'.') || b.len() > 253 {
        return None;
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return super::extract::parse_ipv4(v).map(|_| IocKind::Ipv4);
    }
    let host = b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-');
    (host && b[0] != b'.' && b[0] != b'-').then_some(IocKind::Domain)
}

/// Byte keys of the IOCs of a STIX pattern's equality leaves (CIDR ranges included).
fn stix_keys(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use IocKind::*;
    let p = parse_stix_pattern(pattern).ok()?;
    let mut out = Vec::new();
    for o in p.observables() {
        let kinds: &[IocKind] = match (o.object_type.as_str(), o.path.as_str()) {
            ("ipv4-addr", "value") => &[Ipv4],
            ("ipv6-addr", "value") => &[Ipv6],
            ("domain-name", "value") => &[Domain],
            ("url", "value") => &[Url],
            ("email-addr", "value") => &[Email],
            ("file", p) if p.starts_with("hashes.") => &[Md5, Sha1, Sha256, Sha512],
            ("autonomous-system", "number") => {
                if let Literal::Int(n) = o.value {
                    if n > 0 && n <= u32::MAX as i64 {
                        out.extend(entry_key(Asn, &format!("AS{n}")));
                    }
                }
                continue;
            }
            _ => continue,
        };
        out.extend(LiveSet::typed_key(kinds, &o.value.text()));
    }
    Some(out)
}

/// The byte offset `units` UTF-16 units after byte `from` of `text`; `None` when the text
/// ends first or the units end inside a character.
fn utf16_end(text: &str, from: usize, units: usize) -> Option<usize> {
    let mut left = units;
    for (i, c) in text.get(from..)?.char_indices() {
        if left == 0 {
            return Some(from + i);
        }
        left = left.checked_sub(c.len_utf16())?;
    }
    (left == 0).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn sample_indices_do_not_alias_with_periodic_input() {
        let idx: Vec<usize> = LiveSet::sample_indices(1_000_000, 4096).collect();
        assert!(idx.len() >= 4096 && idx.windows(2).all(|w| w[0] < w[1]) && idx[idx.len() - 1] < 1_000_000);
        // every 8th value of one kind: each kind must be sampled about as often as it occurs
        for r in 0..8 {
            let share = idx.iter().filter(|&&i| i % 8 == r).count() as f64 / idx.len() as f64;
            assert!((0.10..0.15).contains(&share), "residue {r}: {share}");
        }
        assert_eq!(LiveSet::sample_indices(3, 4096).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(LiveSet::sample_indices(0, 4096).count(), 0);
    }

    #[test]
    fn a_sized_bulk_load_holds_what_a_plain_one_does() {
        let values = pool(3000);
        let mut plain = LiveSet::new(SetOptions::default());
        plain.begin_bulk();
        for v in &values {
            plain.insert(v, None).unwrap();
        }
        plain.end_bulk();
        // a sample that under-estimates some kinds and omits others: vectors must still grow
        for sample in [vec![], vec![values[0].as_str()], values.iter().step_by(7).map(String::as_str).collect::<Vec<_>>()] {
            let mut sized = LiveSet::new(SetOptions::default());
            sized.begin_bulk_sized(values.len(), &sample);
            for v in &values {
                sized.insert(v, None).unwrap();
            }
            sized.end_bulk();
            assert_eq!(sized.len(), plain.len());
            assert!(values.iter().all(|v| sized.contains(v)));
            assert!(!sized.contains("203.0.113.77") || plain.contains("203.0.113.77"));
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Canonical values of every kind (no value falls inside a range of the pool).
    fn pool(n: usize) -> Vec<String> {
        let mut r = Rng(0x1234_5678_9abc_def1);
        (0..n)
            .map(|i| match i % 11 {
                0 => format!("{:016x}{:016x}", r.next(), r.next()),
                1 => format!("{:016x}{:016x}{:08x}", r.next(), r.next(), r.next() as u32),
                2 => format!(
                    "{:016x}{:016x}{:016x}{:016x}",
                    r.next(),
                    r.next(),
                    r.next(),
                    r.next()
                ),
                3 => format!("8.{}.{}.{}", i % 250, (i / 250) % 250, r.below(250)),
                4 => format!("2001:db8:{:x}::{:x}", i, r.below(60000) + 1),
                5 => format!("h{i}.example{}.com", r.below(9)),
                6 => format!("https://site{i}.example.org/p/{}?q=1", r.below(100)),
                7 => format!("user{i}@mail{}.net", r.below(5)),
                8 => format!("172.{}.{}.0/24", 16 + i % 16, (i / 16) % 256),
                9 => format!("CVE-2024-{}", 10000 + i),
                _ => format!("AS{}", 64512 + i),
            })
            .collect()
    }

    fn check(s: &LiveSet, model: &HashMap<String, Option<u32>>, pool: &[String]) {
        assert_eq!(s.len(), model.len());
        for v in pool {
            let got = s.get(v).map(|h| h.payload);
            assert_eq!(got, model.get(v).copied(), "{v}");
            assert_eq!(s.contains(v), model.contains_key(v), "{v}");
        }
    }

    #[test]
    fn incremental_matches_reference_map() {
        let pool = pool(3000);
        let mut r = Rng(42);
        let mut s = LiveSet::new(SetOptions::default());
        let mut model: HashMap<String, Option<u32>> = HashMap::new();
        for step in 0..20_000 {
            let v = &pool[r.below(pool.len())];
            if r.below(3) == 0 {
                assert_eq!(s.remove(v), model.remove(v).is_some(), "remove {v}");
            } else {
                let p = (r.below(2) == 0).then(|| r.below(1000) as u32);
                s.insert(v, p).unwrap();
                model.insert(v.clone(), p);
            }
            match step % 2500 {
                700 => s.compact(),
                1900 => {
                    let snap = s.to_snapshot(b"meta");
                    let (t, extra) = LiveSet::from_snapshot(&snap).unwrap();
                    assert_eq!(extra, b"meta");
                    s = t;
                }
                _ => {}
            }
            if step % 1000 == 999 {
                check(&s, &model, &pool);
            }
        }
        check(&s, &model, &pool);
        s.compact();
        check(&s, &model, &pool);
        // renumbering keeps each entry's payload, densely renumbered
        let old = s.renumber_payloads();
        for (v, p) in &model {
            let now = s.get(v).unwrap().payload;
            assert_eq!(now.map(|i| old[i as usize]), *p, "{v}");
        }
    }

    #[test]
    fn bulk_load_equals_incremental() {
        let pool = pool(2000);
        let mut a = LiveSet::new(SetOptions::default());
        let mut b = LiveSet::new(SetOptions::default());
        for (i, v) in pool.iter().enumerate().take(500) {
            a.insert(v, Some(i as u32)).unwrap();
            b.insert(v, Some(i as u32)).unwrap();
        }
        b.remove(&pool[3]);
        a.remove(&pool[3]);
        b.begin_bulk();
        for (i, v) in pool.iter().enumerate().skip(250) {
            a.insert(v, Some(i as u32 + 5000)).unwrap();
            b.insert(v, Some(i as u32 + 5000)).unwrap();
        }
        b.end_bulk();
        assert_eq!(a.len(), b.len());
        for v in &pool {
            assert_eq!(a.get(v), b.get(v), "{v}");
        }
    }

    #[test]
    fn suffix_cidr_and_normalisation_through_the_delta() {
        for compact in [false, true] {
            let mut s = LiveSet::new(SetOptions {
                domain_suffix: true,
            });
            s.insert("Evil[.]COM", Some(1)).unwrap();
            s.insert("10.1.0.0/16", Some(2)).unwrap();
            s.insert("2001:db8::/32", None).unwrap();
            s.insert("HTTPS://Bad.Example.org/x?y=1", Some(3)).unwrap();
            s.insert("はじめよう.みんな", None).unwrap();
            assert!(s.insert("not an indicator", None).is_err());
            if compact {
                s.compact();
            }
            let h = s.get("a.b.evil.com").unwrap();
            assert_eq!(
                (h.kind, h.value.as_str(), h.entry.as_str(), h.payload),
                (IocKind::Domain, "a.b.evil.com", "evil.com", Some(1))
            );
            assert!(s.get("com").is_none() && s.get("notevil.com").is_none());
            assert_eq!(s.get("10.1.9.9").unwrap().entry, "10.1.0.0/16");
            assert_eq!(s.get("10.1.0.0/16").unwrap().payload, Some(2));
            assert_eq!(s.get("2001:db8:5::1").unwrap().entry, "2001:db8::/32");
            assert!(s.contains("http://bad.example.org/x?y=1"));
            assert!(s.contains("sub.xn--p8j9a0d9c9a.xn--q9jyb4c"));
            let m = s.match_text(
                "see hxxp://x.evil[.]com/a from 10.1.2.3",
                &ExtractOptions::default(),
            );
            let e: Vec<_> = m.iter().map(|m| m.entry.as_str()).collect();
            assert!(
                e.contains(&"evil.com") && e.contains(&"10.1.0.0/16"),
                "{e:?}"
            );
            assert!(s.remove("evil.com"));
            assert!(!s.remove("evil.com"));
            assert!(!s.contains("a.evil.com"));
            assert!(s.remove("10.1.0.0/16") && !s.contains("10.1.9.9"));
            assert_eq!(s.len(), 3);
        }
    }

    #[test]
    fn stix_patterns_add_and_remove() {
        let mut s = LiveSet::new(SetOptions::default());
        let p = "[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '203.0.113.0/24'] AND [file:hashes.'SHA-256' = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'] OR [domain-name:value = 'archive.zip'] OR [autonomous-system:number = 64500] OR [url:value LIKE '%x']";
        assert_eq!(s.insert_stix(p, Some(0)), Some(5));
        assert!(s.contains("203.0.113.9") && s.contains("archive.zip") && s.contains("AS64500"));
        assert_eq!(s.insert_stix("[ipv4-addr:value = ", None), None);
        assert_eq!(s.remove_stix(p), Some(5));
        assert!(s.is_empty());
    }

    #[test]
    fn snapshot_corruption_is_an_error_never_a_panic() {
        let mut s = LiveSet::new(SetOptions {
            domain_suffix: true,
        });
        for (i, v) in pool(400).iter().enumerate() {
            s.insert(v, (i % 3 == 0).then_some(i as u32)).unwrap();
        }
        let snap = s.to_snapshot(b"[1,2]");
        let (t, _) = LiveSet::from_snapshot(&snap).unwrap();
        assert!(t.options().domain_suffix && t.len() == s.len());
        for n in 0..snap.len() {
            assert!(
                LiveSet::from_snapshot(&snap[..n]).is_err(),
                "truncated at {n}"
            );
        }
        let mut r = Rng(7);
        for _ in 0..3000 {
            let mut b = snap.clone();
            let i = r.below(b.len());
            b[i] ^= 1 << r.below(8);
            assert!(LiveSet::from_snapshot(&b).is_err(), "flip at {i}");
            // past the checksum: structure checks must hold alone
            let sum = super::super::set::hash_bytes(&b[16..]);
            b[8..16].copy_from_slice(&sum.to_le_bytes());
            if let Ok((t, _)) = LiveSet::from_snapshot(&b) {
                let _ = t.contains("8.1.2.3") || t.contains("h5.example1.com");
            }
        }
        let mut extra = snap.clone();
        extra.push(0);
        assert!(LiveSet::from_snapshot(&extra).is_err());
    }

    /// The prefilter never hides a hit: for every IOC extracted from real and
    /// adversarial text (ESET reports line by line, every peer conformance input), a set
    /// holding only that IOC — or its parent domain, or a range around the address —
    /// matches the text exactly as extract-then-look-up does, with and without refanging.
    #[test]
    fn prefilter_never_hides_a_hit() {
        let shared = std::env::var("CTI_EDGE_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let mut texts: Vec<String> = Vec::new();
        let cases: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(shared.join("conformance/ioc_cases.json")).unwrap()).unwrap();
        for c in cases["cases"].as_array().unwrap() {
            if let Some(t) = c["input_text"].as_str() {
                texts.push(t.to_string());
            }
        }
        let reports = std::fs::read_to_string(shared.join("data/eset/eset_reports.jsonl")).unwrap();
        for l in reports.lines().take(40) {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            texts.extend(v["text"].as_str().unwrap().lines().map(String::from));
        }
        texts.push("GET /p?u=%2Fevil.example.com%2Fx HTTP/1.1 host=EVIL.example.COM AS13335 ASN 64500 cve-2021-44228".into());
        // a dotted quad ends at `..` or a trailing dot (found by the extract fuzz target)
        texts.push("\u{11}\u{0}5.9.9.0..90.9 and 10.1.2.3. and 7.7.7.7.7".into());
        let (mut checked, mut skipped) = (0usize, 0usize);
        for refang in [true, false] {
            let opts = ExtractOptions { refang, ..ExtractOptions::default() };
            for t in &texts {
                let mut entries: Vec<String> = Vec::new();
                for ioc in extract_iocs(t, &opts) {
                    entries.push(ioc.value.clone());
                    if ioc.kind == IocKind::Domain {
                        let labels: Vec<&str> = ioc.value.split('.').collect();
                        if labels.len() > 2 {
                            entries.push(labels[1..].join("."));
                        }
                    }
                    if ioc.kind == IocKind::Ipv4 {
                        let o: Vec<&str> = ioc.value.split('.').collect();
                        entries.push(format!("{}.{}.{}.0/24", o[0], o[1], o[2]));
                        entries.push(format!("{}.0.0.0/8", o[0]));
                    }
                }
                entries.sort();
                entries.dedup();
                for e in &entries {
                    let mut set = LiveSet::new(SetOptions { domain_suffix: true });
                    if set.insert(e, Some(1)).is_err() {
                        continue;
                    }
                    let mut full = Vec::new();
                    set.match_extracted(t, &opts, &mut full);
                    if full.is_empty() {
                        continue;
                    }
                    checked += 1;
                    assert_eq!(set.match_text(t, &opts), full, "entry {e:?} in {t:?} (refang {refang})");
                }
                // the same through match_fields: the text as a field of a batch of events
                // (fields `[t]`, `["x", t, t]`, `["nothing"]`), each field matched alone
                let events: [&[&str]; 3] = [&[t], &["x", t, t], &["nothing"]];
                let (text, layout) = fields_of(&events);
                for e in entries.iter().take(3) {
                    let mut set = LiveSet::new(SetOptions { domain_suffix: true });
                    if set.insert(e, Some(1)).is_err() {
                        continue;
                    }
                    let (mut fast, mut full) = (Vec::new(), Vec::new());
                    set.match_fields(&text, &layout, &opts, &mut |ev, j, m| fast.push((ev, j, m)));
                    for (ev, fields) in events.iter().enumerate() {
                        for (j, s) in fields.iter().enumerate() {
                            let mut ms = Vec::new();
                            set.match_extracted(s, &opts, &mut ms);
                            full.extend(ms.into_iter().map(|m| (ev, j, m)));
                        }
                    }
                    assert_eq!(fast, full, "entry {e:?} in events {events:?}");
                }
                // the filter does skip text: a set of one unrelated entry
                let mut other = LiveSet::new(SetOptions::default());
                other.insert("unrelated-host.example.com", None).unwrap();
                skipped += usize::from(!other.may_match(t, &opts));
            }
        }
        eprintln!("checked {checked} skipped {skipped} of {}", texts.len() * 2);
        assert!(checked > 5_000, "{checked} entries checked");
        assert!(skipped > texts.len() / 2, "{skipped} of {} texts skipped", texts.len() * 2);
    }

    #[test]
    fn match_lines_is_match_text_per_line() {
        let shared = std::env::var("CTI_EDGE_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let reports = std::fs::read_to_string(shared.join("data/eset/eset_reports.jsonl")).unwrap();
        let texts: Vec<String> = reports
            .lines()
            .take(60)
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string())
            .collect();
        let opts = ExtractOptions::default();
        // every tenth IOC of the reports: most lines miss, some hit
        let mut set = LiveSet::new(SetOptions { domain_suffix: true });
        for (i, ioc) in texts.iter().flat_map(|t| extract_iocs(t, &opts)).enumerate() {
            if i % 10 == 0 {
                set.insert(&ioc.value, Some(i as u32)).unwrap();
            }
        }
        let mut hits = 0;
        for t in &texts {
            let mut batched: Vec<Vec<SetMatch>> = vec![Vec::new(); t.split('\n').count()];
            set.match_lines(t, &opts, &mut |i, m| batched[i].push(m));
            let one_by_one: Vec<Vec<SetMatch>> = t.split('\n').map(|l| set.match_text(l, &opts)).collect();
            hits += one_by_one.iter().map(Vec::len).sum::<usize>();
            assert_eq!(batched, one_by_one);
        }
        assert!(hits > 100, "{hits} hits");
        let mut n = 0;
        set.match_lines("", &opts, &mut |_, _| n += 1);
        assert_eq!(n, 0);
    }

    /// `text` and `layout` for `match_fields`, as the JS side builds them.
    fn fields_of(events: &[&[&str]]) -> (String, Vec<u32>) {
        let (mut text, mut layout) = (String::new(), Vec::new());
        for fields in events {
            layout.push(fields.len() as u32);
            for f in fields.iter() {
                text.push_str(f);
                text.push('\n');
                layout.push(f.encode_utf16().count() as u32);
            }
        }
        (text, layout)
    }

    #[test]
    fn fields_are_delimited_by_lengths() {
        let mut set = LiveSet::new(SetOptions::default());
        set.insert("evil.com", Some(7)).unwrap();
        // a field holding the separator, non-ASCII fields, an event without fields
        let events: [&[&str]; 4] = [&["line one\nto evil.com", "é"], &[], &["🦀 evil.com", "x"], &["evil.co", "m"]];
        let (text, layout) = fields_of(&events);
        let mut got = Vec::new();
        set.match_fields(&text, &layout, &ExtractOptions::default(), &mut |ev, j, m| got.push((ev, j, m.ioc.start16, m.payload)));
        assert_eq!(got, [(0, 0, 12, Some(7)), (2, 0, 3, Some(7))]);
        // layouts that do not fit the text end the walk without a panic
        for bad in [vec![1, 99], vec![5, 1], vec![1, u32::MAX], vec![u32::MAX, 1], vec![2, 20, 1, 9]] {
            set.match_fields(&text, &bad, &ExtractOptions::default(), &mut |_, _, _| {});
        }
        assert_eq!(utf16_end("a🦀b", 1, 1), None); // inside the crab's surrogate pair
        assert_eq!(utf16_end("a🦀b", 1, 2), Some(5));
        assert_eq!(utf16_end("a🦀b", 1, 4), None);
    }
}

/// Native throughput of set matching over log events (the Worker use case):
/// `cargo test --release -- --ignored --nocapture throughput_match`.
#[cfg(test)]
mod bench {
    use super::*;

    #[test]
    #[ignore]
    fn throughput_match() {
        let mut s: u64 = 7;
        let mut r = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let hex = |r: &mut dyn FnMut() -> u64, n: usize| (0..n).map(|_| b"0123456789abcdef"[(r() % 16) as usize] as char).collect::<String>();
        let mut set = LiveSet::new(SetOptions::default());
        set.begin_bulk();
        // as bench/indicator-set.mjs: ESET's published indicators first
        let shared = std::env::var("CTI_EDGE_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
        let csv = std::fs::read_to_string(shared.join("data/eset/eset_indicators.csv")).unwrap_or_default();
        for line in csv.lines().skip(1) {
            if let Some(i) = line.rfind(',') {
                line[i + 1..].split('|').for_each(|x| drop(set.insert(x, None)));
            }
        }
        for i in 0..1_000_000u64 {
            let v = match i % 8 {
                0 | 1 => hex(&mut r, 64),
                2 => hex(&mut r, 32),
                3 => hex(&mut r, 40),
                4 => format!("{}.{}.{}.{}", r() % 223 + 1, r() % 256, r() % 256, r() % 256),
                5 => format!("h{:x}.evil{}.com", r() % 1_000_000_000, r() % 5000),
                6 => format!("{:x}-{:x}.net", r() % 1_000_000_000, r() % 1_000_000),
                _ => format!("http://c2-{:x}.example.org/gate{}.php", r() % 1_000_000_000, r() % 100),
            };
            let _ = set.insert(&v, None);
        }
        set.end_bulk();
        let events: Vec<String> = (0..20_000)
            .map(|_| {
                format!(r#"{{"ts":"2025-01-01T00:00:0{}Z","src_ip":"10.{}.{}.{}","dst_ip":"{}.{}.{}.{}","request":{{"method":"GET","host":"www{}.site{}.com","path":"/p/{}?id={}","headers":{{"user-agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","accept":"*/*"}}}},"file":{{"sha256":"{}","name":"doc{}.pdf"}},"msg":"status 200 bytes {}"}}"#,
                    r() % 10, r() % 256, r() % 256, r() % 256, r() % 200 + 10, r() % 256, r() % 256, r() % 256, r() % 1000, r() % 300, r() % 1000, r() % 4_000_000_000u64, hex(&mut r, 64), r() % 100, r() % 100000)
            })
            .collect();
        let opts = ExtractOptions::default();
        let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
        for _ in 0..rounds {
            let t0 = std::time::Instant::now();
            let mut n = 0;
            for e in &events {
                n += set.match_text(e, &opts).len();
            }
            let el = t0.elapsed().as_secs_f64();
            let kept = events.iter().filter(|raw| raw.as_bytes().contains(&b'\\') || set.may_match(raw, &opts)).count();
            eprintln!("kept {kept}");
            let t2 = std::time::Instant::now();
            let mut k = 0;
            for e in &events {
                k += usize::from(crate::core::ioc::refang::would_refang(e));
            }
            let el3 = t2.elapsed().as_secs_f64();
            let anchors = set.anchors.get().unwrap();
            let t4 = std::time::Instant::now();
            let mut a = 0;
            for e in &events {
                a += usize::from(anchors.may_match(e, false));
            }
            eprintln!("anchors alone {:.0}k lines/s ({a})", events.len() as f64 / t4.elapsed().as_secs_f64() / 1e3);
            eprintln!(
                "match_text {:.0}k lines/s ({n} hits); would_refang alone {:.0}k lines/s ({k})",
                events.len() as f64 / el / 1e3,
                events.len() as f64 / el3 / 1e3
            );
        }
    }
}

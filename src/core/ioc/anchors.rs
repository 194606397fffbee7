//! [`Anchors`]: a prefilter that lets set matching skip text which cannot hold any entry.
//!
//! Matching text against a set means extracting every IOC and looking it up, but most
//! log fields hold nothing the set knows. Every entry has an *anchor*: bytes that any
//! text producing a hit on that entry contains verbatim (ASCII case-folded) at the
//! start of a word — the first 8 bytes of a domain, email, BTC address or URL host
//! (the whole value when shorter), the first 8 hex digits of a hash, the whole dotted
//! quad of an IPv4 address, the octets a CIDR range fixes, `cve` for CVE ids, `as` for
//! AS numbers. 8-byte anchors go into a Bloom filter blocked by cache line (20 bits per
//! entry, 7 bits per key: 3.3e-4 false positives measured, on random and on log-like
//! anchors alike — a "maybe" costs one extraction of that text), shorter ones (whole short
//! values) into an exact table. A text none of whose word starts matches an anchor
//! cannot match, so it skips extraction; any other text takes the full path, so results
//! are exactly those of extract-then-look-up (a false positive only costs time).
//!
//! Where the anchor rule cannot hold the filter says "maybe": non-ASCII text (IDN hosts
//! are stored in punycode), text that refanging would change (checked by the caller),
//! any `:` when the set holds IPv6 values or ranges (their text forms vary), and every
//! text when a range shorter than /8 or an entry without an anchor is present.
//! `LiveSet::tests::prefilter_never_hides_a_hit` checks the rule against every IOC of
//! the peer conformance inputs and the ESET reports.

use super::refang::replacement_starts;
use super::set::{TAG_CIDR4, TAG_CIDR6};
use super::IocKind;

/// Anchors are at most this many bytes (one `u64` window).
const MAX: usize = 8;
/// Bloom bits per entry.
const BITS_PER_ENTRY: usize = 20;
/// Bits set per key, in one cache line.
const KEY_BITS: usize = 7;

/// A set of non-zero `u64` keys: open addressing, linear probing, at most half full.
#[derive(Debug, Clone, Default)]
struct KeySet {
    slots: Vec<u64>,
    len: usize,
}

impl KeySet {
    fn slot(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & (self.slots.len() - 1)
    }
    fn insert(&mut self, k: u64) {
        if 2 * (self.len + 1) > self.slots.len() {
            let size = (self.slots.len() * 2).max(16);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            self.len = 0;
            old.into_iter().filter(|&k| k != 0).for_each(|k| self.insert(k));
        }
        let mut i = self.slot(k);
        while self.slots[i] != 0 {
            if self.slots[i] == k {
                return;
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
        self.slots[i] = k;
        self.len += 1;
    }
    fn contains(&self, k: u64) -> bool {
        if self.len == 0 {
            return false;
        }
        let mut i = self.slot(k);
        while self.slots[i] != 0 {
            if self.slots[i] == k {
                return true;
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
        false
    }
    fn bytes(&self) -> usize {
        self.slots.capacity() * 8
    }
}

/// One cache line of the Bloom filter.
type Line = [u64; 8];

#[derive(Debug, Clone, Default)]
pub(crate) struct Anchors {
    lines: Vec<Line>,
    /// Some anchor is 8 bytes (a prefix of a longer value).
    long: bool,
    /// Bytes (either case) that occur in 8-byte anchors: a window with any other byte
    /// (a quote, a space, `/`...) cannot match one, and costs no Bloom probe (a cache
    /// miss on a big set).
    long_bytes: ByteSet,
    /// First bytes (either case) of the short anchors: other word starts need no look.
    short_first: ByteSet,
    /// Bit `l` set: some anchor is `l` < 8 bytes long (a whole short value).
    short_lens: u8,
    /// The short anchors themselves, exact (`window | len << 56`): a Bloom false
    /// positive on a short word that every log line repeats would cost every line.
    short: KeySet,
    /// First two bytes of the short anchors (65 536 bits): most word starts fail here
    /// and probe no short length at all.
    short2: Vec<u64>,
    /// Some anchor starts with a byte that is not a letter or digit (`_dmarc...`):
    /// every byte position is then a possible start, not only word starts.
    odd_start: bool,
    /// The set holds single IPv4 addresses: their anchor is the whole dotted quad.
    v4: bool,
    /// The set holds IPv6 values or ranges: text with a `:` may match.
    colon: bool,
    /// Some entry has no anchor: every text may match.
    always: bool,
    added: usize,
}

/// `x` with ASCII upper-case letters lowered, for bytes below 0x80 (SWAR).
#[inline(always)]
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let ge_a = x.wrapping_add(ONES * (0x80 - u64::from(b'A')));
    let gt_z = x.wrapping_add(ONES * (0x80 - u64::from(b'Z') - 1));
    x | ((ge_a & !gt_z & (ONES * 0x80)) >> 2)
}

/// The low `l` bytes of `w`.
#[inline(always)]
fn head(w: u64, l: usize) -> u64 {
    if l >= MAX {
        w
    } else {
        w & ((1u64 << (8 * l)) - 1)
    }
}

/// SplitMix64's finaliser of the window and its length: every output bit depends on
/// every input bit. (Without the last shift the low bits, from which the filter took
/// its cache line, saw only the first 6 bytes: `10.145.*` addresses or `c2-…` hosts
/// crowded into a few lines, which then said "maybe" ~25× more often than designed.)
#[inline(always)]
fn hash(w: u64, l: usize) -> u64 {
    let h = w ^ (l as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The dotted quad starting at `p` (digits, and dots each followed by a digit: a
/// trailing dot or `..` ends it, as extraction takes it) as two windows and its
/// length, if it has three dots.
#[inline(always)]
fn dotted_quad(t: &[u8], p: usize) -> Option<(u64, u64, usize)> {
    let mut e = p;
    let mut dots = 0;
    while e < t.len() && e - p < 16 {
        if t[e] == b'.' && t.get(e + 1).is_some_and(u8::is_ascii_digit) {
            dots += 1;
        } else if !t[e].is_ascii_digit() {
            break;
        }
        e += 1;
    }
    if dots != 3 || e - p > 15 || e - p < 7 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..e - p].copy_from_slice(&t[p..e]);
    let (a, b) = buf.split_at(8);
    Some((u64::from_le_bytes(a.try_into().ok()?), u64::from_le_bytes(b.try_into().ok()?), e - p))
}

/// `octets` as dotted decimal into `buf` (at most 15 bytes); the length written.
fn put_octets(buf: &mut [u8; 16], octets: &[u8]) -> usize {
    let mut l = 0;
    for (i, &o) in octets.iter().enumerate() {
        if i > 0 {
            buf[l] = b'.';
            l += 1;
        }
        if o >= 100 {
            buf[l] = b'0' + o / 100;
            l += 1;
        }
        if o >= 10 {
            buf[l] = b'0' + o / 10 % 10;
            l += 1;
        }
        buf[l] = b'0' + o % 10;
        l += 1;
    }
    l
}

/// Hash of a whole dotted quad (length codes above 16 keep it apart from prefixes).
#[inline(always)]
fn quad_hash(a: u64, b: u64, l: usize) -> u64 {
    hash(a ^ b.rotate_left(23).wrapping_mul(0xD6E8_FEB8_6659_FD93), 16 + l)
}

const ALNUM: u16 = 1;
const DIGIT_OR_DOT: u16 = 2;
const PERCENT: u16 = 4;
const DOT: u16 = 8;
const SPACE: u16 = 16;
const COLON: u16 = 32;
const OPEN: u16 = 64;
const CLOSE: u16 = 128;
const BACKSLASH: u16 = 256;
const ALPHA_OR_STAR: u16 = 512;
const NON_ASCII: u16 = 1024;

/// What the scan needs to know of each byte.
static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_alphanumeric() {
            k |= ALNUM;
        }
        if c.is_ascii_digit() || c == b'.' {
            k |= DIGIT_OR_DOT;
        }
        if c.is_ascii_alphabetic() || c == b'*' {
            k |= ALPHA_OR_STAR;
        }
        k |= match c {
            b'%' => PERCENT,
            b'.' => DOT,
            b' ' => SPACE,
            b':' => COLON,
            b'[' | b'(' | b'{' => OPEN,
            b']' | b')' | b'}' => CLOSE,
            b'\\' => BACKSLASH,
            0x80.. => NON_ASCII,
            _ => 0,
        };
        t[i] = k;
        i += 1;
    }
    t
};

#[inline(always)]
fn is_alnum(c: u8) -> bool {
    CLASS[usize::from(c)] & ALNUM != 0
}

/// A set of ASCII bytes, as a flag per byte and as a nibble table for the SIMD scan:
/// byte `c` is in the set iff bit `c >> 4` of `nibbles[c & 15]` is set.
#[derive(Debug, Clone)]
struct ByteSet {
    flags: [bool; 256],
    nibbles: [u8; 16],
}

impl Default for ByteSet {
    fn default() -> Self {
        ByteSet { flags: [false; 256], nibbles: [0; 16] }
    }
}

impl ByteSet {
    fn add(&mut self, c: u8) {
        if c.is_ascii() {
            self.flags[usize::from(c)] = true;
            self.nibbles[usize::from(c & 15)] |= 1 << (c >> 4);
        }
    }
}

/// Bit masks (bit `i` = byte `i`) of one 64-byte block of text: what the scan needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    alnum: u64,
    digit_or_dot: u64,
    long: u64,
    short_first: u64,
    /// Bytes where a refang replacement may start (`refang::replacement_starts` decides).
    trigger: u64,
    percent: u64,
    non_ascii: u64,
}

/// Per-byte classes of a block, before the refang triggers are derived from them.
#[derive(Default)]
struct Classes {
    alnum: u64,
    digit_or_dot: u64,
    long: u64,
    short_first: u64,
    percent: u64,
    dot: u64,
    space: u64,
    colon: u64,
    open: u64,
    close: u64,
    backslash: u64,
    alpha_or_star: u64,
    non_ascii: u64,
}

impl Classes {
    /// Bytes of `[({\` and the `.`, ` `, `:` whose neighbours allow a replacement (the
    /// checks of `refang::worth_a_look` as bit operations); the neighbours of the first
    /// and last byte are in other blocks, so those count as "maybe".
    fn masks(&self) -> Masks {
        let before = |m: u64| m << 1 | 1;
        let after = |m: u64| m >> 1 | 1 << 63;
        let trigger = self.open
            | self.backslash
            | self.dot & (before(self.open) | after(self.close))
            | self.space & after(self.dot)
            | self.colon & (before(self.alpha_or_star) | after(self.backslash));
        Masks {
            alnum: self.alnum,
            digit_or_dot: self.digit_or_dot,
            long: self.long,
            short_first: self.short_first,
            trigger,
            percent: self.percent,
            non_ascii: self.non_ascii,
        }
    }
}

const BLOCK: usize = 64;


/// Bits `i` of `a` (continued by `b`) where `k` set bits start.
#[inline(always)]
fn runs_of(a: u64, b: u64, k: u32) -> u64 {
    let mut r = a;
    for j in 1..k {
        r &= a >> j | b << (64 - j);
    }
    r
}

/// Load up to 8 bytes at `p` (zero-padded past the end), case-folded.
#[inline(always)]
fn window(t: &[u8], p: usize) -> u64 {
    if let Some(w) = t.get(p..p + MAX) {
        let w: [u8; MAX] = w.try_into().unwrap_or_default();
        return lower8(u64::from_le_bytes(w));
    }
    let mut buf = [0u8; MAX];
    let n = (t.len() - p).min(MAX);
    buf[..n].copy_from_slice(&t[p..p + n]);
    lower8(u64::from_le_bytes(buf))
}

/// Index of the two-byte gate for a window's first two bytes.
#[inline(always)]
fn two(w: u64) -> usize {
    (w & 0xffff) as usize
}

impl Anchors {
    /// An empty filter sized for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> Self {
        let lines = (n.max(16) * BITS_PER_ENTRY).div_ceil(512);
        Anchors {
            lines: vec![[0; 8]; lines],
            ..Anchors::default()
        }
    }

    /// Entries added so far (to tell when the filter is overfull).
    pub(crate) fn added(&self) -> usize {
        self.added
    }

    /// Entries the filter was sized for.
    pub(crate) fn capacity(&self) -> usize {
        self.lines.len() * 512 / BITS_PER_ENTRY
    }

    pub(crate) fn bytes(&self) -> usize {
        self.lines.capacity() * 64 + self.short2.capacity() * 8 + self.short.bytes()
    }

    /// The cache line of a hash (its high half, scaled to the line count) and its
    /// [`KEY_BITS`] bit positions in that line (9 bits each, from a second mix of it).
    #[inline(always)]
    fn bits(&self, h: u64) -> (usize, u64) {
        let line = (((h >> 32) * self.lines.len() as u64) >> 32) as usize;
        let b = (h ^ (h >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
        (line, b ^ (b >> 32))
    }

    fn insert(&mut self, h: u64) {
        let (i, mut b) = self.bits(h);
        let line = &mut self.lines[i];
        for _ in 0..KEY_BITS {
            let pos = (b & 511) as usize;
            line[pos >> 6] |= 1 << (pos & 63);
            b >>= 9;
        }
    }

    /// All bits of `h` are set (1) or not (0), without a branch.
    #[inline(always)]
    fn test(&self, h: u64) -> u64 {
        let (i, mut b) = self.bits(h);
        let line = &self.lines[i];
        let mut all = 1;
        for _ in 0..KEY_BITS {
            let pos = (b & 511) as usize;
            all &= line[pos >> 6] >> (pos & 63);
            b >>= 9;
        }
        all & 1
    }

    #[cfg(test)]
    fn contains(&self, h: u64) -> bool {
        self.test(h) != 0
    }

    /// Some hash of `hs` is in the Bloom filter, tested without a branch per hash (so the
    /// loads of different cache lines need not wait on each other).
    #[inline(always)]
    fn any_contains(&self, hs: &[u64]) -> bool {
        hs.iter().fold(0, |any, &h| any | self.test(h)) != 0
    }

    fn add_anchor(&mut self, a: &[u8]) {
        let a = &a[..a.len().min(MAX)];
        if !a.is_ascii() {
            return; // only non-ASCII text holds it, and that always takes the full path
        }
        let Some(&first) = a.first() else {
            self.always = true;
            return;
        };
        self.odd_start |= !is_alnum(first);
        let mut buf = [0u8; MAX];
        buf[..a.len()].copy_from_slice(a);
        let w = lower8(u64::from_le_bytes(buf));
        if a.len() == MAX {
            self.insert(hash(w, MAX));
            self.long = true;
            for c in w.to_le_bytes() {
                self.long_bytes.add(c);
                self.long_bytes.add(c.to_ascii_uppercase());
            }
        } else {
            self.short_lens |= 1 << a.len();
            self.short.insert(w | (a.len() as u64) << 56);
            self.short_first.add(a[0].to_ascii_lowercase());
            self.short_first.add(a[0].to_ascii_uppercase());
            if self.short2.is_empty() {
                self.short2 = vec![0; 1024];
            }
            // one-byte anchors (`a.b` cannot be one; kept for completeness) gate on byte 0
            let g = if a.len() == 1 { two(w) & 0xff } else { two(w) };
            self.short2[g >> 6] |= 1 << (g & 63);
            if a.len() == 1 {
                self.always = true;
            }
        }
    }

    /// Add the anchor of one byte key (see [`TAG_CIDR4`]).
    pub(crate) fn add_key(&mut self, k: &[u8]) {
        self.added += 1;
        let Some((&tag, b)) = k.split_first() else {
            return;
        };
        // built on the first match after a load: stack buffers, no `Display`
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 16];
        const V4: u8 = IocKind::Ipv4 as u8;
        const V6: u8 = IocKind::Ipv6 as u8;
        const URL: u8 = IocKind::Url as u8;
        const CVE: u8 = IocKind::Cve as u8;
        const ASN: u8 = IocKind::Asn as u8;
        const MD5: u8 = IocKind::Md5 as u8;
        const SHA512: u8 = IocKind::Sha512 as u8;
        match tag {
            V6 | TAG_CIDR6 => self.colon = true,
            V4 if b.len() == 4 => {
                let l = put_octets(&mut buf, &b[..4]);
                match dotted_quad(&buf[..l], 0) {
                    Some((x, y, l)) => {
                        self.insert(quad_hash(x, y, l));
                        self.v4 = true;
                    }
                    None => self.always = true,
                }
            }
            // a range fixes its first prefix/8 octets: `185.220.` for a /16
            TAG_CIDR4 if b.len() == 5 && b[0] >= 8 => {
                let fixed = usize::from(b[0] / 8).min(4);
                let mut l = put_octets(&mut buf, &b[1..1 + fixed]);
                if fixed < 4 {
                    buf[l] = b'.';
                    l += 1;
                }
                self.add_anchor(&buf[..l]);
            }
            MD5..=SHA512 => {
                for (i, x) in b.iter().take(MAX / 2).enumerate() {
                    buf[2 * i] = HEX[usize::from(x >> 4)];
                    buf[2 * i + 1] = HEX[usize::from(x & 15)];
                }
                self.add_anchor(&buf[..2 * b.len().min(MAX / 2)]);
            }
            CVE => self.add_anchor(b"cve"),
            ASN => self.add_anchor(b"as"),
            // URL keys: `[scheme://][user@]host[:port][/path]`, scheme dropped for http(s)
            URL => {
                let body = match b.windows(3).position(|w| w == b"://") {
                    Some(i) => &b[i + 3..],
                    None => b,
                };
                if body.first() == Some(&b'[') {
                    self.colon = true; // an IPv6 host
                    return;
                }
                let end = body.iter().position(|c| b"/?#:@".contains(c)).unwrap_or(body.len());
                match dotted_quad(&body[..end], 0) {
                    // an IP host: its whole dotted quad, as for an address entry
                    Some((x, y, l)) if l == end => {
                        self.insert(quad_hash(x, y, l));
                        self.v4 = true;
                    }
                    _ => self.add_anchor(&body[..end]),
                }
            }
            // domains, emails, BTC: the value itself
            t if t <= IocKind::Btc as u8 && t != V4 => self.add_anchor(b),
            _ => self.always = true,
        }
    }

    /// The masks of a block (zero bytes past the text's end).
    #[inline(always)]
    pub(crate) fn masks(&self, block: &[u8; BLOCK]) -> Masks {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            self.masks_simd(block)
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            self.masks_scalar(block)
        }
    }

    #[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128", not(feature = "toolkit")), allow(dead_code))]
    pub(crate) fn masks_scalar(&self, block: &[u8; BLOCK]) -> Masks {
        let mut m = Classes::default();
        for (i, &c) in block.iter().enumerate() {
            let k = CLASS[usize::from(c)];
            let bit = |flag: u16| u64::from(k & flag != 0) << i;
            m.alnum |= bit(ALNUM);
            m.digit_or_dot |= bit(DIGIT_OR_DOT);
            m.percent |= bit(PERCENT);
            m.dot |= bit(DOT);
            m.space |= bit(SPACE);
            m.colon |= bit(COLON);
            m.open |= bit(OPEN);
            m.close |= bit(CLOSE);
            m.backslash |= bit(BACKSLASH);
            m.alpha_or_star |= bit(ALPHA_OR_STAR);
            m.non_ascii |= bit(NON_ASCII);
            m.long |= u64::from(self.long_bytes.flags[usize::from(c)]) << i;
            m.short_first |= u64::from(self.short_first.flags[usize::from(c)]) << i;
        }
        m.masks()
    }

    /// `masks_scalar`, 16 bytes per step (wasm SIMD128; the JS self-check compares both).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub(crate) fn masks_simd(&self, block: &[u8; BLOCK]) -> Masks {
        use core::arch::wasm32::*;
        let splat = u8x16_splat;
        let high_bit = u8x16(1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0);
        let (long_nibbles, short_nibbles) = (super::simd::load16(&self.long_bytes.nibbles), super::simd::load16(&self.short_first.nibbles));
        // a byte is in a ByteSet iff its nibble-table bits meet (non-ASCII bytes never: no high-nibble bit)
        let member = |v: v128, nibbles: v128| {
            let hit = v128_and(i8x16_swizzle(nibbles, v128_and(v, splat(15))), i8x16_swizzle(high_bit, u8x16_shr(v, 4)));
            v128_not(u8x16_eq(hit, splat(0)))
        };
        let mut m = Classes::default();
        for (q, c) in block.chunks_exact(16).enumerate() {
            let v = super::simd::load16(c);
            let eq = |c: u8| u8x16_eq(v, splat(c));
            let digit = v128_and(u8x16_ge(v, splat(b'0')), u8x16_le(v, splat(b'9')));
            // `[`/`{` and `]`/`}` differ by 0x20 only
            let folded = v128_or(v, splat(0x20));
            let letter = v128_and(u8x16_ge(folded, splat(b'a')), u8x16_le(folded, splat(b'z')));
            let dot = eq(b'.');
            let at = 16 * q;
            let bits = |x: v128| u64::from(u8x16_bitmask(x)) << at;
            m.alnum |= bits(v128_or(digit, letter));
            m.digit_or_dot |= bits(v128_or(digit, dot));
            m.percent |= bits(eq(b'%'));
            m.dot |= bits(dot);
            m.space |= bits(eq(b' '));
            m.colon |= bits(eq(b':'));
            m.open |= bits(v128_or(u8x16_eq(folded, splat(b'{')), eq(b'(')));
            m.close |= bits(v128_or(u8x16_eq(folded, splat(b'}')), eq(b')')));
            m.backslash |= bits(eq(b'\\'));
            m.alpha_or_star |= bits(v128_or(letter, eq(b'*')));
            m.non_ascii |= bits(v);
            m.long |= bits(member(v, long_nibbles));
            m.short_first |= bits(member(v, short_nibbles));
        }
        m.masks()
    }

    /// `false` when `text` cannot match: no entry's anchor at a word start (as
    /// extraction sees the text before refanging) and, with `refang`, nothing that
    /// refanging would change (checked in the same pass).
    ///
    /// The text is classified 64 bytes at a time into bit masks (SIMD in wasm); word
    /// starts, and whether the bytes an 8-byte anchor or a dotted quad needs follow
    /// them, are bit operations on those masks, so most word starts (`"ts"`, `GET`,
    /// `2025-01-01T`) cost no window and no probe.
    pub(crate) fn may_match(&self, text: &str, refang: bool) -> bool {
        if self.always {
            return true;
        }
        let t = text.as_bytes();
        if self.colon && t.contains(&b':') {
            return true;
        }
        let anchored = self.long || self.short_lens != 0 || self.v4;
        if !anchored && !refang {
            return !text.is_ascii();
        }
        if t.is_empty() {
            return false;
        }
        let load = |at: usize| match t.get(at..at + BLOCK).and_then(|b| <&[u8; BLOCK]>::try_from(b).ok()) {
            Some(block) => self.masks(block),
            None => {
                // the last, partial block: zero-padded
                let mut buf = [0u8; BLOCK];
                buf[..t.len() - at].copy_from_slice(&t[at..]);
                self.masks(&buf)
            }
        };
        let mut cur = load(0);
        let mut probes = [0u64; 2 * BLOCK];
        let (mut after_alnum, mut after_percent) = (0u64, 0u64);
        for base in (0..t.len()).step_by(BLOCK) {
            let next = if base + BLOCK < t.len() { load(base + BLOCK) } else { Masks::default() };
            if cur.non_ascii != 0 {
                return true;
            }
            if refang {
                let mut m = cur.trigger;
                while m != 0 {
                    let p = base + m.trailing_zeros() as usize;
                    m &= m - 1;
                    if replacement_starts(t, p) {
                        return true;
                    }
                }
            }
            if anchored {
                let a = cur.alnum;
                // word starts, and the byte after `%xx` (extraction strips a percent-encoded
                // prefix such as `%2F`); any non-alphanumeric byte if an anchor starts so
                let mut starts = a & (!(a << 1 | after_alnum) | (cur.percent << 3 | after_percent));
                if self.odd_start {
                    let left = t.len() - base;
                    starts |= !a & if left >= BLOCK { !0 } else { (1u64 << left) - 1 };
                }
                let long = if self.long { runs_of(cur.long, next.long, MAX as u32) } else { 0 };
                let quad = if self.v4 { a & cur.digit_or_dot & runs_of(cur.digit_or_dot, next.digit_or_dot, 7) } else { 0 };
                let mut todo = starts & (long | quad | cur.short_first);
                // the block's Bloom probes are gathered, then tested without a branch
                // each: on a big set (megabytes of filter) their loads can overlap
                let mut n = 0;
                while todo != 0 {
                    let i = todo.trailing_zeros();
                    todo &= todo - 1;
                    if self.may_start_at(t, base + i as usize, long >> i & 1 != 0, quad >> i & 1 != 0, &mut probes, &mut n) {
                        return true;
                    }
                }
                if self.any_contains(&probes[..n]) {
                    return true;
                }
            }
            after_alnum = cur.alnum >> 63;
            after_percent = cur.percent >> 61;
            cur = next;
        }
        false
    }

    /// An anchor starts at word start `p`: `long`, 8 bytes of 8-byte anchors follow;
    /// `quad`, a digit and 6 more digits or dots. Short anchors are looked up here; the
    /// Bloom filter's hashes are pushed to `probes` (see [`Anchors::any_contains`]).
    #[inline(always)]
    fn may_start_at(&self, t: &[u8], p: usize, long: bool, quad: bool, probes: &mut [u64; 2 * BLOCK], n: &mut usize) -> bool {
        if quad {
            if let Some((x, y, l)) = dotted_quad(t, p) {
                probes[*n] = quad_hash(x, y, l);
                *n += 1;
            }
        }
        let w = window(t, p);
        if long {
            probes[*n] = hash(w, MAX);
            *n += 1;
        }
        if self.short_lens != 0 {
            let g = two(w);
            if self.short2[g >> 6] & (1 << (g & 63)) == 0 {
                return false;
            }
            let left = t.len() - p;
            let mut ls = self.short_lens;
            while ls != 0 {
                let l = ls.trailing_zeros() as usize;
                ls &= ls - 1;
                if l > left {
                    break;
                }
                if self.short.contains(head(w, l) | (l as u64) << 56) {
                    return true;
                }
            }
        }
        false
    }
}

/// Compares the SIMD block classifier with the scalar one on varied blocks (random
/// bytes from all 256 values and from the bytes the scan cares about, anchors with odd
/// bytes). Returns (blocks compared, first mismatch); (0, None) where there is no SIMD
/// path. Run by the JS test suite in every runtime, where the SIMD path is the one used.
// Exported to JS by the `toolkit` builds only.
#[cfg_attr(any(not(target_arch = "wasm32"), not(feature = "toolkit")), allow(dead_code))]
pub fn simd_self_check() -> (usize, Option<String>) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let mut a = Anchors::with_capacity(16);
        for v in ["evil.example", "user+tag@mail.example", "_dmarc.example.org", "x~y*z=w!q.example", "0123456789abcdef", "t.co", "_x", "Q9+"] {
            a.add_anchor(v.as_bytes());
        }
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        const PICK: &[u8] = b"azAZ09.%[({\\ :])}-_@~*+=!\"/'`\x00\x7f\x80\xff";
        let mut n = 0;
        for round in 0..4000 {
            let mut block = [0u8; BLOCK];
            for b in block.iter_mut() {
                let r = next();
                *b = if round % 2 == 0 { r as u8 } else { PICK[(r % PICK.len() as u64) as usize] };
            }
            // the mismatching block is reproducible from its round (no Debug formatting shipped)
            if a.masks_simd(&block) != a.masks_scalar(&block) {
                return (n, Some(format!("block classes differ in round {round}")));
            }
            n += 1;
        }
        (n, None)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        (0, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_false_positives_at_capacity() {
        // filled to the capacity it was sized for, with distinct 8-byte anchors; then probed
        // with others: the rate the prefilter's "maybe" costs on text holding no entry
        let n = 1 << 18;
        let mut a = Anchors::with_capacity(n);
        let word = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        for i in 0..a.capacity() as u64 {
            a.insert(hash(word(i), MAX));
        }
        let probes = 1u64 << 20;
        let fp = (0..probes).filter(|i| a.contains(hash(word(i + (1 << 40)), MAX))).count();
        let rate = fp as f64 / probes as f64;
        eprintln!("Bloom filter: {} bits per entry, {rate:.1e} false positives", BITS_PER_ENTRY);
        assert!(rate < 5e-4, "{rate}"); // 3.3e-4 measured
    }

    #[test]
    fn bloom_false_positives_on_structured_anchors() {
        // log-like anchors that share their first bytes: addresses of a few /8s, `c2-…`
        // hosts; probed with others of the same shapes (a weak hash crowds them into a
        // few cache lines: 8e-4 at 32 bits per entry, before SplitMix64's full finaliser and the
        // line taken from the hash's high half; 2.1e-5 at 32 bits after, 2.9e-4 at 20)
        let n = 1 << 18;
        let mut a = Anchors::with_capacity(n);
        let mut s: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let key = |first: bool, r: u64| {
            let mut buf = [0u8; 16];
            if r % 2 == 0 {
                // entries end in an even octet, probes in an odd one: no probe is an entry
                let o = [[10u8, 172, 192, 185][(r >> 8) as usize % 4], (r >> 16) as u8, (r >> 24) as u8, (r >> 32) as u8 & !1 | u8::from(!first)];
                let l = put_octets(&mut buf, &o);
                let (x, y, l) = dotted_quad(&buf[..l], 0).unwrap();
                quad_hash(x, y, l)
            } else {
                const B36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
                buf[..3].copy_from_slice(b"c2-");
                for (i, b) in buf[3..MAX].iter_mut().enumerate() {
                    *b = B36[(r >> (6 * i + 8)) as usize % 18 + if first { 0 } else { 18 } * usize::from(i == 0)];
                }
                hash(u64::from_le_bytes(buf[..MAX].try_into().unwrap()), MAX)
            }
        };
        for _ in 0..a.capacity() {
            let h = key(true, next());
            a.insert(h);
        }
        let probes = 1 << 20;
        let fp = (0..probes).filter(|_| a.contains(key(false, next()))).count();
        let rate = fp as f64 / probes as f64;
        eprintln!("Bloom filter, structured anchors: {rate:.1e} false positives");
        assert!(rate < 5e-4, "{rate}");
    }

    #[test]
    fn lower8_folds_only_ascii_letters() {
        let w = u64::from_le_bytes(*b"AZaz@[09");
        assert_eq!(lower8(w).to_le_bytes(), *b"azaz@[09");
    }

    #[test]
    fn anchors_of_each_kind_are_found_at_word_starts_only() {
        let mut a = Anchors::with_capacity(8);
        let mut key = vec![IocKind::Domain as u8];
        key.extend_from_slice(b"evil.example.com");
        a.add_key(&key);
        assert!(a.may_match("GET https://EVIL.example.com/x", false));
        assert!(a.may_match("sub.evil.example.com", false));
        assert!(!a.may_match("notevil.example.com and good.example.org", false));
        assert!(!a.may_match("", false));
        // text that refanging changes may match, whatever its anchors
        assert!(a.may_match("unrelated[.]org", true) && !a.may_match("unrelated[.]org", false));
        assert!(a.may_match("hxxp://x", true) && !a.may_match("{\"k\": \"v. w\"}", true));
        // non-ASCII text always takes the full path
        assert!(a.may_match("café", false));
    }

    #[test]
    fn octets_are_written_like_display() {
        let mut buf = [0u8; 16];
        for o in [[0u8, 9, 10, 99], [100, 199, 200, 255], [1, 0, 0, 1]] {
            let l = put_octets(&mut buf, &o);
            assert_eq!(&buf[..l], std::net::Ipv4Addr::from(o).to_string().as_bytes());
        }
    }

    #[test]
    fn ipv6_entries_make_colons_candidates() {
        let mut a = Anchors::with_capacity(8);
        let mut key = vec![IocKind::Ipv6 as u8];
        key.extend_from_slice(&[0u8; 16]);
        a.add_key(&key);
        assert!(a.may_match("at 2001:db8::1", false));
        assert!(!a.may_match("no colon here", false));
    }
}

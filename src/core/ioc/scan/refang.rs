//! Refang (`hxxp://evil[.]com` → `http://evil.com`) with an offset map back to the
//! original text (defang, the reverse, is `core::ioc::defang`: it runs rarely, at opt-level "z").
//!
//! Styles handled, case-insensitively: bracketed tokens with any mix of `[ ( {` and
//! `] ) }` (nested up to 3, inner spaces allowed, backslash-escaped brackets allowed)
//! around `.`, `dot`, `@`, `at`, `:`, `://`, `/`; spaced forms `example [.] com`;
//! half brackets inside a word (`example[.com`, `1.)1`); `\.` inside a word; spaced dot
//! `2.2.2 . 2` between two word characters; schemes `hxxp`, `hXXp`, `h**p`, `hxxps`,
//! `fxp` (only when a `:` or a bracketed `:` follows); `http:\\` → `http://`.

/// One replaced span: `input[inp..inp+inp_len]` became `output[out..out+out_len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub out: usize,
    pub out_len: usize,
    pub inp: usize,
    pub inp_len: usize,
}

/// Refanged text plus the replacements made (sorted by position).
#[derive(Debug, Clone, Default)]
pub struct Refanged {
    pub text: String,
    pub pieces: Vec<Piece>,
    /// One bit per byte of `text` that a replacement wrote: `touches` is asked for every
    /// candidate host, and a few word tests beat a binary search over the pieces.
    replaced: Vec<u64>,
}

impl Refanged {
    /// The text unchanged (no refanging).
    pub fn identity(s: &str) -> Self {
        Refanged {
            text: s.to_string(),
            ..Default::default()
        }
    }

    fn locate(&self, o: usize) -> (Option<&Piece>, usize) {
        self.locate_at(self.pieces.partition_point(|p| p.out <= o), o)
    }

    /// `locate` given `idx`, the number of pieces that start at or before `o`.
    fn locate_at(&self, idx: usize, o: usize) -> (Option<&Piece>, usize) {
        if idx == 0 {
            return (None, o);
        }
        let p = &self.pieces[idx - 1];
        if o < p.out + p.out_len {
            (Some(p), p.inp)
        } else {
            (None, o - (p.out + p.out_len) + (p.inp + p.inp_len))
        }
    }

    /// Map an output start offset to the input.
    pub fn to_orig_start(&self, o: usize) -> usize {
        self.locate(o).1
    }

    /// Map an output (exclusive) end offset to the input.
    pub fn to_orig_end(&self, o: usize) -> usize {
        if o == 0 {
            return 0;
        }
        end_after(self.locate(o - 1))
    }

    /// The input span of the output span `[s, e)` — `to_orig_start(s)`, `to_orig_end(e)` —
    /// for spans visited in order of their start (a scan's hits): `*at` keeps the number of
    /// pieces at or before the last start, so each call walks on from it instead of two
    /// binary searches over every piece.
    pub fn to_orig_span(&self, s: usize, e: usize, at: &mut usize) -> (usize, usize) {
        let pieces = &self.pieces;
        if *at > pieces.len() || (*at > 0 && pieces[*at - 1].out > s) {
            *at = pieces.partition_point(|p| p.out <= s); // out of order: search again
        }
        while *at < pieces.len() && pieces[*at].out <= s {
            *at += 1;
        }
        let start = self.locate_at(*at, s).1;
        if e <= s {
            return (start, self.to_orig_end(e));
        }
        let mut k = *at;
        while k < pieces.len() && pieces[k].out < e {
            k += 1;
        }
        (start, end_after(self.locate_at(k, e - 1)))
    }

    /// Does the output span `[s, e)` overlap a replacement?
    pub fn touches(&self, s: usize, e: usize) -> bool {
        if self.pieces.is_empty() {
            return false;
        }
        if s >= e {
            let idx = self.pieces.partition_point(|p| p.out + p.out_len <= s);
            return self.pieces.get(idx).is_some_and(|p| p.out < e);
        }
        let (first, last) = (s / 64, (e - 1) / 64);
        (first..=last).any(|w| {
            let mut bits = self.replaced.get(w).copied().unwrap_or(0);
            if w == first {
                bits &= !0u64 << (s % 64);
            }
            if w == last {
                bits &= !0u64 >> (63 - (e - 1) % 64);
            }
            bits != 0
        })
    }
}

/// The input end after the output byte `locate` placed.
fn end_after(at: (Option<&Piece>, usize)) -> usize {
    match at {
        (Some(p), _) => p.inp + p.inp_len,
        (None, x) => x + 1,
    }
}

#[inline]
fn is_wordish(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

fn is_open(c: u8) -> bool {
    matches!(c, b'[' | b'(' | b'{')
}
fn is_close(c: u8) -> bool {
    matches!(c, b']' | b')' | b'}')
}

/// Try a bracketed token at `i`; returns (end, replacement).
fn bracket_token(b: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let mut j = i;
    let mut opens = 0;
    loop {
        if b.get(j) == Some(&b'\\') && b.get(j + 1).is_some_and(|&c| is_open(c)) {
            j += 2;
        } else if b.get(j).is_some_and(|&c| is_open(c)) {
            j += 1;
        } else {
            break;
        }
        opens += 1;
        if opens > 4 {
            return None;
        }
    }
    if opens == 0 {
        return None;
    }
    let mut sp = 0;
    while b.get(j) == Some(&b' ') && sp < 3 {
        j += 1;
        sp += 1;
    }
    // content
    let rest = &b[j.min(b.len())..];
    let (clen, rep): (usize, &'static str) = if rest.starts_with(b"://") {
        (3, "://")
    } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"dot") {
        (3, ".")
    } else if rest.len() >= 2 && rest[..2].eq_ignore_ascii_case(b"at") {
        (2, "@")
    } else {
        match rest.first() {
            Some(b'.') => (1, "."),
            Some(b'@') => (1, "@"),
            Some(b':') => (1, ":"),
            Some(b'/') => (1, "/"),
            _ => return None,
        }
    };
    j += clen;
    let mut sp = 0;
    while b.get(j) == Some(&b' ') && sp < 3 {
        j += 1;
        sp += 1;
    }
    let mut closes = 0;
    loop {
        if b.get(j) == Some(&b'\\') && b.get(j + 1).is_some_and(|&c| is_close(c)) {
            j += 2;
        } else if b.get(j).is_some_and(|&c| is_close(c)) {
            j += 1;
        } else {
            break;
        }
        closes += 1;
        if closes > 4 {
            return None;
        }
    }
    // as many closing as opening brackets (`[[.]]`, `(.]`); lopsided clutter around a
    // dot inside a word is handled by the dot rule, and `([.]` keeps its `(`
    if closes != opens {
        return None;
    }
    Some((j, rep))
}

/// Refang `s`, recording each replacement.
pub fn refang_map(s: &str) -> Refanged {
    refang_scan(s)
}

/// Whether refanging would change `s` (stops at the first replacement, allocates
/// nothing).
pub fn would_refang(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| replacement_starts(b, i))
}

/// A replacement starts at `i` of a text scanned from its beginning with nothing
/// replaced before `i` (what `would_refang` asks of every position).
#[inline(always)]
pub fn replacement_starts(b: &[u8], i: usize) -> bool {
    is_trigger(b[i]) && worth_a_look(b, i) && replacement_at(b, i, 0).is_some()
}

fn refang_scan(s: &str) -> Refanged {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = String::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut copy_from = 0usize;
    let mut i = 0usize;
    while i < n {
        // spaces (a trigger only before a '.') are left to the '.' that follows them: the
        // loop skips the common bytes in one table lookup each
        if !TRIGGER_BUT_SPACE[usize::from(b[i])] {
            i += 1;
            continue;
        }
        let mut hit = None;
        if b[i] == b'.' && i > copy_from && b[i - 1] == b' ' {
            hit = replacement_at(b, i - 1, copy_from);
        }
        if hit.is_none() && worth_a_look(b, i) {
            hit = replacement_at(b, i, copy_from);
        }
        let Some((from, to, rep)) = hit else {
            i += 1;
            continue;
        };
        if out.capacity() == 0 {
            out.reserve(n);
        }
        out.push_str(&s[copy_from..from]);
        pieces.push(Piece {
            out: out.len(),
            out_len: rep.len(),
            inp: from,
            inp_len: to - from,
        });
        out.push_str(rep);
        copy_from = to;
        i = to;
    }
    if pieces.is_empty() {
        return Refanged { text: s.to_string(), ..Default::default() };
    }
    out.push_str(&s[copy_from..]);
    let mut replaced = vec![0u64; out.len().div_ceil(64)];
    for p in &pieces {
        for i in p.out..p.out + p.out_len {
            replaced[i / 64] |= 1 << (i % 64);
        }
    }
    Refanged { text: out, pieces, replaced }
}

/// The replacement (input range and text) starting at trigger byte `i`, never reaching
/// back before `copy_from` (the end of the previous one).
fn replacement_at(b: &[u8], i: usize, copy_from: usize) -> Option<(usize, usize, &'static str)> {
    let n = b.len();
    let c = b[i];
    // a defanged scheme word right before `:` or a bracketed `:` (`hxxp:`, `h**ps[:]`)
    if matches!(c, b':' | b'[' | b'(' | b'{') {
        if let Some((ws, rep)) = scheme_before(b, i, copy_from) {
            return Some((ws, i, rep));
        }
    }
    match c {
        b'[' | b'(' | b'{' | b'\\' => {
            // only at the first bracket of a run: `[[[.]]` must not match as `[[.]]`
            let run_start = i == 0 || !is_open(b[i - 1]);
            if let Some((end, rep)) = if run_start { bracket_token(b, i) } else { None } {
                // spaced form: `word [.] word`
                let mut k = i;
                while k > copy_from && b[k - 1] == b' ' && i - k < 3 {
                    k -= 1;
                }
                let mut m = end;
                while m < n && b[m] == b' ' && m - end < 3 {
                    m += 1;
                }
                let left_ok = k > 0 && k < i && is_wordish(b[k - 1]);
                let right_ok = m > end && m < n && is_wordish(b[m]);
                return Some(if rep != "/" && left_ok && right_ok { (k, m, rep) } else { (i, end, rep) });
            }
            // `\.` inside a word
            if c == b'\\' && b.get(i + 1) == Some(&b'.') && i > 0 && is_wordish(b[i - 1]) && b.get(i + 2).is_some_and(|&x| is_wordish(x)) {
                return Some((i, i + 2, "."));
            }
            None
        }
        b'.' => {
            // a dot cluttered with brackets inside a word: `example[.com`, `1.)1`,
            // `10.10.10.]]]10`, `10(((.]]]]10`
            let mut k = i;
            while k > copy_from && is_open(b[k - 1]) && i - k < 4 {
                k -= 1;
            }
            let mut m = i + 1;
            while m < n && is_close(b[m]) && m - i <= 4 {
                m += 1;
            }
            ((k < i || m > i + 1) && k > 0 && is_wordish(b[k - 1]) && m < n && is_wordish(b[m])).then_some((k, m, "."))
        }
        // spaced dot `2.2.2 . 2`
        b' ' => (b.get(i + 1) == Some(&b'.')
            && b.get(i + 2) == Some(&b' ')
            && i > 0
            && is_wordish(b[i - 1])
            && b.get(i + 3).is_some_and(|&x| is_wordish(x)))
        .then_some((i, i + 3, ".")),
        // `http:\\host`
        b':' if b.get(i + 1) == Some(&b'\\') && b.get(i + 2) == Some(&b'\\') => {
            let mut k = i;
            while k > 0 && b[k - 1].is_ascii_alphabetic() {
                k -= 1;
            }
            (3..=6).contains(&(i - k)).then_some((i, i + 3, "://"))
        }
        _ => None,
    }
}

/// A cheap necessary condition for a replacement at trigger byte `i`: most `.`, ` ` and
/// `:` in text (`a.b`, `a b`, `"k":`) start none, and skip the checks below.
#[inline(always)]
fn worth_a_look(b: &[u8], i: usize) -> bool {
    let prev = if i > 0 { b[i - 1] } else { 0 };
    let next = b.get(i + 1).copied().unwrap_or(0);
    match b[i] {
        b'.' => is_open(prev) || is_close(next),
        b' ' => next == b'.',
        b':' => prev.is_ascii_alphabetic() || prev == b'*' || next == b'\\',
        _ => true,
    }
}

/// [`is_trigger`] without the space, as a table.
static TRIGGER_BUT_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = is_trigger(c as u8) && c as u8 != b' ';
        c += 1;
    }
    t
};

/// Bytes at which a replacement can start.
#[inline(always)]
pub const fn is_trigger(c: u8) -> bool {
    matches!(c, b'[' | b'(' | b'{' | b'\\' | b'.' | b' ' | b':')
}

/// The defanged scheme word ending at `i` (not reaching before `min`).
fn scheme_before(b: &[u8], i: usize, min: usize) -> Option<(usize, &'static str)> {
    let mut ws = i;
    while ws > min && i - ws < 6 && (b[ws - 1].is_ascii_alphabetic() || b[ws - 1] == b'*') {
        ws -= 1;
    }
    if ws == i || (ws > 0 && b[ws - 1].is_ascii_alphanumeric()) {
        return None;
    }
    match scheme_defang(b, ws) {
        Some((len, rep)) if ws + len == i => Some((ws, rep)),
        _ => None,
    }
}

/// `hxxp`, `hXXp`, `h**p`, `hxxps`, `fxp` followed by `:` (or a bracketed `:`).
fn scheme_defang(b: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let rest = &b[i..];
    let (len, rep) = if rest.len() >= 4
        && rest[0].eq_ignore_ascii_case(&b'h')
        && rest[3].eq_ignore_ascii_case(&b'p')
        && ((rest[1].eq_ignore_ascii_case(&b'x') && rest[2].eq_ignore_ascii_case(&b'x'))
            || (rest[1] == b'*' && rest[2] == b'*'))
    {
        if rest.get(4).is_some_and(|c| c.eq_ignore_ascii_case(&b's')) {
            (5, "https")
        } else {
            (4, "http")
        }
    } else if rest.len() >= 3
        && rest[0].eq_ignore_ascii_case(&b'f')
        && rest[1].eq_ignore_ascii_case(&b'x')
        && rest[2].eq_ignore_ascii_case(&b'p')
    {
        if rest.get(3).is_some_and(|c| c.eq_ignore_ascii_case(&b's')) {
            (4, "ftps")
        } else {
            (3, "ftp")
        }
    } else {
        return None;
    };
    let next = rest.get(len).copied();
    let ok = match next {
        Some(b':') => true,
        Some(c) if is_open(c) => rest.get(len + 1) == Some(&b':'),
        _ => false,
    };
    ok.then_some((len, rep))
}

/// Refang a text or a single value (see the module docs for the styles handled).
pub fn refang(s: &str) -> String {
    refang_map(s).text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan as first written: every byte asked whether a replacement starts there.
    fn refang_bytewise(s: &str) -> (String, Vec<Piece>) {
        let b = s.as_bytes();
        let (mut out, mut pieces, mut copy_from, mut i) = (String::new(), Vec::new(), 0, 0);
        while i < b.len() {
            let hit = if is_trigger(b[i]) && worth_a_look(b, i) { replacement_at(b, i, copy_from) } else { None };
            let Some((from, to, rep)) = hit else {
                i += 1;
                continue;
            };
            out.push_str(&s[copy_from..from]);
            pieces.push(Piece { out: out.len(), out_len: rep.len(), inp: from, inp_len: to - from });
            out.push_str(rep);
            (copy_from, i) = (to, to);
        }
        out.push_str(&s[copy_from..]);
        (out, pieces)
    }

    #[test]
    fn touches_by_bitmap_equals_the_search_over_pieces() {
        let r = refang_map(&"a[.]b hxxp://c(.)d e[at]f.g  x . y [.] [dot]".repeat(9));
        assert!(r.pieces.iter().all(|p| p.out_len > 0));
        for s in 0..=r.text.len() + 2 {
            for e in s..=(s + 70).min(r.text.len() + 2) {
                let t = r.pieces.partition_point(|p| p.out + p.out_len <= s);
                assert_eq!(r.touches(s, e), r.pieces.get(t).is_some_and(|p| p.out < e), "{s}..{e}");
            }
        }
    }

    #[test]
    fn span_walk_equals_the_two_searches() {
        let r = refang_map(&"a[.]b hxxp://c(.)d e[at]f.g  x . y [.] [dot]".repeat(5));
        let n = r.text.len() + 2;
        let spans: Vec<(usize, usize)> = (0..=n).flat_map(|s| (s.saturating_sub(2)..=(s + 40).min(n)).map(move |e| (s, e))).collect();
        let mut at = 0;
        for &(s, e) in spans.iter().chain(spans.iter().rev()) {
            assert_eq!(r.to_orig_span(s, e, &mut at), (r.to_orig_start(s), r.to_orig_end(e)), "{s}..{e}");
        }
    }

    #[test]
    fn skipping_scan_equals_the_bytewise_one() {
        let parts = [
            "[.]", " . ", ".", " ", "  ", "(", ")", "[", "]", "{", "}", "\\", ":", "hxxp", "h**ps", "example", "com", "dot",
            "at", "@", "//", "a", "1", "[dot]", "(.)", "[:]", "é", "x",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            seed = seed.wrapping_add(1);
            let r = refang_map(&s);
            assert_eq!((r.text, r.pieces), refang_bytewise(&s), "{s:?}");
        }
    }
}

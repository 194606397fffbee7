//! Small helpers the scanner shares with the indicator set.

/// Natural merge sort: splits `v` into its ascending runs and merges them pairwise,
/// so the concatenated, mostly sorted outputs of the scanner passes sort in ~O(n).
/// Stable, no `Clone` needed, small code.
pub fn merge_sort<T, F: FnMut(&T, &T) -> bool>(v: &mut Vec<T>, mut less: F) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut cuts = vec![0usize];
    for i in 1..n {
        if less(&v[i], &v[i - 1]) {
            cuts.push(i);
        }
    }
    if cuts.len() == 1 {
        return;
    }
    let mut runs: Vec<Vec<T>> = Vec::with_capacity(cuts.len());
    for &c in cuts.iter().rev() {
        runs.push(v.split_off(c));
    }
    runs.reverse();
    while runs.len() > 1 {
        let mut next = Vec::with_capacity(runs.len() / 2 + 1);
        let mut it = runs.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                None => next.push(a),
                Some(b) => {
                    let mut out = Vec::with_capacity(a.len() + b.len());
                    let mut a = a.into_iter().peekable();
                    let mut b = b.into_iter().peekable();
                    loop {
                        let take_b = match (a.peek(), b.peek()) {
                            (Some(x), Some(y)) => less(y, x),
                            (Some(_), None) => false,
                            (None, Some(_)) => true,
                            (None, None) => break,
                        };
                        let item = if take_b { b.next() } else { a.next() };
                        if let Some(item) = item {
                            out.push(item);
                        }
                    }
                    next.push(out);
                }
            }
        }
        runs = next;
    }
    *v = runs.pop().unwrap_or_default();
}

/// The 8 bytes of `b` at `i` as a little-endian word (`i + 8 <= b.len()`).
#[inline(always)]
pub fn le_word(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]])
}

#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = WordHash::new(b.len());
    h.feed(b);
    h.finish()
}

/// FxHash-style multiply/rotate over 8-byte words, then the last bytes one by one; good
/// enough for open addressing and the snapshot checksum. Fed in pieces, every piece but
/// the last must be a multiple of 8 bytes.
pub struct WordHash(u64);

impl WordHash {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    pub fn new(len: usize) -> Self {
        WordHash(len as u64)
    }

    pub fn feed(&mut self, b: &[u8]) {
        // index loops: at opt-level "z" a `chunks_exact` iterator costs a call per word
        let mut i = 0;
        while i + 8 <= b.len() {
            self.0 = (self.0.rotate_left(5) ^ le_word(b, i)).wrapping_mul(Self::K);
            i += 8;
        }
        while i < b.len() {
            self.0 = (self.0.rotate_left(5) ^ b[i] as u64).wrapping_mul(Self::K);
            i += 1;
        }
    }

    pub fn finish(self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}


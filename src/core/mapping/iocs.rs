//! `ParserHelper.unpack_iocs` with CPython set semantics.
//!
//! `unpack_iocs(x)` flattens `x` through any list depth, drops `None`, `""`, `"0.0.0.0"` and
//! `"255.255.255.255"`, and returns `list(set(...))` **at every list level**. De-duplication uses
//! Python equality (`1 == 1.0 == True`, `0 == False`; the first inserted value is kept) and a
//! dict anywhere raises `TypeError: unhashable type: 'dict'`.
//!
//! The order of the result is CPython's set iteration order. We reproduce it exactly by
//! simulating CPython 3.11's `setobject.c` (open addressing, 9 linear probes then perturbed
//! probing, resize at 3/5 fill) with CPython's hash functions: SipHash-1-3 over the string's
//! internal UCS1/UCS2/UCS4 representation with the all-zero key that `PYTHONHASHSEED=0` selects,
//! the numeric hash modulo 2^61-1 for ints/floats/bools. With any other hash seed Python's order
//! is random, so this is "the order Python produces under PYTHONHASHSEED=0 on a 64-bit build".

use serde_json::Value;

use super::error::MappingError;
use super::path::Found;
use super::pyobj::{classify, type_name, Num};
use super::MAX_DEPTH;

const MODULUS: u64 = (1u64 << 61) - 1;
const HASH_BITS: u32 = 61;
const HASH_INF: i64 = 314_159;

// ------------------------------------------------------------------------------------------
// hashes
// ------------------------------------------------------------------------------------------

#[inline]
fn sip_round(v0: &mut u64, v1: &mut u64, v2: &mut u64, v3: &mut u64) {
    *v0 = v0.wrapping_add(*v1);
    *v2 = v2.wrapping_add(*v3);
    *v1 = v1.rotate_left(13) ^ *v0;
    *v3 = v3.rotate_left(16) ^ *v2;
    *v0 = v0.rotate_left(32);
    *v2 = v2.wrapping_add(*v1);
    *v0 = v0.wrapping_add(*v3);
    *v1 = v1.rotate_left(17) ^ *v2;
    *v3 = v3.rotate_left(21) ^ *v0;
    *v2 = v2.rotate_left(32);
}

/// CPython's `siphash13(k0=0, k1=0, src)`.
fn siphash13_zero_key(src: &[u8]) -> u64 {
    let (k0, k1) = (0u64, 0u64);
    let mut v0 = k0 ^ 0x736f_6d65_7073_6575;
    let mut v1 = k1 ^ 0x646f_7261_6e64_6f6d;
    let mut v2 = k0 ^ 0x6c79_6765_6e65_7261;
    let mut v3 = k1 ^ 0x7465_6462_7974_6573;
    let b = (src.len() as u64) << 56;
    let mut chunks = src.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let mi = u64::from_le_bytes(w);
        v3 ^= mi;
        sip_round(&mut v0, &mut v1, &mut v2, &mut v3);
        v0 ^= mi;
    }
    let mut t = 0u64;
    for (i, byte) in chunks.remainder().iter().enumerate() {
        t |= u64::from(*byte) << (8 * i);
    }
    let b = b | t;
    v3 ^= b;
    sip_round(&mut v0, &mut v1, &mut v2, &mut v3);
    v0 ^= b;
    v2 ^= 0xff;
    sip_round(&mut v0, &mut v1, &mut v2, &mut v3);
    sip_round(&mut v0, &mut v1, &mut v2, &mut v3);
    sip_round(&mut v0, &mut v1, &mut v2, &mut v3);
    (v0 ^ v1) ^ (v2 ^ v3)
}

/// `hash(str)` under `PYTHONHASHSEED=0` (CPython 3.11, 64-bit).
pub(super) fn str_hash(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    if s.is_ascii() {
        let h = siphash13_zero_key(s.as_bytes()) as i64;
        return if h == -1 { -2 } else { h };
    }
    let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
    let mut buf: Vec<u8> = Vec::with_capacity(s.len() * 4);
    if max < 0x100 {
        buf.extend(s.chars().map(|c| c as u32 as u8));
    } else if max < 0x10000 {
        for c in s.chars() {
            buf.extend_from_slice(&(c as u32 as u16).to_le_bytes());
        }
    } else {
        for c in s.chars() {
            buf.extend_from_slice(&(c as u32).to_le_bytes());
        }
    }
    let h = siphash13_zero_key(&buf) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn int_hash(v: i128) -> i64 {
    let x = (v.unsigned_abs() % u128::from(MODULUS)) as i64;
    let h = if v < 0 { -x } else { x };
    if h == -1 {
        -2
    } else {
        h
    }
}

fn big_hash(neg: bool, digits: &str) -> i64 {
    let mut x: u128 = 0;
    for d in digits.bytes() {
        x = (x * 10 + u128::from(d.wrapping_sub(b'0') % 10)) % u128::from(MODULUS);
    }
    let x = x as i64;
    let h = if neg { -x } else { x };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// C `frexp` for finite non-zero `v`: `v = m * 2^e`, `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    let mut bits = v.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i32;
    let mut adjust = 0;
    if exp == 0 {
        // subnormal: scale into the normal range
        let scaled = v * f64::from_bits(0x4350_0000_0000_0000); // 2^54
        bits = scaled.to_bits();
        exp = ((bits >> 52) & 0x7ff) as i32;
        adjust = -54;
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022 + adjust)
}

/// CPython `_Py_HashDouble` (finite and infinite values).
fn float_hash(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    if v.is_nan() || v == 0.0 {
        return 0; // NaN hashes by identity in CPython; never produced from JSON here
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let bits = HASH_BITS as i32;
    let e = if e >= 0 { e % bits } else { bits - 1 - ((-1 - e) % bits) } as u32;
    x = ((x << e) & MODULUS) | (x >> (HASH_BITS - e));
    let h = (x as i64).wrapping_mul(sign);
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Python `hash(x)` of a hashable JSON scalar.
fn py_hash(v: &Value) -> i64 {
    match v {
        Value::Bool(b) => i64::from(*b),
        Value::Number(n) => match classify(n) {
            Num::Int(i) => int_hash(i),
            Num::Big { neg, digits } => big_hash(neg, &digits),
            Num::Float(f) => float_hash(f),
        },
        Value::String(s) => str_hash(s),
        _ => 0,
    }
}

// ------------------------------------------------------------------------------------------
// CPython set simulation
// ------------------------------------------------------------------------------------------

/// A hashable leaf with its cached hash and (for numbers) classification.
#[derive(Clone)]
pub(super) struct Leaf<'a> {
    value: &'a Value,
    hash: i64,
    num: Option<Num>,
}

impl<'a> Leaf<'a> {
    fn new(value: &'a Value) -> Self {
        let num = super::pyobj::num_of(value);
        Leaf { value, hash: py_hash(value), num }
    }

    pub fn value(&self) -> &'a Value {
        self.value
    }

    fn eq(&self, other: &Leaf<'_>) -> bool {
        match (&self.num, &other.num) {
            (Some(a), Some(b)) => super::pyobj::num_eq(a, b),
            (None, None) => match (self.value, other.value) {
                (Value::String(a), Value::String(b)) => a == b,
                _ => false,
            },
            _ => false,
        }
    }
}

const LINEAR_PROBES: u64 = 9;
const PERTURB_SHIFT: u32 = 5;
const MIN_SIZE: usize = 8;

struct PySet<'a> {
    table: Vec<Option<Leaf<'a>>>,
    mask: u64,
    fill: usize,
    used: usize,
}

impl<'a> PySet<'a> {
    fn new() -> Self {
        PySet { table: vec![None; MIN_SIZE], mask: (MIN_SIZE - 1) as u64, fill: 0, used: 0 }
    }

    fn add(&mut self, key: Leaf<'a>) {
        let mask = self.mask;
        let hash = key.hash;
        let mut i = (hash as u64) & mask;
        let mut perturb = hash as u64;
        loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in i..=i + probes {
                let slot = &mut self.table[j as usize];
                match slot {
                    None => {
                        *slot = Some(key);
                        self.fill += 1;
                        self.used += 1;
                        if (self.fill as u64) * 5 >= mask * 3 {
                            let minused = if self.used > 50_000 { self.used * 2 } else { self.used * 4 };
                            self.resize(minused);
                        }
                        return;
                    }
                    Some(e) => {
                        if e.hash == hash && e.eq(&key) {
                            return;
                        }
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
        }
    }

    fn resize(&mut self, minused: usize) {
        let mut newsize = MIN_SIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; newsize]);
        self.mask = (newsize - 1) as u64;
        let mask = self.mask;
        for entry in old.into_iter().flatten() {
            let mut i = (entry.hash as u64) & mask;
            let mut perturb = entry.hash as u64;
            let mut placed = Some(entry);
            'outer: loop {
                if self.table[i as usize].is_none() {
                    self.table[i as usize] = placed.take();
                    break;
                }
                if i + LINEAR_PROBES <= mask {
                    for j in (i + 1)..=(i + LINEAR_PROBES) {
                        if self.table[j as usize].is_none() {
                            self.table[j as usize] = placed.take();
                            break 'outer;
                        }
                    }
                }
                perturb >>= PERTURB_SHIFT;
                i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
            }
        }
        self.fill = self.used;
    }

    fn into_vec(self) -> Vec<Leaf<'a>> {
        self.table.into_iter().flatten().collect()
    }
}

/// `list(set(items))`.
fn py_set_list<'a>(items: Vec<Leaf<'a>>) -> Vec<Leaf<'a>> {
    if items.len() <= 1 {
        return items;
    }
    let mut set = PySet::new();
    for it in items {
        set.add(it);
    }
    set.into_vec()
}

fn is_dropped(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty() || s == "0.0.0.0" || s == "255.255.255.255",
        _ => false,
    }
}

fn unpack_value<'a>(v: &'a Value, depth: usize) -> Result<Vec<Leaf<'a>>, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match v {
        Value::Array(a) => {
            let mut acc = Vec::new();
            for e in a {
                acc.extend(unpack_value(e, depth + 1)?);
            }
            Ok(py_set_list(acc))
        }
        Value::Object(_) => Err(MappingError::Unhashable { type_name: type_name(v) }),
        v if is_dropped(v) => Ok(Vec::new()),
        v => Ok(vec![Leaf::new(v)]),
    }
}

/// `unpack_iocs(found)` on a lookup result.
pub(super) fn unpack<'a>(found: &Found<'a>, depth: usize) -> Result<Vec<Leaf<'a>>, MappingError> {
    if depth > MAX_DEPTH {
        return Err(MappingError::RecursionLimit);
    }
    match found {
        Found::Ref(v) => unpack_value(v, depth),
        Found::List(items) => {
            let mut acc = Vec::new();
            for f in items {
                acc.extend(unpack(f, depth + 1)?);
            }
            Ok(py_set_list(acc))
        }
    }
}

/// `ParserHelper.unpack_iocs(value)` on an owned value (public helper for tests and tools).
pub fn unpack_iocs(v: &Value) -> Result<Vec<Value>, MappingError> {
    Ok(unpack_value(v, 0)?.into_iter().map(|l| l.value.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_match_cpython_311_seed0() {
        assert_eq!(str_hash("a"), 4644417185603328019);
        assert_eq!(str_hash(""), 0);
        assert_eq!(str_hash("é"), 6047309291227476195);
        assert_eq!(str_hash("€"), -5529981157763016009);
        assert_eq!(str_hash("😀"), -3536540696076613844);
        assert_eq!(float_hash(1.5), 1152921504606846977);
        assert_eq!(int_hash(-1), -2);
        assert_eq!(int_hash(1i128 << 64), 8);
        assert_eq!(float_hash(1e100), 1822893315824342674);
        assert_eq!(float_hash(-2.5e-7), -976437270670017967);
        assert_eq!(float_hash(3.0), 3);
    }

    #[test]
    fn python_set_semantics() {
        let v = json!([1, true, 1.0, 0, false, 0.0, "1", null, 2]);
        assert_eq!(unpack_iocs(&v).unwrap(), vec![json!(0), json!(1), json!(2), json!("1")]);
        assert_eq!(unpack_iocs(&json!(["192.0.2.1", "192.0.2.2"])).unwrap(), vec![json!("192.0.2.2"), json!("192.0.2.1")]);
        assert_eq!(unpack_iocs(&json!([[["x", "y"], []], [["x"]]])).unwrap(), vec![json!("y"), json!("x")]);
        assert_eq!(unpack_iocs(&json!([1, [{"a": 1}]])).unwrap_err().to_string(), "unhashable type: 'dict'");
        assert_eq!(unpack_iocs(&json!(["", "0.0.0.0", "255.255.255.255", null, 0, false])).unwrap(), vec![json!(0)]);
    }
}

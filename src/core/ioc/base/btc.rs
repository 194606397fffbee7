//! Bitcoin address validation: base58check (P2PKH `1…`, P2SH `3…`) and segwit
//! bech32 (BIP 173, witness v0) / bech32m (BIP 350, witness v1+), mainnet (`bc1`).

use crate::sha256::sha256;

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Is `c` a base58 character?
pub fn is_base58(c: u8) -> bool {
    c.is_ascii_alphanumeric() && !matches!(c, b'0' | b'O' | b'I' | b'l')
}

/// Decode base58 (up to 64 bytes of output).
fn base58_decode(s: &str) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(32);
    for &c in s.as_bytes() {
        let mut carry = B58.iter().position(|&x| x == c)? as u32;
        for b in out.iter_mut().rev() {
            carry += (*b as u32) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
        if out.len() > 64 {
            return None;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend_from_slice(&out);
    Some(full)
}

/// Valid mainnet base58check address (version 0x00 P2PKH or 0x05 P2SH, 25 bytes).
pub fn is_base58check_address(s: &str) -> bool {
    if !(25..=35).contains(&s.len()) || !(s.starts_with('1') || s.starts_with('3')) {
        return false;
    }
    let Some(raw) = base58_decode(s) else {
        return false;
    };
    if raw.len() != 25 || !(raw[0] == 0x00 || raw[0] == 0x05) {
        return false;
    }
    let check = sha256(&sha256(&raw[..21]));
    check[..4] == raw[21..]
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk: u32 = 1;
    for &v in values {
        let b = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ v as u32;
        for (i, g) in GEN.iter().enumerate() {
            if (b >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Valid mainnet segwit address: `bc1` + bech32 (v0, 20/32-byte program) or bech32m
/// (v1..16). Mixed case is rejected, as BIP 173 requires.
pub fn is_segwit_address(s: &str) -> bool {
    if !(14..=74).contains(&s.len()) {
        return false;
    }
    let has_lower = s.bytes().any(|c| c.is_ascii_lowercase());
    let has_upper = s.bytes().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let Some(data_part) = lower.strip_prefix("bc1") else {
        return false;
    };
    let mut data = Vec::with_capacity(data_part.len());
    for c in data_part.bytes() {
        match BECH32_CHARSET.iter().position(|&x| x == c) {
            Some(v) => data.push(v as u8),
            None => return false,
        }
    }
    if data.len() < 7 {
        return false;
    }
    // hrp expansion of "bc"
    let mut values = vec![b'b' >> 5, b'c' >> 5, 0, b'b' & 31, b'c' & 31];
    values.extend_from_slice(&data);
    let pm = polymod(&values);
    let version = data[0];
    let want = if version == 0 { 1 } else { 0x2bc8_30a3 };
    if pm != want || version > 16 {
        return false;
    }
    // convert 5-bit program to 8-bit
    let prog5 = &data[1..data.len() - 6];
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut prog = Vec::with_capacity(40);
    for &v in prog5 {
        acc = (acc << 5) | v as u32;
        bits += 5;
        while bits >= 8 {
            bits -= 8;
            prog.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 5 || (acc & ((1 << bits) - 1)) != 0 {
        return false;
    }
    if !(2..=40).contains(&prog.len()) {
        return false;
    }
    if version == 0 && prog.len() != 20 && prog.len() != 32 {
        return false;
    }
    true
}

/// Valid mainnet Bitcoin address of any supported form.
pub fn is_btc_address(s: &str) -> bool {
    if s.len() > 3 && s[..3].eq_ignore_ascii_case("bc1") {
        is_segwit_address(s)
    } else {
        is_base58check_address(s)
    }
}

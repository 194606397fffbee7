//! The few byte scans that run 16 bytes per step with wasm SIMD128, each next to the
//! scalar twin the host tests run (`anchors::simd_self_check` compares them in wasm).

/// 16 bytes as a vector (one `v128.load`: consecutive lanes of a fixed array).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub(crate) fn load16(c: &[u8]) -> core::arch::wasm32::v128 {
    let Ok(c) = <&[u8; 16]>::try_from(c) else { return core::arch::wasm32::u8x16_splat(0) };
    core::arch::wasm32::u8x16(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15])
}

/// The first `"` or `\\` at or after `from` (`b.len()` if none): the inner loop of
/// walking JSON strings.
#[inline]
pub(crate) fn quote_or_backslash(b: &[u8], from: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let mut i = from;
        while let Some(c) = b.get(i..i + 16) {
            let v = load16(c);
            let m = u8x16_bitmask(v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b'\\'))));
            if m != 0 {
                return i + m.trailing_zeros() as usize;
            }
            i += 16;
        }
        quote_or_backslash_scalar(b, i)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        quote_or_backslash_scalar(b, from)
    }
}

pub(crate) fn quote_or_backslash_scalar(b: &[u8], from: usize) -> usize {
    b.get(from..).and_then(|t| t.iter().position(|&c| c == b'"' || c == b'\\')).map_or(b.len(), |p| from + p)
}


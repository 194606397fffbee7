//! Helpers of the byte scans that run 16 bytes per step with wasm SIMD128 (each scan
//! has a scalar twin the host tests run; `anchors::simd_self_check` compares them in wasm).

/// 16 bytes as a vector (one `v128.load`: consecutive lanes of a fixed array).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub(crate) fn load16(c: &[u8]) -> core::arch::wasm32::v128 {
    let Ok(c) = <&[u8; 16]>::try_from(c) else { return core::arch::wasm32::u8x16_splat(0) };
    core::arch::wasm32::u8x16(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15])
}

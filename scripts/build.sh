#!/usr/bin/env bash
# Builds the npm package into pkg/, one wasm module per entry point: cargo (wasm32, the entry's
# cargo features) → wasm-bindgen (web target, one module for every runtime) → wasm-opt -Oz
# --converge (binaryen from npm; --converge repeats the passes until nothing shrinks: −0.2 KB gz
# for cti-edge/ioc, −0.35 KB for cti-edge, ~25 s more per module) → scripts/assemble.mjs (the
# pkg-template entries, the size report and budget).
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf pkg
# panic=immediate-abort: a panic traps at once (as it does now, through abort) without first
# formatting its message, which wasm32 has nowhere to print. That drops the panic machinery and
# every panic location from each module: −12 KB gz for cti-edge/sekoia (bench/RESULTS.md). It
# needs std rebuilt from source (-Zbuild-std, the rust-src component that setup.sh adds) and
# unstable flags, which RUSTC_BOOTSTRAP lets the machine's stable toolchain take (as fuzz.sh does).
# std is then built with the release profile's "z" too (the precompiled one is opt-level 3): the IOC
# scanner loses 1–4 % of speed (A/B). Overriding std's crates to 3 was measured and not taken: ioc,
# sekoia and networksage −0.3 to −0.9 KB gz, but groupib +2.8 and cti-edge +2.1 (core's float
# formatting grows at 3).
# One module per entry (scripts/entries.mjs lists them), each in its own target dir so that
# each stays cached: the main one with the default features, the others with their scope's.
# The IOC scanner is built for speed (opt-level 3, Cargo.toml) only in the modules that export the
# toolkit; where a client only classifies a value before sending it (Sekoia's lookups and imports),
# it is built for size like the rest: −5 KB gz for cti-edge/sekoia, a classification still ~µs.
build_entry() {
  local dir="$1" name="$2" feature="$3" target=target features=() scanner=()
  if [ "$feature" != default ]; then
    target="target/$feature"
    features=(--no-default-features --features "$feature")
  fi
  if [ "$feature" != default ] && [ "$feature" != toolkit ]; then
    scanner=(--config 'profile.release.package.cti-edge-ioc-scan.opt-level="z"')
  fi
  # (--config adds to .cargo/config.toml's wasm rustflags; RUSTFLAGS would replace them)
  CARGO_TARGET_DIR="$target" RUSTC_BOOTSTRAP=1 cargo build --release --target wasm32-unknown-unknown --lib --quiet \
    "${features[@]}" -Zbuild-std=std,panic_abort "${scanner[@]}" \
    --config 'target.wasm32-unknown-unknown.rustflags=["-Zunstable-options", "-Cpanic=immediate-abort"]'
  wasm-bindgen --target web --out-dir "pkg/$dir/dist" --out-name "$name" \
    "$target/wasm32-unknown-unknown/release/cti_edge.wasm"
  node_modules/.bin/wasm-opt -Oz --converge \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals --enable-simd \
    "pkg/$dir/dist/${name}_bg.wasm" -o "pkg/$dir/dist/${name}_bg.wasm"
}
while read -r dir name feature; do
  build_entry "$dir" "$name" "$feature" < /dev/null
done < <(node scripts/entries.mjs)
node scripts/assemble.mjs

#!/usr/bin/env bash
# Builds the npm package into pkg/: cargo (wasm32) → wasm-bindgen (web target, one module for
# every runtime) → wasm-opt -Oz --converge (binaryen from npm; --converge repeats the passes until
# nothing shrinks: −0.2 KB gz for cti-edge/ioc, −0.35 KB for cti-edge, ~25 s more) → pkg-template
# entries + size report; the same for `cti-edge/ioc` (pkg/ioc), the toolkit built without the
# `clients` feature.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib --quiet
rm -rf pkg
wasm-bindgen --target web --out-dir pkg/dist --out-name cti_edge \
  target/wasm32-unknown-unknown/release/cti_edge.wasm
node_modules/.bin/wasm-opt -Oz --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals --enable-simd \
  pkg/dist/cti_edge_bg.wasm -o pkg/dist/cti_edge_bg.wasm
# `cti-edge/ioc`: the IOC toolkit without the API clients (its own target dir keeps both cached)
CARGO_TARGET_DIR=target/toolkit cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --quiet
wasm-bindgen --target web --out-dir pkg/ioc/dist --out-name cti_edge_ioc \
  target/toolkit/wasm32-unknown-unknown/release/cti_edge.wasm
node_modules/.bin/wasm-opt -Oz --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals --enable-simd \
  pkg/ioc/dist/cti_edge_ioc_bg.wasm -o pkg/ioc/dist/cti_edge_ioc_bg.wasm
node scripts/assemble.mjs

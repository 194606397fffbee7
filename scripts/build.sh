#!/usr/bin/env bash
# Builds the npm package into pkg/, one wasm module per entry point: cargo (wasm32, the entry's
# cargo features) → wasm-bindgen (web target, one module for every runtime) → wasm-opt -Oz
# --converge (binaryen from npm; --converge repeats the passes until nothing shrinks: −0.2 KB gz
# for cti-edge/ioc, −0.35 KB for cti-edge, ~25 s more per module) → scripts/assemble.mjs (the
# pkg-template entries, the size report and budget).
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf pkg
# entry (pkg/<dir>)  module name  cargo features  — each its own target dir, so each stays cached
build_entry() {
  local dir="$1" name="$2" features="$3" target="$4"
  CARGO_TARGET_DIR="$target" cargo build --release --target wasm32-unknown-unknown --lib --quiet $features
  wasm-bindgen --target web --out-dir "pkg/$dir/dist" --out-name "$name" \
    "$target/wasm32-unknown-unknown/release/cti_edge.wasm"
  node_modules/.bin/wasm-opt -Oz --converge \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals --enable-simd \
    "pkg/$dir/dist/${name}_bg.wasm" -o "pkg/$dir/dist/${name}_bg.wasm"
}
build_entry .           cti_edge             ""                                             target
build_entry ioc         cti_edge_ioc         "--no-default-features --features toolkit"     target/toolkit
build_entry sekoia      cti_edge_sekoia      "--no-default-features --features sekoia"      target/sekoia
build_entry networksage cti_edge_networksage "--no-default-features --features networksage" target/networksage
build_entry groupib     cti_edge_groupib     "--no-default-features --features groupib"     target/groupib
node scripts/assemble.mjs

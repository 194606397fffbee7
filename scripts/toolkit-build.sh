#!/usr/bin/env bash
# The IOC toolkit without the API clients (`cargo --no-default-features`): builds it the way
# scripts/build.sh builds the package, prints its size (wasm gz + its JS glue gz) and checks in
# Node that it loads and works. Not an entry point of the package yet: this keeps the seam
# compiling and measures what a toolkit-only entry (`cti-edge/ioc`) would weigh (issue 9).
set -euo pipefail
cd "$(dirname "$0")/.."
out=test-artifacts/toolkit
CARGO_TARGET_DIR=target/toolkit cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --quiet
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name cti_edge target/toolkit/wasm32-unknown-unknown/release/cti_edge.wasm
node_modules/.bin/wasm-opt -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals --enable-simd \
  "$out/cti_edge_bg.wasm" -o "$out/cti_edge_bg.wasm"
node --input-type=module - "$out" <<'JS'
import { readFileSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
const dir = process.argv[2];
const files = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const wasm = gz(join(dir, "cti_edge_bg.wasm"));
const js = files(dir).filter((p) => p.endsWith(".js")).reduce((n, p) => n + gz(p), 0);
const budget = JSON.parse(readFileSync("bench/size-budget.json", "utf8")).targetGzipBytes;
console.log(`toolkit-only build: wasm ${wasm} B gz + js ${js} B gz = ${wasm + js} B gz (${((wasm + js) / 1024).toFixed(1)} KiB; target ${(budget / 1024).toFixed(1)} KiB ${wasm + js <= budget ? "met" : "not met"})`);
const lib = await import(join(process.cwd(), dir, "cti_edge.js"));
lib.initSync({ module: readFileSync(join(dir, "cti_edge_bg.wasm")) });
let pass = 0, fail = 0;
const check = (name, ok) => { console.log(`  ${ok ? "✓" : "✗"} ${name}`); ok ? pass++ : fail++; };
check("extractIocs refangs and classifies", JSON.stringify(lib.extractIocs("see evil[.]com and 10.1.2.3").map((i) => i.type)) === '["domain","ipv4"]');
const set = new lib.IndicatorSet({ subdomains: true });
set.addMany(["evil.com", "10.1.2.3"]);
check("IndicatorSet.matchLines", JSON.stringify(set.matchLines(["GET https://a.evil.com/", "ok", "from 10.1.2.3"]).map((l) => l.length)) === "[1,0,1]");
check("SIMD classifier self-check", lib.__simdSelfCheck() > 1000);
check("no client in this build", !("Sekoia" in lib) && !("GroupIB" in lib) && !("NetworkSage" in lib));
console.log(`toolkit: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
JS

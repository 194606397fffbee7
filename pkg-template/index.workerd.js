// Cloudflare Workers (workerd): Workers cannot compile wasm from bytes, so the .wasm is a
// static module import (a compiled WebAssembly.Module) instantiated at load. Instantiation
// is allowed at global scope; no I/O, timer or randomness happens there.
import wasmModule from "./dist/cti_edge_bg.wasm";
import { initSync } from "./dist/cti_edge.js";

initSync({ module: wasmModule });

export * from "./dist/cti_edge.js";
export * from "./errors.js";
export * from "./stores.js";
export * from "./enrich.js";

export function init() {
  return Promise.resolve();
}

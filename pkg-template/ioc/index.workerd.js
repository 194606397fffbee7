// `cti-edge/ioc` in Cloudflare Workers: the IOC toolkit alone. The .wasm is a static module
// import instantiated at load (allowed at global scope; no I/O, timer or randomness there).
import wasmModule from "./dist/cti_edge_ioc_bg.wasm";
import { initSync } from "./dist/cti_edge_ioc.js";

initSync({ module: wasmModule });

export * from "./dist/cti_edge_ioc.js";
export * from "./errors.js";

export function init() {
  return Promise.resolve();
}

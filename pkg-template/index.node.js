// Node >= 18: the .wasm is read from disk and instantiated synchronously at import, so the
// API is usable at once (`init()` exists for code shared with browsers and resolves at once).
import { readFileSync } from "node:fs";
import { initSync } from "./dist/cti_edge.js";

initSync({ module: readFileSync(new URL("./dist/cti_edge_bg.wasm", import.meta.url)) });

export * from "./dist/cti_edge.js";
export * from "./errors.js";
export * from "./stores.js";
export * from "./enrich.js";

export function init() {
  return Promise.resolve();
}

// `cti-edge/ioc` in Node >= 18: the IOC toolkit alone (no API clients, a third of the size).
// As the main entry, the .wasm is read and instantiated synchronously at import.
import { readFileSync } from "node:fs";
import { initSync } from "./dist/cti_edge_ioc.js";

initSync({ module: readFileSync(new URL("./dist/cti_edge_ioc_bg.wasm", import.meta.url)) });

export * from "./dist/cti_edge_ioc.js";
export * from "./errors.js";

export function init() {
  return Promise.resolve();
}

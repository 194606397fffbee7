// Browsers, bundlers, web workers and MV3 extension service workers.
// Call `await init()` once before using anything else (it fetches the .wasm next to this
// file, or the URL / Response / bytes / WebAssembly.Module you pass). Nothing runs at load.
import wbgInit from "./dist/cti_edge.js";
import { browserInit } from "./loader.js";

export * from "./dist/cti_edge.js";
export * from "./errors.js";
export * from "./stores.js";
export * from "./enrich.js";

/** Loads and instantiates the wasm module once; later calls return the same promise. */
export const init = browserInit(wbgInit, new URL("./dist/cti_edge_bg.wasm", import.meta.url));

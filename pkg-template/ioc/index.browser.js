// `cti-edge/ioc` in browsers, bundlers, web workers and MV3 extension service workers: the IOC
// toolkit alone (no API clients, a third of the size). Call `await init()` once first.
import wbgInit from "./dist/cti_edge_ioc.js";
import { browserInit } from "../loader.js";

export * from "./dist/cti_edge_ioc.js";
export * from "./errors.js";

/** Loads and instantiates the wasm module once; later calls return the same promise. */
export const init = browserInit(wbgInit, new URL("./dist/cti_edge_ioc_bg.wasm", import.meta.url));

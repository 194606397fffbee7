// `cti-edge/ioc` in browsers, bundlers, web workers and MV3 extension service workers: the IOC
// toolkit alone (no API clients, a third of the size). Call `await init()` once first.
import wbgInit from "./dist/cti_edge_ioc.js";

export * from "./dist/cti_edge_ioc.js";
export * from "./errors.js";

let ready;

/** Loads and instantiates the wasm module once; later calls return the same promise. */
export function init(input) {
  if (!ready) {
    const module_or_path = input ?? new URL("./dist/cti_edge_ioc_bg.wasm", import.meta.url);
    ready = wbgInit({ module_or_path }).then(() => undefined, (e) => {
      ready = undefined;
      throw needsSimd(e);
    });
  }
  return ready;
}

// The module uses WebAssembly SIMD: say so when an engine without it cannot compile it.
function needsSimd(e) {
  if (!(e instanceof WebAssembly.CompileError)) return e;
  return new WebAssembly.CompileError(
    `cti-edge: could not compile the WebAssembly module (${e.message}); it needs WebAssembly SIMD — Chrome/Edge >= 91, Firefox >= 89, Safari >= 16.4`,
    { cause: e },
  );
}

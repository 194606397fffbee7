// The browser entries' `init()`: load and instantiate a wasm module once (later calls return
// the same promise; a failed one can be retried), and name the SIMD requirement when an
// engine cannot compile the module. Nothing runs at module load.

/** `init(input?)` for the wasm-bindgen glue `wbgInit`, loading `defaultUrl` unless told otherwise. */
export function browserInit(wbgInit, defaultUrl) {
  let ready;
  return function init(input) {
    if (!ready) {
      ready = wbgInit({ module_or_path: input ?? defaultUrl }).then(() => undefined, (e) => {
        ready = undefined;
        throw needsSimd(e);
      });
    }
    return ready;
  };
}

function needsSimd(e) {
  if (!(e instanceof WebAssembly.CompileError)) return e;
  return new WebAssembly.CompileError(
    `cti-edge: could not compile the WebAssembly module (${e.message}); it needs WebAssembly SIMD — Chrome/Edge >= 91, Firefox >= 89, Safari >= 16.4`,
    { cause: e },
  );
}

export * from "./dist/cti_edge.js";
export * from "./errors.js";
export * from "./stores.js";
export * from "./enrich.js";

/**
 * Makes the package ready. Browsers / extensions: fetches and instantiates the .wasm (pass a
 * URL, Response, bytes or WebAssembly.Module to load it from elsewhere). Node and workerd:
 * already done at import; resolves at once. Idempotent.
 */
export function init(
  input?: string | URL | Request | Response | BufferSource | WebAssembly.Module | Promise<Response>,
): Promise<void>;

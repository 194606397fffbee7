// `cti-edge/ioc`: the IOC toolkit alone — extractIocs, refang, defang, classify, STIX patterns,
// IndicatorSet — without the API clients (a third of the size of the main entry).
export * from "./dist/cti_edge_ioc.js";
export * from "../errors.js";

/** Makes the module ready (browsers / extensions fetch the .wasm; Node and workerd: at once). */
export function init(
  input?: string | URL | Request | Response | BufferSource | WebAssembly.Module | Promise<Response>,
): Promise<void>;

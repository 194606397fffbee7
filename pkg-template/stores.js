// Cursor stores: where feed iterators load their cursor from and commit it to.
// Any object with get(key) and set(key, cursor) (sync or async) works; these are ready-made.
import { ValidationError } from "./errors.js";

function need(cond, field, reason) {
  if (!cond) throw new ValidationError(`invalid ${field}: ${reason}`, { field, reason, attempts: 0 });
}

/** In memory (tests, one-shot scripts). `entries()` shows what was committed. */
export function memoryCursorStore(initial = {}) {
  const map = new Map(Object.entries(initial));
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, cursor) => void map.set(key, cursor),
    entries: () => Object.fromEntries(map),
  };
}

/** `localStorage` / `sessionStorage` (or any Web Storage), keys prefixed. */
export function webStorageCursorStore(storage = globalThis.localStorage, prefix = "cti-edge:") {
  need(storage && typeof storage.getItem === "function" && typeof storage.setItem === "function", "storage", "must be a Web Storage (localStorage)");
  return {
    get: (key) => storage.getItem(prefix + key),
    set: (key, cursor) => storage.setItem(prefix + key, cursor),
  };
}

/** `chrome.storage.local` (MV3 extensions; survives service-worker restarts). */
export function chromeStorageCursorStore(area = globalThis.chrome && globalThis.chrome.storage && globalThis.chrome.storage.local, prefix = "cti-edge:") {
  need(area && typeof area.get === "function" && typeof area.set === "function", "area", "must be a chrome.storage area");
  return {
    async get(key) {
      const got = await area.get(prefix + key);
      return (got && got[prefix + key]) ?? null;
    },
    async set(key, cursor) {
      await area.set({ [prefix + key]: cursor });
    },
  };
}

/** Cloudflare Workers KV (any object with get/put). */
export function kvCursorStore(kv, prefix = "cti-edge:") {
  need(kv && typeof kv.get === "function" && typeof kv.put === "function", "kv", "must be a KV namespace (get/put)");
  return {
    get: (key) => kv.get(prefix + key),
    set: (key, cursor) => kv.put(prefix + key, cursor),
  };
}

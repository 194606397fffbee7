// The IndicatorSet's batch helpers: a batch crosses into wasm as one UTF-8 buffer and its
// results come back as one array of arrays. Kept apart from runtime.js (the HTTP transport)
// so that a toolkit-only build carries nothing of the clients. Nothing runs at module load.

let utf8;

/**
 * JSON Lines as UTF-8: `JSON.stringify` of each event (`null` where it gives undefined, as
 * in an array), one per line — it escapes newlines, so wasm splits events on "\n" instead
 * of parsing the batch. Throws on cycles / BigInt.
 */
export function jsonLines(events) {
  const lines = new Array(events.length);
  for (let i = 0; i < events.length; i++) lines[i] = JSON.stringify(events[i]) ?? "null";
  utf8 ??= new TextEncoder();
  return utf8.encode(lines.join("\n"));
}

/**
 * `lines` joined by "\n" as UTF-8 (TextEncoder: one native copy, where passing a string
 * copies it char by char), or undefined if an entry is not a string or holds a "\n".
 */
export function joinLines(lines) {
  for (const l of lines) if (typeof l !== "string" || l.includes("\n")) return undefined;
  utf8 ??= new TextEncoder();
  return utf8.encode(lines.join("\n"));
}

/** `n` empty arrays in one array (one boundary call instead of 2n for a batch result). */
export function emptyArrays(n) {
  return Array.from({ length: n }, () => []);
}

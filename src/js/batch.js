// The toolkit's bulk helpers: a text or a batch crosses into wasm as one UTF-8 buffer, and
// results come back built in one call (an array of arrays, or IOC objects from records). Kept apart from runtime.js (the HTTP transport)
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

/** `text` as UTF-8 (one native copy), or undefined if it is not a string. */
export function utf8Of(text) {
  if (typeof text !== "string") return undefined;
  utf8 ??= new TextEncoder();
  return utf8.encode(text);
}

/**
 * `extractIocs` hits from the records wasm wrote (`ioc_records` in ioc.rs): per hit
 * `flags, start, end`, then the value's length if it differs from the text as written, then the
 * punycode form's length if there is one — lengths and offsets in UTF-16 units, the strings
 * concatenated in `values`. `types` / `sekoiaTypes`: comma-separated, indexed by flags & 15.
 */
export function iocObjects(text, records, values, types, sekoiaTypes) {
  const type = types.split(",");
  const sekoia = sekoiaTypes.split(",");
  const out = [];
  let v = 0;
  for (let i = 0; i < records.length; ) {
    const flags = records[i];
    const start = records[i + 1];
    const end = records[i + 2];
    i += 3;
    const raw = text.slice(start, end);
    let value = raw;
    if (flags & 64) value = values.slice(v, (v += records[i++]));
    const ioc = { type: type[flags & 15], value, raw, start, end, defanged: (flags & 16) !== 0, nested: (flags & 32) !== 0 };
    if (flags & 128) ioc.punycode = values.slice(v, (v += records[i++]));
    if (sekoia[flags & 15]) ioc.sekoiaType = sekoia[flags & 15];
    out.push(ioc);
  }
  return out;
}

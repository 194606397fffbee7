// The toolkit's bulk helpers: a text or a batch crosses into wasm as one UTF-8 buffer, and
// results come back built in one call (an array of arrays, or IOC objects from records). Kept apart from runtime.js (the HTTP transport)
// so that a toolkit-only build carries nothing of the clients. Nothing runs at module load.

let utf8;

/**
 * The string fields of log events for `matchObjects`, as `JSON.stringify` would write them
 * (`toJSON` applied, own enumerable keys, `String` objects as strings; objects nested deeper
 * than 64 levels are not walked): `[utf8, layout]` — every field's text followed by "\n", as
 * UTF-8, and per event its field count then each field's UTF-16 length (a field may hold
 * "\n": lengths delimit fields). Walking the objects here costs about half of stringifying
 * them, and leaves keys and JSON syntax out of the text wasm scans. Throws on cycles and
 * BigInt, as `JSON.stringify` does.
 */
export function eventFields(events) {
  const fields = [];
  const layout = [];
  const push = (s) => {
    fields.push(s);
    layout.push(s.length);
  };
  for (let i = 0; i < events.length; i++) {
    const at = layout.push(0) - 1;
    walkStrings(events[i], "", 0, push);
    layout[at] = layout.length - at - 1;
  }
  fields.push("");
  utf8 ??= new TextEncoder();
  return [utf8.encode(fields.join("\n")), new Uint32Array(layout)];
}

/** The path (`request.headers.host`, `items[3].url`) of string field `n` of `event`, as `eventFields` counts them. */
export function fieldPath(event, n) {
  let path = "";
  walkStrings(event, "", 0, (_, p) => {
    if (n-- === 0) path = p;
  }, "");
  return path;
}

/** `visit(string, path)` for each string `JSON.stringify(v)` would write; `path` only when one is given. */
function walkStrings(v, key, depth, visit, path) {
  if (v !== null && (typeof v === "object" || typeof v === "bigint") && typeof v.toJSON === "function") v = v.toJSON(String(key));
  if (typeof v === "string") return visit(v, path);
  if (typeof v === "bigint") throw new TypeError("BigInt value can't be serialized in JSON");
  if (v === null || typeof v !== "object") return;
  if (v instanceof String) return visit(String(v), path);
  // not walked (as before, when events crossed as JSON), but still refused as JSON.stringify refuses
  if (depth >= 64) return void JSON.stringify(v);
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walkStrings(v[i], i, depth + 1, visit, path === undefined ? path : `${path}[${i}]`);
  else for (const k of Object.keys(v)) walkStrings(v[k], k, depth + 1, visit, path === undefined ? path : path ? `${path}.${k}` : k);
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

// Small helpers shared by the simulator modules: responses, JSON with BigInt, PRNG, ids, multipart.
import { createHash } from "node:crypto";

/** A route result. `body` is a plain value (sent as JSON), a Buffer, or a string. */
export function reply(status, body, headers = {}) {
  return { status, body, headers };
}
export const json = (status, body, headers = {}) => ({ status, body, headers, kind: "json" });
export const text = (status, body, contentType = "text/plain; charset=utf-8", headers = {}) => ({
  status,
  body: String(body),
  headers: { "content-type": contentType, ...headers },
  kind: "text",
});
export const bytes = (status, buf, contentType = "application/octet-stream", headers = {}) => ({
  status,
  body: Buffer.from(buf),
  headers: { "content-type": contentType, ...headers },
  kind: "bytes",
});
export const empty = (status = 204, headers = {}) => ({ status, body: null, headers, kind: "empty" });

/**
 * JSON.stringify that writes BigInt values as plain JSON integers (no quotes, no float rounding).
 * Group-IB seqUpdate values are kept as BigInt internally so they survive any size exactly.
 */
const BIG = "\u0000BIG:";
export function stringifyJson(value, space) {
  let sawBig = false;
  const out = JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "bigint") {
        sawBig = true;
        return BIG + v.toString();
      }
      return v;
    },
    space,
  );
  if (!sawBig) return out;
  return out.replace(/"\\u0000BIG:(-?\d+)"/g, "$1");
}

/** Serialises a route result into { status, headers, buf }. */
export function encodeResult(r) {
  const headers = { ...(r.headers ?? {}) };
  let buf;
  if (r.body === null || r.body === undefined) buf = Buffer.alloc(0);
  else if (Buffer.isBuffer(r.body)) buf = r.body;
  else if (typeof r.body === "string" && r.kind !== "json") buf = Buffer.from(r.body, "utf8");
  else {
    buf = Buffer.from(stringifyJson(r.body), "utf8");
    if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
  }
  return { status: r.status, headers, buf };
}

export function hasHeader(headers, name) {
  const n = name.toLowerCase();
  return Object.keys(headers).some((k) => k.toLowerCase() === n);
}

// ---------- deterministic randomness ----------

/** mulberry32 PRNG; `seed` may be a number or a string. */
export function prng(seed) {
  let a = typeof seed === "number" ? seed >>> 0 : hash32(String(seed));
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (arr) => arr[Math.floor(next() * arr.length)];
  next.range = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return next;
}

export function hash32(s) {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

export const sha256hex = (data) => createHash("sha256").update(data).digest("hex");
export const sha1hex = (data) => createHash("sha1").update(data).digest("hex");
export const md5hex = (data) => createHash("md5").update(data).digest("hex");

/** A UUID (v4 layout) derived deterministically from `seed`. */
export function detUuid(seed) {
  const h = sha256hex("cti-edge-sim:" + seed);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** 32 hex chars, no dashes (NetworkSage-style ids). */
export const detHex32 = (seed) => sha256hex("cti-edge-sim-hex:" + seed).slice(0, 32);

export const isoMs = (ms) => new Date(ms).toISOString();
/** ISO with microseconds, the way Sekoia prints many timestamps. */
export const isoMicro = (ms) => new Date(Math.floor(ms)).toISOString().replace("Z", "000Z");

// ---------- request parsing ----------

/** Splits a raw request target into the raw path and the raw query string (both undecoded). */
export function splitTarget(target) {
  let t = target || "/";
  if (!t.startsWith("/")) {
    // absolute-form (proxy style); keep only the path part
    try {
      const u = new URL(t);
      t = u.pathname + u.search;
    } catch {
      t = "/";
    }
  }
  const hash = t.indexOf("#");
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf("?");
  return q >= 0 ? { path: t.slice(0, q), query: t.slice(q + 1) } : { path: t, query: "" };
}

export function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Decoded [key, value] pairs of a raw query string (`+` means space, as in forms). */
export function queryPairs(raw) {
  if (!raw) return [];
  return raw
    .split("&")
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf("=");
      const k = i >= 0 ? p.slice(0, i) : p;
      const v = i >= 0 ? p.slice(i + 1) : "";
      return [safeDecode(k.replace(/\+/g, " ")), safeDecode(v.replace(/\+/g, " "))];
    });
}

/** A tiny query accessor over decoded pairs. */
export function makeQuery(raw) {
  const pairs = queryPairs(raw);
  return {
    pairs,
    has: (k) => pairs.some(([a]) => a === k),
    get: (k) => {
      const p = pairs.find(([a]) => a === k);
      return p ? p[1] : undefined;
    },
    all: (k) => pairs.filter(([a]) => a === k).map(([, v]) => v),
  };
}

export function isUtf8(buf) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

// ---------- multipart/form-data ----------

export function boundaryOf(contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || "");
  return m ? (m[1] ?? m[2]).trim() : null;
}

function headerParam(value, name) {
  // name="quoted \"value\"" | name=token ; also RFC 5987 name*=utf-8''enc
  const star = new RegExp(`(?:^|;)\\s*${name}\\*=([^']*)'[^']*'([^;]*)`, "i").exec(value);
  if (star) return safeDecode(star[2].trim());
  const q = new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(value);
  if (q) return q[1].replace(/\\(.)/g, "$1");
  const t = new RegExp(`(?:^|;)\\s*${name}=([^;]*)`, "i").exec(value);
  return t ? t[1].trim() : undefined;
}

/**
 * Parses a multipart/form-data body. Returns [{ name, filename|null, contentType|null, headers, data: Buffer }],
 * or throws Error on a malformed body.
 */
export function parseMultipart(buf, contentType) {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error("multipart body without a boundary");
  const delim = Buffer.from("--" + boundary);
  const parts = [];
  let pos = buf.indexOf(delim);
  if (pos < 0) throw new Error("boundary not found");
  for (;;) {
    pos += delim.length;
    // closing delimiter?
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) break;
    // skip transport padding and CRLF after the delimiter
    while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++;
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    else if (buf[pos] === 0x0a) pos += 1;
    else throw new Error("malformed delimiter line");
    let headEnd = buf.indexOf("\r\n\r\n", pos);
    let sepLen = 4;
    if (headEnd < 0) throw new Error("part without a header block");
    const head = buf.subarray(pos, headEnd).toString("utf8");
    const dataStart = headEnd + sepLen;
    const next = buf.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), dataStart);
    if (next < 0) throw new Error("unterminated part");
    const data = buf.subarray(dataStart, next);
    const headers = {};
    for (const line of head.split(/\r\n/)) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const disp = headers["content-disposition"] || "";
    const name = headerParam(disp, "name") ?? null;
    const filename = headerParam(disp, "filename") ?? null;
    parts.push({ name, filename, contentType: headers["content-type"] ?? null, headers, data });
    pos = next + 2;
  }
  return parts;
}

export function parseBasic(header) {
  const m = /^Basic\s+(.+)$/i.exec(header || "");
  if (!m) return null;
  let dec;
  try {
    dec = Buffer.from(m[1].trim(), "base64").toString("utf8");
  } catch {
    return null;
  }
  const i = dec.indexOf(":");
  if (i < 0) return null;
  return { user: dec.slice(0, i), pass: dec.slice(i + 1) };
}

export function parseCookies(header) {
  const out = {};
  for (const part of String(header || "").split(/;\s*/)) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export const clampInt = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Parses an integer query value; returns NaN for anything that is not a plain integer. */
export function intParam(v) {
  if (v === undefined || v === null || v === "") return undefined;
  return /^-?\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : NaN;
}

export function boolParam(v, dflt) {
  if (v === undefined || v === "") return dflt;
  const s = String(v).toLowerCase();
  if (["true", "1", "yes"].includes(s)) return true;
  if (["false", "0", "no"].includes(s)) return false;
  return dflt;
}

/** Thrown by route code to answer early with `result`. */
export class HttpError extends Error {
  constructor(result) {
    super(`http ${result.status}`);
    this.result = result;
  }
}

/** setTimeout/setInterval/sleep that are all cancelled by clearAll() (used by close()). */
export class Timers {
  constructor() {
    this.timeouts = new Set();
    this.intervals = new Set();
    this.sleepers = new Set();
    this.closed = false;
  }
  set(fn, ms) {
    if (this.closed) return null;
    const h = setTimeout(() => {
      this.timeouts.delete(h);
      fn();
    }, ms);
    this.timeouts.add(h);
    return h;
  }
  clear(h) {
    if (!h) return;
    clearTimeout(h);
    clearInterval(h);
    this.timeouts.delete(h);
    this.intervals.delete(h);
  }
  interval(fn, ms) {
    if (this.closed) return null;
    const h = setInterval(fn, ms);
    this.intervals.add(h);
    return h;
  }
  /** Resolves after ms (or immediately, with false, once the simulator closes). */
  sleep(ms) {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = { resolve };
      entry.h = setTimeout(() => {
        this.sleepers.delete(entry);
        resolve(true);
      }, Math.max(0, ms));
      this.sleepers.add(entry);
    });
  }
  clearAll() {
    this.closed = true;
    for (const h of this.timeouts) clearTimeout(h);
    for (const h of this.intervals) clearInterval(h);
    for (const s of this.sleepers) {
      clearTimeout(s.h);
      s.resolve(false);
    }
    this.timeouts.clear();
    this.intervals.clear();
    this.sleepers.clear();
  }
}

/**
 * A tiny router. add(method, "/v2/feeds/:id", fn); match(method, rawPath) → { fn, params } | { allowed } | null.
 * Segments are matched after percent-decoding; a trailing slash is ignored.
 */
export function makeRouter() {
  const routes = [];
  const router = {
    add(method, pattern, fn) {
      routes.push({ method, parts: pattern.split("/").filter(Boolean), fn });
      return router;
    },
    match(method, rawPath) {
      const segs = rawPath.split("/").filter(Boolean).map(safeDecode);
      let allowed = null;
      for (const r of routes) {
        if (r.parts.length !== segs.length) continue;
        const params = {};
        let ok = true;
        for (let i = 0; i < segs.length; i++) {
          const p = r.parts[i];
          if (p.startsWith(":")) params[p.slice(1)] = segs[i];
          else if (p !== segs[i]) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        if (r.method !== method && !(method === "HEAD" && r.method === "GET")) {
          (allowed ??= []).push(r.method);
          continue;
        }
        return { fn: r.fn, params };
      }
      return allowed ? { allowed } : null;
    },
  };
  return router;
}

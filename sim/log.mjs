// The request log: one entry per data-plane request (vendor routes, echo helpers, WebSocket upgrades).
import { performance } from "node:perf_hooks";

export const SECRET_HEADERS = new Set(["authorization", "apikey", "cookie", "x-api-key", "proxy-authorization"]);

export const nowMs = () => performance.timeOrigin + performance.now();

export function authSchemeOf(headers) {
  const a = headers.authorization;
  if (typeof a === "string") {
    if (/^bearer\s/i.test(a)) return "bearer";
    if (/^basic\s/i.test(a)) return "basic";
  }
  if (headers.apikey !== undefined || headers["x-api-key"] !== undefined) return "apikey";
  if (typeof headers.cookie === "string" && /(?:^|;\s*)access_token_cookie=/.test(headers.cookie)) return "cookie";
  return null;
}

export class RequestLog {
  constructor() {
    this.entries = [];
    this.seq = 0;
  }

  /** Records a request at arrival; the returned entry is completed later (status, chaos, authOk...). */
  record({ t, method, path, query, headers }) {
    const redacted = {};
    for (const [k, v] of Object.entries(headers)) redacted[k] = SECRET_HEADERS.has(k) ? "<redacted>" : v;
    this.seq += 1;
    const entry = {
      seq: this.seq,
      t,
      method,
      path,
      query,
      headers: redacted,
      authScheme: authSchemeOf(headers),
      authOk: false,
      bodyBytes: 0,
      contentType: headers["content-type"] ?? null,
      chaos: null,
      status: null,
    };
    this.entries.push(entry);
    // Bound memory for long runs (benchmarks): keep the newest 100k entries.
    if (this.entries.length > 100_000) this.entries.splice(0, this.entries.length - 100_000);
    return entry;
  }

  query({ since, path } = {}) {
    return this.entries.filter((e) => (since === undefined || e.seq > since) && (path === undefined || e.path.startsWith(path)));
  }

  clear() {
    this.entries = [];
  }
}

// Multi-provider enrichment: classify a value, ask every configured provider that can answer
// for its type (concurrently, with a bound), cache answers for a TTL and share identical
// in-flight lookups, and merge everything into one verdict. One provider failing never fails
// the others: its error sits next to the other results.
//
// This is orchestration of I/O over the package's own clients, so it lives in JS (it costs no
// wasm); classification comes from the wasm core.
import { classify } from "./dist/cti_edge.js";
import { ValidationError } from "./errors.js";

const THREAT_TYPES = new Set(["malware", "intrusion-set", "threat-actor", "tool", "campaign"]);

function need(cond, field, reason) {
  if (!cond) throw new ValidationError(`invalid ${field}: ${reason}`, { field, reason, attempts: 0 });
}

function errorInfo(e) {
  return { name: e && e.name, message: e && e.message, status: e && e.status, retryAfter: e && e.retryAfter };
}

/** What each provider can answer, per IOC type. */
const PROVIDERS = {
  sekoia: {
    types: ["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256", "sha512"],
    async lookup(client, c, call) {
      const ctx = await client.indicatorContext({ value: c.value, type: c.sekoiaType }, call);
      const objects = ctx.bundles.flatMap((b) => b.objects ?? []);
      const indicators = objects.filter((o) => o.type === "indicator");
      const threats = [...new Set(objects.filter((o) => THREAT_TYPES.has(o.type)).map((o) => o.name).filter(Boolean))];
      const sources = [...new Set(objects.filter((o) => o.type === "identity" && o.x_ic_is_source).map((o) => o.name))];
      const active = indicators.filter((i) => !i.revoked && !(i.valid_until && Date.parse(i.valid_until) < Date.now()));
      return {
        known: indicators.length > 0,
        malicious: active.some((i) => (i.indicator_types ?? ["malicious-activity"]).includes("malicious-activity")),
        threats,
        sources,
        data: ctx,
      };
    },
  },
  groupib: {
    types: ["ipv4", "ipv6", "domain", "url", "email", "md5", "sha1", "sha256"],
    async lookup(client, c, call) {
      const q = c.type === "ipv4" || c.type === "ipv6" ? `ip:${c.value}` : c.type === "domain" ? `domain:${c.value}` : c.type === "email" ? `email:${c.value}` : c.value;
      const res = typeof client.globalSearch === "function" ? await client.globalSearch(q, call) : (await client.request({ path: "search", query: { q }, ...call })).data;
      const hits = (Array.isArray(res) ? res : []).filter((r) => (r.count ?? 0) > 0);
      return {
        known: hits.length > 0,
        malicious: hits.some((h) => /^(apt|hi|malware|ioc|attacks)\//.test(h.apiPath ?? "")),
        threats: [],
        sources: hits.map((h) => h.label ?? h.apiPath),
        data: res,
      };
    },
  },
  networksage: {
    types: ["domain", "ipv4"],
    async lookup(client, c, call) {
      const key = `${c.value}:443`;
      const res = typeof client.destination === "function" ? await client.destination(key, call) : (await client.request({ path: ["sec", "v1.0", "destinations", key], ...call })).data;
      const body = res && typeof res === "object" && "body" in res && "error" in res ? res.body : res;
      const known = !!body && typeof body === "object" && Object.keys(body).length > 0;
      const relevance = String(body?.relevance ?? "").toLowerCase();
      return {
        known,
        malicious: /malicious|suspicious|high/.test(relevance),
        threats: [],
        sources: known && body.title ? [body.title] : [],
        data: body,
      };
    },
  },
};

/**
 * Creates an enricher with a TTL cache shared by all its calls.
 * `providers`: `{ sekoia?, networksage?, groupib? }` clients of this package.
 */
export function createEnricher(providers = {}, options = {}) {
  need(providers && typeof providers === "object", "providers", "must be an object of clients");
  const names = Object.keys(PROVIDERS).filter((n) => providers[n] != null);
  need(names.length > 0, "providers", "give at least one of sekoia, networksage, groupib");
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const concurrency = options.concurrency ?? 4;
  need(Number.isInteger(concurrency) && concurrency >= 1, "concurrency", "must be an integer ≥ 1");
  need(typeof ttlMs === "number" && ttlMs >= 0, "ttlMs", "must be a number ≥ 0");
  const cache = new Map(); // `${provider}|${type}|${value}` → { expires, promise }
  let active = 0;
  const queue = [];
  const slot = () =>
    new Promise((resolve) => {
      if (active < concurrency) {
        active += 1;
        resolve();
      } else queue.push(resolve);
    });
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };

  function lookup(name, c, call) {
    const key = `${name}|${c.type}|${c.value}`;
    const hit = cache.get(key);
    if (hit && (hit.pending || hit.expires > Date.now())) return hit.promise;
    const entry = { pending: true, expires: 0, promise: null };
    entry.promise = (async () => {
      await slot();
      try {
        return { ok: true, ...(await PROVIDERS[name].lookup(providers[name], c, call)) };
      } catch (e) {
        return { ok: false, error: errorInfo(e) };
      } finally {
        release();
      }
    })().then((r) => {
      entry.pending = false;
      // errors are not cached: the next call asks again
      if (r.ok && ttlMs > 0) entry.expires = Date.now() + ttlMs;
      else cache.delete(key);
      return r;
    });
    cache.set(key, entry);
    return entry.promise;
  }

  /** The value's classification, or a ValidationError naming `field`. */
  function checked(value, field) {
    need(typeof value === "string", field, "must be a string");
    const c = classify(value);
    need(c !== null, field, `${JSON.stringify(value.slice(0, 80))} is not an IOC`);
    return c;
  }

  async function enrich(value, call = {}) {
    return enrichOne(checked(value, "value"), call);
  }

  async function enrichOne(c, call) {
    const { signal, deadline, timeoutMs } = call;
    const forCall = { signal, deadline, timeoutMs };
    const asked = names.filter((n) => PROVIDERS[n].types.includes(c.type));
    const results = await Promise.all(asked.map((n) => lookup(n, c, forCall)));
    const per = Object.fromEntries(asked.map((n, i) => [n, results[i]]));
    const ok = results.filter((r) => r.ok);
    return {
      value: c.value,
      type: c.type,
      sekoiaType: c.sekoiaType,
      verdict: ok.some((r) => r.malicious) ? "malicious" : ok.some((r) => r.known) ? "known" : ok.length ? "unknown" : "error",
      threats: [...new Set(ok.flatMap((r) => r.threats))],
      sources: [...new Set(ok.flatMap((r) => r.sources))],
      providers: per,
    };
  }

  return {
    enrich,
    /**
     * Enriches many values; results in input order. Every value is checked before any lookup
     * starts; `onProgress({ done, total })` follows each value's completion (what it throws
     * rejects the call).
     */
    async enrichMany(values, call = {}) {
      need(Array.isArray(values), "values", "must be an array of strings");
      const { onProgress } = call;
      need(onProgress === undefined || typeof onProgress === "function", "onProgress", "must be a function");
      const classified = values.map((v, i) => checked(v, `values[${i}]`));
      let done = 0;
      return Promise.all(
        classified.map(async (c) => {
          const r = await enrichOne(c, call);
          done += 1;
          if (onProgress) onProgress({ done, total: classified.length });
          return r;
        }),
      );
    },
    /** Entries cached right now. */
    get cacheSize() {
      return cache.size;
    },
    clearCache: () => cache.clear(),
  };
}

// One-shot form's enrichers, per set of clients (weakly held: no leak when clients go away).
const shared = new WeakMap();

/**
 * One-shot form: `enrich(value, { sekoia, networksage, groupib }, options)`. Calls with the same
 * clients share one cache and one in-flight table, even when the providers object is new each time.
 */
export function enrich(value, providers, options = {}) {
  need(providers && typeof providers === "object", "providers", "must be an object of clients");
  const clients = Object.keys(PROVIDERS).map((n) => providers[n] ?? null);
  const anchor = clients.find((c) => c !== null);
  need(anchor && typeof anchor === "object", "providers", "give at least one of sekoia, networksage, groupib");
  let list = shared.get(anchor);
  if (!list) shared.set(anchor, (list = []));
  let found = list.find((e) => e.clients.every((c, i) => c === clients[i]));
  if (!found) list.push((found = { clients, enricher: createEnricher(providers, options) }));
  return found.enricher.enrich(value, options);
}

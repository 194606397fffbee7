// cti-edge on Cloudflare Workers: log enrichment against the Sekoia Intelligence feed.
//
//  - scheduled (cron): pulls the feed's new indicator pages (cursor in KV via kvCursorStore) into an
//    IndicatorSet and saves the set's snapshot in KV (set.toBytes()). Each run is incremental; a
//    fresh isolate restores the set from the snapshot (IndicatorSet.fromBytes) — no full re-sync.
//  - fetch POST /enrich: a batch of log events as JSON lines → each event with the indicators it
//    matches (every string field is scanned) and their context; `?context=1` adds the threats and
//    sources from Sekoia's indicator context (cached in KV for an hour).
//  - fetch GET /status: set size, cursor and the last sync.
//
// Nothing runs at module load but the package's own synchronous wasm instantiation.
import { Sekoia, IndicatorSet, kvCursorStore } from "cti-edge";

const SNAPSHOT = "indicator-set:snapshot";
const STATE = "indicator-set:state";
const MAX_EVENTS = 10_000;
const MAX_CONTEXT_LOOKUPS = 20;

/** The set of this isolate, reloaded from KV when another run saved a newer snapshot. */
let loaded = null; // { set, version }

function sekoiaClient(env) {
  return new Sekoia({ apiKey: env.SEKOIA_API_KEY, baseUrl: env.SEKOIA_BASE_URL || undefined });
}

async function readState(env) {
  return (await env.KV.get(STATE, "json")) ?? { version: 0 };
}

/** The indicator set: in memory when current, else from the KV snapshot, else empty. */
export async function loadSet(env) {
  const state = await readState(env);
  if (loaded && loaded.version === state.version) return { set: loaded.set, state, from: "memory" };
  const bytes = state.version ? await env.KV.get(SNAPSHOT, "arrayBuffer") : null;
  const set = bytes ? IndicatorSet.fromBytes(new Uint8Array(bytes)) : new IndicatorSet({ subdomains: false });
  loaded = { set, version: bytes ? state.version : 0 };
  return { set, state, from: bytes ? "snapshot" : "empty" };
}

/** What a match carries: enough to act on without another lookup. */
const indicatorMeta = (o) => ({
  id: o.id,
  name: o.name,
  types: o.indicator_types ?? [],
  confidence: o.confidence ?? null,
  validUntil: o.valid_until ?? null,
  killChain: (o.kill_chain_phases ?? []).map((p) => p.phase_name),
});

/**
 * One incremental sync: new pages of indicators → the set; then the snapshot, then the cursor.
 * The cursor is committed to KV only after the snapshot holding those pages is saved, so a crash
 * in between re-reads pages (adds are idempotent) rather than losing them.
 */
export async function refresh(env, { maxPages = Number(env.MAX_PAGES_PER_RUN ?? 50) } = {}) {
  const t0 = Date.now();
  const { set, state, from } = await loadSet(env);
  const kv = kvCursorStore(env.KV);
  let pending = null;
  const store = { get: (key) => kv.get(key), set: (key, cursor) => void (pending = { key, cursor }) };
  const feed = sekoiaClient(env).feed(env.SEKOIA_FEED_ID || undefined);
  const totals = { pages: 0, objects: 0, added: 0, removed: 0, skipped: 0 };
  const pages = feed.pages({ limit: 2000, types: ["indicator"], includeRevoked: true, store });
  for await (const page of pages) {
    const r = set.addStixObjects(page.items, { meta: indicatorMeta });
    totals.pages += 1;
    totals.objects += page.items.length;
    totals.added += r.added;
    totals.removed += r.removed;
    totals.skipped += r.skipped;
    if (totals.pages >= maxPages) {
      await pages.commit(); // this page is in the set; the rest comes with the next cron run
      break;
    }
  }
  if (totals.objects > 0) {
    const version = state.version + 1;
    await env.KV.put(SNAPSHOT, set.toBytes());
    loaded = { set, version };
    state.version = version;
  }
  if (pending) await kv.set(pending.key, pending.cursor);
  const size = typeof set.size === "function" ? set.size() : set.size;
  Object.assign(state, { size, cursor: pending?.cursor ?? state.cursor ?? null, lastRun: { at: new Date().toISOString(), ms: Date.now() - t0, loadedFrom: from, ...totals } });
  await env.KV.put(STATE, JSON.stringify(state));
  return state;
}

/** Threats and sources of a matched value from Sekoia's context bundles (KV-cached for 1 h). */
async function contextOf(env, sekoia, type, value) {
  const key = `ctx:${type}:${value}`;
  const cached = await env.KV.get(key, "json");
  if (cached) return cached;
  const ctx = await sekoia.indicatorContext({ value }, { timeoutMs: 10_000 });
  const byId = new Map(ctx.bundles.flatMap((b) => b.objects ?? []).map((o) => [o.id, o]));
  const threats = [...byId.values()].filter((o) => ["malware", "intrusion-set", "threat-actor", "tool", "campaign"].includes(o.type)).map((o) => ({ type: o.type, name: o.name }));
  const sources = [...new Set([...byId.values()].filter((o) => o.type === "indicator").flatMap((o) => o.x_inthreat_sources_refs ?? []))].map((id) => byId.get(id)?.name ?? id);
  const out = { threats, sources };
  await env.KV.put(key, JSON.stringify(out), { expirationTtl: 3600 });
  return out;
}

/** Splits a JSON-lines body into events (a line that is not JSON is kept as `{ message: line }`). */
function parseLines(body) {
  const events = [];
  for (const line of body.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    try {
      events.push(JSON.parse(t));
    } catch {
      events.push({ message: t });
    }
  }
  return events;
}

export async function enrich(env, body, { context = false } = {}) {
  const t0 = Date.now();
  const { set, state, from } = await loadSet(env);
  const events = parseLines(body);
  if (events.length > MAX_EVENTS) throw new RangeError(`at most ${MAX_EVENTS} events per request (got ${events.length})`);
  // One call for the whole batch when the build has it (fewer crossings into wasm).
  const all = typeof set.matchObjects === "function" ? set.matchObjects(events) : events.map((e) => set.matchObject(e));
  const out = events.map((event, i) => ({ line: i + 1, event, matches: all[i] }));
  const matchMs = Date.now() - t0;
  if (context) {
    const sekoia = sekoiaClient(env);
    const distinct = new Map();
    for (const r of out) for (const m of r.matches) distinct.set(`${m.type}|${m.value}`, m);
    const lookups = [...distinct.values()].slice(0, MAX_CONTEXT_LOOKUPS);
    const found = new Map();
    await Promise.all(lookups.map(async (m) => {
      try {
        found.set(`${m.type}|${m.value}`, await contextOf(env, sekoia, m.type, m.value));
      } catch (e) {
        found.set(`${m.type}|${m.value}`, { error: `${e.name}: ${e.message}` });
      }
    }));
    for (const r of out) for (const m of r.matches) m.context = found.get(`${m.type}|${m.value}`) ?? null;
  }
  return { results: out, stats: { events: events.length, matched: out.filter((r) => r.matches.length).length, setSize: state.size ?? null, setFrom: from, matchMs } };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (request.method === "POST" && url.pathname === "/enrich") {
        const { results, stats } = await enrich(env, await request.text(), { context: url.searchParams.get("context") === "1" });
        const lines = results.map((r) => JSON.stringify(r)).join("\n") + "\n";
        return new Response(lines, { headers: { "content-type": "application/x-ndjson", "x-enrich-stats": JSON.stringify(stats) } });
      }
      if (request.method === "GET" && url.pathname === "/status") return Response.json(await readState(env));
      return new Response("POST /enrich (JSON lines) · GET /status\n", { status: 404 });
    } catch (e) {
      const status = e instanceof RangeError ? 413 : e?.name === "ValidationError" ? 400 : 500;
      return Response.json({ error: e?.name ?? "Error", message: e?.message ?? String(e) }, { status });
    }
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(refresh(env));
  },
};

// The Cloudflare Worker example (examples/worker) in workerd through miniflare, with a persisted
// KV namespace and the simulator: a cron run (full sync), an incremental cron run, enrichment of
// a batch (with and without Sekoia context), a restart that restores the set from the KV snapshot
// without a full re-sync; prints the cold-start time and the enrichment rate.
import { Miniflare } from "miniflare";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../../sim/index.mjs";
import { ROOT, activeIocs, assert, checkSnippets, simApi, steps } from "./lib.mjs";

const PKG = ROOT + "pkg/";
const WORKER = ROOT + "examples/worker/src/worker.js";
const FEED = "d6092c37-d8d7-45c3-8aff-c4dc26030608";

/** The worker as wrangler would bundle it: `import ... from "cti-edge"` → the package's workerd entry
 * (workerd resolves a bare specifier next to the importing module, so both sit at the root). */
function modulesFor(workerSource) {
  const files = [];
  const walk = (d) => { for (const f of readdirSync(d)) statSync(d + f).isDirectory() ? walk(d + f + "/") : files.push(d + f); };
  walk(PKG);
  const modules = [{ type: "ESModule", path: ROOT + "w/worker.js", contents: workerSource }];
  for (const p of files) {
    const rel = p.slice(PKG.length);
    if (!/\.(js|wasm)$/.test(rel) || ["index.browser.js", "index.node.js"].includes(rel)) continue;
    modules.push({ type: rel.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path: ROOT + "w/" + (rel === "index.workerd.js" ? "cti-edge" : rel), contents: readFileSync(p) });
  }
  return modules;
}

async function start({ source = readFileSync(WORKER), kvPersist, bindings = {} } = {}) {
  const t0 = performance.now();
  const mf = new Miniflare({ modules: modulesFor(source), modulesRoot: ROOT + "w", compatibilityDate: "2025-09-01", kvNamespaces: ["KV"], kvPersist, bindings });
  await mf.ready;
  return { mf, readyMs: performance.now() - t0 };
}

const T = steps("worker");
const hasSet = readFileSync(PKG + "dist/cti_edge.d.ts", "utf8").includes("class IndicatorSet");
const sim = await startSimulator({ quiet: true });
const api = simApi(sim.url);
const persist = mkdtempSync(join(tmpdir(), "cti-edge-kv-"));
const { keys } = await api.info();
const bindings = { SEKOIA_API_KEY: keys.sekoia, SEKOIA_BASE_URL: `${sim.url}/sekoia` };
let mf;
const metrics = {};
console.log(`worker: workerd (miniflare), simulator ${sim.url}`);

const status = async () => (await mf.dispatchFetch("http://w/status")).json();
const cron = async () => {
  const w = await mf.getWorker();
  const r = await w.scheduled({ cron: "*/5 * * * *", scheduledTime: new Date() });
  assert(r.outcome === "ok", `scheduled outcome ${r.outcome}`);
  return status();
};
const enrichReq = (lines, q = "") => mf.dispatchFetch(`http://w/enrich${q}`, { method: "POST", body: lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") });
const feedRequests = async () => (await api.log(`/sekoia/api/v2/inthreat/collections/${FEED}/objects`)).length;

try {
  await T.step("cold start: the worker (package + wasm) loads in workerd", async () => {
    // Without IndicatorSet in this build the example cannot load; measure the package alone.
    const source = hasSet ? undefined : `import * as lib from "cti-edge"; export default { fetch() { return new Response(lib.version()); } }`;
    const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const trivial = [];
    const withPkg = [];
    for (let i = 0; i < 3; i++) {
      const b = await start({ source: "export default { fetch() { return new Response('ok'); } }" });
      trivial.push(b.readyMs);
      await b.mf.dispose();
      const s = await start({ source, kvPersist: persist, bindings });
      withPkg.push(s.readyMs);
      if (i < 2) await s.mf.dispose();
      else mf = s.mf;
    }
    const t1 = performance.now();
    const r = await mf.dispatchFetch("http://w/status");
    const first = performance.now() - t1;
    assert(r.status === 200, `status ${r.status}`);
    // The package's own share, in the same engine (V8): read + compile + instantiate the .wasm.
    const t2 = performance.now();
    await import(PKG + "index.node.js");
    const v8Ms = performance.now() - t2;
    metrics.coldStart = { readyMs: Math.round(median(withPkg)), trivialWorkerReadyMs: Math.round(median(trivial)), firstRequestMs: Math.round(first), v8LoadMs: Math.round(v8Ms) };
    const c = metrics.coldStart;
    return `workerd ready in ${c.readyMs} ms (median of 3; a trivial worker: ${c.trivialWorkerReadyMs} ms), first request ${c.firstRequestMs} ms; package load (wasm compile + instantiate, V8 in Node) ${c.v8LoadMs} ms`;
  }, { fatal: true });

  if (!hasSet) {
    console.log("  ! this build has no IndicatorSet yet: the sync/enrichment steps need it (git merge main once it lands)");
  } else {
    // What the set keeps: indicators valid now (the simulator's feed is mostly expired history).
    const iocs = await activeIocs(api);
    console.log(`  (simulator: ${iocs.activeCount} indicators valid now; picked ${["domain-name", "ipv4-addr", "file", "url"].filter((t) => iocs[t]).map((t) => `${t} ${iocs[t].value}${iocs[t]?.threat ? ` → ${iocs[t].threat}` : ""}`).join(", ")})`);

    await T.step("cron run (empty KV): full sync of the feed's indicators into the set, snapshot + cursor in KV", async () => {
      const st = await cron();
      const info = await api.info();
      assert(st.version === 1 && st.lastRun.loadedFrom === "empty", JSON.stringify(st));
      assert(st.lastRun.objects >= info.counts.sekoia.indicators, `${st.lastRun.objects} indicators vs ${info.counts.sekoia.indicators}`);
      // revoked / expired indicators are not kept; a few indicators carry several values
      assert(st.size >= iocs.activeCount && st.size < st.lastRun.objects && st.cursor, JSON.stringify(st));
      const kv = await mf.getKVNamespace("KV");
      assert((await kv.get(`cti-edge:sekoia:feed:${FEED}`)) === st.cursor, "kvCursorStore holds the cursor");
      const snap = await kv.get("indicator-set:snapshot", "arrayBuffer");
      metrics.snapshotBytes = snap.byteLength;
      metrics.fullSync = st.lastRun;
      return `${st.size} values valid now from ${st.lastRun.objects} indicators (expired / revoked ones are not kept; ${st.lastRun.skipped} without an IOC pattern) in ${st.lastRun.pages} pages, ${st.lastRun.ms} ms; snapshot ${(snap.byteLength / 1024).toFixed(0)} KiB`;
    });

    await T.step("incremental cron run: only what the simulator published since (POST /__sim/sekoia/feed/append)", async () => {
      const before = await status();
      const n0 = await feedRequests();
      const { ids } = await api.append(25);
      const st = await cron();
      assert(st.lastRun.objects === 25 && st.lastRun.pages === 1, JSON.stringify(st.lastRun));
      assert(st.size >= before.size + 20 && st.version === before.version + 1, `size ${before.size} → ${st.size}`);
      assert((await feedRequests()) - n0 === 1, "one page request");
      const idle = await cron();
      assert(idle.lastRun.objects === 0 && idle.version === st.version, "nothing new: no new snapshot");
      return `${ids.length} appended → set ${before.size} → ${st.size}`;
    });

    const events = (n, every = 10) => Array.from({ length: n }, (_, i) => {
      const e = { ts: `2026-11-25T10:${String(i % 60).padStart(2, "0")}:00Z`, host: `ws-${i % 97}`, user: `u${i % 13}`, http: { method: "GET", url: `https://cdn${i % 50}.example.net/a/${i}.js`, status: 200 }, dns: { query: `host${i}.corp.example.org` }, dst: { ip: `10.1.${i % 250}.${i % 200}`, port: 443 } };
      if (i % every === 0) {
        if ((i / every) % 3 === 0) e.dns.query = iocs["domain-name"].value;
        else if ((i / every) % 3 === 1) e.http.url = iocs.url.value;
        else e.process = { name: "a.exe", hashes: { sha256: iocs.file.value } };
      }
      return e;
    });

    await T.step("POST /enrich: each event comes back with its matches (field path, type, value, indicator meta)", async () => {
      const batch = [
        { ts: 1, dns: { query: iocs["domain-name"].value.toUpperCase() }, note: "resolved" },
        { ts: 2, proc: { cmd: `curl -s ${iocs.url.value}`, sha: iocs.file.value } },
        { ts: 3, msg: "nothing to see", src: "10.0.0.1" },
        `plain text line mentioning ${iocs["domain-name"].value.replace(/\./g, "[.]")}`,
      ];
      const r = await enrichReq(batch);
      assert(r.status === 200 && r.headers.get("content-type") === "application/x-ndjson", `status ${r.status}`);
      const out = (await r.text()).trim().split("\n").map((l) => JSON.parse(l));
      assert(out.length === 4 && out.map((o) => o.line).join() === "1,2,3,4");
      const m1 = out[0].matches[0];
      assert(m1 && m1.path === "dns.query" && m1.type === "domain" && m1.value === iocs["domain-name"].value.toLowerCase(), JSON.stringify(out[0]));
      assert(m1.meta.id && m1.meta.name && Array.isArray(m1.meta.killChain), JSON.stringify(m1.meta));
      assert(out[1].matches.some((m) => m.path === "proc.sha" && m.meta.id === iocs.file.indicatorId), JSON.stringify(out[1]));
      assert(out[1].matches.some((m) => m.path === "proc.cmd" && m.type === "url"), "a URL inside a command line");
      assert(out[2].matches.length === 0, "clean event");
      assert(out[3].event.message && out[3].matches.some((m) => m.path === "message" && m.value === iocs["domain-name"].value.toLowerCase()), "a non-JSON line is kept as { message }, defanged values match");
      const stats = JSON.parse(r.headers.get("x-enrich-stats"));
      assert(stats.events === 4 && stats.matched === 3, JSON.stringify(stats));
    });

    await T.step("POST /enrich?context=1: matches carry threats and sources from Sekoia's indicator context", async () => {
      const out = (await (await enrichReq([{ q: iocs["domain-name"].value }, { q: iocs.file.value }], "?context=1")).text()).trim().split("\n").map((l) => JSON.parse(l));
      const c = out[0].matches[0].context;
      assert(c && c.threats.some((t) => t.name === iocs["domain-name"].threat) && c.sources.some((s) => /ESET/.test(s)), JSON.stringify(out[0]));
      assert(out[1].matches[0].context.threats.some((t) => t.name === iocs.file.threat));
    });

    await T.step("throughput: a batch of 5 000 events (10 % matching)", async () => {
      const big = events(5000);
      const one = events(1);
      await enrichReq(one);
      let best = Infinity;
      let matched = 0;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        const r = await enrichReq(big);
        const body = await r.text();
        const ms = performance.now() - t0;
        const t1 = performance.now();
        await (await enrichReq(one)).text();
        const overhead = performance.now() - t1;
        best = Math.min(best, ms - overhead);
        matched = JSON.parse(r.headers.get("x-enrich-stats")).matched;
        assert(body.split("\n").length === 5001);
      }
      assert(matched === 500, `matched ${matched}`);
      metrics.enrich = { events: 5000, matched, ms: Math.round(best), eventsPerSecond: Math.round(5000 / (best / 1000)) };
      return `${metrics.enrich.eventsPerSecond.toLocaleString("en")} events/s (5 000 events in ${metrics.enrich.ms} ms, request overhead removed)`;
    });

    await T.step("restart: a new workerd with the same KV restores the set from the snapshot, no full re-sync", async () => {
      const before = await status();
      await mf.dispose();
      const s = await start({ kvPersist: persist, bindings });
      mf = s.mf;
      const n0 = await feedRequests();
      const t0 = performance.now();
      const r = await enrichReq([{ dns: iocs["domain-name"].value }]);
      const firstEnrichMs = performance.now() - t0;
      const stats = JSON.parse(r.headers.get("x-enrich-stats"));
      assert(stats.setFrom === "snapshot" && stats.matched === 1, JSON.stringify(stats));
      await api.append(4);
      const st = await cron();
      assert(st.lastRun.loadedFrom === "memory" && st.lastRun.objects === 4 && st.size >= before.size, JSON.stringify(st.lastRun));
      const reqs = (await api.log(`/sekoia/api/v2/inthreat/collections/${FEED}/objects`)).slice(n0 ? -1 : 0);
      assert((await feedRequests()) - n0 === 1 && /cursor=/.test(reqs.at(-1).query), "one request, resumed from the KV cursor");
      metrics.restart = { readyMs: Math.round(s.readyMs), firstEnrichFromSnapshotMs: Math.round(firstEnrichMs) };
      return `ready ${metrics.restart.readyMs} ms, first enrichment (snapshot load included) ${metrics.restart.firstEnrichFromSnapshotMs} ms`;
    });

    await T.step("bad requests: unknown route 404, too many events 413", async () => {
      assert((await mf.dispatchFetch("http://w/nope")).status === 404);
      const r = await enrichReq(Array.from({ length: 10_001 }, () => "{}"));
      assert(r.status === 413, `status ${r.status}`);
    });
  }
  await T.step("README snippets are verbatim from src/worker.js", async () => `${checkSnippets("examples/worker/README.md")} snippet(s)`);
} finally {
  await mf?.dispose();
  await sim.close();
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(ROOT + "test-artifacts", { recursive: true });
  writeFileSync(ROOT + "test-artifacts/worker-metrics.json", JSON.stringify(metrics, null, 2));
}
process.exit(T.finish());

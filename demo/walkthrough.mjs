// `make demo`: a walkthrough of cti-edge through the built package (pkg/, Node entry).
//
// By default it starts the local API simulator on 127.0.0.1 and talks to it. With real
// credentials in the environment it talks to the real services instead (each vendor on its
// own): SEKOIA_API_KEY [+ SEKOIA_REGION | SEKOIA_BASE_URL], NETWORKSAGE_API_KEY
// [+ NETWORKSAGE_BASE_URL], GROUPIB_USERNAME + GROUPIB_API_KEY + GROUPIB_BASE_URL.
// The simulator-only steps (fault injection) are skipped against a real service.
import * as lib from "../pkg/index.node.js";
import { startSimulator } from "../sim/index.mjs";

const { Sekoia, NetworkSage, GroupIB, CtiEdgeError } = lib;
const env = process.env;
const useSim = !(env.SEKOIA_API_KEY || env.NETWORKSAGE_API_KEY || env.GROUPIB_API_KEY);

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n, title) => console.log(`\n${bold(`${n}. ${title}`)}`);
const show = (label, value) => console.log(`   ${label.padEnd(22)} ${typeof value === "string" ? value : JSON.stringify(value)}`);
const describeError = (e) => (e instanceof CtiEdgeError ? `${e.name} (${e.message})` : String(e));

async function tryStep(fn) {
  try {
    await fn();
  } catch (e) {
    show("failed:", describeError(e));
  }
}

let sim;
let simUrl;
if (useSim) {
  sim = await startSimulator({ quiet: true });
  simUrl = sim.url;
}
const simChaos = (match, action, times) =>
  fetch(`${simUrl}/__sim/chaos`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ match, action, times }) });
const simKeys = useSim ? (await (await fetch(`${simUrl}/__sim/info`)).json()).keys : {};

console.log(bold(`cti-edge ${lib.version()} walkthrough`));
console.log(useSim ? `   talking to the local simulator at ${simUrl} (set SEKOIA_API_KEY etc. to use the real services)` : "   talking to the real services named in the environment");

// LiveAPI (IOC import progress) needs a WebSocket that can send the auth cookie: Node's global
// WebSocket cannot, the `ws` package (a dev dependency) can.
const { WebSocket: WS } = await import("ws").catch(() => ({}));
const live = WS ? { webSocket: (url, init) => new WS(url, init) } : undefined;
const sekoia = useSim
  ? new Sekoia({ apiKey: keyOf(simKeys.sekoia), baseUrl: `${simUrl}/sekoia`, live })
  : env.SEKOIA_API_KEY && new Sekoia({ apiKey: env.SEKOIA_API_KEY, baseUrl: env.SEKOIA_BASE_URL, region: env.SEKOIA_BASE_URL ? undefined : env.SEKOIA_REGION, live });

/** A one-line progress bar (redrawn in place on a terminal). */
function bar(label, done, total) {
  const width = 30;
  const filled = total ? Math.round((width * Math.min(done, total)) / total) : width;
  const line = `   ${label.padEnd(22)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  return line;
}
function endBar(line) {
  if (process.stdout.isTTY) process.stdout.write("\n");
  else console.log(line);
}

function keyOf(k) {
  return typeof k === "string" ? k : k && (k.apiKey ?? k.key);
}

if (sekoia) {
  step(1, "Sekoia: one request through the package (GET /v1/auth/validate)");
  show("base URL", sekoia.baseUrl);
  await tryStep(async () => {
    const r = await sekoia.request({ path: "/v1/auth/validate" });
    show("status", r.status);
    show("attempts", r.attempts);
    show("body", JSON.stringify(r.data).slice(0, 160));
  });

  step(2, "Sekoia: first page of the default Intelligence feed (limit 5)");
  await tryStep(async () => {
    const feed = "d6092c37-d8d7-45c3-8aff-c4dc26030608";
    const t0 = Date.now();
    const r = await sekoia.request({ path: ["v2", "inthreat", "collections", feed, "objects"], query: { limit: 5, "match[type]": ["indicator", "malware", "attack-pattern"] } });
    show("took", `${Date.now() - t0} ms`);
    for (const o of r.data.items ?? []) show(`  ${o.type}`, o.name ?? o.pattern ?? o.id);
    show("next_cursor", String(r.data.next_cursor ?? "(none)"));
  });

  step("2b", "Sekoia: full sync of the feed's indicators, then an incremental sync");
  await tryStep(async () => {
    const store = lib.memoryCursorStore();
    const sync = async () => {
      const counts = {};
      let pages = 0;
      for await (const page of sekoia.feed().pages({ limit: 2000, types: ["indicator"], store })) {
        pages += 1;
        for (const o of page.items) for (const t of o.x_ic_observable_types ?? ["?"]) counts[t] = (counts[t] ?? 0) + 1;
      }
      return { pages, counts };
    };
    const t0 = Date.now();
    const full = await sync();
    const total = Object.values(full.counts).reduce((a, b) => a + b, 0);
    show("full sync", `${total} indicators in ${full.pages} pages, ${Date.now() - t0} ms (≤ 5 req/s)`);
    show("by observable type", full.counts);
    show("stored cursor", String(Object.values(store.entries())[0]).slice(0, 40) + "…");
    if (useSim) {
      await fetch(`${simUrl}/__sim/sekoia/feed/append`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ count: 25 }) });
      show("simulator", "published 25 new indicators");
    }
    const inc = await sync();
    show("incremental sync", `${Object.values(inc.counts).reduce((a, b) => a + b, 0)} new indicators in ${inc.pages} page(s)`);
  });

  step("2c", "Sekoia: look up an IOC (type detected from the value, defanged input accepted)");
  await tryStep(async () => {
    const sample = useSim
      ? (await sekoia.request({ path: ["v2", "inthreat", "collections", lib.Sekoia.DEFAULT_FEED_ID, "objects"], query: { limit: 1, "match[type]": "indicator", "match[observable_type]": "domain-name" } })).data.items[0].name
      : "example.com";
    const defanged = sample.replace(/\./g, "[.]");
    const ctx = await sekoia.indicatorContext({ value: defanged });
    show("looked up", `${defanged} → ${ctx.type} ${ctx.value}`);
    for (const bundle of ctx.bundles.slice(0, 2)) {
      const byType = {};
      for (const o of bundle.objects) byType[o.type] = (byType[o.type] ?? 0) + 1;
      show("context bundle", byType);
      const threats = bundle.objects.filter((o) => ["malware", "intrusion-set", "threat-actor", "tool"].includes(o.type)).map((o) => o.name);
      if (threats.length) show("related threats", threats.join(", "));
    }
    if (ctx.bundles.length === 0) show("context", "unknown to the Intelligence Center");
  });

  // Writes into the community: only against the simulator, or with DEMO_WRITE=1.
  if (useSim || env.DEMO_WRITE === "1") {
    step("2d", "Sekoia: an IOC collection, 5 000 IOCs imported with LiveAPI progress");
    await tryStep(async () => {
      const coll = await sekoia.createIocCollection({ name: `cti-edge demo ${new Date().toISOString()}`, description: "created by make demo" });
      show("collection", `${coll.id} (${coll.name})`);
      const values = Array.from({ length: 5000 }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      values.push("1.2.3.4/32", "not an ioc");
      const task = await sekoia.importText(coll.id, { indicators: values.join("\n"), description: "demo import", batchSize: 1000 });
      show("sent", `${task.taskIds.length} tasks; ${task.rejected.length} values refused locally:`);
      for (const r of task.rejected) show(`  line ${r.line}`, `${r.value} — ${r.reason}`);
      let line = "";
      for await (const p of task.progress({ deadline: Date.now() + 120_000 })) line = bar("imported", p.imported, p.total);
      endBar(line);
      const done = await task.done();
      show("done", `${done.imported}/${done.total} over ${done.tasks} tasks (LiveAPI via ${task.transport})`);
      const q = await sekoia.iocQuota();
      show("quota", `${q.count} of ${q.max} IOCs used`);
      await sekoia.deleteIocCollection(coll.id);
    });
  }

  step("2e", "Sekoia: an event search job with progress, then its first events");
  await tryStep(async () => {
    const job = await sekoia.searchEvents({ query: "event.category:network", earliest: "-1d", latest: "now", maxLastEvents: 500 });
    let line = "";
    const info = await job.wait({ pollMs: 250, onProgress: (j) => (line = bar(`status ${j.status}`, j.retrieved ?? 0, j.total ?? 0)) });
    endBar(line);
    show("job", `${info.uuid}: ${info.total} events`);
    let n = 0;
    for await (const ev of job.events({ limit: 1000, maxItems: 3 })) show(`  event ${++n}`, `${ev["@timestamp"] ?? ""} ${JSON.stringify(ev).slice(0, 90)}`);
  });

  step("2f", "Sekoia: a few rules of the rules catalog");
  await tryStep(async () => {
    for await (const r of sekoia.listRules({ limit: 5, maxItems: 5, sort: "severity", direction: "desc" })) show(`  severity ${r.severity}`, `${r.name} (${r.type}, ${r.enabled ? "enabled" : "disabled"})`);
  });

  step(3, "Sekoia: a typed error (unknown object)");
  await tryStep(async () => {
    try {
      await sekoia.request({ path: ["v2", "inthreat", "objects", "indicator--00000000-0000-4000-8000-000000000000"] });
      show("unexpected", "found");
    } catch (e) {
      show("thrown", `${e.name} status=${e.status} code=${e.code} instanceof ApiError=${e instanceof lib.ApiError}`);
      show("message", e.message);
    }
  });

  step(4, "Sekoia: bad input never reaches the network");
  await tryStep(async () => {
    try {
      await sekoia.request({ path: ["v2", "inthreat", "objects", ".."] });
    } catch (e) {
      show("thrown", `${e.name} field=${e.field} reason=${e.reason}`);
    }
  });

  if (useSim) {
    step(5, "Retries: the simulator answers 503 twice, then 429 with Retry-After: 1");
    await simChaos({ path: "/sekoia/api/v1/auth/validate" }, { status: 503 }, 2);
    await simChaos({ path: "/sekoia/api/v1/auth/validate" }, { status: 429, retryAfter: "1" }, 1);
    await tryStep(async () => {
      const t0 = Date.now();
      const r = await sekoia.request({ path: "/v1/auth/validate" });
      show("attempts", r.attempts);
      show("took", `${Date.now() - t0} ms (backoff with jitter, then exactly the server's 1 s)`);
    });

    step(6, "WAF guard: 12 concurrent requests, never more than 5 in any second");
    await tryStep(async () => {
      const t0 = Date.now();
      const stamps = [];
      await Promise.all(Array.from({ length: 12 }, () => sekoia.request({ path: "/v1/auth/validate" }).then(() => stamps.push(Date.now() - t0))));
      show("completed at (ms)", stamps.sort((a, b) => a - b).join(", "));
    });
  }
}

const ns = useSim
  ? new NetworkSage({ apiKey: keyOf(simKeys.networksage), baseUrl: `${simUrl}/networksage` })
  : env.NETWORKSAGE_API_KEY && new NetworkSage({ apiKey: env.NETWORKSAGE_API_KEY, baseUrl: env.NETWORKSAGE_BASE_URL });
if (ns) {
  step(7, "NetworkSage: list my samples (apikey header)");
  await tryStep(async () => {
    const r = await ns.request({ path: "/upload/v1.0/uploads/list" });
    show("status", r.status);
    show("envelope", JSON.stringify(r.data).slice(0, 160));
  });
}

const gib = useSim
  ? new GroupIB({ username: simKeys.groupib?.username ?? "analyst@example.com", apiKey: keyOf(simKeys.groupib), baseUrl: `${simUrl}/groupib/api/v2/` })
  : env.GROUPIB_API_KEY && new GroupIB({ username: env.GROUPIB_USERNAME, apiKey: env.GROUPIB_API_KEY, baseUrl: env.GROUPIB_BASE_URL });
if (gib) {
  step(8, "Group-IB: granted collections (HTTP Basic)");
  await tryStep(async () => {
    const r = await gib.request({ path: "user/granted_collections" });
    show("status", r.status);
    show("collections", JSON.stringify(r.data).slice(0, 160));
  });
}

if (sim) await sim.close();
console.log("\ndone.");

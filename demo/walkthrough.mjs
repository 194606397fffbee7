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
      show("took", `${Date.now() - t0} ms: backoff with jitter, the WAF guard's 5 s pause after 2 errors in 10 s, then exactly the server's 1 s`);
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
  ? new NetworkSage({ apiKey: keyOf(simKeys.networksage), baseUrl: `${simUrl}/networksage`, rateLimit: { perSecond: 50 } }) // the simulator has no rate limit
  : env.NETWORKSAGE_API_KEY && new NetworkSage({ apiKey: env.NETWORKSAGE_API_KEY, baseUrl: env.NETWORKSAGE_BASE_URL });
if (ns) {
  step(7, "NetworkSage: list my samples (apikey header, {error, body} envelope unwrapped)");
  await tryStep(async () => {
    const samples = await ns.listSamples();
    show("samples", `${samples.length}: ${samples.slice(0, 3).map((s) => `${s.fileName} (${s.processed ? "processed" : "pending"})`).join(", ")}`);
  });

  if (useSim) {
    step("7b", "NetworkSage: upload a small pcap, wait for processing, print the aggregated view");
    await tryStep(async () => {
      const id = await ns.uploadSample(demoPcap(), { type: "pcap", name: "demo.pcap" });
      show("uploaded", id);
      const t0 = Date.now();
      const meta = await ns.waitForProcessing(id, { intervalMs: 500, deadline: Date.now() + 30_000 });
      show("processed", `after ${Date.now() - t0} ms (polled every 500 ms, 30 s deadline)`);
      const view = await ns.aggregated(id, { concurrency: 4 });
      const bad = view.filter((a) => a.destination.relevance && a.destination.relevance !== "benign");
      show("flows", `${view.length} (${bad.length} to suspicious/malicious destinations)`);
      for (const a of [...bad, ...view].slice(0, 5)) {
        show(`  +${Number(a.secflow.relativeStart).toFixed(1)}s`, `${a.secflow.destinationData.padEnd(28)} ${a.secflow.flowCategory} — ${a.destination.relevance ?? "?"}, seen in ${a.flowIdCount} samples`);
      }
      const publicId = lib.NetworkSage.encodePublicId(meta.id, meta.hash);
      const same = JSON.stringify(await ns.aggregated(publicId)) === JSON.stringify(view);
      show("public view", `${publicId.slice(0, 24)}… (no key sent) — same as the private view: ${same}`);
    });
  }
}

/** A valid 2-packet libpcap capture (UDP 192.168.1.10 → 8.8.8.8:53). */
function demoPcap() {
  const frame = Uint8Array.from([0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 187, 8, 0, 69, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 192, 168, 1, 10, 8, 8, 8, 8, 192, 0, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4]);
  const out = new Uint8Array(24 + 2 * (16 + frame.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  for (let i = 0, o = 24; i < 2; i++, o += 16 + frame.length) {
    v.setUint32(o, 1700000000 + i, true);
    v.setUint32(o + 8, frame.length, true);
    v.setUint32(o + 12, frame.length, true);
    out.set(frame, o + 16);
  }
  return out;
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
  step("8b", "Group-IB: iterate portions of malware/cnc (seqUpdate chaining) and extract IOCs with keys");
  await tryStep(async () => {
    gib.setIocKeys("malware/cnc", { ips: "ipv4.ip", domains: "domain", urls: "url" });
    let n = 0;
    for await (const portion of gib.updates("malware/cnc", { limit: 20, date: "2024-01-01" })) {
      const iocs = portion.iocs();
      show(`portion ${++n}`, `${portion.items.length} items, seqUpdate ${portion.seqUpdate}, ${portion.count} remaining`);
      show("  iocs", `${iocs.ips.length} ips (${iocs.ips.slice(0, 2).join(", ")}…), ${iocs.domains.length} domains (${iocs.domains.slice(0, 2).join(", ")}…)`);
      if (n === 3) break; // resume later with { seqUpdate: portion.seqUpdate }
    }
  });
}

step(9, "IOC toolkit: extract IOCs from a real ESET report, then enrich them across the providers");
await tryStep(async () => {
  const { readFileSync, existsSync } = await import("node:fs");
  const reports = new URL("../../shared/data/eset/eset_reports.jsonl", import.meta.url);
  // a defanged report whose indicators ESET also published (the simulator's Intelligence Center
  // carries those): MoustachedBouncer, else the first long defanged one
  const lines = existsSync(reports) ? readFileSync(reports, "utf8").split("\n") : [];
  const line = lines.find((l) => l.includes('"moustachedbouncer/')) ?? lines.find((l) => l.includes("[.]") && l.length > 4000);
  const report = line
    ? JSON.parse(line)
    : { path: "inline sample", text: "C2: hxxps://update-check[.]evil-cdn[.]com/gate.php and 185.220.101[.]47; dropper d41d8cd98f00b204e9800998ecf8427e" };
  const t0 = performance.now();
  const iocs = lib.extractIocs(report.text, { dedupe: true, nested: false });
  const ms = performance.now() - t0;
  const byType = {};
  for (const i of iocs) byType[i.type] = (byType[i.type] ?? 0) + 1;
  show("report", `${report.path} (${report.text.length} chars)`);
  show("extracted", `${iocs.length} IOCs in ${ms.toFixed(1)} ms: ${JSON.stringify(byType)}`);
  const defanged = iocs.filter((i) => i.defanged).slice(0, 3);
  for (const i of defanged) show("  refanged", `${i.raw} → ${i.value}`);
  const providers = { sekoia, networksage: ns, groupib: gib };
  for (const k of Object.keys(providers)) if (!providers[k]) delete providers[k];
  if (Object.keys(providers).length) {
    const rank = { domain: 0, ipv4: 1, sha256: 2, sha1: 3, md5: 4, url: 5 };
    const picked = iocs.filter((i) => i.type in rank).sort((a, b) => rank[a.type] - rank[b.type]).slice(0, 6);
    const enricher = lib.createEnricher(providers, { concurrency: 4 });
    const results = await enricher.enrichMany(picked.map((i) => i.value));
    for (const r of results) {
      const asked = Object.entries(r.providers).map(([n, p]) => `${n}:${p.ok ? (p.known ? "known" : "-") : p.error.name}`).join(" ");
      show(`  ${r.type} ${r.value.slice(0, 40)}`, `${r.verdict}${r.threats.length ? " (" + r.threats.slice(0, 3).join(", ") + ")" : ""}  [${asked}]`);
    }
  }
});

if (sim) await sim.close();
console.log("\ndone.");

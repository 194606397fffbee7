// `make bench`: every row runs ours and its baseline in the same process run, on the same data,
// on this machine, and prints ratios first (these machines are noisy: absolute numbers mean
// little, ratios from one run mean more). Medians of several runs, with the spread.
import { execFileSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { entrySizes } from "../scripts/entries.mjs";
import { spawn } from "node:child_process";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = new URL("..", import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const rows = [];

// 1. Package size per entry point (the same count as scripts/assemble.mjs).
{
  const budget = JSON.parse(readFileSync(`${root}bench/size-budget.json`, "utf8"));
  for (const r of entrySizes(`${root}pkg`)) {
    rows.push({ row: `size ${r.label}`, ratio: r.total / budget.targetGzipBytes, detail: `${(r.total / 1024).toFixed(1)} KiB gz (wasm ${(r.wasmGz / 1024).toFixed(1)}) vs target ${(budget.targetGzipBytes / 1024).toFixed(0)} KiB` });
  }
}

// 2. Feed ingest objects/s: ours vs hand-written JS (fetch + JSON.parse) vs Python requests.
// The simulator runs in its own process, as a real server would: the client's work and the
// server's overlap as they do in production.
const simProc = spawn(process.execPath, [`${root}sim/cli.mjs`], { stdio: ["ignore", "pipe", "inherit"] });
const sim = {
  url: await new Promise((resolve, reject) => {
    let buf = "";
    simProc.stdout.on("data", (d) => {
      buf += d;
      const m = /SIMULATOR_URL=(\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    simProc.on("exit", (code) => reject(new Error(`simulator exited ${code}`)));
  }),
  close: async () => simProc.kill("SIGTERM"),
};
const key = (await (await fetch(`${sim.url}/__sim/info`)).json()).keys.sekoia;
const lib = await import("../pkg/index.node.js");
const LIMIT = 2000;
const feedUrl = `${sim.url}/sekoia/api/v2/inthreat/collections/${lib.Sekoia.DEFAULT_FEED_ID}/objects`;

async function ours() {
  // The WAF guard is off here: it would dominate (5 req/s) and measure Sekoia's limit, not the client.
  const s = new lib.Sekoia({ apiKey: key, baseUrl: `${sim.url}/sekoia`, rateLimit: false });
  const t0 = performance.now();
  let n = 0;
  for await (const page of s.feed().pages({ limit: LIMIT })) n += page.items.length;
  return { objects: n, seconds: (performance.now() - t0) / 1000 };
}

async function handWritten() {
  const t0 = performance.now();
  let n = 0;
  let cursor;
  for (;;) {
    const u = new URL(feedUrl);
    u.searchParams.set("limit", LIMIT);
    if (cursor) u.searchParams.set("cursor", cursor);
    const r = await fetch(u, { headers: { authorization: `Bearer ${key}` } });
    const d = JSON.parse(await r.text());
    n += d.items.length;
    cursor = d.next_cursor ?? cursor;
    if (d.items.length === 0 || d.items.length < LIMIT) break;
  }
  return { objects: n, seconds: (performance.now() - t0) / 1000 };
}

const rate = (r) => r.objects / r.seconds;
const oursRuns = [];
const jsRuns = [];
await ours();
await handWritten(); // warm-up (simulator data, JIT)
for (let i = 0; i < RUNS; i++) {
  // interleaved, so drift of the machine hits both alike
  oursRuns.push(rate(await ours()));
  jsRuns.push(rate(await handWritten()));
}
let pyRuns = [];
try {
  // async: the simulator lives in this process and must keep serving while Python runs
  const { stdout } = await promisify(execFile)("python3", [`${root}bench/feed_ingest.py`, sim.url, key, String(LIMIT), String(RUNS)], { encoding: "utf8", maxBuffer: 1 << 20 });
  pyRuns = JSON.parse(stdout).map(rate);
} catch (e) {
  console.error("python baseline unavailable:", e.message.split("\n")[0]);
}
await sim.close();
rows.push({ row: "feed ingest vs JS fetch+JSON.parse", ratio: median(oursRuns) / median(jsRuns), detail: `ours ${median(oursRuns).toFixed(0)} obj/s (${spread(oursRuns)}), JS ${median(jsRuns).toFixed(0)} obj/s (${spread(jsRuns)})` });
if (pyRuns.length) rows.push({ row: "feed ingest vs Python requests", ratio: median(oursRuns) / median(pyRuns), detail: `Python ${median(pyRuns).toFixed(0)} obj/s (${spread(pyRuns)})` });

// 3. Group-IB mapping vs the Python reference; 4. IOC extraction vs ioc-extractor.
const { groupibRows } = await import("./groupib.mjs");
const { iocRows } = await import("./ioc.mjs");
for (const [name, f] of [["group-ib", groupibRows], ["ioc", iocRows]]) {
  try {
    rows.push(...(await f(lib, RUNS)));
  } catch (e) {
    console.error(`${name} rows unavailable:`, e.message.split("\n")[0]);
  }
}

// 6. Cold start in Node: compile + instantiate + first call, in fresh processes — the same work
// (one Sekoia client, one call) through cti-edge and through cti-edge/sekoia.
{
  const script = (entry) => `const t0=performance.now();const m=await import(${JSON.stringify(`${root}pkg/${entry}`)});new m.Sekoia({apiKey:"k"});m.version();console.log(performance.now()-t0)`;
  const base = `const t0=performance.now();await import("node:fs");console.log(performance.now()-t0)`;
  const entries = [["index.node.js", "cti-edge"], ["sekoia/index.node.js", "cti-edge/sekoia"]];
  const cold = entries.map(() => []);
  const empty = [];
  for (let i = 0; i < RUNS; i++) {
    entries.forEach(([entry], k) => cold[k].push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script(entry)], { encoding: "utf8" }))));
    empty.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", base], { encoding: "utf8" })));
  }
  entries.forEach(([, name], k) => {
    rows.push({ row: `cold start (Node): import+init+first call, ${name}`, ratio: median(cold[k]) / Math.max(median(empty), 0.001), detail: `${median(cold[k]).toFixed(1)} ms (${spread(cold[k])}) vs an empty import ${median(empty).toFixed(2)} ms` });
  });
}

// 6b. Cold start in workerd, a fresh workerd per run (bench/cold-workerd.mjs).
try {
  const { workerdColdRows } = await import("./cold-workerd.mjs");
  rows.push(...(await workerdColdRows(RUNS)));
} catch (e) {
  console.error("workerd cold-start rows unavailable:", e.message.split("\n")[0]);
}

// 7. IndicatorSet, 1 M indicators (bench/indicator-set.mjs: memory per child process).
{
  const d = JSON.parse(execFileSync(process.execPath, ["--expose-gc", `${root}bench/indicator-set.mjs`], { encoding: "utf8", maxBuffer: 1 << 22 }));
  const m = d.memory;
  const per = (x) => x.bytes / x.size;
  rows.push({ row: "IndicatorSet memory vs JS Set (built)", ratio: per(m.ours) / per(m.js), detail: `${per(m.ours).toFixed(1)} B/indicator (index ${(m.ours.heapBytes / m.ours.size).toFixed(1)}) vs Set<string> ${per(m.js).toFixed(1)}; ${d.size} entries, addMany ${(m.ours.ms / 1000).toFixed(1)} s (lower is better)` });
  rows.push({ row: "IndicatorSet memory vs JS Set (+ prefilter)", ratio: m.ours.matched / m.ours.size / per(m.js), detail: `${(m.ours.matched / m.ours.size).toFixed(1)} B/indicator once a first match built the prefilter (lower is better)` });
  rows.push({ row: "IndicatorSet memory vs JS Set (fromBytes)", ratio: per(m.loaded) / per(m.js), detail: `${per(m.loaded).toFixed(1)} B/indicator, load ${m.loaded.ms.toFixed(0)} ms, snapshot ${(d.snapshotBytes / d.size).toFixed(1)} B/indicator (lower is better)` });
  const k = (x) => `${(x / 1000).toFixed(0)}k`;
  const r = (name, [a, b], what) => rows.push({ row: `IndicatorSet ${name}`, ratio: a.perSec / b.perSec, detail: `${k(a.perSec)} (${k(a.min)}–${k(a.max)}) vs ${k(b.perSec)} (${k(b.min)}–${k(b.max)}) ${what}` });
  r("has() vs Set.has", d.has, "calls/s");
  r("matchText vs regex+Set", d.matchText, "events/s (one call per line)");
  r("matchLines vs regex+Set", d.matchLines, "events/s (batches of 1000 lines)");
  r("matchObjects vs walk+regex+Set", d.matchObjects, "events/s (batches of 1000)");
}

const date = new Date().toISOString().slice(0, 10);
const lines = [`cti-edge bench ${date} (${RUNS} runs, medians; ratio = ours / baseline, higher is faster for rates)`, ""];
for (const r of rows) lines.push(`${r.ratio.toFixed(2).padStart(7)}×  ${r.row.padEnd(44)} ${r.detail}`);
console.log(lines.join("\n"));
mkdirSync(`${root}bench/out`, { recursive: true });
writeFileSync(`${root}bench/out/latest.txt`, lines.join("\n") + "\n");

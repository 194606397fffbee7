// IndicatorSet bench (run by bench/run.mjs, or alone: `node --expose-gc bench/indicator-set.mjs`).
// 1 M indicators: the real ESET values (/work/shared/data/eset, or $CTI_EDGE_SHARED_DIR) plus a
// deterministic synthetic mix. Memory is measured per process (a wasm memory never shrinks, so
// each measurement runs in its own child): process.memoryUsage() deltas (heapUsed + external,
// which includes the wasm memory) after global.gc. Prints one JSON object.
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const N = Number(process.env.INDICATORS ?? 1_000_000);
const root = new URL("..", import.meta.url).pathname;
const shared = process.env.CTI_EDGE_SHARED_DIR ?? `${root}../shared`;

function rng(seed) {
  let s = BigInt(seed);
  return () => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return Number(s & 0xffffffffn);
  };
}
const hex = (r, n) => {
  let out = "";
  while (out.length < n) out += r().toString(16).padStart(8, "0");
  return out.slice(0, n);
};

export function indicators(n = N, seed = 7) {
  const out = [];
  try {
    for (const line of readFileSync(`${shared}/data/eset/eset_indicators.csv`, "utf8").split("\n").slice(1)) {
      const v = line.slice(line.lastIndexOf(",") + 1);
      for (const x of v.split("|")) if (x && out.length < n) out.push(x);
    }
  } catch {}
  const r = rng(seed);
  for (let i = out.length; i < n; i++) {
    switch (i % 8) {
      case 0: case 1: out.push(hex(r, 64)); break;
      case 2: out.push(hex(r, 32)); break;
      case 3: out.push(hex(r, 40)); break;
      case 4: out.push(`${(r() % 223) + 1}.${r() % 256}.${r() % 256}.${r() % 256}`); break;
      case 5: out.push(`h${r().toString(36)}.evil${r() % 5000}.com`); break;
      case 6: out.push(`${r().toString(36)}-${r().toString(36)}.net`); break;
      default: out.push(`http://c2-${r().toString(36)}.example.org/gate${r() % 100}.php`);
    }
  }
  return out;
}

export function logEvents(values, n, seed = 11) {
  const r = rng(seed);
  const pick = (hit) => (hit ? values[r() % values.length] : null);
  const events = [];
  for (let i = 0; i < n; i++) {
    const hit = r() % 20 === 0; // 5% of events carry a known indicator
    const v = pick(hit);
    const host = v && /^[a-z0-9.-]+\.[a-z]+$/.test(v) ? v : `www${r() % 1000}.site${r() % 300}.com`;
    const ip = v && /^\d+\.\d+\.\d+\.\d+$/.test(v) ? v : `${(r() % 200) + 10}.${r() % 256}.${r() % 256}.${r() % 256}`;
    events.push({
      ts: `2025-01-01T00:00:${String(i % 60).padStart(2, "0")}Z`,
      src_ip: `10.${r() % 256}.${r() % 256}.${r() % 256}`,
      dst_ip: ip,
      request: { method: "GET", host, path: `/p/${r() % 1000}?id=${r()}`, headers: { "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", accept: "*/*" } },
      file: { sha256: v && /^[0-9a-f]{64}$/i.test(v) ? v : hex(r, 64), name: `doc${r() % 100}.pdf` },
      msg: v && v.startsWith("http") ? `download from ${v} ok` : `status 200 bytes ${r() % 100000}`,
    });
  }
  return events;
}

const RE = /\b[a-f0-9]{64}\b|\b[a-f0-9]{40}\b|\b[a-f0-9]{32}\b|https?:\/\/[^\s"'<>]+|\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b/gi;
function jsMatchText(set, line, out) {
  for (const m of line.matchAll(RE)) {
    const v = m[0].toLowerCase();
    if (set.has(v)) out.push(v);
  }
}
function jsMatchObject(set, o, out) {
  if (typeof o === "string") jsMatchText(set, o, out);
  else if (o && typeof o === "object") for (const k in o) jsMatchObject(set, o[k], out);
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `ours` and `theirs` alternately, RUNS timed runs each after a warm-up: rates of `count` items per second. */
function race(count, ours, theirs) {
  ours();
  theirs();
  const rates = [[], []];
  const found = [];
  for (let i = 0; i < RUNS; i++) {
    for (const k of i % 2 ? [1, 0] : [0, 1]) {
      const t = performance.now();
      found[k] = (k ? theirs : ours)();
      rates[k].push(count / ((performance.now() - t) / 1000));
    }
  }
  return rates.map((xs, k) => ({ perSec: median(xs), min: Math.min(...xs), max: Math.max(...xs), found: found[k] }));
}

// after a tick: values passed into a wasm call stay reachable until the call's turn ends
const mem = async () => {
  await new Promise((r) => setTimeout(r, 50));
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

async function child(mode) {
  const lib = await import("../pkg/index.node.js");
  let keep;
  const m0 = await mem();
  const t0 = performance.now();
  if (mode === "js") {
    keep = new Set(indicators().map((v) => v.toLowerCase()));
  } else if (mode === "ours") {
    keep = new lib.IndicatorSet();
    keep.addMany(indicators());
  } else if (mode === "snapshot") {
    // what a Worker does: load a snapshot built elsewhere
    const a = new lib.IndicatorSet();
    a.addMany(indicators());
    const bytes = a.toBytes();
    a.free();
    return { bytes: bytes.length, note: "size only" };
  }
  const ms = performance.now() - t0;
  const m1 = await mem();
  // the first match builds the set's prefilter (anchors.rs): memory a matching Worker holds too
  const matched = mode === "ours" ? (keep.matchText("beacon to evil.example.com"), (await mem()) - m0) : null;
  return { bytes: m1 - m0, matched, ms, size: keep.size, heapBytes: keep.heapBytes ?? null };
}

async function loadChild() {
  // fromBytes in a fresh process: memory after load only (snapshot file written by main)
  const lib = await import("../pkg/index.node.js");
  const bytes = readFileSync(process.env.SNAPSHOT);
  const m0 = await mem();
  const t0 = performance.now();
  const s = lib.IndicatorSet.fromBytes(bytes);
  const ms = performance.now() - t0;
  const m1 = await mem();
  return { bytes: m1 - m0, ms, size: s.size, heapBytes: s.heapBytes };
}

async function main() {
  const run = (mode, env = {}) => JSON.parse(execFileSync(process.execPath, ["--expose-gc", new URL(import.meta.url).pathname, mode], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 20 }));
  const js = run("js");
  const ours = run("ours");
  const lib = await import("../pkg/index.node.js");
  const values = indicators();
  const set = new lib.IndicatorSet();
  let t0 = performance.now();
  set.addMany(values);
  const buildMs = performance.now() - t0;
  t0 = performance.now();
  const bytes = set.toBytes();
  const toBytesMs = performance.now() - t0;
  const { writeFileSync, mkdirSync } = await import("node:fs");
  mkdirSync(`${root}bench/out`, { recursive: true });
  const snapPath = `${root}bench/out/indicator-set.snapshot`;
  writeFileSync(snapPath, bytes);
  const loaded = run("load", { SNAPSHOT: snapPath });

  // has(): half hits, half misses, through the boundary vs Set.has
  const jsSet = new Set(values.map((v) => v.toLowerCase()));
  const misses = indicators(200_000, 99).map((v) => v.replace(/^./, "z"));
  const probes = [];
  for (let i = 0; i < 200_000; i++) probes.push(i % 2 ? misses[i] : values[(i * 4099) % values.length]);
  const has = race(probes.length, () => probes.reduce((n, p) => n + set.has(p), 0), () => probes.reduce((n, p) => n + jsSet.has(p.toLowerCase()), 0));

  // batch matching over log events
  const events = logEvents(values, 20_000);
  const lines = events.map((e) => JSON.stringify(e));
  const B = 1000;
  const jsText = () => lines.reduce((n, l) => { const o = []; jsMatchText(jsSet, l, o); return n + o.length; }, 0);
  const jsObjects = () => events.reduce((n, e) => { const o = []; jsMatchObject(jsSet, e, o); return n + o.length; }, 0);
  const matchText = race(events.length, () => lines.reduce((n, l) => n + set.matchText(l).length, 0), jsText);
  const matchLines = race(events.length, () => {
    let n = 0;
    for (let i = 0; i < lines.length; i += B) for (const r of set.matchLines(lines.slice(i, i + B))) n += r.length;
    return n;
  }, jsText);
  const matchObjects = race(events.length, () => {
    let n = 0;
    for (let i = 0; i < events.length; i += B) for (const r of set.matchObjects(events.slice(i, i + B))) n += r.length;
    return n;
  }, jsObjects);
  return {
    indicators: values.length, size: set.size, buildMs, toBytesMs, snapshotBytes: bytes.length,
    memory: { js, ours, loaded },
    // each: [ours, baseline], rates per second (median of RUNS timed runs, min, max)
    has, matchText, matchLines, matchObjects,
  };
}

const mode = import.meta.url.endsWith(process.argv[1]) ? process.argv[2] : "lib";
const out = mode === "lib" ? null : mode === "load" ? await loadChild() : mode ? await child(mode) : await main();
if (out) console.log(JSON.stringify(out));

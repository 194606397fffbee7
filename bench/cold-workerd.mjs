// Bench row 6 in workerd: a fresh workerd (Miniflare) per run — start, load the Worker (the .wasm
// is a compiled module import, instantiated at load), answer the first request — for a Worker on
// each entry point and for an empty Worker. Timed from Node: inside workerd the clock only moves on
// I/O. The difference to the empty Worker is what the package adds to a cold start. The Worker
// runs as the workerd test suites run theirs (tests/js/workerd.mjs).
import { testWorker } from "../tests/js/workerd.mjs";

async function coldStart(script) {
  const t0 = performance.now();
  const mf = testWorker(`bench/workers/${script}`);
  try {
    const body = await (await mf.dispatchFetch("http://localhost/")).text();
    if (!body) throw new Error(`${script}: empty answer`);
    return performance.now() - t0;
  } finally {
    await mf.dispose();
  }
}

export async function workerdColdRows(runs) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const spread = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const t = { "full.mjs": [], "sekoia.mjs": [], "ioc.mjs": [], "empty.mjs": [] };
  await coldStart("empty.mjs"); // warm the OS caches for workerd's binary
  for (let i = 0; i < runs; i++) {
    const order = ["full.mjs", "sekoia.mjs", "ioc.mjs", "empty.mjs"];
    for (const s of i % 2 ? order.reverse() : order) t[s].push(await coldStart(s));
  }
  const empty = median(t["empty.mjs"]);
  return [
    ["full.mjs", "cold start (workerd): start + load + first request, cti-edge"],
    ["sekoia.mjs", "cold start (workerd): start + load + first request, cti-edge/sekoia"],
    ["ioc.mjs", "cold start (workerd): start + load + first request, cti-edge/ioc"],
  ].map(([s, row]) => ({
    row,
    ratio: median(t[s]) / empty,
    detail: `${median(t[s]).toFixed(0)} ms (${spread(t[s])}) vs an empty Worker ${empty.toFixed(0)} ms (${spread(t["empty.mjs"])}): +${(median(t[s]) - empty).toFixed(0)} ms`,
  }));
}

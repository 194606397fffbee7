// The entry points besides the main one (`cti-edge/ioc`, `/sekoia`, `/networksage`, `/groupib`,
// each its own wasm module): the suites of each entry's scope in Node, in workerd (miniflare)
// and in headless Chromium, each through that entry's own loader, against one simulator.
import { chromium } from "playwright-core";
import { WebSocket as WS } from "ws";
import { startSimulator } from "../../sim/index.mjs";
import { startStaticServer } from "./static-server.mjs";
import { CHROMIUM, CHROMIUM_ARGS } from "../examples/lib.mjs";
import * as errors from "../../pkg/errors.js";
import { createRegistry, runTests } from "./harness.mjs";
import { ENTRIES, registerEntry } from "./suites/entries.mjs";
import { simControl } from "./sim-client.mjs";
import { report } from "./report.mjs";
import { testWorker } from "./workerd.mjs";

const only = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;
const sim = await startSimulator({ quiet: true });
const codes = [];
try {
  for (const name of Object.keys(ENTRIES)) {
    const lib = await import(`../../pkg/${name}/index.node.js`);
    const { tests, test } = createRegistry();
    registerEntry(test, name);
    console.log(`cti-edge/${name} in node ${process.version}: ${tests.length} tests`);
    const ctx = { lib, errors, sim: simControl(sim.url), runtime: "node", webSocketFactory: (url, init) => new WS(url, init) };
    codes.push(report(`${name}-node`, await runTests(tests, ctx, { only, log: console.log })));
  }

  const mf = testWorker("tests/js/entries-worker-entry.mjs");
  try {
    for (const name of Object.keys(ENTRIES)) {
      console.log(`cti-edge/${name} in workerd (miniflare)`);
      const q = new URLSearchParams({ entry: name, sim: sim.url, ...(only ? { only: only.source } : {}) });
      const summary = await (await mf.dispatchFetch(`http://localhost/?${q}`)).json();
      for (const l of summary.lines) console.log(l);
      delete summary.lines;
      codes.push(report(`${name}-workerd`, summary));
    }
  } finally {
    await mf.dispose();
  }

  const web = await startStaticServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", ...CHROMIUM_ARGS] });
  try {
    for (const name of Object.keys(ENTRIES)) {
      const page = await browser.newPage();
      page.on("console", (m) => m.type() === "log" && console.log(m.text()));
      page.on("pageerror", (e) => console.error("page error:", e.message));
      console.log(`cti-edge/${name} in chromium ${browser.version()}`);
      const q = new URLSearchParams({ entry: name, sim: sim.url, ...(only ? { only: only.source } : {}) });
      await page.goto(`${web.url}/tests/js/entry.html?${q}`);
      await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 300_000 });
      codes.push(report(`${name}-chromium`, await page.evaluate(() => window.__results)));
      await page.close();
    }
  } finally {
    await browser.close();
    await web.close();
  }
} finally {
  await sim.close();
}
process.exit(codes.length === 3 * Object.keys(ENTRIES).length && codes.every((c) => c === 0) ? 0 : 1);

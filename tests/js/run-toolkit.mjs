// `cti-edge/ioc` (the IOC toolkit built without the API clients): its suites in Node, in
// workerd (miniflare) and in headless Chromium, each through that entry point's own loader.
import { chromium } from "playwright-core";
import { startStaticServer } from "./static-server.mjs";
import { CHROMIUM, CHROMIUM_ARGS } from "../examples/lib.mjs";
import * as lib from "../../pkg/ioc/index.node.js";
import { createRegistry, runTests } from "./harness.mjs";
import { registerToolkit } from "./suites/toolkit.mjs";
import { report } from "./report.mjs";
import { testWorker } from "./workerd.mjs";

const { tests, test } = createRegistry();
registerToolkit(test);
console.log(`cti-edge/ioc in node ${process.version}: ${tests.length} tests`);
const node = report("toolkit-node", await runTests(tests, { lib, runtime: "node" }, { log: console.log }));

const mf = testWorker("tests/js/toolkit-worker-entry.mjs");
let workerd = 1;
try {
  console.log("cti-edge/ioc in workerd (miniflare)");
  const summary = await (await mf.dispatchFetch("http://localhost/")).json();
  for (const l of summary.lines) console.log(l);
  delete summary.lines;
  workerd = report("toolkit-workerd", summary);
} finally {
  await mf.dispose();
}
const web = await startStaticServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", ...CHROMIUM_ARGS] });
let browserCode = 1;
try {
  const page = await browser.newPage();
  page.on("console", (m) => m.type() === "log" && console.log(m.text()));
  page.on("pageerror", (e) => console.error("page error:", e.message));
  console.log(`cti-edge/ioc in chromium ${browser.version()}`);
  await page.goto(`${web.url}/tests/js/toolkit.html`);
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 300_000 });
  browserCode = report("toolkit-chromium", await page.evaluate(() => window.__results));
} finally {
  await browser.close();
  await web.close();
}
process.exit(node || workerd || browserCode);

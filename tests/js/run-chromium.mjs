// Runs the JS suites in headless Chromium (Debian's, driven by playwright-core) against the
// browser entry (pkg/index.browser.js, .wasm fetched by URL) and a simulator.
import { chromium } from "playwright-core";
import { startSimulator } from "../../sim/index.mjs";
import { startStaticServer } from "./static-server.mjs";
import { report } from "./report.mjs";
import { CHROMIUM, CHROMIUM_ARGS } from "../examples/lib.mjs";


const sim = await startSimulator({ quiet: true });
const web = await startStaticServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", ...CHROMIUM_ARGS] });
let code = 1;
try {
  const page = await browser.newPage();
  // Our own log lines only: the browser also reports every non-2xx response the tests provoke.
  page.on("console", (m) => m.type() === "log" && console.log(m.text()));
  page.on("pageerror", (e) => console.error("page error:", e.message));
  const only = process.env.ONLY ? `&only=${encodeURIComponent(process.env.ONLY)}` : "";
  console.log(`chromium ${browser.version()}: simulator ${sim.url}`);
  await page.goto(`${web.url}/tests/js/browser.html?sim=${encodeURIComponent(sim.url)}${only}`);
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 600_000 });
  code = report("chromium", await page.evaluate(() => window.__results));
} finally {
  await browser.close();
  await web.close();
  await sim.close();
}
process.exit(code);

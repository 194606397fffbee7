// The MV3 extension (examples/extension) loaded unpacked into Debian's Chromium (headless=new,
// playwright-core persistent context) against the simulator: settings from the popup, selection
// and whole-page lookups through content script → service worker → cti-edge, the popup's view
// (screenshot), a service-worker restart (init() again inside a handler), and errors.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../../sim/index.mjs";
import { startStaticServer } from "../js/static-server.mjs";
import { CHROMIUM, CHROMIUM_ARGS, ROOT, assert, checkSnippets, knownIocs, shotsDir, simApi, steps } from "./lib.mjs";

const EXT = ROOT + "examples/extension";
execFileSync(process.execPath, [EXT + "/build.mjs"], { stdio: "inherit" }); // copies pkg/ into vendor/

const T = steps("extension");
const sim = await startSimulator({ quiet: true });
const web = await startStaticServer();
const api = simApi(sim.url);
const shots = shotsDir();
const profile = mkdtempSync(join(tmpdir(), "cti-edge-ext-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: false, // "--headless=new" below: the old headless mode cannot load extensions
  ignoreDefaultArgs: ["--disable-extensions"],
  args: ["--headless=new", ...CHROMIUM_ARGS, `--disable-extensions-except=${EXT}`, `--load-extension=${EXT}`],
  viewport: { width: 1100, height: 800 },
});
context.setDefaultTimeout(15_000);
const pageErrors = [];
console.log(`extension: chromium ${context.browser()?.version() ?? ""}, simulator ${sim.url}`);

let sw;
let extId;
const swEval = (fn, arg) => sw.evaluate(fn, arg);

try {
  const iocs = await knownIocs(api);
  const dom = iocs["domain-name"];
  const ip = iocs["ipv4-addr"];
  const hash = iocs.file;
  // A web page with a threat report; served on loopback so the content script runs on it.
  const REPORT_URL = `${web.url}/examples/__report.html`;
  const selectionText = `The implant resolved ${dom.value.replace(/\./g, "[.]")} and connected to ${ip.value}.`;
  await context.route(REPORT_URL, (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html><title>Threat report: ${dom.threat}</title>
    <h1>Threat report</h1><p id="sel">${selectionText}</p>
    <p>Dropped file SHA-256 ${hash.value}; decoy contacted intranet-portal.example.org. See CVE-2023-4863.</p>` }));

  await T.step("the unpacked extension loads: its module service worker starts (no top-level await) and creates the menus", async () => {
    sw = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 10_000 }));
    extId = new URL(sw.url()).host;
    const manifest = JSON.parse(readFileSync(EXT + "/manifest.json", "utf8"));
    assert(manifest.content_security_policy.extension_pages.includes("'wasm-unsafe-eval'"), "CSP allows wasm");
    assert((await swEval(() => typeof self.ctiEdge.lookup)) === "function");
    // update() rejects for a menu item that does not exist
    await swEval(() => Promise.all(["cti-edge-selection", "cti-edge-page"].map((id) => chrome.contextMenus.update(id, {}))));
    return `id ${extId}`;
  }, { fatal: true });

  let popup;
  await T.step("popup: settings are saved to chrome.storage.local", async () => {
    popup = await context.newPage();
    popup.on("pageerror", (e) => pageErrors.push("popup: " + e.message));
    await popup.setViewportSize({ width: 420, height: 640 });
    await popup.goto(`chrome-extension://${extId}/popup.html`);
    await popup.waitForFunction(() => document.body.dataset.ready === "true");
    assert(await popup.locator("#settings-section").evaluate((d) => d.open), "settings open while no key is set");
    const { keys } = await api.info();
    await popup.fill("#base", `${sim.url}/sekoia`);
    await popup.fill("#key", keys.sekoia);
    await popup.click('#settings button[type="submit"]');
    await popup.waitForFunction(() => document.querySelector("#saved").textContent === "saved");
    const stored = await swEval(() => chrome.storage.local.get("settings"));
    assert(stored.settings.apiKey === keys.sekoia && stored.settings.baseUrl === `${sim.url}/sekoia`, JSON.stringify(stored));
  });

  const tab = await context.newPage();
  tab.on("pageerror", (e) => pageErrors.push("page: " + e.message));
  await tab.goto(REPORT_URL);
  const tabId = await swEval(async (url) => (await chrome.tabs.query({ url }))[0]?.id, REPORT_URL);

  await T.step("context menu on a selection: the content script sends the selection, the worker extracts and enriches it", async () => {
    await tab.evaluate(() => getSelection().selectAllChildren(document.getElementById("sel")));
    assert(tabId, "tab found");
    const t0 = Date.now();
    const r = await swEval(async (id) => self.ctiEdge.onMenuClick({ menuItemId: "cti-edge-selection", selectionText: "(menu text)" }, await chrome.tabs.get(id)), tabId);
    assert(r.status === "done", JSON.stringify(r.error));
    const values = r.iocs.map((i) => i.value);
    assert(values.includes(dom.value.toLowerCase()) && values.includes(ip.value), `selection IOCs: ${values}`);
    assert(!values.includes(hash.value), "only the selection, not the page");
    const d = r.iocs.find((i) => i.value === dom.value.toLowerCase());
    assert(d.status === "known" && d.summary.threats.some((t) => t.name === dom.threat), JSON.stringify(d));
    return `${values.length} IOCs in ${Date.now() - t0} ms`;
  });

  await T.step("popup shows the results (threats, sources, TLP) — screenshot", async () => {
    await popup.reload();
    await popup.waitForFunction(() => document.body.dataset.ready === "true");
    await popup.waitForSelector("#iocs li.known");
    const txt = await popup.locator("#iocs").innerText();
    assert(txt.includes(dom.threat) && /ESET Research/.test(txt) && /TLP:/.test(txt), txt);
    assert(/2 IOC\(s\) · 2 known/.test(await popup.locator("#summary").innerText()));
    await popup.locator("body").screenshot({ path: `${shots}extension-popup-selection.png` });
  });

  await T.step("popup “Scan this page”: the whole page's text, live updates while the worker looks up", async () => {
    await popup.goto(`chrome-extension://${extId}/popup.html?tabId=${tabId}`);
    await popup.waitForFunction(() => document.body.dataset.ready === "true");
    await popup.click("#scan");
    await popup.waitForFunction(() => /· 3 known/.test(document.querySelector("#summary").textContent) && !document.querySelector("#iocs li.pending"), null, { timeout: 20_000 });
    const rows = await popup.locator("#iocs li").evaluateAll((ls) => ls.map((l) => [l.dataset.value, l.className]));
    const cls = Object.fromEntries(rows);
    assert(cls[hash.value] === "known" && cls["intranet-portal.example.org"] === "unknown" && cls["CVE-2023-4863"] === "skipped", JSON.stringify(rows));
    await popup.locator("body").screenshot({ path: `${shots}extension-popup-page.png` });
    return `${rows.length} IOCs`;
  });

  await T.step("the service worker is stopped and wakes on the next message: init() runs again inside the handler", async () => {
    const cdp = await context.newCDPSession(popup);
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await new Promise((r) => setTimeout(r, 300));
    const res = await popup.evaluate((text) => chrome.runtime.sendMessage({ type: "cti-edge:lookup", text, source: { scope: "text", title: "after restart" } }), `ping ${ip.value}`);
    assert(res.ok && res.value.iocs[0].status === "known", JSON.stringify(res));
    sw = context.serviceWorkers().find((w) => w.url().includes(extId)) ?? (await context.waitForEvent("serviceworker"));
  });

  await T.step("errors reach the popup in plain words: a wrong key → check the API key", async () => {
    await swEval(() => chrome.storage.local.get("settings").then(({ settings }) => chrome.storage.local.set({ settings: { ...settings, apiKey: "wrong-key" } })));
    const r = await swEval((text) => self.ctiEdge.lookup(text, { scope: "text", title: "wrong key" }), `bad ${ip.value}`);
    assert(r.iocs[0].status === "failed" && r.iocs[0].error.kind === "AuthenticationError", JSON.stringify(r.iocs[0]));
    await popup.goto(`chrome-extension://${extId}/popup.html`);
    await popup.waitForSelector("#iocs li.failed");
    assert(/Check the API key/.test(await popup.locator("#iocs").innerText()));
    await popup.locator("body").screenshot({ path: `${shots}extension-popup-error.png` });
  });

  await T.step("IOC import: follows the task with keepalive when the build has it, else says it is not available", async () => {
    const f = await popup.evaluate(() => chrome.runtime.sendMessage({ type: "cti-edge:features" }));
    if (!f.value.import) {
      assert(await popup.locator("#import-unavailable").isVisible(), "not-available note shown");
      return "not in this build";
    }
    const { keys } = await api.info();
    await swEval((k) => chrome.storage.local.get("settings").then(({ settings }) => chrome.storage.local.set({ settings: { ...settings, apiKey: k } })), keys.sekoia);
    const { items } = await api.sekoia("v2/inthreat/ioc-collections", { limit: 1 });
    await swEval((text) => self.ctiEdge.lookup(text, { scope: "text", title: "import" }), `${ip.value} ${dom.value}`);
    await popup.goto(`chrome-extension://${extId}/popup.html`);
    await popup.waitForFunction(() => document.body.dataset.ready === "true");
    await popup.waitForSelector(`#import-collection option[value="${items[0].id}"]`, { state: "attached" });
    await popup.selectOption("#import-collection", items[0].id);
    await popup.click("#import-go");
    await popup.waitForFunction(() => /done/.test(document.querySelector("#import-label").textContent), null, { timeout: 15_000 });
    assert(/2 \/ 2 · done/.test(await popup.locator("#import-label").innerText()), await popup.locator("#import-label").innerText());
    const { importProgress } = await swEval(() => chrome.storage.session.get("importProgress"));
    assert(importProgress.status === "done" && importProgress.imported === 2, JSON.stringify(importProgress));
    await popup.locator("body").screenshot({ path: `${shots}extension-popup-import.png` });
  });

  await T.step("README snippets are verbatim from the extension's files", async () => `${checkSnippets("examples/extension/README.md")} snippet(s)`);

  await T.step("no uncaught error in the extension pages", async () => {
    assert(pageErrors.length === 0, pageErrors.join("; "));
  });
} finally {
  await context.close();
  await web.close();
  await sim.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(T.finish());

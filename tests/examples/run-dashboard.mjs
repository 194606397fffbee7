// The dashboard (www/) in Debian's Chromium driven by playwright-core, against the simulator:
// clicks through every panel and saves screenshots to test-artifacts/screenshots/dashboard-*.png.
import { chromium } from "playwright-core";
import { createServer } from "node:net";
import { startSimulator } from "../../sim/index.mjs";
import { startStaticServer } from "../js/static-server.mjs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS, ROOT, assert, checkSnippets, knownIocs, runnableSnippet, shotsDir, simApi, steps } from "./lib.mjs";

const T = steps("dashboard");
const sim = await startSimulator({ quiet: true });
const web = await startStaticServer();
const api = simApi(sim.url);
const shots = shotsDir();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless=new", ...CHROMIUM_ARGS] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
page.setDefaultTimeout(15_000);
const text = (sel) => page.locator(sel).innerText();
const shot = (name, sel) => (sel ? page.locator(sel).screenshot({ path: `${shots}dashboard-${name}.png` }) : page.screenshot({ path: `${shots}dashboard-${name}.png`, fullPage: true }));
const waitText = (sel, re, timeout = 15_000) => page.waitForFunction(([s, src]) => new RegExp(src).test(document.querySelector(s)?.innerText ?? ""), [sel, re.source], { timeout });
const total = async () => Number((await text("#feed-total")).replace(/,/g, ""));

console.log(`dashboard: chromium ${browser.version()}, simulator ${sim.url}, page ${web.url}/www/`);
try {
  const info = await api.info();
  const iocs = await knownIocs(api);

  await T.step("page loads, init() fetches the wasm, ?sim= connects with the simulator's key", async () => {
    await page.goto(`${web.url}/www/index.html?sim=${encodeURIComponent(sim.url)}`);
    // Element screenshots of tall panels scroll; a sticky header would be painted across them.
    await page.addStyleTag({ content: ".top { position: static !important; }" });
    await page.waitForFunction(() => document.body.dataset.ready);
    assert((await page.evaluate(() => document.body.dataset.ready)) === "true", "ready");
    await waitText("#conn-result", /Connected/);
    assert((await page.locator("#conn-status").getAttribute("class")).includes("pill-ok"));
    assert((await text("#version")).length > 0);
  }, { fatal: true });

  await T.step("feed: a full sync counts every object by type and shows the cursor", async () => {
    await page.click("#feed-sync");
    await waitText("#feed-state", /up to date/, 30_000);
    const n = await total();
    assert(n === info.counts.sekoia.objects, `total ${n} vs simulator ${info.counts.sekoia.objects}`);
    const cursor = await text("#feed-cursor");
    assert(!cursor.startsWith("none") && cursor.length > 10, `cursor ${cursor}`);
    const types = await page.locator("#feed-counts tr[data-type]").count();
    assert(types >= 5, `${types} types`);
    assert((await page.locator("#feed-recent tbody tr").count()) === 12);
    return `${n} objects, ${types} types`;
  });

  await T.step("feed: an incremental sync brings only what the simulator published since", async () => {
    const before = await total();
    const cursorBefore = await text("#feed-cursor");
    const { ids } = await api.append(5);
    await page.click("#feed-sync");
    await waitText("#feed-state", /up to date — 5 new/);
    assert((await total()) === before + 5, "total +5");
    assert((await text("#feed-cursor")) !== cursorBefore, "cursor moved");
    const recent = await page.locator("#feed-recent tbody tr td.name").evaluateAll((tds) => tds.map((td) => td.title));
    assert(ids.every((id) => recent.includes(id)), "the 5 new indicators are listed as recent");
    await shot("feed", "#feed");
  });

  await T.step("feed: the cursor survives a reload (localStorage) — the next sync finds nothing new", async () => {
    const before = await total();
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    await page.addStyleTag({ content: ".top { position: static !important; }" });
    assert((await total()) === before, "counts restored");
    await page.click("#feed-sync");
    await waitText("#feed-state", /up to date — 0 new/);
  });

  await T.step("feed: follow mode picks up objects published while it is on", async () => {
    const before = await total();
    await page.check("#feed-follow");
    await waitText("#feed-state", /following/);
    await api.append(3);
    await page.waitForFunction((n) => Number(document.querySelector("#feed-total").innerText.replace(/,/g, "")) >= n, before + 3, { timeout: 12_000 });
    await page.uncheck("#feed-follow");
    await waitText("#feed-state", /stopped following/);
  });

  const report = [
    "Incident 2026-11-25 — phishing wave, summary for the SOC.",
    `The lure linked to ${iocs.url ? iocs.url.value.replace(/^http/, "hxxp").replace(/\./g, "[.]") : "hxxp://unknown[.]example/x"} and the dropper beaconed to ${iocs["domain-name"].value.replace(/\./g, "[.]")}.`,
    `C2 fallback: ${iocs["ipv4-addr"]?.value ?? "203.0.113.9"} (port 443). Payload SHA-1/256: ${iocs.file.value}.`,
    "Unrelated host seen in the same logs: intranet-portal.example.org. Exploit used: CVE-2023-4863.",
  ].join("\n");

  await T.step("IOC lookup: extracted IOCs are highlighted at their UTF-16 offsets (defanged ones too)", async () => {
    await page.fill("#lookup-text", report);
    await page.click("#lookup-go");
    await page.waitForFunction(() => document.querySelectorAll(".ioc-card.pending").length === 0 && document.querySelectorAll(".ioc-card").length > 0, null, { timeout: 20_000 });
    const marks = await page.locator("#lookup-highlight mark").evaluateAll((ms) => ms.map((m) => ({ text: m.textContent, key: m.dataset.key })));
    assert(marks.length >= 5, `${marks.length} marks`);
    const raw = await page.locator("#lookup-highlight").innerText();
    assert(raw === report, "the highlighted view keeps the text intact");
    assert(marks.some((m) => m.text.includes("[.]") && m.key.startsWith("domain|")), "a defanged domain is highlighted as written");
    assert(marks.some((m) => m.key === "cve|CVE-2023-4863"), "CVE highlighted");
  });

  await T.step("IOC lookup: known IOCs show indicator, threats, sources and TLP; unknown ones say so", async () => {
    const dom = iocs["domain-name"];
    const card = page.locator(`.ioc-card[data-key="domain|${dom.value.toLowerCase()}"]`);
    assert((await card.getAttribute("class")).includes("known"), "domain card known");
    const body = await card.innerText();
    assert(body.includes(dom.threat), `threat ${dom.threat} in ${body}`);
    assert(/ESET Research/.test(body), "source named");
    assert(/TLP:/.test(body), "marking shown");
    const hash = await page.locator(`.ioc-card[data-key$="|${iocs.file.value}"]`).innerText();
    assert(hash.includes(iocs.file.threat), "hash card names its threat");
    const unknown = page.locator('.ioc-card[data-key="domain|intranet-portal.example.org"]');
    assert((await unknown.getAttribute("class")).includes("unknown"), "unknown domain");
    assert((await page.locator('.ioc-card[data-key="cve|CVE-2023-4863"]').count()) === 1, "CVE card");
    const st = await text("#lookup-state");
    assert(/4 known, 1 unknown$/.test(st), st);
    assert((await page.locator('.ioc-card[data-key="cve|CVE-2023-4863"]').innerText()).includes("no Intelligence Center lookup"), "CVE: no lookup");
    await shot("lookup", "#lookup");
    return await text("#lookup-state");
  });

  const canImport = await page.evaluate(() => !document.querySelector("#import-body").hidden);
  const canSearch = await page.evaluate(() => !document.querySelector("#search-body").hidden);

  await T.step(`IOC import panel: ${canImport ? "imports with a live progress bar" : "says it is not available in this build"}`, async () => {
    if (!canImport) {
      assert(await page.locator("#import-unavailable").isVisible());
      assert(/Not available in this build/.test(await text("#import-unavailable")));
    } else {
      await page.waitForFunction(() => document.querySelectorAll("#import-collection option").length > 0);
      const lines = Array.from({ length: 3000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.7`).concat(["not-an-ioc", "198.51.100.0/24"]);
      // (page.fill types 40 KB far too slowly here; a paste sets the value at once)
      await page.locator("#import-text").evaluate((el, v) => { el.value = v; el.dispatchEvent(new Event("input")); }, lines.join("\n"));
      await page.click("#import-go");
      await page.waitForFunction(() => { const w = parseFloat(document.querySelector("#import-bar").style.width); return w > 0 && w < 100; }, null, { timeout: 10_000 });
      await waitText("#import-state", /done/, 20_000);
      const st = await text("#import-state");
      assert(/done: 3,000 imported · 2 line\(s\) refused/.test(st), st);
    }
    await shot("import", "#import");
  });

  await T.step(`event search panel: ${canSearch ? "job progress, then paged results" : "says it is not available in this build"}`, async () => {
    if (!canSearch) {
      assert(/Not available in this build/.test(await text("#search-unavailable")));
    } else {
      await page.fill("#search-term", "event.category:network");
      await page.click("#search-go");
      await waitText("#search-label", /done/, 20_000);
      assert((await page.locator("#search-results tbody tr").count()) === 20, "a page of 20 events");
      await page.click("#search-next");
      await waitText("#search-page", /page 2/);
    }
    await shot("search", "#search");
  });

  await T.step("errors: a 429 with a long Retry-After says when to retry", async () => {
    await api.chaos({ path: "/sekoia/api/v2/inthreat/indicators/context" }, { status: 429, retryAfter: "600" }, 20);
    await page.fill("#lookup-text", `beacon to ${iocs["domain-name"].value}`);
    await page.click("#lookup-go");
    await page.waitForSelector('#lookup-error .error[data-kind="RateLimitError"]');
    const msg = await text("#lookup-error");
    assert(/rate-limited/.test(msg) && /Retry in 600 s/.test(msg), msg);
    await api.clearChaos();
    await shot("error-ratelimit", "#lookup");
  });

  await T.step("errors: a wrong key says to check the API key; pasted settings stay out of the URL", async () => {
    await page.fill("#conn-base", `${sim.url}/sekoia`);
    await page.fill("#conn-key", "not-the-right-key");
    await page.click('#conn-form button[type="submit"]');
    await page.waitForSelector('#conn-result .error[data-kind="AuthenticationError"]');
    assert(/Check the API key/.test(await text("#conn-result")));
    assert(!page.url().includes("not-the-right-key"), "key not in the URL");
    const saved = await page.evaluate(() => sessionStorage.getItem("cti-edge-dashboard:connection"));
    assert(saved && saved.includes("not-the-right-key"), "kept in sessionStorage");
    await shot("error-auth", "#settings");
  });

  await T.step("errors: an unreachable server asks whether the simulator is running", async () => {
    const port = await new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
    await page.fill("#conn-base", `http://127.0.0.1:${port}/sekoia`);
    await page.fill("#conn-key", "whatever");
    await page.click('#conn-form button[type="submit"]');
    await page.waitForSelector('#conn-result .error[data-kind="NetworkError"]', { timeout: 20_000 });
    assert(/Is the simulator running/.test(await text("#conn-result")));
    await shot("error-network", "#settings");
  });

  await T.step("connection: Forget returns to the simulator from ?sim=", async () => {
    await page.click("#conn-forget");
    await page.waitForFunction(() => /simulator/.test(document.querySelector("#conn-source").innerText));
    assert(!(await page.evaluate(() => sessionStorage.getItem("cti-edge-dashboard:connection"))), "forgotten");
    await page.click("#conn-check");
    await waitText("#conn-result", /Connected/);
    await page.fill("#lookup-text", report);
    await page.click("#lookup-go");
    await waitText("#lookup-state", /4 known, 1 unknown$/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("overview");
  });

  await T.step("README: the smallest page (www/minimal.html) finds and looks up IOCs", async () => {
    const p = await context.newPage();
    p.on("pageerror", (e) => pageErrors.push("minimal: " + e.message));
    const t = `seen: ${iocs["domain-name"].value.replace(/\./g, "[.]")} and 192.0.2.1`;
    await p.goto(`${web.url}/www/minimal.html?sim=${encodeURIComponent(sim.url)}&text=${encodeURIComponent(t)}`);
    await p.waitForFunction(() => document.getElementById("out").textContent !== "loading…");
    const out = await p.locator("#out").innerText();
    assert(out.includes(`domain ${iocs["domain-name"].value.toLowerCase()} (UTF-16 6–`) && out.includes(iocs["domain-name"].threat), out);
    assert(/ipv4 192\.0\.2\.1 .*unknown/.test(out), out);
    await p.close();
  });

  await T.step("README: the Node snippet runs as written, and its second run is incremental", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cti-edge-node-"));
    try {
      const code = runnableSnippet("www/README.md", "node").replace('from "cti-edge"', `from ${JSON.stringify(ROOT + "pkg/index.node.js")}`);
      writeFileSync(join(dir, "snippet.mjs"), code);
      const env = { ...process.env, SEKOIA_API_KEY: info.keys.sekoia, SEKOIA_BASE_URL: `${sim.url}/sekoia` };
      // async: the simulator answering the snippet lives in this process
      const run = async () => (await promisify(execFile)(process.execPath, ["snippet.mjs"], { cwd: dir, env, encoding: "utf8", timeout: 30_000 })).stdout;
      const first = await run();
      const counts = JSON.parse(/type: (\{.*\})/.exec(first)[1]);
      assert(Object.values(counts).reduce((a, b) => a + b, 0) > 5000, first);
      assert(/ipv4 141\.255\.166\.187: known/.test(first) && /domain intranet-portal\.example\.org: unknown/.test(first), first);
      await api.append(6);
      const second = await run();
      const c2 = JSON.parse(/type: (\{.*\})/.exec(second)[1]);
      assert(Object.values(c2).reduce((a, b) => a + b, 0) === 6, second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  await T.step("README snippets are verbatim from the tested files", async () => `${checkSnippets("www/README.md")} snippet(s)`);

  await T.step("no uncaught page error", async () => {
    assert(pageErrors.length === 0, pageErrors.join("; "));
  });
} finally {
  await browser.close();
  await web.close();
  await sim.close();
}
process.exit(T.finish());

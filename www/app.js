// The cti-edge dashboard: a static page that uses the package's browser entry directly.
// Everything runs in the page: the wasm client talks to the Sekoia API (or the simulator).
import { init, Sekoia, extractIocs, webStorageCursorStore, version } from "../pkg/index.browser.js";
import { explainError } from "./explain.js";
import { summariseContext, canLookUp } from "./summary.js";
import { importApi, canSearchEvents } from "./features.js";

const $ = (id) => document.getElementById(id);
const SESSION_KEY = "cti-edge-dashboard:connection";
const LOCAL_PREFIX = "cti-edge-dashboard:";
const FEED_PAGE = 1000;

const state = { conn: null, sekoia: null, following: null, syncing: false };

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function showError(slotId, e, what) {
  const x = explainError(e, what);
  const slot = $(slotId);
  slot.replaceChildren(h("div", { class: "error", "data-kind": x.kind, role: "alert" },
    h("strong", { text: x.title }), h("p", { text: x.detail }), h("p", { class: "action", text: "→ " + x.action })));
  console.warn(what, e);
}
const clearError = (slotId) => $(slotId).replaceChildren();
const fmtDate = (s) => (s ? String(s).replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—");
const short = (s, n) => (s && s.length > n ? s.slice(0, n - 1) + "…" : s ?? "");

// ---------------------------------------------------------------------------------------------
// Connection: ?sim=<url> (keys from <sim>/__sim/info), or a base URL + key pasted by the user and
// kept in sessionStorage (never in the URL).

async function resolveConnection() {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  if (saved && saved.baseUrl && saved.apiKey) return { ...saved, source: "pasted settings (kept in this tab only)" };
  const sim = new URLSearchParams(location.search).get("sim");
  if (sim) {
    const base = sim.replace(/\/+$/, "");
    let info;
    try {
      info = await (await fetch(`${base}/__sim/info`)).json();
    } catch (e) {
      const err = Object.assign(new Error(`${base}/__sim/info did not answer (${e.message})`), { name: "NetworkError" });
      throw err;
    }
    return { baseUrl: base + (info.vendors?.sekoia ?? "/sekoia"), apiKey: info.keys.sekoia, source: `the simulator at ${base}`, sim: base };
  }
  return null;
}

function connect(conn) {
  state.conn = conn;
  state.sekoia?.free?.();
  // `live.authMessage`: a simulator-only LiveAPI affordance (a browser cannot set the WebSocket cookie).
  state.sekoia = conn ? new Sekoia({ apiKey: conn.apiKey, baseUrl: conn.baseUrl, retry: { limit: 2, baseDelayMs: 300 }, ...(conn.sim ? { live: { authMessage: true } } : {}) }) : null;
  $("conn-base").value = conn?.baseUrl ?? "";
  $("conn-key").value = conn?.apiKey ?? "";
  $("conn-source").textContent = conn ? `Using ${conn.source}.` : "Not connected: paste a base URL and an API key, or open this page with ?sim=<simulator URL>.";
  const pill = $("conn-status");
  pill.textContent = conn ? short(state.sekoia.baseUrl, 48) : "not connected";
  pill.className = "pill " + (conn ? "pill-ok" : "pill-muted");
  $("feed-id").textContent = conn ? `default feed ${Sekoia.DEFAULT_FEED_ID}` : "";
  renderFeedStored();
  setupOptionalPanels();
}

async function checkConnection() {
  clearError("conn-result");
  if (!state.sekoia) return;
  try {
    const r = await state.sekoia.request({ path: "/v1/auth/validate", timeoutMs: 10_000 });
    $("conn-result").replaceChildren(h("div", { class: "ok" }, `Connected — key accepted${r.data?.name ? ` (${r.data.name})` : ""}, ${r.attempts} attempt(s).`));
    $("conn-status").className = "pill pill-ok";
  } catch (e) {
    $("conn-status").className = "pill pill-bad";
    showError("conn-result", e, "Connection check");
  }
}

$("conn-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const baseUrl = $("conn-base").value.trim();
  const apiKey = $("conn-key").value.trim();
  if (!baseUrl || !apiKey) return showError("conn-result", { name: "ValidationError", field: baseUrl ? "API key" : "base URL", reason: "required" }, "Connection settings");
  const conn = { baseUrl, apiKey };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(conn));
  try {
    connect({ ...conn, source: "pasted settings (kept in this tab only)" });
  } catch (e) {
    sessionStorage.removeItem(SESSION_KEY);
    return showError("conn-result", e, "Connection settings");
  }
  checkConnection();
});
$("conn-check").addEventListener("click", checkConnection);
$("conn-forget").addEventListener("click", async () => {
  sessionStorage.removeItem(SESSION_KEY);
  clearError("conn-result");
  try {
    connect(await resolveConnection());
  } catch (e) {
    connect(null);
    showError("conn-result", e, "Reaching the simulator");
  }
});

// ---------------------------------------------------------------------------------------------
// Feed browser: incremental sync with a cursor kept in localStorage (per server), counts per type,
// the most recent objects, follow mode.

const feedKey = () => `${LOCAL_PREFIX}${state.sekoia.baseUrl}:`;
const feedStore = () => webStorageCursorStore(localStorage, feedKey());
const storeKey = () => `sekoia:feed:${Sekoia.DEFAULT_FEED_ID}`;

function loadFeedMeta() {
  return JSON.parse(localStorage.getItem(feedKey() + "meta") || "null") ?? { counts: {}, recent: [], total: 0, lastSync: null };
}
function saveFeedMeta(meta) {
  localStorage.setItem(feedKey() + "meta", JSON.stringify(meta));
}

function renderFeedStored() {
  if (!state.sekoia) return;
  renderFeed(loadFeedMeta(), localStorage.getItem(feedKey() + storeKey()));
}

function renderFeed(meta, cursor) {
  let entries = Object.entries(meta.counts).sort((a, b) => b[1] - a[1]);
  if (entries.length > 12) {
    const rest = entries.slice(11);
    entries = [...entries.slice(0, 11), [`${rest.length} other types`, rest.reduce((a, e) => a + e[1], 0)]];
  }
  const max = Math.max(1, ...entries.map((e) => e[1]));
  const body = entries.length
    ? entries.map(([type, n]) => h("tr", { "data-type": type }, h("td", { class: "type" }, h("span", { class: `badge t-${type}`, text: type })), h("td", { class: "num", text: n.toLocaleString("en") }),
      h("td", { class: "barcell" }, h("div", { class: "minibar", style: `width:${Math.max(2, (100 * n) / max).toFixed(1)}%` }))))
    : [h("tr", {}, h("td", { class: "empty", text: "Nothing synced yet — press “Sync now”." }))];
  if (entries.length) body.push(h("tr", { class: "total" }, h("td", { text: "total" }), h("td", { class: "num", id: "feed-total", text: meta.total.toLocaleString("en") }), h("td")));
  $("feed-counts").tBodies[0].replaceChildren(...body);
  $("feed-cursor").textContent = cursor ?? "none (the next sync starts from the beginning)";
  $("feed-last").textContent = meta.lastSync ? `Last sync ${new Date(meta.lastSync.at).toLocaleTimeString()}: ${meta.lastSync.received} new object(s) in ${meta.lastSync.pages} page(s), ${meta.lastSync.ms} ms.` : "";
  const rows = meta.recent.map((o) => h("tr", {}, h("td", {}, h("span", { class: `badge t-${o.type}`, text: o.type })), h("td", { class: "name", title: o.id, text: short(o.name, 60) }), h("td", { class: "date", text: fmtDate(o.modified) })));
  $("feed-recent").tBodies[0].replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 3, class: "empty", text: "—" }))]));
}

function nameOf(o) {
  return o.name ?? o.value ?? (o.type === "relationship" ? `${o.source_ref?.split("--")[0]} ${o.relationship_type} ${o.target_ref?.split("--")[0]}` : o.id);
}

async function runFeed({ follow }) {
  if (!state.sekoia) return showError("feed-error", { name: "ValidationError", field: "connection", reason: "not connected" }, "Feed sync");
  clearError("feed-error");
  const ac = new AbortController();
  if (follow) state.following = ac;
  state.syncing = true;
  $("feed-sync").disabled = true;
  const meta = loadFeedMeta();
  const t0 = performance.now();
  let received = 0;
  let pages = 0;
  $("feed-state").textContent = follow ? "following…" : "syncing…";
  $("feed-state").className = "state busy";
  try {
    const it = state.sekoia.feed().pages({ limit: FEED_PAGE, store: feedStore(), follow: follow ? { intervalMs: 5000 } : false, signal: ac.signal });
    for await (const page of it) {
      pages += 1;
      received += page.items.length;
      for (const o of page.items) meta.counts[o.type] = (meta.counts[o.type] ?? 0) + 1;
      meta.total += page.items.length;
      if (page.items.length) {
        const fresh = page.items.slice(-12).reverse().map((o) => ({ id: o.id, type: o.type, name: nameOf(o), modified: o.modified }));
        meta.recent = [...fresh, ...meta.recent].slice(0, 12);
      }
      meta.lastSync = { at: Date.now(), received, pages, ms: Math.round(performance.now() - t0) };
      saveFeedMeta(meta);
      renderFeed(meta, it.cursor ?? page.cursor);
      $("feed-state").textContent = `${follow ? "following" : "syncing"}: ${received.toLocaleString("en")} object(s), page ${pages}${page.last ? " (up to date)" : ""}`;
    }
    renderFeed(meta, it.cursor);
    $("feed-state").textContent = `up to date — ${received.toLocaleString("en")} new object(s)`;
    $("feed-state").className = "state done";
  } catch (e) {
    if (e?.name === "AbortError") {
      $("feed-state").textContent = "stopped following";
      $("feed-state").className = "state";
    } else {
      $("feed-state").textContent = "failed";
      $("feed-state").className = "state bad";
      showError("feed-error", e, "Feed sync");
    }
  } finally {
    state.syncing = false;
    if (state.following === ac) state.following = null;
    $("feed-sync").disabled = false;
    $("feed-follow").checked = !!state.following;
  }
}

$("feed-sync").addEventListener("click", () => runFeed({ follow: false }));
$("feed-follow").addEventListener("change", (ev) => {
  if (ev.target.checked) runFeed({ follow: true });
  else state.following?.abort();
});
$("feed-reset").addEventListener("click", () => {
  if (!state.sekoia) return;
  state.following?.abort();
  localStorage.removeItem(feedKey() + storeKey());
  localStorage.removeItem(feedKey() + "meta");
  $("feed-state").textContent = "cursor forgotten: the next sync is a full one";
  renderFeedStored();
});

// ---------------------------------------------------------------------------------------------
// IOC lookup: extractIocs (UTF-16 offsets → highlights), then indicatorContext per distinct IOC.

function renderHighlight(text, iocs) {
  const box = $("lookup-highlight");
  const parts = [];
  let at = 0;
  for (const ioc of [...iocs].sort((a, b) => a.start - b.start)) {
    if (ioc.start < at) continue;
    parts.push(text.slice(at, ioc.start));
    const key = `${ioc.type}|${ioc.value}`;
    parts.push(h("mark", { class: `ioc t-${ioc.type}`, "data-key": key, title: `${ioc.type}: ${ioc.value}${ioc.defanged ? " (defanged)" : ""}`, text: text.slice(ioc.start, ioc.end) }));
    at = ioc.end;
  }
  parts.push(text.slice(at));
  box.replaceChildren(...parts);
  box.hidden = false;
  for (const m of box.querySelectorAll("mark")) m.addEventListener("click", () => document.querySelector(`.ioc-card[data-key="${CSS.escape(m.dataset.key)}"]`)?.scrollIntoView({ behavior: "smooth", block: "center" }));
}

function iocCard(ioc, key) {
  return h("article", { class: `ioc-card ${canLookUp(ioc) ? "pending" : "skipped"}`, "data-key": key },
    h("header", {}, h("span", { class: `badge t-${ioc.type}`, text: ioc.type }), h("code", { class: "value", text: ioc.value }), h("span", { class: "verdict", text: canLookUp(ioc) ? "looking up…" : "no Intelligence Center lookup for this type" })),
    h("div", { class: "body" }));
}

function fillCard(card, ctx) {
  const s = summariseContext(ctx);
  card.classList.remove("pending");
  const verdict = card.querySelector(".verdict");
  const body = card.querySelector(".body");
  if (!s.known) {
    card.classList.add("unknown");
    verdict.textContent = "not in the Intelligence Center";
    body.replaceChildren(h("p", { class: "hint", text: "No indicator matches this value. That is not proof it is benign." }));
    return;
  }
  card.classList.add("known");
  const ind = s.indicator;
  verdict.textContent = `${s.active ? "KNOWN — active" : ind.revoked ? "KNOWN — revoked" : "KNOWN — expired"} · ${ind.types.join(", ") || "indicator"}`;
  verdict.className = "verdict " + (s.active ? "v-active" : "v-expired");
  const rows = [
    ["Indicator", `${short(ind.name, 70)}${s.indicatorCount > 1 ? ` (+${s.indicatorCount - 1} more)` : ""}`],
    ["Confidence", ind.confidence != null ? `${ind.confidence} / 100` : "—"],
    ["Valid", `${fmtDate(ind.validFrom).slice(0, 10)} → ${ind.validUntil ? fmtDate(ind.validUntil).slice(0, 10) : "open"}${ind.revoked ? " (revoked)" : ""}`],
    ["Kill chain", ind.killChain.join(", ") || "—"],
  ];
  const threats = s.threats.length
    ? h("div", { class: "chips" }, s.threats.map((t) => h("span", { class: `chip t-${t.type}`, title: t.aliases.join(", ") }, h("b", { text: t.name }), ` ${t.type} · ${t.rel}`)))
    : h("span", { class: "hint", text: "none linked" });
  body.replaceChildren(
    h("dl", {}, rows.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]),
      h("dt", { text: "Threats" }), h("dd", {}, threats),
      h("dt", { text: "Sources" }), h("dd", { class: "sources", text: [...s.sources, ...s.creators.map((c) => `created by ${c}`)].join(" · ") || "—" }),
      h("dt", { text: "Marking" }), h("dd", {}, s.markings.map((m) => h("span", { class: `tlp tlp-${m.replace(/^TLP:/, "").toLowerCase()}`, text: m })))),
    ind.description ? h("p", { class: "desc", text: short(ind.description, 220) }) : null,
    h("p", { class: "hint", text: `${s.bundles} context bundle(s), ${s.relationships} relationship(s)${s.hasMore ? ", more available" : ""}.` }));
}

async function runLookup() {
  clearError("lookup-error");
  const text = $("lookup-text").value;
  let iocs;
  try {
    iocs = extractIocs(text, { nested: false });
  } catch (e) {
    return showError("lookup-error", e, "IOC extraction");
  }
  renderHighlight(text, iocs);
  const unique = new Map();
  for (const i of iocs) if (!unique.has(`${i.type}|${i.value}`)) unique.set(`${i.type}|${i.value}`, i);
  const cards = $("lookup-results");
  cards.replaceChildren(...[...unique].map(([key, i]) => iocCard(i, key)));
  if (!unique.size) {
    $("lookup-state").textContent = "no IOC found in this text";
    return;
  }
  if (!state.sekoia) return showError("lookup-error", { name: "ValidationError", field: "connection", reason: "not connected: set a base URL and key first" }, "IOC lookup");
  const lookups = [...unique].filter(([, i]) => canLookUp(i));
  $("lookup-state").textContent = `${iocs.length} IOC occurrence(s), ${unique.size} distinct — looking up ${lookups.length}…`;
  $("lookup-state").className = "state busy";
  $("lookup-go").disabled = true;
  const failures = [];
  let known = 0;
  await Promise.all(lookups.map(async ([key, i]) => {
    const card = cards.querySelector(`.ioc-card[data-key="${CSS.escape(key)}"]`);
    try {
      const ctx = await state.sekoia.indicatorContext({ value: i.value, type: i.sekoiaType }, { timeoutMs: 15_000 });
      fillCard(card, ctx);
      if (card.classList.contains("known")) known += 1;
    } catch (e) {
      failures.push(e);
      card.classList.remove("pending");
      card.classList.add("failed");
      const x = explainError(e, "Lookup");
      card.querySelector(".verdict").textContent = x.title.replace(/^Lookup /, "");
      card.querySelector(".body").replaceChildren(h("p", { class: "action", text: "→ " + x.action }));
    }
  }));
  $("lookup-go").disabled = false;
  $("lookup-state").textContent = `${unique.size} distinct IOC(s): ${known} known, ${lookups.length - known - failures.length} unknown${failures.length ? `, ${failures.length} failed` : ""}`;
  $("lookup-state").className = "state " + (failures.length ? "bad" : "done");
  if (failures.length) showError("lookup-error", failures[0], `${failures.length} of ${lookups.length} lookup(s)`);
}
$("lookup-go").addEventListener("click", runLookup);

// ---------------------------------------------------------------------------------------------
// Optional panels: they light up when the package build has the API (feature detection).

function setupOptionalPanels() {
  const s = state.sekoia;
  const canImport = typeof Sekoia.prototype.importText === "function";
  $("import-unavailable").hidden = canImport;
  $("import-body").hidden = !canImport;
  if (canImport && s) loadCollections();
  const canSearch = canSearchEvents(Sekoia.prototype);
  $("search-unavailable").hidden = canSearch;
  $("search-body").hidden = !canSearch;
}

async function loadCollections() {
  try {
    const items = [];
    for await (const c of state.sekoia.listIocCollections({ limit: 50, maxItems: 50 })) items.push(c);
    $("import-collection").replaceChildren(...items.map((c) => h("option", { value: c.id, text: `${c.name} (${c.id.slice(0, 24)}…)` })));
  } catch (e) {
    showError("import-error", e, "Listing IOC collections");
  }
}

async function runImport() {
  clearError("import-error");
  const doImport = importApi(state.sekoia);
  const id = $("import-collection").value;
  const text = $("import-text").value;
  $("import-go").disabled = true;
  $("import-state").textContent = "checking and sending…";
  $("import-state").className = "state busy";
  const bar = $("import-bar");
  bar.style.width = "0%";
  $("import-label").textContent = "";
  try {
    const task = await doImport(id, text, { description: "imported from the cti-edge dashboard" });
    const refused = task.rejected.length ? ` · ${task.rejected.length} line(s) refused before sending (${task.rejected.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join("; ")}${task.rejected.length > 3 ? "; …" : ""})` : "";
    $("import-state").textContent = `${task.taskIds.length} task(s) running${refused}`;
    let last = { imported: 0, total: 0, tasks: task.taskIds.length, finishedTasks: 0 };
    for await (const p of task.progress()) {
      last = p;
      const pct = p.total ? Math.min(100, (100 * p.imported) / p.total) : p.done ? 100 : 0;
      bar.style.width = pct.toFixed(1) + "%";
      $("import-label").textContent = `${p.imported.toLocaleString("en")} / ${p.total.toLocaleString("en")} imported · task ${p.finishedTasks}/${p.tasks} done`;
    }
    bar.style.width = "100%";
    $("import-state").textContent = `done: ${last.imported.toLocaleString("en")} imported${refused}`;
    $("import-state").className = "state done";
  } catch (e) {
    $("import-state").textContent = "failed";
    $("import-state").className = "state bad";
    showError("import-error", e, "IOC import");
  } finally {
    $("import-go").disabled = false;
  }
}
$("import-go").addEventListener("click", runImport);

const search = { job: null, pages: [], iter: null, index: -1, done: false };

function renderEvents() {
  const page = search.pages[search.index] ?? [];
  $("search-results").tBodies[0].replaceChildren(...page.map((ev) => {
    const t = ev.timestamp ?? ev["@timestamp"] ?? ev.time ?? "";
    const preferred = ["event.dialect", "host.name", "user.name", "source.ip", "destination.ip", "destination.port", "url.domain"];
    const present = preferred.filter((k) => ev[k] != null);
    const keys = present.length ? present : Object.keys(ev).filter((k) => !["timestamp", "@timestamp", "time"].includes(k)).slice(0, 6);
    const fields = keys.map((k) => [k, ev[k]]);
    return h("tr", {}, h("td", { class: "date", text: fmtDate(typeof t === "number" ? new Date(t * (t < 1e12 ? 1000 : 1)).toISOString() : t) }),
      h("td", { class: "fields" }, fields.map(([k, v]) => h("span", { class: "kv" }, h("b", { text: k }), "=", short(typeof v === "string" ? v : JSON.stringify(v), 60)))));
  }));
  $("search-page").textContent = search.index >= 0 ? `page ${search.index + 1}${search.total != null ? ` · ${search.total.toLocaleString("en")} event(s)` : ""}` : "";
  $("search-prev").disabled = search.index <= 0;
  $("search-next").disabled = search.done && search.index >= search.pages.length - 1;
}

async function nextEventsPage() {
  if (search.index < search.pages.length - 1) {
    search.index += 1;
    return renderEvents();
  }
  const r = await search.iter.next();
  if (r.done || !r.value.items.length) {
    search.done = true;
  } else {
    search.pages.push(r.value.items);
    search.total = r.value.total ?? search.total;
    search.done = !!r.value.last;
    search.index += 1;
  }
  renderEvents();
}

async function runSearch() {
  clearError("search-error");
  $("search-go").disabled = true;
  const bar = $("search-bar");
  bar.style.width = "0%";
  Object.assign(search, { pages: [], index: -1, done: false, total: null });
  renderEvents();
  try {
    const job = await state.sekoia.searchEvents({ query: $("search-term").value, earliest: $("search-from").value, latest: $("search-to").value });
    search.job = job;
    $("search-label").textContent = "job queued…";
    const STATUS = ["queued", "running", "done", "canceled", "failed"];
    await job.wait({
      pollMs: 250,
      onProgress: (info) => {
        const pct = info.status >= 2 ? 100 : info.total ? (100 * (info.retrieved ?? 0)) / info.total : info.status === 1 ? 10 : 3;
        bar.style.width = Math.min(100, pct).toFixed(0) + "%";
        $("search-label").textContent = `${STATUS[info.status] ?? info.status} · ${(info.retrieved ?? 0).toLocaleString("en")}${info.total ? ` / ${info.total.toLocaleString("en")}` : ""} event(s) retrieved`;
      },
    });
    bar.style.width = "100%";
    const events = job.events({ limit: 20 });
    search.iter = events.pages ?? events;
    await nextEventsPage();
    $("search-label").textContent = `done${search.total != null ? `: ${search.total.toLocaleString("en")} event(s)` : ""}`;
  } catch (e) {
    showError("search-error", e, "Event search");
  } finally {
    $("search-go").disabled = false;
  }
}
$("search-go").addEventListener("click", runSearch);
$("search-next").addEventListener("click", () => nextEventsPage().catch((e) => showError("search-error", e, "Loading events")));
$("search-prev").addEventListener("click", () => {
  search.index = Math.max(0, search.index - 1);
  renderEvents();
});

// ---------------------------------------------------------------------------------------------

async function main() {
  try {
    await init();
  } catch (e) {
    showError("global-error", e, "Loading the WebAssembly module");
    document.body.dataset.ready = "error";
    return;
  }
  $("version").textContent = version();
  try {
    connect(await resolveConnection());
    if (state.sekoia) await checkConnection();
  } catch (e) {
    connect(null);
    showError("conn-result", e, "Reaching the simulator");
  }
  document.body.dataset.ready = "true";
}
main();

// The popup: shows the last lookup (chrome.storage.session, written by the service worker as it
// goes), starts a page scan, and keeps the connection settings in chrome.storage.local.
const $ = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) k === "text" ? (el.textContent = v) : k === "class" ? (el.className = v) : el.setAttribute(k, v);
  for (const c of children.flat()) if (c != null && c !== false) el.append(c);
  return el;
}

function errorBox(x) {
  return h("div", { class: "error", "data-kind": x.kind }, h("b", { text: x.title }), h("p", { text: x.detail }), h("p", { class: "action", text: "→ " + x.action }));
}

function verdictOf(i) {
  if (i.status === "pending") return "looking up…";
  if (i.status === "skipped") return "no lookup for this type";
  if (i.status === "failed") return "lookup failed";
  if (i.status === "unknown") return "not known";
  return i.summary.active ? "KNOWN · active" : "KNOWN · expired";
}

function render(r) {
  if (!r) return;
  const known = r.iocs.filter((i) => i.status === "known").length;
  $("source").replaceChildren(h("b", { text: { page: "Page: ", selection: "Selection on: ", shortcut: "Selection on: " }[r.source?.scope] ?? "Text: " }), r.source?.title || r.source?.url || "text", h("br"), h("span", { class: "small muted", text: r.source?.url ?? "" }));
  $("summary").textContent = `${r.iocs.length} IOC(s)${r.truncated ? " (first 50)" : ""} · ${known} known`;
  $("status").textContent = r.status === "running" ? "looking up…" : r.status === "failed" ? "failed" : "done";
  $("status").className = "status " + (r.status === "running" ? "busy" : r.status === "failed" ? "bad" : "ok");
  $("error").replaceChildren(...(r.error ? [errorBox(r.error)] : []));
  $("iocs").replaceChildren(...r.iocs.map((i) => {
    const s = i.summary;
    const details = [];
    if (s?.known) {
      if (s.threats.length) details.push(h("div", {}, s.threats.slice(0, 4).map((t) => h("span", { class: "chip", title: `${t.type} · ${t.rel}`, text: t.name }))));
      details.push(h("div", {}, [`${s.sources.join(", ") || "no source"}`, s.indicator.confidence != null ? ` · confidence ${s.indicator.confidence}` : "", s.indicator.validUntil ? ` · valid until ${s.indicator.validUntil.slice(0, 10)}` : " "],
        ...s.markings.map((m) => [" ", h("span", { class: `tlp tlp-${m.replace(/^TLP:/, "").toLowerCase()}`, text: m })])));
    }
    if (i.error) details.push(h("div", {}, `${i.error.title}. `, h("b", { text: i.error.action })));
    return h("li", { class: i.status, "data-value": i.value },
      h("div", { class: "line1" }, h("span", { class: "badge", text: i.type }), h("span", { class: "value", text: i.value }), h("span", { class: "verdict", text: verdictOf(i) })),
      details.length ? h("div", { class: "details" }, details) : null);
  }));
}

function renderImport(p) {
  if (!p) return;
  const pct = p.total ? (100 * p.imported) / p.total : p.status === "done" ? 100 : 0;
  $("import-bar").style.width = pct.toFixed(0) + "%";
  $("import-label").textContent = `${p.imported} / ${p.total}${p.invalid ? ` · ${p.invalid} invalid` : ""}${p.status === "done" ? " · done" : ""}`;
}

async function activeTabId() {
  const forced = new URLSearchParams(location.search).get("tabId"); // tests open the popup as a tab
  if (forced) return Number(forced);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

$("scan").addEventListener("click", async () => {
  $("status").textContent = "scanning…";
  $("status").className = "status busy";
  const res = await chrome.runtime.sendMessage({ type: "cti-edge:scan-tab", tabId: await activeTabId() });
  if (!res?.ok) $("error").replaceChildren(errorBox(res.error));
});

$("settings").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await chrome.storage.local.set({ settings: { baseUrl: $("base").value.trim(), apiKey: $("key").value.trim() } });
  $("saved").textContent = "saved";
});

$("import-go").addEventListener("click", async () => {
  const res = await chrome.runtime.sendMessage({ type: "cti-edge:import", collectionId: $("import-collection").value });
  if (!res?.ok) $("error").replaceChildren(errorBox(res.error));
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "session") return;
  if (changes.lastLookup) render(changes.lastLookup.newValue);
  if (changes.importProgress) renderImport(changes.importProgress.newValue);
});

(async () => {
  const { settings } = await chrome.storage.local.get("settings");
  $("base").value = settings?.baseUrl ?? "";
  $("key").value = settings?.apiKey ?? "";
  if (!settings?.apiKey) $("settings-section").open = true;
  const { lastLookup, importProgress } = await chrome.storage.session.get(["lastLookup", "importProgress"]);
  render(lastLookup);
  renderImport(importProgress);
  const f = await chrome.runtime.sendMessage({ type: "cti-edge:features" });
  const canImport = !!(f?.ok && f.value.import);
  $("import-unavailable").hidden = canImport;
  $("import-body").hidden = !canImport;
  if (canImport && settings?.apiKey) {
    const list = await chrome.runtime.sendMessage({ type: "cti-edge:collections" });
    if (list?.ok) $("import-collection").replaceChildren(...list.value.map((c) => h("option", { value: c.id, text: c.name })));
    else if (list) $("error").replaceChildren(errorBox(list.error));
  }
  document.body.dataset.ready = "true";
})();

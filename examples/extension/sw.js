// cti-edge MV3 service worker: finds IOCs in a selection or a page (the content script sends the
// text) and looks them up in the Sekoia Intelligence Center with the cti-edge package.
//
// No top-level await (MV3 service workers forbid it): the wasm is loaded by `init()` inside the
// handlers, from the packaged .wasm (chrome.runtime.getURL); init() is idempotent.
import { init, Sekoia, extractIocs } from "./vendor/cti-edge/index.browser.js";
import { explainError } from "./vendor/explain.js";
import { summariseContext, canLookUp } from "./vendor/summary.js";
import { importApi } from "./vendor/features.js";

const MENU_SELECTION = "cti-edge-selection";
const MENU_PAGE = "cti-edge-page";
const MAX_LOOKUPS = 50;

const ready = () => init(chrome.runtime.getURL("vendor/cti-edge/dist/cti_edge_bg.wasm"));

/** Settings live in chrome.storage.local: { baseUrl, apiKey } (set from the popup). */
async function client() {
  const { settings } = await chrome.storage.local.get("settings");
  if (!settings?.apiKey) throw Object.assign(new Error("no API key configured"), { name: "ValidationError", field: "API key", reason: "not set: open the extension popup → Settings" });
  await ready();
  // The simulator on loopback takes the LiveAPI key as a first message (a browser cannot set the
  // WebSocket cookie); `live` is ignored by builds without IOC imports.
  const sim = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(settings.baseUrl ?? "");
  return new Sekoia({ apiKey: settings.apiKey, baseUrl: settings.baseUrl || undefined, retry: { limit: 2 }, ...(sim ? { live: { authMessage: true } } : {}) });
}

/**
 * Keeps the service worker alive while `work` runs (Chrome stops an idle worker after 30 s;
 * any extension API call resets that timer), e.g. while an IOC import is being followed.
 */
async function keepAlive(work) {
  const timer = setInterval(() => chrome.runtime.getPlatformInfo(), 20_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

async function save(result) {
  await chrome.storage.session.set({ lastLookup: result });
}

/** Extracts IOCs from `text`, looks each distinct one up, stores progress for the popup. */
async function lookup(text, source) {
  const result = { at: Date.now(), source, status: "running", iocs: [], error: null, textLength: text.length };
  await save(result);
  try {
    await ready();
    const found = extractIocs(text, { dedupe: true, nested: false });
    result.iocs = found.slice(0, MAX_LOOKUPS).map((i) => ({ type: i.type, value: i.value, raw: i.raw, defanged: i.defanged, sekoiaType: i.sekoiaType ?? null, status: canLookUp(i) ? "pending" : "skipped" }));
    result.truncated = found.length > MAX_LOOKUPS;
    await save(result);
    await chrome.action.setBadgeText({ text: String(found.length || "") });
    if (!found.length) {
      result.status = "done";
      return result;
    }
    const sekoia = await client();
    await keepAlive(Promise.all(result.iocs.filter((i) => i.status === "pending").map(async (i) => {
      try {
        i.summary = summariseContext(await sekoia.indicatorContext({ value: i.value, type: i.sekoiaType }, { timeoutMs: 15_000 }));
        i.status = i.summary.known ? "known" : "unknown";
      } catch (e) {
        i.status = "failed";
        i.error = explainError(e, "Lookup");
      }
      await save(result);
    })));
    const known = result.iocs.filter((i) => i.status === "known").length;
    await chrome.action.setBadgeText({ text: known ? String(known) : "" });
    await chrome.action.setBadgeBackgroundColor({ color: known ? "#d92d20" : "#667085" });
    result.status = "done";
  } catch (e) {
    result.status = "failed";
    result.error = explainError(e, "IOC lookup");
  }
  await save(result);
  return result;
}

/** Asks the content script of a tab for its selection or its whole text. */
async function collect(tabId, scope) {
  const reply = await chrome.tabs.sendMessage(tabId, { type: "cti-edge:collect", scope });
  return reply?.text ?? "";
}

async function onMenuClick(info, tab) {
  const scope = info.menuItemId === MENU_PAGE ? "page" : "selection";
  let text = "";
  try {
    text = await collect(tab.id, scope);
  } catch {
    // No content script in this tab (chrome:// pages, the Web Store): the menu's own selection text.
  }
  if (!text && scope === "selection") text = info.selectionText ?? "";
  return lookup(text, { scope, title: tab.title ?? "", url: tab.url ?? "" });
}

/** Imports the IOCs of the last lookup into an IOC collection, following the task to the end. */
async function importLast(collectionId) {
  const { lastLookup } = await chrome.storage.session.get("lastLookup");
  const sekoia = await client();
  const doImport = importApi(sekoia);
  if (!doImport) throw Object.assign(new Error("IOC import is not available in this build of cti-edge"), { name: "ValidationError", field: "importText", reason: "not available in this build" });
  const text = (lastLookup?.iocs ?? []).map((i) => i.value).join("\n");
  const progress = { status: "running", imported: 0, total: 0, invalid: 0 };
  await chrome.storage.session.set({ importProgress: progress });
  return keepAlive((async () => {
    const task = await doImport(collectionId, text, { description: "imported from the cti-edge extension" });
    for await (const p of task.progress()) {
      Object.assign(progress, { imported: p.imported, total: p.total, invalid: task.rejected.length });
      await chrome.storage.session.set({ importProgress: progress });
    }
    progress.status = "done";
    await chrome.storage.session.set({ importProgress: progress });
    return progress;
  })());
}

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: MENU_SELECTION, title: "Look up IOCs in the selection", contexts: ["selection"] });
  chrome.contextMenus.create({ id: MENU_PAGE, title: "Look up IOCs on this page", contexts: ["page"] });
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  onMenuClick(info, tab);
});

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const reply = (p) => {
    p.then((v) => sendResponse({ ok: true, value: v }), (e) => sendResponse({ ok: false, error: explainError(e, "The extension") }));
    return true; // answer asynchronously
  };
  switch (msg?.type) {
    case "cti-edge:lookup": // from the content script (keyboard shortcut) or the popup
      return reply(lookup(String(msg.text ?? ""), msg.source ?? { scope: "text", title: sender.tab?.title ?? "", url: sender.tab?.url ?? "" }));
    case "cti-edge:scan-tab": // popup: "Scan this page"
      return reply((async () => {
        const tab = await chrome.tabs.get(msg.tabId);
        return onMenuClick({ menuItemId: MENU_PAGE }, tab);
      })());
    case "cti-edge:features":
      return reply((async () => {
        await ready();
        return { import: typeof Sekoia.prototype.importText === "function" };
      })());
    case "cti-edge:collections": // popup: the IOC collections to import into
      return reply((async () => {
        const sekoia = await client();
        const out = [];
        for await (const c of sekoia.listIocCollections({ limit: 50, maxItems: 50 })) out.push({ id: c.id, name: c.name });
        return out;
      })());
    case "cti-edge:import":
      return reply(importLast(msg.collectionId));
    default:
      return false;
  }
});

// For tests and debugging from the service worker's console: the same functions the listeners use.
self.ctiEdge = { lookup, onMenuClick, importLast };

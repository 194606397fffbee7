// cti-edge content script: hands the page's selection (or its whole text) to the service worker.
// Classic script (no imports); it never touches the page beyond reading text.
chrome.runtime.onMessage.addListener((msg, _sender, sendResponse) => {
  if (msg?.type !== "cti-edge:collect") return false;
  const selection = String(window.getSelection() ?? "");
  const text = msg.scope === "page" ? document.body?.innerText ?? "" : selection;
  sendResponse({ text, title: document.title, url: location.href });
  return false;
});

// Alt+Shift+L: look up the selection without the context menu.
document.addEventListener("keydown", (ev) => {
  if (!(ev.altKey && ev.shiftKey && ev.code === "KeyL")) return;
  const text = String(window.getSelection() ?? "") || document.body.innerText;
  chrome.runtime.sendMessage({ type: "cti-edge:lookup", text, source: { scope: "shortcut", title: document.title, url: location.href } });
});

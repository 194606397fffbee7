// Sekoia LiveAPI: the WebSocket plumbing behind `ImportTask.progress()` / `done()`.
// Every protocol decision (what a message means, counts, completion, reconnect delays) is
// asked of the Rust side (`proto` = LiveProtocol, `counter` = LiveImport, see
// src/core/live.rs); this file only moves bytes, timers and promises.
//
// Transports, picked per connection:
//  - `live.webSocket` factory given: factory(url, { headers: { Cookie } }) (e.g. Node's `ws`
//    package, which can set the cookie header);
//  - workerd (WebSocketPair exists): fetch(http url, { headers: { Upgrade, Cookie } }) then
//    resp.webSocket.accept();
//  - otherwise the global WebSocket (browsers, Node >= 22), which cannot set a Cookie: the
//    page's own cookies go along (a page on app.sekoia.io), or, with `live.authMessage`, the
//    simulator's first-message auth.
// The key never goes into a URL. One connection per client, shared by every import in
// flight; it closes when the last one is over (no timer outlives the work).
// Also here, as the Sekoia module's one snippet: the `iocCollections` view of a client.
import { makeError } from "./errors.js";

const error = (cls, message, props) => makeError(cls, message, { attempts: 0, ...props });

async function openSocket(url, cookie, factory) {
  if (factory) return { ws: factory(url, { headers: { Cookie: cookie } }), transport: "factory" };
  if (typeof WebSocketPair === "function" && typeof fetch === "function") {
    const resp = await fetch(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket", Cookie: cookie } });
    const ws = resp.webSocket;
    if (!ws) throw error("NetworkError", `LiveAPI upgrade refused (HTTP ${resp.status})`);
    ws.accept();
    return { ws, transport: "workerd-fetch", open: true };
  }
  if (typeof WebSocket === "function") return { ws: new WebSocket(url), transport: "global" };
  throw error("NetworkError", "this runtime has no WebSocket: pass live.webSocket (e.g. (url, init) => new (require('ws'))(url, init))");
}

/** Closes without surfacing anything (Node's `ws` emits "error" when closed while connecting). */
function closeQuietly(ws) {
  try {
    ws.addEventListener("error", () => {});
    ws.close(1000);
  } catch {}
}

class Hub {
  constructor(slot, url, key, proto) {
    this.slot = slot;
    this.url = url;
    this.cookie = `access_token_cookie=${key}`;
    this.key = key;
    this.proto = proto;
    this.subs = new Set();
    this.ws = null;
    this.gen = 0;
    this.attempt = 0;
    this.timer = null;
    this.keepalive = null;
    this.transport = null;
    this.connecting = false;
  }

  add(sub) {
    this.subs.add(sub);
    if (!this.ws && !this.timer && !this.connecting) this.connect();
  }

  remove(sub) {
    this.subs.delete(sub);
    if (this.subs.size === 0) this.stop();
  }

  stop() {
    this.gen += 1;
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    this.timer = this.keepalive = null;
    const ws = this.ws;
    this.ws = null;
    this.attempt = 0;
    if (ws) closeQuietly(ws);
  }

  send(ws, msg) {
    try {
      ws.send(JSON.stringify(msg));
    } catch {}
  }

  async connect() {
    const gen = ++this.gen;
    this.connecting = true;
    let s;
    try {
      s = await openSocket(this.url, this.cookie, this.slot.webSocket);
    } catch (e) {
      this.connecting = false;
      if (gen === this.gen) this.lost(null, e);
      return;
    }
    this.connecting = false;
    const ws = s.ws;
    if (gen !== this.gen || this.subs.size === 0) {
      closeQuietly(ws);
      return;
    }
    this.ws = ws;
    this.transport = s.transport;
    const onOpen = () => {
      if (this.ws !== ws) return;
      // With the cookie (or the page's session) the server knows us: ask for v2 messages at
      // once, as Sekoia's own client does. The sim-only first-message auth waits for the ack.
      if (this.slot.authMessage) this.send(ws, { action: "authenticate", token: this.key });
      else this.send(ws, { action: "upgrade" });
      clearInterval(this.keepalive);
      this.keepalive = setInterval(() => {
        if (typeof ws.ping === "function") ws.ping();
        else this.send(ws, { action: "ping" });
      }, this.proto.keepalive);
    };
    const onMessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== "string") return;
      this.attempt = 0;
      const ack = this.proto.ack(ev.data);
      if (ack === 0) {
        this.fail(error("AuthenticationError", "LiveAPI refused the credentials", { status: 401, serverMessage: "authenticated: false" }));
        return;
      }
      if (ack === 1 && this.slot.authMessage) this.send(ws, { action: "upgrade" });
      for (const sub of [...this.subs]) sub.message(ev.data);
    };
    const onLost = () => this.lost(ws);
    ws.addEventListener("open", onOpen);
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", onLost);
    ws.addEventListener("error", onLost);
    if (s.open || ws.readyState === 1) onOpen();
  }

  /** The socket closed or failed: reconnect after the Rust-chosen delay, or give up. */
  lost(ws, cause) {
    if (ws && this.ws !== ws) return;
    this.ws = null;
    clearInterval(this.keepalive);
    this.keepalive = null;
    if (ws) closeQuietly(ws);
    if (this.subs.size === 0) return;
    this.attempt += 1;
    const delay = this.proto.backoff(this.attempt);
    if (delay < 0) {
      this.fail(cause && cause.name === "NetworkError" ? cause : error("NetworkError", `LiveAPI connection lost; gave up after ${this.attempt - 1} reconnections`));
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.subs.size > 0 && !this.ws) this.connect();
    }, delay);
  }

  fail(e) {
    const subs = [...this.subs];
    this.subs.clear();
    this.stop();
    for (const sub of subs) sub.fail(e);
  }
}

function deadlineMs(d) {
  if (d == null) return null;
  const ms = d instanceof Date ? d.getTime() : d;
  if (typeof ms !== "number" || !Number.isFinite(ms)) throw error("ValidationError", "invalid deadline: must be a Date or epoch milliseconds", { field: "deadline", reason: "must be a Date or epoch milliseconds" });
  return ms;
}

const CTL = Symbol("ctl");

/** An import in flight: `progress()` (async iterable of counts) and `done()` (final counts). */
class ImportTask {
  #hub;
  #counter;
  #waiters = new Set();
  #error = null;
  #version = 0;
  #attached = false;
  #closed = false;

  constructor(hub, counter, rejected) {
    this.#hub = hub;
    this.#counter = counter;
    /** Values not sent: `{ line | index, value, reason }`. */
    this.rejected = rejected;
    const sub = {
      message: (text) => {
        if (this.#counter.message(text)) this.#bump();
      },
      fail: (e) => {
        this.#attached = false;
        this.#error = e;
        this.#bump();
      },
    };
    this[CTL] = {
      sub,
      submitted: (ids, expected) => {
        ids.forEach((id, i) => this.#counter.add(id, expected[i]));
        this.#counter.seal();
        this.#bump();
      },
      failed: (e) => {
        this.#error = e;
        this.#detach();
        this.#bump();
      },
    };
    this.#attach();
  }

  /** One task id per batch sent. */
  get taskIds() {
    return this.#counter.ids();
  }
  /** Which LiveAPI transport the connection uses: "factory" | "workerd-fetch" | "global" (null before connecting). */
  get transport() {
    return this.#hub.transport;
  }
  /** The counts now: `{ imported, total, tasks, finishedTasks, done }`. */
  get state() {
    const c = this.#counter;
    return { imported: c.imported(), total: c.total(), tasks: c.tasks(), finishedTasks: c.finished(), done: c.complete() };
  }

  #attach() {
    if (this.#attached || this.#closed || this.#error || this.#counter.complete()) return;
    this.#attached = true;
    this.#hub.add(this[CTL].sub);
  }
  #detach() {
    if (!this.#attached) return;
    this.#attached = false;
    this.#hub.remove(this[CTL].sub);
  }
  #bump() {
    this.#version += 1;
    if (this.#counter.complete()) this.#detach();
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }
  #wait(signal, deadline) {
    return new Promise((resolve, reject) => {
      if (signal && signal.aborted) return reject(error("AbortError", "the operation was aborted"));
      let timer;
      const cleanup = () => {
        this.#waiters.delete(wake);
        clearTimeout(timer);
        if (signal) signal.removeEventListener("abort", onAbort);
      };
      const giveUp = (e) => {
        cleanup();
        // Nobody is listening any more: let the connection go (a later call reconnects).
        if (this.#waiters.size === 0) this.#detach();
        reject(e);
      };
      const wake = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => giveUp(error("AbortError", "the operation was aborted"));
      if (deadline != null) timer = setTimeout(() => giveUp(error("TimeoutError", "deadline exceeded while waiting for the import", { kind: "deadline" })), Math.max(0, deadline - Date.now()));
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(wake);
      this.#attach();
    });
  }

  /** Counts each time they change, until the import is complete. */
  async *progress(options = {}) {
    const deadline = deadlineMs(options.deadline);
    let seen = -1;
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#version !== seen) {
        seen = this.#version;
        const s = this.state;
        yield s;
        if (s.done) return;
        continue;
      }
      await this.#wait(options.signal, deadline);
    }
  }

  /** Resolves with the final counts once every task reported `imported == total`. */
  async done(options = {}) {
    const deadline = deadlineMs(options.deadline);
    for (;;) {
      if (this.#error) throw this.#error;
      if (this.#counter.complete()) return { ...this.state, taskIds: this.taskIds, rejected: this.rejected };
      await this.#wait(options.signal, deadline);
    }
  }

  /** Stops following this import (the server goes on importing). */
  close() {
    this.#closed = true;
    this.#detach();
  }
}

/** Called by Rust before the batches are posted, so the connection opens meanwhile. */
export function importTask(slot, url, key, proto, counter, rejected) {
  if (!slot.hub || slot.hub.url !== url) slot.hub = new Hub(slot, url, key, proto);
  return new ImportTask(slot.hub, counter, rejected);
}

export function taskSubmitted(task, ids, expected) {
  task[CTL].submitted(ids, expected);
}

export function taskFailed(task, e) {
  task[CTL].failed(e);
}

/** `sekoia.iocCollections`: short names for the client's IOC-collection methods. */
const COLLECTION_METHODS = {
  list: "listIocCollections", get: "getIocCollection", create: "createIocCollection",
  update: "updateIocCollection", delete: "deleteIocCollection", quota: "iocQuota",
  indicators: "listCollectionIndicators", updateIndicator: "updateCollectionIndicator",
  revokeIndicator: "revokeCollectionIndicator", deleteIndicator: "deleteCollectionIndicator",
  indicatorContext: "collectionIndicatorContext", importIndicators: "importIndicators",
  importText: "importText", previewFile: "previewFile", processFile: "processFile",
};

export function collectionsView(client) {
  const view = {};
  for (const [name, method] of Object.entries(COLLECTION_METHODS)) view[name] = (...args) => client[method](...args);
  return Object.freeze(view);
}

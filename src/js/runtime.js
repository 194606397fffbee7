// The transport's JS half: one fetch attempt with a timeout and the caller's AbortSignal,
// and an abortable sleep. Kept in JS because promise/listener/timer plumbing is simpler and
// leak-free here; everything it decides is reported back to Rust as plain values.
//
// Runs in browsers, Node >= 18, Cloudflare workerd and MV3 service workers: it only uses
// globalThis.fetch (looked up per call, never `window`), AbortController, setTimeout, FormData
// and Blob, and does nothing at module load.

function fail(kind, message, extra) {
  // A plain tagged object: Rust maps it to the matching error variant.
  return Object.assign({ ctiKind: kind, message: message ?? kind }, extra);
}

function describe(e) {
  if (e && typeof e === "object") {
    const cause = e.cause && e.cause.message ? ` (${e.cause.code ?? ""} ${e.cause.message})` : "";
    return `${e.name ?? "Error"}: ${e.message ?? String(e)}${cause}`;
  }
  return String(e);
}

/** What a multipart value is: "string" | "blob" | "bytes" | "buffer" | "invalid". */
export function partKind(v) {
  if (typeof v === "string") return "string";
  if (typeof Blob !== "undefined" && v instanceof Blob) return "blob";
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof ArrayBuffer) return "buffer";
  return "invalid";
}

/** The first `n` bytes of a Blob / Uint8Array / ArrayBuffer (a Blob is sliced, not read whole). */
export async function headBytes(v, n) {
  if (typeof Blob !== "undefined" && v instanceof Blob) return new Uint8Array(await v.slice(0, n).arrayBuffer());
  if (v instanceof Uint8Array) return v.subarray(0, n);
  return new Uint8Array(v, 0, Math.min(n, v.byteLength));
}

/** parts: [{ name, filename, contentType, index }] referring to values[index]. */
export function buildForm(parts, values) {
  const form = new FormData();
  for (const p of parts) {
    const v = values[p.index];
    if (typeof v === "string" && p.filename == null && p.contentType == null) {
      form.append(p.name, v);
      continue;
    }
    let blob = v;
    if (!(typeof Blob !== "undefined" && v instanceof Blob) || (p.contentType != null && v.type !== p.contentType)) {
      blob = new Blob([v], { type: p.contentType ?? (v && v.type) ?? "application/octet-stream" });
    }
    form.append(p.name, blob, p.filename ?? "blob");
  }
  return form;
}

/**
 * One HTTP attempt. Resolves to { status, headers: [[name, value]...], ok, value | text }.
 * Rejects with a tagged object { ctiKind: "network" | "timeout" | "abort" | "decode", message }.
 * `timeoutMs` bounds the whole attempt including the body read.
 */
export async function sendHttp(fetchFn, url, method, headers, body, timeoutMs, signal, expect) {
  const doFetch = fetchFn ?? globalThis.fetch;
  if (typeof doFetch !== "function") {
    throw fail("network", "no fetch function: this runtime has no global fetch; pass options.fetch");
  }
  if (signal && signal.aborted) throw fail("abort");
  const controller = new AbortController();
  let timedOut = false;
  let timer;
  const onAbort = () => controller.abort();
  if (signal) signal.addEventListener("abort", onAbort, { once: true });
  if (timeoutMs != null) {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, Math.max(0, timeoutMs));
  }
  const classify = (e) => {
    if (e && e.ctiKind) return e;
    if (signal && signal.aborted) return fail("abort");
    if (timedOut) return fail("timeout");
    return fail("network", describe(e));
  };
  try {
    const init = { method, headers, signal: controller.signal };
    if (body != null) init.body = body;
    const response = await doFetch(url, init);
    const pairs = [];
    response.headers.forEach((value, name) => pairs.push([name.toLowerCase(), value]));
    const status = response.status;
    if (status < 200 || status >= 300) {
      return { status, headers: pairs, ok: false, text: await response.text() };
    }
    let value;
    if (expect === "bytes") {
      value = new Uint8Array(await response.arrayBuffer());
    } else if (expect === "text") {
      value = await response.text();
    } else if (expect === "json+text") {
      const text = await response.text();
      try {
        value = { text, json: text.trim() === "" ? null : JSON.parse(text) };
      } catch (e) {
        throw fail("decode", `invalid JSON (${text.length} chars): ${e.message}`, { status });
      }
    } else if (expect === "none") {
      await response.arrayBuffer();
      value = undefined;
    } else {
      const text = await response.text();
      if (text.trim() === "") {
        value = null;
      } else {
        try {
          value = JSON.parse(text);
        } catch (e) {
          throw fail("decode", `invalid JSON (${text.length} chars): ${e.message}`, { status });
        }
      }
    }
    return { status, headers: pairs, ok: true, value };
  } catch (e) {
    throw classify(e);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", onAbort);
  }
}

/** Abortable wait. Rejects with { ctiKind: "abort" } as soon as `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(fail("abort"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(fail("abort"));
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Monotonic milliseconds where available. */
export function nowMs() {
  const p = globalThis.performance;
  return p && typeof p.now === "function" ? p.now() : Date.now();
}

export function isAbortSignal(v) {
  return typeof AbortSignal !== "undefined" && v instanceof AbortSignal;
}

/**
 * Wraps a Rust page source ({ next(), stop(), commit(), cursor }) as an async iterator.
 * Calls are serialised: a `next()` issued before the previous one settled waits for it, so
 * the Rust state is never re-entered.
 */
export function pageIterator(source) {
  let chain = Promise.resolve();
  const serial = (fn) => {
    const p = chain.then(fn);
    chain = p.then(
      () => {},
      () => {},
    );
    return p;
  };
  return {
    next: () => serial(() => source.next()),
    return: (value) =>
      serial(() => {
        source.stop();
        return { done: true, value };
      }),
    /** Commits the page in hand now (instead of when the next page is asked for). */
    commit: () => serial(() => source.commit()),
    /** The last committed cursor (what a restart resumes from). */
    get cursor() {
      return source.cursor ?? null;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Items of a page iterator, one by one; a page is committed once all its items were taken.
 * The pages behind them are `it.pages`, which is also callable: `it.pages()` returns that same
 * iterator (the design's "`.pages()` sibling"), so both spellings iterate the one sequence.
 */
export function itemIterator(pages) {
  async function* items() {
    for await (const page of pages) {
      for (const item of page.items) yield item;
    }
  }
  const it = items();
  Object.defineProperty(it, "cursor", { get: () => pages.cursor });
  const sibling = () => pages;
  for (const name of ["next", "return", "commit"]) if (pages[name]) sibling[name] = (...args) => pages[name](...args);
  Object.defineProperty(sibling, "cursor", { get: () => pages.cursor });
  sibling[Symbol.asyncIterator] = () => pages;
  it.pages = sibling;
  return it;
}

/** Awaits a value that may or may not be a promise (cursor stores may be sync or async). */
export function toPromise(v) {
  return Promise.resolve(v);
}

/** Returns `p`, marked as handled: a read-ahead that nobody ends up awaiting must not surface as an unhandled rejection. */
export function quiet(p) {
  p.catch(() => {});
  return p;
}

/** JSON.parse of a response text; throws a tagged decode error (never a bare SyntaxError). */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail("decode", `invalid JSON (${String(text).length} chars): ${e.message}`, { status: 200 });
  }
}

/** The exact decimal text of an integer JSON.parse kept exactly, or null when it may be rounded. */
export function safeIntText(v) {
  return typeof v === "number" && Number.isSafeInteger(v) ? String(v) : null;
}

// A tiny runtime-agnostic test harness: the same suites run in Node, Chromium and workerd,
// where node:test does not exist. Tests are async functions; assertions throw.

export class AssertionError extends Error {}

function fmt(v) {
  try {
    return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
  } catch {
    return String(v);
  }
}

function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

export const assert = {
  ok(v, msg) {
    if (!v) throw new AssertionError(msg ?? `expected truthy, got ${fmt(v)}`);
  },
  equal(a, b, msg) {
    if (!Object.is(a, b)) throw new AssertionError(`${msg ? msg + ": " : ""}expected ${fmt(b)}, got ${fmt(a)}`);
  },
  deepEqual(a, b, msg) {
    if (!deepEqual(a, b)) throw new AssertionError(`${msg ? msg + ": " : ""}expected ${fmt(b)}, got ${fmt(a)}`);
  },
  match(s, re, msg) {
    if (typeof s !== "string" || !re.test(s)) throw new AssertionError(`${msg ? msg + ": " : ""}${fmt(s)} does not match ${re}`);
  },
  notIncludes(s, needle, msg) {
    if (String(s).includes(needle)) throw new AssertionError(msg ?? `unexpected ${fmt(needle)} in ${fmt(String(s).slice(0, 300))}`);
  },
  /** Awaits `promiseOrFn`, expects it to reject with an instance of `Class`; returns the error. */
  async rejects(promiseOrFn, Class, msg) {
    let err;
    try {
      await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
    } catch (e) {
      err = e;
    }
    if (err === undefined) throw new AssertionError(`${msg ? msg + ": " : ""}expected a ${Class.name}, but it resolved`);
    if (!(err instanceof Class)) {
      throw new AssertionError(`${msg ? msg + ": " : ""}expected a ${Class.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
    }
    return err;
  },
  /** Same for a synchronous throw. */
  throws(fn, Class, msg) {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof Class)) throw new AssertionError(`${msg ? msg + ": " : ""}expected a ${Class.name}, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
      return e;
    }
    throw new AssertionError(`${msg ? msg + ": " : ""}expected a ${Class.name} to be thrown`);
  },
};

/** Every value of an async iterator (pages, portions), in order. */
export async function drain(it) {
  const out = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The ids of the items of every page of an async iterator, in order. */
export async function drainIds(it) {
  return (await drain(it)).flatMap((page) => page.items.map((o) => o.id));
}

export function createRegistry() {
  const tests = [];
  const test = (name, fn, opts = {}) => tests.push({ name, fn, ...opts });
  return { tests, test };
}

/**
 * Runs tests one by one. `only` (a RegExp) filters by name; a test can be skipped in one
 * runtime with `{ skip: (ctx) => "reason" }` — reported as skipped, never as passed.
 */
export async function runTests(tests, ctx, { only, log = () => {} } = {}) {
  const results = [];
  for (const t of tests) {
    if (only && !only.test(t.name)) continue;
    const skip = t.skip ? t.skip(ctx) : false;
    if (skip) {
      results.push({ name: t.name, status: "skipped", reason: skip });
      log(`  - ${t.name} (skipped: ${skip})`);
      continue;
    }
    const t0 = Date.now();
    try {
      await t.fn(ctx);
      results.push({ name: t.name, status: "passed", ms: Date.now() - t0 });
      log(`  ✓ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const error = `${e && e.constructor ? e.constructor.name : "Error"}: ${e && e.message}\n${(e && e.stack) || ""}`.slice(0, 2000);
      results.push({ name: t.name, status: "failed", ms: Date.now() - t0, error });
      log(`  ✗ ${t.name}\n      ${error.split("\n").slice(0, 4).join("\n      ")}`);
    }
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  return { passed: count("passed"), failed: count("failed"), skipped: count("skipped"), results };
}

// Foundation: the HTTP core through the real package, against the simulator, in every runtime.
import { assert } from "../harness.mjs";
import { sha256Hex, maxInWindow } from "../sim-client.mjs";

const KEY = "cti-edge-test-KEY-7f3a9c21d4e8b6";

export function register(test) {
  // A client on the simulator's echo route; `label` keeps each test's traffic apart.
  const echoClient = (ctx, Vendor, prefix, opts = {}) => {
    const base = `${ctx.sim.url}/__sim/echo/${prefix}`;
    if (Vendor === ctx.lib.GroupIB || Vendor === ctx.lib.GroupIBDrp) {
      return new Vendor({ username: "analyst@example.com", apiKey: KEY, baseUrl: base, ...opts });
    }
    return new Vendor({ apiKey: KEY, baseUrl: base, ...opts });
  };

  test("package exports a version, the clients and the error classes", async ({ lib }) => {
    assert.match(lib.version(), /^\d+\.\d+\.\d+/);
    for (const name of ["Sekoia", "NetworkSage", "GroupIB", "GroupIBDrp", "CtiEdgeError", "ApiError", "AuthenticationError",
      "PermissionError", "NotFoundError", "GoneError", "RateLimitError", "ServerError", "ValidationError", "TimeoutError",
      "AbortError", "NetworkError", "DecodeError", "init"]) {
      assert.equal(typeof lib[name], "function", name);
    }
    assert.ok(new lib.ApiError("x") instanceof lib.CtiEdgeError);
    assert.ok(new lib.NotFoundError("x") instanceof lib.ApiError);
    assert.ok(!("makeError" in lib), "the glue's error factory is not API");
    assert.equal(new lib.RateLimitError("x").name, "RateLimitError");
  });

  test("Bearer auth (Sekoia) reaches the server exactly, base URL gets /api", async (ctx) => {
    const p = ctx.sim.uid("bearer");
    for (const suffix of ["", "/", "/api", "/api/"]) {
      const c = new ctx.lib.Sekoia({ apiKey: KEY, baseUrl: `${ctx.sim.url}/__sim/echo/${p}${suffix}` });
      const r = await c.request({ path: "/v1/auth/validate" });
      assert.equal(r.status, 200);
      assert.equal(r.data.path, `/__sim/echo/${p}/api/v1/auth/validate`, `suffix ${JSON.stringify(suffix)}`);
      assert.equal(r.data.headers.authorization, "sha256:" + (await sha256Hex(`Bearer ${KEY}`)));
    }
  });

  test("HTTP Basic auth (Group-IB), base URL with or without trailing slash", async (ctx) => {
    const p = ctx.sim.uid("basic");
    const expected = "sha256:" + (await sha256Hex("Basic " + btoa(`analyst@example.com:${KEY}`)));
    for (const base of [`${ctx.sim.url}/__sim/echo/${p}/api/v2`, `${ctx.sim.url}/__sim/echo/${p}/api/v2/`]) {
      const c = new ctx.lib.GroupIB({ username: "analyst@example.com", apiKey: KEY, baseUrl: base });
      const r = await c.request({ path: "apt/threat/updated", query: { limit: 10 } });
      assert.equal(r.data.path, `/__sim/echo/${p}/api/v2/apt/threat/updated`);
      assert.equal(r.data.headers.authorization, expected);
    }
  });

  test("named-header auth (NetworkSage apikey), no Authorization header", async (ctx) => {
    const c = echoClient(ctx, ctx.lib.NetworkSage, ctx.sim.uid("apikey"));
    const r = await c.request({ path: "/sec/v1.0/samples/abc" });
    assert.equal(r.data.headers.apikey, "sha256:" + (await sha256Hex(KEY)));
    assert.equal(r.data.headers.authorization, undefined);
  });

  test("default headers and user agent are sent; auth headers cannot be overridden", async (ctx) => {
    const c = echoClient(ctx, ctx.lib.Sekoia, ctx.sim.uid("hdr"), { headers: { "X-Team": "blue" }, userAgent: "my-soc/1.0" });
    const r = await c.request({ path: "/x", headers: { "x-call": "1" } });
    assert.equal(r.data.headers["x-team"], "blue");
    assert.equal(r.data.headers["x-call"], "1");
    if (ctx.runtime !== "chromium") assert.equal(r.data.headers["user-agent"], "my-soc/1.0"); // browsers own User-Agent
    assert.throws(() => echoClient(ctx, ctx.lib.Sekoia, "x", { headers: { Authorization: "Bearer other" } }), ctx.lib.ValidationError);
    const e = await assert.rejects(c.request({ path: "/x", headers: { authorization: "x" } }), ctx.lib.ValidationError);
    assert.equal(e.field, "headers.authorization");
  });

  test("query encoding keeps match[type]=a,b and encodes the rest", async (ctx) => {
    const c = echoClient(ctx, ctx.lib.Sekoia, ctx.sim.uid("query"));
    const r = await c.request({
      path: "/v2/inthreat/collections/feed/objects",
      query: { "match[type]": ["indicator", "malware"], limit: 2000, q: "a b+c&d=e/f", skipped: undefined, nothing: null, flag: true, big: 1708000000000123n },
    });
    assert.equal(r.data.query, "match[type]=indicator,malware&limit=2000&q=a%20b%2Bc%26d%3De/f&flag=true&big=1708000000000123");
    const pairs = await c.request({ path: "/x", query: [["brandIds[]", "a"], ["brandIds[]", "b"]] });
    assert.equal(pairs.data.query, "brandIds[]=a&brandIds[]=b");
  });

  test("path segments are encoded one by one and can never change the path", async (ctx) => {
    const p = ctx.sim.uid("path");
    const c = echoClient(ctx, ctx.lib.Sekoia, p);
    const r = await c.request({ path: ["v2", "inthreat", "objects", "a/b?c#d e%"] });
    assert.equal(r.data.path, `/__sim/echo/${p}/api/v2/inthreat/objects/a%2Fb%3Fc%23d%20e%25`);
    for (const bad of [["objects", ".."], ["objects", "%2e%2E"], "/v2/../admin", "/x?y=1"]) {
      const e = await assert.rejects(c.request({ path: bad }), ctx.lib.ValidationError, JSON.stringify(bad));
      assert.equal(e.field, "path");
    }
    assert.equal((await ctx.sim.log(`/__sim/echo/${p}`)).length, 1, "refused paths sent nothing");
  });

  test("JSON request bodies round-trip, unicode included", async (ctx) => {
    const c = echoClient(ctx, ctx.lib.Sekoia, ctx.sim.uid("json"));
    const payload = { name: "Coll ü 🦀", indicators: [{ value: "1.2.3.4" }], n: 1.5, t: true, z: null };
    const r = await c.request({ method: "POST", path: "/v2/inthreat/ioc-collections", json: payload });
    assert.equal(r.data.method, "POST");
    assert.match(r.data.body.contentType, /^application\/json/);
    assert.deepEqual(r.data.body.json, payload);
  });

  test("multipart bodies from Blob, Uint8Array, ArrayBuffer and strings", async (ctx) => {
    const c = echoClient(ctx, ctx.lib.NetworkSage, ctx.sim.uid("multipart"));
    const bytes = new Uint8Array(3000).map((_, i) => i % 251);
    const r = await c.request({
      method: "POST",
      path: "/upload/v1.0/uploader",
      multipart: {
        type: "pcap",
        fileName: "cap.pcap",
        file: { value: new Blob([bytes]), filename: "cap.pcap", contentType: "application/octet-stream" },
        raw: { value: bytes, filename: "raw.bin" },
        buf: { value: bytes.buffer, filename: "buf.bin", contentType: "application/vnd.tcpdump.pcap" },
        csv: { value: "value\n1.2.3.4\n", filename: "iocs.csv", contentType: "text/csv" },
      },
    });
    assert.match(r.data.body.contentType, /^multipart\/form-data; boundary=/);
    const parts = Object.fromEntries(r.data.body.parts.map((p) => [p.name, p]));
    assert.deepEqual(r.data.body.parts.map((p) => p.name), ["type", "fileName", "file", "raw", "buf", "csv"]);
    assert.equal(parts.type.text, "pcap");
    assert.equal(parts.type.filename ?? null, null);
    for (const name of ["file", "raw", "buf"]) {
      assert.equal(parts[name].bytes, 3000, name);
    }
    assert.equal(parts.file.filename, "cap.pcap");
    assert.equal(parts.buf.contentType, "application/vnd.tcpdump.pcap");
    assert.equal(parts.csv.contentType, "text/csv");
    assert.equal(parts.csv.text, "value\n1.2.3.4\n");
    assert.equal(parts.file.sha256, parts.raw.sha256);
    const e = await assert.rejects(c.request({ method: "POST", path: "/x", multipart: { file: 42 } }), ctx.lib.ValidationError);
    assert.equal(e.field, "multipart.file");
  });

  test("bytes and text responses", async (ctx) => {
    const c = new ctx.lib.Sekoia({ apiKey: KEY, baseUrl: `${ctx.sim.url}/__sim` });
    // baseUrl gets /api appended; the simulator's helpers live at /__sim/*, so go through a
    // client whose base has no suffix rule.
    const ns = new ctx.lib.NetworkSage({ apiKey: KEY, baseUrl: `${ctx.sim.url}/__sim` });
    const r = await ns.request({ path: "/bytes", query: { n: 1000 }, responseType: "bytes" });
    assert.ok(r.data instanceof Uint8Array, "Uint8Array");
    assert.equal(r.data.length, 1000);
    assert.ok(r.data.every((b, i) => b === i % 256));
    const t = await ns.request({ path: "/echo/text", responseType: "text" });
    assert.equal(typeof t.data, "string");
    assert.equal(JSON.parse(t.data).path, "/__sim/echo/text");
    assert.equal(c.baseUrl, `${ctx.sim.url}/__sim/api`);
  });

  test("every HTTP error class, with status, code, requestId and instanceof", async (ctx) => {
    const { lib } = ctx;
    const ns = new lib.NetworkSage({ apiKey: KEY, baseUrl: `${ctx.sim.url}/__sim`, retry: false, rateLimit: false });
    const cases = [[400, lib.ApiError], [401, lib.AuthenticationError], [403, lib.PermissionError], [404, lib.NotFoundError],
      [410, lib.GoneError], [422, lib.ApiError], [429, lib.RateLimitError], [500, lib.ServerError], [503, lib.ServerError]];
    for (const [status, Class] of cases) {
      const e = await assert.rejects(ns.request({ path: `/echo-status/${status}` }), Class, String(status));
      assert.ok(e instanceof lib.ApiError && e instanceof lib.CtiEdgeError && e instanceof Error, `${status} hierarchy`);
      assert.equal(e.status, status);
      assert.equal(e.code, `E${status}`);
      assert.equal(e.serverMessage, `echo ${status}`);
      assert.ok(typeof e.requestId === "string" && e.requestId.length > 0, "request id");
      assert.equal(e.attempts, 1);
      assert.equal(e.name, Class.name);
      assert.match(e.url, /\/__sim\/echo-status\//);
    }
  });

  test("network errors and invalid options are typed", async ({ lib }) => {
    const c = new lib.Sekoia({ apiKey: KEY, baseUrl: "http://127.0.0.1:9", retry: false });
    const e = await assert.rejects(c.request({ path: "/x" }), lib.NetworkError);
    assert.equal(e.attempts, 1);
    const bad = [
      [{}, "apiKey"], [{ apiKey: "" }, "apiKey"], [{ apiKey: 42 }, "apiKey"], [{ apiKey: "k k" }, "apiKey"],
      [{ apiKey: KEY, region: "MARS1" }, "region"], [{ apiKey: KEY, baseUrl: "ftp://x" }, "baseUrl"],
      [{ apiKey: KEY, baseUrl: "https://user:pw@host" }, "baseUrl"], [{ apiKey: KEY, region: "FRA1", baseUrl: "https://x" }, "baseUrl"],
      [{ apiKey: KEY, retry: { limit: -1 } }, "retry.limit"], [{ apiKey: KEY, retry: { limit: 1.5 } }, "retry.limit"],
      [{ apiKey: KEY, rateLimit: { perSecond: 0 } }, "rateLimit.perSecond"], [{ apiKey: KEY, rateLimit: "fast" }, "rateLimit"],
      [{ apiKey: KEY, fetch: "nope" }, "fetch"], [{ apiKey: KEY, timeoutMs: -5 }, "timeoutMs"], [{ apiKey: KEY, headers: { "bad name": "x" } }, "headers.bad name"],
    ];
    for (const [opts, field] of bad) {
      const err = assert.throws(() => new lib.Sekoia(opts), lib.ValidationError, JSON.stringify(opts));
      assert.equal(err.field, field, JSON.stringify(opts));
      assert.equal(err.attempts, 0);
    }
    assert.throws(() => new lib.Sekoia("key"), lib.ValidationError);
    assert.throws(() => new lib.GroupIB({ username: "u", apiKey: KEY }), lib.ValidationError);
  });

  test("bad request input is refused before any request", async (ctx) => {
    const { lib } = ctx;
    const p = ctx.sim.uid("badinput");
    const c = echoClient(ctx, lib.Sekoia, p);
    const cyclic = {};
    cyclic.self = cyclic;
    const bad = [
      [{}, "path"], [{ path: 42 }, "path"], [{ path: [1] }, "path"], [{ path: "/x", method: "TRACE" }, "method"],
      [{ path: "/x", method: "POST", json: { n: 1n } }, "json"], [{ path: "/x", method: "POST", json: cyclic }, "json"],
      [{ path: "/x", query: { a: { b: 1 } } }, "query.a"], [{ path: "/x", query: { a: NaN } }, "query.a"], [{ path: "/x", query: "a=1" }, "query"],
      [{ path: "/x", json: { a: 1 } }, "method"], [{ path: "/x", method: "POST", json: 1, multipart: { a: "b" } }, "json"],
      [{ path: "/x", timeoutMs: 0 }, "timeoutMs"], [{ path: "/x", signal: {} }, "signal"], [{ path: "/x", deadline: "tomorrow" }, "deadline"],
      [{ path: "/x", responseType: "xml" }, "responseType"], [{ path: "/x", headers: { a: 1 } }, "headers.a"], [{ path: "/x\u0000y" }, "path"],
    ];
    for (const [opts, field] of bad) {
      const e = await assert.rejects(c.request(opts), lib.ValidationError, JSON.stringify(opts, (_, v) => (typeof v === "bigint" ? "1n" : v === cyclic ? "[cyclic]" : v)));
      assert.equal(e.field, field);
    }
    await assert.rejects(c.request(), lib.ValidationError);
    await assert.rejects(c.request("path"), lib.ValidationError);
    assert.equal((await ctx.sim.log(`/__sim/echo/${p}`)).length, 0, "no request was sent");
  });

  test("per-attempt timeout (slow headers)", async (ctx) => {
    const p = ctx.sim.uid("timeout");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { slowHeadersMs: 3000 });
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { timeoutMs: 300, retry: false });
    const t0 = Date.now();
    const e = await assert.rejects(c.request({ path: "/slow" }), ctx.lib.TimeoutError);
    assert.equal(e.kind, "attempt");
    assert.ok(Date.now() - t0 < 2500, `took ${Date.now() - t0} ms`);
  });

  test("deadline covers a slow body", async (ctx) => {
    const ns = new ctx.lib.NetworkSage({ apiKey: KEY, baseUrl: `${ctx.sim.url}/__sim` });
    const t0 = Date.now();
    const e = await assert.rejects(ns.request({ path: "/slow-body", query: { ms: 4000 }, deadline: Date.now() + 600 }), ctx.lib.TimeoutError);
    assert.equal(e.kind, "deadline");
    const took = Date.now() - t0;
    assert.ok(took >= 400 && took < 3000, `took ${took} ms`);
  });

  test("abort during a request", async (ctx) => {
    const p = ctx.sim.uid("abortreq");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { slowHeadersMs: 3000 });
    const c = echoClient(ctx, ctx.lib.Sekoia, p);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    await assert.rejects(c.request({ path: "/x", signal: ac.signal }), ctx.lib.AbortError);
    assert.ok(Date.now() - t0 < 2500);
    await assert.rejects(c.request({ path: "/x", signal: ac.signal }), ctx.lib.AbortError, "already aborted");
  });

  test("abort during a retry wait", async (ctx) => {
    const p = ctx.sim.uid("abortwait");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { status: 503, retryAfter: "10" }, 1);
    const c = echoClient(ctx, ctx.lib.Sekoia, p);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 400);
    const t0 = Date.now();
    const e = await assert.rejects(c.request({ path: "/x", signal: ac.signal }), ctx.lib.AbortError);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(e.attempts, 1);
    assert.equal((await ctx.sim.log(`/__sim/echo/${p}`)).length, 1);
  });

  test("abort during a rate-limit wait", async (ctx) => {
    const p = ctx.sim.uid("abortguard");
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { rateLimit: { perSecond: 1 } });
    await c.request({ path: "/x" });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(c.request({ path: "/x", signal: ac.signal }), ctx.lib.AbortError);
    assert.equal((await ctx.sim.log(`/__sim/echo/${p}`)).length, 1, "the waiting request was never sent");
  });

  test("Retry-After (seconds) is honoured, measured at the server", async (ctx) => {
    const p = ctx.sim.uid("retryafter");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { status: 429, retryAfter: "1" }, 1);
    const c = echoClient(ctx, ctx.lib.Sekoia, p);
    const r = await c.request({ path: "/x" });
    assert.equal(r.attempts, 2);
    const log = await ctx.sim.log(`/__sim/echo/${p}`);
    assert.equal(log.length, 2);
    assert.equal(log[0].status, 429);
    const gap = log[1].t - log[0].t;
    assert.ok(gap >= 1000 && gap < 2500, `gap ${gap} ms`);
  });

  test("retry-after-ms and HTTP-date Retry-After are honoured", async (ctx) => {
    const p = ctx.sim.uid("retryms");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/a` }, { status: 503, retryAfterMs: 700 }, 1);
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { rateLimit: false });
    const r = await c.request({ path: "/a" });
    assert.equal(r.attempts, 2);
    let log = await ctx.sim.log(`/__sim/echo/${p}/api/a`);
    assert.ok(log[1].t - log[0].t >= 700, `gap ${log[1].t - log[0].t}`);
    const when = new Date(Date.now() + 2000).toUTCString();
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/b` }, { status: 429, retryAfter: when }, 1);
    await c.request({ path: "/b" });
    log = await ctx.sim.log(`/__sim/echo/${p}/api/b`);
    const gap = log[1].t - log[0].t;
    assert.ok(gap >= 900 && gap < 3500, `http-date gap ${gap}`);
  });

  test("5xx bursts are retried with backoff; POST only when idempotent", async (ctx) => {
    const p = ctx.sim.uid("burst");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/get` }, { status: 502 }, 2);
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { retry: { baseDelayMs: 50 }, rateLimit: false });
    assert.equal((await c.request({ path: "/get" })).attempts, 3);
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/post`, method: "POST" }, { status: 503 }, 1);
    const e = await assert.rejects(c.request({ method: "POST", path: "/post", json: {} }), ctx.lib.ServerError);
    assert.equal(e.attempts, 1);
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/post`, method: "POST" }, { status: 503 }, 1);
    assert.equal((await c.request({ method: "POST", path: "/post", json: {}, idempotent: true })).attempts, 2);
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/always` }, { status: 500 });
    const last = await assert.rejects(c.request({ path: "/always" }), ctx.lib.ServerError);
    assert.equal(last.attempts, 4, "default limit: 3 retries");
  });

  test("WAF guard: at most 5 requests in any 1 s window, across concurrent calls", async (ctx) => {
    const p = ctx.sim.uid("bucket");
    const c = echoClient(ctx, ctx.lib.Sekoia, p);
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.request({ path: `/r${i}` })));
    const times = (await ctx.sim.log(`/__sim/echo/${p}`)).map((r) => r.t);
    assert.equal(times.length, 12);
    assert.ok(maxInWindow(times, 1000) <= 5, `max ${maxInWindow(times, 1000)} in a 1 s window`);
    const span = Math.max(...times) - Math.min(...times);
    assert.ok(span >= 2000 && span < 4000, `12 requests took ${span} ms`);
  });

  test("WAF guard: cooldown after 2 error responses within 10 s", async (ctx) => {
    const p = ctx.sim.uid("cooldown");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/err` }, { status: 500 }, 2);
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { retry: false, rateLimit: { cooldownMs: 1200 } });
    await assert.rejects(c.request({ path: "/err" }), ctx.lib.ServerError);
    await assert.rejects(c.request({ path: "/err" }), ctx.lib.ServerError);
    await c.request({ path: "/ok" });
    const log = await ctx.sim.log(`/__sim/echo/${p}`);
    const gap = log[2].t - log[1].t;
    assert.ok(gap >= 1150, `paused ${gap} ms`);
  });

  test("truncated JSON: DecodeError without retries, recovered with them", async (ctx) => {
    const p = ctx.sim.uid("truncate");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { truncate: true }, 1);
    const strict = echoClient(ctx, ctx.lib.Sekoia, p, { retry: false });
    const e = await assert.rejects(strict.request({ path: "/x" }), ctx.lib.DecodeError);
    assert.equal(e.status, 200);
    await ctx.sim.chaos({ path: `/__sim/echo/${p}` }, { truncate: true }, 1);
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { retry: { baseDelayMs: 20 } });
    const r = await c.request({ path: "/x" });
    assert.equal(r.attempts, 2);
  });

  test("connection reset: NetworkError without retries, recovered with them", async (ctx) => {
    const p = ctx.sim.uid("reset");
    const rule = await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/always` }, { reset: true });
    const strict = echoClient(ctx, ctx.lib.Sekoia, p, { retry: false });
    await assert.rejects(strict.request({ path: "/always" }), ctx.lib.NetworkError);
    assert.ok(rule.id, "rule id");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/once` }, { reset: true }, 1);
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { retry: { baseDelayMs: 20 } });
    const attempts = (await c.request({ path: "/once" })).attempts;
    // Chromium's network stack itself retries a request whose reused connection was reset,
    // so there the recovery may already happen below us.
    if (ctx.runtime === "chromium") assert.ok(attempts === 1 || attempts === 2, `attempts ${attempts}`);
    else assert.equal(attempts, 2);
  });

  test("rate-limit headers, attempts and request id are readable on results and errors", async (ctx) => {
    const p = ctx.sim.uid("ratehdr");
    await ctx.sim.chaos({ path: `/__sim/echo/${p}/api/limited` }, { status: 429, retryAfter: "300", headers: { "x-ratelimit-remaining": "0", "x-request-id": "req-429" } });
    const c = echoClient(ctx, ctx.lib.Sekoia, p, { retry: { maxRetryAfterMs: 5000 } });
    const e = await assert.rejects(c.request({ path: "/limited" }), ctx.lib.RateLimitError);
    assert.equal(e.retryAfter, 300);
    assert.equal(e.retryAfterMs, 300000);
    assert.equal(e.rateLimit["x-ratelimit-remaining"], "0");
    assert.equal(e.requestId, "req-429");
    assert.equal(e.attempts, 1, "a wait longer than maxRetryAfterMs is not attempted");
    const ok = await c.request({ path: "/fine" });
    assert.equal(ok.attempts, 1);
    assert.equal(typeof ok.headers["content-type"], "string");
  });

  test("the API key never appears in errors, messages, JSON, stacks or the server log", async (ctx) => {
    const { lib } = ctx;
    const p = ctx.sim.uid("redact");
    // A hostile server that echoes the key back in its body and headers.
    await ctx.sim.chaos({ path: `^/__sim/echo/${p}/(api/)?echo` }, { status: 401, body: { message: `bad key ${KEY}`, code: "T300", key: KEY }, headers: { "x-echo": `Bearer ${KEY}` } });
    const clients = [
      echoClient(ctx, lib.Sekoia, p, { retry: false }),
      echoClient(ctx, lib.NetworkSage, p, { retry: false }),
      echoClient(ctx, lib.GroupIB, p, { retry: false }),
    ];
    const errors = [];
    for (const c of clients) {
      errors.push(await assert.rejects(c.request({ path: "/echo" }), lib.AuthenticationError));
    }
    errors.push(await assert.rejects(new lib.Sekoia({ apiKey: KEY, baseUrl: "http://127.0.0.1:9", retry: false }).request({ path: "/x" }), lib.NetworkError));
    errors.push(await assert.rejects(clients[0].request({ path: "/x", method: "BAD" }), lib.ValidationError));
    try {
      new lib.Sekoia({ apiKey: KEY, region: "nowhere" });
    } catch (e) {
      errors.push(e);
    }
    const basic = btoa(`analyst@example.com:${KEY}`);
    for (const e of errors) {
      for (const text of [String(e), e.message, JSON.stringify(e), e.stack ?? "", JSON.stringify(Object.entries(e))]) {
        assert.notIncludes(text, KEY, `key leaked by a ${e.name}`);
        assert.notIncludes(text, basic, `basic credentials leaked by a ${e.name}`);
      }
    }
    assert.equal(errors[0].body.key, "[REDACTED]");
    assert.equal(errors[0].headers["x-echo"], "Bearer [REDACTED]");
    const log = await ctx.sim.rawLog();
    assert.notIncludes(log, KEY, "key in the simulator's request log");
    assert.notIncludes(log, basic, "basic credentials in the simulator's request log");
  });

  test("an injected fetch is used instead of the global one", async (ctx) => {
    const seen = [];
    const myFetch = (url, init) => {
      seen.push({ url: String(url), method: init.method });
      return fetch(url, init);
    };
    const c = echoClient(ctx, ctx.lib.Sekoia, ctx.sim.uid("inject"), { fetch: myFetch });
    await c.request({ path: "/x" });
    assert.equal(seen.length, 1);
    assert.match(seen[0].url, /\/api\/x$/);
    // the design sketch passes the global fetch itself (`{ apiKey, fetch }`): called unbound, never
    // on the options object (browsers throw "Illegal invocation" for a fetch called on another `this`)
    const bare = echoClient(ctx, ctx.lib.Sekoia, ctx.sim.uid("bare"), { fetch: globalThis.fetch });
    assert.equal((await bare.request({ path: "/y" })).status, 200);
  });
}

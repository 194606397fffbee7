// Self-test of the simulator: node --test sim/selftest.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import WebSocket from "ws";
import { startSimulator } from "./index.mjs";

let sim;
let U;
const SK = { authorization: "Bearer sim-sekoia-key" };
const NS = { apikey: "sim-networksage-key" };
const GIB = { authorization: "Basic " + Buffer.from("analyst@example.com:sim-groupib-key").toString("base64") };
const sha = (s) => createHash("sha256").update(s).digest("hex");

const req = async (method, path, { headers = {}, body, json: j } = {}) => {
  const init = { method, headers: { ...headers } };
  if (j !== undefined) {
    init.body = JSON.stringify(j);
    init.headers["content-type"] = "application/json";
  } else if (body !== undefined) init.body = body;
  const r = await fetch(U + path, init);
  const text = await r.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  return { status: r.status, headers: r.headers, text, data };
};
const ctl = (method, path, j) => req(method, "/__sim" + path, { json: j });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  sim = await startSimulator({ quiet: true });
  U = sim.url;
});
after(async () => {
  await sim.close();
});

test("CORS: preflight echoes requested headers, not logged; CORS on errors", async () => {
  await ctl("DELETE", "/log");
  const r = await fetch(U + "/sekoia/api/v1/auth/validate", {
    method: "OPTIONS",
    headers: { origin: "http://x.test", "access-control-request-method": "GET", "access-control-request-headers": "authorization,x-team" },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  assert.equal(r.headers.get("access-control-allow-headers"), "authorization,x-team");
  assert.match(r.headers.get("access-control-allow-methods"), /PATCH/);
  const e = await req("GET", "/sekoia/api/v1/auth/validate");
  assert.equal(e.status, 401);
  assert.equal(e.headers.get("access-control-allow-origin"), "*");
  assert.equal(e.headers.get("access-control-expose-headers"), "*");
  const log = (await ctl("GET", "/log")).data.requests;
  assert.equal(log.length, 1);
  assert.equal(log[0].method, "GET");
});

test("vendor auth: each vendor's 401 shape, and success with the sim keys", async () => {
  let r = await req("GET", "/sekoia/v1/auth/validate", { headers: { authorization: "Bearer nope" } });
  assert.deepEqual(r.data, { message: "The token is invalid", code: "T300" });
  r = await req("GET", "/sekoia/api/v1/auth/validate", { headers: SK });
  assert.equal(r.status, 200);
  r = await req("GET", "/sekoia/v1/auth/validate", { headers: { authorization: "Basic " + Buffer.from("anyone:sim-sekoia-key").toString("base64") } });
  assert.equal(r.status, 200);
  r = await req("GET", "/networksage/upload/v1.0/uploads/list");
  assert.equal(r.status, 401);
  assert.equal(r.data.error, true);
  r = await req("GET", "/groupib/api/v2/user/granted_collections", { headers: { authorization: "Basic " + Buffer.from("analyst@example.com:bad").toString("base64") } });
  assert.equal(r.status, 401);
  assert.equal(typeof r.data.message, "string");
  const log = (await ctl("GET", "/log?path=/groupib")).data.requests.at(-1);
  assert.equal(log.authScheme, "basic");
  assert.equal(log.authOk, false);
  assert.equal(log.headers.authorization, "<redacted>");
});

test("log: arrival time, filters, redaction; control routes are not logged", async () => {
  await ctl("DELETE", "/log");
  const t0 = performance.timeOrigin + performance.now();
  await req("POST", "/__sim/echo/logtest/a?x=1&y=%20", { headers: { ...NS, cookie: "a=b" }, body: "hello" });
  await req("GET", "/__sim/echo/other");
  await ctl("GET", "/info");
  const all = (await ctl("GET", "/log")).data.requests;
  assert.equal(all.length, 2);
  const [a] = (await ctl("GET", "/log?path=/__sim/echo/logtest")).data.requests;
  assert.equal(a.method, "POST");
  assert.equal(a.path, "/__sim/echo/logtest/a");
  assert.equal(a.query, "x=1&y=%20");
  assert.equal(a.headers.apikey, "<redacted>");
  assert.equal(a.headers.cookie, "<redacted>");
  assert.equal(a.authScheme, "apikey");
  assert.equal(a.bodyBytes, 5);
  assert.equal(a.status, 200);
  assert.ok(a.t >= t0 - 5 && a.t < t0 + 2000);
  assert.ok(!Number.isInteger(a.t) || a.t > 0);
  const since = (await ctl("GET", `/log?since=${a.seq}`)).data.requests;
  assert.equal(since.length, 1);
  assert.equal(since[0].path, "/__sim/echo/other");
  assert.ok(!JSON.stringify(all).includes("sim-networksage-key"));
});

test("echo: raw path, query pairs, hashed secrets, JSON and multipart bodies", async () => {
  const r = await req("GET", "/__sim/echo/p/a%2Fb%3Fc?match[type]=a,b&q=a%20b%2Bc", { headers: SK });
  assert.equal(r.data.path, "/__sim/echo/p/a%2Fb%3Fc");
  assert.equal(r.data.query, "match[type]=a,b&q=a%20b%2Bc");
  assert.deepEqual(r.data.queryPairs, [["match[type]", "a,b"], ["q", "a b+c"]]);
  assert.equal(r.data.headers.authorization, "sha256:" + sha("Bearer sim-sekoia-key"));
  const j = await req("POST", "/__sim/echo/j", { json: { a: "ü🦀", n: 1 } });
  assert.deepEqual(j.data.body.json, { a: "ü🦀", n: 1 });
  const fd = new FormData();
  fd.append("type", "pcap");
  const bin = new Uint8Array(3000).map((_, i) => i % 251);
  fd.append("file", new Blob([bin], { type: "application/octet-stream" }), "cap q.pcap");
  fd.append("csv", new Blob(["value\n1.2.3.4\n"], { type: "text/csv" }), "iocs.csv");
  const m = await req("POST", "/__sim/echo/mp", { body: fd });
  const parts = m.data.body.parts;
  assert.deepEqual(parts.map((p) => p.name), ["type", "file", "csv"]);
  assert.equal(parts[0].text, "pcap");
  assert.equal(parts[0].filename, null);
  assert.equal(parts[1].bytes, 3000);
  assert.equal(parts[1].filename, "cap q.pcap");
  assert.equal(parts[1].sha256, sha(bin));
  assert.equal(parts[2].text, "value\n1.2.3.4\n");
  assert.equal(parts[2].contentType, "text/csv");
});

test("helpers: echo-status, bytes, slow-body", async () => {
  const s = await req("GET", "/__sim/echo-status/418");
  assert.equal(s.status, 418);
  assert.equal(s.data.code, "E418");
  assert.equal(s.headers.get("x-request-id"), s.data.request_id);
  const b = await fetch(U + "/__sim/bytes?n=1000");
  const buf = new Uint8Array(await b.arrayBuffer());
  assert.equal(buf.length, 1000);
  assert.ok(buf.every((x, i) => x === i % 256));
  const t0 = Date.now();
  const slow = await fetch(U + "/__sim/slow-body?ms=400");
  const tHead = Date.now() - t0;
  await slow.json();
  const tBody = Date.now() - t0;
  assert.ok(tHead < 300, `headers after ${tHead}`);
  assert.ok(tBody >= 350, `body after ${tBody}`);
});

test("chaos: status with Retry-After/retry-after-ms, times, method match, listing", async () => {
  await ctl("DELETE", "/chaos");
  const { data } = await ctl("POST", "/chaos", { match: { path: "/__sim/echo/c1" }, action: { status: 429, retryAfter: "2", retryAfterMs: 1500, headers: { "x-a": "1" } }, times: 2 });
  assert.match(data.id, /\S/);
  await ctl("POST", "/chaos", { match: { method: "POST", path: "^/__sim/echo/c2/\\d+$" }, action: { status: 503, body: { custom: true } } });
  let r = await req("GET", "/__sim/echo/c1/x");
  assert.equal(r.status, 429);
  assert.equal(r.headers.get("retry-after"), "2");
  assert.equal(r.headers.get("retry-after-ms"), "1500");
  assert.equal(r.headers.get("x-a"), "1");
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  assert.deepEqual(r.data, { message: "simulated 429", code: "SIM429" });
  const list = (await ctl("GET", "/chaos")).data.rules;
  assert.equal(list[0].remaining, 1);
  assert.equal((await req("GET", "/__sim/echo/c1")).status, 429);
  assert.equal((await req("GET", "/__sim/echo/c1")).status, 200);
  assert.equal((await req("GET", "/__sim/echo/c2/12")).status, 200);
  r = await req("POST", "/__sim/echo/c2/12");
  assert.equal(r.status, 503);
  assert.deepEqual(r.data, { custom: true });
  assert.equal((await req("POST", "/__sim/echo/c2/12x")).status, 200);
  const log = (await ctl("GET", "/log?path=/__sim/echo/c1")).data.requests;
  assert.deepEqual(log.slice(-3).map((e) => e.status), [429, 429, 200]);
  assert.equal(log.at(-3).chaos, data.id);
  assert.equal(log.at(-1).chaos, null);
  assert.equal((await ctl("POST", "/chaos", { match: {}, action: { status: 500 } })).status, 400);
  await ctl("DELETE", "/chaos");
  assert.equal((await ctl("GET", "/chaos")).data.rules.length, 0);
});

test("chaos: reset, truncate, slowHeadersMs, slowBodyMs", async () => {
  await ctl("POST", "/chaos", { match: { path: "/__sim/echo/reset" }, action: { reset: true }, times: 1 });
  await assert.rejects(fetch(U + "/__sim/echo/reset"));
  const log = (await ctl("GET", "/log?path=/__sim/echo/reset")).data.requests;
  assert.equal(log.at(-1).status, null);
  assert.equal((await req("GET", "/__sim/echo/reset")).status, 200);

  const full = await req("GET", "/__sim/echo/trunc");
  await ctl("POST", "/chaos", { match: { path: "/__sim/echo/trunc" }, action: { truncate: true }, times: 1 });
  const r = await fetch(U + "/__sim/echo/trunc");
  const t = await r.text();
  assert.equal(r.status, 200);
  assert.equal(Number(r.headers.get("content-length")), Buffer.byteLength(t));
  assert.throws(() => JSON.parse(t));
  assert.ok(Math.abs(Buffer.byteLength(t) - Buffer.byteLength(full.text) / 2) <= 1);

  await ctl("POST", "/chaos", { match: { path: "/__sim/echo/slowh" }, action: { slowHeadersMs: 300 }, times: 1 });
  let t0 = Date.now();
  assert.equal((await req("GET", "/__sim/echo/slowh")).status, 200);
  assert.ok(Date.now() - t0 >= 280);

  await ctl("POST", "/chaos", { match: { path: "/__sim/echo/slowb" }, action: { slowBodyMs: 400 }, times: 1 });
  t0 = Date.now();
  const sb = await fetch(U + "/__sim/echo/slowb");
  const head = Date.now() - t0;
  assert.equal(sb.headers.get("content-length"), null);
  const parsed = await sb.json();
  assert.equal(parsed.path, "/__sim/echo/slowb");
  assert.ok(head < 250, `headers after ${head}`);
  assert.ok(Date.now() - t0 >= 350);
});

// Self-test of the simulator: node --test sim/selftest.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import WebSocket from "ws";
import { startSimulator } from "./index.mjs";
import { patternObservableTypes } from "./data.mjs";

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

const wsUrl = () => U.replace(/^http/, "ws");
function openWs(path, opts) {
  const ws = new WebSocket(wsUrl() + path, opts);
  const msgs = [];
  const waiters = [];
  ws.on("message", (m) => {
    msgs.push(JSON.parse(m));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise((r) => ws.on("close", (code) => r(code)));
  ws.on("error", () => {});
  const until = async (pred, ms = 3000) => {
    const end = Date.now() + ms;
    while (!pred(msgs)) {
      if (Date.now() > end) throw new Error("timeout waiting for ws messages: " + JSON.stringify(msgs.slice(-3)));
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { ws, msgs, until, closed, opened: new Promise((r) => ws.on("open", r)) };
}

test("Sekoia feed: pagination, cursor, filters, append, validation", async () => {
  const feed = "/sekoia/api/v2/inthreat/collections/d6092c37-d8d7-45c3-8aff-c4dc26030608/objects";
  let r = await req("GET", `${feed}?limit=5`, { headers: SK });
  assert.equal(r.status, 200);
  assert.equal(r.data.items.length, 5);
  const mods = r.data.items.map((o) => o.modified);
  assert.deepEqual(mods, [...mods].sort());
  const r2 = await req("GET", `${feed}?limit=5&cursor=${encodeURIComponent(r.data.next_cursor)}`, { headers: SK });
  assert.ok(r2.data.items[0].modified >= mods.at(-1));
  assert.notEqual(r2.data.items[0].id, r.data.items.at(-1).id);
  r = await req("GET", `${feed}?limit=50&match[type]=indicator&match[observable_type]=ipv4-addr`, { headers: SK });
  assert.ok(r.data.items.every((o) => o.type === "indicator" && o.x_ic_observable_types.includes("ipv4-addr")));
  assert.equal((await req("GET", `${feed}?limit=2001`, { headers: SK })).status, 400);
  assert.equal((await req("GET", `${feed}?cursor=%%%`, { headers: SK })).status, 400);
  r = await req("GET", `${feed}?limit=2000&modified_after=2026-06-01T00:00:00Z`, { headers: SK });
  assert.ok(r.data.items.length > 0 && r.data.items.every((o) => o.modified > "2026-06-01"));
  const end = await req("GET", `${feed}?cursor=${encodeURIComponent(r.data.next_cursor)}`, { headers: SK });
  assert.deepEqual(end.data.items, []);
  assert.equal(end.data.next_cursor, r.data.next_cursor);
  await ctl("POST", "/sekoia/feed/append", { count: 3 });
  const more = await req("GET", `${feed}?cursor=${encodeURIComponent(r.data.next_cursor)}`, { headers: SK });
  assert.equal(more.data.items.length, 3);
  assert.equal((await req("GET", "/sekoia/v2/inthreat/collections/nope/objects", { headers: SK })).status, 404);
});

test("observable types of a STIX pattern: object paths only, never inside quoted values", () => {
  assert.deepEqual(patternObservableTypes("[url:value = 'http://1.2.3.4:66/abc'] OR [ipv6-addr:value = '2001:db8::66:ab']"), ["url", "ipv6-addr"]);
  assert.deepEqual(patternObservableTypes("[file:hashes.'SHA-256' = 'a\\'b:c'] AND [domain-name:value = 'x.org']"), ["file", "domain-name"]);
});

test("Sekoia objects, context and lookups", async () => {
  let r = await req("GET", "/sekoia/v2/inthreat/objects?match[type]=malware&limit=2", { headers: SK });
  assert.equal(r.data.items.length, 2);
  assert.equal(typeof r.data.has_more, "boolean");
  const [a, b] = r.data.items;
  assert.equal((await req("GET", `/sekoia/v2/inthreat/objects/${a.id}`, { headers: SK })).data.data.id, a.id);
  assert.equal((await req("GET", `/sekoia/v2/inthreat/objects/${a.id},${b.id}`, { headers: SK })).data._items.length, 2); // OAS-IC {data, _items}
  r = await req("GET", "/sekoia/v2/inthreat/objects/indicator--00000000-0000-4000-8000-000000000000", { headers: SK });
  assert.equal(r.status, 404);
  assert.equal(r.data.message, "Unknown object");
  r = await req("GET", `/sekoia/v2/inthreat/objects/${a.id}/context`, { headers: SK });
  assert.equal(r.data.type, "bundle");
  assert.ok(r.data.objects.length <= 100 && r.data.objects[0].id === a.id);
  const ind = (await req("GET", "/sekoia/v2/inthreat/objects?match[type]=indicator&limit=1", { headers: SK })).data.items[0];
  r = await req("GET", `/sekoia/v2/inthreat/indicators/context?type=${ind.x_ic_observable_types[0]}&value=${encodeURIComponent(ind.name)}`, { headers: SK });
  assert.equal(r.data.items[0].objects[0].id, ind.id);
  r = await req("GET", "/sekoia/v2/inthreat/indicators/context?type=ipv4-addr&value=203.0.113.254", { headers: SK });
  assert.deepEqual(r.data, { items: [], has_more: false });
});

test("Sekoia IOC collections: sync import, quota, text import progress on the LiveAPI", async () => {
  const c = (await req("POST", "/sekoia/v2/inthreat/ioc-collections", { headers: SK, json: { name: "selftest" } })).data;
  assert.match(c.id, /^ioc-collection--/);
  const base = `/sekoia/v2/inthreat/ioc-collections/${c.id}`;
  let r = await req("POST", `${base}/indicators`, { headers: SK, json: { indicators: [{ value: "94.24.86.201" }], default_fields: {} } });
  assert.equal(r.status, 200);
  assert.equal(r.data.items[0].pattern, "[ipv4-addr:value = '94.24.86.201']");
  r = await req("POST", `${base}/indicators`, { headers: SK, json: { indicators: Array.from({ length: 101 }, (_, i) => ({ value: `10.9.0.${i}` })), default_fields: {} } });
  assert.equal(r.status, 400);
  const q = (await req("GET", "/sekoia/v2/inthreat/ioc-collections/count-total-iocs", { headers: SK })).data;
  assert.equal(q.max, 500000);

  // cookie-authenticated client
  const a = openWs("/sekoia/live/", { headers: { cookie: "access_token_cookie=sim-sekoia-key" } });
  await a.until((m) => m.some((x) => x.authenticated === true));
  a.ws.send(JSON.stringify({ action: "upgrade" }));
  // message-authenticated client (browser affordance)
  const b = openWs("/sekoia/live/");
  await b.opened;
  b.ws.send(JSON.stringify({ action: "authenticate", token: "sim-sekoia-key" }));
  await b.until((m) => m.some((x) => x.authenticated === true));
  b.ws.send(JSON.stringify({ action: "upgrade" }));
  await sleep(50);
  const lines = Array.from({ length: 450 }, (_, i) => `172.16.${i >> 8}.${i & 255}`).concat(["1.2.3.4/32"]).join("\n");
  r = await req("POST", `${base}/indicators/text`, { headers: SK, json: { indicators: lines } });
  assert.equal(r.status, 202);
  const taskId = r.data.task_id;
  const done = (m) => m.some((x) => x.attributes?.task_id === taskId && x.attributes.imported === x.attributes.total);
  await a.until(done);
  await b.until(done);
  const last = a.msgs.filter((x) => x.type === "ioc-collection").at(-1);
  assert.equal(last.metadata.version, 2);
  assert.equal(last.action, "updated");
  assert.deepEqual([last.attributes.imported, last.attributes.total, last.attributes.invalid], [450, 450, 1]);
  // a reconnecting client gets the state of recent tasks after upgrade
  const c2 = openWs("/sekoia/live/", { headers: { cookie: "access_token_cookie=sim-sekoia-key" } });
  await c2.until((m) => m.some((x) => x.authenticated));
  c2.ws.send(JSON.stringify({ action: "upgrade" }));
  await c2.until(done);
  const task = (await ctl("GET", `/sekoia/tasks/${taskId}`)).data;
  assert.equal(task.status, "finished");
  assert.equal((await req("GET", base, { headers: SK })).data.indicators_count, 451);
  for (const x of [a, b, c2]) x.ws.close();
  // wrong token
  const bad = openWs("/sekoia/live/", { headers: { cookie: "access_token_cookie=nope" } });
  assert.equal(await bad.closed, 4001);
});

test("chaos wsDrop terminates a LiveAPI socket after n messages", async () => {
  await ctl("POST", "/chaos", { match: { path: "/sekoia/live/" }, action: { wsDrop: { afterMessages: 1 } }, times: 1 });
  const a = openWs("/sekoia/live/", { headers: { cookie: "access_token_cookie=sim-sekoia-key" } });
  const code = await a.closed;
  assert.equal(a.msgs.length, 1);
  assert.equal(code, 1006);
  const log = (await ctl("GET", "/log?path=/sekoia/live/")).data.requests.at(-1);
  assert.match(log.chaos, /chaos-/);
});

test("Sekoia event search job lifecycle and rules catalog", async () => {
  const J = "/sekoia/v1/sic/conf/events/search/jobs";
  assert.equal((await req("POST", J, { headers: SK, json: { term: "x", earliest_time: "yesterday", latest_time: "now" } })).status, 400);
  const job = (await req("POST", J, { headers: SK, json: { term: 'source.ip:"1.2.3.4"', earliest_time: "-1d", latest_time: "now" } })).data;
  assert.equal(job.status, 0);
  await sleep(1700);
  const done = (await req("GET", `${J}/${job.uuid}`, { headers: SK })).data;
  assert.equal(done.status, 2);
  assert.equal(done.retrieved, done.total);
  const ev = (await req("GET", `${J}/${job.uuid}/events?limit=1000`, { headers: SK })).data;
  assert.equal(ev.items.length, done.total);
  assert.ok(ev.items.every((e) => e["source.ip"] === "1.2.3.4"));
  assert.equal((await req("GET", `${J}/${job.uuid}/events?limit=1001`, { headers: SK })).status, 400);
  await ctl("POST", `/sekoia/jobs/${job.uuid}/expire`);
  assert.equal((await req("GET", `${J}/${job.uuid}/events`, { headers: SK })).status, 410);
  const R = "/sekoia/v1/sic/conf/rules-catalog/rules";
  const list = (await req("GET", `${R}?limit=100`, { headers: SK })).data;
  assert.equal(list.total, 50);
  const created = await req("POST", R, { headers: SK, json: { name: "My test rule", type: "sigma", description: null, payload: "x", severity: 50, effort: 2, alert_type_uuid: "u", enabled: true } });
  assert.equal(created.status, 200);
  assert.equal((await req("PUT", `${R}/${created.data.uuid}/disabled`, { headers: SK })).data.enabled, false);
  assert.equal((await req("DELETE", `${R}/${created.data.uuid}`, { headers: SK })).status, 204);
  assert.equal((await req("GET", `${R}/${created.data.uuid}`, { headers: SK })).status, 404);
});

test("NetworkSage upload → processing → public aggregated view; concurrency stats", async () => {
  await ctl("POST", "/networksage/config", { processingMs: 300 });
  const fd = new FormData();
  fd.append("type", "pcap");
  fd.append("fileName", "cap.pcap");
  fd.append("file", new Blob([new Uint8Array(64)], { type: "application/octet-stream" }), "cap.pcap");
  const up = await req("POST", "/networksage/upload/v1.0/uploader", { headers: NS, body: fd });
  assert.equal(up.data.error, false);
  const id = up.data.body.sampleId;
  let meta = (await req("GET", `/networksage/sec/v1.0/samples/${id}`, { headers: NS })).data.body;
  assert.equal(meta.trafficDate, "");
  await sleep(350);
  meta = (await req("GET", `/networksage/sec/v1.0/samples/${id}`, { headers: NS })).data.body;
  assert.match(meta.trafficDate, /^\d+\.\d+$/);
  const pub = Buffer.from(`${meta.id}#hash#${meta.hash}`).toString("base64");
  const agg = (await req("GET", `/networksage/public/v1.0/secflows/${pub}/list/aggregated`)).data.body;
  assert.ok(agg.length >= 20 && typeof agg[0].flowIdCount === "number");
  await fetch(U + "/__sim/networksage/stats", { method: "DELETE" });
  await Promise.all(agg.slice(0, 6).map((x) => req("GET", `/networksage/sec/v1.0/secflows/${x.secflow.flowId}/count`, { headers: NS })));
  const stats = (await ctl("GET", "/networksage/stats")).data.families;
  assert.ok(stats.count.maxInFlight >= 2, JSON.stringify(stats));
  assert.equal(stats.metadata.requests, 6, "count lookups also count in the metadata total");
  assert.ok(stats.metadata.maxInFlight >= stats.count.maxInFlight);
});

test("Group-IB: seqUpdate chaining with exact big integers, search resultId, DRP approve", async () => {
  let r = await req("GET", "/groupib/api/v2/apt/threat/updated?df=2025-01-01&limit=5", { headers: GIB });
  assert.equal(r.status, 200);
  const seqText = /"seqUpdate":(\d+)}$/.exec(r.text)[1];
  assert.ok(seqText.length >= 16);
  const next = await req("GET", `/groupib/api/v2/apt/threat/updated?limit=5&seqUpdate=${seqText}`, { headers: GIB });
  assert.ok(BigInt(/"seqUpdate":(\d+)/.exec(next.text)[1]) > BigInt(seqText));
  r = await req("GET", "/groupib/api/v2/compromised/breached?limit=100", { headers: GIB });
  const total = r.data.count;
  let seen = r.data.items.length;
  while (r.data.items.length) {
    r = await req("GET", `/groupib/api/v2/compromised/breached?limit=100&resultId=${r.data.resultId}`, { headers: GIB });
    seen += r.data.items.length;
  }
  assert.equal(seen, total);
  assert.equal((await req("GET", "/groupib/api/v2/compromised/breached/updated", { headers: GIB })).status, 400);
  assert.equal((await req("GET", "/groupib/api/v2/apt/threat/updated?df=01.02.2024", { headers: GIB })).status, 400);
  r = await req("GET", "/groupib/client_api/violation/list?limit=1&approveState%5B%5D=under_review", { headers: GIB });
  const v = r.data.items[0];
  const ap = await req("POST", "/groupib/client_api/violation/change-approve", { headers: GIB, json: { violationId: v.id, approve: true } });
  assert.equal(ap.status, 200);
  assert.equal((await req("GET", `/groupib/client_api/violation/${v.id}`, { headers: GIB })).data.violation.approveState, "approved");
});

test("reset restores initial state", async () => {
  await req("POST", "/sekoia/v2/inthreat/ioc-collections", { headers: SK, json: { name: "temp" } });
  await ctl("POST", "/chaos", { match: { path: "/x" }, action: { status: 500 } });
  await ctl("POST", "/reset");
  assert.equal((await ctl("GET", "/chaos")).data.rules.length, 0);
  assert.equal((await ctl("GET", "/log")).data.requests.length, 0);
  const list = (await req("GET", "/sekoia/v2/inthreat/ioc-collections", { headers: SK })).data;
  assert.equal(list.total, 1);
  const info = (await ctl("GET", "/info")).data;
  assert.equal(info.keys.sekoia, "sim-sekoia-key");
  assert.ok(info.feedIds.includes("d6092c37-d8d7-45c3-8aff-c4dc26030608"));
});

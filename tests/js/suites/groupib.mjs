// Group-IB TI and DRP through the package: update portions chained on seqUpdate (resumable,
// exact beyond 2^53), search chained on resultId, *_group event splitting, files, scoring
// validation, DRP violations + changeApprove, error mapping with the reference's explanations,
// and the mapping engine (portion.parse / iocs / bulkParse, standalone functions).
import { assert, drain } from "../harness.mjs";

async function keys(ctx) {
  ctx.keys ??= (await ctx.sim.info()).keys;
  return ctx.keys.groupib;
}

async function ti(ctx, opts = {}) {
  const k = await keys(ctx);
  return new ctx.lib.GroupIB({ username: k.username, apiKey: k.apiKey, baseUrl: `${ctx.sim.url}/groupib/api/v2/`, ...opts });
}

async function drp(ctx, opts = {}) {
  const k = await keys(ctx);
  return new ctx.lib.GroupIBDrp({ username: k.username, apiKey: k.apiKey, baseUrl: `${ctx.sim.url}/groupib/client_api`, ...opts });
}

async function collectionInfo(ctx, name) {
  const r = await fetch(`${ctx.sim.url}/__sim/groupib/collections`);
  const text = await r.text();
  const d = JSON.parse(text);
  return d.ti.find((c) => c.collection === name);
}

async function first(it) {
  for await (const p of it) return p;
  return undefined;
}

export function register(test) {
  test("groupib: updates iterate portions chaining on the top-level seqUpdate; resumable from a portion's seqUpdate", async (ctx) => {
    const g = await ti(ctx);
    const info = await collectionInfo(ctx, "malware/cnc");
    const portions = await drain(g.updates("malware/cnc", { limit: 40 }));
    assert.equal(portions.length, Math.ceil(info.items / 40));
    const ids = portions.flatMap((p) => p.items.map((i) => i.id));
    assert.equal(ids.length, info.items);
    assert.equal(new Set(ids).size, ids.length, "no duplicates");
    for (const p of portions) {
      assert.equal(typeof p.seqUpdate, "string");
      assert.equal(p.seqUpdate, String(p.items.at(-1).seqUpdate), "seqUpdate = last item's");
      assert.equal(p.collection, "malware/cnc");
    }
    assert.equal(portions[0].count, info.items, "count = remaining matches");
    assert.equal(portions.at(-1).seqUpdate, String(info.lastSeqUpdate));
    const log = await ctx.sim.log("/groupib/api/v2/malware/cnc/updated");
    const seqs = log.slice(-portions.length - 1).map((e) => new URLSearchParams(e.query).get("seqUpdate"));
    assert.deepEqual(seqs, [null, ...portions.map((p) => p.seqUpdate)], "each request carries the previous seqUpdate");
    // Resume after the second portion.
    const rest = await drain(g.updates("malware/cnc", { limit: 40, seqUpdate: portions[1].seqUpdate }));
    assert.deepEqual(rest.flatMap((p) => p.items.map((i) => i.id)), ids.slice(80));
    // bigint works too
    const again = await drain(g.updates("malware/cnc", { limit: 100, seqUpdate: BigInt(portions[2].seqUpdate) }));
    assert.deepEqual(again.flatMap((p) => p.items.map((i) => i.id)), ids.slice(120));
  });

  test("groupib: a seqUpdate beyond 2^53 round-trips exactly (scripted fetch)", async (ctx) => {
    const big = "9007199254740993123";
    const urls = [];
    const fetch = async (url) => {
      urls.push(String(url));
      const body = urls.length === 1 ? `{"count": 2, "items": [{"id": "a", "seqUpdate": ${big}}], "seqUpdate": ${big}}` : `{"count": 0, "items": [], "seqUpdate": ${big}}`;
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    };
    const g = await ti(ctx, { fetch, baseUrl: "https://tap.example/api/v2" });
    const portions = await drain(g.updates("apt/threat", { seqUpdate: "9007199254740993000" }));
    assert.equal(portions.length, 1);
    assert.equal(portions[0].seqUpdate, big);
    assert.equal(urls[0], "https://tap.example/api/v2/apt/threat/updated?seqUpdate=9007199254740993000");
    assert.equal(urls[1], `https://tap.example/api/v2/apt/threat/updated?seqUpdate=${big}`);
    // A rounded number is refused rather than silently used.
    assert.throws(() => g.updates("apt/threat", { seqUpdate: 2 ** 60 }), ctx.lib.ValidationError);
  });

  test("groupib: search chains on resultId; df/dt/q only on the first request; breached is search-only", async (ctx) => {
    const g = await ti(ctx);
    assert.throws(() => g.updates("compromised/breached", {}), ctx.lib.ValidationError);
    const portions = await drain(g.search("compromised/breached", { limit: 60, date: "2024-01-01", query: "e" }));
    assert.ok(portions.length >= 2, `${portions.length} portions`);
    const rids = portions.map((p) => p.resultId);
    assert.equal(new Set(rids).size, rids.length, "a new resultId every page");
    const log = (await ctx.sim.log("/groupib/api/v2/compromised/breached")).slice(-(portions.length + 1));
    const qs = log.map((e) => new URLSearchParams(e.query));
    assert.equal(qs[0].get("df"), "2024-01-01");
    assert.equal(qs[0].get("q"), "e");
    for (let i = 1; i < qs.length; i++) {
      assert.equal(qs[i].get("resultId"), rids[i - 1]);
      assert.equal(qs[i].get("df"), null);
      assert.equal(qs[i].get("limit"), "60");
    }
  });

  test("groupib: parseEvents splits *_group items into one item per event", async (ctx) => {
    const g = await ti(ctx);
    const plain = await first(g.updates("compromised/account_group", { limit: 20 }));
    const split = await first(g.updates("compromised/account_group", { limit: 20, parseEvents: true }));
    const expected = plain.items.reduce((n, it) => n + (it.events?.length ? it.events.length : 1), 0);
    assert.equal(split.items.length, expected);
    for (const it of split.items) assert.ok(!it.events?.length || it.events.length === 1);
    assert.equal(split.seqUpdate, plain.seqUpdate);
  });

  test("groupib: file download, feed by id, global search, graph, granted collections, seqUpdates", async (ctx) => {
    const g = await ti(ctx);
    let item;
    for await (const p of g.updates("hi/threat", { limit: 10 })) {
      item = p.items.find((i) => i.files?.length);
      if (item) break;
    }
    assert.ok(item, "a threat with a file");
    const bytes = await g.file("hi/threat", item.id, item.files[0].id);
    assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
    const feed = await g.feed("hi/threat", item.id);
    assert.equal(feed.id, item.id);
    assert.ok(Array.isArray(await g.globalSearch("ip:8.8.8.8")));
    assert.equal(typeof (await g.graphIp("192.0.2.1")), "object");
    assert.equal(typeof (await g.graphDomain("example.com")), "object");
    assert.equal(typeof (await g.graphIp("2001:db8::1")), "object");
    // The graph takes one IP or one domain name: anything else is refused before sending.
    const graphBefore = (await ctx.sim.log("/groupib/api/v2/utils/graph")).length;
    for (const bad of ["example[.]com", "http://example.com/", "192.0.2.1", "example", "a b.com", "-x.com"]) {
      await assert.rejects(g.graphDomain(bad), ctx.lib.ValidationError, `graphDomain(${bad})`);
    }
    for (const bad of ["192.0.2.256", "192.0.2.1:80", "192.0.2.0/24", "example.com", "1.2.3[.]4"]) {
      await assert.rejects(g.graphIp(bad), ctx.lib.ValidationError, `graphIp(${bad})`);
    }
    assert.equal((await ctx.sim.log("/groupib/api/v2/utils/graph")).length, graphBefore, "no request was sent");
    const cols = await g.collections();
    assert.ok(cols.includes("apt/threat") && new Set(cols).size === cols.length);
    const hunting = await g.collections({ huntingRules: true });
    assert.ok(hunting.length > 0 && hunting.length < cols.length);
    const seqs = await g.seqUpdates({ date: "2024-03-01" });
    assert.match(seqs["apt/threat"], /^\d{16}$/);
    const action = await g.action("hi/threat", item.id, "report", { lang: "en" });
    assert.deepEqual(action.params, { lang: "en" });
  });

  test("groupib: scoring validates like the reference before any request; POST is not retried", async (ctx) => {
    const g = await ti(ctx);
    const before = (await ctx.sim.log("/groupib/api/v2/scoring")).length;
    const e = await assert.rejects(g.scoring("192.0.2.1, 192.0.2.2"), ctx.lib.ValidationError);
    assert.match(e.message, /Multiple IPs provided as a single string/);
    await assert.rejects(g.scoring([]), ctx.lib.ValidationError);
    await assert.rejects(g.scoring(["ok", ""]), ctx.lib.ValidationError);
    await assert.rejects(g.scoring(42), ctx.lib.ValidationError);
    assert.equal((await ctx.sim.log("/groupib/api/v2/scoring")).length, before, "nothing sent");
    const r = await g.scoring(["192.0.2.1", " 198.51.100.7 "]);
    assert.ok(r.items && "192.0.2.1" in r.items && "198.51.100.7" in r.items);
    await ctx.sim.chaos({ method: "POST", path: "/groupib/api/v2/scoring" }, { status: 500 }, 1);
    const err = await assert.rejects(g.scoring("192.0.2.1"), ctx.lib.ServerError);
    assert.equal(err.attempts, 1);
    assert.match(err.hint, /troubles on server/);
  });

  test("groupib: DRP violations + changeApprove (only detected/under_review), brands, subscriptions, seqUpdates", async (ctx) => {
    await ctx.sim.reset();
    const d = await drp(ctx);
    const portions = await drain(d.violations({ limit: 30 }));
    const all = portions.flatMap((p) => p.items);
    assert.ok(all.length >= 30 && portions.length >= 2);
    const review = all.find((v) => v.violation.status === "detected" && v.violation.approveState === "under_review");
    const other = all.find((v) => v.violation.approveState !== "under_review");
    const r = await d.changeApprove(review.id, true);
    assert.equal(r.changed, true);
    assert.equal((await d.violation(review.id)).violation.approveState, "approved");
    const r2 = await d.changeApprove(other.id, false);
    assert.equal(r2.changed, false);
    const brands = await d.brands();
    assert.ok(brands.length >= 1 && brands[0].id);
    assert.ok(Array.isArray(await d.subscriptions()));
    const filtered = await drain(d.violations({ filters: { brandIds: [brands[0].id] } }));
    for (const p of filtered) for (const v of p.items) assert.equal(v.brandId, brands[0].id);
    assert.equal(d.seqUpdates({ date: "2024-01-02" })["violation/list"], "1704153600000000");
  });

  test("groupib: errors keep our classes and carry the reference's explanation (401/403/429)", async (ctx) => {
    const k = await keys(ctx);
    const bad = new ctx.lib.GroupIB({ username: k.username, apiKey: "wrong-key-123", baseUrl: `${ctx.sim.url}/groupib/api/v2` });
    const e401 = await assert.rejects(bad.globalSearch("x"), ctx.lib.AuthenticationError);
    assert.equal(e401.hint, "Bad Credentials.");
    assert.match(e401.message, /Bad Credentials\./);
    assert.notIncludes(JSON.stringify(e401), "wrong-key-123");
    const g = await ti(ctx, { retry: false });
    await ctx.sim.chaos({ path: "/groupib/api/v2/search" }, { status: 403 }, 1);
    const e403 = await assert.rejects(g.globalSearch("x"), ctx.lib.PermissionError);
    assert.match(e403.hint, /Access list, Wrong API key or Wrong username/);
    await ctx.sim.chaos({ path: "/groupib/api/v2/apt/threat/updated" }, { status: 429 }, 1);
    const e429 = await assert.rejects(drain(g.updates("apt/threat", {})), ctx.lib.RateLimitError);
    assert.match(e429.hint, /Maximum count of requests per second/);
    // GETs are retried by default (and succeed after one 429).
    const g2 = await ti(ctx, { retry: { baseDelayMs: 1 } });
    await ctx.sim.chaos({ path: "/groupib/api/v2/apt/threat/updated" }, { status: 429 }, 1);
    const ps = await drain(g2.updates("apt/threat", { limit: 30 }));
    assert.equal(ps.length, 2);
    await assert.rejects(g.feed("apt/threat", "nope"), ctx.lib.NotFoundError);
    assert.throws(() => g.updates("nope/nothing", {}), ctx.lib.ValidationError);
    assert.throws(() => g.updates("apt/threat", { date: "01.02.2024" }), ctx.lib.ValidationError);
  });

  // The module reads and writes floats through the JS engine (src/core/mapping/pyfloat.rs):
  // here in each runtime, against CPython 3's json.dumps of float(text) (exact ties to even,
  // a midpoint between two doubles, overflow to inf, underflow to -0.0, subnormals).
  // tests/data/groupib_float_vectors.json holds 3088 more, through the reference (Node).
  test("groupib: floats read and written as CPython does (ties, midpoints, edges)", ({ lib }) => {
    const texts = ["899807564243624.25", "899807564243624.75", "1e400", "-1e-400", "2.4703282292062328e-324", "1.7976931348623159e308",
      "1.7976931348623158e308", "9007199254740993.0", "0.1e-5", "123456789012345678.0", "1e16", "1e-05", "0.0001", "1.50", "-0.0",
      "5.960464477539063e-08", "2.2250738585072011e-308", "1e22", "1e23", "562949953422855.1875"];
    const python = ["899807564243624.2", "899807564243624.8", "Infinity", "-0.0", "5e-324", "Infinity", "1.7976931348623157e+308",
      "9007199254740992.0", "1e-06", "1.2345678901234568e+17", "1e+16", "1e-05", "0.0001", "1.5", "-0.0", "5.960464477539063e-08",
      "2.225073858507201e-308", "1e+22", "1e+23", "562949953422855.2"];
    const text = `{"count": ${texts.length}, "items": [${texts.map((t) => `{"v": ${t}}`).join(", ")}]}`;
    assert.equal(lib.parsePortion(text, { v: "v" }, { asJson: true }), `[${python.map((p) => `{"v": ${p}}`).join(", ")}]`);
  });

  test("groupib: portion parse / iocs / bulkParse with per-collection keys; standalone functions; MappingError", async (ctx) => {
    const g = await ti(ctx);
    g.setKeys("malware/cnc", { id: "id", ips: "ipv4.ip", kind: "*cnc", first: "#ipv4[0]" });
    g.setIocKeys("malware/cnc", { ips: "ipv4.ip", domains: "domain" });
    let p;
    for await (const x of g.updates("malware/cnc", { limit: 25 })) {
      p = x;
      break;
    }
    const parsed = p.parse();
    assert.equal(parsed.length, p.items.length);
    assert.equal(parsed[0].id, p.items[0].id);
    assert.equal(parsed[0].kind, "cnc");
    assert.deepEqual(parsed[0].ips, p.items[0].ipv4.map((x) => x.ip));
    const iocs = p.iocs();
    assert.ok(iocs.ips.length > 0 && iocs.domains.length > 0);
    const custom = p.iocs({ urls: "url" });
    assert.deepEqual(Object.keys(custom), ["urls"]);
    const bulk = p.bulkParse([{ a: "id" }, { b: "domain" }]);
    assert.equal(bulk.length, p.items.length);
    assert.deepEqual(bulk[0], [{ a: p.items[0].id }, { b: p.items[0].domain }]);
    assert.equal(typeof p.parse(null, { asJson: true }), "string");
    // Standalone
    const items = [{ iocs: { network: [{ ip: [1, 2], url: "url.com" }, { ip: [3], url: "" }] } }];
    assert.deepEqual(ctx.lib.parsePortion(items, { network: { ips: "iocs.network.ip" }, url: "iocs.network.url", type: "*custom_network" }), [
      { network: { ips: [[1, 2], [3]] }, url: ["url.com", ""], type: "custom_network" },
    ]);
    assert.deepEqual(ctx.lib.getIocs(items, { ips: "iocs.network.ip" }), { ips: [1, 2, 3] });
    // Response text keeps numbers exact (beyond 2^53, 1.0 vs 1) where JS values cannot.
    assert.equal(ctx.lib.parsePortion('{"count": 1, "items": [{"big": 9007199254740993, "f": 1.0}]}', { b: "big", f: "f" }, { asJson: true }), '[{"b": 9007199254740993, "f": 1.0}]');
    assert.deepEqual(ctx.lib.bulkParsePortion(items, [{ u: "iocs.network.url" }]), [[{ u: ["url.com", ""] }]]);
    const e = assert.throws(() => ctx.lib.parsePortion(items, { x: 5 }), ctx.lib.MappingError);
    assert.equal(e.pythonType, "InputException");
    assert.ok(e instanceof ctx.lib.CtiEdgeError);
    const e2 = assert.throws(() => ctx.lib.getIocs(items, {}), ctx.lib.MappingError);
    assert.equal(e2.pythonType, "ParserException");
    assert.throws(() => ctx.lib.parsePortion(undefined, { a: "b" }), ctx.lib.ValidationError);
    assert.throws(() => ctx.lib.parsePortion([{ a: 1n }], { a: "a" }), ctx.lib.ValidationError);
    assert.throws(() => g.setKeys("apt/threat", { a: 1 }), ctx.lib.MappingError);
  });

  test("groupib: base URL with or without a trailing slash; product user agent", async (ctx) => {
    const k = await keys(ctx);
    for (const baseUrl of [`${ctx.sim.url}/groupib/api/v2`, `${ctx.sim.url}/groupib/api/v2/`]) {
      const g = new ctx.lib.GroupIB({ username: k.username, apiKey: k.apiKey, baseUrl, product: { type: "SIEM", name: "ExampleSIEM", version: "9.1", integration: "gib-connector" } });
      assert.equal(g.baseUrl, `${ctx.sim.url}/groupib/api/v2`);
      assert.ok(Array.isArray(await g.globalSearch("ip:8.8.8.8")));
    }
    const last = (await ctx.sim.log("/groupib/api/v2/search")).at(-1);
    // Browsers do not let a page set User-Agent.
    if (ctx.runtime !== "chromium") assert.match(last.headers["user-agent"], /^SIEM\/ExampleSIEM_9\.1\/gib-connector\/analyst@example\.com\/cti-edge_\d/);
    assert.throws(() => new ctx.lib.GroupIB({ username: k.username, apiKey: k.apiKey, baseUrl: "http://x", product: {}, userAgent: "x" }), ctx.lib.ValidationError);
  });
}

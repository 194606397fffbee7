// Sekoia Intelligence Center: feed sync (full, incremental, resumable, follow, chaos), cursor
// stores, objects, relationships, context bundles and IOC lookups — through the package.
import { assert, drainIds } from "../harness.mjs";
import { maxInWindow } from "../sim-client.mjs";

const FEED = "d6092c37-d8d7-45c3-8aff-c4dc26030608";
const TYPES = ["malware", "attack-pattern"];

async function keys(ctx) {
  ctx.keys ??= (await ctx.sim.info()).keys;
  return ctx.keys;
}

async function sekoia(ctx, opts = {}) {
  const k = await keys(ctx);
  return new ctx.lib.Sekoia({ apiKey: k.sekoia, baseUrl: `${ctx.sim.url}/sekoia`, ...opts });
}

/** The hand-written baseline: plain fetch + JSON.parse over the same pages. */
async function rawFeed(ctx, params) {
  const k = await keys(ctx);
  const ids = [];
  let cursor;
  for (;;) {
    const u = new URL(`${ctx.sim.url}/sekoia/api/v2/inthreat/collections/${FEED}/objects`);
    for (const [key, v] of Object.entries(params)) u.searchParams.set(key, v);
    if (cursor) u.searchParams.set("cursor", cursor);
    const r = await fetch(u, { headers: { authorization: `Bearer ${k.sekoia}` } });
    const d = await r.json();
    ids.push(...d.items.map((o) => o.id));
    if (d.items.length === 0 || d.items.length < Number(params.limit)) return { ids, cursor: d.next_cursor ?? cursor };
    cursor = d.next_cursor ?? cursor;
  }
}

async function rawItems(ctx, params) {
  const k = await keys(ctx);
  const u = new URL(`${ctx.sim.url}/sekoia/api/v2/inthreat/collections/${FEED}/objects`);
  for (const [key, v] of Object.entries(params)) u.searchParams.set(key, v);
  return (await (await fetch(u, { headers: { authorization: `Bearer ${k.sekoia}` } })).json()).items;
}

async function publish(ctx, count) {
  const r = await fetch(`${ctx.sim.url}/__sim/sekoia/feed/append`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ count }) });
  assert.ok(r.ok, `append: ${r.status}`);
}

const sorted = (a) => [...a].sort();

export function register(test) {
  test("feed: full sync delivers every object once; pages chain on next_cursor", async (ctx) => {
    const s = await sekoia(ctx);
    const expected = await rawFeed(ctx, { limit: 50, "match[type]": TYPES.join(",") });
    assert.ok(expected.ids.length > 150, `simulator feed has ${expected.ids.length} objects`);
    const it = s.feed().pages({ limit: 50, types: TYPES });
    const seen = [];
    let pages = 0;
    for await (const page of it) {
      pages += 1;
      assert.ok(page.items.length > 0 && page.items.length <= 50);
      if (!page.last) assert.equal(page.items.length, 50, "only the last page is short");
      assert.equal(typeof page.cursor, "string");
      assert.equal(page.feedId, FEED);
      for (const o of page.items) assert.ok(TYPES.includes(o.type), o.type);
      seen.push(...page.items.map((o) => o.id));
      assert.equal(page.total, seen.length);
    }
    assert.equal(pages, Math.ceil(expected.ids.length / 50));
    assert.equal(new Set(seen).size, seen.length, "no duplicates");
    assert.deepEqual(sorted(seen), sorted(expected.ids));
    assert.equal(it.cursor, expected.cursor, "the committed cursor is the end of the feed");
  });

  test("feed: objects() yields items one by one and commits whole pages", async (ctx) => {
    const s = await sekoia(ctx);
    const store = ctx.lib.memoryCursorStore();
    const objs = s.feed().objects({ limit: 60, types: ["malware"], store });
    let n = 0;
    for await (const o of objs) {
      assert.equal(o.type, "malware");
      n += 1;
    }
    const expected = await rawFeed(ctx, { limit: 60, "match[type]": "malware" });
    assert.equal(n, expected.ids.length);
    assert.equal(store.entries()[`sekoia:feed:${FEED}`], expected.cursor);
    assert.equal(objs.cursor, expected.cursor);
  });

  test("lists: a feed is an async iterable of its objects; every list has a callable .pages() and a resumable cursor", async (ctx) => {
    const s = await sekoia(ctx);
    // `for await (const o of sekoia.feed())`: the default feed's objects, as objects() gives them
    const direct = [];
    for await (const o of s.feed()) {
      direct.push(o.id);
      if (direct.length === 150) break;
    }
    const viaObjects = [];
    for await (const o of s.feed().objects()) {
      viaObjects.push(o.id);
      if (viaObjects.length === 150) break;
    }
    assert.deepEqual(direct, viaObjects);
    // `.pages` and `.pages()` are the one page iterator of a list
    const list = s.listObjects({ types: ["malware"], limit: 7 });
    assert.equal(list.pages(), list.pages()[Symbol.asyncIterator]());
    assert.equal(list.cursor, 0, "nothing handed over yet");
    const first = await list.pages().next();
    assert.equal(first.value.items.length, 7);
    assert.equal(list.cursor, 0, "the page in hand is not counted before the next is asked for");
    const second = await list.pages.next();
    assert.equal(list.pages().cursor, 7);
    await list.pages().commit();
    assert.equal(list.cursor, 14);
    // resuming from the cursor continues exactly after what was handed over
    const resumed = await s.listObjects({ types: ["malware"], limit: 7, offset: list.cursor }).pages().next();
    const straight = [];
    for await (const page of s.listObjects({ types: ["malware"], limit: 7, maxItems: 21 }).pages()) straight.push(...page.items.map((o) => o.id));
    assert.deepEqual([...first.value.items, ...second.value.items, ...resumed.value.items].map((o) => o.id), straight);
    // maxItems trims a page: the cursor resumes after the items handed over, not the ones dropped
    const trimmed = s.listObjects({ types: ["malware"], limit: 7, maxItems: 10 });
    let n = 0;
    for await (const o of trimmed) n += 1;
    assert.equal(n, 10);
    assert.equal(trimmed.cursor, 10);
  });

  test("feed: restart from a stored cursor re-delivers at most the uncommitted page", async (ctx) => {
    const s = await sekoia(ctx);
    const store = ctx.lib.memoryCursorStore();
    const first = [];
    const cursors = [];
    for await (const page of s.feed().pages({ limit: 40, types: TYPES, store })) {
      first.push(page.items.map((o) => o.id));
      cursors.push(page.cursor);
      if (first.length === 3) break; // "crash" while holding page 3: it was never committed
    }
    assert.equal(store.entries()[`sekoia:feed:${FEED}`], cursors[1], "page 2 committed, page 3 not");
    const second = [];
    for await (const page of s.feed().pages({ limit: 40, types: TYPES, store })) second.push(page.items.map((o) => o.id));
    assert.deepEqual(second[0], first[2], "the uncommitted page comes again");
    const all = [...first.flat(), ...second.flat()];
    const expected = await rawFeed(ctx, { limit: 40, "match[type]": TYPES.join(",") });
    assert.deepEqual(sorted(new Set(all)), sorted(expected.ids), "nothing lost");
    assert.equal(all.length - new Set(all).size, first[2].length, "duplicates: exactly one page");
  });

  test("feed: incremental sync after a full one returns only what was published since", async (ctx) => {
    const s = await sekoia(ctx);
    const store = ctx.lib.memoryCursorStore();
    const full = await drainIds(s.feed().pages({ limit: 2000, types: ["indicator"], store }));
    assert.ok(full.length > 1000, `full sync: ${full.length} indicators`);
    assert.equal((await drainIds(s.feed().pages({ limit: 2000, types: ["indicator"], store }))).length, 0, "nothing new yet");
    await publish(ctx, 7);
    const fresh = await drainIds(s.feed().pages({ limit: 2000, types: ["indicator"], store }));
    assert.equal(fresh.length, 7);
    assert.ok(fresh.every((id) => !full.includes(id)));
  });

  test("feed: every cursor store adapter resumes a sync", async (ctx) => {
    const { lib } = ctx;
    const s = await sekoia(ctx);
    const mapStorage = () => {
      const m = new Map();
      return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, String(v)), m };
    };
    const chromeArea = () => {
      const m = new Map();
      return { get: async (k) => (m.has(k) ? { [k]: m.get(k) } : {}), set: async (o) => Object.entries(o).forEach(([k, v]) => m.set(k, v)), m };
    };
    const kv = () => {
      const m = new Map();
      return { get: async (k) => m.get(k) ?? null, put: async (k, v) => m.set(k, v), m };
    };
    const expected = await rawFeed(ctx, { limit: 30, "match[type]": "malware" });
    const web = mapStorage();
    const chrome = chromeArea();
    const cf = kv();
    const stores = [
      ["memory", lib.memoryCursorStore()],
      ["webStorage", lib.webStorageCursorStore(web)],
      ["chromeStorage", lib.chromeStorageCursorStore(chrome)],
      ["kv", lib.kvCursorStore(cf)],
    ];
    if (ctx.runtime === "chromium") {
      localStorage.clear();
      stores.push(["localStorage", lib.webStorageCursorStore()]);
    }
    for (const [name, store] of stores) {
      const seen = [];
      for await (const page of s.feed().pages({ limit: 30, types: ["malware"], store })) {
        seen.push(...page.items.map((o) => o.id));
        if (seen.length >= 60) break;
      }
      for await (const page of s.feed().pages({ limit: 30, types: ["malware"], store })) seen.push(...page.items.map((o) => o.id));
      assert.deepEqual(sorted(new Set(seen)), sorted(expected.ids), name);
      assert.equal(seen.length, expected.ids.length + 30, `${name}: one page re-delivered`);
    }
    assert.equal(web.m.get(`cti-edge:sekoia:feed:${FEED}`), expected.cursor);
    assert.equal(chrome.m.get(`cti-edge:sekoia:feed:${FEED}`), expected.cursor);
    assert.equal(cf.m.get(`cti-edge:sekoia:feed:${FEED}`), expected.cursor);
    assert.throws(() => lib.kvCursorStore({}), lib.ValidationError);
  });

  test("feed: follow mode picks up objects published later and stops on abort", async (ctx) => {
    const s = await sekoia(ctx);
    const store = ctx.lib.memoryCursorStore();
    await drainIds(s.feed().pages({ limit: 2000, types: ["indicator"], store }));
    const ac = new AbortController();
    setTimeout(() => publish(ctx, 4), 400);
    let got = 0;
    const t0 = Date.now();
    for await (const page of s.feed().pages({ limit: 2000, types: ["indicator"], store, follow: { intervalMs: 150 }, signal: ac.signal })) {
      got += page.items.length;
      if (got >= 4) break;
    }
    assert.equal(got, 4);
    assert.ok(Date.now() - t0 >= 300, "waited for the publication");
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(drainIds(s.feed().pages({ limit: 2000, types: ["indicator"], store, follow: { intervalMs: 150 }, signal: ac.signal })), ctx.lib.AbortError);
  });

  test("feed: sync under chaos (429 + Retry-After, 5xx, reset, truncated JSON) delivers the same set within 5 req/s", async (ctx) => {
    const s = await sekoia(ctx, { retry: { limit: 6, baseDelayMs: 50 }, rateLimit: { cooldownMs: 300 }, headers: { "x-cti-test": "chaos" } });
    const expected = await rawFeed(ctx, { limit: 25, "match[type]": TYPES.join(",") });
    await ctx.sim.clearChaos();
    const path = `/sekoia/api/v2/inthreat/collections/${FEED}/objects`;
    const seen = [];
    const t0 = Date.now();
    let pages = 0;
    for await (const page of s.feed().pages({ limit: 25, types: TYPES })) {
      seen.push(...page.items.map((o) => o.id));
      if (++pages === 2) {
        // mid-sync: the next requests meet every kind of trouble, once each
        await ctx.sim.chaos({ path }, { status: 429, retryAfter: "1" }, 1);
        await ctx.sim.chaos({ path }, { status: 503 }, 2);
        await ctx.sim.chaos({ path }, { reset: true }, 1);
        await ctx.sim.chaos({ path }, { truncate: true }, 1);
        await ctx.sim.chaos({ path }, { status: 502 }, 1);
      }
    }
    await ctx.sim.clearChaos();
    assert.deepEqual(sorted(seen), sorted(expected.ids), "same set");
    assert.equal(new Set(seen).size, seen.length, "no duplicates from retries");
    // A browser re-sends a request whose reused connection was reset, invisibly to JS; the
    // request it lost (status null) is not one the client could have counted.
    const times = (await ctx.sim.log(path)).filter((r) => r.headers["x-cti-test"] === "chaos" && (ctx.runtime !== "chromium" || r.status !== null)).map((r) => r.t);
    assert.ok(maxInWindow(times, 1000) <= 5, `max ${maxInWindow(times, 1000)} requests in a 1 s window: ${JSON.stringify(times.map((t) => Math.round(t - t0)))}`);
  });

  test("feed: bad options are refused before any request", async (ctx) => {
    const { lib } = ctx;
    const s = await sekoia(ctx);
    const before = (await ctx.sim.log("/sekoia/")).length;
    const bad = [
      [{ limit: 0 }, "limit"], [{ limit: 2001 }, "limit"], [{ limit: 1.5 }, "limit"], [{ types: ["Bad Type"] }, "types"],
      [{ types: "indicator,malware" }, "types"], [{ modifiedAfter: "yesterday" }, "modifiedAfter"], [{ modifiedAfter: new Date("x") }, "modifiedAfter"],
      [{ cursor: "" }, "cursor"], [{ store: {} }, "store"], [{ follow: { intervalMs: 1 } }, "follow.intervalMs"], [{ onPage: 3 }, "onPage"],
      [{ signal: "x" }, "signal"],
    ];
    for (const [opts, field] of bad) {
      const e = assert.throws(() => s.feed().pages(opts), lib.ValidationError, JSON.stringify(opts));
      assert.equal(e.field, field, JSON.stringify(opts));
    }
    assert.throws(() => s.feed(42), lib.ValidationError);
    assert.throws(() => s.feed("../x"), lib.ValidationError);
    assert.throws(() => s.feed(""), lib.ValidationError);
    assert.equal((await ctx.sim.log("/sekoia/")).length, before, "no request was sent");
  });

  test("feed: onPage callback, modifiedAfter and a custom feed id", async (ctx) => {
    const s = await sekoia(ctx);
    const since = "2024-01-01T00:00:00Z";
    const seen = [];
    const ids = await drainIds(s.feed(ctx.lib.Sekoia.DEFAULT_FEED_ID).pages({ limit: 100, types: ["attack-pattern"], modifiedAfter: new Date(since), onPage: (p) => seen.push(p.items.length) }));
    assert.equal(seen.reduce((a, b) => a + b, 0), ids.length);
    const raw = await rawItems(ctx, { limit: 2000, "match[type]": "attack-pattern", modified_after: since });
    assert.deepEqual(sorted(ids), sorted(raw.map((o) => o.id)));
    await assert.rejects(drainIds(s.feed("00000000-0000-4000-8000-000000000000").pages({ limit: 10 })), ctx.lib.NotFoundError);
  });

  test("objects: getObject, getObjects (batched, aligned), getRelationship, context, relationships", async (ctx) => {
    const { lib } = ctx;
    const s = await sekoia(ctx);
    const malware = await rawItems(ctx, { limit: 100, "match[type]": "malware" });
    const m = malware[0];
    assert.equal((await s.getObject(m.id)).id, m.id);
    const ids = malware.map((o) => o.id).concat(["malware--00000000-0000-4000-8000-000000000000"]);
    const many = await s.getObjects(ids);
    assert.equal(many.length, ids.length);
    assert.deepEqual(many.slice(0, -1).map((o) => o.id), ids.slice(0, -1), "results in order");
    assert.equal(many.at(-1), null, "unknown id gives null");
    const batches = (await ctx.sim.log("/sekoia/api/v2/inthreat/objects/")).filter((r) => r.path.includes(","));
    assert.ok(batches.every((r) => decodeURIComponent(r.path).split("/").pop().split(",").length <= 40), "≤ 40 ids per request");
    await assert.rejects(s.getObject("malware--00000000-0000-4000-8000-000000000000"), lib.NotFoundError);
    await assert.rejects(s.getObject("not an id"), lib.ValidationError);
    await assert.rejects(s.getObjects("x"), lib.ValidationError);

    const rel = (await rawItems(ctx, { limit: 5, "match[type]": "relationship" }))[0];
    assert.equal((await s.getRelationship(rel.id)).relationship_type, rel.relationship_type);
    const bundle = await s.context(rel.source_ref);
    assert.equal(bundle.type, "bundle");
    assert.ok(bundle.objects.some((o) => o.id === rel.source_ref));
    assert.ok(bundle.objects.length <= 101);

    let n = 0;
    for await (const item of s.objectRelationships(rel.source_ref, { limit: 2 })) {
      assert.ok(item.relationship && item.related_object);
      n += 1;
    }
    assert.ok(n >= 1);
    let listed = 0;
    for await (const o of s.listObjects({ types: ["malware"], limit: 7, maxItems: 10 })) {
      assert.equal(o.type, "malware");
      listed += 1;
    }
    assert.equal(listed, 10, "maxItems");
    assert.throws(() => s.listObjects({ limit: 101 }), lib.ValidationError);
  });

  test("objects: file download as bytes, checked against its SHA-256", async (ctx) => {
    const s = await sekoia(ctx);
    const reports = await rawItems(ctx, { limit: 50, "match[type]": "report" });
    const report = reports.find((r) => (r.x_inthreat_uploaded_files ?? []).length > 0);
    assert.ok(report, "the simulator serves reports with files");
    const file = report.x_inthreat_uploaded_files[0];
    const bytes = await s.objectFile(report.id, file.sha256);
    assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(digest, file.sha256.toLowerCase());
    await assert.rejects(s.objectFile(report.id, "00".repeat(32)), ctx.lib.NotFoundError);
    await assert.rejects(s.objectFile(report.id, "xyz"), ctx.lib.ValidationError);
  });

  test("IOC lookup: type detected from the value, explicit type, unknown value, refused junk", async (ctx) => {
    const { lib } = ctx;
    const s = await sekoia(ctx);
    const [ind] = await rawItems(ctx, { limit: 1, "match[type]": "indicator", "match[observable_type]": "domain-name" });
    const value = ind.name;
    const found = await s.indicatorContext({ value });
    assert.equal(found.type, "domain-name");
    assert.ok(found.bundles.length >= 1);
    assert.ok(found.bundles[0].objects.some((o) => o.id === ind.id));
    const defanged = await s.indicatorContext({ value: value.replace(/\./g, "[.]") });
    assert.equal(defanged.value, value, "defanged input is refanged before the lookup");
    const explicit = await s.indicatorContext({ value, type: "domain-name" });
    assert.equal(explicit.bundles.length, found.bundles.length);
    const none = await s.indicatorContext({ value: "203.0.113.77" });
    assert.deepEqual(none.bundles, []);
    assert.equal(none.type, "ipv4-addr");
    const byHash = await s.indicatorContext({ value: "d41d8cd98f00b204e9800998ecf8427e" });
    assert.equal(byHash.type, "file");
    assert.ok(Array.isArray(await s.findIndicators({ value })));
    const before = (await ctx.sim.log("/sekoia/api/v2/inthreat/indicators")).length;
    for (const bad of [{ value: "" }, { value: "not an ioc at all" }, { value: "1.2.3.4/32" }, { value: "x", type: "ip" }, {}]) {
      await assert.rejects(s.indicatorContext(bad), lib.ValidationError, JSON.stringify(bad));
    }
    assert.equal((await ctx.sim.log("/sekoia/api/v2/inthreat/indicators")).length, before, "no request for junk");
  });

  test("feeds CRUD and TLP constants", async (ctx) => {
    const { lib } = ctx;
    const s = await sekoia(ctx);
    assert.equal(lib.Sekoia.TLP.GREEN, "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da");
    const created = await s.createFeed({ title: "cti-edge test feed", types: ["indicator"], tlps: [lib.Sekoia.TLP.WHITE] });
    assert.ok(created.id);
    assert.equal((await s.getFeed(created.id)).title, "cti-edge test feed");
    const updated = await s.updateFeed(created.id, { ...created, title: "renamed" });
    assert.equal(updated.title, "renamed");
    let found = false;
    for await (const f of s.listFeeds({ limit: 10 })) if (f.id === created.id) found = true;
    assert.ok(found);
    await s.deleteFeed(created.id);
    await assert.rejects(s.getFeed(created.id), lib.NotFoundError);
    await assert.rejects(s.getFeed("not-a-uuid"), lib.ValidationError);
    await assert.rejects(s.createFeed("x"), lib.ValidationError);
    await assert.rejects(s.deleteFeed(FEED), lib.PermissionError);
  });
}

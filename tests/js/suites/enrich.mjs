// Multi-provider enrichment: merged verdict, TTL cache, coalesced in-flight lookups, one
// provider failing without failing the others, bad input refused before any request.
import { assert } from "../harness.mjs";

async function clients(ctx, opts = {}) {
  const k = (await ctx.sim.info()).keys;
  const { lib } = ctx;
  return {
    sekoia: new lib.Sekoia({ apiKey: k.sekoia, baseUrl: `${ctx.sim.url}/sekoia`, retry: false, ...opts }),
    networksage: new lib.NetworkSage({ apiKey: k.networksage, baseUrl: `${ctx.sim.url}/networksage`, retry: false, ...opts }),
    groupib: new lib.GroupIB({ username: k.groupib.username, apiKey: k.groupib.apiKey, baseUrl: `${ctx.sim.url}/groupib/api/v2/`, retry: false, ...opts }),
  };
}

async function knownDomain(ctx) {
  const k = (await ctx.sim.info()).keys;
  const u = `${ctx.sim.url}/sekoia/api/v2/inthreat/collections/d6092c37-d8d7-45c3-8aff-c4dc26030608/objects?limit=50&match[type]=indicator&match[observable_type]=domain-name&include_revoked=false`;
  const items = (await (await fetch(u, { headers: { authorization: `Bearer ${k.sekoia}` } })).json()).items;
  return items.find((i) => !i.revoked && Date.parse(i.valid_until) > Date.now())?.name ?? items[0].name;
}

export function register(test) {
  test("enrich: one merged verdict from every provider that can answer", async (ctx) => {
    const providers = await clients(ctx);
    const value = await knownDomain(ctx);
    const r = await ctx.lib.enrich(value.replace(/\./g, "[.]"), providers);
    assert.equal(r.value, value);
    assert.equal(r.type, "domain");
    assert.equal(r.sekoiaType, "domain-name");
    assert.deepEqual(Object.keys(r.providers).sort(), ["groupib", "networksage", "sekoia"]);
    assert.ok(r.providers.sekoia.ok && r.providers.sekoia.known, JSON.stringify(r.providers.sekoia).slice(0, 300));
    assert.ok(["malicious", "known"].includes(r.verdict), r.verdict);
    assert.ok(Array.isArray(r.threats) && Array.isArray(r.sources));
    const hash = await ctx.lib.enrich("d41d8cd98f00b204e9800998ecf8427e", providers);
    assert.ok(!("networksage" in hash.providers), "NetworkSage is not asked about hashes");
  });

  test("enrich: identical lookups are coalesced and cached for the TTL", async (ctx) => {
    const providers = await clients(ctx);
    const enricher = ctx.lib.createEnricher({ sekoia: providers.sekoia }, { ttlMs: 60_000 });
    const value = "198.51.100.23";
    const before = (await ctx.sim.log("/sekoia/api/v2/inthreat/indicators/context")).length;
    const [a, b] = await Promise.all([enricher.enrich(value), enricher.enrich(value)]);
    await enricher.enrich(value);
    const after = (await ctx.sim.log("/sekoia/api/v2/inthreat/indicators/context")).length;
    assert.equal(after - before, 1, "one request for three calls");
    assert.equal(a.verdict, "unknown");
    assert.deepEqual(a, b);
    assert.equal(enricher.cacheSize, 1);
    enricher.clearCache();
    await enricher.enrich(value);
    assert.equal((await ctx.sim.log("/sekoia/api/v2/inthreat/indicators/context")).length - before, 2);
  });

  test("enrich: enrichMany keeps input order and reports progress per value", async (ctx) => {
    const providers = await clients(ctx);
    const enricher = ctx.lib.createEnricher({ sekoia: providers.sekoia }, { concurrency: 2 });
    const values = ["198.51.100.31", "198.51.100.32", "d41d8cd98f00b204e9800998ecf8427e", "198.51.100.33"];
    const seen = [];
    const out = await enricher.enrichMany(values, { onProgress: (p) => seen.push([p.done, p.total]) });
    assert.deepEqual(out.map((r) => r.value), values);
    assert.deepEqual(seen, [[1, 4], [2, 4], [3, 4], [4, 4]]);
    const stop = new Error("enough");
    assert.equal(await assert.rejects(enricher.enrichMany(values, { onProgress: () => { throw stop; } }), Error), stop);
  });

  test("enrich: a failing provider does not fail the others; bad input sends nothing", async (ctx) => {
    const providers = await clients(ctx);
    await ctx.sim.chaos({ path: "/groupib/api/v2/search" }, { status: 500 }, 1);
    const r = await ctx.lib.createEnricher(providers).enrich("203.0.113.99");
    assert.equal(r.providers.groupib.ok, false);
    assert.equal(r.providers.groupib.error.name, "ServerError");
    assert.ok(r.providers.sekoia.ok);
    const before = (await ctx.sim.log("/")).length;
    for (const bad of ["", "not an ioc", "1.2.3.4/32"]) {
      await assert.rejects(() => ctx.lib.enrich(bad, providers), ctx.lib.ValidationError, bad);
    }
    // enrichMany checks every value before the first lookup: a bad one late in the list sends nothing
    const many = ctx.lib.createEnricher(providers);
    const e = await assert.rejects(many.enrichMany(["198.51.100.7", "evil.example.com", "not an ioc"]), ctx.lib.ValidationError);
    assert.equal(e.field, "values[2]");
    await assert.rejects(many.enrichMany("198.51.100.7"), ctx.lib.ValidationError);
    await assert.rejects(many.enrichMany(["198.51.100.7"], { onProgress: 1 }), ctx.lib.ValidationError);
    assert.throws(() => ctx.lib.createEnricher({}), ctx.lib.ValidationError);
    assert.throws(() => ctx.lib.createEnricher(providers, { concurrency: 0 }), ctx.lib.ValidationError);
    assert.equal((await ctx.sim.log("/")).length, before);
  });
}

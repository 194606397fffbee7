// Chaos: a Group-IB update iteration and a NetworkSage aggregation while the simulator injects
// 429 storms with Retry-After, 5xx bursts, connection resets and truncated JSON. Nothing is lost,
// nothing is duplicated, results equal a clean run, and the client stays within 5 requests in any
// second. (The feed sync and the LiveAPI-followed import under chaos live in sekoia-intel.mjs and
// sekoia-ops.mjs.)
import { assert, drainIds } from "../harness.mjs";
import { densestWindow } from "../sim-client.mjs";

/** One of each kind of trouble, in order, on requests matching `path`. */
async function storm(ctx, path) {
  await ctx.sim.chaos({ path }, { status: 429, retryAfter: "1" }, 1);
  await ctx.sim.chaos({ path }, { status: 503 }, 2);
  await ctx.sim.chaos({ path }, { reset: true }, 1);
  await ctx.sim.chaos({ path }, { truncate: true }, 1);
  await ctx.sim.chaos({ path }, { status: 502 }, 1);
}

/** At most 5 of the logged requests in any second; a failure shows that second (ms, status, path). */
const assertWithinRate = (log, ctx) => {
  // Chromium re-sends a request whose reused connection was reset, invisibly to JS (see sekoia-intel).
  const run = densestWindow(log.filter((r) => ctx.runtime !== "chromium" || r.status !== null), 1000);
  const shown = run.map((r) => [Math.round(r.t - run[0].t), r.status, r.path]);
  assert.ok(run.length <= 5, `max ${run.length} requests in a 1 s window: ${JSON.stringify(shown)}`);
};

export function register(test) {
  test("chaos: a Group-IB update iteration delivers the same items as a clean run, within 5 req/s", async (ctx) => {
    const k = (await ctx.sim.info()).keys.groupib;
    const opts = { username: k.username, apiKey: k.apiKey, baseUrl: `${ctx.sim.url}/groupib/api/v2/`, retry: { limit: 6, baseDelayMs: 50 }, rateLimit: { cooldownMs: 300 } };
    const clean = await drainIds(new ctx.lib.GroupIB(opts).updates("malware/cnc", { limit: 30 }));
    assert.ok(clean.length > 60, `${clean.length} items`);
    const g = new ctx.lib.GroupIB({ ...opts, headers: { "x-cti-test": "gib-chaos" } });
    const path = "/groupib/api/v2/malware/cnc/updated";
    const ids = [];
    let n = 0;
    for await (const p of g.updates("malware/cnc", { limit: 30 })) {
      ids.push(...p.items.map((i) => i.id));
      if (++n === 1) await storm(ctx, path);
    }
    await ctx.sim.clearChaos();
    assert.deepEqual(ids, clean, "same items, same order, no loss, no duplicate");
    const log = (await ctx.sim.log(path)).filter((r) => r.headers["x-cti-test"] === "gib-chaos");
    assert.ok(log.some((r) => r.status === 429) && log.some((r) => r.status === 503), "the storm happened");
    assertWithinRate(log, ctx);
  });

  test("chaos: a NetworkSage aggregation equals the clean one despite failures on its lookups", async (ctx) => {
    const k = (await ctx.sim.info()).keys;
    // The longest chaos run (~140 requests over ~30 s, 4 in flight): once, in Chromium on a busy
    // 2-core machine, one request reached the simulator more than the default 50 ms margin after
    // the guard let it go, and the server saw 6 in a second. The margin is the option for that
    // gap between client and server; the server-side count below stays strict.
    const base = { apiKey: k.networksage, baseUrl: `${ctx.sim.url}/networksage`, retry: { limit: 6, baseDelayMs: 50 }, rateLimit: { perSecond: 5, cooldownMs: 300, safetyMarginMs: 150 } };
    const ns = new ctx.lib.NetworkSage(base);
    const sample = (await ns.listSamples()).find((r) => r.processed);
    assert.ok(sample, "a processed sample");
    const clean = await ns.aggregated(sample.uuid, { concurrency: 4 });
    assert.ok(clean.length > 0);
    const chaotic = new ctx.lib.NetworkSage({ ...base, headers: { "x-cti-test": "ns-chaos" } });
    for (const family of ["/networksage/sec/v1.0/destinations", "/networksage/sec/v1.0/behaviors", "/networksage/sec/v1.0/secflows"]) await storm(ctx, family);
    const got = await chaotic.aggregated(sample.uuid, { concurrency: 4 });
    await ctx.sim.clearChaos();
    assert.deepEqual(got, clean);
    const log = (await ctx.sim.log("/networksage/")).filter((r) => r.headers["x-cti-test"] === "ns-chaos");
    assert.ok(log.some((r) => r.status === 503 || r.status === 429), "the storm happened");
    assertWithinRate(log, ctx);
  });
}

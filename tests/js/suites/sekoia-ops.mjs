// Sekoia IOC collections (CRUD, JSON/text/file imports with LiveAPI progress), event search
// jobs, the rules catalog and the positional request form — through the package.
import { assert } from "../harness.mjs";

async function keys(ctx) {
  ctx.keys ??= (await ctx.sim.info()).keys;
  return ctx.keys;
}

/** The LiveAPI transport per runtime: Node 20 has no global WebSocket (the runner injects the
 * `ws` package, which sends the cookie); browsers cannot set a cookie on a WebSocket (the
 * simulator's first-message auth); workerd uses fetch + Upgrade with the cookie (default). */
function liveOptions(ctx) {
  if (ctx.runtime === "node") return { webSocket: ctx.webSocketFactory };
  if (ctx.runtime === "chromium") return { authMessage: true };
  return undefined;
}

async function sekoia(ctx, opts = {}) {
  const k = await keys(ctx);
  return new ctx.lib.Sekoia({ apiKey: k.sekoia, baseUrl: `${ctx.sim.url}/sekoia`, live: liveOptions(ctx), rateLimit: false, ...opts });
}

async function control(ctx, method, path, body) {
  const r = await fetch(ctx.sim.url + path, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  assert.ok(r.ok, `${method} ${path}: ${r.status}`);
  return r.json();
}

const importSpeed = (ctx, importBatch, importTickMs = 50) => control(ctx, "POST", "/__sim/sekoia/ioc/config", { importBatch, importTickMs });

async function freshCollection(ctx, s, name) {
  return s.createIocCollection({ name: `${name} ${ctx.sim.uid("c")}`, description: "cti-edge test" });
}

function ips(n, seed = 1) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(`10.${seed}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  return out;
}

async function follow(task, deadlineMs = 60_000) {
  const seen = [];
  for await (const p of task.progress({ deadline: Date.now() + deadlineMs })) seen.push(p);
  return seen;
}

export function register(test) {
  test("ioc collections: create, get, list (async iterable), update, quota, delete", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "CRUD");
    assert.match(c.id, /^ioc-collection--/);
    assert.equal((await s.getIocCollection(c.id)).name, c.name);
    const names = [];
    for await (const x of s.listIocCollections({ limit: 1, withIndicatorsCount: true })) names.push(x.name);
    assert.ok(names.includes(c.name) && names.includes("Sim blocklist"), names.join(","));
    const u = await s.updateIocCollection(c.id, { description: "changed", availableForSubCommunities: true });
    assert.equal(u.description, "changed");
    assert.equal(u.available_for_sub_communities, true);
    const q = await s.iocQuota();
    assert.ok(q.count >= 4 && q.max === 500000 && q.remaining === q.max - q.count, JSON.stringify(q));
    await assert.rejects(s.createIocCollection({ name: "x", description: "d".repeat(501) }), ctx.lib.ValidationError);
    await s.deleteIocCollection(c.id);
    await assert.rejects(s.getIocCollection(c.id), ctx.lib.NotFoundError);
  });

  test("ioc import: JSON import chunks 250 values into 3 calls; invalid values reported and not sent", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "JSON");
    const values = [...ips(248, 2), "1.2.3.4/32", "not an ioc", { value: "evil[.]example[.]com", description: "defanged" }, "44d88612fea8a8f36de82e1278abb02f"];
    const prefix = `/sekoia/api/v2/inthreat/ioc-collections/${c.id}/indicators`;
    const progress = [];
    const onProgress = (p) => progress.push([p.done, p.total, p.imported, p.chunk.sent]);
    const r = await s.importIndicators(c.id, { indicators: values, defaultFields: { validUntil: new Date(Date.now() + 86400e3) }, onProgress });
    const calls = (await ctx.sim.log(prefix)).filter((e) => e.method === "POST");
    assert.equal(calls.length, 3, "250 valid values → 100 + 100 + 50");
    assert.deepEqual(r.chunks.map((x) => [x.sent, x.ok]), [[100, true], [100, true], [50, true]]);
    assert.deepEqual(progress, [[1, 3, 100, 100], [2, 3, 200, 100], [3, 3, 250, 50]]);
    await assert.rejects(s.importIndicators(c.id, { indicators: ["1.2.3.4"], onProgress: "bar" }), ctx.lib.ValidationError);
    assert.equal(r.imported, 250);
    assert.deepEqual(r.rejected.map((x) => [x.index, x.value]), [[248, "1.2.3.4/32"], [249, "not an ioc"]]);
    assert.match(r.rejected[0].reason, /CIDR/);
    assert.ok(r.items.some((i) => i.name === "evil.example.com"), "defanged value refanged before sending");
    const page = await s.listCollectionIndicators(c.id, { limit: 5 }).pages.next();
    assert.equal(page.value.total, 250, "only valid values reached the server");
    // an indicator's lifecycle: update, context, revoke
    const ind = r.items[0];
    assert.equal((await s.updateCollectionIndicator(c.id, ind.id, { description: "updated" })).description, "updated");
    assert.equal((await s.collectionIndicatorContext(c.id, ind.id)).objects[0].id, ind.id);
    assert.equal((await s.revokeCollectionIndicator(c.id, ind.id)).revoked, true);
    await control(ctx, "POST", "/__sim/sekoia/ioc/age-revoked");
    await s.deleteCollectionIndicator(c.id, ind.id);
    // what the callback throws stops the import after that call and is what it rejects with
    const stop = new Error("stop here");
    const before = (await ctx.sim.log(prefix)).filter((e) => e.method === "POST").length;
    assert.equal(await assert.rejects(s.importIndicators(c.id, { indicators: ips(250, 9), onProgress: () => { throw stop; } }), Error), stop, "rejects with what the callback threw");
    assert.equal((await ctx.sim.log(prefix)).filter((e) => e.method === "POST").length, before + 1, "one call, then stopped");
    await s.deleteIocCollection(c.id);
  });

  test("ioc import: 10 000 values by text, LiveAPI progress to exact completion", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "Text");
    await importSpeed(ctx, 500);
    try {
      const task = await s.importText(c.id, { indicators: ips(10_000, 3).join("\n"), description: "bulk", batchSize: 2500 });
      assert.equal(task.taskIds.length, 4, "one task per batch of 2500");
      const seen = await follow(task);
      const last = seen[seen.length - 1];
      assert.ok(seen.length >= 3, `progress steps: ${seen.length}`);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].imported >= seen[i - 1].imported, "monotonic");
      assert.deepEqual([last.imported, last.total, last.tasks, last.finishedTasks, last.done], [10_000, 10_000, 4, 4, true]);
      const done = await task.done({ deadline: Date.now() + 5000 });
      assert.equal(done.imported, 10_000);
      console.log(`      LiveAPI transport (${ctx.runtime}): ${task.transport}`);
      for (const id of task.taskIds) {
        const t = await control(ctx, "GET", `/__sim/sekoia/tasks/${id}`);
        assert.deepEqual([t.status, t.imported, t.total, t.invalid], ["finished", 2500, 2500, 0]);
      }
      const upgrades = await ctx.sim.log("/sekoia/live");
      assert.ok(upgrades.every((e) => !e.path.includes(ctx.keys.sekoia) && !(e.query ?? "").includes(ctx.keys.sekoia)), "no key in the URL");
      await s.deleteIocCollection(c.id);
    } finally {
      await importSpeed(ctx, 200, 100);
    }
  });

  test("ioc import: progress continues after a forced WebSocket drop (chaos wsDrop)", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "Drop");
    await importSpeed(ctx, 200, 40);
    const before = (await ctx.sim.log("/sekoia/live")).length;
    await ctx.sim.chaos({ path: "/sekoia/live" }, { wsDrop: { afterMessages: 6 } }, 1);
    try {
      const task = await s.importText(c.id, { indicators: ips(10_000, 4) });
      assert.equal(task.taskIds.length, 10);
      const seen = await follow(task);
      const last = seen[seen.length - 1];
      assert.deepEqual([last.imported, last.total, last.done], [10_000, 10_000, true]);
      const upgrades = (await ctx.sim.log("/sekoia/live")).length - before;
      assert.ok(upgrades >= 2, `reconnected (${upgrades} upgrades)`);
      const page = await s.listCollectionIndicators(c.id, { limit: 1 }).pages.next();
      assert.equal(page.value.total, 10_000);
      await s.deleteIocCollection(c.id);
    } finally {
      await ctx.sim.clearChaos();
      await importSpeed(ctx, 200, 100);
    }
  });

  test("ioc collections: the iocCollections view is the sketch's shape over the same client", async (ctx) => {
    const s = await sekoia(ctx);
    const view = s.iocCollections;
    assert.equal(s.iocCollections, view, "one view per client");
    assert.ok(Object.isFrozen(view));
    assert.deepEqual(Object.keys(view).sort(), ["create", "delete", "deleteIndicator", "get", "importIndicators", "importText", "indicatorContext",
      "indicators", "list", "previewFile", "processFile", "quota", "revokeIndicator", "update", "updateIndicator"]);
    const c = await view.create({ name: `View ${ctx.sim.uid("c")}` });
    assert.equal((await s.getIocCollection(c.id)).name, c.name, "created on the same account");
    assert.equal((await view.get(c.id)).id, c.id);
    // as in the design sketch: importText then progress({ signal }) with imported / total
    const lines = ips(300, 7);
    const task = await view.importText(c.id, { indicators: lines });
    const ratios = [];
    for await (const p of task.progress({ signal: AbortSignal.timeout(30_000) })) ratios.push(p.imported / p.total);
    assert.equal(ratios.at(-1), 1, ratios.join(","));
    const values = [];
    for await (const x of view.indicators(c.id, { limit: 100 })) values.push(x.name);
    assert.equal(values.length, 300);
    // bad input is refused by the flat method behind the view, before anything is sent
    await assert.rejects(view.importText(c.id, { indicators: "1.2.3.4", format: "csv" }), ctx.lib.ValidationError);
    await assert.rejects(view.get("../x"), ctx.lib.ValidationError);
    await view.delete(c.id);
    await assert.rejects(s.getIocCollection(c.id), ctx.lib.NotFoundError);
  });

  test("ioc import: unparseable lines are reported with line numbers and never sent", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "Invalid");
    const task = await s.importText(c.id, { indicators: ["8.8.8.8", "1.2.3.4/32", "", "not an ioc", "hxxp://bad[.]example[.]com/x"] });
    assert.deepEqual(task.rejected.map((r) => [r.line, r.value]), [[2, "1.2.3.4/32"], [4, "not an ioc"]]);
    const done = await task.done({ deadline: Date.now() + 10_000 });
    assert.deepEqual([done.imported, done.total], [2, 2]);
    const t = await control(ctx, "GET", `/__sim/sekoia/tasks/${task.taskIds[0]}`);
    assert.equal(t.invalid, 0, "the server saw no invalid line");
    const only = await s.importText(c.id, { indicators: "junk line\n1.2.3.4/32" });
    assert.equal(only.taskIds.length, 0, "nothing valid: nothing sent");
    assert.equal((await only.done()).total, 0);
    await assert.rejects(s.importText(c.id, { indicators: "1.2.3.4", format: "csv" }), ctx.lib.ValidationError);
    await s.deleteIocCollection(c.id);
  });

  test("ioc import: CSV file preview then process", async (ctx) => {
    const s = await sekoia(ctx);
    const c = await freshCollection(ctx, s, "File");
    const rows = ["indicator,comment", ...ips(30, 5).map((ip, i) => `${ip},row ${i}`)];
    const file = new Blob([rows.join("\n")], { type: "" });
    const p = await s.previewFile(c.id, file, { filename: "iocs.csv" });
    assert.equal(typeof p.file_handle, "string");
    assert.deepEqual(p.mapping, ["observable", null]);
    assert.equal(p.ignore_first_line, true);
    assert.equal(p.preview.length, 10);
    const upload = (await ctx.sim.log(`/sekoia/api/v2/inthreat/ioc-collections/${c.id}/indicators/files/preview`))[0];
    assert.match(upload.contentType, /^multipart\/form-data/);
    const task = await s.processFile(c.id, p.file_handle, { mapping: p.mapping, ignoreFirstLine: true });
    const done = await task.done({ deadline: Date.now() + 10_000 });
    assert.deepEqual([done.imported, done.total, done.tasks], [30, 30, 1]);
    await assert.rejects(s.previewFile(c.id, new Uint8Array([1]), { contentType: "image/png" }), ctx.lib.ValidationError);
    await s.deleteIocCollection(c.id);
  });

  test("search job: create, wait with progress, all events, expiry → GoneError, cancel → SearchJobError", async (ctx) => {
    const s = await sekoia(ctx);
    const job = await s.searchEvents({ query: "event.category:network", earliest: "-30d", latest: "now", maxLastEvents: 2100, ttl: 600 });
    assert.equal(job.status, 0);
    const statuses = [];
    const info = await job.wait({ pollMs: 100, onProgress: (j) => statuses.push(j.status), deadline: Date.now() + 20_000 });
    assert.equal(info.status, 2);
    assert.equal(job.status, 2);
    assert.ok(statuses.includes(1) || statuses.includes(0), statuses.join(","));
    const stop = new Error("stop waiting");
    const other = await s.searchEvents({ query: "event.category:network", earliest: "-30d", latest: "now", maxLastEvents: 10 });
    assert.equal(await assert.rejects(other.wait({ pollMs: 50, onProgress: () => { throw stop; }, deadline: Date.now() + 20_000 }), Error), stop, "rejects with what the callback threw");
    let n = 0;
    const it = job.events({ limit: 1000 });
    for await (const ev of it) n += ev ? 1 : 0;
    assert.equal(n, 2100, "offset paging up to total");
    const pages = (await ctx.sim.log(`/sekoia/api/v1/sic/conf/events/search/jobs/${job.uuid}/events`)).length;
    assert.equal(pages, 3);
    await control(ctx, "POST", `/__sim/sekoia/jobs/${job.uuid}/expire`);
    await assert.rejects(job.events().next(), ctx.lib.GoneError);

    const slow = await s.searchEvents({ query: "process.name:*", earliest: "2024-01-01T00:00:00Z", latest: "now" });
    await slow.cancel();
    const e = await assert.rejects(slow.wait({ pollMs: 50 }), ctx.lib.SearchJobError);
    assert.equal(e.statusName, "canceled");
    assert.equal(e.jobId, slow.uuid);

    const before = (await ctx.sim.log("/sekoia/api/v1/sic/conf/events")).length;
    await assert.rejects(s.searchEvents({ query: "x", earliest: "last week", latest: "now" }), ctx.lib.ValidationError);
    await assert.rejects(s.searchEvents({ query: "x", earliest: "-1d", latest: "now", ttl: 5 }), ctx.lib.ValidationError);
    assert.equal((await ctx.sim.log("/sekoia/api/v1/sic/conf/events")).length, before, "no request for invalid input");
    await assert.rejects(s.searchEvents({ query: "x", earliest: "-1d", latest: "now" }).then((j) => j.wait({ deadline: Date.now() + 150, pollMs: 50 })), ctx.lib.TimeoutError);
  });

  test("rules catalog: filters, get, create (invalid → ValidationError, no request), update, enable/disable, delete", async (ctx) => {
    const s = await sekoia(ctx);
    const all = [];
    for await (const r of s.listRules({ limit: 20 })) all.push(r);
    assert.equal(all.length, 50);
    const sigma = [];
    for await (const r of s.listRules({ types: ["sigma"], severity: [0, 100], sort: "name", direction: "asc" })) sigma.push(r);
    assert.ok(sigma.length > 0 && sigma.every((r) => r.type === "sigma"));
    assert.deepEqual(sigma.map((r) => r.name), [...sigma.map((r) => r.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.equal((await s.getRule(all[0].uuid)).uuid, all[0].uuid);

    const rule = { name: "cti-edge test rule", type: "sigma", payload: "detection:\n  sel:\n    a: b\n  condition: sel", severity: 40, effort: 2, alertTypeUuid: "1f3e7a8c-9b2d-4c6e-8f1a-2b3c4d5e6f70", enabled: false };
    const before = (await ctx.sim.log("/sekoia/api/v1/sic/conf/rules-catalog")).length;
    for (const bad of [{ name: "abc" }, { severity: 101 }, { effort: 9 }, { payload: "" }, { alertTypeUuid: "x" }, { enabled: undefined }]) {
      const e = await assert.rejects(s.createRule({ ...rule, ...bad }), ctx.lib.ValidationError, JSON.stringify(bad));
      assert.match(e.field, /^rule\./);
    }
    assert.equal((await ctx.sim.log("/sekoia/api/v1/sic/conf/rules-catalog")).length, before, "no request was sent");
    const created = await s.createRule(rule);
    assert.equal(created.enabled, false);
    assert.equal((await s.updateRule(created.uuid, { severity: 70 })).severity, 70);
    assert.equal((await s.enableRules(created.uuid)).enabled, true);
    // bulk: only the listed rules switch (the API switches every rule matching its filters)
    await s.enableRules([created.uuid, all[1].uuid, all[2].uuid]);
    await s.disableRules([created.uuid, all[1].uuid]);
    assert.equal((await s.getRule(created.uuid)).enabled, false);
    assert.equal((await s.getRule(all[1].uuid)).enabled, false);
    assert.equal((await s.getRule(all[2].uuid)).enabled, true, "a rule not listed is left alone");
    const [bulkReq] = (await ctx.sim.log("/sekoia/api/v1/sic/conf/rules-catalog/rules/disabled")).slice(-1);
    assert.equal(new URLSearchParams(bulkReq.query).get("match[uuid]"), `${created.uuid},${all[1].uuid}`);
    await s.deleteRule(created.uuid);
    await assert.rejects(s.getRule(created.uuid), ctx.lib.NotFoundError);
  });

  test("request(method, path, { query, body }): the positional form, same auth/errors/types", async (ctx) => {
    const s = await sekoia(ctx);
    const r = await s.request("GET", "/v2/inthreat/ioc-collections", { query: { limit: 1 } });
    assert.equal(r.status, 200);
    assert.equal(r.data.items.length, 1);
    const c = await s.request("POST", ["v2", "inthreat", "ioc-collections"], { body: { name: "positional" } });
    assert.equal(c.status, 201);
    assert.equal(c.data.name, "positional");
    const old = await s.request({ method: "DELETE", path: `/v2/inthreat/ioc-collections/${c.data.id}`, responseType: "none" });
    assert.equal(old.status, 204);
    await assert.rejects(s.request("GET", `/v2/inthreat/ioc-collections/${c.data.id}`), ctx.lib.NotFoundError);
    await assert.rejects(s.request("GET", "/x", { body: {} }), ctx.lib.ValidationError);
    await assert.rejects(s.request("POST", "/x", { body: {}, json: {} }), ctx.lib.ValidationError);
    const log = await ctx.sim.log("/sekoia/api/v2/inthreat/ioc-collections");
    assert.ok(log.length >= 3 && log.every((e) => e.authScheme === "bearer" && e.authOk));
  });
}

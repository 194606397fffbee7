// IndicatorSet through the package: add/has/match/remove, subdomains, URL normalisation,
// STIX objects (revoked/expired), matchText offsets, matchObject(s) paths, snapshots; and
// sets built from a Sekoia feed and Group-IB portions (full package only).
import { assert, drain } from "../harness.mjs";

const SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Sets fed by the API clients: run with the full package only (`cti-edge/ioc` has no clients). */
export function registerWithClients(test) {
  test("IndicatorSet: built from a Sekoia feed iterator and from Group-IB portions (simulator), then matched", async (ctx) => {
    const { lib, sim } = ctx;
    const keys = (await sim.info()).keys;
    // Sekoia: every indicator of the feed, page by page, through their STIX patterns
    const sekoia = new lib.Sekoia({ apiKey: keys.sekoia, baseUrl: `${sim.url}/sekoia` });
    const set = new lib.IndicatorSet({ subdomains: true });
    let added = 0;
    let indicators = [];
    for (const page of await drain(sekoia.feed().pages({ limit: 2000, types: ["indicator"] }))) {
      added += set.addStixObjects(page.items, { meta: (o) => ({ id: o.id, source: "sekoia" }) }).added;
      indicators = indicators.concat(page.items);
    }
    assert.ok(added > 0 && set.size > 0, `${added} values from ${indicators.length} indicators`);
    // live indicators are in, revoked / expired ones are not (unless a live one holds the value too)
    const live = (o) => !o.revoked && !(o.valid_until && Date.parse(o.valid_until) <= Date.now());
    const valueOf = (o) => lib.parseStixPattern(o.pattern).iocs[0]?.value;
    const liveIds = new Set(indicators.filter(live).map((o) => o.id));
    const liveValues = new Set(indicators.filter(live).map(valueOf));
    const active = indicators.find((o) => live(o) && valueOf(o));
    const gone = indicators.find((o) => !live(o) && valueOf(o) && !liveValues.has(valueOf(o)));
    assert.ok(active && gone, "the simulated feed holds live and expired indicators");
    const m = set.match(valueOf(active));
    assert.ok(m && m.meta.source === "sekoia" && liveIds.has(m.meta.id), JSON.stringify(m));
    assert.equal(set.has(valueOf(gone)), false, `${gone.id} is expired or revoked`);
    // Group-IB: the IOCs of each update portion (the collection's IOC keys)
    const gib = new lib.GroupIB({ username: keys.groupib.username, apiKey: keys.groupib.apiKey, baseUrl: `${sim.url}/groupib/api/v2/` });
    gib.setIocKeys("malware/cnc", { ips: "ipv4.ip", domains: "domain" });
    const before = set.size;
    let items = [];
    for (const portion of await drain(gib.updates("malware/cnc", { limit: 100 }))) {
      const iocs = portion.iocs();
      set.addMany([...iocs.ips, ...iocs.domains].map((value) => ({ value, meta: { source: "groupib" } })));
      items = items.concat(portion.items);
    }
    assert.ok(set.size > before, "Group-IB values added");
    const item = items.find((i) => i.domain && i.ipv4?.length);
    // a log event that mentions one of them is matched, with its path and the meta of its source
    const hits = set.matchObjects([{ msg: "nothing here" }, { dns: { query: item.domain }, dst: item.ipv4[0].ip }]);
    assert.equal(hits[0].length, 0);
    assert.deepEqual(hits[1].map((h) => `${h.path} ${h.meta.source}`).sort(), ["dns.query groupib", "dst groupib"]);
    assert.ok(set.has(valueOf(active)) && set.has(item.domain));
  });
}

export function register(test) {
  test("IndicatorSet: add / has / match / remove, meta, size", ({ lib }) => {
    const s = new lib.IndicatorSet();
    assert.equal(s.add("Evil[.]Example[.]COM", { src: "feed-a" }), true);
    assert.equal(s.add(SHA.toUpperCase()), true);
    assert.equal(s.add("10.20.0.0/16", 7), true);
    assert.equal(s.add("not an ioc"), false);
    assert.equal(s.size, 3);
    assert.ok(s.has("evil.example.com") && s.has("EVIL.example.com.") && s.has(SHA));
    assert.ok(!s.has("a.evil.example.com"), "no subdomains unless asked");
    assert.deepEqual(s.match("evil[.]example[.]com"), { type: "domain", value: "evil.example.com", entry: "evil.example.com", meta: { src: "feed-a" } });
    assert.deepEqual(s.match("10.20.3.4"), { type: "ipv4", value: "10.20.3.4", entry: "10.20.0.0/16", meta: 7 });
    assert.equal(s.match(SHA).meta, null);
    assert.equal(s.match("8.8.8.8"), null);
    assert.equal(s.add("evil.example.com", "replaced"), true);
    assert.equal(s.size, 3);
    assert.equal(s.match("evil.example.com").meta, "replaced");
    assert.equal(s.remove("evil.example.com"), true);
    assert.equal(s.remove("evil.example.com"), false);
    assert.equal(s.remove("10.20.3.4"), false, "remove is exact: the range stays");
    assert.ok(!s.has("evil.example.com") && s.has("10.20.3.4"));
    assert.equal(s.size, 2);
    assert.ok(s.heapBytes > 0);
  });

  test("IndicatorSet: subdomains and URL normalisation", ({ lib }) => {
    const s = new lib.IndicatorSet({ subdomains: true });
    s.add("evil.com", "root");
    s.add("HTTPS://Bad.Example.ORG/Path?q=1");
    s.add("bücher.de");
    assert.equal(s.match("a.b.evil.com").entry, "evil.com");
    assert.ok(!s.has("com") && !s.has("notevil.com"));
    assert.ok(s.has("https://bad.example.org/Path?q=1") && s.has("http://BAD.example.org:80/Path?q=1"));
    assert.ok(!s.has("https://bad.example.org/path?q=1"), "paths keep their case");
    assert.ok(s.has("xn--bcher-kva.de") && s.has("www.bücher.de"));
    assert.equal(new lib.IndicatorSet({ subdomains: false }).has("x.y.z"), false);
  });

  test("IndicatorSet: addMany reports rejections", ({ lib }) => {
    const s = new lib.IndicatorSet();
    const r = s.addMany(["1.2.3.4", { value: "evil.net", meta: { id: 1 } }, "junk value", 42, { meta: 1 }]);
    assert.equal(r.added, 2);
    assert.deepEqual(r.rejected.map((x) => x.reason), ["not a recognised indicator", "must be a string or { value, meta }", "must be a string or { value, meta }"]);
    assert.equal(r.rejected[0].value, "junk value");
    assert.deepEqual(s.match("evil.net").meta, { id: 1 });
    assert.equal(s.addMany(new Set(["5.6.7.8"])).added, 1);
    assert.equal(s.size, 3);
  });

  test("IndicatorSet: STIX indicator objects, revoked and expired drop out", ({ lib }) => {
    const s = new lib.IndicatorSet();
    const ind = (id, pattern, extra = {}) => ({ type: "indicator", spec_version: "2.1", id, name: `n-${id}`, pattern, pattern_type: "stix", valid_from: "2024-01-01T00:00:00Z", ...extra });
    const objs = [
      ind("indicator--1", "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'c2.example.net']"),
      ind("indicator--2", `[file:hashes.'SHA-256' = '${SHA}']`),
      ind("indicator--3", "[ipv4-addr:value = '203.0.113.0/24']"),
      { type: "malware", id: "malware--1", name: "x" },
      ind("indicator--4", "[x-custom:prop = 'a']"),
      ind("indicator--5", "[ipv4-addr:value = '1.1.1.1']", { pattern_type: "sigma" }),
    ];
    assert.deepEqual(s.addStixObjects(objs), { added: 4, removed: 0, skipped: 3 });
    assert.deepEqual(s.match("c2.example.net").meta, { id: "indicator--1", name: "n-indicator--1" });
    assert.equal(s.match("203.0.113.9").entry, "203.0.113.0/24");
    const r = s.addStixObjects([
      { ...objs[0], revoked: true },
      { ...objs[1], valid_until: "2020-01-01T00:00:00Z" },
      ind("indicator--6", "[url:value = 'http://x.example.com/a']", { valid_until: "2999-01-01T00:00:00Z" }),
    ]);
    assert.deepEqual(r, { added: 1, removed: 3, skipped: 0 });
    assert.ok(!s.has("198.51.100.7") && !s.has(SHA) && s.has("http://x.example.com/a"));
    const t = new lib.IndicatorSet();
    t.addStixObjects({ type: "bundle", objects: [objs[1]] }, { meta: (o) => o.id.toUpperCase() });
    assert.equal(t.match(SHA).meta, "INDICATOR--2");
    assert.deepEqual(t.addStixObjects([{ ...objs[1], valid_until: "2030-01-01T00:00:00Z" }], { now: new Date("2031-01-01") }), { added: 0, removed: 1, skipped: 0 });
  });

  test("IndicatorSet: matchText with UTF-16 offsets", ({ lib }) => {
    const s = new lib.IndicatorSet({ subdomains: true });
    s.add("evil.com", { id: "d" });
    s.add("185.220.101.0/24", { id: "r" });
    const text = "🦀 café: beacon to hxxps://cdn.evil[.]com/x from 185.220.101[.]47, ok good.org";
    const m = s.matchText(text);
    // the URL's host is reported (nested) and matches the domain entry
    assert.deepEqual(m.map((x) => [x.type, x.value, x.entry, x.meta.id, x.raw]), [
      ["domain", "cdn.evil.com", "evil.com", "d", "cdn.evil[.]com"],
      ["ipv4", "185.220.101.47", "185.220.101.0/24", "r", "185.220.101[.]47"],
    ]);
    for (const x of m) assert.equal(text.slice(x.start, x.end), x.raw);
    assert.deepEqual(s.matchText("nothing here"), []);
    assert.deepEqual(s.matchText("evil.com", { types: ["ipv4"] }), []);
  });

  test("IndicatorSet: matchObject paths and matchObjects batches", ({ lib }) => {
    const s = new lib.IndicatorSet({ subdomains: true });
    s.add("evil.com", "m1");
    s.add("10.9.8.7", "m2");
    const ev = { ts: 1, request: { headers: { host: "api.evil.com" }, ip: "10.9.8.7" }, items: [{}, {}, {}, { url: "https://evil.com/x" }], msg: "ok", n: null };
    const m = s.matchObject(ev);
    const paths = m.map((x) => `${x.path} ${x.type} ${x.entry} ${x.meta}`);
    assert.ok(paths.includes("request.headers.host domain evil.com m1"), paths.join("; "));
    assert.ok(paths.includes("request.ip ipv4 10.9.8.7 m2"));
    assert.ok(paths.includes("items[3].url domain evil.com m1"));
    assert.deepEqual(s.matchObject({ a: "clean" }), []);
    const batch = s.matchObjects([ev, { b: "x" }, { c: ["10.9.8.7"] }, undefined]);
    assert.equal(batch.length, 4);
    assert.equal(batch[1].length, 0);
    assert.deepEqual(batch[2].map((x) => x.path), ["c[0]"]);
    assert.equal(batch[0].length, m.length);
    // the fields JSON.stringify would write: toJSON applied (with its key), String objects,
    // own enumerable keys only; fields holding newlines or non-ASCII text stay whole
    class Req {
      constructor() { this.host = "x.evil.com"; }
      get ip() { return "10.9.8.7"; }
    }
    Object.defineProperty(Req.prototype, "inherited", { value: "evil.com", enumerable: true });
    const odd = {
      when: { toJSON: (k) => `${k}: seen at evil.com` },
      boxed: new String("10.9.8.7"),
      req: new Req(),
      text: "first line\nsecond évil line: café 🦀 to evil.com",
      gone: [undefined, () => "evil.com", Symbol("evil.com")],
    };
    assert.deepEqual(s.matchObject(odd).map((x) => `${x.path} ${x.value}`), ["when evil.com", "boxed 10.9.8.7", "req.host x.evil.com", "text evil.com"]);
    assert.equal(s.matchObject(odd)[3].value, "evil.com");
    // nesting: strings up to 64 levels down are matched, deeper ones are not walked
    const nest = (d) => { let o = "evil.com"; for (let i = 0; i < d; i++) o = { k: o }; return o; };
    assert.equal(s.matchObject(nest(64)).length, 1);
    assert.equal(s.matchObject(nest(64))[0].path, Array(64).fill("k").join("."));
    assert.equal(s.matchObject(nest(65)).length, 0);
    const cyc = {};
    cyc.self = cyc;
    assert.throws(() => s.matchObject(cyc), lib.ValidationError);
    assert.throws(() => s.matchObjects([{ ok: "evil.com" }, { n: 1n }]), lib.ValidationError);
    assert.throws(() => s.matchObjects("x"), lib.ValidationError);
  });

  test("IndicatorSet: matchLines is matchText line by line", ({ lib }) => {
    const s = new lib.IndicatorSet({ subdomains: true });
    s.add("evil.com", "m1");
    s.add(SHA, "m2");
    s.add("10.9.8.7");
    const lines = [
      "GET https://cdn.evil.com/x 200",
      "",
      "nothing to see here",
      `dropped ${SHA.toUpperCase()} from 10[.]9[.]8[.]7`,
      "é unicode before api.evil.com",
    ];
    const batch = s.matchLines(lines);
    assert.equal(batch.length, lines.length);
    assert.deepEqual(batch, lines.map((l) => s.matchText(l)));
    assert.deepEqual(batch[0].map((m) => [m.entry, m.meta, lines[0].slice(m.start, m.end)]), [["evil.com", "m1", "cdn.evil.com"]]);
    assert.equal(batch[3].length, 2);
    assert.equal(batch[4][0].start, "é unicode before ".length);
    // a line holding its own newline is still one line
    const multi = s.matchLines(["a\nevil.com", "x"]);
    assert.deepEqual(multi, [s.matchText("a\nevil.com"), []]);
    assert.deepEqual(s.matchLines([]), []);
    assert.deepEqual(s.matchLines(["evil.com"], { types: ["ipv4"] }), [[]]);
    const e = assert.throws(() => s.matchLines(["ok", 3]), lib.ValidationError);
    assert.equal(e.field, "lines[1]");
    assert.throws(() => s.matchLines("evil.com"), lib.ValidationError);
  });

  test("IndicatorSet: the SIMD text classifier agrees with its scalar twin", ({ lib }) => {
    // 0 would mean a build without wasm SIMD: the prefilter's fast path would be untested here
    assert.ok(lib.__simdSelfCheck() > 1000);
  });

  test("IndicatorSet: prefiltered matchLines equals the unfiltered path on generated lines", ({ lib }) => {
    // Lines of IOC-like tokens, near misses, brackets, `%xx`, defangs, at every offset
    // across the 16/64-byte blocks the prefilter classifies. Reference: matchText of the
    // line after a non-ASCII line, which always takes the full extract-then-look-up path.
    let seed = 12345; // mulberry32
    const rnd = (n) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[rnd(16)]).join("");
    const entries = [];
    for (let i = 0; i < 60; i++) {
      entries.push(
        [`h${hex(6)}.evil${rnd(50)}.com`, `${rnd(223) + 1}.${rnd(256)}.${rnd(256)}.${rnd(256)}`, hex(64), hex(32), `t${rnd(9)}.io`, `u${hex(5)}@mail${rnd(9)}.example`, `http://c2-${hex(6)}.example.org/g${rnd(9)}.php`][i % 7],
      );
    }
    entries.push("10.77.0.0/16", "CVE-2021-44228", "AS64500");
    const s = new lib.IndicatorSet({ subdomains: true });
    s.addMany(entries);
    const noise = ["GET", "/p/12?id=9", "%2F", "2025-01-01T00:00:07Z", "{\"k\":", "(x)", "user-agent", "a.b", "x_y", "10.0.0", "..", "1.2.3.4.5", ":", "@", "'", "`", "**"];
    const defanged = ["[.]", "(dot)", "hxxp://", " . ", "\\.", "[:]//"];
    // At most one entry per line, and defanged text in a quarter of them only: a line
    // with two hits, or with anything to refang, takes the full path whatever its anchors.
    const pick = (entry, defang) => {
      if (entry) {
        let e = entries[rnd(entries.length)];
        if (e.includes("/16")) e = `10.77.${rnd(256)}.${rnd(256)}`;
        if (defang && rnd(2) === 0) e = e.replace(/\./g, ["[.]", "(.)", "[dot]"][rnd(3)]);
        if (rnd(4) === 0) e = e.toUpperCase();
        return rnd(5) === 0 ? `sub.${e}` : e;
      }
      if (defang && rnd(8) === 0) return defanged[rnd(defanged.length)];
      return rnd(3) === 0 ? hex(rnd(70)) : noise[rnd(noise.length)];
    };
    const lines = [];
    for (let i = 0; i < 2000; i++) {
      const parts = [];
      const defang = rnd(4) === 0;
      for (let n = rnd(40); n > 0; n--) parts.push(pick(false, defang));
      if (rnd(3) > 0) parts.splice(rnd(parts.length + 1), 0, pick(true, defang));
      lines.push("x".repeat(rnd(20)) + parts.map((p) => [" ", "", ",", "\"", "=", "/", ":"][rnd(7)] + p).join(""));
    }
    const got = s.matchLines(lines);
    let hits = 0;
    lines.forEach((l, i) => {
      const want = s.matchText("\u00e9\n" + l).map((m) => ({ ...m, start: m.start - 2, end: m.end - 2 }));
      hits += want.length;
      assert.deepEqual(got[i], want, `line ${i}: ${l}`);
    });
    assert.ok(hits > 500, `${hits} hits`);
  });

  test("IndicatorSet: snapshot roundtrip, corrupt bytes are a ValidationError", ({ lib }) => {
    const s = new lib.IndicatorSet({ subdomains: true });
    s.addMany([{ value: "evil.com", meta: { tags: ["c2"] } }, SHA, "2001:db8::/32", { value: "a@b.org", meta: 3 }]);
    s.add("gone.example", "x");
    s.remove("gone.example");
    const bytes = s.toBytes();
    assert.ok(bytes instanceof Uint8Array && bytes.length > 16);
    const t = lib.IndicatorSet.fromBytes(bytes);
    assert.equal(t.size, 4);
    assert.deepEqual(t.match("x.evil.com").meta, { tags: ["c2"] });
    assert.equal(t.match("A@B.org").meta, 3);
    assert.ok(t.has("2001:db8:1::1") && t.has(SHA) && !t.has("gone.example"));
    assert.deepEqual(lib.IndicatorSet.fromBytes(t.toBytes()).toBytes(), t.toBytes());
    assert.equal(lib.IndicatorSet.fromBytes(new lib.IndicatorSet().toBytes()).size, 0);
    for (const n of [0, 3, 16, 40, bytes.length - 1]) {
      const e = assert.throws(() => lib.IndicatorSet.fromBytes(bytes.slice(0, n)), lib.ValidationError, `truncated ${n}`);
      assert.equal(e.field, "bytes");
    }
    for (let i = 0; i < bytes.length; i += 7) {
      const b = bytes.slice();
      b[i] ^= 0x10;
      assert.throws(() => lib.IndicatorSet.fromBytes(b), lib.ValidationError, `flip ${i}`);
    }
    assert.throws(() => lib.IndicatorSet.fromBytes("abc"), lib.ValidationError);
  });

  test("IndicatorSet: bad input is a ValidationError", ({ lib }) => {
    const s = new lib.IndicatorSet();
    for (const f of [() => new lib.IndicatorSet({ subdomains: "yes" }), () => new lib.IndicatorSet(5), () => s.add(42), () => s.has(null), () => s.remove({}), () => s.match(1), () => s.matchText(1), () => s.matchText("x", { types: ["nope"] }), () => s.addMany(7), () => s.addStixObjects("x"), () => s.addStixObjects([], { meta: 1 })]) {
      assert.throws(f, lib.ValidationError, f.toString());
    }
    s.add("1.2.3.4", 10n);
    assert.throws(() => s.toBytes(), lib.ValidationError, "metas must be JSON-serialisable");
  });
}

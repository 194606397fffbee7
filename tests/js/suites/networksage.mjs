// NetworkSage through the package: uploads of every file type (small but valid pcap, pcapng,
// Zeek and secflow inputs built here), waiting for processing, the aggregated view (public =
// private), bounded lookup concurrency, envelope errors, aborts and input validation.
import { assert } from "../harness.mjs";

const PUBLIC_VECTOR = "NzhmZjIxMWMtMjZjNi00OGZjLTgwM2UtYzNmZWM3MmNjOTU0I2hhc2gjMDBkYzM5N2MzZjg1NDcyYjljN2Y0MjAzYzQwOGU0ZmI=";

// ---- valid inputs ----

/** An Ethernet/IPv4/UDP frame (DNS-sized payload) from 192.168.1.10 to 8.8.8.8:53. */
function udpFrame(i) {
  const payload = new TextEncoder().encode(`query-${i}.example.com`);
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  const v = new DataView(f.buffer);
  f.set([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb], 0);
  v.setUint16(12, 0x0800); // IPv4
  v.setUint8(14, 0x45); // version 4, IHL 5
  v.setUint16(16, 20 + 8 + payload.length); // total length
  v.setUint8(22, 64); // TTL
  v.setUint8(23, 17); // UDP
  f.set([192, 168, 1, 10, 8, 8, 8, 8], 26);
  v.setUint16(34, 49152 + i);
  v.setUint16(36, 53);
  v.setUint16(38, 8 + payload.length);
  f.set(payload, 42);
  return f;
}

/** libpcap: 24-byte global header (magic a1b2c3d4 written little-endian, v2.4, linktype 1) + 3 records. */
export function pcapFile() {
  const frames = [0, 1, 2].map(udpFrame);
  const out = new Uint8Array(24 + frames.reduce((n, f) => n + 16 + f.length, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true); // snaplen
  v.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  let o = 24;
  frames.forEach((f, i) => {
    v.setUint32(o, 1700000000 + i, true);
    v.setUint32(o + 4, i * 1000, true);
    v.setUint32(o + 8, f.length, true);
    v.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}

/** pcapng: Section Header Block, Interface Description Block, 3 Enhanced Packet Blocks. */
export function pcapngFile() {
  const blocks = [];
  const block = (type, body) => {
    const len = 12 + body.length;
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, len, true);
    b.set(body, 8);
    v.setUint32(len - 4, len, true);
    blocks.push(b);
  };
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, true); // byte-order magic
  sv.setUint16(4, 1, true);
  sv.setUint16(6, 0, true);
  sv.setBigInt64(8, -1n, true); // section length unknown
  block(0x0a0d0d0a, shb);
  const idb = new Uint8Array(8);
  new DataView(idb.buffer).setUint16(0, 1, true); // LINKTYPE_ETHERNET
  new DataView(idb.buffer).setUint32(4, 65535, true);
  block(0x00000001, idb);
  [0, 1, 2].forEach((i) => {
    const f = udpFrame(i);
    const padded = (f.length + 3) & ~3;
    const body = new Uint8Array(20 + padded);
    const v = new DataView(body.buffer);
    v.setUint32(0, 0, true); // interface 0
    const ts = BigInt(1700000000 + i) * 1000000n;
    v.setUint32(4, Number(ts >> 32n), true);
    v.setUint32(8, Number(ts & 0xffffffffn), true);
    v.setUint32(12, f.length, true);
    v.setUint32(16, f.length, true);
    body.set(f, 20);
    block(0x00000006, body);
  });
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

function zeekLog(path, fields, types, rows) {
  const lines = [
    "#separator \\x09",
    "#set_separator\t,",
    "#empty_field\t(empty)",
    "#unset_field\t-",
    `#path\t${path}`,
    "#open\t2024-01-01-00-00-00",
    `#fields\t${fields.join("\t")}`,
    `#types\t${types.join("\t")}`,
    ...rows.map((r) => r.join("\t")),
    "#close\t2024-01-01-00-01-00",
  ];
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

export function zeekConn() {
  return zeekLog(
    "conn",
    ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state"],
    ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count", "string"],
    [
      ["1704067200.000000", "CAbc1", "192.168.1.10", "49152", "8.8.8.8", "53", "udp", "dns", "0.020000", "40", "80", "SF"],
      ["1704067201.000000", "CAbc2", "192.168.1.10", "49153", "140.82.112.3", "443", "tcp", "ssl", "1.500000", "900", "5200", "SF"],
      ["1704067202.000000", "CAbc3", "192.168.1.10", "49154", "93.184.216.34", "80", "tcp", "http", "0.300000", "300", "1200", "SF"],
    ],
  );
}

export function zeekDns() {
  return zeekLog(
    "dns",
    ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query", "qtype_name", "answers"],
    ["time", "string", "addr", "port", "addr", "port", "enum", "string", "string", "vector[string]"],
    [["1704067200.000000", "CAbc1", "192.168.1.10", "49152", "8.8.8.8", "53", "udp", "github.com", "A", "140.82.112.3"]],
  );
}

export function secflowJson() {
  const flow = (i, dest) => ({
    destinationBytes: "5200", destinationData: dest, destinationNameSource: "original", destinationPackets: "12",
    duration: "1.500000", flowCategory: "Secure Web (HTTPS) Traffic", flowId: `flow-${i}`, relativeStart: `${i}.000000`,
    sourceBytes: "900", sourceData: `192.168.1.10:${49152 + i}`, sourcePackets: "10",
  });
  return new TextEncoder().encode(JSON.stringify([flow(0, "github.com:443"), flow(1, "www.wikipedia.org:443")]));
}

// ---- helpers ----

async function simKey(ctx) {
  ctx.keys ??= (await ctx.sim.info()).keys;
  return ctx.keys.networksage;
}

/** A client on the simulator; `calls` counts fetches, `forms` keeps every multipart body sent. */
async function client(ctx, opts = {}) {
  const seen = { calls: 0, forms: [] };
  const fetchFn = (url, init) => {
    seen.calls += 1;
    if (typeof FormData !== "undefined" && init && init.body instanceof FormData) seen.forms.push(init.body);
    return fetch(url, init);
  };
  const ns = new ctx.lib.NetworkSage({ apiKey: await simKey(ctx), baseUrl: `${ctx.sim.url}/networksage`, fetch: fetchFn, rateLimit: { perSecond: 1000 }, ...opts });
  return { ns, seen };
}

async function control(ctx, method, path, body) {
  const r = await fetch(`${ctx.sim.url}/__sim/networksage${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(r.ok, `simulator ${method} ${path}: ${r.status}`);
  return r.json();
}

const DEFAULTS = { processingMs: 1500, metadataDelayMs: 30 };

async function withConfig(ctx, config, fn) {
  await control(ctx, "POST", "/config", config);
  try {
    return await fn();
  } finally {
    await control(ctx, "POST", "/config", DEFAULTS);
  }
}

/** A processed sample of the simulator (seeded at start). */
async function seededSample(ns) {
  const list = await ns.listSamples();
  const s = list.find((r) => r.processed && r.fileName === "cap.pcap");
  assert.ok(s, "the simulator's seeded sample");
  return s.uuid;
}

const partsOf = (form) => [...form.entries()].map(([name, v]) => (typeof v === "string" ? [name, v] : [name, { filename: v.name, size: v.size, type: v.type }]));

export function register(test) {
  test("networksage: upload every file type with the documented multipart parts, in order", async (ctx) => {
    const { ns, seen } = await client(ctx);
    const cases = [
      { file: pcapFile(), opts: { type: "pcap", name: "capture.pcap" } },
      { file: pcapngFile(), opts: { type: "pcapng", name: "capture.pcapng" } },
      { file: zeekConn(), opts: { type: "zeek", name: "conn.log", dnsLog: zeekDns() } },
      { file: secflowJson(), opts: { type: "secflow", name: "flows.json" } },
    ];
    for (const c of cases) {
      const id = await ns.uploadSample(c.file, c.opts);
      assert.match(id, /^[0-9a-f]{32}$/, c.opts.type);
      const parts = partsOf(seen.forms.at(-1));
      const expected = [
        ["type", c.opts.type],
        ["fileName", c.opts.name],
        ["file", { filename: c.opts.name, size: c.file.length, type: "application/octet-stream" }],
      ];
      if (c.opts.dnsLog) expected.push(["zeekDnsFile", { filename: `dns_${c.opts.name}`, size: c.opts.dnsLog.length, type: "application/octet-stream" }]);
      assert.deepEqual(parts, expected, c.opts.type);
    }
    const listed = await ns.listSamples();
    for (const c of cases) {
      const rec = listed.find((r) => r.fileName === c.opts.name);
      assert.ok(rec, `${c.opts.name} listed`);
      assert.equal(rec.fileType, c.opts.type);
    }
  });

  test("networksage: uploads from Blob, File, Uint8Array and ArrayBuffer; File names are used", async (ctx) => {
    const { ns, seen } = await client(ctx);
    const bytes = pcapFile();
    const inputs = [new Blob([bytes]), bytes, bytes.buffer.slice(0)];
    if (typeof File !== "undefined") inputs.push(new File([bytes], "from-file.pcap"));
    for (const input of inputs) {
      const id = await ns.uploadSample(input, { type: "pcap" });
      assert.match(id, /^[0-9a-f]{32}$/);
      const parts = partsOf(seen.forms.at(-1));
      const expectedName = typeof File !== "undefined" && input instanceof File ? "from-file.pcap" : "sample.pcap";
      assert.equal(parts[1][1], expectedName);
      assert.equal(parts[2][1].size, bytes.length);
    }
  });

  test("networksage: wait for processing, then the aggregated view is the same for the public and private id", async (ctx) => {
    const { ns } = await client(ctx);
    await withConfig(ctx, { processingMs: 400 }, async () => {
      const id = await ns.uploadSample(pcapngFile(), { type: "pcapng", name: "office.pcapng" });
      const polls = [];
      const meta = await ns.waitForProcessing(id, { intervalMs: 100, onPoll: (p) => polls.push(p) });
      assert.ok(meta.trafficDate !== "", "processed metadata");
      assert.equal(meta.hash, id);
      assert.ok(polls.length >= 2, `polled ${polls.length} times`);
      assert.equal(polls[0].attempt, 1);
      assert.equal(polls[0].processed, false);
      assert.equal(polls.at(-1).processed, true);

      const publicId = await ns.publicId(id);
      assert.deepEqual(ctx.lib.NetworkSage.decodePublicId(publicId), { ownerId: meta.id, sampleId: id });
      assert.equal(publicId, ctx.lib.NetworkSage.encodePublicId(meta.id, id));
      assert.equal(await ns.uploadedSampleId("office.pcapng", { uploadedAt: Date.now() }), id);
      assert.equal(await ns.uploadedSampleId("office.pcapng", { uploadedAt: new Date(), public: true }), publicId);
      assert.equal(await ns.uploadedSampleId("office.pcapng", { uploadedAt: Date.now() - 3_600_000 }), null, "outside the window");

      const priv = await ns.aggregated(id);
      const pub = await ns.aggregated(publicId);
      assert.ok(priv.length >= 20, `${priv.length} flows`);
      assert.deepEqual(priv, pub);
      const starts = priv.map((a) => Number(a.secflow.relativeStart));
      assert.deepEqual(starts, [...starts].sort((a, b) => a - b), "ordered by relativeStart");
      for (const a of priv) {
        assert.deepEqual(Object.keys(a), ["secflow", "destination", "behavior", "event", "flowIdCount"]);
        assert.equal(typeof a.flowIdCount, "number");
        if (a.secflow.eventId) assert.equal(typeof a.event.title, "string");
        else assert.deepEqual(a.event, {});
      }
      const secflows = await ns.secflows(id);
      assert.equal(secflows.length, priv.length);
      assert.deepEqual((await ns.publicSecflows(publicId)).map((s) => s.flowId), priv.map((a) => a.secflow.flowId));
    });
  });

  test("networksage: aggregated lookups are de-duplicated and never more than `concurrency` in flight", async (ctx) => {
    const { ns } = await client(ctx);
    const id = await seededSample(ns);
    const flows = await ns.secflows(id);
    const distinct = (f) => new Set(flows.map(f).filter(Boolean)).size;
    for (const limit of [1, 3]) {
      await control(ctx, "DELETE", "/stats");
      const progress = [];
      const view = await ns.aggregated(id, { concurrency: limit, onProgress: (p) => progress.push([p.done, p.total]) });
      assert.equal(view.length, flows.length);
      const st = (await control(ctx, "GET", "/stats")).families;
      const lookups = st.count.requests + st.behaviors.requests + st.destinations.requests + st.events.requests;
      assert.deepEqual(progress, Array.from({ length: lookups }, (_, i) => [i + 1, lookups]), "one report per lookup, in order of completion");
      assert.equal(st.count.requests, distinct((f) => f.flowId), "one count per flowId");
      assert.equal(st.behaviors.requests, distinct((f) => f.flowId), "one behavior per flowId");
      assert.equal(st.destinations.requests, distinct((f) => f.destinationData), "one lookup per destination");
      assert.equal(st.events.requests, distinct((f) => f.eventId), "one lookup per eventId");
      assert.ok(st.metadata.maxInFlight <= limit, `limit ${limit}: max in flight ${st.metadata.maxInFlight}`);
      if (limit === 1) assert.equal(st.metadata.maxInFlight, 1);
      else assert.ok(st.metadata.maxInFlight >= 2, `limit ${limit}: lookups overlapped (max ${st.metadata.maxInFlight})`);
    }
    // What onProgress throws stops the lookups and is what the call rejects with.
    const stop = new Error("enough");
    let calls = 0;
    assert.equal(await assert.rejects(ns.aggregated(id, { concurrency: 1, onProgress: () => { calls += 1; throw stop; } }), Error), stop, "rejects with what the callback threw");
    assert.equal(calls, 1, "no lookup reported after the throw");
    // The default is 4.
    await control(ctx, "DELETE", "/stats");
    await ns.aggregated(id);
    const st = (await control(ctx, "GET", "/stats")).families;
    assert.ok(st.metadata.maxInFlight >= 2 && st.metadata.maxInFlight <= 4, JSON.stringify(st.metadata));
  });

  test("networksage: envelope errors are typed errors with the server's message, never null", async (ctx) => {
    const { ns } = await client(ctx);
    const { ApiError, NotFoundError, AuthenticationError, DecodeError } = ctx.lib;
    await withConfig(ctx, { processingMs: 60_000 }, async () => {
      const id = await ns.uploadSample(pcapFile(), { type: "pcap", name: "pending.pcap" });
      // 200 + {"error": true}: a plain ApiError (not a status subclass) with code ENVELOPE_ERROR.
      const e = await assert.rejects(ns.secflows(id), ApiError);
      assert.equal(e.constructor, ApiError);
      assert.equal(e.status, 200);
      assert.equal(e.code, "ENVELOPE_ERROR");
      assert.equal(e.serverMessage, "Sample has not been processed yet");
      assert.deepEqual(e.body, { error: true, body: "Sample has not been processed yet" });
      assert.match(e.url, /\/sec\/v1\.0\/samples\/[0-9a-f]{32}\/list$/);
      await assert.rejects(ns.aggregated(id), ApiError);
    });
    const nf = await assert.rejects(ns.sampleMetadata("0".repeat(32)), NotFoundError);
    assert.equal(nf.serverMessage, "Sample not found");
    const bad = new ctx.lib.NetworkSage({ apiKey: "wrong-key-123", baseUrl: `${ctx.sim.url}/networksage`, retry: false });
    const au = await assert.rejects(bad.listSamples(), AuthenticationError);
    assert.equal(au.serverMessage, "Invalid or missing API key");
    assert.notIncludes(JSON.stringify(au), "wrong-key-123");

    const p = `/networksage/sec/v1.0/events/${ctx.sim.uid("ev")}`;
    await ctx.sim.chaos({ path: p }, { status: 200, body: { error: true, body: "quota exhausted" } }, 1);
    const q = await assert.rejects(ns.event(p.split("/").pop()), ApiError);
    assert.equal(q.serverMessage, "quota exhausted");
    await ctx.sim.chaos({ path: p }, { status: 200, body: { items: [] } }, 1);
    await assert.rejects(ns.event(p.split("/").pop()), DecodeError, "a 200 that is no envelope");
  });

  test("networksage: public endpoints carry no key; metadata lookups", async (ctx) => {
    const { ns } = await client(ctx);
    const id = await seededSample(ns);
    const publicId = await ns.publicId(id);
    const tag = ctx.sim.uid("pub");
    const before = (await ctx.sim.log("/networksage/public/")).length;
    const flows = await ns.publicSecflows(publicId, { timeoutMs: 5000 });
    const log = (await ctx.sim.log("/networksage/public/")).slice(before);
    assert.equal(log.length, 1, tag);
    assert.equal(log[0].headers.apikey, undefined, "no apikey header on a public endpoint");
    const f = flows.find((x) => x.eventId) ?? flows[0];
    assert.equal(typeof (await ns.globalCount(f.flowId)), "number");
    const [name, port] = [f.destinationData.slice(0, f.destinationData.lastIndexOf(":")), Number(f.destinationData.split(":").pop())];
    assert.deepEqual(await ns.destination(name, port), await ns.destination(f.destinationData));
    assert.equal(typeof (await ns.behavior(f.flowId)).title, "string");
    if (f.eventId) assert.equal((await ns.event(f.eventId)).relevance, "malicious");
    assert.deepEqual(await ns.destination("unknown.example:443"), {}, "unknown destination: {}");
    assert.deepEqual(await ns.behavior("no-such-flow"), {});
  });

  test("networksage: waitForProcessing is abortable and bounded by its deadline", async (ctx) => {
    const { ns } = await client(ctx);
    const { AbortError, TimeoutError, NotFoundError } = ctx.lib;
    await withConfig(ctx, { processingMs: 60_000 }, async () => {
      const id = await ns.uploadSample(pcapFile(), { type: "pcap", name: "slow.pcap" });
      const ac = new AbortController();
      let polls = 0;
      const t0 = Date.now();
      setTimeout(() => ac.abort(), 350);
      await assert.rejects(ns.waitForProcessing(id, { intervalMs: 100, signal: ac.signal, onPoll: () => (polls += 1) }), AbortError);
      assert.ok(Date.now() - t0 < 2000, `aborted promptly (${Date.now() - t0} ms)`);
      assert.ok(polls >= 2, `${polls} polls before the abort`);
      const t1 = Date.now();
      const e = await assert.rejects(ns.waitForProcessing(id, { intervalMs: 100, deadline: Date.now() + 400 }), TimeoutError);
      assert.equal(e.kind, "deadline");
      assert.ok(Date.now() - t1 < 2000);
      // An unknown sample fails at once instead of polling forever.
      await assert.rejects(ns.waitForProcessing("f".repeat(32), { intervalMs: 100 }), NotFoundError);
      // onPoll may stop the wait by throwing.
      const stop = new Error("enough");
      let thrown;
      try {
        await ns.waitForProcessing(id, { intervalMs: 100, onPoll: () => { throw stop; } });
      } catch (err) {
        thrown = err;
      }
      assert.equal(thrown, stop);
    });
  });

  test("networksage: bad input is refused before any request", async (ctx) => {
    const { ns, seen } = await client(ctx);
    const { ValidationError, NetworkSage } = ctx.lib;
    const cases = [
      ["type", () => ns.uploadSample(pcapFile(), { type: "pdf" })],
      ["type", () => ns.uploadSample(pcapFile(), {})],
      ["file", () => ns.uploadSample(new Uint8Array(0), { type: "pcap" })],
      ["file", () => ns.uploadSample(new Blob([]), { type: "pcap" })],
      ["file", () => ns.uploadSample("not bytes", { type: "pcap" })],
      ["file", () => ns.uploadSample(pcapngFile(), { type: "pcap" })],
      ["file", () => ns.uploadSample(pcapFile(), { type: "pcapng" })],
      ["file", () => ns.uploadSample(secflowJson(), { type: "zeek" })],
      ["file", () => ns.uploadSample(zeekConn(), { type: "secflow" })],
      ["dnsLog", () => ns.uploadSample(pcapFile(), { type: "pcap", dnsLog: zeekDns() })],
      ["dnsLog", () => ns.uploadSample(zeekConn(), { type: "zeek", dnsLog: new Uint8Array(0) })],
      ["name", () => ns.uploadSample(pcapFile(), { type: "pcap", name: "../etc/passwd" })],
      ["nameAndPort", () => ns.destination("example.com")],
      ["nameAndPort", () => ns.destination("example.com:99999")],
      ["port", () => ns.destination("example.com", 0)],
      ["sampleId", () => ns.sampleMetadata("")],
      ["sampleId", () => ns.secflows(42)],
      ["flowId", () => ns.globalCount("a b")],
      ["publicId", () => ns.publicSecflows("00dc397c3f85472b9c7f4203c408e4fb")],
      ["concurrency", () => ns.aggregated("00dc397c3f85472b9c7f4203c408e4fb", { concurrency: 0 })],
      ["concurrency", () => ns.aggregated("00dc397c3f85472b9c7f4203c408e4fb", { concurrency: 17 })],
      ["intervalMs", () => ns.waitForProcessing("00dc397c3f85472b9c7f4203c408e4fb", { intervalMs: 1 })],
      ["uploadedAt", () => ns.uploadedSampleId("cap.pcap", {})],
    ];
    for (const [field, fn] of cases) {
      const e = await assert.rejects(fn, ValidationError, field);
      assert.equal(e.field, field, `${field}: ${e.message}`);
      assert.equal(e.attempts, 0);
    }
    assert.equal(seen.calls, 0, "no request was sent");
    // The format check can be skipped on purpose (and the server then decides).
    assert.match(await ns.uploadSample(pcapngFile(), { type: "pcap", checkFormat: false }), /^[0-9a-f]{32}$/);
    // Public ids: the documented example, padding optional, private ids are not public ids.
    assert.deepEqual(NetworkSage.decodePublicId(PUBLIC_VECTOR), { ownerId: "78ff211c-26c6-48fc-803e-c3fec72cc954", sampleId: "00dc397c3f85472b9c7f4203c408e4fb" });
    assert.deepEqual(NetworkSage.decodePublicId(PUBLIC_VECTOR.replace(/=+$/, "")), NetworkSage.decodePublicId(PUBLIC_VECTOR));
    assert.equal(NetworkSage.encodePublicId("78ff211c-26c6-48fc-803e-c3fec72cc954", "00dc397c3f85472b9c7f4203c408e4fb"), PUBLIC_VECTOR);
    assert.equal(NetworkSage.decodePublicId("00dc397c3f85472b9c7f4203c408e4fb"), null);
    assert.throws(() => NetworkSage.encodePublicId("", "x"), ValidationError);
  });
}

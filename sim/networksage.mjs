// NetworkSage (SeclarityIO) simulator, mounted at /networksage. Envelope {"error": bool, "body": ...}.
// upload/v1.0/* and sec/v1.0/* need the `apikey` header; public/v1.0/* needs nothing.
import { json, makeRouter, parseMultipart, prng, detHex32, detUuid, hash32, sha256hex, HttpError } from "./util.mjs";
import { esetIocs } from "./data.mjs";

const OWNER_ID = "78ff211c-26c6-48fc-803e-c3fec72cc954";
const TYPES = ["pcap", "pcapng", "zeek", "secflow", "interflow"];

const BENIGN = [
  ["www.google.com", 443, "Google search and services"],
  ["clients4.google.com", 443, "Google client services"],
  ["login.microsoftonline.com", 443, "Microsoft identity platform sign-in"],
  ["settings-win.data.microsoft.com", 443, "Windows telemetry settings"],
  ["ctldl.windowsupdate.com", 80, "Windows certificate trust list download"],
  ["github.com", 443, "GitHub"],
  ["api.github.com", 443, "GitHub REST API"],
  ["cloudflare-dns.com", 443, "Cloudflare DNS over HTTPS"],
  ["8.8.8.8", 53, "Google public DNS resolver"],
  ["1.1.1.1", 53, "Cloudflare public DNS resolver"],
  ["ocsp.digicert.com", 80, "DigiCert OCSP responder"],
  ["time.windows.com", 123, "Windows time service (NTP)"],
  ["www.wikipedia.org", 443, "Wikipedia"],
  ["slack.com", 443, "Slack"],
  ["outlook.office365.com", 443, "Microsoft 365 mail"],
];
const CATEGORIES = {
  benign: ["Secure Web (HTTPS) Traffic", "DNS Query", "Time Synchronization", "Certificate Status Check", "Software Update Check"],
  malicious: ["Suspicious Beaconing", "Malware Download", "Command and Control Traffic", "Data Exfiltration Attempt"],
};

const fmtCreated = (ms) => {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};
const fmtMicro = (ms) => new Date(Math.floor(ms)).toISOString().replace("Z", "").replace(/\.(\d{3})$/, ".$1000");

const ok = (body) => json(200, { error: false, body });
const err = (status, message) => new HttpError(json(status, { error: true, body: message }));

export function createNetworkSage(sim) {
  const st = {};
  const config = { processingMs: 1500, metadataDelayMs: 30 };
  const stats = new Map(); // family → { inFlight, maxInFlight, requests }

  let destCache = null;
  function destinations() {
    if (destCache) return destCache;
    const pool = esetIocs().filter((x) => x.type === "domain-name" || x.type === "ipv4-addr");
    const bad = [];
    for (let i = 0; i < pool.length && bad.length < 400; i += Math.max(1, Math.floor(pool.length / 400))) bad.push(pool[i]);
    destCache = {
      benign: BENIGN.map(([name, port, title]) => ({ key: `${name}:${port}`, title, relevance: "benign", tags: ["common", "infrastructure"] })),
      malicious: bad.map((x, i) => ({
        key: `${x.value}:${[443, 80, 8080, 8443][i % 4]}`,
        title: `Known ${x.family} infrastructure`,
        relevance: i % 5 === 0 ? "suspicious" : "malicious",
        tags: ["eset", x.family, x.type],
        family: x.family,
      })),
    };
    destCache.byKey = new Map([...destCache.benign, ...destCache.malicious].map((d) => [d.key, d]));
    return destCache;
  }

  function newSample({ fileName, fileType, createdMs, size, sha256, processingMs }) {
    const uuid = detHex32(`sample:${fileName}:${createdMs}:${st.samples.size}:${sha256}`);
    return { uuid, id: OWNER_ID, hash: uuid, fileName, fileType, createdMs, processAtMs: createdMs + processingMs, size, sha256, summaryRequested: false, categorizationRequested: false };
  }
  const processed = (s, now = Date.now()) => now >= s.processAtMs;

  function secflows(s) {
    if (s.flows) return s.flows;
    const r = prng("flows:" + s.hash);
    const d = destinations();
    const n = 20 + r.int(40);
    const flows = [];
    let t = 0;
    for (let i = 0; i < n; i++) {
      const bad = r() < 0.3 && d.malicious.length > 0;
      const dest = bad ? r.pick(d.malicious) : r.pick(d.benign);
      const category = r.pick(bad ? CATEGORIES.malicious : CATEGORIES.benign);
      const flowId = detHex32(`flow:${dest.key}:${category}`);
      t += r() * 4;
      const f = {
        destinationBytes: String(200 + r.int(200000)),
        destinationData: dest.key,
        destinationNameSource: r.pick(["cache", "passive", "active", "original"]),
        destinationPackets: String(2 + r.int(400)),
        duration: (r() * 30).toFixed(6),
        flowCategory: category,
        flowId,
        relativeStart: t.toFixed(6),
        sourceBytes: String(100 + r.int(20000)),
        sourceData: `192.168.1.${10 + r.int(200)}:${49152 + r.int(16000)}`,
        sourcePackets: String(2 + r.int(200)),
      };
      if (bad) f.eventId = detHex32(`event:${dest.key}:${category}`);
      flows.push(f);
    }
    s.flows = flows;
    return flows;
  }

  function destinationMeta(key) {
    const dst = destinations().byKey.get(key);
    if (!dst) return {};
    return {
      title: dst.title,
      description: dst.relevance === "benign" ? `${dst.title}; commonly seen in enterprise traffic.` : `Destination listed in ESET's public IOCs for ${dst.family}.`,
      relevance: dst.relevance,
      tags: dst.tags,
    };
  }
  function findFlow(pred) {
    for (const s of st.samples.values()) if (processed(s)) for (const f of secflows(s)) if (pred(f)) return f;
    return null;
  }
  function behaviorMeta(flowId) {
    const f = findFlow((x) => x.flowId === flowId);
    if (!f) return {};
    const bad = !!f.eventId;
    return {
      title: f.flowCategory,
      description: `${f.flowCategory} to ${f.destinationData}.`,
      relevance: bad ? "malicious" : "benign",
      tags: bad ? ["c2", "beaconing"] : ["normal"],
    };
  }
  function eventMeta(eventId) {
    const f = findFlow((x) => x.eventId === eventId);
    if (!f) return {};
    return { title: `${f.flowCategory} detected`, description: `Traffic to ${f.destinationData} matched known malicious infrastructure.`, relevance: "malicious", tags: ["event", "eset"] };
  }
  const flowCount = (flowId) => 1 + (hash32(flowId) % 5000);

  const publicUuid = (s) => Buffer.from(`${s.id}#hash#${s.hash}`, "ascii").toString("base64");
  function sampleFromPublic(pub) {
    let dec;
    try {
      dec = Buffer.from(pub, "base64").toString("ascii");
    } catch {
      return null;
    }
    const m = /^(.+)#hash#(.+)$/.exec(dec);
    if (!m) return null;
    const s = st.samples.get(m[2]);
    return s && s.id === m[1] ? s : null;
  }

  function getSample(uuid) {
    const s = st.samples.get(uuid) ?? st.samples.get(String(uuid).toLowerCase());
    if (!s) throw err(404, "Sample not found");
    return s;
  }

  function aggregated(s) {
    return secflows(s)
      .slice()
      .sort((a, b) => Number(a.relativeStart) - Number(b.relativeStart))
      .map((f) => ({
        secflow: f,
        destination: destinationMeta(f.destinationData),
        behavior: behaviorMeta(f.flowId),
        event: f.eventId ? eventMeta(f.eventId) : {},
        flowIdCount: flowCount(f.flowId),
      }));
  }

  st.reset = () => {
    st.samples = new Map();
    stats.clear();
    const seedAt = Date.parse("2022-02-01T12:00:30.123Z");
    for (const [name, type, off] of [["cap.pcap", "pcap", 0], ["office-traffic.pcapng", "pcapng", 86_400_000]]) {
      const s = newSample({ fileName: name, fileType: type, createdMs: seedAt + off, size: 1_048_576, sha256: sha256hex(name), processingMs: 40_000 });
      st.samples.set(s.uuid, s);
    }
  };
  st.reset();

  const router = makeRouter();
  router.add("POST", "/upload/v1.0/uploader", (ctx) => {
    const ct = ctx.headers["content-type"] ?? "";
    if (!/^multipart\/form-data/i.test(ct)) throw err(400, "Expected multipart/form-data with type, fileName and file");
    let parts;
    try {
      parts = parseMultipart(ctx.body, ct);
    } catch (e) {
      throw err(400, `Malformed multipart body: ${e.message}`);
    }
    const field = (n) => parts.find((p) => p.name === n);
    const type = field("type")?.data.toString("utf8").trim();
    const fileName = field("fileName")?.data.toString("utf8").trim();
    const file = field("file");
    if (!type || !TYPES.includes(type)) throw err(400, `type must be one of ${TYPES.join(", ")}`);
    if (!fileName) throw err(400, "fileName is required");
    if (!file || file.filename === null) throw err(400, "file is required");
    if (file.data.length === 0) throw err(400, "file is empty");
    if (field("zeekDnsFile") && type !== "zeek") throw err(400, "zeekDnsFile is only accepted with type zeek");
    const s = newSample({ fileName, fileType: type, createdMs: Date.now(), size: file.data.length, sha256: sha256hex(file.data), processingMs: config.processingMs });
    s.hasDns = !!field("zeekDnsFile");
    st.samples.set(s.uuid, s);
    return ok({ sampleId: s.uuid });
  });
  router.add("GET", "/upload/v1.0/uploads/list", () =>
    ok(
      [...st.samples.values()].map((s) => {
        const rec = {
          fileName: s.fileName,
          uuid: s.uuid,
          processed: processed(s),
          fullS3FilePath: `s3://networksage-uploads/${s.id}/date=${fmtMicro(s.createdMs)}/${s.uuid}/${s.fileName}`,
          dateCreated: fmtCreated(s.createdMs),
          fileType: s.fileType,
        };
        if (processed(s)) rec.dateProcessed = fmtMicro(s.processAtMs);
        return rec;
      }),
    ),
  );
  router.add("GET", "/sec/v1.0/samples/:uuid", (ctx, p) => {
    const s = getSample(p.uuid);
    return ok({
      dateCreated: fmtCreated(s.createdMs),
      fileName: `${s.uuid}.${s.fileType}`,
      trafficDate: processed(s) ? (s.createdMs / 1000 - 3600).toFixed(6) : "",
      id: s.id,
      hash: s.hash,
    });
  });
  router.add("GET", "/sec/v1.0/samples/:uuid/list", (ctx, p) => {
    const s = getSample(p.uuid);
    if (!processed(s)) return json(200, { error: true, body: "Sample has not been processed yet" });
    return ok(secflows(s));
  });
  for (const kind of ["summary", "categorization"]) {
    router.add("POST", `/sec/v1.0/samples/:uuid/${kind}`, (ctx, p) => {
      const s = getSample(p.uuid);
      s[`${kind}Requested`] = true;
      return ok({ status: processed(s) ? "generating" : "failed" });
    });
    router.add("GET", `/sec/v1.0/samples/:uuid/${kind}`, (ctx, p) => {
      const s = getSample(p.uuid);
      if (!processed(s)) return ok({ status: "failed" });
      if (!s[`${kind}Requested`]) return ok({ status: "not_requested" });
      const bad = secflows(s).filter((f) => f.eventId);
      const verdict = bad.length ? "Malicious" : "Benign";
      const payload =
        kind === "summary"
          ? JSON.stringify({ verdict, confidence: bad.length ? "High" : "Medium", summary: `${secflows(s).length} flows, ${bad.length} to known-bad destinations.`, details: bad.slice(0, 5).map((f) => `• *${f.flowCategory}* to \`${f.destinationData}\``).join("\n") })
          : bad.length
            ? "Malicious Activity"
            : "Normal Activity";
      return ok({ status: "generated", [kind]: payload });
    });
  }
  router.add("GET", "/public/v1.0/secflows/:pub/list/aggregated", (ctx, p) => {
    const s = sampleFromPublic(p.pub);
    if (!s) throw err(404, "Sample not found");
    if (!processed(s)) return json(200, { error: true, body: "Sample has not been processed yet" });
    return ok(aggregated(s));
  });
  router.add("GET", "/sec/v1.0/secflows/:flowId/count", (ctx, p) => ok(flowCount(p.flowId)));
  router.add("GET", "/sec/v1.0/destinations/:dest", (ctx, p) => {
    if (!p.dest.includes(":")) throw err(400, "destination must be name:port");
    return ok(destinationMeta(p.dest));
  });
  router.add("GET", "/sec/v1.0/behaviors/:flowId", (ctx, p) => ok(behaviorMeta(p.flowId)));
  router.add("GET", "/sec/v1.0/events/:eventId", (ctx, p) => ok(eventMeta(p.eventId)));

  function family(sub) {
    const m = /^\/(upload|sec|public)\/v1\.0\/([^/]+)/.exec(sub);
    if (!m) return "other";
    if (m[1] === "upload") return m[2] === "uploader" ? "upload" : "uploads";
    if (m[1] === "public") return "public";
    if (m[2] === "samples") return /\/(summary|categorization)$/.test(sub) ? "summary" : /\/list$/.test(sub) ? "secflows" : "samples";
    if (m[2] === "secflows") return "count";
    return m[2]; // destinations | behaviors | events
  }
  const METADATA = new Set(["count", "destinations", "behaviors", "events"]);

  const authOk = (h) => h.apikey === sim.keys.networksage;

  return {
    authOk,
    async handle(ctx) {
      const sub = ctx.sub;
      const isPublic = sub.startsWith("/public/");
      ctx.entry.authOk = authOk(ctx.headers);
      if (!isPublic && !ctx.entry.authOk) return json(401, { error: true, body: "Invalid or missing API key" });
      const fam = family(sub);
      // Each request counts in its family and, for count/destination/behavior/event, in the
      // "metadata" total too (a client's lookup concurrency spans the four families).
      const counted = [fam, ...(METADATA.has(fam) ? ["metadata"] : [])].map((f) => {
        const s = stats.get(f) ?? { inFlight: 0, maxInFlight: 0, requests: 0 };
        stats.set(f, s);
        s.inFlight += 1;
        s.requests += 1;
        s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
        return s;
      });
      try {
        if (METADATA.has(fam) && config.metadataDelayMs > 0) await sim.timers.sleep(config.metadataDelayMs);
        const m = router.match(ctx.method, sub);
        if (!m) return json(404, { error: true, body: "Not found" });
        if (m.allowed) return json(405, { error: true, body: `Method not allowed (allowed: ${m.allowed.join(", ")})` });
        try {
          return m.fn(ctx, m.params);
        } catch (e) {
          if (e instanceof HttpError) return e.result;
          throw e;
        }
      } finally {
        for (const s of counted) s.inFlight -= 1;
      }
    },
    control(ctx, sub) {
      if (sub === "/config" && ctx.method === "POST") {
        const b = ctx.json() ?? {};
        for (const k of ["processingMs", "metadataDelayMs"]) {
          if (b[k] !== undefined) {
            if (!Number.isInteger(b[k]) || b[k] < 0) return json(400, { message: `${k} must be an integer >= 0`, code: "SIM400" });
            config[k] = b[k];
          }
        }
        return json(200, { config });
      }
      if (sub === "/config" && ctx.method === "GET") return json(200, { config });
      if (sub === "/stats" && ctx.method === "GET") return json(200, { families: Object.fromEntries(stats), config });
      if (sub === "/stats" && ctx.method === "DELETE") {
        stats.clear();
        return json(200, { cleared: true });
      }
      const m = /^\/samples\/([^/]+)\/process$/.exec(sub);
      if (m && ctx.method === "POST") {
        const s = st.samples.get(decodeURIComponent(m[1]));
        if (!s) return json(404, { message: "Unknown sample", code: "SIM404" });
        s.processAtMs = Math.min(s.processAtMs, Date.now());
        return json(200, { processed: true, publicUuid: publicUuid(s) });
      }
      if (sub === "/samples" && ctx.method === "GET") {
        return json(200, { items: [...st.samples.values()].map((s) => ({ uuid: s.uuid, fileName: s.fileName, processed: processed(s), publicUuid: publicUuid(s), sha256: s.sha256, size: s.size })) });
      }
      return null;
    },
    counts: () => ({ samples: st.samples.size }),
    reset() {
      config.processingMs = 1500;
      config.metadataDelayMs = 30;
      st.reset();
    },
    close() {},
  };
}

export const NETWORKSAGE_OWNER_ID = OWNER_ID;
export { detUuid };

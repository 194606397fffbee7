// Group-IB simulator, mounted at /groupib: TI API under /groupib/api/v2/, DRP under /groupib/client_api/.
// HTTP Basic auth (username + API key). seqUpdate values are BigInt internally and written as exact JSON integers.
import { json, bytes, makeRouter, parseBasic, prng, detHex32, detUuid, intParam, HttpError } from "./util.mjs";
import { esetIocs, loadShared } from "./data.mjs";
import { buildSekoiaData } from "./sekoia-data.mjs";

export const TI_COLLECTIONS = [
  "apt/threat", "apt/threat_actor", "hi/open_threats", "hi/threat", "hi/threat_actor", "attacks/ddos", "attacks/deface", "attacks/phishing_group",
  "attacks/phishing_kit", "compromised/access", "compromised/account_group", "compromised/bank_card_group", "compromised/breached",
  "compromised/discord", "compromised/masked_card", "compromised/messenger", "compromised/mule", "compromised/reaper", "compromised/spd",
  "ioc/common", "malware/cnc", "malware/config", "malware/malware", "malware/signature", "malware/yara", "osi/git_repository",
  "osi/public_leak", "osi/vulnerability", "suspicious_ip/open_proxy", "suspicious_ip/scanner", "suspicious_ip/socks_proxy",
  "suspicious_ip/tor_node", "suspicious_ip/vpn",
];
const SEARCH_ONLY = new Set(["compromised/breached", "compromised/reaper"]);
const HUNTING = new Set(["attacks/ddos", "hi/open_threats", "hi/threat", "apt/threat", "compromised/breached", "compromised/messenger", "compromised/reaper", "osi/vulnerability",
  "suspicious_ip/open_proxy", "suspicious_ip/scanner", "suspicious_ip/socks_proxy", "suspicious_ip/tor_node", "suspicious_ip/vpn"]);
const DRP_COLLECTIONS = ["violation/list", "compromised/public_leaks", "compromised/git_leaks", "compromised/darkweb", "compromised/breached_db"];
const LABELS = {
  "apt/threat": "Threats :: APT", "hi/threat": "Threats :: Hacktivism/Criminal", "attacks/ddos": "Attack :: DDoS", "attacks/phishing_group": "Attack :: Phishing",
  "malware/cnc": "Malware :: C&C", "ioc/common": "IOC :: Common", "compromised/account_group": "Compromised :: Accounts", "suspicious_ip/tor_node": "Suspicious IP :: Tor",
};

const START = Date.parse("2024-01-01T00:00:00Z");
const END = Date.parse("2026-06-30T00:00:00Z");
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const COUNTRIES = ["DE", "NL", "US", "RU", "CN", "KP", "IR", "FR", "SG", "BR"];
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

const bad = (message) => new HttpError(json(400, { message }));
const notFound = (message = "Not found") => new HttpError(json(404, { message }));

function parseDate(v, name) {
  if (v === undefined || v === "") return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/.test(v) || Number.isNaN(Date.parse(v))) throw bad(`Invalid ${name}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ`);
  return Date.parse(v);
}

export function createGroupIB(sim) {
  const st = {};
  const cache = new Map(); // collection → items (immutable base)

  function pools() {
    const all = esetIocs();
    return {
      domains: all.filter((x) => x.type === "domain-name"),
      ips: all.filter((x) => x.type === "ipv4-addr"),
      urls: all.filter((x) => x.type === "url"),
      files: all.filter((x) => x.type === "file"),
      sha256: all.filter((x) => x.hash === "SHA-256"),
    };
  }

  function threatActors() {
    const d = buildSekoiaData();
    return d.feed.filter((o) => o.type === "intrusion-set" || o.type === "threat-actor").slice(0, 40);
  }

  /** Deterministic items of one collection, sorted by seqUpdate (BigInt). */
  function items(col) {
    if (cache.has(col)) return cache.get(col);
    const P = pools();
    const actors = threatActors();
    const malware = buildSekoiaData().threats.filter((t) => t.type === "malware");
    const aps = buildSekoiaData().attackPatterns;
    const r = prng("gib:" + col);
    const n = col === "apt/threat" ? 60 : col.startsWith("violation") ? 80 : 150;
    const out = [];
    const pick = (arr, k) => (arr.length ? arr[(k * 7 + r.int(arr.length)) % arr.length] : null);
    for (let i = 0; i < n; i++) {
      const ms = START + Math.floor(((i + r()) / n) * (END - START));
      const seq = BigInt(ms) * 1000n + BigInt(i % 1000);
      const id = detHex32(`gib:${col}:${i}`).slice(0, 32);
      const dom = pick(P.domains, i)?.value ?? `bad${i}.example`;
      const ip = pick(P.ips, i)?.value ?? `192.0.2.${(i % 250) + 1}`;
      const url = pick(P.urls, i)?.value ?? `http://${dom}/gate.php`;
      const file = pick(P.sha256, i);
      const mal = pick(malware, i);
      const actor = pick(actors, i);
      const evaluation = { admiraltyCode: r.pick(["A1", "B2", "C3"]), credibility: r.pick([50, 70, 90]), reliability: r.pick([50, 70, 90]), severity: r.pick(["green", "orange", "red"]), tlp: r.pick(["green", "amber", "red"]), ttl: r.pick([30, 90, 365]) };
      const base = { id, seqUpdate: seq };
      let item;
      if (col === "apt/threat" || col === "hi/threat" || col === "hi/open_threats") {
        const indicators = [
          { id: detHex32(`ind:${id}:1`), type: "network", params: { domain: dom, url, ipv4: [ip] } },
          ...(file ? [{ id: detHex32(`ind:${id}:2`), type: "file", params: { name: `sample-${i}.bin`, size: 10_000 + r.int(900_000), hashes: { md5: "", sha1: "", sha256: file.value } } }] : []),
        ];
        item = {
          ...base,
          title: `${actor?.name ?? "Unknown actor"} campaign using ${mal?.name ?? "custom tooling"}`,
          threatActor: actor ? { id: detHex32("actor:" + actor.id), name: actor.name, country: r.pick(COUNTRIES), isAPT: col === "apt/threat" } : null,
          isTailored: r() < 0.2,
          langs: ["en"],
          evaluation,
          indicators,
          indicatorsIds: indicators.map((x) => x.id),
          malwareList: mal ? [{ id: detHex32("mal:" + mal.id), name: mal.name }] : [],
          mitreMatrix: [pick(aps, i), pick(aps, i + 1)].filter(Boolean).map((a) => ({
            attackPattern: (a.external_references ?? []).find((e) => e.external_id)?.external_id ?? "",
            attackTactic: a.kill_chain_phases?.[0]?.phase_name ?? "",
          })),
          files: [{ id: detHex32(`file:${id}`), name: `report-${i}.txt`, hash: "" }],
          dateFirstSeen: iso(ms - 5 * 86400e3),
          dateLastSeen: iso(ms),
          datePublished: iso(ms),
        };
      } else if (col.endsWith("threat_actor")) {
        item = { ...base, name: actor?.name ?? `Actor ${i}`, aliases: actor?.aliases ?? [], country: r.pick(COUNTRIES), isAPT: col.startsWith("apt"), description: String(actor?.description ?? "").slice(0, 300), createdAt: iso(ms) };
      } else if (col === "malware/cnc") {
        item = { ...base, cnc: url, domain: dom, url, ipv4: [{ ip, asn: `AS${64500 + r.int(100)}`, countryCode: r.pick(COUNTRIES), region: null }], ipv6: [], malwareList: mal ? [{ name: mal.name }] : [], threatActor: actor ? { name: actor.name } : null, dateDetected: iso(ms) };
      } else if (col.endsWith("_group")) {
        const events = Array.from({ length: r.int(4) }, (_, k) => ({
          id: detHex32(`ev:${id}:${k}`),
          client: { ipv4: { ip: `10.${r.int(255)}.${r.int(255)}.${1 + r.int(250)}`, countryCode: r.pick(COUNTRIES) } },
          cnc: { url, domain: dom, ipv4: { ip } },
          malware: mal ? { name: mal.name } : null,
          dateDetected: iso(ms + k * 3600e3),
        }));
        if (col === "compromised/account_group") item = { ...base, login: `user${i}@corp.example`, password: "<sim>", service: { url: `https://mail.corp.example/login`, domain: "mail.corp.example", host: null }, events, evaluation };
        else if (col === "compromised/bank_card_group") item = { ...base, cardInfo: { number: `4000********${String(1000 + i).slice(-4)}`, type: "VISA", issuer: { issuer: "Sim Bank" } }, events, evaluation };
        else item = { ...base, domain: dom, url, brand: r.pick(["Example Bank", "Example Mail", "Example Shop"]), events, evaluation };
      } else if (col.startsWith("suspicious_ip/")) {
        item = { ...base, ipv4: { ip, asn: `AS${64500 + r.int(100)}`, countryName: r.pick(["Germany", "Netherlands", "United States"]) }, source: col.split("/")[1], dateFirstSeen: iso(ms - 86400e3), dateLastSeen: iso(ms) };
      } else if (col === "attacks/ddos") {
        item = { ...base, target: { ipv4: { ip: `203.0.113.${1 + r.int(250)}` }, domain: "victim.example" }, cnc: { url, domain: dom, ipv4: { ip } }, protocol: r.pick(["udp", "tcp", "http"]), dateBegin: iso(ms), dateEnd: iso(ms + 3600e3) };
      } else if (col.startsWith("violation") || col.startsWith("compromised/") && DRP_COLLECTIONS.includes(col)) {
        const brand = st.brands[i % st.brands.length];
        item = {
          ...base,
          brand: brand.name,
          brandId: brand.id,
          violation: { status: i % 3 === 0 ? "detected" : r.pick(["approved", "rejected", "detected"]), approveState: i % 3 === 0 ? "under_review" : r.pick(["approved", "rejected"]), detected: iso(ms), type: r.pick(["phishing", "scam", "fake_app"]), subtype: 1 + r.int(8), section: 1 + r.int(3) },
          link: `https://${dom}/`,
          domain: dom,
          typoSquatting: r() < 0.3,
        };
      } else {
        item = { ...base, title: `${col} record ${i}`, domain: dom, ip, url, hash: file?.value ?? null, malwareList: mal ? [{ name: mal.name }] : [], dateFirstSeen: iso(ms), dateLastSeen: iso(ms), evaluation };
      }
      out.push(item);
    }
    cache.set(col, out);
    return out;
  }

  const itemDate = (it) => Number(it.seqUpdate / 1000n);

  function matches(it, q) {
    if (!q) return true;
    const m = /^(\w+):(.*)$/.exec(q);
    const needle = (m ? m[2] : q).toLowerCase();
    return JSON.stringify(it, (k, v) => (typeof v === "bigint" ? v.toString() : v)).toLowerCase().includes(needle);
  }

  function limitOf(ctx, col) {
    const l = intParam(ctx.query.get("limit"));
    if (l === undefined) return col === "apt/threat" ? 10 : DEFAULT_LIMIT;
    if (!Number.isInteger(l) || l < 1 || l > MAX_LIMIT) throw bad(`limit must be 1-${MAX_LIMIT}`);
    return l;
  }

  function seqParam(ctx) {
    const s = ctx.query.get("seqUpdate");
    if (s === undefined || s === "") return undefined;
    if (!/^\d+$/.test(s)) throw bad("seqUpdate must be an integer");
    return BigInt(s);
  }

  /** TI `<col>/updated` and DRP `<col>`: seqUpdate chaining. */
  function updatePage(ctx, col, list, extraFilter = () => true) {
    const limit = limitOf(ctx, col);
    const df = parseDate(ctx.query.get("df"), "df");
    const dt = parseDate(ctx.query.get("dt"), "dt");
    const q = ctx.query.get("q");
    const seq = seqParam(ctx);
    const matching = list.filter(
      (it) =>
        (seq === undefined || it.seqUpdate > seq) &&
        (seq !== undefined || df === undefined || itemDate(it) >= df) &&
        (dt === undefined || itemDate(it) <= dt + (ctx.query.get("dt").length === 10 ? 86400e3 - 1 : 0)) &&
        matches(it, q) &&
        extraFilter(it),
    );
    const page = matching.slice(0, limit);
    const last = page.at(-1)?.seqUpdate ?? seq ?? (df !== undefined ? BigInt(df) * 1000n : 0n);
    return json(200, { count: matching.length, items: page, seqUpdate: last });
  }

  function searchPage(ctx, col, list) {
    const limit = limitOf(ctx, col);
    const rid = ctx.query.get("resultId");
    let search;
    let offset = 0;
    if (rid) {
      let dec;
      try {
        dec = JSON.parse(Buffer.from(rid, "base64url").toString("utf8"));
      } catch {
        throw bad("Invalid resultId");
      }
      search = st.searches.get(dec.s);
      if (!search || search.col !== col) throw notFound("resultId expired or unknown");
      offset = dec.o;
    } else {
      const df = parseDate(ctx.query.get("df"), "df");
      const dt = parseDate(ctx.query.get("dt"), "dt");
      const q = ctx.query.get("q");
      const ids = list.filter((it) => (df === undefined || itemDate(it) >= df) && (dt === undefined || itemDate(it) <= dt + (ctx.query.get("dt").length === 10 ? 86400e3 - 1 : 0)) && matches(it, q)).reverse();
      st.searchCounter += 1;
      search = { sid: st.searchCounter, col, items: ids };
      st.searches.set(search.sid, search);
    }
    const page = search.items.slice(offset, offset + limit);
    const resultId = Buffer.from(JSON.stringify({ s: search.sid, o: offset + page.length }), "utf8").toString("base64url");
    return json(200, { count: search.items.length, items: page, resultId });
  }

  const findItem = (col, id) => items(col).find((it) => it.id === id) ?? null;

  // ---- DRP state ----
  st.reset = () => {
    st.searches = new Map();
    st.searchCounter = 0;
    st.brands = [
      { id: detUuid("brand:1").slice(0, 8), name: "Example Bank" },
      { id: detUuid("brand:2").slice(0, 8), name: "Example Mail" },
      { id: detUuid("brand:3").slice(0, 8), name: "Example Shop" },
    ];
    st.approvals = new Map(); // violation id → {status, approveState}
  };
  st.reset();

  const withApproval = (it) => {
    const a = st.approvals.get(it.id);
    return a ? { ...it, violation: { ...it.violation, ...a } } : it;
  };

  const ti = makeRouter();
  ti.add("GET", "/user/granted_collections", () => json(200, TI_COLLECTIONS.map((c) => ({ collection: c, huntingRulesUsed: HUNTING.has(c), isAvailable: true }))));
  ti.add("GET", "/sequence_list", (ctx) => {
    const date = ctx.query.get("date");
    let ms = Date.now();
    if (date) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw bad("date must be YYYY-MM-DD");
      ms = Date.parse(date + "T00:00:00Z");
    }
    const col = ctx.query.get("collection");
    if (col && !TI_COLLECTIONS.includes(col)) throw notFound(`Unknown collection ${col}`);
    const list = {};
    for (const c of col ? [col] : TI_COLLECTIONS) list[c] = BigInt(ms) * 1000n;
    return json(200, { list });
  });
  ti.add("GET", "/search", (ctx) => {
    const q = ctx.query.get("q");
    if (!q) throw bad("q is required");
    const base = `${sim.url}/groupib/api/v2`;
    const out = [];
    for (const c of TI_COLLECTIONS) {
      const count = items(c).filter((it) => matches(it, q)).length;
      if (count) out.push({ apiPath: c, label: LABELS[c] ?? c, link: `${base}/${c}?q=${q}`, count, time: 0.01, detailedLinks: null });
    }
    return json(200, out);
  });
  ti.add("POST", "/scoring", (ctx) => {
    const b = ctx.json();
    if (!b || !Array.isArray(b.ips) || b.ips.length === 0 || b.ips.some((x) => typeof x !== "string" || !x.trim())) throw bad("ips must be a non-empty list of strings");
    const known = new Set(esetIocs().filter((x) => x.type === "ipv4-addr").map((x) => x.value));
    const out = {};
    for (const ip of b.ips) out[ip.trim()] = { score: known.has(ip.trim()) ? 80 + (ip.length % 20) : ip.length % 15, malicious: known.has(ip.trim()) };
    return json(200, { items: out });
  });
  ti.add("GET", "/utils/graph/ip", (ctx) => {
    const ip = ctx.query.get("ip");
    if (!ip) throw bad("ip is required");
    return json(200, { ip, asn: `AS${64500 + (ip.length % 90)}`, whois: { netname: "SIM-NET", country: "NL" }, domains: items("malware/cnc").filter((it) => it.ipv4?.[0]?.ip === ip).map((it) => it.domain) });
  });
  ti.add("GET", "/utils/graph/domain", (ctx) => {
    const domain = ctx.query.get("domain");
    if (!domain) throw bad("domain is required");
    return json(200, { domain, registrar: "Sim Registrar", created: "2020-01-01", ips: items("malware/cnc").filter((it) => it.domain === domain).map((it) => it.ipv4?.[0]?.ip) });
  });

  function tiCollectionRoute(ctx, segs) {
    // segs: path segments after /api/v2
    for (let k = Math.min(2, segs.length); k >= 1; k--) {
      const col = segs.slice(0, k).join("/");
      if (!TI_COLLECTIONS.includes(col)) continue;
      const rest = segs.slice(k);
      if (rest.length === 0) {
        return searchPage(ctx, col, items(col));
      }
      if (rest.length === 1 && rest[0] === "updated") {
        if (SEARCH_ONLY.has(col)) throw bad(`${col} collection must be used only with a search generator.`);
        return updatePage(ctx, col, items(col));
      }
      const it = findItem(col, rest[0]);
      if (!it) throw notFound();
      if (rest.length === 1) return json(200, it);
      if (rest.length === 3 && rest[1] === "file") {
        const f = (it.files ?? []).find((x) => x.id === rest[2]);
        if (!f) throw notFound("File not found");
        const reports = loadShared().reports;
        const text = reports.length ? reports[parseInt(f.id.slice(0, 6), 16) % reports.length].text : `file ${f.id}`;
        return bytes(200, Buffer.from(text, "utf8"), "application/octet-stream", { "content-disposition": `attachment; filename="${f.name}"` });
      }
      if (rest.length === 3 && rest[1] === "action") return json(200, { ok: true, id: it.id, action: rest[2], params: Object.fromEntries(ctx.query.pairs) });
      throw notFound();
    }
    return null;
  }

  const drp = makeRouter();
  drp.add("GET", "/settings/brands", () => json(200, { data: { brands: st.brands } }));
  drp.add("GET", "/settings/subscriptions", () => json(200, { data: { subscriptions: ["scam", "phishing", "fake_app", "typosquatting"] } }));
  drp.add("POST", "/violation/change-approve", (ctx) => {
    const b = ctx.json();
    if (!b || typeof b.violationId !== "string" || typeof b.approve !== "boolean") throw bad("violationId (string) and approve (bool) are required");
    const it = findItem("violation/list", b.violationId);
    if (!it) throw notFound("Violation not found");
    const cur = withApproval(it).violation;
    if (cur.status !== "detected" || cur.approveState !== "under_review") throw bad("Violation is not under review");
    st.approvals.set(it.id, { status: b.approve ? "approved" : "rejected", approveState: b.approve ? "approved" : "rejected" });
    return json(200, { ok: true });
  });
  drp.add("GET", "/violation/:id", (ctx, p) => {
    if (p.id === "list") return null;
    const it = findItem("violation/list", p.id);
    if (!it) throw notFound();
    return json(200, withApproval(it));
  });

  function drpCollectionRoute(ctx, segs) {
    const col = segs.join("/");
    if (!DRP_COLLECTIONS.includes(col)) return null;
    const q = ctx.query;
    const section = q.get("section");
    const brand = q.get("brandIds[]");
    const approve = q.get("approveState[]");
    const subtype = q.get("subtypes[]");
    const typo = q.get("typoSquatting");
    const list = items(col).map(withApproval);
    return updatePage(ctx, col, list, (it) =>
      (!section || String(it.violation?.section) === section) &&
      (!brand || it.brandId === brand) &&
      (!approve || it.violation?.approveState === approve) &&
      (!subtype || String(it.violation?.subtype) === subtype) &&
      (typo !== "true" || it.typoSquatting === true),
    );
  }

  const authOk = (h) => {
    const b = parseBasic(h.authorization);
    return !!b && b.user === sim.keys.groupib.username && b.pass === sim.keys.groupib.apiKey;
  };

  async function route(ctx) {
    const sub = ctx.sub;
    let family;
    let rest;
    if (sub.startsWith("/api/v2/") || sub === "/api/v2") {
      family = "ti";
      rest = sub.slice("/api/v2".length) || "/";
    } else if (sub.startsWith("/client_api/") || sub === "/client_api") {
      family = "drp";
      rest = sub.slice("/client_api".length) || "/";
    } else return json(404, { message: "Not found" });
    const router = family === "ti" ? ti : drp;
    const m = router.match(ctx.method, rest);
    if (m && !m.allowed) {
      const r = await m.fn(ctx, m.params);
      if (r) return r;
    }
    if (ctx.method === "GET") {
      const segs = rest.split("/").filter(Boolean).map(decodeURIComponent);
      const r = family === "ti" ? tiCollectionRoute(ctx, segs) : drpCollectionRoute(ctx, segs);
      if (r) return r;
    }
    if (m?.allowed) return json(405, { message: `Method not allowed (allowed: ${m.allowed.join(", ")})` });
    return json(404, { message: "Not found. There is no such data on server or you are using wrong endpoint." });
  }

  return {
    authOk,
    async handle(ctx) {
      ctx.entry.authOk = authOk(ctx.headers);
      if (!ctx.entry.authOk) return json(401, { message: "Bad Credentials." });
      try {
        return await route(ctx);
      } catch (e) {
        if (e instanceof HttpError) return e.result;
        throw e;
      }
    },
    control(ctx, sub) {
      if (sub === "/collections" && ctx.method === "GET") {
        return json(200, { ti: TI_COLLECTIONS.map((c) => ({ collection: c, items: items(c).length, firstSeqUpdate: items(c)[0].seqUpdate, lastSeqUpdate: items(c).at(-1).seqUpdate })), drp: DRP_COLLECTIONS });
      }
      return null;
    },
    counts: () => ({ tiCollections: TI_COLLECTIONS.length, drpCollections: DRP_COLLECTIONS.length, searches: st.searches.size }),
    reset() {
      st.reset();
    },
    close() {},
  };
}

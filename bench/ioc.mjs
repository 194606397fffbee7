// Bench row 4: IOC extraction — ours (wasm, through the package) vs `ioc-extractor` (npm), same
// texts, same process: MB/s, and precision/recall on a generated corpus with planted IOCs and
// traps (ground truth known) and on the real ESET reports (truth: the report's own IOC values).
import { readFileSync, existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

/** Deterministic generator of report-like text with planted IOCs and traps. */
export function plantedCorpus(lines = 4000, seed = 7) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join("");
  const word = () => pick(["alpha", "delta", "orbit", "vector", "nimbus", "cobalt", "ember", "harbor", "quartz", "saffron"]) + Math.floor(rnd() * 90 + 10);
  const tld = () => pick(["com", "net", "org", "ru", "io", "info", "xyz", "de", "top"]);
  const truth = new Set();
  const out = [];
  const defang = (v) => v.replace(/\./g, pick(["[.]", "(.)", "{.}", "[dot]", "."])).replace(/^http/, pick(["hxxp", "http", "hXXp"]));
  for (let i = 0; i < lines; i++) {
    const kind = Math.floor(rnd() * 9);
    let v;
    switch (kind) {
      case 0: v = `${word()}.${word()}.${tld()}`; truth.add(v); out.push(`The beacon resolves ${defang(v)} every hour.`); break;
      case 1: { const host = `${word()}-${word()}.${tld()}`; v = `https://${host}/${word()}/${word()}.php?id=${Math.floor(rnd() * 999)}`; truth.add(v); truth.add(host); out.push(`Payload fetched from ${defang(v)}, then executed.`); break; }
      case 2: v = `${Math.floor(rnd() * 200 + 11)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 254 + 1)}`; truth.add(v); out.push(`C2 server at ${defang(v)}:${Math.floor(rnd() * 60000 + 1024)} (AS${Math.floor(rnd() * 60000)}).`); truth.add(out.at(-1).match(/AS\d+/)[0]); break;
      case 3: v = hex(pick([32, 40, 64])); truth.add(v); out.push(`| ${word()}.exe | ${v} | Win32/Agent.${word()} |`); break;
      case 4: { const host = `${word()}.${tld()}`; v = `${word()}@${host}`; truth.add(v); truth.add(host); out.push(`Phishing sent from ${v.replace("@", pick(["[at]", "@", "[@]"])).replace(/\./g, "[.]")}.`); break; }
      case 5: v = `CVE-20${Math.floor(rnd() * 9 + 15)}-${Math.floor(rnd() * 40000 + 1000)}`; truth.add(v); out.push(`It exploits ${v} in the VPN appliance.`); break;
      // traps: none of these is an IOC
      case 6: out.push(`Run ${pick(["main.py", "setup.exe", "install.sh", "archive.zip", "notes.md"])} with version v${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 9)}.`); break;
      case 7: out.push(`Calls ${pick(["System.IO", "ADODB.Stream", "Console.WriteLine", "std::vector", "ns::cafe"])} on build ${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 9)}.`); break;
      default: out.push(`Wallet 0x${hex(40)} is an Ethereum address, not a hash; see the ${word()}.`); break;
    }
  }
  return { text: out.join("\n"), truth };
}

function pr(found, truth) {
  const f = new Set([...found].map((v) => v.toLowerCase()));
  const t = new Set([...truth].map((v) => v.toLowerCase()));
  let tp = 0;
  for (const v of f) if (t.has(v)) tp++;
  return { precision: f.size ? tp / f.size : 1, recall: t.size ? tp / t.size : 1 };
}

function theirValues(r) {
  return new Set(Object.entries(r).filter(([k]) => !["gaPubIDs", "gaTrackIDs", "ssdeeps"].includes(k)).flatMap(([, v]) => v));
}

export async function iocRows(lib, runs) {
  const { extractIOC } = await import(new URL("./node_modules/ioc-extractor/dist/index.js", import.meta.url).href).catch(() => import("ioc-extractor"));
  const rows = [];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const corpora = [];
  const planted = plantedCorpus();
  corpora.push({ name: "planted corpus", text: planted.text, truth: planted.truth });
  const esetPath = `${root}../shared/data/eset/eset_reports.jsonl`;
  const csvPath = `${root}../shared/data/eset/eset_indicators.csv`;
  if (existsSync(esetPath) && existsSync(csvPath)) {
    const reports = readFileSync(esetPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    // Truth per report: the IOC values ESET published in the same folder (samples lists + MISP
    // events) that the report's own text mentions (refanged). Scored per report, summed.
    const byFolder = new Map();
    for (const line of readFileSync(csvPath, "utf8").split("\n").slice(1)) {
      const parts = line.split(",");
      if (parts.length < 4) continue;
      const folder = parts[0].split("/")[0];
      const value = parts.slice(3).join(",").trim().toLowerCase();
      // ESET's MISP types as ours (recall is reported per type)
      const type = { md5: "md5", sha1: "sha1", sha256: "sha256", domain: "domain", hostname: "domain", url: "url", "ip-dst": "ip", "ip-src": "ip", "email-dst": "email", "email-src": "email" }[parts[2]];
      if (!value || !type) continue;
      if (!byFolder.has(folder)) byFolder.set(folder, new Map());
      byFolder.get(folder).set(value, type);
    }
    const scored = reports.filter((r) => byFolder.has(r.path.split("/")[0]));
    corpora.push({ name: "ESET reports", text: reports.map((r) => r.text).join("\n\n"), truth: null, scored, byFolder });
  }
  for (const c of corpora) {
    const mb = new TextEncoder().encode(c.text).length / 1e6;
    const ours = [];
    const theirs = [];
    let oursFound;
    let theirFound;
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      const a = lib.extractIocs(c.text, { nested: true, dedupe: true });
      ours.push(mb / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      const b = extractIOC(c.text);
      theirs.push(mb / ((performance.now() - t0) / 1000));
      oursFound = new Set(a.map((x) => x.value));
      theirFound = theirValues(b);
    }
    const spread = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    let detail = `ours ${median(ours).toFixed(1)} MB/s (${spread(ours)}), ioc-extractor ${median(theirs).toFixed(1)} MB/s (${spread(theirs)}) on ${mb.toFixed(2)} MB`;
    rows.push({ row: `IOC extraction MB/s (${c.name})`, ratio: median(ours) / median(theirs), detail });
    if (c.scored) {
      // P/R per report against that report's published IOCs (kinds ESET lists), summed.
      const kinds = new Set(["md5", "sha1", "sha256", "domain", "url", "ipv4", "email"]);
      const acc = { ours: { tp: 0, found: 0, truth: 0 }, theirs: { tp: 0, found: 0, truth: 0 } };
      const perType = new Map(); // type -> { truth, ours, theirs } (values of that type found)
      for (const r of c.scored) {
        const plain = lib.refang(r.text).toLowerCase();
        const truth = new Map([...c.byFolder.get(r.path.split("/")[0])].filter(([v]) => plain.includes(v)));
        const mine = new Set(lib.extractIocs(r.text, { dedupe: true }).filter((i) => kinds.has(i.type)).map((i) => i.value.toLowerCase()));
        const b = extractIOC(r.text);
        const their = new Set([...b.md5s, ...b.sha1s, ...b.sha256s, ...b.domains, ...b.urls, ...b.ipv4s, ...b.emails].map((v) => v.toLowerCase()));
        for (const [who, found] of [["ours", mine], ["theirs", their]]) {
          acc[who].truth += truth.size;
          acc[who].found += found.size;
          for (const v of found) if (truth.has(v)) acc[who].tp += 1;
        }
        for (const [v, type] of truth) {
          if (!perType.has(type)) perType.set(type, { truth: 0, ours: 0, theirs: 0 });
          const t = perType.get(type);
          t.truth += 1;
          t.ours += mine.has(v);
          t.theirs += their.has(v);
        }
      }
      const p = (a) => a.tp / Math.max(1, a.found);
      const rr = (a) => a.tp / Math.max(1, a.truth);
      rows.push({ row: "IOC extraction precision (ESET reports vs their published IOCs)", ratio: p(acc.ours) / p(acc.theirs), detail: `ours P=${p(acc.ours).toFixed(3)} R=${rr(acc.ours).toFixed(3)}; ioc-extractor P=${p(acc.theirs).toFixed(3)} R=${rr(acc.theirs).toFixed(3)} (${c.scored.length} reports)` });
      rows.push({ row: "IOC extraction recall (ESET reports vs their published IOCs)", ratio: rr(acc.ours) / rr(acc.theirs), detail: "" });
      for (const [type, t] of [...perType].sort()) {
        rows.push({ row: `  recall on the ESET reports, ${type}`, ratio: t.ours / Math.max(t.theirs, 1), detail: `ours ${(t.ours / t.truth).toFixed(3)}, ioc-extractor ${(t.theirs / t.truth).toFixed(3)} (${t.truth} published values in the texts)` });
      }
    }
    if (c.truth) {
      const o = pr(oursFound, c.truth);
      const t = pr(theirFound, c.truth);
      rows.push({ row: `IOC extraction precision (${c.name})`, ratio: o.precision / t.precision, detail: `ours P=${o.precision.toFixed(3)} R=${o.recall.toFixed(3)}; ioc-extractor P=${t.precision.toFixed(3)} R=${t.recall.toFixed(3)}` });
      rows.push({ row: `IOC extraction recall (${c.name})`, ratio: o.recall / t.recall, detail: "" });
    }
  }
  return rows;
}

// Loads the shared real data once per process (never copied into the repo):
//   <shared>/data/stix21/...  STIX 2.1 bundles (MITRE ATT&CK ICS + Mobile, OASIS examples)
//   <shared>/data/eset/...    ESET indicators CSV and reports
// <shared> = $CTI_EDGE_SHARED_DIR, else path.resolve(repoRoot, "..", "shared").
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function sharedDir() {
  return process.env.CTI_EDGE_SHARED_DIR ? path.resolve(process.env.CTI_EDGE_SHARED_DIR) : path.resolve(repoRoot, "..", "shared");
}
export const dataDir = () => path.join(sharedDir(), "data");

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      field = "";
      if (c === "\r" && text[i + 1] === "\n") i++;
      i++;
      rows.push(row);
      row = [];
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function listJson(dir) {
  const out = [];
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listJson(p));
    else if (e.name.endsWith(".json")) out.push(p);
  }
  return out;
}

const STIX_FILES = ["stix21/attack-stix-data/ics-attack-18.1.json", "stix21/attack-stix-data/mobile-attack-17.1.json"];

let cached = null;

/**
 * The shared data, loaded once per process:
 * { dir, ok, warnings, stix: [{ source, objects }], eset: [{ family, sourcePath, kind, type, value }], reports: [{ path, text }] }
 */
export function loadShared() {
  if (cached) return cached;
  const dir = dataDir();
  const warnings = [];
  const stix = [];
  for (const rel of STIX_FILES) {
    const b = readJson(path.join(dir, rel));
    if (b?.objects) stix.push({ source: rel, objects: b.objects });
    else warnings.push(`missing ${rel}`);
  }
  for (const file of listJson(path.join(dir, "stix21/oasis-cti-stix2-json-schemas/examples"))) {
    const b = readJson(file);
    if (b?.objects) stix.push({ source: path.relative(dir, file), objects: b.objects });
  }
  const eset = [];
  try {
    const rows = parseCsv(fs.readFileSync(path.join(dir, "eset/eset_indicators.csv"), "utf8"));
    for (const r of rows.slice(1)) {
      if (r.length !== 4 || !r[3]) continue;
      eset.push({ family: r[0].split("/")[0], sourcePath: r[0], kind: r[1], type: r[2], value: r[3].trim() });
    }
  } catch {
    warnings.push("missing eset/eset_indicators.csv");
  }
  const reports = [];
  try {
    for (const line of fs.readFileSync(path.join(dir, "eset/eset_reports.jsonl"), "utf8").split("\n")) {
      if (line.trim()) reports.push(JSON.parse(line));
    }
  } catch {
    warnings.push("missing eset/eset_reports.jsonl");
  }
  cached = { dir, ok: warnings.length === 0, warnings, stix, eset, reports };
  if (warnings.length) console.error(`[sim] shared data incomplete (${dir}): ${warnings.join("; ")} — using what is there`);
  return cached;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

let iocCache = null;

/**
 * Real network and file IOCs from the ESET CSV, de-duplicated, in CSV order:
 * [{ family, sourcePath, type: "ipv4-addr"|"domain-name"|"url"|"email-addr"|"file", hash?: "MD5"|"SHA-1"|"SHA-256", value }]
 * (samples-list md5/sha1 are skipped: the same files as the sha256 lists).
 */
export function esetIocs() {
  if (iocCache) return iocCache;
  const { eset } = loadShared();
  const seen = new Set();
  const out = [];
  const add = (row, type, value, hash) => {
    const v = value.trim();
    if (!v) return;
    const key = `${type}|${v.toLowerCase()}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ family: row.family, sourcePath: row.sourcePath, type, value: v, ...(hash ? { hash } : {}) });
  };
  for (const row of eset) {
    const t = row.type;
    const v = row.value;
    if (t === "sha256" && /^[0-9a-f]{64}$/i.test(v)) add(row, "file", v.toLowerCase(), "SHA-256");
    else if (t === "sha1" && row.kind === "misp" && /^[0-9a-f]{40}$/i.test(v)) add(row, "file", v.toLowerCase(), "SHA-1");
    else if (t === "md5" && row.kind === "misp" && /^[0-9a-f]{32}$/i.test(v)) add(row, "file", v.toLowerCase(), "MD5");
    else if ((t === "domain" || t === "hostname") && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v)) add(row, "domain-name", v.toLowerCase());
    else if (t === "url" && /^https?:\/\//i.test(v)) add(row, "url", v);
    else if ((t === "ip-dst" || t === "ip-src") && IPV4.test(v)) add(row, "ipv4-addr", v);
    else if (t === "domain|ip") {
      const [d, ip] = v.split("|");
      if (d && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(d)) add(row, "domain-name", d.toLowerCase());
      if (ip && IPV4.test(ip)) add(row, "ipv4-addr", ip);
    } else if ((t === "email-dst" || t === "email-src") && /^[^@\s]+@[^@\s]+$/.test(v)) add(row, "email-addr", v.toLowerCase());
    else if (t === "filename|sha1" || t === "filename|sha256" || t === "filename|md5") {
      const h = v.split("|")[1]?.toLowerCase() ?? "";
      const kind = t.endsWith("sha1") ? "SHA-1" : t.endsWith("sha256") ? "SHA-256" : "MD5";
      if (/^[0-9a-f]+$/.test(h)) add(row, "file", h, kind);
    }
  }
  if (out.length === 0) {
    // No shared data: a tiny documentation-range fallback keeps the simulator usable.
    for (let i = 1; i <= 50; i++) {
      out.push({ family: "fallback", sourcePath: "fallback", type: "ipv4-addr", value: `192.0.2.${i}` });
      out.push({ family: "fallback", sourcePath: "fallback", type: "domain-name", value: `bad${i}.example` });
    }
  }
  iocCache = out;
  return out;
}

/** The STIX pattern for one IOC. */
export function stixPattern(ioc) {
  switch (ioc.type) {
    case "file":
      return `[file:hashes.${ioc.hash === "MD5" ? "MD5" : `'${ioc.hash}'`} = '${ioc.value}']`;
    case "url":
      return `[url:value = '${ioc.value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
    default:
      return `[${ioc.type}:value = '${ioc.value.replace(/'/g, "\\'")}']`;
  }
}

/** Observable types named in a STIX pattern, e.g. "[ipv4-addr:value = '1.2.3.4']" → ["ipv4-addr"]. */
export function patternObservableTypes(pattern) {
  const set = new Set();
  // object paths only: quoted values (`'http://1.2.3.4:66/a'`, IPv6 addresses) hold "x:y" too
  const paths = String(pattern || "").replace(/'(?:[^'\\]|\\.)*'/g, "''");
  for (const m of paths.matchAll(/([a-z0-9][a-z0-9-]*):[a-z_]/gi)) set.add(m[1].toLowerCase());
  return [...set];
}

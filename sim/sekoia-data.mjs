// The Sekoia Intelligence Center dataset, built deterministically once per process from the shared data:
// every object of the STIX bundles + Sekoia-style indicators from the ESET CSV + `indicates` relationships +
// report objects for the ESET reports (with downloadable files). Objects are never mutated after build.
import { loadShared, esetIocs, stixPattern, patternObservableTypes } from "./data.mjs";
import { prng, detUuid, sha256hex, isoMs } from "./util.mjs";

export const SEKOIA_IDENTITY = "identity--357447d7-9229-4ce1-b7fa-f1b83587048e";
export const ESET_IDENTITY = `identity--${detUuid("identity:eset")}`;
export const DEFAULT_FEED = "d6092c37-d8d7-45c3-8aff-c4dc26030608";
export const COMMUNITY_UUID = "c0ffee00-5e1c-4a11-9000-000000000001";
export const TLP = {
  white: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
  green: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
  amber: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
  red: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
};

export const FEED_START = Date.parse("2019-01-01T00:00:00Z");
export const FEED_END = Date.parse("2026-06-30T00:00:00Z");
const DAY = 86_400_000;

const norm = (s) => String(s || "").toLowerCase().replace(/[^a-z0-9]/g, "");

function fixedObjects() {
  const created = "2017-01-20T00:00:00.000Z";
  const marking = (name, id, tlp) => ({
    type: "marking-definition",
    spec_version: "2.1",
    id,
    created,
    name,
    definition_type: "tlp",
    definition: { tlp },
  });
  return [
    {
      type: "identity",
      spec_version: "2.1",
      id: SEKOIA_IDENTITY,
      created: "2019-01-01T00:00:00.000Z",
      modified: "2019-01-01T00:00:00.000Z",
      name: "SEKOIA",
      identity_class: "organization",
      x_ic_is_source: true,
      x_ic_is_sector: false,
    },
    {
      type: "identity",
      spec_version: "2.1",
      id: ESET_IDENTITY,
      created: "2019-01-01T00:00:00.000Z",
      modified: "2019-01-01T00:00:00.000Z",
      name: "ESET Research (eset/malware-ioc)",
      identity_class: "organization",
      x_ic_is_source: true,
      x_ic_is_sector: false,
    },
    marking("TLP:WHITE", TLP.white, "white"),
    marking("TLP:GREEN", TLP.green, "green"),
    marking("TLP:AMBER", TLP.amber, "amber"),
    marking("TLP:RED", TLP.red, "red"),
  ];
}

const PHASES = {
  file: ["installation", "delivery", "actions-on-objectives"],
  "domain-name": ["command-and-control", "delivery"],
  url: ["delivery", "command-and-control"],
  "ipv4-addr": ["command-and-control"],
  "email-addr": ["delivery", "weaponization"],
};
const VALIDITY_DAYS = { file: 365, "domain-name": 180, url: 180, "ipv4-addr": 30, "email-addr": 180 };

let cached = null;

export function buildSekoiaData() {
  if (cached) return cached;
  const shared = loadShared();
  const rnd = prng("sekoia-feed");
  const byId = new Map();
  const all = [];
  const put = (o) => {
    if (byId.has(o.id)) return;
    byId.set(o.id, o);
    all.push(o);
  };
  for (const o of fixedObjects()) put(o);
  for (const b of shared.stix) {
    for (const o of b.objects) {
      if (!o.id || !o.type || o.type === "bundle") continue;
      const copy = { ...o };
      if (copy.type === "indicator" && !copy.x_ic_observable_types) copy.x_ic_observable_types = patternObservableTypes(copy.pattern);
      put(copy);
    }
  }

  // Threats to link ESET indicators to: ATT&CK / OASIS malware and intrusion sets (matched by name/alias when possible).
  const threats = all.filter((o) => (o.type === "malware" || o.type === "intrusion-set") && !o.revoked && !o.x_mitre_deprecated);
  const threatByAlias = new Map();
  for (const t of threats) for (const n of [t.name, ...(t.aliases ?? []), ...(t.x_mitre_aliases ?? [])]) if (n) threatByAlias.set(norm(n), t);
  const familyThreat = new Map();
  const threatFor = (family) => {
    if (!familyThreat.has(family)) {
      const parts = family.split(/[_-]/);
      const hit = threatByAlias.get(norm(family)) ?? parts.map((p) => threatByAlias.get(norm(p))).find(Boolean);
      familyThreat.set(family, hit ?? threats[prng("threat:" + family).int(threats.length)]);
    }
    return familyThreat.get(family);
  };

  // Sekoia-style indicators from the real ESET IOCs.
  const indicators = [];
  const relationships = [];
  for (const ioc of esetIocs()) {
    const id = `indicator--${detUuid(`ind:${ioc.type}:${ioc.value}`)}`;
    const r = prng(id);
    const phases = PHASES[ioc.type];
    const ind = {
      type: "indicator",
      spec_version: "2.1",
      id,
      name: ioc.value,
      description: `${ioc.type === "file" ? ioc.hash + " of a sample" : ioc.type} listed by ESET research for "${ioc.family}" (${ioc.sourcePath}).`,
      pattern: stixPattern(ioc),
      pattern_type: "stix",
      indicator_types: ["malicious-activity"],
      kill_chain_phases: [{ kill_chain_name: "lockheed-martin-cyber-kill-chain", phase_name: phases[r.int(phases.length)] }],
      confidence: [50, 70, 80, 90, 100][r.int(5)],
      lang: "en",
      revoked: r() < 0.02,
      object_marking_refs: [[TLP.white, TLP.green, TLP.green, TLP.amber][r.int(4)]],
      created_by_ref: SEKOIA_IDENTITY,
      x_inthreat_sources_refs: [ESET_IDENTITY],
      x_ic_observable_types: [ioc.type],
      x_ic_is_in_flint: false,
      x_ic_deprecated: false,
      external_references: [{ source_name: "eset/malware-ioc", url: `https://github.com/eset/malware-ioc/tree/master/${ioc.family}`, description: ioc.sourcePath }],
      x_sim_family: ioc.family,
    };
    indicators.push(ind);
    put(ind);
    if (r() < 0.35) {
      const threat = threatFor(ioc.family);
      if (threat) {
        const rel = {
          type: "relationship",
          spec_version: "2.1",
          id: `relationship--${detUuid(`rel:${id}:${threat.id}`)}`,
          relationship_type: "indicates",
          source_ref: id,
          target_ref: threat.id,
          description: `ESET attributes this indicator to ${ioc.family}; the simulator maps that family to ${threat.name}.`,
          confidence: 70,
          revoked: false,
          created_by_ref: SEKOIA_IDENTITY,
          object_marking_refs: [TLP.white],
          x_inthreat_sources_refs: [ESET_IDENTITY],
        };
        relationships.push(rel);
        put(rel);
      }
    }
  }

  // Report objects for the ESET reports; the AsciiDoc text is the downloadable file.
  const files = new Map();
  const famIndicators = new Map();
  for (const ind of indicators) {
    const list = famIndicators.get(ind.x_sim_family) ?? [];
    if (list.length < 50) list.push(ind.id);
    famIndicators.set(ind.x_sim_family, list);
  }
  for (const rep of shared.reports) {
    const family = rep.path.split("/")[0];
    const buf = Buffer.from(rep.text, "utf8");
    const sha = sha256hex(buf);
    const fileName = rep.path.replace(/\//g, "_");
    files.set(sha, { buf, mime: "text/plain", name: fileName });
    const title = /^=\s*(.+)$/m.exec(rep.text)?.[1]?.trim() ?? `${family} IOCs`;
    put({
      type: "report",
      spec_version: "2.1",
      id: `report--${detUuid("report:" + rep.path)}`,
      name: title,
      description: `ESET malware-ioc README for ${family}.`,
      report_types: ["threat-report"],
      published: null,
      object_refs: famIndicators.get(family) ?? [],
      lang: "en",
      revoked: false,
      created_by_ref: SEKOIA_IDENTITY,
      object_marking_refs: [TLP.white],
      x_inthreat_sources_refs: [ESET_IDENTITY],
      x_inthreat_uploaded_files: [{ file_name: fileName, mime_type: "text/plain", sha256: sha }],
      external_references: [{ source_name: "eset/malware-ioc", url: `https://github.com/eset/malware-ioc/blob/master/${rep.path}` }],
    });
  }

  // Deterministic modification times spread over 2019 → mid-2026, in a shuffled order.
  const order = all.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const step = (FEED_END - FEED_START) / order.length;
  order.forEach((o, i) => {
    const ms = Math.floor(FEED_START + i * step + rnd() * step * 0.9);
    o.modified = isoMs(ms);
    const c = Date.parse(o.created ?? "");
    if (!(c <= ms)) o.created = isoMs(ms - Math.floor(rnd() * 30 * DAY));
    if (o.type === "report" && o.published === null) o.published = o.modified;
    if (o.type === "indicator" && String(o.id).startsWith("indicator--") && o.x_sim_family) {
      const from = ms - Math.floor(rnd() * 10 * DAY);
      o.valid_from = isoMs(from);
      o.valid_until = isoMs(from + VALIDITY_DAYS[o.x_ic_observable_types[0]] * DAY);
    }
  });
  const feed = order.sort((a, b) => cmpPos(a.modified, a.id, b.modified, b.id));
  for (const o of indicators) delete o.x_sim_family;

  // Indexes.
  const relsBySource = new Map();
  const relsByTarget = new Map();
  for (const o of feed) {
    if (o.type !== "relationship") continue;
    (relsBySource.get(o.source_ref) ?? relsBySource.set(o.source_ref, []).get(o.source_ref)).push(o);
    (relsByTarget.get(o.target_ref) ?? relsByTarget.set(o.target_ref, []).get(o.target_ref)).push(o);
  }
  const byValue = new Map();
  for (const o of feed) {
    if (o.type !== "indicator") continue;
    for (const m of String(o.pattern).matchAll(/(?:value|hashes\.(?:'[^']+'|\w+))\s*=\s*'((?:[^'\\]|\\.)*)'/g)) {
      const v = m[1].replace(/\\(.)/g, "$1").toLowerCase();
      (byValue.get(v) ?? byValue.set(v, []).get(v)).push(o);
    }
  }
  const attackPatterns = feed.filter((o) => o.type === "attack-pattern" && !o.revoked && !o.x_mitre_deprecated);
  cached = { feed, byId, relsBySource, relsByTarget, byValue, files, threats, attackPatterns, counts: { objects: feed.length, indicators: indicators.length, relationships: relationships.length } };
  return cached;
}

export function cmpPos(m1, id1, m2, id2) {
  return m1 < m2 ? -1 : m1 > m2 ? 1 : id1 < id2 ? -1 : id1 > id2 ? 1 : 0;
}

/** A new Sekoia-style indicator (used by feed/append and IOC collections). */
export function makeIndicator({ id, value, type, hash, modifiedMs, validFromMs, validUntilMs, extra = {} }) {
  return {
    type: "indicator",
    spec_version: "2.1",
    id,
    name: value,
    pattern: stixPattern({ type, value, hash }),
    pattern_type: "stix",
    indicator_types: ["malicious-activity"],
    valid_from: isoMs(validFromMs ?? modifiedMs),
    valid_until: validUntilMs === null ? undefined : isoMs(validUntilMs ?? modifiedMs + (VALIDITY_DAYS[type] ?? 180) * DAY),
    kill_chain_phases: [{ kill_chain_name: "lockheed-martin-cyber-kill-chain", phase_name: (PHASES[type] ?? ["delivery"])[0] }],
    confidence: 80,
    lang: "en",
    revoked: false,
    created: isoMs(modifiedMs),
    modified: isoMs(modifiedMs),
    object_marking_refs: [TLP.green],
    created_by_ref: SEKOIA_IDENTITY,
    x_inthreat_sources_refs: [SEKOIA_IDENTITY],
    x_ic_observable_types: [type],
    x_ic_is_in_flint: false,
    x_ic_deprecated: false,
    ...extra,
  };
}

// Shared bits of the example runners: a sequential step runner with a closing
// "<name>: N passed, M failed" line, simulator helpers and sample IOCs from the simulator.
import { mkdirSync, readFileSync } from "node:fs";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const SHOTS = ROOT + "test-artifacts/screenshots/";
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

export function steps(name, { budgetMs = 55_000 } = {}) {
  const results = [];
  const t0 = Date.now();
  let stop = false;
  return {
    results,
    /** Runs one check; a failure is recorded and later checks still run (unless `fatal`). */
    async step(title, fn, { fatal = false } = {}) {
      if (stop) {
        results.push({ title, ok: false, error: "skipped after a fatal failure" });
        console.log(`  ✗ ${title} (skipped after a fatal failure)`);
        return;
      }
      const s = Date.now();
      try {
        const note = await fn();
        results.push({ title, ok: true });
        console.log(`  ✓ ${title} (${Date.now() - s} ms)${note ? ` — ${note}` : ""}`);
      } catch (e) {
        results.push({ title, ok: false, error: String(e?.stack ?? e) });
        console.log(`  ✗ ${title} (${Date.now() - s} ms)\n      ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n      ")}`);
        if (fatal) stop = true;
      }
      if (Date.now() - t0 > budgetMs) {
        stop = true;
        console.log(`  ! time budget of ${budgetMs} ms exceeded: the remaining steps are skipped`);
      }
    },
    finish() {
      const passed = results.filter((r) => r.ok).length;
      const failed = results.length - passed;
      console.log(`${name}: ${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return passed > 0 && failed === 0 ? 0 : 1;
    },
  };
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg ?? "assertion failed");
}

export function shotsDir() {
  mkdirSync(SHOTS, { recursive: true });
  return SHOTS;
}

export function simApi(url) {
  const json = async (method, path, body) => {
    const r = await fetch(url + path, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!r.ok) throw new Error(`simulator ${method} ${path}: ${r.status} ${await r.text()}`);
    const t = await r.text();
    return t ? JSON.parse(t) : null;
  };
  return {
    info: () => json("GET", "/__sim/info"),
    append: (count) => json("POST", "/__sim/sekoia/feed/append", { count }),
    chaos: (match, action, times) => json("POST", "/__sim/chaos", { match, action, times }),
    clearChaos: () => json("DELETE", "/__sim/chaos"),
    log: async (prefix) => (await json("GET", `/__sim/log?path=${encodeURIComponent(prefix)}`)).requests,
    /** Raw Sekoia GET with the simulator's key. */
    async sekoia(path, query = {}) {
      const { keys } = await json("GET", "/__sim/info");
      const u = new URL(`${url}/sekoia/api/${path}`);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
      const r = await fetch(u, { headers: { authorization: `Bearer ${keys.sekoia}` } });
      if (!r.ok) throw new Error(`GET ${u}: ${r.status}`);
      return r.json();
    },
  };
}

const FEED = "d6092c37-d8d7-45c3-8aff-c4dc26030608";

/**
 * IOCs the simulator knows: `linked` = indicators that `indicates` a malware / intrusion set
 * (one per observable type found), plus the threat name.
 */
export async function knownIocs(sim, want = ["domain-name", "ipv4-addr", "file", "url"]) {
  const rels = (await sim.sekoia(`v2/inthreat/collections/${FEED}/objects`, { limit: 2000, "match[type]": "relationship" })).items
    .filter((r) => r.relationship_type === "indicates" && r.source_ref.startsWith("indicator--"));
  const out = {};
  for (let i = 0; i < rels.length && Object.keys(out).length < want.length; i += 40) {
    const batch = rels.slice(i, i + 40);
    const ids = [...new Set(batch.flatMap((r) => [r.source_ref, r.target_ref]))];
    const { _items: items } = await sim.sekoia(`v2/inthreat/objects/${ids.join(",")}`); // OAS-IC {data, _items}
    const byId = new Map(items.map((o) => [o.id, o]));
    for (const r of batch) {
      const ind = byId.get(r.source_ref);
      const threat = byId.get(r.target_ref);
      const t = ind?.x_ic_observable_types?.[0];
      if (!ind || !threat || ind.revoked || !want.includes(t) || out[t]) continue;
      out[t] = { value: ind.name, threat: threat.name, threatType: threat.type, indicatorId: ind.id };
    }
  }
  return out;
}

/**
 * README snippets are the tested code: a fenced block right after `<!-- snippet: <path> -->` must
 * appear verbatim in that file (path relative to the repository). Returns how many were checked.
 */
export function checkSnippets(readmeRel) {
  const md = readFileSync(ROOT + readmeRel, "utf8");
  const re = /<!-- snippet: (\S+) -->\s*\n```[a-z]*\n([\s\S]*?)\n```/g;
  let n = 0;
  for (const [, file, block] of md.matchAll(re)) {
    const src = readFileSync(ROOT + file, "utf8");
    if (!src.includes(block)) {
      const first = block.split("\n").find((l) => !src.includes(l));
      throw new Error(`${readmeRel}: a snippet is not verbatim in ${file}; first differing line: ${JSON.stringify(first)}`);
    }
    n += 1;
  }
  if (!n) throw new Error(`${readmeRel}: no <!-- snippet: … --> block`);
  return n;
}

/** The fenced block right after `<!-- run: <tag> -->` in a README. */
export function runnableSnippet(readmeRel, tag) {
  const md = readFileSync(ROOT + readmeRel, "utf8");
  const m = new RegExp(`<!-- run: ${tag} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(md);
  if (!m) throw new Error(`${readmeRel}: no <!-- run: ${tag} --> block`);
  return m[1];
}

/**
 * Indicators valid right now (not revoked, valid_until in the future) — what an IndicatorSet keeps —
 * one per observable type, preferring one linked to a malware / intrusion set (`threat`).
 */
export async function activeIocs(sim, want = ["domain-name", "ipv4-addr", "file", "url"]) {
  const now = Date.now();
  const active = [];
  let cursor;
  for (;;) {
    const q = { limit: 2000, "match[type]": "indicator" };
    if (cursor) q.cursor = cursor;
    const page = await sim.sekoia(`v2/inthreat/collections/${FEED}/objects`, q);
    active.push(...page.items.filter((o) => !o.revoked && o.valid_until && Date.parse(o.valid_until) > now));
    if (page.items.length < 2000) break;
    cursor = page.next_cursor;
  }
  const out = {};
  for (const t of want) {
    const candidates = active.filter((o) => o.x_ic_observable_types?.[0] === t);
    for (const ind of candidates.slice(0, 40)) {
      const rels = await sim.sekoia(`v2/inthreat/objects/${ind.id}/relationships`, { limit: 20 });
      const threat = rels.items.map((r) => r.related_object).find((o) => o && ["malware", "intrusion-set"].includes(o.type));
      if (threat || !out[t]) out[t] = { value: ind.name, threat: threat?.name ?? null, threatType: threat?.type ?? null, indicatorId: ind.id };
      if (threat) break;
    }
  }
  out.activeCount = active.length;
  return out;
}

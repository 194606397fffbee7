// Sekoia Operations Center (/v1/sic/conf): event search jobs and the rules catalog.
import { randomUUID } from "node:crypto";
import { json, empty, intParam, boolParam, prng, detUuid, hash32, isoMicro, HttpError } from "./util.mjs";
import { esetIocs } from "./data.mjs";
import { buildSekoiaData, COMMUNITY_UUID } from "./sekoia-data.mjs";
import { invalid, notFound, pageParams } from "./sekoia-intel.mjs";
import { AVATAR_UUID } from "./sekoia-ioc.mjs";

const REL = /^([+-])(\d+)([SMHDW])$/i;
const UNIT = { S: 1e3, M: 60e3, H: 3600e3, D: 86400e3, W: 604800e3 };

/** Parses Sekoia's time syntax: ISO 8601, "now", or relative (+|-)N(S|M|H|D|W). Returns ms or NaN. */
export function parseSekoiaTime(v, now = Date.now()) {
  if (typeof v !== "string" || !v.trim()) return NaN;
  const s = v.trim();
  if (s.toLowerCase() === "now") return now;
  const m = REL.exec(s);
  if (m) return now + (m[1] === "-" ? -1 : 1) * Number(m[2]) * UNIT[m[3].toUpperCase()];
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || s.length === 10 ? s : s + "Z";
  return Date.parse(iso);
}

const QUEUE_MS = 300;
const RUN_MS = 1200;

/** A `match[...]`-style comma list (`a, b` → ["a", "b"]); undefined stays undefined. */
const csv = (v) => (v === undefined || v === null ? undefined : String(v).split(",").map((s) => s.trim()).filter(Boolean));

export function createOps(st) {
  st.resetOps = () => {
    st.jobs = new Map();
    st.rules = new Map(seedRules().map((r) => [r.uuid, r]));
  };

  // ---------- search jobs ----------
  function jobCount(term, maxLast) {
    let n;
    if (/\bno_results\b|\bnothing\b/i.test(term)) n = 0;
    else if (/"[^"]+"|\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-f]{32,64}\b/i.test(term)) n = 1 + (hash32(term) % 40);
    else n = 2500;
    return maxLast ? Math.min(n, maxLast) : n;
  }

  function jobState(job, now = Date.now()) {
    if (job.canceled_at) return job;
    const age = now - job.createdMs;
    if (age >= QUEUE_MS + RUN_MS) {
      job.status = 2;
      job.retrieved = job.total;
      job.startedMs ??= job.createdMs + QUEUE_MS;
      job.endedMs ??= job.createdMs + QUEUE_MS + RUN_MS;
    } else if (age >= QUEUE_MS) {
      job.status = 1;
      job.startedMs ??= job.createdMs + QUEUE_MS;
      job.retrieved = Math.floor((job.total * (age - QUEUE_MS)) / RUN_MS);
    }
    return job;
  }
  const expired = (job, now = Date.now()) => job.forceExpired || (job.endedMs !== null && job.endedMs !== undefined && now > job.endedMs + job.results_ttl * 1000);

  function jobJson(job) {
    jobState(job);
    const iso = (ms) => (ms === null || ms === undefined ? null : isoMicro(ms).replace("Z", "+00:00"));
    return {
      uuid: job.uuid,
      status: job.status,
      total: job.total,
      retrieved: job.retrieved,
      term: job.term,
      term_lang: job.term_lang,
      filters: job.filters,
      created_by: AVATAR_UUID,
      created_by_type: "apikey",
      created_at: iso(job.createdMs),
      started_at: iso(job.startedMs),
      ended_at: iso(job.endedMs),
      canceled_by: job.canceled_at ? AVATAR_UUID : null,
      canceled_by_type: job.canceled_at ? "apikey" : null,
      canceled_at: iso(job.canceled_at),
      earliest_time: job.earliest_time,
      latest_time: job.latest_time,
      results_ttl: job.results_ttl,
      expiration_date: job.endedMs ? iso(job.endedMs + job.results_ttl * 1000) : null,
      expired: expired(job),
      view_uuid: job.view_uuid ?? null,
      short_histogram: job.status === 2 ? [{ length: Math.round((job.latestMs - job.earliestMs) / 1000), earliest_time: Math.floor(job.earliestMs / 1000), total: job.total, alerts: 0, cases: 0 }] : [],
      community_uuids: job.community_uuids,
      max_last_events: job.max_last_events,
      date_field: job.date_field,
      only_eternal: job.only_eternal,
    };
  }

  function makeEvent(job, i) {
    const pool = esetIocs();
    const r = prng(`${job.term}#${i}`);
    const span = Math.max(1, job.latestMs - job.earliestMs);
    // descending timestamps
    const ts = job.latestMs - Math.floor(((i + r()) / Math.max(1, job.total)) * span);
    const net = pool.filter((x) => x.type !== "file");
    const dst = net.length ? net[(hash32(job.term) + i * 31) % net.length] : { type: "domain-name", value: "example.com" };
    const ev = {
      "@timestamp": new Date(ts).toISOString(),
      timestamp: new Date(ts).toISOString(),
      "event.id": detUuid(`event:${job.uuid}:${i}`),
      "event.dialect": ["windows", "linux", "fortigate", "squid"][r.int(4)],
      "sekoiaio.intake.dialect": "Simulated intake",
      "host.name": `host-${r.int(200)}.corp.example`,
      "user.name": `user${r.int(500)}`,
      "source.ip": `10.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`,
      "destination.ip": dst.type === "ipv4-addr" ? dst.value : `198.51.100.${1 + r.int(254)}`,
      "url.domain": dst.type === "domain-name" ? dst.value : dst.type === "url" ? safeHost(dst.value) : null,
      "destination.port": [80, 443, 8080, 53][r.int(4)],
      message: `simulated event ${i + 1} for ${job.term}`,
    };
    for (const [, field, value] of job.term.matchAll(/([\w.@]+)\s*[:=]\s*"([^"]*)"/g)) ev[field] = value;
    return ev;
  }

  const getJob = (uuid) => {
    const job = st.jobs.get(uuid);
    if (!job) throw notFound("Unknown search job", "SIC404");
    return job;
  };

  // ---------- rules ----------
  function seedRules() {
    const aps = buildSekoiaData().attackPatterns;
    const r = prng("rules");
    const picked = [];
    const step = Math.max(1, Math.floor(aps.length / 50));
    for (let i = 0; i < aps.length && picked.length < 50; i += step) picked.push(aps[i]);
    return picked.map((ap, i) => {
      const ext = (ap.external_references ?? []).find((e) => e.source_name?.startsWith("mitre"))?.external_id ?? "";
      const type = i % 10 === 0 ? "cti" : i % 7 === 0 ? "correlation" : "sigma";
      const created = Date.parse("2021-01-01T00:00:00Z") + Math.floor(r() * 4 * 365 * 86400e3);
      const tactics = (ap.kill_chain_phases ?? []).map((k) => k.phase_name);
      return {
        uuid: detUuid("rule:" + ap.id),
        name: `${ap.name}${ext ? ` (${ext})` : ""}`.slice(0, 100),
        type,
        description: String(ap.description ?? "").replace(/\(Citation:[^)]*\)/g, "").slice(0, 400).trim(),
        payload:
          type === "sigma"
            ? `title: ${ap.name}\nstatus: experimental\nlogsource:\n  category: process_creation\ndetection:\n  selection:\n    process.command_line|contains: '${ext || "x"}'\n  condition: selection\n`
            : type === "cti"
              ? "cti"
              : `name: ${ap.name}\ntype: event_count\nevent_count:\n  field: source.ip\n  threshold: 10\n  timeframe: 5m\n`,
        severity: 10 + r.int(91),
        effort: 1 + r.int(4),
        enabled: r() < 0.6,
        private: false,
        is_private: false,
        community_uuid: COMMUNITY_UUID,
        instance_uuid: null,
        parameters: [],
        all_entities: true,
        entities: [],
        exclude_entities: [],
        all_assets: true,
        assets: [],
        exclude_assets: [],
        alert_type: { uuid: detUuid("alert-type:" + (tactics[0] ?? "other")), category_uuid: detUuid("alert-cat:intrusion"), category_name: "Intrusions", value: tactics[0] ?? "other", detail: ap.name, description: "" },
        alert_category: { uuid: detUuid("alert-cat:intrusion"), name: "Intrusions" },
        tags: tactics.map((t) => ({ uuid: detUuid("tag:" + t), name: t })),
        source: "SEKOIA",
        verified: r() < 0.8,
        related_object_refs: [ap.id],
        datasources: [{ uuid: detUuid("ds:process"), name: "Process monitoring" }],
        event_fields: [{ field: "process.command_line", description: "Command line" }],
        similarity_strategy: ["source.ip"],
        last_compilation_success: true,
        last_compilation_message: "",
        last_compilation_at: isoMicro(created),
        created_at: isoMicro(created),
        created_by: AVATAR_UUID,
        created_by_type: "avatar",
        updated_at: isoMicro(created + r.int(90) * 86400e3),
        updated_by: AVATAR_UUID,
        updated_by_type: "avatar",
        goal: "",
        false_positives: "",
        references: "",
        available_for_subcommunities: false,
        has_active_alert_filters: false,
      };
    });
  }

  function validateRule(b, partial) {
    if (!b || typeof b !== "object") throw invalid("body must be a JSON object");
    const req = (k) => !partial && b[k] === undefined;
    if (req("name") || (b.name !== undefined && (typeof b.name !== "string" || b.name.length < 5 || b.name.length > 100))) throw invalid("name must be 5-100 characters");
    if (req("type") || (b.type !== undefined && !["sigma", "cti", "correlation"].includes(b.type))) throw invalid("type must be sigma, cti or correlation");
    if (b.description !== undefined && b.description !== null && (typeof b.description !== "string" || b.description.length > 1000)) throw invalid("description must be at most 1000 characters");
    if (req("payload") || (b.payload !== undefined && typeof b.payload !== "string")) throw invalid("payload (string) is required");
    if (req("severity") || (b.severity !== undefined && !(Number.isInteger(b.severity) && b.severity >= 0 && b.severity <= 100))) throw invalid("severity must be an integer 0-100");
    if (req("effort") || (b.effort !== undefined && !(Number.isInteger(b.effort) && b.effort >= 1 && b.effort <= 5))) throw invalid("effort must be an integer 1-5");
    if (req("alert_type_uuid") || (b.alert_type_uuid !== undefined && typeof b.alert_type_uuid !== "string")) throw invalid("alert_type_uuid is required");
    if (req("enabled") || (b.enabled !== undefined && typeof b.enabled !== "boolean")) throw invalid("enabled (boolean) is required");
  }

  function applyRule(rule, b) {
    const keys = ["name", "type", "description", "payload", "severity", "effort", "enabled", "tags", "related_object_refs", "datasources", "event_fields", "parameters",
      "all_entities", "entities", "all_assets", "assets", "goal", "false_positives", "similarity_strategy", "available_for_subcommunities", "exclude_assets", "exclude_entities", "community_uuid"];
    for (const k of keys) if (b[k] !== undefined) rule[k] = b[k];
    if (b.alert_type_uuid) rule.alert_type = { ...(rule.alert_type ?? {}), uuid: b.alert_type_uuid };
    rule.updated_at = isoMicro(Date.now());
    return rule;
  }

  const getRule = (uuid) => {
    const r = st.rules.get(uuid);
    if (!r) throw notFound("Unknown rule", "SIC1404");
    return r;
  };

  const routes = (r) => {
    const J = "/v1/sic/conf/events/search/jobs";
    r.add("POST", J, (ctx) => {
      const b = ctx.json();
      if (!b || typeof b !== "object") throw invalid("body must be a JSON object");
      if (typeof b.term !== "string" || !b.term.trim()) throw invalid("term is required");
      const now = Date.now();
      const e = parseSekoiaTime(b.earliest_time, now);
      const l = parseSekoiaTime(b.latest_time, now);
      if (Number.isNaN(e)) throw invalid("earliest_time must be ISO 8601, 'now' or relative like -1d");
      if (Number.isNaN(l)) throw invalid("latest_time must be ISO 8601, 'now' or relative like -1d");
      if (e > l) throw invalid("earliest_time must be before latest_time");
      const ttl = b.results_ttl ?? 1800;
      if (!Number.isInteger(ttl) || ttl < 10 || ttl > 86400) throw invalid("results_ttl must be an integer 10-86400");
      if (b.term_lang !== undefined && !["dork", "es-query-string"].includes(b.term_lang)) throw invalid("term_lang must be dork or es-query-string");
      if (b.max_last_events !== undefined && b.max_last_events !== null && !(Number.isInteger(b.max_last_events) && b.max_last_events > 0)) throw invalid("max_last_events must be a positive integer");
      if (b.filters !== undefined && !Array.isArray(b.filters)) throw invalid("filters must be a list");
      const job = {
        uuid: randomUUID(),
        term: b.term,
        term_lang: b.term_lang ?? "dork",
        filters: b.filters ?? [],
        earliest_time: b.earliest_time,
        latest_time: b.latest_time,
        earliestMs: e,
        latestMs: l,
        results_ttl: ttl,
        visible: b.visible ?? true,
        community_uuids: b.community_uuids ?? [],
        max_last_events: b.max_last_events ?? null,
        date_field: b.date_field ?? "@timestamp",
        only_eternal: b.only_eternal ?? false,
        view_uuid: b.view_uuid ?? null,
        createdMs: now,
        startedMs: null,
        endedMs: null,
        canceled_at: null,
        status: 0,
        retrieved: 0,
      };
      job.total = jobCount(job.term, job.max_last_events);
      st.jobs.set(job.uuid, job);
      return json(200, jobJson(job));
    });
    r.add("GET", J, (ctx) => {
      const { limit, offset } = pageParams(ctx, 20, 100);
      const status = ctx.query.get("match[status]")?.split(",").map(Number);
      const term = ctx.query.get("match[term]");
      let all = [...st.jobs.values()].map(jobJson).filter((j) => (!status || status.includes(j.status)) && (!term || j.term.includes(term)));
      const sort = ctx.query.get("sort") ?? "created_at";
      const dir = ctx.query.get("direction") === "asc" ? 1 : -1;
      all = all.sort((a, b) => (String(a[sort]) < String(b[sort]) ? -dir : String(a[sort]) > String(b[sort]) ? dir : 0));
      return json(200, { items: all.slice(offset, offset + limit), total: all.length });
    });
    r.add("GET", `${J}/:uuid`, (ctx, p) => json(200, jobJson(getJob(p.uuid))));
    r.add("PUT", `${J}/:uuid`, (ctx, p) => {
      const job = getJob(p.uuid);
      const b = ctx.json() ?? {};
      if (b.results_ttl !== undefined) {
        if (!Number.isInteger(b.results_ttl) || b.results_ttl < 10 || b.results_ttl > 86400) throw invalid("results_ttl must be an integer 10-86400");
        job.results_ttl = b.results_ttl;
      }
      return json(200, jobJson(job));
    });
    r.add("POST", `${J}/:uuid/cancel`, (ctx, p) => {
      const job = jobState(getJob(p.uuid));
      if (job.status < 2 && !job.canceled_at) {
        job.status = 3;
        job.canceled_at = Date.now();
        job.endedMs = job.canceled_at;
      }
      return json(200, jobJson(job));
    });
    r.add("GET", `${J}/:uuid/events`, (ctx, p) => {
      const job = jobState(getJob(p.uuid));
      if (expired(job)) throw new HttpError(json(410, { message: "The search job has expired", code: "SIC410" }));
      const { limit, offset } = pageParams(ctx, 100, 1000);
      const avail = job.retrieved;
      const lo = intParam(ctx.query.get("earliest_time"));
      const hi = intParam(ctx.query.get("latest_time"));
      const items = [];
      for (let i = offset; i < avail && items.length < limit; i++) {
        const ev = makeEvent(job, i);
        const ts = Date.parse(ev["@timestamp"]) / 1000;
        if ((lo !== undefined && ts < lo) || (hi !== undefined && ts > hi)) continue;
        items.push(ev);
      }
      return json(200, { items, total: job.total, paging_token: Buffer.from(`${job.uuid}:${offset + items.length}`).toString("base64") });
    });

    const R = "/v1/sic/conf/rules-catalog/rules";
    r.add("GET", R, (ctx) => {
      const q = ctx.query;
      const { limit, offset } = pageParams(ctx, 20, 100);
      const list = (k) => csv(q.get(k));
      const uuids = list("match[uuid]");
      const excl = list("exclude[uuid]");
      const names = list("match[name]")?.map((s) => s.toLowerCase());
      if (names && q.get("match[name]").length > 100) throw invalid("match[name] is limited to 100 characters");
      const types = list("match[type]");
      const efforts = list("match[effort]")?.map(Number);
      const tagNames = list("match[tag_name]");
      const search = q.get("match[search]")?.toLowerCase();
      const enabled = q.get("enabled") === undefined ? undefined : boolParam(q.get("enabled"));
      const verified = q.get("verified") === undefined ? undefined : boolParam(q.get("verified"));
      let sev = null;
      if (q.get("range[severity]")) {
        sev = q.get("range[severity]").split(",").map(Number);
        if (sev.length !== 2 || sev.some(Number.isNaN)) throw invalid("range[severity] must be lo,hi");
      }
      const dateRange = (k) => {
        const v = q.get(k);
        if (!v) return null;
        const [a, b] = v.split(",").map((s) => (s ? Date.parse(s) : NaN));
        return [Number.isNaN(a) ? -Infinity : a, Number.isNaN(b) ? Infinity : b];
      };
      const created = dateRange("date[created_at]");
      const updated = dateRange("date[updated_at]");
      let all = [...st.rules.values()].filter(
        (x) =>
          (!uuids || uuids.includes(x.uuid)) &&
          (!excl || !excl.includes(x.uuid)) &&
          (!names || names.some((n) => x.name.toLowerCase().includes(n))) &&
          (!types || types.includes(x.type)) &&
          (!efforts || efforts.includes(x.effort)) &&
          (!tagNames || x.tags.some((t) => tagNames.includes(t.name))) &&
          (!search || x.name.toLowerCase().includes(search) || String(x.description ?? "").toLowerCase().includes(search)) &&
          (enabled === undefined || x.enabled === enabled) &&
          (verified === undefined || x.verified === verified) &&
          (!sev || (x.severity >= sev[0] && x.severity <= sev[1])) &&
          (!created || (Date.parse(x.created_at) >= created[0] && Date.parse(x.created_at) <= created[1])) &&
          (!updated || (Date.parse(x.updated_at) >= updated[0] && Date.parse(x.updated_at) <= updated[1])),
      );
      const sort = q.get("sort");
      if (sort) {
        if (!["uuid", "name", "effort", "severity", "type", "created_at", "updated_at"].includes(sort)) throw invalid("sort must be uuid|name|effort|severity|type|created_at|updated_at");
        const dir = q.get("direction") === "desc" ? -1 : 1;
        all = all.slice().sort((a, b) => (a[sort] < b[sort] ? -dir : a[sort] > b[sort] ? dir : 0));
      }
      return json(200, { total: all.length, items: all.slice(offset, offset + limit) });
    });
    r.add("POST", R, (ctx) => {
      const b = ctx.json();
      validateRule(b, false);
      const now = isoMicro(Date.now());
      const rule = applyRule(
        {
          uuid: randomUUID(),
          private: true,
          is_private: true,
          community_uuid: COMMUNITY_UUID,
          tags: [],
          related_object_refs: [],
          datasources: [],
          event_fields: [],
          parameters: [],
          entities: [],
          assets: [],
          all_entities: true,
          all_assets: true,
          source: "custom",
          verified: false,
          alert_category: { uuid: detUuid("alert-cat:intrusion"), name: "Intrusions" },
          last_compilation_success: true,
          last_compilation_message: "",
          last_compilation_at: now,
          created_at: now,
          created_by: AVATAR_UUID,
          created_by_type: "apikey",
          updated_by: AVATAR_UUID,
          updated_by_type: "apikey",
        },
        b,
      );
      st.rules.set(rule.uuid, rule);
      return json(200, rule);
    });
    // Bulk switch of every rule matching the filters of `GET rules` (here `match[uuid]`, from
    // the query or the JSON body); like the real API, no filter means every rule.
    const bulk = (enabled) => (ctx) => {
      const b = ctx.json() ?? {};
      const ids = csv(ctx.query.get("match[uuid]") ?? b["match[uuid]"]);
      for (const rule of st.rules.values()) {
        if (!ids || ids.includes(rule.uuid)) rule.enabled = enabled;
      }
      return empty(204);
    };
    r.add("POST", `${R}/enabled`, bulk(true));
    r.add("POST", `${R}/disabled`, bulk(false));
    r.add("GET", `${R}/:uuid`, (ctx, p) => json(200, getRule(p.uuid)));
    r.add("PUT", `${R}/:uuid`, (ctx, p) => {
      const rule = getRule(p.uuid);
      const b = ctx.json();
      validateRule(b, true);
      return json(200, applyRule(rule, b));
    });
    r.add("DELETE", `${R}/:uuid`, (ctx, p) => {
      getRule(p.uuid);
      st.rules.delete(p.uuid);
      return empty(204);
    });
    r.add("PUT", `${R}/:uuid/enabled`, (ctx, p) => {
      const rule = getRule(p.uuid);
      rule.enabled = true;
      return json(200, rule);
    });
    r.add("PUT", `${R}/:uuid/disabled`, (ctx, p) => {
      const rule = getRule(p.uuid);
      rule.enabled = false;
      return json(200, rule);
    });
  };

  /** Sim-only: POST /__sim/sekoia/jobs/{uuid}/expire */
  function control(ctx, sub) {
    const m = /^\/jobs\/([^/]+)\/expire$/.exec(sub);
    if (m && ctx.method === "POST") {
      const job = st.jobs.get(decodeURIComponent(m[1]));
      if (!job) return json(404, { message: "Unknown job", code: "SIM404" });
      job.forceExpired = true;
      return json(200, { expired: true });
    }
    return null;
  }

  return { routes, control };
}

function safeHost(u) {
  try {
    return new URL(u).hostname;
  } catch {
    return null;
  }
}

// Sekoia IOC collections (/v2/inthreat/ioc-collections): CRUD, quota, indicators, sync JSON import,
// async text/file imports whose progress is pushed on the LiveAPI WebSocket.
import { randomUUID } from "node:crypto";
import { json, empty, intParam, boolParam, detUuid, isoMs, isoMicro, parseMultipart, HttpError } from "./util.mjs";
import { parseCsv } from "./data.mjs";
import { detectIoc, patternFor } from "./ioc-detect.mjs";
import { COMMUNITY_UUID, SEKOIA_IDENTITY, TLP } from "./sekoia-data.mjs";
import { invalid, notFound, pageParams } from "./sekoia-intel.mjs";

export const AVATAR_UUID = "5f1b0c8e-3d0a-4d4e-9a51-5e1c0a11ce00";
const DAY = 86_400_000;
const DEFAULT_VALIDITY = { "ipv4-addr": 30, "ipv6-addr": 30, "domain-name": 182, url: 182 };
const FORMATS = ["one_per_line", "domain-name.value", "ipv4-addr.value", "ipv6-addr.value", "url.value", "email-addr.value", "file.hashes"];

export function createIoc(st, sim, live) {
  st.config = { quotaMax: 500_000, quotaBaseline: 0, importBatch: 200, importTickMs: 100 };

  st.resetIoc = () => {
    st.collections = new Map();
    st.tasks = new Map();
    st.uploads = new Map();
    const seed = newCollection({ name: "Sim blocklist", description: "Seeded by the simulator." }, "ioc-collection--" + detUuid("coll:seed"));
    const seedValues = ["1.2.3.4", "evil.example.com", "http://evil.example.com/payload.exe", "44d88612fea8a8f36de82e1278abb02f"];
    for (const v of seedValues) upsert(seed, detectIoc(v), {}, Date.parse("2026-01-15T00:00:00Z"));
    st.collections.set(seed.id, seed);
  };

  st.collectionIndicator = (id) => {
    for (const c of st.collections.values()) {
      const o = c.indicators.get(id);
      if (o) return o;
    }
    return null;
  };

  function newCollection(b, id) {
    const now = isoMicro(Date.now());
    return {
      meta: {
        id: id ?? `ioc-collection--${randomUUID()}`,
        name: b.name,
        description: b.description ?? "",
        created: now,
        modified: now,
        created_by: AVATAR_UUID,
        modified_by: AVATAR_UUID,
        community_uuid: b.community_uuid ?? COMMUNITY_UUID,
        available_for_sub_communities: b.available_for_sub_communities ?? false,
      },
      get id() {
        return this.meta.id;
      },
      indicators: new Map(), // id → indicator
      byValue: new Map(), // value → id
    };
  }

  const totalIocs = () => st.config.quotaBaseline + [...st.collections.values()].reduce((n, c) => n + c.indicators.size, 0);
  const collectionJson = (c) => ({ ...c.meta, indicators_count: c.indicators.size });

  /** Adds or updates one indicator; returns it. */
  function upsert(coll, ioc, fields, nowMs = Date.now()) {
    const existingId = coll.byValue.get(`${ioc.type}|${ioc.value}`);
    const prev = existingId ? coll.indicators.get(existingId) : null;
    const validFrom = fields.valid_from ?? prev?.valid_from ?? isoMs(nowMs);
    const days = DEFAULT_VALIDITY[ioc.type];
    const validUntil = fields.valid_until ?? prev?.valid_until ?? (days ? isoMs(Date.parse(validFrom) + days * DAY) : undefined);
    const ind = {
      type: "indicator",
      spec_version: "2.1",
      id: prev?.id ?? `indicator--${detUuid(`coll:${coll.id}:${ioc.type}:${ioc.value}`)}`,
      name: ioc.value,
      pattern: patternFor(ioc),
      pattern_type: "stix",
      description: fields.description ?? prev?.description ?? "",
      valid_from: validFrom,
      ...(validUntil ? { valid_until: validUntil } : {}),
      kill_chain_phases: fields.kill_chain_phases ?? prev?.kill_chain_phases ?? [],
      x_ic_observable_types: [ioc.type],
      x_ic_collection_ref: coll.id,
      x_ic_related_threat_refs: fields.x_ic_related_threat_refs ?? prev?.x_ic_related_threat_refs ?? [],
      x_ic_is_in_flint: false,
      x_ic_deprecated: false,
      lang: "en",
      revoked: false,
      created: prev?.created ?? isoMs(nowMs),
      modified: isoMs(nowMs),
      created_by_ref: SEKOIA_IDENTITY,
      object_marking_refs: [TLP.amber],
    };
    coll.indicators.set(ind.id, ind);
    coll.byValue.set(`${ioc.type}|${ioc.value}`, ind.id);
    coll.meta.modified = isoMicro(nowMs);
    return ind;
  }

  const getColl = (id) => {
    const c = st.collections.get(id);
    if (!c) throw notFound("IOC Collection not found", "INTHREAT2500");
    return c;
  };

  function commonFields(b, where) {
    const out = {};
    if (b.description !== undefined) {
      if (typeof b.description !== "string" || b.description.length > 500) throw invalid(`${where}description must be a string of at most 500 characters`);
      out.description = b.description;
    }
    for (const k of ["valid_from", "valid_until"]) {
      if (b[k] !== undefined && b[k] !== null) {
        if (Number.isNaN(Date.parse(b[k]))) throw invalid(`${where}${k} must be a date`);
        out[k] = isoMs(Date.parse(b[k]));
      }
    }
    if (b.kill_chain_phases !== undefined) {
      if (!Array.isArray(b.kill_chain_phases) || b.kill_chain_phases.some((p) => !p || typeof p.kill_chain_name !== "string" || typeof p.phase_name !== "string")) {
        throw invalid(`${where}kill_chain_phases must be a list of {kill_chain_name, phase_name}`);
      }
      out.kill_chain_phases = b.kill_chain_phases;
    }
    if (b.x_ic_related_threat_refs !== undefined) {
      if (!Array.isArray(b.x_ic_related_threat_refs) || b.x_ic_related_threat_refs.some((r) => typeof r !== "string")) {
        throw invalid(`${where}x_ic_related_threat_refs must be a list of STIX ids`);
      }
      out.x_ic_related_threat_refs = b.x_ic_related_threat_refs;
    }
    return out;
  }

  function checkQuota(n) {
    if (totalIocs() + n > st.config.quotaMax) {
      throw new HttpError(json(400, { message: `IOC quota exceeded: ${st.config.quotaMax} IOCs per community`, code: "INTHREAT2510" }));
    }
  }

  // ---- async tasks ----
  function startTask(coll, lines, format, fields) {
    const valid = [];
    const invalidLines = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const d = detectIoc(line, format);
      if (d.invalid) invalidLines.push({ line: i + 1, value: line.slice(0, 200), reason: d.invalid });
      else valid.push(d);
    });
    checkQuota(valid.length);
    const task = {
      task_id: randomUUID(),
      collection_id: coll.id,
      created_at: Date.now(),
      items: valid,
      fields,
      total: valid.length,
      imported: 0,
      invalid: invalidLines.length,
      invalid_lines: invalidLines.slice(0, 100),
      status: "running",
      finished_at: null,
    };
    st.tasks.set(task.task_id, task);
    ensureTicker();
    return task;
  }

  st.taskMessage = (t) => ({
    metadata: { version: 2, uuid: randomUUID(), created_at: isoMicro(Date.now()), community_uuid: COMMUNITY_UUID },
    type: "ioc-collection",
    action: "updated",
    attributes: { task_id: t.task_id, imported: t.imported, total: t.total, invalid: t.invalid },
  });

  st.taskJson = (t) => ({
    task_id: t.task_id,
    collection_id: t.collection_id,
    status: t.status,
    imported: t.imported,
    total: t.total,
    invalid: t.invalid,
    invalid_lines: t.invalid_lines,
    created_at: isoMs(t.created_at),
    finished_at: t.finished_at ? isoMs(t.finished_at) : null,
  });

  let ticker = null;
  function ensureTicker() {
    if (ticker) return;
    ticker = sim.timers.interval(tick, st.config.importTickMs);
    // the first progress message goes out at the first tick
  }
  function tick() {
    let running = 0;
    for (const t of st.tasks.values()) {
      if (t.status !== "running") continue;
      const coll = st.collections.get(t.collection_id);
      const target = coll ? Math.min(t.total, t.imported + st.config.importBatch) : t.total;
      for (let i = t.imported; i < target; i++) if (coll) upsert(coll, t.items[i], t.fields);
      t.imported = target;
      if (t.imported >= t.total) {
        t.status = "finished";
        t.finished_at = Date.now();
        t.items = null;
      } else running++;
      live.broadcast(st.taskMessage(t));
    }
    if (running === 0) {
      sim.timers.clear(ticker);
      ticker = null;
    }
  }
  st.stopTicker = () => {
    if (ticker) sim.timers.clear(ticker);
    ticker = null;
  };

  // ---- routes ----
  const routes = (r) => {
    const base = "/v2/inthreat/ioc-collections";
    r.add("GET", base, (ctx) => {
      const { limit, offset } = pageParams(ctx, 20, 100);
      const term = (ctx.query.get("term") ?? "").toLowerCase();
      const community = ctx.query.get("match[community_uuid]");
      const withCount = boolParam(ctx.query.get("with_indicators_count"), false);
      const all = [...st.collections.values()].filter(
        (c) => (!term || c.meta.name.toLowerCase().includes(term)) && (!community || community.split(",").includes(c.meta.community_uuid)),
      );
      const items = all.slice(offset, offset + limit).map((c) => (withCount ? collectionJson(c) : { ...c.meta }));
      return json(200, { items, total: all.length });
    });
    r.add("POST", base, (ctx) => {
      const b = ctx.json();
      if (!b || typeof b.name !== "string" || !b.name.trim()) throw invalid("name is required");
      if (b.description !== undefined && (typeof b.description !== "string" || b.description.length > 500)) throw invalid("description must be at most 500 characters");
      if (b.id !== undefined && (typeof b.id !== "string" || st.collections.has(b.id))) throw invalid("id must be a new ioc-collection id");
      const c = newCollection(b, b.id);
      st.collections.set(c.id, c);
      return json(201, collectionJson(c));
    });
    r.add("GET", `${base}/count-total-iocs`, () => json(200, { count: totalIocs(), max: st.config.quotaMax }));
    r.add("GET", `${base}/:id`, (ctx, p) => json(200, collectionJson(getColl(p.id))));
    r.add("PATCH", `${base}/:id`, (ctx, p) => {
      const c = getColl(p.id);
      const b = ctx.json() ?? {};
      if (b.name !== undefined && (typeof b.name !== "string" || !b.name.trim())) throw invalid("name must be a non-empty string");
      if (b.description !== undefined && (typeof b.description !== "string" || b.description.length > 500)) throw invalid("description must be at most 500 characters");
      for (const k of ["name", "description"]) if (b[k] !== undefined) c.meta[k] = b[k];
      if (typeof b.available_for_sub_communities === "boolean") c.meta.available_for_sub_communities = b.available_for_sub_communities;
      c.meta.modified = isoMicro(Date.now());
      return json(200, collectionJson(c));
    });
    r.add("DELETE", `${base}/:id`, (ctx, p) => {
      getColl(p.id);
      st.collections.delete(p.id);
      return empty(204);
    });

    r.add("GET", `${base}/:id/indicators`, (ctx, p) => {
      const c = getColl(p.id);
      const { limit, offset } = pageParams(ctx, 20, 100);
      const term = (ctx.query.get("term") ?? "").toLowerCase();
      const all = [...c.indicators.values()].filter((o) => !term || o.pattern.toLowerCase().includes(term));
      const items = all.slice(offset, offset + limit);
      return json(200, { items, total: all.length, has_more: offset + items.length < all.length });
    });
    r.add("POST", `${base}/:id/indicators`, (ctx, p) => {
      const c = getColl(p.id);
      const b = ctx.json();
      if (!b || !Array.isArray(b.indicators)) throw invalid("indicators (list) is required");
      if (b.indicators.length < 1 || b.indicators.length > 100) throw invalid("indicators must hold 1 to 100 items");
      if (!b.default_fields || typeof b.default_fields !== "object") throw invalid("default_fields is required");
      const defaults = commonFields(b.default_fields, "default_fields.");
      const prepared = b.indicators.map((it, i) => {
        if (!it || typeof it.value !== "string") throw invalid(`indicators[${i}].value is required`);
        const d = detectIoc(it.value);
        if (d.invalid) throw invalid(`indicators[${i}].value ${JSON.stringify(it.value.slice(0, 100))}: ${d.invalid}`);
        return [d, { ...defaults, ...commonFields(it, `indicators[${i}].`) }];
      });
      const fresh = prepared.filter(([d]) => !c.byValue.has(`${d.type}|${d.value}`)).length;
      checkQuota(fresh);
      const items = prepared.map(([d, f]) => upsert(c, d, f));
      return json(200, { items, total: items.length });
    });
    r.add("POST", `${base}/:id/indicators/text`, (ctx, p) => {
      const c = getColl(p.id);
      const b = ctx.json();
      if (!b || typeof b.indicators !== "string") throw invalid("indicators (string, one IOC per line) is required");
      const format = b.format ?? "one_per_line";
      if (!FORMATS.includes(format)) throw invalid(`format must be one of ${FORMATS.join(", ")}`);
      const task = startTask(c, b.indicators.split(/\r?\n/), format, commonFields(b, ""));
      return json(202, { task_id: task.task_id });
    });
    r.add("POST", `${base}/:id/indicators/files/preview`, (ctx, p) => {
      getColl(p.id);
      const ct = ctx.headers["content-type"] ?? "";
      if (!/^multipart\/form-data/i.test(ct)) throw invalid("multipart/form-data with a `file` part is required");
      let parts;
      try {
        parts = parseMultipart(ctx.body, ct);
      } catch (e) {
        throw invalid(`malformed multipart body: ${e.message}`);
      }
      const file = parts.find((x) => x.name === "file");
      if (!file) throw invalid("file part is required");
      const type = (file.contentType ?? "").toLowerCase();
      if (/spreadsheetml|ms-excel|application\/zip/.test(type) || file.data.subarray(0, 2).toString("latin1") === "PK") {
        throw invalid("the simulator only reads CSV files");
      }
      const rows = parseCsv(file.data.toString("utf8").replace(/^\uFEFF/, "")).filter((r) => r.some((c) => c.trim()));
      const handle = randomUUID();
      const guess = guessMapping(rows);
      st.uploads.set(handle, { rows, collection_id: p.id, name: file.filename });
      return json(200, { file_handle: handle, preview: rows.slice(0, 10), mapping: guess.mapping, ignore_first_line: guess.ignoreFirstLine });
    });
    r.add("POST", `${base}/:id/indicators/files/process`, (ctx, p) => {
      const c = getColl(p.id);
      const b = ctx.json();
      if (!b || typeof b.file_handle !== "string") throw invalid("file_handle is required");
      const up = st.uploads.get(b.file_handle);
      if (!up) throw notFound("File not found", "INTHREAT2520");
      const width = Math.max(0, ...up.rows.map((r) => r.length));
      const mapping = b.mapping ?? guessMapping(up.rows).mapping;
      if (!Array.isArray(mapping) || mapping.some((m) => m !== null && !["observable", "valid_from", "valid_until", "kill_chain_phases", "x_ic_related_threat_refs", "description"].includes(m))) {
        throw invalid("mapping must be a list of observable|valid_from|valid_until|kill_chain_phases|x_ic_related_threat_refs|description|null");
      }
      const obsCol = mapping.indexOf("observable");
      if (obsCol < 0 || obsCol >= width) throw invalid("mapping needs one observable column");
      const rows = b.ignore_first_line ? up.rows.slice(1) : up.rows;
      const fields = commonFields(b, "");
      const task = startTask(c, rows.map((r) => r[obsCol] ?? ""), "one_per_line", fields);
      st.uploads.delete(b.file_handle);
      return json(202, { task_id: task.task_id });
    });

    r.add("PUT", `${base}/:cid/indicators/:iid`, (ctx, p) => {
      const c = getColl(p.cid);
      const ind = c.indicators.get(p.iid);
      if (!ind) throw notFound("Unknown collection or indicator", "INTHREAT2501");
      const b = ctx.json() ?? {};
      if (b.value !== undefined || b.pattern !== undefined || b.name !== undefined) throw invalid("the observable value cannot be changed");
      const f = commonFields(b, "");
      Object.assign(ind, f, { modified: isoMs(Date.now()) });
      return json(200, ind);
    });
    r.add("DELETE", `${base}/:cid/indicators/:iid`, (ctx, p) => {
      const c = getColl(p.cid);
      const ind = c.indicators.get(p.iid);
      if (!ind) throw notFound("Unknown collection or indicator", "INTHREAT2501");
      if (boolParam(ctx.query.get("force_deletion"), false)) {
        const revokedAt = ind.x_sim_revoked_at ? Date.parse(ind.x_sim_revoked_at) : null;
        if (!ind.revoked || revokedAt === null || Date.now() - revokedAt < DAY) {
          throw invalid("only indicators revoked at least 24 h ago can be deleted for good");
        }
        c.indicators.delete(ind.id);
        for (const [k, v] of c.byValue) if (v === ind.id) c.byValue.delete(k);
        return empty(204);
      }
      ind.revoked = true;
      ind.modified = isoMs(Date.now());
      ind.x_sim_revoked_at ??= ind.modified;
      return json(200, ind);
    });
    r.add("GET", `${base}/:cid/indicators/:iid/context`, (ctx, p) => {
      const c = getColl(p.cid);
      const ind = c.indicators.get(p.iid);
      if (!ind) throw notFound("Unknown collection or indicator", "INTHREAT2501");
      const objs = [ind];
      for (const ref of ind.x_ic_related_threat_refs ?? []) {
        const o = st.getObject(ref);
        if (o && objs.length < 100) objs.push(o);
      }
      return json(200, { type: "bundle", id: `bundle--${detUuid("ctx:" + ind.id)}`, spec_version: "2.1", objects: objs });
    });
  };

  /** Sim-only control: /__sim/sekoia/tasks/{id}, /__sim/sekoia/ioc/config, /__sim/sekoia/ioc/age-revoked */
  function control(ctx, sub) {
    const m = /^\/tasks\/([^/]+)$/.exec(sub);
    if (m && ctx.method === "GET") {
      const t = st.tasks.get(decodeURIComponent(m[1]));
      return t ? json(200, st.taskJson(t)) : json(404, { message: "Unknown task", code: "SIM404" });
    }
    if (sub === "/tasks" && ctx.method === "GET") return json(200, { items: [...st.tasks.values()].map(st.taskJson) });
    if (sub === "/ioc/config" && ctx.method === "POST") {
      const b = ctx.json() ?? {};
      for (const k of ["quotaMax", "quotaBaseline", "importBatch", "importTickMs"]) {
        if (b[k] !== undefined) {
          if (!Number.isInteger(b[k]) || b[k] < (k === "quotaBaseline" ? 0 : 1)) return json(400, { message: `${k} must be a positive integer`, code: "SIM400" });
          st.config[k] = b[k];
        }
      }
      if (b.importTickMs !== undefined && ticker) {
        st.stopTicker();
        ensureTicker();
      }
      return json(200, { config: st.config });
    }
    if (sub === "/ioc/age-revoked" && ctx.method === "POST") {
      // make every revoked indicator look revoked 25 h ago, so force_deletion can be tested
      let n = 0;
      for (const c of st.collections.values()) {
        for (const ind of c.indicators.values()) {
          if (ind.revoked) {
            ind.x_sim_revoked_at = isoMs(Date.now() - 25 * 3600 * 1000);
            n++;
          }
        }
      }
      return json(200, { aged: n });
    }
    return null;
  }

  return { routes, control };
}

function guessMapping(rows) {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const sample = rows.slice(0, 20);
  const header = rows[0] ?? [];
  const mapping = [];
  for (let c = 0; c < width; c++) {
    const h = String(header[c] ?? "").trim().toLowerCase();
    const vals = sample.slice(1).map((r) => r[c] ?? "");
    const iocShare = vals.filter((v) => !detectIoc(v).invalid).length / Math.max(1, vals.length);
    if (/valid.?from|first.?seen/.test(h)) mapping.push("valid_from");
    else if (/valid.?until|expir|last.?seen/.test(h)) mapping.push("valid_until");
    else if (/kill.?chain|phase|tactic/.test(h)) mapping.push("kill_chain_phases");
    else if (/threat|malware|actor/.test(h)) mapping.push("x_ic_related_threat_refs");
    else if (!mapping.includes("observable") && (iocShare >= 0.5 || /value|ioc|indicator|observable/.test(h))) mapping.push("observable");
    else mapping.push(null);
  }
  const obs = mapping.indexOf("observable");
  const ignoreFirstLine = obs >= 0 && rows.length > 0 && !!detectIoc(rows[0][obs] ?? "").invalid;
  return { mapping, ignoreFirstLine };
}

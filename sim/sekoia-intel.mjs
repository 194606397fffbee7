// Sekoia Intelligence Center routes (/v2/inthreat): feed consumption, feeds CRUD, objects, relationships,
// context bundles, files and indicator lookups.
import { json, text, bytes, empty, intParam, boolParam, detUuid, isoMs, HttpError } from "./util.mjs";
import { buildSekoiaData, cmpPos, DEFAULT_FEED, COMMUNITY_UUID, TLP, SEKOIA_IDENTITY } from "./sekoia-data.mjs";
import { esetIocs } from "./data.mjs";
import { makeIndicator } from "./sekoia-data.mjs";

export const invalid = (message) => new HttpError(json(400, { message: `Invalid parameters: ${message}`, code: "INTHREAT1000" }));
export const notFound = (message = "Unknown object", code = "INTHREAT1404") => new HttpError(json(404, { message, code }));

const ALL_TYPES = ["indicator", "malware", "intrusion-set", "threat-actor", "campaign", "attack-pattern", "tool", "vulnerability", "report", "relationship",
  "identity", "location", "course-of-action", "observed-data", "note", "opinion", "sighting", "grouping", "infrastructure", "marking-definition"];
const ALL_OBS = ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file", "filename", "mac-addr", "autonomous-system", "x509-certificate",
  "user-account", "process", "mutex", "software", "directory", "artifact", "windows-registry-key", "email-message", "phone-number", "text",
  "address", "individual", "organization", "observable-relationship"];
const FIELDS = ["id", "name", "type", "pattern", "pattern_type", "observables", "observable_types", "tlp", "sources", "kill_chain",
  "confidence", "valid_from", "valid_until", "first_seen", "last_seen", "created", "modified"];

const csvList = (v) => (v === undefined || v === "" ? null : String(v).split(",").map((s) => s.trim()).filter(Boolean));

export function encodeCursor(modified, id) {
  return Buffer.from(`${modified}|${id}`, "utf8").toString("base64");
}
export function decodeCursor(c) {
  let s;
  try {
    s = Buffer.from(c, "base64").toString("utf8");
  } catch {
    return null;
  }
  const bar = s.indexOf("|");
  const stamp = bar >= 0 ? s.slice(0, bar) : s;
  const t = Date.parse(stamp);
  if (Number.isNaN(t)) return null;
  // base64(ISO timestamp) (as OpenCTI's connector builds) starts right after that instant.
  return { modified: bar >= 0 ? stamp : isoMs(t), id: bar >= 0 ? s.slice(bar + 1) : "\uffff" };
}

function defaultFeeds() {
  const base = {
    description: "",
    types: ALL_TYPES,
    observable_types: ALL_OBS,
    sources: [],
    labels: [],
    sectors: [],
    locations: [],
    tlps: Object.values(TLP),
    created: "2019-01-01T00:00:00.000000Z",
    modified: "2019-01-01T00:00:00.000000Z",
    community_uuid: COMMUNITY_UUID,
    include_revoked: true,
    skip_expired: false,
    sort_order: "asc",
    format: "json",
    fields: FIELDS,
    template: "$id $name",
  };
  return [
    { ...base, id: DEFAULT_FEED, title: "Default feed", readonly: true },
    {
      ...base,
      id: detUuid("feed:network"),
      title: "Sim: network IOCs",
      description: "Indicators on IPv4 addresses, domains and URLs.",
      types: ["indicator"],
      observable_types: ["ipv4-addr", "domain-name", "url"],
      skip_expired: false,
    },
    { ...base, id: detUuid("feed:attack"), title: "Sim: ATT&CK knowledge", types: ["attack-pattern", "malware", "intrusion-set", "campaign", "course-of-action", "relationship"] },
  ];
}

export function createIntel(st) {
  const data = () => buildSekoiaData();

  st.resetIntel = () => {
    st.appended = [];
    st.appendedById = new Map();
    st.feeds = new Map(defaultFeeds().map((f) => [f.id, f]));
  };
  st.resetIntel();

  const getObject = (id) => data().byId.get(id) ?? st.appendedById.get(id) ?? st.collectionIndicator?.(id) ?? null;

  /** Appends `count` new indicators (newer than everything) to the default feed. */
  st.appendIndicators = (count) => {
    const pool = esetIocs();
    const added = [];
    const last = st.appended.at(-1)?.modified ?? data().feed.at(-1).modified;
    let ms = Math.max(Date.now(), Date.parse(last) + 1);
    for (let i = 0; i < count; i++) {
      const n = st.appended.length;
      const ioc = pool[(n * 7919) % pool.length];
      const ind = makeIndicator({ id: `indicator--${detUuid(`append:${n}`)}`, value: ioc.value, type: ioc.type, hash: ioc.hash, modifiedMs: ms + i });
      ind.description = `Appended by the simulator (#${n + 1}).`;
      st.appended.push(ind);
      st.appendedById.set(ind.id, ind);
      added.push(ind);
    }
    return added;
  };

  function feedPage(ctx, source, feedConf) {
    const q = ctx.query;
    const format = q.get("format") ?? "json";
    if (!["json", "text", "csv"].includes(format)) throw invalid("format must be one of json, csv, text");
    const limit = intParam(q.get("limit")) ?? 100;
    const maxLimit = format === "text" ? 10000 : 2000;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw invalid(`limit must be between 1 and ${maxLimit}`);
    let pos = null;
    const cursor = q.get("cursor");
    if (cursor) {
      pos = decodeCursor(cursor);
      if (!pos) throw invalid("cursor is not valid");
    }
    const after = q.get("modified_after");
    if (after !== undefined && after !== "") {
      const t = Date.parse(after);
      if (Number.isNaN(t)) throw invalid("modified_after must be an RFC 3339 date");
      const p = { modified: isoMs(t), id: "\uffff" };
      if (!pos || cmpPos(p.modified, p.id, pos.modified, pos.id) > 0) pos = p;
    }
    const types = csvList(q.get("match[type]"));
    const obsTypes = csvList(q.get("match[observable_type]"));
    const skipExpired = boolParam(q.get("skip_expired"), feedConf?.skip_expired ?? false);
    const includeRevoked = boolParam(q.get("include_revoked"), feedConf?.include_revoked ?? true);
    const now = new Date().toISOString();
    const accept = (o) => {
      if (feedConf && feedConf.id !== DEFAULT_FEED) {
        if (!feedConf.types.includes(o.type)) return false;
        if (o.type === "indicator" && o.x_ic_observable_types && !o.x_ic_observable_types.some((t) => feedConf.observable_types.includes(t))) return false;
      }
      if (types && !types.includes(o.type)) return false;
      if (obsTypes && !(o.x_ic_observable_types ?? []).some((t) => obsTypes.includes(t))) return false;
      if (!includeRevoked && o.revoked) return false;
      if (skipExpired && o.valid_until && o.valid_until < now) return false;
      return true;
    };
    const items = [];
    for (const list of source) {
      let i = 0;
      if (pos) {
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpPos(list[mid].modified, list[mid].id, pos.modified, pos.id) <= 0) lo = mid + 1;
          else hi = mid;
        }
        i = lo;
      }
      for (; i < list.length && items.length < limit; i++) if (accept(list[i])) items.push(list[i]);
      if (items.length >= limit) break;
    }
    const last = items.at(-1);
    const next = last ? encodeCursor(last.modified, last.id) : cursor || (pos ? encodeCursor(pos.modified, "") : encodeCursor(isoMs(0), ""));
    if (format === "json") return json(200, { items, next_cursor: next });
    if (format === "text") {
      const lines = items.filter((o) => o.type === "indicator").map((o) => o.name ?? o.pattern);
      return text(200, lines.join("\n") + (lines.length ? "\n" : ""), "text/plain; charset=utf-8", { Cursor: next });
    }
    const esc = (v) => (v === undefined || v === null ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const rows = [["id", "type", "name", "pattern", "valid_from", "valid_until", "modified"].join(",")];
    for (const o of items) rows.push([o.id, o.type, o.name, o.pattern, o.valid_from, o.valid_until, o.modified].map(esc).join(","));
    return text(200, rows.join("\n") + "\n", "text/csv; charset=utf-8", { Cursor: next });
  }

  const routes = (r) => {
    // A1: feed consumption
    r.add("GET", "/v2/inthreat/collections/:feed/objects", (ctx, p) => {
      if (p.feed.startsWith("ioc-collection--")) {
        const coll = st.collections.get(p.feed);
        if (!coll) throw notFound("Unknown feed");
        const list = [...coll.indicators.values()].sort((a, b) => cmpPos(a.modified, a.id, b.modified, b.id));
        return feedPage(ctx, [list], null);
      }
      const conf = st.feeds.get(p.feed);
      if (!conf) throw notFound("Unknown feed");
      return feedPage(ctx, [data().feed, st.appended], conf);
    });
    r.add("GET", "/v2/inthreat/collections/relationships", (ctx) => {
      const list = data().feed.filter((o) => o.type === "relationship");
      return feedPage(ctx, [list], null);
    });

    // A2: feeds CRUD
    r.add("GET", "/v2/inthreat/feeds", (ctx) => {
      const { limit, offset } = pageParams(ctx, 20, 100);
      const term = (ctx.query.get("term") ?? "").toLowerCase();
      const ids = csvList(ctx.query.get("match[id]"));
      const all = [...st.feeds.values()].filter((f) => (!term || f.title.toLowerCase().includes(term)) && (!ids || ids.includes(f.id)));
      return json(200, { items: all.slice(offset, offset + limit).map(publicFeed), total: all.length });
    });
    r.add("GET", "/v2/inthreat/feeds/:id", (ctx, p) => {
      const f = st.feeds.get(p.id);
      if (!f) throw notFound();
      return json(200, { data: publicFeed(f) });
    });
    r.add("POST", "/v2/inthreat/feeds", (ctx) => {
      const f = validateFeed(unwrap(ctx.json()), null);
      st.feeds.set(f.id, f);
      return json(201, { data: publicFeed(f) });
    });
    r.add("PUT", "/v2/inthreat/feeds/:id", (ctx, p) => {
      const cur = st.feeds.get(p.id);
      if (!cur) throw notFound();
      if (cur.readonly) throw new HttpError(json(403, { message: "The default feed cannot be edited", code: "INTHREAT1403" }));
      const f = validateFeed(unwrap(ctx.json()), cur);
      st.feeds.set(f.id, f);
      return json(200, { data: publicFeed(f) });
    });
    r.add("DELETE", "/v2/inthreat/feeds/:id", (ctx, p) => {
      const cur = st.feeds.get(p.id);
      if (!cur) throw notFound();
      if (cur.readonly) throw new HttpError(json(403, { message: "The default feed cannot be deleted", code: "INTHREAT1403" }));
      st.feeds.delete(p.id);
      return empty(204);
    });

    // A3: objects
    r.add("GET", "/v2/inthreat/objects", (ctx) => {
      const { limit, offset } = pageParams(ctx, 20, 100, 10000);
      const q = ctx.query;
      const f = {
        type: csvList(q.get("match[type]")),
        name: csvList(q.get("match[name]"))?.map((s) => s.toLowerCase()),
        id: csvList(q.get("match[id]")),
        external_id: csvList(q.get("match[external_id]")),
        tlp: csvList(q.get("match[tlp]"))?.map((s) => s.toLowerCase()),
        source: csvList(q.get("match[source]")),
        label: csvList(q.get("match[label]")),
      };
      const deprecated = q.get("deprecated") === undefined ? undefined : boolParam(q.get("deprecated"), false);
      const tlpIds = f.tlp?.map((t) => TLP[t.replace(/^tlp:/, "")] ?? t);
      let list;
      if (f.id) list = f.id.map(getObject).filter(Boolean);
      else list = data().feed.concat(st.appended);
      list = list.filter(
        (o) =>
          (!f.type || f.type.includes(o.type)) &&
          (!f.name || f.name.some((n) => String(o.name ?? "").toLowerCase().includes(n))) &&
          (!f.external_id || (o.external_references ?? []).some((e) => f.external_id.includes(e.external_id))) &&
          (!tlpIds || (o.object_marking_refs ?? []).some((m) => tlpIds.includes(m))) &&
          (!f.source || (o.x_inthreat_sources_refs ?? []).some((s) => f.source.includes(s))) &&
          (!f.label || (o.labels ?? []).some((l) => f.label.includes(l))) &&
          (deprecated === undefined || !!(o.x_ic_deprecated || o.x_mitre_deprecated) === deprecated),
      );
      const items = list.slice(offset, offset + limit);
      return json(200, { items, total: list.length, has_more: offset + items.length < list.length });
    });
    r.add("GET", "/v2/inthreat/objects/:ids", (ctx, p) => {
      const ids = p.ids.split(",").map((s) => s.trim()).filter(Boolean);
      const found = ids.map(getObject).filter(Boolean);
      if (found.length === 0) throw notFound();
      // OAS-IC "Bulk get objects": WrappedSTIXObjectSchema {data, _items}
      return ids.length === 1 ? json(200, { data: found[0] }) : json(200, { data: found[0], _items: found });
    });
    r.add("GET", "/v2/inthreat/relationships/:ids", (ctx, p) => {
      const ids = p.ids.split(",").map((s) => s.trim()).filter(Boolean);
      const found = ids.map(getObject).filter((o) => o && o.type === "relationship");
      if (found.length === 0) throw notFound();
      return json(200, { data: found[0], items: found });
    });
    r.add("GET", "/v2/inthreat/objects/:id/relationships", (ctx, p) => {
      const obj = getObject(p.id);
      if (!obj) throw notFound();
      const { limit, offset } = pageParams(ctx, 20, 100);
      const relTypes = csvList(ctx.query.get("match[type]"));
      const targetTypes = csvList(ctx.query.get("match[target_types]"));
      const obsTypes = csvList(ctx.query.get("match[observable_types]"));
      const includeRevoked = boolParam(ctx.query.get("include_revoked"), false);
      const pairs = relatedPairs(obj.id).filter(
        ({ relationship: rel, related_object: o }) =>
          (includeRevoked || !rel.revoked) &&
          (!relTypes || relTypes.includes(rel.relationship_type)) &&
          (!targetTypes || targetTypes.includes(o.type)) &&
          (!obsTypes || (o.x_ic_observable_types ?? []).some((t) => obsTypes.includes(t))),
      );
      const items = pairs.slice(offset, offset + limit);
      return json(200, { items, total: pairs.length, has_more: offset + items.length < pairs.length });
    });
    r.add("GET", "/v2/inthreat/objects/:id/context", (ctx, p) => {
      const obj = getObject(p.id);
      if (!obj) throw notFound();
      return json(200, contextBundle(obj));
    });
    r.add("GET", "/v2/inthreat/objects/:id/files/:sha", (ctx, p) => {
      const obj = getObject(p.id);
      if (!obj) throw notFound();
      const meta = (obj.x_inthreat_uploaded_files ?? []).find((f) => f.sha256 === p.sha.toLowerCase());
      const file = meta && data().files.get(meta.sha256);
      if (!file) throw notFound("Unknown file");
      return bytes(200, file.buf, meta.mime_type ?? "application/octet-stream", { "content-disposition": `attachment; filename="${meta.file_name}"` });
    });

    // indicator lookups
    r.add("GET", "/v2/inthreat/indicators", (ctx) => {
      const { limit, offset } = pageParams(ctx, 20, 100);
      const value = ctx.query.get("value");
      const type = ctx.query.get("type");
      if (!value) throw invalid("value is required");
      const list = lookupIndicators(value, type);
      const items = list.slice(offset, offset + limit);
      return json(200, { items, total: list.length, has_more: offset + items.length < list.length });
    });
    r.add("GET", "/v2/inthreat/indicators/context", (ctx) => {
      const value = ctx.query.get("value");
      const type = ctx.query.get("type");
      if (!value || !type) throw invalid("type and value are required");
      if (!ALL_OBS.includes(type)) throw invalid(`type must be one of ${ALL_OBS.join(", ")}`);
      const list = lookupIndicators(value, type);
      return json(200, { items: list.slice(0, 10).map(contextBundle), has_more: list.length > 10 });
    });
  };

  function lookupIndicators(value, type) {
    const v = value.trim().toLowerCase();
    const hits = [...(data().byValue.get(v) ?? [])];
    for (const o of st.appended) if (o.name.toLowerCase() === v) hits.push(o);
    for (const c of st.collections.values()) for (const o of c.indicators.values()) if (o.name.toLowerCase() === v) hits.push(o);
    return hits.filter((o) => !type || (o.x_ic_observable_types ?? []).includes(type) || (type === "filename" && o.x_ic_observable_types?.includes("file")));
  }

  function relatedPairs(id) {
    const d = data();
    const out = [];
    for (const rel of d.relsBySource.get(id) ?? []) {
      const o = getObject(rel.target_ref);
      if (o) out.push({ relationship: rel, related_object: o });
    }
    for (const rel of d.relsByTarget.get(id) ?? []) {
      const o = getObject(rel.source_ref);
      if (o) out.push({ relationship: rel, related_object: o });
    }
    return out;
  }

  /** STIX bundle: the object, first-level relationships + related objects, then identities and markings; ≤ 100 objects. */
  function contextBundle(obj) {
    const objs = new Map([[obj.id, obj]]);
    const add = (o) => {
      if (o && objs.size < 100 && !objs.has(o.id)) objs.set(o.id, o);
    };
    const pairs = relatedPairs(obj.id);
    // related objects first, so course-of-action and threats are kept even when capped
    for (const { relationship, related_object } of pairs) {
      if (objs.size >= 98) break;
      add(relationship);
      add(related_object);
    }
    const refs = new Set();
    for (const o of objs.values()) {
      if (o.created_by_ref) refs.add(o.created_by_ref);
      for (const s of o.x_inthreat_sources_refs ?? []) refs.add(s);
      for (const m of o.object_marking_refs ?? []) refs.add(m);
    }
    for (const id of refs) add(getObject(id));
    return { type: "bundle", id: `bundle--${detUuid("ctx:" + obj.id)}`, spec_version: "2.1", objects: [...objs.values()] };
  }

  function publicFeed(f) {
    const { readonly, ...rest } = f;
    return rest;
  }

  function unwrap(body) {
    if (!body || typeof body !== "object") throw invalid("body must be a JSON object");
    return body.data && typeof body.data === "object" ? body.data : body;
  }

  function validateFeed(b, cur) {
    const f = cur ? { ...cur } : { ...defaultFeeds()[0], id: b.id ?? detUuid(`feed:new:${st.feeds.size}:${Date.now()}`), readonly: false, created: isoMs(Date.now()) };
    if (!cur && (typeof b.title !== "string" || !b.title.trim())) throw invalid("title is required");
    for (const k of ["title", "description", "template", "format", "sort_order"]) {
      if (b[k] !== undefined) {
        if (typeof b[k] !== "string") throw invalid(`${k} must be a string`);
        f[k] = b[k];
      }
    }
    if (!["json", "csv", "text", "custom"].includes(f.format)) throw invalid("format must be json, csv, text or custom");
    for (const [k, allowed] of [["types", ALL_TYPES], ["observable_types", ALL_OBS], ["fields", FIELDS], ["tlps", Object.values(TLP)]]) {
      if (b[k] !== undefined) {
        if (!Array.isArray(b[k]) || b[k].some((x) => !allowed.includes(x))) throw invalid(`${k} must be a list of: ${allowed.join(", ")}`);
        f[k] = b[k];
      }
    }
    for (const k of ["sources", "labels", "sectors", "locations"]) if (b[k] !== undefined) f[k] = Array.isArray(b[k]) ? b[k] : f[k];
    for (const k of ["include_revoked", "skip_expired"]) if (typeof b[k] === "boolean") f[k] = b[k];
    f.modified = isoMs(Date.now());
    return f;
  }

  return { routes, getObject, feedIds: () => [...st.feeds.keys()] };
}

export function pageParams(ctx, dflt, max, maxOffset = Infinity) {
  const limit = intParam(ctx.query.get("limit")) ?? dflt;
  const offset = intParam(ctx.query.get("offset")) ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw invalid(`limit must be between 1 and ${max}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) throw invalid(`offset must be between 0 and ${maxOffset}`);
  return { limit, offset };
}

export { SEKOIA_IDENTITY };

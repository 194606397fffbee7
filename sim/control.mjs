// The control plane (/__sim/*: chaos, log, reset, info, vendor knobs) and the test helpers
// (/__sim/echo/*, /__sim/echo-status/*, /__sim/slow-body, /__sim/bytes), which are logged and chaos-able.
import { randomUUID } from "node:crypto";
import { json, bytes, intParam, sha256hex, isUtf8, parseMultipart, queryPairs, HttpError } from "./util.mjs";
import { SECRET_HEADERS } from "./log.mjs";

const HELPERS = ["/__sim/echo", "/__sim/echo-status/", "/__sim/slow-body", "/__sim/bytes"];

export function isHelperPath(path) {
  return (
    path === "/__sim/echo" ||
    path.startsWith("/__sim/echo/") ||
    path.startsWith(HELPERS[1]) ||
    path === HELPERS[2] ||
    path === HELPERS[3]
  );
}

const bad = (message) => new HttpError(json(400, { message, code: "SIM400" }));

export async function handleControl(sim, ctx) {
  const { method, path } = ctx;
  const rest = path.slice("/__sim".length);

  if (rest === "/chaos") {
    if (method === "GET") return json(200, { rules: sim.chaos.list() });
    if (method === "DELETE") {
      sim.chaos.clear();
      return json(200, { cleared: true });
    }
    if (method === "POST") {
      try {
        const rule = sim.chaos.add(ctx.json());
        return json(200, { id: rule.id });
      } catch (e) {
        if (e instanceof HttpError) throw e;
        throw bad(e.message);
      }
    }
  }
  if (rest.startsWith("/chaos/") && method === "DELETE") {
    const id = decodeURIComponent(rest.slice(7));
    const before = sim.chaos.rules.length;
    sim.chaos.rules = sim.chaos.rules.filter((r) => r.id !== id);
    return before === sim.chaos.rules.length ? json(404, { message: "Unknown rule", code: "SIM404" }) : json(200, { deleted: id });
  }
  if (rest === "/log") {
    if (method === "GET") {
      const since = intParam(ctx.query.get("since"));
      if (Number.isNaN(since)) throw bad("since must be an integer");
      const prefix = ctx.query.get("path");
      return json(200, { requests: sim.log.query({ since, path: prefix || undefined }) });
    }
    if (method === "DELETE") {
      sim.log.clear();
      return json(200, { cleared: true });
    }
  }
  if (rest === "/reset" && method === "POST") {
    sim.reset();
    return json(200, { reset: true });
  }
  if (rest === "/info" && method === "GET") {
    const counts = {};
    for (const [name, v] of Object.entries(sim.vendors)) counts[name] = v.counts();
    return json(200, {
      keys: sim.keys,
      vendors: {
        sekoia: "/sekoia",
        sekoiaApi: "/sekoia/api",
        sekoiaLive: "/sekoia/live/",
        networksage: "/networksage",
        groupib: "/groupib",
        groupibTi: "/groupib/api/v2/",
        groupibDrp: "/groupib/client_api/",
      },
      feedIds: sim.vendors.sekoia.feedIds(),
      counts,
    });
  }
  for (const [name, vendor] of Object.entries(sim.vendors)) {
    const p = `/${name}`;
    if (rest === p || rest.startsWith(p + "/")) {
      const r = await vendor.control(ctx, rest.slice(p.length) || "/");
      if (r) return r;
    }
  }
  return json(404, { message: `No control route ${method} ${path}`, code: "SIM404" });
}

function hashedHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k) ? "sha256:" + sha256hex(String(v)) : v;
  return out;
}

const TEXTUAL = /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml|javascript|x-ndjson))/i;

function describeBody(ctx) {
  const contentType = ctx.headers["content-type"] ?? null;
  const buf = ctx.body;
  const out = { contentType, bytes: buf.length };
  if (buf.length > 0 && buf.length < 1024 * 1024 && (contentType === null || TEXTUAL.test(contentType)) && isUtf8(buf)) {
    out.text = buf.toString("utf8");
    if (contentType === null || /json/i.test(contentType)) {
      try {
        out.json = JSON.parse(out.text);
      } catch {
        /* not JSON */
      }
    }
  }
  if (contentType && /^multipart\/form-data/i.test(contentType)) {
    try {
      out.parts = parseMultipart(buf, contentType).map((p) => {
        const part = {
          name: p.name,
          filename: p.filename,
          contentType: p.contentType,
          bytes: p.data.length,
          sha256: sha256hex(p.data),
        };
        if (p.data.length < 4096 && isUtf8(p.data)) part.text = p.data.toString("utf8");
        return part;
      });
    } catch (e) {
      out.multipartError = e.message;
    }
  }
  return out;
}

export async function handleHelper(sim, ctx) {
  const { path } = ctx;
  if (path === "/__sim/echo" || path.startsWith("/__sim/echo/")) {
    return json(200, {
      method: ctx.method,
      path,
      query: ctx.rawQuery,
      queryPairs: queryPairs(ctx.rawQuery),
      headers: hashedHeaders(ctx.headers),
      body: describeBody(ctx),
    });
  }
  if (path.startsWith("/__sim/echo-status/")) {
    const code = intParam(decodeURIComponent(path.slice("/__sim/echo-status/".length)));
    if (!Number.isInteger(code) || code < 200 || code > 599) throw bad("status must be an integer 200-599");
    const requestId = randomUUID();
    return json(code, { message: `echo ${code}`, code: `E${code}`, request_id: requestId }, { "x-request-id": requestId });
  }
  if (path === "/__sim/slow-body") {
    const ms = intParam(ctx.query.get("ms")) ?? 2000;
    if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) throw bad("ms must be an integer 0-600000");
    const r = json(200, { slow: true, ms, data: "x".repeat(4096) });
    r.trickleMs = ms;
    return r;
  }
  if (path === "/__sim/bytes") {
    const n = intParam(ctx.query.get("n")) ?? 1024;
    if (!Number.isInteger(n) || n < 0 || n > 256 * 1024 * 1024) throw bad("n must be an integer 0-268435456");
    const buf = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) buf[i] = i & 255;
    return bytes(200, buf);
  }
  return json(404, { message: "unknown helper", code: "SIM404" });
}

// cti-edge local API simulator: Sekoia.io, NetworkSage and Group-IB on one loopback HTTP + WebSocket server,
// plus a control plane (/__sim/*) for chaos rules, the request log and test helpers. See sim/README.md.
import http from "node:http";
import { WebSocketServer } from "ws";
import { ChaosRules } from "./chaos.mjs";
import { RequestLog, nowMs } from "./log.mjs";
import { Timers, HttpError, encodeResult, splitTarget, makeQuery, json } from "./util.mjs";
import { handleControl, handleHelper, isHelperPath } from "./control.mjs";
import { createSekoia } from "./sekoia.mjs";
import { createNetworkSage } from "./networksage.mjs";
import { createGroupIB } from "./groupib.mjs";

export const DEFAULT_KEYS = Object.freeze({
  sekoia: "sim-sekoia-key",
  networksage: "sim-networksage-key",
  groupib: Object.freeze({ username: "analyst@example.com", apiKey: "sim-groupib-key" }),
});

function mergeKeys(k = {}) {
  const g = k.groupib;
  return {
    sekoia: k.sekoia ?? DEFAULT_KEYS.sekoia,
    networksage: k.networksage ?? DEFAULT_KEYS.networksage,
    groupib:
      typeof g === "string"
        ? { username: DEFAULT_KEYS.groupib.username, apiKey: g }
        : { username: g?.username ?? DEFAULT_KEYS.groupib.username, apiKey: g?.apiKey ?? DEFAULT_KEYS.groupib.apiKey },
  };
}

const MAX_BODY = 256 * 1024 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("request aborted")));
  });
}

function setCors(req, res) {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Expose-Headers", "*");
}

function preflight(req, res) {
  res.setHeader("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS");
  const asked = req.headers["access-control-request-headers"];
  if (asked) res.setHeader("Access-Control-Allow-Headers", asked);
  res.setHeader("Access-Control-Max-Age", "600");
  res.setHeader("Vary", "Access-Control-Request-Headers");
  res.writeHead(204, { "content-length": "0" });
  res.end();
}

/** Vendor mount points, most specific first. */
function findVendor(sim, path) {
  for (const [prefix, vendor, mount] of sim.mounts) {
    if (path === prefix || path.startsWith(prefix + "/")) return { vendor, sub: path.slice(prefix.length) || "/", mount };
  }
  return null;
}

/** The default body of a chaos status reply. */
function chaosStatusResult(action) {
  const headers = { ...(action.headers ?? {}) };
  if (action.retryAfter !== undefined) headers["retry-after"] = String(action.retryAfter);
  if (action.retryAfterMs !== undefined) headers["retry-after-ms"] = String(action.retryAfterMs);
  const body = action.body !== undefined ? action.body : { message: `simulated ${action.status}`, code: `SIM${action.status}` };
  return json(action.status, body, headers);
}

async function send(sim, req, res, result, entry, rule) {
  if (res.destroyed || res.writableEnded) return;
  const { status, headers, buf } = encodeResult(result);
  let body = status === 204 || status === 304 ? Buffer.alloc(0) : buf;
  if (rule?.action.truncate) body = body.subarray(0, Math.floor(body.length / 2));
  const trickleMs = rule?.action.slowBodyMs ?? result.trickleMs;
  if (entry) entry.status = status;
  if (trickleMs !== undefined && body.length > 0 && req.method !== "HEAD") {
    delete headers["content-length"];
    res.writeHead(status, headers); // no Content-Length: chunked transfer
    const first = Math.max(1, Math.min(64, Math.floor(body.length / 8)));
    res.write(body.subarray(0, first));
    const rest = body.subarray(first);
    const steps = Math.max(1, Math.min(20, rest.length));
    const size = Math.ceil(rest.length / steps);
    for (let off = 0; off < rest.length; off += size) {
      const alive = await sim.timers.sleep(trickleMs / steps);
      if (!alive || res.destroyed) return;
      res.write(rest.subarray(off, off + size));
    }
    res.end();
    return;
  }
  headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

async function handle(sim, req, res) {
  const t = nowMs();
  setCors(req, res);
  const { path, query: rawQuery } = splitTarget(req.url);
  const method = req.method.toUpperCase();
  if (method === "OPTIONS") return preflight(req, res);

  const helper = isHelperPath(path);
  const isControl = !helper && (path === "/__sim" || path.startsWith("/__sim/"));
  const entry = isControl ? null : sim.log.record({ t, method, path, query: rawQuery, headers: req.headers });

  let body;
  try {
    body = await readBody(req);
  } catch {
    res.destroy();
    return;
  }
  if (entry) entry.bodyBytes = body.length;

  const ctx = {
    sim,
    req,
    res,
    method,
    path,
    rawQuery,
    query: makeQuery(rawQuery),
    headers: req.headers,
    body,
    entry,
    json() {
      if (body.length === 0) return undefined;
      try {
        return JSON.parse(body.toString("utf8"));
      } catch {
        throw new HttpError(json(400, { message: "Invalid JSON body", code: "SIM400" }));
      }
    },
  };

  if (isControl) {
    const result = await runRoute(() => handleControl(sim, ctx), sim);
    return send(sim, req, res, result, null, null);
  }

  const rule = sim.chaos.take(method, path);
  if (rule) entry.chaos = rule.id;
  const action = rule?.action ?? {};
  if (action.slowHeadersMs) {
    const alive = await sim.timers.sleep(action.slowHeadersMs);
    if (!alive || res.destroyed) return;
  }
  if (action.reset) {
    entry.status = null;
    const sock = req.socket;
    if (typeof sock.resetAndDestroy === "function") sock.resetAndDestroy();
    else sock.destroy();
    return;
  }
  if (action.status !== undefined) {
    return send(sim, req, res, chaosStatusResult(action), entry, null);
  }

  let result;
  if (helper) {
    entry.authOk = sim.anyAuthOk(req.headers);
    result = await runRoute(() => handleHelper(sim, ctx), sim);
  } else {
    const found = findVendor(sim, path);
    if (!found) result = json(404, { message: "No such route in the simulator", code: "SIM404", path });
    else {
      ctx.sub = found.sub;
      ctx.mount = found.mount;
      result = await runRoute(() => found.vendor.handle(ctx), sim);
    }
  }
  return send(sim, req, res, result, entry, rule);
}

function rawHttpReply(socket, status, result) {
  const { headers, buf } = encodeResult(result);
  const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Unknown"}`, "Access-Control-Allow-Origin: *", "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push(`Content-Length: ${buf.length}`);
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n"), buf]));
}

/** WebSocket upgrades: logged and subject to chaos like HTTP requests, then handed to the LiveAPI. */
async function handleUpgrade(sim, req, socket, head, wss) {
  const t = nowMs();
  const { path, query } = splitTarget(req.url);
  const entry = sim.log.record({ t, method: req.method, path, query, headers: req.headers });
  const rule = sim.chaos.take(req.method, path, { ws: true });
  if (rule) entry.chaos = rule.id;
  const action = rule?.action ?? {};
  if (action.slowHeadersMs) {
    const alive = await sim.timers.sleep(action.slowHeadersMs);
    if (!alive || socket.destroyed) return socket.destroy();
  }
  if (action.reset) return socket.destroy();
  if (action.status !== undefined) {
    entry.status = action.status;
    return rawHttpReply(socket, action.status, chaosStatusResult(action));
  }
  const live = sim.vendors.sekoia.live;
  if (!live.accepts(path)) {
    entry.status = 404;
    return rawHttpReply(socket, 404, json(404, { message: "No WebSocket route here", code: "SIM404" }));
  }
  entry.status = 101;
  live.upgrade(req, socket, head, wss, { entry, wsDrop: action.wsDrop });
}

async function runRoute(fn, sim) {
  try {
    const r = await fn();
    return r ?? json(500, { message: "route produced no response", code: "SIM500" });
  } catch (e) {
    if (e instanceof HttpError) return e.result;
    if (!sim.quiet) console.error("[sim] route error:", e);
    return json(500, { message: `simulator error: ${e.message}`, code: "SIM500" });
  }
}

/**
 * Starts the simulator. Resolves to { url, port, host, close() }.
 * opts: port (0 = ephemeral), host (127.0.0.1), keys ({sekoia, networksage, groupib:{username, apiKey}}), quiet.
 */
export async function startSimulator(opts = {}) {
  const host = opts.host ?? "127.0.0.1";
  const sim = {
    keys: mergeKeys(opts.keys),
    quiet: !!opts.quiet,
    timers: new Timers(),
    log: new RequestLog(),
    chaos: new ChaosRules(),
    url: null,
  };
  sim.vendors = {
    sekoia: createSekoia(sim),
    networksage: createNetworkSage(sim),
    groupib: createGroupIB(sim),
  };
  sim.mounts = [
    ["/sekoia/api", sim.vendors.sekoia, "/sekoia/api"],
    ["/sekoia", sim.vendors.sekoia, "/sekoia"],
    ["/networksage", sim.vendors.networksage, "/networksage"],
    ["/groupib", sim.vendors.groupib, "/groupib"],
  ];
  sim.anyAuthOk = (headers) => Object.values(sim.vendors).some((v) => v.authOk(headers));
  sim.reset = () => {
    sim.chaos.clear();
    sim.log.clear();
    for (const v of Object.values(sim.vendors)) v.reset();
  };

  const server = http.createServer((req, res) => {
    handle(sim, req, res).catch((e) => {
      if (!sim.quiet) console.error("[sim] request failed:", e);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "simulator failure", code: "SIM500" }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  const wss = new WebSocketServer({ noServer: true });
  const pendingUpgrades = new Set();
  server.on("upgrade", async (req, socket, head) => {
    pendingUpgrades.add(socket);
    socket.on("close", () => pendingUpgrades.delete(socket));
    socket.on("error", () => {});
    try {
      await handleUpgrade(sim, req, socket, head, wss);
    } catch (e) {
      if (!sim.quiet) console.error("[sim] upgrade failed:", e);
      socket.destroy();
    } finally {
      pendingUpgrades.delete(socket);
    }
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address();
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  sim.url = `http://${hostInUrl}:${port}`;
  if (!sim.quiet) console.error(`[sim] listening on ${sim.url}`);

  let closing = null;
  const close = () => {
    if (closing) return closing;
    closing = (async () => {
      sim.timers.clearAll();
      for (const v of Object.values(sim.vendors)) v.close?.();
      for (const c of wss.clients) c.terminate();
      for (const s of pendingUpgrades) s.destroy();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })();
    return closing;
  };
  return { url: sim.url, port, host, close };
}

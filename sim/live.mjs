// Sekoia LiveAPI WebSocket at /sekoia/live/.
// Auth: cookie access_token_cookie=<key> on the upgrade request, OR (sim-only, for browsers that cannot set
// cookies on a WebSocket) a first message {"action":"authenticate","token":"<key>"}.
// Server → {"authenticated":true}; client → {"action":"upgrade"}; then v2 notifications (IOC import progress).
import { parseCookies } from "./util.mjs";

const PATHS = new Set(["/sekoia/live/", "/sekoia/live", "/sekoia/api/live/", "/sekoia/api/live"]);
const AUTH_TIMEOUT_MS = 10_000;
const SNAPSHOT_WINDOW_MS = 10 * 60_000;

export function createLive(sim, st) {
  const clients = new Set();

  function send(c, msg) {
    if (c.ws.readyState !== 1) return;
    c.ws.send(JSON.stringify(msg));
    c.sent += 1;
    if (c.drop && c.sent >= c.drop.afterMessages) c.ws.terminate();
  }

  function authenticate(c) {
    c.authed = true;
    sim.timers.clear(c.authTimer);
    send(c, { authenticated: true });
  }

  function onConnection(ws, req, { entry, wsDrop }) {
    const c = { ws, authed: false, upgraded: false, sent: 0, drop: wsDrop ?? null, authTimer: null };
    clients.add(c);
    ws.on("close", () => {
      clients.delete(c);
      sim.timers.clear(c.authTimer);
    });
    ws.on("error", () => {});
    if (c.drop && c.drop.afterMessages === 0) {
      ws.terminate();
      return;
    }
    const cookie = parseCookies(req.headers.cookie).access_token_cookie;
    if (cookie !== undefined) {
      const ok = decodeURIComponent(cookie) === sim.keys.sekoia;
      if (entry) entry.authOk = ok;
      if (ok) authenticate(c);
      else {
        send(c, { authenticated: false, message: "The token is invalid", code: "T300" });
        ws.close(4001, "invalid token");
        return;
      }
    } else {
      c.authTimer = sim.timers.set(() => {
        if (!c.authed) ws.close(4001, "authentication timeout");
      }, AUTH_TIMEOUT_MS);
    }
    ws.on("message", (raw, isBinary) => {
      if (isBinary) return;
      let msg;
      try {
        msg = JSON.parse(raw.toString("utf8"));
      } catch {
        return;
      }
      if (!msg || typeof msg !== "object") return;
      if (msg.action === "authenticate" && !c.authed) {
        if (msg.token === sim.keys.sekoia) {
          if (entry) entry.authOk = true;
          authenticate(c);
        } else {
          send(c, { authenticated: false, message: "The token is invalid", code: "T300" });
          ws.close(4001, "invalid token");
        }
        return;
      }
      if (!c.authed) return;
      if (msg.action === "upgrade") {
        c.upgraded = true;
        // A (re)connecting client gets the current state of recent import tasks at once.
        const since = Date.now() - SNAPSHOT_WINDOW_MS;
        for (const t of st.tasks.values()) {
          if (t.status === "running" || (t.finished_at && t.finished_at >= since)) send(c, st.taskMessage(t));
        }
        return;
      }
      if (msg.action === "ping") send(c, { action: "pong" });
    });
  }

  return {
    accepts: (path) => PATHS.has(path),
    upgrade(req, socket, head, wss, opts) {
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, opts));
    },
    /** v2 notifications go to authenticated clients that sent {"action":"upgrade"}. */
    broadcast(msg) {
      for (const c of clients) if (c.authed && c.upgraded) send(c, msg);
    },
    clientCount: () => clients.size,
    close() {
      for (const c of clients) c.ws.terminate();
      clients.clear();
    },
  };
}

// Sekoia.io simulator: mounted at /sekoia and /sekoia/api (so base URLs with or without /api work).
import { json, makeRouter, parseBasic } from "./util.mjs";
import { buildSekoiaData, COMMUNITY_UUID } from "./sekoia-data.mjs";
import { createIntel } from "./sekoia-intel.mjs";
import { createIoc, AVATAR_UUID } from "./sekoia-ioc.mjs";
import { createOps } from "./sekoia-ops.mjs";
import { createLive } from "./live.mjs";

const UNAUTHORIZED = { message: "The token is invalid", code: "T300" };

export function createSekoia(sim) {
  const st = {};
  const live = createLive(sim, st);
  const intel = createIntel(st);
  st.getObject = intel.getObject;
  const ioc = createIoc(st, sim, live);
  const ops = createOps(st);

  const router = makeRouter();
  const validate = () =>
    json(200, {
      valid: true,
      type: "apikey",
      name: "cti-edge simulator key",
      community_uuid: COMMUNITY_UUID,
      avatar_uuid: AVATAR_UUID,
      permissions: ["SIC_READ_INTAKES", "SIC_READ_CONF", "SIC_WRITE_CONF", "INTHREAT_READ_OBJECTS"],
    });
  router.add("GET", "/v1/auth/validate", validate);
  router.add("GET", "/v1/apiauth/auth/validate", validate);
  intel.routes(router);
  ioc.routes(router);
  ops.routes(router);

  let initialised = false;
  const init = () => {
    if (initialised) return;
    initialised = true;
    st.resetIoc();
    st.resetOps();
  };
  // Intel state (feeds, appended) is cheap and set up at construction; the rest needs the data set.

  const authOk = (h) => {
    const a = h.authorization || "";
    const m = /^Bearer\s+(.+)$/i.exec(a);
    if (m) return m[1].trim() === sim.keys.sekoia;
    const b = parseBasic(a);
    return !!b && b.pass === sim.keys.sekoia;
  };

  return {
    authOk,
    live,
    async handle(ctx) {
      ctx.entry.authOk = authOk(ctx.headers);
      if (!ctx.entry.authOk) return json(401, UNAUTHORIZED);
      init();
      const m = router.match(ctx.method, ctx.sub);
      if (!m) return json(404, { message: "Unknown object", code: "SIC404" });
      if (m.allowed) return json(405, { message: `Method not allowed (allowed: ${m.allowed.join(", ")})`, code: "SIC405" }, { allow: m.allowed.join(", ") });
      return m.fn(ctx, m.params);
    },
    async control(ctx, sub) {
      init();
      if (sub === "/feed/append" && ctx.method === "POST") {
        const b = ctx.json() ?? {};
        const count = b.count ?? 1;
        if (!Number.isInteger(count) || count < 1 || count > 100000) return json(400, { message: "count must be an integer 1-100000", code: "SIM400" });
        const added = st.appendIndicators(count);
        return json(200, { appended: added.length, ids: added.map((o) => o.id), last_modified: added.at(-1).modified });
      }
      return ioc.control(ctx, sub) ?? ops.control(ctx, sub);
    },
    feedIds: () => intel.feedIds(),
    counts() {
      init();
      const d = buildSekoiaData();
      return {
        ...d.counts,
        appended: st.appended.length,
        feeds: st.feeds.size,
        iocCollections: st.collections.size,
        tasks: st.tasks.size,
        searchJobs: st.jobs.size,
        rules: st.rules.size,
        liveClients: live.clientCount(),
      };
    },
    reset() {
      st.stopTicker?.();
      st.resetIntel();
      if (initialised) {
        st.resetIoc();
        st.resetOps();
      }
    },
    close() {
      st.stopTicker?.();
      live.close();
    },
  };
}


// Chaos rules: fault injection matched on method + path, checked in insertion order.
let ruleCounter = 0;

const ACTION_KEYS = ["status", "reset", "truncate", "slowHeadersMs", "slowBodyMs", "wsDrop"];

export class ChaosRules {
  constructor() {
    this.rules = [];
  }

  /** Validates and adds a rule; returns it, or throws Error(message) for a 400. */
  add(spec) {
    if (!spec || typeof spec !== "object") throw new Error("body must be a JSON object");
    const { match, action } = spec;
    if (!match || typeof match !== "object" || typeof match.path !== "string" || match.path === "") {
      throw new Error("match.path (string) is required");
    }
    if (match.method !== undefined && typeof match.method !== "string") throw new Error("match.method must be a string");
    if (!action || typeof action !== "object" || !ACTION_KEYS.some((k) => action[k] !== undefined && action[k] !== false)) {
      throw new Error(`action must set one of ${ACTION_KEYS.join(", ")}`);
    }
    if (action.status !== undefined && !(Number.isInteger(action.status) && action.status >= 200 && action.status <= 599)) {
      throw new Error("action.status must be an integer 200-599");
    }
    for (const k of ["slowHeadersMs", "slowBodyMs", "retryAfterMs"]) {
      if (action[k] !== undefined && !(typeof action[k] === "number" && action[k] >= 0)) throw new Error(`action.${k} must be a number >= 0`);
    }
    if (action.wsDrop !== undefined && !(action.wsDrop && Number.isInteger(action.wsDrop.afterMessages) && action.wsDrop.afterMessages >= 0)) {
      throw new Error("action.wsDrop.afterMessages must be an integer >= 0");
    }
    const times = spec.times ?? null;
    if (times !== null && !(Number.isInteger(times) && times > 0)) throw new Error("times must be a positive integer");
    let regex = null;
    if (match.path.startsWith("^")) {
      try {
        regex = new RegExp(match.path);
      } catch (e) {
        throw new Error(`match.path is not a valid regex: ${e.message}`);
      }
    }
    ruleCounter += 1;
    const rule = {
      id: `chaos-${ruleCounter}`,
      match: { method: match.method ? match.method.toUpperCase() : undefined, path: match.path },
      action,
      times,
      remaining: times,
      hits: 0,
      regex,
    };
    this.rules.push(rule);
    return rule;
  }

  /** Finds the first rule with times left matching the request, consumes one use, returns it (or null). */
  take(method, path, { ws = false } = {}) {
    for (const r of this.rules) {
      if (r.remaining !== null && r.remaining <= 0) continue;
      if (r.match.method && r.match.method !== method.toUpperCase()) continue;
      if (r.regex ? !r.regex.test(path) : !path.startsWith(r.match.path)) continue;
      // wsDrop only makes sense on WebSocket upgrades (other actions also apply to the upgrade request).
      if (r.action.wsDrop !== undefined && !ws) continue;
      if (r.remaining !== null) r.remaining -= 1;
      r.hits += 1;
      return r;
    }
    return null;
  }

  list() {
    return this.rules.map((r) => ({ id: r.id, match: r.match, action: r.action, times: r.times, remaining: r.remaining, hits: r.hits }));
  }

  clear() {
    this.rules = [];
  }
}

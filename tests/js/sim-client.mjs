// Talks to the simulator's control plane (/__sim/*) from any runtime, with plain fetch.

let counter = 0;

export function simControl(url) {
  const json = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`simulator ${method} ${path}: ${r.status} ${await r.text()}`);
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  };
  return {
    url,
    /** A path prefix nobody else uses, so chaos rules and log filters stay per test. */
    uid(label = "t") {
      counter += 1;
      return `${label}-${counter}-${Math.floor(Math.random() * 1e9).toString(36)}`;
    },
    chaos: (match, action, times) => json("POST", "/__sim/chaos", { match, action, times }),
    clearChaos: () => json("DELETE", "/__sim/chaos"),
    /** Requests whose path starts with `prefix`, in arrival order. */
    log: async (prefix) => (await json("GET", `/__sim/log?path=${encodeURIComponent(prefix)}`)).requests,
    rawLog: () => fetch(url + "/__sim/log").then((r) => r.text()),
    reset: () => json("POST", "/__sim/reset"),
    info: () => json("GET", "/__sim/info"),
  };
}

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Max number of times within any `windowMs` window. */
export function maxInWindow(times, windowMs) {
  return densestWindow(times.map((t) => ({ t })), windowMs).length;
}

/** The log entries (`{ t }`) of the fullest `windowMs` window, in time order. */
export function densestWindow(entries, windowMs) {
  const sorted = [...entries].sort((a, b) => a.t - b.t);
  let best = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j].t - sorted[i].t < windowMs) j++;
    if (j - i > best.length) best = sorted.slice(i, j);
  }
  return best;
}

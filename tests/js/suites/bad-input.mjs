// Bad input at every exported entry point: a ValidationError (or a TypeError from the
// binding), never a request, never a panic (a Rust panic would surface as a WebAssembly
// RuntimeError). Client methods are found by introspection, so new methods are covered as
// they land.
import { assert } from "../harness.mjs";

const JUNK = [42, true, NaN, "\u0000bad", -1, Symbol.iterator];
const SKIP = new Set(["constructor", "free", "request"]); // request() has its own table in foundation.mjs

function methodsOf(obj) {
  const out = [];
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (typeof d.value === "function" && !SKIP.has(name) && d.value.length >= 1) out.push(name);
    }
  }
  return out;
}

async function outcome(fn) {
  try {
    const r = fn();
    if (r && typeof r.then === "function") await r;
    else if (r && typeof r.next === "function") await r.next();
    return null;
  } catch (e) {
    return e;
  }
}

/** The client classes this entry exports, each made against the simulator. */
function clientsOf(ctx, k) {
  const { lib } = ctx;
  const make = {
    Sekoia: () => new lib.Sekoia({ apiKey: k.sekoia, baseUrl: `${ctx.sim.url}/sekoia` }),
    NetworkSage: () => new lib.NetworkSage({ apiKey: k.networksage, baseUrl: `${ctx.sim.url}/networksage` }),
    GroupIB: () => new lib.GroupIB({ username: k.groupib.username, apiKey: k.groupib.apiKey, baseUrl: `${ctx.sim.url}/groupib/api/v2/` }),
    GroupIBDrp: () => new lib.GroupIBDrp({ username: k.groupib.username, apiKey: k.groupib.apiKey, baseUrl: `${ctx.sim.url}/groupib/client_api/` }),
  };
  const clients = Object.fromEntries(Object.entries(make).filter(([name]) => lib[name]).map(([name, f]) => [name, f()]));
  assert.ok(Object.keys(clients).length > 0, "this entry exports no client");
  if (clients.Sekoia) clients.Feed = clients.Sekoia.feed();
  return clients;
}

/** Every test here: the clients' (those the entry exports) and the toolkit's. */
export function register(test) {
  registerClients(test);
  registerToolkit(test);
}

/** The client tests, for an entry with clients. */
export function registerClients(test) {
  test("bad input to every client method: typed error, no request, no panic", async (ctx) => {
    const { lib } = ctx;
    const clients = clientsOf(ctx, (await ctx.sim.info()).keys);
    const before = (await ctx.sim.log("/")).length;
    let calls = 0;
    const problems = [];
    for (const [cls, client] of Object.entries(clients)) {
      for (const name of methodsOf(client)) {
        for (const junk of JUNK) {
          calls += 1;
          const e = await outcome(() => client[name](junk));
          const label = `${cls}.${name}(${typeof junk === "symbol" ? "Symbol" : JSON.stringify(junk)})`;
          if (e === null) problems.push(`${label} accepted junk`);
          // MappingError with pythonType InputException is the reference's own bad-input error (setKeys).
          else if (!(e instanceof lib.ValidationError || e instanceof TypeError || (lib.MappingError && e instanceof lib.MappingError && e.pythonType === "InputException"))) problems.push(`${label} threw ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
        }
      }
    }
    assert.ok(calls >= 60, `only ${calls} calls`);
    assert.deepEqual(problems, []);
    assert.equal((await ctx.sim.log("/")).length, before, "no request was sent");
  });


  test("bad input to the client constructors: typed errors, no panic", ({ lib }) => {
    const ctors = [lib.Sekoia, lib.NetworkSage, lib.GroupIB, lib.GroupIBDrp].filter(Boolean);
    assert.ok(ctors.length > 0, "this entry exports no client");
    for (const Ctor of ctors) {
      for (const junk of [42, "key", [], null, { apiKey: "\u00e9\u00e9\u00e9" }, { apiKey: "k", baseUrl: "htt\u00e9://x" }, { apiKey: "k", timeoutMs: Infinity }]) {
        const e = assert.throws(() => new Ctor(junk), Error, `${Ctor.name}(${JSON.stringify(junk)})`);
        assert.ok(e instanceof lib.ValidationError || e instanceof TypeError, `${Ctor.name}: ${e.constructor.name} ${e.message}`);
      }
    }
  });
}

/** The toolkit test, for an entry with the toolkit. */
export function registerToolkit(test) {
  test("bad input to the toolkit: typed errors, no panic", ({ lib }) => {
    for (const fn of ["extractIocs", "refang", "defang", "classify", "parseStixPattern", "stixPatternFor"]) {
      for (const junk of [42, null, undefined, {}, Symbol.iterator]) {
        const e = assert.throws(() => lib[fn](junk), Error, `${fn}(${String(junk)})`);
        assert.ok(e instanceof lib.ValidationError || e instanceof TypeError, `${fn}: ${e.constructor.name} ${e.message}`);
      }
    }
    // Huge inputs are handled, not refused with a crash.
    const huge = "evil[.]com ".repeat(200_000);
    assert.equal(lib.extractIocs(huge, { dedupe: true }).length, 1);
    assert.equal(lib.refang(huge).length < huge.length, true);
  });
}

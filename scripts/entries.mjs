// The package's entry points and what a user downloads for each (wasm + glue + loader +
// snippets, gzip -9): used by scripts/assemble.mjs (size report and budget) and bench/run.mjs.
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

/** The main entry, `cti-edge`: hand-written in pkg-template/, built with the default cargo features. */
export const MAIN_ENTRY = { dir: ".", module: "cti_edge", feature: "default", js: ["stores.js", "enrich.js"] };

/**
 * The entry points besides the main one (`cti-edge`, hand-written in pkg-template/, the default
 * cargo features): each is its own wasm module, built by scripts/build.sh with the cargo feature
 * of its scope. `js`: the package's JS modules it re-exports besides the errors.
 */
export const SUB_ENTRIES = [
  { dir: "ioc", module: "cti_edge_ioc", feature: "toolkit", what: "the IOC toolkit alone — extractIocs, refang, defang, classify, STIX patterns, IndicatorSet — without the API clients" },
  { dir: "sekoia", module: "cti_edge_sekoia", feature: "sekoia", what: "the Sekoia.io client alone (Intelligence Center, IOC collections with LiveAPI progress, event search, rules), without the toolkit's exports", js: ["stores.js"] },
  { dir: "networksage", module: "cti_edge_networksage", feature: "networksage", what: "the NetworkSage client alone, without the toolkit's exports" },
  { dir: "groupib", module: "cti_edge_groupib", feature: "groupib", what: "the Group-IB TI and DRP clients alone (poller, mapping keys), without the toolkit's exports" },
];

/** Every wasm module of the package, the main one first. */
export const ALL_ENTRIES = [MAIN_ENTRY, ...SUB_ENTRIES];

const LOADERS = ["index.browser.js", "index.node.js", "index.workerd.js"];

/** The snippet that holds the error classes in a module's dist (the main module's is the package's). */
export function findSnippet(dist, name) {
  const base = join(dist, "snippets");
  for (const d of readdirSync(base)) {
    const p = join(base, d, "src", "js", name);
    if (existsSync(p)) return p;
  }
  throw new Error(`snippet ${name} not found under ${base}`);
}

/**
 * One row per entry point and runtime loader: { name, loader, label, wasmRaw, wasmGz, jsGz,
 * total }; `label` is the loader's path in the package (`index.node.js`, `sekoia/index.node.js`).
 */
export function entrySizes(pkg) {
  const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
  const dist = join(pkg, "dist");
  const sharedErrors = findSnippet(dist, "errors.js");
  const entries = [
    { name: "cti-edge", sub: "", dir: pkg, dist, module: MAIN_ENTRY.module, js: MAIN_ENTRY.js },
    ...SUB_ENTRIES.map((e) => ({ name: `cti-edge/${e.dir}`, sub: `${e.dir}/`, dir: join(pkg, e.dir), dist: join(pkg, e.dir, "dist"), module: e.module, js: e.js ?? [] })),
  ];
  const rows = [];
  for (const e of entries) {
    const files = [join(e.dist, `${e.module}.js`), join(pkg, "errors.js"), sharedErrors, ...e.js.map((f) => join(pkg, f))];
    for (const d of readdirSync(join(e.dist, "snippets"))) {
      for (const f of ["runtime.js", "batch.js", "errors.js", "live.js"]) {
        const p = join(e.dist, "snippets", d, "src", "js", f);
        if (existsSync(p) && p !== sharedErrors) files.push(p);
      }
    }
    const glue = files.reduce((n, p) => n + gz(p), 0);
    const wasm = join(e.dist, `${e.module}_bg.wasm`);
    const wasmRaw = statSync(wasm).size;
    const wasmGz = gz(wasm);
    for (const loader of LOADERS) {
      // browser entries also load the shared loader.js
      const jsGz = glue + gz(join(e.dir, loader)) + (loader === "index.browser.js" ? gz(join(pkg, "loader.js")) : 0);
      rows.push({ name: e.name, loader, label: e.sub + loader, wasmRaw, wasmGz, jsGz, total: wasmGz + jsGz });
    }
  }
  return rows;
}

// `node scripts/entries.mjs`: what scripts/build.sh builds, one module per line:
// <dir under pkg/> <module name> <cargo feature, or "default">
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const e of ALL_ENTRIES) console.log(`${e.dir} ${e.module} ${e.feature}`);
}

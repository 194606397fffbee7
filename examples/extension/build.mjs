// Copies the built package (../../pkg, from scripts/build.sh) into vendor/cti-edge/ so the
// unpacked extension is self-contained, plus the shared error explanations. Run after a build:
//   scripts/build.sh && node examples/extension/build.mjs
import { cpSync, existsSync, rmSync } from "node:fs";
import { SUB_ENTRIES } from "../../scripts/entries.mjs";

const here = new URL(".", import.meta.url).pathname;
const pkg = new URL("../../pkg/", import.meta.url).pathname;
if (!existsSync(pkg + "index.browser.js")) {
  console.error("pkg/ is not built: run scripts/build.sh first");
  process.exit(1);
}
rmSync(here + "vendor", { recursive: true, force: true });
// The main entry (the browser entry re-exports its sibling modules; the Node and workerd entries
// are copied too but never loaded), without the other entries' wasm modules it does not use.
const others = SUB_ENTRIES.map(({ dir }) => pkg + dir);
cpSync(pkg, here + "vendor/cti-edge", { recursive: true, filter: (src) => !others.some((d) => src === d || src.startsWith(d + "/")) });
for (const f of ["explain.js", "summary.js", "features.js"]) cpSync(new URL("../../www/" + f, import.meta.url).pathname, here + "vendor/" + f);
console.log("extension: vendor/cti-edge copied from pkg/");

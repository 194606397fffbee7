// A Miniflare (workerd) instance running one test Worker from this repository: modules
// resolved from the repository root, `.wasm` imported as compiled modules (as Workers do).
import { Miniflare } from "miniflare";

const root = new URL("../..", import.meta.url).pathname;

/** The test Worker at `script` (a path from the repository root). */
export function testWorker(script) {
  return new Miniflare({
    modules: true,
    modulesRoot: root,
    scriptPath: root + script,
    compatibilityDate: "2025-09-01",
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
  });
}

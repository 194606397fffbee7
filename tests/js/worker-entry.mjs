// The test Worker: runs the JS suites inside workerd against the workerd entry
// (pkg/index.workerd.js: static .wasm module import + initSync) and answers with the results.
import * as lib from "../../pkg/index.workerd.js";
import { createRegistry, runTests } from "./harness.mjs";
import { registerAll } from "./suites/index.mjs";
import { simControl } from "./sim-client.mjs";

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const { tests, test } = createRegistry();
    registerAll(test);
    const lines = [];
    const only = params.get("only") ? new RegExp(params.get("only")) : undefined;
    const summary = await runTests(tests, { lib, sim: simControl(params.get("sim")), runtime: "workerd" }, { only, log: (l) => lines.push(l) });
    return Response.json({ ...summary, lines });
  },
};

// The test Worker for `cti-edge/ioc`: its suites inside workerd against pkg/ioc/index.workerd.js.
import * as lib from "../../pkg/ioc/index.workerd.js";
import { createRegistry, runTests } from "./harness.mjs";
import { registerToolkit } from "./suites/toolkit.mjs";

export default {
  async fetch() {
    const { tests, test } = createRegistry();
    registerToolkit(test);
    const lines = [];
    const summary = await runTests(tests, { lib, runtime: "workerd" }, { log: (l) => lines.push(l) });
    return Response.json({ ...summary, lines });
  },
};

// The test Worker for the entry points besides the main one: `?entry=<name>` runs that entry's
// suites inside workerd against pkg/<name>/index.workerd.js (each its own wasm module).
import * as ioc from "../../pkg/ioc/index.workerd.js";
import * as sekoia from "../../pkg/sekoia/index.workerd.js";
import * as networksage from "../../pkg/networksage/index.workerd.js";
import * as groupib from "../../pkg/groupib/index.workerd.js";
import * as errors from "../../pkg/errors.js";
import { createRegistry, runTests } from "./harness.mjs";
import { registerEntry } from "./suites/entries.mjs";
import { simControl } from "./sim-client.mjs";

const LIBS = { ioc, sekoia, networksage, groupib };

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const name = params.get("entry");
    const { tests, test } = createRegistry();
    registerEntry(test, name);
    const lines = [];
    const only = params.get("only") ? new RegExp(params.get("only")) : undefined;
    const ctx = { lib: LIBS[name], errors, sim: simControl(params.get("sim")), runtime: "workerd" };
    const summary = await runTests(tests, ctx, { only, log: (l) => lines.push(l) });
    return Response.json({ ...summary, lines });
  },
};

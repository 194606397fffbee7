// Runs the JS suites in Node against the built package (pkg/index.node.js) and a simulator.
import { startSimulator } from "../../sim/index.mjs";
import * as lib from "../../pkg/index.node.js";
import { createRegistry, runTests } from "./harness.mjs";
import { registerAll } from "./suites/index.mjs";
import { simControl } from "./sim-client.mjs";
import { report } from "./report.mjs";
import { WebSocket as WS } from "ws";

const sim = await startSimulator({ quiet: true });
const { tests, test } = createRegistry();
registerAll(test);
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;
console.log(`node ${process.version}: ${tests.length} tests, simulator ${sim.url}`);
const summary = await runTests(tests, { lib, sim: simControl(sim.url), runtime: "node", webSocketFactory: (url, init) => new WS(url, init) }, { only, log: console.log });
await sim.close();
process.exit(report("node", summary));

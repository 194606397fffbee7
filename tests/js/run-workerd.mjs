// Runs the JS suites in workerd (through miniflare) against a simulator on loopback.
import { startSimulator } from "../../sim/index.mjs";
import { report } from "./report.mjs";
import { testWorker } from "./workerd.mjs";

const sim = await startSimulator({ quiet: true });
const mf = testWorker("tests/js/worker-entry.mjs");
let code = 1;
try {
  console.log(`workerd (miniflare): simulator ${sim.url}`);
  const only = process.env.ONLY ? `&only=${encodeURIComponent(process.env.ONLY)}` : "";
  const res = await mf.dispatchFetch(`http://localhost/?sim=${encodeURIComponent(sim.url)}${only}`);
  const summary = await res.json();
  for (const l of summary.lines) console.log(l);
  delete summary.lines;
  code = report("workerd", summary);
} finally {
  await mf.dispose();
  await sim.close();
}
process.exit(code);

// `make demo`, last step: serves the dashboard (www/) next to a fresh simulator and prints its URL.
// Interactive (a TTY): keeps serving until Ctrl-C. Otherwise (CI, pipes): checks that the page,
// the package and the simulator answer, then exits on its own.
import { createServer } from "node:net";
import { startSimulator } from "../sim/index.mjs";
import { startStaticServer } from "../tests/js/static-server.mjs";

const port = Number(process.env.DASHBOARD_PORT ?? 8177);
const sim = await startSimulator({ quiet: true });
const free = (p) => new Promise((resolve) => {
  const s = createServer().once("error", () => resolve(false)).listen(p, "127.0.0.1", () => s.close(() => resolve(true)));
});
const web = await startStaticServer({ port: (await free(port)) ? port : 0 }); // any port when the usual one is taken
const url = `${web.url}/www/index.html?sim=${encodeURIComponent(sim.url)}`;

async function close() {
  await web.close();
  await sim.close();
}

const interactive = process.stdout.isTTY && !process.env.CI;
console.log(`\nDashboard (feed browser, IOC lookup, errors; talks to the simulator at ${sim.url}):`);
console.log(`   ${url}`);
if (interactive) {
  console.log("   serving until Ctrl-C");
  process.on("SIGINT", async () => {
    await close();
    console.log("\nstopped.");
    process.exit(0);
  });
} else {
  const checks = await Promise.all([
    fetch(url).then((r) => r.status),
    fetch(`${web.url}/pkg/dist/cti_edge_bg.wasm`).then((r) => r.headers.get("content-type")),
    fetch(`${sim.url}/__sim/info`).then((r) => r.status),
  ]);
  console.log(`   (not a terminal: checked page ${checks[0]}, wasm ${checks[1]}, simulator ${checks[2]}; exiting — run \`make demo\` in a terminal to keep it up)`);
  await close();
  if (checks[0] !== 200 || checks[2] !== 200) process.exit(1);
}

#!/usr/bin/env node
// node sim/cli.mjs [--port N] [--host H] [--verbose]
// Prints exactly one line `SIMULATOR_URL=http://127.0.0.1:<port>` on stdout once listening; runs until SIGINT/SIGTERM.
import { startSimulator } from "./index.mjs";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(name + "="));
  return eq ? eq.slice(name.length + 1) : undefined;
};
const port = opt("--port") !== undefined ? Number(opt("--port")) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("usage: node sim/cli.mjs [--port N]");
  process.exit(2);
}
const sim = await startSimulator({ port, host: opt("--host") ?? "127.0.0.1", quiet: !args.includes("--verbose") });
process.stdout.write(`SIMULATOR_URL=${sim.url}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sim.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

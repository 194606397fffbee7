import { mkdirSync, writeFileSync } from "node:fs";

/** Prints the per-runtime closing line, saves the results, returns the exit code. */
export function report(runtime, summary) {
  mkdirSync(new URL("../../test-artifacts/", import.meta.url), { recursive: true });
  writeFileSync(new URL(`../../test-artifacts/${runtime}-results.json`, import.meta.url), JSON.stringify(summary, null, 2));
  console.log(`${runtime}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
  if (summary.passed === 0) {
    console.error(`${runtime}: no test ran — that is a failure`);
    return 1;
  }
  return summary.failed === 0 ? 0 : 1;
}

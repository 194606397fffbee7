// What each entry point besides the main one runs (`cti-edge/<entry>`, its own wasm module):
// the suites of its scope, and a check that it exports that scope and no other, with the
// package's one set of error classes. Run in Node, workerd and Chromium by run-entries.mjs.
import { assert } from "../harness.mjs";
import { register as ioc } from "./ioc.mjs";
import { register as indicatorSet } from "./indicator-set.mjs";
import { register as sekoiaIntel } from "./sekoia-intel.mjs";
import { register as sekoiaOps } from "./sekoia-ops.mjs";
import { register as networksage } from "./networksage.mjs";
import { register as groupib } from "./groupib.mjs";
import { registerClients as badInputClients, registerToolkit as badInputToolkit } from "./bad-input.mjs";

const TOOLKIT = ["extractIocs", "refang", "defang", "classify", "parseStixPattern", "stixPatternFor", "IndicatorSet"];
const SEKOIA = ["Sekoia", "Feed", "SearchJob", "memoryCursorStore"];
const NETWORKSAGE = ["NetworkSage"];
const GROUPIB = ["GroupIB", "GroupIBDrp", "GroupIBPortion", "parsePortion"];
// Multi-provider enrichment needs the clients and the toolkit together: cti-edge only.
const FULL_ONLY = ["enrich", "createEnricher"];

export const ENTRIES = {
  ioc: { exports: TOOLKIT, suites: [ioc, indicatorSet, badInputToolkit] },
  sekoia: { exports: SEKOIA, suites: [sekoiaIntel, sekoiaOps, badInputClients] },
  networksage: { exports: NETWORKSAGE, suites: [networksage, badInputClients] },
  groupib: { exports: GROUPIB, suites: [groupib, badInputClients] },
};

/** Registers entry `name`'s tests; each test name starts with `cti-edge/<name>: `. */
export function registerEntry(test, name) {
  const entry = ENTRIES[name];
  const prefixed = (title, fn, opts) => test(`cti-edge/${name}: ${title}`, fn, opts);
  for (const suite of entry.suites) suite(prefixed);
  prefixed("exports its scope and no other, with the package's error classes", ({ lib, errors }) => {
    for (const n of [...TOOLKIT, ...SEKOIA, ...NETWORKSAGE, ...GROUPIB, ...FULL_ONLY]) {
      assert.equal(n in lib, entry.exports.includes(n), `${n} ${entry.exports.includes(n) ? "missing from" : "exported by"} cti-edge/${name}`);
    }
    for (const n of ["init", "version", "ValidationError", "ApiError", "CtiEdgeError"]) assert.ok(n in lib, `${n} is in cti-edge/${name}`);
    assert.ok(!("makeError" in lib) && !("makeError" in errors), "the glue's error factory is not API");
    // One set of classes for the package: an error from this module is the main entry's class.
    assert.equal(lib.ValidationError, errors.ValidationError);
    const e = assert.throws(() => (name === "ioc" ? new lib.IndicatorSet().matchLines("x") : new lib[entry.exports[0]]({})), errors.ValidationError);
    assert.ok(e instanceof errors.CtiEdgeError);
  });
}

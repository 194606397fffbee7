// The suites `cti-edge/ioc` (the IOC toolkit built without the API clients) runs, in Node and
// in workerd: the toolkit's own, plus what makes it that entry.
import { assert } from "../harness.mjs";
import { register as ioc } from "./ioc.mjs";
import { register as indicatorSet } from "./indicator-set.mjs";

export function registerToolkit(test) {
  ioc(test);
  indicatorSet(test);
  test("cti-edge/ioc: the toolkit alone, with its own error classes", ({ lib }) => {
    for (const name of ["Sekoia", "NetworkSage", "GroupIB", "Feed", "SearchJob"]) assert.ok(!(name in lib), `${name} is not in cti-edge/ioc`);
    for (const name of ["extractIocs", "refang", "defang", "classify", "parseStixPattern", "stixPatternFor", "IndicatorSet", "init", "version"]) assert.ok(name in lib, `${name} is in cti-edge/ioc`);
    const e = assert.throws(() => new lib.IndicatorSet().matchLines("x"), lib.ValidationError);
    assert.ok(e instanceof lib.CtiEdgeError);
  });
}

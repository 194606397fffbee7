// Type-checked (never run): the entry points besides the main one type their scope as the main
// entry does, and share its error classes.
import { init, extractIocs, IndicatorSet, ValidationError, CtiEdgeError, type IndicatorTextMatch, type Ioc } from "../../pkg/ioc/index.js";

export async function toolkitOnly(lines: string[]): Promise<number> {
  await init();
  const iocs: Ioc[] = extractIocs("see evil[.]com");
  const set = new IndicatorSet({ subdomains: true });
  set.addMany(iocs.map((i) => i.value));
  const hits: IndicatorTextMatch[][] = set.matchLines(lines);
  try {
    set.matchLines(lines);
  } catch (e) {
    if (e instanceof ValidationError && e instanceof CtiEdgeError) return -1;
  }
  // @ts-expect-error the API clients are not in cti-edge/ioc
  void (await import("../../pkg/ioc/index.js")).Sekoia;
  return hits.length;
}

import * as sekoiaOnly from "../../pkg/sekoia/index.js";
import * as networkSageOnly from "../../pkg/networksage/index.js";
import * as groupIbOnly from "../../pkg/groupib/index.js";
import * as errors from "../../pkg/errors.js";

export async function clientsOnly(signal: AbortSignal): Promise<number> {
  await Promise.all([sekoiaOnly.init(), networkSageOnly.init(), groupIbOnly.init()]);
  const sekoia = new sekoiaOnly.Sekoia({ apiKey: "k", region: "FRA2" });
  const store = sekoiaOnly.memoryCursorStore();
  let n = 0;
  for await (const page of sekoia.feed().pages({ limit: 100, store, signal })) n += page.items.length;
  const ns = new networkSageOnly.NetworkSage({ apiKey: "k" });
  const flows: networkSageOnly.Secflow[] = await ns.secflows("id");
  const gib = new groupIbOnly.GroupIB({ username: "u", apiKey: "k", baseUrl: "https://tap.group-ib.com/api/v2/" });
  void gib;
  try {
    await ns.secflows("");
  } catch (e) {
    // one set of error classes for the package, whichever entry threw
    if (e instanceof errors.ValidationError && e instanceof sekoiaOnly.CtiEdgeError) return -1;
  }
  // @ts-expect-error the toolkit is not in cti-edge/sekoia
  void sekoiaOnly.extractIocs;
  // @ts-expect-error other clients are not in cti-edge/networksage
  void networkSageOnly.Sekoia;
  return n + flows.length;
}

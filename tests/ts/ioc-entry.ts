// Type-checked (never run): `cti-edge/ioc`, the toolkit alone, types as the main entry does.
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

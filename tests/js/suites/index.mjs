// Every runtime runs every suite registered here (bad-input last: it introspects every method).
import { register as foundation } from "./foundation.mjs";
import { register as sekoiaIntel } from "./sekoia-intel.mjs";
import { register as sekoiaOps } from "./sekoia-ops.mjs";
import { register as networksage } from "./networksage.mjs";
import { register as groupib } from "./groupib.mjs";
import { register as ioc } from "./ioc.mjs";
import { register as indicatorSet, registerWithClients as indicatorSetWithClients } from "./indicator-set.mjs";
import { register as enrich } from "./enrich.mjs";
import { register as chaos } from "./chaos.mjs";
import { register as badInput } from "./bad-input.mjs";

export function registerAll(test) {
  foundation(test);
  sekoiaIntel(test);
  sekoiaOps(test);
  networksage(test);
  groupib(test);
  ioc(test);
  indicatorSet(test);
  indicatorSetWithClients(test);
  enrich(test);
  chaos(test);
  badInput(test);
}

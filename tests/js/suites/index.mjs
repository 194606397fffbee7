// Every runtime runs every suite registered here.
import { register as foundation } from "./foundation.mjs";
import { register as sekoiaIntel } from "./sekoia-intel.mjs";
import { register as sekoiaOps } from "./sekoia-ops.mjs";

export function registerAll(test) {
  foundation(test);
  sekoiaIntel(test);
  sekoiaOps(test);
}

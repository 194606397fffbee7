// Every runtime runs every suite registered here.
import { register as foundation } from "./foundation.mjs";
import { register as sekoiaIntel } from "./sekoia-intel.mjs";
import { register as ioc } from "./ioc.mjs";
import { register as indicatorSet } from "./indicator-set.mjs";

export function registerAll(test) {
  foundation(test);
  sekoiaIntel(test);
  ioc(test);
  indicatorSet(test);
}

// Every runtime runs every suite registered here.
import { register as foundation } from "./foundation.mjs";

export function registerAll(test) {
  foundation(test);
}

// Cold-start Worker: the `cti-edge/sekoia` entry, the same work as full.mjs (one client, one call).
import * as lib from "../../pkg/sekoia/index.workerd.js";

export default {
  fetch() {
    new lib.Sekoia({ apiKey: "k" });
    return new Response(lib.version());
  },
};

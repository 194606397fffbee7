// Cold-start Worker: the full entry, one client constructed, one call.
import * as lib from "../../pkg/index.workerd.js";

export default {
  fetch() {
    new lib.Sekoia({ apiKey: "k" });
    return new Response(lib.version());
  },
};

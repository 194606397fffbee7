// Cold-start Worker: the `cti-edge/ioc` entry, one extraction.
import { extractIocs } from "../../pkg/ioc/index.workerd.js";

export default {
  fetch() {
    return new Response(String(extractIocs("beacon to evil[.]com").length));
  },
};

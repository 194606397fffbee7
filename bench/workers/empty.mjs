// Cold-start baseline: a Worker that imports nothing.
export default {
  fetch() {
    return new Response("0");
  },
};

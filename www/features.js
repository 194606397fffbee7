// Feature detection for APIs that only some builds of cti-edge have: the panels and the
// extension light up when the running package has them, and say "not available" otherwise.

/** The IOC-collection text import of this build, as `(collectionId, text) => task`, or null. */
export function importApi(s) {
  if (!s) return null;
  if (typeof s.importText === "function") return (id, text, o) => s.importText(id, text, o);
  const ic = s.iocCollections;
  if (ic && typeof ic.importText === "function") return (id, text, o) => ic.importText(id, text, o);
  if (typeof s.iocCollection === "function") {
    try {
      const c = s.iocCollection("ioc-collection--00000000-0000-4000-8000-000000000000");
      if (c && typeof c.importText === "function") return (id, text, o) => s.iocCollection(id).importText(text, o);
    } catch { /* not this shape */ }
  }
  return null;
}

/** True when this build can run Sekoia event searches (`sekoia.searchEvents`). */
export function canSearchEvents(s) {
  return !!s && typeof s.searchEvents === "function";
}

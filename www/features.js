// Feature detection for APIs that only some builds of cti-edge have: the panels and the
// extension light up when the running package has them, and say "not available" otherwise.

/**
 * The IOC-collection text import of this build as `(collectionId, text) => Promise<ImportTask>`,
 * or null. The task has `taskIds`, `rejected` (lines refused locally, never sent) and
 * `progress()`: an async iterable of `{ imported, total, tasks, finishedTasks, done }` fed by the
 * LiveAPI.
 */
export function importApi(s) {
  if (!s || typeof s.importText !== "function") return null;
  return (collectionId, text, options = {}) => s.importText(collectionId, { ...options, indicators: text });
}

/** True when this build can run Sekoia event searches (`sekoia.searchEvents`). */
export function canSearchEvents(s) {
  return !!s && typeof s.searchEvents === "function";
}

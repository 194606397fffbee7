// Node-only: replays every parser vector of shared/conformance/groupib_vectors.json (recorded
// from the real cyberintegrations 0.14.1) through the package's JS boundary: parsePortion,
// getIocs, bulkParsePortion (as_json outputs compared byte for byte; others as JS values).
// Vector files given as arguments replace it (tools/groupib_diff.py writes random ones, and
// tests/data/groupib_diff_vectors.json keeps 40 of them).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as lib from "../../pkg/index.node.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shared = process.env.CTI_EDGE_SHARED_DIR ?? join(root, "..", "shared");
const files = process.argv.length > 2 ? process.argv.slice(2) : [join(shared, "conformance", "groupib_vectors.json")];
const doc = { parser_vectors: files.flatMap((f) => JSON.parse(readFileSync(f, "utf8")).parser_vectors) };

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
function outcome(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof lib.MappingError) return { error: { type: e.pythonType } };
    return { error: { type: `JS:${e && e.constructor && e.constructor.name}`, message: String(e && e.message) } };
  }
}
// Errors compare on the Python type (the message is in e.message after "<Type>: ").
const norm = (want) => (want && want.error ? { error: { type: want.error.type } } : want);
const sortLists = (o) =>
  o && o.ok && typeof o.ok === "object" && !Array.isArray(o.ok)
    ? { ok: Object.fromEntries(Object.entries(o.ok).map(([k, v]) => [k, [...v].map((x) => JSON.stringify(x)).sort()])) }
    : o;
function same(a, b) {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}

let pass = 0;
let fail = 0;
const kinds = {};
function check(id, kind, got, want) {
  const k = (kinds[kind] ??= { ok: 0, bad: 0 });
  if (same(got, norm(want))) {
    pass++;
    k.ok++;
  } else {
    fail++;
    k.bad++;
    console.log(`  ✗ [${id}] ${kind}\n     want ${JSON.stringify(norm(want)).slice(0, 300)}\n      got ${JSON.stringify(got).slice(0, 300)}`);
  }
}

// JS numbers cannot carry these inputs (ints beyond 2^53, 1.0 vs 1): passed as JSON text
// (the documented way to keep them exact), which is only exact if the text is; the vectors
// file was parsed by JS here, so these are checked by the Rust conformance test instead.
const JS_NUMBER_LIMITS = new Set(["big_numbers", "bool_number_dedup"]);
let skipped = 0;
for (const v of doc.parser_vectors) {
  const input = v.input;
  // Stored (constructor) keys need a client's setKeys: checked on the Rust side.
  if (v.constructor_keys !== undefined || v.constructor_iocs_keys !== undefined || JS_NUMBER_LIMITS.has(v.id)) {
    skipped += Object.keys(v.outputs).length;
    continue;
  }
  for (const [kind, want] of Object.entries(v.outputs)) {
    switch (kind) {
      case "portion":
        break; // envelope accessors: covered by the Rust conformance test
      case "parse_portion":
        check(v.id, kind, outcome(() => lib.parsePortion(input, clone(v.keys) ?? null)), want);
        break;
      case "parse_portion_as_json":
        check(v.id, kind, outcome(() => lib.parsePortion(input, clone(v.keys) ?? null, { asJson: true })), want);
        break;
      case "parse_portion_alternative":
        check(v.id, kind, outcome(() => lib.parsePortion(input, clone(v.keys) ?? null, { useAlternativeParser: true })), want);
        break;
      case "get_iocs":
        check(v.id, kind, outcome(() => lib.getIocs(input, clone(v.iocs_keys) ?? null)), want);
        break;
      case "get_iocs_as_json":
        check(v.id, kind, outcome(() => lib.getIocs(input, clone(v.iocs_keys) ?? null, { asJson: true })), want);
        break;
      case "get_iocs_sorted":
        check(v.id, kind, sortLists(outcome(() => lib.getIocs(input, clone(v.iocs_keys) ?? null))), sortLists(want));
        break;
      case "bulk_parse_portion":
        check(v.id, kind, outcome(() => lib.bulkParsePortion(input, clone(v.keys_list) ?? [])), want);
        break;
      case "extra_calls":
        for (const c of want) {
          const kw = c.kwargs ?? {};
          const opts = { filterMap: kw.filter_map, ignore: kw.ignore, checkExistence: kw.check_existence, asJson: kw.as_json };
          const got =
            c.method === "get_iocs"
              ? outcome(() => lib.getIocs(input, clone(kw.keys ?? v.iocs_keys) ?? null, opts))
              : c.method === "parse_portion"
                ? outcome(() => lib.parsePortion(input, clone(kw.keys ?? v.keys) ?? null, opts))
                : outcome(() => lib.bulkParsePortion(input, clone(kw.keys_list ?? v.keys_list) ?? [], opts));
          check(v.id, `extra_calls.${c.method}`, got, c.result);
        }
        break;
      default:
        // keys_after_call (the caller's template mutated in place: JS objects are never mutated)
        // and get_iocs_per_item (order-free view of get_iocs_sorted) are Rust-side checks.
        break;
    }
  }
}
for (const [k, { ok, bad }] of Object.entries(kinds)) console.log(`  ${k.padEnd(32)} ${ok} matched ${bad} mismatched`);
console.log(`  skipped (JS number limits / stored keys; Rust-checked): ${skipped} outputs`);
console.log(`groupib parser vectors (${doc.parser_vectors.length}) through the JS boundary: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);

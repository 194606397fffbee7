// Type-checked (never run) by `make test`: the .d.ts of the built package must describe
// what a TypeScript user writes, and reject what they must not write.
import {
  init, version, Sekoia, NetworkSage, GroupIB, GroupIBDrp,
  CtiEdgeError, ApiError, RateLimitError, ValidationError, TimeoutError, AbortError, NetworkError, DecodeError,
  type ApiResponse, type SekoiaOptions, type RequestOptions,
} from "../../pkg/index.js";

export async function example(signal: AbortSignal): Promise<string> {
  await init();
  const opts: SekoiaOptions = { apiKey: "k", region: "FRA2", retry: { limit: 2 }, rateLimit: { perSecond: 5 }, timeoutMs: 5000 };
  const sekoia = new Sekoia(opts);
  const req: RequestOptions = { path: ["v2", "inthreat", "objects", "x"], query: { "match[type]": ["indicator"], limit: 10 }, signal, deadline: Date.now() + 1000 };
  const res: ApiResponse = await sekoia.request(req);
  const status: number = res.status;
  const attempts: number = res.attempts;
  const ns = new NetworkSage({ apiKey: "k", baseUrl: "http://127.0.0.1:1" });
  await ns.request({ method: "POST", path: "/upload/v1.0/uploader", multipart: { file: { value: new Uint8Array(1), filename: "a.pcap" }, type: "pcap" } });
  const gib = new GroupIB({ username: "u", apiKey: "k", baseUrl: "https://x/api/v2/" });
  const drp = new GroupIBDrp({ username: "u", apiKey: "k", baseUrl: "https://x/" });
  try {
    await gib.request({ path: "user/granted_collections" });
  } catch (e) {
    if (e instanceof RateLimitError) return `retry in ${e.retryAfter ?? 0}s`;
    if (e instanceof ApiError) return `${e.status} ${e.code ?? ""} ${e.requestId ?? ""}`;
    if (e instanceof ValidationError) return `${e.field}: ${e.reason}`;
    if (e instanceof TimeoutError) return e.kind;
    if (e instanceof AbortError || e instanceof NetworkError || e instanceof DecodeError) return e.message;
    if (e instanceof CtiEdgeError) return String(e.attempts);
  }
  return `${version()} ${status} ${attempts} ${drp.baseUrl}`;
}

// @ts-expect-error apiKey is required
new Sekoia({ region: "FRA1" });
// @ts-expect-error unknown region
new Sekoia({ apiKey: "k", region: "MARS1" });
// @ts-expect-error GroupIB needs a username
new GroupIB({ apiKey: "k", baseUrl: "https://x" });
// @ts-expect-error path is required
void new Sekoia({ apiKey: "k" }).request({ query: {} });

// Sekoia IOC collections, LiveAPI import progress, search jobs, rules, positional request.
import { SearchJobError, GoneError, type ImportTask, type ImportProgress, type RuleInput, type EventSearch } from "../../pkg/index.js";

export async function ops(signal: AbortSignal): Promise<number> {
  const s = new Sekoia({ apiKey: "k", live: { webSocket: (url, init) => ({ url, init }), authMessage: false } });
  const c = await s.createIocCollection({ name: "Blocklist", description: "x", availableForSubCommunities: false });
  for await (const col of s.listIocCollections({ term: "Block", limit: 10 })) void col;
  const q = await s.iocQuota();
  const json = await s.importIndicators(c.id, { indicators: ["1.2.3.4", { value: "evil.example.com", validUntil: new Date() }], defaultFields: { description: "d" } });
  const task: ImportTask = await s.importText(c.id, { indicators: ["1.2.3.4"], format: "one_per_line", batchSize: 1000, signal });
  for await (const p of task.progress({ signal, deadline: Date.now() + 1000 })) {
    const step: ImportProgress = p;
    void step.imported;
  }
  const done = await task.done({ deadline: new Date() });
  const preview = await s.previewFile(c.id, new Blob(["1.2.3.4"]), { filename: "a.csv" });
  const t2 = await s.processFile(c.id, preview.file_handle, { mapping: ["observable", null], ignoreFirstLine: true });
  const search: EventSearch = { query: "source.ip:1.2.3.4", earliest: "-30d", latest: "now", lang: "dork", ttl: 600 };
  const job = await s.searchEvents(search);
  try {
    await job.wait({ onProgress: (j) => void j, pollMs: 500, signal });
    for await (const ev of job.events({ limit: 1000 })) void ev;
  } catch (e) {
    if (e instanceof SearchJobError) return e.status;
    if (e instanceof GoneError) return 410;
  }
  await job.cancel();
  const rule: RuleInput = { name: "A rule name", type: "sigma", payload: "p", severity: 10, effort: 1, alertTypeUuid: "u", enabled: true };
  await s.createRule(rule);
  for await (const r of s.listRules({ types: ["sigma"], severity: [0, 50], sort: "createdAt" })) void r;
  await s.enableRules(["a", "b"]);
  await s.disableRules("a");
  const r1 = await s.request("POST", "/v2/inthreat/ioc-collections", { body: { name: "n" }, query: { a: 1 }, signal });
  const r2 = await s.request({ method: "GET", path: ["v1", "auth", "validate"] });
  return json.imported + done.total + q.remaining + r1.status + r2.status + t2.taskIds.length + (job.status ?? 0);
}

// @ts-expect-error a search needs a query
void new Sekoia({ apiKey: "k" }).searchEvents({ earliest: "-1d", latest: "now" });
// @ts-expect-error unknown text format
void new Sekoia({ apiKey: "k" }).importText("c", { indicators: "x", format: "csv" });

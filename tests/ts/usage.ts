// Type-checked (never run) by `make test`: the .d.ts of the built package must describe
// what a TypeScript user writes, and reject what they must not write.
import {
  init, version, Sekoia, NetworkSage, GroupIB, GroupIBDrp,
  CtiEdgeError, ApiError, RateLimitError, ValidationError, TimeoutError, AbortError, NetworkError, DecodeError,
  type ApiResponse, type SekoiaOptions, type RequestOptions,
  type AggregatedActivity, type SampleMetadata, type Secflow, type UploadRecord, type DestinationInfo, type ProcessingPoll,
  MappingError, parsePortion, getIocs, bulkParsePortion, type ChangeApproveResult,
} from "../../pkg/index.js";

export async function networkSage(file: Blob, signal: AbortSignal): Promise<number> {
  const ns = new NetworkSage({ apiKey: "k", rateLimit: { perSecond: 20 } });
  const id: string = await ns.uploadSample(file, { type: "pcapng", name: "a.pcapng", signal });
  await ns.uploadSample(new Uint8Array(8), { type: "zeek", dnsLog: new Uint8Array(8), checkFormat: false });
  const meta: SampleMetadata = await ns.waitForProcessing(id, { intervalMs: 2000, deadline: Date.now() + 60_000, signal, onPoll: (p: ProcessingPoll) => void p.elapsedMs });
  const view: AggregatedActivity[] = await ns.aggregated(id, { concurrency: 4 });
  const pub: AggregatedActivity[] = await ns.aggregated(NetworkSage.encodePublicId(meta.id, meta.hash));
  const flows: Secflow[] = await ns.secflows(id);
  const records: UploadRecord[] = await ns.listSamples();
  const dest: DestinationInfo = await ns.destination("example.com", 443);
  await ns.destination("example.com:443", { timeoutMs: 1000 });
  const count: number = await ns.globalCount(flows[0].flowId);
  const found: string | null = await ns.uploadedSampleId("a.pcapng", { uploadedAt: new Date(), public: true });
  const parts = NetworkSage.decodePublicId(found ?? "");
  return view.length + pub.length + records.length + count + (dest.tags?.length ?? 0) + (parts?.sampleId.length ?? 0) + (await ns.publicSecflows("x")).length;
}

// @ts-expect-error type must be one of the documented sample types
void new NetworkSage({ apiKey: "k" }).uploadSample(new Uint8Array(1), { type: "pdf" });
// @ts-expect-error uploadedAt is required
void new NetworkSage({ apiKey: "k" }).uploadedSampleId("a.pcap", {});

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

// IOC toolkit and enrichment
import { extractIocs, classify, refang, defang, parseStixPattern, stixPatternFor, enrich, createEnricher, memoryCursorStore, kvCursorStore, type Ioc, type Enrichment } from "../../pkg/index.js";

export async function toolkit(sekoia: Sekoia, text: string): Promise<string[]> {
  const found: Ioc[] = extractIocs(text, { types: ["domain", "url"], dedupe: true, fileExtensionPolicy: "reject-all" });
  const c = classify(refang("evil[.]com"));
  const kind: string | undefined = c?.sekoiaType ?? undefined;
  const p = parseStixPattern(stixPatternFor("1.2.3.4"));
  const e: Enrichment = await enrich(found[0]?.value ?? "evil.com", { sekoia }, { ttlMs: 1000 });
  const many = await createEnricher({ sekoia }, { concurrency: 2 }).enrichMany(["a.com"]);
  for await (const page of sekoia.feed().pages({ limit: 100, store: memoryCursorStore(), follow: { intervalMs: 1000 } })) {
    page.items.length;
    break;
  }
  kvCursorStore({ get: async () => null, put: async () => {} });
  return [defang(e.value), e.verdict, String(p.observationCount), kind ?? "", String(many.length)];
}
// @ts-expect-error unknown IOC type
extractIocs("x", { types: ["ip-address"] });
// Group-IB poller
export async function groupibUsage(gib: GroupIB, drp: GroupIBDrp): Promise<string> {
  gib.setKeys("malware/cnc", { id: "id", net: { ips: "ipv4.ip" }, kind: "*cnc" });
  gib.setIocKeys("malware/cnc", { ips: "ipv4.ip" });
  let last: string | null = null;
  for await (const p of gib.updates("malware/cnc", { limit: 50, seqUpdate: 1n, filters: { applyHuntingRules: true }, parseEvents: false })) {
    const rows: any[] | string = p.parse(null, {});
    const iocs = p.iocs(null, { asJson: false });
    const bulk = p.bulkParse([{ a: "id" }], {});
    last = p.seqUpdate;
    void rows, iocs, bulk, p.count, p.raw, p.items.length;
  }
  for await (const p of gib.search("compromised/breached", { query: "email:a@b.c", date: new Date() })) last = p.resultId;
  const seqs: Record<string, string> = await gib.seqUpdates({ date: "2024-03-01" });
  const bytes: Uint8Array = await gib.file("hi/threat", "F1", "FILE9", {});
  const score = await gib.scoring(["192.0.2.1"], {});
  const cols: string[] = await gib.collections({ huntingRules: true });
  await gib.action("apt/threat", "id", "report", { lang: "en" }, {});
  await gib.graphIp("192.0.2.1", {});
  for await (const v of drp.violations({ filters: { brandIds: ["b1"], typoSquatting: true } })) void v.items;
  const r: ChangeApproveResult = await drp.changeApprove("VIOL1", true, {});
  const d: Record<string, string> = drp.seqUpdates({ date: "2024-01-02" });
  const parsed = parsePortion([{ a: 1 }], { x: "a" }, { keepTemplate: true });
  const iocs2 = getIocs('{"count":1,"items":[]}', { x: "a" }, {});
  const bulk2 = bulkParsePortion([], [{ x: "a" }], {});
  try {
    parsePortion([], {}, {});
  } catch (e) {
    if (e instanceof MappingError) return e.pythonType;
    if (e instanceof ApiError) return e.hint ?? "";
  }
  void seqs, bytes, score, cols, r.changed, d, parsed, iocs2, bulk2;
  new GroupIB({ username: "u", apiKey: "k", baseUrl: "https://x", product: { type: "SIEM", name: "X", version: "1" } });
  return last ?? "";
}
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

// The design sketch's shape: sekoia.iocCollections.<verb>, typed as the flat methods.
import { type IocCollections } from "../../pkg/index.js";
export async function sketch(sekoia: Sekoia, id: string, lines: string[], signal: AbortSignal): Promise<number> {
  const view: IocCollections = sekoia.iocCollections;
  const task = await view.importText(id, { indicators: lines });
  let ratio = 0;
  for await (const p of task.progress({ signal })) ratio = p.imported / p.total;
  for await (const c of view.list({ limit: 10 })) void c;
  await view.delete(id);
  return ratio;
}
// Lists: items, a callable `.pages()` sibling and a resumable offset; a feed iterates its objects.
import { type ListPageIterator } from "../../pkg/index.js";
export async function lists(sekoia: Sekoia): Promise<number> {
  for await (const o of sekoia.feed()) void o.id;
  const list = sekoia.listObjects({ types: ["malware"] });
  const pages: ListPageIterator = list.pages();
  for await (const page of pages) void page.items.length;
  for await (const page of list.pages) void page.offset;
  for await (const page of sekoia.feed().objects().pages()) void page.cursor;
  return list.cursor + pages.cursor;
}
// @ts-expect-error the view has no method the client lacks
void new Sekoia({ apiKey: "k" }).iocCollections.importCsv;
// @ts-expect-error the view's methods keep the flat methods' parameter types
void new Sekoia({ apiKey: "k" }).iocCollections.importText("c", { indicators: "x", format: "csv" });

// @ts-expect-error a search needs a query
void new Sekoia({ apiKey: "k" }).searchEvents({ earliest: "-1d", latest: "now" });
// @ts-expect-error unknown text format
void new Sekoia({ apiKey: "k" }).importText("c", { indicators: "x", format: "csv" });
// IndicatorSet: the Worker-facing matcher.
import { IndicatorSet, type IndicatorMatch, type IndicatorObjectMatch, type AddStixResult } from "../../pkg/index.js";
export function indicatorSetUsage(events: unknown[], stix: object[]): number {
  const set = new IndicatorSet({ subdomains: true });
  const ok: boolean = set.add("evil.com", { id: "x" }) && set.add("1.2.3.4");
  const many = set.addMany(["a.com", { value: "b.com", meta: 1 }]);
  const rejected: string[] = many.rejected.map((r) => r.reason);
  const r: AddStixResult = set.addStixObjects(stix, { now: Date.now(), meta: (o) => o.id });
  const m: IndicatorMatch | null = set.match("x.evil.com");
  const hits = set.matchText("see evil[.]com", { types: ["domain"] }).map((h) => `${h.start}-${h.end} ${h.raw} ${h.entry}`);
  const perEvent: IndicatorObjectMatch[][] = set.matchObjects(events);
  const perLine: number[] = set.matchLines(["GET http://evil.com/", "ok"]).map((l) => l.length);
  const paths: string[] = set.matchObject({ a: 1 }).map((h) => h.path);
  const copy = IndicatorSet.fromBytes(set.toBytes());
  set.remove("evil.com");
  // @ts-expect-error subdomains is a boolean
  new IndicatorSet({ subdomains: "yes" });
  return copy.size + Number(ok) + rejected.length + r.added + (m?.entry.length ?? 0) + hits.length + perEvent.length + paths.length + set.heapBytes + Number(set.has("x"));
}

// Both request forms on every client.
export async function requests(ns: NetworkSage, gib: GroupIB, drp: GroupIBDrp): Promise<number> {
  const a = await ns.request("GET", "/upload/v1.0/uploads/list");
  const b = await gib.request({ path: "user/granted_collections" });
  const c = await drp.request("POST", ["violation", "change-approve"], { json: { violationId: "x", approve: true } });
  return a.status + b.status + c.status;
}

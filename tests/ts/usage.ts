// Type-checked (never run) by `make test`: the .d.ts of the built package must describe
// what a TypeScript user writes, and reject what they must not write.
import {
  init, version, Sekoia, NetworkSage, GroupIB, GroupIBDrp,
  CtiEdgeError, ApiError, RateLimitError, ValidationError, TimeoutError, AbortError, NetworkError, DecodeError,
  type ApiResponse, type SekoiaOptions, type RequestOptions,
  MappingError, parsePortion, getIocs, bulkParsePortion, type ChangeApproveResult,
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
